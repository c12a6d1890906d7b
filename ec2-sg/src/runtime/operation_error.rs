//! Errors shaped like aws-sdk-rust's, with its own types: a fluent builder's `send()` gives
//! `SdkError<{Op}Error, HttpResponse>` (aws-smithy-runtime-api's), the `{Op}Error` exposes
//! aws-smithy-types' `ErrorMetadata` (code, message, request id) and aws-types' `RequestId`, and
//! `?` turns any of them into the crate-wide [`Error`], which keeps what the SDK knows beyond
//! them (the kind, the attempts, `is_retryable()`, `is_dry_run_success()`).

use super::sdk_error::{Error, ErrorKind};
use aws_smithy_runtime_api::client::result::{ConnectorError, CreateUnhandledError};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::metadata::{ErrorMetadata, ProvideErrorMetadata};
use std::fmt;

pub use aws_smithy_runtime_api::box_error::BoxError;
pub use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// The error of an operation's `send()`, as aws-sdk-rust names it.
pub type SdkError<E, R = HttpResponse> = aws_smithy_runtime_api::client::result::SdkError<E, R>;

/// The key aws-types' `RequestId` reads from an [`ErrorMetadata`].
const AWS_REQUEST_ID: &str = "aws_request_id";

/// A service error the operation's model does not name (every EC2 error: the EC2 model names
/// none), read through its [`ErrorMetadata`], or any other error made into an operation error.
pub struct Unhandled {
    meta: ErrorMetadata,
    error: Error,
}

impl Unhandled {
    /// From the crate's error of a failed call; the metadata comes from its service error.
    pub fn from_error(error: Error) -> Self {
        let mut meta = ErrorMetadata::builder();
        if let Some(code) = error.code() {
            meta = meta.code(code);
        }
        if let Some(message) = error.message() {
            meta = meta.message(message);
        }
        if let Some(request_id) = error.request_id() {
            meta = meta.custom(AWS_REQUEST_ID, request_id);
        }
        Self { meta: meta.build(), error }
    }

    /// From any error, with the metadata given (what aws-sdk-rust's `unhandled`/`generic` make).
    pub fn from_source(source: BoxError, meta: Option<ErrorMetadata>) -> Self {
        let error = match source.downcast::<Error>() {
            Ok(error) => *error,
            Err(other) => Error::new(ErrorKind::Service, other.to_string()).with_boxed_source(other),
        };
        Self::with_meta(error, meta)
    }

    /// From the crate's error, with the metadata given or else made from the error.
    pub fn with_meta(error: Error, meta: Option<ErrorMetadata>) -> Self {
        match meta {
            Some(meta) => Self { meta, error },
            None => Self::from_error(error),
        }
    }

    /// Code, message and request id.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }

    /// The crate's error: kind, operation, attempts, HTTP status, the service error itself.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The crate's error.
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl fmt::Debug for Unhandled {
    // The metadata and what the crate's error adds to it; its message repeats the metadata.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unhandled")
            .field("meta", &self.meta)
            .field("kind", &self.error.kind())
            .field("http_status", &self.error.http_status())
            .field("retryable", &self.error.is_retryable())
            .finish()
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for Unhandled {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

/// What every generated `{Op}Error` is: the runtime turns the crate's errors into it, and `?`
/// turns it back.
pub trait OperationError:
    std::error::Error + CreateUnhandledError + ProvideErrorMetadata + Send + Sync + Sized + 'static
{
    /// The error every variant carries.
    fn unhandled(&self) -> &Unhandled;
    /// The crate's error of this operation error.
    fn into_error(self) -> Error;
}

/// The raw answer of a service or decode error, as aws-sdk-rust's `SdkError` carries it. EC2
/// gives the request id in the body; it is also set as `x-amzn-requestid`, where aws-types'
/// `RequestId` for `SdkError` looks for it.
fn raw_response(status: u16, body: Vec<u8>, request_id: Option<&str>) -> HttpResponse {
    let status = aws_smithy_runtime_api::http::StatusCode::try_from(status)
        .unwrap_or_else(|_| aws_smithy_runtime_api::http::StatusCode::try_from(500).expect("500 is a status code"));
    let mut response = HttpResponse::new(status, SdkBody::from(body));
    if let Some(request_id) = request_id {
        // A request id that is no valid header value is left out.
        let _ = response.headers_mut().try_insert("x-amzn-requestid", request_id.to_string());
    }
    response
}

/// The crate's error of a failed call as the `SdkError` of operation error `E`; `service` makes
/// the operation error of a service error (its modeled variants).
pub fn into_sdk_error<E>(error: Error, service: impl FnOnce(Error) -> E) -> SdkError<E> {
    match error.kind() {
        ErrorKind::Service => {
            let raw = match error.as_service_error() {
                Some(answer) => raw_response(answer.http_status(), answer.body().to_vec(), answer.request_id()),
                None => raw_response(500, Vec::new(), None),
            };
            SdkError::service_error(service(error), raw)
        }
        ErrorKind::Timeout => SdkError::timeout_error(error),
        ErrorKind::Transport => SdkError::dispatch_failure(ConnectorError::io(error.into())),
        ErrorKind::Decode => {
            let raw = raw_response(error.http_status().unwrap_or(200), error.response_body().to_vec(), None);
            SdkError::response_error(error, raw)
        }
        ErrorKind::Credentials | ErrorKind::Configuration | ErrorKind::Validation | ErrorKind::NotFound => {
            SdkError::construction_failure(error)
        }
    }
}

impl<E: OperationError, R: fmt::Debug + Send + Sync + 'static> From<SdkError<E, R>> for Error {
    /// `?` from an operation's `SdkError` into the crate-wide error, losing nothing the SDK made.
    fn from(error: SdkError<E, R>) -> Self {
        let kind = match &error {
            SdkError::ServiceError(_) => ErrorKind::Service,
            SdkError::TimeoutError(_) => ErrorKind::Timeout,
            SdkError::DispatchFailure(_) => ErrorKind::Transport,
            SdkError::ResponseError(_) => ErrorKind::Decode,
            _ => ErrorKind::Validation,
        };
        if let SdkError::ServiceError(service) = error {
            return service.into_err().into_error();
        }
        let Ok(mut source) = error.into_source() else {
            return Error::new(kind, "an SDK error without a source");
        };
        // A dispatch failure wraps its cause in a ConnectorError.
        source = match source.downcast::<ConnectorError>() {
            Ok(connector) => connector.into_source(),
            Err(other) => other,
        };
        match source.downcast::<Error>() {
            Ok(error) => *error,
            Err(other) => Error::new(kind, other.to_string()).with_boxed_source(other),
        }
    }
}

/// The error type of one generated operation: its modeled errors as variants `Name(details,
/// Unhandled)` (none for EC2's), and `Unhandled`; with the methods and traits aws-sdk-rust's
/// operation errors have, and this crate's own.
#[macro_export]
#[doc(hidden)]
macro_rules! operation_error {
    ($(#[$attr:meta])* $name:ident { $($variant:ident($details:ty)),* $(,)? }) => {
        $(#[$attr])*
        #[non_exhaustive]
        #[derive(Debug)]
        pub enum $name {
            $(
                #[doc = concat!("The modeled error `", stringify!($variant), "`: its details, and the error itself.")]
                $variant($details, $crate::runtime::Unhandled),
            )*
            /// An error the model does not name for this operation: read it with `code()`,
            /// `message()` and `meta()`.
            Unhandled($crate::runtime::Unhandled),
        }

        impl $name {
            /// An operation error made from any error (as aws-sdk-rust's `unhandled`).
            pub fn unhandled(error: impl ::std::convert::Into<$crate::runtime::BoxError>) -> Self {
                Self::Unhandled($crate::runtime::Unhandled::from_source(error.into(), ::std::option::Option::None))
            }

            /// An operation error made from metadata alone (as aws-sdk-rust's `generic`).
            pub fn generic(meta: ::aws_smithy_types::error::ErrorMetadata) -> Self {
                let error = $crate::runtime::BoxError::from(meta.to_string());
                Self::Unhandled($crate::runtime::Unhandled::from_source(error, ::std::option::Option::Some(meta)))
            }

            fn inner(&self) -> &$crate::runtime::Unhandled {
                match self {
                    $(Self::$variant(_, inner) => inner,)*
                    Self::Unhandled(inner) => inner,
                }
            }

            /// Code, message and request id of the error.
            pub fn meta(&self) -> &::aws_smithy_types::error::ErrorMetadata {
                self.inner().meta()
            }

            /// The error code (`InvalidGroup.NotFound`).
            pub fn code(&self) -> ::std::option::Option<&str> {
                self.meta().code()
            }

            /// The service's message.
            pub fn message(&self) -> ::std::option::Option<&str> {
                self.meta().message()
            }

            /// The request id of the answer.
            pub fn request_id(&self) -> ::std::option::Option<&str> {
                self.inner().error().request_id()
            }

            /// The HTTP status of the answer.
            pub fn http_status(&self) -> ::std::option::Option<u16> {
                self.inner().error().http_status()
            }

            /// `DryRunOperation`: with `DryRun` set, the call would have succeeded.
            pub fn is_dry_run_success(&self) -> bool {
                self.inner().error().is_dry_run_success()
            }

            /// Whether the standard retry policy treats this error as worth retrying.
            pub fn is_retryable(&self) -> bool {
                self.inner().error().is_retryable()
            }

            /// The crate's error: kind, operation, attempts and the service error itself.
            pub fn as_error(&self) -> &$crate::runtime::Error {
                self.inner().error()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.inner(), f)
            }
        }

        impl ::std::error::Error for $name {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                ::std::error::Error::source(self.inner())
            }
        }

        impl ::aws_smithy_types::error::metadata::ProvideErrorMetadata for $name {
            fn meta(&self) -> &::aws_smithy_types::error::ErrorMetadata {
                self.inner().meta()
            }
        }

        impl ::aws_smithy_runtime_api::client::result::CreateUnhandledError for $name {
            fn create_unhandled_error(
                source: $crate::runtime::BoxError,
                meta: ::std::option::Option<::aws_smithy_types::error::ErrorMetadata>,
            ) -> Self {
                // `into_service_error()` of a timeout or dispatch failure: keep what it was.
                match source.downcast::<$crate::runtime::SdkError<$name>>() {
                    ::std::result::Result::Ok(sdk) => {
                        let error = $crate::runtime::Error::from(*sdk);
                        Self::Unhandled($crate::runtime::Unhandled::with_meta(error, meta))
                    }
                    ::std::result::Result::Err(source) => {
                        Self::Unhandled($crate::runtime::Unhandled::from_source(source, meta))
                    }
                }
            }
        }

        impl ::aws_types::request_id::RequestId for $name {
            fn request_id(&self) -> ::std::option::Option<&str> {
                self.inner().error().request_id()
            }
        }

        impl ::std::convert::From<$name> for $crate::runtime::Error {
            fn from(error: $name) -> Self {
                $crate::runtime::OperationError::into_error(error)
            }
        }

        impl $crate::runtime::OperationError for $name {
            fn unhandled(&self) -> &$crate::runtime::Unhandled {
                self.inner()
            }

            fn into_error(self) -> $crate::runtime::Error {
                match self {
                    $(Self::$variant(_, inner) => inner.into_error(),)*
                    Self::Unhandled(inner) => inner.into_error(),
                }
            }
        }
    };
}
