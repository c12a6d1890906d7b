//! Contract tests, errors: every error users meet, replayed through the real client (retries
//! included, with 1-5 ms backoff), asserting every part of the error: kind, operation, code,
//! message, request id, HTTP status, whether it was retryable, and how many attempts were made.

use ec2_sg::operation::DescribeSecurityGroupsOutput;
use ec2_sg::runtime::replay::ReplayClient;
use ec2_sg::types::{IpPermission, IpRange, SecurityGroup, Tag, UserIdGroupPair};
use ec2_sg::{Error, ErrorKind};
use ec2_sg_tests::fixtures::{client, load, replay};
use ec2_sg_tests::ssh_from;

/// Everything an error says, for one `assert_eq!`.
#[derive(Debug, PartialEq)]
struct Parts<'a> {
    kind: ErrorKind,
    operation: Option<&'a str>,
    code: Option<&'a str>,
    message: Option<&'a str>,
    request_id: Option<&'a str>,
    http_status: Option<u16>,
    retryable: bool,
    attempts: u32,
}

fn parts(e: &Error) -> Parts<'_> {
    Parts {
        kind: e.kind(),
        operation: e.operation(),
        code: e.code(),
        message: e.message(),
        request_id: e.request_id(),
        http_status: e.http_status(),
        retryable: e.is_retryable(),
        attempts: e.attempts(),
    }
}

fn service<'a>(
    operation: &'a str,
    status: u16,
    code: &'a str,
    message: &'a str,
    request_id: Option<&'a str>,
) -> Parts<'a> {
    Parts {
        kind: ErrorKind::Service,
        operation: Some(operation),
        code: Some(code),
        message: Some(message),
        request_id,
        http_status: Some(status),
        retryable: false,
        attempts: 1,
    }
}

#[tokio::test]
async fn invalid_group_not_found() {
    let replay = replay(&["moto/error-invalid-group-not-found"]);
    let e = client(&replay)
        .describe_security_groups()
        .group_ids("sg-00000000000000001")
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    // moto quotes the id set the Python way; EC2 says "The security group 'sg-…' does not exist".
    let message = "The security group '{'sg-00000000000000001'}' does not exist";
    assert_eq!(parts(&e), service("DescribeSecurityGroups", 400, "InvalidGroup.NotFound", message, Some("request-id")));
    assert_eq!(
        e.to_string(),
        format!("DescribeSecurityGroups: InvalidGroup.NotFound (HTTP 400): {message} [request id request-id]")
    );
    replay.assert_requests_match();
}

#[tokio::test]
async fn invalid_group_id_malformed() {
    let replay = replay(&["documented/error-invalid-group-id-malformed"]);
    let e = client(&replay)
        .describe_security_groups()
        .group_ids("sg-not-hex")
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let expected = service(
        "DescribeSecurityGroups",
        400,
        "InvalidGroupId.Malformed",
        "Invalid id: \"sg-not-hex\" (expecting \"sg-...\")",
        Some("00000000-0000-0000-0000-00000000d001"),
    );
    assert_eq!(parts(&e), expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn invalid_group_duplicate() {
    let replay = replay(&["moto/error-invalid-group-duplicate"]);
    let e = client(&replay)
        .create_security_group()
        .group_name("ec2-sg-contract-web")
        .description("web servers")
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let message = "The security group 'ec2-sg-contract-web' already exists";
    assert_eq!(parts(&e), service("CreateSecurityGroup", 400, "InvalidGroup.Duplicate", message, Some("request-id")));
    replay.assert_requests_match();
}

#[tokio::test]
async fn invalid_permission_duplicate() {
    let replay = replay(&["moto/error-invalid-permission-duplicate"]);
    let from_web = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(5432)
        .to_port(5432)
        .user_id_group_pairs(
            UserIdGroupPair::builder().group_id("sg-00000000000000001").description("postgres from web").build(),
        )
        .build();
    let e = client(&replay)
        .authorize_security_group_ingress()
        .group_id("sg-00000000000000002")
        .ip_permissions(from_web)
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let expected = service(
        "AuthorizeSecurityGroupIngress",
        400,
        "InvalidPermission.Duplicate",
        "The specified rule already exists",
        Some("request-id"),
    );
    assert_eq!(parts(&e), expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn invalid_permission_not_found() {
    let replay = replay(&["moto/error-invalid-permission-not-found"]);
    let smtp = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(25)
        .to_port(25)
        .ip_ranges(IpRange::builder().cidr_ip("192.0.2.0/24").build())
        .build();
    let e = client(&replay)
        .revoke_security_group_ingress()
        .group_id("sg-00000000000000001")
        .ip_permissions(smtp)
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let expected = service(
        "RevokeSecurityGroupIngress",
        400,
        "InvalidPermission.NotFound",
        "The specified rule does not exist in this security group",
        Some("request-id"),
    );
    assert_eq!(parts(&e), expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn dependency_violation() {
    let replay = replay(&["documented/error-dependency-violation"]);
    let e = client(&replay)
        .delete_security_group()
        .group_id("sg-00000000000000002")
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let expected = service(
        "DeleteSecurityGroup",
        400,
        "DependencyViolation",
        "resource sg-00000000000000002 has a dependent object",
        Some("00000000-0000-0000-0000-00000000d002"),
    );
    assert_eq!(parts(&e), expected);
    // What EC2 does not say, the error does: where to look for what holds the group.
    let shown = e.to_string();
    for pointer in ["SecurityGroup::usage()", "DescribeNetworkInterfaces", "DescribeSecurityGroupReferences"] {
        assert!(shown.contains(pointer), "no `{pointer}` in {shown}");
    }
    replay.assert_requests_match();
}

#[tokio::test]
async fn dry_run_operation() {
    let replay = replay(&["moto/error-dry-run-operation"]);
    let e = client(&replay)
        .create_security_group()
        .group_name("ec2-sg-contract-dry")
        .description("dry")
        .dry_run(true)
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let expected = service(
        "CreateSecurityGroup",
        412,
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
        Some("request-id"),
    );
    assert_eq!(parts(&e), expected);
    assert!(e.is_dry_run_success());
    replay.assert_requests_match();
}

#[tokio::test]
async fn unauthorized_operation() {
    let replay = replay(&["documented/error-unauthorized-operation"]);
    let e = client(&replay)
        .authorize_security_group_ingress()
        .group_id("sg-00000000000000001")
        .ip_permissions(ssh_from("0.0.0.0/0"))
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let expected = service(
        "AuthorizeSecurityGroupIngress",
        403,
        "UnauthorizedOperation",
        "You are not authorized to perform this operation. Encoded authorization failure message: \
         ZmFrZS1lbmNvZGVkLW1lc3NhZ2U",
        Some("00000000-0000-0000-0000-00000000d003"),
    );
    assert_eq!(parts(&e), expected);
    assert!(!e.is_dry_run_success());
    replay.assert_requests_match();
}

#[tokio::test]
async fn auth_failure_in_the_error_response_form() {
    let replay = replay(&["moto/error-auth-failure"]);
    let e = client(&replay).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    // moto's <ErrorResponse> carries no request id.
    let expected = service(
        "DescribeSecurityGroups",
        401,
        "AuthFailure",
        "AWS was not able to validate the provided access credentials",
        None,
    );
    assert_eq!(parts(&e), expected);
    replay.assert_requests_match();
}

fn throttled_then_ok() -> ReplayClient {
    ReplayClient::new([
        load("documented/error-request-limit-exceeded"),
        load("documented/describe-security-groups-after-throttling"),
    ])
}

#[tokio::test]
async fn request_limit_exceeded_is_retried_and_then_answered() {
    let replay = throttled_then_ok();
    let out = client(&replay).describe_security_groups().group_ids("sg-00000000000000001").send().await.unwrap();
    let all_out = IpPermission::builder()
        .ip_protocol("-1")
        .set_user_id_group_pairs(Some(vec![]))
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .set_ipv6_ranges(Some(vec![]))
        .set_prefix_list_ids(Some(vec![]))
        .build();
    let group = SecurityGroup::builder()
        .owner_id("000000000001")
        .group_id("sg-00000000000000001")
        .group_name("ec2-sg-contract-web")
        .description("web servers")
        .vpc_id("vpc-00000000000000001")
        .security_group_arn("arn:aws:ec2:us-east-1:000000000001:security-group/sg-00000000000000001")
        .set_ip_permissions(Some(vec![]))
        .ip_permissions_egress(all_out)
        .build();
    let expected = DescribeSecurityGroupsOutput::builder()
        .security_groups(group)
        .request_id("00000000-0000-0000-0000-00000000d005")
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
    let requests = replay.requests();
    assert_eq!(requests.len(), 2, "one throttled attempt, one retry");
    assert_eq!(requests[0].body, requests[1].body, "the retry sends the same request");
}

#[test]
fn the_blocking_client_retries_throttling_too() {
    let replay = throttled_then_ok();
    let client = ec2_sg_tests::fixtures::blocking_client(&replay);
    let out = client.describe_security_groups().group_ids("sg-00000000000000001").send().unwrap();
    assert_eq!(out.request_id(), Some("00000000-0000-0000-0000-00000000d005"));
    replay.assert_requests_match();
}

#[tokio::test]
async fn request_limit_exceeded_every_time_gives_up_after_three_attempts() {
    let throttled = load("documented/error-request-limit-exceeded");
    let replay = ReplayClient::new(vec![throttled; 3]);
    let e = client(&replay)
        .describe_security_groups()
        .group_ids("sg-00000000000000001")
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let expected = Parts {
        retryable: true,
        attempts: 3,
        ..service(
            "DescribeSecurityGroups",
            503,
            "RequestLimitExceeded",
            "Request limit exceeded.",
            Some("00000000-0000-0000-0000-00000000d004"),
        )
    };
    assert_eq!(parts(&e), expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn an_html_502_from_a_proxy_is_retried_then_named_after_the_status() {
    let replay = ReplayClient::new(vec![load("documented/error-bad-gateway-html"); 3]);
    let e = client(&replay).describe_tags().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    let message =
        "HTTP 502 with a body that is not an EC2 error document: <html>\n<head><title>502 Bad Gateway</title>\
                   </head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>";
    let expected = Parts { retryable: true, attempts: 3, ..service("DescribeTags", 502, "BadGateway", message, None) };
    assert_eq!(parts(&e), expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn an_empty_500_is_retried_then_named_after_the_status() {
    let replay = ReplayClient::new(vec![load("documented/error-internal-empty"); 3]);
    let e = client(&replay)
        .create_tags()
        .resources("sg-00000000000000001")
        .tags(Tag::builder().key("team").value("web").build())
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    let expected = Parts {
        retryable: true,
        attempts: 3,
        ..service("CreateTags", 500, "InternalError", "HTTP 500 with an empty body", None)
    };
    assert_eq!(parts(&e), expected);
    replay.assert_requests_match();
}
