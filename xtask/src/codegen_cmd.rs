//! `cargo xtask codegen [--check]`: model/ → ec2-sg/src/generated/. The main service's model is
//! `model/` itself; each `model/{name}/` holding a `selection.json` is another service,
//! generated into `ec2-sg/src/generated/{name}/` (`ec2_sg::{name}`).

use std::fs;
use std::path::Path;
use std::time::Instant;

pub fn run(args: &[String]) -> Result<(), String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err(format!("unexpected arguments {args:?}; usage: cargo xtask codegen [--check]")),
    };
    let root = crate::workspace_root();
    let started = Instant::now();
    let files = generate_from(&root.join("model"))?;
    check_features_declared(&root.join("model"), &root.join("ec2-sg/Cargo.toml"))?;
    let out_dir = root.join("ec2-sg/src/generated");
    let stale = stale_files(&out_dir, &files)?;
    if check {
        if stale.is_empty() {
            println!("ec2-sg/src/generated is up to date ({} files)", files.len());
            return Ok(());
        }
        let list: Vec<String> = stale.iter().map(|s| format!("  {s}")).collect();
        return Err(format!("generated files are stale; run `cargo xtask codegen`:\n{}", list.join("\n")));
    }
    fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    for file in &files {
        let path = out_dir.join(&file.path);
        if stale.contains(&file.path) {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            fs::write(&path, &file.contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    for extra in stale.iter().filter(|s| !files.iter().any(|f| &f.path == *s)) {
        let path = out_dir.join(extra);
        fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    println!("generated {} files, {lines} lines, in {:.2?}; {} changed", files.len(), started.elapsed(), stale.len());
    Ok(())
}

/// Runs the generator on the models in `model_dir` (the main service and the services in its
/// subdirectories): the service model, and the endpoint rule set and partitions the endpoint
/// resolver (`endpoints.rs`) is compiled from.
pub fn generate_from(model_dir: &Path) -> Result<Vec<codegen::GeneratedFile>, String> {
    let main = read_model(model_dir, None)?;
    let nested = nested_services(model_dir)?
        .into_iter()
        .map(|name| Ok((name.clone(), read_model(&model_dir.join(&name), Some(model_dir))?)))
        .collect::<Result<Vec<_>, String>>()?;
    codegen::generate_services(&main, &nested)
}

/// Every feature `model/features.json` gates operations behind must be a feature of the crate:
/// an undeclared one would compile its operations out of every build, silently.
fn check_features_declared(model_dir: &Path, manifest: &Path) -> Result<(), String> {
    let wanted = codegen::feature_names(&read_model(model_dir, None)?)?;
    let text = fs::read_to_string(manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let declared = declared_features(&text);
    let missing: Vec<&String> = wanted.iter().filter(|f| !declared.contains(f)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let missing: Vec<String> = missing.iter().map(|f| format!("`{f}`")).collect();
    Err(format!(
        "model/selection.json's features {} are not declared in {}'s [features]; add each as `name = []`",
        missing.join(", "),
        manifest.display()
    ))
}

/// The feature names of a Cargo manifest's `[features]` table (`name = [...]` lines).
fn declared_features(manifest: &str) -> Vec<String> {
    let mut in_features = false;
    let mut names = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if let Some((name, _)) = line.split_once('=').filter(|_| in_features && !line.starts_with('#')) {
            names.push(name.trim().trim_matches('"').to_string());
        }
    }
    names
}

/// The services besides the main one: the subdirectories of `model_dir` with a `selection.json`, sorted.
pub fn nested_services(model_dir: &Path) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(model_dir).map_err(|e| format!("cannot read {}: {e}", model_dir.display()))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.path().join("selection.json").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// One service's model files; `shared` is where files it does not have itself (the
/// partitions, common to all services) are read from.
pub(crate) fn read_model(dir: &Path, shared: Option<&Path>) -> Result<codegen::Model, String> {
    let mut files = Vec::new();
    for name in codegen::MODEL_FILES {
        let candidates = std::iter::once(dir).chain(shared.filter(|_| name == "partitions.json"));
        for candidate in candidates {
            let path = candidate.join(name);
            match fs::read_to_string(&path) {
                Ok(text) => {
                    files.push((name.to_string(), text));
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && name != "service-2.json" => {}
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            }
        }
    }
    codegen::Model::from_files(&files).map_err(|e| format!("{}: {e}", dir.display()))
}

/// Generated files whose contents differ from the disk, and files on disk the generator no longer makes.
fn stale_files(out_dir: &Path, files: &[codegen::GeneratedFile]) -> Result<Vec<String>, String> {
    let mut stale = Vec::new();
    for file in files {
        let current = fs::read_to_string(out_dir.join(&file.path)).ok();
        if current.as_deref() != Some(file.contents.as_str()) {
            stale.push(file.path.clone());
        }
    }
    for name in files_under(out_dir, "") {
        if !files.iter().any(|f| f.path == name) {
            stale.push(name);
        }
    }
    stale.sort();
    Ok(stale)
}

/// The files under `dir`, as paths relative to it (`mod.rs`, `sts/mod.rs`).
fn files_under(dir: &Path, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            out.extend(files_under(&entry.path(), &format!("{name}/")));
        } else {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn declared_features_reads_only_the_features_table() {
        let manifest = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"a\"]\n# b = []\nvpcs = []\n\"prefix-lists\" = []\n\n[dependencies]\nserde = \"1\"\n";
        assert_eq!(super::declared_features(manifest), ["default", "vpcs", "prefix-lists"]);
    }
}
