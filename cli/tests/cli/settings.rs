//! `ordo settings …`: the store's pricing settings, shown to catalog readers, changed by an
//! administrator only, audited, and used by every later order.

use super::support::{Shop, len, text};

const ADMIN_PW: &str = "amber-canyon-lantern-7";
const SALES_PW: &str = "flint-prairie-otter-9";

#[test]
fn a_fresh_store_shows_the_default_prices() {
    let shop = Shop::new();
    let settings = shop.json("settings show");
    assert_eq!(settings["tax"]["standard"], "0.2");
    assert_eq!(settings["tax"]["reduced"], "0.05");
    assert_eq!(settings["tax"]["zero"], "0");
    assert_eq!(settings["rounding"], "half-even");
    assert_eq!(len(&settings["shipping"]), 4);
    assert_eq!(settings["settings"]["shipping.express.EUR"], "15.00 EUR");
    let table = shop.ok("settings show");
    assert!(table.contains("tax.standard"), "{table}");
    assert!(table.contains("20%"), "{table}");
    assert!(table.contains("half-even"), "{table}");
}

#[test]
fn the_administrator_changes_them_and_the_next_order_is_priced_with_them() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let before = shop.order(&customer, "MUG-1:1");
    // 10.00 + 20 % + 5.00 shipping.
    assert_eq!(text(&before, "total"), "17.00");

    let changed =
        shop.ok("settings set tax.standard=25% shipping.standard.USD=7.50 rounding=half-up");
    assert!(changed.starts_with("Changed 3 settings."), "{changed}");
    let settings = shop.json("settings show");
    assert_eq!(settings["tax"]["standard"], "0.25");
    assert_eq!(settings["rounding"], "half-up");
    assert_eq!(settings["settings"]["shipping.standard.USD"], "7.50 USD");

    let after = shop.order(&customer, "MUG-1:1");
    assert_eq!(text(&after, "total"), "20.00");
    // The first order keeps the prices it was placed with.
    let reference = text(&before, "reference");
    assert_eq!(
        text(&shop.json(&format!("order show {reference}")), "total"),
        "17.00"
    );

    // One audit entry with every changed setting, before and after.
    let history = shop.json("settings history");
    assert_eq!(len(&history), 1);
    assert_eq!(history[0]["action"], "pricing settings changed");
    let fields: Vec<&str> = history[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["rounding", "shipping.standard.USD", "tax.standard"]
    );
    assert_eq!(history[0]["changes"][2]["before"], "20%");
    assert_eq!(history[0]["changes"][2]["after"], "25%");

    // Setting what is set already changes nothing and is not audited.
    let same = shop.ok("settings set tax.standard=0.25");
    assert!(same.starts_with("Nothing changed"), "{same}");
    assert_eq!(len(&shop.json("settings history")), 1);
}

#[test]
fn bad_settings_are_refused_with_their_name() {
    let shop = Shop::new();
    for (line, message) in [
        (
            "settings set tax.standard=150%",
            "error: tax.standard must be between 0 and 1 (0% to 100%)",
        ),
        (
            "settings set tax.zero=0.1",
            "error: tax.zero cannot be set: zero-rated products are always taxed at 0%",
        ),
        (
            "settings set shipping.pickup.USD=1",
            "error: shipping.pickup.USD cannot be set: pickup is always free",
        ),
        (
            "settings set shipping.express.XYZ=1",
            "error: currency \"XYZ\" is not a supported ISO 4217 code",
        ),
        (
            "settings set rounding=up",
            "error: rounding \"up\" must be half-even or half-up",
        ),
        (
            "settings set colour=red",
            "error: setting \"colour=red\" is not a setting; use tax.CATEGORY=RATE, \
             shipping.METHOD.CURRENCY=AMOUNT, rounding=half-even|half-up or \
             seller.name|address|tax_id|contact=TEXT",
        ),
    ] {
        assert_eq!(shop.fails(line, 3), message, "{line}");
    }
    // One bad assignment refuses the whole command.
    shop.fails("settings set tax.reduced=7% tax.standard=2", 3);
    assert_eq!(shop.json("settings show")["tax"]["reduced"], "0.05");
    assert_eq!(len(&shop.json("settings history")), 0);
    // Naming no setting is a usage error.
    let output = shop.run("settings set");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn only_an_administrator_changes_them() {
    let shop = Shop::new();
    shop.json_env(
        "admin init --name 'Morgan Reyes' --login morgan",
        &[("ORDO_PASSWORD", ADMIN_PW)],
    );
    shop.json_env(
        "user add --name 'Sam Okafor' --login sam --role sales",
        &[("ORDO_PASSWORD", SALES_PW)],
    );
    let sam = [("ORDO_PASSWORD", SALES_PW)];
    let error = shop.fails_env("--as sam settings set tax.standard=21%", &sam, 6);
    assert_eq!(error, "error: sales may not change the store's settings");
    // Sales may read the catalog, so the settings too.
    let settings = shop.json_env("--as sam settings show", &sam);
    assert_eq!(settings["tax"]["standard"], "0.2");
    let morgan = [("ORDO_PASSWORD", ADMIN_PW)];
    shop.ok_env("--as morgan settings set tax.standard=21%", &morgan);
    let history = shop.json("settings history");
    assert_eq!(len(&history), 1);
    assert!(
        history[0]["actor"].as_str().unwrap().contains("staff user"),
        "{history}"
    );
}
