//! Credentials of the instance profile, from the EC2 instance metadata service (the client is
//! `credential_provider::imds`, which the region chain uses too).

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use aws_smithy_async::time::{SharedTimeSource, TimeSource};

use super::document::{credentials_from_members, DocumentKind};
use crate::runtime::credential_provider::fetch::{endpoint_source_constructors, run_in_background};
use crate::runtime::credential_provider::imds::{ImdsClient, DISABLED};
use crate::runtime::credential_provider::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::env::Env;
use crate::runtime::json;
use crate::runtime::profile::ProfileSources;
use crate::runtime::random::random_u64;

const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";

const IMDS_DOCUMENT: DocumentKind = DocumentKind { token_member: "Token", provider: "IMDSv2", refuse_expired: false };

/// Static stability: when IMDS cannot give fresh credentials, the last ones are used for this
/// long plus a random 2 to 10 minutes (botocore's rule), and the failure is logged.
const STALE_EXTENSION: Duration = Duration::from_secs(10 * 60);
const STALE_JITTER_MIN_SECONDS: u64 = 120;
const STALE_JITTER_MAX_SECONDS: u64 = 600;

/// Credentials of the instance profile of the EC2 instance this runs on, from IMDSv2
/// (provider name `"IMDSv2"`).
///
/// Static stability, as the SDKs have it: when IMDS cannot be reached or answers with
/// credentials that have expired, the last credentials are used for another 12 to 20 minutes and
/// a warning is logged, so that an IMDS outage does not stop a running program.
///
/// IMDSv2 as botocore and aws-sdk-rust speak it: `PUT /latest/api/token`, then every request
/// with the token. Settings, each from the environment first and then from the profile:
///
/// | setting | variable | profile key | default |
/// | --- | --- | --- | --- |
/// | off | `AWS_EC2_METADATA_DISABLED=true` | | on |
/// | endpoint | `AWS_EC2_METADATA_SERVICE_ENDPOINT` | `ec2_metadata_service_endpoint` | by mode |
/// | mode | `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` | `ec2_metadata_service_endpoint_mode` | `IPv4`: `http://169.254.169.254`; `IPv6`: `http://[fd00:ec2::254]` |
/// | no IMDSv1 fallback | `AWS_EC2_METADATA_V1_DISABLED=true` | `ec2_metadata_v1_disabled` | fallback allowed |
/// | timeout (s) | `AWS_METADATA_SERVICE_TIMEOUT` | `metadata_service_timeout` | 1 |
/// | attempts | `AWS_METADATA_SERVICE_NUM_ATTEMPTS` | `metadata_service_num_attempts` | 1 |
///
/// The short timeout and single attempt are botocore's: a laptop without IMDS is kept waiting one
/// second at most. IMDSv1 (no token) is used only where botocore allows it: when the token request
/// is answered 403, 404 or 405 and the fallback is not disabled.
#[derive(Debug)]
pub struct ImdsCredentials {
    env: Env,
    profile: Option<String>,
    time: SharedTimeSource,
    last: Mutex<Option<Credentials>>,
}

endpoint_source_constructors!(
    ImdsCredentials { profile, last },
    new: "Reads its settings from the process environment and the selected profile.",
    with_profile
);

impl ImdsCredentials {
    fn fetch(&self, imds: ImdsClient, now: SystemTime) -> Result<Credentials, CredentialsError> {
        run_in_background(async move {
            let http = imds.http()?;
            let token = imds.token(&http).await?;
            let token = token.as_deref();
            let Some(roles) = imds.get(&http, ROLE_PATH, token).await? else {
                return Err(CredentialsError::not_loaded(format!(
                    "instance metadata service at {} (no instance profile is attached)",
                    imds.endpoint
                )));
            };
            let role = roles.lines().map(str::trim).find(|line| !line.is_empty()).ok_or_else(|| {
                CredentialsError::not_loaded(format!(
                    "instance metadata service at {} (no role in the instance profile)",
                    imds.endpoint
                ))
            })?;
            if !role.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)) {
                return Err(CredentialsError::new(format!(
                    "the instance metadata service at {} named a role that is not a role name",
                    imds.endpoint
                )));
            }
            let document = imds.get(&http, &format!("{ROLE_PATH}{role}"), token).await?.ok_or_else(|| {
                CredentialsError::new(format!(
                    "the instance metadata service at {} has no credentials for role {role:?}",
                    imds.endpoint
                ))
            })?;
            let invalid = |problem: String| {
                CredentialsError::new(format!(
                    "the instance metadata service at {} answered {problem} for role {role:?}",
                    imds.endpoint
                ))
            };
            let members = json::parse_object(&document).map_err(invalid)?;
            if !code_is_success(&members) {
                return Err(invalid("a document whose Code is not Success".to_owned()));
            }
            credentials_from_members(&members, &IMDS_DOCUMENT, now).map_err(invalid)
        })
    }

    /// The last credentials, with an expiry pushed 12 to 20 minutes past `now`.
    fn extend(&self, credentials: &Credentials, now: SystemTime) -> Credentials {
        let jitter =
            STALE_JITTER_MIN_SECONDS + random_u64() % (STALE_JITTER_MAX_SECONDS - STALE_JITTER_MIN_SECONDS + 1);
        let expiry = now + STALE_EXTENSION + Duration::from_secs(jitter);
        Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            credentials.session_token().map(str::to_owned),
            Some(expiry),
            IMDS_DOCUMENT.provider,
        )
    }
}

fn code_is_success(members: &[(String, json::Value)]) -> bool {
    match json::member(members, "Code") {
        None => true,
        Some(json::Value::String(code)) => code == "Success",
        Some(_) => false,
    }
}

impl ProvideCredentials for ImdsCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        self.provide_credentials_from(&ProfileSources::new(&self.env, self.profile.clone()))
    }
}

impl ImdsCredentials {
    /// [`ProvideCredentials::provide_credentials`] with the settings read from `sources`, which
    /// name the same environment and profile (a chain's, whose shared files are then read once).
    pub(crate) fn provide_credentials_from(
        &self,
        sources: &ProfileSources<'_>,
    ) -> Result<Credentials, CredentialsError> {
        let Some(imds) = ImdsClient::load(sources)? else {
            return Err(CredentialsError::not_loaded(DISABLED));
        };
        let now = self.time.now();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        match self.fetch(imds, now) {
            Ok(credentials) if credentials.expiry().is_some_and(|expiry| expiry <= now) => {
                tracing::warn!(
                    "the instance metadata service gave credentials that have already expired; using them for \
                     another 12 to 20 minutes, as the AWS SDKs do, and trying again then"
                );
                let extended = self.extend(&credentials, now);
                *last = Some(extended.clone());
                Ok(extended)
            }
            Ok(credentials) => {
                *last = Some(credentials.clone());
                Ok(credentials)
            }
            Err(e) => match last.as_ref() {
                Some(previous) => {
                    tracing::warn!(
                        error = %e,
                        "cannot refresh credentials from the instance metadata service; using the last ones for \
                         another 12 to 20 minutes, as the AWS SDKs do"
                    );
                    let extended = self.extend(previous, now);
                    *last = Some(extended.clone());
                    Ok(extended)
                }
                None => Err(e),
            },
        }
    }
}
