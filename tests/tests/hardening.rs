//! The client against hostile and broken servers on 127.0.0.1: redirects, answers that are not
//! the operation's, over-deep and over-long answers, stalls, resets, a wrong clock. Each case
//! failed (or hung, or aborted the process) before the fix it names.

use ec2_sg::primitives::{DateTime, TimestampFormat};
use ec2_sg::{Client, Credentials, ErrorKind};
use ec2_sg_tests::moto::isolated_env;
use ec2_sg_tests::stub::{error_body, fast_retries, refused_endpoint_config, Reply, Stub};
use std::time::{Duration, SystemTime};

const OK: &str = r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
<requestId>ok-1</requestId><securityGroupInfo><item><groupId>sg-1</groupId><groupName>web</groupName></item></securityGroupInfo>
</DescribeSecurityGroupsResponse>"#;

fn config(stub: &Stub, attempts: u32) -> ec2_sg::ConfigBuilder {
    ec2_sg::Config::builder()
        .env(isolated_env())
        .region("us-east-1")
        .endpoint_url(&stub.endpoint)
        .credentials(Credentials::from_keys("AKIDTEST", "SECRETTEST", Some("TOKEN-MUST-NOT-LEAK".into())))
        .retry_config(fast_retries(attempts))
}

fn client(stub: &Stub, attempts: u32) -> Client {
    Client::from_conf(config(stub, attempts).build().expect("config"))
}

fn http_date(time: SystemTime) -> String {
    DateTime::from(time).fmt(TimestampFormat::HttpDate).unwrap()
}

fn amz_date_of(received: &ec2_sg_tests::stub::Received) -> SystemTime {
    let text = received.header("x-amz-date").expect("x-amz-date");
    // 20260102T030405Z -> 2026-01-02T03:04:05Z
    let iso =
        format!("{}-{}-{}T{}:{}:{}Z", &text[..4], &text[4..6], &text[6..8], &text[9..11], &text[11..13], &text[13..15]);
    SystemTime::try_from(DateTime::from_str(&iso, TimestampFormat::DateTime).unwrap()).unwrap()
}

fn gap(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b).unwrap_or_else(|e| e.duration())
}

#[tokio::test]
async fn redirects_are_never_followed() {
    for status in [301, 302, 303, 307, 308] {
        let elsewhere = Stub::start(vec![Reply::xml(200, OK)]);
        let stub =
            Stub::start(vec![Reply::html(status, "").with_header("Location", &format!("{}/", elsewhere.endpoint))]);
        let error = client(&stub, 3).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
        assert_eq!((error.kind(), error.http_status(), error.attempts()), (ErrorKind::Service, Some(status), 1));
        assert!(error.to_string().contains("redirect, which is not followed"), "{error}");
        assert!(elsewhere.received().is_empty(), "HTTP {status}: the signed request went to the other host");
    }
}

#[test]
fn the_blocking_client_never_follows_redirects_either() {
    let elsewhere = Stub::start(vec![Reply::xml(200, OK)]);
    let stub = Stub::start(vec![Reply::html(307, "").with_header("Location", &format!("{}/", elsewhere.endpoint))]);
    let client = ec2_sg::blocking::Client::from_conf(config(&stub, 1).build().unwrap()).unwrap();
    let error = client.describe_security_groups().send().map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.http_status(), Some(307));
    assert!(elsewhere.received().is_empty());
}

#[tokio::test]
async fn a_success_that_is_not_the_operations_answer_is_an_error() {
    let login_page = r#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>Sign in</title></head><body><form/></body></html>"#;
    let other_operation =
        "<DeleteSecurityGroupResponse><requestId>x</requestId><return>true</return></DeleteSecurityGroupResponse>";
    for body in [login_page, other_operation] {
        let stub = Stub::start(vec![Reply::xml(200, body), Reply::xml(200, body)]);
        let error = client(&stub, 1).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        assert!(error.to_string().contains("not <DescribeSecurityGroupsResponse>"), "{error}");
        let error = client(&stub, 1)
            .authorize_security_group_ingress()
            .group_id("sg-1")
            .send()
            .await
            .map_err(ec2_sg::Error::from)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    }
}

#[tokio::test]
async fn an_over_deep_error_answer_is_an_error_not_an_abort() {
    let n = 10_000;
    let body =
        format!("<Response><Errors>{}<Code>X</Code>{}</Errors></Response>", "<Error>".repeat(n), "</Error>".repeat(n));
    let deep_success = format!(
        "<DescribeSecurityGroupsResponse>{}{}</DescribeSecurityGroupsResponse>",
        "<x>".repeat(n),
        "</x>".repeat(n)
    );
    let stub = Stub::start(vec![Reply::xml(400, &body), Reply::xml(200, &deep_success)]);
    let error = client(&stub, 1).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.code(), error.http_status()), (Some("BadRequest"), Some(400)));
    let error = client(&stub, 1).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("nest more than 128 deep"), "{error}");
}

#[tokio::test]
async fn answers_over_the_size_limit_are_refused() {
    let big = format!("<DescribeSecurityGroupsResponse>{}</DescribeSecurityGroupsResponse>", " ".repeat(10_000));
    // Announced by Content-Length, and delimited by the connection's end.
    let stub = Stub::start(vec![Reply::xml(200, &big), Reply::xml(200, &big).without_length(), Reply::xml(200, &big)]);
    for _ in 0..2 {
        let client = Client::from_conf(config(&stub, 1).max_response_bytes(4096).build().unwrap());
        let error = client.describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
        assert!(error.to_string().contains("larger than 4096 bytes"), "{error}");
    }
    // The default limit is generous.
    assert!(client(&stub, 1).describe_security_groups().send().await.is_ok());
}

#[tokio::test]
async fn a_server_that_stops_sending_is_a_timeout() {
    let stub = Stub::start(vec![
        Reply::xml(200, OK).cut_after(40, Duration::from_secs(3)),
        Reply::xml(200, OK).cut_after(40, Duration::from_secs(3)),
        Reply::xml(200, OK),
    ]);
    let config = config(&stub, 1).read_timeout(Duration::from_millis(200));
    let error = Client::from_conf(config.build().unwrap())
        .describe_security_groups()
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.is_retryable());
    // Retried, the next attempt gets the answer.
    let config = config_with_read_timeout(&stub, 2, Duration::from_millis(200));
    let out = Client::from_conf(config).describe_security_groups().send().await.unwrap();
    assert_eq!(out.security_groups().len(), 1);
}

fn config_with_read_timeout(stub: &Stub, attempts: u32, timeout: Duration) -> ec2_sg::Config {
    config(stub, attempts).read_timeout(timeout).build().unwrap()
}

#[test]
fn the_blocking_client_has_a_read_timeout_too() {
    let stub = Stub::start(vec![Reply::xml(200, OK).cut_after(40, Duration::from_secs(3))]);
    let client =
        ec2_sg::blocking::Client::from_conf(config_with_read_timeout(&stub, 1, Duration::from_millis(300))).unwrap();
    let error = client.describe_security_groups().send().map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried() {
    let stub = Stub::start(vec![Reply::xml(200, OK).cut_after(60, Duration::ZERO), Reply::xml(200, OK)]);
    let out = client(&stub, 2).describe_security_groups().send().await.unwrap();
    assert_eq!(out.security_groups().len(), 1);
    assert_eq!(stub.received().len(), 2);
    let stub = Stub::start(vec![Reply::xml(200, OK).cut_after(60, Duration::ZERO)]);
    let error = client(&stub, 1).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
}

#[tokio::test]
async fn an_empty_503_then_an_answer() {
    let stub = Stub::start(vec![Reply::html(503, ""), Reply::xml(200, OK)]);
    let out = client(&stub, 3).describe_security_groups().send().await.unwrap();
    assert_eq!(out.security_groups().len(), 1);
    assert_eq!(stub.received().len(), 2);
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_from_the_services_date() {
    let server_now = SystemTime::now() + Duration::from_secs(3600);
    let skewed = |code: &str, message: &str| {
        Reply::xml(401, &error_body(code, message)).with_header("Date", &http_date(server_now))
    };
    for (code, message) in [
        ("RequestTimeTooSkewed", "The difference between the request time and the current time is too large."),
        ("RequestExpired", "Request has expired."),
        ("SignatureDoesNotMatch", "Signature expired"),
        ("AuthFailure", "Signature expired: 20261202T060000Z is now earlier than 20261202T065500Z"),
    ] {
        let stub = Stub::start(vec![skewed(code, message), Reply::xml(200, OK), Reply::xml(200, OK)]);
        // Corrected even with retries off: it is signing again, once, not a retry.
        let client = client(&stub, 1);
        client.describe_security_groups().send().await.unwrap_or_else(|e| panic!("{code}: {e}"));
        let sent = stub.received();
        assert_eq!(sent.len(), 2, "{code}");
        assert!(
            gap(amz_date_of(&sent[0]), SystemTime::now()) < Duration::from_secs(60),
            "{code}: first signed locally"
        );
        assert!(
            gap(amz_date_of(&sent[1]), server_now) < Duration::from_secs(60),
            "{code}: then with the service's time"
        );
        // Later calls sign with the learned offset from the start.
        client.describe_security_groups().send().await.unwrap();
        let sent = stub.received();
        assert_eq!(sent.len(), 3);
        assert!(gap(amz_date_of(&sent[2]), server_now) < Duration::from_secs(60), "{code}: later calls corrected");
    }
}

#[tokio::test]
async fn a_real_auth_failure_is_not_taken_for_skew() {
    // The same code with the service's clock close to ours: wrong keys, not a wrong clock.
    let reply =
        Reply::xml(401, &error_body("AuthFailure", "AWS was not able to validate the provided access credentials"))
            .with_header("Date", &http_date(SystemTime::now()));
    let stub = Stub::start(vec![reply]);
    let error = client(&stub, 3).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.code(), error.attempts()), (Some("AuthFailure"), 1));
    // A skew answer without a usable Date cannot be corrected.
    let stub =
        Stub::start(vec![Reply::xml(401, &error_body("RequestTimeTooSkewed", "skewed")).with_header("Date", "soon")]);
    let error = client(&stub, 1).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.code(), error.attempts()), (Some("RequestTimeTooSkewed"), 1));
}

#[tokio::test]
async fn a_skew_correction_happens_once_per_call() {
    let server_now = SystemTime::now() + Duration::from_secs(3600);
    let skewed = || {
        Reply::xml(401, &error_body("RequestTimeTooSkewed", "still skewed"))
            .with_header("Date", &http_date(server_now + Duration::from_secs(7200)))
    };
    let stub = Stub::start(vec![skewed(), skewed()]);
    let error = client(&stub, 1).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!(error.code(), Some("RequestTimeTooSkewed"));
    assert_eq!(stub.received().len(), 2, "one correction, then the error");
}

/// Every code the client takes for a refusal about time.
const SKEW_CODES: [&str; 6] = [
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// Before, a `Date` of 1970 or 9999 on a refusal made the client sign again with that time, and
/// every later call of the client too.
#[tokio::test]
async fn an_implausible_date_is_never_learned() {
    let dates = ["Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "garbage, 99 Foo 20xx"];
    let too_far = http_date(SystemTime::now() + Duration::from_secs(25 * 3600));
    for date in dates.iter().copied().chain([too_far.as_str()]) {
        for code in SKEW_CODES {
            let refused = || Reply::xml(401, &error_body(code, "Signature expired")).with_header("Date", date);
            // Refused once, then answered; and refused on every answer.
            for script in [vec![refused(), Reply::xml(200, OK)], vec![refused(), refused(), refused()]] {
                let refusals = script.iter().filter(|reply| reply.status == 401).count();
                let stub = Stub::start(script);
                let client = client(&stub, 3);
                let first = client.describe_security_groups().send().await.map_err(ec2_sg::Error::from);
                let error = first.expect_err("refused");
                assert_eq!((error.code(), error.attempts()), (Some(code), 1), "{date}: not signed again");
                let second = client.describe_security_groups().send().await.map(|_| ()).map_err(ec2_sg::Error::from);
                assert_eq!(second.is_ok(), refusals == 1, "{date} {code}");
                let sent = stub.received();
                assert_eq!(sent.len(), 2, "{date} {code}: at most one attempt per call");
                for request in &sent {
                    let signed = amz_date_of(request);
                    assert!(
                        gap(signed, SystemTime::now()) < Duration::from_secs(60),
                        "{date} {code}: signed with local time"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn a_skew_within_a_day_is_still_corrected() {
    for hours in [-23i64, 23] {
        let server_now = if hours > 0 {
            SystemTime::now() + Duration::from_secs(23 * 3600)
        } else {
            SystemTime::now() - Duration::from_secs(23 * 3600)
        };
        let refused =
            Reply::xml(401, &error_body("RequestTimeTooSkewed", "skewed")).with_header("Date", &http_date(server_now));
        let stub = Stub::start(vec![refused, Reply::xml(200, OK)]);
        client(&stub, 1).describe_security_groups().send().await.unwrap_or_else(|e| panic!("{hours} h: {e}"));
        let sent = stub.received();
        assert_eq!(sent.len(), 2);
        assert!(gap(amz_date_of(&sent[1]), server_now) < Duration::from_secs(60), "{hours} h: signed with its time");
    }
}

#[test]
fn the_blocking_client_learns_no_implausible_date_either() {
    let refused = || {
        Reply::xml(400, &error_body("RequestExpired", "expired")).with_header("Date", "Thu, 01 Jan 1970 00:00:00 GMT")
    };
    let stub = Stub::start(vec![refused(), Reply::xml(200, OK)]);
    let client = ec2_sg::blocking::Client::from_conf(config(&stub, 3).build().unwrap()).unwrap();
    let error = client.describe_security_groups().send().map(|_| ()).map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((error.code(), error.attempts()), (Some("RequestExpired"), 1));
    client.describe_security_groups().send().unwrap();
    for request in stub.received() {
        assert!(gap(amz_date_of(&request), SystemTime::now()) < Duration::from_secs(60), "signed with local time");
    }
}

#[test]
fn the_blocking_client_corrects_skew_too() {
    let server_now = SystemTime::now() - Duration::from_secs(1800);
    let stub = Stub::start(vec![
        Reply::xml(400, &error_body("RequestExpired", "expired")).with_header("Date", &http_date(server_now)),
        Reply::xml(200, OK),
    ]);
    let client = ec2_sg::blocking::Client::from_conf(config(&stub, 1).build().unwrap()).unwrap();
    client.describe_security_groups().send().unwrap();
    let sent = stub.received();
    assert!(gap(amz_date_of(&sent[1]), server_now) < Duration::from_secs(60));
}

#[tokio::test]
async fn recorded_requests_never_show_the_session_token_or_signature() {
    use ec2_sg::runtime::replay::{ExpectedRequest, ReplayClient, ReplayEvent};
    let replay = ReplayClient::new([ReplayEvent::xml(
        ExpectedRequest::operation("DescribeSecurityGroups", "2016-11-15"),
        200,
        OK,
    )]);
    let config = replay
        .config_builder()
        .credentials(Credentials::from_keys("AKIDTEST", "SECRETTEST", Some("TOKEN-MUST-NOT-LEAK".into())))
        .build()
        .unwrap();
    Client::from_conf(config).describe_security_groups().send().await.unwrap();
    let requests = replay.requests();
    let signature = requests[0].header("authorization").expect("signed").to_string();
    assert_eq!(requests[0].header("x-amz-security-token"), Some("TOKEN-MUST-NOT-LEAK"), "sent, but never shown");
    let shown = format!("{replay:?} {requests:?} {:#?}", requests[0]);
    for secret in ["TOKEN-MUST-NOT-LEAK", "SECRETTEST", signature.as_str()] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn into_service_error_of_a_transport_failure_keeps_its_kind() {
    let client = Client::from_conf(refused_endpoint_config().max_attempts(1).build().unwrap());
    let error = client.describe_security_groups().send().await.unwrap_err().into_service_error();
    assert_eq!(error.as_error().kind(), ErrorKind::Transport, "{error}");
    assert_eq!(error.code(), None);
    assert_eq!(ec2_sg::Error::from(error).kind(), ErrorKind::Transport);
}

/// The whole chain, as anyhow's `{:#}` prints it: each error's Display, joined by ": ".
fn chain(error: &dyn std::error::Error) -> Vec<String> {
    let mut texts = vec![error.to_string()];
    let mut next = error.source();
    while let Some(cause) = next {
        texts.push(cause.to_string());
        next = cause.source();
    }
    texts
}

fn assert_each_cause_once(texts: &[String]) {
    for (i, text) in texts.iter().enumerate() {
        for earlier in &texts[..i] {
            assert!(!earlier.contains(text.as_str()), "{text:?} is printed twice in {texts:#?}");
        }
    }
}

#[tokio::test]
async fn a_printed_error_chain_shows_each_cause_once() {
    let stub =
        Stub::start(vec![Reply::xml(400, &error_body("InvalidGroup.NotFound", "The group 'sg-9' does not exist"))]);
    let error = client(&stub, 1).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    let texts = chain(&error);
    assert_each_cause_once(&texts);
    let whole = texts.join(": ");
    assert_eq!(whole.matches("does not exist").count(), 1, "{whole}");
    assert!(whole.contains("InvalidGroup.NotFound"), "{whole}");

    // A refused connection: our text, then reqwest's causes down to the OS error, each once.
    let config = refused_endpoint_config().max_attempts(1).build().unwrap();
    let error =
        Client::from_conf(config).describe_security_groups().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    let texts = chain(&error);
    assert_each_cause_once(&texts);
    assert!(texts.join(": ").to_lowercase().contains("refused"), "{texts:#?}");
}

#[tokio::test]
async fn many_concurrent_calls_lose_nothing() {
    const TASKS: usize = 64;
    const CALLS: usize = 100;
    let stub = Stub::start(vec![Reply::xml(200, OK); TASKS * CALLS]);
    let client = client(&stub, 3);
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let client = client.clone();
        tasks.push(async move {
            let mut ok = 0;
            for _ in 0..CALLS {
                let out = client.describe_security_groups().send().await.expect("call");
                ok += usize::from(out.security_groups()[0].group_id() == Some("sg-1"));
            }
            ok
        });
    }
    let results = join_all(tasks).await;
    assert_eq!(results.iter().sum::<usize>(), TASKS * CALLS);
    assert_eq!(stub.received().len(), TASKS * CALLS);
}

#[cfg(unix)]
#[tokio::test]
async fn a_slow_credential_process_blocks_no_executor_and_runs_once() {
    const CALLS: usize = 8;
    let dir = std::env::temp_dir().join(ec2_sg_tests::moto::unique("ec2-sg-slow-process"));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("credentials.sh");
    let runs = dir.join("runs");
    std::fs::write(
        &script,
        format!(
            "echo run >> '{}'\nsleep 1\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"s\"}}'\n",
            runs.display()
        ),
    )
    .unwrap();
    let config_file = dir.join("config");
    std::fs::write(&config_file, format!("[default]\ncredential_process = sh {}\n", script.display())).unwrap();
    let env = ec2_sg::runtime::env::Env::from_vars([
        ("HOME", "/nonexistent-ec2-sg-test-home".to_string()),
        ("AWS_CONFIG_FILE", config_file.display().to_string()),
    ]);
    let stub = Stub::start(vec![Reply::xml(200, OK); CALLS]);
    let config = ec2_sg::Config::builder().env(env).region("us-east-1").endpoint_url(&stub.endpoint).build().unwrap();
    let client = Client::from_conf(config);

    // On this one-thread runtime, a ticker only advances while nothing blocks the thread.
    let ticks = std::sync::atomic::AtomicU32::new(0);
    let ticks_when_done = std::sync::atomic::AtomicU32::new(0);
    let ticker = async {
        for _ in 0..300 {
            if ticks_when_done.load(std::sync::atomic::Ordering::Relaxed) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let calls = async {
        let calls = (0..CALLS).map(|_| async { usize::from(client.describe_security_groups().send().await.is_ok()) });
        let succeeded = join_all(calls.collect()).await;
        ticks_when_done
            .store(ticks.load(std::sync::atomic::Ordering::Relaxed).max(1), std::sync::atomic::Ordering::Relaxed);
        succeeded
    };
    let ((), succeeded) = tokio::join!(ticker, calls);
    assert_eq!(succeeded.iter().sum::<usize>(), CALLS);
    let ticked = ticks_when_done.load(std::sync::atomic::Ordering::Relaxed);
    // The process takes a second; a blocked executor would tick not at all meanwhile.
    assert!(ticked >= 20, "the executor was blocked: only {ticked} ticks of 10 ms during a 1 s credential_process");
    let runs = std::fs::read_to_string(&runs).unwrap();
    assert_eq!(runs.lines().count(), 1, "one refresh for {CALLS} concurrent calls");
    assert!(stub.received().iter().all(|r| r.header("authorization").is_some_and(|a| a.contains("AKIDPROC"))));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the futures concurrently on the current task (no extra dependency for one test).
async fn join_all<F: std::future::Future<Output = usize>>(futures: Vec<F>) -> Vec<usize> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut results = vec![None; futures.len()];
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, result) in futures.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *result = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|r| r.unwrap_or(0)).collect()
}
