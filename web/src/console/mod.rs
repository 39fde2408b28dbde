//! The staff console (`/console`): sign-in, dashboard (with the sales chart), orders
//! (table and order page with the actions the role may take), tickets, customers,
//! products and stock, reports.
//!
//! A page is offered in the navigation only when the role's row of the permission matrix
//! (`Role::allows`, the engine's one table) has its operation, and is refused with 403 if
//! requested anyway; every action is the engine's to allow or refuse.

mod auth;
mod customers;
mod dashboard;
mod order;
mod order_edit;
mod orders;
mod products;
mod reports;
mod ticket;
mod tickets;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use ordo_api::views::WhoView;
use ordo_core::auth::{Operation, Role};
use ordo_core::store::Store;

use crate::layout::{self, Bar, Link, respond, see_other};
use crate::state::WebState;
use crate::{cookies, csrf};

/// The console's routes (nested under `/console`).
pub(crate) fn routes<S: Store + Send + Sync + 'static>() -> Router<WebState<S>> {
    Router::new()
        .route("/", get(dashboard::show::<S>))
        .route("/signin", get(auth::form).post(auth::sign_in::<S>))
        .route("/signout", post(auth::sign_out::<S>))
        .route("/orders", get(orders::list::<S>))
        .route("/orders/{id}", get(order::show::<S>))
        .route("/orders/{id}/status", post(order::set_status::<S>))
        .route("/orders/{id}/cancel", post(order::cancel::<S>))
        .route("/orders/{id}/ship", post(order::ship::<S>))
        .route("/orders/{id}/pay", post(order::pay::<S>))
        .route("/tickets", get(tickets::list::<S>))
        .route("/orders/{id}/items/add", post(order_edit::add_item::<S>))
        .route(
            "/orders/{id}/items/quantity",
            post(order_edit::set_quantity::<S>),
        )
        .route(
            "/orders/{id}/items/remove",
            post(order_edit::remove_item::<S>),
        )
        .route("/orders/{id}/address", post(order_edit::set_address::<S>))
        .route("/orders/{id}/archive", post(order_edit::archive::<S>))
        .route("/orders/{id}/restore", post(order_edit::restore::<S>))
        .route("/orders/{id}/refund", post(order_edit::refund::<S>))
        .route("/customers", get(customers::list::<S>))
        .route("/customers/pending", get(customers::pending::<S>))
        .route("/customers/{id}", get(customers::show::<S>))
        .route("/customers/{id}/log", post(customers::add_log::<S>))
        .route("/customers/{id}/approve", post(customers::approve::<S>))
        .route("/customers/{id}/reject", post(customers::reject::<S>))
        .route("/products", get(products::list::<S>))
        .route(
            "/products/new",
            get(products::new::<S>).post(products::create::<S>),
        )
        .route("/products/{id}", get(products::show::<S>))
        .route("/products/{id}/edit", post(products::edit::<S>))
        .route("/products/{id}/restock", post(products::restock::<S>))
        .route("/products/{id}/adjust", post(products::adjust::<S>))
        .route("/reports", get(reports::show::<S>))
        .route("/tickets/{id}", get(ticket::show::<S>))
        .route("/tickets/{id}/comment", post(ticket::comment::<S>))
        .route("/tickets/{id}/status", post(ticket::set_status::<S>))
        .route("/tickets/{id}/assign", post(ticket::assign::<S>))
}

/// Runs a console form's request as `staff`: `Ok` once the engine took it, else its
/// refusal with the `field` named as the form's input ([`input_name`]).
pub(crate) async fn submit<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    request: Result<ordo_api::Request, ordo_api::ApiError>,
) -> Result<(), ordo_api::ApiError> {
    let done = match request {
        Ok(request) => crate::call::value(web, Some(&staff.token), request)
            .await
            .map(drop),
        Err(error) => Err(error),
    };
    done.map_err(|mut error| {
        error.field = error.field.map(|name| input_name(&name).to_string());
        error
    })
}

/// The console form input an engine validation error's `field` belongs to: the engine
/// names fields in words (`address line 1`), the forms' inputs are identifiers.
pub(crate) fn input_name(field: &str) -> &str {
    match field {
        "address line 1" => "line1",
        "address line 2" => "line2",
        "postal code" => "postal_code",
        "product name" => "name",
        "base price" => "base_price",
        "restock quantity" | "adjustment" => "quantity",
        "weight" | "weight kg" => "weight_kg",
        "SKU" => "sku",
        "message" | "comment" => "text",
        "login" | "user" => "assignee",
        "rejection reason" => "reason",
        "dimensions" => "dimensions_cm",
        "tax category" => "tax_category",
        "price lists" | "price list" | "tiers" => "wholesale",
        "media" | "media URL" | "media caption" => "photos",
        other if other.starts_with("specification") => "specifications",
        // `quantity for SKU MUG-1`: the line's own form holds one quantity input.
        other if other.starts_with("quantity") => "quantity",
        other => other,
    }
}

/// A signed-in staff user on a console page.
pub(crate) struct Staff {
    /// The session token.
    pub token: String,
    /// Who they are.
    pub who: WhoView,
    /// Their role.
    pub role: Role,
    /// The token the page's forms carry.
    pub csrf: String,
}

impl Staff {
    /// Whether the role may `operation` (the permission matrix).
    pub fn may(&self, operation: Operation) -> bool {
        self.role.allows(operation)
    }
}

/// The staff user of the console cookie, or the answer for a visitor who is not one
/// (to the sign-in page).
pub(crate) async fn staff<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    headers: &HeaderMap,
    csrf: &csrf::Token,
) -> Result<Staff, Response> {
    let token = cookies::get(headers, cookies::CONSOLE);
    let who = crate::call::who(web, token.as_deref()).await;
    match (token, who) {
        (Some(token), Some(who)) => match Role::parse(&who.role) {
            Ok(role) if role != Role::Customer && role != Role::Guest => Ok(Staff {
                token,
                who,
                role,
                csrf: csrf.0.clone(),
            }),
            _ => Err(see_other("/console/signin", Vec::new())),
        },
        _ => Err(see_other("/console/signin", Vec::new())),
    }
}

/// The 403 page when the role may not use a page needing `operation`.
pub(crate) fn refusal(staff: &Staff, operation: Operation) -> Option<Response> {
    if staff.may(operation) {
        return None;
    }
    let body = html! {
        h1 { "Not for your role" }
        p.alert { "Your role (" (staff.who.role) ") may not use this page." }
    };
    Some(respond(StatusCode::FORBIDDEN, page("Refused", staff, body)))
}

/// The navigation a role is offered.
fn links(staff: &Staff) -> Vec<Link> {
    let mut links = vec![Link {
        href: "/console",
        label: "Dashboard",
    }];
    if staff.may(Operation::ReadOrders) {
        links.push(Link {
            href: "/console/orders",
            label: "Orders",
        });
    }
    if staff.may(Operation::ReadTickets) {
        links.push(Link {
            href: "/console/tickets",
            label: "Tickets",
        });
    }
    if staff.may(Operation::ReadCustomers) {
        links.push(Link {
            href: "/console/customers",
            label: "Customers",
        });
    }
    if staff.may(Operation::ReadCatalog) {
        links.push(Link {
            href: "/console/products",
            label: "Products",
        });
    }
    if staff.may(Operation::ViewReports) {
        links.push(Link {
            href: "/console/reports",
            label: "Reports",
        });
    }
    links
}

/// A console page.
pub(crate) fn page(title: &str, staff: &Staff, body: Markup) -> Markup {
    layout::page(
        title,
        &Bar {
            brand: "ordo console",
            home: "/console",
            links: links(staff),
            signed_in: Some(&staff.who.actor),
            sign_out: "/console/signout",
            sign_in: "/console/signin",
            csrf: &staff.csrf,
        },
        body,
    )
}

/// A page for a visitor who is not signed in.
pub(crate) fn guest_page(title: &str, csrf: &str, body: Markup) -> Markup {
    layout::page(
        title,
        &Bar {
            brand: "ordo console",
            home: "/console",
            links: Vec::new(),
            signed_in: None,
            sign_out: "/console/signout",
            sign_in: "/console/signin",
            csrf,
        },
        body,
    )
}
