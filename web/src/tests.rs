//! Handler tests: every page and form through the real router (security layers included)
//! on an in-memory engine, with a small cookie-keeping client.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request as HttpRequest, StatusCode, header};
use http_body_util::BodyExt;
use ordo_api::{Caller, Outcome, Request};
use ordo_bots::config::ServeConfig;
use ordo_bots::http::AppState;
use ordo_bots::pool::EnginePool;
use ordo_core::store::MemoryStore;
use ordo_core::testkit::sample;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::WebState;

const KEY: [u8; 32] = [42; 32];
const PASSWORD: &str = "correct-horse-battery-9";

/// A shop with products, two customers and staff of several roles.
struct Shop {
    app: Router,
    pool: EnginePool<MemoryStore>,
}

async fn admin(pool: &EnginePool<MemoryStore>, request: Value) -> Value {
    let response = pool
        .run(move |engine| {
            let request: Request = serde_json::from_value(request).unwrap();
            ordo_api::execute(
                engine,
                &Caller::Local {
                    name: "test".into(),
                },
                None,
                request,
                None,
            )
        })
        .await
        .unwrap();
    match response.outcome {
        Outcome::Ok(value) => value,
        Outcome::Error(error) => panic!("setup refused: {error:?}"),
    }
}

async fn shop_with(config: ServeConfig) -> Shop {
    let (engine, _clock) = sample::engine_with_cheap_passwords(MemoryStore::new(), 7);
    let pool = EnginePool::new(engine, 2);
    for (sku, cents) in [("TEE-1", 1500), ("MUG-2", 900), ("CAP-3", 1200)] {
        let mut product = serde_json::to_value(sample::product(sku, cents)).unwrap();
        if sku == "CAP-3" {
            product["name"] = json!("<script>alert('cap')</script> Cap");
        }
        admin(&pool, json!({"op": "product.create", "args": product})).await;
        admin(
            &pool,
            json!({"op": "product.restock", "args": {"sku": sku, "warehouse": "MAIN", "quantity": 50, "reason": "test"}}),
        )
        .await;
    }
    for (n, login) in [(1, "ann"), (2, "bob")] {
        let mut customer = serde_json::to_value(sample::customer(n)).unwrap();
        if n == 2 {
            customer["name"] = json!("<script>alert('bob')</script> Bob");
        }
        let created = admin(&pool, json!({"op": "customer.create", "args": customer})).await;
        admin(
            &pool,
            json!({"op": "customer.set_password", "args": {"customer": {"id": created["id"]}, "login": login, "password": PASSWORD}}),
        )
        .await;
    }
    for (login, role) in [
        ("olga", "order-processor"),
        ("wes", "warehouse"),
        ("cara", "customer-service"),
    ] {
        admin(
            &pool,
            json!({"op": "user.add", "args": {"name": login, "login": login, "role": role, "password": PASSWORD}}),
        )
        .await;
    }
    let state = AppState::new(pool.clone(), config);
    let app = crate::routes(WebState::with_key(state, KEY));
    Shop { app, pool }
}

async fn shop() -> Shop {
    shop_with(ServeConfig::default()).await
}

// The console pages of issue 16's second part, on this harness, in their own files.
#[path = "console/tests/mod.rs"]
mod console_pages;

/// A browser: keeps cookies, sends the CSRF token of its nonce with every form.
struct Client {
    app: Router,
    cookies: HashMap<String, String>,
    peer: SocketAddr,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

impl Client {
    fn new(shop: &Shop, peer: u8) -> Client {
        Client {
            app: shop.app.clone(),
            cookies: HashMap::new(),
            peer: SocketAddr::from(([10, 0, 0, peer], 4000)),
        }
    }

    async fn send(&mut self, method: Method, path: &str, body: Option<String>) -> Page {
        let mut request = HttpRequest::builder().method(method).uri(path);
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        if !cookie.is_empty() {
            request = request.header(header::COOKIE, cookie.join("; "));
        }
        let mut request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
            None => request.body(Body::empty()).unwrap(),
        };
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let page = Page {
            status,
            headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        };
        for line in page.set_cookies() {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        page
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    /// A form post with the right CSRF token (the client first gets a page if it has no
    /// nonce yet).
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        if !self.cookies.contains_key("ordo_csrf") {
            self.get("/signin").await;
        }
        let token = crate::csrf::token(&KEY, &self.cookies["ordo_csrf"]);
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("csrf", &token);
        for (name, value) in fields {
            form.append_pair(name, value);
        }
        self.send(Method::POST, path, Some(form.finish())).await
    }

    /// A form post without any CSRF token.
    async fn post_bare(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (name, value) in fields {
            form.append_pair(name, value);
        }
        self.send(Method::POST, path, Some(form.finish())).await
    }

    async fn customer(shop: &Shop, login: &str, peer: u8) -> Client {
        let mut client = Client::new(shop, peer);
        let signed = client
            .post("/signin", &[("login", login), ("password", PASSWORD)])
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        client
    }

    async fn staff(shop: &Shop, login: &str, peer: u8) -> Client {
        let mut client = Client::new(shop, peer);
        let signed = client
            .post(
                "/console/signin",
                &[("login", login), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        assert_eq!(signed.location(), "/console");
        client
    }
}

/// Places an order of `items` for a signed-in customer through the cart; its reference.
async fn place(client: &mut Client, items: &[(&str, &str)]) -> String {
    for (sku, quantity) in items {
        let added = client
            .post("/cart/add", &[("sku", sku), ("quantity", quantity)])
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let placed = client.post("/cart/checkout", &[]).await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    let location = placed.location().to_string();
    let reference = location
        .strip_prefix("/orders/")
        .and_then(|rest| rest.strip_suffix("?placed=1"))
        .unwrap()
        .to_string();
    assert!(reference.starts_with("ORD-"), "{reference}");
    reference
}

async fn order_id(shop: &Shop, reference: &str) -> u64 {
    let order = admin(
        &shop.pool,
        json!({"op": "order.get", "args": {"reference": reference}}),
    )
    .await;
    order["id"].as_u64().unwrap()
}

#[tokio::test]
async fn every_page_carries_the_security_headers_and_escapes_hostile_names() {
    let shop = shop().await;
    let mut guest = Client::new(&shop, 1);
    let mut pages = 0;
    for path in ["/", "/signin", "/track", "/console/signin"] {
        let page = guest.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let csp = page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
        if path.ends_with("signin") {
            assert!(page.body.contains(r#"name="csrf""#), "{path}");
        }
        pages += 1;
    }
    assert_eq!(pages, 4);
    assert!(guest.get("/").await.body.contains("Sign in"));
    assert_eq!(
        guest.get("/products/TEE-1").await.status,
        StatusCode::FORBIDDEN
    );
    // The product named with a script tag shows as text, never as markup.
    let mut ann = Client::customer(&shop, "ann", 20).await;
    let catalog = ann.get("/").await;
    assert_eq!(catalog.status, StatusCode::OK);
    assert!(catalog.body.contains(r#"name="csrf""#));
    assert!(
        catalog
            .body
            .contains("&lt;script&gt;alert('cap')&lt;/script&gt; Cap")
    );
    assert!(!catalog.body.contains("<script>"));
    let css = guest.get("/static/ordo.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("@media"));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 2).await;
    let refused = ann
        .post_bare("/cart/add", &[("sku", "TEE-1"), ("quantity", "1")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let forged = ann
        .post_bare(
            "/cart/add",
            &[
                ("csrf", &"0".repeat(64)),
                ("sku", "TEE-1"),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let cart = ann.get("/cart").await;
    assert!(cart.body.contains("Your cart is empty"), "{}", cart.body);
    // Without the nonce cookie there is nothing to match: a fresh visitor's sign-in is
    // refused too, and no session cookie is set.
    let mut stranger = Client::new(&shop, 3);
    let login = stranger
        .post_bare("/signin", &[("login", "ann"), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert!(login.set_cookies().is_empty());
    // The same form with its token goes through.
    let added = ann
        .post("/cart/add", &[("sku", "TEE-1"), ("quantity", "1")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(ann.get("/cart").await.body.contains("TEE-1"));
}

#[tokio::test]
async fn session_cookies_are_http_only_same_site_and_secure_behind_https() {
    let shop = shop().await;
    let mut ann = Client::new(&shop, 4);
    let signed = ann
        .post("/signin", &[("login", "ann"), ("password", PASSWORD)])
        .await;
    let session = signed
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("ordo_portal="))
        .unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(!session.contains("Secure"));
    // The token is in the cookie only: no page shows it.
    let token = ann.cookies["ordo_portal"].clone();
    assert!(!ann.get("/").await.body.contains(&token));

    let https = ServeConfig::load(
        None,
        [(
            "ORDO_PUBLIC_URL".to_string(),
            "https://shop.example.com".to_string(),
        )],
    )
    .unwrap();
    let secure_shop = shop_with(https).await;
    let mut olga = Client::new(&secure_shop, 5);
    let signed = olga
        .post(
            "/console/signin",
            &[("login", "olga"), ("password", PASSWORD)],
        )
        .await;
    let session = signed
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("ordo_console="))
        .unwrap();
    assert!(session.contains("Path=/console"));
    assert!(
        session.contains("HttpOnly; SameSite=Lax; Secure"),
        "{session}"
    );
}

#[tokio::test]
async fn sign_in_refuses_bad_passwords_the_wrong_side_and_floods() {
    let shop = shop().await;
    let mut client = Client::new(&shop, 6);
    let bad = client
        .post("/signin", &[("login", "ann"), ("password", "wrong")])
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains(r#"value="ann""#), "the login is kept");
    assert!(!bad.body.contains("wrong\""), "the password is not");
    let staff_on_portal = client
        .post("/signin", &[("login", "olga"), ("password", PASSWORD)])
        .await;
    assert_eq!(staff_on_portal.status, StatusCode::FORBIDDEN);
    assert!(!client.cookies.contains_key("ordo_portal"));
    let customer_on_console = client
        .post(
            "/console/signin",
            &[("login", "ann"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(customer_on_console.status, StatusCode::FORBIDDEN);
    assert!(!client.cookies.contains_key("ordo_console"));
    // The per-peer limit of `session.login` (10 a minute by default) applies here too.
    let mut limited = 0;
    for _ in 0..15 {
        let page = client
            .post("/signin", &[("login", "nobody"), ("password", "wrong")])
            .await;
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert!(limited >= 3, "{limited}");
    // Signing out ends the session: the old token no longer opens the cart.
    let mut ann = Client::customer(&shop, "bob", 7).await;
    assert_eq!(ann.get("/cart").await.status, StatusCode::OK);
    let token = ann.cookies["ordo_portal"].clone();
    let out = ann.post("/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!ann.cookies.contains_key("ordo_portal"));
    ann.cookies.insert("ordo_portal".into(), token);
    assert_eq!(ann.get("/cart").await.location(), "/signin");
}

#[tokio::test]
async fn a_customer_fills_the_cart_checks_out_and_tracks_orders() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 8).await;
    let catalog = ann.get("/").await;
    assert!(catalog.body.contains("Product TEE-1") && catalog.body.contains("15.00"));
    let product = ann.get("/products/TEE-1").await;
    assert!(product.body.contains("Material") && product.body.contains("Cotton"));
    assert!(product.body.contains("In stock: 50"));

    for (sku, quantity) in [("TEE-1", "2"), ("MUG-2", "1"), ("CAP-3", "1")] {
        let added = ann
            .post("/cart/add", &[("sku", sku), ("quantity", quantity)])
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let changed = ann
        .post("/cart/quantity", &[("sku", "MUG-2"), ("quantity", "3")])
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let removed = ann.post("/cart/remove", &[("sku", "CAP-3")]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let bad = ann
        .post("/cart/add", &[("sku", "TEE-1"), ("quantity", "many")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let cart = ann.get("/cart").await;
    assert!(cart.body.contains("TEE-1") && cart.body.contains("MUG-2"));
    assert!(!cart.body.contains("CAP-3"));
    assert!(cart.body.contains(r#"value="3""#));

    let placed = ann.post("/cart/checkout", &[]).await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER);
    let location = placed.location().to_string();
    let shown = ann.get(&location).await;
    assert_eq!(shown.status, StatusCode::OK);
    let reference = location
        .strip_prefix("/orders/")
        .and_then(|r| r.strip_suffix("?placed=1"))
        .unwrap()
        .to_string();
    assert!(shown.body.contains("Your order is placed"));
    assert!(shown.body.contains(&reference));
    assert!(ann.get("/cart").await.body.contains("Your cart is empty"));
    let second = place(&mut ann, &[("MUG-2", "1")]).await;
    let mine = ann.get("/orders").await;
    assert!(mine.body.contains(&reference) && mine.body.contains(&second));

    // Bob's order reads exactly like one that does not exist.
    let mut bob = Client::customer(&shop, "bob", 9).await;
    let bobs = place(&mut bob, &[("TEE-1", "1")]).await;
    // A well-formed reference no order has.
    let missing =
        ordo_core::ids::OrderReference::generate(&ordo_core::random::SeededRandom::new(99))
            .to_string();
    assert!(![&reference, &second, &bobs].contains(&&missing));
    let tracked = ann
        .get(&format!(
            "/track?refs={reference}+{second}+{bobs}+{missing}"
        ))
        .await;
    assert_eq!(tracked.body.matches("badge tracked").count(), 2);
    let section = |body: &str, reference: &str| {
        let start = body.find(&format!("<h2>{reference}</h2>")).unwrap();
        let rest = &body[start..];
        rest[..rest.find("</section>").unwrap()].replace(reference, "REF")
    };
    assert_eq!(
        section(&tracked.body, &bobs),
        section(&tracked.body, &missing)
    );
    let direct = ann.get(&format!("/orders/{bobs}")).await;
    assert_eq!(direct.status, StatusCode::NOT_FOUND);

    // Cancelling where the status allows it.
    let cancelled = ann
        .post(
            &format!("/orders/{second}/cancel"),
            &[("reason", "changed my mind")],
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let page = ann.get(&format!("/orders/{second}")).await;
    assert!(page.body.contains("cancelled") && !page.body.contains("Cancel the order"));
}

#[tokio::test]
async fn staff_find_an_order_and_take_it_to_shipped_and_the_customer_sees_it() {
    let shop = shop().await;
    let mut ann = Client::customer(&shop, "ann", 10).await;
    let reference = place(&mut ann, &[("TEE-1", "1"), ("MUG-2", "2")]).await;
    let id = order_id(&shop, &reference).await;

    let mut olga = Client::staff(&shop, "olga", 11).await;
    let dashboard = olga.get("/console").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Waiting: placed"));
    let found = olga
        .get(&format!("/console/orders?reference={reference}"))
        .await;
    assert!(found.body.contains(&format!("/console/orders/{id}")));
    let by_status = olga.get("/console/orders?status=placed").await;
    assert!(by_status.body.contains(&reference));
    let by_name = olga.get("/console/orders?customer_name=Nobody").await;
    assert!(by_name.body.contains("No orders match"));

    let mut moved = 0;
    for status in ["confirmed", "picking", "packed"] {
        let page = olga
            .post(
                &format!("/console/orders/{id}/status"),
                &[("status", status)],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{status}: {}",
            page.body
        );
        moved += 1;
    }
    assert_eq!(moved, 3);
    // A refused form keeps the input and names the field.
    let refused = olga
        .post(
            &format!("/console/orders/{id}/ship"),
            &[
                ("carrier", ""),
                ("tracking_number", "1Z999AA10123456784"),
                ("weight_kg", ""),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r#"value="1Z999AA10123456784""#));
    assert!(
        refused
            .body
            .contains(r#"name="carrier" value="" aria-invalid="true"><span class="error">"#),
        "{}",
        refused.body
    );
    let shipped = olga
        .post(
            &format!("/console/orders/{id}/ship"),
            &[
                ("carrier", "ups"),
                ("tracking_number", "1Z999AA10123456784"),
                ("weight_kg", "1.2"),
            ],
        )
        .await;
    assert_eq!(shipped.status, StatusCode::SEE_OTHER, "{}", shipped.body);
    let paid = olga
        .post(
            &format!("/console/orders/{id}/pay"),
            &[("amount", "abc"), ("method", "card")],
        )
        .await;
    assert_eq!(paid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(paid.body.contains(r#"value="abc""#));
    let order = olga.get(&format!("/console/orders/{id}")).await;
    assert!(order.body.contains("1Z999AA10123456784") && order.body.contains("History"));

    let page = ann.get(&format!("/orders/{reference}")).await;
    assert!(
        page.body
            .contains(r#"<span class="badge" id="status">shipped</span>"#)
    );
    assert!(page.body.contains("1Z999AA10123456784"));
}

#[tokio::test]
async fn pages_and_actions_follow_the_permission_matrix() {
    let shop = shop().await;
    let mut bob = Client::customer(&shop, "bob", 12).await;
    let reference = place(&mut bob, &[("TEE-1", "1")]).await;
    let id = order_id(&shop, &reference).await;

    // Signed-out visitors go to the sign-in page.
    let mut guest = Client::new(&shop, 13);
    for path in ["/console", "/console/orders", "/console/tickets"] {
        assert_eq!(
            guest.get(path).await.location(),
            "/console/signin",
            "{path}"
        );
    }
    assert_eq!(guest.get("/cart").await.location(), "/signin");
    assert_eq!(guest.get("/orders").await.location(), "/signin");

    // Warehouse: no tickets in the navigation, and the page is refused.
    let mut wes = Client::staff(&shop, "wes", 14).await;
    let dashboard = wes.get("/console").await;
    assert!(!dashboard.body.contains("/console/tickets"));
    assert_eq!(
        wes.get("/console/tickets").await.status,
        StatusCode::FORBIDDEN
    );
    // Customer service: no status or ship form, and posting one is the engine's 403.
    let mut cara = Client::staff(&shop, "cara", 15).await;
    assert!(cara.get("/console").await.body.contains("/console/tickets"));
    let order = cara.get(&format!("/console/orders/{id}")).await;
    assert!(!order.body.contains("status-form") && !order.body.contains("ship-form"));
    assert!(order.body.contains("cancel-form"));
    let refused = cara
        .post(
            &format!("/console/orders/{id}/status"),
            &[("status", "confirmed")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let status = admin(&shop.pool, json!({"op": "order.get", "args": id})).await;
    assert_eq!(status["status"], "placed");
    // The hostile customer name is text in the console's table.
    let list = cara.get("/console/orders").await;
    assert!(
        list.body
            .contains("&lt;script&gt;alert('bob')&lt;/script&gt; Bob")
    );
    assert!(!list.body.contains("<script>"));
}

// Tests of later pages, in their own files, as children of this module (they share its
// shop and client).
#[path = "portal/register_tests.rs"]
mod portal_register;
#[path = "portal/tickets_tests.rs"]
mod portal_tickets;
