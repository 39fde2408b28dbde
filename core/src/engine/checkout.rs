//! Checkout steps on a Draft order (a cart): choosing the shipping method, which re-prices
//! the order with the shop's fee for that method. (Placing it is
//! [`Engine::change_status`] to `Placed`.)

use crate::audit::{AuditAction, FieldChange};
use crate::auth::{Actor, Operation};
use crate::error::Result;
use crate::ids::OrderId;
use crate::order::Order;
use crate::pricing::ShippingMethod;
use crate::store::Store;

use super::Engine;

impl<S: Store> Engine<S> {
    /// Changes an order's shipping method while its lines may still change, charging the
    /// shop's current fee for the method.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` for someone else's order (to a customer); `Refused`
    /// (`ItemsLocked`) once the items are locked; `Storage`.
    pub fn set_shipping_method(
        &self,
        actor: &Actor,
        order: OrderId,
        method: ShippingMethod,
    ) -> Result<Order> {
        self.change_order(
            actor,
            order,
            Operation::EditOrders,
            AuditAction::ShippingMethodChanged,
            |unit, order| {
                let before = order.shipping_method();
                let fee = unit
                    .pricing_settings()?
                    .shipping_rates()
                    .fee(method, order.currency())?;
                order.set_shipping(method, fee, self.clock.now())?;
                Ok((
                    vec![FieldChange::new(
                        "shipping method",
                        Some(before.to_string()),
                        Some(method.to_string()),
                    )],
                    Vec::new(),
                ))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::Actor;
    use crate::engine::OrderRequest;
    use crate::error::Error;
    use crate::order::OrderStatus;
    use crate::pricing::ShippingMethod;
    use crate::store::MemoryStore;
    use crate::testkit::sample;

    #[test]
    fn a_carts_shipping_method_changes_its_fee_until_it_ships() {
        let (engine, _) = sample::engine(MemoryStore::new(), 4);
        let admin = sample::admin();
        engine
            .create_product(&admin, sample::product("TEE", 1500))
            .unwrap();
        engine.restock(&admin, "TEE", "MAIN", 10, "in").unwrap();
        let customer = engine
            .create_customer(&admin, &sample::customer(1))
            .unwrap();
        let mut request = OrderRequest::simple(customer.id(), &[("TEE", 1)]);
        request.draft = true;
        let cart = engine.create_order(&admin, &request).unwrap();
        let me = Actor::customer(customer.id());
        let express = engine
            .set_shipping_method(&me, cart.id(), ShippingMethod::Express)
            .unwrap();
        assert_eq!(express.shipping_method(), ShippingMethod::Express);
        assert_ne!(express.totals().total, cart.totals().total);
        // Someone else's cart does not exist for her.
        let other = engine
            .create_customer(&admin, &sample::customer(2))
            .unwrap();
        let stranger = Actor::customer(other.id());
        assert!(matches!(
            engine.set_shipping_method(&stranger, cart.id(), ShippingMethod::Standard),
            Err(Error::NotFound { .. })
        ));
        // Once packed, the lines (and the method) are locked.
        for to in [
            OrderStatus::Placed,
            OrderStatus::Confirmed,
            OrderStatus::Picking,
            OrderStatus::Packed,
        ] {
            engine.change_status(&admin, cart.id(), to).unwrap();
        }
        assert!(
            engine
                .set_shipping_method(&admin, cart.id(), ShippingMethod::Standard)
                .is_err()
        );
    }
}
