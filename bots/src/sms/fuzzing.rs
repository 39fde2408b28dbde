//! The body of the `sms_command` fuzz target (feature `fuzzing`): arbitrary bytes as an
//! inbound SMS body through every pure part of the SMS channel, checking their promises.
//! `cargo test` replays the committed corpus through the same function.

use std::collections::BTreeSet;

use ordo_core::ids::OrderReference;

use super::command::{self, MAX_BODY_CHARS, MAX_INVALID_CHARS, MAX_REFERENCES, SmsCommand};
use super::{segments, signature, twiml};

/// Runs `data` (UTF-8 or not; invalid sequences become U+FFFD, as a web server decoding
/// a form would) through [`command::parse`], [`segments::count`], [`twiml::message`] and
/// the signature functions.
///
/// # Panics
/// When a promise is broken — the fuzzer reports these: a parse that depends on ASCII
/// case, a reference list that is not distinct or over the cap, a reference that does
/// not re-parse to itself, a body past 1600 characters that is not `Unknown`, a segment
/// count that disagrees with `fit` or with the units, TwiML that does not round-trip, a
/// signature that does not verify.
pub fn sms_command(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    check_parse(&body);
    check_segments(&body);
    check_twiml(&body);
    check_signature(&body);
}

/// The command parser's promises.
fn check_parse(body: &str) {
    let command = command::parse(body);
    assert_eq!(
        command,
        command::parse(&body.to_ascii_lowercase()),
        "parse depends on ASCII case"
    );
    assert_eq!(
        command,
        command::parse(&body.to_ascii_uppercase()),
        "parse depends on ASCII case"
    );
    if body.chars().count() > MAX_BODY_CHARS {
        assert_eq!(command, SmsCommand::Unknown, "an over-long body was read");
    }
    match command {
        SmsCommand::Track {
            references,
            invalid,
            too_many,
        } => check_track(&references, &invalid, too_many),
        SmsCommand::Subscribe(reference) | SmsCommand::Unsubscribe(reference) => {
            check_reference(&reference);
        }
        SmsCommand::Orders
        | SmsCommand::Help
        | SmsCommand::OptOut
        | SmsCommand::OptIn
        | SmsCommand::Unknown => {}
    }
}

/// A `Track`'s lists are distinct, capped and non-empty together.
fn check_track(references: &[OrderReference], invalid: &[String], too_many: usize) {
    let kept = references.len() + invalid.len();
    assert!(kept >= 1, "a Track with nothing in it");
    assert!(kept <= MAX_REFERENCES, "{kept} references kept");
    assert!(
        too_many == 0 || kept == MAX_REFERENCES,
        "counted too many below the cap"
    );
    let distinct: BTreeSet<&OrderReference> = references.iter().collect();
    assert_eq!(distinct.len(), references.len(), "duplicate references");
    let distinct: BTreeSet<&String> = invalid.iter().collect();
    assert_eq!(distinct.len(), invalid.len(), "duplicate invalid words");
    for word in invalid {
        assert!(!word.is_empty(), "an empty invalid word");
        assert!(
            word.chars().count() <= MAX_INVALID_CHARS,
            "{word:?} too long"
        );
        assert!(
            !word.bytes().any(|byte| byte.is_ascii_lowercase()),
            "{word:?} not upper case"
        );
    }
    for reference in references {
        check_reference(reference);
    }
}

/// A reference shows as `ORD-XXXX-XXXX` and reads back as itself.
fn check_reference(reference: &OrderReference) {
    let shown = reference.to_string();
    assert_eq!(shown.len(), 13, "{shown}");
    assert_eq!(
        OrderReference::parse(&shown).ok().as_ref(),
        Some(reference),
        "{shown} does not re-parse"
    );
}

/// The segment counter's promises.
fn check_segments(body: &str) {
    let counted = segments::count(body);
    let characters = body.chars().count();
    match counted.encoding {
        segments::Encoding::Gsm7 => {
            assert!(counted.units >= characters && counted.units <= 2 * characters);
        }
        segments::Encoding::Ucs2 => {
            assert_eq!(counted.units, body.encode_utf16().count());
        }
    }
    let part = counted.encoding.part_capacity();
    assert!(counted.parts >= 1);
    if counted.units <= counted.encoding.single_capacity() {
        assert_eq!(counted.parts, 1);
    } else {
        // Each part holds at most `part` units and loses at most one unit to a pair.
        assert!(counted.parts >= counted.units.div_ceil(part));
        assert!(counted.parts <= counted.units.div_ceil(part - 1));
    }
    assert!(segments::fit(body, counted.parts));
    assert!(!segments::fit(body, counted.parts - 1));
}

/// TwiML holds the text, escaped, and nothing else.
fn check_twiml(body: &str) {
    let xml = twiml::message(body);
    let inner = xml
        .strip_prefix(r#"<?xml version="1.0" encoding="UTF-8"?><Response><Message>"#)
        .and_then(|rest| rest.strip_suffix("</Message></Response>"));
    let Some(inner) = inner else {
        broken(&format!("TwiML without its frame: {xml:?}"));
    };
    assert!(
        !inner.contains('<') && !inner.contains('>'),
        "unescaped markup"
    );
    assert!(
        inner.chars().all(twiml::allowed_in_xml),
        "a character XML forbids"
    );
    let unescaped = inner
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#13;", "\r")
        .replace("&amp;", "&");
    let kept: String = body.chars().filter(|c| twiml::allowed_in_xml(*c)).collect();
    assert_eq!(unescaped, kept, "TwiML does not round-trip");
}

/// A form made from the body signs and verifies; a changed form does not.
fn check_signature(body: &str) {
    let url = signature::url_for("https://shop.example", "/sms/inbound");
    let params = vec![
        ("Body".to_owned(), body.to_owned()),
        ("From".to_owned(), "+15551234567".to_owned()),
        ("Body".to_owned(), body.chars().rev().collect()),
    ];
    let signed = signature::expected("token", &url, &params);
    assert!(signature::verify("token", &url, &params, Some(&signed)));
    let with_port = url.replace("example/", "example:443/");
    assert!(signature::verify(
        "token",
        &with_port,
        &params,
        Some(&signed)
    ));
    let mut changed = params.clone();
    changed.push(("NumMedia".to_owned(), "0".to_owned()));
    assert!(!signature::verify("token", &url, &changed, Some(&signed)));
    assert!(!signature::verify("token", &url, &params, Some(body)) || body.trim() == signed);
}

#[allow(clippy::panic)] // the fuzz body's way to report a finding
fn broken(what: &str) -> ! {
    panic!("the SMS channel broke a promise: {what}")
}
