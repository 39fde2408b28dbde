//! Every op through [`execute_json`], as a host would send it: the happy path of each and
//! the main refusals, and the page `docs/api.md` checked against the code.

use std::sync::Arc;

use ordo_core::Engine;
use ordo_core::clock::ManualClock;
use ordo_core::store::MemoryStore;
use ordo_core::testkit::sample;
use serde_json::{Value, json};

use super::{Caller, execute_json};
use crate::request::OPS;

fn engine() -> (Engine<MemoryStore>, Arc<ManualClock>) {
    sample::engine_with_cheap_passwords(MemoryStore::new(), 5)
}

/// A host talking to one engine: sends JSON, gets JSON back.
struct Host {
    engine: Engine<MemoryStore>,
    clock: Arc<ManualClock>,
    caller: Caller,
}

impl Host {
    fn new() -> Host {
        let (engine, clock) = engine();
        Host {
            engine,
            clock,
            caller: Caller::Local {
                name: "test-host".into(),
            },
        }
    }

    /// Sends `op` with `args` (and `session`), returns (status, response JSON).
    fn send(&self, op: &str, args: Value, session: Option<&str>) -> (i32, Value) {
        let mut request = json!({"op": op, "args": args});
        if let Some(token) = session {
            request["session"] = json!(token);
        }
        let response = execute_json(&self.engine, &self.caller, &request.to_string());
        let text = response.to_json();
        (response.status(), serde_json::from_str(&text).unwrap())
    }

    /// `op` must succeed; its `ok` value.
    fn ok(&self, op: &str, args: Value) -> Value {
        self.ok_as(op, args, None)
    }

    fn ok_as(&self, op: &str, args: Value, session: Option<&str>) -> Value {
        let (status, response) = self.send(op, args, session);
        assert_eq!(status, 0, "{op}: {response}");
        response["ok"].clone()
    }

    /// `op` must fail with `status` and `code`; its error object.
    fn fails(
        &self,
        op: &str,
        args: Value,
        session: Option<&str>,
        status: i32,
        code: &str,
    ) -> Value {
        let (got, response) = self.send(op, args, session);
        assert_eq!(got, status, "{op}: {response}");
        assert_eq!(response["error"]["code"], code, "{op}: {response}");
        response["error"].clone()
    }
}

fn product(sku: &str) -> Value {
    json!({"sku": sku, "name": format!("Product {sku}"), "base_price": {"amount": "10.00", "currency": "USD"}, "tax_category": "standard"})
}

fn customer(n: u64) -> Value {
    serde_json::to_value(sample::customer(n)).unwrap()
}

/// A shop with MUG (10 in MAIN) and customer 2 (Ada, with a login).
fn shop() -> (Host, u64) {
    let host = Host::new();
    host.ok("product.create", product("MUG"));
    host.ok(
        "product.restock",
        json!({"sku": "MUG", "warehouse": "MAIN", "quantity": 10, "reason": "delivery"}),
    );
    let ada = host.ok("customer.create", customer(1))["id"]
        .as_u64()
        .unwrap();
    host.ok(
        "customer.set_password",
        json!({"customer": ada, "login": "ada", "password": "rainy-tulip-orbit-42"}),
    );
    (host, ada)
}

#[test]
fn the_catalog_ops() {
    let (host, _) = shop();
    let mug = host.ok("product.get", json!({"sku": "MUG"}));
    assert_eq!(mug["sku"], "MUG");
    assert_eq!(
        host.ok("product.get", json!({"id": mug["id"]}))["sku"],
        "MUG"
    );
    let renamed = host.ok("product.update", json!({"sku": "MUG", "name": "Big mug"}));
    assert_eq!(renamed["name"], "Big mug");
    assert_eq!(renamed["sku"], "MUG", "fields not named stay");
    host.fails(
        "product.update",
        json!({"sku": "MUG", "nmae": "typo"}),
        None,
        2,
        "invalid_arguments",
    );
    // Media with captions: the whole list, then photos as URLs keep the captions they had.
    let with_media = host.ok(
        "product.update",
        json!({"sku": "MUG", "media": [
            {"kind": "photo", "url": "https://cdn.example.com/mug.jpg", "caption": "Front"},
            {"kind": "video", "url": "https://video.example.com/mug", "caption": "Spin"},
        ]}),
    );
    assert_eq!(with_media["media"][0]["caption"], "Front", "{with_media}");
    let photos = host.ok(
        "product.update",
        json!({"sku": "MUG", "photos": ["https://cdn.example.com/mug.jpg", "https://cdn.example.com/mug-2.jpg"]}),
    );
    let captions: Vec<(&str, &str)> = photos["media"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["url"].as_str().unwrap(), m["caption"].as_str().unwrap()))
        .collect();
    assert_eq!(
        captions,
        vec![
            ("https://video.example.com/mug", "Spin"),
            ("https://cdn.example.com/mug.jpg", "Front"),
            ("https://cdn.example.com/mug-2.jpg", ""),
        ]
    );
    host.fails(
        "product.update",
        json!({"sku": "MUG", "media": [], "photos": []}),
        None,
        3,
        "invalid_value",
    );
    let adjusted = host.ok(
        "product.adjust",
        json!({"sku": "MUG", "warehouse": "MAIN", "quantity": -3, "reason": "broken"}),
    );
    assert_eq!(adjusted["stock"]["on_hand"], 7, "{adjusted}");
    let page = host.ok("product.list", json!({"limit": 10}));
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    host.fails("product.get", json!({"sku": "NOPE"}), None, 4, "not_found");
    host.fails("product.create", product("MUG"), None, 5, "duplicate");
    host.fails(
        "product.restock",
        json!({"sku": "MUG", "warehouse": "MAIN", "quantity": -1, "reason": "x"}),
        None,
        3,
        "invalid_value",
    );
}

#[test]
fn the_customer_ops() {
    let (host, ada) = shop();
    assert_eq!(host.ok("customer.get", json!({"id": ada}))["id"], ada);
    assert_eq!(
        host.ok("customer.get", json!({"phone": sample::customer(1).phone}))["id"],
        ada
    );
    let listed = host.ok("customer.list", json!({"name": "example"}));
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let updated = host.ok(
        "customer.update",
        json!({"customer": ada, "name": "Ada King"}),
    );
    assert_eq!(updated["name"], "Ada King");
    assert_eq!(
        updated["phone"],
        sample::customer(1).phone,
        "fields not named stay"
    );
    // Registration through to verification, by handle.
    let registered = host.ok("customer.register", json!({"customer": customer(2)}));
    let handle = registered["registration_handle"]
        .as_str()
        .unwrap()
        .to_string();
    let code = pending_code(&host);
    host.fails(
        "customer.resend_code",
        json!({"registration": handle}),
        None,
        3,
        "resend_too_soon",
    );
    let verified = host.ok(
        "customer.verify",
        json!({"registration": handle, "code": code, "login": "bob", "password": "velvet-harbor-lamp-2024"}),
    );
    assert_eq!(verified["status"], "active");
    host.fails(
        "customer.verify",
        json!({"registration": handle, "code": code, "login": "bob", "password": "velvet-harbor-lamp-2024"}),
        None,
        4,
        "not_found",
    );
    // A business: approve; another: reject.
    let mut acme = customer(3);
    acme["business"] = json!(["Acme Ltd", "GB123"]);
    let business = host.ok("customer.register", json!({"customer": acme}));
    let handle = business["registration_handle"]
        .as_str()
        .unwrap()
        .to_string();
    host.ok(
        "customer.verify",
        json!({"registration": handle, "code": pending_code(&host), "login": "acme", "password": "velvet-harbor-lamp-2024"}),
    );
    assert_eq!(
        host.ok("customer.approve", json!({"customer": business["id"]}))["status"],
        "active"
    );
    let other = host.ok("customer.register", json!({"customer": customer(4)}));
    assert_eq!(
        host.ok(
            "customer.reject",
            json!({"customer": other["id"], "reason": "duplicate"})
        )["status"],
        "rejected"
    );
    // History, purchases, the log.
    assert!(
        !host
            .ok("customer.history", json!({"customer": ada}))
            .as_array()
            .unwrap()
            .is_empty()
    );
    host.ok("order.create", json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 1}], "shipping": "standard", "payment": "card"}));
    assert_eq!(
        host.ok("customer.purchases", json!({"customer": ada}))["order_count"],
        1
    );
    host.ok(
        "customer.log",
        json!({"customer": ada, "text": "called about delivery"}),
    );
    assert_eq!(
        host.ok("customer.messages", json!({"customer": ada}))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    host.fails("customer.get", json!({"id": 999}), None, 4, "not_found");
    host.fails("customer.create", customer(1), None, 5, "duplicate");
}

/// The newest verification code in the outbox, as the dispatcher would send it.
fn pending_code(host: &Host) -> String {
    let pending = host.ok("outbox.list", json!({"limit": 1000}));
    let text = pending
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|n| n["event"] == "verification code" || n["event"] == "contact change code")
        .map(|n| n["text"].as_str().unwrap().to_string())
        .unwrap();
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string()
}

#[test]
fn the_order_and_payment_ops() {
    let (host, ada) = shop();
    host.ok("product.create", product("TEE"));
    host.ok(
        "product.restock",
        json!({"sku": "TEE", "warehouse": "MAIN", "quantity": 10, "reason": "delivery"}),
    );
    let order = host.ok(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 2}], "shipping": "standard", "payment": "card", "idempotency_key": "k-1"}),
    );
    let reference = order["reference"].as_str().unwrap().to_string();
    let by_reference = json!({"reference": reference});
    assert_eq!(
        host.ok("order.get", by_reference.clone())["id"],
        order["id"]
    );
    assert_eq!(
        host.ok("order.get", json!({"id": order["id"]}))["reference"],
        reference.as_str()
    );
    host.ok(
        "order.add_item",
        json!({"order": by_reference, "sku": "TEE", "quantity": 1}),
    );
    host.ok(
        "order.set_quantity",
        json!({"order": reference, "sku": "TEE", "quantity": 2}),
    );
    host.ok(
        "order.remove_item",
        json!({"order": reference, "sku": "TEE"}),
    );
    let address = &customer(1)["addresses"][0];
    host.ok(
        "order.set_address",
        json!({"order": reference, "address": address}),
    );
    let discounted = host.ok(
        "order.discount",
        json!({"order": reference, "label": "LOYAL", "percent": "10"}),
    );
    assert_eq!(discounted["totals"]["discount"], "2.00", "{discounted}");
    let paid = host.ok(
        "payment.record",
        json!({"order": reference, "amount": {"amount": "5.00", "currency": "USD"}, "method": "card"}),
    );
    assert_eq!(paid["paid"], "5.00");
    host.ok(
        "payment.refund",
        json!({"order": reference, "amount": {"amount": "1.00", "currency": "USD"}, "method": "card"}),
    );
    // The card lifecycle: hold 10, take 4, release the rest.
    let held = host.ok(
        "payment.authorize",
        json!({"order": reference, "amount": {"amount": "10.00", "currency": "USD"}, "method": "card", "external_reference": "gw:stripe/pi_1", "idempotency_key": "auth-1"}),
    );
    assert_eq!(held["authorized"], "10.00", "{held}");
    let taken = host.ok(
        "payment.capture",
        json!({"order": reference, "amount": {"amount": "4.00", "currency": "USD"}, "method": "card"}),
    );
    assert_eq!(taken["paid"], "9.00", "{taken}");
    assert_eq!(taken["authorized"], "6.00", "{taken}");
    let released = host.ok(
        "payment.void",
        json!({"order": reference, "idempotency_key": "void-1"}),
    );
    assert_eq!(released["authorized"], "0.00", "{released}");
    let kinds: Vec<&str> = released["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["payment", "refund", "authorization", "capture", "void"]
    );
    let (status, again) = host.send("payment.void", json!({"order": reference}), None);
    assert_eq!(again["error"]["code"], "nothing_to_void", "{again}");
    assert_ne!(status, 0);
    host.ok(
        "order.set_status",
        json!({"order": reference, "status": "confirmed"}),
    );
    let moved = host.ok(
        "order.advance",
        json!({"orders": [reference], "to": "shipped"}),
    );
    assert_eq!(moved[0]["status"], "shipped");
    assert!(
        host.ok("order.history", json!({"order": reference}))
            .as_array()
            .unwrap()
            .len()
            > 5
    );
    let page = host.ok("order.list", json!({"status": "shipped"}));
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    // A draft: cancel, archive, restore.
    let draft = host.ok(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 1}], "shipping": "standard", "payment": "card", "draft": true}),
    );
    host.ok(
        "order.cancel",
        json!({"order": draft["id"], "reason": "changed mind"}),
    );
    host.ok(
        "order.archive",
        json!({"order": draft["id"], "reason": "closed"}),
    );
    host.ok("order.restore", json!({"order": draft["id"]}));
    // Refusals, each with its code.
    host.fails(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 100}], "shipping": "standard", "payment": "card"}),
        None,
        3,
        "insufficient_stock",
    );
    host.fails(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 1}], "shipping": "standard", "payment": "card", "idempotency_key": "k-1"}),
        None,
        5,
        "idempotency_key_reused",
    );
    host.fails(
        "order.set_status",
        json!({"order": reference, "status": "placed"}),
        None,
        3,
        "illegal_transition",
    );
    host.fails("order.get", json!({"id": 999_999}), None, 4, "not_found");
}

#[test]
fn sessions_act_as_their_user_and_never_as_someone_else() {
    let (host, ada) = shop();
    let session = host.ok(
        "session.login",
        json!({"login": "ada", "password": "rainy-tulip-orbit-42"}),
    );
    let token = session["token"].as_str().unwrap().to_string();
    assert_eq!(session["role"], "customer");
    let me = Some(token.as_str());
    // The customer's view of the world: themselves, their orders, no staff work.
    assert_eq!(
        host.ok_as("customer.get", json!({"id": ada}), me)["id"],
        ada
    );
    host.ok_as(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 1}], "shipping": "standard", "payment": "card"}),
        me,
    );
    host.fails("product.create", product("CAP"), me, 6, "forbidden");
    host.fails("customer.create", customer(9), me, 6, "forbidden");
    host.fails(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 1}], "shipping": "standard", "payment": "card", "discounts": [["FREE", "100"]]}),
        me,
        6,
        "forbidden",
    );
    // No envelope field can name an actor or a role.
    let forged = json!({"op": "product.create", "args": product("CAP"), "session": token, "actor": {"principal": "System", "role": "Admin"}});
    let response = execute_json(&host.engine, &host.caller, &forged.to_string());
    assert_eq!(response.status(), 2, "{}", response.to_json());
    let who = host.ok_as("session.get", json!(null), me);
    assert_eq!(
        (who["role"].as_str(), who["customer_id"].as_u64()),
        (Some("customer"), Some(ada))
    );
    assert_eq!(host.ok("session.get", json!(null))["role"], "admin");
    // A new phone through its code: the customer asks, the code confirms it.
    let asked = host.ok_as(
        "customer.update",
        json!({"customer": ada, "phone": "+15557770000"}),
        me,
    );
    assert_eq!(asked["pending_contact"]["phone"], "+15557770000");
    host.fails(
        "customer.confirm_contact",
        json!({"customer": ada, "code": "000000x"}),
        me,
        3,
        "wrong_code",
    );
    let confirmed = host.ok_as(
        "customer.confirm_contact",
        json!({"customer": ada, "code": pending_code(&host)}),
        me,
    );
    assert_eq!(confirmed["phone"], "+15557770000");
    host.clock.advance(1);
    host.ok_as(
        "session.change_password",
        json!({"current": "rainy-tulip-orbit-42", "new": "quiet-harbour-9-meadow"}),
        me,
    );
    // Every session ended with the password change.
    host.fails("customer.get", json!({"id": ada}), me, 6, "session_ended");
    let again = host.ok(
        "session.login",
        json!({"login": "ada", "password": "quiet-harbour-9-meadow"}),
    );
    let token = again["token"].as_str().unwrap().to_string();
    assert_eq!(
        host.ok_as("session.logout", json!({}), Some(&token))["signed_out"],
        true
    );
    host.fails(
        "customer.get",
        json!({"id": ada}),
        Some(&token),
        6,
        "session_ended",
    );
    host.fails(
        "session.login",
        json!({"login": "ada", "password": "not the password"}),
        None,
        6,
        "wrong_login",
    );
    // A remote caller without a session is a guest: registration only.
    let (engine, clock) = engine();
    let remote = Host {
        engine,
        clock,
        caller: Caller::Remote,
    };
    remote.fails("product.list", json!({}), None, 6, "forbidden");
    remote.ok("customer.register", json!({"customer": customer(5)}));
}

#[test]
fn the_staff_settings_and_outbox_ops() {
    let host = Host::new();
    host.ok(
        "admin.init",
        json!({"name": "Morgan Reyes", "login": "morgan", "password": "amber-canyon-lantern-7"}),
    );
    host.fails(
        "admin.init",
        json!({"name": "Again", "login": "again", "password": "amber-canyon-lantern-7"}),
        None,
        3,
        "admin_already_exists",
    );
    host.ok(
        "user.add",
        json!({"name": "Sam Okafor", "login": "sam", "role": "warehouse", "password": "flint-prairie-otter-9"}),
    );
    assert_eq!(
        host.ok("user.list", json!({}))["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        host.ok("user.set_role", json!({"login": "sam", "role": "sales"}))["role"],
        "sales"
    );
    assert_eq!(
        host.ok("user.disable", json!({"login": "sam"}))["active"],
        false
    );
    host.fails(
        "user.add",
        json!({"name": "X", "login": "x1", "role": "emperor", "password": "flint-prairie-otter-9"}),
        None,
        3,
        "invalid_value",
    );
    let settings = host.ok("settings.set", json!({"changes": ["rounding=half-up"]}));
    assert_eq!(settings["rounding"], "half-up");
    assert_eq!(host.ok("settings.get", json!(null))["rounding"], "half-up");
    assert_eq!(
        host.ok("settings.history", json!({}))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    host.fails(
        "settings.set",
        json!({"changes": ["tax.standard=lots"]}),
        None,
        3,
        "invalid_value",
    );
    host.ok("customer.register", json!({"customer": customer(1)}));
    let pending = host.ok("outbox.list", json!({}));
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    assert_eq!(pending[0]["status"], "pending");
    assert_eq!(pending[0]["channel"], "sms");
    let id = pending[0]["id"].as_u64().unwrap();
    // Nothing has failed, so nothing can be retried.
    host.fails(
        "outbox.retry",
        json!({"id": id}),
        None,
        3,
        "delivery_not_retryable",
    );
    assert!(
        host.ok("outbox.list", json!({"failed": true}))
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        host.ok("outbox.ack", json!({"ids": [id]}))["acknowledged"],
        1
    );
    assert!(
        host.ok("outbox.list", json!({}))
            .as_array()
            .unwrap()
            .is_empty()
    );
    let all = host.ok("outbox.list", json!({"all": true}));
    assert_eq!(all[0]["status"], "sent");
    host.fails(
        "outbox.ack",
        json!({"ids": [id, 999_999]}),
        None,
        4,
        "not_found",
    );
    let limit = json!({"scope": "phone", "key": "+15550001111", "burst": 2, "refill_ms": 60000});
    let allowed = (0..5)
        .filter(|_| host.send("rate.take", limit.clone(), None).0 == 0)
        .count();
    assert_eq!(allowed, 2);
    host.fails("rate.take", limit, None, 5, "rate_limited");
}

#[test]
fn malformed_requests_are_bad_requests_with_the_extra_echoed() {
    let host = Host::new();
    let cases = [
        ("not json at all", "malformed_request"),
        ("[1, 2, 3]", "malformed_request"),
        (r#"{"op": "order.teleport", "args": {}}"#, "unknown_op"),
        (
            r#"{"op": "order.get", "args": {"id": "seven"}}"#,
            "invalid_arguments",
        ),
        (
            r#"{"op": "product.restock", "args": {"sku": 5}}"#,
            "invalid_arguments",
        ),
        (
            r#"{"op": "order.get", "args": {"id": 1}, "role": "admin"}"#,
            "malformed_request",
        ),
    ];
    let mut refused = 0;
    for (json, code) in cases {
        let response = execute_json(&host.engine, &host.caller, json);
        assert_eq!(response.status(), 2, "{json}");
        let value: Value = serde_json::from_str(&response.to_json()).unwrap();
        assert_eq!(value["error"]["code"], code, "{json}: {value}");
        assert_eq!(value["error"]["kind"], "bad_request");
        refused += 1;
    }
    assert_eq!(refused, cases.len());
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(execute_json(&host.engine, &host.caller, &deep).status(), 2);
    let huge = format!(
        r#"{{"op": "order.get", "args": {{"reference": "{}"}}}}"#,
        "A".repeat(2 << 20)
    );
    let response = execute_json(&host.engine, &host.caller, &huge);
    assert!(response.to_json().contains("request_too_large"));
    // `extra` comes back as it was sent, on success and on failure.
    let extra = json!({"tag": 7, "nested": [1, "two"]});
    let sent = json!({"op": "product.get", "args": {"sku": "NOPE"}, "extra": extra});
    let response = execute_json(&host.engine, &host.caller, &sent.to_string());
    let value: Value = serde_json::from_str(&response.to_json()).unwrap();
    assert_eq!(value["extra"], extra);
    assert_eq!(value["error"]["code"], "not_found");
}

#[test]
fn the_ticket_ops_keep_customers_to_their_own_tickets_and_visible_comments() {
    let (host, ada) = shop();
    let order = host.ok(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 1}], "shipping": "standard", "payment": "card"}),
    );
    let reference = order["reference"].as_str().unwrap().to_string();
    let agent = host.ok(
        "user.add",
        json!({"name": "Cy Desk", "login": "cydesk", "role": "customer-service", "password": "flint-prairie-otter-9"}),
    )["id"]
        .as_u64()
        .unwrap();
    // Staff open a ticket for Ada about her order (by reference), assign and note it.
    let ticket = host.ok(
        "ticket.open",
        json!({"customer": ada, "order": reference, "subject": "Chipped mug", "priority": "high", "message": "The handle is chipped."}),
    );
    let id = ticket["id"].as_u64().unwrap();
    assert_eq!(ticket["status"], "open");
    assert_eq!(ticket["priority"], "high");
    assert_eq!(ticket["order_id"], order["id"]);
    let assigned = host.ok("ticket.assign", json!({"id": id, "assignee": agent}));
    assert_eq!(assigned["assignee_id"], agent);
    host.ok(
        "ticket.comment",
        json!({"id": id, "text": "third this month", "internal": true}),
    );
    let pending = host.ok("ticket.status", json!({"id": id, "status": "pending"}));
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["comments"].as_array().unwrap().len(), 2);
    host.fails(
        "ticket.status",
        json!({"id": id, "status": "finished"}),
        None,
        2,
        "invalid_arguments",
    );
    host.fails(
        "ticket.comment",
        json!({"id": id, "text": "x", "secret": true}),
        None,
        2,
        "invalid_arguments",
    );
    // Ada signs in: she sees her ticket without the internal comment, answers, and
    // opens one of her own (no customer named: herself).
    let token = host.ok(
        "session.login",
        json!({"login": "ada", "password": "rainy-tulip-orbit-42"}),
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mine = Some(token.as_str());
    let seen = host.ok_as("ticket.get", json!({"id": id}), mine);
    let comments = seen["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1);
    assert!(comments.iter().all(|c| c["internal"] == false));
    let answered = host.ok_as(
        "ticket.comment",
        json!({"id": id, "text": "Photo attached."}),
        mine,
    );
    assert_eq!(answered["status"], "open");
    assert_eq!(answered["comments"].as_array().unwrap().len(), 2);
    host.fails(
        "ticket.comment",
        json!({"id": id, "text": "psst", "internal": true}),
        mine,
        6,
        "forbidden",
    );
    let own = host.ok_as("ticket.open", json!({"subject": "Invoice copy"}), mine);
    assert_eq!(own["customer_id"], ada);
    let listed = host.ok_as("ticket.list", json!({}), mine);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    // Another customer: Ada's ticket reads exactly like a missing one.
    let bea = host.ok("customer.create", customer(2))["id"]
        .as_u64()
        .unwrap();
    host.ok(
        "customer.set_password",
        json!({"customer": bea, "login": "bea", "password": "rainy-tulip-orbit-43"}),
    );
    let bea_token = host.ok(
        "session.login",
        json!({"login": "bea", "password": "rainy-tulip-orbit-43"}),
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    let hers = Some(bea_token.as_str());
    let hidden = host.fails("ticket.get", json!({"id": id}), hers, 4, "not_found");
    let missing = host.fails("ticket.get", json!({"id": 999_999}), hers, 4, "not_found");
    assert_eq!(
        hidden["message"]
            .as_str()
            .unwrap()
            .replace(&id.to_string(), "#"),
        missing["message"].as_str().unwrap().replace("999999", "#")
    );
    assert!(
        host.ok_as("ticket.list", json!({"customer": ada}), hers)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Staff filters, a lifecycle refusal, and the purchase history.
    let by_assignee = host.ok("ticket.list", json!({"assignee": agent}));
    assert_eq!(by_assignee["items"].as_array().unwrap().len(), 1);
    let by_order = host.ok("ticket.list", json!({"order": order["id"]}));
    assert_eq!(by_order["items"][0]["id"], id);
    let open = host.ok("ticket.list", json!({"status": "open", "limit": 1}));
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    assert!(open["next_cursor"].is_string());
    host.ok("ticket.status", json!({"id": id, "status": "closed"}));
    host.fails(
        "ticket.status",
        json!({"id": id, "status": "open"}),
        None,
        3,
        "illegal_ticket_transition",
    );
    let purchases = host.ok_as("customer.purchases", json!({"customer": ada}), mine);
    let tickets = purchases["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 2);
    assert!(tickets.iter().all(|t| {
        t["comments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["internal"] == false)
    }));
}

/// The `#### \`op\`` headings of `docs/api.md` with the first JSON example after each.
fn documented_ops() -> Vec<(String, String)> {
    let page = include_str!("../../../docs/api.md");
    let mut found = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("#### `")
            .and_then(|l| l.strip_suffix('`'))
        else {
            continue;
        };
        let mut example = String::new();
        let mut inside = false;
        for line in lines.by_ref() {
            if line.starts_with("```json") {
                inside = true;
            } else if inside && line.starts_with("```") {
                break;
            } else if inside {
                example.push_str(line);
            }
        }
        found.push((name.to_string(), example));
    }
    found
}

#[test]
fn docs_api_md_lists_exactly_the_ops_and_every_example_parses() {
    let documented = documented_ops();
    let names: Vec<&str> = documented.iter().map(|(n, _)| n.as_str()).collect();
    for op in OPS {
        assert!(
            names.contains(op),
            "{op} is in the code but not in docs/api.md"
        );
    }
    for name in &names {
        assert!(
            OPS.contains(name),
            "{name} is in docs/api.md but not in the code"
        );
    }
    assert_eq!(names.len(), OPS.len());
    for (name, example) in &documented {
        let envelope: super::Envelope = serde_json::from_str(example)
            .unwrap_or_else(|e| panic!("{name}: the example is not a request: {e}"));
        let request = super::parse(&envelope)
            .unwrap_or_else(|e| panic!("{name}: the example does not parse: {}", e.message));
        assert_eq!(request.op(), name);
    }
}

#[test]
fn every_op_is_exercised_by_these_tests() {
    let source = include_str!("tests.rs");
    let missing: Vec<&&str> = OPS
        .iter()
        .filter(|op| !source.contains(&format!("\"{op}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "ops without a test through execute_json: {missing:?}"
    );
}

#[test]
fn the_shipment_ops_ship_in_parts_and_cancel_the_rest() {
    let (host, ada) = shop();
    let order = host.ok(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 3}], "shipping": "express", "payment": "card"}),
    );
    let reference = order["reference"].as_str().unwrap().to_string();
    let ship = |lines: Value, tracking: &str| json!({"order": reference, "lines": lines, "carrier": "DHL", "tracking_number": tracking, "weight_kg": "0.8"});
    host.fails(
        "order.ship",
        ship(json!([]), "JD0000000001"),
        None,
        3,
        "not_shippable",
    );
    host.ok(
        "order.advance",
        json!({"orders": [reference], "to": "packed"}),
    );
    host.fails(
        "order.ship",
        ship(json!([{"sku": "MUG", "quantity": 1}]), "no"),
        None,
        3,
        "invalid_value",
    );
    host.fails(
        "order.ship",
        ship(json!([{"sku": "MUG", "quantity": 4}]), "JD0000000001"),
        None,
        3,
        "ships_more_than_left",
    );
    let first = host.ok(
        "order.ship",
        ship(json!([{"sku": "MUG", "quantity": 1}]), "JD0000000001"),
    );
    assert_eq!(first["number"], 1);
    assert_eq!(first["carrier"], "dhl");
    assert_eq!(first["method"], "express");
    assert_eq!(first["weight_kg"], "0.8");
    assert_eq!(first["status"], "in_transit");
    assert_eq!(first["lines"][0]["quantity"], 1);
    let got = host.ok("order.get", json!({"reference": reference}));
    assert_eq!(got["status"], "partially_shipped");
    let shipments = host.ok("order.shipments", json!({"order": reference}));
    assert_eq!(shipments.as_array().unwrap().len(), 1);
    assert_eq!(shipments[0]["tracking_number"], "JD0000000001");
    let done = host.ok(
        "order.cancel_unshipped",
        json!({"order": reference, "reason": "the rest broke"}),
    );
    assert_eq!(done["status"], "shipped");
    assert_eq!(done["lines"][0]["quantity"], 1);
    host.fails(
        "order.cancel_unshipped",
        json!({"order": reference, "reason": "again"}),
        None,
        3,
        "not_partially_shipped",
    );
    // Two of ten MUGs are gone from the shelf for good: 1 shipped, 2 back.
    let mug = host.ok("product.get", json!({"sku": "MUG"}));
    assert_eq!(mug["stock"]["on_hand"], 9, "{mug}");
}

/// `report.*` through the contract: figures of one placed order, dates parsed, a bad group
/// refused, a customer forbidden.
#[test]
fn reports_answer_from_the_counters_and_refuse_customers() {
    let (host, ada) = shop();
    host.ok(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 2}], "shipping": "standard", "payment": "card"}),
    );
    let day = json!({"from": "2026-01-01", "to": "2026-01-01"});
    let sales = host.ok(
        "report.sales",
        json!({"from": "2026-01-01", "to": "2026-01-31", "group": "month"}),
    );
    assert_eq!(sales["periods"][0]["period"], "2026-01");
    assert_eq!(sales["periods"][0]["orders"], 1);
    assert_eq!(sales["periods"][0]["units"], 2);
    assert_eq!(sales["products"][0]["revenue"], "20.00");
    let speed = host.ok("report.speed", day.clone());
    assert_eq!(speed["to_ship"]["orders"], 0);
    let customers = host.ok("report.customers", day.clone());
    assert_eq!(customers["figures"][0]["new_customers"], 1);
    let stock = host.ok("report.stock", json!({"as_of": "2026-01-01", "low": 8}));
    assert_eq!(stock["rows"][0]["available"], 8);
    assert_eq!(stock["rows"][0]["low"], true);
    host.fails(
        "report.sales",
        json!({"from": "2026-01-01", "to": "2026-01-31", "group": "year"}),
        None,
        3,
        "invalid_value",
    );
    let token = host.ok(
        "session.login",
        json!({"login": "ada", "password": "rainy-tulip-orbit-42"}),
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    host.fails("report.speed", day, Some(token.as_str()), 6, "forbidden");
}

#[test]
fn the_document_ops_issue_one_invoice_per_order_and_list_what_to_pick() {
    let (host, ada) = shop();
    let order = |quantity: u32| {
        host.ok(
            "order.create",
            json!({"customer": ada, "items": [{"sku": "MUG", "quantity": quantity}], "shipping": "standard", "payment": "card"}),
        )["reference"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = order(2);
    let second = order(1);
    let invoice = host.ok("order.invoice", json!({"order": first}));
    assert_eq!(invoice["number"], 1);
    assert_eq!(invoice["reference"], first.as_str());
    assert_eq!(invoice["lines"][0]["sku"], "MUG");
    assert_eq!(
        host.ok("order.invoice", json!({"order": second}))["number"],
        2
    );
    assert_eq!(
        host.ok("order.invoice", json!({"order": first}))["number"],
        1,
        "the first invoice again"
    );
    host.ok("order.cancel", json!({"order": second, "reason": "test"}));
    let third = order(1);
    host.ok("order.cancel", json!({"order": third, "reason": "test"}));
    host.fails(
        "order.invoice",
        json!({"order": third}),
        None,
        3,
        "not_invoiceable",
    );

    host.ok(
        "order.advance",
        json!({"orders": [first], "to": "confirmed"}),
    );
    let list = host.ok("picklist", json!({"warehouse": "main"}));
    assert_eq!(list["warehouse"], "MAIN");
    assert_eq!(list["orders"], 1);
    assert_eq!(list["rows"][0]["sku"], "MUG");
    assert_eq!(list["rows"][0]["quantity"], 2);
    assert_eq!(list["rows"][0]["orders"][0]["reference"], first.as_str());
    host.fails(
        "picklist",
        json!({"warehouse": "no such warehouse!"}),
        None,
        3,
        "invalid_value",
    );
}

#[test]
fn the_return_ops_take_units_back_refund_and_exchange() {
    let (host, ada) = shop();
    let order = host.ok(
        "order.create",
        json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 4}], "shipping": "standard", "payment": "cash"}),
    );
    let reference = order["reference"].as_str().unwrap().to_string();
    let line = |q: u32| json!([{"sku": "MUG", "quantity": q, "reason": "chipped"}]);
    host.fails(
        "return.open",
        json!({"order": reference, "lines": line(1)}),
        None,
        3,
        "not_returnable",
    );
    host.ok(
        "payment.record",
        json!({"order": reference, "amount": {"amount": order["total"], "currency": order["currency"]}, "method": "cash"}),
    );
    host.ok(
        "order.advance",
        json!({"orders": [reference], "to": "delivered"}),
    );
    let opened = host.ok("return.open", json!({"order": reference, "lines": line(2)}));
    let id = opened["id"].as_u64().unwrap();
    assert_eq!(opened["status"], "requested");
    assert_eq!(opened["number"], 1);
    host.fails(
        "return.open",
        json!({"order": reference, "lines": line(3)}),
        None,
        3,
        "returns_more_than_delivered",
    );
    assert_eq!(
        host.ok("return.approve", json!({"id": id}))["status"],
        "approved"
    );
    host.fails(
        "return.receive",
        json!({"id": id, "restock": [{"sku": "MUG", "quantity": 1, "warehouse": "MAIN"}]}),
        None,
        3,
        "invalid_value",
    );
    let received = host.ok(
        "return.receive",
        json!({"id": id, "restock": [{"sku": "MUG", "quantity": 1, "warehouse": "MAIN"}], "write_off": [{"sku": "MUG", "quantity": 1, "reason": "broken"}]}),
    );
    assert_eq!(received["inspections"].as_array().unwrap().len(), 2);
    let limit = received["refund_limit"].as_str().unwrap().to_string();
    host.fails(
        "return.refund",
        json!({"id": id, "amount": {"amount": "9999.00", "currency": "USD"}}),
        None,
        3,
        "refund_exceeds_return",
    );
    let refunded = host.ok("return.refund", json!({"id": id}));
    assert_eq!(refunded["status"], "refunded");
    assert_eq!(refunded["refunded"], json!(limit));
    let shown = host.ok("return.show", json!({"id": id}));
    assert_eq!(shown["history"].as_array().unwrap().len(), 4);
    let ledger = host.ok("order.get", json!({"reference": reference}));
    assert!(ledger.to_string().contains("refund"), "{ledger}");

    // A second return is refused; a third exchanged for another mug from stock.
    let second = host.ok("return.open", json!({"order": reference, "lines": line(1)}));
    let second_id = second["id"].as_u64().unwrap();
    assert_eq!(
        host.ok(
            "return.refuse",
            json!({"id": second_id, "reason": "past 30 days"})
        )["status"],
        "refused"
    );
    let third = host.ok("return.open", json!({"order": reference, "lines": line(2)}));
    let third_id = third["id"].as_u64().unwrap();
    host.ok("return.approve", json!({"id": third_id}));
    host.ok(
        "return.receive",
        json!({"id": third_id, "write_off": [{"sku": "MUG", "quantity": 2, "reason": "broken"}]}),
    );
    let exchanged = host.ok(
        "return.exchange",
        json!({"id": third_id, "lines": [{"sku": "MUG", "quantity": 2}], "carrier": "ups", "tracking_number": "1Z999AA10123456784"}),
    );
    assert_eq!(exchanged["status"], "exchanged");
    assert_eq!(
        exchanged["replacement_tracking_number"],
        "1Z999AA10123456784"
    );
    let stock = host.ok("product.get", json!({"sku": "MUG"}));
    assert!(stock.to_string().contains("\"on_hand\":5"), "{stock}");

    let all = host.ok("return.list", json!({"order": reference}));
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let refused = host.ok("return.list", json!({"status": "refused"}));
    assert_eq!(refused["items"].as_array().unwrap().len(), 1);
    let paged = host.ok("return.list", json!({"limit": 2}));
    assert_eq!(paged["items"].as_array().unwrap().len(), 2);
    assert!(paged["next_cursor"].is_string());
    host.fails(
        "return.list",
        json!({"status": "lost"}),
        None,
        3,
        "invalid_value",
    );
    host.fails("return.show", json!({"id": 999_999}), None, 4, "not_found");
}

#[test]
fn order_count_counts_what_the_listing_holds_without_reading_orders() {
    let (host, ada) = shop();
    let mut placed = 0;
    for _ in 0..3 {
        host.ok(
            "order.create",
            json!({"customer": ada, "items": [{"sku": "MUG", "quantity": 1}], "shipping": "standard", "payment": "card"}),
        );
        placed += 1;
    }
    assert_eq!(placed, 3);
    let first =
        host.ok("order.list", json!({"limit": 1, "oldest_first": true}))["items"][0]["reference"]
            .clone();
    host.ok(
        "order.set_status",
        json!({"order": first, "status": "confirmed"}),
    );
    assert_eq!(
        host.ok("order.count", json!({})),
        json!({"count": 3, "capped": false})
    );
    assert_eq!(
        host.ok("order.count", json!({"status": "placed"}))["count"],
        2
    );
    assert_eq!(
        host.ok("order.count", json!({"status": "confirmed"}))["count"],
        1
    );
    let today = &host.ok("order.list", json!({"limit": 1}))["items"][0]["created_at"]
        .as_str()
        .unwrap()[..10]
        .to_string();
    assert_eq!(
        host.ok("order.count", json!({"from": today, "to": today}))["count"],
        3
    );
    assert_eq!(
        host.ok("order.count", json!({"to": "1999-01-01"}))["count"],
        0
    );
    host.fails(
        "order.count",
        json!({"status": "nonsense"}),
        None,
        3,
        "invalid_value",
    );
    // A customer counts their own; a guest may not count.
    let session = host.ok(
        "session.login",
        json!({"login": "ada", "password": "rainy-tulip-orbit-42"}),
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        host.ok_as("order.count", json!({"status": "placed"}), Some(&session))["count"],
        2
    );
    let remote = Host {
        caller: Caller::Remote,
        ..Host::new()
    };
    remote.fails("order.count", json!({}), None, 6, "forbidden");
}
