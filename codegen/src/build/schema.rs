//! Schemas -> named types and type references.

use super::{Builder, Lookup};
use crate::diag::{join, Error};
use crate::ir::*;
use crate::naming::{camel, snake, Holder, Scope};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Where a type's name comes from.
#[derive(Debug, Clone)]
pub(crate) enum Name {
    /// A component schema's name, already claimed.
    Fixed(String),
    /// A stem for an inline schema; claimed only if a named type is needed.
    Hint(String),
}

impl Name {
    fn stem(&self) -> &str {
        match self {
            Name::Fixed(s) | Name::Hint(s) => s,
        }
    }
}

const DECIMAL_ID: &str = "^(0|[1-9][0-9]*)$";

/// What a missing schema reads as.
static NULL: Value = Value::Null;

impl Builder<'_> {
    /// Follows `$ref` chains to the schema they name. Errors on dangling refs and ref loops.
    pub(crate) fn deref<'v>(&self, v: &'v Value, ptr: &str) -> Result<(&'v Value, String), Error>
    where
        Self: 'v,
    {
        let mut cur = v;
        let mut cur_ptr = ptr.to_string();
        // Pointers visited, the starting node first: a `$ref` back to any of them loops.
        let mut chain = vec![cur_ptr.clone()];
        // The same pointers, for a constant-time loop check (chains of thousands of aliases).
        let mut seen: rustc_hash::FxHashSet<String> = [cur_ptr.clone()].into_iter().collect();
        while let Some(r) = cur.at("$ref") {
            let Some(r) = r.as_str() else {
                return Err(self.err(&join(&cur_ptr, "$ref"), "`$ref` must be a string"));
            };
            let Some(target_ptr) = crate::load::ref_pointer(r) else {
                return Err(self.err(
                    &join(&cur_ptr, "$ref"),
                    format!("external reference `{r}` is not supported; bundle the document first"),
                ));
            };
            let known = self.deref_memo.borrow().get(&target_ptr).cloned();
            if let Some(end) = known {
                if let Some(target) = self.root_static().pointer(&end) {
                    let mut memo = self.deref_memo.borrow_mut();
                    for p in chain {
                        memo.insert(p, end.clone());
                    }
                    return Ok((target, end));
                }
            }
            if let Some(start) = seen
                .contains(&target_ptr)
                .then(|| chain.iter().position(|p| *p == target_ptr))
                .flatten()
            {
                let message = if start + 1 == chain.len() {
                    "`$ref` refers to itself and never reaches a schema".to_string()
                } else {
                    let steps: Vec<String> = chain[start..]
                        .iter()
                        .chain([&target_ptr])
                        .map(|p| format!("`#{}`", self.origins.original(p)))
                        .collect();
                    format!(
                        "`$ref` cycle never reaches a schema: {}",
                        steps.join(" -> ")
                    )
                };
                return Err(self.err(&join(&cur_ptr, "$ref"), message));
            }
            let Some(target) = crate::load::resolve(self.root_static(), r) else {
                return Err(self.err(
                    &join(&cur_ptr, "$ref"),
                    format!("`$ref` target `{r}` does not exist"),
                ));
            };
            // SAFETY of lifetimes: the root outlives the builder; see root_static.
            cur = target;
            cur_ptr = target_ptr;
            seen.insert(cur_ptr.clone());
            chain.push(cur_ptr.clone());
        }
        if chain.len() > 1 {
            let mut memo = self.deref_memo.borrow_mut();
            for p in chain {
                memo.insert(p, cur_ptr.clone());
            }
        }
        Ok((cur, cur_ptr))
    }

    /// Whether a schema (or what it references) allows null.
    pub(crate) fn is_nullable(&self, s: &Value, ptr: &str) -> bool {
        self.is_nullable_in(s, ptr, &mut BTreeSet::new())
    }

    fn is_nullable_in(&self, s: &Value, ptr: &str, seen: &mut BTreeSet<String>) -> bool {
        let (mut s, mut ptr) = (s, ptr.to_string());
        // Each step follows a `$ref` or an `allOf` part; coming back to a pointer is a cycle.
        while seen.insert(ptr.clone()) {
            if s.at("nullable").and_then(Value::as_bool) == Some(true) {
                return true;
            }
            if s.at("type").and_then(Value::as_str) == Some("null") {
                return true;
            }
            if s.at("$ref").is_some() {
                if let Ok((t, p)) = self.deref(s, &ptr) {
                    (s, ptr) = (t, p);
                    continue;
                }
            }
            match s.at("allOf") {
                Some(Value::Array(all)) if all.len() == 1 && !has_object_keywords(s) => {
                    ptr = format!("{ptr}/allOf/0");
                    s = &all[0];
                }
                // Several parts: null is allowed when one part allows it and none says a type
                // that does not (a part of annotations, `nullable: false` alone or only
                // `properties` leaves null valid, as JSON Schema reads a 3.0 document).
                Some(Value::Array(all)) if all.len() > 1 => {
                    let mut allowed = false;
                    for (i, part) in all.iter().enumerate() {
                        let pp = format!("{ptr}/allOf/{i}");
                        if self.is_nullable_in(part, &pp, seen) {
                            allowed = true;
                        } else if self.deref(part, &pp).is_ok_and(|(t, _)| says_a_type(t)) {
                            return false;
                        }
                    }
                    return allowed;
                }
                // A union allows null when one of its branches does (box's `retention_length`:
                // `oneOf: [{type: string, nullable: true}, {type: number}]`), unless it says a
                // type of its own, which then rejects null (box's `AppItemAssociatedItem`:
                // `type: object` beside a `oneOf` whose `File--Base` is nullable).
                _ if s.at("type").is_some() => return false,
                _ => {
                    return ["oneOf", "anyOf"].iter().any(|k| {
                        s.at(k).and_then(Value::as_array).is_some_and(|b| {
                            b.iter().enumerate().any(|(i, part)| {
                                self.is_nullable_in(part, &format!("{ptr}/{k}/{i}"), seen)
                            })
                        })
                    })
                }
            }
        }
        false
    }

    /// The type of a schema; defines named types as needed.
    pub(crate) fn convert(&mut self, s: &Value, ptr: &str, name: Name) -> Result<TypeRef, Error> {
        let obj = match s {
            Value::Object(o) => o,
            Value::Bool(_) => return Ok(TypeRef::Any),
            other => {
                return Err(self.err(
                    ptr,
                    format!(
                        "a schema must be an object (or a boolean), not {}",
                        json_kind(other)
                    ),
                ))
            }
        };

        if obj.at("$ref").is_some() {
            let (target, tptr) = self.deref(s, ptr)?;
            if !(target.is_object() || target.is_boolean()) {
                return Err(self.err(
                    &join(ptr, "$ref"),
                    format!(
                        "`$ref` leads to `#{}`, which is {}, not a schema",
                        self.origins.original(&tptr),
                        json_kind(target)
                    ),
                ));
            }
            let ty = self.schema_at(target, &tptr, name.stem())?;
            return Ok(self.alias_if_fixed(name, ty, obj, ptr));
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if obj.at(key).is_some_and(|v| !v.is_array() && !v.is_null()) {
                return Err(self.err(
                    &join(ptr, key),
                    format!("`{key}` must be an array of schemas"),
                ));
            }
        }
        if let Some(flags) = obj.at("x-bitflagValues") {
            return self.flags(obj, flags, ptr, name);
        }
        if let Some(values) = obj.at("enum") {
            return self.enumeration(obj, values, ptr, name);
        }
        if let Some(Value::Array(parts)) = obj.at("allOf") {
            // One part that says what the value is, the others only annotations (`allOf:
            // [{$ref: Union}, {description}]`, how 3.0 documents a reference): that part's
            // type, as for a one-part `allOf`. Merging it as an object would turn a union
            // into a struct of every branch's properties.
            let mut typed = parts
                .iter()
                .enumerate()
                .filter(|(_, p)| !annotations_only(p));
            let only = match (typed.next(), typed.next()) {
                _ if parts.len() == 1 && !has_object_keywords(s) => Some(0),
                (Some((i, _)), None) if !has_own_object_keywords(s) => Some(i),
                _ => None,
            };
            if let Some(i) = only {
                let inner = self.convert(
                    &parts[i],
                    &format!("{ptr}/allOf/{i}"),
                    Name::Hint(name.stem().to_string()),
                )?;
                return Ok(self.alias_if_fixed(name, inner, obj, ptr));
            }
            return self.structure(s, obj, ptr, name);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = obj.at(key) {
                if has_object_keywords(s) {
                    self.warn(
                        ptr,
                        format!("`{key}` beside properties: generated the properties, and every branch's properties as optional fields (which branch applies is not checked; a property the branches type differently is `serde_json::Value`)"),
                    );
                    return self.structure(s, obj, ptr, name);
                }
                if branches.len() == 1 {
                    let inner = self.convert(
                        &branches[0],
                        &format!("{ptr}/{key}/0"),
                        Name::Hint(name.stem().to_string()),
                    )?;
                    return Ok(self.alias_if_fixed(name, inner, obj, ptr));
                }
                if branches.is_empty() {
                    self.warn(
                        ptr,
                        format!("`{key}` with no branches: generated as `serde_json::Value`"),
                    );
                    return Ok(self.alias_if_fixed(name, TypeRef::Any, obj, ptr));
                }
                return self.union(obj, key, ptr, name);
            }
        }
        // `items` says the value is an array even when `type` does not.
        let declared = obj
            .at("type")
            .and_then(Value::as_str)
            .or_else(|| (obj.contains_key("items") && !has_object_keywords(s)).then_some("array"));
        let ty = match declared {
            Some("string") => TypeRef::Prim(self.string_prim(obj)),
            Some("integer") => TypeRef::Prim(int_prim(obj)),
            Some("number") => TypeRef::Prim(
                if obj.at("format").and_then(Value::as_str) == Some("float") {
                    Prim::F32
                } else {
                    Prim::F64
                },
            ),
            Some("boolean") => TypeRef::Prim(Prim::Bool),
            Some("array") => {
                let item = match obj.at("items") {
                    Some(items) => {
                        let iptr = format!("{ptr}/items");
                        let t =
                            self.convert(items, &iptr, Name::Hint(format!("{}Item", name.stem())))?;
                        if self.is_nullable(items, &iptr) {
                            TypeRef::Option(Box::new(t))
                        } else {
                            t
                        }
                    }
                    None => {
                        if obj.contains_key("prefixItems") {
                            self.warn(ptr, "tuple (`prefixItems`) arrays are generated as arrays of `serde_json::Value`");
                        }
                        TypeRef::Any
                    }
                };
                TypeRef::Array(Box::new(item))
            }
            Some("object") | None if has_object_keywords(s) => {
                return self.structure(s, obj, ptr, name)
            }
            Some("object") => TypeRef::Map(Box::new(TypeRef::Any)),
            // No type keyword: any JSON value is valid (type-specific keywords such as
            // `format` or `minimum` only constrain values of their type). Only a construct
            // whose constraint is lost is worth a warning.
            Some("null") | None => {
                for k in ["not", "if", "prefixItems"] {
                    if obj.contains_key(k) {
                        self.warn(
                            ptr,
                            format!("`{k}` is not supported: generated as `serde_json::Value`"),
                        );
                        break;
                    }
                }
                TypeRef::Any
            }
            Some(other) => {
                self.warn(
                    ptr,
                    format!("unknown type `{other}`: generated as `serde_json::Value`"),
                );
                TypeRef::Any
            }
        };
        Ok(self.alias_if_fixed(name, ty, obj, ptr))
    }

    /// The type of a schema found at `ptr` (a `$ref` target), reusing earlier work.
    fn schema_at(&mut self, target: &Value, tptr: &str, hint: &str) -> Result<TypeRef, Error> {
        if let Some(key) = tptr.strip_prefix("/components/schemas/") {
            if !key.contains('/') {
                let key = key.replace("~1", "/").replace("~0", "~");
                return self.component(&key);
            }
        }
        if let Some(t) = self.by_pointer.get(tptr) {
            return Ok(t.clone());
        }
        // A ref into the middle of another schema: name it after where it lives.
        let stem = tptr
            .rsplit('/')
            .filter(|t| t.parse::<usize>().is_err())
            .take(2)
            .collect::<Vec<_>>();
        let hint = if stem.is_empty() {
            hint.to_string()
        } else {
            stem.iter().rev().map(|t| camel(t)).collect::<String>()
        };
        if !self.in_progress.insert(tptr.to_string()) {
            // Only component schemas get a name recursion can use.
            self.warn(
                tptr,
                "a schema that is not under `components/schemas` contains a `$ref` to itself: the inner reference is generated as `serde_json::Value`",
            );
            return Ok(TypeRef::Any);
        }
        let t = self.convert(target, tptr, Name::Hint(hint));
        self.in_progress.remove(tptr);
        let t = t?;
        self.by_pointer.insert(tptr.to_string(), t.clone());
        Ok(t)
    }

    /// The type of `#/components/schemas/{key}`.
    pub(crate) fn component(&mut self, key: &str) -> Result<TypeRef, Error> {
        let ptr = join("/components/schemas", key);
        if let Some(path) = self.config.type_overrides.get(key) {
            return Ok(TypeRef::External(path.clone()));
        }
        if let Some(t) = self.by_pointer.get(&ptr) {
            return Ok(t.clone());
        }
        let name = self
            .component_names
            .get(key)
            .cloned()
            .ok_or_else(|| self.err(&ptr, "unknown component schema"))?;
        if !self.in_progress.insert(ptr.clone()) {
            // Recursion: the named type is being defined right now.
            return Ok(TypeRef::Named(name));
        }
        // Schemas are built depth-first; the stage's stack (crate::BUILD_STACK) holds this many.
        if self.in_progress.len() > crate::MAX_SCHEMA_NESTING {
            return Err(self.err(
                &ptr,
                format!(
                    "more than {} schemas nest inside each other through `$ref`s",
                    crate::MAX_SCHEMA_NESTING
                ),
            ));
        }
        // Borrowed from the document, which outlives the builder: no copy of the schema.
        let schema = self.root_static().pointer(&ptr).unwrap_or(&NULL);
        // Types defined from here on are this schema's own: its name is claimed for it alone.
        let first_new = self.types.len();
        let t = self.convert(schema, &ptr, Name::Fixed(name.clone()))?;
        self.in_progress.remove(&ptr);
        if t == TypeRef::Named(name.clone()) && !self.defined.contains(&name) {
            // Only the placeholder for itself came back: `allOf`/`oneOf`/`anyOf` of one part
            // that lead back here, with no type anywhere on the way.
            return Err(self.err(
                &ptr,
                format!("schema `{key}` never reaches a type: its one-part `allOf`/`anyOf`/`oneOf` and `$ref`s lead back to itself"),
            ));
        }
        // A plain type containing itself (`type List = Vec<List>`) cannot be written in Rust:
        // the inner occurrence becomes `serde_json::Value`.
        // Only a type defined while converting this schema can have its name (the name was
        // claimed for it), so earlier types need not be looked at.
        let recursive_alias = self.types[first_new..]
            .iter_mut()
            .any(|def| match &mut def.kind {
                TypeKind::Alias(a) if def.name == name => replace_named(a, &name),
                _ => false,
            });
        if recursive_alias {
            self.warn(
                &ptr,
                format!("`{name}` contains itself with no struct or enum in between: the inner `{name}` is generated as `serde_json::Value`"),
            );
        }
        self.by_pointer.insert(ptr, t.clone());
        Ok(t)
    }

    /// Component schemas that are plain types still get a name (`pub type X = …`); references
    /// to them use the underlying type so fields read naturally.
    fn alias_if_fixed(
        &mut self,
        name: Name,
        ty: TypeRef,
        obj: &Map<String, Value>,
        ptr: &str,
    ) -> TypeRef {
        if let Name::Fixed(n) = name {
            if ty != TypeRef::Named(n.clone()) && !self.defined.contains(&n) {
                // A named `anyOf: [$ref, null]` (normalized to a nullable one-part `allOf`)
                // accepts null itself: its alias is an `Option`. References to it still use
                // the underlying type, with the field's own presence.
                let nullable = obj.at("nullable").and_then(Value::as_bool) == Some(true)
                    && !matches!(ty, TypeRef::Any | TypeRef::Option(_));
                let target = if nullable {
                    TypeRef::Option(Box::new(ty.clone()))
                } else {
                    ty.clone()
                };
                self.define(TypeDef {
                    name: n,
                    docs: described_obj(self.root_static(), obj),
                    deprecated: deprecated(obj),
                    kind: TypeKind::Alias(target),
                    pointer: self.origins.original(ptr),
                    reach: Reach::default(),
                });
            }
        }
        ty
    }

    fn claim(&mut self, name: Name) -> String {
        match name {
            Name::Fixed(n) => n,
            Name::Hint(h) => self.type_names.claim(type_name(&h)),
        }
    }

    fn string_prim(&self, obj: &Map<String, Value>) -> Prim {
        let format = obj.at("format").and_then(Value::as_str).unwrap_or("");
        match format {
            "date-time" => Prim::DateTime,
            "date" => Prim::Date,
            "byte" => Prim::Base64,
            "binary" => Prim::Binary,
            "snowflake" => Prim::Snowflake,
            _ if self.config.decimal_ids_as_snowflake
                && obj.at("pattern").and_then(Value::as_str) == Some(DECIMAL_ID) =>
            {
                Prim::Snowflake
            }
            _ => Prim::String,
        }
    }

    fn flags(
        &mut self,
        obj: &Map<String, Value>,
        flags: &Value,
        ptr: &str,
        name: Name,
    ) -> Result<TypeRef, Error> {
        let Some(list) = flags.as_array() else {
            self.warn(ptr, "`x-bitflagValues` is not an array: ignored");
            return Ok(TypeRef::Prim(Prim::String));
        };
        let name = self.claim(name);
        let mut scope = Scope::new();
        let mut out = Vec::new();
        for (i, f) in list.iter().enumerate() {
            let fname = f.at("name").and_then(Value::as_str).unwrap_or("");
            let value = match f.at("value") {
                Some(Value::String(s)) => s.parse::<u64>().ok(),
                Some(Value::Number(n)) => n.as_u64(),
                _ => None,
            };
            let Some(value) = value else {
                self.warn(
                    &format!("{ptr}/x-bitflagValues/{i}"),
                    "flag value is not an unsigned integer: skipped",
                );
                continue;
            };
            let rust = scope.claim(
                snake(fname)
                    .to_uppercase()
                    .trim_end_matches('_')
                    .to_string(),
            );
            let rust = if rust.starts_with(|c: char| c.is_ascii_digit()) || rust.is_empty() {
                format!("F{rust}")
            } else {
                rust
            };
            out.push(Flag {
                rust_name: rust,
                name: fname.to_string(),
                value,
                docs: docs_of(f),
            });
        }
        let as_string = obj.at("type").and_then(Value::as_str) == Some("string");
        self.define(TypeDef {
            name: name.clone(),
            docs: docs(obj),
            deprecated: deprecated(obj),
            kind: TypeKind::Flags(FlagsDef {
                as_string,
                flags: out,
            }),
            pointer: self.origins.original(ptr),
            reach: Reach::default(),
        });
        Ok(TypeRef::Named(name))
    }

    fn enumeration(
        &mut self,
        obj: &Map<String, Value>,
        values: &Value,
        ptr: &str,
        name: Name,
    ) -> Result<TypeRef, Error> {
        let Some(values) = values.as_array() else {
            return Err(self.err(&format!("{ptr}/enum"), "`enum` must be an array"));
        };
        let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        if !values.is_empty() && values.iter().all(|v| v.is_boolean()) {
            // An object property fixed to one value is a constant of its struct (checked when
            // read); anywhere else `enum: [true]` has no type of its own.
            if let [one] = values.as_slice() {
                self.warn(
                    ptr,
                    format!("a boolean fixed to `{one}` outside an object property: generated as `bool`, which does not reject the other value"),
                );
            }
            return Ok(self.alias_if_fixed(name, TypeRef::Prim(Prim::Bool), obj, ptr));
        }
        let repr = if values.iter().all(|v| v.is_string()) {
            EnumRepr::String
        } else if values.iter().all(|v| v.is_i64()) {
            EnumRepr::Integer
        } else if values.iter().all(|v| v.is_number()) {
            return Ok(self.alias_if_fixed(name, TypeRef::Prim(Prim::F64), obj, ptr));
        } else {
            self.warn(
                ptr,
                "enum mixes value types: generated as `serde_json::Value`",
            );
            return Ok(self.alias_if_fixed(name, TypeRef::Any, obj, ptr));
        };
        if values.is_empty() {
            // `enum: []` allows no value: a spec defect with no Rust type; any value is kept.
            if obj
                .at("enum")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
            {
                self.warn(
                    &format!("{ptr}/enum"),
                    "`enum: []` allows no value: generated as `serde_json::Value`",
                );
            }
            return Ok(self.alias_if_fixed(name, TypeRef::Any, obj, ptr));
        }
        let names = ["x-enumNames", "x-enum-varnames"]
            .iter()
            .find_map(|k| obj.at(k).and_then(Value::as_array))
            .filter(|n| n.len() == values.len());
        let descriptions = ["x-enumDescriptions", "x-enum-descriptions"]
            .iter()
            .find_map(|k| obj.at(k));
        let mut scope = Scope::new();
        scope.claim("Unknown".into());
        let mut variants = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let given = names.and_then(|n| n[i].as_str());
            let base = match (given, v) {
                (Some(g), _) => camel(g),
                (None, Value::String(s)) => camel(s),
                (None, Value::Number(n)) => {
                    let i = n.as_i64().unwrap_or(0);
                    if i < 0 {
                        format!("Minus{}", i.unsigned_abs())
                    } else {
                        format!("V{i}")
                    }
                }
                _ => format!("V{i}"),
            };
            let doc = match descriptions {
                Some(Value::Array(d)) => d.get(i).and_then(Value::as_str).map(str::to_string),
                Some(Value::Object(m)) => v
                    .as_str()
                    .and_then(|k| m.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                _ => None,
            };
            variants.push(EnumVariant {
                rust_name: scope.claim(base),
                value: (*v).clone(),
                docs: doc,
            });
        }
        let name = self.claim(name);
        self.define(TypeDef {
            name: name.clone(),
            docs: docs(obj),
            deprecated: deprecated(obj),
            kind: TypeKind::Enum(EnumDef { repr, variants }),
            pointer: self.origins.original(ptr),
            reach: Reach::default(),
        });
        Ok(TypeRef::Named(name))
    }

    /// `s` is the schema and `obj` its object (passed both, so that the object need not be copied).
    fn structure(
        &mut self,
        s: &Value,
        obj: &Map<String, Value>,
        ptr: &str,
        name: Name,
    ) -> Result<TypeRef, Error> {
        match self.building.get(ptr) {
            // Back at an object being built (through `allOf` parts): refer to it.
            Some(Some(building)) => return Ok(TypeRef::Named(building.clone())),
            Some(None) => {
                self.warn(
                    ptr,
                    "a map schema whose values lead back to itself: the inner values are generated as `serde_json::Value`",
                );
                return Ok(TypeRef::Any);
            }
            None => {}
        }
        self.building.insert(ptr.to_string(), None);
        let t = self.structure_inner(s, obj, ptr, name);
        self.building.remove(ptr);
        t
    }

    fn structure_inner(
        &mut self,
        s: &Value,
        obj: &Map<String, Value>,
        ptr: &str,
        name: Name,
    ) -> Result<TypeRef, Error> {
        let mut props: Vec<Prop> = Vec::new();
        let mut required = BTreeSet::new();
        let mut additional: Option<(&Value, String)> = None;
        let mut seen = BTreeSet::new();
        self.collect_object(
            s,
            ptr,
            &mut props,
            &mut required,
            &mut additional,
            &mut seen,
        )?;

        for at in self.union_parts(s, ptr, &mut BTreeSet::new()) {
            // The schema's own `oneOf` beside `properties` is warned about by `convert`.
            if at != format!("{ptr}/oneOf") && at != format!("{ptr}/anyOf") {
                self.warn(
                    &at,
                    "a union inside an object's `allOf`: every branch's properties are generated as optional fields (which branch applies is not checked; a property the branches type differently is `serde_json::Value`)",
                );
            }
        }
        // A required property that no part declares must be present with any value: a field
        // of `serde_json::Value` (dropping it would lose it on the way back), with a warning.
        if !props.is_empty() {
            for name in &required {
                if !props.iter().any(|p| &p.name == name) {
                    self.warn(
                        ptr,
                        format!("required property `{name}` is declared by no `properties`: generated as a `serde_json::Value` field"),
                    );
                    props.push(Prop {
                        name: name.clone(),
                        schema: &ANY_SCHEMA,
                        // The object (its `required` may be an `allOf` part's).
                        ptr: ptr.to_string(),
                        notes: None,
                        branch: false,
                    });
                }
            }
        }
        if props.is_empty() {
            if additional.is_none() {
                // `allOf` of schemas that are not objects (a string and its constraints).
                if let Some(t) = self.non_object_all_of(obj, ptr, &name)? {
                    return Ok(self.alias_if_fixed(name, t, obj, ptr));
                }
                // Parts that only annotate (`allOf: [{}, {description}, {example}]`): any
                // value, not an object.
                if !self.says_object(s, ptr, &mut BTreeSet::new()) {
                    return Ok(self.alias_if_fixed(name, TypeRef::Any, obj, ptr));
                }
            }
            // A pure map (or an empty object).
            let value = match &additional {
                Some((v, p)) => {
                    let t = self.convert(v, p, Name::Hint(format!("{}Value", name.stem())))?;
                    if self.is_nullable(v, p) {
                        TypeRef::Option(Box::new(t))
                    } else {
                        t
                    }
                }
                None => TypeRef::Any,
            };
            return Ok(self.alias_if_fixed(name, TypeRef::Map(Box::new(value)), obj, ptr));
        }

        let name = self.claim(name);
        self.building.insert(ptr.to_string(), Some(name.clone()));
        let key = join("#", &name);
        self.in_progress.insert(key.clone());
        let mut scope = Scope::new();
        let mut fields = Vec::new();
        let mut consts = Vec::new();
        for prop in props {
            let Prop {
                name: wire,
                schema,
                ptr: pptr,
                notes,
                branch,
            } = prop;
            // Annotations re-declared by a later `allOf` part win over the typed schema's.
            let note = |k: &str| notes.and_then(|n| n.at(k)).or_else(|| schema.at(k));
            let nullable = self.is_nullable(schema, &pptr)
                || notes
                    .and_then(|n| n.at("nullable"))
                    .and_then(Value::as_bool)
                    == Some(true);
            let read_only = note("readOnly").and_then(Value::as_bool) == Some(true);
            let is_required = required.contains(&wire) && !read_only;
            let read_required = required.contains(&wire) && read_only;
            let (field_docs, field_deprecated) = match self.deref(schema, &pptr) {
                _ if notes.is_some_and(|n| n.at("description").is_some()) => (
                    notes.and_then(docs_of),
                    deprecated_of(schema) || notes.is_some_and(deprecated_of),
                ),
                Ok((t, _)) if schema.at("description").is_none() => (
                    described(self.root_static(), schema),
                    deprecated_of(schema) || deprecated_of(t),
                ),
                _ => (described(self.root_static(), schema), deprecated_of(schema)),
            };
            // The field's name: the property's `x-rust-name` (an allOf part re-declaring the
            // property may set it), else the wire name's.
            let chosen = match notes {
                Some(n) if n.at(super::RUST_NAME).is_some() => {
                    self.rust_name_ext(n, &pptr, false)?
                }
                _ => self.rust_name_ext(schema, &pptr, false)?,
            };
            let field_name = match chosen {
                Some(c) => scope
                    .claim_chosen(c.clone(), &pptr)
                    .map_err(|h| self.chosen_taken(&pptr, &c, &h, "field"))?,
                None => {
                    let wanted = snake(&wire);
                    match scope.claim_at(wanted.clone(), &pptr) {
                        (_, Some(Holder::Chosen(other))) => {
                            return Err(self.collision(&other, &wanted, &pptr))
                        }
                        (given, Some(Holder::At(other))) => {
                            self.warn(
                                &pptr,
                                format!(
                                    "property `{wire}` is the field `{given}`: `{wanted}` is another property's (also #{})",
                                    self.origins.original(&other)
                                ),
                            );
                            given
                        }
                        (given, _) => given,
                    }
                }
            };
            // One allowed value: not user input. Written always (an optional one unless the
            // value was read without it, so a round trip keeps its absence), checked when read.
            if !nullable && !branch {
                if let Some([value]) = self.fixed_values(schema, &pptr).as_deref() {
                    consts.push(ConstProp {
                        rust_name: field_name,
                        // Written always, so a required `readOnly` constant is required
                        // when read too (box's `FileRequest.type`).
                        required: required.contains(&wire),
                        name: wire,
                        value: value.clone(),
                        docs: field_docs,
                    });
                    continue;
                }
            }
            let ty = self.convert(schema, &pptr, Name::Hint(format!("{name}{}", camel(&wire))))?;
            let presence = match (is_required, nullable) {
                (true, false) => Presence::Required,
                (true, true) => Presence::RequiredNullable,
                (false, false) => Presence::Optional,
                (false, true) => Presence::OptionalNullable,
            };
            fields.push(Field {
                rust_name: field_name,
                name: wire,
                ty,
                presence,
                docs: field_docs,
                deprecated: field_deprecated,
                read_only,
                read_required,
                default: note("default").cloned(),
                pointer: self.origins.original(&pptr),
            });
        }
        let additional = match additional {
            Some((v, p)) => {
                let t = self.convert(v, &p, Name::Hint(format!("{name}Value")))?;
                Some(if self.is_nullable(v, &p) {
                    TypeRef::Option(Box::new(t))
                } else {
                    t
                })
            }
            None => None,
        };
        self.in_progress.remove(&key);
        self.define(TypeDef {
            name: name.clone(),
            docs: described_obj(self.root_static(), obj),
            deprecated: deprecated(obj),
            kind: TypeKind::Struct(StructDef {
                fields,
                consts,
                additional,
            }),
            pointer: self.origins.original(ptr),
            reach: Reach::default(),
        });
        Ok(TypeRef::Named(name))
    }

    /// The type of an `allOf` none of whose parts is an object (`[{type: string},
    /// {maxLength: 5}]`): the first part that says what type the value has. `None` when no
    /// part does. A second typed part is not checked, with a warning.
    fn non_object_all_of(
        &mut self,
        obj: &Map<String, Value>,
        ptr: &str,
        name: &Name,
    ) -> Result<Option<TypeRef>, Error> {
        let Some(Value::Array(parts)) = obj.at("allOf") else {
            return Ok(None);
        };
        let typed: Vec<usize> = parts
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                let ptr = format!("{ptr}/allOf/{i}");
                self.deref(p, &ptr)
                    .is_ok_and(|(t, _)| TYPE_KEYWORDS.iter().any(|k| t.at(k).is_some()))
            })
            .map(|(i, _)| i)
            .collect();
        let Some(&first) = typed.first() else {
            return Ok(None);
        };
        if typed.len() > 1 {
            self.warn(
                ptr,
                format!(
                    "`allOf` of {} typed schemas that are not objects: generated from the first; the others are not checked",
                    typed.len()
                ),
            );
        }
        let t = self.convert(
            &parts[first],
            &format!("{ptr}/allOf/{first}"),
            Name::Hint(name.stem().to_string()),
        )?;
        Ok(Some(t))
    }

    /// Gathers properties from a schema and its `allOf` parts (refs followed), in order.
    /// The schemas are borrowed from the document, not copied.
    fn collect_object<'v>(
        &self,
        s: &'v Value,
        ptr: &str,
        props: &mut Vec<Prop<'v>>,
        required: &mut BTreeSet<String>,
        additional: &mut Option<(&'v Value, String)>,
        seen: &mut BTreeSet<String>,
    ) -> Result<(), Error>
    where
        Self: 'v,
    {
        let (s, ptr) = self.deref(s, ptr)?;
        if !seen.insert(ptr.clone()) {
            return Ok(());
        }
        if let Some(Value::Array(parts)) = s.at("allOf") {
            for (i, part) in parts.iter().enumerate() {
                self.collect_object(
                    part,
                    &format!("{ptr}/allOf/{i}"),
                    props,
                    required,
                    additional,
                    seen,
                )?;
            }
        }
        // A single-branch oneOf/anyOf inside allOf contributes its properties too.
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(b)) = s.at(key) {
                if b.len() == 1 {
                    self.collect_object(
                        &b[0],
                        &format!("{ptr}/{key}/0"),
                        props,
                        required,
                        additional,
                        seen,
                    )?;
                } else if b.len() > 1 {
                    // Several branches (an object that is also one of several shapes): every
                    // branch's properties, as optional fields, so that none is lost; the
                    // properties declared outside the union keep their schema. Which branch
                    // applies is not checked (the caller warns, see `union_parts`).
                    // A property the branches declare with different schemas (each event's
                    // own constant `type`) takes any value: one branch's schema would reject
                    // the others' values.
                    let mut found: Vec<Prop<'v>> = Vec::new();
                    for (i, branch) in b.iter().enumerate() {
                        let mut own = Vec::new();
                        let (mut req, mut add) = (BTreeSet::new(), None);
                        self.collect_object(
                            branch,
                            &format!("{ptr}/{key}/{i}"),
                            &mut own,
                            &mut req,
                            &mut add,
                            &mut seen.clone(),
                        )?;
                        // Required but declared nowhere in the branch (OpenAI's audio events'
                        // `response_id`): any value, as for a struct of its own.
                        for name in &req {
                            if !own.iter().any(|p| &p.name == name) {
                                own.push(Prop {
                                    name: name.clone(),
                                    schema: &ANY_SCHEMA,
                                    ptr: format!("{ptr}/{key}/{i}"),
                                    notes: None,
                                    branch: true,
                                });
                            }
                        }
                        for prop in own {
                            match found.iter_mut().find(|p| p.name == prop.name) {
                                // The same type, bounds aside (Discord's invite `max_age`:
                                // `1..=604800` or `0..=5184000`): one field of that type,
                                // nullable when a branch allows null.
                                Some(p) if same_type(p.schema, prop.schema) => {
                                    if !self.is_nullable(p.schema, &p.ptr)
                                        && self.is_nullable(prop.schema, &prop.ptr)
                                    {
                                        *p = Prop {
                                            branch: true,
                                            ..prop
                                        };
                                    }
                                }
                                // Any value; still null when a branch allows null, so a
                                // null sent is kept, not read as absent.
                                Some(p) => {
                                    let nullable = self.is_nullable(p.schema, &p.ptr)
                                        || self.is_nullable(prop.schema, &prop.ptr);
                                    p.schema = if nullable { &*ANY_OR_NULL } else { &ANY_SCHEMA };
                                    p.notes = None;
                                }
                                None => found.push(Prop {
                                    branch: true,
                                    ..prop
                                }),
                            }
                        }
                    }
                    for prop in found {
                        if !props.iter().any(|p| p.name == prop.name) {
                            props.push(prop);
                        }
                    }
                }
            }
        }
        // (`properties:` left empty in YAML is null: no properties.)
        if let Some(p) = s.at("properties").filter(|p| !p.is_null()) {
            let Some(p) = p.as_object() else {
                return Err(self.err(
                    &format!("{ptr}/properties"),
                    format!(
                        "`properties` must be an object of schemas by property name, not {}",
                        json_kind(p)
                    ),
                ));
            };
            let base = format!("{ptr}/properties");
            for (k, v) in p {
                let pp = join(&base, k);
                match props.iter_mut().find(|p| &p.name == k) {
                    // Only annotations (`description`, `default`, …): they refine the typed
                    // schema from the other part, which keeps its type.
                    Some(existing) if annotations_only(v) => existing.notes = Some(v),
                    // A later allOf part that says something about the type refines the
                    // property: the later schema wins.
                    Some(existing) => {
                        existing.schema = v;
                        existing.ptr = pp;
                        existing.notes = None;
                    }
                    None => props.push(Prop {
                        name: k.clone(),
                        schema: v,
                        ptr: pp,
                        notes: None,
                        branch: false,
                    }),
                }
            }
        }
        if let Some(Value::Array(r)) = s.at("required") {
            required.extend(r.iter().filter_map(Value::as_str).map(str::to_string));
        }
        if let Some(v @ (Value::Bool(true) | Value::Object(_))) = s.at("additionalProperties") {
            *additional = Some((v, format!("{ptr}/additionalProperties")));
        }
        if additional.is_none() {
            if let Some(Value::Object(pp)) = s.at("patternProperties") {
                if let Some((k, v)) = pp.iter().next() {
                    *additional = Some((v, join(&format!("{ptr}/patternProperties"), k)));
                }
            }
        }
        Ok(())
    }

    /// Whether a schema or one of its `allOf` parts (refs followed) says its value is an
    /// object: `type: object`, or object keywords.
    fn says_object(&self, s: &Value, ptr: &str, seen: &mut BTreeSet<String>) -> bool {
        let Ok((s, ptr)) = self.deref(s, ptr) else {
            return false;
        };
        if !seen.insert(ptr.clone()) {
            return false;
        }
        if s.at("type").and_then(Value::as_str) == Some("object")
            || ["properties", "additionalProperties", "patternProperties"]
                .iter()
                .any(|k| s.at(k).is_some())
        {
            return true;
        }
        s.at("allOf")
            .and_then(Value::as_array)
            .is_some_and(|parts| {
                parts
                    .iter()
                    .enumerate()
                    .any(|(i, p)| self.says_object(p, &format!("{ptr}/allOf/{i}"), seen))
            })
    }

    /// The pointers of the unions of several branches that [`Self::collect_object`] merges
    /// into an object: in the schema itself or its `allOf` parts (refs followed).
    fn union_parts(&self, s: &Value, ptr: &str, seen: &mut BTreeSet<String>) -> Vec<String> {
        let Ok((s, ptr)) = self.deref(s, ptr) else {
            return Vec::new();
        };
        if !seen.insert(ptr.clone()) {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(Value::Array(parts)) = s.at("allOf") {
            for (i, part) in parts.iter().enumerate() {
                out.extend(self.union_parts(part, &format!("{ptr}/allOf/{i}"), seen));
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(b)) = s.at(key) {
                if b.len() == 1 {
                    out.extend(self.union_parts(&b[0], &format!("{ptr}/{key}/0"), seen));
                } else if b.len() > 1 {
                    out.push(format!("{ptr}/{key}"));
                }
            }
        }
        out
    }

    /// The properties and `required` list of an object schema (`allOf` parts merged).
    fn object_shape<'v>(&self, s: &'v Value, ptr: &str) -> Option<(Vec<Prop<'v>>, BTreeSet<String>)>
    where
        Self: 'v,
    {
        let mut props = Vec::new();
        let mut req = BTreeSet::new();
        let mut add = None;
        let mut seen = BTreeSet::new();
        self.collect_object(s, ptr, &mut props, &mut req, &mut add, &mut seen)
            .ok()?;
        Some((props, req))
    }

    /// The values a schema allows when it lists them (`enum`/`const`, through `$ref`s and
    /// one-part `allOf`s): strings, integers or booleans, null left out. `None` for any
    /// other schema.
    fn fixed_values(&self, s: &Value, ptr: &str) -> Option<Vec<Value>> {
        let (mut s, mut ptr) = self.deref(s, ptr).ok()?;
        let mut seen = BTreeSet::new();
        while seen.insert(ptr.clone()) {
            if let Some(values) = s.at("enum") {
                let values: Vec<Value> = values
                    .as_array()?
                    .iter()
                    .filter(|v| !v.is_null())
                    .cloned()
                    .collect();
                let simple = values
                    .iter()
                    .all(|v| v.is_string() || v.is_i64() || v.is_boolean());
                return (simple && !values.is_empty()).then_some(values);
            }
            match s.at("allOf") {
                Some(Value::Array(all)) if all.len() == 1 && !has_object_keywords(s) => {
                    (s, ptr) = self.deref(&all[0], &format!("{ptr}/allOf/0")).ok()?;
                }
                _ => return None,
            }
        }
        None
    }

    fn union(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        ptr: &str,
        name: Name,
    ) -> Result<TypeRef, Error> {
        let branches: &[Value] = obj
            .get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let name = self.claim(name);
        let self_key = join("#", &name);
        self.in_progress.insert(self_key.clone());

        // Which property tells the variants apart, if any.
        let disc = obj.at("discriminator");
        let disc_prop = disc
            .and_then(|d| d.at("propertyName"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mapping: Vec<(String, String)> = disc
            .and_then(|d| d.at("mapping"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();

        let mut resolved = Vec::new();
        for (i, b) in branches.iter().enumerate() {
            let bptr = format!("{ptr}/{key}/{i}");
            let (t, tptr) = self.deref(b, &bptr)?;
            resolved.push((t, tptr));
        }
        let tag = disc_prop.or_else(|| self.infer_tag(&resolved));

        // Per branch: the values it lists for the tag (when it does), and whether it
        // requires the tag.
        let not_object: Vec<bool> = resolved
            .iter()
            .map(|(t, p)| self.not_object(t, p))
            .collect();
        let shapes: Vec<(Option<Vec<Value>>, bool)> = match &tag {
            Some(tag) => resolved
                .iter()
                .map(|(t, p)| self.branch_tag(t, p, tag, 0))
                .collect(),
            None => Vec::new(),
        };
        let mut scope = Scope::new();
        scope.claim("Unknown".into());
        let mut variants = Vec::new();
        for (i, b) in branches.iter().enumerate() {
            let bptr = format!("{ptr}/{key}/{i}");
            let (target, tptr) = &resolved[i];
            let component = tptr
                .strip_prefix("/components/schemas/")
                .filter(|k| !k.contains('/'));
            let mut tag_values = Vec::new();
            let mut tag_optional = false;
            if tag.is_some() && !not_object[i] {
                let (own, required) = &shapes[i];
                tag_optional = !required;
                // The values the branch itself lists select it, unless another branch lists
                // one of them too (a shared enum of every kind): then they tell nothing.
                let own = own.clone().filter(|own| {
                    shapes.iter().enumerate().all(|(j, (other, _))| {
                        j == i || other.iter().flatten().all(|v| !own.contains(v))
                    })
                });
                for (value, r) in &mapping {
                    let r_ptr = r
                        .strip_prefix('#')
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("/components/schemas/{r}"));
                    if &r_ptr == tptr {
                        // Mapping keys are strings; the branch's own values say whether the
                        // tag is really an integer or a boolean.
                        let typed = shapes[i]
                            .0
                            .iter()
                            .flatten()
                            .find(|v| tag_text(v) == *value)
                            .cloned()
                            .unwrap_or_else(|| Value::String(value.clone()));
                        tag_values.push(typed);
                    }
                }
                if tag_values.is_empty() {
                    if let Some(own) = own {
                        tag_values = own;
                    } else if let Some(c) = component {
                        tag_values.push(Value::String(c.to_string()));
                    }
                }
            }
            // A variant selected by one string is named after it; others after their schema.
            let single = match tag_values.as_slice() {
                [Value::String(v)] => Some(v.as_str()),
                _ => None,
            };
            let hint = match (single, component) {
                (_, Some(c)) => camel(c),
                (Some(v), None) => format!("{name}{}", camel(v)),
                (None, None) => target
                    .at("title")
                    .and_then(Value::as_str)
                    .map(|t| format!("{name}{}", camel(t)))
                    .or_else(|| {
                        tag_values
                            .first()
                            .filter(|v| v.is_string())
                            .map(|v| format!("{name}{}", camel(&tag_text(v))))
                    })
                    .unwrap_or_else(|| format!("{name}Variant{i}")),
            };
            let ty = self.convert(b, &bptr, Name::Hint(hint))?;
            let base = match (&ty, component, single) {
                (_, _, Some(v)) if tag.is_some() => camel(v),
                (_, Some(c), _) => camel(c),
                (TypeRef::Named(n), _, _) => n
                    .strip_prefix(name.as_str())
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| n.clone()),
                (t, _, _) => variant_name_for(t),
            };
            variants.push(UnionVariant {
                rust_name: scope.claim(base),
                ty,
                tag_values,
                tag_optional,
                not_object: not_object[i],
                docs: docs_of(target),
            });
        }
        // A tag only helps if every object variant has a value for it (the others are told
        // apart by the value's JSON shape).
        let tag = tag.filter(|_| {
            variants
                .iter()
                .all(|v| v.not_object || !v.tag_values.is_empty())
                && variants.iter().any(|v| !v.tag_values.is_empty())
        });
        if tag.is_none() {
            for v in &mut variants {
                v.tag_values.clear();
                v.tag_optional = false;
            }
        }
        self.in_progress.remove(&self_key);
        self.define(TypeDef {
            name: name.clone(),
            docs: docs(obj),
            deprecated: deprecated(obj),
            kind: TypeKind::Union(UnionDef { variants, tag }),
            pointer: self.origins.original(ptr),
            reach: Reach::default(),
        });
        Ok(TypeRef::Named(name))
    }

    /// A property every branch restricts to listed values (strings, integers or booleans;
    /// one or several per branch), no value shared by two branches: reading the property
    /// then tells which branch a value is. Properties every branch requires are preferred,
    /// then the first branch's order.
    /// Branches that are never objects (a string enum beside objects, as in OpenAI's
    /// `ToolChoiceParam`) take no part: they are told apart by the value's JSON shape.
    fn infer_tag(&self, branches: &[(&Value, String)]) -> Option<String> {
        let objects: Vec<_> = branches
            .iter()
            .filter(|(b, p)| !self.not_object(b, p))
            .collect();
        if objects.len() < 2 {
            return None;
        }
        let shapes: Vec<_> = objects
            .iter()
            .map(|(b, p)| self.object_shape(b, p))
            .collect::<Option<_>>()?;
        let (first_props, _) = &shapes[0];
        let mut candidates: Vec<&str> = first_props.iter().map(|p| p.name.as_str()).collect();
        // Stable: required-everywhere first, document order otherwise.
        candidates.sort_by_key(|c| !shapes.iter().all(|(_, req)| req.contains(*c)));
        candidates
            .into_iter()
            .find(|prop| {
                let mut claimed: Vec<Value> = Vec::new();
                objects.iter().all(|(b, p)| {
                    let Some(values) = self.branch_tag(b, p, prop, 0).0 else {
                        return false;
                    };
                    values.into_iter().all(|v| {
                        let fresh = !claimed.contains(&v);
                        claimed.push(v);
                        fresh
                    })
                })
            })
            .map(str::to_string)
    }

    /// The values a union branch lists for the property `tag` (when it does), and whether it
    /// requires it. A branch that is itself a union (Stripe's `payment_source`, an `anyOf` of
    /// four objects told apart by `object`) lists every value its own branches list, and
    /// requires the tag when they all do: read as one object, its merged properties would
    /// give only its last branch's value.
    fn branch_tag(
        &self,
        s: &Value,
        ptr: &str,
        tag: &str,
        depth: usize,
    ) -> (Option<Vec<Value>>, bool) {
        let Ok((s, ptr)) = self.deref(s, ptr) else {
            return (None, false);
        };
        let nested = ["oneOf", "anyOf"]
            .into_iter()
            .find_map(|k| Some((k, s.at(k)?.as_array()?)));
        if let Some((key, subs)) = nested.filter(|_| !has_object_keywords(s) && depth < 8) {
            let mut values: Vec<Value> = Vec::new();
            let mut required = true;
            for (i, sub) in subs.iter().enumerate() {
                let (own, req) = self.branch_tag(sub, &format!("{ptr}/{key}/{i}"), tag, depth + 1);
                let Some(own) = own else {
                    return (None, false);
                };
                for v in own {
                    if !values.contains(&v) {
                        values.push(v);
                    }
                }
                required &= req;
            }
            return (Some(values).filter(|v| !v.is_empty()), required);
        }
        let (props, req) = self.object_shape(s, &ptr).unwrap_or_default();
        let own = props
            .iter()
            .find(|p| p.name == tag)
            .and_then(|p| self.fixed_values(p.schema, &p.ptr));
        (own, req.contains(tag))
    }

    /// Whether a schema's values are never JSON objects: its `type` (one or a list) names no
    /// `object`, or it lists only values that are not objects. A schema that says neither
    /// (no `type`, a union, …) may be an object.
    fn not_object(&self, s: &Value, ptr: &str) -> bool {
        let Ok((s, _)) = self.deref(s, ptr) else {
            return false;
        };
        if has_object_keywords(s) {
            return false;
        }
        match s.at("type") {
            Some(Value::String(t)) => return t != "object",
            Some(Value::Array(ts)) => return ts.iter().all(|t| t.as_str() != Some("object")),
            _ => {}
        }
        match (s.at("enum"), s.at("const")) {
            (Some(Value::Array(vs)), _) => !vs.is_empty() && vs.iter().all(|v| !v.is_object()),
            (None, Some(c)) => !c.is_object(),
            _ => false,
        }
    }
}

/// A property gathered from an object schema and its `allOf` parts.
/// The schema of a property that is required but declared nowhere: any value.
static ANY_SCHEMA: Value = Value::Bool(true);
/// Any value, null included (merged union branches that type a property differently, one of
/// them nullable).
static ANY_OR_NULL: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| serde_json::json!({ "nullable": true }));

pub(crate) struct Prop<'v> {
    pub name: String,
    /// The schema that gives the property its type.
    pub schema: &'v Value,
    pub ptr: String,
    /// A later part's schema for the same property that holds only annotations
    /// (`description`, `default`, …): they win over `schema`'s.
    pub notes: Option<&'v Value>,
    /// Declared by one of several union branches merged into the object: one branch's
    /// constant is not the others', so it is a plain optional field, never a constant.
    pub branch: bool,
}

/// Keywords that constrain a value's type (so a schema without them accepts any JSON).
const TYPE_KEYWORDS: [&str; 9] = [
    "type",
    "enum",
    "$ref",
    "items",
    "properties",
    "additionalProperties",
    "allOf",
    "anyOf",
    "oneOf",
];

/// Whether a schema restricts the type of a value (so that, unless nullable, it rejects null).
fn says_a_type(s: &Value) -> bool {
    ["type", "enum", "const", "allOf", "anyOf", "oneOf", "$ref"]
        .iter()
        .any(|k| s.at(k).is_some())
}

/// Whether a schema holds only annotations: re-declaring a property with it changes its
/// documentation, not its type.
fn annotations_only(s: &Value) -> bool {
    s.as_object()
        .is_some_and(|o| o.keys().all(|k| is_annotation(k)))
}

/// Whether two schemas say the same, their own annotations aside (two branches' `delta: {type:
/// string, description: …}` with different descriptions are the same type).
fn same_but_annotations(a: &Value, b: &Value) -> bool {
    match (a.as_object(), b.as_object()) {
        (Some(a), Some(b)) => {
            let typed = |o: &'_ Map<String, Value>| -> Vec<(String, Value)> {
                o.iter()
                    .filter(|(k, _)| !is_annotation(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
            typed(a) == typed(b)
        }
        _ => a == b,
    }
}

/// Whether two property schemas give the same type: they say the same apart from annotations
/// and bounds (`minimum`, `maxLength`, …), which the generated types do not check, as long as
/// the bounds choose the same integer type.
fn same_type(a: &Value, b: &Value) -> bool {
    if same_but_annotations(a, b) {
        return true;
    }
    const BOUNDS: [&str; 12] = [
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    ];
    match (a.as_object(), b.as_object()) {
        (Some(x), Some(y)) => {
            let typed = |o: &'_ Map<String, Value>| -> Vec<(String, Value)> {
                o.iter()
                    .filter(|(k, _)| !is_annotation(k) && !BOUNDS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
            typed(x) == typed(y) && int_prim(x) == int_prim(y)
        }
        _ => false,
    }
}

/// Keywords that document a schema without constraining its values.
fn is_annotation(k: &str) -> bool {
    const ANNOTATIONS: [&str; 12] = [
        "description",
        "title",
        "default",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "nullable",
        "externalDocs",
        "$comment",
        "xml",
    ];
    ANNOTATIONS.contains(&k) || k.starts_with("x-")
}

/// A tag value as text (for names and mapping keys).
pub(crate) fn tag_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A type name for a schema: UpperCamelCase, and never one the generated code relies on.
pub(crate) fn type_name(s: &str) -> String {
    let n = crate::naming::camel_stem(s);
    if crate::naming::RESERVED_TYPE_NAMES.contains(&n.as_str()) {
        format!("{n}Model")
    } else {
        n
    }
}

/// Replaces `Named(name)` inside `t` by `Any`; says whether there was one.
fn replace_named(t: &mut TypeRef, name: &str) -> bool {
    match t {
        TypeRef::Named(n) if n == name => {
            *t = TypeRef::Any;
            true
        }
        TypeRef::Array(inner)
        | TypeRef::Map(inner)
        | TypeRef::Option(inner)
        | TypeRef::Boxed(inner) => replace_named(inner, name),
        _ => false,
    }
}

/// "an array", "a string", …: what a JSON value is, for messages.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn variant_name_for(t: &TypeRef) -> String {
    match t {
        TypeRef::Prim(p) => match p {
            Prim::String | Prim::Uri | Prim::Uuid => "String",
            Prim::Bool => "Bool",
            Prim::I32 | Prim::I64 | Prim::U32 | Prim::U64 => "Integer",
            Prim::F32 | Prim::F64 => "Number",
            Prim::DateTime => "DateTime",
            Prim::Date => "Date",
            Prim::Base64 | Prim::Binary => "Bytes",
            Prim::Snowflake => "Snowflake",
        }
        .to_string(),
        TypeRef::Named(n) | TypeRef::External(n) => camel(n.rsplit("::").next().unwrap_or(n)),
        TypeRef::Array(inner) => format!("{}List", variant_name_for(inner)),
        TypeRef::Map(_) => "Map".into(),
        TypeRef::Option(inner) | TypeRef::Boxed(inner) => variant_name_for(inner),
        TypeRef::Any => "Value".into(),
    }
}

fn int_prim(obj: &Map<String, Value>) -> Prim {
    let min = obj.at("minimum").and_then(Value::as_f64);
    let max = obj.at("maximum").and_then(Value::as_f64);
    let fits_i32 =
        min.iter().all(|&m| m >= i32::MIN as f64) && max.iter().all(|&m| m <= i32::MAX as f64);
    let exceeds_i64 = max.is_some_and(|m| m > i64::MAX as f64);
    let unsigned = min.is_some_and(|m| m >= 0.0);
    match obj.at("format").and_then(Value::as_str).unwrap_or("") {
        "int32" if fits_i32 => Prim::I32,
        "uint32" | "uint" if max.iter().all(|&m| m <= u32::MAX as f64) => Prim::U32,
        "uint64" | "uint" | "uint32" => Prim::U64,
        _ if exceeds_i64 && unsigned => Prim::U64,
        _ => Prim::I64,
    }
}

/// Keywords that make a schema an object with its own shape.
fn has_object_keywords(s: &Value) -> bool {
    has_own_object_keywords(s)
        || s.at("allOf")
            .and_then(Value::as_array)
            .is_some_and(|a| a.len() > 1)
}

/// Object keywords of the schema itself (not of its `allOf` parts).
fn has_own_object_keywords(s: &Value) -> bool {
    ["properties", "additionalProperties", "patternProperties"]
        .iter()
        .any(|k| s.at(k).is_some())
}

pub(crate) fn docs(obj: &Map<String, Value>) -> Option<String> {
    let d = obj
        .at("description")
        .or_else(|| obj.at("title"))
        .and_then(Value::as_str)?;
    let d = d.trim();
    (!d.is_empty()).then(|| d.to_string())
}

pub(crate) fn docs_of(v: &Value) -> Option<String> {
    v.as_object().and_then(docs)
}

/// The description a schema carries: its own, else that of the schema its `$ref` names, or of
/// the only part of an `allOf`/`anyOf`/`oneOf` that is not `null` (how 3.1 writes a nullable
/// reference), and so on down such a chain. Used where the alternative is no docs at all (a
/// property, a parameter, a named model): a schema shared by many places usually says what
/// it is once, on itself. `None` when nothing on the chain has one.
pub(crate) fn described(root: &Value, v: &Value) -> Option<String> {
    match v {
        Value::Object(obj) => described_obj(root, obj),
        _ => None,
    }
}

/// [`described`] of a schema object.
pub(crate) fn described_obj(root: &Value, obj: &Map<String, Value>) -> Option<String> {
    let mut cur = obj;
    // Bounded: a looping chain is reported elsewhere; here it only has no description.
    for _ in 0..64 {
        if let Some(d) = docs(cur) {
            return Some(d);
        }
        cur = next_described(root, cur)?.as_object()?;
    }
    None
}

/// The schema whose description stands for `obj`'s: its `$ref`'s target, or the only part of
/// its combinators that is not `null`.
fn next_described<'v>(root: &'v Value, obj: &'v Map<String, Value>) -> Option<&'v Value> {
    if let Some(r) = obj.at("$ref").and_then(Value::as_str) {
        return crate::load::resolve(root, r);
    }
    let mut only = None;
    for key in ["allOf", "anyOf", "oneOf"] {
        let Some(parts) = obj.at(key).and_then(Value::as_array) else {
            continue;
        };
        let mut typed = parts
            .iter()
            .filter(|p| p.at("type").and_then(Value::as_str) != Some("null"));
        match (typed.next(), typed.next(), only) {
            (Some(part), None, None) => only = Some(part),
            (None, _, _) => {}
            // Two parts (or two keywords) that say something: no single description.
            _ => return None,
        }
    }
    only
}

fn deprecated(obj: &Map<String, Value>) -> bool {
    obj.at("deprecated").and_then(Value::as_bool) == Some(true)
}

fn deprecated_of(v: &Value) -> bool {
    v.as_object().is_some_and(deprecated)
}
