//! `/console/products`: the product list, create and edit (name, description, the retail
//! price and the wholesale tiers — the price lists the contract has —, tax category,
//! backorders, weight and size, specifications, photo and video URLs), and a product's
//! stock per warehouse with restock and adjust forms.
//!
//! Reading needs `ReadCatalog`, create/edit `ManageCatalog`, restock/adjust `ManageStock`;
//! each form is shown only to a role that has its operation. The textareas are one entry
//! per line (`Name: Value`, `min quantity = unit price`, a URL); the web only splits them,
//! the engine checks every value.

use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use ordo_api::request::{ListArgs, ProductKey, StockChange};
use ordo_api::views::ProductView;
use ordo_api::{ApiError, Request};
use ordo_core::auth::Operation;
use ordo_core::store::Store;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::form::{self, Fields, Outcome, field};
use crate::layout::{csrf_field, respond, safe_url, see_other};
use crate::portal::Page;
use crate::state::WebState;
use crate::{call, csrf};

use super::order::text;
use super::{Staff, page, refusal, staff};

/// Products per page of the list.
const PAGE_SIZE: usize = 50;
/// The form's inputs (an error naming another field shows above the form).
const INPUTS: [&str; 14] = [
    "sku",
    "name",
    "description",
    "currency",
    "base_price",
    "wholesale",
    "tax_category",
    "backorder",
    "active",
    "weight_kg",
    "dimensions_cm",
    "specifications",
    "photos",
    "videos",
];
const TAX_CATEGORIES: [&str; 3] = ["standard", "reduced", "zero"];

/// `?after=` of the list.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct After {
    #[serde(default)]
    after: Option<u64>,
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError {
        code: "invalid_value".to_string(),
        kind: "validation".to_string(),
        field: Some(field.to_string()),
        message,
    }
}

/// The non-empty lines of a textarea.
fn lines(fields: &Fields, name: &str) -> Vec<String> {
    fields
        .get(name)
        .map(|text| {
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// An amount typed in the form: a decimal, or the error naming `name`.
fn amount(fields: &Fields, name: &str) -> Result<String, ApiError> {
    let typed = text(fields, name);
    typed
        .parse::<Decimal>()
        .map(|_| typed.clone())
        .map_err(|_| invalid(name, format!("{typed:?} is not an amount such as 12.50")))
}

/// `Name: Value` lines.
fn specifications(fields: &Fields) -> Result<Vec<(String, String)>, ApiError> {
    lines(fields, "specifications")
        .into_iter()
        .map(|line| match line.split_once(':') {
            Some((name, value)) => Ok((name.trim().to_string(), value.trim().to_string())),
            None => Err(invalid(
                "specifications",
                format!("{line:?} is not `Name: Value`"),
            )),
        })
        .collect()
}

/// `min quantity = unit price` lines, as the contract's tiers in `currency`.
fn tiers(fields: &Fields, currency: &str) -> Result<Vec<Value>, ApiError> {
    lines(fields, "wholesale")
        .into_iter()
        .map(|line| {
            let parsed = line.split_once('=').and_then(|(quantity, price)| {
                let quantity = quantity.trim().parse::<u32>().ok()?;
                let price = price.trim();
                price.parse::<Decimal>().ok()?;
                Some((quantity, price.to_string()))
            });
            match parsed {
                Some((quantity, price)) => Ok(json!({
                    "min_quantity": quantity,
                    "unit_price": {"amount": price, "currency": currency},
                })),
                None => Err(invalid(
                    "wholesale",
                    format!("{line:?} is not `min quantity = unit price` such as 10 = 13.99"),
                )),
            }
        })
        .collect()
}

/// The textarea form of a product's wholesale tiers.
fn tiers_text(product: &ProductView) -> String {
    product
        .price_lists
        .iter()
        .filter(|list| list.group == "wholesale")
        .flat_map(|list| &list.tiers)
        .map(|tier| format!("{} = {}", tier.min_quantity, tier.unit_price))
        .collect::<Vec<_>>()
        .join("\n")
}

fn media_text(product: &ProductView, kind: &str) -> String {
    product
        .media
        .iter()
        .filter(|m| m.kind == kind)
        .map(|m| {
            if m.caption.is_empty() {
                m.url.clone()
            } else {
                format!("{} {}", m.url, m.caption)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A labelled textarea with its error, the input kept.
fn area(outcome: &Outcome, name: &str, label: &str, fallback: &str) -> Markup {
    let kept = outcome.value("product", name);
    let value = if outcome.form == "product" && outcome.error.is_some() {
        kept
    } else {
        fallback.to_string()
    };
    let error = outcome.field_error("product", name);
    html! {
        label {
            (label)
            textarea name=(name) rows="3" aria-invalid=[error.map(|_| "true")] { (value) }
            @if let Some(message) = error { span.error { (message) } }
        }
    }
}

fn select(outcome: &Outcome, name: &str, label: &str, options: &[&str], current: &str) -> Markup {
    let kept = outcome.value("product", name);
    let chosen = if kept.is_empty() { current } else { &kept };
    html! {
        label { (label)
            select name=(name) { @for o in options { option value=(o) selected[*o == chosen] { (o) } } }
            @if let Some(m) = outcome.field_error("product", name) { span.error { (m) } }
        }
    }
}

/// The create / edit form; `product` is the one being edited.
fn product_form(
    staff: &Staff,
    product: Option<&ProductView>,
    action: &str,
    outcome: &Outcome,
) -> Markup {
    let get = |f: fn(&ProductView) -> String| product.map(f).unwrap_or_default();
    let specs = product
        .map(|p| {
            p.specifications
                .iter()
                .map(|s| format!("{}: {}", s.name, s.value))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    let active = if outcome.form == "product" && outcome.error.is_some() {
        !outcome.value("product", "active").is_empty()
    } else {
        product.is_none_or(|p| p.active)
    };
    html! {
        (form::alert(outcome.form_error("product", &INPUTS)))
        form.stack #product-form method="post" action=(action) {
            (csrf_field(&staff.csrf))
            (field(outcome, "product", "sku", "SKU", "text", &get(|p| p.sku.clone())))
            (field(outcome, "product", "name", "Name", "text", &get(|p| p.name.clone())))
            (area(outcome, "description", "Description", &get(|p| p.description.clone())))
            @match product {
                None => (field(outcome, "product", "currency", "Currency", "text", "USD")),
                Some(p) => p { "Currency: " (p.currency) },
            }
            (field(outcome, "product", "base_price", "Retail price", "text", &get(|p| p.base_price.clone())))
            (area(outcome, "wholesale", "Wholesale prices (one \"min quantity = unit price\" a line, the first from 1)", &get(tiers_text)))
            (select(outcome, "tax_category", "Tax category", &TAX_CATEGORIES, &get(|p| p.tax_category.clone())))
            (select(outcome, "backorder", "Backorders", &["deny", "allow"],
                if product.is_some_and(|p| p.backorder_allowed) { "allow" } else { "deny" }))
            label { "On sale" input type="checkbox" name="active" value="1" checked[active]; }
            (field(outcome, "product", "weight_kg", "Weight (kg)", "text", &get(|p| p.weight_kg.clone().unwrap_or_default())))
            (field(outcome, "product", "dimensions_cm", "Size L x W x H (cm)", "text", &get(|p| p.dimensions_cm.clone().unwrap_or_default())))
            (area(outcome, "specifications", "Specifications (one \"Name: Value\" a line)", &specs))
            (area(outcome, "photos", "Photos: one a line, the URL then an optional caption", &get(|p| media_text(p, "photo"))))
            (area(outcome, "videos", "Videos: one a line, the link then an optional caption", &get(|p| media_text(p, "video"))))
            button type="submit" { (if product.is_some() { "Save" } else { "Create" }) }
        }
    }
}

/// `GET /console/products`.
pub(crate) async fn list<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Query(after): Query<After>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ReadCatalog) {
        return refused;
    }
    let listed: Result<Page<ProductView>, ApiError> = call::view(
        &web,
        Some(&staff.token),
        Request::ProductList(ListArgs {
            after: after.after,
            limit: Some(PAGE_SIZE),
        }),
    )
    .await;
    let status = listed
        .as_ref()
        .map_or_else(form::status_of, |_| StatusCode::OK);
    let body = html! {
        h1 { "Products" }
        @if staff.may(Operation::ManageCatalog) { p { a href="/console/products/new" { "New product" } } }
        @match &listed {
            Err(error) => p.alert { (error.message) },
            Ok(page) => {
                div.scroll { table #products {
                    tr { th { "SKU" } th { "Name" } th.num { "Price" } th { "On sale" } th.num { "Available" } th.num { "On hand" } }
                    @for p in &page.items {
                        tr {
                            td { a href={ "/console/products/" (p.id) } { (p.sku) } }
                            td { (p.name) }
                            td.num { (p.base_price) " " (p.currency) }
                            td { (if p.active { "yes" } else { "no" }) }
                            td.num { (p.stock.available) }
                            td.num { (p.stock.on_hand) }
                        }
                    }
                } }
                @if page.items.is_empty() { p { "No products." } }
                @if let Some(next) = &page.next_cursor { p { a href={ "/console/products?after=" (next) } { "Next page →" } } }
            }
        }
    };
    respond(status, page("Products", &staff, body))
}

/// `GET /console/products/new`.
pub(crate) async fn new<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ManageCatalog) {
        return refused;
    }
    render_new(&staff, &Outcome::default())
}

fn render_new(staff: &Staff, outcome: &Outcome) -> Response {
    let status = outcome
        .error
        .as_ref()
        .map_or(StatusCode::OK, form::status_of);
    let body = html! {
        h1 { "New product" }
        (product_form(staff, None, "/console/products/new", outcome))
    };
    respond(status, page("New product", staff, body))
}

/// The media list of the form's photo and video lines: each a URL, then optionally a
/// caption after the first space (a URL has none), so editing keeps the captions.
fn media(fields: &Fields) -> Vec<Value> {
    let item = |kind: &'static str| {
        move |line: String| {
            let (url, caption) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
            json!({"kind": kind, "url": url, "caption": caption.trim()})
        }
    };
    let photos = lines(fields, "photos").into_iter().map(item("photo"));
    let videos = lines(fields, "videos").into_iter().map(item("video"));
    photos.chain(videos).collect()
}

/// `product.create` from the form.
fn create_request(fields: &Fields) -> Result<Request, ApiError> {
    let currency = text(fields, "currency");
    let tiers = tiers(fields, &currency)?;
    let price_lists = if tiers.is_empty() {
        Vec::new()
    } else {
        vec![json!({"group": "wholesale", "tiers": tiers})]
    };
    let weight = text(fields, "weight_kg");
    let dimensions = text(fields, "dimensions_cm");
    call::request(
        "product.create",
        json!({
            "sku": text(fields, "sku"),
            "name": text(fields, "name"),
            "description": fields.get("description").cloned().unwrap_or_default(),
            "specifications": specifications(fields)?,
            "media": media(fields),
            "active": fields.contains_key("active"),
            "tax_category": text(fields, "tax_category"),
            "base_price": {"amount": amount(fields, "base_price")?, "currency": currency},
            "price_lists": price_lists,
            "backorder": text(fields, "backorder"),
            "weight_kg": (!weight.is_empty()).then_some(weight),
            "dimensions_cm": (!dimensions.is_empty()).then_some(dimensions),
        }),
    )
}

/// `POST /console/products/new`.
pub(crate) async fn create<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ManageCatalog) {
        return refused;
    }
    let done = match create_request(&fields) {
        Ok(request) => call::view::<S, ProductView>(&web, Some(&staff.token), request).await,
        Err(error) => Err(error),
    };
    match done {
        Ok(product) => see_other(&format!("/console/products/{}", product.id), Vec::new()),
        Err(error) => render_new(&staff, &refused("product", fields, error)),
    }
}

/// The outcome of a refused form, its `field` named as the form's input.
fn refused(form_name: &str, input: Fields, mut error: ApiError) -> Outcome {
    error.field = error.field.map(|name| super::input_name(&name).to_string());
    Outcome {
        form: form_name.to_string(),
        input,
        error: Some(error),
    }
}

/// `GET /console/products/{id}`.
pub(crate) async fn show<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ReadCatalog) {
        return refused;
    }
    render(&web, &staff, id, &Outcome::default()).await
}

async fn product<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    id: u64,
) -> Result<ProductView, ApiError> {
    call::view(
        web,
        Some(&staff.token),
        Request::ProductGet(ProductKey::Id { id }),
    )
    .await
}

async fn render<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    id: u64,
    outcome: &Outcome,
) -> Response {
    let product = match product(web, staff, id).await {
        Ok(product) => product,
        Err(error) => {
            let body = html! { h1 { "Product" } p.alert { (error.message) } };
            return respond(form::status_of(&error), page("Product", staff, body));
        }
    };
    let status = outcome
        .error
        .as_ref()
        .map_or(StatusCode::OK, form::status_of);
    let body = html! {
        h1 { (product.name) " " span.reference { (product.sku) } }
        p { "Retail " (product.base_price) " " (product.currency)
            @for list in &product.price_lists { @if list.group != "retail" {
                " · " (list.group) ": " @for t in &list.tiers { (t.min_quantity) "+ at " (t.unit_price) " " }
            } }
            " · tax " (product.tax_category) " · " (if product.active { "on sale" } else { "not on sale" }) }
        @if !product.specifications.is_empty() {
            dl.profile { @for s in &product.specifications { dt { (s.name) } dd { (s.value) } } }
        }
        @if !product.media.is_empty() {
            ul { @for m in &product.media { li { (m.kind) ": " a href=(safe_url(&m.url)) rel="noopener noreferrer" { (m.url) } } } }
        }
        h2 { "Stock" }
        (stock(staff, &product, outcome))
        @if staff.may(Operation::ManageCatalog) {
            h2 { "Edit" }
            (product_form(staff, Some(&product), &format!("/console/products/{id}/edit"), outcome))
        }
    };
    respond(status, page(&product.name, staff, body))
}

/// The stock table per warehouse, with restock and adjust forms for roles that may.
fn stock(staff: &Staff, product: &ProductView, outcome: &Outcome) -> Markup {
    let manage = staff.may(Operation::ManageStock);
    let id = product.id;
    let row_form = |kind: &str, row: &str, warehouse: Option<&str>, label: &str| {
        let name = format!("{kind}:{row}");
        html! {
            (form::alert(outcome.form_error(&name, &["quantity", "reason", "warehouse"])))
            form.inline class={ (kind) "-form" } method="post" action={ "/console/products/" (id) "/" (kind) } {
                (csrf_field(&staff.csrf))
                input type="hidden" name="row" value=(row);
                @match warehouse {
                    Some(code) => input type="hidden" name="warehouse" value=(code);,
                    None => (field(outcome, &name, "warehouse", "Warehouse", "text", "")),
                }
                (field(outcome, &name, "quantity", "Units", "number", ""))
                (field(outcome, &name, "reason", "Reason", "text", ""))
                button type="submit" { (label) }
            }
        }
    };
    let s = &product.stock;
    html! {
        div.scroll { table #stock {
            tr { th { "Warehouse" } th.num { "On hand" } th.num { "Reserved" } th.num { "Available" } th.num { "Shipped" }
                @if manage { th { "Restock / adjust" } } }
            @for w in &s.warehouses {
                tr {
                    td { (w.warehouse) } td.num { (w.on_hand) } td.num { (w.reserved) } td.num { (w.available) } td.num { (w.shipped) }
                    @if manage { td {
                        (row_form("restock", &w.warehouse, Some(&w.warehouse), "Receive"))
                        (row_form("adjust", &w.warehouse, Some(&w.warehouse), "Correct (±)"))
                    } }
                }
            }
            tr { th { "All" } td.num { (s.on_hand) } td.num { (s.reserved) } td.num { (s.available) } td {} @if manage { td {} } }
        } }
        @if manage {
            h3 { "Receive into another warehouse" }
            (row_form("restock", "new", None, "Receive"))
        }
    }
}

/// Runs a product page form; back to the page, or the page with the refusal.
async fn act<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    id: u64,
    form_name: &str,
    fields: Fields,
    request: Result<Request, ApiError>,
) -> Response {
    let done = match request {
        Ok(request) => call::value(web, Some(&staff.token), request)
            .await
            .map(drop),
        Err(error) => Err(error),
    };
    match done {
        Ok(()) => see_other(&format!("/console/products/{id}"), Vec::new()),
        Err(error) if staff.may(Operation::ReadCatalog) => {
            render(web, staff, id, &refused(form_name, fields, error)).await
        }
        Err(error) => {
            let body = html! { h1 { "Refused" } p.alert { (error.message) } };
            respond(form::status_of(&error), page("Refused", staff, body))
        }
    }
}

/// `product.update` from the edit form: every field as the form shows it.
fn update_request(fields: &Fields, product: &ProductView) -> Result<Request, ApiError> {
    let sku = text(fields, "sku");
    let new_sku = (!sku.is_empty() && sku != product.sku).then_some(sku);
    call::request(
        "product.update",
        json!({
            "sku": product.sku,
            "new_sku": new_sku,
            "name": text(fields, "name"),
            "description": fields.get("description").cloned().unwrap_or_default(),
            "base_price": {"amount": amount(fields, "base_price")?, "currency": product.currency},
            "specifications": specifications(fields)?,
            "media": media(fields),
            "wholesale": tiers(fields, &product.currency)?,
            "tax_category": text(fields, "tax_category"),
            "backorder": text(fields, "backorder"),
            "active": fields.contains_key("active"),
            "weight_kg": text(fields, "weight_kg"),
            "dimensions_cm": text(fields, "dimensions_cm"),
        }),
    )
}

/// `POST /console/products/{id}/edit`.
pub(crate) async fn edit<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ManageCatalog) {
        return refused;
    }
    let request = match product(&web, &staff, id).await {
        Ok(product) => update_request(&fields, &product),
        Err(error) => Err(error),
    };
    act(&web, &staff, id, "product", fields, request).await
}

/// Which stock form.
#[derive(Debug, Clone, Copy)]
enum StockMove {
    /// Units received (`product.restock`).
    Restock,
    /// A correction (`product.adjust`).
    Adjust,
}

impl StockMove {
    fn name(self) -> &'static str {
        match self {
            StockMove::Restock => "restock",
            StockMove::Adjust => "adjust",
        }
    }
}

/// A restock or adjust request from a stock form.
fn stock_request(fields: &Fields, sku: String, kind: StockMove) -> Result<Request, ApiError> {
    let quantity = text(fields, "quantity")
        .parse::<i64>()
        .map_err(|_| invalid("quantity", "the units must be a whole number".to_string()))?;
    let change = StockChange {
        sku,
        warehouse: text(fields, "warehouse"),
        quantity,
        reason: text(fields, "reason"),
    };
    Ok(match kind {
        StockMove::Restock => Request::ProductRestock(change),
        StockMove::Adjust => Request::ProductAdjust(change),
    })
}

async fn change_stock<S: Store + Send + Sync + 'static>(
    web: WebState<S>,
    token: csrf::Token,
    id: u64,
    headers: HeaderMap,
    fields: Fields,
    kind: StockMove,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ManageStock) {
        return refused;
    }
    let form_name = format!("{}:{}", kind.name(), text(&fields, "row"));
    let request = match product(&web, &staff, id).await {
        Ok(product) => stock_request(&fields, product.sku, kind),
        Err(error) => Err(error),
    };
    act(&web, &staff, id, &form_name, fields, request).await
}

/// `POST /console/products/{id}/restock`.
pub(crate) async fn restock<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    change_stock(web, token, id, headers, fields, StockMove::Restock).await
}

/// `POST /console/products/{id}/adjust`.
pub(crate) async fn adjust<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    change_stock(web, token, id, headers, fields, StockMove::Adjust).await
}
