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
    cache: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Validator {
    pub fn new(doc: &Value) -> Result<Self, String> {
        let converted = convert_document(doc);
        let registry = jsonschema::Registry::new()
            .draft(Draft::Draft202012)
            .add(DOC_URI, converted)
            .and_then(|b| b.prepare())
            .map_err(|e| format!("registering the document: {e}"))?;
        Ok(Validator {
            registry,
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

/// The document with every schema object in 2020-12 form (see the module docs).
pub fn convert_document(doc: &Value) -> Value {
    let mut d = doc.clone();
    walk_document(&mut d);
    d
}

/// Outside schemas: a `schema` key holds a schema, `components/schemas` a map of them.
fn walk_document(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                match k.as_str() {
                    "schema" => convert_schema(child),
                    "schemas" => {
                        if let Value::Object(m) = child {
                            for s in m.values_mut() {
                                convert_schema(s);
                            }
                        }
                    }
                    "example" | "examples" => {}
                    k if k.starts_with("x-") => {}
                    _ => walk_document(child),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(walk_document),
        _ => {}
    }
}

fn convert_schema(v: &mut Value) {
    let Value::Object(o) = v else { return };
    for (k, child) in o.iter_mut() {
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
                Value::Array(a) => a.iter_mut().for_each(convert_schema),
                _ => convert_schema(child),
            },
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(m) = child {
                    m.values_mut().for_each(convert_schema);
                }
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                if let Value::Array(a) = child {
                    a.iter_mut().for_each(convert_schema);
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
    if o.remove("nullable") == Some(Value::Bool(true)) {
        make_nullable(o);
    }
}

fn make_nullable(o: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = o.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    match o.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            o.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(ts)) => {
            if !ts.contains(&json!("null")) {
                ts.push(json!("null"));
            }
        }
        _ => {
            let inner = std::mem::take(o);
            o.insert(
                "anyOf".into(),
                json!([Value::Object(inner), {"type": "null"}]),
            );
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
