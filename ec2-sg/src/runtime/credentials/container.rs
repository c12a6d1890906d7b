//! Credentials from a container agent (ECS task roles, EKS Pod Identity, CodeBuild, Lambda).

use std::time::Duration;

use aws_smithy_async::time::{SharedTimeSource, TimeSource};

use super::document::{credentials_from_members, DocumentKind};
use crate::runtime::credential_provider::fetch::{
    answered, endpoint_source_constructors, error_detail, run_in_background, SourceHttp, SourceUrl,
};
use crate::runtime::credential_provider::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::env::Env;
use crate::runtime::json;

const ECS_AGENT: &str = "http://169.254.170.2";
const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
const TIMEOUT: Duration = Duration::from_secs(2);
const ATTEMPTS: u32 = 3;
/// The agents a `http` full URI may name, besides this machine.
const ALLOWED_AGENT_HOSTS: [&str; 3] = ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"];

const CONTAINER_DOCUMENT: DocumentKind =
    DocumentKind { token_member: "Token", provider: "EcsContainer", refuse_expired: true };

pub(super) const CONTAINER_NOT_SET: &str =
    "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set)";

/// Credentials from the container agent named by the environment (provider name
/// `"EcsContainer"`): ECS task roles, EKS Pod Identity, CodeBuild, Lambda SnapStart.
///
/// - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: a path on the ECS agent, `http://169.254.170.2`;
/// - else `AWS_CONTAINER_CREDENTIALS_FULL_URI`: any `https` URL, or `http` to a loopback address
///   or the ECS (`169.254.170.2`) and EKS (`169.254.170.23`, `fd00:ec2::23`) agents only, as
///   botocore and aws-sdk-rust allow, so that the token never travels in clear text elsewhere;
/// - the `Authorization` header: the contents of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read
///   again on every fetch: EKS rotates it), else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
///
/// Each request may take 2 s and is tried 3 times on transport errors and 5xx answers (botocore's
/// numbers; the attempts follow each other at once, since the agent is local).
#[derive(Debug)]
pub struct ContainerCredentials {
    env: Env,
    time: SharedTimeSource,
}

endpoint_source_constructors!(ContainerCredentials {}, new: "Reads the process environment.");

impl ContainerCredentials {
    /// Whether the environment names a container agent at all.
    pub(super) fn is_configured(env: &Env) -> bool {
        env.get(RELATIVE_URI).is_some() || env.get(FULL_URI).is_some()
    }

    /// The URL to ask, checked.
    fn url(&self) -> Result<String, CredentialsError> {
        if let Some(relative) = self.env.get(RELATIVE_URI) {
            let url = if relative.starts_with('/') {
                format!("{ECS_AGENT}{relative}")
            } else {
                format!("{ECS_AGENT}/{relative}")
            };
            SourceUrl::parse(&url)
                .map_err(|e| CredentialsError::new(format!("{RELATIVE_URI} is not a valid path")).with_source(e))?;
            return Ok(url);
        }
        let Some(full) = self.env.get(FULL_URI) else {
            return Err(CredentialsError::not_loaded(CONTAINER_NOT_SET));
        };
        let parsed = SourceUrl::parse(&full).map_err(|e| CredentialsError::new(FULL_URI).with_source(e))?;
        let host = parsed.host();
        let allowed = parsed.scheme() == "https"
            || parsed.is_loopback()
            || ALLOWED_AGENT_HOSTS.contains(&host.to_ascii_lowercase().as_str());
        if !allowed {
            return Err(CredentialsError::new(format!(
                "{FULL_URI} names http://{host}: a plain-HTTP container credentials endpoint must be a loopback \
                 address or the ECS or EKS agent (169.254.170.2, 169.254.170.23, fd00:ec2::23); use https otherwise"
            )));
        }
        Ok(full)
    }

    /// The `Authorization` header's value, if any.
    fn authorization(&self) -> Result<Option<String>, CredentialsError> {
        let (token, place) = match self.env.get(TOKEN_FILE) {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| CredentialsError::new(format!("cannot read {TOKEN_FILE} ({path})")).with_source(e))?;
                (text.trim_end().to_owned(), TOKEN_FILE)
            }
            None => match self.env.get(TOKEN) {
                Some(token) => (token, TOKEN),
                None => return Ok(None),
            },
        };
        if token.chars().any(|c| c == '\r' || c == '\n' || c.is_control()) {
            return Err(CredentialsError::new(format!(
                "the authorization token from {place} holds a line break or control character"
            )));
        }
        Ok(Some(token))
    }
}

impl ProvideCredentials for ContainerCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let url = self.url()?;
        let authorization = self.authorization()?;
        let now = self.time.now();
        run_in_background(async move {
            let http = SourceHttp::new(TIMEOUT)?.with_attempts(ATTEMPTS);
            let token = authorization.clone().unwrap_or_default();
            let headers: Vec<(String, String)> =
                authorization.into_iter().map(|token| ("authorization".to_owned(), token)).collect();
            let response = answered(http.send("GET", &url, headers).await).map_err(|problem| {
                CredentialsError::new(format!(
                    "the container credentials endpoint {url} could not be used ({problem}; {ATTEMPTS} attempts)"
                ))
            })?;
            if response.status != 200 {
                return Err(CredentialsError::new(format!(
                    "the container credentials endpoint {url} answered {}{}",
                    response.status,
                    error_detail(&response, &[&token])
                )));
            }
            let invalid = |problem: String| {
                CredentialsError::new(format!("the container credentials endpoint {url} answered {problem}"))
            };
            let members = json::parse_object(&response.text).map_err(invalid)?;
            credentials_from_members(&members, &CONTAINER_DOCUMENT, now).map_err(invalid)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_for(vars: &[(&str, &str)]) -> Result<String, CredentialsError> {
        ContainerCredentials::with_env(Env::from_vars(vars.iter().copied())).url()
    }

    #[test]
    fn relative_uri_is_on_the_ecs_agent_and_comes_first() {
        let ecs = url_for(&[(RELATIVE_URI, "/v2/credentials/abc"), (FULL_URI, "http://127.0.0.1/x")]).unwrap();
        assert_eq!(ecs, "http://169.254.170.2/v2/credentials/abc");
        assert_eq!(url_for(&[(RELATIVE_URI, "v2/x")]).unwrap(), "http://169.254.170.2/v2/x");
        assert!(url_for(&[(RELATIVE_URI, "/a b")]).is_err());
    }

    #[test]
    fn full_uri_hosts() {
        for allowed in [
            "http://127.0.0.1:8080/creds",
            "http://127.1.2.3/creds",
            "http://localhost/creds",
            "http://[::1]:8080/creds",
            "http://169.254.170.2/creds",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://credentials.example.com/creds",
        ] {
            assert_eq!(url_for(&[(FULL_URI, allowed)]).unwrap(), allowed);
        }
        for refused in ["http://169.254.169.254/", "http://127.0.0.1.example.com/", "ftp://127.0.0.1/", "http://[::2]/"]
        {
            assert!(url_for(&[(FULL_URI, refused)]).is_err(), "{refused}");
        }
        assert!(url_for(&[]).unwrap_err().is_not_loaded());
    }
}
