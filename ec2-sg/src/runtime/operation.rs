//! The contract between generated operations and the runtime.

use super::error::BuildError;
use super::operation_error::OperationError;
use super::query::QueryWriter;
use super::sdk_error::Error;
use super::service::ServiceMetadata;
use super::xml::{Element, XmlError};

/// One operation of the API. Implemented by the generated marker types in `operation`.
pub trait Operation {
    /// The service the operation belongs to: signing name, endpoint rules, endpoint variable.
    /// Several generated services share one runtime and one `Config` through this.
    const SERVICE: &'static ServiceMetadata;
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
    /// Whether requests are signed. The model says no for calls that obtain credentials
    /// (`AssumeRoleWithWebIdentity`): no credentials are looked up for those.
    const SIGNED: bool = true;

    /// The input type (`{Op}Input`).
    type Input: 'static;
    /// The output type (`{Op}Output`).
    type Output;
    /// The operation's error (`{Op}Error`): its modeled errors and `Unhandled`.
    type Error: OperationError;

    /// Writes the input's parameters (after `Action` and `Version`); checks required members.
    fn serialize(input: &Self::Input, writer: &mut QueryWriter<'_>) -> Result<(), BuildError>;

    /// The prefix the model puts before the endpoint's host, if any (`foo.{Label}.`).
    fn host_prefix(input: &Self::Input) -> Result<Option<String>, BuildError> {
        let _ = input;
        Ok(None)
    }

    /// Reads the output from the root element of a successful answer.
    fn decode_output(root: &mut Element<'_, '_>) -> Result<Self::Output, XmlError>;

    /// The output an empty successful answer stands for, where the protocol allows one (an AWS
    /// Query operation whose output has no members); `None`: an empty answer is an error.
    fn empty_output() -> Option<Self::Output> {
        None
    }

    /// Turns a service error (an error of kind `Service`) into the operation's error type,
    /// reading the details of a modeled error from the answer.
    fn decode_error(error: Error) -> Self::Error;

    /// A service customization of the input, applied before it is checked and serialized (the
    /// crate's hand-written adjustments; the generated impl supplies it for the operations the
    /// model's `customizations.json` names). None by default.
    fn customize_input(input: &mut Self::Input) {
        let _ = input;
    }

    /// A service customization of the call's final error (a hint added to the message, say).
    /// None by default.
    fn customize_error(error: Error) -> Error {
        error
    }
}
