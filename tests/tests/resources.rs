//! boto3's resource API, generated from the resource model: the SecurityGroup and Tag resources,
//! the service resource and its collection. End to end against moto (signature checks on), and
//! against scripted pages for what moto cannot show (pagination, the revoke fix on the wire).

use ec2_sg::resources::{SecurityGroup, Tag};
use ec2_sg::types::{Filter, IpPermission, IpRange, Tag as TagValue, UserIdGroupPair};
use ec2_sg::{Client, ErrorKind};
use ec2_sg_tests::moto::{moto, unique};
use ec2_sg_tests::ssh_from;
use ec2_sg_tests::stub::{Reply, Stub};

fn client() -> Client {
    moto().client()
}

#[tokio::test]
async fn the_security_group_resource_flow() {
    let client = client();
    let name = unique("resource");
    // The service resource's CreateSecurityGroup returns a SecurityGroup resource.
    let mut group: SecurityGroup =
        client.resource().create_security_group().group_name(&name).description("resource flow").send().await.unwrap();
    let id = group.id().to_string();
    assert!(id.starts_with("sg-"));
    assert!(!group.is_loaded());
    assert_eq!(group.group_id(), Some(id.as_str()), "the identifier is known before a load");
    assert_eq!(group.description(), None, "attributes need a load");
    assert!(group.ip_permissions().is_empty());
    assert!(group.get_available_subresources().is_empty(), "boto3 answers [] for a SecurityGroup");

    // Actions with the identifier filled in.
    let other =
        client.resource().create_security_group().group_name(unique("peer")).description("peer").send().await.unwrap();
    let from_peer = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .user_id_group_pairs(UserIdGroupPair::builder().group_id(other.id()).build())
        .build();
    group.authorize_ingress().ip_permissions(ssh_from("10.0.0.0/8")).ip_permissions(from_peer).send().await.unwrap();
    let out = IpPermission::builder()
        .ip_protocol("udp")
        .from_port(53)
        .to_port(53)
        .ip_ranges(IpRange::builder().cidr_ip("10.0.0.2/32").build())
        .build();
    group.authorize_egress().ip_permissions(out).send().await.unwrap();

    // load() fills the attributes.
    group.load().await.unwrap();
    assert!(group.is_loaded());
    assert_eq!(group.group_name(), Some(name.as_str()));
    assert_eq!(group.description(), Some("resource flow"));
    assert!(group.owner_id().is_some());
    assert!(group.security_group_arn().is_some_and(|arn| arn.ends_with(&id)));
    assert_eq!(group.ip_permissions().len(), 2);
    assert!(group.ip_permissions_egress().iter().any(|p| p.from_port() == Some(53)));

    // create_tags returns Tag resources built from the request, as boto3 does.
    let tags: Vec<Tag> = group
        .create_tags()
        .tags(TagValue::builder().key("team").value("net").build())
        .tags(TagValue::builder().key("env").value("test").build())
        .send()
        .await
        .unwrap();
    let identifiers: Vec<(&str, &str, &str)> = tags.iter().map(|t| (t.resource_id(), t.key(), t.value())).collect();
    assert_eq!(identifiers, [(id.as_str(), "team", "net"), (id.as_str(), "env", "test")]);
    let mut team = tags.into_iter().next().unwrap();
    team.load().await.unwrap();
    assert_eq!(team.resource_type(), Some(&ec2_sg::types::ResourceType::SecurityGroup));
    team.delete().send().await.unwrap();
    group.reload().await.unwrap();
    let keys: Vec<_> = group.tags().iter().filter_map(|t| t.key()).collect();
    assert_eq!(keys, ["env"]);

    // Permissions read from describe go straight back into revoke and remove exactly those rules.
    group.revoke_ingress().set_ip_permissions(Some(group.ip_permissions().to_vec())).send().await.unwrap();
    group.revoke_egress().set_ip_permissions(Some(group.ip_permissions_egress().to_vec())).send().await.unwrap();
    group.reload().await.unwrap();
    assert!(group.ip_permissions().is_empty(), "{:?}", group.ip_permissions());
    assert!(group.ip_permissions_egress().is_empty(), "{:?}", group.ip_permissions_egress());

    group.delete().send().await.unwrap();
    other.delete().send().await.unwrap();
    let error = group.load().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidGroup.NotFound"));
}

#[tokio::test]
async fn client_security_group_and_tag_handles() {
    let client = client();
    let mut missing = client.security_group("sg-0123456789abcdef0");
    assert_eq!(missing.id(), "sg-0123456789abcdef0");
    let error = missing.load().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidGroup.NotFound"), "{error:?}");
    let mut tag = Tag::new(client.clone(), "sg-0123456789abcdef0", "no-such-key", "no-such-value");
    let error = tag.load().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert!(error.to_string().contains("no-such-key"), "{error}");
}

#[tokio::test]
async fn the_collection_filters_limits_and_loads() {
    let client = client();
    let marker = unique("collection");
    let mut ids = Vec::new();
    for n in 0..3 {
        let group = client
            .resource()
            .create_security_group()
            .group_name(format!("{marker}-{n}"))
            .description("c")
            .send()
            .await
            .unwrap();
        group.create_tags().tags(TagValue::builder().key("batch").value(&marker).build()).send().await.unwrap();
        ids.push(group.id().to_string());
    }
    let tagged = || client.security_groups().filters(Filter::builder().name("tag:batch").values(&marker).build());
    let all: Vec<SecurityGroup> = tagged().all().stream().try_collect().await.unwrap();
    let mut found: Vec<String> = all.iter().map(|g| g.id().to_string()).collect();
    found.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(found, expected);
    assert!(all.iter().all(|g| g.is_loaded() && g.description() == Some("c")), "collection items carry their data");
    assert_eq!(tagged().limit(2).stream().try_collect().await.unwrap().len(), 2);
    let one: Vec<SecurityGroup> =
        client.security_groups().filter(|b| b.group_ids(&ids[1])).stream().try_collect().await.unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].id(), ids[1]);
    for id in ids {
        client.security_group(id).delete().send().await.unwrap();
    }
}

#[test]
fn the_blocking_resource_api() {
    let client = ec2_sg::blocking::Client::from_conf(moto().config().build().unwrap()).unwrap();
    let name = unique("blocking-resource");
    let mut group = client.resource().create_security_group().group_name(&name).description("b").send().unwrap();
    group.authorize_ingress().ip_permissions(ssh_from("10.2.0.0/16")).send().unwrap();
    group.load().unwrap();
    assert_eq!(group.group_name(), Some(name.as_str()));
    let listed: Vec<_> = client.security_groups().group_ids(group.id()).iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].ip_permissions()[0].ip_ranges()[0].cidr_ip(), Some("10.2.0.0/16"));
    group.delete().send().unwrap();
}

fn page(items: &[(&str, &str)], next: Option<&str>) -> String {
    let items: String = items
        .iter()
        .map(|(id, name)| format!("<item><groupId>{id}</groupId><groupName>{name}</groupName><groupDescription>d</groupDescription></item>"))
        .collect();
    let next = next.map(|t| format!("<nextToken>{t}</nextToken>")).unwrap_or_default();
    format!("<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId><securityGroupInfo>{items}</securityGroupInfo>{next}</DescribeSecurityGroupsResponse>")
}

#[tokio::test]
async fn the_collection_follows_next_token_lazily() {
    let stub = Stub::start(vec![
        Reply::xml(200, &page(&[("sg-1", "a"), ("sg-2", "b")], Some("t2"))),
        Reply::xml(200, &page(&[("sg-3", "c")], Some("t3"))),
        Reply::xml(200, &page(&[("sg-4", "d")], None)),
    ]);
    let client = stub.client();
    let groups: Vec<SecurityGroup> = client.security_groups().page_size(2).stream().try_collect().await.unwrap();
    let names: Vec<_> = groups.iter().map(|g| g.group_name().unwrap_or_default()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    let bodies: Vec<String> = stub.received().into_iter().map(|r| r.body).collect();
    assert_eq!(
        bodies,
        [
            "Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=2",
            "Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=2&NextToken=t2",
            "Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=2&NextToken=t3",
        ]
    );

    let stub = Stub::start(vec![
        Reply::xml(200, &page(&[("sg-1", "a"), ("sg-2", "b")], Some("t2"))),
        Reply::xml(200, &page(&[("sg-3", "c")], None)),
    ]);
    let first: Vec<SecurityGroup> = stub.client().security_groups().limit(2).stream().try_collect().await.unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(stub.received().len(), 1, "limit(2) is met by the first page: no second request");
}

#[tokio::test]
async fn revoking_described_permissions_sends_only_what_identifies_them() {
    let described = r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>
<securityGroupInfo><item><groupId>sg-1</groupId><ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort>
<groups><item><userId>123456789012</userId><groupId>sg-9</groupId><groupName>peer</groupName><vpcId>vpc-2</vpcId><vpcPeeringConnectionId>pcx-1</vpcPeeringConnectionId><peeringStatus>active</peeringStatus></item></groups>
<ipRanges/><ipv6Ranges/><prefixListIds/></item></ipPermissions></item></securityGroupInfo></DescribeSecurityGroupsResponse>"#;
    let revoked = "<RevokeSecurityGroupIngressResponse><requestId>r2</requestId><return>true</return></RevokeSecurityGroupIngressResponse>";
    let stub = Stub::start(vec![Reply::xml(200, described), Reply::xml(200, revoked)]);
    let client = stub.client();
    let mut group = client.security_group("sg-1");
    group.load().await.unwrap();
    assert_eq!(group.ip_permissions()[0].user_id_group_pairs()[0].group_name(), Some("peer"));
    let out = group.revoke_ingress().set_ip_permissions(Some(group.ip_permissions().to_vec())).send().await.unwrap();
    assert_eq!(out.r#return(), Some(true));
    let body = &stub.received()[1].body;
    assert_eq!(
        body,
        "Action=RevokeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1&IpPermissions.1.FromPort=443\
         &IpPermissions.1.IpProtocol=tcp&IpPermissions.1.ToPort=443&IpPermissions.1.Groups.1.GroupId=sg-9\
         &IpPermissions.1.Groups.1.UserId=123456789012&IpPermissions.1.Groups.1.VpcId=vpc-2\
         &IpPermissions.1.Groups.1.VpcPeeringConnectionId=pcx-1"
    );
}
