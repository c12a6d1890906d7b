//! What a model update does to the generated Rust API, for `cargo xtask sync-model`'s changelog
//! entry: each change classified as breaking (code that compiled may not), additive (new API,
//! old code still compiles), none (wire details, ordering) or docs (AWS's documentation, which
//! becomes the generated rustdoc, and nothing else), and the semver bump the worst of them implies.
//!
//! The rules follow what the generator emits: structures are `#[non_exhaustive]` with builders,
//! so a new member is additive; enums have an `Unknown` variant, so a new value is additive; a
//! removed member, operation, type or value, a changed member type, or a member newly required in
//! an input (its callers must now set it) is breaking.

use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// How a change affects code written against the generated API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// AWS's documentation text only: the rustdoc changes, the API does not.
    Docs,
    /// Ordering, wire details: nothing users see in Rust.
    None,
    /// New API; code that compiled still compiles.
    Additive,
    /// Code that compiled may no longer compile or mean the same.
    Breaking,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiChange {
    pub impact: Impact,
    pub what: String,
}

fn change(impact: Impact, what: String) -> ApiChange {
    ApiChange { impact, what }
}

fn object<'a>(value: &'a Value, key: &str) -> &'a Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    value.get(key).and_then(Value::as_object).unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn strings(value: &Value, key: &str) -> BTreeSet<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn target(member: &Value) -> Option<&str> {
    member.get("shape").and_then(Value::as_str)
}

/// The changes between two versions of a botocore service model (`service-2.json`).
pub fn service_changes(old: &Value, new: &Value) -> Vec<ApiChange> {
    let mut out = Vec::new();
    // Documentation is compared on its own; everything else without it.
    let docs = doc_changes(old, new);
    let (old, new) = (&without_docs(old), &without_docs(new));
    let (old_ops, new_ops) = (object(old, "operations"), object(new, "operations"));
    for name in new_ops.keys().filter(|name| !old_ops.contains_key(*name)) {
        out.push(change(Impact::Additive, format!("operation `{name}` added")));
    }
    for name in old_ops.keys().filter(|name| !new_ops.contains_key(*name)) {
        out.push(change(Impact::Breaking, format!("operation `{name}` removed")));
    }
    // Inputs: a member required there must now be set by every caller.
    let inputs: BTreeSet<&str> = new_ops.values().filter_map(|op| op.get("input").and_then(target)).collect();

    let (old_shapes, new_shapes) = (object(old, "shapes"), object(new, "shapes"));
    for name in new_shapes.keys().filter(|name| !old_shapes.contains_key(*name)) {
        out.push(change(Impact::Additive, format!("type `{name}` added")));
    }
    for name in old_shapes.keys().filter(|name| !new_shapes.contains_key(*name)) {
        out.push(change(Impact::Breaking, format!("type `{name}` removed")));
    }
    for (name, old_shape) in old_shapes {
        let Some(new_shape) = new_shapes.get(name) else { continue };
        let kind = |shape: &Value| shape.get("type").and_then(Value::as_str).unwrap_or("?").to_string();
        if kind(old_shape) != kind(new_shape) {
            let (from, to) = (kind(old_shape), kind(new_shape));
            out.push(change(Impact::Breaking, format!("type `{name}` changed from {from} to {to}")));
            continue;
        }
        shape_changes(name, old_shape, new_shape, inputs.contains(name.as_str()), &mut out);
    }
    let (old_metadata, new_metadata) = (object(old, "metadata"), object(new, "metadata"));
    let keys: BTreeSet<&String> = old_metadata.keys().chain(new_metadata.keys()).collect();
    for key in keys.into_iter().filter(|key| old_metadata.get(*key) != new_metadata.get(*key)) {
        out.push(change(Impact::None, format!("metadata `{key}` changed")));
    }
    if out.is_empty() && old != new {
        out.push(change(Impact::None, "wire details or ordering only".to_string()));
    }
    out.extend(docs);
    out
}

/// The model without its documentation strings.
fn without_docs(model: &Value) -> Value {
    let mut model = model.clone();
    crate::sync_model::strip_docs(&mut model);
    model
}

/// One change summing up whose documentation changed (the service's, operations', shapes',
/// members'), or none.
fn doc_changes(old: &Value, new: &Value) -> Vec<ApiChange> {
    let doc =
        |value: Option<&Value>| value.and_then(|v| v.get("documentation")).and_then(Value::as_str).map(str::to_string);
    let mut parts = Vec::new();
    if doc(Some(old)) != doc(Some(new)) {
        parts.push("the service's".to_string());
    }
    let mut named = |key: &str, what: &str| {
        let (old_map, new_map) = (object(old, key), object(new, key));
        let changed: Vec<&String> =
            new_map.keys().filter(|name| doc(old_map.get(*name)) != doc(new_map.get(*name))).collect();
        if !changed.is_empty() {
            let mut names: Vec<String> = changed.iter().take(8).map(|name| format!("`{name}`")).collect();
            if changed.len() > names.len() {
                names.push(format!("and {} more", changed.len() - names.len()));
            }
            parts.push(format!("{} {what} ({})", changed.len(), names.join(", ")));
        }
    };
    named("operations", "operations'");
    named("shapes", "types'");
    let (old_shapes, new_shapes) = (object(old, "shapes"), object(new, "shapes"));
    let members = new_shapes
        .iter()
        .flat_map(|(shape, new_shape)| {
            let old_members = old_shapes.get(shape).map(|s| object(s, "members"));
            object(new_shape, "members").iter().filter(move |(member, new_member)| {
                doc(old_members.and_then(|m| m.get(*member))) != doc(Some(*new_member))
            })
        })
        .count();
    if members > 0 {
        parts.push(format!("{members} members'"));
    }
    if parts.is_empty() {
        return Vec::new();
    }
    vec![change(Impact::Docs, format!("documentation updated: {}", parts.join(", ")))]
}

fn shape_changes(name: &str, old: &Value, new: &Value, is_input: bool, out: &mut Vec<ApiChange>) {
    let (old_members, new_members) = (object(old, "members"), object(new, "members"));
    for member in new_members.keys().filter(|m| !old_members.contains_key(*m)) {
        out.push(change(Impact::Additive, format!("member `{name}.{member}` added")));
    }
    for member in old_members.keys().filter(|m| !new_members.contains_key(*m)) {
        out.push(change(Impact::Breaking, format!("member `{name}.{member}` removed")));
    }
    for (member, old_member) in old_members {
        let Some(new_member) = new_members.get(member) else { continue };
        if target(old_member) != target(new_member) {
            let (from, to) = (target(old_member).unwrap_or("?"), target(new_member).unwrap_or("?"));
            out.push(change(Impact::Breaking, format!("member `{name}.{member}` changed type from {from} to {to}")));
        } else if old_member != new_member {
            out.push(change(Impact::None, format!("member `{name}.{member}`: wire details")));
        }
    }
    let (old_required, new_required) = (strings(old, "required"), strings(new, "required"));
    for member in new_required.difference(&old_required) {
        let impact = if is_input { Impact::Breaking } else { Impact::None };
        let whose = if is_input { "input" } else { "structure" };
        out.push(change(impact, format!("member `{name}.{member}` now required in this {whose}")));
    }
    for member in old_required.difference(&new_required) {
        out.push(change(Impact::Additive, format!("member `{name}.{member}` no longer required")));
    }
    let (old_enum, new_enum) = (strings(old, "enum"), strings(new, "enum"));
    for value in new_enum.difference(&old_enum) {
        out.push(change(Impact::Additive, format!("enum `{name}` value `{value}` added")));
    }
    for value in old_enum.difference(&new_enum) {
        out.push(change(Impact::Breaking, format!("enum `{name}` value `{value}` removed")));
    }
}

/// Added and removed entries of a named map (waiters, paginators): additive and breaking.
pub fn named_changes(what: &str, key: &str, old: &Value, new: &Value) -> Vec<ApiChange> {
    let (old_map, new_map) = (object(old, key), object(new, key));
    let mut out = Vec::new();
    for name in new_map.keys().filter(|name| !old_map.contains_key(*name)) {
        out.push(change(Impact::Additive, format!("{what} `{name}` added")));
    }
    for name in old_map.keys().filter(|name| !new_map.contains_key(*name)) {
        out.push(change(Impact::Breaking, format!("{what} `{name}` removed")));
    }
    if out.is_empty() && old_map != new_map {
        out.push(change(Impact::None, format!("{what}s: details only")));
    }
    out
}

/// The version after a release with changes of `impact`, from `version` (semver: below 1.0 a
/// breaking change bumps the minor number and anything else the patch number).
pub fn next_version(version: &str, impact: Impact) -> Result<String, String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(|part| part.parse().map_err(|_| format!("`{version}` is not a MAJOR.MINOR.PATCH version")))
        .collect::<Result<_, _>>()?;
    let [major, minor, patch] = parts[..] else {
        return Err(format!("`{version}` is not a MAJOR.MINOR.PATCH version"));
    };
    Ok(match (major, impact) {
        (0, Impact::Breaking) => format!("0.{}.0", minor + 1),
        (0, _) => format!("0.{minor}.{}", patch + 1),
        (_, Impact::Breaking) => format!("{}.0.0", major + 1),
        (_, Impact::Additive) => format!("{major}.{}.0", minor + 1),
        (_, Impact::None | Impact::Docs) => format!("{major}.{minor}.{}", patch + 1),
    })
}

/// The changelog entry of a model update: the bump, then the changes by impact.
pub fn changelog_entry(versions: &str, current: &str, changes: &[ApiChange]) -> Result<String, String> {
    let impact = changes.iter().map(|c| c.impact).max().unwrap_or(Impact::None);
    let label = match impact {
        Impact::Breaking => "breaking",
        Impact::Additive => "additive",
        Impact::None => "no API change",
        Impact::Docs => "docs, no API change",
    };
    let mut entry = format!(
        "## {} (from {current}): model update, {versions}\n\nSemver: {label}.\n",
        next_version(current, impact)?
    );
    for (heading, wanted) in [
        ("Breaking", Impact::Breaking),
        ("Additive", Impact::Additive),
        ("No API change", Impact::None),
        ("Documentation", Impact::Docs),
    ] {
        let lines: Vec<&ApiChange> = changes.iter().filter(|c| c.impact == wanted).collect();
        if !lines.is_empty() {
            write!(entry, "\n### {heading}\n\n").ok();
            for line in lines {
                writeln!(entry, "- {}", line.what).ok();
            }
        }
    }
    Ok(entry)
}

/// `changelog` with `entry` added as the newest entry, under the title.
pub fn add_entry(changelog: &str, entry: &str) -> String {
    const TITLE: &str = "# Changelog\n";
    let rest = changelog.strip_prefix(TITLE).unwrap_or(changelog).trim_start_matches('\n');
    if rest.is_empty() {
        format!("{TITLE}\n{entry}")
    } else {
        format!("{TITLE}\n{entry}\n{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(input_members: Value, required: Value, enum_values: Value) -> Value {
        json!({
            "operations": {"DescribeThings": {"input": {"shape": "DescribeThingsRequest"}, "output": {"shape": "Out"}}},
            "shapes": {
                "DescribeThingsRequest": {"type": "structure", "members": input_members, "required": required},
                "Out": {"type": "structure", "members": {"Thing": {"shape": "Thing"}}},
                "Thing": {"type": "structure", "members": {"Name": {"shape": "String"}, "State": {"shape": "State"}}},
                "State": {"type": "string", "enum": enum_values},
                "String": {"type": "string"}
            }
        })
    }

    fn impacts(changes: &[ApiChange]) -> Vec<(Impact, &str)> {
        changes.iter().map(|c| (c.impact, c.what.as_str())).collect()
    }

    #[test]
    fn a_member_added_to_a_built_structure_is_additive() {
        let old = model(json!({"Name": {"shape": "String"}}), json!([]), json!(["on"]));
        let new = model(json!({"Name": {"shape": "String"}, "DryRun": {"shape": "String"}}), json!([]), json!(["on"]));
        let changes = service_changes(&old, &new);
        assert_eq!(impacts(&changes), [(Impact::Additive, "member `DescribeThingsRequest.DryRun` added")]);
        let entry = changelog_entry("botocore 1.0.0 -> 1.0.1", "0.1.0", &changes).unwrap();
        assert!(entry.starts_with("## 0.1.1 (from 0.1.0): model update, botocore 1.0.0 -> 1.0.1"), "{entry}");
        assert!(entry.contains("Semver: additive.") && entry.contains("### Additive\n\n- member"), "{entry}");
    }

    #[test]
    fn a_required_member_added_to_an_input_is_breaking() {
        let old = model(json!({"Name": {"shape": "String"}}), json!([]), json!(["on"]));
        let new =
            model(json!({"Name": {"shape": "String"}, "Owner": {"shape": "String"}}), json!(["Owner"]), json!(["on"]));
        let changes = service_changes(&old, &new);
        assert!(changes.contains(&ApiChange {
            impact: Impact::Breaking,
            what: "member `DescribeThingsRequest.Owner` now required in this input".into()
        }));
        let entry = changelog_entry("botocore 1.0.0 -> 1.0.1", "0.1.3", &changes).unwrap();
        assert!(entry.starts_with("## 0.2.0 (from 0.1.3)") && entry.contains("Semver: breaking."), "{entry}");
        assert!(entry.find("### Breaking") < entry.find("### Additive"), "{entry}");
    }

    #[test]
    fn enum_values_removed_types_changed_and_operations() {
        let old = model(json!({"Name": {"shape": "String"}}), json!([]), json!(["on", "off"]));
        let mut new = model(json!({"Name": {"shape": "State"}}), json!([]), json!(["on", "pending"]));
        new["operations"]["CreateThing"] = json!({"input": {"shape": "DescribeThingsRequest"}});
        let changes = service_changes(&old, &new);
        let all = impacts(&changes);
        assert!(all.contains(&(Impact::Additive, "enum `State` value `pending` added")), "{all:?}");
        assert!(all.contains(&(Impact::Breaking, "enum `State` value `off` removed")), "{all:?}");
        assert!(
            all.contains(&(Impact::Breaking, "member `DescribeThingsRequest.Name` changed type from String to State"))
        );
        assert!(all.contains(&(Impact::Additive, "operation `CreateThing` added")), "{all:?}");
        assert_eq!(impacts(&service_changes(&new, &old)).iter().filter(|(i, _)| *i == Impact::Breaking).count(), 3);
    }

    #[test]
    fn wire_details_only_are_no_api_change() {
        let old = model(json!({"Name": {"shape": "String"}}), json!([]), json!(["on"]));
        let mut new = old.clone();
        new["shapes"]["Thing"]["members"]["Name"]["locationName"] = json!("name");
        let changes = service_changes(&old, &new);
        assert!(changes.iter().all(|c| c.impact == Impact::None), "{changes:?}");
        let entry = changelog_entry("botocore 1.0.0 -> 1.0.1", "1.4.2", &changes).unwrap();
        assert!(entry.starts_with("## 1.4.3 (from 1.4.2)") && entry.contains("Semver: no API change."), "{entry}");
    }

    #[test]
    fn a_documentation_only_update_is_docs_no_api_change() {
        let old = model(json!({"Name": {"shape": "String"}}), json!([]), json!(["on"]));
        let mut new = old.clone();
        new["operations"]["DescribeThings"]["documentation"] = json!("<p>Describes things.</p>");
        new["shapes"]["Thing"]["members"]["Name"]["documentation"] = json!("<p>The name.</p>");
        let changes = service_changes(&old, &new);
        assert_eq!(
            impacts(&changes),
            [(Impact::Docs, "documentation updated: 1 operations' (`DescribeThings`), 1 members'")]
        );
        let entry = changelog_entry("botocore 1.0.0 -> 1.0.1", "1.4.2", &changes).unwrap();
        assert!(entry.contains("Semver: docs, no API change.\n\n### Documentation\n"), "{entry}");
        // Documentation beside a real change: the change decides the bump, the docs are listed.
        new["shapes"]["Thing"]["members"]["Extra"] = json!({"shape": "String", "documentation": "<p>x</p>"});
        let changes = service_changes(&old, &new);
        assert_eq!(changes.iter().map(|c| c.impact).max(), Some(Impact::Additive));
        assert!(changes.iter().any(|c| c.impact == Impact::Docs), "{changes:?}");
    }

    #[test]
    fn versions_and_the_changelog_file() {
        assert_eq!(next_version("1.4.2", Impact::Breaking).unwrap(), "2.0.0");
        assert_eq!(next_version("1.4.2", Impact::Additive).unwrap(), "1.5.0");
        assert!(next_version("1.4", Impact::None).is_err());
        let first = add_entry("", "## 0.1.1 (from 0.1.0): a\n");
        assert_eq!(first, "# Changelog\n\n## 0.1.1 (from 0.1.0): a\n");
        let second = add_entry(&first, "## 0.2.0 (from 0.1.1): b\n");
        assert_eq!(second, "# Changelog\n\n## 0.2.0 (from 0.1.1): b\n\n## 0.1.1 (from 0.1.0): a\n");
        let waiters =
            named_changes("waiter", "waiters", &json!({"waiters": {"A": {}}}), &json!({"waiters": {"B": {}}}));
        assert_eq!(
            impacts(&waiters),
            [(Impact::Additive, "waiter `B` added"), (Impact::Breaking, "waiter `A` removed")]
        );
    }
}
