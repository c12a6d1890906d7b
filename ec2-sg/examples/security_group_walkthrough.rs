//! The boto3 SecurityGroup calls, end to end: create a group, authorize ingress and egress,
//! describe it, tag it, revoke the rules and delete it.
//!
//! Runs against whatever the environment points at (region, credentials, and optionally
//! `AWS_ENDPOINT_URL_EC2`), e.g. a local moto server (`target/py-env/bin/moto_server -p 5000`
//! after `cargo xtask py-env`), which takes any keys:
//!
//! ```sh
//! AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
//!   AWS_ENDPOINT_URL_EC2=http://127.0.0.1:5000 cargo run -p ec2-sg --example security_group_walkthrough
//! ```

use ec2_sg::error::ProvideErrorMetadata;
use ec2_sg::types::{IpPermission, IpRange, Tag};
use ec2_sg::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), ec2_sg::Error> {
    let client = Client::from_env()?;
    println!("endpoint: {:?}, region {}", client.config().endpoint(), client.config().region());

    // DryRun answers DryRunOperation when the call would have succeeded.
    let dry_run = client
        .create_security_group()
        .group_name("walkthrough")
        .description("made by the ec2-sg example")
        .dry_run(true)
        .send()
        .await;
    match dry_run {
        Err(e) if e.as_service_error().is_some_and(|e| e.is_dry_run_success()) => {
            println!("dry run: the call would succeed")
        }
        other => println!("dry run answered {other:?}"),
    }

    let created = client
        .create_security_group()
        .group_name(format!("walkthrough-{}", std::process::id()))
        .description("made by the ec2-sg example")
        .send()
        .await?;
    let group_id = created.group_id().unwrap_or_default().to_string();
    println!("created {group_id}");

    let ssh = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").description("ssh from the office").build())
        .build();
    client.authorize_security_group_ingress().group_id(&group_id).ip_permissions(ssh.clone()).send().await?;
    let https_out = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    client.authorize_security_group_egress().group_id(&group_id).ip_permissions(https_out.clone()).send().await?;

    client
        .create_tags()
        .resources(&group_id)
        .tags(Tag::builder().key("team").value("networking").build())
        .send()
        .await?;

    let described = client.describe_security_groups().group_ids(&group_id).send().await?;
    for group in described.security_groups() {
        println!("{} {:?}", group.group_id().unwrap_or_default(), group.group_name());
        for permission in group.ip_permissions() {
            println!(
                "  in  {:?} {:?}-{:?} {:?}",
                permission.ip_protocol(),
                permission.from_port(),
                permission.to_port(),
                permission.ip_ranges()
            );
        }
        for permission in group.ip_permissions_egress() {
            println!("  out {:?} {:?}-{:?}", permission.ip_protocol(), permission.from_port(), permission.to_port());
        }
        println!("  tags {:?}", group.tags());
    }

    client.revoke_security_group_ingress().group_id(&group_id).ip_permissions(ssh).send().await?;
    client.revoke_security_group_egress().group_id(&group_id).ip_permissions(https_out).send().await?;
    client.delete_security_group().group_id(&group_id).send().await?;
    println!("deleted {group_id}");

    match client.describe_security_groups().group_ids(&group_id).send().await {
        Err(e) if e.code() == Some("InvalidGroup.NotFound") => println!("gone: {}", e.message().unwrap_or_default()),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
