//! Credentials from a `credential_process`: run bounded in time and output, its JSON read.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use super::document::{credentials_from_members, DocumentKind};
use crate::runtime::credential_provider::{Credentials, CredentialsError};
use crate::runtime::json::{self, Value};

const PROCESS_DOCUMENT: DocumentKind =
    DocumentKind { token_member: "SessionToken", provider: "process", refuse_expired: true };

/// How long a `credential_process` may run before it is killed.
pub const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);
/// At most this many characters of a failed `credential_process`'s stderr go in the error.
const STDERR_CHARS: usize = 500;
/// Output of a `credential_process` beyond this many bytes (per stream) is discarded.
const MAX_PROCESS_OUTPUT: usize = 1 << 20;

/// Runs a profile's `credential_process` and reads its JSON output.
pub(super) fn run_credential_process(
    command: &str,
    profile: &str,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
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
    credentials_from_members(&members, &PROCESS_DOCUMENT, now)
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

/// What the threads watching a process report.
enum Event {
    Stdout(Vec<u8>, bool),
    Stderr(Vec<u8>),
    Exited(std::io::Result<ExitStatus>),
}

/// Runs `cmd` to completion (exit and both pipes closed) or until `timeout`, when it (and its
/// process group) is killed. One thread reads each pipe, so a chatty process never blocks on a
/// full pipe, and one waits for the exit; this thread sleeps until one of them reports or the
/// deadline passes. The error completes "the credential_process of profile … ".
fn run_bounded(mut cmd: Command, timeout: Duration) -> Result<ProcessOutput, String> {
    let deadline = Instant::now() + timeout;
    let mut child = cmd.spawn().map_err(|e| format!("could not be started: {e}"))?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel::<Event>();
    let stdout = child.stdout.take().map(|pipe| watch(&tx, move || Event::from_stdout(read_capped(pipe))));
    let stderr = child.stderr.take().map(|pipe| watch(&tx, move || Event::Stderr(read_capped(pipe).0)));
    let exit = watch(&tx, move || Event::Exited(child.wait()));
    drop(tx);
    if let Some(Err(e)) = [stdout, stderr, Some(exit)].into_iter().flatten().find(Result::is_err) {
        kill_group(pid);
        return Err(format!("could not be watched: {e}"));
    }

    let (mut stdout, mut stderr, mut status) = (None, None, None);
    while stdout.is_none() || stderr.is_none() || status.is_none() {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Event::Stdout(bytes, truncated)) => stdout = Some((bytes, truncated)),
            Ok(Event::Stderr(bytes)) => stderr = Some(bytes),
            Ok(Event::Exited(Ok(exited))) => status = Some(exited),
            Ok(Event::Exited(Err(e))) => {
                kill_group(pid);
                return Err(format!("could not be waited for: {e}"));
            }
            Err(RecvTimeoutError::Timeout) => {
                kill_group(pid);
                return Err(format!("did not finish within {} s and was stopped", timeout.as_secs_f64()));
            }
            // A watcher is gone without a word: its pipe was not piped, or it panicked.
            Err(RecvTimeoutError::Disconnected) => {
                stdout.get_or_insert_with(|| (Vec::new(), false));
                stderr.get_or_insert_with(Vec::new);
                if status.is_none() {
                    kill_group(pid);
                    return Err("could not be waited for".to_owned());
                }
            }
        }
    }
    let (Some((stdout, stdout_truncated)), Some(stderr), Some(status)) = (stdout, stderr, status) else {
        return Err("could not be waited for".to_owned());
    };
    Ok(ProcessOutput { status, stdout, stdout_truncated, stderr })
}

impl Event {
    fn from_stdout((bytes, truncated): (Vec<u8>, bool)) -> Self {
        Self::Stdout(bytes, truncated)
    }
}

/// Runs `watch` on a thread of its own, which sends what it saw on `tx`.
fn watch(tx: &mpsc::Sender<Event>, watch: impl FnOnce() -> Event + Send + 'static) -> std::io::Result<()> {
    let tx = tx.clone();
    std::thread::Builder::new().name("credential_process-watch".to_owned()).spawn(move || {
        let _ = tx.send(watch());
    })?;
    Ok(())
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

/// Kills the process (its exit watcher then reaps it) and, on unix, its whole process group.
/// By a command: std has no `killpg`, and `libc::kill` needs the `unsafe` this crate forbids.
fn kill_group(pid: u32) {
    // The group id is the child's pid (`process_group(0)`): a number we got, not input.
    #[cfg(unix)]
    let mut kill = {
        let mut kill = Command::new("sh");
        kill.arg("-c").arg(format!("kill -9 -{pid} 2>/dev/null"));
        kill
    };
    #[cfg(not(unix))]
    let mut kill = {
        let mut kill = Command::new("taskkill");
        kill.args(["/F", "/T", "/PID", &pid.to_string()]);
        kill
    };
    let _ = kill.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::credentials::*;

    use crate::runtime::test_support::*;

    use std::time::{Duration, SystemTime};

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
        assert_eq!(provider_name(&credentials), "process");
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

    /// The error of the default profile's `credential_process = command`.
    #[cfg(unix)]
    fn process_error(command: &str) -> CredentialsError {
        let dir = TempDir::new();
        dir.config(&process_profile(command));
        ProfileCredentials::with_env(dir.env(&[])).provide_credentials().unwrap_err()
    }

    /// Each command's error holds its expected text and no secret.
    #[cfg(unix)]
    fn assert_process_errors(cases: &[(String, &str)]) {
        for (command, expected) in cases {
            let err = process_error(command).to_string();
            assert!(err.contains(expected), "{command}: {err}");
            assert!(!err.contains(SECRET), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_non_zero_exit_reports_stderr_not_stdout() {
        let err = process_error(&format!("echo '{SECRET}'; echo '  token expired, run login  ' >&2; exit 3"));
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
        let err = process_error("head -c 2000 /dev/zero | tr '\\0' x >&2; exit 1");
        let text = err.to_string();
        let stderr = text.split_once("(exit status 1): ").map(|(_, rest)| rest).unwrap_or("");
        assert_eq!(stderr, "x".repeat(500), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_bad_json() {
        assert_process_errors(&[
            (format!("printf '%s' '{{\"Version\": 1, \"SecretAccessKey\": \"{SECRET}\"'"), "printed invalid JSON"),
            ("echo not json at all".to_owned(), "invalid JSON"),
            (r#"echo '{"Version": 1, "AccessKeyId": "A"}'"#.to_owned(), "without SecretAccessKey"),
            (
                r#"echo '{"Version": 1, "AccessKeyId": 5, "SecretAccessKey": "s"}'"#.to_owned(),
                "AccessKeyId is a number",
            ),
            (
                r#"echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "tomorrow"}'"#
                    .to_owned(),
                "invalid Expiration",
            ),
        ]);
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_wrong_version() {
        assert_process_errors(&[
            (
                r#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}'"#.to_owned(),
                "unsupported Version 2 (expected 1)",
            ),
            (
                r#"echo '{"Version": "1", "AccessKeyId": "A", "SecretAccessKey": "s"}'"#.to_owned(),
                "Version is a string",
            ),
            (r#"echo '{"AccessKeyId": "A", "SecretAccessKey": "s"}'"#.to_owned(), "without a Version"),
        ]);
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
        assert_process_errors(&[("/nonexistent/credential-helper".to_owned(), "failed (exit status 127)")]);
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
}
