//! The customer portal (`/`): catalog, sign-in, cart and checkout, my orders, tracking.
//!
//! A customer's pages act as their session (the `ordo_portal` cookie); the engine shows
//! a customer only their own orders, and an order of someone else reads exactly like one
//! that does not exist.

mod auth;

mod cart;
pub(crate) mod catalog;
mod orders;
mod pending;
mod register;
mod tickets;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use maud::Markup;
use ordo_api::views::WhoView;
use ordo_core::store::Store;

pub(crate) use catalog::Page;
pub(crate) use orders::cancellable;

use crate::cookies;
use crate::layout::{self, Bar, Link};
use crate::state::WebState;

/// The portal's routes.
pub(crate) fn routes<S: Store + Send + Sync + 'static>() -> Router<WebState<S>> {
    Router::new()
        .route("/", get(catalog::index::<S>))
        .route("/products/{sku}", get(catalog::product::<S>))
        .route("/signin", get(auth::form::<S>).post(auth::sign_in::<S>))
        .route("/signout", post(auth::sign_out::<S>))
        .route("/cart", get(cart::show::<S>))
        .route("/cart/add", post(cart::add::<S>))
        .route("/cart/quantity", post(cart::quantity_change::<S>))
        .route("/cart/remove", post(cart::remove::<S>))
        .route("/cart/checkout", post(cart::checkout::<S>))
        .route("/orders", get(orders::mine::<S>))
        .route("/orders/{reference}", get(orders::one::<S>))
        .route("/orders/{reference}/cancel", post(orders::cancel::<S>))
        .route("/track", get(orders::track::<S>))
        .merge(register::routes::<S>())
        .route("/tickets", get(tickets::mine::<S>).post(tickets::open::<S>))
        .route("/tickets/{id}", get(tickets::one::<S>))
        .route("/tickets/{id}/reply", post(tickets::reply::<S>))
}

/// The visitor of a portal page: their session (when it is a live customer session) and
/// the CSRF token of the page's forms.
pub(crate) struct Visitor {
    /// The session token and who it is, for a signed-in customer.
    pub session: Option<(String, WhoView)>,
    /// The token the page's forms carry.
    pub csrf: String,
}

impl Visitor {
    /// The session token, if signed in.
    pub fn token(&self) -> Option<&str> {
        self.session.as_ref().map(|(token, _)| token.as_str())
    }

    /// The signed-in customer's id.
    pub fn customer_id(&self) -> Option<u64> {
        self.session.as_ref().and_then(|(_, who)| who.customer_id)
    }
}

/// Who is visiting: the portal cookie's session if it is a live customer session.
pub(crate) async fn visitor<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    headers: &HeaderMap,
    csrf: &crate::csrf::Token,
) -> Visitor {
    let token = cookies::get(headers, cookies::PORTAL);
    let who = crate::call::who(web, token.as_deref()).await;
    let session = match (token, who) {
        (Some(token), Some(who)) if who.role == "customer" => Some((token, who)),
        _ => None,
    };
    Visitor {
        session,
        csrf: csrf.0.clone(),
    }
}

/// A portal page.
pub(crate) fn page(title: &str, visitor: &Visitor, body: Markup) -> Markup {
    let mut links = vec![Link {
        href: "/",
        label: "Catalog",
    }];
    if visitor.session.is_some() {
        links.push(Link {
            href: "/cart",
            label: "Cart",
        });
        links.push(Link {
            href: "/orders",
            label: "My orders",
        });
        links.push(Link {
            href: "/tickets",
            label: "My tickets",
        });
    }
    links.push(Link {
        href: "/track",
        label: "Track",
    });
    if visitor.session.is_none() {
        links.push(Link {
            href: "/register",
            label: "Register",
        });
    }
    let name = visitor.session.as_ref().map(|(_, who)| who.actor.as_str());
    layout::page(
        title,
        &Bar {
            brand: "ordo shop",
            home: "/",
            links,
            signed_in: name,
            sign_out: "/signout",
            sign_in: "/signin",
            csrf: &visitor.csrf,
        },
        body,
    )
}
