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
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::runtime::Handle;

use super::types::CredentialsError;
use crate::runtime::body::Body;
use crate::runtime::http::{HttpClient, ReqwestClient, TransportError, TransportLimits};
use crate::runtime::json;
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
        .map_err(|e| CredentialsError::new("cannot start a runtime to fetch credentials").with_source(e))?;
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
        .name("ec2-sg-credentials".into())
        .spawn(move || {
            ON_BACKGROUND_THREAD.with(|on| on.set(true));
            // Drives the IO and timers of every fetch, for the life of the process.
            runtime.block_on(std::future::pending::<()>())
        })
        .map_err(|e| CredentialsError::new("cannot start a thread to fetch credentials").with_source(e))?;
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

/// The constructors the endpoint sources share (IMDS, the container agent, SSO): `Default` and
/// `new` over the process environment, `with_env`, `with_time_source`, and `with_profile` for
/// those that read a profile. The type has fields `env: Env` and `time: SharedTimeSource`, and
/// the fields listed in braces, each starting from its `Default`.
macro_rules! endpoint_source_constructors {
    ($source:ident { $($field:ident),* }, new: $new_doc:literal $(, $with_profile:ident)?) => {
        impl Default for $source {
            fn default() -> Self {
                Self::with_env(Env::real())
            }
        }

        impl $source {
            #[doc = $new_doc]
            pub fn new() -> Self {
                Self::default()
            }

            /// Reads the given environment (and the files and home it names) instead.
            pub fn with_env(env: Env) -> Self {
                Self { env, time: SharedTimeSource::default(), $($field: Default::default()),* }
            }

            $(
                /// Uses this profile instead of `AWS_PROFILE`/`default`.
                pub fn $with_profile(mut self, profile: impl Into<String>) -> Self {
                    self.profile = Some(profile.into());
                    self
                }
            )?

            /// Tells the time with this clock (tests, or a program with its own idea of now).
            pub fn with_time_source(mut self, time: impl TimeSource + 'static) -> Self {
                self.time = SharedTimeSource::new(time);
                self
            }
        }
    };
}
pub(crate) use endpoint_source_constructors;

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
/// and for the whole request, no redirects, and a number of attempts (one unless
/// [`Self::with_attempts`] says more). Made with [`Self::new`], it uses no proxy (for endpoints
/// that are link-local or loopback, whose tokens a proxy must never see); made with
/// [`Self::for_aws_endpoint`], it keeps the environment's proxy settings.
#[derive(Debug)]
pub(crate) struct SourceHttp {
    client: ReqwestClient,
    timeout: Duration,
    /// At least 1.
    attempts: u32,
}

impl SourceHttp {
    /// A client for a link-local or loopback endpoint, without proxy, whose connection and each
    /// request are bounded by `timeout`.
    pub(crate) fn new(timeout: Duration) -> Result<Self, CredentialsError> {
        let client = ReqwestClient::for_local_endpoints(Self::limits(timeout))
            .map_err(Self::build_error)?
            .with_limit_described_as(SOURCE_LIMIT);
        Ok(Self { client, timeout, attempts: 1 })
    }

    /// A client for a public AWS endpoint (SSO, STS), reached over the internet: it keeps the
    /// environment's proxy settings (`HTTPS_PROXY`, `NO_PROXY`, …), as the SDKs do, since a
    /// network that needs a proxy for AWS needs it for these too.
    pub(crate) fn for_aws_endpoint(timeout: Duration) -> Result<Self, CredentialsError> {
        let client = ReqwestClient::with_limits(Self::limits(timeout))
            .map_err(Self::build_error)?
            .with_limit_described_as(SOURCE_LIMIT);
        Ok(Self { client, timeout, attempts: 1 })
    }

    /// Tries each request up to `attempts` times (at least once) on transport errors and 5xx
    /// answers, one attempt right after the other: the endpoints that ask for this are local.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    fn limits(timeout: Duration) -> TransportLimits {
        TransportLimits {
            connect_timeout: Some(timeout),
            read_timeout: Some(timeout),
            max_response_bytes: MAX_SOURCE_RESPONSE_BYTES,
        }
    }

    fn build_error(e: TransportError) -> CredentialsError {
        CredentialsError::new("cannot build the HTTP client for credentials").with_source(e)
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

    /// Sends `method url` with these headers and this body, as many times as the attempts allow
    /// while the transport fails or the answer is a 5xx; the last outcome is returned as it is.
    pub(crate) async fn send_with_body(
        &self,
        method: &'static str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<SourceResponse, TransportError> {
        let url = SourceUrl::parse(url).map_err(TransportError::io)?;
        let mut attempt = 1;
        loop {
            let request = HttpRequest {
                method,
                scheme: url.endpoint.scheme().to_owned(),
                authority: url.endpoint.authority().to_owned(),
                path: url.path_and_query.clone(),
                headers: headers.clone(),
                body: body.clone(),
            };
            let outcome = self.client.send(request, Some(self.timeout)).await.map(|response| SourceResponse {
                status: response.status,
                headers: response.headers,
                text: body_text(response.body),
            });
            let failed = outcome.as_ref().map_or(true, |response| response.status >= 500);
            if !failed || attempt >= self.attempts {
                return outcome;
            }
            attempt += 1;
        }
    }
}

/// An answer below 500, or what the last attempt met for a message: `answered 503`, or the
/// transport error (which never holds a body).
pub(crate) fn answered(outcome: Result<SourceResponse, TransportError>) -> Result<SourceResponse, String> {
    match outcome {
        Ok(response) if response.status < 500 => Ok(response),
        Ok(response) => Err(format!("answered {}", response.status)),
        Err(e) => Err(e.to_string()),
    }
}

/// A credential endpoint's URL, checked: `http` or `https`, a host as [`Endpoint::parse`]
/// accepts it (no user info), and a path with any query (which an endpoint of the SDK itself may
/// not have, but a container credentials URI may) but no fragment.
#[derive(Debug, Clone)]
pub(crate) struct SourceUrl {
    endpoint: Endpoint,
    /// As `Uri::host` gives it: an IPv6 address keeps its brackets.
    host: String,
    /// Starts with `/`.
    path_and_query: String,
}

impl SourceUrl {
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        let invalid = |problem: &dyn std::fmt::Display| format!("invalid URL {url:?}: {problem}");
        // `Uri` would drop a fragment silently; a credentials URL with one is a mistake.
        if url.contains('#') {
            return Err(invalid(&"a fragment is not allowed"));
        }
        let uri: http::Uri = url.parse().map_err(|e| invalid(&e))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(invalid(&"it needs a scheme and a host, as in http://host/path"));
        };
        let endpoint = Endpoint::parse(&format!("{scheme}://{authority}")).map_err(|e| e.to_string())?;
        let path_and_query = match uri.query() {
            Some(query) => format!("{}?{query}", uri.path()),
            None => uri.path().to_owned(),
        };
        Ok(Self { host: authority.host().to_owned(), endpoint, path_and_query })
    }

    pub(crate) fn scheme(&self) -> &str {
        self.endpoint.scheme()
    }

    /// The host, without the port (an IPv6 address keeps its brackets).
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// Whether the host names this machine: `localhost`, or a loopback IPv4 or IPv6 address.
    pub(crate) fn is_loopback(&self) -> bool {
        let address = self.host.trim_start_matches('[').trim_end_matches(']');
        self.host.eq_ignore_ascii_case("localhost") || address.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// `: code: message` of an error answer (the code from `x-amzn-errortype` or the body's `__type`,
/// `error` or `code`), at most 200 characters of each, without control characters, with any of
/// `secrets` cut out; never the raw body, which could hold anything.
pub(crate) fn error_detail(response: &SourceResponse, secrets: &[&str]) -> String {
    let members = json::parse_object(&response.text).unwrap_or_default();
    let text_of = |names: &[&str]| {
        names.iter().find_map(|name| match json::member(&members, name) {
            Some(json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
    };
    let code = response
        .header("x-amzn-errortype")
        .map(str::to_owned)
        .or_else(|| text_of(&["__type", "error", "code", "Code"]))
        // `UnauthorizedException:http://internal.amazon.com/...`, or `aws.protocoltests#Code`.
        .map(|code| {
            let code = code.split(':').next().unwrap_or_default();
            code.rsplit('#').next().unwrap_or_default().to_owned()
        });
    let message = text_of(&["message", "Message", "error_description"]);
    let clean = |text: String| {
        let mut text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            text = text.replace(secret, "** redacted **");
        }
        // A secret cut by the 200 characters would leave its start: drop the text then. (`get`
        // is `None` for a shorter secret or one whose 8th byte is inside a character: no panic.)
        if secrets.iter().filter_map(|s| s.get(..8)).any(|start| text.contains(start)) {
            text = "** redacted **".to_owned();
        }
        text
    };
    match (code.filter(|c| !c.is_empty()).map(clean), message.map(clean)) {
        (Some(code), Some(message)) => format!(": {code}: {message}"),
        (Some(one), None) | (None, Some(one)) => format!(": {one}"),
        (None, None) => String::new(),
    }
}

fn body_text(body: Body) -> String {
    String::from_utf8_lossy(&body.into_vec()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_background_runtime_is_reused_and_survives_a_panicking_job() {
        let thread_of_job = || run_in_background(async { Ok(std::thread::current().id()) }).unwrap();
        assert_eq!(thread_of_job(), thread_of_job());
        let panicked = run_in_background::<(), _>(async { panic!("a provider bug") }).unwrap_err();
        assert!(panicked.to_string().contains("panicked"), "{panicked}");
        assert_eq!(run_in_background(async { Ok(7) }).unwrap(), 7);
    }

    #[test]
    fn a_fetch_waited_for_from_the_fetch_thread_is_an_error_not_a_deadlock() {
        let nested = run_in_background(async { Ok(run_in_background(async { Ok(1) })) }).unwrap();
        assert!(nested.unwrap_err().to_string().contains("cannot wait for another"));
    }

    #[test]
    fn urls_split_and_loopback_hosts() {
        let url = SourceUrl::parse("http://[::1]:8080/v2/creds?id=1").unwrap();
        assert_eq!((url.scheme(), url.host(), url.path_and_query.as_str()), ("http", "[::1]", "/v2/creds?id=1"));
        assert!(url.is_loopback());
        assert_eq!(SourceUrl::parse("https://oidc.eu-west-1.amazonaws.com").unwrap().path_and_query, "/");
        for loopback in ["http://localhost/", "http://LOCALHOST:1/", "http://127.1.2.3/", "http://[::1]/"] {
            assert!(SourceUrl::parse(loopback).unwrap().is_loopback(), "{loopback}");
        }
        for other in ["http://127.0.0.1.example.com/", "http://[::2]/", "http://169.254.170.2/"] {
            assert!(!SourceUrl::parse(other).unwrap().is_loopback(), "{other}");
        }
        for invalid in ["http://h/a b", "http://h/x#frag", "ftp://h/", "/relative", "http://user@h/", "http://h\t/"] {
            assert!(SourceUrl::parse(invalid).is_err(), "{invalid}");
        }
    }

    #[test]
    fn error_details_cut_secrets_out() {
        const REFRESH: &str = "aorvJYubEXAMPLEREFRESHTOKEN";
        let response =
            |headers: Vec<(String, String)>, text: &str| SourceResponse { status: 401, headers, text: text.to_owned() };
        let typed = response(
            vec![("X-Amzn-ErrorType".into(), "UnauthorizedException:http://internal.amazon.com/x".into())],
            r#"{"message": "Session token not found or invalid"}"#,
        );
        assert_eq!(error_detail(&typed, &[]), ": UnauthorizedException: Session token not found or invalid");
        let oidc =
            response(vec![], r#"{"error": "invalid_grant", "error_description": "bad aorvJYubEXAMPLEREFRESHTOKEN"}"#);
        assert_eq!(error_detail(&oidc, &[REFRESH]), ": invalid_grant: bad ** redacted **");
        assert_eq!(error_detail(&response(vec![], "<html>"), &[]), "");
        // Secrets that are not ASCII are cut out too, and never split mid-character.
        let odd = response(vec![], r#"{"message": "x ééééééééé y"}"#);
        assert_eq!(error_detail(&odd, &["ééééééééé", "aé"]), ": x ** redacted ** y");
        let long = response(vec![], &format!(r#"{{"message": "{}{REFRESH}"}}"#, "m".repeat(190)));
        assert_eq!(error_detail(&long, &[REFRESH]), ": ** redacted **");
        // The container agent's documents: `code` and `message`.
        let agent = response(vec![], r#"{"code": "AccessDenied", "message": "token expired"}"#);
        assert_eq!(error_detail(&agent, &[]), ": AccessDenied: token expired");
    }
}
