//! Stage 3: the normalized document -> [`crate::ir::Api`].

mod operation;
mod rate_limit;
mod schema;
mod streams;
pub(crate) use schema::json_kind;

use crate::config::Config;
use crate::diag::{join, Error, Warning};
use crate::ir::*;
use crate::naming::{camel, Holder, NameMap, NameSet, Scope};
use crate::normalize::Origins;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) use schema::Name;

/// The extension that sets the Rust name of an operation, schema, property or parameter.
pub const RUST_NAME: &str = "x-rust-name";

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
        self.component_type_names()?;
        // Inline types do not take the name of the `Snowflake` type either.
        self.type_names.claim("Snowflake".to_string());

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
            type_doc_files: Vec::new(),
            warnings: std::mem::take(&mut self.warnings),
            skipped_operations: skipped,
            rate_limit: None,
        };
        assign_tags(&mut api);
        doc_files(&mut api);
        rate_limit::decide(&mut api, &self.config.rate_limit);
        api.warnings.sort();
        api.warnings.dedup();
        Ok(api)
    }

    /// The Rust names of the component schemas: `x-rust-name`s first (a collision is an
    /// error), then the names the keys give in document order (a collision gets a numbered
    /// name with a warning naming both schemas); a key naming something the crate already has
    /// gets `…Model` (std prelude, the macros' names, `ErrorBody`) or `Api…` (the crate root's
    /// `Error`, `Result`, `Client`, …), with a warning.
    fn component_type_names(&mut self) -> Result<(), Error> {
        let root = self.root;
        let Some(schemas) = root.pointer("/components/schemas").filter(|s| !s.is_null()) else {
            return Ok(());
        };
        let Some(schemas) = schemas.as_object() else {
            return Err(self.err(
                "/components/schemas",
                "`components/schemas` must be an object",
            ));
        };
        for reserved in crate::naming::RESERVED_TYPE_NAMES
            .iter()
            .chain(crate::naming::CRATE_ROOT_NAMES)
        {
            self.type_names.claim(reserved.to_string());
        }
        let keys: Vec<&String> = schemas
            .keys()
            .filter(|k| !self.config.type_overrides.contains_key(*k))
            .collect();
        // Schemas the user named.
        for key in &keys {
            let ptr = join("/components/schemas", key);
            if let Some(name) = self.rust_name_ext(&schemas[key.as_str()], &ptr, true)? {
                let name = self.claim_chosen_type(name, &ptr, "type")?;
                self.component_names.insert((*key).clone(), name);
            }
        }
        // Names that are free first, then the ones renamed for the crate's own names (so that
        // `Error` -> `ApiError` never takes a schema's own `ApiError`).
        let reserved = |n: &str| {
            crate::naming::CRATE_ROOT_NAMES.contains(&n)
                || crate::naming::RESERVED_TYPE_NAMES.contains(&n)
        };
        for pass in [false, true] {
            for key in &keys {
                let wanted = crate::naming::camel_stem(key);
                if self.component_names.contains_key(*key) || reserved(&wanted) != pass {
                    continue;
                }
                let ptr = join("/components/schemas", key);
                let (alt, why) = if crate::naming::CRATE_ROOT_NAMES.contains(&wanted.as_str()) {
                    (
                        format!("Api{wanted}"),
                        format!(" (`{wanted}` at the crate root is another item; `x-rust-name` or `[rename]` in codegen.toml choose another name)"),
                    )
                } else if pass {
                    (
                        format!("{wanted}Model"),
                        " (the generated code uses that name itself)".to_string(),
                    )
                } else {
                    (wanted.clone(), String::new())
                };
                let alt_holder = match self.type_names.holder(&alt) {
                    Some(Holder::At(o) | Holder::Chosen(o)) if alt != wanted => {
                        format!(
                            ", and `{alt}` is another schema's (also #{})",
                            self.origins.original(&o)
                        )
                    }
                    _ => String::new(),
                };
                let (name, holder) = self.type_names.claim_or_at(wanted.clone(), alt, &ptr);
                match holder {
                    None => {}
                    Some(Holder::Chosen(other)) => {
                        return Err(self.collision(&other, &wanted, &ptr));
                    }
                    // `Owner: {$ref: owner.yaml}` beside the schema that file brings in:
                    // one is the other's alias, nothing for the user to fix.
                    Some(Holder::At(other))
                        if self.refers_to(&other, &ptr) || self.refers_to(&ptr, &other) => {}
                    Some(Holder::At(other)) => self.warn(
                        &ptr,
                        format!(
                            "schema `{key}` is generated as `{name}`: `{wanted}` is the Rust name of another schema (also #{})",
                            self.origins.original(&other)
                        ),
                    ),
                    Some(Holder::Reserved) => self.warn(
                        &ptr,
                        format!("schema `{key}` is generated as `{name}`, not `{wanted}`{why}{alt_holder}"),
                    ),
                }
                self.component_names.insert((*key).clone(), name);
            }
        }
        Ok(())
    }

    /// Whether the schema at `from` is only a `$ref` to the one at `to`.
    fn refers_to(&self, from: &str, to: &str) -> bool {
        match self.root.pointer(from).and_then(Value::as_object) {
            Some(o) => {
                o.len() == 1
                    && o.at("$ref")
                        .and_then(Value::as_str)
                        .is_some_and(|r| r.strip_prefix('#') == Some(to))
            }
            None => false,
        }
    }

    /// Claims a name the user chose (`x-rust-name`, `[rename]`) in the type scope: taken
    /// already, it is an error naming both nodes.
    pub(crate) fn claim_chosen_type(
        &mut self,
        name: String,
        ptr: &str,
        what: &str,
    ) -> Result<String, Error> {
        match self.type_names.claim_chosen(name.clone(), ptr) {
            Ok(n) => Ok(n),
            Err(h) => Err(self.chosen_taken(ptr, &name, &h, what)),
        }
    }

    /// The error for a name the user chose at `ptr` that `holder` has already.
    pub(crate) fn chosen_taken(&self, ptr: &str, name: &str, holder: &Holder, what: &str) -> Error {
        match holder {
            Holder::At(other) | Holder::Chosen(other) => self.collision(ptr, name, other),
            Holder::Reserved => self.err(
                &join(ptr, RUST_NAME),
                format!(
                    "`{name}` is a {what} name the generated crate uses itself: choose another"
                ),
            ),
        }
    }

    /// The error for a name chosen by the user (at `ptr`) that another node (`other`) has
    /// too.
    pub(crate) fn collision(&self, ptr: &str, name: &str, other: &str) -> Error {
        self.err(
            ptr,
            format!(
                "the Rust name `{name}` (chosen with `x-rust-name` or `[rename]`) is also the name of another item (also {}#{})",
                self.file,
                self.origins.original(other)
            ),
        )
    }

    /// The `x-rust-name` of a node (set in the spec, by an overlay or by `[rename]` in
    /// codegen.toml), checked to be an UpperCamelCase (`camel`) or snake_case identifier.
    pub(crate) fn rust_name_ext(
        &self,
        node: &Value,
        ptr: &str,
        camel: bool,
    ) -> Result<Option<String>, Error> {
        let Some(v) = node.at(RUST_NAME) else {
            return Ok(None);
        };
        let ptr = join(ptr, RUST_NAME);
        let Some(name) = v.as_str() else {
            return Err(self.err(
                &ptr,
                format!(
                    "`{RUST_NAME}` must be a string, not {}",
                    schema::json_kind(v)
                ),
            ));
        };
        let ok = if camel {
            crate::naming::is_camel_ident(name)
        } else {
            crate::naming::is_snake_ident(name)
        };
        if !ok {
            let case = if camel {
                "an UpperCamelCase identifier (ASCII letters and digits, starting uppercase)"
            } else {
                "a snake_case identifier (ASCII lowercase letters, digits and `_`, not starting with a digit, not a keyword)"
            };
            return Err(self.err(&ptr, format!("`{RUST_NAME}` must be {case}, not `{name}`")));
        }
        Ok(Some(name.to_string()))
    }

    fn security_schemes(&mut self) -> Result<Vec<SecurityScheme>, Error> {
        let mut out = Vec::new();
        let Some(Value::Object(schemes)) = self.root.pointer("/components/securitySchemes") else {
            return Ok(out);
        };
        // Setters on `ClientBuilder`, `with_…` handles on `Client`, statics in `apis`.
        let mut names = Scope::seeded(crate::naming::BUILDER_METHODS.iter().copied());
        let mut statics = Scope::seeded(["RAW_ROUTES"]);
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
            let chosen = self.rust_name_ext(s, &sptr, false)?;
            if let Some(c) = &chosen {
                if let Some(h) = names.holder(c) {
                    return Err(self.chosen_taken(&sptr, c, &h, "`ClientBuilder` method"));
                }
            }
            let wanted = chosen.unwrap_or_else(|| crate::naming::snake(name));
            let clash =
                |n: &str| crate::naming::CLIENT_METHODS.contains(&format!("with_{n}").as_str());
            let alt = format!("{wanted}_auth");
            let (rust_name, holder) = if clash(&wanted) {
                let (given, _) = names.claim_at(alt, &sptr);
                (given, Some(Holder::Reserved))
            } else {
                names.claim_or_at(wanted.clone(), alt, &sptr)
            };
            match holder {
                None => {}
                Some(Holder::At(other) | Holder::Chosen(other)) => self.warn(
                    &ptr,
                    format!(
                        "security scheme `{name}` gets the setter `{rust_name}`: `{wanted}` is another scheme's (also #{})",
                        self.origins.original(&other)
                    ),
                ),
                Some(Holder::Reserved) => self.warn(
                    &ptr,
                    format!(
                        "security scheme `{name}` gets the setter `{rust_name}`: `{wanted}` (or `with_{wanted}`) is a method of the client already"
                    ),
                ),
            }
            // `SECURITY_0`, `ERRORS_0`, … are the operations' shared tables.
            let upper = rust_name.to_uppercase();
            let table = ["SECURITY_", "ERRORS_"].iter().any(|p| {
                upper
                    .strip_prefix(p)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            });
            let static_name = statics.claim(if table {
                format!("{upper}_SCHEME")
            } else {
                upper
            });
            out.push(SecurityScheme {
                name: name.clone(),
                client_method: format!("with_{rust_name}"),
                rust_name,
                static_name,
                kind,
                description,
            });
        }
        Ok(out)
    }
}

/// Longest Markdown file stem: file systems allow 255 bytes per name, and `.model.md` or a
/// number may follow.
const MAX_DOC_STEM: usize = 200;

/// The Markdown file of each tag and type (`docs/…`): tags' first; a type named like a tag's
/// doc gets `{name}.model.md`; a name too long for a file (a schema name of 300 characters is
/// valid) is cut, with a hash of the whole name so that two long names stay apart.
pub fn doc_files(api: &mut Api) {
    fn stem(name: &str) -> String {
        if name.len() <= MAX_DOC_STEM {
            return name.to_string();
        }
        // FNV-1a: stable across runs and platforms.
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut cut = MAX_DOC_STEM - 17;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}-{hash:016x}", &name[..cut])
    }
    let mut files = Scope::new();
    for t in &mut api.tags {
        t.doc_file = files.claim(format!("{}.md", stem(&t.api_type)));
    }
    api.type_doc_files = api
        .types
        .iter()
        .map(|t| {
            let s = stem(&t.name);
            let plain = format!("{s}.md");
            if files.contains(&plain) {
                files.claim(format!("{s}.model.md"))
            } else {
                files.claim(plain)
            }
        })
        .collect();
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
        let before = roots.len();
        if let SuccessKind::Json(t) = &op.success.kind {
            t.named(&mut roots);
        }
        // The events of a stream method are received by the operation's tag too (its success
        // type may be JSON of another type, or bytes).
        if let Some(es) = &op.event_stream {
            es.item.named(&mut roots);
            for v in es.dispatch.iter().flat_map(|d| &d.variants) {
                v.ty.named(&mut roots);
            }
        }
        received_roots.extend(roots[before..].iter().cloned());
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
    // Built by users: what requests carry, and the vocabulary no operation reads.
    let mut built = sent.clone();
    let mut read = vec![false; n];
    mark_all(&received_roots, &mut read);
    mark_all(&always_roots, &mut read);
    let mut extra_only = vec![false; n];
    mark_all(&extra_roots, &mut extra_only);
    for (b, (&e, &r)) in built.iter_mut().zip(extra_only.iter().zip(&read)) {
        *b |= e && !r;
    }
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
            built: built[i],
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
