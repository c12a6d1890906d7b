//! Throwaway crates under `target/` that compile generated code with ec2-sg's own runtime
//! sources (`cargo xtask conformance`, `cargo xtask full-model`). Their manifest is derived from
//! `ec2-sg/Cargo.toml`, so their dependencies and features can never drift from the SDK's.

use std::fs;
use std::path::Path;

/// `ec2-sg/Cargo.toml` renamed to `name`, standalone (its own `[workspace]`), without the
/// workspace inheritance, dev-dependencies and examples.
pub fn manifest(root: &Path, name: &str) -> Result<String, String> {
    let path = root.join("ec2-sg/Cargo.toml");
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = String::new();
    let mut renamed = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed == "[dev-dependencies]" || trimmed == "[[example]]" {
            break;
        }
        match trimmed {
            "name = \"ec2-sg\"" => {
                out.push_str(&format!("name = \"{name}\"\npublish = false\n"));
                renamed = true;
            }
            "edition.workspace = true" => out.push_str("edition = \"2021\"\n"),
            _ if trimmed.ends_with(".workspace = true") || trimmed.starts_with("publish") => {}
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if !renamed {
        return Err(format!("{} has no `name = \"ec2-sg\"` line to rename", path.display()));
    }
    out.push_str("\n[workspace]\n");
    Ok(out)
}

/// Writes the manifest and, the first time, the workspace's lock file (the same dependency
/// versions the SDK is tested with).
pub fn write_manifest(root: &Path, crate_dir: &Path, name: &str) -> Result<(), String> {
    let write = |path: &Path, contents: &str| {
        fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(&crate_dir.join("Cargo.toml"), &manifest(root, name)?)?;
    if !crate_dir.join("Cargo.lock").exists() {
        if let Ok(lock) = fs::read_to_string(root.join("Cargo.lock")) {
            write(&crate_dir.join("Cargo.lock"), &lock)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_manifest_becomes_a_standalone_one() {
        let root = crate::workspace_root();
        let manifest = manifest(&root, "scratch").unwrap();
        assert!(manifest.starts_with("[package]\nname = \"scratch\"\npublish = false\n"), "{manifest}");
        assert!(manifest.contains("edition = \"2021\""));
        assert!(manifest.contains("[dependencies]") && manifest.contains("aws-sigv4"));
        assert!(!manifest.contains(".workspace") && !manifest.contains("[dev-dependencies]"));
        assert!(manifest.trim_end().ends_with("[workspace]"));
    }
}
