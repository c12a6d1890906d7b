//! The model-update check: every fixture of `tests/fixtures/recorded/` goes through the current
//! generated decoders (`ec2_sg::runtime::parse_response`) and the decoded values are compared with
//! the committed snapshot `tests/fixtures/recorded/decoded.snap`. After
//! `cargo xtask sync-model && cargo xtask codegen`, this test says at once whether the model update
//! changed how recorded answers decode, fixture by fixture, with a diff.
//!
//! Refresh (after reviewing the diff): `UPDATE_SNAPSHOTS=1 cargo test -p ec2-sg-tests --test contract_snapshots`.
//!
//! Also here: every fixture is used by a contract test that asserts its whole decoded value.

use ec2_sg::runtime::parse_response;
use ec2_sg_tests::fixtures::{all, root};
use std::collections::BTreeMap;

const REFRESH: &str = "UPDATE_SNAPSHOTS=1 cargo test -p ec2-sg-tests --test contract_snapshots";

/// The decoded value of a fixture's answer, as its operation reads it: `Debug` text with the
/// members that are `None` left out, so that a model update adding a member changes the snapshot
/// only where a fixture holds a value for it.
fn decoded(action: &str, status: u16, body: &[u8]) -> String {
    macro_rules! operations {
        ($($op:ident),* $(,)?) => {
            match action {
                $(stringify!($op) => format!("{:#?}", parse_response::<ec2_sg::operation::$op>(status, body)),)*
                other => format!("no operation {other:?} in the model"),
            }
        };
    }
    let text = operations!(
        AssociateSecurityGroupVpc,
        AuthorizeSecurityGroupEgress,
        AuthorizeSecurityGroupIngress,
        CreateSecurityGroup,
        CreateTags,
        DeleteSecurityGroup,
        DeleteTags,
        DescribeSecurityGroupReferences,
        DescribeSecurityGroupRules,
        DescribeSecurityGroupVpcAssociations,
        DescribeSecurityGroups,
        DescribeStaleSecurityGroups,
        DescribeTags,
        DisassociateSecurityGroupVpc,
        GetSecurityGroupsForVpc,
        ModifySecurityGroupRules,
        RevokeSecurityGroupEgress,
        RevokeSecurityGroupIngress,
        UpdateSecurityGroupRuleDescriptionsEgress,
        UpdateSecurityGroupRuleDescriptionsIngress,
    );
    let lines: Vec<&str> = text.lines().filter(|line| !line.trim_end().ends_with(": None,")).collect();
    compact(&lines).join("\n")
}

/// Puts `Some(\n  "x",\n)` on one line: `Some("x")`.
fn compact(lines: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let (Some(value), Some(close)) = (lines.get(i + 1), lines.get(i + 2)) {
            let value = value.trim();
            let scalar = !value.ends_with(['{', '[', '(']) && value.ends_with(',');
            if lines[i].ends_with("Some(") && scalar && close.trim().starts_with(')') {
                out.push(format!("{}{}{}", lines[i], value.trim_end_matches(','), close.trim()));
                i += 3;
                continue;
            }
        }
        out.push(lines[i].to_string());
        i += 1;
    }
    out
}

/// The snapshot text of the whole corpus, one section per fixture.
fn current() -> BTreeMap<String, String> {
    all()
        .into_iter()
        .map(|(name, event)| {
            let action = event.request.action().unwrap_or("?").to_string();
            let status = event.response.status;
            let header = format!("{name} ({action}, HTTP {status})");
            (header, decoded(&action, status, &event.response.body.contiguous()))
        })
        .collect()
}

fn render(sections: &BTreeMap<String, String>) -> String {
    let mut out = String::from(
        "# The decoded value of every fixture in this directory, as the generated decoders read it\n\
         # (members that are None left out). Checked by tests/tests/contract_snapshots.rs; refresh with\n",
    );
    out.push_str(&format!("# {REFRESH}\n"));
    for (header, text) in sections {
        out.push_str(&format!("\n=== {header}\n{text}\n"));
    }
    out
}

fn parse(snapshot: &str) -> BTreeMap<String, String> {
    let mut sections = BTreeMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in snapshot.lines() {
        if let Some(header) = line.strip_prefix("=== ") {
            if let Some((h, body)) = current.take() {
                sections.insert(h, body.join("\n").trim_end().to_string());
            }
            current = Some((header.to_string(), Vec::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push(line);
        }
    }
    if let Some((h, body)) = current {
        sections.insert(h, body.join("\n").trim_end().to_string());
    }
    sections
}

/// A line diff (longest common subsequence), `-` for the snapshot's lines, `+` for today's.
fn diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {}", a[i]));
            i += 1;
        } else {
            out.push(format!("+ {}", b[j]));
            j += 1;
        }
    }
    out.join("\n")
}

#[test]
fn decoding_of_every_fixture_matches_the_snapshot() {
    let path = root().join("decoded.snap");
    let now = current();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, render(&now)).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let before = parse(&committed);
    let mut report = Vec::new();
    for (header, text) in &now {
        match before.get(header) {
            None => report.push(format!("{header}: not in the snapshot (a new fixture?)")),
            Some(old) if old != text => report.push(format!("{header}: decodes differently:\n{}", diff(old, text))),
            Some(_) => {}
        }
    }
    for header in before.keys().filter(|h| !now.contains_key(*h)) {
        report.push(format!("{header}: in the snapshot but no such fixture any more"));
    }
    assert!(
        report.is_empty(),
        "{} of {} fixtures do not decode as the snapshot {} says:\n\n{}\n\n\
         If this is intended (a model update, a generator change, a new fixture), review the above and refresh with\n  {REFRESH}",
        report.len(),
        now.len(),
        path.display(),
        report.join("\n\n")
    );
}

#[test]
fn every_fixture_is_asserted_by_a_contract_test() {
    let tests_dir = root().join("../../tests");
    let sources: String =
        ["contract_operations.rs", "contract_errors.rs", "contract_responses.rs", "contract_security_group_api.rs"]
            .iter()
            .map(|file| std::fs::read_to_string(tests_dir.join(file)).unwrap())
            .collect();
    let unused: Vec<String> =
        all().into_iter().map(|(name, _)| name).filter(|name| !sources.contains(&format!("\"{name}\""))).collect();
    assert!(unused.is_empty(), "fixtures no contract test asserts: {unused:?}");
}

#[test]
fn the_diff_shows_changed_lines() {
    assert_eq!(diff("a\nb\nc", "a\nB\nc\nd"), "- b\n+ B\n+ d");
}
