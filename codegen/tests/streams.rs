//! Streaming and paginated methods the generator writes for `fixtures/streams/openapi.yaml`:
//! which operations get one, under which name, with which page rule (detected, from
//! `codegen.toml` or from `x-pagination`), and the `stream` flag each method sets.

use codegen::Config;
use std::path::Path;

fn generated() -> String {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/streams/openapi.yaml");
    let config = Config::beside(&spec).unwrap();
    let out = codegen::generate(&spec, &config).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let cargo = &out.files[Path::new("Cargo.toml")];
    assert!(
        cargo.contains("default = [\"rustls-tls\", \"default-api\", \"streams\""),
        "{cargo}"
    );
    assert!(
        cargo.contains("streams = [\"dep:futures-core\"]"),
        "{cargo}"
    );
    out.files
        .iter()
        .filter(|(p, _)| p.starts_with("src/apis"))
        .map(|(_, t)| t.as_str())
        .collect()
}

/// The body of method `name` (from its `pub fn` to the closing brace).
fn method<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("pub fn {name}("))
        .unwrap_or_else(|| panic!("no method {name}"));
    let end = text[start..].find("\n    }\n").unwrap() + start;
    &text[start..end]
}

#[test]
fn event_streams_get_a_stream_method_with_the_event_payload_type() {
    let text = generated();
    let m = method(&text, "create_chat_stream");
    assert!(
        m.contains("-> crate::EventStream<'a, crate::models::Delta>"),
        "{m}"
    );
    assert!(m.contains("req.set_json_flag(\"stream\", true);"), "{m}");
    assert!(m.contains("Some(\"[DONE]\")"), "{m}");
    let json = method(&text, "create_chat");
    assert!(
        json.contains("req.set_json_flag(\"stream\", false);"),
        "{json}"
    );
    // 3.1 itemSchema, and a schema describing the whole event (its `data` is the payload).
    for name in ["watch_feed_stream", "watch_framed_stream"] {
        let m = method(&text, name);
        assert!(
            m.contains("crate::EventStream<'a, crate::models::Delta>"),
            "{m}"
        );
        assert!(m.contains(", None)"), "no sentinel: {m}");
        assert!(!m.contains("set_json_flag"), "{m}");
    }
    assert!(text.contains("#[cfg(feature = \"streams\")]"));
    assert!(text.contains("/// # Example"));
}

#[test]
fn pagination_patterns_are_detected_or_declared() {
    let text = generated();
    let spec = |name: &str| {
        let m = method(&text, name);
        let line = m.lines().find(|l| l.contains("runtime::PageSpec")).unwrap();
        line.trim().to_string()
    };
    assert_eq!(
        spec("list_messages_stream"),
        "let spec = runtime::PageSpec { cursor: runtime::Cursor::Item { param: \"before\", id_field: \"id\" }, items: None, limit: Some(\"limit\") };"
    );
    assert_eq!(
        spec("list_members_stream"),
        "let spec = runtime::PageSpec { cursor: runtime::Cursor::Item { param: \"after\", id_field: \"id\" }, items: None, limit: Some(\"limit\") };"
    );
    assert_eq!(
        spec("list_repos_stream"),
        "let spec = runtime::PageSpec { cursor: runtime::Cursor::Link, items: None, limit: Some(\"per_page\") };"
    );
    assert_eq!(
        spec("list_charges_stream"),
        "let spec = runtime::PageSpec { cursor: runtime::Cursor::Body { param: \"starting_after\", next: None, has_more: Some(\"has_more\"), from_last_item: Some(\"id\") }, items: Some(\"data\"), limit: Some(\"limit\") };"
    );
    assert_eq!(
        spec("list_events_stream"),
        "let spec = runtime::PageSpec { cursor: runtime::Cursor::Body { param: \"cursor\", next: Some(\"next_cursor\"), has_more: None, from_last_item: None }, items: Some(\"events\"), limit: None };"
    );
    assert_eq!(
        spec("list_rows_stream"),
        "let spec = runtime::PageSpec { cursor: runtime::Cursor::Offset { param: \"skip\" }, items: Some(\"rows\"), limit: Some(\"take\") };"
    );
    // `before` and `after` without `around`: the direction is not in the spec.
    assert!(!text.contains("pub fn list_guilds_stream("));
    assert!(
        method(&text, "list_messages_stream").contains("-> crate::Pages<'a, crate::models::Item>")
    );
}
