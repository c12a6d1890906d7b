//! The project's own Python environment, `target/py-env`: a virtual environment made with
//! `python3 -m venv`, holding moto (the end-to-end tests' EC2) and botocore/boto3 (what
//! `sync-model` reads) at pinned versions. Nothing is ever installed into the user's Python: pip
//! runs only as the environment's own, with `PIP_REQUIRE_VIRTUALENV=true`, so a Python marked
//! `EXTERNALLY-MANAGED` (PEP 668) or a user who requires virtual environments is left alone.
//!
//! A stamp file in the environment lists what was installed; while it matches what is wanted,
//! the environment is reused as it is (no pip, no network).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the environment lives, under the workspace root. `tests/src/moto.rs` looks there too.
pub const ENV_DIR: &str = "target/py-env";

/// The moto the end-to-end tests are written against (`moto[server]`: its HTTP server).
pub const MOTO_REQUIREMENT: &str = "moto[server]==5.2.1";

/// The requirements last installed, one per line.
const STAMP_FILE: &str = "ec2-sg-requirements.txt";

/// A virtual environment at a path (made or not).
#[derive(Debug, Clone)]
pub struct PyEnv {
    dir: PathBuf,
    /// The interpreter the environment is made from (`python3 -m venv`).
    base_python: PathBuf,
}

impl PyEnv {
    /// The project's environment in the workspace at `root`, made from the `python3` on the PATH.
    pub fn project(root: &Path) -> PyEnv {
        PyEnv { dir: root.join(ENV_DIR), base_python: PathBuf::from("python3") }
    }

    /// The environment's own interpreter.
    pub fn python(&self) -> PathBuf {
        if cfg!(windows) {
            self.dir.join("Scripts").join("python.exe")
        } else {
            self.dir.join("bin").join("python3")
        }
    }

    fn stamp_path(&self) -> PathBuf {
        self.dir.join(STAMP_FILE)
    }

    /// What the stamp says was installed, if the environment has a stamp.
    fn stamp(&self) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.stamp_path()).ok()?;
        Some(text.lines().map(str::to_string).collect())
    }

    fn write_stamp(&self, requirements: &[String]) -> Result<(), String> {
        let path = self.stamp_path();
        std::fs::write(&path, requirements.join("\n") + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Makes the environment with the base `python3` when it has no interpreter yet.
    fn create(&self) -> Result<(), String> {
        if self.python().is_file() {
            return Ok(());
        }
        println!("creating {} ({} -m venv)", self.dir.display(), self.base_python.display());
        // `--clear`: a directory left half-made by an interrupted run is made again.
        let output = Command::new(&self.base_python)
            .args(["-m", "venv", "--clear"])
            .arg(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                format!("cannot run {} (Python 3 is needed for moto and sync-model): {e}", self.base_python.display())
            })?;
        if output.status.success() && self.python().is_file() {
            return Ok(());
        }
        Err(format!(
            "`{} -m venv {}` failed (on Debian and Ubuntu, `apt install python3-venv` provides it): {}",
            self.base_python.display(),
            self.dir.display(),
            last_line(&output.stderr)
        ))
    }

    /// `pip install` into this environment, and only into it.
    fn pip_install(&self, extra_args: &[&str], requirements: &[String]) -> Result<(), String> {
        println!("installing into {}: {}", self.dir.display(), requirements.join(" "));
        let status = Command::new(self.python())
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .args(extra_args)
            .args(requirements)
            // pip refuses to install anywhere but a virtual environment; a user's `PIP_USER`
            // would make it try the user's site-packages instead of this environment.
            .env("PIP_REQUIRE_VIRTUALENV", "true")
            .env_remove("PIP_USER")
            .env_remove("PIP_TARGET")
            .env_remove("PIP_PREFIX")
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run {} -m pip: {e}", self.python().display()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("pip could not install {} into {}", requirements.join(" "), self.dir.display()))
        }
    }

    /// Whether the interpreter imports moto's server, botocore and boto3; quiet (no traceback).
    fn imports_everything(&self) -> bool {
        Command::new(self.python())
            .args(["-c", "import moto.server, botocore, boto3"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|status| status.success())
            .unwrap_or(false)
    }

    /// The environment with exactly `requirements` installed: made, installed into, or reused
    /// as it is when its stamp matches and it imports what the project needs.
    pub fn ensure(&self, requirements: &[String]) -> Result<(), String> {
        if self.stamp().as_deref() == Some(requirements) && self.imports_everything() {
            println!("{} is up to date: {}", self.dir.display(), requirements.join(" "));
            return Ok(());
        }
        self.create()?;
        self.pip_install(&[], requirements)?;
        self.write_stamp(requirements)
    }

    /// Installs botocore and boto3 at `version`, or at the newest versions when `None`, beside
    /// the pinned moto, and returns the botocore and boto3 versions now installed. The stamp
    /// records them, so that once `model/versions.json` records them too, [`PyEnv::ensure`]
    /// reuses the environment as it is.
    pub fn install_botocore(&self, version: Option<&str>) -> Result<(String, String), String> {
        self.create()?;
        let requirements: Vec<String> = match version {
            Some(version) => {
                vec![MOTO_REQUIREMENT.to_string(), format!("botocore=={version}"), format!("boto3=={version}")]
            }
            None => vec![MOTO_REQUIREMENT.to_string(), "botocore".to_string(), "boto3".to_string()],
        };
        let upgrade: &[&str] = if version.is_none() { &["--upgrade"] } else { &[] };
        self.pip_install(upgrade, &requirements)?;
        let installed = self.installed_versions()?;
        self.write_stamp(&requirements_for(&installed.0, &installed.1))?;
        Ok(installed)
    }

    /// The botocore and boto3 versions the environment's interpreter imports.
    pub fn installed_versions(&self) -> Result<(String, String), String> {
        let output = Command::new(self.python())
            .args(["-c", "import botocore, boto3; print(botocore.__version__, boto3.__version__)"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.python().display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout.split_whitespace().collect::<Vec<_>>().as_slice() {
            [botocore, boto3] if output.status.success() => Ok((botocore.to_string(), boto3.to_string())),
            _ => Err(format!(
                "{} cannot import botocore and boto3: {}",
                self.python().display(),
                last_line(&output.stderr)
            )),
        }
    }
}

/// `cargo xtask py-env`: the project's environment with the pinned requirements.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask py-env".into());
    }
    let root = crate::workspace_root();
    let env = PyEnv::project(&root);
    env.ensure(&pinned_requirements(&root)?)?;
    println!("its Python: {}", env.python().display());
    Ok(())
}

/// The pinned requirements: moto, and botocore/boto3 at the versions `model/versions.json`
/// records (so that `sync-model --check` compares the model with the data it was made from).
pub fn pinned_requirements(root: &Path) -> Result<Vec<String>, String> {
    let path = root.join("model/versions.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let recorded: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: invalid JSON: {e}", path.display()))?;
    let version = |package: &str| {
        recorded[package]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{} has no {package} version", path.display()))
    };
    Ok(requirements_for(&version("botocore")?, &version("boto3")?))
}

fn requirements_for(botocore: &str, boto3: &str) -> Vec<String> {
    vec![MOTO_REQUIREMENT.to_string(), format!("botocore=={botocore}"), format!("boto3=={boto3}")]
}

/// The interpreter `sync-model` and `full-model` read botocore from: the project's environment
/// when it exists, else the `python3` on the PATH.
pub fn default_python(root: &Path) -> PathBuf {
    let python = PyEnv::project(root).python();
    if python.is_file() {
        python
    } else {
        PathBuf::from("python3")
    }
}

/// The last non-empty line of a process's output: the error, without a traceback.
fn last_line(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    text.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("no message").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pins_follow_model_versions_json() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("model")).unwrap();
        std::fs::write(root.path().join("model/versions.json"), r#"{"boto3": "1.2.4", "botocore": "1.2.3"}"#).unwrap();
        assert_eq!(
            pinned_requirements(root.path()).unwrap(),
            [MOTO_REQUIREMENT, "botocore==1.2.3", "boto3==1.2.4"].map(String::from)
        );
        std::fs::write(root.path().join("model/versions.json"), r#"{"boto3": "1.2.4"}"#).unwrap();
        assert!(pinned_requirements(root.path()).unwrap_err().contains("botocore"));
    }

    #[test]
    fn a_stamp_that_differs_from_the_pins_is_not_reused() {
        let root = tempfile::tempdir().unwrap();
        let env = PyEnv::project(root.path());
        std::fs::create_dir_all(root.path().join(ENV_DIR)).unwrap();
        let pins = requirements_for("1.2.3", "1.2.3");
        env.write_stamp(&pins).unwrap();
        assert_eq!(env.stamp().as_deref(), Some(pins.as_slice()));
        assert_ne!(env.stamp().as_deref(), Some(requirements_for("1.2.4", "1.2.4").as_slice()));
    }

    /// Run by hand (it installs from PyPI): `cargo test -p xtask -- --ignored externally_managed`.
    /// The environment is made from a Python carrying PEP 668's `EXTERNALLY-MANAGED` marker
    /// (`EC2_SG_MARKED_PYTHON`, else Debian's `/usr/bin/python3`), whose own pip refuses to
    /// install; `ensure` must still work, and only inside the environment.
    #[test]
    #[ignore = "installs moto, botocore and boto3 from PyPI (about 30 s)"]
    fn an_externally_managed_python_is_left_alone_and_the_environment_still_works() {
        let marked = PathBuf::from(std::env::var("EC2_SG_MARKED_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into()));
        let stdlib = Command::new(&marked)
            .args(["-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"])
            .output()
            .expect("the marked Python runs");
        let stdlib = PathBuf::from(String::from_utf8_lossy(&stdlib.stdout).trim());
        assert!(
            stdlib.join("EXTERNALLY-MANAGED").is_file(),
            "{} carries no EXTERNALLY-MANAGED marker",
            marked.display()
        );

        let dir = tempfile::tempdir().unwrap();
        let env = PyEnv { dir: dir.path().join("py-env"), base_python: marked.clone() };
        let pins = pinned_requirements(&crate::workspace_root()).unwrap();
        env.ensure(&pins).unwrap();
        assert!(env.imports_everything());
        let base = Command::new(env.python())
            .args(["-c", "import sys; print(sys.base_prefix != sys.prefix)"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&base.stdout).trim(), "True", "moto is in a virtual environment");
        let outside = Command::new(&marked).args(["-c", "import moto"]).stderr(Stdio::null()).status().unwrap();
        assert!(!outside.success(), "nothing was installed into {}", marked.display());
    }
}
