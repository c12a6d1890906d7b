//! The client of the EC2 instance metadata service (IMDS): its settings, the session token, a
//! GET, and the instance's region. Here, below configuration, because the region chain ends with
//! IMDS; the credentials provider on top of it is `credentials::ImdsCredentials`.

use std::time::Duration;

use super::fetch::{answered, run_in_background, SourceHttp, SourceResponse};
use super::types::CredentialsError;
use crate::runtime::env::parse_flag;
use crate::runtime::profile::{Lookup, ProfileSources};

const IPV4_ENDPOINT: &str = "http://169.254.169.254";
const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// Six hours, as the SDKs ask; a token serves one fetch here, so its lifetime hardly matters.
const TOKEN_TTL_SECONDS: &str = "21600";
const REGION_PATH: &str = "/latest/meta-data/placement/region";

pub(crate) const DISABLED: &str = "instance metadata service (disabled by AWS_EC2_METADATA_DISABLED)";

/// The IMDS client: where and how to reach the service, as the environment and profile say, and
/// the calls (token, GET, region) made with those settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImdsClient {
    pub(crate) endpoint: String,
    v1_fallback: bool,
    timeout: Duration,
    attempts: u32,
}

impl ImdsClient {
    /// The client, from the environment and profile; `None` when IMDS is turned off (`AWS_EC2_METADATA_DISABLED=true`).
    pub(crate) fn load(sources: &ProfileSources<'_>) -> Result<Option<Self>, CredentialsError> {
        // Only `true` turns it off; any other value leaves it on, as botocore reads it.
        let disabled = sources.env.get("AWS_EC2_METADATA_DISABLED");
        if disabled.is_some_and(|value| parse_flag(&value, "AWS_EC2_METADATA_DISABLED") == Ok(true)) {
            return Ok(None);
        }
        // A shared file that cannot be used is an error even when the environment sets everything.
        sources.files.get()?;
        let setting = |variable: &str, key: &str| -> Result<Option<(String, String)>, CredentialsError> {
            let found = sources.setting(variable, key)?;
            Ok(found.map(|(value, place)| (value.trim().to_owned(), place)))
        };
        let endpoint = match setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")? {
            Some((url, _)) => url.trim_end_matches('/').to_owned(),
            None => match setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")? {
                None => IPV4_ENDPOINT.to_owned(),
                Some((mode, _)) if mode.eq_ignore_ascii_case("ipv4") => IPV4_ENDPOINT.to_owned(),
                Some((mode, _)) if mode.eq_ignore_ascii_case("ipv6") => IPV6_ENDPOINT.to_owned(),
                Some((mode, place)) => {
                    return Err(CredentialsError::new(format!("{place} must be IPv4 or IPv6, not {mode:?}")))
                }
            },
        };
        let v1_fallback = match setting("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")? {
            None => true,
            Some((value, place)) => !parse_flag(&value, &place).map_err(CredentialsError::new)?,
        };
        let timeout = match setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")? {
            None => Duration::from_secs(1),
            Some((value, place)) => value
                .parse::<f64>()
                .ok()
                .filter(|seconds| seconds.is_finite() && *seconds > 0.0 && *seconds <= 3600.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| CredentialsError::new(format!("{place} must be a number of seconds, not {value:?}")))?,
        };
        let attempts = match setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts")? {
            None => 1,
            Some((value, place)) => value.parse::<u32>().ok().filter(|n| (1..=10).contains(n)).ok_or_else(|| {
                CredentialsError::new(format!("{place} must be a whole number from 1 to 10, not {value:?}"))
            })?,
        };
        Ok(Some(Self { endpoint, v1_fallback, timeout, attempts }))
    }

    /// Fetches `path` with the session token (`None`: IMDSv1); `Ok(None)` for a 404.
    pub(crate) async fn get(
        &self,
        http: &SourceHttp,
        path: &str,
        token: Option<&str>,
    ) -> Result<Option<String>, CredentialsError> {
        let headers = token.map(|token| vec![(TOKEN_HEADER.to_owned(), token.to_owned())]).unwrap_or_default();
        let response = self.send(http, "GET", path, headers).await?;
        match response.status {
            200 => Ok(Some(response.text)),
            404 => Ok(None),
            // As botocore: any other answer means no metadata here, and the chain goes on.
            status => Err(CredentialsError::not_loaded(format!(
                "instance metadata service at {} (answered {status} to GET {path})",
                self.endpoint
            ))),
        }
    }

    /// A session token, or `None` to go on with IMDSv1.
    pub(crate) async fn token(&self, http: &SourceHttp) -> Result<Option<String>, CredentialsError> {
        let headers = vec![(TOKEN_TTL_HEADER.to_owned(), TOKEN_TTL_SECONDS.to_owned())];
        let response = self.send(http, "PUT", TOKEN_PATH, headers).await?;
        match response.status {
            200 => {
                let token = response.text.trim().to_owned();
                // A header value cannot hold control characters; such a token is not one.
                if token.is_empty() || token.chars().any(|c| c.is_control()) {
                    return Err(CredentialsError::new(format!(
                        "the instance metadata service at {} answered with an invalid token",
                        self.endpoint
                    )));
                }
                Ok(Some(token))
            }
            403..=405 if self.v1_fallback => Ok(None),
            400 => Err(CredentialsError::new(format!(
                "the instance metadata service at {} refused the token request as malformed (400)",
                self.endpoint
            ))),
            status => Err(CredentialsError::not_loaded(format!(
                "instance metadata service at {} (refused a session token: {status}{})",
                self.endpoint,
                if self.v1_fallback { "" } else { "; IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)" }
            ))),
        }
    }

    /// One request, tried `attempts` times on transport errors and 5xx answers.
    async fn send(
        &self,
        http: &SourceHttp,
        method: &'static str,
        path: &str,
        headers: Vec<(String, String)>,
    ) -> Result<SourceResponse, CredentialsError> {
        let url = format!("{}{path}", self.endpoint);
        // Nothing answered, or only with server errors: on a machine that is not an EC2
        // instance this is the usual outcome, so the chain goes on.
        answered(http.send(method, &url, headers).await).map_err(|problem| {
            CredentialsError::not_loaded(format!(
                "instance metadata service at {} ({problem}{})",
                self.endpoint,
                if self.attempts > 1 { format!("; {} attempts", self.attempts) } else { String::new() }
            ))
        })
    }

    pub(crate) fn http(&self) -> Result<SourceHttp, CredentialsError> {
        Ok(SourceHttp::new(self.timeout)?.with_attempts(self.attempts))
    }
}

/// The region of the instance, from IMDS (`placement/region`); where it looked, when IMDS is off
/// or does not answer, so that a region chain can name it among the places it looked.
pub(crate) fn imds_region(sources: &ProfileSources<'_>) -> Result<Lookup, CredentialsError> {
    let Some(imds) = ImdsClient::load(sources)? else {
        return Ok(Lookup::Missing(DISABLED.to_owned()));
    };
    let endpoint = imds.endpoint.clone();
    let fetched = run_in_background(async move {
        let http = imds.http()?;
        let token = imds.token(&http).await?;
        imds.get(&http, REGION_PATH, token.as_deref()).await
    });
    match fetched {
        Ok(Some(region)) if !region.trim().is_empty() => Ok(Lookup::Found(region.trim().to_owned())),
        Ok(_) => Ok(Lookup::Missing(format!("instance metadata service at {endpoint} (no region)"))),
        Err(e) if e.is_not_loaded() => Ok(Lookup::Missing(e.message().to_owned())),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::env::Env;

    #[test]
    fn only_true_turns_imds_off() {
        let load = |value: &str| {
            let env = Env::from_vars([("HOME", "/nonexistent-ec2-sg"), ("AWS_EC2_METADATA_DISABLED", value)]);
            ImdsClient::load(&ProfileSources::new(&env, None)).unwrap()
        };
        for off in ["true", " TRUE ", "True"] {
            assert_eq!(load(off), None, "{off:?}");
        }
        for on in ["false", "yes", "1", ""] {
            assert!(load(on).is_some(), "{on:?}");
        }
    }
}
