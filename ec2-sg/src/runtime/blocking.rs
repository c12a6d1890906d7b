//! The blocking client (feature `blocking`): the same operations, no async runtime needed.
//! `client.describe_security_groups().group_ids("sg-1").send()`.

use super::config::Config;
use super::dispatch::{Call, Next, Shared};
use super::operation::Operation;
use super::sdk_error::Error;
use std::sync::Arc;

/// A blocking client. Cheap to clone: clones share configuration, connections and the retry quota.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    http: Arc<dyn super::http::BlockingHttpClient>,
    shared: Shared,
}

impl Client {
    /// A client with this configuration. With the bundled HTTP client this starts reqwest's
    /// blocking client: call it outside async code.
    pub fn from_conf(config: Config) -> Result<Self, Error> {
        let http = match &config.blocking_http_client {
            Some(http) => http.clone(),
            None => default_client(&config)?,
        };
        Ok(Self { inner: Arc::new(Inner { config, http, shared: Shared::default() }) })
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends operation `O`, retrying per the configuration.
    pub fn send_operation<O: Operation>(&self, input: O::Input) -> Result<O::Output, Error> {
        self.send_operation_counting::<O>(input, &mut 0)
    }

    /// [`Self::send_operation`], adding the HTTP attempts it makes to `http_attempts`.
    pub(crate) fn send_operation_counting<O: Operation>(
        &self,
        input: O::Input,
        http_attempts: &mut usize,
    ) -> Result<O::Output, Error> {
        let _span = tracing::info_span!("ec2_sg", operation = O::NAME).entered();
        let mut call = Call::new::<O>(&self.inner.config, &self.inner.shared, input)?;
        loop {
            let credentials = call.is_signed().then(|| self.inner.config.credentials.provide_credentials());
            let request = call.signed_request(credentials)?;
            let timeout = call.attempt_timeout()?;
            *http_attempts += 1;
            let outcome = {
                let _attempt = tracing::debug_span!("attempt", number = call.attempt).entered();
                self.inner.http.send(request, timeout)
            };
            match call.on_outcome::<O>(outcome) {
                Next::Done(result) => return result,
                Next::RetryAfter(delay) => std::thread::sleep(delay),
            }
        }
    }
}

#[cfg(feature = "reqwest-client")]
fn default_client(config: &Config) -> Result<Arc<dyn super::http::BlockingHttpClient>, Error> {
    let client = super::http::ReqwestBlockingClient::with_limits(config.transport_limits())
        .map_err(|e| Error::configuration(e.to_string()).with_source(e))?;
    Ok(Arc::new(client))
}

#[cfg(not(feature = "reqwest-client"))]
fn default_client(_config: &Config) -> Result<Arc<dyn super::http::BlockingHttpClient>, Error> {
    Err(Error::configuration(
        "no blocking HTTP client: enable `rustls` or `native-tls`, or set Config::builder().blocking_http_client(..)",
    ))
}
