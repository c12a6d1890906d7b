//! Bad input from the network gives an error, never a panic, and never a partial success: every
//! recorded answer, cut short at many points and with bytes corrupted, through the decoder of its
//! operation. Bounded: a fixed set of cut points and corruptions per fixture.

use ec2_sg::operation::*;
use ec2_sg::runtime::{parse_response, Operation, ResponseError};
use ec2_sg_tests::fixtures;

/// What decoding gave: a success, an error, or a panic (caught).
#[derive(Debug, PartialEq)]
enum Outcome {
    Decoded,
    Failed,
    Panicked,
}

fn decode<O: Operation>(status: u16, body: &[u8]) -> Outcome {
    match std::panic::catch_unwind(|| parse_response::<O>(status, body).map(|_| ())) {
        Ok(Ok(())) => Outcome::Decoded,
        Ok(Err(ResponseError::Service(_) | ResponseError::Decode { .. })) => Outcome::Failed,
        Err(_) => Outcome::Panicked,
    }
}

/// Decodes `body` as the answer to `action`.
fn decode_as(action: &str, status: u16, body: &[u8]) -> Outcome {
    match action {
        "AssociateSecurityGroupVpc" => decode::<AssociateSecurityGroupVpc>(status, body),
        "AuthorizeSecurityGroupEgress" => decode::<AuthorizeSecurityGroupEgress>(status, body),
        "AuthorizeSecurityGroupIngress" => decode::<AuthorizeSecurityGroupIngress>(status, body),
        "CreateSecurityGroup" => decode::<CreateSecurityGroup>(status, body),
        "CreateTags" => decode::<CreateTags>(status, body),
        "DeleteSecurityGroup" => decode::<DeleteSecurityGroup>(status, body),
        "DeleteTags" => decode::<DeleteTags>(status, body),
        "DescribeSecurityGroupRules" => decode::<DescribeSecurityGroupRules>(status, body),
        "DescribeSecurityGroups" => decode::<DescribeSecurityGroups>(status, body),
        "DescribeSecurityGroupReferences" => decode::<DescribeSecurityGroupReferences>(status, body),
        "DescribeSecurityGroupVpcAssociations" => decode::<DescribeSecurityGroupVpcAssociations>(status, body),
        "DescribeStaleSecurityGroups" => decode::<DescribeStaleSecurityGroups>(status, body),
        "DescribeTags" => decode::<DescribeTags>(status, body),
        "DisassociateSecurityGroupVpc" => decode::<DisassociateSecurityGroupVpc>(status, body),
        "GetSecurityGroupsForVpc" => decode::<GetSecurityGroupsForVpc>(status, body),
        "ModifySecurityGroupRules" => decode::<ModifySecurityGroupRules>(status, body),
        "RevokeSecurityGroupEgress" => decode::<RevokeSecurityGroupEgress>(status, body),
        "RevokeSecurityGroupIngress" => decode::<RevokeSecurityGroupIngress>(status, body),
        "UpdateSecurityGroupRuleDescriptionsEgress" => {
            decode::<UpdateSecurityGroupRuleDescriptionsEgress>(status, body)
        }
        "UpdateSecurityGroupRuleDescriptionsIngress" => {
            decode::<UpdateSecurityGroupRuleDescriptionsIngress>(status, body)
        }
        other => panic!("a fixture for an operation this test does not know: {other}"),
    }
}

/// Successful answers of the corpus: (fixture, operation, body).
fn successes() -> Vec<(String, String, Vec<u8>)> {
    let all: Vec<_> = fixtures::all()
        .into_iter()
        .filter(|(_, event)| event.response.status == 200)
        .filter_map(|(name, event)| {
            let action = event.request.action()?.to_string();
            Some((name, action, event.response.body.into_vec()))
        })
        .collect();
    assert!(all.len() >= 14, "the corpus has a success for every operation, found {}", all.len());
    all
}

/// Up to `count` positions spread over `0..len`, always including the ends.
fn positions(len: usize, count: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (0..count).map(|i| i * len / count.max(1)).collect();
    out.extend([len.saturating_sub(1), len.saturating_sub(2)]);
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn every_recorded_answer_decodes_whole() {
    for (name, action, body) in successes() {
        assert_eq!(decode_as(&action, 200, &body), Outcome::Decoded, "{name}");
    }
}

#[test]
fn a_truncated_answer_is_an_error_never_a_partial_success() {
    let mut cases = 0;
    for (name, action, body) in successes() {
        // Where the root element's end tag starts: any cut before it leaves the document unfinished.
        let root_end = body.windows(2).rposition(|w| w == b"</").unwrap_or(body.len());
        for cut in positions(root_end, 200) {
            let outcome = decode_as(&action, 200, &body[..cut]);
            assert_eq!(outcome, Outcome::Failed, "{name} cut at byte {cut} of {}", body.len());
            cases += 1;
        }
    }
    assert!(cases > 1000, "{cases} cut points");
}

#[test]
fn corrupted_answers_never_panic() {
    let corruptions: [&[u8]; 8] = [b"<", b">", b"&", b"\xff", b"\0", b"</item>", b"<item>", b"&#xD800;"];
    let mut cases = 0;
    for (name, action, body) in successes() {
        for at in positions(body.len(), 60) {
            for corruption in corruptions {
                let mut bad = body.clone();
                bad.splice(at..(at + 1).min(bad.len()), corruption.iter().copied());
                let outcome = decode_as(&action, 200, &bad);
                assert_ne!(outcome, Outcome::Panicked, "{name}: {corruption:?} at byte {at}");
                cases += 1;
            }
        }
    }
    assert!(cases > 5000, "{cases} corruptions");
}

#[test]
fn error_answers_of_every_kind_never_panic_and_stay_errors() {
    let bodies: [&[u8]; 8] = [
        b"",
        b"<html><body>502 Bad Gateway</body></html>",
        b"<Response><Errors><Error><Code>X</Code>",
        b"<Response><Errors><Error><Code>X</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>",
        b"<ErrorResponse><Error><Code>AuthFailure</Code></Error></ErrorResponse>",
        b"\xef\xbb\xbf<Response/>",
        b"not xml at all",
        b"<?xml version=\"1.0\"?><!-- only a comment -->",
    ];
    for status in [400, 403, 412, 500, 502, 503] {
        for body in bodies {
            assert_eq!(decode_as("DescribeSecurityGroups", status, body), Outcome::Failed, "{status} {body:?}");
        }
    }
    // A success status with an error document is still an error.
    assert_eq!(decode_as("DescribeSecurityGroups", 200, bodies[3]), Outcome::Failed);
}
