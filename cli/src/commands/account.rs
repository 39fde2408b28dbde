//! `ordo customer register | verify | resend-code | approve | reject | set-password`:
//! customer accounts, run as the command's actor (the local administrator may register).

use ordo_core::auth::Operation;
use ordo_core::customer::{Customer, CustomerInput, CustomerStatus};
use ordo_core::engine::{RegistrationRequest, VerifyRequest};
use ordo_core::registration::Channel;
use ordo_core::store::Store;

use crate::args::{RegisterArgs, VerifyCodeArgs};
use crate::context::Context;
use crate::parse;
use crate::password;
use crate::render::views::{CustomerView, RegistrationView};

use super::customer::find;

/// Registers a customer; a code goes out by SMS or Telegram.
///
/// # Errors
/// `Validation` (exit 3); `Duplicate` phone or email (exit 5); `Forbidden` (exit 6).
pub fn register<S: Store>(ctx: &Context<S>, args: RegisterArgs) -> anyhow::Result<()> {
    let channel = match &args.telegram {
        Some(chat) => Channel::Telegram {
            chat_id: parse::telegram_chat(chat)?,
        },
        None => Channel::Sms,
    };
    let request = RegistrationRequest {
        customer: CustomerInput {
            name: args.name,
            business: args.company.zip(args.tax_id),
            phone: args.phone,
            email: args.email,
            addresses: args
                .addresses
                .iter()
                .map(|a| parse::address(a))
                .collect::<ordo_core::Result<_>>()?,
        },
        channel,
    };
    let registration = ctx.engine.register_customer(&ctx.actor, &request)?;
    let view =
        RegistrationView::new(&registration.customer).with_handle(registration.handle.reveal());
    ctx.out.show(&view, || {
        format!(
            "Registered {} as customer {} (pending verification).\n\
             A verification code was sent via {}; it is valid for 10 minutes.\n\
             Registration handle (shown only now; verify and resend need it): {}\n\
             Next: ordo customer verify {} --code CODE --login LOGIN\n\
             (Until the SMS and Telegram adapters run, `ordo outbox list` shows the message.)",
            view.customer.name,
            view.customer.id,
            view.code_sent_via,
            registration.handle.reveal(),
            registration.handle.reveal()
        )
    })
}

/// Checks the code, sets the login and password.
///
/// # Errors
/// `Validation` for a wrong code (attempts left named) or weak password (exit 3); `Rule`
/// for an expired code (exit 3); `Duplicate` login (exit 5); `NotFound` (exit 4).
pub fn verify<S: Store>(ctx: &Context<S>, args: &VerifyCodeArgs) -> anyhow::Result<()> {
    ctx.actor.require(Operation::Register)?;
    let secret = password::choose(&format!("login {}", args.login.trim()), ctx.sign_in)?;
    let request = VerifyRequest {
        registration: args.registration.clone(),
        code: args.code.clone(),
        login: args.login.clone(),
        password: secret,
    };
    let customer = ctx.engine.verify_customer(&ctx.actor, &request)?;
    show_status(ctx, &customer, "Verified")
}

/// Sends a new code.
///
/// # Errors
/// `Rule` unless pending verification (exit 3); `NotFound` (exit 4).
pub fn resend<S: Store>(ctx: &Context<S>, registration: &str) -> anyhow::Result<()> {
    let customer = ctx.engine.resend_verification(&ctx.actor, registration)?;
    let view = RegistrationView::new(&customer);
    ctx.out.show(&view, || {
        format!(
            "Sent a new verification code to customer {} via {}; the old code no longer works.",
            view.customer.id, view.code_sent_via
        )
    })
}

/// Confirms a new phone or email with the code sent to it.
///
/// # Errors
/// `Validation` for a wrong code (exit 3); `Rule` with no change pending (exit 3);
/// `Forbidden` unless the customer themselves (exit 6).
pub fn confirm_contact<S: Store>(
    ctx: &Context<S>,
    customer: &str,
    code: &str,
) -> anyhow::Result<()> {
    let id = find(ctx, customer)?.id();
    let customer = ctx.engine.confirm_contact_change(&ctx.actor, id, code)?;
    let view = CustomerView::new(&customer);
    ctx.out.show(&view, || {
        format!(
            "Confirmed: customer {} now has phone {} and email {}.",
            view.id, view.phone, view.email
        )
    })
}

/// Approves a business registration.
///
/// # Errors
/// `Rule` unless pending approval (exit 3); `Forbidden` (exit 6); `NotFound` (exit 4).
pub fn approve<S: Store>(ctx: &Context<S>, customer: &str) -> anyhow::Result<()> {
    let id = parse::customer_id(customer)?;
    let customer = ctx.engine.approve_customer(&ctx.actor, id)?;
    show_status(ctx, &customer, "Approved")
}

/// Rejects a pending registration.
///
/// # Errors
/// `Validation` for a missing reason; `Rule` unless pending; `Forbidden`; `NotFound`.
pub fn reject<S: Store>(ctx: &Context<S>, customer: &str, reason: &str) -> anyhow::Result<()> {
    let id = parse::customer_id(customer)?;
    let customer = ctx.engine.reject_customer(&ctx.actor, id, reason)?;
    show_status(ctx, &customer, "Rejected")
}

/// Sets a customer's login and password on their behalf.
///
/// # Errors
/// `Validation` (policy); `Duplicate` login; `Rule` for an unverified customer.
pub fn set_password<S: Store>(ctx: &Context<S>, customer: &str, login: &str) -> anyhow::Result<()> {
    let id = find(ctx, customer)?.id();
    ctx.actor.require(Operation::ManageCustomers)?;
    let secret = password::choose(&format!("login {}", login.trim()), ctx.sign_in)?;
    let customer = ctx
        .engine
        .set_customer_credentials(&ctx.actor, id, login, &secret)?;
    let view = CustomerView::new(&customer);
    ctx.out.show(&view, || {
        format!(
            "Set the login {} and a new password for {} (customer {}); their sessions have ended.",
            view.login.as_deref().unwrap_or(login),
            view.name,
            view.id
        )
    })
}

/// Prints a customer after a status change: `{what} … now STATUS`, Registration ID.
fn show_status<S: Store>(ctx: &Context<S>, customer: &Customer, what: &str) -> anyhow::Result<()> {
    let view = CustomerView::new(customer);
    let awaits_approval = customer.status() == CustomerStatus::PendingApproval;
    ctx.out.show(&view, || {
        let mut text = format!(
            "{what} customer {} ({}): now {}.",
            view.id, view.name, view.status
        );
        if awaits_approval {
            text.push_str(&format!(
                "\nA business account waits for staff approval: ordo customer approve {}",
                view.id
            ));
        } else if let Some(registration) = &view.registration_id {
            text.push_str(&format!("\nRegistration ID: {registration}"));
        }
        if let Some(login) = &view.login {
            text.push_str(&format!("\nLogin: {login}"));
        }
        text
    })
}
