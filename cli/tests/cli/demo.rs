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
    assert_eq!(made["tickets"], 10);
    let tickets = shop.json("ticket list --limit 100");
    let tickets = tickets["items"].as_array().expect("a page of tickets");
    assert_eq!(tickets.len(), 10);
    assert!(
        tickets.iter().any(|t| t["status"] != "open"),
        "the desk worked some: {tickets:?}"
    );
    // Nothing the demo made is dated after the moment it finished.
    let now = ordo_core::clock::Clock::now(&ordo_core::clock::SystemClock).to_string();
    for ticket in tickets {
        assert!(text(ticket, "updated_at") <= now, "{ticket} after {now}");
    }
    let returns = shop.json("return list --limit 100");
    let returns = returns["items"].as_array().expect("a page of returns");
    assert_eq!(returns.len(), 5);
    assert_eq!(made["returns"], 5);
    for ret in returns {
        assert!(text(ret, "created_at") <= now, "{ret} after {now}");
        let order = shop.json(&format!("order show {}", ret["order_id"]));
        let delivered = order["status_history"]
            .as_array()
            .expect("a history")
            .iter()
            .find(|change| change["status"] == "delivered")
            .map(|change| text(change, "at"))
            .expect("a returned order was delivered");
        assert!(
            delivered <= text(ret, "created_at"),
            "return {ret} opened before its order was delivered at {delivered}"
        );
    }
    assert_eq!(made["warehouses"], serde_json::json!(["MAIN", "EAST"]));
    assert_eq!(made["registrations"], 5);
    assert_eq!(made["customer_logins"], 20);
    assert_eq!(len(&made["staff"]), 6);
    // The demo shop has a seller for its invoices and labels.
    assert_eq!(
        shop.json("settings show")["seller"]["name"],
        "Ordo Demo Outfitters Ltd"
    );

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
    let customers = shop.json("customer list --limit 1000")["items"].clone();
    let customers = customers.as_array().expect("an array");
    assert_eq!(customers.len(), 55);
    let count = |status: &str| customers.iter().filter(|c| c["status"] == status).count();
    assert_eq!(count("active"), 50);
    assert_eq!(count("pending approval"), 2);
    assert_eq!(count("pending verification"), 3);
    let active = customers.iter().filter(|c| c["status"] == "active");
    assert!(
        active
            .clone()
            .all(|c| text(c, "registration_id").starts_with("CUS-"))
    );
    assert_eq!(
        active.clone().filter(|c| c["login"].is_string()).count(),
        20
    );
    let businesses = active
        .filter(|c| c["kind"] == "b2b" && c["tax_id"].is_string())
        .count();
    assert_eq!(businesses, 10);
    let products = shop.json("product list")["items"].clone();
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
    assert_eq!(len(&shop.json("customer list --limit 1000")["items"]), 55);
    assert_eq!(len(&shop.json("user list")["items"]), 6);
    assert_eq!(len(&shop.json("product list")["items"]), 50);
}

#[test]
fn demo_accounts_sign_in_and_registrations_wait() {
    let shop = Shop::new();
    let made = shop.json("demo --scale 5");
    let staff = made["staff"].as_array().expect("staff");
    let roles: Vec<&str> = staff
        .iter()
        .map(|s| s["role"].as_str().expect("a role"))
        .collect();
    assert_eq!(
        roles,
        [
            "admin",
            "order-processor",
            "customer-service",
            "sales",
            "warehouse",
            "analyst"
        ]
    );
    let password = |role: &str| {
        let user = staff.iter().find(|s| s["role"] == role).expect("the role");
        text(user, "password")
    };
    let codes = shop.json("outbox list");
    assert_eq!(
        len(&codes),
        3,
        "only the waiting codes are pending: {codes}"
    );
    assert!(
        codes
            .as_array()
            .expect("an array")
            .iter()
            .all(|n| n["event"] == "verification code"
                && text(n, "text").contains("verification code is"))
    );
    let waiting = shop.json("customer list --limit 1000")["items"].clone();
    let business = waiting
        .as_array()
        .expect("an array")
        .iter()
        .find(|c| c["status"] == "pending approval")
        .expect("a business waiting for approval");
    let sales = password("sales");
    let approved = shop.json_env(
        &format!("--as sales customer approve {}", business["id"]),
        &[("ORDO_PASSWORD", sales.as_str())],
    );
    assert_eq!(approved["status"], "active");
    let warehouse = password("warehouse");
    shop.fails_env(
        &format!("--as warehouse customer approve {}", business["id"]),
        &[("ORDO_PASSWORD", warehouse.as_str())],
        6,
    );
    let example = &made["customer_login"];
    let session = shop.json_env(
        &format!("login {}", text(example, "login")),
        &[("ORDO_PASSWORD", text(example, "password").as_str())],
    );
    let mine = shop.json_env(
        "order list --limit 500",
        &[("ORDO_TOKEN", text(&session, "token").as_str())],
    );
    assert!(
        orders(&mine)
            .iter()
            .all(|o| o["customer_id"] == example["customer_id"])
    );
    shop.fails("admin init --name 'Second Admin' --login second", 3);
}

#[test]
fn the_demo_runs_after_admin_init() {
    let shop = Shop::new();
    shop.json_env(
        "admin init --name 'Morgan Reyes' --login morgan",
        &[("ORDO_PASSWORD", "amber-canyon-lantern-7")],
    );
    let made = shop.json("demo --scale 1");
    assert_eq!(made["created"], true);
    assert_eq!(len(&shop.json("user list")["items"]), 7);
}

#[test]
fn the_demo_tour_works() {
    let shop = Shop::new();
    let tour = shop.ok("demo --scale 5");
    assert!(tour.contains("A short tour"), "{tour}");
    assert!(
        tour.contains("Staff sign-ins") && tour.contains("Customer sign-in"),
        "{tour}"
    );
    let admin = tour
        .lines()
        .find(|l| l.trim_start().starts_with("admin "))
        .expect("the admin's password");
    let password = admin.split_whitespace().nth(1).expect("a password");
    shop.json_env("--as admin user list", &[("ORDO_PASSWORD", password)]);
    let show = tour
        .lines()
        .find(|l| l.contains(" order show ORD-"))
        .expect("the tour shows an order");
    let reference = show
        .split_whitespace()
        .find(|w| w.starts_with("ORD-"))
        .expect("a reference");
    assert!(shop.json(&format!("order show {reference}"))["id"].is_u64());
    // Every command of the short tour runs as printed, in order.
    let commands: Vec<String> = tour
        .lines()
        .skip_while(|l| !l.starts_with("A short tour"))
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("ordo "))
        .map(|l| {
            let command = l.split(" # ").next().unwrap_or_default().trim();
            let command = command.trim_start_matches("ordo ");
            // The tour names the data directory; the shop sets it itself.
            let words: Vec<&str> = command.split_whitespace().collect();
            match words.as_slice() {
                ["--data", _, rest @ ..] => rest.join(" "),
                rest => rest.join(" "),
            }
        })
        .collect();
    assert!(commands.len() >= 10, "{commands:?}");
    for command in &commands {
        shop.ok(command);
    }
    let shipped = shop.json(&format!("order show {reference}"));
    assert_eq!(shipped["status"], "shipped");
    assert!(
        shop.ok("product show TEE-CLASSIC-BLK-M")
            .contains("Wholesale prices")
    );
}
