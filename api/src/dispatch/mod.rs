//! [`execute`]: the one place that turns a [`Request`] into engine calls and the result into
//! a [`Response`]. Each noun has its module; this one parses the envelope and finds the
//! actor.

mod catalog;
mod customers;
mod documents;
mod orders;
mod people;
mod reports;
mod returns;
mod shipments;
mod tickets;

use ordo_core::auth::Actor;
use ordo_core::error::Error;
use ordo_core::ids::{CustomerId, OrderId};
use ordo_core::store::Store;
use ordo_core::{Engine, Result};
use serde::Serialize;
use serde_json::Value;

use crate::request::{CustomerKey, OrderKey, Request};
use crate::response::{ApiError, Response};

/// The largest request accepted, in bytes (a request is a command, not a bulk upload).
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// Who is calling, as the embedding process knows it. There is no way to name a role or
/// an actor: a request acts as a signed-in user only through its `session` token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The process that opened the store (the CLI on its data directory, a host through the
    /// C API): the local administrator, recorded in the audit trail under `name`.
    Local {
        /// Who, for the audit trail (an OS user name, `pos-3`, …).
        name: String,
    },
    /// Someone reaching a service over a network: a guest unless the request carries a
    /// session.
    Remote,
}

/// A request as it arrives: the op and its arguments, plus what every request may carry.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    op: String,
    #[serde(default)]
    args: Option<Value>,
    #[serde(default)]
    extra: Option<Value>,
    #[serde(default)]
    session: Option<String>,
}

/// Parses `json` as a request and runs it: the C API, HTTP and the admin socket call this.
/// Never panics on any input: malformed JSON, an unknown op or wrong argument types are a
/// `bad_request` response (status 2).
pub fn execute_json<S: Store>(engine: &Engine<S>, caller: &Caller, json: &str) -> Response {
    if json.len() > MAX_REQUEST_BYTES {
        return Response::error(
            ApiError::bad_request(
                "request_too_large",
                format!("a request may have at most {MAX_REQUEST_BYTES} bytes"),
            ),
            None,
        );
    }
    let envelope: Envelope = match serde_json::from_str(json) {
        Ok(envelope) => envelope,
        Err(e) => {
            return Response::error(
                ApiError::bad_request("malformed_request", format!("not a request: {e}")),
                None,
            );
        }
    };
    let extra = envelope.extra.clone();
    match parse(&envelope) {
        Ok(request) => execute(engine, caller, envelope.session.as_deref(), request, extra),
        Err(error) => Response::error(error, extra),
    }
}

/// The typed request in an envelope.
fn parse(envelope: &Envelope) -> std::result::Result<Request, ApiError> {
    if !crate::request::OPS.contains(&envelope.op.as_str()) {
        return Err(ApiError::bad_request(
            "unknown_op",
            format!(
                "{:?} is not an operation (see docs/api.md)",
                envelope.op.chars().take(64).collect::<String>()
            ),
        ));
    }
    let tagged = serde_json::json!({
        "op": envelope.op,
        "args": envelope.args.clone().unwrap_or_else(|| serde_json::json!({})),
    });
    serde_json::from_value(tagged).map_err(|e| {
        ApiError::bad_request(
            "invalid_arguments",
            format!("arguments of {}: {e}", envelope.op),
        )
    })
}

/// Runs a typed request as `caller` (or as the user of `session`).
pub fn execute<S: Store>(
    engine: &Engine<S>,
    caller: &Caller,
    session: Option<&str>,
    request: Request,
    extra: Option<Value>,
) -> Response {
    let outcome = actor(engine, caller, session, &request)
        .and_then(|actor| run(engine, &actor, session, request));
    match outcome {
        Ok(value) => Response::ok(value, extra),
        Err(error) => Response::error(ApiError::from_engine(&error), extra),
    }
}

/// Who acts: the session's user, else the caller's own identity. Signing in needs no
/// actor (a bad session must not keep someone from logging in again).
fn actor<S: Store>(
    engine: &Engine<S>,
    caller: &Caller,
    session: Option<&str>,
    request: &Request,
) -> Result<Actor> {
    let signing_in = matches!(request, Request::SessionLogin(_));
    match (session, caller) {
        (Some(token), _) if !signing_in => engine.authenticate(token),
        (_, Caller::Local { name }) => Ok(Actor::local_admin(name)),
        (_, Caller::Remote) => Ok(Actor::guest()),
    }
}

fn run<S: Store>(
    engine: &Engine<S>,
    actor: &Actor,
    session: Option<&str>,
    request: Request,
) -> Result<Value> {
    let op = Op { engine, actor };
    match request {
        Request::ProductCreate(_)
        | Request::ProductUpdate(_)
        | Request::ProductGet(_)
        | Request::ProductList(_)
        | Request::ProductRestock(_)
        | Request::ProductAdjust(_) => catalog::run(&op, request),
        Request::CustomerCreate(_)
        | Request::CustomerGet(_)
        | Request::CustomerList(_)
        | Request::CustomerUpdate(_)
        | Request::CustomerConfirmContact(_)
        | Request::CustomerRegister(_)
        | Request::CustomerVerify(_)
        | Request::CustomerResendCode(_)
        | Request::CustomerApprove(_)
        | Request::CustomerReject(_)
        | Request::CustomerSetPassword(_)
        | Request::CustomerHistory(_)
        | Request::CustomerPurchases(_)
        | Request::CustomerLog(_)
        | Request::CustomerMessages(_) => customers::run(&op, request),
        Request::OrderCreate(_)
        | Request::OrderGet(_)
        | Request::OrderList(_)
        | Request::OrderAddItem(_)
        | Request::OrderSetQuantity(_)
        | Request::OrderRemoveItem(_)
        | Request::OrderSetAddress(_)
        | Request::OrderSetStatus(_)
        | Request::OrderAdvance(_)
        | Request::OrderCancel(_)
        | Request::OrderArchive(_)
        | Request::OrderRestore(_)
        | Request::OrderDiscount(_)
        | Request::OrderHistory(_)
        | Request::PaymentRecord(_)
        | Request::PaymentRefund(_)
        | Request::PaymentAuthorize(_)
        | Request::PaymentCapture(_)
        | Request::PaymentVoid(_) => orders::run(&op, request),
        Request::SessionLogin(_)
        | Request::SessionLogout(_)
        | Request::SessionGet(_)
        | Request::SessionChangePassword(_)
        | Request::AdminInit(_)
        | Request::UserAdd(_)
        | Request::UserList(_)
        | Request::UserDisable(_)
        | Request::UserSetRole(_)
        | Request::SettingsGet(_)
        | Request::SettingsSet(_)
        | Request::SettingsHistory(_)
        | Request::OutboxList(_)
        | Request::OutboxAck(_)
        | Request::OutboxRetry(_)
        | Request::RateTake(_) => people::run(&op, session, request),
        Request::TicketOpen(_)
        | Request::TicketComment(_)
        | Request::TicketAssign(_)
        | Request::TicketStatus(_)
        | Request::TicketGet(_)
        | Request::TicketList(_) => tickets::run(&op, request),
        Request::OrderShip(_) | Request::OrderShipments(_) | Request::OrderCancelUnshipped(_) => {
            shipments::run(&op, request)
        }
        Request::ReportSales(_)
        | Request::ReportSpeed(_)
        | Request::ReportCustomers(_)
        | Request::ReportStock(_) => reports::run(&op, request),
        Request::OrderInvoice(_) | Request::PickList(_) => documents::run(&op, request),
        Request::ReturnOpen(_)
        | Request::ReturnApprove(_)
        | Request::ReturnRefuse(_)
        | Request::ReturnReceive(_)
        | Request::ReturnRefund(_)
        | Request::ReturnExchange(_)
        | Request::ReturnShow(_)
        | Request::ReturnList(_) => returns::run(&op, request),
        Request::OrderCount(_) => orders::run(&op, request),
    }
}

/// The engine and the actor of one request.
struct Op<'a, S: Store> {
    engine: &'a Engine<S>,
    actor: &'a Actor,
}

impl<S: Store> Op<'_, S> {
    /// The order a key names.
    fn order_id(&self, key: &OrderKey) -> Result<OrderId> {
        match key {
            OrderKey::Id { id } | OrderKey::Number(id) => Ok(OrderId(*id)),
            OrderKey::Reference { reference } | OrderKey::Text(reference) => {
                Ok(self.engine.find_order(self.actor, reference)?.value.id())
            }
        }
    }

    /// The customer a key names (checking the actor may see them).
    fn customer(&self, key: &CustomerKey) -> Result<ordo_core::customer::Customer> {
        let engine = self.engine;
        match key {
            CustomerKey::Id { id } | CustomerKey::Number(id) => {
                engine.get_customer(self.actor, CustomerId(*id))
            }
            CustomerKey::Phone { phone } => engine.customer_by_phone(self.actor, phone),
            CustomerKey::RegistrationId { registration_id } => {
                engine.customer_by_registration_id(self.actor, registration_id)
            }
            CustomerKey::Text(text) => {
                let text = text.trim();
                if text.starts_with('+') {
                    engine.customer_by_phone(self.actor, text)
                } else if text.len() > 4
                    && text
                        .get(..4)
                        .is_some_and(|p| p.eq_ignore_ascii_case("CUS-"))
                {
                    engine.customer_by_registration_id(self.actor, text)
                } else {
                    let id = text.parse::<u64>().map_err(|_| {
                        Error::invalid(
                            "customer",
                            format!("{text:?} is not a customer id, phone (+…) or CUS-… id"),
                        )
                    })?;
                    engine.get_customer(self.actor, CustomerId(id))
                }
            }
        }
    }

    /// The customer id a key names.
    fn customer_id(&self, key: &CustomerKey) -> Result<CustomerId> {
        match key {
            CustomerKey::Id { id } | CustomerKey::Number(id) => Ok(CustomerId(*id)),
            other => Ok(self.customer(other)?.id()),
        }
    }
}

/// A view as the response value.
fn value<T: Serialize>(view: &T) -> Result<Value> {
    serde_json::to_value(view)
        .map_err(|e| Error::invalid("response", format!("cannot be rendered: {e}")))
}

/// The largest page of products, customers or messages.
pub const MAX_LIMIT: usize = 1000;

/// A page size: 50 by default, at most [`MAX_LIMIT`].
fn limit(requested: Option<usize>) -> Result<usize> {
    match requested {
        None | Some(0) => Ok(50),
        Some(n) if n <= MAX_LIMIT => Ok(n),
        Some(_) => Err(Error::invalid(
            "limit",
            format!("must be at most {MAX_LIMIT}"),
        )),
    }
}

#[cfg(test)]
mod tests;

/// A request handed to the wrong noun's module: a bug in [`run`], reported, not a panic.
fn misrouted(request: &Request) -> Error {
    Error::invalid(
        "op",
        format!(
            "{} reached the wrong dispatcher (a bug in ordo-api)",
            request.op()
        ),
    )
}
