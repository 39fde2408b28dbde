//! `ordo sms simulate`: a correctly signed inbound text to the running service
//! (`ordo_bots::sms::simulate`), and its reply.

use ordo_api::ApiError;
use ordo_bots::config::ServeConfig;
use ordo_bots::sms::simulate::{self, Simulation};

use crate::args::{SimulateArgs, SmsCommand};
use crate::context::Refused;
use crate::render::Output;

/// Runs one `ordo sms` subcommand.
///
/// # Errors
/// A bad configuration (exit 2); the service unreachable (exit 7); a refused request
/// (403: the auth token differs from the service's).
pub fn run(out: Output, command: &SmsCommand) -> anyhow::Result<()> {
    match command {
        SmsCommand::Simulate(args) => simulate(out, args),
    }
}

fn simulate(out: Output, args: &SimulateArgs) -> anyhow::Result<()> {
    let env = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)));
    let config = ServeConfig::load(args.config.as_deref(), env).map_err(|e| {
        Refused(ApiError::bad_request(
            "invalid_configuration",
            e.to_string(),
        ))
    })?;
    let twilio = config.twilio();
    let simulation = Simulation {
        service_url: args
            .url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.listen())),
        public_url: config.public_url().map(str::to_string),
        auth_token: twilio.auth_token.as_ref().map(|t| t.expose().to_string()),
        account_sid: twilio.account_sid.clone(),
        from: args.from.clone(),
        to: args
            .to
            .clone()
            .or_else(|| twilio.from.clone())
            .unwrap_or_else(|| "+15550000000".to_string()),
        body: args.text.clone(),
    };
    let reply = simulate::send_blocking(&simulation)?;
    if reply.status == 403 {
        anyhow::bail!(
            "the service refused the text (403): its auth token is not the one configured here \
             (set ORDO_TWILIO_AUTH_TOKEN as for the service)"
        );
    }
    if reply.status >= 400 {
        anyhow::bail!("the service answered HTTP {}", reply.status);
    }
    let view = serde_json::json!({ "status": reply.status, "reply": reply.message });
    out.show(&view, || match &reply.message {
        Some(message) => message.clone(),
        None => "(no reply: the number opted out, sent too many texts, or sent STOP)".into(),
    })
}
