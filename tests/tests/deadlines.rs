//! The runtime as an application meets its failures (issue 16, items 5 and 6): one deadline per
//! call, retries and waits included; a per-attempt timeout; the `on_retry` hook; and the
//! `Error` helpers. Against a loopback server (wiremock on 127.0.0.1).

#[allow(dead_code, unused_imports)]
#[path = "../../codegen/runtime/runtime.rs"]
mod runtime;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use runtime::{Client, Error, RequestSpec, ResponseFuture, RetryCause, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn get(p: &'static str) -> RequestSpec {
    RequestSpec::new(Method::GET, p, p.to_owned())
}

async fn call(client: &Client, p: &'static str) -> Result<Value, Error<Value>> {
    client
        .execute::<Value, Value>(get(p), &[])
        .await
        .map(|r| r.into_inner())
}

/// Answers from a list by the request's number (the last entry repeats).
struct Script(Vec<ResponseTemplate>, AtomicUsize);

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.1.fetch_add(1, Ordering::SeqCst);
        self.0[n.min(self.0.len() - 1)].clone()
    }
}

async fn scripted(responses: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(Script(responses, AtomicUsize::new(0)))
        .mount(&server)
        .await;
    server
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"ok": true}))
}

fn slow(by: Duration) -> ResponseTemplate {
    ok().set_delay(by)
}

#[tokio::test]
async fn the_timeout_bounds_the_whole_call_with_its_retries() {
    // Every attempt hangs: with the default retry policy, 4 attempts used to take 4 timeouts
    // plus the backoffs (6.2 s for 1 s).
    let server = scripted(vec![slow(Duration::from_secs(5))]).await;
    let client = Client::builder(&server.uri())
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = call(&client, "/x").await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(err.is_timeout(), "{err}");
    assert!(elapsed >= Duration::from_millis(790), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1100), "{elapsed:?}");
}

#[tokio::test]
async fn one_call_may_have_its_own_deadline() {
    let server = scripted(vec![slow(Duration::from_secs(5))]).await;
    let client = Client::builder(&server.uri()).build().unwrap();
    let start = Instant::now();
    let result = ResponseFuture::<Value, Value>::json(&client, get("/x"), &[])
        .timeout(Duration::from_millis(300))
        .await;
    assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");
}

#[tokio::test]
async fn a_retry_wait_past_the_deadline_is_not_begun() {
    let server = scripted(vec![
        ResponseTemplate::new(503).insert_header("retry-after", "3")
    ])
    .await;
    let retries = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&retries);
    let client = Client::builder(&server.uri())
        .timeout(Duration::from_secs(1))
        .on_retry(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let start = Instant::now();
    let err = call(&client, "/x").await.unwrap_err();
    // The server's answer, at once, rather than a timeout after waiting in vain.
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(retries.load(Ordering::SeqCst), 0);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_attempt_timeout_retries_a_stalled_attempt_within_the_deadline() {
    let server = scripted(vec![slow(Duration::from_secs(3)), ok()]).await;
    let causes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&causes);
    let client = Client::builder(&server.uri())
        .timeout(Duration::from_secs(5))
        .attempt_timeout(Duration::from_millis(300))
        .on_retry(move |event| {
            let timed_out = matches!(event.cause, RetryCause::Transport(e) if e.is_timeout());
            seen.lock().unwrap().push((event.attempt, timed_out));
        })
        .build()
        .unwrap();
    let start = Instant::now();
    assert_eq!(call(&client, "/x").await.unwrap(), json!({"ok": true}));
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(*causes.lock().unwrap(), [(1, true)]);
}

#[tokio::test]
async fn on_retry_sees_each_retry_before_it_happens() {
    let server = scripted(vec![
        ResponseTemplate::new(503),
        ResponseTemplate::new(429).set_body_json(json!({"retry_after": 0.05})),
        ok(),
    ])
    .await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let policy = RetryPolicy {
        base_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    };
    let client = Client::builder(&server.uri())
        .retry(policy)
        .on_retry(move |event| {
            let status = match event.cause {
                RetryCause::Status(status, _) => Some(status.as_u16()),
                _ => None,
            };
            assert_eq!(event.path, "/x");
            assert_eq!(*event.method, Method::GET);
            seen.lock()
                .unwrap()
                .push((event.attempt, status, event.delay));
        })
        .build()
        .unwrap();
    call(&client, "/x").await.unwrap();
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].0, 1);
    assert_eq!(events[0].1, Some(503));
    // 20 ms backoff plus up to 50 % jitter.
    assert!(events[0].2 >= Duration::from_millis(20) && events[0].2 <= Duration::from_millis(30));
    assert_eq!(events[1], (2, Some(429), Duration::from_millis(50)));
}

#[tokio::test]
async fn error_helpers_name_the_status() {
    let server = MockServer::start().await;
    for (p, status) in [("/401", 401), ("/403", 403), ("/404", 404)] {
        Mock::given(path(p))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
    }
    Mock::given(path("/429"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({"retry_after": 2.5})))
        .mount(&server)
        .await;
    let client = Client::builder(&server.uri())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e401 = call(&client, "/401").await.unwrap_err();
    let e403 = call(&client, "/403").await.unwrap_err();
    let e404 = call(&client, "/404").await.unwrap_err();
    let e429 = call(&client, "/429").await.unwrap_err();
    let all = [&e401, &e403, &e404, &e429];
    let flags = |f: fn(&Error<Value>) -> bool| all.map(f);
    assert_eq!(flags(Error::is_unauthorized), [true, false, false, false]);
    assert_eq!(flags(Error::is_forbidden), [false, true, false, false]);
    assert_eq!(flags(Error::is_not_found), [false, false, true, false]);
    assert_eq!(flags(Error::is_rate_limited), [false, false, false, true]);
    assert_eq!(e404.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(e429.retry_after(), Some(Duration::from_millis(2500)));
    assert_eq!(e401.retry_after(), None);
    let limited: Error<Value> = Error::RateLimited(runtime::RateLimited {
        bucket: "GET /x".to_owned(),
        wait: Duration::from_secs(4),
    });
    assert!(limited.is_rate_limited());
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(4)));
    assert_eq!(limited.status(), None);
}
