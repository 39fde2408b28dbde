//! The pure-core pricing workload: validate and price a 15-line order with no store, as
//! `create_order` does before it touches storage. Shared by the criterion bench and the
//! `price_loop` example (for instruction-count profiling).

use ordo_core::catalog::{Product, ProductDraft, Sku};
use ordo_core::clock::Timestamp;
use ordo_core::customer::{Address, Customer, CustomerDraft, CustomerStatus};
use ordo_core::ids::{CustomerId, OrderId, ProductId};
use ordo_core::money::{Currency, Money, RoundingMode};
use ordo_core::order::{Order, OrderHeader};
use ordo_core::payment::PaymentMethod;
use ordo_core::pricing::{ShippingMethod, TaxRates};
use ordo_core::testkit::sample;

use crate::workload;

/// Products, typed items and a customer for a 15-line order.
pub struct PricingFixture {
    products: Vec<Product>,
    items: Vec<(String, i64)>,
    rates: TaxRates,
    address: Address,
    customer: Customer,
}

impl PricingFixture {
    /// Fifteen products and fifteen items as a clerk would type them (lower-case SKUs).
    pub fn new() -> PricingFixture {
        let products = (0..15)
            .map(|n| {
                let draft = ProductDraft::parse(sample::product(&workload::sku(n), 1999))
                    .expect("sample product");
                Product::create(ProductId(n), Timestamp(0), draft)
            })
            .collect();
        let customer_input = sample::customer(1);
        PricingFixture {
            products,
            items: (0..15)
                .map(|n| (workload::sku(n).to_lowercase(), 1 + n as i64 % 12))
                .collect(),
            rates: TaxRates::default(),
            address: Address::parse(&customer_input.addresses[0]).expect("sample address"),
            customer: Customer::create(
                CustomerId(1),
                CustomerDraft::parse(&customer_input).expect("sample customer"),
                CustomerStatus::Active,
                Timestamp(0),
            ),
        }
    }

    /// Parses every SKU and quantity, picks price tiers, builds and prices the order;
    /// returns its total.
    pub fn price_once(&self) -> Money {
        let mut order = Order::new_draft(OrderHeader {
            id: OrderId(1),
            customer: CustomerId(1),
            customer_name: String::new(),
            currency: Currency::USD,
            shipping_address: self.address.clone(),
            shipping_method: ShippingMethod::Standard,
            shipping_fee: sample::usd_cents(500),
            payment_method: PaymentMethod::Card,
            discounts: Vec::new(),
            notes: String::new(),
            idempotency_key: None,
            created_at: Timestamp(0),
            tax_rounding: RoundingMode::HalfEven,
        })
        .expect("draft");
        for ((sku, quantity), product) in self.items.iter().zip(&self.products) {
            let sku = Sku::parse(sku).expect("valid sku");
            let quantity = sku.quantity(*quantity).expect("valid quantity");
            let price = product.unit_price(self.customer.price_group(), quantity);
            let rate = self.rates.rate(product.tax_category());
            order
                .add_item(product, quantity, price, rate, Timestamp(0))
                .expect("line");
        }
        order.totals().total
    }
}

impl Default for PricingFixture {
    fn default() -> Self {
        PricingFixture::new()
    }
}
