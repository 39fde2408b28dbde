//! Notification deliveries: one record per channel and recipient that should hear of a
//! domain event, created **in the same write set** as the change that raised the event
//! ([`recipients`] decides who), and worked by the channels' dispatchers.
//!
//! A delivery's life:
//!
//! ```text
//!  Pending ──claim──▶ Sending ──sent──▶ Sent
//!     ▲                 │  │
//!     │ not_before      │  └─failed (permanent, or attempts used up)──▶ Dead
//!     └──── Failed ◀────┘ failed (retryable)                              │
//!             ▲                                                           │
//!             └────────────── retry (staff) ◀─────────────────────────────┘
//! ```
//!
//! **At-least-once.** A dispatcher claims a delivery with a lease (its name and an expiry),
//! makes the claim durable, sends, then marks it sent or failed. Two live dispatchers never
//! both hold a delivery: a claim is a versioned write, and the second claim of the same
//! version conflicts. A dispatcher that crashes after sending but before marking the
//! delivery sent leaves it `Sending` with a lease that expires; another dispatcher (or the
//! same one after a restart) then claims and sends it again. So after a crash at most the
//! messages in flight are sent twice; none is lost, and none is sent before the write set
//! that created it is durable (the claim waits for it: `Store::sync`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::customer::{Customer, Email, Phone};
use crate::ids::{CustomerId, DeliveryId, OrderId, OrderReference};
use crate::outbox::DomainEvent;
use crate::registration::Channel;

/// The longest provider error or message id kept on a delivery, in characters.
pub const MAX_NOTE_CHARS: usize = 300;

/// How many phones one order's watch list may hold.
pub const MAX_WATCHERS: usize = 5;

/// A way to reach someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryChannel {
    /// Text message.
    Sms,
    /// Telegram chat.
    Telegram,
    /// Email.
    Email,
}

impl DeliveryChannel {
    /// Every channel.
    pub const ALL: [DeliveryChannel; 3] = [
        DeliveryChannel::Sms,
        DeliveryChannel::Telegram,
        DeliveryChannel::Email,
    ];

    /// The byte this channel has in index keys (part of the on-disk format).
    pub fn code(self) -> u8 {
        match self {
            DeliveryChannel::Sms => 1,
            DeliveryChannel::Telegram => 2,
            DeliveryChannel::Email => 3,
        }
    }

    /// The channel named `text` (`sms`, `telegram`, `email`; any case).
    pub fn parse(text: &str) -> Option<DeliveryChannel> {
        DeliveryChannel::ALL
            .into_iter()
            .find(|c| c.to_string().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for DeliveryChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeliveryChannel::Sms => "sms",
            DeliveryChannel::Telegram => "telegram",
            DeliveryChannel::Email => "email",
        })
    }
}

/// Who a delivery goes to, in its channel's terms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// A phone number (SMS).
    Phone(Phone),
    /// A Telegram chat.
    TelegramChat(i64),
    /// An email address.
    Email(Email),
}

impl Recipient {
    /// The channel that reaches this recipient.
    pub fn channel(&self) -> DeliveryChannel {
        match self {
            Recipient::Phone(_) => DeliveryChannel::Sms,
            Recipient::TelegramChat(_) => DeliveryChannel::Telegram,
            Recipient::Email(_) => DeliveryChannel::Email,
        }
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Phone(phone) => write!(f, "SMS to {phone}"),
            Recipient::TelegramChat(chat) => write!(f, "Telegram chat {chat}"),
            Recipient::Email(email) => write!(f, "email to {email}"),
        }
    }
}

/// Where a delivery is in its life (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for a dispatcher (from `not_before` on).
    Pending,
    /// Claimed by a dispatcher whose lease runs until `not_before`.
    Sending,
    /// Handed to the provider.
    Sent,
    /// The last attempt failed; it will be tried again from `not_before`.
    Failed,
    /// Given up: a permanent failure, the attempts used up, or the recipient opted out.
    Dead,
}

impl DeliveryStatus {
    /// Every status.
    pub const ALL: [DeliveryStatus; 5] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Failed,
        DeliveryStatus::Dead,
    ];

    /// The byte this status has in index keys (part of the on-disk format). Failed and
    /// Dead are adjacent, so "problems" is one key range.
    pub fn code(self) -> u8 {
        match self {
            DeliveryStatus::Pending => 1,
            DeliveryStatus::Sending => 2,
            DeliveryStatus::Failed => 3,
            DeliveryStatus::Dead => 4,
            DeliveryStatus::Sent => 5,
        }
    }

    /// Whether a dispatcher may still pick it up (it is in the channel's queue).
    pub fn queued(self) -> bool {
        match self {
            DeliveryStatus::Pending | DeliveryStatus::Sending | DeliveryStatus::Failed => true,
            DeliveryStatus::Sent | DeliveryStatus::Dead => false,
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Dead => "dead",
        })
    }
}

/// What the provider (the SMS carrier, …) reported after the hand-over, from its status
/// callbacks. Callbacks may arrive out of order: a status never moves back ([`Self::rank`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarrierStatus {
    /// Accepted, waiting to go out.
    Queued,
    /// On its way to the carrier.
    Sending,
    /// Passed to the carrier.
    Sent,
    /// The handset has it.
    Delivered,
    /// The carrier could not deliver it.
    Undelivered,
    /// The provider could not send it.
    Failed,
}

impl CarrierStatus {
    /// The provider's word for this status (Twilio's `MessageStatus`), any case;
    /// `accepted`/`scheduled` count as queued. Unknown words are `None`.
    pub fn parse(text: &str) -> Option<CarrierStatus> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "queued" | "accepted" | "scheduled" => CarrierStatus::Queued,
            "sending" => CarrierStatus::Sending,
            "sent" => CarrierStatus::Sent,
            "delivered" | "read" => CarrierStatus::Delivered,
            "undelivered" => CarrierStatus::Undelivered,
            "failed" | "canceled" => CarrierStatus::Failed,
            _ => return None,
        })
    }

    /// How far along it is: a callback with a lower rank than the status held is stale.
    /// The three final outcomes share the top rank (the first one reported stays).
    pub fn rank(self) -> u8 {
        match self {
            CarrierStatus::Queued => 1,
            CarrierStatus::Sending => 2,
            CarrierStatus::Sent => 3,
            CarrierStatus::Delivered | CarrierStatus::Undelivered | CarrierStatus::Failed => 4,
        }
    }
}

impl fmt::Display for CarrierStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CarrierStatus::Queued => "queued",
            CarrierStatus::Sending => "sending",
            CarrierStatus::Sent => "sent",
            CarrierStatus::Delivered => "delivered",
            CarrierStatus::Undelivered => "undelivered",
            CarrierStatus::Failed => "failed",
        })
    }
}

/// A dispatcher's hold on a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The dispatcher's name (unique per running dispatcher).
    pub owner: String,
    /// The attempt the lease is for (so a late answer to an older attempt is refused).
    pub attempt: u32,
    /// When it lapses and another dispatcher may claim the delivery.
    pub until: Timestamp,
}

/// Why a dispatcher's report on a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseLost {
    /// It holds no lease: another dispatcher claimed it after this one's lease lapsed, or
    /// it is no longer being sent.
    NotHeld,
}

/// How a send attempt ended, as the dispatcher reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The provider took it; its id for the message (for status callbacks).
    Sent {
        /// The provider's message id (Twilio's `MessageSid`), if it gave one.
        provider_id: Option<String>,
    },
    /// It may work later: try again after `retry_after_ms` (unless the attempts are used
    /// up).
    Retry {
        /// Why it failed (no secrets, no message body).
        error: String,
        /// How long to wait before the next attempt.
        retry_after_ms: i64,
    },
    /// It will never work (a bad number, an opted-out recipient, bad credentials).
    Permanent {
        /// Why.
        error: String,
    },
}

/// Who wants to hear about one order by SMS beyond its customer's own preference: phones
/// that sent `SUB REF` (subscribed) or `UNSUB REF` (muted). One record per order, absent
/// until someone asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderWatch {
    /// The order.
    pub order: OrderId,
    /// Phones and whether each wants texts (`true`) or asked for none (`false`).
    pub phones: Vec<(Phone, bool)>,
}

impl OrderWatch {
    /// An empty watch list for `order`.
    pub fn new(order: OrderId) -> OrderWatch {
        OrderWatch {
            order,
            phones: Vec::new(),
        }
    }

    /// Whether `phone` subscribed (`Some(true)`), muted (`Some(false)`) or said nothing.
    pub fn wants(&self, phone: &Phone) -> Option<bool> {
        self.phones
            .iter()
            .find(|(p, _)| p == phone)
            .map(|(_, on)| *on)
    }

    /// Records that `phone` wants texts about this order (`on`) or none. Returns whether
    /// anything changed; the list keeps at most [`MAX_WATCHERS`] phones (the oldest
    /// entry makes room).
    pub fn set(&mut self, phone: &Phone, on: bool) -> bool {
        if self.wants(phone) == Some(on) {
            return false;
        }
        self.phones.retain(|(p, _)| p != phone);
        if self.phones.len() >= MAX_WATCHERS {
            self.phones.remove(0);
        }
        self.phones.push((phone.clone(), on));
        true
    }
}

/// Per-number SMS settings: the carrier keywords (`STOP` … `START`). One record per phone
/// that ever used one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneSettings {
    /// The number.
    pub phone: Phone,
    /// Nothing is texted to it while true.
    pub opted_out: bool,
    /// When it last changed.
    pub changed: Timestamp,
}

/// One notification for one recipient on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    id: DeliveryId,
    created: Timestamp,
    event: DomainEvent,
    reference: Option<OrderReference>,
    recipient: Recipient,
    status: DeliveryStatus,
    attempts: u32,
    not_before: Timestamp,
    lease: Option<Lease>,
    last_error: Option<String>,
    updated: Timestamp,
    provider_id: Option<String>,
    carrier_status: Option<CarrierStatus>,
}

impl Delivery {
    /// A new pending delivery of `event` to `recipient`, due at once.
    pub fn new(
        id: DeliveryId,
        at: Timestamp,
        event: DomainEvent,
        reference: Option<OrderReference>,
        recipient: Recipient,
    ) -> Delivery {
        Delivery {
            id,
            created: at,
            event,
            reference,
            recipient,
            status: DeliveryStatus::Pending,
            attempts: 0,
            not_before: at,
            lease: None,
            last_error: None,
            updated: at,
            provider_id: None,
            carrier_status: None,
        }
    }

    /// Its id.
    pub fn id(&self) -> DeliveryId {
        self.id
    }
    /// When the event happened.
    pub fn created(&self) -> Timestamp {
        self.created
    }
    /// What happened.
    pub fn event(&self) -> &DomainEvent {
        &self.event
    }
    /// The order's reference, for order events.
    pub fn reference(&self) -> Option<&OrderReference> {
        self.reference.as_ref()
    }
    /// The customer the event is about.
    pub fn customer(&self) -> CustomerId {
        self.event.customer()
    }
    /// Who it goes to.
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }
    /// Its channel.
    pub fn channel(&self) -> DeliveryChannel {
        self.recipient.channel()
    }
    /// Where it is in its life.
    pub fn status(&self) -> DeliveryStatus {
        self.status
    }
    /// How many times a dispatcher claimed it (since the last manual retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// Not to be claimed before (for `Sending`: when the lease lapses).
    pub fn not_before(&self) -> Timestamp {
        self.not_before
    }
    /// The lease, while `Sending`.
    pub fn lease(&self) -> Option<&Lease> {
        self.lease.as_ref()
    }
    /// Why the last attempt failed.
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }
    /// When it last changed.
    pub fn updated(&self) -> Timestamp {
        self.updated
    }
    /// The provider's id for the sent message.
    pub fn provider_id(&self) -> Option<&str> {
        self.provider_id.as_deref()
    }
    /// What the provider last reported.
    pub fn carrier_status(&self) -> Option<CarrierStatus> {
        self.carrier_status
    }

    /// Whether a dispatcher may claim it at `now`: pending or failed and due, or sending
    /// under a lease that has lapsed.
    pub fn claimable(&self, now: Timestamp) -> bool {
        self.status.queued() && self.not_before <= now
    }

    /// Claims it for `owner` until `now + lease_ms` (the caller checked [`Self::claimable`]).
    pub fn claim(&mut self, owner: &str, now: Timestamp, lease_ms: i64) {
        self.attempts = self.attempts.saturating_add(1);
        let until = Timestamp(now.0.saturating_add(lease_ms.max(1)));
        self.status = DeliveryStatus::Sending;
        self.lease = Some(Lease {
            owner: clip(owner),
            attempt: self.attempts,
            until,
        });
        self.not_before = until;
        self.updated = now;
    }

    /// Gives up on it without sending (the recipient opted out, …).
    pub fn abandon(&mut self, why: &str, now: Timestamp) {
        self.status = DeliveryStatus::Dead;
        self.lease = None;
        self.last_error = Some(clip(why));
        self.updated = now;
    }

    /// Records how the attempt `owner` holds ended. A retryable failure after
    /// `max_attempts` attempts is dead.
    ///
    /// # Errors
    /// [`LeaseLost::NotHeld`] if `owner` does not hold the current attempt's lease.
    pub fn finish(
        &mut self,
        owner: &str,
        attempt: u32,
        outcome: &SendOutcome,
        max_attempts: u32,
        now: Timestamp,
    ) -> Result<(), LeaseLost> {
        let held = self.status == DeliveryStatus::Sending
            && self
                .lease
                .as_ref()
                .is_some_and(|l| l.owner == clip(owner) && l.attempt == attempt);
        if !held {
            return Err(LeaseLost::NotHeld);
        }
        self.lease = None;
        self.updated = now;
        match outcome {
            SendOutcome::Sent { provider_id } => {
                self.status = DeliveryStatus::Sent;
                self.provider_id = provider_id.as_deref().map(clip);
                self.last_error = None;
            }
            SendOutcome::Retry {
                error,
                retry_after_ms,
            } if self.attempts < max_attempts => {
                self.status = DeliveryStatus::Failed;
                self.not_before = now.plus_ms((*retry_after_ms).max(0));
                self.last_error = Some(clip(error));
            }
            SendOutcome::Retry { error, .. } => {
                self.status = DeliveryStatus::Dead;
                self.last_error = Some(clip(&format!(
                    "{error} (gave up after {} attempts)",
                    self.attempts
                )));
            }
            SendOutcome::Permanent { error } => {
                self.status = DeliveryStatus::Dead;
                self.last_error = Some(clip(error));
            }
        }
        Ok(())
    }

    /// Marks a delivery that is not yet sent as sent by hand (someone sent the message
    /// outside ordo). Returns false (and changes nothing) if it was already sent.
    pub fn mark_sent_by_hand(&mut self, now: Timestamp) -> bool {
        match self.status {
            DeliveryStatus::Pending
            | DeliveryStatus::Sending
            | DeliveryStatus::Failed
            | DeliveryStatus::Dead => {
                self.status = DeliveryStatus::Sent;
                self.lease = None;
                self.last_error = None;
                self.updated = now;
                true
            }
            DeliveryStatus::Sent => false,
        }
    }

    /// Queues a failed or dead delivery again, due now, with a fresh count of attempts.
    /// Returns false (and changes nothing) for any other status.
    pub fn retry(&mut self, now: Timestamp) -> bool {
        match self.status {
            DeliveryStatus::Failed | DeliveryStatus::Dead => {
                self.status = DeliveryStatus::Pending;
                self.attempts = 0;
                self.not_before = now;
                self.lease = None;
                self.updated = now;
                true
            }
            DeliveryStatus::Pending | DeliveryStatus::Sending | DeliveryStatus::Sent => false,
        }
    }

    /// Takes the provider's report; a stale (lower-ranked) one is ignored. Returns whether
    /// anything changed.
    pub fn carrier_report(&mut self, status: CarrierStatus, now: Timestamp) -> bool {
        if self
            .carrier_status
            .is_some_and(|held| held.rank() >= status.rank())
        {
            return false;
        }
        self.carrier_status = Some(status);
        self.updated = now;
        true
    }
}

/// Text kept on a delivery, cut to [`MAX_NOTE_CHARS`] with control characters removed.
fn clip(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NOTE_CHARS)
        .collect()
}

/// The customer's own channel: their phone by SMS, or their linked Telegram chat.
pub fn preferred(customer: &Customer) -> Recipient {
    match customer.channel() {
        Channel::Sms => Recipient::Phone(customer.phone().clone()),
        Channel::Telegram { chat_id } => Recipient::TelegramChat(chat_id),
    }
}

/// Who should hear of `event` about `customer` (the fan-out rule): verification codes go
/// where they were asked for; order status news goes to the customer's own channel (unless
/// that is a phone that muted the order) and to every phone subscribed to the order;
/// everything else to the customer's own channel. Each recipient appears once.
pub fn recipients(
    event: &DomainEvent,
    customer: &Customer,
    watch: Option<&OrderWatch>,
) -> Vec<Recipient> {
    let mut out = Vec::new();
    match event {
        DomainEvent::VerificationCodeRequested { channel, .. } => out.push(match channel {
            Channel::Sms => Recipient::Phone(customer.phone().clone()),
            Channel::Telegram { chat_id } => Recipient::TelegramChat(*chat_id),
        }),
        DomainEvent::ContactChangeRequested { phone, email, .. } => {
            out.push(if phone == customer.phone() {
                Recipient::Email(email.clone())
            } else {
                Recipient::Phone(phone.clone())
            });
        }
        DomainEvent::OrderPlaced { .. }
        | DomainEvent::OrderStatusChanged { .. }
        | DomainEvent::OrderCancelled { .. }
        | DomainEvent::ShipmentSent { .. }
        | DomainEvent::ShipmentOutForDelivery { .. } => {
            let own = preferred(customer);
            let muted = match (&own, watch) {
                (Recipient::Phone(phone), Some(watch)) => watch.wants(phone) == Some(false),
                _ => false,
            };
            if !muted {
                out.push(own);
            }
            for (phone, on) in watch.map(|w| w.phones.as_slice()).unwrap_or_default() {
                let recipient = Recipient::Phone(phone.clone());
                if *on && !out.contains(&recipient) {
                    out.push(recipient);
                }
            }
        }
        DomainEvent::PaymentRecorded { .. }
        | DomainEvent::RefundRecorded { .. }
        | DomainEvent::RegistrationApproved { .. }
        | DomainEvent::ReturnApproved { .. }
        | DomainEvent::ReturnRefunded { .. }
        | DomainEvent::ReturnExchanged { .. } => out.push(preferred(customer)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::OrderStatus;
    use crate::store::MemoryStore;
    use crate::testkit::sample;

    fn changed() -> DomainEvent {
        DomainEvent::OrderStatusChanged {
            order: OrderId(1),
            customer: CustomerId(1),
            from: OrderStatus::Confirmed,
            to: OrderStatus::Shipped,
        }
    }

    fn customer() -> Customer {
        let (engine, _) = sample::engine(MemoryStore::new(), 1);
        engine
            .create_customer(&sample::admin(), &sample::customer(1))
            .unwrap()
    }

    fn phone(text: &str) -> Phone {
        Phone::parse(text).unwrap()
    }

    #[test]
    fn order_news_goes_to_the_customer_and_every_subscribed_phone_once() {
        let customer = customer();
        let mut watch = OrderWatch::new(OrderId(1));
        watch.set(&phone("+15550001111"), true);
        watch.set(customer.phone(), true);
        let to = recipients(&changed(), &customer, Some(&watch));
        assert_eq!(
            to,
            vec![
                Recipient::Phone(customer.phone().clone()),
                Recipient::Phone(phone("+15550001111")),
            ]
        );
    }

    #[test]
    fn a_customer_phone_that_muted_the_order_hears_nothing_of_it() {
        let customer = customer();
        let mut watch = OrderWatch::new(OrderId(1));
        watch.set(customer.phone(), false);
        assert!(recipients(&changed(), &customer, Some(&watch)).is_empty());
        // Payments are not order status news: muting the order does not stop them.
        let paid = DomainEvent::PaymentRecorded {
            order: OrderId(1),
            customer: CustomerId(1),
            amount: sample::usd_cents(100),
        };
        assert_eq!(recipients(&paid, &customer, Some(&watch)).len(), 1);
    }

    #[test]
    fn a_contact_change_code_goes_to_the_new_phone_or_else_the_new_email() {
        let customer = customer();
        let email = Email::parse("new@example.com").unwrap();
        let new_phone = DomainEvent::ContactChangeRequested {
            customer: CustomerId(1),
            phone: phone("+15550002222"),
            email: email.clone(),
            nonce: 1,
        };
        assert_eq!(
            recipients(&new_phone, &customer, None),
            vec![Recipient::Phone(phone("+15550002222"))]
        );
        let new_email = DomainEvent::ContactChangeRequested {
            customer: CustomerId(1),
            phone: customer.phone().clone(),
            email: email.clone(),
            nonce: 1,
        };
        assert_eq!(
            recipients(&new_email, &customer, None),
            vec![Recipient::Email(email)]
        );
    }

    fn pending() -> Delivery {
        Delivery::new(
            DeliveryId(9),
            Timestamp(1_000),
            changed(),
            None,
            Recipient::Phone(phone("+15550001111")),
        )
    }

    #[test]
    fn a_lease_is_needed_to_finish_and_a_lapsed_one_can_be_taken_over() {
        let mut d = pending();
        assert!(d.claimable(Timestamp(1_000)));
        d.claim("a", Timestamp(1_000), 30_000);
        assert!(!d.claimable(Timestamp(30_999)));
        assert!(d.claimable(Timestamp(31_000)));
        d.claim("b", Timestamp(31_000), 30_000);
        let sent = SendOutcome::Sent {
            provider_id: Some("SM1".into()),
        };
        assert_eq!(
            d.finish("a", 1, &sent, 5, Timestamp(31_001)),
            Err(LeaseLost::NotHeld)
        );
        assert_eq!(d.finish("b", 2, &sent, 5, Timestamp(31_001)), Ok(()));
        assert_eq!(d.status(), DeliveryStatus::Sent);
        assert_eq!(d.provider_id(), Some("SM1"));
        assert!(!d.claimable(Timestamp(i64::MAX)));
    }

    #[test]
    fn retryable_failures_wait_then_die_after_the_last_attempt_and_staff_can_retry() {
        let mut d = pending();
        for attempt in 1..=3 {
            d.claim("a", Timestamp(attempt * 10), 5);
            let outcome = SendOutcome::Retry {
                error: "HTTP 500".into(),
                retry_after_ms: 6,
            };
            d.finish(
                "a",
                attempt as u32,
                &outcome,
                3,
                Timestamp(attempt * 10 + 1),
            )
            .unwrap();
        }
        assert_eq!(d.status(), DeliveryStatus::Dead);
        assert_eq!(d.attempts(), 3);
        assert!(d.last_error().unwrap().contains("gave up after 3 attempts"));
        assert!(d.retry(Timestamp(100)));
        assert_eq!(d.status(), DeliveryStatus::Pending);
        assert_eq!(d.attempts(), 0);
        assert!(!d.retry(Timestamp(100)));
    }

    #[test]
    fn carrier_reports_never_move_back() {
        let mut d = pending();
        assert!(d.carrier_report(CarrierStatus::Delivered, Timestamp(5)));
        assert!(!d.carrier_report(CarrierStatus::Sent, Timestamp(6)));
        assert!(!d.carrier_report(CarrierStatus::Undelivered, Timestamp(7)));
        assert_eq!(d.carrier_status(), Some(CarrierStatus::Delivered));
        assert_eq!(
            CarrierStatus::parse("ACCEPTED"),
            Some(CarrierStatus::Queued)
        );
        assert_eq!(CarrierStatus::parse("bogus"), None);
    }

    #[test]
    fn a_watch_list_is_bounded_and_keeps_the_latest_wish() {
        let mut watch = OrderWatch::new(OrderId(1));
        for n in 0..8 {
            assert!(watch.set(&phone(&format!("+1555000000{n}")), true));
        }
        assert_eq!(watch.phones.len(), MAX_WATCHERS);
        assert!(!watch.set(&phone("+15550000007"), true));
        assert!(watch.set(&phone("+15550000007"), false));
        assert_eq!(watch.wants(&phone("+15550000007")), Some(false));
        assert_eq!(watch.wants(&phone("+15550000000")), None);
    }
}
