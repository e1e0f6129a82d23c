//! The OAuth2 app shipped with the crate (`spec/examples/oauth2_app.rs`, copied into
//! `generated-client/examples/`) run against a loopback server (issue 16): the happy path with
//! the bytes it sends, and the two failures it handles (401, 429).

use integration_tests::{cargo, repo_root, run};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP: &str = "1100000000000000001";

/// Builds the example once (the workspace's target folder: its dependencies are built).
fn example() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = repo_root();
            run(
                cargo(None).current_dir(&root).args([
                    "build",
                    "--quiet",
                    "-p",
                    "fluxer-sdk",
                    "--example",
                    "oauth2_app",
                ]),
                "build the oauth2_app example",
            );
            root.join("target/debug/examples/oauth2_app")
        })
        .clone()
}

async fn server() -> MockServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    MockServer::builder().listener(listener).start().await
}

async fn mount(server: &MockServer, m: &str, p: &str, response: ResponseTemplate) {
    Mock::given(method(m))
        .and(path(p))
        .respond_with(response)
        .mount(server)
        .await;
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn app(redirect_uris: &[&str]) -> Value {
    json!({"id": APP, "name": "Reporter", "redirect_uris": redirect_uris,
        "bot_public": false, "bot_require_code_grant": false})
}

async fn run_example(server: &MockServer) -> Output {
    let bin = example();
    let uri = server.uri();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(bin)
            .args([
                uri.as_str(),
                "42",
                "s3cret",
                "the-code",
                "https://app.example/cb",
            ])
            .env("FLUXER_BOT_TOKEN", "bot-secret")
            .output()
            .expect("run the example")
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_oauth2_app_exchanges_reads_lists_and_clears_a_field() {
    let server = server().await;
    let tokens = json!({"access_token": "user-token", "token_type": "Bearer", "expires_in": 3600,
        "refresh_token": "r", "scope": "identify"});
    mount(&server, "POST", "/oauth2/token", ok(tokens)).await;
    let me = json!({"sub": "7", "id": "7", "username": "ada", "discriminator": "0001",
        "global_name": null, "avatar": null});
    mount(&server, "GET", "/oauth2/userinfo", ok(me)).await;
    let apps = ok(json!([app(&["https://app.example/cb"])]));
    mount(&server, "GET", "/users/@me/applications", apps).await;
    let one = format!("/oauth2/applications/{APP}");
    mount(&server, "PATCH", &one, ok(app(&[]))).await;

    let out = run_example(&server).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        "granted `identify` for 3600 s\nsigned in as ada (7)\nReporter: 0 redirect URIs\n"
    );
    let reqs = server.received_requests().await.unwrap();
    let seen: Vec<String> = reqs
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        seen,
        [
            "POST /oauth2/token",
            "GET /oauth2/userinfo",
            "GET /users/@me/applications",
            &format!("PATCH {one}"),
        ]
    );
    // The grant as a multipart form, the user call with the user's token, the bot's with the bot's.
    let form = String::from_utf8(reqs[0].body.clone()).unwrap();
    for (k, v) in [
        ("grant_type", "authorization_code"),
        ("code", "the-code"),
        ("redirect_uri", "https://app.example/cb"),
        ("client_id", "42"),
        ("client_secret", "s3cret"),
    ] {
        let part = format!("name=\"{k}\"\r\n\r\n{v}\r\n");
        assert!(form.contains(&part), "no {part:?} in {form}");
    }
    assert_eq!(reqs[1].headers["authorization"], "Bearer user-token");
    assert_eq!(reqs[2].headers["authorization"], "Bot bot-secret");
    // Clearing a field sends `null`, and nothing else.
    assert_eq!(
        serde_json::from_slice::<Value>(&reqs[3].body).unwrap(),
        json!({"redirect_uris": null})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_oauth2_app_explains_a_401_and_a_429() {
    let server = server().await;
    let refused = ResponseTemplate::new(401)
        .set_body_json(json!({"code": "UNAUTHORIZED", "message": "bad code"}));
    mount(&server, "POST", "/oauth2/token", refused).await;
    let out = run_example(&server).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: the credentials were refused (401)"),
        "{stderr}"
    );

    // 429 on every attempt: the client retries after `Retry-After` (0 s), then gives up.
    let server = self::server().await;
    let tokens = json!({"access_token": "t", "token_type": "Bearer", "expires_in": 1,
        "refresh_token": "r", "scope": "identify"});
    mount(&server, "POST", "/oauth2/token", ok(tokens)).await;
    let me = json!({"sub": "7", "id": "7", "username": "ada", "discriminator": "0001",
        "global_name": null, "avatar": null});
    mount(&server, "GET", "/oauth2/userinfo", ok(me)).await;
    let limited = ResponseTemplate::new(429)
        .insert_header("retry-after", "0")
        .set_body_json(json!({"message": "slow down", "retry_after": 0.0, "global": false}));
    mount(&server, "GET", "/users/@me/applications", limited).await;
    let out = run_example(&server).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: rate limited (429) after retries"),
        "{stderr}"
    );
    let attempts = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/users/@me/applications")
        .count();
    assert_eq!(attempts, 4, "the default policy retries a 429 three times");
}
