//! What HTTP and the admin socket share: putting a session into a request, the
//! contract's errors for what the service itself refuses, and running a request on the
//! pool.
//!
//! Both fronts hand the request's text to `ordo_api::execute_json`, as the C API does, so
//! parsing, limits and every answer are the contract's own. The service only adds the
//! session it received beside the request (a bearer token, the socket's `session`).

use ordo_api::{ApiError, Caller, Response};
use ordo_core::AuthFailure;
use ordo_core::error::Error;
use ordo_core::store::Store;
use serde_json::{Map, Value};

use crate::pool::{EnginePool, PoolError};

/// A request's JSON object, if it is one (anything else goes to `execute_json` as it
/// came, which answers with the contract's `malformed_request`).
pub(crate) fn object(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Some(map),
        Ok(_) | Err(_) => None,
    }
}

/// The op a request names, if it is one of the contract's (so logs never carry text a
/// caller chose).
pub(crate) fn op_of(request: &Map<String, Value>) -> Option<&'static str> {
    let op = request.get("op")?.as_str()?;
    ordo_api::OPS.iter().copied().find(|known| *known == op)
}

/// `request` carrying `session` (from outside the request: a bearer token, the socket
/// envelope), as text for `execute_json`.
///
/// # Errors
/// `malformed_request` if the request already names a different session.
pub(crate) fn with_session(
    mut request: Map<String, Value>,
    session: Option<&str>,
) -> Result<String, ApiError> {
    if let Some(token) = session {
        match request.get("session") {
            Some(Value::String(inner)) if inner == token => {}
            Some(Value::Null) | None => {}
            Some(_) => {
                return Err(ApiError::bad_request(
                    "malformed_request",
                    "the request names a session and another one is given beside it; give one",
                ));
            }
        }
        request.insert("session".to_string(), Value::String(token.to_string()));
    }
    serde_json::to_string(&request)
        .map_err(|e| ApiError::bad_request("malformed_request", format!("not a request: {e}")))
}

/// The contract's answer to a token that is not one (a malformed `Authorization`
/// header).
pub(crate) fn invalid_token() -> ApiError {
    ApiError::from_engine(&Error::Unauthenticated(AuthFailure::InvalidToken))
}

/// The contract's answer when the service could not run a request (shutting down, or a
/// bug caught on the blocking pool).
pub(crate) fn unavailable(error: &PoolError) -> ApiError {
    ApiError::from_engine(&Error::Internal(error.to_string()))
}

/// Runs the request `json` as `caller` on the pool: the contract's response, always.
pub(crate) async fn execute<S: Store + Send + Sync + 'static>(
    pool: &EnginePool<S>,
    caller: Caller,
    json: String,
) -> Response {
    match pool
        .run(move |engine| ordo_api::execute_json(engine, &caller, &json))
        .await
    {
        Ok(response) => response,
        Err(error) => Response::error(unavailable(&error), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_beside_the_request_is_put_into_it_once() {
        let request = object(r#"{"op": "order.get", "args": {"id": 1}}"#).unwrap();
        assert_eq!(op_of(&request), Some("order.get"));
        let merged: Value =
            serde_json::from_str(&with_session(request.clone(), Some("t1")).unwrap()).unwrap();
        assert_eq!(merged["session"], "t1");
        assert_eq!(merged["args"]["id"], 1);
        let same = object(r#"{"op": "order.get", "session": "t1"}"#).unwrap();
        assert!(with_session(same, Some("t1")).is_ok());
        let other = object(r#"{"op": "order.get", "session": "t2"}"#).unwrap();
        assert_eq!(
            with_session(other, Some("t1")).unwrap_err().code,
            "malformed_request"
        );
        let unchanged = object(r#"{"op": "nope.nope"}"#).unwrap();
        assert_eq!(op_of(&unchanged), None);
        assert_eq!(
            with_session(unchanged, None).unwrap(),
            r#"{"op":"nope.nope"}"#
        );
        assert_eq!(object("[1]"), None);
    }
}
