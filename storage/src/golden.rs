//! Golden files: one encoded value of every stored kind, per schema version, committed in
//! `storage/golden/v{N}/`. The current version's files must decode and re-encode to the
//! same bytes (so a change to a stored type cannot slip in unnoticed); older versions'
//! files must still open through the migration at open.
//!
//! `ORDO_BLESS_GOLDEN=1 cargo test -p ordo-storage golden` writes the files of the current
//! schema version that do not exist yet (a new version's folder, or a record kind added
//! within a version); it never overwrites a file.

use std::path::{Path, PathBuf};

use ordo_core::audit::Subject;
use ordo_core::auth::Role;
use ordo_core::engine::{PaymentRequest, RegistrationRequest, VerifyRequest};
use ordo_core::ids::OrderId;
use ordo_core::message::{Direction, MessageChannel};
use ordo_core::payment::PaymentMethod;
use ordo_core::prelude::*;
use ordo_core::ratelimit::{RateKey, RateLimit, RateScope};
use ordo_core::registration::Channel;
use ordo_core::store::{ALL_RECORD_KINDS, MemoryStore, RecordKind, Store};
use ordo_core::testkit::sample;

use crate::codec::{self, ValueKind};

/// The folder of one schema version's golden files.
pub(crate) fn folder(schema: u8) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(format!("v{schema}"))
}

/// A small shop with one record of every kind, built by the engine with a fixed seed and
/// clock, so each kind's value exercises its optional parts (credentials, a pending
/// verification, a payment, a discount, a session, a throttle).
fn seeded_store() -> (ordo_core::engine::Engine<MemoryStore>, OrderId) {
    let (engine, clock) = sample::engine(MemoryStore::new(), 7);
    let admin = sample::admin();
    let product = engine
        .create_product(&admin, sample::product("TEE-GOLD-M", 1999))
        .unwrap_or_else(|e| panic!("product: {e}"));
    engine
        .restock(&admin, product.sku().as_str(), "MAIN", 10, "first delivery")
        .unwrap_or_else(|e| panic!("restock: {e}"));
    let guest = Actor::guest();
    let registered = engine
        .register_customer(
            &guest,
            &RegistrationRequest {
                customer: sample::customer(1),
                channel: Channel::Sms,
            },
        )
        .unwrap_or_else(|e| panic!("register: {e}"));
    let nonce = registered
        .customer
        .verification()
        .map(|v| v.nonce)
        .unwrap_or_default();
    let code = engine
        .verification_code(&admin, registered.customer.id(), nonce)
        .unwrap_or_else(|e| panic!("code: {e}"))
        .unwrap_or_default();
    let customer = engine
        .verify_customer(
            &guest,
            &VerifyRequest {
                registration: registered.handle.reveal().to_string(),
                code,
                login: "ada.golden".into(),
                password: "correct horse battery".into(),
            },
        )
        .unwrap_or_else(|e| panic!("verify: {e}"));
    engine
        .register_customer(
            &guest,
            &RegistrationRequest {
                customer: sample::customer(2),
                channel: Channel::Telegram { chat_id: 42 },
            },
        )
        .unwrap_or_else(|e| panic!("second registration: {e}"));
    let mut request = OrderRequest::simple(customer.id(), &[("TEE-GOLD-M", 2)]);
    request.discounts = vec![("SPRING".into(), rust_decimal::Decimal::new(10, 0))];
    request.idempotency_key = Some("golden-1".into());
    let order = engine
        .create_order(&admin, &request)
        .unwrap_or_else(|e| panic!("order: {e}"));
    engine
        .record_payment(
            &admin,
            order.id(),
            &PaymentRequest {
                amount: sample::usd_cents(1000),
                method: PaymentMethod::Card,
                external_reference: "ch_golden".into(),
                idempotency_key: None,
            },
        )
        .unwrap_or_else(|e| panic!("payment: {e}"));
    engine
        .add_user(
            &admin,
            "Grace Golden",
            "grace",
            Role::Warehouse,
            "another long phrase",
        )
        .unwrap_or_else(|e| panic!("user: {e}"));
    let grace = engine
        .login("grace", "another long phrase")
        .unwrap_or_else(|e| panic!("login: {e}"));
    // Grace signs a Telegram chat in; the bot keeps its dialogue and last update.
    let system = Actor::system();
    engine
        .link_telegram_chat(&system, -1_001_234, grace.token.reveal())
        .unwrap_or_else(|e| panic!("link chat: {e}"));
    engine
        .set_telegram_dialogue(&system, -1_001_234, Some("{\"step\":\"phone\"}"))
        .unwrap_or_else(|e| panic!("dialogue: {e}"));
    engine
        .mark_telegram_update(&system, -1_001_234, 4_242)
        .unwrap_or_else(|e| panic!("update: {e}"));
    let _ = engine.login("grace", "wrong password entirely");
    engine
        .log_message(
            &admin,
            customer.id(),
            MessageChannel::Sms,
            Direction::Inbound,
            "where is my order?",
            Some(order.id()),
        )
        .unwrap_or_else(|e| panic!("message: {e}"));
    engine
        .take_rate(
            &Actor::system(),
            &RateKey::new(RateScope::Phone, "+15550000001").unwrap_or_else(|e| panic!("{e}")),
            RateLimit::new(5, 60_000).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("rate: {e}"));
    // Ada asks for a new phone: her record carries a pending contact change.
    let ada = engine
        .login("ada.golden", "correct horse battery")
        .unwrap_or_else(|e| panic!("ada login: {e}"))
        .actor;
    let mut moved = sample::customer(1);
    moved.phone = "+15550009999".into();
    engine
        .update_customer(&ada, customer.id(), &moved)
        .unwrap_or_else(|e| panic!("contact change: {e}"));
    engine
        .change_pricing_settings(
            &admin,
            &[
                ordo_core::pricing::PricingChange::TaxRounding(
                    ordo_core::money::RoundingMode::HalfUp,
                ),
                ordo_core::pricing::PricingChange::parse("seller.name=Golden Goods Ltd")
                    .unwrap_or_else(|e| panic!("{e}")),
                ordo_core::pricing::PricingChange::parse(
                    "seller.address=1 Market St; Leeds LS1 1AA",
                )
                .unwrap_or_else(|e| panic!("{e}")),
                ordo_core::pricing::PricingChange::parse("seller.tax_id=GB123456789")
                    .unwrap_or_else(|e| panic!("{e}")),
            ],
        )
        .unwrap_or_else(|e| panic!("pricing settings: {e}"));
    // Ada's phone subscribes to her order's news; another number texts STOP.
    let reference = engine
        .get_order(&admin, order.id())
        .unwrap_or_else(|e| panic!("order: {e}"))
        .value
        .reference()
        .cloned()
        .unwrap_or_else(|| panic!("the golden order has a reference"));
    engine
        .watch_order(&system, customer.phone(), &reference, true)
        .unwrap_or_else(|e| panic!("watch: {e}"));
    let stranger =
        ordo_core::customer::Phone::parse("+15550004444").unwrap_or_else(|e| panic!("phone: {e}"));
    engine
        .set_phone_opt_out(&system, &stranger, true)
        .unwrap_or_else(|e| panic!("opt out: {e}"));
    // A delivery claimed by a dispatcher: its lease is part of the stored shape.
    engine
        .claim_deliveries(
            &system,
            ordo_core::delivery::DeliveryChannel::Sms,
            "golden",
            1,
        )
        .unwrap_or_else(|e| panic!("claim: {e}"));
    // Ada opens a ticket about her order; staff add an internal note and wait for her.
    let draft = ordo_core::ticket::TicketDraft::parse(
        customer.id(),
        Some(order.id()),
        "Parcel not here yet",
        ordo_core::ticket::TicketPriority::High,
        "It was due yesterday.",
    )
    .unwrap_or_else(|e| panic!("ticket draft: {e}"));
    let ticket = engine
        .open_ticket(&ada, &draft)
        .unwrap_or_else(|e| panic!("ticket: {e}"));
    engine
        .comment_ticket(
            &admin,
            ticket.id(),
            "courier confirms a delay",
            ordo_core::ticket::Visibility::Internal,
        )
        .unwrap_or_else(|e| panic!("ticket comment: {e}"));
    engine
        .set_ticket_status(
            &admin,
            ticket.id(),
            ordo_core::ticket::TicketStatus::Pending,
        )
        .unwrap_or_else(|e| panic!("ticket status: {e}"));
    // A second order ships one of its two units; the carrier reports it out for delivery.
    let second = engine
        .create_order(
            &admin,
            &OrderRequest::simple(customer.id(), &[("TEE-GOLD-M", 2)]),
        )
        .unwrap_or_else(|e| panic!("second order: {e}"));
    engine
        .advance_orders(
            &admin,
            &[second.id()],
            ordo_core::order::OrderStatus::Packed,
        )
        .unwrap_or_else(|e| panic!("pack: {e}"));
    let carrier =
        ordo_core::shipment::CarrierName::parse("dhl").unwrap_or_else(|e| panic!("carrier: {e}"));
    let tracking = ordo_core::shipment::TrackingNumber::parse("JD014600006101")
        .unwrap_or_else(|e| panic!("tracking: {e}"));
    let sku = ordo_core::catalog::Sku::parse("TEE-GOLD-M").unwrap_or_else(|e| panic!("{e}"));
    engine
        .ship_order(
            &admin,
            second.id(),
            &ordo_core::engine::ShipRequest {
                lines: vec![(sku, 1)],
                carrier: carrier.clone(),
                method: None,
                tracking: tracking.clone(),
                weight: Some(
                    ordo_core::shipment::Weight::parse_kg("0.35").unwrap_or_else(|e| panic!("{e}")),
                ),
            },
        )
        .unwrap_or_else(|e| panic!("ship: {e}"));
    let event = ordo_core::shipment::TrackingEvent::new(
        ordo_core::clock::Timestamp(1_764_000_000_000),
        ordo_core::shipment::TrackingStatus::OutForDelivery,
        "Leipzig hub",
    )
    .unwrap_or_else(|e| panic!("event: {e}"));
    engine
        .track_shipment(&system, &carrier, &tracking, &event)
        .unwrap_or_else(|e| panic!("track: {e}"));
    engine
        .issue_invoice(&admin, order.id())
        .unwrap_or_else(|e| panic!("invoice: {e}"));
    golden_return(&engine, &admin, customer.id());
    clock.advance(1);
    (engine, order.id())
}

/// A third order, paid, shipped and delivered, comes back in part: one unit restocked,
/// one written off, and refunded (a return with inspections of both kinds and a refund).
fn golden_return(
    engine: &ordo_core::engine::Engine<MemoryStore>,
    admin: &Actor,
    customer: ordo_core::ids::CustomerId,
) {
    use ordo_core::returns::{Inspection, ReturnRequestLine};
    use ordo_core::shipment::{CarrierName, TrackingEvent, TrackingNumber, TrackingStatus};
    let sku = ordo_core::catalog::Sku::parse("TEE-GOLD-M").unwrap_or_else(|e| panic!("{e}"));
    let order = engine
        .create_order(admin, &OrderRequest::simple(customer, &[("TEE-GOLD-M", 3)]))
        .unwrap_or_else(|e| panic!("third order: {e}"));
    engine
        .record_payment(
            admin,
            order.id(),
            &PaymentRequest {
                amount: order.totals().total,
                method: PaymentMethod::Cash,
                external_reference: String::new(),
                idempotency_key: None,
            },
        )
        .unwrap_or_else(|e| panic!("pay: {e}"));
    engine
        .advance_orders(admin, &[order.id()], ordo_core::order::OrderStatus::Packed)
        .unwrap_or_else(|e| panic!("pack: {e}"));
    let carrier = CarrierName::parse("ups").unwrap_or_else(|e| panic!("{e}"));
    let tracking = TrackingNumber::parse("1Z0GOLDEN0003").unwrap_or_else(|e| panic!("{e}"));
    engine
        .ship_order(
            admin,
            order.id(),
            &ordo_core::engine::ShipRequest {
                lines: Vec::new(),
                carrier: carrier.clone(),
                method: None,
                tracking: tracking.clone(),
                weight: None,
            },
        )
        .unwrap_or_else(|e| panic!("ship: {e}"));
    let delivered = TrackingEvent::new(
        ordo_core::clock::Timestamp(1_764_100_000_000),
        TrackingStatus::Delivered,
        "Front door",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    engine
        .track_shipment(&Actor::system(), &carrier, &tracking, &delivered)
        .unwrap_or_else(|e| panic!("deliver: {e}"));
    let opened = engine
        .open_return(
            admin,
            order.id(),
            &[ReturnRequestLine {
                sku: sku.clone(),
                quantity: 2,
                reason: "too small".into(),
            }],
        )
        .unwrap_or_else(|e| panic!("open return: {e}"));
    engine
        .approve_return(admin, opened.id())
        .unwrap_or_else(|e| panic!("approve: {e}"));
    let main = ordo_core::inventory::WarehouseCode::parse("MAIN").unwrap_or_else(|e| panic!("{e}"));
    engine
        .receive_return(
            admin,
            opened.id(),
            &[
                (sku.clone(), 1, Inspection::Restocked { warehouse: main }),
                (
                    sku,
                    1,
                    Inspection::WrittenOff {
                        reason: "stained".into(),
                    },
                ),
            ],
        )
        .unwrap_or_else(|e| panic!("receive: {e}"));
    engine
        .refund_return(
            admin,
            opened.id(),
            &ordo_core::engine::ReturnRefund {
                amount: None,
                method: Some(PaymentMethod::Cash),
                external_reference: "refund-golden".into(),
            },
        )
        .unwrap_or_else(|e| panic!("refund: {e}"));
    // The last unit comes back too and is exchanged: its replacement leaves in a parcel
    // of the return (schema 4).
    let exchanged = engine
        .open_return(
            admin,
            order.id(),
            &[ReturnRequestLine {
                sku: sku_of_gold(),
                quantity: 1,
                reason: "wrong colour".into(),
            }],
        )
        .unwrap_or_else(|e| panic!("open second return: {e}"));
    engine
        .approve_return(admin, exchanged.id())
        .unwrap_or_else(|e| panic!("approve: {e}"));
    let main = ordo_core::inventory::WarehouseCode::parse("MAIN").unwrap_or_else(|e| panic!("{e}"));
    engine
        .receive_return(
            admin,
            exchanged.id(),
            &[(sku_of_gold(), 1, Inspection::Restocked { warehouse: main })],
        )
        .unwrap_or_else(|e| panic!("receive: {e}"));
    // Exchanged for something cheaper (a third of the order's rounded total buys no tee).
    let socks = engine
        .create_product(admin, sample::product("SOCK-GOLD", 499))
        .unwrap_or_else(|e| panic!("socks: {e}"));
    engine
        .restock(admin, socks.sku().as_str(), "MAIN", 5, "first delivery")
        .unwrap_or_else(|e| panic!("restock socks: {e}"));
    engine
        .exchange_return(
            admin,
            exchanged.id(),
            &ordo_core::engine::ExchangeRequest {
                lines: vec![(socks.sku().clone(), 1)],
                warehouse: None,
                carrier,
                tracking: TrackingNumber::parse("1Z0GOLDEN0004").unwrap_or_else(|e| panic!("{e}")),
            },
        )
        .unwrap_or_else(|e| panic!("exchange: {e}"));
}

fn sku_of_gold() -> ordo_core::catalog::Sku {
    ordo_core::catalog::Sku::parse("TEE-GOLD-M").unwrap_or_else(|e| panic!("{e}"))
}

/// The golden file of a shipment that carries a return's replacement (schema 4 and later).
const REPLACEMENT_SHIPMENT_FILE: &str = "record-shipment-replacement.bin";

/// File name of a record kind's golden file.
fn record_file(kind: RecordKind) -> String {
    format!("record-{kind:?}.bin").to_lowercase()
}

/// Every golden value of the seeded store: (file name, bytes).
fn current_values() -> Vec<(String, Vec<u8>)> {
    let (engine, order) = seeded_store();
    let store = engine
        .store(&sample::admin())
        .unwrap_or_else(|e| panic!("store: {e}"));
    let mut values = Vec::new();
    for kind in ALL_RECORD_KINDS {
        let found = store
            .scan(kind, None, 2)
            .unwrap_or_else(|e| panic!("scan {kind:?}: {e}"));
        if kind == RecordKind::Settings
            && let Some(pricing) = found.get(1)
        {
            values.push((
                "record-pricing-settings.bin".into(),
                codec::encode_record(pricing.version, &pricing.value)
                    .unwrap_or_else(|e| panic!("encode pricing settings: {e}")),
            ));
        }
        if kind == RecordKind::Customer
            && let Some(pending) = found.get(1)
        {
            values.push((
                "record-customer-pending.bin".into(),
                codec::encode_record(pending.version, &pending.value)
                    .unwrap_or_else(|e| panic!("encode pending customer: {e}")),
            ));
        }
        if kind == RecordKind::Shipment {
            let all = store
                .scan(kind, None, 100)
                .unwrap_or_else(|e| panic!("scan shipments: {e}"));
            let replacement = all
                .iter()
                .find(|s| {
                    matches!(&s.value, ordo_core::store::Record::Shipment(s) if s.for_return().is_some())
                })
                .unwrap_or_else(|| panic!("the golden store has no replacement parcel"));
            values.push((
                REPLACEMENT_SHIPMENT_FILE.into(),
                codec::encode_record(replacement.version, &replacement.value)
                    .unwrap_or_else(|e| panic!("encode replacement parcel: {e}")),
            ));
        }
        let record = found
            .first()
            .unwrap_or_else(|| panic!("the golden store has no {kind:?} record"));
        values.push((
            record_file(kind),
            codec::encode_record(record.version, &record.value)
                .unwrap_or_else(|e| panic!("encode {kind:?}: {e}")),
        ));
    }
    let audit = store
        .audit_for(Subject::Order(order), None, 10)
        .unwrap_or_default();
    let entry = audit.first().unwrap_or_else(|| panic!("no audit entry"));
    values.push((
        "audit.bin".into(),
        codec::encode_audit(entry).unwrap_or_default(),
    ));
    // Format 3 kept events in an outbox; the migration still reads such values.
    let delivery = sample::deliveries(&engine)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no delivery"));
    let message = ordo_core::outbox::OutboxMessage {
        sequence: 1,
        at: delivery.created(),
        event: delivery.event().clone(),
    };
    values.push((
        "outbox.bin".into(),
        codec::encode_outbox(&message).unwrap_or_default(),
    ));
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_files_of_the_current_schema_decode_and_re_encode_byte_for_byte() {
        let dir = folder(codec::SCHEMA_VERSION);
        if std::env::var_os("ORDO_BLESS_GOLDEN").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in current_values() {
                let path = dir.join(name);
                if !path.exists() {
                    std::fs::write(path, bytes).unwrap();
                }
            }
        }
        let mut checked = 0;
        for kind in ALL_RECORD_KINDS {
            let path = dir.join(record_file(kind));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("{}: {e} (bless with ORDO_BLESS_GOLDEN=1)", path.display())
            });
            let (version, record) = codec::decode_record(&record_file(kind), &bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(record.key().kind(), kind);
            assert_eq!(
                codec::encode_record(version, &record).unwrap(),
                bytes,
                "{kind:?}"
            );
            checked += 1;
        }
        let pricing = std::fs::read(dir.join("record-pricing-settings.bin")).unwrap();
        let (version, record) = codec::decode_record("pricing", &pricing).unwrap();
        assert!(matches!(
            record,
            ordo_core::store::Record::PricingSettings(_)
        ));
        assert_eq!(codec::encode_record(version, &record).unwrap(), pricing);
        let pending = std::fs::read(dir.join("record-customer-pending.bin")).unwrap();
        let (version, record) = codec::decode_record("pending", &pending).unwrap();
        assert_eq!(codec::encode_record(version, &record).unwrap(), pending);
        // Schema 4 keeps the seller in the settings and in each invoice issued after.
        let ordo_core::store::Record::PricingSettings(settings) =
            &record_of(&dir, "record-pricing-settings.bin")
        else {
            panic!("not pricing settings");
        };
        assert_eq!(settings.seller().name(), "Golden Goods Ltd");
        let ordo_core::store::Record::Invoice(invoice) = &record_of(&dir, "record-invoice.bin")
        else {
            panic!("not an invoice");
        };
        assert_eq!(invoice.seller().tax_id(), "GB123456789");
        let parcel = std::fs::read(dir.join(REPLACEMENT_SHIPMENT_FILE)).unwrap();
        let (version, record) = codec::decode_record("replacement", &parcel).unwrap();
        let ordo_core::store::Record::Shipment(shipment) = &record else {
            panic!("{REPLACEMENT_SHIPMENT_FILE} holds {}", record.key());
        };
        assert!(shipment.for_return().is_some());
        assert_eq!(codec::encode_record(version, &record).unwrap(), parcel);
        let audit = std::fs::read(dir.join("audit.bin")).unwrap();
        let entry = codec::decode_audit("audit", &audit).unwrap();
        assert_eq!(codec::encode_audit(&entry).unwrap(), audit);
        let outbox = std::fs::read(dir.join("outbox.bin")).unwrap();
        let message = codec::decode_outbox("outbox", &outbox).unwrap();
        assert_eq!(codec::encode_outbox(&message).unwrap(), outbox);
        assert_eq!(checked, ALL_RECORD_KINDS.len());
    }

    fn record_of(dir: &Path, file: &str) -> ordo_core::store::Record {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        codec::decode_record(file, &bytes).unwrap().1
    }

    /// Upgrades every golden file of `schema` and checks what comes out; returns how many.
    fn upgrade_folder(schema: u8) -> usize {
        let dir = folder(schema);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut upgraded = 0;
        for path in &files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(path).unwrap();
            assert_eq!(codec::schema_of(&name, &bytes).unwrap(), schema, "{name}");
            let kind = if name.starts_with("record-") {
                ValueKind::Record
            } else if name == "audit.bin" {
                ValueKind::Audit
            } else {
                ValueKind::Outbox
            };
            let now = codec::upgrade_value(kind, &name, &bytes)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .unwrap_or_else(|| panic!("{name} was not upgraded"));
            assert_eq!(
                codec::schema_of(&name, &now).unwrap(),
                codec::SCHEMA_VERSION
            );
            // Upgrading is idempotent: a value of the current schema is left alone.
            assert_eq!(codec::upgrade_value(kind, &name, &now).unwrap(), None);
            match kind {
                ValueKind::Record => {
                    let (_, record) = codec::decode_record(&name, &now).unwrap();
                    if let ordo_core::store::Record::Customer(customer) = &record
                        && schema == 1
                    {
                        assert!(!customer.name().is_empty());
                        assert!(customer.pending_contact().is_none());
                        if let Some(verification) = customer.verification() {
                            assert_eq!((verification.resends, verification.handle), (0, None));
                        }
                    }
                    // Settings and invoices before schema 4 had no seller.
                    if let ordo_core::store::Record::PricingSettings(settings) = &record {
                        assert!(settings.seller().is_empty());
                    }
                    if let ordo_core::store::Record::Invoice(invoice) = &record {
                        assert!(invoice.seller().is_empty());
                        assert!(!invoice.lines().is_empty());
                    }
                    // Shipments before schema 4 carried order lines.
                    if let ordo_core::store::Record::Shipment(shipment) = &record {
                        assert_eq!(shipment.for_return(), None);
                        assert!(shipment.ships_order_lines());
                    }
                    // Products of schemas 1 and 2 had no weight or size.
                    if let ordo_core::store::Record::Product(product) = &record
                        && schema < 3
                    {
                        assert_eq!(product.sku().as_str(), "TEE-GOLD-M");
                        assert_eq!((product.weight(), product.dimensions()), (None, None));
                    }
                    // Pricing settings are kept in the settings tree (kind `Settings`).
                    let file_kind = format!("record-{:?}", record.key().kind()).to_lowercase();
                    assert!(
                        name.starts_with(&file_kind) || name == "record-pricing-settings.bin",
                        "{name} holds {}",
                        record.key()
                    );
                }
                ValueKind::Audit => {
                    codec::decode_audit(&name, &now).unwrap();
                }
                _ => {
                    codec::decode_outbox(&name, &now).unwrap();
                }
            }
            upgraded += 1;
        }
        upgraded
    }

    #[test]
    fn golden_files_of_schema_1_upgrade_to_the_current_schema() {
        // Every record kind of version 1 (10), the pending customer, audit and outbox.
        assert_eq!(upgrade_folder(1), 13);
    }

    #[test]
    fn golden_files_of_schema_2_upgrade_to_the_current_schema() {
        // Every record kind of version 2 (16, pricing settings beside settings), the
        // pending customer, audit and outbox.
        assert_eq!(upgrade_folder(2), 20);
    }

    #[test]
    fn golden_files_of_schema_3_upgrade_to_the_current_schema() {
        // Every record kind of version 3 (19, pricing settings beside settings), the
        // pending customer, audit and outbox.
        assert_eq!(upgrade_folder(3), 23);
    }

    /// A PostgreSQL store reads the rows an older release wrote without a migration pass:
    /// the decoder upgrades records and reads audit entries of an older schema as it goes.
    #[test]
    fn records_and_audit_entries_of_older_schemas_decode_directly() {
        for schema in 1..codec::SCHEMA_VERSION {
            let dir = folder(schema);
            let mut records = 0;
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let bytes = std::fs::read(&path).unwrap();
                if name.starts_with("record-") {
                    let (_, direct) = codec::decode_record(&name, &bytes)
                        .unwrap_or_else(|e| panic!("v{schema}/{name}: {e}"));
                    let upgraded = codec::upgrade_value(ValueKind::Record, &name, &bytes)
                        .unwrap()
                        .unwrap();
                    assert_eq!(direct, codec::decode_record(&name, &upgraded).unwrap().1);
                    records += 1;
                } else if name == "audit.bin" {
                    codec::decode_audit(&name, &bytes)
                        .unwrap_or_else(|e| panic!("v{schema}/{name}: {e}"));
                }
            }
            assert!(records >= 10, "v{schema}: {records} records");
        }
    }

    #[test]
    fn golden_kinds_cover_every_record_kind() {
        let names: Vec<String> = ALL_RECORD_KINDS.iter().map(|k| record_file(*k)).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
    }
}
