//! Caching credentials until shortly before they expire, one refresh at a time.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, SystemTime};

use super::types::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::http::BoxFuture;

/// Cached credentials are refreshed this long before they expire.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// Caches another provider's credentials until 5 minutes before they expire; credentials
/// without an expiry are cached for good. Errors are not cached. One refresh runs at a time:
/// concurrent callers wait for it and share its outcome, blocking callers on a condition
/// variable, async ones as a pending future (the refresh itself runs on a blocking thread, so a
/// `credential_process` never blocks an async executor).
pub struct CachingProvider<P> {
    inner: Arc<P>,
    cache: Arc<Cache>,
}

#[derive(Default)]
struct Cache {
    state: Mutex<CacheState>,
    refreshed: Condvar,
}

#[derive(Default)]
struct CacheState {
    credentials: Option<Credentials>,
    /// A refresh is running.
    refreshing: bool,
    /// Counts finished refreshes: a waiter takes the outcome of the one it waited for.
    generation: u64,
    /// The outcome of the last finished refresh.
    outcome: Option<Result<Credentials, CredentialsError>>,
    /// Async callers waiting for the running refresh.
    wakers: Vec<Waker>,
}

impl CacheState {
    fn fresh(&self) -> Option<Credentials> {
        self.credentials.as_ref().filter(|c| is_fresh(c, SystemTime::now())).cloned()
    }

    /// The outcome of the refresh that was running at `generation`, once it has finished.
    fn outcome_since(&self, generation: u64) -> Option<Result<Credentials, CredentialsError>> {
        if self.generation == generation {
            return None;
        }
        Some(self.outcome.clone().unwrap_or_else(|| Err(CredentialsError::new("the credentials refresh failed"))))
    }
}

impl Cache {
    fn lock(&self) -> MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a refresh's outcome and wakes everyone waiting for it.
    fn finish(&self, outcome: Result<Credentials, CredentialsError>) -> Result<Credentials, CredentialsError> {
        let wakers = {
            let mut state = self.lock();
            if let Ok(credentials) = &outcome {
                state.credentials = Some(credentials.clone());
            }
            state.outcome = Some(outcome.clone());
            state.generation += 1;
            state.refreshing = false;
            std::mem::take(&mut state.wakers)
        };
        self.refreshed.notify_all();
        wakers.into_iter().for_each(Waker::wake);
        outcome
    }
}

/// Ends a refresh even if the provider panics, so that waiters are not left waiting.
struct RefreshGuard<'a>(Option<&'a Cache>);

impl RefreshGuard<'_> {
    fn finish(mut self, outcome: Result<Credentials, CredentialsError>) -> Result<Credentials, CredentialsError> {
        match self.0.take() {
            Some(cache) => cache.finish(outcome),
            None => outcome,
        }
    }
}

impl Drop for RefreshGuard<'_> {
    fn drop(&mut self) {
        if let Some(cache) = self.0.take() {
            let _ = cache.finish(Err(CredentialsError::new("the credentials provider panicked")));
        }
    }
}

impl<P: ProvideCredentials + 'static> CachingProvider<P> {
    /// Wraps `inner`; the first call asks it for credentials.
    pub fn new(inner: P) -> Self {
        Self { inner: Arc::new(inner), cache: Arc::default() }
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// Drops the cached credentials, so the next call asks the wrapped provider again (e.g.
    /// after the service rejected them).
    pub fn invalidate(&self) {
        self.cache.lock().credentials = None;
    }
}

impl<P: ProvideCredentials + 'static> ProvideCredentials for CachingProvider<P> {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let mut state = self.cache.lock();
        if let Some(credentials) = state.fresh() {
            return Ok(credentials);
        }
        if state.refreshing {
            let generation = state.generation;
            let state = self
                .cache
                .refreshed
                .wait_while(state, |s| s.generation == generation)
                .unwrap_or_else(PoisonError::into_inner);
            return state.outcome_since(generation).unwrap_or_else(|| Err(CredentialsError::new("no refresh")));
        }
        state.refreshing = true;
        drop(state);
        let guard = RefreshGuard(Some(&self.cache));
        guard.finish(self.inner.provide_credentials())
    }

    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let (inner, cache) = (self.inner.clone(), self.cache.clone());
        let mut waiting_for: Option<u64> = None;
        Box::pin(std::future::poll_fn(move |cx| {
            let mut state = cache.lock();
            if let Some(generation) = waiting_for {
                if let Some(outcome) = state.outcome_since(generation) {
                    return Poll::Ready(outcome);
                }
            } else if let Some(credentials) = state.fresh() {
                return Poll::Ready(Ok(credentials));
            } else {
                waiting_for = Some(state.generation);
                if !state.refreshing {
                    state.refreshing = true;
                    let (inner, refresh_cache) = (inner.clone(), cache.clone());
                    let spawned = spawn_blocking(move || {
                        let guard = RefreshGuard(Some(&refresh_cache));
                        let _ = guard.finish(inner.provide_credentials());
                    });
                    if let Err(e) = spawned {
                        state.refreshing = false;
                        return Poll::Ready(Err(e));
                    }
                }
            }
            if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                state.wakers.push(cx.waker().clone());
            }
            Poll::Pending
        }))
    }
}

/// Runs a refresh off the caller's thread: on the blocking threads of the credential fetches'
/// background runtime, which are kept and reused.
#[cfg(feature = "reqwest-client")]
fn spawn_blocking(refresh: impl FnOnce() + Send + 'static) -> Result<(), CredentialsError> {
    super::fetch::background_runtime()?.spawn_blocking(refresh);
    Ok(())
}

/// Runs a refresh off the caller's thread: on a thread of its own, as no tokio runtime is built in.
#[cfg(not(feature = "reqwest-client"))]
fn spawn_blocking(refresh: impl FnOnce() + Send + 'static) -> Result<(), CredentialsError> {
    std::thread::Builder::new()
        .name("ec2-sg-credentials-refresh".into())
        .spawn(refresh)
        .map(drop)
        .map_err(|e| CredentialsError::new("cannot start a thread to refresh credentials").with_source(e))
}

fn is_fresh(credentials: &Credentials, now: SystemTime) -> bool {
    match credentials.expiry() {
        None => true,
        Some(expiry) => now.checked_add(REFRESH_BEFORE_EXPIRY).is_some_and(|refresh_at| refresh_at < expiry),
    }
}

impl<P: fmt::Debug> fmt::Debug for CachingProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.cache.state.lock().map(|c| c.credentials.is_some()).unwrap_or(false);
        f.debug_struct("CachingProvider").field("inner", &self.inner).field("cached", &cached).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::credentials::*;

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    // --- caching ---

    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        expires_in: Option<Duration>,
        fail: bool,
    }

    impl Counting {
        fn new(expires_in: Option<Duration>) -> Self {
            Self { calls: AtomicUsize::new(0), expires_in, fail: false }
        }

        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if self.fail {
                return Err(CredentialsError::new("boom"));
            }
            let expiry = self.expires_in.map(|d| SystemTime::now() + d);
            Ok(Credentials::new(format!("AKID{n}"), "s", None, expiry, "counting"))
        }
    }

    #[test]
    fn caches_until_five_minutes_before_expiry() {
        let cache = CachingProvider::new(Counting::new(Some(Duration::from_secs(3600))));
        assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID1");
        assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID1");
        assert_eq!(cache.inner().calls(), 1);
        cache.invalidate();
        assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID2");

        // Expiring within the 5-minute window: refreshed on every call.
        let soon = CachingProvider::new(Counting::new(Some(Duration::from_secs(120))));
        soon.provide_credentials().unwrap();
        assert_eq!(soon.provide_credentials().unwrap().access_key_id(), "AKID2");
        assert_eq!(soon.inner().calls(), 2);
    }

    #[test]
    fn caches_credentials_without_expiry_forever() {
        let cache = CachingProvider::new(Counting::new(None));
        for _ in 0..5 {
            assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID1");
        }
        assert_eq!(cache.inner().calls(), 1);
    }

    #[test]
    fn errors_are_not_cached() {
        let cache = CachingProvider::new(Counting { fail: true, ..Counting::new(None) });
        assert!(cache.provide_credentials().is_err());
        assert!(cache.provide_credentials().is_err());
        assert_eq!(cache.inner().calls(), 2);
    }

    #[test]
    fn cache_is_shared_across_threads() {
        let cache = Arc::new(CachingProvider::new(Counting::new(Some(Duration::from_secs(3600)))));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let cache = Arc::clone(&cache);
                std::thread::spawn(move || cache.provide_credentials().unwrap().access_key_id().to_owned())
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), "AKID1");
        }
        assert_eq!(cache.inner().calls(), 1);
    }

    #[derive(Debug)]
    struct Panicking;

    impl ProvideCredentials for Panicking {
        fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
            panic!("a provider bug")
        }
    }

    /// Polls a future to completion on this thread (the async path needs no runtime).
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut context = std::task::Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            match future.as_mut().poll(&mut context) {
                Poll::Ready(value) => return value,
                Poll::Pending => std::thread::park_timeout(Duration::from_millis(50)),
            }
        }
    }

    #[test]
    fn the_async_path_refreshes_off_thread_and_caches() {
        let cache = CachingProvider::new(Counting::new(Some(Duration::from_secs(3600))));
        assert_eq!(block_on(cache.provide_credentials_async()).unwrap().access_key_id(), "AKID1");
        assert_eq!(block_on(cache.provide_credentials_async()).unwrap().access_key_id(), "AKID1");
        assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID1");
        assert_eq!(cache.inner().calls(), 1);
        let failing = CachingProvider::new(Counting { fail: true, ..Counting::new(None) });
        assert!(block_on(failing.provide_credentials_async()).is_err());
        assert!(block_on(failing.provide_credentials_async()).is_err());
        assert_eq!(failing.inner().calls(), 2, "errors are not cached");
    }

    #[test]
    fn a_panicking_provider_leaves_no_one_waiting() {
        let cache = CachingProvider::new(Panicking);
        let error = block_on(cache.provide_credentials_async()).unwrap_err();
        assert!(error.to_string().contains("panicked"), "{error}");
        // The next caller starts a new refresh rather than waiting for the dead one.
        assert!(block_on(cache.provide_credentials_async()).is_err());
    }

    #[test]
    fn freshness_boundaries() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let at = |secs| Credentials::new("a", "s", None, Some(now + Duration::from_secs(secs)), "test");
        assert!(is_fresh(&at(301), now));
        assert!(!is_fresh(&at(300), now));
        assert!(!is_fresh(&Credentials::new("a", "s", None, Some(SystemTime::UNIX_EPOCH), "test"), now));
    }
}
