//! `GET /` (the catalog) and `GET /products/{sku}` (one product): photos, video links,
//! specifications, the visitor's own price and availability.

use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use ordo_api::Request;
use ordo_api::request::{CustomerKey, ListArgs, ProductKey};
use ordo_api::views::{CustomerView, ProductView};
use ordo_core::store::Store;
use serde::Deserialize;

use crate::layout::{csrf_field, respond};
use crate::state::WebState;
use crate::{call, csrf};

use super::{Visitor, page, visitor};

/// A page of a listing, as the contract returns it.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// `?after=` of the catalog.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct After {
    after: Option<u64>,
}

/// The price group of the signed-in customer (`None` for a guest: retail prices).
async fn price_group<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    visitor: &Visitor,
) -> Option<String> {
    let id = visitor.customer_id()?;
    let me: CustomerView = call::view(
        web,
        visitor.token(),
        Request::CustomerGet(CustomerKey::Id { id }),
    )
    .await
    .ok()?;
    Some(me.price_group)
}

/// The unit price for one unit in `group` (the group's first tier), else the base price.
fn own_price<'a>(product: &'a ProductView, group: Option<&str>) -> &'a str {
    group
        .and_then(|group| product.price_lists.iter().find(|list| list.group == group))
        .and_then(|list| list.tiers.iter().min_by_key(|tier| tier.min_quantity))
        .map_or(product.base_price.as_str(), |tier| tier.unit_price.as_str())
}

/// What a guest sees instead of the catalog. Deliberate: the permission matrix gives
/// guests `register` only, and a product's view carries every price list (wholesale
/// included) and stock figures, so the catalog opens with an account, whose own prices it
/// then shows.
fn guest_prompt() -> Markup {
    html! {
        p.notice #guest-prompt {
            "Prices and availability depend on your account. "
            a href="/signin" { "Sign in" } " or " a href="/register" { "create an account" }
            " to see the catalog with your prices."
        }
    }
}

fn availability(product: &ProductView) -> Markup {
    html! {
        @if product.stock.available > 0 {
            span.badge { "In stock: " (product.stock.available) }
        } @else if product.backorder_allowed {
            span.badge { "On backorder" }
        } @else {
            span.badge { "Out of stock" }
        }
    }
}

fn add_form(visitor: &Visitor, sku: &str) -> Markup {
    html! {
        @if visitor.session.is_some() {
            form.inline method="post" action="/cart/add" {
                (csrf_field(&visitor.csrf))
                input type="hidden" name="sku" value=(sku);
                label { "Qty" input type="number" name="quantity" value="1" min="1" max="9999" size="4"; }
                button type="submit" { "Add to cart" }
            }
        } @else {
            a href="/signin" { "Sign in to order" }
        }
    }
}

/// `GET /`.
pub(crate) async fn index<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Query(after): Query<After>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    let listed: Result<Page<ProductView>, _> = call::view(
        &web,
        visitor.token(),
        Request::ProductList(ListArgs {
            after: after.after,
            limit: Some(24),
        }),
    )
    .await;
    let group = price_group(&web, &visitor).await;
    let body = match listed {
        // Guests may not read the catalog (the engine's matrix): invite them in.
        Err(error) if visitor.session.is_none() && error.kind == "forbidden" => html! {
            h1 { "Welcome" }
            (guest_prompt())
        },
        Err(error) => html! { h1 { "Catalog" } p.alert { (error.message) } },
        Ok(page) => html! {
            h1 { "Catalog" }
            div.cards {
                @for product in &page.items {
                    article.card {
                        @if let Some(photo) = product.media.iter().find(|m| m.kind != "video") {
                            img src=(crate::layout::safe_url(&photo.url)) alt=(product.name);
                        }
                        h2 { a href={ "/products/" (product.sku) } { (product.name) } }
                        p { strong { (own_price(product, group.as_deref())) " " (product.currency) } " " (availability(product)) }
                        (add_form(&visitor, &product.sku))
                    }
                }
            }
            @if let Some(next) = &page.next_cursor {
                p { a href={ "/?after=" (next) } { "More products →" } }
            }
        },
    };
    respond(StatusCode::OK, page("Catalog", &visitor, body))
}

/// `GET /products/{sku}`.
pub(crate) async fn product<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(sku): Path<String>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    let found: Result<ProductView, _> = call::view(
        &web,
        visitor.token(),
        Request::ProductGet(ProductKey::Sku { sku }),
    )
    .await;
    let product = match found {
        Ok(product) => product,
        Err(error) if visitor.session.is_none() && error.kind == "forbidden" => {
            let body = html! { h1 { "Sign in to see this product" } (guest_prompt()) };
            return respond(StatusCode::FORBIDDEN, page("Sign in", &visitor, body));
        }
        Err(error) => {
            let status = crate::form::status_of(&error);
            let body = html! { h1 { "Not found" } p.alert { (error.message) } };
            return respond(status, page("Not found", &visitor, body));
        }
    };
    let group = price_group(&web, &visitor).await;
    let tiers = group
        .as_deref()
        .and_then(|group| product.price_lists.iter().find(|list| list.group == group));
    let body = html! {
        h1 { (product.name) }
        p { "SKU " (product.sku) " · " (availability(&product)) }
        p.stat { (own_price(&product, group.as_deref())) " " (product.currency) }
        @if let Some(list) = tiers {
            ul { @for tier in &list.tiers { li { "From " (tier.min_quantity) " units: " (tier.unit_price) " " (product.currency) } } }
        }
        (add_form(&visitor, &product.sku))
        p { (product.description) }
        div.cards {
            @for photo in product.media.iter().filter(|m| m.kind != "video") {
                figure.card { img src=(crate::layout::safe_url(&photo.url)) alt=(photo.caption); figcaption { (photo.caption) } }
            }
        }
        @let videos: Vec<_> = product.media.iter().filter(|m| m.kind == "video").collect();
        @if !videos.is_empty() {
            h2 { "Videos" }
            ul { @for video in videos { li { a href=(crate::layout::safe_url(&video.url)) rel="noopener noreferrer" { @if video.caption.is_empty() { (video.url) } @else { (video.caption) } } } } }
        }
        @if !product.specifications.is_empty() {
            h2 { "Specifications" }
            table { @for spec in &product.specifications { tr { th { (spec.name) } td { (spec.value) } } } }
        }
        @if let Some(weight) = &product.weight_kg { p { "Weight: " (weight) " kg" } }
        @if let Some(size) = &product.dimensions_cm { p { "Size: " (size) " cm" } }
    };
    respond(StatusCode::OK, page(&product.name, &visitor, body))
}
