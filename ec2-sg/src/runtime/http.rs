//! The transport seam: any HTTP client can carry the signed requests. The bundled one is
//! reqwest (features `rustls`/`native-tls`); with no default features, plug your own by
//! implementing [`HttpClient`] (async) or [`BlockingHttpClient`].

pub use super::body::Body;
use super::request::HttpRequest;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, as the async traits here return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The whole body, in the chunks it arrived in.
    pub body: Body,
}

/// Why a request got no answer.
// Kept beside aws-smithy-runtime-api's `ConnectorError`, whose `Display` is only its kind ("io error", "timeout"): ours says what failed (URL, root cause) without walking the chain, and `HttpClient` implementors make one from a message.
#[derive(Debug)]
pub struct TransportError {
    timeout: bool,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// A connection, DNS or I/O failure.
    pub fn io(message: impl Into<String>) -> Self {
        Self { timeout: false, message: message.into(), source: None }
    }

    /// The attempt ran out of time.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self { timeout: true, message: message.into(), source: None }
    }

    /// Attaches the underlying error, whose text the message must already hold.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Whether this was a timeout.
    pub fn is_timeout(&self) -> bool {
        self.timeout
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransportError {
    /// The message holds the text of the attached error: the chain goes on at that error's
    /// source, so that each cause is printed once.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().and_then(|source| source.source())
    }
}

/// An async HTTP client. `timeout` bounds the whole attempt when set.
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends one signed request and reads the whole answer.
    fn send(
        &self,
        request: HttpRequest,
        timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// A blocking HTTP client.
pub trait BlockingHttpClient: Send + Sync + fmt::Debug {
    /// Sends one signed request and reads the whole answer.
    fn send(&self, request: HttpRequest, timeout: Option<Duration>) -> Result<HttpResponse, TransportError>;
}

/// Waits, for retries' backoff, waiters and timeouts in async code: aws-smithy-async's trait,
/// the one every AWS SDK for Rust takes (`TokioSleep` with the bundled client).
pub use aws_smithy_async::rt::sleep::{AsyncSleep, Sleep};

/// Runs `future`, giving up with `None` when `sleep` completes first.
pub(crate) async fn timeout<T>(sleep: Sleep, future: impl Future<Output = T>) -> Option<T> {
    let mut sleep = std::pin::pin!(sleep);
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        if let std::task::Poll::Ready(value) = future.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(value));
        }
        match sleep.as_mut().poll(cx) {
            std::task::Poll::Ready(()) => std::task::Poll::Ready(None),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    })
    .await
}

/// The largest answer the bundled clients read by default: 256 MiB, twenty times a 1,000-group
/// DescribeSecurityGroups page with 25 rules per group.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 256 << 20;

/// The bundled clients' limits on an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportLimits {
    /// Establishing a connection (`None`: no limit).
    pub connect_timeout: Option<Duration>,
    /// The longest wait for the next bytes of an answer (`None`: no limit).
    pub read_timeout: Option<Duration>,
    /// Answers with a longer body are refused with an error.
    pub max_response_bytes: usize,
}

impl Default for TransportLimits {
    fn default() -> Self {
        Self {
            connect_timeout: Some(Duration::from_millis(3100)),
            read_timeout: Some(Duration::from_secs(60)),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// The error of an answer whose body is longer than allowed.
#[cfg(feature = "reqwest-client")]
fn too_large(limit: usize, which_limit: &str) -> TransportError {
    TransportError::io(format!("the answer is larger than {limit} bytes, {which_limit}; nothing of it was decoded"))
}

/// What sets the body limit of a client, for [`too_large`]: the configuration's knob, unless the
/// client was made for credential sources.
#[cfg(feature = "reqwest-client")]
const CONFIGURED_LIMIT: &str = "the configured limit (Config::builder().max_response_bytes(..))";

/// Headers the HTTP client sets itself from the body and URL.
#[cfg(feature = "reqwest-client")]
fn is_transport_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("host")
}

#[cfg(feature = "reqwest-client")]
pub use aws_smithy_async::rt::sleep::TokioSleep;
#[cfg(feature = "reqwest-client")]
pub use reqwest_impl::ReqwestClient;

#[cfg(all(feature = "reqwest-client", feature = "blocking"))]
pub use reqwest_impl::ReqwestBlockingClient;

#[cfg(feature = "reqwest-client")]
mod reqwest_impl {
    use super::*;

    /// The message names the URL and the root cause's short form, which reqwest's own text
    /// ("error sending request for url (…)") leaves to its source chain: users see "connection
    /// refused" or "TLS handshake failed" without printing the chain.
    fn transport_error(error: reqwest::Error) -> TransportError {
        let url = error.url().map(|url| format!(" {url}")).unwrap_or_default();
        let cause = root_cause(&error);
        let message = if error.is_timeout() {
            match cause {
                Some(cause) if cause != "timed out" => format!("timed out waiting for{url}: {cause}"),
                _ => format!("timed out waiting for{url}"),
            }
        } else if error.is_connect() {
            format!("could not connect to{url}: {}", cause.as_deref().unwrap_or("connection failed"))
        } else {
            match cause {
                Some(cause) => format!("HTTP transport error with{url}: {cause}"),
                None => format!("HTTP transport error: {error}"),
            }
        };
        let base = if error.is_timeout() { TransportError::timeout(message) } else { TransportError::io(message) };
        base.with_source(error)
    }

    /// The short form of why a request failed, read from reqwest's source chain: connection
    /// refused or reset, timed out, DNS or TLS failure (with the innermost error's text), else
    /// the innermost error's text; `None` when the chain is empty.
    fn root_cause(error: &reqwest::Error) -> Option<String> {
        let mut links: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
        let mut next = std::error::Error::source(error);
        // Bounded: error chains are short, but a cyclic one must not hang the caller.
        while let Some(link) = next.filter(|_| links.len() < 32) {
            links.push(link);
            next = link.source();
        }
        let innermost = links.last()?.to_string();
        let io_kind = links.iter().find_map(|link| link.downcast_ref::<std::io::Error>().map(std::io::Error::kind));
        let cause = match io_kind {
            Some(std::io::ErrorKind::ConnectionRefused) => "connection refused".to_string(),
            Some(std::io::ErrorKind::ConnectionReset) => "connection reset by the server".to_string(),
            Some(std::io::ErrorKind::TimedOut) => "timed out".to_string(),
            // hyper's connector names the step that failed: "dns error", "tcp connect error".
            _ if links.iter().any(|link| link.to_string() == "dns error") => format!("DNS lookup failed: {innermost}"),
            _ if error.is_timeout() => "timed out".to_string(),
            // Past DNS and TCP, an https connection fails in its TLS handshake.
            _ if error.is_connect()
                && error.url().is_some_and(|url| url.scheme() == "https")
                && !links.iter().any(|link| link.to_string() == "tcp connect error") =>
            {
                format!("TLS handshake failed: {innermost}")
            }
            _ => innermost,
        };
        Some(cause)
    }

    fn method(request: &HttpRequest) -> Result<reqwest::Method, TransportError> {
        reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| TransportError::io(format!("invalid HTTP method {:?}: {e}", request.method)).with_source(e))
    }

    fn collect_headers(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect()
    }

    fn build_error(error: reqwest::Error) -> TransportError {
        TransportError::io(format!("cannot build the HTTP client: {error}")).with_source(error)
    }

    /// The answer is refused as soon as `Content-Length` announces more than the limit.
    fn check_announced_length(
        content_length: Option<u64>,
        limit: usize,
        which_limit: &str,
    ) -> Result<(), TransportError> {
        match content_length {
            Some(length) if length > limit as u64 => Err(too_large(limit, which_limit)),
            _ => Ok(()),
        }
    }

    /// The bundled async client: reqwest with the TLS the cargo features chose. It never follows
    /// redirects (as botocore and aws-sdk-rust: a redirect would carry the signed request and
    /// session token to another host and return that host's unsigned answer); a 3xx is an error.
    #[derive(Debug, Clone)]
    pub struct ReqwestClient {
        client: reqwest::Client,
        max_response_bytes: usize,
        /// What sets `max_response_bytes`, for the error of a longer answer.
        which_limit: &'static str,
    }

    impl ReqwestClient {
        /// A client with the given connect timeout and the default [`TransportLimits`] otherwise.
        pub fn new(connect_timeout: Duration) -> Result<Self, TransportError> {
            Self::with_limits(TransportLimits { connect_timeout: Some(connect_timeout), ..TransportLimits::default() })
        }

        /// A client with these limits.
        pub fn with_limits(limits: TransportLimits) -> Result<Self, TransportError> {
            Self::build(reqwest::Client::builder(), limits)
        }

        /// A client for the link-local and loopback endpoints credentials come from (instance
        /// metadata, the container agent): it ignores the proxy variables, since a proxy has no
        /// business seeing those endpoints' tokens and could not reach them anyway.
        pub(crate) fn for_local_endpoints(limits: TransportLimits) -> Result<Self, TransportError> {
            Self::build(reqwest::Client::builder().no_proxy(), limits)
        }

        /// This client, its body limit described as `which_limit` in the error of a longer
        /// answer (for clients whose limit is not the configuration's).
        pub(crate) fn with_limit_described_as(mut self, which_limit: &'static str) -> Self {
            self.which_limit = which_limit;
            self
        }

        fn build(builder: reqwest::ClientBuilder, limits: TransportLimits) -> Result<Self, TransportError> {
            let mut builder = builder.redirect(reqwest::redirect::Policy::none());
            if let Some(connect_timeout) = limits.connect_timeout {
                builder = builder.connect_timeout(connect_timeout);
            }
            if let Some(read_timeout) = limits.read_timeout {
                builder = builder.read_timeout(read_timeout);
            }
            let client = builder.build().map_err(build_error)?;
            Ok(Self { client, max_response_bytes: limits.max_response_bytes, which_limit: CONFIGURED_LIMIT })
        }

        /// Wraps a reqwest client you configured yourself (proxies, pools, certificates). Give it
        /// `redirect(reqwest::redirect::Policy::none())` and a read timeout, as [`Self::new`] does.
        pub fn from_client(client: reqwest::Client) -> Self {
            Self { client, max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES, which_limit: CONFIGURED_LIMIT }
        }
    }

    impl HttpClient for ReqwestClient {
        fn send(
            &self,
            request: HttpRequest,
            timeout: Option<Duration>,
        ) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
            Box::pin(async move {
                let mut builder = self.client.request(method(&request)?, request.url());
                for (name, value) in request.headers.iter().filter(|(n, _)| !is_transport_header(n)) {
                    builder = builder.header(name.as_str(), value.as_str());
                }
                if let Some(timeout) = timeout {
                    builder = builder.timeout(timeout);
                }
                let mut response = builder.body(request.body).send().await.map_err(transport_error)?;
                let status = response.status().as_u16();
                let headers = collect_headers(response.headers());
                // The chunks are kept as they came, never copied: the decoder reads them in place.
                let limit = self.max_response_bytes;
                check_announced_length(response.content_length(), limit, self.which_limit)?;
                let mut body = Body::new();
                while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
                    if chunk.len() > limit - body.len() {
                        return Err(too_large(limit, self.which_limit));
                    }
                    body.push(chunk);
                }
                Ok(HttpResponse { status, headers, body })
            })
        }
    }

    /// The bundled blocking client: reqwest's. Create and use it outside async code: reqwest's
    /// blocking client runs its own runtime and must not be dropped inside another. Like the
    /// async one, it never follows redirects.
    #[cfg(feature = "blocking")]
    #[derive(Debug, Clone)]
    pub struct ReqwestBlockingClient {
        client: reqwest::blocking::Client,
        limits: TransportLimits,
    }

    #[cfg(feature = "blocking")]
    impl ReqwestBlockingClient {
        /// A client with the given connect timeout and the default [`TransportLimits`] otherwise.
        pub fn new(connect_timeout: Duration) -> Result<Self, TransportError> {
            Self::with_limits(TransportLimits { connect_timeout: Some(connect_timeout), ..TransportLimits::default() })
        }

        /// A client with these limits. reqwest's blocking client has no per-read timeout: an
        /// attempt without a timeout of its own is bounded by the read timeout as a whole.
        pub fn with_limits(limits: TransportLimits) -> Result<Self, TransportError> {
            let client = reqwest::blocking::Client::builder()
                .connect_timeout(limits.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                // No default overall timeout: each request gets its own below.
                .timeout(None)
                .build()
                .map_err(build_error)?;
            Ok(Self { client, limits })
        }
    }

    /// The blocking client reads a body in pieces of this size.
    #[cfg(feature = "blocking")]
    const BLOCKING_CHUNK: usize = 64 << 10;

    #[cfg(feature = "blocking")]
    impl BlockingHttpClient for ReqwestBlockingClient {
        fn send(&self, request: HttpRequest, timeout: Option<Duration>) -> Result<HttpResponse, TransportError> {
            let mut builder = self.client.request(method(&request)?, request.url());
            for (name, value) in request.headers.iter().filter(|(n, _)| !is_transport_header(n)) {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if let Some(timeout) = timeout.or(self.limits.read_timeout) {
                builder = builder.timeout(timeout);
            }
            let response = builder.body(request.body).send().map_err(transport_error)?;
            let status = response.status().as_u16();
            let headers = collect_headers(response.headers());
            let limit = self.limits.max_response_bytes;
            check_announced_length(response.content_length(), limit, CONFIGURED_LIMIT)?;
            // Read in chunks of up to BLOCKING_CHUNK bytes, each filled before the next is started,
            // so that the body is held once and the decoder can free what it has read.
            let mut reader = std::io::Read::take(response, limit as u64 + 1);
            let mut body = Body::new();
            loop {
                let mut chunk = Vec::with_capacity(BLOCKING_CHUNK);
                let read = std::io::Read::read_to_end(
                    &mut std::io::Read::take(&mut reader, BLOCKING_CHUNK as u64),
                    &mut chunk,
                )
                .map_err(|e| {
                    let timed_out = e
                        .get_ref()
                        .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
                        .is_some_and(reqwest::Error::is_timeout);
                    match timed_out {
                        true => TransportError::timeout(format!("timed out: {e}")),
                        false => TransportError::io(format!("HTTP transport error: {e}")),
                    }
                    .with_source(e)
                })?;
                body.push(chunk);
                // One byte past the limit tells a body at the limit from a longer one.
                if body.len() > limit {
                    return Err(too_large(limit, CONFIGURED_LIMIT));
                }
                if read < BLOCKING_CHUNK {
                    break;
                }
            }
            Ok(HttpResponse { status, headers, body })
        }
    }
}
