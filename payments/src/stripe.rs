//! An HTTP adapter for a Stripe-shaped REST API: form-encoded PaymentIntents with
//! `capture_method=manual` (authorize), `/v1/payment_intents/{id}/capture` with
//! `amount_to_capture`, `/v1/payment_intents/{id}/cancel` (void), `/v1/refunds`. Amounts
//! in minor units, exactly; every request with the operation's `Idempotency-Key`.
//!
//! One call is one HTTP request: the client never retries by itself ([`crate::Payments`]
//! does, with the same key). The secret key never appears in a `Debug` output, an error
//! or a log line.

use std::fmt;
use std::time::Duration;

use ordo_core::money::Money;
use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::redirect::Policy;
use serde::Deserialize;

use crate::gateway::{
    AuthorizeRequest, GatewayError, GatewayReceipt, OperationKey, PaymentGateway, minor_units,
};

/// Stripe's API base.
pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";
/// How long one request may take, connection included, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// An error text from the network keeps at most this many characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// A secret (the API key, a webhook secret): no `Debug`, `Display` or `Serialize` shows it.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps `secret`.
    pub fn new(secret: impl Into<String>) -> SecretKey {
        SecretKey(secret.into())
    }

    /// The secret itself, for the one place that sends or uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where and as whom to call. `Debug` shows everything but the secret key.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// The gateway's name in ordo (`stripe`): its webhook path and ledger references.
    pub name: String,
    /// The API base: Stripe's own (`https://api.stripe.com`) unless testing against a fake.
    pub base_url: String,
    /// The secret API key, sent as the bearer token.
    pub secret_key: SecretKey,
    /// How long one request may take, connection included.
    pub timeout: Duration,
}

impl StripeConfig {
    /// A configuration named `stripe` for the real API with the default timeout.
    pub fn new(secret_key: SecretKey) -> StripeConfig {
        StripeConfig {
            name: "stripe".into(),
            base_url: DEFAULT_BASE_URL.into(),
            secret_key,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// The Stripe-shaped gateway.
#[derive(Debug)]
pub struct StripeGateway {
    config: StripeConfig,
    client: Client,
}

/// The part of a PaymentIntent or Refund answer the adapter reads.
#[derive(Deserialize)]
struct Answer {
    id: String,
    #[serde(default)]
    payment_intent: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    amount_capturable: Option<i64>,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    decline_code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl StripeGateway {
    /// A gateway for `config`.
    ///
    /// # Errors
    /// [`GatewayError::Malformed`] if the HTTP client cannot be built (no TLS roots).
    pub fn new(config: StripeConfig) -> Result<StripeGateway, GatewayError> {
        let client = Client::builder()
            .timeout(config.timeout)
            .redirect(Policy::none())
            .build()
            .map_err(|e| GatewayError::Malformed(format!("HTTP client: {e}")))?;
        Ok(StripeGateway { config, client })
    }

    fn post(
        &self,
        path: &str,
        form: &[(&str, String)],
        key: &OperationKey,
    ) -> Result<Answer, GatewayError> {
        let url = format!("{}{path}", self.config.base_url.trim_end_matches('/'));
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        tracing::debug!(path, key = key.as_str(), "payment gateway request");
        let response = self
            .client
            .post(url)
            .bearer_auth(self.config.secret_key.expose())
            .header("Idempotency-Key", key.as_str())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .map_err(|e| GatewayError::Unavailable(self.scrub(&e.without_url().to_string())))?;
        let status = response.status();
        let text = response
            .text()
            .map_err(|e| GatewayError::Unavailable(self.scrub(&e.without_url().to_string())))?;
        if status.is_success() {
            return serde_json::from_str(&text)
                .map_err(|e| GatewayError::Malformed(format!("{path}: {e}")));
        }
        Err(self.failure(status, &text))
    }

    fn failure(&self, status: StatusCode, text: &str) -> GatewayError {
        let body = serde_json::from_str::<ErrorAnswer>(text)
            .ok()
            .map(|a| a.error);
        let message = self.scrub(
            body.as_ref()
                .and_then(|b| b.message.as_deref())
                .unwrap_or(status.canonical_reason().unwrap_or("error")),
        );
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return GatewayError::Unavailable(format!("{status}: {message}"));
        }
        let card_error = body
            .as_ref()
            .is_some_and(|b| b.kind.as_deref() == Some("card_error"));
        if status == StatusCode::PAYMENT_REQUIRED || card_error {
            let code = body
                .as_ref()
                .and_then(|b| b.decline_code.clone().or_else(|| b.code.clone()))
                .unwrap_or_else(|| "card_declined".into());
            return GatewayError::Declined { code, message };
        }
        GatewayError::Refused {
            status: status.as_u16(),
            message,
        }
    }

    /// `text` without the secret key, cut to a line's length.
    fn scrub(&self, text: &str) -> String {
        let secret = self.config.secret_key.expose();
        let clean = if secret.is_empty() {
            text.to_string()
        } else {
            text.replace(secret, "<redacted>")
        };
        clean.chars().take(MAX_MESSAGE_CHARS).collect()
    }

    fn intent_path(payment_id: &str, action: &str) -> Result<String, GatewayError> {
        // An id goes into a path: only the characters Stripe's ids have.
        if payment_id.is_empty()
            || !payment_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(GatewayError::Malformed(format!(
                "payment id {payment_id:?}"
            )));
        }
        Ok(format!("/v1/payment_intents/{payment_id}/{action}"))
    }
}

impl PaymentGateway for StripeGateway {
    fn name(&self) -> &str {
        &self.config.name
    }

    fn is_manual(&self) -> bool {
        false
    }

    fn authorize(&self, request: &AuthorizeRequest<'_>) -> Result<GatewayReceipt, GatewayError> {
        let form = [
            ("amount", minor_units(&request.amount)?.to_string()),
            (
                "currency",
                request.amount.currency().code().to_ascii_lowercase(),
            ),
            ("capture_method", "manual".into()),
            ("confirm", "true".into()),
            ("payment_method", request.payment_method.to_string()),
            ("metadata[ordo_order]", request.order.get().to_string()),
        ];
        let answer = self.post("/v1/payment_intents", &form, request.key)?;
        match answer.status.as_deref() {
            Some("requires_capture") => Ok(GatewayReceipt {
                payment_id: answer.id,
                rest_released: false,
            }),
            // A confirmation that needs the customer (3-D Secure) or failed is not a hold.
            other => Err(GatewayError::Declined {
                code: other.unwrap_or("unknown").to_string(),
                message: "the payment was not authorized".into(),
            }),
        }
    }

    fn capture(
        &self,
        payment_id: &str,
        amount: &Money,
        key: &OperationKey,
    ) -> Result<GatewayReceipt, GatewayError> {
        let form = [("amount_to_capture", minor_units(amount)?.to_string())];
        let answer = self.post(&Self::intent_path(payment_id, "capture")?, &form, key)?;
        // Stripe releases what a partial capture leaves (no multicapture here).
        Ok(GatewayReceipt {
            payment_id: answer.id,
            rest_released: answer.amount_capturable.unwrap_or(0) == 0,
        })
    }

    fn void(&self, payment_id: &str, key: &OperationKey) -> Result<GatewayReceipt, GatewayError> {
        let answer = self.post(&Self::intent_path(payment_id, "cancel")?, &[], key)?;
        Ok(GatewayReceipt {
            payment_id: answer.id,
            rest_released: true,
        })
    }

    fn refund(
        &self,
        payment_id: &str,
        amount: &Money,
        key: &OperationKey,
    ) -> Result<GatewayReceipt, GatewayError> {
        Self::intent_path(payment_id, "refund")?;
        let form = [
            ("payment_intent", payment_id.to_string()),
            ("amount", minor_units(amount)?.to_string()),
        ];
        let answer = self.post("/v1/refunds", &form, key)?;
        Ok(GatewayReceipt {
            payment_id: answer.payment_intent.unwrap_or(answer.id),
            rest_released: false,
        })
    }
}
