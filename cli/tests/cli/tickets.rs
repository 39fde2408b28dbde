//! `ordo ticket …` on the real binary: staff open, assign, comment and resolve; a customer
//! (`--as`) opens and reads their own, never sees internal comments, and gets not-found
//! (exit 4) for another customer's ticket; `customer purchases` shows tickets.

use crate::support::{Shop, id_text, len};

const AGENT_PW: &str = "cobalt-heron-meadow-3";
const ADA_PW: &str = "rainy-tulip-orbit-42";
const GRACE_PW: &str = "quiet-harbour-9-meadow";

/// A shop with a customer-service agent and two customers with logins; returns
/// (agent's user id, Ada's id, Grace's id, Ada's order reference).
fn desk(shop: &Shop) -> (String, String, String, String) {
    shop.product("MUG-1");
    let agent = shop.json_env(
        "user add --name 'Cy Desk' --login cydesk --role customer-service",
        &[("ORDO_PASSWORD", AGENT_PW)],
    );
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
    let order = shop.order(&ada, "MUG-1:1");
    let reference = order["reference"]
        .as_str()
        .expect("a reference")
        .to_string();
    (id_text(&agent), ada, grace, reference)
}

#[test]
fn staff_open_assign_comment_and_resolve_a_ticket() {
    let shop = Shop::new();
    let (agent, ada, _, reference) = desk(&shop);
    let agent_pw = [("ORDO_PASSWORD", AGENT_PW)];
    let opened = shop.json_env(
        &format!(
            "--as cydesk ticket open --customer {ada} --order {reference} \
             --subject 'Chipped mug' --priority high --message 'The handle is chipped.'"
        ),
        &agent_pw,
    );
    let id = id_text(&opened);
    assert_eq!(opened["status"], "open");
    assert_eq!(opened["priority"], "high");
    assert_eq!(len(&opened["comments"]), 1);
    // By login or by id.
    let assigned = shop.json(&format!("ticket assign {id} cydesk"));
    assert_eq!(assigned["assignee_id"].to_string(), agent);
    let assigned = shop.json(&format!("ticket assign {id} {agent}"));
    assert_eq!(assigned["assignee_id"].to_string(), agent);
    let error = shop.fails(&format!("ticket assign {id} nosuchagent"), 4);
    assert!(error.contains("nosuchagent"), "{error}");
    shop.json_env(
        &format!("--as cydesk ticket comment {id} --internal 'Third this month.'"),
        &agent_pw,
    );
    let said = shop.ok(&format!("ticket comment {id} 'A new mug is on its way.'"));
    assert!(
        said.contains(&format!("Comment added to ticket {id}.")),
        "{said}"
    );
    let resolved = shop.json_env(
        &format!("--as cydesk ticket status {id} resolved"),
        &agent_pw,
    );
    assert_eq!(resolved["status"], "resolved");
    // The table shows the internal comment marked as such, for staff.
    let page = shop.ok(&format!("ticket show {id}"));
    assert!(
        page.contains("Chipped mug") && page.contains("[internal]"),
        "{page}"
    );
    assert!(page.contains("Third this month."), "{page}");
    // Filters: by assignee, status, customer and order (by reference).
    for filter in [
        format!("--assignee {agent}"),
        "--assignee cydesk".to_string(),
        "--status resolved".to_string(),
        format!("--customer {ada}"),
        format!("--order {reference}"),
    ] {
        let listed = shop.json(&format!("ticket list {filter}"));
        assert_eq!(len(&listed["items"]), 1, "{filter}");
        assert_eq!(id_text(&listed["items"][0]), id, "{filter}");
    }
    assert_eq!(len(&shop.json("ticket list --status open")["items"]), 0);
    let table = shop.ok("ticket list");
    assert!(
        table.contains("Chipped mug") && table.contains("1 ticket(s)"),
        "{table}"
    );
    // Closed is final: a lifecycle refusal (exit 3), a bad status word too.
    shop.json(&format!("ticket status {id} closed"));
    let error = shop.fails(&format!("ticket status {id} open"), 3);
    assert!(
        error.contains("closed ticket cannot become open"),
        "{error}"
    );
    shop.fails(&format!("ticket comment {id} 'too late'"), 3);
    shop.fails(&format!("ticket status {id} finished"), 3);
    shop.fails("ticket show 999999", 4);
    // A warehouse user may not work tickets (exit 6).
    shop.json_env(
        "user add --name 'Sam Okafor' --login sam --role warehouse",
        &[("ORDO_PASSWORD", "flint-prairie-otter-9")],
    );
    shop.fails_env(
        &format!("--as sam ticket comment {id} hello"),
        &[("ORDO_PASSWORD", "flint-prairie-otter-9")],
        6,
    );
    // Every change is on the customer's audit trail: opened, assigned (twice), two
    // comments, resolved, closed.
    let history = shop.json(&format!("customer history {ada}"));
    let ticket_entries = history
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| {
            e["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("ticket"))
        })
        .count();
    assert_eq!(ticket_entries, 7);
    // The communication log shows the opening and the comment Ada saw, not the note.
    let log = shop.ok(&format!("customer log {ada}"));
    assert!(
        log.contains("Chipped mug\" opened: The handle is chipped.")
            && log.contains("A new mug is on its way."),
        "{log}"
    );
    assert!(!log.contains("Third this month."), "{log}");
}

#[test]
fn a_customer_opens_and_reads_their_own_tickets_only_without_internal_comments() {
    let shop = Shop::new();
    let (_, ada, grace, reference) = desk(&shop);
    let ada_pw = [("ORDO_PASSWORD", ADA_PW)];
    let grace_pw = [("ORDO_PASSWORD", GRACE_PW)];
    let opened = shop.json_env(
        &format!("--as ada ticket open --order {reference} --subject 'Wrong colour'"),
        &ada_pw,
    );
    let id = id_text(&opened);
    assert_eq!(opened["customer_id"].to_string(), ada);
    shop.json(&format!(
        "ticket comment {id} --internal 'Check the picking list.'"
    ));
    shop.json(&format!("ticket comment {id} 'Sorry! We will swap it.'"));
    shop.json(&format!("ticket status {id} pending"));
    // Ada sees the visible comment only, in JSON and in the table.
    let seen = shop.json_env(&format!("--as ada ticket show {id}"), &ada_pw);
    assert_eq!(len(&seen["comments"]), 1);
    assert_eq!(seen["comments"][0]["internal"], false);
    let page = shop.ok_env(&format!("--as ada ticket show {id}"), &ada_pw);
    assert!(
        !page.contains("picking list") && !page.contains("[internal]"),
        "{page}"
    );
    let mine = shop.json_env("--as ada ticket list", &ada_pw);
    assert_eq!(len(&mine["items"]), 1);
    assert_eq!(len(&mine["items"][0]["comments"]), 1);
    // Her answer puts the ticket back in the queue.
    let answered = shop.json_env(&format!("--as ada ticket comment {id} 'Thanks!'"), &ada_pw);
    assert_eq!(answered["status"], "open");
    // She may not write internal notes or change the status (exit 6).
    shop.fails_env(
        &format!("--as ada ticket comment {id} --internal psst"),
        &ada_pw,
        6,
    );
    shop.fails_env(&format!("--as ada ticket status {id} closed"), &ada_pw, 6);
    // Grace gets exactly the not-found of a missing ticket for Ada's (exit 4).
    let hidden = shop.fails_env(&format!("--as grace ticket show {id}"), &grace_pw, 4);
    let missing = shop.fails_env("--as grace ticket show 999999", &grace_pw, 4);
    assert_eq!(
        hidden.replace(&id, "#"),
        missing.replace("999999", "#"),
        "a hidden ticket must read like a missing one"
    );
    shop.fails_env(&format!("--as grace ticket comment {id} hi"), &grace_pw, 4);
    // She cannot open one about Ada's order or for Ada either.
    shop.fails_env(
        &format!("--as grace ticket open --order {reference} --subject x"),
        &grace_pw,
        4,
    );
    shop.fails_env(
        &format!("--as grace ticket open --customer {ada} --subject x"),
        &grace_pw,
        4,
    );
    let theirs = shop.json_env(
        &format!("--as grace ticket list --customer {ada}"),
        &grace_pw,
    );
    assert_eq!(len(&theirs["items"]), 0);
    // Purchases show the tickets: staff see every comment, Ada only the visible ones.
    let staff_view = shop.json(&format!("customer purchases {ada}"));
    assert_eq!(len(&staff_view["tickets"]), 1);
    assert_eq!(len(&staff_view["tickets"][0]["comments"]), 3);
    let hers = shop.json_env(&format!("--as ada customer purchases {ada}"), &ada_pw);
    assert_eq!(len(&hers["tickets"]), 1);
    assert_eq!(len(&hers["tickets"][0]["comments"]), 2);
    let table = shop.ok(&format!("customer purchases {ada}"));
    assert!(
        table.contains("Service tickets") && table.contains("Wrong colour"),
        "{table}"
    );
    let _ = grace;
}

#[test]
fn ticket_help_teaches_with_examples() {
    let shop = Shop::new();
    let help = shop.ok("ticket --help");
    assert!(
        help.contains("internal") && help.contains("closed"),
        "{help}"
    );
    for sub in ["open", "comment", "assign", "status", "show", "list"] {
        let page = shop.ok(&format!("ticket {sub} --help"));
        assert!(page.contains("Examples:"), "ticket {sub}: {page}");
        assert!(
            page.contains(&format!("ordo ticket {sub}")),
            "ticket {sub}: {page}"
        );
    }
}
