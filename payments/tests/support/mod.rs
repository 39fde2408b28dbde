//! Test support: the fake gateway server.
pub mod fake_stripe;
