//! Requests: one enum over every engine operation, `{"op": "noun.verb", "args": {…}}`.
//!
//! Argument types are wire types: ids are numbers, money is a decimal string with a currency
//! (`{"amount": "12.50", "currency": "USD"}`), times are RFC 3339 strings, enumerations are
//! lower-case words — parsed into domain types by ordo-core, never checked here.

use ordo_core::catalog::{BackorderPolicy, Media, PriceTier, ProductInput, TaxCategory};
use ordo_core::customer::{AddressInput, CustomerInput};
use ordo_core::engine::{OrderRequest, PaymentRequest, VoidRequest};
use ordo_core::money::Money;
use ordo_core::ratelimit::RateScope;
use ordo_core::ticket::{TicketPriority, TicketStatus};
use serde::{Deserialize, Serialize};

/// Which order: `{"id": 42}` or `{"reference": "ORD-7K3M-9QX1"}` (a plain number or text is
/// also taken: digits are an id, anything else a reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OrderKey {
    /// `{"id": 42}`.
    Id {
        /// The order id.
        id: u64,
    },
    /// `{"reference": "ORD-…"}`.
    Reference {
        /// The order reference.
        reference: String,
    },
    /// `42`.
    Number(u64),
    /// `"ORD-…"` or `"42"`.
    Text(String),
}

/// Which customer: `{"id": 7}`, `{"phone": "+1…"}`, `{"registration_id": "CUS-…"}`, or a
/// number (id) or text (`+…` a phone, `CUS-…` a Registration ID, digits an id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CustomerKey {
    /// `{"id": 7}`.
    Id {
        /// The customer id.
        id: u64,
    },
    /// `{"phone": "+14155550123"}`.
    Phone {
        /// The phone number.
        phone: String,
    },
    /// `{"registration_id": "CUS-4F7Q-2M9T"}`.
    RegistrationId {
        /// The Registration ID.
        registration_id: String,
    },
    /// `7`.
    Number(u64),
    /// `"+1…"`, `"CUS-…"` or `"7"`.
    Text(String),
}

/// `product.update`: the product's SKU today and the fields to change (the others stay).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ProductUpdate {
    /// The SKU as it is now.
    pub sku: String,
    /// A new SKU (renames the product).
    pub new_sku: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// Retail price, `{"amount": "19.99", "currency": "USD"}`.
    pub base_price: Option<Money>,
    /// Specifications, replacing all: `[["Material", "Cotton"]]`.
    pub specifications: Option<Vec<(String, String)>>,
    /// Photo URLs, replacing all photos (a URL the product already has keeps its caption).
    pub photos: Option<Vec<String>>,
    /// Video URLs, replacing all videos (as `photos`).
    pub videos: Option<Vec<String>>,
    /// The whole media list with captions, `[{"kind": "photo", "url": "…", "caption":
    /// "…"}]`, replacing photos and videos alike (then `photos` and `videos` must be absent).
    pub media: Option<Vec<Media>>,
    /// Wholesale tiers, replacing the wholesale list (`[]` removes it):
    /// `[{"min_quantity": 10, "unit_price": {"amount": "13.99", "currency": "USD"}}]`.
    pub wholesale: Option<Vec<PriceTier>>,
    /// `standard`, `reduced` or `zero`.
    pub tax_category: Option<TaxCategory>,
    /// `deny` or `allow`.
    pub backorder: Option<BackorderPolicy>,
    /// On sale or not.
    pub active: Option<bool>,
    /// Shipping weight in kg, `"0.29"` (`""` removes it).
    pub weight_kg: Option<String>,
    /// Packed size `L x W x H` in cm, `"30x20x10"` (`""` removes it).
    pub dimensions_cm: Option<String>,
}

/// `product.get`: by SKU or id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProductKey {
    /// `{"sku": "TEE-RED-M"}`.
    Sku {
        /// The SKU.
        sku: String,
    },
    /// `{"id": 3}`.
    Id {
        /// The product id.
        id: u64,
    },
}

/// A page of products, customers or users: after this id, at most `limit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ListArgs {
    /// Continue after this id (the previous page's `next_cursor`).
    pub after: Option<u64>,
    /// Page size (default 50, at most 1000).
    pub limit: Option<usize>,
}

/// `customer.list`: everyone, or those whose name matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct CustomerList {
    /// Customers whose name contains these words.
    pub name: Option<String>,
    /// Continue after this id.
    pub after: Option<u64>,
    /// Page size (default 50, at most 1000).
    pub limit: Option<usize>,
}

/// `product.restock` / `product.adjust`: units of a SKU in a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockChange {
    /// The product.
    pub sku: String,
    /// The warehouse code (e.g. `MAIN`).
    pub warehouse: String,
    /// Units received (restock, ≥ 1) or the correction (adjust, may be negative).
    pub quantity: i64,
    /// Why (recorded in the audit trail).
    pub reason: String,
}

/// `customer.update`: the customer and the fields to change (the others stay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerUpdate {
    /// Which customer.
    pub customer: CustomerKey,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Phone (a customer changing their own gets a code to confirm it with
    /// `customer.confirm_contact`).
    #[serde(default)]
    pub phone: Option<String>,
    /// Email (likewise).
    #[serde(default)]
    pub email: Option<String>,
    /// Company name (makes or keeps a business account: staff only).
    #[serde(default)]
    pub company: Option<String>,
    /// Tax id of the company.
    #[serde(default)]
    pub tax_id: Option<String>,
    /// Addresses, replacing all (the first is the default).
    #[serde(default)]
    pub addresses: Option<Vec<AddressInput>>,
}

/// `customer.register`: a self-registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    /// Name, phone, email, at least one address; `business` for a B2B account.
    pub customer: CustomerInput,
    /// Send the code to this Telegram chat instead of by SMS.
    #[serde(default)]
    pub telegram_chat_id: Option<i64>,
}

/// `customer.verify`: the code, and the login the customer chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// The registration handle `customer.register` returned.
    pub registration: String,
    /// The 6-digit code.
    pub code: String,
    /// Login id.
    pub login: String,
    /// Password (hashed with argon2id; never stored or echoed).
    pub password: String,
}

/// `customer.resend_code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResendCode {
    /// The registration handle.
    pub registration: String,
}

/// A command on one customer with nothing else to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnCustomer {
    /// Which customer.
    pub customer: CustomerKey,
}

/// `customer.reject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reject {
    /// Which customer.
    pub customer: CustomerKey,
    /// Why (shown to the customer).
    pub reason: String,
}

/// `customer.confirm_contact`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmContact {
    /// Which customer (the signed-in customer themselves).
    pub customer: CustomerKey,
    /// The code sent to the new phone or email.
    pub code: String,
}

/// `customer.set_password` (staff, on the customer's behalf).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// Which customer.
    pub customer: CustomerKey,
    /// Login id.
    pub login: String,
    /// The new password.
    pub password: String,
}

/// `customer.log`: add a message to a customer's communication log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogMessage {
    /// Which customer.
    pub customer: CustomerKey,
    /// `note` (default), `sms`, `telegram`, `email`, `phone`.
    #[serde(default)]
    pub channel: Option<String>,
    /// `in` or `out` (default).
    #[serde(default)]
    pub direction: Option<String>,
    /// The text.
    pub text: String,
    /// The order it is about.
    #[serde(default)]
    pub order: Option<OrderKey>,
}

/// `customer.messages`: a customer's communication log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    /// Which customer.
    pub customer: CustomerKey,
    /// At most this many (default 50).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// A command on one order with nothing else to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnOrder {
    /// Which order.
    pub order: OrderKey,
}

/// `order.list`: a page of orders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct OrderList {
    /// Only this customer's orders.
    pub customer: Option<u64>,
    /// Customers whose name contains these words.
    pub customer_name: Option<String>,
    /// Created on or after this day (UTC), `2026-11-01`.
    pub from: Option<String>,
    /// Created on or before this day (UTC), `2026-11-30`.
    pub to: Option<String>,
    /// Only this status (`placed`, `shipped`, …).
    pub status: Option<String>,
    /// Include archived orders.
    pub include_archived: bool,
    /// Page size (default 50, at most 1000).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Oldest first.
    pub oldest_first: bool,
}

/// `order.add_item` / `order.set_quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemChange {
    /// Which order.
    pub order: OrderKey,
    /// The product.
    pub sku: String,
    /// Units to add, or the new quantity.
    pub quantity: i64,
}

/// `order.remove_item`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveItem {
    /// Which order.
    pub order: OrderKey,
    /// The product.
    pub sku: String,
}

/// `order.set_address`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAddress {
    /// Which order.
    pub order: OrderKey,
    /// The new shipping address.
    pub address: AddressInput,
}

/// `order.set_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    /// Which order.
    pub order: OrderKey,
    /// `placed`, `confirmed`, `picking`, `packed`, `shipped` or `delivered`.
    pub status: String,
}

/// `order.advance`: several orders to one status, all or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// The orders (at most 100).
    pub orders: Vec<OrderKey>,
    /// `confirmed`, `picking`, `packed`, `shipped` or `delivered`.
    pub to: String,
}

/// `order.cancel` / `order.archive`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithReason {
    /// Which order.
    pub order: OrderKey,
    /// Why.
    pub reason: String,
}

/// `order.discount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    /// Which order.
    pub order: OrderKey,
    /// What the discount is for.
    pub label: String,
    /// Percent off, as a decimal string (`"10"`, `"12.5"`).
    pub percent: String,
}

/// `payment.record` / `payment.refund`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Which order.
    pub order: OrderKey,
    /// Amount, method, gateway reference, idempotency key.
    #[serde(flatten)]
    pub payment: PaymentRequest,
}

/// `payment.void`: release what the order holds on a card and has not captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentVoid {
    /// Which order.
    pub order: OrderKey,
    /// Gateway reference, idempotency key.
    #[serde(flatten)]
    pub void: VoidRequest,
}

/// `session.login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// Login id.
    pub login: String,
    /// Password.
    pub password: String,
}

/// `session.logout`: the request's own `session`, or this token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct Logout {
    /// The session token to end (default: the request's `session`).
    pub token: Option<String>,
}

/// `session.change_password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The current password.
    pub current: String,
    /// The new password.
    pub new: String,
}

/// `user.add` / `admin.init`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddUser {
    /// Full name.
    pub name: String,
    /// Login id.
    pub login: String,
    /// `admin`, `order-processor`, `customer-service`, `sales`, `warehouse` or `analyst`
    /// (ignored by `admin.init`).
    #[serde(default)]
    pub role: Option<String>,
    /// The password.
    pub password: String,
}

/// `user.disable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnUser {
    /// Login id.
    pub login: String,
}

/// `user.set_role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRole {
    /// Login id.
    pub login: String,
    /// The new role.
    pub role: String,
}

/// `settings.set`: `NAME=VALUE` changes as `ordo settings set` takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetSettings {
    /// E.g. `["tax.standard=0.21", "shipping.express.USD=18.00", "rounding=half-up"]`.
    pub changes: Vec<String>,
}

/// `outbox.list`: notification deliveries not yet sent (pending, sending, failed, dead),
/// oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct OutboxList {
    /// After this delivery id.
    pub after: Option<u64>,
    /// At most this many (default 100).
    pub limit: Option<usize>,
    /// Only the failed and the dead.
    pub failed: bool,
    /// Every delivery, sent ones included.
    pub all: bool,
}

/// `outbox.ack`: mark deliveries as sent by hand (someone sent the messages outside
/// ordo), so no dispatcher sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxAck {
    /// The deliveries' ids.
    pub ids: Vec<u64>,
}

/// `outbox.retry`: queue a failed or dead delivery again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxRetry {
    /// The delivery.
    pub id: u64,
}

/// `rate.take`: one request of `key` against a budget of `burst`, one more every
/// `refill_ms` (the channels' rate limits, shared by every process of the shop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakeRate {
    /// `phone`, `caller`, `registration` or `login`.
    pub scope: RateScope,
    /// The phone number, address or chat the request came from.
    pub key: String,
    /// Requests allowed at once.
    pub burst: u32,
    /// One more request allowed every this many milliseconds.
    pub refill_ms: i64,
}

/// `ticket.open`: a ticket for a customer (a customer: for themselves, `customer` may be
/// left out), optionally about one of their orders, with an optional first message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketOpen {
    /// Whose ticket (default: the signed-in customer).
    #[serde(default)]
    pub customer: Option<CustomerKey>,
    /// The order it is about.
    #[serde(default)]
    pub order: Option<OrderKey>,
    /// What it is about (one line).
    pub subject: String,
    /// `low`, `normal` (default), `high` or `urgent`.
    #[serde(default)]
    pub priority: TicketPriority,
    /// The first message, visible to the customer (optional).
    #[serde(default)]
    pub message: String,
}

/// `ticket.comment`: a comment on a ticket; `internal` ones are for staff only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketCommentArgs {
    /// The ticket.
    pub id: u64,
    /// The comment.
    pub text: String,
    /// Staff only: never shown to the customer.
    #[serde(default)]
    pub internal: bool,
}

/// A staff user named by id (a number) or by login (a string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StaffKey {
    /// `4`.
    Id(u64),
    /// `"alice"`.
    Login(String),
}

/// `ticket.assign`: give a ticket to a staff user (id or login), or to nobody (`null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketAssign {
    /// The ticket.
    pub id: u64,
    /// The staff user (`4` or `"alice"`), or `null` for nobody.
    pub assignee: Option<StaffKey>,
}

/// `ticket.status`: move a ticket to `open`, `pending`, `resolved` or `closed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketSetStatus {
    /// The ticket.
    pub id: u64,
    /// The new status.
    pub status: TicketStatus,
}

/// `ticket.get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnTicket {
    /// The ticket.
    pub id: u64,
}

/// `ticket.list`: tickets in opening order, oldest first; the filters combine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct TicketList {
    /// Only this status.
    pub status: Option<TicketStatus>,
    /// Only tickets assigned to this staff user (id or login).
    pub assignee: Option<StaffKey>,
    /// Only this customer's tickets.
    pub customer: Option<CustomerKey>,
    /// Only tickets about this order.
    pub order: Option<OrderKey>,
    /// Page size (default 50, at most 500).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// `order.ship`: units of a packed order handed to a carrier (no `lines`: everything
/// left).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ship {
    /// Which order.
    pub order: OrderKey,
    /// Units per SKU; empty or absent ships every unit left.
    #[serde(default)]
    pub lines: Vec<ShipLine>,
    /// The carrier (`dhl`, `ups`, …).
    pub carrier: String,
    /// `standard`, `express` or `pickup` (default: the order's).
    #[serde(default)]
    pub method: Option<String>,
    /// The carrier's tracking number.
    pub tracking_number: String,
    /// The parcel's weight in kg, a decimal string (`"1.25"`).
    #[serde(default)]
    pub weight_kg: Option<String>,
}

/// Units of one SKU in `order.ship`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipLine {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: u32,
}

/// `report.sales`: sales from `from` to `to` (dates `YYYY-MM-DD`, UTC, both included),
/// grouped by `day` (default), `week` or `month`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSales {
    /// First day.
    pub from: String,
    /// Last day (included).
    pub to: String,
    /// `day`, `week` or `month`.
    #[serde(default)]
    pub group: Option<String>,
}

/// `report.speed`: placed → shipped and shipped → delivered, for stages that ended between
/// `from` and `to`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRange {
    /// First day.
    pub from: String,
    /// Last day (included).
    pub to: String,
}

/// `report.customers`: customer behaviour from `from` to `to`, with the `top` customers by
/// revenue (default 10).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportCustomers {
    /// First day.
    pub from: String,
    /// Last day (included).
    pub to: String,
    /// How many top customers.
    #[serde(default)]
    pub top: Option<usize>,
}

/// `report.stock`: stock of every product, days of cover from the 30 days ending `as_of`
/// (default today), low at or below `low` available units (default 5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportStock {
    /// The last day of the 30-day window.
    #[serde(default)]
    pub as_of: Option<String>,
    /// The low-stock threshold.
    #[serde(default)]
    pub low: Option<u64>,
}

/// `picklist`: the warehouse whose pick list to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickListArgs {
    /// The warehouse code (`MAIN`).
    pub warehouse: String,
}

/// No arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nothing {}

/// `order.count`: how many orders match, counted without reading them (drafts and
/// archived orders included, as index entries).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct OrderCountArgs {
    /// Created on or after this day (UTC), `2026-11-01`.
    pub from: Option<String>,
    /// Created on or before this day (UTC), `2026-11-30`.
    pub to: Option<String>,
    /// Only this status (`placed`, `shipped`, …).
    pub status: Option<String>,
}

/// Defines [`Request`], its op names ([`OPS`]) and [`Request::op`] from one list, so the
/// three cannot drift apart.
macro_rules! requests {
    ($( $(#[doc = $doc:literal])* $name:literal => $variant:ident($args:ty), )*) => {
        /// Every operation of the contract. The op names (`op`) and argument shapes (`args`)
        /// are the public contract: see `docs/api.md`.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "op", content = "args")]
        pub enum Request {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant($args), )*
        }

        /// Every op name, in the order of `docs/api.md`.
        pub const OPS: &[&str] = &[$($name),*];

        impl Request {
            /// The op name, as in the request.
            pub fn op(&self) -> &'static str {
                match self {
                    $( Request::$variant(_) => $name, )*
                }
            }
        }
    };
}

requests! {
    /// Create a product.
    "product.create" => ProductCreate(ProductInput),
    /// Replace a product's content.
    "product.update" => ProductUpdate(ProductUpdate),
    /// A product with its stock.
    "product.get" => ProductGet(ProductKey),
    /// A page of products.
    "product.list" => ProductList(ListArgs),
    /// Units received into a warehouse.
    "product.restock" => ProductRestock(StockChange),
    /// A stock correction (never below what is reserved).
    "product.adjust" => ProductAdjust(StockChange),
    /// Create a customer (staff: active at once).
    "customer.create" => CustomerCreate(CustomerInput),
    /// A customer.
    "customer.get" => CustomerGet(CustomerKey),
    /// A page of customers.
    "customer.list" => CustomerList(CustomerList),
    /// Change a customer's details (rights per field).
    "customer.update" => CustomerUpdate(CustomerUpdate),
    /// Confirm a new phone or email with its code.
    "customer.confirm_contact" => CustomerConfirmContact(ConfirmContact),
    /// Self-registration: returns the registration handle once.
    "customer.register" => CustomerRegister(Register),
    /// Answer the code, choose a login and password.
    "customer.verify" => CustomerVerify(Verify),
    /// A new code for a pending registration.
    "customer.resend_code" => CustomerResendCode(ResendCode),
    /// Approve a business registration.
    "customer.approve" => CustomerApprove(OnCustomer),
    /// Reject a pending registration.
    "customer.reject" => CustomerReject(Reject),
    /// Set a customer's login and password (staff).
    "customer.set_password" => CustomerSetPassword(SetPassword),
    /// A customer's audit trail.
    "customer.history" => CustomerHistory(OnCustomer),
    /// A customer's purchases at a glance.
    "customer.purchases" => CustomerPurchases(OnCustomer),
    /// Add to a customer's communication log.
    "customer.log" => CustomerLog(LogMessage),
    /// A customer's communication log.
    "customer.messages" => CustomerMessages(Messages),
    /// Create an order (placed, or a draft).
    "order.create" => OrderCreate(OrderRequest),
    /// An order by id or reference.
    "order.get" => OrderGet(OrderKey),
    /// A page of orders.
    "order.list" => OrderList(OrderList),
    /// Add units of a product.
    "order.add_item" => OrderAddItem(ItemChange),
    /// Set a line's quantity.
    "order.set_quantity" => OrderSetQuantity(ItemChange),
    /// Remove a line.
    "order.remove_item" => OrderRemoveItem(RemoveItem),
    /// Change the shipping address.
    "order.set_address" => OrderSetAddress(SetAddress),
    /// Move an order to a status.
    "order.set_status" => OrderSetStatus(SetStatus),
    /// Move several orders to one status, all or none.
    "order.advance" => OrderAdvance(Advance),
    /// Cancel with a reason.
    "order.cancel" => OrderCancel(WithReason),
    /// Archive (soft delete) with a reason.
    "order.archive" => OrderArchive(WithReason),
    /// Bring an archived order back.
    "order.restore" => OrderRestore(OnOrder),
    /// Apply a percentage discount (staff).
    "order.discount" => OrderDiscount(Discount),
    /// An order's audit trail.
    "order.history" => OrderHistory(OnOrder),
    /// Record a payment.
    "payment.record" => PaymentRecord(Payment),
    /// Record a refund.
    "payment.refund" => PaymentRefund(Payment),
    /// Sign in: a session token for `session`.
    "session.login" => SessionLogin(Login),
    /// End a session.
    "session.logout" => SessionLogout(Logout),
    /// Who the request acts as: the session's user, or the caller.
    "session.get" => SessionGet(Nothing),
    /// Change the signed-in user's own password.
    "session.change_password" => SessionChangePassword(ChangePassword),
    /// Create the first administrator.
    "admin.init" => AdminInit(AddUser),
    /// Add a staff user.
    "user.add" => UserAdd(AddUser),
    /// Staff users.
    "user.list" => UserList(ListArgs),
    /// Disable a staff user.
    "user.disable" => UserDisable(OnUser),
    /// Change a staff user's role.
    "user.set_role" => UserSetRole(SetRole),
    /// The pricing settings.
    "settings.get" => SettingsGet(Nothing),
    /// Change pricing settings.
    "settings.set" => SettingsSet(SetSettings),
    /// Who changed the settings, when.
    "settings.history" => SettingsHistory(Nothing),
    /// Notification deliveries not yet sent (or failed, or all), with their texts.
    "outbox.list" => OutboxList(OutboxList),
    /// Mark deliveries as sent by hand.
    "outbox.ack" => OutboxAck(OutboxAck),
    /// Queue a failed or dead delivery again.
    "outbox.retry" => OutboxRetry(OutboxRetry),
    /// Count one request against a rate limit (channels).
    "rate.take" => RateTake(TakeRate),
    /// Open a customer-service ticket.
    "ticket.open" => TicketOpen(TicketOpen),
    /// Comment on a ticket (visible, or internal for staff).
    "ticket.comment" => TicketComment(TicketCommentArgs),
    /// Give a ticket to a staff user, or to nobody.
    "ticket.assign" => TicketAssign(TicketAssign),
    /// Change a ticket's status.
    "ticket.status" => TicketStatus(TicketSetStatus),
    /// A ticket with its comments.
    "ticket.get" => TicketGet(OnTicket),
    /// A page of tickets.
    "ticket.list" => TicketList(TicketList),
    /// Record an authorization: money held on a card.
    "payment.authorize" => PaymentAuthorize(Payment),
    /// Record the capture of held money, in full or in part.
    "payment.capture" => PaymentCapture(Payment),
    /// Record the void of what is held and not captured.
    "payment.void" => PaymentVoid(PaymentVoid),
    /// Hand units of a packed order to a carrier.
    "order.ship" => OrderShip(Ship),
    /// An order's shipments.
    "order.shipments" => OrderShipments(OnOrder),
    /// Cancel what a partially shipped order has not shipped.
    "order.cancel_unshipped" => OrderCancelUnshipped(WithReason),
    /// Sales by day, week or month and by product (by customer: `report.customers`).
    "report.sales" => ReportSales(ReportSales),
    /// Order speed: placed → shipped, shipped → delivered.
    "report.speed" => ReportSpeed(ReportRange),
    /// Customer behaviour.
    "report.customers" => ReportCustomers(ReportCustomers),
    /// Stock: low stock, reserved vs on hand, days of cover.
    "report.stock" => ReportStock(ReportStock),
    /// An order's invoice, issued on first request (the next gap-free number).
    "order.invoice" => OrderInvoice(OnOrder),
    /// What a warehouse has to pick, per product.
    "picklist" => PickList(PickListArgs),
    /// Open a return of delivered units (staff, or a customer for their own order).
    "return.open" => ReturnOpen(crate::return_args::ReturnOpen),
    /// Approve a requested return.
    "return.approve" => ReturnApprove(crate::return_args::OnReturn),
    /// Refuse a requested return, with a reason.
    "return.refuse" => ReturnRefuse(crate::return_args::ReturnRefuse),
    /// Receive a return: every unit restocked or written off.
    "return.receive" => ReturnReceive(crate::return_args::ReturnReceive),
    /// Refund a received return through the order's ledger.
    "return.refund" => ReturnRefund(crate::return_args::ReturnRefundArgs),
    /// Send a replacement for a received return instead of a refund.
    "return.exchange" => ReturnExchange(crate::return_args::ReturnExchange),
    /// A return.
    "return.show" => ReturnShow(crate::return_args::OnReturn),
    /// A page of returns.
    "return.list" => ReturnList(crate::return_args::ReturnList),
    /// How many orders match a status and creation dates, without reading them.
    "order.count" => OrderCount(OrderCountArgs),
}
