//! What each fuzz target checks, for any input: no panic, no hang, and the invariants below.
//! `fuzz_targets/*.rs` hand libFuzzer's data to these functions; the workspace's tests replay
//! the kept corpus (`corpus/<target>/`) through them on stable, so a finding stays fixed.

use ec2_sg::operation::*;
use ec2_sg::runtime::body::Body;
use ec2_sg::runtime::credentials::{parse_credential_process_output, Credentials};
use ec2_sg::runtime::env::Env;
use ec2_sg::runtime::profile::ProfileSet;
use ec2_sg::runtime::{
    build_request, parse_response, parse_response_body, Compression, FixedTokens, Operation, RequestOptions,
};
use ec2_sg::runtime::{ResponseError, ServiceError};
use ec2_sg::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};

/// The fuzz targets, by name, for the corpus replay.
pub const TARGETS: [(&str, fn(&[u8])); 5] = [
    ("decode_output", decode_output),
    ("decode_error", decode_error),
    ("profile_files", profile_files),
    ("process_output", process_output),
    ("build_request", build_request_target),
];

fn decode<O: Operation>(status: u16, body: &[u8])
where
    O::Output: PartialEq + std::fmt::Debug,
{
    let whole = parse_response::<O>(status, body);
    match &whole {
        Ok(_) => assert!((200..300).contains(&status), "{}: a {status} answer decoded as a success", O::NAME),
        Err(ResponseError::Service(_)) | Err(ResponseError::Decode { .. }) => {}
    }
    // The same bytes in the small chunks a transport may deliver decode the same way: chunk
    // boundaries inside names, text, references and tags change nothing.
    let chunk = 1 + body.len() % 7;
    let mut chunked = Body::new();
    for piece in body.chunks(chunk) {
        chunked.push(piece.to_vec());
    }
    match (whole, parse_response_body::<O>(status, chunked)) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{}: chunks of {chunk} decode differently", O::NAME),
        (Err(ResponseError::Service(_)), Err(ResponseError::Service(_))) => {}
        (Err(ResponseError::Decode { .. }), Err(ResponseError::Decode { .. })) => {}
        (a, b) => panic!("{}: whole {:?} but in chunks of {chunk} {:?}", O::NAME, a.is_ok(), b.is_ok()),
    }
}

/// Every generated output decoder: the first byte picks the operation and the status (2xx, or an
/// error status, which goes through the error reader), the rest is the body.
pub fn decode_output(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else { return };
    let status = if selector & 0x80 == 0 { 200 } else { 400 };
    match selector % 14 {
        0 => decode::<AuthorizeSecurityGroupEgress>(status, body),
        1 => decode::<AuthorizeSecurityGroupIngress>(status, body),
        2 => decode::<CreateSecurityGroup>(status, body),
        3 => decode::<CreateTags>(status, body),
        4 => decode::<DeleteSecurityGroup>(status, body),
        5 => decode::<DeleteTags>(status, body),
        6 => decode::<DescribeSecurityGroupRules>(status, body),
        7 => decode::<DescribeSecurityGroups>(status, body),
        8 => decode::<DescribeTags>(status, body),
        9 => decode::<ModifySecurityGroupRules>(status, body),
        10 => decode::<RevokeSecurityGroupEgress>(status, body),
        11 => decode::<RevokeSecurityGroupIngress>(status, body),
        12 => decode::<UpdateSecurityGroupRuleDescriptionsEgress>(status, body),
        _ => decode::<UpdateSecurityGroupRuleDescriptionsIngress>(status, body),
    }
}

/// The error reader: any body, any status, gives an error with a code.
pub fn decode_error(data: &[u8]) {
    let Some((status, body)) = data.split_first_chunk::<2>() else { return };
    let status = u16::from_be_bytes(*status);
    let error = ServiceError::from_response(status, body);
    assert!(!error.code().is_empty(), "an error without a code");
    assert_eq!(error.http_status(), status);
    let _ = error.to_string();
}

/// The shared config and credentials files: the two texts are separated by a NUL byte.
pub fn profile_files(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (config, credentials) = text.split_once('\0').unwrap_or((text, ""));
    if let Ok(set) = ProfileSet::parse(config, credentials) {
        for profile in ["default", "dev", ""] {
            let _ = set.has_profile(profile);
            for key in ["region", "aws_access_key_id", "credential_process", "services", "endpoint_url"] {
                let _ = set.get(profile, key);
                let _ = set.source_of(profile, key);
            }
        }
    }
}

/// The JSON a `credential_process` prints. Accepted credentials never show their secrets.
pub fn process_output(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse_credential_process_output(text) {
        Ok(credentials) => assert_secrets_hidden(&credentials, &format!("{credentials:?}")),
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

fn assert_secrets_hidden(credentials: &Credentials, shown: &str) {
    let secrets = [Some(credentials.secret_access_key()), credentials.session_token()];
    for secret in secrets.into_iter().flatten() {
        // Short or shared strings may appear by chance (in the key id, the field names).
        if secret.len() >= 12 && !credentials.access_key_id().contains(secret) {
            assert!(!shown.contains(secret), "a secret in Debug: {shown}");
        }
    }
}

/// Splits fuzz data into a few strings and numbers, to drive builders.
struct Fields<'a> {
    parts: std::slice::Split<'a, u8, fn(&u8) -> bool>,
}

impl<'a> Fields<'a> {
    fn new(data: &'a [u8]) -> Self {
        let separator: fn(&u8) -> bool = |b| *b == 0xff;
        Self { parts: data.split(separator) }
    }

    fn text(&mut self) -> String {
        String::from_utf8_lossy(self.parts.next().unwrap_or_default()).into_owned()
    }

    fn number(&mut self) -> i32 {
        let part = self.parts.next().unwrap_or_default();
        let mut bytes = [0u8; 4];
        for (slot, byte) in bytes.iter_mut().zip(part) {
            *slot = *byte;
        }
        i32::from_le_bytes(bytes)
    }
}

/// Configuration and request building from arbitrary region, endpoint and member values: a
/// configuration either fails to build or gives an endpoint whose host cannot be redirected
/// elsewhere, and every request is a well-formed form body.
pub fn build_request_target(data: &[u8]) {
    let mut fields = Fields::new(data);
    let (region, endpoint_url) = (fields.text(), fields.text());
    let built = ec2_sg::Config::builder()
        .env(Env::from_vars([("HOME", "/nonexistent-ec2-sg-fuzz-home")]))
        .region(region.clone())
        .endpoint_url(endpoint_url)
        .credentials(ec2_sg::Credentials::from_keys("AKIDFUZZ", "SECRETFUZZ", None))
        .build();
    let Ok(config) = built else { return };
    let endpoint = config.endpoint();
    let authority = endpoint.authority();
    assert!(
        !authority.is_empty() && !authority.contains(['/', '@', '?', '#', ' ', '\\']),
        "a configuration was built with the host {authority:?}"
    );
    assert!(!region.contains(['/', '.', '@']), "the region {region:?} was accepted");
    let permission = IpPermission::builder()
        .ip_protocol(fields.text())
        .from_port(fields.number())
        .to_port(fields.number())
        .ip_ranges(IpRange::builder().cidr_ip(fields.text()).description(fields.text()).build())
        .ipv6_ranges(Ipv6Range::builder().cidr_ipv6(fields.text()).build())
        .prefix_list_ids(PrefixListId::builder().prefix_list_id(fields.text()).build())
        .user_id_group_pairs(UserIdGroupPair::builder().group_id(fields.text()).user_id(fields.text()).build())
        .build();
    let input = AuthorizeSecurityGroupIngressInput::builder()
        .group_id(fields.text())
        .group_name(fields.text())
        .ip_permissions(permission)
        .build();
    let tokens = FixedTokens("00000000-0000-4000-8000-000000000000".to_string());
    let options = RequestOptions { endpoint, idempotency_tokens: &tokens, compression: Compression::default() };
    let request = build_request::<AuthorizeSecurityGroupIngress>(&input, &options).expect("no member is required");
    let body = std::str::from_utf8(&request.body).expect("a form body is ASCII");
    assert!(body.starts_with("Action=AuthorizeSecurityGroupIngress&Version="), "{body}");
    for pair in body.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or_else(|| panic!("a pair without `=`: {pair:?}"));
        // Form encoding: unreserved characters, `%XX` escapes, and `+` for a space.
        let unreserved = |c: char| c.is_ascii_alphanumeric() || "-._~%+".contains(c);
        assert!(key.chars().all(unreserved) && value.chars().all(unreserved), "not percent-encoded: {pair:?}");
    }
    assert!(request.url().starts_with(&format!("{}://{}", endpoint.scheme(), authority)));
}
