//! `cargo xtask footprint [--out FILE] [--baseline]`: measures what depending on ec2-sg costs and
//! writes the report (docs/FOOTPRINT.md by default), printing it too.
//!
//! The program measured is the one a user writes first: list the security groups (client from the
//! environment, `DescribeSecurityGroups`, print each group). It is built as a dependent builds it,
//! in a temporary crate outside the workspace that depends on ec2-sg by path, with the workspace's
//! `Cargo.lock` (so the versions are the ones the tests ran with):
//!
//! - at the release profile a dependent gets by default (opt-level 3, no LTO), and at this
//!   workspace's tuned `[profile.release]` beside it;
//! - the floor: the same program on its HTTP stack alone (reqwest + rustls + tokio + aws-sigv4,
//!   signing and sending the query itself), so that the share ec2-sg adds is visible;
//! - once per cargo feature of ec2-sg (read from `ec2-sg/Cargo.toml`): the generated lines the
//!   feature compiles in, a clean release build with it, the binary;
//! - `--baseline`: the same program with aws-sdk-ec2 + aws-config, measured and recorded in
//!   `docs/footprint-baseline.json` (it takes a quarter of an hour or more and 8 GB); the default
//!   run reports the last recorded baseline with its date and host.
//!
//! Also: the crates in ec2-sg's dependency graph for each feature set (`cargo tree -e normal`),
//! `cargo check -p ec2-sg` (what an IDE user waits for), the library without default features,
//! the SDK's own per-call overhead (`ec2-sg/examples/overhead.rs`), and the toolchain, machine,
//! load, date and commit, so that the numbers can be traced.
//!
//! Every build is clean, in a fresh temporary target directory (removed afterwards). Peak memory
//! comes from GNU time (`/usr/bin/time -v`: the largest single process of the build) and, on Linux,
//! from sampling /proc (the sum over every process of the build at the worst moment). Without them
//! the report says "not measured". Nothing here asserts a speed: the report is the result. It is
//! not part of `cargo xtask test`.
//!
//! Only std, serde_json and cargo are used: the command works whether or not ec2-sg compiles into
//! xtask (it is built by the cargo commands it runs, like any user's build).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

const USAGE: &str = "usage: cargo xtask footprint [--out FILE] [--baseline]

Measures ec2-sg's footprint (a dependent's clean release build at the default and the tuned
profile, the HTTP stack alone, a row per cargo feature, dependency graphs, `cargo check`, per-call
overhead) and writes the report to FILE (default docs/FOOTPRINT.md). Takes half an hour or more
on two cores; keep other work off the machine while it runs.

  --baseline  instead, build the same program with aws-sdk-ec2 + aws-config (15+ minutes, 8 GB)
              and record it in docs/footprint-baseline.json, which the default run reports";

/// Where `--baseline` records its measurement, beside the report.
const BASELINE_FILE: &str = "docs/footprint-baseline.json";

/// The measured program's crate (and binary) name.
const PROGRAM_NAME: &str = "list-security-groups";

/// The program, written against ec2-sg.
const PROGRAM_EC2_SG: &str = r#"//! Lists the security groups of the account and region the environment names.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ec2_sg::Client::from_env()?;
    let answer = client.describe_security_groups().send().await?;
    for group in answer.security_groups() {
        println!("{} {}", group.group_id().unwrap_or_default(), group.group_name().unwrap_or_default());
    }
    Ok(())
}
"#;

/// The same program, written against aws-sdk-ec2 and aws-config.
const PROGRAM_AWS_SDK_EC2: &str = r#"//! Lists the security groups of the account and region the environment names.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_ec2::Client::new(&config);
    let answer = client.describe_security_groups().send().await?;
    for group in answer.security_groups() {
        println!("{} {}", group.group_id().unwrap_or_default(), group.group_name().unwrap_or_default());
    }
    Ok(())
}
"#;

/// The same call on the HTTP stack alone: the floor under any SDK on reqwest, rustls, tokio and
/// aws-sigv4 (it prints the XML answer rather than decoding it).
const PROGRAM_FLOOR: &str = r#"//! Lists the security groups: the query signed with aws-sigv4 and sent with reqwest.
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let region = std::env::var("AWS_REGION")?;
    let endpoint = std::env::var("AWS_ENDPOINT_URL_EC2")
        .unwrap_or_else(|_| format!("https://ec2.{region}.amazonaws.com/"));
    let identity = aws_credential_types::Credentials::new(
        std::env::var("AWS_ACCESS_KEY_ID")?,
        std::env::var("AWS_SECRET_ACCESS_KEY")?,
        std::env::var("AWS_SESSION_TOKEN").ok(),
        None,
        "environment",
    )
    .into();
    let body = "Action=DescribeSecurityGroups&Version=2016-11-15";
    let content_type = "application/x-www-form-urlencoded";
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name("ec2")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()?
        .into();
    let headers = [("content-type", content_type)];
    let signable = SignableRequest::new("POST", &endpoint, headers.into_iter(), SignableBody::Bytes(body.as_bytes()))?;
    let (instructions, _signature) = sign(signable, &params)?.into_parts();
    let mut request = reqwest::Client::new().post(&endpoint).header("content-type", content_type).body(body);
    for (name, value) in instructions.headers() {
        request = request.header(name, value);
    }
    println!("{}", request.send().await?.text().await?);
    Ok(())
}
"#;

/// tokio as each program asks for it (`#[tokio::main(flavor = "current_thread")]`).
const TOKIO_DEPENDENCY: &str = r#"tokio = { version = "1", features = ["macros", "rt"] }"#;

/// The floor's dependencies: the HTTP stack ec2-sg's default features bundle, and its signer.
const FLOOR_DEPENDENCIES: &str = r#"reqwest = { version = "0.12", default-features = false, features = ["rustls-tls-native-roots"] }
aws-sigv4 = { version = "1", default-features = false, features = ["sign-http", "http1"] }
aws-credential-types = "1"
"#;

/// The baseline's dependencies, at their newest versions when `--baseline` runs.
const BASELINE_DEPENDENCIES: &str = "aws-sdk-ec2 = \"1\"\naws-config = \"1\"\n";

/// The feature sets whose dependency graphs are counted: label, cargo arguments, what they give.
const FEATURE_SETS: &[(&str, &[&str], &str)] = &[
    ("default (`rustls`)", &[], "async client on reqwest + tokio, rustls with the system's root certificates"),
    ("default + `blocking`", &["--features", "blocking"], "also `ec2_sg::blocking::Client`"),
    (
        "`native-tls` (no default)",
        &["--no-default-features", "--features", "native-tls"],
        "the platform's TLS instead of rustls",
    ),
    (
        "no default features",
        &["--no-default-features"],
        "no HTTP client: bring one (`runtime::http::HttpClient`), or use `build_request`/`parse_response`",
    ),
    (
        "default + `request-compression`",
        &["--features", "request-compression"],
        "gzip bodies for operations whose model asks for it",
    ),
    ("default + `test-util`", &["--features", "test-util"], "the replay client for tests"),
];

pub fn run(args: &[String]) -> Result<(), String> {
    let root = crate::workspace_root();
    let mut out = root.join("docs/FOOTPRINT.md");
    let mut baseline = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => {
                let value = args.next().ok_or_else(|| format!("--out needs a file\n\n{USAGE}"))?;
                out = std::env::current_dir().map(|d| d.join(value)).unwrap_or_else(|_| PathBuf::from(value));
            }
            "--baseline" => baseline = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    if baseline {
        return run_baseline(&root);
    }

    let started = Instant::now();
    let machine = Machine::describe(&root);
    eprintln!("==> fetching the dependencies (not timed)");
    cargo_status(&root, &["fetch", "--locked"], &[])?;

    eprintln!("==> dependency graphs");
    let mut graphs = Vec::new();
    for (label, features, what) in FEATURE_SETS {
        graphs.push(Graph { label, what, crates: crate_names(&root, features)? });
    }

    // The heavy crates (proc macros, the async runtime) that the core keeps, and who brings them.
    let core_heavy = dependents(&root, &["--no-default-features"], &["syn", "tokio", "serde", "ring", "openssl-sys"])?;

    let scratch = Scratch::new()?;
    let lock = root.join("Cargo.lock");
    let ec2_sg_path = root.join("ec2-sg");
    let ec2_sg_dependency = |features: &[&str]| {
        let features: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
        format!(
            "ec2-sg = {{ path = {:?}, features = [{}] }}\n{TOKIO_DEPENDENCY}\n",
            ec2_sg_path.display().to_string(),
            features.join(", ")
        )
    };
    let tuned_profile = release_profile(&root)?;

    eprintln!("==> clean release build of the program on ec2-sg, default release profile");
    let dependent = DependentBuild::measure(
        &scratch.0,
        "dependent",
        &ec2_sg_dependency(&[]),
        PROGRAM_EC2_SG,
        "",
        Some(&lock),
        true,
    )?;
    eprintln!("==> the same, with the workspace's tuned release profile");
    let tuned = DependentBuild::measure(
        &scratch.0,
        "tuned",
        &ec2_sg_dependency(&[]),
        PROGRAM_EC2_SG,
        &tuned_profile,
        Some(&lock),
        false,
    )?;
    eprintln!("==> the floor: the same call on reqwest + rustls + tokio + aws-sigv4 alone");
    let floor_dependencies = format!("{FLOOR_DEPENDENCIES}{TOKIO_DEPENDENCY}\n");
    let floor =
        DependentBuild::measure(&scratch.0, "floor", &floor_dependencies, PROGRAM_FLOOR, "", Some(&lock), false)?;

    let manifest = std::fs::read_to_string(ec2_sg_path.join("Cargo.toml"))
        .map_err(|e| format!("cannot read ec2-sg/Cargo.toml: {e}"))?;
    let features = cargo_features(&manifest);
    let generated = GeneratedLines::count(&ec2_sg_path.join("src/generated"))?;
    let mut feature_rows = Vec::new();
    for feature in &features {
        let build = if feature.in_default {
            None
        } else {
            eprintln!("==> clean release build of the program with feature `{}`", feature.name);
            let dependency = ec2_sg_dependency(&[feature.name.as_str()]);
            let label = format!("feature-{}", feature.name);
            // A feature that does not build here (a system library missing) is reported, not fatal.
            let build =
                DependentBuild::measure(&scratch.0, &label, &dependency, PROGRAM_EC2_SG, "", Some(&lock), false);
            if let Err(e) = &build {
                eprintln!("feature `{}`: {e}", feature.name);
            }
            Some(build.map_err(|e| e.lines().next().unwrap_or_default().to_string()))
        };
        feature_rows.push(FeatureRow { lines: generated.gated(&feature.name), feature: feature.clone(), build });
    }

    eprintln!("==> clean release build of the library, no default features");
    let core_dir = scratch.0.join("core");
    let core =
        measure_build(&root, &core_dir, &["build", "--release", "--locked", "-p", "ec2-sg", "--no-default-features"])?;
    let _ = std::fs::remove_dir_all(&core_dir);

    eprintln!("==> clean `cargo check -p ec2-sg` (dev profile)");
    let check_dir = scratch.0.join("check");
    let check = measure_build(&root, &check_dir, &["check", "--locked", "-p", "ec2-sg"])?;
    drop(scratch);

    eprintln!("==> per-call overhead (ec2-sg/examples/overhead.rs, release)");
    let overhead = run_overhead(&root)?;
    let load_after = load();
    let baseline = match std::fs::read_to_string(root.join(BASELINE_FILE)) {
        Ok(text) => Some(Baseline::parse(&text).map_err(|e| format!("{BASELINE_FILE}: {e}"))?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {BASELINE_FILE}: {e}")),
    };

    let report = Report {
        machine,
        load_after,
        graphs,
        core_heavy,
        dependent,
        tuned,
        floor,
        tuned_profile,
        feature_rows,
        generated_total: generated.total,
        baseline,
        core,
        check,
        overhead,
        elapsed: started.elapsed(),
    }
    .render();
    println!("{report}");
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&out, &report).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `--baseline`: the program on aws-sdk-ec2 + aws-config, its own newest versions resolved (no
/// lock file to share), measured once and recorded for the default runs to report.
fn run_baseline(root: &Path) -> Result<(), String> {
    let machine = Machine::describe(root);
    let scratch = Scratch::new()?;
    let dependencies = format!("{BASELINE_DEPENDENCIES}{TOKIO_DEPENDENCY}\n");
    eprintln!("==> clean release build of the program on aws-sdk-ec2 + aws-config (15+ minutes, 8 GB)");
    let build = DependentBuild::measure(&scratch.0, "baseline", &dependencies, PROGRAM_AWS_SDK_EC2, "", None, false)?;
    let versions = build.versions.clone();
    let baseline = Baseline {
        date: machine.date.clone(),
        host: machine.host(),
        toolchain: machine.rustc.clone(),
        load_before: build.build.load_before.clone(),
        load_after: load(),
        versions,
        wall_secs: build.build.wall.as_secs_f64(),
        cpu_secs: build.build.cpu.map(|(user, system)| user + system),
        max_process_kb: build.build.max_process_kb,
        max_total_kb: build.build.max_total_kb,
        binary_bytes: build.binary.bytes,
        stripped_bytes: build.binary.stripped,
        crates: build.build.crates_compiled,
    };
    let path = root.join(BASELINE_FILE);
    std::fs::write(&path, baseline.to_json()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {}; `cargo xtask footprint` puts it into the report", path.display());
    println!("{}", baseline.to_json());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The program, built as a dependent builds it

/// One clean release build of a program in a temporary crate of its own.
struct DependentBuild {
    build: Build,
    binary: Binary,
    /// The slowest units (`--timings`), when asked for.
    slowest: Vec<(String, f64)>,
    /// `name version` of the direct dependencies as resolved (from the crate's Cargo.lock).
    versions: Vec<String>,
}

impl DependentBuild {
    /// Writes the crate under `scratch/label` (`dependencies` under `[dependencies]`, `profile`
    /// appended, `lock` copied), fetches (not timed), builds it with `cargo build --release` in a
    /// fresh target directory and removes that directory afterwards.
    fn measure(
        scratch: &Path,
        label: &str,
        dependencies: &str,
        source: &str,
        profile: &str,
        lock: Option<&Path>,
        timings: bool,
    ) -> Result<Self, String> {
        let dir = scratch.join(label);
        let src = dir.join("src");
        std::fs::create_dir_all(&src).map_err(|e| format!("cannot create {}: {e}", src.display()))?;
        // `[workspace]`: a crate of its own, whatever surrounds the temporary directory.
        let manifest = format!(
            "[package]\nname = \"{PROGRAM_NAME}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{dependencies}\n[workspace]\n\n{profile}"
        );
        let write = |path: PathBuf, text: &str| {
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        write(dir.join("Cargo.toml"), &manifest)?;
        write(src.join("main.rs"), source)?;
        if let Some(lock) = lock {
            std::fs::copy(lock, dir.join("Cargo.lock")).map_err(|e| format!("cannot copy {}: {e}", lock.display()))?;
        }
        cargo_status(&dir, &["fetch"], &[])?;
        let target = dir.join("target");
        let mut args = vec!["build", "--release"];
        if timings {
            args.push("--timings");
        }
        let build = measure_build(&dir, &target, &args)?;
        let binary = target.join("release").join(format!("{PROGRAM_NAME}{}", std::env::consts::EXE_SUFFIX));
        let binary = Binary::measure(&binary, scratch)?;
        let slowest = if timings { slowest_units(&target.join("cargo-timings/cargo-timing.html")) } else { Vec::new() };
        let versions = std::fs::read_to_string(dir.join("Cargo.lock"))
            .map(|lock| direct_versions(&lock, &manifest))
            .unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        Ok(Self { build, binary, slowest, versions })
    }
}

/// `name version` for each crate named at the start of a line of `manifest`'s dependencies, as
/// `lock` resolved it.
fn direct_versions(lock: &str, manifest: &str) -> Vec<String> {
    let direct: BTreeSet<&str> = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .take_while(|line| !line.starts_with('['))
        .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim()))
        .collect();
    let mut versions = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(value) = line.strip_prefix("name = ") {
            name = Some(value.trim_matches('"'));
        } else if let (Some(value), Some(current)) = (line.strip_prefix("version = "), name.take()) {
            if direct.contains(current) {
                versions.push(format!("{current} {}", value.trim_matches('"')));
            }
        }
    }
    versions
}

/// The workspace's `[profile.release]` table, as written in its Cargo.toml.
fn release_profile(root: &Path) -> Result<String, String> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table = text
        .split("\n[")
        .find_map(|table| table.strip_prefix("profile.release]"))
        .ok_or_else(|| format!("{} has no [profile.release] table", path.display()))?;
    let lines: Vec<&str> = table.lines().filter(|line| !line.trim_start().starts_with('#')).collect();
    Ok(format!("[profile.release]{}\n", lines.join("\n").trim_end()))
}

/// A cargo feature of ec2-sg.
#[derive(Clone, Debug, PartialEq)]
struct Feature {
    name: String,
    /// Enabled by the `default` feature (directly or through another feature).
    in_default: bool,
    /// The comment above it in Cargo.toml: what it gives.
    what: String,
}

/// The `[features]` of a Cargo.toml, `default` left out, in the order written.
fn cargo_features(manifest: &str) -> Vec<Feature> {
    let Some(table) = manifest.split("\n[").find_map(|table| table.strip_prefix("features]")) else {
        return Vec::new();
    };
    let mut features: Vec<(String, Vec<String>, String)> = Vec::new();
    let mut comment = Vec::new();
    for line in table.lines().skip(1) {
        let line = line.trim();
        if let Some(text) = line.strip_prefix('#') {
            comment.push(text.trim().to_string());
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            comment.clear();
            continue;
        };
        let enables = value
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(|item| item.trim().trim_matches('"').to_string())
            .filter(|item| !item.is_empty())
            .collect();
        features.push((name.trim().trim_matches('"').to_string(), enables, comment.join(" ")));
        comment.clear();
    }
    // The closure of what `default` enables.
    let mut in_default = BTreeSet::new();
    let mut pending = vec!["default".to_string()];
    while let Some(name) = pending.pop() {
        for (_, enables, _) in features.iter().filter(|(feature, ..)| *feature == name) {
            for item in enables.iter().filter(|item| !item.contains(':') && !item.contains('/')) {
                if in_default.insert(item.clone()) {
                    pending.push(item.clone());
                }
            }
        }
    }
    features
        .into_iter()
        .filter(|(name, ..)| name != "default")
        .map(|(name, _, what)| Feature { in_default: in_default.contains(&name), name, what })
        .collect()
}

/// The generated code's lines, and those under a `cfg` naming each feature.
struct GeneratedLines {
    total: usize,
    files: Vec<(PathBuf, String)>,
}

impl GeneratedLines {
    fn count(dir: &Path) -> Result<Self, String> {
        let mut files = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    let text =
                        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    files.push((path, text));
                }
            }
        }
        files.sort();
        let total = files.iter().map(|(_, text)| text.lines().count()).sum();
        Ok(Self { total, files })
    }

    /// Lines of generated code compiled only with `feature`: files gated whole (`#![cfg(…)]` or
    /// `#[cfg(…)] mod name;`) and items under a `#[cfg(…)]` that names it.
    fn gated(&self, feature: &str) -> usize {
        let mut gated_files: BTreeSet<PathBuf> = BTreeSet::new();
        let mut lines = 0;
        for (path, text) in &self.files {
            let (count, modules) = gated_lines(text, feature);
            lines += count;
            let dir = path.parent().unwrap_or(Path::new("."));
            let dir = if path.file_stem().is_some_and(|stem| stem == "mod" || stem == "lib") {
                dir.to_path_buf()
            } else {
                dir.join(path.file_stem().unwrap_or_default())
            };
            for module in modules {
                gated_files.insert(dir.join(format!("{module}.rs")));
                gated_files.insert(dir.join(&module).join("mod.rs"));
            }
        }
        // Modules gated by their declaration, and what they declare in turn.
        let mut whole = 0;
        for (path, text) in &self.files {
            let under_gated_dir = gated_files.iter().any(|gated| {
                gated.file_name().is_some_and(|name| name == "mod.rs")
                    && gated.parent().is_some_and(|dir| path.starts_with(dir))
            });
            if gated_files.contains(path) || under_gated_dir {
                whole += text.lines().count();
            }
        }
        lines + whole
    }
}

/// In one file: the lines compiled only with `feature` (the file itself when it starts with a
/// `#![cfg(…)]` naming it, else each item under such a `#[cfg(…)]`), and the modules declared
/// out of line (`mod name;`) under such an attribute.
fn gated_lines(text: &str, feature: &str) -> (usize, Vec<String>) {
    let needle = format!("feature = \"{feature}\"");
    let names_feature = |line: &str| line.contains(&needle);
    let lines: Vec<&str> = text.lines().collect();
    if lines.iter().map(|line| line.trim()).any(|line| line.starts_with("#![cfg(") && names_feature(line)) {
        return (lines.len(), Vec::new());
    }
    let mut count = 0;
    let mut modules = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim();
        if !(line.starts_with("#[cfg(") && names_feature(line)) {
            index += 1;
            continue;
        }
        // The item runs to its closing brace, or to its `;` when it has no body.
        let start = index;
        let mut depth = 0i64;
        let mut opened = false;
        while index < lines.len() {
            let code = lines[index].trim();
            index += 1;
            if code.starts_with("//") || code.starts_with("#[") {
                continue;
            }
            for c in code.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                break;
            }
            if !opened && code.ends_with(';') {
                if let Some(name) = code.strip_prefix("pub ").unwrap_or(code).strip_prefix("mod ") {
                    modules.push(name.trim_end_matches(';').trim().to_string());
                }
                break;
            }
        }
        count += index - start;
    }
    (count, modules)
}

/// A cargo feature's row: the generated lines it compiles in and, unless default features
/// already have it, the program's clean build with it.
struct FeatureRow {
    feature: Feature,
    lines: usize,
    /// `None` when the default features include it.
    build: Option<Result<DependentBuild, String>>,
}

/// What `--baseline` recorded.
#[derive(Debug, PartialEq)]
struct Baseline {
    date: String,
    host: String,
    toolchain: String,
    load_before: String,
    load_after: String,
    versions: Vec<String>,
    wall_secs: f64,
    cpu_secs: Option<f64>,
    max_process_kb: Option<u64>,
    max_total_kb: Option<u64>,
    binary_bytes: u64,
    stripped_bytes: Option<u64>,
    crates: Option<usize>,
}

impl Baseline {
    fn to_json(&self) -> String {
        let value = serde_json::json!({
            "_comment": "written by `cargo xtask footprint --baseline`: aws-sdk-ec2 + aws-config, the program of docs/FOOTPRINT.md, clean release build at cargo's default profile",
            "date": self.date,
            "host": self.host,
            "toolchain": self.toolchain,
            "load_before": self.load_before,
            "load_after": self.load_after,
            "versions": self.versions,
            "wall_secs": self.wall_secs,
            "cpu_secs": self.cpu_secs,
            "max_process_kb": self.max_process_kb,
            "max_total_kb": self.max_total_kb,
            "binary_bytes": self.binary_bytes,
            "stripped_bytes": self.stripped_bytes,
            "crates": self.crates,
        });
        serde_json::to_string_pretty(&value).map(|text| text + "\n").unwrap_or_default()
    }

    fn parse(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let string = |key: &str| value[key].as_str().map(str::to_string).ok_or_else(|| format!("`{key}` is missing"));
        Ok(Self {
            date: string("date")?,
            host: string("host")?,
            toolchain: string("toolchain")?,
            load_before: string("load_before")?,
            load_after: string("load_after")?,
            versions: value["versions"]
                .as_array()
                .map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            wall_secs: value["wall_secs"].as_f64().ok_or("`wall_secs` is missing")?,
            cpu_secs: value["cpu_secs"].as_f64(),
            max_process_kb: value["max_process_kb"].as_u64(),
            max_total_kb: value["max_total_kb"].as_u64(),
            binary_bytes: value["binary_bytes"].as_u64().ok_or("`binary_bytes` is missing")?,
            stripped_bytes: value["stripped_bytes"].as_u64(),
            crates: value["crates"].as_u64().map(|n| n as usize),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Running cargo

/// A cargo command for measuring: no compiler wrapper (a cache would make "clean" meaningless).
fn cargo_command(root: &Path, args: &[&str], env: &[(&str, &Path)]) -> Command {
    let mut command = Command::new(crate::cargo_program());
    command.args(args).current_dir(root).env_remove("RUSTC_WRAPPER").env_remove("CARGO_BUILD_RUSTC_WRAPPER");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

fn cargo_status(root: &Path, args: &[&str], env: &[(&str, &Path)]) -> Result<(), String> {
    let status = cargo_command(root, args, env).status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed", args.join(" ")))
    }
}

/// `cargo tree` of ec2-sg's normal dependencies with these feature arguments and line prefix.
fn cargo_tree(root: &Path, prefix: &str, features: &[&str]) -> Result<String, String> {
    let mut args = vec!["tree", "--locked", "-p", "ec2-sg", "-e", "normal", "--prefix", prefix];
    args.extend_from_slice(features);
    let output = cargo_command(root, &args, &[])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!("`cargo {}` failed", args.join(" ")));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The unique crate names in ec2-sg's normal dependency graph with these feature arguments.
fn crate_names(root: &Path, features: &[&str]) -> Result<BTreeSet<String>, String> {
    Ok(cargo_tree(root, "none", features)?
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "ec2-sg")
        .map(str::to_string)
        .collect())
}

/// For each of `names` present in the graph with these feature arguments, the crates that depend
/// on it directly: why it is there.
fn dependents(root: &Path, features: &[&str], names: &[&str]) -> Result<Vec<(String, BTreeSet<String>)>, String> {
    let tree = cargo_tree(root, "depth", features)?;
    // Lines are `{depth}{name} v{version} …`; a line's parent is the last line one level up.
    let mut path: Vec<String> = Vec::new();
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in tree.lines() {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let (Ok(depth), Some(name)) = (line[..digits].parse::<usize>(), line[digits..].split_whitespace().next())
        else {
            continue;
        };
        path.truncate(depth);
        if let (Some(parent), true) = (path.last(), names.contains(&name)) {
            found.entry(name.to_string()).or_default().insert(parent.clone());
        }
        path.push(name.to_string());
    }
    Ok(found.into_iter().collect())
}

struct Graph {
    label: &'static str,
    what: &'static str,
    crates: BTreeSet<String>,
}

/// Temporary directory for the clean builds, removed when dropped (also on errors).
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("ec2-sg-footprint-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What one clean build cost.
struct Build {
    command: String,
    wall: Duration,
    /// User and system CPU seconds (GNU time).
    cpu: Option<(f64, f64)>,
    /// The largest single process's peak RSS, in KiB (GNU time).
    max_process_kb: Option<u64>,
    /// The largest sum of the RSS of every process of the build, sampled every 100 ms, in KiB.
    max_total_kb: Option<u64>,
    load_before: String,
    /// How many crates cargo compiled (its `Compiling` lines), the program or library itself
    /// not counted: what a user sees go by.
    crates_compiled: Option<usize>,
}

fn gnu_time() -> Option<PathBuf> {
    let time = PathBuf::from("/usr/bin/time");
    let works = Command::new(&time)
        .args(["-v", "true"])
        .stdout(Stdio::null())
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stderr).contains("Maximum resident set size"))
        .unwrap_or(false);
    works.then_some(time)
}

/// Runs a cargo command in a fresh `target_dir`, under GNU time when present, sampling the memory
/// of its process tree meanwhile.
fn measure_build(root: &Path, target_dir: &Path, args: &[&str]) -> Result<Build, String> {
    let _ = std::fs::remove_dir_all(target_dir);
    let time_report = target_dir.with_extension("time.txt");
    let time = gnu_time();
    let mut command = match &time {
        Some(time) => {
            let mut command = Command::new(time);
            command.arg("-v").arg("-o").arg(&time_report).arg(crate::cargo_program()).args(args);
            command
        }
        None => {
            let mut command = Command::new(crate::cargo_program());
            command.args(args);
            command
        }
    };
    let log_path = target_dir.with_extension("log");
    let log = std::fs::File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    command
        .current_dir(root)
        .stderr(log)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER");
    let load_before = load();
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("cannot run cargo: {e}"))?;
    let sampler = TreeSampler::start(child.id());
    let status = child.wait().map_err(|e| format!("waiting for cargo: {e}"))?;
    let wall = started.elapsed();
    let max_total_kb = sampler.finish();
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let _ = std::fs::remove_file(&log_path);
    if !status.success() {
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!("`cargo {}` failed in {}:\n{}", args.join(" "), root.display(), tail.join("\n")));
    }
    // Every crate compiled, less the one the command builds (counted as such by cargo too).
    let compiled = log.lines().filter(|line| line.trim_start().starts_with("Compiling ")).count();
    let crates_compiled = compiled.checked_sub(1);
    let report = std::fs::read_to_string(&time_report).unwrap_or_default();
    let _ = std::fs::remove_file(&time_report);
    let field = |name: &str| {
        report
            .lines()
            .find_map(|line| line.trim().strip_prefix(name)?.trim().strip_prefix(':')?.trim().parse::<f64>().ok())
    };
    let cpu = field("User time (seconds)").zip(field("System time (seconds)"));
    let max_process_kb = field("Maximum resident set size (kbytes)").map(|kb| kb as u64);
    Ok(Build {
        command: format!("cargo {}", args.join(" ")),
        wall,
        cpu,
        max_process_kb,
        max_total_kb,
        load_before,
        crates_compiled,
    })
}

/// Samples, every 100 ms, the summed resident memory of a process and all its descendants
/// (Linux /proc; nothing elsewhere). Shared pages are counted once per process, so this is an
/// upper bound of what the build needed at that moment.
struct TreeSampler {
    stop: Arc<AtomicBool>,
    peak_kb: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TreeSampler {
    fn start(root_pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kb = Arc::new(AtomicU64::new(0));
        let thread = Path::new("/proc/self/status").exists().then(|| {
            let (stop, peak_kb) = (stop.clone(), peak_kb.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak_kb.fetch_max(tree_rss_kb(root_pid), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        });
        Self { stop, peak_kb, thread }
    }

    fn finish(mut self) -> Option<u64> {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.take()?;
        thread.join().ok()?;
        Some(self.peak_kb.load(Ordering::Relaxed)).filter(|kb| *kb > 0)
    }
}

/// The summed VmRSS of `root` and its descendants, in KiB.
fn tree_rss_kb(root: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0 };
    let mut parents = BTreeMap::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // `pid (comm) state ppid …`; comm may contain spaces and parentheses.
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.insert(pid, ppid);
        }
    }
    let in_tree = |mut pid: u32| {
        for _ in 0..64 {
            if pid == root {
                return true;
            }
            match parents.get(&pid) {
                Some(&parent) if parent != 0 => pid = parent,
                _ => return false,
            }
        }
        false
    };
    parents
        .keys()
        .filter(|pid| in_tree(**pid))
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .sum()
}

/// The size of the example binary, as built and after `strip`.
struct Binary {
    bytes: u64,
    stripped: Option<u64>,
}

impl Binary {
    fn measure(path: &Path, scratch: &Path) -> Result<Self, String> {
        let bytes = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
        let copy = scratch.join(format!("stripped{}", std::env::consts::EXE_SUFFIX));
        let stripped = std::fs::copy(path, &copy)
            .ok()
            .and_then(|_| Command::new("strip").arg(&copy).status().ok())
            .filter(|status| status.success())
            .and_then(|_| std::fs::metadata(&copy).ok())
            .map(|m| m.len());
        Ok(Self { bytes, stripped })
    }
}

/// The three units that took longest, from cargo's `--timings` report (its embedded `UNIT_DATA`).
fn slowest_units(html: &Path) -> Vec<(String, f64)> {
    let Ok(text) = std::fs::read_to_string(html) else { return Vec::new() };
    let Some(start) = text.find("UNIT_DATA").and_then(|i| text[i..].find('[').map(|j| i + j)) else {
        return Vec::new();
    };
    let mut values = serde_json::Deserializer::from_str(&text[start..]).into_iter::<serde_json::Value>();
    let Some(Ok(serde_json::Value::Array(units))) = values.next() else { return Vec::new() };
    let mut units: Vec<(String, f64)> = units
        .iter()
        .filter_map(|unit| {
            let name = unit["name"].as_str()?;
            let version = unit["version"].as_str().unwrap_or_default();
            let target = unit["target"].as_str().unwrap_or_default().replace('"', "");
            let target = target.trim();
            let duration = unit["duration"].as_f64()?;
            let label =
                if target.is_empty() { format!("{name} {version}") } else { format!("{name} {version} ({target})") };
            Some((label, duration))
        })
        .collect();
    units.sort_by(|a, b| b.1.total_cmp(&a.1));
    units.truncate(3);
    units
}

/// Runs the overhead example in release with the blocking client; its standard output.
fn run_overhead(root: &Path) -> Result<String, String> {
    let args =
        ["run", "--release", "--locked", "--quiet", "-p", "ec2-sg", "--features", "blocking", "--example", "overhead"];
    let output = cargo_command(root, &args, &[])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!("`cargo {}` failed:\n{stdout}", args.join(" ")));
    }
    Ok(stdout)
}

// ---------------------------------------------------------------------------------------------
// The machine

struct Machine {
    date: String,
    commit: String,
    rustc: String,
    cargo: String,
    os: String,
    cpu: String,
    cpus: String,
    memory: String,
    load_before: String,
    settings: Vec<String>,
}

impl Machine {
    fn describe(root: &Path) -> Self {
        let commit = match command_output(root, "git", &["log", "-1", "--format=%h (%cs) %s"]) {
            Some(commit) => {
                let dirty = command_output(root, "git", &["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{commit}, with uncommitted changes")
                } else {
                    commit
                }
            }
            None => "unknown (not a git checkout?)".into(),
        };
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_kb = |key: &str| {
            meminfo.lines().find_map(|l| l.strip_prefix(key)?.split_whitespace().next()?.parse::<u64>().ok())
        };
        let memory = match (mem_kb("MemTotal:"), mem_kb("MemAvailable:")) {
            (Some(total), Some(available)) => {
                format!("{} total, {} available at the start", bytes(total * 1024), bytes(available * 1024))
            }
            (Some(total), None) => bytes(total * 1024),
            _ => "unknown".into(),
        };
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string()))
            .unwrap_or_else(|| "unknown".into());
        let cpus = command_output(root, "nproc", &[])
            .or_else(|| std::thread::available_parallelism().ok().map(|n| n.to_string()))
            .unwrap_or_else(|| "unknown".into());
        let settings = ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_JOBS", "CARGO_PROFILE_RELEASE_LTO"]
            .iter()
            .filter_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()).map(|v| format!("{name}={v}")))
            .collect();
        Self {
            date: utc_now(),
            commit,
            rustc: command_output(root, "rustc", &["-V"]).unwrap_or_else(|| "unknown".into()),
            cargo: command_output(root, &crate::cargo_program(), &["-V"]).unwrap_or_else(|| "unknown".into()),
            os: command_output(root, "uname", &["-srm"]).unwrap_or_else(|| std::env::consts::OS.into()),
            cpu,
            cpus,
            memory,
            load_before: load(),
            settings,
        }
    }
}

impl Machine {
    /// The host, for a measurement kept across runs: CPU, count, memory, OS.
    fn host(&self) -> String {
        let memory = self.memory.split(" total").next().unwrap_or(&self.memory);
        format!("{}, {} CPUs, {memory} memory, {}", self.cpu, self.cpus, self.os)
    }
}

fn command_output(dir: &Path, program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).current_dir(dir).stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// `uptime`'s line, or the load averages from /proc.
fn load() -> String {
    command_output(Path::new("."), "uptime", &[])
        .or_else(|| std::fs::read_to_string("/proc/loadavg").ok().map(|l| format!("load average {}", l.trim())))
        .unwrap_or_else(|| "unknown".into())
}

pub(crate) fn utc_now() -> String {
    let secs = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
}

// ---------------------------------------------------------------------------------------------
// The report

/// Sizes are given in decimal units (1 MB = 10^6 bytes), as the baseline is.
fn bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.1} GB", n / 1e9)
    } else {
        format!("{:.0} MB", n / 1e6)
    }
}

fn memory(kib: Option<u64>) -> String {
    kib.map(|kib| bytes(kib * 1024)).unwrap_or_else(|| "not measured".into())
}

fn megabytes(n: u64) -> String {
    format!("{:.1} MB", n as f64 / 1e6)
}

fn duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        format!("{} min {:02} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

fn ratio(baseline: f64, ours: f64) -> String {
    if ours > 0.0 {
        format!("≈{:.0}× less", baseline / ours)
    } else {
        String::new()
    }
}

struct Report {
    machine: Machine,
    load_after: String,
    graphs: Vec<Graph>,
    core_heavy: Vec<(String, BTreeSet<String>)>,
    /// The program on ec2-sg at cargo's default release profile.
    dependent: DependentBuild,
    /// The same at the workspace's tuned release profile.
    tuned: DependentBuild,
    tuned_profile: String,
    /// The same call on the HTTP stack alone.
    floor: DependentBuild,
    feature_rows: Vec<FeatureRow>,
    generated_total: usize,
    baseline: Option<Baseline>,
    core: Build,
    check: Build,
    overhead: String,
    elapsed: Duration,
}

fn crates(build: &Build) -> String {
    build.crates_compiled.map(|n| n.to_string()).unwrap_or_else(|| "not measured".into())
}

fn cpu(build: &Build) -> String {
    build.cpu.map(|(u, s)| duration(Duration::from_secs_f64(u + s))).unwrap_or_else(|| "not measured".into())
}

fn binary(binary: &Binary) -> String {
    let stripped = binary.stripped.map(|s| format!(" ({} stripped)", megabytes(s))).unwrap_or_default();
    format!("{}{stripped}", megabytes(binary.bytes))
}

impl Report {
    fn render(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let d = &self.dependent;
        let _ = writeln!(
            md,
            "# Footprint\n\n\
             What depending on `ec2-sg` costs: crates, clean build time and memory, binary size, and the SDK's own \
             time per call. Written by `cargo xtask footprint` ({}); do not edit by hand, run it again.\n",
            m.date
        );

        // Headline: the program as a dependent builds it, the floor, the baseline.
        md.push_str("## Headline\n\n");
        let _ = writeln!(
            md,
            "**A program depending on ec2-sg with default features compiles {} crates** besides itself \
             (cargo's `Compiling` lines in its clean build; the READMEs cite this number).\n",
            crates(&d.build)
        );
        md.push_str(
            "The program is a user's first one: list the security groups (client from the environment, \
             `DescribeSecurityGroups`, print each group), in a temporary crate outside the workspace that depends \
             on ec2-sg by path with the workspace's `Cargo.lock`, built with `cargo build --release` from clean. \
             \"Default profile\" is the release profile a dependent gets (opt-level 3, no LTO, 16 codegen units); \
             \"tuned\" adds this workspace's own `[profile.release]`, which a dependent may copy. The floor is the \
             same call on the HTTP stack ec2-sg bundles, alone (reqwest + rustls + tokio + aws-sigv4: the program \
             signs and sends the query itself and prints the XML), so the difference is what ec2-sg adds. \
             The program's source is in `xtask/src/footprint.rs`.\n\n",
        );
        md.push_str(
            "| the program on | profile | crates compiled | clean build, wall time | CPU time | peak memory, largest process | peak memory, all processes | binary |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        for (label, profile, build) in [
            ("ec2-sg (default features)", "default", &self.dependent),
            ("ec2-sg (default features)", "tuned", &self.tuned),
            ("the floor: reqwest + rustls + tokio + aws-sigv4", "default", &self.floor),
        ] {
            let _ = writeln!(
                md,
                "| {label} | {profile} | {} | {} | {} | {} | {} | {} |",
                crates(&build.build),
                duration(build.build.wall),
                cpu(&build.build),
                memory(build.build.max_process_kb),
                memory(build.build.max_total_kb),
                binary(&build.binary)
            );
        }
        match &self.baseline {
            Some(b) => {
                let _ = writeln!(
                    md,
                    "| aws-sdk-ec2 + aws-config (baseline, {}) | default | {} | {} | {} | {} | {} | {}{} |",
                    b.date,
                    b.crates.map(|n| n.to_string()).unwrap_or_else(|| "not measured".into()),
                    duration(Duration::from_secs_f64(b.wall_secs)),
                    b.cpu_secs.map(|s| duration(Duration::from_secs_f64(s))).unwrap_or_else(|| "not measured".into()),
                    memory(b.max_process_kb),
                    memory(b.max_total_kb),
                    megabytes(b.binary_bytes),
                    b.stripped_bytes.map(|s| format!(" ({} stripped)", megabytes(s))).unwrap_or_default()
                );
            }
            None => md.push_str("| aws-sdk-ec2 + aws-config (baseline) | default | not measured yet: run `cargo xtask footprint --baseline` | | | | | |\n"),
        }
        md.push('\n');
        let over_floor_build = d.build.wall.as_secs_f64() - self.floor.build.wall.as_secs_f64();
        let over_floor_binary = d.binary.bytes as f64 - self.floor.binary.bytes as f64;
        let cpu_secs = |build: &Build| build.cpu.map(|(user, system)| user + system);
        let over_floor_cpu = match (cpu_secs(&d.build), cpu_secs(&self.floor.build)) {
            (Some(ours), Some(floor)) => {
                format!(" ({:+.0} s of CPU time, which the machine's other work sways less)", ours - floor)
            }
            _ => String::new(),
        };
        let _ = writeln!(
            md,
            "What ec2-sg adds over the floor (default profile): {:+.0} s of clean build wall time{over_floor_cpu}, \
             {:+.1} MB of binary, {:+} crates.\n",
            over_floor_build,
            over_floor_binary / 1e6,
            d.build.crates_compiled.unwrap_or_default() as i64
                - self.floor.build.crates_compiled.unwrap_or_default() as i64
        );
        match &self.baseline {
            Some(b) => {
                let peak = d.build.max_total_kb.max(d.build.max_process_kb);
                let baseline_peak = b.max_total_kb.max(b.max_process_kb);
                let _ = writeln!(
                    md,
                    "Against the baseline, at the default profile: build {}, binary {}, peak memory {}. The baseline \
                     was measured by `cargo xtask footprint --baseline` on {} ({}; {}), with {}; load before \
                     `{}`, after `{}`. It is kept in `{BASELINE_FILE}` and not rebuilt by a default run: compare \
                     it with the rows above only when the hosts match.\n",
                    ratio(b.wall_secs, d.build.wall.as_secs_f64()),
                    ratio(b.binary_bytes as f64, d.binary.bytes as f64),
                    match (peak, baseline_peak) {
                        (Some(ours), Some(theirs)) => ratio(theirs as f64, ours as f64),
                        _ => "not measured".into(),
                    },
                    b.date,
                    b.host,
                    b.toolchain,
                    b.versions.join(", "),
                    b.load_before,
                    b.load_after
                );
            }
            None => md.push_str(
                "No baseline has been measured on this machine yet (`cargo xtask footprint --baseline` builds the \
                 same program with aws-sdk-ec2 + aws-config and records it in `docs/footprint-baseline.json`).\n\n",
            ),
        }
        let _ = writeln!(
            md,
            "The tuned profile, as the workspace's Cargo.toml has it:\n\n```toml\n{}```\n",
            self.tuned_profile
        );
        let _ = writeln!(
            md,
            "Clean `cargo check -p ec2-sg` (dev, what an IDE waits for): {}.\n",
            duration(self.check.wall)
        );

        // A row per cargo feature.
        md.push_str(
            "## A row per cargo feature\n\n\
             Each of ec2-sg's features (from `ec2-sg/Cargo.toml`): the lines of generated code \
             (`ec2-sg/src/generated/`) compiled only with it (items under a `#[cfg(...)]` naming it, modules \
             gated whole), and the program above built from clean at the default profile with default features \
             plus that one. A feature the default features already enable has the default row's numbers.\n\n\
             | feature | generated lines | clean build, wall time | CPU time | binary | crates compiled | what it gives |\n\
             | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        let _ = writeln!(
            md,
            "| (default features) | {} in all | {} | {} | {} | {} | |",
            self.generated_total,
            duration(d.build.wall),
            cpu(&d.build),
            binary(&d.binary),
            crates(&d.build)
        );
        for row in &self.feature_rows {
            let lines = if row.lines == 0 { "—".to_string() } else { format!("+{}", row.lines) };
            let what = row.feature.what.replace('|', "\\|");
            match &row.build {
                Some(Err(error)) => {
                    let error = error.replace('|', "\\|");
                    let _ = writeln!(md, "| `{}` | {lines} | build failed: {error} | | | | {what} |", row.feature.name);
                }
                Some(Ok(build)) => {
                    let _ = writeln!(
                        md,
                        "| `{}` | {lines} | {} | {} | {} | {} | {what} |",
                        row.feature.name,
                        duration(build.build.wall),
                        cpu(&build.build),
                        binary(&build.binary),
                        crates(&build.build)
                    );
                }
                None => {
                    let _ = writeln!(
                        md,
                        "| `{}` | {lines} | in default | in default | in default | in default | {what} |",
                        row.feature.name
                    );
                }
            }
        }
        md.push('\n');

        // Machine.
        md.push_str("## Where and when\n\n| | |\n| --- | --- |\n");
        let rows = [
            ("date", m.date.clone()),
            ("commit", m.commit.clone()),
            ("toolchain", format!("{}; {}", m.rustc, m.cargo)),
            ("OS", m.os.clone()),
            ("CPU", m.cpu.clone()),
            ("CPUs (`nproc`)", m.cpus.clone()),
            ("memory", m.memory.clone()),
            ("load at the start (`uptime`)", m.load_before.clone()),
            ("load at the end", self.load_after.clone()),
            ("measuring took", duration(self.elapsed)),
        ];
        for (key, value) in rows {
            let _ = writeln!(md, "| {key} | {} |", value.replace('|', "\\|"));
        }
        if !m.settings.is_empty() {
            let _ = writeln!(md, "| build settings from the environment | {} |", m.settings.join(", "));
        }
        md.push('\n');

        // Dependency graphs.
        md.push_str(
            "## What each feature costs: the dependency graph\n\n\
             Unique crate names in `cargo tree -p ec2-sg -e normal --prefix none` (ec2-sg itself not counted), \
             compared with the default features:\n\n\
             | features | crates | vs default | what you get |\n| --- | --- | --- | --- |\n",
        );
        let default = self.graphs.first().map(|g| g.crates.clone()).unwrap_or_default();
        let mut changes = String::new();
        for graph in &self.graphs {
            let added: Vec<&str> = graph.crates.difference(&default).map(String::as_str).collect();
            let removed: Vec<&str> = default.difference(&graph.crates).map(String::as_str).collect();
            let delta = graph.crates.len() as i64 - default.len() as i64;
            let delta = if delta == 0 && added.is_empty() { "—".to_string() } else { format!("{delta:+}") };
            let _ = writeln!(md, "| {} | {} | {delta} | {} |", graph.label, graph.crates.len(), graph.what);
            if !added.is_empty() || !removed.is_empty() {
                let _ = write!(changes, "- {}:", graph.label);
                if !added.is_empty() {
                    let _ = write!(changes, " adds {}", added.join(", "));
                }
                if !removed.is_empty() {
                    let sep = if added.is_empty() { "" } else { ";" };
                    let _ = write!(changes, "{sep} drops {} crates: {}", removed.len(), removed.join(", "));
                }
                changes.push('\n');
            }
        }
        if !changes.is_empty() {
            let _ = writeln!(md, "\nThe differences, crate by crate:\n\n{changes}");
        }
        let core: Vec<&str> = self
            .graphs
            .iter()
            .find(|g| g.label == "no default features")
            .map(|g| g.crates.iter().map(String::as_str).collect())
            .unwrap_or_default();
        if !core.is_empty() {
            let _ = writeln!(
                md,
                "The core (no default features: query writer, XML decoder, SigV4 via aws-sigv4, credentials, \
                 retries, tracing spans) is these {} crates: {}.\n",
                core.len(),
                core.join(", ")
            );
        }
        if !self.core_heavy.is_empty() {
            let list: Vec<String> = self
                .core_heavy
                .iter()
                .map(|(name, by)| format!("`{name}` (needed by {})", by.iter().cloned().collect::<Vec<_>>().join(", ")))
                .collect();
            let _ = writeln!(
                md,
                "Heavier crates that stay even without default features, and the crates that bring them: {}.\n",
                list.join("; ")
            );
        }

        // Builds.
        md.push_str(
            "## Clean builds\n\n\
             Each in a fresh temporary `CARGO_TARGET_DIR` (removed afterwards), dependencies already downloaded \
             (`cargo fetch` first, not timed), no compiler wrapper. Peak memory: the largest single process \
             (GNU time's maximum resident set size, usually rustc on ec2-sg or the link) and the sum over every \
             process of the build at its worst moment (sampled from /proc every 100 ms; shared pages counted once \
             per process). CPU time is user + system over all processes. Besides the program's builds above:\n\n\
             | build | wall time | CPU time | peak memory, largest process | peak memory, all processes |\n\
             | --- | --- | --- | --- | --- |\n",
        );
        for (label, build) in [
            ("release (workspace profile): the library, no default features", &self.core),
            ("dev: `cargo check -p ec2-sg` (default features)", &self.check),
        ] {
            let _ = writeln!(
                md,
                "| {label}<br>`{}` | {} | {} | {} | {} |",
                build.command,
                duration(build.wall),
                cpu(build),
                memory(build.max_process_kb),
                memory(build.max_total_kb)
            );
        }
        md.push('\n');
        for (label, build) in [
            ("program (default profile)", &self.dependent.build),
            ("program (tuned profile)", &self.tuned.build),
            ("floor", &self.floor.build),
            ("core", &self.core),
            ("check", &self.check),
        ] {
            let _ = writeln!(md, "Load before the {label} build: `{}`  ", build.load_before);
        }
        md.push_str(
            "(Load averages trail by minutes: after the first build they mostly show this command's own builds.)\n\n",
        );
        if self.dependent.slowest.is_empty() {
            md.push_str("Slowest crates: not available (no `--timings` report could be read).\n\n");
        } else {
            md.push_str(
                "Slowest units of the program's build at the default profile (`cargo build --timings`; they overlap \
                 in time):\n\n",
            );
            for (unit, secs) in &self.dependent.slowest {
                let _ = writeln!(md, "- {unit}: {secs:.1} s");
            }
            md.push('\n');
        }

        // Overhead.
        md.push_str(
            "## The SDK's own time per call\n\n\
             `cargo run --release -p ec2-sg --features blocking --example overhead` (`ec2-sg/examples/overhead.rs`): \
             std::time over bounded loops, on one thread, nothing asserted. A stub HTTP server in the same process \
             stands in for EC2, because moto spends about 3 ms per request and closes every connection, capping any \
             client near 300 calls/s.\n\n",
        );
        md.push_str(self.overhead.trim_end());
        md.push_str(
            "\n\nReading the rows: the in-memory calls are what the SDK itself adds to a call (request, signature, \
             retry bookkeeping, spans, decoding); the loopback calls add the bundled transport (reqwest, hyper, \
             tokio) and the kernel; the raw round trip is the floor of that exchange. A call to EC2 adds a network \
             round trip and the service's own time, milliseconds, next to which both are small. Decoding grows with \
             the size of the answer: a page of 1000 groups is the row to watch.\n\n",
        );

        // Reproducing.
        md.push_str(
            "## Reproducing\n\n\
             ```sh\n\
             cargo xtask footprint                  # writes docs/FOOTPRINT.md and prints it\n\
             cargo xtask footprint --out /tmp/f.md  # somewhere else\n\
             nice -n 10 cargo xtask footprint --baseline  # aws-sdk-ec2 + aws-config, into docs/footprint-baseline.json\n\
             ```\n\n\
             It needs cargo and, for peak memory, GNU time at `/usr/bin/time` (`apt-get install time`) and Linux's \
             /proc; without them those cells say \"not measured\". It takes half an hour or more on two cores (see \
             \"measuring took\" above), most of it the clean build per feature: keep other work off the machine (the load is recorded above). Single measurements on a shared machine vary by some percent; \
             compare runs on the same machine. Nothing here is a test: speed and size goals are shown by this \
             report, never asserted.\n",
        );
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_read_with_what_default_enables() {
        let manifest = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"rustls\"]\n\
                        # The bundled client.\n# With rustls.\nrustls = [\"client\", \"reqwest/rustls\"]\n\
                        client = [\"dep:reqwest\"]\n# Sync.\nblocking = [\"reqwest?/blocking\"]\nvpcs = []\n\n\
                        [dependencies]\nfoo = \"1\"\n";
        let features = cargo_features(manifest);
        let summary: Vec<(&str, bool, &str)> =
            features.iter().map(|f| (f.name.as_str(), f.in_default, f.what.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("rustls", true, "The bundled client. With rustls."),
                ("client", true, ""),
                ("blocking", false, "Sync."),
                ("vpcs", false, "")
            ]
        );
        // The real manifest: every feature but `default` gets a row.
        let real = std::fs::read_to_string(crate::workspace_root().join("ec2-sg/Cargo.toml")).unwrap();
        let names: Vec<String> = cargo_features(&real).into_iter().map(|f| f.name).collect();
        assert!(names.contains(&"blocking".to_string()) && !names.contains(&"default".to_string()), "{names:?}");
    }

    #[test]
    fn gated_lines_count_items_and_modules_under_a_cfg_naming_the_feature() {
        let text = "use x;\n\
                    #[cfg(feature = \"vpcs\")]\n\
                    pub fn describe_vpcs() {\n    body();\n}\n\
                    #[cfg(any(feature = \"vpcs\", feature = \"instances\"))]\n\
                    #[derive(Debug)]\n\
                    pub struct Shared {\n    a: u8,\n}\n\
                    #[cfg(feature = \"vpcs\")]\n\
                    pub mod vpc_types;\n\
                    #[cfg_attr(docsrs, doc(cfg(feature = \"vpcs\")))]\n\
                    pub fn always() {}\n\
                    #[cfg(feature = \"vpcs\")]\n\
                    pub use a::b;\n";
        let (lines, modules) = gated_lines(text, "vpcs");
        // 4 (fn) + 5 (struct with two attributes) + 2 (mod) + 2 (use).
        assert_eq!((lines, modules), (13, vec!["vpc_types".to_string()]));
        assert_eq!(gated_lines(text, "instances"), (5, Vec::new()));
        assert_eq!(gated_lines(text, "blocking"), (0, Vec::new()));
        let whole = "//! doc\n#![cfg(feature = \"vpcs\")]\nfn a() {}\n";
        assert_eq!(gated_lines(whole, "vpcs").0, 3);

        let dir = std::env::temp_dir().join(format!("ec2-sg-footprint-gated-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("mod.rs"), "#[cfg(feature = \"vpcs\")]\npub mod vpc_types;\npub mod other;\n").unwrap();
        std::fs::write(dir.join("vpc_types.rs"), "a\nb\nc\n").unwrap();
        std::fs::write(dir.join("other.rs"), "x\n").unwrap();
        let counted = GeneratedLines::count(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(counted.total, 7);
        // The declaration (2 lines) and the module's file (3 lines).
        assert_eq!(counted.gated("vpcs"), 5);
    }

    #[test]
    fn the_tuned_profile_is_the_workspace_table_without_comments() {
        let profile = release_profile(&crate::workspace_root()).unwrap();
        assert!(profile.starts_with("[profile.release]\n"), "{profile}");
        assert!(profile.contains("lto = ") && !profile.contains('#'), "{profile}");
        assert!(!profile.contains("[profile.decode-bench]") && !profile.contains("inherits"), "{profile}");
    }

    #[test]
    fn direct_dependency_versions_come_from_the_lock_file() {
        let manifest = "[package]\nname = \"p\"\n\n[dependencies]\naws-config = \"1\"\ntokio = { version = \"1\" }\n\n[workspace]\n";
        let lock = "[[package]]\nname = \"aws-config\"\nversion = \"1.8.0\"\n\n[[package]]\nname = \"aws-types\"\n\
                    version = \"1.3.0\"\n\n[[package]]\nname = \"tokio\"\nversion = \"1.47.1\"\n";
        assert_eq!(direct_versions(lock, manifest), ["aws-config 1.8.0", "tokio 1.47.1"]);
    }

    fn build(secs: u64, crates: usize) -> Build {
        Build {
            command: "cargo build --release".into(),
            wall: Duration::from_secs(secs),
            cpu: Some((secs as f64 * 2.0, 0.0)),
            max_process_kb: Some(400_000),
            max_total_kb: Some(700_000),
            load_before: "load average: 1.00".into(),
            crates_compiled: Some(crates),
        }
    }

    fn program(secs: u64, crates: usize, bytes: u64) -> DependentBuild {
        DependentBuild {
            build: build(secs, crates),
            binary: Binary { bytes, stripped: Some(bytes / 2) },
            slowest: vec![("ec2-sg 0.1.0".into(), 20.0)],
            versions: Vec::new(),
        }
    }

    fn report(baseline: Option<Baseline>) -> String {
        let feature =
            |name: &str, in_default: bool| Feature { name: name.into(), in_default, what: format!("{name} things") };
        Report {
            machine: Machine {
                date: "2026-12-05 23:30 UTC".into(),
                commit: "abc".into(),
                rustc: "rustc 1.95.0".into(),
                cargo: "cargo 1.95.0".into(),
                os: "Linux".into(),
                cpu: "AMD EPYC".into(),
                cpus: "2".into(),
                memory: "25.3 GB total".into(),
                load_before: "load average: 0.5".into(),
                settings: Vec::new(),
            },
            load_after: "load average: 2.0".into(),
            graphs: Vec::new(),
            core_heavy: Vec::new(),
            dependent: program(123, 125, 6_400_000),
            tuned: program(90, 125, 4_800_000),
            tuned_profile: "[profile.release]\nlto = \"thin\"\n".into(),
            floor: program(80, 100, 4_000_000),
            feature_rows: vec![
                FeatureRow { feature: feature("rustls", true), lines: 0, build: None },
                FeatureRow {
                    feature: feature("vpcs", false),
                    lines: 1234,
                    build: Some(Ok(program(130, 125, 6_600_000))),
                },
                FeatureRow { feature: feature("native-tls", false), lines: 0, build: Some(Err("no openssl".into())) },
            ],
            generated_total: 29131,
            baseline,
            core: build(30, 56),
            check: build(44, 118),
            overhead: "| overhead |".into(),
            elapsed: Duration::from_secs(1500),
        }
        .render()
    }

    #[test]
    fn the_report_has_the_crate_count_both_profiles_the_floor_the_baseline_and_a_row_per_feature() {
        let baseline = Baseline::parse(&sample_baseline().to_json()).unwrap();
        let md = report(Some(baseline));
        assert!(md.contains("compiles 125 crates"), "{md}");
        assert!(md.contains("| ec2-sg (default features) | default | 125 | 2 min 03 s |"), "{md}");
        assert!(md.contains("| ec2-sg (default features) | tuned | 125 | 1 min 30 s |"), "{md}");
        assert!(
            md.contains("| the floor: reqwest + rustls + tokio + aws-sigv4 | default | 100 | 1 min 20 s |"),
            "{md}"
        );
        assert!(
            md.contains("| aws-sdk-ec2 + aws-config (baseline, 2026-12-05 23:00 UTC) | default | 190 | 10 min 50 s |"),
            "{md}"
        );
        assert!(md.contains("AMD EPYC, 2 CPUs"), "{md}");
        assert!(
            md.contains(
                "What ec2-sg adds over the floor (default profile): +43 s of clean build wall time (+86 s of CPU time, \
                 which the machine's other work sways less), +2.4 MB of binary, +25 crates."
            ),
            "{md}"
        );
        assert!(md.contains("| (default features) | 29131 in all | 2 min 03 s |"), "{md}");
        assert!(md.contains("| `rustls` | — | in default |"), "{md}");
        assert!(md.contains("| `vpcs` | +1234 | 2 min 10 s |"), "{md}");
        assert!(md.contains("| `native-tls` | — | build failed: no openssl |"), "{md}");
        let without = report(None);
        assert!(without.contains("not measured yet: run `cargo xtask footprint --baseline`"), "{without}");
    }

    fn sample_baseline() -> Baseline {
        Baseline {
            date: "2026-12-05 23:00 UTC".into(),
            host: "AMD EPYC, 2 CPUs, 25.3 GB memory, Linux".into(),
            toolchain: "rustc 1.95.0".into(),
            load_before: "load average: 1.0".into(),
            load_after: "load average: 2.0".into(),
            versions: vec!["aws-config 1.8.0".into(), "aws-sdk-ec2 1.200.0".into()],
            wall_secs: 650.5,
            cpu_secs: Some(1100.0),
            max_process_kb: Some(7_000_000),
            max_total_kb: None,
            binary_bytes: 16_800_000,
            stripped_bytes: Some(12_000_000),
            crates: Some(190),
        }
    }

    #[test]
    fn a_recorded_baseline_reads_back() {
        let baseline = sample_baseline();
        assert_eq!(Baseline::parse(&baseline.to_json()).unwrap(), baseline);
        assert!(Baseline::parse("{\"date\": \"x\"}").is_err());
    }
}
