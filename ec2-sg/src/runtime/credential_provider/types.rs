//! The types every layer names: the credentials, the error of a source, and the provider trait.

use std::fmt;
use std::sync::Arc;

use crate::runtime::http::BoxFuture;
use crate::runtime::profile::ProfileError;

/// A set of AWS credentials: aws-credential-types' `Credentials`, the type every AWS SDK for
/// Rust signs with (`Credentials::from_keys(id, secret, token)`, or `Credentials::new` with an
/// expiry and a provider name). Its `Debug` shows neither the secret nor the session token.
pub use aws_credential_types::Credentials;

/// Why credentials (or a region or endpoint setting) could not be had. Neither the message nor
/// any cause in [`source`](std::error::Error::source) holds a secret.
///
/// An error is either *not loaded* (the source simply had nothing: see
/// [`Self::is_not_loaded`]), or a real problem (a malformed file, a failing
/// `credential_process`, only half of a key pair) that a chain of providers must not skip past.
/// `Display` shows the message only; the cause, when there is one, is the error's `source()`.
#[derive(Clone, Debug)]
pub struct CredentialsError {
    message: String,
    not_loaded: bool,
    /// `Arc`, not `Box`, so that the error stays `Clone` (a cache hands one error to every waiter).
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl CredentialsError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), not_loaded: false, source: None }
    }

    /// A source that had nothing to give; a chain goes on to its next source.
    pub fn not_loaded(message: impl Into<String>) -> Self {
        Self { message: message.into(), not_loaded: true, source: None }
    }

    /// This error, caused by `source` (shown by `source()`, not by `Display`). The cause must
    /// hold no secret either: never wrap an error that quotes a credentials document.
    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// Whether the source simply had nothing (as opposed to a real problem).
    pub fn is_not_loaded(&self) -> bool {
        self.not_loaded
    }

    /// The message (as `Display` shows it).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Equal when the kind, the message and the cause's text are equal (a cause has no `PartialEq`).
impl PartialEq for CredentialsError {
    fn eq(&self, other: &Self) -> bool {
        let cause = |e: &Self| e.source.as_ref().map(|s| s.to_string());
        self.not_loaded == other.not_loaded && self.message == other.message && cause(self) == cause(other)
    }
}

impl Eq for CredentialsError {}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl From<ProfileError> for CredentialsError {
    /// The message names the file and line (never the line's text); the parse error is the cause.
    fn from(err: ProfileError) -> Self {
        let place = match err.line() {
            Some(line) => format!("{}, line {line}", err.file()),
            None => err.file().to_owned(),
        };
        Self::new(format!("invalid AWS shared config {place}")).with_source(err)
    }
}

/// Anything that can give credentials (implement it to plug in your own source).
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Gives credentials, or says why it cannot. Called for every request unless wrapped in a
    /// [`CachingProvider`](super::CachingProvider) (as [`crate::ConfigBuilder::credentials_provider`] does).
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError>;

    /// What the async client calls. The default calls [`Self::provide_credentials`] in place,
    /// which suits a provider that answers at once; [`CachingProvider`](super::CachingProvider) runs a refresh on a
    /// thread of its own, so a slow source (a `credential_process`) never blocks the executor.
    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(self.provide_credentials()))
    }
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide_credentials()
    }

    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials_async()
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Box<P> {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide_credentials()
    }

    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials_async()
    }
}
