//! Contract tests, success of every operation of the model: each moto fixture is replayed through
//! the real client (the request is checked parameter by parameter and its signature's shape) and
//! the WHOLE decoded output is compared with one built by hand.

use ec2_sg::operation::{
    AuthorizeSecurityGroupEgressOutput, AuthorizeSecurityGroupIngressOutput, CreateSecurityGroupOutput,
    CreateTagsOutput, DeleteSecurityGroupOutput, DeleteTagsOutput, DescribeSecurityGroupRulesOutput,
    DescribeSecurityGroupsOutput, DescribeTagsOutput, ModifySecurityGroupRulesOutput, RevokeSecurityGroupEgressOutput,
    RevokeSecurityGroupIngressOutput, UpdateSecurityGroupRuleDescriptionsEgressOutput,
    UpdateSecurityGroupRuleDescriptionsIngressOutput,
};
use ec2_sg::types::{
    Filter, IpPermission, IpPermissionBuilder, IpRange, Ipv6Range, ReferencedSecurityGroup, ResourceType,
    SecurityGroup, SecurityGroupRule, SecurityGroupRuleBuilder, SecurityGroupRuleRequest, SecurityGroupRuleUpdate, Tag,
    TagDescription, TagSpecification, UserIdGroupPair,
};
use ec2_sg_tests::fixtures::{blocking_client, client, replay};

const SG1: &str = "sg-00000000000000001";
const SG2: &str = "sg-00000000000000002";
const VPC: &str = "vpc-00000000000000001";
const ACCOUNT: &str = "000000000001";
const WEB: &str = "ec2-sg-contract-web";
const DB: &str = "ec2-sg-contract-db";
/// moto's request id, the same on every answer.
const MOTO_REQUEST_ID: &str = "request-id";

fn arn(group: &str) -> String {
    format!("arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{group}")
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

fn range(cidr: &str, description: Option<&str>) -> IpRange {
    IpRange::builder().cidr_ip(cidr).set_description(description.map(str::to_string)).build()
}

fn tcp(port: i32) -> IpPermissionBuilder {
    IpPermission::builder().ip_protocol("tcp").from_port(port).to_port(port)
}

fn pair(group: &str, description: Option<&str>) -> UserIdGroupPair {
    UserIdGroupPair::builder().group_id(group).set_description(description.map(str::to_string)).build()
}

/// A permission as moto writes it: every list wrapper present, empty ones as empty lists.
fn moto_permission(builder: IpPermissionBuilder) -> IpPermission {
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

/// A rule as moto writes it: with an empty tag set.
fn moto_rule(id: &str, group: &str, egress: bool, protocol: &str, ports: (i32, i32)) -> SecurityGroupRuleBuilder {
    SecurityGroupRule::builder()
        .security_group_rule_id(id)
        .group_id(group)
        .is_egress(egress)
        .ip_protocol(protocol)
        .from_port(ports.0)
        .to_port(ports.1)
        .set_tags(Some(vec![]))
}

fn referenced(group: &str) -> ReferencedSecurityGroup {
    ReferencedSecurityGroup::builder().group_id(group).user_id(ACCOUNT).build()
}

fn https_ingress() -> IpPermission {
    tcp(443)
        .ip_ranges(range("0.0.0.0/0", Some("https from anywhere")))
        .ip_ranges(range("10.0.0.0/8", None))
        .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
        .build()
}

fn all_traffic_out() -> IpPermission {
    moto_permission(IpPermission::builder().ip_protocol("-1").ip_ranges(range("0.0.0.0/0", None)))
}

fn to_db(description: Option<&str>) -> IpPermission {
    tcp(5432).user_id_group_pairs(pair(SG2, description)).build()
}

fn from_web() -> IpPermission {
    tcp(5432).user_id_group_pairs(pair(SG1, Some("postgres from web"))).build()
}

/// The web group as moto describes it after the ingress and egress rules were added.
fn web_group() -> SecurityGroup {
    SecurityGroup::builder()
        .group_id(SG1)
        .group_name(WEB)
        .description("web servers")
        .vpc_id(VPC)
        .owner_id(ACCOUNT)
        .security_group_arn(arn(SG1))
        .tags(tag("team", "web"))
        .ip_permissions(moto_permission(
            tcp(443)
                .ip_ranges(range("0.0.0.0/0", Some("https from anywhere")))
                .ip_ranges(range("10.0.0.0/8", None))
                .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build()),
        ))
        .ip_permissions_egress(all_traffic_out())
        .ip_permissions_egress(moto_permission(
            tcp(5432).user_id_group_pairs(UserIdGroupPair::builder().user_id(ACCOUNT).group_id(SG2).build()),
        ))
        .build()
}

#[tokio::test]
async fn create_security_group() {
    let replay = replay(&["moto/create-security-group"]);
    let out = client(&replay)
        .create_security_group()
        .group_name(WEB)
        .description("web servers")
        .tag_specifications(
            TagSpecification::builder().resource_type(ResourceType::SecurityGroup).tags(tag("team", "web")).build(),
        )
        .send()
        .await
        .unwrap();
    let expected = CreateSecurityGroupOutput::builder()
        .group_id(SG1)
        .security_group_arn(arn(SG1))
        .request_id(MOTO_REQUEST_ID)
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn create_security_group_without_tags() {
    let replay = replay(&["moto/create-security-group-db"]);
    let out =
        client(&replay).create_security_group().group_name(DB).description("database servers").send().await.unwrap();
    let expected = CreateSecurityGroupOutput::builder()
        .group_id(SG2)
        .security_group_arn(arn(SG2))
        .request_id(MOTO_REQUEST_ID)
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn authorize_security_group_ingress() {
    let replay = replay(&["moto/authorize-security-group-ingress"]);
    let out =
        client(&replay).authorize_security_group_ingress().group_id(SG1).ip_permissions(https_ingress()).send().await;
    let rule = |id: &str| moto_rule(id, SG1, false, "tcp", (443, 443));
    let expected = AuthorizeSecurityGroupIngressOutput::builder()
        .r#return(true)
        .security_group_rules(
            rule("sgr-00000000000000001").cidr_ipv4("0.0.0.0/0").description("https from anywhere").build(),
        )
        .security_group_rules(rule("sgr-00000000000000002").cidr_ipv4("10.0.0.0/8").build())
        .security_group_rules(rule("sgr-00000000000000003").cidr_ipv6("::/0").build())
        .request_id(MOTO_REQUEST_ID)
        .build();
    assert_eq!(out.unwrap(), expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn authorize_security_group_ingress_from_a_group() {
    let replay = replay(&["moto/authorize-security-group-ingress-from-group"]);
    let out = client(&replay).authorize_security_group_ingress().group_id(SG2).ip_permissions(from_web()).send().await;
    let expected = AuthorizeSecurityGroupIngressOutput::builder()
        .r#return(true)
        .security_group_rules(
            moto_rule("sgr-00000000000000004", SG2, false, "tcp", (5432, 5432))
                .referenced_group_info(referenced(SG1))
                .build(),
        )
        .request_id(MOTO_REQUEST_ID)
        .build();
    assert_eq!(out.unwrap(), expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn authorize_security_group_egress() {
    let replay = replay(&["moto/authorize-security-group-egress"]);
    let out = client(&replay).authorize_security_group_egress().group_id(SG1).ip_permissions(to_db(None)).send().await;
    let expected = AuthorizeSecurityGroupEgressOutput::builder()
        .r#return(true)
        .security_group_rules(
            moto_rule("sgr-00000000000000005", SG1, true, "tcp", (5432, 5432))
                .referenced_group_info(referenced(SG2))
                .build(),
        )
        .request_id(MOTO_REQUEST_ID)
        .build();
    assert_eq!(out.unwrap(), expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn describe_security_groups_by_id() {
    let replay = replay(&["moto/describe-security-groups"]);
    let out = client(&replay).describe_security_groups().group_ids(SG1).group_ids(SG2).send().await.unwrap();
    let db = SecurityGroup::builder()
        .group_id(SG2)
        .group_name(DB)
        .description("database servers")
        .vpc_id(VPC)
        .owner_id(ACCOUNT)
        .security_group_arn(arn(SG2))
        .set_tags(Some(vec![]))
        .ip_permissions(moto_permission(tcp(5432).user_id_group_pairs(
            UserIdGroupPair::builder().description("postgres from web").user_id(ACCOUNT).group_id(SG1).build(),
        )))
        .ip_permissions_egress(all_traffic_out())
        .build();
    let expected = DescribeSecurityGroupsOutput::builder()
        .security_groups(web_group())
        .security_groups(db)
        .request_id(MOTO_REQUEST_ID)
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn describe_security_groups_by_filter() {
    let replay = replay(&["moto/describe-security-groups-by-filter"]);
    let out = client(&replay)
        .describe_security_groups()
        .filters(Filter::builder().name("group-name").values(WEB).build())
        .send()
        .await
        .unwrap();
    let expected =
        DescribeSecurityGroupsOutput::builder().security_groups(web_group()).request_id(MOTO_REQUEST_ID).build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn describe_security_group_rules() {
    let replay = replay(&["moto/describe-security-group-rules"]);
    let out = client(&replay)
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(SG1).build())
        .send()
        .await
        .unwrap();
    let https = |id: &str| moto_rule(id, SG1, false, "tcp", (443, 443));
    let expected = DescribeSecurityGroupRulesOutput::builder()
        .security_group_rules(
            moto_rule("sgr-00000000000000006", SG1, true, "-1", (-1, -1)).cidr_ipv4("0.0.0.0/0").build(),
        )
        .security_group_rules(
            moto_rule("sgr-00000000000000005", SG1, true, "tcp", (5432, 5432))
                .referenced_group_info(referenced(SG2))
                .build(),
        )
        .security_group_rules(
            https("sgr-00000000000000001").cidr_ipv4("0.0.0.0/0").description("https from anywhere").build(),
        )
        .security_group_rules(https("sgr-00000000000000002").cidr_ipv4("10.0.0.0/8").build())
        .security_group_rules(https("sgr-00000000000000003").cidr_ipv6("::/0").build())
        .request_id(MOTO_REQUEST_ID)
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn update_security_group_rule_descriptions_ingress() {
    let replay = replay(&["moto/update-security-group-rule-descriptions-ingress"]);
    let out = client(&replay)
        .update_security_group_rule_descriptions_ingress()
        .group_id(SG1)
        .ip_permissions(tcp(443).ip_ranges(range("0.0.0.0/0", Some("https, public"))).build())
        .send()
        .await
        .unwrap();
    // moto answers with the request id only (EC2 adds <return>true</return>).
    let expected = UpdateSecurityGroupRuleDescriptionsIngressOutput::builder().request_id(MOTO_REQUEST_ID).build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn update_security_group_rule_descriptions_egress() {
    let replay = replay(&["moto/update-security-group-rule-descriptions-egress"]);
    let out = client(&replay)
        .update_security_group_rule_descriptions_egress()
        .group_id(SG1)
        .ip_permissions(to_db(Some("to the database")))
        .send()
        .await
        .unwrap();
    let expected = UpdateSecurityGroupRuleDescriptionsEgressOutput::builder().request_id(MOTO_REQUEST_ID).build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn modify_security_group_rules() {
    let replay = replay(&["moto/modify-security-group-rules"]);
    let rule = SecurityGroupRuleRequest::builder()
        .ip_protocol("tcp")
        .from_port(8443)
        .to_port(8443)
        .cidr_ipv4("10.0.0.0/8")
        .description("admin console")
        .build();
    let out = client(&replay)
        .modify_security_group_rules()
        .group_id(SG1)
        .security_group_rules(
            SecurityGroupRuleUpdate::builder()
                .security_group_rule_id("sgr-00000000000000002")
                .security_group_rule(rule)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out, ModifySecurityGroupRulesOutput::builder().r#return(true).request_id(MOTO_REQUEST_ID).build());
    replay.assert_requests_match();
}

#[tokio::test]
async fn create_tags() {
    let replay = replay(&["moto/create-tags"]);
    let out = client(&replay)
        .create_tags()
        .resources(SG1)
        .tags(tag("env", "test & more"))
        .tags(tag("owner", "<net ops>"))
        .send()
        .await
        .unwrap();
    assert_eq!(out, CreateTagsOutput::builder().request_id(MOTO_REQUEST_ID).build());
    replay.assert_requests_match();
}

#[tokio::test]
async fn describe_tags() {
    let replay = replay(&["moto/describe-tags"]);
    let out = client(&replay)
        .describe_tags()
        .filters(Filter::builder().name("resource-id").values(SG1).build())
        .send()
        .await
        .unwrap();
    let described = |key: &str, value: &str| {
        TagDescription::builder()
            .key(key)
            .value(value)
            .resource_id(SG1)
            .resource_type(ResourceType::SecurityGroup)
            .build()
    };
    let expected = DescribeTagsOutput::builder()
        .tags(described("team", "web"))
        .tags(described("env", "test & more"))
        .tags(described("owner", "<net ops>"))
        .request_id(MOTO_REQUEST_ID)
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn delete_tags() {
    let replay = replay(&["moto/delete-tags"]);
    let out = client(&replay).delete_tags().resources(SG1).tags(Tag::builder().key("env").build()).send().await;
    assert_eq!(out.unwrap(), DeleteTagsOutput::builder().request_id(MOTO_REQUEST_ID).build());
    replay.assert_requests_match();
}

#[tokio::test]
async fn revoke_security_group_ingress() {
    let replay = replay(&["moto/revoke-security-group-ingress"]);
    let out = client(&replay)
        .revoke_security_group_ingress()
        .group_id(SG1)
        .ip_permissions(tcp(443).ip_ranges(range("0.0.0.0/0", None)).build())
        .send()
        .await
        .unwrap();
    assert_eq!(out, RevokeSecurityGroupIngressOutput::builder().r#return(true).request_id(MOTO_REQUEST_ID).build());
    replay.assert_requests_match();
}

#[tokio::test]
async fn revoke_security_group_egress() {
    let replay = replay(&["moto/revoke-security-group-egress"]);
    let out = client(&replay).revoke_security_group_egress().group_id(SG1).ip_permissions(to_db(None)).send().await;
    assert_eq!(
        out.unwrap(),
        RevokeSecurityGroupEgressOutput::builder().r#return(true).request_id(MOTO_REQUEST_ID).build()
    );
    replay.assert_requests_match();
}

#[tokio::test]
async fn delete_security_group() {
    let replay = replay(&["moto/delete-security-group", "moto/delete-security-group-web"]);
    let client = client(&replay);
    for group in [SG2, SG1] {
        let out = client.delete_security_group().group_id(group).send().await.unwrap();
        assert_eq!(out, DeleteSecurityGroupOutput::builder().request_id(MOTO_REQUEST_ID).build());
    }
    replay.assert_requests_match();
}

/// The blocking client replays the same fixtures, a whole sequence of them in order.
#[test]
fn the_blocking_client_replays_a_sequence() {
    let replay = replay(&[
        "moto/create-security-group-db",
        "moto/authorize-security-group-ingress-from-group",
        "moto/delete-security-group",
    ]);
    let client = blocking_client(&replay);
    let created = client.create_security_group().group_name(DB).description("database servers").send().unwrap();
    assert_eq!(created.group_id(), Some(SG2));
    let authorized = client.authorize_security_group_ingress().group_id(SG2).ip_permissions(from_web()).send().unwrap();
    assert_eq!(authorized.security_group_rules()[0].referenced_group_info(), Some(&referenced(SG1)));
    let deleted = client.delete_security_group().group_id(SG2).send().unwrap();
    assert_eq!(deleted, DeleteSecurityGroupOutput::builder().request_id(MOTO_REQUEST_ID).build());
    replay.assert_requests_match();
}
