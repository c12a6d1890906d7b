//! Starting `tests/moto/serve.py` and reading the one JSON line it prints (endpoint and
//! credentials), for the tests (`moto.rs`) and xtask's README check alike. Only std and
//! serde_json: xtask includes this file with `#[path]`, because it depends on this crate only for
//! `cargo xtask record` (this crate needs the generated code to compile; `cargo xtask codegen`
//! must run without it).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Starts `tests/moto/serve.py` (in the workspace at `root`) with `python`, its log in
/// `log_path`, and returns the process and the JSON line it printed. The script stops by itself
/// when its parent exits or after `max_seconds`; callers may also [`stop`] it. `extra_args` go
/// to serve.py (`--no-auth`).
pub fn spawn_serve(
    python: &Path,
    root: &Path,
    log_path: &Path,
    max_seconds: u32,
    extra_args: &[&str],
) -> Result<(Child, serde_json::Value), String> {
    let log = std::fs::File::create(log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let mut child = Command::new(python)
        .arg(root.join("tests/moto/serve.py"))
        .args(["--max-seconds", &max_seconds.to_string()])
        .args(extra_args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let Some(stdout) = child.stdout.take() else {
        stop(&mut child);
        return Err("no stdout from serve.py".into());
    };
    // serve.py prints one line once it serves; read it bounded in time.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let parsed = receiver
        .recv_timeout(Duration::from_secs(90))
        .map_err(|_| format!("serve.py printed nothing within 90 s; see {}", log_path.display()))
        .and_then(|line| {
            serde_json::from_str(&line)
                .map_err(|e| format!("serve.py printed {line:?} ({e}); see {}", log_path.display()))
        });
    match parsed {
        Ok(json) => Ok((child, json)),
        Err(e) => {
            stop(&mut child);
            Err(e)
        }
    }
}

/// Stops a process this process started (by its handle, so by its pid) and reaps it.
pub fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}
