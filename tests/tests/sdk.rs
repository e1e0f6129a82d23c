//! The generated Fluxer SDK end to end against a real HTTP server on 127.0.0.1: each
//! operation's auth, bodies as the server receives them, per-status error models, rate limits.

use fluxer_sdk::models::{
    ApplicationCreateRequest, ErrorBody, SudoVerificationSchema, TokenRequest,
    TokenRequestAuthorizationCode,
};
use fluxer_sdk::{Client, Error, RetryPolicy};
use serde_json::json;
use std::time::{Duration, Instant};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn server() -> MockServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    MockServer::builder().listener(listener).start().await
}

fn client(server: &MockServer) -> Client {
    Client::builder(&server.uri())
        .bot_token("bot-secret")
        .session_token("session-secret")
        .oauth2_token("oauth-secret")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn app_json() -> serde_json::Value {
    json!({"id": "1", "name": "a", "redirect_uris": [], "bot_public": true, "bot_require_code_grant": false})
}

fn authorization(req: &Request) -> Vec<String> {
    req.headers
        .get_all("authorization")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn each_operation_sends_exactly_the_credential_it_accepts() {
    let server = server().await;
    Mock::given(method("GET")).and(path("/oauth2/userinfo")).respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "sub": "5", "id": "5", "username": "ada", "discriminator": "0001", "global_name": null, "avatar": null
    }))).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/applications/@me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "1", "name": "a", "bot_public": true, "bot_require_code_grant": false, "flags": 0
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/oauth2/applications/7/public")).respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "id": "7", "name": "p", "icon": null, "description": null, "redirect_uris": [], "scopes": [], "bot_public": true
    }))).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/oauth2/applications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json()))
        .mount(&server)
        .await;

    let c = client(&server);
    let me = c.oauth2().get_oauth2_userinfo().await.unwrap();
    assert_eq!(me.username, "ada");
    let _ = c.oauth2().get_current_user_applications().await;
    let _ = c.oauth2().get_public_application(7_u64).await;
    let app = c
        .oauth2()
        .create_oauth_application(&ApplicationCreateRequest::new("a"))
        .await
        .unwrap();
    assert_eq!(app.status().as_u16(), 200);

    let requests = server.received_requests().await.unwrap();
    let seen: Vec<(String, Vec<String>)> = requests
        .iter()
        .map(|r| (r.url.path().to_string(), authorization(r)))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "/oauth2/userinfo".to_string(),
                vec!["Bearer oauth-secret".to_string()]
            ),
            (
                "/applications/@me".to_string(),
                vec!["Bot bot-secret".to_string()]
            ),
            ("/oauth2/applications/7/public".to_string(), vec![]),
            // sessionToken and botToken are accepted: the spec lists botToken first.
            (
                "/oauth2/applications".to_string(),
                vec!["Bot bot-secret".to_string()]
            ),
        ]
    );
    for r in &requests {
        assert!(r.headers.get("user-agent").is_some());
    }
}

#[tokio::test]
async fn a_session_only_client_sends_the_bare_token() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/oauth2/applications/@me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let c = Client::builder(&server.uri())
        .session_token("sess")
        .build()
        .unwrap();
    let apps = c.oauth2().list_user_applications2().await.unwrap();
    assert!(apps.is_empty());
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(authorization(r), vec!["sess".to_string()]);
}

#[tokio::test]
async fn the_token_request_is_multipart_form_data() {
    let server = server().await;
    Mock::given(method("POST")).and(path("/oauth2/token")).respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "at", "token_type": "Bearer", "expires_in": 604800, "refresh_token": "rt", "scope": "identify"
    }))).mount(&server).await;
    let c = Client::builder(&server.uri()).build().unwrap();
    let mut grant = TokenRequestAuthorizationCode::new("the-code", "https://app/cb");
    grant.client_id = Some(fluxer_sdk::types::Snowflake::new(42));
    let tokens = c
        .oauth2()
        .exchange_oauth2_token(&TokenRequest::AuthorizationCode(grant))
        .await
        .unwrap();
    assert_eq!(tokens.access_token, "at");

    let r = &server.received_requests().await.unwrap()[0];
    let ct = r
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = String::from_utf8_lossy(&r.body);
    for (name, value) in [
        ("grant_type", "authorization_code"),
        ("code", "the-code"),
        ("redirect_uri", "https://app/cb"),
        ("client_id", "42"),
    ] {
        assert!(
            body.contains(&format!("name=\"{name}\"\r\n\r\n{value}\r\n")),
            "part {name} missing in:\n{body}"
        );
    }
    assert!(
        !body.contains("client_secret"),
        "absent optional fields are not sent"
    );
    assert!(
        authorization(r).is_empty(),
        "the token endpoint has no security requirement"
    );
}

#[tokio::test]
async fn delete_carries_a_json_body() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .and(path("/oauth2/applications/9"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"password": "hunter2"})))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let c = client(&server);
    let mut sudo = SudoVerificationSchema::new();
    sudo.password = Some("hunter2".into());
    let r = c
        .oauth2()
        .delete_oauth_application(9_u64, &sudo)
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
}

#[tokio::test]
async fn each_error_status_decodes_into_its_own_model() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/oauth2/applications/1"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": "BAD_REQUEST", "message": "nope"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/oauth2/applications/2")).respond_with(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "3")
            .insert_header("x-ratelimit-limit", "10")
            .insert_header("x-ratelimit-remaining", "0")
            .set_body_json(json!({"code": "RATE_LIMITED", "message": "slow down", "retry_after": 2.5, "global": false})),
    ).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/oauth2/applications/3"))
        .respond_with(ResponseTemplate::new(500).set_body_string("<html>oops</html>"))
        .mount(&server)
        .await;
    let c = client(&server);

    let Err(Error::Api(e)) = c.oauth2().get_oauth_application(1_u64).await else {
        panic!("expected an API error")
    };
    assert_eq!(e.status.as_u16(), 400);
    assert!(matches!(&e.body, Some(ErrorBody::ApiError(m)) if m.message == "nope"));

    let Err(Error::Api(e)) = c.oauth2().get_oauth_application(2_u64).await else {
        panic!("expected an API error")
    };
    assert!(matches!(&e.body, Some(ErrorBody::RateLimitError(m)) if m.retry_after == 2.5));
    assert_eq!(e.rate_limit.limit, Some(10));
    assert_eq!(e.rate_limit.remaining, Some(0));
    assert_eq!(e.rate_limit.retry_after, Some(Duration::from_secs(3)));

    let err = c.oauth2().get_oauth_application(3_u64).await.unwrap_err();
    let Error::Api(e) = &err else { panic!("{err}") };
    assert!(
        e.body.is_none(),
        "a body that is not the spec's model stays raw"
    );
    assert_eq!(&e.raw[..], b"<html>oops</html>");
    assert!(
        !format!("{err} {err:?}").contains("bot-secret"),
        "credentials never appear in errors"
    );
}

#[tokio::test]
async fn rate_limited_requests_wait_and_retry() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/oauth2/@me/authorizations"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"code": "RATE_LIMITED", "message": "m", "retry_after": 1})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/oauth2/@me/authorizations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let c = Client::builder(&server.uri())
        .session_token("s")
        .build()
        .unwrap();
    let started = Instant::now();
    let list = c.oauth2().list_user_oauth2_authorizations().await.unwrap();
    assert!(list.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After was honoured"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn unknown_enum_values_and_malformed_bodies() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/oauth2/applications/1"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": "BRAND_NEW_CODE", "message": "m"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/oauth2/userinfo"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("{\"sub\": \"5\", \"id\": ", "application/json"),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    let Err(Error::Api(e)) = c.oauth2().get_oauth_application(1_u64).await else {
        panic!()
    };
    let Some(ErrorBody::ApiError(body)) = &e.body else {
        panic!("{:?}", e.body)
    };
    assert_eq!(body.code.as_str(), "BRAND_NEW_CODE");
    let err = c.oauth2().get_oauth2_userinfo().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}
