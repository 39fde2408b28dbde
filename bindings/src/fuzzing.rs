//! The body of the `api_request` fuzz target (feature `fuzzing`): arbitrary bytes as
//! requests through [`crate::ordo_execute`] on a memory engine, exactly as a C host sends
//! them. `cargo test` replays the committed corpus through the same function.

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use std::sync::Arc;

use ordo_core::clock::{ManualClock, Timestamp};
use ordo_core::random::SeededRandom;
use ordo_core::store::MemoryStore;
use ordo_core::{Engine, EngineConfig};

use crate::{OrdoEngine, ordo_execute, ordo_string_free};

/// At most this many requests per input.
const MAX_REQUESTS: usize = 16;

/// Runs `data` as up to 16 requests on a fresh memory engine: the bytes between NULs are
/// one request each (a C string cannot hold a NUL, so the split loses nothing a host could
/// send), so one input can create a product and then order it. Any bytes, UTF-8 or not.
///
/// # Panics
/// When the library breaks its contract: no response, a response that is not JSON or
/// whose `ok`/`error` disagrees with the status, a status outside 0 to 6, or status 1
/// (internal: a panic caught at the boundary, or a bug) — the fuzzer reports these.
pub fn api_request(data: &[u8]) {
    let engine = OrdoEngine::on_memory(
        Engine::new(
            MemoryStore::new(),
            Arc::new(ManualClock::new(Timestamp(1_767_225_600_000))),
            Arc::new(SeededRandom::from_seed([7; 32])),
            EngineConfig::default(),
        ),
        "fuzz",
    );
    let handle = ptr::from_ref(&engine).cast_mut();
    for request in data.split(|byte| *byte == 0).take(MAX_REQUESTS) {
        let Ok(request) = CString::new(request) else {
            continue;
        };
        check_one(handle, &request);
    }
}

/// Sends one request and checks the answer keeps the contract.
fn check_one(handle: *mut OrdoEngine, request: &CStr) {
    let mut response: *mut c_char = ptr::null_mut();
    // SAFETY: `handle` points to a live engine, `request` is NUL-terminated and
    // `response` is a writable `char *`.
    let status = unsafe { ordo_execute(handle, request.as_ptr(), &raw mut response) };
    assert!(!response.is_null(), "ordo_execute set no response");
    // SAFETY: `ordo_execute` set `response` to a NUL-terminated string it allocated.
    let text = unsafe { CStr::from_ptr(response) }
        .to_str()
        .map(str::to_owned);
    // SAFETY: `response` came from `ordo_execute` and is freed once.
    unsafe { ordo_string_free(response) };
    let text = text.unwrap_or_else(|e| unreachable_contract(&format!("response not UTF-8: {e}")));
    let value: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| unreachable_contract(&format!("response not JSON ({e}): {text}")));
    assert!((0..=6).contains(&status), "status {status}: {text}");
    assert_ne!(status, 1, "internal error: {text}");
    assert_eq!(
        value.get("ok").is_some(),
        status == 0,
        "status {status} but {text}"
    );
    assert_eq!(
        value.get("error").is_some(),
        status != 0,
        "status {status} but {text}"
    );
}

/// A broken contract: the fuzzer reports it as a crash.
#[allow(clippy::panic)] // the fuzz body's way to report a finding
fn unreachable_contract(what: &str) -> ! {
    panic!("ordo-ffi broke its contract: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_requests_keep_the_contract() {
        api_request(b"{\"op\": \"product.list\"}\0{\"op\": 7}\0\xff\xfe\0[[[[\0");
    }
}
