//! HTTP for the credential sources that ask an endpoint (the instance metadata service, the
//! container agent, STS, SSO).
//!
//! Providers are synchronous at their core (the blocking client calls them in place, and the
//! [`CachingProvider`](super::CachingProvider) refreshes on a thread of its own for async
//! callers), while the bundled transport is async. So a fetch runs on a thread of its own with a
//! current-thread tokio runtime (tokio's `rt` is already in the graph through reqwest): that
//! works from plain code and from inside an async runtime alike, where blocking on a nested
//! runtime would panic.

use std::future::Future;
use std::time::Duration;

use super::CredentialsError;
use crate::runtime::body::Body;
use crate::runtime::http::{HttpClient, ReqwestClient, TransportError, TransportLimits};
use crate::runtime::request::{Endpoint, HttpRequest};

/// Answers of credential endpoints are small documents; anything larger is refused.
const MAX_SOURCE_RESPONSE_BYTES: usize = 64 << 10;

/// The limit above, as the error of a longer answer names it: `max_response_bytes` of the
/// configuration does not apply to credential sources.
const SOURCE_LIMIT: &str = "the fixed limit of a credential source's answer (64 KiB: credentials documents are \
     a few KB; `Config::builder().max_response_bytes` does not apply to credential sources)";

/// Runs `job` to completion on a fresh thread and current-thread runtime.
pub(crate) fn block_on_fresh_runtime<T, F, Fut>(job: F) -> Result<T, CredentialsError>
where
    T: Send,
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = Result<T, CredentialsError>>,
{
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().name("ec2-sg-credentials-fetch".into()).spawn_scoped(scope, || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CredentialsError::new(format!("cannot start a runtime to fetch credentials: {e}")))?;
            runtime.block_on(job())
        });
        match worker {
            Ok(worker) => worker.join().unwrap_or_else(|_| Err(CredentialsError::new("fetching credentials panicked"))),
            Err(e) => Err(CredentialsError::new(format!("cannot start a thread to fetch credentials: {e}"))),
        }
    })
}

/// An HTTP answer of a credential endpoint.
#[derive(Debug)]
pub(crate) struct SourceResponse {
    pub(crate) status: u16,
    /// The headers, names as sent (look them up case-insensitively).
    pub(crate) headers: Vec<(String, String)>,
    /// The body as text (lossy: these documents are ASCII JSON or plain text).
    pub(crate) text: String,
}

impl SourceResponse {
    /// The first value of header `name`.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A small HTTP client for one fetch: its own connection, the source's timeout for connecting
/// and for the whole request, no redirects. Made with [`Self::new`], it uses no proxy (for
/// endpoints that are link-local or loopback, whose tokens a proxy must never see); made with
/// [`Self::for_aws_endpoint`], it keeps the environment's proxy settings.
#[derive(Debug)]
pub(crate) struct SourceHttp {
    client: ReqwestClient,
    timeout: Duration,
}

impl SourceHttp {
    /// A client for a link-local or loopback endpoint, without proxy, whose connection and each
    /// request are bounded by `timeout`.
    pub(crate) fn new(timeout: Duration) -> Result<Self, CredentialsError> {
        let client = ReqwestClient::for_local_endpoints(Self::limits(timeout))
            .map_err(Self::build_error)?
            .with_limit_described_as(SOURCE_LIMIT);
        Ok(Self { client, timeout })
    }

    /// A client for a public AWS endpoint (SSO, STS), reached over the internet: it keeps the
    /// environment's proxy settings (`HTTPS_PROXY`, `NO_PROXY`, …), as the SDKs do, since a
    /// network that needs a proxy for AWS needs it for these too.
    pub(crate) fn for_aws_endpoint(timeout: Duration) -> Result<Self, CredentialsError> {
        let client = ReqwestClient::with_limits(Self::limits(timeout))
            .map_err(Self::build_error)?
            .with_limit_described_as(SOURCE_LIMIT);
        Ok(Self { client, timeout })
    }

    fn limits(timeout: Duration) -> TransportLimits {
        TransportLimits {
            connect_timeout: Some(timeout),
            read_timeout: Some(timeout),
            max_response_bytes: MAX_SOURCE_RESPONSE_BYTES,
        }
    }

    fn build_error(e: TransportError) -> CredentialsError {
        CredentialsError::new(format!("cannot build the HTTP client for credentials: {e}"))
    }

    /// Sends `method url` with these headers and an empty body.
    pub(crate) async fn send(
        &self,
        method: &'static str,
        url: &str,
        headers: Vec<(String, String)>,
    ) -> Result<SourceResponse, TransportError> {
        self.send_with_body(method, url, headers, Vec::new()).await
    }

    /// Sends `method url` with these headers and this body.
    pub(crate) async fn send_with_body(
        &self,
        method: &'static str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<SourceResponse, TransportError> {
        let (endpoint, path) = parse_url(url).map_err(TransportError::io)?;
        let request = HttpRequest {
            method,
            scheme: endpoint.scheme().to_owned(),
            authority: endpoint.authority().to_owned(),
            path,
            headers,
            body,
        };
        let response = self.client.send(request, Some(self.timeout)).await?;
        Ok(SourceResponse { status: response.status, headers: response.headers, text: body_text(response.body) })
    }
}

/// Splits a URL into its checked scheme and authority, and its path with any query (which an
/// endpoint of the SDK itself may not have, but a container credentials URI may).
pub(crate) fn parse_url(url: &str) -> Result<(Endpoint, String), String> {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[after_scheme..].find(['/', '?']).map_or(url.len(), |i| after_scheme + i);
    let (base, path) = url.split_at(path_start);
    let endpoint = Endpoint::parse(base).map_err(|e| e.to_string())?;
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) || path.contains('#') {
        return Err(format!("invalid URL {url:?}: the path may not hold whitespace or a fragment"));
    }
    let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    Ok((endpoint, path))
}

/// The host of an endpoint, without its port (a bracketed IPv6 address keeps its brackets).
pub(crate) fn host_of(endpoint: &Endpoint) -> &str {
    let authority = endpoint.authority();
    match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => host,
        _ => authority,
    }
}

/// Whether `host` names this machine: `localhost`, `[::1]` or a 127.x.y.z address.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

fn body_text(body: Body) -> String {
    String::from_utf8_lossy(&body.into_vec()).into_owned()
}
