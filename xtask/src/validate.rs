//! JSON Schema validation of instances against the schemas of an OpenAPI document, with the
//! maintained `jsonschema` crate (draft 2020-12).
//!
//! The document is converted once to 2020-12 form and registered as one resource, so `$ref`s
//! between its schemas resolve; each pointer gets a validator `{"$ref": "<doc>#<pointer>"}`,
//! built on first use and cached. Conversion of OpenAPI 3.0 schema objects (3.1 ones are
//! already JSON Schema; the same rules are applied to them, harmlessly, for specs that mix):
//! - `nullable: true` adds `"null"` to `type` (and `null` to `enum`); without `type` the
//!   schema becomes `anyOf: [itself, {type: null}]`.
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric form.
//! - `discriminator`, `xml`, `example`, `externalDocs` are annotations and left alone.
//!
//! Formats are asserted (`date-time`, `date`, `uuid`, `email`, `uri`, …); unknown formats
//! (`int64`, `byte`, `binary`) are ignored.

use jsonschema::Draft;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const DOC_URI: &str = "urn:openapi-roundtrip:doc";

pub struct Validator {
    registry: jsonschema::Registry<'static>,
    /// Pointers (original coordinates) of schemas whose content moved to `anyOf/0` (3.0
    /// `nullable` without `type`), longest first.
    moved: Vec<String>,
    cache: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Validator {
    pub fn new(doc: &Value) -> Result<Self, String> {
        let mut moved = Vec::new();
        let mut converted = doc.clone();
        walk_document(&mut converted, "", &mut moved);
        moved.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let registry = jsonschema::Registry::new()
            .draft(Draft::Draft202012)
            .add(DOC_URI, converted)
            .and_then(|b| b.prepare())
            .map_err(|e| format!("registering the document: {e}"))?;
        Ok(Validator {
            registry,
            moved,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Whether `instance` is valid against the schema at `pointer` (`#/…` or `/…`); the error
    /// lists where and why it is not.
    pub fn check(&self, pointer: &str, instance: &Value) -> Result<(), String> {
        let validator = self.validator(pointer)?;
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .take(3)
            .map(|e| format!("{}: {}", e.instance_path(), e))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// Every error of `instance` against the schema at `pointer`: (instance path, message).
    pub fn errors(&self, pointer: &str, instance: &Value) -> Result<Vec<(String, String)>, String> {
        let validator = self.validator(pointer)?;
        Ok(validator
            .iter_errors(instance)
            .map(|e| (e.instance_path().to_string(), e.to_string()))
            .collect())
    }

    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, String> {
        let pointer = pointer.trim_start_matches('#');
        // Inside a schema whose content moved under `anyOf/0`: follow it.
        let mut mapped = pointer.to_string();
        for m in &self.moved {
            if let Some(rest) = mapped.strip_prefix(&format!("{m}/")) {
                mapped = format!("{m}/anyOf/0/{rest}");
            }
        }
        let pointer = mapped.as_str();
        if let Some(v) = self
            .cache
            .lock()
            .map_err(|_| "validator cache poisoned".to_string())?
            .get(pointer)
        {
            return Ok(v.clone());
        }
        let schema = json!({ "$ref": format!("{DOC_URI}#{}", fragment(pointer)) });
        let v = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| format!("#{pointer}: cannot build a validator: {e}"))?;
        let v = Arc::new(v);
        self.cache
            .lock()
            .map_err(|_| "validator cache poisoned".to_string())?
            .insert(pointer.to_string(), v.clone());
        Ok(v)
    }
}

/// A JSON pointer written as a URI fragment (characters outside the fragment set escaped).
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Outside schemas: a `schema` key holds a schema, `components/schemas` a map of them.
fn walk_document(v: &mut Value, at: &str, moved: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                let here = format!("{at}/{}", esc(k));
                match k.as_str() {
                    "schema" => convert_schema(child, &here, moved),
                    "schemas" => {
                        if let Value::Object(m) = child {
                            for (name, s) in m.iter_mut() {
                                convert_schema(s, &format!("{here}/{}", esc(name)), moved);
                            }
                        }
                    }
                    "example" | "examples" => {}
                    k if k.starts_with("x-") => {}
                    _ => walk_document(child, &here, moved),
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                walk_document(x, &format!("{at}/{i}"), moved);
            }
        }
        _ => {}
    }
}

/// A JSON pointer token.
fn esc(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn convert_schema(v: &mut Value, at: &str, moved: &mut Vec<String>) {
    let Value::Object(o) = v else { return };
    for (k, child) in o.iter_mut() {
        let here = format!("{at}/{}", esc(k));
        match k.as_str() {
            "items"
            | "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "additionalItems" => match child {
                Value::Array(a) => {
                    for (i, x) in a.iter_mut().enumerate() {
                        convert_schema(x, &format!("{here}/{i}"), moved);
                    }
                }
                _ => convert_schema(child, &here, moved),
            },
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(m) = child {
                    for (name, x) in m.iter_mut() {
                        convert_schema(x, &format!("{here}/{}", esc(name)), moved);
                    }
                }
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                if let Value::Array(a) = child {
                    for (i, x) in a.iter_mut().enumerate() {
                        convert_schema(x, &format!("{here}/{i}"), moved);
                    }
                }
            }
            _ => {}
        }
    }
    // 3.0 `items: [..]` (not valid OpenAPI, but seen) -> prefixItems.
    if let Some(Value::Array(_)) = o.get("items") {
        if let Some(items) = o.remove("items") {
            o.insert("prefixItems".into(), items);
        }
    }
    for (bound, excl) in [
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ] {
        match o.get(excl) {
            Some(Value::Bool(true)) => {
                if let Some(m) = o.remove(bound) {
                    o.insert(excl.into(), m);
                } else {
                    o.remove(excl);
                }
            }
            Some(Value::Bool(false)) => {
                o.remove(excl);
            }
            _ => {}
        }
    }
    // `required` with a name listed twice (a spec defect: its items MUST be unique) reads as
    // the list without repeats; the validator otherwise reports present properties missing.
    if let Some(Value::Array(names)) = o.get_mut("required") {
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.to_string()));
    }
    if o.remove("nullable") == Some(Value::Bool(true)) && make_nullable(o) {
        moved.push(at.to_string());
    }
}

/// Lets the schema accept null; true when its content moved under `anyOf/0`.
fn make_nullable(o: &mut Map<String, Value>) -> bool {
    if let Some(Value::Array(values)) = o.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    match o.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            o.insert("type".into(), json!([t, "null"]));
            false
        }
        Some(Value::Array(ts)) => {
            if !ts.contains(&json!("null")) {
                ts.push(json!("null"));
            }
            false
        }
        _ => {
            let inner = std::mem::take(o);
            o.insert(
                "anyOf".into(),
                json!([Value::Object(inner), {"type": "null"}]),
            );
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_and_exclusive_bounds_and_refs() {
        let doc = json!({
            "openapi": "3.0.3",
            "components": {"schemas": {
                "A": {"type": "object", "required": ["n", "b"], "properties": {
                    "n": {"type": "integer", "nullable": true, "minimum": 0, "exclusiveMinimum": true},
                    "b": {"$ref": "#/components/schemas/B"},
                    "when": {"type": "string", "format": "date-time"}
                }},
                "B": {"type": "string", "enum": ["x", "y"], "nullable": true}
            }}
        });
        let v = Validator::new(&doc).unwrap();
        let p = "#/components/schemas/A";
        v.check(p, &json!({"n": null, "b": null})).unwrap();
        v.check(p, &json!({"n": 1, "b": "x"})).unwrap();
        assert!(
            v.check(p, &json!({"n": 0, "b": "x"})).is_err(),
            "exclusive minimum"
        );
        assert!(
            v.check(p, &json!({"n": 1, "b": "z"})).is_err(),
            "enum through $ref"
        );
        assert!(v.check(p, &json!({"n": 1})).is_err(), "required");
        assert!(
            v.check(p, &json!({"n": 1, "b": "x", "when": "yesterday"}))
                .is_err(),
            "format asserted"
        );
    }

    #[test]
    fn pointers_inside_a_wrapped_nullable_schema_resolve() {
        let doc = json!({"openapi": "3.0.3", "components": {"schemas": {
            "A": {"nullable": true, "allOf": [{"type": "object", "properties": {
                "b": {"type": "string", "enum": ["x"]}}}]}}}});
        let v = Validator::new(&doc).unwrap();
        v.check("/components/schemas/A", &Value::Null).unwrap();
        let inner = "/components/schemas/A/allOf/0/properties/b";
        v.check(inner, &json!("x")).unwrap();
        assert!(v.check(inner, &json!("y")).is_err());
    }

    #[test]
    fn a_name_required_twice_is_required_once() {
        let doc = json!({"openapi": "3.1.0", "components": {"schemas": {
            "A": {"type": "object", "required": ["id", "n", "id"], "properties": {
                "id": {"type": "string"}, "n": {"type": "integer"}}}}}});
        let v = Validator::new(&doc).unwrap();
        v.check("/components/schemas/A", &json!({"id": "x", "n": 1}))
            .unwrap();
        assert!(v.check("/components/schemas/A", &json!({"n": 1})).is_err());
    }

    #[test]
    fn pointers_with_braces_resolve() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/users/{id}": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"type": "object", "required": ["a"], "properties": {"a": {"const": 1}}}
            }}}}}}
        });
        let v = Validator::new(&doc).unwrap();
        let p = "/paths/~1users~1{id}/post/requestBody/content/application~1json/schema";
        v.check(p, &json!({"a": 1})).unwrap();
        assert!(v.check(p, &json!({"a": 2})).is_err());
    }
}
