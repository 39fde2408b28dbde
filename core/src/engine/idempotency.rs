//! Idempotency: the canonical fingerprint of an order request, where keys are kept (scoped
//! to the actor who sent them) and how long they count.
//!
//! A retry with the same key and the same content returns the first result; the same key
//! with other content is `IdempotencyMismatch`; a key older than
//! `EngineConfig::idempotency_window_ms` (24 h by default) counts as new. Order keys are
//! stored per actor (`Record::Idempotency`), payment keys per order (on its ledger entries).

use sha2::{Digest, Sha256};

use crate::auth::{Actor, Principal};
use crate::clock::Timestamp;
use crate::customer::AddressInput;
use crate::error::{Error, Result};
use crate::payment::PaymentMethod;
use crate::pricing::ShippingMethod;
use crate::validate;

use super::orders::{ItemRequest, OrderRequest};

impl OrderRequest {
    /// The request's canonical fingerprint, compared when its idempotency key is used again:
    /// `v1:` followed by the SHA-256 (lower-case hex) of this encoding of the request's
    /// content — explicit and field by field, so it depends on neither Rust type nor field
    /// names (`Debug` output changes with any rename; this does not, and a test pins it):
    ///
    /// 1. the text `ordo/order-request/v1`;
    /// 2. `customer` as a u64;
    /// 3. `items`: their count as a u32, then per item the SKU as typed (text) and the
    ///    quantity as typed (i64);
    /// 4. `ship_to`: a 0 byte if absent, else a 1 byte and recipient, line 1, line 2, city,
    ///    region, postal code and country as typed (text each);
    /// 5. `shipping`: `standard`, `express` or `pickup` (text);
    /// 6. `payment`: `card`, `cash`, `bank-transfer` or `cash-on-delivery` (text);
    /// 7. `discounts`: their count as a u32, then per discount the label as typed (text)
    ///    and the percent as a normalized decimal (text: `10`, not `10.00`);
    /// 8. `notes` as typed (text);
    /// 9. `draft`: one byte, 0 or 1.
    ///
    /// Integers are big-endian; a text is its UTF-8 length as a u32, then its bytes. The
    /// idempotency key itself is not part of the fingerprint. Changing any of this changes
    /// what retries after an upgrade see: it needs a new version (`v2`), and replays must
    /// then accept both.
    pub fn fingerprint(&self) -> String {
        // Destructured in full: a new field does not compile until it is placed here.
        let OrderRequest {
            customer,
            items,
            ship_to,
            shipping,
            payment,
            discounts,
            notes,
            draft,
            idempotency_key: _,
        } = self;
        let mut encoding = Canonical::default();
        encoding.text(FINGERPRINT_DOMAIN);
        encoding.bytes(&customer.0.to_be_bytes());
        encoding.count(items.len());
        for ItemRequest { sku, quantity } in items {
            encoding.text(sku);
            encoding.bytes(&quantity.to_be_bytes());
        }
        match ship_to {
            None => encoding.bytes(&[0]),
            Some(AddressInput {
                recipient,
                line1,
                line2,
                city,
                region,
                postal_code,
                country,
            }) => {
                encoding.bytes(&[1]);
                for part in [recipient, line1, line2, city, region, postal_code, country] {
                    encoding.text(part);
                }
            }
        }
        encoding.text(match shipping {
            ShippingMethod::Standard => "standard",
            ShippingMethod::Express => "express",
            ShippingMethod::Pickup => "pickup",
        });
        encoding.text(match payment {
            PaymentMethod::Card => "card",
            PaymentMethod::Cash => "cash",
            PaymentMethod::BankTransfer => "bank-transfer",
            PaymentMethod::CashOnDelivery => "cash-on-delivery",
        });
        encoding.count(discounts.len());
        for (label, percent) in discounts {
            encoding.text(label);
            encoding.text(&percent.normalize().to_string());
        }
        encoding.text(notes);
        encoding.bytes(&[u8::from(*draft)]);
        let digest = Sha256::digest(&encoding.0);
        let mut fingerprint = String::from(FINGERPRINT_VERSION);
        fingerprint.push(':');
        for byte in digest {
            fingerprint.push_str(&format!("{byte:02x}"));
        }
        fingerprint
    }
}

/// The version of [`OrderRequest::fingerprint`]'s encoding (the prefix of every fingerprint).
const FINGERPRINT_VERSION: &str = "v1";
/// What the encoding starts with, so it can never equal that of another kind of request.
const FINGERPRINT_DOMAIN: &str = "ordo/order-request/v1";

/// The bytes a fingerprint hashes.
#[derive(Default)]
struct Canonical(Vec<u8>);

impl Canonical {
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn count(&mut self, count: usize) {
        // Counts and lengths are bounded far below u32::MAX by the request limits.
        self.bytes(&u32::try_from(count).unwrap_or(u32::MAX).to_be_bytes());
    }

    fn text(&mut self, text: &str) {
        self.count(text.len());
        self.bytes(text.as_bytes());
    }
}

/// Where an idempotency key is remembered: the caller's `key` within the scope of the actor
/// who sent it (`customer/7/…`, `staff/3/…`, `local/5:alice/…`), so customer A's key `k1`,
/// customer B's `k1` and a staff user's `k1` are three independent keys.
pub fn idempotency_storage_key(actor: &Actor, key: &str) -> String {
    match actor.principal() {
        Principal::Customer(id) => format!("customer/{}/{key}", id.0),
        Principal::Staff(id) => format!("staff/{}/{key}", id.0),
        // The name's length first: an OS user name may itself contain `/`.
        Principal::LocalAdmin(name) => format!("local/{}:{name}/{key}", name.len()),
        Principal::System => format!("system/{key}"),
        Principal::Guest => format!("guest/{key}"),
    }
}

/// A caller's idempotency key, checked: 1 to 128 characters, no spaces.
pub(super) fn check_idempotency_key(key: &str) -> Result<String> {
    let key = validate::required_text("idempotency key", key, 128)?;
    if key.chars().any(char::is_whitespace) {
        return Err(Error::invalid("idempotency key", "must not contain spaces"));
    }
    Ok(key)
}

/// Whether a key first used at `first_used` is still remembered at `now`.
pub(super) fn within_window(first_used: Timestamp, now: Timestamp, window_ms: i64) -> bool {
    now.0.saturating_sub(first_used.0) < window_ms
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::auth::Role;
    use crate::clock::DAY_MS;
    use crate::engine::tests::fixture;
    use crate::error::Error;
    use crate::ids::{CustomerId, UserId};
    use crate::testkit::{invariants, sample};

    fn fixed_request() -> OrderRequest {
        OrderRequest {
            customer: CustomerId(42),
            items: vec![
                ItemRequest {
                    sku: "tee-red-m".into(),
                    quantity: 2,
                },
                ItemRequest {
                    sku: "MUG".into(),
                    quantity: 1,
                },
            ],
            ship_to: Some(AddressInput {
                recipient: "Ada Lovelace".into(),
                line1: "12 St James's Square".into(),
                line2: String::new(),
                city: "London".into(),
                region: String::new(),
                postal_code: "SW1Y 4LB".into(),
                country: "GB".into(),
            }),
            shipping: ShippingMethod::Express,
            payment: PaymentMethod::BankTransfer,
            discounts: vec![("WELCOME".into(), dec!(10.0))],
            notes: "Leave at the door".into(),
            draft: false,
            idempotency_key: Some("k1".into()),
        }
    }

    /// The golden value: computed once from the documented encoding (and checked against
    /// an independent implementation of it); a rename of any Rust type or field must not
    /// change it, and a deliberate change to the encoding needs a new version tag.
    #[test]
    fn the_fingerprint_of_a_fixed_request_is_pinned() {
        let request = fixed_request();
        assert_eq!(request.fingerprint(), GOLDEN_FINGERPRINT);
        // The key is not part of it; a decimal counts by value, not by how it was written.
        let mut same = request.clone();
        same.idempotency_key = Some("another-key".into());
        same.discounts[0].1 = dec!(10);
        assert_eq!(same.fingerprint(), GOLDEN_FINGERPRINT);
        // Every field of the content counts.
        let changes: Vec<fn(&mut OrderRequest)> = vec![
            |r| r.customer = CustomerId(43),
            |r| r.items[0].quantity = 3,
            |r| r.items[1].sku = "MUG2".into(),
            |r| r.items.reverse(),
            |r| r.ship_to = None,
            |r| {
                if let Some(a) = &mut r.ship_to {
                    a.line2 = "Flat 1".into();
                }
            },
            |r| r.shipping = ShippingMethod::Standard,
            |r| r.payment = PaymentMethod::Card,
            |r| r.discounts.clear(),
            |r| r.discounts[0].1 = dec!(11),
            |r| r.notes.push('!'),
            |r| r.draft = true,
        ];
        let mut seen = std::collections::HashSet::new();
        for change in changes {
            let mut changed = request.clone();
            change(&mut changed);
            let fingerprint = changed.fingerprint();
            assert_ne!(fingerprint, GOLDEN_FINGERPRINT, "{changed:?}");
            assert!(seen.insert(fingerprint), "two changes collide: {changed:?}");
        }
    }

    const GOLDEN_FINGERPRINT: &str =
        "v1:eb8e73fc62ac26c558429cff0e048cfa0094e83e3afb6ef9a8aeed0456f2898c";

    #[test]
    fn a_replay_returns_the_first_order_and_other_content_is_refused() {
        let f = fixture();
        let me = Actor::customer(f.consumer);
        let mut request = OrderRequest::simple(f.consumer, &[("TEE", 2)]);
        request.idempotency_key = Some("k1".into());
        let first = f.engine.create_order(&me, &request).unwrap();
        let again = f.engine.create_order(&me, &request).unwrap();
        assert_eq!(again, first);
        let mut different = request.clone();
        different.items[0].quantity = 3;
        assert_eq!(
            f.engine.create_order(&me, &different).unwrap_err(),
            Error::IdempotencyMismatch { key: "k1".into() }
        );
        assert_eq!(invariants::all_orders(f.store.as_ref()).unwrap().len(), 1);
        assert_eq!(f.available("TEE", "MAIN"), 8);
        f.check();
    }

    /// Regression (issue 8): keys were global, so customer B's retry-safe key "k1" collided
    /// with customer A's "k1" (IdempotencyMismatch, or A's order handed to B).
    #[test]
    fn the_same_key_in_another_scope_is_another_key() {
        let f = fixture();
        let other = f
            .engine
            .create_customer(&f.admin, &sample::customer(77))
            .unwrap()
            .id();
        let clerk = Actor::staff(UserId(5), Role::OrderProcessor).unwrap();
        let keyed = |customer: CustomerId| {
            let mut request = OrderRequest::simple(customer, &[("TEE", 1)]);
            request.idempotency_key = Some("k1".into());
            request
        };
        let a = f
            .engine
            .create_order(&Actor::customer(f.consumer), &keyed(f.consumer))
            .unwrap();
        let b = f
            .engine
            .create_order(&Actor::customer(other), &keyed(other))
            .unwrap();
        // Staff ordering for customer A with "k1": the clerk's own key, not A's.
        let c = f.engine.create_order(&clerk, &keyed(f.consumer)).unwrap();
        let d = f.engine.create_order(&f.admin, &keyed(other)).unwrap();
        let ids = [a.id(), b.id(), c.id(), d.id()];
        assert_eq!(
            ids.iter().collect::<std::collections::HashSet<_>>().len(),
            4,
            "{ids:?}"
        );
        assert_eq!((a.customer(), b.customer()), (f.consumer, other));
        assert_eq!(invariants::all_orders(f.store.as_ref()).unwrap().len(), 4);
        // Within each scope the key still replays.
        assert_eq!(
            f.engine.create_order(&clerk, &keyed(f.consumer)).unwrap(),
            c
        );
        assert_eq!(
            idempotency_storage_key(&clerk, "k1"),
            "staff/5/k1".to_string()
        );
        assert_eq!(
            idempotency_storage_key(&Actor::local_admin("a/b"), "c"),
            "local/3:a/b/c".to_string()
        );
        f.check();
    }

    /// Regression (issue 8): keys were remembered for ever.
    #[test]
    fn a_key_older_than_the_window_counts_as_new() {
        let f = fixture();
        let mut request = OrderRequest::simple(f.consumer, &[("MUG", 1)]);
        request.idempotency_key = Some("daily".into());
        let first = f.engine.create_order(&f.admin, &request).unwrap();
        f.clock.advance(DAY_MS - 1);
        assert_eq!(f.engine.create_order(&f.admin, &request).unwrap(), first);
        f.clock.advance(1);
        let second = f.engine.create_order(&f.admin, &request).unwrap();
        assert_ne!(second.id(), first.id());
        // The key now stands for the second order, also with other content.
        assert_eq!(f.engine.create_order(&f.admin, &request).unwrap(), second);
        let mut changed = request.clone();
        changed.items[0].quantity = 2;
        assert!(matches!(
            f.engine.create_order(&f.admin, &changed),
            Err(Error::IdempotencyMismatch { .. })
        ));
        f.clock.advance(DAY_MS);
        let third = f.engine.create_order(&f.admin, &changed).unwrap();
        assert_eq!(third.lines()[0].quantity, 2);
        assert_eq!(invariants::all_orders(f.store.as_ref()).unwrap().len(), 3);
        f.check();
    }
}
