//! `GET/POST /console/signin`, `POST /console/signout`.

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

use super::guest_page;

/// `GET /console/signin`.
pub(crate) async fn form(Extension(token): Extension<csrf::Token>) -> Response {
    render(&token.0, &Outcome::default(), StatusCode::OK)
}

fn render(csrf: &str, outcome: &Outcome, status: StatusCode) -> Response {
    let body = html! {
        h1 { "Staff sign-in" }
        (form::sign_in(outcome, csrf, "/console/signin"))
    };
    respond(status, guest_page("Sign in", csrf, body))
}

/// `POST /console/signin`.
pub(crate) async fn sign_in<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(token): Extension<csrf::Token>,
    Form(fields): Form<Fields>,
) -> Response {
    let login = fields.get("login").cloned().unwrap_or_default();
    let password = fields.get("password").cloned().unwrap_or_default();
    match signin::sign_in(&web, peer.ip(), Side::Console, login, password).await {
        Ok(set) => see_other("/console", set),
        Err(error) => {
            let mut input = fields;
            input.remove("password");
            let status = form::status_of(&error);
            let outcome = Outcome {
                form: "signin".to_string(),
                input,
                error: Some(error),
            };
            render(&token.0, &outcome, status)
        }
    }
}

/// `POST /console/signout`.
pub(crate) async fn sign_out<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    headers: HeaderMap,
) -> Response {
    let token = cookies::get(&headers, cookies::CONSOLE);
    let set = signin::sign_out(&web, Side::Console, token.as_deref()).await;
    see_other("/console/signin", set)
}
