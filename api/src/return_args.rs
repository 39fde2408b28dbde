//! Arguments of the `return.*` ops (kept beside `request.rs`, which lists them): wire
//! types, parsed into domain types by `dispatch::returns`.

use ordo_core::money::Money;
use serde::{Deserialize, Serialize};

use crate::request::{CustomerKey, OrderKey};

/// Units of one SKU coming back, with the customer's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineArgs {
    /// The SKU on the order.
    pub sku: String,
    /// Units.
    pub quantity: u32,
    /// Why (required).
    pub reason: String,
}

/// `return.open`: units of a delivered order coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnOpen {
    /// Which order.
    pub order: OrderKey,
    /// At least one line.
    pub lines: Vec<ReturnLineArgs>,
}

/// `return.approve`, `return.show`: which return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnReturn {
    /// The return id.
    pub id: u64,
}

/// `return.refuse`: which return, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnRefuse {
    /// The return id.
    pub id: u64,
    /// Why (required).
    pub reason: String,
}

/// Units restocked into a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestockArgs {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: u32,
    /// Where they go back on the shelf.
    pub warehouse: String,
}

/// Units written off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteOffArgs {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: u32,
    /// Why (required).
    pub reason: String,
}

/// `return.receive`: every unit of the return, restocked or written off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnReceive {
    /// The return id.
    pub id: u64,
    /// Resellable units and their warehouse.
    #[serde(default)]
    pub restock: Vec<RestockArgs>,
    /// Damaged units and why.
    #[serde(default)]
    pub write_off: Vec<WriteOffArgs>,
}

/// `return.refund`: money back for a received return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnRefundArgs {
    /// The return id.
    pub id: u64,
    /// Amount; absent: what the units were paid (capped by what the order can refund).
    #[serde(default)]
    pub amount: Option<Money>,
    /// `card`, `cash`, `bank-transfer` or `cod`; absent: the order's payment method.
    #[serde(default)]
    pub method: Option<String>,
    /// Bank or gateway reference.
    #[serde(default)]
    pub external_reference: String,
}

/// Units of one SKU sent as a replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeLineArgs {
    /// The SKU (any product).
    pub sku: String,
    /// Units.
    pub quantity: u32,
}

/// `return.exchange`: a replacement shipped instead of a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnExchange {
    /// The return id.
    pub id: u64,
    /// At least one line.
    pub lines: Vec<ExchangeLineArgs>,
    /// The warehouse to take them from (default: the one with the most available).
    #[serde(default)]
    pub warehouse: Option<String>,
    /// The carrier.
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
}

/// `return.list`: filters and paging (returns in opening order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ReturnList {
    /// `requested`, `approved`, `refused`, `received`, `refunded` or `exchanged`.
    pub status: Option<String>,
    /// Only this order's returns.
    pub order: Option<OrderKey>,
    /// Only this customer's returns.
    pub customer: Option<CustomerKey>,
    /// Page size (default 50, at most 500).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}
