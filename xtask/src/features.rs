//! `cargo xtask features`: the API features (model/selection.json's `features`, declared in
//! ec2-sg/Cargo.toml) build and are gated. Two checks, both steps of `cargo xtask test`:
//!
//! - the matrix: clippy (`-D warnings`) on ec2-sg with none of the default features, with each
//!   API feature alone, and with all of them (what is compiled for one feature must not lean on
//!   another, and nothing may be left unused when a feature is off);
//! - the gates: a tiny crate calling every operation of a feature (`describe_vpcs()`…) compiles
//!   with that feature and fails to compile without it, naming each method.

use std::fs;
use std::path::Path;

const USAGE: &str = "usage: cargo xtask features [matrix|gates]";

pub fn run(args: &[String]) -> Result<(), String> {
    match args {
        [] => matrix().and_then(|()| gates()),
        [what] if what == "matrix" => matrix(),
        [what] if what == "gates" => gates(),
        _ => Err(USAGE.to_string()),
    }
}

/// The API features and the operations each gates, from model/features.json.
fn api_features() -> Result<Vec<(String, Vec<String>)>, String> {
    let model = crate::codegen_cmd::read_model(&crate::workspace_root().join("model"), None)?;
    Ok(codegen::ir::parse_features(model.features.as_ref())?.into_iter().collect())
}

/// clippy on ec2-sg with none of the defaults, each API feature alone, and all of them.
pub fn matrix() -> Result<(), String> {
    let features = api_features()?;
    let names: Vec<&str> = features.iter().map(|(name, _)| name.as_str()).collect();
    let all = names.join(",");
    let mut sets: Vec<Vec<&str>> = vec![vec!["--no-default-features"]];
    sets.extend(names.iter().map(|name| vec!["--no-default-features", "--features", name]));
    sets.push(vec!["--features", &all]);
    let mut failed = Vec::new();
    for set in &sets {
        println!("-- ec2-sg {}", set.join(" "));
        let mut args = vec!["clippy", "--quiet", "-p", "ec2-sg"];
        args.extend(set);
        args.extend(["--", "-D", "warnings"]);
        if let Err(e) = crate::run_cargo(&args, &[]) {
            failed.push(e);
        }
    }
    if failed.is_empty() {
        println!("ec2-sg builds clippy-clean with {} feature sets", sets.len());
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

/// For each API feature: a crate calling each of its operations builds with the feature, and
/// without it fails to, saying of each method that it does not exist.
pub fn gates() -> Result<(), String> {
    let root = crate::workspace_root();
    for (feature, operations) in api_features()? {
        let methods: Vec<String> = operations.iter().map(|op| codegen::names::field(op)).collect();
        let dir = root.join("target/feature-gates").join(&feature);
        write_snippet(&root, &dir, &feature, &methods)?;
        check_snippet(&root, &dir, &[feature.as_str()])
            .map_err(|output| format!("the operations of `{feature}` do not compile with it:\n{output}"))?;
        let output = match check_snippet(&root, &dir, &[]) {
            Ok(()) => return Err(format!("the operations of `{feature}` compile without it: they are not gated")),
            Err(output) => output,
        };
        // rustc's E0599 "no method named `describe_vpcs` found", once per call.
        let missing = |method: &String| output.contains("E0599") && output.contains(&format!("`{method}`"));
        if let Some(method) = methods.iter().find(|m| !missing(m)) {
            return Err(format!("without `{feature}`, `{method}()` did not fail as a missing method:\n{output}"));
        }
        println!(
            "{} need feature `{feature}`: ok",
            methods.iter().map(|m| format!("{m}()")).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(())
}

/// A library crate with one function calling `client.{method}()` for each method.
fn write_snippet(root: &Path, dir: &Path, feature: &str, methods: &[String]) -> Result<(), String> {
    fs::create_dir_all(dir.join("src")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let calls: String = methods.iter().map(|method| format!("    let _ = client.{method}();\n")).collect();
    write("src/lib.rs", format!("pub fn call(client: &ec2_sg::Client) {{\n{calls}}}\n"))?;
    // The workspace's lock file, so the snippet builds against the same dependency versions and
    // shares the workspace's target directory without rebuilding them.
    let lock = fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    write("Cargo.lock", lock)?;
    write(
        "Cargo.toml",
        format!(
            "[package]\nname = \"feature-gate-{feature}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nec2-sg = {{ path = {:?}, default-features = false, features = [] }}\n\n\
             # Not part of the ec2-sg workspace it sits in.\n[workspace]\n",
            root.join("ec2-sg").display().to_string()
        ),
    )
}

/// `cargo check` of the snippet with these features of ec2-sg; `Err` holds the compiler's output.
fn check_snippet(root: &Path, dir: &Path, features: &[&str]) -> Result<(), String> {
    let features: Vec<String> = features.iter().map(|f| format!("ec2-sg/{f}")).collect();
    let output = std::process::Command::new(crate::cargo_program())
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .args(["check", "--quiet", "--message-format", "short", "--features", &features.join(",")])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}
