//! What a hostile answer can cost the decoder: time linear in its size whatever its shape (many
//! attributes on one element or on many), decoded output bounded by a limit that names its knob
//! (floods of empty list items), and attribute values that XML does not allow refused, in the
//! output and the error decoders. Times are compared as ratios to a same-size real answer decoded
//! in the same process, never against a wall clock.

use ec2_sg::operation::{AuthorizeSecurityGroupIngress, DescribeSecurityGroups};
use ec2_sg::runtime::body::Body;
use ec2_sg::runtime::xml::{DEFAULT_MAX_DECODED_BYTES, MAX_ATTRIBUTES};
use ec2_sg::runtime::{parse_response, parse_response_body, ResponseError, ServiceError};
use ec2_sg::{Credentials, ErrorKind};
use ec2_sg_tests::moto::isolated_env;
use ec2_sg_tests::stub::{fast_retries, Reply, Stub};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const HEAD: &str =
    r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId>"#;
const TAIL: &str = "</DescribeSecurityGroupsResponse>";

/// A DescribeSecurityGroups page as EC2 writes it (the shape of `cargo xtask bench`'s): `groups`
/// groups of `rules` described TCP rules, one egress rule and one tag.
fn page(groups: usize, rules: usize) -> String {
    let mut xml = format!("{HEAD}<securityGroupInfo>");
    for g in 0..groups {
        write!(
            xml,
            "<item><ownerId>123456789012</ownerId><groupId>sg-{g:017x}</groupId><groupName>group-{g}</groupName>\
             <groupDescription>security group number {g}</groupDescription><vpcId>vpc-0a1b2c3d4e5f60718</vpcId>\
             <securityGroupArn>arn:aws:ec2:us-east-1:123456789012:security-group/sg-{g:017x}</securityGroupArn><ipPermissions>"
        )
        .unwrap();
        for r in 0..rules {
            write!(
                xml,
                "<item><ipProtocol>tcp</ipProtocol><fromPort>{p}</fromPort><toPort>{p}</toPort><groups/>\
                 <ipRanges><item><cidrIp>10.{a}.{b}.0/24</cidrIp><description>rule {r} of sg-{g:017x}</description></item></ipRanges>\
                 <ipv6Ranges/><prefixListIds/></item>",
                p = 1000 + r,
                a = g % 256,
                b = r % 256
            )
            .unwrap();
        }
        xml.push_str(
            "</ipPermissions><ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/>\
             <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>\
             </ipPermissionsEgress><tagSet><item><key>team</key><value>web</value></item></tagSet></item>\n",
        );
    }
    xml.push_str("</securityGroupInfo>");
    xml.push_str(TAIL);
    xml
}

/// A real page of at least `bytes` bytes.
fn page_of_size(bytes: usize) -> String {
    let one_group = page(1, 25).len() - HEAD.len() - TAIL.len();
    page(bytes / one_group + 1, 25)
}

/// `count` attributes, `per_element` on each `<x/>` inside the answer.
fn attributes(count: usize, per_element: usize) -> String {
    let mut xml = HEAD.to_string();
    let mut written = 0;
    while written < count {
        xml.push_str("<x");
        for _ in 0..per_element.min(count - written) {
            write!(xml, " a{written}=\"v\"").unwrap();
            written += 1;
        }
        xml.push_str("/>");
    }
    xml.push_str(TAIL);
    xml
}

/// Time to decode `body` (or to refuse it): the shortest of three runs.
fn decode_time(body: &str) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let _ = std::hint::black_box(parse_response::<DescribeSecurityGroups>(200, body.as_bytes()));
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Before: 40,000 attributes on one element took 1.9 s, 80,000 took 8.4 s, 1,000,000 (10 MB) did
/// not finish in 20 s, from a duplicate check that compared each name with all earlier ones.
///
/// Why the ratio bound is safe: both answers are decoded in this process, one after the other,
/// so a busy machine slows both; the many-attribute answers cost about 1 to 2 times a real page
/// of their size (each start tag is scanned once, each attribute checked once), and a quadratic
/// cost is already hundreds of times over at 40,000 attributes. The sizes grow and the test stops
/// at the first one over the bound, so a quadratic regression fails in seconds, not hours.
#[test]
fn many_attributes_cost_time_linear_in_the_answers_size() {
    const BOUND: f64 = 20.0;
    for count in [10_000, 40_000, 80_000, 1_000_000] {
        // On one element (refused past MAX_ATTRIBUTES), and spread 200 to an element (decoded).
        for per_element in [count, 200] {
            let hostile = attributes(count, per_element);
            let plain = page_of_size(hostile.len());
            let ratio = decode_time(&hostile).as_secs_f64() / decode_time(&plain).as_secs_f64();
            println!(
                "{count} attributes, {per_element} per element, {} bytes: {ratio:.2} × a real page",
                hostile.len()
            );
            assert!(ratio < BOUND, "{count} attributes ({per_element} per element) cost {ratio:.1} times a real page");
            let outcome = parse_response::<DescribeSecurityGroups>(200, hostile.as_bytes()).map(|_| ());
            if per_element > MAX_ATTRIBUTES {
                let error = outcome.expect_err("refused").to_string();
                assert!(error.contains("more than 256 attributes on one element"), "{error}");
            } else {
                outcome.expect("decoded");
            }
        }
    }
}

/// `count` empty items in the answer's group list, or in one group's permission list.
fn flood(count: usize, in_permissions: bool) -> String {
    let (open, close) = if in_permissions { ("<item><ipPermissions>", "</ipPermissions></item>") } else { ("", "") };
    format!("{HEAD}<securityGroupInfo>{open}{}{close}</securityGroupInfo>{TAIL}", "<item/>".repeat(count))
}

fn in_chunks(body: &str, size: usize) -> Body {
    let mut chunks = Body::new();
    for piece in body.as_bytes().chunks(size) {
        chunks.push(piece.to_vec());
    }
    chunks
}

/// Before: a 50 MB answer of empty `<item/>` elements decoded to 7.5 million groups and a 1.6 GB
/// peak (31 times the body), of empty permissions to 1.0 GB. Each `<item/>` (7 bytes) is a group
/// of a few hundred bytes: 2 million of them (14 MB) pass the default limit of 256 MiB.
#[test]
fn floods_of_empty_items_are_refused_by_the_decoded_size_limit() {
    for in_permissions in [false, true] {
        let body = flood(2_000_000, in_permissions);
        for outcome in [
            parse_response::<DescribeSecurityGroups>(200, body.as_bytes()).map(|_| ()),
            parse_response_body::<DescribeSecurityGroups>(200, in_chunks(&body, 1 << 16)).map(|_| ()),
        ] {
            let error = match outcome {
                Err(ResponseError::Decode { error, .. }) => error.to_string(),
                other => panic!("a flood in permissions {in_permissions}: {:?}", other.map_err(|e| e.to_string())),
            };
            assert!(error.contains(&format!("more than {DEFAULT_MAX_DECODED_BYTES} bytes")), "{error}");
            assert!(error.contains("DEFAULT_MAX_DECODED_BYTES"), "{error}");
        }
    }
    // A flood under the limit is still an answer: the limit is on size, not on shape.
    let groups = parse_response::<DescribeSecurityGroups>(200, flood(1000, false).as_bytes()).expect("decoded");
    assert_eq!(groups.security_groups().len(), 1000);
}

#[test]
fn a_real_page_of_2000_groups_with_25_rules_each_is_far_from_the_limit() {
    let body = page(2000, 25);
    assert!(body.len() > 13_500_000, "{}", body.len());
    let output = parse_response::<DescribeSecurityGroups>(200, body.as_bytes()).expect("decoded");
    assert_eq!(output.security_groups().len(), 2000);
    assert_eq!(output.security_groups()[1999].ip_permissions().len(), 25);
    // The same page in chunks decodes the same.
    let chunked = parse_response_body::<DescribeSecurityGroups>(200, in_chunks(&body, 1 << 16)).expect("decoded");
    assert_eq!(chunked, output);
}

fn stub_config(stub: &Stub) -> ec2_sg::ConfigBuilder {
    ec2_sg::Config::builder()
        .env(isolated_env())
        .region("us-east-1")
        .endpoint_url(&stub.endpoint)
        .credentials(Credentials::from_keys("AKIDTEST", "SECRETTEST", None))
        .retry_config(fast_retries(3))
}

#[tokio::test]
async fn the_client_refuses_a_flood_naming_the_knob_and_takes_a_raised_limit() {
    let body = flood(20_000, true);
    let limit = 1 << 20;
    let stub = Stub::start(vec![Reply::xml(200, &body), Reply::xml(200, &body)]);
    let config = stub_config(&stub).max_decoded_bytes(limit).build().unwrap();
    let error = ec2_sg::Client::from_conf(config)
        .describe_security_groups()
        .send()
        .await
        .map(|_| ())
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    // Not retried: the answer would be the same.
    assert_eq!((error.kind(), error.attempts()), (ErrorKind::Decode, 1), "{error}");
    assert!(error.to_string().contains("Config::builder().max_decoded_bytes(..)"), "{error}");
    assert!(error.to_string().contains(&format!("more than {limit} bytes")), "{error}");
    // Raised, the same answer decodes.
    let raised = stub_config(&stub).max_decoded_bytes(64 << 20).build().unwrap();
    let output = ec2_sg::Client::from_conf(raised).describe_security_groups().send().await.expect("decoded");
    assert_eq!(output.security_groups()[0].ip_permissions().len(), 20_000);
    assert_eq!(stub.received().len(), 2);
}

#[test]
fn the_blocking_client_refuses_a_flood_naming_the_knob() {
    let body = flood(20_000, false);
    let stub = Stub::start(vec![Reply::xml(200, &body), Reply::xml(200, &body)]);
    let config = stub_config(&stub).max_decoded_bytes(1 << 20).build().unwrap();
    let client = ec2_sg::blocking::Client::from_conf(config).unwrap();
    let error = client.describe_security_groups().send().map(|_| ()).map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.kind(), error.attempts()), (ErrorKind::Decode, 1), "{error}");
    assert!(error.to_string().contains("Config::builder().max_decoded_bytes(..)"), "{error}");
    let raised = stub_config(&stub).max_decoded_bytes(64 << 20).build().unwrap();
    let output =
        ec2_sg::blocking::Client::from_conf(raised).unwrap().describe_security_groups().send().expect("decoded");
    assert_eq!(output.security_groups().len(), 20_000);
}

#[test]
fn a_less_than_sign_in_an_attribute_value_is_refused_by_both_decoders() {
    let output = format!("<DescribeSecurityGroupsResponse a=\"<\"><requestId>r</requestId>{TAIL}");
    let error = parse_response::<DescribeSecurityGroups>(200, output.as_bytes()).map(|_| ()).unwrap_err().to_string();
    assert!(error.contains("a `<` in its value"), "{error}");
    let nested = "<AuthorizeSecurityGroupIngressResponse><requestId>r</requestId><return v='1<2'>true</return></AuthorizeSecurityGroupIngressResponse>";
    let error = parse_response::<AuthorizeSecurityGroupIngress>(200, nested.as_bytes()).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("a `<` in its value"), "{error}");
    // The error reader: a malformed document is not trusted, its code is not read.
    let refused = "<Response><Errors><Error a=\"<\"><Code>InvalidGroup.NotFound</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>";
    let accepted = refused.replace("a=\"<\"", "a=\"&lt;\"");
    assert_eq!(ServiceError::from_response(400, accepted.as_bytes()).code(), "InvalidGroup.NotFound");
    let error = ServiceError::from_response(400, refused.as_bytes());
    assert_eq!(error.code(), "BadRequest", "{error}");
    // An error document behind a success status, too: never read as that error.
    match parse_response::<DescribeSecurityGroups>(200, refused.as_bytes()) {
        Err(ResponseError::Service(error)) => assert_ne!(error.code(), Some("InvalidGroup.NotFound")),
        Err(ResponseError::Decode { .. }) => {}
        Ok(_) => panic!("a malformed error document was a success"),
    }
}
