//! Facts test for `spec/openapi.yaml`.
//!
//! Our OpenAPI document for the Fluxer OAuth2 operations is written by hand: every
//! description and summary is our own text, while every *fact* (paths, methods,
//! operationIds, parameters, request bodies, status codes, schemas, constraints,
//! enums, security) must match the upstream Fluxer API description in
//! `shared/specs/fluxer/openapi.json`.
//!
//! The comparison works on *resolved* shapes: `$ref`s are followed on both sides, so
//! our named `RateLimitError` schema and the shared `components/responses` and
//! `components/headers` compare equal to upstream's inline 429 bodies and headers.
//! Prose keys (`description`, `summary`, `title`, `example`, `examples`, the values of
//! `x-enumDescriptions`, descriptions inside `x-bitflagValues`, OAuth2 scope texts) and
//! our generator extension `x-auth-prefix` are ignored.
//!
//! When `shared/` is not present next to the workspace, the upstream comparisons print a
//! loud `SKIPPED` line on stderr and return early (under `CI=true` they fail instead; see
//! `codegen::testing::shared`); the self-consistency checks on our own file still run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Map, Value};

/// The tag whose operations our document covers.
const TAG: &str = "OAuth2";
/// How many operations upstream tags with [`TAG`] (and our file must contain).
const EXPECTED_OPERATIONS: usize = 19;
/// Schemas that exist only in our file because we gave a name to a schema that
/// upstream writes inline. Value: the response status whose inline body it replaces.
const EXTRACTED_SCHEMAS: &[(&str, &str)] = &[("RateLimitError", "429")];
/// Keys that hold prose, or metadata that is not part of the API contract.
const PROSE_KEYS: &[&str] = &[
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "x-auth-prefix",
    // Documentation-site metadata (upstream: `x-mint.metadata.title`, i.e. prose).
    "x-mint",
];
/// Keys whose values are literal data, compared verbatim.
const DATA_KEYS: &[&str] = &["enum", "const", "default", "x-enumNames"];
/// Keys whose values map *names* (not keywords) to schemas.
const SCHEMA_MAP_KEYS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Prose in our file at least this long (after normalisation) must not appear
/// anywhere in upstream's prose, not only at the same item.
const GLOBAL_PROSE_MIN_LEN: usize = 25;

// ---------------------------------------------------------------------------
// Loading

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ours() -> Value {
    let path = manifest_dir().join("../spec/openapi.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    codegen::load::parse(&text, &path.display().to_string())
        .unwrap_or_else(|e| panic!("{} is not valid YAML for a JSON value: {e}", path.display()))
}

/// Upstream document, or `None` (after printing a loud SKIPPED line) when `shared/`
/// is not there.
fn upstream(test: &str) -> Option<Value> {
    let path = codegen::testing::shared("specs/fluxer/openapi.json", test)?;
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Some(
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display())),
    )
}

// ---------------------------------------------------------------------------
// Operations

#[derive(Clone)]
struct Operation {
    path: String,
    method: String,
    /// The operation object with path-level parameters merged in.
    op: Value,
}

/// Operations carrying `tag`, keyed by operationId.
fn tagged_operations(doc: &Value, tag: &str) -> BTreeMap<String, Operation> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        let path_params = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let tagged = op
                .get("tags")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|x| x == tag));
            if !tagged {
                continue;
            }
            let mut op = op.clone();
            if !path_params.is_empty() {
                merge_path_parameters(doc, &mut op, &path_params);
            }
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"))
                .to_string();
            let prev = out.insert(
                id.clone(),
                Operation {
                    path: path.clone(),
                    method: method.to_string(),
                    op,
                },
            );
            assert!(prev.is_none(), "duplicate operationId {id}");
        }
    }
    out
}

/// Path-level parameters apply unless the operation overrides the same (name, in).
fn merge_path_parameters(doc: &Value, op: &mut Value, path_params: &[Value]) {
    let key = |p: &Value| {
        let p = resolve(doc, p);
        (
            p.get("name").cloned().unwrap_or(Value::Null),
            p.get("in").cloned().unwrap_or(Value::Null),
        )
    };
    let obj = op.as_object_mut().expect("operation is an object");
    let mut params = obj
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let own: Vec<_> = params.iter().map(key).collect();
    for p in path_params {
        if !own.contains(&key(p)) {
            params.push(p.clone());
        }
    }
    obj.insert("parameters".into(), Value::Array(params));
}

// ---------------------------------------------------------------------------
// $ref handling

fn lookup<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(doc);
    }
    doc.pointer(pointer)
}

/// Deep copy of `v` with every local `$ref` replaced by its (resolved) target.
/// Sibling keys next to a `$ref` are laid over the target. A reference cycle is
/// cut with a `{"$recursive-ref": ...}` marker, which compares by name.
fn resolve(doc: &Value, v: &Value) -> Value {
    fn go(doc: &Value, v: &Value, stack: &mut Vec<String>) -> Value {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    if stack.iter().any(|s| s == r) {
                        return serde_json::json!({ "$recursive-ref": r });
                    }
                    let target = lookup(doc, r)
                        .unwrap_or_else(|| panic!("unresolvable $ref {r}"))
                        .clone();
                    stack.push(r.to_string());
                    let mut resolved = go(doc, &target, stack);
                    stack.pop();
                    if let Value::Object(rm) = &mut resolved {
                        for (k, x) in m {
                            if k != "$ref" {
                                rm.insert(k.clone(), go(doc, x, stack));
                            }
                        }
                    }
                    return resolved;
                }
                Value::Object(
                    m.iter()
                        .map(|(k, x)| (k.clone(), go(doc, x, stack)))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| go(doc, x, stack)).collect()),
            _ => v.clone(),
        }
    }
    go(doc, v, &mut Vec::new())
}

/// Every `$ref` string in `v`, in document order.
fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    if let Some(s) = x.as_str() {
                        out.push(s.to_string());
                    }
                } else {
                    refs_in(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

/// Names of the component schemas reachable from `roots`, following `$ref`s through
/// every component kind (responses, headers, parameters, ...).
fn reachable_schemas(doc: &Value, roots: &[&Value]) -> BTreeSet<String> {
    let mut todo = Vec::new();
    for r in roots {
        refs_in(r, &mut todo);
    }
    let mut seen_refs = BTreeSet::new();
    let mut schemas = BTreeSet::new();
    while let Some(r) = todo.pop() {
        if !seen_refs.insert(r.clone()) {
            continue;
        }
        if let Some(name) = r.strip_prefix("#/components/schemas/") {
            schemas.insert(name.to_string());
        }
        if let Some(target) = lookup(doc, &r) {
            refs_in(target, &mut todo);
        }
    }
    schemas
}

// ---------------------------------------------------------------------------
// Facts: the document minus prose

fn facts(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                let k = k.as_str();
                if PROSE_KEYS.contains(&k) {
                    continue;
                }
                let nx = if DATA_KEYS.contains(&k) {
                    x.clone()
                } else if k == "required" {
                    // A schema's required list is a set; a parameter's/body's flag is a bool.
                    match x {
                        Value::Array(a) => {
                            let mut a = a.clone();
                            a.sort_by_key(|e| e.to_string());
                            Value::Array(a)
                        }
                        _ => x.clone(),
                    }
                } else if k == "x-enumDescriptions" {
                    // The key and the number of entries are facts; the texts are ours.
                    match x {
                        Value::Array(a) => serde_json::json!({ "entries": a.len() }),
                        Value::Object(o) => {
                            Value::Array(o.keys().cloned().map(Value::String).collect())
                        }
                        _ => Value::Null,
                    }
                } else if k == "x-bitflagValues" {
                    match x {
                        Value::Array(a) => Value::Array(
                            a.iter()
                                .map(|e| match e {
                                    Value::Object(o) => Value::Object(
                                        o.iter()
                                            .filter(|(ek, _)| ek.as_str() != "description")
                                            .map(|(ek, ev)| (ek.clone(), ev.clone()))
                                            .collect(),
                                    ),
                                    other => other.clone(),
                                })
                                .collect(),
                        ),
                        other => facts(other),
                    }
                } else if SCHEMA_MAP_KEYS.contains(&k) {
                    match x {
                        Value::Object(pm) => Value::Object(
                            pm.iter().map(|(pk, pv)| (pk.clone(), facts(pv))).collect(),
                        ),
                        other => facts(other),
                    }
                } else {
                    facts(x)
                };
                out.insert(k.to_string(), nx);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(facts).collect()),
        _ => v.clone(),
    }
}

/// Facts of a resolved operation, with OpenAPI defaults made explicit so that an
/// omitted `required: false` equals a written one.
fn operation_facts(doc: &Value, op: &Value) -> Value {
    let mut f = facts(&resolve(doc, op));
    let o = f.as_object_mut().expect("operation is an object");
    o.entry("deprecated").or_insert(Value::Bool(false));
    if let Some(Value::Array(params)) = o.get_mut("parameters") {
        for p in params.iter_mut() {
            if let Value::Object(pm) = p {
                pm.entry("required").or_insert(Value::Bool(false));
                pm.entry("deprecated").or_insert(Value::Bool(false));
            }
        }
        // Compare parameters by (in, name), not by position.
        params.sort_by_key(|p| {
            (
                p.get("in").map(|x| x.to_string()).unwrap_or_default(),
                p.get("name").map(|x| x.to_string()).unwrap_or_default(),
            )
        });
    }
    if let Some(Value::Object(rb)) = o.get_mut("requestBody") {
        rb.entry("required").or_insert(Value::Bool(false));
    }
    f
}

// ---------------------------------------------------------------------------
// Diffing with JSON paths

fn escape(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 140 {
        format!("{}…", s.chars().take(140).collect::<String>())
    } else {
        s
    }
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    let int = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    // An integer and a float are different facts (`2147483647` vs `2147483647.0`).
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

/// Appends one line per difference between `ours` and `up`, each naming its JSON path.
fn diff(ours: &Value, up: &Value, path: &str, out: &mut Vec<String>) {
    match (ours, up) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let p = format!("{path}/{}", escape(k));
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => diff(x, y, &p, out),
                    (Some(x), None) => {
                        out.push(format!("{p}: only in ours: {}", short(x)));
                    }
                    (None, Some(y)) => {
                        out.push(format!("{p}: missing in ours; upstream has {}", short(y)));
                    }
                    (None, None) => unreachable!(),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "{path}: ours has {} items, upstream {} (ours {}, upstream {})",
                    a.len(),
                    b.len(),
                    short(ours),
                    short(up)
                ));
            }
            for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                diff(x, y, &format!("{path}/{i}"), out);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            if !numbers_equal(a, b) {
                out.push(format!("{path}: ours {a} != upstream {b}"));
            }
        }
        _ => {
            if ours != up {
                out.push(format!(
                    "{path}: ours {} != upstream {}",
                    short(ours),
                    short(up)
                ));
            }
        }
    }
}

fn fail_if_any(what: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!(
            "{what}: {} problem(s)\n  - {}\n",
            problems.len(),
            problems.join("\n  - ")
        );
    }
}

// ---------------------------------------------------------------------------
// Tests that need only our file

#[test]
fn ours_has_exactly_the_oauth2_operations() {
    let doc = ours();
    let mut problems = Vec::new();
    let mut count = 0;
    for (path, item) in doc["paths"].as_object().expect("paths is a map") {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            count += 1;
            let id = op["operationId"].as_str().unwrap_or("<no operationId>");
            if op.get("tags") != Some(&serde_json::json!([TAG])) {
                problems.push(format!(
                    "{id} ({} {path}): tags are {}, expected [\"{TAG}\"]",
                    method.to_uppercase(),
                    short(op.get("tags").unwrap_or(&Value::Null))
                ));
            }
        }
    }
    if count != EXPECTED_OPERATIONS {
        problems.push(format!(
            "expected exactly {EXPECTED_OPERATIONS} operations, found {count}"
        ));
    }
    let tags: Vec<&Value> = doc["tags"]
        .as_array()
        .map(|t| t.iter().map(|x| &x["name"]).collect())
        .unwrap_or_default();
    if tags != [&Value::String(TAG.into())] {
        problems.push(format!("top-level tags should be just {TAG}, got {tags:?}"));
    }
    fail_if_any("spec/openapi.yaml operations", &problems);
}

#[test]
fn ours_refs_all_resolve_and_components_are_used() {
    let doc = ours();
    let mut all = Vec::new();
    refs_in(&doc, &mut all);
    let mut problems: Vec<String> = all
        .iter()
        .filter(|r| lookup(&doc, r).is_none())
        .map(|r| format!("$ref {r} does not resolve"))
        .collect();
    // Every component must be reachable from some operation.
    let ops = tagged_operations(&doc, TAG);
    let roots: Vec<&Value> = ops.values().map(|o| &o.op).collect();
    let mut reached = BTreeSet::new();
    let mut todo = Vec::new();
    for r in &roots {
        refs_in(r, &mut todo);
    }
    while let Some(r) = todo.pop() {
        if reached.insert(r.clone()) {
            if let Some(t) = lookup(&doc, &r) {
                refs_in(t, &mut todo);
            }
        }
    }
    for kind in [
        "schemas",
        "responses",
        "headers",
        "parameters",
        "requestBodies",
    ] {
        if let Some(m) = doc["components"].get(kind).and_then(Value::as_object) {
            for name in m.keys() {
                let r = format!("#/components/{kind}/{}", escape(name));
                if !reached.contains(&r) {
                    problems.push(format!("{r} is not used by any operation"));
                }
            }
        }
    }
    // Every security requirement must name a declared scheme.
    for (id, o) in &ops {
        for req in o.op["security"].as_array().into_iter().flatten() {
            for scheme in req.as_object().into_iter().flat_map(|m| m.keys()) {
                if doc["components"]["securitySchemes"].get(scheme).is_none() {
                    problems.push(format!("{id}: security scheme {scheme} is not declared"));
                }
            }
        }
    }
    fail_if_any("spec/openapi.yaml references", &problems);
}

// ---------------------------------------------------------------------------
// Tests against upstream

#[test]
fn document_facts_match_upstream() {
    let Some(up) = upstream("document_facts_match_upstream") else {
        return;
    };
    let doc = ours();
    let mut problems = Vec::new();
    for pointer in ["/openapi", "/info/title", "/info/version", "/security"] {
        let (a, b) = (doc.pointer(pointer), up.pointer(pointer));
        if a != b {
            problems.push(format!(
                "{pointer}: ours {} != upstream {}",
                a.map(short).unwrap_or("<absent>".into()),
                b.map(short).unwrap_or("<absent>".into())
            ));
        }
    }
    let urls = |d: &Value| -> Vec<Value> {
        d["servers"]
            .as_array()
            .map(|s| s.iter().map(|x| x["url"].clone()).collect())
            .unwrap_or_default()
    };
    if urls(&doc) != urls(&up) {
        problems.push(format!(
            "/servers urls: ours {:?} != upstream {:?}",
            urls(&doc),
            urls(&up)
        ));
    }
    let upstream_has_tag = up["tags"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x["name"] == TAG));
    if !upstream_has_tag {
        problems.push(format!("upstream has no top-level tag {TAG}"));
    }
    fail_if_any("document facts", &problems);
}

#[test]
fn operation_facts_match_upstream() {
    let Some(up) = upstream("operation_facts_match_upstream") else {
        return;
    };
    let doc = ours();
    let ours_ops = tagged_operations(&doc, TAG);
    let up_ops = tagged_operations(&up, TAG);
    let mut problems = Vec::new();
    if up_ops.len() != EXPECTED_OPERATIONS {
        problems.push(format!(
            "upstream now has {} {TAG} operations, this test expects {EXPECTED_OPERATIONS}",
            up_ops.len()
        ));
    }
    for id in ours_ops.keys() {
        if !up_ops.contains_key(id) {
            problems.push(format!("{id}: not an upstream {TAG} operation"));
        }
    }
    for (id, u) in &up_ops {
        let Some(o) = ours_ops.get(id) else {
            problems.push(format!(
                "{id}: missing in ours (upstream {} {})",
                u.method.to_uppercase(),
                u.path
            ));
            continue;
        };
        if (o.method.as_str(), o.path.as_str()) != (u.method.as_str(), u.path.as_str()) {
            problems.push(format!(
                "{id}: ours is {} {}, upstream {} {}",
                o.method.to_uppercase(),
                o.path,
                u.method.to_uppercase(),
                u.path
            ));
        }
        // Spelled-out checks first, for readable messages on the usual suspects.
        let statuses = |op: &Value| -> Vec<String> {
            op["responses"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        if statuses(&o.op) != statuses(&u.op) {
            problems.push(format!(
                "{id}: response statuses ours {:?} != upstream {:?}",
                statuses(&o.op),
                statuses(&u.op)
            ));
        }
        if o.op.get("security") != u.op.get("security") {
            problems.push(format!(
                "{id}: security ours {} != upstream {}",
                o.op.get("security").map(short).unwrap_or("<absent>".into()),
                u.op.get("security").map(short).unwrap_or("<absent>".into())
            ));
        }
        // Then everything: parameters, request body, responses (content, schemas,
        // headers), tags, deprecated, security, compared after resolving $refs.
        let mut d = Vec::new();
        diff(
            &operation_facts(&doc, &o.op),
            &operation_facts(&up, &u.op),
            "",
            &mut d,
        );
        problems.extend(
            d.into_iter()
                .filter(|line| !is_deliberate_id_parameter(line, &o.op))
                .map(|line| format!("{id} ({} {}): {line}", u.method.to_uppercase(), u.path)),
        );
    }
    fail_if_any("operation facts differ from upstream", &problems);
}

/// Our one deliberate difference in operations (issue 16, item 3): a path parameter that holds
/// an ID is declared as one (`SnowflakeType`: `format: snowflake` and its decimal pattern), so
/// the SDK takes `impl Into<Snowflake>`, where upstream writes a plain string. Only those two
/// facts of a path parameter whose schema is our `SnowflakeType` are let through.
fn is_deliberate_id_parameter(line: &str, ours: &Value) -> bool {
    let Some(rest) = line.strip_prefix("/parameters/") else {
        return false;
    };
    let Some((index, fact)) = rest.split_once('/') else {
        return false;
    };
    let declared_id = index.parse::<usize>().ok().is_some_and(|i| {
        let p = &ours["parameters"][i];
        p["in"] == "path" && p["schema"]["$ref"] == "#/components/schemas/SnowflakeType"
    });
    declared_id
        && (fact == "schema/format: only in ours: \"snowflake\""
            || fact == "schema/pattern: only in ours: \"^(0|[1-9][0-9]*)$\"")
}

#[test]
fn schema_facts_match_upstream() {
    let Some(up) = upstream("schema_facts_match_upstream") else {
        return;
    };
    let doc = ours();
    let ours_ops = tagged_operations(&doc, TAG);
    let up_ops = tagged_operations(&up, TAG);
    let ours_reach = reachable_schemas(&doc, &ours_ops.values().map(|o| &o.op).collect::<Vec<_>>());
    let up_reach = reachable_schemas(&up, &up_ops.values().map(|o| &o.op).collect::<Vec<_>>());
    let mut problems = Vec::new();

    for name in up_reach.difference(&ours_reach) {
        problems.push(format!(
            "#/components/schemas/{name}: upstream's {TAG} operations reach it, ours do not"
        ));
    }
    let extracted: BTreeMap<&str, &str> = EXTRACTED_SCHEMAS.iter().copied().collect();
    for name in &ours_reach {
        let ours_schema = &doc["components"]["schemas"][name];
        let loc = format!("#/components/schemas/{name}");
        if let Some(status) = extracted.get(name.as_str()) {
            // Our name for a schema upstream writes inline: compare with every inline
            // copy upstream has for that status.
            let mine = facts(&resolve(&doc, ours_schema));
            for (id, u) in &up_ops {
                let Some(inline) =
                    u.op["responses"][*status]["content"]["application/json"].get("schema")
                else {
                    continue;
                };
                let mut d = Vec::new();
                diff(&mine, &facts(&resolve(&up, inline)), &loc, &mut d);
                problems
                    .extend(d.into_iter().map(|l| {
                        format!("{l} (vs upstream {id} response {status} inline schema)")
                    }));
            }
            continue;
        }
        let Some(up_schema) = up["components"]["schemas"].get(name) else {
            problems.push(format!("{loc}: no upstream schema of that name"));
            continue;
        };
        // Unresolved comparison: same structure and the same $ref names.
        diff(&facts(ours_schema), &facts(up_schema), &loc, &mut problems);
    }
    fail_if_any("schema facts differ from upstream", &problems);
}

/// Prefix shown in upstream's description as `` `Authorization: <prefix><token>` ``.
fn auth_prefix_from_description(desc: &str) -> Option<String> {
    let start = desc.find("`Authorization: ")? + "`Authorization: ".len();
    let rest = &desc[start..];
    let end = rest.find("<token>`")?;
    Some(rest[..end].to_string())
}

#[test]
fn security_schemes_match_upstream() {
    let Some(up) = upstream("security_schemes_match_upstream") else {
        return;
    };
    let doc = ours();
    let mut used = BTreeSet::new();
    for o in tagged_operations(&up, TAG).values() {
        for req in o.op["security"].as_array().into_iter().flatten() {
            used.extend(req.as_object().into_iter().flat_map(|m| m.keys().cloned()));
        }
    }
    let scheme_facts = |s: &Value| -> Value {
        let mut f = facts(s);
        if let Some(Value::Object(flows)) = f.get_mut("flows") {
            for flow in flows.values_mut() {
                if let Some(scopes) = flow.get_mut("scopes") {
                    // Scope names are facts, their texts are prose.
                    let names: Vec<Value> = scopes
                        .as_object()
                        .map(|m| m.keys().cloned().map(Value::String).collect())
                        .unwrap_or_default();
                    *scopes = Value::Array(names);
                }
            }
        }
        f
    };
    let mut problems = Vec::new();
    let ours_schemes = doc["components"]["securitySchemes"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for name in &used {
        if !ours_schemes.contains_key(name) {
            problems.push(format!(
                "#/components/securitySchemes/{name}: used upstream by a {TAG} operation, missing in ours"
            ));
        }
    }
    for (name, scheme) in &ours_schemes {
        let loc = format!("#/components/securitySchemes/{name}");
        let Some(up_scheme) = up["components"]["securitySchemes"].get(name) else {
            problems.push(format!("{loc}: no upstream scheme of that name"));
            continue;
        };
        diff(
            &scheme_facts(scheme),
            &scheme_facts(up_scheme),
            &loc,
            &mut problems,
        );
        if scheme["type"] == "apiKey" {
            let expected = up_scheme["description"]
                .as_str()
                .and_then(auth_prefix_from_description);
            match (scheme.get("x-auth-prefix").and_then(Value::as_str), expected) {
                (None, _) => problems.push(format!("{loc}: apiKey scheme lacks x-auth-prefix")),
                (Some(got), Some(want)) if got != want => problems.push(format!(
                    "{loc}/x-auth-prefix: {got:?}, but upstream documents the header as `Authorization: {want}<token>`"
                )),
                _ => {}
            }
            let literal = scheme
                .get("x-auth-prefix")
                .and_then(Value::as_str)
                .map(|p| format!("`Authorization: {p}<token>`"));
            let mentions = literal.as_ref().is_some_and(|l| {
                scheme["description"]
                    .as_str()
                    .is_some_and(|d| d.contains(l.as_str()))
            });
            if !mentions {
                problems.push(format!(
                    "{loc}/description: should show the literal header form {}",
                    literal.unwrap_or_default()
                ));
            }
        }
    }
    fail_if_any("security schemes differ from upstream", &problems);
}

// ---------------------------------------------------------------------------
// Prose must be our own

fn normalise_prose(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(['.', '!', ' '])
        .to_lowercase()
}

/// Walks two parallel structures and records every place where a prose string of ours
/// equals upstream's for the same item.
fn same_item_prose(ours: &Value, up: &Value, loc: &str, out: &mut BTreeSet<String>) {
    match (ours, up) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, x) in a {
                let Some(y) = b.get(k) else { continue };
                let p = format!("{loc}/{}", escape(k));
                match (k.as_str(), x, y) {
                    ("description" | "summary" | "title", Value::String(s), Value::String(t)) => {
                        if normalise_prose(s) == normalise_prose(t) {
                            out.insert(format!("{p}: {s:?}"));
                        }
                    }
                    ("x-enumDescriptions", Value::Array(xs), Value::Array(ys)) => {
                        for (i, (s, t)) in xs.iter().zip(ys).enumerate() {
                            if let (Some(s), Some(t)) = (s.as_str(), t.as_str()) {
                                if normalise_prose(s) == normalise_prose(t) {
                                    out.insert(format!("{p}/{i}: {s:?}"));
                                }
                            }
                        }
                    }
                    ("x-bitflagValues", Value::Array(xs), Value::Array(ys)) => {
                        for s in xs {
                            let Some(t) = ys.iter().find(|t| t["name"] == s["name"]) else {
                                continue;
                            };
                            same_item_prose(s, t, &format!("{p}[name={}]", s["name"]), out);
                        }
                    }
                    ("scopes", Value::Object(xs), Value::Object(ys)) if loc.contains("/flows/") => {
                        for (scope, s) in xs {
                            if let (Some(s), Some(t)) =
                                (s.as_str(), ys.get(scope).and_then(Value::as_str))
                            {
                                if normalise_prose(s) == normalise_prose(t) {
                                    out.insert(format!("{p}/{scope}: {s:?}"));
                                }
                            }
                        }
                        same_item_prose(x, y, &p, out);
                    }
                    ("parameters", Value::Array(xs), Value::Array(ys)) => {
                        for s in xs {
                            let t = ys
                                .iter()
                                .find(|t| t["name"] == s["name"] && t["in"] == s["in"]);
                            if let Some(t) = t {
                                same_item_prose(s, t, &format!("{p}[{}]", s["name"]), out);
                            }
                        }
                    }
                    _ => same_item_prose(x, y, &p, out),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same_item_prose(x, y, &format!("{loc}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Every prose string in `v` with its location.
fn all_prose(v: &Value, loc: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{loc}/{}", escape(k));
                match (k.as_str(), x) {
                    ("description" | "summary" | "title", Value::String(s)) => {
                        out.push((p, s.clone()));
                    }
                    ("x-enumDescriptions", Value::Array(a)) => {
                        for (i, s) in a.iter().enumerate() {
                            if let Some(s) = s.as_str() {
                                out.push((format!("{p}/{i}"), s.to_string()));
                            }
                        }
                    }
                    ("scopes", Value::Object(sm)) if loc.contains("/flows/") => {
                        for (scope, s) in sm {
                            if let Some(s) = s.as_str() {
                                out.push((format!("{p}/{scope}"), s.to_string()));
                            }
                        }
                    }
                    _ => all_prose(x, &p, out),
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                all_prose(x, &format!("{loc}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn prose_is_our_own() {
    let Some(up) = upstream("prose_is_our_own") else {
        return;
    };
    let doc = ours();
    let mut offenders = BTreeSet::new();

    // Same item, item by item.
    for pointer in ["/info", "/servers/0"] {
        if let (Some(a), Some(b)) = (doc.pointer(pointer), up.pointer(pointer)) {
            let (a, b) = (a["description"].as_str(), b["description"].as_str());
            if let (Some(a), Some(b)) = (a, b) {
                if normalise_prose(a) == normalise_prose(b) {
                    offenders.insert(format!("{pointer}/description: {a:?}"));
                }
            }
        }
    }
    for tag in doc["tags"].as_array().into_iter().flatten() {
        if let Some(t) = up["tags"]
            .as_array()
            .and_then(|ts| ts.iter().find(|t| t["name"] == tag["name"]))
        {
            same_item_prose(tag, t, &format!("/tags[{}]", tag["name"]), &mut offenders);
        }
    }
    let ours_ops = tagged_operations(&doc, TAG);
    let up_ops = tagged_operations(&up, TAG);
    for (id, o) in &ours_ops {
        if let Some(u) = up_ops.get(id) {
            // Resolved, so that shared responses/headers pair with upstream's inline ones.
            same_item_prose(
                &resolve(&doc, &o.op),
                &resolve(&up, &u.op),
                &format!("operation {id}"),
                &mut offenders,
            );
        }
    }
    let extracted: BTreeMap<&str, &str> = EXTRACTED_SCHEMAS.iter().copied().collect();
    for (name, s) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let loc = format!("#/components/schemas/{name}");
        if let Some(t) = up["components"]["schemas"].get(name) {
            same_item_prose(s, t, &loc, &mut offenders);
        } else if let Some(status) = extracted.get(name.as_str()) {
            for u in up_ops.values() {
                if let Some(t) =
                    u.op["responses"][*status]["content"]["application/json"].get("schema")
                {
                    same_item_prose(s, t, &loc, &mut offenders);
                }
            }
        }
    }
    for (name, s) in doc["components"]["securitySchemes"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if let Some(t) = up["components"]["securitySchemes"].get(name) {
            same_item_prose(
                s,
                t,
                &format!("#/components/securitySchemes/{name}"),
                &mut offenders,
            );
        }
    }

    // Anywhere: a longer sentence of ours must not appear anywhere in upstream's prose.
    let mut up_prose = Vec::new();
    all_prose(&up, "", &mut up_prose);
    let up_set: BTreeSet<String> = up_prose.iter().map(|(_, s)| normalise_prose(s)).collect();
    let mut our_prose = Vec::new();
    all_prose(&doc, "", &mut our_prose);
    for (loc, s) in &our_prose {
        let n = normalise_prose(s);
        if n.chars().count() >= GLOBAL_PROSE_MIN_LEN && up_set.contains(&n) {
            offenders.insert(format!("{loc}: {s:?} (appears in upstream)"));
        }
    }
    if !offenders.is_empty() {
        panic!(
            "{} description(s) copied from upstream; write them in our own words:\n  - {}\n",
            offenders.len(),
            offenders.into_iter().collect::<Vec<_>>().join("\n  - ")
        );
    }
}
