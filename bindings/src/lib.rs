//! # ordo-ffi
//!
//! The C API of ordo. A host application (C, C++, Python ctypes, Go, C#) opens a store,
//! sends [`ordo_api`] requests as JSON (`{"op": "order.create", "args": {…}}`) and gets the
//! `Response` JSON back with its status number. Every request goes through
//! [`ordo_api::execute_json`]: this crate maps no engine operation itself, so the C API,
//! the command line's `--json` and every later front answer alike.
//!
//! ```c
//! OrdoEngine *engine = ordo_engine_open("ordo-data", NULL);
//! char *response = NULL;
//! int32_t status = ordo_execute(engine, "{\"op\": \"product.list\"}", &response);
//! puts(response);
//! ordo_string_free(response);
//! ordo_engine_close(engine);
//! ```
//!
//! `include/ordo.h` is generated from this file by cbindgen (`tests/header.rs` fails when
//! it is out of date).
//!
//! Invariants:
//! - No panic crosses the boundary: every `extern "C"` body runs inside
//!   [`std::panic::catch_unwind`]; a panic becomes status 1 with a message.
//! - Every string the library hands out is allocated here (`CString::into_raw`) and freed
//!   here ([`ordo_string_free`], `CString::from_raw`), never by the host's `free`.
//! - Bad input is an answer, never a crash: NULL pointers, invalid UTF-8, malformed or
//!   deeply nested JSON and oversized requests give status 2 and an error response.

// The workspace denies `unsafe_code`; this crate is the boundary with C and cannot work
// without it: raw pointers in and out and `#[unsafe(no_mangle)]` symbols. It is the only
// crate allowed `unsafe`, and every `unsafe` block says which promise of the caller makes
// it sound (`SAFETY:`).
#![allow(unsafe_code)]

mod boundary;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod handle;
mod last_error;
mod options;

use std::ffi::{CStr, CString, c_char};
use std::ptr;

pub use handle::OrdoEngine;

/// `ordo_execute`: the request succeeded.
pub const ORDO_STATUS_OK: i32 = 0;
/// `ordo_execute`: a failure inside ordo (a bug, or storage that failed).
pub const ORDO_STATUS_INTERNAL: i32 = 1;
/// `ordo_execute`: not a request (NULL, not UTF-8, malformed or too large JSON, an unknown
/// op, wrong argument types).
pub const ORDO_STATUS_BAD_REQUEST: i32 = 2;
/// `ordo_execute`: invalid input or a business rule refused it (e.g. `insufficient_stock`).
pub const ORDO_STATUS_VALIDATION: i32 = 3;
/// `ordo_execute`: no such record (or one the caller may not see).
pub const ORDO_STATUS_NOT_FOUND: i32 = 4;
/// `ordo_execute`: a duplicate, a reused idempotency key, or a race lost: try again.
pub const ORDO_STATUS_CONFLICT: i32 = 5;
/// `ordo_execute`: not signed in, or not allowed.
pub const ORDO_STATUS_FORBIDDEN: i32 = 6;

/// This library's version, e.g. `"0.1.0"`.
const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => c"unknown",
    };

/// The library's version (e.g. `"0.1.0"`): a static string, do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn ordo_version() -> *const c_char {
    boundary::guard(|| Ok(VERSION.as_ptr())).unwrap_or(c"unknown".as_ptr())
}

/// The version of the request/response contract (`ORDO_API_VERSION`, see docs/api.md):
/// a host checks it before it sends requests written for another version.
#[unsafe(no_mangle)]
pub extern "C" fn ordo_api_version() -> u32 {
    ordo_api::ORDO_API_VERSION
}

/// Opens (creating it if needed) the store in `data_dir` and an engine on it.
///
/// `options_json` may be NULL (a sled store with `immediate` durability, acting as
/// `"c-api"`) or a JSON object with any of these keys (any other key is refused):
/// - `"store"`: `"sled"` (default: durable, in `data_dir`) or `"memory"` (in-memory, for
///   hosts' own tests; `data_dir` may be NULL and is not used),
/// - `"durability"` (sled only): `"immediate"` (default: a request returns after its change
///   is on stable storage) or `"periodic"` (a request returns once the change is applied;
///   a background flush makes it durable within `flush_every_ms`),
/// - `"flush_every_ms"` (periodic only): 1 to 60000, default 100,
/// - `"actor_name"`: who this process is in the audit trail (default `"c-api"`); requests
///   without a `"session"` act as the local administrator under this name.
///
/// Returns NULL on error; `ordo_last_error()` then says why (a directory in use by
/// another process, an unknown option key, …). Close the engine with
/// `ordo_engine_close`.
///
/// # Safety
/// `data_dir` and `options_json` are each NULL or a NUL-terminated string, readable for
/// the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ordo_engine_open(
    data_dir: *const c_char,
    options_json: *const c_char,
) -> *mut OrdoEngine {
    let opened = boundary::guard(|| {
        // SAFETY: the caller promises NULL or a NUL-terminated string (see # Safety).
        let data_dir = unsafe { c_str(data_dir) };
        // SAFETY: as above.
        let options_json = unsafe { c_str(options_json) };
        let options = options::Options::parse(options_json)?;
        OrdoEngine::open(data_dir, &options)
    });
    match opened {
        Ok(engine) => {
            last_error::clear();
            Box::into_raw(Box::new(engine))
        }
        Err(message) => {
            last_error::set(&message);
            ptr::null_mut()
        }
    }
}

/// Closes an engine: flushes a sled store to stable storage and releases its directory
/// for the next open. Every `ordo_execute` on it must have returned. NULL is a no-op.
///
/// # Safety
/// `engine` is NULL or a handle returned by `ordo_engine_open` that was not closed yet,
/// and no other thread is using it; it must not be used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ordo_engine_close(engine: *mut OrdoEngine) {
    if engine.is_null() {
        return;
    }
    let closed = boundary::guard(|| {
        // SAFETY: the caller hands back ownership of a box made by `ordo_engine_open`
        // (see # Safety); it is dropped exactly once, here.
        drop(unsafe { Box::from_raw(engine) });
        Ok(())
    });
    if let Err(message) = closed {
        last_error::set(&message);
    }
}

/// Runs one request and returns its status: 0 ok, 1 internal, 2 bad request, 3 validation
/// or a business rule, 4 not found, 5 conflict, 6 unauthenticated or forbidden.
///
/// `request_json` is an ordo-api request, `{"op": "noun.verb", "args": {…}}`, optionally
/// with `"extra"` (echoed back) and `"session"` (act as that signed-in user); see
/// docs/api.md. `*response_json` is set to the response, `{"ok": …}` or `{"error": {"code",
/// "kind", "field", "message"}}`, which the caller frees with `ordo_string_free`; it is set
/// on every call (also on errors) except when `response_json` itself is NULL (status 2,
/// nothing run, `ordo_last_error()` says so).
///
/// A NULL `engine` (`null_engine`), a NULL `request_json` (`null_request`), a request that
/// is not UTF-8 (`invalid_utf8`), not JSON or nested too deeply (`malformed_request`),
/// larger than 1 MiB (`request_too_large`), an unknown op (`unknown_op`) or wrong argument
/// types (`invalid_arguments`) give status 2. A panic inside gives status 1 and never
/// unwinds into the caller. One engine serves several threads at once.
///
/// # Safety
/// `engine` is NULL or an open handle from `ordo_engine_open`; `request_json` is NULL or
/// a NUL-terminated string readable for the duration of the call; `response_json` is NULL
/// or points to a writable `char *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ordo_execute(
    engine: *mut OrdoEngine,
    request_json: *const c_char,
    response_json: *mut *mut c_char,
) -> i32 {
    if response_json.is_null() {
        last_error::set("response_json is NULL: there is nowhere to put the response");
        return ORDO_STATUS_BAD_REQUEST;
    }
    let response = boundary::guard(|| {
        // SAFETY: the caller promises NULL or an open handle (see # Safety); the engine
        // is only read through a shared reference, so other threads may use it too.
        let engine = unsafe { engine.cast_const().as_ref() };
        // SAFETY: the caller promises NULL or a NUL-terminated string (see # Safety).
        let request = unsafe { c_str(request_json) };
        Ok(handle::execute(engine, request))
    })
    .unwrap_or_else(|message| boundary::internal_error(&message));
    let status = response.status();
    match &response.outcome {
        ordo_api::Outcome::Ok(_) => last_error::clear(),
        ordo_api::Outcome::Error(error) => last_error::set(&error.message),
    }
    let json = boundary::guard(|| Ok(into_c_string(response.to_json())))
        .unwrap_or_else(|message| into_c_string(boundary::internal_error(&message).to_json()));
    // SAFETY: `response_json` is not NULL and points to a writable `char *` (see # Safety).
    unsafe { response_json.write(json.into_raw()) };
    status
}

/// Why the last `ordo_engine_open` or `ordo_execute` on this thread failed: the error
/// message, or an empty string when it succeeded. Never NULL. The string belongs to the
/// library and stays valid until the next call of either function on this thread; do
/// not free it.
#[unsafe(no_mangle)]
pub extern "C" fn ordo_last_error() -> *const c_char {
    boundary::guard(|| Ok(last_error::get())).unwrap_or(c"".as_ptr())
}

/// Frees a string the library returned through `ordo_execute`. NULL is a no-op.
///
/// # Safety
/// `s` is NULL or a `*response_json` from `ordo_execute` that was not freed yet; it must
/// not be used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ordo_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // Nothing to report on failure: a panic while freeing is caught and dropped.
    let _ = boundary::guard(|| {
        // SAFETY: `s` came from `CString::into_raw` in `ordo_execute` and is freed exactly
        // once (see # Safety).
        drop(unsafe { CString::from_raw(s) });
        Ok(())
    });
}

/// A C string argument: `None` for NULL.
///
/// # Safety
/// `text` is NULL or a NUL-terminated string readable for the lifetime `'a`.
unsafe fn c_str<'a>(text: *const c_char) -> Option<&'a CStr> {
    if text.is_null() {
        None
    } else {
        // SAFETY: not NULL, and NUL-terminated by the caller's promise.
        Some(unsafe { CStr::from_ptr(text) })
    }
}

/// `text` as a C string. serde_json escapes every control character, so a response never
/// holds a NUL; should one appear anyway, it is cut there rather than failing.
fn into_c_string(text: String) -> CString {
    CString::new(text).unwrap_or_else(|error| {
        let position = error.nul_position();
        let mut bytes = error.into_vec();
        bytes.truncate(position);
        CString::new(bytes).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use ordo_core::ErrorKind;

    use super::*;

    #[test]
    fn status_constants_are_the_numbers_every_front_shares() {
        for (constant, kind) in [
            (ORDO_STATUS_INTERNAL, ErrorKind::Internal),
            (ORDO_STATUS_BAD_REQUEST, ErrorKind::BadRequest),
            (ORDO_STATUS_VALIDATION, ErrorKind::Validation),
            (ORDO_STATUS_NOT_FOUND, ErrorKind::NotFound),
            (ORDO_STATUS_CONFLICT, ErrorKind::Conflict),
            (ORDO_STATUS_FORBIDDEN, ErrorKind::Unauthenticated),
            (ORDO_STATUS_FORBIDDEN, ErrorKind::Forbidden),
        ] {
            assert_eq!(constant, kind.status(), "{kind:?}");
        }
        assert_eq!(ORDO_STATUS_OK, ordo_api::response::STATUS_OK);
    }

    /// Runs `request` through the real entry point; returns the status, the response and
    /// the last error.
    fn run(engine: &OrdoEngine, request: &CStr) -> (i32, String, String) {
        let mut response = ptr::null_mut();
        // SAFETY: a live engine, a NUL-terminated request, a writable response pointer.
        let status = unsafe {
            ordo_execute(
                ptr::from_ref(engine).cast_mut(),
                request.as_ptr(),
                &raw mut response,
            )
        };
        assert!(!response.is_null());
        // SAFETY: set by `ordo_execute` to a string it allocated; freed once below.
        let text = unsafe { CStr::from_ptr(response) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: as above.
        unsafe { ordo_string_free(response) };
        // SAFETY: `ordo_last_error` returns a NUL-terminated string.
        let last = unsafe { CStr::from_ptr(ordo_last_error()) }
            .to_string_lossy()
            .into_owned();
        (status, text, last)
    }

    #[test]
    fn a_panic_inside_is_status_1_with_a_message_and_the_handle_still_answers() {
        let engine = OrdoEngine::panicking();
        for _ in 0..2 {
            let (status, response, last) = run(&engine, c"{\"op\": \"product.list\"}");
            assert_eq!(status, ORDO_STATUS_INTERNAL);
            let value: serde_json::Value = serde_json::from_str(&response).unwrap();
            assert_eq!(value["error"]["code"], "internal");
            assert_eq!(value["error"]["kind"], "internal");
            let message = value["error"]["message"].as_str().unwrap();
            assert!(message.contains("a bug deep inside"), "{message}");
            assert_eq!(last, message);
        }
    }

    #[test]
    fn version_is_the_crate_version() {
        // SAFETY: a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr(ordo_version()) };
        assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(ordo_api_version(), ordo_api::ORDO_API_VERSION);
    }
}
