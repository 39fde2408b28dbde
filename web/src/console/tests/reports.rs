//! The reports page and the dashboard's sales chart.

use axum::http::StatusCode;
use serde_json::json;

use crate::tests::{Client, PASSWORD, Shop, admin, place, shop};

async fn add_user(shop: &Shop, login: &str, role: &str) {
    admin(
        &shop.pool,
        json!({"op": "user.add", "args": {"name": login, "login": login, "role": role, "password": PASSWORD}}),
    )
    .await;
}

/// The sample engine's clock stands at 2026-01-01 (UTC): every order is placed that day.
const JANUARY: &str = "/console/reports?from=2026-01-01&to=2026-01-31&group=day";

#[tokio::test]
async fn the_reports_page_shows_sales_by_period_product_and_customer_with_a_chart() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 60).await;
    let first = place(&mut ann, &[("TEE-1", "2")]).await;
    let mut bob = Client::customer(&shop, "bob", 61).await;
    let second = place(&mut bob, &[("CAP-3", "1")]).await;
    let mut revenue = rust_decimal::Decimal::ZERO;
    for reference in [&first, &second] {
        let order = admin(
            &shop.pool,
            json!({"op": "order.get", "args": {"reference": reference}}),
        )
        .await;
        revenue += order["total"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap();
    }
    add_user(&shop, "ana", "analyst").await;
    let mut ana = Client::staff(&shop, "ana", 62).await;
    let page = ana.get(JANUARY).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // One bar per day of January, the first day's carrying both orders.
    assert_eq!(page.body.matches(r#"<rect class="bar""#).count(), 31);
    assert!(
        page.body.contains(&format!(
            "<title>2026-01-01: {revenue} USD, 2 orders</title>"
        )),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"id="sales-periods""#)
            && page.body.contains(&format!("{revenue} USD"))
    );
    assert!(page.body.contains(r#"id="sales-products""#) && page.body.contains("TEE-1"));
    assert!(page.body.contains(r#"id="top-customers""#));
    // Hostile product and customer names are text.
    assert!(
        page.body
            .contains("&lt;script&gt;alert('cap')&lt;/script&gt; Cap")
    );
    assert!(
        page.body
            .contains("&lt;script&gt;alert('bob')&lt;/script&gt; Bob")
    );
    assert!(!page.body.contains("<script>"));
    // By month: one period, one bar.
    let monthly = ana
        .get("/console/reports?from=2026-01-01&to=2026-01-31&group=month")
        .await;
    assert_eq!(monthly.status, StatusCode::OK);
    assert_eq!(monthly.body.matches(r#"<rect class="bar""#).count(), 1);
    // A range the engine refuses: its message, not a page of zeros.
    let backwards = ana
        .get("/console/reports?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(backwards.body.contains(r#"class="alert""#));
    // A range without sales says so.
    let empty = ana
        .get("/console/reports?from=2025-01-01&to=2025-01-31")
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty
            .body
            .contains("No sales from 2025-01-01 to 2025-01-31")
    );
}

#[tokio::test]
async fn the_dashboard_chart_and_reports_are_for_roles_that_view_reports() {
    let shop = shop().await;
    add_user(&shop, "sam", "sales").await;
    let mut sam = Client::staff(&shop, "sam", 63).await;
    let dashboard = sam.get("/console").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(
        dashboard.body.contains("Sales, last 30 days"),
        "{}",
        dashboard.body
    );
    // The wall clock is far from the engine's 2026-01-01: an empty range, said so.
    assert!(dashboard.body.contains("No sales from") || dashboard.body.contains("<svg"));
    assert!(dashboard.body.contains(r#"href="/console/reports""#));
    assert_eq!(sam.get("/console/reports").await.status, StatusCode::OK);
    let mut refused = 0;
    for login in ["olga", "wes", "cara"] {
        let mut staff = Client::staff(&shop, login, 64).await;
        let dashboard = staff.get("/console").await;
        assert!(!dashboard.body.contains("Sales, last 30 days"), "{login}");
        assert!(!dashboard.body.contains("/console/reports"), "{login}");
        assert_eq!(
            staff.get(JANUARY).await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
        refused += 1;
    }
    assert_eq!(refused, 3);
    let mut guest = Client::new(&shop, 65);
    assert_eq!(guest.get(JANUARY).await.location(), "/console/signin");
}
