// The crate's documentation is its README: usage, porting, resources, testing, features. Its
// examples are whole programs for a user's `src/main.rs`, some needing features that are off by
// default (`blocking`, `test-util`); `cargo xtask test` builds each one as pasted, in a crate of
// its own made with the README's `Cargo.toml` lines. So rustdoc does not collect them as
// doctests too (`cfg(doctest)`): the page is the same, and no doctest fails for a feature left off.
#![cfg_attr(not(doctest), doc = include_str!("../README.md"))]
#![cfg_attr(doctest, doc = "ec2-sg: see README.md, whose examples `cargo xtask test` builds as programs.")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// On docs.rs: each feature-gated item says which feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod runtime;
pub mod sync;
#[cfg(feature = "network-interfaces")]
#[cfg_attr(docsrs, doc(cfg(feature = "network-interfaces")))]
pub mod usage;

mod customizations;

#[rustfmt::skip]
mod generated;

// Every public generated module (types, operation, client, endpoints, and paginators, waiters and
// resources when the model has them) sits at the crate root.
pub use generated::*;
pub use runtime::client::Client;
pub use runtime::{Config, ConfigBuilder, Credentials, Error, ErrorKind, RetryConfig, TimeoutConfig};

/// The blocking client (feature `blocking`).
#[cfg(feature = "blocking")]
pub mod blocking {
    pub use crate::runtime::blocking::Client;
}

/// Errors as aws-sdk-rust names them: `send()` gives `SdkError<{Op}Error>`; read it with
/// `ProvideErrorMetadata` (`code()`, `message()`) and print its whole chain with
/// `DisplayErrorContext`. `?` turns it into the crate-wide [`crate::Error`].
pub mod error {
    pub use crate::runtime::{BoxError, SdkError};
    pub use aws_smithy_runtime_api::client::result::ConnectorError;
    pub use aws_smithy_types::error::display::DisplayErrorContext;
    pub use aws_smithy_types::error::metadata::{ErrorMetadata, ProvideErrorMetadata};
}

/// Configuration types at aws-sdk-ec2's paths (`config::{Builder, RetryConfig, …}`).
pub mod config {
    pub use crate::runtime::retry::RetryMode;
    pub use crate::runtime::user_agent::AppName;
    pub use crate::runtime::{Config, ConfigBuilder as Builder, Credentials, RetryConfig, TimeoutConfig};
}

/// The crate's own metadata, at aws-sdk-ec2's path.
pub mod meta {
    /// The version of this crate (`CARGO_PKG_VERSION`).
    pub const PKG_VERSION: &str = env!("CARGO_PKG_VERSION");
}

/// Value types shared by the API: timestamps and binary data.
pub mod primitives {
    pub use crate::runtime::{Blob, DateTime, TimestampFormat};
    /// The formats a [`DateTime`] prints and parses, under aws-sdk-ec2's name.
    pub use aws_smithy_types::date_time::Format as DateTimeFormat;
}

impl runtime::Config {
    /// Starts a configuration.
    pub fn builder() -> runtime::ConfigBuilder {
        runtime::ConfigBuilder::for_service(&generated::SERVICE, runtime::credentials::default_provider)
    }
}

impl Default for runtime::ConfigBuilder {
    fn default() -> Self {
        runtime::Config::builder()
    }
}

impl runtime::client::Client {
    /// A client configured from the environment and the shared files alone.
    pub fn from_env() -> Result<Self, runtime::Error> {
        runtime::Config::builder().build().map(Self::from_conf)
    }
}

#[cfg(feature = "blocking")]
impl runtime::blocking::Client {
    /// A client configured from the environment and the shared files alone.
    pub fn from_env() -> Result<Self, runtime::Error> {
        Self::from_conf(runtime::Config::builder().build()?)
    }
}

/// Every service generated into the crate, the main one first: the replay client's signature
/// check accepts any of their signing names. It stays a crate-root function because
/// `replay::signature_problems(&HttpRequest)` is public and takes no list of services.
#[cfg(feature = "test-util")]
pub(crate) fn services() -> &'static [&'static runtime::ServiceMetadata] {
    generated::SERVICES
}
