//! Runs the 15-line pricing-and-validation path many times, for profilers that count
//! instructions (`valgrind --tool=callgrind`), where criterion's timing loop gets in the way.
//!
//! `cargo run --release -p ordo-benches --example price_loop -- 20000`

// A measuring tool: failing loudly is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use ordo_benches::workload;
use ordo_core::catalog::{Product, ProductDraft, Sku};
use ordo_core::clock::Timestamp;
use ordo_core::customer::{Address, Customer, CustomerDraft, CustomerStatus};
use ordo_core::ids::{CustomerId, OrderId, ProductId};
use ordo_core::money::Currency;
use ordo_core::order::{Order, OrderHeader};
use ordo_core::payment::PaymentMethod;
use ordo_core::pricing::{ShippingMethod, TaxRates};
use ordo_core::testkit::sample;

fn main() {
    let rounds: u64 = std::env::args()
        .nth(1)
        .map_or(20_000, |a| a.parse().expect("a number"));
    let products: Vec<Product> = (0..15)
        .map(|n| {
            Product::create(
                ProductId(n),
                Timestamp(0),
                ProductDraft::parse(sample::product(&workload::sku(n), 1999)).unwrap(),
            )
        })
        .collect();
    let items: Vec<(String, i64)> = (0..15)
        .map(|n| (workload::sku(n).to_lowercase(), 1 + n as i64 % 12))
        .collect();
    let rates = TaxRates::default();
    let address = Address::parse(&sample::customer(1).addresses[0]).unwrap();
    let customer = Customer::create(
        CustomerId(1),
        CustomerDraft::parse(&sample::customer(1)).unwrap(),
        CustomerStatus::Active,
        Timestamp(0),
    );
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        let mut order = Order::new_draft(OrderHeader {
            id: OrderId(1),
            customer: CustomerId(1),
            customer_name: String::new(),
            currency: Currency::USD,
            shipping_address: address.clone(),
            shipping_method: ShippingMethod::Standard,
            shipping_fee: sample::usd_cents(500),
            payment_method: PaymentMethod::Card,
            discounts: Vec::new(),
            notes: String::new(),
            idempotency_key: None,
            created_at: Timestamp(0),
        })
        .unwrap();
        for ((sku, quantity), product) in items.iter().zip(&products) {
            let sku = Sku::parse(sku).unwrap();
            let quantity = sku.quantity(*quantity).unwrap();
            let price = product.unit_price(customer.price_group(), quantity);
            order
                .add_item(
                    product,
                    quantity,
                    price,
                    rates.rate(product.tax_category()),
                    Timestamp(0),
                )
                .unwrap();
        }
        black_box(order.totals().total);
    }
    let per = started.elapsed() / u32::try_from(rounds).unwrap_or(u32::MAX);
    println!("{rounds} rounds, {per:?} per 15-line order");
}
