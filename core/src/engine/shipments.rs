//! Shipments: handing units of packed orders to carriers, cancelling what a partly shipped
//! order has not shipped, and carriers' tracking events.
//!
//! Each command is one write set: the shipment record and its index entries, the order
//! (its lines' reserved units, its status), the stock records (consumed or released), the
//! audit entries and the customer's notifications. An order is partially shipped while some
//! of its units are left, shipped once none is, and delivered once every shipment is.

use std::ops::Bound;

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::catalog::Sku;
use crate::error::{EntityKind, Error, Refusal, Result};
use crate::ids::{OrderId, ProductId, ShipmentId};
use crate::order::{Order, OrderStatus};
use crate::outbox::DomainEvent;
use crate::pricing::ShippingMethod;
use crate::shipment::{
    CarrierName, Shipment, ShipmentDraft, ShipmentLine, TrackingEvent, TrackingNumber,
    TrackingOutcome, TrackingStatus, Weight,
};
use crate::store::{IndexName, IndexRange, Record, RecordKey, Store, keys};
use crate::validate::{self, limits};

use super::Engine;
use super::unit::Unit;

/// Most shipments one order may have (each ships at least one unit, so a bound on a
/// bound; it keeps every scan of an order's shipments finite).
pub const MAX_SHIPMENTS_PER_ORDER: usize = 200;

/// What to ship: the units (none named: everything left), who carries them, how, the
/// tracking number and the weight. Parsed by the adapter into domain types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipRequest {
    /// Units per SKU; empty ships every unit left.
    pub lines: Vec<(Sku, u32)>,
    /// The carrier.
    pub carrier: CarrierName,
    /// The service; the order's shipping method when `None`.
    pub method: Option<ShippingMethod>,
    /// The carrier's tracking number (unique per carrier).
    pub tracking: TrackingNumber,
    /// The parcel's weight, if weighed.
    pub weight: Option<Weight>,
}

/// What a carrier's event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackingResult {
    /// No shipment of that carrier has the tracking number: nothing changed.
    Unknown,
    /// The shipment as it is after the event, and what the event did to it.
    Known {
        /// The shipment.
        shipment: Box<Shipment>,
        /// Replayed (nothing changed), recorded, or moved.
        outcome: TrackingOutcome,
        /// The order's status afterwards (delivered once every shipment is).
        order_status: OrderStatus,
    },
}

/// `TEE ×2, MUG ×1`.
fn units_summary(lines: &[ShipmentLine]) -> String {
    lines
        .iter()
        .map(|l| format!("{} ×{}", l.sku, l.quantity))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The units a request names, as (product, quantity) of the order's lines.
fn units_of(order: &Order, lines: &[(Sku, u32)]) -> Result<Vec<(ProductId, u32)>> {
    if lines.is_empty() {
        return Ok(order.unshipped());
    }
    if lines.len() > limits::MAX_LINES_PER_ORDER {
        return Err(Error::invalid(
            "lines",
            format!("at most {} lines", limits::MAX_LINES_PER_ORDER),
        ));
    }
    lines
        .iter()
        .map(|(sku, quantity)| {
            let index = order.line_index(sku)?;
            let product = order
                .lines()
                .get(index)
                .map(|l| l.product)
                .ok_or_else(|| Error::Internal("order line index out of range".into()))?;
            Ok((product, *quantity))
        })
        .collect()
}

/// What a parcel of `lines` weighs by its products' weights, when every product has one
/// (and the sum is a weight a parcel may have); `None` leaves it to the label.
pub(super) fn parcel_weight<S: Store>(
    unit: &mut Unit<'_, S>,
    lines: &[ShipmentLine],
) -> Result<Option<Weight>> {
    let mut grams: u64 = 0;
    for line in lines {
        let Some(weight) = unit.product(line.product)?.weight() else {
            return Ok(None);
        };
        grams = grams.saturating_add(u64::from(weight.grams()) * u64::from(line.quantity));
    }
    Ok(u32::try_from(grams)
        .ok()
        .and_then(|g| Weight::from_grams(g).ok()))
}

impl<S: Store> Engine<S> {
    /// Hands units of a packed (or partially shipped) order to a carrier: consumes their
    /// stock, records the shipment, and moves the order to partially shipped, or shipped
    /// once no unit is left. The customer hears the carrier and tracking number.
    ///
    /// # Errors
    /// `Forbidden` without `ShipOrders`; `NotFound` for the order or a SKU not on it;
    /// `Refused`: `NotShippable`, `NothingToShip`, `ShipsMoreThanLeft`,
    /// `TrackingNumberInUse`, `OrderArchived`; `Validation` for too many shipments or a
    /// SKU named twice; `Storage`.
    pub fn ship_order(
        &self,
        actor: &Actor,
        id: OrderId,
        request: &ShipRequest,
    ) -> Result<Shipment> {
        actor.require(Operation::ShipOrders)?;
        self.transact(|unit| {
            let order = unit.order(id)?;
            self.check_owner(actor, &order)?;
            let units = units_of(&order, &request.lines)?;
            let tracking_key = keys::shipment_tracking_key(&request.carrier, &request.tracking);
            if unit
                .index_id(IndexName::ShipmentByTracking, &tracking_key)?
                .is_some()
            {
                return Err(Refusal::TrackingNumberInUse {
                    carrier: request.carrier.to_string(),
                    tracking: request.tracking.to_string(),
                }
                .into());
            }
            let existing = self.shipment_ids(unit.store(), id)?;
            if existing.len() >= MAX_SHIPMENTS_PER_ORDER {
                return Err(Error::invalid(
                    "lines",
                    format!("an order ships in at most {MAX_SHIPMENTS_PER_ORDER} parcels"),
                ));
            }
            let lines = order
                .lines()
                .iter()
                .filter_map(|line| {
                    let quantity = units
                        .iter()
                        .find(|(p, _)| *p == line.product)
                        .map_or(0, |(_, q)| *q);
                    (quantity > 0).then(|| ShipmentLine {
                        product: line.product,
                        sku: line.sku.clone(),
                        name: line.name.clone(),
                        quantity,
                    })
                })
                .collect::<Vec<_>>();
            let weight = match request.weight {
                Some(weight) => Some(weight),
                None => parcel_weight(unit, &lines)?,
            };
            let now = self.clock.now();
            let draft = ShipmentDraft {
                order: id,
                number: u32::try_from(existing.len() + 1).unwrap_or(u32::MAX),
                lines,
                carrier: request.carrier.clone(),
                method: request.method.unwrap_or(order.shipping_method()),
                tracking: request.tracking.clone(),
                weight,
                for_return: None,
            };
            // The order refuses first (nothing to ship, too many units, wrong status), so
            // its refusal is the one a caller sees.
            let mut probe = order.clone();
            probe.ship(&units, now)?;
            let shipment = Shipment::new(ShipmentId(unit.store().next_id()?), draft, now)?;
            self.change_in_unit(
                unit,
                actor,
                id,
                AuditAction::OrderShipped,
                &|unit, order| {
                    let from = order.status();
                    let effects = order.ship(&units, now)?;
                    self.apply_stock_effects(unit, order, effects)?;
                    let mut changes = vec![
                        FieldChange::new(
                            "shipment",
                            None,
                            Some(format!(
                                "#{} {} {} ({})",
                                shipment.number(),
                                shipment.carrier(),
                                shipment.tracking(),
                                units_summary(shipment.lines())
                            )),
                        ),
                        FieldChange::new(
                            "status",
                            Some(from.to_string()),
                            Some(order.status().to_string()),
                        ),
                    ];
                    if let Some(weight) = shipment.weight() {
                        changes.push(FieldChange::new("weight", None, Some(weight.to_string())));
                    }
                    let event = DomainEvent::ShipmentSent {
                        order: order.id(),
                        customer: order.customer(),
                        carrier: shipment.carrier().to_string(),
                        tracking: shipment.tracking().to_string(),
                        complete: order.status() == OrderStatus::Shipped,
                    };
                    Ok((changes, vec![event]))
                },
            )?;
            unit.reindex(&[], &keys::shipment_entries(&shipment));
            unit.put(Record::Shipment(shipment.clone()));
            Ok(shipment)
        })
    }

    /// Cancels what a partially shipped order has not shipped: the reservations of those
    /// units are released, each line keeps its shipped units (a payment beyond the new
    /// total is a refund due), and the order is shipped (delivered, if every shipment
    /// already is).
    ///
    /// # Errors
    /// `Forbidden` without `ShipOrders`; `NotFound`; `Validation` for a missing reason;
    /// `Refused` (`NotPartiallyShipped`, `OrderArchived`); `Storage`.
    pub fn cancel_unshipped(&self, actor: &Actor, id: OrderId, reason: &str) -> Result<Order> {
        actor.require(Operation::ShipOrders)?;
        let reason =
            validate::required_text("cancellation reason", reason, limits::MAX_NAME_CHARS)?;
        self.transact(|unit| {
            let shipments: Vec<Shipment> = self
                .shipments_in_unit(unit, id)?
                .into_iter()
                .filter(Shipment::ships_order_lines)
                .collect();
            let all_delivered = shipments
                .iter()
                .all(|s| s.status() == TrackingStatus::Delivered);
            self.change_in_unit(
                unit,
                actor,
                id,
                AuditAction::UnshippedCancelled,
                &|unit, order| {
                    let from = order.status();
                    let released = order.unshipped();
                    let effects = order.cancel_unshipped(self.clock.now())?;
                    self.apply_stock_effects(unit, order, effects)?;
                    if all_delivered && !shipments.is_empty() {
                        self.step_status(unit, order, OrderStatus::Delivered)?;
                    }
                    let units: u64 = released.iter().map(|(_, q)| u64::from(*q)).sum();
                    let changes = vec![
                        FieldChange::new(
                            "status",
                            Some(from.to_string()),
                            Some(order.status().to_string()),
                        ),
                        FieldChange::new("units cancelled", None, Some(units.to_string())),
                        FieldChange::new("reason", None, Some(reason.clone())),
                        FieldChange::new("total", None, Some(order.totals().total.to_string())),
                    ];
                    let event = DomainEvent::OrderStatusChanged {
                        order: order.id(),
                        customer: order.customer(),
                        from,
                        to: order.status(),
                    };
                    Ok((changes, vec![event]))
                },
            )
        })
    }

    /// An order's shipments, in shipping order. Customers see their own orders' only.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` (another customer's order alike); `Storage`.
    pub fn order_shipments(&self, actor: &Actor, id: OrderId) -> Result<Vec<Shipment>> {
        let order = self.get_order(actor, id)?;
        self.shipment_ids(&self.store, order.value.id())?
            .into_iter()
            .map(|shipment| self.load_shipment(shipment))
            .collect()
    }

    /// Records a carrier's event on the shipment with that carrier and tracking number:
    /// unknown numbers and replays change nothing; a new event is kept and moves the
    /// shipment forward only (never backwards, never on an older event). Out for delivery
    /// tells the customer; the order is delivered once every shipment is and nothing is
    /// left to ship.
    ///
    /// # Errors
    /// `Forbidden` without `TrackShipments`; `Storage`.
    pub fn track_shipment(
        &self,
        actor: &Actor,
        carrier: &CarrierName,
        tracking: &TrackingNumber,
        event: &TrackingEvent,
    ) -> Result<TrackingResult> {
        actor.require(Operation::TrackShipments)?;
        let key = keys::shipment_tracking_key(carrier, tracking);
        self.transact(|unit| {
            let Some(id) = unit.index_id(IndexName::ShipmentByTracking, &key)? else {
                return Ok(TrackingResult::Unknown);
            };
            let mut shipment = self.shipment_in_unit(unit, ShipmentId(id))?;
            let now = self.clock.now();
            let outcome = shipment.track(event.clone(), now);
            let mut order = unit.order(shipment.order())?;
            if outcome == TrackingOutcome::Replayed {
                return Ok(TrackingResult::Known {
                    shipment: Box::new(shipment),
                    outcome,
                    order_status: order.status(),
                });
            }
            let mut changes = vec![FieldChange::new(
                "event",
                None,
                Some(format!(
                    "{} {} at {}{}",
                    shipment.tracking(),
                    event.status,
                    event.at,
                    if event.location.is_empty() {
                        String::new()
                    } else {
                        format!(" in {}", event.location)
                    }
                )),
            )];
            if let TrackingOutcome::Moved(from, to) = outcome {
                changes.push(FieldChange::new(
                    "tracking status",
                    Some(from.to_string()),
                    Some(to.to_string()),
                ));
                if to == TrackingStatus::OutForDelivery {
                    unit.event(
                        now,
                        DomainEvent::ShipmentOutForDelivery {
                            order: order.id(),
                            customer: order.customer(),
                            carrier: shipment.carrier().to_string(),
                            tracking: shipment.tracking().to_string(),
                        },
                    );
                }
            }
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::ShipmentTracked,
                // Not the order's subject: the order did not change (its history has one
                // entry per version); the customer's trail shows the parcel's progress.
                subjects: vec![
                    Subject::Shipment(shipment.id()),
                    Subject::Customer(order.customer()),
                ],
                changes,
            });
            unit.put(Record::Shipment(shipment.clone()));
            // A return's replacement parcel moves only itself: the order's status follows
            // the parcels of its own lines.
            if matches!(
                outcome,
                TrackingOutcome::Moved(_, TrackingStatus::Delivered)
            ) && order.status() == OrderStatus::Shipped
                && shipment.ships_order_lines()
            {
                let others = self.shipments_in_unit(unit, order.id())?;
                let all_delivered = others
                    .iter()
                    .filter(|s| s.ships_order_lines())
                    .all(|s| s.id() == shipment.id() || s.status() == TrackingStatus::Delivered);
                if all_delivered {
                    order = self.change_in_unit(
                        unit,
                        actor,
                        order.id(),
                        AuditAction::StatusChanged,
                        &|unit, order| {
                            let from = order.status();
                            self.step_status(unit, order, OrderStatus::Delivered)?;
                            Ok((
                                vec![FieldChange::new(
                                    "status",
                                    Some(from.to_string()),
                                    Some(order.status().to_string()),
                                )],
                                vec![DomainEvent::OrderStatusChanged {
                                    order: order.id(),
                                    customer: order.customer(),
                                    from,
                                    to: order.status(),
                                }],
                            ))
                        },
                    )?;
                }
            }
            Ok(TrackingResult::Known {
                shipment: Box::new(shipment),
                outcome,
                order_status: order.status(),
            })
        })
    }

    /// The ids of an order's shipments, in shipping order (index only).
    fn shipment_ids(&self, store: &S, order: OrderId) -> Result<Vec<ShipmentId>> {
        let prefix = keys::shipment_order_prefix(order);
        let range = IndexRange {
            start: Bound::Included(prefix.clone()),
            end: keys::prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded),
            reverse: false,
        };
        Ok(store
            .index_scan(IndexName::ShipmentByOrder, &range, MAX_SHIPMENTS_PER_ORDER)?
            .into_iter()
            .map(|(_, id)| ShipmentId(id))
            .collect())
    }

    /// An order's shipments, loaded in the unit (so version-checked at apply).
    pub(super) fn shipments_in_unit(
        &self,
        unit: &mut Unit<'_, S>,
        order: OrderId,
    ) -> Result<Vec<Shipment>> {
        self.shipment_ids(unit.store(), order)?
            .into_iter()
            .map(|id| self.shipment_in_unit(unit, id))
            .collect()
    }

    fn shipment_in_unit(&self, unit: &mut Unit<'_, S>, id: ShipmentId) -> Result<Shipment> {
        unit.optional(RecordKey::Shipment(id), "shipment", |record| match record {
            Record::Shipment(s) => Some(s),
            _ => None,
        })?
        .ok_or_else(|| Error::not_found(EntityKind::Shipment, id))
    }

    fn load_shipment(&self, id: ShipmentId) -> Result<Shipment> {
        let key = RecordKey::Shipment(id);
        match self.store.get(&key)? {
            Some(found) => match found.value {
                Record::Shipment(s) => Ok(s),
                _ => Err(crate::store::StoreError::Corrupted {
                    key: key.to_string(),
                    reason: "expected a shipment record".into(),
                }
                .into()),
            },
            None => Err(Error::not_found(EntityKind::Shipment, id)),
        }
    }
}
