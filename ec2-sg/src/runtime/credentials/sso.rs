//! Credentials from AWS IAM Identity Center (formerly AWS SSO): the role credentials the SSO
//! portal gives for the token `aws sso login` left in `~/.aws/sso/cache`, as botocore and
//! aws-sdk-rust get them.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aws_smithy_async::time::{SharedTimeSource, TimeSource};
use aws_smithy_json::serialize::JsonObjectWriter;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use sha1::{Digest, Sha1};

use crate::runtime::config::{check_region, resolve_endpoint_url_for_profile};
use crate::runtime::credential_provider::fetch::{
    endpoint_source_constructors, error_detail, run_in_background, SourceHttp, SourceUrl,
};
use crate::runtime::credential_provider::{Credentials, CredentialsError, ProvideCredentials};
use crate::runtime::env::Env;
use crate::runtime::form::encode_component;
use crate::runtime::json::{self, Value};
use crate::runtime::profile::ProfileSet;
use crate::runtime::random::random_u64;
use crate::runtime::timestamp::{parse_timestamp, TimestampFormat};

const PROVIDER: &str = "SSO";
/// Each request to the portal or to SSO OIDC: they are public endpoints, so a few seconds.
const TIMEOUT: Duration = Duration::from_secs(5);
/// aws-sdk-rust's window: a token that expires within five minutes is refreshed.
const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);
const BEARER_HEADER: &str = "x-amz-sso_bearer_token";
/// The profile keys that make a profile an SSO profile (botocore looks at the same ones).
const PROFILE_KEYS: [&str; 5] = ["sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name"];
/// A lifetime longer than this in a CreateToken answer is not one.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);

/// Credentials of an IAM Identity Center (SSO) role (provider name `"SSO"`), for a profile set up
/// by `aws configure sso`, after `aws sso login`:
///
/// ```text
/// [profile dev]                          [profile legacy]
/// sso_session = corp                     sso_start_url = https://d-123.awsapps.com/start
/// sso_account_id = 111122223333          sso_region = us-east-1
/// sso_role_name = ReadOnly               sso_account_id = 111122223333
///                                        sso_role_name = ReadOnly
/// [sso-session corp]
/// sso_start_url = https://d-123.awsapps.com/start
/// sso_region = us-east-1
/// ```
///
/// The token comes from the AWS CLI's cache, `~/.aws/sso/cache/<SHA-1 of the session name, or of
/// the start URL for the legacy form>.json`. For an `sso_session` profile, a token that expires
/// within five minutes is refreshed through SSO OIDC (`CreateToken`) when the cache holds a
/// refresh token and an unexpired client registration, and the cache file is rewritten, as the
/// SDKs do; the legacy form never refreshes. The role's credentials come from the SSO portal
/// (`GetRoleCredentials`).
///
/// Endpoints are `https://portal.sso.{sso_region}.amazonaws.com` and
/// `https://oidc.{sso_region}.amazonaws.com`, or what `AWS_ENDPOINT_URL_SSO` and
/// `AWS_ENDPOINT_URL_SSO_OIDC` (or `AWS_ENDPOINT_URL`, or the profile's `services` section,
/// keys `sso` and `sso_oidc`) say, as for any service.
///
/// Neither the tokens, the client secret nor the credentials' secrets appear in `Debug` output,
/// an error message or a log line.
#[derive(Debug)]
pub struct SsoCredentials {
    env: Env,
    profile: Option<String>,
    time: SharedTimeSource,
}

endpoint_source_constructors!(
    SsoCredentials { profile },
    new: "Reads the process environment, the shared files and the token cache under its home.",
    with_profile
);

impl ProvideCredentials for SsoCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let profile = self.profile.clone().unwrap_or_else(|| ProfileSet::selected(&self.env));
        let set = ProfileSet::load(&self.env)?;
        sso_credentials(&self.env, &set, &profile, self.time.now())
    }
}

/// Whether `profile` is set up for SSO (has any `sso_*` key botocore looks at).
pub(crate) fn uses_sso(set: &ProfileSet, profile: &str) -> bool {
    PROFILE_KEYS.iter().any(|key| set.get(profile, key).is_some())
}

/// The SSO credentials of `profile` of `set` at `now`: what the profile chain calls once it has
/// loaded the files. Not loaded (a chain goes on) when the profile has no `sso_*` key; any other
/// problem is an error.
pub(crate) fn sso_credentials(
    env: &Env,
    set: &ProfileSet,
    profile: &str,
    now: SystemTime,
) -> Result<Credentials, CredentialsError> {
    let config = SsoConfig::load(set, profile)?;
    let cache_path = cache_file(env, config.cache_key())?;
    let token = CachedToken::read(&cache_path, &config)?;
    let portal = endpoint(env, profile, "SSO", "portal.sso", &config.region)?;
    let oidc = match config.session {
        Some(_) => Some(endpoint(env, profile, "SSO_OIDC", "oidc", &config.region)?),
        None => None,
    };
    run_in_background(async move {
        let token = usable_token(&config, &cache_path, token, oidc.as_deref(), now).await?;
        get_role_credentials(&config, &portal, &token).await
    })
}

/// Where the settings of an SSO profile came from, and what they are.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SsoConfig {
    profile: String,
    /// The `sso_session` name (the modern form), `None` for the legacy form.
    session: Option<String>,
    start_url: String,
    region: String,
    account_id: String,
    role_name: String,
}

impl SsoConfig {
    fn load(set: &ProfileSet, profile: &str) -> Result<Self, CredentialsError> {
        if !uses_sso(set, profile) {
            return Err(CredentialsError::not_loaded(format!(
                "SSO (profile {profile:?} has none of {})",
                PROFILE_KEYS.join(", ")
            )));
        }
        let file = PROFILE_KEYS.iter().find_map(|key| set.source_of(profile, key)).unwrap_or(set.config_file());
        let config_file = set.config_file();
        let own = |key: &str| set.get(profile, key).map(str::to_owned);
        let session = own("sso_session");
        let mut start_url = own("sso_start_url");
        let mut region = own("sso_region");
        let mut problems = Vec::new();
        if let Some(name) = &session {
            if !set.has_sso_session(name) {
                return Err(CredentialsError::new(format!(
                    "profile {profile:?} in {file} names sso_session {name:?}, but {config_file} has no \
                     [sso-session {name}] section"
                )));
            }
            for (key, slot) in [("sso_start_url", &mut start_url), ("sso_region", &mut region)] {
                match (set.sso_session(name, key), slot.as_deref()) {
                    // As botocore: the profile may repeat the session's value, not contradict it.
                    (Some(shared), Some(own)) if shared != own => {
                        return Err(CredentialsError::new(format!(
                            "profile {profile:?} in {file} has {key} = {own}, but its [sso-session {name}] in \
                             {config_file} has {key} = {shared}; remove it from the profile or make them agree"
                        )))
                    }
                    (Some(shared), _) => *slot = Some(shared.to_owned()),
                    (None, Some(_)) => {}
                    (None, None) => problems.push(format!("[sso-session {name}] in {config_file} has no {key}")),
                }
            }
        } else {
            for (key, slot) in [("sso_start_url", &start_url), ("sso_region", &region)] {
                if slot.is_none() {
                    problems.push(format!("profile {profile:?} in {file} has no {key} (nor sso_session)"));
                }
            }
        }
        let account_id = own("sso_account_id");
        let role_name = own("sso_role_name");
        for (key, value) in [("sso_account_id", &account_id), ("sso_role_name", &role_name)] {
            if value.is_none() {
                problems.push(format!("profile {profile:?} in {file} has no {key}"));
            }
        }
        let (Some(start_url), Some(region), Some(account_id), Some(role_name)) =
            (start_url, region, account_id, role_name)
        else {
            return Err(CredentialsError::new(format!(
                "profile {profile:?} is set up for SSO but lacks settings: {}",
                problems.join("; ")
            )));
        };
        // The region goes into a host name.
        let region = check_region(&region, &format!("sso_region of profile {profile:?}"))
            .map_err(|e| CredentialsError::new(e.to_string()))?;
        Ok(Self { profile: profile.to_owned(), session, start_url, region, account_id, role_name })
    }

    /// What the AWS CLI names the token's cache file by.
    fn cache_key(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }

    /// The command that gets a new token.
    fn login_hint(&self) -> String {
        match &self.session {
            Some(session) => {
                format!("run `aws sso login --profile {}` (or `aws sso login --sso-session {session}`)", self.profile)
            }
            None => format!("run `aws sso login --profile {}`", self.profile),
        }
    }

    /// What the token is for, in messages.
    fn token_name(&self) -> String {
        match &self.session {
            Some(session) => format!("the SSO token of sso-session {session:?}"),
            None => format!("the SSO token of {}", self.start_url),
        }
    }
}

/// `~/.aws/sso/cache/<hex SHA-1 of key>.json`, where the AWS CLI keeps the token.
fn cache_file(env: &Env, key: &str) -> Result<PathBuf, CredentialsError> {
    let home = env.home_dir().ok_or_else(|| {
        CredentialsError::new("cannot find the SSO token cache (~/.aws/sso/cache): no home directory (HOME is not set)")
    })?;
    Ok(home.join(".aws").join("sso").join("cache").join(format!("{}.json", sha1_hex(key))))
}

fn sha1_hex(text: &str) -> String {
    Sha1::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A token of the AWS CLI's cache. `Debug` shows neither token nor the client secret.
#[derive(Clone)]
struct CachedToken {
    access_token: String,
    expires_at: SystemTime,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    registration_expires_at: Option<SystemTime>,
    region: Option<String>,
    start_url: Option<String>,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "** redacted **"))
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "** redacted **"))
            .field("registration_expires_at", &self.registration_expires_at)
            .field("region", &self.region)
            .field("start_url", &self.start_url)
            .finish_non_exhaustive()
    }
}

impl CachedToken {
    fn read(path: &Path, config: &SsoConfig) -> Result<Self, CredentialsError> {
        let file = path.display();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CredentialsError::new(format!(
                    "{} is not in the cache: {file} does not exist; {}",
                    config.token_name(),
                    config.login_hint()
                )))
            }
            Err(e) => {
                return Err(CredentialsError::new(format!("cannot read the SSO token cache file {file}")).with_source(e))
            }
        };
        Self::parse(&text).map_err(|problem| {
            CredentialsError::new(format!(
                "the SSO token cache file {file} holds {problem}; {} to write it again",
                config.login_hint()
            ))
        })
    }

    /// The error says what is wrong without quoting a value.
    fn parse(text: &str) -> Result<Self, String> {
        let members = json::parse_object(text)?;
        let string = |name: &'static str| json::optional_string(&members, name);
        let time = |name: &'static str| -> Result<Option<SystemTime>, String> {
            string(name)?.map(|text| parse_cache_time(&text).map_err(|e| format!("an invalid {name}: {e}"))).transpose()
        };
        let access_token = string("accessToken")?.ok_or("JSON without accessToken")?;
        if !is_header_value(&access_token) {
            return Err("an accessToken that is not a token (control or non-ASCII characters)".to_owned());
        }
        let expires_at = time("expiresAt")?.ok_or("JSON without expiresAt")?;
        Ok(Self {
            access_token,
            expires_at,
            refresh_token: string("refreshToken")?,
            client_id: string("clientId")?,
            client_secret: string("clientSecret")?,
            registration_expires_at: time("registrationExpiresAt")?,
            region: string("region")?,
            start_url: string("startUrl")?,
        })
    }

    /// The cache file's JSON, with the members the AWS CLI writes.
    fn to_json(&self) -> Result<String, String> {
        let mut out = String::new();
        let mut object = JsonObjectWriter::new(&mut out);
        let optional = [("startUrl", &self.start_url), ("region", &self.region)];
        for (name, value) in optional {
            if let Some(value) = value {
                object.key(name).string(value);
            }
        }
        object.key("accessToken").string(&self.access_token);
        object.key("expiresAt").string(&format_time(self.expires_at)?);
        for (name, value) in [("clientId", &self.client_id), ("clientSecret", &self.client_secret)] {
            if let Some(value) = value {
                object.key(name).string(value);
            }
        }
        if let Some(at) = self.registration_expires_at {
            object.key("registrationExpiresAt").string(&format_time(at)?);
        }
        if let Some(refresh_token) = &self.refresh_token {
            object.key("refreshToken").string(refresh_token);
        }
        object.finish();
        Ok(out)
    }

    /// Why this token cannot be refreshed at `now`, if it cannot.
    fn refresh_obstacle(&self, now: SystemTime) -> Option<&'static str> {
        if self.refresh_token.is_none() {
            Some("the cache holds no refresh token")
        } else if self.client_id.is_none() || self.client_secret.is_none() {
            Some("the cache holds no client registration")
        } else if self.registration_expires_at.is_none_or(|at| at <= now) {
            Some("the client registration has expired")
        } else {
            None
        }
    }
}

/// An RFC 3339 time of the cache; older AWS CLIs wrote `UTC` for `Z`.
fn parse_cache_time(text: &str) -> Result<SystemTime, String> {
    let text = text.trim();
    let text = match text.strip_suffix("UTC") {
        Some(rest) => format!("{rest}Z"),
        None => text.to_owned(),
    };
    let date = parse_timestamp(&text, TimestampFormat::DateTime).map_err(|e| e.to_string())?;
    SystemTime::try_from(date).map_err(|e| e.to_string())
}

/// RFC 3339 in whole seconds, as the AWS CLI writes it.
fn format_time(at: SystemTime) -> Result<String, String> {
    let seconds = match at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).map_err(|e| e.to_string())?,
        Err(before) => -i64::try_from(before.duration().as_secs()).map_err(|e| e.to_string())?,
    };
    DateTime::from_secs(seconds).fmt(Format::DateTime).map_err(|e| e.to_string())
}

/// Whether `text` can be sent as a header value as it is.
fn is_header_value(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// The endpoint of `service` (`SSO`, `SSO_OIDC`): configured as for any service, else AWS's.
fn endpoint(env: &Env, profile: &str, service: &str, host: &str, region: &str) -> Result<String, CredentialsError> {
    let configured = resolve_endpoint_url_for_profile(env, service, Some(profile))
        .map_err(|e| CredentialsError::new(format!("cannot resolve the {service} endpoint")).with_source(e))?;
    let url = match configured {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let suffix = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
            format!("https://{host}.{region}.{suffix}")
        }
    };
    SourceUrl::parse(&url).map_err(|e| CredentialsError::new(format!("invalid {service} endpoint")).with_source(e))?;
    Ok(url)
}

/// A client for `url`: with the environment's proxy, but for a loopback endpoint (a test server,
/// a local emulator), which a proxy could not reach.
fn http_for(url: &str) -> Result<SourceHttp, CredentialsError> {
    if SourceUrl::parse(url).is_ok_and(|url| url.is_loopback()) {
        SourceHttp::new(TIMEOUT)
    } else {
        SourceHttp::for_aws_endpoint(TIMEOUT)
    }
}

/// The cached token, refreshed first when it is an `sso_session` token near its expiry and the
/// cache allows it.
async fn usable_token(
    config: &SsoConfig,
    cache_path: &Path,
    token: CachedToken,
    oidc: Option<&str>,
    now: SystemTime,
) -> Result<CachedToken, CredentialsError> {
    let expired = token.expires_at <= now;
    let expires_soon = token.expires_at <= now.checked_add(REFRESH_WINDOW).unwrap_or(now);
    let expired_error = |why: &str| {
        CredentialsError::new(format!(
            "{} in {} expired at {}{why}; {}",
            config.token_name(),
            cache_path.display(),
            format_time(token.expires_at).unwrap_or_else(|_| "an unknown time".to_owned()),
            config.login_hint()
        ))
    };
    let Some(oidc) = oidc.filter(|_| expires_soon) else {
        // The legacy form never refreshes; a token not yet due is used as it is.
        return if expired { Err(expired_error("")) } else { Ok(token) };
    };
    if let Some(obstacle) = token.refresh_obstacle(now) {
        return if expired { Err(expired_error(&format!(" and cannot be refreshed ({obstacle})"))) } else { Ok(token) };
    }
    match refresh(oidc, &token, now).await {
        Ok(refreshed) => {
            match refreshed.to_json() {
                Ok(text) => {
                    if let Err(e) = write_atomically(cache_path, &text) {
                        tracing::warn!(
                            "cannot write the refreshed SSO token to {}: {e}; using it for now",
                            cache_path.display()
                        );
                    }
                }
                Err(e) => tracing::warn!("cannot write the refreshed SSO token: {e}; using it for now"),
            }
            Ok(refreshed)
        }
        Err(problem) if !expired => {
            tracing::warn!(
                "cannot refresh {} ({problem}); using the cached one, which is still valid",
                config.token_name()
            );
            Ok(token)
        }
        Err(problem) => Err(expired_error(&format!(" and could not be refreshed ({problem})"))),
    }
}

/// SSO OIDC `CreateToken` with the refresh token; the error says why without quoting a secret.
async fn refresh(oidc: &str, token: &CachedToken, now: SystemTime) -> Result<CachedToken, String> {
    let (Some(client_id), Some(client_secret), Some(refresh_token)) =
        (&token.client_id, &token.client_secret, &token.refresh_token)
    else {
        return Err("the cache holds no refresh token or client registration".to_owned());
    };
    let mut body = String::new();
    let mut object = JsonObjectWriter::new(&mut body);
    object.key("clientId").string(client_id);
    object.key("clientSecret").string(client_secret);
    object.key("grantType").string("refresh_token");
    object.key("refreshToken").string(refresh_token);
    object.finish();
    let url = format!("{oidc}/token");
    let http = http_for(&url).map_err(|e| e.to_string())?;
    let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    let response = http
        .send_with_body("POST", &url, headers, body.into_bytes())
        .await
        .map_err(|e| format!("cannot reach SSO OIDC at {oidc}: {e}"))?;
    let secrets = [token.access_token.as_str(), client_secret, refresh_token];
    if response.status != 200 {
        return Err(format!("SSO OIDC at {oidc} answered {}{}", response.status, error_detail(&response, &secrets)));
    }
    let invalid = |problem: &str| format!("SSO OIDC at {oidc} answered {problem}");
    let members = json::parse_object(&response.text).map_err(|e| invalid(&e))?;
    let access_token = json::optional_string(&members, "accessToken")
        .ok()
        .flatten()
        .filter(|token| is_header_value(token))
        .ok_or_else(|| invalid("without a valid accessToken"))?;
    let lifetime = match json::member(&members, "expiresIn") {
        Some(Value::Number(n)) if n.is_finite() && *n > 0.0 && *n <= MAX_TOKEN_LIFETIME.as_secs_f64() => {
            Duration::from_secs(*n as u64)
        }
        _ => return Err(invalid("without a valid expiresIn")),
    };
    let expires_at = now.checked_add(lifetime).ok_or_else(|| invalid("an expiresIn out of range"))?;
    // A refresh token that is not a string is ignored, as one that is absent: the old one stays.
    let new_refresh_token =
        json::optional_string(&members, "refreshToken").ok().flatten().or_else(|| token.refresh_token.clone());
    Ok(CachedToken { access_token, expires_at, refresh_token: new_refresh_token, ..token.clone() })
}

/// Writes `text` to a new file beside `path`, then renames it over `path`, so that a reader (the
/// AWS CLI, another process) never sees half a file. Readable by the owner only: it holds tokens.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".tmp-{}-{:x}", std::process::id(), random_u64()));
    let temporary = PathBuf::from(temporary);
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// SSO portal `GetRoleCredentials`.
async fn get_role_credentials(
    config: &SsoConfig,
    portal: &str,
    token: &CachedToken,
) -> Result<Credentials, CredentialsError> {
    let url = format!(
        "{portal}/federation/credentials?account_id={}&role_name={}",
        encode_component(&config.account_id),
        encode_component(&config.role_name)
    );
    let http = http_for(&url)?;
    let headers = vec![(BEARER_HEADER.to_owned(), token.access_token.clone())];
    let response = http
        .send("GET", &url, headers)
        .await
        .map_err(|e| CredentialsError::new(format!("cannot reach the SSO portal at {portal}")).with_source(e))?;
    let role = format!("role {:?} in account {}", config.role_name, config.account_id);
    let secrets = [token.access_token.as_str()];
    match response.status {
        200 => {}
        401 | 403 => {
            return Err(CredentialsError::new(format!(
                "the SSO portal at {portal} refused {} for {role} ({}{}); it may have expired or been revoked: {}",
                config.token_name(),
                response.status,
                error_detail(&response, &secrets),
                config.login_hint()
            )))
        }
        status => {
            return Err(CredentialsError::new(format!(
                "the SSO portal at {portal} answered {status}{} for {role}",
                error_detail(&response, &secrets)
            )))
        }
    }
    let invalid =
        |problem: String| CredentialsError::new(format!("the SSO portal at {portal} answered {problem} for {role}"));
    let members = json::parse_inner_object(&response.text, "roleCredentials")
        .map_err(invalid)?
        .ok_or_else(|| invalid("JSON without roleCredentials".to_owned()))?;
    role_credentials(&members).map_err(invalid)
}

/// `accessKeyId`, `secretAccessKey`, `sessionToken` and `expiration` (milliseconds since the
/// epoch) of a `roleCredentials` object; the error quotes no value.
fn role_credentials(members: &[(String, Value)]) -> Result<Credentials, String> {
    let access_key_id = json::required_string(members, "accessKeyId")?;
    let secret_access_key = json::required_string(members, "secretAccessKey")?;
    let session_token = json::required_string(members, "sessionToken")?;
    let expiry = match json::member(members, "expiration") {
        // Up to the end of year 9999: anything later is not a time.
        Some(Value::Number(millis)) if (0.0..=253_402_300_799_000.0).contains(millis) => {
            SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(*millis as u64))
        }
        _ => None,
    }
    .ok_or("JSON without a valid expiration")?;
    Ok(Credentials::new(access_key_id, secret_access_key, Some(session_token), Some(expiry), PROVIDER))
}

#[cfg(test)]
mod tests {
    use super::*;

    const START_URL: &str = "https://d-123.awsapps.com/start";

    fn config(text: &str, profile: &str) -> Result<SsoConfig, CredentialsError> {
        SsoConfig::load(&ProfileSet::parse(text, "").unwrap(), profile)
    }

    const SESSION: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n\
                           [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = eu-west-1\n";

    #[test]
    fn modern_and_legacy_profiles() {
        let modern = config(SESSION, "dev").unwrap();
        assert_eq!(
            modern,
            SsoConfig {
                profile: "dev".into(),
                session: Some("corp".into()),
                start_url: START_URL.into(),
                region: "eu-west-1".into(),
                account_id: "111122223333".into(),
                role_name: "ReadOnly".into(),
            }
        );
        assert_eq!(modern.cache_key(), "corp");
        let legacy = config(
            "[default]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n\
             sso_account_id = 1\nsso_role_name = R\n",
            "default",
        )
        .unwrap();
        assert_eq!((legacy.session.as_deref(), legacy.cache_key()), (None, START_URL));
        // Repeating the session's values in the profile is fine.
        let repeated = SESSION.replace("sso_session = corp\n", "sso_session = corp\nsso_region = eu-west-1\n");
        assert_eq!(config(&repeated, "dev").unwrap().region, "eu-west-1");
    }

    #[test]
    fn not_an_sso_profile_is_not_loaded() {
        let err = config("[default]\nregion = us-east-1\n", "default").unwrap_err();
        assert!(err.is_not_loaded(), "{err}");
        assert!(!uses_sso(&ProfileSet::parse("[default]\nregion = x\n", "").unwrap(), "default"));
    }

    #[test]
    fn missing_and_conflicting_settings_are_named() {
        let err =
            config("[profile dev]\nsso_session = corp\nsso_role_name = R\n[sso-session corp]\nsso_region = x\n", "dev")
                .unwrap_err();
        assert!(!err.is_not_loaded());
        assert_eq!(
            err.to_string(),
            "profile \"dev\" is set up for SSO but lacks settings: [sso-session corp] in config text has no \
             sso_start_url; profile \"dev\" in config text has no sso_account_id"
        );
        let err =
            config("[profile dev]\nsso_start_url = u\nsso_account_id = 1\nsso_role_name = R\n", "dev").unwrap_err();
        assert_eq!(
            err.to_string(),
            "profile \"dev\" is set up for SSO but lacks settings: profile \"dev\" in config text has no sso_region \
             (nor sso_session)"
        );
        let err = config("[profile dev]\nsso_session = nope\n", "dev").unwrap_err();
        assert_eq!(
            err.to_string(),
            "profile \"dev\" in config text names sso_session \"nope\", but config text has no [sso-session nope] section"
        );
        let conflicting = SESSION.replace("sso_session = corp\n", "sso_session = corp\nsso_region = us-west-2\n");
        let err = config(&conflicting, "dev").unwrap_err();
        assert!(
            err.to_string().contains(
                "has sso_region = us-west-2, but its [sso-session corp] in config text has sso_region = eu-west-1"
            ),
            "{err}"
        );
        let bad_region = SESSION.replace("eu-west-1", "eu west/1");
        assert!(config(&bad_region, "dev").unwrap_err().to_string().contains("invalid AWS region"));
    }

    #[test]
    fn cache_file_names_are_the_aws_cli_ones() {
        // hashlib.sha1(KEY.encode()).hexdigest(), as botocore names the files.
        assert_eq!(sha1_hex("corp"), "ee0bfd2552fbd840c02cc48b6e823320543c450f");
        assert_eq!(sha1_hex(START_URL), EXPECTED_START_URL_SHA1);
        assert_eq!(sha1_hex("my-sso"), EXPECTED_MY_SSO_SHA1);
        let env = Env::from_vars([("HOME", "/home/u")]);
        assert_eq!(
            cache_file(&env, "my-sso").unwrap(),
            PathBuf::from(format!("/home/u/.aws/sso/cache/{EXPECTED_MY_SSO_SHA1}.json"))
        );
        assert!(cache_file(&Env::from_vars([("X", "y")]), "k").is_err());
    }

    const EXPECTED_START_URL_SHA1: &str = "2b829a45f04c9828cb45b7d092d8e4aa30818393";
    const EXPECTED_MY_SSO_SHA1: &str = "0ad374308c5a4e22f723adf10145eafad7c4031c";

    const SECRET_TOKEN: &str = "aoaAAAAAEXAMPLEACCESSTOKEN";
    const REFRESH: &str = "aorvJYubEXAMPLEREFRESHTOKEN";
    const CLIENT_SECRET: &str = "eyJraWQiEXAMPLECLIENTSECRET";

    fn full_token() -> String {
        format!(
            r#"{{"startUrl": "{START_URL}", "region": "us-east-1", "accessToken": "{SECRET_TOKEN}",
                "expiresAt": "2026-12-02T10:00:00Z", "clientId": "client-1", "clientSecret": "{CLIENT_SECRET}",
                "registrationExpiresAt": "2027-01-01T00:00:00UTC", "refreshToken": "{REFRESH}"}}"#
        )
    }

    #[test]
    fn token_round_trip_and_debug() {
        let token = CachedToken::parse(&full_token()).unwrap();
        assert_eq!(token.expires_at, SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_205_600));
        assert_eq!(token.registration_expires_at, Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_798_761_600)));
        let again = CachedToken::parse(&token.to_json().unwrap()).unwrap();
        assert_eq!(format!("{again:?}"), format!("{token:?}"));
        assert_eq!(again.access_token, SECRET_TOKEN);
        assert_eq!(again.refresh_token.as_deref(), Some(REFRESH));
        assert_eq!(again.client_secret.as_deref(), Some(CLIENT_SECRET));
        assert!(token.to_json().unwrap().contains("\"expiresAt\":\"2026-12-02T10:00:00Z\""));
        let debug = format!("{token:?}");
        for secret in [SECRET_TOKEN, REFRESH, CLIENT_SECRET] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }

    #[test]
    fn malformed_tokens_are_errors_without_values() {
        for (text, expected) in [
            ("{", "invalid JSON"),
            (r#"{"expiresAt": "2026-12-02T10:00:00Z"}"#, "JSON without accessToken"),
            (r#"{"accessToken": "aoaAAAAAEXAMPLEACCESSTOKEN"}"#, "JSON without expiresAt"),
            (r#"{"accessToken": "aoaAAAAAEXAMPLEACCESSTOKEN", "expiresAt": "tomorrow"}"#, "an invalid expiresAt"),
            (r#"{"accessToken": 5, "expiresAt": "2026-12-02T10:00:00Z"}"#, "accessToken is a number"),
            (r#"{"accessToken": "aoaAAAAAEXAMPLE\nACCESSTOKEN", "expiresAt": "2026-12-02T10:00:00Z"}"#, "not a token"),
        ] {
            let err = CachedToken::parse(text).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(!err.contains("EXAMPLE"), "{err}");
        }
    }

    #[test]
    fn refresh_needs_a_refresh_token_and_a_live_registration() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_205_600);
        let token = CachedToken::parse(&full_token()).unwrap();
        assert_eq!(token.refresh_obstacle(now), None);
        let later = SystemTime::UNIX_EPOCH + Duration::from_secs(1_798_761_600);
        assert_eq!(token.refresh_obstacle(later), Some("the client registration has expired"));
        let no_refresh = CachedToken { refresh_token: None, ..token.clone() };
        assert_eq!(no_refresh.refresh_obstacle(now), Some("the cache holds no refresh token"));
        let no_client = CachedToken { client_secret: None, ..token.clone() };
        assert_eq!(no_client.refresh_obstacle(now), Some("the cache holds no client registration"));
        let no_registration_time = CachedToken { registration_expires_at: None, ..token };
        assert!(no_registration_time.refresh_obstacle(now).is_some());
    }

    #[test]
    fn role_credentials_document() {
        let members = json::parse_inner_object(
            r#"{"roleCredentials": {"accessKeyId": "ASIA", "secretAccessKey": "S", "sessionToken": "T", "expiration": 1796209200000}}"#,
            "roleCredentials",
        )
        .unwrap()
        .unwrap();
        let credentials = role_credentials(&members).unwrap();
        assert_eq!(credentials.expiry(), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_209_200)));
        assert_eq!(crate::runtime::test_support::provider_name(&credentials), "SSO");
        for bad in [
            r#"{"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T"}"#,
            r#"{"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T", "expiration": -1}"#,
            r#"{"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T", "expiration": 1e300}"#,
            r#"{"accessKeyId": "A", "secretAccessKey": "S", "expiration": 1}"#,
        ] {
            let members = json::parse_object(bad).unwrap();
            assert!(role_credentials(&members).is_err(), "{bad}");
        }
    }

    #[test]
    fn default_endpoints_by_region() {
        let env = Env::from_vars([("HOME", "/nonexistent-ec2-sg")]);
        assert_eq!(
            endpoint(&env, "p", "SSO", "portal.sso", "eu-west-1").unwrap(),
            "https://portal.sso.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint(&env, "p", "SSO_OIDC", "oidc", "cn-north-1").unwrap(),
            "https://oidc.cn-north-1.amazonaws.com.cn"
        );
        let env =
            Env::from_vars([("HOME", "/nonexistent-ec2-sg"), ("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9/")]);
        assert_eq!(endpoint(&env, "p", "SSO_OIDC", "oidc", "eu-west-1").unwrap(), "http://127.0.0.1:9");
        assert_eq!(
            endpoint(&env, "p", "SSO", "portal.sso", "eu-west-1").unwrap(),
            "https://portal.sso.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn times_format_in_whole_seconds() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_796_205_600_750);
        assert_eq!(format_time(at).unwrap(), "2026-12-02T10:00:00Z");
        assert!(parse_cache_time("2026-12-02T10:00:00+01:00").is_ok());
    }
}
