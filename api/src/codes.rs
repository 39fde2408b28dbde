//! The stable code and field of an engine error, as the wire reports them: ordo-core's own
//! (`Error::code`, `Error::field`, listed in `docs/errors.md`).

use ordo_core::error::Error;

/// The stable snake_case code of `error`.
pub fn code(error: &Error) -> &'static str {
    error.code()
}

/// The input field `error` is about, if any.
pub fn field(error: &Error) -> Option<&str> {
    error.field()
}
