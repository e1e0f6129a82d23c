//! Streaming and paginated methods the generator writes for `fixtures/streams/openapi.yaml`:
//! which operations get one, under which name, with which page rule (detected, from
//! `codegen.toml` or from `x-pagination`), and the `stream` flag each method sets.

use codegen::testing::method_body as method;
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
    // A nullable flag (`anyOf: [boolean, null]`) is set too.
    assert!(method(&text, "create_reply_stream").contains("req.set_json_flag(\"stream\", true);"));
    assert!(method(&text, "create_reply").contains("req.set_json_flag(\"stream\", false);"));
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

/// All generated files of the fixture crate, by path.
fn files() -> std::collections::BTreeMap<std::path::PathBuf, String> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/streams/openapi.yaml");
    let config = Config::beside(&spec).unwrap();
    codegen::generate(&spec, &config).unwrap().files
}

/// The `#[cfg(...)]` line nearest before `pub {kind} {name}` in `models.rs`.
fn cfg_of(models: &str, item: &str) -> String {
    let at = models
        .find(item)
        .unwrap_or_else(|| panic!("no `{item}` in models.rs"));
    models[..at]
        .lines()
        .rev()
        .find(|l| l.starts_with("#[cfg("))
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_type_only_an_event_stream_uses_is_compiled_with_its_tag_not_as_an_extra_model() {
    let files = files();
    let models = &files[Path::new("src/models.rs")];
    // `SpeechEvent` is reached only from the `text/event-stream` content of `create_speech`
    // (whose other content is bytes): it was put behind `extra-models`, so the crate built
    // with only its tag's feature and `streams` did not compile.
    let cfg = cfg_of(models, "pub struct SpeechEvent");
    assert!(!cfg.contains("extra-models"), "{cfg}");
    assert!(cfg.contains("default-api"), "{cfg}");
    assert!(method(&generated(), "create_speech_stream")
        .contains("-> crate::EventStream<'a, crate::models::SpeechEvent>"));
}

#[test]
fn markdown_docs_list_stream_methods_with_a_section_and_an_example_each() {
    let files = files();
    let doc = &files[Path::new("docs/DefaultApi.md")];
    let (table, sections) = doc.split_once("\n## ").unwrap();
    // The operation table stays the reference generator's (one row per operation); the
    // stream methods have a table of their own.
    let (ops, streams) = table
        .split_once("Stream method | HTTP request | Description\n")
        .expect("a table of stream methods");
    assert!(!ops.contains("_stream"), "{ops}");
    for name in [
        "create_chat_stream",
        "create_speech_stream",
        "watch_feed_stream",
        "list_messages_stream",
        "list_repos_stream",
        "list_charges_stream",
        "list_events_stream",
        "list_rows_stream",
        "list_members_stream",
    ] {
        assert!(
            streams.contains(&format!("[**{name}**](DefaultApi.md#{name})")),
            "{name} not in\n{streams}"
        );
        let section = sections
            .split("\n## ")
            .find(|s| s.starts_with(&format!("{name}\n")))
            .unwrap_or_else(|| panic!("no section {name}"));
        assert!(
            section.contains(&format!("std::pin::pin!(client.default().{name}(")),
            "{section}"
        );
        assert!(section.contains("### Example"), "{section}");
    }
    assert!(!streams.contains("list_guilds_stream"));
    let section = |name: &str| {
        let at = doc.find(&format!("\n## {name}\n")).unwrap();
        let rest = &doc[at + 4..];
        rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
    };
    let messages = section("list_messages_stream");
    assert!(
        messages.contains(
            "> Pages<models::Item> list_messages_stream(id, limit, before, after, around)"
        ),
        "{messages}"
    );
    assert!(
        messages.contains("asked for with `before` set to the `id` of the page's items"),
        "{messages}"
    );
    assert!(
        messages.contains("client.default().list_messages_stream(id, params)"),
        "{messages}"
    );
    let chat = section("create_chat_stream");
    assert!(chat.contains("> EventStream<models::Delta> create_chat_stream(create_chat_request)"));
    assert!(chat.contains("`[DONE]`"), "{chat}");
    assert!(chat.contains("Sends `\"stream\": true`"), "{chat}");
}

#[test]
fn openai_sse_operations_get_event_stream_methods() {
    let Some(spec) = codegen::testing::shared("specs/corpus/openai.yaml", "openai SSE methods")
    else {
        return;
    };
    let out = codegen::generate(&spec, &Config::default()).unwrap();
    let text: String = out
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("src/apis"))
        .map(|(_, t)| t.as_str())
        .collect();
    // The seven operations with a `text/event-stream` response, and their event types.
    let expected = [
        (
            "create_speech_stream",
            "CreateSpeechResponseStreamEvent",
            false,
        ),
        // A multipart body: the method sets its `stream` form field.
        (
            "create_transcription_stream",
            "CreateTranscriptionResponseStreamEvent",
            true,
        ),
        (
            "create_chat_completion_stream",
            "CreateChatCompletionStreamResponse",
            true,
        ),
        ("create_image_edit_stream", "ImageEditStreamEvent", true),
        ("create_image_stream", "ImageGenStreamEvent", true),
        ("create_response_stream", "ResponseStreamEvent", true),
    ];
    for (name, ty, flag) in expected {
        let m = method(&text, name);
        assert!(
            m.contains(&format!("-> crate::EventStream<'a, crate::models::{ty}>")),
            "{m}"
        );
        assert_eq!(
            m.contains("req.set_json_flag(\"stream\", true);"),
            flag,
            "{name}: {m}"
        );
    }
    assert!(method(&text, "create_chat_completion_stream").contains("Some(\"[DONE]\")"));
    let streams = text.matches("-> crate::EventStream<'a,").count();
    assert_eq!(
        streams, 7,
        "one per SSE operation (the beta `create_response` too)"
    );
    // Each event type is compiled with the operation's tag, not only with `extra-models`.
    let models = &out.files[Path::new("src/models.rs")];
    for (_, ty, _) in expected {
        let item = [format!("pub enum {ty} {{"), format!("pub struct {ty} {{")]
            .into_iter()
            .find(|i| models.contains(i.as_str()))
            .unwrap_or_else(|| panic!("no type {ty}"));
        let cfg = cfg_of(models, &item);
        assert!(!cfg.contains("\"extra-models\")]"), "{ty}: {cfg}");
    }
}

#[test]
fn fluxer_list_messages_gets_a_message_history_stream() {
    let Some(spec) = codegen::testing::shared("specs/fluxer/openapi.json", "Fluxer history") else {
        return;
    };
    let out = codegen::generate(&spec, &Config::default()).unwrap();
    let channels = &out.files[Path::new("src/apis/channels.rs")];
    let m = method(channels, "list_messages_stream");
    assert!(
        m.contains("-> crate::Pages<'a, crate::models::MessageResponseSchema>"),
        "{m}"
    );
    assert!(
        m.contains("runtime::Cursor::Item { param: \"before\", id_field: \"id\" }"),
        "{m}"
    );
    assert!(m.contains("limit: Some(\"limit\")"), "{m}");
    let doc = &out.files[Path::new("docs/ChannelsApi.md")];
    assert!(
        doc.contains("\n## list_messages_stream\n"),
        "no section in ChannelsApi.md"
    );
}

#[test]
fn events_named_by_their_event_field_become_an_enum_of_the_tag_module() {
    let text = generated();
    let m = method(&text, "watch_updates_stream");
    assert!(
        m.contains("-> crate::EventStream<'a, WatchUpdatesEvent>"),
        "{m}"
    );
    assert!(
        m.contains("runtime::EventStream::with_decoder(")
            && m.contains("WatchUpdatesEvent::from_event"),
        "{m}"
    );
    let at = text
        .find("pub enum WatchUpdatesEvent {")
        .expect("the event enum");
    let decl = &text[at..at + text[at..].find("\n}\n").unwrap()];
    // A `$ref`'d frame, an inline one with `const`, and a one-value `enum` whose data is a
    // string with a JSON `contentSchema`.
    for variant in [
        "Delta(crate::models::Delta),",
        "Done(crate::models::Completion),",
        "ItemAdded(crate::models::Item),",
        "Other(serde_json::Value),",
    ] {
        assert!(decl.contains(variant), "{variant} not in\n{decl}");
    }
    let decoder = &text[text.find("impl WatchUpdatesEvent {").unwrap()..];
    assert!(decoder.contains("\"item.added\" => Self::ItemAdded(runtime::sse::event_data(data)?),"));
    assert!(decoder.contains("_ => Self::Other(runtime::sse::event_data(data)?),"));
    // The frame schemas are not generated as a model union nobody uses.
    let files = files();
    let models = &files[Path::new("src/models.rs")];
    assert!(
        !models.contains("WatchUpdatesEvent"),
        "a model union was generated too"
    );
}
