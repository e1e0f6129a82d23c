//! `src/apis/`: one module per tag with its operations; shared auth and error tables.

use super::rust::{doc, doc_raw, doc_text, ident, is_copy, ty, Ctx};
use crate::ir::*;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;

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

pub fn scheme_ident(s: &SecurityScheme) -> proc_macro2::Ident {
    format_ident!("{}", s.rust_name.to_uppercase())
}

fn status_tokens(s: StatusMatch) -> TokenStream {
    match s {
        StatusMatch::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote!(crate::runtime::StatusMatch::Code(#c))
        }
        StatusMatch::Range(d) => {
            let d = Literal::u16_unsuffixed(d);
            quote!(crate::runtime::StatusMatch::Range(#d))
        }
        StatusMatch::Default => quote!(crate::runtime::StatusMatch::Default),
    }
}

pub fn apis_mod(api: &Api) -> TokenStream {
    let shared = Shared::collect(api);
    let modules = api.operation_tags().map(|(_, t)| {
        let m = ident(&t.module);
        let api_ty = format_ident!("{}Api", t.type_name);
        let feature = &t.feature;
        let d = format!(" Operations tagged `{}`.", t.name);
        quote! {
            #[doc = #d]
            #[cfg(feature = #feature)]
            pub mod #m;
            #[cfg(feature = #feature)]
            pub use #m::#api_ty;
        }
    });
    let schemes = api.security_schemes.iter().map(|s| {
        let id = scheme_ident(s);
        let name = &s.name;
        let kind = match &s.kind {
            SchemeKind::ApiKeyHeader { header, prefix } => quote!(crate::runtime::SchemeKind::ApiKeyHeader { header: #header, prefix: #prefix }),
            SchemeKind::ApiKeyQuery { param } => quote!(crate::runtime::SchemeKind::ApiKeyQuery { param: #param }),
            SchemeKind::ApiKeyCookie { cookie } => quote!(crate::runtime::SchemeKind::ApiKeyCookie { cookie: #cookie }),
            SchemeKind::Bearer => quote!(crate::runtime::SchemeKind::Bearer),
            SchemeKind::Basic => quote!(crate::runtime::SchemeKind::Basic),
        };
        let d = doc(&format!("The `{name}` security scheme.{}", s.description.as_deref().map(|d| format!("\n\n{d}")).unwrap_or_default()));
        quote!(#d pub static #id: crate::runtime::SecurityScheme = crate::runtime::SecurityScheme { name: #name, kind: #kind };)
    });
    let security = shared.security.iter().map(|(alts, i)| {
        let id = format_ident!("SECURITY_{}", i);
        let alts = alts.iter().map(|alt| {
            let ids = alt
                .iter()
                .filter_map(|n| api.security_schemes.iter().find(|s| &s.name == n))
                .map(scheme_ident);
            quote!(&[#(&#ids),*])
        });
        quote!(#[allow(dead_code)] pub(crate) static #id: crate::runtime::Security = &[#(#alts),*];)
    });
    let decoders = api.error_models.iter().map(|m| {
        let f = format_ident!("decode_{}", crate::naming::snake(&m.variant));
        let v = ident(&m.variant);
        let t = ty(&m.ty, Ctx::Elsewhere);
        quote! {
            #[allow(dead_code)]
            fn #f(body: &[u8]) -> Result<crate::models::ErrorBody, serde_json::Error> {
                serde_json::from_slice::<#t>(body).map(crate::models::ErrorBody::#v)
            }
        }
    });
    let tables = shared.errors.iter().map(|(entries, i)| {
        let id = format_ident!("ERRORS_{}", i);
        let rows = entries.iter().map(|(status, m)| {
            let s = status_tokens(*status);
            let f = format_ident!("decode_{}", crate::naming::snake(&api.error_models[*m].variant));
            quote!((#s, #f as fn(&[u8]) -> Result<crate::models::ErrorBody, serde_json::Error>))
        });
        quote!(#[allow(dead_code)] pub(crate) static #id: crate::runtime::ErrorDecoders<crate::models::ErrorBody> = &[#(#rows),*];)
    });
    let client_impls = super::krate::client_impls(api);
    quote! {
        //! Operations, grouped by tag, and the tables they share.

        #(#modules)*

        #client_impls

        #(#schemes)*

        #(#security)*

        #(#decoders)*

        #(#tables)*

        /// Turns a body that failed to serialize into the crate's error.
        #[allow(dead_code)]
        pub(crate) fn encode_error(e: serde_json::Error) -> crate::Error {
            crate::runtime::Error::InvalidRequest(format!("the request body could not be encoded: {e}"))
        }

        /// A multipart file part from a model's binary field.
        #[allow(dead_code)]
        pub(crate) fn file_part(b: &crate::types::Binary) -> crate::runtime::FilePart {
            crate::runtime::FilePart {
                file_name: b.file_name.clone(),
                content_type: b.content_type.clone(),
                data: bytes::Bytes::from(b.data.clone()),
            }
        }
    }
}

/// Operations per part of a tag module: a big tag (Stripe's single `default` tag has 468) is
/// formatted in several parts, on several threads; each part after the first is another
/// `impl` block of the same API type.
const OPERATIONS_PER_PART: usize = 64;

/// The parts of `src/apis/<tag>.rs`, in order; every part is whole items.
pub fn tag_module(
    api: &Api,
    tag_index: usize,
    crate_ident: &str,
    shared: &Shared,
) -> Vec<TokenStream> {
    let tag = &api.tags[tag_index];
    let api_ty = format_ident!("{}Api", tag.type_name);
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
        .find(|o| o.body.is_none() && o.params.iter().all(|p| !p.required) && !o.deprecated)
        .map(|o| {
            let params = if o.params.is_empty() { "" } else { "&Default::default()" };
            format!(
                "let response = client.{}().{}({params}).await?;\nprintln!(\"{{}}\", response.status());\n",
                tag.module, o.rust_name
            )
        })
        .unwrap_or_else(|| format!("let _api = client.{}();\n", tag.module));
    let example = format!(
        "\n\n# Example\n\n```no_run\n# async fn run() -> Result<(), Box<dyn std::error::Error>> {{\nlet client = {crate_ident}::Client::builder({crate_ident}::DEFAULT_BASE_URL){auth}\n    .build()?;\n{call}# Ok(())\n# }}\n```"
    );
    let tag_doc = doc_raw(&format!(
        "Operations tagged `{}`.{}\n\nGet one from [`Client::{}`](crate::Client::{}).{example}",
        tag.name,
        tag.description
            .as_deref()
            .map(|d| format!("\n\n{}", doc_text(d)))
            .unwrap_or_default(),
        tag.module,
        tag.module
    ));
    let ops: Vec<&Operation> = api
        .client_operations()
        .filter(|o| o.tag == tag_index)
        .collect();
    let mut parts = Vec::new();
    for (n, chunk) in ops.chunks(OPERATIONS_PER_PART.max(1)).enumerate() {
        let mut params_structs = Vec::new();
        let mut methods = Vec::new();
        for op in chunk {
            let (method, params_struct) = operation(api, op, &api_ty, shared);
            methods.push(method);
            params_structs.extend(params_struct);
        }
        let head = if n == 0 {
            quote! {
                #![allow(deprecated)]
                #![allow(clippy::too_many_arguments)]

                use crate::runtime::{self, RequestSpec};

                #tag_doc
                #[derive(Clone, Copy, Debug)]
                pub struct #api_ty<'a> {
                    pub(crate) client: &'a runtime::Client,
                }
            }
        } else {
            quote!()
        };
        parts.push(quote! {
            #head

            impl<'a> #api_ty<'a> {
                #(#methods)*
            }

            #(#params_structs)*
        });
    }
    parts
}

/// The argument type of a required parameter.
fn arg_type(t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::Prim(Prim::String | Prim::Uri | Prim::Uuid) => quote!(&str),
        TypeRef::Array(inner) => {
            let i = ty(inner, Ctx::Elsewhere);
            quote!(&[#i])
        }
        t if is_copy(t) => ty(t, Ctx::Elsewhere),
        t => {
            let t = ty(t, Ctx::Elsewhere);
            quote!(&#t)
        }
    }
}

fn method_tokens(m: Method) -> TokenStream {
    let m = format_ident!("{}", m.as_str());
    quote!(reqwest::Method::#m)
}

fn operation(
    api: &Api,
    op: &Operation,
    api_ty: &proc_macro2::Ident,
    shared: &Shared,
) -> (TokenStream, Option<TokenStream>) {
    let name = ident(&op.rust_name);
    let mut args = Vec::new();
    let mut stmts = Vec::new();

    // Path.
    let mut fmt = String::new();
    let mut fmt_args = Vec::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(l) => fmt.push_str(&l.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(i) => {
                fmt.push_str("{}");
                let p = ident(&op.params[*i].rust_name);
                fmt_args.push(quote!(runtime::encode_path_segment(&runtime::param_string(&#p))));
            }
        }
    }
    let method = method_tokens(op.method);
    let template = &op.path;
    let path_expr = if fmt_args.is_empty() {
        quote!(#fmt.to_string())
    } else {
        quote!(format!(#fmt, #(#fmt_args),*))
    };

    // Required parameters are arguments; optional ones go in a params struct.
    let optional: Vec<&Param> = op.params.iter().filter(|p| !p.required).collect();
    for p in op.params.iter().filter(|p| p.required) {
        let id = ident(&p.rust_name);
        let t = arg_type(&p.ty);
        args.push(quote!(#id: #t));
    }
    for p in &op.params {
        if p.location == ParamLocation::Path {
            continue;
        }
        let id = ident(&p.rust_name);
        let value = if p.required { quote!(#id) } else { quote!(v) };
        let push = param_push(p, &value);
        if p.required {
            stmts.push(push);
        } else {
            stmts.push(quote!(if let Some(v) = &params.#id { #push }));
        }
    }
    for (k, v) in &op.fixed_query {
        stmts.push(quote!(req.query.push((#k.to_string(), #v.to_string()));));
    }

    // Body.
    if let Some(b) = &op.body {
        let id = ident(&b.param_name);
        let t = ty(&b.ty, Ctx::Elsewhere);
        let ct = &b.content_type;
        let (arg, encode) = match b.kind {
            BodyKind::Json => (
                quote!(&#t),
                quote!(runtime::Body::json(#id).map_err(super::encode_error)?),
            ),
            BodyKind::Form => (
                quote!(&#t),
                quote!(runtime::Body::form(#id).map_err(super::encode_error)?),
            ),
            BodyKind::Multipart => {
                let files = multipart_files(api, b, &id);
                (
                    quote!(&#t),
                    quote!({
                        #[allow(unused_mut)]
                        let mut form = runtime::Multipart::from_serialize(#id).map_err(super::encode_error)?;
                        #(#files)*
                        runtime::Body::Multipart(form)
                    }),
                )
            }
            BodyKind::Bytes => (
                quote!(bytes::Bytes),
                quote!(runtime::Body::Bytes { content_type: #ct.to_string(), data: #id }),
            ),
            BodyKind::Text => (
                quote!(&str),
                quote!(runtime::Body::Bytes { content_type: #ct.to_string(), data: bytes::Bytes::copy_from_slice(#id.as_bytes()) }),
            ),
        };
        if b.required || b.kind == BodyKind::Bytes || b.kind == BodyKind::Text {
            args.push(quote!(#id: #arg));
            stmts.push(quote!(req.body = #encode;));
        } else {
            args.push(quote!(#id: Option<#arg>));
            stmts.push(quote!(if let Some(#id) = #id { req.body = #encode; }));
        }
    }

    let params_ident = format_ident!("{}Params", op.type_name);
    let params_struct = (!optional.is_empty()).then(|| {
        args.push(quote!(params: &#params_ident));
        params_struct(op, api_ty, &params_ident, &optional)
    });

    let security = format_ident!("SECURITY_{}", shared.security[&op.security]);
    let errors = format_ident!("ERRORS_{}", shared.errors[&error_key(op)]);
    let (ret, call) = match &op.success.kind {
        SuccessKind::Json(t) => {
            let t = ty(t, Ctx::Elsewhere);
            (
                quote!(#t),
                quote!(self.client.execute(req, super::#errors).await),
            )
        }
        SuccessKind::Empty => (
            quote!(()),
            quote!(self.client.execute_empty(req, super::#errors).await),
        ),
        SuccessKind::Bytes { .. } | SuccessKind::Text => (
            quote!(bytes::Bytes),
            quote!(self.client.execute_bytes(req, super::#errors).await),
        ),
    };
    let docs = doc_raw(&operation_docs(api, op));
    let deprecated = if op.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    let method_tokens = quote! {
        #docs
        #deprecated
        pub async fn #name(&self, #(#args),*) -> crate::Result<#ret> {
            let mut req = RequestSpec::new(#method, #template, #path_expr);
            req.security = super::#security;
            #(#stmts)*
            #call
        }
    };
    (method_tokens, params_struct)
}

/// Adds one query/header/cookie parameter to `req`.
fn param_push(p: &Param, value: &TokenStream) -> TokenStream {
    let wire = &p.name;
    match p.location {
        ParamLocation::Query => match (p.style, &p.ty) {
            (ParamStyle::DeepObject, _) => {
                quote!(runtime::query_push_deep(&mut req.query, #wire, &#value);)
            }
            (ParamStyle::Form { explode }, TypeRef::Array(_)) => {
                quote!(runtime::query_push_array(&mut req.query, #wire, &#value[..], #explode);)
            }
            (ParamStyle::Delimited(c), TypeRef::Array(_)) => {
                let sep = c.to_string();
                quote!(runtime::query_push(&mut req.query, #wire, &#value.iter().map(runtime::param_string).collect::<Vec<_>>().join(#sep));)
            }
            _ => quote!(runtime::query_push(&mut req.query, #wire, &#value);),
        },
        ParamLocation::Header => quote!(req.headers.push((#wire, runtime::param_string(&#value)));),
        ParamLocation::Cookie => {
            quote!(req.headers.push(("Cookie", format!("{}={}", #wire, runtime::param_string(&#value))));)
        }
        ParamLocation::Path => quote!(),
    }
}

fn multipart_files(api: &Api, b: &RequestBody, id: &proc_macro2::Ident) -> Vec<TokenStream> {
    let TypeRef::Named(n) = &b.ty else {
        return vec![];
    };
    let Some(TypeKind::Struct(s)) = api.type_def(n).map(|d| &d.kind) else {
        return vec![];
    };
    b.file_fields
        .iter()
        .filter_map(|wire| s.fields.iter().find(|f| &f.name == wire))
        .map(|f| {
            let fid = ident(&f.rust_name);
            let wire = &f.name;
            match f.presence {
                Presence::Required => quote!(form.file(#wire, super::file_part(&#id.#fid));),
                Presence::RequiredNullable | Presence::Optional => {
                    quote!(if let Some(file) = &#id.#fid { form.file(#wire, super::file_part(file)); })
                }
                Presence::OptionalNullable => {
                    quote!(if let crate::types::Nullable::Value(file) = &#id.#fid { form.file(#wire, super::file_part(file)); })
                }
            }
        })
        .collect()
}

fn params_struct(
    op: &Operation,
    api_ty: &proc_macro2::Ident,
    name: &proc_macro2::Ident,
    optional: &[&Param],
) -> TokenStream {
    let d = format!(" Optional parameters of [`{api_ty}::{}`].", op.rust_name);
    let fields = optional.iter().map(|p| {
        let id = ident(&p.rust_name);
        let t = ty(&p.ty, Ctx::Elsewhere);
        let d = doc(&param_doc(p));
        quote!(#d pub #id: Option<#t>,)
    });
    let setters = optional.iter().map(|p| {
        let id = ident(&p.rust_name);
        let t = ty(&p.ty, Ctx::Elsewhere);
        let d = doc(&format!("Sets `{}`.", p.name));
        if matches!(p.ty, TypeRef::Prim(Prim::String)) {
            quote!(#d pub fn #id(mut self, value: impl Into<String>) -> Self { self.#id = Some(value.into()); self })
        } else {
            quote!(#d pub fn #id(mut self, value: #t) -> Self { self.#id = Some(value); self })
        }
    });
    quote! {
        #[doc = #d]
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            /// No optional parameter set.
            pub fn new() -> Self {
                Self::default()
            }
            #(#setters)*
        }
    }
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
    let required: Vec<&Param> = op.params.iter().filter(|p| p.required).collect();
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
            d.push_str(&format!(
                "\n- `{}`: the `{}` request body.",
                b.param_name, b.content_type
            ));
        }
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
