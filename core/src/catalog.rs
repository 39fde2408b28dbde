//! The catalog: products, their SKUs, media, specifications and price lists.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::ProductId;
use crate::money::Money;
use crate::shipment::Weight;
use crate::validate::{self, limits};

/// A stock-keeping unit: 2–32 characters of `A-Z`, `0-9`, `-`, `_`, `.`; stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    /// Parses and normalizes (upper-cases) a SKU.
    ///
    /// # Errors
    /// `Validation` if the SKU has the wrong length or characters.
    pub fn parse(text: &str) -> Result<Sku> {
        let upper = text.trim().to_ascii_uppercase();
        let len = upper.chars().count();
        if !(2..=32).contains(&len) {
            return Err(Error::invalid(
                "SKU",
                format!("{text:?} must be 2 to 32 characters"),
            ));
        }
        let ok_char =
            |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.');
        if !upper.chars().all(ok_char) || !upper.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(Error::invalid(
                "SKU",
                format!(
                    "{text:?} may contain only letters, digits, '-', '_' and '.', starting with a letter or digit"
                ),
            ));
        }
        Ok(Sku(upper))
    }

    /// The SKU text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks an order-line quantity for this SKU (1..=10 000); the error names the SKU,
    /// e.g. `quantity for SKU TEE-RED-M must be at least 1`.
    ///
    /// # Errors
    /// `Validation`.
    pub fn quantity(&self, value: i64) -> Result<u32> {
        if (1..=i64::from(limits::MAX_QUANTITY)).contains(&value) {
            return u32::try_from(value).map_err(|_| Error::invalid("quantity", "is too large"));
        }
        // Format the field name only on the error path.
        validate::quantity(&format!("quantity for SKU {self}"), value)
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Sku {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Sku::parse(&value)
    }
}

impl From<Sku> for String {
    fn from(value: Sku) -> Self {
        value.0
    }
}

/// The customer groups that have their own price list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
// Lower-case words on the wire; bincode stores the variant index, so names are free.
#[serde(rename_all = "snake_case")]
pub enum PriceGroup {
    /// Consumers (B2C): retail prices.
    Retail,
    /// Business customers (B2B): wholesale prices.
    Wholesale,
}

impl PriceGroup {
    /// Parses `retail`/`b2c` or `wholesale`/`b2b`.
    ///
    /// # Errors
    /// `Validation` for anything else.
    pub fn parse(text: &str) -> Result<PriceGroup> {
        match text.trim().to_ascii_lowercase().as_str() {
            "retail" | "b2c" => Ok(PriceGroup::Retail),
            "wholesale" | "b2b" => Ok(PriceGroup::Wholesale),
            _ => Err(Error::invalid(
                "price group",
                format!("{text:?} must be retail or wholesale"),
            )),
        }
    }
}

impl fmt::Display for PriceGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PriceGroup::Retail => "retail",
            PriceGroup::Wholesale => "wholesale",
        })
    }
}

/// Which tax rate applies to a product (rates are engine configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
// Lower-case words on the wire; bincode stores the variant index, so names are free.
#[serde(rename_all = "snake_case")]
pub enum TaxCategory {
    /// The standard rate.
    Standard,
    /// The reduced rate (e.g. food, books).
    Reduced,
    /// Zero-rated.
    Zero,
}

impl TaxCategory {
    /// Parses `standard`, `reduced` or `zero`.
    ///
    /// # Errors
    /// `Validation` for anything else.
    pub fn parse(text: &str) -> Result<TaxCategory> {
        match text.trim().to_ascii_lowercase().as_str() {
            "standard" => Ok(TaxCategory::Standard),
            "reduced" => Ok(TaxCategory::Reduced),
            "zero" => Ok(TaxCategory::Zero),
            _ => Err(Error::invalid(
                "tax category",
                format!("{text:?} must be standard, reduced or zero"),
            )),
        }
    }
}

impl fmt::Display for TaxCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaxCategory::Standard => "standard",
            TaxCategory::Reduced => "reduced",
            TaxCategory::Zero => "zero",
        })
    }
}

/// What to do when an order asks for more than is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
// Lower-case words on the wire; bincode stores the variant index, so names are free.
#[serde(rename_all = "snake_case")]
pub enum BackorderPolicy {
    /// Refuse the order line (the default: never oversell).
    #[default]
    Deny,
    /// Accept it; the missing units are backordered until restocked.
    Allow,
}

/// A quantity-break tier: from `min_quantity` units on, each costs `unit_price`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceTier {
    /// Smallest quantity this tier applies to (≥ 1).
    pub min_quantity: u32,
    /// Price of one unit in this tier.
    pub unit_price: Money,
}

/// A price list for one customer group: tiers sorted by `min_quantity`, the first at 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    group: PriceGroup,
    tiers: Vec<PriceTier>,
}

impl PriceList {
    /// A checked price list: tiers non-empty, distinct quantities, first tier at 1, one
    /// currency, no negative prices. Tiers are sorted.
    ///
    /// # Errors
    /// `Validation` describing the broken rule.
    pub fn new(group: PriceGroup, mut tiers: Vec<PriceTier>) -> Result<PriceList> {
        let field = format!("{group} price list");
        tiers.sort_by_key(|t| t.min_quantity);
        let first = tiers
            .first()
            .ok_or_else(|| Error::invalid(&field, "needs at least one price"))?;
        if first.min_quantity != 1 {
            return Err(Error::invalid(&field, "must start at quantity 1"));
        }
        if tiers.len() > limits::MAX_TIERS {
            return Err(Error::invalid(
                &field,
                format!("may have at most {} tiers", limits::MAX_TIERS),
            ));
        }
        let currency = first.unit_price.currency();
        for pair in tiers.windows(2) {
            if let [a, b] = pair
                && a.min_quantity == b.min_quantity
            {
                return Err(Error::invalid(
                    &field,
                    "has two tiers for the same quantity",
                ));
            }
        }
        for tier in &tiers {
            if tier.unit_price.currency() != currency {
                return Err(Error::CurrencyMismatch {
                    expected: currency,
                    found: tier.unit_price.currency(),
                });
            }
            if tier.unit_price.is_negative() {
                return Err(Error::invalid(&field, "must not have negative prices"));
            }
        }
        Ok(PriceList { group, tiers })
    }

    /// The group this list is for.
    pub fn group(&self) -> PriceGroup {
        self.group
    }

    /// The tiers, sorted by quantity.
    pub fn tiers(&self) -> &[PriceTier] {
        &self.tiers
    }

    /// The unit price for `quantity`: the tier with the largest `min_quantity ≤ quantity`.
    pub fn unit_price(&self, quantity: u32) -> Option<Money> {
        self.tiers
            .iter()
            .rev()
            .find(|t| t.min_quantity <= quantity)
            .map(|t| t.unit_price)
    }
}

/// Photo or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
// Lower-case words on the wire; bincode stores the variant index, so names are free.
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A still image.
    Photo,
    /// A video.
    Video,
}

/// A photo or video of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// Photo or video.
    pub kind: MediaKind,
    /// Where it is (http or https).
    pub url: String,
    /// Caption shown with it.
    pub caption: String,
}

/// A product as stored. Built only through [`Product::create`] and [`ProductDraft`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    id: ProductId,
    created_at: Timestamp,
    details: ProductDraft,
}

/// The longest side a product may have: 10 m, in millimetres.
pub const MAX_SIDE_MM: u32 = 10_000;

/// A product's packed size: length × width × height in whole millimetres (no floats:
/// `30.5` cm is 305 mm), each side 1 mm to [`MAX_SIDE_MM`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dimensions {
    length_mm: u32,
    width_mm: u32,
    height_mm: u32,
}

impl Dimensions {
    /// Parses `L x W x H` in centimetres with up to one decimal (`30x20x10`,
    /// `30.5 × 20 × 1.5`; `x`, `X` or `×` between the sides).
    ///
    /// # Errors
    /// `Validation` (field `dimensions`) for anything else or a side out of range.
    pub fn parse_cm(text: &str) -> Result<Dimensions> {
        let invalid = || {
            Error::invalid(
                "dimensions",
                format!("{text:?} is not L x W x H in cm (e.g. 30x20x10, one decimal at most)"),
            )
        };
        let sides = text
            .split(['x', 'X', '×'])
            .map(|side| {
                let cm: rust_decimal::Decimal = side.trim().parse().map_err(|_| invalid())?;
                if cm.scale() > 1 || cm.is_sign_negative() {
                    return Err(invalid());
                }
                let mm = (cm * rust_decimal::Decimal::TEN).trunc();
                let mm = u32::try_from(mm.mantissa() / 10_i128.pow(mm.scale()))
                    .map_err(|_| invalid())?;
                if (1..=MAX_SIDE_MM).contains(&mm) {
                    Ok(mm)
                } else {
                    Err(Error::invalid(
                        "dimensions",
                        format!("each side must be between 0.1 and {} cm", MAX_SIDE_MM / 10),
                    ))
                }
            })
            .collect::<Result<Vec<u32>>>()?;
        match sides[..] {
            [length_mm, width_mm, height_mm] => Ok(Dimensions {
                length_mm,
                width_mm,
                height_mm,
            }),
            _ => Err(invalid()),
        }
    }

    /// Length, width and height in millimetres.
    pub fn millimetres(self) -> [u32; 3] {
        [self.length_mm, self.width_mm, self.height_mm]
    }

    /// `30x20x10.5`: centimetres, as [`Dimensions::parse_cm`] reads them.
    pub fn to_cm_text(self) -> String {
        let cm = |mm: u32| rust_decimal::Decimal::new(i64::from(mm), 1).normalize();
        format!(
            "{}x{}x{}",
            cm(self.length_mm),
            cm(self.width_mm),
            cm(self.height_mm)
        )
    }
}

impl fmt::Display for Dimensions {
    /// `30 × 20 × 10.5 cm`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cm = |mm: u32| rust_decimal::Decimal::new(i64::from(mm), 1).normalize();
        write!(
            f,
            "{} × {} × {} cm",
            cm(self.length_mm),
            cm(self.width_mm),
            cm(self.height_mm)
        )
    }
}

/// Everything about a product that a clerk can set, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDraft {
    pub(crate) sku: Sku,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) specifications: Vec<(String, String)>,
    pub(crate) media: Vec<Media>,
    pub(crate) active: bool,
    pub(crate) tax_category: TaxCategory,
    pub(crate) base_price: Money,
    pub(crate) price_lists: Vec<PriceList>,
    pub(crate) backorder: BackorderPolicy,
    pub(crate) weight: Option<Weight>,
    pub(crate) dimensions: Option<Dimensions>,
}

/// A product on the wire is on sale unless it says otherwise.
fn on_sale() -> bool {
    true
}

/// Unchecked product input, as adapters collect it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInput {
    /// SKU text.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Longer description (may be empty).
    #[serde(default)]
    pub description: String,
    /// Ordered key/value specifications (e.g. ("Material", "Cotton")).
    #[serde(default)]
    pub specifications: Vec<(String, String)>,
    /// Photos and videos.
    #[serde(default)]
    pub media: Vec<Media>,
    /// Whether the product can be ordered.
    #[serde(default = "on_sale")]
    pub active: bool,
    /// Tax category.
    pub tax_category: TaxCategory,
    /// Price when no price list applies.
    pub base_price: Money,
    /// Price lists per customer group.
    #[serde(default)]
    pub price_lists: Vec<PriceList>,
    /// Backorder policy.
    #[serde(default)]
    pub backorder: BackorderPolicy,
    /// Shipping weight in kg with up to three decimals (`0.29`), if known.
    #[serde(default)]
    pub weight_kg: Option<String>,
    /// Packed size `L x W x H` in cm with up to one decimal (`30x20x10`), if known.
    #[serde(default)]
    pub dimensions_cm: Option<String>,
}

impl ProductDraft {
    /// Checks every field of `input`.
    ///
    /// # Errors
    /// `Validation` naming the first bad field.
    pub fn parse(input: ProductInput) -> Result<ProductDraft> {
        let sku = Sku::parse(&input.sku)?;
        let name = validate::required_text("product name", &input.name, limits::MAX_NAME_CHARS)?;
        let description =
            validate::multiline_text("description", &input.description, limits::MAX_TEXT_CHARS)?;
        if input.specifications.len() > limits::MAX_LIST_ITEMS {
            return Err(Error::invalid(
                "specifications",
                format!("may have at most {} entries", limits::MAX_LIST_ITEMS),
            ));
        }
        let specifications = input
            .specifications
            .iter()
            .map(|(k, v)| {
                Ok((
                    validate::required_text("specification name", k, limits::MAX_NAME_CHARS)?,
                    validate::required_text(
                        &format!("specification {k}"),
                        v,
                        limits::MAX_NAME_CHARS,
                    )?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        if input.media.len() > limits::MAX_LIST_ITEMS {
            return Err(Error::invalid(
                "media",
                format!("may have at most {} items", limits::MAX_LIST_ITEMS),
            ));
        }
        let media = input
            .media
            .iter()
            .map(|m| {
                Ok(Media {
                    kind: m.kind,
                    url: validate::url("media URL", &m.url)?,
                    caption: validate::optional_text(
                        "media caption",
                        &m.caption,
                        limits::MAX_NAME_CHARS,
                    )?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if input.base_price.is_negative() {
            return Err(Error::invalid("base price", "must not be negative"));
        }
        let currency = input.base_price.currency();
        let mut groups = Vec::new();
        for list in &input.price_lists {
            if groups.contains(&list.group()) {
                return Err(Error::invalid(
                    "price lists",
                    format!("has two lists for {}", list.group()),
                ));
            }
            groups.push(list.group());
            if let Some(tier) = list
                .tiers()
                .iter()
                .find(|t| t.unit_price.currency() != currency)
            {
                return Err(Error::CurrencyMismatch {
                    expected: currency,
                    found: tier.unit_price.currency(),
                });
            }
        }
        let weight = input
            .weight_kg
            .as_deref()
            .filter(|w| !w.trim().is_empty())
            .map(Weight::parse_kg)
            .transpose()?;
        let dimensions = input
            .dimensions_cm
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(Dimensions::parse_cm)
            .transpose()?;
        Ok(ProductDraft {
            sku,
            name,
            description,
            specifications,
            media,
            active: input.active,
            tax_category: input.tax_category,
            base_price: input.base_price,
            price_lists: input.price_lists,
            backorder: input.backorder,
            weight,
            dimensions,
        })
    }

    /// The SKU.
    pub fn sku(&self) -> &Sku {
        &self.sku
    }

    /// Back to editable input (for updates that change a few fields).
    pub fn to_input(&self) -> ProductInput {
        ProductInput {
            sku: self.sku.to_string(),
            name: self.name.clone(),
            description: self.description.clone(),
            specifications: self.specifications.clone(),
            media: self.media.clone(),
            active: self.active,
            tax_category: self.tax_category,
            base_price: self.base_price,
            price_lists: self.price_lists.clone(),
            backorder: self.backorder,
            weight_kg: self.weight.map(|w| w.kg().to_string()),
            dimensions_cm: self.dimensions.map(Dimensions::to_cm_text),
        }
    }
}

impl Product {
    /// A new product with a store-assigned id.
    pub fn create(id: ProductId, created_at: Timestamp, details: ProductDraft) -> Product {
        Product {
            id,
            created_at,
            details,
        }
    }

    /// The same product with new details (the id, SKU-uniqueness and creation time are kept
    /// by the engine).
    pub fn with_details(&self, details: ProductDraft) -> Product {
        Product {
            id: self.id,
            created_at: self.created_at,
            details,
        }
    }

    /// The product's id.
    pub fn id(&self) -> ProductId {
        self.id
    }
    /// When it was created.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    /// All editable details.
    pub fn details(&self) -> &ProductDraft {
        &self.details
    }
    /// The SKU.
    pub fn sku(&self) -> &Sku {
        &self.details.sku
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.details.name
    }
    /// Description.
    pub fn description(&self) -> &str {
        &self.details.description
    }
    /// Specifications in the order given.
    pub fn specifications(&self) -> &[(String, String)] {
        &self.details.specifications
    }
    /// Photos and videos.
    pub fn media(&self) -> &[Media] {
        &self.details.media
    }
    /// Whether it can be ordered.
    pub fn is_active(&self) -> bool {
        self.details.active
    }
    /// Tax category.
    pub fn tax_category(&self) -> TaxCategory {
        self.details.tax_category
    }
    /// Price when no list applies.
    pub fn base_price(&self) -> Money {
        self.details.base_price
    }
    /// Price lists per group.
    pub fn price_lists(&self) -> &[PriceList] {
        &self.details.price_lists
    }
    /// Backorder policy.
    pub fn backorder(&self) -> BackorderPolicy {
        self.details.backorder
    }
    /// Shipping weight, if known.
    pub fn weight(&self) -> Option<Weight> {
        self.details.weight
    }
    /// Packed size, if known.
    pub fn dimensions(&self) -> Option<Dimensions> {
        self.details.dimensions
    }

    /// The unit price a customer of `group` pays for `quantity` units: the group's price list
    /// tier for the quantity, else the base price.
    pub fn unit_price(&self, group: PriceGroup, quantity: u32) -> Money {
        self.details
            .price_lists
            .iter()
            .find(|l| l.group() == group)
            .and_then(|l| l.unit_price(quantity))
            .unwrap_or(self.details.base_price)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;

    pub(crate) fn usd(amount: rust_decimal::Decimal) -> Money {
        Money::new(amount, Currency::USD).unwrap()
    }

    pub(crate) fn input(sku: &str) -> ProductInput {
        ProductInput {
            sku: sku.into(),
            name: "Tee".into(),
            description: String::new(),
            specifications: vec![("Material".into(), "Cotton".into())],
            media: vec![Media {
                kind: MediaKind::Photo,
                url: "https://cdn.example.com/tee.jpg".into(),
                caption: "front".into(),
            }],
            active: true,
            tax_category: TaxCategory::Standard,
            base_price: usd(dec!(20)),
            price_lists: vec![
                PriceList::new(
                    PriceGroup::Wholesale,
                    vec![
                        PriceTier {
                            min_quantity: 1,
                            unit_price: usd(dec!(15)),
                        },
                        PriceTier {
                            min_quantity: 10,
                            unit_price: usd(dec!(12)),
                        },
                        PriceTier {
                            min_quantity: 100,
                            unit_price: usd(dec!(10)),
                        },
                    ],
                )
                .unwrap(),
            ],
            backorder: BackorderPolicy::Deny,
            weight_kg: None,
            dimensions_cm: None,
        }
    }

    #[test]
    fn weight_and_dimensions_are_optional_checked_and_read_back() {
        let plain = ProductDraft::parse(input("TEE")).unwrap();
        assert_eq!((plain.weight, plain.dimensions), (None, None));
        let mut given = input("TEE");
        given.weight_kg = Some("0.29".into());
        given.dimensions_cm = Some("30.5 x 20X1.5".into());
        let draft = ProductDraft::parse(given).unwrap();
        let product = Product::create(ProductId(1), Timestamp(0), draft.clone());
        assert_eq!(product.weight().unwrap().grams(), 290);
        assert_eq!(product.dimensions().unwrap().millimetres(), [305, 200, 15]);
        assert_eq!(
            product.dimensions().unwrap().to_string(),
            "30.5 × 20 × 1.5 cm"
        );
        // What `to_input` gives back parses to the same draft.
        assert_eq!(ProductDraft::parse(draft.to_input()).unwrap(), draft);
        // An empty text means none.
        let mut cleared = draft.to_input();
        cleared.weight_kg = Some(String::new());
        cleared.dimensions_cm = Some(" ".into());
        let cleared = ProductDraft::parse(cleared).unwrap();
        assert_eq!((cleared.weight, cleared.dimensions), (None, None));
        for bad in [
            "30x20",
            "30x20x10x5",
            "0x20x10",
            "30.55x20x10",
            "-3x2x1",
            "axbxc",
            "1001x1x1",
        ] {
            let mut input = input("TEE");
            input.dimensions_cm = Some(bad.into());
            let error = ProductDraft::parse(input).unwrap_err();
            assert_eq!(error.field(), Some("dimensions"), "{bad}");
        }
        let mut heavy = input("TEE");
        heavy.weight_kg = Some("1000.5".into());
        assert_eq!(
            ProductDraft::parse(heavy).unwrap_err().field(),
            Some("weight")
        );
    }

    #[test]
    fn sku_rules() {
        assert_eq!(Sku::parse(" tee-red-m ").unwrap().as_str(), "TEE-RED-M");
        assert!(Sku::parse("a").is_err());
        assert!(Sku::parse("-ABC").is_err());
        assert!(Sku::parse("AB CD").is_err());
        assert!(Sku::parse(&"A".repeat(33)).is_err());
    }

    #[test]
    fn pricing_picks_group_and_tier() {
        let p = Product::create(
            ProductId(1),
            Timestamp(0),
            ProductDraft::parse(input("TEE")).unwrap(),
        );
        assert_eq!(p.unit_price(PriceGroup::Retail, 500), usd(dec!(20)));
        assert_eq!(p.unit_price(PriceGroup::Wholesale, 1), usd(dec!(15)));
        assert_eq!(p.unit_price(PriceGroup::Wholesale, 9), usd(dec!(15)));
        assert_eq!(p.unit_price(PriceGroup::Wholesale, 10), usd(dec!(12)));
        assert_eq!(p.unit_price(PriceGroup::Wholesale, 250), usd(dec!(10)));
    }

    #[test]
    fn price_list_rules() {
        let t = |q, a| PriceTier {
            min_quantity: q,
            unit_price: usd(a),
        };
        assert!(PriceList::new(PriceGroup::Retail, vec![]).is_err());
        assert!(PriceList::new(PriceGroup::Retail, vec![t(2, dec!(1))]).is_err());
        assert!(PriceList::new(PriceGroup::Retail, vec![t(1, dec!(1)), t(1, dec!(2))]).is_err());
        assert!(PriceList::new(PriceGroup::Retail, vec![t(1, dec!(-1))]).is_err());
        let eur = Money::new(dec!(1), Currency::EUR).unwrap();
        let mixed = vec![
            t(1, dec!(1)),
            PriceTier {
                min_quantity: 5,
                unit_price: eur,
            },
        ];
        assert!(matches!(
            PriceList::new(PriceGroup::Retail, mixed),
            Err(Error::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn product_rules() {
        let mut bad = input("TEE");
        bad.name = " ".into();
        assert!(ProductDraft::parse(bad).is_err());
        let mut bad = input("TEE");
        bad.media[0].url = "javascript:alert(1)".into();
        assert!(ProductDraft::parse(bad).is_err());
        let mut bad = input("TEE");
        bad.base_price = Money::new(dec!(20), Currency::EUR).unwrap();
        assert!(matches!(
            ProductDraft::parse(bad),
            Err(Error::CurrencyMismatch { .. })
        ));
        let mut bad = input("TEE");
        bad.price_lists.push(bad.price_lists[0].clone());
        assert!(ProductDraft::parse(bad).is_err());
    }
}
