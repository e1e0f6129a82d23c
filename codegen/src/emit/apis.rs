//! `src/apis/`: one module per tag with its operations; shared auth and error tables.
//!
//! Written as text, like `models.rs`: the operations follow a few fixed shapes, and building
//! token trees for them, parsing them back with syn and printing them with prettyplease was a
//! fifth of generating Stripe. The layout follows prettyplease's, without all of its line
//! breaking; the output is the same tokens the token-based emitter wrote.

use super::rust::{
    doc_lines, doc_raw_lines, doc_text, is_copy, list, lit, then_description, ty_text, Ctx, MARGIN,
};
use crate::ir::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Statics shared by operations: security alternatives and error decoder tables, deduplicated.
pub struct Shared {
    security: BTreeMap<Vec<Vec<String>>, usize>,
    errors: BTreeMap<Vec<(StatusMatch, usize)>, usize>,
}

impl Shared {
    pub fn collect(api: &Api) -> Shared {
        let mut security = BTreeMap::new();
        let mut errors = BTreeMap::new();
        for op in api.client_operations() {
            let n = security.len();
            security.entry(op.security.clone()).or_insert(n);
            let n = errors.len();
            errors.entry(error_key(op)).or_insert(n);
        }
        Shared { security, errors }
    }
}

fn error_key(op: &Operation) -> Vec<(StatusMatch, usize)> {
    op.errors
        .iter()
        .filter_map(|e| e.model.map(|m| (e.status, m)))
        .collect()
}

/// The static holding a security scheme.
fn scheme_ident(s: &SecurityScheme) -> &str {
    &s.static_name
}

/// `head` + `.call` + `tail` after `indent`: the method call goes on its own line when the
/// whole does not fit within [`MARGIN`].
fn chain(indent: &str, head: &str, call: &str, tail: &str, out: &mut String) {
    out.push_str(indent);
    out.push_str(head);
    if indent.len() + head.len() + call.len() + tail.len() > MARGIN {
        let _ = write!(out, "\n{indent}    ");
    }
    out.push_str(call);
    out.push_str(tail);
    out.push('\n');
}

fn status_text(s: StatusMatch) -> String {
    match s {
        StatusMatch::Code(c) => format!("crate::runtime::StatusMatch::Code({c})"),
        StatusMatch::Range(d) => format!("crate::runtime::StatusMatch::Range({d})"),
        StatusMatch::Default => "crate::runtime::StatusMatch::Default".to_string(),
    }
}

/// `src/apis/mod.rs`.
pub fn apis_mod(api: &Api) -> String {
    let shared = Shared::collect(api);
    let mut out = format!(
        "{}//! Operations, grouped by tag, and the tables they share.\n",
        super::HEADER
    );
    for (_, t) in api.operation_tags() {
        let cfg = format!("#[cfg(feature = {})]\n", lit(&t.feature));
        doc_raw_lines(&format!("Operations tagged `{}`.", t.name), "", &mut out);
        let m = &t.module;
        let _ = write!(
            out,
            "{cfg}pub mod {m};\n{cfg}pub use {m}::{};\n",
            t.api_type
        );
    }
    super::krate::client_impls(api, &mut out);
    for s in &api.security_schemes {
        let kind = match &s.kind {
            SchemeKind::ApiKeyHeader { header, prefix } => format!(
                "ApiKeyHeader {{\n        header: {},\n        prefix: {},\n    }}",
                lit(header),
                lit(prefix)
            ),
            SchemeKind::ApiKeyQuery { param } => {
                format!("ApiKeyQuery {{\n        param: {},\n    }}", lit(param))
            }
            SchemeKind::ApiKeyCookie { cookie } => {
                format!("ApiKeyCookie {{\n        cookie: {},\n    }}", lit(cookie))
            }
            SchemeKind::Bearer => "Bearer".to_string(),
            SchemeKind::Basic => "Basic".to_string(),
        };
        doc_lines(
            &format!(
                "The `{}` security scheme.{}",
                s.name,
                then_description(s.description.as_deref())
            ),
            "",
            &mut out,
        );
        let _ = write!(
            out,
            "pub static {}: crate::runtime::SecurityScheme = crate::runtime::SecurityScheme {{\n    \
             name: {},\n    kind: crate::runtime::SchemeKind::{kind},\n}};\n",
            scheme_ident(s),
            lit(&s.name)
        );
    }
    for (alts, i) in &shared.security {
        let alts: Vec<String> = alts
            .iter()
            .map(|alt| {
                let ids: Vec<String> = alt
                    .iter()
                    .filter_map(|n| api.security_schemes.iter().find(|s| &s.name == n))
                    .map(|s| format!("&{}", scheme_ident(s)))
                    .collect();
                format!("&[{}]", ids.join(", "))
            })
            .collect();
        out.push_str("#[allow(dead_code)]\n");
        let head = format!("pub(crate) static SECURITY_{i}: crate::runtime::Security = &[");
        list("", &head, &alts, "];", &mut out);
    }
    const DECODER: &str = "fn(&[u8]) -> Result<crate::models::ErrorBody, serde_json::Error>";
    for m in &api.error_models {
        let f = &m.decoder;
        let mut t = String::new();
        ty_text(&m.ty, Ctx::Elsewhere, &mut t);
        out.push_str("#[allow(dead_code)]\n");
        list(
            "",
            &format!("fn {f}("),
            &["body: &[u8]".to_string()],
            ") -> Result<crate::models::ErrorBody, serde_json::Error> {",
            &mut out,
        );
        chain(
            "    ",
            &format!("serde_json::from_slice::<{t}>(body)"),
            &format!(".map(crate::models::ErrorBody::{})", m.variant),
            "",
            &mut out,
        );
        out.push_str("}\n");
    }
    for (entries, i) in &shared.errors {
        out.push_str("#[allow(dead_code)]\n");
        let _ = write!(
            out,
            "pub(crate) static ERRORS_{i}: crate::runtime::ErrorDecoders<crate::models::ErrorBody> = &["
        );
        if entries.is_empty() {
            out.push_str("];\n");
            continue;
        }
        out.push('\n');
        for (status, m) in entries {
            let f = &api.error_models[*m].decoder;
            // prettyplease breaks before `as` when the line gets long.
            let long = "         as ".len() + f.len() + DECODER.len() > MARGIN;
            let sep = if long { "\n            " } else { " " };
            let _ = write!(
                out,
                "    (\n        {},\n        {f}{sep}as {DECODER},\n    ),\n",
                status_text(*status)
            );
        }
        out.push_str("];\n");
    }
    raw_routes(api, &shared, &mut out);
    out.push_str(
        r#"/// A multipart file part from a model's binary field.
#[allow(dead_code)]
pub(crate) fn file_part(b: &crate::types::Binary) -> crate::runtime::FilePart {
    crate::runtime::FilePart {
        file_name: b.file_name.clone(),
        content_type: b.content_type.clone(),
        data: bytes::Bytes::from(b.data.clone()),
    }
}
"#,
    );
    out
}

/// The operations' security, error and server tables by method and path template, for raw
/// requests (`Client::request`), and the method itself.
fn raw_routes(api: &Api, shared: &Shared, out: &mut String) {
    const E: &str = "crate::models::ErrorBody";
    let _ = writeln!(
        out,
        "static RAW_ROUTES: crate::runtime::RawRoutes<{E}> = crate::runtime::RawRoutes {{\n    routes: &["
    );
    for op in api.client_operations() {
        let server = match &op.server {
            Some(s) => format!("Some({})", lit(s)),
            None => "None".to_string(),
        };
        let _ = writeln!(
            out,
            "        crate::runtime::RawRoute {{\n            method: {},\n            template: {},\n            security: SECURITY_{},\n            errors: ERRORS_{},\n            server: {server},\n        }},",
            lit(op.method.as_str()),
            lit(&op.path),
            shared.security[&op.security],
            shared.errors[&error_key(op)],
        );
    }
    out.push_str("    ],\n    schemes: &[\n");
    for s in &api.security_schemes {
        let _ = writeln!(
            out,
            "        ({}, &[&[&{}]]),",
            lit(&s.name),
            scheme_ident(s)
        );
    }
    out.push_str("    ],\n    any_scheme: &[\n");
    for s in &api.security_schemes {
        let _ = writeln!(out, "        &[&{}],", scheme_ident(s));
    }
    out.push_str("    ],\n    any_error: &[\n");
    for m in &api.error_models {
        let f = &m.decoder;
        let _ = writeln!(
            out,
            "        (\n            crate::runtime::StatusMatch::Default,\n            {f} as fn(&[u8]) -> Result<{E}, serde_json::Error>,\n        ),"
        );
    }
    out.push_str("    ],\n};\n");
    out.push_str(
        "impl crate::runtime::Client {\n    /// A request by hand, for what the API description does not describe (or describes\n    /// wrongly): `path` is a template relative to the base URL whose `{name}`s are filled\n    /// with [`RawRequest::path_param`](crate::runtime::RawRequest::path_param). Credentials,\n    /// retries and error decoding are those of the operation with the same method and\n    /// template, if there is one; see [`RawRequest`](crate::runtime::RawRequest).\n    #[inline]\n    pub fn request(\n        &self,\n        method: reqwest::Method,\n        path: &str,\n    ) -> crate::runtime::RawRequest<'_, crate::models::ErrorBody> {\n        crate::runtime::RawRequest::new(self, &RAW_ROUTES, method, path)\n    }\n}\n",
    );
}

/// Operations per part of a tag module: a big tag (Stripe's single `default` tag has 468) is
/// written in several parts, on several threads; each part after the first is another `impl`
/// block of the same API type.
const OPERATIONS_PER_PART: usize = 64;

/// The parts of `src/apis/<tag>.rs`, in order; every part is whole items, the first starts
/// with the generated-file header.
pub fn tag_module(api: &Api, tag_index: usize, crate_ident: &str, shared: &Shared) -> Vec<String> {
    let tag = &api.tags[tag_index];
    let api_ty = tag.api_type.clone();
    // An example call: the first operation that needs no arguments, if there is one.
    let auth = api
        .security_schemes
        .iter()
        .find(|s| s.kind != SchemeKind::Basic)
        .map(|s| format!("\n    .{}(\"token\")", s.rust_name))
        .unwrap_or_default();
    let call = api
        .client_operations()
        .filter(|o| o.tag == tag_index)
        .find(|o| {
            o.body.is_none()
                && o.params.iter().all(|p| !p.required || !p.is_argument())
                && !o.deprecated
        })
        .map(|o| {
            format!(
                "let response = client.{}().{}().await?;\nprintln!(\"{{}}\", response.status());\n",
                tag.module, o.rust_name
            )
        })
        .unwrap_or_else(|| format!("let _api = client.{}();\n", tag.module));
    let example = format!(
        "\n\n# Example\n\n```no_run\n# async fn run() -> Result<(), Box<dyn std::error::Error>> {{\nlet client = {crate_ident}::Client::builder({crate_ident}::DEFAULT_BASE_URL){auth}\n    .build()?;\n{call}# Ok(())\n# }}\n```"
    );
    let ops: Vec<&Operation> = api
        .client_operations()
        .filter(|o| o.tag == tag_index)
        .collect();
    let mut parts = Vec::new();
    for (n, chunk) in ops.chunks(OPERATIONS_PER_PART.max(1)).enumerate() {
        let mut out = String::with_capacity(chunk.len() * 4096);
        if n == 0 {
            out.push_str(super::HEADER);
            out.push_str(
                "#![allow(deprecated)]\n#![allow(clippy::too_many_arguments)]\n\
                 use crate::runtime::{self, RequestSpec};\n",
            );
            let description = tag
                .description
                .as_deref()
                .map(|d| format!("\n\n{}", doc_text(d)))
                .unwrap_or_default();
            doc_raw_lines(
                &format!(
                    "Operations tagged `{}`.{description}\n\nGet one from [`Client::{}`](crate::Client::{}).{example}",
                    tag.name, tag.module, tag.module
                ),
                "",
                &mut out,
            );
            let _ = write!(
                out,
                "#[derive(Clone, Copy, Debug)]\npub struct {api_ty}<'a> {{\n    \
                 pub(crate) client: &'a runtime::Client,\n}}\n"
            );
        }
        let _ = writeln!(out, "impl<'a> {api_ty}<'a> {{");
        let mut params_structs = String::new();
        for op in chunk {
            let req = operation(api, op, &api_ty, shared, &mut out, &mut params_structs);
            stream_methods(
                op,
                tag,
                crate_ident,
                &req,
                shared,
                &mut out,
                &mut params_structs,
            );
        }
        out.push_str("}\n");
        out.push_str(&params_structs);
        parts.push(out);
    }
    parts
}

/// What one argument of an operation method carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgRole {
    /// A required parameter: index into `Operation::params`. Constant parameters
    /// ([`Param::constant`]) are never arguments: the method sends their value itself.
    Param(usize),
    /// The concrete media type (`&str`) of a raw body declared with a media range (`*/*`,
    /// `image/*`): [`RequestBody::media_type_arg`]; it comes just before the body.
    MediaType,
    /// The request body (`Option<..>` around [`MethodArg::ty`] when `optional`). With one
    /// content it is that content's value (`&T` for JSON, form and multipart, `bytes::Bytes`
    /// for raw bytes, `&str` for text); with several ([`RequestBody::choice`]) it is
    /// `&<choice>`, an enum in the tag module with one variant per content
    /// ([`BodyContent::variant`]) holding that value owned (`T`, `bytes::Bytes`, `String`), or,
    /// for a media range, `{ content_type: String, data: <value> }`.
    Body { optional: bool },
    /// The struct of optional parameters, [`params_struct_name`].
    OptionalParams,
}

/// One argument of an operation method after `&self`, in order: the single place that decides
/// a method's signature, for the method itself and for anything that calls it (the
/// `test-registry` conformance module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MethodArg {
    pub name: String,
    /// The argument's Rust type as written in the signature.
    pub ty: String,
    pub role: ArgRole,
}

/// The arguments of `op`'s method: required parameters in document order, then the body
/// (after its media type when the caller names it), then the optional-parameters struct when
/// there are optional parameters. Constant parameters are not arguments.
pub(crate) fn method_args(op: &Operation) -> Vec<MethodArg> {
    let mut args = Vec::new();
    for (i, p) in op
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.required && p.is_argument())
    {
        let mut ty = String::new();
        arg_type(&p.ty, &mut ty);
        args.push(MethodArg {
            name: p.rust_name.clone(),
            ty,
            role: ArgRole::Param(i),
        });
    }
    if let Some(b) = &op.body {
        if let Some(name) = &b.media_type_arg {
            args.push(MethodArg {
                name: name.clone(),
                ty: "&str".to_string(),
                role: ArgRole::MediaType,
            });
        }
        let arg = match &b.choice {
            Some(choice) => format!("&{choice}"),
            None => {
                let c = b.primary();
                match c.kind {
                    BodyKind::Json | BodyKind::Form | BodyKind::Multipart => {
                        format!("&{}", type_text(&c.ty))
                    }
                    BodyKind::Bytes => "bytes::Bytes".to_string(),
                    BodyKind::Text => "&str".to_string(),
                }
            }
        };
        let optional = !body_unconditional(b);
        args.push(MethodArg {
            name: b.param_name.clone(),
            ty: if optional {
                format!("Option<{arg}>")
            } else {
                arg
            },
            role: ArgRole::Body { optional },
        });
    }
    if has_optional_params(op) {
        args.push(MethodArg {
            name: "params".to_string(),
            ty: format!("&{}", params_struct_name(op)),
            role: ArgRole::OptionalParams,
        });
    }
    args
}

/// The arguments of the operation's own method (the first call): [`method_args`] without the
/// optional-parameters struct, whose fields are set on the returned builder instead
/// ([`builder_name`]). Stream methods take all of [`method_args`].
pub(crate) fn call_args(op: &Operation) -> Vec<MethodArg> {
    let mut args = method_args(op);
    args.retain(|a| a.role != ArgRole::OptionalParams);
    args
}

/// The request builder an operation with optional parameters returns (`…Builder`, in its tag
/// module): optional parameters are its chained setters, and it implements `IntoFuture`.
pub(crate) fn builder_name(op: &Operation) -> String {
    op.builder_type.clone()
}

/// `let id: Snowflake = id.into();` for each `impl Into` argument: the request-building code
/// after it sees the concrete type.
fn conversions(args: &[MethodArg], indent: &str) -> String {
    let mut out = String::new();
    for a in args {
        if let Some(inner) =
            a.ty.strip_prefix("impl Into<")
                .and_then(|t| t.strip_suffix('>'))
        {
            let _ = writeln!(out, "{indent}let {0}: {inner} = {0}.into();", a.name);
        }
    }
    out
}

/// Whether the method takes an optional-parameters struct.
pub(crate) fn has_optional_params(op: &Operation) -> bool {
    op.params.iter().any(|p| !p.required && p.is_argument())
}

/// Whether the body argument is always given (not an `Option`): required bodies, and a single
/// raw bytes or text content, whose empty value stands for "no body".
fn body_unconditional(b: &RequestBody) -> bool {
    b.required
        || (b.choice.is_none() && matches!(b.primary().kind, BodyKind::Bytes | BodyKind::Text))
}

/// The struct of an operation's optional parameters (`…Params`), in its tag module.
pub(crate) fn params_struct_name(op: &Operation) -> String {
    op.params_type.clone()
}

/// Whether `t` is the crate's ID type (`format: snowflake`, or a type override naming it).
pub(crate) fn is_snowflake(t: &TypeRef) -> bool {
    match t {
        TypeRef::Prim(Prim::Snowflake) => true,
        TypeRef::External(path) => path.trim() == "crate::types::Snowflake",
        _ => false,
    }
}

/// The argument type of a required parameter. An ID takes anything that converts into one
/// (`Snowflake`, `u64`); the method converts it first thing (see [`conversions`]).
fn arg_type(t: &TypeRef, out: &mut String) {
    match t {
        t if is_snowflake(t) => out.push_str("impl Into<crate::types::Snowflake>"),
        TypeRef::Prim(Prim::String | Prim::Uri | Prim::Uuid) => out.push_str("&str"),
        TypeRef::Array(inner) => {
            out.push_str("&[");
            ty_text(inner, Ctx::Elsewhere, out);
            out.push(']');
        }
        t if is_copy(t) => ty_text(t, Ctx::Elsewhere, out),
        t => {
            out.push('&');
            ty_text(t, Ctx::Elsewhere, out);
        }
    }
}

fn type_text(t: &TypeRef) -> String {
    let mut out = String::new();
    ty_text(t, Ctx::Elsewhere, &mut out);
    out
}

/// One operation: its method (into `out`, inside the `impl` block) and the struct of its
/// optional parameters, if it has any (into `structs`).
fn operation(
    api: &Api,
    op: &Operation,
    api_ty: &str,
    shared: &Shared,
    out: &mut String,
    structs: &mut String,
) -> String {
    const IN: &str = "        ";
    const IN2: &str = "            ";
    let mut args = vec!["&self".to_string()];
    // The statements after `req.security`, at the method body's indent.
    let mut stmts = String::new();

    // Path.
    let mut fmt = String::new();
    let mut fmt_args = Vec::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(l) => fmt.push_str(&l.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(i) => {
                fmt.push_str("{}");
                fmt_args.push(format!(
                    "runtime::encode_path_segment(&runtime::param_string(&{}))",
                    op.params[*i].rust_name
                ));
            }
        }
    }
    let path_expr = if fmt_args.is_empty() {
        format!("{}.to_string()", lit(&fmt))
    } else {
        format!("format!({}, {})", lit(&fmt), fmt_args.join(", "))
    };

    let method_args = call_args(op);
    for a in &method_args {
        args.push(format!("{}: {}", a.name, a.ty));
    }
    // Optional parameters are pushed after the rest (by the builder's `send`).
    let mut opt_stmts = String::new();
    let optional: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| !p.required && p.is_argument())
        .collect();
    for p in &op.params {
        if p.location == ParamLocation::Path {
            continue;
        }
        if let Some(value) = &p.constant {
            constant_push(p, value, IN, &mut stmts);
        } else if p.required {
            param_push(p, &p.rust_name, IN, &mut stmts);
        } else {
            let _ = writeln!(opt_stmts, "{IN}if let Some(v) = &params.{} {{", p.rust_name);
            param_push(p, "v", IN2, &mut opt_stmts);
            let _ = writeln!(opt_stmts, "{IN}}}");
        }
    }
    for (k, v) in &op.fixed_query {
        let _ = writeln!(
            stmts,
            "{IN}req.query.push(({}.to_string(), {}.to_string()));",
            lit(k),
            lit(v)
        );
    }

    // Body.
    if let Some(b) = &op.body {
        let id = b.param_name.as_str();
        let unconditional = body_unconditional(b);
        let indent = if unconditional {
            IN
        } else {
            let _ = writeln!(stmts, "{IN}if let Some({id}) = {id} {{");
            IN2
        };
        match &b.choice {
            None => {
                let c = b.primary();
                let ct = match &b.media_type_arg {
                    Some(arg) => arg.clone(),
                    None => lit(&c.content_type),
                };
                let data = match c.kind {
                    BodyKind::Text => format!("bytes::Bytes::copy_from_slice({id}.as_bytes())"),
                    _ => id.to_string(),
                };
                content_body(api, c, id, &ct, &data, indent, &mut stmts);
            }
            Some(choice) => {
                let _ = writeln!(stmts, "{indent}match {id} {{");
                let arm = format!("{indent}    ");
                let inner = format!("{indent}        ");
                for c in &b.contents {
                    let v = &c.variant;
                    let text =
                        |data: &str| format!("bytes::Bytes::copy_from_slice({data}.as_bytes())");
                    let (pattern, ct, data) = if c.is_wildcard() {
                        let data = if c.kind == BodyKind::Text {
                            text("data")
                        } else {
                            "data.clone()".to_string()
                        };
                        (
                            format!("{choice}::{v} {{ content_type, data }}"),
                            "content_type".to_string(),
                            data,
                        )
                    } else {
                        let data = match c.kind {
                            BodyKind::Text => text("value"),
                            _ => "value.clone()".to_string(),
                        };
                        (format!("{choice}::{v}(value)"), lit(&c.content_type), data)
                    };
                    let _ = writeln!(stmts, "{arm}{pattern} => {{");
                    content_body(api, c, "value", &ct, &data, &inner, &mut stmts);
                    let _ = writeln!(stmts, "{arm}}}");
                }
                let _ = writeln!(stmts, "{indent}}}");
                body_enum(op, api_ty, b, choice, structs);
            }
        }
        if !unconditional {
            let _ = writeln!(stmts, "{IN}}}");
        }
    }

    if !optional.is_empty() {
        params_struct(op, api_ty, &params_struct_name(op), &optional, structs);
    }

    let security = shared.security[&op.security];
    let errors = shared.errors[&error_key(op)];
    // A plain function returning the runtime's named future, not an `async fn`: the request
    // machinery is then compiled only for the operations a program awaits (BENCHMARKS.md).
    let (ret, call) = match &op.success.kind {
        SuccessKind::Json(t) => (
            format!("crate::ResponseFuture<'a, {}>", type_text(t)),
            format!("runtime::ResponseFuture::json(CLIENT, req, super::ERRORS_{errors})"),
        ),
        SuccessKind::Empty => (
            "crate::ResponseFuture<'a, ()>".to_string(),
            format!("runtime::ResponseFuture::empty(CLIENT, req, super::ERRORS_{errors})"),
        ),
        SuccessKind::Bytes { .. } | SuccessKind::Text => (
            "crate::BytesFuture<'a>".to_string(),
            format!("Box::pin(CLIENT.execute_bytes(req, super::ERRORS_{errors}))"),
        ),
    };
    let builder = (!optional.is_empty()).then(|| builder_name(op));
    let mut docs = operation_docs(api, op);
    if let Some(b) = &builder {
        docs.push_str(&format!(
            "\n\n# Optional parameters\n\nSet on the returned [`{b}`] (`.limit(50)`-style setters, or \
             all at once with [`params`]({b}::params)); `.await` it to send the request."
        ));
    }
    doc_raw_lines(&docs, "    ", out);
    if op.deprecated {
        out.push_str("    #[deprecated]\n");
    }
    // `#[inline]` (here and on the small builders): a library does not compile its inline
    // functions until something calls them, so a program compiles only the operations it uses.
    out.push_str("    #[inline]\n");
    let method_ret = match &builder {
        Some(b) => format!("{b}<'a>"),
        None => ret.clone(),
    };
    list(
        "    ",
        &format!("pub fn {}(", op.rust_name),
        &args,
        &format!(") -> {method_ret} {{"),
        out,
    );
    out.push_str(&conversions(&method_args, IN));
    // The request as built, but for optional parameters; stream methods build the same one.
    let mut req_text = String::new();
    list(
        IN,
        "let mut req = RequestSpec::new(",
        &[
            format!("reqwest::Method::{}", op.method.as_str()),
            lit(&op.path),
            path_expr,
        ],
        ");",
        &mut req_text,
    );
    let _ = writeln!(req_text, "{IN}req.security = super::SECURITY_{security};");
    if let Some(accept) = &op.accept {
        let _ = writeln!(req_text, "{IN}req.accept = Some({});", lit(accept));
    }
    if let Some(server) = &op.server {
        let _ = writeln!(req_text, "{IN}req.server = Some({});", lit(server));
    }
    if !op.major_params.is_empty() {
        let values: Vec<String> = op
            .major_params
            .iter()
            .map(|i| format!("runtime::param_string(&{})", op.params[*i].rust_name))
            .collect();
        list(IN, "req.major_params = vec![", &values, "];", &mut req_text);
    }
    req_text.push_str(&stmts);
    out.push_str(&req_text);
    if let Some(flag) = op.event_stream.as_ref().and_then(|e| e.flag.as_ref()) {
        // The same request type asks for JSON or for a stream: this method wants JSON.
        let _ = writeln!(out, "{IN}req.set_json_flag({}, false);", lit(flag));
    }
    match &builder {
        None => {
            let _ = writeln!(out, "{IN}{}\n    }}", call.replace("CLIENT", "self.client"));
        }
        Some(b) => {
            let _ = writeln!(
                out,
                "{IN}{b} {{\n{IN}    client: self.client,\n{IN}    req,\n{IN}    params: {}::new(),\n{IN}}}\n    }}",
                params_struct_name(op)
            );
            let send = format!("{opt_stmts}{IN}{}\n", call.replace("CLIENT", "client"));
            request_builder(op, api_ty, b, &optional, &ret, &send, structs);
        }
    }
    req_text.push_str(&opt_stmts);
    req_text
}

/// The request builder of an operation with optional parameters: the request as the first
/// call built it, and the optional parameters, set one by one (`.limit(50)`) or all at once
/// (`.params(p)`); `send` (or `.await`, through `IntoFuture`) adds them and sends it. It is
/// not generic and holds no borrow but the client's, so a builder costs one small struct and
/// its setters, compiled only where used (`#[inline]`); no derives (a `Debug` derive on
/// Fluxer's 124 builders is compile time for little use).
fn request_builder(
    op: &Operation,
    api_ty: &str,
    name: &str,
    optional: &[&Param],
    ret: &str,
    send: &str,
    out: &mut String,
) {
    let params = params_struct_name(op);
    doc_raw_lines(
        &format!(
            "The request of [`{api_ty}::{0}`] with its optional parameters: chain the setters, \
             then `.await` it (or call [`send`](Self::send)).",
            op.rust_name
        ),
        "",
        out,
    );
    let _ = writeln!(
        out,
        "#[must_use = \"a request builder does nothing until it is `.await`ed\"]\n\
         pub struct {name}<'a> {{\n    client: &'a runtime::Client,\n    req: RequestSpec,\n    params: {params},\n}}\n\
         impl<'a> {name}<'a> {{"
    );
    for p in optional {
        let id = &p.rust_name;
        if matches!(id.as_str(), "send" | "params" | "into_future") {
            // Set through `params` only: the builder's own methods keep these names.
            continue;
        }
        doc_lines(&param_doc(p), "    ", out);
        if p.deprecated {
            out.push_str("    #[deprecated]\n");
        }
        out.push_str("    #[inline]\n");
        let (value_ty, value) = setter_value(&p.ty);
        list(
            "    ",
            &format!("pub fn {id}("),
            &["mut self".to_string(), format!("value: {value_ty}")],
            ") -> Self {",
            out,
        );
        let _ = writeln!(
            out,
            "        self.params.{id} = Some({value});\n        self\n    }}"
        );
    }
    let _ = writeln!(
        out,
        "    /// Sets every optional parameter at once, replacing those set before.\n    #[inline]\n    \
         pub fn params(mut self, params: {params}) -> Self {{\n        self.params = params;\n        self\n    }}\n    \
         /// Sends the request (what `.await` does).\n    #[inline]\n    \
         pub fn send(self) -> {ret} {{\n        let Self {{ client, mut req, params }} = self;\n{send}    }}\n}}"
    );
    let _ = writeln!(
        out,
        "impl<'a> std::future::IntoFuture for {name}<'a> {{\n    \
         type Output = <{ret} as std::future::Future>::Output;\n    \
         type IntoFuture = {ret};\n    #[inline]\n    \
         fn into_future(self) -> Self::IntoFuture {{\n        self.send()\n    }}\n}}"
    );
}

/// How a setter of an optional parameter takes its value: `impl Into` for strings and IDs.
fn setter_value(t: &TypeRef) -> (String, &'static str) {
    if matches!(t, TypeRef::Prim(Prim::String)) {
        ("impl Into<String>".to_string(), "value.into()")
    } else if is_snowflake(t) {
        (
            "impl Into<crate::types::Snowflake>".to_string(),
            "value.into()",
        )
    } else {
        (type_text(t), "value")
    }
}

/// Adds one query/header/cookie parameter to `req`.
fn param_push(p: &Param, value: &str, indent: &str, out: &mut String) {
    let wire = lit(&p.name);
    let push = |items: Vec<String>, out: &mut String| {
        list(indent, "runtime::query_push(", &items, ");", out)
    };
    match p.location {
        ParamLocation::Query => match (p.style, &p.ty) {
            (ParamStyle::DeepObject, _) => list(
                indent,
                "runtime::query_push_deep(",
                &["&mut req.query".into(), wire, format!("&{value}")],
                ");",
                out,
            ),
            (ParamStyle::Form { explode }, TypeRef::Array(_)) => list(
                indent,
                "runtime::query_push_array(",
                &[
                    "&mut req.query".into(),
                    wire,
                    // A required argument is already a slice (`&[T]`, see `arg_type`);
                    // an optional one is the `&Vec<T>` in its `…Params` struct.
                    if p.required {
                        value.to_string()
                    } else {
                        format!("&{value}[..]")
                    },
                    explode.to_string(),
                ],
                ");",
                out,
            ),
            (ParamStyle::Form { explode: true } | ParamStyle::Simple, _) => push(
                vec!["&mut req.query".into(), wire, format!("&{value}")],
                out,
            ),
            (style, _) => {
                let style = match style {
                    ParamStyle::Delimited(' ') => "SpaceDelimited",
                    ParamStyle::Delimited(_) => "PipeDelimited",
                    _ => "FormUnexploded",
                };
                list(
                    indent,
                    "runtime::query_push_styled(",
                    &[
                        "&mut req.query".into(),
                        wire,
                        format!("&{value}"),
                        format!("runtime::Style::{style}"),
                    ],
                    ");",
                    out,
                )
            }
        },
        ParamLocation::Header => {
            let _ = writeln!(
                out,
                "{indent}req.headers.push(({wire}, runtime::param_string(&{value})));"
            );
        }
        ParamLocation::Cookie => {
            let _ = writeln!(
                out,
                "{indent}req.headers.push((\"Cookie\", format!(\"{{}}={{}}\", {wire}, runtime::param_string(&{value}))));"
            );
        }
        ParamLocation::Path => {}
    }
}

/// Adds a constant parameter's one value to `req`.
fn constant_push(p: &Param, value: &str, indent: &str, out: &mut String) {
    let (wire, value) = (lit(&p.name), lit(value));
    let _ = match p.location {
        ParamLocation::Query => writeln!(
            out,
            "{indent}req.query.push(({wire}.to_string(), {value}.to_string()));"
        ),
        ParamLocation::Header => {
            writeln!(
                out,
                "{indent}req.headers.push(({wire}, {value}.to_string()));"
            )
        }
        ParamLocation::Cookie => writeln!(
            out,
            "{indent}req.headers.push((\"Cookie\", format!(\"{{}}={{}}\", {wire}, {value})));"
        ),
        ParamLocation::Path => Ok(()),
    };
}

/// The runtime's name of a form field's style.
fn style_name(style: ParamStyle) -> &'static str {
    match style {
        ParamStyle::Form { explode: true } | ParamStyle::Simple => "Form",
        ParamStyle::Form { explode: false } => "FormUnexploded",
        ParamStyle::DeepObject => "DeepObject",
        ParamStyle::Delimited(' ') => "SpaceDelimited",
        ParamStyle::Delimited(_) => "PipeDelimited",
    }
}

/// Sets `req`'s body from `id`, the value of content `c`: `ct` is the media type expression of
/// raw content, `data` its `bytes::Bytes` expression.
fn content_body(
    api: &Api,
    c: &BodyContent,
    id: &str,
    ct: &str,
    data: &str,
    indent: &str,
    stmts: &mut String,
) {
    match c.kind {
        BodyKind::Json => {
            // An encoding error is kept in the request and returned when it is awaited.
            let _ = writeln!(stmts, "{indent}req.set_body(runtime::Body::json({id}));");
        }
        BodyKind::Form if c.encodings.is_empty() => {
            let _ = writeln!(stmts, "{indent}req.set_body(runtime::Body::form({id}));");
        }
        BodyKind::Form => {
            let styles: Vec<String> = c
                .encodings
                .iter()
                .map(|e| {
                    format!(
                        "({}, runtime::Style::{})",
                        lit(&e.name),
                        style_name(e.style)
                    )
                })
                .collect();
            let inner = format!("{indent}    ");
            let _ = writeln!(stmts, "{indent}req.set_body(runtime::Body::form_styled(");
            let _ = writeln!(stmts, "{inner}{id},");
            list(&inner, "&[", &styles, "],", stmts);
            let _ = writeln!(stmts, "{indent}));");
        }
        BodyKind::Multipart => {
            let inner = format!("{indent}    ");
            let add = format!("{inner}        ");
            let mut files = String::new();
            multipart_files(api, c, id, &add, &mut files);
            let types: Vec<String> = c
                .encodings
                .iter()
                .filter_map(|e| {
                    let ct = e.content_type.as_deref()?;
                    Some(format!("({}, {})", lit(&e.name), lit(ct)))
                })
                .collect();
            let deep: Vec<String> = c
                .encodings
                .iter()
                .filter(|e| e.content_type.is_none() && e.style == ParamStyle::DeepObject)
                .map(|e| lit(&e.name))
                .collect();
            let _ = writeln!(stmts, "{indent}req.set_body(");
            if types.is_empty() && deep.is_empty() {
                let _ = write!(stmts, "{inner}runtime::Multipart::from_serialize({id})");
            } else {
                let _ = writeln!(stmts, "{inner}runtime::Multipart::from_serialize_with(");
                let _ = writeln!(stmts, "{inner}    {id},");
                list(&format!("{inner}    "), "&[", &types, "],", stmts);
                list(&format!("{inner}    "), "&[", &deep, "],", stmts);
                let _ = write!(stmts, "{inner})");
            }
            if files.is_empty() {
                let _ = writeln!(stmts, ".map(runtime::Body::Multipart),\n{indent});");
            } else {
                let _ = writeln!(
                    stmts,
                    "\n{inner}    .map(|mut form| {{\n{files}{add}runtime::Body::Multipart(form)\n{inner}    }}),\n{indent});"
                );
            }
        }
        BodyKind::Bytes | BodyKind::Text => {
            let ct = format!("{ct}.to_string()");
            let _ = writeln!(
                stmts,
                "{indent}req.body = runtime::Body::Bytes {{\n{indent}    content_type: {ct},\n{indent}    data: {data},\n{indent}}};"
            );
        }
    }
}

/// The enum of a body with several media types, in the tag module.
fn body_enum(op: &Operation, api_ty: &str, b: &RequestBody, name: &str, out: &mut String) {
    doc_raw_lines(
        &format!(
            "The request body of [`{api_ty}::{}`]: one of the media types it accepts.",
            op.rust_name
        ),
        "",
        out,
    );
    // The variants hold the models as they are (a multipart form is often far larger than
    // its JSON twin): the value is built for one call and moved into the request, so boxing
    // the large ones would only add an allocation and a `Box::new` at every call site.
    let _ = writeln!(
        out,
        "#[allow(clippy::large_enum_variant)]\n#[derive(Clone, Debug)]\npub enum {name} {{"
    );
    for c in &b.contents {
        let value = match c.kind {
            BodyKind::Json | BodyKind::Form | BodyKind::Multipart => type_text(&c.ty),
            BodyKind::Bytes => "bytes::Bytes".to_string(),
            BodyKind::Text => "String".to_string(),
        };
        if c.is_wildcard() {
            doc_raw_lines(
                &format!(
                    "`{}`, with the concrete media type to send.",
                    c.content_type.replace('`', "'")
                ),
                "    ",
                out,
            );
            let _ = writeln!(
                out,
                "    {} {{\n        /// The media type to send.\n        content_type: String,\n        /// The body.\n        data: {value},\n    }},",
                c.variant
            );
        } else {
            doc_raw_lines(
                &format!("`{}`.", c.content_type.replace('`', "'")),
                "    ",
                out,
            );
            let _ = writeln!(out, "    {}({value}),", c.variant);
        }
    }
    out.push_str("}\n");
}

/// The union type behind `ty` and its variants that hold a file (`false`) or a list of files
/// (`true`), when it has any.
fn file_variants<'a>(api: &'a Api, ty: &TypeRef) -> Option<(&'a str, Vec<(&'a str, bool)>)> {
    let TypeRef::Named(n) = ty.unwrapped() else {
        return None;
    };
    let def = api.type_def(n)?;
    let TypeKind::Union(u) = &def.kind else {
        return None;
    };
    let variants: Vec<(&str, bool)> = u
        .variants
        .iter()
        .filter_map(|v| {
            if v.ty.is_binary_array() {
                Some((v.rust_name.as_str(), true))
            } else if v.ty.is_binary() {
                Some((v.rust_name.as_str(), false))
            } else {
                None
            }
        })
        .collect();
    (!variants.is_empty()).then_some((def.name.as_str(), variants))
}

fn multipart_files(api: &Api, b: &BodyContent, id: &str, indent: &str, out: &mut String) {
    let TypeRef::Named(n) = &b.ty else {
        return;
    };
    let Some(TypeKind::Struct(s)) = api.type_def(n).map(|d| &d.kind) else {
        return;
    };
    for f in b
        .file_fields
        .iter()
        .filter_map(|wire| s.fields.iter().find(|f| &f.name == wire))
    {
        let wire = lit(&f.name);
        let fid = &f.rust_name;
        if let Some((union, variants)) = file_variants(api, &f.ty) {
            // A union with file branches: the variant's file as a part (or one per file).
            for (variant, many) in variants {
                let binding = if many { "files" } else { "file" };
                let inner = format!("crate::models::{union}::{variant}({binding})");
                let pattern = match f.presence {
                    Presence::Required => inner,
                    Presence::RequiredNullable | Presence::Optional => format!("Some({inner})"),
                    Presence::OptionalNullable => {
                        format!("crate::types::Nullable::Value({inner})")
                    }
                };
                let _ = writeln!(out, "{indent}if let {pattern} = &{id}.{fid} {{");
                let add = if many {
                    let _ = writeln!(out, "{indent}    for file in {binding} {{");
                    format!("{indent}        ")
                } else {
                    format!("{indent}    ")
                };
                list(
                    &add,
                    "form.file(",
                    &[wire.clone(), "super::file_part(file)".to_string()],
                    ");",
                    out,
                );
                if many {
                    let _ = writeln!(out, "{indent}    }}");
                }
                let _ = writeln!(out, "{indent}}}");
            }
            continue;
        }
        if f.ty.is_binary_array() {
            // One part per file, the field's name repeated.
            let (open, files, close) = match f.presence {
                Presence::Required => (String::new(), format!("&{id}.{fid}"), ""),
                Presence::RequiredNullable | Presence::Optional => (
                    format!("{indent}if let Some(files) = &{id}.{fid} {{\n"),
                    "files".to_string(),
                    "}",
                ),
                Presence::OptionalNullable => (
                    format!(
                        "{indent}if let crate::types::Nullable::Value(files) = &{id}.{fid} {{\n"
                    ),
                    "files".to_string(),
                    "}",
                ),
            };
            let inner = if close.is_empty() {
                indent.to_string()
            } else {
                format!("{indent}    ")
            };
            out.push_str(&open);
            let nullable_items =
                matches!(&f.ty, TypeRef::Array(item) if matches!(**item, TypeRef::Option(_)));
            let iter = if nullable_items {
                ".iter().flatten()"
            } else {
                ""
            };
            let _ = writeln!(out, "{inner}for file in {files}{iter} {{");
            list(
                &format!("{inner}    "),
                "form.file(",
                &[wire, "super::file_part(file)".to_string()],
                ");",
                out,
            );
            let _ = writeln!(out, "{inner}}}");
            if !close.is_empty() {
                let _ = writeln!(out, "{indent}{close}");
            }
            continue;
        }
        let pattern = match f.presence {
            Presence::Required => {
                list(
                    indent,
                    "form.file(",
                    &[wire, format!("super::file_part(&{id}.{fid})")],
                    ");",
                    out,
                );
                continue;
            }
            Presence::RequiredNullable | Presence::Optional => "Some(file)",
            Presence::OptionalNullable => "crate::types::Nullable::Value(file)",
        };
        let _ = writeln!(out, "{indent}if let {pattern} = &{id}.{fid} {{");
        list(
            &format!("{indent}    "),
            "form.file(",
            &[wire, "super::file_part(file)".to_string()],
            ");",
            out,
        );
        let _ = writeln!(out, "{indent}}}");
    }
}

fn params_struct(op: &Operation, api_ty: &str, name: &str, optional: &[&Param], out: &mut String) {
    doc_raw_lines(
        &format!("Optional parameters of [`{api_ty}::{}`].", op.rust_name),
        "",
        out,
    );
    let _ = writeln!(
        out,
        "#[derive(Clone, Debug, Default, PartialEq)]\n#[non_exhaustive]\npub struct {name} {{"
    );
    for p in optional {
        doc_lines(&param_doc(p), "    ", out);
        let _ = writeln!(
            out,
            "    pub {}: Option<{}>,",
            p.rust_name,
            type_text(&p.ty)
        );
    }
    let _ = writeln!(
        out,
        "}}\nimpl {name} {{\n    /// No optional parameter set.\n    #[inline]\n    pub fn new() -> Self {{\n        Self::default()\n    }}"
    );
    for p in optional {
        let id = &p.rust_name;
        doc_lines(&format!("Sets `{}`.", p.name), "    ", out);
        out.push_str("    #[inline]\n");
        let (value_ty, value) = setter_value(&p.ty);
        list(
            "    ",
            &format!("pub fn {id}("),
            &["mut self".to_string(), format!("value: {value_ty}")],
            ") -> Self {",
            out,
        );
        let _ = writeln!(
            out,
            "        self.{id} = Some({value});\n        self\n    }}"
        );
    }
    out.push_str("}\n");
}

fn param_doc(p: &Param) -> String {
    let loc = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    match &p.description {
        Some(d) => format!("{d} (`{}`, {loc})", p.name),
        None => format!("The `{}` {loc} parameter.", p.name),
    }
}

fn operation_docs(api: &Api, op: &Operation) -> String {
    let mut d = String::new();
    if let Some(s) = &op.summary {
        d.push_str(&doc_text(s));
        d.push_str("\n\n");
    }
    if let Some(desc) = &op.description {
        d.push_str(&doc_text(desc));
        d.push_str("\n\n");
    }
    d.push_str(&format!("`{} {}`", op.method.as_str(), op.path));
    let required: Vec<&Param> = op
        .params
        .iter()
        .filter(|p| p.required && p.is_argument())
        .collect();
    if !required.is_empty() || op.body.is_some() {
        d.push_str("\n\n# Arguments\n");
        for p in required {
            d.push_str(&format!(
                "\n- `{}`: {}",
                p.rust_name,
                doc_text(&param_doc(p)).replace('\n', " ")
            ));
        }
        if let Some(b) = &op.body {
            if let Some(arg) = &b.media_type_arg {
                d.push_str(&format!(
                    "\n- `{arg}`: the media type of the body (the operation accepts `{}`).",
                    b.primary().content_type.replace('`', "'")
                ));
            }
            let types: Vec<String> = b
                .contents
                .iter()
                .map(|c| format!("`{}`", c.content_type.replace('`', "'")))
                .collect();
            d.push_str(&format!(
                "\n- `{}`: the {} request body.",
                b.param_name,
                types.join(" or ")
            ));
        }
    }
    let constants: Vec<String> = op
        .params
        .iter()
        .filter_map(|p| Some(format!("`{}: {}`", p.name, p.constant.as_ref()?)))
        .collect();
    if !constants.is_empty() {
        d.push_str(&format!(
            "\n\nAlways sends {} (the only value{} the API allows).",
            constants.join(", "),
            if constants.len() > 1 { "s" } else { "" }
        ));
    }
    if let Some(server) = &op.server {
        d.push_str(&format!(
            "\n\nSent to `{server}` (this operation's server), unless the client maps it \
             elsewhere ([`ClientBuilder::server_url`](crate::ClientBuilder::server_url)) or \
             ignores operation servers."
        ));
    }
    d.push_str("\n\n# Authentication\n\n");
    if op.security.is_empty() {
        d.push_str("None.");
    } else {
        let alts: Vec<String> = op
            .security
            .iter()
            .map(|a| {
                if a.is_empty() {
                    "anonymous".to_string()
                } else {
                    a.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                }
            })
            .collect();
        d.push_str(&format!("One of: {}.", alts.join(", ")));
    }
    if !op.errors.is_empty() {
        d.push_str("\n\n# Errors\n");
        for e in &op.errors {
            let status = match e.status {
                StatusMatch::Code(c) => c.to_string(),
                StatusMatch::Range(r) => format!("{r}XX"),
                StatusMatch::Default => "other statuses".to_string(),
            };
            let model = e
                .model
                .map(|m| {
                    format!(
                        " ([`ErrorBody::{0}`](crate::models::ErrorBody::{0}))",
                        api.error_models[m].variant
                    )
                })
                .unwrap_or_default();
            let what = doc_text(e.description.as_deref().unwrap_or("")).replace('\n', " ");
            d.push_str(&format!("\n- {status}: {what}{model}"));
        }
    }
    d
}

/// The argument list of a stream method's doc example: the API value, then each argument
/// with its type as a user of the crate names it.
fn example_args(op: &Operation, tag: &Tag, crate_ident: &str) -> (String, String) {
    let module = format!("{crate_ident}::apis::{}", tag.module);
    let mut params = vec![format!("api: {module}::{}<'_>", tag.api_type)];
    let mut names = Vec::new();
    for a in method_args(op) {
        let ty = a.ty.replace("crate::", &format!("{crate_ident}::"));
        // Types of the tag module (optional-parameter structs, body enums) are unqualified.
        let ty = match a.role {
            ArgRole::OptionalParams => format!("&{module}::{}", params_struct_name(op)),
            ArgRole::Body { optional } if op.body.as_ref().is_some_and(|b| b.choice.is_some()) => {
                let choice = op
                    .body
                    .as_ref()
                    .and_then(|b| b.choice.clone())
                    .unwrap_or_default();
                if optional {
                    format!("Option<&{module}::{choice}>")
                } else {
                    format!("&{module}::{choice}")
                }
            }
            _ => ty,
        };
        params.push(format!("{}: {ty}", a.name));
        names.push(a.name);
    }
    (params.join(", "), names.join(", "))
}

/// The enum of a stream's events told apart by their `event:` field, and its decoder.
fn event_enum(tag: &Tag, es: &EventStream, d: &EventDispatch, out: &mut String) {
    doc_raw_lines(
        &format!(
            "The events of [`{}::{}`], told apart by their `event:` field.",
            tag.api_type, es.rust_name
        ),
        "",
        out,
    );
    let _ = writeln!(
        out,
        "#[cfg(feature = \"streams\")]\n#[derive(Clone, Debug)]\n#[non_exhaustive]\npub enum {} {{",
        d.type_name
    );
    for v in &d.variants {
        let mut doc = format!("`event: {}`", v.event.replace('`', "'"));
        if let Some(more) = v
            .docs
            .as_deref()
            .map(doc_text)
            .filter(|t| !t.trim().is_empty())
        {
            doc = format!("{}\n\n{doc}", more.trim());
        }
        doc_raw_lines(&doc, "    ", out);
        let _ = writeln!(out, "    {}({}),", v.rust_name, type_text(&v.ty));
    }
    out.push_str(
        "    /// An event the API description does not name: its data as JSON (a JSON string when it\n    \
         /// is not JSON).\n    Other(serde_json::Value),\n}\n",
    );
    let _ = writeln!(
        out,
        "#[cfg(feature = \"streams\")]\nimpl {} {{",
        d.type_name
    );
    out.push_str(
        "    /// The variant an event's name selects (no name is `message`), its data decoded.\n    \
         fn from_event(event: Option<&str>, data: &str) -> Result<Self, (String, String)> {\n        \
         Ok(match event.unwrap_or(\"message\") {\n",
    );
    for v in &d.variants {
        let _ = writeln!(
            out,
            "            {} => Self::{}(runtime::sse::event_data(data)?),",
            lit(&v.event),
            v.rust_name
        );
    }
    out.push_str(
        "            _ => Self::Other(runtime::sse::event_data(data)?),\n        })\n    }\n}\n",
    );
}

/// The extra methods of an operation whose results arrive as a stream: its server-sent events
/// ([`EventStream`]) and its items across pages ([`Pagination`]). `req` is the request-building
/// code of the operation's own method.
fn stream_methods(
    op: &Operation,
    tag: &Tag,
    crate_ident: &str,
    req: &str,
    shared: &Shared,
    out: &mut String,
    structs: &mut String,
) {
    const IN: &str = "        ";
    if op.event_stream.is_none() && op.pagination.is_none() {
        return;
    }
    let errors = shared.errors[&error_key(op)];
    let mut args = vec!["&self".to_string()];
    let all_args = method_args(op);
    for a in &all_args {
        args.push(format!("{}: {}", a.name, a.ty));
    }
    let req = format!("{}{req}", conversions(&all_args, IN));
    let req = req.as_str();
    let (example_params, example_call) = example_args(op, tag, crate_ident);
    let title = op
        .summary
        .as_deref()
        .map(|s| format!("{} (as a stream)", doc_text(s).trim_end_matches('.')))
        .unwrap_or_else(|| format!("`{}` as a stream", op.rust_name));
    let example = |name: &str, item: &str| {
        format!(
            "# Example\n\n```no_run\n# async fn run({example_params}) -> Result<(), {crate_ident}::Error> {{\n\
             use futures_core::Stream as _;\nuse std::future::poll_fn;\nuse std::pin::pin;\n\n\
             let mut stream = pin!(api.{name}({example_call}));\n\
             while let Some({item}) = poll_fn(|cx| stream.as_mut().poll_next(cx)).await {{\n    \
             let {item} = {item}?;\n    let _ = {item};\n}}\n# Ok(())\n# }}\n```"
        )
    };
    if let Some(es) = &op.event_stream {
        let ty = match &es.dispatch {
            Some(d) => {
                event_enum(tag, es, d, structs);
                d.type_name.clone()
            }
            None => type_text(&es.item),
        };
        let mut d = format!(
            "{title}\n\n`{} {}`, answered with server-sent events (`text/event-stream`): a \
             stream of [`Event`](crate::Event)s whose `data` is a `{}`, with their `id`, \
             `event` and `retry`, read as they arrive. An event whose data does not decode is \
             an error item and the stream goes on; comments and keep-alives are skipped. \
             Reconnection with `Last-Event-ID` is opt-in: \
             [`reconnect`](crate::runtime::EventStream::reconnect); \
             [`idle_timeout`](crate::runtime::EventStream::idle_timeout) bounds the wait \
             between bytes. See [`{}`](Self::{}) for the arguments.",
            op.method.as_str(),
            op.path,
            ty.replace("crate::", ""),
            op.rust_name,
            op.rust_name
        );
        if let Some(flag) = &es.flag {
            d.push_str(&format!(
                "\n\nSends `\"{flag}\": true` in the body itself (and [`{}`](Self::{}) \
                 sends `false`).",
                op.rust_name, op.rust_name
            ));
        }
        if let Some(s) = &es.sentinel {
            d.push_str(&format!(
                "\n\nThe stream ends at the event whose data is `{s}` (the API's end marker; \
                 not an item)."
            ));
        }
        d.push_str("\n\n");
        d.push_str(&example(&es.rust_name, "event"));
        doc_raw_lines(&d, "    ", out);
        if op.deprecated {
            out.push_str("    #[deprecated]\n");
        }
        out.push_str("    #[cfg(feature = \"streams\")]\n    #[inline]\n");
        list(
            "    ",
            &format!("pub fn {}(", es.rust_name),
            &args,
            &format!(") -> crate::EventStream<'a, {ty}> {{"),
            out,
        );
        out.push_str(req);
        if let Some(flag) = &es.flag {
            let _ = writeln!(out, "{IN}req.set_json_flag({}, true);", lit(flag));
        }
        let sentinel = es
            .sentinel
            .as_deref()
            .map_or("None".to_string(), |s| format!("Some({})", lit(s)));
        match &es.dispatch {
            Some(d) => {
                let _ = writeln!(
                    out,
                    "{IN}runtime::EventStream::with_decoder(self.client, req, super::ERRORS_{errors}, {sentinel}, {}::from_event)\n    }}",
                    d.type_name
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{IN}runtime::EventStream::new(self.client, req, super::ERRORS_{errors}, {sentinel})\n    }}"
                );
            }
        }
    }
    if let Some(p) = &op.pagination {
        let ty = type_text(&p.item);
        let how = p.kind.describe();
        let limit = p
            .limit_param
            .as_deref()
            .map(|l| format!(" A page shorter than the `{l}` you set is the last."))
            .unwrap_or_default();
        let d = format!(
            "{title}\n\n`{} {}`, page after page: a stream of the items (`{}`) of every \
             page; {how}.{limit} Each page is an ordinary request (credentials, retries, rate \
             limits), sent only when the previous page's items are used up, so taking a few \
             items fetches only the pages they are on. The stream ends after the last page; an \
             error is its last item. See [`{}`](Self::{}) for the arguments.\n\n{}",
            op.method.as_str(),
            op.path,
            ty.replace("crate::", ""),
            op.rust_name,
            op.rust_name,
            example(&p.rust_name, "item")
        );
        doc_raw_lines(&d, "    ", out);
        if op.deprecated {
            out.push_str("    #[deprecated]\n");
        }
        out.push_str("    #[cfg(feature = \"streams\")]\n    #[inline]\n");
        list(
            "    ",
            &format!("pub fn {}(", p.rust_name),
            &args,
            &format!(") -> crate::Pages<'a, {ty}> {{"),
            out,
        );
        out.push_str(req);
        let opt = |v: &Option<String>| {
            v.as_deref()
                .map_or("None".to_string(), |s| format!("Some({})", lit(s)))
        };
        let cursor = match &p.kind {
            PageKind::ItemCursor { param, id_field } => format!(
                "runtime::Cursor::Item {{ param: {}, id_field: {} }}",
                lit(param),
                lit(id_field)
            ),
            PageKind::LinkHeader => "runtime::Cursor::Link".to_string(),
            PageKind::BodyCursor {
                param,
                next_field,
                has_more_field,
                from_last_item,
            } => format!(
                "runtime::Cursor::Body {{ param: {}, next: {}, has_more: {}, from_last_item: {} }}",
                lit(param),
                opt(next_field),
                opt(has_more_field),
                opt(from_last_item)
            ),
            PageKind::Offset { param } => {
                format!("runtime::Cursor::Offset {{ param: {} }}", lit(param))
            }
        };
        let _ = writeln!(
            out,
            "{IN}let spec = runtime::PageSpec {{ cursor: {cursor}, items: {}, limit: {} }};\n\
             {IN}runtime::Pages::new(self.client, req, super::ERRORS_{errors}, spec)\n    }}",
            opt(&p.items_field),
            opt(&p.limit_param)
        );
    }
}
