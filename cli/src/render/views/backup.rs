//! The JSON shape of a backup file's contents (`ordo backup`, `ordo verify`, `ordo
//! restore`).

use serde::{Serialize, Serializer};

use ordo_core::clock::Timestamp;

use crate::store::BackupInfo;

/// A backup file: where, when, which format, how many entries per tree.
#[derive(Debug, Serialize)]
pub struct BackupView {
    /// The file.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Storage format version of the data in it.
    pub storage_format_version: u64,
    /// When the backup was taken.
    pub created_at: String,
    /// Entries in all trees.
    pub total_entries: u64,
    /// Entries per tree (records, indexes, audit, outbox, meta), in the store's order.
    #[serde(serialize_with = "ordered_map")]
    pub trees: Vec<(String, u64)>,
    /// How many entries hold a value that does not decode (copied as stored).
    pub undecodable_count: u64,
    /// Those entries (the first 1000), in file order.
    pub undecodable: Vec<UndecodableView>,
}

/// An entry whose value does not decode.
#[derive(Debug, Serialize)]
pub struct UndecodableView {
    /// Tree and key: `orders/42`.
    pub key: String,
    /// What is wrong with it.
    pub reason: String,
}

impl BackupView {
    /// The view of `info` about `file` of `bytes` bytes.
    pub fn new(file: &std::path::Path, bytes: u64, info: &BackupInfo) -> BackupView {
        BackupView {
            file: file.display().to_string(),
            bytes,
            storage_format_version: info.storage_format_version,
            created_at: Timestamp(info.created_at_ms).to_string(),
            total_entries: info.total_entries(),
            trees: info.entries.clone(),
            undecodable_count: info.undecodable_count,
            undecodable: info
                .undecodable
                .iter()
                .map(|u| UndecodableView {
                    key: u.key.clone(),
                    reason: u.reason.clone(),
                })
                .collect(),
        }
    }
}

/// `[(name, count)]` as a JSON object whose keys keep their order.
fn ordered_map<S: Serializer>(entries: &[(String, u64)], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(entries.iter().map(|(name, count)| (name, count)))
}
