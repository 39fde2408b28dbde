//! `ordo sms simulate`: sends a running service the inbound webhook Twilio would send for
//! a text, signed with the configured auth token exactly as Twilio signs, and reads the
//! TwiML reply back, so the SMS channel can be tried without a phone.

use std::time::Duration;

use super::{segments, signature};

/// One simulated inbound text.
#[derive(Clone)]
pub struct Simulation {
    /// Where the service listens (`http://127.0.0.1:8080`).
    pub service_url: String,
    /// The base URL Twilio would call (`public_url`), if configured; else `service_url`.
    pub public_url: Option<String>,
    /// The auth token to sign with (none: unsigned, which only a loopback service takes).
    pub auth_token: Option<String>,
    /// The account SID to name, if configured.
    pub account_sid: Option<String>,
    /// The sender's phone (E.164).
    pub from: String,
    /// The shop's number.
    pub to: String,
    /// The text.
    pub body: String,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("service_url", &self.service_url)
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

/// What the service answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedReply {
    /// The HTTP status.
    pub status: u16,
    /// The reply text (`None`: the service chose not to reply).
    pub message: Option<String>,
}

/// Why the simulation could not be run.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// The service could not be reached.
    #[error("cannot reach the service at {url}: {reason} (is `ordo serve` running there?)")]
    Unreachable {
        /// Where it was looked for.
        url: String,
        /// Why not.
        reason: String,
    },
    /// The runtime for the request could not start.
    #[error("cannot start the request: {0}")]
    Runtime(std::io::Error),
}

/// The form parameters of the simulated webhook, as Twilio names them.
pub fn params(simulation: &Simulation) -> Vec<(String, String)> {
    let sid = |prefix: &str| format!("{prefix}{:032x}", rand::random::<u128>());
    let parts = segments::count(&simulation.body).parts;
    vec![
        ("MessageSid".into(), sid("SM")),
        ("SmsSid".into(), sid("SM")),
        (
            "AccountSid".into(),
            simulation
                .account_sid
                .clone()
                .unwrap_or_else(|| format!("AC{:032x}", 0)),
        ),
        ("From".into(), simulation.from.clone()),
        ("To".into(), simulation.to.clone()),
        ("Body".into(), simulation.body.clone()),
        ("NumMedia".into(), "0".into()),
        ("NumSegments".into(), parts.to_string()),
    ]
}

/// Posts the simulated webhook and reads the reply.
///
/// # Errors
/// [`SimulateError::Unreachable`] when the service does not answer.
pub async fn send(simulation: &Simulation) -> Result<SimulatedReply, SimulateError> {
    let path = "/sms/inbound";
    let target = signature::url_for(&simulation.service_url, path);
    let signed_url = signature::url_for(
        simulation
            .public_url
            .as_deref()
            .unwrap_or(&simulation.service_url),
        path,
    );
    let params = params(simulation);
    let unreachable = |reason: String| SimulateError::Unreachable {
        url: simulation.service_url.clone(),
        reason,
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    let mut request = client.post(&target).form(&params);
    if let Some(token) = &simulation.auth_token {
        request = request.header(
            "X-Twilio-Signature",
            signature::expected(token, &signed_url, &params),
        );
    }
    let response = request
        .send()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    Ok(SimulatedReply {
        status,
        message: message_of(&body),
    })
}

/// [`send`] on a runtime of its own, for the synchronous CLI.
///
/// # Errors
/// As [`send`].
pub fn send_blocking(simulation: &Simulation) -> Result<SimulatedReply, SimulateError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(SimulateError::Runtime)?
        .block_on(send(simulation))
}

/// The text of the `<Message>` in a TwiML reply, unescaped; `None` for no message.
pub fn message_of(twiml: &str) -> Option<String> {
    let start = twiml.find("<Message>")? + "<Message>".len();
    let end = twiml[start..].find("</Message>")? + start;
    let escaped = &twiml[start..end];
    Some(
        escaped
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&#13;", "\r")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::twiml;

    #[test]
    fn a_reply_reads_back_as_it_was_written() {
        let text = "ORD-1: <shipped> & \"on its way\"\r\nnext";
        assert_eq!(message_of(&twiml::message(text)).as_deref(), Some(text));
        assert_eq!(message_of(&twiml::empty()), None);
    }
}
