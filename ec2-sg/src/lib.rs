//! A Rust SDK for the Amazon EC2 SecurityGroup API, generated from AWS's own service model
//! (`model/` in the repository) by `cargo xtask codegen`.
//!
//! - [`types`]: the API's structures and enums, with builders
//!   (`IpPermission::builder().ip_protocol("tcp").from_port(22).build()`).
//! - [`operation`]: one marker type per operation, with its input, output and error types.
//! - [`runtime`]: building a signed-ready [`runtime::HttpRequest`] for an operation and reading
//!   its answer, with no HTTP client attached.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod runtime;

#[rustfmt::skip]
mod generated;

pub use generated::{operation, types, API_VERSION, ENDPOINT_PREFIX, SIGNING_NAME};

/// Value types shared by the API: timestamps and binary data.
pub mod primitives {
    pub use crate::runtime::{Blob, DateTime, TimestampFormat};
}
