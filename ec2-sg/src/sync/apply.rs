//! The apply step: [`SyncRules`] and [`SyncGroup`] check the desired rules, describe the
//! group, plan with the planner, send the plan, and after a lost answer or a concurrent change
//! describe and plan once more.

use super::plan::*;
use super::SyncError;
use crate::types::IpPermission;
use std::collections::BTreeMap;

/// What a sync was asked to do; shared by [`SyncRules`] and [`SyncGroup`].
#[derive(Debug, Clone)]
struct SyncRequest<C> {
    client: C,
    group_id: String,
    /// The desired permissions of each direction (by [`Direction::index`]); `None`: leave alone.
    desired: [Option<Vec<IpPermission>>; 2],
    purge: bool,
    dry_run: bool,
    rule_quota: usize,
}

/// Brings one direction of a group's rules to the desired set: describe, plan, then authorize
/// what is missing, revoke what is extra and update changed descriptions, each in one call.
/// Authorizing comes first, so that no wanted traffic is refused in between (unless the rules
/// would only fit the quota that way round). Every rule is checked as EC2 would before any call
/// ([`validate`]). A group peer given by name (`group_name` without `group_id`) is looked up in
/// the group's VPC, one describe for all names. A lost response, or a rule added or removed by
/// someone else between the describe and the change (`InvalidPermission.Duplicate` /
/// `.NotFound`), makes it describe and plan again, once. Made by `sync_ingress()` /
/// `sync_egress()` on the client or a `SecurityGroup`.
#[derive(Debug, Clone)]
pub struct SyncRules<C> {
    request: SyncRequest<C>,
    direction: Direction,
}

/// Brings both directions of a group's rules to the desired sets in one sync: one describe,
/// both directions planned, every authorization of both directions before any revoke. A
/// direction given no rules is left alone. Made by `sync()` on a `SecurityGroup` or
/// `sync_group(id)` on the client; otherwise like [`SyncRules`].
#[derive(Debug, Clone)]
pub struct SyncGroup<C> {
    request: SyncRequest<C>,
}

impl<C> SyncRequest<C> {
    fn new(client: C, group_id: impl Into<String>) -> Self {
        Self {
            client,
            group_id: group_id.into(),
            desired: [None, None],
            purge: true,
            dry_run: false,
            rule_quota: DEFAULT_RULE_QUOTA,
        }
    }
}

/// The options both builders share.
macro_rules! sync_options {
    () => {
        /// With `false`, rules the group has but the desired rules do not are kept: only missing
        /// rules are authorized and descriptions updated (Ansible's `purge_rules: false`).
        /// Default `true`.
        pub fn purge(mut self, purge: bool) -> Self {
            self.request.purge = purge;
            self
        }

        /// Describes and plans, and sends nothing: the outcome's plan says what would change.
        pub fn dry_run(mut self, dry_run: bool) -> Self {
            self.request.dry_run = dry_run;
            self
        }

        /// The account's quota of rules per group and direction, when raised from EC2's default
        /// of [`DEFAULT_RULE_QUOTA`]: a plan that cannot fit is refused before any change is sent.
        pub fn rule_quota(mut self, quota: usize) -> Self {
            self.request.rule_quota = quota;
            self
        }
    };
}

impl<C> SyncRules<C> {
    pub(crate) fn new(client: C, group_id: impl Into<String>, direction: Direction) -> Self {
        Self { request: SyncRequest::new(client, group_id), direction }
    }

    /// Adds permissions to the desired rules (a permission may carry several peers).
    pub fn rules(mut self, permission: IpPermission) -> Self {
        self.request.desired[self.direction.index()].get_or_insert_with(Vec::new).push(permission);
        self
    }

    /// Sets the desired rules; `Some(vec![])` removes every rule. Sending with none set is an
    /// error, so that a forgotten `rules(..)` never empties a group.
    pub fn set_rules(mut self, permissions: Option<Vec<IpPermission>>) -> Self {
        self.request.desired[self.direction.index()] = permissions;
        self
    }

    sync_options!();
}

impl<C> SyncGroup<C> {
    pub(crate) fn new(client: C, group_id: impl Into<String>) -> Self {
        Self { request: SyncRequest::new(client, group_id) }
    }

    /// Adds a permission to the desired inbound rules.
    pub fn ingress(mut self, permission: IpPermission) -> Self {
        self.request.desired[Direction::Ingress.index()].get_or_insert_with(Vec::new).push(permission);
        self
    }

    /// Sets the desired inbound rules; `Some(vec![])` removes them all, `None` leaves them alone.
    pub fn set_ingress(mut self, permissions: Option<Vec<IpPermission>>) -> Self {
        self.request.desired[Direction::Ingress.index()] = permissions;
        self
    }

    /// Adds a permission to the desired outbound rules.
    pub fn egress(mut self, permission: IpPermission) -> Self {
        self.request.desired[Direction::Egress.index()].get_or_insert_with(Vec::new).push(permission);
        self
    }

    /// Sets the desired outbound rules; `Some(vec![])` removes them all, `None` leaves them alone.
    pub fn set_egress(mut self, permissions: Option<Vec<IpPermission>>) -> Self {
        self.request.desired[Direction::Egress.index()] = permissions;
        self
    }

    sync_options!();
}

fn validation(message: String, source: Option<SyncError>) -> crate::Error {
    let error = crate::runtime::Error::new(crate::ErrorKind::Validation, message);
    match source {
        Some(source) => error.with_source(source),
        None => error,
    }
}

/// The desired rules of each direction, checked before any call.
type Desired = [Option<RuleSet>; 2];

impl<C> SyncRequest<C> {
    /// Checks, before any call, that rules were given, are what EC2 takes, and fit the quota
    /// (after the sync, the group holds exactly the desired rules).
    fn check_desired(&self) -> Result<Desired, crate::Error> {
        if self.desired.iter().all(Option::is_none) {
            return Err(validation(
                "no desired rules were given: call rules(..) (ingress(..)/egress(..) for a whole group), or \
                 set_rules(Some(vec![])) to remove every rule"
                    .into(),
                None,
            ));
        }
        let mut checked: Desired = [None, None];
        for direction in Direction::BOTH {
            let Some(desired) = &self.desired[direction.index()] else { continue };
            let rules = validate(desired).map_err(|e| {
                validation(
                    format!("the {direction} rules of {} are refused; nothing was sent: {e}", self.group_id),
                    Some(e),
                )
            })?;
            let (v4, v6) = quota_counts(rules.keys());
            if v4.max(v6) > self.rule_quota {
                return Err(validation(
                    format!(
                        "the desired {direction} rules of {} do not fit the quota of {} rules per direction ({v4} \
                         IPv4, {v6} IPv6 counted); nothing was sent (raise it with rule_quota(..) if the account's \
                         quota is higher)",
                        self.group_id, self.rule_quota
                    ),
                    None,
                ));
            }
            checked[direction.index()] = Some(rules);
        }
        Ok(checked)
    }

    /// Plans one direction against the group as described, with group names resolved to ids.
    /// Returns the plan and whether revoking must come first for the rules to fit the quota at
    /// every step.
    fn plan_direction(
        &self,
        group: &crate::types::SecurityGroup,
        direction: Direction,
        desired: &RuleSet,
        names: &BTreeMap<String, String>,
    ) -> Result<(Plan, bool), crate::Error> {
        let cannot =
            |e: SyncError| validation(format!("cannot plan the {direction} rules of {}: {e}", self.group_id), Some(e));
        let current = current_rules(group, direction).map_err(cannot)?;
        let desired = resolve(desired, names, group.owner_id.as_deref()).map_err(cannot)?;
        let plan = plan_rules_with(&current, &desired, self.purge);
        let added = plan.changes().filter(|(change, ..)| *change == Change::Authorize).map(|(_, rule, _)| rule);
        let (peak_v4, peak_v6) = quota_counts(current.keys().chain(added));
        let over = peak_v4.max(peak_v6) > self.rule_quota;
        if over && !self.purge {
            return Err(validation(
                format!(
                    "adding the missing {direction} rules of {} would exceed the quota of {} rules per direction \
                     ({peak_v4} IPv4, {peak_v6} IPv6), and purge(false) keeps the others; nothing was sent",
                    self.group_id, self.rule_quota
                ),
                None,
            ));
        }
        Ok((plan, over))
    }
}

/// The group names the desired rules give instead of ids.
fn names_to_resolve(desired: &Desired) -> Vec<String> {
    let mut names: Vec<String> = desired
        .iter()
        .flatten()
        .flat_map(|rules| rules.keys())
        .filter_map(|rule| match &rule.peer {
            Peer::Group { group_id: None, group_name: Some(name), .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Maps each name to the one group of that name that `described` lists; a name with no group
/// or several is an error.
fn names_to_ids(
    names: &[String],
    described: &[crate::types::SecurityGroup],
    vpc: Option<&str>,
) -> Result<BTreeMap<String, String>, crate::Error> {
    let mut ids = BTreeMap::new();
    let place = vpc.map_or("this account's default VPC".to_string(), |vpc| format!("VPC {vpc}"));
    for name in names {
        let found: Vec<&str> = described
            .iter()
            .filter(|group| group.group_name.as_deref() == Some(name.as_str()))
            .filter_map(|group| group.group_id.as_deref())
            .collect();
        match found.as_slice() {
            [id] => {
                ids.insert(name.clone(), id.to_string());
            }
            [] => {
                return Err(validation(
                    format!("the group peer name:{name:?} matches no group in {place}; nothing was changed"),
                    None,
                ))
            }
            several => {
                return Err(validation(
                    format!(
                        "the group peer name:{name:?} matches {} groups in {place} ({}); give its id; nothing was \
                         changed",
                        several.len(),
                        several.join(", ")
                    ),
                    None,
                ))
            }
        }
    }
    Ok(ids)
}
/// Whether an error means the rules changed under the plan.
fn is_concurrent_change(error: &crate::Error) -> bool {
    matches!(error.code(), Some("InvalidPermission.Duplicate" | "InvalidPermission.NotFound"))
}

/// Whether a failed change may have been made all the same: its answer was lost (no answer,
/// or a timeout), or EC2 says the rules changed under the plan (which a lost answer to an
/// earlier attempt of the same call also gives).
fn may_have_been_made(error: &crate::Error) -> bool {
    is_concurrent_change(error) || matches!(error.kind(), crate::ErrorKind::Transport | crate::ErrorKind::Timeout)
}

fn not_found(group_id: &str) -> crate::Error {
    crate::runtime::Error::not_found("SecurityGroup", &[("GroupId", group_id)])
}

/// The steps of a plan in the order they are sent: revokes that must go first for the quota,
/// then every authorization, then the other revokes, then description updates.
fn steps(revoke_first: [bool; 2]) -> Vec<(Direction, Change)> {
    let mut steps = Vec::new();
    for direction in Direction::BOTH {
        if revoke_first[direction.index()] {
            steps.push((direction, Change::Revoke));
        }
    }
    for direction in Direction::BOTH {
        steps.push((direction, Change::Authorize));
    }
    for direction in Direction::BOTH {
        if !revoke_first[direction.index()] {
            steps.push((direction, Change::Revoke));
        }
    }
    for direction in Direction::BOTH {
        steps.push((direction, Change::Describe));
    }
    steps
}

/// The changes of one step, whose answer was lost: kept until the next describe tells which
/// were made.
type Unsettled = Vec<(Change, Direction, Rule, Option<String>)>;

/// Records the changes of `unsettled` that the group, as described now, shows as made.
fn settle(
    outcome: &mut SyncOutcome,
    unsettled: Unsettled,
    group: &crate::types::SecurityGroup,
) -> Result<(), crate::Error> {
    for (change, direction, rule, description) in unsettled {
        let current = current_rules(group, direction)
            .map_err(|e| validation(format!("cannot read the rules described: {e}"), Some(e)))?;
        let made = match change {
            Change::Authorize => current.contains_key(&rule),
            Change::Revoke => !current.contains_key(&rule),
            Change::Describe => current.get(&rule) == Some(&description),
        };
        if made {
            outcome.record(change, direction, &rule, description.as_deref());
        }
    }
    Ok(())
}

/// How many times a sync plans at most: once, and once more after a lost answer or a concurrent change.
const MAX_PLANS: usize = 2;

/// The client calls a sync makes, for the async and the blocking client alike.
macro_rules! sync_send {
    ($client:ty, [$($async:tt)*], [$($await:tt)*]) => {
        impl SyncRequest<$client> {
            $($async)* fn send(self) -> Result<SyncOutcome, crate::Error> {
                let desired = self.check_desired()?;
                let mut outcome = SyncOutcome { dry_run: self.dry_run, ..Default::default() };
                let mut unsettled: Unsettled = Vec::new();
                let mut names: Option<BTreeMap<String, String>> = None;
                loop {
                    let input = crate::operation::DescribeSecurityGroupsInput {
                        group_ids: Some(vec![self.group_id.clone()]),
                        ..Default::default()
                    };
                    outcome.operations += 1;
                    let described = self.client
                        .send_operation_counting::<crate::operation::DescribeSecurityGroups>(input, &mut outcome.http_attempts)
                        $($await)*?;
                    let group = described.security_groups.unwrap_or_default().into_iter().next()
                        .ok_or_else(|| not_found(&self.group_id))?;
                    settle(&mut outcome, std::mem::take(&mut unsettled), &group)?;
                    let names = match &mut names {
                        Some(names) => names,
                        None => {
                            let wanted = names_to_resolve(&desired);
                            let ids = if wanted.is_empty() {
                                BTreeMap::new()
                            } else {
                                let mut filters = vec![crate::types::Filter {
                                    name: Some("group-name".into()),
                                    values: Some(wanted.clone()),
                                }];
                                if let Some(vpc) = &group.vpc_id {
                                    filters.push(crate::types::Filter { name: Some("vpc-id".into()), values: Some(vec![vpc.clone()]) });
                                }
                                let input = crate::operation::DescribeSecurityGroupsInput { filters: Some(filters), ..Default::default() };
                                outcome.operations += 1;
                                let found = self.client
                                    .send_operation_counting::<crate::operation::DescribeSecurityGroups>(input, &mut outcome.http_attempts)
                                    $($await)*?;
                                names_to_ids(&wanted, found.security_groups.as_deref().unwrap_or_default(), group.vpc_id.as_deref())?
                            };
                            names.insert(ids)
                        }
                    };
                    let mut plan = GroupPlan::default();
                    let mut revoke_first = [false; 2];
                    for direction in Direction::BOTH {
                        let Some(rules) = &desired[direction.index()] else { continue };
                        let (direction_plan, first) = self.plan_direction(&group, direction, rules, names)?;
                        *plan.direction_mut(direction) = direction_plan;
                        revoke_first[direction.index()] = first;
                    }
                    let done = self.dry_run || plan.is_empty();
                    outcome.plans.push(plan);
                    if done {
                        return Ok(outcome);
                    }
                    match self.apply(&mut outcome, revoke_first, &mut unsettled) $($await)* {
                        Ok(()) => return Ok(outcome),
                        Err(error) if outcome.plans.len() < MAX_PLANS && may_have_been_made(&error) => {
                            tracing::debug!(group = %self.group_id, %error, "a change may or may not have been made; describing again");
                        }
                        Err(error) => return Err(error),
                    }
                }
            }

            /// Sends the last plan of `outcome`, recording each change as its call succeeds; the
            /// changes of a call that fails go to `unsettled`.
            $($async)* fn apply(&self, outcome: &mut SyncOutcome, revoke_first: [bool; 2], unsettled: &mut Unsettled) -> Result<(), crate::Error> {
                let Some(plan) = outcome.plans.last().cloned() else { return Ok(()) };
                for (direction, change) in steps(revoke_first) {
                    let direction_plan = plan.direction(direction);
                    let permissions = direction_plan.permissions(change);
                    if permissions.is_empty() {
                        continue;
                    }
                    let group_id = Some(self.group_id.clone());
                    let ip_permissions = Some(permissions.to_vec());
                    let client = &self.client;
                    let attempts = &mut outcome.http_attempts;
                    outcome.operations += 1;
                    let sent = match (direction, change) {
                        (Direction::Ingress, Change::Authorize) => client.send_operation_counting::<crate::operation::AuthorizeSecurityGroupIngress>(
                            crate::operation::AuthorizeSecurityGroupIngressInput { group_id, ip_permissions, ..Default::default() }, attempts) $($await)*.map(drop),
                        (Direction::Ingress, Change::Revoke) => client.send_operation_counting::<crate::operation::RevokeSecurityGroupIngress>(
                            crate::operation::RevokeSecurityGroupIngressInput { group_id, ip_permissions, ..Default::default() }, attempts) $($await)*.map(drop),
                        (Direction::Ingress, Change::Describe) => client.send_operation_counting::<crate::operation::UpdateSecurityGroupRuleDescriptionsIngress>(
                            crate::operation::UpdateSecurityGroupRuleDescriptionsIngressInput { group_id, ip_permissions, ..Default::default() }, attempts) $($await)*.map(drop),
                        (Direction::Egress, Change::Authorize) => client.send_operation_counting::<crate::operation::AuthorizeSecurityGroupEgress>(
                            crate::operation::AuthorizeSecurityGroupEgressInput { group_id, ip_permissions, ..Default::default() }, attempts) $($await)*.map(drop),
                        (Direction::Egress, Change::Revoke) => client.send_operation_counting::<crate::operation::RevokeSecurityGroupEgress>(
                            crate::operation::RevokeSecurityGroupEgressInput { group_id, ip_permissions, ..Default::default() }, attempts) $($await)*.map(drop),
                        (Direction::Egress, Change::Describe) => client.send_operation_counting::<crate::operation::UpdateSecurityGroupRuleDescriptionsEgress>(
                            crate::operation::UpdateSecurityGroupRuleDescriptionsEgressInput { group_id, ip_permissions, ..Default::default() }, attempts) $($await)*.map(drop),
                    };
                    let changes = direction_plan.changes().filter(|(kind, ..)| *kind == change);
                    match sent {
                        Ok(()) => {
                            for (_, rule, description) in changes {
                                outcome.record(change, direction, rule, description);
                            }
                        }
                        Err(error) => {
                            *unsettled = changes
                                .map(|(_, rule, description)| (change, direction, rule.clone(), description.map(str::to_string)))
                                .collect();
                            return Err(error);
                        }
                    }
                }
                Ok(())
            }
        }

        impl SyncRules<$client> {
            /// Checks the rules, describes the group, plans and applies the plan (see [`SyncRules`]).
            pub $($async)* fn send(self) -> Result<SyncOutcome, crate::Error> {
                self.request.send() $($await)*
            }
        }

        impl SyncGroup<$client> {
            /// Checks the rules, describes the group, plans both directions and applies the plan
            /// (see [`SyncGroup`]).
            pub $($async)* fn send(self) -> Result<SyncOutcome, crate::Error> {
                self.request.send() $($await)*
            }
        }
    };
}

sync_send!(crate::Client, [async], [.await]);
#[cfg(feature = "blocking")]
sync_send!(crate::runtime::blocking::Client, [], []);

impl crate::Client {
    /// Brings the inbound rules of group `group_id` to the rules given (see [`SyncRules`]).
    pub fn sync_ingress(&self, group_id: impl Into<String>) -> SyncRules<crate::Client> {
        SyncRules::new(self.clone(), group_id, Direction::Ingress)
    }

    /// Brings the outbound rules of group `group_id` to the rules given (see [`SyncRules`]).
    pub fn sync_egress(&self, group_id: impl Into<String>) -> SyncRules<crate::Client> {
        SyncRules::new(self.clone(), group_id, Direction::Egress)
    }

    /// Brings both directions of group `group_id` to the rules given (see [`SyncGroup`]).
    pub fn sync_group(&self, group_id: impl Into<String>) -> SyncGroup<crate::Client> {
        SyncGroup::new(self.clone(), group_id)
    }
}

#[cfg(feature = "blocking")]
impl crate::runtime::blocking::Client {
    /// Brings the inbound rules of group `group_id` to the rules given (see [`SyncRules`]).
    pub fn sync_ingress(&self, group_id: impl Into<String>) -> SyncRules<crate::runtime::blocking::Client> {
        SyncRules::new(self.clone(), group_id, Direction::Ingress)
    }

    /// Brings the outbound rules of group `group_id` to the rules given (see [`SyncRules`]).
    pub fn sync_egress(&self, group_id: impl Into<String>) -> SyncRules<crate::runtime::blocking::Client> {
        SyncRules::new(self.clone(), group_id, Direction::Egress)
    }

    /// Brings both directions of group `group_id` to the rules given (see [`SyncGroup`]).
    pub fn sync_group(&self, group_id: impl Into<String>) -> SyncGroup<crate::runtime::blocking::Client> {
        SyncGroup::new(self.clone(), group_id)
    }
}

impl<C: Clone> crate::resources::SecurityGroup<C> {
    /// Brings this group's inbound rules to the rules given (see [`SyncRules`]).
    pub fn sync_ingress(&self) -> SyncRules<C> {
        SyncRules::new(self.client().clone(), self.id(), Direction::Ingress)
    }

    /// Brings this group's outbound rules to the rules given (see [`SyncRules`]).
    pub fn sync_egress(&self) -> SyncRules<C> {
        SyncRules::new(self.client().clone(), self.id(), Direction::Egress)
    }

    /// Brings both directions of this group's rules to the rules given (see [`SyncGroup`]).
    pub fn sync(&self) -> SyncGroup<C> {
        SyncGroup::new(self.client().clone(), self.id())
    }
}
