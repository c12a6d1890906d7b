//! `cargo xtask footprint [--out FILE]`: measures what depending on ec2-sg costs and writes the
//! report (docs/FOOTPRINT.md by default), printing it too.
//!
//! - the crates in ec2-sg's dependency graph for each feature set (`cargo tree -e normal`);
//! - clean builds in fresh temporary target directories (removed afterwards): the release build of
//!   `ec2-sg/examples/security_group_walkthrough.rs` (wall time, CPU time, peak memory, binary size,
//!   the slowest crates from `--timings`), the release build of the library with no default
//!   features, and `cargo check -p ec2-sg` (what an IDE user waits for);
//! - the SDK's own per-call overhead (`ec2-sg/examples/overhead.rs`, run in release);
//! - the toolchain, machine, load, date and commit, so that the numbers can be traced.
//!
//! Peak memory comes from GNU time (`/usr/bin/time -v`: the largest single process of the build)
//! and, on Linux, from sampling /proc (the sum over every process of the build at the worst
//! moment). Without them the report says "not measured". Nothing here asserts a speed: the report
//! is the result. It takes a few minutes and is not part of `cargo xtask test`.
//!
//! Only std and cargo are used: the command works whether or not ec2-sg compiles into xtask (it
//! is built by the cargo commands it runs, like any user's build).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

const USAGE: &str = "usage: cargo xtask footprint [--out FILE]

Measures ec2-sg's footprint (dependency graph per feature set, clean build time, peak memory,
binary size, per-call overhead) and writes the report to FILE (default docs/FOOTPRINT.md).
Takes a few minutes; keep other work off the machine while it runs.";

/// The baseline the project compares itself with (from the project brief, measured on the same
/// kind of machine): aws-sdk-ec2 + aws-config, clean release build of a program using them.
const BASELINE_BUILD: Duration = Duration::from_secs(13 * 60);
const BASELINE_PEAK_MEMORY_BYTES: u64 = 8_000_000_000;
const BASELINE_BINARY_BYTES: u64 = 17_000_000;

/// The example program whose clean build is measured.
const EXAMPLE: &str = "security_group_walkthrough";

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
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => {
                let value = args.next().ok_or_else(|| format!("--out needs a file\n\n{USAGE}"))?;
                out = std::env::current_dir().map(|d| d.join(value)).unwrap_or_else(|_| PathBuf::from(value));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
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
    eprintln!("==> clean release build of the {EXAMPLE} example (in {})", scratch.0.display());
    let release_dir = scratch.0.join("release");
    let release = measure_build(
        &root,
        &release_dir,
        &["build", "--release", "--locked", "-p", "ec2-sg", "--example", EXAMPLE, "--timings"],
    )?;
    let binary = release_dir.join("release/examples").join(format!("{EXAMPLE}{}", std::env::consts::EXE_SUFFIX));
    let binary = Binary::measure(&binary, &scratch.0)?;
    let slowest = slowest_units(&release_dir.join("cargo-timings/cargo-timing.html"));
    let _ = std::fs::remove_dir_all(&release_dir);

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

    let report = Report {
        machine,
        load_after,
        graphs,
        core_heavy,
        release,
        binary,
        slowest,
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
    command
        .current_dir(root)
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
    if !status.success() {
        return Err(format!("`cargo {}` failed", args.join(" ")));
    }
    let report = std::fs::read_to_string(&time_report).unwrap_or_default();
    let _ = std::fs::remove_file(&time_report);
    let field = |name: &str| {
        report
            .lines()
            .find_map(|line| line.trim().strip_prefix(name)?.trim().strip_prefix(':')?.trim().parse::<f64>().ok())
    };
    let cpu = field("User time (seconds)").zip(field("System time (seconds)"));
    let max_process_kb = field("Maximum resident set size (kbytes)").map(|kb| kb as u64);
    Ok(Build { command: format!("cargo {}", args.join(" ")), wall, cpu, max_process_kb, max_total_kb, load_before })
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
    release: Build,
    binary: Binary,
    slowest: Vec<(String, f64)>,
    core: Build,
    check: Build,
    overhead: String,
    elapsed: Duration,
}

impl Report {
    fn render(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let default_crates = self.graphs.first().map(|g| g.crates.len()).unwrap_or_default();
        let peak = self.release.max_total_kb.max(self.release.max_process_kb);
        let _ = writeln!(
            md,
            "# Footprint\n\n\
             What depending on `ec2-sg` costs: crates, clean build time and memory, binary size, and the SDK's own \
             time per call. Written by `cargo xtask footprint` ({}); do not edit by hand, run it again.\n",
            m.date
        );

        // Headline and baseline.
        md.push_str("## Headline\n\n");
        md.push_str(
            "A program using the async client with default features (`ec2-sg/examples/security_group_walkthrough.rs`), \
             clean release build (workspace release profile: `opt-level = \"s\"`, thin LTO, one codegen unit, \
             debuginfo stripped), against the project's baseline for the same job with aws-sdk-ec2 + aws-config:\n\n",
        );
        md.push_str("| | ec2-sg | aws-sdk-ec2 + aws-config | |\n| --- | --- | --- | --- |\n");
        let _ = writeln!(
            md,
            "| clean release build, wall time | {} | {} | {} |",
            duration(self.release.wall),
            duration(BASELINE_BUILD),
            ratio(BASELINE_BUILD.as_secs_f64(), self.release.wall.as_secs_f64())
        );
        let _ = writeln!(
            md,
            "| peak memory of that build | {} (largest process); {} (all processes at once) | {} | {} |",
            memory(self.release.max_process_kb),
            memory(self.release.max_total_kb),
            bytes(BASELINE_PEAK_MEMORY_BYTES),
            peak.map(|kib| ratio(BASELINE_PEAK_MEMORY_BYTES as f64, (kib * 1024) as f64)).unwrap_or_default()
        );
        let _ = writeln!(
            md,
            "| binary size | {}{} | {} | {} |",
            megabytes(self.binary.bytes),
            self.binary.stripped.map(|s| format!(" ({} after `strip`)", megabytes(s))).unwrap_or_default(),
            bytes(BASELINE_BINARY_BYTES),
            ratio(BASELINE_BINARY_BYTES as f64, self.binary.bytes as f64)
        );
        let _ = writeln!(md, "| crates in the dependency graph (normal, default features) | {default_crates} | | |");
        let _ = writeln!(
            md,
            "| clean `cargo check -p ec2-sg` (dev, what an IDE waits for) | {} | | |\n",
            duration(self.check.wall)
        );
        md.push_str(
            "The baseline is quoted from the project brief (\"aws-sdk-ec2 + aws-config take 13 min and 8 GB of \
             memory to build from clean and give a 17 MB binary\", measured on the same kind of machine); this \
             command does not rebuild it. The ratios assume the baseline's memory figure is comparable to the \
             larger of the two peaks measured here.\n\n",
        );

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
             (GNU time's maximum resident set size, usually rustc on ec2-sg or the LTO link) and the sum over every \
             process of the build at its worst moment (sampled from /proc every 100 ms; shared pages counted once \
             per process). CPU time is user + system over all processes.\n\n\
             | build | wall time | CPU time | peak memory, largest process | peak memory, all processes |\n\
             | --- | --- | --- | --- | --- |\n",
        );
        for (label, build) in [
            ("release: the example program (default features)", &self.release),
            ("release: the library, no default features", &self.core),
            ("dev: `cargo check -p ec2-sg` (default features)", &self.check),
        ] {
            let cpu = build.cpu.map(|(u, s)| duration(Duration::from_secs_f64(u + s))).unwrap_or("not measured".into());
            let _ = writeln!(
                md,
                "| {label}<br>`{}` | {} | {cpu} | {} | {} |",
                build.command,
                duration(build.wall),
                memory(build.max_process_kb),
                memory(build.max_total_kb)
            );
        }
        md.push('\n');
        for (label, build) in [("release", &self.release), ("core", &self.core), ("check", &self.check)] {
            let _ = writeln!(md, "Load before the {label} build: `{}`  ", build.load_before);
        }
        md.push_str(
            "(Load averages trail by minutes: after the first build they mostly show this command's own builds.)\n\n",
        );
        let _ = writeln!(
            md,
            "Binary: `target/release/examples/{EXAMPLE}`, {} bytes ({}){}.\n",
            self.binary.bytes,
            megabytes(self.binary.bytes),
            self.binary
                .stripped
                .map(|s| format!(
                    "; after `strip` (which also drops the symbol table the profile keeps) {s} bytes ({})",
                    megabytes(s)
                ))
                .unwrap_or_else(|| "; `strip` not available".into())
        );
        if self.slowest.is_empty() {
            md.push_str("Slowest crates: not available (no `--timings` report could be read).\n\n");
        } else {
            md.push_str("Slowest units of the release build (`cargo build --timings`; they overlap in time):\n\n");
            for (unit, secs) in &self.slowest {
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
             ```\n\n\
             It needs cargo and, for peak memory, GNU time at `/usr/bin/time` (`apt-get install time`) and Linux's \
             /proc; without them those cells say \"not measured\". It takes a few minutes: keep other work off the \
             machine (the load is recorded above). Single measurements on a shared machine vary by some percent; \
             compare runs on the same machine. Nothing here is a test: speed and size goals are shown by this \
             report, never asserted.\n",
        );
        md
    }
}
