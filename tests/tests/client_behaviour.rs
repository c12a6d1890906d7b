//! The client against a scripted local HTTP server: retries, backoff, timeouts, non-XML
//! answers, and what is sent on the wire. Backoff is shortened so the suite takes milliseconds.

use ec2_sg::runtime::retry::RetryConfig;
use ec2_sg::{Client, Credentials, ErrorKind};
use ec2_sg_tests::moto::isolated_env;
use ec2_sg_tests::stub::{fast_retries, refused_endpoint_config, Reply, Stub};
use std::time::{Duration, Instant};

const OK: &str = r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
<requestId>ok-1</requestId><securityGroupInfo><item><groupId>sg-1</groupId><groupName>web</groupName></item></securityGroupInfo>
</DescribeSecurityGroupsResponse>"#;

fn error_body(code: &str) -> String {
    ec2_sg_tests::stub::error_body(code, &format!("{code} happened"))
}

fn client_for(stub: &Stub, retry: RetryConfig) -> Client {
    let config = ec2_sg::Config::builder()
        .env(isolated_env())
        .region("eu-west-1")
        .endpoint_url(format!("{}/base", stub.endpoint))
        .credentials(Credentials::from_keys("AKIDTEST", "SECRETTEST", Some("TOKENTEST".into())))
        .retry_config(retry)
        .build()
        .expect("config");
    Client::from_conf(config)
}

#[tokio::test]
async fn what_goes_on_the_wire() {
    let stub = Stub::start(vec![Reply::xml(200, OK)]);
    let out = client_for(&stub, fast_retries(3)).describe_security_groups().group_ids("sg-1").send().await.unwrap();
    assert_eq!(out.security_groups()[0].group_name(), Some("web"));
    assert_eq!(out.request_id(), Some("ok-1"));
    let sent = stub.received();
    assert_eq!(sent.len(), 1);
    let request = &sent[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/base/"), "the endpoint's path is kept");
    assert_eq!(request.body, "Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-1");
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded; charset=utf-8"));
    let auth = request.header("authorization").unwrap();
    assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"), "{auth}");
    assert!(auth.contains("/eu-west-1/ec2/aws4_request"), "{auth}");
    assert_eq!(request.header("x-amz-security-token"), Some("TOKENTEST"));
    assert!(!request.headers.iter().any(|(_, v)| v.contains("SECRETTEST")), "the secret never travels");
}

#[tokio::test]
async fn throttling_is_retried_then_answered() {
    let stub = Stub::start(vec![
        Reply::xml(503, &error_body("RequestLimitExceeded")),
        Reply::xml(400, &error_body("Throttling")),
        Reply::xml(200, OK),
    ]);
    let out = client_for(&stub, fast_retries(3)).describe_security_groups().send().await.unwrap();
    assert_eq!(out.security_groups().len(), 1);
    let bodies: Vec<String> = stub.received().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| b == &bodies[0]), "every attempt sends the same request");
}

#[tokio::test]
async fn retries_stop_after_max_attempts_with_the_last_error() {
    let stub = Stub::start(vec![
        Reply::xml(503, &error_body("RequestLimitExceeded")),
        Reply::xml(503, &error_body("RequestLimitExceeded")),
        Reply::xml(503, &error_body("RequestLimitExceeded")),
    ]);
    let error = client_for(&stub, fast_retries(3))
        .describe_security_groups()
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!((error.code(), error.attempts(), error.http_status()), (Some("RequestLimitExceeded"), 3, Some(503)));
    assert_eq!(error.request_id(), Some("req-RequestLimitExceeded"));
    assert!(error.is_retryable());
    assert!(error.to_string().contains("after 3 attempts"), "{error}");
}

#[tokio::test]
async fn max_attempts_one_turns_retries_off() {
    let stub = Stub::start(vec![Reply::xml(503, &error_body("RequestLimitExceeded"))]);
    let error = client_for(&stub, RetryConfig::disabled())
        .describe_security_groups()
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!(error.attempts(), 1);
    assert_eq!(stub.received().len(), 1);
}

#[tokio::test]
async fn client_errors_return_at_once() {
    let stub = Stub::start(vec![Reply::xml(400, &error_body("InvalidGroupId.Malformed"))]);
    let error = client_for(&stub, fast_retries(3))
        .describe_security_groups()
        .group_ids("bad")
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!((error.code(), error.attempts()), (Some("InvalidGroupId.Malformed"), 1));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_html_page_from_a_proxy_and_an_empty_500_give_status_errors() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";
    let stub = Stub::start(vec![Reply::html(502, html), Reply::html(500, "")]);
    let error = client_for(&stub, fast_retries(2))
        .describe_security_groups()
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.code(), error.http_status()),
        (ErrorKind::Service, Some("InternalError"), Some(500))
    );
    assert_eq!(error.message(), Some("HTTP 500 with an empty body"));
    assert_eq!(error.attempts(), 2, "5xx answers are retried");
    let stub = Stub::start(vec![Reply::html(502, html)]);
    let error = client_for(&stub, RetryConfig::disabled())
        .describe_security_groups()
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!(error.code(), Some("BadGateway"));
    assert!(error.message().is_some_and(|m| m.contains("502 Bad Gateway")));
}

#[tokio::test]
async fn a_truncated_answer_is_a_decode_error() {
    let stub = Stub::start(vec![Reply::xml(200, &OK[..OK.len() / 2])]);
    let error = client_for(&stub, fast_retries(3))
        .describe_security_groups()
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!((error.kind(), error.operation()), (ErrorKind::Decode, Some("DescribeSecurityGroups")));
    assert!(error.to_string().contains("could not be read"), "{error}");
}

#[tokio::test]
async fn a_slow_attempt_times_out_and_is_retried() {
    let stub = Stub::start(vec![Reply::xml(200, OK).delayed(Duration::from_millis(800)), Reply::xml(200, OK)]);
    let config = ec2_sg::Config::builder()
        .env(isolated_env())
        .region("us-east-1")
        .endpoint_url(&stub.endpoint)
        .credentials(Credentials::from_keys("AKID", "SECRET", None))
        .retry_config(fast_retries(2))
        .attempt_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let out = Client::from_conf(config).describe_security_groups().send().await.unwrap();
    assert_eq!(out.security_groups().len(), 1);
    assert_eq!(stub.received().len(), 2);
}

#[tokio::test]
async fn the_operation_timeout_bounds_everything() {
    let stub = Stub::start(vec![Reply::xml(200, OK).delayed(Duration::from_millis(1500))]);
    let config = ec2_sg::Config::builder()
        .env(isolated_env())
        .region("us-east-1")
        .endpoint_url(&stub.endpoint)
        .credentials(Credentials::from_keys("AKID", "SECRET", None))
        .operation_timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let started = Instant::now();
    let error =
        Client::from_conf(config).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_millis(1400), "gave up early: {:?}", started.elapsed());
}

#[tokio::test]
async fn connection_refused_is_a_retried_transport_error() {
    let config = refused_endpoint_config().retry_config(fast_retries(3)).build().unwrap();
    let error =
        Client::from_conf(config).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.kind(), error.attempts(), error.code()), (ErrorKind::Transport, 3, None));
    assert!(error.is_retryable());
}

#[test]
fn the_retry_configuration_is_aws_smithy_types_own() {
    use ec2_sg::config::{RetryConfig, RetryMode};
    let base = || ec2_sg::Config::builder().env(isolated_env()).region("us-east-1");
    let config = base().retry_config(RetryConfig::standard().with_max_attempts(5)).build().unwrap();
    assert_eq!(config.retry_config().max_attempts(), 5);
    assert_eq!(config.retry_config().mode(), RetryMode::Standard);
    let error = base().retry_config(RetryConfig::adaptive()).build().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(error.to_string().contains("not supported"), "{error}");
}

#[test]
fn configuration_errors_are_clear() {
    let base = || ec2_sg::Config::builder().env(isolated_env()).credentials(Credentials::from_keys("A", "S", None));
    let error = base().endpoint_url("ftp://example.com").region("us-east-1").build().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(error.to_string().contains("http or https"), "{error}");
    let error = base().build().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    for place in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        assert!(error.to_string().contains(place), "{error} should name {place}");
    }
}

#[tokio::test]
async fn missing_credentials_name_every_place_looked_at() {
    let stub = Stub::start(vec![]);
    let config =
        ec2_sg::Config::builder().env(isolated_env()).region("us-east-1").endpoint_url(&stub.endpoint).build().unwrap();
    let error =
        Client::from_conf(config).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.kind(), error.attempts()), (ErrorKind::Credentials, 0));
    let text = error.to_string();
    for place in ["AWS_ACCESS_KEY_ID", "credentials", "config"] {
        assert!(text.contains(place), "{text} should name {place}");
    }
    assert!(stub.received().is_empty(), "nothing is sent without credentials");
}

#[test]
fn debug_output_never_shows_secrets() {
    let config = ec2_sg::Config::builder()
        .env(isolated_env())
        .region("us-east-1")
        .credentials(Credentials::from_keys("AKIDVISIBLE", "SECRET-NEVER-SHOWN", Some("TOKEN-NEVER-SHOWN".into())))
        .build()
        .unwrap();
    let text = format!("{config:?} {:?}", Client::from_conf(config.clone()));
    assert!(!text.contains("SECRET-NEVER-SHOWN") && !text.contains("TOKEN-NEVER-SHOWN"), "{text}");
}

/// aws-sdk-rust code names fluent builder and paginator types without type parameters.
trait ForGroup {
    fn for_group(self, id: &str) -> Self;
}

impl ForGroup for ec2_sg::client::DescribeSecurityGroupsFluentBuilder {
    fn for_group(self, id: &str) -> Self {
        self.group_ids(id)
    }
}

#[tokio::test]
async fn builder_types_are_named_without_parameters() {
    let stub = Stub::start(vec![Reply::xml(200, OK)]);
    let builder: ec2_sg::client::DescribeSecurityGroupsFluentBuilder =
        client_for(&stub, fast_retries(1)).describe_security_groups().for_group("sg-1");
    let paginator: ec2_sg::paginators::DescribeSecurityGroupsPaginator = builder.into_paginator();
    let pages = paginator.send().try_collect().await.unwrap();
    assert_eq!(pages[0].security_groups()[0].group_id(), Some("sg-1"));
    assert_eq!(stub.received()[0].body, "Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-1");
}

#[tokio::test]
async fn requests_carry_the_user_agent_signed_with_the_application_name() {
    let stub = Stub::start(vec![Reply::xml(200, OK), Reply::xml(200, OK), Reply::xml(200, OK)]);
    let config = |env: Vec<(&str, String)>| {
        ec2_sg::Config::builder()
            .env(ec2_sg::runtime::env::Env::from_vars(env))
            .region("us-east-1")
            .endpoint_url(&stub.endpoint)
            .credentials(Credentials::from_keys("AKID", "SECRET", None))
    };
    let home = ("HOME", "/nonexistent-ec2-sg-test-home".to_string());
    // Without an application name.
    Client::from_conf(config(vec![home.clone()]).build().unwrap()).describe_security_groups().send().await.unwrap();
    // From the builder, and from AWS_SDK_UA_APP_ID.
    let app = ec2_sg::config::AppName::new("inventory-v2").unwrap();
    let builder = config(vec![home.clone()]).app_name(app);
    Client::from_conf(builder.build().unwrap()).describe_security_groups().send().await.unwrap();
    let from_env = config(vec![home.clone(), ("AWS_SDK_UA_APP_ID", "nightly-audit".to_string())]);
    Client::from_conf(from_env.build().unwrap()).describe_security_groups().send().await.unwrap();

    let sent = stub.received();
    let version = env!("CARGO_PKG_VERSION");
    // aws-sdk-ec2's `meta::PKG_VERSION` is the version the SDK announces.
    assert_eq!(ec2_sg::meta::PKG_VERSION, version);
    for (request, app) in sent.iter().zip([None, Some("inventory-v2"), Some("nightly-audit")]) {
        let user_agent = request.header("user-agent").expect("User-Agent");
        assert!(
            user_agent.starts_with(&format!("ec2-sg/{version} os/")) && user_agent.ends_with(" lang/rust"),
            "{user_agent}"
        );
        let amz = request.header("x-amz-user-agent").expect("x-amz-user-agent");
        assert!(amz.contains(" ua/2.1 api/ec2#2016-11-15 os/"), "{amz}");
        match app {
            Some(app) => assert!(amz.ends_with(&format!(" app/{app}")), "{amz}"),
            None => assert!(!amz.contains(" app/"), "{amz}"),
        }
        let signed = request.header("authorization").expect("signed");
        assert!(signed.contains("x-amz-user-agent"), "x-amz-user-agent is signed: {signed}");
    }
    // A value the header cannot carry is refused at build, naming where it came from.
    let bad = config(vec![home, ("AWS_SDK_UA_APP_ID", "has spaces".to_string())]).build().unwrap_err();
    assert!(bad.to_string().contains("AWS_SDK_UA_APP_ID is not a valid application name"), "{bad}");
}

/// A DescribeSecurityGroups answer of `groups` groups, larger than 1 MiB from 4,000 groups on:
/// the size from which the decoder frees each chunk once read.
fn large_answer(groups: usize) -> String {
    let mut xml = String::from(
        r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>big-1</requestId><securityGroupInfo>"#,
    );
    for g in 0..groups {
        xml.push_str(&format!(
            "<item><groupId>sg-{g:017x}</groupId><groupName>group &amp; {g}</groupName><ipPermissions><item>\
             <ipProtocol>tcp</ipProtocol><fromPort>{g}</fromPort><toPort>{g}</toPort>\
             <ipRanges><item><cidrIp>10.0.0.0/8</cidrIp></item></ipRanges></item></ipPermissions></item>"
        ));
    }
    xml.push_str("</securityGroupInfo></DescribeSecurityGroupsResponse>");
    assert!(xml.len() > 1 << 20);
    xml
}

#[tokio::test]
async fn a_large_answer_read_chunk_by_chunk_is_the_answer_decoded_whole() {
    let xml = large_answer(6000);
    let expected = ec2_sg::runtime::parse_response::<ec2_sg::operation::DescribeSecurityGroups>(200, xml.as_bytes())
        .expect("the answer decodes");
    let stub = Stub::start(vec![Reply::xml(200, &xml)]);
    let output = client_for(&stub, fast_retries(1)).describe_security_groups().send().await.expect("the call");
    assert_eq!(output, expected);
    assert_eq!(output.security_groups().len(), 6000);
}

#[tokio::test]
async fn a_large_answer_broken_midway_is_a_decode_error_never_a_partial_success() {
    let broken =
        large_answer(6000).replacen("</groupId>", "</groupID>", 3001).replacen("</groupID>", "</groupId>", 3000);
    let stub = Stub::start(vec![Reply::xml(200, &broken)]);
    let outcome = client_for(&stub, fast_retries(3)).describe_security_groups().send().await;
    let Err(error) = outcome.map_err(ec2_sg::Error::from) else { panic!("a broken answer is no success") };
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert!(error.to_string().contains("expected `</groupId>`"), "{error}");
    // Not retried: the one answer was read.
    assert_eq!(stub.received().len(), 1);
}

#[tokio::test]
async fn a_large_answer_cut_off_is_a_transport_error_even_where_it_no_longer_decodes() {
    // Cut after the document has already gone wrong: the transport's error is the call's.
    let broken = large_answer(6000).replacen("</groupId>", "</groupID>", 1);
    let stub = Stub::start(vec![
        Reply::xml(200, &broken).cut_after(1 << 20, Duration::ZERO),
        Reply::xml(200, &large_answer(5000)).cut_after(600_000, Duration::ZERO),
        Reply::xml(200, &large_answer(4000)),
    ]);
    let output = client_for(&stub, fast_retries(3)).describe_security_groups().send().await.expect("the third attempt");
    assert_eq!(output.security_groups().len(), 4000);
    assert_eq!(stub.received().len(), 3);
    let whole = large_answer(5000);
    let stub = Stub::start(vec![Reply::xml(200, &whole).cut_after(whole.len() - 100, Duration::ZERO)]);
    let outcome = client_for(&stub, fast_retries(1)).describe_security_groups().send().await;
    let Err(error) = outcome.map_err(ec2_sg::Error::from) else { panic!("a cut-off answer is no success") };
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
}

#[tokio::test]
async fn a_large_error_document_with_a_success_status_is_the_service_error() {
    let padding = "<!-- padding -->".repeat(80_000);
    let body = format!(
        "<Response>{padding}<Errors><Error><Code>InvalidGroup.NotFound</Code><Message>no</Message></Error></Errors><RequestID>r</RequestID></Response>"
    );
    let stub = Stub::start(vec![Reply::xml(200, &body)]);
    let error = client_for(&stub, fast_retries(1))
        .describe_security_groups()
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidGroup.NotFound"), "{error}");
}

/// The causes an error's `source()` chain gives, outermost first (bounded).
fn causes(error: &dyn std::error::Error) -> Vec<String> {
    std::iter::successors(error.source(), |e| e.source()).take(16).map(|e| e.to_string()).collect()
}

#[tokio::test]
async fn a_closed_port_says_connection_refused_at_the_top() {
    let config = refused_endpoint_config().retry_config(fast_retries(1)).build().unwrap();
    let error =
        Client::from_conf(config).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    let top = error.to_string();
    assert!(top.contains("could not connect to http://127.0.0.1:"), "{top}");
    assert!(top.contains("connection refused"), "the root cause is in the message itself: {top}");
    // The chain is kept for those who print it whole.
    let chain = causes(&error);
    assert!(chain.iter().any(|cause| cause.contains("os error")), "{chain:?}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_says_tls_at_the_top() {
    let stub = Stub::start(vec![Reply::xml(200, OK)]);
    let config = ec2_sg::Config::builder()
        .env(isolated_env())
        .region("us-east-1")
        .endpoint_url(stub.endpoint.replace("http://", "https://"))
        .credentials(Credentials::from_keys("AKID", "SECRET", None))
        .retry_config(fast_retries(1))
        .build()
        .unwrap();
    let error =
        Client::from_conf(config).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    let top = error.to_string();
    assert!(top.contains("TLS handshake failed"), "{top}");
    assert!(!causes(&error).is_empty(), "the chain is kept");
}
