//! The generated code is what the generator makes of model/ today, and the generator stays
//! general over the protocol.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// One service's model files; the partitions are shared from `model/`.
fn read_model(dir: &Path) -> codegen::Model {
    let files: Vec<(String, String)> = codegen::MODEL_FILES
        .iter()
        .filter_map(|name| {
            let shared = root().join("model").join(name);
            let text = fs::read_to_string(dir.join(name))
                .or_else(|e| if *name == "partitions.json" { fs::read_to_string(shared) } else { Err(e) })
                .ok()?;
            Some((name.to_string(), text))
        })
        .collect();
    codegen::Model::from_files(&files).expect("the model parses")
}

/// model/ (the main service) and each model/{name}/ with a selection.json (a nested service).
fn generate() -> Vec<codegen::GeneratedFile> {
    let model_dir = root().join("model");
    let mut nested: Vec<(String, codegen::Model)> = fs::read_dir(&model_dir)
        .expect("model/")
        .map(|e| e.expect("dir entry").path())
        .filter(|path| path.join("selection.json").is_file())
        .map(|path| (path.file_name().expect("named").to_string_lossy().into_owned(), read_model(&path)))
        .collect();
    nested.sort_by(|a, b| a.0.cmp(&b.0));
    codegen::generate_services(&read_model(&model_dir), &nested).expect("the model generates")
}

fn files_under(dir: &Path, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("readable dir") {
        let entry = entry.expect("dir entry");
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            out.extend(files_under(&entry.path(), &format!("{name}/")));
        } else {
            out.push(name);
        }
    }
    out
}

#[test]
fn generated_files_are_fresh() {
    let dir = root().join("ec2-sg/src/generated");
    let files = generate();
    let stale: Vec<&str> = files
        .iter()
        .filter(|f| fs::read_to_string(dir.join(&f.path)).ok().as_deref() != Some(f.contents.as_str()))
        .map(|f| f.path.as_str())
        .collect();
    assert!(stale.is_empty(), "stale generated files {stale:?}: run `cargo xtask codegen`");
    for name in files_under(&dir, "") {
        assert!(files.iter().any(|f| f.path == name), "{name} in ec2-sg/src/generated is not generated any more");
    }
}

#[test]
fn generation_is_deterministic_and_marked() {
    let first = generate();
    assert_eq!(first, generate());
    for file in &first {
        assert!(file.contents.starts_with("// @generated"), "{} lacks the @generated header", file.path);
    }
}

/// The generator is general over its protocols, not over this model: nothing in codegen/ names a
/// shape or operation of the EC2 model (the protocol vectors, run through the same generator,
/// show it works beyond it).
#[test]
fn generator_names_no_ec2_shape() {
    let src = root().join("codegen/src");
    for entry in fs::read_dir(&src).expect("codegen/src") {
        let path = entry.expect("entry").path();
        let text = fs::read_to_string(&path).expect("readable").to_lowercase();
        for word in ["securitygroup", "ippermission", "assumerole", "securitytoken"] {
            assert!(!text.contains(word), "{} names `{word}`", path.display());
        }
    }
}

/// A model the generator must refuse says why, instead of producing broken code.
#[test]
fn bad_models_fail_with_a_reason() {
    let model = |shapes: &str| {
        let json = format!(
            r#"{{"metadata": {{"apiVersion": "1", "protocol": "ec2"}},
                "operations": {{"Op": {{"name": "Op", "http": {{"method": "POST", "requestUri": "/"}}, "input": {{"shape": "In"}}}}}},
                "shapes": {shapes}}}"#
        );
        let service = codegen::ServiceModel::from_json(&json).expect("parses");
        codegen::generate(&codegen::Model::service_only(service)).expect_err("must fail")
    };
    let dangling = model(r#"{"In": {"type": "structure", "members": {"A": {"shape": "Missing"}}}}"#);
    assert!(dangling.contains("Missing"), "{dangling}");
    let required = model(r#"{"In": {"type": "structure", "required": ["B"], "members": {}}}"#);
    assert!(required.contains("`B`"), "{required}");
    let clash = model(
        r#"{"In": {"type": "structure", "members": {"GroupId": {"shape": "S"}, "groupId": {"shape": "S"}}}, "S": {"type": "string"}}"#,
    );
    assert!(clash.contains("group_id"), "{clash}");
}
