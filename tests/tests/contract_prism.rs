//! Contract tests: the generated client against Prism, the OpenAPI mock server
//! (`@stoplight/prism-cli`, pinned in `tests/prism/package.json`, installed by
//! `tests/prism/install.sh`).
//!
//! Prism runs as `prism mock -d SPEC`: it validates every request against the document and
//! reports violations in the `sl-violations` response header (a JSON array; a request with
//! violations gets a 4xx), and answers valid requests with random, schema-valid data. So a
//! violation means the client built a request the document does not allow, and a body that
//! fails to decode means a response model rejects data the document allows: both are SDK
//! bugs.
//!
//! - `oauth2_operations_validate_against_our_spec`: the committed `fluxer-sdk` crate, all 19
//!   OAuth2 operations of `spec/openapi.yaml`.
//!
//! Every operation of the upstream document (and of every corpus spec) is checked the same
//! way by the request-conformance gate, `cargo xtask conformance` (xtask/src/conformance.rs),
//! which replaced the hand-written driver over the OAuth2, Users and Channels tags that used to
//! live here.
//!
//! Without Prism the test prints a loud `SKIPPED` line and passes, except when `CI` is set:
//! there it fails, so CI cannot skip it silently.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fluxer_sdk::models::{
    ApplicationCreateRequest, ApplicationUpdateRequest, AuthorizeConsentRequest, BotFlags,
    BotProfileUpdateRequest, IntrospectRequestForm, RevokeRequestForm,
    RevokeRequestFormTokenTypeHint, SudoVerificationSchema, SudoVerificationSchemaMfaMethod,
    TokenRequest, TokenRequestAuthorizationCode, TokenRequestRefreshToken,
};
use fluxer_sdk::types::{Base64, Nullable, Snowflake};
use fluxer_sdk::{Client, RetryPolicy};
use serde_json::Value;

/// How long Prism may take to load a document and listen (the upstream one takes ~20 s).
const PRISM_START_TIMEOUT: Duration = Duration::from_secs(120);

// ------------------------------------------------------------------------------------------
// Harness
// ------------------------------------------------------------------------------------------

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repo_root() -> PathBuf {
    manifest_dir()
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Written straight to the process's stderr: libtest captures `eprintln!` of passing tests,
/// and these lines must be seen.
fn loud(message: &str) {
    let bar = "=".repeat(78);
    let _ = std::io::stderr().write_all(format!("\n{bar}\n{message}\n{bar}\n\n").as_bytes());
}

/// Output that should be seen even when the test passes.
fn say(message: &str) {
    let _ = std::io::stderr().write_all(format!("{message}\n").as_bytes());
}

/// Whether we run in CI (`CI` set to anything but empty, `0` or `false`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A prerequisite is missing: skip loudly, or fail in CI.
fn unavailable(test: &str, reason: &str) {
    let message = format!("SKIPPED: {reason}: `{test}` did NOT run");
    if in_ci() {
        panic!("{message} (CI is set, so this is an error)");
    }
    loud(&message);
}

/// The installed Prism binary, or `None` after reporting it missing.
fn prism_bin(test: &str) -> Option<PathBuf> {
    let bin = manifest_dir().join("prism/node_modules/.bin/prism");
    if bin.exists() {
        Some(bin)
    } else {
        unavailable(test, "prism not installed (run tests/prism/install.sh)");
        None
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free local port")
}

/// A running `prism mock`, killed when dropped.
struct Prism {
    child: Child,
    port: u16,
    bin: PathBuf,
    spec: PathBuf,
    log: PathBuf,
    spawned: Instant,
}

impl Prism {
    /// Starts `prism mock -d` on a free port for `spec` and waits until it accepts connections.
    fn start(bin: &Path, spec: &Path, name: &str) -> Prism {
        let mut prism = Prism::spawn(bin, spec, name);
        prism.wait_ready();
        prism
    }

    /// Starts `prism mock -d` on a free port for `spec`; see [`Prism::wait_ready`].
    fn spawn(bin: &Path, spec: &Path, name: &str) -> Prism {
        let dir = repo_root().join("target/contract");
        std::fs::create_dir_all(&dir).expect("create target/contract");
        let log = dir.join(format!("prism-{name}.log"));
        let (child, port) = Prism::launch(bin, spec, &log);
        Prism {
            child,
            port,
            bin: bin.to_path_buf(),
            spec: spec.to_path_buf(),
            log,
            spawned: Instant::now(),
        }
    }

    fn launch(bin: &Path, spec: &Path, log: &Path) -> (Child, u16) {
        let out = File::create(log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let err = out.try_clone().expect("clone log handle");
        let port = free_port();
        let child = Command::new(bin)
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string(), "-d"])
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        (child, port)
    }

    /// Polls the port until Prism accepts connections; fails if it exits (unless the port was
    /// taken meanwhile: then it starts again on another one) or takes too long.
    fn wait_ready(&mut self) {
        let started = Instant::now();
        let mut restarts = 0;
        loop {
            let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = self.log_tail();
                if log.contains("EADDRINUSE") && restarts < 3 {
                    restarts += 1;
                    (self.child, self.port) = Prism::launch(&self.bin, &self.spec, &self.log);
                    continue;
                }
                panic!(
                    "prism exited ({status}) before listening on {addr} for {}:\n{log}",
                    self.spec.display(),
                );
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(250)).is_ok() {
                say(&format!(
                    "prism is listening on {addr} for {} {:.1} s after its start (log: {})",
                    self.spec.display(),
                    self.spawned.elapsed().as_secs_f64(),
                    self.log.display()
                ));
                return;
            }
            if started.elapsed() > PRISM_START_TIMEOUT {
                panic!(
                    "prism did not listen on {addr} within {PRISM_START_TIMEOUT:?} for {}:\n{}",
                    self.spec.display(),
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The violations Prism reported in `sl-violations` (unparseable headers are kept as text).
fn violations(headers: &reqwest::header::HeaderMap) -> Vec<Value> {
    headers
        .get_all("sl-violations")
        .iter()
        .flat_map(|value| {
            let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Array(items)) => items,
                Ok(other) => vec![other],
                Err(_) => vec![Value::String(text)],
            }
        })
        .collect()
}

/// An error Prism made up itself (`application/problem+json` with a `type` under
/// `https://stoplight.io/prism/errors#`): it answers so when a request breaks a rule and the
/// document has no response for that status (e.g. security without a 401 response: no
/// `sl-violations` header then), or when it cannot serve the request at all (no route,
/// unacceptable `Accept`).
fn prism_error(raw: &[u8]) -> Option<Value> {
    let body: Value = serde_json::from_slice(raw).ok()?;
    let kind = body.get("type")?.as_str()?;
    kind.starts_with("https://stoplight.io/prism/errors#")
        .then_some(body)
}

// ------------------------------------------------------------------------------------------
// (a) the committed crate against spec/openapi.yaml
// ------------------------------------------------------------------------------------------

/// What one call produced.
struct Outcome {
    op: String,
    status: Option<u16>,
    violations: Vec<Value>,
    decode_error: Option<String>,
    other_error: Option<String>,
}

fn outcome<T>(op: &str, result: fluxer_sdk::Result<T>) -> Outcome {
    let mut out = Outcome {
        op: op.to_string(),
        status: None,
        violations: Vec::new(),
        decode_error: None,
        other_error: None,
    };
    match result {
        Ok(response) => {
            out.status = Some(response.status().as_u16());
            out.violations = violations(response.headers());
        }
        Err(fluxer_sdk::Error::Api(api)) => {
            out.status = Some(api.status.as_u16());
            out.violations = violations(&api.headers);
            if let Some(problem) = prism_error(&api.raw) {
                out.violations.push(problem);
            } else if api.body.is_none() && !api.raw.is_empty() {
                out.decode_error = Some(format!(
                    "the HTTP {} error body did not decode into the error model; raw body: {}",
                    api.status,
                    String::from_utf8_lossy(&api.raw)
                ));
            }
        }
        Err(fluxer_sdk::Error::Decode(decode)) => {
            out.status = Some(decode.status.as_u16());
            out.violations = violations(&decode.headers);
            out.decode_error = Some(format!(
                "at JSON path `{}`: {}; raw body: {}",
                decode.path,
                decode.message,
                String::from_utf8_lossy(&decode.raw)
            ));
        }
        Err(other) => out.other_error = Some(other.to_string()),
    }
    out
}

/// The operationIds of `spec/openapi.yaml`.
fn our_operation_ids() -> BTreeSet<String> {
    let path = repo_root().join("spec/openapi.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Value =
        codegen::load::parse(&text, "spec/openapi.yaml").expect("spec/openapi.yaml is valid YAML");
    let mut ids = BTreeSet::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().into_iter().flat_map(|m| m.values()) {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                ids.insert(id.to_string());
            }
        }
    }
    ids
}

const APP_ID: Snowflake = Snowflake::new(123456789012345678);
const GUILD_ID: Snowflake = Snowflake::new(223456789012345678);
const REDIRECT_URI: &str = "https://example.com/oauth2/callback";
const CLIENT_SECRET: &str = "s3cr3t-client-secret-value";

/// A 1x1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn password() -> SudoVerificationSchema {
    let mut sudo = SudoVerificationSchema::new();
    sudo.password = Some("correct horse battery staple".into());
    sudo
}

fn totp() -> SudoVerificationSchema {
    let mut sudo = SudoVerificationSchema::new();
    sudo.mfa_method = Some(SudoVerificationSchemaMfaMethod::from("totp"));
    sudo.mfa_code = Some("123456".into());
    sudo
}

/// Calls every OAuth2 operation once (the token endpoint once per grant).
async fn call_all_oauth2(client: &Client) -> Vec<Outcome> {
    let api = client.oauth2();
    let app = APP_ID;
    let mut out = Vec::new();

    out.push(outcome(
        "get_current_user_applications",
        api.get_current_user_applications().await,
    ));
    out.push(outcome(
        "get_current_user_oauth2",
        api.get_current_user_oauth2().await,
    ));
    out.push(outcome(
        "list_user_oauth2_authorizations",
        api.list_user_oauth2_authorizations().await,
    ));
    out.push(outcome(
        "delete_user_oauth2_authorization",
        api.delete_user_oauth2_authorization(app).await,
    ));

    let mut create = ApplicationCreateRequest::new("Contract Test App");
    create.redirect_uris = Nullable::Value(vec![REDIRECT_URI.into()]);
    create.bot_public = Some(true);
    create.bot_require_code_grant = Some(false);
    out.push(outcome(
        "create_oauth_application",
        api.create_oauth_application(&create).await,
    ));

    out.push(outcome(
        "list_user_applications2",
        api.list_user_applications2().await,
    ));
    out.push(outcome(
        "get_oauth_application",
        api.get_oauth_application(app).await,
    ));

    let mut update = ApplicationUpdateRequest::new();
    update.name = Some("Contract Test App (renamed)".into());
    update.redirect_uris = Nullable::Null;
    update.bot_public = Some(false);
    update.bot_require_code_grant = Some(true);
    out.push(outcome(
        "update_oauth_application",
        api.update_oauth_application(app, &update).await,
    ));

    out.push(outcome(
        "delete_oauth_application",
        api.delete_oauth_application(app, &password()).await,
    ));

    let mut bot = BotProfileUpdateRequest::new();
    bot.username = Some("contract_bot".into());
    bot.discriminator = Some("0420".into());
    bot.avatar = Nullable::Value(Base64(PNG.to_vec()));
    bot.banner = Nullable::Null;
    bot.bio = Nullable::Value("Checks requests against the OpenAPI document.".into());
    bot.bot_flags = Some(BotFlags::FRIENDLY_BOT | BotFlags::FRIENDLY_BOT_MANUAL_APPROVAL);
    out.push(outcome(
        "update_bot_profile",
        api.update_bot_profile(app, &bot).await,
    ));

    out.push(outcome(
        "reset_bot_token2",
        api.reset_bot_token2(app, &totp()).await,
    ));
    out.push(outcome(
        "reset_client_secret2",
        api.reset_client_secret2(app, &password()).await,
    ));
    out.push(outcome(
        "get_public_application",
        api.get_public_application(app).await,
    ));

    let mut consent = AuthorizeConsentRequest::new(APP_ID, "identify email guilds");
    consent.response_type = Some("code".into());
    consent.redirect_uri = Some(REDIRECT_URI.into());
    consent.state = Some("xyz-state-123".into());
    consent.permissions = Some("2048".into());
    consent.guild_id = Some(GUILD_ID);
    out.push(outcome(
        "provide_oauth2_consent",
        api.provide_oauth2_consent(&consent).await,
    ));

    let mut introspect = IntrospectRequestForm::new("access-token-abc123");
    introspect.client_id = Some(APP_ID);
    introspect.client_secret = Some(CLIENT_SECRET.into());
    out.push(outcome(
        "introspect_oauth2_token",
        api.introspect_oauth2_token(&introspect).await,
    ));

    let mut code = TokenRequestAuthorizationCode::new("authorization-code-xyz", REDIRECT_URI);
    code.client_id = Some(APP_ID);
    code.client_secret = Some(CLIENT_SECRET.into());
    out.push(outcome(
        "exchange_oauth2_token",
        api.exchange_oauth2_token(&TokenRequest::AuthorizationCode(code))
            .await,
    ));
    let mut refresh = TokenRequestRefreshToken::new("refresh-token-xyz");
    refresh.client_id = Some(APP_ID);
    refresh.client_secret = Some(CLIENT_SECRET.into());
    out.push(outcome(
        "exchange_oauth2_token",
        api.exchange_oauth2_token(&TokenRequest::RefreshToken(refresh))
            .await,
    ));

    let mut revoke = RevokeRequestForm::new("access-token-abc123");
    revoke.token_type_hint = Some(RevokeRequestFormTokenTypeHint::from("access_token"));
    revoke.client_id = Some(APP_ID);
    revoke.client_secret = Some(CLIENT_SECRET.into());
    out.push(outcome(
        "revoke_oauth2_token",
        api.revoke_oauth2_token(&revoke).await,
    ));

    out.push(outcome(
        "get_oauth2_userinfo",
        api.get_oauth2_userinfo().await,
    ));
    out.push(outcome(
        "list_user_applications",
        api.list_user_applications().await,
    ));
    out
}

#[test]
fn oauth2_operations_validate_against_our_spec() {
    const TEST: &str = "oauth2_operations_validate_against_our_spec";
    let Some(bin) = prism_bin(TEST) else {
        return;
    };
    let spec = repo_root().join("spec/openapi.yaml");
    let prism = Prism::start(&bin, &spec, "oauth2");

    let client = Client::builder(&prism.base_url())
        .bot_token("contract-bot-token")
        .session_token("contract-session-token")
        .oauth2_token("contract-oauth2-token")
        .retry(RetryPolicy::none())
        // Prism (`-d`) makes up rate-limit headers; the limiter would wait on random resets.
        .no_rate_limit()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client builds");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let outcomes = runtime.block_on(call_all_oauth2(&client));
    // Canary: a request that breaks the document must be reported, or the checks above
    // prove nothing.
    let mut bad = BotProfileUpdateRequest::new();
    bad.discriminator = Some("not-a-number".into());
    let canary = outcome(
        "canary",
        runtime.block_on(client.oauth2().update_bot_profile(APP_ID, &bad)),
    );
    drop(prism);

    let expected = our_operation_ids();
    let called: BTreeSet<String> = outcomes.iter().map(|o| o.op.clone()).collect();
    let missing: Vec<&String> = expected.difference(&called).collect();
    let unknown: Vec<&String> = called.difference(&expected).collect();

    let mut report = String::new();
    let mut failures = Vec::new();
    if canary.violations.is_empty() {
        failures.push(format!(
            "canary: Prism reported no violation for a `discriminator` breaking its `pattern` (HTTP {:?}): the harness does not see violations",
            canary.status
        ));
    }
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for o in &outcomes {
        let status = o.status.map_or("-".to_string(), |s| s.to_string());
        report.push_str(&format!(
            "  {:<34} {:>3}  violations: {}\n",
            o.op,
            status,
            o.violations.len()
        ));
        if let Some(s) = o.status {
            *statuses.entry(s).or_default() += 1;
        }
        for v in &o.violations {
            failures.push(format!("{}: request violation: {v}", o.op));
        }
        if let Some(d) = &o.decode_error {
            failures.push(format!("{}: decode error {d}", o.op));
        }
        if let Some(e) = &o.other_error {
            failures.push(format!("{}: request failed: {e}", o.op));
        }
    }
    if !missing.is_empty() {
        failures.push(format!(
            "operations of spec/openapi.yaml not called: {missing:?}"
        ));
    }
    if !unknown.is_empty() {
        failures.push(format!(
            "called operations not in spec/openapi.yaml: {unknown:?}"
        ));
    }
    let ok = outcomes
        .iter()
        .filter(|o| o.status.is_some_and(|s| (200..300).contains(&s)))
        .count();
    let violation_count: usize = outcomes.iter().map(|o| o.violations.len()).sum();
    let decode_count = outcomes.iter().filter(|o| o.decode_error.is_some()).count();
    say(&format!(
        "{TEST}: {} calls over {} operations: {ok} answered 2xx, {} not 2xx (by status: {statuses:?}); {violation_count} request violations, {decode_count} decode errors\n{report}",
        outcomes.len(),
        called.len(),
        outcomes.len() - ok,
    ));
    assert!(
        failures.is_empty(),
        "{} contract failure(s) against spec/openapi.yaml:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
