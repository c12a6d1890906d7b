//! Desired-state security group rules: compare the rules a group has with the rules it should
//! have, and compute the smallest change, as EC2 itself sees rules.
//!
//! EC2 stores a group's rules one per (protocol, port range, peer) and merges or splits the
//! `IpPermission`s it is given accordingly: authorizing `tcp 22 from [A, B]` creates two rules,
//! and describing the group may return them in one permission or in two. Comparing whole
//! `IpPermission`s therefore fails (a second "ensure" gets `InvalidPermission.Duplicate`). This
//! module first [`normalize`]s permissions into atomic [`Rule`]s, then [`plan`]s:
//!
//! - rules wanted but missing are authorized;
//! - rules present but not wanted are revoked;
//! - rules present and wanted whose description differs get a description update (never a
//!   revoke and an authorize, which would refuse the traffic in between).
//!
//! Everything here is pure: no I/O. [`Plan`] prints as a readable dry run.

use crate::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use std::collections::BTreeMap;
use std::fmt;

/// The protocol of a rule as EC2 compares it: names and numbers of the same protocol are equal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// All traffic (`-1`, also spelled `all`): ports do not apply.
    All,
    /// TCP (`tcp`, `6`): a port range.
    Tcp,
    /// UDP (`udp`, `17`): a port range.
    Udp,
    /// ICMP (`icmp`, `1`): the ports carry the ICMP type and code (`-1`: any).
    Icmp,
    /// ICMPv6 (`icmpv6`, `58`): the ports carry the type and code (`-1`: any).
    Icmpv6,
    /// Any other IP protocol, by number: ports do not apply.
    Number(u8),
}

impl Protocol {
    /// Reads a protocol as EC2 accepts it: a name (any case) or a number.
    pub fn parse(text: &str) -> Result<Self, SyncError> {
        let text = text.trim();
        Ok(match text.to_ascii_lowercase().as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            "icmpv6" | "58" => Protocol::Icmpv6,
            other => match other.parse::<u8>() {
                Ok(number) => Protocol::Number(number),
                Err(_) => return Err(SyncError::new(format!("`{text}` is not an IP protocol name or number"))),
            },
        })
    }

    /// The spelling EC2 answers with (`tcp`, `-1`, `50`, …).
    pub fn as_wire(&self) -> String {
        match self {
            Protocol::All => "-1".to_string(),
            Protocol::Tcp => "tcp".to_string(),
            Protocol::Udp => "udp".to_string(),
            Protocol::Icmp => "icmp".to_string(),
            Protocol::Icmpv6 => "icmpv6".to_string(),
            Protocol::Number(n) => n.to_string(),
        }
    }
}

/// Where a rule's traffic comes from (ingress) or goes to (egress): exactly one of these.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Peer {
    /// An IPv4 CIDR block.
    Cidr(String),
    /// An IPv6 CIDR block.
    CidrV6(String),
    /// A managed prefix list (`pl-…`).
    PrefixList(String),
    /// Another security group, possibly in another account or a peered VPC.
    Group {
        /// The group's id (`sg-…`); EC2 answers with it.
        group_id: Option<String>,
        /// The group's name (default VPC and EC2-Classic callers may give only this).
        group_name: Option<String>,
        /// The account that owns the group, when not this one.
        user_id: Option<String>,
        /// The VPC peering connection the group is reached through.
        vpc_peering_connection_id: Option<String>,
    },
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Cidr(cidr) | Peer::CidrV6(cidr) => f.write_str(cidr),
            Peer::PrefixList(id) => f.write_str(id),
            Peer::Group { group_id, group_name, user_id, vpc_peering_connection_id } => {
                f.write_str(group_id.as_deref().or(group_name.as_deref()).unwrap_or("?"))?;
                if let Some(user) = user_id {
                    write!(f, " (account {user})")?;
                }
                if let Some(peering) = vpc_peering_connection_id {
                    write!(f, " via {peering}")?;
                }
                Ok(())
            }
        }
    }
}

/// One rule as EC2 stores it: a protocol, a port range and one peer. Its identity is all of
/// these; the description is carried along but is not part of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rule {
    /// The protocol.
    pub protocol: Protocol,
    /// The first port (ICMP: the type); `None` where ports do not apply.
    pub from_port: Option<i32>,
    /// The last port (ICMP: the code); `None` where ports do not apply.
    pub to_port: Option<i32>,
    /// The one peer.
    pub peer: Peer,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.protocol, self.from_port, self.to_port) {
            (Protocol::All, ..) => f.write_str("all traffic")?,
            (Protocol::Icmp | Protocol::Icmpv6, from, to) => {
                let number = |n: Option<i32>| n.filter(|&n| n >= 0).map_or("any".to_string(), |n| n.to_string());
                write!(f, "{} type {} code {}", self.protocol.as_wire(), number(from), number(to))?
            }
            (protocol, Some(from), Some(to)) if from == to => write!(f, "{} {from}", protocol.as_wire())?,
            (protocol, Some(from), Some(to)) => write!(f, "{} {from}-{to}", protocol.as_wire())?,
            (protocol, ..) => f.write_str(&protocol.as_wire())?,
        }
        write!(f, " {}", self.peer)
    }
}

/// A rule that cannot be read, or a plan that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncError {
    message: String,
}

impl SyncError {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyncError {}

/// A group's rules in one direction, by identity, each with its description (`None` and an
/// empty description are the same to EC2).
pub type RuleSet = BTreeMap<Rule, Option<String>>;

/// Splits permissions into atomic rules. Fails on a permission without a protocol, with a
/// protocol EC2 does not know, or on one rule given twice with two descriptions.
pub fn normalize(permissions: &[IpPermission]) -> Result<RuleSet, SyncError> {
    normalize_in(permissions, None)
}

/// [`normalize`] for the rules of a group owned by `owner` (an account id): a group peer's
/// `user_id` equal to the owner is dropped, since EC2 answers with it where callers omit it.
pub fn normalize_in(permissions: &[IpPermission], owner: Option<&str>) -> Result<RuleSet, SyncError> {
    let mut rules = RuleSet::new();
    for permission in permissions {
        let protocol_text = permission
            .ip_protocol
            .as_deref()
            .ok_or_else(|| SyncError::new("a permission without a protocol (`ip_protocol`)"))?;
        let protocol = Protocol::parse(protocol_text)?;
        let (from_port, to_port) = match protocol {
            // ICMP without a type or code means any, which EC2 answers as -1.
            Protocol::Icmp | Protocol::Icmpv6 => {
                (Some(permission.from_port.unwrap_or(-1)), Some(permission.to_port.unwrap_or(-1)))
            }
            Protocol::Tcp | Protocol::Udp => (permission.from_port, permission.to_port),
            // EC2 ignores ports for all traffic and for protocols without ports.
            Protocol::All | Protocol::Number(_) => (None, None),
        };
        let mut add = |peer: Peer, description: Option<&str>| -> Result<(), SyncError> {
            let rule = Rule { protocol: protocol.clone(), from_port, to_port, peer };
            let description = description.filter(|d| !d.is_empty()).map(str::to_string);
            match rules.get(&rule) {
                Some(existing) if *existing != description => Err(SyncError::new(format!(
                    "the rule `{rule}` is given twice, with descriptions {existing:?} and {description:?}"
                ))),
                _ => {
                    rules.insert(rule, description);
                    Ok(())
                }
            }
        };
        for range in permission.ip_ranges.iter().flatten() {
            let cidr = range.cidr_ip.as_deref().ok_or_else(|| SyncError::new("an IPv4 range without `cidr_ip`"))?;
            add(Peer::Cidr(cidr.to_string()), range.description.as_deref())?;
        }
        for range in permission.ipv6_ranges.iter().flatten() {
            let cidr = range.cidr_ipv6.as_deref().ok_or_else(|| SyncError::new("an IPv6 range without `cidr_ipv6`"))?;
            // EC2 answers with IPv6 addresses in lower case, whatever case they were given in.
            add(Peer::CidrV6(cidr.to_ascii_lowercase()), range.description.as_deref())?;
        }
        for list in permission.prefix_list_ids.iter().flatten() {
            let id = list
                .prefix_list_id
                .as_deref()
                .ok_or_else(|| SyncError::new("a prefix list without `prefix_list_id`"))?;
            add(Peer::PrefixList(id.to_string()), list.description.as_deref())?;
        }
        for pair in permission.user_id_group_pairs.iter().flatten() {
            if pair.group_id.is_none() && pair.group_name.is_none() {
                return Err(SyncError::new("a group peer without `group_id` or `group_name`"));
            }
            let peer = Peer::Group {
                group_id: pair.group_id.clone(),
                // EC2 answers with the id; a name given beside an id adds nothing to the identity.
                group_name: if pair.group_id.is_some() { None } else { pair.group_name.clone() },
                user_id: pair.user_id.clone().filter(|user| Some(user.as_str()) != owner),
                vpc_peering_connection_id: pair.vpc_peering_connection_id.clone(),
            };
            add(peer, pair.description.as_deref())?;
        }
    }
    Ok(rules)
}

/// The change that takes a group's rules in one direction from what they are to what they
/// should be. Each list holds permissions grouped by protocol and ports, ready to send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Rules to authorize (with their descriptions).
    pub authorize: Vec<IpPermission>,
    /// Rules to revoke.
    pub revoke: Vec<IpPermission>,
    /// Rules kept whose description changes (to an empty one when none is wanted).
    pub update_descriptions: Vec<IpPermission>,
    /// The same changes as rules, for display and tests.
    changes: Vec<(Change, Rule, Option<String>)>,
}

/// What a plan does to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// The rule is added (`+` in a printed plan).
    Authorize,
    /// The rule is removed (`-`).
    Revoke,
    /// The rule stays; its description changes (`~`).
    Describe,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The number of rules the plan authorizes, revokes and re-describes.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |kind| self.changes.iter().filter(|(change, ..)| *change == kind).count();
        (count(Change::Authorize), count(Change::Revoke), count(Change::Describe))
    }

    /// The permissions to send for one kind of change.
    pub fn permissions(&self, change: Change) -> &[IpPermission] {
        match change {
            Change::Authorize => &self.authorize,
            Change::Revoke => &self.revoke,
            Change::Describe => &self.update_descriptions,
        }
    }

    /// Each rule the plan changes, what it does to it, and the rule's description afterwards
    /// (for a revoke, the description it had): authorizations and updates first, then revokes.
    pub fn changes(&self) -> impl Iterator<Item = (Change, &Rule, Option<&str>)> + '_ {
        self.changes.iter().map(|(change, rule, description)| (*change, rule, description.as_deref()))
    }

    /// Applies the plan to `rules` as EC2 would: what planning against the result gives.
    pub fn apply_to(&self, rules: &mut RuleSet) {
        for (change, rule, description) in &self.changes {
            match change {
                Change::Authorize | Change::Describe => {
                    rules.insert(rule.clone(), description.clone());
                }
                Change::Revoke => {
                    rules.remove(rule);
                }
            }
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return f.write_str("no change");
        }
        for (i, (change, rule, description)) in self.changes.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            let sign = match change {
                Change::Authorize => "+",
                Change::Revoke => "-",
                Change::Describe => "~",
            };
            write!(f, "{sign} {rule}")?;
            match (change, description) {
                (Change::Revoke, _) => {}
                (_, Some(description)) => write!(f, " \"{description}\"")?,
                (Change::Describe, None) => f.write_str(" (no description)")?,
                (_, None) => {}
            }
        }
        Ok(())
    }
}

/// Plans the change from `current` (as DescribeSecurityGroups answers) to `desired`.
pub fn plan(current: &[IpPermission], desired: &[IpPermission]) -> Result<Plan, SyncError> {
    Ok(plan_rules(&normalize(current)?, &normalize(desired)?))
}

/// [`plan`] for one direction of `group` as DescribeSecurityGroups gave it: its owner's account
/// id is left out of group peers on both sides.
pub fn plan_for_group(
    group: &crate::types::SecurityGroup,
    direction: Direction,
    desired: &[IpPermission],
) -> Result<Plan, SyncError> {
    let (current, desired) = rule_sets(group, direction, desired)?;
    Ok(plan_rules(&current, &desired))
}

/// The rules `group` has in one direction and the `desired` ones, both normalized for the group's owner.
fn rule_sets(
    group: &crate::types::SecurityGroup,
    direction: Direction,
    desired: &[IpPermission],
) -> Result<(RuleSet, RuleSet), SyncError> {
    let owner = group.owner_id.as_deref();
    let current = match direction {
        Direction::Ingress => group.ip_permissions.as_deref(),
        Direction::Egress => group.ip_permissions_egress.as_deref(),
    };
    Ok((normalize_in(current.unwrap_or_default(), owner)?, normalize_in(desired, owner)?))
}

/// Which of a group's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Inbound rules (`ip_permissions`).
    Ingress,
    /// Outbound rules (`ip_permissions_egress`).
    Egress,
}

/// [`plan`] on rules already normalized.
pub fn plan_rules(current: &RuleSet, desired: &RuleSet) -> Plan {
    let mut changes = Vec::new();
    for (rule, description) in desired {
        match current.get(rule) {
            None => changes.push((Change::Authorize, rule.clone(), description.clone())),
            Some(existing) if existing != description => {
                changes.push((Change::Describe, rule.clone(), description.clone()))
            }
            Some(_) => {}
        }
    }
    for (rule, description) in current {
        if !desired.contains_key(rule) {
            changes.push((Change::Revoke, rule.clone(), description.clone()));
        }
    }
    let select = |kind: Change, with_descriptions: bool| {
        let rules = changes.iter().filter(|(change, ..)| *change == kind);
        group(
            rules.map(|(_, rule, description)| (rule, if with_descriptions { description.as_deref() } else { None })),
            kind == Change::Describe,
        )
    };
    Plan {
        authorize: select(Change::Authorize, true),
        revoke: select(Change::Revoke, false),
        update_descriptions: select(Change::Describe, true),
        changes,
    }
}

/// Groups rules into as few permissions as EC2 takes: one per protocol and port range. With
/// `empty_descriptions`, a rule without a description gets an empty one (which clears it).
fn group<'a>(rules: impl Iterator<Item = (&'a Rule, Option<&'a str>)>, empty_descriptions: bool) -> Vec<IpPermission> {
    let mut permissions: BTreeMap<(Protocol, Option<i32>, Option<i32>), IpPermission> = BTreeMap::new();
    for (rule, description) in rules {
        let description = match description {
            Some(text) => Some(text.to_string()),
            None if empty_descriptions => Some(String::new()),
            None => None,
        };
        let permission =
            permissions.entry((rule.protocol.clone(), rule.from_port, rule.to_port)).or_insert_with(|| IpPermission {
                ip_protocol: Some(rule.protocol.as_wire()),
                from_port: rule.from_port,
                to_port: rule.to_port,
                ..Default::default()
            });
        match &rule.peer {
            Peer::Cidr(cidr) => permission
                .ip_ranges
                .get_or_insert_with(Vec::new)
                .push(IpRange { cidr_ip: Some(cidr.clone()), description }),
            Peer::CidrV6(cidr) => permission
                .ipv6_ranges
                .get_or_insert_with(Vec::new)
                .push(Ipv6Range { cidr_ipv6: Some(cidr.clone()), description }),
            Peer::PrefixList(id) => permission
                .prefix_list_ids
                .get_or_insert_with(Vec::new)
                .push(PrefixListId { prefix_list_id: Some(id.clone()), description }),
            Peer::Group { group_id, group_name, user_id, vpc_peering_connection_id } => {
                permission.user_id_group_pairs.get_or_insert_with(Vec::new).push(UserIdGroupPair {
                    group_id: group_id.clone(),
                    group_name: group_name.clone(),
                    user_id: user_id.clone(),
                    vpc_peering_connection_id: vpc_peering_connection_id.clone(),
                    description,
                    ..Default::default()
                })
            }
        }
    }
    permissions.into_values().collect()
}

/// EC2's default quota of rules per group and direction (adjustable per account, up to 1,000).
pub const DEFAULT_RULE_QUOTA: usize = 60;

/// The rule counts EC2 holds against its quota, which it counts separately for IPv4 and IPv6:
/// a group or prefix-list peer counts in both (a prefix list really counts its maximum number
/// of entries, which only a DescribeManagedPrefixLists call tells; it is counted once here).
fn quota_counts<'a>(rules: impl Iterator<Item = &'a Rule>) -> (usize, usize) {
    rules.fold((0, 0), |(v4, v6), rule| match rule.peer {
        Peer::Cidr(_) => (v4 + 1, v6),
        Peer::CidrV6(_) => (v4, v6 + 1),
        Peer::PrefixList(_) | Peer::Group { .. } => (v4 + 1, v6 + 1),
    })
}

/// What a sync did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SyncOutcome {
    /// The plan that was applied (or, for a dry run or when nothing differed, that would be).
    pub plan: Plan,
    /// Whether the plan was sent (false for a dry run or an empty plan).
    pub applied: bool,
    /// Whether a concurrent change (a rule added or removed between the describe and the
    /// change) made the sync describe and plan a second time.
    pub replanned: bool,
    /// The API calls made, DescribeSecurityGroups included.
    pub calls: usize,
}

impl fmt::Display for SyncOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (authorized, revoked, described) = self.plan.counts();
        let verb = if self.applied { "" } else { "to be " };
        write!(
            f,
            "{authorized} rule(s) {verb}authorized, {revoked} {verb}revoked, {described} {verb}re-described, in {} call(s)",
            self.calls
        )?;
        if self.replanned {
            f.write_str(", planned twice (the rules changed under the first plan)")?;
        }
        Ok(())
    }
}

/// Brings one direction of a group's rules to the desired set: describe, plan, then authorize
/// what is missing, revoke what is extra and update changed descriptions, each in one call.
/// Authorizing comes first, so that no wanted traffic is refused in between (unless the rules
/// would only fit the quota that way round). A rule added or removed by someone else between
/// the describe and the change (`InvalidPermission.Duplicate` / `.NotFound`) makes it plan again,
/// once. Made by `sync_ingress()` / `sync_egress()` on the client or a `SecurityGroup`.
#[derive(Debug, Clone)]
pub struct SyncRules<C> {
    client: C,
    group_id: String,
    direction: Direction,
    desired: Option<Vec<IpPermission>>,
    dry_run: bool,
    rule_quota: usize,
}

impl<C> SyncRules<C> {
    pub(crate) fn new(client: C, group_id: impl Into<String>, direction: Direction) -> Self {
        Self {
            client,
            group_id: group_id.into(),
            direction,
            desired: None,
            dry_run: false,
            rule_quota: DEFAULT_RULE_QUOTA,
        }
    }

    /// Adds permissions to the desired rules (a permission may carry several peers).
    pub fn rules(mut self, permission: IpPermission) -> Self {
        self.desired.get_or_insert_with(Vec::new).push(permission);
        self
    }

    /// Sets the desired rules; `Some(vec![])` removes every rule. Sending with none set is an
    /// error, so that a forgotten `rules(..)` never empties a group.
    pub fn set_rules(mut self, permissions: Option<Vec<IpPermission>>) -> Self {
        self.desired = permissions;
        self
    }

    /// Describes and plans, and sends nothing: the outcome's plan says what would change.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The account's quota of rules per group and direction, when raised from EC2's default
    /// of [`DEFAULT_RULE_QUOTA`]: a plan that cannot fit is refused before any change is sent.
    pub fn rule_quota(mut self, quota: usize) -> Self {
        self.rule_quota = quota;
        self
    }

    fn validation(message: String, source: Option<SyncError>) -> crate::Error {
        let error = crate::runtime::Error::new(crate::ErrorKind::Validation, message);
        match source {
            Some(source) => error.with_source(source),
            None => error,
        }
    }

    /// Checks, before any call, that rules were given, can be read, and fit the quota (after
    /// the sync, the group holds exactly the desired rules).
    fn check_desired(&self) -> Result<(), crate::Error> {
        let desired = self.desired.as_deref().ok_or_else(|| {
            Self::validation(
                "no desired rules were given: call rules(..), or set_rules(Some(vec![])) to remove every rule".into(),
                None,
            )
        })?;
        let rules = normalize(desired)
            .map_err(|e| Self::validation(format!("cannot plan the rules of {}: {e}", self.group_id), Some(e)))?;
        // EC2 answers group peers with their ids: one given by name alone would never match
        // what is there, and every run would try to add it again.
        if let Some(rule) = rules.keys().find(|rule| matches!(&rule.peer, Peer::Group { group_id: None, .. })) {
            return Err(Self::validation(
                format!(
                    "the rule `{rule}` names its group peer without an id: give group_id (EC2 answers with ids, \
                     so a name alone would never match the group's rules)"
                ),
                None,
            ));
        }
        let (v4, v6) = quota_counts(rules.keys());
        if v4.max(v6) > self.rule_quota {
            return Err(Self::validation(
                format!(
                    "the desired rules of {} do not fit the quota of {} rules per direction ({v4} IPv4, {v6} IPv6 \
                     counted); nothing was sent (raise it with rule_quota(..) if the account's quota is higher)",
                    self.group_id, self.rule_quota
                ),
                None,
            ));
        }
        Ok(())
    }

    /// Plans against the group as described. Returns the plan and whether revoking must come
    /// first for the rules to fit the quota at every step.
    fn plan_for(&self, group: &crate::types::SecurityGroup) -> Result<(Plan, bool), crate::Error> {
        let (current, desired) = rule_sets(group, self.direction, self.desired.as_deref().unwrap_or_default())
            .map_err(|e| Self::validation(format!("cannot plan the rules of {}: {e}", self.group_id), Some(e)))?;
        let plan = plan_rules(&current, &desired);
        let added = plan.changes.iter().filter(|(change, ..)| *change == Change::Authorize).map(|(_, rule, _)| rule);
        let (peak_v4, peak_v6) = quota_counts(current.keys().chain(added));
        Ok((plan, peak_v4.max(peak_v6) > self.rule_quota))
    }
}

/// Whether an error means the rules changed under the plan.
fn is_concurrent_change(error: &crate::Error) -> bool {
    matches!(error.code(), Some("InvalidPermission.Duplicate" | "InvalidPermission.NotFound"))
}

fn not_found(group_id: &str) -> crate::Error {
    crate::runtime::Error::not_found("SecurityGroup", &[("GroupId", group_id)])
}

/// The client calls a sync makes, for the async and the blocking client alike.
macro_rules! sync_send {
    ($client:ty, [$($async:tt)*], [$($await:tt)*]) => {
        impl SyncRules<$client> {
            /// Describes the group, plans and applies the plan (see [`SyncRules`]).
            pub $($async)* fn send(self) -> Result<SyncOutcome, crate::Error> {
                self.check_desired()?;
                let mut calls = 0;
                let mut replanned = false;
                loop {
                    let described = self.client.describe_security_groups().group_ids(&self.group_id).send() $($await)*;
                    calls += 1;
                    let group = described?.security_groups.unwrap_or_default().into_iter().next()
                        .ok_or_else(|| not_found(&self.group_id))?;
                    let (plan, revoke_first) = self.plan_for(&group)?;
                    if self.dry_run || plan.is_empty() {
                        return Ok(SyncOutcome { plan, applied: false, replanned, calls });
                    }
                    match self.apply(&plan, revoke_first, &mut calls) $($await)* {
                        Ok(()) => return Ok(SyncOutcome { plan, applied: true, replanned, calls }),
                        Err(error) if !replanned && is_concurrent_change(&error) => {
                            tracing::debug!(group = %self.group_id, %error, "rules changed under the plan; planning again");
                            replanned = true;
                        }
                        Err(error) => return Err(error),
                    }
                }
            }

            $($async)* fn apply(&self, plan: &Plan, revoke_first: bool, calls: &mut usize) -> Result<(), crate::Error> {
                let client = &self.client;
                let group = self.group_id.as_str();
                let order = if revoke_first {
                    [Change::Revoke, Change::Authorize, Change::Describe]
                } else {
                    [Change::Authorize, Change::Revoke, Change::Describe]
                };
                for change in order {
                    let permissions = plan.permissions(change);
                    if permissions.is_empty() {
                        continue;
                    }
                    *calls += 1;
                    let permissions = Some(permissions.to_vec());
                    match (self.direction, change) {
                        (Direction::Ingress, Change::Authorize) => { client.authorize_security_group_ingress().group_id(group).set_ip_permissions(permissions).send() $($await)*?; }
                        (Direction::Ingress, Change::Revoke) => { client.revoke_security_group_ingress().group_id(group).set_ip_permissions(permissions).send() $($await)*?; }
                        (Direction::Ingress, Change::Describe) => { client.update_security_group_rule_descriptions_ingress().group_id(group).set_ip_permissions(permissions).send() $($await)*?; }
                        (Direction::Egress, Change::Authorize) => { client.authorize_security_group_egress().group_id(group).set_ip_permissions(permissions).send() $($await)*?; }
                        (Direction::Egress, Change::Revoke) => { client.revoke_security_group_egress().group_id(group).set_ip_permissions(permissions).send() $($await)*?; }
                        (Direction::Egress, Change::Describe) => { client.update_security_group_rule_descriptions_egress().group_id(group).set_ip_permissions(permissions).send() $($await)*?; }
                    }
                }
                Ok(())
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
}
