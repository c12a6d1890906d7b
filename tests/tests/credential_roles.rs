//! Roles assumed through STS by the default chain, against moto: a profile chain two roles deep
//! (signatures checked at every hop), `credential_source`, and web identity tokens from the
//! environment (EKS IRSA, GitHub Actions OIDC) and from a profile. Each test starts from only the
//! files and variables a real deployment has; the endpoint of both services is moto's, given the
//! way a user would (`AWS_ENDPOINT_URL`).

use std::path::PathBuf;

use ec2_sg::runtime::credentials::{DefaultCredentialsChain, ProvideCredentials, WebIdentityCredentials};
use ec2_sg::runtime::env::Env;
use ec2_sg_tests::moto::{moto, moto_without_auth, unique, Moto};

/// A home directory with `~/.aws/config`, removed on drop.
struct Home(PathBuf);

impl Home {
    fn with_config(config: &str) -> Self {
        let path = std::env::temp_dir().join(unique("ec2-sg-roles-home"));
        std::fs::create_dir_all(path.join(".aws")).unwrap();
        std::fs::write(path.join(".aws/config"), config).unwrap();
        Self(path)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    /// What a deployment's environment holds: the home, the region, the endpoint; never IMDS.
    fn env(&self, moto: &Moto, more: &[(&str, &str)]) -> Env {
        self.env_with_endpoint(&moto.endpoint, more)
    }

    fn env_with_endpoint(&self, endpoint: &str, more: &[(&str, &str)]) -> Env {
        let mut vars = vec![
            ("HOME".to_owned(), self.0.display().to_string()),
            ("AWS_REGION".to_owned(), "us-east-1".to_owned()),
            ("AWS_ENDPOINT_URL".to_owned(), endpoint.to_owned()),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ];
        vars.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_vars(vars)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn two_roles_deep(moto: &Moto) -> String {
    format!(
        "[profile base]\naws_access_key_id = {}\naws_secret_access_key = {}\n\
         [profile ops]\nrole_arn = {role}\nsource_profile = base\nrole_session_name = ops-hop\n\
         [profile admin]\nrole_arn = {role}\nsource_profile = ops\nrole_session_name = admin-hop\nduration_seconds = 900\n",
        moto.access_key_id,
        moto.secret_access_key,
        role = moto.role_arn
    )
}

#[tokio::test]
async fn a_profile_chain_two_roles_deep_signs_ec2_calls() {
    let moto = moto();
    let home = Home::with_config(&two_roles_deep(moto));
    let config = ec2_sg::Config::builder().env(home.env(moto, &[("AWS_PROFILE", "admin")])).build().unwrap();
    let identity = ec2_sg::sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    // The last hop's session: the chain went base -> ops -> admin.
    assert!(
        identity.arn().is_some_and(|arn| arn.contains(":assumed-role/") && arn.ends_with("/admin-hop")),
        "{identity:?}"
    );
    let ec2 = ec2_sg::Client::from_conf(config);
    let name = unique("roles-chain");
    let group = ec2.create_security_group().group_name(&name).description("by a chained role").send().await.unwrap();
    ec2.delete_security_group().set_group_id(group.group_id().map(str::to_owned)).send().await.unwrap();

    let credentials =
        DefaultCredentialsChain::with_env(home.env(moto, &[])).with_profile("admin").provide_credentials();
    let credentials = credentials.unwrap();
    assert!(credentials.expiry().is_some(), "assumed credentials expire");
    let shown = format!("{credentials:?}");
    assert!(!shown.contains(credentials.secret_access_key()), "{shown}");
}

/// An STS AssumeRole answer giving the keys `key_id`, `secret` and `token`.
fn assume_role_answer(key_id: &str, secret: &str, token: &str, session: &str) -> String {
    format!(
        r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>
<SessionToken>{token}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/{session}</Arn><AssumedRoleId>AROAEXAMPLE:{session}</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r-{session}</RequestId></ResponseMetadata></AssumeRoleResponse>"#
    )
}

/// The access key id a request was signed with (SigV4's `Credential=<key id>/<scope>`).
fn signing_key_id(request: &ec2_sg_tests::stub::Received) -> String {
    let authorization = request.header("authorization").expect("a signed request");
    let credential = authorization.split("Credential=").nth(1).expect("a SigV4 Authorization header");
    credential.split('/').next().unwrap_or_default().to_owned()
}

/// moto accepts the base key at every hop, so only a stub STS that records what each AssumeRole is
/// signed with can tell a chain whose every hop signs with the base credentials from a real one.
#[test]
fn each_hop_of_a_role_chain_signs_with_the_credentials_of_the_hop_before() {
    use ec2_sg_tests::stub::{Reply, Stub};
    let sts = Stub::start(vec![
        Reply::xml(200, &assume_role_answer("ASIAHOPONE", "secret-one", "token-one", "ops-hop")),
        Reply::xml(200, &assume_role_answer("ASIAHOPTWO", "secret-two", "token-two", "admin-hop")),
    ]);
    let home = Home::with_config(
        "[profile base]\naws_access_key_id = AKIABASEKEY\naws_secret_access_key = base-secret\n\
         [profile ops]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\nrole_session_name = ops-hop\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = ops\nrole_session_name = admin-hop\n",
    );
    let credentials = DefaultCredentialsChain::with_env(home.env_with_endpoint(&sts.endpoint, &[]))
        .with_profile("admin")
        .provide_credentials()
        .unwrap();
    assert_eq!((credentials.access_key_id(), credentials.session_token()), ("ASIAHOPTWO", Some("token-two")));
    let received = sts.received();
    let hops: Vec<(String, Option<&str>)> =
        received.iter().map(|request| (signing_key_id(request), request.header("x-amz-security-token"))).collect();
    assert_eq!(
        hops,
        [("AKIABASEKEY".to_owned(), None), ("ASIAHOPONE".to_owned(), Some("token-one"))],
        "hop 1 signs with the base keys, hop 2 with hop 1's"
    );
    assert!(
        received[0].body.contains("RoleSessionName=ops-hop") && received[1].body.contains("RoleSessionName=admin-hop")
    );
}

#[test]
fn the_blocking_client_with_a_role_profile() {
    let moto = moto();
    let home = Home::with_config(&two_roles_deep(moto));
    let config = ec2_sg::Config::builder().env(home.env(moto, &[])).profile_name("ops").build().unwrap();
    let sts = ec2_sg::sts::blocking::Client::new(&config).unwrap();
    let identity = sts.get_caller_identity().send().unwrap();
    assert!(identity.arn().is_some_and(|arn| arn.ends_with("/ops-hop")), "{identity:?}");
    ec2_sg::blocking::Client::from_conf(config).unwrap().describe_security_groups().send().unwrap();
}

#[tokio::test]
async fn credential_source_environment() {
    let moto = moto();
    let home =
        Home::with_config(&format!("[default]\nrole_arn = {}\ncredential_source = Environment\n", moto.role_arn));
    let env = home
        .env(moto, &[("AWS_ACCESS_KEY_ID", &moto.access_key_id), ("AWS_SECRET_ACCESS_KEY", &moto.secret_access_key)]);
    // The environment's keys would win in the chain: the profile is chosen explicitly to skip them.
    let config = ec2_sg::Config::builder().env(env).profile_name("default").build().unwrap();
    let identity = ec2_sg::sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert!(identity.arn().is_some_and(|arn| arn.contains(":assumed-role/")), "{identity:?}");
    // Without the variables, the source gives nothing, and that is an error, not a fallback.
    let err = DefaultCredentialsChain::with_env(home.env(moto, &[])).provide_credentials().unwrap_err();
    assert!(
        err.to_string().contains("credential_source Environment of profile \"default\" gave no credentials"),
        "{err}"
    );
}

#[tokio::test]
async fn web_identity_from_the_environment_as_on_eks() {
    let moto = moto_without_auth();
    let home = Home::with_config("");
    let token_file =
        home.file("token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl\n");
    let env = home.env(
        moto,
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file),
            ("AWS_ROLE_ARN", &moto.role_arn),
            ("AWS_ROLE_SESSION_NAME", "irsa-pod"),
        ],
    );
    let config = ec2_sg::Config::builder().env(env.clone()).build().unwrap();
    let ec2 = ec2_sg::Client::from_conf(config);
    ec2.describe_security_groups().send().await.unwrap();
    let credentials = WebIdentityCredentials::with_env(env).provide_credentials().unwrap();
    assert!(credentials.session_token().is_some() && credentials.expiry().is_some());

    // Set up halfway, it is an error that says what is missing.
    let err = WebIdentityCredentials::with_env(home.env(moto, &[("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file)]))
        .provide_credentials()
        .unwrap_err();
    assert_eq!(err.to_string(), "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: set the role to assume");
    let missing = home.0.join("no-such-token").display().to_string();
    let env = home.env(moto, &[("AWS_WEB_IDENTITY_TOKEN_FILE", &missing), ("AWS_ROLE_ARN", &moto.role_arn)]);
    let err = WebIdentityCredentials::with_env(env).provide_credentials().unwrap_err();
    assert!(err.to_string().starts_with(&format!("cannot read the web identity token file {missing}")), "{err}");
}

#[test]
fn web_identity_in_a_profile_with_a_role_on_top() {
    let moto = moto_without_auth();
    let home = Home::with_config("");
    let token_file = home.file("token", "a-github-actions-oidc-token");
    std::fs::write(
        home.0.join(".aws/config"),
        format!(
            "[profile oidc]\nrole_arn = {role}\nweb_identity_token_file = {token_file}\nrole_session_name = ci\n\
             [profile deploy]\nrole_arn = {role}\nsource_profile = oidc\nrole_session_name = deploy\n",
            role = moto.role_arn
        ),
    )
    .unwrap();
    let config = ec2_sg::Config::builder().env(home.env(moto, &[("AWS_PROFILE", "deploy")])).build().unwrap();
    let identity = ec2_sg::sts::blocking::Client::new(&config).unwrap().get_caller_identity().send().unwrap();
    assert!(identity.arn().is_some_and(|arn| arn.ends_with("/deploy")), "{identity:?}");
}

#[test]
fn a_role_sts_refuses_is_a_clear_error() {
    let moto = moto();
    let config = format!(
        "[profile base]\naws_access_key_id = {}\naws_secret_access_key = wrong-secret\n\
         [profile ops]\nrole_arn = {}\nsource_profile = base\n",
        moto.access_key_id, moto.role_arn
    );
    let home = Home::with_config(&config);
    let err =
        DefaultCredentialsChain::with_env(home.env(moto, &[])).with_profile("ops").provide_credentials().unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with(&format!("STS AssumeRole for role {} failed", moto.role_arn)), "{text}");
    let chain = ec2_sg_tests::observe::error_chain_text(&err);
    assert!(!chain.contains("wrong-secret") && !format!("{err:?}").contains("wrong-secret"), "{chain}");
}

/// The IMDS answers that give a moto session's credentials as an instance profile's.
fn imds_serving(moto: &Moto) -> ec2_sg_tests::stub::Stub {
    use ec2_sg_tests::stub::Reply;
    let document = format!(
        r#"{{"Code": "Success", "AccessKeyId": "{}", "SecretAccessKey": "{}", "Token": "{}",
            "Expiration": "2099-01-01T00:00:00Z"}}"#,
        moto.session_access_key_id, moto.session_secret_access_key, moto.session_token
    );
    ec2_sg_tests::stub::Stub::start(vec![
        Reply::text(200, "imds-token"),
        Reply::text(200, "instance-role"),
        Reply::json(200, &document),
    ])
}

#[tokio::test]
async fn credential_source_instance_metadata_and_container() {
    let moto = moto();
    // On an instance: the instance profile's credentials assume the profile's role.
    let imds = imds_serving(moto);
    let home = Home::with_config(&format!(
        "[default]\nrole_arn = {}\ncredential_source = Ec2InstanceMetadata\nrole_session_name = from-imds\n",
        moto.role_arn
    ));
    let env = home
        .env(moto, &[("AWS_EC2_METADATA_DISABLED", "false"), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.endpoint)]);
    let config = ec2_sg::Config::builder().env(env).build().unwrap();
    let identity = ec2_sg::sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert!(identity.arn().is_some_and(|arn| arn.ends_with("/from-imds")), "{identity:?}");
    assert_eq!(imds.received().len(), 3);

    // In a container: the task role's credentials do.
    let document = format!(
        r#"{{"AccessKeyId": "{}", "SecretAccessKey": "{}", "Token": "{}", "Expiration": "2099-01-01T00:00:00Z"}}"#,
        moto.session_access_key_id, moto.session_secret_access_key, moto.session_token
    );
    let agent = ec2_sg_tests::stub::Stub::start(vec![ec2_sg_tests::stub::Reply::json(200, &document)]);
    std::fs::write(
        home.0.join(".aws/config"),
        format!(
            "[default]\nrole_arn = {}\ncredential_source = EcsContainer\nrole_session_name = from-task\n",
            moto.role_arn
        ),
    )
    .unwrap();
    let uri = format!("{}/v2/credentials/task", agent.endpoint);
    let config =
        ec2_sg::Config::builder().env(home.env(moto, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)])).build().unwrap();
    let identity = ec2_sg::sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    assert!(identity.arn().is_some_and(|arn| arn.ends_with("/from-task")), "{identity:?}");
}

#[cfg(unix)]
#[test]
fn a_credential_process_as_the_source_of_a_role() {
    let moto = moto();
    let document = format!(
        r#"{{"Version": 1, "AccessKeyId": "{}", "SecretAccessKey": "{}"}}"#,
        moto.access_key_id, moto.secret_access_key
    );
    let home = Home::with_config("");
    let script = home.file("creds.sh", &format!("#!/bin/sh\nprintf '%s' '{document}'\n"));
    std::fs::write(
        home.0.join(".aws/config"),
        format!(
            "[profile vault]\ncredential_process = sh {script}\n\
             [profile app]\nrole_arn = {}\nsource_profile = vault\nrole_session_name = from-process\n",
            moto.role_arn
        ),
    )
    .unwrap();
    let config = ec2_sg::Config::builder().env(home.env(moto, &[("AWS_PROFILE", "app")])).build().unwrap();
    let identity = ec2_sg::sts::blocking::Client::new(&config).unwrap().get_caller_identity().send().unwrap();
    assert!(identity.arn().is_some_and(|arn| arn.ends_with("/from-process")), "{identity:?}");
}
