//! ordo-web: the staff console (`/console`) and the customer portal (`/`), served by
//! `ordo serve` beside `POST /api/v1`.
//!
//! Every page and every form goes through `ordo_api::execute` (the one dispatcher) as the
//! signed-in user's session: the engine checks the permission matrix and ownership, the
//! pages only show what it returns. Navigation offers a page only when the role's row of
//! the matrix (`Role::allows`) has it; the engine refuses it anyway if requested.
//!
//! - `state`: [`WebState`], the service's [`AppState`] plus the CSRF key and cookie policy.
//! - `call`: the one way a handler reaches the engine (through the pool, as a session).
//! - `cookies`, `csrf`, `headers`: the security frame (session cookies, a CSRF token on
//!   every form checked before any handler runs, CSP and friends on every response).
//! - `layout`, `assets`: the page frame and the embedded CSS.
//! - `portal`, `console`: one module per page group.

mod assets;
mod call;
mod console;
mod cookies;
mod csrf;
mod form;
mod headers;
mod layout;
mod portal;
mod signin;
mod state;

use axum::Router;
use ordo_bots::http::AppState;
use ordo_core::store::Store;

pub use state::WebState;

/// The web routes (portal at `/`, console at `/console`, assets at `/static/…`) for the
/// service `state`, ready to merge into `ordo_bots::http::router`'s router. Serve with
/// `into_make_service_with_connect_info::<SocketAddr>()`: sign-ins are rate limited per
/// peer like `session.login` on `/api/v1`.
pub fn router<S: Store + Send + Sync + 'static>(state: AppState<S>) -> Router {
    routes(WebState::new(state))
}

/// [`router`] on a given [`WebState`] (tests and benches fix its key).
pub fn routes<S: Store + Send + Sync + 'static>(web: WebState<S>) -> Router {
    Router::new()
        .merge(portal::routes::<S>())
        .nest("/console", console::routes::<S>())
        .merge(assets::routes::<S>())
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            csrf::guard::<S>,
        ))
        .layer(axum::middleware::from_fn(headers::secure))
        .with_state(web)
}

#[cfg(test)]
mod tests;
