//! The one place that turns values into stored bytes and back.
//!
//! Every stored value starts with a two-byte envelope: a *format* byte naming the
//! serialization (`1` = bincode 2.0.1, serde, `config::standard()`: little-endian, varint
//! integers) and a *schema version* byte naming the shape of the Rust types encoded after
//! it. Anything that does not decode — a short value, an unknown format or schema version,
//! bytes that bincode rejects, trailing bytes after the value — is reported as
//! [`StoreError::Corrupted`] naming the key, never skipped and never a panic.
//!
//! Moving to another serialization (postcard has a documented stable wire format) means a
//! new format byte here and a migration; nothing outside this module knows about bincode.
//! See `docs/storage-format.md` for the layout of each tree.
//!
//! Public for the other backends (`ordo-postgres`), which store records, audit entries and
//! report counters in exactly these bytes, so a value means the same thing everywhere and
//! a store moves between backends unchanged.

use bincode::config::{self, Configuration, LittleEndian, Varint};
use serde::Serialize;
use serde::de::DeserializeOwned;

use ordo_core::audit::AuditEntry;
use ordo_core::outbox::OutboxMessage;
use ordo_core::store::{Record, StoreError, legacy};

/// Format byte: bincode 2.0.1 through serde with `config::standard()`.
pub(crate) const FORMAT_BINCODE2: u8 = 1;

/// Version of the encoded types' shape. Bump it (with a migration) whenever a stored type
/// changes in a way bincode cannot read from old bytes (any field added, removed,
/// reordered or retyped; any enum variant inserted before another).
pub(crate) const SCHEMA_VERSION: u8 = 4;

/// The oldest schema version [`upgrade_value`] reads (see `ordo_core::store::legacy`).
pub(crate) const OLDEST_SCHEMA_VERSION: u8 = 1;

/// Length of the envelope in front of every value.
pub(crate) const ENVELOPE_LEN: usize = 2;

/// The largest value this store writes or reads (payload after the envelope). Decoding
/// with this limit means a corrupted length prefix cannot make bincode allocate gigabytes:
/// it fails with a "limit exceeded" error instead. The wire format is that of
/// `config::standard()`; the limit only bounds decoding.
pub(crate) const MAX_VALUE_BYTES: usize = 16 * 1024 * 1024;

type Standard = Configuration<LittleEndian, Varint, config::Limit<MAX_VALUE_BYTES>>;

fn standard() -> Standard {
    config::standard().with_limit::<MAX_VALUE_BYTES>()
}

/// Something that went wrong turning a value into bytes: a bug or an oversized value, not
/// a problem with stored data.
fn encode_failed(what: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("cannot encode {what}: {reason}"))
}

fn corrupted(key: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupted {
        key: key.to_string(),
        reason: reason.into(),
    }
}

/// `envelope ‖ bincode(value)`.
fn encode<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<Vec<u8>, StoreError> {
    let mut bytes = vec![FORMAT_BINCODE2, SCHEMA_VERSION];
    let payload =
        bincode::serde::encode_to_vec(value, standard()).map_err(|e| encode_failed(what, e))?;
    if payload.len() > MAX_VALUE_BYTES {
        return Err(encode_failed(
            what,
            format!(
                "{} bytes is more than the {MAX_VALUE_BYTES} a stored value may have",
                payload.len()
            ),
        ));
    }
    bytes.extend_from_slice(&payload);
    Ok(bytes)
}

/// Checks the envelope and returns the payload after it.
fn payload<'a>(key: &str, bytes: &'a [u8]) -> Result<&'a [u8], StoreError> {
    match schema_of(key, bytes)? {
        SCHEMA_VERSION => Ok(bytes.get(ENVELOPE_LEN..).unwrap_or_default()),
        schema => Err(corrupted(
            key,
            format!(
                "unknown schema version {schema} (this build reads {SCHEMA_VERSION}); \
                 the data was written by another version of ordo"
            ),
        )),
    }
}

/// The schema version in a value's envelope (any version, as long as the envelope is
/// well-formed and the format is known).
///
/// # Errors
/// `Corrupted` naming `key` for a short value or an unknown format.
pub(crate) fn schema_of(key: &str, bytes: &[u8]) -> Result<u8, StoreError> {
    let (Some(&format), Some(&schema)) = (bytes.first(), bytes.get(1)) else {
        return Err(corrupted(
            key,
            format!(
                "value is {} bytes, shorter than its {ENVELOPE_LEN}-byte envelope",
                bytes.len()
            ),
        ));
    };
    if format != FORMAT_BINCODE2 {
        return Err(corrupted(
            key,
            format!("unknown value format {format} (this build reads {FORMAT_BINCODE2})"),
        ));
    }
    Ok(schema)
}

/// Decodes a whole value: the envelope, then exactly one `T` and nothing after it.
fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, StoreError> {
    decode_payload(key, payload(key, bytes)?)
}

/// Decodes exactly one `T` from a payload (the bytes after the envelope).
fn decode_payload<T: DeserializeOwned>(key: &str, payload: &[u8]) -> Result<T, StoreError> {
    let (value, used) = bincode::serde::decode_from_slice::<T, _>(payload, standard())
        .map_err(|e| corrupted(key, format!("does not decode: {e}")))?;
    if used != payload.len() {
        return Err(corrupted(
            key,
            format!(
                "{} unexpected bytes after the value",
                payload.len().saturating_sub(used)
            ),
        ));
    }
    Ok(value)
}

/// A record value: `envelope ‖ bincode((version, record))`.
///
/// # Errors
/// `Io` if the record cannot be encoded (a bug) or is too large.
pub fn encode_record(version: u64, record: &Record) -> Result<Vec<u8>, StoreError> {
    encode("record", &(version, record))
}

/// Decodes a record value. A value of an older schema this build upgrades from is read
/// through its frozen shapes and upgraded on the way (a sled store rewrites every value
/// when it opens; a PostgreSQL store rewrites a record the next time it is written).
///
/// # Errors
/// `Corrupted` naming `key` if the bytes are not a record value.
pub fn decode_record(key: &str, bytes: &[u8]) -> Result<(u64, Record), StoreError> {
    match schema_of(key, bytes)? {
        SCHEMA_VERSION => decode(key, bytes),
        schema if (OLDEST_SCHEMA_VERSION..SCHEMA_VERSION).contains(&schema) => {
            decode_legacy_record(key, schema, bytes.get(ENVELOPE_LEN..).unwrap_or_default())
        }
        _ => decode(key, bytes),
    }
}

/// Only the version of a record value (the writer's version check), without decoding the
/// record: bincode encodes a tuple as its fields in order, so the version comes first.
///
/// # Errors
/// `Corrupted` naming `key` if the envelope or the version does not decode.
pub(crate) fn decode_record_version(key: &str, bytes: &[u8]) -> Result<u64, StoreError> {
    let payload = payload(key, bytes)?;
    bincode::serde::decode_from_slice::<u64, _>(payload, standard())
        .map(|(version, _)| version)
        .map_err(|e| corrupted(key, format!("version does not decode: {e}")))
}

/// An index entry's value: `envelope ‖ bincode(id)`.
///
/// # Errors
/// `Io` only on an encoder bug.
pub(crate) fn encode_id(id: u64) -> Result<Vec<u8>, StoreError> {
    encode("index id", &id)
}

/// Decodes an index entry's value.
///
/// # Errors
/// `Corrupted` naming `key`.
pub(crate) fn decode_id(key: &str, bytes: &[u8]) -> Result<u64, StoreError> {
    decode(key, bytes)
}

/// A counter in the meta tree (last sequence, format version).
///
/// # Errors
/// `Io` only on an encoder bug.
pub(crate) fn encode_counter(value: u64) -> Result<Vec<u8>, StoreError> {
    encode("counter", &value)
}

/// Decodes a counter.
///
/// # Errors
/// `Corrupted` naming `key`.
pub(crate) fn decode_counter(key: &str, bytes: &[u8]) -> Result<u64, StoreError> {
    decode(key, bytes)
}

/// A report counter's value: `envelope ‖ the 16 bytes of `Decimal::serialize``, exact
/// and of fixed size (a decimal string would be longer and slower to add to).
///
/// # Errors
/// `Io` only on an encoder bug.
pub fn encode_amount(value: rust_decimal::Decimal) -> Result<Vec<u8>, StoreError> {
    encode("report counter", &value.serialize())
}

/// Decodes a report counter's value. `key` names the value in an error only, so a scan
/// over many counters formats no label unless one of them is bad.
///
/// # Errors
/// `Corrupted` naming `key()` (also for bytes no decimal has, such as a scale above 28).
pub fn decode_amount(
    key: impl Fn() -> String,
    bytes: &[u8],
) -> Result<rust_decimal::Decimal, StoreError> {
    // The fast path: today's envelope and the 16 raw bytes bincode writes for `[u8; 16]`.
    let raw: [u8; 16] = match bytes {
        [FORMAT_BINCODE2, SCHEMA_VERSION, rest @ ..] if rest.len() == 16 => {
            let mut raw = [0; 16];
            raw.copy_from_slice(rest);
            raw
        }
        _ => decode(&key(), bytes)?,
    };
    // `Decimal::deserialize` masks out what it cannot hold; refuse bytes it would change.
    let value = rust_decimal::Decimal::deserialize(raw);
    if value.serialize() != raw {
        return Err(corrupted(&key(), "not a decimal"));
    }
    Ok(value)
}

/// A marker value that carries no data (entries of the audit-by-subject tree): the bare
/// envelope, so even these are versioned.
pub(crate) fn encode_marker() -> Vec<u8> {
    vec![FORMAT_BINCODE2, SCHEMA_VERSION]
}

/// Checks a marker value.
///
/// # Errors
/// `Corrupted` naming `key` if it is anything but a bare envelope.
pub(crate) fn decode_marker(key: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let rest = payload(key, bytes)?;
    if rest.is_empty() {
        Ok(())
    } else {
        Err(corrupted(
            key,
            format!("marker has {} unexpected bytes", rest.len()),
        ))
    }
}

/// An audit entry value.
///
/// # Errors
/// `Io` if it cannot be encoded.
pub fn encode_audit(entry: &AuditEntry) -> Result<Vec<u8>, StoreError> {
    encode("audit entry", entry)
}

/// Decodes an audit entry value.
///
/// # Errors
/// `Corrupted` naming `key`.
pub fn decode_audit(key: &str, bytes: &[u8]) -> Result<AuditEntry, StoreError> {
    // Audit entries kept their shape since schema 1 (actions and events only gained
    // variants at the end), so an older envelope is read as today's.
    match schema_of(key, bytes)? {
        schema if (OLDEST_SCHEMA_VERSION..SCHEMA_VERSION).contains(&schema) => {
            decode_payload(key, bytes.get(ENVELOPE_LEN..).unwrap_or_default())
        }
        _ => decode(key, bytes),
    }
}

/// An outbox message value.
///
/// # Errors
/// `Io` if it cannot be encoded.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn encode_outbox(message: &OutboxMessage) -> Result<Vec<u8>, StoreError> {
    encode("outbox message", message)
}

/// Decodes an outbox message value.
///
/// # Errors
/// `Corrupted` naming `key`.
pub(crate) fn decode_outbox(key: &str, bytes: &[u8]) -> Result<OutboxMessage, StoreError> {
    decode(key, bytes)
}

/// What a tree holds, as far as upgrading its values is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// `(version, Record)`.
    Record,
    /// An index id.
    Id,
    /// An audit entry.
    Audit,
    /// A bare envelope.
    Marker,
    /// An outbox message.
    Outbox,
    /// A counter.
    Counter,
    /// A report counter (exact decimal).
    Amount,
}

/// A value of an older schema version rewritten for this one, or `None` if it already is
/// of this version. Records are decoded with the frozen shapes of their version
/// (`ordo_core::store::legacy`) and upgraded; the other values kept their shape since
/// version 1 (audit actions and domain events only gained variants at the end), so they
/// are checked against today's types and given today's envelope.
///
/// # Errors
/// `Corrupted` naming `key` for an unknown version or bytes that do not decode under it.
pub(crate) fn upgrade_value(
    kind: ValueKind,
    key: &str,
    bytes: &[u8],
) -> Result<Option<Vec<u8>>, StoreError> {
    let schema = schema_of(key, bytes)?;
    if schema == SCHEMA_VERSION {
        return Ok(None);
    }
    if !(OLDEST_SCHEMA_VERSION..SCHEMA_VERSION).contains(&schema) {
        return Err(corrupted(
            key,
            format!(
                "schema version {schema} is neither this build's ({SCHEMA_VERSION}) nor one \
                 it upgrades from ({OLDEST_SCHEMA_VERSION} and later)"
            ),
        ));
    }
    let mut current = bytes.to_vec();
    if let Some(byte) = current.get_mut(1) {
        *byte = SCHEMA_VERSION;
    }
    let upgraded = match kind {
        ValueKind::Record => {
            let payload = bytes.get(ENVELOPE_LEN..).unwrap_or_default();
            let (version, record) = decode_legacy_record(key, schema, payload)?;
            encode_record(version, &record)?
        }
        ValueKind::Id => {
            decode_id(key, &current)?;
            current
        }
        ValueKind::Audit => {
            decode_audit(key, &current)?;
            current
        }
        ValueKind::Marker => {
            decode_marker(key, &current)?;
            current
        }
        ValueKind::Outbox => {
            decode_outbox(key, &current)?;
            current
        }
        ValueKind::Counter => {
            decode_counter(key, &current)?;
            current
        }
        ValueKind::Amount => {
            decode_amount(|| key.to_string(), &current)?;
            current
        }
    };
    Ok(Some(upgraded))
}

/// A record value of an older schema (`schema` < [`SCHEMA_VERSION`]), decoded with the
/// frozen shapes of that version and upgraded to today's record.
fn decode_legacy_record(
    key: &str,
    schema: u8,
    payload: &[u8],
) -> Result<(u64, Record), StoreError> {
    match schema {
        1 => decode_payload::<(u64, legacy::v1::Record)>(key, payload)
            .map(|(version, record)| (version, legacy::v1::upgrade(record))),
        2 => decode_payload::<(u64, legacy::v2::Record)>(key, payload)
            .map(|(version, record)| (version, legacy::v2::upgrade(record))),
        3 => decode_payload::<(u64, legacy::v3::Record)>(key, payload)
            .map(|(version, record)| (version, legacy::v3::upgrade(record))),
        other => Err(corrupted(
            key,
            format!("no upgrade from schema version {other} to {SCHEMA_VERSION}"),
        )),
    }
}

/// A counter of any schema version this build reads or upgrades (the storage format
/// version must be read before a migration has run).
///
/// # Errors
/// `Corrupted` naming `key`.
pub(crate) fn decode_counter_any_schema(key: &str, bytes: &[u8]) -> Result<u64, StoreError> {
    match upgrade_value(ValueKind::Counter, key, bytes)? {
        Some(upgraded) => decode_counter(key, &upgraded),
        None => decode_counter(key, bytes),
    }
}

#[cfg(test)]
mod tests {
    use ordo_core::ids::ProductId;
    use ordo_core::inventory::Stock;
    use ordo_core::store::{IdempotencyRecord, Record};

    use super::*;

    fn sample() -> Record {
        Record::Idempotency(IdempotencyRecord {
            key: "retry-1".into(),
            fingerprint: "fp".into(),
            order: ordo_core::ids::OrderId(7),
            created_at: ordo_core::clock::Timestamp(0),
        })
    }

    fn assert_corrupted(result: Result<impl std::fmt::Debug, StoreError>, key: &str) -> String {
        match result {
            Err(StoreError::Corrupted { key: k, reason }) => {
                assert_eq!(k, key);
                reason
            }
            other => panic!("expected Corrupted for {key}, got {other:?}"),
        }
    }

    #[test]
    fn records_round_trip_with_their_version() {
        for record in [sample(), Record::Stock(Stock::empty(ProductId(3)))] {
            let bytes = encode_record(42, &record).unwrap();
            assert_eq!(&bytes[..2], &[FORMAT_BINCODE2, SCHEMA_VERSION]);
            assert_eq!(decode_record("k", &bytes).unwrap(), (42, record));
            assert_eq!(decode_record_version("k", &bytes).unwrap(), 42);
        }
    }

    /// What could not be read back is not written: a money amount beyond the bound (which
    /// no engine path can make) is refused by the encoder, not stored as a time bomb.
    #[test]
    fn a_value_that_would_not_decode_is_not_encoded() {
        use ordo_core::money::{Currency, Money, RoundingMode};
        use ordo_core::pricing::{PricingSettings, ShippingMethod, ShippingRates, TaxRates};
        let huge = Money::out_of_bounds_for_tests(1_800_000_005.into(), Currency::USD);
        let fees = ShippingRates::new(vec![(ShippingMethod::Standard, huge)]);
        let settings = PricingSettings::new(TaxRates::default(), fees, RoundingMode::HalfUp);
        match encode_record(1, &Record::PricingSettings(settings)) {
            Err(StoreError::Io(reason)) => assert!(reason.contains("cannot be stored"), "{reason}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn every_truncation_of_a_record_is_corrupted() {
        let bytes = encode_record(300, &sample()).unwrap();
        for len in 0..bytes.len() {
            let reason = assert_corrupted(decode_record("order/7", &bytes[..len]), "order/7");
            assert!(!reason.is_empty());
        }
        assert_corrupted(decode_record_version("v", &bytes[..1]), "v");
        assert_corrupted(decode_record_version("v", &bytes[..2]), "v");
    }

    #[test]
    fn unknown_format_or_schema_version_is_corrupted() {
        let mut bytes = encode_record(1, &sample()).unwrap();
        bytes[1] = SCHEMA_VERSION + 1;
        let reason = assert_corrupted(decode_record("a", &bytes), "a");
        assert!(reason.contains("schema version"), "{reason}");
        bytes[1] = SCHEMA_VERSION;
        bytes[0] = 0xEE;
        let reason = assert_corrupted(decode_record("a", &bytes), "a");
        assert!(reason.contains("format"), "{reason}");
        assert_corrupted(decode_record_version("a", &bytes), "a");
    }

    #[test]
    fn garbage_is_corrupted_never_a_panic() {
        // A deterministic spread of garbage: huge length prefixes, bad enum tags, invalid
        // UTF-8, all behind a valid envelope so bincode itself must reject them.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for len in 0..400 {
            let mut bytes = vec![FORMAT_BINCODE2, SCHEMA_VERSION];
            for _ in 0..len % 97 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(state as u8);
            }
            // Any outcome but a panic or an allocation failure is fine; a success must
            // re-encode to the same bytes (nothing skipped or invented).
            if let Ok((version, record)) = decode_record("g", &bytes) {
                assert_eq!(encode_record(version, &record).unwrap(), bytes);
            }
            let _ = decode_audit("g", &bytes);
            let _ = decode_outbox("g", &bytes);
            let _ = decode_id("g", &bytes);
        }
        // A length prefix of u64::MAX (varint tag 253) for the idempotency key string.
        let mut huge = vec![FORMAT_BINCODE2, SCHEMA_VERSION, 1, 4, 253];
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_corrupted(decode_record("huge", &huge), "huge");
    }

    #[test]
    fn trailing_bytes_are_corrupted() {
        let mut bytes = encode_id(9).unwrap();
        assert_eq!(decode_id("i", &bytes).unwrap(), 9);
        bytes.push(0);
        let reason = assert_corrupted(decode_id("i", &bytes), "i");
        assert!(reason.contains("unexpected bytes"), "{reason}");
    }

    #[test]
    fn markers_and_counters_are_enveloped() {
        assert_eq!(decode_marker("m", &encode_marker()), Ok(()));
        assert_corrupted(decode_marker("m", &[FORMAT_BINCODE2]), "m");
        assert_corrupted(
            decode_marker("m", &[FORMAT_BINCODE2, SCHEMA_VERSION, 0]),
            "m",
        );
        let bytes = encode_counter(u64::MAX).unwrap();
        assert_eq!(decode_counter("c", &bytes).unwrap(), u64::MAX);
        assert_corrupted(decode_counter("c", &bytes[..3]), "c");
    }
}
