//! Stage 2: rewrite OpenAPI 3.0 and 3.1 spellings into one form, in place on the JSON value.
//!
//! After this pass a schema object says "nullable" in exactly one way (`nullable: true`),
//! has a single `type` string (several non-null types become `anyOf`), spells `const` as a
//! one-value `enum`, bounds as `minimum`/`maximum` (+ boolean `exclusive*`), base64 as
//! `format: byte`, and a `$ref` with structural siblings as `allOf: [{$ref}]` + siblings.
//! Nodes that move are recorded in [`Origins`] so diagnostics can name what the user wrote.

use crate::diag::{escape_token, Error};
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

/// Checks the `openapi` field and normalizes every schema in the document.
pub fn normalize(file: &str, root: &mut Value) -> Result<(Version, Origins), Error> {
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
    Ok((version, document(root)))
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
fn document(root: &mut Value) -> Origins {
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
        };
        while let Some(unit) = crate::next_queued(&queue) {
            n.unit(unit);
        }
        vec![n.origins]
    });
    let mut origins = Origins::default();
    for part in parts {
        origins.moved.extend(part.moved);
    }
    origins
}

struct Normalizer {
    origins: Origins,
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

/// Whether a schema keyword may call for a rewrite in [`Normalizer::rewrite`]; `false` only
/// when that keyword certainly does not.
fn may_need_rewrite(key: &str, v: &Value) -> bool {
    match key {
        "type" => v.is_array(),
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
