//! The engine handle a host holds: an engine on the store it chose, and who the host is.

use std::ffi::CStr;
use std::path::PathBuf;

use ordo_api::{ApiError, Caller, Response, execute_json};
use ordo_core::Engine;
use ordo_core::store::MemoryStore;
use ordo_storage::{SledStore, StoreConfig};

use crate::options::{Options, StoreChoice};

/// An open engine (opaque to C): created by `ordo_engine_open`, released by
/// `ordo_engine_close`, shared by any number of threads in between.
pub struct OrdoEngine {
    engine: AnyEngine,
    caller: Caller,
}

/// `Engine<S>` is generic over its store; a host picks one at run time.
enum AnyEngine {
    Sled(Engine<SledStore>),
    Memory(Engine<MemoryStore>),
    /// Panics on every request: proves in tests that a panic stops at the boundary.
    #[cfg(test)]
    Panicking,
}

/// One handle serves several threads at once: `ordo_execute` reads it through `&`.
const _: () = {
    const fn shared_across_threads<T: Send + Sync>() {}
    shared_across_threads::<OrdoEngine>();
};

impl OrdoEngine {
    /// Opens the store `options` ask for (in `data_dir` for sled) and an engine on it,
    /// seeded with 32 bytes from the operating system.
    ///
    /// # Errors
    /// A message: no `data_dir` for sled, a directory that cannot be created, is in use
    /// by another process or holds unreadable data, no randomness from the OS.
    pub(crate) fn open(data_dir: Option<&CStr>, options: &Options) -> Result<OrdoEngine, String> {
        let seed = os_seed()?;
        let engine = match options.store {
            StoreChoice::Memory => {
                AnyEngine::Memory(Engine::with_defaults(MemoryStore::new(), seed))
            }
            StoreChoice::Sled(durability) => {
                let dir = path(data_dir.ok_or(
                    "data_dir is NULL: the sled store needs a directory (or pass {\"store\": \"memory\"})",
                )?)?;
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create data directory {}: {e}", dir.display()))?;
                let store = SledStore::open(&dir, StoreConfig::new(durability))
                    .map_err(|e| ordo_core::Error::from(e).to_string())?;
                AnyEngine::Sled(Engine::with_defaults(store, seed))
            }
        };
        Ok(OrdoEngine {
            engine,
            caller: Caller::Local {
                name: options.actor_name.clone(),
            },
        })
    }

    /// A handle whose every request panics (tests of the panic boundary).
    #[cfg(test)]
    pub(crate) fn panicking() -> OrdoEngine {
        OrdoEngine {
            engine: AnyEngine::Panicking,
            caller: Caller::Remote,
        }
    }

    /// An engine on a memory store with a given engine (the fuzz body's fixed seed and
    /// clock make its runs repeatable).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn on_memory(engine: Engine<MemoryStore>, actor_name: &str) -> OrdoEngine {
        OrdoEngine {
            engine: AnyEngine::Memory(engine),
            caller: Caller::Local {
                name: actor_name.to_string(),
            },
        }
    }
}

/// Runs `request` (as C gave it) on `engine` through ordo-api. NULL arguments and text
/// that is not UTF-8 are answered here; everything else is `execute_json`'s.
pub(crate) fn execute(engine: Option<&OrdoEngine>, request: Option<&CStr>) -> Response {
    let Some(engine) = engine else {
        return bad_request(
            "null_engine",
            "engine is NULL: open one with ordo_engine_open",
        );
    };
    let Some(request) = request else {
        return bad_request("null_request", "request_json is NULL");
    };
    let text = match request.to_str() {
        Ok(text) => text,
        Err(e) => {
            return bad_request(
                "invalid_utf8",
                format!("request_json is not UTF-8 (at byte {})", e.valid_up_to()),
            );
        }
    };
    match &engine.engine {
        AnyEngine::Sled(sled) => execute_json(sled, &engine.caller, text),
        AnyEngine::Memory(memory) => execute_json(memory, &engine.caller, text),
        #[cfg(test)]
        #[allow(clippy::panic)] // the panic under test
        AnyEngine::Panicking => panic!("a bug deep inside ({text})"),
    }
}

fn bad_request(code: &str, message: impl Into<String>) -> Response {
    Response::error(ApiError::bad_request(code, message), None)
}

/// `data_dir` as a path: its bytes as they are on Unix, UTF-8 elsewhere.
fn path(data_dir: &CStr) -> Result<PathBuf, String> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(
            data_dir.to_bytes(),
        )))
    }
    #[cfg(not(unix))]
    {
        data_dir
            .to_str()
            .map(PathBuf::from)
            .map_err(|e| format!("data_dir is not UTF-8: {e}"))
    }
}

/// 32 bytes from the operating system's random source (session tokens, references and
/// verification secrets come from the generator they seed).
fn os_seed() -> Result<[u8; 32], String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| format!("cannot read random bytes from the operating system: {e}"))?;
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> OrdoEngine {
        let options = Options {
            store: StoreChoice::Memory,
            actor_name: "test".into(),
        };
        OrdoEngine::open(None, &options).unwrap()
    }

    fn code(response: &Response) -> String {
        match &response.outcome {
            ordo_api::Outcome::Error(error) => error.code.clone(),
            ordo_api::Outcome::Ok(value) => panic!("not an error: {value}"),
        }
    }

    #[test]
    fn requests_reach_the_api_and_bad_arguments_are_answered() {
        let engine = memory();
        let ok = execute(Some(&engine), Some(c"{\"op\": \"product.list\"}"));
        assert_eq!(ok.status(), 0, "{}", ok.to_json());
        let unknown = execute(Some(&engine), Some(c"{\"op\": \"product.fly\"}"));
        assert_eq!((unknown.status(), code(&unknown)), (2, "unknown_op".into()));
        let none = execute(None, Some(c"{}"));
        assert_eq!((none.status(), code(&none)), (2, "null_engine".into()));
        let none = execute(Some(&engine), None);
        assert_eq!((none.status(), code(&none)), (2, "null_request".into()));
        let bytes = std::ffi::CString::new(vec![b'{', 0xc3, b'}']).unwrap();
        let invalid = execute(Some(&engine), Some(&bytes));
        assert_eq!(
            (invalid.status(), code(&invalid)),
            (2, "invalid_utf8".into())
        );
    }

    #[test]
    fn sled_needs_a_directory_and_reports_one_in_use() {
        let options = Options {
            store: StoreChoice::Sled(ordo_storage::Durability::Immediate),
            actor_name: "test".into(),
        };
        let error = OrdoEngine::open(None, &options).err().unwrap();
        assert!(error.contains("data_dir is NULL"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let path = std::ffi::CString::new(dir.path().join("store").to_str().unwrap()).unwrap();
        let first = OrdoEngine::open(Some(&path), &options).unwrap();
        let second = OrdoEngine::open(Some(&path), &options).err().unwrap();
        assert!(second.contains("in use"), "{second}");
        drop(first);
        assert!(OrdoEngine::open(Some(&path), &options).is_ok());
    }
}
