//! [`EnginePool`]: the one way async code reaches the engine.
//!
//! The engine is synchronous (it waits for `fsync`s, and argon2 runs inside login), so a
//! call on an async worker would stall every connection that worker serves. Every call
//! runs on tokio's blocking threads instead, at most `blocking_threads` at once (a
//! [`Semaphore`]): more requests wait for a permit, so a burst of logins cannot start a
//! thread per request.

use std::sync::Arc;

use ordo_core::Engine;
use ordo_core::store::Store;
use tokio::sync::Semaphore;

/// Why a call did not run to its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The pool is closed: the service is shutting down.
    #[error("the service is shutting down")]
    Closed,
    /// The call panicked (a bug): reported as an internal error, never a crash.
    #[error("an engine call failed unexpectedly: {0}")]
    Failed(String),
}

/// The engine behind a bounded set of blocking threads.
pub struct EnginePool<S: Store> {
    engine: Arc<Engine<S>>,
    permits: Arc<Semaphore>,
    size: usize,
}

impl<S: Store> Clone for EnginePool<S> {
    fn clone(&self) -> Self {
        EnginePool {
            engine: self.engine.clone(),
            permits: self.permits.clone(),
            size: self.size,
        }
    }
}

impl<S: Store> std::fmt::Debug for EnginePool<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnginePool")
            .field("size", &self.size)
            .field("available", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl<S: Store + Send + Sync + 'static> EnginePool<S> {
    /// `engine` with at most `size` calls at once (at least 1).
    pub fn new(engine: Engine<S>, size: usize) -> EnginePool<S> {
        let size = size.max(1);
        EnginePool {
            engine: Arc::new(engine),
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }

    /// How many calls may run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `call` on a blocking thread once a permit is free, and waits for its result.
    ///
    /// # Errors
    /// [`PoolError::Closed`] after [`EnginePool::close`]; [`PoolError::Failed`] if `call`
    /// panicked.
    pub async fn run<T, F>(&self, call: F) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce(&Engine<S>) -> T + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| PoolError::Closed)?;
        let engine = self.engine.clone();
        let handle = tokio::task::spawn_blocking(move || {
            let result = call(&engine);
            drop(permit);
            result
        });
        handle.await.map_err(|e| PoolError::Failed(e.to_string()))
    }

    /// Refuses calls from now on; calls already running finish.
    pub fn close(&self) {
        self.permits.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use ordo_core::store::MemoryStore;
    use ordo_core::testkit::sample;

    fn pool(size: usize) -> EnginePool<MemoryStore> {
        EnginePool::new(
            sample::engine_with_cheap_passwords(MemoryStore::new(), 1).0,
            size,
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_calls_run_at_once_than_the_pool_has_permits() {
        let pool = pool(3);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut calls = Vec::new();
        for _ in 0..12 {
            let pool = pool.clone();
            let (running, most) = (running.clone(), most.clone());
            calls.push(tokio::spawn(async move {
                pool.run(move |_engine| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        let mut done = 0;
        for call in calls {
            call.await.unwrap().unwrap();
            done += 1;
        }
        assert_eq!(done, 12);
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_closed_pool_refuses_and_a_panicking_call_is_an_error() {
        let pool = pool(2);
        assert_eq!(pool.run(|_| 7).await, Ok(7));
        #[allow(clippy::panic)]
        let failed = pool.run(|_| -> u8 { panic!("boom") }).await;
        assert!(matches!(failed, Err(PoolError::Failed(_))), "{failed:?}");
        // The permit of the call that panicked came back.
        assert_eq!(pool.run(|_| 8).await, Ok(8));
        pool.close();
        assert_eq!(pool.run(|_| 9).await, Err(PoolError::Closed));
    }
}
