//! What uses a security group (feature `network-interfaces`): the answer to EC2's
//! `DependencyViolation`, which refuses to delete a group and does not say why.
//!
//! A group is in use when a network interface carries it (every instance, load balancer,
//! Lambda function in a VPC… has one) or when a rule of another group names it as its peer. The
//! second has two halves: groups of the same VPC (found with DescribeSecurityGroups' filters
//! `ip-permission.group-id` and `egress.ip-permission.group-id`) and groups in peered VPCs,
//! which only DescribeSecurityGroupReferences reports.

use crate::resources::SecurityGroup;
use crate::runtime::Error;
use crate::types::{Filter, NetworkInterface, SecurityGroup as GroupData, SecurityGroupReference};

/// What uses a security group, from [`SecurityGroup::usage`]: what keeps `delete()` from succeeding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupUsage {
    network_interfaces: Vec<NetworkInterface>,
    referencing_groups: Vec<GroupData>,
    peer_references: Vec<SecurityGroupReference>,
}

impl GroupUsage {
    /// The network interfaces whose groups include this one.
    pub fn network_interfaces(&self) -> &[NetworkInterface] {
        &self.network_interfaces
    }

    /// The other groups with an ingress or egress rule whose peer is this group (a rule of the
    /// group naming itself does not keep it from being deleted, and is left out).
    pub fn referencing_groups(&self) -> &[GroupData] {
        &self.referencing_groups
    }

    /// The VPCs peered with this group's VPC whose groups reference it (DescribeSecurityGroupReferences).
    pub fn peer_references(&self) -> &[SecurityGroupReference] {
        &self.peer_references
    }

    /// Whether nothing was found to use the group: deleting it should succeed.
    pub fn is_unused(&self) -> bool {
        self.network_interfaces.is_empty() && self.referencing_groups.is_empty() && self.peer_references.is_empty()
    }

    /// Keeps each referencing group once, without the group itself.
    fn add_referencing(&mut self, group_id: &str, groups: Vec<GroupData>) {
        for group in groups {
            let known = self.referencing_groups.iter().any(|g| g.group_id() == group.group_id());
            if group.group_id() != Some(group_id) && !known {
                self.referencing_groups.push(group);
            }
        }
    }
}

/// A [`SecurityGroup::usage`] call: `send()` it.
#[derive(Debug, Clone)]
pub struct GroupUsageRequest<C> {
    client: C,
    group_id: String,
    peered_vpcs: bool,
}

impl<C> GroupUsageRequest<C> {
    /// Whether to ask DescribeSecurityGroupReferences about peered VPCs (yes by default). Leave
    /// it out only where that operation is unavailable (some EC2 stand-ins lack it).
    pub fn include_peered_vpcs(mut self, include: bool) -> Self {
        self.peered_vpcs = include;
        self
    }

    fn filter(name: &str, group_id: &str) -> Filter {
        Filter::builder().name(name).values(group_id).build()
    }
}

/// DescribeSecurityGroups' filters for rules whose peer is a group: ingress, then egress.
const RULE_PEER_FILTERS: [&str; 2] = ["ip-permission.group-id", "egress.ip-permission.group-id"];

// The blocking `send` below repeats these three requests: they differ only in how pages are
// collected (awaited stream, iterator), and a shared driver as sync's `SyncRun` would cost more
// lines than the twenty it saves.
impl GroupUsageRequest<crate::runtime::client::Client> {
    /// Lists what uses the group: its network interfaces (all pages), the groups whose rules
    /// reference it, and, unless turned off, the references from peered VPCs.
    pub async fn send(self) -> Result<GroupUsage, Error> {
        let Self { client, group_id, peered_vpcs } = self;
        let network_interfaces = client
            .describe_network_interfaces()
            .filters(Self::filter("group-id", &group_id))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await?;
        let mut usage = GroupUsage { network_interfaces, ..GroupUsage::default() };
        for filter in RULE_PEER_FILTERS {
            let groups = client
                .describe_security_groups()
                .filters(Self::filter(filter, &group_id))
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await?;
            usage.add_referencing(&group_id, groups);
        }
        if peered_vpcs {
            let references = client.describe_security_group_references().group_id(&group_id).send().await?;
            usage.peer_references = references.security_group_reference_set.unwrap_or_default();
        }
        Ok(usage)
    }
}

#[cfg(feature = "blocking")]
impl GroupUsageRequest<crate::runtime::blocking::Client> {
    /// Lists what uses the group: its network interfaces (all pages), the groups whose rules
    /// reference it, and, unless turned off, the references from peered VPCs.
    pub fn send(self) -> Result<GroupUsage, Error> {
        let Self { client, group_id, peered_vpcs } = self;
        let network_interfaces = client
            .describe_network_interfaces()
            .filters(Self::filter("group-id", &group_id))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()?;
        let mut usage = GroupUsage { network_interfaces, ..GroupUsage::default() };
        for filter in RULE_PEER_FILTERS {
            let groups = client
                .describe_security_groups()
                .filters(Self::filter(filter, &group_id))
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()?;
            usage.add_referencing(&group_id, groups);
        }
        if peered_vpcs {
            let references = client.describe_security_group_references().group_id(&group_id).send()?;
            usage.peer_references = references.security_group_reference_set.unwrap_or_default();
        }
        Ok(usage)
    }
}

impl<C: Clone> SecurityGroup<C> {
    /// What uses this group (feature `network-interfaces`): the network interfaces carrying it
    /// and the groups whose rules reference it, in this VPC and in peered ones. `send()` it.
    pub fn usage(&self) -> GroupUsageRequest<C> {
        GroupUsageRequest { client: self.client().clone(), group_id: self.id().to_string(), peered_vpcs: true }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referencing_groups_are_kept_once_and_never_the_group_itself() {
        let group = |id: &str| GroupData::builder().group_id(id).build();
        let mut usage = GroupUsage::default();
        usage.add_referencing("sg-self", vec![group("sg-self"), group("sg-a")]);
        usage.add_referencing("sg-self", vec![group("sg-a"), group("sg-b")]);
        let ids: Vec<_> = usage.referencing_groups().iter().filter_map(|g| g.group_id()).collect();
        assert_eq!(ids, ["sg-a", "sg-b"]);
        assert!(!usage.is_unused());
        assert!(GroupUsage::default().is_unused());
    }
}
