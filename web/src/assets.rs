//! Static files, compiled into the binary.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use ordo_core::store::Store;

use crate::state::WebState;

/// The one stylesheet (phone-first, no framework).
const CSS: &[u8] = include_bytes!("assets/ordo.css");

/// `GET /static/ordo.css`.
pub(crate) fn routes<S: Store + Send + Sync + 'static>() -> Router<WebState<S>> {
    Router::new().route("/static/ordo.css", get(css))
}

async fn css() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        CSS,
    )
}
