//! The one way a web handler reaches the engine: `ordo_api::execute` on the service's
//! pool, as a remote caller with the visitor's session (a guest without one).

use ordo_api::views::WhoView;
use ordo_api::{ApiError, Caller, Outcome, Request};
use ordo_core::store::Store;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::state::WebState;

/// Runs `request` as `session` and returns the view it produced.
///
/// # Errors
/// The contract's error: the engine's refusal, or `unavailable` when the service is
/// shutting down.
pub(crate) async fn value<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    session: Option<&str>,
    request: Request,
) -> Result<Value, ApiError> {
    let session = session.map(str::to_string);
    let answered = web
        .app
        .pool
        .run(move |engine| {
            ordo_api::execute(engine, &Caller::Remote, session.as_deref(), request, None)
        })
        .await;
    match answered {
        Ok(response) => match response.outcome {
            Outcome::Ok(value) => Ok(value),
            Outcome::Error(error) => Err(error),
        },
        Err(error) => Err(ApiError {
            code: "unavailable".to_string(),
            kind: "internal".to_string(),
            field: None,
            message: format!("the service cannot answer now: {error}"),
        }),
    }
}

/// [`value`], read as the view type `T`.
///
/// # Errors
/// As [`value`]; `internal` if the view does not have `T`'s shape (a bug).
pub(crate) async fn view<S: Store + Send + Sync + 'static, T: DeserializeOwned>(
    web: &WebState<S>,
    session: Option<&str>,
    request: Request,
) -> Result<T, ApiError> {
    let value = value(web, session, request).await?;
    serde_json::from_value(value).map_err(|e| ApiError {
        code: "internal".to_string(),
        kind: "internal".to_string(),
        field: None,
        message: format!("unexpected view: {e}"),
    })
}

/// A request from its op name and JSON arguments (for forms whose arguments are wire
/// types: money, methods).
///
/// # Errors
/// `invalid_arguments` (bad_request) when the arguments do not fit the op.
pub(crate) fn request(op: &str, args: Value) -> Result<Request, ApiError> {
    serde_json::from_value(serde_json::json!({"op": op, "args": args}))
        .map_err(|e| ApiError::bad_request("invalid_arguments", format!("arguments of {op}: {e}")))
}

/// Who `session` acts as, when it is a live session (`None` for none, an ended or an
/// unknown one).
pub(crate) async fn who<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    session: Option<&str>,
) -> Option<WhoView> {
    let session = session?;
    let who: WhoView = view(
        web,
        Some(session),
        Request::SessionGet(ordo_api::request::Nothing {}),
    )
    .await
    .ok()?;
    (who.role != "guest").then_some(who)
}
