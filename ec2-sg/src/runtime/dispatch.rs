//! One call, attempt by attempt: the parts the async and blocking clients share. Each client
//! only adds how it waits and how it sends.

use super::config::Config;
use super::credentials::{Credentials, CredentialsError};
use super::error::ServiceError;
use super::http::{HttpResponse, TransportError};
use super::operation::Operation;
use super::request::{build_request, HttpRequest, RequestOptions};
use super::response::{read_response, ResponseError};
use super::retry::{
    classify_service_error, classify_transport_error, decide, jitter, RetryDecision, RetryPermit, RetryQuota,
};
use super::sdk_error::{Error, ErrorKind};
use super::sign::sign_request;
use super::timestamp::{parse_timestamp, TimestampFormat};
use super::user_agent::UserAgent;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// What the calls of one client share: the retry quota, and the offset of the service's clock
/// from the local one.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) quota: RetryQuota,
    pub(crate) clock: ClockSkew,
}

/// The service's clock minus the local one, learned from the `Date` of answers that refused a
/// request for its time (as the Go, Java and JS SDKs do): requests are signed with the local time
/// plus this offset, so a machine whose clock is wrong still makes calls.
#[derive(Debug, Default)]
pub(crate) struct ClockSkew {
    millis: AtomicI64,
}

/// Answers that may mean the request's time was too far from the service's.
const SKEW_ERROR_CODES: [&str; 6] = [
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// Below this difference between the signing time and the service's, a refusal is not about time
/// (AWS accepts 5 minutes either way).
const SKEW_THRESHOLD: Duration = Duration::from_secs(4 * 60);

impl ClockSkew {
    /// The local time corrected by the learned offset.
    pub(crate) fn now(&self) -> SystemTime {
        shift(SystemTime::now(), self.millis.load(Ordering::Relaxed))
    }

    /// Learns the offset from an answer that refused a request signed at `signed_at` for its
    /// time; `true` when the offset changed and the request is worth signing again.
    fn learn(&self, error_code: &str, headers: &[(String, String)], signed_at: SystemTime) -> bool {
        if !SKEW_ERROR_CODES.contains(&error_code) {
            return false;
        }
        let Some(server_time) = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("date"))
            .and_then(|(_, value)| parse_timestamp(value, TimestampFormat::HttpDate).ok())
            .and_then(|date| SystemTime::try_from(date).ok())
        else {
            return false;
        };
        let gap = match server_time.duration_since(signed_at) {
            Ok(ahead) => ahead,
            Err(behind) => behind.duration(),
        };
        if gap < SKEW_THRESHOLD {
            return false;
        }
        let offset = millis_between(SystemTime::now(), server_time);
        self.millis.store(offset, Ordering::Relaxed);
        tracing::warn!(offset_ms = offset, "the service's clock differs from the local one; signing with its time");
        true
    }
}

/// `to - from` in milliseconds (negative when `to` is earlier), saturating.
fn millis_between(from: SystemTime, to: SystemTime) -> i64 {
    match to.duration_since(from) {
        Ok(ahead) => i64::try_from(ahead.as_millis()).unwrap_or(i64::MAX),
        Err(behind) => i64::try_from(behind.duration().as_millis()).map(|m| -m).unwrap_or(i64::MIN),
    }
}

fn shift(time: SystemTime, millis: i64) -> SystemTime {
    let by = Duration::from_millis(millis.unsigned_abs());
    let shifted = if millis >= 0 { time.checked_add(by) } else { time.checked_sub(by) };
    shifted.unwrap_or(time)
}

/// The state of one operation call across its attempts.
pub(crate) struct Call<'a> {
    config: &'a Config,
    quota: &'a RetryQuota,
    clock: &'a ClockSkew,
    operation: &'static str,
    /// The unsigned request; each attempt signs a copy (same body, same idempotency token).
    request: HttpRequest,
    pub(crate) attempt: u32,
    permit: Option<RetryPermit>,
    started: Instant,
    /// When the current attempt's request was signed.
    signed_at: SystemTime,
    /// The one extra attempt a clock correction gives has been used.
    skew_corrected: bool,
}

/// What to do after an attempt.
pub(crate) enum Next<T> {
    Done(Result<T, Error>),
    RetryAfter(Duration),
}

impl<'a> Call<'a> {
    /// Applies the service customizations, checks and serializes the input; nothing is sent when this fails.
    pub(crate) fn new<O: Operation>(
        config: &'a Config,
        shared: &'a Shared,
        mut input: O::Input,
    ) -> Result<Self, Error> {
        crate::customize_input(&mut input);
        let options = RequestOptions {
            endpoint: &config.endpoint,
            idempotency_tokens: config.idempotency_tokens.as_ref(),
            compression: config.compression,
        };
        let mut request =
            build_request::<O>(&input, &options).map_err(|e| Error::validation(e).for_operation(O::NAME, 0))?;
        let user_agent = UserAgent::new(config.signing_name, O::API_VERSION, config.app_name.as_ref());
        request.headers.push(("User-Agent".to_string(), user_agent.user_agent().to_string()));
        request.headers.push(("x-amz-user-agent".to_string(), user_agent.amz_user_agent().to_string()));
        Ok(Self {
            config,
            quota: &shared.quota,
            clock: &shared.clock,
            operation: O::NAME,
            request,
            attempt: 1,
            permit: None,
            started: Instant::now(),
            signed_at: SystemTime::UNIX_EPOCH,
            skew_corrected: false,
        })
    }

    /// The request of the current attempt, signed with the credentials the provider gave
    /// (`provide_credentials`, or its async form in the async client).
    pub(crate) fn signed_request(
        &mut self,
        credentials: Result<Credentials, CredentialsError>,
    ) -> Result<HttpRequest, Error> {
        let credentials = credentials.map_err(|e| {
            Error::new(ErrorKind::Credentials, e.to_string())
                .with_source(e)
                .for_operation(self.operation, self.attempt - 1)
        })?;
        let mut request = self.request.clone();
        let now = self.clock.now();
        self.signed_at = now;
        sign_request(&mut request, &credentials, &self.config.region, self.config.signing_name, now)
            .map_err(|e| e.for_operation(self.operation, self.attempt - 1))?;
        Ok(request)
    }

    /// The time this attempt may take: the attempt timeout, capped by what is left of the
    /// operation timeout. `Err` when the operation's time is already up.
    pub(crate) fn attempt_timeout(&self) -> Result<Option<Duration>, Error> {
        let remaining = self.remaining()?;
        Ok(match (self.config.timeouts.operation_attempt_timeout(), remaining) {
            (Some(a), Some(r)) => Some(a.min(r)),
            (a, r) => a.or(r),
        })
    }

    fn remaining(&self) -> Result<Option<Duration>, Error> {
        match self.config.timeouts.operation_timeout() {
            None => Ok(None),
            Some(limit) => match limit.checked_sub(self.started.elapsed()) {
                Some(left) if !left.is_zero() => Ok(Some(left)),
                _ => Err(self.operation_timed_out(limit)),
            },
        }
    }

    pub(crate) fn operation_timed_out(&self, limit: Duration) -> Error {
        Error::new(ErrorKind::Timeout, format!("the operation did not finish within {limit:?}"))
            .retryable(true)
            .for_operation(self.operation, self.attempt)
    }

    /// Decides what an attempt's outcome means: the output, an error, or another attempt.
    pub(crate) fn on_outcome<O: Operation>(
        &mut self,
        outcome: Result<HttpResponse, TransportError>,
    ) -> Next<O::Output> {
        let (error, kind) = match outcome {
            Ok(response) => match read_response::<O>(response.status, &response.body) {
                Ok(output) => {
                    self.quota.on_success(self.permit.take());
                    tracing::debug!(status = response.status, attempt = self.attempt, "succeeded");
                    return Next::Done(Ok(output));
                }
                Err(ResponseError::Decode { http_status, error, .. }) => {
                    return Next::Done(Err(
                        Error::decode(error, http_status, response.body).for_operation(self.operation, self.attempt)
                    ));
                }
                Err(ResponseError::Service(service)) => {
                    // Refused for its time: learn the service's clock and sign again, once per call.
                    if !self.skew_corrected && self.clock.learn(service.code(), &response.headers, self.signed_at) {
                        log_service_error(&service, self.attempt);
                        self.skew_corrected = true;
                        self.attempt += 1;
                        return Next::RetryAfter(Duration::ZERO);
                    }
                    let kind = classify_service_error(service.code(), service.http_status());
                    log_service_error(&service, self.attempt);
                    (Error::service(service, kind != super::retry::ErrorKind::NotRetryable), kind)
                }
            },
            Err(transport) => {
                let kind = classify_transport_error(transport.is_timeout());
                tracing::debug!(attempt = self.attempt, error = %transport, "no answer");
                let error_kind = if transport.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Transport };
                (Error::new(error_kind, transport.to_string()).with_source(transport).retryable(true), kind)
            }
        };
        match decide(&self.config.retry, self.quota, self.attempt, kind, jitter()) {
            RetryDecision::RetryAfter { delay, permit } => {
                // Never sleep past the operation timeout.
                let delay = match self.remaining() {
                    Ok(Some(left)) => delay.min(left),
                    Ok(None) => delay,
                    Err(timeout) => return Next::Done(Err(timeout)),
                };
                tracing::debug!(attempt = self.attempt, ?delay, "retrying");
                self.permit = Some(permit);
                self.attempt += 1;
                Next::RetryAfter(delay)
            }
            RetryDecision::DoNotRetry(reason) => {
                tracing::debug!(attempt = self.attempt, %reason, "not retrying");
                Next::Done(Err(error.for_operation(self.operation, self.attempt)))
            }
        }
    }
}

fn log_service_error(error: &ServiceError, attempt: u32) {
    tracing::debug!(
        attempt,
        status = error.http_status(),
        code = error.code(),
        request_id = error.request_id().unwrap_or_default(),
        "service error"
    );
}
