//! A Rust SDK for the Amazon EC2 SecurityGroup API, generated from AWS's own service model
//! (`model/` in the repository) by `cargo xtask codegen`.
//!
//! ```no_run
//! # async fn example() -> Result<(), ec2_sg::Error> {
//! use ec2_sg::types::{IpPermission, IpRange};
//! let config = ec2_sg::Config::builder()
//!     .region("us-east-1")
//!     .credentials(ec2_sg::Credentials::from_keys("AKID", "SECRET", None))
//!     .build()?;
//! let client = ec2_sg::Client::from_conf(config);
//! let out = client.describe_security_groups().group_ids("sg-123").send().await?;
//! for group in out.security_groups() {
//!     println!("{:?} {:?}", group.group_id(), group.group_name());
//! }
//! client
//!     .authorize_security_group_ingress()
//!     .group_id("sg-123")
//!     .ip_permissions(
//!         IpPermission::builder().ip_protocol("tcp").from_port(22).to_port(22)
//!             .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
//!             .build(),
//!     )
//!     .send()
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! - [`Client`] (async) and, with the `blocking` feature, [`blocking::Client`]: one method per
//!   operation returning a fluent builder (`x(v)` sets or appends, `set_x(Option)` replaces).
//! - [`types`]: the API's structures and enums; [`operation`]: inputs, outputs, operation markers.
//! - [`runtime`]: the parts below the client, usable with any HTTP client: building a request
//!   ([`runtime::build_request`]), signing, reading an answer ([`runtime::parse_response`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// On docs.rs: each feature-gated item says which feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod runtime;

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
/// `DisplayErrorContext`. `?` turns it into the crate-wide [`Error`](crate::Error).
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

/// Value types shared by the API: timestamps and binary data.
pub mod primitives {
    pub use crate::runtime::{Blob, DateTime, TimestampFormat};
}

/// The README's examples, compiled as doctests so they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// Service customizations, for the runtime: adjusts an input before it is serialized.
pub(crate) fn customize_input(input: &mut dyn std::any::Any) {
    customizations::customize_input(input);
}

/// Generated facts of the service, for the runtime.
pub(crate) fn service_defaults() -> &'static runtime::ServiceDefaults {
    &generated::SERVICE
}
