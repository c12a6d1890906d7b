//! Paginators and waiters generated from the paginator and waiter models, against scripted
//! answers in the EC2 API reference's response shapes (moto does not paginate and answers at
//! once), with the waiters' sleep injected so every test takes milliseconds; and one waiter end
//! to end against moto.

// Paginators fail with the operation's SdkError, which is large (as in aws-sdk-rust).
#![allow(clippy::result_large_err)]

use ec2_sg::client::Waiters;
use ec2_sg::error::{ProvideErrorMetadata, SdkError};
use ec2_sg::runtime::http::{AsyncSleep, Sleep};
use ec2_sg::waiters::{WaiterErrorKind, WaiterOutcome};
use ec2_sg::{Client, Credentials, ErrorKind};
use ec2_sg_tests::moto::{isolated_env, moto, unique};
use ec2_sg_tests::stub::{Reply, Stub};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const NS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

fn next_token(next: Option<&str>) -> String {
    next.map(|t| format!("<nextToken>{t}</nextToken>")).unwrap_or_default()
}

/// A DescribeSecurityGroups page as the API reference shows it.
fn groups_page(ids: &[&str], next: Option<&str>) -> String {
    let items: String = ids
        .iter()
        .map(|id| {
            format!(
                "<item><ownerId>123456789012</ownerId><groupId>{id}</groupId><groupName>name-{id}</groupName>\
                 <groupDescription>d</groupDescription><vpcId>vpc-1</vpcId><ipPermissions/><ipPermissionsEgress/></item>"
            )
        })
        .collect();
    format!(
        "<DescribeSecurityGroupsResponse xmlns=\"{NS}\"><requestId>r</requestId>\
         <securityGroupInfo>{items}</securityGroupInfo>{}</DescribeSecurityGroupsResponse>",
        next_token(next)
    )
}

/// A DescribeSecurityGroupRules page.
fn rules_page(ids: &[&str], next: Option<&str>) -> String {
    let items: String = ids
        .iter()
        .map(|id| {
            format!(
                "<item><securityGroupRuleId>{id}</securityGroupRuleId><groupId>sg-1</groupId>\
                 <groupOwnerId>123456789012</groupOwnerId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol>\
                 <fromPort>22</fromPort><toPort>22</toPort><cidrIpv4>10.0.0.0/8</cidrIpv4></item>"
            )
        })
        .collect();
    format!(
        "<DescribeSecurityGroupRulesResponse xmlns=\"{NS}\"><requestId>r</requestId>\
         <securityGroupRuleSet>{items}</securityGroupRuleSet>{}</DescribeSecurityGroupRulesResponse>",
        next_token(next)
    )
}

/// A DescribeTags page.
fn tags_page(keys: &[&str], next: Option<&str>) -> String {
    let items: String = keys
        .iter()
        .map(|key| {
            format!(
                "<item><resourceId>sg-1</resourceId><resourceType>security-group</resourceType>\
                 <key>{key}</key><value>v-{key}</value></item>"
            )
        })
        .collect();
    format!(
        "<DescribeTagsResponse xmlns=\"{NS}\"><requestId>r</requestId><tagSet>{items}</tagSet>{}</DescribeTagsResponse>",
        next_token(next)
    )
}

fn error_body(code: &str) -> String {
    format!(
        "<Response><Errors><Error><Code>{code}</Code><Message>{code} happened</Message></Error></Errors>\
         <RequestID>req-{code}</RequestID></Response>"
    )
}

/// A sleep that returns at once and records what it was asked.
#[derive(Debug, Clone, Default)]
struct InstantSleep {
    asked: Arc<Mutex<Vec<Duration>>>,
}

impl InstantSleep {
    fn asked(&self) -> Vec<Duration> {
        self.asked.lock().unwrap().clone()
    }
}

impl AsyncSleep for InstantSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        self.asked.lock().unwrap().push(duration);
        Sleep::new(std::future::ready(()))
    }
}

fn config_for(stub: &Stub) -> ec2_sg::ConfigBuilder {
    ec2_sg::Config::builder()
        .env(isolated_env())
        .region("us-east-1")
        .endpoint_url(&stub.endpoint)
        .credentials(Credentials::from_keys("AKIDTEST", "SECRETTEST", None))
        .max_attempts(1)
}

fn client_for(stub: &Stub) -> Client {
    Client::from_conf(config_for(stub).build().expect("config"))
}

fn blocking_client_for(stub: &Stub) -> ec2_sg::blocking::Client {
    ec2_sg::blocking::Client::from_conf(config_for(stub).build().expect("config")).expect("blocking client")
}

/// The form parameters of each request the stub received.
fn sent_params(stub: &Stub) -> Vec<Vec<(String, String)>> {
    stub.received().iter().map(|r| ec2_sg::runtime::parse_form(&r.body).expect("a form body")).collect()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// (MaxResults, NextToken) of each request.
fn limits_and_tokens(stub: &Stub) -> Vec<(Option<String>, Option<String>)> {
    sent_params(stub)
        .iter()
        .map(|p| (param(p, "MaxResults").map(str::to_string), param(p, "NextToken").map(str::to_string)))
        .collect()
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

// ---------------------------------------------------------------------------------------------
// Paginators

#[tokio::test]
async fn pagination_streams_read_like_aws_smithy_asyncs() {
    let page = |ids: &[&str], token| Reply::xml(200, &groups_page(ids, token));
    let error = Reply::xml(400, &error_body("InvalidGroup.NotFound"));
    let stub = Stub::start(vec![
        page(&["sg-1", "sg-2"], Some("t2")),
        page(&["sg-3"], None),
        page(&["sg-1"], Some("t2")),
        page(&["sg-2"], None),
        page(&["sg-1"], Some("t2")),
        error,
    ]);
    let client = client_for(&stub);
    // collect::<Result<Vec<_>, _>>(), as aws-sdk-ec2 users write it.
    let groups = client.describe_security_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    let ids: Vec<_> = groups.unwrap().iter().map(|g| g.group_id().unwrap().to_string()).collect();
    assert_eq!(ids, ["sg-1", "sg-2", "sg-3"]);
    // while let Some(x) = stream.try_next().await?
    let mut stream = client.describe_security_groups().into_paginator().items().send();
    let mut seen = Vec::new();
    while let Some(group) = stream.try_next().await.unwrap() {
        seen.push(group.group_id().unwrap().to_string());
    }
    assert_eq!(seen, ["sg-1", "sg-2"]);
    // collect::<Vec<_>>() keeps the error that ended the listing as the last element.
    let results = client.describe_security_groups().into_paginator().send().collect::<Vec<_>>().await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert_eq!(results[1].as_ref().unwrap_err().code(), Some("InvalidGroup.NotFound"));
}

#[tokio::test]
async fn pages_follow_next_token_and_keep_the_users_max_results() {
    let stub = Stub::start(vec![
        Reply::xml(200, &groups_page(&["sg-1", "sg-2"], Some("t2"))),
        Reply::xml(200, &groups_page(&["sg-3", "sg-4"], Some("t3"))),
        Reply::xml(200, &groups_page(&["sg-5"], None)),
    ]);
    let pages = client_for(&stub)
        .describe_security_groups()
        .max_results(5)
        .filters(ec2_sg::types::Filter::builder().name("vpc-id").values("vpc-1").build())
        .into_paginator()
        .send()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<Vec<&str>> =
        pages.iter().map(|p| p.security_groups().iter().filter_map(|g| g.group_id()).collect()).collect();
    assert_eq!(ids, [vec!["sg-1", "sg-2"], vec!["sg-3", "sg-4"], vec!["sg-5"]]);
    assert_eq!(pages[0].next_token(), Some("t2"));
    assert_eq!(
        limits_and_tokens(&stub),
        [(some("5"), None), (some("5"), some("t2")), (some("5"), some("t3"))],
        "MaxResults as set on every page; NextToken from the previous page"
    );
    for params in sent_params(&stub) {
        assert_eq!(param(&params, "Action"), Some("DescribeSecurityGroups"));
        assert_eq!(param(&params, "Filter.1.Name"), Some("vpc-id"), "the rest of the input is copied to every page");
        assert_eq!(param(&params, "Filter.1.Value.1"), Some("vpc-1"));
    }
}

#[tokio::test]
async fn items_across_three_pages_with_page_size() {
    let stub = Stub::start(vec![
        Reply::xml(200, &rules_page(&["sgr-1", "sgr-2"], Some("a"))),
        Reply::xml(200, &rules_page(&["sgr-3", "sgr-4"], Some("b"))),
        Reply::xml(200, &rules_page(&["sgr-5"], None)),
    ]);
    let rules = client_for(&stub)
        .describe_security_group_rules()
        .max_results(50)
        .into_paginator()
        .page_size(2)
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let ids: Vec<&str> = rules.iter().filter_map(|r| r.security_group_rule_id()).collect();
    assert_eq!(ids, ["sgr-1", "sgr-2", "sgr-3", "sgr-4", "sgr-5"]);
    assert_eq!(rules[4].from_port(), Some(22));
    assert_eq!(
        limits_and_tokens(&stub),
        [(some("2"), None), (some("2"), some("a")), (some("2"), some("b"))],
        "page_size replaces the MaxResults set before"
    );
}

#[tokio::test]
async fn tag_items_and_a_starting_token() {
    let stub = Stub::start(vec![
        Reply::xml(200, &tags_page(&["a", "b"], Some("n2"))),
        Reply::xml(200, &tags_page(&["c"], Some(""))),
    ]);
    let mut items = client_for(&stub).describe_tags().next_token("start").into_paginator().items().send();
    let mut keys = Vec::new();
    while let Some(tag) = items.next().await {
        let tag = tag.unwrap();
        assert_eq!(tag.resource_id(), Some("sg-1"));
        keys.push(format!("{}={}", tag.key().unwrap(), tag.value().unwrap()));
    }
    assert_eq!(keys, ["a=v-a", "b=v-b", "c=v-c"]);
    assert_eq!(
        limits_and_tokens(&stub),
        [(None, some("start")), (None, some("n2"))],
        "the first request starts at the token set; an empty token ends the listing"
    );
}

#[tokio::test]
async fn stopping_early_fetches_no_further_page() {
    let stub = Stub::start(vec![
        Reply::xml(200, &groups_page(&["sg-1", "sg-2"], Some("t2"))),
        Reply::xml(200, &groups_page(&["sg-3", "sg-4"], Some("t3"))),
        Reply::xml(200, &groups_page(&["sg-5"], None)),
    ]);
    let client = client_for(&stub);
    let mut pages = client.describe_security_groups().into_paginator().send();
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.security_groups().len(), 2);
    drop(pages);
    assert_eq!(stub.received().len(), 1, "only the page read was fetched");

    let first_three = client.describe_security_groups().into_paginator().items().send().limit(3).try_collect().await;
    let ids: Vec<String> = first_three.unwrap().iter().map(|g| g.group_id().unwrap().to_string()).collect();
    assert_eq!(ids, ["sg-3", "sg-4", "sg-5"], "the stub's next answers");
    assert_eq!(stub.received().len(), 3, "two more pages for three items, then no more");
}

#[tokio::test]
async fn an_error_on_page_two_is_yielded_once_and_ends_the_listing() {
    let stub = Stub::start(vec![
        Reply::xml(200, &groups_page(&["sg-1"], Some("t2"))),
        Reply::xml(400, &error_body("InvalidPaginationToken")),
        Reply::xml(200, &groups_page(&["sg-never"], None)),
    ]);
    let mut items = client_for(&stub).describe_security_groups().into_paginator().items().send();
    assert_eq!(items.next().await.unwrap().unwrap().group_id(), Some("sg-1"));
    // The operation's SdkError, as aws-sdk-rust's paginators give it.
    let error = items.next().await.unwrap().unwrap_err();
    assert!(matches!(error, SdkError::ServiceError(_)), "{error:?}");
    assert_eq!(error.code(), Some("InvalidPaginationToken"));
    assert_eq!(ec2_sg::Error::from(error).kind(), ErrorKind::Service);
    assert!(items.next().await.is_none(), "nothing after the error");
    assert_eq!(stub.received().len(), 2);
}

#[tokio::test]
async fn paginators_and_waiters_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = Client::from_conf(
        ec2_sg::Config::builder()
            .env(isolated_env())
            .region("us-east-1")
            .credentials(Credentials::from_keys("A", "B", None))
            .build()
            .unwrap(),
    );
    assert_send(&client.describe_security_groups().into_paginator().send());
    assert_send(&client.describe_tags().into_paginator().items().send());
    assert_send(&client.wait_until_security_group_exists().group_ids("sg-1").wait(Duration::from_secs(1)));
}

#[test]
fn blocking_paginator_pages_and_items() {
    let stub = Stub::start(vec![
        Reply::xml(200, &tags_page(&["a", "b"], Some("n2"))),
        Reply::xml(200, &tags_page(&["c", "d"], Some("n3"))),
        Reply::xml(200, &tags_page(&["e"], None)),
        Reply::xml(200, &rules_page(&["sgr-1"], Some("x"))),
        Reply::xml(400, &error_body("InvalidPaginationToken")),
    ]);
    let client = blocking_client_for(&stub);
    let keys: Vec<String> = client
        .describe_tags()
        .into_paginator()
        .page_size(2)
        .items()
        .send()
        .map(|tag| tag.map(|t| t.key().unwrap_or_default().to_string()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(keys, ["a", "b", "c", "d", "e"]);
    assert_eq!(limits_and_tokens(&stub), [(some("2"), None), (some("2"), some("n2")), (some("2"), some("n3"))]);

    let pages: Vec<_> = client.describe_security_group_rules().into_paginator().send().collect();
    assert_eq!(pages.len(), 2, "a page, then the error, then nothing");
    assert_eq!(pages[0].as_ref().unwrap().security_group_rules()[0].security_group_rule_id(), Some("sgr-1"));
    assert_eq!(pages[1].as_ref().unwrap_err().code(), Some("InvalidPaginationToken"));
    assert_eq!(stub.received().len(), 5);
}

// ---------------------------------------------------------------------------------------------
// Waiters

const NOT_FOUND: &str = "InvalidGroup.NotFound";

fn waiter_client(stub: &Stub, sleep: &InstantSleep) -> Client {
    Client::from_conf(config_for(stub).sleep_impl(sleep.clone()).build().expect("config"))
}

#[tokio::test]
async fn waiter_retries_not_found_then_empty_then_succeeds() {
    let stub = Stub::start(vec![
        Reply::xml(400, &error_body(NOT_FOUND)),
        Reply::xml(200, &groups_page(&[], None)),
        Reply::xml(200, &groups_page(&["sg-1"], None)),
    ]);
    let sleep = InstantSleep::default();
    let started = Instant::now();
    let outcome: WaiterOutcome<_> = waiter_client(&stub, &sleep)
        .wait_until_security_group_exists()
        .group_ids("sg-1")
        .wait(Duration::from_secs(120))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "the model's 5 s delays are not slept for real");
    assert_eq!(outcome.output().unwrap().security_groups()[0].group_id(), Some("sg-1"));
    assert_eq!(outcome.attempts(), 3);
    assert_eq!(outcome.elapsed(), Duration::from_secs(10), "two delays of virtual time");
    assert_eq!(sleep.asked(), [Duration::from_secs(5); 2], "the model's fixed delay between attempts");
    for params in sent_params(&stub) {
        assert_eq!(param(&params, "Action"), Some("DescribeSecurityGroups"));
        assert_eq!(param(&params, "GroupId.1"), Some("sg-1"), "every attempt sends the input set");
    }
}

#[tokio::test]
async fn waiter_gives_up_after_max_attempts_with_the_last_answer() {
    let stub = Stub::start((0..7).map(|_| Reply::xml(200, &groups_page(&[], None))).collect());
    let sleep = InstantSleep::default();
    let started = Instant::now();
    let waiter = waiter_client(&stub, &sleep).wait_until_security_group_exists().group_ids("sg-9");
    assert_eq!((waiter.spec().delay, waiter.spec().max_attempts), (Duration::from_secs(5), 6));
    let error = waiter.wait(Duration::from_secs(3600)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "a six-attempt wait in milliseconds");
    assert_eq!(
        (error.kind(), error.attempts(), error.waiter()),
        (WaiterErrorKind::MaxAttemptsExceeded, 6, "SecurityGroupExists")
    );
    assert_eq!(error.output().map(|o| o.security_groups().len()), Some(0), "the last answer is kept");
    assert_eq!(error.elapsed(), Duration::from_secs(25));
    assert_eq!(sleep.asked().len(), 5);
    assert_eq!(stub.received().len(), 6, "maxAttempts calls, no more");
    assert!(error.to_string().contains("no success state after 6 attempts"), "{error}");
}

#[tokio::test]
async fn waiter_stops_before_max_wait() {
    let stub = Stub::start((0..6).map(|_| Reply::xml(400, &error_body(NOT_FOUND))).collect());
    let sleep = InstantSleep::default();
    let error = waiter_client(&stub, &sleep)
        .wait_until_security_group_exists()
        .group_ids("sg-1")
        .wait(Duration::from_secs(12))
        .await
        .unwrap_err();
    // Attempts at 0 s, 5 s, 10 s; a fourth would start at 15 s > 12 s.
    assert_eq!((error.kind(), error.attempts()), (WaiterErrorKind::ExceededMaxWait, 3));
    assert_eq!(error.error().and_then(|e| e.code()), Some(NOT_FOUND), "the last answer was the retried error");
    assert_eq!(stub.received().len(), 3);
}

#[tokio::test]
async fn waiter_fails_at_once_on_an_unexpected_error() {
    let stub = Stub::start(vec![
        Reply::xml(200, &groups_page(&[], None)),
        Reply::xml(403, &error_body("UnauthorizedOperation")),
        Reply::xml(200, &groups_page(&["sg-1"], None)),
    ]);
    let sleep = InstantSleep::default();
    let error = waiter_client(&stub, &sleep)
        .wait_until_security_group_exists()
        .group_ids("sg-1")
        .wait(Duration::from_secs(60))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), WaiterErrorKind::OperationFailed);
    assert_eq!(error.attempts(), 2);
    let cause = error.error().unwrap();
    assert_eq!((cause.code(), cause.http_status()), (Some("UnauthorizedOperation"), Some(403)));
    assert!(std::error::Error::source(&error).is_some(), "the operation's error is the source");
    assert_eq!(stub.received().len(), 2);
}

#[tokio::test]
async fn the_waiters_own_sleep_overrides_the_clients() {
    let stub =
        Stub::start(vec![Reply::xml(400, &error_body(NOT_FOUND)), Reply::xml(200, &groups_page(&["sg-1"], None))]);
    let client_sleep = InstantSleep::default();
    let waiter_sleep = InstantSleep::default();
    let outcome = waiter_client(&stub, &client_sleep)
        .wait_until_security_group_exists()
        .group_ids("sg-1")
        .sleep_impl(waiter_sleep.clone())
        .wait(Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(outcome.attempts(), 2);
    assert_eq!((client_sleep.asked().len(), waiter_sleep.asked().len()), (0, 1));
}

#[test]
fn blocking_waiter_retries_then_succeeds_and_gives_up() {
    let stub = Stub::start(vec![
        Reply::xml(400, &error_body(NOT_FOUND)),
        Reply::xml(200, &groups_page(&[], None)),
        Reply::xml(200, &groups_page(&["sg-1"], None)),
        // The second wait: never found.
        Reply::xml(400, &error_body(NOT_FOUND)),
        Reply::xml(400, &error_body(NOT_FOUND)),
        Reply::xml(400, &error_body(NOT_FOUND)),
        Reply::xml(400, &error_body(NOT_FOUND)),
        Reply::xml(400, &error_body(NOT_FOUND)),
        Reply::xml(400, &error_body(NOT_FOUND)),
    ]);
    let client = blocking_client_for(&stub);
    let slept = Arc::new(Mutex::new(Vec::new()));
    let log = slept.clone();
    let started = Instant::now();
    let outcome = client
        .wait_until_security_group_exists()
        .group_ids("sg-1")
        .sleep_impl(move |d| log.lock().unwrap().push(d))
        .wait(Duration::from_secs(60))
        .unwrap();
    assert_eq!((outcome.attempts(), outcome.elapsed()), (3, Duration::from_secs(10)));
    assert_eq!(outcome.into_result().unwrap().security_groups()[0].group_id(), Some("sg-1"));
    assert_eq!(*slept.lock().unwrap(), [Duration::from_secs(5); 2]);

    let error = client
        .wait_until_security_group_exists()
        .group_ids("sg-2")
        .sleep_impl(|_| {})
        .wait(Duration::from_secs(3600))
        .unwrap_err();
    assert_eq!((error.kind(), error.attempts()), (WaiterErrorKind::MaxAttemptsExceeded, 6));
    assert_eq!(error.into_last().unwrap_err().code(), Some(NOT_FOUND));
    assert!(started.elapsed() < Duration::from_secs(5), "nine attempts in milliseconds");
    assert_eq!(stub.received().len(), 9);
}

// ---------------------------------------------------------------------------------------------
// End to end

#[tokio::test]
async fn waiter_end_to_end_against_moto() {
    let client = Client::from_conf(moto().config().build().expect("moto config"));
    let name = unique("waiter");
    let created = client.create_security_group().group_name(&name).description("waiter e2e").send().await.unwrap();
    let id = created.group_id().unwrap().to_string();
    let outcome = client.wait_until_security_group_exists().group_ids(&id).wait(Duration::from_secs(60)).await.unwrap();
    assert_eq!(outcome.attempts(), 1, "moto answers at once");
    assert_eq!(outcome.output().unwrap().security_groups()[0].group_name(), Some(name.as_str()));

    // A group that never comes: moto's NotFound is retried, and the waiter gives up on max_wait.
    let error = client
        .wait_until_security_group_exists()
        .group_ids("sg-0123456789abcdef0")
        .sleep_impl(InstantSleep::default())
        .wait(Duration::from_secs(7))
        .await
        .unwrap_err();
    assert_eq!((error.kind(), error.attempts()), (WaiterErrorKind::ExceededMaxWait, 2));
    assert_eq!(error.error().and_then(|e| e.code()), Some(NOT_FOUND));
    client.delete_security_group().group_id(&id).send().await.unwrap();
}

#[test]
fn blocking_waiter_and_paginator_end_to_end_against_moto() {
    let client = ec2_sg::blocking::Client::from_conf(moto().config().build().expect("moto config")).unwrap();
    let name = unique("blocking-waiter");
    let id = client
        .create_security_group()
        .group_name(&name)
        .description("blocking waiter e2e")
        .send()
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let outcome = client.wait_until_security_group_exists().group_ids(&id).wait(Duration::from_secs(60)).unwrap();
    assert_eq!(outcome.attempts(), 1);
    let found: Vec<String> = client
        .describe_security_groups()
        .group_ids(&id)
        .into_paginator()
        .items()
        .send()
        .map(|g| g.map(|g| g.group_id().unwrap_or_default().to_string()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(found, [id.as_str()]);
    client.delete_security_group().group_id(&id).send().unwrap();
}
