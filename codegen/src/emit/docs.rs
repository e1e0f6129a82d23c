//! Markdown documentation of a generated crate, in the layout of OpenAPI Generator's `rust`
//! client docs: `README.md`, one `docs/<Tag>Api.md` per tag and one `docs/<Model>.md` per type.
//!
//! The API docs follow the reference generator (7.26) line for line, blank lines included, so
//! a doc generated here can be compared section by section with one it wrote
//! (`shared/tools/seed_parity.py`). Types are shown with that generator's conventions too
//! (date-times as `String`, maps as `HashMap`, binary as `std::path::PathBuf`): see `prim`.

use super::rust::doc_text;
use crate::ir::*;
use serde_json::Value;

/// The back-links at the end of an operation section.
const OP_FOOTER: &str =
    "[[Back to top]](#) [[Back to API list]](../README.md#documentation-for-api-endpoints) \
[[Back to Model list]](../README.md#documentation-for-models) [[Back to README]](../README.md)";

/// The back-links at the end of a model doc.
const MODEL_FOOTER: &str = "[[Back to Model list]](../README.md#documentation-for-models) \
[[Back to API list]](../README.md#documentation-for-api-endpoints) [[Back to README]](../README.md)";

/// Header and separator of an operation's parameter table (two spaces after `Description`,
/// as the reference writes it).
const PARAM_TABLE_HEADER: &str = "Name | Type | Description  | Required | Notes\n\
------------- | ------------- | ------------- | ------------- | -------------\n";

/// Markdown docs in the layout of OpenAPI Generator's `rust` client docs: `(path relative to
/// the crate root, contents)`, sorted by path. (The generator runs its two halves,
/// [`render_apis`] and [`render_models`], as separate jobs.)
pub fn render(api: &Api, crate_name: &str) -> Vec<(String, String)> {
    let mut out = render_apis(api, crate_name);
    out.extend(render_models(api, 0..api.types.len()));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The API class docs and the README.
pub fn render_apis(api: &Api, crate_name: &str) -> Vec<(String, String)> {
    let docs = Docs::new(api);
    let mut out = Vec::new();
    for (tag, ops) in &docs.tags {
        out.push((
            format!("docs/{}", docs.api_file(tag)),
            docs.api_doc(tag, ops),
        ));
    }
    out.push(("README.md".to_string(), docs.readme(crate_name)));
    out
}

/// The model docs of `api.types[range]`.
pub fn render_models(api: &Api, range: std::ops::Range<usize>) -> Vec<(String, String)> {
    let docs = Docs::new(api);
    api.types[range]
        .iter()
        .map(|t| {
            (
                format!("docs/{}", docs.model_file(&t.name)),
                docs.model_doc(t),
            )
        })
        .collect()
}

struct Docs<'a> {
    api: &'a Api,
    /// Tags with client operations, by API class name; operations sorted by Rust name.
    tags: Vec<(&'a Tag, Vec<&'a Operation>)>,
}

impl<'a> Docs<'a> {
    fn new(api: &'a Api) -> Self {
        let mut tags: Vec<(&Tag, Vec<&Operation>)> = api
            .tags
            .iter()
            .enumerate()
            .map(|(i, tag)| {
                let mut ops: Vec<&Operation> =
                    api.client_operations().filter(|o| o.tag == i).collect();
                ops.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
                (tag, ops)
            })
            .filter(|(_, ops)| !ops.is_empty())
            .collect();
        tags.sort_by(|a, b| a.0.api_type.cmp(&b.0.api_type));
        Docs { api, tags }
    }

    fn api_file(&self, tag: &Tag) -> String {
        tag.doc_file.clone()
    }

    /// The doc file (relative to `docs/`) of a model.
    fn model_file(&self, name: &str) -> String {
        match self
            .api
            .types
            .binary_search_by(|t| t.name.as_str().cmp(name))
        {
            Ok(i) => self.api.type_doc_files[i].clone(),
            Err(_) => format!("{name}.md"),
        }
    }

    // ---- API docs -------------------------------------------------------------------------

    fn api_doc(&self, tag: &Tag, ops: &[&Operation]) -> String {
        let class = tag.api_type.clone();
        let mut s = format!(
            "# \\{class}\n\nAll URIs are relative to *{}*\n\n",
            self.api.base_url
        );
        s.push_str(
            "Method | HTTP request | Description\n------------- | ------------- | -------------\n",
        );
        for op in ops {
            s.push_str(&format!(
                "[**{n}**]({file}#{n}) | **{m}** {p} | {d}\n",
                n = op.rust_name,
                file = self.api_file(tag),
                m = op.method.as_str(),
                p = op.path,
                d = cell(&summary(op)),
            ));
        }
        s.push_str("\n\n");
        // Stream methods in a table of their own: the table above lists operations, one row
        // each, as the reference generator does.
        let streams: Vec<(&Operation, StreamMethod)> = ops
            .iter()
            .flat_map(|op| stream_methods(op).into_iter().map(move |m| (*op, m)))
            .collect();
        if !streams.is_empty() {
            s.push_str(
                "Stream method | HTTP request | Description\n------------- | ------------- | -------------\n",
            );
            for (op, m) in &streams {
                s.push_str(&format!(
                    "[**{n}**]({file}#{n}) | **{method}** {p} | {d}\n",
                    n = m.name,
                    file = self.api_file(tag),
                    method = op.method.as_str(),
                    p = op.path,
                    d = cell(&m.what(op)),
                ));
            }
            s.push_str("\n\n");
        }
        for op in ops {
            s.push('\n');
            s.push_str(&self.operation_section(op));
            for m in stream_methods(op) {
                s.push('\n');
                s.push_str(&self.stream_section(tag, op, &m));
            }
        }
        s
    }

    /// The `## op_stream` section of a stream method: what it yields, how it continues, an
    /// example; its parameters are the operation's.
    fn stream_section(&self, tag: &Tag, op: &Operation, m: &StreamMethod) -> String {
        let args: Vec<String> = self.param_rows(op).into_iter().map(|r| r.name).collect();
        let (item, model) = match &m.kind {
            // An enum of the tag module (events told apart by name), no model doc.
            StreamKind::Events { es } if es.dispatch.is_some() => (
                format!(
                    "{}::{}",
                    tag.module,
                    es.dispatch.as_ref().map_or("", |d| d.type_name.as_str())
                ),
                None,
            ),
            _ => label(m.item, Style::Model, true),
        };
        let mut s = format!("## {}\n\n", m.name);
        s.push_str(&format!(
            "> {}<{item}> {}({})\n",
            m.kind.runtime_type(),
            m.name,
            args.join(", ")
        ));
        let title = op
            .summary
            .as_deref()
            .map(one_line)
            .filter(|t| !t.is_empty())
            .map(|t| format!("{} (as a stream)", t.trim_end_matches('.')))
            .unwrap_or_else(|| format!("`{}` as a stream", op.rust_name));
        s.push_str(&title);
        s.push_str("\n\n");
        s.push_str(&m.what(op));
        s.push(' ');
        s.push_str(&m.how());
        s.push_str(" Behind the crate's `streams` feature (on by default for this API).\n\n");
        s.push_str(&format!(
            "### Parameters\n\nThe same as [**{n}**](#{n}).\n\n### Return type\n\n",
            n = op.rust_name
        ));
        let cell = match &model {
            Some(model) => format!("[**{item}**]({})", self.model_file(model)),
            None => format!("**{item}**"),
        };
        s.push_str(&match m.kind {
            StreamKind::Events { .. } => {
                format!("A stream of `Event`s whose `data` is {cell}, each a `Result`\n\n")
            }
            StreamKind::Pages { .. } => format!("A stream of {cell}, each a `Result`\n\n"),
        });
        // The call as Rust code writes it (required arguments, the optional-parameter struct,
        // the body), with the variable names the signature above uses.
        let call: Vec<String> = crate::emit::apis::method_args(op)
            .into_iter()
            .map(|a| a.name)
            .collect();
        let var = match m.kind {
            StreamKind::Events { .. } => "event",
            StreamKind::Pages { .. } => "item",
        };
        s.push_str(&format!(
            "### Example\n\n```rust,ignore\nuse futures::StreamExt as _;\n\n\
             let mut stream = std::pin::pin!(client.{module}().{name}({call}));\n\
             while let Some({var}) = stream.next().await {{\n    let {var} = {var}?;\n    \
             println!(\"{{{var}:?}}\");\n}}\n```\n\n",
            module = tag.module,
            name = m.name,
            call = call.join(", "),
        ));
        s.push_str(OP_FOOTER);
        s.push_str("\n\n");
        s
    }

    /// One `## op` section, from the heading to the blank line after the back-links.
    fn operation_section(&self, op: &Operation) -> String {
        let rows = self.param_rows(op);
        let ret = self.return_type(op);
        let args: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        let mut s = format!("## {}\n\n", op.rust_name);
        s.push_str("> ");
        if let Some((label, _)) = &ret {
            s.push_str(label);
            s.push(' ');
        }
        s.push_str(&format!("{}({})\n", op.rust_name, args.join(", ")));
        s.push_str(&summary(op));
        s.push('\n');
        if let Some(d) = op
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            s.push('\n');
            s.push_str(&prose(d));
            s.push('\n');
        }
        s.push_str("\n### Parameters\n\n");
        if rows.is_empty() {
            s.push_str("This endpoint does not need any parameter.\n");
        } else {
            s.push('\n');
            s.push_str(PARAM_TABLE_HEADER);
            for r in &rows {
                let ty = if r.required {
                    r.ty.clone()
                } else {
                    format!("Option<{}>", r.ty)
                };
                let req = if r.required { "[required]" } else { "" };
                s.push_str(&format!(
                    "**{}** | {} | {} | {} |\n",
                    r.name, ty, r.description, req
                ));
            }
        }
        s.push_str("\n### Return type\n\n");
        match &ret {
            Some((label, Some(model))) => {
                s.push_str(&format!("[**{label}**]({})", self.model_file(model)))
            }
            Some((label, None)) => s.push_str(&format!("**{label}**")),
            None => s.push_str(" (empty response body)"),
        }
        s.push_str("\n\n### Authorization\n\n");
        let schemes = auth_schemes(self.api, op);
        if schemes.is_empty() {
            s.push_str("No authorization required");
        } else {
            let links: Vec<String> = schemes
                .iter()
                .map(|n| format!("[{n}](../README.md#{n})"))
                .collect();
            s.push_str(&links.join(", "));
        }
        s.push_str("\n\n### HTTP request headers\n\n");
        let content_type = op.body.as_ref().map_or("Not defined".to_string(), |b| {
            b.contents
                .iter()
                .map(|c| c.content_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        });
        let accept = accept(op);
        let accept = if accept.is_empty() {
            "Not defined".to_string()
        } else {
            accept.join(", ")
        };
        s.push_str(&format!(
            "- **Content-Type**: {content_type}\n- **Accept**: {accept}\n\n"
        ));
        s.push_str(OP_FOOTER);
        s.push_str("\n\n");
        s
    }

    /// Parameter rows in signature order: path parameters, the other parameters as declared,
    /// then the body as one argument (a multipart form too: one typed parameter).
    fn param_rows(&self, op: &Operation) -> Vec<ParamRow> {
        let path = op
            .params
            .iter()
            .filter(|p| p.location == ParamLocation::Path);
        let other = op
            .params
            .iter()
            .filter(|p| p.location != ParamLocation::Path && p.is_argument());
        let mut rows: Vec<ParamRow> = path
            .chain(other)
            .map(|p| ParamRow {
                name: p.rust_name.clone(),
                ty: self.type_cell(&p.ty, Style::Param),
                description: p.description.as_deref().map(cell).unwrap_or_default(),
                required: p.required,
            })
            .collect();
        if let Some(b) = &op.body {
            rows.push(ParamRow {
                name: b.param_name.clone(),
                ty: self.type_cell(&b.primary().ty, Style::Param),
                description: b.description.as_deref().map(cell).unwrap_or_default(),
                required: b.required,
            });
        }
        rows
    }

    /// The return type label and the model it links to; `None` for an empty body.
    fn return_type(&self, op: &Operation) -> Option<(String, Option<String>)> {
        match &op.success.kind {
            SuccessKind::Empty => None,
            SuccessKind::Json(t) => Some(label(t, Style::Model, true)),
            SuccessKind::Bytes { .. } => Some((prim(Prim::Binary).to_string(), None)),
            SuccessKind::Text => Some(("String".to_string(), None)),
        }
    }

    /// A type in a table cell: `**String**`, `[**Pet**](Pet.md)`, `[**Vec<models::Pet>**](Pet.md)`.
    fn type_cell(&self, t: &TypeRef, style: Style) -> String {
        match label(t, style, true) {
            (l, Some(model)) => format!("[**{l}**]({})", self.model_file(&model)),
            (l, None) => format!("**{l}**"),
        }
    }

    // ---- Model docs -----------------------------------------------------------------------

    fn model_doc(&self, t: &TypeDef) -> String {
        let mut s = format!("# {}\n\n", t.name);
        if t.deprecated {
            s.push_str("**Deprecated.**\n\n");
        }
        if let Some(d) = t.docs.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            s.push_str(&prose(d));
            s.push_str("\n\n");
        }
        match &t.kind {
            TypeKind::Struct(st) => self.struct_doc(st, &mut s),
            TypeKind::Enum(e) => enum_doc(e, &mut s),
            TypeKind::Union(u) => self.union_doc(u, &mut s),
            TypeKind::Alias(target) => {
                s.push_str("## Type\n\n");
                s.push_str(&format!(
                    "Alias of {}.\n\n",
                    self.type_cell(target, Style::Model)
                ));
            }
            TypeKind::Flags(f) => flags_doc(f, &mut s),
        }
        s.push_str(MODEL_FOOTER);
        // Table rows with an empty last cell would end in a space.
        let mut doc: String = s.lines().flat_map(|l| [l.trim_end(), "\n"]).collect();
        doc.push('\n');
        doc
    }

    fn struct_doc(&self, st: &StructDef, s: &mut String) {
        s.push_str("## Properties\n\n");
        for c in &st.consts {
            s.push_str(&format!(
                "Always sends `{}`: `{}` (its only allowed value; not a field{}).\n\n",
                cell(&c.name),
                cell(&c.value.to_string()),
                if c.required {
                    ""
                } else {
                    "; a value read without it is written without it"
                }
            ));
        }
        if st.fields.is_empty() && st.additional.is_none() {
            s.push_str(if st.consts.is_empty() {
                "This model has no properties.\n\n"
            } else {
                "This model has no other properties.\n\n"
            });
            return;
        }
        s.push_str("Name | Type | Description | Notes\n------------ | ------------- | ------------- | -------------\n");
        for f in &st.fields {
            let base = self.type_cell(&f.ty, Style::Model);
            let ty = match f.presence {
                Presence::Required => base,
                Presence::RequiredNullable | Presence::Optional => format!("Option<{base}>"),
                Presence::OptionalNullable => format!("Nullable<{base}>"),
            };
            let mut notes = Vec::new();
            if matches!(f.presence, Presence::Optional | Presence::OptionalNullable) {
                notes.push("[optional]".to_string());
            }
            if matches!(
                f.presence,
                Presence::RequiredNullable | Presence::OptionalNullable
            ) {
                notes.push("[nullable]".to_string());
            }
            if f.read_only {
                notes.push("[readonly]".to_string());
            }
            if f.deprecated {
                notes.push("[deprecated]".to_string());
            }
            if let Some(d) = &f.default {
                notes.push(format!("[default to {}]", cell(&json_text(d))));
            }
            if f.name != f.rust_name {
                notes.push(format!("[json: `{}`]", cell(&f.name)));
            }
            let desc = f.docs.as_deref().map(cell).unwrap_or_default();
            s.push_str(&format!(
                "**{}** | {} | {} | {}\n",
                f.rust_name,
                ty,
                desc,
                notes.join(" ")
            ));
        }
        if let Some(extra) = &st.additional {
            let name = st.extra_field_name();
            let (l, model) = label(extra, Style::Model, false);
            let map = format!("{}<String, {l}>", MAP);
            let ty = match model {
                Some(m) => format!("[**{map}**]({})", self.model_file(&m)),
                None => format!("**{map}**"),
            };
            s.push_str(&format!(
                "**{name}** | {ty} | Properties beyond the declared ones, by name. | [flattened]\n"
            ));
        }
        s.push('\n');
    }

    fn union_doc(&self, u: &UnionDef, s: &mut String) {
        s.push_str("## Variants\n\n");
        match &u.tag {
            Some(tag) => {
                s.push_str(&format!(
                    "The `{}` property selects the variant.\n\n",
                    cell(tag)
                ));
                s.push_str("Variant | Type | Tag values | Description\n------------ | ------------- | ------------- | -------------\n");
            }
            None => {
                s.push_str(
                    "The first variant (in this order) that accepts the value is chosen.\n\n",
                );
                s.push_str(
                    "Variant | Type | Description\n------------ | ------------- | -------------\n",
                );
            }
        }
        for v in &u.variants {
            let ty = self.type_cell(&v.ty, Style::Model);
            let desc = v.docs.as_deref().map(cell).unwrap_or_default();
            if u.tag.is_some() {
                let values: Vec<String> = v
                    .tag_values
                    .iter()
                    .map(|t| format!("`{}`", cell(&t.to_string())))
                    .collect();
                s.push_str(&format!(
                    "**{}** | {} | {} | {}\n",
                    v.rust_name,
                    ty,
                    values.join(", "),
                    desc
                ));
            } else {
                s.push_str(&format!("**{}** | {} | {}\n", v.rust_name, ty, desc));
            }
        }
        s.push('\n');
    }

    // ---- README ---------------------------------------------------------------------------

    fn readme(&self, crate_name: &str) -> String {
        let api = self.api;
        let krate = crate_name.replace('-', "_");
        // The README is also the crate's root docs: the spec's prose in it is escaped for
        // rustdoc (which renders the same on GitHub), code blocks are doctests or say
        // their language, and links are reference-style (see `ReadmeLink`).
        let mut s = format!("# {crate_name}\n\n");
        s.push_str(&format!(
            "Rust client for the {}",
            doc_text(&one_line(&api.title))
        ));
        if !api.version.is_empty() {
            s.push_str(&format!(
                " (API version {})",
                doc_text(&one_line(&api.version))
            ));
        }
        s.push_str(", generated from its OpenAPI description.\n\n");
        if let Some(d) = api
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            s.push_str(&doc_text(d));
            s.push_str("\n\n");
        }

        s.push_str("## Installation\n\n");
        s.push_str(&format!(
            "Put the crate in a directory named `{crate_name}` beside your project and add it to \
             `[dependencies]` in `Cargo.toml`, with an async runtime:\n\n```toml\n[dependencies]\n\
             {crate_name} = {{ path = \"./{crate_name}\" }}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n```\n\n"
        ));
        if !self.tags.is_empty() {
            let first = &self.tags[0].0.feature;
            s.push_str(
                "Each group of endpoints is behind a Cargo feature, all enabled by default. To compile \
                 only the groups you use, turn the defaults off and list them:\n\n",
            );
            s.push_str(&format!(
                "```toml\n{crate_name} = {{ path = \"./{crate_name}\", default-features = false, features = [\"rustls-tls\", \"{first}\"] }}\n```\n\n"
            ));
            s.push_str("Feature | API\n------------ | -------------\n");
            for (tag, _) in &self.tags {
                let class = tag.api_type.clone();
                s.push_str(&format!(
                    "`{}` | [{class}][{}]\n",
                    tag.feature,
                    api_label(tag)
                ));
            }
            s.push('\n');
        }
        let extra = api.has_extra_models();
        let request_only = api.has_request_only_models();
        s.push_str(
            "Other features:\n\n- `rustls-tls` (on by default) or `native-tls`: the TLS back end for \
             https, rustls (pure Rust) or the system's (OpenSSL on Linux, which needs its \
             development files to build). Keep one when you turn the default features off.\n",
        );
        if extra {
            s.push_str(&format!(
                "- `{EXTRA_MODELS_FEATURE}` (on by default): models that no operation uses, \
                 part of the API's wider vocabulary.\n"
            ));
        }
        if request_only {
            s.push_str(&format!(
                "- `{DESERIALIZE_REQUESTS_FEATURE}`: models get `Serialize`, and `Deserialize` \
                 where the SDK reads them (responses, errors, webhooks). This adds `Deserialize` \
                 to the models only requests use, for mock servers or stored requests.\n"
            ));
        }
        s.push('\n');

        s.push_str("## Getting Started\n\n");
        s.push_str(&self.example(&krate));
        s.push_str(&self.guide(&krate));

        s.push_str("## Documentation for API Endpoints\n\n");
        s.push_str(&format!(
            "All URIs are relative to *{}*\n\n",
            doc_text(&api.base_url)
        ));
        s.push_str("Class | Method | HTTP request | Description\n------------ | ------------- | ------------- | -------------\n");
        for (tag, ops) in &self.tags {
            let class = tag.api_type.clone();
            for op in ops {
                s.push_str(&format!(
                    "*{class}* | [**{n}**][{label}] | **{m}** {p} | {d}\n",
                    n = op.rust_name,
                    label = op_label(tag, op),
                    m = op.method.as_str(),
                    p = op.path,
                    d = cell(&doc_text(&summary(op))),
                ));
            }
        }
        s.push_str("\n\n## Documentation For Models\n\n");
        for t in &api.types {
            s.push_str(&format!(" - [{}][{}]\n", t.name, model_label(&t.name)));
        }
        s.push_str("\n\n## Documentation For Authorization\n\n");
        if api.security_schemes.is_empty() {
            s.push_str("Endpoints do not require authorization.\n\n");
        }
        for scheme in &api.security_schemes {
            s.push_str(&scheme_section(scheme));
        }
        s.push_str(
            "To get access to the crate's generated documentation, use:\n\n```sh\ncargo doc --open\n```\n",
        );
        // The links' targets on GitHub or crates.io: the Markdown docs. As the crate's root
        // docs, `src/lib.rs` defines each label first, as the Rust item (see `readme_links`).
        let links = self.links();
        if !links.is_empty() {
            s.push('\n');
        }
        for l in links {
            s.push_str(&format!("[{}]: {}\n", l.label, l.file));
        }
        s
    }

    /// Every link of the README to an API class, an operation or a model.
    fn links(&self) -> Vec<ReadmeLink> {
        let mut out = Vec::new();
        for (tag, ops) in &self.tags {
            let class = format!("crate::apis::{}::{}", tag.module, tag.api_type);
            out.push(ReadmeLink {
                label: api_label(tag),
                file: format!("docs/{}", self.api_file(tag)),
                item: class.clone(),
            });
            for op in ops {
                out.push(ReadmeLink {
                    label: op_label(tag, op),
                    file: format!("docs/{}#{}", self.api_file(tag), op.rust_name),
                    item: format!("{class}::{}", op.rust_name),
                });
            }
        }
        for t in &self.api.types {
            out.push(ReadmeLink {
                label: model_label(&t.name),
                file: format!("docs/{}", self.model_file(&t.name)),
                item: format!("crate::models::{}", t.name),
            });
        }
        out
    }

    /// A short async example: build a client, call one operation without arguments.
    fn example(&self, krate: &str) -> String {
        let scheme = self
            .api
            .security_schemes
            .iter()
            .find(|s| s.kind != SchemeKind::Basic);
        // An operation without required arguments that the example's credential can call (or
        // that needs none): optional parameters go on the returned builder (none needed), an
        // optional structured body an `Option`; required values are not worth inventing.
        let callable = |op: &&Operation| {
            op.params.iter().all(|p| !p.required || !p.is_argument())
                && !op.body.as_ref().is_some_and(|b| {
                    b.required
                        || b.choice.is_none()
                            && matches!(b.primary().kind, BodyKind::Bytes | BodyKind::Text)
                })
                && (op.security.is_empty()
                    || op.security.iter().any(|alt| alt.is_empty())
                    || scheme.is_some_and(|s| {
                        op.security
                            .iter()
                            .any(|alt| alt.len() == 1 && alt[0] == s.name)
                    }))
        };
        let call = self
            .tags
            .iter()
            .flat_map(|(tag, ops)| ops.iter().map(move |op| (tag, op)))
            .filter(|(_, op)| callable(op))
            .min_by_key(|(_, op)| {
                (
                    !op.params.is_empty() || op.body.is_some(),
                    op.method != Method::Get,
                    !matches!(op.success.kind, SuccessKind::Json(_)),
                    // Preferably one that uses the credential set above.
                    op.security.is_empty(),
                )
            });
        let mut s = String::from("```rust,no_run\n#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
        s.push_str(&format!(
            "    let client = {krate}::Client::builder({krate}::DEFAULT_BASE_URL)\n"
        ));
        if let Some(scheme) = scheme {
            s.push_str(&format!("        .{}(\"…\")\n", scheme.rust_name));
        }
        s.push_str("        .build()?;\n");
        match call {
            Some((tag, op)) => {
                // As the client methods take them: the optional body (optional parameters are
                // set on the returned builder, and none is needed here).
                let args = if op.body.is_some() { "None" } else { "" };
                s.push_str(&format!(
                    "    let response = client.{}().{}({args}).await?;\n",
                    tag.module, op.rust_name
                ));
                s.push_str("    println!(\"{} {:?}\", response.status(), response.body());\n");
            }
            None => s.push_str("    println!(\"{}\", client.base_url());\n"),
        }
        s.push_str("    Ok(())\n}\n```\n\n");
        s.push_str(
            "Every operation returns the decoded body together with the response status, headers \
             and rate-limit information.\n\n",
        );
        s
    }
}

/// A link of the README to an API class, an operation or a model, written reference-style
/// (`[text][label]`): the README is both the Markdown a repository or crates.io shows, where
/// the label's definition at its end opens the Markdown doc (`file`), and the crate's root docs
/// (`#![doc = include_str!("../README.md")]`), where `src/lib.rs` defines the label first as
/// the Rust item (`item`): CommonMark (and rustdoc) use a label's first definition, so docs.rs
/// links to the item.
pub struct ReadmeLink {
    /// The label (`api:PetsApi`, `op:PetsApi::list_pets`, `model:Pet`).
    pub label: String,
    /// The Markdown doc, relative to the crate root.
    pub file: String,
    /// The Rust item, as an intra-doc link.
    pub item: String,
}

/// The README's links (see [`ReadmeLink`]).
pub fn readme_links(api: &Api) -> Vec<ReadmeLink> {
    Docs::new(api).links()
}

fn api_label(tag: &Tag) -> String {
    format!("api:{}", tag.api_type)
}

fn op_label(tag: &Tag, op: &Operation) -> String {
    format!("op:{}::{}", tag.api_type, op.rust_name)
}

fn model_label(name: &str) -> String {
    format!("model:{name}")
}

impl Docs<'_> {
    /// `## Guide`: authentication per scheme, errors, retries, deadlines and raw requests, with
    /// examples that are doctests of the crate.
    fn guide(&self, krate: &str) -> String {
        let api = self.api;
        let mut s = String::from("## Guide\n\n### Authentication\n\n");
        if api.security_schemes.is_empty() {
            s.push_str("The API declares no authentication.\n\n");
        } else {
            s.push_str(
                "Set a credential per security scheme on the builder; each operation sends the \
                 first of the schemes it accepts that the client holds (and fails with \
                 `Error::InvalidRequest`, sending nothing, when it holds none of them):\n\n",
            );
            for scheme in &api.security_schemes {
                let how = match &scheme.kind {
                    SchemeKind::ApiKeyHeader { header, prefix } => {
                        format!("sent as `{header}: {prefix}<token>`")
                    }
                    SchemeKind::ApiKeyQuery { param } => {
                        format!("sent as the `{param}` query parameter")
                    }
                    SchemeKind::ApiKeyCookie { cookie } => format!("sent as the `{cookie}` cookie"),
                    SchemeKind::Bearer => "sent as `Authorization: Bearer <token>`".to_string(),
                    SchemeKind::Basic => {
                        "sent as `Authorization: Basic <base64(username:password)>`".to_string()
                    }
                };
                let args = if scheme.kind == SchemeKind::Basic {
                    "username, password"
                } else {
                    "token"
                };
                s.push_str(&format!(
                    "- `{}`: `ClientBuilder::{}({args})`, {how}.\n",
                    scheme.name, scheme.rust_name
                ));
            }
            if let Some(scheme) = api
                .security_schemes
                .iter()
                .find(|s| s.kind != SchemeKind::Basic)
            {
                s.push_str(&format!(
                    "\n`client.with_{}(token)` makes a client that uses another token for that \
                     scheme and shares the connection pool, for calls on behalf of another user.\n",
                    scheme.rust_name
                ));
            }
            s.push('\n');
        }
        s.push_str(&format!(
            "### Errors\n\n\
             Every operation returns `{krate}::Result<T>`: the decoded body with the status, headers \
             and rate-limit information, or a `{krate}::Error`: `Api` for a response with an error \
             status (its status, headers, raw body and the body decoded as the description \
             declares it), `Decode` for a success body that does not match its model (with the \
             JSON path of the mismatch), `Timeout`, `Transport` (DNS, connection, TLS), \
             `RateLimited` (the rate limiter would have waited past the call's deadline; nothing \
             was sent) and `InvalidRequest` (no credential, or a value that cannot be sent). \
             `Error` is `#[non_exhaustive]`; `status()`, `is_unauthorized()`, `is_forbidden()`, \
             `is_not_found()`, `is_rate_limited()`, `is_timeout()` and `retry_after()` answer \
             the common questions without a `match`.\n\n\
             ```rust\n\
             fn describe(error: &{krate}::Error) -> String {{\n    \
             match error.status() {{\n        \
             Some(status) => format!(\"the API answered {{status}}: {{error}}\"),\n        \
             None if error.is_timeout() => \"timed out\".to_string(),\n        \
             None => error.to_string(),\n    \
             }}\n\
             }}\n\
             ```\n\n"
        ));
        s.push_str(&format!(
            "### Retries and deadlines\n\n\
             By default (`RetryPolicy::default()`) a request is retried up to 3 times: a 429 \
             after the wait the server asks for, 502, 503 and 504 responses and transport \
             failures of idempotent methods with exponential backoff, and connection failures \
             of any method. `ClientBuilder::retry` sets another policy \
             (`RetryPolicy::none()` turns retries off) and `ClientBuilder::on_retry` sees each \
             retry before its wait. `ClientBuilder::timeout` is each call's deadline (60 s by \
             default): from its start until the response body is read, every attempt, retry \
             wait and rate-limit wait included; a wait that would end past it is not begun. \
             `ClientBuilder::attempt_timeout` also bounds each attempt, \
             `ClientBuilder::connect_timeout` the connection alone (10 s), and \
             `ResponseFuture::timeout` one call's deadline.\n\n\
             ```rust\n\
             use std::time::Duration;\n\
             use {krate}::{{Client, RetryPolicy, DEFAULT_BASE_URL}};\n\n\
             fn client() -> Result<Client, Box<dyn std::error::Error>> {{\n    \
             let policy = RetryPolicy {{\n        \
             max_retries: 1,\n        \
             ..RetryPolicy::default()\n    \
             }};\n    \
             let client = Client::builder(DEFAULT_BASE_URL)\n        \
             .timeout(Duration::from_secs(10))\n        \
             .attempt_timeout(Duration::from_secs(4))\n        \
             .retry(policy)\n        \
             .on_retry(|retry| eprintln!(\"retry {{}} of {{}} in {{:?}}\", retry.attempt, retry.path, retry.delay))\n        \
             .build()?;\n    \
             Ok(client)\n\
             }}\n\
             ```\n\n"
        ));
        s.push_str(if api.rate_limit.is_some() {
            "### Rate limits\n\n\
             The API's responses declare rate-limit headers, so the client waits for budget \
             *before* sending instead of running into 429s: it learns each bucket (route and \
             major parameters, such as the channel or guild) from the headers of its first \
             response, queues requests to an exhausted bucket until its reset, never lets one \
             bucket hold up another, and keeps a global limit when the API documents one. A \
             wait that would end past the call's deadline fails at once with \
             `Error::RateLimited`. `ClientBuilder::no_rate_limit` turns it off, \
             `ClientBuilder::rate_limiter` plugs in another `RateLimiter` (one shared by several \
             processes, say), and each wait is a `tracing` debug event.\n\n"
        } else {
            "### Rate limits\n\n\
             The API's description declares no rate-limit headers, so requests are sent at \
             once and a 429 is retried after the wait the server asks for. \
             `ClientBuilder::rate_limiter(Arc::new(InProcessLimiter::new()))` makes the client \
             wait for budget before sending, learnt from the response headers.\n\n"
        });
        s.push_str(&format!(
            "### Raw requests\n\n\
             For what the description does not cover, `Client::request` sends a request built \
             by hand, with the credentials, retries and error decoding of the operation with the \
             same method and path template, if there is one:\n\n\
             ```rust,no_run\n\
             async fn raw(client: &{krate}::Client) -> {krate}::Result<serde_json::Value> {{\n    \
             client\n        \
             .request({krate}::Method::GET, \"/things/{{id}}\")\n        \
             .path_param(\"id\", \"42\")\n        \
             .query(\"limit\", &10)\n        \
             .send()\n        \
             .await\n\
             }}\n\
             ```\n\n"
        ));
        s
    }
}

struct ParamRow {
    name: String,
    /// The type cell without the `Option<…>` of an optional parameter.
    ty: String,
    description: String,
    required: bool,
}

/// How a named model is written: a parameter's own type is the bare name (`Pet`, as the
/// reference writes body parameters); everywhere else it is `models::Pet`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Param,
    Model,
}

/// The displayed map type (the reference generator's).
const MAP: &str = "std::collections::HashMap";

/// How a primitive is displayed (the reference generator's conventions; a Snowflake keeps
/// its own name, which the parity check accepts as a more precise scalar).
fn prim(p: Prim) -> &'static str {
    match p {
        Prim::String | Prim::Uri | Prim::Uuid | Prim::DateTime | Prim::Date => "String",
        Prim::Bool => "bool",
        Prim::I32 => "i32",
        Prim::I64 => "i64",
        Prim::U32 => "u32",
        Prim::U64 => "u64",
        Prim::F32 => "f32",
        Prim::F64 => "f64",
        Prim::Base64 => "Vec<u8>",
        Prim::Binary => "std::path::PathBuf",
        Prim::Snowflake => "Snowflake",
    }
}

/// A type's label and the model it links to (the innermost named type).
fn label(t: &TypeRef, style: Style, top: bool) -> (String, Option<String>) {
    match t {
        TypeRef::Prim(p) => (prim(*p).to_string(), None),
        TypeRef::Named(n) if top && style == Style::Param => (n.clone(), Some(n.clone())),
        TypeRef::Named(n) => (format!("models::{n}"), Some(n.clone())),
        TypeRef::External(path) => (path.clone(), None),
        TypeRef::Array(inner) => {
            let (l, m) = label(inner, style, false);
            (format!("Vec<{l}>"), m)
        }
        TypeRef::Map(inner) => {
            let (l, m) = label(inner, style, false);
            (format!("{MAP}<String, {l}>"), m)
        }
        TypeRef::Option(inner) if top => label(inner, style, true),
        TypeRef::Option(inner) => {
            let (l, m) = label(inner, style, false);
            (format!("Option<{l}>"), m)
        }
        TypeRef::Boxed(inner) => label(inner, style, top),
        TypeRef::Any => ("serde_json::Value".to_string(), None),
    }
}

/// The one-line summary: the spec's summary, else the description's first sentence, else
/// the method name.
fn summary(op: &Operation) -> String {
    if let Some(s) = op
        .summary
        .as_deref()
        .map(one_line)
        .filter(|s| !s.is_empty())
    {
        return s;
    }
    if let Some(d) = op
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        let first = one_line(d.split("\n\n").next().unwrap_or(d));
        let end = first.find(". ").map_or(first.len(), |i| i + 1);
        return first[..end].to_string();
    }
    op.rust_name.clone()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Free text for a table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    one_line(s).replace('|', "\\|")
}

/// Free text as a block, as written, except that a line starting with `#` is escaped so it
/// cannot open a section of its own.
fn prose(s: &str) -> String {
    let lines: Vec<String> = s
        .replace("\r\n", "\n")
        .lines()
        .map(|l| {
            if l.trim_start().starts_with('#') {
                format!("\\{}", l.trim_start())
            } else {
                l.trim_end().to_string()
            }
        })
        .collect();
    lines.join("\n")
}

/// A JSON literal as shown in a `[default to …]` note: strings bare, anything else as JSON.
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The security schemes an operation accepts, in the order OpenAPI Generator lists them.
///
/// The reference collects them into a `java.util.HashMap` and iterates it, so the order is
/// that of their hash buckets (insertion order within a bucket), not the spec's order:
/// `[{botToken}, {sessionToken}]` is documented as `sessionToken, botToken`.
fn auth_schemes<'o>(api: &Api, op: &'o Operation) -> Vec<&'o str> {
    let mut names: Vec<&str> = Vec::new();
    for name in op.security.iter().flatten() {
        let known = api.security_schemes.iter().any(|s| &s.name == name);
        if known && !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    // java.util.HashMap: 16 buckets, doubled while more than 3/4 full; a resize keeps the
    // relative order of entries that share a bucket, so a stable sort by bucket reproduces it.
    let mut buckets = 16usize;
    while names.len() > buckets * 3 / 4 {
        buckets *= 2;
    }
    names.sort_by_key(|n| {
        let h = java_string_hash(n);
        (h ^ (h >> 16)) as usize & (buckets - 1)
    });
    names
}

/// `java.lang.String::hashCode`.
fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16()
        .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)))
}

/// The media types of all responses, success first, distinct, in first-seen order.
///
/// The IR keeps no response media types: a JSON success or an error with a body model is
/// `application/json`, a bytes success its content type, a text success `text/plain`.
fn accept(op: &Operation) -> Vec<String> {
    if !op.produces.is_empty() {
        return op.produces.clone();
    }
    let mut out: Vec<String> = Vec::new();
    let mut add = |m: &str| {
        if !out.iter().any(|x| x == m) {
            out.push(m.to_string());
        }
    };
    match &op.success.kind {
        SuccessKind::Empty => {}
        SuccessKind::Json(_) => add("application/json"),
        SuccessKind::Bytes { content_type } => add(content_type),
        SuccessKind::Text => add("text/plain"),
    }
    if op.errors.iter().any(|e| e.model.is_some()) {
        add("application/json");
    }
    out
}

fn enum_doc(e: &EnumDef, s: &mut String) {
    s.push_str("## Enum Variants\n\n");
    s.push_str(match e.repr {
        EnumRepr::String => "Sent as a string.\n\n",
        EnumRepr::Integer => "Sent as an integer.\n\n",
    });
    s.push_str("Value | Variant | Description\n------------ | ------------- | -------------\n");
    for v in &e.variants {
        let desc = v.docs.as_deref().map(cell).unwrap_or_default();
        s.push_str(&format!(
            "`{}` | `{}` | {}\n",
            cell(&json_text(&v.value)),
            v.rust_name,
            desc
        ));
    }
    s.push('\n');
}

fn flags_doc(f: &FlagsDef, s: &mut String) {
    s.push_str("## Flags\n\n");
    s.push_str(if f.as_string {
        "A bit set, sent as a decimal string: combine the values below with `|`.\n\n"
    } else {
        "A bit set, sent as a number: combine the values below with `|`.\n\n"
    });
    s.push_str("Name | Constant | Value | Description\n------------ | ------------- | ------------- | -------------\n");
    for flag in &f.flags {
        let value = if flag.value.is_power_of_two() {
            format!("`{}` (`1 << {}`)", flag.value, flag.value.trailing_zeros())
        } else {
            format!("`{}`", flag.value)
        };
        let desc = flag.docs.as_deref().map(cell).unwrap_or_default();
        s.push_str(&format!(
            "**{}** | `{}` | {} | {}\n",
            cell(&flag.name),
            flag.rust_name,
            value,
            desc
        ));
    }
    s.push('\n');
}

/// `### name` under "Documentation For Authorization", with an anchor that keeps the
/// scheme name's case (`../README.md#botToken`).
fn scheme_section(scheme: &SecurityScheme) -> String {
    let mut s = format!("<a id=\"{0}\"></a>\n### {0}\n\n", scheme.name);
    match &scheme.kind {
        SchemeKind::ApiKeyHeader { header, prefix } => {
            s.push_str("- **Type**: API key\n");
            s.push_str(&format!("- **API key parameter name**: `{header}`\n"));
            s.push_str("- **Location**: HTTP header\n");
            if prefix.is_empty() {
                s.push_str(&format!("- **Sent as**: `{header}: <token>` (no prefix)\n"));
            } else {
                s.push_str(&format!("- **Prefix**: `{prefix}`\n"));
                s.push_str(&format!("- **Sent as**: `{header}: {prefix}<token>`\n"));
            }
        }
        SchemeKind::ApiKeyQuery { param } => {
            s.push_str("- **Type**: API key\n");
            s.push_str(&format!("- **API key parameter name**: `{param}`\n"));
            s.push_str("- **Location**: URL query string\n");
        }
        SchemeKind::ApiKeyCookie { cookie } => {
            s.push_str("- **Type**: API key\n");
            s.push_str(&format!("- **API key parameter name**: `{cookie}`\n"));
            s.push_str("- **Location**: cookie\n");
        }
        SchemeKind::Bearer => {
            s.push_str("- **Type**: HTTP Bearer token authentication\n");
            s.push_str("- **Sent as**: `Authorization: Bearer <token>`\n");
        }
        SchemeKind::Basic => {
            s.push_str("- **Type**: HTTP basic authentication\n");
            s.push_str("- **Sent as**: `Authorization: Basic <base64(username:password)>`\n");
        }
    }
    if scheme.kind == SchemeKind::Basic {
        s.push_str(&format!(
            "- **Set with**: `ClientBuilder::{}(username, password)`\n",
            scheme.rust_name
        ));
    } else {
        s.push_str(&format!(
            "- **Set with**: `ClientBuilder::{}(token)`\n",
            scheme.rust_name
        ));
    }
    if let Some(d) = scheme
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        s.push('\n');
        s.push_str(&doc_text(d));
        s.push('\n');
    }
    s.push('\n');
    s
}

/// A stream method of an operation, as the docs describe it.
struct StreamMethod<'o> {
    name: &'o str,
    item: &'o TypeRef,
    kind: StreamKind<'o>,
}

enum StreamKind<'o> {
    Events { es: &'o EventStream },
    Pages { p: &'o Pagination },
}

impl StreamKind<'_> {
    /// The runtime type the method returns.
    fn runtime_type(&self) -> &'static str {
        match self {
            StreamKind::Events { .. } => "EventStream",
            StreamKind::Pages { .. } => "Pages",
        }
    }
}

impl StreamMethod<'_> {
    /// One sentence: what the stream yields.
    fn what(&self, op: &Operation) -> String {
        match &self.kind {
            StreamKind::Events { .. } => format!(
                "The server-sent events (`text/event-stream`) of `{}`, read as they arrive.",
                op.rust_name
            ),
            StreamKind::Pages { .. } => format!(
                "The items of `{}`, page after page, fetched as they are used.",
                op.rust_name
            ),
        }
    }

    /// How the stream reads its events or continues across pages.
    fn how(&self) -> String {
        match &self.kind {
            StreamKind::Events { es } => {
                let mut s = String::from(
                    "Each event keeps its `id`, `event` and `retry`; an event whose data does not \
                     decode is an error item and the stream goes on; comments and keep-alives are \
                     skipped.",
                );
                if let Some(flag) = &es.flag {
                    s.push_str(&format!(" Sends `\"{flag}\": true` in the body itself."));
                }
                if let Some(sentinel) = &es.sentinel {
                    s.push_str(&format!(
                        " The stream ends at the event whose data is `{sentinel}` (not an item)."
                    ));
                }
                s.push_str(
                    " Reconnection with `Last-Event-ID` (`.reconnect(n)`) and an idle timeout \
                     (`.idle_timeout(d)`) are opt-in.",
                );
                s
            }
            StreamKind::Pages { p } => {
                let mut s = format!("{}.", upper_first(&p.kind.describe()));
                if let Some(l) = &p.limit_param {
                    s.push_str(&format!(
                        " A page shorter than the `{l}` you set is the last."
                    ));
                }
                s.push_str(
                    " Each page is an ordinary request (credentials, retries, rate limits), sent \
                     only when the previous page's items are used up; the stream ends after the \
                     last page, and an error is its last item.",
                );
                s
            }
        }
    }
}

/// The stream methods of `op`: its event stream, then its pages.
fn stream_methods(op: &Operation) -> Vec<StreamMethod<'_>> {
    let mut out = Vec::new();
    if let Some(es) = &op.event_stream {
        out.push(StreamMethod {
            name: &es.rust_name,
            item: &es.item,
            kind: StreamKind::Events { es },
        });
    }
    if let Some(p) = &op.pagination {
        out.push(StreamMethod {
            name: &p.rust_name,
            item: &p.item,
            kind: StreamKind::Pages { p },
        });
    }
    out
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(
        name: &str,
        location: ParamLocation,
        required: bool,
        ty: TypeRef,
        description: Option<&str>,
    ) -> Param {
        Param {
            name: name.to_string(),
            rust_name: name.to_string(),
            location,
            required,
            ty,
            style: ParamStyle::Simple,
            constant: None,
            description: description.map(str::to_string),
            deprecated: false,
        }
    }

    fn body(param_name: &str, content_type: &str, kind: BodyKind, ty: &str) -> RequestBody {
        RequestBody {
            param_name: param_name.to_string(),
            required: true,
            description: None,
            contents: vec![BodyContent {
                content_type: content_type.to_string(),
                kind,
                ty: TypeRef::Named(ty.to_string()),
                variant: "Json".into(),
                file_fields: vec![],
                encodings: vec![],
            }],
            choice: None,
            media_type_arg: None,
        }
    }

    fn op(rust_name: &str, method: Method, path: &str, kind: SuccessKind) -> Operation {
        Operation {
            produces: vec![],
            accept: None,
            server: None,
            id: rust_name.to_string(),
            rust_name: rust_name.to_string(),
            type_name: rust_name.to_string(),
            params_type: format!("{rust_name}Params"),
            builder_type: format!("{rust_name}Builder"),
            method,
            path: path.to_string(),
            fixed_query: vec![],
            path_parts: vec![],
            params: vec![],
            body: None,
            success: Success {
                status: 200,
                kind,
                description: None,
                headers: vec![],
            },
            errors: vec![ErrorResponse {
                status: StatusMatch::Code(400),
                description: None,
                model: Some(0),
                headers: vec![],
            }],
            security: vec![
                vec!["botToken".to_string()],
                vec!["sessionToken".to_string()],
            ],
            tag: 0,
            summary: None,
            description: None,
            deprecated: false,
            pointer: String::new(),
            is_webhook: false,
            event_stream: None,
            pagination: None,
            major_params: vec![],
        }
    }

    fn struct_type(name: &str, fields: Vec<Field>) -> TypeDef {
        TypeDef {
            name: name.to_string(),
            docs: None,
            deprecated: false,
            kind: TypeKind::Struct(StructDef {
                fields,
                consts: Vec::new(),
                additional: None,
            }),
            pointer: String::new(),
            reach: Reach {
                tags: vec![0],
                ..Reach::default()
            },
        }
    }

    fn field(name: &str, rust_name: &str, ty: TypeRef, presence: Presence) -> Field {
        Field {
            name: name.to_string(),
            rust_name: rust_name.to_string(),
            ty,
            presence,
            docs: None,
            deprecated: false,
            read_only: false,
            read_required: false,
            default: None,
            pointer: String::new(),
        }
    }

    fn sample() -> Api {
        let mut update = op(
            "update_pet",
            Method::Patch,
            "/pets/{petId}",
            SuccessKind::Json(TypeRef::Named("Pet".into())),
        );
        update.summary = Some("Update a pet".into());
        update.description = Some("Changes a pet's name | tag.".into());
        update.params = vec![
            param(
                "if_match",
                ParamLocation::Header,
                false,
                TypeRef::Prim(Prim::String),
                Some("An ETag"),
            ),
            param(
                "pet_id",
                ParamLocation::Path,
                true,
                TypeRef::Prim(Prim::Snowflake),
                Some("The pet id"),
            ),
        ];
        update.body = Some(body(
            "pet_update_request",
            "application/json",
            BodyKind::Json,
            "PetUpdateRequest",
        ));

        let mut upload = op("upload_photo", Method::Post, "/photos", SuccessKind::Empty);
        upload.summary = Some("Upload a photo".into());
        upload.body = Some(body(
            "photo_form",
            "multipart/form-data",
            BodyKind::Multipart,
            "PhotoForm",
        ));
        upload.security = vec![];
        upload.errors = vec![];

        let mut list = op(
            "list_pets",
            Method::Get,
            "/pets",
            SuccessKind::Json(TypeRef::Array(Box::new(TypeRef::Named("Pet".into())))),
        );
        list.summary = Some("List pets".into());
        list.security = vec![vec!["botToken".to_string()]];

        let mut delete = op(
            "delete_pet",
            Method::Delete,
            "/pets/{petId}",
            SuccessKind::Empty,
        );
        delete.params = vec![param(
            "pet_id",
            ParamLocation::Path,
            true,
            TypeRef::Prim(Prim::String),
            None,
        )];
        delete.description = Some("Deletes a pet. It is gone then.".into());

        let mut hook = op(
            "pet_created",
            Method::Post,
            "/hooks/pet",
            SuccessKind::Empty,
        );
        hook.is_webhook = true;

        let mut pet = struct_type(
            "Pet",
            vec![
                field(
                    "id",
                    "id",
                    TypeRef::Prim(Prim::Snowflake),
                    Presence::Required,
                ),
                field(
                    "displayName",
                    "display_name",
                    TypeRef::Prim(Prim::String),
                    Presence::Optional,
                ),
                field(
                    "owner",
                    "owner",
                    TypeRef::Named("Owner".into()),
                    Presence::OptionalNullable,
                ),
            ],
        );
        if let TypeKind::Struct(s) = &mut pet.kind {
            s.fields[1].docs = Some("Shown | to users".into());
            s.fields[1].default = Some(Value::String("Rex".into()));
            s.fields[0].read_only = true;
        }
        let kind = TypeDef {
            name: "Kind".into(),
            docs: Some("What a pet is.".into()),
            deprecated: false,
            kind: TypeKind::Enum(EnumDef {
                repr: EnumRepr::String,
                variants: vec![EnumVariant {
                    rust_name: "Cat".into(),
                    value: Value::String("cat".into()),
                    docs: Some("Meows".into()),
                }],
            }),
            pointer: String::new(),
            reach: Reach::default(),
        };
        let mut api = Api {
            title: "Pet Store".into(),
            version: "1.0.0".into(),
            description: Some("Pets as a service.".into()),
            license: None,
            base_url: "https://pets.example/v1".into(),
            security_schemes: vec![
                SecurityScheme {
                    name: "botToken".into(),
                    rust_name: "bot_token".into(),
                    client_method: "with_bot_token".into(),
                    static_name: "BOT_TOKEN".into(),
                    kind: SchemeKind::ApiKeyHeader {
                        header: "Authorization".into(),
                        prefix: "Bot ".into(),
                    },
                    description: None,
                },
                SecurityScheme {
                    name: "sessionToken".into(),
                    rust_name: "session_token".into(),
                    client_method: "with_session_token".into(),
                    static_name: "SESSION_TOKEN".into(),
                    kind: SchemeKind::Bearer,
                    description: None,
                },
            ],
            tags: vec![
                Tag {
                    name: "Pets".into(),
                    module: "pets".into(),
                    api_type: "PetsApi".into(),
                    doc_file: String::new(),
                    feature: "pets".into(),
                    description: None,
                },
                Tag {
                    name: "Empty".into(),
                    module: "empty".into(),
                    api_type: "EmptyApi".into(),
                    doc_file: String::new(),
                    feature: "empty".into(),
                    description: None,
                },
            ],
            operations: vec![update, upload, list, delete, hook],
            types: vec![
                kind,
                struct_type("Owner", vec![]),
                pet,
                struct_type("PetUpdateRequest", vec![]),
                struct_type("PhotoForm", vec![]),
            ],
            error_models: vec![ErrorModel {
                variant: "Error".into(),
                decoder: "decode_error".into(),
                ty: TypeRef::Named("Error".into()),
            }],
            type_doc_files: vec![],
            warnings: vec![],
            skipped_operations: 0,
            rate_limit: None,
        };
        crate::build::doc_files(&mut api);
        api
    }

    fn file<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
        &files
            .iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .1
    }

    /// The text of `## name` up to (not including) the next section.
    fn section<'a>(doc: &'a str, name: &str) -> &'a str {
        let start = doc.find(&format!("\n## {name}\n")).expect("section") + 1;
        let end = doc[start + 3..]
            .find("\n## ")
            .map_or(doc.len(), |i| start + 3 + i + 1);
        &doc[start..end]
    }

    #[test]
    fn files_are_sorted_and_cover_tags_types_and_readme() {
        let files = render(&sample(), "pet-store");
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "README.md",
                "docs/Kind.md",
                "docs/Owner.md",
                "docs/Pet.md",
                "docs/PetUpdateRequest.md",
                "docs/PetsApi.md",
                "docs/PhotoForm.md"
            ]
        );
        assert_eq!(files, render(&sample(), "pet-store"));
    }

    #[test]
    fn operation_with_path_param_and_json_body() {
        let files = render(&sample(), "pet-store");
        let doc = file(&files, "docs/PetsApi.md");
        let expected = "## update_pet

> models::Pet update_pet(pet_id, if_match, pet_update_request)
Update a pet

Changes a pet's name | tag.

### Parameters


Name | Type | Description  | Required | Notes
------------- | ------------- | ------------- | ------------- | -------------
**pet_id** | **Snowflake** | The pet id | [required] |
**if_match** | Option<**String**> | An ETag |  |
**pet_update_request** | [**PetUpdateRequest**](PetUpdateRequest.md) |  | [required] |

### Return type

[**models::Pet**](Pet.md)

### Authorization

[sessionToken](../README.md#sessionToken), [botToken](../README.md#botToken)

### HTTP request headers

- **Content-Type**: application/json
- **Accept**: application/json

[[Back to top]](#) [[Back to API list]](../README.md#documentation-for-api-endpoints) [[Back to Model list]](../README.md#documentation-for-models) [[Back to README]](../README.md)


";
        assert_eq!(section(doc, "update_pet"), expected);
        assert!(doc.ends_with("[[Back to README]](../README.md)\n\n"));
    }

    #[test]
    fn api_doc_header_table_and_other_sections() {
        let files = render(&sample(), "pet-store");
        let doc = file(&files, "docs/PetsApi.md");
        let head = "# \\PetsApi

All URIs are relative to *https://pets.example/v1*

Method | HTTP request | Description
------------- | ------------- | -------------
[**delete_pet**](PetsApi.md#delete_pet) | **DELETE** /pets/{petId} | Deletes a pet.
[**list_pets**](PetsApi.md#list_pets) | **GET** /pets | List pets
[**update_pet**](PetsApi.md#update_pet) | **PATCH** /pets/{petId} | Update a pet
[**upload_photo**](PetsApi.md#upload_photo) | **POST** /photos | Upload a photo



## delete_pet
";
        assert!(doc.starts_with(head), "{doc}");
        assert!(!doc.contains("pet_created"));

        let delete = section(doc, "delete_pet");
        assert!(delete.starts_with(
            "## delete_pet\n\n> delete_pet(pet_id)\nDeletes a pet.\n\nDeletes a pet. It is gone then.\n\n### Parameters\n\n\n"
        ));
        assert!(delete.contains("**pet_id** | **String** |  | [required] |\n"));
        assert!(delete.contains("### Return type\n\n (empty response body)\n\n### Authorization"));

        let list = section(doc, "list_pets");
        assert!(list.contains("> Vec<models::Pet> list_pets()\nList pets\n\n### Parameters\n\nThis endpoint does not need any parameter.\n\n### Return type\n\n[**Vec<models::Pet>**](Pet.md)\n\n### Authorization\n\n[botToken](../README.md#botToken)\n\n"));

        let upload = section(doc, "upload_photo");
        assert!(upload.contains("> upload_photo(photo_form)\n"));
        assert!(
            upload.contains("**photo_form** | [**PhotoForm**](PhotoForm.md) |  | [required] |\n")
        );
        assert!(upload.contains(
            "### Authorization\n\nNo authorization required\n\n### HTTP request headers\n\n- **Content-Type**: multipart/form-data\n- **Accept**: Not defined\n"
        ));
    }

    #[test]
    fn readme_tables_and_authorization() {
        let files = render(&sample(), "pet-store");
        let readme = file(&files, "README.md");
        let endpoints = "## Documentation for API Endpoints

All URIs are relative to *<https://pets.example/v1>*

Class | Method | HTTP request | Description
------------ | ------------- | ------------- | -------------
*PetsApi* | [**delete_pet**][op:PetsApi::delete_pet] | **DELETE** /pets/{petId} | Deletes a pet.
*PetsApi* | [**list_pets**][op:PetsApi::list_pets] | **GET** /pets | List pets
*PetsApi* | [**update_pet**][op:PetsApi::update_pet] | **PATCH** /pets/{petId} | Update a pet
*PetsApi* | [**upload_photo**][op:PetsApi::upload_photo] | **POST** /photos | Upload a photo


## Documentation For Models

 - [Kind][model:Kind]
 - [Owner][model:Owner]
 - [Pet][model:Pet]
 - [PetUpdateRequest][model:PetUpdateRequest]
 - [PhotoForm][model:PhotoForm]


## Documentation For Authorization

<a id=\"botToken\"></a>
### botToken

- **Type**: API key
- **API key parameter name**: `Authorization`
- **Location**: HTTP header
- **Prefix**: `Bot `
- **Sent as**: `Authorization: Bot <token>`
- **Set with**: `ClientBuilder::bot_token(token)`
";
        assert!(readme.contains(endpoints), "{readme}");
        assert!(
            readme.contains("### sessionToken\n\n- **Type**: HTTP Bearer token authentication\n")
        );
        assert!(readme.contains(
            "let client = pet_store::Client::builder(pet_store::DEFAULT_BASE_URL)\n        .bot_token(\"…\")\n        .build()?;\n"
        ));
        assert!(readme.contains("client.pets().list_pets().await?"));
        assert!(readme.contains("```rust,no_run\n"));
        // Reference-style links: the Markdown docs here, the Rust items in `src/lib.rs`.
        assert!(readme.ends_with(
            "[op:PetsApi::list_pets]: docs/PetsApi.md#list_pets\n\
             [op:PetsApi::update_pet]: docs/PetsApi.md#update_pet\n\
             [op:PetsApi::upload_photo]: docs/PetsApi.md#upload_photo\n\
             [model:Kind]: docs/Kind.md\n\
             [model:Owner]: docs/Owner.md\n\
             [model:Pet]: docs/Pet.md\n\
             [model:PetUpdateRequest]: docs/PetUpdateRequest.md\n\
             [model:PhotoForm]: docs/PhotoForm.md\n"
        ));
        // The guide: each scheme's setter and how it is sent.
        assert!(readme.contains(
            "- `botToken`: `ClientBuilder::bot_token(token)`, sent as `Authorization: Bot <token>`.\n"
        ));
        assert!(
            !readme.contains("Empty"),
            "tags without operations are left out"
        );
    }

    #[test]
    fn model_docs() {
        let files = render(&sample(), "pet-store");
        let pet = file(&files, "docs/Pet.md");
        let expected = "# Pet

## Properties

Name | Type | Description | Notes
------------ | ------------- | ------------- | -------------
**id** | **Snowflake** |  | [readonly]
**display_name** | Option<**String**> | Shown \\| to users | [optional] [default to Rex] [json: `displayName`]
**owner** | Nullable<[**models::Owner**](Owner.md)> |  | [optional] [nullable]

[[Back to Model list]](../README.md#documentation-for-models) [[Back to API list]](../README.md#documentation-for-api-endpoints) [[Back to README]](../README.md)

";
        assert_eq!(pet, expected);
        let kind = file(&files, "docs/Kind.md");
        assert!(kind.starts_with("# Kind\n\nWhat a pet is.\n\n## Enum Variants\n\n"));
        assert!(kind.contains("`cat` | `Cat` | Meows\n"));
        assert!(kind.ends_with(&format!("{MODEL_FOOTER}\n\n")));
    }

    #[test]
    fn auth_order_follows_java_hash_map() {
        let api = sample();
        let mut o = op("x", Method::Get, "/x", SuccessKind::Empty);
        o.security = vec![
            vec!["botToken".into()],
            vec!["sessionToken".into()],
            vec!["botToken".into()],
        ];
        assert_eq!(auth_schemes(&api, &o), ["sessionToken", "botToken"]);
        o.security = vec![vec!["unknown".into()]];
        assert!(auth_schemes(&api, &o).is_empty());
        assert_eq!(java_string_hash("botToken"), 2127351922);
    }

    #[test]
    fn model_file_names_avoid_api_doc_names() {
        let mut api = sample();
        api.types.push(struct_type("PetsApi", vec![]));
        // Types are sorted by name in the IR.
        api.types.sort_by(|a, b| a.name.cmp(&b.name));
        crate::build::doc_files(&mut api);
        let files = render(&api, "pet-store");
        assert!(files.iter().any(|(p, _)| p == "docs/PetsApi.model.md"));
        let readme = file(&files, "README.md");
        assert!(readme.contains(" - [PetsApi][model:PetsApi]\n"));
        assert!(readme.contains("\n[model:PetsApi]: docs/PetsApi.model.md\n"));
    }

    /// Guards the layout lines copied from the reference doc against drift.
    #[test]
    fn reference_layout_lines() {
        // `shared/` lies beside the repository, as in CI.
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seed/OAuth2Api.md");
        let Ok(reference) = std::fs::read_to_string(&path) else {
            eprintln!(
                "\n*** SKIPPED: {} not found; the reference layout was not checked ***\n",
                path.display()
            );
            return;
        };
        let lines: Vec<&str> = reference.lines().collect();
        let (header, separator) = PARAM_TABLE_HEADER.trim_end().split_once('\n').unwrap();
        assert!(lines.contains(&header));
        assert!(lines.contains(&separator));
        assert!(lines.contains(&OP_FOOTER));
        assert!(lines.contains(&"This endpoint does not need any parameter."));
        assert!(lines.contains(&" (empty response body)"));
        assert!(lines.contains(&"No authorization required"));
        assert!(lines.contains(&"Method | HTTP request | Description"));
        assert!(lines.contains(&"------------- | ------------- | -------------"));
        assert!(lines[0].starts_with("# \\") && lines[0].ends_with("Api"));
        assert!(reference.contains("\n\n### Parameters\n\n\nName | Type"));
        assert!(reference.contains(
            "### Parameters\n\nThis endpoint does not need any parameter.\n\n### Return type\n\n"
        ));
        assert!(reference.contains("\n\n- **Content-Type**: "));
        assert!(reference.contains(&format!("{OP_FOOTER}\n\n\n## ")));
        assert!(reference.ends_with(&format!("{OP_FOOTER}\n\n")));
        assert!(reference.contains(" | [required] |\n") && reference.contains(" |  |  |\n"));
    }
}
