//! The answer of one source of a chain.

use crate::runtime::credential_provider::{Credentials, CredentialsError};

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
