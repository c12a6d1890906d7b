//! Building the HTTP request of an operation, independent of any HTTP client: method, URL,
//! headers and body. Signing and sending are the transport's business.

use super::error::BuildError;
use super::idempotency::IdempotencyTokenProvider;
use super::operation::Operation;
use super::query::QueryWriter;

/// The media type of every EC2 Query request body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// A parsed endpoint URL: `https://ec2.us-east-1.amazonaws.com`, `http://127.0.0.1:5000/base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    /// Host and optional port.
    authority: String,
    /// Path without a trailing `/` (empty for the root).
    path: String,
}

impl Endpoint {
    /// Parses and checks an endpoint URL: `http` or `https`, a host, an optional port and path,
    /// no query, fragment or credentials.
    pub fn parse(url: &str) -> Result<Self, BuildError> {
        let invalid = |reason: &str| BuildError::InvalidEndpoint { url: url.to_string(), reason: reason.to_string() };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid("it needs a scheme, as in https://host"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(invalid("the scheme must be http or https"));
        }
        if rest.contains(['?', '#']) {
            return Err(invalid("a query or fragment is not allowed"));
        }
        let (authority, path) = match rest.find('/') {
            Some(slash) => rest.split_at(slash),
            None => (rest, ""),
        };
        if authority.is_empty() {
            return Err(invalid("the host is missing"));
        }
        if authority.contains('@') {
            return Err(invalid("credentials in the URL are not allowed; configure them instead"));
        }
        if authority.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("the host contains whitespace"));
        }
        // Host: a bracketed IPv6 address, or a name or IPv4 address; then `:port` or nothing.
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (address, after) =
                bracketed.split_once(']').ok_or_else(|| invalid("the IPv6 address has no closing `]`"))?;
            if address.is_empty() || !address.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
                return Err(invalid("the text in brackets is not an IPv6 address"));
            }
            match after {
                "" => (address, None),
                _ => (address, Some(after.strip_prefix(':').ok_or_else(|| invalid("text after the IPv6 address"))?)),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
        if host.is_empty() || (!authority.starts_with('[') && !host.chars().all(name_char)) {
            return Err(invalid("the host must be a name, an IPv4 address or a bracketed IPv6 address"));
        }
        // Only digits: Rust's integer parser would also take `+80`.
        if let Some(port) = port {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
                return Err(invalid("the port must be a number from 0 to 65535"));
            }
        }
        Ok(Self { scheme, authority: authority.to_string(), path: path.trim_end_matches('/').to_string() })
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Host and optional port.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The base path (empty, or starting with `/` and without a trailing `/`).
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// Request compression, for operations whose model asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    /// Compress when the operation supports it.
    pub enabled: bool,
    /// Bodies smaller than this are sent as they are (the SDKs' default is 10240 bytes).
    pub min_bytes: usize,
}

impl Default for Compression {
    fn default() -> Self {
        Self { enabled: true, min_bytes: 10240 }
    }
}

/// What a request is built against.
pub struct RequestOptions<'a> {
    /// Where the request goes.
    pub endpoint: &'a Endpoint,
    /// The source of tokens for idempotency-token members left unset.
    pub idempotency_tokens: &'a dyn IdempotencyTokenProvider,
    /// Whether and from what size to compress bodies.
    pub compression: Compression,
}

/// An HTTP request, ready to be signed and sent. Its `Debug` hides the values of the headers
/// that carry secrets (`Authorization`, `X-Amz-Security-Token`), so logging a request is safe.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: &'static str,
    /// `http` or `https`.
    pub scheme: String,
    /// Host (with the operation's host prefix) and optional port.
    pub authority: String,
    /// The path, starting with `/`.
    pub path: String,
    /// `Content-Type`, `Content-Length` and, when compressed, `Content-Encoding`.
    pub headers: Vec<(String, String)>,
    /// The form-encoded (possibly gzip-compressed) body.
    pub body: Vec<u8>,
}

/// Headers whose values are never shown by `Debug`.
const SECRET_HEADERS: [&str; 2] = ["authorization", "x-amz-security-token"];

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s));
                (name.as_str(), if secret { "** redacted **" } else { value.as_str() })
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("scheme", &self.scheme)
            .field("authority", &self.authority)
            .field("path", &self.path)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl HttpRequest {
    /// The full URL.
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.path)
    }

    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Builds the request of operation `O`: checks required members, serializes the body,
/// applies the host prefix and, where the model asks for it, gzip compression.
pub fn build_request<O: Operation>(input: &O::Input, options: &RequestOptions<'_>) -> Result<HttpRequest, BuildError> {
    let mut writer = QueryWriter::new(O::NAME, O::API_VERSION, options.idempotency_tokens);
    O::serialize(input, &mut writer)?;
    let mut body = writer.finish().into_bytes();
    let endpoint = options.endpoint;
    let authority = match O::host_prefix(input)? {
        Some(prefix) => format!("{prefix}{}", endpoint.authority),
        None => endpoint.authority.clone(),
    };
    let mut headers = vec![("Content-Type".to_string(), FORM_CONTENT_TYPE.to_string())];
    if O::GZIP_REQUEST && options.compression.enabled && body.len() >= options.compression.min_bytes {
        if let Some(compressed) = gzip(&body) {
            body = compressed;
            headers.push(("Content-Encoding".to_string(), "gzip".to_string()));
        }
    }
    headers.push(("Content-Length".to_string(), body.len().to_string()));
    Ok(HttpRequest {
        method: O::HTTP_METHOD,
        scheme: endpoint.scheme.clone(),
        authority,
        path: format!("{}{}", endpoint.path, O::REQUEST_URI),
        headers,
        body,
    })
}

/// Checks a member used as a host label: one or more dot-separated labels of 1–63 letters,
/// digits and `-`, not starting or ending with `-`.
pub fn host_label<'v>(member: &'static str, value: Option<&'v str>) -> Result<&'v str, BuildError> {
    let invalid = || BuildError::InvalidHostLabel { member, value: value.unwrap_or_default().to_string() };
    let value = value.ok_or_else(invalid)?;
    let valid = !value.is_empty()
        && value.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if valid {
        Ok(value)
    } else {
        Err(invalid())
    }
}

#[cfg(feature = "request-compression")]
fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}

/// Without the `request-compression` feature bodies go uncompressed, which services accept.
#[cfg(not(feature = "request-compression"))]
fn gzip(_body: &[u8]) -> Option<Vec<u8>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("https://example.com/custom/").unwrap();
        assert_eq!((e.scheme(), e.authority(), e.path()), ("https", "example.com", "/custom"));
        let e = Endpoint::parse("http://127.0.0.1:5000").unwrap();
        assert_eq!((e.authority(), e.path()), ("127.0.0.1:5000", ""));
        assert!(Endpoint::parse("http://[::1]:80/").is_ok());
        assert!(Endpoint::parse("http://[::ffff:127.0.0.1]").is_ok());
        assert!(Endpoint::parse("https://ec2.us-east-1.amazonaws.com").is_ok());
        assert!(Endpoint::parse("http://local_stack:4566").is_ok());
        for bad in [
            "",
            "example.com",
            "ftp://x",
            "https://",
            "https://a b",
            "https://u:p@host",
            "https://h:99999",
            "https://h/?q",
            "http://h:x",
            "http://evil.com:+80",
            "http://h:",
            "http://[::1]x",
            "http://[::1",
            "http://[]:80",
            "http://[evil.com]",
            "http://h%2f",
            "http://h\\x",
        ] {
            let error = Endpoint::parse(bad).unwrap_err();
            assert!(error.to_string().contains("invalid endpoint URL"), "{bad}: {error}");
        }
    }

    #[test]
    fn host_labels() {
        assert_eq!(host_label("Label", Some("bar")).unwrap(), "bar");
        assert!(host_label("Label", Some("a.b-c")).is_ok());
        for bad in [None, Some(""), Some("-a"), Some("a_b"), Some("a..b"), Some("x/y")] {
            assert!(host_label("Label", bad).is_err(), "{bad:?}");
        }
    }
}
