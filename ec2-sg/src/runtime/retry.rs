//! The AWS SDKs' "standard" retry mode: which failures are retried, how long to wait before the
//! next attempt, and the client-wide retry quota that stops a client from retrying into an outage.
//!
//! This follows botocore's `retries/standard.py` (the classic "standard" mode) and aws-sdk-rust's
//! `StandardRetryStrategy`:
//!
//! - at most [`RetryConfig::max_attempts`] attempts (3 by default, the first one included);
//! - only throttling errors, transient errors and timeouts are retried ([`classify_service_error`],
//!   [`classify_transport_error`]);
//! - before the n-th retry the caller sleeps for a full-jitter exponential [`backoff`]:
//!   `random * min(max_backoff, initial_backoff * 2^(n-1))`;
//! - every retry is paid for from a [`RetryQuota`] shared by all calls of a client; when it runs
//!   dry, failures are returned to the caller instead of being retried.
//!
//! Nothing here sleeps or sends: [`decide`] says what to do after a failed attempt, and the
//! caller does it. A typical loop:
//!
//! ```text
//! let mut attempt = 1;
//! loop {
//!     match send() {
//!         Ok(answer) => { quota.on_success(permit); return Ok(answer) }
//!         Err(e) => match decide(&config, &quota, attempt, kind_of(&e), jitter()) {
//!             RetryDecision::RetryAfter { delay, permit: p } => { permit = Some(p); sleep(delay) }
//!             RetryDecision::DoNotRetry(_) => return Err(e),
//!         },
//!     }
//!     attempt += 1;
//! }
//! ```

use super::random::random_u64;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Error codes the service answers when it is throttling the caller: the list shared by the AWS
/// SDKs (botocore's `ThrottledRetryableChecker`, aws-sdk-rust's `THROTTLING_ERRORS`), which
/// includes EC2's `RequestLimitExceeded` and `EC2ThrottledException`.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of transient failures, retried whatever the HTTP status. botocore also lists
/// `PriorRequestNotComplete` here; it is a throttling code too and is classified as one (as
/// aws-sdk-rust does), which costs the same.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// HTTP statuses of transient failures, retried whatever the error code.
const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Tokens in a new [`RetryQuota`].
const DEFAULT_QUOTA_CAPACITY: u32 = 500;
/// Tokens a retry costs after a throttling or transient error.
const RETRY_COST: u32 = 5;
/// Tokens a retry costs after a timeout.
const TIMEOUT_RETRY_COST: u32 = 10;
/// Tokens a success that needed no retry gives back.
const NO_RETRY_INCREMENT: u32 = 1;

/// How many attempts and how long to back off: aws-smithy-types' `RetryConfig`, the one every
/// AWS SDK for Rust takes. `standard()` (the default) is the SDKs' standard mode: 3 attempts,
/// backoff from 1 s, capped at 20 s; `disabled()` makes one attempt. The adaptive mode's
/// client-side rate limiting is not implemented: the configuration refuses it.
pub use aws_smithy_types::retry::{RetryConfig, RetryMode};

/// Why an attempt failed, as far as retrying goes.
// Kept beside aws-smithy-types' `retry::ErrorKind`: it has no timeout kind (a timeout costs the quota 10 tokens, other retries 5) and no "not retryable" one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service is limiting the caller's request rate.
    Throttling,
    /// A failure a later attempt may not meet: a 5xx answer, a broken connection.
    Transient,
    /// The attempt timed out (connecting or waiting for the answer).
    Timeout,
    /// Retrying would meet the same failure: a bad request, missing permissions, a resource
    /// that does not exist...
    NotRetryable,
}

/// Classifies a service error answer from its error code and HTTP status.
///
/// - [`ErrorKind::Throttling`] for the AWS SDKs' throttling codes (`Throttling`,
///   `ThrottlingException`, `RequestLimitExceeded`, `EC2ThrottledException`, `SlowDown`,
///   `PriorRequestNotComplete`...), whatever the status;
/// - else [`ErrorKind::Transient`] for the codes `RequestTimeout` and `RequestTimeoutException`,
///   and for the statuses 500, 502, 503 and 504 whatever the code (so EC2's `InternalError` and
///   `Unavailable`, which come with 500 and 503, are retried; the code alone is not
///   retryable, as in botocore);
/// - else [`ErrorKind::NotRetryable`] (`InvalidGroup.NotFound`, `DryRunOperation`,
///   `AuthFailure`, `UnauthorizedOperation`, a plain 429 without a throttling code...).
///
/// Codes are compared exactly, case included, as the SDKs do.
pub fn classify_service_error(code: &str, http_status: u16) -> ErrorKind {
    if THROTTLING_CODES.contains(&code) {
        ErrorKind::Throttling
    } else if TRANSIENT_CODES.contains(&code) || TRANSIENT_STATUSES.contains(&http_status) {
        ErrorKind::Transient
    } else {
        ErrorKind::NotRetryable
    }
}

/// Classifies a failure to get an answer at all: I/O errors (connection refused or reset, DNS
/// failure, a connection closed mid-answer) are [`ErrorKind::Transient`]; timeouts are
/// [`ErrorKind::Timeout`].
pub fn classify_transport_error(is_timeout: bool) -> ErrorKind {
    if is_timeout {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transient
    }
}

/// The client-wide retry quota, a token bucket shared by all calls of a client (wrap it in an
/// `Arc`).
///
/// It starts full (500 tokens for [`RetryQuota::new`]). A retry costs 5 tokens, 10 after a
/// timeout; a retry that cannot be paid for is not made. When an attempt that was a retry
/// succeeds, its cost is refunded; a success on the first attempt adds 1 token. The bucket never
/// holds more than its capacity. Thread-safe (lock-free).
#[derive(Debug)]
pub struct RetryQuota {
    capacity: u32,
    available: AtomicU32,
}

impl RetryQuota {
    /// A full quota of 500 tokens, the SDKs' default.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_QUOTA_CAPACITY)
    }

    /// A full quota of `capacity` tokens (`0`: never retry).
    pub fn with_capacity(capacity: u32) -> Self {
        Self { capacity, available: AtomicU32::new(capacity) }
    }

    /// The tokens left.
    pub fn available(&self) -> u32 {
        self.available.load(Ordering::Acquire)
    }

    /// Pays for a retry after a failure of the given kind: 5 tokens, 10 after a timeout. `None`
    /// when the failure is [`ErrorKind::NotRetryable`] (nothing is taken) or when not enough
    /// tokens are left (the retry must not be made).
    #[must_use = "dropping a permit loses its tokens until the quota refills"]
    pub fn try_acquire(&self, kind: ErrorKind) -> Option<RetryPermit> {
        let cost = match kind {
            ErrorKind::NotRetryable => return None,
            ErrorKind::Timeout => TIMEOUT_RETRY_COST,
            ErrorKind::Throttling | ErrorKind::Transient => RETRY_COST,
        };
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |available| available.checked_sub(cost))
            .ok()
            .map(|_| RetryPermit { cost })
    }

    /// Records a successful attempt: `permit` is the one that paid for it when it was a retry
    /// (its cost is refunded), `None` when it was the first attempt (1 token is added). Never
    /// fills the quota beyond its capacity.
    pub fn on_success(&self, permit: Option<RetryPermit>) {
        let amount = permit.map_or(NO_RETRY_INCREMENT, |permit| permit.cost);
        let capacity = self.capacity;
        // The closure always returns `Some`, so the update always succeeds.
        let _ = self.available.fetch_update(Ordering::AcqRel, Ordering::Acquire, |available| {
            Some(available.saturating_add(amount).min(capacity))
        });
    }
}

impl Default for RetryQuota {
    /// [`RetryQuota::new`].
    fn default() -> Self {
        Self::new()
    }
}

/// Tokens taken from a [`RetryQuota`] to pay for one retry; hand it back to
/// [`RetryQuota::on_success`] if that retry succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPermit {
    cost: u32,
}

impl RetryPermit {
    /// The tokens this retry cost.
    pub fn cost(&self) -> u32 {
        self.cost
    }
}

/// `2^53`: the number of distinct values a uniform random `f64` in `[0, 1)` is drawn from.
const UNIT_STEPS: u64 = 1 << 53;

/// `random` as a fraction `k / 2^53` with `k` in `[0, 2^53)`: NaN and values below 0 become 0,
/// values of 1 and above (infinity included) become the largest fraction below 1.
fn unit_fraction(random: f64) -> u64 {
    if random.is_nan() || random <= 0.0 {
        0
    } else if random >= 1.0 {
        UNIT_STEPS - 1
    } else {
        // Exact: multiplying by a power of two; below 2^53 since `random < 1`.
        ((random * UNIT_STEPS as f64) as u64).min(UNIT_STEPS - 1)
    }
}

/// Full-jitter exponential backoff before the n-th retry (`retry_number` is 1-based; 0 is treated
/// as 1): `random * min(max_backoff, initial_backoff * 2^(n-1))`.
///
/// `random` should be in `[0, 1)` (see [`jitter`]); NaN and negative values count as 0, values of
/// 1 and above as the largest value below 1. The result is never above the cap, whatever the
/// inputs, and the doubling saturates at the cap rather than overflowing for huge retry numbers.
#[must_use]
pub fn backoff(config: &RetryConfig, retry_number: u32, random: f64) -> Duration {
    let cap = config.max_backoff().as_nanos();
    let initial = config.initial_backoff().as_nanos();
    let doublings = retry_number.saturating_sub(1);
    let ceiling = if initial == 0 {
        0
    } else if doublings < initial.leading_zeros() {
        (initial << doublings).min(cap)
    } else {
        cap
    };
    // ceiling * k / 2^53 without overflow (ceiling < 2^95): split it at bit 53.
    let k = u128::from(unit_fraction(random));
    let high = ceiling >> 53;
    let low = ceiling & u128::from(UNIT_STEPS - 1);
    let nanos = high * k + ((low * k) >> 53);
    duration_from_nanos(nanos)
}

/// A `Duration` of `nanos` nanoseconds, saturating at `Duration::MAX`.
fn duration_from_nanos(nanos: u128) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    match u64::try_from(nanos / NANOS_PER_SEC) {
        // The remainder is below 10^9, so it fits a `u32` and `Duration::new` cannot carry over.
        Ok(secs) => Duration::new(secs, (nanos % NANOS_PER_SEC) as u32),
        Err(_) => Duration::MAX,
    }
}

/// A random number in `[0, 1)`, for [`backoff`] and [`decide`]: 53 bits of the runtime's
/// `random_u64`. Not for cryptography.
pub fn jitter() -> f64 {
    (random_u64() >> 11) as f64 / UNIT_STEPS as f64
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryDecision {
    /// Wait `delay`, then make the next attempt; if it succeeds, hand `permit` to
    /// [`RetryQuota::on_success`].
    RetryAfter {
        /// How long to wait before the next attempt.
        delay: Duration,
        /// The tokens that paid for this retry.
        permit: RetryPermit,
    },
    /// Return the failure to the caller.
    DoNotRetry(StopReason),
}

/// Why a failure is not retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The failure is not one a retry could get past.
    NotRetryable,
    /// The call has made [`RetryConfig::max_attempts`] attempts.
    AttemptsExhausted,
    /// The client's [`RetryQuota`] cannot pay for another retry.
    QuotaExhausted,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotRetryable => "the error is not retryable",
            Self::AttemptsExhausted => "maximum attempts reached",
            Self::QuotaExhausted => "the client's retry quota is exhausted",
        })
    }
}

/// Decides what to do after a failed attempt. `attempt` is the 1-based number of the attempt that
/// just failed (0 is treated as 1), `kind` how it failed, `random` a number in `[0, 1)` for the
/// backoff (see [`jitter`] and [`backoff`]).
///
/// In order: a [`ErrorKind::NotRetryable`] failure is not retried; nor is one after
/// [`RetryConfig::max_attempts`] attempts; otherwise the retry is paid for from `quota`
/// (not retried if it cannot be) and made after [`backoff`]`(config, attempt, random)`. Tokens
/// are only taken when a retry is decided.
#[must_use]
pub fn decide(config: &RetryConfig, quota: &RetryQuota, attempt: u32, kind: ErrorKind, random: f64) -> RetryDecision {
    if kind == ErrorKind::NotRetryable {
        return RetryDecision::DoNotRetry(StopReason::NotRetryable);
    }
    let attempt = attempt.max(1);
    if attempt >= config.max_attempts() {
        return RetryDecision::DoNotRetry(StopReason::AttemptsExhausted);
    }
    match quota.try_acquire(kind) {
        Some(permit) => RetryDecision::RetryAfter { delay: backoff(config, attempt, random), permit },
        None => RetryDecision::DoNotRetry(StopReason::QuotaExhausted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::thread;

    const ALMOST_ONE: f64 = 1.0 - f64::EPSILON / 2.0;

    // ---- classification ----

    #[test]
    fn every_throttling_code_is_throttling_whatever_the_status() {
        let codes = [
            "Throttling",
            "ThrottlingException",
            "ThrottledException",
            "RequestThrottledException",
            "TooManyRequestsException",
            "ProvisionedThroughputExceededException",
            "TransactionInProgressException",
            "RequestLimitExceeded",
            "BandwidthLimitExceeded",
            "LimitExceededException",
            "RequestThrottled",
            "SlowDown",
            "PriorRequestNotComplete",
            "EC2ThrottledException",
        ];
        assert_eq!(codes.len(), THROTTLING_CODES.len());
        for code in codes {
            for status in [400, 429, 503, 200, 0] {
                assert_eq!(classify_service_error(code, status), ErrorKind::Throttling, "{code} {status}");
            }
        }
    }

    #[test]
    fn transient_codes_are_transient_whatever_the_status() {
        for code in ["RequestTimeout", "RequestTimeoutException"] {
            for status in [400, 408, 500] {
                assert_eq!(classify_service_error(code, status), ErrorKind::Transient, "{code} {status}");
            }
        }
    }

    #[test]
    fn transient_statuses_are_transient_whatever_the_code() {
        for status in [500, 502, 503, 504] {
            for code in ["", "InternalError", "Unavailable", "InvalidGroup.NotFound", "DryRunOperation", "?\u{0}é"] {
                assert_eq!(classify_service_error(code, status), ErrorKind::Transient, "{code:?} {status}");
            }
        }
    }

    #[test]
    fn client_errors_are_not_retried() {
        let cases = [
            ("InvalidGroup.NotFound", 400),
            ("InvalidPermission.Duplicate", 400),
            ("MissingParameter", 400),
            ("AuthFailure", 401),
            ("UnauthorizedOperation", 403),
            ("", 404),
            ("DryRunOperation", 412),
            ("DryRunOperation", 400),
            ("", 429),
            ("InternalError", 400),
            ("", 501),
            ("", 505),
            ("throttling", 400),
            (" Throttling", 400),
            ("", 0),
            ("", u16::MAX),
        ];
        for (code, status) in cases {
            assert_eq!(classify_service_error(code, status), ErrorKind::NotRetryable, "{code:?} {status}");
        }
    }

    #[test]
    fn transport_errors() {
        assert_eq!(classify_transport_error(true), ErrorKind::Timeout);
        assert_eq!(classify_transport_error(false), ErrorKind::Transient);
    }

    // ---- configuration ----

    #[test]
    fn config_presets_and_builders() {
        let standard = RetryConfig::standard();
        assert_eq!(standard.max_attempts(), 3);
        assert_eq!(standard.initial_backoff(), Duration::from_secs(1));
        assert_eq!(standard.max_backoff(), Duration::from_secs(20));
        assert_eq!(RetryConfig::disabled().max_attempts(), 1);
        assert_eq!(standard.clone().with_max_attempts(u32::MAX).max_attempts(), u32::MAX);
        // Zero attempts still makes the first one, and no retry.
        let zero = standard.clone().with_max_attempts(0);
        assert!(matches!(
            decide(&zero, &RetryQuota::new(), 1, ErrorKind::Transient, 0.5),
            RetryDecision::DoNotRetry(_)
        ));
        let custom = standard
            .with_max_attempts(5)
            .with_initial_backoff(Duration::from_millis(50))
            .with_max_backoff(Duration::from_secs(2));
        assert_eq!(custom.max_attempts(), 5);
        assert_eq!(custom.initial_backoff(), Duration::from_millis(50));
        assert_eq!(custom.max_backoff(), Duration::from_secs(2));
    }

    // ---- backoff ----

    #[test]
    fn backoff_is_zero_at_random_zero() {
        let config = RetryConfig::standard();
        for n in [0, 1, 2, 5, 40, u32::MAX] {
            assert_eq!(backoff(&config, n, 0.0), Duration::ZERO);
        }
    }

    #[test]
    fn backoff_stays_within_bounds_over_many_random_values() {
        let config = RetryConfig::standard();
        for n in 1..=64u32 {
            let ceiling = Duration::from_secs(1u64 << (n - 1).min(40)).min(config.max_backoff());
            for i in 0..1000u32 {
                let random = f64::from(i) / 1000.0;
                let delay = backoff(&config, n, random);
                assert!(delay <= ceiling, "retry {n}, random {random}: {delay:?}");
                assert!(delay <= config.max_backoff());
            }
            for _ in 0..200 {
                assert!(backoff(&config, n, jitter()) < ceiling);
            }
        }
    }

    #[test]
    fn backoff_grows_exponentially_until_the_cap() {
        let config = RetryConfig::standard();
        let halves: Vec<Duration> = (1..=8).map(|n| backoff(&config, n, 0.5)).collect();
        let expected_ms = [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000];
        let expected: Vec<Duration> = expected_ms.iter().map(|&ms| Duration::from_millis(ms)).collect();
        assert_eq!(halves, expected);

        // Just below 1: just below the ceiling, which doubles until the 20 s cap.
        for (n, ceiling_secs) in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 20), (7, 20), (100, 20)] {
            let delay = backoff(&config, n, ALMOST_ONE);
            let ceiling = Duration::from_secs(ceiling_secs);
            assert!(delay < ceiling && delay > ceiling - Duration::from_micros(1), "retry {n}: {delay:?}");
        }
    }

    #[test]
    fn backoff_survives_huge_retry_numbers_and_extreme_configs() {
        let configs = [
            RetryConfig::standard(),
            RetryConfig::standard().with_initial_backoff(Duration::MAX).with_max_backoff(Duration::MAX),
            RetryConfig::standard().with_initial_backoff(Duration::from_nanos(1)).with_max_backoff(Duration::MAX),
            RetryConfig::standard().with_initial_backoff(Duration::ZERO),
            RetryConfig::standard().with_max_backoff(Duration::ZERO),
            RetryConfig::standard().with_initial_backoff(Duration::from_secs(60)),
        ];
        let randoms = [0.0, -0.0, 0.5, ALMOST_ONE, 1.0, 2.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-300];
        for config in &configs {
            for n in [0, 1, 2, 31, 32, 33, 63, 64, 65, 95, 96, 127, 128, 129, 1000, u32::MAX - 1, u32::MAX] {
                for &random in &randoms {
                    let delay = backoff(config, n, random);
                    assert!(delay <= config.max_backoff(), "{config:?} {n} {random}: {delay:?}");
                }
            }
        }
        // Saturated doubling is the cap; a zero base stays zero.
        assert!(backoff(&configs[0], u32::MAX, ALMOST_ONE) > Duration::from_millis(19_999));
        assert_eq!(backoff(&configs[3], u32::MAX, ALMOST_ONE), Duration::ZERO);
        // 1 ns doubled 39 times, well below the (maximal) cap.
        let tiny = backoff(&configs[2], 40, 0.5);
        assert_eq!(tiny, Duration::from_nanos(1u64 << 38));
        // A base above the cap is capped from the first retry.
        assert_eq!(backoff(&configs[5], 1, 0.5), Duration::from_secs(10));
    }

    #[test]
    fn backoff_clamps_odd_random_values() {
        let config = RetryConfig::standard();
        for random in [f64::NAN, -0.5, -1.0, f64::NEG_INFINITY, -f64::MIN_POSITIVE] {
            assert_eq!(backoff(&config, 3, random), Duration::ZERO, "{random}");
        }
        let top = backoff(&config, 3, ALMOST_ONE);
        for random in [1.0, 1.5, f64::INFINITY, f64::MAX] {
            assert_eq!(backoff(&config, 3, random), top, "{random}");
        }
        assert!(top < Duration::from_secs(4));
    }

    #[test]
    fn retry_number_zero_counts_as_the_first() {
        let config = RetryConfig::standard();
        assert_eq!(backoff(&config, 0, 0.25), backoff(&config, 1, 0.25));
        assert_eq!(backoff(&config, 1, 0.25), Duration::from_millis(250));
    }

    // ---- jitter ----

    #[test]
    fn jitter_is_in_range_and_varies() {
        let draws: Vec<f64> = (0..10_000).map(|_| jitter()).collect();
        assert!(draws.iter().all(|&x| (0.0..1.0).contains(&x)));
        let distinct: HashSet<u64> = draws.iter().map(|x| x.to_bits()).collect();
        assert!(distinct.len() > 9_900, "only {} distinct draws", distinct.len());
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((0.45..0.55).contains(&mean), "mean {mean}");
        assert!(draws.iter().any(|&x| x < 0.1) && draws.iter().any(|&x| x > 0.9));
    }

    #[test]
    fn jitter_differs_across_threads() {
        let handles: Vec<_> =
            (0..4).map(|_| thread::spawn(|| (0..100).map(|_| jitter()).collect::<Vec<_>>())).collect();
        let mut all = HashSet::new();
        for handle in handles {
            for x in handle.join().unwrap() {
                assert!((0.0..1.0).contains(&x));
                all.insert(x.to_bits());
            }
        }
        assert!(all.len() > 390);
    }

    // ---- quota ----

    #[test]
    fn throttling_retries_drain_the_quota() {
        let quota = RetryQuota::new();
        assert_eq!(quota.available(), 500);
        for i in 0..100 {
            let permit = quota.try_acquire(ErrorKind::Throttling);
            assert_eq!(permit.map(|p| p.cost()), Some(5), "retry {i}");
        }
        assert_eq!(quota.available(), 0);
        assert_eq!(quota.try_acquire(ErrorKind::Throttling), None);
        assert_eq!(quota.try_acquire(ErrorKind::Transient), None);
        let config = RetryConfig::standard();
        assert_eq!(
            decide(&config, &quota, 1, ErrorKind::Throttling, 0.5),
            RetryDecision::DoNotRetry(StopReason::QuotaExhausted)
        );
        assert_eq!(quota.available(), 0);
    }

    #[test]
    fn timeouts_cost_ten() {
        let quota = RetryQuota::new();
        let permit = quota.try_acquire(ErrorKind::Timeout).unwrap();
        assert_eq!(permit.cost(), 10);
        assert_eq!(quota.available(), 490);
        assert_eq!(quota.try_acquire(ErrorKind::Transient).unwrap().cost(), 5);
        assert_eq!(quota.available(), 485);

        let small = RetryQuota::with_capacity(9);
        assert_eq!(small.try_acquire(ErrorKind::Timeout), None);
        assert_eq!(small.available(), 9);
        assert!(small.try_acquire(ErrorKind::Throttling).is_some());
        assert_eq!(small.available(), 4);
        assert_eq!(small.try_acquire(ErrorKind::Throttling), None);
    }

    #[test]
    fn not_retryable_takes_nothing() {
        let quota = RetryQuota::new();
        assert_eq!(quota.try_acquire(ErrorKind::NotRetryable), None);
        assert_eq!(quota.available(), 500);
    }

    #[test]
    fn successful_retries_are_refunded() {
        let quota = RetryQuota::new();
        let throttled = quota.try_acquire(ErrorKind::Throttling).unwrap();
        let timed_out = quota.try_acquire(ErrorKind::Timeout).unwrap();
        assert_eq!(quota.available(), 485);
        quota.on_success(Some(timed_out));
        assert_eq!(quota.available(), 495);
        quota.on_success(Some(throttled));
        assert_eq!(quota.available(), 500);
    }

    #[test]
    fn first_attempt_successes_add_one_up_to_capacity() {
        let quota = RetryQuota::new();
        quota.on_success(None);
        assert_eq!(quota.available(), 500);
        for _ in 0..3 {
            quota.try_acquire(ErrorKind::Throttling).unwrap();
        }
        assert_eq!(quota.available(), 485);
        for expected in 486..=500 {
            quota.on_success(None);
            assert_eq!(quota.available(), expected);
        }
        quota.on_success(None);
        assert_eq!(quota.available(), 500);
    }

    #[test]
    fn refunds_never_exceed_capacity() {
        let big = RetryQuota::new();
        let permit = big.try_acquire(ErrorKind::Timeout).unwrap();
        let small = RetryQuota::with_capacity(3);
        small.on_success(Some(permit));
        assert_eq!(small.available(), 3);
        let full = RetryQuota::with_capacity(u32::MAX);
        full.on_success(Some(permit));
        full.on_success(None);
        assert_eq!(full.available(), u32::MAX);
    }

    #[test]
    fn empty_quota_never_retries() {
        let quota = RetryQuota::with_capacity(0);
        for kind in [ErrorKind::Throttling, ErrorKind::Transient, ErrorKind::Timeout] {
            assert_eq!(quota.try_acquire(kind), None);
        }
        quota.on_success(None);
        assert_eq!(quota.available(), 0);
        assert_eq!(RetryQuota::default().available(), 500);
    }

    #[test]
    fn quota_is_shared_safely_across_threads() {
        let quota = Arc::new(RetryQuota::new());
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let quota = Arc::clone(&quota);
                thread::spawn(move || {
                    (0..50).filter_map(|_| quota.try_acquire(ErrorKind::Throttling)).collect::<Vec<_>>()
                })
            })
            .collect();
        let permits: Vec<RetryPermit> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        assert_eq!(permits.len(), 100);
        assert_eq!(quota.available(), 0);

        let chunks: Vec<Vec<RetryPermit>> = permits.chunks(25).map(<[RetryPermit]>::to_vec).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let quota = Arc::clone(&quota);
                thread::spawn(move || {
                    for permit in chunk {
                        quota.on_success(Some(permit));
                        quota.on_success(None);
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(quota.available(), 500);
    }

    // ---- decide ----

    #[test]
    fn a_single_attempt_is_never_retried() {
        let quota = RetryQuota::new();
        for config in [RetryConfig::disabled(), RetryConfig::standard().with_max_attempts(1)] {
            for kind in [ErrorKind::Throttling, ErrorKind::Transient, ErrorKind::Timeout] {
                for attempt in [0, 1, 2, u32::MAX] {
                    assert_eq!(
                        decide(&config, &quota, attempt, kind, 0.5),
                        RetryDecision::DoNotRetry(StopReason::AttemptsExhausted)
                    );
                }
            }
        }
        assert_eq!(quota.available(), 500);
    }

    #[test]
    fn three_attempts_retry_twice_then_stop() {
        let config = RetryConfig::standard();
        let quota = RetryQuota::new();
        assert_eq!(
            decide(&config, &quota, 1, ErrorKind::Throttling, 0.5),
            RetryDecision::RetryAfter { delay: Duration::from_millis(500), permit: RetryPermit { cost: 5 } }
        );
        assert_eq!(
            decide(&config, &quota, 2, ErrorKind::Timeout, 0.5),
            RetryDecision::RetryAfter { delay: Duration::from_secs(1), permit: RetryPermit { cost: 10 } }
        );
        assert_eq!(quota.available(), 485);
        assert_eq!(
            decide(&config, &quota, 3, ErrorKind::Transient, 0.5),
            RetryDecision::DoNotRetry(StopReason::AttemptsExhausted)
        );
        assert_eq!(quota.available(), 485);
    }

    #[test]
    fn not_retryable_errors_stop_at_once() {
        let config = RetryConfig::standard().with_max_attempts(10);
        let quota = RetryQuota::new();
        assert_eq!(
            decide(&config, &quota, 1, ErrorKind::NotRetryable, 0.5),
            RetryDecision::DoNotRetry(StopReason::NotRetryable)
        );
        let empty = RetryQuota::with_capacity(0);
        assert_eq!(
            decide(&config, &empty, 10, ErrorKind::NotRetryable, 0.5),
            RetryDecision::DoNotRetry(StopReason::NotRetryable)
        );
        assert_eq!(quota.available(), 500);
    }

    #[test]
    fn decide_pays_only_for_retries_it_grants() {
        let config = RetryConfig::standard().with_max_attempts(u32::MAX);
        let quota = RetryQuota::with_capacity(12);
        let first = decide(&config, &quota, 1, ErrorKind::Timeout, f64::NAN);
        assert_eq!(first, RetryDecision::RetryAfter { delay: Duration::ZERO, permit: RetryPermit { cost: 10 } });
        assert_eq!(
            decide(&config, &quota, 2, ErrorKind::Throttling, 0.5),
            RetryDecision::DoNotRetry(StopReason::QuotaExhausted)
        );
        assert_eq!(quota.available(), 2);
        match decide(&config, &RetryQuota::new(), u32::MAX - 1, ErrorKind::Transient, ALMOST_ONE) {
            RetryDecision::RetryAfter { delay, .. } => assert!(delay < config.max_backoff()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn stop_reasons_read_as_phrases() {
        let texts: HashSet<String> =
            [StopReason::NotRetryable, StopReason::AttemptsExhausted, StopReason::QuotaExhausted]
                .iter()
                .map(ToString::to_string)
                .collect();
        assert_eq!(texts.len(), 3);
        assert!(texts.iter().all(|t| !t.is_empty() && !t.ends_with('.')));
    }
}
