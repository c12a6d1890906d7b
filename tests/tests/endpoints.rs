//! The generated endpoint resolver answers what botocore answers.
//!
//! `tests/fixtures/endpoints/botocore-cases.json` is written by `make_cases.py` in the same
//! directory with botocore's own `EndpointProvider` (every region of model/partitions.json,
//! unknown regions, no region, custom endpoints, each with FIPS and dual-stack off/on); every
//! case must resolve to the same URL, or fail with the same message.

use std::fs;
use std::path::{Path, PathBuf};

use ec2_sg::endpoints::{resolve_endpoint, EndpointParams};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

fn read_json(relative: &str) -> Value {
    let path = root().join(relative);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture() -> Value {
    read_json("tests/fixtures/endpoints/botocore-cases.json")
}

fn params_of(case: &Value) -> EndpointParams {
    let given = &case["params"];
    let string = |key: &str| given.get(key).and_then(Value::as_str).map(str::to_string);
    let flag = |key: &str| given.get(key).and_then(Value::as_bool).unwrap_or(false);
    let mut params = EndpointParams::new(string("Region"));
    params.endpoint = string("Endpoint");
    params.use_fips = flag("UseFIPS");
    params.use_dual_stack = flag("UseDualStack");
    params
}

#[test]
fn every_botocore_case_resolves_the_same() {
    let fixture = fixture();
    let cases = fixture["cases"].as_array().expect("`cases` is a list");
    assert!(cases.len() > 200, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let params = params_of(case);
        let actual = resolve_endpoint(&params);
        let matches = match (case.get("url").and_then(Value::as_str), case.get("error").and_then(Value::as_str)) {
            (Some(url), None) => actual.as_deref() == Ok(url),
            (None, Some(message)) => actual.as_ref().err().map(|e| e.message()) == Some(message),
            _ => panic!("a case has exactly one of `url` and `error`: {case}"),
        };
        if !matches {
            let expected = case.get("url").or_else(|| case.get("error")).cloned().unwrap_or_default();
            failures.push(format!("{}: botocore says {expected}, we say {actual:?}", case["params"]));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// The fixture covers what it says it covers, from the botocore the model was synced from.
#[test]
fn fixture_covers_every_region_and_matches_the_model_version() {
    let fixture = fixture();
    let versions = read_json("model/versions.json");
    assert_eq!(
        fixture["botocore"], versions["botocore"],
        "botocore-cases.json was made with another botocore than model/: re-run make_cases.py"
    );
    let cases = fixture["cases"].as_array().expect("`cases` is a list");
    let partitions = read_json("model/partitions.json");
    let regions = partitions["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .flat_map(|p| p["regions"].as_object().expect("regions").keys().cloned())
        .chain(["us-west-9", "cn-foo-1", "us-gov-west-9", "mars-1"].map(String::from));
    for region in regions {
        for (fips, dual_stack) in [(false, false), (false, true), (true, false), (true, true)] {
            let found = cases.iter().any(|c| {
                let p = &c["params"];
                p["Region"] == region.as_str()
                    && p["UseFIPS"] == fips
                    && p["UseDualStack"] == dual_stack
                    && p.get("Endpoint").is_none()
            });
            assert!(found, "no case for {region} fips={fips} dual_stack={dual_stack}");
        }
    }
}

#[test]
fn known_answers() {
    let resolve = |region: &str, fips: bool, dual_stack: bool| {
        let mut params = EndpointParams::new(Some(region.to_string()));
        params.use_fips = fips;
        params.use_dual_stack = dual_stack;
        resolve_endpoint(&params).expect("resolves")
    };
    assert_eq!(resolve("us-east-1", false, false), "https://ec2.us-east-1.amazonaws.com");
    assert_eq!(resolve("us-east-1", false, true), "https://ec2.us-east-1.api.aws");
    assert_eq!(resolve("us-east-1", true, false), "https://ec2-fips.us-east-1.amazonaws.com");
    assert_eq!(resolve("us-east-1", true, true), "https://ec2-fips.us-east-1.api.aws");
    assert_eq!(resolve("cn-north-1", false, false), "https://ec2.cn-north-1.amazonaws.com.cn");
    // The rule set's special case: FIPS in aws-us-gov without dual-stack is the plain host.
    assert_eq!(resolve("us-gov-west-1", true, false), "https://ec2.us-gov-west-1.amazonaws.com");
    assert_eq!(resolve("us-gov-west-1", true, true), "https://ec2-fips.us-gov-west-1.api.aws");

    let error = resolve_endpoint(&EndpointParams::default()).expect_err("no region");
    assert_eq!(error.message(), "Invalid Configuration: Missing Region");
    let mut custom = EndpointParams::new(None);
    custom.endpoint = Some("http://127.0.0.1:5000".into());
    assert_eq!(resolve_endpoint(&custom).as_deref(), Ok("http://127.0.0.1:5000"));
    custom.use_fips = true;
    let error = resolve_endpoint(&custom).expect_err("FIPS with a custom endpoint");
    assert_eq!(error.message(), "Invalid Configuration: FIPS and custom endpoint are not supported");
}

/// Regions and endpoints are user input: odd ones resolve or fail, never panic.
#[test]
fn odd_input_does_not_panic() {
    for region in ["", "-", "us-east-1\n", "🦀-east-1", "us-east-١", &"a".repeat(100_000), "aws-global", "us--1"] {
        let mut params = EndpointParams::new(Some(region.to_string()));
        for (fips, dual_stack) in [(false, false), (true, true)] {
            params.use_fips = fips;
            params.use_dual_stack = dual_stack;
            let _ = resolve_endpoint(&params);
        }
        params.endpoint = Some(region.to_string());
        let _ = resolve_endpoint(&params);
    }
}
