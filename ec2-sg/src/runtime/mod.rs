//! The hand-written runtime: everything the generated code calls that does not follow from the
//! model. The request/response core is transport-independent: a request is built as an
//! [`HttpRequest`] and an answer is read from a status and a body, so any HTTP client (or a
//! recorded response) can sit in between. On top of it: signing, credentials, retries and the clients.
//!
//! The modules in layers, lowest first; none imports a module of a layer above its own:
//! 1. values, wire formats, errors and where settings come from: `body`, `json`, `xml`, `form`,
//!    `query`, `timestamp`, `error`, `sdk_error`, `operation_error`, `retry`, `random`,
//!    `idempotency`, `clock`, `user_agent`, `service`, `endpoint_lib`, `env`, `profile`;
//! 2. the contract with generated code, `operation`; on it `request` and `response`; on those the
//!    transport, `http`, and `sign`;
//! 3. `credential_provider`: what a credentials provider is, the cache, the HTTP fetch on one
//!    background runtime, and the IMDS client; beside it, over `http` alone, `paginate`;
//! 4. `config`, which holds a provider (the default one is handed in by the crate root) and may ask
//!    IMDS for the region;
//! 5. `dispatch`, then the clients, `client` and `blocking`, then `waiter`; and `replay` (its
//!    `config_builder` starts from the crate root's `Config::builder()`);
//! 6. `credentials`: the sources and the default chain, and the public paths of layer 3's types.
//!    It is on top because the role sources call STS through `config` and `client`.
//!
//! Inside `config`, `credential_provider` and `credentials`, no file imports its module's `mod.rs`.
//!
//! Each operation names its service's facts (`Operation::SERVICE`: signing name, endpoint
//! resolver), so several services share the runtime and one `Config`. The runtime is handed what
//! is the crate's rather than reaching for it: a `ConfigBuilder` is made for one service, with
//! the credentials provider to use when given none (`ConfigBuilder::for_service`; the crate
//! root's `Config::builder()` passes the main service and the default chain, and also defines
//! `ConfigBuilder::default()` and the clients' `from_env()` with it), and service customizations
//! come through the `Operation` hooks `customize_input` and `customize_error` (no-ops unless the
//! generated impl supplies them). One exception, for the `test-util` replay
//! client: `crate::services()` lists every service of the crate, whose signing names
//! `replay::signature_problems` accepts.

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod body;
pub mod client;
mod clock;
mod config;
mod credential_provider;
pub mod credentials;
mod dispatch;
pub mod endpoint_lib;
pub mod env;
mod error;
mod form;
pub mod http;
mod idempotency;
mod json;
mod operation;
mod operation_error;
pub mod paginate;
pub mod profile;
pub mod query;
mod random;
#[cfg(feature = "test-util")]
pub mod replay;
pub mod request;
mod response;
pub mod retry;
mod sdk_error;
mod service;
mod sign;
#[cfg(test)]
mod test_support;
mod timestamp;
pub mod user_agent;
pub mod waiter;
pub mod xml;

pub use aws_smithy_types::{base64, Blob};
pub use aws_types::request_id::RequestId;
pub use config::{
    resolve_endpoint_url, resolve_endpoint_url_for_profile, resolve_region, resolve_region_for_profile, Config,
    ConfigBuilder, TimeoutConfig,
};
pub use credential_provider::{Credentials, CredentialsError, ProvideCredentials};
pub use error::{BuildError, ServiceError};
pub use form::{decode_component, encode_component, encode_form_component_into, parse_form, PercentDecodeError};
pub use idempotency::{FixedTokens, IdempotencyTokenProvider, RandomUuidTokens};
pub use operation::Operation;
pub use operation_error::{into_sdk_error, BoxError, HttpResponse, OperationError, SdkError, Unhandled};
pub use query::QueryWriter;
pub use request::{build_request, Compression, Endpoint, HttpRequest, RequestOptions};
pub use response::{parse_response, parse_response_body, read_response, ResponseError};
pub use retry::RetryConfig;
pub use sdk_error::{Error, ErrorKind};
pub use service::{EndpointInputs, ServiceMetadata};
pub use timestamp::{parse_timestamp, DateTime, DateTimeFormatError, DateTimeParseError, TimestampFormat};
