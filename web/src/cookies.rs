//! Cookies: reading the `Cookie` header and writing `Set-Cookie` with the flags every
//! cookie of ours carries (`HttpOnly`, `SameSite=Lax`, `Secure` behind https).

use axum::http::{HeaderMap, HeaderValue, header};

/// The customer portal's session cookie (the engine's session token).
pub(crate) const PORTAL: &str = "ordo_portal";
/// The staff console's session cookie (the engine's session token), sent to `/console`
/// only.
pub(crate) const CONSOLE: &str = "ordo_console";
/// The CSRF nonce forms are bound to.
pub(crate) const CSRF: &str = "ordo_csrf";
/// The key of a registration waiting for its code (`portal::pending`), sent to
/// `/register` only. Never the registration handle itself.
pub(crate) const REGISTRATION: &str = "ordo_registration";

/// The path each cookie is sent to.
pub(crate) fn path_of(name: &str) -> &'static str {
    match name {
        CONSOLE => "/console",
        REGISTRATION => "/register",
        _ => "/",
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| {
            !value.is_empty()
                && value.len() <= 256
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
        })
}

/// A `Set-Cookie` value setting `name` to `value` for the browser session.
pub(crate) fn set(name: &str, value: &str, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={}; HttpOnly; SameSite=Lax{secure}",
        path_of(name)
    ))
    .ok()
}

/// A `Set-Cookie` value removing `name`.
pub(crate) fn clear(name: &str, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
        path_of(name)
    ))
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name_and_odd_values_are_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ordo_portal=tok-en_9; b=<x>"),
        );
        assert_eq!(get(&headers, PORTAL).as_deref(), Some("tok-en_9"));
        assert_eq!(get(&headers, "a").as_deref(), Some("1"));
        assert_eq!(get(&headers, "b"), None);
        assert_eq!(get(&headers, CONSOLE), None);
    }

    #[test]
    fn every_cookie_is_http_only_and_same_site_lax_and_secure_behind_https() {
        let plain = set(CONSOLE, "abc", false).unwrap();
        let plain = plain.to_str().unwrap();
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(plain.contains("Path=/console") && !plain.contains("Secure"));
        let secure = set(PORTAL, "abc", true).unwrap();
        assert!(secure.to_str().unwrap().ends_with("; Secure"));
        let gone = clear(PORTAL, true).unwrap();
        assert!(gone.to_str().unwrap().contains("Max-Age=0"));
    }
}
