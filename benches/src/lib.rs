//! # ordo-benches
//!
//! A TPC-C-shaped order-entry workload run against ordo (on [`SledStore`] in both
//! durability modes, on PostgreSQL and on the in-memory store) and against SQLite (rusqlite, WAL, with
//! `synchronous=FULL` and `=NORMAL`, each as a simple connection pool and as a group-commit
//! writer, doing the same logical work as ordo) in the same process, so the ratio between
//! them is trustworthy on a noisy machine. The `tpcc` binary drives it; criterion benches in
//! `benches/` time single operations.
//!
//! [`SledStore`]: ordo_storage::SledStore

// Benchmark drivers report failures by panicking with context; they are not library code
// that hosts embed.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

/// The `ordo` binary's allocator setting, from the same file.
#[path = "../../cli/src/allocator.rs"]
pub mod allocator;
pub mod dataset;
pub mod driver;
pub mod ordo_driver;
pub mod postgres_driver;
pub mod pricing;
pub mod rng;
pub mod run;
pub mod sqlite_driver;
pub mod workload;
