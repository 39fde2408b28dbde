//! Every public engine method, called by every role, on a fresh shop each time: allowed
//! roles succeed, others get `Forbidden`; and a test that fails when a public method is
//! added without being listed here.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::auth::{ALL_ROLES, Actor, Operation, Role};
use crate::clock::ManualClock;
use crate::customer::Phone;
use crate::delivery::{CarrierStatus, Delivery, DeliveryChannel, SendOutcome};
use crate::engine::{
    DeliveryFilter, Engine, OrderFilter, OrderRequest, PaymentRequest, RegistrationRequest,
    VerifyRequest,
};
use crate::error::{AuthFailure, Error, Refusal};
use crate::ids::OrderReference;
use crate::ids::{CustomerId, OrderId, ProductId};
use crate::message::{Direction, MessageChannel};
use crate::order::OrderStatus;
use crate::outbox::DomainEvent;
use crate::payment::PaymentMethod;
use crate::random::SeededRandom;
use crate::ratelimit::{RateKey, RateLimit, RateScope};
use crate::registration::Channel;
use crate::store::{MemoryStore, Store};
use crate::testkit::sample;

const PASSWORD: &str = "plum-orchard-7-lantern";
const NEW_PASSWORD: &str = "quiet-harbour-9-meadow";

/// A small shop with something for every method to act on.
struct Shop {
    engine: Engine<MemoryStore>,
    clock: Arc<ManualClock>,
    admin: Actor,
    /// The acting customer (active, with a login).
    own: CustomerId,
    /// Another customer.
    other: CustomerId,
    /// A verified business waiting for approval.
    pending_approval: CustomerId,
    /// A registration waiting for its code, and its handle.
    registration: (CustomerId, String),
    /// Orders of `own`: placed, draft, confirmed, cancelled, archived, paid.
    placed: OrderId,
    draft: OrderId,
    confirmed: OrderId,
    cancelled: OrderId,
    archived: OrderId,
    paid: OrderId,
    product: ProductId,
    /// A staff user for the management commands to act on.
    victim: &'static str,
    /// A ticket of `own`.
    ticket: crate::ids::TicketId,
    /// A packed order of `own`, and one partially shipped (tracking `PART00001`).
    packed: OrderId,
    partly: OrderId,
    /// A delivered, paid order of `own` (TEE ×4) with one return in each working status:
    /// requested, approved, received (one unit each; one unit left to return).
    delivered: OrderId,
    requested: crate::ids::ReturnId,
    approved: crate::ids::ReturnId,
    received: crate::ids::ReturnId,
}

impl Shop {
    /// The acting customer's phone.
    fn phone(&self) -> Phone {
        self.engine
            .get_customer(&self.admin, self.own)
            .unwrap()
            .phone()
            .clone()
    }

    /// The reference of one of the shop's orders.
    fn reference(&self, order: OrderId) -> OrderReference {
        self.engine
            .get_order(&self.admin, order)
            .unwrap()
            .value
            .reference()
            .cloned()
            .unwrap()
    }

    /// An SMS delivery claimed by dispatcher `d1` (as the administrator).
    fn claimed_delivery(&self) -> Delivery {
        self.engine
            .claim_deliveries(&self.admin, DeliveryChannel::Sms, "d1", 1)
            .unwrap()
            .remove(0)
    }
}

/// The provider took the message, calling it `SM1`.
fn sent() -> SendOutcome {
    SendOutcome::Sent {
        provider_id: Some("SM1".into()),
    }
}

fn engine() -> (Engine<MemoryStore>, Arc<ManualClock>) {
    // Cheap hashes: this test hashes hundreds of passwords.
    sample::engine_with_cheap_passwords(MemoryStore::new(), 11)
}

fn shop() -> Shop {
    let (engine, clock) = engine();
    let admin = sample::admin();
    let e = &engine;
    let product = e
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap()
        .id();
    e.restock(&admin, "TEE", "MAIN", 100, "initial").unwrap();
    let own = e
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    e.set_customer_credentials(&admin, own, "owner", PASSWORD)
        .unwrap();
    let other = e
        .create_customer(&admin, &sample::customer(2))
        .unwrap()
        .id();
    let mut business = sample::customer(3);
    business.business = Some(("Acme Ltd".into(), "GB123".into()));
    let pending = register(e, business);
    let code = code_for(e, pending.0);
    e.verify_customer(
        &Actor::guest(),
        &VerifyRequest {
            registration: pending.1,
            code,
            login: "acme".into(),
            password: PASSWORD.into(),
        },
    )
    .unwrap();
    let registration = register(e, sample::customer(4));
    let order = |draft: bool| {
        let mut request = OrderRequest::simple(own, &[("TEE", 2)]);
        request.draft = draft;
        e.create_order(&admin, &request).unwrap().id()
    };
    let placed = order(false);
    let draft = order(true);
    let confirmed = order(false);
    e.change_status(&admin, confirmed, OrderStatus::Confirmed)
        .unwrap();
    let cancelled = order(false);
    e.cancel_order(&admin, cancelled, "test").unwrap();
    let archived = order(false);
    e.cancel_order(&admin, archived, "test").unwrap();
    e.archive_order(&admin, archived, "test").unwrap();
    let paid = order(false);
    e.record_payment(&admin, paid, &payment(500)).unwrap();
    e.issue_invoice(&admin, paid).unwrap();
    e.add_user(&admin, "Victim", "victim", Role::Warehouse, PASSWORD)
        .unwrap();
    e.log_message(
        &admin,
        own,
        MessageChannel::StaffNote,
        Direction::Outbound,
        "note",
        None,
    )
    .unwrap();
    let ticket = e.open_ticket(&admin, &ticket_draft(own)).unwrap().id();
    let packed = order(false);
    let partly = order(false);
    e.advance_orders(&admin, &[packed, partly], OrderStatus::Packed)
        .unwrap();
    e.ship_order(&admin, partly, &ship_request(1, "PART00001"))
        .unwrap();
    let (delivered, requested, approved, received) = returns(e, &admin, own);
    Shop {
        delivered,
        requested,
        approved,
        received,
        packed,
        partly,
        ticket,
        engine,
        clock,
        admin,
        own,
        other,
        pending_approval: pending.0,
        registration,
        placed,
        draft,
        confirmed,
        cancelled,
        archived,
        paid,
        product,
        victim: "victim",
    }
}

/// A delivered, paid order of TEE ×4 of `own` and three returns of it: requested,
/// approved, received.
fn returns(
    e: &Engine<MemoryStore>,
    admin: &Actor,
    own: CustomerId,
) -> (
    OrderId,
    crate::ids::ReturnId,
    crate::ids::ReturnId,
    crate::ids::ReturnId,
) {
    let order = e
        .create_order(admin, &OrderRequest::simple(own, &[("TEE", 4)]))
        .unwrap();
    let id = order.id();
    e.record_payment(
        admin,
        id,
        &PaymentRequest {
            amount: order.totals().total,
            method: PaymentMethod::Cash,
            external_reference: String::new(),
            idempotency_key: None,
        },
    )
    .unwrap();
    e.advance_orders(admin, &[id], OrderStatus::Packed).unwrap();
    e.ship_order(admin, id, &ship_request(4, "RET00001"))
        .unwrap();
    e.track_shipment(
        &Actor::system(),
        &crate::shipment::CarrierName::parse("dhl").unwrap(),
        &crate::shipment::TrackingNumber::parse("RET00001").unwrap(),
        &crate::shipment::TrackingEvent::new(
            crate::clock::Timestamp(1),
            crate::shipment::TrackingStatus::Delivered,
            "",
        )
        .unwrap(),
    )
    .unwrap();
    let open = || e.open_return(admin, id, &return_lines()).unwrap().id();
    let requested = open();
    let approved = open();
    e.approve_return(admin, approved).unwrap();
    let received = open();
    e.approve_return(admin, received).unwrap();
    e.receive_return(admin, received, &inspection()).unwrap();
    (id, requested, approved, received)
}

fn return_lines() -> Vec<crate::returns::ReturnRequestLine> {
    vec![crate::returns::ReturnRequestLine {
        sku: crate::catalog::Sku::parse("TEE").unwrap(),
        quantity: 1,
        reason: "too small".into(),
    }]
}

fn inspection() -> Vec<crate::engine::InspectionLine> {
    vec![(
        crate::catalog::Sku::parse("TEE").unwrap(),
        1,
        crate::returns::Inspection::Restocked {
            warehouse: crate::inventory::WarehouseCode::parse("MAIN").unwrap(),
        },
    )]
}

fn ship_request(units: u32, tracking: &str) -> crate::engine::ShipRequest {
    crate::engine::ShipRequest {
        lines: vec![(crate::catalog::Sku::parse("TEE").unwrap(), units)],
        carrier: crate::shipment::CarrierName::parse("dhl").unwrap(),
        method: None,
        tracking: crate::shipment::TrackingNumber::parse(tracking).unwrap(),
        weight: None,
    }
}

fn ticket_draft(customer: CustomerId) -> crate::ticket::TicketDraft {
    crate::ticket::TicketDraft::parse(
        customer,
        None,
        "Where is my order?",
        crate::ticket::TicketPriority::Normal,
        "",
    )
    .unwrap()
}

fn register(
    e: &Engine<MemoryStore>,
    customer: crate::customer::CustomerInput,
) -> (CustomerId, String) {
    let registration = e
        .register_customer(
            &Actor::guest(),
            &RegistrationRequest {
                customer,
                channel: Channel::Sms,
            },
        )
        .unwrap();
    (
        registration.customer.id(),
        registration.handle.reveal().to_string(),
    )
}

/// The newest code requested for `customer`, as the dispatcher would send it.
fn code_for(e: &Engine<MemoryStore>, customer: CustomerId) -> String {
    let admin = sample::admin();
    let nonce = sample::deliveries(e)
        .into_iter()
        .rev()
        .find_map(|d| match *d.event() {
            DomainEvent::VerificationCodeRequested {
                customer: c, nonce, ..
            }
            | DomainEvent::ContactChangeRequested {
                customer: c, nonce, ..
            } if c == customer => Some(nonce),
            _ => None,
        })
        .unwrap();
    e.verification_code(&admin, customer, nonce)
        .unwrap()
        .unwrap()
}

fn payment(cents: i64) -> PaymentRequest {
    PaymentRequest {
        amount: sample::usd_cents(cents),
        method: PaymentMethod::Cash,
        external_reference: String::new(),
        idempotency_key: None,
    }
}

/// The actor of `role` in `shop`: a staff user of that role (with a password), the shop's
/// own customer, or a guest.
fn actor(shop: &Shop, role: Role) -> Actor {
    match role {
        Role::Customer => Actor::customer(shop.own),
        Role::Guest => Actor::guest(),
        staff => {
            let user = shop
                .engine
                .add_user(&shop.admin, "Staffer", "staffer", staff, PASSWORD)
                .unwrap();
            Actor::staff(user.id(), staff).unwrap()
        }
    }
}

/// What a role may expect from a method.
enum Rule {
    /// Allowed where the matrix allows this operation.
    Needs(Operation),
    /// Allowed where the matrix allows any of these.
    AnyOf(&'static [Operation]),
    /// Anyone with a password of their own (staff users and customers).
    OwnPassword,
    /// Takes no actor: credentials or a token prove who calls (tested on their own).
    NoActor,
}

type Call = fn(&Shop, &Actor) -> Result<(), Error>;

fn ok<T>(_: T) {}

/// Every public method of `Engine`: its name, who may call it, and a call that succeeds
/// for an allowed actor on a fresh shop.
fn methods() -> Vec<(&'static str, Rule, Call)> {
    use Operation as Op;
    use Rule::{AnyOf, Needs, NoActor, OwnPassword};
    vec![
        ("new", NoActor, |_, _| Ok(())),
        ("with_defaults", NoActor, |_, _| Ok(())),
        ("config", NoActor, |_, _| Ok(())),
        ("login", NoActor, |_, _| Ok(())),
        ("authenticate", NoActor, |_, _| Ok(())),
        ("logout", NoActor, |_, _| Ok(())),
        ("store", Needs(Op::AccessStore), |s, a| {
            s.engine.store(a).map(ok)
        }),
        ("create_product", Needs(Op::ManageCatalog), |s, a| {
            s.engine
                .create_product(a, sample::product("CAP", 900))
                .map(ok)
        }),
        ("update_product", Needs(Op::ManageCatalog), |s, a| {
            s.engine
                .update_product(a, "TEE", sample::product("TEE", 2100))
                .map(ok)
        }),
        ("restock", Needs(Op::ManageStock), |s, a| {
            s.engine.restock(a, "TEE", "MAIN", 1, "count").map(ok)
        }),
        ("adjust_stock", Needs(Op::ManageStock), |s, a| {
            s.engine.adjust_stock(a, "TEE", "MAIN", -1, "count").map(ok)
        }),
        ("product_by_sku", Needs(Op::ReadCatalog), |s, a| {
            s.engine.product_by_sku(a, "TEE").map(ok)
        }),
        ("get_product", Needs(Op::ReadCatalog), |s, a| {
            s.engine.get_product(a, s.product).map(ok)
        }),
        ("list_products", Needs(Op::ReadCatalog), |s, a| {
            s.engine.list_products(a, None, 5).map(ok)
        }),
        ("stock_of", Needs(Op::ReadCatalog), |s, a| {
            s.engine.stock_of(a, s.product).map(ok)
        }),
        ("create_customer", Needs(Op::ManageCustomers), |s, a| {
            s.engine.create_customer(a, &sample::customer(20)).map(ok)
        }),
        ("get_customer", Needs(Op::ReadCustomers), |s, a| {
            s.engine.get_customer(a, s.own).map(ok)
        }),
        ("customer_by_phone", Needs(Op::ReadCustomers), |s, a| {
            s.engine
                .customer_by_phone(a, &sample::customer(1).phone)
                .map(ok)
        }),
        (
            "customer_by_registration_id",
            Needs(Op::ReadCustomers),
            |s, a| {
                let id = s.engine.get_customer(&s.admin, s.own)?;
                let text = id
                    .registration_id()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                s.engine.customer_by_registration_id(a, &text).map(ok)
            },
        ),
        ("list_customers", Needs(Op::ReadCustomers), |s, a| {
            s.engine.list_customers(a, None, None, 10).map(ok)
        }),
        (
            "update_customer",
            AnyOf(&[Op::ManageCustomers, Op::EditOwnProfile]),
            |s, a| {
                let mut input = sample::customer(1);
                input.name = "Renamed Customer".into();
                s.engine.update_customer(a, s.own, &input).map(ok)
            },
        ),
        (
            "confirm_contact_change",
            Needs(Op::EditOwnProfile),
            |s, a| {
                let mut input = sample::customer(1);
                input.phone = "+15559990000".into();
                s.engine
                    .update_customer(&Actor::customer(s.own), s.own, &input)?;
                let code = code_for(&s.engine, s.own);
                s.engine.confirm_contact_change(a, s.own, &code).map(ok)
            },
        ),
        (
            "set_customer_credentials",
            Needs(Op::ManageCustomers),
            |s, a| {
                s.engine
                    .set_customer_credentials(a, s.own, "owner2", NEW_PASSWORD)
                    .map(ok)
            },
        ),
        ("register_customer", Needs(Op::Register), |s, a| {
            s.engine
                .register_customer(
                    a,
                    &RegistrationRequest {
                        customer: sample::customer(30),
                        channel: Channel::Sms,
                    },
                )
                .map(ok)
        }),
        ("resend_verification", Needs(Op::Register), |s, a| {
            s.clock.advance(crate::registration::RESEND_COOLDOWN_MS);
            s.engine.resend_verification(a, &s.registration.1).map(ok)
        }),
        (
            "verification_code",
            Needs(Op::DispatchNotifications),
            |s, a| s.engine.verification_code(a, s.registration.0, 1).map(ok),
        ),
        ("verify_customer", Needs(Op::Register), |s, a| {
            let code = code_for(&s.engine, s.registration.0);
            s.engine
                .verify_customer(
                    a,
                    &VerifyRequest {
                        registration: s.registration.1.clone(),
                        code,
                        login: "newcomer".into(),
                        password: PASSWORD.into(),
                    },
                )
                .map(ok)
        }),
        ("approve_customer", Needs(Op::ApproveCustomers), |s, a| {
            s.engine.approve_customer(a, s.pending_approval).map(ok)
        }),
        ("reject_customer", Needs(Op::ApproveCustomers), |s, a| {
            s.engine
                .reject_customer(a, s.pending_approval, "no")
                .map(ok)
        }),
        ("purchase_history", Needs(Op::ReadMessages), |s, a| {
            s.engine.purchase_history(a, s.own).map(ok)
        }),
        ("log_message", Needs(Op::LogMessages), |s, a| {
            s.engine
                .log_message(
                    a,
                    s.own,
                    MessageChannel::StaffNote,
                    Direction::Outbound,
                    "hi",
                    None,
                )
                .map(ok)
        }),
        ("messages", Needs(Op::ReadMessages), |s, a| {
            s.engine.messages(a, s.own, 10).map(ok)
        }),
        (
            "claim_deliveries",
            Needs(Op::DispatchNotifications),
            |s, a| {
                let claimed = s
                    .engine
                    .claim_deliveries(a, DeliveryChannel::Sms, "d1", 5)?;
                assert!(!claimed.is_empty(), "the shop has deliveries to claim");
                Ok(())
            },
        ),
        (
            "finish_delivery",
            Needs(Op::DispatchNotifications),
            |s, a| {
                let d = s.claimed_delivery();
                s.engine
                    .finish_delivery(a, d.id(), "d1", d.attempts(), &sent())
                    .map(ok)
            },
        ),
        (
            "carrier_report",
            Needs(Op::DispatchNotifications),
            |s, a| {
                let d = s.claimed_delivery();
                s.engine
                    .finish_delivery(&s.admin, d.id(), "d1", d.attempts(), &sent())
                    .unwrap();
                s.engine
                    .carrier_report(a, "SM1", CarrierStatus::Delivered)
                    .map(ok)
            },
        ),
        (
            "retry_delivery",
            Needs(Op::DispatchNotifications),
            |s, a| {
                let d = s.claimed_delivery();
                let dead = SendOutcome::Permanent {
                    error: "bad number".into(),
                };
                s.engine
                    .finish_delivery(&s.admin, d.id(), "d1", d.attempts(), &dead)
                    .unwrap();
                s.engine.retry_delivery(a, d.id()).map(ok)
            },
        ),
        (
            "acknowledge_deliveries",
            Needs(Op::DispatchNotifications),
            |s, a| {
                let id = sample::deliveries(&s.engine)[0].id();
                s.engine.acknowledge_deliveries(a, &[id]).map(ok)
            },
        ),
        ("get_delivery", Needs(Op::DispatchNotifications), |s, a| {
            s.engine.get_delivery(a, s.claimed_delivery().id()).map(ok)
        }),
        (
            "list_deliveries",
            Needs(Op::DispatchNotifications),
            |s, a| {
                s.engine
                    .list_deliveries(a, DeliveryFilter::All, None, 10)
                    .map(ok)
            },
        ),
        (
            "track_by_phone",
            Needs(Op::DispatchNotifications),
            |s, a| {
                let reference = s.reference(s.placed);
                let found = s.engine.track_by_phone(a, &s.phone(), &[reference])?;
                assert!(found[0].1.is_some());
                Ok(())
            },
        ),
        (
            "open_orders_by_phone",
            Needs(Op::DispatchNotifications),
            |s, a| s.engine.open_orders_by_phone(a, &s.phone(), 5).map(ok),
        ),
        ("watch_order", Needs(Op::DispatchNotifications), |s, a| {
            let reference = s.reference(s.placed);
            s.engine
                .watch_order(a, &s.phone(), &reference, true)
                .map(ok)
        }),
        (
            "phone_opted_out",
            Needs(Op::DispatchNotifications),
            |s, a| s.engine.phone_opted_out(a, &s.phone()).map(ok),
        ),
        (
            "set_phone_opt_out",
            Needs(Op::DispatchNotifications),
            |s, a| s.engine.set_phone_opt_out(a, &s.phone(), true).map(ok),
        ),
        ("create_order", Needs(Op::PlaceOrders), |s, a| {
            s.engine
                .create_order(a, &OrderRequest::simple(s.own, &[("TEE", 1)]))
                .map(ok)
        }),
        ("add_item", Needs(Op::EditOrders), |s, a| {
            s.engine.add_item(a, s.placed, "TEE", 1).map(ok)
        }),
        ("set_quantity", Needs(Op::EditOrders), |s, a| {
            s.engine.set_quantity(a, s.placed, "TEE", 3).map(ok)
        }),
        ("remove_item", Needs(Op::EditOrders), |s, a| {
            s.engine
                .create_product(&s.admin, sample::product("SOCK", 500))?;
            s.engine.restock(&s.admin, "SOCK", "MAIN", 5, "in")?;
            s.engine.add_item(&s.admin, s.placed, "SOCK", 1)?;
            s.engine.remove_item(a, s.placed, "SOCK").map(ok)
        }),
        ("set_address", Needs(Op::ChangeAddress), |s, a| {
            s.engine
                .set_address(a, s.placed, &sample::customer(1).addresses[0])
                .map(ok)
        }),
        ("change_status", Needs(Op::PlaceOrders), |s, a| {
            s.engine
                .change_status(a, s.draft, OrderStatus::Placed)
                .map(ok)
        }),
        ("advance_orders", Needs(Op::Fulfil), |s, a| {
            s.engine
                .advance_orders(a, &[s.confirmed], OrderStatus::Picking)
                .map(ok)
        }),
        ("cancel_order", Needs(Op::CancelOrders), |s, a| {
            s.engine.cancel_order(a, s.placed, "x").map(ok)
        }),
        ("archive_order", Needs(Op::ArchiveOrders), |s, a| {
            s.engine.archive_order(a, s.cancelled, "x").map(ok)
        }),
        ("restore_order", Needs(Op::ArchiveOrders), |s, a| {
            s.engine.restore_order(a, s.archived).map(ok)
        }),
        ("apply_discount", Needs(Op::ApplyDiscounts), |s, a| {
            s.engine
                .apply_discount(a, s.placed, "LOYAL", Decimal::new(10, 0))
                .map(ok)
        }),
        ("record_payment", Needs(Op::RecordPayments), |s, a| {
            s.engine.record_payment(a, s.placed, &payment(100)).map(ok)
        }),
        ("record_refund", Needs(Op::Refund), |s, a| {
            s.engine.record_refund(a, s.paid, &payment(100)).map(ok)
        }),
        ("authorize_payment", Needs(Op::AuthorizePayments), |s, a| {
            s.engine
                .authorize_payment(a, s.placed, &payment(100))
                .map(ok)
        }),
        ("capture_payment", Needs(Op::AuthorizePayments), |s, a| {
            s.engine
                .authorize_payment(&s.admin, s.placed, &payment(100))?;
            s.engine.capture_payment(a, s.placed, &payment(100)).map(ok)
        }),
        (
            "void_authorization",
            Needs(Op::AuthorizePayments),
            |s, a| {
                s.engine
                    .authorize_payment(&s.admin, s.placed, &payment(100))?;
                let void = crate::engine::VoidRequest {
                    external_reference: String::new(),
                    idempotency_key: None,
                };
                s.engine.void_authorization(a, s.placed, &void).map(ok)
            },
        ),
        ("get_order", Needs(Op::ReadOrders), |s, a| {
            s.engine.get_order(a, s.placed).map(ok)
        }),
        ("order_by_reference", Needs(Op::ReadOrders), |s, a| {
            let order = s.engine.get_order(&s.admin, s.placed)?.value;
            let reference = order
                .reference()
                .map(ToString::to_string)
                .unwrap_or_default();
            s.engine.order_by_reference(a, &reference).map(ok)
        }),
        ("find_order", Needs(Op::ReadOrders), |s, a| {
            s.engine.find_order(a, &s.placed.0.to_string()).map(ok)
        }),
        ("list_orders", Needs(Op::ReadOrders), |s, a| {
            s.engine.list_orders(a, &OrderFilter::default()).map(ok)
        }),
        ("order_history", Needs(Op::ReadAudit), |s, a| {
            s.engine.order_history(a, s.placed).map(ok)
        }),
        ("customer_history", Needs(Op::ReadAudit), |s, a| {
            s.engine.customer_history(a, s.own).map(ok)
        }),
        ("change_password", OwnPassword, |_, a| {
            // The shop's staff users and its customer were all given PASSWORD.
            let _ = a;
            Ok(())
        }),
        ("take_rate", Needs(Op::LimitRates), |s, a| {
            let key = RateKey::new(RateScope::Caller, "127.0.0.1")?;
            s.engine.take_rate(a, &key, RateLimit::new(5, 1000)?)
        }),
        ("pricing_settings", Needs(Op::ReadCatalog), |s, a| {
            s.engine.pricing_settings(a).map(ok)
        }),
        (
            "change_pricing_settings",
            Needs(Op::ManageSettings),
            |s, a| {
                let change =
                    crate::pricing::PricingChange::TaxRounding(crate::money::RoundingMode::HalfUp);
                s.engine.change_pricing_settings(a, &[change]).map(ok)
            },
        ),
        ("settings_history", Needs(Op::ReadAudit), |s, a| {
            s.engine.settings_history(a).map(ok)
        }),
        ("init_admin", Needs(Op::ManageUsers), |s, a| {
            s.engine.init_admin(a, "Root", "root", PASSWORD).map(ok)
        }),
        ("add_user", Needs(Op::ManageUsers), |s, a| {
            s.engine
                .add_user(a, "New", "newbie", Role::Sales, PASSWORD)
                .map(ok)
        }),
        ("list_users", Needs(Op::ReadUsers), |s, a| {
            s.engine.list_users(a).map(ok)
        }),
        ("disable_user", Needs(Op::ManageUsers), |s, a| {
            s.engine.disable_user(a, s.victim).map(ok)
        }),
        ("set_user_role", Needs(Op::ManageUsers), |s, a| {
            s.engine.set_user_role(a, s.victim, Role::Sales).map(ok)
        }),
        (
            "open_ticket",
            AnyOf(&[Op::ManageTickets, Op::OpenOwnTickets]),
            |s, a| s.engine.open_ticket(a, &ticket_draft(s.own)).map(ok),
        ),
        (
            "comment_ticket",
            AnyOf(&[Op::ManageTickets, Op::OpenOwnTickets]),
            |s, a| {
                let visible = crate::ticket::Visibility::Visible;
                s.engine
                    .comment_ticket(a, s.ticket, "Any news?", visible)
                    .map(ok)
            },
        ),
        ("assign_ticket", Needs(Op::ManageTickets), |s, a| {
            s.engine.assign_ticket(a, s.ticket, None).map(ok)
        }),
        ("set_ticket_status", Needs(Op::ManageTickets), |s, a| {
            let pending = crate::ticket::TicketStatus::Pending;
            s.engine.set_ticket_status(a, s.ticket, pending).map(ok)
        }),
        ("get_ticket", Needs(Op::ReadTickets), |s, a| {
            s.engine.get_ticket(a, s.ticket).map(ok)
        }),
        ("ticket_staff_id", Needs(Op::ReadTickets), |s, a| {
            s.engine.ticket_staff_id(a, "victim").map(ok)
        }),
        ("list_tickets", Needs(Op::ReadTickets), |s, a| {
            let page = s
                .engine
                .list_tickets(a, &crate::engine::TicketFilter::default())?;
            assert_eq!(page.items.len(), 1);
            Ok(())
        }),
        ("ship_order", Needs(Op::ShipOrders), |s, a| {
            s.engine
                .ship_order(a, s.packed, &ship_request(2, "PERM00001"))
                .map(ok)
        }),
        ("cancel_unshipped", Needs(Op::ShipOrders), |s, a| {
            s.engine
                .cancel_unshipped(a, s.partly, "out of stock")
                .map(ok)
        }),
        ("order_shipments", Needs(Op::ReadOrders), |s, a| {
            let shipments = s.engine.order_shipments(a, s.partly)?;
            assert_eq!(shipments.len(), 1);
            Ok(())
        }),
        ("track_shipment", Needs(Op::TrackShipments), |s, a| {
            let carrier = crate::shipment::CarrierName::parse("dhl").unwrap();
            let tracking = crate::shipment::TrackingNumber::parse("PART00001").unwrap();
            let status = crate::shipment::TrackingStatus::OutForDelivery;
            let event = crate::shipment::TrackingEvent::new(
                crate::clock::Clock::now(s.clock.as_ref()),
                status,
                "",
            )?;
            let result = s.engine.track_shipment(a, &carrier, &tracking, &event)?;
            assert!(matches!(
                result,
                crate::engine::TrackingResult::Known { .. }
            ));
            Ok(())
        }),
        ("issue_invoice", Needs(Op::IssueInvoices), |s, a| {
            let invoice = s.engine.issue_invoice(a, s.placed)?;
            assert_eq!(invoice.number(), 2);
            Ok(())
        }),
        ("order_invoice", Needs(Op::ReadOrders), |s, a| {
            let invoice = s.engine.order_invoice(a, s.paid)?;
            assert_eq!(invoice.map(|i| i.number()), Some(1));
            Ok(())
        }),
        ("pick_list", Needs(Op::Fulfil), |s, a| {
            let main = crate::inventory::WarehouseCode::parse("MAIN")?;
            let list = s.engine.pick_list(a, &main)?;
            assert_eq!(list.orders, 1);
            Ok(())
        }),
        ("sales_report", Needs(Op::ViewReports), |s, a| {
            let (from, to) = report_days(s);
            let day = crate::report::ReportGroup::Day;
            let report = s.engine.sales_report(a, from, to, day)?;
            assert!(!report.periods.is_empty());
            Ok(())
        }),
        ("speed_report", Needs(Op::ViewReports), |s, a| {
            let (from, to) = report_days(s);
            s.engine.speed_report(a, from, to).map(ok)
        }),
        ("customer_report", Needs(Op::ViewReports), |s, a| {
            let (from, to) = report_days(s);
            let report = s.engine.customer_report(a, from, to, 5)?;
            assert!(!report.top.is_empty());
            Ok(())
        }),
        ("stock_report", Needs(Op::ViewReports), |s, a| {
            let report = s.engine.stock_report(a, None, 5)?;
            assert_eq!(report.rows.len(), 1);
            Ok(())
        }),
        ("link_telegram_chat", Needs(Op::ManageChats), |s, a| {
            let login = s.engine.login("owner", PASSWORD)?;
            let linked = s.engine.link_telegram_chat(a, 41, login.token.reveal())?;
            assert_eq!(linked.customer_id(), Some(s.own));
            Ok(())
        }),
        ("unlink_telegram_chat", Needs(Op::ManageChats), |s, a| {
            let login = s.engine.login("owner", PASSWORD)?;
            let system = Actor::system();
            s.engine
                .link_telegram_chat(&system, 42, login.token.reveal())?;
            assert!(s.engine.unlink_telegram_chat(a, 42)?);
            Ok(())
        }),
        ("telegram_chat_actor", Needs(Op::ManageChats), |s, a| {
            let login = s.engine.login("owner", PASSWORD)?;
            let system = Actor::system();
            s.engine
                .link_telegram_chat(&system, 43, login.token.reveal())?;
            assert!(s.engine.telegram_chat_actor(a, 43)?.is_some());
            Ok(())
        }),
        ("telegram_dialogue", Needs(Op::ManageChats), |s, a| {
            s.engine
                .set_telegram_dialogue(&Actor::system(), 44, Some("{}"))?;
            assert_eq!(s.engine.telegram_dialogue(a, 44)?.as_deref(), Some("{}"));
            Ok(())
        }),
        ("set_telegram_dialogue", Needs(Op::ManageChats), |s, a| {
            s.engine.set_telegram_dialogue(a, 45, Some("{}"))
        }),
        ("set_shipping_method", Needs(Op::EditOrders), |s, a| {
            let express = crate::pricing::ShippingMethod::Express;
            s.engine.set_shipping_method(a, s.draft, express).map(ok)
        }),
        ("mark_telegram_update", Needs(Op::ManageChats), |s, a| {
            assert!(s.engine.mark_telegram_update(a, 46, 1)?);
            Ok(())
        }),
        (
            "register_for_telegram_chat",
            Needs(Op::ManageChats),
            |s, a| {
                let input = sample::customer(40);
                let pending = s.engine.register_for_telegram_chat(a, 47, &input, true)?;
                assert!(pending.verification().is_some());
                Ok(())
            },
        ),
        (
            "confirm_telegram_registration_code",
            Needs(Op::ManageChats),
            |s, a| {
                let input = sample::customer(41);
                let system = Actor::system();
                let pending = s
                    .engine
                    .register_for_telegram_chat(&system, 48, &input, false)?;
                let code = code_for(&s.engine, pending.id());
                s.engine
                    .confirm_telegram_registration_code(a, 48, pending.id(), &code)
            },
        ),
        (
            "complete_telegram_registration",
            Needs(Op::ManageChats),
            |s, a| {
                let input = sample::customer(42);
                let system = Actor::system();
                let pending = s
                    .engine
                    .register_for_telegram_chat(&system, 49, &input, true)?;
                let done = s.engine.complete_telegram_registration(
                    a,
                    49,
                    pending.id(),
                    "tg.owner",
                    PASSWORD,
                )?;
                assert!(done.registration_id().is_some());
                Ok(())
            },
        ),
        (
            "open_return",
            AnyOf(&[Op::ManageReturns, Op::OpenOwnReturns]),
            |s, a| {
                let opened = s.engine.open_return(a, s.delivered, &return_lines())?;
                assert_eq!(opened.number(), 4);
                Ok(())
            },
        ),
        ("approve_return", Needs(Op::ManageReturns), |s, a| {
            s.engine.approve_return(a, s.requested).map(ok)
        }),
        ("refuse_return", Needs(Op::ManageReturns), |s, a| {
            s.engine.refuse_return(a, s.requested, "worn").map(ok)
        }),
        ("receive_return", Needs(Op::ReceiveReturns), |s, a| {
            s.engine
                .receive_return(a, s.approved, &inspection())
                .map(ok)
        }),
        ("refund_return", Needs(Op::ManageReturns), |s, a| {
            let request = crate::engine::ReturnRefund {
                amount: None,
                method: Some(PaymentMethod::Cash),
                external_reference: String::new(),
            };
            let refunded = s.engine.refund_return(a, s.received, &request)?;
            assert!(refunded.refunded().is_some());
            Ok(())
        }),
        ("exchange_return", Needs(Op::ManageReturns), |s, a| {
            let request = crate::engine::ExchangeRequest {
                lines: vec![(crate::catalog::Sku::parse("TEE").unwrap(), 1)],
                warehouse: None,
                carrier: crate::shipment::CarrierName::parse("ups").unwrap(),
                tracking: crate::shipment::TrackingNumber::parse("EXCH00001").unwrap(),
            };
            s.engine.exchange_return(a, s.received, &request).map(ok)
        }),
        ("get_return", Needs(Op::ReadReturns), |s, a| {
            s.engine.get_return(a, s.received).map(ok)
        }),
        ("list_returns", Needs(Op::ReadReturns), |s, a| {
            let page = s
                .engine
                .list_returns(a, &crate::engine::ReturnFilter::default())?;
            assert_eq!(page.items.len(), 3);
            Ok(())
        }),
        (
            "resend_telegram_registration_code",
            Needs(Op::ManageChats),
            |s, a| {
                let input = sample::customer(43);
                let system = Actor::system();
                let pending = s
                    .engine
                    .register_for_telegram_chat(&system, 50, &input, false)?;
                s.clock.advance(crate::registration::RESEND_COOLDOWN_MS);
                s.engine
                    .resend_telegram_registration_code(a, 50, pending.id())
            },
        ),
        ("count_orders", Needs(Op::ReadOrders), |s, a| {
            s.engine
                .count_orders(a, &crate::engine::OrderCountFilter::default())
                .map(ok)
        }),
    ]
}

/// The range a report of the shop covers: a week around now.
fn report_days(shop: &Shop) -> (crate::clock::Timestamp, crate::clock::Timestamp) {
    let now = crate::clock::Clock::now(&*shop.clock);
    (now.plus_ms(-7 * crate::clock::DAY_MS), now)
}

fn allowed(rule: &Rule, role: Role) -> bool {
    match rule {
        Rule::Needs(op) => role.allows(*op),
        Rule::AnyOf(ops) => ops.iter().any(|op| role.allows(*op)),
        Rule::OwnPassword => role != Role::Guest,
        Rule::NoActor => true,
    }
}

#[test]
fn every_public_method_obeys_the_matrix_for_every_role() {
    let mut succeeded = 0;
    let mut refused = 0;
    for (name, rule, call) in methods() {
        if matches!(rule, Rule::NoActor) {
            continue;
        }
        for role in ALL_ROLES {
            let shop = shop();
            let actor = actor(&shop, role);
            let result = if matches!(rule, Rule::OwnPassword) {
                let _ = call;
                shop.engine.change_password(&actor, PASSWORD, NEW_PASSWORD)
            } else {
                call(&shop, &actor)
            };
            if allowed(&rule, role) {
                assert!(result.is_ok(), "{name} as {role}: {result:?}");
                succeeded += 1;
            } else {
                match (&rule, &result) {
                    (_, Err(Error::Forbidden { .. })) => refused += 1,
                    // A guest has no password of their own to change.
                    (Rule::OwnPassword, Err(Error::Refused(Refusal::NoPassword))) => refused += 1,
                    _ => panic!("{name} as {role} should be refused: {result:?}"),
                }
            }
        }
    }
    // 108 methods with an actor × 8 roles; the counts pin how many of each there were.
    assert_eq!(succeeded + refused, 108 * 8);
    assert!(succeeded > 100 && refused > 200, "{succeeded} / {refused}");
}

#[test]
fn every_public_engine_method_is_in_the_permission_test() {
    // Every file of the engine module, so a new file cannot hide a new method.
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            sources.push(std::fs::read_to_string(&path).unwrap());
        }
    }
    assert!(sources.len() >= 12, "{} files", sources.len());
    let listed: Vec<&str> = methods().iter().map(|(name, _, _)| *name).collect();
    let mut public = Vec::new();
    for source in &sources {
        let mut in_engine = false;
        for line in source.lines() {
            if line.starts_with("impl") {
                in_engine = line.contains("Engine<S>");
            }
            if let Some(rest) = line.strip_prefix("    pub fn ")
                && in_engine
            {
                let name: String = rest
                    .chars()
                    .take_while(|c| *c == '_' || c.is_alphanumeric())
                    .collect();
                public.push(name);
            }
        }
    }
    for name in &public {
        assert!(
            listed.contains(&name.as_str()),
            "Engine::{name} is public but not in permission_tests::methods(): add it with its rule"
        );
    }
    for name in &listed {
        assert!(
            public.iter().any(|p| p == name),
            "{name} is listed but is not a public method"
        );
    }
    assert_eq!(public.len(), listed.len());
}

#[test]
fn customers_change_only_their_name_and_addresses_at_once() {
    let shop = shop();
    let me = Actor::customer(shop.own);
    let e = &shop.engine;
    // Kind (and with it wholesale prices): staff only.
    let mut business = sample::customer(1);
    business.business = Some(("Me Ltd".into(), "GB1".into()));
    assert!(matches!(
        e.update_customer(&me, shop.own, &business).unwrap_err(),
        Error::Forbidden { .. }
    ));
    // A new phone waits for its code; the old one stays until then.
    let mut moved = sample::customer(1);
    moved.name = "Moved Customer".into();
    moved.phone = "+15558887777".into();
    let pending = e.update_customer(&me, shop.own, &moved).unwrap();
    assert_eq!(pending.name(), "Moved Customer");
    assert_eq!(pending.phone().as_str(), sample::customer(1).phone);
    assert!(pending.pending_contact().is_some());
    let code = code_for(e, shop.own);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    assert!(matches!(
        e.confirm_contact_change(&me, shop.own, &wrong).unwrap_err(),
        Error::Refused(Refusal::WrongCode { .. })
    ));
    let confirmed = e.confirm_contact_change(&me, shop.own, &code).unwrap();
    assert_eq!(confirmed.phone().as_str(), "+15558887777");
    assert!(confirmed.pending_contact().is_none());
    assert_eq!(
        e.customer_by_phone(&shop.admin, "+15558887777")
            .unwrap()
            .id(),
        shop.own
    );
    // Asking for someone else's phone tells nothing; only its code would, and the owner of
    // that phone is the one who receives it.
    let mut theirs = sample::customer(1);
    theirs.phone = sample::customer(2).phone;
    shop.clock.advance(crate::registration::RESEND_COOLDOWN_MS);
    let asked = e.update_customer(&me, shop.own, &theirs).unwrap();
    assert!(asked.pending_contact().is_some());
    let code = code_for(e, shop.own);
    assert!(matches!(
        e.confirm_contact_change(&me, shop.own, &code).unwrap_err(),
        Error::Duplicate { field: "phone", .. }
    ));
    // Someone else's record: not found, as if it did not exist.
    assert!(matches!(
        e.update_customer(&me, shop.other, &sample::customer(2))
            .unwrap_err(),
        Error::NotFound { .. }
    ));
    // Credentials of a record: staff only; a customer needs the current password.
    assert!(matches!(
        e.set_customer_credentials(&me, shop.own, "owner", NEW_PASSWORD)
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    assert!(matches!(
        e.change_password(&me, "not my password at all", NEW_PASSWORD)
            .unwrap_err(),
        Error::Unauthenticated(AuthFailure::WrongCurrentPassword)
    ));
    e.change_password(&me, PASSWORD, NEW_PASSWORD).unwrap();
    assert!(e.login("owner", NEW_PASSWORD).is_ok());
}

#[test]
fn wrong_current_passwords_are_throttled_like_logins() {
    let shop = shop();
    let me = Actor::customer(shop.own);
    let e = &shop.engine;
    let mut refusals = Vec::new();
    for _ in 0..7 {
        refusals.push(
            e.change_password(&me, "guessing the password", NEW_PASSWORD)
                .unwrap_err()
                .to_string(),
        );
    }
    assert_eq!(
        refusals[0],
        "not signed in: the current password is not correct"
    );
    assert!(
        refusals
            .last()
            .unwrap()
            .contains("too many failed attempts"),
        "{refusals:?}"
    );
    // Locked out: even the right password is refused now, and so is a login.
    assert!(e.change_password(&me, PASSWORD, NEW_PASSWORD).is_err());
    assert!(e.login("owner", PASSWORD).is_err());
}

#[test]
fn customers_cannot_discount_or_confirm_their_own_orders() {
    let shop = shop();
    let me = Actor::customer(shop.own);
    let e = &shop.engine;
    let mut free = OrderRequest::simple(shop.own, &[("TEE", 1)]);
    free.discounts = vec![("FREE".into(), Decimal::ONE_HUNDRED)];
    assert!(matches!(
        e.create_order(&me, &free).unwrap_err(),
        Error::Forbidden { .. }
    ));
    assert!(matches!(
        e.apply_discount(&me, shop.placed, "FREE", Decimal::ONE_HUNDRED)
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    assert!(matches!(
        e.change_status(&me, shop.placed, OrderStatus::Confirmed)
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    // Placing their own draft is theirs to do.
    let placed = e
        .change_status(&me, shop.draft, OrderStatus::Placed)
        .unwrap();
    assert_eq!(placed.status(), OrderStatus::Placed);
    // Staff who may apply discounts do, and the total follows.
    let before = e
        .get_order(&shop.admin, shop.placed)
        .unwrap()
        .value
        .totals()
        .total;
    let discounted = e
        .apply_discount(&shop.admin, shop.placed, "LOYAL", Decimal::new(10, 0))
        .unwrap();
    assert!(discounted.totals().total < before);
}

/// `error` with `key` replaced, to compare errors about two different keys.
fn said(error: Error, key: &str) -> String {
    format!("{:?} {}", error.kind(), error).replace(key, "KEY")
}

#[test]
fn what_a_caller_may_not_see_reads_exactly_like_what_does_not_exist() {
    let shop = shop();
    let e = &shop.engine;
    let me = Actor::customer(shop.own);
    // Another customer's order, by id and by reference.
    let theirs = e
        .create_order(
            &shop.admin,
            &OrderRequest::simple(shop.other, &[("TEE", 1)]),
        )
        .unwrap();
    let missing = OrderId(999_999);
    assert_eq!(
        said(
            e.get_order(&me, theirs.id()).unwrap_err(),
            &theirs.id().to_string()
        ),
        said(e.get_order(&me, missing).unwrap_err(), &missing.to_string())
    );
    let reference = theirs.reference().unwrap().to_string();
    let unknown = crate::ids::OrderReference::generate(&SeededRandom::new(77)).to_string();
    assert!(
        e.order_by_reference(&shop.admin, &unknown).is_err(),
        "really unknown"
    );
    let seen = e.order_by_reference(&me, &reference).unwrap_err();
    assert!(
        !seen.to_string().contains(&theirs.id().to_string()),
        "{seen}"
    );
    assert_eq!(
        said(seen, &reference),
        said(e.order_by_reference(&me, &unknown).unwrap_err(), &unknown)
    );
    // Another customer's phone.
    let their_phone = sample::customer(2).phone;
    let nobody = "+15550101010";
    assert_eq!(
        said(
            e.customer_by_phone(&me, &their_phone).unwrap_err(),
            &their_phone
        ),
        said(e.customer_by_phone(&me, nobody).unwrap_err(), nobody)
    );
    // A guest learns nothing either: refused before the lookup.
    let guest = Actor::guest();
    assert_eq!(
        e.customer_by_phone(&guest, &their_phone).unwrap_err(),
        e.customer_by_phone(&guest, nobody).unwrap_err()
    );
    // A registration handle that is not one, one that never existed, one that finished.
    let (_, finished) = &shop.registration;
    let code = code_for(e, shop.registration.0);
    e.verify_customer(
        &guest,
        &VerifyRequest {
            registration: finished.clone(),
            code,
            login: "finished".into(),
            password: PASSWORD.into(),
        },
    )
    .unwrap();
    let errors: Vec<String> = [finished.as_str(), "00000000000000000000000000000000", "7"]
        .iter()
        .map(|h| e.resend_verification(&guest, h).unwrap_err().to_string())
        .collect();
    assert_eq!(errors[0], errors[1]);
    assert_eq!(errors[1], errors[2]);
}

#[test]
fn unknown_and_known_login_ids_cost_one_argon2_run_each() {
    let shop = shop();
    let e = &shop.engine;
    let runs = crate::credentials::argon2_runs_on_this_thread();
    assert!(e.login("owner", "wrong password here").is_err());
    let known = crate::credentials::argon2_runs_on_this_thread() - runs;
    let runs = crate::credentials::argon2_runs_on_this_thread();
    assert!(e.login("nobody-at-all", "wrong password here").is_err());
    let unknown = crate::credentials::argon2_runs_on_this_thread() - runs;
    assert_eq!((known, unknown), (1, 1));
    // A wrong code costs no argon2 run: the code is checked before the password is hashed.
    let (id, handle) = &shop.registration;
    let code = code_for(e, *id);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let runs = crate::credentials::argon2_runs_on_this_thread();
    assert!(
        e.verify_customer(
            &Actor::guest(),
            &VerifyRequest {
                registration: handle.clone(),
                code: wrong,
                login: "newcomer".into(),
                password: PASSWORD.into(),
            },
        )
        .is_err()
    );
    assert_eq!(crate::credentials::argon2_runs_on_this_thread(), runs);
}

#[test]
fn a_registration_lapses_after_a_day_and_frees_its_phone_and_email() {
    let shop = shop();
    let e = &shop.engine;
    let again = || {
        e.register_customer(
            &Actor::guest(),
            &RegistrationRequest {
                customer: sample::customer(4),
                channel: Channel::Sms,
            },
        )
    };
    assert!(matches!(
        again().unwrap_err(),
        Error::Duplicate { field: "phone", .. }
    ));
    shop.clock.advance(e.config().registration_ttl_ms);
    let fresh = again().unwrap();
    let (old, handle) = &shop.registration;
    assert_ne!(fresh.customer.id(), *old);
    assert_eq!(
        e.get_customer(&shop.admin, *old).unwrap().status(),
        crate::customer::CustomerStatus::Expired
    );
    // The lapsed handle reaches nothing, like one that never existed.
    assert!(matches!(
        e.resend_verification(&Actor::guest(), handle).unwrap_err(),
        Error::NotFound { .. }
    ));
    let history = e.customer_history(&shop.admin, *old).unwrap();
    assert_eq!(
        history.last().map(|entry| entry.record.action),
        Some(crate::audit::AuditAction::RegistrationExpired)
    );
}

/// Serializes `value` to JSON, the way a careless wire layer or log line would.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn no_secret_reaches_a_human_readable_serialization_of_what_the_engine_returns() {
    let shop = shop();
    let e = &shop.engine;
    let a = &shop.admin;
    // A contact change in flight too, so a second kind of nonce exists.
    let mut moved = sample::customer(1);
    moved.phone = "+15557776666".into();
    e.update_customer(&Actor::customer(shop.own), shop.own, &moved)
        .unwrap();
    e.login("owner", PASSWORD).unwrap();
    let mut outputs = Vec::new();
    let customers = e.list_customers(a, None, None, 100).unwrap().items;
    let mut nonces = Vec::new();
    for customer in &customers {
        nonces.extend(customer.verification().map(|v| v.nonce));
        nonces.extend(customer.pending_contact().map(|c| c.verification.nonce));
        outputs.push(json(customer));
        outputs.push(json(&e.customer_history(a, customer.id()).unwrap()));
    }
    assert!(
        nonces.len() >= 2,
        "a registration and a contact change are pending"
    );
    let with_login = customers
        .iter()
        .filter(|c| c.credentials().is_some())
        .count();
    assert!(
        with_login >= 2,
        "customers with password hashes were serialized"
    );
    outputs.push(json(&e.list_users(a).unwrap().items));
    outputs.push(json(
        &e.list_orders(a, &OrderFilter::default()).unwrap().items,
    ));
    outputs.push(json(&e.list_products(a, None, 10).unwrap().items));
    outputs.push(json(&e.stock_of(a, shop.product).unwrap()));
    outputs.push(json(
        &e.list_deliveries(a, DeliveryFilter::All, None, 1000)
            .unwrap()
            .items,
    ));
    outputs.push(json(&e.messages(a, shop.own, 10).unwrap()));
    outputs.push(json(&e.order_history(a, shop.paid).unwrap()));
    let all = outputs.join("\n");
    assert!(
        all.contains("owner") && all.contains("+15557776666"),
        "the data is there"
    );
    assert!(
        !all.contains("$argon2id$"),
        "a password hash was serialized"
    );
    for nonce in nonces {
        assert!(
            !all.contains(&nonce.to_string()),
            "nonce {nonce} was serialized"
        );
    }
    assert!(all.contains(crate::secret::REDACTED));
    // The settings record (code secret) and sessions (token hashes) are never returned by
    // the engine; their own serializations are redacted too.
    let settings = e
        .store(a)
        .unwrap()
        .get(&crate::store::RecordKey::Settings)
        .unwrap()
        .unwrap();
    let crate::store::Record::Settings(settings) = settings.value else {
        panic!("settings")
    };
    let text = json(&settings);
    assert!(text.contains(crate::secret::REDACTED), "{text}");
    let secret_bytes = json(&settings.code_secret.0.to_vec());
    assert!(
        !text.contains(&secret_bytes[1..secret_bytes.len() - 1]),
        "{text}"
    );
}

#[test]
fn an_actor_cannot_be_deserialized() {
    // Audit entries keep who acted as a description, which can be read back but is not an
    // Actor: no wire format can turn `{"principal": {"Staff": 1}, "role": "Admin"}` into
    // the right to act.
    fn deserializable<T: serde::de::DeserializeOwned>() {}
    deserializable::<crate::auth::RecordedActor>();
    let recorded: crate::auth::RecordedActor =
        serde_json::from_str(r#"{"principal":{"Staff":1},"role":"Admin"}"#).unwrap();
    assert_eq!(recorded.to_string(), "staff user 1 (admin)");
    // (`Actor` implements Serialize only; `deserializable::<Actor>()` does not compile.)
    assert_eq!(
        json(&Actor::guest()),
        r#"{"principal":"Guest","role":"Guest"}"#
    );
}
