//! `ordo order …`: the whole life of an order, bad input, lists, payments.

use serde_json::Value;

use super::support::{Shop, id_text, len, orders, text};

/// Two products, a customer and a placed express COD order of 2 × TEE-RED-M and
/// 1 × MUG-01 with a discount and a note; returns the order's JSON and its reference.
fn placed_order(shop: &Shop) -> (Value, String) {
    shop.product("TEE-RED-M");
    shop.product("MUG-01");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let order = shop.json(&format!(
        "order create --customer {customer} --item TEE-RED-M:2 --item mug-01:1 \
         --shipping express --payment cod --discount SPRING:10 --note 'Leave at the door'"
    ));
    let reference = text(&order, "reference");
    (order, reference)
}

#[test]
fn orders_are_created_and_shown_by_id_or_reference() {
    let shop = Shop::new();
    let (order, reference) = placed_order(&shop);
    for field in [
        "id",
        "reference",
        "status",
        "customer_id",
        "total",
        "currency",
        "lines",
        "totals",
        "payment_status",
        "balance_due",
        "refund_due",
        "archived",
        "status_history",
    ] {
        assert!(order.get(field).is_some(), "{field} missing from {order}");
    }
    let customer = shop.json("customer list")["items"][0]["id"].clone();
    assert_eq!(order["customer_id"], customer);
    assert_eq!(order["status"], "placed");
    assert_eq!(len(&order["lines"]), 2);
    assert_eq!(order["lines"][0]["warehouse"], "MAIN");
    assert_eq!(order["shipping_method"], "express");
    assert_eq!(order["payment_method"], "cash-on-delivery");
    assert_eq!(order["payment_status"], "unpaid");
    assert_eq!(order["balance_due"], order["total"]);
    assert_eq!(order["totals"]["total"], order["total"]);
    assert_eq!(order["totals"]["shipping"], "15.00");
    assert_eq!(order["discounts"][0]["percent"], "10");
    assert_eq!(order["archived"], false);
    assert_eq!(len(&order["status_history"]), 2);

    let by_id = shop.json(&format!("order show {}", id_text(&order)));
    assert_eq!(by_id["reference"], order["reference"]);
    let typed = reference.to_lowercase().replace('-', "");
    assert_eq!(shop.json(&format!("order show {typed}"))["id"], order["id"]);
    let page = shop.ok(&format!("order show {reference}"));
    for needle in [
        &reference,
        "TEE-RED-M",
        "Leave at the door",
        "SPRING 10%",
        "placed",
    ] {
        assert!(page.contains(needle), "{needle} missing from:\n{page}");
    }
    assert!(shop.ok("order list").contains(&reference));
}

#[test]
fn changing_lines_and_address_moves_reservations() {
    let shop = Shop::new();
    let (_, reference) = placed_order(&shop);
    let changed = shop.json(&format!("order add-item {reference} TEE-RED-M 1"));
    assert_eq!(changed["lines"][0]["quantity"], 3);
    let changed = shop.json(&format!("order add-item {reference} MUG-01"));
    assert_eq!(
        changed["lines"][1]["quantity"], 2,
        "the quantity defaults to 1"
    );
    let changed = shop.json(&format!("order set-qty {reference} mug-01 4"));
    assert_eq!(changed["lines"][1]["quantity"], 4);
    assert_eq!(shop.reserved("MUG-01"), 4);
    let changed = shop.json(&format!("order remove-item {reference} MUG-01"));
    assert_eq!(len(&changed["lines"]), 1);
    assert_eq!(shop.reserved("MUG-01"), 0);
    assert_eq!(shop.reserved("TEE-RED-M"), 3);
    let changed = shop.json(&format!(
        "order set-address {reference} 'Ada Lovelace, 2 Side Street, Flat 3, Leeds, LS1 4DY, GB'"
    ));
    assert!(text(&changed, "shipping_address").contains("Leeds"));
    let message = shop.ok(&format!("order add-item {reference} MUG-01 2"));
    assert!(
        message.starts_with(&format!("Added 2 × MUG-01 to order {reference}.")),
        "{message}"
    );

    let history = shop.json(&format!("order history {reference}"));
    let actions: Vec<&str> = history
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| e["action"].as_str().expect("an action"))
        .collect();
    assert_eq!(
        actions,
        [
            "order created",
            "item added",
            "item added",
            "quantity changed",
            "item removed",
            "address changed",
            "item added",
        ]
    );
    assert!(
        shop.ok(&format!("order history {reference}"))
            .contains("quantity of MUG-01: 2 → 4")
    );
}

#[test]
fn fulfilment_consumes_stock_and_payments_settle_the_order() {
    let shop = Shop::new();
    let (order, reference) = placed_order(&shop);
    for status in ["confirmed", "picking", "packed", "shipped", "delivered"] {
        let moved = shop.json(&format!("order status {reference} {status}"));
        assert_eq!(moved["status"], status);
    }
    let again = shop.fails(&format!("order status {} delivered", id_text(&order)), 3);
    assert!(again.contains("none (final state)"), "{again}");
    let stock = shop.json("product show TEE-RED-M")["stock"].clone();
    assert_eq!(stock["on_hand"], 18, "shipping consumed the units");
    assert_eq!(stock["reserved"], 0);
    assert!(
        shop.ok(&format!("order history {reference}"))
            .contains("confirmed → picking")
    );

    let total = text(&order, "total");
    let paid = shop.json(&format!(
        "order pay {reference} --amount '{total} USD' --ref COD-1"
    ));
    assert_eq!(paid["payment_status"], "paid");
    assert_eq!(paid["balance_due"], "0.00");
    assert_eq!(paid["payments"][0]["method"], "cash-on-delivery");
    assert_eq!(paid["payments"][0]["external_reference"], "COD-1");
    let refunded = shop.json(&format!(
        "order refund {reference} --amount 5.00 --method cash"
    ));
    assert_eq!(refunded["payment_status"], "partially refunded");
    assert_eq!(refunded["refunded"], "5.00");
    assert_eq!(refunded["payments"][1]["kind"], "refund");
    let message = shop.ok(&format!("order refund {reference} --amount 1.00"));
    assert!(
        message.starts_with("Recorded a refund of 1.00 USD"),
        "{message}"
    );
    assert!(
        shop.ok(&format!("order show {reference}"))
            .contains("Payments:")
    );
}

#[test]
fn a_batch_of_orders_ships_together_or_not_at_all() {
    let shop = Shop::new();
    let (first, reference) = placed_order(&shop);
    let customer = first["customer_id"].to_string();
    let second = shop.order(&customer, "TEE-RED-M:1");
    let second_id = id_text(&second);
    let moved = shop.json(&format!(
        "order advance {reference} {second_id} --to shipped"
    ));
    assert_eq!(len(&moved), 2);
    assert!(
        moved
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["status"] == "shipped")
    );
    let stock = shop.json("product show TEE-RED-M")["stock"].clone();
    assert_eq!(stock["on_hand"], 17, "3 units shipped");
    assert_eq!(stock["reserved"], 0);
    let history = shop.ok(&format!("order history {reference}"));
    assert!(history.contains("placed → shipped"), "{history}");
    assert!(history.contains("confirmed, picking, packed"), "{history}");

    // One order that cannot get there stops the batch, and is named.
    let third = shop.order(&customer, "MUG-01:1");
    let third_ref = text(&third, "reference");
    let error = shop.fails(
        &format!("order advance {third_ref} {reference} --to packed"),
        3,
    );
    // Said once: the refusal is part of the message, not a cause printed after it.
    assert_eq!(
        error.trim(),
        format!(
            "error: order {reference}: cannot move order from shipped to packed; \
             allowed next: delivered"
        )
    );
    assert_eq!(
        shop.json(&format!("order show {third_ref}"))["status"],
        "placed"
    );
    let said = shop.ok(&format!("order advance {third_ref} --to confirmed"));
    assert_eq!(
        said.trim(),
        format!("Moved 1 order(s) to confirmed: {third_ref}.")
    );
    shop.fails(&format!("order advance {third_ref} --to cancelled"), 3);
    shop.fails(&format!("order advance {third_ref} 999999 --to packed"), 4);
}

#[test]
fn archived_orders_leave_lists_until_restored() {
    let shop = Shop::new();
    let (_, reference) = placed_order(&shop);
    shop.json(&format!(
        "order cancel {reference} --reason 'ordered twice'"
    ));
    let archived = shop.json(&format!("order archive {reference} --reason 'closed out'"));
    assert_eq!(archived["archived"], true);
    assert_eq!(archived["archive_reason"], "closed out");
    assert!(archived["archived_at"].is_string());
    assert!(orders(&shop.json("order list")).is_empty());
    assert_eq!(orders(&shop.json("order list --archived")).len(), 1);
    assert!(shop.ok("order list --archived").contains("(archived)"));
    shop.fails(&format!("order archive {reference} --reason again"), 3);
    let restored = shop.ok(&format!("order restore {reference}"));
    assert_eq!(restored.trim(), format!("Restored order {reference}."));
    assert_eq!(orders(&shop.json("order list")).len(), 1);
    let history = shop.json(&format!("order history {reference}"));
    let last: Vec<&str> = history
        .as_array()
        .expect("an array")
        .iter()
        .rev()
        .take(3)
        .map(|e| e["action"].as_str().expect("an action"))
        .collect();
    assert_eq!(
        last,
        ["order restored", "order archived", "order cancelled"]
    );
}

#[test]
fn order_create_rejects_bad_input() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let create = format!("order create --customer {customer}");
    let fails = |rest: &str, code: i32| shop.fails(&format!("{create} {rest}"), code);
    assert_eq!(
        fails("--item NOPE-1:1", 4),
        "error: product with SKU NOPE-1 was not found"
    );
    assert_eq!(
        fails("--item TEE-RED-M:0", 3),
        "error: quantity for SKU TEE-RED-M must be at least 1"
    );
    assert_eq!(
        fails("--item TEE-RED-M:-2", 3),
        "error: quantity for SKU TEE-RED-M must be at least 1"
    );
    for (rest, needle) in [
        ("--item TEE-RED-M:10001", "at most 10000"),
        ("--item TEE-RED-M:two", "whole number"),
        ("--item TEE-RED-M", "SKU:QTY"),
        ("--item '!:1'", "SKU"),
        (
            "--item TEE-RED-M:21",
            "not enough stock for TEE-RED-M: requested 21, available 20",
        ),
        ("--item TEE-RED-M:1 --shipping teleport", "shipping method"),
        ("--item TEE-RED-M:1 --payment iou", "payment method"),
        ("--item TEE-RED-M:1 --discount BIG:150", "percent"),
        ("--item TEE-RED-M:1 --discount BIG", "LABEL:PERCENT"),
        ("--item TEE-RED-M:1 --discount BIG:lots", "percentage"),
        ("--item TEE-RED-M:1 --ship-to nowhere", "address"),
        (
            "--item TEE-RED-M:1 --idempotency-key 'a b'",
            "idempotency key",
        ),
    ] {
        let error = fails(rest, 3);
        assert!(error.contains(needle), "{rest}: {error}");
    }
    assert_eq!(
        shop.fails("order create --customer 999999 --item TEE-RED-M:1", 4),
        "error: customer 999999 was not found"
    );
    shop.fails("order create --customer ada --item TEE-RED-M:1", 3);
    let nomad = id_text(
        &shop.json("customer add --name Nomad --phone +12025550100 --email nomad@example.com"),
    );
    let error = shop.fails(
        &format!("order create --customer {nomad} --item TEE-RED-M:1"),
        3,
    );
    assert!(error.contains("shipping address"), "{error}");
    let pickup = shop.json(&format!(
        "order create --customer {nomad} --item TEE-RED-M:1 --shipping pickup \
         --ship-to 'Nomad, 1 Camp Road, Moab, 84532, US'"
    ));
    assert_eq!(pickup["totals"]["shipping"], "0.00");
    assert_eq!(
        shop.reserved("TEE-RED-M"),
        1,
        "only the good order reserved stock"
    );
}

#[test]
fn wholesale_customers_get_tier_prices() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let business = id_text(&shop.json(
        "customer add --name 'Grace Hopper' --phone +12025550143 --email grace@example.com \
         --company 'Hopper Systems' --tax-id US-1 --address 'Grace Hopper, 1 Navy Way, Arlington, 22202, US'",
    ));
    let order = shop.order(&business, "TEE-RED-M:12");
    assert_eq!(order["lines"][0]["unit_price"], "6.00");
    let consumer = shop.customer("Ada Lovelace", "+442071234567");
    assert_eq!(
        shop.order(&consumer, "TEE-RED-M:1")["lines"][0]["unit_price"],
        "10.00"
    );
}

#[test]
fn illegal_transitions_and_rules_exit_3() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let reference = text(&shop.order(&customer, "TEE-RED-M:1"), "reference");
    let order = |rest: &str| format!("order {rest}").replace("REF", &reference);
    assert_eq!(
        shop.fails(&order("status REF delivered"), 3),
        "error: cannot move order from placed to delivered; allowed next: confirmed, cancelled"
    );
    assert!(
        shop.fails(&order("status REF cancelled"), 3)
            .contains("ordo order cancel")
    );
    assert!(
        shop.fails(&order("status REF lost"), 3)
            .contains("must be one of")
    );
    assert!(
        shop.fails(&order("status REF draft"), 3)
            .contains("cannot move order")
    );
    for rest in [
        "archive REF --reason tidy",
        "restore REF",
        "set-qty REF TEE-RED-M -3",
        "set-qty REF TEE-RED-M 0",
        "set-qty REF TEE-RED-M many",
        "add-item REF TEE-RED-M -1",
        "remove-item REF TEE-RED-M",
        "cancel REF --reason ' '",
        "set-address REF 'Ada, Leeds'",
    ] {
        shop.fails(&order(rest), 3);
    }
    shop.fails(&order("add-item REF NOPE-1 1"), 4);
    shop.fails(&order("set-qty REF NOPE-1 2"), 4);
    for status in ["confirmed", "picking", "packed"] {
        shop.json(&order(&format!("status REF {status}")));
    }
    shop.fails(&order("cancel REF --reason 'too late'"), 3);
    shop.fails(&order("add-item REF TEE-RED-M 1"), 3);
    shop.json(&order("status REF shipped"));
    shop.fails(
        &order("set-address REF 'Ada, 1 Road, Leeds, LS1 4DY, GB'"),
        3,
    );
    shop.fails(&order("status REF shipped"), 3);
}

#[test]
fn drafts_and_idempotent_creation() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let draft = shop.json(&format!(
        "order create --customer {customer} --item TEE-RED-M:2 --draft"
    ));
    assert_eq!(draft["status"], "draft");
    assert!(draft["reference"].is_null());
    assert_eq!(shop.reserved("TEE-RED-M"), 0);
    assert!(shop.ok("order list").contains("(draft)"));
    shop.fails(&format!("order pay {} --amount 1.00", id_text(&draft)), 3);
    let placed = shop.json(&format!("order status {} placed", id_text(&draft)));
    assert!(placed["reference"].is_string());
    assert_eq!(shop.reserved("TEE-RED-M"), 2);

    let create =
        format!("order create --customer {customer} --item TEE-RED-M:1 --idempotency-key web-1");
    let first = shop.json(&create);
    assert_eq!(shop.json(&create)["id"], first["id"]);
    assert_eq!(shop.reserved("TEE-RED-M"), 3);
    let error = shop.fails(
        &format!("order create --customer {customer} --item TEE-RED-M:2 --idempotency-key web-1"),
        5,
    );
    assert!(error.contains("web-1"), "{error}");
    let message = shop.ok(&format!(
        "order cancel {} --reason 'out of stock'",
        id_text(&draft)
    ));
    assert!(message.starts_with("Cancelled order ORD-"), "{message}");
    assert_eq!(shop.reserved("TEE-RED-M"), 1);
}

#[test]
fn payments_refunds_and_cancellation() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let first = shop.order(&customer, "TEE-RED-M:1");
    let reference = text(&first, "reference");
    let pay = format!("order pay {reference} --amount '5.00 USD' --idempotency-key pay-1");
    assert_eq!(shop.json(&pay)["paid"], "5.00");
    assert_eq!(
        shop.json(&pay)["paid"],
        "5.00",
        "a replay records nothing new"
    );
    assert!(
        shop.ok(&format!("order pay {reference} --amount 1.00"))
            .contains("balance due")
    );
    let pay = |rest: &str| format!("order pay {reference} {rest}");
    shop.fails(&pay("--amount '6.00 USD' --idempotency-key pay-1"), 5);
    shop.fails(&pay("--amount '5.00 EUR'"), 3);
    shop.fails(&pay("--amount -5.00"), 3);
    shop.fails(&pay("--amount 0"), 3);
    shop.fails(&pay("--amount 100000.00"), 3);
    shop.fails(&pay("--amount 1.00 --method barter"), 3);
    shop.fails(&format!("order refund {reference} --amount 7.00"), 3);

    let cancelled = shop.json(&format!(
        "order cancel {reference} --reason 'changed their mind'"
    ));
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "changed their mind");
    assert_eq!(cancelled["refund_due"], "6.00");
    assert!(
        shop.ok(&format!("order show {reference}"))
            .contains("Refund due")
    );
    let refunded = shop.json(&format!("order refund {reference} --amount 6.00"));
    assert_eq!(refunded["refund_due"], "0.00");
    assert_eq!(refunded["payment_status"], "refunded");
    assert_eq!(shop.reserved("TEE-RED-M"), 0);
    assert_eq!(
        shop.json(&format!("order archive {reference} --reason closed"))["archived"],
        true
    );
}

#[test]
fn the_card_lifecycle_authorize_capture_void_refund() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let first = shop.order(&customer, "TEE-RED-M:1");
    let reference = text(&first, "reference");
    let total = text(&first, "total");
    let held = shop.json(&format!(
        "order authorize {reference} --amount '{total} USD' --method card --idempotency-key auth-1"
    ));
    assert_eq!(held["payment_status"], "authorized");
    assert_eq!(held["authorized"], total.as_str());
    let message = shop.ok(&format!("order capture {reference} --amount 5.00"));
    assert!(
        message.starts_with("Recorded a capture of 5.00 USD"),
        "{message}"
    );
    shop.fails(&format!("order refund {reference} --amount 5.01"), 3);
    let message = shop.ok(&format!("order void {reference}"));
    assert!(message.starts_with("Voided the hold of"), "{message}");
    shop.fails(&format!("order void {reference}"), 3);
    shop.fails(&format!("order capture {reference} --amount 0.01"), 3);
    let refunded = shop.json(&format!("order refund {reference} --amount 5.00"));
    assert_eq!(refunded["payment_status"], "refunded");
    let kinds: Vec<&str> = refunded["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["authorization", "capture", "void", "refund"]);
    let help = shop.ok("order capture --help");
    assert!(help.contains("in full or in part"), "{help}");
}

#[test]
fn order_lists_filter_and_page() {
    let shop = Shop::new();
    shop.product("TEE-RED-M");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let alan = shop.customer("Alan Turing", "+442071234568");
    let references: Vec<String> = [&ada, &alan, &ada]
        .iter()
        .map(|customer| text(&shop.order(customer, "TEE-RED-M:1"), "reference"))
        .collect();
    shop.json(&format!("order status {} confirmed", references[0]));

    let all = shop.json("order list");
    assert_eq!(orders(&all).len(), 3);
    assert!(all["next_cursor"].is_null());
    assert_eq!(
        orders(&all)[0]["reference"],
        references[2].as_str(),
        "newest first"
    );

    let first = shop.json("order list --limit 2");
    assert_eq!(orders(&first).len(), 2);
    let cursor = text(&first, "next_cursor");
    let second = shop.json(&format!("order list --limit 2 --cursor {cursor}"));
    assert_eq!(orders(&second).len(), 1);
    assert_eq!(orders(&second)[0]["reference"], references[0].as_str());
    assert!(second["next_cursor"].is_null());
    assert!(
        shop.ok("order list --limit 2")
            .contains(&format!("--cursor {cursor}"))
    );

    assert_eq!(
        orders(&shop.json(&format!("order list --customer {ada}"))).len(),
        2
    );
    assert_eq!(
        orders(&shop.json("order list --customer-name turing")).len(),
        1
    );
    assert_eq!(orders(&shop.json("order list --status confirmed")).len(), 1);
    assert_eq!(orders(&shop.json("order list --status Placed")).len(), 2);

    // Dates are UTC days and --to includes the whole day: today's orders are in today..today.
    let today = text(&orders(&all)[0], "created_at")[..10].to_string();
    assert_eq!(
        orders(&shop.json(&format!("order list --from {today} --to {today}"))).len(),
        3
    );
    assert_eq!(orders(&shop.json("order list --to 2000-01-01")).len(), 0);
    assert_eq!(orders(&shop.json("order list --from 2999-01-01")).len(), 0);
    assert!(
        shop.ok("order list --from 2999-01-01")
            .contains("No orders found")
    );

    assert!(
        shop.fails("order list --from 2026-02-30", 3)
            .contains("from date")
    );
    assert!(
        shop.fails("order list --to yesterday", 3)
            .contains("to date")
    );
    shop.fails("order list --status lost", 3);
    shop.fails("order list --limit 0", 3);
    shop.fails("order list --limit 501", 3);
    shop.fails("order list --cursor not-a-cursor", 3);
    shop.fails("order list --customer ada", 3);
    shop.fails("order list --customer-name ' '", 3);
}

#[test]
fn unknown_and_malformed_orders() {
    let shop = Shop::new();
    shop.fails("order show 424242", 4);
    shop.fails("order show ORD-7K3M-9QX1", 4);
    shop.fails("order show ord7k3m9qx1", 4);
    assert!(shop.fails("order show ORD-7K3M-9QXP", 3).contains("typo"));
    shop.fails("order show ORD-SHORT", 3);
    shop.fails("order history 424242", 4);
    shop.fails("order status 424242 confirmed", 4);
    shop.fails("order cancel 424242 --reason x", 4);
    shop.fails("order archive 424242 --reason x", 4);
    shop.fails("order restore 424242", 4);
    shop.fails("order add-item 424242 TEE-RED-M 1", 4);
    shop.fails(
        "order set-address 424242 'Ada, 1 Road, Leeds, LS1 4DY, GB'",
        4,
    );
    shop.fails("order pay 424242 --amount '1.00 USD'", 4);
    shop.fails("order refund 424242 --amount '1.00 USD'", 4);
}

/// Regression (issue 8): a product at 300000.00 with backorders, ordered ×5000, was priced,
/// committed and acknowledged (`total 1800000005.00 USD`); afterwards `order show`,
/// `order list` and every later backup failed with "corrupted".
#[test]
fn an_order_beyond_the_money_bound_is_refused_and_everything_stays_readable() {
    let shop = Shop::new();
    shop.json("product add --sku BIG --name 'Big machine' --price '300000.00 USD' --backorder");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let error = shop.fails(
        &format!("order create --customer {customer} --item BIG:5000"),
        3,
    );
    assert_eq!(
        error,
        "error: line 1 (SKU BIG) total exceeds the largest amount ordo stores \
         (1,000,000,000.00 USD)"
    );
    // 3,000 fit on the line, but not with their tax in the order total.
    let error = shop.fails(
        &format!("order create --customer {customer} --item BIG:3000"),
        3,
    );
    assert!(error.starts_with("error: order total exceeds"), "{error}");
    let kept = shop.order(&customer, "BIG:2000");
    assert_eq!(text(&kept, "total"), "720000005.00");
    let page = shop.json("order list");
    assert_eq!(orders(&page).len(), 1);
    shop.json(&format!("order show {}", text(&kept, "reference")));
    let file = shop.dir.path().join("after.ordo-backup");
    shop.json(&format!("backup --to '{}'", file.display()));
    shop.json(&format!("verify '{}'", file.display()));
}

/// One order whose stored bytes no longer decode: `order list` still lists the others and
/// warns on stderr naming it (stdout keeps one JSON value); `order show` of it fails.
#[test]
fn order_list_survives_a_damaged_order_and_warns() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let customer = shop.customer("Ada Lovelace", "+442071234567");
    let ids: Vec<u64> = (0..3)
        .map(|_| shop.order(&customer, "MUG-1:1")["id"].as_u64().unwrap())
        .collect();
    {
        let db = sled::open(shop.dir.path()).unwrap();
        let tree = db.open_tree("orders").unwrap();
        tree.insert(ids[1].to_be_bytes(), &[1u8, 1, 0xff, 0xff][..])
            .unwrap();
        db.flush().unwrap();
    }
    let output = shop.run("order list --json");
    assert!(output.status.success());
    let response: Value = serde_json::from_slice(&output.stdout).unwrap();
    let listed: Vec<u64> = orders(&response["ok"])
        .iter()
        .map(|o| o["id"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, vec![ids[2], ids[0]]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("warning: 1 record(s) could not be read and are left out of this list"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("order/{}", ids[1])), "{stderr}");
    let human = shop.run("order list");
    assert!(human.status.success());
    assert!(String::from_utf8_lossy(&human.stderr).starts_with("warning: "));
    let error = shop.fails(&format!("order show {}", ids[1]), 1);
    assert!(error.contains("is corrupted"), "{error}");
}
