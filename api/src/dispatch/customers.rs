//! `customer.*`: records, registration, accounts, purchases and the communication log.

use ordo_core::Result;
use ordo_core::customer::{Customer, CustomerInput, CustomerKind};
use ordo_core::engine::{RegistrationRequest, VerifyRequest};
use ordo_core::ids::CustomerId;
use ordo_core::message::{CommMessage, Direction, MessageChannel};
use ordo_core::registration::Channel;
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, limit, value};
use crate::request::{CustomerUpdate, Request};
use crate::views::{
    AuditEntryView, CustomerView, ListView, MessageView, PurchasesView, RegistrationView,
};

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    match request {
        Request::CustomerCreate(input) => view(&engine.create_customer(actor, &input)?),
        Request::CustomerGet(key) => view(&op.customer(&key)?),
        Request::CustomerList(args) => {
            let page = engine.list_customers(
                actor,
                args.name.as_deref(),
                args.after.map(CustomerId),
                limit(args.limit)?,
            )?;
            let items = page.items.iter().map(CustomerView::new).collect();
            value(&ListView::new(&page, items))
        }
        Request::CustomerUpdate(patch) => {
            let current = op.customer(&patch.customer)?;
            let input = patched(&current, &patch);
            view(&engine.update_customer(actor, current.id(), &input)?)
        }
        Request::CustomerConfirmContact(args) => {
            let id = op.customer_id(&args.customer)?;
            view(&engine.confirm_contact_change(actor, id, &args.code)?)
        }
        Request::CustomerRegister(args) => {
            let channel = match args.telegram_chat_id {
                Some(chat_id) => Channel::Telegram { chat_id },
                None => Channel::Sms,
            };
            let registration = engine.register_customer(
                actor,
                &RegistrationRequest {
                    customer: args.customer,
                    channel,
                },
            )?;
            value(
                &RegistrationView::new(&registration.customer)
                    .with_handle(registration.handle.reveal()),
            )
        }
        Request::CustomerVerify(args) => view(&engine.verify_customer(
            actor,
            &VerifyRequest {
                registration: args.registration,
                code: args.code,
                login: args.login,
                password: args.password,
            },
        )?),
        Request::CustomerResendCode(args) => value(&RegistrationView::new(
            &engine.resend_verification(actor, &args.registration)?,
        )),
        Request::CustomerApprove(args) => {
            let id = op.customer_id(&args.customer)?;
            view(&engine.approve_customer(actor, id)?)
        }
        Request::CustomerReject(args) => {
            let id = op.customer_id(&args.customer)?;
            view(&engine.reject_customer(actor, id, &args.reason)?)
        }
        Request::CustomerSetPassword(args) => {
            let id = op.customer_id(&args.customer)?;
            view(&engine.set_customer_credentials(actor, id, &args.login, &args.password)?)
        }
        Request::CustomerHistory(args) => {
            let id = op.customer_id(&args.customer)?;
            let entries = engine.customer_history(actor, id)?;
            value(&entries.iter().map(AuditEntryView::new).collect::<Vec<_>>())
        }
        Request::CustomerPurchases(args) => {
            let customer = op.customer(&args.customer)?;
            let history = engine.purchase_history(actor, customer.id())?;
            value(&PurchasesView::new(&customer, &history)?)
        }
        Request::CustomerLog(args) => {
            let id = op.customer_id(&args.customer)?;
            let channel = MessageChannel::parse(args.channel.as_deref().unwrap_or("note"))?;
            let direction = Direction::parse(args.direction.as_deref().unwrap_or("out"))?;
            let order = match &args.order {
                Some(key) => Some(op.order_id(key)?),
                None => None,
            };
            let message = engine.log_message(actor, id, channel, direction, &args.text, order)?;
            value(&message_view(op, &message)?)
        }
        Request::CustomerMessages(args) => {
            let id = op.customer_id(&args.customer)?;
            let messages = engine.messages(actor, id, limit(args.limit)?)?;
            let views = messages
                .iter()
                .map(|m| message_view(op, m))
                .collect::<Result<Vec<_>>>()?;
            value(&views)
        }
        other => Err(super::misrouted(&other)),
    }
}

fn view(customer: &Customer) -> Result<Value> {
    value(&CustomerView::new(customer))
}

/// A logged message with the reference of the order it is about.
fn message_view<S: Store>(op: &Op<'_, S>, message: &CommMessage) -> Result<MessageView> {
    let reference = match message.order {
        Some(order) => op
            .engine
            .get_order(op.actor, order)?
            .value
            .reference()
            .map(|r| r.to_string()),
        None => None,
    };
    Ok(MessageView::new(message, reference))
}

/// The customer's details with the fields `patch` names replaced.
fn patched(current: &Customer, patch: &CustomerUpdate) -> CustomerInput {
    let business = match current.kind() {
        CustomerKind::B2C => None,
        CustomerKind::B2B { company, tax_id } => Some((company.clone(), tax_id.clone())),
    };
    let business = match (&patch.company, &patch.tax_id) {
        (None, None) => business,
        (company, tax_id) => {
            let (old_company, old_tax_id) = business.unwrap_or_default();
            Some((
                company.clone().unwrap_or(old_company),
                tax_id.clone().unwrap_or(old_tax_id),
            ))
        }
    };
    CustomerInput {
        name: patch
            .name
            .clone()
            .unwrap_or_else(|| current.name().to_string()),
        business,
        phone: patch
            .phone
            .clone()
            .unwrap_or_else(|| current.phone().to_string()),
        email: patch
            .email
            .clone()
            .unwrap_or_else(|| current.email().to_string()),
        addresses: patch
            .addresses
            .clone()
            .unwrap_or_else(|| current.addresses().iter().map(|a| a.to_input()).collect()),
    }
}
