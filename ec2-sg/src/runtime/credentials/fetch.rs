//! HTTP for the credential sources that ask an endpoint (the instance metadata service, the
//! container agent, STS, SSO).
//!
//! Providers are synchronous at their core (the blocking client calls them in place, and the
//! [`CachingProvider`](super::CachingProvider) refreshes on a blocking thread for async callers),
//! while the bundled transport is async. So every fetch runs on one background runtime: a
//! current-thread tokio runtime driven by one thread, started by the first fetch and kept for the
//! life of the process (tokio's `rt` is already in the graph through reqwest). The caller waits
//! on a channel, not on a runtime, which works from plain code and from inside an async runtime
//! alike, where blocking on a nested runtime would panic.

use std::cell::Cell;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::runtime::Handle;

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

/// The background runtime's handle, once started (a failed start is tried again by the next fetch).
static BACKGROUND: Mutex<Option<Handle>> = Mutex::new(None);

thread_local! {
    /// Set on the background runtime's thread: a fetch waited for there could never run.
    static ON_BACKGROUND_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// The handle of the background runtime, started on first use.
pub(crate) fn background_runtime() -> Result<Handle, CredentialsError> {
    let mut slot = BACKGROUND.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(handle) = slot.as_ref() {
        return Ok(handle.clone());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name("ec2-sg-credentials-blocking")
        .build()
        .map_err(|e| with_cause("cannot start a runtime to fetch credentials", e))?;
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
        .name("ec2-sg-credentials".into())
        .spawn(move || {
            ON_BACKGROUND_THREAD.with(|on| on.set(true));
            // Drives the IO and timers of every fetch, for the life of the process.
            runtime.block_on(std::future::pending::<()>())
        })
        .map_err(|e| with_cause("cannot start a thread to fetch credentials", e))?;
    *slot = Some(handle.clone());
    Ok(handle)
}

/// Runs `job` on the background runtime and waits for its outcome.
pub(crate) fn run_in_background<T, Fut>(job: Fut) -> Result<T, CredentialsError>
where
    T: Send + 'static,
    Fut: Future<Output = Result<T, CredentialsError>> + Send + 'static,
{
    if ON_BACKGROUND_THREAD.with(Cell::get) {
        return Err(CredentialsError::new(
            "a credentials fetch cannot wait for another on the thread that runs them (a provider's fetch asked a \
             blocking provider)",
        ));
    }
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    background_runtime()?.spawn(async move {
        let _ = sender.send(job.await);
    });
    // A job that panics drops its sender: the wait ends with an error, not a hang.
    receiver.recv().unwrap_or_else(|_| Err(CredentialsError::new("fetching credentials panicked")))
}

/// The one place where a cause joins a credentials error's message. The cause must not carry a
/// secret (a transport or I/O error, never a response body).
// At the merge with CredentialsError's `source()`, this becomes `CredentialsError::with_source`.
pub(crate) fn with_cause(message: &str, cause: impl std::fmt::Display) -> CredentialsError {
    CredentialsError::new(format!("{message}: {cause}"))
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
        with_cause("cannot build the HTTP client for credentials", e)
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
