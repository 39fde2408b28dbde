//! Batch fulfilment: moving many orders forward along the fulfilment path in one change.
//!
//! A warehouse ships a day's parcels at once; doing that one status change at a time
//! costs one write (and, on durable storage, one flush) per order per step, and leaves
//! the batch half-done if the clerk is interrupted. [`Engine::advance_orders`] is the same
//! moves, all or nothing, in one write set.

use std::collections::HashSet;

use crate::audit::{AuditAction, FieldChange};
use crate::auth::{Actor, Operation};
use crate::error::{Error, Refusal, Result};
use crate::ids::OrderId;
use crate::order::{Order, OrderStatus};
use crate::outbox::DomainEvent;
use crate::store::Store;
use crate::validate::limits;

use super::Engine;
use super::orders::status_operation;

impl<S: Store> Engine<S> {
    /// Moves every order in `orders` forward along the fulfilment path (confirmed →
    /// picking → packed → shipped → delivered) to `to`, passing through each status in
    /// between with its timestamp and stock effects, exactly as the same
    /// [`Engine::change_status`] calls one by one would — but as ONE atomic change: either
    /// every order reaches `to` or none moves. Each order gets one audit entry (`status:
    /// placed → shipped`, with the statuses it passed through) and one status-changed
    /// event, so its customer hears about the batch once. Returns the orders as stored,
    /// in the order given.
    ///
    /// # Errors
    /// `Validation` for an empty list, a repeated order or more than
    /// [`limits::MAX_ORDERS_PER_BATCH`] orders; `Refused` (`BatchTargetNotAllowed`) if `to` is draft, placed or cancelled
    /// (those have their own commands); `InBatch` naming the first order that cannot move —
    /// wrapping `IllegalTransition` (not ahead of it on the path), `Refused` (`Backordered` units
    /// on the way to picking, archived), `NotFound` or `Forbidden` (each step needs its
    /// permission: confirming needs `ConfirmOrders`, the rest `Fulfil`).
    pub fn advance_orders(
        &self,
        actor: &Actor,
        orders: &[OrderId],
        to: OrderStatus,
    ) -> Result<Vec<Order>> {
        actor.require(match to {
            OrderStatus::Confirmed => Operation::ConfirmOrders,
            OrderStatus::Draft
            | OrderStatus::Placed
            | OrderStatus::Picking
            | OrderStatus::Packed
            | OrderStatus::PartiallyShipped
            | OrderStatus::Shipped
            | OrderStatus::Delivered
            | OrderStatus::Cancelled => Operation::Fulfil,
        })?;
        check_batch(orders)?;
        if matches!(
            to,
            OrderStatus::Draft | OrderStatus::Placed | OrderStatus::Cancelled
        ) {
            return Err(Refusal::BatchTargetNotAllowed { to }.into());
        }
        actor.require(status_operation(to)?)?;
        self.transact(|unit| {
            let mut moved = Vec::with_capacity(orders.len());
            for &id in orders {
                // A missing order's own error names it already.
                let order = self.change_in_unit(
                    unit,
                    actor,
                    id,
                    AuditAction::StatusChanged,
                    &|unit, order| {
                        self.walk_to(unit, actor, order, to)
                            .map_err(|e| e.in_batch(order_label(order)))
                    },
                )?;
                moved.push(order);
            }
            Ok(moved)
        })
    }

    /// Moves one loaded order step by step to `to`; the audit changes and event for it.
    fn walk_to(
        &self,
        unit: &mut super::Unit<'_, S>,
        actor: &Actor,
        order: &mut Order,
        to: OrderStatus,
    ) -> Result<(Vec<FieldChange>, Vec<DomainEvent>)> {
        let from = order.status();
        let path = from.fulfilment_path(to)?;
        for step in &path {
            actor.require(status_operation(*step)?)?;
            self.step_status(unit, order, *step)?;
        }
        let mut changes = vec![FieldChange::new(
            "status",
            Some(from.to_string()),
            Some(to.to_string()),
        )];
        if let Some((_, between)) = path.split_last()
            && !between.is_empty()
        {
            let names: Vec<&str> = between.iter().map(|s| s.name()).collect();
            changes.push(FieldChange::new(
                "passed through",
                None,
                Some(names.join(", ")),
            ));
        }
        let event = DomainEvent::OrderStatusChanged {
            order: order.id(),
            customer: order.customer(),
            from,
            to,
        };
        Ok((changes, vec![event]))
    }
}

/// How an error names an order: its reference, or its id before it has one.
fn order_label(order: &Order) -> String {
    order
        .reference()
        .map_or_else(|| order.id().to_string(), ToString::to_string)
}

/// A batch names each order once, and not too many.
fn check_batch(orders: &[OrderId]) -> Result<()> {
    if orders.is_empty() {
        return Err(Error::invalid("orders", "must name at least one order"));
    }
    if orders.len() > limits::MAX_ORDERS_PER_BATCH {
        return Err(Error::invalid(
            "orders",
            format!(
                "must be at most {} per batch, got {}",
                limits::MAX_ORDERS_PER_BATCH,
                orders.len()
            ),
        ));
    }
    let mut seen = HashSet::with_capacity(orders.len());
    for id in orders {
        if !seen.insert(*id) {
            return Err(Error::invalid(
                "orders",
                format!("must not name order {id} twice"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::auth::{Actor, Role};
    use crate::engine::tests::fixture;
    use crate::error::{Error, ErrorKind};
    use crate::ids::{OrderId, UserId};
    use crate::order::OrderStatus::{self, *};
    use crate::testkit::sample;
    use crate::validate::limits;

    fn history_of(f: &crate::engine::tests::Fixture, order: OrderId) -> Vec<String> {
        f.engine
            .order_history(&f.admin, order)
            .unwrap()
            .iter()
            .map(|e| e.record.action.to_string())
            .collect()
    }

    #[test]
    fn a_batch_ships_every_order_through_each_status_with_its_stock_effects() {
        let f = fixture();
        let first = f.order(&[("TEE", 3), ("MUG", 2)]).unwrap();
        let second = f.order(&[("TEE", 4)]).unwrap();
        f.status(second.id(), Confirmed).unwrap();
        let events_before = sample::deliveries(&f.engine).len();
        let moved = f
            .engine
            .advance_orders(&f.admin, &[first.id(), second.id()], Shipped)
            .unwrap();
        assert_eq!(
            moved
                .iter()
                .map(|o| (o.id(), o.status()))
                .collect::<Vec<_>>(),
            vec![(first.id(), Shipped), (second.id(), Shipped)]
        );
        let stamped: Vec<OrderStatus> = moved[0].status_history().iter().map(|(s, _)| *s).collect();
        assert_eq!(
            stamped,
            vec![Draft, Placed, Confirmed, Picking, Packed, Shipped]
        );
        // TEE: 10 on hand, 7 shipped; nothing stays reserved.
        assert_eq!(f.available("TEE", "MAIN"), 3);
        let stored = f.engine.get_order(&f.admin, second.id()).unwrap().value;
        assert_eq!(stored.status(), Shipped);
        // One audit entry per order, naming where it came from and what it passed.
        assert_eq!(
            history_of(&f, first.id()),
            vec!["order created", "status changed"]
        );
        let history = f.engine.order_history(&f.admin, first.id()).unwrap();
        let changes: Vec<(String, Option<String>, Option<String>)> = history[1]
            .record
            .changes
            .iter()
            .map(|c| (c.field.clone(), c.before.clone(), c.after.clone()))
            .collect();
        assert_eq!(
            changes,
            vec![
                (
                    "status".into(),
                    Some("placed".into()),
                    Some("shipped".into())
                ),
                (
                    "passed through".into(),
                    None,
                    Some("confirmed, picking, packed".into())
                ),
            ]
        );
        // One event per order, so each customer hears once.
        assert_eq!(sample::deliveries(&f.engine).len(), events_before + 2);
        f.check();
    }

    #[test]
    fn one_order_that_cannot_move_stops_the_whole_batch_and_is_named() {
        let f = fixture();
        let ready = f.order(&[("TEE", 1)]).unwrap();
        let shipped = f.order(&[("MUG", 1)]).unwrap();
        f.advance(shipped.id(), &[Confirmed, Picking, Packed, Shipped]);
        let audit_before = history_of(&f, ready.id()).len();
        let error = f
            .engine
            .advance_orders(&f.admin, &[ready.id(), shipped.id()], Packed)
            .unwrap_err();
        let reference = shipped.reference().unwrap().to_string();
        assert_eq!(
            error.to_string(),
            format!(
                "order {reference}: cannot move order from shipped to packed; allowed next: delivered"
            )
        );
        assert_eq!(error.kind(), ErrorKind::Validation);
        // Nothing moved: the first order is still placed, its stock still reserved.
        let ready_now = f.engine.get_order(&f.admin, ready.id()).unwrap().value;
        assert_eq!(ready_now.status(), Placed);
        assert_eq!(history_of(&f, ready.id()).len(), audit_before);
        assert_eq!(f.available("TEE", "MAIN"), 9);
        f.check();
    }

    #[test]
    fn bad_batches_are_refused_with_clear_errors() {
        let f = fixture();
        let order = f.order(&[("TEE", 1)]).unwrap();
        let refused = |ids: &[OrderId], to: OrderStatus| {
            f.engine
                .advance_orders(&f.admin, ids, to)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(refused(&[], Shipped), "orders must name at least one order");
        assert_eq!(
            refused(&[order.id(), order.id()], Shipped),
            format!("orders must not name order {} twice", order.id())
        );
        let too_many: Vec<OrderId> = (1..=limits::MAX_ORDERS_PER_BATCH as u64 + 1)
            .map(OrderId)
            .collect();
        assert!(refused(&too_many, Shipped).contains("at most 100 per batch"));
        assert!(refused(&[order.id()], Cancelled).contains("one at a time"));
        assert!(refused(&[order.id()], Placed).contains("one at a time"));
        assert_eq!(
            refused(&[OrderId(999_999)], Shipped),
            "order 999999 was not found"
        );
        let draft = f
            .engine
            .create_order(&f.admin, &{
                let mut request = crate::engine::OrderRequest::simple(f.consumer, &[("MUG", 1)]);
                request.draft = true;
                request
            })
            .unwrap();
        assert!(refused(&[draft.id()], Confirmed).contains("cannot move order from draft"));
        f.check();
    }

    #[test]
    fn each_step_needs_its_permission() {
        let f = fixture();
        let warehouse = Actor::staff(UserId(2), Role::Warehouse).unwrap();
        let analyst = Actor::staff(UserId(3), Role::Analyst).unwrap();
        let placed = f.order(&[("TEE", 1)]).unwrap();
        let confirmed = f.order(&[("MUG", 1)]).unwrap();
        f.status(confirmed.id(), Confirmed).unwrap();
        // The warehouse may fulfil but not confirm: a placed order in the batch stops it.
        let error = f
            .engine
            .advance_orders(&warehouse, &[confirmed.id(), placed.id()], Shipped)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Forbidden);
        assert!(matches!(
            f.engine
                .advance_orders(&analyst, &[confirmed.id()], Shipped)
                .unwrap_err(),
            Error::Forbidden { .. }
        ));
        let shipped = f
            .engine
            .advance_orders(&warehouse, &[confirmed.id()], Shipped)
            .unwrap();
        assert_eq!(shipped[0].status(), Shipped);
        f.check();
    }
}
