//! Stage 2: rewrite OpenAPI 3.0 and 3.1 spellings into one form, in place on the JSON value.
//!
//! After this pass a schema object says "nullable" in exactly one way (`nullable: true`),
//! has a single `type` string (several non-null types become `anyOf`), spells `const` as a
//! one-value `enum`, bounds as `minimum`/`maximum` (+ boolean `exclusive*`), base64 as
//! `format: byte`, and a `$ref` with structural siblings as `allOf: [{$ref}]` + siblings.
//! Nodes that move are recorded in [`Origins`] so diagnostics can name what the user wrote.

use crate::diag::{escape_token, Error, Warning};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Maps pointers of the normalized document back to the original document.
#[derive(Debug, Default, Clone)]
pub struct Origins {
    moved: BTreeMap<String, String>,
}

impl Origins {
    /// Records that the node now at `new` was at `old` (a pointer of the current state, which
    /// may itself lie under an ancestor that moved: it is translated now, so lookups are one step).
    fn record(&mut self, new: String, old: String) {
        let old = self.original(&old);
        if new != old {
            self.moved.insert(new, old);
        }
    }

    /// The pointer in the original document for a pointer of the normalized one.
    pub fn original(&self, pointer: &str) -> String {
        if self.moved.is_empty() {
            return pointer.to_string();
        }
        // Try the pointer itself, then each shorter prefix on a token boundary: the longest
        // moved ancestor decides.
        let mut cut = pointer.len();
        loop {
            let prefix = &pointer[..cut];
            if let Some(old) = self.moved.get(prefix) {
                return format!("{old}{}", &pointer[cut..]);
            }
            match prefix.rfind('/') {
                Some(i) if i > 0 => cut = i,
                _ => return pointer.to_string(),
            }
        }
    }
}

/// Which OpenAPI major.minor the document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V30,
    V31,
}

/// Choices of the normalize stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Refuse what would otherwise be repaired with a warning (undeclared path parameters).
    pub strict: bool,
}

/// Checks the `openapi` field and normalizes every schema in the document.
pub fn normalize(file: &str, root: &mut Value) -> Result<(Version, Origins), Error> {
    normalize_with(file, root, &Options::default()).map(|(v, o, _)| (v, o))
}

/// [`normalize`], with the warnings about what was repaired or left out.
pub fn normalize_with(
    file: &str,
    root: &mut Value,
    options: &Options,
) -> Result<(Version, Origins, Vec<Warning>), Error> {
    let version = version(file, root)?;
    let mut warnings = Vec::new();
    info_text(root);
    let mut origins = Origins::default();
    warnings.extend(recursive_refs(root));
    paths(file, root, options, &mut warnings, &mut origins)?;
    let (more, mut found) = document(root);
    origins.moved.extend(more.moved);
    // Threads finish in any order: the warnings are sorted for a deterministic output.
    found.sort();
    warnings.extend(found);
    Ok((version, origins, warnings))
}

/// Rewrites each `$recursiveRef: "#"` (a JSON Schema 2019-09 keyword, seen in 3.1 documents
/// whose dialect, 2020-12, no longer has it) as a `$ref` to the nearest enclosing schema that
/// declares `$recursiveAnchor: true`: the recursion the author meant (read literally, `#` is
/// the whole OpenAPI document). One without such an ancestor is left alone (any value). Returns
/// a warning per rewrite. Keys are replaced in place, so no pointer moves. The round-trip gate
/// applies it to the documents it samples and validates, so that they mean the same.
pub fn recursive_refs(root: &mut Value) -> Vec<Warning> {
    fn walk(v: &mut Value, at: &str, anchors: &mut Vec<String>, out: &mut Vec<Warning>) {
        match v {
            Value::Object(o) => {
                let anchored = o.get("$recursiveAnchor") == Some(&Value::Bool(true));
                if anchored {
                    anchors.push(at.to_string());
                }
                if o.get("$recursiveRef").and_then(Value::as_str) == Some("#") {
                    if let Some(target) = anchors.last() {
                        o.remove("$recursiveRef");
                        o.insert("$ref".into(), Value::String(format!("#{target}")));
                        out.push(Warning::new(
                            at.to_string(),
                            format!("`$recursiveRef` (JSON Schema 2019-09) read as a `$ref` to the enclosing schema with `$recursiveAnchor: true`, `#{target}`"),
                        ));
                    }
                }
                for (k, child) in o.iter_mut() {
                    walk(child, &format!("{at}/{}", escape_token(k)), anchors, out);
                }
                if anchored {
                    anchors.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    walk(child, &format!("{at}/{i}"), anchors, out);
                }
            }
            _ => {}
        }
    }
    fn any(v: &Value) -> bool {
        match v {
            Value::Object(o) => o.contains_key("$recursiveRef") || o.values().any(any),
            Value::Array(items) => items.iter().any(any),
            _ => false,
        }
    }
    let mut out = Vec::new();
    // Most documents have none: a scan without allocating first.
    if !any(root) {
        return out;
    }
    walk(root, "", &mut Vec::new(), &mut out);
    out
}

fn version(file: &str, root: &Value) -> Result<Version, Error> {
    let Some(obj) = root.as_object() else {
        return Err(Error::spec(
            file,
            "",
            "an OpenAPI document must be an object",
        ));
    };
    let version = match obj.get("openapi") {
        Some(Value::String(v)) if v == "3.0" || v.starts_with("3.0.") => Version::V30,
        Some(Value::String(v)) if v == "3.1" || v.starts_with("3.1.") => Version::V31,
        Some(Value::String(v)) => {
            return Err(Error::spec(
                file,
                "/openapi",
                format!("unsupported OpenAPI version `{v}` (3.0.x and 3.1.x are supported)"),
            ))
        }
        Some(Value::Number(n)) => {
            return Err(Error::spec(
                file,
                "/openapi",
                format!("`openapi` must be a version string such as \"3.1.0\", not the number {n} (quote it)"),
            ))
        }
        Some(_) => {
            return Err(Error::spec(
                file,
                "/openapi",
                "`openapi` must be a version string such as \"3.1.0\"",
            ))
        }
        None if obj.contains_key("swagger") => {
            return Err(Error::spec(
                file,
                "/swagger",
                "Swagger 2.0 is not supported; convert the document to OpenAPI 3",
            ))
        }
        None => return Err(Error::spec(file, "", "missing `openapi` version field")),
    };
    Ok(version)
}

/// `info.title` and `info.description` go into doc comments and Cargo.toml: line ends become
/// `\n` (a lone CR ends a doc comment), other control characters go (no target shows them).
fn info_text(root: &mut Value) {
    let Some(Value::Object(info)) = root.get_mut("info") else {
        return;
    };
    for (key, one_line) in [("title", true), ("description", false)] {
        let Some(Value::String(s)) = info.get_mut(key) else {
            continue;
        };
        let odd = s.contains(|c: char| c.is_control() && c != '\n' && c != '\t');
        if !(odd || (one_line && s.contains('\n'))) {
            continue;
        }
        let text = s.replace("\r\n", "\n").replace('\r', "\n");
        *s = text
            .chars()
            .filter_map(|c| match c {
                '\n' if one_line => Some(' '),
                '\n' | '\t' => Some(c),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
    }
}

/// Repairs of `paths`: a path without its leading `/` gets one, and a path parameter that the
/// template uses but no `parameters` list declares is added as a required string (both with a
/// warning; `strict` refuses the second instead).
fn paths(
    file: &str,
    root: &mut Value,
    options: &Options,
    warnings: &mut Vec<Warning>,
    origins: &mut Origins,
) -> Result<(), Error> {
    let Some(Value::Object(paths)) = root.get("paths") else {
        return Ok(());
    };
    // What to add, found on the document as it is: (path, method, parameter names).
    let mut missing: Vec<(String, &'static str, Vec<String>)> = Vec::new();
    let mut unslashed = Vec::new();
    for (path, item) in paths {
        if !path.starts_with('/') && !path.starts_with("x-") {
            unslashed.push(path.clone());
        }
        let names = template_names(path);
        if names.is_empty() {
            continue;
        }
        let Some(item) = item.as_object() else {
            continue;
        };
        // A path item behind `$ref` is shared: it is left to the later check.
        if item.contains_key("$ref") {
            continue;
        }
        let shared = declared_path_params(root, item.get("parameters"));
        for m in METHODS {
            let Some(op) = item.get(m).and_then(Value::as_object) else {
                continue;
            };
            let own = declared_path_params(root, op.get("parameters"));
            let absent: Vec<String> = names
                .iter()
                .filter(|n| !shared.contains(n) && !own.contains(n))
                .cloned()
                .collect();
            if !absent.is_empty() {
                missing.push((path.clone(), m, absent));
            }
        }
    }
    let Some(Value::Object(paths)) = root.get_mut("paths") else {
        return Ok(());
    };
    for (path, method, names) in missing {
        let op_ptr = format!("/paths/{}/{method}", escape_token(&path));
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if options.strict {
            return Err(Error::spec(
                file,
                &op_ptr,
                format!("path parameter {list} of `{path}` is not declared in `parameters` (refused by `--strict`; without it the parameter is generated as a required string)"),
            ));
        }
        let Some(Value::Object(op)) = paths.get_mut(&path).and_then(|i| i.get_mut(method)) else {
            continue;
        };
        let params = op
            .entry("parameters")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !params.is_array() {
            continue;
        }
        if let Value::Array(params) = params {
            for n in &names {
                params.push(serde_json::json!({
                    "name": n, "in": "path", "required": true, "schema": {"type": "string"}
                }));
            }
        }
        warnings.push(Warning::new(
            op_ptr,
            format!("path parameter {list} of `{path}` is not declared in `parameters`: generated as a required string (`--strict` refuses this)"),
        ));
    }
    if !unslashed.is_empty() {
        for path in &unslashed {
            let fixed = format!("/{path}");
            let old = format!("/paths/{}", escape_token(path));
            if paths.contains_key(&fixed) {
                return Err(Error::spec(
                    file,
                    &old,
                    format!(
                        "path `{path}` does not start with `/`, and `{fixed}` is also in `paths`"
                    ),
                ));
            }
            warnings.push(Warning::new(
                old.clone(),
                format!("path `{path}` does not start with `/`: generated as `{fixed}`"),
            ));
            origins.record(format!("/paths/{}", escape_token(&fixed)), old);
        }
        // Renamed in place, so that the order of the paths stays as written.
        for (k, v) in std::mem::take(paths) {
            let k = if unslashed.contains(&k) {
                format!("/{k}")
            } else {
                k
            };
            paths.insert(k, v);
        }
    }
    Ok(())
}

/// The `{name}`s of a path template.
fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            break;
        };
        out.push(rest[open + 1..close].to_string());
        rest = &rest[close + 1..];
    }
    out
}

/// Names of the path parameters a `parameters` list declares (local `$ref`s followed).
fn declared_path_params(root: &Value, params: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    for p in params.and_then(Value::as_array).into_iter().flatten() {
        let mut p = p;
        for _ in 0..16 {
            match p.get("$ref").and_then(Value::as_str) {
                Some(r) => match crate::load::resolve(root, r) {
                    Some(t) => p = t,
                    None => break,
                },
                None => break,
            }
        }
        if p.get("in").and_then(Value::as_str) == Some("path") {
            if let Some(n) = p.get("name").and_then(Value::as_str) {
                out.push(n.to_string());
            }
        }
    }
    out
}

/// A JSON pointer made into text only when needed: a node's pointer is needed only when
/// something under it moves, which few do, so the walk builds no strings.
#[derive(Clone, Copy)]
enum Ptr<'a> {
    /// A pointer already written out.
    Text(&'a str),
    /// The parent's pointer plus one token (escaped when written).
    Key(&'a Ptr<'a>, &'a str),
    /// The parent's pointer plus an array index.
    Index(&'a Ptr<'a>, usize),
}

impl Ptr<'_> {
    fn key<'b>(&'b self, token: &'b str) -> Ptr<'b> {
        Ptr::Key(self, token)
    }

    fn index(&self, i: usize) -> Ptr<'_> {
        Ptr::Index(self, i)
    }

    /// The same text as building it with `join` and `format!` step by step.
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Ptr::Text(t) => out.push_str(t),
            Ptr::Key(parent, token) => {
                parent.write(out);
                out.push('/');
                out.push_str(&escape_token(token));
            }
            Ptr::Index(parent, i) => {
                parent.write(out);
                out.push('/');
                out.push_str(&i.to_string());
            }
        }
    }
}

/// What a top-level entry of the document is.
#[derive(Clone, Copy)]
enum Kind {
    PathItem,
    Schema,
    Parameter,
    ContentHolder,
    Response,
    Callback,
}

/// One independent piece of the document: a path item, a webhook or a component.
struct Unit<'a> {
    kind: Kind,
    value: &'a mut Value,
    /// Its pointer: `section` / `group` (when there is one) / `name`.
    section: &'static str,
    group: Option<&'a str>,
    name: &'a str,
}

/// Normalizes every path item, webhook and component. They are separate subtrees, and a move
/// is recorded under its own subtree only, so they are done on several threads, each with its
/// own [`Origins`], and the maps joined: the same result as one walk, in less time.
fn document(root: &mut Value) -> (Origins, Vec<Warning>) {
    let mut units: Vec<Unit> = Vec::new();
    for (section, v) in root.as_object_mut().into_iter().flatten() {
        let Some(entries) = v.as_object_mut() else {
            continue;
        };
        match section.as_str() {
            "paths" | "webhooks" => {
                let section = if section == "paths" {
                    "/paths"
                } else {
                    "/webhooks"
                };
                for (name, item) in entries.iter_mut() {
                    units.push(Unit {
                        kind: Kind::PathItem,
                        value: item,
                        section,
                        group: None,
                        name,
                    });
                }
            }
            "components" => {
                for (group, entries) in entries.iter_mut() {
                    let kind = match group.as_str() {
                        "schemas" => Kind::Schema,
                        "parameters" | "headers" => Kind::Parameter,
                        "requestBodies" => Kind::ContentHolder,
                        "responses" => Kind::Response,
                        "pathItems" => Kind::PathItem,
                        "callbacks" => Kind::Callback,
                        _ => continue,
                    };
                    let Some(entries) = entries.as_object_mut() else {
                        continue;
                    };
                    for (name, value) in entries.iter_mut() {
                        units.push(Unit {
                            kind,
                            value,
                            section: "/components",
                            group: Some(group),
                            name,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    // Threads only for documents big enough to gain from them.
    let threads = crate::threads().min(units.len() / 64).max(1);
    let queue = std::sync::Mutex::new(units.into_iter());
    let parts = crate::on_threads(threads, |_| {
        let mut n = Normalizer {
            origins: Origins::default(),
            warnings: Vec::new(),
        };
        while let Some(unit) = crate::next_queued(&queue) {
            n.unit(unit);
        }
        vec![(n.origins, n.warnings)]
    });
    let mut origins = Origins::default();
    let mut warnings = Vec::new();
    for (part, found) in parts {
        origins.moved.extend(part.moved);
        warnings.extend(found);
    }
    (origins, warnings)
}

impl Normalizer {
    /// A warning at a pointer of the current state, named as written.
    fn warn(&mut self, pointer: String, message: impl Into<String>) {
        let pointer = self.origins.original(&pointer);
        self.warnings.push(Warning::new(pointer, message));
    }
}

struct Normalizer {
    origins: Origins,
    /// Pointers of the document as written (the units' own moves are recorded after).
    warnings: Vec<Warning>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Normalizer {
    fn unit(&mut self, unit: Unit) {
        let section = Ptr::Text(unit.section);
        let group;
        let parent = match unit.group {
            Some(g) => {
                group = section.key(g);
                &group
            }
            None => &section,
        };
        let p = parent.key(unit.name);
        match unit.kind {
            Kind::PathItem => self.path_item(unit.value, p),
            Kind::Schema => self.schema(unit.value, p),
            Kind::Parameter => self.parameter(unit.value, p),
            Kind::ContentHolder => self.content_holder(unit.value, p),
            Kind::Response => self.response(unit.value, p),
            Kind::Callback => self.callback(unit.value, p),
        }
    }

    fn path_item(&mut self, item: &mut Value, p: Ptr) {
        let Some(obj) = item.as_object_mut() else {
            return;
        };
        if let Some(Value::Array(params)) = obj.get_mut("parameters") {
            let base = p.key("parameters");
            for (i, param) in params.iter_mut().enumerate() {
                self.parameter(param, base.index(i));
            }
        }
        for m in METHODS {
            if let Some(op) = obj.get_mut(m) {
                self.operation(op, p.key(m));
            }
        }
    }

    fn operation(&mut self, op: &mut Value, p: Ptr) {
        let Some(obj) = op.as_object_mut() else {
            return;
        };
        if let Some(Value::Array(params)) = obj.get_mut("parameters") {
            let base = p.key("parameters");
            for (i, param) in params.iter_mut().enumerate() {
                self.parameter(param, base.index(i));
            }
        }
        if let Some(body) = obj.get_mut("requestBody") {
            self.content_holder(body, p.key("requestBody"));
        }
        if let Some(Value::Object(responses)) = obj.get_mut("responses") {
            let base = p.key("responses");
            for (status, r) in responses.iter_mut() {
                self.response(r, base.key(status));
            }
        }
        if let Some(Value::Object(callbacks)) = obj.get_mut("callbacks") {
            let base = p.key("callbacks");
            for (name, cb) in callbacks.iter_mut() {
                self.callback(cb, base.key(name));
            }
        }
    }

    fn callback(&mut self, cb: &mut Value, p: Ptr) {
        if let Some(obj) = cb.as_object_mut() {
            for (expr, item) in obj.iter_mut() {
                self.path_item(item, p.key(expr));
            }
        }
    }

    fn parameter(&mut self, param: &mut Value, p: Ptr) {
        let Some(obj) = param.as_object_mut() else {
            return;
        };
        if let Some(s) = obj.get_mut("schema") {
            self.schema(s, p.key("schema"));
        }
        self.content_map(obj, p);
    }

    fn response(&mut self, r: &mut Value, p: Ptr) {
        let Some(obj) = r.as_object_mut() else { return };
        self.content_map(obj, p);
        if let Some(Value::Object(headers)) = obj.get_mut("headers") {
            let base = p.key("headers");
            for (name, h) in headers.iter_mut() {
                self.parameter(h, base.key(name));
            }
        }
    }

    fn content_holder(&mut self, v: &mut Value, p: Ptr) {
        if let Some(obj) = v.as_object_mut() {
            self.content_map(obj, p);
        }
    }

    fn content_map(&mut self, obj: &mut Map<String, Value>, p: Ptr) {
        if let Some(Value::Object(content)) = obj.get_mut("content") {
            let base = p.key("content");
            for (media, m) in content.iter_mut() {
                if let Some(s) = m.get_mut("schema") {
                    self.schema(s, base.key(media).key("schema"));
                }
            }
        }
    }

    /// Normalizes one schema and, recursively, its subschemas.
    fn schema(&mut self, v: &mut Value, p: Ptr) {
        let Value::Object(obj) = v else { return };
        // Most schemas are already in the one form: one pass over the keys finds those that may
        // not be (instead of a hashed lookup per keyword, for every schema).
        if obj.iter().any(|(k, v)| may_need_rewrite(k, v)) {
            self.rewrite(obj, p);
        }
        // Recurse into subschemas (the order among siblings does not matter: each one's moves
        // are recorded under its own pointer).
        for (key, s) in obj.iter_mut() {
            match key.as_str() {
                "items"
                | "additionalProperties"
                | "not"
                | "contains"
                | "propertyNames"
                | "unevaluatedProperties"
                | "if"
                | "then"
                | "else" => self.schema(s, p.key(key)),
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    if let Value::Array(items) = s {
                        let base = p.key(key);
                        for (i, s) in items.iter_mut().enumerate() {
                            self.schema(s, base.index(i));
                        }
                    }
                }
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => {
                    if let Value::Object(map) = s {
                        let base = p.key(key);
                        for (name, s) in map.iter_mut() {
                            self.schema(s, base.key(name));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The rewrites of one schema object (not its subschemas), at pointer `p`.
    fn rewrite(&mut self, obj: &mut Map<String, Value>, p: Ptr) {
        // Keywords of the wrong kind: ignored, with a warning (build would read them as absent).
        if let Some(t) = obj.get("type") {
            let ok = t.is_string() || t.as_array().is_some_and(|a| a.iter().all(Value::is_string));
            if !ok {
                let t = obj.remove("type").unwrap_or(Value::Null);
                self.warn(
                    format!("{}/type", p.render()),
                    format!("`type` must be a type name such as \"string\" (or, in 3.1, a list of them), not `{t}`: ignored"),
                );
            }
        }
        if obj.get("required").is_some_and(|r| !r.is_array()) {
            let r = obj.remove("required").unwrap_or(Value::Null);
            self.warn(
                format!("{}/required", p.render()),
                format!("`required` of a schema must be a list of property names, not `{r}`: ignored (every property is optional)"),
            );
        }
        // Tuple-style `items: [..]` (draft-04; OpenAPI 3.0 allows one schema): one schema is the
        // item type, several are read as 3.1's `prefixItems` (an array of JSON values).
        if let Some(Value::Array(mut list)) = obj
            .get("items")
            .is_some_and(Value::is_array)
            .then(|| obj.remove("items"))
            .flatten()
        {
            let p = p.render();
            if list.len() == 1 {
                obj.insert("items".into(), list.remove(0));
                self.warn(
                    format!("{p}/items"),
                    "`items` is a list (tuple style, not allowed in OpenAPI 3.0): its one schema is the item type",
                );
                self.origins
                    .record(format!("{p}/items"), format!("{p}/items/0"));
            } else {
                self.warn(
                    format!("{p}/items"),
                    "`items` is a list (tuple style, not allowed in OpenAPI 3.0): read as `prefixItems`, generated as an array of `serde_json::Value`",
                );
                self.origins
                    .record(format!("{p}/prefixItems"), format!("{p}/items"));
                obj.insert("prefixItems".into(), Value::Array(list));
            }
        }
        // A schema `$ref` to something that is certainly not a schema (a path item, an
        // operation, a response…): any JSON value, with a warning.
        if let Some(Value::String(r)) = obj.get("$ref") {
            if let Some(what) = crate::load::ref_pointer(r)
                .as_deref()
                .and_then(not_a_schema)
            {
                let r = r.clone();
                obj.remove("$ref");
                self.warn(
                    format!("{}/$ref", p.render()),
                    format!("`$ref` `{r}` leads to {what}, not a schema: generated as `serde_json::Value`"),
                );
            }
        }
        // 3.1 type arrays: ["string", "null"] -> type + nullable; several types -> anyOf.
        if let Some(Value::Array(types)) = obj.get("type").cloned() {
            let mut rest: Vec<Value> = types
                .iter()
                .filter(|t| t.as_str() != Some("null"))
                .cloned()
                .collect();
            if rest.len() < types.len() {
                obj.insert("nullable".into(), Value::Bool(true));
            }
            match rest.len() {
                0 => {
                    obj.insert("type".into(), Value::String("null".into()));
                }
                1 => {
                    obj.insert("type".into(), rest.remove(0));
                }
                _ => {
                    obj.remove("type");
                    let branches = rest
                        .into_iter()
                        .map(|t| serde_json::json!({ "type": t }))
                        .collect();
                    obj.insert("anyOf".into(), Value::Array(branches));
                }
            }
        }

        // `const` is a one-value enum.
        if let Some(c) = obj.remove("const") {
            obj.entry("enum").or_insert_with(|| Value::Array(vec![c]));
        }

        // Numeric exclusive bounds (3.1) -> bound + boolean flag (3.0 form).
        for (excl, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if let Some(n @ Value::Number(_)) = obj.get(excl).cloned() {
                obj.insert(bound.into(), n);
                obj.insert(excl.into(), Value::Bool(true));
            }
        }

        // contentEncoding / contentMediaType (3.1) -> format byte / binary.
        if obj.get("contentEncoding").and_then(Value::as_str) == Some("base64")
            && !obj.contains_key("format")
        {
            obj.insert("format".into(), Value::String("byte".into()));
        }
        if obj.contains_key("contentMediaType")
            && !obj.contains_key("format")
            && !obj.contains_key("contentEncoding")
        {
            let text = obj
                .get("contentMediaType")
                .and_then(Value::as_str)
                .is_some_and(|m| m.starts_with("text/"));
            if !text {
                obj.insert("format".into(), Value::String("binary".into()));
            }
        }

        // An enum listing null means nullable.
        if let Some(Value::Array(values)) = obj.get_mut("enum") {
            if values.len() > 1 && values.iter().any(Value::is_null) {
                values.retain(|x| !x.is_null());
                obj.insert("nullable".into(), Value::Bool(true));
            }
        }

        // anyOf / oneOf with {type: null} branches -> the rest + nullable.
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(branches)) = obj.get_mut(key) else {
                continue;
            };
            if branches.iter().any(is_null) && branches.len() > 1 {
                let mut kept = Vec::new();
                for (old, b) in std::mem::take(branches).into_iter().enumerate() {
                    if !is_null(&b) {
                        let p = p.render();
                        self.origins.record(
                            format!("{p}/{key}/{}", kept.len()),
                            format!("{p}/{key}/{old}"),
                        );
                        kept.push(b);
                    }
                }
                *branches = kept;
                obj.insert("nullable".into(), Value::Bool(true));
            }
        }

        // $ref with structural siblings -> allOf: [{$ref}] + siblings (annotations may stay beside).
        if obj.contains_key("$ref") {
            const ANNOTATIONS: [&str; 11] = [
                "$ref",
                "description",
                "summary",
                "title",
                "nullable",
                "deprecated",
                "readOnly",
                "writeOnly",
                "example",
                "examples",
                "default",
            ];
            let structural = obj
                .keys()
                .any(|k| !ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-"));
            if structural {
                let p = p.render();
                let r = obj.remove("$ref").unwrap_or(Value::Null);
                let mut all = match obj.remove("allOf") {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                for i in (0..all.len()).rev() {
                    self.origins
                        .record(format!("{p}/allOf/{}", i + 1), format!("{p}/allOf/{i}"));
                }
                all.insert(0, serde_json::json!({ "$ref": r }));
                self.origins.record(format!("{p}/allOf/0"), p);
                obj.insert("allOf".into(), Value::Array(all));
            }
        }

        // 3.1 `examples` array on a schema -> `example`.
        if !obj.contains_key("example") {
            if let Some(Value::Array(ex)) = obj.get("examples") {
                if let Some(first) = ex.first().cloned() {
                    obj.insert("example".into(), first);
                }
            }
        }
    }
}

/// What a `$ref` target is when its pointer alone shows it is not a schema.
fn not_a_schema(pointer: &str) -> Option<&'static str> {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    match tokens.as_slice() {
        ["paths", _] | ["webhooks", _] => Some("a path item"),
        ["paths", _, m] | ["webhooks", _, m] if METHODS.contains(m) => Some("an operation"),
        ["components", section, _] => match *section {
            "responses" => Some("a response"),
            "parameters" => Some("a parameter"),
            "requestBodies" => Some("a request body"),
            "headers" => Some("a header"),
            "examples" => Some("an example"),
            "securitySchemes" => Some("a security scheme"),
            "links" => Some("a link"),
            "callbacks" => Some("a callback"),
            "pathItems" => Some("a path item"),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a schema keyword may call for a rewrite in [`Normalizer::rewrite`]; `false` only
/// when that keyword certainly does not.
fn may_need_rewrite(key: &str, v: &Value) -> bool {
    match key {
        "type" => !v.is_string(),
        "required" => !v.is_array(),
        "items" => v.is_array(),
        "exclusiveMinimum" | "exclusiveMaximum" => v.is_number(),
        "enum" => v.as_array().is_some_and(|e| e.iter().any(Value::is_null)),
        "anyOf" | "oneOf" => v.as_array().is_some_and(|b| b.iter().any(is_null)),
        "examples" => v.is_array(),
        "const" | "contentEncoding" | "contentMediaType" | "$ref" => true,
        _ => false,
    }
}

/// A branch that only allows null (`{type: null}`, `{enum: [null]}`, `{type: [null]}`).
fn is_null(b: &Value) -> bool {
    b.get("type").and_then(Value::as_str) == Some("null")
        || b.get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.len() == 1 && e[0].is_null())
        || b.get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.len() == 1 && t[0] == "null")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn norm(schema: Value) -> (Value, Origins) {
        let mut doc = json!({ "openapi": "3.1.0", "components": { "schemas": { "S": schema } } });
        let (_, o) = normalize("t", &mut doc).unwrap();
        (doc["components"]["schemas"]["S"].clone(), o)
    }

    #[test]
    fn type_arrays_and_null_branches_become_nullable() {
        assert_eq!(
            norm(json!({"type": ["string", "null"]})).0,
            json!({"type": "string", "nullable": true})
        );
        let (s, o) = norm(json!({"anyOf": [{"type": "null"}, {"$ref": "#/x"}]}));
        assert_eq!(s, json!({"anyOf": [{"$ref": "#/x"}], "nullable": true}));
        assert_eq!(
            o.original("/components/schemas/S/anyOf/0"),
            "/components/schemas/S/anyOf/1"
        );
        assert_eq!(
            norm(json!({"type": ["string", "integer"]})).0,
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn const_bounds_and_ref_siblings() {
        assert_eq!(norm(json!({"const": true})).0, json!({"enum": [true]}));
        assert_eq!(
            norm(json!({"type": "integer", "exclusiveMinimum": 0})).0,
            json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0})
        );
        let (s, o) = norm(json!({"$ref": "#/a", "properties": {"x": {"type": "string"}}}));
        assert_eq!(s["allOf"], json!([{"$ref": "#/a"}]));
        assert_eq!(
            o.original("/components/schemas/S/allOf/0"),
            "/components/schemas/S"
        );
        assert_eq!(
            norm(json!({"$ref": "#/a", "description": "d"})).0,
            json!({"$ref": "#/a", "description": "d"})
        );
    }

    #[test]
    fn a_recursive_ref_is_a_ref_to_its_anchor() {
        let mut doc = serde_json::json!({"openapi": "3.1.0", "components": {"schemas": {
            "F": {"$recursiveAnchor": true, "type": "object", "properties": {"filters": {
                "type": "array", "items": {"oneOf": [{"type": "string"}, {"$recursiveRef": "#"}]}}}},
            "G": {"items": {"$recursiveRef": "#"}}}}});
        let w = recursive_refs(&mut doc);
        assert_eq!(
            doc.pointer("/components/schemas/F/properties/filters/items/oneOf/1"),
            Some(&serde_json::json!({"$ref": "#/components/schemas/F"}))
        );
        // No anchor: left alone.
        assert_eq!(
            doc.pointer("/components/schemas/G/items"),
            Some(&serde_json::json!({"$recursiveRef": "#"}))
        );
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].pointer,
            "/components/schemas/F/properties/filters/items/oneOf/1"
        );
    }

    #[test]
    fn version_is_checked() {
        let mut d = json!({"openapi": "2.0"});
        assert_eq!(
            normalize("f.json", &mut d).unwrap_err().to_string(),
            "f.json#/openapi: unsupported OpenAPI version `2.0` (3.0.x and 3.1.x are supported)"
        );
        let mut d = json!({"info": {}});
        assert!(normalize("f.json", &mut d)
            .unwrap_err()
            .to_string()
            .starts_with("f.json#: missing"));
    }
}
