//! AWS credentials, where they come from, and the region and endpoint URL settings that live
//! beside them (environment variables and the shared config files).
//!
//! Sources, in the order [`DefaultCredentialsChain`] tries them:
//! 1. the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
//! 2. the selected profile (`AWS_PROFILE`, else `default`) of `~/.aws/credentials` and
//!    `~/.aws/config`: static keys, or a `credential_process`.
//!
//! Secrets (the secret access key and the session token) never appear in `Debug` output or in
//! an error message, and neither does the output of a `credential_process`.

use std::fmt;
use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use super::env::Env;
use super::http::BoxFuture;
use super::json::{self, Value};
use super::profile::{ProfileError, ProfileSet};
use super::timestamp::{parse_timestamp, TimestampFormat};

const REDACTED: &str = "** redacted **";
/// How long a `credential_process` may run before it is killed.
pub const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);
/// Cached credentials are refreshed this long before they expire.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);
/// At most this many characters of a failed `credential_process`'s stderr go in the error.
const STDERR_CHARS: usize = 500;
/// Output of a `credential_process` beyond this many bytes (per stream) is discarded.
const MAX_PROCESS_OUTPUT: usize = 1 << 20;
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Profile keys for credential sources this SDK cannot use yet (they need STS or SSO).
const UNSUPPORTED_PROFILE_KEYS: &[&str] = &[
    "role_arn",
    "source_profile",
    "credential_source",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
];

const ENV_NOT_SET: &str = "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set)";
const CREDENTIAL_KEYS: &[&str] = &["aws_access_key_id", "credential_process"];

/// A set of AWS credentials: an access key id, its secret, an optional session token and
/// expiry, and the name of the provider that made them.
///
/// `Debug` shows the access key id but never the secret access key or the session token.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
    provider: &'static str,
}

impl Credentials {
    /// Credentials from their parts, with no expiry and the provider name `"static"`.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expiry: None,
            provider: "static",
        }
    }

    /// Sets when the credentials stop being valid.
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// Sets the name of the provider that made the credentials (shown in `Debug`).
    pub fn with_provider(mut self, name: &'static str) -> Self {
        self.provider = name;
        self
    }

    /// The access key id (`AKIA…`/`ASIA…`); not a secret.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// When the credentials expire, if they do.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// The provider that made the credentials: `"static"`, `"environment"`, `"profile"`,
    /// `"process"`, or a name given to [`Self::with_provider`].
    pub fn provider(&self) -> &'static str {
        self.provider
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("provider", &self.provider)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &REDACTED)
            .field("session_token", &self.session_token.as_ref().map(|_| REDACTED))
            .field("expiry", &self.expiry)
            .finish()
    }
}

/// Why credentials (or a region or endpoint setting) could not be had. The message never holds
/// a secret.
///
/// An error is either *not loaded* (the source simply had nothing: see
/// [`Self::is_not_loaded`]), or a real problem (a malformed file, a failing
/// `credential_process`, only half of a key pair) that a chain of providers must not skip past.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsError {
    message: String,
    not_loaded: bool,
}

impl CredentialsError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), not_loaded: false }
    }

    /// A source that had nothing to give; a chain goes on to its next source.
    pub fn not_loaded(message: impl Into<String>) -> Self {
        Self { message: message.into(), not_loaded: true }
    }

    /// Whether the source simply had nothing (as opposed to a real problem).
    pub fn is_not_loaded(&self) -> bool {
        self.not_loaded
    }

    /// The message (as `Display` shows it).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {}

impl From<ProfileError> for CredentialsError {
    fn from(err: ProfileError) -> Self {
        Self::new(format!("invalid AWS shared config: {err}"))
    }
}

/// Anything that can give credentials (implement it to plug in your own source).
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Gives credentials, or says why it cannot. Called for every request unless wrapped in a
    /// [`CachingProvider`] (as [`crate::ConfigBuilder::credentials_provider`] does).
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError>;

    /// What the async client calls. The default calls [`Self::provide_credentials`] in place,
    /// which suits a provider that answers at once; [`CachingProvider`] runs a refresh on a
    /// thread of its own, so a slow source (a `credential_process`) never blocks the executor.
    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(self.provide_credentials()))
    }
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide_credentials()
    }

    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials_async()
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Box<P> {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide_credentials()
    }

    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials_async()
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (plus `AWS_SESSION_TOKEN`
/// when set); provider name `"environment"`.
///
/// Neither key set is a *not loaded* error; only one of them set is a real error naming the
/// missing one.
#[derive(Clone, Debug, Default)]
pub struct EnvironmentCredentials {
    env: Env,
}

impl EnvironmentCredentials {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment.
    pub fn with_env(env: Env) -> Self {
        Self { env }
    }
}

impl ProvideCredentials for EnvironmentCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        env_credentials(&self.env)
    }
}

fn env_credentials(env: &Env) -> Result<Credentials, CredentialsError> {
    match (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => {
            Ok(Credentials::new(id, secret, env.get("AWS_SESSION_TOKEN")).with_provider("environment"))
        }
        (None, None) => Err(CredentialsError::not_loaded(ENV_NOT_SET)),
        (Some(_), None) => Err(CredentialsError::new(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both environment variables, or neither",
        )),
        (None, Some(_)) => Err(CredentialsError::new(
            "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both environment variables, or neither",
        )),
    }
}

/// Credentials from a profile of the shared files: its `aws_access_key_id`,
/// `aws_secret_access_key` and `aws_session_token` (provider name `"profile"`), or else the
/// output of its `credential_process` (provider name `"process"`).
///
/// The profile is the one given to [`Self::with_profile`], else `AWS_PROFILE`, else `default`.
/// The files are read on every call; wrap the provider in a [`CachingProvider`] to avoid that.
#[derive(Clone, Debug)]
pub struct ProfileCredentials {
    env: Env,
    profile: Option<String>,
    process_timeout: Duration,
}

impl Default for ProfileCredentials {
    fn default() -> Self {
        Self { env: Env::real(), profile: None, process_timeout: DEFAULT_PROCESS_TIMEOUT }
    }
}

impl ProfileCredentials {
    /// Reads the files named by the process environment, for the selected profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the files named by the given environment.
    pub fn with_env(env: Env) -> Self {
        Self { env, ..Self::default() }
    }

    /// Uses this profile instead of `AWS_PROFILE`/`default`.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// How long a `credential_process` may run before it is killed (default 60 s).
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }
}

impl ProvideCredentials for ProfileCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let profile = self.profile.clone().unwrap_or_else(|| ProfileSet::selected(&self.env));
        match profile_credentials(&self.env, &profile, self.process_timeout)? {
            ProfileOutcome::Found(credentials) => Ok(credentials),
            ProfileOutcome::Missing(places) => Err(CredentialsError::not_loaded(format!(
                "no AWS credentials in profile {profile:?}. Looked at: {}",
                places.join("; ")
            ))),
        }
    }
}

enum ProfileOutcome {
    Found(Credentials),
    /// Nothing there; where it was looked for.
    Missing(Vec<String>),
}

fn profile_credentials(env: &Env, profile: &str, timeout: Duration) -> Result<ProfileOutcome, CredentialsError> {
    let set = ProfileSet::load(env)?;
    let where_ = |key: &str| set.source_of(profile, key).unwrap_or("the shared files").to_owned();
    match (set.get(profile, "aws_access_key_id"), set.get(profile, "aws_secret_access_key")) {
        (Some(id), Some(secret)) => {
            let token = set.get(profile, "aws_session_token").map(str::to_owned);
            return Ok(ProfileOutcome::Found(Credentials::new(id, secret, token).with_provider("profile")));
        }
        (Some(_), None) => {
            return Err(CredentialsError::new(format!(
                "profile {profile:?} in {} has aws_access_key_id but no aws_secret_access_key",
                where_("aws_access_key_id")
            )));
        }
        (None, Some(_)) => {
            return Err(CredentialsError::new(format!(
                "profile {profile:?} in {} has aws_secret_access_key but no aws_access_key_id",
                where_("aws_secret_access_key")
            )));
        }
        (None, None) => {}
    }
    if let Some(command) = set.get(profile, "credential_process") {
        return run_credential_process(command, profile, timeout).map(ProfileOutcome::Found);
    }
    if let Some(key) = UNSUPPORTED_PROFILE_KEYS.iter().find(|key| set.get(profile, key).is_some()) {
        return Err(CredentialsError::new(format!(
            "profile {profile:?} in {} gets its credentials through `{key}`, which this SDK does not support yet \
             (it needs STS or SSO); use static keys, a credential_process, or the environment variables",
            where_(key)
        )));
    }
    Ok(ProfileOutcome::Missing(set.places(profile, CREDENTIAL_KEYS)))
}

/// The usual chain: the environment variables, then the profile (static keys or
/// `credential_process`). When nothing is found, one *not loaded* error names every place
/// looked at; a real problem in a source (half a key pair, a malformed file, a failing process)
/// stops the chain with that error.
///
/// A profile chosen with [`Self::with_profile`] is an explicit request for that profile, so the
/// environment keys are then not consulted (as boto3 does for `Session(profile_name=…)`);
/// `AWS_PROFILE` does not have that effect.
#[derive(Clone, Debug, Default)]
pub struct DefaultCredentialsChain {
    /// The profile step, which also holds the environment both steps read.
    profile: ProfileCredentials,
}

impl DefaultCredentialsChain {
    /// Reads the process environment and the files it names.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the given environment and the files it names.
    pub fn with_env(env: Env) -> Self {
        Self { profile: ProfileCredentials::with_env(env) }
    }

    /// Uses this profile (and skips the environment keys) instead of `AWS_PROFILE`/`default`.
    pub fn with_profile(self, name: impl Into<String>) -> Self {
        Self { profile: self.profile.with_profile(name) }
    }

    /// How long a `credential_process` may run before it is killed (default 60 s).
    pub fn with_process_timeout(self, timeout: Duration) -> Self {
        Self { profile: self.profile.with_process_timeout(timeout) }
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let ProfileCredentials { env, profile: chosen, process_timeout } = &self.profile;
        let mut places: Vec<String> = Vec::new();
        let profile = match chosen {
            Some(profile) => {
                places.push(format!(
                    "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (skipped: profile {profile:?} was chosen explicitly)"
                ));
                profile.clone()
            }
            None => {
                match env_credentials(env) {
                    Ok(credentials) => return Ok(credentials),
                    Err(err) if err.is_not_loaded() => places.push(ENV_NOT_SET.to_owned()),
                    Err(err) => return Err(err),
                }
                ProfileSet::selected(env)
            }
        };
        match profile_credentials(env, &profile, *process_timeout)? {
            ProfileOutcome::Found(credentials) => Ok(credentials),
            ProfileOutcome::Missing(more) => {
                places.extend(more);
                Err(CredentialsError::not_loaded(format!(
                    "no AWS credentials found. Looked at: {}. Set credentials with Config::builder().credentials(..), \
                     the environment, or the shared files.",
                    places.join("; ")
                )))
            }
        }
    }
}

/// Caches another provider's credentials until 5 minutes before they expire; credentials
/// without an expiry are cached for good. Errors are not cached. One refresh runs at a time:
/// concurrent callers wait for it and share its outcome, blocking callers on a condition
/// variable, async ones as a pending future (the refresh itself runs on a thread of its own, so
/// a `credential_process` never blocks an async executor).
pub struct CachingProvider<P> {
    inner: Arc<P>,
    cache: Arc<Cache>,
}

#[derive(Default)]
struct Cache {
    state: Mutex<CacheState>,
    refreshed: Condvar,
}

#[derive(Default)]
struct CacheState {
    credentials: Option<Credentials>,
    /// A refresh is running.
    refreshing: bool,
    /// Counts finished refreshes: a waiter takes the outcome of the one it waited for.
    generation: u64,
    /// The outcome of the last finished refresh.
    outcome: Option<Result<Credentials, CredentialsError>>,
    /// Async callers waiting for the running refresh.
    wakers: Vec<Waker>,
}

impl CacheState {
    fn fresh(&self) -> Option<Credentials> {
        self.credentials.as_ref().filter(|c| is_fresh(c, SystemTime::now())).cloned()
    }

    /// The outcome of the refresh that was running at `generation`, once it has finished.
    fn outcome_since(&self, generation: u64) -> Option<Result<Credentials, CredentialsError>> {
        if self.generation == generation {
            return None;
        }
        Some(self.outcome.clone().unwrap_or_else(|| Err(CredentialsError::new("the credentials refresh failed"))))
    }
}

impl Cache {
    fn lock(&self) -> MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a refresh's outcome and wakes everyone waiting for it.
    fn finish(&self, outcome: Result<Credentials, CredentialsError>) -> Result<Credentials, CredentialsError> {
        let wakers = {
            let mut state = self.lock();
            if let Ok(credentials) = &outcome {
                state.credentials = Some(credentials.clone());
            }
            state.outcome = Some(outcome.clone());
            state.generation += 1;
            state.refreshing = false;
            std::mem::take(&mut state.wakers)
        };
        self.refreshed.notify_all();
        wakers.into_iter().for_each(Waker::wake);
        outcome
    }
}

/// Ends a refresh even if the provider panics, so that waiters are not left waiting.
struct RefreshGuard<'a>(Option<&'a Cache>);

impl RefreshGuard<'_> {
    fn finish(mut self, outcome: Result<Credentials, CredentialsError>) -> Result<Credentials, CredentialsError> {
        match self.0.take() {
            Some(cache) => cache.finish(outcome),
            None => outcome,
        }
    }
}

impl Drop for RefreshGuard<'_> {
    fn drop(&mut self) {
        if let Some(cache) = self.0.take() {
            let _ = cache.finish(Err(CredentialsError::new("the credentials provider panicked")));
        }
    }
}

impl<P: ProvideCredentials + 'static> CachingProvider<P> {
    /// Wraps `inner`; the first call asks it for credentials.
    pub fn new(inner: P) -> Self {
        Self { inner: Arc::new(inner), cache: Arc::default() }
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// Drops the cached credentials, so the next call asks the wrapped provider again (e.g.
    /// after the service rejected them).
    pub fn invalidate(&self) {
        self.cache.lock().credentials = None;
    }
}

impl<P: ProvideCredentials + 'static> ProvideCredentials for CachingProvider<P> {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let mut state = self.cache.lock();
        if let Some(credentials) = state.fresh() {
            return Ok(credentials);
        }
        if state.refreshing {
            let generation = state.generation;
            let state = self
                .cache
                .refreshed
                .wait_while(state, |s| s.generation == generation)
                .unwrap_or_else(PoisonError::into_inner);
            return state.outcome_since(generation).unwrap_or_else(|| Err(CredentialsError::new("no refresh")));
        }
        state.refreshing = true;
        drop(state);
        let guard = RefreshGuard(Some(&self.cache));
        guard.finish(self.inner.provide_credentials())
    }

    fn provide_credentials_async(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let (inner, cache) = (self.inner.clone(), self.cache.clone());
        let mut waiting_for: Option<u64> = None;
        Box::pin(std::future::poll_fn(move |cx| {
            let mut state = cache.lock();
            if let Some(generation) = waiting_for {
                if let Some(outcome) = state.outcome_since(generation) {
                    return Poll::Ready(outcome);
                }
            } else if let Some(credentials) = state.fresh() {
                return Poll::Ready(Ok(credentials));
            } else {
                waiting_for = Some(state.generation);
                if !state.refreshing {
                    state.refreshing = true;
                    let (inner, refresh_cache) = (inner.clone(), cache.clone());
                    let spawned = std::thread::Builder::new().name("ec2-sg-credentials".into()).spawn(move || {
                        let guard = RefreshGuard(Some(&refresh_cache));
                        let _ = guard.finish(inner.provide_credentials());
                    });
                    if let Err(e) = spawned {
                        state.refreshing = false;
                        return Poll::Ready(Err(CredentialsError::new(format!(
                            "cannot start a thread to refresh credentials: {e}"
                        ))));
                    }
                }
            }
            if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                state.wakers.push(cx.waker().clone());
            }
            Poll::Pending
        }))
    }
}

fn is_fresh(credentials: &Credentials, now: SystemTime) -> bool {
    match credentials.expiry() {
        None => true,
        Some(expiry) => now.checked_add(REFRESH_BEFORE_EXPIRY).is_some_and(|refresh_at| refresh_at < expiry),
    }
}

impl<P: fmt::Debug> fmt::Debug for CachingProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.cache.state.lock().map(|c| c.credentials.is_some()).unwrap_or(false);
        f.debug_struct("CachingProvider").field("inner", &self.inner).field("cached", &cached).finish()
    }
}

/// Region: AWS_REGION, then AWS_DEFAULT_REGION, then the selected profile's `region`; the
/// error names every place looked at.
pub fn resolve_region(env: &Env) -> Result<String, CredentialsError> {
    resolve_region_for_profile(env, None)
}

/// [`resolve_region`] with the profile given explicitly (`None`: `AWS_PROFILE`, else `default`).
/// The environment variables still come first.
pub fn resolve_region_for_profile(env: &Env, profile: Option<&str>) -> Result<String, CredentialsError> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = env.get(var) {
            return check_region(&region, var);
        }
    }
    let profile = profile.map_or_else(|| ProfileSet::selected(env), str::to_owned);
    let set = ProfileSet::load(env)?;
    if let Some(region) = set.get(&profile, "region") {
        let file = set.source_of(&profile, "region").unwrap_or("the shared files");
        return check_region(region, &format!("`region` of profile {profile:?} in {file}"));
    }
    Err(CredentialsError::not_loaded(format!(
        "no AWS region found. Looked at: environment variable AWS_REGION (not set); environment variable \
         AWS_DEFAULT_REGION (not set); {}. Set one with Config::builder().region(..), AWS_REGION, or `region = ...` \
         in the profile.",
        set.places(&profile, &["region"]).join("; ")
    )))
}

/// A region goes into a host name, whatever its source: it must be one host label (1 to 63
/// letters, digits and `-`, not starting or ending with `-`), as botocore's `validate_region_name`.
pub(crate) fn check_region(region: &str, from: &str) -> Result<String, CredentialsError> {
    let label = region.len() <= 63
        && region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if label && !region.is_empty() {
        Ok(region.to_owned())
    } else {
        Err(CredentialsError::new(format!(
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
pub fn resolve_endpoint_url(env: &Env, service_env_suffix: &str) -> Result<Option<String>, CredentialsError> {
    resolve_endpoint_url_for_profile(env, service_env_suffix, None)
}

/// [`resolve_endpoint_url`] with the profile given explicitly (`None`: `AWS_PROFILE`, else
/// `default`).
pub fn resolve_endpoint_url_for_profile(
    env: &Env,
    service_env_suffix: &str,
    profile: Option<&str>,
) -> Result<Option<String>, CredentialsError> {
    let ignore_from_env = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").map(|v| v.trim().eq_ignore_ascii_case("true"));
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
    let profile = profile.map_or_else(|| ProfileSet::selected(env), str::to_owned);
    let set = ProfileSet::load(env)?;
    if ignore_from_env.is_none()
        && set.get(&profile, "ignore_configured_endpoint_urls").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Ok(None);
    }
    let from_services = set
        .get(&profile, "services")
        .and_then(|section| set.service_setting(section, &service.to_ascii_lowercase(), "endpoint_url"));
    Ok(from_services.or_else(|| set.get(&profile, "endpoint_url").map(str::to_owned)))
}

/// Runs a profile's `credential_process` and reads its JSON output.
fn run_credential_process(command: &str, profile: &str, timeout: Duration) -> Result<Credentials, CredentialsError> {
    let what = format!("the credential_process of profile {profile:?}");
    let output = run_bounded(shell_command(command), timeout)
        .map_err(|problem| CredentialsError::new(format!("{what} {problem}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr: String = stderr.trim().chars().take(STDERR_CHARS).collect();
        let status = match output.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_owned(),
        };
        let detail = if stderr.is_empty() { String::new() } else { format!(": {stderr}") };
        return Err(CredentialsError::new(format!("{what} failed ({status}){detail}")));
    }
    if output.stdout_truncated {
        return Err(CredentialsError::new(format!("{what} printed more than {MAX_PROCESS_OUTPUT} bytes")));
    }
    let text = std::str::from_utf8(&output.stdout)
        .map_err(|_| CredentialsError::new(format!("{what} printed output that is not UTF-8")))?;
    parse_process_output(text, SystemTime::now())
        .map_err(|problem| CredentialsError::new(format!("{what} printed {problem}")))
}

/// Reads the JSON document a `credential_process` prints (`{"Version": 1, "AccessKeyId": …,
/// "SecretAccessKey": …, "SessionToken": …, "Expiration": …}`), as the default chain does: for a
/// provider of your own that runs such a process. Credentials that have expired are refused, and
/// no error quotes a secret.
pub fn parse_credential_process_output(json: &str) -> Result<Credentials, CredentialsError> {
    parse_process_output(json, SystemTime::now())
        .map_err(|problem| CredentialsError::new(format!("the credential_process printed {problem}")))
}

/// Reads `{"Version": 1, "AccessKeyId": …, "SecretAccessKey": …, "SessionToken": …,
/// "Expiration": …}`; the error says what is wrong without quoting any secret. Credentials that
/// have already expired at `now` are refused, as botocore does: signing with them only fails.
fn parse_process_output(text: &str, now: SystemTime) -> Result<Credentials, String> {
    let members = json::parse_object(text)?;
    let get = |name: &str| json::member(&members, name);
    match get("Version") {
        Some(Value::Number(version)) if *version == 1.0 => {}
        Some(Value::Number(other)) => return Err(format!("JSON with unsupported Version {other} (expected 1)")),
        Some(other) => return Err(format!("JSON whose Version is {} (expected the number 1)", other.type_name())),
        None => return Err("JSON without a Version (expected \"Version\": 1)".to_owned()),
    }
    let required = |name: &str| match get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(format!("JSON with an empty {name}")),
        Some(other) => Err(format!("JSON whose {name} is {} (expected a string)", other.type_name())),
        None => Err(format!("JSON without {name}")),
    };
    let optional = |name: &str| match get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(Value::String(_) | Value::Null) | None => Ok(None),
        Some(other) => Err(format!("JSON whose {name} is {} (expected a string)", other.type_name())),
    };
    let access_key_id = required("AccessKeyId")?;
    let secret_access_key = required("SecretAccessKey")?;
    let session_token = optional("SessionToken")?;
    let mut credentials = Credentials::new(access_key_id, secret_access_key, session_token).with_provider("process");
    if let Some(expiration) = optional("Expiration")? {
        let expiry = parse_timestamp(&expiration, TimestampFormat::DateTime)
            .map_err(|e| format!("an invalid Expiration: {e}"))
            .and_then(|date| SystemTime::try_from(date).map_err(|e| format!("an Expiration out of range: {e}")))?;
        if expiry <= now {
            return Err(format!("credentials that expired at {expiration}; they cannot sign requests"));
        }
        credentials = credentials.with_expiry(expiry);
    }
    Ok(credentials)
}

fn shell_command(command: &str) -> Command {
    #[cfg(windows)]
    let mut cmd = {
        let mut cmd = Command::new("cmd");
        cmd.arg("/C").arg(command);
        cmd
    };
    #[cfg(not(windows))]
    let mut cmd = {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(command);
        cmd
    };
    #[cfg(unix)]
    {
        // Its own process group, so a timeout can kill whatever the shell started too.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

struct ProcessOutput {
    status: ExitStatus,
    stdout: Vec<u8>,
    stdout_truncated: bool,
    stderr: Vec<u8>,
}

/// Runs `cmd` to completion (exit and both pipes closed) or until `timeout`, when it (and its
/// process group) is killed. The error completes "the credential_process of profile … ".
fn run_bounded(mut cmd: Command, timeout: Duration) -> Result<ProcessOutput, String> {
    let deadline = Instant::now() + timeout;
    let mut child = cmd.spawn().map_err(|e| format!("could not be started: {e}"))?;

    // Read both pipes on their own threads so a chatty process never blocks on a full pipe.
    let (tx, rx) = mpsc::channel::<(bool, Vec<u8>, bool)>();
    let mut stdout = None;
    let mut stderr = None;
    for (is_stdout, pipe) in [
        (true, child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>)),
        (false, child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>)),
    ] {
        let Some(pipe) = pipe else {
            let slot = if is_stdout { &mut stdout } else { &mut stderr };
            *slot = Some((Vec::new(), false));
            continue;
        };
        let tx = tx.clone();
        let spawned = std::thread::Builder::new().name("credential_process-reader".to_owned()).spawn(move || {
            let (bytes, truncated) = read_capped(pipe);
            let _ = tx.send((is_stdout, bytes, truncated));
        });
        if let Err(e) = spawned {
            kill(&mut child);
            return Err(format!("could not be watched: {e}"));
        }
    }
    drop(tx);

    let mut status = None;
    loop {
        if status.is_none() {
            match child.try_wait() {
                Ok(s) => status = s,
                Err(e) => {
                    kill(&mut child);
                    return Err(format!("could not be waited for: {e}"));
                }
            }
        }
        if let (Some(status), Some((stdout, stdout_truncated)), Some((stderr, _))) = (status, &stdout, &stderr) {
            return Ok(ProcessOutput {
                status,
                stdout: stdout.clone(),
                stdout_truncated: *stdout_truncated,
                stderr: stderr.clone(),
            });
        }
        let now = Instant::now();
        if now >= deadline {
            kill(&mut child);
            return Err(format!("did not finish within {} s and was stopped", timeout.as_secs_f64()));
        }
        let wait = POLL_INTERVAL.min(deadline - now);
        match rx.recv_timeout(wait) {
            Ok((true, bytes, truncated)) => stdout = Some((bytes, truncated)),
            Ok((false, bytes, truncated)) => stderr = Some((bytes, truncated)),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                // Both readers are done; only the exit status is missing.
                stdout.get_or_insert_with(|| (Vec::new(), false));
                stderr.get_or_insert_with(|| (Vec::new(), false));
                std::thread::sleep(wait);
            }
        }
    }
}

/// Reads to the end, keeping the first [`MAX_PROCESS_OUTPUT`] bytes; the flag says whether more came.
fn read_capped(mut pipe: impl Read) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut buf = [0u8; 8192];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = MAX_PROCESS_OUTPUT.saturating_sub(kept.len());
                let chunk = buf.get(..n).unwrap_or(&[]);
                if chunk.len() > room {
                    truncated = true;
                }
                kept.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or(&[]));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    (kept, truncated)
}

/// Kills the child and, on unix, its whole process group; then reaps it.
fn kill(child: &mut Child) {
    #[cfg(unix)]
    {
        // The group id is the child's pid (`process_group(0)`); a number we made, not input.
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -9 -{} 2>/dev/null", child.id()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "FwoGZXIvYXdzEXAMPLETOKEN";

    /// A directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("ec2-sg-credentials-test-{}-{}", std::process::id(), n));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(path.join(".aws")).unwrap();
            Self(path)
        }

        fn path(&self) -> &Path {
            &self.0
        }

        fn config(&self, text: &str) -> &Self {
            std::fs::write(self.0.join(".aws").join("config"), text).unwrap();
            self
        }

        fn credentials(&self, text: &str) -> &Self {
            std::fs::write(self.0.join(".aws").join("credentials"), text).unwrap();
            self
        }

        fn config_path(&self) -> String {
            self.0.join(".aws").join("config").display().to_string()
        }

        fn credentials_path(&self) -> String {
            self.0.join(".aws").join("credentials").display().to_string()
        }

        /// An environment whose home is this directory, plus `vars`.
        fn env(&self, vars: &[(&str, &str)]) -> Env {
            let mut all: Vec<(String, String)> = vec![("HOME".into(), self.0.display().to_string())];
            all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            Env::from_vars(all)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn process_profile(command: &str) -> String {
        format!("[default]\ncredential_process = {command}\n")
    }

    // --- Credentials ---

    #[test]
    fn debug_never_shows_secrets() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, Some(TOKEN.to_owned()));
        let debug = format!("{credentials:?}");
        assert!(debug.contains("AKIDEXAMPLE"), "{debug}");
        assert!(debug.contains(REDACTED), "{debug}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(!debug.contains(TOKEN), "{debug}");
        let cached = CachingProvider::new(credentials.clone());
        cached.provide_credentials().unwrap();
        let debug = format!("{cached:?}");
        assert!(!debug.contains(SECRET) && !debug.contains(TOKEN), "{debug}");
        let env = Env::from_vars([("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", SECRET)]);
        for debug in [
            format!("{:?}", EnvironmentCredentials::with_env(env.clone())),
            format!("{:?}", DefaultCredentialsChain::with_env(env.clone())),
            format!("{:?}", env_credentials(&env).unwrap()),
        ] {
            assert!(!debug.contains(SECRET), "{debug}");
        }
    }

    #[test]
    fn static_credentials_and_accessors() {
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let credentials = Credentials::new("AKID", "SECRET", None).with_expiry(expiry).with_provider("mine");
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.secret_access_key(), "SECRET");
        assert_eq!(credentials.session_token(), None);
        assert_eq!(credentials.expiry(), Some(expiry));
        assert_eq!(credentials.provider(), "mine");
        assert_eq!(Credentials::new("A", "S", None).provider(), "static");
        let provided = credentials.provide_credentials().unwrap();
        assert_eq!(provided.access_key_id(), "AKID");
        let shared: Arc<dyn ProvideCredentials> = Arc::new(credentials);
        assert_eq!(shared.provide_credentials().unwrap().provider(), "mine");
    }

    // --- environment ---

    #[test]
    fn environment_credentials_with_session_token() {
        let env = Env::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ]);
        let credentials = EnvironmentCredentials::with_env(env).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.secret_access_key(), SECRET);
        assert_eq!(credentials.session_token(), Some(TOKEN));
        assert_eq!(credentials.provider(), "environment");
    }

    #[test]
    fn environment_partial_keys_are_errors_naming_the_missing_one() {
        let err = EnvironmentCredentials::with_env(Env::from_vars([("AWS_ACCESS_KEY_ID", "AKID")]))
            .provide_credentials()
            .unwrap_err();
        assert!(!err.is_not_loaded());
        assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY is not"), "{err}");

        let env = Env::from_vars([("AWS_SECRET_ACCESS_KEY", SECRET)]);
        let err = EnvironmentCredentials::with_env(env.clone()).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID is not"), "{err}");
        assert!(!err.to_string().contains(SECRET), "{err}");
        // The chain stops there instead of falling back to another identity.
        let err = DefaultCredentialsChain::with_env(env).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID is not"), "{err}");
    }

    #[test]
    fn environment_nothing_set_is_not_loaded() {
        let err = EnvironmentCredentials::with_env(Env::from_vars([("AWS_SESSION_TOKEN", "t")]))
            .provide_credentials()
            .unwrap_err();
        assert!(err.is_not_loaded());
    }

    // --- profile ---

    #[test]
    fn profile_static_keys_and_session_token() {
        let dir = TempDir::new();
        dir.credentials(&format!(
            "[default]\naws_access_key_id = AKID\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
        ));
        let credentials = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.secret_access_key(), SECRET);
        assert_eq!(credentials.session_token(), Some(TOKEN));
        assert_eq!(credentials.provider(), "profile");
    }

    #[test]
    fn profile_selection_aws_profile_and_explicit() {
        let dir = TempDir::new();
        dir.credentials("[default]\naws_access_key_id = D\naws_secret_access_key = s\n[dev]\naws_access_key_id = DEV\naws_secret_access_key = s\n[prod]\naws_access_key_id = PROD\naws_secret_access_key = s\n");
        let env = dir.env(&[("AWS_PROFILE", "dev")]);
        assert_eq!(ProfileCredentials::with_env(env.clone()).provide_credentials().unwrap().access_key_id(), "DEV");
        let explicit = ProfileCredentials::with_env(env).with_profile("prod");
        assert_eq!(explicit.provide_credentials().unwrap().access_key_id(), "PROD");
    }

    #[test]
    fn credentials_file_beats_config_file() {
        let dir = TempDir::new();
        dir.config("[profile dev]\naws_access_key_id = FROM_CONFIG\naws_secret_access_key = c\nregion = eu-west-1\n")
            .credentials("[dev]\naws_access_key_id = FROM_CREDENTIALS\naws_secret_access_key = k\n");
        let env = dir.env(&[("AWS_PROFILE", "dev")]);
        let credentials = ProfileCredentials::with_env(env).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "FROM_CREDENTIALS");
        assert_eq!(credentials.secret_access_key(), "k");
    }

    #[test]
    fn keys_in_config_file_work_too() {
        let dir = TempDir::new();
        dir.config("[profile dev]\naws_access_key_id = FROM_CONFIG\naws_secret_access_key = c\n");
        let credentials = ProfileCredentials::with_env(dir.env(&[])).with_profile("dev").provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "FROM_CONFIG");
    }

    #[test]
    fn config_profile_prefix_is_required_and_literal_in_credentials() {
        let dir = TempDir::new();
        // `[dev]` in the config file is not a profile; `[profile dev]` in credentials is "profile dev".
        dir.config("[dev]\naws_access_key_id = A\naws_secret_access_key = s\n")
            .credentials("[profile dev]\naws_access_key_id = B\naws_secret_access_key = s\n");
        let err = ProfileCredentials::with_env(dir.env(&[])).with_profile("dev").provide_credentials().unwrap_err();
        assert!(err.is_not_loaded(), "{err}");
        let literal = ProfileCredentials::with_env(dir.env(&[])).with_profile("profile dev");
        assert_eq!(literal.provide_credentials().unwrap().access_key_id(), "B");
    }

    #[test]
    fn profile_half_a_key_pair_is_an_error() {
        let dir = TempDir::new();
        dir.credentials(&format!("[default]\naws_secret_access_key = {SECRET}\n"));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(!err.is_not_loaded());
        assert!(err.to_string().contains("no aws_access_key_id"), "{err}");
        assert!(err.to_string().contains(&dir.credentials_path()), "{err}");
        assert!(!err.to_string().contains(SECRET), "{err}");
    }

    #[test]
    fn malformed_file_error_names_file_and_line_and_stops_the_chain() {
        let dir = TempDir::new();
        dir.credentials(&format!("[default]\naws_access_key_id = A\naws_secret_access_key {SECRET}\n"));
        let err = DefaultCredentialsChain::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(!err.is_not_loaded());
        assert!(err.to_string().contains(&format!("{}, line 3", dir.credentials_path())), "{err}");
        assert!(!err.to_string().contains(SECRET), "{err}");
    }

    #[test]
    fn unsupported_profile_sources_are_named() {
        let dir = TempDir::new();
        dir.config(
            "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n\
                    [profile sso]\nsso_session = corp\n",
        );
        let env = dir.env(&[]);
        let err = ProfileCredentials::with_env(env.clone()).with_profile("dev").provide_credentials().unwrap_err();
        assert!(!err.is_not_loaded());
        assert!(err.to_string().contains("`role_arn`"), "{err}");
        assert!(err.to_string().contains("not support"), "{err}");
        let err = ProfileCredentials::with_env(env).with_profile("sso").provide_credentials().unwrap_err();
        assert!(err.to_string().contains("`sso_session`"), "{err}");
    }

    // --- the chain ---

    #[test]
    fn environment_beats_files() {
        let dir = TempDir::new();
        dir.credentials("[default]\naws_access_key_id = FROM_FILE\naws_secret_access_key = f\n");
        let env = dir.env(&[("AWS_ACCESS_KEY_ID", "FROM_ENV"), ("AWS_SECRET_ACCESS_KEY", "e")]);
        let credentials = DefaultCredentialsChain::with_env(env.clone()).provide_credentials().unwrap();
        assert_eq!((credentials.access_key_id(), credentials.provider()), ("FROM_ENV", "environment"));
        // An explicitly chosen profile is used as asked.
        let chosen = DefaultCredentialsChain::with_env(env).with_profile("default").provide_credentials().unwrap();
        assert_eq!((chosen.access_key_id(), chosen.provider()), ("FROM_FILE", "profile"));
    }

    #[test]
    fn chain_falls_back_to_profile() {
        let dir = TempDir::new();
        dir.credentials("[default]\naws_access_key_id = FROM_FILE\naws_secret_access_key = f\n");
        let credentials = DefaultCredentialsChain::with_env(dir.env(&[])).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "FROM_FILE");
    }

    #[test]
    fn all_missing_error_names_every_place() {
        let dir = TempDir::new();
        let err = DefaultCredentialsChain::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.is_not_loaded());
        assert_eq!(
            err.to_string(),
            format!(
                "no AWS credentials found. Looked at: environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY \
                 (not set); profile \"default\" in {} (file not found); profile \"default\" in {} (file not found). \
                 Set credentials with Config::builder().credentials(..), the environment, or the shared files.",
                dir.credentials_path(),
                dir.config_path()
            )
        );
    }

    #[test]
    fn all_missing_error_with_files_present() {
        let dir = TempDir::new();
        dir.config("[profile dev]\nregion = us-east-1\n").credentials("[other]\naws_access_key_id = A\n");
        let err =
            DefaultCredentialsChain::with_env(dir.env(&[("AWS_PROFILE", "dev")])).provide_credentials().unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&format!("profile \"dev\" in {} (no such profile)", dir.credentials_path())), "{text}");
        assert!(
            text.contains(&format!(
                "profile \"dev\" in {} (no aws_access_key_id or credential_process)",
                dir.config_path()
            )),
            "{text}"
        );
        let err = ProfileCredentials::with_env(dir.env(&[("AWS_PROFILE", "dev")])).provide_credentials().unwrap_err();
        assert!(err.is_not_loaded() && err.to_string().starts_with("no AWS credentials in profile \"dev\""), "{err}");
    }

    #[test]
    fn files_named_by_env_vars() {
        let dir = TempDir::new();
        let creds = dir.path().join("elsewhere");
        std::fs::write(&creds, "[default]\naws_access_key_id = ELSEWHERE\naws_secret_access_key = s\n").unwrap();
        dir.credentials("[default]\naws_access_key_id = HOME\naws_secret_access_key = s\n");
        let env = dir.env(&[("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap())]);
        let credentials = DefaultCredentialsChain::with_env(env).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "ELSEWHERE");
    }

    // --- credential_process ---

    #[cfg(unix)]
    #[test]
    fn credential_process_success() {
        let dir = TempDir::new();
        let json = format!(
            r#"{{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "{SECRET}", "SessionToken": "{TOKEN}", "Expiration": "2030-01-01T00:00:00Z"}}"#
        );
        dir.config(&process_profile(&format!("printf '%s' '{json}'")));
        let credentials = DefaultCredentialsChain::with_env(dir.env(&[])).provide_credentials().unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAPROCESS");
        assert_eq!(credentials.secret_access_key(), SECRET);
        assert_eq!(credentials.session_token(), Some(TOKEN));
        assert_eq!(credentials.provider(), "process");
        assert_eq!(credentials.expiry(), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000)));
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_without_token_or_expiration() {
        let dir = TempDir::new();
        dir.config(&process_profile(
            r#"echo '{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "s", "Expiration": null, "Extra": [1]}'"#,
        ));
        let credentials = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap();
        assert_eq!(credentials.session_token(), None);
        assert_eq!(credentials.expiry(), None);
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_non_zero_exit_reports_stderr_not_stdout() {
        let dir = TempDir::new();
        dir.config(&process_profile(&format!("echo '{SECRET}'; echo '  token expired, run login  ' >&2; exit 3")));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        let text = err.to_string();
        assert!(!err.is_not_loaded());
        assert_eq!(
            text,
            "the credential_process of profile \"default\" failed (exit status 3): token expired, run login"
        );
        assert!(!text.contains(SECRET));
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_stderr_is_cut_to_500_chars() {
        let dir = TempDir::new();
        dir.config(&process_profile("head -c 2000 /dev/zero | tr '\\0' x >&2; exit 1"));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        let text = err.to_string();
        let stderr = text.split_once("(exit status 1): ").map(|(_, rest)| rest).unwrap_or("");
        assert_eq!(stderr, "x".repeat(500), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_bad_json() {
        let dir = TempDir::new();
        dir.config(&process_profile(&format!("printf '%s' '{{\"Version\": 1, \"SecretAccessKey\": \"{SECRET}\"'")));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("printed invalid JSON"), "{err}");
        assert!(!err.to_string().contains(SECRET), "{err}");

        dir.config(&process_profile("echo not json at all"));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("invalid JSON"), "{err}");

        dir.config(&process_profile(r#"echo '{"Version": 1, "AccessKeyId": "A"}'"#));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("without SecretAccessKey"), "{err}");

        dir.config(&process_profile(r#"echo '{"Version": 1, "AccessKeyId": 5, "SecretAccessKey": "s"}'"#));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("AccessKeyId is a number"), "{err}");

        dir.config(&process_profile(
            r#"echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "tomorrow"}'"#,
        ));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("invalid Expiration"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_wrong_version() {
        let dir = TempDir::new();
        dir.config(&process_profile(r#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}'"#));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("unsupported Version 2 (expected 1)"), "{err}");

        dir.config(&process_profile(r#"echo '{"Version": "1", "AccessKeyId": "A", "SecretAccessKey": "s"}'"#));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("Version is a string"), "{err}");

        dir.config(&process_profile(r#"echo '{"AccessKeyId": "A", "SecretAccessKey": "s"}'"#));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("without a Version"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_timeout_kills_it() {
        let dir = TempDir::new();
        // A background grandchild holding the pipe open must not keep us waiting either.
        dir.config(&process_profile("sleep 30 & sleep 30"));
        let started = Instant::now();
        let err = ProfileCredentials::with_env(dir.env(&[]))
            .with_process_timeout(Duration::from_millis(300))
            .provide_credentials()
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        assert!(err.to_string().contains("did not finish within 0.3 s"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_that_cannot_run() {
        let dir = TempDir::new();
        dir.config(&process_profile("/nonexistent/credential-helper"));
        let err = ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err();
        assert!(err.to_string().contains("failed (exit status 127)"), "{err}");
    }

    #[test]
    fn process_output_parsing() {
        let ok = parse_process_output(
            r#"{"Version": 1.0, "AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": ""}"#,
            SystemTime::now(),
        )
        .unwrap();
        assert_eq!(ok.session_token(), None);
        assert!(parse_process_output(
            r#"{"Version": 1, "AccessKeyId": "", "SecretAccessKey": "s"}"#,
            SystemTime::now()
        )
        .unwrap_err()
        .contains("empty AccessKeyId"));
        assert!(parse_process_output(
            r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": 3}"#,
            SystemTime::now()
        )
        .unwrap_err()
        .contains("SessionToken is a number"));
    }

    #[test]
    fn expired_process_credentials_are_refused() {
        let document =
            r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "2026-01-01T00:00:00Z"}"#;
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        let before = parse_process_output(document, expiry - Duration::from_secs(1)).unwrap();
        assert_eq!(before.expiry(), Some(expiry));
        for now in [expiry, expiry + Duration::from_secs(3600)] {
            let error = parse_process_output(document, now).unwrap_err();
            assert!(error.contains("expired at 2026-01-01T00:00:00Z"), "{error}");
        }
    }

    // --- caching ---

    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        expires_in: Option<Duration>,
        fail: bool,
    }

    impl Counting {
        fn new(expires_in: Option<Duration>) -> Self {
            Self { calls: AtomicUsize::new(0), expires_in, fail: false }
        }

        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if self.fail {
                return Err(CredentialsError::new("boom"));
            }
            let credentials = Credentials::new(format!("AKID{n}"), "s", None);
            Ok(match self.expires_in {
                Some(d) => credentials.with_expiry(SystemTime::now() + d),
                None => credentials,
            })
        }
    }

    #[test]
    fn caches_until_five_minutes_before_expiry() {
        let cache = CachingProvider::new(Counting::new(Some(Duration::from_secs(3600))));
        assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID1");
        assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID1");
        assert_eq!(cache.inner().calls(), 1);
        cache.invalidate();
        assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID2");

        // Expiring within the 5-minute window: refreshed on every call.
        let soon = CachingProvider::new(Counting::new(Some(Duration::from_secs(120))));
        soon.provide_credentials().unwrap();
        assert_eq!(soon.provide_credentials().unwrap().access_key_id(), "AKID2");
        assert_eq!(soon.inner().calls(), 2);
    }

    #[test]
    fn caches_credentials_without_expiry_forever() {
        let cache = CachingProvider::new(Counting::new(None));
        for _ in 0..5 {
            assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID1");
        }
        assert_eq!(cache.inner().calls(), 1);
    }

    #[test]
    fn errors_are_not_cached() {
        let cache = CachingProvider::new(Counting { fail: true, ..Counting::new(None) });
        assert!(cache.provide_credentials().is_err());
        assert!(cache.provide_credentials().is_err());
        assert_eq!(cache.inner().calls(), 2);
    }

    #[test]
    fn cache_is_shared_across_threads() {
        let cache = Arc::new(CachingProvider::new(Counting::new(Some(Duration::from_secs(3600)))));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let cache = Arc::clone(&cache);
                std::thread::spawn(move || cache.provide_credentials().unwrap().access_key_id().to_owned())
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), "AKID1");
        }
        assert_eq!(cache.inner().calls(), 1);
    }

    #[derive(Debug)]
    struct Panicking;

    impl ProvideCredentials for Panicking {
        fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
            panic!("a provider bug")
        }
    }

    /// Polls a future to completion on this thread (the async path needs no runtime).
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut context = std::task::Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            match future.as_mut().poll(&mut context) {
                Poll::Ready(value) => return value,
                Poll::Pending => std::thread::park_timeout(Duration::from_millis(50)),
            }
        }
    }

    #[test]
    fn the_async_path_refreshes_off_thread_and_caches() {
        let cache = CachingProvider::new(Counting::new(Some(Duration::from_secs(3600))));
        assert_eq!(block_on(cache.provide_credentials_async()).unwrap().access_key_id(), "AKID1");
        assert_eq!(block_on(cache.provide_credentials_async()).unwrap().access_key_id(), "AKID1");
        assert_eq!(cache.provide_credentials().unwrap().access_key_id(), "AKID1");
        assert_eq!(cache.inner().calls(), 1);
        let failing = CachingProvider::new(Counting { fail: true, ..Counting::new(None) });
        assert!(block_on(failing.provide_credentials_async()).is_err());
        assert!(block_on(failing.provide_credentials_async()).is_err());
        assert_eq!(failing.inner().calls(), 2, "errors are not cached");
    }

    #[test]
    fn a_panicking_provider_leaves_no_one_waiting() {
        let cache = CachingProvider::new(Panicking);
        let error = block_on(cache.provide_credentials_async()).unwrap_err();
        assert!(error.to_string().contains("panicked"), "{error}");
        // The next caller starts a new refresh rather than waiting for the dead one.
        assert!(block_on(cache.provide_credentials_async()).is_err());
    }

    #[test]
    fn freshness_boundaries() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let at = |secs| Credentials::new("a", "s", None).with_expiry(now + Duration::from_secs(secs));
        assert!(is_fresh(&at(301), now));
        assert!(!is_fresh(&at(300), now));
        assert!(!is_fresh(&Credentials::new("a", "s", None).with_expiry(SystemTime::UNIX_EPOCH), now));
    }

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
        assert_eq!(
            err.to_string(),
            format!(
                "no AWS region found. Looked at: environment variable AWS_REGION (not set); environment variable \
                 AWS_DEFAULT_REGION (not set); profile \"default\" in {} (file not found); profile \"default\" in {} \
                 (no region). Set one with Config::builder().region(..), AWS_REGION, or `region = ...` in the profile.",
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
    }

    #[test]
    fn endpoint_url_none_when_nothing_is_set() {
        let dir = TempDir::new();
        assert_eq!(resolve_endpoint_url(&dir.env(&[]), "EC2").unwrap(), None);
    }
}
