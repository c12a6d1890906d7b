//! The compatibility corpus (`programs/`, aws-sdk-ec2-style code) run against moto. Only the
//! client construction here is ec2-sg's own; `cargo xtask compat-check` compiles the same
//! programs against aws-sdk-ec2.

mod programs;

use ec2_sg_tests::moto::{moto, unique};
use ec2_sg_tests::stub::refused_endpoint_config;
use programs::errors::{self, Lookup};
use programs::{flows, paginators};
use std::path::PathBuf;

fn client() -> ec2_sg::Client {
    moto().client()
}

#[tokio::test]
async fn a_group_from_creation_to_deletion() {
    let client = client();
    let name = unique("compat-web");
    let id = flows::provision(&client, &name, None).await.unwrap();

    let web = flows::web_groups(&client).await.unwrap();
    let (_, permissions) = web.iter().find(|(group, _)| group == &id).expect("the tagged group is listed");
    assert_eq!(*permissions, 2, "443 from anywhere, 22 from two ranges");
    assert_eq!(errors::find_group(&client, &id).await.unwrap(), Lookup::Found(name.clone()));
    assert!(paginators::all_group_ids(&client).await.unwrap().contains(&id));
    assert!(paginators::count_rules(&client, &id).await.unwrap() >= 3, "three ingress rules at least");
    assert_eq!(paginators::first_group_named(&client, &name).await.unwrap(), Some(id.clone()));
    assert!(errors::may_delete(&client, &id).await.unwrap(), "moto answers DryRunOperation");

    assert!(flows::decommission(&client, &id).await.unwrap());
    assert_eq!(errors::find_group(&client, &id).await.unwrap(), Lookup::Missing);
    assert!(!errors::delete_if_exists(&client, &id).await.unwrap());
    let (code, message, request_id) = errors::describe_failure(&client, &id).await.expect("a failure");
    assert_eq!(code, "InvalidGroup.NotFound");
    assert!(message.contains(&id), "{message}");
    assert!(request_id.is_some(), "RequestId reads the answer's request id");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_told_apart_and_printed_once() {
    let config = refused_endpoint_config().max_attempts(1).build().unwrap();
    let client = ec2_sg::Client::from_conf(config);
    match errors::find_group(&client, "sg-12345678").await.unwrap() {
        Lookup::Unreachable(text) => assert!(text.to_lowercase().contains("refused"), "{text}"),
        other => panic!("expected an unreachable endpoint, got {other:?}"),
    }
    let error = client.describe_security_groups().send().await.unwrap_err();
    let chain = errors::error_chain(&error);
    for (i, cause) in chain.iter().enumerate() {
        assert!(!chain[..i].iter().any(|earlier| earlier.contains(cause.as_str())), "{cause:?} twice in {chain:#?}");
    }
}

/// The porting promise, checked on the files themselves: the SDK is named on `use` lines only.
#[test]
fn only_use_lines_name_the_sdk() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat/programs");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("ec2_sg") {
                assert!(code.trim_start().starts_with("use ec2_sg::"), "{}:{}: {line}", path.display(), number + 1);
            }
        }
        files += 1;
    }
    assert!(files >= 5, "the corpus is in {}", dir.display());
}
