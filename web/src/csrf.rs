//! CSRF: every form carries a token, and every state-changing request (anything but
//! GET/HEAD) is refused with 403 before any handler runs unless its form's `csrf` field
//! is the token of the visitor's `ordo_csrf` cookie.
//!
//! The token is `HMAC-SHA256(process key, nonce)` where the nonce is a random value in an
//! `HttpOnly`, `SameSite=Lax` cookie: another site can neither read the cookie nor compute
//! the token without the key. Signing in and out starts a new nonce.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use ordo_core::store::Store;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::cookies;
use crate::state::WebState;

/// The largest form body accepted.
pub(crate) const MAX_FORM_BYTES: usize = 64 * 1024;

/// The name of the hidden field every form carries.
pub(crate) const FIELD: &str = "csrf";

/// The token the page's forms carry (a request extension the guard sets).
#[derive(Debug, Clone)]
pub(crate) struct Token(pub(crate) String);

/// SHA-256 of `bytes`.
pub(crate) fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// `bytes` as lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random nonce (hex), `None` without OS randomness.
pub(crate) fn nonce() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex(&bytes))
}

/// The token of `nonce` under `key`.
pub(crate) fn token(key: &[u8; 32], nonce: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(nonce.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        // Unreachable (HMAC takes any key length); a token nobody can match.
        Err(_) => String::new(),
    }
}

/// Whether `given` is the token of `nonce` (constant time).
pub(crate) fn valid(key: &[u8; 32], nonce: &str, given: &str) -> bool {
    let expected = token(key, nonce);
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// The middleware: checks POSTs, hands pages their token, sets the nonce cookie when the
/// visitor has none.
pub(crate) async fn guard<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    request: Request,
    next: Next,
) -> Response {
    let existing = cookies::get(request.headers(), cookies::CSRF);
    let safe = matches!(*request.method(), Method::GET | Method::HEAD);
    if !safe {
        let Some(nonce) = existing else {
            return refused();
        };
        let (parts, body) = request.into_parts();
        let Ok(collected) = http_body_util::Limited::new(body, MAX_FORM_BYTES)
            .collect()
            .await
        else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "form too large\n").into_response();
        };
        let bytes = collected.to_bytes();
        let given = form_urlencoded::parse(&bytes)
            .find(|(name, _)| name == FIELD)
            .map(|(_, value)| value.into_owned());
        if !given.is_some_and(|given| valid(&web.csrf_key, &nonce, &given)) {
            return refused();
        }
        let mut request = Request::from_parts(parts, Body::from(bytes));
        request
            .extensions_mut()
            .insert(Token(token(&web.csrf_key, &nonce)));
        return next.run(request).await;
    }
    let (nonce, fresh) = match existing {
        Some(nonce) => (nonce, false),
        None => match nonce() {
            Some(nonce) => (nonce, true),
            None => {
                return (StatusCode::SERVICE_UNAVAILABLE, "no randomness\n").into_response();
            }
        },
    };
    let mut request = request;
    request
        .extensions_mut()
        .insert(Token(token(&web.csrf_key, &nonce)));
    let mut response = next.run(request).await;
    if fresh && let Some(cookie) = cookies::set(cookies::CSRF, &nonce, web.secure_cookies) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The answer to a state-changing request without a valid token: nothing was done.
fn refused() -> Response {
    let page = crate::layout::bare(
        "Form expired",
        maud::html! {
            h1 { "This form has expired" }
            p { "Nothing was changed. Go back, reload the page and try again." }
        },
    );
    (StatusCode::FORBIDDEN, page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_valid_only_for_its_nonce_and_key() {
        let key = [7u8; 32];
        let t = token(&key, "abc");
        assert_eq!(t.len(), 64);
        assert!(valid(&key, "abc", &t));
        assert!(!valid(&key, "abd", &t));
        assert!(!valid(&[8u8; 32], "abc", &t));
        assert!(!valid(&key, "abc", ""));
        assert_ne!(nonce(), nonce());
    }
}
