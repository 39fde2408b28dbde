//! The SMS dispatcher's [`Sender`]: a delivery to a phone goes out through the Twilio
//! REST client; its errors are sorted into what the dispatcher does next.

use ordo_core::delivery::{DeliveryChannel, Recipient};

use super::twilio::{SendError, TwilioClient};
use crate::notify::{SendFailure, SendFuture, Sender, Sent};

/// Sends SMS deliveries through Twilio.
pub struct TwilioSender {
    client: TwilioClient,
}

impl TwilioSender {
    /// A sender over `client`.
    pub fn new(client: TwilioClient) -> TwilioSender {
        TwilioSender { client }
    }
}

impl Sender for TwilioSender {
    fn channel(&self) -> DeliveryChannel {
        DeliveryChannel::Sms
    }

    fn send<'a>(&'a self, to: &'a Recipient, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let Recipient::Phone(phone) = to else {
                return Err(SendFailure::Permanent {
                    reason: format!("the SMS dispatcher cannot reach {to}"),
                });
            };
            match self.client.send(phone.as_str(), text).await {
                Ok(sent) => Ok(Sent {
                    provider_id: Some(sent.sid),
                }),
                Err(error @ SendError::Retryable { .. }) => Err(SendFailure::Retryable {
                    retry_after: error.retry_after(),
                    reason: error.to_string(),
                }),
                Err(error @ SendError::OptedOut) => Err(SendFailure::OptedOut {
                    reason: error.to_string(),
                }),
                Err(error @ SendError::Permanent { .. }) => Err(SendFailure::Permanent {
                    reason: error.to_string(),
                }),
            }
        })
    }
}
