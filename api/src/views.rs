//! The response shapes of the wire contract (what `ordo --json` prints, what the C API and
//! HTTP return): hand-written wire types converted from domain types, so the domain can
//! change without changing what scripts and hosts read (and the other way round). None
//! carries a password hash, a verification code, a nonce or a stored token.
//!
//! Conventions: money is a decimal string at the currency's scale (`"12.50"`) with the
//! currency in the object's `currency` field; times are RFC 3339 strings in UTC; ids are
//! numbers; enumerations are lower-case words.

use ordo_core::audit::AuditEntry;
use ordo_core::catalog::{BackorderPolicy, MediaKind, Product};
use ordo_core::customer::{Customer, CustomerKind};
use ordo_core::inventory::Stock;
use ordo_core::money::Money;
use ordo_core::order::{Order, OrderLine};
use ordo_core::payment::{LedgerEntry, LedgerEntryKind};
use ordo_core::pricing::Totals;
use serde::{Deserialize, Serialize};

mod accounts;
mod documents;
mod outbox;
mod returns;
mod settings;
mod shipments;
mod tickets;

pub use accounts::{
    AmountView, MessageView, PasswordChangedView, PurchasesView, RegistrationView, SessionView,
    SignedOutView, StaffUserView, TakenView, WhoView, role_name,
};
pub use documents::{
    InvoiceLineView, InvoiceView, PickListView, PickOrderView, PickRowView, TaxRateView,
};
pub use outbox::{AckView, NotificationView};
pub use returns::{InspectionView, ReplacementView, ReturnLineView, ReturnStepView, ReturnView};
pub use settings::{SellerView, SettingsView};
pub use shipments::{ShipmentLineView, ShipmentView, TrackingEventView};
pub use tickets::{TicketCommentView, TicketView};

/// A product, with its stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductView {
    /// Store id.
    pub id: u64,
    /// SKU.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// Whether it can be ordered.
    pub active: bool,
    /// `standard`, `reduced` or `zero`.
    pub tax_category: String,
    /// Whether orders beyond available stock are accepted.
    pub backorder_allowed: bool,
    /// Currency of every price.
    pub currency: String,
    /// Retail (B2C) price.
    pub base_price: String,
    /// Price lists per customer group.
    pub price_lists: Vec<PriceListView>,
    /// Specifications, in order.
    pub specifications: Vec<SpecificationView>,
    /// Photos and videos.
    pub media: Vec<MediaView>,
    /// Stock across warehouses.
    pub stock: StockView,
    /// When it was added.
    pub created_at: String,
    /// Shipping weight in kg (`"0.29"`), if known.
    pub weight_kg: Option<String>,
    /// Packed size `L x W x H` in cm (`"30x20x10"`), if known.
    pub dimensions_cm: Option<String>,
}

/// A price list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceListView {
    /// `retail` or `wholesale`.
    pub group: String,
    /// Quantity tiers, ascending.
    pub tiers: Vec<PriceTierView>,
}

/// One quantity tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceTierView {
    /// From this many units on…
    pub min_quantity: u32,
    /// …each unit costs this.
    pub unit_price: String,
}

/// One specification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecificationView {
    /// E.g. `Material`.
    pub name: String,
    /// E.g. `Cotton`.
    pub value: String,
}

/// A photo or video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaView {
    /// `photo` or `video`.
    pub kind: String,
    /// Where it is.
    pub url: String,
    /// Caption (may be empty).
    pub caption: String,
}

/// Stock of one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockView {
    /// Units present, all warehouses.
    pub on_hand: u64,
    /// Units promised to open orders.
    pub reserved: u64,
    /// Units that can still be ordered.
    pub available: u64,
    /// Per warehouse.
    pub warehouses: Vec<WarehouseStockView>,
}

/// Stock in one warehouse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarehouseStockView {
    /// Warehouse code.
    pub warehouse: String,
    /// Units present.
    pub on_hand: u64,
    /// Units reserved.
    pub reserved: u64,
    /// Units available.
    pub available: u64,
    /// Units shipped from here over all time.
    pub shipped: u64,
}

impl ProductView {
    /// The view of `product` with its `stock`.
    pub fn new(product: &Product, stock: &Stock) -> ProductView {
        ProductView {
            id: product.id().get(),
            sku: product.sku().to_string(),
            name: product.name().to_string(),
            description: product.description().to_string(),
            active: product.is_active(),
            tax_category: product.tax_category().to_string(),
            weight_kg: product.weight().map(|w| w.kg().to_string()),
            dimensions_cm: product
                .dimensions()
                .map(ordo_core::catalog::Dimensions::to_cm_text),
            backorder_allowed: match product.backorder() {
                BackorderPolicy::Allow => true,
                BackorderPolicy::Deny => false,
            },
            currency: product.base_price().currency().to_string(),
            base_price: amount(&product.base_price()),
            price_lists: product
                .price_lists()
                .iter()
                .map(|list| PriceListView {
                    group: list.group().to_string(),
                    tiers: list
                        .tiers()
                        .iter()
                        .map(|tier| PriceTierView {
                            min_quantity: tier.min_quantity,
                            unit_price: amount(&tier.unit_price),
                        })
                        .collect(),
                })
                .collect(),
            specifications: product
                .specifications()
                .iter()
                .map(|(name, value)| SpecificationView {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            media: product
                .media()
                .iter()
                .map(|media| MediaView {
                    kind: media_kind(media.kind).to_string(),
                    url: media.url.clone(),
                    caption: media.caption.clone(),
                })
                .collect(),
            stock: StockView::new(stock),
            created_at: product.created_at().to_string(),
        }
    }
}

impl StockView {
    /// The view of `stock`.
    pub fn new(stock: &Stock) -> StockView {
        StockView {
            on_hand: stock.total_on_hand(),
            reserved: stock.total_reserved(),
            available: stock.total_available(),
            warehouses: stock
                .levels()
                .iter()
                .map(|level| WarehouseStockView {
                    warehouse: level.warehouse().to_string(),
                    on_hand: level.on_hand(),
                    reserved: level.reserved(),
                    available: level.available(),
                    shipped: level.shipped(),
                })
                .collect(),
        }
    }
}

/// `photo` or `video`.
pub fn media_kind(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Photo => "photo",
        MediaKind::Video => "video",
    }
}

/// A customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    /// Store id.
    pub id: u64,
    /// Full name.
    pub name: String,
    /// `b2c` or `b2b`.
    pub kind: String,
    /// Company name (business customers).
    pub company: Option<String>,
    /// Tax id (business customers).
    pub tax_id: Option<String>,
    /// Phone, E.164.
    pub phone: String,
    /// Email.
    pub email: String,
    /// `active`, `pending verification`, `pending approval`, `rejected` or `disabled`.
    pub status: String,
    /// Permanent Registration ID (`CUS-…`) once the account is active.
    pub registration_id: Option<String>,
    /// Login id, once chosen (never the password or its hash).
    pub login: Option<String>,
    /// Where codes and notifications go: `SMS` or `Telegram chat N`.
    pub channel: String,
    /// Why staff rejected the registration.
    pub rejection_reason: Option<String>,
    /// `retail` or `wholesale`.
    pub price_group: String,
    /// Addresses, one line each; the first is the default.
    pub addresses: Vec<String>,
    /// When the record was created.
    pub created_at: String,
    /// A new phone and email waiting for the code sent to them, if a change is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_contact: Option<PendingContactView>,
}

/// A contact change waiting for its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingContactView {
    /// The phone after the change.
    pub phone: String,
    /// The email after the change.
    pub email: String,
}

impl CustomerView {
    /// The view of `customer`.
    pub fn new(customer: &Customer) -> CustomerView {
        let (kind, company, tax_id) = match customer.kind() {
            CustomerKind::B2C => ("b2c", None, None),
            CustomerKind::B2B { company, tax_id } => {
                ("b2b", Some(company.clone()), Some(tax_id.clone()))
            }
        };
        CustomerView {
            id: customer.id().get(),
            name: customer.name().to_string(),
            kind: kind.to_string(),
            company,
            tax_id,
            phone: customer.phone().to_string(),
            email: customer.email().to_string(),
            status: customer.status().to_string(),
            registration_id: customer.registration_id().map(ToString::to_string),
            login: customer.credentials().map(|c| c.login.to_string()),
            channel: customer.channel().to_string(),
            rejection_reason: customer.rejection_reason().map(str::to_string),
            price_group: customer.price_group().to_string(),
            addresses: customer.addresses().iter().map(|a| a.to_string()).collect(),
            created_at: customer.created_at().to_string(),
            pending_contact: customer.pending_contact().map(|change| PendingContactView {
                phone: change.phone.to_string(),
                email: change.email.to_string(),
            }),
        }
    }
}

/// An order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderView {
    /// Store id.
    pub id: u64,
    /// Public reference (`null` for drafts).
    pub reference: Option<String>,
    /// Lifecycle status, lower case.
    pub status: String,
    /// The customer's id.
    pub customer_id: u64,
    /// The customer's name at creation.
    pub customer_name: String,
    /// Currency of every amount on the order.
    pub currency: String,
    /// Grand total.
    pub total: String,
    /// `unpaid`, `authorized`, `partially paid`, `paid`, `partially refunded` or `refunded`.
    pub payment_status: String,
    /// Sum of payments.
    pub paid: String,
    /// Sum of refunds.
    pub refunded: String,
    /// What the customer still owes.
    pub balance_due: String,
    /// What must be paid back.
    pub refund_due: String,
    /// Held on a card: authorized, neither captured nor voided.
    #[serde(default)]
    pub authorized: String,
    /// What a cancelled order still holds through a gateway, to be voided there.
    #[serde(default)]
    pub void_due: String,
    /// Whether the order is archived.
    pub archived: bool,
    /// When it was archived.
    pub archived_at: Option<String>,
    /// Why it was archived.
    pub archive_reason: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Lines.
    pub lines: Vec<LineView>,
    /// Money summary.
    pub totals: TotalsView,
    /// `standard`, `express` or `pickup`.
    pub shipping_method: String,
    /// Shipping address, one line.
    pub shipping_address: String,
    /// Intended payment method.
    pub payment_method: String,
    /// Discounts.
    pub discounts: Vec<DiscountView>,
    /// Notes.
    pub notes: String,
    /// Payments and refunds, oldest first.
    pub payments: Vec<PaymentView>,
    /// Every status the order has been in, with when.
    pub status_history: Vec<StatusChangeView>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

/// One order line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineView {
    /// SKU.
    pub sku: String,
    /// Product name at placement.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// Price of one unit.
    pub unit_price: String,
    /// Unit price × quantity.
    pub line_total: String,
    /// Discount on the line.
    pub discount: String,
    /// Tax on the line.
    pub tax: String,
    /// Tax rate as a fraction, e.g. `"0.20"`.
    pub tax_rate: String,
    /// Warehouse holding the reservation.
    pub warehouse: Option<String>,
    /// Units reserved.
    pub reserved: u32,
    /// Units backordered.
    pub backordered: u32,
}

/// An order's money summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotalsView {
    /// Σ line totals.
    pub subtotal: String,
    /// Σ discounts.
    pub discount: String,
    /// Σ tax.
    pub tax: String,
    /// Shipping fee.
    pub shipping: String,
    /// subtotal − discount + tax + shipping.
    pub total: String,
}

/// A discount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscountView {
    /// Label.
    pub label: String,
    /// Percent off, e.g. `"10"`.
    pub percent: String,
}

/// A payment or refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentView {
    /// `payment` or `refund`.
    pub kind: String,
    /// Amount (positive).
    pub amount: String,
    /// How the money moved.
    pub method: String,
    /// Gateway or bank reference.
    pub external_reference: String,
    /// When it was recorded.
    pub at: String,
}

/// One entry of the status history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChangeView {
    /// The status entered.
    pub status: String,
    /// When.
    pub at: String,
}

impl OrderView {
    /// The view of `order`.
    ///
    /// # Errors
    /// Only if the ledger sums overflow (cannot happen for orders the engine wrote).
    pub fn new(order: &Order) -> ordo_core::Result<OrderView> {
        let sums = order.ledger_sums()?;
        Ok(OrderView {
            id: order.id().get(),
            reference: order.reference().map(|r| r.to_string()),
            status: order.status().to_string(),
            customer_id: order.customer().get(),
            customer_name: order.customer_name().to_string(),
            currency: order.currency().to_string(),
            total: amount(&order.totals().total),
            payment_status: order.payment_status()?.to_string(),
            paid: amount(&sums.paid),
            refunded: amount(&sums.refunded),
            balance_due: amount(&order.balance_due()?),
            refund_due: amount(&order.refund_due()?),
            authorized: amount(&sums.capturable()?),
            void_due: amount(&order.void_due()?),
            archived: order.archived().is_some(),
            archived_at: order.archived().map(|a| a.at.to_string()),
            archive_reason: order.archived().map(|a| a.reason.clone()),
            cancel_reason: order.cancel_reason().map(str::to_string),
            lines: order.lines().iter().map(LineView::new).collect(),
            totals: TotalsView::new(order.totals()),
            shipping_method: order.shipping_method().to_string(),
            shipping_address: order.shipping_address().to_string(),
            payment_method: order.payment_method().to_string(),
            discounts: order
                .discounts()
                .iter()
                .map(|d| DiscountView {
                    label: d.label().to_string(),
                    percent: d.percent().normalize().to_string(),
                })
                .collect(),
            notes: order.notes().to_string(),
            payments: order.ledger().iter().map(PaymentView::new).collect(),
            status_history: order
                .status_history()
                .iter()
                .map(|(status, at)| StatusChangeView {
                    status: status.to_string(),
                    at: at.to_string(),
                })
                .collect(),
            created_at: order.created_at().to_string(),
            updated_at: order.updated_at().to_string(),
        })
    }
}

impl LineView {
    fn new(line: &OrderLine) -> LineView {
        LineView {
            sku: line.sku.to_string(),
            name: line.name.clone(),
            quantity: line.quantity,
            unit_price: amount(&line.unit_price),
            line_total: amount(&line.amounts.total),
            discount: amount(&line.amounts.discount),
            tax: amount(&line.amounts.tax),
            tax_rate: line.tax_rate.to_string(),
            warehouse: line.warehouse.as_ref().map(|w| w.to_string()),
            reserved: line.reserved,
            backordered: line.backordered,
        }
    }
}

impl TotalsView {
    fn new(totals: &Totals) -> TotalsView {
        TotalsView {
            subtotal: amount(&totals.subtotal),
            discount: amount(&totals.discount),
            tax: amount(&totals.tax),
            shipping: amount(&totals.shipping),
            total: amount(&totals.total),
        }
    }
}

impl PaymentView {
    fn new(entry: &LedgerEntry) -> PaymentView {
        PaymentView {
            kind: match entry.kind {
                LedgerEntryKind::Payment => "payment",
                LedgerEntryKind::Refund => "refund",
                LedgerEntryKind::Authorization => "authorization",
                LedgerEntryKind::Capture => "capture",
                LedgerEntryKind::Void => "void",
            }
            .to_string(),
            amount: amount(&entry.amount),
            method: entry.method.to_string(),
            external_reference: entry.external_reference.clone(),
            at: entry.at.to_string(),
        }
    }
}

/// One page of orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderPageView {
    /// The orders, newest first.
    pub orders: Vec<OrderView>,
    /// Pass as `--cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryView {
    /// Position in the trail.
    pub sequence: u64,
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What, e.g. `status changed`.
    pub action: String,
    /// Fields changed.
    pub changes: Vec<FieldChangeView>,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChangeView {
    /// Field name.
    pub field: String,
    /// Value before (`null` when created).
    pub before: Option<String>,
    /// Value after (`null` when removed).
    pub after: Option<String>,
}

impl AuditEntryView {
    /// The view of `entry`.
    pub fn new(entry: &AuditEntry) -> AuditEntryView {
        AuditEntryView {
            sequence: entry.sequence,
            at: entry.record.at.to_string(),
            actor: entry.record.actor.to_string(),
            action: entry.record.action.to_string(),
            changes: entry
                .record
                .changes
                .iter()
                .map(|c| FieldChangeView {
                    field: c.field.clone(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
        }
    }
}

/// A money amount as a decimal string at the currency's scale (`"12.50"`).
pub fn amount(money: &Money) -> String {
    money.amount().to_string()
}

/// A page of a listing: the items, where the next page starts, and any record the listing
/// passed over because it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListView<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `after` (or `cursor` for orders) for the next page; `null` on the last.
    pub next_cursor: Option<String>,
    /// Records that could not be read (by key, with the reason); empty normally.
    pub skipped: Vec<SkippedView>,
}

/// A record a listing passed over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedView {
    /// Its key, e.g. `order/77`.
    pub key: String,
    /// Why it could not be read.
    pub reason: String,
}

impl<T> ListView<T> {
    /// A page of `items` from an engine page.
    pub fn new<U>(page: &ordo_core::engine::Page<U>, items: Vec<T>) -> ListView<T> {
        ListView {
            items,
            next_cursor: page.next_cursor.clone(),
            skipped: page
                .skipped
                .iter()
                .map(|s| SkippedView {
                    key: s.key.to_string(),
                    reason: s.reason.clone(),
                })
                .collect(),
        }
    }
}

/// The answer to `order.count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCountView {
    /// How many orders matched (at most 100,000).
    pub count: u64,
    /// Whether counting stopped at 100,000 (there are at least that many).
    pub capped: bool,
}
