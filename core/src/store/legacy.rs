//! Records as older schema versions stored them, and how each is upgraded to today's.
//!
//! A backend that finds values of an older schema (the storage codec's schema byte) decodes
//! them with the matching module here and stores the result of its `upgrade` ([`v1::upgrade`],
//! [`v2::upgrade`], [`v3::upgrade`]). Each module is
//! frozen: it mirrors the shapes of its version field by field (bincode is positional) and
//! is only ever added to when the next version bumps, never edited. The golden files of
//! every version (`storage/golden/v{N}/`) are decoded through these modules by a test.

/// Schema version 1 (until the trust work: registration handles, contact changes, rate
/// limits).
pub mod v1 {
    use serde::Deserialize;

    use super::v2::Product;
    use crate::clock::Timestamp;
    use crate::credentials::Credentials;
    use crate::customer::{Address, CustomerKind, CustomerStatus, Email, Phone};
    use crate::ids::{CustomerId, RegistrationId};
    use crate::ids::{OrderId, OrderReference};
    use crate::inventory::Stock;
    use crate::message::CommMessage;
    use crate::money::{Currency, Money, RoundingMode};
    use crate::order::{Archived, OrderLine, OrderStatus};
    use crate::payment::{LedgerEntry, PaymentMethod};
    use crate::pricing::{Discount, ShippingMethod, Totals};
    use crate::registration::Channel;
    use crate::session::{LoginThrottle, Session};
    use crate::staff::StaffUser;
    use crate::store::Settings;

    /// A verification as version 1 kept it: no resend count, no registration handle.
    #[derive(Debug, Deserialize)]
    pub struct Verification {
        nonce: u64,
        channel: Channel,
        issued_at: Timestamp,
        attempts: u32,
    }

    /// A customer as version 1 kept it: no pending contact change.
    #[derive(Debug, Deserialize)]
    pub struct Customer {
        id: CustomerId,
        name: String,
        kind: CustomerKind,
        phone: Phone,
        email: Email,
        addresses: Vec<Address>,
        status: CustomerStatus,
        created_at: Timestamp,
        registration_id: Option<RegistrationId>,
        channel: Channel,
        credentials: Option<Credentials>,
        verification: Option<Verification>,
        rejection_reason: Option<String>,
    }

    /// An order as version 1 kept it: no tax rounding mode (every order rounded half-even).
    #[derive(Debug, Deserialize)]
    pub struct Order {
        id: OrderId,
        reference: Option<OrderReference>,
        customer: CustomerId,
        customer_name: String,
        status: OrderStatus,
        currency: Currency,
        lines: Vec<OrderLine>,
        shipping_address: Address,
        shipping_method: ShippingMethod,
        shipping_fee: Money,
        payment_method: PaymentMethod,
        discounts: Vec<Discount>,
        totals: Totals,
        ledger: Vec<LedgerEntry>,
        notes: String,
        status_history: Vec<(OrderStatus, Timestamp)>,
        cancel_reason: Option<String>,
        archived: Option<Archived>,
        idempotency_key: Option<String>,
        created_at: Timestamp,
        updated_at: Timestamp,
    }

    /// An idempotency key as version 1 kept it: global (not scoped to an actor), with a
    /// debug-rendered fingerprint and no time.
    #[derive(Debug, Deserialize)]
    pub struct IdempotencyRecord {
        key: String,
        fingerprint: String,
        order: OrderId,
    }

    /// Every record kind of version 1, in its variant order.
    #[derive(Debug, Deserialize)]
    pub enum Record {
        /// As version 2 kept it: see [`super::v2::Product`].
        Product(Product),
        /// Upgraded: see [`Customer`].
        Customer(Customer),
        /// Upgraded: see [`Order`].
        Order(Box<Order>),
        /// Unchanged since.
        Stock(Stock),
        /// Upgraded: see [`IdempotencyRecord`].
        Idempotency(IdempotencyRecord),
        /// Unchanged since.
        User(StaffUser),
        /// Unchanged since.
        Session(Session),
        /// Unchanged since.
        Throttle(LoginThrottle),
        /// Unchanged since.
        Message(CommMessage),
        /// Unchanged since.
        Settings(Settings),
    }

    /// Today's record for a version-1 record. A pending registration of version 1 had no
    /// handle: it keeps its code, but cannot be verified by a guest any more, and lapses a
    /// day after it was made. An old idempotency key keeps its order but is dated at the
    /// epoch: keys are now scoped per actor and fingerprinted differently, so it could
    /// never match again, and as expired it is simply overwritten when reused.
    pub fn upgrade(record: Record) -> crate::store::Record {
        use crate::store::Record as Now;
        match record {
            Record::Product(p) => Now::Product(super::v2::upgrade_product(p)),
            Record::Customer(c) => Now::Customer(upgrade_customer(c)),
            Record::Order(o) => Now::Order(Box::new(upgrade_order(*o))),
            Record::Stock(s) => Now::Stock(s),
            Record::Idempotency(i) => Now::Idempotency(crate::store::IdempotencyRecord {
                key: i.key,
                fingerprint: i.fingerprint,
                order: i.order,
                created_at: Timestamp(0),
            }),
            Record::User(u) => Now::User(u),
            Record::Session(s) => Now::Session(s),
            Record::Throttle(t) => Now::Throttle(t),
            Record::Message(m) => Now::Message(m),
            Record::Settings(s) => Now::Settings(s),
        }
    }

    fn upgrade_order(o: Order) -> crate::order::Order {
        crate::order::Order {
            id: o.id,
            reference: o.reference,
            customer: o.customer,
            customer_name: o.customer_name,
            status: o.status,
            currency: o.currency,
            lines: o.lines,
            shipping_address: o.shipping_address,
            shipping_method: o.shipping_method,
            shipping_fee: o.shipping_fee,
            payment_method: o.payment_method,
            discounts: o.discounts,
            totals: o.totals,
            ledger: o.ledger,
            notes: o.notes,
            status_history: o.status_history,
            cancel_reason: o.cancel_reason,
            archived: o.archived,
            idempotency_key: o.idempotency_key,
            created_at: o.created_at,
            updated_at: o.updated_at,
            tax_rounding: RoundingMode::HalfEven,
        }
    }

    fn upgrade_customer(c: Customer) -> crate::customer::Customer {
        crate::customer::Customer {
            id: c.id,
            name: c.name,
            kind: c.kind,
            phone: c.phone,
            email: c.email,
            addresses: c.addresses,
            status: c.status,
            created_at: c.created_at,
            registration_id: c.registration_id,
            channel: c.channel,
            credentials: c.credentials,
            verification: c.verification.map(|v| crate::registration::Verification {
                nonce: v.nonce,
                channel: v.channel,
                issued_at: v.issued_at,
                attempts: v.attempts,
                resends: 0,
                handle: None,
            }),
            rejection_reason: c.rejection_reason,
            pending_contact: None,
        }
    }
}

/// Schema version 2 (until products gained a weight and dimensions).
pub mod v2 {
    use serde::Deserialize;

    use crate::catalog::{BackorderPolicy, Media, PriceList, Sku, TaxCategory};
    use crate::clock::Timestamp;
    use crate::customer::Customer;
    use crate::delivery::{Delivery, OrderWatch, PhoneSettings};
    use crate::ids::ProductId;
    use crate::inventory::Stock;
    use crate::message::CommMessage;
    use crate::money::Money;
    use crate::order::Order;
    use crate::ratelimit::RateBucket;
    use crate::session::{LoginThrottle, Session};
    use crate::staff::StaffUser;
    use crate::store::{IdempotencyRecord, Settings};
    use crate::ticket::Ticket;

    use super::v3::{PricingSettings, Shipment};

    /// A product's details as versions 1 and 2 kept them: no weight, no dimensions.
    #[derive(Debug, Deserialize)]
    pub struct ProductDraft {
        sku: Sku,
        name: String,
        description: String,
        specifications: Vec<(String, String)>,
        media: Vec<Media>,
        active: bool,
        tax_category: TaxCategory,
        base_price: Money,
        price_lists: Vec<PriceList>,
        backorder: BackorderPolicy,
    }

    /// A product as versions 1 and 2 kept it.
    #[derive(Debug, Deserialize)]
    pub struct Product {
        id: ProductId,
        created_at: Timestamp,
        details: ProductDraft,
    }

    /// Every record kind of version 2, in its variant order.
    #[derive(Debug, Deserialize)]
    pub enum Record {
        /// Upgraded: see [`Product`].
        Product(Product),
        /// Unchanged since.
        Customer(Customer),
        /// Unchanged since.
        Order(Box<Order>),
        /// Unchanged since.
        Stock(Stock),
        /// Unchanged since.
        Idempotency(IdempotencyRecord),
        /// Unchanged since.
        User(StaffUser),
        /// Unchanged since.
        Session(Session),
        /// Unchanged since.
        Throttle(LoginThrottle),
        /// Unchanged since.
        Message(CommMessage),
        /// Unchanged since.
        Settings(Settings),
        /// Unchanged since.
        RateBucket(RateBucket),
        /// Upgraded: see [`super::v3::PricingSettings`].
        PricingSettings(PricingSettings),
        /// Unchanged since.
        Delivery(Delivery),
        /// Unchanged since.
        OrderWatch(OrderWatch),
        /// Unchanged since.
        PhoneSettings(PhoneSettings),
        /// Unchanged since.
        Ticket(Ticket),
        /// Upgraded: see [`super::v3::Shipment`].
        Shipment(Shipment),
    }

    /// Today's record for a version-2 record: a product has no weight or dimensions until
    /// staff give it some; a shipment carries order lines.
    pub fn upgrade(record: Record) -> crate::store::Record {
        use crate::store::Record as Now;
        match record {
            Record::Product(p) => Now::Product(upgrade_product(p)),
            Record::Customer(c) => Now::Customer(c),
            Record::Order(o) => Now::Order(o),
            Record::Stock(s) => Now::Stock(s),
            Record::Idempotency(i) => Now::Idempotency(i),
            Record::User(u) => Now::User(u),
            Record::Session(s) => Now::Session(s),
            Record::Throttle(t) => Now::Throttle(t),
            Record::Message(m) => Now::Message(m),
            Record::Settings(s) => Now::Settings(s),
            Record::RateBucket(b) => Now::RateBucket(b),
            Record::PricingSettings(p) => Now::PricingSettings(p.upgrade()),
            Record::Delivery(d) => Now::Delivery(d),
            Record::OrderWatch(w) => Now::OrderWatch(w),
            Record::PhoneSettings(p) => Now::PhoneSettings(p),
            Record::Ticket(t) => Now::Ticket(t),
            Record::Shipment(s) => Now::Shipment(s.upgrade()),
        }
    }

    /// Today's product for a version-1 or version-2 product.
    pub(super) fn upgrade_product(p: Product) -> crate::catalog::Product {
        let d = p.details;
        crate::catalog::Product::create(
            p.id,
            p.created_at,
            crate::catalog::ProductDraft {
                sku: d.sku,
                name: d.name,
                description: d.description,
                specifications: d.specifications,
                media: d.media,
                active: d.active,
                tax_category: d.tax_category,
                base_price: d.base_price,
                price_lists: d.price_lists,
                backorder: d.backorder,
                weight: None,
                dimensions: None,
            },
        )
    }
}

/// Schema version 3 (until exchanges shipped their replacements as shipments — a shipment
/// had no return — and the store kept the seller's details in its settings and invoices).
pub mod v3 {
    use serde::Deserialize;

    use crate::catalog::Product;
    use crate::clock::Timestamp;
    use crate::customer::{Address, Customer};
    use crate::delivery::{Delivery, OrderWatch, PhoneSettings};
    use crate::ids::{CustomerId, OrderId, OrderReference, ShipmentId};
    use crate::inventory::Stock;
    use crate::invoice::{InvoiceLine, TaxAtRate};
    use crate::message::CommMessage;
    use crate::money::{Currency, RoundingMode};
    use crate::order::Order;
    use crate::payment::LedgerEntry;
    use crate::pricing::{ShippingMethod, ShippingRates, TaxRates, Totals};
    use crate::ratelimit::RateBucket;
    use crate::returns::Return;
    use crate::session::{LoginThrottle, Session};
    use crate::shipment::{
        CarrierName, ShipmentDraft, ShipmentLine, TrackingEvent, TrackingNumber, TrackingStatus,
        Weight,
    };
    use crate::staff::StaffUser;
    use crate::store::{IdempotencyRecord, Settings};
    use crate::telegram::TelegramChat;
    use crate::ticket::Ticket;

    /// A shipment as versions 2 and 3 kept it: always units of the order's lines.
    #[derive(Debug, Deserialize)]
    pub struct Shipment {
        id: ShipmentId,
        order: OrderId,
        number: u32,
        lines: Vec<ShipmentLine>,
        carrier: CarrierName,
        method: ShippingMethod,
        tracking: TrackingNumber,
        weight: Option<Weight>,
        shipped_at: Timestamp,
        status: TrackingStatus,
        status_at: Option<Timestamp>,
        events: Vec<TrackingEvent>,
        updated_at: Timestamp,
    }

    impl Shipment {
        /// Today's shipment: of the order's lines, for no return.
        pub fn upgrade(self) -> crate::shipment::Shipment {
            crate::shipment::Shipment::from_schema_3(
                self.id,
                ShipmentDraft {
                    order: self.order,
                    number: self.number,
                    lines: self.lines,
                    carrier: self.carrier,
                    method: self.method,
                    tracking: self.tracking,
                    weight: self.weight,
                    for_return: None,
                },
                self.shipped_at,
                self.status,
                self.status_at,
                self.events,
                self.updated_at,
            )
        }
    }

    /// The store's settings as versions 2 and 3 kept them: no seller.
    #[derive(Debug, Deserialize)]
    pub struct PricingSettings {
        tax_rates: TaxRates,
        shipping_rates: ShippingRates,
        tax_rounding: RoundingMode,
    }

    impl PricingSettings {
        /// Today's settings: the same rates, no seller details.
        pub fn upgrade(self) -> crate::pricing::PricingSettings {
            crate::pricing::PricingSettings::new(
                self.tax_rates,
                self.shipping_rates,
                self.tax_rounding,
            )
        }
    }

    /// An invoice as version 3 kept it: no seller.
    #[derive(Debug, Deserialize)]
    pub struct Invoice {
        number: u64,
        order: OrderId,
        reference: OrderReference,
        customer: CustomerId,
        issued_at: Timestamp,
        buyer: String,
        buyer_address: Address,
        currency: Currency,
        lines: Vec<InvoiceLine>,
        taxes: Vec<TaxAtRate>,
        totals: Totals,
        payments: Vec<LedgerEntry>,
    }

    impl Invoice {
        /// Today's invoice: the same figures, an empty seller (adapters print the one
        /// they are configured with).
        pub fn upgrade(self) -> crate::invoice::Invoice {
            crate::invoice::Invoice::from_schema_3(
                self.number,
                self.order,
                self.reference,
                self.customer,
                self.issued_at,
                self.buyer,
                self.buyer_address,
                self.currency,
                self.lines,
                self.taxes,
                self.totals,
                self.payments,
            )
        }
    }

    /// Every record kind of version 3, in its variant order.
    #[derive(Debug, Deserialize)]
    pub enum Record {
        /// Unchanged since.
        Product(Product),
        /// Unchanged since.
        Customer(Customer),
        /// Unchanged since.
        Order(Box<Order>),
        /// Unchanged since.
        Stock(Stock),
        /// Unchanged since.
        Idempotency(IdempotencyRecord),
        /// Unchanged since.
        User(StaffUser),
        /// Unchanged since.
        Session(Session),
        /// Unchanged since.
        Throttle(LoginThrottle),
        /// Unchanged since.
        Message(CommMessage),
        /// Unchanged since.
        Settings(Settings),
        /// Unchanged since.
        RateBucket(RateBucket),
        /// Upgraded: see [`PricingSettings`].
        PricingSettings(PricingSettings),
        /// Unchanged since.
        Delivery(Delivery),
        /// Unchanged since.
        OrderWatch(OrderWatch),
        /// Unchanged since.
        PhoneSettings(PhoneSettings),
        /// Unchanged since.
        Ticket(Ticket),
        /// Upgraded: see [`Shipment`].
        Shipment(Shipment),
        /// Unchanged since.
        TelegramChat(TelegramChat),
        /// Upgraded: see [`Invoice`].
        Invoice(Invoice),
        /// Unchanged since.
        Return(Return),
    }

    /// Today's record for a version-3 record: a shipment carries order lines; settings and
    /// invoices have no seller.
    pub fn upgrade(record: Record) -> crate::store::Record {
        use crate::store::Record as Now;
        match record {
            Record::Product(p) => Now::Product(p),
            Record::Customer(c) => Now::Customer(c),
            Record::Order(o) => Now::Order(o),
            Record::Stock(s) => Now::Stock(s),
            Record::Idempotency(i) => Now::Idempotency(i),
            Record::User(u) => Now::User(u),
            Record::Session(s) => Now::Session(s),
            Record::Throttle(t) => Now::Throttle(t),
            Record::Message(m) => Now::Message(m),
            Record::Settings(s) => Now::Settings(s),
            Record::RateBucket(b) => Now::RateBucket(b),
            Record::PricingSettings(p) => Now::PricingSettings(p.upgrade()),
            Record::Delivery(d) => Now::Delivery(d),
            Record::OrderWatch(w) => Now::OrderWatch(w),
            Record::PhoneSettings(p) => Now::PhoneSettings(p),
            Record::Ticket(t) => Now::Ticket(t),
            Record::Shipment(s) => Now::Shipment(s.upgrade()),
            Record::TelegramChat(c) => Now::TelegramChat(c),
            Record::Invoice(i) => Now::Invoice(i.upgrade()),
            Record::Return(r) => Now::Return(r),
        }
    }
}
