//! Signing in and out, shared by the portal and the console: `session.login` through the
//! per-peer rate limit of `POST /api/v1`, the session token into an `HttpOnly` cookie, a
//! new CSRF nonce; signing out ends the engine's session and clears both.

use std::net::IpAddr;

use axum::http::HeaderValue;
use ordo_api::request::{Login, Logout};
use ordo_api::views::SessionView;
use ordo_api::{ApiError, Outcome, Request};
use ordo_core::store::Store;

use crate::state::WebState;
use crate::{call, cookies, csrf};

/// Which side a sign-in is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Customers only.
    Portal,
    /// Staff only.
    Console,
}

impl Side {
    fn cookie(self) -> &'static str {
        match self {
            Side::Portal => cookies::PORTAL,
            Side::Console => cookies::CONSOLE,
        }
    }

    fn admits(self, role: &str) -> bool {
        match self {
            Side::Portal => role == "customer",
            Side::Console => role != "customer" && role != "guest",
        }
    }
}

/// Signs `login` in for `side`; the cookies to set on success.
///
/// # Errors
/// The rate limit's `rate_limited`, the engine's refusal (bad credentials, lockout), or
/// `wrong_side` for a staff login on the portal or a customer login on the console (whose
/// session is ended at once).
pub(crate) async fn sign_in<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    peer: IpAddr,
    side: Side,
    login: String,
    password: String,
) -> Result<Vec<HeaderValue>, ApiError> {
    if let Some(refused) = ordo_bots::http::limit(&web.app, peer, Some("session.login")).await {
        return Err(match refused.outcome {
            Outcome::Error(error) => error,
            Outcome::Ok(_) => ApiError::bad_request("rate_limited", "try again later"),
        });
    }
    let session: SessionView =
        call::view(web, None, Request::SessionLogin(Login { login, password })).await?;
    if !side.admits(&session.role) {
        let _ = call::value(
            web,
            Some(&session.token),
            Request::SessionLogout(Logout { token: None }),
        )
        .await;
        let message = match side {
            Side::Portal => "this is the customers' sign-in: staff sign in at /console",
            Side::Console => "this is the staff sign-in: customers sign in at /signin",
        };
        return Err(ApiError {
            code: "wrong_side".to_string(),
            kind: "forbidden".to_string(),
            field: Some("login".to_string()),
            message: message.to_string(),
        });
    }
    let secure = web.secure_cookies;
    let mut set = Vec::new();
    set.extend(cookies::set(side.cookie(), &session.token, secure));
    if let Some(nonce) = csrf::nonce() {
        set.extend(cookies::set(cookies::CSRF, &nonce, secure));
    }
    Ok(set)
}

/// Ends `token`'s session (if any) and returns the cookies that forget it.
pub(crate) async fn sign_out<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    side: Side,
    token: Option<&str>,
) -> Vec<HeaderValue> {
    if let Some(token) = token {
        // An ended or unknown session is signed out already.
        let _ = call::value(
            web,
            Some(token),
            Request::SessionLogout(Logout { token: None }),
        )
        .await;
    }
    let secure = web.secure_cookies;
    let mut set = Vec::new();
    set.extend(cookies::clear(side.cookie(), secure));
    if let Some(nonce) = csrf::nonce() {
        set.extend(cookies::set(cookies::CSRF, &nonce, secure));
    }
    set
}
