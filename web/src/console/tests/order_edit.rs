//! The order page's editing forms: items, address, refund, archive and restore.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::tests::{Client, admin, order_id, place, shop};

async fn order(shop: &crate::tests::Shop, id: u64) -> Value {
    admin(&shop.pool, json!({"op": "order.get", "args": id})).await
}

fn quantities(order: &Value) -> Vec<(String, u64)> {
    order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["sku"].as_str().unwrap().to_string(),
                l["quantity"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn staff_change_items_and_the_address_with_errors_next_to_their_fields() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 30).await;
    let reference = place(&mut ann, &[("TEE-1", "1"), ("MUG-2", "2")]).await;
    let id = order_id(&shop, &reference).await;
    let mut olga = Client::staff(&shop, "olga", 31).await;
    let page = olga.get(&format!("/console/orders/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("add-item-form") && page.body.contains("address-form"));
    assert_eq!(page.body.matches("quantity-form").count(), 2);
    assert!(
        !page.body.contains("archive-form"),
        "a placed order is not archivable"
    );
    assert!(!page.body.contains("refund-form"), "nothing was paid");

    let mut done = 0;
    for (path, fields) in [
        ("items/add", vec![("sku", "CAP-3"), ("quantity", "2")]),
        ("items/quantity", vec![("sku", "MUG-2"), ("quantity", "5")]),
        ("items/remove", vec![("sku", "TEE-1")]),
    ] {
        let answer = olga
            .post(&format!("/console/orders/{id}/{path}"), &fields)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            answer.body
        );
        assert_eq!(answer.location(), format!("/console/orders/{id}"));
        done += 1;
    }
    assert_eq!(done, 3);
    assert_eq!(
        quantities(&order(&shop, id).await),
        vec![("MUG-2".to_string(), 5), ("CAP-3".to_string(), 2)]
    );
    // The hostile product name is text in the items section.
    let page = olga.get(&format!("/console/orders/{id}")).await;
    assert!(
        page.body
            .contains("&lt;script&gt;alert('cap')&lt;/script&gt; Cap")
    );
    assert!(!page.body.contains("<script>"));

    // A quantity that is not a number: 422, the input kept, the error at the quantity.
    let bad = olga
        .post(
            &format!("/console/orders/{id}/items/add"),
            &[("sku", "TEE-1"), ("quantity", "lots")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains(r#"name="quantity" value="lots" aria-invalid="true"><span class="error">"#),
        "{}",
        bad.body
    );
    assert!(bad.body.contains(r#"name="sku" value="TEE-1""#));
    // The engine's refusal of a quantity on a line: next to that line's quantity.
    let zero = olga
        .post(
            &format!("/console/orders/{id}/items/quantity"),
            &[("sku", "MUG-2"), ("quantity", "-1")],
        )
        .await;
    assert_eq!(
        zero.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        zero.body
    );
    assert!(
        zero.body.contains(r#"value="-1" aria-invalid="true""#),
        "{}",
        zero.body
    );
    assert_eq!(quantities(&order(&shop, id).await).len(), 2);

    // The address: the engine names `address line 1`; the error sits at that input.
    let mut address = vec![
        ("recipient", "Ann Example"),
        ("line1", ""),
        ("line2", ""),
        ("city", "Springfield"),
        ("region", ""),
        ("postal_code", "12345"),
        ("country", "US"),
    ];
    let refused = olga
        .post(&format!("/console/orders/{id}/address"), &address)
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains(r#"name="line1" value="" aria-invalid="true"><span class="error">"#),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r#"name="city" value="Springfield""#));
    address[1] = ("line1", "1 <script>Main</script> St");
    let changed = olga
        .post(&format!("/console/orders/{id}/address"), &address)
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let page = olga.get(&format!("/console/orders/{id}")).await;
    assert!(page.body.contains("1 &lt;script&gt;Main&lt;/script&gt; St"));
    assert!(!page.body.contains("<script>"));
}

#[tokio::test]
async fn staff_refund_through_the_ledger_then_archive_and_restore() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 32).await;
    let reference = place(&mut ann, &[("TEE-1", "1")]).await;
    let id = order_id(&shop, &reference).await;
    let mut olga = Client::staff(&shop, "olga", 33).await;
    let due = order(&shop, id).await["balance_due"]
        .as_str()
        .unwrap()
        .to_string();
    let paid = olga
        .post(
            &format!("/console/orders/{id}/pay"),
            &[("amount", due.as_str()), ("method", "card")],
        )
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let page = olga.get(&format!("/console/orders/{id}")).await;
    assert!(page.body.contains("refund-form"));

    let bad = olga
        .post(
            &format!("/console/orders/{id}/refund"),
            &[("amount", "ten"), ("method", "card")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains(r#"name="amount" value="ten" aria-invalid="true""#)
    );
    let too_much = olga
        .post(
            &format!("/console/orders/{id}/refund"),
            &[("amount", "9999.00"), ("method", "card")],
        )
        .await;
    assert_ne!(too_much.status, StatusCode::SEE_OTHER, "more than was paid");
    assert!(too_much.body.contains(r#"value="9999.00""#));
    let refunded = olga
        .post(
            &format!("/console/orders/{id}/refund"),
            &[
                ("amount", "1.00"),
                ("method", "card"),
                ("external_reference", "re_1"),
            ],
        )
        .await;
    assert_eq!(refunded.status, StatusCode::SEE_OTHER, "{}", refunded.body);
    let after = order(&shop, id).await;
    assert_eq!(after["refunded"], "1.00");
    let kinds: Vec<&str> = after["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["payment", "refund"]);

    // Cancelled, it may be archived; archived, restored.
    let cancelled = olga
        .post(
            &format!("/console/orders/{id}/cancel"),
            &[("reason", "customer asked")],
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let page = olga.get(&format!("/console/orders/{id}")).await;
    assert!(page.body.contains("archive-form") && !page.body.contains("restore-form"));
    assert!(!page.body.contains("add-item-form") && !page.body.contains("address-form"));
    let archived = olga
        .post(
            &format!("/console/orders/{id}/archive"),
            &[("reason", "closed out")],
        )
        .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER, "{}", archived.body);
    assert_eq!(order(&shop, id).await["archived"], true);
    let page = olga.get(&format!("/console/orders/{id}")).await;
    assert!(page.body.contains("restore-form") && page.body.contains("closed out"));
    let restored = olga
        .post(&format!("/console/orders/{id}/restore"), &[])
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER, "{}", restored.body);
    assert_eq!(order(&shop, id).await["archived"], false);
}

#[tokio::test]
async fn editing_forms_follow_the_matrix_and_need_their_csrf_token() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 34).await;
    let reference = place(&mut ann, &[("TEE-1", "1")]).await;
    let id = order_id(&shop, &reference).await;
    // Customer service may change the address and refund, not the items or the archive.
    let mut cara = Client::staff(&shop, "cara", 35).await;
    let page = cara.get(&format!("/console/orders/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("address-form"));
    assert!(!page.body.contains("add-item-form") && !page.body.contains("quantity-form"));
    let refused = cara
        .post(
            &format!("/console/orders/{id}/items/add"),
            &[("sku", "MUG-2"), ("quantity", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let archive = cara
        .post(
            &format!("/console/orders/{id}/archive"),
            &[("reason", "tidy")],
        )
        .await;
    assert_eq!(archive.status, StatusCode::FORBIDDEN);
    // The warehouse gets none of these forms.
    let mut wes = Client::staff(&shop, "wes", 36).await;
    let page = wes.get(&format!("/console/orders/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for form in [
        "add-item-form",
        "address-form",
        "refund-form",
        "archive-form",
    ] {
        assert!(!page.body.contains(form), "{form}");
    }
    // Without the CSRF token nothing happens, even for a role that may.
    let mut olga = Client::staff(&shop, "olga", 37).await;
    let mut refused = 0;
    for path in [
        "items/add",
        "items/quantity",
        "items/remove",
        "address",
        "archive",
        "restore",
        "refund",
    ] {
        let answer = olga
            .post_bare(
                &format!("/console/orders/{id}/{path}"),
                &[("sku", "TEE-1"), ("quantity", "3"), ("amount", "1.00")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
        refused += 1;
    }
    assert_eq!(refused, 7);
    assert_eq!(
        quantities(&order(&shop, id).await),
        vec![("TEE-1".to_string(), 1)]
    );
}
