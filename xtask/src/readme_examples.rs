//! The crate README's examples, built as a user pastes them: every ```rust block of
//! `ec2-sg/README.md` becomes the `src/main.rs` of a program (one `src/bin/*.rs` each) in a crate
//! as `cargo new` makes it, under `target/readme-examples/`, whose `Cargo.toml` gets the README's own
//! `[dependencies]` lines, with ec2-sg pointed at this workspace and every optional feature on.
//! The first example then runs against moto, as a user's first program runs against a fresh
//! account. It builds in the workspace's target directory, so only what differs is compiled.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::ci::StepOutcome;

// The tests' moto launcher, as a file: xtask depends on the tests' crate only with `record`
// (that crate needs the generated code to compile, and codegen must run without it).
#[path = "../../tests/src/moto_process.rs"]
mod moto_process;
use moto_process::stop;

const README: &str = "ec2-sg/README.md";
const CRATE_DIR: &str = "target/readme-examples";

/// A fenced code block of the README.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The info string's first word (`rust` for "rust,no_run").
    pub language: String,
    /// The README line the code starts on (1-based).
    pub line: usize,
    pub code: String,
}

/// Every fenced (```) block of a Markdown text.
pub fn fenced_blocks(markdown: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(info)) => {
                let language = info.split([',', ' ']).next().unwrap_or_default().trim().to_string();
                open = Some(Block { language, line: index + 2, code: String::new() });
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => blocks.extend(open.take()),
            (Some(block), _) => {
                block.code.push_str(line);
                block.code.push('\n');
            }
            (None, None) => {}
        }
    }
    match open {
        Some(block) => Err(format!("the code block starting at line {} is never closed", block.line - 1)),
        None => Ok(blocks),
    }
}

/// Why a block would not work pasted into a user's `src/main.rs`, if it would not.
pub fn paste_problem(block: &Block) -> Option<String> {
    for line in block.code.lines() {
        let trimmed = line.trim_start();
        // rustdoc hides `# ` lines; GitHub and crates.io show them, and they do not compile.
        if trimmed == "#" || trimmed.starts_with("# ") {
            return Some(format!("a doctest-hidden line: `{line}`"));
        }
        // Copied into the user's crate, a cfg on the crate's features compiles the code out.
        if trimmed.starts_with("#[cfg") || trimmed.starts_with("#![cfg") {
            return Some(format!("a cfg line: `{line}`"));
        }
    }
    if !block.code.contains("fn main(") {
        return Some("no `fn main`: it is not a whole program".into());
    }
    None
}

/// The README's `Cargo.toml` lines (its first toml block with `[dependencies]`), with the
/// `ec2-sg = …` line replaced by `ec2_sg_line`.
pub fn manifest_lines(blocks: &[Block], ec2_sg_line: &str) -> Result<String, String> {
    let snippet = blocks
        .iter()
        .find(|block| block.language == "toml" && block.code.contains("[dependencies]"))
        .ok_or("the README has no ```toml block with [dependencies]")?;
    let is_ec2_sg =
        |line: &str| line.trim_start().strip_prefix("ec2-sg").is_some_and(|rest| rest.trim_start().starts_with('='));
    match snippet.code.lines().filter(|line| is_ec2_sg(line)).count() {
        1 => {}
        n => {
            return Err(format!(
                "the README's Cargo.toml block (line {}) has {n} `ec2-sg = …` lines, not 1",
                snippet.line
            ))
        }
    }
    let lines: Vec<&str> = snippet.code.lines().map(|line| if is_ec2_sg(line) { ec2_sg_line } else { line }).collect();
    Ok(lines.join("\n") + "\n")
}

/// The `ec2-sg = …` line of the built crate: this workspace's ec2-sg with every feature on.
fn workspace_ec2_sg_line(root: &Path) -> Result<String, String> {
    let output = crate::cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let package = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|package| package["name"] == "ec2-sg"))
        .ok_or("cargo metadata lists no ec2-sg package")?;
    let features: Vec<String> = package["features"]
        .as_object()
        .map(|features| features.keys().filter(|name| *name != "default").map(|name| format!("{name:?}")).collect())
        .unwrap_or_default();
    // A TOML basic string: the path is JSON-quoted, which TOML reads the same for paths.
    let path = serde_json::Value::String(root.join("ec2-sg").display().to_string());
    Ok(format!("ec2-sg = {{ path = {path}, features = [{}] }}", features.join(", ")))
}

/// The binary name of the block starting at README line `line`.
fn bin_name(line: usize) -> String {
    format!("readme_line_{line}")
}

/// Writes the crate and builds every example; returns the first example's binary.
fn build(root: &Path, blocks: &[Block]) -> Result<PathBuf, String> {
    let examples: Vec<&Block> = blocks.iter().filter(|block| block.language == "rust").collect();
    let problems: Vec<String> = examples
        .iter()
        .filter_map(|block| paste_problem(block).map(|why| format!("{README} line {}: {why}", block.line)))
        .collect();
    if !problems.is_empty() {
        return Err(format!("examples that do not paste:\n  {}", problems.join("\n  ")));
    }
    let first = examples.first().ok_or_else(|| format!("{README} has no ```rust block"))?;
    let dependencies = manifest_lines(blocks, &workspace_ec2_sg_line(root)?)?;

    // What `cargo new` gives a user (written here: run inside this workspace, `cargo new` would
    // make the crate a member of it), then the README's lines, and a workspace of its own.
    let crate_dir = root.join(CRATE_DIR);
    if crate_dir.exists() {
        std::fs::remove_dir_all(&crate_dir).map_err(|e| format!("cannot remove {}: {e}", crate_dir.display()))?;
    }
    let bin_dir = crate_dir.join("src/bin");
    std::fs::create_dir_all(&bin_dir).map_err(|e| format!("cannot create {}: {e}", bin_dir.display()))?;
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(
        crate_dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"readme-examples\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n{dependencies}\n[workspace]\n"
        ),
    )?;
    // The dependency versions the workspace is tested with, and no registry lookup.
    if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
        write(crate_dir.join("Cargo.lock"), &lock)?;
    }
    for block in &examples {
        write(bin_dir.join(format!("{}.rs", bin_name(block.line))), &block.code)?;
    }

    println!("building {} README examples in {}", examples.len(), crate_dir.display());
    let target_dir = root.join("target");
    let status = crate::cargo()
        .current_dir(&crate_dir)
        .args(["build", "--bins"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the README examples do not build as pasted (each is {CRATE_DIR}/src/bin/readme_line_N.rs, N its README line)"
        ));
    }
    Ok(target_dir.join("debug").join(format!("{}{}", bin_name(first.line), std::env::consts::EXE_SUFFIX)))
}

/// A moto server (tests/moto/serve.py) run by `python`: the process and what it printed.
struct MotoServer {
    child: Child,
    endpoint: String,
    access_key_id: String,
    secret_access_key: String,
}

impl MotoServer {
    fn start(root: &Path, python: &Path) -> Result<MotoServer, String> {
        let log_path = root.join("target/moto-readme.log");
        let (mut child, json) = moto_process::spawn_serve(python, root, &log_path, 300, &[])?;
        let field =
            |name: &str| json[name].as_str().map(str::to_string).ok_or_else(|| format!("serve.py gave no {name}"));
        match (field("endpoint"), field("access_key_id"), field("secret_access_key")) {
            (Ok(endpoint), Ok(access_key_id), Ok(secret_access_key)) => {
                Ok(MotoServer { child, endpoint, access_key_id, secret_access_key })
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                stop(&mut child);
                Err(e)
            }
        }
    }

    /// A command with the environment the README tells a user to set for a local endpoint
    /// (region, keys, `AWS_ENDPOINT_URL_EC2`), and nothing else of the machine's AWS setup.
    fn configure(&self, command: &mut Command) {
        for name in
            ["AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE"]
        {
            command.env_remove(name);
        }
        command
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", &self.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret_access_key)
            .env("AWS_ENDPOINT_URL_EC2", &self.endpoint)
            .env("AWS_CONFIG_FILE", "/nonexistent/ec2-sg-readme/config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/ec2-sg-readme/credentials")
            .env("AWS_EC2_METADATA_DISABLED", "true");
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Runs `command` to its end, for at most `limit`; its stdout, or why it failed.
fn run_bounded(mut command: Command, what: &str, limit: Duration) -> Result<String, String> {
    let mut child =
        command.stdin(Stdio::null()).stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot run {what}: {e}"))?;
    let Some(stdout) = child.stdout.take() else {
        stop(&mut child);
        return Err(format!("no stdout from {what}"));
    };
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stdout), &mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(100)),
            Ok(None) => {
                stop(&mut child);
                return Err(format!("{what} did not finish within {limit:?}"));
            }
            Err(e) => {
                stop(&mut child);
                return Err(format!("cannot wait for {what}: {e}"));
            }
        }
    };
    let stdout = reader.join().unwrap_or_default();
    print!("{stdout}");
    if status.success() {
        Ok(stdout)
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// `cargo xtask readme-examples`: [`check`] with the project's Python environment, if made.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask readme-examples".into());
    }
    let python = crate::py_env::PyEnv::project(&crate::workspace_root()).python();
    match check(Some(&python).filter(|python| python.is_file()).map(PathBuf::as_path)) {
        StepOutcome::Passed => Ok(()),
        StepOutcome::Skipped(why) => {
            println!("skipped: {why} (`cargo xtask py-env` makes it)");
            Ok(())
        }
        StepOutcome::Failed(why) => Err(why),
    }
}

/// The `cargo xtask test` step: build every example; run the first, and the walkthrough example
/// with the README's environment, against moto run by `python` (skipped without one).
pub fn check(python: Option<&Path>) -> StepOutcome {
    let root = crate::workspace_root();
    let readme = match std::fs::read_to_string(root.join(README)) {
        Ok(text) => text,
        Err(e) => return StepOutcome::Failed(format!("cannot read {README}: {e}")),
    };
    let blocks = match fenced_blocks(&readme) {
        Ok(blocks) => blocks,
        Err(e) => return StepOutcome::Failed(format!("{README}: {e}")),
    };
    let first = match build(&root, &blocks) {
        Ok(first) => first,
        Err(e) => return StepOutcome::Failed(e),
    };
    let Some(python) = python else {
        return StepOutcome::Skipped("the examples build; no Python environment to run the first against moto".into());
    };
    run_against_moto(&root, python, &first).into()
}

fn run_against_moto(root: &Path, python: &Path, first: &Path) -> Result<(), String> {
    let moto = MotoServer::start(root, python)?;
    println!("running the first README example against moto at {}", moto.endpoint);
    let mut command = Command::new(first);
    moto.configure(&mut command);
    let printed = run_bounded(command, "the first README example", Duration::from_secs(120))?;
    // It printed the group id moto gave it.
    if !printed.contains("sg-") {
        return Err(format!("the first README example printed no group id: {printed:?}"));
    }

    println!("running the walkthrough example with the README's environment");
    let mut command = crate::cargo();
    // --all-features: the build the other steps made (the README's one-liner builds the defaults).
    command.args(["run", "--quiet", "-p", "ec2-sg", "--all-features", "--example", "security_group_walkthrough"]);
    moto.configure(&mut command);
    run_bounded(command, "the walkthrough example", Duration::from_secs(300)).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const README_TEXT: &str = "# t\n\n```toml\n[dependencies]\nec2-sg = \"0.1\"\ntokio = \"1\"\n```\n\n\
        ```rust\nfn main() {}\n```\n\n```rust,no_run\nfn main() { run() }\n```\n\n```sh\ncargo run\n```\n";

    #[test]
    fn rust_blocks_are_found_with_their_lines_whatever_their_attributes() {
        let blocks = fenced_blocks(README_TEXT).unwrap();
        let rust: Vec<(usize, &str)> =
            blocks.iter().filter(|b| b.language == "rust").map(|b| (b.line, b.code.as_str())).collect();
        assert_eq!(rust, [(10, "fn main() {}\n"), (14, "fn main() { run() }\n")]);
        assert!(fenced_blocks("```rust\nfn main() {}\n").is_err(), "an unclosed block is an error");
    }

    #[test]
    fn the_readme_manifest_lines_get_the_workspace_ec2_sg() {
        let blocks = fenced_blocks(README_TEXT).unwrap();
        let manifest = manifest_lines(&blocks, "ec2-sg = { path = \"/w/ec2-sg\" }").unwrap();
        assert_eq!(manifest, "[dependencies]\nec2-sg = { path = \"/w/ec2-sg\" }\ntokio = \"1\"\n");
        let without = fenced_blocks("```toml\n[dependencies]\ntokio = \"1\"\n```\n").unwrap();
        assert!(manifest_lines(&without, "x").is_err());
    }

    #[test]
    fn hidden_lines_cfg_lines_and_fragments_do_not_paste() {
        let block = |code: &str| Block { language: "rust".into(), line: 1, code: code.into() };
        assert_eq!(paste_problem(&block("use std::io;\n\nfn main() {\n    // # not hidden\n}\n")), None);
        assert!(paste_problem(&block("# fn main() {\nlet x = 1;\n# }\n")).unwrap().contains("hidden"));
        assert!(paste_problem(&block("#[cfg(feature = \"blocking\")]\nfn main() {}\n")).unwrap().contains("cfg"));
        assert!(paste_problem(&block("let client = Client::from_env()?;\n")).unwrap().contains("fn main"));
    }

    #[test]
    fn the_crate_readme_examples_are_whole_programs() {
        let readme = std::fs::read_to_string(crate::workspace_root().join(README)).unwrap();
        let blocks = fenced_blocks(&readme).unwrap();
        let examples: Vec<&Block> = blocks.iter().filter(|b| b.language == "rust").collect();
        assert!(examples.len() >= 2, "{README} has its examples");
        for block in examples {
            assert_eq!(paste_problem(block), None, "{README} line {}", block.line);
        }
        assert!(manifest_lines(&blocks, "ec2-sg = { path = \"x\" }").is_ok());
    }
}
