//! Developer commands: `cargo xtask <command>`. Only this crate touches the disk for codegen.

mod api_changes;
mod bench;
mod ci;
mod codegen_cmd;
mod compat_check;
mod conformance;
mod features;
mod footprint;
mod full_model;
mod py_env;
mod readme_examples;
mod record;
mod scratch;
mod sync_model;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  sync-model [--latest | --version X] [...]   refresh model/ from AWS's botocore/boto3 data (installed into target/py-env first with --latest/--version); add the CHANGELOG.md entry
  codegen [--check]                           write (or verify) ec2-sg/src/generated/
  conformance [--vectors DIR]                 run botocore's ec2 protocol vectors (tests/fixtures/protocol)
  full-model [--botocore DIR]                 generate and type-check the service's whole botocore model
  regenerate                                  main job: codegen, build ec2-sg, conformance
  compat-check                                compile tests/compat/programs against aws-sdk-ec2 (minutes; not in test)
  bench [--out FILE]                          decode large pages beside a raw XML scan: docs/DECODE_BENCH.md
  record [--endpoint URL ...] [--out DIR]     record the contract fixtures (moto by default) under tests/fixtures/recorded/
  py-env                                      make (or reuse) target/py-env: pinned moto, botocore and boto3
  readme-examples                             build ec2-sg/README.md's examples as pasted; run the first against moto
  test                                        every check and test (what .ci/run runs)
  footprint [--out FILE] [--baseline]         measure build cost, binary size, per-call overhead: docs/FOOTPRINT.md
                                              (--baseline: aws-sdk-ec2 + aws-config, 15+ minutes)
  features [matrix|gates]                     clippy ec2-sg per API feature set; check each operation needs its feature";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let result = match command.as_str() {
        "sync-model" => sync_model::run(rest),
        "codegen" => codegen_cmd::run(rest),
        "conformance" => conformance::run(rest),
        "full-model" => full_model::run(rest),
        "regenerate" => ci::regenerate(rest),
        "compat-check" => compat_check::run(rest),
        "bench" => bench::run(rest),
        "test" => ci::test(rest),
        "py-env" => py_env::run(rest),
        "readme-examples" => readme_examples::run(rest),
        "record" => record::run(rest),
        "footprint" => footprint::run(rest),
        "features" => features::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The cargo running xtask (`CARGO`), else the one on the PATH.
pub fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// A `cargo` command run in the workspace root.
pub fn cargo() -> std::process::Command {
    let mut command = std::process::Command::new(cargo_program());
    command.current_dir(workspace_root());
    command
}

/// Runs `cargo ARGS` in the workspace root with these environment variables set: `Ok` when it
/// succeeds, else an error naming the command.
pub fn run_cargo(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let status = cargo().args(args).envs(env.iter().copied()).status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed", args.join(" ")))
    }
}

/// The workspace root: xtask lives one level below it.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(PathBuf::from).unwrap_or(manifest_dir)
}
