//! `ordo demo`: a realistic shop, made once.

use std::collections::BTreeSet;

use super::support::{Shop, len, orders, text};

/// Every order (archived too), following cursors: (count, statuses, archived, payment
/// statuses).
fn census(shop: &Shop) -> (usize, BTreeSet<String>, usize, BTreeSet<String>) {
    let (mut count, mut archived) = (0, 0);
    let (mut statuses, mut payments) = (BTreeSet::new(), BTreeSet::new());
    let mut cursor = String::new();
    for _ in 0..20 {
        let page = shop.json(&format!("order list --archived --limit 500 {cursor}"));
        for order in orders(&page) {
            count += 1;
            statuses.insert(text(order, "status"));
            payments.insert(text(order, "payment_status"));
            archived += usize::from(order["archived"] == true);
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("--cursor {next}"),
            None => break,
        }
    }
    (count, statuses, archived, payments)
}

#[test]
fn demo_builds_a_shop_once() {
    let shop = Shop::new();
    let made = shop.json("demo --scale 25");
    assert_eq!(made["created"], true);
    assert_eq!(made["products"], 50);
    assert_eq!(made["customers"], 50);
    assert_eq!(made["orders"], 500);
    assert_eq!(made["warehouses"], serde_json::json!(["MAIN", "EAST"]));

    let (count, statuses, archived, payments) = census(&shop);
    assert_eq!(count, 500);
    for status in ["draft", "placed", "shipped", "delivered", "cancelled"] {
        assert!(
            statuses.contains(status),
            "no {status} order in {statuses:?}"
        );
    }
    for payment in ["unpaid", "paid", "refunded"] {
        assert!(
            payments.contains(payment),
            "no {payment} order in {payments:?}"
        );
    }
    assert!(archived > 0);
    let customers = shop.json("customer list --limit 1000");
    assert_eq!(len(&customers), 50);
    let businesses = customers
        .as_array()
        .expect("an array")
        .iter()
        .filter(|c| c["kind"] == "b2b" && c["tax_id"].is_string())
        .count();
    assert_eq!(businesses, 10);
    let products = shop.json("product list");
    assert_eq!(len(&products), 50);
    let first = &products[0];
    assert!(
        len(&first["specifications"]) > 0 && len(&first["media"]) > 0,
        "{first}"
    );
    assert_eq!(len(&first["price_lists"][0]["tiers"]), 3);
    assert_eq!(len(&first["stock"]["warehouses"]), 2);

    let again = shop.json("demo --scale 25");
    assert_eq!(again["created"], false);
    assert!(shop.ok("demo").contains("already"));
    assert_eq!(census(&shop).0, 500);
    assert_eq!(len(&shop.json("customer list --limit 1000")), 50);
    assert_eq!(len(&shop.json("product list")), 50);
}

#[test]
fn the_demo_tour_works() {
    let shop = Shop::new();
    let tour = shop.ok("demo --scale 5");
    assert!(tour.contains("A short tour"), "{tour}");
    let show = tour
        .lines()
        .find(|l| l.contains(" order show ORD-"))
        .expect("the tour shows an order");
    let reference = show
        .split_whitespace()
        .find(|w| w.starts_with("ORD-"))
        .expect("a reference");
    assert!(shop.json(&format!("order show {reference}"))["id"].is_u64());
    assert!(
        shop.ok("product show TEE-CLASSIC-BLK-M")
            .contains("Wholesale prices")
    );
}
