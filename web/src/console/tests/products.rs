//! The products and stock pages: list, create, edit, restock and adjust.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::tests::{Client, PASSWORD, Shop, admin, shop};

async fn product(shop: &Shop, sku: &str) -> Value {
    admin(
        &shop.pool,
        json!({"op": "product.get", "args": {"sku": sku}}),
    )
    .await
}

async fn add_user(shop: &Shop, login: &str, role: &str) {
    admin(
        &shop.pool,
        json!({"op": "user.add", "args": {"name": login, "login": login, "role": role, "password": PASSWORD}}),
    )
    .await;
}

fn stock_in(product: &Value, warehouse: &str) -> u64 {
    product["stock"]["warehouses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["warehouse"] == warehouse)
        .map_or(0, |w| w["on_hand"].as_u64().unwrap())
}

const NEW_PRODUCT: [(&str, &str); 13] = [
    ("sku", "BAG-9"),
    ("name", "Tote <script>bag</script>"),
    ("description", "A sturdy tote."),
    ("currency", "USD"),
    ("base_price", "24.00"),
    ("wholesale", "1 = 20.00\n10 = 18.50"),
    ("tax_category", "reduced"),
    ("backorder", "deny"),
    ("active", "1"),
    ("weight_kg", "0.4"),
    ("dimensions_cm", "40x35x2"),
    ("specifications", "Material: Canvas\nColour: Natural"),
    ("photos", "https://cdn.example.com/bag.jpg Front view"),
];

#[tokio::test]
async fn sales_staff_create_and_edit_products_with_errors_next_to_their_fields() {
    let shop = shop().await;
    add_user(&shop, "sam", "sales").await;
    let mut sam = Client::staff(&shop, "sam", 50).await;
    let list = sam.get("/console/products").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.body.matches("/console/products/").count() - 1,
        3,
        "three products and the new-product link"
    );
    assert!(
        list.body
            .contains("&lt;script&gt;alert('cap')&lt;/script&gt; Cap")
    );
    assert!(!list.body.contains("<script>"));
    assert_eq!(
        sam.get("/console/products/new").await.status,
        StatusCode::OK
    );

    // A price that is not an amount: 422, next to the price, every input kept.
    let mut fields = NEW_PRODUCT.to_vec();
    fields.push(("videos", "https://video.example.com/bag"));
    fields[4] = ("base_price", "cheap");
    let bad = sam.post("/console/products/new", &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains(
            r#"name="base_price" value="cheap" aria-invalid="true"><span class="error">"#
        ),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("Material: Canvas\nColour: Natural"));
    // The engine's refusal of an empty name lands at the name.
    fields[4] = ("base_price", "24.00");
    fields[1] = ("name", "");
    let unnamed = sam.post("/console/products/new", &fields).await;
    assert_eq!(
        unnamed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unnamed.body
    );
    assert!(
        unnamed
            .body
            .contains(r#"name="name" value="" aria-invalid="true"><span class="error">"#),
        "{}",
        unnamed.body
    );
    fields[1] = NEW_PRODUCT[1];
    let created = sam.post("/console/products/new", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let bag = product(&shop, "BAG-9").await;
    assert_eq!(
        created.location(),
        format!("/console/products/{}", bag["id"])
    );
    assert_eq!(bag["base_price"], "24.00");
    assert_eq!(bag["tax_category"], "reduced");
    assert_eq!(bag["weight_kg"], "0.4");
    assert_eq!(bag["specifications"].as_array().unwrap().len(), 2);
    assert_eq!(bag["media"].as_array().unwrap().len(), 2);
    assert_eq!(bag["media"][0]["url"], "https://cdn.example.com/bag.jpg");
    assert_eq!(bag["media"][0]["caption"], "Front view");
    let tiers = &bag["price_lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["group"] == "wholesale")
        .unwrap()["tiers"];
    assert_eq!(tiers.as_array().unwrap().len(), 2);
    let page = sam.get(created.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Tote &lt;script&gt;bag&lt;/script&gt;"));
    assert!(!page.body.contains("<script>"));
    assert!(page.body.contains("product-form") && page.body.contains("10 = 18.50"));
    // The edit form shows each photo with its caption, so saving it keeps the caption.
    assert!(
        page.body
            .contains("https://cdn.example.com/bag.jpg Front view</textarea>"),
        "{}",
        page.body
    );
    // Sales may not change stock: no stock forms.
    assert!(!page.body.contains("restock-form"));

    // Edit: a new price, one spec fewer, no videos, a new SKU.
    let mut edit = NEW_PRODUCT.to_vec();
    edit[0] = ("sku", "BAG-10");
    edit[4] = ("base_price", "26.50");
    edit[11] = ("specifications", "Material: Canvas");
    let path = format!("/console/products/{}/edit", bag["id"]);
    let bad_tier = {
        let mut with_bad = edit.clone();
        with_bad[5] = ("wholesale", "ten for 5");
        sam.post(&path, &with_bad).await
    };
    assert_eq!(bad_tier.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_tier
            .body
            .contains(r#"name="wholesale" rows="3" aria-invalid="true">ten for 5</textarea>"#),
        "{}",
        bad_tier.body
    );
    let saved = sam.post(&path, &edit).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let renamed = product(&shop, "BAG-10").await;
    assert_eq!(renamed["id"], bag["id"]);
    assert_eq!(renamed["base_price"], "26.50");
    assert_eq!(renamed["specifications"].as_array().unwrap().len(), 1);
    assert_eq!(renamed["media"].as_array().unwrap().len(), 1);
    assert_eq!(renamed["media"][0]["caption"], "Front view");
}

#[tokio::test]
async fn the_warehouse_restocks_and_adjusts_per_warehouse_and_may_not_edit() {
    let shop = shop().await;
    let tee = product(&shop, "TEE-1").await;
    let id = tee["id"].as_u64().unwrap();
    let mut wes = Client::staff(&shop, "wes", 51).await;
    let dashboard = wes.get("/console").await;
    assert!(dashboard.body.contains("/console/products"));
    let page = wes.get(&format!("/console/products/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("restock-form") && page.body.contains("adjust-form"));
    assert!(
        !page.body.contains("product-form"),
        "the warehouse does not edit products"
    );
    assert_eq!(
        wes.get("/console/products/new").await.status,
        StatusCode::FORBIDDEN
    );

    let mut moved = 0;
    for (path, fields) in [
        (
            "restock",
            vec![
                ("row", "MAIN"),
                ("warehouse", "MAIN"),
                ("quantity", "12"),
                ("reason", "delivery 7"),
            ],
        ),
        (
            "adjust",
            vec![
                ("row", "MAIN"),
                ("warehouse", "MAIN"),
                ("quantity", "-2"),
                ("reason", "damaged"),
            ],
        ),
        (
            "restock",
            vec![
                ("row", "new"),
                ("warehouse", "EAST"),
                ("quantity", "5"),
                ("reason", "first delivery"),
            ],
        ),
    ] {
        let answer = wes
            .post(&format!("/console/products/{id}/{path}"), &fields)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            answer.body
        );
        moved += 1;
    }
    assert_eq!(moved, 3);
    let after = product(&shop, "TEE-1").await;
    assert_eq!(stock_in(&after, "MAIN"), 60);
    assert_eq!(stock_in(&after, "EAST"), 5);
    let page = wes.get(&format!("/console/products/{id}")).await;
    assert!(page.body.contains("<td>EAST</td>"));

    // Units that are not a number, then a restock of zero: 422, next to the units of
    // that warehouse's form, the input kept.
    let words = wes
        .post(
            &format!("/console/products/{id}/restock"),
            &[
                ("row", "MAIN"),
                ("warehouse", "MAIN"),
                ("quantity", "a dozen"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(words.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        words
            .body
            .contains(r#"name="quantity" value="a dozen" aria-invalid="true""#)
    );
    let zero = wes
        .post(
            &format!("/console/products/{id}/restock"),
            &[
                ("row", "MAIN"),
                ("warehouse", "MAIN"),
                ("quantity", "0"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(
        zero.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        zero.body
    );
    assert!(
        zero.body
            .contains(r#"name="quantity" value="0" aria-invalid="true""#),
        "{}",
        zero.body
    );
    // Adjusting below what is reserved or on hand is the engine's refusal.
    let below = wes
        .post(
            &format!("/console/products/{id}/adjust"),
            &[
                ("row", "EAST"),
                ("warehouse", "EAST"),
                ("quantity", "-50"),
                ("reason", "count"),
            ],
        )
        .await;
    assert_ne!(below.status, StatusCode::SEE_OTHER);
    assert_eq!(stock_in(&product(&shop, "TEE-1").await, "EAST"), 5);

    // Editing is refused for the warehouse, a whole form too; without a token nothing
    // moves.
    let mut edit = NEW_PRODUCT.to_vec();
    edit[0] = ("sku", "TEE-1");
    let edit = wes
        .post(&format!("/console/products/{id}/edit"), &edit)
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
    assert_eq!(product(&shop, "TEE-1").await["name"], "Product TEE-1");
    let bare = wes
        .post_bare(
            &format!("/console/products/{id}/restock"),
            &[
                ("row", "MAIN"),
                ("warehouse", "MAIN"),
                ("quantity", "5"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN);
    assert_eq!(stock_in(&product(&shop, "TEE-1").await, "MAIN"), 60);
    // Customer service neither sees stock forms nor may restock.
    let mut cara = Client::staff(&shop, "cara", 52).await;
    let page = cara.get(&format!("/console/products/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("restock-form") && !page.body.contains("product-form"));
    let refused = cara
        .post(
            &format!("/console/products/{id}/restock"),
            &[
                ("row", "MAIN"),
                ("warehouse", "MAIN"),
                ("quantity", "5"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
