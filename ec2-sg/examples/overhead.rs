//! The SDK's own per-call overhead, measured with `std::time` in bounded loops (no criterion):
//! decoding DescribeSecurityGroups answers of 1, 100 and 1000 groups, building a request,
//! whole calls through an in-memory transport (build, sign, decode: no I/O), and whole calls over
//! loopback HTTP/1.1 to a stub server in this process.
//!
//! ```sh
//! cargo run --release -p ec2-sg --example overhead                     # async client
//! cargo run --release -p ec2-sg --features blocking --example overhead # and the blocking client
//! ```
//!
//! The numbers are printed, never asserted: `cargo xtask footprint` puts them in docs/FOOTPRINT.md.
//! A stub is used instead of moto because moto spends about 3 ms per request (and closes every
//! connection), which caps any client near 300 calls/s and would hide the SDK's own cost.

// The measured calls return the SDK's own SdkError, which carries the raw answer (as aws-sdk-rust's does).
#![allow(clippy::result_large_err)]

mod common;

use common::Stub;
use ec2_sg::operation::{AuthorizeSecurityGroupIngress, AuthorizeSecurityGroupIngressInput, DescribeSecurityGroups};
use ec2_sg::runtime::env::Env;
use ec2_sg::runtime::http::{BoxFuture, HttpClient, HttpResponse, TransportError};
use ec2_sg::runtime::{
    build_request, parse_response, Compression, Endpoint, HttpRequest, RandomUuidTokens, RequestOptions,
};
use ec2_sg::types::{IpPermission, IpRange, Ipv6Range, UserIdGroupPair};
use std::error::Error;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Time spent on each in-memory measurement (after warm-up), at most.
const CPU_BUDGET: Duration = Duration::from_secs(2);
/// Calls over loopback HTTP per client, at most; and the time they may take.
const HTTP_CALLS: usize = 2000;
const HTTP_BUDGET: Duration = Duration::from_secs(20);
/// Calls made before measuring (connection set up, caches warm).
const WARM_UP: usize = 50;

fn main() -> Result<(), Box<dyn Error>> {
    if cfg!(debug_assertions) {
        println!("warning: a debug build; run with --release for meaningful numbers\n");
    }
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        if std::env::var_os(variable).is_some() {
            println!("warning: {variable} is set; the loopback calls may go through a proxy\n");
        }
    }

    let mut table = Table::default();
    decoding(&mut table);
    building(&mut table);
    in_memory_calls(&mut table)?;
    loopback_calls(&mut table)?;
    print!("{}", table.render());
    println!("\nDifferences of medians:\n{}", table.derived());
    if cfg!(not(feature = "blocking")) {
        println!("blocking Client rows: skipped (run with `--features blocking`)\n");
    }
    println!(
        "Median and mean per operation; in-memory rows ran for up to {CPU_BUDGET:?} each, loopback rows \
         {HTTP_CALLS} sequential calls (at most {HTTP_BUDGET:?}) after {WARM_UP} warm-up calls."
    );
    println!(
        "The stub answers every request with the same DescribeSecurityGroups document (1 group, {} bytes) and keeps \
         connections alive (HTTP/1.1, Content-Length framing); `connections` is how many it accepted during the row, warm-up included.",
        describe_xml(1).len()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Measurements

fn decoding(table: &mut Table) {
    for groups in [1, 100, 1000] {
        let body = describe_xml(groups);
        let decode = || {
            parse_response::<DescribeSecurityGroups>(200, black_box(body.as_bytes()))
                .expect("the example's own document decodes")
        };
        let decoded = decode();
        assert_eq!(decoded.security_groups().len(), groups, "every group of the example's document is decoded");
        assert_eq!(decoded.security_groups()[0].ip_permissions().len(), 2);
        let stats = measure(CPU_BUDGET, 100_000, || {
            black_box(decode());
        });
        let mb_per_s = body.len() as f64 / stats.median.as_secs_f64() / 1e6;
        table.row(
            Key::Other,
            format!("decode DescribeSecurityGroups, {groups} group(s), {}", size(body.len())),
            &stats,
            format!("{mb_per_s:.0} MB/s"),
            "",
        );
    }
}

fn building(table: &mut Table) {
    let endpoint = Endpoint::parse("https://ec2.us-east-1.amazonaws.com").expect("a fixed, valid URL");
    let tokens = RandomUuidTokens;
    let options =
        RequestOptions { endpoint: &endpoint, idempotency_tokens: &tokens, compression: Compression::default() };
    let input = ingress_input();
    let request = build_request::<AuthorizeSecurityGroupIngress>(&input, &options).expect("the example's input builds");
    let stats = measure(CPU_BUDGET, 1_000_000, || {
        black_box(build_request::<AuthorizeSecurityGroupIngress>(black_box(&input), &options).expect("builds"));
    });
    table.row(
        Key::Build,
        format!("build_request AuthorizeSecurityGroupIngress, 3 permissions ({} body)", size(request.body.len())),
        &stats,
        String::new(),
        "",
    );
    let stats = measure(CPU_BUDGET, 1_000_000, || {
        black_box(
            parse_response::<AuthorizeSecurityGroupIngress>(200, black_box(INGRESS_RESPONSE.as_bytes()))
                .expect("the example's own document decodes"),
        );
    });
    table.row(Key::DecodeIngress, "decode AuthorizeSecurityGroupIngress answer", &stats, String::new(), "");
}

/// Whole client calls whose transport answers from memory: what the SDK adds to a call besides
/// the network (fluent builder, request, SigV4 signature, retry bookkeeping, spans, decoding).
fn in_memory_calls(table: &mut Table) -> Result<(), Box<dyn Error>> {
    let transport = InMemory::default();
    let config = base_config("https://ec2.us-east-1.amazonaws.com")
        .http_client(transport.clone())
        .blocking_http_client(transport.clone())
        .build()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let client = ec2_sg::Client::from_conf(config.clone());
    let permissions = ingress_input().ip_permissions.expect("the example's input has permissions");

    let ingress = || async {
        let call = client.authorize_security_group_ingress().group_id("sg-0123456789abcdef0");
        call.set_ip_permissions(Some(permissions.clone())).send().await.map(drop)
    };
    let stats = measure_fallible(CPU_BUDGET, 1_000_000, || runtime.block_on(ingress()))?;
    table.row(
        Key::IngressInMemory,
        "call AuthorizeSecurityGroupIngress, async Client, in-memory transport",
        &stats,
        String::new(),
        "",
    );

    let describe =
        || async { client.describe_security_groups().group_ids("sg-0123456789abcdef0").send().await.map(drop) };
    let stats = measure_fallible(CPU_BUDGET, 1_000_000, || runtime.block_on(describe()))?;
    table.row(
        Key::DescribeInMemory,
        "call DescribeSecurityGroups (1 group), async Client, in-memory transport",
        &stats,
        String::new(),
        "",
    );
    blocking_in_memory(table, config)?;
    if transport.unsigned.load(Ordering::Relaxed) > 0 {
        return Err("the in-memory transport saw a request without an Authorization header".into());
    }
    Ok(())
}

#[cfg(feature = "blocking")]
fn blocking_in_memory(table: &mut Table, config: ec2_sg::Config) -> Result<(), Box<dyn Error>> {
    let client = ec2_sg::blocking::Client::from_conf(config)?;
    let describe = || client.describe_security_groups().group_ids("sg-0123456789abcdef0").send().map(drop);
    let stats = measure_fallible(CPU_BUDGET, 1_000_000, describe)?;
    table.row(
        Key::Other,
        "call DescribeSecurityGroups (1 group), blocking Client, in-memory transport",
        &stats,
        String::new(),
        "",
    );
    Ok(())
}

#[cfg(not(feature = "blocking"))]
fn blocking_in_memory(_: &mut Table, _: ec2_sg::Config) -> Result<(), Box<dyn Error>> {
    Ok(())
}

/// Whole DescribeSecurityGroups calls over loopback HTTP/1.1, one connection, one call at a time.
fn loopback_calls(table: &mut Table) -> Result<(), Box<dyn Error>> {
    let stub = Stub::start(&describe_xml(1))?;

    // The floor: the same exchange with a hand-written client on a kept-alive std::net socket.
    let mut raw = RawClient::connect(stub.port)?;
    let connections = stub.connections();
    let stats = measure_calls(|| raw.round_trip().map(drop))?;
    table.row(
        Key::Other,
        "raw HTTP/1.1 round trip, std::net client (the floor)",
        &stats,
        calls_per_s(&stats),
        stub.since(connections),
    );

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let client = ec2_sg::Client::from_conf(base_config(&stub.url()).build()?);
    let describe = || async { client.describe_security_groups().group_ids("sg-0123456789abcdef0").send().await };
    let connections = stub.connections();
    let stats = measure_calls(|| runtime.block_on(describe()).map(drop).map_err(Into::into))?;
    table.row(
        Key::DescribeLoopback,
        "call DescribeSecurityGroups (1 group), async Client (reqwest, tokio current-thread), loopback",
        &stats,
        calls_per_s(&stats),
        stub.since(connections),
    );
    drop(client);
    drop(runtime);

    blocking_loopback(table, &stub)
}

#[cfg(feature = "blocking")]
fn blocking_loopback(table: &mut Table, stub: &Stub) -> Result<(), Box<dyn Error>> {
    let client = ec2_sg::blocking::Client::from_conf(base_config(&stub.url()).build()?)?;
    let describe = || client.describe_security_groups().group_ids("sg-0123456789abcdef0").send();
    let connections = stub.connections();
    let stats = measure_calls(|| describe().map(drop).map_err(Into::into))?;
    table.row(
        Key::Other,
        "call DescribeSecurityGroups (1 group), blocking Client (reqwest blocking), loopback",
        &stats,
        calls_per_s(&stats),
        stub.since(connections),
    );
    Ok(())
}

#[cfg(not(feature = "blocking"))]
fn blocking_loopback(_: &mut Table, _: &Stub) -> Result<(), Box<dyn Error>> {
    Ok(())
}

/// A configuration that reads nothing from the environment or the shared files.
fn base_config(endpoint_url: &str) -> ec2_sg::ConfigBuilder {
    ec2_sg::Config::builder()
        .env(Env::from_vars([("HOME", "/nonexistent-ec2-sg-overhead-home")]))
        .region("us-east-1")
        .endpoint_url(endpoint_url)
        .credentials(ec2_sg::Credentials::from_keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None))
}

fn ingress_input() -> AuthorizeSecurityGroupIngressInput {
    AuthorizeSecurityGroupIngressInput::builder()
        .group_id("sg-0123456789abcdef0")
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").description("https from anywhere").build())
                .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
                .build(),
        )
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").description("ssh from the office").build())
                .ip_ranges(IpRange::builder().cidr_ip("192.168.0.0/16").build())
                .build(),
        )
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(5432)
                .to_port(5432)
                .user_id_group_pairs(
                    UserIdGroupPair::builder()
                        .group_id("sg-0fedcba9876543210")
                        .description("postgres from web")
                        .build(),
                )
                .build(),
        )
        .build()
}

// ---------------------------------------------------------------------------------------------
// Fixed data

const INGRESS_RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<AuthorizeSecurityGroupIngressResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
    <return>true</return>
    <securityGroupRuleSet>
        <item>
            <groupOwnerId>123456789012</groupOwnerId>
            <groupId>sg-0123456789abcdef0</groupId>
            <securityGroupRuleId>sgr-0123456789abcdef0</securityGroupRuleId>
            <isEgress>false</isEgress>
            <ipProtocol>tcp</ipProtocol>
            <fromPort>443</fromPort>
            <toPort>443</toPort>
            <cidrIpv4>0.0.0.0/0</cidrIpv4>
            <description>https from anywhere</description>
        </item>
    </securityGroupRuleSet>
</AuthorizeSecurityGroupIngressResponse>"#;

/// A DescribeSecurityGroups answer as EC2 writes it: `groups` groups, each with two ingress
/// rules, one egress rule and two tags.
fn describe_xml(groups: usize) -> String {
    common::describe_answer(groups, |xml, i| {
        common::write_group_head(xml, i);
        xml.push_str(
            "<ipPermissions>\
             <item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort><groups/>\
             <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp><description>https from anywhere</description></item>\
             <item><cidrIp>10.0.0.0/8</cidrIp></item></ipRanges>\
             <ipv6Ranges><item><cidrIpv6>::/0</cidrIpv6></item></ipv6Ranges><prefixListIds/></item>\
             <item><ipProtocol>tcp</ipProtocol><fromPort>5432</fromPort><toPort>5432</toPort>\
             <groups><item><userId>123456789012</userId><groupId>sg-0fedcba9876543210</groupId>\
             <description>postgres from web</description></item></groups>\
             <ipRanges/><ipv6Ranges/><prefixListIds/></item>\
             </ipPermissions>\
             <ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/>\
             <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>\
             </ipPermissionsEgress>\
             <tagSet><item><key>team</key><value>web</value></item><item><key>env</key><value>prod</value></item></tagSet>\
             </item>\n",
        );
    })
}

// ---------------------------------------------------------------------------------------------
// Transports

/// An HTTP client that answers from memory: the AuthorizeSecurityGroupIngress answer, or a
/// one-group DescribeSecurityGroups answer (the client checks that an answer is its operation's).
#[derive(Debug, Clone)]
struct InMemory {
    /// Requests seen without a SigV4 `Authorization` header (there should be none).
    unsigned: Arc<AtomicUsize>,
    describe: Arc<Vec<u8>>,
}

impl Default for InMemory {
    fn default() -> Self {
        Self { unsigned: Arc::default(), describe: Arc::new(describe_xml(1).into_bytes()) }
    }
}

impl InMemory {
    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        if request.header("Authorization").is_none() {
            self.unsigned.fetch_add(1, Ordering::Relaxed);
        }
        let body = if request.body.starts_with(b"Action=DescribeSecurityGroups&") {
            self.describe.as_ref().clone()
        } else {
            INGRESS_RESPONSE.as_bytes().to_vec()
        };
        HttpResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "text/xml;charset=UTF-8".into())],
            body: body.into(),
        }
    }
}

impl HttpClient for InMemory {
    fn send(&self, request: HttpRequest, _: Option<Duration>) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let response = self.answer(&request);
        Box::pin(async move { Ok(response) })
    }
}

impl ec2_sg::runtime::http::BlockingHttpClient for InMemory {
    fn send(&self, request: HttpRequest, _: Option<Duration>) -> Result<HttpResponse, TransportError> {
        Ok(self.answer(&request))
    }
}

/// A hand-written HTTP/1.1 client on one kept-alive socket: the cost of the exchange itself.
struct RawClient {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    request: Vec<u8>,
    buffer: Vec<u8>,
}

impl RawClient {
    fn connect(port: u16) -> std::io::Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        let body = "Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-0123456789abcdef0";
        let request = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
        Ok(Self { writer: stream.try_clone()?, reader: BufReader::new(stream), request, buffer: Vec::new() })
    }

    fn round_trip(&mut self) -> Result<usize, Box<dyn Error>> {
        self.writer.write_all(&self.request)?;
        let mut content_length = None;
        let mut line = String::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err("the stub closed the connection".into());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case("content-length")) {
                content_length = Some(value.1.trim().parse::<usize>()?);
            }
        }
        let length = content_length.ok_or("no Content-Length in the stub's answer")?;
        self.buffer.resize(length, 0);
        self.reader.read_exact(&mut self.buffer)?;
        Ok(length)
    }
}

// ---------------------------------------------------------------------------------------------
// Timing and the table

struct Stats {
    iterations: usize,
    median: Duration,
    mean: Duration,
}

/// Runs `f` once to warm up, then repeatedly until `budget` is spent or `max` runs are done.
fn measure(budget: Duration, max: usize, mut f: impl FnMut()) -> Stats {
    f();
    let mut samples = Vec::with_capacity(max.min(1 << 20));
    let started = Instant::now();
    while samples.len() < max && started.elapsed() < budget {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    stats(samples)
}

/// [`measure`] for a call that can fail: the first error ends the measurement and is returned.
fn measure_fallible<E>(budget: Duration, max: usize, mut f: impl FnMut() -> Result<(), E>) -> Result<Stats, E> {
    let mut failure = None;
    let stats = measure(budget, max, || {
        if failure.is_none() {
            if let Err(e) = f() {
                failure = Some(e);
            }
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(stats),
    }
}

/// Makes [`WARM_UP`] calls, then up to [`HTTP_CALLS`] within [`HTTP_BUDGET`]; the first error
/// ends the measurement and is returned.
fn measure_calls(mut call: impl FnMut() -> Result<(), Box<dyn Error>>) -> Result<Stats, Box<dyn Error>> {
    for _ in 0..WARM_UP {
        call()?;
    }
    let mut samples = Vec::with_capacity(HTTP_CALLS);
    let started = Instant::now();
    while samples.len() < HTTP_CALLS && started.elapsed() < HTTP_BUDGET {
        let t = Instant::now();
        call()?;
        samples.push(t.elapsed());
    }
    Ok(stats(samples))
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort_unstable();
    let iterations = samples.len();
    let total: Duration = samples.iter().sum();
    Stats {
        iterations,
        median: samples.get(iterations / 2).copied().unwrap_or_default(),
        mean: total.checked_div(iterations.max(1) as u32).unwrap_or_default(),
    }
}

fn calls_per_s(stats: &Stats) -> String {
    format!("{:.0} calls/s", 1.0 / stats.mean.as_secs_f64())
}

fn size(bytes: usize) -> String {
    if bytes < 10_000 {
        format!("{bytes} B")
    } else {
        format!("{:.0} KB", bytes as f64 / 1000.0)
    }
}

fn micros(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 10.0 {
        format!("{us:.2} µs")
    } else if us < 1000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

/// Rows whose medians the derived lines under the table use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Build,
    DecodeIngress,
    IngressInMemory,
    DescribeInMemory,
    DescribeLoopback,
    Other,
}

#[derive(Default)]
struct Table {
    rows: Vec<[String; 6]>,
    medians: Vec<(Key, Duration)>,
}

impl Table {
    fn row(&mut self, key: Key, what: impl Into<String>, stats: &Stats, rate: String, connections: impl Into<String>) {
        self.medians.push((key, stats.median));
        self.rows.push([
            what.into(),
            stats.iterations.to_string(),
            micros(stats.median),
            micros(stats.mean),
            rate,
            connections.into(),
        ]);
    }

    fn median(&self, key: Key) -> Option<Duration> {
        self.medians.iter().find(|(k, _)| *k == key).map(|(_, d)| *d)
    }

    /// A Markdown table (readable as it is in a terminal).
    fn render(&self) -> String {
        let header = ["measurement", "runs", "median", "mean", "throughput", "connections"];
        let mut out = format!("| {} |\n|{}\n", header.join(" | "), " --- |".repeat(header.len()));
        for row in &self.rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out
    }

    /// What the differences of medians say: signing and the client's own work, and the transport's share.
    fn derived(&self) -> String {
        let mut out = String::new();
        let difference = |a: Key, b: &[Key]| -> Option<String> {
            let rest: Duration = b.iter().map(|k| self.median(*k)).sum::<Option<Duration>>()?;
            let a = self.median(a)?;
            Some(if a >= rest { micros(a - rest) } else { format!("-{}", micros(rest - a)) })
        };
        if let Some(sign) = difference(Key::IngressInMemory, &[Key::Build, Key::DecodeIngress]) {
            out.push_str(&format!(
                "- signing (SigV4) and the client's own work (fluent builder, credentials, retry bookkeeping, spans) \
                 ≈ in-memory AuthorizeSecurityGroupIngress call − build_request − decode = {sign}\n"
            ));
        }
        if let Some(transport) = difference(Key::DescribeLoopback, &[Key::DescribeInMemory]) {
            out.push_str(&format!(
                "- the HTTP transport (reqwest, hyper, tokio, loopback TCP, the stub) ≈ loopback async call − \
                 in-memory async call = {transport}\n"
            ));
        }
        out
    }
}
