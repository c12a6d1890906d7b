//! The async client. Operations come from the generated fluent builders:
//! `client.describe_security_groups().group_ids("sg-1").send().await`.

use super::config::Config;
use super::dispatch::{Call, Next, Shared};
use super::operation::Operation;
use super::sdk_error::{Error, ErrorKind};
use std::sync::Arc;
use tracing::Instrument;

/// A client for the service. Cheap to clone: clones share configuration, connections and the retry quota.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    shared: Shared,
}

impl Client {
    /// A client with this configuration.
    pub fn from_conf(config: Config) -> Self {
        Self { inner: Arc::new(Inner { config, shared: Shared::default() }) }
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends operation `O`: builds, signs and sends the request, retrying per the configuration.
    pub async fn send_operation<O: Operation>(&self, input: O::Input) -> Result<O::Output, Error> {
        self.send_operation_counting::<O>(input, &mut 0).await
    }

    /// [`Self::send_operation`], adding the HTTP attempts it makes to `http_attempts` (for
    /// callers that report them, such as the rule sync's outcome).
    pub(crate) async fn send_operation_counting<O: Operation>(
        &self,
        input: O::Input,
        http_attempts: &mut usize,
    ) -> Result<O::Output, Error> {
        let span = tracing::info_span!("ec2_sg", operation = O::NAME);
        let config = &self.inner.config;
        let call = self.call::<O>(input, http_attempts);
        match (config.timeouts.operation_timeout(), config.sleep.as_ref()) {
            (Some(limit), Some(sleep)) => match super::http::timeout(sleep.sleep(limit), call).instrument(span).await {
                Some(result) => result,
                None => Err(Error::new(ErrorKind::Timeout, format!("the operation did not finish within {limit:?}"))
                    .retryable(true)
                    .for_operation(O::NAME, 0)),
            },
            _ => call.instrument(span).await,
        }
    }

    async fn call<O: Operation>(&self, input: O::Input, http_attempts: &mut usize) -> Result<O::Output, Error> {
        let config = &self.inner.config;
        let http = config.http_client.as_ref().ok_or_else(|| {
            Error::configuration(
                "no HTTP client: enable the `rustls` or `native-tls` feature, or set Config::builder().http_client(..)",
            )
            .for_operation(O::NAME, 0)
        })?;
        let mut call = Call::new::<O>(config, &self.inner.shared, input)?;
        loop {
            let credentials = match call.is_signed() {
                true => Some(config.credentials.provide_credentials_async().await),
                false => None,
            };
            let request = call.signed_request(credentials)?;
            let timeout = call.attempt_timeout()?;
            let attempt = tracing::debug_span!("attempt", number = call.attempt);
            *http_attempts += 1;
            let outcome = http.send(request, timeout).instrument(attempt).await;
            match call.on_outcome::<O>(outcome) {
                Next::Done(result) => return result,
                // Signing again after a clock correction waits for nothing.
                Next::RetryAfter(delay) if delay.is_zero() => {}
                Next::RetryAfter(delay) => {
                    match &config.sleep {
                        Some(sleep) => sleep.sleep(delay).await,
                        None => return Err(Error::configuration(
                            "retrying needs an async sleep: set Config::builder().sleep_impl(..) or max_attempts(1)",
                        )
                        .for_operation(O::NAME, call.attempt - 1)),
                    }
                }
            }
        }
    }
}
