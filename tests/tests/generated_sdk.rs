//! The generated SDK on the real EC2 model: builders, EC2 Query bodies, XML decoding of answers
//! in the shape the EC2 API reference documents, and bad input.

use ec2_sg::operation::{
    AuthorizeSecurityGroupIngress, CreateTags, CreateTagsInput, DescribeSecurityGroups, DescribeSecurityGroupsInput,
    DescribeSecurityGroupsOutput, RevokeSecurityGroupIngress,
};
use ec2_sg::runtime::{
    build_request, parse_form, parse_response, BuildError, Compression, Endpoint, FixedTokens, Operation,
    RequestOptions, ResponseError,
};
use ec2_sg::types::{Filter, IpPermission, IpRange, ResourceType, SecurityGroup, Tag, UserIdGroupPair};

fn body_of<O: Operation>(input: &O::Input) -> Result<Vec<(String, String)>, BuildError> {
    let endpoint = Endpoint::parse("https://ec2.us-east-1.amazonaws.com").expect("valid endpoint");
    let tokens = FixedTokens("token".into());
    let options =
        RequestOptions { endpoint: &endpoint, idempotency_tokens: &tokens, compression: Compression::default() };
    let request = build_request::<O>(input, &options)?;
    assert_eq!(request.url(), "https://ec2.us-east-1.amazonaws.com/");
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded; charset=utf-8"));
    Ok(parse_form(std::str::from_utf8(&request.body).expect("utf-8 body")).expect("form body"))
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn authorize_ingress_body_follows_ec2_query_rules() {
    let input = ec2_sg::operation::AuthorizeSecurityGroupIngressInput::builder()
        .group_id("sg-0123")
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").description("ssh from the office").build())
                .ip_ranges(IpRange::builder().cidr_ip("192.168.0.0/16").build())
                .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-9").build())
                .build(),
        )
        .dry_run(true)
        .build();
    let body = body_of::<AuthorizeSecurityGroupIngress>(&input).expect("builds");
    assert_eq!(
        body,
        pairs(&[
            ("Action", "AuthorizeSecurityGroupIngress"),
            ("Version", "2016-11-15"),
            ("DryRun", "true"),
            ("GroupId", "sg-0123"),
            ("IpPermissions.1.FromPort", "22"),
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8"),
            ("IpPermissions.1.IpRanges.1.Description", "ssh from the office"),
            ("IpPermissions.1.IpRanges.2.CidrIp", "192.168.0.0/16"),
            ("IpPermissions.1.ToPort", "22"),
            ("IpPermissions.1.Groups.1.GroupId", "sg-9"),
        ])
    );
}

#[test]
fn location_names_become_capitalized_keys_and_lists_flatten() {
    let input = DescribeSecurityGroupsInput::builder()
        .group_ids("sg-1")
        .group_ids("sg-2")
        .filters(Filter::builder().name("vpc-id").values("vpc-1").build())
        .max_results(5)
        .build();
    let body = body_of::<DescribeSecurityGroups>(&input).expect("builds");
    assert_eq!(
        body,
        pairs(&[
            ("Action", "DescribeSecurityGroups"),
            ("Version", "2016-11-15"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", "vpc-1"),
            ("GroupId.1", "sg-1"),
            ("GroupId.2", "sg-2"),
            ("MaxResults", "5"),
        ])
    );
    let empty_lists = DescribeSecurityGroupsInput::builder().set_group_ids(Some(vec![])).build();
    assert_eq!(body_of::<DescribeSecurityGroups>(&empty_lists).expect("builds").len(), 2);
}

#[test]
fn missing_required_members_are_refused_before_sending() {
    let error =
        body_of::<CreateTags>(&CreateTagsInput::builder().resources("sg-1").build()).expect_err("Tags is required");
    assert_eq!(error, BuildError::MissingMember { shape: "CreateTagsInput", member: "Tags" });
    assert!(error.to_string().contains("no request was sent"));
    let ok = CreateTagsInput::builder().resources("sg-1").tags(Tag::builder().key("team").value("a b").build()).build();
    let body = body_of::<CreateTags>(&ok).expect("builds");
    assert!(body.contains(&("Tag.1.Value".to_string(), "a b".to_string())), "{body:?}");
    assert!(body.contains(&("ResourceId.1".to_string(), "sg-1".to_string())), "{body:?}");
}

const DESCRIBE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
    <securityGroupInfo>
        <item>
            <ownerId>123456789012</ownerId>
            <groupId>sg-1a2b3c4d</groupId>
            <groupName>WebServers</groupName>
            <groupDescription>Web &amp; app servers</groupDescription>
            <vpcId>vpc-1a2b3c4d</vpcId>
            <securityGroupArn>arn:aws:ec2:us-east-1:123456789012:security-group/sg-1a2b3c4d</securityGroupArn>
            <ipPermissions>
                <item>
                    <ipProtocol>tcp</ipProtocol>
                    <fromPort>80</fromPort>
                    <toPort>80</toPort>
                    <groups/>
                    <ipRanges>
                        <item><cidrIp>0.0.0.0/0</cidrIp></item>
                    </ipRanges>
                    <ipv6Ranges/>
                    <prefixListIds/>
                    <aFieldFromANewerApiVersion><nested>ignored</nested></aFieldFromANewerApiVersion>
                </item>
            </ipPermissions>
            <ipPermissionsEgress>
                <item>
                    <ipProtocol>-1</ipProtocol>
                    <groups>
                        <item><userId>123456789012</userId><groupId>sg-9</groupId></item>
                    </groups>
                </item>
            </ipPermissionsEgress>
            <tagSet>
                <item><key>Name</key><value>web</value></item>
            </tagSet>
        </item>
    </securityGroupInfo>
    <nextToken>page-2</nextToken>
</DescribeSecurityGroupsResponse>"#;

#[test]
fn describe_response_decodes_every_field() {
    let output = parse_response::<DescribeSecurityGroups>(200, DESCRIBE.as_bytes()).expect("decodes");
    let expected = DescribeSecurityGroupsOutput::builder()
        .request_id("59dbff89-35bd-4eac-99ed-be587EXAMPLE")
        .next_token("page-2")
        .security_groups(
            SecurityGroup::builder()
                .owner_id("123456789012")
                .group_id("sg-1a2b3c4d")
                .group_name("WebServers")
                .description("Web & app servers")
                .vpc_id("vpc-1a2b3c4d")
                .security_group_arn("arn:aws:ec2:us-east-1:123456789012:security-group/sg-1a2b3c4d")
                .ip_permissions(
                    IpPermission::builder()
                        .ip_protocol("tcp")
                        .from_port(80)
                        .to_port(80)
                        .set_user_id_group_pairs(Some(vec![]))
                        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                        .set_ipv6_ranges(Some(vec![]))
                        .set_prefix_list_ids(Some(vec![]))
                        .build(),
                )
                .ip_permissions_egress(
                    IpPermission::builder()
                        .ip_protocol("-1")
                        .user_id_group_pairs(
                            UserIdGroupPair::builder().user_id("123456789012").group_id("sg-9").build(),
                        )
                        .build(),
                )
                .tags(Tag::builder().key("Name").value("web").build())
                .build(),
        )
        .build();
    assert_eq!(output, expected);
    assert_eq!(output.security_groups()[0].ip_permissions()[0].ip_ranges()[0].cidr_ip(), Some("0.0.0.0/0"));
    assert_eq!(output.security_groups()[0].ip_permissions()[0].ipv6_ranges(), &[]);
}

#[test]
fn revoke_reports_unknown_permissions() {
    let body = r#"<RevokeSecurityGroupIngressResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
        <requestId>r-1</requestId><return>false</return>
        <unknownIpPermissionSet><item><ipProtocol>tcp</ipProtocol><fromPort>1</fromPort><toPort>2</toPort></item></unknownIpPermissionSet>
    </RevokeSecurityGroupIngressResponse>"#;
    let output = parse_response::<RevokeSecurityGroupIngress>(200, body.as_bytes()).expect("decodes");
    assert_eq!(output.r#return(), Some(false));
    assert_eq!(output.unknown_ip_permissions()[0].to_port(), Some(2));
    assert_eq!(output.request_id(), Some("r-1"));
}

#[test]
fn errors_and_bad_bodies_are_values() {
    let not_found = b"<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>The security group 'sg-x' does not exist</Message></Error></Errors><RequestID>req-9</RequestID></Response>";
    match parse_response::<DescribeSecurityGroups>(400, not_found) {
        Err(ResponseError::Service(e)) => {
            assert_eq!(
                (e.code(), e.request_id(), e.http_status()),
                (Some("InvalidGroup.NotFound"), Some("req-9"), Some(400))
            );
        }
        other => panic!("expected a service error, got {other:?}"),
    }
    for truncated in [&DESCRIBE[..DESCRIBE.len() / 2], "", "<html><body>oops</body></html", "\u{0}\u{1}"] {
        match parse_response::<DescribeSecurityGroups>(200, truncated.as_bytes()) {
            Err(ResponseError::Decode { operation, http_status, .. }) => {
                assert_eq!((operation, http_status), ("DescribeSecurityGroups", 200));
            }
            other => panic!("{truncated:?} should not decode: {other:?}"),
        }
    }
    let wrong_type = "<DescribeSecurityGroupsResponse><securityGroupInfo><item><ipPermissions><item><fromPort>eighty</fromPort></item></ipPermissions></item></securityGroupInfo></DescribeSecurityGroupsResponse>";
    let error = parse_response::<DescribeSecurityGroups>(200, wrong_type.as_bytes()).expect_err("not a number");
    assert!(error.to_string().contains("<fromPort>"), "{error}");
}

#[test]
fn enums_keep_values_they_do_not_know() {
    assert_eq!(ResourceType::from("security-group"), ResourceType::SecurityGroup);
    assert_eq!(ResourceType::SecurityGroup.as_str(), "security-group");
    let future = ResourceType::from("quantum-widget");
    assert_eq!(future, ResourceType::Unknown("quantum-widget".into()));
    assert_eq!(future.as_str(), "quantum-widget");
    assert!(ResourceType::values().contains(&"vpc"));
}
