//! Customer accounts: registration with a code from the outbox, verification, customer
//! sign-in, business approval, contact changes, passwords, purchases and the log.

use serde_json::Value;

use super::support::{Shop, id_text, len, orders, text};

const ADA_PW: &str = "rainy-tulip-orbit-42";

/// Registers Ada (consumer, SMS); returns her id and the registration handle.
fn register_ada(shop: &Shop, extra: &str) -> (String, String) {
    let ada = shop.json(&format!(
        "customer register --name 'Ada Lovelace' --phone +442071234567 --email ada@example.com \
         --address 'Ada Lovelace, 12 Square, London, SW1Y 4JH, GB' {extra}"
    ));
    assert_eq!(ada["status"], "pending verification", "{ada}");
    assert!(
        ada["registration_id"].is_null() && ada["login"].is_null(),
        "{ada}"
    );
    let handle = text(&ada, "registration_handle");
    assert_eq!(handle.len(), 32, "{ada}");
    (id_text(&ada), handle)
}

/// The pending notification of kind `event` for `customer`.
fn notification(shop: &Shop, customer: &str, event: &str) -> Value {
    let pending = shop.json("outbox list --limit 1000");
    pending
        .as_array()
        .expect("an array")
        .iter()
        .rev()
        .find(|n| n["event"] == event && id_text_of(n, "customer_id") == customer)
        .unwrap_or_else(|| panic!("no {event} for customer {customer} in {pending}"))
        .clone()
}

fn id_text_of(value: &Value, field: &str) -> String {
    value[field].as_u64().expect("an id").to_string()
}

/// The 6-digit code in a verification notification's text.
fn code_in(notification: &Value) -> String {
    let words = text(notification, "text");
    words
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {words:?}"))
        .to_string()
}

#[test]
fn a_registered_customer_verifies_signs_in_and_sees_only_their_orders() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let other = shop.customer("Grace Hopper", "+12025550143");
    shop.order(&other, "MUG-1:1");
    let (ada, handle) = register_ada(&shop, "");
    // A new code only a minute after the last one.
    let error = shop.fails(&format!("customer resend-code {handle}"), 3);
    assert!(error.contains("a new code can be sent in"), "{error}");

    let sms = notification(&shop, &ada, "verification code");
    assert_eq!(sms["to"], "SMS to +442071234567");
    let code = code_in(&sms);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let pw = [("ORDO_PASSWORD", ADA_PW)];
    let error = shop.fails_env(
        &format!("customer verify {handle} --code {wrong} --login ada"),
        &pw,
        3,
    );
    assert_eq!(
        error,
        "error: verification code is not correct (4 attempts left)"
    );

    let verified = shop.json_env(
        &format!("customer verify {handle} --code {code} --login Ada"),
        &pw,
    );
    assert_eq!(verified["status"], "active");
    assert_eq!(verified["login"], "ada");
    let registration = text(&verified, "registration_id");
    assert!(registration.starts_with("CUS-"), "{verified}");
    assert_eq!(
        shop.json(&format!("customer show {registration}"))["id"],
        verified["id"]
    );
    let listed = shop.json("customer list --name love")["items"].clone();
    assert_eq!(listed[0]["login"], "ada");
    assert_eq!(listed[0]["registration_id"], registration.as_str());
    let page = shop.ok(&format!("customer show {ada}"));
    assert!(
        page.contains(&registration) && page.contains("Login"),
        "{page}"
    );

    shop.order(&ada, "MUG-1:2");
    let session = shop.json_env("login ada", &pw);
    let token = text(&session, "token");
    assert_eq!(token.len(), 64);
    assert_eq!(session["role"], "customer");
    let as_ada = [("ORDO_TOKEN", token.as_str())];
    let mine = shop.json_env("order list", &as_ada);
    assert_eq!(len(&mine["items"]), 1, "{mine}");
    assert!(
        orders(&mine)
            .iter()
            .all(|o| id_text_of(o, "customer_id") == ada)
    );
    shop.fails_env(&format!("customer show {other}"), &as_ada, 4);
    shop.json_env("logout", &as_ada);
    let error = shop.fails_env("order list", &as_ada, 6);
    assert_eq!(
        error,
        "error: not signed in: the session has ended; log in again"
    );
    let error = shop.fails_env("login ada", &[("ORDO_PASSWORD", "not-her-password")], 6);
    assert_eq!(
        error,
        "error: not signed in: login id or password is incorrect"
    );
}

#[test]
fn a_taken_phone_or_bad_chat_id_is_refused_at_registration() {
    let shop = Shop::new();
    shop.customer("Ada Lovelace", "+442071234567");
    let error = shop.fails(
        "customer register --name 'Ada Twin' --phone +442071234567 --email twin@example.com \
         --address 'Ada Twin, 1 Road, London, N1 9GU, GB'",
        5,
    );
    assert_eq!(
        error,
        "error: customer with phone +442071234567 already exists"
    );
    shop.fails(
        "customer register --name Bob --phone +12025550111 --email bob@example.com \
         --address 'Bob, 1 Road, Springfield, 12345, US' --telegram '@bob'",
        3,
    );
    // A customer id is not a registration handle, and an unknown handle is not found.
    for handle in ["4242", "0123456789abcdef0123456789abcdef"] {
        let error = shop.fails_env(
            &format!("customer verify {handle} --code 123456 --login bob"),
            &[("ORDO_PASSWORD", ADA_PW)],
            4,
        );
        assert_eq!(error, "error: registration for this handle was not found");
    }
}

#[test]
fn a_business_registration_waits_for_approval_by_sales() {
    let shop = Shop::new();
    let admin = [("ORDO_PASSWORD", "amber-canyon-lantern-7")];
    shop.json_env("admin init --name 'Morgan Reyes' --login morgan", &admin);
    let sales_pw = [("ORDO_PASSWORD", "cobalt-heron-meadow-3")];
    shop.json_env(
        "user add --name 'Camille Laurent' --login camille --role sales",
        &sales_pw,
    );
    let warehouse_pw = [("ORDO_PASSWORD", "flint-prairie-otter-9")];
    shop.json_env(
        "user add --name 'Sam Okafor' --login sam --role warehouse",
        &warehouse_pw,
    );

    let grace = shop.json(
        "customer register --name 'Grace Hopper' --phone +12025550143 --email grace@hopper.example.com \
         --company 'Hopper Systems' --tax-id US-98-7654321 \
         --address 'Grace Hopper, 1 Navy Yard, Washington, 20374, US' --telegram 123456789",
    );
    assert_eq!(grace["code_sent_via"], "Telegram chat 123456789");
    let id = id_text(&grace);
    let message = notification(&shop, &id, "verification code");
    assert_eq!(message["to"], "Telegram chat 123456789");
    let handle = text(&grace, "registration_handle");
    let verified = shop.json_env(
        &format!(
            "customer verify {handle} --code {} --login grace",
            code_in(&message)
        ),
        &[("ORDO_PASSWORD", "quartz-willow-ember-5")],
    );
    assert_eq!(verified["status"], "pending approval");
    assert!(verified["registration_id"].is_null());
    let grace_pw = [("ORDO_PASSWORD", "quartz-willow-ember-5")];
    shop.fails_env("login grace", &grace_pw, 6);

    let error = shop.fails_env(&format!("--as sam customer approve {id}"), &warehouse_pw, 6);
    assert_eq!(
        error,
        "error: warehouse may not approve or reject registrations"
    );
    let approved = shop.json_env(&format!("--as camille customer approve {id}"), &sales_pw);
    assert_eq!(approved["status"], "active");
    let registration = text(&approved, "registration_id");
    assert!(registration.starts_with("CUS-"), "{approved}");
    let news = notification(&shop, &id, "registration approved");
    assert!(text(&news, "text").contains(&registration), "{news}");
    let history = shop.json(&format!("customer history {id}"));
    let approval = history
        .as_array()
        .expect("an array")
        .iter()
        .find(|e| e["action"] == "customer approved")
        .expect("an approval entry");
    assert!(text(approval, "actor").contains("(sales)"), "{approval}");
    assert_eq!(shop.json_env("login grace", &grace_pw)["role"], "customer");
}

#[test]
fn registrations_can_be_rejected_and_codes_expire_from_the_outbox() {
    let shop = Shop::new();
    let (ada, handle) = register_ada(&shop, "");
    let first = code_in(&notification(&shop, &ada, "verification code"));
    let wrong = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    let error = shop.fails_env(
        &format!("customer verify {handle} --code {wrong} --login ada"),
        &[("ORDO_PASSWORD", ADA_PW)],
        3,
    );
    assert!(error.contains("attempts left"), "{error}");
    let rejected = shop.json(&format!(
        "customer reject {ada} --reason 'duplicate account'"
    ));
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["rejection_reason"], "duplicate account");
    shop.fails(&format!("customer approve {ada}"), 3);
    // A rejected registration's handle reaches nothing.
    shop.fails(&format!("customer resend-code {handle}"), 4);
    shop.fails_env(
        &format!("customer verify {handle} --code {first} --login ada"),
        &[("ORDO_PASSWORD", ADA_PW)],
        4,
    );

    let acked = shop.json("outbox ack --all");
    assert_eq!(acked["acknowledged"], 1);
    assert_eq!(len(&shop.json("outbox list")), 0);
    shop.fails("outbox ack 1", 4);
}

#[test]
fn staff_update_contacts_set_passwords_and_read_purchases_and_the_log() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let first = shop.order(&ada, "MUG-1:2");
    shop.order(&ada, "MUG-1:1");
    let reference = text(&first, "reference");

    let updated = shop.json(&format!(
        "customer update {ada} --email ada@lovelace.example.com"
    ));
    assert_eq!(updated["email"], "ada@lovelace.example.com");
    assert_eq!(updated["phone"], "+442071234567");
    assert_eq!(len(&updated["addresses"]), 1);
    let moved = shop.json(
        "customer update +442071234567 --name 'Ada King' \
         --address 'Ada King, 1 New Road, London, N1 9GU, GB'",
    );
    assert_eq!(moved["name"], "Ada King");
    let address = moved["addresses"][0].as_str().expect("an address");
    assert!(address.contains("New Road"), "{address}");
    shop.fails(&format!("customer update {ada} --email nope"), 3);

    let pw = [("ORDO_PASSWORD", ADA_PW)];
    let with_login = shop.json_env(
        &format!("customer set-password {ada} --login ada.king"),
        &pw,
    );
    assert_eq!(with_login["login"], "ada.king");
    assert_eq!(shop.json_env("login ada.king", &pw)["role"], "customer");
    let error = shop.fails_env(
        &format!("customer set-password {ada} --login ada2"),
        &[("ORDO_PASSWORD", "short")],
        3,
    );
    assert!(
        error.contains("password must be at least 10 characters"),
        "{error}"
    );

    let purchases = shop.json(&format!("customer purchases {ada}"));
    assert_eq!(purchases["order_count"], 2);
    assert_eq!(purchases["total_spent"][0]["currency"], "USD");
    assert!(purchases["first_order_at"].is_string() && purchases["last_order_at"].is_string());
    assert_eq!(len(&purchases["orders"]), 2);
    let page = shop.ok(&format!("customer purchases {ada}"));
    assert!(
        page.contains("Total spent") && page.contains(&reference),
        "{page}"
    );

    assert_eq!(len(&shop.json(&format!("customer log {ada}"))), 0);
    let note = shop.json(&format!(
        "customer log {ada} --note 'Asked where the parcel is' --channel telegram          --direction in --order {reference}"
    ));
    assert_eq!(note["channel"], "telegram");
    assert_eq!(note["direction"], "in");
    assert_eq!(note["order_reference"], reference.as_str());
    shop.json(&format!(
        "customer log {ada} --note 'Prefers delivery after 5 pm'"
    ));
    let log = shop.json(&format!("customer log {ada}"));
    assert_eq!(len(&log), 2);
    assert!(
        log.as_array()
            .expect("an array")
            .iter()
            .any(|m| m["channel"] == "note")
    );
    assert!(
        shop.ok(&format!("customer log {ada}"))
            .contains("Prefers delivery")
    );
    shop.fails(
        &format!("customer log {ada} --note hello --direction sideways"),
        3,
    );
    shop.fails(&format!("customer log {ada} --note ' '"), 3);
}

/// Gives the customer `id` a login and returns a session token for them.
fn customer_token(shop: &Shop, id: &str, login: &str) -> String {
    let pw = [("ORDO_PASSWORD", ADA_PW)];
    shop.json_env(&format!("customer set-password {id} --login {login}"), &pw);
    text(&shop.json_env(&format!("login {login}"), &pw), "token")
}

#[test]
fn a_signed_in_customer_cannot_do_staff_work() {
    let shop = Shop::new();
    shop.product("MUG-1");
    let ada = shop.customer("Ada Lovelace", "+442071234567");
    let grace = shop.customer("Grace Hopper", "+12025550143");
    let token = customer_token(&shop, &ada, "ada");
    let as_ada = [("ORDO_TOKEN", token.as_str())];
    // No wholesale accounts of their own making, no kind change, no one else's record.
    shop.fails_env(
        "customer add --name Mallory --phone +15550001111 --email m@example.com \
         --company 'Mallory Ltd' --tax-id X1 --address 'Mallory, 1 Road, Springfield, 12345, US'",
        &as_ada,
        6,
    );
    let error = shop.fails_env(
        &format!("customer update {ada} --company 'Ada Ltd' --tax-id GB1"),
        &as_ada,
        6,
    );
    assert_eq!(
        error,
        "error: customer may not change the account kind (ask the shop)"
    );
    shop.fails_env(
        &format!("customer set-password {ada} --login ada2"),
        &as_ada,
        6,
    );
    // No discounts, no confirming their own order.
    let error = shop.fails_env(
        &format!("order create --customer {ada} --item MUG-1:1 --discount FREE:100"),
        &as_ada,
        6,
    );
    assert_eq!(error, "error: customer may not apply discounts");
    let order = shop.json_env(
        &format!("order create --customer {ada} --item MUG-1:1"),
        &as_ada,
    );
    let reference = text(&order, "reference");
    shop.fails_env(&format!("order status {reference} confirmed"), &as_ada, 6);
    shop.fails_env(
        &format!("order discount {reference} --label FREE --percent 100"),
        &as_ada,
        6,
    );
    let discounted = shop.json(&format!(
        "order discount {reference} --label LOYAL --percent 10"
    ));
    assert_eq!(discounted["totals"]["discount"], "1.00", "{discounted}");
    // A new phone waits for its code.
    let pending = shop.json_env(
        &format!("customer update {ada} --phone +442079460000 --name 'Ada King'"),
        &as_ada,
    );
    assert_eq!(pending["name"], "Ada King");
    assert_eq!(pending["phone"], "+442071234567");
    let message = notification(&shop, &ada, "contact change code");
    assert_eq!(message["to"], "SMS to +442079460000");
    let confirmed = shop.json_env(
        &format!(
            "customer confirm-contact {ada} --code {}",
            code_in(&message)
        ),
        &as_ada,
    );
    assert_eq!(confirmed["phone"], "+442079460000");
    // What they may not see reads exactly like what does not exist.
    let theirs = shop.order(&grace, "MUG-1:1");
    let their_reference = text(&theirs, "reference");
    let hidden = shop.fails_env(&format!("order show {their_reference}"), &as_ada, 4);
    let unknown =
        ordo_core::ids::OrderReference::generate(&ordo_core::random::SeededRandom::new(3))
            .to_string();
    let missing = shop.fails_env(&format!("order show {unknown}"), &as_ada, 4);
    assert_eq!(
        hidden.replace(&their_reference, "REF"),
        missing.replace(&unknown, "REF")
    );
    let hidden = shop.fails_env("customer show +12025550143", &as_ada, 4);
    let missing = shop.fails_env("customer show +12025550999", &as_ada, 4);
    assert_eq!(
        hidden.replace("+12025550143", "PHONE"),
        missing.replace("+12025550999", "PHONE")
    );
    // Their own password only with the current one.
    let error = shop.fails_env(
        "password",
        &[
            ("ORDO_TOKEN", token.as_str()),
            ("ORDO_PASSWORD", "not the right one"),
            ("ORDO_NEW_PASSWORD", "brand-new-passphrase-8"),
        ],
        6,
    );
    assert_eq!(
        error,
        "error: not signed in: the current password is not correct"
    );
    shop.json_env(
        "password",
        &[
            ("ORDO_TOKEN", token.as_str()),
            ("ORDO_PASSWORD", ADA_PW),
            ("ORDO_NEW_PASSWORD", "brand-new-passphrase-8"),
        ],
    );
    shop.fails_env("order list", &as_ada, 6);
    shop.json_env("login ada", &[("ORDO_PASSWORD", "brand-new-passphrase-8")]);
}
