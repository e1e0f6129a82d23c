//! Tests of the hand-written HTTP runtime (`codegen/runtime/runtime.rs`) on its own, against a
//! real HTTP server (wiremock) bound to 127.0.0.1:0 in each test.

#[allow(dead_code)]
#[path = "../../codegen/runtime/runtime.rs"]
mod runtime;

use std::time::{Duration, Instant};

use reqwest::Method;
use runtime::{
    encode_path_segment, form_urlencode, param_string, query_push, query_push_array,
    query_push_deep, Body, Client, ClientBuilder, Credential, Error, ErrorDecoders, FilePart,
    Multipart, RateLimit, RequestSpec, ResponseFuture, RetryPolicy, SchemeKind, Secret, Security,
    SecurityScheme, StatusMatch,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

// ------------------------------------------------------------------------------------------
// Fixtures
// ------------------------------------------------------------------------------------------

static BOT: SecurityScheme = SecurityScheme {
    name: "botToken",
    kind: SchemeKind::ApiKeyHeader {
        header: "Authorization",
        prefix: "Bot ",
    },
};
static SESSION: SecurityScheme = SecurityScheme {
    name: "sessionToken",
    kind: SchemeKind::ApiKeyHeader {
        header: "Authorization",
        prefix: "",
    },
};
static ADMIN: SecurityScheme = SecurityScheme {
    name: "adminApiKey",
    kind: SchemeKind::ApiKeyHeader {
        header: "Authorization",
        prefix: "Admin ",
    },
};
static OAUTH: SecurityScheme = SecurityScheme {
    name: "oauth2Token",
    kind: SchemeKind::Bearer,
};
static BASIC: SecurityScheme = SecurityScheme {
    name: "basicAuth",
    kind: SchemeKind::Basic,
};
static QUERY_KEY: SecurityScheme = SecurityScheme {
    name: "queryKey",
    kind: SchemeKind::ApiKeyQuery { param: "api_key" },
};
static COOKIE_KEY: SecurityScheme = SecurityScheme {
    name: "cookieKey",
    kind: SchemeKind::ApiKeyCookie { cookie: "session" },
};
static X_KEY: SecurityScheme = SecurityScheme {
    name: "xKey",
    kind: SchemeKind::ApiKeyHeader {
        header: "X-Api-Key",
        prefix: "",
    },
};

static NO_AUTH: Security = &[];
static BOT_OR_SESSION: Security = &[&[&BOT], &[&SESSION]];
static BOT_OR_ANON: Security = &[&[&BOT], &[]];
static ANON_OR_BOT: Security = &[&[], &[&BOT]];
static ADMIN_ONLY: Security = &[&[&ADMIN]];
static OAUTH_ONLY: Security = &[&[&OAUTH]];
static BASIC_ONLY: Security = &[&[&BASIC]];
static QUERY_ONLY: Security = &[&[&QUERY_KEY]];
static COOKIE_ONLY: Security = &[&[&COOKIE_KEY]];
static BOT_AND_OAUTH: Security = &[&[&BOT, &OAUTH]];
static X_AND_BOT: Security = &[&[&X_KEY, &BOT]];

#[derive(Debug, Deserialize, PartialEq)]
struct ErrorBody {
    code: u32,
    message: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct AuthErrorBody {
    error: String,
    realm: String,
}

#[derive(Debug, PartialEq)]
enum ApiErr {
    BadRequest(ErrorBody),
    Unauthorized(AuthErrorBody),
    Server(ErrorBody),
    ClientClass(Value),
    Other(Value),
}

static ERRORS: ErrorDecoders<ApiErr> = &[
    (StatusMatch::Default, |b| {
        serde_json::from_slice(b).map(ApiErr::Other)
    }),
    (StatusMatch::Range(4), |b| {
        serde_json::from_slice(b).map(ApiErr::ClientClass)
    }),
    (StatusMatch::Code(400), |b| {
        serde_json::from_slice(b).map(ApiErr::BadRequest)
    }),
    (StatusMatch::Code(401), |b| {
        serde_json::from_slice(b).map(ApiErr::Unauthorized)
    }),
    (StatusMatch::Code(500), |b| {
        serde_json::from_slice(b).map(ApiErr::Server)
    }),
];

static ONLY_400: ErrorDecoders<ApiErr> = &[(StatusMatch::Code(400), |b| {
    serde_json::from_slice(b).map(ApiErr::BadRequest)
})];

static NONE: ErrorDecoders<ApiErr> = &[];

#[derive(Debug, Deserialize, PartialEq)]
struct User {
    id: u64,
    name: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Wrapper {
    user: User,
}

async fn server() -> MockServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    MockServer::builder().listener(listener).start().await
}

/// Fast retries so that tests stay short.
fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_backoff: Duration::from_millis(5),
        max_wait: Duration::from_secs(5),
        ..RetryPolicy::default()
    }
}

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(&server.uri()).retry(fast_retry())
}

async fn ok_json(server: &MockServer, body: Value) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording on")
}

async fn only_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request");
    all.remove(0)
}

fn header_values(req: &Request, name: &str) -> Vec<String> {
    req.headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn one_authorization(req: &Request) -> String {
    let values = header_values(req, "authorization");
    assert_eq!(
        values.len(),
        1,
        "exactly one Authorization header: {values:?}"
    );
    values[0].clone()
}

fn get(path_template: &'static str, security: Security) -> RequestSpec {
    RequestSpec::new(Method::GET, path_template, path_template).with_security(security)
}

fn query_pairs(req: &Request) -> Vec<(String, String)> {
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

async fn auth_header_for(client: &Client, server: &MockServer, security: Security) -> String {
    client
        .execute_empty(get("/me", security), NONE)
        .await
        .expect("request succeeds");
    one_authorization(&only_request(server).await)
}

// ------------------------------------------------------------------------------------------
// Authentication
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn bot_token_is_sent_with_bot_prefix() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("botToken", Credential::token("abc.def"))
        .build()
        .unwrap();
    assert_eq!(
        auth_header_for(&client, &server, BOT_OR_SESSION).await,
        "Bot abc.def"
    );
}

#[tokio::test]
async fn session_token_is_sent_bare_when_only_it_is_held() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("sessionToken", Credential::token("sess-123"))
        .build()
        .unwrap();
    assert_eq!(
        auth_header_for(&client, &server, BOT_OR_SESSION).await,
        "sess-123"
    );
}

#[tokio::test]
async fn first_satisfiable_alternative_wins() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("sessionToken", Credential::token("sess"))
        .credential("botToken", Credential::token("bot"))
        .build()
        .unwrap();
    assert_eq!(
        auth_header_for(&client, &server, BOT_OR_SESSION).await,
        "Bot bot"
    );
}

#[tokio::test]
async fn admin_key_is_sent_with_admin_prefix() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("adminApiKey", Credential::token("k1"))
        .build()
        .unwrap();
    assert_eq!(
        auth_header_for(&client, &server, ADMIN_ONLY).await,
        "Admin k1"
    );
}

#[tokio::test]
async fn bearer_token() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("oauth2Token", Credential::token("tok"))
        .build()
        .unwrap();
    assert_eq!(
        auth_header_for(&client, &server, OAUTH_ONLY).await,
        "Bearer tok"
    );
}

#[tokio::test]
async fn basic_auth() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("basicAuth", Credential::basic("user", "pass"))
        .build()
        .unwrap();
    assert_eq!(
        auth_header_for(&client, &server, BASIC_ONLY).await,
        "Basic dXNlcjpwYXNz"
    );
}

#[tokio::test]
async fn api_key_in_query() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("queryKey", Credential::token("q k&1"))
        .build()
        .unwrap();
    let spec = get("/search", QUERY_ONLY).with_query("term", "x");
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert!(req.headers.get("authorization").is_none());
    assert_eq!(
        query_pairs(&req),
        vec![
            ("term".to_owned(), "x".to_owned()),
            ("api_key".to_owned(), "q k&1".to_owned())
        ]
    );
}

#[tokio::test]
async fn api_key_in_cookie_joins_existing_cookie_header() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("cookieKey", Credential::token("c00kie"))
        .build()
        .unwrap();
    let spec = get("/c", COOKIE_ONLY).with_header("Cookie", "theme=dark");
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        header_values(&req, "cookie"),
        vec!["theme=dark; session=c00kie"]
    );
    assert!(req.headers.get("authorization").is_none());
}

#[tokio::test]
async fn and_of_two_authorization_schemes_sends_one_header_first_wins() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("botToken", Credential::token("bot"))
        .credential("oauth2Token", Credential::token("oauth"))
        .default_header("Authorization", "Default stale")
        .build()
        .unwrap();
    assert_eq!(
        auth_header_for(&client, &server, BOT_AND_OAUTH).await,
        "Bot bot"
    );
}

#[tokio::test]
async fn and_of_header_key_and_authorization_sends_both() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("botToken", Credential::token("bot"))
        .credential("xKey", Credential::token("xk"))
        .build()
        .unwrap();
    client
        .execute_empty(get("/x", X_AND_BOT), NONE)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(one_authorization(&req), "Bot bot");
    assert_eq!(header_values(&req, "x-api-key"), vec!["xk"]);
}

#[tokio::test]
async fn and_alternative_needs_every_scheme() {
    let server = server().await;
    let client = builder(&server)
        .credential("botToken", Credential::token("bot"))
        .build()
        .unwrap();
    let err = client
        .execute_empty(get("/x", BOT_AND_OAUTH), NONE)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn empty_security_sends_no_auth_even_with_credentials() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("botToken", Credential::token("bot"))
        .credential("queryKey", Credential::token("qk"))
        .build()
        .unwrap();
    let spec = get("/gateway", NO_AUTH).with_auth(Some(Credential::token("override")));
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert!(req.headers.get("authorization").is_none());
    assert!(req.url.query().is_none());
}

#[tokio::test]
async fn anonymous_alternative_is_used_only_when_nothing_else_fits() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let anonymous = builder(&server).build().unwrap();
    anonymous
        .execute_empty(get("/a", BOT_OR_ANON), NONE)
        .await
        .unwrap();
    let authed = anonymous.with_credential("botToken", Credential::token("bot"));
    // Even with the anonymous alternative listed first, held credentials are sent.
    authed
        .execute_empty(get("/b", ANON_OR_BOT), NONE)
        .await
        .unwrap();
    let all = requests(&server).await;
    assert_eq!(all.len(), 2);
    assert!(all[0].headers.get("authorization").is_none());
    assert_eq!(one_authorization(&all[1]), "Bot bot");
}

#[tokio::test]
async fn missing_credentials_is_an_error_and_sends_nothing() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server).build().unwrap();
    let err = client
        .execute_empty(get("/me", BOT_OR_SESSION), NONE)
        .await
        .unwrap_err();
    match &err {
        Error::InvalidRequest(message) => {
            assert_eq!(message, "no credentials for any of: botToken, sessionToken")
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.status().is_none());
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn credential_of_the_wrong_kind_does_not_satisfy_a_scheme() {
    let server = server().await;
    let client = builder(&server)
        .credential("basicAuth", Credential::token("not-basic"))
        .build()
        .unwrap();
    let err = client
        .execute_empty(get("/x", BASIC_ONLY), NONE)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn per_request_override_replaces_client_credential() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .credential("botToken", Credential::token("client-token"))
        .build()
        .unwrap();
    let spec = get("/me", BOT_OR_SESSION).with_auth(Some(Credential::token("override")));
    client.execute_empty(spec, NONE).await.unwrap();
    assert_eq!(
        one_authorization(&only_request(&server).await),
        "Bot override"
    );
}

#[tokio::test]
async fn per_request_override_works_without_client_credentials() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server).build().unwrap();
    let spec = get("/me", BOT_OR_SESSION).with_auth(Some(Credential::token("ov")));
    client.execute_empty(spec, NONE).await.unwrap();
    assert_eq!(one_authorization(&only_request(&server).await), "Bot ov");
}

#[tokio::test]
async fn with_credential_returns_new_handle_and_keeps_original() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let original = builder(&server)
        .credential("botToken", Credential::token("one"))
        .build()
        .unwrap();
    let changed = original.with_credential("botToken", Credential::token("two"));
    let session = original
        .without_credential("botToken")
        .with_credential("sessionToken", Credential::token("s"));
    original
        .execute_empty(get("/1", BOT_OR_SESSION), NONE)
        .await
        .unwrap();
    changed
        .execute_empty(get("/2", BOT_OR_SESSION), NONE)
        .await
        .unwrap();
    session
        .execute_empty(get("/3", BOT_OR_SESSION), NONE)
        .await
        .unwrap();
    let all = requests(&server).await;
    let auth: Vec<String> = all.iter().map(one_authorization).collect();
    assert_eq!(auth, vec!["Bot one", "Bot two", "s"]);
    assert!(original.has_credential("botToken"));
    assert!(!session.has_credential("botToken"));
}

// ------------------------------------------------------------------------------------------
// Operation futures
// ------------------------------------------------------------------------------------------

/// What generated operations rely on: the future owns its request and borrows only the client,
/// so it can be sent to another task and stored without boxing.
#[test]
fn response_future_is_send_and_unpin_and_borrows_only_the_client() {
    fn assert_send_unpin<F: std::future::Future + Send + Unpin>(_: &F) {}
    let client = Client::builder("http://127.0.0.1:9").build().unwrap();
    let future = {
        let path = String::from("/users/1");
        ResponseFuture::<User, ApiErr>::json(
            &client,
            RequestSpec::new(Method::GET, "/users/{id}", path),
            NONE,
        )
    };
    assert_send_unpin(&future);
    assert!(format!("{future:?}").contains("/users/{id}"));
}

#[tokio::test]
async fn response_future_sends_nothing_until_polled() {
    let server = server().await;
    ok_json(&server, json!({"id": 1, "name": "a"})).await;
    let client = builder(&server).build().unwrap();
    let future: ResponseFuture<'_, User, ApiErr> =
        ResponseFuture::json(&client, get("/users/1", &[]), NONE);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        requests(&server).await.is_empty(),
        "created, not yet polled"
    );
    drop(future);
    assert!(requests(&server).await.is_empty(), "dropped unpolled");

    let response = ResponseFuture::<User, ApiErr>::json(&client, get("/users/1", &[]), NONE)
        .await
        .unwrap();
    assert_eq!(
        response.into_inner(),
        User {
            id: 1,
            name: "a".into()
        }
    );
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn response_future_runs_on_another_task() {
    let server = server().await;
    ok_json(&server, json!({"id": 7, "name": "b"})).await;
    let client = std::sync::Arc::new(builder(&server).build().unwrap());
    let task = tokio::spawn({
        let client = client.clone();
        async move {
            ResponseFuture::<User, ApiErr>::json(&client, get("/users/7", &[]), NONE)
                .await
                .map(|r| r.into_inner())
        }
    });
    assert_eq!(
        task.await.unwrap().unwrap(),
        User {
            id: 7,
            name: "b".into()
        }
    );
}

#[tokio::test]
async fn empty_response_future_ignores_a_success_body() {
    let server = server().await;
    ok_json(&server, json!({"unexpected": ["body"]})).await;
    let client = builder(&server).build().unwrap();
    let response = ResponseFuture::<(), ApiErr>::empty(&client, get("/ping", &[]), NONE)
        .await
        .expect("a 2xx body is ignored");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn body_that_cannot_be_encoded_fails_when_sent_and_sends_nothing() {
    struct Unencodable;
    impl Serialize for Unencodable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no wire form"))
        }
    }
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server).build().unwrap();
    let mut req = RequestSpec::new(Method::POST, "/things", "/things");
    req.set_body(Body::json(&Unencodable));
    let err = ResponseFuture::<(), ApiErr>::empty(&client, req, NONE)
        .await
        .unwrap_err();
    match err {
        Error::InvalidRequest(message) => assert_eq!(
            message,
            "the request body could not be encoded: no wire form"
        ),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(requests(&server).await.is_empty());
}

// ------------------------------------------------------------------------------------------
// Retries and rate limits
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn rate_limited_then_ok_waits_retry_after_header() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"message": "slow down"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    ok_json(&server, json!({"id": 7, "name": "n"})).await;
    let client = builder(&server).build().unwrap();
    let started = Instant::now();
    let user = client
        .execute::<User, ApiErr>(get("/u", NO_AUTH), NONE)
        .await
        .unwrap()
        .into_inner();
    let elapsed = started.elapsed();
    assert_eq!(user.id, 7);
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn rate_limited_then_ok_waits_body_retry_after() {
    let server = server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).set_body_json(
            json!({"message": "You are being rate limited.", "retry_after": 0.3, "global": false}),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    ok_json(&server, json!({"ok": true})).await;
    let client = builder(&server).build().unwrap();
    let started = Instant::now();
    // 429 is retried for non-idempotent methods too.
    let spec = RequestSpec::new(Method::POST, "/m", "/m")
        .with_body(Body::json(&json!({"content": "hi"})).unwrap());
    let value = client
        .execute::<Value, ApiErr>(spec, NONE)
        .await
        .unwrap()
        .into_inner();
    assert!(started.elapsed() >= Duration::from_millis(270));
    assert_eq!(value, json!({"ok": true}));
    let all = requests(&server).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].body, br#"{"content":"hi"}"#);
}

#[tokio::test]
async fn retry_disabled_returns_429_with_rate_limit() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-RateLimit-Limit", "10")
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset", "1700000000.25")
                .insert_header("X-RateLimit-Reset-After", "2.5")
                .insert_header("X-RateLimit-Bucket", "abcd")
                .insert_header("X-RateLimit-Global", "true")
                .insert_header("Retry-After", "3")
                .set_body_json(json!({"code": 429, "message": "rate limited"})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).retry(RetryPolicy::none()).build().unwrap();
    let err = client
        .execute::<Value, _>(get("/u", NO_AUTH), ERRORS)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
    assert!(err.is_rate_limited());
    assert_eq!(
        err.rate_limit(),
        Some(&RateLimit {
            limit: Some(10),
            remaining: Some(0),
            reset: Some(1_700_000_000.25),
            reset_after: Some(2.5),
            retry_after: Some(Duration::from_secs(3)),
            bucket: Some("abcd".to_owned()),
            global: true,
        })
    );
    assert_eq!(
        err.api_body(),
        Some(&ApiErr::ClientClass(
            json!({"code": 429, "message": "rate limited"})
        ))
    );
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn rate_limit_reads_body_retry_after_when_header_missing() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"message": "slow", "retry_after": 1.5, "global": true})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).retry(RetryPolicy::none()).build().unwrap();
    let err = client
        .execute_empty(get("/u", NO_AUTH), NONE)
        .await
        .unwrap_err();
    let rate_limit = err.rate_limit().unwrap();
    assert_eq!(rate_limit.retry_after, Some(Duration::from_millis(1500)));
    assert!(rate_limit.global);
}

#[tokio::test]
async fn rate_limit_wait_above_max_wait_is_not_retried() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry(RetryPolicy {
            max_wait: Duration::from_secs(2),
            ..fast_retry()
        })
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .execute_empty(get("/u", NO_AUTH), NONE)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn rate_limited_retries_are_bounded() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0.01"))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry(RetryPolicy {
            max_retries: 2,
            ..fast_retry()
        })
        .build()
        .unwrap();
    let err = client
        .execute_empty(get("/u", NO_AUTH), NONE)
        .await
        .unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(requests(&server).await.len(), 3);
}

async fn mount_503_then_ok(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(503).set_body_string("unavailable"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    ok_json(server, json!({"id": 1, "name": "x"})).await;
}

#[tokio::test]
async fn server_error_on_get_is_retried() {
    let server = server().await;
    mount_503_then_ok(&server).await;
    let client = builder(&server).build().unwrap();
    let user = client
        .execute::<User, _>(get("/u", NO_AUTH), NONE)
        .await
        .unwrap();
    assert_eq!(user.status().as_u16(), 200);
    assert_eq!(user.name, "x");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn server_error_on_post_is_not_retried() {
    let server = server().await;
    mount_503_then_ok(&server).await;
    let client = builder(&server).build().unwrap();
    let spec = RequestSpec::new(Method::POST, "/u", "/u");
    let err = client.execute::<User, _>(spec, NONE).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    match &err {
        Error::Api(api) => {
            assert!(api.body.is_none());
            assert_eq!(&api.raw[..], b"unavailable");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn server_error_retry_can_be_disabled() {
    let server = server().await;
    mount_503_then_ok(&server).await;
    let client = builder(&server)
        .retry(RetryPolicy {
            retry_server_errors: false,
            ..fast_retry()
        })
        .build()
        .unwrap();
    let err = client
        .execute_empty(get("/u", NO_AUTH), NONE)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await.len(), 1);
}

#[test]
fn backoff_grows_and_is_capped() {
    let policy = RetryPolicy {
        base_backoff: Duration::from_millis(100),
        max_wait: Duration::from_millis(1000),
        ..RetryPolicy::default()
    };
    for _ in 0..50 {
        let first = policy.backoff(0);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(150));
        let third = policy.backoff(2);
        assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(600));
        assert_eq!(policy.backoff(10), Duration::from_millis(1000));
        assert_eq!(policy.backoff(u32::MAX), Duration::from_millis(1000));
    }
    let none = RetryPolicy::none();
    assert_eq!(none.max_retries, 0);
    assert!(!none.retry_rate_limited);
    let default = RetryPolicy::default();
    assert_eq!(default.max_retries, 3);
    assert_eq!(default.max_wait, Duration::from_secs(60));
    assert_eq!(default.base_backoff, Duration::from_millis(250));
    assert!(
        default.retry_rate_limited
            && default.retry_server_errors
            && default.retry_connection_errors
    );
}

// ------------------------------------------------------------------------------------------
// Error decoding
// ------------------------------------------------------------------------------------------

async fn error_for(status: u16, body: Value, errors: ErrorDecoders<ApiErr>) -> Error<ApiErr> {
    let server = server().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let client = builder(&server).retry(RetryPolicy::none()).build().unwrap();
    client
        .execute::<Value, _>(get("/e", NO_AUTH), errors)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn server_error_body_is_decoded_with_the_table() {
    let err = error_for(500, json!({"code": 50000, "message": "boom"}), ERRORS).await;
    assert_eq!(
        err.api_body(),
        Some(&ApiErr::Server(ErrorBody {
            code: 50000,
            message: "boom".to_owned()
        }))
    );
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status.as_u16(), 500);
    assert_eq!(
        serde_json::from_slice::<Value>(&api.raw).unwrap(),
        json!({"code": 50000, "message": "boom"})
    );
}

#[tokio::test]
async fn status_400_and_401_use_different_models() {
    let bad = error_for(
        400,
        json!({"code": 50035, "message": "Invalid Form Body"}),
        ERRORS,
    )
    .await;
    assert_eq!(
        bad.api_body(),
        Some(&ApiErr::BadRequest(ErrorBody {
            code: 50035,
            message: "Invalid Form Body".to_owned()
        }))
    );
    let unauthorized = error_for(
        401,
        json!({"error": "invalid_token", "realm": "api"}),
        ERRORS,
    )
    .await;
    assert_eq!(
        unauthorized.api_body(),
        Some(&ApiErr::Unauthorized(AuthErrorBody {
            error: "invalid_token".to_owned(),
            realm: "api".to_owned()
        }))
    );
}

#[tokio::test]
async fn range_matcher_is_used_when_no_exact_code_matches() {
    let err = error_for(404, json!({"message": "Unknown Channel"}), ERRORS).await;
    assert_eq!(
        err.api_body(),
        Some(&ApiErr::ClientClass(json!({"message": "Unknown Channel"})))
    );
}

#[tokio::test]
async fn default_matcher_is_the_last_resort() {
    let err = error_for(502, json!({"why": "proxy"}), ERRORS).await;
    assert_eq!(
        err.api_body(),
        Some(&ApiErr::Other(json!({"why": "proxy"})))
    );
}

#[tokio::test]
async fn no_matcher_or_failed_decoding_keeps_raw_body() {
    let err = error_for(404, json!({"message": "nope"}), ONLY_400).await;
    assert!(err.api_body().is_none());
    assert_eq!(
        serde_json::from_slice::<Value>(err.raw_body().unwrap()).unwrap(),
        json!({"message": "nope"})
    );
    // Code(400) matches but the body is not an ErrorBody.
    let err = error_for(400, json!({"unexpected": true}), ONLY_400).await;
    assert!(err.api_body().is_none());
    assert!(!err.raw_body().unwrap().is_empty());
}

#[tokio::test]
async fn malformed_json_success_is_a_decode_error() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"id\": 1,", "application/json"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client
        .execute::<User, ApiErr>(get("/u", NO_AUTH), ERRORS)
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.status.as_u16(), 200);
    assert!(!decode.path.is_empty());
    assert!(!decode.message.is_empty());
    assert_eq!(&decode.raw[..], b"{\"id\": 1,");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn wrong_typed_field_reports_its_path() {
    let server = server().await;
    ok_json(
        &server,
        json!({"user": {"id": "not-a-number", "name": "n"}}),
    )
    .await;
    let client = builder(&server).build().unwrap();
    let err = client
        .execute::<Wrapper, ApiErr>(get("/u", NO_AUTH), ERRORS)
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.path, "user.id");
    assert!(
        decode.message.contains("invalid type"),
        "{}",
        decode.message
    );
    assert!(err.to_string().contains("user.id"));
}

#[tokio::test]
async fn empty_and_raw_success_bodies() {
    let server = server().await;
    Mock::given(path("/empty"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(path("/bytes"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(vec![0u8, 159, 146, 150], "application/octet-stream"),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let empty = client
        .execute_empty(RequestSpec::new(Method::DELETE, "/empty", "/empty"), NONE)
        .await
        .unwrap();
    assert_eq!(empty.status().as_u16(), 204);

    let value = client
        .execute::<Value, ApiErr>(get("/empty", NO_AUTH), NONE)
        .await
        .unwrap();
    assert_eq!(*value, Value::Null);

    let unit = client
        .execute::<Option<User>, ApiErr>(get("/empty", NO_AUTH), NONE)
        .await
        .unwrap();
    assert!(unit.is_none());

    let raw = client
        .execute_bytes(get("/bytes", NO_AUTH), NONE)
        .await
        .unwrap();
    assert_eq!(&raw[..], &[0u8, 159, 146, 150]);
    assert_eq!(
        raw.headers().get("content-type").unwrap(),
        "application/octet-stream"
    );

    let all = requests(&server).await;
    assert_eq!(header_values(&all[0], "accept"), vec!["application/json"]);
    assert_eq!(header_values(&all[3], "accept"), vec!["*/*"]);
}

// ------------------------------------------------------------------------------------------
// Transport
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn slow_response_is_a_timeout() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = builder(&server)
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .execute_empty(get("/slow", NO_AUTH), NONE)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(err.is_timeout());
    assert_eq!(err.to_string(), "request timed out");
}

#[tokio::test]
async fn timeout_applies_to_injected_client_when_set() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = builder(&server)
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .execute_empty(get("/slow", NO_AUTH), NONE)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

/// A local port with nothing listening on it.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_without_secrets() {
    let client = Client::builder(&closed_port_url())
        .retry(RetryPolicy {
            max_retries: 2,
            base_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .credential("queryKey", Credential::token("super-secret-query-key"))
        .build()
        .unwrap();
    let spec = RequestSpec::new(Method::POST, "/x", "/x").with_security(QUERY_ONLY);
    let err = client.execute_empty(spec, NONE).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.status().is_none());
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("super-secret-query-key"), "{shown}");
    assert!(std::error::Error::source(&err).is_some());
}

// ------------------------------------------------------------------------------------------
// Bodies
// ------------------------------------------------------------------------------------------

/// Splits a multipart body into (part headers, part content) pairs.
fn multipart_parts(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("boundary in content type")
        .trim_matches('"')
        .to_owned();
    let delimiter = format!("--{boundary}");
    let text = body.to_vec();
    let mut parts = Vec::new();
    let mut rest: &[u8] = &text;
    loop {
        let start = find(rest, delimiter.as_bytes()).expect("delimiter");
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        rest = &rest[2..]; // CRLF
        let end = find(rest, delimiter.as_bytes()).expect("next delimiter");
        let part = &rest[..end - 2]; // without the CRLF before the delimiter
        let split = find(part, b"\r\n\r\n").expect("part headers");
        parts.push((
            String::from_utf8(part[..split].to_vec()).unwrap(),
            part[split + 4..].to_vec(),
        ));
        rest = &rest[end..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[derive(Serialize)]
struct MessageCreate {
    attachments: Vec<Attachment>,
    content: String,
    flags: u32,
    nonce: Option<String>,
    tts: bool,
}

#[derive(Serialize)]
struct Attachment {
    filename: String,
    id: u32,
}

#[tokio::test]
async fn multipart_body_as_the_server_receives_it() {
    let server = server().await;
    // PUT is retried after the 503: the multipart body must be rebuilt for the second attempt.
    mount_503_then_ok(&server).await;
    let client = builder(&server).build().unwrap();
    let mut form = Multipart::from_serialize(&MessageCreate {
        attachments: vec![Attachment {
            filename: "a.png".to_owned(),
            id: 0,
        }],
        content: "hello".to_owned(),
        flags: 4,
        nonce: None,
        tts: false,
    })
    .unwrap();
    form.file(
        "files[0]",
        FilePart::named("a.png", vec![0x89u8, b'P', b'N', b'G']).with_content_type("image/png"),
    )
    .json("payload_json", &json!({"k": 1}))
    .unwrap()
    .text("extra", "x y");
    assert_eq!(form.len(), 7);
    let spec = RequestSpec::new(Method::PUT, "/upload", "/upload")
        .with_header("Content-Type", "multipart/form-data")
        .with_body(Body::Multipart(form));
    client.execute_empty(spec, NONE).await.unwrap();

    let all = requests(&server).await;
    assert_eq!(all.len(), 2);
    for req in &all {
        let content_type = header_values(req, "content-type");
        assert_eq!(content_type.len(), 1);
        assert!(
            content_type[0].starts_with("multipart/form-data; boundary="),
            "{content_type:?}"
        );
        let parts = multipart_parts(&content_type[0], &req.body);
        let names: Vec<&str> = parts
            .iter()
            .map(|(headers, _)| {
                headers
                    .split("name=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "attachments",
                "content",
                "flags",
                "tts",
                "files[0]",
                "payload_json",
                "extra"
            ]
        );
        // An array is one part per item; an object item is a JSON part.
        let attachments: Value = serde_json::from_slice(&parts[0].1).unwrap();
        assert_eq!(attachments, json!({"filename": "a.png", "id": 0}));
        assert!(parts[0].0.contains("application/json"));
        assert_eq!(parts[1].1, b"hello");
        assert_eq!(parts[2].1, b"4");
        assert_eq!(parts[3].1, b"false");
        let (file_headers, file_data) = &parts[4];
        assert!(
            file_headers.contains("filename=\"a.png\""),
            "{file_headers}"
        );
        assert!(
            file_headers.contains("Content-Type: image/png"),
            "{file_headers}"
        );
        assert_eq!(file_data, &[0x89u8, b'P', b'N', b'G']);
        assert_eq!(parts[5].1, br#"{"k":1}"#);
        assert_eq!(parts[6].1, b"x y");
    }
}

#[tokio::test]
async fn multipart_with_invalid_media_type_is_rejected_before_sending() {
    let server = server().await;
    let client = builder(&server).build().unwrap();
    let mut form = Multipart::new();
    form.file(
        "f",
        FilePart::new(&b"data"[..]).with_content_type("not a mime"),
    );
    let spec = RequestSpec::new(Method::POST, "/u", "/u").with_body(form.into());
    let err = client.execute_empty(spec, NONE).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(requests(&server).await.is_empty());
}

#[derive(Serialize)]
struct Grant {
    a: Inner,
    code: String,
    list: Vec<u32>,
    missing: Option<String>,
    scope: String,
}

#[derive(Serialize)]
struct Inner {
    b: String,
    deep: Deeper,
}

#[derive(Serialize)]
struct Deeper {
    x: bool,
}

#[tokio::test]
async fn form_body_in_default_and_declared_styles() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server).build().unwrap();
    let body = Body::form(&Grant {
        a: Inner {
            b: "c".to_owned(),
            deep: Deeper { x: true },
        },
        code: "a&b=c".to_owned(),
        list: vec![1, 2],
        missing: None,
        scope: "identify guilds".to_owned(),
    })
    .unwrap();
    let spec = RequestSpec::new(Method::POST, "/oauth2/token", "/oauth2/token").with_body(body);
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        header_values(&req, "content-type"),
        vec!["application/x-www-form-urlencoded"]
    );
    let body = String::from_utf8(req.body.clone()).unwrap();
    // OpenAPI's default for form fields is `form`, exploded: an array repeats its name, an
    // object spreads its fields (a nested object inside is written `k,v`).
    assert_eq!(
        body,
        "b=c&deep=x%2Ctrue&code=a%26b%3Dc&list=1&list=2&scope=identify+guilds"
    );
    assert!(Body::form(&[1, 2]).is_err());

    // The styles an `encoding` object declares: deepObject as Stripe reads it, and the others.
    let styled = |styles: &[(&str, runtime::Style)]| {
        let Body::Form(pairs) = Body::form_styled(
            &json!({"a": {"b": "c", "deep": {"x": true}}, "list": [1, 2], "items": [{"price": "p"}]}),
            styles,
        )
        .unwrap() else {
            panic!("not a form body")
        };
        form_urlencode(&pairs)
    };
    use runtime::Style;
    assert_eq!(
        styled(&[
            ("a", Style::DeepObject),
            ("list", Style::DeepObject),
            ("items", Style::DeepObject)
        ]),
        "a%5Bb%5D=c&a%5Bdeep%5D%5Bx%5D=true&list%5B%5D=1&list%5B%5D=2&items%5B0%5D%5Bprice%5D=p"
    );
    assert_eq!(
        styled(&[
            ("list", Style::FormUnexploded),
            ("a", Style::FormUnexploded)
        ]),
        "a=b%2Cc%2Cdeep%2Cx%2Ctrue&list=1%2C2&items=price%2Cp"
    );
    assert_eq!(
        styled(&[("list", Style::SpaceDelimited)])
            .split('&')
            .find(|p| p.starts_with("list")),
        Some("list=1+2")
    );
    assert_eq!(
        styled(&[("list", Style::PipeDelimited)])
            .split('&')
            .find(|p| p.starts_with("list")),
        Some("list=1%7C2")
    );
}

#[tokio::test]
async fn json_body_on_delete() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let spec = RequestSpec::new(Method::DELETE, "/users/@me", "/users/@me")
        .with_body(Body::json(&json!({"password": "hunter2"})).unwrap());
    assert!(!format!("{spec:?}").contains("hunter2"));
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method.as_str(), "DELETE");
    assert_eq!(
        header_values(&req, "content-type"),
        vec!["application/json"]
    );
    assert_eq!(
        req.body_json::<Value>().unwrap(),
        json!({"password": "hunter2"})
    );
}

#[tokio::test]
async fn raw_bytes_body_keeps_its_content_type() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server).build().unwrap();
    let spec = RequestSpec::new(Method::PUT, "/blob", "/blob")
        .with_body(Body::bytes("text/plain; charset=utf-8", "plain text"));
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        header_values(&req, "content-type"),
        vec!["text/plain; charset=utf-8"]
    );
    assert_eq!(req.body, b"plain text");
}

// ------------------------------------------------------------------------------------------
// Parameters and URLs
// ------------------------------------------------------------------------------------------

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum SortOrder {
    NewestFirst,
}

#[tokio::test]
async fn query_arrays_exploded_and_not() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server).build().unwrap();
    let mut spec = get("/q", NO_AUTH);
    query_push_array(&mut spec.query, "ids", &[1u64, 2, 3], true);
    query_push_array(&mut spec.query, "tags", &["a b", "c,d"], false);
    query_push_array::<u8>(&mut spec.query, "empty", &[], true);
    query_push(&mut spec.query, "limit", &50);
    query_push(&mut spec.query, "before", &None::<u64>);
    query_push(&mut spec.query, "after", &Some(10u64));
    query_push(&mut spec.query, "order", &SortOrder::NewestFirst);
    query_push(&mut spec.query, "with_counts", &true);
    query_push(&mut spec.query, "channel", &vec!["x", "y"]);
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    let pairs: Vec<(String, String)> = query_pairs(&req);
    let expected: Vec<(String, String)> = [
        ("ids", "1"),
        ("ids", "2"),
        ("ids", "3"),
        ("tags", "a b,c,d"),
        ("limit", "50"),
        ("after", "10"),
        ("order", "newest_first"),
        ("with_counts", "true"),
        ("channel", "x"),
        ("channel", "y"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(pairs, expected);
    // Space is %20 in the query; the unexploded array's commas are percent-encoded.
    assert!(
        req.url.query().unwrap().contains("tags=a%20b%2Cc%2Cd"),
        "{:?}",
        req.url.query()
    );
}

#[derive(Serialize)]
struct Filter {
    name: String,
    range: Range,
    skip: Option<u8>,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Range {
    max: u32,
    min: u32,
}

#[tokio::test]
async fn deep_object_query() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server).build().unwrap();
    let mut spec = get("/q", NO_AUTH);
    query_push_deep(
        &mut spec.query,
        "filter",
        &Filter {
            name: "x y".to_owned(),
            range: Range { max: 9, min: 1 },
            skip: None,
            tags: vec!["t1".to_owned(), "t2".to_owned()],
        },
    );
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    let pairs = query_pairs(&req);
    let expected: Vec<(String, String)> = [
        ("filter[name]", "x y"),
        ("filter[range][max]", "9"),
        ("filter[range][min]", "1"),
        ("filter[tags][]", "t1"),
        ("filter[tags][]", "t2"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(pairs, expected);
}

#[tokio::test]
async fn path_segment_encoding_reaches_the_server() {
    assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
    assert_eq!(encode_path_segment("AZaz09-._~"), "AZaz09-._~");
    assert_eq!(encode_path_segment("é?#%"), "%C3%A9%3F%23%25");
    let server = server().await;
    ok_json(&server, json!({})).await;
    // Trailing slash of the base URL is trimmed.
    let client = Client::builder(&format!("{}/api/v1/", server.uri()))
        .build()
        .unwrap();
    assert_eq!(client.base_url(), format!("{}/api/v1", server.uri()));
    let path = format!("/items/{}", encode_path_segment("a/b c"));
    let spec = RequestSpec::new(Method::GET, "/items/{id}", path);
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.url.path(), "/api/v1/items/a%2Fb%20c");
}

#[test]
fn param_strings() {
    assert_eq!(param_string("plain text"), "plain text");
    assert_eq!(param_string(&String::from("s")), "s");
    assert_eq!(param_string(&42u64), "42");
    assert_eq!(param_string(&-7i32), "-7");
    assert_eq!(param_string(&1.5f64), "1.5");
    assert_eq!(param_string(&true), "true");
    assert_eq!(param_string(&SortOrder::NewestFirst), "newest_first");
    assert_eq!(param_string(&Some(3u8)), "3");
    assert_eq!(param_string(&None::<u8>), "");
    assert_eq!(param_string(&[1, 2, 3]), "1,2,3");
    assert_eq!(param_string(&u64::MAX), "18446744073709551615");
}

// ------------------------------------------------------------------------------------------
// Headers, configuration, secrecy
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn user_agent_default_headers_and_accept_arrive() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server)
        .user_agent("fluxer-sdk/0.1.0")
        .default_header("X-Audit-Log-Reason", "testing")
        .default_header("X-Trace", "old")
        .default_header("x-trace", "new")
        .default_header("X-Override-Me", "default")
        .build()
        .unwrap();
    let spec = get("/h", NO_AUTH).with_header("X-Override-Me", "per-op");
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(header_values(&req, "user-agent"), vec!["fluxer-sdk/0.1.0"]);
    assert_eq!(header_values(&req, "x-audit-log-reason"), vec!["testing"]);
    assert_eq!(header_values(&req, "x-trace"), vec!["new"]);
    assert_eq!(header_values(&req, "x-override-me"), vec!["per-op"]);
    assert_eq!(header_values(&req, "accept"), vec!["application/json"]);
}

#[tokio::test]
async fn explicit_accept_and_header_params_are_kept() {
    let server = server().await;
    ok_json(&server, json!({})).await;
    let client = builder(&server).build().unwrap();
    let mut spec = get("/h", NO_AUTH).with_header("Accept", "text/plain");
    spec.push_header("X-Count", &3u8);
    spec.push_header("X-Absent", &None::<String>);
    client.execute_empty(spec, NONE).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(header_values(&req, "accept"), vec!["text/plain"]);
    assert_eq!(header_values(&req, "x-count"), vec!["3"]);
    assert!(req.headers.get("x-absent").is_none());
}

#[tokio::test]
async fn invalid_header_value_is_an_invalid_request() {
    let server = server().await;
    let client = builder(&server).build().unwrap();
    let spec = get("/h", NO_AUTH).with_header("X-Bad", "line\nbreak");
    let err = client.execute_empty(spec, NONE).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(requests(&server).await.is_empty());
}

#[test]
fn build_rejects_bad_configuration() {
    let err = Client::builder("not a url").build().unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let err = Client::builder("ftp://example.com").build().unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)));
    let err = Client::builder("http://127.0.0.1:1")
        .default_header("Bad Name", "v")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)));
    // The build error converts into an operation's error type.
    let converted: Error<ApiErr> = err.cast();
    assert!(matches!(converted, Error::InvalidRequest(_)));
    let client = Client::builder("http://127.0.0.1:1/")
        .base_url("http://127.0.0.1:2/base/")
        .connect_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:2/base");
}

#[test]
fn secrets_never_show_in_debug_or_display() {
    let secret = Secret::from("tok-SECRET");
    assert_eq!(format!("{secret:?}"), "***");
    assert_eq!(format!("{secret}"), "***");
    assert_eq!(secret.expose(), "tok-SECRET");
    assert_eq!(Secret::from(String::from("x")).expose(), "x");
    let token = Credential::token("tok-SECRET");
    assert!(!format!("{token:?}").contains("tok-SECRET"));
    let basic = Credential::basic("alice", "pw-SECRET");
    let shown = format!("{basic:?}");
    assert!(
        !shown.contains("pw-SECRET") && shown.contains("alice"),
        "{shown}"
    );
    let builder = Client::builder("http://127.0.0.1:1")
        .credential("botToken", Credential::token("tok-SECRET"))
        .default_header("X-Key", "hdr-SECRET");
    let shown = format!("{builder:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(
        !shown.contains("SECRET") && shown.contains("botToken"),
        "{shown}"
    );
    let spec = get("/x", BOT_OR_SESSION)
        .with_header("X-Key", "hdr-SECRET")
        .with_auth(Some(Credential::token("tok-SECRET")));
    assert!(!format!("{spec:?}").contains("SECRET"));
}

#[tokio::test]
async fn error_display_contains_no_token() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "bad token", "realm": "api"})),
        )
        .mount(&server)
        .await;
    let client = builder(&server)
        .credential("botToken", Credential::token("tok-SECRET-123"))
        .build()
        .unwrap();
    let err = client
        .execute::<Value, _>(get("/me", BOT_OR_SESSION), ERRORS)
        .await
        .unwrap_err();
    // The token did go out...
    assert_eq!(
        one_authorization(&only_request(&server).await),
        "Bot tok-SECRET-123"
    );
    // ...but is in neither Display nor Debug of the error.
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(display.contains("401"), "{display}");
    assert!(
        !display.contains("SECRET") && !debug.contains("SECRET"),
        "{display} {debug}"
    );
    assert!(matches!(err.api_body(), Some(ApiErr::Unauthorized(_))));

    let missing = Client::builder(&server.uri())
        .credential("adminApiKey", Credential::token("tok-SECRET-123"))
        .build()
        .unwrap()
        .execute_empty(get("/me", BOT_OR_SESSION), NONE)
        .await
        .unwrap_err();
    assert!(!missing.to_string().contains("SECRET"));
}

#[tokio::test]
async fn response_exposes_status_headers_rate_limit_and_body() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-RateLimit-Limit", "5")
                .insert_header("X-RateLimit-Remaining", "4")
                .insert_header("X-RateLimit-Reset-After", "0.5")
                .insert_header("X-RateLimit-Bucket", "b1")
                .set_body_json(json!({"id": 3, "name": "neo"})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut response = client
        .execute::<User, ApiErr>(get("/u", NO_AUTH), ERRORS)
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.headers().get("x-ratelimit-bucket").unwrap(), "b1");
    assert_eq!(response.rate_limit().limit, Some(5));
    assert_eq!(response.rate_limit().remaining, Some(4));
    assert_eq!(response.rate_limit().reset_after, Some(0.5));
    assert_eq!(response.rate_limit().bucket.as_deref(), Some("b1"));
    assert!(!response.rate_limit().global);
    assert_eq!(response.name, "neo"); // Deref
    response.name.push('!'); // DerefMut
    let debug = format!("{response:?}");
    assert!(debug.contains("neo!"), "{debug}");
    let mapped = response.map(|u| u.id);
    assert_eq!(*mapped.body(), 3);
    assert_eq!(mapped.into_inner(), 3);
}

#[test]
fn status_match_precedence_helpers() {
    assert!(StatusMatch::Code(404).matches(404));
    assert!(!StatusMatch::Code(404).matches(400));
    assert!(StatusMatch::Range(4).matches(499));
    assert!(!StatusMatch::Range(4).matches(500));
    assert!(StatusMatch::Default.matches(302));
    let body = runtime::decode_error_body(
        ERRORS,
        reqwest::StatusCode::BAD_REQUEST,
        br#"{"code": 1, "message": "m"}"#,
    );
    assert_eq!(
        body,
        Some(ApiErr::BadRequest(ErrorBody {
            code: 1,
            message: "m".to_owned()
        }))
    );
}

#[tokio::test]
async fn rate_limited_falls_back_to_reset_after_header() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("X-RateLimit-Reset-After", "0.2"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    ok_json(&server, json!(null)).await;
    let client = builder(&server).build().unwrap();
    let started = Instant::now();
    client
        .execute_empty(get("/u", NO_AUTH), NONE)
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(180));
    assert_eq!(requests(&server).await.len(), 2);
}

#[test]
fn client_and_operation_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
    let client = Client::builder("http://127.0.0.1:1").build().unwrap();
    let json = client.execute::<User, ApiErr>(get("/u", NO_AUTH), ERRORS);
    assert_send(&json);
    let empty = client.execute_empty(get("/u", NO_AUTH), ERRORS);
    assert_send(&empty);
    let raw = client.execute_bytes(get("/u", NO_AUTH), ERRORS);
    assert_send(&raw);
}

/// This test crate compiles the runtime without a TLS feature: an https base URL is refused by
/// `build` with a message that names the fix, unless the caller brings its own client.
#[test]
fn https_without_a_tls_backend_is_refused_at_build_time() {
    let err = Client::builder("https://api.example.test/v1")
        .build()
        .err()
        .unwrap();
    match err {
        Error::InvalidRequest(message) => {
            assert!(message.contains("needs TLS"), "{message}");
            assert!(
                message.contains("`native-tls` or `rustls-tls`"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let own = reqwest::Client::builder().build().unwrap();
    assert!(Client::builder("https://api.example.test/v1")
        .http_client(own)
        .build()
        .is_ok());
    assert!(Client::builder("http://127.0.0.1:9").build().is_ok());
}
