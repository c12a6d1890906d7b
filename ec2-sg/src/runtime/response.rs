//! Reading an operation's HTTP response, independent of any HTTP client.

use super::error::ServiceError;
use super::operation::Operation;
use super::retry::{classify_service_error, ErrorKind as RetryKind};
use super::sdk_error::Error;
use super::xml::{Document, XmlError};
use std::fmt;

/// Why a response did not give the operation's output.
#[derive(Debug)]
pub enum ResponseError<E> {
    /// The service answered with an error.
    Service(E),
    /// A successful answer that could not be read.
    Decode {
        /// The operation whose answer it was.
        operation: &'static str,
        /// The HTTP status of the answer.
        http_status: u16,
        /// What was wrong with the document.
        error: XmlError,
    },
}

impl<E: fmt::Display> fmt::Display for ResponseError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service(error) => fmt::Display::fmt(error, f),
            Self::Decode { operation, http_status, error } => {
                write!(f, "could not read the {operation} response (HTTP {http_status}): {error}")
            }
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for ResponseError<E> {}

/// Reads the answer to operation `O`: its output on a 2xx status, else its error.
pub fn parse_response<O: Operation>(http_status: u16, body: &[u8]) -> Result<O::Output, ResponseError<O::Error>> {
    read_response::<O>(http_status, body).map_err(|error| match error {
        ResponseError::Service(service) => {
            let retryable = classify_service_error(service.code(), service.http_status()) != RetryKind::NotRetryable;
            ResponseError::Service(O::decode_error(Error::service(service, retryable).for_operation(O::NAME, 1)))
        }
        ResponseError::Decode { operation, http_status, error } => {
            ResponseError::Decode { operation, http_status, error }
        }
    })
}

/// [`parse_response`] with the service error left as it came: what the client needs to decide on retries.
pub fn read_response<O: Operation>(http_status: u16, body: &[u8]) -> Result<O::Output, ResponseError<ServiceError>> {
    if !(200..300).contains(&http_status) {
        return Err(ResponseError::Service(ServiceError::from_response(http_status, body)));
    }
    let decode_error = |error| ResponseError::Decode { operation: O::NAME, http_status, error };
    let mut document = Document::new(body).map_err(decode_error)?;
    let output = {
        let mut root = document.root().map_err(decode_error)?;
        // An error document with a success status (seen behind some proxies) is still an error.
        if matches!(root.local_name(), "Response" | "ErrorResponse") {
            return Err(ResponseError::Service(ServiceError::from_response(http_status, body)));
        }
        // Anything else must be this operation's answer: a login page from a captive portal or
        // another operation's answer is not an empty success.
        if root.local_name().strip_suffix("Response") != Some(O::NAME) {
            let expected = format!("the root element is <{}>, not <{}Response>", root.local_name(), O::NAME);
            return Err(decode_error(root.error(&expected)));
        }
        O::decode_output(&mut root).map_err(decode_error)?
    };
    // Only a complete, well-formed document is trusted.
    document.finish().map_err(decode_error)?;
    Ok(output)
}
