//! Credentials from STS: the roles of a profile's chain (AssumeRole), and web identity tokens
//! (AssumeRoleWithWebIdentity) from the environment or a profile. The calls are the generated
//! STS operations, made with a `Config` of their own: the region of the profile (else
//! `us-east-1`), STS's regional endpoint (or `AWS_ENDPOINT_URL_STS`), and the credentials of the
//! step before.

use std::time::{SystemTime, UNIX_EPOCH};

use super::fetch::block_on_fresh_runtime;
use super::profile_chain::Role;
use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::config::resolve_region_for_profile;
use crate::runtime::env::Env;
use crate::runtime::Config;
use crate::sts_credentials::{assume_role, assume_role_with_web_identity, RoleRequest};

const TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
const ROLE_ARN: &str = "AWS_ROLE_ARN";
const SESSION_NAME: &str = "AWS_ROLE_SESSION_NAME";
/// STS's region when none is configured (its endpoint there is the one every partition knows).
const FALLBACK_REGION: &str = "us-east-1";

pub(super) const WEB_IDENTITY_NOT_SET: &str = "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set)";

/// Credentials for the role `AWS_ROLE_ARN`, assumed with the OIDC token in the file
/// `AWS_WEB_IDENTITY_TOKEN_FILE` (read again on every refresh: EKS and GitHub Actions rotate it),
/// session name `AWS_ROLE_SESSION_NAME` (else one made from the time); provider name
/// `"WebIdentityToken"`. This is how EKS service accounts (IRSA) and other OIDC workloads get
/// credentials. The call is sent unsigned: it needs no credentials of its own.
#[derive(Debug, Clone, Default)]
pub struct WebIdentityCredentials {
    env: Env,
}

impl WebIdentityCredentials {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment.
    pub fn with_env(env: Env) -> Self {
        Self { env }
    }
}

impl ProvideCredentials for WebIdentityCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let Some(token_file) = self.env.get(TOKEN_FILE) else {
            return Err(CredentialsError::not_loaded(WEB_IDENTITY_NOT_SET));
        };
        let role_arn = self.env.get(ROLE_ARN).ok_or_else(|| {
            CredentialsError::new(format!("{TOKEN_FILE} is set but {ROLE_ARN} is not: set the role to assume"))
        })?;
        let role = Role {
            profile: String::new(),
            role_arn,
            session_name: self.env.get(SESSION_NAME),
            external_id: None,
            duration_seconds: None,
        };
        web_identity(&self.env, None, &role, &token_file)
    }
}

/// AssumeRoleWithWebIdentity for `role` with the token in `token_file`.
pub(super) fn web_identity(
    env: &Env,
    profile: Option<&str>,
    role: &Role,
    token_file: &str,
) -> Result<Credentials, CredentialsError> {
    let token = std::fs::read_to_string(token_file)
        .map_err(|e| CredentialsError::new(format!("cannot read the web identity token file {token_file}: {e}")))?;
    let token = token.trim();
    if token.is_empty() {
        return Err(CredentialsError::new(format!("the web identity token file {token_file} is empty")));
    }
    let request = role_request(role);
    block_on_fresh_runtime(|| async {
        let config = sts_config(env, profile, None)?;
        assume_role_with_web_identity(&config, &request, token, "WebIdentityToken").await
    })
}

/// Assumes each role of `roles` in turn, starting from `credentials`.
pub(super) fn assume_roles(
    env: &Env,
    profile: &str,
    credentials: Credentials,
    roles: &[Role],
) -> Result<Credentials, CredentialsError> {
    if roles.is_empty() {
        return Ok(credentials);
    }
    block_on_fresh_runtime(|| async {
        let mut credentials = credentials;
        for role in roles {
            let config = sts_config(env, Some(profile), Some(credentials))?;
            credentials = assume_role(&config, &role_request(role), "AssumeRoleProvider").await?;
        }
        Ok(credentials)
    })
}

fn role_request(role: &Role) -> RoleRequest {
    RoleRequest {
        role_arn: role.role_arn.clone(),
        role_session_name: role.session_name.clone().unwrap_or_else(default_session_name),
        external_id: role.external_id.clone(),
        duration_seconds: role.duration_seconds,
    }
}

/// `ec2-sg-<milliseconds since the epoch>`, as the SDKs make one (`botocore-session-…`).
fn default_session_name() -> String {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
    format!("ec2-sg-{millis}")
}

/// The configuration of one STS call: the profile's region (else us-east-1) and, for
/// AssumeRole, the credentials to sign with. Web identity calls are unsigned, so their
/// configuration's credentials provider is never asked.
fn sts_config(env: &Env, profile: Option<&str>, credentials: Option<Credentials>) -> Result<Config, CredentialsError> {
    let region = resolve_region_for_profile(env, profile).unwrap_or_else(|_| FALLBACK_REGION.to_owned());
    let mut builder = Config::builder().env(env.clone()).region(region);
    if let Some(profile) = profile {
        builder = builder.profile_name(profile);
    }
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
    }
    builder.build().map_err(|e| CredentialsError::new(format!("cannot configure the STS client: {e}")))
}
