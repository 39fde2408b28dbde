//! Form helpers: fields that show the API error naming them, with the input kept.

use std::collections::HashMap;

use axum::http::StatusCode;
use maud::{Markup, html};
use ordo_api::ApiError;

/// A submitted form: field name → value (the last one wins).
pub(crate) type Fields = HashMap<String, String>;

/// What a submitted form led to: the error (if any) and the input to show again.
#[derive(Debug, Default, Clone)]
pub(crate) struct Outcome {
    /// Which form the error belongs to (`ship`, `pay`, …).
    pub form: String,
    /// The input as it was sent.
    pub input: Fields,
    /// The refusal.
    pub error: Option<ApiError>,
}

impl Outcome {
    /// The kept input of `name` for `form` (empty for another form).
    pub fn value(&self, form: &str, name: &str) -> String {
        if self.form == form {
            self.input.get(name).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }

    /// The message for field `name` of `form`, when the error names it.
    pub fn field_error(&self, form: &str, name: &str) -> Option<&str> {
        let error = self.error.as_ref().filter(|_| self.form == form)?;
        (error.field.as_deref() == Some(name)).then_some(error.message.as_str())
    }

    /// The message of an error of `form` that names no field of it (shown above it).
    pub fn form_error(&self, form: &str, fields: &[&str]) -> Option<&str> {
        let error = self.error.as_ref().filter(|_| self.form == form)?;
        match &error.field {
            Some(field) if fields.contains(&field.as_str()) => None,
            _ => Some(error.message.as_str()),
        }
    }
}

/// A labelled input with its error under it.
pub(crate) fn field(
    outcome: &Outcome,
    form: &str,
    name: &str,
    label: &str,
    kind: &str,
    fallback: &str,
) -> Markup {
    let kept = outcome.value(form, name);
    let value = if kept.is_empty() { fallback } else { &kept };
    let error = outcome.field_error(form, name);
    html! {
        label {
            (label)
            input type=(kind) name=(name) value=(value) aria-invalid=[error.map(|_| "true")];
            @if let Some(message) = error { span.error { (message) } }
        }
    }
}

/// A refusal above a form.
pub(crate) fn alert(message: Option<&str>) -> Markup {
    html! { @if let Some(message) = message { p.alert role="alert" { (message) } } }
}

/// The sign-in form (portal and console alike): its error, login kept, password never.
pub(crate) fn sign_in(outcome: &Outcome, csrf: &str, action: &str) -> Markup {
    html! {
        (alert(outcome.form_error("signin", &["login", "password"])))
        form.stack method="post" action=(action) {
            (crate::layout::csrf_field(csrf))
            (field(outcome, "signin", "login", "Login", "text", ""))
            label { "Password" input type="password" name="password" autocomplete="current-password"; }
            button type="submit" { "Sign in" }
        }
    }
}

/// The HTTP status of a refusal (the table of `POST /api/v1`).
pub(crate) fn status_of(error: &ApiError) -> StatusCode {
    ordo_bots::http::http_status(&ordo_api::Response::error(error.clone(), None))
}
