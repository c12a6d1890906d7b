//! Region and endpoint URL from the environment and the shared files, in the SDKs' order.

use crate::runtime::env::{parse_flag, Env};
use crate::runtime::profile::{Lookup, ProfileError, ProfileSet, ProfileSources, SharedFiles};
use crate::runtime::sdk_error::Error;

/// Region: AWS_REGION, then AWS_DEFAULT_REGION, then the selected profile's `region`; the
/// error names every place looked at.
pub fn resolve_region(env: &Env) -> Result<String, Error> {
    resolve_region_for_profile(env, None)
}

/// [`resolve_region`] with the profile given explicitly (`None`: `AWS_PROFILE`, else `default`).
/// The environment variables still come first.
pub fn resolve_region_for_profile(env: &Env, profile: Option<&str>) -> Result<String, Error> {
    region_from(&ProfileSources::new(env, profile.map(str::to_owned)))
}

/// [`resolve_region_for_profile`] reading the shared files through `files` (read at most once
/// for all the steps of a build).
pub(crate) fn region_from(sources: &ProfileSources<'_>) -> Result<String, Error> {
    let profile = sources.profile.as_str();
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = sources.env.get(var) {
            return check_region(&region, var);
        }
    }
    let set = sources.files.get().map_err(shared_config_error)?;
    if let Some(region) = set.get(profile, "region") {
        let file = set.source_of(profile, "region").unwrap_or("the shared files");
        return check_region(region, &format!("`region` of profile {profile:?} in {file}"));
    }
    let mut places = set.places(profile, &["region"]);
    match imds_region(sources)? {
        Lookup::Found(region) => return check_region(&region, "the instance metadata service"),
        Lookup::Missing(place) => places.push(place),
    }
    Err(Error::configuration(format!(
        "no AWS region found. Looked at: environment variable AWS_REGION (not set); environment variable \
         AWS_DEFAULT_REGION (not set); {}. Set one with Config::builder().region(..), AWS_REGION, or `region = ...` \
         in the profile.",
        places.join("; ")
    )))
}

/// A shared file that cannot be used, as a configuration error (the parse error's own cause, an
/// io error, stays reachable through `source()`).
pub(crate) fn shared_config_error(err: ProfileError) -> Error {
    Error::configuration(format!("invalid AWS shared config: {err}")).with_source(err)
}

/// The last place a region is looked for, as aws-sdk-rust's region chain does: the instance
/// metadata service.
#[cfg(feature = "reqwest-client")]
fn imds_region(sources: &ProfileSources<'_>) -> Result<Lookup, Error> {
    crate::runtime::credential_provider::imds::imds_region(sources)
        .map_err(|e| Error::configuration(format!("cannot read the region from instance metadata: {e}")).with_source(e))
}

#[cfg(not(feature = "reqwest-client"))]
fn imds_region(_sources: &ProfileSources<'_>) -> Result<Lookup, Error> {
    Ok(Lookup::Missing("instance metadata (needs the reqwest-client feature)".to_owned()))
}

/// A region goes into a host name, whatever its source: it must be one host label (1 to 63
/// letters, digits and `-`, not starting or ending with `-`), as botocore's `validate_region_name`.
pub(crate) fn check_region(region: &str, from: &str) -> Result<String, Error> {
    let label = region.len() <= 63
        && region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if label && !region.is_empty() {
        Ok(region.to_owned())
    } else {
        Err(Error::configuration(format!(
            "invalid AWS region {region:?} (from {from}): expected one host label of letters, digits and `-`, \
             like us-east-1"
        )))
    }
}

/// Endpoint URL from the environment or profile: `AWS_ENDPOINT_URL_<SERVICE>` (e.g.
/// `AWS_ENDPOINT_URL_EC2` for `service_env_suffix` `"EC2"`), then `AWS_ENDPOINT_URL`, then the
/// profile's `[services …]` section entry for the service (`ec2 =` / `  endpoint_url = …`), then
/// the profile's `endpoint_url`; `Ok(None)` when none is set, or when
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
/// `ignore_configured_endpoint_urls = true`) says to ignore them.
pub fn resolve_endpoint_url(env: &Env, service_env_suffix: &str) -> Result<Option<String>, Error> {
    resolve_endpoint_url_for_profile(env, service_env_suffix, None)
}

/// [`resolve_endpoint_url`] with the profile given explicitly (`None`: `AWS_PROFILE`, else
/// `default`).
pub fn resolve_endpoint_url_for_profile(
    env: &Env,
    service_env_suffix: &str,
    profile: Option<&str>,
) -> Result<Option<String>, Error> {
    let profile = profile.map_or_else(|| ProfileSet::selected(env), str::to_owned);
    endpoint_url_from(env, &SharedFiles::new(env), service_env_suffix, &profile)
}

/// [`resolve_endpoint_url_for_profile`] reading the shared files through `files`.
pub(crate) fn endpoint_url_from(
    env: &Env,
    files: &SharedFiles<'_>,
    service_env_suffix: &str,
    profile: &str,
) -> Result<Option<String>, Error> {
    // Anything but `true` reads as "do not ignore", as it always has (not an error, unlike the
    // endpoint flags: a stricter reading would break configurations that work today).
    let is_true = |value: &str| parse_flag(value, "").unwrap_or(false);
    let ignore_from_env = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").map(|v| is_true(&v));
    if ignore_from_env == Some(true) {
        return Ok(None);
    }
    let service: String = service_env_suffix
        .trim()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_uppercase() })
        .collect();
    for var in [format!("AWS_ENDPOINT_URL_{service}"), "AWS_ENDPOINT_URL".to_owned()] {
        if let Some(url) = env.get(&var) {
            let url = url.trim();
            if !url.is_empty() {
                return Ok(Some(url.to_owned()));
            }
        }
    }
    let set = files.get().map_err(shared_config_error)?;
    if ignore_from_env.is_none() && set.get(profile, "ignore_configured_endpoint_urls").is_some_and(is_true) {
        return Ok(None);
    }
    let from_services = set
        .get(profile, "services")
        .and_then(|section| set.service_setting(section, &service.to_ascii_lowercase(), "endpoint_url"));
    Ok(from_services.or_else(|| set.get(profile, "endpoint_url").map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::runtime::env::Env;
    use crate::runtime::test_support::*;

    // --- region ---

    #[test]
    fn region_precedence() {
        let dir = TempDir::new();
        dir.config("[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n");
        let both = dir.env(&[("AWS_REGION", "us-east-1"), ("AWS_DEFAULT_REGION", "us-west-2")]);
        assert_eq!(resolve_region(&both).unwrap(), "us-east-1");
        assert_eq!(resolve_region(&dir.env(&[("AWS_DEFAULT_REGION", "us-west-2")])).unwrap(), "us-west-2");
        assert_eq!(resolve_region(&dir.env(&[])).unwrap(), "eu-west-1");
        assert_eq!(resolve_region(&dir.env(&[("AWS_PROFILE", "dev")])).unwrap(), "ap-south-1");
        assert_eq!(resolve_region_for_profile(&dir.env(&[]), Some("dev")).unwrap(), "ap-south-1");
        assert_eq!(resolve_region_for_profile(&both, Some("dev")).unwrap(), "us-east-1");
    }

    #[test]
    fn region_missing_names_every_place() {
        let dir = TempDir::new();
        dir.config("[default]\noutput = json\n");
        let err = resolve_region(&dir.env(&[])).unwrap_err();
        #[cfg(feature = "reqwest-client")]
        let imds = "instance metadata service (disabled by AWS_EC2_METADATA_DISABLED)";
        #[cfg(not(feature = "reqwest-client"))]
        let imds = "instance metadata (needs the reqwest-client feature)";
        assert_eq!(
            err.to_string(),
            format!(
                "no AWS region found. Looked at: environment variable AWS_REGION (not set); environment variable \
                 AWS_DEFAULT_REGION (not set); profile \"default\" in {} (file not found); profile \"default\" in {} \
                 (no region); {imds}. Set one with Config::builder().region(..), AWS_REGION, or `region = ...` in the profile.",
                dir.credentials_path(),
                dir.config_path()
            )
        );
    }

    #[test]
    fn invalid_region_is_rejected() {
        let err = resolve_region(&Env::from_vars([("AWS_REGION", "us east/1")])).unwrap_err();
        assert!(err.to_string().contains("\"us east/1\" (from AWS_REGION)"), "{err}");
    }

    // --- endpoint URL ---

    #[test]
    fn endpoint_url_precedence() {
        let dir = TempDir::new();
        dir.config(
            "[default]\nendpoint_url = http://profile-global\nservices = local\n[profile plain]\nendpoint_url = http://plain\n\
             [services local]\nec2 =\n  endpoint_url = http://profile-ec2\n",
        );
        let env = |vars: &[(&str, &str)]| dir.env(vars);
        let all = env(&[("AWS_ENDPOINT_URL_EC2", "http://env-ec2"), ("AWS_ENDPOINT_URL", "http://env-global")]);
        assert_eq!(resolve_endpoint_url(&all, "EC2").unwrap().as_deref(), Some("http://env-ec2"));
        let global = env(&[("AWS_ENDPOINT_URL", "http://env-global")]);
        assert_eq!(resolve_endpoint_url(&global, "EC2").unwrap().as_deref(), Some("http://env-global"));
        assert_eq!(resolve_endpoint_url(&env(&[]), "EC2").unwrap().as_deref(), Some("http://profile-ec2"));
        assert_eq!(resolve_endpoint_url(&env(&[]), "SQS").unwrap().as_deref(), Some("http://profile-global"));
        let plain = env(&[("AWS_PROFILE", "plain")]);
        assert_eq!(resolve_endpoint_url(&plain, "EC2").unwrap().as_deref(), Some("http://plain"));
        assert_eq!(
            resolve_endpoint_url_for_profile(&env(&[]), "EC2", Some("plain")).unwrap().as_deref(),
            Some("http://plain")
        );
        assert_eq!(resolve_endpoint_url(&env(&[("AWS_PROFILE", "none")]), "EC2").unwrap(), None);
    }

    #[test]
    fn endpoint_url_can_be_ignored() {
        let dir = TempDir::new();
        dir.config("[default]\nendpoint_url = http://profile\n[profile ignoring]\nendpoint_url = http://x\nignore_configured_endpoint_urls = true\n");
        let env = dir.env(&[("AWS_ENDPOINT_URL", "http://env"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]);
        assert_eq!(resolve_endpoint_url(&env, "EC2").unwrap(), None);
        let ignoring = dir.env(&[("AWS_PROFILE", "ignoring")]);
        assert_eq!(resolve_endpoint_url(&ignoring, "EC2").unwrap(), None);
        let overridden = dir.env(&[("AWS_PROFILE", "ignoring"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")]);
        assert_eq!(resolve_endpoint_url(&overridden, "EC2").unwrap().as_deref(), Some("http://x"));
        // Only `true` (any case, spaces around) ignores; anything else is "do not ignore", not an error.
        let spaced = dir.env(&[("AWS_ENDPOINT_URL", "http://env"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", " TRUE ")]);
        assert_eq!(resolve_endpoint_url(&spaced, "EC2").unwrap(), None);
        let other = dir.env(&[("AWS_ENDPOINT_URL", "http://env"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes")]);
        assert_eq!(resolve_endpoint_url(&other, "EC2").unwrap().as_deref(), Some("http://env"));
    }

    #[test]
    fn endpoint_url_none_when_nothing_is_set() {
        let dir = TempDir::new();
        assert_eq!(resolve_endpoint_url(&dir.env(&[]), "EC2").unwrap(), None);
    }
}
