//! Sample JSON instances of the schemas of an OpenAPI document, for the round-trip and
//! conformance gates.
//!
//! Works on the ORIGINAL document (not the generator's normalized one), with OpenAPI 3.0
//! semantics (`nullable`, boolean `exclusiveMinimum`) or 3.1 ones (type arrays, `const`),
//! chosen by the `openapi` field.
//!
//! [`Samples::valid`] makes instance `k` (for `k` in `0..max`) by walking the schema once and
//! taking choice `k` wherever there is one, so a small `max` still reaches every enum value and
//! every union variant of up to `max` alternatives:
//! - `k == 0`: every optional property present (to a depth of [`FULL_DEPTH`]);
//!   `k == 1`: required properties only; `k == 2`: optional properties present and
//!   nullable ones `null`; higher `k`: every other optional property, alternating.
//! - enum value `k % n`, union (`oneOf`/`anyOf`) variant `k % n`; a `discriminator`'s property
//!   is set to the value that maps to the chosen variant.
//! - integers cycle through the boundaries the schema allows (2^53-1 without a format, the
//!   `i32`/`i64` extremes for `int32`/`int64`, `minimum`/`maximum`), numbers through an
//!   integer-valued and a fractional value; strings honour `format`, `pattern` (generated with
//!   `rand_regex` from a seed derived from `k`), `minLength`/`maxLength`.
//! - arrays have two items (or `minItems`), or none when allowed; maps two entries.
//!
//! - past [`NODE_BUDGET`] values in one instance, optional parts are left out.
//!
//! Deterministic: the same document gives the same samples (one `Samples` is not `Sync`: it
//! counts the values of the instance it is making). Instances are not checked here:
//! the caller validates them (see `validate.rs`) and counts the ones that fail as generator
//! defects. Duplicates are dropped.

use rand::SeedableRng;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// Optional properties are filled in down to this depth; deeper, only required ones.
const FULL_DEPTH: usize = 3;
/// Past this depth, give up (a required recursion with no way out).
const MAX_DEPTH: usize = 24;
/// Past this many values in one instance, optional parts are left out (Stripe's objects have
/// dozens of optional, expandable properties at every level).
const NODE_BUDGET: usize = 3000;
/// `$ref`s followed along one path before we stop choosing optional or recursive parts.
const MAX_REFS: usize = 12;

/// Sample generator over one document.
pub struct Samples<'a> {
    doc: &'a Value,
    v31: bool,
    /// Values made so far for the current instance (see [`NODE_BUDGET`]).
    nodes: std::cell::Cell<usize>,
}

/// The state of one walk (one instance).
#[derive(Clone, Copy)]
struct Walk {
    k: usize,
    depth: usize,
    refs: usize,
    /// A `oneOf` variant: an empty array would match array variants of any item type.
    nonempty: bool,
}

impl Walk {
    fn start(k: usize) -> Self {
        Walk {
            k,
            depth: 0,
            refs: 0,
            nonempty: false,
        }
    }
    fn deeper(self) -> Self {
        Walk {
            depth: self.depth + 1,
            nonempty: false,
            ..self
        }
    }
    /// Whether optional parts are filled in here.
    fn full(self) -> bool {
        self.k != 1 && self.depth < FULL_DEPTH && self.refs < MAX_REFS / 2
    }
    fn nulls(self) -> bool {
        self.k == 2
    }
}

/// An object schema with `allOf` branches merged.
#[derive(Default)]
struct Flat {
    properties: Vec<(String, Vec<Value>)>,
    required: BTreeSet<String>,
    /// `additionalProperties` schema when one is given as an object (or `true`).
    additional: Option<Value>,
}

impl<'a> Samples<'a> {
    pub fn new(doc: &'a Value) -> Self {
        let v31 = doc
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("3.1") || v.starts_with("3.2"));
        Samples {
            doc,
            v31,
            nodes: std::cell::Cell::new(0),
        }
    }

    /// The schema at a JSON pointer (`#/…` or `/…`), if any.
    pub fn schema(&self, pointer: &str) -> Option<&'a Value> {
        self.doc.pointer(pointer.trim_start_matches('#'))
    }

    /// Up to `max` distinct valid instances of the schema at `pointer` (see the module docs).
    pub fn valid(&self, pointer: &str, max: usize) -> Vec<Value> {
        let Some(schema) = self.schema(pointer) else {
            return Vec::new();
        };
        let mut out: Vec<Value> = Vec::new();
        for k in 0..max {
            self.nodes.set(0);
            if let Some(v) = self.gen(schema, Walk::start(k)) {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        out
    }

    /// Invalid instances of the schema at `pointer`, each with the name of the property at
    /// fault: a required property left out, a property of the wrong type, a value outside a
    /// closed enum. Empty for schemas that are not objects.
    pub fn invalid(&self, pointer: &str) -> Vec<(Value, String)> {
        let Some(schema) = self.schema(pointer) else {
            return Vec::new();
        };
        let (schema, w) = match self.deref(schema, Walk::start(1)) {
            Some(x) => x,
            None => return Vec::new(),
        };
        if !self.is_object(schema) || has_union(schema) {
            return Vec::new();
        }
        self.nodes.set(0);
        let Some(base) = self.gen(schema, w) else {
            return Vec::new();
        };
        let Value::Object(base) = base else {
            return Vec::new();
        };
        let flat = self.flatten(schema);
        let mut out = Vec::new();
        for name in &flat.required {
            if base.contains_key(name) {
                let mut m = base.clone();
                m.remove(name);
                out.push((Value::Object(m), name.clone()));
            }
        }
        for (name, schemas) in &flat.properties {
            let Some(prop) = schemas.first() else {
                continue;
            };
            let Some((prop, _)) = self.deref(prop, w) else {
                continue;
            };
            if has_union(prop) {
                continue;
            }
            let wrong = match self.types(prop).as_slice() {
                [t] => match t.as_str() {
                    // Not a number: decimal-ID strings accept numbers by design.
                    "string" => Some(json!(true)),
                    "integer" | "number" => Some(json!("not a number")),
                    "boolean" => Some(json!("not a boolean")),
                    "array" | "object" => Some(json!(true)),
                    _ => None,
                },
                _ => None,
            };
            if let Some(wrong) = wrong {
                let mut m = base.clone();
                m.insert(name.clone(), wrong);
                out.push((Value::Object(m), name.clone()));
            }
            if let Some(Value::Array(values)) = prop.get("enum") {
                let outside = if values.iter().all(Value::is_string) {
                    Some(json!("__not_a_member__"))
                } else if values.iter().all(Value::is_i64) {
                    Some(json!(
                        values.iter().filter_map(Value::as_i64).max().unwrap_or(0) + 1000
                    ))
                } else if values.iter().all(Value::is_boolean) && values.len() == 1 {
                    Some(json!(!values[0].as_bool().unwrap_or(false)))
                } else {
                    None
                };
                if let Some(v) = outside {
                    let mut m = base.clone();
                    m.insert(name.clone(), v);
                    out.push((Value::Object(m), name.clone()));
                }
            }
        }
        out
    }

    /// Follows `$ref`s (and single-branch `allOf`s that only wrap a `$ref`).
    fn deref<'x>(&'x self, mut s: &'x Value, mut w: Walk) -> Option<(&'x Value, Walk)> {
        loop {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                let target = r.strip_prefix('#')?;
                w.refs += 1;
                if w.refs > MAX_REFS * 4 {
                    return None;
                }
                // A 3.1 `$ref` may have siblings; they are kept by `gen` through `flatten`.
                if self.v31 && s.as_object().is_some_and(|o| has_keywords(o, &["$ref"])) {
                    return Some((s, w));
                }
                s = self.doc.pointer(target)?;
                continue;
            }
            return Some((s, w));
        }
    }

    fn resolve_ref(&self, r: &str) -> Option<&'a Value> {
        self.doc.pointer(r.strip_prefix('#')?)
    }

    /// The types a schema allows (explicit, or implied by its keywords).
    fn types(&self, s: &Value) -> Vec<String> {
        let mut t: Vec<String> = match s.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        };
        if t.is_empty() {
            if s.get("properties").is_some() || s.get("additionalProperties").is_some() {
                t.push("object".into());
            } else if s.get("items").is_some() {
                t.push("array".into());
            }
        }
        t
    }

    fn is_object(&self, s: &Value) -> bool {
        self.types(s).iter().any(|t| t == "object")
            || s.get("allOf").is_some_and(|branches| {
                branches.as_array().is_some_and(|b| {
                    b.iter().any(|b| {
                        self.deref(b, Walk::start(0))
                            .is_some_and(|(b, _)| self.is_object(b))
                    })
                })
            })
    }

    fn nullable(&self, s: &Value) -> bool {
        s.get("nullable").and_then(Value::as_bool) == Some(true)
            || self.types(s).iter().any(|t| t == "null")
    }

    /// Whether a schema allows exactly one value (`const`, a one-value `enum`).
    fn single_value(&self, s: &Value) -> bool {
        let Some((s, _)) = self.deref(s, Walk::start(0)) else {
            return false;
        };
        s.get("const").is_some()
            || s.get("enum")
                .and_then(Value::as_array)
                .is_some_and(|v| v.iter().filter(|x| !x.is_null()).count() == 1)
    }

    /// Whether optional parts are filled in at `w` (and the instance is not too big yet).
    fn full(&self, w: Walk) -> bool {
        w.full() && self.nodes.get() < NODE_BUDGET
    }

    /// One instance of `schema` for walk `w`; `None` when none can be made.
    fn gen(&self, schema: &Value, w: Walk) -> Option<Value> {
        self.nodes.set(self.nodes.get() + 1);
        if w.depth > MAX_DEPTH {
            return None;
        }
        let schema_ref = schema;
        let (s, w) = self.deref(schema_ref, w)?;
        match s {
            Value::Bool(true) => return Some(any_value(w.k)),
            Value::Bool(false) => return None,
            _ => {}
        }
        if let Some(c) = s.get("const") {
            return Some(c.clone());
        }
        let nullable = self.nullable(s);
        if nullable && w.nulls() && w.depth > 0 {
            return Some(Value::Null);
        }
        if let Some(Value::Array(values)) = s.get("enum") {
            // `enum: []` allows nothing (a spec defect): no value can be made.
            if values.is_empty() {
                return None;
            }
            let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if values.is_empty() {
                return Some(Value::Null);
            }
            return Some(values[w.k % values.len()].clone());
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(variants)) = s.get(key) {
                if !variants.is_empty() && !self.is_object_with_props(s) {
                    return self.gen_union(s, variants, w);
                }
            }
        }
        if s.get("allOf").is_some() || s.get("$ref").is_some() {
            // Non-object allOf (a wrapped enum or string): the first branch that yields.
            if !self.is_object(s) {
                let branches = s.get("allOf").and_then(Value::as_array);
                // Branches that list values (`enum`, `const`): a value all of them allow.
                if let Some(values) = branches.and_then(|b| self.common_values(b)) {
                    if !values.is_empty() {
                        return Some(values[w.k % values.len()].clone());
                    }
                }
                if let Some(branches) = branches {
                    let typed: Vec<&Value> = branches
                        .iter()
                        .filter(|b| {
                            b.get("description").is_none()
                                || b.as_object().is_some_and(|o| o.len() > 1)
                        })
                        .collect();
                    for b in typed {
                        if let Some(v) = self.gen(b, w.deeper()) {
                            return Some(v);
                        }
                    }
                }
                if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                    return self.gen(
                        self.resolve_ref(r)?,
                        Walk {
                            refs: w.refs + 1,
                            ..w.deeper()
                        },
                    );
                }
                return Some(any_value(w.k));
            }
            return self.gen_object(s, w);
        }
        let types = self.types(s);
        let non_null: Vec<&str> = types
            .iter()
            .map(String::as_str)
            .filter(|t| *t != "null")
            .collect();
        if non_null.is_empty() {
            if types.iter().any(|t| t == "null") {
                return Some(Value::Null);
            }
            return Some(any_value(w.k));
        }
        match non_null[w.k % non_null.len()] {
            "object" => self.gen_object(s, w),
            "array" => self.gen_array(s, w),
            "string" => self.gen_string(s, w),
            "integer" => Some(self.gen_integer(s, w)),
            "number" => Some(self.gen_number(s, w)),
            "boolean" => Some(Value::Bool(w.k % 2 == 0)),
            _ => Some(any_value(w.k)),
        }
    }

    /// An object with properties AND a union of extra constraints: treated as an object.
    fn is_object_with_props(&self, s: &Value) -> bool {
        s.get("properties").is_some()
    }

    fn gen_union(&self, s: &Value, variants: &[Value], w: Walk) -> Option<Value> {
        let n = variants.len();
        // Try the chosen variant first, then the others (one may recurse without end).
        for i in 0..n {
            let idx = (w.k + i) % n;
            let variant = &variants[idx];
            let inner = Walk {
                nonempty: true,
                ..w.deeper()
            };
            let Some(mut v) = self.gen(variant, inner) else {
                continue;
            };
            if let Some(d) = s.get("discriminator") {
                if let (Some(prop), Value::Object(obj)) =
                    (d.get("propertyName").and_then(Value::as_str), &mut v)
                {
                    match discriminator_value(d, variant) {
                        Some((tag, true)) => {
                            obj.insert(prop.to_string(), Value::String(tag));
                        }
                        // The implicit value (the schema's name) where the variant does not
                        // fix the property itself: a variant's `const`/`enum` wins (JSON
                        // Schema validates the value, the discriminator only annotates).
                        Some((tag, false)) if !self.fixes_property(variant, prop) => {
                            obj.insert(prop.to_string(), Value::String(tag));
                        }
                        _ => {}
                    }
                }
            }
            // Sibling properties of the union (`properties` beside `oneOf`) are rare; ignored.
            return Some(v);
        }
        None
    }

    /// The schemas with a `oneOf`/`anyOf` of several branches among `s` and its `allOf` parts
    /// (refs followed).
    fn union_parts<'x>(&'x self, s: &'x Value, depth: usize) -> Vec<&'x Value> {
        let Some((s, _)) = self.deref(s, Walk::start(0)) else {
            return Vec::new();
        };
        if depth > 8 {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(Value::Array(parts)) = s.get("allOf") {
            for part in parts {
                out.extend(self.union_parts(part, depth + 1));
            }
        }
        let several = |key| {
            s.get(key)
                .and_then(Value::as_array)
                .is_some_and(|b| b.len() > 1)
        };
        if several("oneOf") || several("anyOf") {
            out.push(s);
        }
        out
    }

    /// Two keys for a map's extra entries: `extra_a`, `extra_b`, or values of its
    /// `propertyNames` schema (an enum of keys, a pattern).
    fn map_keys(&self, s: &Value, w: Walk) -> Vec<String> {
        let Some(names) = s.get("propertyNames") else {
            return vec!["extra_a".into(), "extra_b".into()];
        };
        let mut keys: Vec<String> = Vec::new();
        for i in 0..2 {
            let walk = Walk {
                k: w.k + i,
                ..w.deeper()
            };
            if let Some(Value::String(k)) = self.gen(names, walk) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    }

    /// The values every `allOf` branch that lists values (`enum`, `const`) allows, in the
    /// first such branch's order; `None` when no branch lists values.
    fn common_values(&self, branches: &[Value]) -> Option<Vec<Value>> {
        let mut common: Option<Vec<Value>> = None;
        for b in branches {
            let Some((b, _)) = self.deref(b, Walk::start(0)) else {
                continue;
            };
            let listed: Vec<Value> = match (b.get("const"), b.get("enum")) {
                (Some(c), _) => vec![c.clone()],
                (None, Some(Value::Array(values))) => values.clone(),
                _ => continue,
            };
            common = Some(match common {
                None => listed,
                Some(c) => c.into_iter().filter(|v| listed.contains(v)).collect(),
            });
        }
        common
    }

    /// Whether the object schema `variant` restricts property `prop` to listed values
    /// (`const` or `enum`, in any of its declarations).
    fn fixes_property(&self, variant: &Value, prop: &str) -> bool {
        let Some((v, _)) = self.deref(variant, Walk::start(0)) else {
            return false;
        };
        self.flatten(v)
            .properties
            .iter()
            .filter(|(n, _)| n == prop)
            .flat_map(|(_, decls)| decls)
            .any(|decl| {
                self.deref(decl, Walk::start(0))
                    .is_some_and(|(d, _)| d.get("const").is_some() || d.get("enum").is_some())
            })
    }

    /// `properties`, `required` and `additionalProperties` of an object schema with its
    /// `allOf` branches (and `$ref` siblings) merged.
    fn flatten(&self, s: &Value) -> Flat {
        let mut flat = Flat::default();
        self.flatten_into(s, &mut flat, 0);
        flat
    }

    fn flatten_into(&self, s: &Value, flat: &mut Flat, depth: usize) {
        if depth > 16 {
            return;
        }
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            if let Some(t) = self.resolve_ref(r) {
                self.flatten_into(t, flat, depth + 1);
            }
        }
        if let Some(Value::Array(branches)) = s.get("allOf") {
            for b in branches {
                self.flatten_into(b, flat, depth + 1);
            }
        }
        if let Some(Value::Object(props)) = s.get("properties") {
            for (name, p) in props {
                match flat.properties.iter_mut().find(|(n, _)| n == name) {
                    Some((_, list)) => list.push(p.clone()),
                    None => flat.properties.push((name.clone(), vec![p.clone()])),
                }
            }
        }
        if let Some(Value::Array(req)) = s.get("required") {
            flat.required
                .extend(req.iter().filter_map(|r| r.as_str().map(String::from)));
        }
        match s.get("additionalProperties") {
            Some(a @ Value::Object(o)) if !o.is_empty() => flat.additional = Some(a.clone()),
            _ => {}
        }
    }

    fn gen_object(&self, s: &Value, w: Walk) -> Option<Value> {
        let flat = self.flatten(s);
        let mut obj = Map::new();
        for (i, (name, schemas)) in flat.properties.iter().enumerate() {
            // A property with one allowed value is a constant the models always write (issue
            // 12): samples always carry it.
            let constant = schemas.iter().any(|p| self.single_value(p));
            let required = flat.required.contains(name) || constant;
            if !required {
                let present = match w.k {
                    0 | 2 => self.full(w),
                    1 => false,
                    k => self.full(w) && (k + i) % 2 == 0,
                };
                if !present {
                    continue;
                }
            }
            // Several declarations of one property (allOf branches): the most specific one,
            // i.e. the one with a type or reference, generated; the others only annotate.
            let chosen = pick_declaration(schemas);
            let inner = Walk {
                k: w.k.wrapping_add(i * usize::from(w.k > 2)),
                ..w.deeper()
            };
            let v = if !required && w.nulls() && schemas.iter().any(|p| self.nullable(p)) {
                Some(Value::Null)
            } else {
                self.gen(&chosen, inner)
            };
            match v {
                Some(v) => {
                    obj.insert(name.clone(), v);
                }
                None if required => return None,
                None => {}
            }
        }
        // Unions in the object or its `allOf` parts (an object that is also one of several
        // shapes): an instance of the chosen branch, merged in.
        for u in self.union_parts(s, 0) {
            for key in ["oneOf", "anyOf"] {
                if let Some(Value::Array(variants)) = u.get(key) {
                    if let Some(Value::Object(part)) = self.gen_union(u, variants, w) {
                        obj.extend(part);
                    }
                }
            }
        }
        // Required but declared by no `properties`: any value (or one of the map's values).
        for name in &flat.required {
            if flat.properties.iter().any(|(n, _)| n == name) {
                continue;
            }
            let v = match &flat.additional {
                Some(a) => self.gen(a, w.deeper())?,
                None => any_value(w.k),
            };
            obj.insert(name.clone(), v);
        }
        if let Some(a) = &flat.additional {
            if self.full(w) && w.k.is_multiple_of(3) {
                for key in self.map_keys(s, w) {
                    if flat.properties.iter().any(|(n, _)| *n == key) || obj.contains_key(&key) {
                        continue;
                    }
                    if let Some(v) = self.gen(a, w.deeper()) {
                        obj.insert(key, v);
                    }
                }
            }
        }
        let min = s.get("minProperties").and_then(Value::as_u64).unwrap_or(0) as usize;
        if obj.len() < min {
            if let Some(a) = &flat.additional {
                let mut i = 0;
                while obj.len() < min {
                    obj.insert(format!("key{i}"), self.gen(a, w.deeper())?);
                    i += 1;
                }
            }
        }
        Some(Value::Object(obj))
    }

    fn gen_array(&self, s: &Value, w: Walk) -> Option<Value> {
        let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxItems")
            .and_then(Value::as_u64)
            .map(|m| m as usize)
            .unwrap_or(usize::MAX);
        let min = if w.nonempty { min.max(1) } else { min };
        let want = if w.k == 1 || !self.full(w) {
            min
        } else {
            2.max(min)
        }
        .min(max);
        let items = match s.get("items") {
            Some(i) => i,
            None => return Some(Value::Array(vec![any_value(w.k); want])),
        };
        let unique = s.get("uniqueItems").and_then(Value::as_bool) == Some(true);
        let mut out: Vec<Value> = Vec::new();
        let mut tries = 0;
        while out.len() < want && tries < want + 8 {
            let item_w = Walk {
                k: w.k + tries,
                ..w.deeper()
            };
            tries += 1;
            match self.gen(items, item_w) {
                Some(v) => {
                    if unique && out.contains(&v) {
                        continue;
                    }
                    out.push(v);
                }
                None if out.len() >= min => break,
                None => return None,
            }
        }
        if out.len() < min {
            return None;
        }
        Some(Value::Array(out))
    }

    fn gen_string(&self, s: &Value, w: Walk) -> Option<Value> {
        let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize)
            .unwrap_or(64);
        if let Some(p) = s.get("pattern").and_then(Value::as_str) {
            if let Some(v) = pattern_string(p, min, max, w.k) {
                return Some(Value::String(v));
            }
        }
        let format = s.get("format").and_then(Value::as_str).unwrap_or("");
        // 3.1's spelling of `format: byte`.
        let format = match s.get("contentEncoding").and_then(Value::as_str) {
            Some("base64") => "byte",
            _ => format,
        };
        let by_format = match format {
            "date-time" => Some(
                [
                    "2025-12-01T10:00:00Z",
                    "2024-02-29T23:59:59.123Z",
                    "1970-01-01T00:00:00Z",
                ][w.k % 3],
            ),
            "date" => Some(["2025-12-01", "2024-02-29"][w.k % 2]),
            "time" => Some("10:00:00Z"),
            "uuid" => Some(
                [
                    "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "00000000-0000-0000-0000-000000000000",
                ][w.k % 2],
            ),
            "uri" | "url" => Some(["https://example.com/a/b?c=d", "https://example.org/"][w.k % 2]),
            "uri-reference" => Some("/a/b"),
            "email" => Some("user@example.com"),
            "hostname" => Some("example.com"),
            "ipv4" => Some("192.0.2.1"),
            "ipv6" => Some("2001:db8::1"),
            "byte" => Some(["aGVsbG8=", "AAEC"][w.k % 2]),
            "int64" | "snowflake" | "uint64" => Some(["1234567890123456789", "0"][w.k % 2]),
            "int32" => Some("42"),
            "decimal" | "double" | "float" | "number" => Some("12.5"),
            "password" => Some("hunter2!"),
            "binary" => Some("binary data"),
            _ => None,
        };
        let text = match by_format {
            Some(t) => t.to_string(),
            None => ["sample", "second value", "x"][w.k % 3].to_string(),
        };
        if format.is_empty() || by_format.is_none() {
            let mut text = text;
            while text.chars().count() < min {
                text.push('a');
            }
            if text.chars().count() > max {
                text = text.chars().take(max).collect();
            }
            return Some(Value::String(text));
        }
        Some(Value::String(text))
    }

    fn gen_integer(&self, s: &Value, w: Walk) -> Value {
        let (lo, hi): (i128, i128) = match s.get("format").and_then(Value::as_str) {
            Some("int32") => (i32::MIN.into(), i32::MAX.into()),
            Some("int64") => (i64::MIN.into(), i64::MAX.into()),
            Some("uint32") => (0, u32::MAX.into()),
            Some("uint64") => (0, u64::MAX.into()),
            Some("int8") => (i8::MIN.into(), i8::MAX.into()),
            Some("int16") => (i16::MIN.into(), i16::MAX.into()),
            _ => (-(1i128 << 53) + 1, (1i128 << 53) - 1),
        };
        let (lo, hi) = self.bounds(s, lo, hi);
        let candidates = [42.clamp(lo, hi), hi, lo, 0.clamp(lo, hi)];
        let mut v = candidates[w.k % candidates.len()];
        if let Some(m) = s
            .get("multipleOf")
            .and_then(Value::as_i64)
            .filter(|m| *m > 0)
        {
            let m = i128::from(m);
            v -= v.rem_euclid(m);
            if v < lo {
                v += m;
            }
        }
        if let Ok(i) = i64::try_from(v) {
            json!(i)
        } else {
            json!(u64::try_from(v).unwrap_or(u64::MAX))
        }
    }

    /// Integer bounds from `minimum`/`maximum` and both forms of `exclusive*`.
    fn bounds(&self, s: &Value, mut lo: i128, mut hi: i128) -> (i128, i128) {
        let num = |k: &str| s.get(k).and_then(Value::as_f64);
        if let Some(m) = num("minimum") {
            let excl = s.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
            lo = lo.max(m.ceil() as i128 + i128::from(excl && m.fract() == 0.0));
        }
        if let Some(m) = num("exclusiveMinimum") {
            lo = lo.max(m.floor() as i128 + 1);
        }
        if let Some(m) = num("maximum") {
            let excl = s.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
            hi = hi.min(m.floor() as i128 - i128::from(excl && m.fract() == 0.0));
        }
        if let Some(m) = num("exclusiveMaximum") {
            hi = hi.min(m.ceil() as i128 - 1);
        }
        (lo, hi.max(lo))
    }

    fn gen_number(&self, s: &Value, w: Walk) -> Value {
        let (lo, hi) = self.bounds(s, -1_000_000, 1_000_000);
        let frac = 0.5_f64;
        let candidates = [
            (lo as f64 + frac).min(hi as f64),
            5_f64.clamp(lo as f64, hi as f64),
            hi as f64,
        ];
        let v = candidates[w.k % candidates.len()];
        if v.fract() == 0.0 && v.abs() < 9e15 {
            json!(v as i64)
        } else {
            json!(v)
        }
    }
}

/// The declaration of a property that says most (one with `type`, `$ref`, a union or an
/// enum); other declarations from `allOf` branches only annotate it.
fn pick_declaration(schemas: &[Value]) -> Value {
    let typed: Vec<&Value> = schemas
        .iter()
        .filter(|p| {
            p.as_object().is_some_and(|o| {
                [
                    "type",
                    "$ref",
                    "oneOf",
                    "anyOf",
                    "allOf",
                    "enum",
                    "const",
                    "items",
                    "properties",
                ]
                .iter()
                .any(|k| o.contains_key(*k))
            })
        })
        .collect();
    match typed.as_slice() {
        [] => schemas.first().cloned().unwrap_or(Value::Bool(true)),
        [one] => (*one).clone(),
        many => json!({ "allOf": many }),
    }
}

fn has_keywords(o: &Map<String, Value>, except: &[&str]) -> bool {
    o.keys().any(|k| {
        !except.contains(&k.as_str())
            && !matches!(
                k.as_str(),
                "description"
                    | "summary"
                    | "title"
                    | "example"
                    | "examples"
                    | "default"
                    | "deprecated"
                    | "readOnly"
                    | "writeOnly"
            )
            && !k.starts_with("x-")
    })
}

fn has_union(s: &Value) -> bool {
    s.get("oneOf").is_some() || s.get("anyOf").is_some() || s.get("not").is_some()
}

/// The discriminator value selecting `variant`: a `mapping` key whose target is the variant's
/// `$ref` (`true`: explicit), else the referenced schema's name (`false`: implicit).
fn discriminator_value(d: &Value, variant: &Value) -> Option<(String, bool)> {
    let r = variant.get("$ref").and_then(Value::as_str)?;
    if let Some(Value::Object(mapping)) = d.get("mapping") {
        for (k, v) in mapping {
            let v = v.as_str().unwrap_or_default();
            if v == r || r.rsplit('/').next() == Some(v) {
                return Some((k.clone(), true));
            }
        }
    }
    r.rsplit('/').next().map(|n| (n.to_string(), false))
}

/// A value for a schema that allows anything.
fn any_value(k: usize) -> Value {
    match k % 4 {
        0 => json!({"any": [1, "two", null]}),
        1 => json!("text"),
        2 => json!(7),
        _ => json!([true]),
    }
}

/// A string matching an ECMA-262 `pattern` (as far as `regex-syntax` reads it), of a length
/// within bounds; `None` when the pattern cannot be parsed or no try fits. Classes are ASCII
/// first (ECMA's `\d` and `\w` are), Unicode when the pattern needs it; anchors and word
/// boundaries are dropped from the generator (generated strings are whole matches anyway).
fn pattern_string(pattern: &str, min: usize, max: usize, k: usize) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .build()
        .parse(pattern)
        .ok()
        .or_else(|| regex_syntax::Parser::new().parse(pattern).ok())?;
    let re = rand_regex::Regex::with_hir(without_looks(hir), 8).ok()?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5eed ^ (k as u64));
    for _ in 0..64 {
        let s: String = rand::distr::Distribution::sample(&re, &mut rng);
        let n = s.chars().count();
        if n >= min && n <= max {
            return Some(s);
        }
    }
    None
}

/// The pattern with its look-around assertions (anchors, word boundaries) made empty.
fn without_looks(hir: regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};
    match hir.into_kind() {
        HirKind::Look(_) => Hir::empty(),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(without_looks(*c.sub)),
            ..c
        }),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(without_looks(*r.sub)),
            ..r
        }),
        HirKind::Concat(v) => Hir::concat(v.into_iter().map(without_looks).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.into_iter().map(without_looks).collect()),
        other => other_kind(other),
    }
}

/// Rebuilds a leaf node.
fn other_kind(kind: regex_syntax::hir::HirKind) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Hir, HirKind};
    match kind {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Class(c) => Hir::class(c),
        // Handled by the caller.
        _ => Hir::empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Validator;

    fn doc() -> Value {
        json!({
            "openapi": "3.0.3",
            "components": {"schemas": {
                "Pet": {"type": "object", "required": ["id", "kind"], "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "kind": {"type": "string", "enum": ["cat", "dog", "bird"]},
                    "name": {"type": "string", "nullable": true, "minLength": 3, "pattern": "^[a-z]+$"},
                    "born": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                    "extra": {"type": "object", "additionalProperties": {"type": "integer", "maximum": 10}}
                }},
                "Tag": {"type": "object", "required": ["label"], "properties": {"label": {"type": "string", "format": "uuid"}}},
                "Shape": {"oneOf": [{"$ref": "#/components/schemas/Circle"}, {"$ref": "#/components/schemas/Square"}],
                          "discriminator": {"propertyName": "type", "mapping": {"c": "#/components/schemas/Circle", "s": "#/components/schemas/Square"}}},
                "Circle": {"type": "object", "required": ["type", "r"], "properties": {"type": {"type": "string"}, "r": {"type": "number", "minimum": 0, "exclusiveMinimum": true}}},
                "Square": {"allOf": [{"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}, {"type": "object", "required": ["side"], "properties": {"side": {"type": "integer"}}}]}
            }}
        })
    }

    #[test]
    fn samples_are_valid_cover_enums_and_variants_and_are_deterministic() {
        let d = doc();
        let s = Samples::new(&d);
        let v = Validator::new(&d).unwrap();
        for p in ["Pet", "Tag", "Shape", "Circle", "Square"] {
            let p = format!("#/components/schemas/{p}");
            let samples = s.valid(&p, 8);
            assert!(samples.len() >= 2, "{p}: {samples:?}");
            for x in &samples {
                v.check(&p, x).unwrap_or_else(|e| panic!("{p}: {x}: {e}"));
            }
            assert_eq!(samples, Samples::new(&d).valid(&p, 8));
        }
        let pets = s.valid("#/components/schemas/Pet", 8);
        for kind in ["cat", "dog", "bird"] {
            assert!(pets.iter().any(|p| p["kind"] == kind), "{kind}");
        }
        assert!(pets.iter().any(|p| p["id"] == json!(i64::MAX)));
        assert!(pets.iter().any(|p| p.get("name") == Some(&Value::Null)));
        assert!(pets.iter().any(|p| p.get("name").is_none()));
        let shapes = s.valid("#/components/schemas/Shape", 4);
        assert!(shapes
            .iter()
            .any(|x| x["type"] == "c" && x.get("r").is_some()));
        assert!(shapes
            .iter()
            .any(|x| x["type"] == "s" && x.get("side").is_some()));
    }

    /// Shapes of the corpus the sampler used to get wrong (issue 12): every sample is valid.
    #[test]
    fn corpus_shapes_give_valid_samples() {
        let d = json!({"openapi": "3.1.0", "components": {"schemas": {
            // openai: a discriminator without mapping whose variants fix the tag themselves.
            "Tool": {"oneOf": [{"$ref": "#/components/schemas/Fn"}, {"$ref": "#/components/schemas/Web"}],
                     "discriminator": {"propertyName": "type"}},
            "Fn": {"type": "object", "required": ["type"], "properties": {"type": {"enum": ["function"]}}},
            "Web": {"type": "object", "required": ["type"], "properties": {"type": {"const": "web"}}},
            // openai: one property, two enums in `allOf` parts; and a required property that
            // no `properties` declares.
            "Out": {"allOf": [
                {"type": "object", "required": ["call_id"], "properties": {"status": {"enum": ["a", "b", "c"]}}},
                {"type": "object", "properties": {"status": {"$ref": "#/components/schemas/St"}}}]},
            "St": {"enum": ["b", "c", "d"]},
            // meilisearch: map keys from `propertyNames`; a `oneOf` inside `allOf`.
            "Stats": {"type": "object", "additionalProperties": {"type": "integer"},
                      "propertyNames": {"enum": ["enqueued", "failed"]}},
            "Page": {"allOf": [
                {"oneOf": [
                    {"type": "object", "required": ["page"], "properties": {"page": {"type": "integer"}}, "additionalProperties": false},
                    {"type": "object", "required": ["offset"], "properties": {"offset": {"type": "integer"}}, "additionalProperties": false}]},
                {"type": "object"}]}
        }}});
        let s = Samples::new(&d);
        let v = Validator::new(&d).unwrap();
        for p in ["Tool", "Out", "Stats", "Page"] {
            let p = format!("#/components/schemas/{p}");
            let samples = s.valid(&p, 8);
            assert!(!samples.is_empty(), "{p}");
            for x in &samples {
                v.check(&p, x).unwrap_or_else(|e| panic!("{p}: {x}: {e}"));
            }
        }
        let tools = s.valid("#/components/schemas/Tool", 4);
        assert!(tools.iter().any(|t| t["type"] == "function"));
        assert!(tools.iter().any(|t| t["type"] == "web"));
        let stats = s.valid("#/components/schemas/Stats", 8);
        assert!(
            stats.iter().any(|x| x.get("enqueued").is_some()),
            "{stats:?}"
        );
    }

    #[test]
    fn invalid_samples_are_invalid_and_name_the_field() {
        let d = doc();
        let s = Samples::new(&d);
        let v = Validator::new(&d).unwrap();
        let bad = s.invalid("#/components/schemas/Pet");
        let fields: Vec<&str> = bad.iter().map(|(_, f)| f.as_str()).collect();
        for f in ["id", "kind", "tags"] {
            assert!(fields.contains(&f), "{f}: {fields:?}");
        }
        for (x, f) in &bad {
            assert!(v.check("#/components/schemas/Pet", x).is_err(), "{f}: {x}");
        }
    }
}
