//! Test support for ordo and for storage backends: the store conformance suite, sample
//! data generators, and the engine's model test and simulation for any store. Enabled by
//! the `testkit` feature.

// Test support asserts: a failed expectation here is a failed test, so panicking is the point.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

pub mod conformance;
pub mod conformance_counters;
pub mod docs;
pub mod faulty;
pub mod fuzz;
pub mod invariants;
pub mod model;
pub mod sample;
pub mod simulation;
pub mod wrappers;
