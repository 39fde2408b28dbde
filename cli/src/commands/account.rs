//! `ordo customer register | verify | resend-code | approve | reject | set-password`:
//! customer accounts, run as the command's actor (the local administrator may register).

use ordo_api::Request;
use ordo_api::request::{
    ConfirmContact, CustomerKey, OnCustomer, Register, Reject, ResendCode, SetPassword, Verify,
};
use ordo_core::auth::Operation;
use ordo_core::customer::{CustomerInput, CustomerStatus};
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
    let telegram_chat_id = args
        .telegram
        .as_deref()
        .map(parse::telegram_chat)
        .transpose()?;
    let request = Register {
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
        telegram_chat_id,
    };
    let view: RegistrationView = ctx.call(Request::CustomerRegister(request))?;
    let handle = view.registration_handle.clone().unwrap_or_default();
    ctx.out.show(&view, || {
        format!(
            "Registered {} as customer {} (pending verification).\n\
             A verification code was sent via {}; it is valid for 10 minutes.\n\
             Registration handle (shown only now; verify and resend need it): {}\n\
             Next: ordo customer verify {} --code CODE --login LOGIN\n\
             (Until the SMS and Telegram adapters run, `ordo outbox list` shows the message.)",
            view.customer.name, view.customer.id, view.code_sent_via, handle, handle
        )
    })
}

/// Checks the code, sets the login and password.
///
/// # Errors
/// `Validation` for a wrong code (attempts left named) or weak password (exit 3); `Rule`
/// for an expired code (exit 3); `Duplicate` login (exit 5); `NotFound` (exit 4).
pub fn verify<S: Store>(ctx: &Context<S>, args: &VerifyCodeArgs) -> anyhow::Result<()> {
    ctx.require(Operation::Register)?;
    let secret = password::choose(&format!("login {}", args.login.trim()), ctx.sign_in)?;
    let view = ctx.call(Request::CustomerVerify(Verify {
        registration: args.registration.clone(),
        code: args.code.clone(),
        login: args.login.clone(),
        password: secret,
    }))?;
    show_status(ctx, &view, "Verified")
}

/// Sends a new code.
///
/// # Errors
/// `Rule` unless pending verification (exit 3); `NotFound` (exit 4).
pub fn resend<S: Store>(ctx: &Context<S>, registration: &str) -> anyhow::Result<()> {
    let view: RegistrationView = ctx.call(Request::CustomerResendCode(ResendCode {
        registration: registration.to_string(),
    }))?;
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
    let view: CustomerView = ctx.call(Request::CustomerConfirmContact(ConfirmContact {
        customer: CustomerKey::Text(customer.to_string()),
        code: code.to_string(),
    }))?;
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
    let view = ctx.call(Request::CustomerApprove(OnCustomer {
        customer: CustomerKey::Id { id: id.get() },
    }))?;
    show_status(ctx, &view, "Approved")
}

/// Rejects a pending registration.
///
/// # Errors
/// `Validation` for a missing reason; `Rule` unless pending; `Forbidden`; `NotFound`.
pub fn reject<S: Store>(ctx: &Context<S>, customer: &str, reason: &str) -> anyhow::Result<()> {
    let id = parse::customer_id(customer)?;
    let view = ctx.call(Request::CustomerReject(Reject {
        customer: CustomerKey::Id { id: id.get() },
        reason: reason.to_string(),
    }))?;
    show_status(ctx, &view, "Rejected")
}

/// Sets a customer's login and password on their behalf.
///
/// # Errors
/// `Validation` (policy); `Duplicate` login; `Rule` for an unverified customer.
pub fn set_password<S: Store>(ctx: &Context<S>, customer: &str, login: &str) -> anyhow::Result<()> {
    let id = find(ctx, customer)?.id;
    ctx.require(Operation::ManageCustomers)?;
    let secret = password::choose(&format!("login {}", login.trim()), ctx.sign_in)?;
    let view: CustomerView = ctx.call(Request::CustomerSetPassword(SetPassword {
        customer: CustomerKey::Id { id },
        login: login.to_string(),
        password: secret,
    }))?;
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
fn show_status<S: Store>(ctx: &Context<S>, view: &CustomerView, what: &str) -> anyhow::Result<()> {
    let awaits_approval = view.status == CustomerStatus::PendingApproval.to_string();
    ctx.out.show(view, || {
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
