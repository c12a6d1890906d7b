//! The transport seam: any HTTP client can carry the signed requests. The bundled one is
//! reqwest (features `rustls`/`native-tls`); with no default features, plug your own by
//! implementing [`HttpClient`] (async) or [`BlockingHttpClient`].

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
    /// The whole body.
    pub body: Vec<u8>,
}

/// Why a request got no answer.
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

    /// Attaches the underlying error.
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
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
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

/// Waits, for retries' backoff and for timeouts in async code.
pub trait AsyncSleep: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Runs `future`, giving up with `None` when `sleep` completes first.
pub(crate) async fn timeout<T>(sleep: BoxFuture<'static, ()>, future: impl Future<Output = T>) -> Option<T> {
    let mut sleep = sleep;
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

/// Headers the HTTP client sets itself from the body and URL.
#[cfg(feature = "reqwest-client")]
fn is_transport_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("host")
}

#[cfg(feature = "reqwest-client")]
pub use reqwest_impl::{ReqwestClient, TokioSleep};

#[cfg(all(feature = "reqwest-client", feature = "blocking"))]
pub use reqwest_impl::ReqwestBlockingClient;

#[cfg(feature = "reqwest-client")]
mod reqwest_impl {
    use super::*;

    fn transport_error(error: reqwest::Error) -> TransportError {
        let message = if error.is_timeout() {
            format!("timed out: {error}")
        } else if error.is_connect() {
            format!("could not connect: {error}")
        } else {
            format!("HTTP transport error: {error}")
        };
        let base = if error.is_timeout() { TransportError::timeout(message) } else { TransportError::io(message) };
        base.with_source(error)
    }

    fn method(request: &HttpRequest) -> Result<reqwest::Method, TransportError> {
        reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| TransportError::io(format!("invalid HTTP method {:?}", request.method)).with_source(e))
    }

    fn collect_headers(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect()
    }

    /// The bundled async client: reqwest with the TLS the cargo features chose.
    #[derive(Debug, Clone)]
    pub struct ReqwestClient {
        client: reqwest::Client,
    }

    impl ReqwestClient {
        /// A client with the given connect timeout.
        pub fn new(connect_timeout: Duration) -> Result<Self, TransportError> {
            let client = reqwest::Client::builder()
                .connect_timeout(connect_timeout)
                .build()
                .map_err(|e| TransportError::io(format!("cannot build the HTTP client: {e}")).with_source(e))?;
            Ok(Self { client })
        }

        /// Wraps a reqwest client you configured yourself (proxies, pools, certificates).
        pub fn from_client(client: reqwest::Client) -> Self {
            Self { client }
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
                let response = builder.body(request.body).send().await.map_err(transport_error)?;
                let status = response.status().as_u16();
                let headers = collect_headers(response.headers());
                let body = response.bytes().await.map_err(transport_error)?.to_vec();
                Ok(HttpResponse { status, headers, body })
            })
        }
    }

    /// Sleeps on tokio's timer (the runtime must have its time driver enabled).
    #[derive(Debug, Clone, Copy, Default)]
    pub struct TokioSleep;

    impl AsyncSleep for TokioSleep {
        fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
            Box::pin(tokio::time::sleep(duration))
        }
    }

    /// The bundled blocking client: reqwest's. Create and use it outside async code: reqwest's
    /// blocking client runs its own runtime and must not be dropped inside another.
    #[cfg(feature = "blocking")]
    #[derive(Debug, Clone)]
    pub struct ReqwestBlockingClient {
        client: reqwest::blocking::Client,
    }

    #[cfg(feature = "blocking")]
    impl ReqwestBlockingClient {
        /// A client with the given connect timeout.
        pub fn new(connect_timeout: Duration) -> Result<Self, TransportError> {
            let client = reqwest::blocking::Client::builder()
                .connect_timeout(connect_timeout)
                // No default overall timeout: the SDK applies its own per attempt.
                .timeout(None)
                .build()
                .map_err(|e| TransportError::io(format!("cannot build the HTTP client: {e}")).with_source(e))?;
            Ok(Self { client })
        }
    }

    #[cfg(feature = "blocking")]
    impl BlockingHttpClient for ReqwestBlockingClient {
        fn send(&self, request: HttpRequest, timeout: Option<Duration>) -> Result<HttpResponse, TransportError> {
            let mut builder = self.client.request(method(&request)?, request.url());
            for (name, value) in request.headers.iter().filter(|(n, _)| !is_transport_header(n)) {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if let Some(timeout) = timeout {
                builder = builder.timeout(timeout);
            }
            let response = builder.body(request.body).send().map_err(transport_error)?;
            let status = response.status().as_u16();
            let headers = collect_headers(response.headers());
            let body = response.bytes().map_err(transport_error)?.to_vec();
            Ok(HttpResponse { status, headers, body })
        }
    }
}
