//! Notification dispatchers: one loop per channel that claims due deliveries from the
//! engine (with a lease, after the write sets that created them are durable), words each
//! with the one set of templates (`ordo_api::notifications`), hands it to the channel's
//! [`Sender`], and reports how it went — sent, try again after a backoff with jitter, or
//! never (dead). The promise is at-least-once (see `ordo_core::delivery`): a crash between
//! sending and reporting sends that one message again after its lease lapses.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ordo_api::notifications;
use ordo_core::auth::Actor;
use ordo_core::delivery::{Delivery, DeliveryChannel, Recipient, SendOutcome};
use ordo_core::message::{Direction, MessageChannel};
use ordo_core::store::Store;
use tokio::sync::watch;

use crate::pool::{EnginePool, PoolError};
use crate::retry;

/// The provider took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The provider's id for it (Twilio's `MessageSid`), for status callbacks.
    pub provider_id: Option<String>,
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// It may work later (rate limited, the provider is down, a timeout).
    Retryable {
        /// Why (no secrets, no message text).
        reason: String,
        /// How long the provider asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// It will never work (a bad number, bad credentials).
    Permanent {
        /// Why.
        reason: String,
    },
    /// The recipient told the provider to stop (Twilio error 21610 after a STOP reply):
    /// permanent, and the phone is marked opted out in ordo too, so nothing more is
    /// queued for it until it texts START.
    OptedOut {
        /// Why.
        reason: String,
    },
}

/// The future a [`Sender`] returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<Sent, SendFailure>> + Send + 'a>>;

/// What sends one message on one channel (the SMS client, the Telegram bot, a test fake).
pub trait Sender: Send + Sync + 'static {
    /// The channel it sends on.
    fn channel(&self) -> DeliveryChannel;
    /// Sends `text` to `to` (a recipient of [`Sender::channel`]).
    fn send<'a>(&'a self, to: &'a Recipient, text: &'a str) -> SendFuture<'a>;
}

/// How a dispatcher paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Deliveries claimed at once.
    pub batch: usize,
    /// Pause when nothing is due.
    pub idle: Duration,
    /// First retry delay (doubled per attempt, with full jitter).
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            batch: 20,
            idle: Duration::from_millis(500),
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(15 * 60),
        }
    }
}

/// One channel's dispatcher.
pub struct Dispatcher<S: Store> {
    pool: EnginePool<S>,
    sender: Arc<dyn Sender>,
    owner: String,
    pace: Pace,
}

impl<S: Store + Send + Sync + 'static> Dispatcher<S> {
    /// A dispatcher sending through `sender`, named `owner` in its leases (unique per
    /// running dispatcher: [`Dispatcher::unique_name`]).
    pub fn new(pool: EnginePool<S>, sender: Arc<dyn Sender>, owner: String, pace: Pace) -> Self {
        Dispatcher {
            pool,
            sender,
            owner,
            pace,
        }
    }

    /// A lease owner name no other running dispatcher has: channel, process id and 64
    /// random bits.
    pub fn unique_name(channel: DeliveryChannel) -> String {
        format!(
            "{channel}-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        )
    }

    /// Runs until `stop` turns true: claims, sends, reports; pauses when nothing is due.
    /// Errors are logged and the loop goes on after a pause (the store may recover; a
    /// delivery whose report was lost is sent again after its lease).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let channel = self.sender.channel();
        tracing::info!(%channel, owner = %self.owner, "dispatcher started");
        while !*stop.borrow() {
            let handled = match self.run_once().await {
                Ok(handled) => handled,
                Err(error) => {
                    tracing::error!(%channel, %error, "dispatching failed; pausing");
                    0
                }
            };
            if handled == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(self.pace.idle) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }

    /// One round: claims up to a batch of due deliveries and works each; returns how
    /// many were claimed.
    ///
    /// # Errors
    /// The engine's error when claiming or reporting fails.
    pub async fn run_once(&self) -> Result<usize, DispatchError> {
        let channel = self.sender.channel();
        let owner = self.owner.clone();
        let batch = self.pace.batch;
        let claimed = self
            .pool
            .run(move |engine| engine.claim_deliveries(&Actor::system(), channel, &owner, batch))
            .await??;
        let count = claimed.len();
        // One recipient's deliveries in order; different recipients side by side, so a
        // sender pacing one chat or number holds no other back.
        let mut queues: Vec<Vec<Delivery>> = Vec::new();
        for delivery in claimed {
            match queues
                .iter_mut()
                .find(|queue| queue.first().map(Delivery::recipient) == Some(delivery.recipient()))
            {
                Some(queue) => queue.push(delivery),
                None => queues.push(vec![delivery]),
            }
        }
        let worked = futures_util::future::join_all(queues.into_iter().map(|queue| async move {
            for delivery in queue {
                self.work(delivery).await?;
            }
            Ok::<(), DispatchError>(())
        }))
        .await;
        worked.into_iter().collect::<Result<Vec<()>, _>>()?;
        Ok(count)
    }

    /// Words, sends and reports one claimed delivery.
    async fn work(&self, delivery: Delivery) -> Result<(), DispatchError> {
        let worded = delivery.clone();
        let text = self
            .pool
            .run(move |engine| {
                notifications::facts(engine, &worded).map(|facts| {
                    let missing_code = worded.event().carries_code() && facts.code.is_none();
                    (!missing_code).then(|| notifications::text(worded.event(), &facts))
                })
            })
            .await??;
        let outcome = match &text {
            // A code that expired or was replaced before it went out: sending it would
            // only confuse.
            None => SendOutcome::Permanent {
                error: "the code expired or was replaced before it was sent".into(),
            },
            Some(text) => match self.sender.send(delivery.recipient(), text).await {
                Ok(sent) => SendOutcome::Sent {
                    provider_id: sent.provider_id,
                },
                Err(SendFailure::Retryable {
                    reason,
                    retry_after,
                }) => {
                    let backoff = retry::backoff(
                        delivery.attempts(),
                        self.pace.backoff_base,
                        self.pace.backoff_max,
                        &mut rand::thread_rng(),
                    );
                    let wait = retry_after.unwrap_or_default().max(backoff);
                    SendOutcome::Retry {
                        error: reason,
                        retry_after_ms: i64::try_from(wait.as_millis()).unwrap_or(i64::MAX),
                    }
                }
                Err(SendFailure::Permanent { reason }) => SendOutcome::Permanent { error: reason },
                Err(SendFailure::OptedOut { reason }) => {
                    self.opt_out(delivery.recipient()).await?;
                    SendOutcome::Permanent { error: reason }
                }
            },
        };
        let sent = matches!(outcome, SendOutcome::Sent { .. });
        let owner = self.owner.clone();
        let reported = delivery.clone();
        let finished = self
            .pool
            .run(move |engine| {
                engine.finish_delivery(
                    &Actor::system(),
                    reported.id(),
                    &owner,
                    reported.attempts(),
                    &outcome,
                )
            })
            .await?;
        match finished {
            Ok(done) => tracing::info!(
                delivery = done.id().get(),
                channel = %done.channel(),
                status = %done.status(),
                attempts = done.attempts(),
                "delivery worked"
            ),
            // Another dispatcher took it over after our lease lapsed: its report counts.
            Err(error) => tracing::warn!(delivery = delivery.id().get(), %error, "report refused"),
        }
        if sent && let Some(text) = text {
            self.log_outbound(&delivery, &text).await?;
        }
        Ok(())
    }

    /// Marks a phone the provider says opted out as opted out in ordo (the fan-out then
    /// queues no more texts for it); a recipient that is not a phone is left alone.
    async fn opt_out(&self, recipient: &Recipient) -> Result<(), DispatchError> {
        let Recipient::Phone(phone) = recipient else {
            return Ok(());
        };
        let phone = phone.clone();
        let changed = self
            .pool
            .run(move |engine| engine.set_phone_opt_out(&Actor::system(), &phone, true))
            .await??;
        if changed {
            tracing::info!("a phone opted out at the provider; marked opted out");
        }
        Ok(())
    }

    /// Writes a sent message into its customer's communication log; a code is logged as
    /// "a verification code", never the code itself.
    async fn log_outbound(&self, delivery: &Delivery, text: &str) -> Result<(), DispatchError> {
        let channel = match delivery.channel() {
            DeliveryChannel::Sms => MessageChannel::Sms,
            DeliveryChannel::Telegram => MessageChannel::Telegram,
            DeliveryChannel::Email => return Ok(()),
        };
        let logged = if delivery.event().carries_code() {
            "(a verification code)".to_string()
        } else {
            text.to_string()
        };
        let customer = delivery.customer();
        let order = delivery.event().order();
        let result = self
            .pool
            .run(move |engine| {
                engine.log_message(
                    &Actor::system(),
                    customer,
                    channel,
                    Direction::Outbound,
                    &logged,
                    order,
                )
            })
            .await?;
        if let Err(error) = result {
            tracing::warn!(%error, "a sent message could not be logged");
        }
        Ok(())
    }
}

/// Why a dispatch round stopped.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// The engine refused or failed.
    #[error(transparent)]
    Engine(#[from] ordo_core::Error),
    /// The blocking pool is closed (shutting down) or a call panicked.
    #[error(transparent)]
    Pool(#[from] PoolError),
}
