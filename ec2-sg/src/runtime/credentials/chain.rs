//! The default chain: the environment, the profile, a web identity token, a container agent, the
//! instance metadata service; each a named source tried in turn by one loop.

use std::sync::Arc;
use std::time::Duration;

use super::context::Loaded;
use super::environment::env_credentials;
use super::process::DEFAULT_PROCESS_TIMEOUT;
use super::shared_profile::profile_credentials;
use crate::runtime::credential_provider::{CachingProvider, Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::env::Env;
use crate::runtime::profile::ProfileSources;

/// The default chain (for the chosen profile, if any), cached: what a configuration given no
/// credentials uses (the crate root hands it to `ConfigBuilder::for_service`).
pub(crate) fn default_provider(env: &Env, chosen_profile: Option<String>) -> Arc<dyn ProvideCredentials> {
    let chain = DefaultCredentialsChain::with_env(env.clone());
    let chain = match chosen_profile {
        Some(profile) => chain.with_profile(profile),
        None => chain,
    };
    Arc::new(CachingProvider::new(chain))
}

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
///
/// The shared files are read at each fetch (parsed once for all the sources of that fetch), not
/// once for the chain's life: a long-lived client picks up keys rotated in the files when its
/// cached credentials expire.
#[derive(Clone, Debug)]
pub struct DefaultCredentialsChain {
    env: Env,
    /// Chosen with [`Self::with_profile`]; `None`: `AWS_PROFILE`, else `default`.
    profile: Option<String>,
    process_timeout: Duration,
    /// Kept from fetch to fetch: it holds the last credentials, for static stability.
    #[cfg(feature = "reqwest-client")]
    imds: Arc<super::imds::ImdsCredentials>,
}

impl Default for DefaultCredentialsChain {
    fn default() -> Self {
        Self::with_env(Env::real())
    }
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
            imds: Arc::new(super::imds::ImdsCredentials::with_env(env.clone())),
            env,
            profile: None,
            process_timeout: DEFAULT_PROCESS_TIMEOUT,
        }
    }

    /// Uses this profile (and skips the environment keys) instead of `AWS_PROFILE`/`default`.
    pub fn with_profile(self, name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            #[cfg(feature = "reqwest-client")]
            imds: Arc::new(super::imds::ImdsCredentials::with_env(self.env.clone()).with_profile(name.clone())),
            profile: Some(name),
            ..self
        }
    }

    /// How long a `credential_process` may run before it is killed (default 60 s).
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let context = ProfileSources::new(&self.env, self.profile.clone());
        let mut places: Vec<String> = Vec::new();
        for (name, source) in SOURCES {
            match source(self, &context)? {
                Loaded::Found(credentials) => {
                    tracing::debug!(source = name, "credentials found");
                    return Ok(credentials);
                }
                Loaded::NotHere(looked_at) => places.extend(looked_at),
            }
        }
        Err(CredentialsError::not_loaded(format!(
            "no AWS credentials found. Looked at: {}. Set credentials with Config::builder().credentials(..), \
             the environment, or the shared files.",
            places.join("; ")
        )))
    }
}

/// One source of the chain: credentials, where it looked, or a problem that stops the chain.
type Source = fn(&DefaultCredentialsChain, &ProfileSources<'_>) -> Result<Loaded, CredentialsError>;

/// The sources of the default chain in the order they are tried, each under the name it is
/// logged with.
const SOURCES: &[(&str, Source)] = &[
    ("environment", environment),
    ("profile", |chain, context| profile_credentials(context, chain.process_timeout)),
    #[cfg(feature = "reqwest-client")]
    ("web identity", |_, context| {
        Loaded::from_provider(
            super::sts_roles::WebIdentityCredentials::with_env(context.env.clone()).provide_credentials(),
        )
    }),
    #[cfg(feature = "reqwest-client")]
    ("container agent", container),
    #[cfg(feature = "reqwest-client")]
    ("instance metadata", |chain, context| Loaded::from_provider(chain.imds.provide_credentials_from(context))),
    #[cfg(not(feature = "reqwest-client"))]
    ("web identity, container agent and instance metadata", |_, _| {
        let why = "web identity, container agent and instance metadata (need the reqwest-client feature)";
        Ok(Loaded::NotHere(vec![why.to_owned()]))
    }),
];

/// The environment keys, unless a profile was chosen explicitly.
fn environment(chain: &DefaultCredentialsChain, context: &ProfileSources<'_>) -> Result<Loaded, CredentialsError> {
    match &chain.profile {
        None => Loaded::from_provider(env_credentials(context.env)),
        Some(profile) => Ok(Loaded::NotHere(vec![format!(
            "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (skipped: profile {profile:?} was chosen \
             explicitly)"
        )])),
    }
}

/// Once configured, the container agent must answer: any error of it stops the chain.
#[cfg(feature = "reqwest-client")]
fn container(_chain: &DefaultCredentialsChain, context: &ProfileSources<'_>) -> Result<Loaded, CredentialsError> {
    if !super::container::ContainerCredentials::is_configured(context.env) {
        return Ok(Loaded::NotHere(vec![super::container::CONTAINER_NOT_SET.to_owned()]));
    }
    super::container::ContainerCredentials::with_env(context.env.clone()).provide_credentials().map(Loaded::Found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::credentials::ProfileCredentials;

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
        // The sources that need the bundled HTTP client say so when it is not compiled in.
        #[cfg(feature = "reqwest-client")]
        let remote = "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set); container credentials \
             (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set); instance \
             metadata service (disabled by AWS_EC2_METADATA_DISABLED)";
        #[cfg(not(feature = "reqwest-client"))]
        let remote = "web identity, container agent and instance metadata (need the reqwest-client feature)";
        assert_eq!(
            err.to_string(),
            format!(
                "no AWS credentials found. Looked at: environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY \
                 (not set); profile \"default\" in {} (file not found); profile \"default\" in {} (file not found); \
                 {remote}. Set credentials with Config::builder().credentials(..), the environment, or the shared files.",
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
    fn sources_are_tried_in_order_under_their_names_and_read_the_files_once() {
        use crate::runtime::profile::FILE_READS;
        let dir = TempDir::new();
        let chain = DefaultCredentialsChain::with_env(dir.env(&[]));
        let names: Vec<&str> = SOURCES.iter().map(|(name, _)| *name).collect();
        #[cfg(feature = "reqwest-client")]
        assert_eq!(names, ["environment", "profile", "web identity", "container agent", "instance metadata"]);
        #[cfg(not(feature = "reqwest-client"))]
        assert_eq!(names, ["environment", "profile", "web identity, container agent and instance metadata"]);
        FILE_READS.with(|reads| reads.borrow_mut().clear());
        assert!(chain.provide_credentials().unwrap_err().is_not_loaded());
        let reads = FILE_READS.with(|reads| reads.borrow().clone());
        assert!(reads.len() == 2 && reads.values().all(|n| *n == 1), "{reads:?}");
    }

    #[cfg(feature = "reqwest-client")]
    #[test]
    fn a_fetch_that_asks_imds_reads_the_files_once_too() {
        use crate::runtime::profile::FILE_READS;
        let dir = TempDir::new();
        // IMDS on, at a loopback port nothing listens on: it is asked, and has nothing.
        let env = dir.env(&[
            ("AWS_EC2_METADATA_DISABLED", "false"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9"),
            ("AWS_METADATA_SERVICE_TIMEOUT", "1"),
        ]);
        FILE_READS.with(|reads| reads.borrow_mut().clear());
        let err = DefaultCredentialsChain::with_env(env).provide_credentials().unwrap_err();
        assert!(err.is_not_loaded() && err.to_string().contains("127.0.0.1:9"), "{err}");
        let reads = FILE_READS.with(|reads| reads.borrow().clone());
        assert!(reads.len() == 2 && reads.values().all(|n| *n == 1), "{reads:?}");
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
