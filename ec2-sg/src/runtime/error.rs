//! Errors of building a request and of the service's answer.

use super::xml::{Document, Element, XmlError};
use std::fmt;

/// A request could not be built: nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A member the model marks required was not set.
    MissingMember {
        /// The structure that requires it.
        shape: &'static str,
        /// The member's name in the model.
        member: &'static str,
    },
    /// A member that becomes part of the host name is missing or not a valid host label.
    InvalidHostLabel {
        /// The member's name in the model.
        member: &'static str,
        /// The value given (empty when unset).
        value: String,
    },
    /// A timestamp member cannot be written in its wire format.
    InvalidTimestamp {
        /// The member's key in the request.
        key: String,
        /// Why.
        reason: String,
    },
    /// The endpoint URL cannot be used.
    InvalidEndpoint {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl BuildError {
    /// A required member is missing.
    pub fn missing_member(shape: &'static str, member: &'static str) -> Self {
        Self::MissingMember { shape, member }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingMember { shape, member } => {
                write!(f, "`{member}` is required by `{shape}` but was not set; no request was sent")
            }
            Self::InvalidHostLabel { member, value } => write!(
                f,
                "`{member}` = {value:?} cannot be used in a host name (letters, digits and `-`, 1 to 63 per label)"
            ),
            Self::InvalidEndpoint { url, reason } => write!(f, "invalid endpoint URL {url:?}: {reason}"),
            Self::InvalidTimestamp { key, reason } => {
                write!(f, "`{key}` cannot be sent: {reason}; no request was sent")
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// An error answered by the service (or by something in front of it): code, message, request id
/// and HTTP status, and the body it came in, from which modeled error details are read.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceError {
    code: String,
    message: Option<String>,
    request_id: Option<String>,
    http_status: u16,
    body: Vec<u8>,
}

impl ServiceError {
    /// The error code (`InvalidGroup.NotFound`); for a non-XML answer, one made from the HTTP status.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The service's message, when it gave one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id of the answer, when it had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status of the answer.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// `DryRunOperation`: the request would have succeeded had `DryRun` not been set.
    pub fn is_dry_run_success(&self) -> bool {
        self.code == "DryRunOperation"
    }

    /// The raw body of the answer.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Reads a modeled error's details from the `<Error>` element of the body: EC2's
    /// `<Response><Errors><Error>`, or AWS Query's `<ErrorResponse><Error>`.
    pub fn decode_details<T>(
        &self,
        decode: impl FnOnce(&mut Element<'_, '_>) -> Result<T, XmlError>,
    ) -> Result<T, XmlError> {
        let mut doc = Document::new(&self.body)?;
        let mut root = doc.root()?;
        while let Some(mut child) = root.next_child()? {
            if child.local_name() == "Error" {
                return decode(&mut child);
            }
            if child.local_name() == "Errors" {
                while let Some(mut error) = child.next_child()? {
                    if error.local_name() == "Error" {
                        return decode(&mut error);
                    }
                }
            }
        }
        Err(XmlError::new("no <Errors><Error> or <Error> element in the error response", None))
    }

    /// Reads an error answer: EC2's `<Response><Errors><Error>…</Errors><RequestID>` document, the
    /// `<ErrorResponse>` form some endpoints use, or anything else (an HTML page from a proxy, an
    /// empty body), which gives an error named after the HTTP status.
    pub fn from_response(http_status: u16, body: &[u8]) -> Self {
        let (code, message, request_id) = match read_error_document(body) {
            Ok(Some(parts)) => parts,
            Ok(None) | Err(_) => {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                let message = if (300..400).contains(&http_status) {
                    // botocore and aws-sdk-rust never follow one either: the signed request and its
                    // session token would go to whatever host the answer names.
                    format!("HTTP {http_status}: a redirect, which is not followed (is the endpoint URL right?)")
                } else if text.is_empty() {
                    format!("HTTP {http_status} with an empty body")
                } else {
                    let snippet: String = text.chars().take(200).collect();
                    format!("HTTP {http_status} with a body that is not an EC2 error document: {snippet}")
                };
                (status_code_name(http_status).to_string(), Some(message), None)
            }
        };
        Self { code, message, request_id, http_status, body: body.to_vec() }
    }
}

type ErrorParts = (String, Option<String>, Option<String>);

fn read_error_document(body: &[u8]) -> Result<Option<ErrorParts>, XmlError> {
    let mut doc = Document::new(body)?;
    let (mut code, mut message, mut request_id) = (None, None, None);
    {
        let mut root = doc.root()?;
        if !matches!(root.local_name(), "Response" | "ErrorResponse") {
            return Ok(None);
        }
        while let Some(mut child) = root.next_child()? {
            match child.local_name() {
                "Errors" | "Error" => read_error_element(&mut child, &mut code, &mut message, &mut request_id)?,
                "RequestID" | "RequestId" | "requestId" => request_id = Some(child.read_string()?),
                _ => {}
            }
        }
    }
    // A truncated or malformed document is not trusted: the caller names the error after the status.
    doc.finish()?;
    Ok(code.map(|code| (code, message, request_id)))
}

/// Reads `<Errors><Error>` (the first error) or a bare `<Error>`. It recurses once per nested
/// `<Error>`: the document's depth limit ([`super::xml::MAX_DEPTH`]) bounds it.
fn read_error_element(
    element: &mut Element<'_, '_>,
    code: &mut Option<String>,
    message: &mut Option<String>,
    request_id: &mut Option<String>,
) -> Result<(), XmlError> {
    while let Some(mut child) = element.next_child()? {
        match child.local_name() {
            "Error" if code.is_none() => read_error_element(&mut child, code, message, request_id)?,
            "Code" => *code = Some(child.read_string()?.trim().to_string()),
            "Message" => *message = Some(child.read_string()?),
            "RequestID" | "RequestId" => *request_id = Some(child.read_string()?),
            _ => {}
        }
    }
    Ok(())
}

/// A code for answers that carry none: the HTTP status, named.
fn status_code_name(status: u16) -> &'static str {
    match status {
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        307 => "TemporaryRedirect",
        308 => "PermanentRedirect",
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        408 => "RequestTimeout",
        429 => "TooManyRequests",
        500 => "InternalError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "UnknownError",
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.http_status)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " [request id {request_id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ServiceError {
    // The body is left out: it can be long, and the fields above say what it held.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("http_status", &self.http_status)
            .finish()
    }
}

impl std::error::Error for ServiceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_error_document() {
        let body = b"<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>The security group 'sg-1' does not exist</Message></Error></Errors><RequestID>abc-123</RequestID></Response>";
        let e = ServiceError::from_response(400, body);
        assert_eq!(e.code(), "InvalidGroup.NotFound");
        assert_eq!(e.message(), Some("The security group 'sg-1' does not exist"));
        assert_eq!(e.request_id(), Some("abc-123"));
        assert_eq!(e.http_status(), 400);
        assert_eq!(
            e.to_string(),
            "InvalidGroup.NotFound (HTTP 400): The security group 'sg-1' does not exist [request id abc-123]"
        );
    }

    #[test]
    fn error_response_form() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse><Errors><Error><Type>Sender</Type><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestId>7a62c49f</RequestId></ErrorResponse>"#;
        let e = ServiceError::from_response(401, body);
        assert_eq!(e.code(), "AuthFailure");
        assert_eq!(e.request_id(), Some("7a62c49f"));
    }

    #[test]
    fn non_xml_answers_are_named_after_the_status() {
        let e = ServiceError::from_response(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>");
        assert_eq!(e.code(), "BadGateway");
        assert!(e.message().is_some_and(|m| m.contains("502 Bad Gateway")));
        let e = ServiceError::from_response(500, b"");
        assert_eq!(e.code(), "InternalError");
        assert_eq!(e.message(), Some("HTTP 500 with an empty body"));
        let e = ServiceError::from_response(503, b"<Response><Errors><Error><Code>Unavailable</Code>");
        assert_eq!(e.code(), "ServiceUnavailable", "a truncated document is not trusted");
    }

    #[test]
    fn deeply_nested_errors_do_not_overflow_the_stack() {
        // 10,000 nested <Error> (about 150 KB) aborted the process with a stack overflow.
        let n = 10_000;
        let body = format!(
            "<Response><Errors>{}<Code>Deep</Code>{}</Errors></Response>",
            "<Error>".repeat(n),
            "</Error>".repeat(n)
        );
        let e = ServiceError::from_response(400, body.as_bytes());
        assert_eq!(e.code(), "BadRequest", "an over-deep document is not trusted");
        // Within the depth limit, nested errors still read.
        let body = "<Response><Errors><Error><Error><Code>Inner</Code></Error></Error></Errors></Response>";
        assert_eq!(ServiceError::from_response(400, body.as_bytes()).code(), "Inner");
    }

    #[test]
    fn error_documents_must_be_well_formed() {
        let two = b"<Response><Errors><Error><Code>A</Code></Error></Errors></Response><Response/>";
        assert_eq!(ServiceError::from_response(400, two).code(), "BadRequest");
        let mismatched = b"<Response><Errors><Error><Code>A</Code></Errors></Error></Response>";
        assert_eq!(ServiceError::from_response(400, mismatched).code(), "BadRequest");
    }

    #[test]
    fn dry_run() {
        let body = b"<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors><RequestID>r</RequestID></Response>";
        assert!(ServiceError::from_response(412, body).is_dry_run_success());
    }
}
