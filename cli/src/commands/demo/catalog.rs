//! The demo catalog: about fifty clothing, home and electronics products with
//! specifications, photos, videos, retail prices and wholesale quantity tiers.

use ordo_core::catalog::{
    BackorderPolicy, Media, MediaKind, PriceGroup, PriceList, PriceTier, ProductInput, TaxCategory,
};
use ordo_core::money::{Currency, Money};
use rust_decimal::Decimal;

/// The SKU whose presence means the demo has already run (the first product created).
pub const MARKER_SKU: &str = "TEE-CLASSIC-BLK-S";

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

fn clothing() -> Vec<Entry> {
    let mut entries = Vec::new();
    let tees = [("BLK", "black"), ("WHT", "white"), ("RED", "brick red")];
    for (code, colour) in tees {
        for size in ["S", "M", "L"] {
            entries.push(garment(
                &format!("TEE-CLASSIC-{code}-{size}"),
                &format!("Classic organic tee, {colour}, {size}"),
                1990,
                &[
                    ("Material", "100% organic cotton, 180 g/m²"),
                    ("Fit", "Regular"),
                ],
                colour,
                size,
            ));
        }
    }
    for (code, colour) in [("GRY", "heather grey"), ("NVY", "navy")] {
        for size in ["M", "L"] {
            entries.push(garment(
                &format!("HOODIE-{code}-{size}"),
                &format!("Loopback hoodie, {colour}, {size}"),
                5400,
                &[
                    ("Material", "80% cotton, 20% recycled polyester"),
                    ("Fit", "Relaxed"),
                ],
                colour,
                size,
            ));
        }
    }
    for (code, colour) in [("SND", "sand"), ("OLV", "olive")] {
        for waist in ["32", "34"] {
            entries.push(garment(
                &format!("CHINO-{code}-{waist}"),
                &format!("Stretch chinos, {colour}, W{waist}"),
                6490,
                &[("Material", "98% cotton, 2% elastane"), ("Leg", "Tapered")],
                colour,
                waist,
            ));
        }
    }
    entries.push(garment(
        "SOCK-WOOL-3PK",
        "Merino hiking socks, 3 pairs",
        1850,
        &[("Material", "70% merino wool"), ("Pack", "3 pairs")],
        "charcoal",
        "One size",
    ));
    entries.push(garment(
        "BEANIE-MERINO",
        "Ribbed merino beanie",
        2400,
        &[("Material", "100% merino wool")],
        "rust",
        "One size",
    ));
    entries.push(garment(
        "JACKET-RAIN",
        "Packable rain jacket",
        12900,
        &[
            ("Material", "Recycled nylon, 10k waterproof"),
            ("Weight", "290 g"),
        ],
        "forest green",
        "M",
    ));
    entries
}

fn home() -> Vec<Entry> {
    let item = |sku: &str, name: &str, cents: i64, specs: &[(&str, &str)]| Entry {
        sku: sku.to_string(),
        name: name.to_string(),
        cents,
        department: Department::Home,
        tax: TaxCategory::Standard,
        specifications: pairs(specs),
    };
    let mut coffee = item(
        "COFFEE-BEANS-1KG",
        "House espresso beans, 1 kg",
        2490,
        &[("Origin", "Brazil & Ethiopia"), ("Roast", "Medium-dark")],
    );
    coffee.tax = TaxCategory::Reduced;
    let mut gift = item(
        "GIFT-CARD-50",
        "Gift card, 50 USD",
        5000,
        &[("Delivery", "By email"), ("Valid", "3 years")],
    );
    gift.tax = TaxCategory::Zero;
    vec![
        item(
            "MUG-STONE-350",
            "Stoneware mug, 350 ml",
            1250,
            &[
                ("Material", "Stoneware"),
                ("Capacity", "350 ml"),
                ("Dishwasher safe", "Yes"),
            ],
        ),
        item(
            "FRENCH-PRESS-1L",
            "Glass French press, 1 l",
            3490,
            &[
                ("Material", "Borosilicate glass, steel"),
                ("Capacity", "1 l"),
            ],
        ),
        item(
            "TOWEL-LINEN-2PK",
            "Linen tea towels, set of 2",
            2200,
            &[("Material", "100% linen"), ("Size", "50 × 70 cm")],
        ),
        item(
            "SKILLET-CAST-26",
            "Cast-iron skillet, 26 cm",
            4490,
            &[
                ("Material", "Pre-seasoned cast iron"),
                ("Diameter", "26 cm"),
                ("Induction", "Yes"),
            ],
        ),
        item(
            "THROW-WOOL",
            "Wool throw blanket",
            7900,
            &[("Material", "100% lambswool"), ("Size", "130 × 180 cm")],
        ),
        item(
            "CANDLE-CEDAR",
            "Cedar & amber candle",
            1690,
            &[("Wax", "Soy"), ("Burn time", "45 h")],
        ),
        item(
            "VASE-CERAMIC-M",
            "Ceramic vase, medium",
            2950,
            &[("Material", "Glazed ceramic"), ("Height", "24 cm")],
        ),
        item(
            "BATH-TOWEL-GRY",
            "Bath towel, grey",
            2490,
            &[
                ("Material", "Organic cotton terry, 600 g/m²"),
                ("Size", "70 × 140 cm"),
            ],
        ),
        item(
            "BOARD-OAK-L",
            "Oak cutting board, large",
            3900,
            &[("Material", "Solid oak"), ("Size", "45 × 30 cm")],
        ),
        item(
            "LAMP-DESK-BRASS",
            "Brass desk lamp",
            8900,
            &[("Material", "Brushed brass"), ("Bulb", "E27, LED included")],
        ),
        item(
            "PILLOW-LINEN",
            "Linen pillow cover",
            2750,
            &[("Material", "Stonewashed linen"), ("Size", "50 × 50 cm")],
        ),
        item(
            "KETTLE-GOOSENECK",
            "Gooseneck kettle, 0.9 l",
            5900,
            &[
                ("Capacity", "0.9 l"),
                ("Power", "1200 W"),
                ("Temperature control", "Yes"),
            ],
        ),
        item(
            "PLANTER-TERRA-20",
            "Terracotta planter, 20 cm",
            1990,
            &[("Material", "Terracotta"), ("Diameter", "20 cm")],
        ),
        item(
            "GLASS-TUMBLER-6",
            "Recycled glass tumblers, set of 6",
            2600,
            &[("Material", "Recycled glass"), ("Capacity", "300 ml")],
        ),
        coffee,
        gift,
    ]
}

fn electronics() -> Vec<Entry> {
    let item = |sku: &str, name: &str, cents: i64, specs: &[(&str, &str)]| Entry {
        sku: sku.to_string(),
        name: name.to_string(),
        cents,
        department: Department::Electronics,
        tax: TaxCategory::Standard,
        specifications: pairs(specs),
    };
    vec![
        item(
            "EARBUDS-PRO",
            "Wireless earbuds with noise cancelling",
            12900,
            &[
                ("Battery", "8 h + 24 h case"),
                ("Bluetooth", "5.3"),
                ("Water resistance", "IPX4"),
            ],
        ),
        item(
            "CHARGER-USBC-65W",
            "USB-C charger, 65 W",
            3990,
            &[("Output", "65 W PD"), ("Ports", "2 × USB-C, 1 × USB-A")],
        ),
        item(
            "CABLE-USBC-2M",
            "Braided USB-C cable, 2 m",
            1490,
            &[("Length", "2 m"), ("Power", "100 W")],
        ),
        item(
            "POWERBANK-20K",
            "Power bank, 20,000 mAh",
            4990,
            &[("Capacity", "20,000 mAh"), ("Output", "30 W PD")],
        ),
        item(
            "SPEAKER-BT-MINI",
            "Mini Bluetooth speaker",
            5900,
            &[("Battery", "12 h"), ("Water resistance", "IP67")],
        ),
        item(
            "PLUG-SMART-2PK",
            "Smart plugs, 2 pack",
            2990,
            &[("Max load", "16 A"), ("Works with", "Matter")],
        ),
        item(
            "KEYBOARD-MECH",
            "Mechanical keyboard, 75%",
            11900,
            &[
                ("Switches", "Hot-swappable, tactile"),
                ("Connection", "USB-C, Bluetooth"),
            ],
        ),
        item(
            "MOUSE-WIRELESS",
            "Silent wireless mouse",
            3490,
            &[("DPI", "800-4000"), ("Battery", "70 days")],
        ),
        item(
            "WEBCAM-1080P",
            "1080p webcam with privacy shutter",
            6900,
            &[("Resolution", "1920 × 1080, 60 fps"), ("Microphones", "2")],
        ),
        item(
            "CABLE-HDMI-2M",
            "HDMI 2.1 cable, 2 m",
            1290,
            &[("Length", "2 m"), ("Bandwidth", "48 Gbps")],
        ),
        item(
            "STAND-PHONE-ALU",
            "Aluminium phone stand",
            2490,
            &[("Material", "Anodised aluminium"), ("Adjustable", "Yes")],
        ),
        item(
            "HUB-USBC-7IN1",
            "USB-C hub, 7 in 1",
            5490,
            &[("Ports", "HDMI, 3 × USB-A, SD, microSD, USB-C PD")],
        ),
        item(
            "LIGHT-STRIP-5M",
            "LED light strip, 5 m",
            3900,
            &[("Length", "5 m"), ("Colours", "16 million")],
        ),
        item(
            "TRACKER-TAG-4PK",
            "Item trackers, 4 pack",
            8900,
            &[("Battery", "CR2032, 1 year"), ("Range", "120 m")],
        ),
    ]
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
    Ok(ProductInput {
        active: entry.sku != DISCONTINUED_SKU,
        backorder: if entry.tax == TaxCategory::Zero {
            BackorderPolicy::Allow
        } else {
            BackorderPolicy::Deny
        },
        base_price: usd(entry.cents),
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
    let tier = |min_quantity: u32, percent: i64| PriceTier {
        min_quantity,
        unit_price: usd(cents * percent / 100),
    };
    PriceList::new(
        PriceGroup::Wholesale,
        vec![tier(1, 80), tier(10, 72), tier(50, 65)],
    )
}

fn photo(slug: &str, view: &str, caption: &str) -> Media {
    Media {
        kind: MediaKind::Photo,
        url: format!("https://cdn.example.com/products/{slug}/{view}.jpg"),
        caption: caption.to_string(),
    }
}

fn usd(cents: i64) -> Money {
    Money::rounded(Decimal::new(cents, 2), Currency::USD)
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
