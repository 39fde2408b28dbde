//! `/cart` and checkout. The cart is the customer's newest Draft order in the engine, so
//! it survives restarts and every rule (stock, prices for the customer's group, what a
//! customer may change) is the engine's; the bot only finds it, renders it and turns
//! button presses into engine calls as the chat's user.
//!
//! - `/cart` (or the Cart button): the lines with −/+/✕ buttons and the totals, and a
//!   Checkout button. Every button carries the cart's order id (and the line's product),
//!   so a press needs no memory of the chat and a stale button acts on the cart it was
//!   shown for (the engine refuses a cart that is no longer a draft, or not theirs).
//! - Add to cart: the product's SKU into the cart, creating the Draft when there is none.
//! - Checkout: shows the shipping address and method with a button per method (choosing
//!   one re-prices the cart in the engine) and **Place order**.
//! - Place order: the Draft becomes a placed order; the reply carries its reference.
//!   **Idempotent on the cart:** a press for a cart that is already placed (a re-delivered
//!   or repeated press) places nothing and answers with the same reference.

use ordo_core::Engine;
use ordo_core::auth::{Actor, Principal};
use ordo_core::engine::{ItemRequest, OrderFilter, OrderRequest};
use ordo_core::ids::{CustomerId, OrderId, ProductId};
use ordo_core::order::{Order, OrderStatus};
use ordo_core::payment::PaymentMethod;
use ordo_core::pricing::ShippingMethod;
use ordo_core::store::Store;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::bot::{Answer, BotState, refusal};
use super::command::{Callback, LineChange};
use super::reply;

/// What a cart action leads to.
enum View {
    /// The customer has no cart.
    Empty,
    /// The cart, to edit.
    Cart(Order),
    /// The cart at checkout: address, method, Place.
    Checkout(Order),
    /// The order the cart became.
    Placed(Order),
}

/// `/cart`: the chat's user's cart.
pub(super) async fn show<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
) -> Answer {
    run(state, actor, |engine, actor, me| {
        Ok(cart_of(engine, actor, me)?.map_or(View::Empty, View::Cart))
    })
    .await
}

/// A cart or checkout button.
pub(super) async fn press<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
    callback: Callback,
) -> Answer {
    run(state, actor, move |engine, actor, me| match callback {
        Callback::AddToCart { product, quantity } => {
            add(engine, actor, me, product, quantity).map(View::Cart)
        }
        Callback::CartLine {
            order,
            product,
            change,
        } => change_line(engine, actor, order, product, change),
        Callback::Checkout(order) => {
            let cart = engine.get_order(actor, order)?.value;
            Ok(at_checkout(cart))
        }
        Callback::Shipping { order, method } => {
            let cart = engine.get_order(actor, order)?.value;
            if cart.status() != OrderStatus::Draft {
                return Ok(at_checkout(cart));
            }
            Ok(View::Checkout(
                engine.set_shipping_method(actor, order, method)?,
            ))
        }
        Callback::Place(order) => place(engine, actor, order),
        Callback::Cart
        | Callback::Register
        | Callback::Login
        | Callback::CatalogPage(_)
        | Callback::Product { .. }
        | Callback::Track(_)
        | Callback::Cancel(_)
        | Callback::ResendCode => Ok(cart_of(engine, actor, me)?.map_or(View::Empty, View::Cart)),
    })
    .await
}

/// Runs `act` for a customer on the pool and renders what it leads to; a guest is asked
/// to log in, staff are told the cart is a customer's.
async fn run<S, F>(state: &BotState<S>, actor: Actor, act: F) -> Answer
where
    S: Store + Send + Sync + 'static,
    F: FnOnce(&Engine<S>, &Actor, CustomerId) -> ordo_core::Result<View> + Send + 'static,
{
    let Some(me) = actor.customer_id() else {
        return Answer::text(if matches!(actor.principal(), Principal::Guest) {
            reply::LOG_IN_FIRST
        } else {
            reply::CART_FOR_CUSTOMERS
        });
    };
    match state.pool.run(move |engine| act(engine, &actor, me)).await {
        Ok(Ok(view)) => render(view),
        Ok(Err(error)) => refusal(&error),
        Err(_) => Answer::text(reply::TRY_AGAIN),
    }
}

/// The customer's cart: their newest Draft order.
fn cart_of<S: Store>(
    engine: &Engine<S>,
    actor: &Actor,
    me: CustomerId,
) -> ordo_core::Result<Option<Order>> {
    let page = engine.list_orders(
        actor,
        &OrderFilter {
            customer: Some(me),
            status: Some(OrderStatus::Draft),
            limit: 1,
            ..OrderFilter::default()
        },
    )?;
    Ok(page.items.into_iter().next().map(|found| found.value))
}

/// Adds units of a product to the cart, starting one if there is none.
fn add<S: Store>(
    engine: &Engine<S>,
    actor: &Actor,
    me: CustomerId,
    product: ProductId,
    quantity: u32,
) -> ordo_core::Result<Order> {
    let sku = engine.get_product(actor, product)?.sku().to_string();
    match cart_of(engine, actor, me)? {
        Some(cart) => engine.add_item(actor, cart.id(), &sku, i64::from(quantity)),
        None => engine.create_order(
            actor,
            &OrderRequest {
                customer: me,
                items: vec![ItemRequest {
                    sku,
                    quantity: i64::from(quantity),
                }],
                ship_to: None,
                shipping: ShippingMethod::Standard,
                payment: PaymentMethod::Card,
                discounts: Vec::new(),
                notes: String::new(),
                draft: true,
                idempotency_key: None,
            },
        ),
    }
}

/// −, + or ✕ on a line of the cart `order`.
fn change_line<S: Store>(
    engine: &Engine<S>,
    actor: &Actor,
    order: OrderId,
    product: ProductId,
    change: LineChange,
) -> ordo_core::Result<View> {
    let cart = engine.get_order(actor, order)?.value;
    if cart.status() != OrderStatus::Draft {
        return Ok(at_checkout(cart));
    }
    let Some(line) = cart.lines().iter().find(|line| line.product == product) else {
        return Ok(View::Cart(cart));
    };
    let sku = line.sku.to_string();
    let quantity = i64::from(line.quantity);
    let removes = change == LineChange::Remove || (change == LineChange::Fewer && quantity <= 1);
    if removes && cart.lines().len() == 1 {
        // The last line: the cart is emptied (a draft is cancelled, never deleted).
        engine.cancel_order(actor, order, "cart emptied in Telegram")?;
        return Ok(View::Empty);
    }
    let changed = match change {
        _ if removes => engine.remove_item(actor, order, &sku)?,
        LineChange::More => engine.set_quantity(actor, order, &sku, quantity + 1)?,
        LineChange::Fewer | LineChange::Remove => {
            engine.set_quantity(actor, order, &sku, quantity - 1)?
        }
    };
    Ok(View::Cart(changed))
}

/// Places the cart `order`; a cart already placed answers with its order (placing
/// nothing again).
fn place<S: Store>(engine: &Engine<S>, actor: &Actor, order: OrderId) -> ordo_core::Result<View> {
    let cart = engine.get_order(actor, order)?.value;
    if cart.status() != OrderStatus::Draft {
        return Ok(at_checkout(cart));
    }
    engine
        .change_status(actor, order, OrderStatus::Placed)
        .map(View::Placed)
}

/// A cart shown at checkout, or the order it already became.
fn at_checkout(order: Order) -> View {
    match order.status() {
        OrderStatus::Draft => View::Checkout(order),
        OrderStatus::Cancelled if order.reference().is_none() => View::Empty,
        _ => View::Placed(order),
    }
}

/// The reply and buttons for a view.
fn render(view: View) -> Answer {
    match view {
        View::Empty => Answer::text(reply::CART_EMPTY),
        View::Cart(order) => Answer {
            text: reply::cart(&order),
            keyboard: Some(cart_keyboard(&order)),
        },
        View::Checkout(order) => Answer {
            text: reply::checkout(&order),
            keyboard: Some(checkout_keyboard(&order)),
        },
        View::Placed(order) => Answer::text(reply::placed(&order)),
    }
}

/// −/+/✕ per line, then Checkout.
fn cart_keyboard(order: &Order) -> InlineKeyboardMarkup {
    let id = order.id();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = order
        .lines()
        .iter()
        .map(|line| {
            let button = |label: String, change| {
                let data = Callback::CartLine {
                    order: id,
                    product: line.product,
                    change,
                };
                InlineKeyboardButton::callback(label, data.encode())
            };
            vec![
                button(format!("− {}", line.sku), LineChange::Fewer),
                button(format!("+ {}", line.sku), LineChange::More),
                button("✕".to_string(), LineChange::Remove),
            ]
        })
        .collect();
    rows.push(vec![InlineKeyboardButton::callback(
        "Checkout",
        Callback::Checkout(id).encode(),
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// A button per shipping method (the chosen one marked), then Place order.
fn checkout_keyboard(order: &Order) -> InlineKeyboardMarkup {
    let id = order.id();
    let methods = [
        ShippingMethod::Standard,
        ShippingMethod::Express,
        ShippingMethod::Pickup,
    ]
    .into_iter()
    .map(|method| {
        let mark = if method == order.shipping_method() {
            "✓ "
        } else {
            ""
        };
        InlineKeyboardButton::callback(
            format!("{mark}{method}"),
            Callback::Shipping { order: id, method }.encode(),
        )
    })
    .collect::<Vec<_>>();
    InlineKeyboardMarkup::new([
        methods,
        vec![InlineKeyboardButton::callback(
            "Place order",
            Callback::Place(id).encode(),
        )],
    ])
}
