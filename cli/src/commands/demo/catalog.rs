//! The demo catalog: about fifty clothing, home and electronics products with
//! specifications, photos, videos, retail prices and wholesale quantity tiers.

use ordo_core::catalog::{
    BackorderPolicy, Media, MediaKind, PriceGroup, PriceList, PriceTier, ProductInput, TaxCategory,
};
use ordo_core::money::{Currency, Money};
use rust_decimal::Decimal;

/// The SKU whose presence means the demo has already run (the first product created).
pub const MARKER_SKU: &str = "TEE-CLASSIC-BLK-S";

/// The demo shop's seller details, as `ordo settings set` takes them.
pub const SELLER: [&str; 4] = [
    "seller.name=Ordo Demo Outfitters Ltd",
    "seller.address=12 Harbour Road; Bristol BS1 5TY; United Kingdom",
    "seller.tax_id=GB987654321",
    "seller.contact=orders@ordo-demo.example",
];

/// The demo's warehouses: (code, units received per product at the start).
pub const WAREHOUSES: [(&str, u64); 2] = [("MAIN", 3_000), ("EAST", 3_000)];

/// The discontinued product: in the catalog, but not orderable.
pub const DISCONTINUED_SKU: &str = "LIGHT-STRIP-5M";

/// Which part of the shop a product belongs to (drives specifications and media).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Department {
    Clothing,
    Home,
    Electronics,
}

/// One catalog entry before it becomes a [`ProductInput`].
struct Entry {
    sku: String,
    name: String,
    cents: i64,
    department: Department,
    tax: TaxCategory,
    specifications: Vec<(String, String)>,
}

/// Every demo product, [`MARKER_SKU`] first.
///
/// # Errors
/// Only if a price table above breaks a price-list rule (a bug in this module).
pub fn products() -> ordo_core::Result<Vec<ProductInput>> {
    let mut entries = clothing();
    entries.extend(home());
    entries.extend(electronics());
    entries.into_iter().map(input).collect()
}

/// A garment family: every colour in every size is its own product (SKU `STEM-COLOUR-SIZE`).
struct Family {
    stem: &'static str,
    name: &'static str,
    size_prefix: &'static str,
    cents: i64,
    specs: &'static [(&'static str, &'static str)],
    colours: &'static [(&'static str, &'static str)],
    sizes: &'static [&'static str],
}

const FAMILIES: [Family; 6] = [
    Family {
        stem: "TEE-CLASSIC",
        name: "Classic organic tee",
        size_prefix: "",
        cents: 1990,
        specs: &[
            ("Material", "100% organic cotton, 180 g/m²"),
            ("Fit", "Regular"),
        ],
        colours: &[("BLK", "black"), ("WHT", "white"), ("RED", "brick red")],
        sizes: &["S", "M", "L"],
    },
    Family {
        stem: "HOODIE",
        name: "Loopback hoodie",
        size_prefix: "",
        cents: 5400,
        specs: &[
            ("Material", "80% cotton, 20% recycled polyester"),
            ("Fit", "Relaxed"),
        ],
        colours: &[("GRY", "heather grey"), ("NVY", "navy")],
        sizes: &["M", "L"],
    },
    Family {
        stem: "CHINO",
        name: "Stretch chinos",
        size_prefix: "W",
        cents: 6490,
        specs: &[("Material", "98% cotton, 2% elastane"), ("Leg", "Tapered")],
        colours: &[("SND", "sand"), ("OLV", "olive")],
        sizes: &["32", "34"],
    },
    Family {
        stem: "SOCK-WOOL",
        name: "Merino hiking socks, 3 pairs",
        size_prefix: "",
        cents: 1850,
        specs: &[("Material", "70% merino wool"), ("Pack", "3 pairs")],
        colours: &[("3PK", "charcoal")],
        sizes: &["One size"],
    },
    Family {
        stem: "BEANIE",
        name: "Ribbed merino beanie",
        size_prefix: "",
        cents: 2400,
        specs: &[("Material", "100% merino wool")],
        colours: &[("MERINO", "rust")],
        sizes: &["One size"],
    },
    Family {
        stem: "JACKET",
        name: "Packable rain jacket",
        size_prefix: "",
        cents: 12900,
        specs: &[
            ("Material", "Recycled nylon, 10k waterproof"),
            ("Weight", "290 g"),
        ],
        colours: &[("RAIN", "forest green")],
        sizes: &["M"],
    },
];

fn clothing() -> Vec<Entry> {
    let mut entries = Vec::new();
    for family in &FAMILIES {
        for (code, colour) in family.colours {
            for size in family.sizes {
                // A family of one colour in one size is a single product: no size suffix.
                let (sku, name) = if family.colours.len() == 1 && family.sizes.len() == 1 {
                    (format!("{}-{code}", family.stem), family.name.to_string())
                } else {
                    (
                        format!("{}-{code}-{size}", family.stem),
                        format!("{}, {colour}, {}{size}", family.name, family.size_prefix),
                    )
                };
                entries.push(garment(
                    &sku,
                    &name,
                    family.cents,
                    family.specs,
                    colour,
                    size,
                ));
            }
        }
    }
    entries
}

/// A non-clothing catalog row: SKU, name, price in cents, tax, specifications.
type Row = (
    &'static str,
    &'static str,
    i64,
    TaxCategory,
    &'static [(&'static str, &'static str)],
);

const HOME: [Row; 16] = [
    (
        "MUG-STONE-350",
        "Stoneware mug, 350 ml",
        1250,
        TaxCategory::Standard,
        &[
            ("Material", "Stoneware"),
            ("Capacity", "350 ml"),
            ("Dishwasher safe", "Yes"),
        ],
    ),
    (
        "FRENCH-PRESS-1L",
        "Glass French press, 1 l",
        3490,
        TaxCategory::Standard,
        &[
            ("Material", "Borosilicate glass, steel"),
            ("Capacity", "1 l"),
        ],
    ),
    (
        "TOWEL-LINEN-2PK",
        "Linen tea towels, set of 2",
        2200,
        TaxCategory::Standard,
        &[("Material", "100% linen"), ("Size", "50 × 70 cm")],
    ),
    (
        "SKILLET-CAST-26",
        "Cast-iron skillet, 26 cm",
        4490,
        TaxCategory::Standard,
        &[
            ("Material", "Pre-seasoned cast iron"),
            ("Diameter", "26 cm"),
            ("Induction", "Yes"),
        ],
    ),
    (
        "THROW-WOOL",
        "Wool throw blanket",
        7900,
        TaxCategory::Standard,
        &[("Material", "100% lambswool"), ("Size", "130 × 180 cm")],
    ),
    (
        "CANDLE-CEDAR",
        "Cedar & amber candle",
        1690,
        TaxCategory::Standard,
        &[("Wax", "Soy"), ("Burn time", "45 h")],
    ),
    (
        "VASE-CERAMIC-M",
        "Ceramic vase, medium",
        2950,
        TaxCategory::Standard,
        &[("Material", "Glazed ceramic"), ("Height", "24 cm")],
    ),
    (
        "BATH-TOWEL-GRY",
        "Bath towel, grey",
        2490,
        TaxCategory::Standard,
        &[
            ("Material", "Organic cotton terry, 600 g/m²"),
            ("Size", "70 × 140 cm"),
        ],
    ),
    (
        "BOARD-OAK-L",
        "Oak cutting board, large",
        3900,
        TaxCategory::Standard,
        &[("Material", "Solid oak"), ("Size", "45 × 30 cm")],
    ),
    (
        "LAMP-DESK-BRASS",
        "Brass desk lamp",
        8900,
        TaxCategory::Standard,
        &[("Material", "Brushed brass"), ("Bulb", "E27, LED included")],
    ),
    (
        "PILLOW-LINEN",
        "Linen pillow cover",
        2750,
        TaxCategory::Standard,
        &[("Material", "Stonewashed linen"), ("Size", "50 × 50 cm")],
    ),
    (
        "KETTLE-GOOSENECK",
        "Gooseneck kettle, 0.9 l",
        5900,
        TaxCategory::Standard,
        &[
            ("Capacity", "0.9 l"),
            ("Power", "1200 W"),
            ("Temperature control", "Yes"),
        ],
    ),
    (
        "PLANTER-TERRA-20",
        "Terracotta planter, 20 cm",
        1990,
        TaxCategory::Standard,
        &[("Material", "Terracotta"), ("Diameter", "20 cm")],
    ),
    (
        "GLASS-TUMBLER-6",
        "Recycled glass tumblers, set of 6",
        2600,
        TaxCategory::Standard,
        &[("Material", "Recycled glass"), ("Capacity", "300 ml")],
    ),
    (
        "COFFEE-BEANS-1KG",
        "House espresso beans, 1 kg",
        2490,
        TaxCategory::Reduced,
        &[("Origin", "Brazil & Ethiopia"), ("Roast", "Medium-dark")],
    ),
    (
        "GIFT-CARD-50",
        "Gift card, 50 USD",
        5000,
        TaxCategory::Zero,
        &[("Delivery", "By email"), ("Valid", "3 years")],
    ),
];

const ELECTRONICS: [Row; 14] = [
    (
        "EARBUDS-PRO",
        "Wireless earbuds with noise cancelling",
        12900,
        TaxCategory::Standard,
        &[
            ("Battery", "8 h + 24 h case"),
            ("Bluetooth", "5.3"),
            ("Water resistance", "IPX4"),
        ],
    ),
    (
        "CHARGER-USBC-65W",
        "USB-C charger, 65 W",
        3990,
        TaxCategory::Standard,
        &[("Output", "65 W PD"), ("Ports", "2 × USB-C, 1 × USB-A")],
    ),
    (
        "CABLE-USBC-2M",
        "Braided USB-C cable, 2 m",
        1490,
        TaxCategory::Standard,
        &[("Length", "2 m"), ("Power", "100 W")],
    ),
    (
        "POWERBANK-20K",
        "Power bank, 20,000 mAh",
        4990,
        TaxCategory::Standard,
        &[("Capacity", "20,000 mAh"), ("Output", "30 W PD")],
    ),
    (
        "SPEAKER-BT-MINI",
        "Mini Bluetooth speaker",
        5900,
        TaxCategory::Standard,
        &[("Battery", "12 h"), ("Water resistance", "IP67")],
    ),
    (
        "PLUG-SMART-2PK",
        "Smart plugs, 2 pack",
        2990,
        TaxCategory::Standard,
        &[("Max load", "16 A"), ("Works with", "Matter")],
    ),
    (
        "KEYBOARD-MECH",
        "Mechanical keyboard, 75%",
        11900,
        TaxCategory::Standard,
        &[
            ("Switches", "Hot-swappable, tactile"),
            ("Connection", "USB-C, Bluetooth"),
        ],
    ),
    (
        "MOUSE-WIRELESS",
        "Silent wireless mouse",
        3490,
        TaxCategory::Standard,
        &[("DPI", "800-4000"), ("Battery", "70 days")],
    ),
    (
        "WEBCAM-1080P",
        "1080p webcam with privacy shutter",
        6900,
        TaxCategory::Standard,
        &[("Resolution", "1920 × 1080, 60 fps"), ("Microphones", "2")],
    ),
    (
        "CABLE-HDMI-2M",
        "HDMI 2.1 cable, 2 m",
        1290,
        TaxCategory::Standard,
        &[("Length", "2 m"), ("Bandwidth", "48 Gbps")],
    ),
    (
        "STAND-PHONE-ALU",
        "Aluminium phone stand",
        2490,
        TaxCategory::Standard,
        &[("Material", "Anodised aluminium"), ("Adjustable", "Yes")],
    ),
    (
        "HUB-USBC-7IN1",
        "USB-C hub, 7 in 1",
        5490,
        TaxCategory::Standard,
        &[("Ports", "HDMI, 3 × USB-A, SD, microSD, USB-C PD")],
    ),
    (
        "LIGHT-STRIP-5M",
        "LED light strip, 5 m",
        3900,
        TaxCategory::Standard,
        &[("Length", "5 m"), ("Colours", "16 million")],
    ),
    (
        "TRACKER-TAG-4PK",
        "Item trackers, 4 pack",
        8900,
        TaxCategory::Standard,
        &[("Battery", "CR2032, 1 year"), ("Range", "120 m")],
    ),
];

fn home() -> Vec<Entry> {
    HOME.iter()
        .map(|row| entry(row, Department::Home))
        .collect()
}

fn electronics() -> Vec<Entry> {
    ELECTRONICS
        .iter()
        .map(|row| entry(row, Department::Electronics))
        .collect()
}

fn entry(&(sku, name, cents, tax, specs): &Row, department: Department) -> Entry {
    Entry {
        sku: sku.to_string(),
        name: name.to_string(),
        cents,
        department,
        tax,
        specifications: pairs(specs),
    }
}

fn garment(
    sku: &str,
    name: &str,
    cents: i64,
    specs: &[(&str, &str)],
    colour: &str,
    size: &str,
) -> Entry {
    let mut specifications = pairs(specs);
    specifications.push(("Colour".into(), capitalized(colour)));
    specifications.push(("Size".into(), size.to_string()));
    specifications.push(("Care".into(), "Machine wash 30 °C".into()));
    Entry {
        sku: sku.to_string(),
        name: name.to_string(),
        cents,
        department: Department::Clothing,
        tax: TaxCategory::Standard,
        specifications,
    }
}

fn input(entry: Entry) -> ordo_core::Result<ProductInput> {
    let slug = entry.sku.to_ascii_lowercase();
    let mut media = vec![
        photo(&slug, "front", "Front"),
        photo(&slug, "detail", "Detail"),
    ];
    match entry.department {
        Department::Clothing => media.push(photo(&slug, "model", "On model")),
        Department::Home => media.push(photo(&slug, "room", "In the room")),
        Department::Electronics => media.push(Media {
            kind: MediaKind::Video,
            url: format!("https://media.example.com/video/{slug}.mp4"),
            caption: "Unboxing and setup".into(),
        }),
    }
    let description = match entry.department {
        Department::Clothing => format!("{}. Made to last, cut for everyday wear.", entry.name),
        Department::Home => format!("{}. Designed for daily use at home.", entry.name),
        Department::Electronics => {
            format!(
                "{}. Two-year warranty, ships with a USB-C cable where it needs one.",
                entry.name
            )
        }
    };
    // Packed weight and size by department, varied a little by price (a dearer item is
    // a bigger one), so labels and the catalog show real figures.
    let (base_grams, size) = match entry.department {
        Department::Clothing => (180, "30x25x3"),
        Department::Home => (450, "25x25x20"),
        Department::Electronics => (250, "20x15x8"),
    };
    let grams = base_grams + entry.cents.rem_euclid(40) * 10;
    Ok(ProductInput {
        weight_kg: Some(format!("{}.{:03}", grams / 1000, grams % 1000)),
        dimensions_cm: Some(size.to_string()),
        active: entry.sku != DISCONTINUED_SKU,
        backorder: if entry.tax == TaxCategory::Zero {
            BackorderPolicy::Allow
        } else {
            BackorderPolicy::Deny
        },
        base_price: usd(entry.cents)?,
        price_lists: vec![wholesale(entry.cents)?],
        sku: entry.sku,
        name: entry.name,
        description,
        specifications: entry.specifications,
        media,
        tax_category: entry.tax,
    })
}

/// Wholesale tiers: 20 % off from one unit, 28 % from 10, 35 % from 50.
fn wholesale(cents: i64) -> ordo_core::Result<PriceList> {
    let tier = |min_quantity: u32, percent: i64| -> ordo_core::Result<PriceTier> {
        Ok(PriceTier {
            min_quantity,
            unit_price: usd(cents * percent / 100)?,
        })
    };
    PriceList::new(
        PriceGroup::Wholesale,
        vec![tier(1, 80)?, tier(10, 72)?, tier(50, 65)?],
    )
}

fn photo(slug: &str, view: &str, caption: &str) -> Media {
    Media {
        kind: MediaKind::Photo,
        url: format!("https://cdn.example.com/products/{slug}/{view}.jpg"),
        caption: caption.to_string(),
    }
}

fn usd(cents: i64) -> ordo_core::Result<Money> {
    Money::new(Decimal::new(cents, 2), Currency::USD)
}

fn pairs(specs: &[(&str, &str)]) -> Vec<(String, String)> {
    specs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::catalog::ProductDraft;

    #[test]
    fn fifty_valid_products_with_unique_skus_marker_first() {
        let products = products().unwrap();
        assert_eq!(products.len(), 50);
        assert_eq!(products[0].sku, MARKER_SKU);
        let mut skus: Vec<&str> = products.iter().map(|p| p.sku.as_str()).collect();
        skus.sort_unstable();
        skus.dedup();
        assert_eq!(skus.len(), 50);
        for product in products {
            ProductDraft::parse(product).unwrap();
        }
    }
}
