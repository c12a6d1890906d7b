//! End to end against moto with SigV4 signature checks on (tests/moto/serve.py): every
//! operation of the model, DryRun, the common errors, a wrong secret, session credentials,
//! and the blocking client.

use ec2_sg::types::{
    Filter, IpPermission, IpRange, SecurityGroupRuleRequest, SecurityGroupRuleUpdate, Tag, UserIdGroupPair,
};
use ec2_sg::{Client, Credentials, ErrorKind};
use ec2_sg_tests::moto::{moto, unique};
use ec2_sg_tests::ssh_from;

fn client() -> Client {
    moto().client()
}

#[tokio::test]
async fn every_operation_of_the_model() {
    let client = client();
    let name = unique("every-op");

    // CreateSecurityGroup
    let created = client.create_security_group().group_name(&name).description("ec2-sg e2e").send().await.unwrap();
    let group_id = created.group_id().expect("a group id").to_string();
    assert!(group_id.starts_with("sg-"), "{group_id}");
    assert!(created.security_group_arn().is_some_and(|arn| arn.ends_with(&group_id)));
    assert_eq!(created.request_id(), Some("request-id"), "moto's fixed request id");

    // AuthorizeSecurityGroupIngress / Egress
    let ingress = client
        .authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(ssh_from("10.0.0.0/8"))
        .send()
        .await
        .unwrap();
    assert_eq!(ingress.r#return(), Some(true));
    let ingress_rule = &ingress.security_group_rules()[0];
    assert_eq!(
        (ingress_rule.is_egress(), ingress_rule.from_port(), ingress_rule.cidr_ipv4()),
        (Some(false), Some(22), Some("10.0.0.0/8"))
    );
    let https = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    let egress = client
        .authorize_security_group_egress()
        .group_id(&group_id)
        .ip_permissions(https.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(egress.r#return(), Some(true));

    // DescribeSecurityGroups: by id, and by filter
    let described = client.describe_security_groups().group_ids(&group_id).send().await.unwrap();
    let group = &described.security_groups()[0];
    assert_eq!(
        (group.group_id(), group.group_name(), group.description()),
        (Some(group_id.as_str()), Some(name.as_str()), Some("ec2-sg e2e"))
    );
    assert_eq!(group.ip_permissions().len(), 1);
    assert_eq!(group.ip_permissions()[0].ip_ranges()[0].cidr_ip(), Some("10.0.0.0/8"));
    assert!(group.ip_permissions_egress().iter().any(|p| p.from_port() == Some(443)));
    let by_name = client
        .describe_security_groups()
        .filters(Filter::builder().name("group-name").values(&name).build())
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.security_groups().len(), 1);

    // DescribeSecurityGroupRules
    let rules = client
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(&group_id).build())
        .send()
        .await
        .unwrap();
    let ingress_rule_id = rules
        .security_group_rules()
        .iter()
        .find(|r| r.is_egress() == Some(false))
        .and_then(|r| r.security_group_rule_id())
        .expect("an ingress rule")
        .to_string();

    // UpdateSecurityGroupRuleDescriptionsIngress / Egress
    let described_ssh = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").description("ssh from the office").build())
        .build();
    client
        .update_security_group_rule_descriptions_ingress()
        .group_id(&group_id)
        .ip_permissions(described_ssh)
        .send()
        .await
        .unwrap();
    let described_https = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").description("https out").build())
        .build();
    client
        .update_security_group_rule_descriptions_egress()
        .group_id(&group_id)
        .ip_permissions(described_https)
        .send()
        .await
        .unwrap();
    let after = client.describe_security_groups().group_ids(&group_id).send().await.unwrap();
    assert_eq!(
        after.security_groups()[0].ip_permissions()[0].ip_ranges()[0].description(),
        Some("ssh from the office")
    );

    // ModifySecurityGroupRules: widen ssh to 22-23
    let modified = client
        .modify_security_group_rules()
        .group_id(&group_id)
        .security_group_rules(
            SecurityGroupRuleUpdate::builder()
                .security_group_rule_id(&ingress_rule_id)
                .security_group_rule(
                    SecurityGroupRuleRequest::builder()
                        .ip_protocol("tcp")
                        .from_port(22)
                        .to_port(23)
                        .cidr_ipv4("10.0.0.0/8")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(modified.r#return(), Some(true));
    let after = client.describe_security_groups().group_ids(&group_id).send().await.unwrap();
    assert_eq!(after.security_groups()[0].ip_permissions()[0].to_port(), Some(23));

    // CreateTags / DescribeTags / DeleteTags
    client
        .create_tags()
        .resources(&group_id)
        .tags(Tag::builder().key("team").value("networking").build())
        .tags(Tag::builder().key("env").value("test & more").build())
        .send()
        .await
        .unwrap();
    let tags = client
        .describe_tags()
        .filters(Filter::builder().name("resource-id").values(&group_id).build())
        .send()
        .await
        .unwrap();
    let mut pairs: Vec<(Option<&str>, Option<&str>)> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    pairs.sort();
    assert_eq!(pairs, [(Some("env"), Some("test & more")), (Some("team"), Some("networking"))]);
    assert!(tags.tags().iter().all(|t| t.resource_id() == Some(group_id.as_str())));
    assert_eq!(tags.tags()[0].resource_type(), Some(&ec2_sg::types::ResourceType::SecurityGroup));
    client.delete_tags().resources(&group_id).tags(Tag::builder().key("env").build()).send().await.unwrap();
    let group = client.describe_security_groups().group_ids(&group_id).send().await.unwrap();
    let keys: Vec<_> = group.security_groups()[0].tags().iter().filter_map(|t| t.key()).collect();
    assert_eq!(keys, ["team"]);

    // RevokeSecurityGroupIngress / Egress
    let widened = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(23)
        .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
        .build();
    let revoked =
        client.revoke_security_group_ingress().group_id(&group_id).ip_permissions(widened).send().await.unwrap();
    assert_eq!(revoked.r#return(), Some(true));
    client.revoke_security_group_egress().group_id(&group_id).ip_permissions(https).send().await.unwrap();
    let after = client.describe_security_groups().group_ids(&group_id).send().await.unwrap();
    assert!(after.security_groups()[0].ip_permissions().is_empty());

    // DeleteSecurityGroup, then it is gone
    client.delete_security_group().group_id(&group_id).send().await.unwrap();
    let gone =
        client.describe_security_groups().group_ids(&group_id).send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(gone.code(), Some("InvalidGroup.NotFound"));
}

#[tokio::test]
async fn dry_run_says_the_call_would_succeed() {
    let client = client();
    let error = client
        .create_security_group()
        .group_name(unique("dry"))
        .description("dry run")
        .dry_run(true)
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert!(error.is_dry_run_success(), "{error:?}");
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Service, Some(412)));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn service_errors_carry_code_message_and_request_id() {
    let client = client();
    let missing = client
        .describe_security_groups()
        .group_ids("sg-0000000000000000f")
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Service);
    assert_eq!(missing.code(), Some("InvalidGroup.NotFound"));
    assert_eq!(missing.http_status(), Some(400));
    assert!(missing.message().is_some_and(|m| m.contains("sg-0000000000000000f")), "{missing:?}");
    assert_eq!(missing.operation(), Some("DescribeSecurityGroups"));
    assert_eq!(missing.attempts(), 1, "client errors are not retried");

    let group_id = client
        .create_security_group()
        .group_name(unique("dup"))
        .description("duplicate rule")
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    client
        .authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(ssh_from("192.168.0.0/16"))
        .send()
        .await
        .unwrap();
    let duplicate = client
        .authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(ssh_from("192.168.0.0/16"))
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!(duplicate.code(), Some("InvalidPermission.Duplicate"));
    let not_there = client
        .revoke_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(ssh_from("172.16.0.0/12"))
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!(not_there.code(), Some("InvalidPermission.NotFound"));
    client.delete_security_group().group_id(&group_id).send().await.unwrap();
}

#[tokio::test]
async fn a_wrong_secret_is_an_auth_failure() {
    let moto = moto();
    let config =
        moto.config().credentials(Credentials::from_keys(&moto.access_key_id, "not-the-secret", None)).build().unwrap();
    let error =
        Client::from_conf(config).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.code(), error.http_status()), (Some("AuthFailure"), Some(401)), "{error:?}");
    assert!(!format!("{error:?} {error}").contains("not-the-secret"), "secrets never appear in errors");
}

#[tokio::test]
async fn session_credentials_send_their_token() {
    let moto = moto();
    let with_token = moto
        .config()
        .credentials(Credentials::from_keys(
            &moto.session_access_key_id,
            &moto.session_secret_access_key,
            Some(moto.session_token.clone()),
        ))
        .build()
        .unwrap();
    Client::from_conf(with_token).describe_security_groups().send().await.expect("signed with the session token");
    // The same keys without their token are refused: the token really was checked.
    let without = moto
        .config()
        .credentials(Credentials::from_keys(&moto.session_access_key_id, &moto.session_secret_access_key, None))
        .build()
        .unwrap();
    let error =
        Client::from_conf(without).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.code(), Some("AuthFailure"));
}

#[tokio::test]
async fn a_missing_required_member_sends_nothing() {
    let error = client().create_tags().resources("sg-1").send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.kind(), error.attempts()), (ErrorKind::Validation, 0));
    assert!(error.to_string().contains("`Tags` is required"), "{error}");
}

#[tokio::test]
async fn credentials_from_the_environment_reach_moto() {
    let moto = moto();
    let env = ec2_sg::runtime::env::Env::from_vars([
        ("HOME", "/nonexistent-ec2-sg-test-home"),
        ("AWS_ACCESS_KEY_ID", moto.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", moto.secret_access_key.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL_EC2", moto.endpoint.as_str()),
    ]);
    let config = ec2_sg::Config::builder().env(env).build().unwrap();
    assert_eq!(config.region(), "us-east-1");
    Client::from_conf(config).describe_security_groups().send().await.expect("env credentials are used");
}

#[test]
fn the_blocking_client_does_the_same() {
    let config = moto().config().build().unwrap();
    let client = ec2_sg::blocking::Client::from_conf(config).unwrap();
    let name = unique("blocking");
    let group_id = client
        .create_security_group()
        .group_name(&name)
        .description("blocking")
        .send()
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    client
        .authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(ssh_from("10.1.0.0/16"))
        .send()
        .unwrap();
    let group = client.describe_security_groups().group_ids(&group_id).send().unwrap();
    assert_eq!(group.security_groups()[0].group_name(), Some(name.as_str()));
    assert_eq!(group.security_groups()[0].ip_permissions()[0].ip_ranges()[0].cidr_ip(), Some("10.1.0.0/16"));
    let pair = UserIdGroupPair::builder().group_id(&group_id).build();
    let self_reference = IpPermission::builder().ip_protocol("-1").user_id_group_pairs(pair).build();
    client.authorize_security_group_ingress().group_id(&group_id).ip_permissions(self_reference).send().unwrap();
    client.delete_security_group().group_id(&group_id).send().unwrap();
    let error = client.delete_security_group().group_id(&group_id).send().map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.code(), Some("InvalidGroup.NotFound"));
}
