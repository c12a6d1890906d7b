//! Temporary credentials from STS, for the runtime's credential providers (`role_arn` with a
//! source profile, `web_identity_token_file`): one call of the generated `AssumeRole` or
//! `AssumeRoleWithWebIdentity` with a given `Config` (its region, endpoint and, for
//! `AssumeRole`, its credentials), turned into [`Credentials`] with their expiry.
//!
//! `AssumeRoleWithWebIdentity` is unsigned (the model says so): it never asks the config's
//! credentials provider, so a provider may call it while it is itself being resolved.

// For the credential providers (being written beside this): until they call these, nothing does.
#![allow(dead_code)]

use crate::runtime::{Config, Credentials, CredentialsError, DateTime, Operation};
use crate::sts::operation::{AssumeRole, AssumeRoleWithWebIdentity};
use crate::sts::types::Credentials as StsCredentials;
use std::time::SystemTime;

/// What to assume: the role, the session name, and the optional settings of the profile keys
/// `external_id` and `duration_seconds`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RoleRequest {
    pub(crate) role_arn: String,
    pub(crate) role_session_name: String,
    pub(crate) external_id: Option<String>,
    pub(crate) duration_seconds: Option<i32>,
}

fn assume_role_input(request: &RoleRequest) -> <AssumeRole as Operation>::Input {
    <AssumeRole as Operation>::Input::builder()
        .role_arn(&request.role_arn)
        .role_session_name(&request.role_session_name)
        .set_external_id(request.external_id.clone())
        .set_duration_seconds(request.duration_seconds)
        .build()
}

fn web_identity_input(request: &RoleRequest, token: &str) -> <AssumeRoleWithWebIdentity as Operation>::Input {
    <AssumeRoleWithWebIdentity as Operation>::Input::builder()
        .role_arn(&request.role_arn)
        .role_session_name(&request.role_session_name)
        .web_identity_token(token)
        .set_duration_seconds(request.duration_seconds)
        .build()
}

/// `AssumeRole` signed with `config`'s credentials.
pub(crate) async fn assume_role(
    config: &Config,
    request: &RoleRequest,
    provider_name: &'static str,
) -> Result<Credentials, CredentialsError> {
    let client = crate::runtime::client::Client::from_conf(config.clone());
    let output = client.send_operation::<AssumeRole>(assume_role_input(request)).await;
    let output = output.map_err(|e| call_failed("AssumeRole", request, e))?;
    into_credentials(output.credentials(), "AssumeRole", provider_name)
}

/// `AssumeRoleWithWebIdentity` with the token read from the token file (sent unsigned).
pub(crate) async fn assume_role_with_web_identity(
    config: &Config,
    request: &RoleRequest,
    token: &str,
    provider_name: &'static str,
) -> Result<Credentials, CredentialsError> {
    let client = crate::runtime::client::Client::from_conf(config.clone());
    let output = client.send_operation::<AssumeRoleWithWebIdentity>(web_identity_input(request, token)).await;
    let output = output.map_err(|e| call_failed("AssumeRoleWithWebIdentity", request, e))?;
    into_credentials(output.credentials(), "AssumeRoleWithWebIdentity", provider_name)
}

/// [`assume_role`] for the blocking client.
#[cfg(feature = "blocking")]
pub(crate) fn assume_role_blocking(
    config: &Config,
    request: &RoleRequest,
    provider_name: &'static str,
) -> Result<Credentials, CredentialsError> {
    let client = crate::runtime::blocking::Client::from_conf(config.clone())
        .map_err(|e| call_failed("AssumeRole", request, e))?;
    let output = client.send_operation::<AssumeRole>(assume_role_input(request));
    let output = output.map_err(|e| call_failed("AssumeRole", request, e))?;
    into_credentials(output.credentials(), "AssumeRole", provider_name)
}

/// [`assume_role_with_web_identity`] for the blocking client.
#[cfg(feature = "blocking")]
pub(crate) fn assume_role_with_web_identity_blocking(
    config: &Config,
    request: &RoleRequest,
    token: &str,
    provider_name: &'static str,
) -> Result<Credentials, CredentialsError> {
    let client = crate::runtime::blocking::Client::from_conf(config.clone())
        .map_err(|e| call_failed("AssumeRoleWithWebIdentity", request, e))?;
    let output = client.send_operation::<AssumeRoleWithWebIdentity>(web_identity_input(request, token));
    let output = output.map_err(|e| call_failed("AssumeRoleWithWebIdentity", request, e))?;
    into_credentials(output.credentials(), "AssumeRoleWithWebIdentity", provider_name)
}

fn call_failed(operation: &str, request: &RoleRequest, error: crate::runtime::Error) -> CredentialsError {
    CredentialsError::new(format!("STS {operation} for role {} failed: {error}", request.role_arn))
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
        CredentialsError::new(format!("the STS {operation} answer has an Expiration out of range: {e}"))
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
        let input = web_identity_input(
            &RoleRequest {
                role_arn: "arn:aws:iam::1:role/r".into(),
                role_session_name: "s".into(),
                ..Default::default()
            },
            "jwt-token-value",
        );
        let shown = format!("{input:?}");
        assert!(!shown.contains("jwt-token-value") && shown.contains("arn:aws:iam::1:role/r"), "{shown}");
        let builder = crate::sts::types::Credentials::builder().secret_access_key("k2").session_token("t2");
        assert!(!format!("{builder:?}").contains("k2") && !format!("{builder:?}").contains("t2"));
    }

    #[test]
    fn requests_carry_the_role_and_web_identity_is_unsigned() {
        let request = RoleRequest {
            role_arn: "arn:aws:iam::1:role/r".into(),
            role_session_name: "s".into(),
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
        let built = crate::runtime::build_request::<AssumeRole>(&assume_role_input(&request), &options).unwrap();
        let body = String::from_utf8(built.body).unwrap();
        assert_eq!(
            body,
            "Action=AssumeRole&Version=2011-06-15&DurationSeconds=900&ExternalId=x&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s"
        );
        const { assert!(<AssumeRole as Operation>::SIGNED && !<AssumeRoleWithWebIdentity as Operation>::SIGNED) };
    }
}
