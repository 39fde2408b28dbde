//! `ordo_last_error`: the message of the last failed call, per thread.

use std::cell::RefCell;
use std::ffi::{CString, c_char};

thread_local! {
    /// The last error on this thread; empty after a success.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as this thread's last error (a NUL inside it ends it).
pub(crate) fn set(message: &str) {
    let text = message.split('\0').next().unwrap_or_default();
    let text = CString::new(text).unwrap_or_default();
    // `try_with` fails only while the thread is being torn down: nothing to record then.
    let _ = LAST_ERROR.try_with(|last| *last.borrow_mut() = text);
}

/// Records that the last call succeeded.
pub(crate) fn clear() {
    let _ = LAST_ERROR.try_with(|last| *last.borrow_mut() = CString::default());
}

/// This thread's last error. The pointer stays valid until the next [`set`] or [`clear`]
/// on this thread: the string's buffer lives in the thread-local until it is replaced.
pub(crate) fn get() -> *const c_char {
    LAST_ERROR
        .try_with(|last| last.borrow().as_ptr())
        .unwrap_or(c"".as_ptr())
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn read() -> String {
        // SAFETY: `get` returns a NUL-terminated string valid until the next set/clear.
        unsafe { CStr::from_ptr(get()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn set_clear_and_threads_apart() {
        set("first\0hidden");
        assert_eq!(read(), "first");
        std::thread::spawn(|| assert_eq!(read(), ""))
            .join()
            .unwrap();
        clear();
        assert_eq!(read(), "");
    }
}
