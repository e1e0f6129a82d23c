//! Lints of the input: constructs that are valid OpenAPI but probably not what the API does,
//! so a user learns where an overlay may be needed (a POST that takes no body is allowed by
//! the specification, and is usually a spec that forgot the body).
//!
//! They never stop generation and change nothing in the output. Run on the document as the
//! user wrote it (after overlays, before normalization), so pointers are theirs.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One suspicious construct.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lint {
    /// A short kebab-case rule name.
    pub rule: &'static str,
    /// JSON pointer into the document.
    pub pointer: String,
    pub message: String,
}

/// POST/PUT/PATCH with no request body.
pub const MUTATING_WITHOUT_BODY: &str = "mutating-operation-without-body";
/// A body-less operation whose prose speaks of a body.
pub const BODY_MENTIONED: &str = "body-mentioned-but-not-declared";
/// An `…id` path parameter typed as a plain string while its siblings use an ID type.
pub const PLAIN_STRING_ID: &str = "id-parameter-as-plain-string";

const MUTATING: [&str; 3] = ["post", "put", "patch"];
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Lints of a whole document, sorted by pointer then rule.
pub fn lint(root: &Value) -> Vec<Lint> {
    let mut out = Vec::new();
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return out;
    };
    // Path parameter name -> whether some declaration gives it a typed ID schema.
    let mut typed_ids: BTreeSet<String> = BTreeSet::new();
    // (pointer, name, whether a sibling path parameter of the same operation is a typed ID).
    let mut plain: Vec<(String, String, bool)> = Vec::new();
    for (path, item) in paths {
        let item_ptr = format!("/paths/{}", crate::diag::escape_token(path));
        let Some(item) = item.as_object() else {
            continue;
        };
        let shared = item.get("parameters").and_then(Value::as_array);
        for method in METHODS {
            let Some(op) = item.get(method).and_then(Value::as_object) else {
                continue;
            };
            let op_ptr = format!("{item_ptr}/{method}");
            if MUTATING.contains(&method) && !op.contains_key("requestBody") {
                out.push(Lint {
                    rule: MUTATING_WITHOUT_BODY,
                    pointer: op_ptr.clone(),
                    message: format!(
                        "`{} {path}` declares no request body: the generated method sends none (an overlay can add it)",
                        method.to_uppercase()
                    ),
                });
                let prose = ["summary", "description"]
                    .iter()
                    .filter_map(|k| op.get(*k).and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase();
                if let Some(word) = ["request body", "body", "payload", "json"]
                    .iter()
                    .find(|w| contains_word(&prose, w))
                {
                    out.push(Lint {
                        rule: BODY_MENTIONED,
                        pointer: op_ptr.clone(),
                        message: format!(
                            "its description mentions \"{word}\", but no request body is declared"
                        ),
                    });
                }
            }
            // Path parameters: the operation's own, then the path item's.
            let mut params: BTreeMap<String, (String, &Value)> = BTreeMap::new();
            let own = op.get("parameters").and_then(Value::as_array);
            for (list, base) in [
                (shared, format!("{item_ptr}/parameters")),
                (own, format!("{op_ptr}/parameters")),
            ] {
                for (i, p) in list.into_iter().flatten().enumerate() {
                    let (p, ptr) = resolve(root, p, format!("{base}/{i}"));
                    if p.get("in").and_then(Value::as_str) != Some("path") {
                        continue;
                    }
                    if let Some(name) = p.get("name").and_then(Value::as_str) {
                        params.insert(name.to_string(), (ptr, p));
                    }
                }
            }
            let any_typed = params.values().any(|(_, p)| is_typed_id(p));
            for (name, (ptr, p)) in &params {
                if is_typed_id(p) {
                    typed_ids.insert(name.clone());
                } else if is_plain_string(p) && looks_like_id(name) {
                    plain.push((ptr.clone(), name.clone(), any_typed));
                }
            }
        }
    }
    for (pointer, name, sibling_typed) in plain {
        let elsewhere = typed_ids.contains(&name);
        if sibling_typed || elsewhere {
            let why = if elsewhere {
                "the same parameter is an ID type elsewhere"
            } else {
                "other path parameters of the operation are ID types"
            };
            out.push(Lint {
                rule: PLAIN_STRING_ID,
                pointer,
                message: format!("path parameter `{name}` is a plain string, but {why}"),
            });
        }
    }
    out.sort_by(|a, b| (&a.pointer, a.rule).cmp(&(&b.pointer, b.rule)));
    out.dedup();
    out
}

/// A local `$ref` followed once (parameters are usually one hop from their definition).
fn resolve<'v>(root: &'v Value, p: &'v Value, ptr: String) -> (&'v Value, String) {
    match p
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(target) => match root.pointer(target) {
            Some(v) => (v, target.to_string()),
            None => (p, ptr),
        },
        None => (p, ptr),
    }
}

fn schema(p: &Value) -> Option<&serde_json::Map<String, Value>> {
    p.get("schema").and_then(Value::as_object)
}

/// A schema by reference, or a string with a format or pattern: something more than text.
fn is_typed_id(p: &Value) -> bool {
    schema(p).is_some_and(|s| {
        s.contains_key("$ref")
            || (s.get("type").and_then(Value::as_str) == Some("string")
                && (s.contains_key("format") || s.contains_key("pattern")))
            || s.get("type").and_then(Value::as_str) == Some("integer")
    })
}

fn is_plain_string(p: &Value) -> bool {
    schema(p).is_some_and(|s| {
        s.get("type").and_then(Value::as_str) == Some("string")
            && !["format", "pattern", "enum", "$ref"]
                .iter()
                .any(|k| s.contains_key(*k))
    })
}

fn looks_like_id(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower == "id" || lower.ends_with("_id") || lower.ends_with("-id") || name.ends_with("Id")
}

/// `word` in `text` with no letter on either side.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// `N suspicious constructs (rule: n, …)`: the one line the CLI prints without `--lints`.
pub fn summary(lints: &[Lint]) -> String {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for l in lints {
        *by_rule.entry(l.rule).or_default() += 1;
    }
    let parts: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r}: {n}")).collect();
    format!(
        "{} suspicious construct{} in the description ({})",
        lints.len(),
        if lints.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_each_rule_and_nothing_else() {
        let doc = json!({
            "components": {"parameters": {"Chan": {"name": "channel_id", "in": "path", "required": true,
                "schema": {"$ref": "#/components/schemas/Snowflake"}}}},
            "paths": {
                "/channels/{channel_id}/messages": {
                    "parameters": [{"$ref": "#/components/parameters/Chan"}],
                    "post": {"summary": "Send a message", "description": "Posts the JSON payload.", "responses": {}},
                    "get": {"responses": {}}
                },
                "/channels/{channel_id}/attachments/{attachment_id}": {
                    "delete": {"parameters": [
                        {"$ref": "#/components/parameters/Chan"},
                        {"name": "attachment_id", "in": "path", "required": true, "schema": {"type": "string"}}
                    ], "responses": {}}
                },
                "/things/{thing_id}": {
                    "put": {"parameters": [{"name": "thing_id", "in": "path", "required": true,
                        "schema": {"type": "string"}}], "requestBody": {}, "responses": {}}
                },
                "/typing": {"post": {"description": "Nobody's business", "responses": {}}}
            }
        });
        let lints = lint(&doc);
        let got: Vec<(&str, &str)> = lints.iter().map(|l| (l.rule, l.pointer.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (PLAIN_STRING_ID, "/paths/~1channels~1{channel_id}~1attachments~1{attachment_id}/delete/parameters/1"),
                (BODY_MENTIONED, "/paths/~1channels~1{channel_id}~1messages/post"),
                (MUTATING_WITHOUT_BODY, "/paths/~1channels~1{channel_id}~1messages/post"),
                (MUTATING_WITHOUT_BODY, "/paths/~1typing/post"),
            ]
        );
        assert_eq!(
            summary(&lints),
            "4 suspicious constructs in the description (body-mentioned-but-not-declared: 1, id-parameter-as-plain-string: 1, mutating-operation-without-body: 2)"
        );
    }

    #[test]
    fn words_are_whole_words() {
        assert!(contains_word("send the body now", "body"));
        assert!(!contains_word("somebody else", "body"));
        assert!(!contains_word("jsonify", "json"));
    }
}
