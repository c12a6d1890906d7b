//! Credentials from STS: the roles of a profile's chain (AssumeRole), and web identity tokens
//! (AssumeRoleWithWebIdentity) from the environment or a profile. The calls are the generated
//! STS operations, made with a `Config` of their own: the region of the profile (else
//! `us-east-1`), STS's regional endpoint (or `AWS_ENDPOINT_URL_STS`), and the credentials of the
//! step before.

use std::time::{SystemTime, UNIX_EPOCH};

use super::profile_chain::Role;
use crate::runtime::config::resolve_region_for_profile;
use crate::runtime::credential_provider::fetch::run_in_background;
use crate::runtime::credential_provider::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::env::Env;
use crate::runtime::{Config, DateTime, Operation};
use crate::sts::operation::{AssumeRole, AssumeRoleWithWebIdentity};
use crate::sts::types::Credentials as StsCredentials;

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
    let token = std::fs::read_to_string(token_file).map_err(|e| {
        CredentialsError::new(format!("cannot read the web identity token file {token_file}")).with_source(e)
    })?;
    let token = token.trim();
    if token.is_empty() {
        return Err(CredentialsError::new(format!("the web identity token file {token_file} is empty")));
    }
    // Configured here, not in the job: finding the region may ask IMDS, which is itself a job.
    let config = sts_config(env, profile)?;
    let (role, token) = (role.clone(), token.to_owned());
    run_in_background(async move { assume_role_with_web_identity(&config, &role, &token).await })
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
    // One configuration for the whole chain; each hop signs with the credentials before it. It is
    // made here, not in the job: finding the region may ask IMDS, which is itself a job.
    let mut config = sts_config(env, Some(profile))?;
    let roles = roles.to_vec();
    run_in_background(async move {
        let mut credentials = credentials;
        for role in &roles {
            config = config.with_credentials(credentials);
            credentials = assume_role(&config, role).await?;
        }
        Ok(credentials)
    })
}

/// The profile's `role_session_name`, else `ec2-sg-<milliseconds since the epoch>`, as the SDKs
/// make one (`botocore-session-…`).
fn session_name(role: &Role) -> String {
    role.session_name.clone().unwrap_or_else(|| {
        let millis = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
        format!("ec2-sg-{millis}")
    })
}

/// The configuration of STS calls: the profile's region (else us-east-1). AssumeRole calls set
/// the credentials to sign with (`Config::with_credentials`); web identity calls are unsigned,
/// so their configuration's credentials provider is never asked.
fn sts_config(env: &Env, profile: Option<&str>) -> Result<Config, CredentialsError> {
    let region = resolve_region_for_profile(env, profile).unwrap_or_else(|_| FALLBACK_REGION.to_owned());
    let mut builder = Config::builder().env(env.clone()).region(region);
    if let Some(profile) = profile {
        builder = builder.profile_name(profile);
    }
    builder.build().map_err(|e| CredentialsError::new("cannot configure the STS client").with_source(e))
}

fn assume_role_input(role: &Role) -> <AssumeRole as Operation>::Input {
    <AssumeRole as Operation>::Input::builder()
        .role_arn(&role.role_arn)
        .role_session_name(session_name(role))
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration_seconds)
        .build()
}

fn web_identity_input(role: &Role, token: &str) -> <AssumeRoleWithWebIdentity as Operation>::Input {
    <AssumeRoleWithWebIdentity as Operation>::Input::builder()
        .role_arn(&role.role_arn)
        .role_session_name(session_name(role))
        .web_identity_token(token)
        .set_duration_seconds(role.duration_seconds)
        .build()
}

/// `AssumeRole` signed with `config`'s credentials.
async fn assume_role(config: &Config, role: &Role) -> Result<Credentials, CredentialsError> {
    let client = crate::runtime::client::Client::from_conf(config.clone());
    let output = client.send_operation::<AssumeRole>(assume_role_input(role)).await;
    let output = output.map_err(|e| call_failed("AssumeRole", role, e))?;
    into_credentials(output.credentials(), "AssumeRole", "AssumeRoleProvider")
}

/// `AssumeRoleWithWebIdentity` with the token read from the token file (sent unsigned).
async fn assume_role_with_web_identity(
    config: &Config,
    role: &Role,
    token: &str,
) -> Result<Credentials, CredentialsError> {
    let client = crate::runtime::client::Client::from_conf(config.clone());
    let output = client.send_operation::<AssumeRoleWithWebIdentity>(web_identity_input(role, token)).await;
    let output = output.map_err(|e| call_failed("AssumeRoleWithWebIdentity", role, e))?;
    into_credentials(output.credentials(), "AssumeRoleWithWebIdentity", "WebIdentityToken")
}

fn call_failed(operation: &str, role: &Role, error: crate::runtime::Error) -> CredentialsError {
    CredentialsError::new(format!("STS {operation} for role {} failed", role.role_arn)).with_source(error)
}

/// The credentials of an answer: all four members are required by the model, but an answer
/// lacking one is refused rather than trusted.
fn into_credentials(
    credentials: Option<&StsCredentials>,
    operation: &str,
    provider_name: &'static str,
) -> Result<Credentials, CredentialsError> {
    let missing = |what: &str| CredentialsError::new(format!("the STS {operation} answer has no {what}"));
    let credentials = credentials.ok_or_else(|| missing("Credentials"))?;
    let access_key_id = credentials.access_key_id().ok_or_else(|| missing("AccessKeyId"))?;
    let secret = credentials.secret_access_key().ok_or_else(|| missing("SecretAccessKey"))?;
    let token = credentials.session_token().ok_or_else(|| missing("SessionToken"))?;
    let expiration: &DateTime = credentials.expiration().ok_or_else(|| missing("Expiration"))?;
    let expiry = SystemTime::try_from(*expiration).map_err(|e| {
        CredentialsError::new(format!("the STS {operation} answer has an Expiration out of range")).with_source(e)
    })?;
    Ok(Credentials::new(access_key_id, secret, Some(token.to_string()), Some(expiry), provider_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::parse_response;

    const ANSWER: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/s</Arn><AssumedRoleId>ARO:s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>secret-key-value</SecretAccessKey>
      <SessionToken>session-token-value</SessionToken>
      <Expiration>2030-01-02T03:04:05Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#;

    #[test]
    fn an_answer_becomes_credentials_with_their_expiry() {
        let output = parse_response::<AssumeRole>(200, ANSWER.as_bytes()).unwrap();
        assert_eq!(output.request_id(), Some("req-1"));
        let credentials = into_credentials(output.credentials(), "AssumeRole", "test").unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "secret-key-value");
        assert_eq!(credentials.session_token(), Some("session-token-value"));
        let expiry = credentials.expiry().unwrap();
        assert_eq!(DateTime::from(expiry), DateTime::from_secs(1_893_553_445));
        let incomplete = ANSWER.replace("<SessionToken>session-token-value</SessionToken>", "");
        let output = parse_response::<AssumeRole>(200, incomplete.as_bytes()).unwrap();
        let error = into_credentials(output.credentials(), "AssumeRole", "test").unwrap_err();
        assert!(error.to_string().contains("SessionToken"), "{error}");
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let output = parse_response::<AssumeRole>(200, ANSWER.as_bytes()).unwrap();
        let shown = format!("{output:?}");
        assert!(shown.contains("ASIAEXAMPLE"), "{shown}");
        for secret in ["secret-key-value", "session-token-value"] {
            assert!(!shown.contains(secret), "{secret} shown: {shown}");
        }
        let role = Role {
            profile: String::new(),
            role_arn: "arn:aws:iam::1:role/r".into(),
            session_name: Some("s".into()),
            external_id: None,
            duration_seconds: None,
        };
        let input = web_identity_input(&role, "jwt-token-value");
        let shown = format!("{input:?}");
        assert!(!shown.contains("jwt-token-value") && shown.contains("arn:aws:iam::1:role/r"), "{shown}");
        let builder = crate::sts::types::Credentials::builder().secret_access_key("k2").session_token("t2");
        assert!(!format!("{builder:?}").contains("k2") && !format!("{builder:?}").contains("t2"));
    }

    #[test]
    fn requests_carry_the_role_and_web_identity_is_unsigned() {
        let role = Role {
            profile: "p".into(),
            role_arn: "arn:aws:iam::1:role/r".into(),
            session_name: Some("s".into()),
            external_id: Some("x".into()),
            duration_seconds: Some(900),
        };
        let endpoint = crate::runtime::Endpoint::parse("https://sts.eu-west-1.amazonaws.com").unwrap();
        let tokens = crate::runtime::FixedTokens("t".into());
        let options = crate::runtime::RequestOptions {
            endpoint: &endpoint,
            idempotency_tokens: &tokens,
            compression: Default::default(),
        };
        let built = crate::runtime::build_request::<AssumeRole>(&assume_role_input(&role), &options).unwrap();
        let body = String::from_utf8(built.body).unwrap();
        assert_eq!(
            body,
            "Action=AssumeRole&Version=2011-06-15&DurationSeconds=900&ExternalId=x&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s"
        );
        const { assert!(<AssumeRole as Operation>::SIGNED && !<AssumeRoleWithWebIdentity as Operation>::SIGNED) };
    }
}
