//! A security group's life as aws-sdk-ec2 programs drive it: create, tag, authorize, describe
//! with filters, revoke, delete.

use crate::programs::builders::{allow_tcp, GroupFilters};
use ec2_sg::types::{IpPermission, IpRange, Tag};
use ec2_sg::{Client, Error};

/// Creates a tagged web group open on 443, and returns its id.
pub async fn provision(client: &Client, name: &str, vpc_id: Option<&str>) -> Result<String, Error> {
    let created = client
        .create_security_group()
        .group_name(name)
        .description("web servers")
        .set_vpc_id(vpc_id.map(str::to_string))
        .send()
        .await?;
    let group_id = created.group_id().unwrap_or_default().to_string();
    client.create_tags().resources(&group_id).tags(Tag::builder().key("team").value("web").build()).send().await?;
    let https = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").description("https").build())
        .build();
    client.authorize_security_group_ingress().group_id(&group_id).ip_permissions(https).send().await?;
    allow_tcp(client.authorize_security_group_ingress().group_id(&group_id), 22, &["10.0.0.0/8", "192.168.0.0/16"])
        .send()
        .await?;
    Ok(group_id)
}

/// The ids and ingress rule counts of the groups tagged `team=web`.
pub async fn web_groups(client: &Client) -> Result<Vec<(String, usize)>, Error> {
    let output = client.describe_security_groups().with_tag("team", "web").send().await?;
    Ok(output
        .security_groups()
        .iter()
        .map(|g| (g.group_id().unwrap_or_default().to_string(), g.ip_permissions().len()))
        .collect())
}

/// Revokes what `provision` opened on 443, then deletes the group.
pub async fn decommission(client: &Client, group_id: &str) -> Result<bool, Error> {
    let https = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    let revoked = client.revoke_security_group_ingress().group_id(group_id).ip_permissions(https).send().await?;
    client.delete_security_group().group_id(group_id).send().await?;
    Ok(revoked.r#return().unwrap_or(false))
}
