//! Upgrading a database written by an earlier version of ordo, at open.
//!
//! Storage format 2 (schema 1 values), format 3 (schema 2 values with an outbox), format 4
//! (delivery records, no shipments or report counters), format 5 (schema 2: products
//! without weight or dimensions) and format 6 (schema 3: shipments of order lines only)
//! become today's format (schema 4 values: a shipment may carry a return's replacement;
//! notifications are delivery records; shipment trees; report counters; formats 8 and 9
//! change only the commit log, so stores of format 7 and 8 are upgraded by moving their
//! version, at open, without this migration):
//!
//! 1. **A backup first.** After a flush, the data directory is copied file by file to
//!    `DIR.before-format-9` beside it (built as `….partial`, fsynced, then renamed in), so
//!    the previous release can open the copy as it was. A copy that already exists is
//!    kept: it is the state before the first attempt.
//! 2. **Every value is rewritten** tree by tree, in batches: records are decoded with the
//!    frozen shapes of their schema (1, 2 or 3) and upgraded (`ordo_core::store::legacy`),
//!    other values get today's envelope after a check that they decode. A value already at
//!    schema 4 is left alone, so a migration cut short by a crash simply runs again at the next open.
//! 3. **The outbox is drained into deliveries.** Each message that was never acknowledged
//!    becomes the deliveries today's engine would have written for it
//!    (`ordo_core::delivery::recipients`, the customer as stored), in one sled transaction
//!    with the removal of the message, so a crash in the middle neither loses nor
//!    duplicates one. A message whose customer is gone is dropped with a warning.
//! 4. **The report counters are computed from the orders** (format 5 added them): the
//!    counters tree is emptied and filled with the sum of every order's contribution, so a
//!    migration cut short simply computes them again.
//! 5. **The format version moves last**, after a flush: until it says the current version
//!    the database is treated as not (fully) migrated.

use std::path::{Path, PathBuf};

use ordo_core::store::StoreError;

use crate::codec::{self, ValueKind};
use crate::error::{from_io, from_sled};
use crate::layout::{self, Content, Trees};

/// The oldest storage format this build migrates from (every one up to the current).
pub(crate) const OLDEST_FORMAT_VERSION: u64 = 2;

/// Values rewritten per sled batch.
const BATCH: usize = 1000;

/// What a migration did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Migrated {
    /// Values rewritten.
    pub(crate) values: u64,
    /// Where the copy of the database as it was lies (none for a store without a directory).
    pub(crate) backup: Option<PathBuf>,
}

/// Upgrades the database from [`OLDEST_FORMAT_VERSION`] to the current format.
///
/// # Errors
/// `Io` if the backup copy cannot be made or sled fails; `Corrupted` naming the first value
/// that does not decode under its schema (nothing is half-upgraded: values rewritten so far
/// stay valid, and the format version is not moved).
pub(crate) fn migrate(
    db: &sled::Db,
    trees: &Trees,
    dir: Option<&Path>,
) -> Result<Migrated, StoreError> {
    db.flush().map_err(from_sled)?;
    let backup = match dir {
        Some(dir) => Some(copy_beside(dir)?),
        None => None,
    };
    let mut values = 0;
    for (slot, tree) in trees.iter() {
        let Some(kind) = layout::content(slot).map(Content::value_kind) else {
            continue;
        };
        values += rewrite(tree, slot, kind)?;
    }
    db.flush().map_err(from_sled)?;
    values += drain_outbox(trees)?;
    values += count_orders(trees)?;
    db.flush().map_err(from_sled)?;
    trees
        .tree(layout::META)
        .insert(
            layout::META_FORMAT_VERSION,
            codec::encode_counter(layout::STORAGE_FORMAT_VERSION)?,
        )
        .map_err(from_sled)?;
    db.flush().map_err(from_sled)?;
    tracing::info!(
        values,
        backup = ?backup,
        "migrated the database to storage format {}",
        layout::STORAGE_FORMAT_VERSION
    );
    Ok(Migrated { values, backup })
}

/// Rewrites the values of one tree that are not of the current schema; returns how many.
fn rewrite(tree: &sled::Tree, slot: layout::Slot, kind: ValueKind) -> Result<u64, StoreError> {
    let mut rewritten: u64 = 0;
    let mut batch = sled::Batch::default();
    let mut pending = 0;
    for item in tree.iter() {
        let (key, value) = item.map_err(from_sled)?;
        let label = format!(
            "{}/{}",
            layout::tree_names().get(slot.0).copied().unwrap_or("?"),
            layout::hex(&key)
        );
        if let Some(upgraded) = codec::upgrade_value(kind, &label, &value)? {
            batch.insert(key, upgraded);
            pending += 1;
        }
        if pending == BATCH {
            tree.apply_batch(std::mem::take(&mut batch))
                .map_err(from_sled)?;
            rewritten += pending as u64;
            pending = 0;
        }
    }
    if pending > 0 {
        tree.apply_batch(batch).map_err(from_sled)?;
        rewritten += pending as u64;
    }
    Ok(rewritten)
}

/// Computes the report counters from the orders (step 4): formats before 5 kept none. The
/// counters tree is emptied first, so a migration cut short runs this again from scratch;
/// each counter is the sum of every order's contribution, as the engine keeps them
/// (`ordo_core::engine::report_counters`). Returns how many counters it wrote.
fn count_orders(trees: &Trees) -> Result<u64, StoreError> {
    use ordo_core::store::{Record, RecordKind};
    use rust_decimal::Decimal;

    let counters = trees.tree(layout::COUNTERS);
    counters.clear().map_err(from_sled)?;
    let mut sums: std::collections::BTreeMap<Vec<u8>, Decimal> = Default::default();
    for item in trees.records(RecordKind::Order).iter() {
        let (key, value) = item.map_err(from_sled)?;
        let label = format!("orders/{}", layout::hex(&key));
        if let (_, Record::Order(order)) = codec::decode_record(&label, &value)? {
            for (counter, amount) in ordo_core::engine::report_counters::contribution(&order) {
                *sums.entry(counter).or_default() += amount;
            }
        }
    }
    let mut batch = sled::Batch::default();
    let mut written = 0;
    for (counter, amount) in sums.into_iter().filter(|(_, amount)| !amount.is_zero()) {
        batch.insert(counter, codec::encode_amount(amount)?);
        written += 1;
    }
    counters.apply_batch(batch).map_err(from_sled)?;
    Ok(written)
}

/// Turns every outbox message into delivery records (step 3); returns how many deliveries.
fn drain_outbox(trees: &Trees) -> Result<u64, StoreError> {
    use ordo_core::delivery::{self, Delivery};
    use ordo_core::ids::DeliveryId;
    use ordo_core::store::{IndexName, Record, RecordKey, RecordKind, keys};
    use sled::Transactional;
    use sled::transaction::{ConflictableTransactionError, TransactionError};

    let outbox = trees.tree(layout::OUTBOX);
    let meta = trees.tree(layout::META);
    let deliveries = trees.records(RecordKind::Delivery);
    let queue = trees.index(IndexName::DeliveryQueue);
    let by_status = trees.index(IndexName::DeliveryByStatus);
    let id_offset = match meta.get(layout::META_ID_OFFSET).map_err(from_sled)? {
        Some(bytes) => codec::decode_counter("meta/id_offset", &bytes)?,
        None => 0,
    };
    let mut written = 0;
    for item in outbox.iter() {
        let (key, value) = item.map_err(from_sled)?;
        let label = format!("outbox/{}", layout::hex(&key));
        let message = codec::decode_outbox(&label, &value)?;
        let event = message.event;
        let customer_key = RecordKey::Customer(event.customer());
        let customer = match trees
            .records(RecordKind::Customer)
            .get(customer_key.id_bytes())
            .map_err(from_sled)?
        {
            Some(bytes) => match codec::decode_record(&customer_key.to_string(), &bytes)?.1 {
                Record::Customer(customer) => Some(customer),
                _ => None,
            },
            None => None,
        };
        let reference = match event.order() {
            Some(order) => {
                let order_key = RecordKey::Order(order);
                match trees
                    .records(RecordKind::Order)
                    .get(order_key.id_bytes())
                    .map_err(from_sled)?
                {
                    Some(bytes) => match codec::decode_record(&order_key.to_string(), &bytes)?.1 {
                        Record::Order(order) => order.reference().cloned(),
                        _ => None,
                    },
                    None => None,
                }
            }
            None => None,
        };
        let recipients = match &customer {
            Some(customer) => delivery::recipients(&event, customer, None),
            None => {
                tracing::warn!(
                    message = message.sequence,
                    "an outbox message about a customer that is gone was dropped"
                );
                Vec::new()
            }
        };
        let last_id = match meta.get(layout::META_LAST_ID).map_err(from_sled)? {
            Some(bytes) => codec::decode_counter("meta/last_id", &bytes)?,
            None => 0,
        }
        .max(id_offset);
        let mut rows = Vec::new();
        let mut next = last_id;
        for recipient in recipients {
            next = next
                .checked_add(1)
                .ok_or_else(|| StoreError::Io("ids are exhausted".to_string()))?;
            let delivery = Delivery::new(
                DeliveryId(next),
                message.at,
                event.clone(),
                reference.clone(),
                recipient,
            );
            let record_key = RecordKey::Delivery(delivery.id()).id_bytes();
            let entries = keys::delivery_entries(&delivery);
            rows.push((
                record_key,
                codec::encode_record(1, &Record::Delivery(delivery))?,
                entries,
            ));
        }
        let last = codec::encode_counter(next)?;
        let ids: Vec<Vec<u8>> = rows
            .iter()
            .flat_map(|(_, _, entries)| entries.iter().map(|e| codec::encode_id(e.id)))
            .collect::<Result<_, _>>()?;
        let result = (outbox, meta, deliveries, queue, by_status).transaction(
            |(outbox, meta, deliveries, queue, by_status)| {
                let mut ids = ids.iter();
                for (record_key, value, entries) in &rows {
                    deliveries.insert(record_key.as_slice(), value.as_slice())?;
                    for entry in entries {
                        let tree = match entry.index {
                            IndexName::DeliveryQueue => queue,
                            _ => by_status,
                        };
                        let id = ids.next().ok_or(ConflictableTransactionError::Abort(()))?;
                        tree.insert(entry.key.as_slice(), id.as_slice())?;
                    }
                }
                meta.insert(layout::META_LAST_ID, last.as_slice())?;
                outbox.remove(&key)?;
                Ok(())
            },
        );
        match result {
            Ok(()) => written += rows.len() as u64,
            Err(TransactionError::Storage(error)) => return Err(from_sled(error)),
            Err(TransactionError::Abort(())) => {
                return Err(StoreError::Io(format!(
                    "could not turn {label} into deliveries"
                )));
            }
        }
    }
    Ok(written)
}

/// The name of the copy a migration leaves beside `dir`.
pub(crate) fn backup_path(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "ordo-data".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(
        "{name}.before-format-{}",
        layout::STORAGE_FORMAT_VERSION
    ))
}

/// Copies `dir` to [`backup_path`] (unless that exists), durably.
fn copy_beside(dir: &Path) -> Result<PathBuf, StoreError> {
    let target = backup_path(dir);
    if target.exists() {
        return Ok(target);
    }
    let partial = target.with_extension("partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .map_err(|e| from_io(&format!("cannot remove {}", partial.display()), &e))?;
    }
    copy_dir(dir, &partial)?;
    std::fs::rename(&partial, &target)
        .map_err(|e| from_io(&format!("cannot rename {}", partial.display()), &e))?;
    if let Some(parent) = target.parent() {
        sync_path(parent)?;
    }
    Ok(target)
}

/// Copies the files of `from` (recursively) into a new directory `to`, fsyncing each file
/// and directory.
fn copy_dir(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::create_dir(to).map_err(|e| from_io(&format!("cannot create {}", to.display()), &e))?;
    let entries = std::fs::read_dir(from)
        .map_err(|e| from_io(&format!("cannot read {}", from.display()), &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| from_io(&format!("cannot read {}", from.display()), &e))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| from_io(&format!("cannot read {}", source.display()), &e))?;
        if kind.is_dir() {
            copy_dir(&source, &target)?;
        } else if kind.is_file() {
            std::fs::copy(&source, &target)
                .map_err(|e| from_io(&format!("cannot copy {}", source.display()), &e))?;
            sync_path(&target)?;
        }
    }
    sync_path(to)
}

fn sync_path(path: &Path) -> Result<(), StoreError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| from_io(&format!("cannot fsync {}", path.display()), &e))
}

#[cfg(test)]
mod tests {
    use ordo_core::ids::CustomerId;
    use ordo_core::store::{ALL_RECORD_KINDS, Store, legacy};
    use ordo_core::testkit::sample;

    use super::*;
    use crate::{Durability, SledStore, StoreConfig};

    /// A raw sled handle for building old-format stores in tests. sled's background
    /// threads can hold the directory lock for a moment after a `Db` is dropped, so this
    /// opens with retries and, when dropped, waits until the lock is free (as `SledStore`
    /// does), or the next open of the directory could fail as locked.
    pub(super) struct RawDb {
        db: Option<sled::Db>,
        dir: std::path::PathBuf,
    }

    impl std::ops::Deref for RawDb {
        type Target = sled::Db;
        fn deref(&self) -> &sled::Db {
            self.db.as_ref().expect("open until dropped")
        }
    }

    impl Drop for RawDb {
        fn drop(&mut self) {
            drop(self.db.take());
            assert!(
                crate::store::wait_for_unlock(&self.dir, std::time::Duration::from_secs(10)),
                "the database lock was not released"
            );
        }
    }

    /// Opens `dir` with sled directly, retrying while a dropped handle still holds the lock.
    pub(super) fn open_raw(dir: &Path) -> RawDb {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match sled::open(dir) {
                Ok(db) => {
                    return RawDb {
                        db: Some(db),
                        dir: dir.to_path_buf(),
                    };
                }
                Err(e) if std::time::Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(e) => panic!("cannot open {}: {e}", dir.display()),
            }
        }
    }

    /// Turns a value of the current schema into what schema 1 wrote for the same shape.
    fn as_schema_1(mut bytes: Vec<u8>) -> Vec<u8> {
        bytes[1] = 1;
        bytes
    }

    /// A data directory as the previous release left it: storage format 2, every value of
    /// schema 1 — the golden files of version 1 placed where that release put them.
    fn previous_release_store(dir: &Path) -> Vec<(String, CustomerId)> {
        drop(SledStore::open(dir, StoreConfig::new(Durability::Immediate)).unwrap());
        let db = open_raw(dir);
        let trees = Trees::open(&db).unwrap();
        let golden = crate::golden::folder(1);
        let mut customers = Vec::new();
        let mut max_id = 0;
        for entry in std::fs::read_dir(&golden).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).unwrap();
            if name.starts_with("record-") {
                let payload = &bytes[codec::ENVELOPE_LEN..];
                let (_, old): (u64, legacy::v1::Record) =
                    bincode::serde::decode_from_slice(payload, bincode::config::standard())
                        .unwrap()
                        .0;
                let record = legacy::v1::upgrade(old);
                let key = record.key();
                if let ordo_core::store::Record::Customer(c) = &record {
                    customers.push((c.name().to_string(), c.id()));
                    max_id = max_id.max(c.id().0);
                }
                trees
                    .records(key.kind())
                    .insert(key.id_bytes(), bytes)
                    .unwrap();
            } else if name == "audit.bin" {
                let entry = codec::upgrade_value(ValueKind::Audit, "a", &bytes)
                    .unwrap()
                    .unwrap();
                let entry = codec::decode_audit("a", &entry).unwrap();
                trees
                    .tree(layout::AUDIT)
                    .insert(layout::sequence_key(entry.sequence), bytes)
                    .unwrap();
                for subject in &entry.record.subjects {
                    trees
                        .tree(layout::AUDIT_BY_SUBJECT)
                        .insert(
                            layout::subject_key(*subject, entry.sequence),
                            as_schema_1(codec::encode_marker()),
                        )
                        .unwrap();
                }
                trees
                    .tree(layout::META)
                    .insert(
                        layout::META_LAST_AUDIT,
                        as_schema_1(codec::encode_counter(entry.sequence).unwrap()),
                    )
                    .unwrap();
            } else if name == "outbox.bin" {
                let message = codec::upgrade_value(ValueKind::Outbox, "o", &bytes)
                    .unwrap()
                    .unwrap();
                let message = codec::decode_outbox("o", &message).unwrap();
                trees
                    .tree(layout::OUTBOX)
                    .insert(layout::sequence_key(message.sequence), bytes)
                    .unwrap();
            }
        }
        let meta = trees.tree(layout::META);
        meta.insert(
            layout::META_LAST_ID,
            as_schema_1(codec::encode_counter(max_id + 100).unwrap()),
        )
        .unwrap();
        meta.insert(
            layout::META_FORMAT_VERSION,
            as_schema_1(codec::encode_counter(OLDEST_FORMAT_VERSION).unwrap()),
        )
        .unwrap();
        for item in meta.iter() {
            let (key, value) = item.unwrap();
            meta.insert(key, as_schema_1(value.to_vec())).unwrap();
        }
        db.flush().unwrap();
        customers
    }

    #[test]
    fn a_store_of_the_previous_release_is_backed_up_and_upgraded_at_open() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("shop");
        let customers = previous_release_store(&dir);
        assert_eq!(customers.len(), 2, "the golden files hold two customers");
        let store = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
        // The copy is the store as the previous release left it.
        let backup = backup_path(&dir);
        assert!(backup.join("db").exists(), "{}", backup.display());
        let (engine, _clock) = sample::engine(store, 3);
        let admin = sample::admin();
        for (name, id) in &customers {
            assert_eq!(engine.get_customer(&admin, *id).unwrap().name(), name);
        }
        // Every value now carries the current schema, and the format moved.
        let raw = engine.store(&admin).unwrap();
        for kind in ALL_RECORD_KINDS {
            raw.scan(kind, None, 100).unwrap();
        }
        // The golden outbox message became a pending delivery to its customer.
        let deliveries = sample::deliveries(&engine);
        assert_eq!(deliveries.len(), 1, "{deliveries:?}");
        assert_eq!(
            deliveries[0].status(),
            ordo_core::delivery::DeliveryStatus::Pending
        );
        assert_eq!(
            engine
                .customer_history(&admin, customers[0].1)
                .unwrap()
                .len()
                + engine
                    .customer_history(&admin, customers[1].1)
                    .unwrap()
                    .len(),
            1,
            "the audit entry of the golden files reads back"
        );
        drop(engine);
        // Opening again migrates nothing more and keeps the first copy.
        let again = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
        drop(again);
        let db = open_raw(&dir);
        let trees = Trees::open(&db).unwrap();
        assert!(
            trees.tree(layout::OUTBOX).is_empty(),
            "the outbox was drained"
        );
        let format = trees
            .tree(layout::META)
            .get(layout::META_FORMAT_VERSION)
            .unwrap()
            .unwrap();
        assert_eq!(
            codec::decode_counter("format", &format).unwrap(),
            layout::STORAGE_FORMAT_VERSION
        );
        let mut checked = 0;
        for (_, tree) in trees.iter() {
            for item in tree.iter() {
                let (key, value) = item.unwrap();
                assert_eq!(
                    codec::schema_of(&layout::hex(&key), &value).unwrap(),
                    codec::SCHEMA_VERSION
                );
                checked += 1;
            }
        }
        assert!(checked > 12, "{checked} values checked");
        // The report counters are what the migrated orders add up to.
        drop(trees);
        drop(db);
        let store = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
        let (kept, computed) = kept_and_computed(&store);
        assert_eq!(kept, computed);
    }

    /// Every counter the store holds, and every counter its orders add up to.
    fn kept_and_computed(
        store: &SledStore,
    ) -> (
        std::collections::BTreeMap<Vec<u8>, rust_decimal::Decimal>,
        std::collections::BTreeMap<Vec<u8>, rust_decimal::Decimal>,
    ) {
        let all = ordo_core::store::IndexRange::prefix(&[], false);
        let kept = store
            .counters(&all, usize::MAX)
            .unwrap()
            .into_iter()
            .collect();
        (kept, ordo_core::engine::computed_counters(store).unwrap())
    }

    #[test]
    fn a_format_4_store_gains_its_report_counters_from_its_orders_at_open() {
        use ordo_core::engine::OrderRequest;
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("shop");
        {
            let store = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
            let (engine, _clock) = sample::engine(&store, 5);
            let admin = sample::admin();
            engine
                .create_product(&admin, sample::product("TEE-RED-M", 1999))
                .unwrap();
            engine
                .restock(&admin, "TEE-RED-M", "MAIN", 50, "count")
                .unwrap();
            let mut placed = 0;
            for n in 1..=3 {
                let customer = engine
                    .create_customer(&admin, &sample::customer(n))
                    .unwrap();
                let lines = [("TEE-RED-M", i64::try_from(n).unwrap())];
                engine
                    .create_order(&admin, &OrderRequest::simple(customer.id(), &lines))
                    .unwrap();
                placed += 1;
            }
            assert_eq!(placed, 3);
        }
        // As format 4 left it: the same trees, no counters, the version saying 4.
        {
            let db = open_raw(&dir);
            let trees = Trees::open(&db).unwrap();
            trees.tree(layout::COUNTERS).clear().unwrap();
            trees
                .tree(layout::META)
                .insert(
                    layout::META_FORMAT_VERSION,
                    codec::encode_counter(4).unwrap(),
                )
                .unwrap();
            db.flush().unwrap();
        }
        let store = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
        assert!(backup_path(&dir).join("db").exists());
        let (kept, computed) = kept_and_computed(&store);
        assert!(
            computed.len() >= 3,
            "three orders of three customers count: {computed:?}"
        );
        assert_eq!(kept, computed);
    }

    #[test]
    fn a_format_5_product_of_schema_2_gains_an_empty_weight_and_size_at_open() {
        use ordo_core::store::{Record, RecordKey, RecordKind, Store};
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("shop");
        // The product as release 5 stored it: the schema-2 golden file (id 1).
        let old_product =
            std::fs::read(crate::golden::folder(2).join("record-product.bin")).unwrap();
        assert_eq!(codec::schema_of("product", &old_product).unwrap(), 2);
        drop(SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap());
        {
            let db = open_raw(&dir);
            let trees = Trees::open(&db).unwrap();
            trees
                .records(RecordKind::Product)
                .insert(1u64.to_be_bytes(), old_product)
                .unwrap();
            trees
                .tree(layout::META)
                .insert(
                    layout::META_FORMAT_VERSION,
                    codec::encode_counter(5).unwrap(),
                )
                .unwrap();
            db.flush().unwrap();
        }
        let store = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
        assert!(backup_path(&dir).join("db").exists());
        let Some(Record::Product(product)) = store
            .get(&RecordKey::Product(ordo_core::ids::ProductId(1)))
            .unwrap()
            .map(|v| v.value)
        else {
            panic!("the product is gone");
        };
        assert_eq!(product.sku().as_str(), "TEE-GOLD-M");
        assert_eq!((product.weight(), product.dimensions()), (None, None));
    }

    #[test]
    fn a_value_that_does_not_decode_stops_the_migration_before_the_format_moves() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("shop");
        previous_release_store(&dir);
        {
            let db = open_raw(&dir);
            let trees = Trees::open(&db).unwrap();
            trees
                .records(ordo_core::store::RecordKind::Order)
                .insert(
                    99u64.to_be_bytes(),
                    vec![codec::FORMAT_BINCODE2, 1, 0xFF, 0xFF],
                )
                .unwrap();
            db.flush().unwrap();
        }
        let error = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap_err();
        assert!(matches!(error, StoreError::Corrupted { .. }), "{error}");
        let db = open_raw(&dir);
        let trees = Trees::open(&db).unwrap();
        let format = trees
            .tree(layout::META)
            .get(layout::META_FORMAT_VERSION)
            .unwrap()
            .unwrap();
        assert_eq!(
            codec::decode_counter_any_schema("format", &format).unwrap(),
            OLDEST_FORMAT_VERSION
        );
    }
}

#[cfg(test)]
mod format_6_tests {
    use ordo_core::store::{ALL_RECORD_KINDS, Record, RecordKind, Store};

    use super::tests::open_raw;
    use super::*;
    use crate::{Durability, SledStore, StoreConfig};

    /// A data directory of the release before exchanges shipped parcels: format 6, every
    /// record of schema 3 (the golden files of version 3), its meta counters too.
    #[test]
    fn a_format_6_store_opens_with_its_shipments_carrying_order_lines() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("shop");
        drop(SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap());
        {
            let db = open_raw(&dir);
            let trees = Trees::open(&db).unwrap();
            for entry in std::fs::read_dir(crate::golden::folder(3)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if !name.starts_with("record-") || name == "record-customer-pending.bin" {
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                assert_eq!(codec::schema_of(&name, &bytes).unwrap(), 3);
                let (_, record) = codec::decode_record(&name, &bytes).unwrap();
                let key = record.key();
                let tree = if name == "record-pricing-settings.bin" {
                    trees.records(RecordKind::Settings)
                } else {
                    trees.records(key.kind())
                };
                tree.insert(key.id_bytes(), bytes).unwrap();
            }
            let meta = trees.tree(layout::META);
            for item in meta.iter() {
                let (key, value) = item.unwrap();
                let mut old = value.to_vec();
                old[1] = 3;
                meta.insert(key, old).unwrap();
            }
            let mut format = codec::encode_counter(6).unwrap();
            format[1] = 3;
            meta.insert(layout::META_FORMAT_VERSION, format).unwrap();
            db.flush().unwrap();
        }
        let store = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
        assert!(backup_path(&dir).join("db").exists());
        let mut kinds = 0;
        for kind in ALL_RECORD_KINDS {
            let found = store.scan(kind, None, 10).unwrap();
            assert!(!found.is_empty(), "{kind:?} survived the migration");
            kinds += 1;
            for record in found {
                if let Record::Shipment(shipment) = record.value {
                    assert_eq!(shipment.for_return(), None);
                    assert!(shipment.units() > 0);
                }
            }
        }
        assert_eq!(kinds, ALL_RECORD_KINDS.len());
        drop(store);
        let db = open_raw(&dir);
        let trees = Trees::open(&db).unwrap();
        let format = trees
            .tree(layout::META)
            .get(layout::META_FORMAT_VERSION)
            .unwrap()
            .unwrap();
        assert_eq!(
            codec::decode_counter("format", &format).unwrap(),
            layout::STORAGE_FORMAT_VERSION
        );
        let shipments = trees.records(RecordKind::Shipment);
        let (_, value) = shipments.iter().next().unwrap().unwrap();
        assert_eq!(
            codec::schema_of("shipment", &value).unwrap(),
            codec::SCHEMA_VERSION,
            "rewritten at open"
        );
    }
}

#[cfg(test)]
mod version_only_upgrade_tests {
    use ordo_core::store::{RecordKey, Store};

    use super::tests::open_raw;
    use super::*;
    use crate::writer::tests::change;
    use crate::{Durability, SledStore, StoreConfig};

    /// The format version the closed store in `dir` records.
    fn stored_format(dir: &Path) -> u64 {
        let db = open_raw(dir);
        let format = db
            .open_tree("meta")
            .unwrap()
            .get(layout::META_FORMAT_VERSION)
            .unwrap()
            .unwrap();
        codec::decode_counter("format", &format).unwrap()
    }

    /// Format 8 only adds the commit log: a format-7 store (no `log/`, no
    /// `meta/log_position`) opens with its data as it was, no copy beside it, and is of
    /// today's format afterwards; what is written then survives a crash through the new log.
    #[test]
    fn a_format_7_store_opens_with_an_empty_commit_log_and_no_copy() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("shop");
        let config = StoreConfig::new(Durability::Immediate);
        {
            let store = SledStore::open(&dir, config.clone()).unwrap();
            store.apply(change("before")).unwrap();
            assert_eq!(store.next_id().unwrap(), 1);
        }
        {
            // What the previous release left: no log, no log position, format 7.
            let db = open_raw(&dir);
            let meta = db.open_tree("meta").unwrap();
            meta.remove(layout::META_LOG_POSITION).unwrap();
            meta.insert(
                layout::META_FORMAT_VERSION,
                codec::encode_counter(7).unwrap(),
            )
            .unwrap();
            db.flush().unwrap();
        }
        std::fs::remove_dir_all(dir.join(crate::wal::LOG_DIR)).unwrap();
        let store = SledStore::open(&dir, config.clone()).unwrap();
        assert_eq!(store.replayed_at_open(), 0);
        assert!(
            store
                .get(&RecordKey::Idempotency("before".into()))
                .unwrap()
                .is_some()
        );
        assert_eq!(store.next_id().unwrap(), 2, "ids go on");
        assert!(dir.join(crate::wal::LOG_DIR).is_dir());
        assert!(!backup_path(&dir).exists(), "no copy for a log-only change");
        store.apply(change("after")).unwrap();
        drop(store);
        assert_eq!(stored_format(&dir), layout::STORAGE_FORMAT_VERSION);
        let store = SledStore::open(&dir, config).unwrap();
        assert!(
            store
                .get(&RecordKey::Idempotency("after".into()))
                .unwrap()
                .is_some()
        );
    }

    /// Format 9 only adds the durability mark to log records: a format-8 store that
    /// crashed with write sets only in its log (records without a mark) opens, replays
    /// them, has no copy beside it, and is of today's format afterwards.
    #[test]
    fn a_format_8_store_replays_its_unmarked_log_and_needs_no_copy() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("shop");
        // No checkpoint before the crash: the write sets are in the log only.
        let config = StoreConfig::new(Durability::Immediate)
            .with_checkpoint_bytes(1 << 30)
            .with_checkpoint_every(std::time::Duration::from_secs(3600));
        let keys = ["a", "b", "c"];
        {
            let store = SledStore::open(&dir, config.clone()).unwrap();
            for key in keys {
                store.apply(change(key)).unwrap();
            }
            store
                .shared
                .crashed
                .store(true, std::sync::atomic::Ordering::Release);
        }
        // What the previous release would have left: the same records unmarked, format 8.
        let log = dir.join(crate::wal::LOG_DIR);
        let segments: Vec<_> = std::fs::read_dir(&log)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(segments.len(), 1);
        let bytes = std::fs::read(&segments[0]).unwrap();
        let records = crate::wal::record_spans(&bytes);
        assert_eq!(records.len(), keys.len(), "one record per write set");
        assert!(records.iter().all(|(r, _)| r.durable.is_some()));
        let unmarked: Vec<u8> = records
            .iter()
            .flat_map(|(record, _)| crate::wal::encode_format_8(record).unwrap())
            .collect();
        std::fs::write(&segments[0], &unmarked).unwrap();
        {
            let db = open_raw(&dir);
            db.open_tree("meta")
                .unwrap()
                .insert(
                    layout::META_FORMAT_VERSION,
                    codec::encode_counter(8).unwrap(),
                )
                .unwrap();
            db.flush().unwrap();
        }
        let store = SledStore::open(&dir, config.clone()).unwrap();
        assert_eq!(store.replayed_at_open(), keys.len() as u64);
        for key in keys {
            assert!(
                store
                    .get(&RecordKey::Idempotency(key.into()))
                    .unwrap()
                    .is_some(),
                "{key} replayed"
            );
        }
        assert!(!backup_path(&dir).exists(), "no copy for a log-only change");
        drop(store);
        assert_eq!(stored_format(&dir), 9);
    }
}
