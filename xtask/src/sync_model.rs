//! `cargo xtask sync-model`: refresh `model/` from AWS's own botocore/boto3 data.
//!
//! Reads the full EC2 models shipped in the botocore and boto3 Python packages, keeps what
//! `model/selection.json` names (operations plus the closure of their shapes, waiters, the
//! paginators of the selected operations, boto3 resource entries) plus botocore's partitions and
//! the service's endpoint rule set (whole), keeps the service models' documentation (the
//! generator turns it into rustdoc; the other files' prose is dropped) and writes sorted,
//! pretty-printed JSON, so that a model update shows up as a readable diff.
//! Before writing it prints what changed against the model already on disk; `--check`
//! verifies without writing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::read::GzDecoder;
use serde_json::{Map, Value};

const USAGE: &str =
    "usage: cargo xtask sync-model [--latest | --version X] [--botocore DIR] [--boto3 DIR] [--python PATH] [--check]

  --latest        first install the newest botocore and boto3 into the project's Python
                  environment (target/py-env, made if missing), then sync from them
  --version X     likewise with botocore and boto3 X (they share version numbers)
  --botocore DIR  the botocore package directory (the one containing __init__.py and data/);
                  default: the one the Python below imports
  --boto3 DIR     the boto3 package directory, likewise
  --python PATH   the Python that locates botocore and boto3; default: target/py-env's when it
                  exists (`cargo xtask test` makes it), else `python3`
  --check         write nothing; fail if any file under model/ would change";

/// The hand-written input, in `model/`.
const SELECTION_FILE: &str = "selection.json";

/// botocore's endpoint rule set of a service (`STEM.json` or `STEM.json.gz` in its API directory),
/// copied whole: the endpoint resolver is compiled from it.
const ENDPOINT_RULE_SET: &str = "endpoint-rule-set-1";

/// Keys holding upstream prose. The service models (`service-2.json`) keep theirs: the generator
/// makes rustdoc of it. Elsewhere (waiters, paginators, resources, rule sets) nothing reads it,
/// and `cargo xtask full-model` drops it too.
const DOC_KEYS: [&str; 2] = ["documentation", "documentationUrl"];

/// The file whose documentation is kept.
const SERVICE_FILE: &str = "service-2.json";

pub fn run(args: &[String]) -> Result<(), String> {
    run_in(&crate::workspace_root(), args)
}

/// [`run`] on the repository at `root` (its `model/`, `CHANGELOG.md` and `ec2-sg/Cargo.toml`).
fn run_in(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_args(args)?;
    if options.help {
        println!("{USAGE}");
        return Ok(());
    }
    let python = match &options.install {
        Some(install) => {
            let env = crate::py_env::PyEnv::project(root);
            let (botocore, boto3) = env.install_botocore(install.version())?;
            println!("{} now has botocore {botocore} and boto3 {boto3}", crate::py_env::ENV_DIR);
            env.python()
        }
        None => options.python.clone().unwrap_or_else(|| crate::py_env::default_python(root)),
    };
    let model_dir = root.join("model");
    let selection_path = model_dir.join(SELECTION_FILE);
    let selection_text =
        fs::read_to_string(&selection_path).map_err(|e| format!("cannot read {}: {e}", selection_path.display()))?;
    let selection = Selection::parse(&selection_text, &format!("model/{SELECTION_FILE}"))?;

    let botocore = package_dir(options.botocore, "botocore", "--botocore", &python)?;
    let boto3 = package_dir(options.boto3, "boto3", "--boto3", &python)?;
    let upstream = Upstream::load(&botocore, &boto3, &selection)?;
    let mut outputs = build(&selection, &upstream)?;
    // The other services of the crate: `model/{name}/selection.json` each.
    for name in crate::codegen_cmd::nested_services(&model_dir)? {
        let path = model_dir.join(&name).join(SELECTION_FILE);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let selection = Selection::parse(&text, &format!("model/{name}/{SELECTION_FILE}"))?;
        outputs.extend(build_nested(&name, &selection, &botocore)?);
    }

    // Compare with what is on disk before touching anything.
    let mut stale = Vec::new();
    let mut report = Vec::new();
    let mut api_changes = Vec::new();
    for file in &outputs {
        let path = model_dir.join(&file.name);
        let previous = match fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        if previous.as_deref() == Some(file.text.as_str()) {
            continue;
        }
        stale.push(file.name.clone());
        report.push(format!("model/{}:", file.name));
        let lines = match previous.as_deref().map(serde_json::from_str::<Value>) {
            None => vec!["new file".to_string()],
            Some(Err(e)) => vec![format!("previous file is not valid JSON ({e}); replacing it")],
            Some(Ok(old)) => {
                // `sts/service-2.json` is a service model like `service-2.json`.
                let kind = file.name.rsplit('/').next().unwrap_or(&file.name);
                api_changes.extend(classify(kind, &old, &file.value));
                let lines = describe_changes(kind, &old, &file.value);
                if lines.is_empty() {
                    vec!["formatting only".to_string()]
                } else {
                    lines
                }
            }
        };
        report.extend(lines.into_iter().map(|line| format!("  {line}")));
    }

    let versions = format!("botocore {}, boto3 {}", upstream.botocore_version, upstream.boto3_version);
    // Read before anything is written: versions.json is among the outputs.
    let old_versions = fs::read_to_string(model_dir.join("versions.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok());
    let versions_changed = version_line(old_versions.as_ref(), &upstream);
    if stale.is_empty() {
        println!("model/ is up to date ({versions})");
    } else {
        println!("{versions_changed}");
        for line in &report {
            println!("{line}");
        }
    }
    println!("{}", summary(&outputs));

    let stale_paths: Vec<String> = stale.iter().map(|name| format!("model/{name}")).collect();
    if options.check {
        if stale.is_empty() {
            return Ok(());
        }
        return Err(format!("model/ is stale: {} would change; run `cargo xtask sync-model`", stale_paths.join(", ")));
    }
    for file in outputs.iter().filter(|file| stale.contains(&file.name)) {
        let path = model_dir.join(&file.name);
        fs::write(&path, &file.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if !stale.is_empty() {
        println!("wrote {}", stale_paths.join(", "));
        write_changelog_entry(root, &versions_changed, &api_changes)?;
    }
    Ok(())
}

/// What a changed model file does to the Rust API (the files the generator turns into API).
fn classify(file: &str, old: &Value, new: &Value) -> Vec<crate::api_changes::ApiChange> {
    use crate::api_changes::{named_changes, service_changes};
    match file {
        "service-2.json" => service_changes(old, new),
        "waiters-2.json" => named_changes("waiter", "waiters", old, new),
        "paginators-1.json" => named_changes("paginator", "pagination", old, new),
        "resources-1.json" => {
            let mut changes = named_changes("resource", "resources", old, new);
            let empty = Value::Null;
            let (old_service, new_service) =
                (old.get("service").unwrap_or(&empty), new.get("service").unwrap_or(&empty));
            changes.extend(named_changes("service action", "actions", old_service, new_service));
            changes.extend(named_changes("collection", "hasMany", old_service, new_service));
            changes
        }
        _ => Vec::new(),
    }
}

/// Adds the model update's entry to CHANGELOG.md, with the semver bump its changes imply from
/// ec2-sg's current version, and prints it.
fn write_changelog_entry(root: &Path, versions: &str, changes: &[crate::api_changes::ApiChange]) -> Result<(), String> {
    let manifest_path = root.join("ec2-sg/Cargo.toml");
    let manifest =
        fs::read_to_string(&manifest_path).map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let current = manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = \"").and_then(|rest| rest.strip_suffix('"')))
        .ok_or_else(|| format!("{} has no `version = \"…\"` line", manifest_path.display()))?;
    let entry = crate::api_changes::changelog_entry(versions, current, changes)?;
    let path = root.join("CHANGELOG.md");
    let existing = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    fs::write(&path, crate::api_changes::add_entry(&existing, &entry))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("CHANGELOG.md:\n{entry}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Command line and inputs

#[derive(Debug, Default)]
struct Options {
    botocore: Option<PathBuf>,
    boto3: Option<PathBuf>,
    python: Option<PathBuf>,
    /// Install botocore/boto3 into the project's environment first.
    install: Option<Install>,
    check: bool,
    help: bool,
}

/// Which botocore and boto3 `--latest` / `--version X` install.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Install {
    Latest,
    Version(String),
}

impl Install {
    /// The version to pin, `None` for the newest.
    fn version(&self) -> Option<&str> {
        match self {
            Install::Latest => None,
            Install::Version(version) => Some(version),
        }
    }
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        // Accept both `--flag VALUE` and `--flag=VALUE`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| match inline.clone() {
            Some(value) => Ok(value),
            None => args.next().cloned().ok_or_else(|| format!("{flag} needs {what}\n\n{USAGE}")),
        };
        match flag {
            "--botocore" => options.botocore = Some(PathBuf::from(value("a directory")?)),
            "--boto3" => options.boto3 = Some(PathBuf::from(value("a directory")?)),
            "--python" => options.python = Some(PathBuf::from(value("an interpreter")?)),
            "--version" => {
                let version = value("a botocore/boto3 version, such as 1.44.18")?;
                // Handed to pip as `botocore==X`: a version number and nothing else.
                if version.is_empty() || !version.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                    return Err(format!("--version wants a version number such as 1.44.18, not `{version}`"));
                }
                set_install(&mut options, Install::Version(version))?;
            }
            "--latest" if inline.is_none() => set_install(&mut options, Install::Latest)?,
            "--check" if inline.is_none() => options.check = true,
            "-h" | "--help" if inline.is_none() => options.help = true,
            _ => return Err(format!("unknown argument `{arg}`\n\n{USAGE}")),
        }
    }
    if options.install.is_some() && (options.botocore.is_some() || options.boto3.is_some() || options.python.is_some())
    {
        return Err(format!(
            "--latest and --version read the project's environment: they take no --botocore, --boto3 or --python\n\n{USAGE}"
        ));
    }
    Ok(options)
}

fn set_install(options: &mut Options, install: Install) -> Result<(), String> {
    if options.install.is_some() {
        return Err(format!("give one of --latest and --version, once\n\n{USAGE}"));
    }
    options.install = Some(install);
    Ok(())
}

/// The package directory given on the command line, else the one `python` imports.
pub(crate) fn package_dir(given: Option<PathBuf>, package: &str, flag: &str, python: &Path) -> Result<PathBuf, String> {
    let dir = match given {
        Some(dir) => dir,
        None => locate_package(package, flag, python)?,
    };
    if !dir.join("__init__.py").is_file() || !dir.join("data").is_dir() {
        return Err(format!(
            "{} is not the {package} package directory (expected __init__.py and data/ in it)",
            dir.display()
        ));
    }
    Ok(dir)
}

fn locate_package(package: &str, flag: &str, python: &Path) -> Result<PathBuf, String> {
    let hint = format!(
        "run `cargo xtask sync-model --version X` (installs botocore and boto3 X into target/py-env), \
         or pass --python PATH or {flag} DIR (the package directory, containing __init__.py and data/)"
    );
    let python_name = python.display();
    let script = format!("import {package}, os; print(os.path.dirname({package}.__file__))");
    let output = Command::new(python)
        .args(["-c", &script])
        .output()
        .map_err(|e| format!("cannot run {python_name} to locate {package} ({e}); {hint}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().last().unwrap_or("no message").trim().to_string();
        return Err(format!("{python_name} cannot import {package} ({reason}); {hint}"));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let dir = stdout.trim();
    if dir.is_empty() {
        return Err(format!("{python_name} printed no directory for {package}; {hint}"));
    }
    Ok(PathBuf::from(dir))
}

/// `__version__ = '1.43.11'` from a package's `__init__.py`.
fn parse_version(init_py: &str) -> Option<String> {
    init_py.lines().find_map(|line| {
        let value = line.trim_start().strip_prefix("__version__")?.trim_start().strip_prefix('=')?.trim();
        let quote = value.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let inner = &value[1..];
        Some(inner[..inner.find(quote)?].to_string())
    })
}

fn package_version(dir: &Path) -> Result<String, String> {
    let path = dir.join("__init__.py");
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_version(&text).ok_or_else(|| format!("{}: no `__version__ = '…'` line", path.display()))
}

/// What `model/selection.json` says to keep.
#[derive(Debug)]
struct Selection {
    service: String,
    api_version: String,
    operations: BTreeSet<String>,
    waiters: BTreeSet<String>,
    service_actions: BTreeSet<String>,
    service_has: BTreeSet<String>,
    service_has_many: BTreeSet<String>,
    resources: BTreeSet<String>,
    /// Shapes to mark `sensitive` (redacted from `Debug`) that botocore does not mark, such as
    /// session tokens: a secret the model leaves unmarked is still a secret.
    sensitive_shapes: BTreeSet<String>,
    /// The base of the service's API reference pages (`…/APIReference/`), which botocore does
    /// not carry: written into the service model's metadata as `apiReference`, where the
    /// generator makes each operation's and data type's link from it.
    api_reference: Option<String>,
    /// Cargo features, off by default, each naming operations (and waiters) generated only when
    /// it is on. Their operations and waiters are also in `operations` and `waiters` (the union),
    /// so everything else (shape closure, paginators, checks) treats them like the others.
    features: BTreeMap<String, Feature>,
}

/// One cargo feature of `model/selection.json`'s `features`.
#[derive(Debug, Default)]
struct Feature {
    operations: BTreeSet<String>,
    waiters: BTreeSet<String>,
}

impl Selection {
    fn parse(text: &str, file: &str) -> Result<Selection, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("{file}: invalid JSON: {e}"))?;
        let top = as_object(&value, file)?;
        // Unknown keys are rejected so that a typo cannot silently select nothing.
        check_keys(
            top,
            &[
                "_comment",
                "service",
                "apiVersion",
                "apiReference",
                "operations",
                "waiters",
                "resources",
                "sensitiveShapes",
                "features",
            ],
            file,
        )?;
        let empty = Map::new();
        let resources = match top.get("resources") {
            Some(value) => as_object(value, &format!("{file}: `resources`"))?,
            None => &empty,
        };
        let resources_ctx = format!("{file}: `resources`");
        check_keys(resources, &["serviceActions", "serviceHas", "serviceHasMany", "resources"], &resources_ctx)?;
        let mut selection = Selection {
            service: string_field(top, "service", file)?,
            api_version: string_field(top, "apiVersion", file)?,
            operations: name_list(top, "operations", file)?,
            waiters: name_list(top, "waiters", file)?,
            service_actions: name_list(resources, "serviceActions", &resources_ctx)?,
            service_has: name_list(resources, "serviceHas", &resources_ctx)?,
            service_has_many: name_list(resources, "serviceHasMany", &resources_ctx)?,
            resources: name_list(resources, "resources", &resources_ctx)?,
            sensitive_shapes: name_list(top, "sensitiveShapes", file)?,
            features: BTreeMap::new(),
            api_reference: match top.get("apiReference") {
                None => None,
                Some(Value::String(url)) if url.starts_with("https://") && url.ends_with('/') => Some(url.clone()),
                Some(_) => {
                    return Err(format!("{file}: `apiReference` must be an https:// URL ending in `/`"));
                }
            },
        };
        if selection.operations.is_empty() {
            return Err(format!("{file}: `operations` must name at least one operation"));
        }
        let features = match top.get("features") {
            Some(value) => as_object(value, &format!("{file}: `features`"))?.clone(),
            None => Map::new(),
        };
        for (name, value) in &features {
            let ctx = format!("{file}: feature `{name}`");
            let valid_name = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !name.starts_with('-');
            if !valid_name {
                return Err(format!("{ctx}: a feature name is lower-case letters, digits and `-`"));
            }
            let object = as_object(value, &ctx)?;
            check_keys(object, &["operations", "waiters"], &ctx)?;
            let feature = Feature {
                operations: name_list(object, "operations", &ctx)?,
                waiters: name_list(object, "waiters", &ctx)?,
            };
            if feature.operations.is_empty() {
                return Err(format!("{ctx}: `operations` must name at least one operation"));
            }
            // An operation is in the default crate or in one feature: never both, never two.
            for operation in &feature.operations {
                if !selection.operations.insert(operation.clone()) {
                    return Err(format!("{ctx}: operation `{operation}` is already selected elsewhere"));
                }
            }
            for waiter in &feature.waiters {
                if !selection.waiters.insert(waiter.clone()) {
                    return Err(format!("{ctx}: waiter `{waiter}` is already selected elsewhere"));
                }
            }
            selection.features.insert(name.clone(), feature);
        }
        Ok(selection)
    }
}

fn check_keys(object: &Map<String, Value>, known: &[&str], ctx: &str) -> Result<(), String> {
    match object.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) => Err(format!("{ctx}: unknown key `{key}` (expected one of: {})", known.join(", "))),
        None => Ok(()),
    }
}

fn string_field(object: &Map<String, Value>, key: &str, ctx: &str) -> Result<String, String> {
    match object.get(key) {
        Some(Value::String(value)) if !value.is_empty() => Ok(value.clone()),
        Some(_) => Err(format!("{ctx}: `{key}` must be a non-empty string")),
        None => Err(format!("{ctx}: `{key}` is missing")),
    }
}

/// An optional list of distinct names.
fn name_list(object: &Map<String, Value>, key: &str, ctx: &str) -> Result<BTreeSet<String>, String> {
    let Some(value) = object.get(key) else {
        return Ok(BTreeSet::new());
    };
    let Value::Array(items) = value else {
        return Err(format!("{ctx}: `{key}` must be a list of names"));
    };
    let mut names = BTreeSet::new();
    for item in items {
        let Value::String(name) = item else {
            return Err(format!("{ctx}: `{key}` must be a list of names, found {item}"));
        };
        if !names.insert(name.clone()) {
            return Err(format!("{ctx}: `{key}` lists `{name}` twice"));
        }
    }
    Ok(names)
}

/// The upstream files, as botocore itself would load them.
struct Upstream {
    botocore_version: String,
    boto3_version: String,
    service: Value,
    waiters: Value,
    paginators: Value,
    resources: Value,
    partitions: Value,
    /// The Smithy endpoint rule set the service's endpoint resolver is compiled from.
    endpoint_rule_set: Value,
}

impl Upstream {
    fn load(botocore: &Path, boto3: &Path, selection: &Selection) -> Result<Upstream, String> {
        let api_dir = |package: &Path| package.join("data").join(&selection.service).join(&selection.api_version);
        let botocore_api = api_dir(botocore);
        let boto3_api = api_dir(boto3);
        Ok(Upstream {
            botocore_version: package_version(botocore)?,
            boto3_version: package_version(boto3)?,
            service: load_model(&botocore_api, "service-2")?,
            waiters: load_model(&botocore_api, "waiters-2")?,
            paginators: load_model(&botocore_api, "paginators-1")?,
            resources: load_model(&boto3_api, "resources-1")?,
            partitions: read_json(&find_data_file(&botocore.join("data"), "partitions")?)?,
            endpoint_rule_set: read_json(&find_data_file(&botocore_api, ENDPOINT_RULE_SET)?)?,
        })
    }
}

/// `STEM.json` or `STEM.json.gz` (botocore ships some models compressed; it tries them in
/// this order).
fn find_data_file(dir: &Path, stem: &str) -> Result<PathBuf, String> {
    find_optional_data_file(dir, stem).ok_or_else(|| {
        format!(
            "{}: neither {stem}.json nor {stem}.json.gz exists (are `service` and `apiVersion` \
             in model/{SELECTION_FILE} right, and is the package directory right?)",
            dir.display()
        )
    })
}

fn find_optional_data_file(dir: &Path, stem: &str) -> Option<PathBuf> {
    [format!("{stem}.json"), format!("{stem}.json.gz")]
        .into_iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// A model file plus its `STEM.sdk-extras.json`, merged the way botocore's loader does, so the
/// model is what botocore (and boto3) actually use.
pub(crate) fn load_model(dir: &Path, stem: &str) -> Result<Value, String> {
    let mut model = read_json(&find_data_file(dir, stem)?)?;
    if let Some(extras_path) = find_optional_data_file(dir, &format!("{stem}.sdk-extras")) {
        let extras = read_json(&extras_path)?;
        if let Some(merge) = extras.get("merge") {
            merge_into(&mut model, merge);
        }
    }
    Ok(model)
}

/// botocore's `merge_dicts`: objects merge recursively, anything else is replaced.
fn merge_into(base: &mut Value, extra: &Value) {
    match (base, extra) {
        (Value::Object(base), Value::Object(extra)) => {
            for (key, value) in extra {
                match base.get_mut(key) {
                    Some(slot) if slot.is_object() && value.is_object() => merge_into(slot, value),
                    _ => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, extra) => *base = extra.clone(),
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bytes = if path.extension().is_some_and(|ext| ext == "gz") {
        let mut text = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut text)
            .map_err(|e| format!("{}: cannot decompress: {e}", path.display()))?;
        text
    } else {
        bytes
    };
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: invalid JSON: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Selecting

/// One file to write under `model/`.
struct OutputFile {
    /// The path under `model/`.
    name: String,
    value: Value,
    text: String,
}

/// All of `model/` (except the selection), sorted and rendered; prose only in the service model.
fn build(selection: &Selection, upstream: &Upstream) -> Result<Vec<OutputFile>, String> {
    // Problems with the selection are collected so that one run reports all of them.
    let mut problems = Vec::new();
    let (service, shapes) = select_service(&upstream.service, selection, &mut problems)?;
    let waiters = select_waiters(&upstream.waiters, selection, &mut problems)?;
    let paginators = select_paginators(&upstream.paginators, selection)?;
    let resources = select_resources(&upstream.resources, selection, &mut problems)?;
    check_resource_references(&resources, selection, &shapes, &mut problems);
    if !problems.is_empty() {
        return Err(format!("model/{SELECTION_FILE} does not match the upstream model:\n  {}", problems.join("\n  ")));
    }
    let features = features_file(selection);
    let mut versions = Map::new();
    versions.insert("boto3".into(), Value::String(upstream.boto3_version.clone()));
    versions.insert("botocore".into(), Value::String(upstream.botocore_version.clone()));

    let files = [
        ("service-2.json", service),
        ("waiters-2.json", waiters),
        ("paginators-1.json", paginators),
        ("resources-1.json", resources),
        ("partitions.json", upstream.partitions.clone()),
        ("endpoint-rule-set-1.json", upstream.endpoint_rule_set.clone()),
        ("features.json", features),
        ("versions.json", Value::Object(versions)),
    ];
    files
        .into_iter()
        .map(|(name, mut value)| {
            if name != SERVICE_FILE {
                strip_docs(&mut value);
            }
            let value = sort_keys(value);
            let text = to_json_text(&value).map_err(|e| format!("model/{name}: {e}"))?;
            Ok(OutputFile { name: name.to_string(), value, text })
        })
        .collect()
}

/// `features.json`, what the generator reads of the selection's features: each feature's
/// operations (the generator gates waiters, paginators and shapes by the operations they use).
fn features_file(selection: &Selection) -> Value {
    let features: Map<String, Value> = selection
        .features
        .iter()
        .map(|(name, feature)| {
            let operations = feature.operations.iter().cloned().map(Value::String).collect();
            let mut entry = Map::new();
            entry.insert("operations".into(), Value::Array(operations));
            (name.clone(), Value::Object(entry))
        })
        .collect();
    let mut out = Map::new();
    out.insert("features".into(), Value::Object(features));
    Value::Object(out)
}

/// A service generated beside the main one (`model/{name}/`): its service model and endpoint
/// rule set; the partitions and versions are the main service's.
fn build_nested(name: &str, selection: &Selection, botocore: &Path) -> Result<Vec<OutputFile>, String> {
    let file = format!("model/{name}/{SELECTION_FILE}");
    if !selection.waiters.is_empty()
        || !selection.resources.is_empty()
        || !selection.service_actions.is_empty()
        || !selection.features.is_empty()
    {
        return Err(format!("{file}: only `operations` and `sensitiveShapes` are read for a nested service"));
    }
    let api_dir = botocore.join("data").join(&selection.service).join(&selection.api_version);
    let upstream = load_model(&api_dir, "service-2")?;
    let rule_set = read_json(&find_data_file(&api_dir, ENDPOINT_RULE_SET)?)?;
    let mut problems = Vec::new();
    let (mut service, shapes) = select_service(&upstream, selection, &mut problems)?;
    for shape in &selection.sensitive_shapes {
        match service.get_mut("shapes").and_then(|s| s.get_mut(shape)).and_then(Value::as_object_mut) {
            Some(object) if shapes.contains(shape) => {
                object.insert("sensitive".into(), Value::Bool(true));
            }
            _ => problems.push(format!("`sensitiveShapes` names `{shape}`, which the selected operations do not use")),
        }
    }
    if !problems.is_empty() {
        return Err(format!("{file} does not match the upstream model:\n  {}", problems.join("\n  ")));
    }
    [("service-2.json", service), ("endpoint-rule-set-1.json", rule_set)]
        .into_iter()
        .map(|(file_name, mut value)| {
            if file_name != SERVICE_FILE {
                strip_docs(&mut value);
            }
            let value = sort_keys(value);
            let path = format!("{name}/{file_name}");
            let text = to_json_text(&value).map_err(|e| format!("model/{path}: {e}"))?;
            Ok(OutputFile { name: path, value, text })
        })
        .collect()
}

/// The service model with only the selected operations and the shapes they reach.
fn select_service(
    upstream: &Value,
    selection: &Selection,
    problems: &mut Vec<String>,
) -> Result<(Value, BTreeSet<String>), String> {
    const FILE: &str = "botocore service-2.json";
    let top = as_object(upstream, FILE)?;
    let all_operations = object_field(top, "operations", FILE)?;
    let all_shapes = object_field(top, "shapes", FILE)?;
    let api_version = top.get("metadata").and_then(|metadata| metadata.get("apiVersion")).and_then(Value::as_str);
    if api_version != Some(selection.api_version.as_str()) {
        problems.push(format!(
            "`apiVersion` is {} but botocore's metadata.apiVersion is {api_version:?}",
            selection.api_version
        ));
    }

    let mut operations = Map::new();
    for name in &selection.operations {
        match all_operations.get(name) {
            Some(operation) => {
                operations.insert(name.clone(), operation.clone());
            }
            None => problems.push(format!("operation `{name}` is not in {FILE}")),
        }
    }
    let roots = operations
        .iter()
        .flat_map(|(name, operation)| {
            operation_shapes(operation).into_iter().map(move |shape| (format!("operation {name}"), shape))
        })
        .collect();
    let closure = shape_closure(all_shapes, roots).map_err(|e| format!("{FILE}: {e}"))?;
    let shapes: Map<String, Value> =
        closure.iter().filter_map(|name| Some((name.clone(), all_shapes.get(name)?.clone()))).collect();

    // Every other top-level key (version, metadata, …) is kept as is: same format as upstream.
    let mut service = top.clone();
    service.insert("operations".into(), Value::Object(operations));
    service.insert("shapes".into(), Value::Object(shapes));
    if let (Some(url), Some(Value::Object(metadata))) = (&selection.api_reference, service.get_mut("metadata")) {
        metadata.insert("apiReference".into(), Value::String(url.clone()));
    }
    Ok((Value::Object(service), closure))
}

/// The shapes an operation names directly: input, output and errors.
fn operation_shapes(operation: &Value) -> Vec<String> {
    let mut shapes = Vec::new();
    for key in ["input", "output"] {
        if let Some(shape) = operation.get(key).and_then(shape_name) {
            shapes.push(shape);
        }
    }
    if let Some(Value::Array(errors)) = operation.get("errors") {
        shapes.extend(errors.iter().filter_map(shape_name));
    }
    shapes
}

/// The shapes a shape refers to: structure members, list member, map key and value.
fn shape_references(shape: &Value) -> Vec<String> {
    let mut references = Vec::new();
    if let Some(Value::Object(members)) = shape.get("members") {
        references.extend(members.values().filter_map(shape_name));
    }
    for key in ["member", "key", "value"] {
        if let Some(reference) = shape.get(key).and_then(shape_name) {
            references.push(reference);
        }
    }
    references
}

fn shape_name(reference: &Value) -> Option<String> {
    reference.get("shape")?.as_str().map(str::to_string)
}

/// Every shape reachable from `roots` (pairs of who refers to it, shape name).
fn shape_closure(shapes: &Map<String, Value>, roots: Vec<(String, String)>) -> Result<BTreeSet<String>, String> {
    let mut reached = BTreeSet::new();
    let mut pending = roots;
    while let Some((referrer, name)) = pending.pop() {
        if reached.contains(&name) {
            continue;
        }
        let shape = shapes.get(&name).ok_or_else(|| format!("shape `{name}` (used by {referrer}) is not defined"))?;
        for reference in shape_references(shape) {
            pending.push((format!("shape {name}"), reference));
        }
        reached.insert(name);
    }
    Ok(reached)
}

fn select_waiters(upstream: &Value, selection: &Selection, problems: &mut Vec<String>) -> Result<Value, String> {
    const FILE: &str = "botocore waiters-2.json";
    let top = as_object(upstream, FILE)?;
    let all_waiters = object_field(top, "waiters", FILE)?;
    let mut waiters = Map::new();
    for name in &selection.waiters {
        let Some(waiter) = all_waiters.get(name) else {
            problems.push(format!("waiter `{name}` is not in {FILE}"));
            continue;
        };
        match waiter.get("operation").and_then(Value::as_str) {
            Some(operation) if selection.operations.contains(operation) => {}
            Some(operation) => {
                problems.push(format!("waiter `{name}` uses operation `{operation}`, which is not in `operations`"))
            }
            None => problems.push(format!("waiter `{name}` in {FILE} names no operation")),
        }
        waiters.insert(name.clone(), waiter.clone());
    }
    let mut out = Map::new();
    out.insert("version".into(), top.get("version").cloned().unwrap_or(Value::Null));
    out.insert("waiters".into(), Value::Object(waiters));
    Ok(Value::Object(out))
}

/// The paginators of the selected operations (an operation without one is fine).
fn select_paginators(upstream: &Value, selection: &Selection) -> Result<Value, String> {
    const FILE: &str = "botocore paginators-1.json";
    let top = as_object(upstream, FILE)?;
    let pagination: Map<String, Value> = object_field(top, "pagination", FILE)?
        .iter()
        .filter(|(name, _)| selection.operations.contains(*name))
        .map(|(name, paginator)| (name.clone(), paginator.clone()))
        .collect();
    let mut out = Map::new();
    out.insert("pagination".into(), Value::Object(pagination));
    Ok(Value::Object(out))
}

/// boto3's resource model with only the selected service entries and resources.
fn select_resources(upstream: &Value, selection: &Selection, problems: &mut Vec<String>) -> Result<Value, String> {
    const FILE: &str = "boto3 resources-1.json";
    let top = as_object(upstream, FILE)?;
    let service = object_field(top, "service", FILE)?;
    let empty = Map::new();
    let mut pick = |from: &Map<String, Value>, names: &BTreeSet<String>, what: &str| {
        let mut picked = Map::new();
        for name in names {
            match from.get(name) {
                Some(entry) => {
                    picked.insert(name.clone(), entry.clone());
                }
                None => problems.push(format!("{what} `{name}` is not in {FILE}")),
            }
        }
        picked
    };
    let mut service_out = Map::new();
    for (key, names, what) in [
        ("actions", &selection.service_actions, "service action"),
        ("has", &selection.service_has, "service `has` entry"),
        ("hasMany", &selection.service_has_many, "service `hasMany` entry"),
    ] {
        // Only what is selected appears, so an empty selection leaves the key out.
        if !names.is_empty() {
            let from = match service.get(key) {
                Some(value) => as_object(value, &format!("{FILE}: service.{key}"))?,
                None => &empty,
            };
            service_out.insert(key.into(), Value::Object(pick(from, names, what)));
        }
    }
    let all_resources = object_field(top, "resources", FILE)?;
    let resources = pick(all_resources, &selection.resources, "resource");
    let mut out = Map::new();
    out.insert("service".into(), Value::Object(service_out));
    out.insert("resources".into(), Value::Object(resources));
    Ok(Value::Object(out))
}

/// Everything the kept resource model points at must be kept too: operations (actions, loads,
/// collections), resource types, attribute shapes and waiters.
fn check_resource_references(
    resources: &Value,
    selection: &Selection,
    shapes: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let kept: BTreeSet<&str> = resources
        .get("resources")
        .and_then(Value::as_object)
        .map(|resources| resources.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Object(all)) = resources.get("resources") {
        for (name, resource) in all {
            if let Some(shape) = resource.get("shape").and_then(Value::as_str) {
                if !shapes.contains(shape) {
                    problems.push(format!("resource `{name}` has shape `{shape}`, which no selected operation uses"));
                }
            }
        }
    }
    walk_objects(resources, "", &mut |path, object| {
        let at = if path.is_empty() { "(top)" } else { path };
        let operation = object.get("request").and_then(|request| request.get("operation")).and_then(Value::as_str);
        if let Some(operation) = operation {
            if !selection.operations.contains(operation) {
                problems
                    .push(format!("resources-1.json {at} uses operation `{operation}`, which is not in `operations`"));
            }
        }
        let resource_type = object.get("resource").and_then(|resource| resource.get("type")).and_then(Value::as_str);
        if let Some(resource_type) = resource_type {
            if !kept.contains(resource_type) {
                problems.push(format!(
                    "resources-1.json {at} makes a `{resource_type}`, which is not in `resources.resources`"
                ));
            }
        }
        if let Some(waiter) = object.get("waiterName").and_then(Value::as_str) {
            if !selection.waiters.contains(waiter) {
                problems.push(format!("resources-1.json {at} uses waiter `{waiter}`, which is not in `waiters`"));
            }
        }
    });
}

/// Calls `visit` on every object in `value`, with its dotted path.
fn walk_objects(value: &Value, path: &str, visit: &mut dyn FnMut(&str, &Map<String, Value>)) {
    match value {
        Value::Object(object) => {
            visit(path, object);
            for (key, child) in object {
                let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                walk_objects(child, &child_path, visit);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk_objects(item, &format!("{path}[{index}]"), visit);
            }
        }
        _ => {}
    }
}

fn as_object<'a>(value: &'a Value, ctx: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| format!("{ctx}: expected a JSON object"))
}

fn object_field<'a>(object: &'a Map<String, Value>, key: &str, ctx: &str) -> Result<&'a Map<String, Value>, String> {
    match object.get(key) {
        Some(value) => as_object(value, &format!("{ctx}: `{key}`")),
        None => Err(format!("{ctx}: `{key}` is missing")),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// Removes upstream prose. Only string values are prose: a structure member that happens to
/// be named `documentation` (an object) stays.
pub(crate) fn strip_docs(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.retain(|key, value| !(DOC_KEYS.contains(&key.as_str()) && value.is_string()));
            object.values_mut().for_each(strip_docs);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_docs),
        _ => {}
    }
}

/// Rebuilds every object with its keys in order, so the output is sorted whether or not
/// serde_json's `preserve_order` feature is on somewhere in the build.
fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(String, Value)> = object.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// Pretty JSON (2-space indent) with a trailing newline.
fn to_json_text(value: &Value) -> Result<String, String> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// "14 operations, 73 shapes (42 structure, …), 1 waiter, 3 paginators, 2 resources, endpoint rule set
/// (4 parameters, 7 endpoint rules and 6 error rules)".
fn summary(outputs: &[OutputFile]) -> String {
    let file = |name: &str| outputs.iter().find(|file| file.name == name).map(|f| &f.value);
    let count = |name: &str, path: &[&str]| {
        let mut value = file(name);
        for key in path {
            value = value.and_then(|v| v.get(key));
        }
        value.and_then(Value::as_object).map_or(0, Map::len)
    };
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    if let Some(Value::Object(shapes)) = file("service-2.json").and_then(|s| s.get("shapes")) {
        for shape in shapes.values() {
            let kind = shape.get("type").and_then(Value::as_str).unwrap_or("?");
            *types.entry(kind).or_default() += 1;
        }
    }
    let mut types: Vec<(&str, usize)> = types.into_iter().collect();
    types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let types: Vec<String> = types.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    let plural = |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
    let rules = rule_outcomes(file("endpoint-rule-set-1.json").and_then(|rules| rules.get("rules")));
    let endpoints = rules.iter().filter(|outcome| outcome.starts_with("endpoint ")).count();
    format!(
        "{}, {} ({}), {}, {}, {}, endpoint rule set ({}, {} and {})",
        plural(count("service-2.json", &["operations"]), "operation"),
        plural(count("service-2.json", &["shapes"]), "shape"),
        types.join(", "),
        plural(count("waiters-2.json", &["waiters"]), "waiter"),
        plural(count("paginators-1.json", &["pagination"]), "paginator"),
        plural(count("resources-1.json", &["resources"]), "resource"),
        plural(count("endpoint-rule-set-1.json", &["parameters"]), "parameter"),
        plural(endpoints, "endpoint rule"),
        plural(rules.len() - endpoints, "error rule"),
    )
}

// ---------------------------------------------------------------------------------------------
// Change report

/// "botocore 1.43.10 -> 1.43.11, boto3 1.43.11" from the previous `versions.json`.
fn version_line(old: Option<&Value>, upstream: &Upstream) -> String {
    [("botocore", &upstream.botocore_version), ("boto3", &upstream.boto3_version)]
        .iter()
        .map(|(package, new)| match old.and_then(|old| old.get(package)).and_then(Value::as_str) {
            Some(old) if old != new.as_str() => format!("{package} {old} -> {new}"),
            Some(_) => format!("{package} {new} (unchanged)"),
            None => format!("{package} {new}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Human-readable differences between the previous and the new content of one model file.
fn describe_changes(file: &str, old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match file {
        "service-2.json" => diff_service(old, new, &mut out),
        "waiters-2.json" => {
            diff_keys("", old, new, &["waiters"], &mut out);
            diff_named(("waiter", "waiters"), old, new, &mut out);
        }
        "paginators-1.json" => {
            diff_keys("", old, new, &["pagination"], &mut out);
            diff_named(("paginator", "pagination"), old, new, &mut out);
        }
        "resources-1.json" => diff_resources(old, new, &mut out),
        "partitions.json" => diff_partitions(old, new, &mut out),
        "endpoint-rule-set-1.json" => diff_endpoint_rules(old, new, &mut out),
        _ => diff_keys("", old, new, &[], &mut out),
    }
    out
}

fn diff_service(old: &Value, new: &Value, out: &mut Vec<String>) {
    diff_keys("", old, new, &["metadata", "operations", "shapes"], out);
    diff_keys(
        "metadata.",
        old.get("metadata").unwrap_or(&Value::Null),
        new.get("metadata").unwrap_or(&Value::Null),
        &[],
        out,
    );
    diff_named(("operation", "operations"), old, new, out);

    let (old_shapes, new_shapes) = (members_of(old, "shapes"), members_of(new, "shapes"));
    let type_of = |shape: &Value| {
        let kind = shape.get("type").and_then(Value::as_str).unwrap_or("?");
        format!(" ({kind})")
    };
    for name in added_removed("shape", old_shapes, new_shapes, type_of, out) {
        if let (Some(old), Some(new)) = (old_shapes.get(&name), new_shapes.get(&name)) {
            diff_shape(&name, old, new, out);
        }
    }
}

fn diff_shape(name: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    let prefix = format!("~ shape {name}: ");
    diff_keys(&prefix, old, new, &["members", "enum", "required"], out);

    let (old_members, new_members) = (members_of(old, "members"), members_of(new, "members"));
    for member in new_members.keys().filter(|m| !old_members.contains_key(*m)) {
        let shape = new_members.get(member).and_then(shape_name).unwrap_or_default();
        out.push(format!("{prefix}+ member {member} ({shape})"));
    }
    for member in old_members.keys().filter(|m| !new_members.contains_key(*m)) {
        out.push(format!("{prefix}- member {member}"));
    }
    for (member, old_member) in old_members {
        if let Some(new_member) = new_members.get(member) {
            diff_keys(&format!("{prefix}member {member}: "), old_member, new_member, &[], out);
        }
    }

    let (old_enum, new_enum) = (strings_of(old, "enum"), strings_of(new, "enum"));
    let added = diff_sets(&prefix, "enum value", &old_enum, &new_enum, out);
    if !added && old_enum != new_enum {
        out.push(format!("{prefix}enum values reordered"));
    }
    diff_sets(&prefix, "required", &strings_of(old, "required"), &strings_of(new, "required"), out);
}

fn diff_resources(old: &Value, new: &Value, out: &mut Vec<String>) {
    diff_keys("", old, new, &["service", "resources"], out);
    let empty = Value::Null;
    let (old_service, new_service) = (old.get("service").unwrap_or(&empty), new.get("service").unwrap_or(&empty));
    diff_keys("service.", old_service, new_service, &["actions", "has", "hasMany"], out);
    for (what, key) in [("service action", "actions"), ("service has", "has"), ("service hasMany", "hasMany")] {
        diff_named((what, key), old_service, new_service, out);
    }

    let (old_resources, new_resources) = (members_of(old, "resources"), members_of(new, "resources"));
    for name in added_removed("resource", old_resources, new_resources, |_| String::new(), out) {
        if let (Some(old), Some(new)) = (old_resources.get(&name), new_resources.get(&name)) {
            // The named collections inside a resource get one more level of detail.
            const NAMED: [&str; 6] = ["actions", "batchActions", "has", "hasMany", "waiters", "references"];
            diff_keys(&format!("~ resource {name}: "), old, new, &NAMED, out);
            for key in NAMED {
                diff_named((&format!("resource {name} {key}"), key), old, new, out);
            }
        }
    }
}

fn diff_partitions(old: &Value, new: &Value, out: &mut Vec<String>) {
    diff_keys("", old, new, &["partitions"], out);
    // Partitions are a list; key them by their id to compare.
    let by_id = |value: &Value| -> Map<String, Value> {
        let mut map = Map::new();
        if let Some(Value::Array(items)) = value.get("partitions") {
            for (index, item) in items.iter().enumerate() {
                let id = item.get("id").and_then(Value::as_str).map(str::to_string);
                map.insert(id.unwrap_or_else(|| format!("#{index}")), item.clone());
            }
        }
        map
    };
    let (old_map, new_map) = (by_id(old), by_id(new));
    for id in added_removed("partition", &old_map, &new_map, |_| String::new(), out) {
        if let (Some(old), Some(new)) = (old_map.get(&id), new_map.get(&id)) {
            diff_keys(&format!("~ partition {id}: "), old, new, &["regions"], out);
            diff_named((&format!("partition {id} region"), "regions"), old, new, out);
        }
    }
}

/// Parameters by name; the rules tree by the endpoint URLs and error messages it can produce, so
/// that a rule-set update reads as "+ endpoint https://…" rather than a JSON blob.
fn diff_endpoint_rules(old: &Value, new: &Value, out: &mut Vec<String>) {
    diff_keys("", old, new, &["parameters", "rules"], out);
    diff_named(("endpoint parameter", "parameters"), old, new, out);
    let (old_rules, new_rules) = (old.get("rules"), new.get("rules"));
    if old_rules == new_rules {
        return;
    }
    let (old_outcomes, new_outcomes) = (rule_outcomes(old_rules), rule_outcomes(new_rules));
    let before = out.len();
    diff_sets("", "rule", &old_outcomes, &new_outcomes, out);
    if out.len() == before {
        out.push("~ rules: conditions or order changed (same endpoints and errors)".to_string());
    }
}

/// `endpoint URL` and `error "message"` of every terminal rule under `rules`.
fn rule_outcomes(rules: Option<&Value>) -> Vec<String> {
    fn walk(rules: &Value, out: &mut Vec<String>) {
        let Value::Array(rules) = rules else {
            return;
        };
        for rule in rules {
            if let Some(url) = rule.get("endpoint").and_then(|endpoint| endpoint.get("url")) {
                let url = url.as_str().map_or_else(|| url.to_string(), str::to_string);
                out.push(format!("endpoint {url}"));
            }
            if let Some(error) = rule.get("error") {
                out.push(format!("error {error}"));
            }
            if let Some(children) = rule.get("rules") {
                walk(children, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(rules) = rules {
        walk(rules, &mut out);
    }
    out
}

/// Entries added to / removed from the map at `key`; changed entries get a key-by-key diff.
fn diff_named((what, key): (&str, &str), old: &Value, new: &Value, out: &mut Vec<String>) {
    let (old_map, new_map) = (members_of(old, key), members_of(new, key));
    for name in added_removed(what, old_map, new_map, |_| String::new(), out) {
        if let (Some(old), Some(new)) = (old_map.get(&name), new_map.get(&name)) {
            diff_keys(&format!("~ {what} {name}: "), old, new, &[], out);
        }
    }
}

/// Reports `+ what name` / `- what name` and returns the names present in both that differ.
fn added_removed(
    what: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    describe: impl Fn(&Value) -> String,
    out: &mut Vec<String>,
) -> Vec<String> {
    for (name, value) in new.iter().filter(|(name, _)| !old.contains_key(*name)) {
        out.push(format!("+ {what} {name}{}", describe(value)));
    }
    for (name, value) in old.iter().filter(|(name, _)| !new.contains_key(*name)) {
        out.push(format!("- {what} {name}{}", describe(value)));
    }
    old.iter()
        .filter(|(name, value)| new.get(*name).is_some_and(|new| new != *value))
        .map(|(name, _)| name.clone())
        .collect()
}

/// `prefix key: old -> new` for every key (outside `skip`) whose value differs.
fn diff_keys(prefix: &str, old: &Value, new: &Value, skip: &[&str], out: &mut Vec<String>) {
    let (Value::Object(old), Value::Object(new)) = (old, new) else {
        if old != new {
            out.push(format!("{prefix}{} -> {}", show(Some(old)), show(Some(new))));
        }
        return;
    };
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys.into_iter().filter(|key| !skip.contains(&key.as_str())) {
        let (a, b) = (old.get(key), new.get(key));
        if a == b {
            continue;
        }
        // Prose would flood the report: say that it changed.
        let prose =
            DOC_KEYS.contains(&key.as_str()) && a.is_none_or(Value::is_string) && b.is_none_or(Value::is_string);
        match (prose, a, b) {
            (true, None, _) => out.push(format!("{prefix}{key} added")),
            (true, _, None) => out.push(format!("{prefix}{key} removed")),
            (true, ..) => out.push(format!("{prefix}{key} updated")),
            (false, ..) => out.push(format!("{prefix}{key}: {} -> {}", show(a), show(b))),
        }
    }
}

/// `prefix + what x` / `prefix - what x`; true if anything was added or removed.
fn diff_sets(prefix: &str, what: &str, old: &[String], new: &[String], out: &mut Vec<String>) -> bool {
    let (old_set, new_set): (BTreeSet<&String>, BTreeSet<&String>) = (old.iter().collect(), new.iter().collect());
    let before = out.len();
    for value in new_set.difference(&old_set) {
        out.push(format!("{prefix}+ {what} {value}"));
    }
    for value in old_set.difference(&new_set) {
        out.push(format!("{prefix}- {what} {value}"));
    }
    out.len() != before
}

/// Compact JSON, shortened: enough to see what changed without flooding the terminal.
fn show(value: Option<&Value>) -> String {
    const MAX: usize = 80;
    let Some(value) = value else {
        return "(none)".into();
    };
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

fn members_of<'a>(value: &'a Value, key: &str) -> &'a Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    value.get(key).and_then(Value::as_object).unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn strings_of(value: &Value, key: &str) -> Vec<String> {
    match value.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(|item| item.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shapes(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn closure_follows_members_lists_and_maps_only() {
        let shapes = shapes(json!({
            "OpRequest": {"type": "structure", "members": {
                "Ids": {"shape": "IdList"},
                "Tags": {"shape": "TagMap"},
            }},
            "IdList": {"type": "list", "member": {"shape": "Id"}},
            "Id": {"type": "string"},
            "TagMap": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Nested"}},
            "Key": {"type": "string"},
            "Nested": {"type": "structure", "members": {"Self": {"shape": "Nested"}}},
            "OpError": {"type": "structure", "members": {}},
            "Unused": {"type": "structure", "members": {"X": {"shape": "Id"}}},
        }));
        let operation = json!({
            "input": {"shape": "OpRequest"},
            "errors": [{"shape": "OpError"}],
        });
        let roots = operation_shapes(&operation).into_iter().map(|shape| ("operation Op".to_string(), shape)).collect();
        let closure = shape_closure(&shapes, roots).unwrap();
        let expected: BTreeSet<String> =
            ["OpRequest", "IdList", "Id", "TagMap", "Key", "Nested", "OpError"].into_iter().map(String::from).collect();
        assert_eq!(closure, expected);
    }

    #[test]
    fn closure_names_a_dangling_reference() {
        let shapes = shapes(json!({"A": {"type": "list", "member": {"shape": "Gone"}}}));
        let error = shape_closure(&shapes, vec![("operation Op".into(), "A".into())]).unwrap_err();
        assert_eq!(error, "shape `Gone` (used by shape A) is not defined");
    }

    #[test]
    fn strip_docs_removes_prose_everywhere_but_keeps_a_member_named_documentation() {
        let mut value = json!({
            "documentation": "<p>top</p>",
            "operations": {"Op": {"documentation": "op", "documentationUrl": "https://x"}},
            "shapes": {"S": {"type": "structure", "documentation": "s", "members": {
                "documentation": {"shape": "String", "documentation": "member"},
                "List": {"shape": "L"},
            }}},
            "list": [{"documentation": "in a list", "keep": 1}],
        });
        strip_docs(&mut value);
        assert_eq!(
            value,
            json!({
                "operations": {"Op": {}},
                "shapes": {"S": {"type": "structure", "members": {
                    "documentation": {"shape": "String"},
                    "List": {"shape": "L"},
                }}},
                "list": [{"keep": 1}],
            })
        );
    }

    #[test]
    fn output_is_sorted_pretty_and_ends_with_a_newline() {
        let value = sort_keys(json!({"b": {"z": 1, "a": [2.0, {"y": true, "x": null}]}, "a": "s"}));
        let text = to_json_text(&value).unwrap();
        let expected = "{\n  \"a\": \"s\",\n  \"b\": {\n    \"a\": [\n      2.0,\n      {\n        \"x\": null,\n        \"y\": true\n      }\n    ],\n    \"z\": 1\n  }\n}\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn diff_reports_operations_shapes_members_and_enums() {
        let old = json!({
            "version": "2.0",
            "metadata": {"apiVersion": "2016-11-15"},
            "operations": {
                "Keep": {"input": {"shape": "KeepRequest"}},
                "Gone": {"input": {"shape": "GoneRequest"}},
            },
            "shapes": {
                "KeepRequest": {"type": "structure", "required": ["A"], "members": {
                    "A": {"shape": "String", "locationName": "a"},
                    "B": {"shape": "String"},
                }},
                "GoneRequest": {"type": "structure", "members": {}},
                "Kind": {"type": "string", "enum": ["x", "y"]},
                "String": {"type": "string"},
            },
        });
        let new = json!({
            "version": "2.0",
            "metadata": {"apiVersion": "2016-11-15", "protocol": "ec2"},
            "operations": {
                "Keep": {"input": {"shape": "KeepRequest"}, "output": {"shape": "KeepResult"}},
                "Added": {"input": {"shape": "KeepRequest"}},
            },
            "shapes": {
                "KeepRequest": {"type": "structure", "required": ["A", "C"], "members": {
                    "A": {"shape": "Integer", "locationName": "a"},
                    "C": {"shape": "String"},
                }},
                "KeepResult": {"type": "structure", "members": {}},
                "Kind": {"type": "string", "enum": ["x", "z"]},
                "Integer": {"type": "integer"},
                "String": {"type": "string"},
            },
        });
        assert_eq!(
            describe_changes("service-2.json", &old, &new),
            vec![
                "metadata.protocol: (none) -> \"ec2\"",
                "+ operation Added",
                "- operation Gone",
                "~ operation Keep: output: (none) -> {\"shape\":\"KeepResult\"}",
                "+ shape Integer (integer)",
                "+ shape KeepResult (structure)",
                "- shape GoneRequest (structure)",
                "~ shape KeepRequest: + member C (String)",
                "~ shape KeepRequest: - member B",
                "~ shape KeepRequest: member A: shape: \"String\" -> \"Integer\"",
                "~ shape KeepRequest: + required C",
                "~ shape Kind: + enum value z",
                "~ shape Kind: - enum value y",
            ]
        );
        assert!(describe_changes("service-2.json", &new, &new).is_empty());
    }

    #[test]
    fn diff_reports_waiters_and_resources() {
        let old_waiters = json!({"version": 2, "waiters": {"A": {"delay": 5}, "B": {}}});
        let new_waiters = json!({"version": 2, "waiters": {"A": {"delay": 15}, "C": {}}});
        assert_eq!(
            describe_changes("waiters-2.json", &old_waiters, &new_waiters),
            vec!["+ waiter C", "- waiter B", "~ waiter A: delay: 5 -> 15"]
        );
        let old_resources = json!({"service": {"actions": {"Make": {}}},
            "resources": {"R": {"actions": {"Delete": {}}}}});
        let new_resources = json!({"service": {"actions": {}, "hasMany": {"Rs": {}}},
            "resources": {"R": {"actions": {"Delete": {}, "Tag": {}}}, "S": {}}});
        assert_eq!(
            describe_changes("resources-1.json", &old_resources, &new_resources),
            vec!["- service action Make", "+ service hasMany Rs", "+ resource S", "+ resource R actions Tag",]
        );
    }

    #[test]
    fn diff_reports_endpoint_parameters_and_outcomes() {
        let old = json!({"version": "1.0", "parameters": {"Region": {"type": "string"}}, "rules": [
            {"type": "tree", "conditions": [], "rules": [
                {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://a.{Region}"}},
            ]},
            {"type": "error", "conditions": [], "error": "Missing Region"},
        ]});
        let new = json!({"version": "1.0", "parameters": {"Region": {"type": "string"}, "UseFIPS": {"type": "boolean"}},
        "rules": [
            {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://b.{Region}"}},
            {"type": "error", "conditions": [], "error": "Missing Region"},
        ]});
        assert_eq!(
            describe_changes("endpoint-rule-set-1.json", &old, &new),
            vec![
                "+ endpoint parameter UseFIPS",
                "+ rule endpoint https://b.{Region}",
                "- rule endpoint https://a.{Region}"
            ]
        );
        let reordered = json!({"version": "1.0", "parameters": {"Region": {"type": "string"}}, "rules": [
            {"type": "error", "conditions": [], "error": "Missing Region"},
            {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://a.{Region}"}},
        ]});
        assert_eq!(
            describe_changes("endpoint-rule-set-1.json", &old, &reordered),
            vec!["~ rules: conditions or order changed (same endpoints and errors)"]
        );
        assert!(describe_changes("endpoint-rule-set-1.json", &old, &old).is_empty());
    }

    #[test]
    fn resource_references_must_be_selected() {
        let selection = Selection::parse(
            r#"{"service": "ec2", "apiVersion": "v", "operations": ["Describe"],
                "resources": {"resources": ["R"]}}"#,
            "selection.json",
        )
        .unwrap();
        let resources = json!({"service": {}, "resources": {"R": {
            "shape": "Missing",
            "load": {"request": {"operation": "Describe"}},
            "actions": {"Delete": {"request": {"operation": "DeleteR"},
                                   "resource": {"type": "Other"}}},
        }}});
        let shapes: BTreeSet<String> = ["Present".to_string()].into();
        let mut problems = Vec::new();
        check_resource_references(&resources, &selection, &shapes, &mut problems);
        assert_eq!(
            problems,
            vec![
                "resource `R` has shape `Missing`, which no selected operation uses",
                "resources-1.json resources.R.actions.Delete uses operation `DeleteR`, which is not in `operations`",
                "resources-1.json resources.R.actions.Delete makes a `Other`, which is not in `resources.resources`",
            ]
        );
    }

    #[test]
    fn selection_rejects_unknown_keys_and_duplicates() {
        let error =
            Selection::parse(r#"{"service": "ec2", "apiVersion": "v", "operations": ["A"], "waiter": []}"#, "f")
                .unwrap_err();
        assert!(error.starts_with("f: unknown key `waiter`"), "{error}");
        let error =
            Selection::parse(r#"{"service": "ec2", "apiVersion": "v", "operations": ["A", "A"]}"#, "f").unwrap_err();
        assert_eq!(error, "f: `operations` lists `A` twice");
    }

    #[test]
    fn features_join_the_selection_and_each_operation_has_one_home() {
        let text = r#"{"service": "ec2", "apiVersion": "v", "operations": ["A"], "waiters": ["AReady"],
            "features": {"vpcs": {"operations": ["B", "C"], "waiters": ["BReady"]}}}"#;
        let selection = Selection::parse(text, "f").unwrap();
        assert_eq!(selection.operations.iter().collect::<Vec<_>>(), ["A", "B", "C"]);
        assert_eq!(selection.waiters.iter().collect::<Vec<_>>(), ["AReady", "BReady"]);
        assert_eq!(
            features_file(&selection),
            json!({"features": {"vpcs": {"operations": ["B", "C"]}}}),
            "the generator reads each feature's operations"
        );
        let twice =
            r#"{"service": "ec2", "apiVersion": "v", "operations": ["A"], "features": {"x": {"operations": ["A"]}}}"#;
        assert_eq!(
            Selection::parse(twice, "f").unwrap_err(),
            "f: feature `x`: operation `A` is already selected elsewhere"
        );
        let bad_name = r#"{"service": "ec2", "apiVersion": "v", "operations": ["A"], "features": {"Vpcs": {"operations": ["B"]}}}"#;
        assert!(Selection::parse(bad_name, "f").unwrap_err().contains("lower-case"));
    }

    #[test]
    fn sdk_extras_merge_like_botocore() {
        let mut base = json!({"pagination": {"A": {"input_token": "T"}, "B": {"x": [1]}}});
        merge_into(&mut base, &json!({"pagination": {"A": {"non_aggregate_keys": ["K"]}, "B": {"x": [2]}}}));
        assert_eq!(
            base,
            json!({"pagination": {"A": {"input_token": "T", "non_aggregate_keys": ["K"]}, "B": {"x": [2]}}})
        );
    }

    #[test]
    fn version_is_read_from_init_py() {
        let init = "\"\"\"doc\"\"\"\nimport os\n__version__ = '1.43.11'\n";
        assert_eq!(parse_version(init).as_deref(), Some("1.43.11"));
        assert_eq!(parse_version("__version__ = \"2.0\"").as_deref(), Some("2.0"));
        assert_eq!(parse_version("version = '1'"), None);
    }

    #[test]
    fn arguments() {
        let args: Vec<String> = ["--botocore=/a", "--boto3", "/b", "--check"].iter().map(|s| s.to_string()).collect();
        let options = parse_args(&args).unwrap();
        assert_eq!(options.botocore, Some(PathBuf::from("/a")));
        assert_eq!(options.boto3, Some(PathBuf::from("/b")));
        assert!(options.check);
        assert!(parse_args(&["--boto3".to_string()]).is_err());
        assert!(parse_args(&["--frobnicate".to_string()]).is_err());
    }

    fn parse(args: &[&str]) -> Result<Options, String> {
        parse_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn latest_and_version_choose_what_to_install() {
        assert_eq!(parse(&[]).unwrap().install, None);
        assert_eq!(parse(&["--latest"]).unwrap().install, Some(Install::Latest));
        assert_eq!(parse(&["--version", "1.44.18"]).unwrap().install, Some(Install::Version("1.44.18".into())));
        let options = parse(&["--version=1.44.18", "--check"]).unwrap();
        assert_eq!((options.install, options.check), (Some(Install::Version("1.44.18".into())), true));
        assert_eq!(parse(&["--python", "/venv/bin/python3"]).unwrap().python, Some(PathBuf::from("/venv/bin/python3")));
    }

    #[test]
    fn conflicting_or_malformed_install_arguments_are_refused() {
        for args in [
            &["--latest", "--version", "1.44.18"][..],
            &["--latest", "--latest"],
            &["--version"],
            &["--version", ""],
            &["--version", "1.44; rm -rf /"],
            &["--version", ">=1.0"],
            &["--latest=yes"],
            &["--latest", "--botocore", "/a"],
            &["--version", "1.44.18", "--python", "/usr/bin/python3"],
        ] {
            assert!(parse(args).is_err(), "{args:?} should be refused");
        }
    }

    /// A repository and a botocore/boto3 pair made from this repository's own model/, so that
    /// a model update can be played without the network or the installed packages.
    struct FakeUpdate {
        dir: PathBuf,
    }

    impl FakeUpdate {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("ec2-sg-sync-model-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            let model = crate::workspace_root().join("model");
            let copy = |from: &str, to: PathBuf| {
                fs::create_dir_all(to.parent().unwrap()).unwrap();
                fs::copy(model.join(from), to).unwrap();
            };
            for file in [
                "selection.json",
                "service-2.json",
                "waiters-2.json",
                "paginators-1.json",
                "resources-1.json",
                "partitions.json",
                "endpoint-rule-set-1.json",
                "versions.json",
            ] {
                copy(file, dir.join("repo/model").join(file));
            }
            let api = |package: &str| dir.join(package).join("data/ec2/2016-11-15");
            for file in ["service-2.json", "waiters-2.json", "paginators-1.json", "endpoint-rule-set-1.json"] {
                copy(file, api("botocore").join(file));
            }
            copy("partitions.json", dir.join("botocore/data/partitions.json"));
            copy("resources-1.json", api("boto3").join("resources-1.json"));
            fs::write(dir.join("botocore/__init__.py"), "__version__ = '1.43.12'\n").unwrap();
            fs::write(dir.join("boto3/__init__.py"), "__version__ = '1.43.12'\n").unwrap();
            fs::create_dir_all(dir.join("repo/ec2-sg")).unwrap();
            fs::write(dir.join("repo/ec2-sg/Cargo.toml"), "[package]\nname = \"ec2-sg\"\nversion = \"0.3.1\"\n")
                .unwrap();
            Self { dir }
        }

        /// Changes botocore's service model, then runs sync-model on the fake repository.
        fn update(&self, change: impl FnOnce(&mut Value)) -> Result<(), String> {
            let path = self.dir.join("botocore/data/ec2/2016-11-15/service-2.json");
            let mut service: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            change(&mut service);
            fs::write(&path, serde_json::to_string(&service).unwrap()).unwrap();
            let args = ["--botocore", "--boto3"]
                .iter()
                .zip(["botocore", "boto3"])
                .flat_map(|(flag, package)| [flag.to_string(), self.dir.join(package).display().to_string()]);
            run_in(&self.dir.join("repo"), &args.collect::<Vec<_>>())
        }

        fn changelog(&self) -> String {
            fs::read_to_string(self.dir.join("repo/CHANGELOG.md")).unwrap_or_default()
        }
    }

    impl Drop for FakeUpdate {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }

    #[test]
    fn documentation_is_kept_in_the_service_model_and_a_docs_update_is_no_api_change() {
        let update = FakeUpdate::new("docs");
        update
            .update(|service| {
                service["operations"]["DeleteSecurityGroup"]["documentation"] = json!("<p>Deletes a group.</p>");
                service["shapes"]["IpPermission"]["members"]["FromPort"]["documentation"] = json!("<p>The start.</p>");
            })
            .unwrap();
        let written: Value =
            serde_json::from_str(&fs::read_to_string(update.dir.join("repo/model/service-2.json")).unwrap()).unwrap();
        assert_eq!(written["operations"]["DeleteSecurityGroup"]["documentation"], "<p>Deletes a group.</p>");
        assert_eq!(written["shapes"]["IpPermission"]["members"]["FromPort"]["documentation"], "<p>The start.</p>");
        // The selection's API reference base lands in the metadata, where the generator reads it.
        let selection: Value =
            serde_json::from_str(&fs::read_to_string(update.dir.join("repo/model/selection.json")).unwrap()).unwrap();
        assert_eq!(written["metadata"]["apiReference"], selection["apiReference"]);
        assert!(selection["apiReference"].is_string());
        let changelog = update.changelog();
        assert!(changelog.contains("Semver: docs, no API change."), "{changelog}");
        assert!(
            changelog.contains("documentation updated: 1 operations' (`DeleteSecurityGroup`), 1 members'"),
            "{changelog}"
        );
    }

    #[test]
    fn a_model_update_writes_the_changelog_entry_with_its_bump() {
        let update = FakeUpdate::new("changelog");
        // A member added to an input that users build with a builder: additive.
        update
            .update(|service| {
                service["shapes"]["DescribeSecurityGroupsRequest"]["members"]["Note"] = json!({"shape": "String"});
            })
            .unwrap();
        let changelog = update.changelog();
        assert!(
            changelog.starts_with("# Changelog\n\n## 0.3.2 (from 0.3.1): model update, botocore 1.43.11 -> 1.43.12"),
            "{changelog}"
        );
        assert!(
            changelog
                .contains("Semver: additive.\n\n### Additive\n\n- member `DescribeSecurityGroupsRequest.Note` added"),
            "{changelog}"
        );
        // A member newly required in an input: breaking; the new entry comes first.
        update
            .update(|service| {
                let shape = &mut service["shapes"]["CreateSecurityGroupRequest"];
                shape["members"]["Owner"] = json!({"shape": "String"});
                shape["required"].as_array_mut().unwrap().push(json!("Owner"));
            })
            .unwrap();
        let changelog = update.changelog();
        assert!(changelog.starts_with("# Changelog\n\n## 0.4.0 (from 0.3.1): model update"), "{changelog}");
        assert!(
            changelog
                .contains("### Breaking\n\n- member `CreateSecurityGroupRequest.Owner` now required in this input"),
            "{changelog}"
        );
        assert_eq!(changelog.matches("\n## ").count(), 2, "{changelog}");
        // Nothing changed: no entry.
        update.update(|_| {}).unwrap();
        assert_eq!(update.changelog().matches("\n## ").count(), 2);
    }
}
