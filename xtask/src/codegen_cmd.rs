//! `cargo xtask codegen [--check]`: model/ → ec2-sg/src/generated/.

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

/// Runs the generator on the model in `model_dir`: the service model, and the endpoint rule set
/// and partitions the endpoint resolver (`endpoints.rs`) is compiled from.
pub fn generate_from(model_dir: &Path) -> Result<Vec<codegen::GeneratedFile>, String> {
    let mut files = Vec::new();
    for name in codegen::MODEL_FILES {
        let path = model_dir.join(name);
        match fs::read_to_string(&path) {
            Ok(text) => files.push((name.to_string(), text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && name != "service-2.json" => {}
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
    }
    let model = codegen::Model::from_files(&files).map_err(|e| format!("{}: {e}", model_dir.display()))?;
    codegen::generate(&model)
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
    if let Ok(entries) = fs::read_dir(out_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !files.iter().any(|f| f.path == name) {
                stale.push(name);
            }
        }
    }
    stale.sort();
    Ok(stale)
}
