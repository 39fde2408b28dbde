//! `ordo order …`: order arguments. Every subcommand that names an order takes its id or
//! its reference (e.g. `ORD-7K3M-9QX1`, any case, dashes optional).

use clap::{Args, Subcommand};

/// Order subcommands.
#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// Create an order (placed at once, or a draft with --draft).
    #[command(after_long_help = "\
Examples:
  ordo order create --customer 7 --item TEE-CLASSIC-BLK-M:2
  ordo order create --customer 7 --item TEE-CLASSIC-BLK-M:2 --item MUG-STONE-350:1 \\
      --shipping express --payment cod --discount SPRING:10 --note \"Leave at the door\"
  ordo order create --customer 7 --item MUG-STONE-350:1 --draft
  ordo order create --customer 7 --item MUG-STONE-350:1 --idempotency-key web-4711

Without --ship-to the customer's default address is used. Placing an order reserves its
stock; a draft reserves nothing until `ordo order status REF placed`. Retrying with the
same --idempotency-key and the same content returns the first order.")]
    Create(OrderCreateArgs),
    /// Add units of a product to an order (until it is picked).
    #[command(
        name = "add-item",
        after_long_help = "Example:\n  ordo order add-item ORD-7K3M-9QX1 MUG-STONE-350 2"
    )]
    AddItem {
        /// Order id or reference.
        order: String,
        /// SKU to add.
        sku: String,
        /// Units to add.
        #[arg(default_value = "1", allow_hyphen_values = true)]
        quantity: String,
    },
    /// Set the quantity of a product on an order.
    #[command(
        name = "set-qty",
        after_long_help = "Example:\n  ordo order set-qty ORD-7K3M-9QX1 MUG-STONE-350 3"
    )]
    SetQty {
        /// Order id or reference.
        order: String,
        /// SKU on the order.
        sku: String,
        /// The new quantity (1 to 10000).
        #[arg(allow_hyphen_values = true)]
        quantity: String,
    },
    /// Remove a product from an order.
    #[command(
        name = "remove-item",
        after_long_help = "Example:\n  ordo order remove-item ORD-7K3M-9QX1 MUG-STONE-350"
    )]
    RemoveItem {
        /// Order id or reference.
        order: String,
        /// SKU to remove.
        sku: String,
    },
    /// Change the shipping address (until the order ships).
    #[command(
        name = "set-address",
        after_long_help = "\
Example:
  ordo order set-address ORD-7K3M-9QX1 \"Ada Lovelace, 1 Main St, Apt 4, Springfield, 12345, US\""
    )]
    SetAddress {
        /// Order id or reference.
        order: String,
        /// "recipient, street, [line 2,] city, postal code, country".
        address: String,
    },
    /// Give an order a percentage discount (staff who may apply discounts).
    #[command(after_long_help = "\
Examples:
  ordo order discount ORD-7K3M-9QX1 --label LOYAL10 --percent 10
  ordo order discount 1042 --label DAMAGED-BOX --percent 25

The order is re-priced at once (the discount applies to every line before tax); a
discount with the same label replaces the earlier one. Allowed while items can still
change (draft or placed). Customers cannot give themselves discounts.")]
    Discount {
        /// Order id or reference.
        order: String,
        /// What the discount is for, shown on the order.
        #[arg(long)]
        label: String,
        /// Percent off, more than 0 and at most 100 (e.g. 10 or 12.5).
        #[arg(long)]
        percent: String,
    },
    /// Move an order to its next status.
    #[command(after_long_help = "\
Statuses, in order: draft → placed → confirmed → picking → packed → shipped → delivered.
Use `ordo order cancel` to cancel (allowed until the order is packed).

Examples:
  ordo order status ORD-7K3M-9QX1 confirmed
  ordo order status 1042 shipped")]
    Status {
        /// Order id or reference.
        order: String,
        /// placed, confirmed, picking, packed, shipped or delivered.
        status: String,
    },
    /// Move several orders forward together, all or none (a warehouse batch).
    #[command(after_long_help = "\
Each order passes through every status between where it is and --to (confirmed → picking
→ packed → shipped → delivered; stock is consumed at shipped) and gets one entry in its
history. If any order cannot get there, none moves and the error names that order.
At most 100 orders at once.

Examples:
  ordo order advance ORD-7K3M-9QX1 ORD-2B4N-8HJ4 --to shipped
  ordo --as warehouse order advance 1042 1043 1044 --to packed")]
    Advance {
        /// Order ids or references.
        #[arg(required = true, num_args = 1..)]
        orders: Vec<String>,
        /// confirmed, picking, packed, shipped or delivered.
        #[arg(long)]
        to: String,
    },
    /// Cancel an order, releasing its stock (until it is packed).
    #[command(after_long_help = "\
Example:
  ordo order cancel ORD-7K3M-9QX1 --reason \"customer changed their mind\"

A paid order keeps a refund due; record it with `ordo order refund`.")]
    Cancel {
        /// Order id or reference.
        order: String,
        /// Why (kept on the order and in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Archive a draft, delivered or cancelled order (hidden from lists, never deleted).
    #[command(after_long_help = "\
Example:
  ordo order archive ORD-7K3M-9QX1 --reason \"closed out\"
  ordo order list --archived              # archived orders are listed again")]
    Archive {
        /// Order id or reference.
        order: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Bring an archived order back.
    #[command(after_long_help = "Example:\n  ordo order restore ORD-7K3M-9QX1")]
    Restore {
        /// Order id or reference.
        order: String,
    },
    /// Show an order: lines, totals, payments, status history.
    #[command(after_long_help = "\
Examples:
  ordo order show ORD-7K3M-9QX1
  ordo order show 1042
  ordo --json order show ord7k3m9qx1")]
    Show {
        /// Order id or reference.
        order: String,
    },
    /// List orders, newest first, with filters.
    #[command(after_long_help = "\
Examples:
  ordo order list
  ordo order list --status placed --limit 20
  ordo order list --customer-name lovelace --from 2026-03-01 --to 2026-03-31
  ordo order list --archived
  ordo order list --cursor 0000019c...        # the next page, as printed under the table

--from and --to are calendar days (UTC) and both are inclusive: --to 2026-03-31 includes
orders created during March 31. Archived orders are left out unless --archived is given.")]
    List(OrderListArgs),
    /// Show the audit trail of an order: who changed what, when.
    #[command(after_long_help = "Example:\n  ordo order history ORD-7K3M-9QX1")]
    History {
        /// Order id or reference.
        order: String,
    },
    /// Record a payment.
    #[command(after_long_help = "\
Examples:
  ordo order pay ORD-7K3M-9QX1 --amount \"25.00 USD\"
  ordo order pay ORD-7K3M-9QX1 --amount 25.00 --method bank-transfer --ref BANK-889 \\
      --idempotency-key pay-889

An amount without currency is in the order's currency. The method defaults to the
order's payment method. A payment may not exceed the balance due.")]
    Pay(PaymentArgs),
    /// Record a refund.
    #[command(after_long_help = "\
Example:
  ordo order refund ORD-7K3M-9QX1 --amount \"10.00 USD\" --method card --ref RF-1

A refund may not exceed what was paid and not yet refunded.")]
    Refund(PaymentArgs),
    /// Record a card authorization: money held on the customer's card, not yet taken.
    #[command(after_long_help = "\
Examples:
  ordo order authorize ORD-7K3M-9QX1 --amount \"29.00 USD\"
  ordo order authorize ORD-7K3M-9QX1 --amount 29.00 --ref TERM-5521 --idempotency-key auth-5521

The card lifecycle: authorize (hold), then capture (take, all at once or in parts), then
void what is left; refund pays captured money back. Holds and payments together may not
exceed the balance due. The order's payment status reads \"authorized\" while money is
held and nothing is taken.")]
    Authorize(PaymentArgs),
    /// Record the capture of held card money, in full or in part.
    #[command(after_long_help = "\
Examples:
  ordo order capture ORD-7K3M-9QX1 --amount \"29.00 USD\"     # all of it
  ordo order capture ORD-7K3M-9QX1 --amount 10.00             # a part; the rest stays held

A capture may not exceed what is authorized and neither captured nor voided. The customer
is told of the payment, as for `ordo order pay`.")]
    Capture(PaymentArgs),
    /// Record the void of held card money: releases everything authorized and not captured.
    #[command(after_long_help = "\
Example:
  ordo order void ORD-7K3M-9QX1

Cancelling an order voids a hold taken by hand in the same step; a hold taken through a
gateway shows as \"Void due\" on the cancelled order until the gateway has released it.")]
    Void(VoidArgs),
    /// Hand units of a packed order to a carrier (a shipment with a tracking number).
    #[command(after_long_help = "\
Examples:
  ordo order ship ORD-7K3M-9QX1 --carrier dhl --tracking JD014600006101 --weight 1.25
  ordo order ship ORD-7K3M-9QX1 --line TEE-CLASSIC-BLK-M:2 --line MUG-STONE-350:1 \\
      --carrier ups --tracking 1Z999AA10123456784

Without --line every unit left ships. Shipping part of an order makes it partially
shipped; it is shipped once every unit has left, and delivered once every shipment is.
The customer hears the carrier and tracking number.")]
    Ship(super::shipment::ShipArgs),
    /// An order's shipments: carrier, tracking number, units, tracking status.
    #[command(after_long_help = "Example:\n  ordo order shipments ORD-7K3M-9QX1")]
    Shipments {
        /// Order id or reference.
        order: String,
    },
    /// Cancel what a partially shipped order has not shipped (its stock is released).
    #[command(
        name = "cancel-unshipped",
        after_long_help = "\
Example:
  ordo order cancel-unshipped ORD-7K3M-9QX1 --reason \"the rest is out of stock\"

Each line keeps its shipped units and the order is priced again; what was paid beyond
the new total is a refund due (`ordo order refund`)."
    )]
    CancelUnshipped {
        /// Order id or reference.
        order: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// An order's pack slip: lines, quantities, ship-to address, no prices.
    #[command(after_long_help = "\
Examples:
  ordo order packslip ORD-7K3M-9QX1
  ordo order packslip ORD-7K3M-9QX1 --pdf slip.pdf")]
    Packslip(super::documents::PackslipArgs),
    /// A shipment's label: sender, recipient, carrier, tracking, weight, barcode.
    #[command(after_long_help = "\
Examples:
  ordo order label ORD-7K3M-9QX1 --pdf label.pdf                 # the last shipment
  ordo order label ORD-7K3M-9QX1 --shipment 1 --pdf label-1.pdf
  ORDO_SELLER='Ordo Shop; 1 Market St; Springfield 12345' ordo order label ORD-7K3M-9QX1 --pdf l.pdf

The label is 4 x 6 inches with a Code 128 barcode of the order reference. The sender is
--seller (or $ORDO_SELLER) when given, else the store's seller (`ordo settings set
seller.name='Ordo Shop' seller.address='1 Market St; Springfield 12345'`). Weights come
from the shipment (`ordo order ship --weight`, or its products' weights).")]
    Label(super::documents::LabelArgs),
    /// An order's invoice (issued on first use, with the next gap-free number).
    #[command(after_long_help = "\
Examples:
  ordo order invoice ORD-7K3M-9QX1
  ordo order invoice ORD-7K3M-9QX1 --pdf invoice.pdf --seller 'Ordo Shop; 1 Market St'

The first call issues the invoice: its number is the next of one sequence without gaps,
and its figures (seller, lines, tax per rate, totals, payments) are frozen, so printing it again
later gives the same invoice even if the order changed. Only placed orders that are not
cancelled are invoiced; issuing needs admin or order-processor rights, reading an issued
invoice only the right to read the order.")]
    Invoice(super::documents::InvoiceArgs),
}

/// `ordo order void`.
#[derive(Debug, Args)]
pub struct VoidArgs {
    /// Order id or reference.
    pub order: String,
    /// The gateway's reference of the release.
    #[arg(long = "ref", value_name = "EXT")]
    pub external_reference: Option<String>,
    /// Makes retries safe: the same key records once.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

/// `ordo order create`.
#[derive(Debug, Args)]
pub struct OrderCreateArgs {
    /// Customer id.
    #[arg(long, value_name = "ID")]
    pub customer: String,
    /// An item as SKU:QTY (repeatable, at least one).
    #[arg(long = "item", value_name = "SKU:QTY", required = true)]
    pub items: Vec<String>,
    /// Ship to this address instead of the customer's default:
    /// "recipient, street, [line 2,] city, postal code, country".
    #[arg(long, value_name = "ADDRESS")]
    pub ship_to: Option<String>,
    /// Shipping method: standard, express or pickup.
    #[arg(long, default_value = "standard")]
    pub shipping: String,
    /// Intended payment method: card, cash, bank-transfer or cod.
    #[arg(long, default_value = "card")]
    pub payment: String,
    /// A discount as LABEL:PERCENT (repeatable).
    #[arg(long = "discount", value_name = "LABEL:PERCENT")]
    pub discounts: Vec<String>,
    /// A note for the warehouse or the customer.
    #[arg(long, default_value = "")]
    pub note: String,
    /// Keep the order as a draft (no reference, no stock reserved).
    #[arg(long)]
    pub draft: bool,
    /// Makes retries safe: the same key and content return the first order.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

/// `ordo order list`.
#[derive(Debug, Args)]
pub struct OrderListArgs {
    /// Only this customer's orders (id).
    #[arg(long, value_name = "ID")]
    pub customer: Option<String>,
    /// Only customers whose name contains this text.
    #[arg(long, value_name = "TEXT", conflicts_with = "customer")]
    pub customer_name: Option<String>,
    /// Created on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Created on or before this day (YYYY-MM-DD, UTC; the whole day is included).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this status (draft, placed, confirmed, picking, packed, shipped, delivered,
    /// cancelled).
    #[arg(long)]
    pub status: Option<String>,
    /// Include archived orders.
    #[arg(long)]
    pub archived: bool,
    /// Oldest first (a work queue: e.g. `--status placed --oldest-first`).
    #[arg(long)]
    pub oldest_first: bool,
    /// Orders per page (1 to 500).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Continue from a previous page (the cursor printed under it).
    #[arg(long)]
    pub cursor: Option<String>,
}

/// `ordo order pay` and `ordo order refund`.
#[derive(Debug, Args)]
pub struct PaymentArgs {
    /// Order id or reference.
    pub order: String,
    /// Amount, e.g. "10.00 USD" (or "10.00" in the order's currency).
    #[arg(long, allow_hyphen_values = true)]
    pub amount: String,
    /// card, cash, bank-transfer or cod (default: the order's payment method).
    #[arg(long)]
    pub method: Option<String>,
    /// The gateway's or bank's reference.
    #[arg(long = "ref", value_name = "EXT")]
    pub external_reference: Option<String>,
    /// Makes retries safe: the same key and content record once.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}
