//! The hand-written runtime: everything the generated code calls that does not follow from the
//! model. Transport-independent: a request is built as an [`HttpRequest`] and an answer is read
//! from a status and a body, so any HTTP client (or a recorded response) can sit in between.

mod blob;
mod datetime;
mod error;
mod idempotency;
mod operation;
mod percent;
pub mod query;
pub mod request;
mod response;
pub mod xml;

pub use blob::{base64_decode, base64_encode, Base64Error, Blob};
pub use datetime::{DateTime, DateTimeParseError, SystemTimeRangeError, TimestampFormat};
pub use error::{BuildError, ServiceError};
pub use idempotency::{FixedTokens, IdempotencyTokenProvider, RandomUuidTokens};
pub use operation::Operation;
pub use percent::{decode_component, encode_component, encode_component_into, parse_form, PercentDecodeError};
pub use query::QueryWriter;
pub use request::{build_request, Compression, Endpoint, HttpRequest, RequestOptions};
pub use response::{parse_response, ResponseError};
