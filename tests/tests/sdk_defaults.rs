//! What the generated Fluxer SDK does without being configured, proven by the bytes a loopback
//! server receives: its `User-Agent` (issue 16, item 8), and the proactive rate limiter that is
//! on because the spec declares `X-RateLimit-*` headers (issue 19).

use fluxer_sdk::{Client, RetryPolicy};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[tokio::test]
async fn user_agent_is_crate_and_version_plus_the_application_suffix() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users/@me/applications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let plain = Client::builder(&server.uri())
        .session_token("s")
        .build()
        .unwrap();
    plain.oauth2().list_user_applications().await.unwrap();
    let with_app = Client::builder(&server.uri())
        .session_token("s")
        .user_agent_suffix("my-bot/1.2 (+https://example.com)")
        .build()
        .unwrap();
    with_app.oauth2().list_user_applications().await.unwrap();
    let agents: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers["user-agent"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        agents,
        [
            "fluxer-sdk/0.1.0",
            "fluxer-sdk/0.1.0 my-bot/1.2 (+https://example.com)"
        ]
    );
}

/// Fluxer's headers: `X-RateLimit-Limit`, `-Remaining`, and `-Reset` as a Unix time in whole
/// seconds, so windows are whole seconds of the wall clock. Answers 429 over the limit.
struct SecondWindows {
    limit: u64,
    state: Mutex<(u64, u64)>,
    ok: AtomicUsize,
    limited: AtomicUsize,
}

struct Responder(Arc<SecondWindows>);

impl Respond for Responder {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let this = &self.0;
        let second = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut state = this.state.lock().unwrap();
        if state.0 != second {
            *state = (second, 0);
        }
        let reset = (second + 1).to_string();
        if state.1 >= this.limit {
            this.limited.fetch_add(1, Ordering::SeqCst);
            return ResponseTemplate::new(429)
                .insert_header("x-ratelimit-limit", this.limit.to_string().as_str())
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.as_str())
                .insert_header("retry-after", "1")
                .set_body_json(
                    json!({"code": "RATE_LIMITED", "message": "slow down", "retry_after": 1}),
                );
        }
        state.1 += 1;
        this.ok.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200)
            .insert_header("x-ratelimit-limit", this.limit.to_string().as_str())
            .insert_header(
                "x-ratelimit-remaining",
                (this.limit - state.1).to_string().as_str(),
            )
            .insert_header("x-ratelimit-reset", reset.as_str())
            .set_body_json(json!([]))
    }
}

async fn limited_server(limit: u64) -> (MockServer, Arc<SecondWindows>) {
    let windows = Arc::new(SecondWindows {
        limit,
        state: Mutex::new((0, 0)),
        ok: AtomicUsize::new(0),
        limited: AtomicUsize::new(0),
    });
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users/@me/applications"))
        .respond_with(Responder(Arc::clone(&windows)))
        .mount(&server)
        .await;
    (server, windows)
}

#[tokio::test]
async fn the_limiter_is_on_by_default_and_waits_instead_of_hitting_429() {
    let (server, windows) = limited_server(3).await;
    let client = Client::builder(&server.uri())
        .session_token("s")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(client.rate_limiter().is_some());
    let start = Instant::now();
    for _ in 0..7 {
        client.oauth2().list_user_applications().await.unwrap();
    }
    // 7 requests at 3 a second span at least two window boundaries.
    assert!(
        start.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(windows.limited.load(Ordering::SeqCst), 0);
    assert_eq!(windows.ok.load(Ordering::SeqCst), 7);
}

#[tokio::test]
async fn without_the_limiter_the_same_calls_hit_429() {
    let (server, windows) = limited_server(3).await;
    let client = Client::builder(&server.uri())
        .session_token("s")
        .retry(RetryPolicy::none())
        .no_rate_limit()
        .build()
        .unwrap();
    assert!(client.rate_limiter().is_none());
    let mut limited = 0;
    for _ in 0..7 {
        if let Err(err) = client.oauth2().list_user_applications().await {
            assert!(err.is_rate_limited(), "{err}");
            assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
            limited += 1;
        }
    }
    // Unless the 7 calls straddle a second boundary, 4 of them are refused.
    assert!(limited >= 1, "no 429 without the limiter");
    assert_eq!(windows.limited.load(Ordering::SeqCst), limited);
}
