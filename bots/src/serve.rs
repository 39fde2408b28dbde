//! `ordo serve`: the service's life, from an open store to a clean exit.
//!
//! [`run`] (synchronous; it builds its own tokio runtime) opens the engine on the store
//! (system clock, OS-random seed), binds HTTP and the admin socket, starts the automatic
//! backups and the background tasks, says where it listens ([`Ready`]), and on SIGINT or
//! SIGTERM shuts down: HTTP stops accepting and finishes the requests in flight, the
//! socket stops accepting (its file is removed) and its connections finish the request in
//! hand, background tasks see their stop signal and are awaited, the backup thread
//! stops, the pool refuses new calls and the runtime waits for the calls running on it;
//! then the store is dropped, which is its shutdown path (the writer stops, sled flushes,
//! the directory's lock is released). In `Immediate` durability every acknowledged
//! change was already on stable storage before that.
//!
//! Extension point: [`start_tasks`] is where long-running work is started (the
//! notification dispatchers); each task gets a [`watch::Receiver`] that turns `true` at
//! shutdown, and is awaited (up to [`TASK_GRACE`]) before the store closes.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ordo_core::clock::SystemClock;
use ordo_core::random::SeededRandom;
use ordo_core::store::StoreError;
use ordo_core::{Engine, EngineConfig};
use ordo_storage::{BackupSchedule, spawn_backups};
use rand::RngCore;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::backend::AppStore;
use crate::config::{BackupPlan, ServeConfig};
use crate::http::{self, AppState};
use crate::notify::{Dispatcher, Pace};
use crate::pool::EnginePool;
use crate::sms::sender::TwilioSender;
use crate::sms::twilio::{ConfigError, TwilioClient};
use crate::socket::{self, SocketError};
use ordo_core::delivery::DeliveryChannel;

/// The store the service runs on (sled or PostgreSQL): shared by the engine and tasks.
pub type ServiceStore = Arc<AppStore>;

/// How long background tasks get to finish after the stop signal.
pub const TASK_GRACE: Duration = Duration::from_secs(30);

/// Async worker threads: the engine runs on the blocking pool, so two serve every
/// connection of a shop's service.
const WORKER_THREADS: usize = 2;

/// Where a started service listens, for the binary to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// The HTTP address actually bound (the port chosen when 0 was asked for).
    pub http: SocketAddr,
    /// The admin socket.
    pub socket: PathBuf,
    /// The automatic backups, if on.
    pub backups: Option<BackupPlan>,
}

/// Why the service could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The operating system gave no random bytes for the engine's seed.
    #[error("cannot read random bytes from the operating system: {0}")]
    Random(String),
    /// The tokio runtime could not be built.
    #[error("cannot start the service's threads: {0}")]
    Runtime(std::io::Error),
    /// The HTTP address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address asked for.
        address: SocketAddr,
        /// Why not.
        source: std::io::Error,
    },
    /// The admin socket could not be set up.
    #[error(transparent)]
    Socket(#[from] SocketError),
    /// The automatic backups could not be started.
    #[error("cannot start automatic backups: {0}")]
    Backups(StoreError),
    /// Waiting for SIGINT/SIGTERM failed.
    #[error("cannot wait for signals: {0}")]
    Signals(std::io::Error),
}

/// A background task: started with the stop signal, run until it turns `true`.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The background tasks of a running service, and their stop signal.
pub struct Tasks {
    stop: watch::Receiver<bool>,
    running: JoinSet<()>,
}

impl Tasks {
    /// Starts `task` (named for the logs); it is handed the stop signal and must return
    /// soon after it turns `true`.
    pub fn spawn(&mut self, name: &'static str, task: impl FnOnce(watch::Receiver<bool>) -> Task) {
        let stop = self.stop.clone();
        let future = task(stop);
        self.running.spawn(async move {
            future.await;
            tracing::info!(task = name, "background task stopped");
        });
    }

    /// Waits for every task, at most `grace`; tasks still running then are aborted.
    async fn join(mut self, grace: Duration) {
        let all = async { while self.running.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("background tasks did not stop in time; aborting them");
            self.running.abort_all();
            while self.running.join_next().await.is_some() {}
        }
    }
}

/// Starts the service's background tasks: the SMS dispatcher when Twilio is configured
/// (account, auth token and sending number), the Telegram dispatcher when a bot token is;
/// without them their deliveries wait, visible in `ordo outbox list`.
pub fn start_tasks(
    state: &AppState<ServiceStore>,
    tasks: &mut Tasks,
    telegram_webhook: Option<crate::telegram::webhook::WebhookUpdates>,
) {
    match sms_sender(&state.config) {
        Ok(Some(sender)) => {
            let dispatcher = Dispatcher::new(
                state.pool.clone(),
                Arc::new(sender),
                Dispatcher::<ServiceStore>::unique_name(DeliveryChannel::Sms),
                Pace::default(),
            );
            tasks.spawn("sms-dispatcher", |stop| Box::pin(dispatcher.run(stop)));
        }
        Ok(None) => tracing::warn!(
            "the SMS dispatcher is off: set twilio.account_sid, twilio.auth_token and \
             twilio.from (ORDO_TWILIO_*) to send texts; until then they wait in `ordo outbox list`"
        ),
        Err(error) => tracing::error!(%error, "the SMS dispatcher is off"),
    }
    start_telegram(state, tasks, telegram_webhook);
}

/// The Telegram bot (long polling, or the webhook's updates when `telegram.webhook_url`
/// is set) and its dispatcher, when `telegram.token` is set; without it Telegram
/// deliveries wait, visible in `ordo outbox list`.
fn start_telegram(
    state: &AppState<ServiceStore>,
    tasks: &mut Tasks,
    webhook: Option<crate::telegram::webhook::WebhookUpdates>,
) {
    let bot = match crate::telegram::sender::from_config(&state.config) {
        Ok(Some(bot)) => bot,
        Ok(None) => {
            tracing::info!(
                "the Telegram channel is off: set telegram.token (ORDO_TELEGRAM_TOKEN) to \
                 start the bot"
            );
            return;
        }
        Err(error) => {
            tracing::error!(%error, "the Telegram channel is off");
            return;
        }
    };
    // One chat's turns are shared by the bot's replies and the pushed news.
    let pacer = crate::telegram::pace::ChatPacer::telegram();
    let dispatcher = Dispatcher::new(
        state.pool.clone(),
        Arc::new(crate::telegram::sender::TelegramSender::paced(
            bot.clone(),
            pacer.clone(),
        )),
        Dispatcher::<ServiceStore>::unique_name(DeliveryChannel::Telegram),
        Pace::default(),
    );
    tasks.spawn("telegram-dispatcher", |stop| Box::pin(dispatcher.run(stop)));
    let bot_state = crate::telegram::bot::BotState::paced(state.pool.clone(), pacer);
    match webhook {
        Some(updates) => tasks.spawn("telegram-bot", |stop| {
            Box::pin(crate::telegram::bot::run_webhook(
                bot, bot_state, stop, updates,
            ))
        }),
        None => tasks.spawn("telegram-bot", |stop| {
            Box::pin(crate::telegram::bot::run(bot, bot_state, stop))
        }),
    }
}

/// The Twilio sender the configuration describes, if it describes one completely.
///
/// # Errors
/// The client's refusal of the configuration (naming the field).
pub fn sms_sender(config: &ServeConfig) -> Result<Option<TwilioSender>, ConfigError> {
    let twilio = config.twilio();
    let (Some(sid), Some(token), Some(from)) =
        (&twilio.account_sid, &twilio.auth_token, &twilio.from)
    else {
        return Ok(None);
    };
    let mut client = crate::sms::twilio::TwilioConfig::new(sid, token.expose(), from);
    client.api_url = twilio.api_url.clone();
    client.status_callback = config
        .public_url()
        .map(|base| crate::sms::signature::url_for(base, "/sms/status"));
    Ok(Some(TwilioSender::new(TwilioClient::new(client)?)))
}

/// Routes served beside [`http::router`]'s, built from the service's state once it
/// listens: the web pages (`ordo_web::router`), which depend on this crate and so are
/// handed in by the binary rather than named here.
pub type ExtraRoutes = Box<dyn FnOnce(AppState<ServiceStore>) -> axum::Router + Send>;

/// Runs the service on `store` (a sled store, or a PostgreSQL one that other services may
/// share) until SIGINT or SIGTERM; the admin socket is made in `data_dir` (on sled, the
/// store's own directory). `ready` is called once everything listens.
///
/// # Errors
/// [`ServeError`] when something cannot be started; after a clean start, shutting down
/// returns `Ok`.
pub fn run(
    store: impl Into<AppStore>,
    data_dir: &Path,
    config: ServeConfig,
    ready: impl FnOnce(&Ready),
) -> Result<(), ServeError> {
    run_with(store, data_dir, config, None, ready)
}

/// [`run`], serving `extra` routes too.
///
/// # Errors
/// As [`run`].
pub fn run_with(
    store: impl Into<AppStore>,
    data_dir: &Path,
    config: ServeConfig,
    extra: Option<ExtraRoutes>,
    ready: impl FnOnce(&Ready),
) -> Result<(), ServeError> {
    run_serving(store, data_dir, config, extra, ready, || {
        let signals = Signals::install()?;
        Ok(signals.wait())
    })
}

/// [`run`] until the future `shutdown` makes resolves. `shutdown` is called inside the
/// runtime before anything is bound (so signal handlers are in place before the service
/// says it is ready).
///
/// # Errors
/// As [`run`].
pub fn run_until<F, Fut>(
    store: impl Into<AppStore>,
    data_dir: &Path,
    config: ServeConfig,
    ready: impl FnOnce(&Ready),
    shutdown: F,
) -> Result<(), ServeError>
where
    F: FnOnce() -> Result<Fut, ServeError>,
    Fut: Future<Output = ()>,
{
    run_serving(store, data_dir, config, None, ready, shutdown)
}

/// [`run_until`] with `extra` routes.
///
/// # Errors
/// As [`run`].
pub fn run_serving<F, Fut>(
    store: impl Into<AppStore>,
    data_dir: &Path,
    config: ServeConfig,
    extra: Option<ExtraRoutes>,
    ready: impl FnOnce(&Ready),
    shutdown: F,
) -> Result<(), ServeError>
where
    F: FnOnce() -> Result<Fut, ServeError>,
    Fut: Future<Output = ()>,
{
    let store: ServiceStore = Arc::new(store.into());
    let dispatch = config.dispatch();
    let engine = Engine::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::new(SeededRandom::from_seed(os_seed()?)),
        EngineConfig {
            delivery_lease_ms: i64::try_from(dispatch.lease_seconds.saturating_mul(1_000))
                .unwrap_or(i64::MAX),
            delivery_max_attempts: dispatch.max_attempts,
            ..EngineConfig::default()
        },
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        // The pool's permits bound engine calls; the rest is room for other blocking work.
        .max_blocking_threads(config.blocking_threads() + 4)
        .thread_name("ordo-serve")
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let pool = EnginePool::new(engine, config.blocking_threads());
    // Automatic backups are sled's; a PostgreSQL store is backed up by the database.
    let backup_plan = store.sled().and_then(|_| config.backup_plan(data_dir));
    if store.sled().is_none() {
        tracing::info!(
            store = store.backend_name(),
            "no automatic backups: a PostgreSQL store is backed up by the database (pg_dump)"
        );
    }
    let backups = match (&backup_plan, store.sled()) {
        (Some(plan), Some(sled)) => {
            let schedule = BackupSchedule::every_minutes(&plan.dir, plan.every_minutes, plan.keep)
                .map_err(ServeError::Backups)?;
            Some(spawn_backups(sled.clone(), schedule).map_err(ServeError::Backups)?)
        }
        _ => None,
    };
    let state = AppState::new(pool.clone(), config);
    let served = runtime.block_on(serve(state, data_dir, backup_plan, extra, ready, shutdown));
    if let Some(backups) = backups {
        backups.stop();
    }
    pool.close();
    // Waits for calls still running on the blocking pool, so nothing holds the engine.
    drop(runtime);
    drop(pool);
    match Arc::try_unwrap(store) {
        Ok(store) => {
            drop(store);
            tracing::info!("store closed");
        }
        Err(_) => tracing::warn!("the store is still in use; it closes when the last use ends"),
    }
    served
}

/// Binds, serves until `shutdown`, and stops the listeners and tasks.
async fn serve<F, Fut>(
    state: AppState<ServiceStore>,
    data_dir: &Path,
    backups: Option<BackupPlan>,
    extra: Option<ExtraRoutes>,
    ready: impl FnOnce(&Ready),
    shutdown: F,
) -> Result<(), ServeError>
where
    F: FnOnce() -> Result<Fut, ServeError>,
    Fut: Future<Output = ()>,
{
    let shutdown = shutdown()?;
    let address = state.config.listen().socket_addr();
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| ServeError::Listen { address, source })?;
    let http_address = listener
        .local_addr()
        .map_err(|source| ServeError::Listen { address, source })?;
    // From here on the configuration names the address actually bound (port 0 asked for
    // any): the SMS webhook's signed URL is built from it when no public_url is set.
    let state = match crate::config::ListenAddress::parse(&http_address.to_string()) {
        Ok(bound) => AppState {
            pool: state.pool.clone(),
            config: Arc::new((*state.config).clone().with_listen(bound)),
        },
        Err(_) => state,
    };
    let socket = socket::bind(data_dir)?;
    let socket_path = socket.path().to_path_buf();
    let (stop, stopped) = watch::channel(false);

    let mut app = http::router(state.clone());
    if let Some(extra) = extra {
        app = app.merge(extra(state.clone()));
    }
    let telegram_webhook =
        crate::telegram::webhook::routes(&state.config).map(|(route, updates)| {
            app = std::mem::take(&mut app).merge(route);
            updates
        });
    let mut http_stop = stopped.clone();
    let http = tokio::spawn(
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = http_stop.wait_for(|stop| *stop).await;
        })
        .into_future(),
    );
    let admin = tokio::spawn(socket::serve(socket, state.pool.clone(), stopped.clone()));
    let mut tasks = Tasks {
        stop: stopped,
        running: JoinSet::new(),
    };
    start_tasks(&state, &mut tasks, telegram_webhook);

    if !state.config.listen().is_loopback() {
        tracing::warn!(
            address = %http_address,
            "listening beyond this machine: put a TLS-terminating proxy in front"
        );
    }
    tracing::info!(
        http = %http_address,
        socket = %socket_path.display(),
        blocking_threads = state.pool.size(),
        backups = backups.as_ref().map_or("off".to_string(), |b| b.dir.display().to_string()),
        "ordo serve is ready"
    );
    ready(&Ready {
        http: http_address,
        socket: socket_path,
        backups,
    });

    shutdown.await;
    tracing::info!("shutting down: finishing requests in flight");
    // Receivers may all be gone already (nothing to tell then).
    let _ = stop.send(true);
    match http.await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "the HTTP server failed"),
        Err(error) => tracing::error!(%error, "the HTTP server task failed"),
    }
    if let Err(error) = admin.await {
        tracing::error!(%error, "the socket task failed");
    }
    tasks.join(TASK_GRACE).await;
    Ok(())
}

/// SIGINT and SIGTERM, caught from the moment [`Signals::install`] returns.
pub struct Signals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (inside a tokio runtime).
    ///
    /// # Errors
    /// [`ServeError::Signals`] if they cannot be installed.
    pub fn install() -> Result<Signals, ServeError> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            terminate: signal(SignalKind::terminate()).map_err(ServeError::Signals)?,
            interrupt: signal(SignalKind::interrupt()).map_err(ServeError::Signals)?,
        })
    }

    /// Resolves at the first SIGINT or SIGTERM.
    pub async fn wait(mut self) {
        tokio::select! {
            _ = self.terminate.recv() => tracing::info!("SIGTERM received"),
            _ = self.interrupt.recv() => tracing::info!("SIGINT received"),
        }
    }
}

/// 32 bytes from the operating system's random source (session tokens come from the
/// engine's generator, so never a fixed seed).
fn os_seed() -> Result<[u8; 32], ServeError> {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut seed)
        .map_err(|e| ServeError::Random(e.to_string()))?;
    Ok(seed)
}
