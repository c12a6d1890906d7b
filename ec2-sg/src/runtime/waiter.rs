//! The waiter loop behind the generated `client.wait_until_…()` builders, with botocore's
//! semantics (the model is botocore's `waiters-2.json`):
//!
//! 1. call the operation (one call, with the client's own retries);
//! 2. evaluate the acceptors in order; the first that matches decides: `success` ends the wait
//!    with that answer, `failure` ends it with [`WaiterErrorKind::FailureState`], `retry` polls again;
//! 3. when none matches, a successful answer is polled again and an error ends the wait
//!    ([`WaiterErrorKind::OperationFailed`]);
//! 4. between attempts, sleep the model's fixed `delay` (botocore's, not the Smithy SDKs' jittered
//!    backoff); after `maxAttempts` attempts give up ([`WaiterErrorKind::MaxAttemptsExceeded`]), and
//!    never start an attempt after `max_wait` ([`WaiterErrorKind::ExceededMaxWait`]).
//!
//! Time is injectable: the sleep is the client's [`AsyncSleep`] (or the builder's `sleep_impl`),
//! [`BlockingSleep`] for the blocking client, and the elapsed time is the larger of the wall clock
//! and the total requested sleep — so a sleep that returns at once makes a six-attempt wait take
//! milliseconds of wall time while `max_wait` still counts the model's delays.

use super::http::AsyncSleep;
use super::sdk_error::Error;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A waiter of the model: its name, operation, delay and attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaiterSpec {
    /// The waiter's name in the model (`SecurityGroupExists`).
    pub name: &'static str,
    /// The operation it polls.
    pub operation: &'static str,
    /// The fixed delay between attempts.
    pub delay: Duration,
    /// The most attempts made (at least 1).
    pub max_attempts: u32,
}

/// What a matching acceptor decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    /// The wait is over: the resource is in the state waited for.
    Success,
    /// The wait is over: the resource will never reach that state.
    Failure,
    /// Poll again.
    Retry,
}

/// A blocking sleep, for the blocking client's waiters. Closures `Fn(Duration)` are sleeps.
pub trait BlockingSleep: Send + Sync {
    /// Returns after `duration` (or at once, in tests).
    fn sleep(&self, duration: Duration);
}

impl<F: Fn(Duration) + Send + Sync> BlockingSleep for F {
    fn sleep(&self, duration: Duration) {
        self(duration)
    }
}

/// Sleeps the current thread: the blocking waiters' default.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleep;

impl BlockingSleep for ThreadSleep {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration)
    }
}

/// A sleep chosen for one waiter with its builder's `sleep_impl`.
#[derive(Clone)]
pub enum WaiterSleep {
    /// For the async client.
    Async(Arc<dyn AsyncSleep>),
    /// For the blocking client.
    Blocking(Arc<dyn BlockingSleep>),
}

impl WaiterSleep {
    /// An async sleep.
    pub fn asynchronous(sleep: impl AsyncSleep + 'static) -> Self {
        Self::Async(Arc::new(sleep))
    }

    /// A blocking sleep.
    pub fn blocking(sleep: impl BlockingSleep + 'static) -> Self {
        Self::Blocking(Arc::new(sleep))
    }
}

impl fmt::Debug for WaiterSleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Async(sleep) => f.debug_tuple("Async").field(sleep).finish(),
            Self::Blocking(_) => f.write_str("Blocking(..)"),
        }
    }
}

/// The async sleep a waiter of `client` uses: the builder's, else the client configuration's.
pub fn async_sleep(client: &super::client::Client, chosen: Option<WaiterSleep>) -> Option<Arc<dyn AsyncSleep>> {
    match chosen {
        Some(WaiterSleep::Async(sleep)) => Some(sleep),
        _ => client.config().sleep.clone(),
    }
}

/// How a wait ended well: the answer an acceptor accepted.
#[derive(Debug)]
pub struct WaiterOutcome<O> {
    result: Result<O, Error>,
    attempts: u32,
    elapsed: Duration,
}

impl<O> WaiterOutcome<O> {
    /// The accepted answer: usually an output, or the error a `success` error acceptor matched.
    pub fn as_result(&self) -> Result<&O, &Error> {
        self.result.as_ref()
    }

    /// The accepted answer, owned.
    pub fn into_result(self) -> Result<O, Error> {
        self.result
    }

    /// The accepted output, when the answer was one.
    pub fn output(&self) -> Option<&O> {
        self.result.as_ref().ok()
    }

    /// How many calls were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long the wait took (wall time, or the requested sleeps when longer).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// Why a wait failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaiterErrorKind {
    /// The next attempt would have started after `max_wait`.
    ExceededMaxWait,
    /// The model's `maxAttempts` were made and none reached a success state.
    MaxAttemptsExceeded,
    /// An acceptor in the `failure` state matched: the state waited for will not come.
    FailureState,
    /// The operation failed with an error no acceptor expects (or the waiter could not run: no
    /// async sleep configured, a configuration error with no attempt made).
    OperationFailed,
}

/// The error of a wait: why it ended, after how many attempts and how long, and the last answer.
pub struct WaiterError<O> {
    // Boxed: keeps `Result<_, WaiterError<_>>` small.
    inner: Box<ErrorInner<O>>,
}

struct ErrorInner<O> {
    kind: WaiterErrorKind,
    waiter: &'static str,
    attempts: u32,
    elapsed: Duration,
    max_wait: Duration,
    last: Result<O, Error>,
}

impl<O> WaiterError<O> {
    /// Why the wait ended.
    pub fn kind(&self) -> WaiterErrorKind {
        self.inner.kind
    }

    /// The waiter's name in the model.
    pub fn waiter(&self) -> &'static str {
        self.inner.waiter
    }

    /// How many calls were made.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// How long the wait took (wall time, or the requested sleeps when longer).
    pub fn elapsed(&self) -> Duration {
        self.inner.elapsed
    }

    /// The last answer: an output, or the operation's error.
    pub fn last(&self) -> Result<&O, &Error> {
        self.inner.last.as_ref()
    }

    /// The last answer, owned.
    pub fn into_last(self) -> Result<O, Error> {
        self.inner.last
    }

    /// The last output, when the last answer was one.
    pub fn output(&self) -> Option<&O> {
        self.inner.last.as_ref().ok()
    }

    /// The operation's error, when the last answer was one (always for `OperationFailed`).
    pub fn error(&self) -> Option<&Error> {
        self.inner.last.as_ref().err()
    }
}

impl<O> fmt::Display for WaiterError<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "waiter {}: ", i.waiter)?;
        match i.kind {
            WaiterErrorKind::ExceededMaxWait => {
                write!(f, "gave up: the next attempt would start after max_wait {:?}", i.max_wait)?
            }
            WaiterErrorKind::MaxAttemptsExceeded => {
                write!(f, "gave up: no success state after {} attempts", i.attempts)?
            }
            WaiterErrorKind::FailureState => f.write_str("a failure state was reached")?,
            WaiterErrorKind::OperationFailed => f.write_str("the operation failed")?,
        }
        write!(f, " ({} attempts, {:?})", i.attempts, i.elapsed)?;
        if let Err(error) = &i.last {
            write!(f, ": {error}")?;
        }
        Ok(())
    }
}

impl<O: fmt::Debug> fmt::Debug for WaiterError<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("WaiterError")
            .field("kind", &i.kind)
            .field("waiter", &i.waiter)
            .field("attempts", &i.attempts)
            .field("elapsed", &i.elapsed)
            .field("max_wait", &i.max_wait)
            .field("last", &i.last)
            .finish()
    }
}

impl<O: fmt::Debug> std::error::Error for WaiterError<O> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.last.as_ref().err().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Attempts made and time spent so far.
struct Progress {
    started: Instant,
    slept: Duration,
    attempts: u32,
}

impl Progress {
    fn start() -> Self {
        Self { started: Instant::now(), slept: Duration::ZERO, attempts: 0 }
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed().max(self.slept)
    }
}

/// After an attempt: the end of the wait, or `None` to sleep `spec.delay` and poll again.
fn judge<O>(
    spec: &WaiterSpec,
    max_wait: Duration,
    progress: &Progress,
    result: Result<O, Error>,
    acceptors: fn(&Result<O, Error>) -> Option<AcceptorState>,
) -> Option<Result<WaiterOutcome<O>, WaiterError<O>>> {
    let state = acceptors(&result);
    tracing::debug!(waiter = spec.name, attempt = progress.attempts, state = ?state, ok = result.is_ok(), "waiter attempt");
    let elapsed = progress.elapsed();
    let kind = match state {
        Some(AcceptorState::Success) => {
            return Some(Ok(WaiterOutcome { result, attempts: progress.attempts, elapsed }));
        }
        Some(AcceptorState::Failure) => WaiterErrorKind::FailureState,
        None if result.is_err() => WaiterErrorKind::OperationFailed,
        Some(AcceptorState::Retry) | None => {
            if progress.attempts >= spec.max_attempts {
                WaiterErrorKind::MaxAttemptsExceeded
            } else if elapsed.saturating_add(spec.delay) > max_wait {
                WaiterErrorKind::ExceededMaxWait
            } else {
                return None;
            }
        }
    };
    let inner = ErrorInner { kind, waiter: spec.name, attempts: progress.attempts, elapsed, max_wait, last: result };
    Some(Err(WaiterError { inner: Box::new(inner) }))
}

fn no_sleep<O>(spec: &WaiterSpec, max_wait: Duration) -> WaiterError<O> {
    let error = Error::configuration(
        "waiting needs an async sleep: set Config::builder().sleep_impl(..) or the waiter's sleep_impl(..)",
    )
    .for_operation(spec.operation, 0);
    let inner = ErrorInner {
        kind: WaiterErrorKind::OperationFailed,
        waiter: spec.name,
        attempts: 0,
        elapsed: Duration::ZERO,
        max_wait,
        last: Err(error),
    };
    WaiterError { inner: Box::new(inner) }
}

/// The async waiter loop: `attempt()` makes one call, `acceptors` judges its answer.
pub async fn wait_async<O, F, Fut>(
    spec: &WaiterSpec,
    max_wait: Duration,
    sleep: Option<Arc<dyn AsyncSleep>>,
    mut attempt: F,
    acceptors: fn(&Result<O, Error>) -> Option<AcceptorState>,
) -> Result<WaiterOutcome<O>, WaiterError<O>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<O, Error>>,
{
    let Some(sleep) = sleep else { return Err(no_sleep(spec, max_wait)) };
    let mut progress = Progress::start();
    loop {
        progress.attempts += 1;
        let result = attempt().await;
        if let Some(done) = judge(spec, max_wait, &progress, result, acceptors) {
            return done;
        }
        sleep.sleep(spec.delay).await;
        progress.slept += spec.delay;
    }
}

/// The blocking waiter loop: `attempt()` makes one call, `acceptors` judges its answer. Sleeps
/// with the chosen [`BlockingSleep`], else [`ThreadSleep`].
pub fn wait_blocking<O>(
    spec: &WaiterSpec,
    max_wait: Duration,
    sleep: Option<WaiterSleep>,
    mut attempt: impl FnMut() -> Result<O, Error>,
    acceptors: fn(&Result<O, Error>) -> Option<AcceptorState>,
) -> Result<WaiterOutcome<O>, WaiterError<O>> {
    let sleep: Arc<dyn BlockingSleep> = match sleep {
        Some(WaiterSleep::Blocking(sleep)) => sleep,
        _ => Arc::new(ThreadSleep),
    };
    let mut progress = Progress::start();
    loop {
        progress.attempts += 1;
        let result = attempt();
        if let Some(done) = judge(spec, max_wait, &progress, result, acceptors) {
            return done;
        }
        sleep.sleep(spec.delay);
        progress.slept += spec.delay;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    const SPEC: WaiterSpec =
        WaiterSpec { name: "Thing", operation: "Op", delay: Duration::from_secs(5), max_attempts: 4 };

    fn error(code: &str) -> Error {
        let body =
            format!("<Response><Errors><Error><Code>{code}</Code><Message>m</Message></Error></Errors></Response>");
        Error::service(super::super::ServiceError::from_response(400, body.as_bytes()), false)
    }

    /// Answers: `Ok(n)`; success at 3, failure at 99, retry on the error `NotYet`.
    fn acceptors(result: &Result<u32, Error>) -> Option<AcceptorState> {
        match result {
            Ok(3) => Some(AcceptorState::Success),
            Ok(99) => Some(AcceptorState::Failure),
            Err(e) if e.code() == Some("NotYet") => Some(AcceptorState::Retry),
            _ => None,
        }
    }

    fn run(
        answers: Vec<Result<u32, Error>>,
        max_wait: Duration,
    ) -> (Result<WaiterOutcome<u32>, WaiterError<u32>>, Vec<Duration>) {
        let slept = Arc::new(Mutex::new(Vec::new()));
        let log = slept.clone();
        let sleep = WaiterSleep::blocking(move |d| log.lock().unwrap().push(d));
        let mut answers = answers.into_iter();
        let result = wait_blocking(&SPEC, max_wait, Some(sleep), || answers.next().unwrap(), acceptors);
        let slept = slept.lock().unwrap().clone();
        (result, slept)
    }

    #[test]
    fn retries_until_success_sleeping_the_delay() {
        let (result, slept) = run(vec![Err(error("NotYet")), Ok(1), Ok(3)], Duration::from_secs(60));
        let outcome = result.unwrap();
        assert_eq!((outcome.attempts(), outcome.output()), (3, Some(&3)));
        assert_eq!(slept, [Duration::from_secs(5); 2]);
        assert_eq!(outcome.elapsed(), Duration::from_secs(10), "virtual time from the sleeps");
    }

    #[test]
    fn each_way_to_fail() {
        let (result, slept) = run(vec![Ok(1), Ok(1), Ok(1), Ok(1)], Duration::from_secs(60));
        let e = result.unwrap_err();
        assert_eq!((e.kind(), e.attempts(), e.output()), (WaiterErrorKind::MaxAttemptsExceeded, 4, Some(&1)));
        assert_eq!(slept.len(), 3);

        let (result, _) = run(vec![Ok(1), Ok(1), Ok(1)], Duration::from_secs(12));
        let e = result.unwrap_err();
        assert_eq!((e.kind(), e.attempts()), (WaiterErrorKind::ExceededMaxWait, 3));

        let (result, _) = run(vec![Ok(1), Ok(99)], Duration::from_secs(60));
        assert_eq!(result.unwrap_err().kind(), WaiterErrorKind::FailureState);

        let (result, _) = run(vec![Ok(1), Err(error("Boom"))], Duration::from_secs(60));
        let e = result.unwrap_err();
        assert_eq!((e.kind(), e.error().and_then(Error::code)), (WaiterErrorKind::OperationFailed, Some("Boom")));
        assert!(e.to_string().starts_with("waiter Thing: the operation failed (2 attempts"), "{e}");
    }
}
