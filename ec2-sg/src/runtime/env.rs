//! Where configuration comes from: the process environment (or a fixed map in tests) and the
//! user's home directory.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

/// Where configuration is read from: the process environment, or a fixed map (tests), plus the
/// home directory.
///
/// `Env::default()` is the same as [`Env::real`]. Its `Debug` output names the variables of a
/// fixed map but never their values, since those may be secret keys.
///
/// Beside aws-types' `os_shim_internal::Env` because that one's derived `Debug` prints every value
/// of a fixed map (secret keys included) and it has no home directory; its `Fs` reads only async.
#[derive(Clone, Default)]
pub struct Env {
    /// `None`: the real process environment.
    vars: Option<HashMap<String, String>>,
    /// Overrides the home directory found from `HOME` / `USERPROFILE`.
    home: Option<PathBuf>,
}

impl Env {
    /// The real process environment.
    pub fn real() -> Self {
        Self::default()
    }

    /// A fixed set of variables; the process environment is not consulted at all, so the home
    /// directory comes from the `HOME` (or `USERPROFILE`) entry of the map, if any.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars = vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        Self { vars: Some(vars), home: None }
    }

    /// Uses `home` as the home directory instead of the one named by the variables.
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// The value of a variable; unset, empty and (for the real environment) non-UTF-8 values are
    /// all `None`.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            Some(vars) => vars.get(name).cloned(),
            None => std::env::var_os(name).and_then(|v| v.into_string().ok()),
        };
        value.filter(|v| !v.is_empty())
    }

    /// The home directory: the override given to [`Self::with_home`], else `HOME`, else
    /// `USERPROFILE` (Windows).
    pub fn home_dir(&self) -> Option<PathBuf> {
        if let Some(home) = &self.home {
            return Some(home.clone());
        }
        self.get("HOME").or_else(|| self.get("USERPROFILE")).map(PathBuf::from)
    }

    /// Expands a leading `~` (alone, or followed by `/`, or `\` on Windows) to the home
    /// directory; any other path, or any path when the home directory is unknown, is returned
    /// unchanged.
    pub fn expand_home(&self, path: &str) -> PathBuf {
        let rest = if path == "~" {
            Some("")
        } else if let Some(rest) = path.strip_prefix("~/") {
            Some(rest)
        } else if cfg!(windows) {
            path.strip_prefix("~\\")
        } else {
            None
        };
        match (rest, self.home_dir()) {
            (Some(""), Some(home)) => home,
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Env");
        match &self.vars {
            None => s.field("vars", &"<process environment>"),
            Some(vars) => {
                let mut names: Vec<&str> = vars.keys().map(String::as_str).collect();
                names.sort_unstable();
                s.field("vars", &names)
            }
        };
        s.field("home", &self.home).finish()
    }
}

/// A setting that must be `true` or `false` (any case, spaces around allowed); the error names
/// `place`, where the value came from. Here, below configuration and the credential sources, as
/// both read such settings from the environment and the profile.
pub(crate) fn parse_flag(value: &str, place: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("{place} must be true or false, not {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_vars_and_empty_values() {
        let env = Env::from_vars([("A", "1"), ("EMPTY", "")]);
        assert_eq!(env.get("A").as_deref(), Some("1"));
        assert_eq!(env.get("EMPTY"), None);
        assert_eq!(env.get("MISSING"), None);
    }

    #[test]
    fn fixed_vars_do_not_read_the_process_environment() {
        // PATH is set in any test process; a fixed map must not see it.
        let env = Env::from_vars(Vec::<(String, String)>::new());
        assert_eq!(env.get("PATH"), None);
        assert_eq!(env.home_dir(), None);
    }

    #[test]
    fn real_environment_is_read() {
        assert!(Env::real().get("PATH").is_some() || Env::real().get("Path").is_some());
    }

    #[test]
    fn home_dir_order() {
        assert_eq!(Env::from_vars([("HOME", "/h"), ("USERPROFILE", "/u")]).home_dir(), Some(PathBuf::from("/h")));
        assert_eq!(Env::from_vars([("USERPROFILE", "/u")]).home_dir(), Some(PathBuf::from("/u")));
        assert_eq!(Env::from_vars([("HOME", "/h")]).with_home("/o").home_dir(), Some(PathBuf::from("/o")));
    }

    #[test]
    fn expand_home() {
        let env = Env::from_vars([("HOME", "/home/me")]);
        assert_eq!(env.expand_home("~/.aws/config"), PathBuf::from("/home/me/.aws/config"));
        assert_eq!(env.expand_home("~"), PathBuf::from("/home/me"));
        assert_eq!(env.expand_home("/etc/aws"), PathBuf::from("/etc/aws"));
        assert_eq!(env.expand_home("~other/x"), PathBuf::from("~other/x"));
        assert_eq!(Env::from_vars([("X", "y")]).expand_home("~/a"), PathBuf::from("~/a"));
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = Env::from_vars([("AWS_SECRET_ACCESS_KEY", "very-secret-value")]);
        let debug = format!("{env:?}");
        assert!(debug.contains("AWS_SECRET_ACCESS_KEY"), "{debug}");
        assert!(!debug.contains("very-secret-value"), "{debug}");
    }
}
