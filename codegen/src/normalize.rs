//! Stage 2: rewrite OpenAPI 3.0 and 3.1 spellings into one form, in place on the JSON value.
//!
//! After this pass a schema object says "nullable" in exactly one way (`nullable: true`),
//! has a single `type` string (several non-null types become `anyOf`), spells `const` as a
//! one-value `enum`, bounds as `minimum`/`maximum` (+ boolean `exclusive*`), base64 as
//! `format: byte`, and a `$ref` with structural siblings as `allOf: [{$ref}]` + siblings.
//! Nodes that move are recorded in [`Origins`] so diagnostics can name what the user wrote.

use crate::diag::{join, Error};
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
    let mut origins = Origins::default();
    let mut n = Normalizer {
        origins: &mut origins,
    };
    n.document(root);
    Ok((version, origins))
}

struct Normalizer<'a> {
    origins: &'a mut Origins,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Normalizer<'_> {
    fn document(&mut self, root: &mut Value) {
        if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
            for (path, item) in paths.iter_mut() {
                self.path_item(item, &join("/paths", path));
            }
        }
        if let Some(hooks) = root.get_mut("webhooks").and_then(Value::as_object_mut) {
            for (name, item) in hooks.iter_mut() {
                self.path_item(item, &join("/webhooks", name));
            }
        }
        if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
            for (kind, entries) in components.iter_mut() {
                let Some(entries) = entries.as_object_mut() else {
                    continue;
                };
                let base = join("/components", kind);
                for (name, v) in entries.iter_mut() {
                    let p = join(&base, name);
                    match kind.as_str() {
                        "schemas" => self.schema(v, &p),
                        "parameters" | "headers" => self.parameter(v, &p),
                        "requestBodies" => self.content_holder(v, &p),
                        "responses" => self.response(v, &p),
                        "pathItems" => self.path_item(v, &p),
                        "callbacks" => self.callback(v, &p),
                        _ => {}
                    }
                }
            }
        }
    }

    fn path_item(&mut self, item: &mut Value, p: &str) {
        let Some(obj) = item.as_object_mut() else {
            return;
        };
        if let Some(Value::Array(params)) = obj.get_mut("parameters") {
            for (i, param) in params.iter_mut().enumerate() {
                self.parameter(param, &format!("{p}/parameters/{i}"));
            }
        }
        for m in METHODS {
            if let Some(op) = obj.get_mut(m) {
                self.operation(op, &join(p, m));
            }
        }
    }

    fn operation(&mut self, op: &mut Value, p: &str) {
        let Some(obj) = op.as_object_mut() else {
            return;
        };
        if let Some(Value::Array(params)) = obj.get_mut("parameters") {
            for (i, param) in params.iter_mut().enumerate() {
                self.parameter(param, &format!("{p}/parameters/{i}"));
            }
        }
        if let Some(body) = obj.get_mut("requestBody") {
            self.content_holder(body, &format!("{p}/requestBody"));
        }
        if let Some(Value::Object(responses)) = obj.get_mut("responses") {
            for (status, r) in responses.iter_mut() {
                self.response(r, &join(&format!("{p}/responses"), status));
            }
        }
        if let Some(Value::Object(callbacks)) = obj.get_mut("callbacks") {
            for (name, cb) in callbacks.iter_mut() {
                self.callback(cb, &join(&format!("{p}/callbacks"), name));
            }
        }
    }

    fn callback(&mut self, cb: &mut Value, p: &str) {
        if let Some(obj) = cb.as_object_mut() {
            for (expr, item) in obj.iter_mut() {
                self.path_item(item, &join(p, expr));
            }
        }
    }

    fn parameter(&mut self, param: &mut Value, p: &str) {
        let Some(obj) = param.as_object_mut() else {
            return;
        };
        if let Some(s) = obj.get_mut("schema") {
            self.schema(s, &format!("{p}/schema"));
        }
        self.content_map(obj, p);
    }

    fn response(&mut self, r: &mut Value, p: &str) {
        let Some(obj) = r.as_object_mut() else { return };
        self.content_map(obj, p);
        if let Some(Value::Object(headers)) = obj.get_mut("headers") {
            for (name, h) in headers.iter_mut() {
                self.parameter(h, &join(&format!("{p}/headers"), name));
            }
        }
    }

    fn content_holder(&mut self, v: &mut Value, p: &str) {
        if let Some(obj) = v.as_object_mut() {
            self.content_map(obj, p);
        }
    }

    fn content_map(&mut self, obj: &mut Map<String, Value>, p: &str) {
        if let Some(Value::Object(content)) = obj.get_mut("content") {
            for (media, m) in content.iter_mut() {
                let mp = join(&format!("{p}/content"), media);
                if let Some(s) = m.get_mut("schema") {
                    self.schema(s, &format!("{mp}/schema"));
                }
            }
        }
    }

    /// Normalizes one schema and, recursively, its subschemas.
    fn schema(&mut self, v: &mut Value, p: &str) {
        let Value::Object(obj) = v else { return };

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
            let is_null = |b: &Value| {
                b.get("type").and_then(Value::as_str) == Some("null")
                    || b.get("enum")
                        .and_then(Value::as_array)
                        .is_some_and(|e| e.len() == 1 && e[0].is_null())
                    || b.get("type")
                        .and_then(Value::as_array)
                        .is_some_and(|t| t.len() == 1 && t[0] == "null")
            };
            if branches.iter().any(is_null) && branches.len() > 1 {
                let mut kept = Vec::new();
                for (old, b) in std::mem::take(branches).into_iter().enumerate() {
                    if !is_null(&b) {
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
                self.origins.record(format!("{p}/allOf/0"), p.to_string());
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

        // Recurse into subschemas.
        for key in [
            "items",
            "additionalProperties",
            "not",
            "contains",
            "propertyNames",
            "unevaluatedProperties",
            "if",
            "then",
            "else",
        ] {
            if let Some(s) = obj.get_mut(key) {
                self.schema(s, &format!("{p}/{key}"));
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(items)) = obj.get_mut(key) {
                for (i, s) in items.iter_mut().enumerate() {
                    self.schema(s, &format!("{p}/{key}/{i}"));
                }
            }
        }
        for key in [
            "properties",
            "patternProperties",
            "$defs",
            "definitions",
            "dependentSchemas",
        ] {
            if let Some(Value::Object(map)) = obj.get_mut(key) {
                let base = format!("{p}/{key}");
                for (name, s) in map.iter_mut() {
                    self.schema(s, &join(&base, name));
                }
            }
        }
    }
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
