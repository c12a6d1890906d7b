//! `cargo xtask bench [--out FILE]`: how fast large DescribeSecurityGroups pages decode, beside a
//! raw quick-xml scan of the same bytes, in one run on this machine. Each row runs
//! `ec2-sg/examples/decode_bench.rs` (release) in a process of its own per way of reading, so
//! that its peak memory is that row's: the scan (the reference), the decoder alone, and whole
//! calls through the async client to a keep-alive stub on 127.0.0.1. Medians of up to 25 runs.
//! Nothing is asserted: the report is the result (docs/DECODE_BENCH.md by default).

use std::fmt::Write as _;
use std::process::Command;

/// (groups, ingress rules per group) of each row.
const SIZES: [(usize, usize); 4] = [(1, 25), (100, 25), (1000, 25), (2000, 25)];
const MODES: [&str; 3] = ["scan", "decode", "client"];

struct Row {
    bytes: u64,
    median_ms: f64,
    drop_median_ms: f64,
    mb_per_s: f64,
    peak_rss_kb: u64,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let root = crate::workspace_root();
    let out = match args {
        [] => root.join("docs/DECODE_BENCH.md"),
        [flag, path] if flag == "--out" => std::path::PathBuf::from(path),
        _ => return Err("usage: cargo xtask bench [--out FILE]".into()),
    };
    let build = ["build", "--profile", "decode-bench", "--locked", "-q", "-p", "ec2-sg", "--example", "decode_bench"];
    let status = crate::cargo().args(build).status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("could not build the decode_bench example".into());
    }
    let binary = root.join("target/decode-bench/examples/decode_bench");
    let mut table = String::from(
        "| page | raw quick-xml scan | ec2-sg decoder | decoder ÷ scan | async client call (loopback) | call ÷ scan | dropping the output | peak RSS: scan / decoder / client |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for (groups, rules) in SIZES {
        let mut rows = Vec::new();
        for mode in MODES {
            println!("==> {groups} group(s) × {rules} rules, {mode}");
            rows.push(measure(&binary, groups, rules, mode)?);
        }
        let [scan, decode, client] = &rows[..] else { unreachable!("three modes") };
        writeln!(
            table,
            "| {groups} × {rules} rules ({}) | {:.2} ms ({:.0} MB/s) | {:.2} ms ({:.0} MB/s) | {:.1}× | {:.2} ms | {:.1}× | {:.2} ms | {} / {} / {} |",
            size(scan.bytes),
            scan.median_ms,
            scan.mb_per_s,
            decode.median_ms,
            decode.mb_per_s,
            decode.median_ms / scan.median_ms,
            client.median_ms,
            client.median_ms / scan.median_ms,
            client.drop_median_ms,
            size(scan.peak_rss_kb * 1024),
            size(decode.peak_rss_kb * 1024),
            size(client.peak_rss_kb * 1024),
        )
        .ok();
    }
    let report = format!(
        "# Decoding large pages\n\n\
         Written by `cargo xtask bench` ({}); do not edit by hand, run it again.\n\n\
         DescribeSecurityGroups pages of N groups, each with 25 TCP ingress rules (one CIDR, a description), one \
         egress rule and one tag (`ec2-sg/examples/decode_bench.rs`), read three ways, each in a process of its \
         own, built with opt-level 3 (profile `decode-bench`: how a user's release build compiles ec2-sg), medians of \
         up to 25 runs after one warm-up:\n\n{table}\n\
         - raw scan: quick-xml 0.38's event loop over the bytes, no decoding: what the bytes cost at least;\n\
         - decoder: `parse_response::<DescribeSecurityGroups>` on the bytes in memory;\n\
         - the decoder and client columns time the call until its output is returned; dropping that output \
         (freeing every string and list of the page) is timed on its own, in the next column, as criterion's \
         `iter_with_large_drop` does;\n\
         - client call: `describe_security_groups().send()` through reqwest to a keep-alive stub on 127.0.0.1 \
         in a process of its own: the client column's memory is the client's alone.\n\n\
         Machine: {}, {} CPUs. Single measurements on a shared machine vary by some percent.\n",
        crate::footprint::utc_now(),
        cpu_model(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    );
    print!("{report}");
    std::fs::write(&out, report).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}

fn measure(binary: &std::path::Path, groups: usize, rules: usize, mode: &str) -> Result<Row, String> {
    let output = Command::new(binary)
        .args([groups.to_string(), rules.to_string(), mode.to_string()])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    if !output.status.success() {
        return Err(format!(
            "decode_bench {groups} {rules} {mode} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value =
        serde_json::from_str(line.trim()).map_err(|e| format!("decode_bench printed {line:?}: {e}"))?;
    let number = |key: &str| json[key].as_f64().ok_or_else(|| format!("decode_bench printed no {key}: {line}"));
    Ok(Row {
        bytes: number("bytes")? as u64,
        median_ms: number("median_ms")?,
        drop_median_ms: number("drop_median_ms")?,
        mb_per_s: number("mb_per_s")?,
        peak_rss_kb: number("peak_rss_kb")? as u64,
    })
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1 << 10 => format!("{:.0} KB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}
