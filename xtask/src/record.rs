//! `cargo xtask record`: runs a fixed scenario with ec2-sg itself against a live endpoint (by
//! default a moto server started with `tests/moto/serve.py`) and writes one fixture per exchange
//! under `tests/fixtures/recorded/moto/`, in the format of `ec2_sg::runtime::replay`.
//!
//! Volatile values are normalized so that re-recording gives a small diff, and recording twice
//! gives byte-identical files: resource ids (`sg-`, `sgr-`, `vpc-`, …), account ids, request ids
//! (UUIDs), access key ids and timestamps are replaced, in order of first appearance, by numbered
//! stand-ins (`sg-0abc…` first seen → `sg-00000000000000001`).
//!
//! It needs ec2-sg to compile, which the other xtask commands must not (`codegen` is how broken
//! generated code gets fixed): the implementation is behind xtask's `record` feature, and without
//! it `run` re-runs `cargo xtask` with the feature on.

// The steps return the SDK's own SdkError, which carries the raw answer (as aws-sdk-rust's does).
#![allow(clippy::result_large_err)]

#[cfg(feature = "record")]
pub use recorder::run;

/// Re-runs xtask with the `record` feature, which builds ec2-sg into it.
#[cfg(not(feature = "record"))]
pub fn run(args: &[String]) -> Result<(), String> {
    let status = crate::cargo()
        .args(["run", "--quiet", "--package", "xtask", "--features", "record", "--", "record"])
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("the recording failed (see above)".into())
    }
}

#[cfg(feature = "record")]
mod recorder {
    use ec2_sg::blocking::Client;
    use ec2_sg::runtime::http::ReqwestBlockingClient;
    use ec2_sg::runtime::replay::{RecordingClient, ReplayEvent};
    use ec2_sg::types::{
        Filter, IpPermission, IpRange, Ipv6Range, ResourceType, SecurityGroupRuleRequest, SecurityGroupRuleUpdate, Tag,
        TagSpecification, UserIdGroupPair,
    };
    use ec2_sg::{Config, Credentials};
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command};
    use std::time::Duration;

    const USAGE: &str =
        "usage: cargo xtask record [--endpoint URL [--region R] [--access-key-id K --secret-access-key S]] [--out DIR]

Runs the recording scenario with ec2-sg and writes one fixture per exchange. Without --endpoint it
starts moto (tests/moto/serve.py) on 127.0.0.1 and writes to tests/fixtures/recorded/moto/.
With --endpoint, credentials and region not given come from the usual environment and files.";

    /// Response headers worth keeping in a fixture; the rest (Date, Server, Content-Length, …) vary or
    /// say nothing about the API.
    /// (`x-amzn-RequestId` is left out: moto makes a random one per answer; the body's is kept.)
    const KEPT_RESPONSE_HEADERS: &[&str] = &["Content-Type", "Content-Encoding", "Retry-After"];

    #[derive(Default)]
    struct Options {
        endpoint: Option<String>,
        region: Option<String>,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        out: Option<PathBuf>,
    }

    fn parse_options(args: &[String]) -> Result<Options, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().cloned().ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"));
            match flag.as_str() {
                "--endpoint" => options.endpoint = Some(value()?),
                "--region" => options.region = Some(value()?),
                "--access-key-id" => options.access_key_id = Some(value()?),
                "--secret-access-key" => options.secret_access_key = Some(value()?),
                "--out" => options.out = Some(PathBuf::from(value()?)),
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
            }
        }
        if options.access_key_id.is_some() != options.secret_access_key.is_some() {
            return Err("give both --access-key-id and --secret-access-key, or neither".into());
        }
        if options.endpoint.is_none() && (options.region.is_some() || options.access_key_id.is_some()) {
            return Err("--region and the keys go with --endpoint (moto brings its own)".into());
        }
        Ok(options)
    }

    /// Where the scenario runs.
    struct Target {
        endpoint: String,
        region: Option<String>,
        /// Access key id and secret; `None`: the usual environment and files.
        keys: Option<(String, String)>,
        /// Read nothing from the environment or the shared files (moto).
        hermetic: bool,
        /// What the fixtures' first note says about their origin.
        origin: String,
        /// The moto server we started, stopped when this is dropped.
        moto: Option<MotoProcess>,
    }

    impl Target {
        /// A configuration for the target; with `wrong_secret`, the same key id and that secret.
        fn config(&self, wrong_secret: Option<&str>) -> ec2_sg::ConfigBuilder {
            let mut config = Config::builder().endpoint_url(&self.endpoint).max_attempts(1);
            if self.hermetic {
                config =
                    config.env(ec2_sg::runtime::env::Env::from_vars([("HOME", "/nonexistent-ec2-sg-record-home")]));
            }
            if let Some(region) = &self.region {
                config = config.region(region);
            }
            match (&self.keys, wrong_secret) {
                (Some((key, secret)), None) => config.credentials(Credentials::from_keys(key, secret, None)),
                (None, None) => config,
                (keys, Some(wrong)) => {
                    let key = match keys {
                        Some((key, _)) => key.clone(),
                        None => std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "AKIAIOSFODNN7EXAMPLE".into()),
                    };
                    config.credentials(Credentials::from_keys(key, wrong, None))
                }
            }
        }
    }

    struct MotoProcess(Child);

    impl Drop for MotoProcess {
        fn drop(&mut self) {
            // Our own child; serve.py would also exit by itself once we are gone.
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    pub fn run(args: &[String]) -> Result<(), String> {
        let options = parse_options(args)?;
        let root = crate::workspace_root();
        let out = options.out.clone().unwrap_or_else(|| root.join("tests/fixtures/recorded/moto"));
        let target = match &options.endpoint {
            None => startmoto(&root)?,
            Some(endpoint) => endpoint_target(endpoint, &options),
        };
        println!("recording against {}", target.origin);
        let files = record(&target)?;
        drop(target);
        write_fixtures(&out, &files)
    }

    fn endpoint_target(endpoint: &str, options: &Options) -> Target {
        let keys = options.access_key_id.clone().zip(options.secret_access_key.clone());
        let host = endpoint.split("://").nth(1).unwrap_or(endpoint).split('/').next().unwrap_or(endpoint);
        Target {
            endpoint: endpoint.to_string(),
            region: options.region.clone(),
            keys,
            hermetic: false,
            origin: format!("the endpoint {host}"),
            moto: None,
        }
    }

    fn startmoto(root: &Path) -> Result<Target, String> {
        let python = ec2_sg_tests::moto::python(root);
        let version = Command::new(&python)
            .args(["-c", "import moto; print(moto.__version__)"])
            .stderr(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        if !version.status.success() {
            return Err("moto is not installed; `cargo xtask test` makes target/py-env with it".into());
        }
        let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
        let (child, json) = ec2_sg_tests::moto::spawn_serve(root, &root.join("target/moto-record.log"), 300)?;
        let moto = MotoProcess(child);
        let field =
            |name: &str| json[name].as_str().map(str::to_string).ok_or_else(|| format!("serve.py gave no {name}"));
        let (endpoint, key, secret) = (field("endpoint")?, field("access_key_id")?, field("secret_access_key")?);
        Ok(Target {
            endpoint,
            region: Some("us-east-1".into()),
            keys: Some((key, secret)),
            hermetic: true,
            origin: format!("moto {version}"),
            moto: Some(moto),
        })
    }

    /// The scenario's state: the client, the log of exchanges, and what was recorded so far.
    struct Recorder {
        client: Client,
        wrong_secret: Client,
        recording: RecordingClient<ReqwestBlockingClient>,
        normalizer: Normalizer,
        origin: String,
        files: Vec<(String, String)>,
        /// moto: an expected error that does not come fails the recording. Another endpoint may
        /// answer differently (EC2 can answer a revoke of an unknown rule with 200): it is recorded
        /// as it came, with a warning.
        strict: bool,
        /// Groups the scenario created, deleted again (unrecorded) when it fails half-way.
        created: Vec<String>,
    }

    impl Recorder {
        /// Runs a step that must succeed and records its exchanges as `name.txt`.
        fn ok<T, E: Into<ec2_sg::Error>>(
            &mut self,
            name: &str,
            about: &str,
            call: impl FnOnce(&Client) -> Result<T, E>,
        ) -> Result<T, String> {
            let outcome = call(&self.client).map_err(Into::into);
            self.save(name, about)?;
            outcome.map_err(|e| format!("step {name}: {e}"))
        }

        /// Runs a step that must fail with `code`.
        fn fails<T, E: Into<ec2_sg::Error>>(
            &mut self,
            name: &str,
            about: &str,
            code: &str,
            call: impl FnOnce(&Recorder) -> Result<T, E>,
        ) -> Result<(), String> {
            let outcome = call(self).map_err(Into::into);
            self.save(name, about)?;
            let problem = match outcome {
                Ok(_) => format!("step {name}: succeeded, but {code} was expected"),
                Err(e) if e.code() == Some(code) => return Ok(()),
                Err(e) => format!("step {name}: expected {code}, got {e}"),
            };
            if self.strict {
                return Err(problem);
            }
            eprintln!("warning: {problem} (recorded as it came)");
            Ok(())
        }

        fn save(&mut self, name: &str, about: &str) -> Result<(), String> {
            let exchanges = self.recording.take_exchanges();
            let count = exchanges.len();
            for (i, exchange) in exchanges.iter().enumerate() {
                let mut event = ReplayEvent::from_exchange(exchange, KEPT_RESPONSE_HEADERS)
                    .map_err(|e| format!("step {name}: {e}"))?;
                self.normalizer.event(&mut event);
                let mut notes = vec![
                    format!("Recorded by `cargo xtask record` from {}.", self.origin),
                    "Volatile values (ids, account ids, request ids, dates) are normalized: see README.md here.".into(),
                ];
                if let Some(indented) = std::str::from_utf8(&event.response.body.contiguous()).ok().and_then(indent_xml)
                {
                    event.response.body = indented.into();
                    notes.push(
                        "The body is re-indented, one element per line; names, text and order are as received.".into(),
                    );
                }
                notes.push(format!("Step: {about}"));
                event.notes = notes;
                let file = if count == 1 { format!("{name}.txt") } else { format!("{name}-{}.txt", i + 1) };
                self.files.push((file, event.to_fixture()));
            }
            if count == 0 {
                return Err(format!("step {name}: nothing was sent"));
            }
            Ok(())
        }
    }

    fn record(target: &Target) -> Result<Vec<(String, String)>, String> {
        let http = ReqwestBlockingClient::new(Duration::from_secs(5)).map_err(|e| e.to_string())?;
        let recording = RecordingClient::new(http);
        let build = |config: ec2_sg::ConfigBuilder| -> Result<Client, String> {
            let config = config.blocking_http_client(recording.clone()).build().map_err(|e| e.to_string())?;
            Client::from_conf(config).map_err(|e| e.to_string())
        };
        let client = build(target.config(None))?;
        let wrong_secret = build(target.config(Some("not-the-secret")))?;
        let mut recorder = Recorder {
            client,
            wrong_secret,
            recording,
            normalizer: Normalizer::default(),
            origin: target.origin.clone(),
            files: Vec::new(),
            strict: target.moto.is_some(),
            created: Vec::new(),
        };
        if let Err(why) = scenario(&mut recorder) {
            // Best effort, twice over (a group referenced by the other cannot go first).
            for _ in 0..2 {
                for group in recorder.created.iter().rev() {
                    let _ = recorder.client.delete_security_group().group_id(group).send();
                }
            }
            return Err(format!("{why}\n(nothing was written; groups the scenario created were deleted again)"));
        }
        Ok(recorder.files)
    }

    const WEB: &str = "ec2-sg-contract-web";
    const DB: &str = "ec2-sg-contract-db";

    fn tcp(port: i32) -> ec2_sg::types::IpPermissionBuilder {
        IpPermission::builder().ip_protocol("tcp").from_port(port).to_port(port)
    }

    fn range(cidr: &str, description: Option<&str>) -> IpRange {
        IpRange::builder().cidr_ip(cidr).set_description(description.map(str::to_string)).build()
    }

    fn filter(name: &str, value: &str) -> Filter {
        Filter::builder().name(name).values(value).build()
    }

    /// The fixed scenario: every operation of the model, and the errors moto can give.
    fn scenario(r: &mut Recorder) -> Result<(), String> {
        let web = r.ok("create-security-group", "create the web group, tagged", |c| {
            c.create_security_group()
                .group_name(WEB)
                .description("web servers")
                .tag_specifications(
                    TagSpecification::builder()
                        .resource_type(ResourceType::SecurityGroup)
                        .tags(Tag::builder().key("team").value("web").build())
                        .build(),
                )
                .send()
        })?;
        let web = web.group_id().ok_or("CreateSecurityGroup gave no group id")?.to_string();
        r.created.push(web.clone());
        let db = r.ok("create-security-group-db", "create the db group", |c| {
            c.create_security_group().group_name(DB).description("database servers").send()
        })?;
        let db = db.group_id().ok_or("CreateSecurityGroup gave no group id")?.to_string();
        r.created.push(db.clone());
        r.fails("error-invalid-group-duplicate", "create the web group again", "InvalidGroup.Duplicate", |r| {
            r.client.create_security_group().group_name(WEB).description("web servers").send()
        })?;
        r.fails("error-dry-run-operation", "create a group with DryRun", "DryRunOperation", |r| {
            r.client.create_security_group().group_name("ec2-sg-contract-dry").description("dry").dry_run(true).send()
        })?;
        r.ok(
            "authorize-security-group-ingress",
            "allow https to web from everywhere (IPv4 and IPv6) and from 10.0.0.0/8",
            |c| {
                c.authorize_security_group_ingress()
                    .group_id(&web)
                    .ip_permissions(
                        tcp(443)
                            .ip_ranges(range("0.0.0.0/0", Some("https from anywhere")))
                            .ip_ranges(range("10.0.0.0/8", None))
                            .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
                            .build(),
                    )
                    .send()
            },
        )?;
        let from_web = || {
            tcp(5432)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(&web).description("postgres from web").build())
                .build()
        };
        r.ok("authorize-security-group-ingress-from-group", "allow postgres to db from the web group", |c| {
            c.authorize_security_group_ingress().group_id(&db).ip_permissions(from_web()).send()
        })?;
        r.fails(
            "error-invalid-permission-duplicate",
            "allow postgres to db from the web group again",
            "InvalidPermission.Duplicate",
            |r| r.client.authorize_security_group_ingress().group_id(&db).ip_permissions(from_web()).send(),
        )?;
        let to_db = |description: Option<&str>| {
            tcp(5432)
                .user_id_group_pairs(
                    UserIdGroupPair::builder().group_id(&db).set_description(description.map(str::to_string)).build(),
                )
                .build()
        };
        r.ok("authorize-security-group-egress", "allow postgres from web to the db group", |c| {
            c.authorize_security_group_egress().group_id(&web).ip_permissions(to_db(None)).send()
        })?;
        r.ok("describe-security-groups", "describe both groups by id", |c| {
            c.describe_security_groups().group_ids(&web).group_ids(&db).send()
        })?;
        r.ok("describe-security-groups-by-filter", "describe the web group by a group-name filter", |c| {
            c.describe_security_groups().filters(filter("group-name", WEB)).send()
        })?;
        let rules = r.ok("describe-security-group-rules", "describe the web group's rules", |c| {
            c.describe_security_group_rules().filters(filter("group-id", &web)).send()
        })?;
        let office_rule = rules
            .security_group_rules()
            .iter()
            .find(|rule| rule.cidr_ipv4() == Some("10.0.0.0/8"))
            .and_then(|rule| rule.security_group_rule_id())
            .ok_or("no rule for 10.0.0.0/8 among the web group's rules")?
            .to_string();
        r.ok("update-security-group-rule-descriptions-ingress", "describe the public https rule anew", |c| {
            c.update_security_group_rule_descriptions_ingress()
                .group_id(&web)
                .ip_permissions(tcp(443).ip_ranges(range("0.0.0.0/0", Some("https, public"))).build())
                .send()
        })?;
        r.ok("update-security-group-rule-descriptions-egress", "describe the egress rule to db", |c| {
            c.update_security_group_rule_descriptions_egress()
                .group_id(&web)
                .ip_permissions(to_db(Some("to the database")))
                .send()
        })?;
        r.ok("modify-security-group-rules", "move the 10.0.0.0/8 rule to port 8443", |c| {
            let rule = SecurityGroupRuleRequest::builder()
                .ip_protocol("tcp")
                .from_port(8443)
                .to_port(8443)
                .cidr_ipv4("10.0.0.0/8")
                .description("admin console")
                .build();
            c.modify_security_group_rules()
                .group_id(&web)
                .security_group_rules(
                    SecurityGroupRuleUpdate::builder()
                        .security_group_rule_id(&office_rule)
                        .security_group_rule(rule)
                        .build(),
                )
                .send()
        })?;
        r.ok("create-tags", "tag the web group, with characters XML and forms escape", |c| {
            c.create_tags()
                .resources(&web)
                .tags(Tag::builder().key("env").value("test & more").build())
                .tags(Tag::builder().key("owner").value("<net ops>").build())
                .send()
        })?;
        r.ok("describe-tags", "describe the web group's tags", |c| {
            c.describe_tags().filters(filter("resource-id", &web)).send()
        })?;
        r.ok("delete-tags", "delete the env tag", |c| {
            c.delete_tags().resources(&web).tags(Tag::builder().key("env").build()).send()
        })?;
        r.ok("revoke-security-group-ingress", "revoke https from anywhere (IPv4)", |c| {
            c.revoke_security_group_ingress()
                .group_id(&web)
                .ip_permissions(tcp(443).ip_ranges(range("0.0.0.0/0", None)).build())
                .send()
        })?;
        r.fails(
            "error-invalid-permission-not-found",
            "revoke a rule the web group does not have",
            "InvalidPermission.NotFound",
            |r| {
                r.client
                    .revoke_security_group_ingress()
                    .group_id(&web)
                    .ip_permissions(tcp(25).ip_ranges(range("192.0.2.0/24", None)).build())
                    .send()
            },
        )?;
        r.ok("revoke-security-group-egress", "revoke the egress rule to db", |c| {
            c.revoke_security_group_egress().group_id(&web).ip_permissions(to_db(None)).send()
        })?;
        r.fails("error-auth-failure", "describe the groups with a wrong secret key", "AuthFailure", |r| {
            r.wrong_secret.describe_security_groups().send()
        })?;
        r.ok("delete-security-group", "delete the db group", |c| c.delete_security_group().group_id(&db).send())?;
        r.ok("delete-security-group-web", "delete the web group", |c| c.delete_security_group().group_id(&web).send())?;
        r.fails("error-invalid-group-not-found", "describe the deleted web group", "InvalidGroup.NotFound", |r| {
            r.client.describe_security_groups().group_ids(&web).send()
        })?;
        Ok(())
    }

    /// Replaces volatile values by numbered stand-ins, the same value always by the same stand-in,
    /// numbered in order of first appearance.
    #[derive(Default)]
    struct Normalizer {
        seen: BTreeMap<String, BTreeMap<String, String>>,
    }

    /// Resource id prefixes (`sg-0123…`) whose ids are normalized.
    const ID_PREFIXES: &[&str] = &["sg", "sgr", "vpc", "subnet", "eni", "pl", "pcx", "igw", "rtb", "acl", "i"];

    impl Normalizer {
        fn event(&mut self, event: &mut ReplayEvent) {
            let params: Vec<(String, String)> =
                event.request.params().iter().map(|(k, v)| (k.clone(), self.text(v))).collect();
            let mut request = ec2_sg::runtime::replay::ExpectedRequest::form(params)
                .with_method(event.request.method())
                .with_path(event.request.path())
                .without_headers();
            for (name, value) in event.request.headers() {
                request = request.with_header(name, value);
            }
            event.request = request;
            let body = String::from_utf8_lossy(&event.response.body.contiguous()).into_owned();
            event.response.body = self.text(&body).into();
        }

        fn stand_in(&mut self, kind: &str, original: &str, make: impl FnOnce(usize) -> String) -> String {
            let map = self.seen.entry(kind.to_string()).or_default();
            if let Some(known) = map.get(original) {
                return known.clone();
            }
            let replacement = make(map.len() + 1);
            map.insert(original.to_string(), replacement.clone());
            replacement
        }

        fn text(&mut self, text: &str) -> String {
            let mut out = String::with_capacity(text.len());
            let mut rest = text;
            let mut previous: Option<char> = None;
            while let Some(c) = rest.chars().next() {
                let at_boundary = !previous.is_some_and(|p| p.is_ascii_alphanumeric() || p == '-');
                if at_boundary && c.is_ascii_digit() {
                    if let Some(len) = timestamp_len(rest) {
                        let original = &rest[..len];
                        let stand_in = self.stand_in("time", original, |n| {
                            let minutes = n - 1;
                            format!("2000-01-01T{:02}:{:02}:00.000Z", minutes / 60 % 24, minutes % 60)
                        });
                        out.push_str(&stand_in);
                        previous = original.chars().last();
                        rest = &rest[len..];
                        continue;
                    }
                }
                if at_boundary && (c.is_ascii_alphanumeric()) {
                    let len = rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-')).unwrap_or(rest.len());
                    let token = &rest[..len];
                    out.push_str(&self.token(token));
                    previous = token.chars().last();
                    rest = &rest[len..];
                    continue;
                }
                out.push(c);
                previous = Some(c);
                rest = &rest[c.len_utf8()..];
            }
            out
        }

        fn token(&mut self, token: &str) -> String {
            let is_hex = |s: &str| !s.is_empty() && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            if let Some((prefix, id)) = token.split_once('-') {
                if ID_PREFIXES.contains(&prefix) && id.len() >= 8 && is_hex(id) {
                    let width = id.len();
                    return self.stand_in(prefix, token, |n| format!("{prefix}-{n:0width$}"));
                }
            }
            if token.len() == 12 && token.bytes().all(|b| b.is_ascii_digit()) {
                return self.stand_in("account", token, |n| format!("{n:012}"));
            }
            let parts: Vec<&str> = token.split('-').collect();
            let lowered = token.to_ascii_lowercase();
            if parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && lowered.split('-').all(is_hex) {
                return self.stand_in("uuid", &lowered, |n| format!("00000000-0000-0000-0000-{n:012}"));
            }
            if (token.starts_with("AKIA") || token.starts_with("ASIA"))
                && token.len() >= 16
                && token.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            {
                let width = token.len() - 4;
                return self.stand_in("access-key", token, |n| format!("{}{n:0width$}", &token[..4]));
            }
            token.to_string()
        }
    }

    /// The length of an ISO 8601 timestamp at the start of `s` (`2024-05-01T12:34:56[.123]Z` or with
    /// an offset), if there is one.
    fn timestamp_len(s: &str) -> Option<usize> {
        let b = s.as_bytes();
        let digits = |range: std::ops::Range<usize>| b.get(range).is_some_and(|r| r.iter().all(u8::is_ascii_digit));
        let at = |i: usize, c: u8| b.get(i) == Some(&c);
        let shape = digits(0..4)
            && at(4, b'-')
            && digits(5..7)
            && at(7, b'-')
            && digits(8..10)
            && at(10, b'T')
            && digits(11..13)
            && at(13, b':')
            && digits(14..16)
            && at(16, b':')
            && digits(17..19);
        if !shape {
            return None;
        }
        let mut i = 19;
        if at(i, b'.') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        if at(i, b'Z') {
            return Some(i + 1);
        }
        if (at(i, b'+') || at(i, b'-')) && digits(i + 1..i + 3) && at(i + 3, b':') && digits(i + 4..i + 6) {
            return Some(i + 6);
        }
        Some(i)
    }

    /// Re-indents an XML document, one element per line, so that fixtures diff well. Only the
    /// whitespace between tags changes. `None` (keep the body as it is) for anything that is not a
    /// plain element tree: mixed content, CDATA, an unbalanced or unterminated document.
    fn indent_xml(xml: &str) -> Option<String> {
        enum Piece<'a> {
            Open(&'a str, &'a str),
            Close(&'a str),
            Empty(&'a str),
            Other(&'a str),
            Text(&'a str),
        }
        let mut pieces = Vec::new();
        let mut rest = xml.trim();
        while !rest.is_empty() {
            if rest.starts_with("<![CDATA[") || rest.starts_with("<!--") {
                return None;
            }
            if rest.starts_with('<') {
                let end = rest.find('>')? + 1;
                let tag = &rest[..end];
                let name = |t: &'_ str| -> String {
                    t.trim_start_matches(['<', '/'])
                        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                        .next()
                        .unwrap_or("")
                        .to_string()
                };
                pieces.push(if tag.starts_with("<?") || tag.starts_with("<!") {
                    Piece::Other(tag)
                } else if tag.starts_with("</") {
                    Piece::Close(tag)
                } else if tag.ends_with("/>") {
                    Piece::Empty(tag)
                } else {
                    let n = name(tag);
                    Piece::Open(tag, &tag[1..1 + n.len()])
                });
                rest = &rest[end..];
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                pieces.push(Piece::Text(&rest[..end]));
                rest = &rest[end..];
            }
        }
        let mut out = String::with_capacity(xml.len() * 2);
        let mut stack: Vec<&str> = Vec::new();
        let mut i = 0;
        let line = |out: &mut String, depth: usize, text: &str| {
            out.push_str(&"  ".repeat(depth));
            out.push_str(text);
            out.push('\n');
        };
        while i < pieces.len() {
            match &pieces[i] {
                Piece::Other(tag) | Piece::Empty(tag) => line(&mut out, stack.len(), tag),
                Piece::Open(tag, name) => match (pieces.get(i + 1), pieces.get(i + 2)) {
                    (Some(Piece::Text(text)), Some(Piece::Close(close)))
                        if close[2..].trim_end_matches('>') == *name =>
                    {
                        line(&mut out, stack.len(), &format!("{tag}{text}{close}"));
                        i += 2;
                    }
                    (Some(Piece::Close(close)), _) if close[2..].trim_end_matches('>') == *name => {
                        line(&mut out, stack.len(), &format!("{tag}{close}"));
                        i += 1;
                    }
                    _ => {
                        line(&mut out, stack.len(), tag);
                        stack.push(name);
                    }
                },
                Piece::Close(close) => {
                    if stack.pop() != Some(close[2..].trim_end_matches('>').trim()) {
                        return None;
                    }
                    line(&mut out, stack.len(), close);
                }
                // Whitespace between tags is formatting; any other text here is mixed content.
                Piece::Text(text) if text.trim().is_empty() => {}
                Piece::Text(_) => return None,
            }
            i += 1;
        }
        if !stack.is_empty() {
            return None;
        }
        out.pop();
        Some(out)
    }

    fn write_fixtures(out: &Path, files: &[(String, String)]) -> Result<(), String> {
        std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
        let (mut changed, mut unchanged) = (Vec::new(), 0);
        for (name, text) in files {
            let path = out.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
                unchanged += 1;
                continue;
            }
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            changed.push(name.as_str());
        }
        let mut removed = Vec::new();
        let entries = std::fs::read_dir(out).map_err(|e| format!("cannot list {}: {e}", out.display()))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".txt") && !files.iter().any(|(f, _)| *f == name) {
                std::fs::remove_file(entry.path()).map_err(|e| format!("cannot remove {name}: {e}"))?;
                removed.push(name);
            }
        }
        println!(
            "{} fixtures in {}: {} unchanged, {} written{}{}",
            files.len(),
            out.display(),
            unchanged,
            changed.len(),
            if changed.is_empty() { String::new() } else { format!(" ({})", changed.join(", ")) },
            if removed.is_empty() { String::new() } else { format!(", removed {}", removed.join(", ")) },
        );
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn normalizes_in_order_of_first_appearance() {
            let mut n = Normalizer::default();
            let text = "<groupId>sg-0b1c2d3e4f5a6b7c8</groupId> arn:aws:ec2:us-east-1:123456789012:security-group/sg-0b1c2d3e4f5a6b7c8 \
                    sgr-1234abcd5678ef901 sg-0ffffffffffffffff ec2-sg-contract-web 2024-05-01T12:34:56.789Z \
                    <requestId>4D2B6A1E-1111-2222-3333-444455556666</requestId>";
            assert_eq!(
            n.text(text),
            "<groupId>sg-00000000000000001</groupId> arn:aws:ec2:us-east-1:000000000001:security-group/sg-00000000000000001 \
             sgr-00000000000000001 sg-00000000000000002 ec2-sg-contract-web 2000-01-01T00:00:00.000Z \
             <requestId>00000000-0000-0000-0000-000000000001</requestId>"
        );
            assert_eq!(n.text("sg-0ffffffffffffffff"), "sg-00000000000000002", "the same value, the same stand-in");
            assert_eq!(n.text("10.0.0.0/8 sg-1 request-id 443"), "10.0.0.0/8 sg-1 request-id 443");
        }

        #[test]
        fn indents_element_trees_only() {
            let xml =
            "<?xml version=\"1.0\"?>\n<R xmlns=\"x\"><a>1</a><b/><c></c><set><item><k>v &amp; w</k></item></set></R>";
            assert_eq!(
            indent_xml(xml).unwrap(),
            "<?xml version=\"1.0\"?>\n<R xmlns=\"x\">\n  <a>1</a>\n  <b/>\n  <c></c>\n  <set>\n    <item>\n      <k>v &amp; w</k>\n    </item>\n  </set>\n</R>"
        );
            assert_eq!(indent_xml("<a>text<b/></a>"), None, "mixed content is left alone");
            assert_eq!(indent_xml("<a><b></a>"), None);
            assert_eq!(
                indent_xml("<html><body><h1>502 Bad Gateway</h1></body></html>").map(|s| s.lines().count()),
                Some(5)
            );
        }
    }
}
