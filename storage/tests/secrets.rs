//! No plaintext password, session token or verification code at rest: after registering,
//! verifying, logging in and bootstrapping an admin on a real data directory, the raw bytes
//! of every file in it contain none of them.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use ordo_core::auth::Actor;
use ordo_core::customer::CustomerInput;
use ordo_core::delivery::{DeliveryChannel, SendOutcome};
use ordo_core::engine::{RegistrationRequest, VerifyRequest};
use ordo_core::outbox::DomainEvent;
use ordo_core::registration::Channel;
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};

const CUSTOMER_PASSWORD: &str = "Quartz-Heron-Velvet-8841";
const ADMIN_PASSWORD: &str = "Cobalt-Lantern-Maple-2290";

fn all_bytes(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            all_bytes(&path, out);
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A customer whose text fields contain no digits, so a 6-digit code cannot match them.
fn wordy_customer() -> CustomerInput {
    let mut input = sample::customer(1);
    input.name = "Ada Lovelace".into();
    input.email = "ada@example.com".into();
    if let Some(address) = input.addresses.first_mut() {
        address.line1 = "Main Street".into();
        address.postal_code = "AB".into();
    }
    input
}

#[test]
fn no_password_token_or_code_is_stored_in_the_database_files() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let (code, token, handle) = {
        let store =
            Arc::new(SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap());
        let (engine, _clock) = sample::engine(store.clone(), 99);
        let registration = engine
            .register_customer(
                &Actor::guest(),
                &RegistrationRequest {
                    customer: wordy_customer(),
                    channel: Channel::Sms,
                },
            )
            .unwrap();
        let customer = &registration.customer;
        let handle = registration.handle.reveal().to_string();
        let nonce = sample::deliveries(&engine)
            .into_iter()
            .find_map(|d| match *d.event() {
                DomainEvent::VerificationCodeRequested { nonce, .. } => Some(nonce),
                _ => None,
            })
            .unwrap();
        let code = engine
            .verification_code(&Actor::system(), customer.id(), nonce)
            .unwrap()
            .unwrap();
        // The phone number is the one digit-bearing field: make sure the code is not in it.
        assert!(
            !customer.phone().as_str().contains(&code),
            "pick another seed: code {code} is in the phone number"
        );
        engine
            .verify_customer(
                &Actor::guest(),
                &VerifyRequest {
                    registration: handle.clone(),
                    code: code.clone(),
                    login: "ada".into(),
                    password: CUSTOMER_PASSWORD.into(),
                },
            )
            .unwrap();
        let token = engine
            .login("ada", CUSTOMER_PASSWORD)
            .unwrap()
            .token
            .reveal()
            .to_string();
        engine.authenticate(&token).unwrap();
        engine
            .init_admin(&sample::admin(), "Root", "root", ADMIN_PASSWORD)
            .unwrap();
        // The dispatcher sends the code and marks its delivery sent.
        let system = Actor::system();
        let claimed = engine
            .claim_deliveries(&system, DeliveryChannel::Sms, "sms-1", 10)
            .unwrap();
        assert_eq!(claimed.len(), 1, "one code to send");
        for delivery in claimed {
            let sent = SendOutcome::Sent {
                provider_id: Some("SM1".into()),
            };
            engine
                .finish_delivery(&system, delivery.id(), "sms-1", delivery.attempts(), &sent)
                .unwrap();
        }
        (code, token, handle)
    };
    let mut files = Vec::new();
    all_bytes(&dir, &mut files);
    assert!(
        files.iter().map(|(_, b)| b.len()).sum::<usize>() > 0,
        "the store wrote files"
    );
    let secrets: [(&str, &[u8]); 5] = [
        ("registration handle", handle.as_bytes()),
        ("customer password", CUSTOMER_PASSWORD.as_bytes()),
        ("admin password", ADMIN_PASSWORD.as_bytes()),
        ("session token", token.as_bytes()),
        ("verification code", code.as_bytes()),
    ];
    for (what, secret) in secrets {
        for (path, bytes) in &files {
            assert!(!contains(bytes, secret), "{what} found in {path}");
        }
    }
    // The check can fail: the login id and the customer's name are stored, and found.
    assert!(
        files
            .iter()
            .any(|(_, bytes)| contains(bytes, b"Ada Lovelace"))
    );
}
