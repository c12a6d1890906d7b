//! `ec2_sg::Error`: the one error type of a call, whatever went wrong.

use super::error::{BuildError, ServiceError};
use super::xml::XmlError;
use std::fmt;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service answered with an error (`code()` says which).
    Service,
    /// A resource's `load()` found nothing for its identifiers.
    NotFound,
    /// The request could not be sent or the answer not received (connection refused, reset, DNS).
    Transport,
    /// An attempt or the whole operation ran out of time.
    Timeout,
    /// No usable credentials.
    Credentials,
    /// The client is misconfigured (no region, a bad endpoint URL, …).
    Configuration,
    /// The input is incomplete or invalid (a required member missing); no request was sent.
    Validation,
    /// A successful answer could not be read.
    Decode,
}

/// The error of an operation: its kind, the operation, and, for service errors, the code,
/// message, request id and HTTP status. Never contains credentials.
pub struct Error {
    // Boxed: results carrying it stay small on the success path.
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    operation: Option<&'static str>,
    service: Option<ServiceError>,
    message: String,
    attempts: u32,
    retryable: bool,
    /// The answer that could not be decoded: its status and body.
    undecoded: Option<(u16, Vec<u8>)>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let inner = Inner {
            kind,
            operation: None,
            service: None,
            message: message.into(),
            attempts: 0,
            retryable: false,
            undecoded: None,
            source: None,
        };
        Self { inner: Box::new(inner) }
    }

    /// A configuration error (also used by `Config::builder().build()`).
    pub fn configuration(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Configuration, message)
    }

    /// A resource's `load()` found nothing: the resource type and its identifiers.
    pub(crate) fn not_found(resource: &str, identifiers: &[(&str, &str)]) -> Self {
        let ids: Vec<String> = identifiers.iter().map(|(name, value)| format!("{name}={value:?}")).collect();
        Self::new(ErrorKind::NotFound, format!("{resource} {} not found", ids.join(", ")))
    }

    /// An answer lacked an identifier needed to build a resource.
    pub(crate) fn missing_identifier(resource: &str, identifier: &str) -> Self {
        Self::new(ErrorKind::Decode, format!("the answer has no {identifier} to make a {resource} from"))
    }

    pub(crate) fn service(error: ServiceError, retryable: bool) -> Self {
        let mut e = Self::new(ErrorKind::Service, error.to_string());
        e.inner.service = Some(error);
        e.inner.retryable = retryable;
        e
    }

    /// Adds advice to the message `Display` shows; `message()` stays the service's own.
    pub(crate) fn with_hint(mut self, hint: &str) -> Self {
        self.inner.message.push_str(" (");
        self.inner.message.push_str(hint);
        self.inner.message.push(')');
        self
    }

    pub(crate) fn validation(error: BuildError) -> Self {
        let kind = match error {
            BuildError::InvalidEndpoint { .. } => ErrorKind::Configuration,
            _ => ErrorKind::Validation,
        };
        Self::new(kind, error.to_string()).with_source(error)
    }

    /// An answer that could not be read; its body is kept for [`super::SdkError`]'s raw response.
    pub(crate) fn decode(error: XmlError, http_status: u16, body: Vec<u8>) -> Self {
        let mut e = Self::new(ErrorKind::Decode, format!("the answer (HTTP {http_status}) could not be read: {error}"))
            .with_source(error);
        e.inner.undecoded = Some((http_status, body));
        e
    }

    /// The body of an answer that could not be decoded (empty for other errors).
    pub(crate) fn response_body(&self) -> &[u8] {
        self.inner.undecoded.as_ref().map_or(&[], |(_, body)| body.as_slice())
    }

    pub(crate) fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// [`Self::with_source`] for an error already boxed; the message must hold its text.
    pub(crate) fn with_boxed_source(mut self, source: Box<dyn std::error::Error + Send + Sync>) -> Self {
        self.inner.source = Some(source);
        self
    }

    pub(crate) fn retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = retryable;
        self
    }

    pub(crate) fn for_operation(mut self, operation: &'static str, attempts: u32) -> Self {
        self.inner.operation = Some(operation);
        self.inner.attempts = attempts;
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The operation that failed, when the error came from a call.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }

    /// How many attempts were made (0 when none was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The service's error code (`InvalidGroup.NotFound`), for service errors.
    pub fn code(&self) -> Option<&str> {
        self.inner.service.as_ref().map(ServiceError::code)
    }

    /// The service's message for service errors; otherwise what went wrong.
    pub fn message(&self) -> Option<&str> {
        match &self.inner.service {
            Some(service) => service.message(),
            None => Some(&self.inner.message),
        }
    }

    /// The request id of the answer, for service errors.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.service.as_ref().and_then(ServiceError::request_id)
    }

    /// The HTTP status of the answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match (&self.inner.service, &self.inner.undecoded) {
            (Some(service), _) => Some(service.http_status()),
            (None, Some((status, _))) => Some(*status),
            (None, None) => None,
        }
    }

    /// The service error, for service errors.
    pub fn as_service_error(&self) -> Option<&ServiceError> {
        self.inner.service.as_ref()
    }

    /// Whether the standard retry policy treats this failure as worth retrying (throttling,
    /// 5xx, I/O errors and timeouts). A returned retryable error means the retries ran out.
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }

    /// `DryRunOperation`: with `DryRun` set, the call would have succeeded.
    pub fn is_dry_run_success(&self) -> bool {
        self.code() == Some("DryRunOperation")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(operation) = self.inner.operation {
            write!(f, "{operation}: ")?;
        }
        f.write_str(&self.inner.message)?;
        if self.inner.attempts > 1 {
            write!(f, " (after {} attempts)", self.inner.attempts)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("operation", &self.inner.operation)
            .field("message", &self.inner.message)
            .field("service", &self.inner.service)
            .field("attempts", &self.inner.attempts)
            .field("retryable", &self.inner.retryable)
            .finish()
    }
}

impl std::error::Error for Error {
    /// The chain goes on below what `Display` already shows: the message holds the text of the
    /// service error or the wrapped cause, so the chain continues at that cause's own source, and
    /// a chain printed whole (anyhow's `{:#}`) shows each cause once.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match (&self.inner.service, &self.inner.source) {
            (Some(service), _) => std::error::Error::source(service),
            (None, Some(source)) => source.source(),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_expose_their_parts() {
        let body = b"<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors><RequestID>r-1</RequestID></Response>";
        let e = Error::service(ServiceError::from_response(412, body), false).for_operation("DeleteSecurityGroup", 1);
        assert_eq!(e.kind(), ErrorKind::Service);
        assert_eq!((e.code(), e.request_id(), e.http_status()), (Some("DryRunOperation"), Some("r-1"), Some(412)));
        assert!(e.is_dry_run_success());
        assert!(!e.is_retryable());
        assert!(e.to_string().starts_with("DeleteSecurityGroup: DryRunOperation (HTTP 412)"), "{e}");
    }

    #[test]
    fn validation_errors_say_nothing_was_sent() {
        let e = Error::validation(BuildError::missing_member("CreateTagsInput", "Tags"));
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(e.code(), None);
        assert!(e.message().is_some_and(|m| m.contains("no request was sent")));
    }

    /// The causes `source()` gives, outermost first (bounded).
    fn causes(error: &dyn std::error::Error) -> Vec<String> {
        std::iter::successors(error.source(), |e| e.source()).take(16).map(|e| e.to_string()).collect()
    }

    /// A client library's error over an I/O error, as reqwest's is.
    #[derive(Debug)]
    struct Sending(std::io::Error);

    impl fmt::Display for Sending {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("error sending request")
        }
    }

    impl std::error::Error for Sending {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_transport_error_keeps_its_cause_chain_and_shows_each_cause_once() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused (os error 111)");
        let transport =
            super::super::http::TransportError::io("could not connect to http://127.0.0.1:9/: connection refused")
                .with_source(Sending(refused));
        let error = Error::new(ErrorKind::Transport, transport.to_string()).with_source(transport);
        assert!(error.to_string().starts_with("could not connect to http://127.0.0.1:9/"), "{error}");
        // Below the message: the I/O error the client's own error wrapped, reachable as itself.
        assert_eq!(causes(&error), ["connection refused (os error 111)"]);
        let io = std::error::Error::source(&error)
            .and_then(|e| e.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind);
        assert_eq!(io, Some(std::io::ErrorKind::ConnectionRefused));
        let whole = aws_smithy_types::error::display::DisplayErrorContext(&error).to_string();
        assert_eq!(whole.matches("connection refused (os error 111)").count(), 1, "{whole}");
    }

    #[test]
    fn a_decode_error_says_what_was_wrong_once() {
        let xml = XmlError::new("expected `</groupId>`", Some(7));
        let error = Error::decode(xml, 200, b"<a>".to_vec());
        assert!(error.to_string().contains("could not be read: expected `</groupId>`"), "{error}");
        // The decoder's error has no cause of its own: the chain ends at the message.
        assert!(causes(&error).is_empty(), "{:?}", causes(&error));
        let whole = aws_smithy_types::error::display::DisplayErrorContext(&error).to_string();
        assert!(whole.contains("expected `</groupId>` (at byte 7)"), "{whole}");
    }
}
