//! The neighbour operations of the optional features, end to end against moto (signature checks
//! on): `vpcs` (the default VPC and its subnets), `network-interfaces` (an interface carrying a
//! group, moved to another; `SecurityGroup::usage()`), `prefix-lists` (a list with entries as a
//! rule's peer), `instances` (an instance's groups changed). Interfaces and instances are created
//! with boto3 (`Moto::boto3_ec2`): the SDK has no operation for that.

use ec2_sg::client::Waiters;
use ec2_sg::types::{
    AddPrefixListEntry, Filter, GroupIdentifier, InstanceAttributeName, IpPermission, PrefixListId, UserIdGroupPair,
};
use ec2_sg::Client;
use ec2_sg_tests::moto::{moto, unique};
use std::time::Duration;

fn client() -> Client {
    moto().client()
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The default VPC and one of its subnets.
async fn default_vpc(client: &Client) -> (String, String) {
    let vpcs = client.describe_vpcs().filters(filter("is-default", "true")).send().await.unwrap();
    let vpc_id = vpcs.vpcs()[0].vpc_id().expect("a VPC id").to_string();
    let subnets = client.describe_subnets().filters(filter("vpc-id", &vpc_id)).send().await.unwrap();
    let subnet_id = subnets.subnets()[0].subnet_id().expect("a subnet id").to_string();
    (vpc_id, subnet_id)
}

async fn group_in(client: &Client, vpc_id: &str, prefix: &str) -> String {
    let created = client
        .create_security_group()
        .group_name(unique(prefix))
        .description("ec2-sg neighbours e2e")
        .vpc_id(vpc_id)
        .send()
        .await
        .unwrap();
    created.group_id().expect("a group id").to_string()
}

fn group_ids(groups: &[GroupIdentifier]) -> Vec<&str> {
    let mut ids: Vec<&str> = groups.iter().filter_map(GroupIdentifier::group_id).collect();
    ids.sort();
    ids
}

/// A network interface in `subnet_id` carrying `group_id`, made with boto3.
fn network_interface(subnet_id: &str, group_id: &str) -> String {
    let created = moto().boto3_ec2(&format!(
        "result = ec2.create_network_interface(SubnetId='{subnet_id}', Groups=['{group_id}'])\
         ['NetworkInterface']['NetworkInterfaceId']"
    ));
    created.as_str().expect("an interface id").to_string()
}

#[tokio::test]
async fn vpcs_the_default_vpc_its_subnets_and_a_group_in_it() {
    let client = client();
    let vpcs = client.describe_vpcs().filters(filter("is-default", "true")).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1, "one default VPC per region");
    let vpc = &vpcs.vpcs()[0];
    assert_eq!(vpc.is_default(), Some(true));
    let vpc_id = vpc.vpc_id().unwrap();
    assert!(vpc_id.starts_with("vpc-") && vpc.cidr_block().is_some(), "{vpc:?}");

    let subnets = client.describe_subnets().filters(filter("vpc-id", vpc_id)).send().await.unwrap();
    assert!(!subnets.subnets().is_empty(), "moto makes default subnets");
    for subnet in subnets.subnets() {
        assert_eq!(subnet.vpc_id(), Some(vpc_id));
        assert!(subnet.subnet_id().is_some_and(|id| id.starts_with("subnet-")), "{subnet:?}");
    }
    // The paginators and waiters of the feature are there too.
    let all_subnets = client.describe_subnets().into_paginator().items().send().try_collect().await.unwrap();
    assert!(all_subnets.len() >= subnets.subnets().len());
    let available = client.wait_until_vpc_available().vpc_ids(vpc_id).wait(Duration::from_secs(60)).await.unwrap();
    assert_eq!(available.into_result().unwrap().vpcs()[0].vpc_id(), Some(vpc_id));

    // A group created in that VPC lives there.
    let group_id = group_in(&client, vpc_id, "in-default-vpc").await;
    let described = client.describe_security_groups().group_ids(&group_id).send().await.unwrap();
    assert_eq!(described.security_groups()[0].vpc_id(), Some(vpc_id));
}

#[tokio::test]
async fn network_interfaces_a_group_moved_to_another() {
    let client = client();
    let (vpc_id, subnet_id) = default_vpc(&client).await;
    let first = group_in(&client, &vpc_id, "eni-first").await;
    let second = group_in(&client, &vpc_id, "eni-second").await;
    let eni = network_interface(&subnet_id, &first);

    let carrying_first = client.describe_network_interfaces().filters(filter("group-id", &first)).send().await.unwrap();
    let found: Vec<_> = carrying_first.network_interfaces().iter().filter_map(|n| n.network_interface_id()).collect();
    assert_eq!(found, [eni.as_str()]);
    assert_eq!(group_ids(carrying_first.network_interfaces()[0].groups()), [first.as_str()]);

    client.modify_network_interface_attribute().network_interface_id(&eni).groups(&second).send().await.unwrap();
    let moved = client.describe_network_interfaces().network_interface_ids(&eni).send().await.unwrap();
    assert_eq!(group_ids(moved.network_interfaces()[0].groups()), [second.as_str()]);
    let still_first = client.describe_network_interfaces().filters(filter("group-id", &first)).send().await.unwrap();
    assert!(still_first.network_interfaces().is_empty(), "{still_first:?}");
    let available =
        client.wait_until_network_interface_available().network_interface_ids(&eni).wait(Duration::from_secs(60)).await;
    assert!(available.is_ok(), "{available:?}");
}

#[tokio::test]
async fn prefix_lists_with_entries_as_a_rule_peer() {
    let client = client();
    let (vpc_id, _) = default_vpc(&client).await;
    let entry =
        |cidr: &str, description: &str| AddPrefixListEntry::builder().cidr(cidr).description(description).build();
    let created = client
        .create_managed_prefix_list()
        .prefix_list_name(unique("offices"))
        .address_family("IPv4")
        .max_entries(5)
        .entries(entry("192.0.2.0/24", "paris"))
        .send()
        .await
        .unwrap();
    let list = created.prefix_list().expect("the new prefix list");
    let list_id = list.prefix_list_id().expect("a prefix list id").to_string();
    assert!(list_id.starts_with("pl-"), "{list_id}");

    let version = list.version().expect("a version");
    client
        .modify_managed_prefix_list()
        .prefix_list_id(&list_id)
        .current_version(version)
        .add_entries(entry("198.51.100.0/24", "lyon"))
        .send()
        .await
        .unwrap();
    let entries = client.get_managed_prefix_list_entries().prefix_list_id(&list_id).send().await.unwrap();
    let mut cidrs: Vec<_> = entries.entries().iter().filter_map(|e| e.cidr()).collect();
    cidrs.sort();
    assert_eq!(cidrs, ["192.0.2.0/24", "198.51.100.0/24"]);
    let described = client.describe_managed_prefix_lists().prefix_list_ids(&list_id).send().await.unwrap();
    assert_eq!(described.prefix_lists()[0].prefix_list_id(), Some(list_id.as_str()));

    // The list as the peer of a rule.
    let group_id = group_in(&client, &vpc_id, "pl-peer").await;
    let https_from_offices = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .prefix_list_ids(PrefixListId::builder().prefix_list_id(&list_id).description("offices").build())
        .build();
    client
        .authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(https_from_offices)
        .send()
        .await
        .unwrap();
    let group = client.describe_security_groups().group_ids(&group_id).send().await.unwrap();
    let peers: Vec<_> = group.security_groups()[0]
        .ip_permissions()
        .iter()
        .flat_map(|p| p.prefix_list_ids())
        .filter_map(|p| p.prefix_list_id())
        .collect();
    assert_eq!(peers, [list_id.as_str()]);

    client.delete_managed_prefix_list().prefix_list_id(&list_id).send().await.unwrap();
}

#[tokio::test]
async fn instances_groups_changed() {
    let client = client();
    let (vpc_id, subnet_id) = default_vpc(&client).await;
    let first = group_in(&client, &vpc_id, "instance-first").await;
    let second = group_in(&client, &vpc_id, "instance-second").await;
    let launched = moto().boto3_ec2(&format!(
        "image = ec2.describe_images()['Images'][0]['ImageId']\n\
         result = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId='{subnet_id}',\
         SecurityGroupIds=['{first}'])['Instances'][0]['InstanceId']"
    ));
    let instance_id = launched.as_str().expect("an instance id").to_string();

    let running =
        client.wait_until_instance_running().instance_ids(&instance_id).wait(Duration::from_secs(60)).await.unwrap();
    let running = running.into_result().unwrap();
    let instance = &running.reservations()[0].instances()[0];
    assert_eq!(group_ids(instance.security_groups()), [first.as_str()]);

    client.modify_instance_attribute().instance_id(&instance_id).groups(&first).groups(&second).send().await.unwrap();
    let attribute = client
        .describe_instance_attribute()
        .instance_id(&instance_id)
        .attribute(InstanceAttributeName::GroupSet)
        .send()
        .await
        .unwrap();
    let mut both = vec![first.as_str(), second.as_str()];
    both.sort();
    assert_eq!(group_ids(attribute.groups()), both);
    let described = client.describe_instances().instance_ids(&instance_id).send().await.unwrap();
    let instance = &described.reservations()[0].instances()[0];
    assert_eq!(group_ids(instance.security_groups()), both, "DescribeInstances sees the change too");
}

/// The README's "delete every group nothing uses", on groups of this test only: moto has no
/// DescribeSecurityGroupReferences (hence `include_peered_vpcs(false)`) and never refuses a delete
/// with DependencyViolation, so what usage() reports is checked, then only unused groups are deleted.
#[tokio::test]
async fn what_uses_a_group() {
    let client = client();
    let (vpc_id, subnet_id) = default_vpc(&client).await;
    let carried = group_in(&client, &vpc_id, "usage-carried").await;
    let referenced = group_in(&client, &vpc_id, "usage-referenced").await;
    let referencing = group_in(&client, &vpc_id, "usage-referencing").await;
    let unused = group_in(&client, &vpc_id, "usage-unused").await;
    let eni = network_interface(&subnet_id, &carried);
    let from_referenced = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(5432)
        .to_port(5432)
        .user_id_group_pairs(UserIdGroupPair::builder().group_id(&referenced).build())
        .build();
    client
        .authorize_security_group_egress()
        .group_id(&referencing)
        .ip_permissions(from_referenced)
        .send()
        .await
        .unwrap();

    let usage_of = |id: &str| client.security_group(id).usage().include_peered_vpcs(false).send();
    let carried_usage = usage_of(&carried).await.unwrap();
    let interfaces: Vec<_> =
        carried_usage.network_interfaces().iter().filter_map(|n| n.network_interface_id()).collect();
    assert_eq!(interfaces, [eni.as_str()]);
    assert!(carried_usage.referencing_groups().is_empty());

    let referenced_usage = usage_of(&referenced).await.unwrap();
    assert!(referenced_usage.network_interfaces().is_empty());
    let referrers: Vec<_> = referenced_usage.referencing_groups().iter().filter_map(|g| g.group_id()).collect();
    assert_eq!(referrers, [referencing.as_str()], "found through the egress rule");
    assert!(usage_of(&unused).await.unwrap().is_unused());

    let mut deleted = Vec::new();
    for id in [&carried, &referenced, &referencing, &unused] {
        let group = client.security_group(id.as_str());
        if group.usage().include_peered_vpcs(false).send().await.unwrap().is_unused() {
            group.delete().send().await.unwrap();
            deleted.push(id.as_str());
        }
    }
    assert_eq!(deleted, [referencing.as_str(), unused.as_str()], "a group only referencing others is unused");
}

#[test]
fn what_uses_a_group_blocking() {
    let client = ec2_sg::blocking::Client::from_conf(moto().config().build().unwrap()).unwrap();
    let vpcs = client.describe_vpcs().filters(filter("is-default", "true")).send().unwrap();
    let vpc_id = vpcs.vpcs()[0].vpc_id().unwrap().to_string();
    let group_id = client
        .create_security_group()
        .group_name(unique("usage-blocking"))
        .description("ec2-sg neighbours e2e")
        .vpc_id(&vpc_id)
        .send()
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let subnets = client.describe_subnets().filters(filter("vpc-id", &vpc_id)).send().unwrap();
    let eni = network_interface(subnets.subnets()[0].subnet_id().unwrap(), &group_id);
    let usage = client.security_group(&group_id).usage().include_peered_vpcs(false).send().unwrap();
    let interfaces: Vec<_> = usage.network_interfaces().iter().filter_map(|n| n.network_interface_id()).collect();
    assert_eq!(interfaces, [eni.as_str()]);
}
