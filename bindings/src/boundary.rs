//! The panic boundary: no panic unwinds into C. Every `extern "C"` body runs in [`guard`].

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

use ordo_api::{ApiError, Response};
use ordo_core::ErrorKind;

/// Runs `body`, turning a panic into an error message.
///
/// `AssertUnwindSafe` is sound here: after a panic nothing the closure touched is used
/// again by this call, and a half-finished request leaves no half-written data (every
/// change is one atomic write set; a panic before `apply` writes nothing). A lock it
/// poisoned makes later requests fail with an error, never undefined behaviour.
pub(crate) fn guard<T>(body: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        Err(format!(
            "internal error in ordo (a bug; please report it): {}",
            panic_message(payload.as_ref())
        ))
    })
}

/// The response for a failure inside the library (status 1).
pub(crate) fn internal_error(message: &str) -> Response {
    Response::error(
        ApiError {
            code: "internal".to_string(),
            kind: ErrorKind::Internal.code().to_string(),
            field: None,
            message: message.to_string(),
        },
        None,
    )
}

/// The text a panic carried, if it was a string.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "a panic without a message"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::panic)] // the panic under test
    fn a_panic_becomes_an_error_with_its_message() {
        let caught: Result<(), String> = guard(|| panic!("boom {}", 7));
        let message = caught.unwrap_err();
        assert!(message.contains("boom 7"), "{message}");
        assert_eq!(internal_error(&message).status(), 1);
    }

    #[test]
    fn a_result_passes_through() {
        assert_eq!(guard(|| Ok(3)), Ok(3));
        assert_eq!(guard::<()>(|| Err("no".into())), Err("no".to_string()));
    }
}
