//! # ordo-api
//!
//! The one wire contract every front of ordo speaks: the command line (`--json`), the C
//! API, HTTP (`POST /api/v1`) and the socket between `ordo` and a running `ordo serve`.
//!
//! - [`Request`]: one serde enum covering every engine operation, tagged `{"op":
//!   "noun.verb", "args": {…}}`; op names are the public contract.
//! - [`Response`]: `{"ok": …}` with a view (no secrets) or `{"error": {"code", "kind",
//!   "field", "message"}}`, echoing the request's `extra`; [`Response::status`] is the number
//!   every front shares (0 ok, 1 internal, 2 bad request, 3 validation or rule, 4 not found,
//!   5 conflict, 6 unauthenticated or forbidden).
//! - [`execute`]: the only place that maps requests to engine calls.
//!
//! Who calls is never part of a request body: the embedding process is a [`Caller`] (the
//! local administrator under a name it gives, or a remote caller who is a guest), and a
//! request may carry `"session": "<token>"` to act as a signed-in customer or staff user.

pub mod notifications;
pub mod report_views;
pub mod views;

/// The version of this contract. A breaking change (an op or field removed or renamed, a
/// field's type or meaning changed, an error code changed) bumps it; adding ops, optional
/// request fields, response fields and error codes does not.
pub const ORDO_API_VERSION: u32 = 1;

mod dispatch;
pub mod request;
pub mod response;
pub mod return_args;

pub use dispatch::{Caller, MAX_REQUEST_BYTES, execute, execute_json};
pub use request::{OPS, Request};
pub use response::{ApiError, Outcome, Response};
