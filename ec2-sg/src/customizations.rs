//! Service customizations: the few EC2-specific adjustments that do not follow from the model,
//! kept here in one place (botocore has its `handlers.py`, smithy-rs its decorators).
//!
//! Permissions read from DescribeSecurityGroups cannot be passed straight back to a revoke call
//! in the other SDKs (boto/boto3#415, aws/aws-sdk-js-v3#4984, aws/aws-sdk-go-v2#2559,
//! aws/aws-sdk-ruby#1716): a described group reference carries fields EC2 refuses in a revoke.
//! A `GroupName` next to a `GroupId` makes EC2 look the name up in the *default* VPC (and answer
//! `InvalidGroup.NotFound` for any other VPC), and `PeeringStatus` is read-only. Here a revoke's
//! permissions are reduced to what identifies the rule, so
//! `revoke_ingress().set_ip_permissions(Some(group.ip_permissions().to_vec()))` removes exactly
//! those rules.
//!
//! EC2 refuses to delete a group something still uses with `DependencyViolation` and no word of
//! what; the error here says where to look.

use crate::operation::{DeleteSecurityGroup, RevokeSecurityGroupEgress, RevokeSecurityGroupIngress};
use crate::runtime::{Error, Operation};
use crate::types::{IpPermission, UserIdGroupPair};

/// The hooks of an operation `model/customizations.json` names: its generated `Operation` impl
/// calls these for `Operation::customize_input` and `Operation::customize_error`.
pub(crate) trait Customize: Operation {
    /// Adjusts the input before it is checked and serialized.
    fn customize_input(input: &mut Self::Input) {
        let _ = input;
    }

    /// Adjusts the call's final error.
    fn customize_error(error: Error) -> Error {
        error
    }
}

impl Customize for RevokeSecurityGroupIngress {
    fn customize_input(input: &mut Self::Input) {
        input.ip_permissions = input.ip_permissions.take().map(revocable);
    }
}

impl Customize for RevokeSecurityGroupEgress {
    fn customize_input(input: &mut Self::Input) {
        input.ip_permissions = input.ip_permissions.take().map(revocable);
    }
}

/// What `DeleteSecurityGroup`'s `DependencyViolation` adds to the error's message.
pub(crate) const DEPENDENCY_HINT: &str = "a network interface still carries the group, or a rule of another group \
     references it: `SecurityGroup::usage()` (feature `network-interfaces`) lists both; by hand, \
     DescribeNetworkInterfaces with the filter `group-id`, DescribeSecurityGroups with the filters \
     `ip-permission.group-id` and `egress.ip-permission.group-id`, and DescribeSecurityGroupReferences \
     for peered VPCs";

impl Customize for DeleteSecurityGroup {
    fn customize_error(error: Error) -> Error {
        match error.code() {
            Some("DependencyViolation") => error.with_hint(DEPENDENCY_HINT),
            _ => error,
        }
    }
}

/// Permissions as a revoke accepts them: each group reference by id alone when it has one.
fn revocable(permissions: Vec<IpPermission>) -> Vec<IpPermission> {
    permissions
        .into_iter()
        .map(|mut permission| {
            permission.user_id_group_pairs =
                permission.user_id_group_pairs.map(|pairs| pairs.into_iter().map(revocable_pair).collect());
            permission
        })
        .collect()
}

fn revocable_pair(mut pair: UserIdGroupPair) -> UserIdGroupPair {
    if pair.group_id.is_some() {
        pair.group_name = None;
    }
    pair.peering_status = None;
    pair
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn described_group_references_become_revocable() {
        let described = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id("sg-1")
                    .group_name("web")
                    .user_id("123456789012")
                    .peering_status("active")
                    .vpc_id("vpc-1")
                    .build(),
            )
            .user_id_group_pairs(UserIdGroupPair::builder().group_name("classic-only").build())
            .build();
        let mut input = crate::operation::RevokeSecurityGroupIngressInput::builder()
            .group_id("sg-2")
            .ip_permissions(described)
            .build();
        <RevokeSecurityGroupIngress as Operation>::customize_input(&mut input);
        let pairs = input.ip_permissions()[0].user_id_group_pairs();
        assert_eq!(
            pairs[0],
            UserIdGroupPair::builder().group_id("sg-1").user_id("123456789012").vpc_id("vpc-1").build()
        );
        assert_eq!(pairs[1].group_name(), Some("classic-only"), "a name without an id is the only reference there is");
        assert_eq!(input.ip_permissions()[0].from_port(), Some(443));
    }

    #[test]
    fn other_operations_are_left_alone() {
        let pair = UserIdGroupPair::builder().group_id("sg-1").group_name("web").build();
        let permission = IpPermission::builder().ip_protocol("-1").user_id_group_pairs(pair.clone()).build();
        let mut input = crate::operation::AuthorizeSecurityGroupIngressInput::builder()
            .group_id("sg-2")
            .ip_permissions(permission)
            .build();
        <crate::operation::AuthorizeSecurityGroupIngress as Operation>::customize_input(&mut input);
        assert_eq!(input.ip_permissions()[0].user_id_group_pairs()[0], pair);
    }
}
