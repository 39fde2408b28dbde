#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ordo_storage::fuzzing::log_recovery(data));
