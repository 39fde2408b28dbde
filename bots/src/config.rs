//! `ServeConfig`: how `ordo serve` runs, from an optional TOML file and `ORDO_*`
//! environment variables (the environment wins over the file; `ordo serve --listen` wins
//! over both).
//!
//! Every key has one name in the file (`backup.keep`) and one in the environment
//! (`ORDO_BACKUP_KEEP`: `ORDO_`, then the key upper-cased with `.` as `_`). The keys and
//! their defaults are documented in `docs/ordo.example.toml`, which a test parses.
//!
//! Parsing is a pure function of the file's text and the environment's pairs
//! ([`ServeConfig::parse`]), so it is tested without touching the process environment.
//! A bad value fails naming where it came from (`ORDO_BACKUP_KEEP: expected a whole
//! number, got "x"`, `backup.keep in ordo.toml: …`); an unknown key in the file is an
//! error too, and so is an unknown variable under a section's prefix (`ORDO_BACKUP_…`).
//! Secrets ([`Secret`]) print as `<redacted>` in `Debug` and have no `Display`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// Every key of the configuration, as named in the file. The environment variable of
/// each is [`env_name`] of it.
pub const KEYS: &[&str] = &[
    "listen",
    "public_url",
    "backup.dir",
    "backup.every_minutes",
    "backup.keep",
    "pool.blocking_threads",
    "limits.login_per_minute",
    "limits.registration_per_minute",
    "limits.sms_per_minute",
    "twilio.account_sid",
    "twilio.auth_token",
    "twilio.from",
    "twilio.api_url",
    "dispatch.lease_seconds",
    "dispatch.max_attempts",
    "telegram.token",
    "telegram.api_url",
    "payments.stripe.base_url",
    "payments.stripe.secret_key",
    "payments.stripe.webhook_secret",
    "carriers.dhl.secret",
    "carriers.ups.secret",
    "carriers.fedex.secret",
    "carriers.usps.secret",
    "carriers.dpd.secret",
    "carriers.gls.secret",
    "carriers.postnl.secret",
    "telegram.webhook_url",
    "carriers.royalmail.secret",
];

/// The carriers whose tracking webhook (`POST /carriers/NAME/events`) may be configured,
/// each with its `carriers.NAME.secret` key in [`KEYS`].
pub const CARRIERS: &[&str] = &[
    "dhl",
    "ups",
    "fedex",
    "usps",
    "dpd",
    "gls",
    "postnl",
    "royalmail",
];

/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The Twilio REST API used when `twilio.api_url` is not set.
pub const DEFAULT_TWILIO_API_URL: &str = "https://api.twilio.com";

/// The Telegram Bot API used when `telegram.api_url` is not set.
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";

/// Default `backup.every_minutes`.
const DEFAULT_BACKUP_EVERY_MINUTES: u64 = 60;
/// Default `backup.keep`.
const DEFAULT_BACKUP_KEEP: u64 = 48;
/// Default `pool.blocking_threads`.
const DEFAULT_BLOCKING_THREADS: u64 = 8;
/// Default `limits.login_per_minute`.
const DEFAULT_LOGIN_PER_MINUTE: u64 = 10;
/// Default `limits.registration_per_minute`.
const DEFAULT_REGISTRATION_PER_MINUTE: u64 = 5;
/// Default `limits.sms_per_minute`.
const DEFAULT_SMS_PER_MINUTE: u64 = 6;
/// Default `dispatch.lease_seconds`.
const DEFAULT_LEASE_SECONDS: u64 = 60;
/// Default `dispatch.max_attempts`.
const DEFAULT_MAX_ATTEMPTS: u64 = 8;

/// The environment variable of a configuration key: `backup.keep` → `ORDO_BACKUP_KEEP`.
pub fn env_name(key: &str) -> String {
    format!("ORDO_{}", key.replace('.', "_").to_ascii_uppercase())
}

/// A configuration that cannot be used: where the value came from, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct ConfigError {
    /// The key and where it was set (`ORDO_BACKUP_KEEP`, `backup.keep in ordo.toml`), or
    /// the file itself.
    pub origin: String,
    /// What is wrong.
    pub reason: String,
}

impl ConfigError {
    fn new(origin: impl Into<String>, reason: impl Into<String>) -> ConfigError {
        ConfigError {
            origin: origin.into(),
            reason: reason.into(),
        }
    }
}

/// A secret value (an auth token): never printed, never logged. `Debug` shows
/// `<redacted>`; read it with [`Secret::expose`] where it is used.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value itself, for the one place that needs it (signing, authenticating).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where `ordo serve` listens for HTTP: an IP address and port (`localhost` means
/// 127.0.0.1; port 0 lets the system choose a free one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenAddress(SocketAddr);

impl ListenAddress {
    /// Parses `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:80` or `localhost:8080`.
    ///
    /// # Errors
    /// A sentence saying what a listen address looks like.
    pub fn parse(text: &str) -> Result<ListenAddress, String> {
        let text = text.trim();
        if let Ok(address) = text.parse::<SocketAddr>() {
            return Ok(ListenAddress(address));
        }
        if let Some(port) = text.strip_prefix("localhost:")
            && let Ok(port) = port.parse::<u16>()
        {
            return Ok(ListenAddress(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                port,
            )));
        }
        Err(format!(
            "expected an address and port such as 127.0.0.1:8080, [::1]:8080 or \
             localhost:8080, got {text:?}"
        ))
    }

    /// The socket address.
    pub fn socket_addr(self) -> SocketAddr {
        self.0
    }

    /// Whether only this machine can reach it (127.0.0.0/8 or ::1).
    pub fn is_loopback(self) -> bool {
        self.0.ip().is_loopback()
    }
}

impl fmt::Display for ListenAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Automatic backups: every `every_minutes` minutes into `dir`, keeping `keep` files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupPlan {
    /// Where the backup files go.
    pub dir: PathBuf,
    /// Minutes between backups (≥ 1).
    pub every_minutes: u64,
    /// Files kept (≥ 1); older ones are deleted.
    pub keep: usize,
}

/// Twilio's account, token, sender and API (`[twilio]`), held for the SMS channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioConfig {
    /// `twilio.account_sid` (`ORDO_TWILIO_ACCOUNT_SID`).
    pub account_sid: Option<String>,
    /// `twilio.auth_token` (`ORDO_TWILIO_AUTH_TOKEN`): signs webhooks and authenticates
    /// API calls. Redacted in `Debug`.
    pub auth_token: Option<Secret>,
    /// `twilio.from` (`ORDO_TWILIO_FROM`): the sending number.
    pub from: Option<String>,
    /// `twilio.api_url` (`ORDO_TWILIO_API_URL`): the REST API's base URL.
    pub api_url: String,
}

/// The Telegram bot's token and API (`[telegram]`), held for the Telegram channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramConfig {
    /// `telegram.token` (`ORDO_TELEGRAM_TOKEN`): the bot's token from @BotFather; the
    /// channel is off without it. Redacted in `Debug`.
    pub token: Option<Secret>,
    /// `telegram.api_url` (`ORDO_TELEGRAM_API_URL`): the Bot API's base URL.
    pub api_url: String,
    /// `telegram.webhook_url` (`ORDO_TELEGRAM_WEBHOOK_URL`): the public URL Telegram
    /// posts updates to (webhook mode, served by this server on the URL's path); long
    /// polling without it.
    pub webhook_url: Option<String>,
}

/// One payment gateway's settings (`[payments.NAME]`; today the one name is `stripe`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    /// `payments.NAME.base_url` (`ORDO_PAYMENTS_NAME_BASE_URL`): the REST API's base URL.
    pub base_url: String,
    /// `payments.NAME.secret_key` (`ORDO_PAYMENTS_NAME_SECRET_KEY`). Redacted in `Debug`.
    pub secret_key: Option<Secret>,
    /// `payments.NAME.webhook_secret` (`ORDO_PAYMENTS_NAME_WEBHOOK_SECRET`): checks the
    /// gateway's webhook signatures; the webhook is mounted only with it. Redacted.
    pub webhook_secret: Option<Secret>,
}

/// The payment gateway Stripe's API is reached at unless `payments.stripe.base_url` says.
pub const DEFAULT_STRIPE_BASE_URL: &str = "https://api.stripe.com";

/// How notification dispatchers claim and retry deliveries (`[dispatch]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchConfig {
    /// `dispatch.lease_seconds`: how long a claimed delivery is a dispatcher's own.
    pub lease_seconds: u64,
    /// `dispatch.max_attempts`: sends tried before a delivery is dead.
    pub max_attempts: u32,
}

/// The configuration of `ordo serve`. Built only by [`ServeConfig::parse`] /
/// [`ServeConfig::load`] (or [`Default`]), so every value in it has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    listen: ListenAddress,
    public_url: Option<String>,
    backup_dir: Option<PathBuf>,
    backup_every_minutes: u64,
    backup_keep: usize,
    blocking_threads: usize,
    login_per_minute: u32,
    registration_per_minute: u32,
    sms_per_minute: u32,
    twilio: TwilioConfig,
    dispatch: DispatchConfig,
    telegram: TelegramConfig,
    stripe: GatewayConfig,
    carrier_secrets: BTreeMap<&'static str, Secret>,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            listen: ListenAddress(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080)),
            public_url: None,
            backup_dir: None,
            backup_every_minutes: DEFAULT_BACKUP_EVERY_MINUTES,
            backup_keep: DEFAULT_BACKUP_KEEP as usize,
            blocking_threads: DEFAULT_BLOCKING_THREADS as usize,
            login_per_minute: DEFAULT_LOGIN_PER_MINUTE as u32,
            registration_per_minute: DEFAULT_REGISTRATION_PER_MINUTE as u32,
            sms_per_minute: DEFAULT_SMS_PER_MINUTE as u32,
            twilio: TwilioConfig {
                account_sid: None,
                auth_token: None,
                from: None,
                api_url: DEFAULT_TWILIO_API_URL.to_string(),
            },
            dispatch: DispatchConfig {
                lease_seconds: DEFAULT_LEASE_SECONDS,
                max_attempts: DEFAULT_MAX_ATTEMPTS as u32,
            },
            telegram: TelegramConfig {
                token: None,
                api_url: DEFAULT_TELEGRAM_API_URL.to_string(),
                webhook_url: None,
            },
            stripe: GatewayConfig {
                base_url: DEFAULT_STRIPE_BASE_URL.to_string(),
                secret_key: None,
                webhook_secret: None,
            },
            carrier_secrets: BTreeMap::new(),
        }
    }
}

/// A value as found: text (the environment, or a TOML string) or a TOML value of
/// another type.
#[derive(Debug, Clone, PartialEq)]
enum Raw {
    /// From the environment: always text, parsed as the key needs.
    Env(String),
    /// From the file: typed by TOML.
    File(toml::Value),
}

/// One key's value and where it came from (for messages).
#[derive(Debug, Clone)]
struct Setting {
    raw: Raw,
    origin: String,
}

impl ServeConfig {
    /// Reads `file` (if given) and applies the `ORDO_*` variables of `env` over it.
    ///
    /// # Errors
    /// The file cannot be read, is not TOML, or holds an unknown key or a bad value; a
    /// variable has a bad value or is an unknown one under a section's prefix.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<ServeConfig, ConfigError> {
        let text = match file {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError::new(path.display().to_string(), format!("cannot read it: {e}"))
                })?;
                Some((path.display().to_string(), text))
            }
        };
        ServeConfig::parse(
            text.as_ref()
                .map(|(name, text)| (name.as_str(), text.as_str())),
            env,
        )
    }

    /// Parses `file` (its name for messages, and its text) and the `ORDO_*` pairs of
    /// `env`; the environment wins.
    ///
    /// # Errors
    /// As [`ServeConfig::load`].
    pub fn parse(
        file: Option<(&str, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<ServeConfig, ConfigError> {
        let mut settings: BTreeMap<&'static str, Setting> = BTreeMap::new();
        if let Some((name, text)) = file {
            read_file(name, text, &mut settings)?;
        }
        read_env(env, &mut settings)?;
        let mut config = ServeConfig::default();
        for (key, setting) in settings {
            config
                .set(key, &setting)
                .map_err(|reason| ConfigError::new(setting.origin.clone(), reason))?;
        }
        Ok(config)
    }

    /// This configuration listening on `listen` instead (`ordo serve --listen`).
    pub fn with_listen(mut self, listen: ListenAddress) -> ServeConfig {
        self.listen = listen;
        self
    }

    /// Where HTTP listens.
    pub fn listen(&self) -> ListenAddress {
        self.listen
    }

    /// The externally visible base URL (`scheme://host[:port]`, no trailing `/`), if set.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// The automatic backups for a store in `data_dir`: `None` when
    /// `backup.every_minutes` is 0. Without `backup.dir` they go to `<data-dir>.backups`
    /// beside the data directory (never inside it: a data directory holds only the
    /// store's files, and `ordo restore --force` replaces it whole).
    pub fn backup_plan(&self, data_dir: &Path) -> Option<BackupPlan> {
        if self.backup_every_minutes == 0 {
            return None;
        }
        let dir = match &self.backup_dir {
            Some(dir) => dir.clone(),
            None => {
                let mut name = data_dir.as_os_str().to_os_string();
                name.push(".backups");
                PathBuf::from(name)
            }
        };
        Some(BackupPlan {
            dir,
            every_minutes: self.backup_every_minutes,
            keep: self.backup_keep,
        })
    }

    /// Engine calls (and password hashing) running at once on the blocking pool.
    pub fn blocking_threads(&self) -> usize {
        self.blocking_threads
    }

    /// Logins allowed per caller (address) per minute.
    pub fn login_per_minute(&self) -> u32 {
        self.login_per_minute
    }

    /// Registration requests allowed per caller (address) per minute.
    pub fn registration_per_minute(&self) -> u32 {
        self.registration_per_minute
    }

    /// Inbound texts answered per phone number per minute (`limits.sms_per_minute`).
    pub fn sms_per_minute(&self) -> u32 {
        self.sms_per_minute
    }

    /// Twilio's settings.
    pub fn twilio(&self) -> &TwilioConfig {
        &self.twilio
    }

    /// The settings of payment gateway `name` (`[payments.NAME]`), if it is one ordo knows.
    pub fn payment_gateway(&self, name: &str) -> Option<&GatewayConfig> {
        match name {
            "stripe" => Some(&self.stripe),
            _ => None,
        }
    }

    /// The names of the payment gateways whose webhook secret is set.
    pub fn payment_webhooks(&self) -> Vec<&'static str> {
        ["stripe"]
            .into_iter()
            .filter(|name| {
                self.payment_gateway(name)
                    .is_some_and(|g| g.webhook_secret.is_some())
            })
            .collect()
    }

    /// The secret signing carrier `name`'s tracking events (`carriers.NAME.secret`), if set.
    pub fn carrier_secret(&self, name: &str) -> Option<&Secret> {
        self.carrier_secrets.get(name)
    }

    /// The names of the carriers whose secret is set (their webhooks are mounted).
    pub fn carrier_webhooks(&self) -> Vec<&'static str> {
        self.carrier_secrets.keys().copied().collect()
    }

    /// The dispatchers' settings.
    pub fn dispatch(&self) -> DispatchConfig {
        self.dispatch
    }

    /// The Telegram bot's settings.
    pub fn telegram(&self) -> &TelegramConfig {
        &self.telegram
    }

    /// Applies one checked value.
    fn set(&mut self, key: &str, setting: &Setting) -> Result<(), String> {
        let raw = &setting.raw;
        match key {
            "listen" => self.listen = ListenAddress::parse(&text(raw)?)?,
            "public_url" => self.public_url = Some(base_url(&text(raw)?)?),
            "backup.dir" => self.backup_dir = Some(PathBuf::from(non_empty(raw)?)),
            "backup.every_minutes" => {
                self.backup_every_minutes = whole(raw, 0, 7 * 24 * 60)?;
            }
            "backup.keep" => self.backup_keep = to_usize(whole(raw, 1, 10_000)?),
            "pool.blocking_threads" => self.blocking_threads = to_usize(whole(raw, 1, 256)?),
            "limits.login_per_minute" => self.login_per_minute = to_u32(whole(raw, 1, 100_000)?),
            "limits.sms_per_minute" => self.sms_per_minute = to_u32(whole(raw, 1, 100_000)?),
            "limits.registration_per_minute" => {
                self.registration_per_minute = to_u32(whole(raw, 1, 100_000)?);
            }
            "twilio.account_sid" => self.twilio.account_sid = Some(non_empty(raw)?),
            "twilio.auth_token" => self.twilio.auth_token = Some(Secret(secret_text(raw)?)),
            "twilio.from" => self.twilio.from = Some(non_empty(raw)?),
            "twilio.api_url" => self.twilio.api_url = base_url(&text(raw)?)?,
            "dispatch.lease_seconds" => self.dispatch.lease_seconds = whole(raw, 1, 3_600)?,
            "dispatch.max_attempts" => self.dispatch.max_attempts = to_u32(whole(raw, 1, 100)?),
            "telegram.token" => self.telegram.token = Some(Secret(secret_text(raw)?)),
            "telegram.api_url" => self.telegram.api_url = base_url(&text(raw)?)?,
            "telegram.webhook_url" => self.telegram.webhook_url = Some(webhook_url(&text(raw)?)?),
            "payments.stripe.base_url" => self.stripe.base_url = base_url(&text(raw)?)?,
            "payments.stripe.secret_key" => {
                self.stripe.secret_key = Some(Secret(secret_text(raw)?));
            }
            "payments.stripe.webhook_secret" => {
                self.stripe.webhook_secret = Some(Secret(secret_text(raw)?));
            }
            other => match carrier_of_key(other) {
                Some(carrier) => {
                    self.carrier_secrets
                        .insert(carrier, Secret(secret_text(raw)?));
                }
                None => return Err(format!("{other} is not a configuration key")),
            },
        }
        Ok(())
    }
}

/// The carrier of a `carriers.NAME.secret` key, if `NAME` is one of [`CARRIERS`].
fn carrier_of_key(key: &str) -> Option<&'static str> {
    let name = key.strip_prefix("carriers.")?.strip_suffix(".secret")?;
    CARRIERS.iter().copied().find(|carrier| *carrier == name)
}

/// Reads the file's keys into `settings`.
fn read_file(
    name: &str,
    text: &str,
    settings: &mut BTreeMap<&'static str, Setting>,
) -> Result<(), ConfigError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::new(name, format!("not valid TOML: {e}")))?;
    for (top, value) in table {
        match value {
            toml::Value::Table(section) if is_section(&top) => {
                for (key, value) in section {
                    let full = format!("{top}.{key}");
                    match value {
                        // A section of sections: `[payments.stripe]`.
                        toml::Value::Table(inner) if known_key(&full).is_none() => {
                            for (key, value) in inner {
                                let full = format!("{full}.{key}");
                                let known =
                                    known_key(&full).ok_or_else(|| unknown_in_file(name, &full))?;
                                settings.insert(known, file_setting(name, known, value));
                            }
                        }
                        value => {
                            let known =
                                known_key(&full).ok_or_else(|| unknown_in_file(name, &full))?;
                            settings.insert(known, file_setting(name, known, value));
                        }
                    }
                }
            }
            value => {
                let known = known_key(&top)
                    .filter(|key| !key.contains('.'))
                    .ok_or_else(|| unknown_in_file(name, &top))?;
                settings.insert(known, file_setting(name, known, value));
            }
        }
    }
    Ok(())
}

fn file_setting(file: &str, key: &str, value: toml::Value) -> Setting {
    Setting {
        raw: Raw::File(value),
        origin: format!("{key} in {file}"),
    }
}

fn unknown_in_file(file: &str, key: &str) -> ConfigError {
    ConfigError::new(
        format!("{key} in {file}"),
        format!(
            "not a configuration key (known keys: {}; see docs/ordo.example.toml)",
            KEYS.join(", ")
        ),
    )
}

/// Reads the `ORDO_*` variables that are configuration keys into `settings`. Empty
/// values count as unset. Other `ORDO_*` variables (`ORDO_DATA`, `ORDO_TOKEN`, …) are
/// left alone, except unknown ones under a section's prefix (a misspelt key).
fn read_env(
    env: impl IntoIterator<Item = (String, String)>,
    settings: &mut BTreeMap<&'static str, Setting>,
) -> Result<(), ConfigError> {
    let mut found: BTreeMap<&'static str, Setting> = BTreeMap::new();
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("ORDO_") else {
            continue;
        };
        match KEYS.iter().find(|key| env_name(key) == name) {
            Some(key) => {
                if !value.trim().is_empty() {
                    found.insert(
                        key,
                        Setting {
                            raw: Raw::Env(value),
                            origin: name.clone(),
                        },
                    );
                }
            }
            None => {
                let misspelt = sections()
                    .iter()
                    .any(|section| rest.starts_with(&format!("{}_", section.to_ascii_uppercase())));
                if misspelt {
                    return Err(ConfigError::new(
                        name,
                        format!(
                            "not a configuration variable (known: {})",
                            KEYS.iter()
                                .map(|k| env_name(k))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
    }
    settings.extend(found);
    Ok(())
}

/// The sections (`backup`, `pool`, …).
fn sections() -> Vec<&'static str> {
    let mut sections: Vec<&'static str> = KEYS
        .iter()
        .filter_map(|key| key.split_once('.').map(|(section, _)| section))
        .collect();
    sections.dedup();
    sections
}

fn is_section(name: &str) -> bool {
    sections().contains(&name)
}

fn known_key(name: &str) -> Option<&'static str> {
    KEYS.iter().copied().find(|key| *key == name)
}

/// A value that must be text.
fn text(raw: &Raw) -> Result<String, String> {
    match raw {
        Raw::Env(text) | Raw::File(toml::Value::String(text)) => Ok(text.trim().to_string()),
        Raw::File(other) => Err(format!("expected text, got {}", describe(other))),
    }
}

/// Text that must not be empty.
fn non_empty(raw: &Raw) -> Result<String, String> {
    let text = text(raw)?;
    if text.is_empty() {
        return Err("must not be empty".to_string());
    }
    Ok(text)
}

/// A secret: never echoed back in the message.
fn secret_text(raw: &Raw) -> Result<String, String> {
    match raw {
        Raw::Env(text) | Raw::File(toml::Value::String(text)) if !text.trim().is_empty() => {
            Ok(text.trim().to_string())
        }
        Raw::Env(_) | Raw::File(toml::Value::String(_)) => Err("must not be empty".to_string()),
        Raw::File(other) => Err(format!("expected text, got {}", other.type_str())),
    }
}

/// A whole number in `min..=max`.
fn whole(raw: &Raw, min: u64, max: u64) -> Result<u64, String> {
    let number = match raw {
        Raw::Env(text) => text
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("expected a whole number, got {text:?}"))?,
        Raw::File(toml::Value::Integer(n)) => {
            u64::try_from(*n).map_err(|_| format!("expected a whole number, got {n}"))?
        }
        Raw::File(other) => {
            return Err(format!("expected a whole number, got {}", describe(other)));
        }
    };
    if number < min || number > max {
        return Err(format!("must be between {min} and {max}, got {number}"));
    }
    Ok(number)
}

/// A TOML value as a message shows it (short; text quoted).
fn describe(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => format!("{:?}", text.chars().take(64).collect::<String>()),
        toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
            value.to_string()
        }
        other => other.type_str().to_string(),
    }
}

/// `scheme://host[:port]` with scheme http or https and nothing after; a trailing `/`
/// is dropped.
/// A webhook URL: `https://` (or `http://`, for a local test) host and a path.
fn webhook_url(text: &str) -> Result<String, String> {
    match reqwest::Url::parse(text.trim()) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host_str().is_some() => {
            Ok(url.to_string())
        }
        _ => Err("expected an http(s) URL such as https://shop.example.com/telegram".into()),
    }
}

fn base_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    let well_formed = rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
    });
    if !well_formed {
        return Err(format!(
            "expected a base URL such as https://shop.example.com or http://127.0.0.1:8080 \
             (scheme, host and port only), got {:?}",
            text.chars().take(200).collect::<String>()
        ));
    }
    Ok(trimmed.to_string())
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn to_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    fn error(file: Option<&str>, pairs: &[(&str, &str)]) -> String {
        match ServeConfig::parse(file.map(|text| ("ordo.toml", text)), env(pairs)) {
            Ok(config) => panic!("accepted: {config:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn nothing_set_gives_the_defaults() {
        let config =
            ServeConfig::parse(None, env(&[("PATH", "/bin"), ("ORDO_DATA", "x")])).unwrap();
        assert_eq!(config, ServeConfig::default());
        assert_eq!(config.listen().to_string(), DEFAULT_LISTEN);
        assert!(config.listen().is_loopback());
        assert_eq!(config.blocking_threads(), 8);
        let plan = config.backup_plan(Path::new("/srv/shop")).unwrap();
        assert_eq!(plan.dir, Path::new("/srv/shop.backups"));
        assert_eq!((plan.every_minutes, plan.keep), (60, 48));
        assert_eq!(config.twilio().api_url, DEFAULT_TWILIO_API_URL);
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let file = "listen = \"127.0.0.1:9000\"\n[backup]\nkeep = 3\nevery_minutes = 5\n\
                    [limits]\nlogin_per_minute = 4\n";
        let config = ServeConfig::parse(
            Some(("ordo.toml", file)),
            env(&[("ORDO_BACKUP_KEEP", "7"), ("ORDO_LISTEN", "localhost:9100")]),
        )
        .unwrap();
        assert_eq!(config.listen().to_string(), "127.0.0.1:9100");
        let plan = config.backup_plan(Path::new("d")).unwrap();
        assert_eq!((plan.every_minutes, plan.keep), (5, 7));
        assert_eq!(config.login_per_minute(), 4);
    }

    #[test]
    fn an_empty_variable_counts_as_unset() {
        let config = ServeConfig::parse(
            Some(("ordo.toml", "[backup]\nkeep = 3\n")),
            env(&[("ORDO_BACKUP_KEEP", ""), ("ORDO_TWILIO_AUTH_TOKEN", " ")]),
        )
        .unwrap();
        assert_eq!(config.backup_plan(Path::new("d")).unwrap().keep, 3);
        assert_eq!(config.twilio().auth_token, None);
    }

    #[test]
    fn a_bad_value_names_its_key_and_where_it_was_set() {
        assert_eq!(
            error(None, &[("ORDO_BACKUP_KEEP", "x")]),
            "ORDO_BACKUP_KEEP: expected a whole number, got \"x\""
        );
        assert_eq!(
            error(Some("[backup]\nkeep = \"x\"\n"), &[]),
            "backup.keep in ordo.toml: expected a whole number, got \"x\""
        );
        assert_eq!(
            error(Some("[backup]\nkeep = 0\n"), &[]),
            "backup.keep in ordo.toml: must be between 1 and 10000, got 0"
        );
        assert!(
            error(None, &[("ORDO_LISTEN", "everywhere")])
                .starts_with("ORDO_LISTEN: expected an address")
        );
        assert!(
            error(Some("public_url = \"ftp://x\"\n"), &[])
                .starts_with("public_url in ordo.toml: expected a base URL")
        );
        assert!(
            error(None, &[("ORDO_POOL_BLOCKING_THREADS", "0")])
                .starts_with("ORDO_POOL_BLOCKING_THREADS: must be between 1 and 256")
        );
        assert_eq!(
            error(Some("listen = 8080\n"), &[]),
            "listen in ordo.toml: expected text, got 8080"
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        assert!(
            error(Some("[backup]\nkepe = 3\n"), &[])
                .starts_with("backup.kepe in ordo.toml: not a configuration key")
        );
        assert!(
            error(Some("lisen = \"x\"\n"), &[])
                .starts_with("lisen in ordo.toml: not a configuration key")
        );
        assert!(
            error(Some("[extra]\na = 1\n"), &[])
                .starts_with("extra in ordo.toml: not a configuration key")
        );
        // A section's key at the top level is not that key.
        assert!(error(Some("keep = 1\n"), &[]).starts_with("keep in ordo.toml"));
        assert!(error(Some("not toml at all ===\n"), &[]).starts_with("ordo.toml: not valid TOML"));
    }

    #[test]
    fn a_misspelt_variable_under_a_section_prefix_is_an_error() {
        assert!(
            error(None, &[("ORDO_BACKUP_KEPE", "3")])
                .starts_with("ORDO_BACKUP_KEPE: not a configuration variable")
        );
        // Other ORDO_ variables belong to the CLI and are left alone.
        assert!(
            ServeConfig::parse(None, env(&[("ORDO_TOKEN", "t"), ("ORDO_PASSWORD", "p")])).is_ok()
        );
    }

    #[test]
    fn backups_are_off_at_zero_minutes_and_go_where_dir_says() {
        let off = ServeConfig::parse(None, env(&[("ORDO_BACKUP_EVERY_MINUTES", "0")])).unwrap();
        assert_eq!(off.backup_plan(Path::new("d")), None);
        let there = ServeConfig::parse(None, env(&[("ORDO_BACKUP_DIR", "/b")])).unwrap();
        assert_eq!(
            there.backup_plan(Path::new("d")).unwrap().dir,
            Path::new("/b")
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug_and_never_echoed_in_errors() {
        let config = ServeConfig::parse(
            None,
            env(&[
                ("ORDO_TWILIO_AUTH_TOKEN", "s3cr3t-token-value"),
                ("ORDO_TWILIO_ACCOUNT_SID", "AC123"),
                ("ORDO_TWILIO_FROM", "+15550001111"),
                ("ORDO_TWILIO_API_URL", "http://127.0.0.1:9999/"),
                ("ORDO_PUBLIC_URL", "https://shop.example.com/"),
            ]),
        )
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
        let twilio = config.twilio();
        assert_eq!(
            twilio.auth_token.as_ref().map(Secret::expose),
            Some("s3cr3t-token-value")
        );
        assert_eq!(twilio.api_url, "http://127.0.0.1:9999");
        assert_eq!(config.public_url(), Some("https://shop.example.com"));
        let wrong = error(Some("[twilio]\nauth_token = 12345\n"), &[]);
        assert!(!wrong.contains("12345"), "{wrong}");
    }

    #[test]
    fn the_telegram_token_is_a_redacted_secret_and_the_api_url_a_base_url() {
        let config = ServeConfig::parse(
            Some((
                "ordo.toml",
                "[telegram]\napi_url = \"http://127.0.0.1:7777/\"\n",
            )),
            env(&[("ORDO_TELEGRAM_TOKEN", "123456:tg-s3cr3t")]),
        )
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("tg-s3cr3t"), "{printed}");
        let telegram = config.telegram();
        assert_eq!(
            telegram.token.as_ref().map(Secret::expose),
            Some("123456:tg-s3cr3t")
        );
        assert_eq!(telegram.api_url, "http://127.0.0.1:7777");
        let default = ServeConfig::parse(None, env(&[])).unwrap();
        assert_eq!(default.telegram().token, None);
        assert_eq!(default.telegram().api_url, DEFAULT_TELEGRAM_API_URL);
        assert!(
            error(None, &[("ORDO_TELEGRAM_API_URL", "not a url")])
                .starts_with("ORDO_TELEGRAM_API_URL")
        );
        let wrong = error(Some("[telegram]\ntoken = 987654\n"), &[]);
        assert!(!wrong.contains("987654"), "{wrong}");
    }

    #[test]
    fn non_loopback_addresses_are_told_apart() {
        assert!(ListenAddress::parse("[::1]:80").unwrap().is_loopback());
        assert!(ListenAddress::parse("127.0.0.2:80").unwrap().is_loopback());
        assert!(!ListenAddress::parse("0.0.0.0:80").unwrap().is_loopback());
        assert!(!ListenAddress::parse("192.0.2.1:80").unwrap().is_loopback());
    }

    #[test]
    fn payment_gateways_are_read_from_nested_sections_and_the_environment() {
        let file =
            "[payments.stripe]\nbase_url = \"http://127.0.0.1:9\"\nsecret_key = \"sk_test_1\"\n";
        let config = ServeConfig::parse(
            Some(("ordo.toml", file)),
            env(&[("ORDO_PAYMENTS_STRIPE_WEBHOOK_SECRET", "whsec_1")]),
        )
        .unwrap();
        let stripe = config.payment_gateway("stripe").unwrap();
        assert_eq!(stripe.base_url, "http://127.0.0.1:9");
        assert_eq!(
            stripe.secret_key.as_ref().map(Secret::expose),
            Some("sk_test_1")
        );
        assert_eq!(
            stripe.webhook_secret.as_ref().map(Secret::expose),
            Some("whsec_1")
        );
        assert_eq!(config.payment_webhooks(), vec!["stripe"]);
        assert!(!format!("{config:?}").contains("whsec_1"));
        assert!(config.payment_gateway("paypal").is_none());
        assert!(ServeConfig::default().payment_webhooks().is_empty());
        let wrong = ServeConfig::parse(
            Some(("ordo.toml", "[payments.stripe]\nkey = \"x\"\n")),
            env(&[]),
        );
        assert!(wrong.is_err());
    }

    #[test]
    fn carrier_secrets_are_read_from_nested_sections_and_the_environment() {
        let file = "[carriers.dhl]\nsecret = \"dhl_file\"\n[carriers.ups]\nsecret = \"ups_file\"\n";
        let config = ServeConfig::parse(
            Some(("ordo.toml", file)),
            env(&[
                ("ORDO_CARRIERS_DHL_SECRET", "dhl_env"),
                ("ORDO_CARRIERS_ROYALMAIL_SECRET", "rm_env"),
            ]),
        )
        .unwrap();
        assert_eq!(
            config.carrier_secret("dhl").map(Secret::expose),
            Some("dhl_env"),
            "the environment wins"
        );
        assert_eq!(
            config.carrier_secret("ups").map(Secret::expose),
            Some("ups_file")
        );
        assert_eq!(config.carrier_webhooks(), vec!["dhl", "royalmail", "ups"]);
        assert!(config.carrier_secret("fedex").is_none());
        let debug = format!("{config:?}");
        assert!(!debug.contains("dhl_env") && !debug.contains("ups_file"));
        assert!(ServeConfig::default().carrier_webhooks().is_empty());
        for carrier in CARRIERS {
            assert!(KEYS.contains(&format!("carriers.{carrier}.secret").as_str()));
        }
        for wrong in [
            "[carriers.acme]\nsecret = \"x\"\n",
            "[carriers.dhl]\nkey = \"x\"\n",
            "[carriers.dhl]\nsecret = \"\"\n",
        ] {
            assert!(
                ServeConfig::parse(Some(("ordo.toml", wrong)), env(&[])).is_err(),
                "{wrong}"
            );
        }
        assert!(ServeConfig::parse(None, env(&[("ORDO_CARRIERS_ACME_SECRET", "x")])).is_err());
    }

    #[test]
    fn the_example_file_parses_and_documents_every_key() {
        let example = include_str!("../../docs/ordo.example.toml");
        let config = ServeConfig::parse(Some(("docs/ordo.example.toml", example)), env(&[]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.listen().to_string(), DEFAULT_LISTEN);
        for key in KEYS {
            let (section, name) = key.split_once('.').unwrap_or(("", key));
            assert!(
                example.contains(&format!("{name} =")) && example.contains(&env_name(key)),
                "{key} ({}) is not documented in docs/ordo.example.toml",
                env_name(key)
            );
            if !section.is_empty() {
                assert!(
                    example.contains(&format!("[{section}]")),
                    "[{section}] missing"
                );
            }
        }
    }
}
