#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ordo_storage::fuzzing::decode_everything(data));
