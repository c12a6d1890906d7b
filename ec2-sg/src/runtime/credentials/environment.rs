//! Credentials from the environment variables.

use crate::runtime::credential_provider::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::env::Env;

const ENV_NOT_SET: &str = "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set)";

/// Credentials from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (plus `AWS_SESSION_TOKEN`
/// when set); provider name `"environment"`.
///
/// Neither key set is a *not loaded* error; only one of them set is a real error naming the
/// missing one.
#[derive(Clone, Debug, Default)]
pub struct EnvironmentCredentials {
    env: Env,
}

impl EnvironmentCredentials {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment.
    pub fn with_env(env: Env) -> Self {
        Self { env }
    }
}

impl ProvideCredentials for EnvironmentCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        env_credentials(&self.env)
    }
}

pub(super) fn env_credentials(env: &Env) -> Result<Credentials, CredentialsError> {
    match (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Ok(Credentials::new(id, secret, env.get("AWS_SESSION_TOKEN"), None, "environment")),
        (None, None) => Err(CredentialsError::not_loaded(ENV_NOT_SET)),
        (Some(_), None) => Err(CredentialsError::new(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both environment variables, or neither",
        )),
        (None, Some(_)) => Err(CredentialsError::new(
            "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both environment variables, or neither",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::credentials::*;
    use crate::runtime::env::Env;
    use crate::runtime::test_support::*;

    // --- environment ---

    #[test]
    fn environment_credentials_with_session_token() {
        let env = Env::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ]);
        let credentials = EnvironmentCredentials::with_env(env).provide_credentials().unwrap();
        assert_keys(&credentials, "AKID", Some(TOKEN), "environment");
    }

    #[test]
    fn environment_partial_keys_are_errors_naming_the_missing_one() {
        let err = EnvironmentCredentials::with_env(Env::from_vars([("AWS_ACCESS_KEY_ID", "AKID")]))
            .provide_credentials()
            .unwrap_err();
        assert!(!err.is_not_loaded());
        assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY is not"), "{err}");

        let env = Env::from_vars([("AWS_SECRET_ACCESS_KEY", SECRET)]);
        let err = EnvironmentCredentials::with_env(env.clone()).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID is not"), "{err}");
        assert!(!err.to_string().contains(SECRET), "{err}");
        // The chain stops there instead of falling back to another identity.
        let err = DefaultCredentialsChain::with_env(env).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID is not"), "{err}");
    }

    #[test]
    fn environment_nothing_set_is_not_loaded() {
        let err = EnvironmentCredentials::with_env(Env::from_vars([("AWS_SESSION_TOKEN", "t")]))
            .provide_credentials()
            .unwrap_err();
        assert!(err.is_not_loaded());
    }
}
