//! `X-Twilio-Signature`: proof that a form-encoded webhook (inbound message, status
//! callback) comes from Twilio.
//!
//! Twilio signs `url + name1 + value1 + name2 + value2 + …` with HMAC-SHA1 keyed by the
//! account's auth token and sends the base64 of the MAC. The URL is the full URL Twilio
//! called (scheme, host, port if written, path, query); the parameters are every POST
//! parameter received, sorted by name and, for a repeated name, by value (byte order,
//! which is code-point order), duplicates included. Twilio adds parameters without
//! notice, so callers pass everything they received.
//!
//! Twilio's own validators accept a signature made over the URL with or without the
//! scheme's default port (`https://host:443/…` and `https://host/…`), because its
//! backends are not consistent about it; [`verify`] does the same, for the default port
//! only (dropping any other port would accept a signature made for a different URL).
//!
//! The auth token is a secret: nothing here logs it or puts it in an error.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// The signature Twilio would send for a request to `url` with these POST parameters:
/// base64 of HMAC-SHA1(`auth_token`, `url` + each name and value, sorted).
pub fn expected(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    match mac_over(auth_token, url, params) {
        Some(mac) => BASE64.encode(mac.finalize().into_bytes()),
        None => String::new(),
    }
}

/// Whether `header` (the `X-Twilio-Signature` value) signs `url` and `params` with
/// `auth_token`, the URL also tried with and without its default port. Compares in
/// constant time. A missing header, one that is not base64, or an empty auth token (with
/// which anyone could sign) is `false`.
pub fn verify(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> bool {
    if auth_token.is_empty() {
        return false;
    }
    let Some(signature) = header.and_then(|header| BASE64.decode(header.trim()).ok()) else {
        return false;
    };
    url_variants(url).iter().any(|candidate| {
        mac_over(auth_token, candidate, params)
            .is_some_and(|mac| mac.verify_slice(&signature).is_ok())
    })
}

/// The URL Twilio signs for a request to `path_and_query` (`/sms/inbound?x=1`) on a server
/// whose externally visible base is `public_url` (`https://shop.example`, with an optional
/// port; trailing slashes ignored).
pub fn url_for(public_url: &str, path_and_query: &str) -> String {
    let base = public_url.trim_end_matches('/');
    if path_and_query.starts_with('/') {
        format!("{base}{path_and_query}")
    } else {
        format!("{base}/{path_and_query}")
    }
}

/// The MAC over the URL and the sorted parameters; `None` only if the HMAC refused the
/// key, which HMAC never does (it takes keys of any length).
fn mac_over(auth_token: &str, url: &str, params: &[(String, String)]) -> Option<HmacSha1> {
    let mut mac = HmacSha1::new_from_slice(auth_token.as_bytes()).ok()?;
    mac.update(url.as_bytes());
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    Some(mac)
}

/// `url` itself, and — for `http`/`https` — the same URL with its default port added (if
/// it names no port) or removed (if it names the default one).
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    if let Some(other) = toggled_default_port(url) {
        variants.push(other);
    }
    variants
}

/// The other spelling of `url` with respect to its scheme's default port, if it has one.
fn toggled_default_port(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return None,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    // The host and port follow any `user:password@`.
    let host_start = authority.rfind('@').map_or(0, |at| at + 1);
    let (user_info, host_port) = authority.split_at(host_start);
    // An IPv6 literal (`[::1]`) has colons of its own; a port comes after its `]`.
    let host_end = if host_port.starts_with('[') {
        host_port
            .find(']')
            .map_or(host_port.len(), |close| close + 1)
    } else {
        host_port.find(':').unwrap_or(host_port.len())
    };
    let (host, port) = host_port.split_at(host_end);
    let toggled_port = if port.is_empty() {
        default_port
    } else if port == default_port {
        ""
    } else {
        return None;
    };
    Some(format!("{scheme}://{user_info}{host}{toggled_port}{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    /// Twilio's documented example (INTEGRATIONS.md), given out of order on purpose.
    fn documented_params() -> Vec<(String, String)> {
        params(&[
            ("To", "+18005551212"),
            ("CallSid", "CA1234567890ABCDE"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("Caller", "+12349013030"),
        ])
    }

    const DOCUMENTED_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const DOCUMENTED_SIGNATURE: &str = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    #[test]
    fn the_documented_test_vector_signs_and_verifies() {
        assert_eq!(
            expected("12345", DOCUMENTED_URL, &documented_params()),
            DOCUMENTED_SIGNATURE
        );
        assert!(verify(
            "12345",
            DOCUMENTED_URL,
            &documented_params(),
            Some(DOCUMENTED_SIGNATURE)
        ));
    }

    #[test]
    fn anything_changed_fails() {
        let good = documented_params();
        let signature = Some(DOCUMENTED_SIGNATURE);
        assert!(!verify("12346", DOCUMENTED_URL, &good, signature));
        assert!(!verify(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            &good,
            signature
        ));
        let mut changed = good.clone();
        changed[0].1 = "+18005551213".into();
        assert!(!verify("12345", DOCUMENTED_URL, &changed, signature));
        let mut added = good.clone();
        added.push(("Body".into(), "hi".into()));
        assert!(!verify("12345", DOCUMENTED_URL, &added, signature));
        let mut removed = good.clone();
        removed.pop();
        assert!(!verify("12345", DOCUMENTED_URL, &removed, signature));
        assert!(!verify("12345", DOCUMENTED_URL, &good, None));
        assert!(!verify("12345", DOCUMENTED_URL, &good, Some("")));
        assert!(!verify("12345", DOCUMENTED_URL, &good, Some("not base64!")));
        assert!(!verify(
            "12345",
            DOCUMENTED_URL,
            &good,
            Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ")
        ));
    }

    #[test]
    fn a_vector_computed_independently() {
        // The same parameters on another URL, signed with Python's `hmac` module.
        assert_eq!(
            expected("12345", "https://example.com/myapp", &documented_params()),
            "NGAgWNhdnsLF8j385frvrQoi9sg="
        );
    }

    #[test]
    fn an_empty_token_never_verifies() {
        let signature = expected("", DOCUMENTED_URL, &documented_params());
        assert!(!verify(
            "",
            DOCUMENTED_URL,
            &documented_params(),
            Some(&signature)
        ));
    }

    #[test]
    fn repeated_keys_are_all_signed_sorted_by_value() {
        let token = "secret";
        let url = "https://shop.example/sms/status";
        let given = params(&[
            ("MediaUrl", "b"),
            ("Body", "x"),
            ("MediaUrl", "a"),
            ("MediaUrl", "a"),
        ]);
        // Sorted by name, then value, duplicates kept: Body x, MediaUrl a, a, b.
        let mut mac = HmacSha1::new_from_slice(token.as_bytes()).unwrap();
        mac.update(format!("{url}BodyxMediaUrlaMediaUrlaMediaUrlb").as_bytes());
        let by_hand = BASE64.encode(mac.finalize().into_bytes());
        assert_eq!(expected(token, url, &given), by_hand);
        assert!(verify(token, url, &given, Some(&by_hand)));
        // Dropping the duplicate changes the signature.
        let deduplicated = params(&[("MediaUrl", "b"), ("Body", "x"), ("MediaUrl", "a")]);
        assert!(!verify(token, url, &deduplicated, Some(&by_hand)));
    }

    #[test]
    fn the_default_port_may_be_written_or_not() {
        let p = documented_params();
        let without = expected("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &p);
        let with = expected(
            "12345",
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            &p,
        );
        assert_ne!(without, with);
        for url in [
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
        ] {
            assert!(verify("12345", url, &p, Some(&without)), "{url}");
            assert!(verify("12345", url, &p, Some(&with)), "{url}");
        }
        let http = expected("t", "http://[::1]/sms", &p);
        assert!(verify("t", "http://[::1]:80/sms", &p, Some(&http)));
        let http = expected("t", "http://user:pw@host:80?x=1", &p);
        assert!(verify("t", "http://user:pw@host?x=1", &p, Some(&http)));
    }

    #[test]
    fn another_port_or_scheme_is_not_tolerated() {
        let p = documented_params();
        let on_8443 = expected("t", "https://host:8443/sms", &p);
        assert!(!verify("t", "https://host/sms", &p, Some(&on_8443)));
        let on_443 = expected("t", "https://host:443/sms", &p);
        assert!(!verify("t", "https://host:8443/sms", &p, Some(&on_443)));
        // 80 is not https's default.
        let on_80 = expected("t", "https://host:80/sms", &p);
        assert!(!verify("t", "https://host/sms", &p, Some(&on_80)));
        let plain = expected("t", "http://host/sms", &p);
        assert!(!verify("t", "https://host/sms", &p, Some(&plain)));
    }

    #[test]
    fn port_toggling_spells_urls_as_twilio_does() {
        assert_eq!(
            toggled_default_port("https://a.example/x?y=1").as_deref(),
            Some("https://a.example:443/x?y=1")
        );
        assert_eq!(
            toggled_default_port("HTTP://a.example:80").as_deref(),
            Some("HTTP://a.example")
        );
        assert_eq!(
            toggled_default_port("https://[2001:db8::1]:443/x").as_deref(),
            Some("https://[2001:db8::1]/x")
        );
        assert_eq!(toggled_default_port("https://a.example:8443/x"), None);
        assert_eq!(toggled_default_port("ftp://a.example/x"), None);
        assert_eq!(toggled_default_port("no scheme"), None);
    }

    #[test]
    fn url_for_joins_base_and_path() {
        assert_eq!(
            url_for("https://shop.example", "/sms/inbound"),
            "https://shop.example/sms/inbound"
        );
        assert_eq!(
            url_for("https://shop.example:8443/", "/sms/status?a=1"),
            "https://shop.example:8443/sms/status?a=1"
        );
        assert_eq!(
            url_for("http://127.0.0.1:8080", "sms"),
            "http://127.0.0.1:8080/sms"
        );
    }
}
