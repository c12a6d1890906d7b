//! STS end to end against moto (tests/moto/serve.py, signatures checked): who am I, assume a
//! role, then call EC2 signed with the role's temporary credentials; the blocking STS client;
//! AssumeRoleWithWebIdentity, which is sent unsigned, against a moto without signature checks.

use ec2_sg::sts::operation::assume_role::{AssumeRoleError, AssumeRoleInput, AssumeRoleOutput};
use ec2_sg::sts::types::Credentials as StsCredentials;
use ec2_sg::{Config, Credentials};
use ec2_sg_tests::moto::{isolated_env, moto, moto_without_auth, unique};

/// A configuration for `endpoint` signing with the temporary credentials STS gave.
fn config_with(endpoint: &str, credentials: &StsCredentials) -> Config {
    let key = credentials.access_key_id().expect("an access key id");
    let secret = credentials.secret_access_key().expect("a secret");
    let token = credentials.session_token().expect("a session token");
    Config::builder()
        .env(isolated_env())
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::from_keys(key, secret, Some(token.to_string())))
        .build()
        .expect("the configuration builds")
}

#[tokio::test]
async fn assume_a_role_then_call_ec2_with_its_credentials() {
    let moto = moto();
    let config = moto.config().build().unwrap();
    let sts = ec2_sg::sts::Client::new(&config);

    let me = sts.get_caller_identity().send().await.unwrap();
    assert!(me.arn().is_some_and(|arn| arn.ends_with(":user/ec2-sg-tests")), "{me:?}");
    assert!(me.request_id().is_some(), "the request id is read from <ResponseMetadata>");

    let session = unique("sts-e2e");
    let assumed: AssumeRoleOutput = sts
        .assume_role()
        .role_arn(&moto.role_arn)
        .role_session_name(&session)
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().expect("credentials").clone();
    assert!(credentials.expiration().is_some());
    assert!(assumed.assumed_role_user().and_then(|u| u.arn()).is_some_and(|arn| arn.ends_with(&session)));
    let shown = format!("{assumed:?}");
    for secret in [credentials.secret_access_key(), credentials.session_token()] {
        assert!(!shown.contains(secret.expect("set")), "a secret in Debug: {shown}");
    }

    // EC2 and STS share the one configuration type and runtime; the role's credentials sign both.
    let role_config = config_with(&moto.endpoint, &credentials);
    let ec2 = ec2_sg::Client::from_conf(role_config.clone());
    let name = unique("sts-e2e-group");
    let created = ec2.create_security_group().group_name(&name).description("made by an assumed role").send().await;
    let group_id = created.unwrap().group_id().expect("a group id").to_string();
    let described = ec2.describe_security_groups().group_ids(&group_id).send().await.unwrap();
    assert_eq!(described.security_groups()[0].group_name(), Some(name.as_str()));
    ec2.delete_security_group().group_id(&group_id).send().await.unwrap();
    let role_identity = ec2_sg::sts::Client::from_conf(role_config).get_caller_identity().send().await.unwrap();
    assert!(role_identity.arn().is_some_and(|arn| arn.contains(":assumed-role/")), "{role_identity:?}");

    // A wrong secret is refused by moto's signature check, as an AssumeRoleError.
    let mut wrong = credentials.clone();
    wrong.secret_access_key = Some("not-the-secret".into());
    let refused = ec2_sg::sts::Client::new(&config_with(&moto.endpoint, &wrong))
        .assume_role()
        .role_arn(&moto.role_arn)
        .role_session_name(&session)
        .send()
        .await
        .unwrap_err();
    let refused: AssumeRoleError = refused.into_service_error();
    assert!(refused.code().is_some(), "{refused:?}");
}

#[tokio::test]
async fn required_members_are_checked_before_sending() {
    let config = moto().config().build().unwrap();
    let error = ec2_sg::sts::Client::new(&config).assume_role().role_session_name("s").send().await.unwrap_err();
    assert!(format!("{error:?}").contains("RoleArn"), "{error:?}");
    let input: AssumeRoleInput = AssumeRoleInput::builder().role_arn("arn:aws:iam::1:role/r").build();
    assert_eq!(input.role_arn(), Some("arn:aws:iam::1:role/r"));
}

#[tokio::test]
async fn web_identity_is_unsigned_and_needs_no_credentials() {
    let moto = moto_without_auth();
    // No credentials anywhere: the call must not look for any.
    let config =
        Config::builder().env(isolated_env()).region("us-east-1").endpoint_url(&moto.endpoint).build().unwrap();
    let sts = ec2_sg::sts::Client::new(&config);
    let output = sts
        .assume_role_with_web_identity()
        .role_arn(&moto.role_arn)
        .role_session_name("web")
        .web_identity_token("a-web-identity-token")
        .send()
        .await
        .unwrap();
    let credentials = output.credentials().expect("credentials");
    assert!(credentials.session_token().is_some());
    assert!(!format!("{:?}", sts.assume_role_with_web_identity().web_identity_token("jwt-secret").build_input())
        .contains("jwt-secret"));
    let ec2 = ec2_sg::Client::from_conf(config_with(&moto.endpoint, credentials));
    ec2.describe_security_groups().send().await.unwrap();
}

#[test]
fn the_blocking_sts_client() {
    let moto = moto();
    let sts = ec2_sg::sts::blocking::Client::new(&moto.config().build().unwrap()).unwrap();
    let me = sts.get_caller_identity().send().unwrap();
    assert!(me.account().is_some());
    let assumed = sts.assume_role().role_arn(&moto.role_arn).role_session_name("blocking").send().unwrap();
    let ec2 = ec2_sg::blocking::Client::from_conf(config_with(&moto.endpoint, assumed.credentials().unwrap())).unwrap();
    ec2.describe_security_groups().send().unwrap();
}

#[test]
fn sts_endpoints_are_regional() {
    // No endpoint URL: STS's own rule set, regional as the SDKs use it today.
    let config = Config::builder()
        .env(isolated_env())
        .region("eu-west-1")
        .credentials(Credentials::from_keys("AKID", "SECRET", None))
        .build()
        .unwrap();
    let endpoint = config.endpoint_for(&ec2_sg::sts::SERVICE).unwrap();
    assert_eq!(endpoint.authority(), "sts.eu-west-1.amazonaws.com");
    assert_eq!(config.endpoint().authority(), "ec2.eu-west-1.amazonaws.com");
    // AWS_ENDPOINT_URL_STS applies to STS alone.
    let env = ec2_sg::runtime::env::Env::from_vars([
        ("HOME", "/nonexistent-ec2-sg-test-home"),
        ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"),
    ]);
    let config = Config::builder()
        .env(env)
        .region("us-east-1")
        .credentials(Credentials::from_keys("AKID", "SECRET", None))
        .build()
        .unwrap();
    assert_eq!(config.endpoint_for(&ec2_sg::sts::SERVICE).unwrap().authority(), "127.0.0.1:9");
    assert_eq!(config.endpoint().authority(), "ec2.us-east-1.amazonaws.com");
}
