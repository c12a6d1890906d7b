//! The planner: rules as EC2 stores them, what EC2 would refuse, and the smallest change from
//! the rules a group has to the rules it should have. No I/O and no client: every function here
//! takes what DescribeSecurityGroups answered (or the caller's permissions) and returns a value.
//! [`SyncOutcome`], the record of what a sync changed, is kept here too: the apply module fills
//! it in.

use super::check;
use super::text;
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

/// The peer as the one-line form writes it: a CIDR, `pl-…`, `[ACCOUNT/]sg-…[@pcx-…]` or
/// `name:"…"`.
impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Cidr(cidr) | Peer::CidrV6(cidr) => f.write_str(cidr),
            Peer::PrefixList(id) => f.write_str(id),
            Peer::Group { group_id, group_name, user_id, vpc_peering_connection_id } => {
                let pair = UserIdGroupPair {
                    group_id: group_id.clone(),
                    group_name: group_name.clone(),
                    user_id: user_id.clone(),
                    vpc_peering_connection_id: vpc_peering_connection_id.clone(),
                    ..Default::default()
                };
                text::GroupToken(&pair).fmt(f)
            }
        }
    }
}

impl Peer {
    /// The peer as a one-rule permission's peer list, with `description`.
    fn add_to(&self, permission: &mut IpPermission, description: Option<String>) {
        match self {
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

impl Rule {
    /// The rule as a permission of its own, as it is sent.
    pub fn to_permission(&self, description: Option<&str>) -> IpPermission {
        let mut permission = IpPermission {
            ip_protocol: Some(self.protocol.as_wire()),
            from_port: self.from_port,
            to_port: self.to_port,
            ..Default::default()
        };
        self.peer.add_to(&mut permission, description.map(str::to_string));
        permission
    }
}

/// The one-line form of the rule's permission (`tcp 443 10.0.0.0/8`), which
/// [`IpPermission`]'s `FromStr` reads back.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_permission(None).fmt(f)
    }
}

/// A rule that cannot be read or would be refused by EC2, or a plan that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncError {
    message: String,
    position: Option<usize>,
    rule: Option<String>,
}

impl SyncError {
    pub(super) fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), position: None, rule: None }
    }

    pub(super) fn for_rule(position: usize, rule: &str, problem: String) -> Self {
        Self {
            message: format!("desired permission {position} (`{rule}`): {problem}"),
            position: Some(position),
            rule: Some(rule.to_string()),
        }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Which of the desired permissions is wrong, counting from 1 in the order they were given.
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// The wrong permission in its one-line form.
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
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

/// Splits permissions into atomic rules, as EC2 stores them (CIDRs canonical, protocol names
/// for numbers, ports only where they apply). Lenient: it reads what DescribeSecurityGroups
/// answers; desired rules go through [`validate`]. Fails on a permission without a protocol or
/// a peer's address, or on one rule given twice with two descriptions.
pub fn normalize(permissions: &[IpPermission]) -> Result<RuleSet, SyncError> {
    rules_in(permissions, None, false)
}

/// [`normalize`] for the rules of a group owned by `owner` (an account id): a group peer's
/// `user_id` equal to the owner is dropped, since EC2 answers with it where callers omit it.
pub fn normalize_in(permissions: &[IpPermission], owner: Option<&str>) -> Result<RuleSet, SyncError> {
    rules_in(permissions, owner, false)
}

/// Checks desired permissions as EC2 would, and normalizes them like [`normalize`]. Each error
/// names the permission (its position, from 1, and its one-line form): a protocol EC2 does not
/// know; TCP/UDP ports missing, outside 0–65535 or reversed; an ICMP type or code outside
/// −1–255, or a code with type −1; a CIDR that does not parse, has no or too long a prefix, or is
/// in the wrong family; a prefix list, group, account or peering id of the wrong form; a
/// description longer than 255 characters or with a character EC2 refuses; a permission without
/// a peer; one rule given twice with two descriptions. A CIDR with host bits set is not refused:
/// EC2 canonicalizes it (`10.0.0.1/8` is stored as `10.0.0.0/8`), and so does this.
pub fn validate(permissions: &[IpPermission]) -> Result<RuleSet, SyncError> {
    rules_in(permissions, None, true)
}

fn rules_in(permissions: &[IpPermission], owner: Option<&str>, strict: bool) -> Result<RuleSet, SyncError> {
    let mut rules = RuleSet::new();
    // Where each rule was first given, for the error about a rule given twice.
    let mut given_in: BTreeMap<Rule, usize> = BTreeMap::new();
    for (index, permission) in permissions.iter().enumerate() {
        let position = index + 1;
        let text = permission.to_string();
        let fail = |problem: String| -> SyncError {
            if strict {
                check::rule_error(position, &text, problem)
            } else {
                SyncError::new(format!("`{text}`: {problem}"))
            }
        };
        let protocol_text =
            permission.ip_protocol.as_deref().ok_or_else(|| fail("it has no protocol (`ip_protocol`)".into()))?;
        let protocol = Protocol::parse(protocol_text).map_err(|e| fail(e.message))?;
        let (from_port, to_port) = match protocol {
            Protocol::Tcp | Protocol::Udp if strict => check::port_range(permission.from_port, permission.to_port)
                .map(|(f, t)| (Some(f), Some(t)))
                .map_err(fail)?,
            Protocol::Tcp | Protocol::Udp => (permission.from_port, permission.to_port),
            // ICMP without a type or code means any, which EC2 answers as -1.
            Protocol::Icmp | Protocol::Icmpv6 if strict => {
                check::icmp_type_code(permission.from_port, permission.to_port)
                    .map(|(t, c)| (Some(t), Some(c)))
                    .map_err(fail)?
            }
            Protocol::Icmp | Protocol::Icmpv6 => {
                (Some(permission.from_port.unwrap_or(-1)), Some(permission.to_port.unwrap_or(-1)))
            }
            // EC2 ignores ports for all traffic and for protocols without ports.
            Protocol::All | Protocol::Number(_) => (None, None),
        };
        let mut peers: Vec<(Peer, Option<&str>)> = Vec::new();
        for range in permission.ip_ranges() {
            let cidr = range.cidr_ip.as_deref().ok_or_else(|| fail("an IPv4 range has no `cidr_ip`".into()))?;
            let cidr = match check::canonical_ipv4(cidr) {
                Ok(canonical) => canonical,
                Err(problem) if strict => return Err(fail(problem)),
                Err(_) => cidr.to_string(),
            };
            peers.push((Peer::Cidr(cidr), range.description.as_deref()));
        }
        for range in permission.ipv6_ranges() {
            let cidr = range.cidr_ipv6.as_deref().ok_or_else(|| fail("an IPv6 range has no `cidr_ipv6`".into()))?;
            let cidr = match check::canonical_ipv6(cidr) {
                Ok(canonical) => canonical,
                Err(problem) if strict => return Err(fail(problem)),
                // EC2 answers with IPv6 addresses in lower case, whatever case they were given in.
                Err(_) => cidr.to_ascii_lowercase(),
            };
            peers.push((Peer::CidrV6(cidr), range.description.as_deref()));
        }
        for list in permission.prefix_list_ids() {
            let id =
                list.prefix_list_id.as_deref().ok_or_else(|| fail("a prefix list has no `prefix_list_id`".into()))?;
            if strict && !check::is_resource_id(id, "pl-") {
                return Err(fail(format!("`{id}` is not a prefix list id (pl- and 8 or 17 hex digits)")));
            }
            peers.push((Peer::PrefixList(id.to_string()), list.description.as_deref()));
        }
        for pair in permission.user_id_group_pairs() {
            if pair.group_id.is_none() && pair.group_name.is_none() {
                return Err(fail("a group peer has neither `group_id` nor `group_name`".into()));
            }
            if strict {
                if let Some(id) = pair.group_id.as_deref().filter(|id| !check::is_resource_id(id, "sg-")) {
                    return Err(fail(format!("`{id}` is not a security group id (sg- and 8 or 17 hex digits)")));
                }
                if let Some(user) = pair.user_id.as_deref().filter(|user| !check::is_account_id(user)) {
                    return Err(fail(format!("`{user}` is not an account id (12 digits)")));
                }
                if let Some(peering) =
                    pair.vpc_peering_connection_id.as_deref().filter(|id| !check::is_resource_id(id, "pcx-"))
                {
                    return Err(fail(format!("`{peering}` is not a VPC peering connection id")));
                }
                if pair.group_id.is_none() && pair.user_id.is_some() {
                    return Err(fail("a group in another account is given by its id, not its name".into()));
                }
            }
            let peer = Peer::Group {
                group_id: pair.group_id.clone(),
                // EC2 answers with the id; a name given beside an id adds nothing to the identity.
                group_name: if pair.group_id.is_some() { None } else { pair.group_name.clone() },
                user_id: pair.user_id.clone().filter(|user| Some(user.as_str()) != owner),
                vpc_peering_connection_id: pair.vpc_peering_connection_id.clone(),
            };
            peers.push((peer, pair.description.as_deref()));
        }
        if strict && peers.is_empty() {
            return Err(fail("it names no peer (a CIDR, a prefix list or a group)".into()));
        }
        for (peer, description) in peers {
            if strict {
                if let Some(problem) = description.and_then(check::description_problem) {
                    return Err(fail(problem));
                }
            }
            let rule = Rule { protocol: protocol.clone(), from_port, to_port, peer };
            let description = description.filter(|d| !d.is_empty()).map(str::to_string);
            match rules.get(&rule) {
                Some(existing) if *existing != description => {
                    let first = given_in.get(&rule).copied().unwrap_or(position);
                    return Err(fail(format!(
                        "the rule `{rule}` is given twice (also in permission {first}), with descriptions \
                         {existing:?} and {description:?}"
                    )));
                }
                _ => {
                    given_in.entry(rule.clone()).or_insert(position);
                    rules.insert(rule, description);
                }
            }
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
    UpdateDescription,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The number of rules the plan authorizes, revokes and re-describes.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |kind| self.changes.iter().filter(|(change, ..)| *change == kind).count();
        (count(Change::Authorize), count(Change::Revoke), count(Change::UpdateDescription))
    }

    /// The permissions to send for one kind of change.
    pub fn permissions(&self, change: Change) -> &[IpPermission] {
        match change {
            Change::Authorize => &self.authorize,
            Change::Revoke => &self.revoke,
            Change::UpdateDescription => &self.update_descriptions,
        }
    }

    /// Each rule the plan changes, what it does to it, and the rule's description afterwards
    /// (for a revoke, the description it had): authorizations and updates first, then revokes.
    pub fn changes(&self) -> impl Iterator<Item = (Change, &Rule, Option<&str>)> + '_ {
        self.changes.iter().map(|(change, rule, description)| (*change, rule, description.as_deref()))
    }

    /// Applies the plan's own change list to `rules` (what planning against the result gives).
    /// It does not look at the permissions to send: tests of what is sent replay those instead.
    pub fn apply_to(&self, rules: &mut RuleSet) {
        for (change, rule, description) in &self.changes {
            match change {
                Change::Authorize | Change::UpdateDescription => {
                    rules.insert(rule.clone(), description.clone());
                }
                Change::Revoke => {
                    rules.remove(rule);
                }
            }
        }
    }
}

/// One line per rule: `+` authorize, `-` revoke, `~` new description (`""`: cleared), each in
/// the one-line form [`IpPermission`] parses.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return f.write_str("no change");
        }
        for (i, (change, rule, description)) in self.changes.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            let (sign, shown) = match change {
                Change::Authorize => ("+", description.as_deref()),
                Change::Revoke => ("-", None),
                Change::UpdateDescription => ("~", Some(description.as_deref().unwrap_or(""))),
            };
            write!(f, "{sign} {}", rule.to_permission(shown))?;
        }
        Ok(())
    }
}

/// Plans the change from `current` (as DescribeSecurityGroups answers) to `desired`, which is
/// [`validate`]d first.
pub fn plan(current: &[IpPermission], desired: &[IpPermission]) -> Result<Plan, SyncError> {
    Ok(plan_rules(&normalize(current)?, &validate(desired)?))
}

/// [`plan`] for one direction of `group` as DescribeSecurityGroups gave it: its owner's account
/// id is left out of group peers on both sides.
pub fn plan_for_group(
    group: &crate::types::SecurityGroup,
    direction: Direction,
    desired: &[IpPermission],
) -> Result<Plan, SyncError> {
    let owner = group.owner_id.as_deref();
    Ok(plan_rules(&current_rules(group, direction)?, &rules_in(desired, owner, true)?))
}

/// The rules `group` has in one direction, normalized for its owner.
pub(super) fn current_rules(group: &crate::types::SecurityGroup, direction: Direction) -> Result<RuleSet, SyncError> {
    let current = match direction {
        Direction::Ingress => group.ip_permissions.as_deref(),
        Direction::Egress => group.ip_permissions_egress.as_deref(),
    };
    normalize_in(current.unwrap_or_default(), group.owner_id.as_deref())
}

/// Which of a group's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Inbound rules (`ip_permissions`).
    Ingress,
    /// Outbound rules (`ip_permissions_egress`).
    Egress,
}

impl Direction {
    pub(super) const BOTH: [Direction; 2] = [Direction::Ingress, Direction::Egress];

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        })
    }
}

/// [`plan`] on rules already normalized.
pub fn plan_rules(current: &RuleSet, desired: &RuleSet) -> Plan {
    plan_rules_with(current, desired, true)
}

/// [`plan_rules`]; with `purge` false, rules present but not desired are kept (add-only).
pub fn plan_rules_with(current: &RuleSet, desired: &RuleSet, purge: bool) -> Plan {
    let mut changes = Vec::new();
    for (rule, description) in desired {
        match current.get(rule) {
            None => changes.push((Change::Authorize, rule.clone(), description.clone())),
            Some(existing) if existing != description => {
                changes.push((Change::UpdateDescription, rule.clone(), description.clone()))
            }
            Some(_) => {}
        }
    }
    if purge {
        for (rule, description) in current {
            if !desired.contains_key(rule) {
                changes.push((Change::Revoke, rule.clone(), description.clone()));
            }
        }
    }
    let select = |kind: Change, with_descriptions: bool| {
        let rules = changes.iter().filter(|(change, ..)| *change == kind);
        group(
            rules.map(|(_, rule, description)| (rule, if with_descriptions { description.as_deref() } else { None })),
            kind == Change::UpdateDescription,
        )
    };
    Plan {
        authorize: select(Change::Authorize, true),
        revoke: select(Change::Revoke, false),
        update_descriptions: select(Change::UpdateDescription, true),
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
        rule.peer.add_to(permission, description);
    }
    permissions.into_values().collect()
}

/// EC2's default quota of rules per group and direction (adjustable per account, up to 1,000).
pub const DEFAULT_RULE_QUOTA: usize = 60;

/// The rule counts EC2 holds against its quota, which it counts separately for IPv4 and IPv6:
/// a group or prefix-list peer counts in both (a prefix list really counts its maximum number
/// of entries, which only a DescribeManagedPrefixLists call tells; it is counted once here).
pub(super) fn quota_counts<'a>(rules: impl Iterator<Item = &'a Rule>) -> (usize, usize) {
    rules.fold((0, 0), |(v4, v6), rule| match rule.peer {
        Peer::Cidr(_) => (v4 + 1, v6),
        Peer::CidrV6(_) => (v4, v6 + 1),
        Peer::PrefixList(_) | Peer::Group { .. } => (v4 + 1, v6 + 1),
    })
}

/// One rule a sync changed (or, in a plan, would change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChange {
    /// Inbound or outbound.
    pub direction: Direction,
    /// The rule.
    pub rule: Rule,
    /// Its description afterwards (for a revoke, the one it had).
    pub description: Option<String>,
}

impl fmt::Display for RuleChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.direction, self.rule.to_permission(self.description.as_deref()))
    }
}

/// What one plan of a sync said, for each direction (a direction the sync leaves alone has an
/// empty plan).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupPlan {
    /// The plan for the inbound rules.
    pub ingress: Plan,
    /// The plan for the outbound rules.
    pub egress: Plan,
}

impl GroupPlan {
    /// The plan of one direction.
    pub fn direction(&self, direction: Direction) -> &Plan {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    pub(super) fn direction_mut(&mut self, direction: Direction) -> &mut Plan {
        match direction {
            Direction::Ingress => &mut self.ingress,
            Direction::Egress => &mut self.egress,
        }
    }

    /// Whether neither direction has anything to do.
    pub fn is_empty(&self) -> bool {
        self.ingress.is_empty() && self.egress.is_empty()
    }

    /// Rules to authorize, revoke and re-describe, both directions together.
    pub fn counts(&self) -> (usize, usize, usize) {
        let (a, b) = (self.ingress.counts(), self.egress.counts());
        (a.0 + b.0, a.1 + b.1, a.2 + b.2)
    }
}

impl fmt::Display for GroupPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.ingress.is_empty(), self.egress.is_empty()) {
            (true, true) => f.write_str("no change"),
            (false, true) => write!(f, "ingress:\n{}", self.ingress),
            (true, false) => write!(f, "egress:\n{}", self.egress),
            (false, false) => write!(f, "ingress:\n{}\negress:\n{}", self.ingress, self.egress),
        }
    }
}

/// What a sync did: an audit record of every change made across every plan.
///
/// When a lost response or someone else's change makes the sync describe the group and plan
/// again, the changes of the first plan that the group shows as made are kept, with those of
/// the second: the lists hold everything this sync changed, and match the difference between
/// the group before the sync and after it (unless someone else changed the same rules meanwhile).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SyncOutcome {
    /// Rules authorized, with their descriptions.
    pub authorized: Vec<RuleChange>,
    /// Rules revoked, with the descriptions they had.
    pub revoked: Vec<RuleChange>,
    /// Rules kept whose description was changed, with the new description.
    pub redescribed: Vec<RuleChange>,
    /// Every plan made, in order: one, or two after a replan. For a dry run, the plan is what
    /// would be sent and the lists above are empty.
    pub plans: Vec<GroupPlan>,
    /// Whether this was a dry run (nothing was sent but describes).
    pub dry_run: bool,
    /// API operations called (DescribeSecurityGroups included), each counted once however many
    /// HTTP attempts its retries took.
    pub operations: usize,
    /// HTTP requests sent, retries included: at least `operations`.
    pub http_attempts: usize,
}

impl SyncOutcome {
    /// The numbers of rules authorized, revoked and re-described.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.authorized.len(), self.revoked.len(), self.redescribed.len())
    }

    /// Whether any rule was changed.
    pub fn changed(&self) -> bool {
        self.counts() != (0, 0, 0)
    }

    /// Whether the sync described and planned a second time (after a lost response or a
    /// concurrent change).
    pub fn replanned(&self) -> bool {
        self.plans.len() > 1
    }

    /// The last plan made (the one a dry run would send).
    pub fn last_plan(&self) -> Option<&GroupPlan> {
        self.plans.last()
    }

    pub(super) fn record(&mut self, change: Change, direction: Direction, rule: &Rule, description: Option<&str>) {
        let entry = RuleChange { direction, rule: rule.clone(), description: description.map(str::to_string) };
        match change {
            Change::Authorize => self.authorized.push(entry),
            Change::Revoke => self.revoked.push(entry),
            Change::UpdateDescription => self.redescribed.push(entry),
        }
    }
}

impl fmt::Display for SyncOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        if self.dry_run {
            let (authorize, revoke, describe) = self.last_plan().map(GroupPlan::counts).unwrap_or_default();
            write!(f, "dry run: {authorize} rule(s) to authorize, {revoke} to revoke, {describe} to re-describe")?;
        } else {
            let (authorized, revoked, described) = self.counts();
            write!(f, "{authorized} rule(s) authorized, {revoked} revoked, {described} re-described")?;
        }
        write!(
            f,
            "; {} plan{}, {} operation{}, {} HTTP attempt{}",
            self.plans.len(),
            s(self.plans.len()),
            self.operations,
            s(self.operations),
            self.http_attempts,
            s(self.http_attempts)
        )
    }
}

/// The desired rules with group names replaced by ids, and the owner's account id dropped.
pub(super) fn resolve(
    desired: &RuleSet,
    names: &BTreeMap<String, String>,
    owner: Option<&str>,
) -> Result<RuleSet, SyncError> {
    let mut resolved = RuleSet::new();
    for (rule, description) in desired {
        let mut rule = rule.clone();
        if let Peer::Group { group_id, group_name, user_id, .. } = &mut rule.peer {
            if group_id.is_none() {
                if let Some(id) = group_name.as_ref().and_then(|name| names.get(name)) {
                    *group_id = Some(id.clone());
                    *group_name = None;
                }
            }
            if user_id.is_some() && user_id.as_deref() == owner {
                *user_id = None;
            }
        }
        match resolved.get(&rule) {
            Some(existing) if existing != description => {
                return Err(SyncError::new(format!(
                    "the rule `{rule}` is given twice (by the group's name and by its id), with descriptions \
                     {existing:?} and {description:?}"
                )))
            }
            _ => {
                resolved.insert(rule, description.clone());
            }
        }
    }
    Ok(resolved)
}
