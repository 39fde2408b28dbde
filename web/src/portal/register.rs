//! Registration with verification: `GET/POST /register` (the form: name, phone, email,
//! consumer or business with company and tax id, a default address, login and password)
//! → `customer.register` (the engine sends a code by SMS through the notification
//! deliveries) → `GET/POST /register/code` (the code) → `customer.verify` → a consumer is
//! signed in and sees their Registration ID at `/register/welcome`; a business waits for
//! staff approval. `POST /register/resend` asks for a new code (the engine's cooldown and
//! cap apply).
//!
//! The registration handle and the chosen password stay server-side ([`Pending`]); the
//! visitor's `ordo_registration` cookie holds only a random key to them. The handlers only
//! carry input to the engine and show what it answers: the rules (what a valid phone or
//! password is, how many codes, when they expire) are the engine's.

use std::net::SocketAddr;
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, Extension, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use ordo_api::request::{CustomerKey, Register, ResendCode, Verify};
use ordo_api::views::{CustomerView, RegistrationView};
use ordo_api::{ApiError, Outcome as Answer, Request};
use ordo_core::credentials::{LoginId, MIN_PASSWORD_CHARS, Password};
use ordo_core::customer::{AddressInput, CustomerInput};
use ordo_core::store::Store;
use serde::Deserialize;

use crate::form::{self, Fields, Outcome, alert, field};
use crate::layout::{csrf_field, respond, see_other};
use crate::signin::{self, Side};
use crate::state::WebState;
use crate::{call, cookies, csrf};

use super::pending::{Hidden, Pending, TTL, Waiting};
use super::{Visitor, page, visitor};

/// The registration routes, with their own map of waiting registrations.
pub(crate) fn routes<S: Store + Send + Sync + 'static>() -> Router<WebState<S>> {
    Router::new()
        .route("/register", get(form::<S>).post(submit::<S>))
        .route("/register/code", get(code_page::<S>).post(verify::<S>))
        .route("/register/resend", post(resend::<S>))
        .route("/register/welcome", get(welcome::<S>))
        .layer(Extension(Pending::default()))
}

/// The form input a field named by the engine belongs to (the engine names fields in
/// words: `customer name`, `postal code`, `login id`, …).
fn input_name(field: &str) -> &str {
    match field {
        "customer name" | "recipient" => "name",
        "company name" => "company",
        "tax id" => "tax_id",
        "address" | "addresses" | "address line 1" => "line1",
        "address line 2" => "line2",
        "postal code" => "postal_code",
        "login id" => "login",
        "verification code" => "code",
        other => other,
    }
}

/// A refusal of `form`, its field renamed to the form's input, with the input kept (the
/// password never).
fn refused(form: &str, mut input: Fields, mut error: ApiError) -> Outcome {
    error.field = error.field.map(|f| input_name(&f).to_string());
    input.remove("password");
    Outcome {
        form: form.to_string(),
        input,
        error: Some(error),
    }
}

fn text(fields: &Fields, name: &str) -> String {
    fields.get(name).cloned().unwrap_or_default()
}

/// The refusal of the per-peer registration limit, if `peer` is over it (the bucket
/// `POST /api/v1` uses for the same ops).
async fn over_limit<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    peer: SocketAddr,
    op: &str,
) -> Option<ApiError> {
    let refused = ordo_bots::http::limit(&web.app, peer.ip(), Some(op)).await?;
    Some(match refused.outcome {
        Answer::Error(error) => error,
        Answer::Ok(_) => ApiError::bad_request("rate_limited", "try again later"),
    })
}

/// The login and password the visitor chose, checked by the engine's own rules before
/// anything is registered (so a weak password is named next to its field at once, not
/// after the code).
fn chosen_login(fields: &Fields) -> Result<(String, Hidden), ApiError> {
    let login = text(fields, "login");
    let password = text(fields, "password");
    let parsed = LoginId::parse(&login).map_err(|e| ApiError::from_engine(&e))?;
    Password::new(&parsed, &password).map_err(|e| ApiError::from_engine(&e))?;
    Ok((login, Hidden::new(password)))
}

/// `GET /register`.
pub(crate) async fn form<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_some() {
        return see_other("/", Vec::new());
    }
    render_form(&visitor, &Outcome::default(), StatusCode::OK)
}

fn render_form(visitor: &Visitor, outcome: &Outcome, status: StatusCode) -> Response {
    const FIELDS: [&str; 13] = [
        "name",
        "phone",
        "email",
        "kind",
        "company",
        "tax_id",
        "line1",
        "line2",
        "city",
        "region",
        "postal_code",
        "country",
        "login",
    ];
    let business = outcome.value("register", "kind") == "b2b";
    let password_error = outcome.field_error("register", "password");
    let body = html! {
        h1 { "Create an account" }
        p { "We send a 6-digit code to your phone to check it is yours." }
        (alert(outcome.form_error("register", &[&FIELDS[..], &["password"]].concat())))
        form.stack #register-form method="post" action="/register" {
            (csrf_field(&visitor.csrf))
            (field(outcome, "register", "name", "Full name", "text", ""))
            (field(outcome, "register", "phone", "Mobile phone (with country code, e.g. +44…)", "tel", ""))
            (field(outcome, "register", "email", "Email", "email", ""))
            fieldset {
                legend { "Account" }
                label.inline { input type="radio" name="kind" value="b2c" checked[!business]; " Personal" }
                label.inline { input type="radio" name="kind" value="b2b" checked[business]; " Business (staff approve it)" }
                (field(outcome, "register", "company", "Company (business accounts)", "text", ""))
                (field(outcome, "register", "tax_id", "Tax id (business accounts)", "text", ""))
            }
            fieldset {
                legend { "Delivery address" }
                (field(outcome, "register", "line1", "Street and number", "text", ""))
                (field(outcome, "register", "line2", "Apartment, floor (optional)", "text", ""))
                (field(outcome, "register", "city", "City", "text", ""))
                (field(outcome, "register", "region", "State or county (optional)", "text", ""))
                (field(outcome, "register", "postal_code", "Postal code", "text", ""))
                (field(outcome, "register", "country", "Country (two letters, e.g. US)", "text", ""))
            }
            fieldset {
                legend { "Sign-in" }
                (field(outcome, "register", "login", "Login", "text", ""))
                label {
                    "Password (at least " (MIN_PASSWORD_CHARS) " characters)"
                    input type="password" name="password" autocomplete="new-password" aria-invalid=[password_error.map(|_| "true")];
                    @if let Some(message) = password_error { span.error { (message) } }
                }
            }
            button type="submit" { "Register" }
        }
        p { "Already have an account? " a href="/signin" { "Sign in" } }
    };
    respond(status, page("Register", visitor, body))
}

/// The customer input of the registration form.
fn customer_input(fields: &Fields) -> CustomerInput {
    let name = text(fields, "name");
    let business =
        (text(fields, "kind") == "b2b").then(|| (text(fields, "company"), text(fields, "tax_id")));
    CustomerInput {
        name: name.clone(),
        business,
        phone: text(fields, "phone"),
        email: text(fields, "email"),
        addresses: vec![AddressInput {
            recipient: name,
            line1: text(fields, "line1"),
            line2: text(fields, "line2"),
            city: text(fields, "city"),
            region: text(fields, "region"),
            postal_code: text(fields, "postal_code"),
            country: text(fields, "country"),
        }],
    }
}

/// `POST /register`.
pub(crate) async fn submit<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(pending): Extension<Pending>,
    Extension(token): Extension<csrf::Token>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_some() {
        return see_other("/", Vec::new());
    }
    let registered = async {
        let (login, password) = chosen_login(&fields)?;
        if let Some(error) = over_limit(&web, peer, "customer.register").await {
            return Err(error);
        }
        let request = Request::CustomerRegister(Register {
            customer: customer_input(&fields),
            telegram_chat_id: None,
        });
        let view: RegistrationView = call::view(&web, None, request).await?;
        let handle = view
            .registration_handle
            .ok_or_else(|| internal("the registration came back without its handle"))?;
        let waiting = Waiting {
            handle: Hidden::new(handle),
            login,
            password,
            sent_via: view.code_sent_via,
            phone: view.customer.phone,
            expires: Instant::now() + TTL,
        };
        pending
            .insert(waiting)
            .ok_or_else(|| busy("too many registrations are waiting: try again in a while"))
    }
    .await;
    match registered {
        Ok(key) => {
            let cookie = cookies::set(cookies::REGISTRATION, &key, web.secure_cookies);
            see_other("/register/code", cookie.into_iter().collect())
        }
        Err(error) => {
            let status = form::status_of(&error);
            render_form(&visitor, &refused("register", fields, error), status)
        }
    }
}

fn internal(message: &str) -> ApiError {
    ApiError {
        code: "internal".to_string(),
        kind: "internal".to_string(),
        field: None,
        message: message.to_string(),
    }
}

fn busy(message: &str) -> ApiError {
    ApiError {
        code: "rate_limited".to_string(),
        kind: "conflict".to_string(),
        field: None,
        message: message.to_string(),
    }
}

/// The waiting registration of the visitor's cookie and its key.
fn waiting(pending: &Pending, headers: &HeaderMap) -> Option<(String, Waiting)> {
    let key = cookies::get(headers, cookies::REGISTRATION)?;
    let waiting = pending.get(&key)?;
    Some((key, waiting))
}

/// `?resent=1` after a new code was sent.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Resent {
    resent: Option<String>,
}

/// `GET /register/code`.
pub(crate) async fn code_page<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(pending): Extension<Pending>,
    Extension(token): Extension<csrf::Token>,
    Query(resent): Query<Resent>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    let Some((_, waiting)) = waiting(&pending, &headers) else {
        return see_other("/register", Vec::new());
    };
    let notice = resent
        .resent
        .is_some()
        .then_some("A new code is on its way.");
    render_code(
        &visitor,
        &waiting,
        &Outcome::default(),
        notice,
        StatusCode::OK,
    )
}

fn render_code(
    visitor: &Visitor,
    waiting: &Waiting,
    outcome: &Outcome,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    // The engine refused the login or password only when verifying (a login taken
    // meanwhile): ask for them again beside the code.
    let choose_again = matches!(
        outcome.error.as_ref().and_then(|e| e.field.as_deref()),
        Some("login" | "password")
    );
    let password_error = outcome.field_error("verify", "password");
    let body = html! {
        h1 { "Enter your code" }
        @if let Some(notice) = notice { p.notice role="status" { (notice) } }
        p { "We sent a 6-digit code by " (waiting.sent_via) " to " strong { (waiting.phone) } "." }
        (alert(outcome.form_error("verify", &["code", "login", "password"])))
        form.stack #code-form method="post" action="/register/code" {
            (csrf_field(&visitor.csrf))
            label {
                "Code"
                input type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="6" aria-invalid=[outcome.field_error("verify", "code").map(|_| "true")];
                @if let Some(message) = outcome.field_error("verify", "code") { span.error { (message) } }
            }
            @if choose_again {
                (field(outcome, "verify", "login", "Login", "text", &waiting.login))
                label {
                    "Password"
                    input type="password" name="password" autocomplete="new-password" aria-invalid=[password_error.map(|_| "true")];
                    @if let Some(message) = password_error { span.error { (message) } }
                }
            }
            button type="submit" { "Verify" }
        }
        form.inline #resend-form method="post" action="/register/resend" {
            (csrf_field(&visitor.csrf))
            "No code? "
            button type="submit" { "Send a new code" }
        }
    };
    respond(status, page("Enter your code", visitor, body))
}

/// `POST /register/code`.
pub(crate) async fn verify<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(pending): Extension<Pending>,
    Extension(token): Extension<csrf::Token>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    let Some((key, mut waiting)) = waiting(&pending, &headers) else {
        return see_other("/register", Vec::new());
    };
    let verified = async {
        if fields.contains_key("login") {
            let (login, password) = chosen_login(&fields)?;
            pending.set_login(&key, login.clone(), password.clone());
            waiting.login = login;
            waiting.password = password;
        }
        if let Some(error) = over_limit(&web, peer, "customer.verify").await {
            return Err(error);
        }
        let request = Request::CustomerVerify(Verify {
            registration: waiting.handle.reveal().to_string(),
            code: text(&fields, "code").trim().to_string(),
            login: waiting.login.clone(),
            password: waiting.password.reveal().to_string(),
        });
        call::view::<S, CustomerView>(&web, None, request).await
    }
    .await;
    let customer = match verified {
        Ok(customer) => customer,
        Err(error) if error.kind == "not_found" => {
            // Lapsed or finished: nothing left to verify here.
            pending.remove(&key);
            let status = form::status_of(&error);
            let mut error = error;
            error.message =
                "this registration has expired or is finished: please register again".into();
            return render_form(&visitor, &refused("register", Fields::new(), error), status);
        }
        Err(error) => {
            let status = form::status_of(&error);
            return render_code(
                &visitor,
                &waiting,
                &refused("verify", fields, error),
                None,
                status,
            );
        }
    };
    pending.remove(&key);
    let mut set: Vec<HeaderValue> = cookies::clear(cookies::REGISTRATION, web.secure_cookies)
        .into_iter()
        .collect();
    if customer.status != "active" {
        // A business account: staff approve it before it may sign in.
        return waiting_for_approval(&visitor, &customer, set);
    }
    let login = waiting.login.clone();
    let password = waiting.password.reveal().to_string();
    match signin::sign_in(&web, peer.ip(), Side::Portal, login, password).await {
        Ok(signed) => {
            set.extend(signed);
            see_other("/register/welcome", set)
        }
        // Verified, but the sign-in was refused (its rate limit): say so and show the ID.
        Err(error) => {
            let body = html! {
                h1 { "Your account is ready" }
                (registration_id(&customer))
                p.alert role="alert" { (error.message) }
                p { a href="/signin" { "Sign in" } }
            };
            with_cookies(
                respond(StatusCode::OK, page("Account ready", &visitor, body)),
                set,
            )
        }
    }
}

fn registration_id(customer: &CustomerView) -> Markup {
    html! {
        @if let Some(id) = &customer.registration_id {
            p { "Your Registration ID is " strong.reference #registration-id { (id) } ". Quote it when you call us." }
        }
    }
}

fn waiting_for_approval(
    visitor: &Visitor,
    customer: &CustomerView,
    set: Vec<HeaderValue>,
) -> Response {
    let body = html! {
        h1 { "Thank you, " (customer.name) }
        p.notice role="status" #approval {
            "Your phone is confirmed. Your business account for " (customer.company.clone().unwrap_or_default())
            " is waiting for approval: we will let you know, and you can sign in once it is approved."
        }
    };
    with_cookies(
        respond(StatusCode::OK, page("Waiting for approval", visitor, body)),
        set,
    )
}

fn with_cookies(mut response: Response, set: Vec<HeaderValue>) -> Response {
    for cookie in set {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

/// `POST /register/resend`.
pub(crate) async fn resend<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(pending): Extension<Pending>,
    Extension(token): Extension<csrf::Token>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    let Some((_, waiting)) = waiting(&pending, &headers) else {
        return see_other("/register", Vec::new());
    };
    let sent = async {
        if let Some(error) = over_limit(&web, peer, "customer.resend_code").await {
            return Err(error);
        }
        let request = Request::CustomerResendCode(ResendCode {
            registration: waiting.handle.reveal().to_string(),
        });
        call::value(&web, None, request).await.map(drop)
    }
    .await;
    match sent {
        Ok(()) => see_other("/register/code?resent=1", Vec::new()),
        Err(error) => {
            let status = form::status_of(&error);
            let outcome = Outcome {
                form: "verify".to_string(),
                input: Fields::new(),
                error: Some(error),
            };
            render_code(&visitor, &waiting, &outcome, None, status)
        }
    }
}

/// `GET /register/welcome`: the new customer, signed in, with their Registration ID.
pub(crate) async fn welcome<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    let Some(id) = visitor.customer_id() else {
        return see_other("/signin", Vec::new());
    };
    let me: Result<CustomerView, _> = call::view(
        &web,
        visitor.token(),
        Request::CustomerGet(CustomerKey::Id { id }),
    )
    .await;
    let body = match me {
        Ok(me) => html! {
            h1 { "Welcome, " (me.name) }
            p.notice role="status" { "Your account is active and you are signed in." }
            (registration_id(&me))
            p { a href="/" { "Browse the catalog" } }
        },
        Err(error) => html! { h1 { "Welcome" } p.alert { (error.message) } },
    };
    respond(StatusCode::OK, page("Welcome", &visitor, body))
}
