//! AWS credentials and where they come from: one module per source, the default chain over
//! them, and a cache in front. What a provider is and the cache are defined below configuration
//! (which holds a provider) and re-exported here; the sources sit above the client, since the
//! role sources call STS with it.
//!
//! Sources, in the order [`DefaultCredentialsChain`] tries them:
//! 1. the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
//! 2. the selected profile (`AWS_PROFILE`, else `default`) of `~/.aws/credentials` and
//!    `~/.aws/config`: static keys, a `credential_process`, SSO ([`SsoCredentials`]: a profile
//!    set up by `aws configure sso`, with the token `aws sso login` cached), or a role assumed
//!    through STS from a `source_profile`, a `credential_source` or a `web_identity_token_file`;
//! 3. a web identity token named by the environment ([`WebIdentityCredentials`]);
//! 4. a container agent ([`ContainerCredentials`]: ECS task roles, EKS Pod Identity);
//! 5. the EC2 instance metadata service ([`ImdsCredentials`]).
//!
//! Secrets (the secret access key and the session token) never appear in `Debug` output or in
//! an error message, and neither does the output of a `credential_process`.

mod chain;
#[cfg(feature = "reqwest-client")]
mod container;
mod context;
mod document;
mod environment;
#[cfg(feature = "reqwest-client")]
mod imds;
mod process;
mod profile_chain;
mod shared_profile;
#[cfg(feature = "reqwest-client")]
mod sso;
#[cfg(feature = "reqwest-client")]
mod sts_roles;

pub(crate) use chain::default_provider;
pub use chain::DefaultCredentialsChain;
#[cfg(feature = "reqwest-client")]
pub use container::ContainerCredentials;
pub use environment::EnvironmentCredentials;
#[cfg(feature = "reqwest-client")]
pub use imds::ImdsCredentials;
pub use process::{parse_credential_process_output, DEFAULT_PROCESS_TIMEOUT};
pub use shared_profile::ProfileCredentials;
#[cfg(feature = "reqwest-client")]
pub use sso::SsoCredentials;
#[cfg(feature = "reqwest-client")]
pub use sts_roles::WebIdentityCredentials;

pub use crate::runtime::credential_provider::{CachingProvider, Credentials, CredentialsError, ProvideCredentials};

#[cfg(test)]
mod tests {
    use super::environment::env_credentials;
    use super::*;

    use crate::runtime::env::Env;
    use crate::runtime::test_support::*;

    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    // --- Credentials ---

    #[test]
    fn debug_never_shows_secrets() {
        let credentials = Credentials::from_keys("AKIDEXAMPLE", SECRET, Some(TOKEN.to_owned()));
        let debug = format!("{credentials:?}");
        assert!(debug.contains("AKIDEXAMPLE"), "{debug}");
        assert!(debug.contains("** redacted **"), "{debug}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(!debug.contains(TOKEN), "{debug}");
        let cached = CachingProvider::new(credentials.clone());
        cached.provide_credentials().unwrap();
        let debug = format!("{cached:?}");
        assert!(!debug.contains(SECRET) && !debug.contains(TOKEN), "{debug}");
        let env = Env::from_vars([("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", SECRET)]);
        for debug in [
            format!("{:?}", EnvironmentCredentials::with_env(env.clone())),
            format!("{:?}", DefaultCredentialsChain::with_env(env.clone())),
            format!("{:?}", env_credentials(&env).unwrap()),
        ] {
            assert!(!debug.contains(SECRET), "{debug}");
        }
    }

    #[test]
    fn static_credentials_and_accessors() {
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let credentials = Credentials::new("AKID", "SECRET", None, Some(expiry), "mine");
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.secret_access_key(), "SECRET");
        assert_eq!(credentials.session_token(), None);
        assert_eq!(credentials.expiry(), Some(expiry));
        assert_eq!(provider_name(&credentials), "mine");
        assert_eq!(provider_name(&Credentials::from_keys("A", "S", None)), "Static");
        let provided = credentials.provide_credentials().unwrap();
        assert_eq!(provided.access_key_id(), "AKID");
        let shared: Arc<dyn ProvideCredentials> = Arc::new(credentials);
        assert_eq!(provider_name(&shared.provide_credentials().unwrap()), "mine");
    }
}
