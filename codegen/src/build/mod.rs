//! Stage 3: the normalized document -> [`crate::ir::Api`].

mod operation;
mod rate_limit;
mod schema;
mod streams;
pub(crate) use schema::json_kind;

use crate::config::Config;
use crate::diag::{join, Error, Warning};
use crate::ir::*;
use crate::naming::{camel, NameMap, NameSet, Scope};
use crate::normalize::Origins;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) use schema::Name;

/// Keyword lookup in a schema or another small object of the document. serde_json's maps hash
/// every looked-up key with SipHash; objects of a few entries are faster to scan, and the IR
/// looks up a dozen keywords per schema.
pub(crate) trait Lookup {
    fn at(&self, key: &str) -> Option<&Value>;
}

impl Lookup for serde_json::Map<String, Value> {
    #[inline]
    fn at(&self, key: &str) -> Option<&Value> {
        if self.len() <= 8 {
            self.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
        } else {
            self.get(key)
        }
    }
}

impl Lookup for Value {
    #[inline]
    fn at(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(o) => o.at(key),
            _ => None,
        }
    }
}

/// Builds the IR of a normalized document.
pub fn build(file: &str, root: &Value, origins: &Origins, config: &Config) -> Result<Api, Error> {
    let mut b = Builder {
        file,
        root,
        origins,
        config,
        type_names: Scope::new(),
        component_names: BTreeMap::new(),
        by_pointer: NameMap::default(),
        in_progress: NameSet::default(),
        building: NameMap::default(),
        defined: NameSet::default(),
        types: Vec::new(),
        warnings: Vec::new(),
        deref_memo: Default::default(),
        error_schemas: NameMap::default(),
    };
    b.api()
}

pub(crate) struct Builder<'a> {
    pub(crate) file: &'a str,
    pub(crate) root: &'a Value,
    pub(crate) origins: &'a Origins,
    pub(crate) config: &'a Config,
    pub(crate) type_names: Scope,
    /// Component schema key -> claimed Rust name.
    pub(crate) component_names: BTreeMap<String, String>,
    /// Types already built for a schema location (lookup only; never iterated into output).
    pub(crate) by_pointer: NameMap<TypeRef>,
    pub(crate) in_progress: NameSet,
    /// Object schemas being built, by pointer -> their type name once claimed. `allOf` pulls in
    /// properties from elsewhere, so a property can lead back to the object being built.
    pub(crate) building: NameMap<Option<String>>,
    /// Names of the types defined so far (lookups only).
    pub(crate) defined: NameSet,
    pub(crate) types: Vec<TypeDef>,
    pub(crate) warnings: Vec<Warning>,
    /// Canonical JSON of inline error schemas -> their shared type (Fluxer inlines the same 429 body 400 times).
    pub(crate) error_schemas: NameMap<TypeRef>,
    /// Where `$ref` chains already followed end (pointer -> final pointer): each link of a
    /// chain of thousands of aliases is then followed once, not once per schema before it.
    pub(crate) deref_memo: std::cell::RefCell<NameMap<String>>,
}

impl<'a> Builder<'a> {
    pub(crate) fn root_static(&self) -> &'a Value {
        self.root
    }

    pub(crate) fn err(&self, ptr: &str, message: impl Into<String>) -> Error {
        Error::spec(self.file, &self.origins.original(ptr), message)
    }

    pub(crate) fn warn(&mut self, ptr: &str, message: impl Into<String>) {
        self.warnings
            .push(Warning::new(self.origins.original(ptr), message));
    }

    pub(crate) fn define(&mut self, def: TypeDef) {
        if self.defined.insert(def.name.clone()) {
            self.types.push(def);
        }
    }

    fn api(&mut self) -> Result<Api, Error> {
        let root = self.root;
        let info = root.at("info");
        let text = |v: Option<&Value>, k: &str| {
            v.and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let title = text(info, "title").unwrap_or_else(|| "API".into());
        let version = text(info, "version").unwrap_or_default();
        let description = text(info, "description");
        let license = info
            .and_then(|i| i.get("license"))
            .and_then(|l| text(Some(l), "identifier").or_else(|| text(Some(l), "name")))
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty());
        let base_url = root
            .at("servers")
            .and_then(Value::as_array)
            .and_then(|s| s.first())
            .map(server_url)
            .unwrap_or_default();

        // Sections that hold objects (empty YAML keys are null: nothing there).
        fn wrong(v: Option<&Value>) -> Option<&Value> {
            v.filter(|v| !v.is_object() && !v.is_null())
        }
        for section in ["info", "components"] {
            if let Some(v) = wrong(root.get(section)) {
                return Err(self.err(
                    &format!("/{section}"),
                    format!(
                        "`{section}` must be an object, not {}",
                        schema::json_kind(v)
                    ),
                ));
            }
        }
        for kind in [
            "schemas",
            "responses",
            "parameters",
            "examples",
            "requestBodies",
            "headers",
            "securitySchemes",
            "links",
            "callbacks",
            "pathItems",
        ] {
            let ptr = join("/components", kind);
            if let Some(v) = wrong(root.pointer(&ptr)) {
                return Err(self.err(
                    &ptr,
                    format!(
                        "`components/{kind}` must be an object, not {}",
                        schema::json_kind(v)
                    ),
                ));
            }
        }

        // Claim component names first so inline types never take them.
        if let Some(schemas) = root.pointer("/components/schemas").filter(|s| !s.is_null()) {
            let Some(schemas) = schemas.as_object() else {
                return Err(self.err(
                    "/components/schemas",
                    "`components/schemas` must be an object",
                ));
            };
            for key in schemas.keys() {
                if !self.config.type_overrides.contains_key(key) {
                    let name = self.type_names.claim(schema::type_name(key));
                    self.component_names.insert(key.clone(), name);
                }
            }
        }
        for reserved in [
            "Client",
            "ClientBuilder",
            "Error",
            "ErrorBody",
            "Response",
            "Result",
            "Snowflake",
            "Nullable",
        ] {
            self.type_names.claim(reserved.to_string());
        }

        let security_schemes = self.security_schemes()?;
        let (operations, tags, error_models, skipped) = self.operations(&security_schemes)?;

        // Every component schema gets a type, used or not.
        let keys: Vec<String> = self.component_names.keys().cloned().collect();
        for key in keys {
            self.component(&key)?;
        }

        let mut types = std::mem::take(&mut self.types);
        box_recursive_fields(&mut types);
        types.sort_by(|a, b| a.name.cmp(&b.name));
        let mut api = Api {
            title,
            version,
            description,
            license,
            base_url,
            security_schemes,
            tags,
            operations,
            types,
            error_models,
            warnings: std::mem::take(&mut self.warnings),
            skipped_operations: skipped,
            rate_limit: None,
        };
        assign_tags(&mut api);
        rate_limit::decide(&mut api, &self.config.rate_limit);
        api.warnings.sort();
        api.warnings.dedup();
        Ok(api)
    }

    fn security_schemes(&mut self) -> Result<Vec<SecurityScheme>, Error> {
        let mut out = Vec::new();
        let Some(Value::Object(schemes)) = self.root.pointer("/components/securitySchemes") else {
            return Ok(out);
        };
        let mut names = Scope::new();
        for (name, s) in schemes {
            let ptr = join("/components/securitySchemes", name);
            let (s, sptr) = self.deref(s, &ptr)?;
            if !s.is_object() {
                return Err(self.err(
                    &sptr,
                    format!(
                        "a security scheme must be an object, not {}",
                        schema::json_kind(s)
                    ),
                ));
            }
            let get = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("");
            let description = s
                .at("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            let kind = match (get("type"), get("in")) {
                ("apiKey", "header") => {
                    let header = get("name").to_string();
                    let prefix = self
                        .config
                        .auth_prefix
                        .get(name)
                        .cloned()
                        .or_else(|| {
                            s.at("x-auth-prefix")
                                .and_then(Value::as_str)
                                .map(str::to_string)
                        })
                        .or_else(|| {
                            prefix_from_description(&header, description.as_deref().unwrap_or(""))
                        })
                        .unwrap_or_default();
                    SchemeKind::ApiKeyHeader { header, prefix }
                }
                ("apiKey", "query") => SchemeKind::ApiKeyQuery {
                    param: get("name").to_string(),
                },
                ("apiKey", "cookie") => SchemeKind::ApiKeyCookie {
                    cookie: get("name").to_string(),
                },
                ("http", _) => match get("scheme").to_ascii_lowercase().as_str() {
                    "basic" => SchemeKind::Basic,
                    "bearer" => SchemeKind::Bearer,
                    other => SchemeKind::ApiKeyHeader {
                        header: "Authorization".into(),
                        prefix: format!("{} ", camel(other)),
                    },
                },
                ("oauth2", _) | ("openIdConnect", _) => SchemeKind::Bearer,
                (t, _) => {
                    self.warn(&ptr, format!("security scheme type `{t}` is not supported: operations needing it send no credentials"));
                    continue;
                }
            };
            out.push(SecurityScheme {
                name: name.clone(),
                rust_name: names.claim(crate::naming::snake(name)),
                kind,
                description,
            });
        }
        Ok(out)
    }
}

/// `servers[0].url` with its variables replaced by their defaults.
fn server_url(server: &Value) -> String {
    let mut url = server
        .at("url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(Value::Object(vars)) = server.at("variables") {
        for (k, v) in vars {
            if let Some(d) = v.at("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{k}}}"), d);
            }
        }
    }
    url
}

/// Reads a prefix from descriptions such as "`Authorization: Bot <token>`".
fn prefix_from_description(header: &str, description: &str) -> Option<String> {
    let needle = format!("{header}: ");
    let start = description.find(&needle)? + needle.len();
    let rest = &description[start..];
    let end = rest.find('<')?;
    let prefix = &rest[..end];
    (prefix.len() < 20 && !prefix.contains('`')).then(|| prefix.to_string())
}

/// Boxes fields whose type contains the struct itself without indirection (Vec/Map are indirect).
fn box_recursive_fields(types: &mut [TypeDef]) {
    let index: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    // Direct edges: a type embeds another by value.
    fn direct(t: &TypeRef, out: &mut Vec<String>) {
        match t {
            TypeRef::Named(n) => out.push(n.clone()),
            TypeRef::Option(inner) => direct(inner, out),
            _ => {}
        }
    }
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|t| {
            let mut names = Vec::new();
            match &t.kind {
                TypeKind::Struct(s) => s.fields.iter().for_each(|f| direct(&f.ty, &mut names)),
                TypeKind::Union(u) => u.variants.iter().for_each(|v| direct(&v.ty, &mut names)),
                TypeKind::Alias(a) => direct(a, &mut names),
                _ => {}
            }
            names.iter().filter_map(|n| index.get(n).copied()).collect()
        })
        .collect();
    // A field needs a box when its target reaches the struct back, i.e. when both lie in one
    // strongly connected component of the by-value graph (one linear pass instead of a search
    // per field).
    let component = strongly_connected(&edges);
    let reaches = |from: usize, to: usize| component[from] == component[to];
    let mut boxes: Vec<(usize, usize)> = Vec::new(); // (type, field or variant index)
    for (i, t) in types.iter().enumerate() {
        let targets: Vec<Vec<String>> = match &t.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| {
                    let mut v = Vec::new();
                    direct(&f.ty, &mut v);
                    v
                })
                .collect(),
            TypeKind::Union(u) => u
                .variants
                .iter()
                .map(|f| {
                    let mut v = Vec::new();
                    direct(&f.ty, &mut v);
                    v
                })
                .collect(),
            _ => vec![],
        };
        for (fi, names) in targets.iter().enumerate() {
            if names
                .iter()
                .filter_map(|n| index.get(n))
                .any(|&j| reaches(j, i))
            {
                boxes.push((i, fi));
            }
        }
    }
    for (i, fi) in boxes {
        let wrap = |t: &mut TypeRef| {
            let inner = std::mem::replace(t, TypeRef::Any);
            *t = match inner {
                TypeRef::Option(x) => TypeRef::Option(Box::new(TypeRef::Boxed(x))),
                other => TypeRef::Boxed(Box::new(other)),
            };
        };
        match &mut types[i].kind {
            TypeKind::Struct(s) => wrap(&mut s.fields[fi].ty),
            TypeKind::Union(u) => wrap(&mut u.variants[fi].ty),
            _ => {}
        }
    }
}

/// The strongly connected component of each node of a directed graph (Tarjan's algorithm,
/// iterative so that deep type graphs cannot overflow the stack).
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let (mut order, mut low) = (vec![UNSEEN; n], vec![0; n]);
    let mut component = vec![UNSEEN; n];
    let (mut on_stack, mut stack) = (vec![false; n], Vec::new());
    let (mut next_order, mut next_component) = (0, 0);
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut walk = vec![(root, 0)];
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut next)) = walk.last_mut() {
            if let Some(&w) = edges[v].get(*next) {
                *next += 1;
                if order[w] == UNSEEN {
                    order[w] = next_order;
                    low[w] = next_order;
                    next_order += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    walk.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(parent, _)) = walk.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// Records who reaches each type: which tags (per-tag features), whether only types no
/// operation uses do (`extra-models`), and which way it travels (which serde impls it needs).
fn assign_tags(api: &mut Api) {
    let index: BTreeMap<String, usize> = api
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let n = api.types.len();
    let mut reached: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let children = |t: &TypeDef| -> Vec<String> {
        let mut out = Vec::new();
        match &t.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| f.ty.named(&mut out));
                if let Some(a) = &s.additional {
                    a.named(&mut out);
                }
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| v.ty.named(&mut out)),
            TypeKind::Alias(a) => a.named(&mut out),
            _ => {}
        }
        out
    };
    let visit = |roots: &[String], mark: &mut dyn FnMut(usize) -> bool| {
        let mut stack: Vec<usize> = roots.iter().filter_map(|n| index.get(n).copied()).collect();
        while let Some(i) = stack.pop() {
            if mark(i) {
                stack.extend(
                    children(&api.types[i])
                        .iter()
                        .filter_map(|n| index.get(n).copied()),
                );
            }
        }
    };
    // Marks everything reachable from `roots` in `flags`; a node already marked is not walked
    // again, so each walk is linear.
    let mark_all = |roots: &[String], flags: &mut Vec<bool>| {
        visit(roots, &mut |i| !std::mem::replace(&mut flags[i], true));
    };
    let (mut sent, mut received) = (vec![false; n], vec![false; n]);
    let (mut sent_roots, mut received_roots) = (Vec::new(), Vec::new());
    for op in api.operations.iter().filter(|o| !o.is_webhook) {
        let mut roots = Vec::new();
        op.params.iter().for_each(|p| p.ty.named(&mut roots));
        if let Some(b) = &op.body {
            b.contents.iter().for_each(|c| c.ty.named(&mut roots));
        }
        sent_roots.extend(roots.iter().cloned());
        if let SuccessKind::Json(t) = &op.success.kind {
            let before = roots.len();
            t.named(&mut roots);
            received_roots.extend(roots[before..].iter().cloned());
        }
        let tag = op.tag;
        visit(&roots, &mut |i| reached[i].insert(tag));
    }
    // Always compiled: error bodies, webhook payloads, and everything those contain.
    let mut always_roots = Vec::new();
    api.error_models
        .iter()
        .for_each(|m| m.ty.named(&mut always_roots));
    for op in api.operations.iter().filter(|o| o.is_webhook) {
        if let Some(b) = &op.body {
            b.contents
                .iter()
                .for_each(|c| c.ty.named(&mut always_roots));
        }
    }
    let mut always = vec![false; n];
    mark_all(&always_roots, &mut always);
    // Types no operation reaches are part of the API's vocabulary (gateway events, say): they
    // travel both ways, behind `extra-models`, with everything they contain.
    let extra_roots: Vec<String> = api
        .types
        .iter()
        .enumerate()
        .filter(|(i, _)| reached[*i].is_empty() && !always[*i])
        .map(|(_, t)| t.name.clone())
        .collect();
    let mut extra = vec![false; n];
    mark_all(&extra_roots, &mut extra);
    mark_all(&sent_roots, &mut sent);
    mark_all(&extra_roots, &mut sent);
    received_roots.extend(always_roots);
    received_roots.extend(extra_roots);
    mark_all(&received_roots, &mut received);
    for (i, t) in api.types.iter_mut().enumerate() {
        t.reach = Reach {
            tags: if always[i] {
                vec![]
            } else {
                reached[i].iter().copied().collect()
            },
            extra: extra[i] && !always[i],
            sent: sent[i],
            received: received[i],
        };
    }
}

impl TypeRef {
    /// Names of generated types this reference mentions.
    pub fn named(&self, out: &mut Vec<String>) {
        match self {
            TypeRef::Named(n) => out.push(n.clone()),
            TypeRef::Array(t) | TypeRef::Map(t) | TypeRef::Option(t) | TypeRef::Boxed(t) => {
                t.named(out)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::strongly_connected;

    /// Same component exactly when each node reaches the other, on seeded random graphs.
    #[test]
    fn components_match_mutual_reachability() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |bound: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound as u64) as usize
        };
        for _ in 0..200 {
            let n = 1 + next(12);
            let edges: Vec<Vec<usize>> = (0..n)
                .map(|_| (0..next(4)).map(|_| next(n)).collect())
                .collect();
            let reaches = |from: usize, to: usize| {
                let (mut seen, mut stack) = (vec![false; n], vec![from]);
                while let Some(v) = stack.pop() {
                    if v == to {
                        return true;
                    }
                    if !std::mem::replace(&mut seen[v], true) {
                        stack.extend(&edges[v]);
                    }
                }
                false
            };
            let component = strongly_connected(&edges);
            for a in 0..n {
                for b in 0..n {
                    assert_eq!(
                        component[a] == component[b],
                        reaches(a, b) && reaches(b, a),
                        "{edges:?}"
                    );
                }
            }
        }
    }
}
