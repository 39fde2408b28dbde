//! The JSON shape of the store's settings (`ordo settings show`): pricing and the seller.

use std::collections::BTreeMap;

use ordo_core::catalog::TaxCategory;
use ordo_core::pricing::PricingSettings;
use ordo_core::seller::Seller;
use serde::{Deserialize, Serialize};

use super::amount;

/// The store's pricing settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    /// Tax rate per category as a fraction (`"0.2"` = 20 %): `standard`, `reduced`, `zero`.
    pub tax: BTreeMap<String, String>,
    /// Shipping fees per method and currency (pickup is always free).
    pub shipping: Vec<ShippingFeeView>,
    /// How tax is rounded: `half-even` or `half-up`.
    pub rounding: String,
    /// Every setting by name as `ordo settings set` takes it, with its value as people read
    /// it (`tax.standard` → `20%`).
    pub settings: BTreeMap<String, String>,
    /// Who sells, as invoices and labels print it; absent until `seller.*` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<SellerView>,
}

/// The seller's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerView {
    /// The name (may be empty when only other parts are set).
    pub name: String,
    /// Address lines.
    pub address: Vec<String>,
    /// Tax id (VAT number); empty when not set.
    pub tax_id: String,
    /// An email address or phone number; empty when not set.
    pub contact: String,
}

impl SellerView {
    /// The view of `seller`, or `None` when nothing is set.
    pub fn of(seller: &Seller) -> Option<SellerView> {
        (!seller.is_empty()).then(|| SellerView {
            name: seller.name().to_string(),
            address: seller.address().to_vec(),
            tax_id: seller.tax_id().to_string(),
            contact: seller.contact().to_string(),
        })
    }
}

/// One shipping fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingFeeView {
    /// `standard` or `express`.
    pub method: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The fee, a decimal string such as `"5.00"`.
    pub fee: String,
}

impl SettingsView {
    /// The view of `settings`.
    pub fn new(settings: &PricingSettings) -> SettingsView {
        let tax = [
            TaxCategory::Standard,
            TaxCategory::Reduced,
            TaxCategory::Zero,
        ]
        .into_iter()
        .map(|category| {
            let rate = settings.tax_rates().rate(category).normalize();
            (category.to_string(), rate.to_string())
        })
        .collect();
        let shipping = settings
            .shipping_rates()
            .fees()
            .into_iter()
            .map(|(method, fee)| ShippingFeeView {
                method: method.to_string(),
                currency: fee.currency().to_string(),
                fee: amount(&fee),
            })
            .collect();
        SettingsView {
            tax,
            shipping,
            rounding: settings.tax_rounding().to_string(),
            settings: settings.fields().into_iter().collect(),
            seller: SellerView::of(settings.seller()),
        }
    }
}
