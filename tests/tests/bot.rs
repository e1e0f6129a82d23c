//! The Fluxer bot path end to end (issue: a bot could not send a message): the upstream
//! Fluxer description plus our overlay (`spec/overlays/fluxer.overlay.yaml`) generate a
//! crate whose `send_message` takes a typed body with an upload variant; its example bot
//! (`spec/examples/bot.rs`, shipped in `examples/` of crates that have its operations) is
//! built and run against a loopback server, which checks what it receives byte for byte.

use integration_tests::{cargo, repo_root, run, shared_file};
use serde_json::{json, Value};
use std::path::Path;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CHANNEL: &str = "1100000000000000001";
const MESSAGE: &str = "1200000000000000002";

fn message(content: &str) -> Value {
    json!({
        "id": MESSAGE, "channel_id": CHANNEL, "type": 0, "flags": 0, "content": content,
        "timestamp": "2026-11-30T08:00:00.000Z", "pinned": false, "mention_everyone": false,
        "author": {"id": "1300000000000000003", "username": "reporter", "discriminator": "0001",
            "global_name": null, "avatar": null, "avatar_color": null, "flags": 0},
        "attachments": [{"id": "1500000000000000005", "filename": "report.txt", "size": 10,
            "url": "https://media.example/report.txt", "proxy_url": "https://media.example/report.txt",
            "content_type": "text/plain", "flags": 0}]
    })
}

/// Generates the upstream crate with the project's config (`spec/codegen.toml`, so the
/// examples in `spec/examples/` that fit it ship in its `examples/`) and the overlay, and
/// builds its `bot` example.
fn build_bot(spec: &Path) -> std::path::PathBuf {
    let root = repo_root();
    let crate_dir = root.join("target/bot/fluxer-sdk");
    let mut config =
        codegen::Config::beside(&root.join("spec/openapi.yaml")).expect("spec/codegen.toml");
    config
        .overlays
        .push(root.join("spec/overlays/fluxer.overlay.yaml"));
    // Under this repository's folder but not a member of its workspace.
    config.standalone = true;
    assert!(
        config.extra_files.contains_key("examples/bot.rs"),
        "spec/examples/bot.rs is read with the config"
    );
    // Without the overlay `send_message` has no upload body: the bot would not compile there.
    let bare = codegen::Config {
        overlays: vec![],
        ..config.clone()
    };
    let out = codegen::generate(spec, &bare).expect("upstream generates");
    assert!(!out.files.contains_key(Path::new("examples/bot.rs")));
    let out = codegen::generate(spec, &config).expect("upstream + overlay generates");
    assert!(
        out.files.contains_key(Path::new("examples/bot.rs")),
        "the full description has the bot's operations, so the crate ships the example"
    );
    codegen::write::write(&crate_dir, &out.files).expect("write the crate");
    // The workspace's lock file: the same dependency versions as everything else here.
    std::fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("lock file");
    let target = root.join("target/contract-target");
    run(
        cargo(Some(&target)).current_dir(&crate_dir).args([
            "build",
            "--quiet",
            "--example",
            "bot",
            "--no-default-features",
            "--features",
            "channels,rustls-tls",
        ]),
        "build the bot example of the generated upstream crate",
    );
    target.join("debug/examples/bot")
}

/// The body with the random multipart boundary replaced by `BOUNDARY`.
fn normalized_multipart(req: &Request) -> String {
    let ct = req.headers["content-type"].to_str().unwrap();
    let boundary = ct
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {ct}"));
    String::from_utf8(req.body.clone())
        .expect("text parts only")
        .replace(boundary, "BOUNDARY")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bot_sends_a_file_edits_it_and_reads_it_back() {
    const TEST: &str = "a_bot_sends_a_file_edits_it_and_reads_it_back";
    let Some(spec) = shared_file(TEST, "specs/fluxer/openapi.json") else {
        return;
    };
    let bot = tokio::task::spawn_blocking(move || build_bot(&spec))
        .await
        .expect("build");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    let messages = format!("/channels/{CHANNEL}/messages");
    let one = format!("{messages}/{MESSAGE}");
    Mock::given(method("POST"))
        .and(path(messages.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("Nightly report attached")))
        .mount(&server)
        .await;
    for m in ["PATCH", "GET"] {
        Mock::given(method(m))
            .and(path(one.as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(message("Nightly report attached (all green)")),
            )
            .mount(&server)
            .await;
    }

    Mock::given(method("GET"))
        .and(path(messages.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([message("earlier")])))
        .mount(&server)
        .await;

    let uri = server.uri();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(bot)
            .args([uri.as_str(), CHANNEL])
            .env("FLUXER_BOT_TOKEN", "bot-secret")
            .output()
            .expect("run the bot")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "bot failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout,
        format!("sent {MESSAGE} (1 attachment)\n1 earlier\nread back: Nightly report attached (all green)\n")
    );

    let reqs = server.received_requests().await.unwrap();
    let methods: Vec<&str> = reqs.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["POST", "PATCH", "GET", "GET"]);
    for r in &reqs {
        let auth: Vec<_> = r.headers.get_all("authorization").iter().collect();
        assert_eq!(auth, ["Bot bot-secret"], "{} {}", r.method, r.url);
    }
    // What the Fluxer server reads: `payload_json` as a text part (no file name), the file as
    // `files[0]` with its name and type, matching attachment entry 0. (The JSON part's keys
    // are in name order: multipart bodies are built from a `serde_json::Value`.)
    assert_eq!(
        normalized_multipart(&reqs[0]),
        "--BOUNDARY\r\n\
         Content-Disposition: form-data; name=\"payload_json\"\r\n\
         Content-Type: application/json\r\n\r\n\
         {\"attachments\":[{\"filename\":\"report.txt\",\"id\":0}],\"content\":\"Nightly report attached\"}\r\n\
         --BOUNDARY\r\n\
         Content-Disposition: form-data; name=\"files[0]\"; filename=\"report.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n\
         all green\n\r\n\
         --BOUNDARY--\r\n"
    );
    assert_eq!(reqs[1].headers["content-type"], "application/json");
    assert_eq!(
        serde_json::from_slice::<Value>(&reqs[1].body).unwrap(),
        json!({"content": "Nightly report attached (all green)"})
    );
    // The list: the required channel in the path, the chained pagination parameters in the query.
    assert_eq!(reqs[2].url.path(), messages);
    assert_eq!(
        reqs[2].url.query(),
        Some(format!("limit=50&before={MESSAGE}").as_str())
    );
    assert_eq!(reqs[3].url.path(), one);
    assert!(reqs[3].body.is_empty());
}
