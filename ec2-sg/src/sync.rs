//! Desired-state security group rules: compare the rules a group has with the rules it should
//! have, compute the smallest change as EC2 itself sees rules, and apply it.
//!
//! EC2 stores a group's rules one per (protocol, port range, peer) and merges or splits the
//! `IpPermission`s it is given accordingly: authorizing `tcp 22 from [A, B]` creates two rules,
//! and describing the group may return them in one permission or in two. Comparing whole
//! `IpPermission`s therefore fails (a second "ensure" gets `InvalidPermission.Duplicate`). This
//! module first [`validate`]s the desired permissions (everything EC2 would refuse is refused
//! here, before any call, naming the rule) and [`normalize`]s them into atomic [`Rule`]s, as EC2
//! would store them, then [`plan`]s:
//!
//! - rules wanted but missing are authorized;
//! - rules present but not wanted are revoked (unless `purge(false)`);
//! - rules present and wanted whose description differs get a description update (never a
//!   revoke and an authorize, which would refuse the traffic in between).
//!
//! Validation and planning ([`validate`], [`normalize`], [`plan`], [`Plan`], [`SyncOutcome`]'s
//! bookkeeping) are pure: no I/O, no client. [`SyncRules`] and [`SyncGroup`] make the calls:
//! they describe the group, plan, send the plan, and describe and plan once more after a lost
//! answer. A [`Plan`] prints as a readable dry run, one rule per line in the one-line form
//! [`IpPermission`] parses (`+ tcp 443 10.0.0.0/8 "office"`).
//!
//! [`IpPermission`]: crate::types::IpPermission

mod apply;
mod check;
mod plan;
mod text;

pub use apply::{SyncGroup, SyncRules};
pub use check::MAX_DESCRIPTION_LEN;
pub use plan::{
    normalize, normalize_in, plan, plan_for_group, plan_rules, plan_rules_with, validate, Change, Direction, GroupPlan,
    Peer, Plan, Protocol, Rule, RuleChange, RuleSet, SyncError, SyncOutcome, DEFAULT_RULE_QUOTA,
};
pub use text::ParsePermissionError;
