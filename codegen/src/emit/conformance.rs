//! `src/conformance.rs` of the generated crate (feature `test-registry`): every client
//! operation callable by its operationId with arguments given as JSON, for the
//! request-conformance gate (`cargo xtask conformance`), which drives it against a mock server
//! that validates requests.
//!
//! Each call is printed from [`super::apis::method_args`], the function that decides the
//! operation method's signature, so the gate calls exactly the methods users call.

use super::apis::{method_args, params_struct_name, ArgRole};
use super::rust::{lit, ty_text, Ctx};
use crate::ir::*;
use std::fmt::Write;

/// The fixed part of the module: the outcome type, the client, argument helpers.
const PRELUDE: &str = r#"//! Every operation callable by its operationId with arguments given as JSON: the
//! request-conformance gate (`cargo xtask conformance`) calls each one against a mock server
//! that validates requests. Compiled only with the `test-registry` feature.
//!
//! Arguments are one JSON object: `{"path": {..}, "query": {..}, "header": {..},
//! "cookie": {..}, "body": .., "body_media_type": .., "content_type": ..}`, parameters by their
//! wire names; `body_media_type` picks one of several body media types (as written in the
//! spec), `content_type` is the concrete media type of a body declared with a range (`*/*`). A required argument that is
//! missing, or a value that does not deserialize into its Rust type, makes the call's outcome
//! [`OutcomeKind::Arguments`] without sending anything.
#![allow(deprecated)]
use serde_json::Value;

/// One operation the client calls.
#[derive(Clone, Copy, Debug)]
pub struct OperationInfo {
    /// The operationId (or the name derived from method and path without one).
    pub id: &'static str,
    /// JSON pointer of the operation in the original document.
    pub pointer: &'static str,
    /// The request body's media types as written, the preferred one (the default) first;
    /// empty without a body.
    pub body_media_types: &'static [&'static str],
}

/// What one call produced.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CallOutcome {
    /// The response status, when a response came.
    pub status: Option<u16>,
    /// The values of the response's `sl-violations` headers (Prism's request violations, a
    /// JSON array each), as received.
    pub violations: Vec<String>,
    /// How the call ended.
    pub kind: OutcomeKind,
}

/// How a call ended.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum OutcomeKind {
    /// A 2xx response whose body decoded into the operation's response type.
    Success,
    /// A non-2xx response.
    Api {
        /// Whether the body decoded into an error model of the operation.
        decoded: bool,
        /// The raw body.
        raw: String,
    },
    /// A 2xx response whose body did not decode into the response type.
    Decode {
        /// JSON path of the failure.
        path: String,
        /// The decoder's message.
        message: String,
        /// The raw body.
        raw: String,
    },
    /// No response: transport failure, timeout, or a request the client refused to build.
    Transport(String),
    /// The JSON arguments did not fit the operation's Rust arguments: nothing was sent.
    Arguments(String),
}

impl CallOutcome {
    fn arguments(message: String) -> CallOutcome {
        CallOutcome { status: None, violations: Vec::new(), kind: OutcomeKind::Arguments(message) }
    }

    fn from_result<T>(result: crate::Result<T>) -> CallOutcome {
        let (status, headers, kind) = match result {
            Ok(response) => (Some(response.status()), Some(response.headers().clone()), OutcomeKind::Success),
            Err(crate::Error::Api(api)) => (
                Some(api.status),
                Some(api.headers.clone()),
                OutcomeKind::Api { decoded: api.body.is_some(), raw: String::from_utf8_lossy(&api.raw).into_owned() },
            ),
            Err(crate::Error::Decode(decode)) => (
                Some(decode.status),
                Some(decode.headers.clone()),
                OutcomeKind::Decode {
                    path: decode.path.clone(),
                    message: decode.message.clone(),
                    raw: String::from_utf8_lossy(&decode.raw).into_owned(),
                },
            ),
            Err(other) => (other.status(), None, OutcomeKind::Transport(other.to_string())),
        };
        let violations = headers
            .iter()
            .flat_map(|h| h.get_all("sl-violations"))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        CallOutcome { status: status.map(|s| s.as_u16()), violations, kind }
    }

    /// The outcome as one JSON object: `status`, `violations` (the headers' arrays joined),
    /// `outcome` (`success`, `api`, `decode`, `transport`, `arguments`) and its details.
    pub fn to_json(&self) -> Value {
        let mut violations = Vec::new();
        for v in &self.violations {
            match serde_json::from_str::<Value>(v) {
                Ok(Value::Array(items)) => violations.extend(items),
                Ok(other) => violations.push(other),
                Err(_) => violations.push(Value::String(v.clone())),
            }
        }
        let mut out = serde_json::Map::new();
        out.insert("status".into(), self.status.map_or(Value::Null, Value::from));
        out.insert("violations".into(), Value::Array(violations));
        let (outcome, details): (&str, Vec<(&str, Value)>) = match &self.kind {
            OutcomeKind::Success => ("success", vec![]),
            OutcomeKind::Api { decoded, raw } => {
                ("api", vec![("decoded", Value::Bool(*decoded)), ("raw", Value::from(raw.as_str()))])
            }
            OutcomeKind::Decode { path, message, raw } => (
                "decode",
                vec![
                    ("path", Value::from(path.as_str())),
                    ("message", Value::from(message.as_str())),
                    ("raw", Value::from(raw.as_str())),
                ],
            ),
            OutcomeKind::Transport(m) => ("transport", vec![("message", Value::from(m.as_str()))]),
            OutcomeKind::Arguments(m) => ("arguments", vec![("message", Value::from(m.as_str()))]),
        };
        out.insert("outcome".into(), Value::from(outcome));
        for (k, v) in details {
            out.insert(k.into(), v);
        }
        Value::Object(out)
    }
}

/// Calls operation `operation_id` with `args`; `None` when the client has no such operation.
pub async fn call(client: &crate::Client, operation_id: &str, args: Value) -> Option<CallOutcome> {
    match start(client, operation_id, &args)? {
        Ok(future) => Some(future.await),
        Err(message) => Some(CallOutcome::arguments(message)),
    }
}

type Started<'a> = Result<crate::runtime::BoxFuture<'a, CallOutcome>, String>;

/// The call's future, its response turned into a [`CallOutcome`].
#[allow(dead_code)] // an API without such arguments does not use it
fn finish<'a, T, F>(future: F) -> Started<'a>
where
    F: std::future::Future<Output = crate::Result<T>> + Send + 'a,
{
    Ok(Box::pin(async move { CallOutcome::from_result(future.await) }))
}

/// The JSON at `args[place][name]`, if given.
#[allow(dead_code)] // an API without such arguments does not use it
fn given<'v>(args: &'v Value, place: &str, name: &str) -> Option<&'v Value> {
    if place.is_empty() {
        args.get(name)
    } else {
        args.get(place)?.get(name)
    }
}

#[allow(dead_code)] // an API without such arguments does not use it
fn decode<T: serde::de::DeserializeOwned>(v: &Value, place: &str, name: &str) -> Result<T, String> {
    T::deserialize(v).map_err(|e| format!("{place} `{name}`: {e}"))
}

/// A required argument.
#[allow(dead_code)] // an API without such arguments does not use it
fn required<T: serde::de::DeserializeOwned>(args: &Value, place: &str, name: &str) -> Result<T, String> {
    match given(args, place, name) {
        Some(v) => decode(v, place, name),
        None => Err(format!("{place} `{name}` is required")),
    }
}

/// An optional argument: absent is `None`.
#[allow(dead_code)] // an API without such arguments does not use it
fn optional<T: serde::de::DeserializeOwned>(args: &Value, place: &str, name: &str) -> Result<Option<T>, String> {
    given(args, place, name).map(|v| decode(v, place, name)).transpose()
}

/// A raw body: a JSON string's text, or the JSON text of anything else.
#[allow(dead_code)] // an API without such arguments does not use it
fn raw_body(args: &Value) -> String {
    match args.get("body") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}
"#;

/// `src/conformance.rs`.
pub fn module(api: &Api) -> String {
    let mut out = String::from(super::HEADER);
    out.push_str(PRELUDE);

    let ops: Vec<&Operation> = api.client_operations().collect();
    out.push_str("/// Every operation the client calls, in document order.\npub const OPERATIONS: &[OperationInfo] = &[\n");
    for op in &ops {
        let body: Vec<String> = op
            .body
            .iter()
            .flat_map(|b| &b.contents)
            .map(|c| lit(&c.content_type))
            .collect();
        let body = format!("&[{}]", body.join(", "));
        let _ = write!(
            out,
            "    OperationInfo {{\n        id: {},\n        pointer: {},\n        body_media_types: {body},\n    }},\n",
            lit(&op.id),
            lit(&op.pointer)
        );
    }
    out.push_str("];\n");

    client_fn(api, &mut out);

    out.push_str(
        "/// The future of operation `id`'s call, or why the arguments do not fit it; `None` for an unknown id.\n\
         fn start<'a>(client: &'a crate::Client, id: &str, args: &Value) -> Option<Started<'a>> {\n",
    );
    if ops.is_empty() {
        // No operation: every id is unknown (and the arguments unused).
        out.push_str("    let _ = (client, id, args);\n    None\n}\n");
    } else {
        out.push_str("    Some(match id {\n");
        for (n, op) in ops.iter().enumerate() {
            let _ = writeln!(out, "        {} => op_{n}(client, args),", lit(&op.id));
        }
        out.push_str("        _ => return None,\n    })\n}\n");
    }

    for (n, op) in ops.iter().enumerate() {
        operation(api, op, n, &mut out);
    }
    out
}

/// `pub fn client(base_url)`: a client holding a made-up credential for every scheme, without
/// retries.
fn client_fn(api: &Api, out: &mut String) {
    out.push_str(
        "/// A client for `base_url` holding a made-up credential for every security scheme, without\n\
         /// retries: a mock server checks that credentials are present, not what they are. Without\n\
         /// the rate limiter too: a mock server's rate-limit headers are made up.\n\
         pub fn client(base_url: &str) -> Result<crate::Client, String> {\n    \
         crate::Client::builder(base_url)\n        .retry(crate::RetryPolicy::none())\n        .no_rate_limit()\n",
    );
    for s in &api.security_schemes {
        let credential = if s.kind == SchemeKind::Basic {
            "crate::runtime::Credential::basic(\"conformance\", \"conformance-password\")"
        } else {
            "crate::runtime::Credential::token(\"conformance-token\")"
        };
        let _ = writeln!(out, "        .credential({}, {credential})", lit(&s.name));
    }
    out.push_str("        .build()\n        .map_err(|e| e.to_string())\n}\n");
}

fn location(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn type_text(t: &TypeRef) -> String {
    let mut s = String::new();
    ty_text(t, Ctx::Elsewhere, &mut s);
    s
}

/// `fn op_{n}`: the arguments from JSON, then the call.
fn operation(api: &Api, op: &Operation, n: usize, out: &mut String) {
    let tag = &api.tags[op.tag];
    let _ = writeln!(
        out,
        "/// `{}` ({} {}).",
        op.id.replace('`', "'"),
        op.method.as_str(),
        op.path.replace('`', "'")
    );
    let _ = writeln!(
        out,
        "fn op_{n}<'a>(client: &'a crate::Client, args: &Value) -> Started<'a> {{"
    );
    let mut call_args = Vec::new();
    let mut then = String::new();
    let args = method_args(op);
    if args.is_empty() {
        out.push_str("    let _ = args;\n");
    }
    for (i, a) in args.iter().enumerate() {
        let var = format!("a{i}");
        // How the method takes the argument: by reference when its type says so.
        let by_ref = a.ty.starts_with('&');
        match a.role {
            ArgRole::Param(p) => {
                let p = &op.params[p];
                let _ = writeln!(
                    out,
                    "    let {var}: {} = required(args, {}, {})?;",
                    type_text(&p.ty),
                    lit(location(p.location)),
                    lit(&p.name)
                );
                call_args.push(if by_ref { format!("&{var}") } else { var });
            }
            ArgRole::MediaType => {
                let _ = writeln!(
                    out,
                    "    let {var}: String = required(args, \"\", \"content_type\")?;"
                );
                call_args.push(format!("&{var}"));
            }
            ArgRole::Body { optional } => {
                let Some(b) = &op.body else { continue };
                match &b.choice {
                    None => {
                        let c = b.primary();
                        match c.kind {
                            BodyKind::Json | BodyKind::Form | BodyKind::Multipart => {
                                let t = type_text(&c.ty);
                                if optional {
                                    let _ = writeln!(
                                        out,
                                        "    let {var}: Option<{t}> = optional(args, \"\", \"body\")?;"
                                    );
                                    call_args.push(format!("{var}.as_ref()"));
                                } else {
                                    let _ = writeln!(
                                        out,
                                        "    let {var}: {t} = required(args, \"\", \"body\")?;"
                                    );
                                    call_args.push(format!("&{var}"));
                                }
                            }
                            BodyKind::Bytes => {
                                let _ = writeln!(out, "    let {var} = {};", content_value(c));
                                call_args.push(wrap_optional(var, optional));
                            }
                            BodyKind::Text => {
                                let _ = writeln!(out, "    let {var} = {};", content_value(c));
                                call_args.push(wrap_optional(format!("{var}.as_str()"), optional));
                            }
                        }
                    }
                    Some(choice) => {
                        // `body_media_type` picks the content (as written in the spec); the
                        // preferred one by default.
                        let path = format!("crate::apis::{}::{choice}", tag.module);
                        let mut arms = String::new();
                        for c in &b.contents {
                            let value = content_value(c);
                            let built = if c.is_wildcard() {
                                format!(
                                    "{path}::{} {{\n                content_type: required(args, \"\", \"content_type\")?,\n                data: {value},\n            }}",
                                    c.variant
                                )
                            } else {
                                format!("{path}::{}({value})", c.variant)
                            };
                            let _ =
                                writeln!(arms, "            {} => {built},", lit(&c.content_type));
                        }
                        let chosen = format!(
                            "match args.get(\"body_media_type\").and_then(Value::as_str).unwrap_or({}) {{\n{arms}            other => return Err(format!(\"no body media type `{{other}}`\")),\n        }}",
                            lit(&b.primary().content_type)
                        );
                        if optional {
                            let _ = writeln!(
                                out,
                                "    let {var}: Option<{path}> = if given(args, \"\", \"body\").is_some() {{\n        Some({chosen})\n    }} else {{\n        None\n    }};"
                            );
                            call_args.push(format!("{var}.as_ref()"));
                        } else {
                            let _ = writeln!(out, "    let {var}: {path} = {chosen};");
                            call_args.push(format!("&{var}"));
                        }
                    }
                }
            }
            ArgRole::OptionalParams => {
                let _ = writeln!(
                    out,
                    "    let mut {var} = crate::apis::{}::{}::new();",
                    tag.module,
                    params_struct_name(op)
                );
                for p in op.params.iter().filter(|p| !p.required && p.is_argument()) {
                    let _ = writeln!(
                        out,
                        "    {var}.{} = optional(args, {}, {})?;",
                        p.rust_name,
                        lit(location(p.location)),
                        lit(&p.name)
                    );
                }
                // Given to the builder the method returns, all at once.
                then = format!(".params({var}).send()");
            }
        }
    }
    let _ = writeln!(
        out,
        "    finish(client.{}().{}({}){then})\n}}",
        tag.module,
        op.rust_name,
        call_args.join(", ")
    );
}

/// The owned value of one body content, from `args`.
fn content_value(c: &BodyContent) -> &'static str {
    match c.kind {
        BodyKind::Json | BodyKind::Form | BodyKind::Multipart => "required(args, \"\", \"body\")?",
        BodyKind::Bytes => "bytes::Bytes::from(raw_body(args))",
        BodyKind::Text => "raw_body(args)",
    }
}

fn wrap_optional(expr: String, optional: bool) -> String {
    if optional {
        format!("Some({expr})")
    } else {
        expr
    }
}
