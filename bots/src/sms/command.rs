//! What a customer's text message asks for: [`parse`] turns an SMS body into one
//! [`SmsCommand`]. Pure, total (every body gets an answer, never a panic) and bounded:
//! a body longer than Twilio's 1600 characters is refused as [`SmsCommand::Unknown`]
//! without being read further.
//!
//! # What is read how
//!
//! The body is split into words at whitespace and punctuation (`,;.:!?#()"'`, …; any ASCII
//! punctuation but the dash, plus typographic quotes, `…`, `¿`, `¡`). Typographic dashes
//! (`‐ ‑ ‒ – — ― −`, which phones substitute while typing) read as `-`, dashes at a word's
//! ends are dropped, and letters are compared in ASCII upper case. The word `AND` between
//! references is ignored (`ORD-… and ORD-…`).
//!
//! - A keyword **alone**: `STOP`, `STOPALL`, `UNSUBSCRIBE`, `CANCEL`, `END`, `QUIT` →
//!   [`SmsCommand::OptOut`]; `START`, `YES`, `UNSTOP` → [`SmsCommand::OptIn`]; `ORDERS` →
//!   [`SmsCommand::Orders`]. Carriers apply the opt-out and opt-in keywords only to a body
//!   that is that one word, so `CANCEL ORD-…` is not an opt-out, and not an order
//!   cancellation either (that is staff work): it is [`SmsCommand::Unknown`].
//! - `HELP` or `INFO` first → [`SmsCommand::Help`], whatever follows.
//! - `TRACK` followed by references → [`SmsCommand::Track`]. After `TRACK`, a word that is
//!   not reference-shaped but has a digit or a dash (`ORD-7K3M-9QX`, a character short) is
//!   reported in `invalid`; words of letters only are filler and ignored (`TRACK my order
//!   ORD-…`). `TRACK` with no reference attempt at all is [`SmsCommand::Unknown`].
//! - `SUB`/`SUBSCRIBE` and `UNSUB`/`UNSUBSCRIBE` followed by exactly one valid reference
//!   (filler words aside: `unsubscribe me from ORD-…`) → [`SmsCommand::Subscribe`] /
//!   [`SmsCommand::Unsubscribe`]; anything else after them is [`SmsCommand::Unknown`].
//! - A body made only of references → [`SmsCommand::Track`].
//!
//! # What counts as a reference
//!
//! An order reference is `ORD` and eight Crockford base-32 characters, the last a check
//! character ([`OrderReference::parse`] decides validity: `O` reads as `0`, `I`/`L` as
//! `1`, the check must match). Accepted spellings: `ORD-7K3M-9QX1`, `ord7k3m9qx1`,
//! `ORD 7K3M 9QX1`, `ORD-7K3M 9QX1`, and without the prefix `7K3M-9QX1` or `7K3M9QX1`.
//!
//! After `TRACK`/`SUB`/`UNSUB` the words are meant as references, so eight characters
//! always count (`TRACK abcdefgh`), as do two four-character words (`TRACK 7K3M 9QX1`).
//! A body with no keyword is read as references only when each of its words is
//! unambiguous: written with the `ORD` prefix, in the `XXXX-XXXX` layout, or containing a
//! digit — so an eight-letter word such as `DELIVERY` or a pair such as `WHAT NEXT` is
//! not taken for a mistyped reference, and the body gets the help reply instead.
//!
//! A reference-shaped word whose check fails is reported in `invalid` (ASCII upper case,
//! at most [`MAX_INVALID_CHARS`] characters), so the reply can say which one has a typo.
//! References are de-duplicated (however spelt), kept in the order written, and at most
//! [`MAX_REFERENCES`] distinct ones (valid or not) are kept; the number of further
//! distinct ones is `too_many`.

use std::collections::BTreeSet;

use ordo_core::ids::OrderReference;

/// Twilio delivers bodies of at most this many characters; a longer body is refused
/// ([`SmsCommand::Unknown`]) rather than cut, since a cut could split a reference.
pub const MAX_BODY_CHARS: usize = 1600;

/// At most this many distinct references (valid or not) are looked at in one text.
pub const MAX_REFERENCES: usize = 10;

/// A word reported in `invalid` keeps at most this many characters.
pub const MAX_INVALID_CHARS: usize = 20;

/// The prefix of an order reference, as written to customers.
const PREFIX: &str = "ORD";

/// What one inbound text asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsCommand {
    /// Status of these orders (`TRACK REF …`, or a body of references).
    Track {
        /// Valid references, distinct, in the order written; at most [`MAX_REFERENCES`]
        /// together with `invalid`.
        references: Vec<OrderReference>,
        /// Words that were meant as references but are not valid ones (a failed check
        /// character, a letter outside the alphabet, a character missing), in ASCII upper
        /// case, distinct, each at most [`MAX_INVALID_CHARS`] characters.
        invalid: Vec<String>,
        /// How many further distinct references (valid or not) the text named beyond
        /// [`MAX_REFERENCES`]; they were not looked at.
        too_many: usize,
    },
    /// The sender's recent open orders (`ORDERS`).
    Orders,
    /// Texts on every later status change of this order (`SUB REF`).
    Subscribe(OrderReference),
    /// No more texts about this order (`UNSUB REF`).
    Unsubscribe(OrderReference),
    /// How to use the service (`HELP`, `INFO`).
    Help,
    /// The carrier opt-out keywords alone: nothing more may be sent to this number until
    /// it opts in again.
    OptOut,
    /// The carrier opt-in keywords alone (`START`, `YES`, `UNSTOP`).
    OptIn,
    /// Anything else; the reply is a short help text.
    Unknown,
}

/// Reads an SMS body; see the module documentation for the forms. Never panics; reads at
/// most [`MAX_BODY_CHARS`] characters (a longer body is [`SmsCommand::Unknown`]).
pub fn parse(body: &str) -> SmsCommand {
    if body.chars().nth(MAX_BODY_CHARS).is_some() {
        return SmsCommand::Unknown;
    }
    let words = words(body);
    let Some((first, rest)) = words.split_first() else {
        return SmsCommand::Unknown;
    };
    if rest.is_empty()
        && let Some(command) = keyword_alone(first)
    {
        return command;
    }
    match first.as_str() {
        "HELP" | "INFO" => SmsCommand::Help,
        "TRACK" => after_track(rest),
        "SUB" | "SUBSCRIBE" => {
            one_reference(rest).map_or(SmsCommand::Unknown, SmsCommand::Subscribe)
        }
        "UNSUB" | "UNSUBSCRIBE" => {
            one_reference(rest).map_or(SmsCommand::Unknown, SmsCommand::Unsubscribe)
        }
        _ => only_references(&words),
    }
}

/// The words after a `TRACK` keyword, read exactly as [`parse`] reads them after `TRACK`
/// (the Telegram `/track` command shares this grammar): a [`SmsCommand::Track`], or
/// [`SmsCommand::Unknown`] when there is no reference attempt or the text is longer than
/// [`MAX_BODY_CHARS`].
pub fn parse_track_arguments(text: &str) -> SmsCommand {
    if text.chars().nth(MAX_BODY_CHARS).is_some() {
        return SmsCommand::Unknown;
    }
    after_track(&words(text))
}

/// The commands a body of exactly one word can be.
fn keyword_alone(word: &str) -> Option<SmsCommand> {
    match word {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" => Some(SmsCommand::OptOut),
        "START" | "YES" | "UNSTOP" => Some(SmsCommand::OptIn),
        "HELP" | "INFO" => Some(SmsCommand::Help),
        "ORDERS" => Some(SmsCommand::Orders),
        _ => None,
    }
}

/// A body with no keyword: a `Track` if every word (or run of words) is unambiguously a
/// reference, valid or not; otherwise `Unknown`.
fn only_references(words: &[String]) -> SmsCommand {
    let pieces = group(words, Context::Alone);
    let all_references = pieces.iter().all(|piece| {
        matches!(
            piece,
            Piece::Reference {
                unambiguous: true,
                ..
            }
        )
    });
    if all_references {
        track(pieces)
    } else {
        SmsCommand::Unknown
    }
}

/// The words after `TRACK`: a `Track` of every reference attempt, or `Unknown` if there
/// is none.
fn after_track(rest: &[String]) -> SmsCommand {
    let attempts = attempts(rest);
    if attempts.is_empty() {
        SmsCommand::Unknown
    } else {
        track(attempts)
    }
}

/// The single valid reference after `SUB`/`UNSUB`, if that is all there is.
fn one_reference(rest: &[String]) -> Option<OrderReference> {
    match attempts(rest).as_slice() {
        [Piece::Reference { compact, .. }] => OrderReference::parse(compact).ok(),
        _ => None,
    }
}

/// The pieces after a keyword that are meant as references: reference-shaped runs, and
/// other words with a digit or a dash (a reference with a character missing or extra).
/// Words of letters only (`MY ORDER PLEASE`) are filler and dropped.
fn attempts(rest: &[String]) -> Vec<Piece> {
    group(rest, Context::AfterKeyword)
        .into_iter()
        .filter(|piece| match piece {
            Piece::Reference { .. } => true,
            Piece::Other(word) => word
                .bytes()
                .any(|byte| byte.is_ascii_digit() || byte == b'-'),
        })
        .collect()
}

/// Splits a body into upper-cased words (see the module documentation).
fn words(body: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for character in body.chars() {
        if is_separator(character) {
            push_word(&mut words, &mut current);
        } else if is_dash(character) {
            current.push('-');
        } else {
            current.push(character.to_ascii_uppercase());
        }
    }
    push_word(&mut words, &mut current);
    words
}

/// Ends the word being built: dashes at its ends go, a filler word or an empty word is
/// dropped.
fn push_word(words: &mut Vec<String>, current: &mut String) {
    let word = current.trim_matches('-');
    if !word.is_empty() && word != "AND" {
        words.push(word.to_owned());
    }
    current.clear();
}

/// Whitespace, control characters and punctuation other than dashes.
fn is_separator(character: char) -> bool {
    character.is_whitespace()
        || character.is_control()
        || (character.is_ascii_punctuation() && character != '-')
        || matches!(
            character,
            '\u{2018}'
                | '\u{2019}'
                | '\u{201C}'
                | '\u{201D}'
                | '\u{2026}'
                | '\u{00A1}'
                | '\u{00BF}'
                | '\u{00AB}'
                | '\u{00BB}'
        )
}

/// The dashes phones and word processors put where a person typed `-`.
fn is_dash(character: char) -> bool {
    matches!(
        character,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// Where the words being grouped stand.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// After `TRACK`/`SUB`/`UNSUB`: every word is meant as a reference.
    AfterKeyword,
    /// A body with no keyword: only unambiguous spellings are references.
    Alone,
}

/// One or more words read together.
enum Piece {
    /// Shaped like a reference (not yet checked).
    Reference {
        /// The characters without dashes, prefix included if written.
        compact: String,
        /// The words as written (upper case), for the `invalid` list.
        shown: String,
        /// Whether the spelling cannot be an ordinary word (see the module documentation).
        unambiguous: bool,
    },
    /// Anything else.
    Other(String),
}

/// Groups words into reference-shaped runs and other words, left to right.
fn group(words: &[String], context: Context) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut index = 0;
    while let Some(rest) = words.get(index..).filter(|rest| !rest.is_empty()) {
        let (piece, used) = reference_at(rest, context).unwrap_or_else(|| {
            let word = rest.first().cloned().unwrap_or_default();
            (Piece::Other(word), 1)
        });
        pieces.push(piece);
        index += used.max(1);
    }
    pieces
}

/// The reference that starts at the first of `words`, if one does, and how many words it
/// takes (one to three).
fn reference_at(words: &[String], context: Context) -> Option<(Piece, usize)> {
    let compact: Vec<Option<String>> = words
        .iter()
        .take(3)
        .map(|word| alphanumeric(word))
        .collect();
    let length = |index: usize| compact.get(index).and_then(|c| c.as_ref()).map(String::len);
    let first = compact.first()?.as_ref()?;
    let starts = first.starts_with(PREFIX);
    let (used, prefixed) = match (first.len(), length(1), length(2)) {
        (11, _, _) if starts => (1, true),
        (8, _, _) => (1, false),
        (3, Some(8), _) if starts => (2, true),
        (3, Some(4), Some(4)) if starts => (3, true),
        (7, Some(4), _) if starts => (2, true),
        (4, Some(4), _) => (2, false),
        _ => return None,
    };
    let taken = words.get(..used)?;
    let joined: String = compact
        .iter()
        .take(used)
        .flatten()
        .map(String::as_str)
        .collect();
    let unambiguous = context == Context::AfterKeyword
        || prefixed
        || joined.bytes().any(|byte| byte.is_ascii_digit())
        || (used == 1 && is_dashed_layout(first_word(taken)));
    let piece = Piece::Reference {
        compact: joined,
        shown: taken.join(" "),
        unambiguous,
    };
    Some((piece, used))
}

/// The first word of a non-empty run.
fn first_word(words: &[String]) -> &str {
    words.first().map_or("", String::as_str)
}

/// `XXXX-XXXX`: how references are written without their prefix.
fn is_dashed_layout(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.len() == 9
        && bytes.get(4) == Some(&b'-')
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || byte.is_ascii_alphanumeric())
}

/// The word without dashes, if what remains is ASCII letters and digits only.
fn alphanumeric(word: &str) -> Option<String> {
    let compact: String = word.chars().filter(|c| *c != '-').collect();
    let plain = !compact.is_empty() && compact.bytes().all(|byte| byte.is_ascii_alphanumeric());
    plain.then_some(compact)
}

/// Checks each piece, de-duplicates, caps.
fn track(pieces: Vec<Piece>) -> SmsCommand {
    let mut references: Vec<OrderReference> = Vec::new();
    let mut invalid: Vec<String> = Vec::new();
    let mut beyond: BTreeSet<Result<OrderReference, String>> = BTreeSet::new();
    for piece in pieces {
        let attempt = match piece {
            Piece::Reference { compact, shown, .. } => {
                OrderReference::parse(&compact).map_err(|_| shorten(&shown))
            }
            Piece::Other(word) => Err(shorten(&word)),
        };
        let seen = match &attempt {
            Ok(reference) => references.contains(reference),
            Err(word) => invalid.contains(word),
        };
        if seen {
            continue;
        }
        if references.len() + invalid.len() < MAX_REFERENCES {
            match attempt {
                Ok(reference) => references.push(reference),
                Err(word) => invalid.push(word),
            }
        } else {
            beyond.insert(attempt);
        }
    }
    SmsCommand::Track {
        references,
        invalid,
        too_many: beyond.len(),
    }
}

/// At most [`MAX_INVALID_CHARS`] characters of a word, for echoing it back.
fn shorten(word: &str) -> String {
    word.chars().take(MAX_INVALID_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::random::SeededRandom;
    use proptest::prelude::*;

    /// A valid reference, different for each seed.
    fn reference(seed: u64) -> OrderReference {
        OrderReference::generate(&SeededRandom::new(seed))
    }

    /// The same reference with its check character changed (so it is invalid).
    fn mistyped(reference: &OrderReference) -> String {
        let mut text = reference.to_string();
        let last = text.pop().unwrap();
        text.push(if last == '2' { '3' } else { '2' });
        assert!(OrderReference::parse(&text).is_err());
        text
    }

    fn track(references: Vec<OrderReference>, invalid: &[&str]) -> SmsCommand {
        SmsCommand::Track {
            references,
            invalid: invalid.iter().map(|word| word.to_string()).collect(),
            too_many: 0,
        }
    }

    #[test]
    fn every_carrier_keyword_alone_is_its_command_in_any_case() {
        let cases = [
            ("STOP", SmsCommand::OptOut),
            ("STOPALL", SmsCommand::OptOut),
            ("UNSUBSCRIBE", SmsCommand::OptOut),
            ("CANCEL", SmsCommand::OptOut),
            ("END", SmsCommand::OptOut),
            ("QUIT", SmsCommand::OptOut),
            ("START", SmsCommand::OptIn),
            ("YES", SmsCommand::OptIn),
            ("UNSTOP", SmsCommand::OptIn),
            ("HELP", SmsCommand::Help),
            ("INFO", SmsCommand::Help),
            ("ORDERS", SmsCommand::Orders),
        ];
        for (word, expected) in cases {
            for body in [
                word.to_string(),
                word.to_lowercase(),
                format!("  {}. \n", capitalized(word)),
                format!("{word}!"),
            ] {
                assert_eq!(parse(&body), expected, "{body:?}");
            }
        }
    }

    fn capitalized(word: &str) -> String {
        let lower = word.to_lowercase();
        let mut chars = lower.chars();
        chars
            .next()
            .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default()
    }

    #[test]
    fn opt_out_and_opt_in_keywords_count_only_alone() {
        let r = reference(1);
        for body in [
            format!("CANCEL {r}"),
            format!("cancel order {r}"),
            "stop sending me texts".to_string(),
            "STOP STOP".to_string(),
            format!("START {r}"),
            "yes please".to_string(),
            format!("{r} STOP"),
        ] {
            assert_eq!(parse(&body), SmsCommand::Unknown, "{body:?}");
        }
    }

    #[test]
    fn help_with_more_words_is_still_help() {
        assert_eq!(parse("help me please"), SmsCommand::Help);
        assert_eq!(parse("Info?"), SmsCommand::Help);
    }

    #[test]
    fn track_with_every_spelling_of_a_reference() {
        let r = reference(2);
        let shown = r.to_string(); // ORD-XXXX-XXXX
        let body = shown.get(4..).unwrap().to_string(); // XXXX-XXXX
        let compact = body.replace('-', ""); // XXXXXXXX
        let (left, right) = compact.split_at(4);
        for spelt in [
            shown.clone(),
            shown.to_lowercase(),
            shown.replace('-', ""),
            format!("ORD {left} {right}"),
            format!("ORD-{left} {right}"),
            format!("ord {compact}"),
            format!("ORD{left}-{right}"),
            body.clone(),
            compact.clone(),
            format!("{left} {right}"),
            shown.replace('-', "\u{2013}"),
            format!("#{shown}"),
            format!("({shown})"),
        ] {
            assert_eq!(
                parse(&format!("TRACK {spelt}")),
                track(vec![r.clone()], &[]),
                "TRACK {spelt:?}"
            );
        }
    }

    #[test]
    fn crockford_misreadings_are_accepted() {
        let r = OrderReference::parse("ORD-7K3M-9QX1").unwrap();
        assert_eq!(parse("track ORD-7K3M-9QXl"), track(vec![r.clone()], &[]));
        assert_eq!(parse("track ORD-7K3M-9QXI"), track(vec![r], &[]));
    }

    #[test]
    fn a_body_of_only_references_is_track() {
        let (a, b, c) = (reference(3), reference(4), reference(5));
        let body = format!(
            " {a},{};  {}\n and {}.",
            b.to_string().to_lowercase(),
            &c.to_string()[4..],
            a
        );
        assert_eq!(parse(&body), track(vec![a, b, c], &[]));
    }

    #[test]
    fn unprefixed_words_alone_must_be_unambiguous() {
        // Eight letters, no dash: an ordinary word, not a reference.
        assert_eq!(parse("DELIVERY"), SmsCommand::Unknown);
        assert_eq!(parse("what next"), SmsCommand::Unknown);
        assert_eq!(parse("hello"), SmsCommand::Unknown);
        // The same after TRACK is a reference attempt.
        assert_eq!(parse("TRACK delivery"), track(vec![], &["DELIVERY"]));
        // A digit or the XXXX-XXXX layout makes it unambiguous.
        let r = reference(6);
        let compact = r.to_string().replace('-', "");
        let bare = compact.get(3..).unwrap();
        if bare.bytes().any(|b| b.is_ascii_digit()) {
            assert_eq!(parse(bare), track(vec![r.clone()], &[]));
        }
        let dashed = r.to_string().get(4..).unwrap().to_string();
        assert_eq!(parse(&dashed), track(vec![r], &[]));
    }

    #[test]
    fn a_failed_check_character_is_reported_invalid() {
        let good = reference(7);
        let bad = mistyped(&reference(8));
        assert_eq!(
            parse(&format!("TRACK {good} {bad}")),
            track(vec![good.clone()], &[&bad])
        );
        // Alone, too, so the reply can name the typo.
        assert_eq!(parse(&bad.to_lowercase()), track(vec![], &[&bad]));
        // A letter outside the alphabet.
        assert_eq!(parse("ORD-1234-567U"), track(vec![], &["ORD-1234-567U"]));
    }

    #[test]
    fn after_track_filler_words_are_ignored_and_broken_references_reported() {
        let r = reference(9);
        assert_eq!(
            parse(&format!("track {r} please")),
            track(vec![r.clone()], &[])
        );
        assert_eq!(
            parse(&format!("Track my order {r}, thanks!")),
            track(vec![r.clone()], &[])
        );
        // A character short, or a digit: meant as a reference.
        let short = &r.to_string()[..12];
        assert_eq!(
            parse(&format!("TRACK {r} {short} 12345")),
            track(vec![r], &[short, "12345"])
        );
        assert_eq!(parse("TRACK"), SmsCommand::Unknown);
        assert_eq!(parse("TRACK ..."), SmsCommand::Unknown);
        assert_eq!(parse("track my order please"), SmsCommand::Unknown);
    }

    #[test]
    fn an_invalid_word_is_echoed_shortened() {
        let long = format!("{}1", "x".repeat(100));
        let SmsCommand::Track { invalid, .. } = parse(&format!("TRACK {long}")) else {
            panic!("not track");
        };
        assert_eq!(invalid, vec!["X".repeat(MAX_INVALID_CHARS)]);
    }

    #[test]
    fn references_are_deduplicated_however_spelt_and_keep_their_order() {
        let (a, b) = (reference(10), reference(11));
        let bad = mistyped(&reference(12));
        let body = format!(
            "TRACK {b} {a} {} {} {bad} {}",
            b.to_string().to_lowercase(),
            a.to_string().replace('-', ""),
            bad.to_lowercase()
        );
        assert_eq!(parse(&body), track(vec![b, a], &[&bad]));
    }

    #[test]
    fn at_most_ten_references_and_the_rest_are_counted() {
        let all: Vec<OrderReference> = (100..115).map(reference).collect();
        let mut body = String::from("TRACK");
        for r in &all {
            body.push_str(&format!(" {r}"));
        }
        // Repeats beyond the cap are not counted twice.
        body.push_str(&format!(" {} {}", all[12], all[0]));
        let SmsCommand::Track {
            references,
            invalid,
            too_many,
        } = parse(&body)
        else {
            panic!("not track");
        };
        assert_eq!(references, all[..MAX_REFERENCES].to_vec());
        assert!(invalid.is_empty());
        assert_eq!(too_many, 5);
    }

    #[test]
    fn invalid_references_count_toward_the_cap() {
        let bad: Vec<String> = (200..205).map(|seed| mistyped(&reference(seed))).collect();
        let good: Vec<OrderReference> = (300..308).map(reference).collect();
        let body = format!(
            "{} {}",
            bad.join(" "),
            good.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        );
        let SmsCommand::Track {
            references,
            invalid,
            too_many,
        } = parse(&body)
        else {
            panic!("not track");
        };
        assert_eq!(invalid, bad);
        assert_eq!(references, good[..5].to_vec());
        assert_eq!(too_many, 3);
    }

    #[test]
    fn subscribe_and_unsubscribe_take_exactly_one_valid_reference() {
        let r = reference(13);
        let compact = r.to_string().replace('-', "");
        assert_eq!(parse(&format!("SUB {r}")), SmsCommand::Subscribe(r.clone()));
        assert_eq!(
            parse(&format!("subscribe: {}", compact.to_lowercase())),
            SmsCommand::Subscribe(r.clone())
        );
        assert_eq!(
            parse(&format!("unsub {r}")),
            SmsCommand::Unsubscribe(r.clone())
        );
        assert_eq!(
            parse(&format!("Unsubscribe me from {r} please")),
            SmsCommand::Unsubscribe(r.clone())
        );
        assert_eq!(
            parse(&format!("UNSUBSCRIBE {r}")),
            SmsCommand::Unsubscribe(r.clone())
        );
        let bad = mistyped(&r);
        for body in [
            "SUB".to_string(),
            "SUBSCRIBE".to_string(),
            format!("SUB {bad}"),
            format!("SUB {r} {}", reference(14)),
            format!("UNSUB {r} 1234"),
            "UNSUBSCRIBE me".to_string(),
        ] {
            assert_eq!(parse(&body), SmsCommand::Unknown, "{body:?}");
        }
    }

    #[test]
    fn empty_and_punctuation_only_bodies_are_unknown() {
        for body in ["", "   ", "\n\t", "...", "- - -", "?!"] {
            assert_eq!(parse(body), SmsCommand::Unknown, "{body:?}");
        }
    }

    #[test]
    fn a_body_past_twilios_limit_is_refused() {
        let r = reference(15);
        let at_limit = format!("{r}{}", " ".repeat(MAX_BODY_CHARS - 13));
        assert_eq!(at_limit.chars().count(), MAX_BODY_CHARS);
        assert_eq!(parse(&at_limit), track(vec![r.clone()], &[]));
        assert_eq!(parse(&format!("{at_limit} ")), SmsCommand::Unknown);
        assert_eq!(parse(&"STOP ".repeat(100_000)), SmsCommand::Unknown);
    }

    #[test]
    fn non_ascii_text_is_not_a_reference() {
        assert_eq!(parse("ORD-ÄÄÄÄ-ÄÄÄÄ"), SmsCommand::Unknown);
        assert_eq!(
            parse("TRACK ORD-ÄÄÄÄ-ÄÄÄÄ"),
            track(vec![], &["ORD-ÄÄÄÄ-ÄÄÄÄ"])
        );
        assert_eq!(parse("STÖP"), SmsCommand::Unknown);
    }

    proptest! {
        #[test]
        fn parse_never_panics(body in any::<String>()) {
            let _ = parse(&body);
        }

        #[test]
        fn parse_ignores_ascii_case(body in any::<String>()) {
            prop_assert_eq!(parse(&body.to_ascii_uppercase()), parse(&body.to_ascii_lowercase()));
        }

        #[test]
        fn parse_ignores_case_of_command_like_text(
            body in "(track|sub|unsub|stop|help|orders|ord|and| |-|,|[0-9a-z]{4}){0,12}"
        ) {
            // Command-like ASCII text, so that keywords and references are often hit.
            prop_assert_eq!(parse(&body.to_uppercase()), parse(&body.to_lowercase()));
        }

        #[test]
        fn track_lists_are_distinct_and_capped(body in "(track )?((ord-?)?[0-9a-z]{4}-?[0-9a-z]{4}[ ,]{1,2}){0,20}") {
            if let SmsCommand::Track { references, invalid, too_many } = parse(&body) {
                prop_assert!(references.len() + invalid.len() <= MAX_REFERENCES);
                prop_assert!(too_many == 0 || references.len() + invalid.len() == MAX_REFERENCES);
                let distinct: BTreeSet<_> = references.iter().collect();
                prop_assert_eq!(distinct.len(), references.len());
                let distinct: BTreeSet<_> = invalid.iter().collect();
                prop_assert_eq!(distinct.len(), invalid.len());
            }
        }

        #[test]
        fn generated_references_are_found_in_any_number(seeds in proptest::collection::vec(any::<u64>(), 1..12)) {
            let references: Vec<OrderReference> = seeds.iter().map(|seed| reference(*seed)).collect();
            let body = references.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let mut expected: Vec<OrderReference> = Vec::new();
            for r in &references {
                if !expected.contains(r) {
                    expected.push(r.clone());
                }
            }
            let kept = expected.len().min(MAX_REFERENCES);
            let SmsCommand::Track { references: found, invalid, too_many } = parse(&body) else {
                panic!("not track: {body}");
            };
            prop_assert_eq!(&found[..], &expected[..kept]);
            prop_assert!(invalid.is_empty());
            prop_assert_eq!(too_many, expected.len() - kept);
        }
    }
}
