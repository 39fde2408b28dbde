//! Time enters the engine only through [`Clock`]; the engine, not the caller, assigns time.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, format_description::well_known::Rfc3339};

use crate::error::{Error, Result};

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

impl Timestamp {
    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// Midnight UTC at the start of `date` (`YYYY-MM-DD`).
    ///
    /// # Errors
    /// `Validation` naming `field` if the text is not a calendar date.
    pub fn parse_date(text: &str, field: &str) -> Result<Timestamp> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = Date::parse(text.trim(), &format).map_err(|_| {
            Error::invalid(field, format!("{text:?} is not a date like 2026-11-21"))
        })?;
        let seconds = date.midnight().assume_utc().unix_timestamp();
        Ok(Timestamp(seconds.saturating_mul(1000)))
    }

    /// The timestamp plus `ms` milliseconds (saturating).
    pub fn plus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = i128::from(self.0) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| t.replace_nanosecond(0).ok())
            .and_then(|t| t.format(&Rfc3339).ok())
        {
            Some(text) => f.write_str(&text),
            None => write!(f, "@{}ms", self.0),
        }
    }
}

/// Where the engine reads the time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Timestamp(millis)
    }
}

/// A clock that only moves when told to (tests and simulation).
#[derive(Debug)]
pub struct ManualClock {
    now_ms: AtomicI64,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock {
            now_ms: AtomicI64::new(start.0),
        }
    }

    /// Moves the clock forward by `ms`.
    pub fn advance(&self, ms: i64) {
        self.now_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        self.now_ms.store(at.0, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.now_ms.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_formats_rfc3339() {
        let t = Timestamp::parse_date("2026-11-21", "from").unwrap();
        assert_eq!(t.to_string(), "2026-11-21T00:00:00Z");
        assert!(Timestamp::parse_date("2026-13-01", "from").is_err());
        assert!(Timestamp::parse_date("yesterday", "from").is_err());
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(Timestamp(1000));
        assert_eq!(c.now(), Timestamp(1000));
        c.advance(500);
        assert_eq!(c.now(), Timestamp(1500));
    }
}
