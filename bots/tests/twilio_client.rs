//! The Twilio REST client against the fake Twilio server: one call is one request, and
//! every way a send can end is sorted as the dispatcher needs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Form, Router};
use ordo_bots::sms::signature;
use ordo_bots::sms::twilio::{MessageStatus, SendError, TwilioClient};
use support::fake_twilio::{FakeTwilio, RecordedMessage, Reply};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "f00dfeedf00dfeedf00dfeedf00dfeed";
const FROM: &str = "+15550001111";
const TO: &str = "+15551234567";

async fn fake() -> FakeTwilio {
    FakeTwilio::start(SID, TOKEN).await
}

fn client(twilio: &FakeTwilio) -> TwilioClient {
    TwilioClient::new(twilio.config(FROM)).unwrap()
}

#[tokio::test]
async fn a_message_is_sent_and_recorded() {
    let twilio = fake().await;
    let mut config = twilio.config(FROM);
    config.status_callback = Some("https://shop.example/sms/status".into());
    let client = TwilioClient::new(config).unwrap();

    let sent = client
        .send(TO, "ORD-7K3M-9QX1 has shipped 📦")
        .await
        .unwrap();

    assert!(
        sent.sid.starts_with("SM") && sent.sid.len() == 34,
        "{}",
        sent.sid
    );
    assert_eq!(sent.status, MessageStatus::Queued);
    assert_eq!(sent.num_segments, Some(1));
    assert_eq!(
        twilio.messages(),
        vec![RecordedMessage {
            sid: sent.sid.clone(),
            to: TO.into(),
            from: Some(FROM.into()),
            messaging_service_sid: None,
            body: "ORD-7K3M-9QX1 has shipped 📦".into(),
            status_callback: Some("https://shop.example/sms/status".into()),
        }]
    );
    assert_eq!(twilio.requests(), 1);

    let long = client.send(TO, &"a".repeat(400)).await.unwrap();
    assert_eq!(long.num_segments, Some(3));
    assert_ne!(long.sid, sent.sid);
    assert_eq!(twilio.messages().len(), 2);
    assert_eq!(twilio.requests(), 2);
}

#[tokio::test]
async fn a_messaging_service_sends_as_messaging_service_sid() {
    let twilio = fake().await;
    let service = "MG0123456789abcdef0123456789abcdef";
    let client = TwilioClient::new(twilio.config(service)).unwrap();
    let sent = client.send(TO, "hello").await.unwrap();
    assert_eq!(sent.status, MessageStatus::Accepted);
    let recorded = twilio.messages();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].from, None);
    assert_eq!(recorded[0].messaging_service_sid.as_deref(), Some(service));
    assert_eq!(recorded[0].status_callback, None);
}

#[tokio::test]
async fn server_errors_are_retryable_and_the_client_does_not_retry_by_itself() {
    let twilio = fake().await;
    twilio.fail_next(2, Reply::ServerError);
    twilio.fail_next(1, Reply::Unavailable);
    let client = client(&twilio);

    for attempt in 1..=3 {
        let error = client.send(TO, "hello").await.unwrap_err();
        assert!(
            matches!(
                error,
                SendError::Retryable {
                    retry_after: None,
                    ..
                }
            ),
            "{error:?}"
        );
        // One call, one request: retries are the dispatcher's.
        assert_eq!(twilio.requests(), attempt);
        assert!(twilio.messages().is_empty());
    }
    let sent = client.send(TO, "hello").await.unwrap();
    assert_eq!(twilio.requests(), 4);
    let recorded = twilio.messages();
    assert_eq!(recorded.len(), 1, "exactly one message went out");
    assert_eq!(recorded[0].sid, sent.sid);
}

#[tokio::test]
async fn too_many_requests_is_retryable_with_twilios_wait() {
    let twilio = fake().await;
    twilio.fail_next(
        1,
        Reply::TooManyRequests {
            retry_after_secs: 7,
        },
    );
    let client = client(&twilio);
    let error = client.send(TO, "hello").await.unwrap_err();
    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(twilio.requests(), 1);
    assert!(twilio.messages().is_empty());
    client.send(TO, "hello").await.unwrap();
    assert_eq!(twilio.messages().len(), 1);
}

#[tokio::test]
async fn an_invalid_number_is_permanent() {
    let twilio = fake().await;
    twilio.fail_next(
        1,
        Reply::Error {
            status: 400,
            code: 21211,
        },
    );
    let error = client(&twilio).send("+1555", "hello").await.unwrap_err();
    assert_eq!(
        error,
        SendError::Permanent {
            status: 400,
            code: Some(21211),
            message: "Invalid 'To' Phone Number".into(),
        }
    );
    assert!(!error.is_retryable());
    assert_eq!(twilio.requests(), 1);
    assert!(twilio.messages().is_empty());
}

#[tokio::test]
async fn an_opted_out_recipient_is_reported_as_such() {
    let twilio = fake().await;
    twilio.fail_next(
        1,
        Reply::Error {
            status: 400,
            code: 21610,
        },
    );
    let error = client(&twilio).send(TO, "hello").await.unwrap_err();
    assert_eq!(error, SendError::OptedOut);
    assert_eq!(twilio.requests(), 1);
    assert!(twilio.messages().is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_permanent() {
    let twilio = fake().await;
    let mut config = twilio.config(FROM);
    config.auth_token = "wrong-token-wrong-token".into();
    let error = TwilioClient::new(config)
        .unwrap()
        .send(TO, "hello")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SendError::Permanent {
                status: 401,
                code: Some(20003),
                ..
            }
        ),
        "{error:?}"
    );
    // Another account's SID with this account's token is refused the same way.
    let mut config = twilio.config(FROM);
    config.account_sid = "AC00000000000000000000000000000000".into();
    let error = TwilioClient::new(config)
        .unwrap()
        .send(TO, "hello")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SendError::Permanent { status: 401, .. }),
        "{error:?}"
    );
    assert_eq!(twilio.requests(), 2);
    assert!(twilio.messages().is_empty());
}

#[tokio::test]
async fn a_timeout_is_retryable() {
    let twilio = fake().await;
    twilio.fail_next(1, Reply::Hang(Duration::from_secs(10)));
    let mut config = twilio.config(FROM);
    config.timeout = Duration::from_millis(300);
    let client = TwilioClient::new(config).unwrap();

    let started = Instant::now();
    let error = client.send(TO, "hello").await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let SendError::Retryable {
        reason,
        retry_after,
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(reason, "no answer from Twilio within 300 ms");
    assert_eq!(*retry_after, None);
    assert_eq!(twilio.requests(), 1);
    assert!(twilio.messages().is_empty());

    client.send(TO, "hello").await.unwrap();
    assert_eq!(twilio.requests(), 2);
    assert_eq!(twilio.messages().len(), 1);
}

#[tokio::test]
async fn an_answer_lost_after_twilio_accepted_is_retryable_so_delivery_is_at_least_once() {
    let twilio = fake().await;
    twilio.fail_next(1, Reply::SlowAccept(Duration::from_secs(10)));
    let mut config = twilio.config(FROM);
    config.timeout = Duration::from_millis(300);
    let client = TwilioClient::new(config).unwrap();
    let error = client.send(TO, "hello").await.unwrap_err();
    assert!(error.is_retryable(), "{error:?}");
    // Twilio has it: a retry would send it a second time (documented at-least-once).
    assert_eq!(twilio.messages().len(), 1);
    assert_eq!(twilio.requests(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retryable() {
    // A port that was free a moment ago and has no listener now.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let twilio = fake().await;
    let mut config = twilio.config(FROM);
    config.api_url = format!("http://127.0.0.1:{port}");
    let error = TwilioClient::new(config)
        .unwrap()
        .send(TO, "hello")
        .await
        .unwrap_err();
    let SendError::Retryable { reason, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(
        reason.starts_with("could not connect to Twilio"),
        "{reason}"
    );
    assert_eq!(twilio.requests(), 0);
}

#[tokio::test]
async fn a_success_answer_that_is_not_a_message_is_permanent() {
    let twilio = fake().await;
    twilio.fail_next(
        1,
        Reply::Raw {
            status: 200,
            body: "<html>proxy login</html>".into(),
        },
    );
    let error = client(&twilio).send(TO, "hello").await.unwrap_err();
    assert!(
        matches!(
            error,
            SendError::Permanent {
                status: 200,
                code: None,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn no_error_ever_shows_the_token_or_the_body() {
    let body = "Your verification code is 483920";
    let twilio = fake().await;
    // A hostile or broken server that echoes secrets back.
    let echo = format!(r#"{{"code":21999,"message":"token={TOKEN} body={body}","status":400}}"#);
    twilio.script([
        Reply::ServerError,
        Reply::Unavailable,
        Reply::TooManyRequests {
            retry_after_secs: 1,
        },
        Reply::Error {
            status: 400,
            code: 21211,
        },
        Reply::Error {
            status: 400,
            code: 21610,
        },
        Reply::Raw {
            status: 400,
            body: echo.clone(),
        },
        Reply::Raw {
            status: 200,
            body: echo,
        },
        Reply::Hang(Duration::from_secs(10)),
    ]);
    let mut config = twilio.config(FROM);
    config.timeout = Duration::from_millis(300);
    let client = TwilioClient::new(config.clone()).unwrap();
    let mut errors = Vec::new();
    for _ in 0..8 {
        errors.push(client.send(TO, body).await.unwrap_err());
    }
    // Wrong credentials (the wrong token must not show either) and a refused connection.
    let mut wrong = config.clone();
    wrong.auth_token = "another-secret-token-value".into();
    errors.push(
        TwilioClient::new(wrong.clone())
            .unwrap()
            .send(TO, body)
            .await
            .unwrap_err(),
    );
    let mut unreachable = config.clone();
    unreachable.api_url = "http://127.0.0.1:9".into();
    errors.push(
        TwilioClient::new(unreachable)
            .unwrap()
            .send(TO, body)
            .await
            .unwrap_err(),
    );
    assert_eq!(errors.len(), 10);
    assert_eq!(twilio.requests(), 9);
    assert!(twilio.messages().is_empty());
    let echoed = &errors[5];
    assert!(
        echoed
            .to_string()
            .contains("token=<redacted> body=<redacted>"),
        "{echoed}"
    );
    for error in &errors {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains(&wrong.auth_token), "{text}");
            assert!(!text.contains(body), "{text}");
            assert!(!text.contains("483920"), "{text}");
        }
    }
}

/// What a status-callback receiver saw.
#[derive(Default)]
struct Received {
    verified: Vec<Vec<(String, String)>>,
    refused: usize,
}

#[tokio::test]
async fn the_fake_posts_signed_status_callbacks_that_verify() {
    let received = Arc::new(Mutex::new(Received::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback_url = format!("http://{}/sms/status", listener.local_addr().unwrap());
    let url_for_handler = callback_url.clone();
    let app = Router::new()
        .route(
            "/sms/status",
            post(
                move |State(received): State<Arc<Mutex<Received>>>,
                      headers: HeaderMap,
                      Form(params): Form<Vec<(String, String)>>| async move {
                    let header = headers
                        .get("X-Twilio-Signature")
                        .and_then(|value| value.to_str().ok());
                    let mut received = received.lock().unwrap();
                    if signature::verify(TOKEN, &url_for_handler, &params, header) {
                        received.verified.push(params);
                        StatusCode::NO_CONTENT
                    } else {
                        received.refused += 1;
                        StatusCode::FORBIDDEN
                    }
                },
            ),
        )
        .with_state(Arc::clone(&received));
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });

    let twilio = fake().await;
    let mut config = twilio.config(FROM);
    config.status_callback = Some(callback_url);
    let sent = TwilioClient::new(config)
        .unwrap()
        .send(TO, "hello")
        .await
        .unwrap();
    assert_eq!(
        twilio.send_status_callback(&sent.sid, "sent", None).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        twilio
            .send_status_callback(&sent.sid, "undelivered", Some(30003))
            .await,
        StatusCode::NO_CONTENT
    );
    server.abort();

    let received = received.lock().unwrap();
    assert_eq!(received.refused, 0);
    assert_eq!(received.verified.len(), 2);
    let field = |params: &[(String, String)], name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(
        field(&received.verified[0], "MessageSid"),
        Some(sent.sid.clone())
    );
    assert_eq!(
        field(&received.verified[0], "MessageStatus").as_deref(),
        Some("sent")
    );
    assert_eq!(
        field(&received.verified[1], "ErrorCode").as_deref(),
        Some("30003")
    );
    assert_eq!(
        MessageStatus::parse(&field(&received.verified[1], "MessageStatus").unwrap()),
        MessageStatus::Undelivered
    );
}
