//! The AWS shared configuration files, `~/.aws/config` and `~/.aws/credentials`.
//!
//! The format is the one the AWS CLI and SDKs read: `[section]` headers, `key = value`
//! properties, `#`/`;` comments, and indented continuation lines. Nothing here ever echoes a
//! line of a file back in an error (it may hold a secret key): errors name the file and the line
//! number.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::Arc;

use super::env::Env;

/// A setting looked for in one more place: found there, or where it was looked for (for an
/// error that names every place).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "reqwest-client"), allow(dead_code))]
pub(crate) enum Lookup {
    /// The value found.
    Found(String),
    /// Where it was looked for, and why nothing was there.
    Missing(String),
}

/// The parsed `~/.aws/config` and `~/.aws/credentials` for one profile, merged as the AWS
/// CLI/SDKs do: config `[profile NAME]` (or `[default]`) sections, credentials `[NAME]`
/// sections; credentials-file values win.
///
/// `Debug` shows the files, profile names and keys, never the values.
#[derive(Clone, Debug)]
pub struct ProfileSet {
    config: ProfileFile,
    credentials: ProfileFile,
}

/// Why a shared file could not be used: the file, the line (when the problem is on one) and what
/// is wrong; a file that could not be read keeps the io error as its `source()`. The offending
/// line's text is never included, as it may hold a secret.
#[derive(Clone, Debug)]
pub struct ProfileError {
    file: String,
    line: Option<usize>,
    message: String,
    /// `Arc` keeps the error `Clone`.
    io: Option<Arc<std::io::Error>>,
}

/// Equal when the file, line, message and (for an io error) its kind are equal.
impl PartialEq for ProfileError {
    fn eq(&self, other: &Self) -> bool {
        let kind = |e: &Self| e.io.as_ref().map(|io| io.kind());
        (&self.file, self.line, &self.message, kind(self)) == (&other.file, other.line, &other.message, kind(other))
    }
}

impl Eq for ProfileError {}

impl ProfileError {
    fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        Self { file: file.to_owned(), line, message: message.into(), io: None }
    }

    fn unreadable(file: &str, io: std::io::Error) -> Self {
        Self { io: Some(Arc::new(io)), ..Self::new(file, None, "could not be read") }
    }

    /// The file, as a path (or `config text` / `credentials text` for [`ProfileSet::parse`]).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line number, when the problem is on one line.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ProfileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io.as_deref().map(|io| io as &(dyn std::error::Error + 'static))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileKind {
    Config,
    Credentials,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileStatus {
    /// Read from disk.
    Read,
    /// Given as text to [`ProfileSet::parse`].
    Text,
    /// The file does not exist.
    NotFound,
    /// No path could be made: neither an `AWS_*_FILE` variable nor a home directory.
    HomeUnknown,
}

/// One file: where it came from, and its sections.
#[derive(Clone, Debug)]
struct ProfileFile {
    label: String,
    status: FileStatus,
    profiles: HashMap<String, Section>,
    /// `[services NAME]` sections (config file only).
    services: HashMap<String, Section>,
    /// `[sso-session NAME]` sections (config file only).
    sso_sessions: HashMap<String, Section>,
}

impl ProfileFile {
    fn empty(label: impl Into<String>, status: FileStatus) -> Self {
        Self {
            label: label.into(),
            status,
            profiles: HashMap::new(),
            services: HashMap::new(),
            sso_sessions: HashMap::new(),
        }
    }

    fn parse(text: &str, kind: FileKind, label: impl Into<String>, status: FileStatus) -> Result<Self, ProfileError> {
        let label = label.into();
        let Sections { profiles, services, sso_sessions } = parse_text(text, kind, &label)?;
        Ok(Self { label, status, profiles, services, sso_sessions })
    }

    fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.profiles.get(profile)?.props.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// The properties of one section; values may be multi-line (continuations, sub-properties).
#[derive(Clone, Default)]
struct Section {
    props: HashMap<String, String>,
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&str> = self.props.keys().map(String::as_str).collect();
        keys.sort_unstable();
        f.debug_struct("Section").field("keys", &keys).finish()
    }
}

impl Default for ProfileSet {
    /// No profiles at all, as if both files were empty.
    fn default() -> Self {
        Self {
            config: ProfileFile::empty(CONFIG_TEXT, FileStatus::Text),
            credentials: ProfileFile::empty(CREDENTIALS_TEXT, FileStatus::Text),
        }
    }
}

const CONFIG_TEXT: &str = "config text";
const CREDENTIALS_TEXT: &str = "credentials text";

impl ProfileSet {
    /// Loads AWS_CONFIG_FILE (default ~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE (default
    /// ~/.aws/credentials); missing files are fine (recorded for error messages),
    /// unreadable/malformed ones are errors naming the file and line.
    pub fn load(env: &Env) -> Result<Self, ProfileError> {
        let config = load_file(env, "AWS_CONFIG_FILE", "config", FileKind::Config)?;
        let credentials = load_file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials", FileKind::Credentials)?;
        Ok(Self { config, credentials })
    }

    /// Parses the two files from text (for tests and for callers that read the files
    /// themselves).
    pub fn parse(config_text: &str, credentials_text: &str) -> Result<Self, ProfileError> {
        Ok(Self {
            config: ProfileFile::parse(config_text, FileKind::Config, CONFIG_TEXT, FileStatus::Text)?,
            credentials: ProfileFile::parse(
                credentials_text,
                FileKind::Credentials,
                CREDENTIALS_TEXT,
                FileStatus::Text,
            )?,
        })
    }

    /// The selected profile name: AWS_PROFILE, else "default".
    pub fn selected(env: &Env) -> String {
        env.get("AWS_PROFILE").unwrap_or_else(|| "default".to_owned())
    }

    /// The value of `key` (case-insensitive) in `profile`: the credentials file's if it has one,
    /// else the config file's. Empty values count as unset. A key with sub-properties returns
    /// its indented block, one `name = value` per line after a leading newline.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.credentials.get(profile, &key).or_else(|| self.config.get(profile, &key))
    }

    /// Whether either file has a section for `profile`.
    pub fn has_profile(&self, profile: &str) -> bool {
        self.credentials.profiles.contains_key(profile) || self.config.profiles.contains_key(profile)
    }

    /// The file (as in [`Self::sources`], without the status) that [`Self::get`] takes `key` of
    /// `profile` from.
    pub fn source_of(&self, profile: &str, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        if self.credentials.get(profile, &key).is_some() {
            Some(&self.credentials.label)
        } else if self.config.get(profile, &key).is_some() {
            Some(&self.config.label)
        } else {
            None
        }
    }

    /// A sub-property of a `[services NAME]` section of the config file, e.g.
    /// `service_setting("my-services", "ec2", "endpoint_url")` for
    ///
    /// ```text
    /// [services my-services]
    /// ec2 =
    ///   endpoint_url = http://localhost:5000
    /// ```
    pub fn service_setting(&self, services_section: &str, service: &str, key: &str) -> Option<String> {
        let block = self.config.services.get(services_section)?.props.get(&service.to_ascii_lowercase())?;
        block.lines().filter_map(|line| line.split_once('=')).find_map(|(k, v)| {
            let value = strip_inline_comment(v).trim();
            (k.trim().eq_ignore_ascii_case(key) && !value.is_empty()).then(|| value.to_owned())
        })
    }

    /// The value of `key` (case-insensitive) in the config file's `[sso-session NAME]` section;
    /// empty values count as unset.
    pub fn sso_session(&self, name: &str, key: &str) -> Option<&str> {
        let section = self.config.sso_sessions.get(name)?;
        section.props.get(&key.to_ascii_lowercase()).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Whether the config file has a `[sso-session NAME]` section.
    pub fn has_sso_session(&self, name: &str) -> bool {
        self.config.sso_sessions.contains_key(name)
    }

    /// The config file, as in [`Self::sources`] without the status (where `[sso-session]` and
    /// `[services]` sections are).
    pub fn config_file(&self) -> &str {
        &self.config.label
    }

    /// Human-readable list of the files looked at, e.g. "/root/.aws/config (not found)".
    pub fn sources(&self) -> Vec<String> {
        [&self.config, &self.credentials]
            .into_iter()
            .map(|file| match file.status {
                FileStatus::Read | FileStatus::Text => file.label.clone(),
                FileStatus::NotFound => format!("{} (not found)", file.label),
                FileStatus::HomeUnknown => format!("{} (no home directory: HOME is not set)", file.label),
            })
            .collect()
    }

    /// Where `profile` was looked for and why none of `keys` was found there, one entry per file
    /// (credentials file first, as it wins), e.g.
    /// `profile "default" in /root/.aws/credentials (file not found)` or
    /// `profile "dev" in /root/.aws/config (no aws_access_key_id or credential_process)`.
    pub fn places(&self, profile: &str, keys: &[&str]) -> Vec<String> {
        [&self.credentials, &self.config]
            .into_iter()
            .map(|file| {
                let why = match file.status {
                    FileStatus::NotFound => "file not found".to_owned(),
                    FileStatus::HomeUnknown => "no home directory: HOME is not set".to_owned(),
                    FileStatus::Read | FileStatus::Text if !file.profiles.contains_key(profile) => {
                        "no such profile".to_owned()
                    }
                    FileStatus::Read | FileStatus::Text => {
                        let found: Vec<&str> =
                            keys.iter().copied().filter(|k| file.get(profile, k).is_some()).collect();
                        if found.is_empty() {
                            format!("no {}", keys.join(" or "))
                        } else {
                            format!("has {}", found.join(", "))
                        }
                    }
                };
                format!("profile {profile:?} in {} ({why})", file.label)
            })
            .collect()
    }
}

/// The shared files of one environment, read when a step first needs them and then never again:
/// every later step gets the same parse (or the same error). One `Config::build` holds one.
pub(crate) struct SharedFiles<'a> {
    env: &'a Env,
    loaded: OnceCell<Result<ProfileSet, ProfileError>>,
}

impl<'a> SharedFiles<'a> {
    /// Nothing is read yet.
    pub(crate) fn new(env: &'a Env) -> Self {
        Self { env, loaded: OnceCell::new() }
    }

    /// The parsed files, read on the first call.
    pub(crate) fn get(&self) -> Result<&ProfileSet, ProfileError> {
        self.loaded.get_or_init(|| ProfileSet::load(self.env)).as_ref().map_err(ProfileError::clone)
    }
}

/// What settings are read from: the environment, the profile (the one chosen, else `AWS_PROFILE`,
/// else `default`) and the shared files, read on first need and once. One `Config::build` holds
/// one, and so does each credentials fetch.
pub(crate) struct ProfileSources<'a> {
    pub(crate) env: &'a Env,
    pub(crate) profile: String,
    pub(crate) files: SharedFiles<'a>,
}

impl<'a> ProfileSources<'a> {
    /// Nothing is read yet.
    pub(crate) fn new(env: &'a Env, chosen_profile: Option<String>) -> Self {
        let profile = chosen_profile.unwrap_or_else(|| ProfileSet::selected(env));
        Self { env, profile, files: SharedFiles::new(env) }
    }

    /// The value of `variable`, else of `profile_key` in the profile, with where it came from
    /// (for an error message).
    pub(crate) fn setting(&self, variable: &str, profile_key: &str) -> Result<Option<(String, String)>, ProfileError> {
        if let Some(value) = self.env.get(variable) {
            return Ok(Some((value, variable.to_owned())));
        }
        let set = self.files.get()?;
        let place = || format!("{profile_key} in profile {:?}", self.profile);
        Ok(set.get(&self.profile, profile_key).map(|value| (value.to_owned(), place())))
    }
}

#[cfg(test)]
thread_local! {
    /// How many times this thread read each shared file, by path: what proves a build reads each once.
    pub(crate) static FILE_READS: std::cell::RefCell<HashMap<PathBuf, usize>> = Default::default();
}

fn load_file(env: &Env, var: &str, name: &str, kind: FileKind) -> Result<ProfileFile, ProfileError> {
    let path: Option<PathBuf> = match env.get(var) {
        Some(path) => Some(env.expand_home(&path)),
        None => env.home_dir().map(|home| home.join(".aws").join(name)),
    };
    let Some(path) = path else {
        return Ok(ProfileFile::empty(format!("~/.aws/{name}"), FileStatus::HomeUnknown));
    };
    let label = path.display().to_string();
    #[cfg(test)]
    FILE_READS.with(|reads| *reads.borrow_mut().entry(path.clone()).or_default() += 1);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|e| {
                ProfileError::new(&label, None, format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()))
            })?;
            ProfileFile::parse(&text, kind, label, FileStatus::Read)
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(ProfileFile::empty(label, FileStatus::NotFound)),
        Err(e) => Err(ProfileError::unreadable(&label, e)),
    }
}

/// What a section header names.
#[derive(Clone, PartialEq, Eq)]
enum Target {
    /// A profile; `prefixed` is true for `[profile NAME]` in the config file.
    Profile { name: String, prefixed: bool },
    /// `[services NAME]` in the config file.
    Services(String),
    /// `[sso-session NAME]` in the config file.
    SsoSession(String),
    /// Anything else (`[plugins]`, an unprefixed name in the config file, …): parsed, then dropped.
    Ignored,
}

struct Sections {
    profiles: HashMap<String, Section>,
    services: HashMap<String, Section>,
    sso_sessions: HashMap<String, Section>,
}

fn parse_text(text: &str, kind: FileKind, label: &str) -> Result<Sections, ProfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<(Target, Section)> = Vec::new();
    // The property continuation lines attach to: (key, its indentation, sub-property mode).
    let mut current: Option<(String, usize, bool)> = None;

    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();

        if let Some((key, key_indent, sub_properties)) = &current {
            if indent > *key_indent {
                if *sub_properties && !trimmed.contains('=') {
                    return Err(ProfileError::new(
                        label,
                        Some(line_no),
                        format!("expected `name = value` in the sub-properties of `{key}`"),
                    ));
                }
                if let Some(value) = sections.last_mut().and_then(|(_, s)| s.props.get_mut(key)) {
                    value.push('\n');
                    value.push_str(trimmed);
                }
                continue;
            }
        }

        if trimmed.starts_with('[') {
            current = None;
            let target = parse_header(trimmed, kind).map_err(|what| ProfileError::new(label, Some(line_no), what))?;
            sections.push((target, Section::default()));
            continue;
        }

        let Some((_, section)) = sections.last_mut() else {
            return Err(ProfileError::new(
                label,
                Some(line_no),
                "property before any [section] header (add e.g. [default] above it)",
            ));
        };
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(ProfileError::new(label, Some(line_no), "expected a [section] header or a `key = value` line"));
        };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(ProfileError::new(label, Some(line_no), "missing key before `=`"));
        }
        let value = strip_inline_comment(value).trim();
        current = Some((key.clone(), indent, value.is_empty()));
        section.props.insert(key, value.to_owned());
    }

    let mut profiles: HashMap<String, Section> = HashMap::new();
    let mut services: HashMap<String, Section> = HashMap::new();
    let mut sso_sessions: HashMap<String, Section> = HashMap::new();
    // In the config file `[profile default]` wins over `[default]` when both are present.
    let prefixed_default =
        sections.iter().any(|(t, _)| matches!(t, Target::Profile { name, prefixed: true } if name == "default"));
    for (target, section) in sections {
        let into = match target {
            Target::Profile { name, prefixed } => {
                if kind == FileKind::Config && name == "default" && !prefixed && prefixed_default {
                    continue;
                }
                profiles.entry(name).or_default()
            }
            Target::Services(name) => services.entry(name).or_default(),
            Target::SsoSession(name) => sso_sessions.entry(name).or_default(),
            Target::Ignored => continue,
        };
        into.props.extend(section.props);
    }
    Ok(Sections { profiles, services, sso_sessions })
}

/// Reads a `[...]` line (already trimmed) into what it names, or says what is wrong with it.
fn parse_header(line: &str, kind: FileKind) -> Result<Target, &'static str> {
    let Some(end) = line.find(']') else {
        return Err("section header without a closing `]`");
    };
    let after = line.get(end + 1..).unwrap_or("").trim();
    if !(after.is_empty() || after.starts_with('#') || after.starts_with(';')) {
        return Err("unexpected text after the section header");
    }
    let name = line.get(1..end).unwrap_or("").trim();
    if name.is_empty() {
        return Err("empty section name `[]`");
    }
    if kind == FileKind::Credentials {
        // No prefixes here: `[profile x]` is literally the profile named "profile x".
        return Ok(Target::Profile { name: name.to_owned(), prefixed: false });
    }
    if name == "default" {
        return Ok(Target::Profile { name: name.to_owned(), prefixed: false });
    }
    let (prefix, rest) = match name.split_once(char::is_whitespace) {
        Some((prefix, rest)) => (prefix, rest.trim()),
        None => (name, ""),
    };
    Ok(match prefix {
        "profile" if !rest.is_empty() => Target::Profile { name: rest.to_owned(), prefixed: true },
        "services" if !rest.is_empty() => Target::Services(rest.to_owned()),
        "sso-session" if !rest.is_empty() => Target::SsoSession(rest.to_owned()),
        // `[plugins]`, a bare `[name]` (the SDKs ignore it with a warning), …
        _ => Target::Ignored,
    })
}

/// Cuts a value at the first `#` or `;` that follows whitespace.
fn strip_inline_comment(value: &str) -> &str {
    let mut previous_is_space = false;
    for (i, c) in value.char_indices() {
        if previous_is_space && (c == '#' || c == ';') {
            return value.get(..i).unwrap_or(value);
        }
        previous_is_space = c.is_whitespace();
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::test_support::TempDir;

    #[test]
    fn config_profiles_and_default() {
        let set = ProfileSet::parse("[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n", "").unwrap();
        assert_eq!(set.get("default", "region"), Some("us-east-1"));
        assert_eq!(set.get("dev", "region"), Some("eu-west-1"));
        assert!(set.has_profile("dev"));
        assert!(!set.has_profile("profile dev"));
    }

    #[test]
    fn profile_default_wins_over_bare_default_in_config() {
        let set =
            ProfileSet::parse("[default]\nregion = a\noutput = json\n[profile default]\nregion = b\n", "").unwrap();
        assert_eq!(set.get("default", "region"), Some("b"));
        assert_eq!(set.get("default", "output"), None);
    }

    #[test]
    fn unprefixed_config_sections_are_ignored() {
        let set = ProfileSet::parse(
            "[dev]\nregion = a\n[sso-session corp]\nsso_region = us-east-1\n[services s]\nec2 =\n  endpoint_url = http://x\n",
            "",
        )
        .unwrap();
        assert!(!set.has_profile("dev"));
        assert!(!set.has_profile("corp"));
        assert!(!set.has_profile("s"));
    }

    #[test]
    fn credentials_file_profile_prefix_is_literal() {
        let set =
            ProfileSet::parse("", "[profile dev]\naws_access_key_id = A\n[dev]\naws_access_key_id = B\n").unwrap();
        assert_eq!(set.get("profile dev", "aws_access_key_id"), Some("A"));
        assert_eq!(set.get("dev", "aws_access_key_id"), Some("B"));
    }

    #[test]
    fn credentials_file_wins_over_config() {
        let set = ProfileSet::parse(
            "[profile dev]\naws_access_key_id = FROM_CONFIG\nregion = eu-west-1\n",
            "[dev]\naws_access_key_id = FROM_CREDENTIALS\n",
        )
        .unwrap();
        assert_eq!(set.get("dev", "aws_access_key_id"), Some("FROM_CREDENTIALS"));
        assert_eq!(set.source_of("dev", "aws_access_key_id"), Some(CREDENTIALS_TEXT));
        assert_eq!(set.get("dev", "region"), Some("eu-west-1"));
        assert_eq!(set.source_of("dev", "region"), Some(CONFIG_TEXT));
    }

    #[test]
    fn keys_are_case_insensitive_and_values_trimmed() {
        let set = ProfileSet::parse("", "[default]\n  AWS_Access_Key_ID   =   AKID  \n").unwrap();
        assert_eq!(set.get("default", "aws_access_key_id"), Some("AKID"));
        assert_eq!(set.get("default", "AWS_ACCESS_KEY_ID"), Some("AKID"));
    }

    #[test]
    fn comments() {
        let text = "# top comment\n; another\n[default] # header comment\nregion = us-east-1 # inline\n\
                    output = json ; inline too\nurl = http://x/#frag\nempty = # only a comment\n  # indented comment\n";
        let set = ProfileSet::parse(text, "").unwrap();
        assert_eq!(set.get("default", "region"), Some("us-east-1"));
        assert_eq!(set.get("default", "output"), Some("json"));
        assert_eq!(set.get("default", "url"), Some("http://x/#frag"));
        assert_eq!(set.get("default", "empty"), None);
    }

    #[test]
    fn continuations_and_sub_properties() {
        let text = "[default]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\nregion = us-west-2\n\
                    note = first\n   second\n";
        let set = ProfileSet::parse(text, "").unwrap();
        assert_eq!(set.get("default", "s3"), Some("\nmax_concurrent_requests = 20\naddressing_style = path"));
        assert_eq!(set.get("default", "max_concurrent_requests"), None);
        assert_eq!(set.get("default", "addressing_style"), None);
        assert_eq!(set.get("default", "region"), Some("us-west-2"));
        assert_eq!(set.get("default", "note"), Some("first\nsecond"));
    }

    #[test]
    fn uniformly_indented_properties_are_properties() {
        // configparser (the AWS CLI) reads this as two properties.
        let set = ProfileSet::parse("", "[default]\n  aws_access_key_id = A\n  aws_secret_access_key = S\n").unwrap();
        assert_eq!(set.get("default", "aws_access_key_id"), Some("A"));
        assert_eq!(set.get("default", "aws_secret_access_key"), Some("S"));
    }

    #[test]
    fn services_sections() {
        let text =
            "[profile dev]\nservices = local\n[services local]\nec2 =\n  endpoint_url = http://127.0.0.1:5000 # moto\n\
                    s3 =\n  endpoint_url = http://s3\n";
        let set = ProfileSet::parse(text, "").unwrap();
        assert_eq!(set.service_setting("local", "ec2", "endpoint_url").as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(set.service_setting("local", "EC2", "ENDPOINT_URL").as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(set.service_setting("local", "sqs", "endpoint_url"), None);
        assert_eq!(set.service_setting("other", "ec2", "endpoint_url"), None);
    }

    #[test]
    fn sso_session_sections() {
        let text = "[profile dev]\nsso_session = corp\n[sso-session corp]\nsso_region = us-east-1\n\
                    SSO_Start_URL = https://d-123.awsapps.com/start # the portal\nempty =\n[sso-session corp]\n\
                    sso_registration_scopes = sso:account:access\n";
        let set = ProfileSet::parse(text, "[sso-session creds]\nsso_region = x\n").unwrap();
        assert_eq!(set.sso_session("corp", "sso_region"), Some("us-east-1"));
        assert_eq!(set.sso_session("corp", "sso_start_url"), Some("https://d-123.awsapps.com/start"));
        assert_eq!(set.sso_session("corp", "sso_registration_scopes"), Some("sso:account:access"));
        assert_eq!(set.sso_session("corp", "empty"), None);
        assert!(set.has_sso_session("corp") && !set.has_profile("corp"));
        assert_eq!(set.get("dev", "sso_region"), None);
        // Only the config file has them; in the credentials file the header names a profile.
        assert!(!set.has_sso_session("creds") && set.has_profile("sso-session creds"));
        assert_eq!(set.config_file(), CONFIG_TEXT);
    }

    #[test]
    fn malformed_lines_report_file_and_line() {
        let err = ProfileSet::parse("", "\n\nkey = value\n").unwrap_err();
        assert_eq!((err.file(), err.line()), (CREDENTIALS_TEXT, Some(3)));
        assert!(err.message().contains("before any [section]"), "{err}");
        assert_eq!(err.to_string(), format!("credentials text, line 3: {}", err.message()));

        let err = ProfileSet::parse("[default]\nregion = x\nthis is not a property\n", "").unwrap_err();
        assert_eq!((err.file(), err.line()), (CONFIG_TEXT, Some(3)));

        let err = ProfileSet::parse("[default\n", "").unwrap_err();
        assert_eq!(err.line(), Some(1));
        assert!(err.message().contains("closing"), "{err}");

        let err = ProfileSet::parse("[default] junk\n", "").unwrap_err();
        assert_eq!(err.line(), Some(1));

        let err = ProfileSet::parse("[default]\n= value\n", "").unwrap_err();
        assert_eq!(err.line(), Some(2));

        let err = ProfileSet::parse("[default]\ns3 =\n  not a sub property\n", "").unwrap_err();
        assert_eq!(err.line(), Some(3));

        let err = ProfileSet::parse("[]\n", "").unwrap_err();
        assert_eq!(err.line(), Some(1));
    }

    #[test]
    fn errors_do_not_echo_the_line() {
        let err = ProfileSet::parse("", "[default]\naws_secret_access_key: SECRETSECRET\n").unwrap_err();
        assert!(!err.to_string().contains("SECRETSECRET"), "{err}");
        assert_eq!(err.line(), Some(2));
    }

    #[test]
    fn crlf_and_bom() {
        let set = ProfileSet::parse("\u{feff}[default]\r\nregion = us-east-1\r\n", "").unwrap();
        assert_eq!(set.get("default", "region"), Some("us-east-1"));
    }

    #[test]
    fn repeated_sections_merge() {
        let set = ProfileSet::parse("", "[a]\nx = 1\ny = 1\n[b]\nx = 2\n[a]\ny = 3\n").unwrap();
        assert_eq!(set.get("a", "x"), Some("1"));
        assert_eq!(set.get("a", "y"), Some("3"));
    }

    #[test]
    fn selected_profile() {
        assert_eq!(ProfileSet::selected(&Env::from_vars([("AWS_PROFILE", "dev")])), "dev");
        assert_eq!(ProfileSet::selected(&Env::from_vars([("AWS_PROFILE", "")])), "default");
    }

    #[test]
    fn load_from_files_named_by_env() {
        let dir = TempDir::new();
        let config = dir.write("cfg", "[profile dev]\nregion = eu-west-1\n");
        let creds = dir.write("creds", "[dev]\naws_access_key_id = AKID\n");
        let env = Env::from_vars([
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ]);
        let set = ProfileSet::load(&env).unwrap();
        assert_eq!(set.get("dev", "region"), Some("eu-west-1"));
        assert_eq!(set.get("dev", "aws_access_key_id"), Some("AKID"));
        assert_eq!(set.sources(), vec![config.display().to_string(), creds.display().to_string()]);
    }

    #[test]
    fn load_from_home_with_missing_files() {
        let dir = TempDir::new();
        let env = Env::from_vars([("HOME", dir.path().to_str().unwrap())]);
        let set = ProfileSet::load(&env).unwrap();
        let config = dir.path().join(".aws").join("config");
        let creds = dir.path().join(".aws").join("credentials");
        assert_eq!(
            set.sources(),
            vec![format!("{} (not found)", config.display()), format!("{} (not found)", creds.display())]
        );
        assert_eq!(
            set.places("default", &["region"]),
            vec![
                format!("profile \"default\" in {} (file not found)", creds.display()),
                format!("profile \"default\" in {} (file not found)", config.display()),
            ]
        );
    }

    #[test]
    fn load_without_home() {
        let set = ProfileSet::load(&Env::from_vars([("X", "y")])).unwrap();
        assert!(set.sources()[0].starts_with("~/.aws/config (no home directory"), "{:?}", set.sources());
    }

    #[test]
    fn load_reports_malformed_file_by_path() {
        let dir = TempDir::new();
        let creds = dir.write("creds", "[default]\naws_access_key_id = A\n[broken\n");
        let env = Env::from_vars([("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap())]).with_home(dir.path());
        let err = ProfileSet::load(&env).unwrap_err();
        assert_eq!(err.file(), creds.display().to_string());
        assert_eq!(err.line(), Some(3));
        assert!(err.to_string().starts_with(&format!("{}, line 3: ", creds.display())), "{err}");
    }

    #[test]
    fn load_reports_unreadable_file() {
        let dir = TempDir::new();
        // A directory where the file should be cannot be read.
        let env = Env::from_vars([("AWS_CONFIG_FILE", dir.path().to_str().unwrap())]);
        let err = ProfileSet::load(&env).unwrap_err();
        assert_eq!(err.file(), dir.path().display().to_string());
        assert_eq!(err.line(), None);

        let bad = dir.write("latin1", "");
        std::fs::write(&bad, b"[default]\nregion = \xe9\n").unwrap();
        let env = Env::from_vars([("AWS_CONFIG_FILE", bad.to_str().unwrap())]);
        let err = ProfileSet::load(&env).unwrap_err();
        assert!(err.message().contains("UTF-8"), "{err}");
    }

    #[test]
    fn places_explain_what_is_missing() {
        let set = ProfileSet::parse("[profile dev]\nregion = x\n", "[other]\nx = 1\n").unwrap();
        assert_eq!(
            set.places("dev", &["aws_access_key_id", "credential_process"]),
            vec![
                "profile \"dev\" in credentials text (no such profile)".to_owned(),
                "profile \"dev\" in config text (no aws_access_key_id or credential_process)".to_owned(),
            ]
        );
    }

    #[test]
    fn debug_hides_values() {
        let set = ProfileSet::parse("", "[default]\naws_secret_access_key = TOPSECRET\n").unwrap();
        let debug = format!("{set:?}");
        assert!(debug.contains("aws_secret_access_key"), "{debug}");
        assert!(!debug.contains("TOPSECRET"), "{debug}");
    }

    #[test]
    fn default_is_empty() {
        let set = ProfileSet::default();
        assert!(!set.has_profile("default"));
        assert_eq!(set.sources(), vec![CONFIG_TEXT.to_owned(), CREDENTIALS_TEXT.to_owned()]);
    }
}
