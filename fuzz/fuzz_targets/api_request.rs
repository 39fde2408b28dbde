#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ordo_ffi::fuzzing::api_request(data));
