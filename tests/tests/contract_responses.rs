//! Contract tests, answers only EC2 gives (written from the API reference's response shapes):
//! pages with `nextToken`, a revoke answering 200 with `return=false` and the unknown
//! permissions, the revoked rules, and elements of a newer API version that must be skipped.
//! The whole decoded value is compared each time.

use ec2_sg::operation::{
    DescribeSecurityGroupRulesOutput, DescribeSecurityGroupsOutput, RevokeSecurityGroupIngressOutput,
};
use ec2_sg::types::{
    Filter, IpPermission, IpPermissionBuilder, IpRange, Ipv6Range, PrefixListId, ReferencedSecurityGroup,
    RevokedSecurityGroupRule, SecurityGroup, SecurityGroupBuilder, SecurityGroupRule, SecurityGroupRuleBuilder, Tag,
    UserIdGroupPair,
};
use ec2_sg_tests::fixtures::{client, replay};

const ACCOUNT: &str = "000000000001";
const SG1: &str = "sg-00000000000000001";
const VPC: &str = "vpc-00000000000000001";

fn group(id: &str, name: &str, description: &str) -> SecurityGroupBuilder {
    SecurityGroup::builder()
        .owner_id(ACCOUNT)
        .group_id(id)
        .group_name(name)
        .description(description)
        .vpc_id(VPC)
        .security_group_arn(format!("arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{id}"))
}

/// A permission as EC2 writes it: every list wrapper present, empty ones as empty lists.
fn permission(builder: IpPermissionBuilder) -> IpPermission {
    let mut b = builder;
    if b.get_user_id_group_pairs().is_none() {
        b = b.set_user_id_group_pairs(Some(vec![]));
    }
    if b.get_ip_ranges().is_none() {
        b = b.set_ip_ranges(Some(vec![]));
    }
    if b.get_ipv6_ranges().is_none() {
        b = b.set_ipv6_ranges(Some(vec![]));
    }
    if b.get_prefix_list_ids().is_none() {
        b = b.set_prefix_list_ids(Some(vec![]));
    }
    b.build()
}

fn ports(protocol: &str, from: i32, to: i32) -> IpPermissionBuilder {
    IpPermission::builder().ip_protocol(protocol).from_port(from).to_port(to)
}

fn range(cidr: &str, description: Option<&str>) -> IpRange {
    IpRange::builder().cidr_ip(cidr).set_description(description.map(str::to_string)).build()
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

#[tokio::test]
async fn describe_security_groups_in_three_pages() {
    let replay = replay(&[
        "documented/describe-security-groups-page-1",
        "documented/describe-security-groups-page-2",
        "documented/describe-security-groups-page-3",
    ]);
    let client = client(&replay);
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let page = client.describe_security_groups().max_results(5).set_next_token(token.take()).send().await.unwrap();
        token = page.next_token().map(str::to_string);
        pages.push(page);
        if token.is_none() {
            break;
        }
    }
    let all_out = permission(IpPermission::builder().ip_protocol("-1").ip_ranges(range("0.0.0.0/0", None)));
    let page_1 = DescribeSecurityGroupsOutput::builder()
        .security_groups(
            group(SG1, "ec2-sg-contract-web", "web servers")
                .ip_permissions(permission(
                    ports("tcp", 443, 443)
                        .ip_ranges(range("0.0.0.0/0", Some("https from anywhere")))
                        .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").description("https over IPv6").build()),
                ))
                .ip_permissions_egress(all_out)
                .tags(tag("team", "web"))
                .build(),
        )
        .security_groups(
            group("sg-00000000000000002", "ec2-sg-contract-db", "database servers")
                .ip_permissions(permission(ports("tcp", 5432, 5432).user_id_group_pairs(
                    UserIdGroupPair::builder().user_id(ACCOUNT).group_id(SG1).description("postgres from web").build(),
                )))
                .set_ip_permissions_egress(Some(vec![]))
                .build(),
        )
        .next_token("AAEAAd7Kq+2x/page2/Zg==")
        .request_id("00000000-0000-0000-0000-00000000d101")
        .build();
    let page_2 = DescribeSecurityGroupsOutput::builder()
        .security_groups(
            group("sg-00000000000000003", "default", "default VPC security group")
                .ip_permissions(permission(IpPermission::builder().ip_protocol("-1").user_id_group_pairs(
                    UserIdGroupPair::builder().user_id(ACCOUNT).group_id("sg-00000000000000003").build(),
                )))
                .ip_permissions_egress(permission(ports("tcp", 443, 443).prefix_list_ids(
                    PrefixListId::builder().prefix_list_id("pl-00000001").description("to S3").build(),
                )))
                .build(),
        )
        .security_groups(
            group("sg-00000000000000004", "ec2-sg-contract-peered", "reached through a peering connection")
                .vpc_id("vpc-00000000000000002")
                .ip_permissions(permission(
                    ports("udp", 53, 53).user_id_group_pairs(
                        UserIdGroupPair::builder()
                            .user_id("000000000002")
                            .group_id("sg-00000000000000009")
                            .vpc_id("vpc-00000000000000009")
                            .vpc_peering_connection_id("pcx-00000000000000001")
                            .peering_status("active")
                            .build(),
                    ),
                ))
                .set_ip_permissions_egress(Some(vec![]))
                .build(),
        )
        .next_token("AAEAAd7Kq+2x/page3/Zg==")
        .request_id("00000000-0000-0000-0000-00000000d102")
        .build();
    let page_3 = DescribeSecurityGroupsOutput::builder()
        .security_groups(
            group("sg-00000000000000005", "ec2-sg-contract-cache", "cache servers")
                .set_ip_permissions(Some(vec![]))
                .set_ip_permissions_egress(Some(vec![]))
                .tags(tag("Name", "cache"))
                .tags(tag("cost-center", ""))
                .build(),
        )
        .request_id("00000000-0000-0000-0000-00000000d103")
        .build();
    assert_eq!(pages, [page_1, page_2, page_3]);
    replay.assert_requests_match();
    // The token went out form-encoded and came back as it was given.
    let sent = String::from_utf8(replay.requests()[1].body.clone()).unwrap();
    assert!(sent.contains("NextToken=AAEAAd7Kq%2B2x%2Fpage2%2FZg%3D%3D"), "{sent}");
}

fn rule(id: &str, egress: bool, protocol: &str, from: i32, to: i32) -> SecurityGroupRuleBuilder {
    SecurityGroupRule::builder()
        .security_group_rule_id(id)
        .group_id(SG1)
        .group_owner_id(ACCOUNT)
        .is_egress(egress)
        .ip_protocol(protocol)
        .from_port(from)
        .to_port(to)
        .security_group_rule_arn(format!("arn:aws:ec2:us-east-1:{ACCOUNT}:security-group-rule/{id}"))
        .set_tags(Some(vec![]))
}

#[tokio::test]
async fn describe_security_group_rules_in_two_pages() {
    let replay =
        replay(&["documented/describe-security-group-rules-page-1", "documented/describe-security-group-rules-page-2"]);
    let client = client(&replay);
    let by_group = Filter::builder().name("group-id").values(SG1).build();
    let first = client.describe_security_group_rules().filters(by_group.clone()).max_results(5).send().await.unwrap();
    let second = client
        .describe_security_group_rules()
        .filters(by_group)
        .max_results(5)
        .set_next_token(first.next_token().map(str::to_string))
        .send()
        .await
        .unwrap();
    let expected_first = DescribeSecurityGroupRulesOutput::builder()
        .security_group_rules(
            rule("sgr-00000000000000001", false, "tcp", 443, 443)
                .cidr_ipv4("0.0.0.0/0")
                .description("https from anywhere")
                .set_tags(Some(vec![tag("reviewed", "2024")]))
                .build(),
        )
        .security_group_rules(
            rule("sgr-00000000000000002", false, "tcp", 443, 443)
                .cidr_ipv6("::/0")
                .description("https over IPv6")
                .build(),
        )
        .security_group_rules(rule("sgr-00000000000000003", true, "-1", -1, -1).cidr_ipv4("0.0.0.0/0").build())
        .next_token("c2dyLXBhZ2UtMg==")
        .request_id("00000000-0000-0000-0000-00000000d201")
        .build();
    let expected_second = DescribeSecurityGroupRulesOutput::builder()
        .security_group_rules(
            rule("sgr-00000000000000004", true, "tcp", 443, 443)
                .prefix_list_id("pl-00000001")
                .description("to S3")
                .build(),
        )
        .security_group_rules(
            rule("sgr-00000000000000005", false, "udp", 53, 53)
                .referenced_group_info(
                    ReferencedSecurityGroup::builder()
                        .group_id("sg-00000000000000009")
                        .user_id("000000000002")
                        .vpc_id("vpc-00000000000000009")
                        .vpc_peering_connection_id("pcx-00000000000000001")
                        .peering_status("active")
                        .build(),
                )
                .build(),
        )
        .request_id("00000000-0000-0000-0000-00000000d202")
        .build();
    assert_eq!((first, second), (expected_first, expected_second));
    replay.assert_requests_match();
}

#[tokio::test]
async fn revoke_answering_false_with_the_unknown_permissions() {
    let replay = replay(&["documented/revoke-security-group-ingress-unknown-permission"]);
    let unknown = ports("tcp", 8080, 8080).ip_ranges(range("192.0.2.0/24", None));
    let out = client(&replay)
        .revoke_security_group_ingress()
        .group_id(SG1)
        .ip_permissions(unknown.clone().build())
        .send()
        .await
        .unwrap();
    let expected = RevokeSecurityGroupIngressOutput::builder()
        .r#return(false)
        .unknown_ip_permissions(permission(unknown))
        .request_id("00000000-0000-0000-0000-00000000d301")
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn revoke_by_rule_id_lists_the_revoked_rules() {
    let replay = replay(&["documented/revoke-security-group-ingress-revoked-rules"]);
    let out = client(&replay)
        .revoke_security_group_ingress()
        .group_id(SG1)
        .security_group_rule_ids("sgr-00000000000000001")
        .security_group_rule_ids("sgr-00000000000000005")
        .send()
        .await
        .unwrap();
    let revoked = |id: &str, protocol: &str, port: i32| {
        RevokedSecurityGroupRule::builder()
            .security_group_rule_id(id)
            .group_id(SG1)
            .is_egress(false)
            .ip_protocol(protocol)
            .from_port(port)
            .to_port(port)
    };
    let expected = RevokeSecurityGroupIngressOutput::builder()
        .r#return(true)
        .revoked_security_group_rules(
            revoked("sgr-00000000000000001", "tcp", 443)
                .cidr_ipv4("0.0.0.0/0")
                .description("https from anywhere")
                .build(),
        )
        .revoked_security_group_rules(
            revoked("sgr-00000000000000005", "udp", 53).referenced_group_id("sg-00000000000000009").build(),
        )
        .request_id("00000000-0000-0000-0000-00000000d302")
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn elements_of_a_newer_api_version_are_skipped() {
    let replay = replay(&["documented/describe-security-groups-newer-api"]);
    let out = client(&replay).describe_security_groups().group_ids(SG1).send().await.unwrap();
    let expected = DescribeSecurityGroupsOutput::builder()
        .security_groups(
            group(SG1, "ec2-sg-contract-web", "web servers")
                .ip_permissions(permission(
                    ports("tcp", 443, 443).ip_ranges(range("0.0.0.0/0", Some("https from anywhere"))),
                ))
                .set_ip_permissions_egress(Some(vec![]))
                .tags(tag("team", "web"))
                .build(),
        )
        .request_id("00000000-0000-0000-0000-00000000d401")
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}
