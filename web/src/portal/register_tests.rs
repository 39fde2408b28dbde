//! Handler tests of registration with verification (`portal::register`): the real router
//! on an in-memory engine, the code read from the notification deliveries as the SMS
//! dispatcher would send it.

use std::sync::Arc;

use axum::http::StatusCode;
use ordo_bots::config::ServeConfig;
use ordo_bots::http::AppState;
use ordo_bots::pool::EnginePool;
use ordo_core::clock::ManualClock;
use ordo_core::store::MemoryStore;
use ordo_core::testkit::sample;
use serde_json::json;

use super::{Client, KEY, Shop, admin};
use crate::WebState;

const NEW_PASSWORD: &str = "rainy-tulip-orbit-42";

/// A shop with one product and no customers, and its clock (resends wait a cooldown).
async fn shop() -> (Shop, Arc<ManualClock>) {
    let (engine, clock) = sample::engine_with_cheap_passwords(MemoryStore::new(), 11);
    let pool = EnginePool::new(engine, 2);
    let product = serde_json::to_value(sample::product("TEE-1", 1500)).unwrap();
    admin(&pool, json!({"op": "product.create", "args": product})).await;
    admin(
        &pool,
        json!({"op": "product.restock", "args": {"sku": "TEE-1", "warehouse": "MAIN", "quantity": 50, "reason": "test"}}),
    )
    .await;
    let state = AppState::new(pool.clone(), ServeConfig::default());
    let app = crate::routes(WebState::with_key(state, KEY));
    (Shop { app, pool }, clock)
}

/// The registration form's fields for a consumer (`phone`, `login` vary per test).
fn consumer<'a>(name: &'a str, phone: &'a str, login: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("phone", phone),
        ("email", "ada@example.com"),
        ("kind", "b2c"),
        ("company", ""),
        ("tax_id", ""),
        ("line1", "12 Square"),
        ("line2", ""),
        ("city", "London"),
        ("region", ""),
        ("postal_code", "SW1Y 4JH"),
        ("country", "GB"),
        ("login", login),
        ("password", NEW_PASSWORD),
    ]
}

/// The texts of the verification-code deliveries so far, oldest first.
async fn code_texts(shop: &Shop) -> Vec<String> {
    let pending = admin(
        &shop.pool,
        json!({"op": "outbox.list", "args": {"all": true, "limit": 1000}}),
    )
    .await;
    pending
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["event"] == "verification code")
        .map(|n| n["text"].as_str().unwrap().to_string())
        .collect()
}

/// The verification codes still valid (a replaced code's delivery no longer has one),
/// oldest first.
async fn codes(shop: &Shop) -> Vec<String> {
    code_texts(shop)
        .await
        .iter()
        .filter_map(|text| {
            text.split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 6)
                .map(str::to_string)
        })
        .collect()
}

/// A six-digit code that is not `code`.
fn other_than(code: &str) -> String {
    if code == "000000" { "111111" } else { "000000" }.to_string()
}

#[tokio::test]
async fn a_visitor_registers_enters_the_code_and_is_signed_in_with_a_registration_id() {
    let (shop, _clock) = shop().await;
    let mut ada = Client::new(&shop, 30);
    let form = ada.get("/register").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"action="/register""#));
    let registered = ada
        .post(
            "/register",
            &consumer("Ada Lovelace", "+442071234567", "ada"),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    assert_eq!(registered.location(), "/register/code");
    let cookie = registered
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("ordo_registration="))
        .unwrap();
    assert!(
        cookie.contains("Path=/register; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    let codes_sent = codes(&shop).await;
    assert_eq!(codes_sent.len(), 1);
    let code = codes_sent[0].clone();

    let page = ada.get("/register/code").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("+442071234567"), "{}", page.body);
    // No secret in the page: only the CSRF token is hidden, no code, no password.
    assert_eq!(
        page.body.matches(r#"type="hidden""#).count(),
        2,
        "{}",
        page.body
    );
    assert_eq!(page.body.matches(r#"name="csrf""#).count(), 2);
    assert!(!page.body.contains(&code) && !page.body.contains(NEW_PASSWORD));

    let wrong = ada
        .post("/register/code", &[("code", &other_than(&code))])
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains(
            r#"aria-invalid="true"><span class="error">verification code is not correct (4 attempts left)"#
        ),
        "{}",
        wrong.body
    );
    assert!(!ada.cookies.contains_key("ordo_portal"));

    let verified = ada.post("/register/code", &[("code", &code)]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);
    assert_eq!(verified.location(), "/register/welcome");
    assert!(ada.cookies.contains_key("ordo_portal"), "signed in");
    assert!(!ada.cookies.contains_key("ordo_registration"), "forgotten");
    let welcome = ada.get("/register/welcome").await;
    assert_eq!(welcome.status, StatusCode::OK);
    assert!(welcome.body.contains("Welcome, Ada Lovelace"));
    let id = welcome
        .body
        .split(r#"id="registration-id">"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_string();
    assert!(id.starts_with("CUS-"), "{id}");
    let customer = admin(
        &shop.pool,
        json!({"op": "customer.get", "args": {"registration_id": id}}),
    )
    .await;
    assert_eq!(customer["status"], "active");
    assert_eq!(customer["login"], "ada");
    // Signed in for real: the cart works, and the old code page is gone.
    let added = ada
        .post("/cart/add", &[("sku", "TEE-1"), ("quantity", "1")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(ada.get("/cart").await.body.contains("TEE-1"));
    assert_eq!(ada.get("/register/code").await.location(), "/register");
}

#[tokio::test]
async fn a_business_registration_waits_for_staff_approval() {
    let (shop, _clock) = shop().await;
    let mut acme = Client::new(&shop, 31);
    let mut fields = consumer("Grace Hopper", "+12025550143", "grace");
    for (name, value) in &mut fields {
        match *name {
            "kind" => *value = "b2b",
            "company" => *value = "Acme Ltd",
            "tax_id" => *value = "GB123456",
            "email" => *value = "grace@acme.example.com",
            _ => {}
        }
    }
    let registered = acme.post("/register", &fields).await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    let code = codes(&shop).await.pop().unwrap();
    let verified = acme.post("/register/code", &[("code", &code)]).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert!(verified.body.contains("waiting for approval"));
    assert!(verified.body.contains("Acme Ltd"));
    assert!(!acme.cookies.contains_key("ordo_portal"), "not signed in");
    assert!(!acme.cookies.contains_key("ordo_registration"));
    let customers = admin(
        &shop.pool,
        json!({"op": "customer.list", "args": {"name": "Grace"}}),
    )
    .await;
    assert_eq!(customers["items"].as_array().unwrap().len(), 1);
    assert_eq!(customers["items"][0]["status"], "pending approval");
}

#[tokio::test]
async fn registration_errors_show_next_to_their_field_with_the_input_kept_and_escaped() {
    let (shop, _clock) = shop().await;
    let mut eve = Client::new(&shop, 32);
    let hostile = "<script>alert('eve')</script> Eve";
    let mut fields = consumer(hostile, "+442071234999", "eve");
    fields.retain(|(name, _)| *name != "email");
    fields.push(("email", "not-an-email"));
    let refused = eve.post("/register", &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(
            r#"name="email" value="not-an-email" aria-invalid="true"><span class="error">"#
        ),
        "{}",
        refused.body
    );
    // The rest is kept (escaped), the password is not.
    assert!(refused.body.contains(r#"value="+442071234999""#));
    assert!(
        refused
            .body
            .contains(r#"value="&lt;script&gt;alert('eve')&lt;/script&gt; Eve""#),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("<script>"));
    assert!(!refused.body.contains(NEW_PASSWORD));

    // A weak password is named before anything is registered.
    let mut weak = consumer("Eve", "+442071234999", "eve");
    weak.retain(|(name, _)| *name != "password");
    weak.push(("password", "short"));
    let refused = eve.post("/register", &weak).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(r#"autocomplete="new-password" aria-invalid="true"><span class="error">"#),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r#"name="login" value="eve""#));
    // A missing postal code is named next to its input (the engine words it
    // `postal code`).
    let mut no_postcode = consumer("Eve", "+442071234999", "eve");
    no_postcode.retain(|(name, _)| *name != "postal_code");
    let refused = eve.post("/register", &no_postcode).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(r#"name="postal_code" value="" aria-invalid="true"><span class="error">"#),
        "{}",
        refused.body
    );
    assert!(codes(&shop).await.is_empty(), "nothing was registered");

    // With everything right, the name is text on the welcome page too.
    let registered = eve
        .post("/register", &consumer(hostile, "+442071234999", "eve"))
        .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    let code = codes(&shop).await.pop().unwrap();
    let verified = eve.post("/register/code", &[("code", &code)]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);
    let welcome = eve.get("/register/welcome").await;
    assert!(
        welcome
            .body
            .contains("Welcome, &lt;script&gt;alert('eve')&lt;/script&gt; Eve")
    );
    assert!(!welcome.body.contains("<script>"));
}

#[tokio::test]
async fn registration_forms_without_their_csrf_token_are_refused_and_send_nothing() {
    let (shop, _clock) = shop().await;
    let mut mallory = Client::new(&shop, 33);
    mallory.get("/register").await;
    let refused = mallory
        .post_bare(
            "/register",
            &consumer("Mallory", "+442071234888", "mallory"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.set_cookies().is_empty());
    assert!(codes(&shop).await.is_empty(), "no code was sent");
    // The code form too (once a registration waits).
    let registered = mallory
        .post(
            "/register",
            &consumer("Mallory", "+442071234888", "mallory"),
        )
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    let code = codes(&shop).await.pop().unwrap();
    let forged = mallory
        .post_bare(
            "/register/code",
            &[("csrf", &"0".repeat(64)), ("code", &code)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!mallory.cookies.contains_key("ordo_portal"));
    let resend = mallory.post_bare("/register/resend", &[]).await;
    assert_eq!(resend.status, StatusCode::FORBIDDEN);
    assert_eq!(codes(&shop).await.len(), 1);
}

#[tokio::test]
async fn a_new_code_waits_for_the_engines_cooldown_and_replaces_the_old_one() {
    let (shop, clock) = shop().await;
    let mut ada = Client::new(&shop, 34);
    let registered = ada
        .post(
            "/register",
            &consumer("Ada Lovelace", "+442071234567", "ada"),
        )
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    let first = codes(&shop).await.pop().unwrap();
    let too_soon = ada.post("/register/resend", &[]).await;
    assert_eq!(
        too_soon.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        too_soon.body
    );
    assert!(
        too_soon.body.contains("role=\"alert\""),
        "{}",
        too_soon.body
    );
    assert_eq!(code_texts(&shop).await.len(), 1, "no second code yet");

    clock.advance(ordo_core::registration::RESEND_COOLDOWN_MS + 1);
    let resent = ada.post("/register/resend", &[]).await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
    assert_eq!(resent.location(), "/register/code?resent=1");
    assert!(
        ada.get(resent.location())
            .await
            .body
            .contains("A new code is on its way")
    );
    assert_eq!(code_texts(&shop).await.len(), 2, "two codes were sent");
    let valid = codes(&shop).await;
    assert_eq!(valid.len(), 1, "the first code is void: {valid:?}");
    let second = valid[0].clone();
    if first != second {
        let old = ada.post("/register/code", &[("code", &first)]).await;
        assert_eq!(
            old.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the old code is void"
        );
    }
    let verified = ada.post("/register/code", &[("code", &second)]).await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);
    assert!(ada.cookies.contains_key("ordo_portal"));
}

/// Guests and the catalog, a deliberate choice: the engine's matrix gives guests
/// `register` only (a product's view carries every price list and stock), so a guest is
/// invited to sign in or register and sees no product, price or stock figure.
#[tokio::test]
async fn a_guest_is_invited_to_sign_in_or_register_and_sees_no_price() {
    let shop = super::shop().await;
    let mut guest = Client::new(&shop, 45);
    let home = guest.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(r#"id="guest-prompt""#), "{}", home.body);
    assert!(home.body.contains(r#"href="/register""#) && home.body.contains(r#"href="/signin""#));
    assert!(!home.body.contains("TEE-1") && !home.body.contains("15.00"));
    assert!(!home.body.contains("/cart/add"));
    let product = guest.get("/products/TEE-1").await;
    assert_eq!(product.status, StatusCode::FORBIDDEN);
    assert!(product.body.contains(r#"id="guest-prompt""#));
    assert!(!product.body.contains("Product TEE-1") && !product.body.contains("15.00"));
    // The engine's own answer to a guest, which this page follows: if the matrix ever
    // opens the catalog to guests, this test says the page must be revisited.
    let answer = shop
        .pool
        .run(|engine| {
            ordo_api::execute(
                engine,
                &ordo_api::Caller::Remote,
                None,
                ordo_api::Request::ProductList(ordo_api::request::ListArgs::default()),
                None,
            )
        })
        .await
        .unwrap();
    match answer.outcome {
        ordo_api::Outcome::Error(error) => assert_eq!(error.kind, "forbidden"),
        ordo_api::Outcome::Ok(_) => panic!("guests may read the catalog now"),
    }
    // The sign-in page offers registration.
    assert!(
        guest
            .get("/signin")
            .await
            .body
            .contains(r#"href="/register""#)
    );
    // Signed in, the same page is the catalog with prices.
    let mut ann = Client::customer(&shop, "ann", 46).await;
    let catalog = ann.get("/").await;
    assert!(!catalog.body.contains("guest-prompt"));
    assert!(catalog.body.contains("15.00") && catalog.body.contains("/cart/add"));
}
