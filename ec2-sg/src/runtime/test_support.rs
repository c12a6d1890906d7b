//! Helpers shared by the runtime's unit tests.

#![allow(dead_code)]

use super::env::Env;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub(crate) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub(crate) const TOKEN: &str = "FwoGZXIvYXdzEXAMPLETOKEN";

/// A directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ec2-sg-credentials-test-{}-{}", std::process::id(), n));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join(".aws")).unwrap();
        Self(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to the file `name` of this directory.
    pub(crate) fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    pub(crate) fn config(&self, text: &str) -> &Self {
        std::fs::write(self.0.join(".aws").join("config"), text).unwrap();
        self
    }

    pub(crate) fn credentials(&self, text: &str) -> &Self {
        std::fs::write(self.0.join(".aws").join("credentials"), text).unwrap();
        self
    }

    pub(crate) fn config_path(&self) -> String {
        self.0.join(".aws").join("config").display().to_string()
    }

    pub(crate) fn credentials_path(&self) -> String {
        self.0.join(".aws").join("credentials").display().to_string()
    }

    /// An environment whose home is this directory, plus `vars`. The instance metadata service
    /// is off unless `vars` say otherwise: a test must not depend on the network it runs in.
    pub(crate) fn env(&self, vars: &[(&str, &str)]) -> Env {
        let mut all: Vec<(String, String)> =
            vec![("HOME".into(), self.0.display().to_string()), ("AWS_EC2_METADATA_DISABLED".into(), "true".into())];
        all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_vars(all)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn process_profile(command: &str) -> String {
    format!("[default]\ncredential_process = {command}\n")
}

/// The provider name aws-credential-types' `Credentials` keeps, which only its `Debug` shows.
pub(crate) fn provider_name(credentials: &crate::runtime::Credentials) -> String {
    let debug = format!("{credentials:?}");
    debug.split("provider_name: \"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_string()
}

/// The message of `err` and of every cause under it, joined with `: `: what a test checks for
/// secrets, since a logger that walks `source()` (anyhow's `{:#}`) prints all of it.
pub(crate) fn error_chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

/// Checks every part of `credentials`; the secret is the tests' `SECRET`.
pub(crate) fn assert_keys(
    credentials: &crate::runtime::Credentials,
    key_id: &str,
    token: Option<&str>,
    provider: &str,
) {
    assert_eq!(credentials.access_key_id(), key_id);
    assert_eq!(credentials.secret_access_key(), SECRET);
    assert_eq!(credentials.session_token(), token);
    assert_eq!(provider_name(credentials), provider);
}
