//! Sample inputs for tests, benchmarks, the demo and the simulation.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::auth::Actor;
use crate::catalog::{
    BackorderPolicy, Media, MediaKind, PriceGroup, PriceList, PriceTier, ProductInput, TaxCategory,
};
use crate::clock::{ManualClock, Timestamp};
use crate::customer::{AddressInput, CustomerInput};
use crate::engine::{Engine, EngineConfig};
use crate::money::{Currency, Money};
use crate::random::SeededRandom;
use crate::store::Store;

/// 2026-01-01T00:00:00Z, the start of simulated time.
pub const EPOCH: Timestamp = Timestamp(1_767_225_600_000);

/// An engine over `store` with a manual clock at [`EPOCH`] and a seeded generator.
pub fn engine<S: Store>(store: S, seed: u64) -> (Engine<S>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(EPOCH));
    let engine = Engine::new(
        store,
        clock.clone(),
        Arc::new(SeededRandom::new(seed)),
        EngineConfig::default(),
    );
    (engine, clock)
}

/// [`engine`] with argon2 parameters cheap enough for tests that hash hundreds of
/// passwords (never for real passwords).
pub fn engine_with_cheap_passwords<S: Store>(store: S, seed: u64) -> (Engine<S>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(EPOCH));
    let config = EngineConfig {
        password_params: crate::credentials::PasswordParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
        ..EngineConfig::default()
    };
    let engine = Engine::new(
        store,
        clock.clone(),
        Arc::new(SeededRandom::new(seed)),
        config,
    );
    (engine, clock)
}

/// Dollars from cents.
///
/// # Panics
/// Beyond the money bound (test data).
pub fn usd_cents(cents: i64) -> Money {
    Money::new(Decimal::new(cents, 2), Currency::USD).expect("sample amount within the bound")
}

/// A product costing `cents` retail, with a wholesale list 20 % lower (10 % more off from 10
/// units), a specification and a photo.
pub fn product(sku: &str, cents: i64) -> ProductInput {
    let wholesale = |percent: i64| usd_cents(cents * percent / 100);
    ProductInput {
        sku: sku.to_string(),
        name: format!("Product {sku}"),
        description: format!("Sample product {sku}."),
        specifications: vec![
            ("Material".into(), "Cotton".into()),
            ("Origin".into(), "PT".into()),
        ],
        media: vec![Media {
            kind: MediaKind::Photo,
            url: format!("https://cdn.example.com/{}.jpg", sku.to_lowercase()),
            caption: "Front".into(),
        }],
        active: true,
        tax_category: TaxCategory::Standard,
        base_price: usd_cents(cents),
        price_lists: vec![
            PriceList::new(
                PriceGroup::Wholesale,
                vec![
                    PriceTier {
                        min_quantity: 1,
                        unit_price: wholesale(80),
                    },
                    PriceTier {
                        min_quantity: 10,
                        unit_price: wholesale(70),
                    },
                ],
            )
            .expect("sample tiers are valid"),
        ],
        backorder: BackorderPolicy::Deny,
        weight_kg: Some("0.35".into()),
        dimensions_cm: Some("30x20x5".into()),
    }
}

/// A consumer numbered `n` with a unique phone and email and one address.
pub fn customer(n: u64) -> CustomerInput {
    CustomerInput {
        name: format!("Customer {n} Example"),
        business: None,
        phone: format!("+1555{:07}", n % 10_000_000),
        email: format!("customer{n}@example.com"),
        addresses: vec![AddressInput {
            recipient: format!("Customer {n}"),
            line1: format!("{n} Main Street"),
            city: "Springfield".into(),
            postal_code: "12345".into(),
            country: "US".into(),
            ..AddressInput::default()
        }],
    }
}

/// The local administrator used by tests.
pub fn admin() -> Actor {
    Actor::local_admin("test")
}

const FIRST_NAMES: [&str; 40] = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Dennis",
    "Ken",
    "Linus",
    "Frances",
    "John",
    "Radia",
    "Tim",
    "Katherine",
    "Niklaus",
    "Hedy",
    "Claude",
    "Sophie",
    "Guido",
    "Anita",
    "Bjarne",
    "Jean",
    "Leslie",
    "Mary",
    "Robin",
    "Shafi",
    "Tony",
    "Yukihiro",
    "Ivan",
    "Karen",
    "Fernando",
    "Adele",
    "James",
    "Lynn",
    "Martin",
    "Annie",
    "Vint",
    "Roberta",
    "Ward",
];

const LAST_NAMES: [&str; 50] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Ritchie",
    "Thompson",
    "Torvalds",
    "Allen",
    "McCarthy",
    "Perlman",
    "Berners-Lee",
    "Johnson",
    "Wirth",
    "Lamarr",
    "Shannon",
    "Wilson",
    "Rossum",
    "Borg",
    "Stroustrup",
    "Sammet",
    "Lamport",
    "Kenneth",
    "Milner",
    "Goldwasser",
    "Hoare",
    "Matsumoto",
    "Sutherland",
    "Jones",
    "Corbato",
    "Goldberg",
    "Gosling",
    "Conway",
    "Fowler",
    "Easley",
    "Cerf",
    "Williams",
    "Cunningham",
    "Kay",
    "Engelbart",
    "Backus",
    "Naur",
    "Kahn",
    "Floyd",
    "Hellman",
    "Diffie",
    "Rivest",
    "Shamir",
];

/// A realistic (not unique) person name for number `n`: 2,000 first/last combinations.
pub fn person_name(n: u64) -> (&'static str, &'static str) {
    let first = FIRST_NAMES[(n % 40) as usize];
    let last = LAST_NAMES[((n / 40) % 50) as usize];
    (first, last)
}

/// A consumer numbered `n` with a realistic name, unique phone and email, one address.
pub fn realistic_customer(n: u64) -> CustomerInput {
    let (first, last) = person_name(n);
    let mut input = customer(n);
    input.name = format!("{first} {last}");
    input.email = format!(
        "{}.{}.{n}@example.com",
        first.to_lowercase(),
        last.to_lowercase()
    );
    if let Some(address) = input.addresses.first_mut() {
        address.recipient = input.name.clone();
    }
    input
}

/// Creates the sample customers numbered `numbers` (as [`customer`]) and returns their ids.
///
/// # Panics
/// If the engine refuses one (test setup).
pub fn customers<S: Store>(
    engine: &Engine<S>,
    numbers: std::ops::Range<u64>,
) -> Vec<crate::ids::CustomerId> {
    let admin = admin();
    numbers
        .map(|n| {
            engine
                .create_customer(&admin, &customer(n))
                .expect("sample customer")
                .id()
        })
        .collect()
}

/// Every notification delivery in the store, in creation order (read as the administrator).
///
/// # Panics
/// If the store cannot be read (test helper).
pub fn deliveries<S: Store>(engine: &Engine<S>) -> Vec<crate::delivery::Delivery> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = engine
            .list_deliveries(&admin(), crate::engine::DeliveryFilter::All, after, 500)
            .unwrap_or_else(|e| panic!("deliveries: {e}"));
        after = page.items.last().map(crate::delivery::Delivery::id);
        let done = page.next_cursor.is_none();
        all.extend(page.items);
        if done {
            return all;
        }
    }
}
