//! The deterministic simulation (`ordo_core::testkit::simulation`) on the in-memory store:
//! seeded clients, injected faults and crashes, every invariant checked after every step.
//!
//! `ORDO_SIM_SEEDS=N` runs N seeds (default 24); `ORDO_SIM_SEED=S` replays seed S exactly.

use ordo_core::testkit::simulation::{self, InMemory};

const STEPS: usize = 300;

#[test]
fn simulation_keeps_every_invariant_under_faults_and_crashes() {
    let total = simulation::run_seeds(
        &simulation::seeds(24),
        STEPS,
        || InMemory,
        |seed| format!("ORDO_SIM_SEED={seed} cargo test -p ordo-core --test simulation"),
    );
    eprintln!("simulation: {total}");
    total.assert_exercised();
}

#[test]
fn the_same_seed_replays_exactly() {
    let first = simulation::run(7, STEPS, InMemory);
    assert!(first.successes > 0, "{first:?}");
    assert_eq!(first, simulation::run(7, STEPS, InMemory));
}
