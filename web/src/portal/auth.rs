//! `GET/POST /signin`, `POST /signout`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Extension, Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use ordo_core::store::Store;

use crate::form::{self, Fields, Outcome};
use crate::layout::{respond, see_other};
use crate::signin::{self, Side};
use crate::state::WebState;
use crate::{cookies, csrf};

use super::{Visitor, page, visitor};

/// `GET /signin`.
pub(crate) async fn form<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    render(&visitor, &Outcome::default(), StatusCode::OK)
}

fn render(visitor: &Visitor, outcome: &Outcome, status: StatusCode) -> Response {
    let body = html! {
        h1 { "Sign in" }
        (form::sign_in(outcome, &visitor.csrf, "/signin"))
        p { "New here? " a href="/register" { "Create an account" } }
    };
    respond(status, page("Sign in", visitor, body))
}

/// `POST /signin`.
pub(crate) async fn sign_in<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let login = fields.get("login").cloned().unwrap_or_default();
    let password = fields.get("password").cloned().unwrap_or_default();
    match signin::sign_in(&web, peer.ip(), Side::Portal, login, password).await {
        Ok(set) => see_other("/", set),
        Err(error) => {
            let visitor = visitor(&web, &headers, &token).await;
            let mut input = fields;
            input.remove("password");
            let status = form::status_of(&error);
            let outcome = Outcome {
                form: "signin".to_string(),
                input,
                error: Some(error),
            };
            render(&visitor, &outcome, status)
        }
    }
}

/// `POST /signout`.
pub(crate) async fn sign_out<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    headers: HeaderMap,
) -> Response {
    let token = cookies::get(&headers, cookies::PORTAL);
    let set = signin::sign_out(&web, Side::Portal, token.as_deref()).await;
    see_other("/", set)
}
