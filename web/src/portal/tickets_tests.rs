//! Handler tests of the customer's tickets (`portal::tickets`) through the real router.

use axum::http::StatusCode;
use serde_json::json;

use super::{Client, admin, place, shop};

/// The ticket id a `/tickets/{id}?opened=1` redirect names.
fn opened_id(location: &str) -> u64 {
    location
        .strip_prefix("/tickets/")
        .and_then(|rest| rest.strip_suffix("?opened=1"))
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_customer_opens_a_ticket_about_their_order_and_reads_the_replies() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 40).await;
    let reference = place(&mut ann, &[("TEE-1", "1")]).await;
    let order = ann.get(&format!("/orders/{reference}")).await;
    assert!(order.body.contains(&format!("/tickets?order={reference}")));
    let form = ann.get(&format!("/tickets?order={reference}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("You have no tickets"));
    assert!(
        form.body
            .contains(&format!(r#"name="order" value="{reference}""#))
    );

    let opened = ann
        .post(
            "/tickets",
            &[
                ("subject", "Where is my parcel?"),
                ("order", &reference),
                ("message", "It was due yesterday."),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let id = opened_id(opened.location());
    let page = ann.get(opened.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("your ticket is open"));
    assert!(page.body.contains("Where is my parcel?"));
    assert!(
        page.body
            .contains(&format!("About order <a href=\"/orders/{reference}\""))
    );
    assert!(page.body.contains("It was due yesterday."));

    // The shop answers; its internal note never reaches the customer.
    admin(
        &shop.pool,
        json!({"op": "ticket.comment", "args": {"id": id, "text": "It ships today.", "internal": false}}),
    )
    .await;
    admin(
        &shop.pool,
        json!({"op": "ticket.comment", "args": {"id": id, "text": "Warehouse was late (internal).", "internal": true}}),
    )
    .await;
    let replied = ann
        .post(&format!("/tickets/{id}/reply"), &[("text", "Thanks!")])
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    let page = ann.get(&format!("/tickets/{id}")).await;
    assert!(page.body.contains("It ships today.") && page.body.contains("Thanks!"));
    assert!(!page.body.contains("Warehouse was late"));
    assert_eq!(page.body.matches(r#"<li class="comment">"#).count(), 3);
    assert_eq!(page.body.matches("<strong>You</strong>").count(), 2);

    // A second ticket without an order; both are listed with their visible replies.
    let plain = ann
        .post(
            "/tickets",
            &[("subject", "Gift wrapping?"), ("message", "")],
        )
        .await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER, "{}", plain.body);
    let mine = ann.get("/tickets").await;
    assert_eq!(
        mine.body.matches(r#"<a href="/tickets/"#).count(),
        2,
        "{}",
        mine.body
    );
    assert!(mine.body.contains("Where is my parcel?") && mine.body.contains("Gift wrapping?"));
    assert!(
        mine.body.contains(r#"<td class="num">3</td>"#),
        "{}",
        mine.body
    );
}

#[tokio::test]
async fn another_customers_order_or_ticket_reads_exactly_like_a_missing_one() {
    let shop = shop().await;
    let mut bob = Client::customer(&shop, "bob", 41).await;
    let bobs = place(&mut bob, &[("MUG-2", "1")]).await;
    let opened = bob.post("/tickets", &[("subject", "Bob's question")]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let bobs_ticket = opened_id(opened.location());

    let mut ann = Client::customer(&shop, "ann", 42).await;
    let missing =
        ordo_core::ids::OrderReference::generate(&ordo_core::random::SeededRandom::new(99))
            .to_string();
    assert_ne!(missing, bobs);
    let mut pages = Vec::new();
    for reference in [&bobs, &missing] {
        let refused = ann
            .post(
                "/tickets",
                &[("subject", "About that order"), ("order", reference)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        assert!(
            refused.body.contains(&format!(
                r#"name="order" value="{reference}" aria-invalid="true"><span class="error">"#
            )),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains(r#"value="About that order""#),
            "input kept"
        );
        pages.push(refused.body.replace(reference.as_str(), "REF"));
    }
    assert_eq!(pages[0], pages[1]);
    assert!(
        ann.get("/tickets")
            .await
            .body
            .contains("You have no tickets")
    );

    let theirs = ann.get(&format!("/tickets/{bobs_ticket}")).await;
    let nothing = ann.get("/tickets/999999").await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    // The whole page, but for the id in the message (ids are digits that may also occur in
    // the CSRF token, so only the message's mention is replaced).
    assert!(
        theirs
            .body
            .contains(&format!("ticket {bobs_ticket} was not found"))
    );
    assert_eq!(
        theirs.body.replace(
            &format!("ticket {bobs_ticket} was not found"),
            "ticket ID was not found"
        ),
        nothing
            .body
            .replace("ticket 999999 was not found", "ticket ID was not found")
    );
    assert!(!theirs.body.contains("Bob's question"));
    let reply = ann
        .post(&format!("/tickets/{bobs_ticket}/reply"), &[("text", "hi")])
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(ann.get("/tickets/abc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ticket_forms_need_their_token_name_bad_fields_and_escape_hostile_text() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 43).await;
    let forged = ann.post_bare("/tickets", &[("subject", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let empty = ann
        .post("/tickets", &[("subject", " "), ("message", "kept text")])
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
            .contains(r#"name="subject" value=" " aria-invalid="true"><span class="error">"#),
        "{}",
        empty.body
    );
    assert!(empty.body.contains(">kept text</textarea>"));
    let hostile = ann
        .post(
            "/tickets",
            &[
                ("subject", "<script>alert(1)</script>"),
                ("message", "<b>hi</b>"),
            ],
        )
        .await;
    assert_eq!(hostile.status, StatusCode::SEE_OTHER);
    let page = ann.get(hostile.location()).await;
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.body.contains("&lt;b&gt;hi&lt;/b&gt;"));
    assert!(!page.body.contains("<script>") && !page.body.contains("<b>hi"));
    let admin_view = admin(&shop.pool, json!({"op": "ticket.list", "args": {}})).await;
    assert_eq!(
        admin_view["items"].as_array().unwrap().len(),
        1,
        "only one opened"
    );
    let mut guest = Client::new(&shop, 44);
    assert_eq!(guest.get("/tickets").await.location(), "/signin");
}
