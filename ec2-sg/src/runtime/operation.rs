//! The contract between generated operations and the runtime.

use super::error::{BuildError, ServiceError};
use super::query::QueryWriter;
use super::xml::{Element, XmlError};

/// One operation of the API. Implemented by the generated marker types in `operation`.
pub trait Operation {
    /// The operation name, sent as `Action`.
    const NAME: &'static str;
    /// The API version, sent as `Version`.
    const API_VERSION: &'static str;
    /// The HTTP method (`POST` for every ec2 operation).
    const HTTP_METHOD: &'static str;
    /// The request path, appended to the endpoint's path.
    const REQUEST_URI: &'static str;
    /// The model asks for gzip-compressed request bodies.
    const GZIP_REQUEST: bool = false;

    /// The input type (`{Op}Input`).
    type Input: 'static;
    /// The output type (`{Op}Output`).
    type Output;
    /// `ServiceError`, or an enum of the operation's modeled errors.
    type Error;

    /// Writes the input's parameters (after `Action` and `Version`); checks required members.
    fn serialize(input: &Self::Input, writer: &mut QueryWriter<'_>) -> Result<(), BuildError>;

    /// The prefix the model puts before the endpoint's host, if any (`foo.{Label}.`).
    fn host_prefix(input: &Self::Input) -> Result<Option<String>, BuildError> {
        let _ = input;
        Ok(None)
    }

    /// Reads the output from the root element of a successful answer.
    fn decode_output(root: &mut Element<'_, '_>) -> Result<Self::Output, XmlError>;

    /// Turns an error answer into the operation's error type.
    fn decode_error(error: ServiceError) -> Self::Error;
}
