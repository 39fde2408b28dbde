#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ordo_bots::sms::fuzzing::sms_command(data));
