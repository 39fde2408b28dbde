//! The engine: the one entry point for every change and query.
//!
//! Each command: load what it needs (with versions) → decide with pure domain functions →
//! build one [`WriteSet`] (puts with expected versions, index changes, one audit entry,
//! outbox events) → [`Store::apply`]. A `Conflict` restarts the command from the load, at
//! most [`EngineConfig::max_attempts`] times.

mod accounts;
mod backoff;
mod catalog;
mod channels;
mod checkout;
mod customers;
mod fulfilment;
mod idempotency;
mod invoices;
mod notifications;
mod order_counts;
mod orders;
mod payments;
mod profile;
mod queries;
mod registration;
pub mod report_counters;
mod reports;
mod returns;
mod sessions;
mod settings;
mod shipments;
mod staff;
mod telegram_chats;
mod telegram_registration;
mod tickets;
mod unit;

use std::sync::Arc;

use crate::auth::{Actor, Operation};
use crate::clock::{Clock, DAY_MS, SystemClock};
use crate::credentials::{PasswordHash, PasswordParams};
use crate::error::{Error, Result};
use crate::inventory::WarehouseCode;
use crate::random::{RandomSource, SeededRandom};
use crate::store::{Store, StoreError, WriteSet};

pub use accounts::PurchaseHistory;
pub use idempotency::idempotency_storage_key;
pub use invoices::{MAX_PICK_ORDERS, PICK_STATUSES, PickList, PickRow};
pub use notifications::DeliveryFilter;
pub use order_counts::{MAX_COUNTED, OrderCount, OrderCountFilter};
pub use orders::{ItemRequest, OrderRequest};
pub use payments::{PaymentRequest, VoidRequest};
pub use queries::{OrderFilter, Page, Skipped};
pub use registration::{Registration, RegistrationRequest, VerifyRequest};
pub use report_counters::{computed_counters, rebuild_counters};
pub use reports::REPORT_TOP;
pub use returns::{ExchangeRequest, InspectionLine, ReturnFilter, ReturnRefund};
pub use sessions::LoginOutcome;
pub use shipments::{MAX_SHIPMENTS_PER_ORDER, ShipRequest, TrackingResult};
pub use tickets::TicketFilter;

use unit::Unit;

/// Engine settings: how this process runs. (Prices are not here: tax rates, shipping fees
/// and the tax rounding mode are store settings, `pricing::PricingSettings`, so every
/// process on a store prices identically.)
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where backordered units of a product with no stock anywhere are booked.
    pub default_warehouse: WarehouseCode,
    /// How many times a command is tried when it loses a race (≥ 1).
    pub max_attempts: u32,
    /// argon2id cost for new password hashes.
    pub password_params: PasswordParams,
    /// How long a customer's session lasts.
    pub customer_session_ms: i64,
    /// How long a staff session lasts.
    pub staff_session_ms: i64,
    /// How long a registration may wait for its code before it lapses and frees its phone
    /// and email.
    pub registration_ttl_ms: i64,
    /// How long an idempotency key is remembered (order creation and payments): a retry
    /// within this window returns the first result; after it the key counts as new.
    pub idempotency_window_ms: i64,
    /// How long a dispatcher's claim on a notification delivery lasts before another may
    /// take it over (longer than one send attempt can take).
    pub delivery_lease_ms: i64,
    /// How many attempts a delivery gets before a retryable failure makes it dead.
    pub delivery_max_attempts: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            default_warehouse: WarehouseCode::main(),
            max_attempts: 64,
            password_params: PasswordParams::default(),
            customer_session_ms: 30 * DAY_MS,
            staff_session_ms: DAY_MS / 2,
            registration_ttl_ms: DAY_MS,
            idempotency_window_ms: DAY_MS,
            delivery_lease_ms: 60_000,
            delivery_max_attempts: 6,
        }
    }
}

/// The order engine over a store `S`. `Send + Sync`: share it between threads with `Arc`.
pub struct Engine<S: Store> {
    store: S,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    config: EngineConfig,
    /// Verified against unknown login ids, so they cost one argon2 run like known ones.
    decoy: PasswordHash,
}

impl<S: Store> Engine<S> {
    /// An engine with explicit time and randomness (tests, simulation, production wiring).
    pub fn new(
        store: S,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
        config: EngineConfig,
    ) -> Engine<S> {
        let decoy = PasswordHash::decoy(config.password_params, random.as_ref());
        Engine {
            store,
            clock,
            random,
            config,
            decoy,
        }
    }

    /// An engine on the system clock with a generator seeded from `seed` (32 bytes of OS
    /// randomness in production).
    pub fn with_defaults(store: S, seed: [u8; 32]) -> Engine<S> {
        Engine::new(
            store,
            Arc::new(SystemClock),
            Arc::new(SeededRandom::from_seed(seed)),
            EngineConfig::default(),
        )
    }

    /// The raw store, for the local administrator's tools (backups, statistics). Changes
    /// still go through commands.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may access the store.
    pub fn store(&self, actor: &Actor) -> Result<&S> {
        actor.require(Operation::AccessStore)?;
        Ok(&self.store)
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Runs `decide` and applies its write set, retrying the whole thing on `Conflict` —
    /// whether the store refused the write set or `decide` itself found it lost a race
    /// (`Error::Conflict`, `StoreError::Conflict`) — at most `max_attempts` times.
    fn transact<T>(&self, decide: impl Fn(&mut Unit<'_, S>) -> Result<T>) -> Result<T> {
        let attempts = self.config.max_attempts.max(1);
        for attempt in 0..attempts {
            // Exponential backoff with jitter after the first lost race (see `backoff`).
            if attempt > 0 {
                backoff::pause(attempt - 1);
            }
            let mut unit = Unit::new(&self.store);
            let outcome = match decide(&mut unit).and_then(|outcome| {
                unit.fan_out()?;
                Ok(outcome)
            }) {
                Err(Error::Storage(StoreError::Conflict) | Error::Conflict) => continue,
                // An invariant seen broken on records that moved while the unit read them
                // (one read before a concurrent change, another after) is a torn read, not
                // a bug: decide again on fresh data. Checked only on this rare path.
                Err(Error::Internal(_)) if unit.moved_since_read()? => continue,
                other => other?,
            };
            let writes: WriteSet = unit.finish();
            if writes.is_empty() {
                return Ok(outcome);
            }
            match self.store.apply(writes) {
                Ok(()) => return Ok(outcome),
                Err(StoreError::Conflict) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Err(Error::Conflict)
    }
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod account_tests;

#[cfg(test)]
mod notification_tests;

#[cfg(test)]
mod permission_tests;

#[cfg(test)]
mod race_tests;

#[cfg(test)]
mod bound_tests;

#[cfg(test)]
mod report_tests;

#[cfg(test)]
mod ticket_tests;

#[cfg(test)]
mod payment_tests;

#[cfg(test)]
mod shipment_tests;

#[cfg(test)]
mod invoice_tests;

#[cfg(test)]
mod return_tests;
