//! `ordo migrate --from DIR|URL --to DIR|URL`: copies a whole store into an empty one
//! (sled ⇄ PostgreSQL) through the [`Store`] contract, then verifies the copy.
//!
//! What is copied, in this order: every record of every kind (a write set per page, each
//! put expecting the record absent), every entry of every index, every report counter,
//! and the audit trail (found through the subjects of the copied records: a subject is an
//! order, customer, product, staff user, ticket, shipment, invoice or return, or the
//! settings; entries are written again in their source order). Then every later id of
//! the target is raised above every id of the source.
//!
//! The verification pass reads both stores again and compares, per record kind, per
//! index, for the counters and for the audit trail, the count and a SHA-256 digest of the
//! content (records by their codec bytes at version 0, so the versions, which start again
//! at 1 in the target, do not count; audit entries without their sequence numbers).

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal as _;
use std::ops::Bound;
use std::path::Path;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ordo_api::ApiError;
use ordo_core::audit::{AuditEntry, AuditRecord, Subject};
use ordo_core::error::ErrorKind;
use ordo_core::store::{
    ALL_INDEXES, ALL_RECORD_KINDS, Expected, IndexEntry, IndexRange, Record, RecordKey, RecordKind,
    Store, WriteSet,
};
use ordo_storage::backup::DataDir;
use ordo_storage::codec;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::args::MigrateArgs;
use crate::context::Refused;
use crate::render::Output;
use crate::store::{self, AppStore};

/// Records, index entries, counters or audit entries read or written per round trip.
const PAGE: usize = 500;

/// Runs `ordo migrate`.
///
/// # Errors
/// A source that is not a store or cannot be opened (a data directory in use: exit 5), a
/// target that is not empty (exit 5), a failure while copying, or a verification that
/// finds the two stores different (exit 1).
pub fn run(out: Output, args: &MigrateArgs) -> anyhow::Result<()> {
    let source = open_source(&args.from)?;
    let target = open_target(&args.to)?;
    let bar = progress(out);
    let copied = copy(&source, &target, &bar)?;
    bar.set_message("verifying");
    bar.set_position(0);
    let from = Summary::of(&source, &bar)?;
    let to = Summary::of(&target, &bar)?;
    bar.finish_and_clear();
    let differences = from.differences(&to);
    let view = MigrateView {
        from: describe(&args.from),
        to: describe(&args.to),
        records: copied.records,
        index_entries: copied.index_entries,
        counters: copied.counters,
        audit_entries: copied.audit_entries,
        verified: differences.is_empty(),
        parts: from.rows(&to),
    };
    out.show(&view, || human(&view))?;
    if differences.is_empty() {
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "the copy differs from the source: {}",
            differences.join("; ")
        ))
    }
}

/// True if `location` names a PostgreSQL database rather than a data directory.
fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// `location` as printed: a directory as given, a URL without its password.
fn describe(location: &str) -> String {
    if !is_url(location) {
        return location.to_string();
    }
    // postgres://user:password@host/db → postgres://user@host/db
    let Some((scheme, rest)) = location.split_once("://") else {
        return "a PostgreSQL database".to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => location.to_string(),
    }
}

/// A target that holds data: a conflict (exit 5), naming it without a password.
fn not_empty(location: &str) -> anyhow::Error {
    Refused(ApiError {
        code: "target_not_empty".to_string(),
        kind: ErrorKind::Conflict.code().to_string(),
        field: Some("to".to_string()),
        message: format!(
            "{} already holds data: ordo migrate copies into an empty store only",
            describe(location)
        ),
    })
    .into()
}

/// Opens the store to copy from; a data directory must hold a store already.
fn open_source(location: &str) -> anyhow::Result<AppStore> {
    if is_url(location) {
        return store::open_database(location);
    }
    let dir = Path::new(location);
    match ordo_storage::backup::inspect(dir).map_err(ordo_core::Error::from)? {
        DataDir::Store => store::open_store(dir),
        DataDir::Absent | DataDir::Empty => Err(anyhow::anyhow!(
            "{} holds no ordo store to copy",
            dir.display()
        )),
        DataDir::Foreign(why) => Err(anyhow::anyhow!(
            "{} is not an ordo data directory: {why}",
            dir.display()
        )),
    }
}

/// Opens (creating) the store to copy into, refusing one that holds data.
fn open_target(location: &str) -> anyhow::Result<AppStore> {
    let target = if is_url(location) {
        store::open_database(location)?
    } else {
        let dir = Path::new(location);
        match ordo_storage::backup::inspect(dir).map_err(ordo_core::Error::from)? {
            DataDir::Absent | DataDir::Empty | DataDir::Store => {
                store::open_store(dir).with_context(|| format!("cannot open {}", dir.display()))?
            }
            DataDir::Foreign(why) => {
                return Err(anyhow::anyhow!(
                    "{} is not an ordo data directory: {why}",
                    dir.display()
                ));
            }
        }
    };
    if !is_empty(&target)? {
        return Err(not_empty(location));
    }
    Ok(target)
}

/// True if `store` holds no record, index entry or counter.
fn is_empty(store: &AppStore) -> anyhow::Result<bool> {
    for kind in ALL_RECORD_KINDS {
        if !store.scan(kind, None, 1)?.is_empty() {
            return Ok(false);
        }
    }
    for index in ALL_INDEXES {
        if !store.index_scan(index, &everything(), 1)?.is_empty() {
            return Ok(false);
        }
    }
    Ok(store.counters(&everything(), 1)?.is_empty())
}

/// Every key, in ascending order.
fn everything() -> IndexRange {
    IndexRange {
        start: Bound::Unbounded,
        end: Bound::Unbounded,
        reverse: false,
    }
}

/// Keys after `last` (or all), ascending.
fn after(last: Option<&Vec<u8>>) -> IndexRange {
    IndexRange {
        start: last.map_or(Bound::Unbounded, |key| Bound::Excluded(key.clone())),
        end: Bound::Unbounded,
        reverse: false,
    }
}

/// A progress spinner with counts on stderr, hidden for `--json` or when stderr is not
/// a terminal (the totals are not known before the copy: a store has no cheap count).
fn progress(out: Output) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if out.is_json() || !std::io::stderr().is_terminal() {
        return bar;
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg:<28} {pos} {elapsed:>4}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// How much was copied.
#[derive(Debug, Default)]
struct Copied {
    records: u64,
    index_entries: u64,
    counters: u64,
    audit_entries: u64,
}

/// The audit subject a record's key names, if its kind has a trail.
fn subject_of(key: &RecordKey) -> Option<Subject> {
    Some(match key {
        RecordKey::Order(id) => Subject::Order(*id),
        RecordKey::Customer(id) => Subject::Customer(*id),
        RecordKey::Product(id) => Subject::Product(*id),
        RecordKey::User(id) => Subject::User(*id),
        RecordKey::Settings | RecordKey::PricingSettings => Subject::Settings,
        RecordKey::Ticket(id) => Subject::Ticket(*id),
        RecordKey::Shipment(id) => Subject::Shipment(*id),
        RecordKey::Invoice(number) => Subject::Invoice(*number),
        RecordKey::Return(id) => Subject::Return(*id),
        _ => return None,
    })
}

/// A record kind as printed (`Order` → `order`).
fn kind_name(kind: RecordKind) -> String {
    format!("{kind:?}").to_lowercase()
}

/// Copies everything from `source` into the empty `target`.
fn copy(source: &AppStore, target: &AppStore, bar: &ProgressBar) -> anyhow::Result<Copied> {
    let mut copied = Copied::default();
    let mut subjects = BTreeSet::new();
    for kind in ALL_RECORD_KINDS {
        bar.set_message(format!("records: {}", kind_name(kind)));
        let mut last: Option<RecordKey> = None;
        loop {
            let page = source.scan(kind, last.as_ref(), PAGE)?;
            let Some(end) = page.last().map(|r| r.value.key()) else {
                break;
            };
            let mut ws = WriteSet::new();
            for record in page {
                let key = record.value.key();
                subjects.extend(subject_of(&key));
                ws.put(record.value, Expected::Absent);
            }
            let n = ws.puts.len() as u64;
            target
                .apply(ws)
                .with_context(|| format!("cannot write {} records", kind_name(kind)))?;
            copied.records += n;
            bar.inc(n);
            last = Some(end);
        }
    }
    for index in ALL_INDEXES {
        bar.set_message(format!("index: {}", index.name()));
        let mut last: Option<Vec<u8>> = None;
        loop {
            let page = source.index_scan(index, &after(last.as_ref()), PAGE)?;
            let Some(end) = page.last().map(|(key, _)| key.clone()) else {
                break;
            };
            let mut ws = WriteSet::new();
            let n = page.len() as u64;
            ws.index_inserts
                .extend(
                    page.into_iter()
                        .map(|(key, id)| IndexEntry { index, key, id }),
                );
            target
                .apply(ws)
                .with_context(|| format!("cannot write index {}", index.name()))?;
            copied.index_entries += n;
            bar.inc(n);
            last = Some(end);
        }
    }
    bar.set_message("counters");
    let mut last: Option<Vec<u8>> = None;
    loop {
        let page = source.counters(&after(last.as_ref()), PAGE)?;
        let Some(end) = page.last().map(|(key, _)| key.clone()) else {
            break;
        };
        let mut ws = WriteSet::new();
        let n = page.len() as u64;
        for (key, value) in page {
            ws.count(key, value);
        }
        target.apply(ws).context("cannot write counters")?;
        copied.counters += n;
        bar.inc(n);
        last = Some(end);
    }
    bar.set_message("audit trail");
    let trail = audit_trail(source, &subjects)?;
    for chunk in trail.values().collect::<Vec<_>>().chunks(PAGE) {
        let mut ws = WriteSet::new();
        ws.audit
            .extend(chunk.iter().map(|record| (*record).clone()));
        target.apply(ws).context("cannot write the audit trail")?;
        copied.audit_entries += chunk.len() as u64;
        bar.inc(chunk.len() as u64);
    }
    bar.set_message("ids");
    let floor = source.next_id()?;
    match target {
        AppStore::Postgres(pg) => pg.raise_ids_above(floor)?,
        AppStore::Sled(_) => while target.next_id()? <= floor {},
    }
    Ok(copied)
}

/// Every audit entry of `subjects`, once each, by source sequence number.
fn audit_trail(
    store: &AppStore,
    subjects: &BTreeSet<Subject>,
) -> anyhow::Result<BTreeMap<u64, AuditRecord>> {
    let mut trail = BTreeMap::new();
    for subject in subjects {
        let mut last = None;
        loop {
            let page = store.audit_for(*subject, last, PAGE)?;
            let Some(end) = page.last().map(|e| e.sequence) else {
                break;
            };
            for entry in page {
                trail.entry(entry.sequence).or_insert(entry.record);
            }
            last = Some(end);
        }
    }
    Ok(trail)
}

/// Count and digest of one part of a store.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    count: u64,
    digest: String,
}

/// A running SHA-256 over length-prefixed pieces.
struct Hasher {
    sha: Sha256,
    count: u64,
}

impl Hasher {
    fn new() -> Hasher {
        Hasher {
            sha: Sha256::new(),
            count: 0,
        }
    }

    fn item(&mut self, pieces: &[&[u8]]) {
        for piece in pieces {
            self.sha.update((piece.len() as u64).to_le_bytes());
            self.sha.update(piece);
        }
        self.count += 1;
    }

    fn finish(self) -> Part {
        let digest = self.sha.finalize();
        Part {
            count: self.count,
            digest: digest.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

/// What the verification compares: part name → count and digest.
struct Summary(BTreeMap<String, Part>);

impl Summary {
    /// Reads all of `store`.
    fn of(store: &AppStore, bar: &ProgressBar) -> anyhow::Result<Summary> {
        let mut parts = BTreeMap::new();
        let mut subjects = BTreeSet::new();
        for kind in ALL_RECORD_KINDS {
            let mut hasher = Hasher::new();
            let mut last: Option<RecordKey> = None;
            loop {
                let page = store.scan(kind, last.as_ref(), PAGE)?;
                let Some(end) = page.last().map(|r| r.value.key()) else {
                    break;
                };
                for record in &page {
                    let key = record.value.key();
                    subjects.extend(subject_of(&key));
                    let bytes = record_bytes(&record.value)?;
                    hasher.item(&[&key.id_bytes(), &bytes]);
                }
                bar.inc(page.len() as u64);
                last = Some(end);
            }
            parts.insert(format!("records {}", kind_name(kind)), hasher.finish());
        }
        for index in ALL_INDEXES {
            let mut hasher = Hasher::new();
            let mut last: Option<Vec<u8>> = None;
            loop {
                let page = store.index_scan(index, &after(last.as_ref()), PAGE)?;
                let Some(end) = page.last().map(|(key, _)| key.clone()) else {
                    break;
                };
                for (key, id) in &page {
                    hasher.item(&[key, &id.to_be_bytes()]);
                }
                bar.inc(page.len() as u64);
                last = Some(end);
            }
            parts.insert(format!("index {}", index.name()), hasher.finish());
        }
        let mut hasher = Hasher::new();
        let mut last: Option<Vec<u8>> = None;
        loop {
            let page = store.counters(&after(last.as_ref()), PAGE)?;
            let Some(end) = page.last().map(|(key, _)| key.clone()) else {
                break;
            };
            for (key, value) in &page {
                hasher.item(&[key, value.normalize().to_string().as_bytes()]);
            }
            bar.inc(page.len() as u64);
            last = Some(end);
        }
        parts.insert("counters".to_string(), hasher.finish());
        let mut hasher = Hasher::new();
        for record in audit_trail(store, &subjects)?.into_values() {
            let bytes = codec::encode_audit(&AuditEntry {
                sequence: 0,
                record,
            })
            .map_err(ordo_core::Error::from)?;
            hasher.item(&[&bytes]);
        }
        parts.insert("audit".to_string(), hasher.finish());
        Ok(Summary(parts))
    }

    /// What differs from `other`, one phrase per part.
    fn differences(&self, other: &Summary) -> Vec<String> {
        let mut differences = Vec::new();
        for (name, part) in &self.0 {
            match other.0.get(name) {
                Some(theirs) if theirs == part => {}
                Some(theirs) if theirs.count != part.count => differences.push(format!(
                    "{name}: {} in the source, {} in the target",
                    part.count, theirs.count
                )),
                Some(_) => differences.push(format!("{name}: same count, different content")),
                None => differences.push(format!("{name}: missing from the target")),
            }
        }
        differences
    }

    /// The parts side by side (those with content on either side).
    fn rows(&self, other: &Summary) -> Vec<PartView> {
        self.0
            .iter()
            .filter_map(|(name, part)| {
                let theirs = other.0.get(name)?;
                (part.count > 0 || theirs.count > 0).then(|| PartView {
                    part: name.clone(),
                    source: part.count,
                    target: theirs.count,
                    digest: part.digest.chars().take(16).collect(),
                    same: part == theirs,
                })
            })
            .collect()
    }
}

/// A record's codec bytes at version 0 (its content, whatever its version).
fn record_bytes(record: &Record) -> anyhow::Result<Vec<u8>> {
    Ok(codec::encode_record(0, record).map_err(ordo_core::Error::from)?)
}

/// What `ordo migrate` reports.
#[derive(Debug, Serialize)]
struct MigrateView {
    from: String,
    to: String,
    records: u64,
    index_entries: u64,
    counters: u64,
    audit_entries: u64,
    /// True if every part has the same count and digest on both sides.
    verified: bool,
    parts: Vec<PartView>,
}

/// One part of the verification.
#[derive(Debug, Serialize)]
struct PartView {
    part: String,
    source: u64,
    target: u64,
    /// The first 16 hex digits of the source's SHA-256.
    digest: String,
    same: bool,
}

/// The human report.
fn human(view: &MigrateView) -> String {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::NOTHING);
    table.set_header(vec!["part", "source", "target", "sha-256 (source)", ""]);
    for part in &view.parts {
        table.add_row(vec![
            part.part.clone(),
            part.source.to_string(),
            part.target.to_string(),
            part.digest.clone(),
            if part.same { "same" } else { "DIFFERENT" }.to_string(),
        ]);
    }
    let verdict = if view.verified {
        "Verified: both stores hold the same records, index entries, counters and audit \
         trail."
    } else {
        "NOT verified: the stores differ (see the parts marked DIFFERENT)."
    };
    format!(
        "Copied {} into {}: {} records, {} index entries, {} counters, {} audit entries.\n\n\
         {table}\n\n{verdict}",
        view.from, view.to, view.records, view.index_entries, view.counters, view.audit_entries
    )
}
