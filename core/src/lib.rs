//! # ordo-core
//!
//! The pure heart of ordo, an embeddable customer-order engine: every business rule
//! (validation, pricing, stock, lifecycle, permissions, ownership), the [`store::Store`]
//! contract that storage backends implement, and an in-memory store.
//!
//! No I/O, no async, no threads of its own: time comes through [`clock::Clock`] and
//! randomness through [`random::RandomSource`], so every run can be replayed.
//!
//! ```
//! use std::sync::Arc;
//! use ordo_core::prelude::*;
//!
//! let engine = Engine::new(
//!     MemoryStore::new(),
//!     Arc::new(ManualClock::new(Timestamp(1_700_000_000_000))),
//!     Arc::new(SeededRandom::new(1)),
//!     EngineConfig::default(),
//! );
//! let admin = Actor::local_admin("docs");
//! assert!(engine.list_products(&admin, None, 10).unwrap().items.is_empty());
//! ```

pub mod audit;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod credentials;
pub mod customer;
pub mod delivery;
pub mod engine;
pub mod error;
pub mod ids;
pub mod inventory;
pub mod invoice;
pub mod message;
pub mod money;
pub mod order;
pub mod outbox;
pub mod payment;
pub mod pricing;
pub mod random;
pub mod ratelimit;
pub mod refusal;
pub mod registration;
pub mod report;
pub mod returns;
pub mod secret;
pub mod seller;
pub mod session;
pub mod shipment;
pub mod staff;
pub mod store;
pub mod telegram;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod ticket;
pub mod validate;

pub use engine::{Engine, EngineConfig};
pub use error::{AuthFailure, Error, ErrorKind, Refusal, Result};

/// The names most hosts need.
pub mod prelude {
    pub use crate::auth::{Actor, Role};
    pub use crate::catalog::{
        BackorderPolicy, Media, MediaKind, PriceGroup, PriceList, PriceTier, ProductInput,
        TaxCategory,
    };
    pub use crate::clock::{Clock, ManualClock, SystemClock, Timestamp};
    pub use crate::customer::{AddressInput, CustomerInput};
    pub use crate::engine::{
        DeliveryFilter, Engine, EngineConfig, ItemRequest, OrderFilter, OrderRequest, Page,
        PaymentRequest,
    };
    pub use crate::error::{Error, ErrorKind, Refusal, Result};
    pub use crate::ids::{CustomerId, OrderId, OrderReference, ProductId};
    pub use crate::money::{Currency, Money};
    pub use crate::order::OrderStatus;
    pub use crate::payment::PaymentMethod;
    pub use crate::pricing::ShippingMethod;
    pub use crate::random::SeededRandom;
    pub use crate::store::{MemoryStore, Store};
}
