//! Reading an operation's HTTP response, independent of any HTTP client.

use super::body::Body;
use super::error::ServiceError;
use super::operation::Operation;
use super::retry::{classify_service_error, ErrorKind as RetryKind};
use super::sdk_error::Error;
use super::xml::{Document, XmlError, DEFAULT_MAX_DECODED_BYTES};
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
    read_response::<O>(http_status, body).map_err(into_operation_error::<O>)
}

/// [`parse_response`] on a body in the chunks it arrived in (a transport of your own that
/// receives chunks need not join them): large bodies are freed chunk by chunk as they are read.
pub fn parse_response_body<O: Operation>(http_status: u16, body: Body) -> Result<O::Output, ResponseError<O::Error>> {
    read_response_body::<O>(http_status, body, DecodedLimit::default())
        .map_err(|failure| into_operation_error::<O>(failure.0))
}

fn into_operation_error<O: Operation>(error: ResponseError<ServiceError>) -> ResponseError<O::Error> {
    match error {
        ResponseError::Service(service) => {
            let retryable = classify_service_error(service.code(), service.http_status()) != RetryKind::NotRetryable;
            ResponseError::Service(O::decode_error(Error::service(service, retryable).for_operation(O::NAME, 1)))
        }
        ResponseError::Decode { operation, http_status, error } => {
            ResponseError::Decode { operation, http_status, error }
        }
    }
}

/// [`parse_response`] with the service error left as it came: what the client needs to decide on retries.
pub fn read_response<O: Operation>(http_status: u16, body: &[u8]) -> Result<O::Output, ResponseError<ServiceError>> {
    if !(200..300).contains(&http_status) {
        return Err(ResponseError::Service(ServiceError::from_response(http_status, body)));
    }
    if let (true, Some(output)) = (body.is_empty(), O::empty_output()) {
        return Ok(output);
    }
    let limit = DecodedLimit::default();
    let mut document = Document::new(body)
        .map_err(|error| decode_error::<O>(http_status, error))?
        .limit_decoded_bytes(limit.bytes, limit.setting);
    decode::<O>(&mut document, http_status).map_err(|failure| match failure {
        Failure::ErrorDocument => ResponseError::Service(ServiceError::from_response(http_status, body)),
        Failure::Decode(error) => error,
    })
}

/// The bound on a decoded answer ([`Document::limit_decoded_bytes`]) and the setting that raises it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DecodedLimit {
    pub(crate) bytes: usize,
    pub(crate) setting: &'static str,
}

impl Default for DecodedLimit {
    fn default() -> Self {
        Self { bytes: DEFAULT_MAX_DECODED_BYTES, setting: "ec2_sg::runtime::xml::DEFAULT_MAX_DECODED_BYTES" }
    }
}

/// Bodies longer than this are decoded with each chunk freed once read, so that a large page
/// and its decoded output are never both held whole; shorter ones stay whole until decoded, for
/// the error of an answer that cannot be read.
const FREE_READ_ABOVE: usize = 1 << 20;

/// [`read_response`] on a body as the transport received it. On failure, the body is given back
/// for the error: whole, or for a body longer than [`FREE_READ_ABOVE`] that failed past its
/// first chunks, from the chunk where decoding stopped (the error message says so).
pub(crate) fn read_response_body<O: Operation>(
    http_status: u16,
    body: Body,
    limit: DecodedLimit,
) -> Result<O::Output, Box<(ResponseError<ServiceError>, Body)>> {
    if !(200..300).contains(&http_status) {
        let service = ServiceError::from_response(http_status, &body.contiguous());
        return Err(Box::new((ResponseError::Service(service), body)));
    }
    let length = body.len();
    if let (0, Some(output)) = (length, O::empty_output()) {
        return Ok(output);
    }
    let mut document =
        Document::from_body(body, length > FREE_READ_ABOVE).limit_decoded_bytes(limit.bytes, limit.setting);
    let outcome = decode::<O>(&mut document, http_status);
    match outcome {
        Ok(output) => Ok(output),
        Err(failure) => {
            let (rest, whole) = document.into_body();
            let error = match failure {
                Failure::ErrorDocument => {
                    ResponseError::Service(ServiceError::from_response(http_status, &rest.contiguous()))
                }
                Failure::Decode(ResponseError::Decode { operation, http_status, error }) if !whole => {
                    let kept_from = length - rest.len();
                    let note = format!(
                        "{}; the error keeps the answer from byte {kept_from} on, the bytes before were freed as they were read",
                        error.message()
                    );
                    ResponseError::Decode { operation, http_status, error: XmlError::new(note, error.offset()) }
                }
                Failure::Decode(error) => error,
            };
            Err(Box::new((error, rest)))
        }
    }
}

/// Why [`decode`] gave no output.
enum Failure {
    /// The answer is an error document despite its success status.
    ErrorDocument,
    Decode(ResponseError<ServiceError>),
}

fn decode_error<O: Operation>(http_status: u16, error: XmlError) -> ResponseError<ServiceError> {
    ResponseError::Decode { operation: O::NAME, http_status, error }
}

/// Decodes a successful answer to `O` from its document.
fn decode<O: Operation>(document: &mut Document<'_>, http_status: u16) -> Result<O::Output, Failure> {
    let fail = |error| Failure::Decode(decode_error::<O>(http_status, error));
    let output = {
        let mut root = document.root().map_err(fail)?;
        // An error document with a success status (seen behind some proxies) is still an error.
        if matches!(root.local_name(), "Response" | "ErrorResponse") {
            return Err(Failure::ErrorDocument);
        }
        // Anything else must be this operation's answer: a login page from a captive portal or
        // another operation's answer is not an empty success.
        if root.local_name().strip_suffix("Response") != Some(O::NAME) {
            let expected = format!("the root element is <{}>, not <{}Response>", root.local_name(), O::NAME);
            return Err(fail(root.error(&expected)));
        }
        O::decode_output(&mut root).map_err(fail)?
    };
    // Only a complete, well-formed document is trusted.
    document.finish().map_err(fail)?;
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::DescribeSecurityGroups;

    /// A DescribeSecurityGroups answer of `groups` groups, in chunks of `chunk` bytes.
    fn answer(groups: usize, chunk: usize) -> (String, Body) {
        let mut xml = String::from(
            r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><securityGroupInfo>"#,
        );
        for g in 0..groups {
            xml.push_str(&format!(
                "<item><groupId>sg-{g:017x}</groupId><groupName>group &amp; {g}</groupName><ipPermissions><item>\
                 <ipProtocol>tcp</ipProtocol><fromPort>{g}</fromPort><toPort>{g}</toPort>\
                 <ipRanges><item><cidrIp>10.0.0.0/8</cidrIp></item></ipRanges></item></ipPermissions></item>"
            ));
        }
        xml.push_str("</securityGroupInfo></DescribeSecurityGroupsResponse>");
        let mut body = Body::new();
        for piece in xml.as_bytes().chunks(chunk) {
            body.push(piece.to_vec());
        }
        (xml, body)
    }

    #[test]
    fn chunked_bodies_decode_as_the_same_bytes_in_one_slice() {
        // Chunks of 7 bytes split names, text and references everywhere.
        let (xml, body) = answer(50, 7);
        let from_chunks =
            read_response_body::<DescribeSecurityGroups>(200, body, DecodedLimit::default()).map_err(|e| e.0).unwrap();
        let from_slice = read_response::<DescribeSecurityGroups>(200, xml.as_bytes()).unwrap();
        assert_eq!(from_chunks, from_slice);
        assert_eq!(from_chunks.security_groups().len(), 50);
        assert_eq!(from_chunks.security_groups()[3].group_name(), Some("group & 3"));
        // Lists are held in exactly their length.
        assert_eq!(from_chunks.security_groups()[0].ip_permissions.as_ref().map(Vec::capacity), Some(1));
    }

    #[test]
    fn a_small_body_that_cannot_be_read_is_given_back_whole() {
        let (xml, _) = answer(3, 64);
        let cut = &xml.as_bytes()[..xml.len() - 40];
        let mut body = Body::new();
        body.push(cut.to_vec());
        let failure = read_response_body::<DescribeSecurityGroups>(200, body, DecodedLimit::default()).unwrap_err();
        let (error, rest) = *failure;
        assert!(matches!(error, ResponseError::Decode { .. }), "{error}");
        assert_eq!(rest.to_vec(), cut);
    }

    #[test]
    fn a_large_body_failing_late_keeps_the_part_where_it_failed() {
        let (xml, _) = answer(8000, 1 << 16);
        assert!(xml.len() > FREE_READ_ABOVE);
        // Corrupt an end tag near the end: everything before it was read and freed.
        let broken = xml.replacen("</groupId>", "</groupID>", 8000).replacen("</groupID>", "</groupId>", 7999);
        let mut body = Body::new();
        for piece in broken.as_bytes().chunks(1 << 16) {
            body.push(piece.to_vec());
        }
        let (error, rest) =
            *read_response_body::<DescribeSecurityGroups>(200, body, DecodedLimit::default()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("expected `</groupId>`"), "{message}");
        assert!(message.contains("the error keeps the answer from byte"), "{message}");
        assert!(rest.len() < broken.len() && !rest.is_empty());
        assert!(broken.ends_with(std::str::from_utf8(&rest.to_vec()).unwrap()));
        assert!(String::from_utf8(rest.to_vec()).unwrap().contains("</groupID>"));
    }

    #[test]
    fn error_statuses_and_error_documents_read_from_chunks() {
        let xml = "<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>no</Message></Error></Errors><RequestID>r</RequestID></Response>";
        for status in [400, 200] {
            let mut body = Body::new();
            for piece in xml.as_bytes().chunks(5) {
                body.push(piece.to_vec());
            }
            match *read_response_body::<DescribeSecurityGroups>(status, body, DecodedLimit::default()).unwrap_err() {
                (ResponseError::Service(service), _) => assert_eq!(service.code(), "InvalidGroup.NotFound"),
                (other, _) => panic!("{other}"),
            }
        }
    }
}
