//! Credentials from a profile of the shared files: static keys, a `credential_process`, SSO, or
//! roles assumed on top of one of those (or of a `credential_source` or a web identity token).

use std::time::Duration;

use super::context::Loaded;
use super::process::{run_credential_process, DEFAULT_PROCESS_TIMEOUT};
use super::profile_chain::{resolve, Base, CredentialSource, ProfileChain, Role};
use crate::runtime::credential_provider::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::env::Env;
use crate::runtime::profile::{ProfileSet, ProfileSources};

/// What the "nothing here" message says was looked for.
const CREDENTIAL_KEYS: &[&str] = &["aws_access_key_id", "credential_process", "sso_session", "role_arn"];

/// Credentials from a profile of the shared files: its `aws_access_key_id`,
/// `aws_secret_access_key` and `aws_session_token` (provider name `"profile"`); else the output
/// of its `credential_process` (provider name `"process"`); else its SSO role (`sso_session` or
/// `sso_start_url`, provider name `"SSO"`). A `role_arn` is assumed through STS with the
/// credentials of its `source_profile` (followed from profile to profile), its
/// `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`) or its
/// `web_identity_token_file`; see the crate's README for every key.
///
/// The profile is the one given to [`Self::with_profile`], else `AWS_PROFILE`, else `default`.
/// The files are read on every call; wrap the provider in a [`CachingProvider`](super::CachingProvider) to avoid that.
#[derive(Clone, Debug)]
pub struct ProfileCredentials {
    env: Env,
    profile: Option<String>,
    process_timeout: Duration,
}

impl Default for ProfileCredentials {
    fn default() -> Self {
        Self { env: Env::real(), profile: None, process_timeout: DEFAULT_PROCESS_TIMEOUT }
    }
}

impl ProfileCredentials {
    /// Reads the files named by the process environment, for the selected profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the files named by the given environment.
    pub fn with_env(env: Env) -> Self {
        Self { env, ..Self::default() }
    }

    /// Uses this profile instead of `AWS_PROFILE`/`default`.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// How long a `credential_process` may run before it is killed (default 60 s).
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }
}

impl ProvideCredentials for ProfileCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let context = ProfileSources::new(&self.env, self.profile.clone());
        match profile_credentials(&context, self.process_timeout)? {
            Loaded::Found(credentials) => Ok(credentials),
            Loaded::NotHere(places) => Err(CredentialsError::not_loaded(format!(
                "no AWS credentials in profile {:?}. Looked at: {}",
                context.profile,
                places.join("; ")
            ))),
        }
    }
}

/// The credentials of the context's profile, or where they were looked for.
pub(super) fn profile_credentials(
    context: &ProfileSources<'_>,
    process_timeout: Duration,
) -> Result<Loaded, CredentialsError> {
    let (env, profile) = (context.env, context.profile.as_str());
    let set = context.files.get()?;
    let Some(chain) = resolve(set, profile)? else {
        return Ok(Loaded::NotHere(set.places(profile, CREDENTIAL_KEYS)));
    };
    let base = base_credentials(env, set, &chain.base, process_timeout)?;
    assume_chain(env, profile, base, &chain).map(Loaded::Found)
}

/// The credentials the chain starts from.
fn base_credentials(
    env: &Env,
    set: &ProfileSet,
    base: &Base,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    match base {
        Base::StaticKeys { profile } => {
            let (Some(id), Some(secret)) =
                (set.get(profile, "aws_access_key_id"), set.get(profile, "aws_secret_access_key"))
            else {
                return Err(CredentialsError::new(format!("profile {profile:?} lost its keys while being read")));
            };
            let token = set.get(profile, "aws_session_token").map(str::to_owned);
            Ok(Credentials::new(id, secret, token, None, "profile"))
        }
        Base::Process { profile, command } => run_credential_process(command, profile, timeout),
        Base::WebIdentity { role, token_file } => web_identity(env, role, token_file),
        Base::Source { profile, source } => credential_source(env, profile, *source),
        Base::Sso { profile } => sso(env, set, profile),
    }
}

#[cfg(feature = "reqwest-client")]
fn web_identity(env: &Env, role: &Role, token_file: &str) -> Result<Credentials, CredentialsError> {
    super::sts_roles::web_identity(env, Some(&role.profile), role, token_file)
}

/// `credential_source`: the source must give credentials (it is not one place among others).
#[cfg(feature = "reqwest-client")]
fn credential_source(env: &Env, profile: &str, source: CredentialSource) -> Result<Credentials, CredentialsError> {
    let outcome = match source {
        CredentialSource::Environment => super::environment::env_credentials(env),
        CredentialSource::Ec2InstanceMetadata => {
            super::imds::ImdsCredentials::with_env(env.clone()).with_profile(profile).provide_credentials()
        }
        CredentialSource::EcsContainer => {
            super::container::ContainerCredentials::with_env(env.clone()).provide_credentials()
        }
    };
    outcome.map_err(|e| {
        CredentialsError::new(format!("credential_source {source:?} of profile {profile:?} gave no credentials"))
            .with_source(e)
    })
}

#[cfg(feature = "reqwest-client")]
fn sso(env: &Env, set: &ProfileSet, profile: &str) -> Result<Credentials, CredentialsError> {
    super::sso::sso_credentials(env, set, profile, std::time::SystemTime::now())
}

#[cfg(not(feature = "reqwest-client"))]
fn web_identity(_env: &Env, role: &Role, _token_file: &str) -> Result<Credentials, CredentialsError> {
    Err(needs_http(&role.profile, "web_identity_token_file"))
}

#[cfg(not(feature = "reqwest-client"))]
fn credential_source(env: &Env, profile: &str, source: CredentialSource) -> Result<Credentials, CredentialsError> {
    match source {
        CredentialSource::Environment => super::environment::env_credentials(env),
        _ => Err(needs_http(profile, "credential_source")),
    }
}

#[cfg(not(feature = "reqwest-client"))]
fn sso(_env: &Env, _set: &ProfileSet, profile: &str) -> Result<Credentials, CredentialsError> {
    Err(needs_http(profile, "SSO"))
}

#[cfg(not(feature = "reqwest-client"))]
fn needs_http(profile: &str, what: &str) -> CredentialsError {
    CredentialsError::new(format!(
        "profile {profile:?} gets its credentials through {what}, which needs the reqwest-client feature \
         (an HTTP client to call STS, SSO or a metadata endpoint)"
    ))
}

#[cfg(feature = "reqwest-client")]
fn assume_chain(
    env: &Env,
    profile: &str,
    base: Credentials,
    chain: &ProfileChain,
) -> Result<Credentials, CredentialsError> {
    super::sts_roles::assume_roles(env, profile, base, &chain.roles)
}

#[cfg(not(feature = "reqwest-client"))]
fn assume_chain(
    _env: &Env,
    profile: &str,
    base: Credentials,
    chain: &ProfileChain,
) -> Result<Credentials, CredentialsError> {
    if chain.roles.is_empty() {
        return Ok(base);
    }
    Err(needs_http(profile, "role_arn"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::credentials::*;

    use crate::runtime::test_support::*;

    // --- profile ---

    #[test]
    fn profile_static_keys_and_session_token() {
        let dir = TempDir::new();
        dir.credentials(&format!(
            "[default]\naws_access_key_id = AKID\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
        ));
        let credentials = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap();
        assert_keys(&credentials, "AKID", Some(TOKEN), "profile");
    }

    #[test]
    fn profile_selection_aws_profile_and_explicit() {
        let dir = TempDir::new();
        dir.credentials("[default]\naws_access_key_id = D\naws_secret_access_key = s\n[dev]\naws_access_key_id = DEV\naws_secret_access_key = s\n[prod]\naws_access_key_id = PROD\naws_secret_access_key = s\n");
        let env = dir.env(&[("AWS_PROFILE", "dev")]);
        assert_eq!(ProfileCredentials::with_env(env.clone()).provide_credentials().unwrap().access_key_id(), "DEV");
        let explicit = ProfileCredentials::with_env(env).with_profile("prod");
        assert_eq!(explicit.provide_credentials().unwrap().access_key_id(), "PROD");
    }

    #[test]
    fn credentials_file_beats_config_file() {
        let dir = TempDir::new();
        dir.config("[profile dev]\naws_access_key_id = FROM_CONFIG\naws_secret_access_key = c\nregion = eu-west-1\n")
            .credentials("[dev]\naws_access_key_id = FROM_CREDENTIALS\naws_secret_access_key = k\n");
        let env = dir.env(&[("AWS_PROFILE", "dev")]);
        let credentials = ProfileCredentials::with_env(env).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "FROM_CREDENTIALS");
        assert_eq!(credentials.secret_access_key(), "k");
    }

    #[test]
    fn keys_in_config_file_work_too() {
        let dir = TempDir::new();
        dir.config("[profile dev]\naws_access_key_id = FROM_CONFIG\naws_secret_access_key = c\n");
        let credentials = ProfileCredentials::with_env(dir.env(&[])).with_profile("dev").provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "FROM_CONFIG");
    }

    #[test]
    fn config_profile_prefix_is_required_and_literal_in_credentials() {
        let dir = TempDir::new();
        // `[dev]` in the config file is not a profile; `[profile dev]` in credentials is "profile dev".
        dir.config("[dev]\naws_access_key_id = A\naws_secret_access_key = s\n")
            .credentials("[profile dev]\naws_access_key_id = B\naws_secret_access_key = s\n");
        let err = ProfileCredentials::with_env(dir.env(&[])).with_profile("dev").provide_credentials().unwrap_err();
        assert!(err.is_not_loaded(), "{err}");
        let literal = ProfileCredentials::with_env(dir.env(&[])).with_profile("profile dev");
        assert_eq!(literal.provide_credentials().unwrap().access_key_id(), "B");
    }

    #[test]
    fn profile_problems_are_errors_naming_the_file_that_stop_the_chain() {
        let dir = TempDir::new();
        let path = dir.credentials_path();
        let cases = [
            (format!("[default]\naws_secret_access_key = {SECRET}\n"), "no aws_access_key_id".to_owned(), &path),
            // The parse error is kept as the cause, and no message down the chain quotes the line.
            (
                format!("[default]\naws_access_key_id = A\naws_secret_access_key {SECRET}\n"),
                "expected a [section] header or a `key = value` line".to_owned(),
                &format!("{path}, line 3"),
            ),
        ];
        for (file, problem, place) in cases {
            dir.credentials(&file);
            let alone = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
            let in_chain = DefaultCredentialsChain::with_env(dir.env(&[])).provide_credentials().unwrap_err();
            for err in [alone, in_chain] {
                assert!(!err.is_not_loaded());
                assert!(err.to_string().contains(place.as_str()), "{err}");
                let chain = error_chain_text(&err);
                assert!(chain.contains(&problem), "{chain}");
                assert!(!chain.contains(SECRET), "{chain}");
            }
        }
    }

    #[test]
    fn unreadable_file_keeps_the_io_error_as_the_cause() {
        let dir = TempDir::new();
        // A directory where the credentials file should be cannot be read.
        let env = dir.env(&[("AWS_SHARED_CREDENTIALS_FILE", dir.path().to_str().unwrap())]);
        let err = ProfileCredentials::with_env(env).provide_credentials().unwrap_err();
        let profile_error = std::error::Error::source(&err).expect("the profile error is the cause");
        let io = profile_error.source().expect("the io error is the profile error's cause");
        assert!(io.downcast_ref::<std::io::Error>().is_some(), "{io:?}");
        assert!(error_chain_text(&err).contains("could not be read"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn no_secret_anywhere_in_the_cause_chain() {
        let dir = TempDir::new();
        let process = |command: &str| format!("[default]\ncredential_process = {command}\n");
        let cases = [
            // A malformed credential_process output holding the secret.
            process(&format!("printf '%s' '{{\"Version\": 1, \"SecretAccessKey\": \"{SECRET}\"'")),
            process(&format!("echo '{{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"{SECRET}\"}}'")),
            process(&format!("echo '{SECRET}'; exit 3")),
            // A bad profile file whose bad line holds the secret.
            format!("[default]\naws_access_key_id = A\naws_secret_access_key: {SECRET}\n"),
            format!("[default]\naws_secret_access_key = {SECRET}\n"),
        ];
        for config in cases {
            dir.config(&config);
            let err = DefaultCredentialsChain::with_env(dir.env(&[])).provide_credentials().unwrap_err();
            let chain = error_chain_text(&err);
            assert!(!chain.contains(SECRET) && !chain.contains(TOKEN), "{config}: {chain}");
            assert!(!format!("{err:?}").contains(SECRET), "{config}: {err:?}");
        }
    }
}
