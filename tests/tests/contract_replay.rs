//! The replay client itself (`ec2_sg::runtime::replay`, feature `test-util`): how a request that
//! differs from the recording, one request too many, or an unused event are reported; that
//! parameters compare as a set; the recording wrapper; the fixture format.

use ec2_sg::operation::DescribeTagsOutput;
use ec2_sg::runtime::http::{BlockingHttpClient, HttpClient, HttpResponse};
use ec2_sg::runtime::replay::{
    ExpectedRequest, RecordingClient, ReplayClient, ReplayEvent, EXHAUSTED_CODE, MISMATCH_CODE,
};
use ec2_sg::types::{Filter, Tag};
use ec2_sg::ErrorKind;
use ec2_sg_tests::fixtures::{all, client, load, replay, root};

const SG1: &str = "sg-00000000000000001";

#[tokio::test]
async fn a_different_request_fails_the_call_with_a_parameter_diff_and_is_not_retried() {
    let replay = replay(&["moto/create-tags"]);
    let e = client(&replay)
        .create_tags()
        .resources(SG1)
        .resources("sg-00000000000000002")
        .tags(Tag::builder().key("env").value("prod").build())
        .send()
        .await
        .map_err(ec2_sg::Error::from)
        .unwrap_err();
    assert_eq!((e.kind(), e.code(), e.attempts()), (ErrorKind::Service, Some(MISMATCH_CODE), 1));
    let message = e.message().unwrap();
    assert_eq!(
        message,
        "request 1 (CreateTags) does not match recorded event 1 (CreateTags):\n\
         - parameters differ:\n  \
         ~ Tag.1.Value: expected \"test & more\", sent \"prod\"\n  \
         - Tag.2.Key=owner    (expected, not sent)\n  \
         - Tag.2.Value=<net ops>    (expected, not sent)\n  \
         + ResourceId.2=sg-00000000000000002    (sent, not expected)"
    );
    let report = replay.check().unwrap_err().to_string();
    assert!(report.contains(message), "{report}");
    let panic = std::panic::catch_unwind(|| replay.assert_requests_match()).unwrap_err();
    let panic = panic.downcast_ref::<String>().unwrap();
    assert!(panic.starts_with("the replay did not go as recorded:\nrequest 1 (CreateTags)"), "{panic}");
}

#[tokio::test]
async fn a_different_operation_is_named() {
    let replay = replay(&["moto/delete-tags"]);
    let e = client(&replay).describe_tags().send().await.map_err(ec2_sg::Error::from).unwrap_err();
    let message = e.message().unwrap();
    assert!(message.starts_with("request 1 (DescribeTags) does not match recorded event 1 (DeleteTags)"), "{message}");
    assert!(message.contains("~ Action: expected \"DeleteTags\", sent \"DescribeTags\""), "{message}");
}

#[tokio::test]
async fn one_request_too_many_is_a_clear_error() {
    let replay = replay(&["moto/delete-tags"]);
    let client = client(&replay);
    let delete = || client.delete_tags().resources(SG1).tags(Tag::builder().key("env").build()).send();
    delete().await.unwrap();
    let e = delete().await.map_err(ec2_sg::Error::from).unwrap_err();
    assert_eq!((e.code(), e.attempts()), (Some(EXHAUSTED_CODE), 1));
    assert_eq!(e.message(), Some("request 2 (DeleteTags) was not expected: all 1 recorded events were already used"));
    assert_eq!(replay.remaining(), 0);
    assert!(replay.check().is_err());
}

#[tokio::test]
async fn unused_events_are_reported() {
    let replay = replay(&["moto/delete-tags", "moto/describe-tags"]);
    client(&replay).delete_tags().resources(SG1).tags(Tag::builder().key("env").build()).send().await.unwrap();
    assert_eq!(replay.remaining(), 1);
    assert_eq!(replay.check().unwrap_err().to_string(), "1 of 2 recorded events were not used: event 2 (DescribeTags)");
}

#[tokio::test]
async fn parameters_after_action_and_version_compare_as_a_set() {
    let event = ReplayEvent::xml(
        ExpectedRequest::operation("DescribeTags", "2016-11-15")
            .param("Filter.1.Value.1", SG1)
            .param("Filter.1.Name", "resource-id"),
        200,
        "<DescribeTagsResponse><requestId>r-1</requestId><tagSet/></DescribeTagsResponse>",
    );
    let replay = ReplayClient::new([event]);
    let out = client(&replay)
        .describe_tags()
        .filters(Filter::builder().name("resource-id").values(SG1).build())
        .send()
        .await
        .unwrap();
    assert_eq!(out, DescribeTagsOutput::builder().set_tags(Some(vec![])).request_id("r-1").build());
    replay.assert_requests_match();
}

#[tokio::test]
async fn session_credentials_are_signed_and_checked() {
    let replay = replay(&["moto/delete-tags"]);
    let config = replay
        .config_builder()
        .credentials(ec2_sg::Credentials::from_keys("ASIAREPLAY", "secret", Some("session-token".into())))
        .build()
        .unwrap();
    let client = ec2_sg::Client::from_conf(config);
    client.delete_tags().resources(SG1).tags(Tag::builder().key("env").build()).send().await.unwrap();
    replay.assert_requests_match();
    let sent = &replay.requests()[0];
    assert_eq!(sent.header("X-Amz-Security-Token"), Some("session-token"));
    assert!(sent.header("Authorization").unwrap().contains("x-amz-security-token"));
}

#[tokio::test]
async fn an_unsigned_or_badly_formed_request_is_refused() {
    let replay = replay(&["moto/delete-tags", "moto/delete-tags"]);
    let event = load("moto/delete-tags");
    let body = "Action=DeleteTags&Version=2016-11-15&ResourceId.1=sg-00000000000000001&Tag.1.Key=env";
    let mut request = ec2_sg::runtime::HttpRequest {
        method: "POST",
        scheme: "https".into(),
        authority: "ec2.us-east-1.amazonaws.com".into(),
        path: "/".into(),
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: body.as_bytes().to_vec(),
    };
    assert_eq!(event.request.differences(&request).len(), 2, "{:?}", event.request.differences(&request));
    let response = HttpClient::send(&replay, request.clone(), None).await.unwrap();
    let text = String::from_utf8(response.body.into_vec()).unwrap();
    assert_eq!(response.status, 400);
    for needle in [
        "header Content-Type: expected &quot;application/x-www-form-urlencoded; charset=utf-8&quot;, sent &quot;text/plain&quot;",
        "Authorization: not sent (the request is not signed)",
    ] {
        assert!(text.contains(needle), "{needle}\n{text}");
    }
    request.headers = vec![
        ("Content-Type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
        ("X-Amz-Date".into(), "20240102T030405Z".into()),
        ("Authorization".into(), "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=XYZ".into()),
    ];
    let response = BlockingHttpClient::send(&replay, request, None).unwrap();
    let text = String::from_utf8(response.body.into_vec()).unwrap();
    assert!(text.contains("Signature &quot;XYZ&quot; is not 64 lower-case hex digits"), "{text}");
}

#[tokio::test]
async fn the_recording_wrapper_logs_exchanges_that_replay_again() {
    // Record a call (through a replay, standing in for a live endpoint)...
    let live = replay(&["moto/describe-tags"]);
    let recording = RecordingClient::new(live.clone());
    let config = live.config_builder().http_client(recording.clone()).build().unwrap();
    let call = |client: ec2_sg::Client| async move {
        client.describe_tags().filters(Filter::builder().name("resource-id").values(SG1).build()).send().await
    };
    let first = call(ec2_sg::Client::from_conf(config)).await.unwrap();
    let exchanges = recording.take_exchanges();
    assert_eq!(exchanges.len(), 1);
    assert!(recording.exchanges().is_empty());
    // ...turn it into a fixture and back...
    let event = ReplayEvent::from_exchange(&exchanges[0], &["content-type"]).unwrap();
    assert_eq!(event, load("moto/describe-tags").with_notes_cleared());
    let reread = ReplayEvent::parse(&event.to_fixture()).unwrap();
    assert_eq!(reread, event);
    // ...and it replays to the same output.
    let again = ReplayClient::new([reread]);
    let second = call(client(&again)).await.unwrap();
    assert_eq!(first, second);
    again.assert_requests_match();
}

#[test]
fn the_recording_wrapper_works_with_blocking_clients() {
    let live = replay(&["moto/delete-tags"]);
    let recording = RecordingClient::new(live.clone());
    let config = live.config_builder().blocking_http_client(recording.clone()).build().unwrap();
    let client = ec2_sg::blocking::Client::from_conf(config).unwrap();
    client.delete_tags().resources(SG1).tags(Tag::builder().key("env").build()).send().unwrap();
    let exchanges = recording.exchanges();
    assert_eq!(exchanges.len(), 1);
    assert_eq!(exchanges[0].response.as_ref().map(|r| r.status), Ok(200));
}

trait ClearNotes {
    fn with_notes_cleared(self) -> Self;
}

impl ClearNotes for ReplayEvent {
    fn with_notes_cleared(mut self) -> Self {
        self.notes.clear();
        self
    }
}

/// Every fixture reads back to itself: the recorder's byte for byte, the hand-written ones as values.
#[test]
fn every_fixture_round_trips_through_the_format() {
    let fixtures = all();
    assert!(fixtures.len() >= 35, "{} fixtures", fixtures.len());
    for (name, event) in fixtures {
        let text = event.to_fixture();
        assert_eq!(ReplayEvent::parse(&text).unwrap(), event, "{name}");
        if name.starts_with("moto/") {
            let on_disk = std::fs::read_to_string(root().join(format!("{name}.txt"))).unwrap();
            assert_eq!(text, on_disk, "{name} is not as the recorder writes it");
        }
        assert!(!event.notes.is_empty(), "{name} says nowhere where it comes from");
    }
}

#[test]
fn fixture_errors_name_the_line() {
    let error = ReplayEvent::parse("# note\n--- request\nPOST /\n\nAction=X\n--- response\nHTTP abc\n\n").unwrap_err();
    assert_eq!(error.message(), "line 7: expected `HTTP <status>`, found \"HTTP abc\"");
    let response = HttpResponse { status: 200, headers: vec![], body: b"<x/>".to_vec().into() };
    let event = ReplayEvent::new(ExpectedRequest::operation("X", "1"), response);
    assert!(ReplayEvent::parse(&event.to_fixture().replace("--- response", "")).is_err());
}
