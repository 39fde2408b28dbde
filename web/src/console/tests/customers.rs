//! The customers pages: search, profile with purchases and the communication log, and the
//! registrations waiting for approval.

use axum::http::StatusCode;
use ordo_core::testkit::sample;
use serde_json::{Value, json};

use crate::tests::{Client, PASSWORD, Shop, admin, place, shop};

/// A business registration taken through verification: waiting for staff approval.
async fn pending_business(shop: &Shop, n: u64, company: &str) -> u64 {
    let mut input = serde_json::to_value(sample::customer(n)).unwrap();
    input["business"] = json!([company, format!("GB{n}00")]);
    let registered = admin(
        &shop.pool,
        json!({"op": "customer.register", "args": {"customer": input}}),
    )
    .await;
    let handle = registered["registration_handle"]
        .as_str()
        .unwrap()
        .to_string();
    let outbox = admin(
        &shop.pool,
        json!({"op": "outbox.list", "args": {"limit": 1000}}),
    )
    .await;
    let text = outbox
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|n| n["event"] == "verification code")
        .map(|n| n["text"].as_str().unwrap().to_string())
        .unwrap();
    let code = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string();
    let verified = admin(
        &shop.pool,
        json!({"op": "customer.verify", "args": {"registration": handle, "code": code, "login": format!("biz{n}"), "password": PASSWORD}}),
    )
    .await;
    assert_eq!(verified["status"], "pending approval");
    verified["id"].as_u64().unwrap()
}

async fn customer(shop: &Shop, id: u64) -> Value {
    admin(&shop.pool, json!({"op": "customer.get", "args": id})).await
}

/// Ann, the first sample customer (active, with a login).
async fn ann(shop: &Shop) -> Value {
    let phone = sample::customer(1).phone;
    admin(
        &shop.pool,
        json!({"op": "customer.get", "args": {"phone": phone}}),
    )
    .await
}

async fn add_sales_user(shop: &Shop) {
    admin(
        &shop.pool,
        json!({"op": "user.add", "args": {"name": "sam", "login": "sam", "role": "sales", "password": PASSWORD}}),
    )
    .await;
}

#[tokio::test]
async fn staff_search_customers_by_name_phone_and_registration_id() {
    let shop = shop().await;
    let ann = ann(&shop).await;
    let ann_id = ann["id"].as_u64().unwrap();
    let mut cara = Client::staff(&shop, "cara", 40).await;
    let all = cara.get("/console/customers").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains(ann["name"].as_str().unwrap()));
    // The hostile name is text.
    assert!(
        all.body
            .contains("&lt;script&gt;alert('bob')&lt;/script&gt; Bob")
    );
    assert!(!all.body.contains("<script>"));
    let mut searched = 0;
    for q in [
        ann["phone"].as_str().unwrap().to_string(),
        ann["registration_id"].as_str().unwrap().to_string(),
        ann_id.to_string(),
    ] {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("q", &q);
        let page = cara
            .get(&format!("/console/customers?{}", query.finish()))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert!(
            page.body
                .contains(&format!("/console/customers/{ann_id}\"")),
            "{q}: {}",
            page.body
        );
        assert!(!page.body.contains("Bob"), "{q}");
        searched += 1;
    }
    assert_eq!(searched, 3);
    let by_name = cara.get("/console/customers?q=Bob").await;
    assert!(
        by_name.body.contains("Bob")
            && !by_name
                .body
                .contains(&format!("/console/customers/{ann_id}\""))
    );
    let nobody = cara.get("/console/customers?q=%2B19999999999").await;
    assert_eq!(nobody.status, StatusCode::OK);
    assert!(nobody.body.contains("No customers match"));
    // Customer service may not approve: no link to the pending list, and it is refused.
    assert!(!all.body.contains("/console/customers/pending"));
    assert_eq!(
        cara.get("/console/customers/pending").await.status,
        StatusCode::FORBIDDEN
    );
    // The warehouse reads no customers: not in its navigation, refused if asked.
    let mut wes = Client::staff(&shop, "wes", 41).await;
    assert!(
        !wes.get("/console")
            .await
            .body
            .contains("/console/customers")
    );
    assert!(
        cara.get("/console")
            .await
            .body
            .contains("/console/customers")
    );
    assert_eq!(
        wes.get("/console/customers").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        wes.get(&format!("/console/customers/{ann_id}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_profile_shows_purchases_and_the_log_staff_write_to() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 42).await;
    let reference = place(&mut ann, &[("TEE-1", "1")]).await;
    let ann_id = self::ann(&shop).await["id"].as_u64().unwrap();
    let order_id = admin(
        &shop.pool,
        json!({"op": "order.get", "args": {"reference": reference}}),
    )
    .await["id"]
        .as_u64()
        .unwrap();
    let mut cara = Client::staff(&shop, "cara", 43).await;
    let profile = cara.get(&format!("/console/customers/{ann_id}")).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("Purchases") && profile.body.contains(&reference));
    assert!(
        profile
            .body
            .contains(&format!("/console/orders/{order_id}"))
    );
    assert!(profile.body.contains("log-form") && profile.body.contains("Nothing logged"));

    let logged = cara
        .post(
            &format!("/console/customers/{ann_id}/log"),
            &[
                ("channel", "note"),
                ("direction", "in"),
                ("text", "asked about <script>x</script> sizes"),
                ("order", reference.as_str()),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
    let empty = cara
        .post(
            &format!("/console/customers/{ann_id}/log"),
            &[("channel", "sms"), ("direction", "out"), ("text", "  ")],
        )
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    assert!(
        empty
            .body
            .contains(r#"name="text" value="  " aria-invalid="true"><span class="error">"#),
        "{}",
        empty.body
    );
    assert!(empty.body.contains(r#"<option value="sms" selected>"#));
    let messages = admin(
        &shop.pool,
        json!({"op": "customer.messages", "args": {"customer": ann_id}}),
    )
    .await;
    assert_eq!(messages.as_array().unwrap().len(), 1);
    let profile = cara.get(&format!("/console/customers/{ann_id}")).await;
    assert!(
        profile
            .body
            .contains("asked about &lt;script&gt;x&lt;/script&gt; sizes")
    );
    assert!(!profile.body.contains("<script>"));

    // A role that reads customers but may not write the log gets no form, and a post is
    // the engine's 403 (analysts read, never write).
    admin(
        &shop.pool,
        json!({"op": "user.add", "args": {"name": "ana", "login": "ana", "role": "analyst", "password": PASSWORD}}),
    )
    .await;
    let mut ana = Client::staff(&shop, "ana", 44).await;
    let read = ana.get(&format!("/console/customers/{ann_id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("log-form") && read.body.contains("Communication log"));
    let refused = ana
        .post(
            &format!("/console/customers/{ann_id}/log"),
            &[("channel", "note"), ("text", "hello")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Without its token the form does nothing.
    let bare = cara
        .post_bare(
            &format!("/console/customers/{ann_id}/log"),
            &[("channel", "note"), ("text", "forged")],
        )
        .await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN);
    let messages = admin(
        &shop.pool,
        json!({"op": "customer.messages", "args": {"customer": ann_id}}),
    )
    .await;
    assert_eq!(messages.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn sales_staff_approve_and_reject_waiting_business_registrations() {
    let shop = shop().await;
    let acme = pending_business(&shop, 3, "<script>alert('acme')</script> Acme").await;
    let globex = pending_business(&shop, 4, "Globex").await;
    add_sales_user(&shop).await;
    let mut sam = Client::staff(&shop, "sam", 45).await;
    let list = sam.get("/console/customers").await;
    assert!(list.body.contains("/console/customers/pending"));
    let pending = sam.get("/console/customers/pending").await;
    assert_eq!(pending.status, StatusCode::OK);
    assert_eq!(pending.body.matches("approve-form").count(), 2);
    assert!(
        pending
            .body
            .contains("&lt;script&gt;alert('acme')&lt;/script&gt; Acme")
    );
    assert!(!pending.body.contains("<script>"));
    // Ann (active) is not waiting.
    let ann_id = ann(&shop).await["id"].as_u64().unwrap();
    assert!(
        !pending
            .body
            .contains(&format!("/console/customers/{ann_id}\""))
    );

    let approved = sam
        .post(&format!("/console/customers/{acme}/approve"), &[])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert_eq!(approved.location(), format!("/console/customers/{acme}"));
    assert_eq!(customer(&shop, acme).await["status"], "active");
    // A rejection needs its reason, next to the reason field.
    let no_reason = sam
        .post(
            &format!("/console/customers/{globex}/reject"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(
        no_reason.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_reason.body
    );
    assert!(
        no_reason
            .body
            .contains(r#"name="reason" value="" aria-invalid="true"><span class="error">"#),
        "{}",
        no_reason.body
    );
    let rejected = sam
        .post(
            &format!("/console/customers/{globex}/reject"),
            &[("reason", "tax id does not match")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
    assert_eq!(customer(&shop, globex).await["status"], "rejected");
    let pending = sam.get("/console/customers/pending").await;
    assert!(pending.body.contains("Nobody is waiting"));
    // Approving again is the engine's refusal, shown on the profile.
    let again = sam
        .post(&format!("/console/customers/{acme}/approve"), &[])
        .await;
    assert_ne!(again.status, StatusCode::SEE_OTHER);
    assert!(again.body.contains("role=\"alert\""), "{}", again.body);
    // Without the token nothing is decided; order processors may not decide at all.
    let third = pending_business(&shop, 5, "Initech").await;
    let bare = sam
        .post_bare(&format!("/console/customers/{third}/approve"), &[])
        .await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN);
    let mut olga = Client::staff(&shop, "olga", 46).await;
    let profile = olga.get(&format!("/console/customers/{third}")).await;
    assert!(!profile.body.contains("approve-form"));
    let refused = olga
        .post(&format!("/console/customers/{third}/approve"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(customer(&shop, third).await["status"], "pending approval");
}
