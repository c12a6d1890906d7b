//! One moto server per test process, started on first use by `tests/moto/serve.py` on 127.0.0.1.
//! The script stops itself when this process exits (it watches its parent) or after 10 minutes.
//! It runs with the project's Python environment (`target/py-env`, made by `cargo xtask test`
//! with the pinned moto) when there is one, else with the `python3` on the PATH.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;

/// A running moto server and the credentials it knows.
#[derive(Debug, Clone)]
pub struct Moto {
    pub endpoint: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// A role the IAM user may assume.
    pub role_arn: String,
    pub session_access_key_id: String,
    pub session_secret_access_key: String,
    pub session_token: String,
}

/// The shared server; panics with instructions when moto cannot be started.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();
    match MOTO.get_or_init(start) {
        Ok(moto) => moto,
        Err(why) => panic!("cannot start moto: {why}\n{INSTALL_HINT}"),
    }
}

/// A second server, with no signature checks (see serve.py's --no-auth); panics like [`moto`].
pub fn moto_without_auth() -> &'static Moto {
    static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();
    match MOTO.get_or_init(|| start_with("target/moto-e2e-no-auth.log", &["--no-auth"])) {
        Ok(moto) => moto,
        Err(why) => panic!("cannot start moto: {why}\n{INSTALL_HINT}"),
    }
}

const INSTALL_HINT: &str = "(`cargo xtask test` makes target/py-env with the pinned moto, which the tests then use)";

/// The interpreter that runs serve.py: the project's environment's (see xtask's `py_env`, which
/// makes it) when it exists, else `python3`.
pub fn python(root: &Path) -> PathBuf {
    let project = if cfg!(windows) { "target/py-env/Scripts/python.exe" } else { "target/py-env/bin/python3" };
    let project = root.join(project);
    if project.is_file() {
        project
    } else {
        PathBuf::from("python3")
    }
}

fn start() -> Result<Moto, String> {
    start_with("target/moto-e2e.log", &[])
}

fn start_with(log: &str, args: &[&str]) -> Result<Moto, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let (child, json) = spawn_serve_with(&root, &root.join(log), 600, args)?;
    let field = |name: &str| json[name].as_str().map(str::to_string).ok_or_else(|| format!("serve.py gave no {name}"));
    // The child is left running: it exits by itself when this process ends.
    std::mem::forget(child);
    Ok(Moto {
        endpoint: field("endpoint")?,
        access_key_id: field("access_key_id")?,
        secret_access_key: field("secret_access_key")?,
        role_arn: field("role_arn")?,
        session_access_key_id: field("session_access_key_id")?,
        session_secret_access_key: field("session_secret_access_key")?,
        session_token: field("session_token")?,
    })
}

/// Starts `tests/moto/serve.py` (in the workspace at `root`) with its log in `log_path`, and
/// returns the process and the JSON line it printed (endpoint and credentials). The script stops
/// by itself when its parent exits or after `max_seconds`; callers may also kill it.
pub fn spawn_serve(root: &Path, log_path: &Path, max_seconds: u32) -> Result<(Child, serde_json::Value), String> {
    spawn_serve_with(root, log_path, max_seconds, &[])
}

/// [`spawn_serve`] with more arguments for serve.py (`--no-auth`).
pub fn spawn_serve_with(
    root: &Path,
    log_path: &Path,
    max_seconds: u32,
    extra_args: &[&str],
) -> Result<(Child, serde_json::Value), String> {
    crate::moto_process::spawn_serve(&python(root), root, log_path, max_seconds, extra_args)
}

impl Moto {
    /// An async client for this server with the IAM user's keys.
    pub fn client(&self) -> ec2_sg::Client {
        ec2_sg::Client::from_conf(self.config().build().expect("the moto configuration builds"))
    }

    /// A configuration for this server with the IAM user's keys, isolated from the machine's
    /// AWS environment and shared files.
    pub fn config(&self) -> ec2_sg::ConfigBuilder {
        ec2_sg::Config::builder()
            .env(isolated_env())
            .region("us-east-1")
            .endpoint_url(&self.endpoint)
            .credentials(ec2_sg::Credentials::from_keys(&self.access_key_id, &self.secret_access_key, None))
    }
}

impl Moto {
    /// Set-up the SDK has no operation for (creating network interfaces, running instances), done
    /// with boto3, which sync-model's python3 already has: `script` gets an EC2 client `ec2` for
    /// this server and sets `result`, which comes back as JSON. No retries, bounded timeouts.
    pub fn boto3_ec2(&self, script: &str) -> serde_json::Value {
        let program = format!(
            "import boto3, json, os\n\
             from botocore.config import Config\n\
             ec2 = boto3.client('ec2', endpoint_url=os.environ['MOTO_ENDPOINT'], region_name='us-east-1',\n\
                 aws_access_key_id=os.environ['MOTO_KEY'], aws_secret_access_key=os.environ['MOTO_SECRET'],\n\
                 config=Config(retries={{'max_attempts': 1}}, connect_timeout=10, read_timeout=30))\n\
             result = None\n\
             {script}\n\
             print(json.dumps(result, default=str))\n"
        );
        let output = Command::new("python3")
            .args(["-c", &program])
            .env("MOTO_ENDPOINT", &self.endpoint)
            .env("MOTO_KEY", &self.access_key_id)
            .env("MOTO_SECRET", &self.secret_access_key)
            .env("AWS_CONFIG_FILE", "/nonexistent-ec2-sg-test-config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent-ec2-sg-test-credentials")
            .output()
            .expect("python3 runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "boto3 set-up failed:\n{script}\n{stderr}");
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("boto3 set-up printed no JSON ({e}): {stderr}"))
    }
}

/// An environment with no AWS variables and no shared files.
pub fn isolated_env() -> ec2_sg::runtime::env::Env {
    ec2_sg::runtime::env::Env::from_vars([
        ("HOME", "/nonexistent-ec2-sg-test-home"),
        // Whatever network the tests run in, they never ask it for instance metadata.
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ])
}

/// A name no other test (or earlier run against the same server) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}
