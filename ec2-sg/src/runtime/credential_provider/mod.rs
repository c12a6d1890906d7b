//! What a credentials provider is ([`ProvideCredentials`], [`Credentials`],
//! [`CredentialsError`]) and what the providers are built on: the cache in front of them, the
//! HTTP fetch on one background runtime, and the IMDS client (the region chain's last step).
//! Below configuration, which holds a provider; the sources themselves, and the public paths of
//! all this, are in `credentials`.

mod cache;
#[cfg(feature = "reqwest-client")]
pub(crate) mod fetch;
#[cfg(feature = "reqwest-client")]
pub(crate) mod imds;
mod types;

pub use cache::CachingProvider;
pub use types::{Credentials, CredentialsError, ProvideCredentials};

#[cfg(feature = "reqwest-client")]
use crate::runtime::http::BoxFuture;

/// Any credentials provider of the AWS SDKs for Rust (aws-config's, or your own implementation
/// of aws-credential-types' `ProvideCredentials`), in the `SharedCredentialsProvider` those SDKs
/// hold it in: `Config::builder().credentials_provider(SharedCredentialsProvider::new(p))`. The
/// async client awaits it as it is; the blocking client runs it on the background runtime of the
/// credential fetches.
#[cfg(feature = "reqwest-client")]
impl ProvideCredentials for aws_credential_types::provider::SharedCredentialsProvider {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let provider = self.clone();
        fetch::run_in_background(async move { provider.provide_credentials_async().await })
    }

    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        use aws_credential_types::provider::error::CredentialsError as SdkCredentialsError;
        Box::pin(async move {
            aws_credential_types::provider::ProvideCredentials::provide_credentials(self).await.map_err(|e| {
                // The SDKs' error keeps its cause in `source()`: its whole chain goes in the message.
                let message = aws_smithy_types::error::display::DisplayErrorContext(&e).to_string();
                match e {
                    SdkCredentialsError::CredentialsNotLoaded(_) => CredentialsError::not_loaded(message),
                    _ => CredentialsError::new(message),
                }
            })
        })
    }
}
