//! The README's two commands: `cargo xtask regenerate` (the main job: the crate from model/,
//! verified) and `cargo xtask test` (every test). `.ci/run` calls the second.

use std::process::Command;
use std::time::Instant;

type Step = (&'static str, Box<dyn Fn() -> Result<(), String>>);

fn cargo(args: &'static [&'static str]) -> Box<dyn Fn() -> Result<(), String>> {
    cargo_with_env(args, &[])
}

/// [`cargo`] with these environment variables set.
fn cargo_with_env(
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
) -> Box<dyn Fn() -> Result<(), String>> {
    Box::new(move || {
        let status = crate::cargo()
            .args(args)
            .envs(env.iter().copied())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`cargo {}` failed", args.join(" ")))
        }
    })
}

fn run_steps(name: &str, steps: Vec<Step>) -> Result<(), String> {
    let started = Instant::now();
    let mut failed = Vec::new();
    for (label, step) in &steps {
        println!("==> {label}");
        let step_started = Instant::now();
        match step() {
            Ok(()) => println!("<== {label}: ok ({:.1?})", step_started.elapsed()),
            Err(e) => {
                eprintln!("<== {label}: FAILED: {e}");
                failed.push(*label);
            }
        }
    }
    println!("{name}: {} of {} steps passed in {:.1?}", steps.len() - failed.len(), steps.len(), started.elapsed());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: failed steps: {}", failed.join(", ")))
    }
}

/// Regenerates ec2-sg from model/ and verifies it: it builds with every feature, and the
/// generator still passes the protocol test vectors.
pub fn regenerate(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask regenerate".into());
    }
    run_steps(
        "regenerate",
        vec![
            ("codegen: model/ -> ec2-sg/src/generated", Box::new(|| crate::codegen_cmd::run(&[]))),
            ("build ec2-sg (all features)", cargo(&["build", "-p", "ec2-sg", "--all-features"])),
            ("conformance vectors", Box::new(|| crate::conformance::run(&[]))),
        ],
    )
}

/// Every check and test of the workspace.
pub fn test(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask test".into());
    }
    run_steps(
        "test",
        vec![
            ("generated code is fresh", Box::new(|| crate::codegen_cmd::run(&["--check".to_string()]))),
            ("model/ matches the installed botocore", Box::new(model_matches_installed_botocore)),
            ("cargo fmt --check", cargo(&["fmt", "--all", "--check"])),
            (
                "clippy -D warnings",
                cargo(&["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"]),
            ),
            ("API features: clippy with none, each alone, all", Box::new(crate::features::matrix)),
            ("API features: an operation needs its feature", Box::new(crate::features::gates)),
            ("moto for the end-to-end tests", Box::new(ensure_moto)),
            ("cargo test (end-to-end against moto included)", cargo(&["test", "--workspace", "--all-features"])),
            ("conformance vectors", Box::new(|| crate::conformance::run(&[]))),
            // A broken intra-doc link is a broken page for users: every rustdoc warning fails.
            (
                "cargo doc -p ec2-sg (no broken links or other warnings)",
                cargo_with_env(
                    &["doc", "-p", "ec2-sg", "--all-features", "--no-deps"],
                    &[("RUSTDOCFLAGS", "-D warnings")],
                ),
            ),
            ("cargo package -p ec2-sg (verify build, no warnings)", Box::new(package_without_warnings)),
        ],
    )
}

/// Packages the published crate as crates.io would get it, builds the package, and fails on any
/// warning (missing metadata, files left out).
fn package_without_warnings() -> Result<(), String> {
    let output = crate::cargo()
        .args(["package", "-p", "ec2-sg", "--allow-dirty"])
        .output()
        .map_err(|e| format!("cannot run cargo package: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    print!("{stderr}");
    if !output.status.success() {
        return Err("`cargo package -p ec2-sg` failed".into());
    }
    let warnings: Vec<&str> = stderr.lines().filter(|line| line.trim_start().starts_with("warning")).collect();
    if warnings.is_empty() {
        Ok(())
    } else {
        Err(format!("`cargo package -p ec2-sg` warned: {}", warnings.join("; ")))
    }
}

/// `sync-model --check` when the installed botocore/boto3 are the versions model/ records;
/// other versions would (rightly) differ, so they are reported and skipped.
fn model_matches_installed_botocore() -> Result<(), String> {
    let recorded = std::fs::read_to_string(crate::workspace_root().join("model/versions.json"))
        .map_err(|e| format!("cannot read model/versions.json: {e}"))?;
    let recorded: serde_json::Value =
        serde_json::from_str(&recorded).map_err(|e| format!("model/versions.json: {e}"))?;
    let installed = Command::new("python3")
        .args(["-c", "import botocore, boto3; print(botocore.__version__, boto3.__version__)"])
        .output();
    let installed = match installed {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            println!("skipped: python3 with botocore and boto3 is not installed");
            return Ok(());
        }
    };
    let wanted = format!(
        "{} {}",
        recorded["botocore"].as_str().unwrap_or_default(),
        recorded["boto3"].as_str().unwrap_or_default()
    );
    if installed != wanted {
        println!("skipped: installed botocore/boto3 {installed}, model/ records {wanted}");
        return Ok(());
    }
    crate::sync_model::run(&["--check".to_string()])
}

/// The end-to-end tests start moto (tests/moto/serve.py); install it when it is missing.
fn ensure_moto() -> Result<(), String> {
    let has_moto = |python: &str| {
        Command::new(python).args(["-c", "import moto.server, boto3"]).status().map(|s| s.success()).unwrap_or(false)
    };
    if has_moto("python3") {
        println!("moto is installed");
        return Ok(());
    }
    println!("installing moto[server] with pip");
    let status = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "moto[server]"])
        .status()
        .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
    if status.success() && has_moto("python3") {
        Ok(())
    } else {
        Err("could not install moto: run `python3 -m pip install 'moto[server]'`".into())
    }
}
