//! Credentials from IAM Identity Center (SSO) after `aws sso login`: a temporary home with
//! `~/.aws/config` and the token cache file the AWS CLI would have written, and fake SSO portal
//! and SSO OIDC servers on 127.0.0.1 (named by AWS_ENDPOINT_URL_SSO and
//! AWS_ENDPOINT_URL_SSO_OIDC, as a user would). Clocks are set by hand; nothing sleeps.

use std::path::PathBuf;

use ec2_sg::runtime::credentials::{CredentialsError, ProvideCredentials, SsoCredentials};
use ec2_sg::runtime::env::Env;
use ec2_sg_tests::observe::{at, LogCapture, ManualClock};
use ec2_sg_tests::stub::{Reply, Stub};

const ACCESS_TOKEN: &str = "aoaAAAAAGcEXAMPLESSOACCESSTOKEN";
const NEW_ACCESS_TOKEN: &str = "aoaAAAAAGcEXAMPLEREFRESHEDACCESSTOKEN";
const REFRESH_TOKEN: &str = "aorvJYubEXAMPLEREFRESHTOKEN";
const NEW_REFRESH_TOKEN: &str = "aorvJYubEXAMPLENEWREFRESHTOKEN";
const CLIENT_SECRET: &str = "eyJraWQiOiJrZXktEXAMPLECLIENTSECRET";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESSOSESSIONTOKEN";
const ALL_SECRETS: [&str; 7] =
    [ACCESS_TOKEN, NEW_ACCESS_TOKEN, REFRESH_TOKEN, NEW_REFRESH_TOKEN, CLIENT_SECRET, SECRET, SESSION_TOKEN];

const START_URL: &str = "https://d-1234567890.awsapps.com/start";
/// hashlib.sha1(b"corp").hexdigest(): the file the AWS CLI writes for `[sso-session corp]`.
const CORP_CACHE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
/// hashlib.sha1(START_URL.encode()).hexdigest(): the file of a legacy profile's token.
const START_URL_CACHE: &str = "7487b5b67d5fa1132cf33fa93ae51ef38cc37752.json";

/// 2026-12-02T10:00:00Z.
const NOW: u64 = 1_796_205_600;

const SESSION_CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
    sso_role_name = ReadOnly+Dev\nregion = eu-west-1\n\
    [sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n\
    sso_registration_scopes = sso:account:access\n";

const LEGACY_CONFIG: &str = "[profile legacy]\nsso_start_url = https://d-1234567890.awsapps.com/start\n\
    sso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Admin\n";

fn rfc3339(seconds: u64) -> String {
    ec2_sg::primitives::DateTime::from_secs(seconds as i64).fmt(ec2_sg::primitives::DateTimeFormat::DateTime).unwrap()
}

/// A temporary home with `~/.aws/config` and `~/.aws/sso/cache/`, removed on drop.
struct Home(PathBuf);

impl Home {
    fn new(config: &str) -> Self {
        let path = std::env::temp_dir().join(ec2_sg_tests::moto::unique("ec2-sg-sso-home"));
        std::fs::create_dir_all(path.join(".aws/sso/cache")).unwrap();
        std::fs::write(path.join(".aws/config"), config).unwrap();
        Self(path)
    }

    fn cache_dir(&self) -> PathBuf {
        self.0.join(".aws/sso/cache")
    }

    fn cache(&self, file: &str, text: &str) -> PathBuf {
        let path = self.cache_dir().join(file);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn env(&self, portal: &Stub, oidc: &Stub, more: &[(&str, &str)]) -> Env {
        let mut vars = vec![
            ("HOME", self.0.to_str().unwrap()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_ENDPOINT_URL_SSO", portal.endpoint.as_str()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", oidc.endpoint.as_str()),
        ];
        vars.extend_from_slice(more);
        Env::from_vars(vars)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A session token cache file, as `aws sso login --sso-session corp` writes it.
fn session_token(expires: u64, registration_expires: u64) -> String {
    format!(
        r#"{{"startUrl": "{START_URL}", "region": "us-east-1", "accessToken": "{ACCESS_TOKEN}",
            "expiresAt": "{}", "clientId": "client-id-EXAMPLE", "clientSecret": "{CLIENT_SECRET}",
            "registrationExpiresAt": "{}", "refreshToken": "{REFRESH_TOKEN}"}}"#,
        rfc3339(expires),
        rfc3339(registration_expires)
    )
}

/// A legacy token cache file: no client registration, no refresh token.
fn legacy_token(expires: u64) -> String {
    format!(
        r#"{{"startUrl": "{START_URL}", "region": "us-east-1", "accessToken": "{ACCESS_TOKEN}", "expiresAt": "{}"}}"#,
        rfc3339(expires)
    )
}

fn role_credentials(key_id: &str, expires: u64) -> Reply {
    Reply::json(
        200,
        &format!(
            r#"{{"roleCredentials": {{"accessKeyId": "{key_id}", "secretAccessKey": "{SECRET}",
                "sessionToken": "{SESSION_TOKEN}", "expiration": {}}}}}"#,
            expires * 1000
        ),
    )
}

fn provider(home: &Home, portal: &Stub, oidc: &Stub, profile: &str) -> SsoCredentials {
    SsoCredentials::with_env(home.env(portal, oidc, &[])).with_profile(profile).with_time_source(ManualClock::at(NOW))
}

fn assert_no_secret(text: &str) {
    for secret in ALL_SECRETS {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

fn assert_error(err: &CredentialsError, parts: &[&str]) {
    let text = err.to_string();
    for part in parts {
        assert!(text.contains(part), "{part:?} missing from: {text}");
    }
    assert!(!err.is_not_loaded(), "{text}");
    assert_no_secret(&format!("{} {err:?}", ec2_sg_tests::observe::error_chain_text(err)));
}

// --- tests ---

#[test]
fn session_profile_gets_role_credentials_with_the_cached_token() {
    let home = Home::new(SESSION_CONFIG);
    home.cache(CORP_CACHE, &session_token(NOW + 3600, NOW + 90 * 86400));
    let portal = Stub::start(vec![role_credentials("ASIASSO", NOW + 3600)]);
    let oidc = Stub::start(vec![]);
    let provider = provider(&home, &portal, &oidc, "dev");
    let credentials = provider.provide_credentials().unwrap();
    assert_eq!(credentials.access_key_id(), "ASIASSO");
    assert_eq!(credentials.secret_access_key(), SECRET);
    assert_eq!(credentials.session_token(), Some(SESSION_TOKEN));
    assert_eq!(credentials.expiry(), Some(at(NOW + 3600)));
    assert!(format!("{credentials:?}").contains("\"SSO\""), "{credentials:?}");

    let received = portal.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "GET");
    assert_eq!(received[0].path, "/federation/credentials?account_id=111122223333&role_name=ReadOnly%2BDev");
    assert_eq!(received[0].header("x-amz-sso_bearer_token"), Some(ACCESS_TOKEN));
    // A token valid for an hour is not refreshed.
    assert!(oidc.received().is_empty());
    assert_no_secret(&format!("{provider:?}"));
}

#[test]
fn the_profile_comes_from_aws_profile_and_the_portal_from_the_services_section() {
    let home = Home::new(SESSION_CONFIG);
    home.cache(CORP_CACHE, &session_token(NOW + 3600, NOW + 90 * 86400));
    let portal = Stub::start(vec![role_credentials("ASIASERVICES", NOW + 3600)]);
    let config = format!(
        "{SESSION_CONFIG}[profile dev]\nservices = local\n[services local]\nsso =\n  endpoint_url = {}\n",
        portal.endpoint
    );
    std::fs::write(home.0.join(".aws/config"), config).unwrap();
    let env = Env::from_vars([("HOME", home.0.to_str().unwrap()), ("AWS_PROFILE", "dev")]);
    let credentials =
        SsoCredentials::with_env(env).with_time_source(ManualClock::at(NOW)).provide_credentials().unwrap();
    assert_eq!(credentials.access_key_id(), "ASIASERVICES");
    assert_eq!(portal.received().len(), 1);
}

#[test]
fn legacy_profile_uses_the_start_url_token_and_never_refreshes() {
    let home = Home::new(LEGACY_CONFIG);
    // Within the refresh window, and refreshable by its contents: a legacy profile still does not.
    home.cache(START_URL_CACHE, &session_token(NOW + 60, NOW + 90 * 86400));
    let portal = Stub::start(vec![role_credentials("ASIALEGACY", NOW + 3600)]);
    let oidc = Stub::start(vec![]);
    let credentials = provider(&home, &portal, &oidc, "legacy").provide_credentials().unwrap();
    assert_eq!(credentials.access_key_id(), "ASIALEGACY");
    let received = portal.received();
    assert_eq!(received[0].path, "/federation/credentials?account_id=111122223333&role_name=Admin");
    assert_eq!(received[0].header("x-amz-sso_bearer_token"), Some(ACCESS_TOKEN));
    assert!(oidc.received().is_empty());

    // Expired: an error that says how to log in again, and the portal is not asked.
    let path = home.cache(START_URL_CACHE, &legacy_token(NOW - 1));
    let portal = Stub::start(vec![]);
    let err = provider(&home, &portal, &oidc, "legacy").provide_credentials().unwrap_err();
    assert_error(
        &err,
        &[
            &format!("the SSO token of {START_URL} in {} expired at {}", path.display(), rfc3339(NOW - 1)),
            "run `aws sso login --profile legacy`",
        ],
    );
    assert!(portal.received().is_empty() && oidc.received().is_empty());
}

#[test]
fn token_near_expiry_is_refreshed_written_back_and_used() {
    let log = LogCapture::global();
    let home = Home::new(SESSION_CONFIG);
    let path = home.cache(CORP_CACHE, &session_token(NOW + 120, NOW + 90 * 86400));
    let portal =
        Stub::start(vec![role_credentials("ASIAFIRST", NOW + 3600), role_credentials("ASIASECOND", NOW + 3600)]);
    let oidc = Stub::start(vec![Reply::json(
        200,
        &format!(
            r#"{{"accessToken": "{NEW_ACCESS_TOKEN}", "expiresIn": 28800, "refreshToken": "{NEW_REFRESH_TOKEN}",
                "tokenType": "Bearer"}}"#
        ),
    )]);
    let provider = provider(&home, &portal, &oidc, "dev");
    assert_eq!(provider.provide_credentials().unwrap().access_key_id(), "ASIAFIRST");

    let received = oidc.received();
    assert_eq!(received.len(), 1);
    assert_eq!((received[0].method.as_str(), received[0].path.as_str()), ("POST", "/token"));
    assert_eq!(received[0].header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "clientId": "client-id-EXAMPLE",
            "clientSecret": CLIENT_SECRET,
            "grantType": "refresh_token",
            "refreshToken": REFRESH_TOKEN,
        })
    );

    // The cache file holds the new token, as the AWS CLI would read it; nothing else is left.
    let cached: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(cached["accessToken"], NEW_ACCESS_TOKEN);
    assert_eq!(cached["expiresAt"], rfc3339(NOW + 28800));
    assert_eq!(cached["refreshToken"], NEW_REFRESH_TOKEN);
    assert_eq!(cached["clientId"], "client-id-EXAMPLE");
    assert_eq!(cached["clientSecret"], CLIENT_SECRET);
    assert_eq!(cached["registrationExpiresAt"], rfc3339(NOW + 90 * 86400));
    assert_eq!(cached["startUrl"], START_URL);
    assert_eq!(cached["region"], "us-east-1");
    let files: Vec<_> = std::fs::read_dir(home.cache_dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files, [CORP_CACHE]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // The next call reads the rewritten cache: no refresh, and the portal gets the new token.
    assert_eq!(provider.provide_credentials().unwrap().access_key_id(), "ASIASECOND");
    assert_eq!(oidc.received().len(), 1);
    let received = portal.received();
    assert_eq!(received.len(), 2);
    for request in &received {
        assert_eq!(request.header("x-amz-sso_bearer_token"), Some(NEW_ACCESS_TOKEN));
    }
    assert_no_secret(&log.text());
}

#[test]
fn a_failed_refresh_keeps_a_token_that_is_still_valid() {
    let log = LogCapture::global();
    let home = Home::new(SESSION_CONFIG);
    let path = home.cache(CORP_CACHE, &session_token(NOW + 120, NOW + 90 * 86400));
    let before = std::fs::read_to_string(&path).unwrap();
    let portal = Stub::start(vec![role_credentials("ASIASTILL", NOW + 3600)]);
    // An OIDC error that echoes the refresh token: it must not reach a message or a log line.
    let oidc = Stub::start(vec![Reply::json(
        400,
        &format!(r#"{{"error": "invalid_grant", "error_description": "Invalid refresh token {REFRESH_TOKEN}"}}"#),
    )]);
    let credentials = provider(&home, &portal, &oidc, "dev").provide_credentials().unwrap();
    assert_eq!(credentials.access_key_id(), "ASIASTILL");
    assert_eq!(portal.received()[0].header("x-amz-sso_bearer_token"), Some(ACCESS_TOKEN));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    let warning =
        log.text().lines().map(str::to_owned).find(|line| line.contains(&oidc.endpoint)).expect("a warning was logged");
    assert!(warning.starts_with("WARN") && warning.contains("invalid_grant"), "{warning}");
    assert_no_secret(&log.text());
}

#[test]
fn an_expired_token_that_cannot_be_refreshed_says_to_log_in() {
    let login = "run `aws sso login --profile dev` (or `aws sso login --sso-session corp`)";
    let cases: [(String, Vec<Reply>, &str); 3] = [
        // No refresh token in the cache.
        (legacy_token(NOW - 60), vec![], "and cannot be refreshed (the cache holds no refresh token)"),
        // The client registration has expired too.
        (session_token(NOW - 60, NOW - 1), vec![], "and cannot be refreshed (the client registration has expired)"),
        // SSO OIDC refuses.
        (
            session_token(NOW - 60, NOW + 86400),
            vec![Reply::json(400, r#"{"error": "invalid_grant", "error_description": "expired"}"#)
                .with_header("x-amzn-ErrorType", "InvalidGrantException:http://internal.amazon.com/")],
            "and could not be refreshed (SSO OIDC at",
        ),
    ];
    for (token, oidc_script, why) in cases {
        let home = Home::new(SESSION_CONFIG);
        let path = home.cache(CORP_CACHE, &token);
        let portal = Stub::start(vec![]);
        let oidc = Stub::start(oidc_script);
        let err = provider(&home, &portal, &oidc, "dev").provide_credentials().unwrap_err();
        assert_error(
            &err,
            &[
                &format!(
                    "the SSO token of sso-session \"corp\" in {} expired at {}",
                    path.display(),
                    rfc3339(NOW - 60)
                ),
                why,
                login,
            ],
        );
        assert!(portal.received().is_empty());
    }
}

#[test]
fn the_portal_refusing_the_token_says_to_log_in() {
    for (status, error_type) in [(401, "UnauthorizedException"), (403, "ForbiddenException")] {
        let home = Home::new(SESSION_CONFIG);
        home.cache(CORP_CACHE, &session_token(NOW + 3600, NOW + 86400));
        let portal = Stub::start(vec![Reply::json(
            status,
            &format!(r#"{{"message": "Session token not found or invalid: {ACCESS_TOKEN}"}}"#),
        )
        .with_header("x-amzn-ErrorType", &format!("{error_type}:http://internal.amazon.com/coral/"))]);
        let oidc = Stub::start(vec![]);
        let err = provider(&home, &portal, &oidc, "dev").provide_credentials().unwrap_err();
        assert_error(
            &err,
            &[
                &format!("the SSO portal at {} refused the SSO token of sso-session \"corp\"", portal.endpoint),
                &format!("({status}: {error_type}: Session token not found or invalid"),
                "run `aws sso login --profile dev`",
            ],
        );
    }
}

#[test]
fn a_malformed_cache_file_is_named() {
    let home = Home::new(SESSION_CONFIG);
    let portal = Stub::start(vec![]);
    let oidc = Stub::start(vec![]);
    for (text, problem) in [
        (format!(r#"{{"accessToken": "{ACCESS_TOKEN}", "expiresAt": "#), "invalid JSON"),
        (format!(r#"{{"accessToken": "{ACCESS_TOKEN}"}}"#), "JSON without expiresAt"),
        (format!(r#"{{"accessToken": "{ACCESS_TOKEN}", "expiresAt": "soon"}}"#), "an invalid expiresAt"),
    ] {
        let path = home.cache(CORP_CACHE, &text);
        let err = provider(&home, &portal, &oidc, "dev").provide_credentials().unwrap_err();
        assert_error(
            &err,
            &[&format!("the SSO token cache file {} holds {problem}", path.display()), "aws sso login --profile dev"],
        );
    }
    assert!(portal.received().is_empty());
}

#[test]
fn a_missing_cache_file_is_named_with_the_login_command() {
    let home = Home::new(LEGACY_CONFIG);
    let portal = Stub::start(vec![]);
    let oidc = Stub::start(vec![]);
    let err = provider(&home, &portal, &oidc, "legacy").provide_credentials().unwrap_err();
    let path = home.cache_dir().join(START_URL_CACHE);
    assert_error(&err, &[&format!("{} does not exist", path.display()), "run `aws sso login --profile legacy`"]);
}

#[test]
fn profiles_without_sso_or_with_bad_settings() {
    let home = Home::new("[profile plain]\nregion = us-east-1\n[profile half]\nsso_account_id = 1\n");
    let portal = Stub::start(vec![]);
    let oidc = Stub::start(vec![]);
    let err = provider(&home, &portal, &oidc, "plain").provide_credentials().unwrap_err();
    assert!(err.is_not_loaded(), "{err}");
    let err = provider(&home, &portal, &oidc, "half").provide_credentials().unwrap_err();
    let config = home.0.join(".aws/config");
    assert_error(
        &err,
        &[
            &format!("profile \"half\" in {} has no sso_start_url (nor sso_session)", config.display()),
            "has no sso_role_name",
        ],
    );
}

#[test]
fn no_secret_in_any_output() {
    let log = LogCapture::global();
    let home = Home::new(SESSION_CONFIG);
    home.cache(CORP_CACHE, &session_token(NOW + 120, NOW + 90 * 86400));
    // A refresh, then the portal answering with credentials, then with an error that echoes.
    let oidc = Stub::start(vec![Reply::json(
        200,
        &format!(
            r#"{{"accessToken": "{NEW_ACCESS_TOKEN}", "expiresIn": 3600, "refreshToken": "{NEW_REFRESH_TOKEN}"}}"#
        ),
    )]);
    let portal = Stub::start(vec![
        role_credentials("ASIAOUT", NOW + 3600),
        // What the portal knows and could echo is the token it was sent.
        Reply::json(500, &format!(r#"{{"message": "internal error for {NEW_ACCESS_TOKEN}"}}"#)),
        Reply::json(200, &format!(r#"{{"roleCredentials": {{"accessKeyId": "A", "secretAccessKey": "{SECRET}"}}}}"#)),
    ]);
    let provider = provider(&home, &portal, &oidc, "dev");
    let mut outputs = vec![format!("{provider:?}")];
    let credentials = provider.provide_credentials().unwrap();
    outputs.push(format!("{credentials:?}"));
    for _ in 0..2 {
        let err = provider.provide_credentials().unwrap_err();
        outputs.push(format!("{err} {err:?}"));
    }
    assert!(outputs[2].contains("answered 500: internal error for ** redacted **"), "{}", outputs[2]);
    assert!(outputs[3].contains("JSON without sessionToken"), "{}", outputs[3]);
    outputs.push(log.text());
    assert_no_secret(&outputs.join("\n"));
}

#[test]
fn cache_file_names_match_the_aws_cli() {
    // The names above are Python's hashlib.sha1 of the session name and the start URL; a
    // provider that looked elsewhere would report the file missing.
    for (config, file, profile) in [(SESSION_CONFIG, CORP_CACHE, "dev"), (LEGACY_CONFIG, START_URL_CACHE, "legacy")] {
        let home = Home::new(config);
        let portal = Stub::start(vec![]);
        let oidc = Stub::start(vec![]);
        let err = provider(&home, &portal, &oidc, profile).provide_credentials().unwrap_err();
        assert!(err.to_string().contains(&home.cache_dir().join(file).display().to_string()), "{err}");
    }
}

#[test]
fn the_default_chain_signs_ec2_calls_with_an_sso_profile() {
    // The chain tells the time with the real clock: the cached token is valid from now on.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let home = Home::new(SESSION_CONFIG);
    home.cache(CORP_CACHE, &session_token(now + 3600, now + 90 * 86400));
    let portal = Stub::start(vec![role_credentials("ASIASSOCHAIN", now + 3600)]);
    let oidc = Stub::start(vec![]);
    let ec2 = Stub::start(vec![Reply::xml(
        200,
        "<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
         <requestId>r</requestId><securityGroupInfo/></DescribeSecurityGroupsResponse>",
    )]);
    let env = home.env(&portal, &oidc, &[("AWS_PROFILE", "dev"), ("AWS_ENDPOINT_URL_EC2", &ec2.endpoint)]);
    let config = ec2_sg::Config::builder().env(env).build().unwrap();
    assert_eq!(config.region(), "eu-west-1", "the profile's region");
    ec2_sg::blocking::Client::from_conf(config).unwrap().describe_security_groups().send().unwrap();
    let authorization = ec2.received()[0].header("authorization").unwrap_or_default().to_owned();
    assert!(authorization.contains("Credential=ASIASSOCHAIN/"), "{authorization}");
    assert_eq!(ec2.received()[0].header("x-amz-security-token"), Some(SESSION_TOKEN));
    assert!(oidc.received().is_empty());
}
