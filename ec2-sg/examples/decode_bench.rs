//! One row of `cargo xtask bench`: a DescribeSecurityGroups page of GROUPS groups with RULES
//! ingress rules (plus one egress rule and one tag) each, generated deterministically, and one
//! way of reading it, measured in this process so that its peak memory is that row's alone:
//!
//! - `scan`: quick-xml's raw event scan of the bytes (no decoding): the reference;
//! - `decode`: `parse_response::<DescribeSecurityGroups>`, the decoder alone;
//! - `client`: whole calls through the async client to a keep-alive stub on 127.0.0.1, run as
//!   a child process (mode `serve`) so that the page it holds is not counted here.
//!
//! ```sh
//! cargo run --release -p ec2-sg --example decode_bench -- 2000 25 decode
//! ```
//!
//! Mode `page` prints the page itself, for other tools.
//! `DECODE_BENCH_RUNS=N` makes exactly N measured runs (for `valgrind --tool=callgrind`).
//!
//! It prints one JSON line: the size, the median and every run's milliseconds, MB/s, and the
//! process's peak resident memory. Nothing is asserted.

// The measured calls return the SDK's own SdkError, which carries the raw answer.
#![allow(clippy::result_large_err)]

mod common;

use common::Stub;
use ec2_sg::operation::DescribeSecurityGroups;
use ec2_sg::runtime::parse_response;
use std::error::Error;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// At most this many measured runs, and at most this long for them (after one warm-up run).
const MAX_RUNS: usize = 25;
const BUDGET: Duration = Duration::from_secs(10);

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [groups, rules, mode] = &args[..] else {
        return Err("usage: decode_bench GROUPS RULES scan|decode|client|serve|page".into());
    };
    let (groups, rules): (usize, usize) = (groups.parse()?, rules.parse()?);
    let (bytes, (runs, drops)) = match mode.as_str() {
        "scan" => {
            let body = page(groups, rules);
            (body.len(), measure(|| scan(body.as_bytes()))?)
        }
        "decode" => {
            let body = page(groups, rules);
            let runs = measure(|| Ok(parse_response::<DescribeSecurityGroups>(200, black_box(body.as_bytes()))?))?;
            (body.len(), runs)
        }
        "serve" => return serve(groups, rules),
        "page" => {
            print!("{}", page(groups, rules));
            return Ok(());
        }
        "client" => client(groups, rules)?,
        other => return Err(format!("unknown mode `{other}`: scan, decode, client or serve").into()),
    };
    let median = median_of(&runs).ok_or("no measured run")?;
    let drop_median = median_of(&drops).ok_or("no measured run")?;
    let mb_per_s = bytes as f64 / 1e6 / (median / 1e3);
    let all: Vec<String> = runs.iter().map(|ms| format!("{ms:.3}")).collect();
    println!(
        "{{\"mode\":\"{mode}\",\"groups\":{groups},\"rules\":{rules},\"bytes\":{},\"median_ms\":{median:.3},\
         \"drop_median_ms\":{drop_median:.3},\"mb_per_s\":{mb_per_s:.1},\"peak_rss_kb\":{},\"runs_ms\":[{}]}}",
        bytes,
        peak_rss_kb().unwrap_or(0),
        all.join(",")
    );
    Ok(())
}

/// The stub of the `client` row, in a process of its own so that the page it holds is not
/// counted in the client's memory: prints its URL and the page's size, then serves until its
/// standard input closes (when the client process ends).
fn serve(groups: usize, rules: usize) -> Result<(), Box<dyn Error>> {
    let body = page(groups, rules);
    let stub = Stub::start(&body)?;
    println!("{} {}", stub.url(), body.len());
    drop(body);
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new())?;
    Ok(())
}

/// Whole calls through the async client to the stub of [`serve`], started as a child process.
fn client(groups: usize, rules: usize) -> Result<(usize, Timings), Box<dyn Error>> {
    let mut server = std::process::Command::new(std::env::current_exe()?)
        .args([groups.to_string(), rules.to_string(), "serve".to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    if let Some(stdout) = server.stdout.take() {
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
    }
    let measured = (|| -> Result<(usize, Timings), Box<dyn Error>> {
        let (url, bytes) = line.trim().split_once(' ').ok_or("the stub printed no URL")?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let config = ec2_sg::Config::builder()
            .env(ec2_sg::runtime::env::Env::from_vars([("HOME", "/nonexistent-ec2-sg-bench-home")]))
            .region("us-east-1")
            .endpoint_url(url)
            .credentials(ec2_sg::Credentials::from_keys("AKIDBENCH", "SECRETBENCH", None))
            .build()?;
        let client = ec2_sg::Client::from_conf(config);
        let runs = measure(|| Ok(runtime.block_on(client.describe_security_groups().send())?))?;
        Ok((bytes.parse()?, runs))
    })();
    // Closing its standard input ends the stub; wait for it either way.
    drop(server.stdin.take());
    server.wait()?;
    measured
}

/// Runs `work` once to warm up, then up to MAX_RUNS times within BUDGET. Each run's result is
/// dropped after the clock stops, and the drop timed on its own (as criterion's
/// `iter_with_large_drop` does): milliseconds per run, and per drop.
fn measure<T>(mut work: impl FnMut() -> Result<T, Box<dyn Error>>) -> Result<Timings, Box<dyn Error>> {
    // A fixed number of runs instead, for profilers (whose slowdown would cut the runs short).
    let fixed: Option<usize> = std::env::var("DECODE_BENCH_RUNS").ok().and_then(|n| n.parse().ok());
    drop(work()?);
    let started = Instant::now();
    let (mut runs, mut drops) = (Vec::new(), Vec::new());
    while match fixed {
        Some(count) => runs.len() < count,
        None => runs.len() < MAX_RUNS && (runs.len() < 3 || started.elapsed() < BUDGET),
    } {
        let run = Instant::now();
        let output = black_box(work()?);
        runs.push(run.elapsed().as_secs_f64() * 1e3);
        let dropping = Instant::now();
        drop(output);
        drops.push(dropping.elapsed().as_secs_f64() * 1e3);
    }
    Ok((runs, drops))
}

/// Milliseconds of each measured run, and of dropping each run's output.
type Timings = (Vec<f64>, Vec<f64>);

/// The median of some milliseconds.
fn median_of(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied()
}

/// quick-xml's event scan of the whole document: the cost of tokenizing, nothing more.
fn scan(bytes: &[u8]) -> Result<usize, Box<dyn Error>> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buffer = Vec::new();
    let mut events = 0usize;
    loop {
        match reader.read_event_into(&mut buffer)? {
            quick_xml::events::Event::Eof => return Ok(events),
            _ => events += 1,
        }
        buffer.clear();
    }
}

/// The process's peak resident memory (`VmHWM`), where /proc tells it.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A DescribeSecurityGroups answer as EC2 writes it: `groups` groups with `rules` TCP ingress
/// rules (one port and one CIDR each, described), one egress rule and one tag.
fn page(groups: usize, rules: usize) -> String {
    common::describe_answer(groups, |xml, g| {
        let id = common::write_group_head(xml, g);
        xml.push_str("<ipPermissions>");
        for r in 0..rules {
            write!(
                xml,
                "<item><ipProtocol>tcp</ipProtocol><fromPort>{port}</fromPort><toPort>{port}</toPort><groups/>\
                 <ipRanges><item><cidrIp>10.{a}.{b}.0/24</cidrIp><description>rule {r} of {id}</description></item></ipRanges>\
                 <ipv6Ranges/><prefixListIds/></item>",
                port = 1000 + r,
                a = g % 256,
                b = r % 256,
            )
            .expect("writing to a String cannot fail");
        }
        xml.push_str(
            "</ipPermissions><ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/>\
             <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>\
             </ipPermissionsEgress><tagSet><item><key>team</key><value>web</value></item></tagSet></item>\n",
        );
    })
}
