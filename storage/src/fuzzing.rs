//! The body of the `record_decode` fuzz target, in the library so `cargo test` replays the
//! committed corpus through the same code (see FUZZING.md).

// A panic is how a fuzz target reports a bug.
#![allow(clippy::panic)]

use ordo_core::store::StoreError;

use crate::codec;

/// Decodes `data` as every kind of stored value. Decoding may fail — with `Corrupted` only —
/// but must never panic; a value that decodes must re-encode to bytes that decode the same.
pub fn decode_everything(data: &[u8]) {
    let corrupted_only = |result: Result<(), StoreError>| {
        if let Err(e) = result
            && !matches!(e, StoreError::Corrupted { .. })
        {
            panic!("decoding failed with a non-corruption error: {e}");
        }
    };
    corrupted_only(
        codec::decode_record("fuzz", data).and_then(|(version, record)| {
            let again = codec::encode_record(version, &record)?;
            let (version2, record2) = codec::decode_record("fuzz", &again)?;
            if (version2, &record2) != (version, &record) {
                panic!("record did not round-trip: {record:?}");
            }
            Ok(())
        }),
    );
    corrupted_only(codec::decode_record_version("fuzz", data).map(drop));
    corrupted_only(codec::decode_id("fuzz", data).map(drop));
    corrupted_only(codec::decode_counter("fuzz", data).map(drop));
    corrupted_only(codec::decode_marker("fuzz", data));
    corrupted_only(codec::decode_audit("fuzz", data).map(drop));
    corrupted_only(codec::decode_outbox("fuzz", data).map(drop));
}

/// Valid encodings of every value kind, as seeds for the fuzzer's corpus: a record of each
/// kind the engine writes, an index id, a counter, a marker, an audit entry, an outbox message.
///
/// # Errors
/// Only if encoding fails.
pub fn seed_values() -> Result<Vec<Vec<u8>>, StoreError> {
    use ordo_core::store::{Record, RecordKind, Store};
    use ordo_core::testkit::sample;
    let store = std::sync::Arc::new(ordo_core::store::MemoryStore::new());
    let (engine, _clock) = sample::engine(store.clone(), 3);
    let admin = sample::admin();
    let fail = |e: ordo_core::Error| StoreError::Io(e.to_string());
    engine
        .create_product(&admin, sample::product("TEE", 1999))
        .map_err(fail)?;
    engine
        .restock(&admin, "TEE", "MAIN", 5, "seed")
        .map_err(fail)?;
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .map_err(fail)?;
    let mut request = ordo_core::engine::OrderRequest::simple(customer.id(), &[("TEE", 2)]);
    request.idempotency_key = Some("seed".into());
    engine.create_order(&admin, &request).map_err(fail)?;
    let mut values = Vec::new();
    for kind in [
        RecordKind::Product,
        RecordKind::Customer,
        RecordKind::Order,
        RecordKind::Stock,
        RecordKind::Idempotency,
        RecordKind::Delivery,
    ] {
        for versioned in store.scan(kind, None, 10)? {
            let record: &Record = &versioned.value;
            values.push(codec::encode_record(versioned.version, record)?);
        }
    }
    values.push(codec::encode_id(42)?);
    values.push(codec::encode_counter(7)?);
    values.push(codec::encode_marker());
    for entry in store.audit_for(ordo_core::audit::Subject::Customer(customer.id()), None, 10)? {
        values.push(codec::encode_audit(&entry)?);
    }
    // Format 3's outbox values (the migration still reads them).
    for delivery in sample::deliveries(&engine) {
        values.push(codec::encode_outbox(&ordo_core::outbox::OutboxMessage {
            sequence: delivery.id().0,
            at: delivery.created(),
            event: delivery.event().clone(),
        })?);
    }
    Ok(values)
}
