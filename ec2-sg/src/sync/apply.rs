//! The apply step: [`SyncRules`] and [`SyncGroup`] check the desired rules, describe the
//! group, plan with the planner, send the plan, and after a lost answer or a concurrent change
//! describe and plan once more.
//!
//! What to send next is decided by one state machine without I/O (`SyncRun`: given the answer
//! to the last call, the next call). The async and the blocking client each drive it with the
//! same short loop and a function that sends one `Call` with that client; nothing else differs.

use super::plan::*;
use super::SyncError;
use crate::operation::*;
use crate::runtime::Operation;
use crate::types::{Filter, IpPermission, SecurityGroup};
use std::collections::BTreeMap;

/// What a sync was asked to do; shared by [`SyncRules`] and [`SyncGroup`].
#[derive(Debug, Clone)]
struct SyncRequest {
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
    client: C,
    request: SyncRequest,
    direction: Direction,
}

/// Brings both directions of a group's rules to the desired sets in one sync: one describe,
/// both directions planned, every authorization of both directions before any revoke. A
/// direction given no rules is left alone. Made by `sync()` on a `SecurityGroup` or
/// `sync_group(id)` on the client; otherwise like [`SyncRules`].
#[derive(Debug, Clone)]
pub struct SyncGroup<C> {
    client: C,
    request: SyncRequest,
}

impl SyncRequest {
    fn new(group_id: impl Into<String>) -> Self {
        Self {
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
        Self { client, request: SyncRequest::new(group_id), direction }
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
        Self { client, request: SyncRequest::new(group_id) }
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

/// A validation error of the sync. The message quotes `source`'s text, as
/// `crate::runtime::Error` has it: its `source()` goes on below the cause its message shows.
fn validation(message: String, source: Option<SyncError>) -> crate::Error {
    let error = crate::runtime::Error::new(crate::ErrorKind::Validation, message);
    match source {
        Some(source) => error.with_source(source),
        None => error,
    }
}

/// The desired rules of each direction, checked before any call.
type Desired = [Option<RuleSet>; 2];

impl SyncRequest {
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
        steps.push((direction, Change::UpdateDescription));
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
            Change::UpdateDescription => current.get(&rule) == Some(&description),
        };
        if made {
            outcome.record(change, direction, &rule, description.as_deref());
        }
    }
    Ok(())
}

/// How many times a sync plans at most: once, and once more after a lost answer or a concurrent change.
const MAX_PLANS: usize = 2;

/// A call a sync needs sent, its input ready; [`SyncRun::next`] takes the answer.
#[derive(Debug)]
enum Call {
    /// DescribeSecurityGroups: the group itself, or the groups that desired peers name.
    Describe(DescribeSecurityGroupsInput),
    AuthorizeIngress(AuthorizeSecurityGroupIngressInput),
    AuthorizeEgress(AuthorizeSecurityGroupEgressInput),
    RevokeIngress(RevokeSecurityGroupIngressInput),
    RevokeEgress(RevokeSecurityGroupEgressInput),
    UpdateDescriptionsIngress(UpdateSecurityGroupRuleDescriptionsIngressInput),
    UpdateDescriptionsEgress(UpdateSecurityGroupRuleDescriptionsEgressInput),
}

/// The call that sends one step of a plan: one kind of change in one direction.
fn change_call(direction: Direction, change: Change, group_id: &str, permissions: &[IpPermission]) -> Call {
    let (group_id, ip_permissions) = (Some(group_id.to_string()), Some(permissions.to_vec()));
    match (direction, change) {
        (Direction::Ingress, Change::Authorize) => Call::AuthorizeIngress(AuthorizeSecurityGroupIngressInput {
            group_id,
            ip_permissions,
            ..Default::default()
        }),
        (Direction::Egress, Change::Authorize) => {
            Call::AuthorizeEgress(AuthorizeSecurityGroupEgressInput { group_id, ip_permissions, ..Default::default() })
        }
        (Direction::Ingress, Change::Revoke) => {
            Call::RevokeIngress(RevokeSecurityGroupIngressInput { group_id, ip_permissions, ..Default::default() })
        }
        (Direction::Egress, Change::Revoke) => {
            Call::RevokeEgress(RevokeSecurityGroupEgressInput { group_id, ip_permissions, ..Default::default() })
        }
        (Direction::Ingress, Change::UpdateDescription) => {
            Call::UpdateDescriptionsIngress(UpdateSecurityGroupRuleDescriptionsIngressInput {
                group_id,
                ip_permissions,
                ..Default::default()
            })
        }
        (Direction::Egress, Change::UpdateDescription) => {
            Call::UpdateDescriptionsEgress(UpdateSecurityGroupRuleDescriptionsEgressInput {
                group_id,
                ip_permissions,
                ..Default::default()
            })
        }
    }
}

/// The answer a sync waits for.
#[derive(Debug)]
enum Awaiting {
    /// The group's description; `unsettled` holds the changes of a step whose answer was lost.
    Group { unsettled: Unsettled },
    /// The groups that desired peers name (looked up once, after the group's first description).
    Names { wanted: Vec<String>, group: Box<SecurityGroup> },
    /// The answer to one step of the last plan; `rest` are the steps after it.
    Step { direction: Direction, change: Change, rest: std::vec::IntoIter<(Direction, Change)> },
}

/// A sync in progress, as a state machine without I/O: given the answer to the last call, it
/// says which call comes next. The async and the blocking client drive it with the same loop
/// ([`SyncRequest::send`], [`SyncRequest::send_blocking`]), each sending calls its own way.
#[derive(Debug)]
struct SyncRun {
    request: SyncRequest,
    desired: Desired,
    /// The group names desired peers give, with their ids; `None` until looked up.
    names: Option<BTreeMap<String, String>>,
    outcome: SyncOutcome,
    /// `None` once the sync is over.
    awaiting: Option<Awaiting>,
}

impl SyncRun {
    /// Checks the desired rules (an error here means nothing was sent) and returns the run and
    /// its first call, the group's description.
    fn start(request: SyncRequest) -> Result<(Self, Call), crate::Error> {
        let desired = request.check_desired()?;
        let outcome = SyncOutcome { dry_run: request.dry_run, ..Default::default() };
        let mut run = Self { request, desired, names: None, outcome, awaiting: None };
        let call = run.describe_group(Vec::new());
        Ok((run, call))
    }

    /// Takes the answer to the last call (the groups it describes; a change's answer describes
    /// none) and returns the next call, or `None` when the sync is over and `outcome` complete.
    fn next(&mut self, answer: Result<Vec<SecurityGroup>, crate::Error>) -> Result<Option<Call>, crate::Error> {
        let Some(awaiting) = self.awaiting.take() else { return Ok(None) };
        match awaiting {
            Awaiting::Group { unsettled } => {
                let group = answer?.into_iter().next().ok_or_else(|| not_found(&self.request.group_id))?;
                settle(&mut self.outcome, unsettled, &group)?;
                if self.names.is_none() {
                    let wanted = names_to_resolve(&self.desired);
                    if !wanted.is_empty() {
                        return Ok(Some(self.describe_names(wanted, group)));
                    }
                    self.names = Some(BTreeMap::new());
                }
                self.plan(&group)
            }
            Awaiting::Names { wanted, group } => {
                self.names = Some(names_to_ids(&wanted, &answer?, group.vpc_id.as_deref())?);
                self.plan(&group)
            }
            Awaiting::Step { direction, change, rest } => {
                let changes = self.changes_of_step(direction, change);
                match answer {
                    Ok(_) => {
                        for (change, direction, rule, description) in changes {
                            self.outcome.record(change, direction, &rule, description.as_deref());
                        }
                        Ok(self.next_step(rest))
                    }
                    Err(error) if self.outcome.plans.len() < MAX_PLANS && may_have_been_made(&error) => {
                        let group = &self.request.group_id;
                        tracing::debug!(%group, %error, "a change may or may not have been made; describing again");
                        Ok(Some(self.describe_group(changes)))
                    }
                    Err(error) => Err(error),
                }
            }
        }
    }

    fn describe_group(&mut self, unsettled: Unsettled) -> Call {
        self.awaiting = Some(Awaiting::Group { unsettled });
        self.outcome.operations += 1;
        let group_ids = Some(vec![self.request.group_id.clone()]);
        Call::Describe(DescribeSecurityGroupsInput { group_ids, ..Default::default() })
    }

    /// Looks up the groups named `wanted` in `group`'s VPC.
    fn describe_names(&mut self, wanted: Vec<String>, group: SecurityGroup) -> Call {
        let mut filters = vec![Filter { name: Some("group-name".into()), values: Some(wanted.clone()) }];
        if let Some(vpc) = &group.vpc_id {
            filters.push(Filter { name: Some("vpc-id".into()), values: Some(vec![vpc.clone()]) });
        }
        self.awaiting = Some(Awaiting::Names { wanted, group: Box::new(group) });
        self.outcome.operations += 1;
        Call::Describe(DescribeSecurityGroupsInput { filters: Some(filters), ..Default::default() })
    }

    /// Plans the desired directions against `group` as described and returns the plan's first
    /// call, or `None` for a dry run or a plan with nothing to do.
    fn plan(&mut self, group: &SecurityGroup) -> Result<Option<Call>, crate::Error> {
        let names = self.names.get_or_insert_with(BTreeMap::new);
        let mut plan = GroupPlan::default();
        let mut revoke_first = [false; 2];
        for direction in Direction::BOTH {
            let Some(rules) = &self.desired[direction.index()] else { continue };
            let (direction_plan, first) = self.request.plan_direction(group, direction, rules, names)?;
            *plan.direction_mut(direction) = direction_plan;
            revoke_first[direction.index()] = first;
        }
        let done = self.request.dry_run || plan.is_empty();
        self.outcome.plans.push(plan);
        if done {
            return Ok(None);
        }
        Ok(self.next_step(steps(revoke_first).into_iter()))
    }

    /// The call of the next step in `rest` that the last plan has permissions for, or `None`
    /// when every step was sent.
    fn next_step(&mut self, mut rest: std::vec::IntoIter<(Direction, Change)>) -> Option<Call> {
        let plan = self.outcome.plans.last()?;
        let (direction, change, call) = rest.by_ref().find_map(|(direction, change)| {
            let permissions = plan.direction(direction).permissions(change);
            (!permissions.is_empty())
                .then(|| (direction, change, change_call(direction, change, &self.request.group_id, permissions)))
        })?;
        self.outcome.operations += 1;
        self.awaiting = Some(Awaiting::Step { direction, change, rest });
        Some(call)
    }

    /// The rule changes one step of the last plan makes.
    fn changes_of_step(&self, direction: Direction, change: Change) -> Unsettled {
        let Some(plan) = self.outcome.plans.last() else { return Vec::new() };
        plan.direction(direction)
            .changes()
            .filter(|(kind, ..)| *kind == change)
            .map(|(_, rule, description)| (change, direction, rule.clone(), description.map(str::to_string)))
            .collect()
    }
}

impl SyncRequest {
    /// Runs the sync with the async client.
    async fn send(self, client: &crate::Client) -> Result<SyncOutcome, crate::Error> {
        let (mut run, mut call) = SyncRun::start(self)?;
        loop {
            let answer = send_call(client, call, &mut run.outcome.http_attempts).await;
            match run.next(answer)? {
                Some(next) => call = next,
                None => return Ok(run.outcome),
            }
        }
    }

    /// Runs the sync with the blocking client: [`Self::send`]'s loop.
    #[cfg(feature = "blocking")]
    fn send_blocking(self, client: &crate::runtime::blocking::Client) -> Result<SyncOutcome, crate::Error> {
        let (mut run, mut call) = SyncRun::start(self)?;
        loop {
            let answer = send_call_blocking(client, call, &mut run.outcome.http_attempts);
            match run.next(answer)? {
                Some(next) => call = next,
                None => return Ok(run.outcome),
            }
        }
    }
}

/// Sends one call of a sync with the async client: the groups its answer describes (none for a
/// change).
async fn send_call(client: &crate::Client, call: Call, n: &mut usize) -> Result<Vec<SecurityGroup>, crate::Error> {
    async fn change<O: Operation>(
        client: &crate::Client,
        input: O::Input,
        n: &mut usize,
    ) -> Result<Vec<SecurityGroup>, crate::Error> {
        client.send_operation_counting::<O>(input, n).await.map(|_| Vec::new())
    }
    match call {
        Call::Describe(input) => client
            .send_operation_counting::<DescribeSecurityGroups>(input, n)
            .await
            .map(|d| d.security_groups.unwrap_or_default()),
        Call::AuthorizeIngress(input) => change::<AuthorizeSecurityGroupIngress>(client, input, n).await,
        Call::AuthorizeEgress(input) => change::<AuthorizeSecurityGroupEgress>(client, input, n).await,
        Call::RevokeIngress(input) => change::<RevokeSecurityGroupIngress>(client, input, n).await,
        Call::RevokeEgress(input) => change::<RevokeSecurityGroupEgress>(client, input, n).await,
        Call::UpdateDescriptionsIngress(input) => {
            change::<UpdateSecurityGroupRuleDescriptionsIngress>(client, input, n).await
        }
        Call::UpdateDescriptionsEgress(input) => {
            change::<UpdateSecurityGroupRuleDescriptionsEgress>(client, input, n).await
        }
    }
}

/// [`send_call`] with the blocking client.
#[cfg(feature = "blocking")]
fn send_call_blocking(
    client: &crate::runtime::blocking::Client,
    call: Call,
    n: &mut usize,
) -> Result<Vec<SecurityGroup>, crate::Error> {
    fn change<O: Operation>(
        client: &crate::runtime::blocking::Client,
        input: O::Input,
        n: &mut usize,
    ) -> Result<Vec<SecurityGroup>, crate::Error> {
        client.send_operation_counting::<O>(input, n).map(|_| Vec::new())
    }
    match call {
        Call::Describe(input) => client
            .send_operation_counting::<DescribeSecurityGroups>(input, n)
            .map(|d| d.security_groups.unwrap_or_default()),
        Call::AuthorizeIngress(input) => change::<AuthorizeSecurityGroupIngress>(client, input, n),
        Call::AuthorizeEgress(input) => change::<AuthorizeSecurityGroupEgress>(client, input, n),
        Call::RevokeIngress(input) => change::<RevokeSecurityGroupIngress>(client, input, n),
        Call::RevokeEgress(input) => change::<RevokeSecurityGroupEgress>(client, input, n),
        Call::UpdateDescriptionsIngress(input) => {
            change::<UpdateSecurityGroupRuleDescriptionsIngress>(client, input, n)
        }
        Call::UpdateDescriptionsEgress(input) => change::<UpdateSecurityGroupRuleDescriptionsEgress>(client, input, n),
    }
}

impl SyncRules<crate::Client> {
    /// Checks the rules, describes the group, plans and applies the plan (see [`SyncRules`]).
    pub async fn send(self) -> Result<SyncOutcome, crate::Error> {
        self.request.send(&self.client).await
    }
}

impl SyncGroup<crate::Client> {
    /// Checks the rules, describes the group, plans both directions and applies the plan
    /// (see [`SyncGroup`]).
    pub async fn send(self) -> Result<SyncOutcome, crate::Error> {
        self.request.send(&self.client).await
    }
}

#[cfg(feature = "blocking")]
impl SyncRules<crate::runtime::blocking::Client> {
    /// Checks the rules, describes the group, plans and applies the plan (see [`SyncRules`]).
    pub fn send(self) -> Result<SyncOutcome, crate::Error> {
        self.request.send_blocking(&self.client)
    }
}

#[cfg(feature = "blocking")]
impl SyncGroup<crate::runtime::blocking::Client> {
    /// Checks the rules, describes the group, plans both directions and applies the plan
    /// (see [`SyncGroup`]).
    pub fn send(self) -> Result<SyncOutcome, crate::Error> {
        self.request.send_blocking(&self.client)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn group(permissions: &[&str]) -> SecurityGroup {
        let permissions = permissions.iter().map(|line| line.parse().expect("a permission line")).collect();
        SecurityGroup { group_id: Some("sg-12345678".into()), ip_permissions: Some(permissions), ..Default::default() }
    }

    fn request(desired: &[&str]) -> SyncRequest {
        let mut request = SyncRequest::new("sg-12345678");
        request.desired[Direction::Ingress.index()] =
            Some(desired.iter().map(|line| line.parse().expect("a permission line")).collect());
        request
    }

    #[test]
    fn the_run_asks_for_the_group_then_the_steps_of_its_plan_in_order() {
        let (mut run, call) = SyncRun::start(request(&["tcp 443 10.0.0.0/8"])).expect("valid rules");
        assert!(matches!(call, Call::Describe(DescribeSecurityGroupsInput { group_ids: Some(_), .. })));
        let call = run.next(Ok(vec![group(&["tcp 22 10.0.0.0/8"])])).expect("a plan");
        assert!(matches!(call, Some(Call::AuthorizeIngress(_))), "authorize before revoke: {call:?}");
        let call = run.next(Ok(Vec::new())).expect("the next step");
        assert!(matches!(call, Some(Call::RevokeIngress(_))), "{call:?}");
        assert!(run.next(Ok(Vec::new())).expect("done").is_none());
        assert_eq!((run.outcome.counts(), run.outcome.operations, run.outcome.plans.len()), ((1, 1, 0), 3, 1));
        assert!(run.next(Ok(Vec::new())).expect("an answer after the end is ignored").is_none());
    }

    #[test]
    fn a_lost_answer_is_settled_by_the_next_describe_and_planned_again_once() {
        let (mut run, _) = SyncRun::start(request(&["tcp 22 10.0.0.0/8"])).expect("valid rules");
        assert!(matches!(run.next(Ok(vec![group(&[])])), Ok(Some(Call::AuthorizeIngress(_)))));
        let lost = || crate::runtime::Error::new(crate::ErrorKind::Transport, "connection reset");
        assert!(matches!(run.next(Err(lost())), Ok(Some(Call::Describe(_)))));
        // The describe shows the authorization made: recorded once, and the second plan is empty.
        assert!(matches!(run.next(Ok(vec![group(&["tcp 22 10.0.0.0/8"])])), Ok(None)));
        assert_eq!((run.outcome.counts(), run.outcome.operations, run.outcome.plans.len()), ((1, 0, 0), 3, 2));

        // A second lost answer is not retried: MAX_PLANS.
        let (mut run, _) = SyncRun::start(request(&["tcp 22 10.0.0.0/8"])).expect("valid rules");
        run.next(Ok(vec![group(&[])])).expect("a plan");
        run.next(Err(lost())).expect("a describe");
        assert!(matches!(run.next(Ok(vec![group(&[])])), Ok(Some(Call::AuthorizeIngress(_)))));
        let error = run.next(Err(lost())).expect_err("the second lost answer is the sync's error");
        assert_eq!(error.kind(), crate::ErrorKind::Transport);
        assert_eq!(run.outcome.counts(), (0, 0, 0));
    }

    #[test]
    fn a_group_the_describe_does_not_list_is_not_found() {
        let (mut run, _) = SyncRun::start(request(&[])).expect("valid rules");
        let error = run.next(Ok(Vec::new())).expect_err("no group");
        assert_eq!(error.kind(), crate::ErrorKind::NotFound);
    }
}
