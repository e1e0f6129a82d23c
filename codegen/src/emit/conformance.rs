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

/// The module's head: its docs, then the hand-written part (`codegen/runtime/conformance/
/// support.rs`, the outcome type and the argument helpers, copied to `src/conformance/
/// support.rs`) brought in.
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

mod support;
pub use support::{call, CallOutcome, OperationInfo, OutcomeKind};
#[allow(unused_imports)] // an API without such arguments does not use them
use support::{finish, given, optional, raw_body, required, Started};

"#;

/// The hand-written part of the module, compiled and formatted as a real file.
pub const SUPPORT: &str = include_str!("../../runtime/conformance/support.rs");

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
/// retries, sending every operation (also those with their own `servers`) to `base_url`.
fn client_fn(api: &Api, out: &mut String) {
    out.push_str(
        "/// A client for `base_url` holding a made-up credential for every security scheme, without\n\
         /// retries: a mock server checks that credentials are present, not what they are. Without\n\
         /// the rate limiter too: a mock server's rate-limit headers are made up. Operations\n\
         /// that declare their own server are sent to `base_url` too (the mock serves them all).\n\
         pub fn client(base_url: &str) -> Result<crate::Client, String> {\n    \
         crate::Client::builder(base_url)\n        .retry(crate::RetryPolicy::none())\n        .no_rate_limit()\n        .operation_servers(false)\n",
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
