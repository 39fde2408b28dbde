//! The JSON shape of a return (`return.*`, `ordo return show|list`).

use ordo_core::returns::{Inspection, Return};
use serde::{Deserialize, Serialize};

use super::amount;

/// A return: units of a delivered order coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnView {
    /// Return id.
    pub id: u64,
    /// The order.
    pub order_id: u64,
    /// Its number among the order's returns, from 1.
    pub number: u32,
    /// The order's customer.
    pub customer_id: u64,
    /// `requested`, `approved`, `refused`, `received`, `refunded` or `exchanged`.
    pub status: String,
    /// The units coming back.
    pub lines: Vec<ReturnLineView>,
    /// What the units were paid: the most a refund or a replacement may be worth.
    pub refund_limit: String,
    /// The refund, once refunded.
    pub refunded: Option<String>,
    /// ISO 4217 code of the amounts.
    pub currency: String,
    /// How each unit was found on receipt.
    pub inspections: Vec<InspectionView>,
    /// Units sent instead of a refund.
    pub replacements: Vec<ReplacementView>,
    /// The replacement's carrier and tracking number.
    pub replacement_carrier: Option<String>,
    /// The replacement's tracking number.
    pub replacement_tracking_number: Option<String>,
    /// Why it was refused.
    pub refusal_reason: Option<String>,
    /// Every status with its time.
    pub history: Vec<ReturnStepView>,
    /// When it was opened.
    pub created_at: String,
}

/// Units of one order line coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineView {
    /// SKU.
    pub sku: String,
    /// Product name on the order.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// The customer's reason.
    pub reason: String,
}

/// Units inspected alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionView {
    /// SKU.
    pub sku: String,
    /// Units.
    pub quantity: u32,
    /// `restocked` or `written_off`.
    pub outcome: String,
    /// The warehouse they were restocked into.
    pub warehouse: Option<String>,
    /// Why they were written off.
    pub reason: Option<String>,
}

/// Units sent as a replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacementView {
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// Where they were taken from.
    pub warehouse: String,
    /// Their value at the customer's prices with tax.
    pub value: String,
}

/// One status of a return's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnStepView {
    /// The status.
    pub status: String,
    /// Since when.
    pub at: String,
}

impl ReturnView {
    /// The view of `ret`.
    pub fn new(ret: &Return) -> ReturnView {
        ReturnView {
            id: ret.id().get(),
            order_id: ret.order().get(),
            number: ret.number(),
            customer_id: ret.customer().get(),
            status: ret.status().to_string(),
            lines: ret
                .lines()
                .iter()
                .map(|l| ReturnLineView {
                    sku: l.sku.to_string(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                    reason: l.reason.clone(),
                })
                .collect(),
            refund_limit: amount(&ret.refund_limit()),
            refunded: ret.refunded().map(|m| amount(&m)),
            currency: ret.currency().to_string(),
            inspections: ret
                .inspections()
                .iter()
                .map(|i| {
                    let (outcome, warehouse, reason) = match &i.outcome {
                        Inspection::Restocked { warehouse } => {
                            ("restocked", Some(warehouse.to_string()), None)
                        }
                        Inspection::WrittenOff { reason } => {
                            ("written_off", None, Some(reason.clone()))
                        }
                    };
                    InspectionView {
                        sku: i.sku.to_string(),
                        quantity: i.quantity,
                        outcome: outcome.to_string(),
                        warehouse,
                        reason,
                    }
                })
                .collect(),
            replacements: ret
                .replacements()
                .iter()
                .map(|r| ReplacementView {
                    sku: r.sku.to_string(),
                    name: r.name.clone(),
                    quantity: r.quantity,
                    warehouse: r.warehouse.to_string(),
                    value: amount(&r.value),
                })
                .collect(),
            replacement_carrier: ret.parcel().map(|p| p.carrier.to_string()),
            replacement_tracking_number: ret.parcel().map(|p| p.tracking.to_string()),
            refusal_reason: ret.refusal_reason().map(ToString::to_string),
            history: ret
                .history()
                .iter()
                .map(|(status, at)| ReturnStepView {
                    status: status.to_string(),
                    at: at.to_string(),
                })
                .collect(),
            created_at: ret.created_at().to_string(),
        }
    }
}
