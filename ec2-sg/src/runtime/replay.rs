//! Replaying recorded answers, for tests (feature `test-util`): test your own code against real
//! EC2 (or moto) XML, offline and in milliseconds.
//!
//! - [`ReplayClient`] is an HTTP client (async [`HttpClient`] and [`BlockingHttpClient`]) made from
//!   a list of [`ReplayEvent`]s: each is a request the code is expected to send and the answer to
//!   give. It serves the answers in order and checks each request: method, path, the expected
//!   headers (`Content-Type`), a well-formed SigV4 `Authorization` header, and the form body as a
//!   set of parameters (`Action` and `Version` first, the rest in any order).
//! - A request that does not match, or one more request than there are events, is answered with
//!   a service error (HTTP 400, code [`MISMATCH_CODE`] or [`EXHAUSTED_CODE`]) whose message is a
//!   readable diff; the client does not retry it. [`ReplayClient::assert_requests_match`] reports
//!   the same, and events left unused, at the end of a test.
//! - [`RecordingClient`] wraps any HTTP client and keeps a log of the [`Exchange`]s it carried;
//!   [`ReplayEvent::from_exchange`] turns one into an event (`cargo xtask record` is built on it).
//! - [`ReplayEvent::parse`] and [`ReplayEvent::to_fixture`] read and write the plain-text fixture
//!   format of `tests/fixtures/recorded/` in the repository:
//!
//! ```text
//! # Comment lines (the fixture's notes) come first.
//! --- request
//! POST /
//! Content-Type: application/x-www-form-urlencoded; charset=utf-8
//!
//! Action=DescribeSecurityGroups
//! Version=2016-11-15
//! GroupId.1=sg-00000000000000001
//! --- response
//! HTTP 200
//! Content-Type: text/xml;charset=UTF-8
//!
//! <DescribeSecurityGroupsResponse>…</DescribeSecurityGroupsResponse>
//! ```
//!
//! Parameters are one per line, `Key=value`, decoded (not percent-encoded); in values `\\`, `\n`,
//! `\r` and `\t` stand for a backslash, a newline, a carriage return and a tab. The response body
//! is the rest of the file after the blank line, less one final newline.

use super::form::{parse_form, PercentDecodeError};
use super::http::{BlockingHttpClient, BoxFuture, HttpClient, HttpResponse, TransportError};
use super::request::{HttpRequest, FORM_CONTENT_TYPE};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The error code of the answer to a request that does not match its event.
pub const MISMATCH_CODE: &str = "ReplayRequestMismatch";
/// The error code of the answer to a request made after every event was used.
pub const EXHAUSTED_CODE: &str = "ReplayExhausted";

/// A request the code under test is expected to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    params: Vec<(String, String)>,
}

impl ExpectedRequest {
    /// An EC2 Query request: `POST /`, the form `Content-Type`, and these parameters, which
    /// should start with `Action` and `Version`.
    pub fn form<K: Into<String>, V: Into<String>>(params: impl IntoIterator<Item = (K, V)>) -> Self {
        Self {
            method: "POST".to_string(),
            path: "/".to_string(),
            headers: vec![("Content-Type".to_string(), FORM_CONTENT_TYPE.to_string())],
            params: params.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        }
    }

    /// The request `operation` of API version `version`, with no other parameter yet.
    pub fn operation(operation: &str, version: &str) -> Self {
        Self::form([("Action", operation), ("Version", version)])
    }

    /// Adds a parameter (a member of the input: `GroupId.1`, `IpPermissions.1.FromPort`, …).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((key.into(), value.into()));
        self
    }

    /// Replaces the expected method (default `POST`).
    pub fn with_method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// Replaces the expected path (default `/`).
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Expects a header with this value (replacing an expected header of that name).
    /// `Content-Type` is compared without regard to case and spaces.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// Checks no header, not even `Content-Type`.
    pub fn without_headers(mut self) -> Self {
        self.headers.clear();
        self
    }

    /// What a sent request expects of the next one just like it: its method, path,
    /// `Content-Type` and form parameters (the signature and other headers are not kept).
    pub fn from_request(request: &HttpRequest) -> Result<Self, ReplayError> {
        let body = std::str::from_utf8(&request.body)
            .map_err(|_| ReplayError::new("the request body is not UTF-8 (a compressed body cannot be recorded)"))?;
        let params = parse_form(body)
            .map_err(|e| ReplayError { source: Some(e), ..ReplayError::new("the request body is not a form") })?;
        let mut expected = Self::form(params).with_method(request.method).with_path(request.path.clone());
        expected.headers.clear();
        if let Some(content_type) = request.header("Content-Type") {
            expected.headers.push(("Content-Type".to_string(), content_type.to_string()));
        }
        Ok(expected)
    }

    /// The expected method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The expected path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The expected headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The expected parameters, in the order given.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The value of one expected parameter.
    pub fn param_value(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The expected `Action`.
    pub fn action(&self) -> Option<&str> {
        self.param_value("Action")
    }

    /// The differences between this and a sent request; empty when it matches.
    pub fn differences(&self, request: &HttpRequest) -> Vec<String> {
        let mut problems = Vec::new();
        if !request.method.eq_ignore_ascii_case(&self.method) {
            problems.push(format!("method: expected {}, sent {}", self.method, request.method));
        }
        if request.path != self.path {
            problems.push(format!("path: expected {:?}, sent {:?}", self.path, request.path));
        }
        for (name, expected) in &self.headers {
            match request.header(name) {
                None => problems.push(format!("header {name}: expected {expected:?}, not sent")),
                Some(sent) if !header_values_match(name, expected, sent) => {
                    problems.push(format!("header {name}: expected {expected:?}, sent {sent:?}"))
                }
                Some(_) => {}
            }
        }
        problems.extend(signature_problems(request));
        match sent_params(request) {
            Ok(sent) => problems.extend(param_differences(&self.params, &sent)),
            Err(why) => problems.push(why),
        }
        problems
    }
}

fn header_values_match(name: &str, expected: &str, sent: &str) -> bool {
    if name.eq_ignore_ascii_case("content-type") {
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        squash(expected) == squash(sent)
    } else {
        expected == sent
    }
}

fn sent_params(request: &HttpRequest) -> Result<Vec<(String, String)>, String> {
    if request.header("Content-Encoding").is_some_and(|e| !e.eq_ignore_ascii_case("identity")) {
        return Err("body: the request is compressed; the replay client compares uncompressed form bodies \
                    (turn compression off with Config::builder().compression(..))"
            .to_string());
    }
    let body = std::str::from_utf8(&request.body).map_err(|_| "body: not UTF-8".to_string())?;
    parse_form(body).map_err(|e| format!("body: not a form: {e}"))
}

/// The parameter diff: `Action` and `Version` must come first; the others are compared as a set.
fn param_differences(expected: &[(String, String)], sent: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let leading: Vec<&str> = sent.iter().take(2).map(|(k, _)| k.as_str()).collect();
    if leading != ["Action", "Version"] {
        problems.push(format!("body: Action and Version must come first, the body starts with {leading:?}"));
    }
    let mut sent_map: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, value) in sent {
        if sent_map.insert(key, value).is_some() {
            problems.push(format!("body: parameter {key} is sent more than once"));
        }
    }
    let expected_map: BTreeMap<&str, &str> = expected.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut diff = Vec::new();
    for (key, want) in &expected_map {
        match sent_map.get(key) {
            None => diff.push(format!("  - {key}={want}    (expected, not sent)")),
            Some(got) if got != want => diff.push(format!("  ~ {key}: expected {want:?}, sent {got:?}")),
            Some(_) => {}
        }
    }
    for (key, got) in &sent_map {
        if !expected_map.contains_key(key) {
            diff.push(format!("  + {key}={got}    (sent, not expected)"));
        }
    }
    if !diff.is_empty() {
        problems.push(format!("parameters differ:\n{}", diff.join("\n")));
    }
    problems
}

/// Checks the structure of the SigV4 `Authorization` header (not the signature itself, which
/// depends on the time and the secret): `AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/region/service/aws4_request,
/// SignedHeaders=a;b, Signature=<64 hex>`, with a matching `X-Amz-Date`.
pub fn signature_problems(request: &HttpRequest) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(authorization) = request.header("Authorization") else {
        return vec!["Authorization: not sent (the request is not signed)".to_string()];
    };
    let mut bad = |what: String| problems.push(format!("Authorization: {what} in {authorization:?}"));
    let Some(rest) = authorization.strip_prefix("AWS4-HMAC-SHA256 ") else {
        bad("does not start with \"AWS4-HMAC-SHA256 \"".to_string());
        return problems;
    };
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => bad(format!("unknown part {part:?}")),
        }
    }
    let services: Vec<&str> = crate::services().iter().map(|service| service.signing_name).collect();
    let mut credential_date = None;
    match credential.map(|c| c.split('/').collect::<Vec<_>>()) {
        None => bad("no Credential".to_string()),
        Some(scope) => match scope.as_slice() {
            [key, date, region, name, "aws4_request"] => {
                if key.is_empty() {
                    bad("empty access key id".to_string());
                }
                if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
                    bad(format!("credential date {date:?} is not YYYYMMDD"));
                }
                if region.is_empty() || !region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    bad(format!("bad region {region:?}"));
                }
                if !services.contains(name) {
                    bad(format!("signed for service {name:?}, not one of {services:?}"));
                }
                credential_date = Some(*date);
            }
            _ => bad("Credential is not AKID/YYYYMMDD/region/service/aws4_request".to_string()),
        },
    }
    match signed_headers {
        None => bad("no SignedHeaders".to_string()),
        Some(list) => {
            let names: Vec<&str> = list.split(';').collect();
            let sorted = names.windows(2).all(|w| w[0] < w[1]);
            if names.iter().any(|n| n.is_empty() || n.bytes().any(|b| b.is_ascii_uppercase())) || !sorted {
                bad("SignedHeaders must be lower-case names, sorted, separated by ';'".to_string());
            }
            for required in ["host", "x-amz-date"] {
                if !names.contains(&required) {
                    bad(format!("SignedHeaders does not include {required}"));
                }
            }
            if request.header("X-Amz-Security-Token").is_some() && !names.contains(&"x-amz-security-token") {
                bad("X-Amz-Security-Token is sent but not signed".to_string());
            }
            for name in names.iter().filter(|n| **n != "host") {
                if request.header(name).is_none() {
                    bad(format!("signed header {name} is not sent"));
                }
            }
        }
    }
    match signature {
        Some(s) if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {}
        Some(s) => bad(format!("Signature {s:?} is not 64 lower-case hex digits")),
        None => bad("no Signature".to_string()),
    }
    match request.header("X-Amz-Date") {
        None => problems.push("X-Amz-Date: not sent".to_string()),
        Some(date) => {
            let well_formed = date.len() == 16
                && date.bytes().enumerate().all(|(i, b)| match i {
                    8 => b == b'T',
                    15 => b == b'Z',
                    _ => b.is_ascii_digit(),
                });
            if !well_formed {
                problems.push(format!("X-Amz-Date: {date:?} is not YYYYMMDDTHHMMSSZ"));
            } else if credential_date.is_some_and(|d| !date.starts_with(d)) {
                problems.push(format!("X-Amz-Date: {date:?} is not on the credential's date"));
            }
        }
    }
    problems
}

/// One step of a replay: the request expected and the answer to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayEvent {
    /// What the code under test should send.
    pub request: ExpectedRequest,
    /// What it gets back.
    pub response: HttpResponse,
    /// Free-text notes (a fixture's `#` lines): where the answer came from.
    pub notes: Vec<String>,
}

impl ReplayEvent {
    /// An event from its parts.
    pub fn new(request: ExpectedRequest, response: HttpResponse) -> Self {
        Self { request, response, notes: Vec::new() }
    }

    /// An event answering with an XML document (`Content-Type: text/xml;charset=UTF-8`).
    pub fn xml(request: ExpectedRequest, status: u16, body: impl Into<String>) -> Self {
        let headers = vec![("Content-Type".to_string(), "text/xml;charset=UTF-8".to_string())];
        Self::new(request, HttpResponse { status, headers, body: body.into().into() })
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// An event from a recorded exchange. Of the response's headers only those named in
    /// `keep_headers` are kept (compared without regard to case). Fails when the request got no
    /// answer or its body is not a form.
    pub fn from_exchange(exchange: &Exchange, keep_headers: &[&str]) -> Result<Self, ReplayError> {
        let request = ExpectedRequest::from_request(&exchange.request)?;
        let response = match &exchange.response {
            Ok(response) => response,
            Err(why) => return Err(ReplayError::new(format!("the request got no answer: {why}"))),
        };
        let headers = response
            .headers
            .iter()
            .filter(|(name, _)| keep_headers.iter().any(|k| k.eq_ignore_ascii_case(name)))
            .cloned()
            .collect();
        Ok(Self::new(request, HttpResponse { status: response.status, headers, body: response.body.clone() }))
    }

    /// Reads the fixture format (see the [module documentation](self)).
    pub fn parse(text: &str) -> Result<Self, ReplayError> {
        let at = |line: usize, message: String| ReplayError::new(format!("line {}: {message}", line + 1));
        let mut lines = text.split_inclusive('\n').enumerate().peekable();
        let trim = |line: &str| line.trim_end_matches(['\n', '\r']).to_string();
        let mut notes = Vec::new();
        let mut seen_request = false;
        for (number, raw) in lines.by_ref() {
            let line = trim(raw);
            if line == "--- request" {
                seen_request = true;
                break;
            }
            match line.strip_prefix('#') {
                Some(note) => notes.push(note.strip_prefix(' ').unwrap_or(note).to_string()),
                None if line.trim().is_empty() => {}
                None => return Err(at(number, format!("expected a `#` note or `--- request`, found {line:?}"))),
            }
        }
        if !seen_request {
            return Err(ReplayError::new("no `--- request` line"));
        }
        let (number, request_line) = lines
            .next()
            .map(|(n, l)| (n, trim(l)))
            .ok_or_else(|| ReplayError::new("the file ends after `--- request`"))?;
        let (method, path) = request_line
            .split_once(' ')
            .ok_or_else(|| at(number, format!("expected `METHOD PATH`, found {request_line:?}")))?;
        let mut request = ExpectedRequest::form(Vec::<(String, String)>::new()).with_method(method).with_path(path);
        request.headers = read_headers(&mut lines, &at)?;
        let mut seen_response = false;
        for (number, raw) in lines.by_ref() {
            let line = trim(raw);
            if line == "--- response" {
                seen_response = true;
                break;
            }
            if line.is_empty() {
                continue;
            }
            let (key, value) =
                line.split_once('=').ok_or_else(|| at(number, format!("expected `Key=value`, found {line:?}")))?;
            request.params.push((key.to_string(), unescape(value).map_err(|e| at(number, e))?));
        }
        if !seen_response {
            return Err(ReplayError::new("no `--- response` line"));
        }
        let (number, status_line) = lines
            .next()
            .map(|(n, l)| (n, trim(l)))
            .ok_or_else(|| ReplayError::new("the file ends after `--- response`"))?;
        let status = status_line
            .strip_prefix("HTTP ")
            .and_then(|s| s.trim().parse::<u16>().ok())
            .ok_or_else(|| at(number, format!("expected `HTTP <status>`, found {status_line:?}")))?;
        let headers = read_headers(&mut lines, &at)?;
        let mut body: String = lines.map(|(_, l)| l).collect();
        if body.ends_with('\n') {
            body.pop();
        }
        let response = HttpResponse { status, headers, body: body.into() };
        Ok(Self { request, response, notes })
    }

    /// Writes the fixture format (see the [module documentation](self)); [`parse`](Self::parse) reads it back.
    pub fn to_fixture(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            for line in note.split('\n') {
                out.push_str(if line.is_empty() { "#" } else { "# " });
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push_str("--- request\n");
        out.push_str(&format!("{} {}\n", self.request.method, self.request.path));
        for (name, value) in &self.request.headers {
            out.push_str(&format!("{name}: {value}\n"));
        }
        out.push('\n');
        for (key, value) in &self.request.params {
            out.push_str(&format!("{key}={}\n", escape(value)));
        }
        out.push_str("--- response\n");
        out.push_str(&format!("HTTP {}\n", self.response.status));
        for (name, value) in &self.response.headers {
            out.push_str(&format!("{name}: {value}\n"));
        }
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&self.response.body.contiguous()));
        out.push('\n');
        out
    }
}

type Lines<'a> = std::iter::Peekable<std::iter::Enumerate<std::str::SplitInclusive<'a, char>>>;

/// Header lines up to a blank line (which is consumed).
fn read_headers(
    lines: &mut Lines<'_>,
    at: &dyn Fn(usize, String) -> ReplayError,
) -> Result<Vec<(String, String)>, ReplayError> {
    let mut headers = Vec::new();
    for (number, raw) in lines.by_ref() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            return Ok(headers);
        }
        let (name, value) =
            line.split_once(':').ok_or_else(|| at(number, format!("expected `Name: value`, found {line:?}")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Err(ReplayError::new("the file ends inside a header block (a blank line must follow the headers)"))
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(value: &str) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            other => {
                return Err(format!("unknown escape `\\{}` in {value:?}", other.map(String::from).unwrap_or_default()))
            }
        }
    }
    Ok(out)
}

/// A replay that went wrong, or a fixture that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    message: String,
    /// Why a request body did not parse as a form.
    source: Option<PercentDecodeError>,
}

impl ReplayError {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), source: None }
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReplayError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// An HTTP client that serves recorded answers in order and checks each request against its
/// event. Clones share the events, so keep one to check at the end of the test:
///
/// ```no_run
/// # async fn example(events: Vec<ec2_sg::runtime::replay::ReplayEvent>) -> Result<(), ec2_sg::Error> {
/// let replay = ec2_sg::runtime::replay::ReplayClient::new(events);
/// let client = ec2_sg::Client::from_conf(replay.config_builder().build()?);
/// client.describe_security_groups().send().await?;
/// replay.assert_requests_match();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ReplayClient {
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    events: Vec<ReplayEvent>,
    next: usize,
    received: Vec<HttpRequest>,
    failures: Vec<String>,
}

impl ReplayClient {
    /// A client serving these events, in order.
    pub fn new(events: impl IntoIterator<Item = ReplayEvent>) -> Self {
        let state = State { events: events.into_iter().collect(), next: 0, received: Vec::new(), failures: Vec::new() };
        Self { state: Arc::new(Mutex::new(state)) }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves the state usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A configuration that sends through this client (async and blocking), hermetic: region
    /// `us-east-1`, fixed test credentials, the region's endpoint, nothing read from the
    /// environment or the shared files. Change what you like before `build()`.
    pub fn config_builder(&self) -> crate::ConfigBuilder {
        crate::Config::builder()
            .env(super::env::Env::from_vars([("HOME", "/nonexistent-ec2-sg-replay-home")]))
            .region("us-east-1")
            .endpoint_url("https://ec2.us-east-1.amazonaws.com")
            .use_fips(false)
            .use_dual_stack(false)
            .credentials(crate::Credentials::from_keys("AKIDREPLAYTEST", "replay-secret", None))
            .http_client(self.clone())
            .blocking_http_client(self.clone())
    }

    /// Answers one request: the next event's response when it matches, else a 400 error
    /// document whose message says why.
    fn answer(&self, request: HttpRequest) -> HttpResponse {
        let mut state = self.state();
        let index = state.received.len();
        let action = sent_params(&request)
            .ok()
            .and_then(|p| p.into_iter().find(|(k, _)| k == "Action").map(|(_, v)| v))
            .unwrap_or_else(|| "?".to_string());
        let problems = match state.events.get(state.next) {
            None => {
                let message = format!(
                    "request {} ({action}) was not expected: all {} recorded events were already used",
                    index + 1,
                    state.events.len()
                );
                state.received.push(request);
                state.failures.push(message.clone());
                return error_response(EXHAUSTED_CODE, &message);
            }
            Some(event) => event.request.differences(&request),
        };
        state.received.push(request);
        let event_index = state.next;
        state.next += 1;
        if problems.is_empty() {
            return state.events[event_index].response.clone();
        }
        let expected_action = state.events[event_index].request.action().unwrap_or("?").to_string();
        let message = format!(
            "request {} ({action}) does not match recorded event {} ({expected_action}):\n{}",
            index + 1,
            event_index + 1,
            problems.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n")
        );
        state.failures.push(message.clone());
        error_response(MISMATCH_CODE, &message)
    }

    /// The requests received so far, signed, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.state().received.clone()
    }

    /// How many events have not been used yet.
    pub fn remaining(&self) -> usize {
        let state = self.state();
        state.events.len() - state.next
    }

    /// `Ok` when every request matched its event and every event was used; else every problem.
    pub fn check(&self) -> Result<(), ReplayError> {
        let state = self.state();
        let mut problems = state.failures.clone();
        if state.next < state.events.len() {
            let unused: Vec<String> = state.events[state.next..]
                .iter()
                .enumerate()
                .map(|(i, e)| format!("event {} ({})", state.next + i + 1, e.request.action().unwrap_or("?")))
                .collect();
            problems.push(format!(
                "{} of {} recorded events were not used: {}",
                unused.len(),
                state.events.len(),
                unused.join(", ")
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ReplayError::new(problems.join("\n\n")))
        }
    }

    /// Panics with every problem unless every request matched its event and every event was used.
    #[track_caller]
    pub fn assert_requests_match(&self) {
        if let Err(error) = self.check() {
            panic!("the replay did not go as recorded:\n{error}");
        }
    }
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn error_response(code: &str, message: &str) -> HttpResponse {
    let body = format!(
        "<Response><Errors><Error><Code>{code}</Code><Message>{}</Message></Error></Errors>\
         <RequestID>replay</RequestID></Response>",
        xml_escape(message)
    );
    HttpResponse {
        status: 400,
        headers: vec![("Content-Type".to_string(), "text/xml;charset=UTF-8".to_string())],
        body: body.into(),
    }
}

impl HttpClient for ReplayClient {
    fn send(
        &self,
        request: HttpRequest,
        _timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let response = self.answer(request);
        Box::pin(async move { Ok(response) })
    }
}

impl BlockingHttpClient for ReplayClient {
    fn send(&self, request: HttpRequest, _timeout: Option<Duration>) -> Result<HttpResponse, TransportError> {
        Ok(self.answer(request))
    }
}

/// One request and what came back, as a [`RecordingClient`] saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The request as sent (signed).
    pub request: HttpRequest,
    /// The answer, or why there was none.
    pub response: Result<HttpResponse, String>,
}

/// Wraps an HTTP client (async or blocking) and logs every exchange. Clones share the log.
#[derive(Debug)]
pub struct RecordingClient<C> {
    inner: Arc<C>,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl<C> Clone for RecordingClient<C> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), log: self.log.clone() }
    }
}

impl<C> RecordingClient<C> {
    /// Records what `inner` sends and receives.
    pub fn new(inner: C) -> Self {
        Self { inner: Arc::new(inner), log: Arc::new(Mutex::new(Vec::new())) }
    }

    fn log(&self) -> MutexGuard<'_, Vec<Exchange>> {
        self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The exchanges so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log().clone()
    }

    /// The exchanges so far, emptying the log.
    pub fn take_exchanges(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.log())
    }

    fn push(&self, request: HttpRequest, response: &Result<HttpResponse, TransportError>) {
        let response = match response {
            Ok(response) => Ok(response.clone()),
            Err(error) => Err(error.to_string()),
        };
        self.log().push(Exchange { request, response });
    }
}

impl<C: HttpClient> HttpClient for RecordingClient<C> {
    fn send(
        &self,
        request: HttpRequest,
        timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let outcome = self.inner.send(request.clone(), timeout).await;
            self.push(request, &outcome);
            outcome
        })
    }
}

impl<C: BlockingHttpClient> BlockingHttpClient for RecordingClient<C> {
    fn send(&self, request: HttpRequest, timeout: Option<Duration>) -> Result<HttpResponse, TransportError> {
        let outcome = self.inner.send(request.clone(), timeout);
        self.push(request, &outcome);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(body: &str) -> HttpRequest {
        HttpRequest {
            method: "POST",
            scheme: "https".into(),
            authority: "ec2.us-east-1.amazonaws.com".into(),
            path: "/".into(),
            headers: vec![
                ("Content-Type".into(), FORM_CONTENT_TYPE.into()),
                ("X-Amz-Date".into(), "20240102T030405Z".into()),
                (
                    "Authorization".into(),
                    format!(
                        "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/ec2/aws4_request, \
                         SignedHeaders=content-type;host;x-amz-date, Signature={}",
                        "0a".repeat(32)
                    ),
                ),
            ],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn parameters_are_a_set_after_action_and_version() {
        let expected = ExpectedRequest::operation("DescribeTags", "2016-11-15").param("A", "1").param("B", "x y");
        assert!(expected.differences(&signed("Action=DescribeTags&Version=2016-11-15&B=x+y&A=1")).is_empty());
        let problems = expected.differences(&signed("Version=2016-11-15&Action=DescribeTags&A=2&C=3"));
        let text = problems.join("\n");
        assert!(text.contains("Action and Version must come first"), "{text}");
        assert!(text.contains("- B=x y    (expected, not sent)"), "{text}");
        assert!(text.contains("~ A: expected \"1\", sent \"2\""), "{text}");
        assert!(text.contains("+ C=3    (sent, not expected)"), "{text}");
    }

    #[test]
    fn malformed_signatures_are_named() {
        let mut request = signed("Action=X&Version=1");
        assert!(signature_problems(&request).is_empty(), "{:?}", signature_problems(&request));
        request.headers[2].1 = "AWS4-HMAC-SHA256 Credential=AKID/2024/us-east-1/s3/aws4_request, \
                                SignedHeaders=X-Amz-Date;host, Signature=abc"
            .into();
        let text = signature_problems(&request).join("\n");
        for needle in ["not YYYYMMDD", "not one of [\"ec2\", \"sts\"]", "lower-case names, sorted", "64 lower-case hex"]
        {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        // Every service of the crate signs with its own name: an STS request is fine.
        let mut sts = signed("Action=GetCallerIdentity&Version=2011-06-15");
        sts.headers[2].1 = sts.headers[2].1.replace("/ec2/aws4_request", "/sts/aws4_request");
        assert!(sts.headers[2].1.contains("/sts/aws4_request"));
        assert!(signature_problems(&sts).is_empty(), "{:?}", signature_problems(&sts));
        request.headers.remove(2);
        assert_eq!(signature_problems(&request), ["Authorization: not sent (the request is not signed)"]);
    }

    #[test]
    fn fixtures_round_trip() {
        let event = ReplayEvent::xml(
            ExpectedRequest::operation("CreateTags", "2016-11-15").param("Tag.1.Value", "a\\b\nc\td = e"),
            200,
            "<CreateTagsResponse>\n  <return>true</return>\n</CreateTagsResponse>",
        )
        .with_note("from the documentation")
        .with_note("");
        let text = event.to_fixture();
        assert!(text.contains("Tag.1.Value=a\\\\b\\nc\\td = e\n"), "{text}");
        assert_eq!(ReplayEvent::parse(&text).unwrap(), event);
        assert_eq!(ReplayEvent::parse(&text.replace('\n', "\r\n")).unwrap().request, event.request);
        let empty = ReplayEvent::new(
            ExpectedRequest::operation("X", "1"),
            HttpResponse { status: 500, headers: vec![], body: crate::runtime::body::Body::new() },
        );
        assert_eq!(ReplayEvent::parse(&empty.to_fixture()).unwrap(), empty);
        let error = ReplayEvent::parse("--- request\nPOST /\n\nAction\n").unwrap_err();
        assert_eq!(error.message(), "line 4: expected `Key=value`, found \"Action\"");
    }

    #[test]
    fn mismatches_and_exhaustion_answer_with_errors() {
        let replay = ReplayClient::new([ReplayEvent::xml(ExpectedRequest::operation("X", "1"), 200, "<XResponse/>")]);
        let response = BlockingHttpClient::send(&replay, signed("Action=Y&Version=1"), None).unwrap();
        assert_eq!(response.status, 400);
        let body = String::from_utf8(response.body.into_vec()).unwrap();
        assert!(body.contains(MISMATCH_CODE) && body.contains("~ Action: expected &quot;X&quot;"), "{body}");
        let response = BlockingHttpClient::send(&replay, signed("Action=X&Version=1"), None).unwrap();
        assert!(String::from_utf8(response.body.into_vec()).unwrap().contains(EXHAUSTED_CODE));
        let report = replay.check().unwrap_err().to_string();
        assert!(report.contains("does not match recorded event 1 (X)"), "{report}");
        assert!(report.contains("request 2 (X) was not expected"), "{report}");
    }

    #[test]
    fn a_body_that_is_not_a_form_is_the_source_of_the_replay_error() {
        let request = HttpRequest {
            method: "POST",
            scheme: "https".to_string(),
            authority: "ec2.us-east-1.amazonaws.com".to_string(),
            path: "/".to_string(),
            headers: Vec::new(),
            body: b"Action=X&Bad=%zz".to_vec(),
        };
        let error = ExpectedRequest::from_request(&request).expect_err("not a form");
        assert_eq!(error.to_string(), "the request body is not a form");
        let source = std::error::Error::source(&error).and_then(|e| e.downcast_ref::<PercentDecodeError>());
        assert_eq!(source, Some(&PercentDecodeError::InvalidEscape { position: 13 }));
    }
}
