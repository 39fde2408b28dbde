#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ordo_bots::telegram::fuzzing::telegram_command(data));
