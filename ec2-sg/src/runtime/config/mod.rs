//! Client configuration: region, endpoint, credentials, retries, timeouts, HTTP client.
//! What is not set explicitly is read, in the SDKs' order, from the environment and then from the
//! shared config/credentials files.

mod resolve;
mod service_endpoint;

use resolve::{region_from, shared_config_error};

pub(crate) use resolve::check_region;
pub use resolve::{resolve_endpoint_url, resolve_endpoint_url_for_profile, resolve_region, resolve_region_for_profile};

use super::credential_provider::{CachingProvider, Credentials, ProvideCredentials};
use super::env::{parse_flag, Env};
use super::http::{AsyncSleep, BlockingHttpClient, HttpClient, TransportLimits, DEFAULT_MAX_RESPONSE_BYTES};
use super::idempotency::{IdempotencyTokenProvider, RandomUuidTokens};
use super::profile::ProfileSources;
use super::request::{Compression, Endpoint};
use super::response::DecodedLimit;
use super::retry::{RetryConfig, RetryMode};
use super::sdk_error::Error;
use super::service::ServiceMetadata;
use super::user_agent::AppName;
use super::xml::DEFAULT_MAX_DECODED_BYTES;
use service_endpoint::ServiceEndpoints;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Timeouts: aws-smithy-types' `TimeoutConfig`, the one every AWS SDK for Rust takes. What it
/// leaves unset gets the defaults: connect 3.1 s (as the AWS SDKs), read 60 s (as botocore: a
/// server that stops sending cannot hold a call forever), no per-attempt or per-operation limit;
/// what it disables stays disabled.
pub use aws_smithy_types::timeout::TimeoutConfig;
use aws_smithy_types::timeout::TimeoutConfigBuilder;

/// The defaults of what a configuration leaves unset.
fn default_timeouts() -> TimeoutConfigBuilder {
    let transport = TransportLimits::default();
    let mut defaults = TimeoutConfig::builder();
    defaults.set_connect_timeout(transport.connect_timeout).set_read_timeout(transport.read_timeout);
    defaults
}

/// A finished configuration; see [`Config::builder`].
#[derive(Clone)]
pub struct Config {
    pub(crate) region: String,
    /// The endpoint of the crate's main service, resolved (and checked) at build.
    pub(crate) endpoint: Endpoint,
    pub(crate) endpoints: Arc<ServiceEndpoints>,
    pub(crate) credentials: Arc<dyn ProvideCredentials>,
    pub(crate) retry: RetryConfig,
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_decoded_bytes: usize,
    pub(crate) app_name: Option<AppName>,
    pub(crate) idempotency_tokens: Arc<dyn IdempotencyTokenProvider>,
    pub(crate) compression: Compression,
    pub(crate) http_client: Option<Arc<dyn HttpClient>>,
    pub(crate) blocking_http_client: Option<Arc<dyn BlockingHttpClient>>,
    pub(crate) sleep: Option<Arc<dyn AsyncSleep>>,
}

impl Config {
    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// This configuration, signing with fixed credentials (for a chain of roles, whose every
    /// hop signs with the credentials of the one before).
    #[cfg(feature = "reqwest-client")]
    pub(crate) fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Arc::new(credentials);
        self
    }

    /// The resolved endpoint of the crate's main service (EC2).
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The endpoint requests to `service` go to (see [`Config::endpoint`] for the crate's main service).
    pub fn endpoint_for(&self, service: &ServiceMetadata) -> Result<Endpoint, Error> {
        self.endpoints.resolve(service)
    }

    /// The retry configuration.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.retry
    }

    /// The timeouts.
    pub fn timeout_config(&self) -> &TimeoutConfig {
        &self.timeouts
    }

    /// The bound on a decoded answer, for the decoder.
    pub(crate) fn decoded_limit(&self) -> DecodedLimit {
        DecodedLimit { bytes: self.max_decoded_bytes, setting: "Config::builder().max_decoded_bytes(..)" }
    }

    /// What the bundled HTTP clients are built with.
    pub fn transport_limits(&self) -> TransportLimits {
        transport_limits(&self.timeouts, self.max_response_bytes)
    }
}

/// The bundled HTTP clients' limits from the configuration's timeouts and body limit.
fn transport_limits(timeouts: &TimeoutConfig, max_response_bytes: usize) -> TransportLimits {
    TransportLimits {
        connect_timeout: timeouts.connect_timeout(),
        read_timeout: timeouts.read_timeout(),
        max_response_bytes,
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("http_client", &self.http_client)
            .field("blocking_http_client", &self.blocking_http_client)
            .finish_non_exhaustive()
    }
}

/// The credentials provider of a configuration given none, made for its environment and the
/// profile chosen with `profile_name` (if any); asked at the first call, not at build.
pub(crate) type DefaultCredentials = fn(&Env, Option<String>) -> Arc<dyn ProvideCredentials>;

/// Builds a [`Config`] for one service (`Config::builder()`, in the crate root, starts one for
/// the crate's main service).
pub struct ConfigBuilder {
    /// The service whose endpoint `build` resolves and checks.
    service: &'static ServiceMetadata,
    /// Handed in, as the service is: the default chain sits above configuration (its role
    /// sources call STS with a `Config` of their own).
    default_credentials: DefaultCredentials,
    /// What the caller set; what is unset is resolved by `build`.
    given: Given,
}

/// The settings a [`ConfigBuilder`] was given, each unset at first.
#[derive(Default)]
struct Given {
    region: Option<String>,
    endpoint_url: Option<String>,
    use_fips: Option<bool>,
    use_dual_stack: Option<bool>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    profile: Option<String>,
    retry: Option<RetryConfig>,
    timeouts: TimeoutConfigBuilder,
    max_response_bytes: Option<usize>,
    max_decoded_bytes: Option<usize>,
    app_name: Option<AppName>,
    idempotency_tokens: Option<Arc<dyn IdempotencyTokenProvider>>,
    compression: Compression,
    http_client: Option<Arc<dyn HttpClient>>,
    blocking_http_client: Option<Arc<dyn BlockingHttpClient>>,
    sleep: Option<Arc<dyn AsyncSleep>>,
    env: Option<Env>,
}

impl ConfigBuilder {
    /// Starts a configuration whose `build` resolves and checks `service`'s endpoint, and that
    /// asks `default_credentials` for a provider when given none.
    pub(crate) fn for_service(service: &'static ServiceMetadata, default_credentials: DefaultCredentials) -> Self {
        Self { service, default_credentials, given: Given::default() }
    }

    /// The region (else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.given.region = Some(region.into());
        self
    }

    /// A custom endpoint URL, such as `http://127.0.0.1:5000` (else `AWS_ENDPOINT_URL_EC2`,
    /// `AWS_ENDPOINT_URL`, the profile's `endpoint_url`, and last the region's AWS endpoint).
    /// A path is kept: requests go to `{url}/`.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.given.endpoint_url = Some(url.into());
        self
    }

    /// FIPS endpoints (else `AWS_USE_FIPS_ENDPOINT`, the profile's `use_fips_endpoint`).
    pub fn use_fips(mut self, on: bool) -> Self {
        self.given.use_fips = Some(on);
        self
    }

    /// Dual-stack endpoints (else `AWS_USE_DUALSTACK_ENDPOINT`, the profile's `use_dualstack_endpoint`).
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.given.use_dual_stack = Some(on);
        self
    }

    /// Fixed credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.given.credentials = Some(Arc::new(credentials));
        self
    }

    /// Any source of credentials (else the default chain: environment, then shared files).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.given.credentials = Some(Arc::new(CachingProvider::new(provider)));
        self
    }

    /// The profile of the shared files to read (else `AWS_PROFILE`, else `default`).
    pub fn profile_name(mut self, profile: impl Into<String>) -> Self {
        self.given.profile = Some(profile.into());
        self
    }

    /// Retries (default: standard mode, 3 attempts).
    pub fn retry_config(mut self, retry: RetryConfig) -> Self {
        self.given.retry = Some(retry);
        self
    }

    /// Shorthand for `retry_config(RetryConfig::standard().with_max_attempts(n))`; `1` turns retries off.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.given.retry = Some(self.given.retry.unwrap_or_else(RetryConfig::standard).with_max_attempts(attempts));
        self
    }

    /// All timeouts at once (what it leaves unset keeps its default).
    pub fn timeout_config(mut self, timeouts: TimeoutConfig) -> Self {
        self.given.timeouts = timeouts.into_builder();
        self
    }

    /// Connect timeout (default 3.1 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.given.timeouts = self.given.timeouts.connect_timeout(timeout);
        self
    }

    /// The longest wait for the next bytes of an answer (default 60 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.given.timeouts = self.given.timeouts.read_timeout(timeout);
        self
    }

    /// Answers with a longer body are refused with an error, with the bundled HTTP clients
    /// (default 256 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.given.max_response_bytes = Some(limit);
        self
    }

    /// Answers whose decoded output would take more than this are refused with a decode error
    /// (default 256 MiB, [`DEFAULT_MAX_DECODED_BYTES`]): the body limit alone does not bound
    /// memory, since a body of many tiny elements (`<item/>`, 7 bytes) decodes to structs of
    /// hundreds of bytes each. The size is estimated as the list items read, each counted at the
    /// size of its type; a DescribeSecurityGroups page of 2,000 groups with 25 rules each comes
    /// to 10 MB.
    pub fn max_decoded_bytes(mut self, limit: usize) -> Self {
        self.given.max_decoded_bytes = Some(limit);
        self
    }

    /// The application's name, sent in the user agent (`app/…`) so that AWS-side logs tell it
    /// apart (else `AWS_SDK_UA_APP_ID`, else the profile's `sdk_ua_app_id`).
    pub fn app_name(mut self, app_name: AppName) -> Self {
        self.given.app_name = Some(app_name);
        self
    }

    /// Timeout of one attempt (aws-smithy-types' `operation_attempt_timeout`).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.given.timeouts = self.given.timeouts.operation_attempt_timeout(timeout);
        self
    }

    /// Timeout of a whole operation, retries included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.given.timeouts = self.given.timeouts.operation_timeout(timeout);
        self
    }

    /// The source of idempotency tokens for members left unset (default: random UUIDs).
    pub fn idempotency_token_provider(mut self, provider: impl IdempotencyTokenProvider + 'static) -> Self {
        self.given.idempotency_tokens = Some(Arc::new(provider));
        self
    }

    /// Request compression, for operations whose model asks for it.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.given.compression = compression;
        self
    }

    /// Your own async HTTP client (instead of the bundled reqwest one, or with none bundled).
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.given.http_client = Some(Arc::new(client));
        self
    }

    /// Your own blocking HTTP client, for `ec2_sg::blocking::Client`.
    pub fn blocking_http_client(mut self, client: impl BlockingHttpClient + 'static) -> Self {
        self.given.blocking_http_client = Some(Arc::new(client));
        self
    }

    /// The async sleep used for backoff and timeouts (bundled: tokio's).
    pub fn sleep_impl(mut self, sleep: impl AsyncSleep + 'static) -> Self {
        self.given.sleep = Some(Arc::new(sleep));
        self
    }

    /// Read environment variables and shared files from this [`Env`] instead of the process's
    /// (tests, or programs that keep their settings elsewhere).
    pub fn env(mut self, env: Env) -> Self {
        self.given.env = Some(env);
        self
    }

    /// Resolves what was not set and checks it all: the region, the endpoint (a bad URL is an
    /// error here, not at the first call). Credentials are resolved at the first call.
    pub fn build(self) -> Result<Config, Error> {
        let Self { service, default_credentials, given } = self;
        let env = given.env.unwrap_or_else(Env::real);
        let settings = ProfileSources::new(&env, given.profile.clone());
        let region = resolve_region_setting(given.region, &settings)?;
        let use_fips = flag(&settings, given.use_fips, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?;
        let use_dual_stack =
            flag(&settings, given.use_dual_stack, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?;
        let app_name = resolve_app_name(given.app_name, &settings)?;
        let endpoints = ServiceEndpoints {
            region: region.clone(),
            use_fips,
            use_dual_stack,
            endpoint_url: given.endpoint_url,
            env: env.clone(),
            profile: given.profile.clone(),
            resolved: Default::default(),
        };
        // The main service's endpoint is resolved now: a bad URL fails here, not at the first call.
        let endpoint = endpoints.resolve_with(service, &settings.files)?;
        let credentials = given.credentials.unwrap_or_else(|| (default_credentials)(&env, given.profile));
        let retry = check_retry_mode(given.retry.unwrap_or_else(RetryConfig::standard))?;
        let max_response_bytes = given.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        let timeouts = given.timeouts.take_unset_from(default_timeouts()).build();
        let http_client = match given.http_client {
            Some(client) => Some(client),
            None => default_http_client(transport_limits(&timeouts, max_response_bytes))?,
        };
        Ok(Config {
            region,
            endpoint,
            endpoints: Arc::new(endpoints),
            credentials,
            retry,
            timeouts,
            max_response_bytes,
            max_decoded_bytes: given.max_decoded_bytes.unwrap_or(DEFAULT_MAX_DECODED_BYTES),
            app_name,
            idempotency_tokens: given.idempotency_tokens.unwrap_or_else(|| Arc::new(RandomUuidTokens)),
            compression: given.compression,
            http_client,
            blocking_http_client: given.blocking_http_client,
            sleep: given.sleep.or_else(default_sleep),
        })
    }
}

/// A true/false setting: the builder's, else the environment's, else the profile's, else false.
fn flag(
    sources: &ProfileSources<'_>,
    explicit: Option<bool>,
    variable: &str,
    profile_key: &str,
) -> Result<bool, Error> {
    if let Some(value) = explicit {
        return Ok(value);
    }
    match sources.setting(variable, profile_key).map_err(shared_config_error)? {
        Some((value, place)) => parse_flag(&value, &place).map_err(Error::configuration),
        None => Ok(false),
    }
}

/// The region: the builder's (checked like any other), else the environment's, the profile's,
/// or the instance metadata service's.
fn resolve_region_setting(explicit: Option<String>, settings: &ProfileSources<'_>) -> Result<String, Error> {
    match explicit {
        Some(region) if region.trim().is_empty() => Err(Error::configuration("the region is empty")),
        Some(region) => check_region(&region, "Config::builder().region(..)"),
        None => region_from(settings),
    }
}

/// The application name: the builder's, else `AWS_SDK_UA_APP_ID`, else the profile's
/// `sdk_ua_app_id`.
fn resolve_app_name(explicit: Option<AppName>, settings: &ProfileSources<'_>) -> Result<Option<AppName>, Error> {
    if explicit.is_some() {
        return Ok(explicit);
    }
    let Some((value, place)) = settings.setting("AWS_SDK_UA_APP_ID", "sdk_ua_app_id").map_err(shared_config_error)?
    else {
        return Ok(None);
    };
    let app_name = AppName::new(value.trim().to_string()).map_err(|_| {
        Error::configuration(format!(
            "{place} is not a valid application name: letters, digits and !#$%&'*+-.^_`|~ only"
        ))
    })?;
    Ok(Some(app_name))
}

/// Only the standard retry mode is implemented.
fn check_retry_mode(retry: RetryConfig) -> Result<RetryConfig, Error> {
    if retry.mode() != RetryMode::Standard {
        return Err(Error::configuration(format!(
            "retry mode {:?} is not supported: use RetryConfig::standard() (adaptive rate limiting is not implemented)",
            retry.mode()
        )));
    }
    Ok(retry)
}

#[cfg(feature = "reqwest-client")]
fn default_http_client(limits: TransportLimits) -> Result<Option<Arc<dyn HttpClient>>, Error> {
    let client = super::http::ReqwestClient::with_limits(limits).map_err(|e| Error::configuration(e.to_string()))?;
    Ok(Some(Arc::new(client)))
}

#[cfg(not(feature = "reqwest-client"))]
fn default_http_client(_limits: TransportLimits) -> Result<Option<Arc<dyn HttpClient>>, Error> {
    Ok(None)
}

#[cfg(feature = "reqwest-client")]
fn default_sleep() -> Option<Arc<dyn AsyncSleep>> {
    Some(Arc::new(super::http::TokioSleep::new()))
}

#[cfg(not(feature = "reqwest-client"))]
fn default_sleep() -> Option<Arc<dyn AsyncSleep>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::test_support::TempDir;

    /// A temp home whose config file holds `text`.
    fn temp_config(text: &str) -> TempDir {
        let dir = TempDir::new();
        dir.config(text);
        dir
    }

    fn builder(vars: &[(&str, &str)]) -> ConfigBuilder {
        let mut all = vec![("HOME", "/nonexistent-ec2-sg-home")];
        all.extend_from_slice(vars);
        Config::builder().env(Env::from_vars(all)).credentials(Credentials::from_keys("AKID", "SECRET", None))
    }

    #[test]
    fn one_build_reads_each_shared_file_at_most_once() {
        use crate::runtime::profile::FILE_READS;
        let dir = TempDir::new();
        // Every step that can read the files has something to find there: the region, both
        // flags, the application name and the endpoint.
        dir.config(
            "[default]\nregion = eu-west-1\nuse_fips_endpoint = false\nuse_dualstack_endpoint = false\n\
             sdk_ua_app_id = from-profile\nendpoint_url = http://127.0.0.1:5000\n",
        )
        .credentials("[default]\naws_access_key_id = A\naws_secret_access_key = s\n");
        FILE_READS.with(|reads| reads.borrow_mut().clear());
        let config = Config::builder().env(dir.env(&[])).build().unwrap();
        assert_eq!(config.region(), "eu-west-1");
        assert!(endpoint(&config).starts_with("http://127.0.0.1:5000"), "{}", endpoint(&config));
        assert_eq!(config.app_name.map(|a| a.as_ref().to_owned()).as_deref(), Some("from-profile"));
        let reads = FILE_READS.with(|reads| reads.borrow().clone());
        let read = |path: String| reads.get(&std::path::PathBuf::from(path)).copied().unwrap_or(0);
        assert_eq!((read(dir.config_path()), read(dir.credentials_path())), (1, 1), "{reads:?}");
        // Nothing asks the files when everything is given.
        FILE_READS.with(|reads| reads.borrow_mut().clear());
        let explicit = Config::builder().env(dir.env(&[])).region("us-east-1").use_fips(false).use_dual_stack(false);
        explicit.app_name(AppName::new("mine").unwrap()).endpoint_url("http://localhost").build().unwrap();
        assert!(FILE_READS.with(|reads| reads.borrow().is_empty()));
    }

    fn endpoint(config: &Config) -> String {
        let e = config.endpoint();
        format!("{}://{}{}", e.scheme(), e.authority(), e.path())
    }

    #[test]
    fn region_order_explicit_then_environment_then_profile() {
        let file = temp_config("[default]\nregion = eu-central-1\n[profile other]\nregion = ap-south-1\n");
        let path = file.config_path();
        let base = [("AWS_CONFIG_FILE", path.as_str())];
        assert_eq!(builder(&base).build().unwrap().region(), "eu-central-1");
        assert_eq!(builder(&base).profile_name("other").build().unwrap().region(), "ap-south-1");
        let with_default = [base[0], ("AWS_DEFAULT_REGION", "us-west-1")];
        assert_eq!(builder(&with_default).build().unwrap().region(), "us-west-1");
        let with_both = [base[0], ("AWS_DEFAULT_REGION", "us-west-1"), ("AWS_REGION", "us-west-2")];
        assert_eq!(builder(&with_both).build().unwrap().region(), "us-west-2");
        assert_eq!(builder(&with_both).region("sa-east-1").build().unwrap().region(), "sa-east-1");
    }

    #[test]
    fn endpoint_order_and_the_rule_set() {
        let file = temp_config("[default]\nendpoint_url = http://from-profile:1\n");
        let path = file.config_path();
        let profile = [("AWS_CONFIG_FILE", path.as_str()), ("AWS_REGION", "us-east-1")];
        assert_eq!(endpoint(&builder(&profile).build().unwrap()), "http://from-profile:1");
        let global = [profile[0], profile[1], ("AWS_ENDPOINT_URL", "http://global:2")];
        assert_eq!(endpoint(&builder(&global).build().unwrap()), "http://global:2");
        let service = [global[0], global[1], global[2], ("AWS_ENDPOINT_URL_EC2", "http://ec2-only:3/base/")];
        assert_eq!(endpoint(&builder(&service).build().unwrap()), "http://ec2-only:3/base");
        assert_eq!(endpoint(&builder(&service).endpoint_url("https://explicit").build().unwrap()), "https://explicit");

        let region = |r: &str| builder(&[]).region(r);
        assert_eq!(endpoint(&region("us-east-1").build().unwrap()), "https://ec2.us-east-1.amazonaws.com");
        assert_eq!(endpoint(&region("cn-north-1").build().unwrap()), "https://ec2.cn-north-1.amazonaws.com.cn");
        assert_eq!(
            endpoint(&region("us-east-1").use_fips(true).build().unwrap()),
            "https://ec2-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(
            endpoint(&region("us-east-1").use_dual_stack(true).build().unwrap()),
            "https://ec2.us-east-1.api.aws"
        );
        assert_eq!(
            endpoint(&region("us-gov-west-1").use_fips(true).build().unwrap()),
            "https://ec2.us-gov-west-1.amazonaws.com"
        );
    }

    #[test]
    fn application_name_order_builder_environment_profile() {
        let file = temp_config("[default]\nsdk_ua_app_id = from-profile\n[profile bad]\nsdk_ua_app_id = not valid\n");
        let path = file.config_path();
        let base = [("AWS_REGION", "us-east-1"), ("AWS_CONFIG_FILE", path.as_str())];
        let name = |config: Config| config.app_name.map(|a| a.as_ref().to_string());
        assert_eq!(name(builder(&base).build().unwrap()).as_deref(), Some("from-profile"));
        let env = [base[0], base[1], ("AWS_SDK_UA_APP_ID", "from-env")];
        assert_eq!(name(builder(&env).build().unwrap()).as_deref(), Some("from-env"));
        let explicit = builder(&env).app_name(AppName::new("explicit").unwrap()).build().unwrap();
        assert_eq!(name(explicit).as_deref(), Some("explicit"));
        let error = builder(&base).profile_name("bad").build().unwrap_err();
        assert!(error.to_string().contains("sdk_ua_app_id in profile \"bad\""), "{error}");
        assert_eq!(name(builder(&[("AWS_REGION", "us-east-1")]).build().unwrap()), None);
    }

    #[test]
    fn fips_and_dual_stack_from_environment_and_profile() {
        let fips_env = [("AWS_REGION", "us-east-1"), ("AWS_USE_FIPS_ENDPOINT", "TRUE")];
        assert_eq!(endpoint(&builder(&fips_env).build().unwrap()), "https://ec2-fips.us-east-1.amazonaws.com");
        let file = temp_config("[default]\nuse_dualstack_endpoint = true\n");
        let path = file.config_path();
        let profile = [("AWS_REGION", "eu-west-1"), ("AWS_CONFIG_FILE", path.as_str())];
        assert_eq!(endpoint(&builder(&profile).build().unwrap()), "https://ec2.eu-west-1.api.aws");
        assert_eq!(
            endpoint(&builder(&profile).use_dual_stack(false).build().unwrap()),
            "https://ec2.eu-west-1.amazonaws.com"
        );
        let bad = [("AWS_REGION", "us-east-1"), ("AWS_USE_FIPS_ENDPOINT", "yes")];
        let error = builder(&bad).build().unwrap_err();
        assert!(error.to_string().contains("AWS_USE_FIPS_ENDPOINT must be true or false"), "{error}");
    }

    #[test]
    fn bad_endpoints_and_regions_fail_at_build() {
        let error = builder(&[]).region("us-east-1").endpoint_url("not a url").build().unwrap_err();
        assert_eq!(error.kind(), crate::runtime::ErrorKind::Configuration);
        let error = builder(&[]).region("").build().unwrap_err();
        assert!(error.to_string().contains("region is empty"), "{error}");
        let error =
            builder(&[]).region("us-east-1").endpoint_url("https://example.com").use_fips(true).build().unwrap_err();
        assert!(error.to_string().contains("FIPS"), "the rule set refuses FIPS with a custom endpoint: {error}");
    }

    #[test]
    fn timeouts_are_aws_smithy_types_with_defaults_for_what_is_unset() {
        let region = || builder(&[]).region("us-east-1");
        let config = region().build().unwrap();
        assert_eq!(config.timeout_config().connect_timeout(), Some(Duration::from_millis(3100)));
        assert_eq!(config.timeout_config().read_timeout(), Some(Duration::from_secs(60)));
        assert_eq!(config.timeout_config().operation_timeout(), None);
        let custom = TimeoutConfig::builder().operation_timeout(Duration::from_secs(5)).disable_read_timeout().build();
        let timeouts = region().timeout_config(custom).build().unwrap().timeout_config().clone();
        assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(5)));
        assert_eq!(timeouts.read_timeout(), None, "disabled stays disabled");
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_millis(3100)), "unset gets the default");
        let config = region().attempt_timeout(Duration::from_secs(2)).build().unwrap();
        assert_eq!(config.timeout_config().operation_attempt_timeout(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn explicit_regions_are_checked_like_the_others() {
        // "evil.com/x" sent the signed request to https://ec2.evil.com/x.amazonaws.com/.
        for bad in ["evil.com/x", "us-east-1.evil.com", "-us-east-1", "us-east-1-", "us east 1", &"a".repeat(64)] {
            let error = builder(&[]).region(bad).build().unwrap_err();
            assert_eq!(error.kind(), crate::runtime::ErrorKind::Configuration, "{bad}");
            assert!(error.to_string().contains("invalid AWS region"), "{bad}: {error}");
        }
        for good in ["us-east-1", "eu-central-1", "us-gov-west-1", "local"] {
            assert_eq!(builder(&[]).region(good).build().unwrap().region(), good);
        }
    }
}
