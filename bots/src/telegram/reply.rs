//! The words of the Telegram bot's replies. Pure: the bot asks the engine, then renders
//! what it got here. An order the chat may not see and one that does not exist are one
//! wording, the SMS channel's ([`crate::sms::reply::unknown_line`]), so a reply gives away
//! nothing a reference that does not exist would not.

use ordo_core::catalog::{BackorderPolicy, MediaKind, PriceGroup, Product};
use ordo_core::customer::Customer;
use ordo_core::ids::OrderReference;
use ordo_core::order::Order;
use ordo_core::report::SalesReport;
use ordo_core::ticket::Ticket;

use crate::sms::reply as sms;

/// The welcome of a chat that is not linked to an account.
pub const WELCOME: &str = "Welcome to ordo. New here? /register creates an account. \
Log in to follow your orders here: send /login LOGIN PASSWORD (the message is deleted as soon as it is read). Anyone may send \
order references to track them; a chat learns an order's status only once it is logged \
in as the order's customer.";

/// The welcome of a linked chat.
pub const WELCOME_BACK: &str = "Welcome back. /catalog shows the products, /cart your \
cart, /orders lists your orders, /track REF follows one, /cancel REF cancels one while \
that is still possible, /logout unlinks this chat.";

/// How to use the bot.
pub const HELP: &str = "Send /track and your order references (e.g. /track \
ORD-7K3M-Q9TX ORD-2B6D-H4PZ), or just the references. /login LOGIN PASSWORD links this \
chat to your account (/register creates one); then /catalog, /cart, /orders, /cancel REF, /logout. Staff: /find \
TEXT, /order REF, /status REF STATUS, /ship REF CARRIER TRACKING, /tickets, /report \
[7d|30d], /picklist WAREHOUSE.";

/// `/login` without both parts.
pub const LOGIN_USAGE: &str = "Send /login LOGIN PASSWORD in one message; it is deleted \
as soon as it is read.";

/// After a successful `/logout` (or one of a chat that was not linked).
pub const LOGGED_OUT: &str = "This chat is no longer linked to an account.";

/// A command that needs a linked chat, in one that is not.
pub const LOG_IN_FIRST: &str = "Please log in first: /login LOGIN PASSWORD.";

/// The engine could not answer (storage trouble, shutting down): nothing was done.
pub const TRY_AGAIN: &str = "Sorry, something went wrong on our side. Please try again \
in a minute.";

/// A button whose data this build cannot read (stale or forged).
pub const STALE_BUTTON: &str = "This button has expired; please send the command again.";

/// After a successful login.
pub fn logged_in(staff_role: Option<&str>) -> String {
    match staff_role {
        None => format!("You are logged in. {WELCOME_BACK}"),
        Some(role) => format!(
            "You are logged in as staff ({role}). /find TEXT, /order REF, /status REF \
             STATUS, /ship REF CARRIER TRACKING, /tickets, /report [7d|30d], /picklist \
             WAREHOUSE; /logout unlinks \
             this chat."
        ),
    }
}

/// A command's argument is missing or is not valid: how to write it.
pub fn usage(command: &str, arguments: &str) -> String {
    format!("Usage: /{command} {arguments}")
}

/// A word that should have been an order reference.
pub fn not_a_reference(word: &str) -> String {
    format!("{word}: not a valid order reference.")
}

/// The engine refused (a rule, a wrong password, a lockout): its own words.
pub fn refused(message: &str) -> String {
    format!("Sorry: {message}.")
}

/// The engine's permission matrix said no: a polite refusal naming what was refused.
pub fn not_permitted(message: &str) -> String {
    format!("Sorry, your account may not do that ({message}).")
}

/// The reply to `/track`: one line per reference, in the order asked, then the invalid
/// words and how many were not looked at.
pub fn track(
    found: &[(OrderReference, Option<Order>)],
    invalid: &[String],
    too_many: usize,
) -> String {
    let mut lines: Vec<String> = found
        .iter()
        .map(|(reference, order)| match order {
            Some(order) => sms::order_line(order),
            None => sms::unknown_line(reference),
        })
        .collect();
    lines.extend(invalid.iter().map(|word| not_a_reference(word)));
    if too_many > 0 {
        lines.push(format!(
            "(+{too_many} more not looked at; send at most 10 at once)"
        ));
    }
    if lines.is_empty() {
        return usage("track", "REF [REF …]");
    }
    lines.join("\n")
}

/// The reply to `/orders`: newest first.
pub fn orders(orders: &[Order]) -> String {
    if orders.is_empty() {
        return "You have no orders with us yet.".to_string();
    }
    orders
        .iter()
        .map(sms::order_line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// An order in full, for `/order`.
pub fn order_detail(order: &Order) -> String {
    let mut lines = vec![
        sms::order_line(order),
        format!("Customer: {}", order.customer_name()),
    ];
    lines.extend(order.lines().iter().map(|line| {
        format!(
            "{} × {} {} at {}",
            line.quantity, line.sku, line.name, line.unit_price
        )
    }));
    let totals = order.totals();
    lines.push(format!(
        "Subtotal {}, discount {}, tax {}, shipping {} ({}); total {}",
        totals.subtotal,
        totals.discount,
        totals.tax,
        totals.shipping,
        order.shipping_method(),
        totals.total
    ));
    lines.join("\n")
}

/// After a status change or a cancellation.
pub fn now(order: &Order) -> String {
    let name = order
        .reference()
        .map_or_else(|| format!("order {}", order.id()), ToString::to_string);
    format!("{name} is now {}.", order.status())
}

/// The reply to `/find`: customers by name, or an order.
pub fn found(customers: &[Customer], order: Option<&Order>) -> String {
    let mut lines: Vec<String> = order.iter().map(|o| sms::order_line(o)).collect();
    lines.extend(customers.iter().map(|customer| {
        format!(
            "Customer {}: {}, {}",
            customer.id(),
            customer.name(),
            customer.phone()
        )
    }));
    if lines.is_empty() {
        return "Nothing found.".to_string();
    }
    lines.join("\n")
}

/// The reply to `/tickets`.
pub fn tickets(tickets: &[Ticket]) -> String {
    if tickets.is_empty() {
        return "No open tickets.".to_string();
    }
    tickets
        .iter()
        .map(|ticket| {
            format!(
                "#{} [{}] {}",
                ticket.id(),
                ticket.status(),
                ticket.subject()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `/cart` for a customer without one.
pub const CART_EMPTY: &str = "Your cart is empty. /catalog shows what you can add.";

/// `/cart` for a staff account.
pub const CART_FOR_CUSTOMERS: &str = "The cart is for customers' accounts.";

/// The lines of an order and its totals.
fn lines_and_totals(order: &Order) -> Vec<String> {
    let mut lines: Vec<String> = order
        .lines()
        .iter()
        .map(|line| {
            format!(
                "{} × {} {} at {} = {}",
                line.quantity, line.sku, line.name, line.unit_price, line.amounts.total
            )
        })
        .collect();
    let totals = order.totals();
    lines.push(format!(
        "Subtotal {}, discount {}, tax {}, shipping {} ({}); total {}",
        totals.subtotal,
        totals.discount,
        totals.tax,
        totals.shipping,
        order.shipping_method(),
        totals.total
    ));
    lines
}

/// The cart: its lines and totals (the buttons change it).
pub fn cart(order: &Order) -> String {
    let mut lines = vec!["Your cart:".to_string()];
    lines.extend(lines_and_totals(order));
    lines.join("\n")
}

/// The cart at checkout: what is ordered, where it goes and how.
pub fn checkout(order: &Order) -> String {
    let mut lines = vec!["Checkout:".to_string()];
    lines.extend(lines_and_totals(order));
    lines.push(format!("Ship to: {}", order.shipping_address()));
    lines.push(format!(
        "Shipping: {}. Choose another method below, or place the order.",
        order.shipping_method()
    ));
    lines.join("\n")
}

/// The cart became an order (said again, with the same reference, for a repeated press).
pub fn placed(order: &Order) -> String {
    match order.reference() {
        Some(reference) => format!(
            "Order placed. Your reference number is {reference} (total {}). It is {} now; \
             /track {reference} follows it.",
            order.totals().total,
            order.status()
        ),
        None => format!("Order {} is {}.", order.id(), order.status()),
    }
}

/// `/catalog` past the last product.
pub const CATALOG_EMPTY: &str = "No products here. /catalog shows the first page.";

/// A page of the catalog: one line per product (the buttons open them).
pub fn catalog_page(page: u32, products: &[Product]) -> String {
    let mut lines = vec![format!("Catalog, page {page}:")];
    lines.extend(products.iter().map(|product| {
        format!(
            "{} — {} ({})",
            product.sku(),
            product.name(),
            product.base_price()
        )
    }));
    lines.join("\n")
}

/// A product's card: name, description, specifications, videos, the price for `group`
/// (with its quantity tiers) and availability.
pub fn product_card(product: &Product, available: u64, group: PriceGroup) -> String {
    let mut lines = vec![format!("{} ({})", product.name(), product.sku())];
    if !product.description().is_empty() {
        lines.push(product.description().to_string());
    }
    lines.extend(
        product
            .specifications()
            .iter()
            .map(|(name, value)| format!("{name}: {value}")),
    );
    lines.extend(
        product
            .media()
            .iter()
            .filter(|media| media.kind == MediaKind::Video)
            .map(|media| format!("Video: {}", media.url)),
    );
    lines.push(format!("Price: {}", product.unit_price(group, 1)));
    let tiers = product
        .price_lists()
        .iter()
        .find(|list| list.group() == group)
        .map(|list| list.tiers())
        .unwrap_or_default();
    lines.extend(
        tiers
            .iter()
            .filter(|tier| tier.min_quantity > 1)
            .map(|tier| format!("From {} units: {} each", tier.min_quantity, tier.unit_price)),
    );
    lines.push(match (available, product.backorder()) {
        (0, BackorderPolicy::Allow) => "Out of stock; you may order it now (backorder).".into(),
        (0, _) => "Out of stock.".into(),
        (units, _) => format!("In stock: {units}."),
    });
    lines.join("\n")
}

/// `/report`: the sales of the last `days` days, per currency.
pub fn sales(days: u32, report: &SalesReport) -> String {
    let title = if days == 1 {
        "Sales today".to_string()
    } else {
        format!("Sales, last {days} days")
    };
    let mut totals =
        std::collections::BTreeMap::<String, (u64, rust_decimal::Decimal, u64, u64)>::new();
    for row in &report.periods {
        let entry = totals.entry(row.currency.to_string()).or_default();
        entry.0 += row.orders;
        entry.1 += row.revenue;
        entry.2 += row.units;
        entry.3 += row.cancelled;
    }
    if totals.is_empty() {
        return format!("{title}: no orders.");
    }
    let mut lines = vec![format!("{title}:")];
    lines.extend(
        totals
            .into_iter()
            .map(|(currency, (orders, revenue, units, cancelled))| {
                format!(
                    "{orders} orders, {revenue} {currency}, {units} units; {cancelled} cancelled"
                )
            }),
    );
    lines.join("\n")
}

/// `/picklist` with a word that is no warehouse code.
pub fn not_a_warehouse(word: &str) -> String {
    format!("{word}: not a warehouse code (1 to 16 letters, digits or '-').")
}

/// `/picklist` for a warehouse with nothing to pick (no order ready to pick has units
/// reserved there, or no such warehouse).
pub fn nothing_to_pick(warehouse: &str) -> String {
    format!(
        "Nothing to pick in warehouse {warehouse}: no confirmed or picking order has units \
         reserved there. Check the warehouse code if you expected some."
    )
}

/// The caption of a pick list sent as a PDF document.
pub fn picklist_caption(warehouse: &str, products: usize, units: u64, orders: usize) -> String {
    let more = if orders == 1 { "order" } else { "orders" };
    let kinds = if products == 1 { "product" } else { "products" };
    format!("Pick list of {warehouse}: {products} {kinds}, {units} units for {orders} {more}.")
}

/// The caption of the sales chart sent after `/report`'s text.
pub fn sales_caption(days: u32) -> String {
    if days == 1 {
        "Sales today: revenue and orders.".to_string()
    } else {
        format!("Sales, last {days} days: revenue and orders per day.")
    }
}
