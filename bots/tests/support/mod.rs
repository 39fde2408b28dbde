//! Support for the integration tests: `mod support;` in each test file. Each test binary
//! uses part of it, hence `dead_code` is allowed here.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod fake_telegram;
pub mod fake_twilio;
