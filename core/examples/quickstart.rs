//! Embeds ordo-core with the in-memory store and walks one order through its whole life:
//! catalog, stock, customer, order, payment, fulfilment, audit trail and outbox.
//!
//! Run: `cargo run --release --example quickstart -p ordo-core`

use std::sync::Arc;

use ordo_core::prelude::*;
use ordo_core::testkit::sample;

fn main() -> Result<(), Error> {
    let store = Arc::new(MemoryStore::new());
    let (engine, clock) = sample::engine(store.clone(), 2026);
    let clerk = Actor::local_admin("quickstart");

    let tee = engine.create_product(&clerk, sample::product("TEE-RED-M", 1999))?;
    engine.restock(&clerk, "TEE-RED-M", "MAIN", 25, "opening stock")?;
    engine.create_product(&clerk, sample::product("MUG-BLUE", 850))?;
    engine.restock(&clerk, "MUG-BLUE", "EAST", 10, "opening stock")?;
    println!("catalog: {} ({}), MUG-BLUE", tee.sku(), tee.base_price());

    let ada = engine.create_customer(&clerk, &sample::customer(1))?;
    println!("customer {}: {} <{}>", ada.id(), ada.name(), ada.email());

    let order = engine.create_order(
        &clerk,
        &OrderRequest::simple(ada.id(), &[("TEE-RED-M", 2), ("MUG-BLUE", 1)]),
    )?;
    let reference = order
        .reference()
        .map(ToString::to_string)
        .unwrap_or_default();
    println!(
        "order {} placed as {reference}: total {}",
        order.id(),
        order.totals().total
    );

    let paid = engine.record_payment(
        &clerk,
        order.id(),
        &PaymentRequest {
            amount: order.totals().total,
            method: PaymentMethod::Card,
            external_reference: "ch_quickstart".into(),
            idempotency_key: Some("pay-quickstart".into()),
        },
    )?;
    println!("payment status: {}", paid.payment_status()?);

    for status in [
        OrderStatus::Confirmed,
        OrderStatus::Picking,
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
    ] {
        clock.advance(3_600_000);
        engine.change_status(&clerk, order.id(), status)?;
    }
    let tracked = engine.order_by_reference(&clerk, &reference)?;
    println!(
        "tracking {reference}: {} (version {})",
        tracked.value.status(),
        tracked.version
    );

    let stock = engine.stock_of(&clerk, tee.id())?;
    println!(
        "TEE-RED-M on hand {} reserved {}",
        stock.total_on_hand(),
        stock.total_reserved()
    );

    match engine.change_status(&clerk, order.id(), OrderStatus::Placed) {
        Err(e) => println!("refused as it should be: {e}"),
        Ok(_) => println!("unexpected: a delivered order went back to placed"),
    }

    println!("audit trail of order {}:", order.id());
    for entry in engine.order_history(&clerk, order.id())? {
        let changes: Vec<String> = entry
            .record
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c.field,
                    c.before.as_deref().unwrap_or("-"),
                    c.after.as_deref().unwrap_or("-")
                )
            })
            .collect();
        println!(
            "  #{} {} {} by {} [{}]",
            entry.sequence,
            entry.record.at,
            entry.record.action,
            entry.record.actor,
            changes.join("; ")
        );
    }
    let waiting = engine.list_deliveries(&clerk, DeliveryFilter::Unsent, None, 100)?;
    println!(
        "notifications: {} deliveries waiting for the SMS/Telegram dispatchers",
        waiting.items.len()
    );
    Ok(())
}
