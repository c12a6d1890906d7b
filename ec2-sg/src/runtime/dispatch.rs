//! One call, attempt by attempt: the parts the async and blocking clients share. Each client
//! only adds how it waits and how it sends.

use super::clock::ClockSkew;
use super::config::Config;
use super::credential_provider::{Credentials, CredentialsError};
use super::error::ServiceError;
use super::http::{HttpResponse, TransportError};
use super::operation::Operation;
use super::request::{build_request, HttpRequest, RequestOptions};
use super::response::{read_response_body, ResponseError};
use super::retry::{
    classify_service_error, classify_transport_error, decide, jitter, RetryDecision, RetryPermit, RetryQuota,
};
use super::sdk_error::{Error, ErrorKind};
use super::sign::sign_request;
use super::user_agent::UserAgent;
use std::time::{Duration, Instant, SystemTime};

/// What the calls of one client share: the retry quota, and the offset of the service's clock
/// from the local one.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) quota: RetryQuota,
    pub(crate) clock: ClockSkew,
}

/// The state of one operation call across its attempts.
pub(crate) struct Call<'a> {
    config: &'a Config,
    quota: &'a RetryQuota,
    clock: &'a ClockSkew,
    operation: &'static str,
    /// The SigV4 signing name of the operation's service; `None` for an unsigned operation.
    signing_name: Option<&'static str>,
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
        O::customize_input(&mut input);
        let endpoint = config.endpoint_for(O::SERVICE).map_err(|e| e.for_operation(O::NAME, 0))?;
        let options = RequestOptions {
            endpoint: &endpoint,
            idempotency_tokens: config.idempotency_tokens.as_ref(),
            compression: config.compression,
        };
        let mut request =
            build_request::<O>(&input, &options).map_err(|e| Error::validation(e).for_operation(O::NAME, 0))?;
        let user_agent = UserAgent::new(O::SERVICE.signing_name, O::API_VERSION, config.app_name.as_ref());
        request.headers.extend(user_agent.into_headers());
        Ok(Self {
            config,
            quota: &shared.quota,
            clock: &shared.clock,
            operation: O::NAME,
            signing_name: O::SIGNED.then_some(O::SERVICE.signing_name),
            request,
            attempt: 1,
            permit: None,
            started: Instant::now(),
            signed_at: SystemTime::UNIX_EPOCH,
            skew_corrected: false,
        })
    }

    /// Whether the operation is signed: if not, the clients look up no credentials.
    pub(crate) fn is_signed(&self) -> bool {
        self.signing_name.is_some()
    }

    /// The request of the current attempt, signed with the credentials the provider gave
    /// (`provide_credentials`, or its async form in the async client); for an unsigned
    /// operation (`credentials` is then `None`), the request as it is.
    pub(crate) fn signed_request(
        &mut self,
        credentials: Option<Result<Credentials, CredentialsError>>,
    ) -> Result<HttpRequest, Error> {
        let (Some(signing_name), Some(credentials)) = (self.signing_name, credentials) else {
            self.signed_at = self.clock.now();
            return Ok(self.request.clone());
        };
        let credentials = credentials.map_err(|e| {
            Error::new(ErrorKind::Credentials, e.to_string())
                .with_source(e)
                .for_operation(self.operation, self.attempt - 1)
        })?;
        let mut request = self.request.clone();
        let now = self.clock.now();
        self.signed_at = now;
        sign_request(&mut request, &credentials, &self.config.region, signing_name, now)
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
            Ok(response) => match read_response_body::<O>(response.status, response.body, self.config.decoded_limit())
                .map_err(|failure| *failure)
            {
                Ok(output) => {
                    self.quota.on_success(self.permit.take());
                    tracing::debug!(status = response.status, attempt = self.attempt, "succeeded");
                    return Next::Done(Ok(output));
                }
                Err((ResponseError::Decode { http_status, error, .. }, body)) => {
                    return Next::Done(Err(
                        Error::decode(error, http_status, body.into_vec()).for_operation(self.operation, self.attempt)
                    ));
                }
                Err((ResponseError::Service(service), _)) => {
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
                let error = O::customize_error(error);
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
