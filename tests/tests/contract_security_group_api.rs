//! Contract tests for the six SecurityGroup operations moto lacks (VPC associations, references
//! from peered VPCs, stale groups, GetSecurityGroupsForVpc), replayed from answers written after
//! the Amazon EC2 API Reference (`tests/fixtures/recorded/documented/`): the whole decoded value is
//! compared each time. Also their waiters, and `SecurityGroup::usage()`'s peered-VPC half.

use ec2_sg::client::Waiters;
use ec2_sg::operation::{
    AssociateSecurityGroupVpcOutput, DescribeSecurityGroupReferencesOutput, DescribeSecurityGroupVpcAssociationsOutput,
    DescribeStaleSecurityGroupsOutput, DisassociateSecurityGroupVpcOutput, GetSecurityGroupsForVpcOutput,
};
use ec2_sg::runtime::replay::{ExpectedRequest, ReplayClient, ReplayEvent};
use ec2_sg::types::{
    Filter, SecurityGroupForVpc, SecurityGroupReference, SecurityGroupVpcAssociation, SecurityGroupVpcAssociationState,
    StaleIpPermission, StaleSecurityGroup, Tag, UserIdGroupPair,
};
use ec2_sg::waiters::WaiterErrorKind;
use ec2_sg_tests::fixtures::{blocking_client, client, load, replay};
use std::time::Duration;

const SG1: &str = "sg-00000000000000001";
const VPC1: &str = "vpc-00000000000000001";
const VPC2: &str = "vpc-00000000000000002";
const ACCOUNT: &str = "000000000001";

fn group_filter() -> Filter {
    Filter::builder().name("group-id").values(SG1).build()
}

#[tokio::test]
async fn associate_and_disassociate_a_vpc() {
    let replay = replay(&["documented/associate-security-group-vpc", "documented/disassociate-security-group-vpc"]);
    let client = client(&replay);
    let associated = client.associate_security_group_vpc().group_id(SG1).vpc_id(VPC2).send().await.unwrap();
    let expected = AssociateSecurityGroupVpcOutput::builder()
        .state(SecurityGroupVpcAssociationState::Associating)
        .request_id("00000000-0000-0000-0000-00000000e001")
        .build();
    assert_eq!(associated, expected);
    let disassociated = client.disassociate_security_group_vpc().group_id(SG1).vpc_id(VPC2).send().await.unwrap();
    let expected = DisassociateSecurityGroupVpcOutput::builder()
        .state(SecurityGroupVpcAssociationState::Disassociating)
        .request_id("00000000-0000-0000-0000-00000000e002")
        .build();
    assert_eq!(disassociated, expected);
    replay.assert_requests_match();
}

fn association(vpc: &str, owner: &str, state: SecurityGroupVpcAssociationState) -> SecurityGroupVpcAssociation {
    SecurityGroupVpcAssociation::builder()
        .group_id(SG1)
        .group_owner_id(ACCOUNT)
        .vpc_id(vpc)
        .vpc_owner_id(owner)
        .state(state)
        .build()
}

fn associations() -> DescribeSecurityGroupVpcAssociationsOutput {
    let mut failed =
        association("vpc-00000000000000003", "000000000002", SecurityGroupVpcAssociationState::AssociationFailed);
    failed.state_reason = Some("The VPC is not shared with the group's account".to_string());
    DescribeSecurityGroupVpcAssociationsOutput::builder()
        .security_group_vpc_associations(association(VPC2, ACCOUNT, SecurityGroupVpcAssociationState::Associated))
        .security_group_vpc_associations(failed)
        .next_token("token-e003")
        .request_id("00000000-0000-0000-0000-00000000e003")
        .build()
}

#[tokio::test]
async fn describe_vpc_associations() {
    let replay = replay(&["documented/describe-security-group-vpc-associations"]);
    let out = client(&replay).describe_security_group_vpc_associations().filters(group_filter()).send().await.unwrap();
    assert_eq!(out, associations());
    replay.assert_requests_match();
}

#[tokio::test]
async fn the_associated_waiter_stops_at_a_failed_association() {
    // botocore's acceptors: success when all are `associated`, failure as soon as one failed.
    let replay = replay(&["documented/describe-security-group-vpc-associations"]);
    let error = client(&replay)
        .wait_until_security_group_vpc_association_associated()
        .filters(group_filter())
        .wait(Duration::from_secs(120))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), WaiterErrorKind::FailureState);
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.output(), Some(&associations()));
    replay.assert_requests_match();
}

#[test]
fn describe_references_from_peered_vpcs_blocking() {
    let replay = replay(&["documented/describe-security-group-references"]);
    let out = blocking_client(&replay).describe_security_group_references().group_id(SG1).send().unwrap();
    assert_eq!(out, references());
    replay.assert_requests_match();
}

fn references() -> DescribeSecurityGroupReferencesOutput {
    DescribeSecurityGroupReferencesOutput::builder()
        .security_group_reference_set(
            SecurityGroupReference::builder()
                .group_id(SG1)
                .referencing_vpc_id("vpc-00000000000000004")
                .vpc_peering_connection_id("pcx-00000000000000001")
                .build(),
        )
        .security_group_reference_set(
            SecurityGroupReference::builder()
                .group_id(SG1)
                .referencing_vpc_id("vpc-00000000000000005")
                .transit_gateway_id("tgw-00000000000000001")
                .build(),
        )
        .request_id("00000000-0000-0000-0000-00000000e004")
        .build()
}

#[tokio::test]
async fn describe_stale_groups() {
    let replay = replay(&["documented/describe-stale-security-groups"]);
    let out = client(&replay).describe_stale_security_groups().vpc_id(VPC1).send().await.unwrap();
    let stale_ingress = StaleIpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id("sg-00000000000000009")
                .user_id("000000000002")
                .vpc_id("vpc-00000000000000004")
                .peering_status("deleted")
                .vpc_peering_connection_id("pcx-00000000000000001")
                .build(),
        )
        .build();
    let stale_egress = StaleIpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .ip_ranges("10.1.0.0/16")
        .prefix_list_ids("pl-00000000000000001")
        .build();
    let expected = DescribeStaleSecurityGroupsOutput::builder()
        .stale_security_group_set(
            StaleSecurityGroup::builder()
                .group_id(SG1)
                .group_name("web")
                .description("web servers")
                .vpc_id(VPC1)
                .stale_ip_permissions(stale_ingress)
                .stale_ip_permissions_egress(stale_egress)
                .build(),
        )
        .request_id("00000000-0000-0000-0000-00000000e005")
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

#[tokio::test]
async fn groups_for_a_vpc() {
    let replay = replay(&["documented/get-security-groups-for-vpc"]);
    let out = client(&replay).get_security_groups_for_vpc().vpc_id(VPC2).max_results(5).send().await.unwrap();
    let default_group = SecurityGroupForVpc::builder()
        .group_id("sg-00000000000000002")
        .group_name("default")
        .description("default VPC security group")
        .owner_id(ACCOUNT)
        .primary_vpc_id(VPC2)
        .set_tags(Some(Vec::new()))
        .build();
    let associated_group = SecurityGroupForVpc::builder()
        .group_id(SG1)
        .group_name("web")
        .description("web servers")
        .owner_id(ACCOUNT)
        .primary_vpc_id(VPC1)
        .tags(Tag::builder().key("env").value("prod").build())
        .build();
    let expected = GetSecurityGroupsForVpcOutput::builder()
        .security_group_for_vpcs(default_group)
        .security_group_for_vpcs(associated_group)
        .next_token("token-e006")
        .request_id("00000000-0000-0000-0000-00000000e006")
        .build();
    assert_eq!(out, expected);
    replay.assert_requests_match();
}

/// An answer with nothing in it, to the request `usage()` sends before asking about peered VPCs.
fn empty_answer(action: &str, filter: &str, list: &str) -> ReplayEvent {
    let request = ExpectedRequest::operation(action, "2016-11-15")
        .param("Filter.1.Name", filter)
        .param("Filter.1.Value.1", SG1)
        .without_headers();
    let body = format!(
        "<{action}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId><{list}/></{action}Response>"
    );
    ReplayEvent::xml(request, 200, body)
}

#[tokio::test]
async fn usage_reports_references_from_peered_vpcs() {
    let replay = ReplayClient::new([
        empty_answer("DescribeNetworkInterfaces", "group-id", "networkInterfaceSet"),
        empty_answer("DescribeSecurityGroups", "ip-permission.group-id", "securityGroupInfo"),
        empty_answer("DescribeSecurityGroups", "egress.ip-permission.group-id", "securityGroupInfo"),
        load("documented/describe-security-group-references"),
    ]);
    let group = client(&replay).resource().security_group(SG1);
    let usage = group.usage().send().await.unwrap();
    assert!(usage.network_interfaces().is_empty() && usage.referencing_groups().is_empty());
    assert_eq!(usage.peer_references(), references().security_group_reference_set());
    assert!(!usage.is_unused(), "a reference from a peered VPC keeps the group in use");
    replay.assert_requests_match();
}
