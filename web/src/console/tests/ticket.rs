//! One ticket in the console: the conversation with internal notes, a reply the customer
//! reads, an internal note they do not, status and assignment; refusals for roles without
//! the right and for forms without their CSRF token; hostile text shown as text.

use axum::http::StatusCode;
use serde_json::json;

use crate::tests::{Client, PASSWORD, admin, shop};

#[tokio::test]
async fn customer_service_answers_a_ticket_the_customer_reads_without_internal_notes() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 30).await;
    let opened = ann
        .post(
            "/tickets",
            &[
                ("subject", "Where is my parcel?"),
                ("message", "It has been a week."),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let listed = admin(&shop.pool, json!({"op": "ticket.list", "args": {}})).await;
    let id = listed["items"][0]["id"].as_u64().unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // The list links to the ticket page.
    let mut cara = Client::staff(&shop, "cara", 31).await;
    let list = cara.get("/console/tickets").await;
    assert!(
        list.body.contains(&format!("/console/tickets/{id}")),
        "{}",
        list.body
    );
    let page = cara.get(&format!("/console/tickets/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("It has been a week."), "{}", page.body);
    assert!(page.body.contains("comment-form") && page.body.contains("assign-form"));

    // A reply with hostile text, an internal note, a status and an assignment.
    let path = format!("/console/tickets/{id}");
    let replies = [
        (
            "/comment",
            vec![("text", "On its way <script>alert(1)</script>")],
        ),
        (
            "/comment",
            vec![("text", "Courier lost it, reship."), ("internal", "yes")],
        ),
        ("/status", vec![("status", "pending")]),
        ("/assign", vec![("assignee", "cara")]),
    ];
    let mut done = 0;
    for (action, fields) in &replies {
        let posted = cara.post(&format!("{path}{action}"), fields).await;
        assert_eq!(
            posted.status,
            StatusCode::SEE_OTHER,
            "{action}: {}",
            posted.body
        );
        assert_eq!(posted.location(), path);
        done += 1;
    }
    assert_eq!(done, replies.len());
    let page = cara.get(&path).await;
    assert!(
        page.body.contains("&lt;script&gt;"),
        "escaped: {}",
        page.body
    );
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
    assert!(page.body.contains("internal note") && page.body.contains("reship"));
    let ticket = admin(&shop.pool, json!({"op": "ticket.get", "args": {"id": id}})).await;
    assert_eq!(ticket["status"], "pending");
    assert!(ticket["assignee_id"].is_u64(), "{ticket}");
    assert_eq!(ticket["comments"].as_array().unwrap().len(), 3);

    // The customer reads the reply, never the internal note.
    let mine = ann.get(&format!("/tickets/{id}")).await;
    assert!(mine.body.contains("On its way"), "{}", mine.body);
    assert!(!mine.body.contains("reship"), "{}", mine.body);

    // A bad status and an unknown login come back next to their inputs; nothing changes.
    let bad = cara
        .post(&format!("{path}/status"), &[("status", "lost")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let nobody = cara
        .post(&format!("{path}/assign"), &[("assignee", "no-such-login")])
        .await;
    assert!(nobody.status.is_client_error(), "{}", nobody.body);
    let ticket = admin(&shop.pool, json!({"op": "ticket.get", "args": {"id": id}})).await;
    assert_eq!(ticket["status"], "pending");
}

#[tokio::test]
async fn roles_without_tickets_and_forms_without_their_token_are_refused() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 32).await;
    ann.post(
        "/tickets",
        &[("subject", "Hello"), ("message", "A question.")],
    )
    .await;
    let listed = admin(&shop.pool, json!({"op": "ticket.list", "args": {}})).await;
    let id = listed["items"][0]["id"].as_u64().unwrap();
    let path = format!("/console/tickets/{id}");

    // The warehouse reads no tickets; sales read them but do not work them.
    let mut wes = Client::staff(&shop, "wes", 33).await;
    assert_eq!(wes.get(&path).await.status, StatusCode::FORBIDDEN);
    admin(
        &shop.pool,
        json!({"op": "user.add", "args": {"name": "sam", "login": "sam", "role": "sales", "password": PASSWORD}}),
    )
    .await;
    let mut sam = Client::staff(&shop, "sam", 34).await;
    let read = sam.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("comment-form"), "{}", read.body);
    let refused = sam
        .post(&format!("{path}/comment"), &[("text", "hi")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A form without its CSRF token does nothing.
    let mut cara = Client::staff(&shop, "cara", 35).await;
    let forged = cara
        .post_bare(&format!("{path}/comment"), &[("text", "forged")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let ticket = admin(&shop.pool, json!({"op": "ticket.get", "args": {"id": id}})).await;
    assert_eq!(ticket["comments"].as_array().unwrap().len(), 1);
}
