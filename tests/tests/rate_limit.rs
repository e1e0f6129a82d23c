//! Proactive rate limiting (issue 19) of the hand-written runtime, against a loopback server
//! (wiremock on 127.0.0.1:0) that enforces fixed-window buckets per route and major parameter
//! and answers 429 when one is exceeded.

#[allow(dead_code, unused_imports)]
#[path = "../../codegen/runtime/runtime.rs"]
mod runtime;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use runtime::{
    BoxFuture, BucketKey, Client, Error, InProcessLimiter, RateLimit, RateLimited, RateLimiter,
    RequestSpec, RetryPolicy,
};
use serde_json::Value;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Fixed windows of `window` per bucket (the path, which carries the major parameter), `limit`
/// requests each; a window starts at a bucket's first request. Counts what it answered.
struct Buckets {
    limit: u64,
    window: Duration,
    state: Mutex<HashMap<String, (Instant, u64)>>,
    ok: AtomicUsize,
    limited: AtomicUsize,
}

impl Buckets {
    fn new(limit: u64, window: Duration) -> Arc<Self> {
        Arc::new(Buckets {
            limit,
            window,
            state: Mutex::new(HashMap::new()),
            ok: AtomicUsize::new(0),
            limited: AtomicUsize::new(0),
        })
    }
}

struct Responder(Arc<Buckets>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let b = &self.0;
        let now = Instant::now();
        let mut state = b.state.lock().unwrap();
        let entry = state
            .entry(request.url.path().to_owned())
            .or_insert((now, 0));
        if now >= entry.0 + b.window {
            *entry = (now, 0);
        }
        let reset_after = (entry.0 + b.window - now).as_secs_f64();
        if entry.1 >= b.limit {
            b.limited.fetch_add(1, Ordering::SeqCst);
            return ResponseTemplate::new(429)
                .insert_header("x-ratelimit-limit", b.limit.to_string().as_str())
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header(
                    "x-ratelimit-reset-after",
                    format!("{reset_after:.3}").as_str(),
                )
                .insert_header("retry-after", format!("{reset_after:.3}").as_str())
                .set_body_json(serde_json::json!({ "retry_after": reset_after, "global": false }));
        }
        entry.1 += 1;
        b.ok.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200)
            .insert_header("x-ratelimit-limit", b.limit.to_string().as_str())
            .insert_header(
                "x-ratelimit-remaining",
                (b.limit - entry.1).to_string().as_str(),
            )
            .insert_header(
                "x-ratelimit-reset-after",
                format!("{reset_after:.3}").as_str(),
            )
            .set_body_json(serde_json::json!({}))
    }
}

async fn server(buckets: &Arc<Buckets>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Responder(Arc::clone(buckets)))
        .mount(&server)
        .await;
    server
}

fn spec(path: &str, major: &str) -> RequestSpec {
    let mut spec = RequestSpec::new(Method::GET, "/channels/{channel_id}", path.to_owned());
    spec.major_params = vec![major.to_owned()];
    spec
}

fn client(server: &MockServer, limiter: Option<Arc<dyn RateLimiter>>) -> Client {
    let builder = Client::builder(&server.uri()).retry(RetryPolicy::none());
    match limiter {
        Some(limiter) => builder.rate_limiter(limiter),
        None => builder.no_rate_limit(),
    }
    .build()
    .unwrap()
}

async fn get(client: &Client, path: &str, major: &str) -> Result<(), Error<Value>> {
    client
        .execute::<Value, Value>(spec(path, major), &[])
        .await
        .map(|_| ())
}

#[tokio::test]
async fn bucket_learned_from_first_response() {
    let buckets = Buckets::new(2, Duration::from_millis(300));
    let server = server(&buckets).await;
    let client = client(&server, Some(Arc::new(InProcessLimiter::new())));
    let start = Instant::now();
    for _ in 0..6 {
        get(&client, "/channels/1", "1").await.unwrap();
    }
    // 6 requests at 2 per 300 ms need two full waits.
    assert!(
        start.elapsed() >= Duration::from_millis(590),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(buckets.limited.load(Ordering::SeqCst), 0);
    assert_eq!(buckets.ok.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn limiter_turned_off_hits_429() {
    let buckets = Buckets::new(2, Duration::from_millis(300));
    let server = server(&buckets).await;
    let client = client(&server, None);
    let mut failures = 0;
    for _ in 0..4 {
        if let Err(err) = get(&client, "/channels/1", "1").await {
            assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
            failures += 1;
        }
    }
    assert_eq!(failures, 2);
    assert_eq!(buckets.limited.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn two_major_parameters_kept_apart() {
    let buckets = Buckets::new(1, Duration::from_millis(400));
    let server = server(&buckets).await;
    let client = client(&server, Some(Arc::new(InProcessLimiter::new())));
    get(&client, "/channels/1", "1").await.unwrap();
    let start = Instant::now();
    // Channel 1's budget is spent; channel 2's is not and must not wait for it.
    get(&client, "/channels/2", "2").await.unwrap();
    assert!(
        start.elapsed() < Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
    // Channel 1 waits for its reset instead of getting a 429.
    get(&client, "/channels/1", "1").await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(buckets.limited.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn deadline_shorter_than_wait() {
    let buckets = Buckets::new(1, Duration::from_secs(5));
    let server = server(&buckets).await;
    let client = Client::builder(&server.uri())
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .rate_limiter(Arc::new(InProcessLimiter::new()))
        .build()
        .unwrap();
    get(&client, "/channels/1", "1").await.unwrap();
    let start = Instant::now();
    match get(&client, "/channels/1", "1").await {
        Err(Error::RateLimited(limited)) => assert!(limited.wait > Duration::from_secs(4)),
        other => panic!("expected Error::RateLimited, got {other:?}"),
    }
    // Given up at once, not after waiting, and nothing was sent.
    assert!(start.elapsed() < Duration::from_millis(100));
    assert_eq!(buckets.ok.load(Ordering::SeqCst), 1);
    assert_eq!(buckets.limited.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn global_429_blocks_every_bucket() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/channels/1"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(serde_json::json!({ "retry_after": 0.4, "global": true })),
        )
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/channels/2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    let client = client(&server, Some(Arc::new(InProcessLimiter::new())));
    let err = get(&client, "/channels/1", "1").await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    let start = Instant::now();
    get(&client, "/channels/2", "2").await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(350),
        "{:?}",
        start.elapsed()
    );
}

#[derive(Debug, Default)]
struct Counting {
    acquired: Mutex<Vec<BucketKey>>,
    updates: Mutex<Vec<(StatusCode, Option<u64>)>>,
}

impl RateLimiter for Counting {
    fn acquire<'a>(
        &'a self,
        key: &'a BucketKey,
        _deadline: Option<Instant>,
    ) -> BoxFuture<'a, Result<(), RateLimited>> {
        self.acquired.lock().unwrap().push(key.clone());
        Box::pin(async { Ok(()) })
    }

    fn update(&self, _key: &BucketKey, status: StatusCode, info: &RateLimit) {
        self.updates.lock().unwrap().push((status, info.remaining));
    }
}

#[tokio::test]
async fn custom_limiter_is_consulted() {
    let buckets = Buckets::new(5, Duration::from_secs(5));
    let server = server(&buckets).await;
    let counting = Arc::new(Counting::default());
    let client = client(&server, Some(counting.clone()));
    get(&client, "/channels/7", "7").await.unwrap();
    assert_eq!(
        *counting.acquired.lock().unwrap(),
        vec![BucketKey {
            route: "GET /channels/{channel_id}".to_owned(),
            major: vec!["7".to_owned()],
        }]
    );
    assert_eq!(
        *counting.updates.lock().unwrap(),
        vec![(StatusCode::OK, Some(4))]
    );
}
