//! The contract-test corpus in `tests/fixtures/recorded/`: `moto/` (written by `cargo xtask
//! record`) and `documented/` (written by hand where moto cannot answer like EC2). Loads fixtures
//! and builds clients that replay them through `ec2_sg::runtime::replay`.

use ec2_sg::runtime::replay::{ReplayClient, ReplayEvent};
use ec2_sg::RetryConfig;
use std::path::PathBuf;
use std::time::Duration;

/// The corpus directory.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/recorded")
}

/// One fixture by name, `moto/create-tags` or `documented/error-internal-empty` (no `.txt`).
/// Panics with the path and the reason when it cannot be read.
pub fn load(name: &str) -> ReplayEvent {
    let path = root().join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    ReplayEvent::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every fixture, as (name, event), sorted by name.
pub fn all() -> Vec<(String, ReplayEvent)> {
    let mut names = Vec::new();
    for dir in ["documented", "moto"] {
        let entries = std::fs::read_dir(root().join(dir)).unwrap_or_else(|e| panic!("cannot list {dir}: {e}"));
        for entry in entries {
            let file = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
            if let Some(stem) = file.strip_suffix(".txt") {
                names.push(format!("{dir}/{stem}"));
            }
        }
    }
    names.sort();
    names.into_iter().map(|name| (name.clone(), load(&name))).collect()
}

/// A replay of these fixtures, in order.
pub fn replay(names: &[&str]) -> ReplayClient {
    ReplayClient::new(names.iter().map(|name| load(name)))
}

/// Standard retries with 1-5 ms backoff, so retry tests take milliseconds.
pub fn fast_retries() -> RetryConfig {
    RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)).with_max_backoff(Duration::from_millis(5))
}

/// An async client sending through `replay`, with fast retries.
pub fn client(replay: &ReplayClient) -> ec2_sg::Client {
    ec2_sg::Client::from_conf(replay.config_builder().retry_config(fast_retries()).build().expect("config builds"))
}

/// A blocking client sending through `replay`, with fast retries.
pub fn blocking_client(replay: &ReplayClient) -> ec2_sg::blocking::Client {
    let config = replay.config_builder().retry_config(fast_retries()).build().expect("config builds");
    ec2_sg::blocking::Client::from_conf(config).expect("blocking client")
}
