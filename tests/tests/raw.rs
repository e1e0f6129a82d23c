//! Raw requests (`Client::request`) of the generated Fluxer SDK against a server on 127.0.0.1:
//! the credential chosen as the matching operation chooses it (exactly one `Authorization`),
//! path parameters encoded like generated operations' (dot segments refused), error bodies
//! decoded into the crate's `ErrorBody`.

use fluxer_sdk::models::ErrorBody;
use fluxer_sdk::types::Snowflake;
use fluxer_sdk::{Client, Error, Method, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
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

fn authorization(req: &Request) -> Vec<String> {
    req.headers
        .get_all("authorization")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn a_raw_request_authenticates_as_its_operation_does() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .and(path("/oauth2/@me/authorizations/7"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server);
    // The generated operation, then the same request by hand (another parameter name).
    client
        .oauth2()
        .delete_user_oauth2_authorization(7_u64)
        .await
        .unwrap();
    client
        .request(Method::DELETE, "/oauth2/@me/authorizations/{id}")
        .path_param("id", &Snowflake::new(7))
        .send_empty()
        .await
        .unwrap();
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2);
    assert_eq!(authorization(&reqs[0]).len(), 1);
    assert_eq!(authorization(&reqs[0]), authorization(&reqs[1]));
}

#[tokio::test]
async fn scheme_query_header_and_json_body_are_sent() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/somewhere/new/a%20b"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let client = client(&server);
    let response: fluxer_sdk::Response<Value> = client
        .request(Method::POST, "/somewhere/new/{name}")
        .path_param("name", "a b")
        .scheme("sessionToken")
        .query("tag", &["x", "y"])
        .header("X-Audit-Log-Reason", "cleanup")
        .json(&json!({"content": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.body(), &json!({"ok": true}));
    let reqs = received(&server).await;
    let req = &reqs[0];
    assert_eq!(authorization(req), vec!["session-secret".to_string()]);
    assert_eq!(req.url.query(), Some("tag=x&tag=y"));
    assert_eq!(req.headers["x-audit-log-reason"], "cleanup");
    assert_eq!(req.headers["content-type"], "application/json");
    assert_eq!(
        serde_json::from_slice::<Value>(&req.body).unwrap(),
        json!({"content": "hi"})
    );
}

#[tokio::test]
async fn a_request_no_operation_describes_sends_one_credential() {
    let server = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    client(&server)
        .request(Method::GET, "/not/in/the/description")
        .send::<Value>()
        .await
        .unwrap();
    let reqs = received(&server).await;
    // The first scheme the client holds a credential for, in the description's order.
    assert_eq!(authorization(&reqs[0]), vec!["Bot bot-secret".to_string()]);
}

#[tokio::test]
async fn a_400_decodes_into_the_error_body() {
    let server = server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "INVALID_FORM_BODY", "message": "content is too long"
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    for template in ["/oauth2/applications", "/channels/{id}/messages"] {
        let err = client
            .request(Method::POST, template)
            .path_param("id", "1")
            .json(&json!({}))
            .send::<Value>()
            .await
            .unwrap_err();
        let Error::Api(api) = err else {
            panic!("{template}: not an API error: {err:?}")
        };
        assert_eq!(api.status.as_u16(), 400);
        match &api.body {
            Some(ErrorBody::ApiError(e)) => assert_eq!(e.message, "content is too long"),
            other => panic!("{template}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn dot_segments_are_refused_and_nothing_is_sent() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server);
    for bad in [".", ".."] {
        let err = client
            .request(Method::DELETE, "/oauth2/@me/authorizations/{id}")
            .path_param("id", bad)
            .send_empty()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad}: {err:?}");
        // Generated operations of `spec/` take IDs (`impl Into<Snowflake>`, issue 16) for every
        // path parameter, so none can be a dot segment; they encode through the same function.
    }
    // Dots inside a segment are an ordinary value; a percent sign is encoded, so `%2e` in a
    // value stays text and is no dot segment.
    for (value, sent) in [("a..b", "a..b"), ("%2e%2E", "%252e%252E")] {
        client
            .request(Method::DELETE, "/oauth2/@me/authorizations/{id}")
            .path_param("id", value)
            .send_empty()
            .await
            .unwrap();
        let reqs = received(&server).await;
        let last = reqs.last().expect("sent");
        assert_eq!(
            last.url.path(),
            format!("/oauth2/@me/authorizations/{sent}")
        );
    }
    assert_eq!(
        received(&server).await.len(),
        2,
        "only the valid requests were sent"
    );
}

#[tokio::test]
async fn a_missing_path_parameter_or_unknown_scheme_is_an_invalid_request() {
    let server = server().await;
    let client = client(&server);
    let err = client
        .request(Method::GET, "/channels/{channel_id}")
        .send::<Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("channel_id")),
        "{err:?}"
    );
    let err = client
        .request(Method::GET, "/x")
        .scheme("nope")
        .send::<Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("nope")),
        "{err:?}"
    );
    assert!(received(&server).await.is_empty());
}
