//! The default chain: the environment, the profile, a container agent, the instance metadata
//! service.

use std::time::Duration;

use super::environment::{env_credentials, ENV_NOT_SET};
use super::shared_profile::{profile_credentials, ProfileCredentials, ProfileOutcome};
use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::env::Env;
use crate::runtime::profile::ProfileSet;

/// The usual chain, in the AWS SDKs' order: the environment variables; the profile (static keys,
/// `credential_process`, roles assumed through `source_profile` or `credential_source`, a
/// `web_identity_token_file`); a web identity token named by the environment
/// ([`WebIdentityCredentials`]: EKS IRSA, GitHub Actions OIDC); a container agent (ECS, EKS Pod
/// Identity: [`ContainerCredentials`]); the instance metadata service ([`ImdsCredentials`]). When nothing is found, one *not loaded*
/// error names every place looked at; a real problem in a source (half a key pair, a malformed
/// file, a failing process, a container agent that fails) stops the chain with that error.
///
/// The container agent and IMDS need the bundled HTTP client (feature `reqwest-client`, on by
/// default); without it the chain ends with the profile.
///
/// [`ContainerCredentials`]: super::ContainerCredentials
/// [`WebIdentityCredentials`]: super::WebIdentityCredentials
/// [`ImdsCredentials`]: super::ImdsCredentials
///
/// A profile chosen with [`Self::with_profile`] is an explicit request for that profile, so the
/// environment keys are then not consulted (as boto3 does for `Session(profile_name=…)`);
/// `AWS_PROFILE` does not have that effect.
#[derive(Clone, Debug, Default)]
pub struct DefaultCredentialsChain {
    /// The profile step, which also holds the environment every step reads.
    profile: ProfileCredentials,
    /// Kept from call to call: it holds the last credentials, for static stability.
    #[cfg(feature = "reqwest-client")]
    imds: std::sync::Arc<super::ImdsCredentials>,
}

impl DefaultCredentialsChain {
    /// Reads the process environment and the files it names.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment and the files it names.
    pub fn with_env(env: Env) -> Self {
        Self {
            #[cfg(feature = "reqwest-client")]
            imds: std::sync::Arc::new(super::ImdsCredentials::with_env(env.clone())),
            profile: ProfileCredentials::with_env(env),
        }
    }

    /// Uses this profile (and skips the environment keys) instead of `AWS_PROFILE`/`default`.
    pub fn with_profile(self, name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            #[cfg(feature = "reqwest-client")]
            imds: std::sync::Arc::new(
                super::ImdsCredentials::with_env(self.profile.env.clone()).with_profile(name.clone()),
            ),
            profile: self.profile.with_profile(name),
        }
    }

    /// How long a `credential_process` may run before it is killed (default 60 s).
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.profile.process_timeout = timeout;
        self
    }

    /// The sources after the profile: a web identity token, a container agent, then IMDS.
    #[cfg(feature = "reqwest-client")]
    fn http_sources(&self, places: &mut Vec<String>) -> Result<Option<Credentials>, CredentialsError> {
        let env = &self.profile.env;
        match super::WebIdentityCredentials::with_env(env.clone()).provide_credentials() {
            Ok(credentials) => return Ok(Some(credentials)),
            Err(err) if err.is_not_loaded() => places.push(err.message().to_owned()),
            Err(err) => return Err(err),
        }
        if super::ContainerCredentials::is_configured(env) {
            return super::ContainerCredentials::with_env(env.clone()).provide_credentials().map(Some);
        }
        places.push(super::container::CONTAINER_NOT_SET.to_owned());
        match self.imds.provide_credentials() {
            Ok(credentials) => Ok(Some(credentials)),
            Err(err) if err.is_not_loaded() => {
                places.push(err.message().to_owned());
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    #[cfg(not(feature = "reqwest-client"))]
    fn http_sources(&self, places: &mut Vec<String>) -> Result<Option<Credentials>, CredentialsError> {
        places.push("web identity, container agent and instance metadata (need the reqwest-client feature)".to_owned());
        Ok(None)
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let ProfileCredentials { env, profile: chosen, process_timeout } = &self.profile;
        let mut places: Vec<String> = Vec::new();
        let profile = match chosen {
            Some(profile) => {
                places.push(format!(
                    "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (skipped: profile {profile:?} was chosen explicitly)"
                ));
                profile.clone()
            }
            None => {
                match env_credentials(env) {
                    Ok(credentials) => return Ok(credentials),
                    Err(err) if err.is_not_loaded() => places.push(ENV_NOT_SET.to_owned()),
                    Err(err) => return Err(err),
                }
                ProfileSet::selected(env)
            }
        };
        match profile_credentials(env, &profile, *process_timeout)? {
            ProfileOutcome::Found(credentials) => Ok(credentials),
            ProfileOutcome::Missing(more) => {
                places.extend(more);
                if let Some(credentials) = self.http_sources(&mut places)? {
                    return Ok(credentials);
                }
                Err(CredentialsError::not_loaded(format!(
                    "no AWS credentials found. Looked at: {}. Set credentials with Config::builder().credentials(..), \
                     the environment, or the shared files.",
                    places.join("; ")
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::runtime::test_support::*;

    // --- the chain ---

    #[test]
    fn environment_beats_files() {
        let dir = TempDir::new();
        dir.credentials("[default]\naws_access_key_id = FROM_FILE\naws_secret_access_key = f\n");
        let env = dir.env(&[("AWS_ACCESS_KEY_ID", "FROM_ENV"), ("AWS_SECRET_ACCESS_KEY", "e")]);
        let credentials = DefaultCredentialsChain::with_env(env.clone()).provide_credentials().unwrap();
        assert_eq!((credentials.access_key_id(), provider_name(&credentials).as_str()), ("FROM_ENV", "environment"));
        // An explicitly chosen profile is used as asked.
        let chosen = DefaultCredentialsChain::with_env(env).with_profile("default").provide_credentials().unwrap();
        assert_eq!((chosen.access_key_id(), provider_name(&chosen).as_str()), ("FROM_FILE", "profile"));
    }

    #[test]
    fn chain_falls_back_to_profile() {
        let dir = TempDir::new();
        dir.credentials("[default]\naws_access_key_id = FROM_FILE\naws_secret_access_key = f\n");
        let credentials = DefaultCredentialsChain::with_env(dir.env(&[])).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "FROM_FILE");
    }

    #[test]
    fn all_missing_error_names_every_place() {
        let dir = TempDir::new();
        let err = DefaultCredentialsChain::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.is_not_loaded());
        assert_eq!(
            err.to_string(),
            format!(
                "no AWS credentials found. Looked at: environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY \
                 (not set); profile \"default\" in {} (file not found); profile \"default\" in {} (file not found); \
                 web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set); container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI \
                 not set); instance metadata service (disabled by AWS_EC2_METADATA_DISABLED). Set credentials with Config::builder().credentials(..), the environment, or the shared files.",
                dir.credentials_path(),
                dir.config_path()
            )
        );
    }

    #[test]
    fn all_missing_error_with_files_present() {
        let dir = TempDir::new();
        dir.config("[profile dev]\nregion = us-east-1\n").credentials("[other]\naws_access_key_id = A\n");
        let err =
            DefaultCredentialsChain::with_env(dir.env(&[("AWS_PROFILE", "dev")])).provide_credentials().unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&format!("profile \"dev\" in {} (no such profile)", dir.credentials_path())), "{text}");
        assert!(
            text.contains(&format!(
                "profile \"dev\" in {} (no aws_access_key_id or credential_process or sso_session or role_arn)",
                dir.config_path()
            )),
            "{text}"
        );
        let err = ProfileCredentials::with_env(dir.env(&[("AWS_PROFILE", "dev")])).provide_credentials().unwrap_err();
        assert!(err.is_not_loaded() && err.to_string().starts_with("no AWS credentials in profile \"dev\""), "{err}");
    }

    #[test]
    fn files_named_by_env_vars() {
        let dir = TempDir::new();
        let creds = dir.path().join("elsewhere");
        std::fs::write(&creds, "[default]\naws_access_key_id = ELSEWHERE\naws_secret_access_key = s\n").unwrap();
        dir.credentials("[default]\naws_access_key_id = HOME\naws_secret_access_key = s\n");
        let env = dir.env(&[("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap())]);
        let credentials = DefaultCredentialsChain::with_env(env).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "ELSEWHERE");
    }
}
