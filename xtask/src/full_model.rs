//! `cargo xtask full-model [--botocore DIR]`: runs the generator over botocore's *entire* EC2
//! model (not just `model/selection.json`) and type-checks the result with ec2-sg's runtime, in a
//! throwaway crate under `target/full-model/`. It shows that widening the selection, or a model
//! update, will generate code that compiles. Not part of `cargo xtask test`: it checks about
//! 600,000 generated lines (about 1.5 min and 3 GB of memory on 2 cores).

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

pub fn run(args: &[String]) -> Result<(), String> {
    let botocore = match args {
        [] => None,
        [flag, dir] if flag == "--botocore" => Some(PathBuf::from(dir)),
        _ => return Err("usage: cargo xtask full-model [--botocore DIR]".into()),
    };
    let root = crate::workspace_root();
    let python = crate::py_env::default_python(&root);
    let botocore = crate::sync_model::package_dir(botocore, "botocore", "--botocore", &python)?;
    let selection_path = root.join("model/selection.json");
    let selection: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(&selection_path).map_err(|e| format!("cannot read {}: {e}", selection_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", selection_path.display()))?;
    let (service_name, api_version) = match (selection["service"].as_str(), selection["apiVersion"].as_str()) {
        (Some(s), Some(v)) => (s, v),
        _ => return Err(format!("{} needs `service` and `apiVersion`", selection_path.display())),
    };
    let mut service =
        crate::sync_model::load_model(&botocore.join("data").join(service_name).join(api_version), "service-2")?;
    crate::sync_model::strip_docs(&mut service);
    let operations = service["operations"].as_object().map_or(0, |o| o.len());
    let shapes = service["shapes"].as_object().map_or(0, |o| o.len());

    // The rule set and partitions of model/ (the same for every operation of the service).
    let mut files = vec![("service-2.json".to_string(), service.to_string())];
    for name in ["endpoint-rule-set-1.json", "partitions.json"] {
        let path = root.join("model").join(name);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        files.push((name.to_string(), text));
    }
    let model = codegen::Model::from_files(&files)?;
    let started = Instant::now();
    let generated = codegen::generate(&model)?;
    let lines: usize = generated.iter().map(|f| f.contents.lines().count()).sum();
    println!("generated {lines} lines for {operations} operations and {shapes} shapes in {:.1?}", started.elapsed());

    let crate_dir = root.join("target/full-model");
    let generated_dir = crate_dir.join("src/generated");
    if generated_dir.exists() {
        fs::remove_dir_all(&generated_dir).map_err(|e| format!("cannot clear {}: {e}", generated_dir.display()))?;
    }
    fs::create_dir_all(&generated_dir).map_err(|e| format!("cannot create {}: {e}", generated_dir.display()))?;
    for file in &generated {
        let path = generated_dir.join(&file.path);
        fs::write(&path, &file.contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let runtime = root.join("ec2-sg/src/runtime/mod.rs");
    let customizations = root.join("ec2-sg/src/customizations.rs");
    let lib = format!(
        "//! The generator's output for the whole service model, with ec2-sg's runtime (cargo xtask full-model).\n\
         #![allow(dead_code)]\n\
         #[path = {runtime:?}]\npub mod runtime;\n\
         #[path = {customizations:?}]\nmod customizations;\n\
         mod generated;\npub use generated::*;\n\
         impl runtime::Config {{\n    pub fn builder() -> runtime::ConfigBuilder {{\n        runtime::ConfigBuilder::for_service(&generated::SERVICE, runtime::credentials::default_provider)\n    }}\n}}\n\
         pub(crate) fn services() -> &'static [&'static runtime::ServiceMetadata] {{\n    generated::SERVICES\n}}\n",
        runtime = runtime.display().to_string(),
        customizations = customizations.display().to_string(),
    );
    fs::write(crate_dir.join("src/lib.rs"), lib).map_err(|e| format!("cannot write lib.rs: {e}"))?;
    crate::scratch::write_manifest(&root, &crate_dir, "ec2-full-model")?;

    let started = Instant::now();
    let status = crate::cargo()
        .args(["check", "--quiet", "--no-default-features", "--features", "blocking", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target/full-model-build"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the generated code for the whole model does not compile; see above ({})",
            crate_dir.display()
        ));
    }
    println!("the whole model's generated code type-checks ({:.1?})", started.elapsed());
    Ok(())
}
