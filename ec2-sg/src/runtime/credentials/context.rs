//! What the sources of a chain share: the context they read from and the answer of one step.

use std::time::Duration;

use crate::runtime::credential_provider::{Credentials, CredentialsError};
use crate::runtime::env::Env;
use crate::runtime::profile::{ProfileSet, SharedFiles};

/// What every source of a chain reads from: one environment, the profile to read, the shared
/// files (parsed on first need, at most once per fetch), and how long a `credential_process` may
/// run. Sources that keep state between fetches (IMDS's last credentials, a clock) keep it
/// themselves.
pub(super) struct ProviderContext<'a> {
    pub(super) env: &'a Env,
    /// The profile chosen explicitly, else `AWS_PROFILE`, else `default`.
    pub(super) profile: String,
    pub(super) files: SharedFiles<'a>,
    pub(super) process_timeout: Duration,
}

impl<'a> ProviderContext<'a> {
    pub(super) fn new(env: &'a Env, chosen_profile: Option<String>, process_timeout: Duration) -> Self {
        let profile = chosen_profile.unwrap_or_else(|| ProfileSet::selected(env));
        Self { env, profile, files: SharedFiles::new(env), process_timeout }
    }
}

/// What one source of a chain answers when it has no real problem.
pub(super) enum Loaded {
    Found(Credentials),
    /// Nothing there; where it was looked for (one entry per place, for the final error).
    NotHere(Vec<String>),
}

impl Loaded {
    /// A provider's answer as a step of a chain: a *not loaded* error is a place looked at, any
    /// other error stops the chain.
    pub(super) fn from_provider(answer: Result<Credentials, CredentialsError>) -> Result<Self, CredentialsError> {
        match answer {
            Ok(credentials) => Ok(Self::Found(credentials)),
            Err(err) if err.is_not_loaded() => Ok(Self::NotHere(vec![err.message().to_owned()])),
            Err(err) => Err(err),
        }
    }
}
