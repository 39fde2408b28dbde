//! The pure parts of the HTTP front: the status table and the `Authorization` header.
//! The server itself is tested end to end on the `ordo` binary (`cli/tests/cli/serve.rs`).

use super::*;
use ordo_core::AuthFailure;
use ordo_core::error::{EntityKind, Error};
use ordo_core::store::StoreError;

fn status_of(error: &Error) -> u16 {
    http_status(&Response::error(ApiError::from_engine(error), None)).as_u16()
}

#[test]
fn every_kind_has_its_http_status() {
    assert_eq!(
        http_status(&Response::ok(serde_json::json!({}), None)).as_u16(),
        200
    );
    let bad = ApiError::bad_request("unknown_op", "no");
    assert_eq!(http_status(&Response::error(bad, None)).as_u16(), 400);
    let large = ApiError::bad_request("request_too_large", "no");
    assert_eq!(http_status(&Response::error(large, None)).as_u16(), 413);
    assert_eq!(
        status_of(&Error::invalid("quantity", "must be at least 1")),
        422
    );
    assert_eq!(
        status_of(&Error::not_found(EntityKind::Order, "ORD-1")),
        404
    );
    assert_eq!(status_of(&Error::Conflict), 409);
    assert_eq!(status_of(&Error::RateLimited { retry_after_ms: 10 }), 429);
    assert_eq!(
        status_of(&Error::Unauthenticated(AuthFailure::SessionEnded)),
        401
    );
    assert_eq!(
        status_of(&Error::Forbidden {
            role: "guest".into(),
            operation: "manage products".into()
        }),
        403
    );
    assert_eq!(status_of(&Error::Internal("bug".into())), 500);
    assert_eq!(
        status_of(&Error::Storage(StoreError::Io("disk".into()))),
        500
    );
    assert_eq!(
        status_of(&Error::Storage(StoreError::Locked("in use".into()))),
        409
    );
}

#[test]
fn only_a_well_formed_bearer_header_carries_a_session() {
    let headers = |value: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    };
    assert_eq!(bearer(&HeaderMap::new()), Ok(None));
    assert_eq!(bearer(&headers("Bearer abc123")), Ok(Some("abc123".into())));
    assert_eq!(
        bearer(&headers("bearer  abc123 ")),
        Ok(Some("abc123".into()))
    );
    for bad in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "abc123",
        "Bearer a b",
    ] {
        let refused = bearer(&headers(bad)).unwrap_err();
        assert_eq!(
            (refused.code.as_str(), refused.kind.as_str()),
            ("invalid_token", "unauthenticated"),
            "{bad}"
        );
    }
}

#[test]
fn only_logins_and_registrations_are_counted() {
    assert_eq!(scope_of(Some("session.login")), Some(RateScope::Login));
    for op in [
        "customer.register",
        "customer.resend_code",
        "customer.verify",
    ] {
        assert_eq!(scope_of(Some(op)), Some(RateScope::Registration), "{op}");
    }
    assert_eq!(scope_of(Some("order.get")), None);
    assert_eq!(scope_of(None), None);
}
