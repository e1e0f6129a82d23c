//! Proactive rate limiting as the generator sets it up (`[rate_limit]` in `codegen.toml`): the
//! header names found in the spec or configured (`src/runtime/spec.rs`), on or off by default,
//! and the major parameters each operation passes in `RequestSpec::major_params`.

use codegen::testing::api_modules as apis;
use codegen::testing::method_body as method;
use codegen::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rate-limit")
        .join(dir)
        .join("openapi.yaml")
}

fn generate(spec: &Path, config: &Config) -> BTreeMap<PathBuf, String> {
    let out = codegen::generate(spec, config).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    out.files
}

#[test]
fn declared_headers_turn_the_limiter_on_with_their_names() {
    let spec = fixture("declared");
    let files = generate(&spec, &Config::beside(&spec).unwrap());
    let spec_rs = &files[Path::new("src/runtime/spec.rs")];
    for line in [
        "limit: Some(\"x-ratelimit-limit\"),",
        "remaining: Some(\"x-ratelimit-remaining\"),",
        "reset: None,",
        "reset_after: Some(\"x-ratelimit-reset-after\"),",
        "bucket: Some(\"x-ratelimit-bucket\"),",
        "global: None,",
        "retry_after: Some(\"retry-after\"),",
        "GLOBAL_RATE_LIMIT: Option<(u32, std::time::Duration)> = None;",
    ] {
        assert!(spec_rs.contains(line), "{line} in\n{spec_rs}");
    }
    let apis = apis(&files);
    // Default major parameters: channel, guild and webhook IDs, in path order.
    let m = method(&apis, "get_message");
    assert!(
        m.contains("req.major_params = vec![runtime::param_string(&channel_id)];"),
        "{m}"
    );
    let m = method(&apis, "get_member");
    assert!(
        m.contains("req.major_params = vec![runtime::param_string(&guild_id)];"),
        "{m}"
    );
    let m = method(&apis, "get_thing");
    assert!(!m.contains("major_params"), "{m}");
}

#[test]
fn configured_names_major_params_and_global_limit() {
    let spec = fixture("configured");
    let files = generate(&spec, &Config::beside(&spec).unwrap());
    let spec_rs = &files[Path::new("src/runtime/spec.rs")];
    for line in [
        // The IETF spelling found in the spec, the others from codegen.toml.
        "limit: Some(\"ratelimit-limit\"),",
        "remaining: Some(\"ratelimit-remaining\"),",
        "reset_after: Some(\"x-quota-reset\"),",
        "bucket: Some(\"x-quota-bucket\"),",
        "Some((50, std::time::Duration::from_millis(2000)))",
    ] {
        assert!(spec_rs.contains(line), "{line} in\n{spec_rs}");
    }
    let apis = apis(&files);
    let m = method(&apis, "get_member");
    assert!(
        m.contains("req.major_params = vec![runtime::param_string(&user_id)];"),
        "{m}"
    );
    let m = method(&apis, "get_thing");
    assert!(
        m.contains("req.major_params = vec![runtime::param_string(&id)];"),
        "{m}"
    );
    assert!(!method(&apis, "get_message").contains("major_params"));
}

#[test]
fn turned_off_or_undeclared_means_no_limiter_by_default() {
    let spec = fixture("declared");
    let mut config = Config::beside(&spec).unwrap();
    config.rate_limit.enabled = Some(false);
    let files = generate(&spec, &config);
    let spec_rs = &files[Path::new("src/runtime/spec.rs")];
    assert!(
        spec_rs.contains("RATE_LIMIT_HEADERS: Option<RateLimitHeaders> = None;"),
        "{spec_rs}"
    );
    assert!(!apis(&files).contains("major_params"));

    // A spec without rate-limit headers (the streams fixture).
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/streams/openapi.yaml");
    let files = generate(&spec, &Config::beside(&spec).unwrap());
    let spec_rs = &files[Path::new("src/runtime/spec.rs")];
    assert!(
        spec_rs.contains("RATE_LIMIT_HEADERS: Option<RateLimitHeaders> = None;"),
        "{spec_rs}"
    );
}

#[test]
fn rate_limit_table_rejects_unknown_keys() {
    let err = toml::from_str::<Config>("[rate_limit]\nmajor_param = [\"x\"]\n").unwrap_err();
    assert!(err.to_string().contains("major_param"), "{err}");
}
