//! Credentials from the endpoints a deployment provides: the EC2 instance metadata service and
//! container agents (ECS, EKS Pod Identity), served by scripted fake servers on 127.0.0.1. Each
//! test starts from the environment variables a real deployment sets; clocks are set by hand,
//! and nothing sleeps but the one timeout test.

use std::time::Duration;

use ec2_sg::runtime::credentials::{
    ContainerCredentials, CredentialsError, DefaultCredentialsChain, ImdsCredentials, ProvideCredentials,
};
use ec2_sg::runtime::env::Env;
use ec2_sg_tests::observe::{at, ManualClock};
use ec2_sg_tests::stub::{Reply, Stub};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";
const IMDS_TOKEN: &str = "AQAEAEXAMPLEIMDSTOKEN==";
/// 2026-12-02T10:00:00Z.
const NOW: u64 = 1_796_205_600;

fn env(vars: &[(&str, &str)]) -> Env {
    let mut all = vec![("HOME".to_owned(), "/nonexistent-ec2-sg-test-home".to_owned())];
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_vars(all)
}

fn imds_env(stub: &Stub, more: &[(&str, &str)]) -> Env {
    let mut vars = vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", stub.endpoint.as_str())];
    vars.extend_from_slice(more);
    env(&vars)
}

/// The document IMDS serves for a role, expiring at `expires` (seconds since the epoch).
fn imds_document(key_id: &str, expires: u64) -> String {
    let expiration = ec2_sg::primitives::DateTime::from_secs(expires as i64)
        .fmt(ec2_sg::primitives::DateTimeFormat::DateTime)
        .unwrap();
    format!(
        r#"{{"Code": "Success", "LastUpdated": "2026-12-02T09:00:00Z", "Type": "AWS-HMAC", "AccessKeyId": "{key_id}",
            "SecretAccessKey": "{SECRET}", "Token": "{TOKEN}", "Expiration": "{expiration}"}}"#
    )
}

/// The three answers of one IMDSv2 credentials fetch.
fn imds_fetch(key_id: &str, expires: u64) -> Vec<Reply> {
    vec![
        Reply::text(200, IMDS_TOKEN),
        Reply::text(200, "web-server-role\n"),
        Reply::json(200, &imds_document(key_id, expires)),
    ]
}

fn assert_no_secret(text: &str) {
    for secret in [SECRET, TOKEN, IMDS_TOKEN] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

// --- the instance metadata service ---

#[test]
fn imds_v2_token_then_role_then_credentials() {
    let stub = Stub::start(imds_fetch("ASIAIMDS", NOW + 6 * 3600));
    let provider = ImdsCredentials::with_env(imds_env(&stub, &[])).with_time_source(ManualClock::at(NOW));
    let credentials = provider.provide_credentials().unwrap();
    assert_eq!(credentials.access_key_id(), "ASIAIMDS");
    assert_eq!(credentials.secret_access_key(), SECRET);
    assert_eq!(credentials.session_token(), Some(TOKEN));
    assert_eq!(credentials.expiry(), Some(at(NOW + 6 * 3600)));

    let received = stub.received();
    let requests: Vec<(&str, &str)> = received.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    assert_eq!(
        requests,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            ("GET", "/latest/meta-data/iam/security-credentials/web-server-role"),
        ]
    );
    assert_eq!(received[0].header("x-aws-ec2-metadata-token-ttl-seconds"), Some("21600"));
    assert_eq!(received[0].header("x-aws-ec2-metadata-token"), None);
    for request in &received[1..] {
        assert_eq!(request.header("x-aws-ec2-metadata-token"), Some(IMDS_TOKEN));
    }
    assert_no_secret(&format!("{provider:?} {credentials:?}"));
}

#[test]
fn imds_v1_fallback_only_where_allowed() {
    // A 403 to the token request: botocore goes on without a token (IMDSv1).
    let stub = Stub::start(vec![
        Reply::text(403, "Forbidden"),
        Reply::text(200, "legacy-role"),
        Reply::json(200, &imds_document("ASIAV1", NOW + 3600)),
    ]);
    let credentials = ImdsCredentials::with_env(imds_env(&stub, &[])).provide_credentials().unwrap();
    assert_eq!(credentials.access_key_id(), "ASIAV1");
    assert!(stub.received()[1..].iter().all(|r| r.header("x-aws-ec2-metadata-token").is_none()));

    // With IMDSv1 disabled, the same answer ends the fetch.
    let stub = Stub::start(vec![Reply::text(403, "Forbidden")]);
    let env = imds_env(&stub, &[("AWS_EC2_METADATA_V1_DISABLED", "true")]);
    let err = ImdsCredentials::with_env(env).provide_credentials().unwrap_err();
    assert!(err.to_string().contains("refused a session token: 403; IMDSv1 is disabled"), "{err}");
    assert_eq!(stub.received().len(), 1);
}

#[test]
fn imds_settings_come_from_the_profile_too() {
    let dir = std::env::temp_dir().join(format!("ec2-sg-imds-profile-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".aws")).unwrap();
    let stub = Stub::start(imds_fetch("ASIAPROFILE", NOW + 3600));
    std::fs::write(
        dir.join(".aws/config"),
        format!("[default]\nec2_metadata_service_endpoint = {}\nmetadata_service_num_attempts = 2\n", stub.endpoint),
    )
    .unwrap();
    let env = Env::from_vars([("HOME", dir.to_str().unwrap())]);
    let credentials = ImdsCredentials::with_env(env).provide_credentials().unwrap();
    assert_eq!(credentials.access_key_id(), "ASIAPROFILE");
    // A mode that is neither IPv4 nor IPv6 is an error, not a guess.
    std::fs::write(dir.join(".aws/config"), "[default]\nec2_metadata_service_endpoint_mode = IPv5\n").unwrap();
    let env = Env::from_vars([("HOME", dir.to_str().unwrap())]);
    let err = ImdsCredentials::with_env(env).provide_credentials().unwrap_err();
    assert_eq!(
        err.to_string(),
        "ec2_metadata_service_endpoint_mode in profile \"default\" must be IPv4 or IPv6, not \"IPv5\""
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn imds_outage_keeps_the_last_credentials_for_a_while() {
    let mut script = imds_fetch("ASIAFIRST", NOW + 3600);
    script.push(Reply::text(503, "unavailable"));
    let stub = Stub::start(script);
    let clock = ManualClock::at(NOW);
    let provider = ImdsCredentials::with_env(imds_env(&stub, &[])).with_time_source(clock.clone());
    assert_eq!(provider.provide_credentials().unwrap().expiry(), Some(at(NOW + 3600)));

    // Two hours later IMDS is down: the last credentials are used for 12 to 20 more minutes.
    clock.set(NOW + 2 * 3600);
    let stale = provider.provide_credentials().unwrap();
    assert_eq!(stale.access_key_id(), "ASIAFIRST");
    let expiry = stale.expiry().unwrap();
    assert!(expiry >= at(NOW + 2 * 3600 + 12 * 60) && expiry <= at(NOW + 2 * 3600 + 20 * 60), "{expiry:?}");
    assert_eq!(stub.received().len(), 4);

    // With nothing fetched before, an outage is an error the chain can go past.
    let stub = Stub::start(vec![Reply::text(503, "unavailable")]);
    let err = ImdsCredentials::with_env(imds_env(&stub, &[])).provide_credentials().unwrap_err();
    assert!(err.is_not_loaded(), "{err}");
    assert_eq!(err.to_string(), format!("instance metadata service at {} (answered 503)", stub.endpoint));
}

#[test]
fn imds_credentials_that_have_expired_are_extended() {
    let stub = Stub::start(imds_fetch("ASIAOLD", NOW - 60));
    let provider = ImdsCredentials::with_env(imds_env(&stub, &[])).with_time_source(ManualClock::at(NOW));
    let credentials = provider.provide_credentials().unwrap();
    let expiry = credentials.expiry().unwrap();
    assert!(expiry >= at(NOW + 12 * 60) && expiry <= at(NOW + 20 * 60), "{expiry:?}");
}

#[test]
fn imds_bad_answers_are_clear_errors_without_secrets() {
    let cases: [(Reply, &str); 4] = [
        (
            Reply::json(200, &format!(r#"{{"Code": "Success", "AccessKeyId": "A", "SecretAccessKey": "{SECRET}""#)),
            "invalid JSON",
        ),
        (
            Reply::json(200, &format!(r#"{{"Code": "Success", "SecretAccessKey": "{SECRET}"}}"#)),
            "JSON without AccessKeyId",
        ),
        (Reply::json(200, r#"{"Code": "AssumeRoleUnauthorizedAccess", "Message": "denied"}"#), "Code is not Success"),
        (Reply::html(200, "<html>captive portal</html>"), "invalid JSON"),
    ];
    for (document, expected) in cases {
        let stub = Stub::start(vec![Reply::text(200, IMDS_TOKEN), Reply::text(200, "role"), document]);
        let err = ImdsCredentials::with_env(imds_env(&stub, &[])).provide_credentials().unwrap_err();
        let text = err.to_string();
        assert!(!err.is_not_loaded() && text.contains(expected), "{text}");
        assert!(text.starts_with(&format!("the instance metadata service at {} answered", stub.endpoint)), "{text}");
        assert_no_secret(&format!("{} {err:?}", ec2_sg_tests::observe::error_chain_text(&err)));
    }
    // A role name that is not one (a path, a header injection) is refused before it is used.
    let stub = Stub::start(vec![Reply::text(200, IMDS_TOKEN), Reply::text(200, "../../x\r\n")]);
    let err = ImdsCredentials::with_env(imds_env(&stub, &[])).provide_credentials().unwrap_err();
    assert!(err.to_string().contains("named a role that is not a role name"), "{err}");
    // No instance profile: IMDS answers 404, and the chain goes on.
    let stub = Stub::start(vec![Reply::text(200, IMDS_TOKEN), Reply::text(404, "Not Found")]);
    let err = ImdsCredentials::with_env(imds_env(&stub, &[])).provide_credentials().unwrap_err();
    assert!(err.is_not_loaded() && err.to_string().contains("no instance profile is attached"), "{err}");
}

/// Before, the error of an oversized answer pointed at `Config::builder().max_response_bytes`,
/// which does not apply to credential sources.
#[test]
fn an_oversized_answer_of_a_credential_source_names_the_limit_that_applies() {
    let huge = format!(r#"{{"Code": "Success", "Padding": "{}"}}"#, "x".repeat(10 << 20));
    let imds = Stub::start(vec![Reply::text(200, IMDS_TOKEN), Reply::text(200, "role"), Reply::json(200, &huge)]);
    let imds_error = ImdsCredentials::with_env(imds_env(&imds, &[])).provide_credentials().unwrap_err();
    let container = Stub::start(vec![Reply::json(200, &huge), Reply::json(200, &huge), Reply::json(200, &huge)]);
    let uri = format!("{}/creds", container.endpoint);
    let container_error = ContainerCredentials::with_env(env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]))
        .provide_credentials()
        .unwrap_err();
    for error in [imds_error, container_error] {
        let text = error.to_string();
        assert!(text.contains("larger than 65536 bytes, the fixed limit of a credential source's answer"), "{text}");
        assert!(text.contains("`Config::builder().max_response_bytes` does not apply"), "{text}");
        assert!(!text.contains("the configured limit"), "{text}");
    }
}

#[test]
fn imds_timeout_is_short_and_configurable() {
    let stub = Stub::start(vec![Reply::text(200, IMDS_TOKEN).delayed(Duration::from_secs(3))]);
    let env = imds_env(&stub, &[("AWS_METADATA_SERVICE_TIMEOUT", "0.2")]);
    let started = std::time::Instant::now();
    let err = ImdsCredentials::with_env(env).provide_credentials().unwrap_err();
    assert!(err.is_not_loaded(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    for (variable, value) in [("AWS_METADATA_SERVICE_TIMEOUT", "soon"), ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0")] {
        let err = ImdsCredentials::with_env(env_with(variable, value)).provide_credentials().unwrap_err();
        assert!(err.to_string().starts_with(variable), "{err}");
    }
}

fn env_with(variable: &str, value: &str) -> Env {
    env(&[(variable, value), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")])
}

#[test]
fn imds_disabled_is_not_asked() {
    let err =
        ImdsCredentials::with_env(env(&[("AWS_EC2_METADATA_DISABLED", "true")])).provide_credentials().unwrap_err();
    assert!(err.is_not_loaded());
    assert_eq!(err.to_string(), "instance metadata service (disabled by AWS_EC2_METADATA_DISABLED)");
}

#[test]
fn region_comes_from_imds_last() {
    let stub = Stub::start(vec![Reply::text(200, IMDS_TOKEN), Reply::text(200, "ap-southeast-2")]);
    let config = ec2_sg::Config::builder()
        .env(imds_env(&stub, &[]))
        .credentials(ec2_sg::Credentials::from_keys("AKID", "S", None))
        .build()
        .unwrap();
    assert_eq!(config.region(), "ap-southeast-2");
    assert_eq!(stub.received()[1].path, "/latest/meta-data/placement/region");
    // The environment still comes first, and IMDS is not asked.
    let stub = Stub::start(vec![]);
    let config = ec2_sg::Config::builder()
        .env(imds_env(&stub, &[("AWS_REGION", "eu-west-3")]))
        .credentials(ec2_sg::Credentials::from_keys("AKID", "S", None))
        .build()
        .unwrap();
    assert_eq!(config.region(), "eu-west-3");
    assert!(stub.received().is_empty());
}

// --- container agents ---

fn container_document(key_id: &str) -> String {
    format!(
        r#"{{"AccessKeyId": "{key_id}", "SecretAccessKey": "{SECRET}", "Token": "{TOKEN}",
            "Expiration": "2030-01-01T00:00:00Z", "AccountId": "123456789012"}}"#
    )
}

#[test]
fn container_full_uri_with_a_token_file_read_on_every_fetch() {
    let stub = Stub::start(vec![
        Reply::json(200, &container_document("ASIAPOD1")),
        Reply::json(200, &container_document("ASIAPOD2")),
    ]);
    let token_file = std::env::temp_dir().join(format!("ec2-sg-pod-identity-token-{}", std::process::id()));
    std::fs::write(&token_file, "first-token\n").unwrap();
    let uri = format!("{}/v1/credentials?purpose=test", stub.endpoint);
    let env = env(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file.to_str().unwrap()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-a-file-is-named"),
    ]);
    let provider = ContainerCredentials::with_env(env);
    let first = provider.provide_credentials().unwrap();
    assert_eq!((first.access_key_id(), first.session_token()), ("ASIAPOD1", Some(TOKEN)));
    std::fs::write(&token_file, "rotated-token").unwrap();
    assert_eq!(provider.provide_credentials().unwrap().access_key_id(), "ASIAPOD2");
    let received = stub.received();
    assert_eq!(received[0].path, "/v1/credentials?purpose=test");
    assert_eq!(received[0].header("authorization"), Some("first-token"));
    assert_eq!(received[1].header("authorization"), Some("rotated-token"));
    let _ = std::fs::remove_file(token_file);
}

#[test]
fn container_token_from_the_environment() {
    let stub = Stub::start(vec![Reply::json(200, &container_document("ASIATASK"))]);
    let uri = format!("{}/creds", stub.endpoint);
    let env = env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc")]);
    assert_eq!(ContainerCredentials::with_env(env).provide_credentials().unwrap().access_key_id(), "ASIATASK");
    assert_eq!(stub.received()[0].header("authorization"), Some("Basic abc"));
}

#[test]
fn container_full_uri_must_not_send_the_token_in_clear_text_elsewhere() {
    for uri in ["http://169.254.169.254/creds", "http://example.com/creds", "http://10.0.0.1:80/creds"] {
        let err = ContainerCredentials::with_env(env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]))
            .provide_credentials()
            .unwrap_err();
        assert!(err.to_string().contains("must be a loopback address or the ECS or EKS agent"), "{uri}: {err}");
    }
    let err = ContainerCredentials::with_env(env(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/x"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Injected: 1"),
    ]))
    .provide_credentials()
    .unwrap_err();
    assert!(err.to_string().contains("holds a line break"), "{err}");
}

#[test]
fn container_errors_are_retried_then_reported() {
    let stub = Stub::start(vec![Reply::text(500, "busy"), Reply::text(502, "busy"), Reply::text(503, "busy")]);
    let uri = format!("{}/creds", stub.endpoint);
    let err = ContainerCredentials::with_env(env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]))
        .provide_credentials()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("the container credentials endpoint {uri} could not be used (answered 503; 3 attempts)")
    );
    assert_eq!(stub.received().len(), 3);

    let stub = Stub::start(vec![Reply::json(403, r#"{"code": "AccessDenied", "message": "token expired"}"#)]);
    let uri = format!("{}/creds", stub.endpoint);
    let err = ContainerCredentials::with_env(env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]))
        .provide_credentials()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("the container credentials endpoint {uri} answered 403: AccessDenied: token expired")
    );
}

#[test]
fn container_bad_answers_carry_no_secret_in_any_cause() {
    for document in [
        format!(r#"{{"AccessKeyId": "A", "SecretAccessKey": "{SECRET}", "Token": "{TOKEN}""#),
        format!(r#"{{"SecretAccessKey": "{SECRET}", "Token": "{TOKEN}", "Expiration": "2099-01-01T00:00:00Z"}}"#),
        format!(r#"{{"AccessKeyId": "A", "SecretAccessKey": "{SECRET}", "Token": "{TOKEN}", "Expiration": "soon"}}"#),
    ] {
        let stub = Stub::start(vec![Reply::json(200, &document)]);
        let uri = format!("{}/creds", stub.endpoint);
        let err = ContainerCredentials::with_env(env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]))
            .provide_credentials()
            .unwrap_err();
        assert!(!err.is_not_loaded(), "{err}");
        assert_no_secret(&format!("{} {err:?}", ec2_sg_tests::observe::error_chain_text(&err)));
    }
}

/// A role's STS calls are signed for the region IMDS names when nothing else does: the region
/// lookup asks IMDS before the STS call is handed to the fetch runtime, not from inside it.
#[test]
fn a_role_without_a_configured_region_signs_for_the_region_imds_names() {
    const ASSUMED: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
        <Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey>
        <SessionToken>role-token</SessionToken><Expiration>2030-01-02T03:04:05Z</Expiration></Credentials>
        </AssumeRoleResult></AssumeRoleResponse>"#;
    let imds = Stub::start(vec![Reply::text(200, IMDS_TOKEN), Reply::text(200, "eu-west-3")]);
    let sts = Stub::start(vec![Reply::xml(200, ASSUMED)]);
    let config = std::env::temp_dir().join(format!("ec2-sg-imds-region-{}.ini", std::process::id()));
    std::fs::write(
        &config,
        "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n\
         [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n",
    )
    .unwrap();
    let env = imds_env(
        &imds,
        &[("AWS_CONFIG_FILE", config.to_str().unwrap()), ("AWS_ENDPOINT_URL_STS", sts.endpoint.as_str())],
    );
    let credentials = ec2_sg::runtime::credentials::ProfileCredentials::with_env(env).provide_credentials();
    let _ = std::fs::remove_file(&config);
    assert_eq!(credentials.unwrap().access_key_id(), "ASIAROLE");
    let authorization = sts.received()[0].header("authorization").unwrap_or_default().to_owned();
    assert!(authorization.contains("/eu-west-3/sts/aws4_request"), "{authorization}");
}

// --- the default chain, end to end ---

const DESCRIBE_EMPTY: &str = "<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
    <requestId>req-1</requestId><securityGroupInfo/></DescribeSecurityGroupsResponse>";

fn signed_with(received: &ec2_sg_tests::stub::Received) -> String {
    let authorization = received.header("authorization").unwrap_or_default();
    authorization.split("Credential=").nth(1).and_then(|c| c.split('/').next()).unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "current_thread")]
async fn async_client_signs_with_instance_profile_credentials() {
    let imds = Stub::start(imds_fetch("ASIAINSTANCE", NOW + 6 * 3600));
    let ec2 = Stub::start(vec![Reply::xml(200, DESCRIBE_EMPTY), Reply::xml(200, DESCRIBE_EMPTY)]);
    let config = ec2_sg::Config::builder()
        .env(imds_env(&imds, &[("AWS_REGION", "us-east-1")]))
        .endpoint_url(&ec2.endpoint)
        .build()
        .unwrap();
    let client = ec2_sg::Client::from_conf(config);
    client.describe_security_groups().send().await.unwrap();
    client.describe_security_groups().send().await.unwrap();
    let received = ec2.received();
    assert_eq!(signed_with(&received[0]), "ASIAINSTANCE");
    assert_eq!(received[1].header("x-amz-security-token"), Some(TOKEN));
    // Cached: IMDS was asked once for two calls.
    assert_eq!(imds.received().len(), 3);
}

#[test]
fn blocking_client_signs_with_container_credentials_before_imds() {
    let agent = Stub::start(vec![Reply::json(200, &container_document("ASIACONTAINER"))]);
    let imds = Stub::start(vec![]);
    let ec2 = Stub::start(vec![Reply::xml(200, DESCRIBE_EMPTY)]);
    let uri = format!("{}/creds", agent.endpoint);
    let env = imds_env(&imds, &[("AWS_REGION", "us-east-1"), ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]);
    let config = ec2_sg::Config::builder().env(env).endpoint_url(&ec2.endpoint).build().unwrap();
    let client = ec2_sg::blocking::Client::from_conf(config).unwrap();
    client.describe_security_groups().send().unwrap();
    assert_eq!(signed_with(&ec2.received()[0]), "ASIACONTAINER");
    assert!(imds.received().is_empty());
}

/// One provider serves both clients, and a provider asked in place inside an async runtime (no
/// cache in front) fetches without starting a runtime there, which would panic.
#[tokio::test(flavor = "current_thread")]
async fn one_container_provider_serves_both_clients_from_a_current_thread_runtime() {
    let agent = Stub::start(vec![
        Reply::json(200, &container_document("ASIAFIRST")),
        Reply::json(200, &container_document("ASIASECOND")),
    ]);
    let ec2 = Stub::start(vec![Reply::xml(200, DESCRIBE_EMPTY), Reply::xml(200, DESCRIBE_EMPTY)]);
    let uri = format!("{}/creds", agent.endpoint);
    let env = env(&[
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
    ]);
    let config = ec2_sg::Config::builder().env(env.clone()).endpoint_url(&ec2.endpoint).build().unwrap();
    ec2_sg::Client::from_conf(config.clone()).describe_security_groups().send().await.unwrap();
    tokio::task::spawn_blocking(move || {
        ec2_sg::blocking::Client::from_conf(config).unwrap().describe_security_groups().send().unwrap()
    })
    .await
    .unwrap();
    let in_place = ContainerCredentials::with_env(env).provide_credentials().unwrap();
    assert_eq!(in_place.access_key_id(), "ASIASECOND");
    for received in ec2.received() {
        assert_eq!(signed_with(&received), "ASIAFIRST");
    }
    assert_eq!(agent.received().len(), 2);
}

#[test]
fn the_chain_names_every_place_it_looked() {
    let stub = Stub::start(vec![Reply::text(200, IMDS_TOKEN), Reply::text(404, "Not Found")]);
    let err: CredentialsError =
        DefaultCredentialsChain::with_env(imds_env(&stub, &[])).provide_credentials().unwrap_err();
    let text = err.to_string();
    for place in [
        "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set)",
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set)",
        "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set)",
        &format!("instance metadata service at {} (no instance profile is attached)", stub.endpoint),
    ] {
        assert!(text.contains(place), "{place} missing from: {text}");
    }
}

// --- providers written for aws-sdk-rust ---

/// A provider as aws-sdk-ec2 users write them: aws-credential-types' async trait.
#[derive(Debug)]
struct VaultProvider {
    fail: bool,
}

impl aws_credential_types::provider::ProvideCredentials for VaultProvider {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(if self.fail {
            Err(aws_credential_types::provider::error::CredentialsError::not_loaded("the vault is sealed"))
        } else {
            Ok(ec2_sg::Credentials::new("ASIAVAULT", SECRET, Some(TOKEN.to_owned()), None, "vault"))
        })
    }
}

#[test]
fn a_provider_written_for_aws_sdk_rust_plugs_in() {
    use aws_credential_types::provider::SharedCredentialsProvider;
    let ec2 = Stub::start(vec![Reply::xml(200, DESCRIBE_EMPTY), Reply::xml(200, DESCRIBE_EMPTY)]);
    let config = ec2_sg::Config::builder()
        .env(env(&[("AWS_REGION", "us-east-1"), ("AWS_EC2_METADATA_DISABLED", "true")]))
        .endpoint_url(&ec2.endpoint)
        .credentials_provider(SharedCredentialsProvider::new(VaultProvider { fail: false }))
        .build()
        .unwrap();
    ec2_sg::blocking::Client::from_conf(config.clone()).unwrap().describe_security_groups().send().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(ec2_sg::Client::from_conf(config).describe_security_groups().send()).unwrap();
    for received in ec2.received() {
        assert_eq!(signed_with(&received), "ASIAVAULT");
    }
    // Its errors keep their kind and text.
    let sealed = SharedCredentialsProvider::new(VaultProvider { fail: true });
    let err = ProvideCredentials::provide_credentials(&sealed).unwrap_err();
    assert!(err.is_not_loaded() && err.to_string().contains("the vault is sealed"), "{err}");
}
