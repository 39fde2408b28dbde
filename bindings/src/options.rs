//! `ordo_engine_open`'s `options_json`: which store, how durable, and who this process is.

use std::ffi::CStr;

use ordo_storage::Durability;
use serde::Deserialize;

/// `"durability": "periodic"` flushes and `fsync`s every this many milliseconds unless
/// `"flush_every_ms"` says otherwise: a crash loses at most about this much of
/// acknowledged work, and a host sending many small requests shares one `fsync` per
/// interval instead of paying one per request.
pub(crate) const PERIODIC_FLUSH_EVERY_MS: u64 = 100;

/// The longest flush interval accepted (a minute).
const MAX_FLUSH_EVERY_MS: u64 = 60_000;

/// Who requests without a session are, in the audit trail, unless `"actor_name"` says.
const DEFAULT_ACTOR_NAME: &str = "c-api";

/// The longest `actor_name`, in characters.
const MAX_ACTOR_NAME_CHARS: usize = 64;

/// The largest `options_json`, in bytes (a few keys; anything larger is a mistake).
const MAX_OPTIONS_BYTES: usize = 4096;

/// Which store an engine runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreChoice {
    /// sled in `data_dir`, with this durability.
    Sled(Durability),
    /// In memory, gone when the engine is closed.
    Memory,
}

/// Checked options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// The store.
    pub(crate) store: StoreChoice,
    /// The local administrator's name for the audit trail.
    pub(crate) actor_name: String,
}

/// `options_json` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    store: Option<StoreWord>,
    durability: Option<DurabilityWord>,
    flush_every_ms: Option<u64>,
    actor_name: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum StoreWord {
    Sled,
    Memory,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum DurabilityWord {
    Immediate,
    Periodic,
}

impl Options {
    /// Parses `options_json` (NULL: the defaults).
    ///
    /// # Errors
    /// A message naming what is wrong: not UTF-8 or JSON, an unknown key (by name), a
    /// value of the wrong kind, or a combination that means nothing (`durability` with the
    /// memory store).
    pub(crate) fn parse(options_json: Option<&CStr>) -> Result<Options, String> {
        let written = match options_json {
            None => Written::default(),
            Some(text) => {
                if text.to_bytes().len() > MAX_OPTIONS_BYTES {
                    return Err(format!(
                        "options_json may have at most {MAX_OPTIONS_BYTES} bytes"
                    ));
                }
                let text = text
                    .to_str()
                    .map_err(|e| format!("options_json is not UTF-8: {e}"))?;
                serde_json::from_str(text).map_err(|e| format!("options_json: {e}"))?
            }
        };
        Ok(Options {
            store: store(&written)?,
            actor_name: actor_name(written.actor_name.as_deref())?,
        })
    }
}

/// The store the options ask for.
fn store(written: &Written) -> Result<StoreChoice, String> {
    let flush_every_ms = match written.flush_every_ms {
        None => PERIODIC_FLUSH_EVERY_MS,
        Some(ms) if (1..=MAX_FLUSH_EVERY_MS).contains(&ms) => ms,
        Some(ms) => {
            return Err(format!(
                "options_json: flush_every_ms must be 1 to {MAX_FLUSH_EVERY_MS}, not {ms}"
            ));
        }
    };
    match (written.store, written.durability, written.flush_every_ms) {
        (Some(StoreWord::Memory), None, None) => Ok(StoreChoice::Memory),
        (Some(StoreWord::Memory), _, _) => Err(
            "options_json: durability and flush_every_ms apply to the sled store, not to \"memory\""
                .to_string(),
        ),
        (_, None | Some(DurabilityWord::Immediate), None) => {
            Ok(StoreChoice::Sled(Durability::Immediate))
        }
        (_, None | Some(DurabilityWord::Immediate), Some(_)) => Err(
            "options_json: flush_every_ms applies to \"durability\": \"periodic\" only".to_string(),
        ),
        (_, Some(DurabilityWord::Periodic), _) => {
            Ok(StoreChoice::Sled(Durability::Periodic { flush_every_ms }))
        }
    }
}

/// The audit trail's name for this process: one line of 1 to 64 characters.
fn actor_name(written: Option<&str>) -> Result<String, String> {
    let Some(name) = written else {
        return Ok(DEFAULT_ACTOR_NAME.to_string());
    };
    let name = name.trim();
    if name.is_empty() {
        return Err("options_json: actor_name must not be empty".to_string());
    }
    if name.chars().count() > MAX_ACTOR_NAME_CHARS {
        return Err(format!(
            "options_json: actor_name may have at most {MAX_ACTOR_NAME_CHARS} characters"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("options_json: actor_name must not contain control characters".to_string());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Options, String> {
        let text = std::ffi::CString::new(json).unwrap();
        Options::parse(Some(&text))
    }

    #[test]
    fn null_means_a_durable_sled_store_as_c_api() {
        let options = Options::parse(None).unwrap();
        assert_eq!(options.store, StoreChoice::Sled(Durability::Immediate));
        assert_eq!(options.actor_name, "c-api");
        assert_eq!(parse("{}").unwrap(), options);
    }

    #[test]
    fn every_key_is_read() {
        let options =
            parse(r#"{"durability": "periodic", "actor_name": "pos-3", "store": "sled"}"#).unwrap();
        assert_eq!(
            options.store,
            StoreChoice::Sled(Durability::Periodic {
                flush_every_ms: PERIODIC_FLUSH_EVERY_MS
            })
        );
        assert_eq!(options.actor_name, "pos-3");
        let options = parse(r#"{"durability": "periodic", "flush_every_ms": 20}"#).unwrap();
        assert_eq!(
            options.store,
            StoreChoice::Sled(Durability::Periodic { flush_every_ms: 20 })
        );
        assert_eq!(
            parse(r#"{"store": "memory"}"#).unwrap().store,
            StoreChoice::Memory
        );
    }

    #[test]
    fn an_unknown_key_is_named() {
        let error = parse(r#"{"store": "memory", "durabilty": "periodic"}"#).unwrap_err();
        assert!(error.contains("unknown field `durabilty`"), "{error}");
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        for (json, says) in [
            (
                r#"{"store": "memory", "durability": "periodic"}"#,
                "sled store",
            ),
            (r#"{"flush_every_ms": 10}"#, "periodic"),
            (
                r#"{"durability": "periodic", "flush_every_ms": 0}"#,
                "1 to 60000",
            ),
            (r#"{"store": "postgres"}"#, "unknown variant"),
            (r#"{"actor_name": " "}"#, "empty"),
            (r#"{"actor_name": "a\nb"}"#, "control"),
            (r#"{"actor_name": 7}"#, "invalid type"),
            ("[1, 2]", "options_json"),
            ("nope", "options_json"),
        ] {
            let error = parse(json).unwrap_err();
            assert!(error.contains(says), "{json}: {error}");
        }
        let long = format!(r#"{{"actor_name": "{}"}}"#, "x".repeat(65));
        assert!(parse(&long).unwrap_err().contains("at most 64"));
        let huge = format!(r#"{{"actor_name": "{}"}}"#, "x".repeat(5000));
        assert!(parse(&huge).unwrap_err().contains("4096 bytes"));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let text = std::ffi::CString::new(deep).unwrap();
        assert!(Options::parse(Some(&text)).is_err());
        let not_utf8 = std::ffi::CString::new(vec![b'{', 0xff, b'}']).unwrap();
        assert!(
            Options::parse(Some(&not_utf8))
                .unwrap_err()
                .contains("not UTF-8")
        );
    }
}
