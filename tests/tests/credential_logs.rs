//! No secret in what the SDK logs, with everything it logs captured: the capture is the global
//! subscriber of this test binary (a binary of its own, so that no other test's subscriber or
//! logs mix in), since credential fetches run on threads of their own, which a thread-local
//! subscriber (`tracing::subscriber::with_default`) never hears. Before, with a thread-local
//! capture, an instance metadata source that logged the credentials document at debug level
//! passed this test.

use ec2_sg::runtime::credentials::{ImdsCredentials, ProvideCredentials};
use ec2_sg::runtime::env::Env;
use ec2_sg_tests::observe::{LogCapture, ManualClock};
use ec2_sg_tests::stub::{Reply, Stub};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";
const IMDS_TOKEN: &str = "AQAEAEXAMPLEIMDSTOKEN==";
/// 2026-12-02T10:00:00Z.
const NOW: u64 = 1_796_205_600;

const DESCRIBE_EMPTY: &str = "<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
    <requestId>req-1</requestId><securityGroupInfo/></DescribeSecurityGroupsResponse>";

fn imds_env(stub: &Stub, more: &[(&str, &str)]) -> Env {
    let mut vars = vec![
        ("HOME".to_owned(), "/nonexistent-ec2-sg-test-home".to_owned()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT".to_owned(), stub.endpoint.clone()),
    ];
    vars.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_vars(vars)
}

/// The three answers of one IMDSv2 credentials fetch, expiring at `expires`.
fn imds_fetch(key_id: &str, expires: u64) -> Vec<Reply> {
    let expiration = ec2_sg::primitives::DateTime::from_secs(expires as i64)
        .fmt(ec2_sg::primitives::DateTimeFormat::DateTime)
        .unwrap();
    let document = format!(
        r#"{{"Code": "Success", "LastUpdated": "2026-12-02T09:00:00Z", "Type": "AWS-HMAC", "AccessKeyId": "{key_id}",
            "SecretAccessKey": "{SECRET}", "Token": "{TOKEN}", "Expiration": "{expiration}"}}"#
    );
    vec![Reply::text(200, IMDS_TOKEN), Reply::text(200, "web-server-role\n"), Reply::json(200, &document)]
}

#[test]
fn no_secret_in_what_is_logged() {
    let capture = LogCapture::global();
    let mut script = imds_fetch("ASIALOGGED", NOW + 3600);
    script.push(Reply::text(503, "unavailable"));
    let imds = Stub::start(script);
    let ec2 = Stub::start(vec![Reply::xml(200, DESCRIBE_EMPTY)]);
    let clock = ManualClock::at(NOW);
    let provider = ImdsCredentials::with_env(imds_env(&imds, &[])).with_time_source(clock.clone());
    provider.provide_credentials().unwrap();
    clock.set(NOW + 2 * 3600);
    provider.provide_credentials().unwrap();
    let config = ec2_sg::Config::builder()
        .env(imds_env(&imds, &[("AWS_REGION", "us-east-1")]))
        .endpoint_url(&ec2.endpoint)
        .credentials(ec2_sg::Credentials::from_keys("ASIALOGGED", SECRET, Some(TOKEN.to_owned())))
        .build()
        .unwrap();
    ec2_sg::blocking::Client::from_conf(config).unwrap().describe_security_groups().send().unwrap();
    let log = capture.text();
    // The outage was logged, and so was the call: the check below looks at real lines.
    assert!(
        log.contains("WARN") && log.contains("cannot refresh credentials from the instance metadata service"),
        "{log}"
    );
    assert!(log.contains("DescribeSecurityGroups"), "{log}");
    for secret in [SECRET, TOKEN, IMDS_TOKEN] {
        assert!(!log.contains(secret), "a secret leaked: {log}");
    }
}
