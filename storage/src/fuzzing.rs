//! The bodies of the `record_decode` and `log_recovery` fuzz targets, in the library so
//! `cargo test` replays the committed corpora through the same code (see FUZZING.md).

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

/// Reads `data[1..]` as the active segment of a commit log whose first position is 1, with
/// `data[0] % 4` as the position the last checkpoint reached, by the rules `SledStore::open`
/// recovers with. It may fail (with `Corrupted` only) but must never panic; the records it
/// hands on must have the positions after the checkpoint, one after another; and reading
/// again only the bytes it kept (as the cut leaves the file) must hand on the same records
/// and keep every byte.
pub fn log_recovery(data: &[u8]) {
    use crate::wal::{LogRecord, Scan};
    let Some((&first_byte, bytes)) = data.split_first() else {
        return;
    };
    let checkpointed = u64::from(first_byte % 4);
    let read = |bytes: &[u8]| {
        let mut scan = Scan::after(checkpointed);
        let mut records: Vec<LogRecord> = Vec::new();
        let end = scan.segment(bytes, 1, true, "fuzz", &mut |record| {
            records.push(record);
            Ok(())
        });
        (end, scan, records)
    };
    let (end, scan, records) = read(bytes);
    let end = match end {
        Ok(end) => end,
        Err(StoreError::Corrupted { .. }) => return,
        Err(other) => panic!("recovery failed with a non-corruption error: {other}"),
    };
    for (n, record) in records.iter().enumerate() {
        if record.position != checkpointed + 1 + n as u64 {
            panic!("replayed position {} as record {n}", record.position);
        }
    }
    if scan.replayed != records.len() as u64 {
        panic!(
            "counted {} replayed, handed on {}",
            scan.replayed,
            records.len()
        );
    }
    let Some(kept) = bytes.get(..end.offset()) else {
        panic!("the end {end:?} lies outside {} bytes", bytes.len());
    };
    let (again, _, records_again) = read(kept);
    match again {
        Ok(crate::wal::SegmentEnd::Whole(offset)) if offset == kept.len() => {}
        other => panic!("reading what was kept again ended {other:?}"),
    }
    if records_again != records {
        panic!("reading what was kept again handed on other records");
    }
}

/// Valid commit log segments, as seeds for the `log_recovery` corpus (each with the
/// checkpoint byte first): three marked records, the same unmarked (format 8), and marks
/// that lag their positions as `Periodic` mode's do.
///
/// # Errors
/// Only if encoding fails.
pub fn seed_logs() -> Result<Vec<Vec<u8>>, StoreError> {
    use crate::layout::{self, Slot};
    use crate::wal::{self, LogRecord};
    let record = |position: u64, durable: u64| LogRecord {
        position,
        id_high: position * 3,
        durable: Some(durable),
        changes: vec![
            (
                layout::META,
                b"last_id".to_vec(),
                Some(position.to_le_bytes().to_vec()),
            ),
            (Slot(20), format!("key {position}").into_bytes(), None),
            (
                layout::record_slot(ordo_core::store::RecordKind::Order),
                position.to_be_bytes().to_vec(),
                Some(vec![1, 4, 0, position as u8]),
            ),
        ],
    };
    let marked = |marks: &[u64]| -> Result<Vec<u8>, StoreError> {
        let mut out = vec![0];
        for (n, mark) in marks.iter().enumerate() {
            let r = record(n as u64 + 1, *mark);
            out.extend(wal::encode(r.position, r.id_high, *mark, &r.changes)?);
        }
        Ok(out)
    };
    let mut unmarked = vec![1];
    for position in 1..=3 {
        unmarked.extend(wal::encode_format_8(&record(position, 0))?);
    }
    Ok(vec![
        marked(&[0, 1, 2])?,
        unmarked,
        marked(&[0, 0, 0, 3, 3, 3])?,
    ])
}

#[cfg(test)]
mod tests {
    // Test code: a failed expectation is a failed test.
    #![allow(clippy::unwrap_used)]

    use crate::wal::{Scan, SegmentEnd};

    /// The seeds are whole logs: every record is read, nothing is cut (so the fuzzer starts
    /// from inputs that reach the replay, not only the damage paths).
    #[test]
    fn the_log_seeds_are_read_whole() {
        let mut replayed = Vec::new();
        for seed in super::seed_logs().unwrap() {
            super::log_recovery(&seed);
            let mut scan = Scan::after(u64::from(seed[0] % 4));
            let end = scan
                .segment(&seed[1..], 1, true, "seed", &mut |_| Ok(()))
                .unwrap();
            assert_eq!(end, SegmentEnd::Whole(seed.len() - 1));
            replayed.push(scan.replayed);
        }
        assert_eq!(replayed, [3, 2, 6]);
    }
}
