//! `ordo product …`: add, list, show, update, stock.

use super::support::{Shop, id_text, len, text};

#[test]
fn products_add_list_show_update_and_stock() {
    let shop = Shop::new();
    let mug = shop.json(
        "product add --sku mug-01 --name 'Stoneware mug' --price '12.50 USD' \
         --description 'A mug.' --spec Material=Stoneware --spec 'Capacity=350 ml' \
         --photo https://cdn.example.com/mug.jpg --video https://cdn.example.com/mug.mp4 \
         --wholesale 1:9.00 --wholesale 24:7.50 --tax reduced",
    );
    assert_eq!(text(&mug, "sku"), "MUG-01");
    assert_eq!(text(&mug, "base_price"), "12.50");
    assert_eq!(text(&mug, "currency"), "USD");
    assert_eq!(text(&mug, "tax_category"), "reduced");
    assert_eq!(mug["price_lists"][0]["group"], "wholesale");
    assert_eq!(mug["price_lists"][0]["tiers"][1]["min_quantity"], 24);
    assert_eq!(mug["price_lists"][0]["tiers"][1]["unit_price"], "7.50");
    assert_eq!(mug["specifications"][1]["value"], "350 ml");
    assert_eq!(mug["media"][1]["kind"], "video");
    assert_eq!(mug["stock"]["available"], 0);

    shop.json("product add --sku LAMP-1 --name Lamp --price '30 USD' --inactive --backorder");
    let list = shop.json("product list")["items"].clone();
    let skus: Vec<&str> = list
        .as_array()
        .expect("an array")
        .iter()
        .map(|p| p["sku"].as_str().expect("a SKU"))
        .collect();
    assert_eq!(skus, ["MUG-01", "LAMP-1"]);
    assert_eq!(list[1]["active"], false);
    assert_eq!(list[1]["backorder_allowed"], true);
    let page = shop.json(&format!(
        "product list --limit 1 --after {}",
        id_text(&list[0])
    ))["items"]
        .clone();
    assert_eq!(page[0]["sku"], "LAMP-1");
    assert_eq!(len(&shop.json("product list --limit 1")["items"]), 1);
    assert!(shop.ok("product list").contains("Stoneware mug"));

    let stocked = shop.json("product stock MUG-01 --warehouse main --restock 40 --reason 'PO 7'");
    assert_eq!(stocked["stock"]["on_hand"], 40);
    let stocked = shop.json("product stock MUG-01 --warehouse EAST --restock 5 --reason 'PO 8'");
    assert_eq!(len(&stocked["stock"]["warehouses"]), 2);
    let adjusted = shop.json("product stock MUG-01 --warehouse MAIN --adjust -3 --reason broken");
    assert_eq!(adjusted["stock"]["on_hand"], 42);
    let text_out = shop.ok("product stock MUG-01 --warehouse MAIN --adjust +1 --reason found");
    assert!(text_out.contains("Adjusted by +1 in MAIN"), "{text_out}");
    let shown = shop.ok("product show MUG-01");
    for needle in [
        "Stoneware mug",
        "EAST",
        "MAIN",
        "Capacity",
        "mug.mp4",
        "7.50 USD",
    ] {
        assert!(shown.contains(needle), "{needle} missing from:\n{shown}");
    }
}

#[test]
fn product_updates_keep_what_is_not_given() {
    let shop = Shop::new();
    shop.json(
        "product add --sku MUG-01 --name Mug --price '12.50 USD' --spec Material=Stoneware \
         --spec 'Capacity=350 ml' --photo https://cdn.example.com/mug.jpg \
         --video https://cdn.example.com/mug.mp4 --wholesale 1:9.00",
    );
    let updated = shop.json(
        "product update MUG-01 --price '13.00 USD' --name 'Big mug' --no-wholesale --inactive",
    );
    assert_eq!(updated["base_price"], "13.00");
    assert_eq!(updated["name"], "Big mug");
    assert_eq!(updated["active"], false);
    assert_eq!(len(&updated["price_lists"]), 0);
    assert_eq!(
        len(&updated["specifications"]),
        2,
        "lists not given stay as they are"
    );
    let updated = shop.json("product update MUG-01 --photo https://cdn.example.com/new.jpg");
    assert_eq!(len(&updated["media"]), 2, "photos replaced, the video kept");
    let renamed = shop.json("product update MUG-01 --new-sku MUG-02 --active --backorder allow");
    assert_eq!(renamed["sku"], "MUG-02");
    assert_eq!(renamed["active"], true);
    assert_eq!(renamed["backorder_allowed"], true);
    shop.fails("product show MUG-01", 4);
    shop.fails("product update MUG-01 --name Gone", 4);
}

#[test]
fn weight_and_size_are_set_shown_changed_and_removed() {
    let shop = Shop::new();
    let added = shop.json(
        "product add --sku MUG-01 --name Mug --price '12.50 USD' --weight 0.45 \
         --dimensions 12x12x11.5",
    );
    assert_eq!(added["weight_kg"], "0.45");
    assert_eq!(added["dimensions_cm"], "12x12x11.5");
    let shown = shop.ok("product show MUG-01");
    assert!(shown.contains("0.45 kg"), "{shown}");
    assert!(shown.contains("12x12x11.5 cm"), "{shown}");
    let heavier = shop.json("product update MUG-01 --weight 1.2");
    assert_eq!(heavier["weight_kg"], "1.2");
    assert_eq!(heavier["dimensions_cm"], "12x12x11.5", "not given, kept");
    let cleared = shop.json("product update MUG-01 --weight '' --dimensions ''");
    assert!(cleared["weight_kg"].is_null(), "{cleared}");
    assert!(cleared["dimensions_cm"].is_null(), "{cleared}");
    shop.fails("product update MUG-01 --dimensions 12x12", 3);
    shop.fails("product update MUG-01 --weight heavy", 3);
}

#[test]
fn duplicate_sku_is_a_conflict() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let error = shop.fails(
        "product add --sku tee-red-m --name Again --price '1 USD'",
        5,
    );
    assert_eq!(error, "error: product with SKU TEE-RED-M already exists");
    shop.product("TEE-RED-L");
    shop.fails("product update TEE-RED-L --new-sku TEE-RED-M", 5);
}

#[test]
fn bad_product_input_is_invalid() {
    let shop = Shop::new();
    let add = "product add --sku A-1 --name A --price '1.00 USD'";
    for (line, needle) in [
        ("product add --sku x --name A --price '1 USD'", "SKU"),
        (
            "product add --sku A-1 --name A --price 1.00",
            "needs a currency",
        ),
        (
            "product add --sku A-1 --name A --price '1,5 USD'",
            "not a number",
        ),
        (
            "product add --sku A-1 --name A --price '1.001 USD'",
            "decimal places",
        ),
        ("product add --sku A-1 --name A --price '1 XYZ'", "ISO 4217"),
        (
            "product add --sku A-1 --name A --price '-1 USD'",
            "negative",
        ),
        (
            "product add --sku A-1 --name ' ' --price '1 USD'",
            "product name is required",
        ),
        (&format!("{add} --spec Material"), "KEY=VALUE"),
        (&format!("{add} --spec =Cotton"), "specification name"),
        (&format!("{add} --wholesale 10"), "QTY:PRICE"),
        (&format!("{add} --wholesale 0:1.00"), "at least 1"),
        (
            &format!("{add} --wholesale 10:5.00"),
            "must start at quantity 1",
        ),
        (
            &format!("{add} --wholesale '1:5.00 EUR'"),
            "currency mismatch",
        ),
        (&format!("{add} --tax luxury"), "tax category"),
        (&format!("{add} --photo ftp://x"), "https://"),
    ] {
        let error = shop.fails(line, 3);
        assert!(error.contains(needle), "{line}: {error}");
    }
    shop.json(add);
    shop.fails("product update A-1 --backorder maybe", 3);
    shop.fails("product update A-1 --price free", 3);
    shop.fails("product list --limit 0", 3);
    shop.fails("product list --limit 1001", 3);
    shop.fails("product show NOPE-9", 4);
    shop.fails("product show '!'", 3);
}

#[test]
fn stock_changes_are_checked() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let stock = "product stock TEE-RED-M --warehouse MAIN";
    shop.fails(
        "product stock NOPE-1 --warehouse MAIN --restock 5 --reason x",
        4,
    );
    shop.fails(&format!("{stock} --restock 0 --reason x"), 3);
    shop.fails(&format!("{stock} --restock -5 --reason x"), 3);
    shop.fails(&format!("{stock} --restock lots --reason x"), 3);
    shop.fails(&format!("{stock} --adjust 0 --reason x"), 3);
    shop.fails(&format!("{stock} --adjust -1 --reason ' '"), 3);
    shop.fails(
        "product stock TEE-RED-M --warehouse 'MAIN WH' --restock 1 --reason x",
        3,
    );
    shop.fails(
        "product stock TEE-RED-M --warehouse EAST --adjust -1 --reason x",
        3,
    );
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    shop.order(&customer, "TEE-RED-M:15");
    let error = shop.fails(&format!("{stock} --adjust -10 --reason x"), 3);
    assert!(error.contains("reserved"), "{error}");
    assert_eq!(
        shop.json(&format!("{stock} --adjust -5 --reason x"))["stock"]["available"],
        0
    );
}
