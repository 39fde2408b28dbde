#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ordo_core::testkit::fuzz::parsers(data));
