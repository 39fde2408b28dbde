//! `ordo return …` on the real binary: a delivered order's units come back, one restocked
//! into a chosen warehouse and one written off, refunded within what they were paid; a
//! second return is exchanged; refusals have their exit codes; a customer (`--as`) opens
//! and reads their own returns and gets not-found (exit 4) for another customer's.

use crate::support::{Shop, len};

const ADA_PW: &str = "rainy-tulip-orbit-42";
const GRACE_PW: &str = "quiet-harbour-9-meadow";

fn on_hand(shop: &Shop, sku: &str, warehouse: &str) -> u64 {
    let product = shop.json(&format!("product show {sku}"));
    product["stock"]["warehouses"]
        .as_array()
        .expect("warehouses")
        .iter()
        .find(|l| l["warehouse"] == warehouse)
        .map_or(0, |l| l["on_hand"].as_u64().expect("on hand"))
}

#[test]
fn a_return_is_received_restocked_written_off_refunded_and_exchanged() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let order = shop.order(&ada, "MUG-1:3");
    let reference = order["reference"]
        .as_str()
        .expect("a reference")
        .to_string();
    // Nothing delivered yet: refused by a rule (exit 3).
    let early = shop.fails(
        &format!("return open {reference} --line MUG-1:1 --reason 'too big'"),
        3,
    );
    assert!(early.contains("takes no return"), "{early}");
    let total = order["totals"]["total"]
        .as_str()
        .expect("a total")
        .to_string();
    shop.json(&format!(
        "order pay {reference} --amount {total} --method cash"
    ));
    shop.ok(&format!("order advance {reference} --to packed"));
    shop.ok(&format!(
        "order ship {reference} --carrier dhl --tracking JD0000000001"
    ));
    // Shipped, still in transit: nothing delivered to return.
    shop.fails(
        &format!("return open {reference} --line MUG-1:1 --reason 'too big'"),
        3,
    );
    shop.ok(&format!("order advance {reference} --to delivered"));

    let opened = shop.json(&format!(
        "return open {reference} --line MUG-1:2 --reason 'arrived chipped'"
    ));
    let id = opened["id"].as_u64().expect("an id");
    assert_eq!(opened["status"], "requested");
    // Two of three are in this return: a second one for two more is refused.
    shop.fails(
        &format!("return open {reference} --line MUG-1:2 --reason 'more'"),
        3,
    );
    shop.fails(&format!("return receive {id} --restock MUG-1:2@MAIN"), 3);
    let approved = shop.ok(&format!("return approve {id}"));
    assert!(
        approved.contains(&format!("Return {id} approved.")),
        "{approved}"
    );
    // Every unit once: one is not enough.
    shop.fails(&format!("return receive {id} --restock MUG-1:1@MAIN"), 3);
    shop.fails(&format!("return receive {id} --restock MUG-1:2"), 3);
    let main_before = on_hand(&shop, "MUG-1", "MAIN");
    let received = shop.json(&format!(
        "return receive {id} --restock MUG-1:1@EAST --write-off 'MUG-1:1:chipped rim'"
    ));
    assert_eq!(received["status"], "received");
    assert_eq!(len(&received["inspections"]), 2);
    assert_eq!(on_hand(&shop, "MUG-1", "EAST"), 1, "restocked where named");
    assert_eq!(
        on_hand(&shop, "MUG-1", "MAIN"),
        main_before,
        "written off: not back"
    );
    let limit = received["refund_limit"]
        .as_str()
        .expect("a limit")
        .to_string();
    let too_much = shop.fails(&format!("return refund {id} --amount 999.00"), 3);
    assert!(too_much.contains("were paid"), "{too_much}");
    let refunded = shop.ok(&format!("return refund {id} --reference RF-1"));
    assert!(
        refunded.contains(&format!("refunded: {limit} USD")),
        "{refunded}"
    );
    let shown = shop.ok(&format!("return show {id}"));
    assert!(
        shown.contains("restocked in EAST") && shown.contains("written off: chipped rim"),
        "{shown}"
    );
    let ledger = shop.json(&format!("order show {reference}"));
    assert!(ledger.to_string().contains(&limit), "{ledger}");

    // The third mug comes back too, and is exchanged for a new one from MAIN.
    let second = shop.json(&format!(
        "return open {reference} --line MUG-1:1 --reason 'wrong colour'"
    ));
    let second_id = second["id"].as_u64().expect("an id");
    shop.ok(&format!("return approve {second_id}"));
    shop.ok(&format!(
        "return receive {second_id} --restock MUG-1:1@MAIN"
    ));
    let before = on_hand(&shop, "MUG-1", "MAIN");
    let exchanged = shop.json(&format!(
        "return exchange {second_id} --line MUG-1:1 --warehouse MAIN --carrier ups --tracking 1Z999AA10123456784"
    ));
    assert_eq!(exchanged["status"], "exchanged");
    assert_eq!(on_hand(&shop, "MUG-1", "MAIN"), before - 1);
    shop.fails(&format!("return refund {second_id}"), 3);
    // The replacement left as a parcel of the order that carriers track.
    let parcels = shop.json(&format!("order shipments {reference}"));
    let replacement = parcels
        .as_array()
        .and_then(|all| all.iter().find(|p| p["for_return_id"] == second_id))
        .unwrap_or_else(|| panic!("no replacement parcel in {parcels}"));
    assert_eq!(replacement["tracking_number"], "1Z999AA10123456784");
    assert_eq!(replacement["status"], "in_transit");
    let table = shop.ok(&format!("order shipments {reference}"));
    assert!(
        table.contains(&format!("(replacement, return {second_id})")),
        "{table}"
    );

    let listed = shop.json(&format!("return list --order {reference}"));
    assert_eq!(len(&listed["items"]), 2);
    let table = shop.ok("return list --status exchanged");
    assert!(table.contains("1 return(s)"), "{table}");
    shop.fails("return list --status lost", 3);
    shop.fails("return show 999999", 4);
    let help = shop.ok("return receive --help");
    assert!(help.contains("--write-off SKU:QTY:REASON"), "{help}");
}

#[test]
fn customers_open_and_read_only_their_own_returns() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let grace = shop.customer("Grace Hopper", "+12025550143");
    shop.json_env(
        &format!("customer set-password {ada} --login ada"),
        &[("ORDO_PASSWORD", ADA_PW)],
    );
    shop.json_env(
        &format!("customer set-password {grace} --login grace"),
        &[("ORDO_PASSWORD", GRACE_PW)],
    );
    let order = shop.order(&ada, "MUG-1:2");
    let reference = order["reference"]
        .as_str()
        .expect("a reference")
        .to_string();
    shop.ok(&format!("order advance {reference} --to delivered"));
    let ada_pw = [("ORDO_PASSWORD", ADA_PW)];
    let grace_pw = [("ORDO_PASSWORD", GRACE_PW)];
    let mine = shop.json_env(
        &format!("--as ada return open {reference} --line MUG-1:1 --reason 'too small'"),
        &ada_pw,
    );
    let id = mine["id"].as_u64().expect("an id");
    // Grace cannot open one on Ada's order, nor see Ada's return: not found, like a
    // return that does not exist.
    shop.fails_env(
        &format!("--as grace return open {reference} --line MUG-1:1 --reason 'x'"),
        &grace_pw,
        4,
    );
    let hidden = shop.fails_env(&format!("--as grace return show {id}"), &grace_pw, 4);
    let absent = shop.fails_env("--as grace return show 999999", &grace_pw, 4);
    assert_eq!(
        hidden.replace(&id.to_string(), "#"),
        absent.replace("999999", "#")
    );
    // Ada reads her own, but does not approve it.
    let seen = shop.json_env(&format!("--as ada return show {id}"), &ada_pw);
    assert_eq!(seen["status"], "requested");
    shop.fails_env(&format!("--as ada return approve {id}"), &ada_pw, 6);
    let theirs = shop.json_env("--as grace return list", &grace_pw);
    assert_eq!(len(&theirs["items"]), 0);
    let own = shop.json_env("--as ada return list", &ada_pw);
    assert_eq!(len(&own["items"]), 1);
}

#[test]
fn the_demo_takes_returns_back_restocked_refunded_and_written_off() {
    let shop = Shop::new();
    let demo = shop.json("demo --scale 20");
    let opened = demo["returns"].as_u64().expect("returns");
    assert!(opened >= 3, "{demo}");
    let listed = shop.json("return list");
    assert_eq!(len(&listed["items"]) as u64, opened);
    let statuses: Vec<String> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or("").to_string())
        .collect();
    // The exchange becomes a refund when the item now costs more than was paid.
    for wanted in ["refunded", "approved", "refused"] {
        assert!(statuses.iter().any(|s| s == wanted), "{statuses:?}");
    }
    // Refunded: one restocked, one written off (damaged units are refunded too).
    let outcomes: Vec<String> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| r["status"] == "refunded")
        .map(|r| {
            r["inspections"][0]["outcome"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(outcomes, vec!["restocked", "written_off"]);
}
