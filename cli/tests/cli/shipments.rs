//! `ordo order ship|shipments|cancel-unshipped` on the real binary: a packed order ships
//! in two parcels, stock leaves with each, refusals have their exit codes, the rest of a
//! partly shipped order is cancelled.

use crate::support::{Shop, len};

#[test]
fn an_order_ships_in_parts_with_tracking_numbers() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let order = shop.order(&ada, "MUG-1:3");
    let reference = order["reference"]
        .as_str()
        .expect("a reference")
        .to_string();
    // Not packed yet: refused by a rule (exit 3).
    let early = shop.fails(
        &format!("order ship {reference} --carrier dhl --tracking JD0000000001"),
        3,
    );
    assert!(early.contains("cannot ship"), "{early}");
    shop.ok(&format!("order advance {reference} --to packed"));
    let reserved = shop.reserved("MUG-1");
    let first = shop.json(&format!(
        "order ship {reference} --line MUG-1:1 --carrier DHL --tracking 'JD 0000 0000 01' --weight 0.4"
    ));
    assert_eq!(first["number"], 1);
    assert_eq!(first["tracking_number"], "JD0000000001");
    assert_eq!(first["weight_kg"], "0.4");
    assert_eq!(shop.reserved("MUG-1"), reserved - 1);
    let shown = shop.json(&format!("order show {reference}"));
    assert_eq!(shown["status"], "partially_shipped");
    // The same tracking number twice: refused.
    shop.fails(
        &format!("order ship {reference} --line MUG-1:1 --carrier dhl --tracking JD0000000001"),
        3,
    );
    let table = shop.ok(&format!(
        "order ship {reference} --line MUG-1:1 --carrier ups --tracking 1Z999AA10123456784"
    ));
    assert!(
        table.contains("shipment #2") && table.contains("1Z999AA10123456784"),
        "{table}"
    );
    let listed = shop.json(&format!("order shipments {reference}"));
    assert_eq!(len(&listed), 2);
    let human = shop.ok(&format!("order shipments {reference}"));
    assert!(
        human.contains("JD0000000001") && human.contains("2 shipment(s)"),
        "{human}"
    );
    let done = shop.json(&format!(
        "order cancel-unshipped {reference} --reason 'last one broke'"
    ));
    assert_eq!(done["status"], "shipped");
    assert_eq!(shop.reserved("MUG-1"), 0);
    shop.fails("order shipments ORD-0000-0000", 4);
}

#[test]
fn the_demo_ships_with_tracking_numbers_some_orders_in_two_parcels() {
    let shop = Shop::new();
    shop.json("demo");
    let mut shipped = Vec::new();
    for status in ["shipped", "delivered"] {
        let page = shop.json(&format!("order list --status {status} --limit 30"));
        for order in page["items"].as_array().expect("items") {
            shipped.push(order["id"].to_string());
        }
    }
    assert!(shipped.len() >= 20, "{} shipped orders", shipped.len());
    let mut two_parcels = 0;
    for id in &shipped {
        let parcels = shop.json(&format!("order shipments {id}"));
        let parcels = parcels.as_array().expect("shipments");
        assert!(!parcels.is_empty(), "order {id} shipped without a shipment");
        for parcel in parcels {
            assert!(!parcel["tracking_number"].as_str().unwrap_or("").is_empty());
            assert!(parcel["weight_kg"].is_string());
        }
        if parcels.len() == 2 {
            two_parcels += 1;
        }
    }
    assert!(two_parcels > 0, "no order shipped in two parcels");
}
