//! The JSON shapes of accounts: registrations, staff users, sessions, the communication
//! log and purchase history. Never a password hash, code or stored token.

use ordo_core::auth::Role;
use ordo_core::customer::Customer;
use ordo_core::engine::{LoginOutcome, PurchaseHistory};
use ordo_core::message::CommMessage;
use ordo_core::money::Money;
use ordo_core::registration::Verification;
use ordo_core::staff::StaffUser;
use serde::{Deserialize, Serialize};

use super::{CustomerView, OrderView, amount};

/// A registration just made or a code just sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationView {
    /// The customer record.
    #[serde(flatten)]
    pub customer: CustomerView,
    /// Where the code went, e.g. `SMS` or `Telegram chat 123456789`.
    pub code_sent_via: String,
    /// When the code stops working.
    pub code_expires_at: Option<String>,
    /// The registration handle, present only in the answer to the registration itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_handle: Option<String>,
}

impl RegistrationView {
    /// The view of `customer` right after a code was issued.
    pub fn new(customer: &Customer) -> RegistrationView {
        RegistrationView {
            customer: CustomerView::new(customer),
            code_sent_via: customer.channel().to_string(),
            code_expires_at: customer
                .verification()
                .map(Verification::expires_at)
                .map(|t| t.to_string()),
            registration_handle: None,
        }
    }

    /// The same view carrying the handle (once, right after registering).
    pub fn with_handle(mut self, handle: &str) -> RegistrationView {
        self.registration_handle = Some(handle.to_string());
        self
    }
}

/// A staff user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffUserView {
    /// Store id.
    pub id: u64,
    /// Full name.
    pub name: String,
    /// Login id.
    pub login: String,
    /// `admin`, `order-processor`, `customer-service`, `sales`, `warehouse` or `analyst`.
    pub role: String,
    /// Whether they may sign in.
    pub active: bool,
    /// When they were added.
    pub created_at: String,
}

impl StaffUserView {
    /// The view of `user`.
    pub fn new(user: &StaffUser) -> StaffUserView {
        StaffUserView {
            id: user.id().get(),
            name: user.name().to_string(),
            login: user.credentials().login.to_string(),
            role: role_name(user.role()).to_string(),
            active: user.is_active(),
            created_at: user.created_at().to_string(),
        }
    }
}

/// A role as typed on the command line (`order-processor`).
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::OrderProcessor => "order-processor",
        Role::CustomerService => "customer-service",
        Role::Sales => "sales",
        Role::Warehouse => "warehouse",
        Role::Analyst => "analyst",
        Role::Customer => "customer",
        Role::Guest => "guest",
    }
}

/// A session opened by `ordo login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// The bearer token (shown once; put it in `$ORDO_TOKEN`).
    pub token: String,
    /// When the session ends.
    pub expires_at: String,
    /// Who signed in, as the audit trail names them.
    pub actor: String,
    /// Their role.
    pub role: String,
}

impl SessionView {
    /// The view of a successful login.
    pub fn new(outcome: &LoginOutcome) -> SessionView {
        SessionView {
            token: outcome.token.reveal().to_string(),
            expires_at: outcome.expires_at.to_string(),
            actor: outcome.actor.to_string(),
            role: role_name(outcome.actor.role()).to_string(),
        }
    }
}

/// One message of the communication log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    /// Store id.
    pub id: u64,
    /// When.
    pub at: String,
    /// `sms`, `telegram`, `email` or `note`.
    pub channel: String,
    /// `in` (from the customer) or `out` (to the customer).
    pub direction: String,
    /// The text.
    pub text: String,
    /// The order it is about.
    pub order_id: Option<u64>,
    /// That order's reference (`null` for drafts or no order).
    pub order_reference: Option<String>,
}

impl MessageView {
    /// The view of `message`, with the reference of its order if known.
    pub fn new(message: &CommMessage, order_reference: Option<String>) -> MessageView {
        MessageView {
            id: message.id.get(),
            at: message.at.to_string(),
            channel: message.channel.to_string(),
            direction: message.direction.to_string(),
            text: message.text.clone(),
            order_id: message.order.map(|o| o.get()),
            order_reference,
        }
    }
}

/// An amount with its currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmountView {
    /// Decimal string at the currency's scale.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

impl AmountView {
    fn new(money: &Money) -> AmountView {
        AmountView {
            amount: amount(money),
            currency: money.currency().to_string(),
        }
    }
}

/// A customer's purchases at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchasesView {
    /// The customer.
    pub customer_id: u64,
    /// Their name.
    pub customer_name: String,
    /// Orders of every status, archived included.
    pub order_count: usize,
    /// Σ totals of orders placed and not cancelled, per currency.
    pub total_spent: Vec<AmountView>,
    /// Average of those totals, per currency.
    pub average_order_value: Vec<AmountView>,
    /// First order placed (and not cancelled).
    pub first_order_at: Option<String>,
    /// Latest order placed (and not cancelled).
    pub last_order_at: Option<String>,
    /// Every order (drafts, cancelled and archived too), newest first.
    pub orders: Vec<OrderView>,
    /// The customer's service tickets, oldest first (a customer's own view has no
    /// internal comments).
    pub tickets: Vec<super::TicketView>,
}

impl PurchasesView {
    /// The view of `history` for `customer`.
    ///
    /// # Errors
    /// Only if an order's ledger sums overflow.
    pub fn new(customer: &Customer, history: &PurchaseHistory) -> ordo_core::Result<PurchasesView> {
        Ok(PurchasesView {
            customer_id: customer.id().get(),
            customer_name: customer.name().to_string(),
            order_count: history.orders.len(),
            total_spent: history.total_spent.iter().map(AmountView::new).collect(),
            average_order_value: history
                .average_order_value
                .iter()
                .map(AmountView::new)
                .collect(),
            first_order_at: history.first_order_at.map(|t| t.to_string()),
            last_order_at: history.last_order_at.map(|t| t.to_string()),
            orders: history
                .orders
                .iter()
                .map(OrderView::new)
                .collect::<ordo_core::Result<_>>()?,
            tickets: history.tickets.iter().map(super::TicketView::new).collect(),
        })
    }
}

/// What `ordo logout` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedOutView {
    /// Always true: the session is over (also if it had ended before).
    pub signed_out: bool,
}

/// The answer to a password change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChangedView {
    /// Always true (a refusal is an error); every session of the account has ended.
    pub changed: bool,
}

/// Who a request acts as (`session.get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoView {
    /// As the audit trail names them, e.g. `customer 7` or `local admin (ada)`.
    pub actor: String,
    /// Their role: `admin`, …, `customer` or `guest`.
    pub role: String,
    /// The customer id, when the actor is a customer.
    pub customer_id: Option<u64>,
}

/// A request counted within its rate limit (`rate.take`; over the limit is the
/// `rate_limited` error, with the time to wait).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakenView {
    /// Always true (a refusal is an error).
    pub allowed: bool,
}
