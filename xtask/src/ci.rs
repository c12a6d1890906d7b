//! The README's two commands: `cargo xtask regenerate` (the main job: the crate from model/,
//! verified) and `cargo xtask test` (every test). `.ci/run` calls the second.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Instant;

use crate::py_env::{self, PyEnv};

/// How a step ended: a step that could not run says so, and is counted apart from those that
/// passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    Passed,
    Skipped(String),
    Failed(String),
}

impl From<Result<(), String>> for StepOutcome {
    fn from(result: Result<(), String>) -> Self {
        match result {
            Ok(()) => StepOutcome::Passed,
            Err(why) => StepOutcome::Failed(why),
        }
    }
}

type Step = (&'static str, Box<dyn Fn() -> StepOutcome>);

fn cargo(args: &'static [&'static str]) -> Box<dyn Fn() -> StepOutcome> {
    cargo_with_env(args, &[])
}

/// [`cargo`] with these environment variables set.
fn cargo_with_env(
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
) -> Box<dyn Fn() -> StepOutcome> {
    plain(move || crate::run_cargo(args, env))
}

/// A step that returns `Result<(), String>`: passed or failed.
fn plain(step: impl Fn() -> Result<(), String> + 'static) -> Box<dyn Fn() -> StepOutcome> {
    Box::new(move || step().into())
}

/// The labels of the steps that passed, failed and were skipped.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    passed: Vec<&'static str>,
    failed: Vec<&'static str>,
    skipped: Vec<&'static str>,
}

/// Runs every step, in order, whatever the ones before gave.
fn run_and_tally(steps: &[Step]) -> Tally {
    let mut tally = Tally::default();
    for (label, step) in steps {
        println!("==> {label}");
        let step_started = Instant::now();
        match step() {
            StepOutcome::Passed => {
                println!("<== {label}: ok ({:.1?})", step_started.elapsed());
                tally.passed.push(label);
            }
            StepOutcome::Skipped(why) => {
                println!("<== {label}: SKIPPED: {why}");
                tally.skipped.push(label);
            }
            StepOutcome::Failed(why) => {
                eprintln!("<== {label}: FAILED: {why}");
                tally.failed.push(label);
            }
        }
    }
    tally
}

fn run_steps(name: &str, steps: Vec<Step>) -> Result<(), String> {
    let started = Instant::now();
    let tally = run_and_tally(&steps);
    println!(
        "{name}: {} passed, {} failed, {} skipped (of {} steps) in {:.1?}",
        tally.passed.len(),
        tally.failed.len(),
        tally.skipped.len(),
        steps.len(),
        started.elapsed()
    );
    if !tally.skipped.is_empty() {
        println!("{name}: skipped steps: {}", tally.skipped.join(", "));
    }
    if tally.failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: failed steps: {}", tally.failed.join(", ")))
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
            ("codegen: model/ -> ec2-sg/src/generated", plain(|| crate::codegen_cmd::run(&[]))),
            ("build ec2-sg (all features)", cargo(&["build", "-p", "ec2-sg", "--all-features"])),
            ("conformance vectors", plain(|| crate::conformance::run(&[]))),
        ],
    )
}

/// Every check and test of the workspace.
pub fn test(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask test".into());
    }
    // The project's Python environment, once made: the steps that need it skip when it failed.
    let python: Rc<RefCell<Option<Result<PathBuf, String>>>> = Rc::new(RefCell::new(None));
    let make_env = Rc::clone(&python);
    let for_model = Rc::clone(&python);
    let for_readme = Rc::clone(&python);
    run_steps(
        "test",
        vec![
            ("generated code is fresh", plain(|| crate::codegen_cmd::run(&["--check".to_string()]))),
            (
                "Python environment target/py-env (pinned moto, botocore and boto3)",
                Box::new(move || {
                    let made = project_python_env();
                    let outcome = StepOutcome::from(made.as_ref().map(|_| ()).map_err(String::clone));
                    *make_env.borrow_mut() = Some(made);
                    outcome
                }),
            ),
            (
                "model/ matches botocore at model/versions.json's versions",
                Box::new(move || match &*for_model.borrow() {
                    Some(Ok(python)) => model_matches_recorded_botocore(python).into(),
                    _ => StepOutcome::Skipped("no Python environment (see its step)".into()),
                }),
            ),
            ("cargo fmt --check", cargo(&["fmt", "--all", "--check"])),
            (
                "clippy -D warnings",
                cargo(&["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"]),
            ),
            ("API features: clippy with none, each alone, all", plain(crate::features::matrix)),
            ("API features: an operation needs its feature", plain(crate::features::gates)),
            ("cargo test (end-to-end against moto included)", cargo(&["test", "--workspace", "--all-features"])),
            // The minimal build's own unit tests: messages that name what a missing feature leaves out.
            (
                "ec2-sg unit tests with no default features",
                cargo(&["test", "-p", "ec2-sg", "--lib", "--no-default-features"]),
            ),
            (
                "README examples build as pasted; the first and the walkthrough run against moto",
                Box::new(move || {
                    let python = for_readme.borrow().as_ref().and_then(|made| made.as_ref().ok()).cloned();
                    crate::readme_examples::check(python.as_deref())
                }),
            ),
            ("conformance vectors", plain(|| crate::conformance::run(&[]))),
            // A broken intra-doc link is a broken page for users: every rustdoc warning fails.
            (
                "cargo doc -p ec2-sg (no broken links or other warnings)",
                cargo_with_env(
                    &["doc", "-p", "ec2-sg", "--all-features", "--no-deps"],
                    &[("RUSTDOCFLAGS", "-D warnings")],
                ),
            ),
            ("cargo package -p ec2-sg (verify build, no warnings)", plain(package_without_warnings)),
        ],
    )
}

/// `target/py-env` with the pinned requirements; its interpreter.
fn project_python_env() -> Result<PathBuf, String> {
    let root = crate::workspace_root();
    let env = PyEnv::project(&root);
    env.ensure(&py_env::pinned_requirements(&root)?)?;
    Ok(env.python())
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

/// `sync-model --check` with the project's environment, which holds botocore and boto3 at the
/// versions model/ records: any difference is a stale model/.
fn model_matches_recorded_botocore(python: &std::path::Path) -> Result<(), String> {
    let root = crate::workspace_root();
    let wanted = py_env::pinned_requirements(&root)?;
    let (botocore, boto3) = PyEnv::project(&root).installed_versions()?;
    let installed = [format!("botocore=={botocore}"), format!("boto3=={boto3}")];
    if !installed.iter().all(|pin| wanted.contains(pin)) {
        return Err(format!(
            "{} has {}, model/versions.json wants {}",
            python.display(),
            installed.join(" "),
            wanted.join(" ")
        ));
    }
    crate::sync_model::run(&["--check".to_string(), "--python".to_string(), python.display().to_string()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passed_failed_and_skipped_steps_are_counted_apart() {
        let steps: Vec<Step> = vec![
            ("passes", Box::new(|| StepOutcome::Passed)),
            ("skips", Box::new(|| StepOutcome::Skipped("nothing to run it with".into()))),
            ("fails", Box::new(|| StepOutcome::Failed("broken".into()))),
            ("passes too", plain(|| Ok(()))),
        ];
        let tally = run_and_tally(&steps);
        assert_eq!(
            tally,
            Tally { passed: vec!["passes", "passes too"], failed: vec!["fails"], skipped: vec!["skips"] }
        );
        let error = run_steps("demo", steps).unwrap_err();
        assert!(error.contains("fails") && !error.contains("skips"), "{error}");
    }

    #[test]
    fn a_run_with_skips_and_no_failure_passes() {
        let steps: Vec<Step> = vec![("skips", Box::new(|| StepOutcome::Skipped("why".into())))];
        assert!(run_steps("demo", steps).is_ok());
    }
}
