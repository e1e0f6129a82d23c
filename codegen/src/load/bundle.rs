//! Multi-file descriptions: `$ref`s to other files are brought into the one document the later
//! stages read, the way a bundler would.
//!
//! - A reference in a schema position (a media type's or parameter's `schema`, a subschema, a
//!   discriminator mapping) to another file is *hoisted*: the target becomes a component schema
//!   (`#/components/schemas/<name>`, the name taken from the pointer's last token or the file's
//!   stem, made unique with the folder's name and then a number), read once however often it is
//!   referenced, and the `$ref` points there. Recursion across files is then ordinary recursion
//!   between components. A component schema that is only a `$ref` to another file takes the
//!   target's place under its own name.
//! - Any other reference to another file (path items, operations behind `$ref` as some
//!   real-world descriptions write them, parameters, responses, headers, examples, descriptions)
//!   is *inlined*: the target replaces the `$ref` (sibling keys such as `description` win).
//!   A chain of inlined references that comes back to itself is an error naming the chain.
//! - Inside another file, `#/…` means that file; in the entry file it keeps meaning the entry.
//!
//! References are relative paths (percent-decoded) resolved against the folder of the file that
//! holds them; remote (`scheme://`) and absolute paths are refused, and so is a target outside
//! the entry file's folder unless [`Options::refs_outside_root`] allows it. Every error names
//! the file and the pointer of the `$ref` at fault, and [`Sources`] maps pointers of the bundled
//! document back to the file and pointer they came from, for the later stages' diagnostics.
//!
//! A document without references to other files is returned untouched (one walk to find out).

use super::{percent_decode, Sources};
use crate::diag::{escape_token, Error, Warning};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// How references to other files may be followed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Follow references to files outside the entry file's folder.
    pub refs_outside_root: bool,
}

/// Where a node sits in an OpenAPI document, as far as references are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    /// Maps whose values are of one kind (keyed by name).
    Paths,
    Responses,
    Headers,
    Content,
    Encodings,
    Callbacks,
    Schemas,
    Parameters,
    RequestBodies,
    Components,
    /// Objects (a `$ref` among their keys is a reference).
    PathItem,
    Operation,
    /// A `parameters` list.
    ParamList,
    Parameter,
    RequestBody,
    Response,
    MediaType,
    Encoding,
    Callback,
    Schema,
    SchemaList,
    Discriminator,
    /// Anything else: examples, descriptions, extensions, security schemes, links.
    Other,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn child(ctx: Ctx, key: &str) -> Ctx {
    use Ctx::*;
    match ctx {
        Root => match key {
            "paths" | "webhooks" => Paths,
            "components" => Components,
            _ => Other,
        },
        Paths => PathItem,
        Callback => PathItem,
        Responses => Response,
        Headers | Parameters => Parameter,
        Content => MediaType,
        Encodings => Encoding,
        Callbacks => Callback,
        Schemas => Schema,
        RequestBodies => RequestBody,
        Components => match key {
            "schemas" => Schemas,
            "responses" => Responses,
            "parameters" => Parameters,
            "headers" => Headers,
            "requestBodies" => RequestBodies,
            "pathItems" => Paths,
            "callbacks" => Callbacks,
            _ => Other,
        },
        PathItem => match key {
            "parameters" => ParamList,
            k if METHODS.contains(&k) => Operation,
            _ => Other,
        },
        Operation => match key {
            "parameters" => ParamList,
            "requestBody" => RequestBody,
            "responses" => Responses,
            "callbacks" => Callbacks,
            _ => Other,
        },
        Parameter => match key {
            "schema" => Schema,
            "content" => Content,
            _ => Other,
        },
        RequestBody => match key {
            "content" => Content,
            _ => Other,
        },
        Response => match key {
            "content" => Content,
            "headers" => Headers,
            _ => Other,
        },
        MediaType => match key {
            "schema" => Schema,
            "encoding" => Encodings,
            _ => Other,
        },
        Encoding => match key {
            "headers" => Headers,
            _ => Other,
        },
        Schema => match key {
            "items"
            | "additionalProperties"
            | "not"
            | "contains"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "if"
            | "then"
            | "else" => Schema,
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => SchemaList,
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                Schemas
            }
            "discriminator" => Discriminator,
            _ => Other,
        },
        ParamList | SchemaList | Discriminator | Other => Other,
    }
}

/// The kind of a list's elements.
fn element(ctx: Ctx) -> Ctx {
    match ctx {
        Ctx::ParamList => Ctx::Parameter,
        // `items: [..]` (tuple style) holds schemas too; normalize decides what to make of it.
        Ctx::SchemaList | Ctx::Schema => Ctx::Schema,
        _ => Ctx::Other,
    }
}

struct File {
    /// The path as shown in diagnostics (the entry's folder as given, joined with the path
    /// inside it).
    display: String,
    canonical: PathBuf,
    value: Value,
}

struct Bundler {
    options: Options,
    root_dir: PathBuf,
    display_dir: PathBuf,
    files: Vec<File>,
    by_path: HashMap<PathBuf, usize>,
    hoisted: HashMap<(usize, String), String>,
    taken: HashSet<String>,
    new_schemas: Vec<(String, Value)>,
    sources: Vec<(String, usize, String)>,
    /// Inlined targets being expanded (for cycles).
    stack: Vec<(usize, String)>,
    warnings: Vec<Warning>,
    /// The current node's pointer in the bundled document and in its own file.
    bptr: String,
    fptr: String,
}

/// Whether the document refers to another file anywhere.
fn has_external_refs(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            matches!(m.get("$ref"), Some(Value::String(r)) if !r.starts_with('#'))
                || m.values().any(has_external_refs)
        }
        Value::Array(a) => a.iter().any(has_external_refs),
        _ => false,
    }
}

/// Brings the files `root` refers to into it. `path` is the entry file as given.
pub(crate) fn bundle(
    path: &Path,
    display: &str,
    root: &mut Value,
    options: Options,
) -> Result<(Sources, Vec<Warning>), Error> {
    if !has_external_refs(root) {
        return Ok((Sources::default(), Vec::new()));
    }
    let io = |e: std::io::Error| Error::Io {
        file: display.to_string(),
        message: e.to_string(),
    };
    let canonical = path.canonicalize().map_err(io)?;
    let root_dir = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let display_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut taken = HashSet::new();
    if let Some(Value::Object(s)) = root.pointer("/components/schemas") {
        taken.extend(s.keys().cloned());
    }
    let mut b = Bundler {
        options,
        root_dir,
        display_dir,
        files: vec![File {
            display: display.to_string(),
            canonical: canonical.clone(),
            value: Value::Null,
        }],
        by_path: HashMap::from([(canonical, 0)]),
        hoisted: HashMap::new(),
        taken,
        new_schemas: Vec::new(),
        sources: Vec::new(),
        stack: Vec::new(),
        warnings: Vec::new(),
        bptr: String::new(),
        fptr: String::new(),
    };
    // The entry is walked in place; targets in it are read from a copy taken before any change.
    b.files[0].value = root.clone();
    b.walk(root, Ctx::Root, 0)?;
    if !b.new_schemas.is_empty() {
        let Some(obj) = root.as_object_mut() else {
            return Err(Error::spec(
                display,
                "",
                "an OpenAPI document must be an object",
            ));
        };
        let components = obj
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(components) = components.as_object_mut() else {
            return Err(Error::spec(
                display,
                "/components",
                "`components` must be an object",
            ));
        };
        let schemas = components
            .entry("schemas")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(schemas) = schemas.as_object_mut() else {
            return Err(Error::spec(
                display,
                "/components/schemas",
                "`schemas` must be an object",
            ));
        };
        for (k, v) in std::mem::take(&mut b.new_schemas) {
            schemas.insert(k, v);
        }
    }
    let files = b.files.iter().map(|f| f.display.clone()).collect();
    Ok((Sources::new(files, b.sources), b.warnings))
}

impl Bundler {
    fn err(&self, file: usize, pointer: &str, message: impl Into<String>) -> Error {
        Error::spec(&self.files[file].display, pointer, message)
    }

    fn walk(&mut self, v: &mut Value, ctx: Ctx, file: usize) -> Result<(), Error> {
        match v {
            Value::Object(map) => {
                // In a map of names a `$ref` string stands for the whole map (a property named
                // `$ref` would be a schema, never a string): `properties: {$ref: 'a.yml#/props'}`.
                if let Some(Value::String(r)) = map.get("$ref") {
                    let r = r.clone();
                    return self.reference(v, &r, ctx, file);
                }
                if ctx == Ctx::Discriminator {
                    if let Some(Value::Object(mapping)) = map.get_mut("mapping") {
                        self.mapping(mapping, file)?;
                    }
                    return Ok(());
                }
                for (k, c) in map.iter_mut() {
                    if !could_hold_ref(c) {
                        continue;
                    }
                    let (bl, fl) = (self.bptr.len(), self.fptr.len());
                    push(&mut self.bptr, k);
                    push(&mut self.fptr, k);
                    let r = self.walk(c, child(ctx, k), file);
                    self.bptr.truncate(bl);
                    self.fptr.truncate(fl);
                    r?;
                }
                Ok(())
            }
            Value::Array(items) => {
                let ctx = element(ctx);
                for (i, c) in items.iter_mut().enumerate() {
                    if !could_hold_ref(c) {
                        continue;
                    }
                    let (bl, fl) = (self.bptr.len(), self.fptr.len());
                    let i = i.to_string();
                    push(&mut self.bptr, &i);
                    push(&mut self.fptr, &i);
                    let r = self.walk(c, ctx, file);
                    self.bptr.truncate(bl);
                    self.fptr.truncate(fl);
                    r?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Discriminator mapping values that name another file (or, in another file, that file's
    /// own schemas) point at the hoisted schema instead.
    fn mapping(&mut self, mapping: &mut Map<String, Value>, file: usize) -> Result<(), Error> {
        for (k, v) in mapping.iter_mut() {
            let Value::String(r) = v else { continue };
            // A bare schema name stays one.
            let local = r.starts_with('#');
            if (local && file == 0) || (!local && !r.contains(['/', '.'])) {
                continue;
            }
            let at = format!("{}/discriminator/mapping/{}", self.fptr, escape_token(k));
            let (tf, tp) = self.target(r, file, &at)?;
            *v = Value::String(if tf == 0 {
                format!("#{}", encode(&tp))
            } else {
                let key = self.hoist(tf, &tp, &at, file)?;
                format!("#/components/schemas/{}", encode(&escape_token(&key)))
            });
        }
        Ok(())
    }

    /// The file and pointer a reference names, loading the file if needed.
    fn target(&mut self, r: &str, file: usize, at: &str) -> Result<(usize, String), Error> {
        let (path, fragment) = r.split_once('#').unwrap_or((r, ""));
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(self.err(
                file,
                at,
                format!("`$ref` `{r}`: the part after `#` must be a JSON pointer (`#/a/b`)"),
            ));
        }
        if path.is_empty() {
            return Ok((file, pointer));
        }
        Ok((self.load(path, file, at)?, pointer))
    }

    fn load(&mut self, path: &str, file: usize, at: &str) -> Result<usize, Error> {
        let decoded = percent_decode(path);
        if decoded.contains("://") || decoded.starts_with("//") {
            return Err(self.err(
                file,
                at,
                format!("remote reference `{path}` is not supported: only relative file paths are followed"),
            ));
        }
        let rel = Path::new(&decoded);
        if rel.is_absolute() || rel.components().any(|c| matches!(c, Component::Prefix(_))) {
            return Err(self.err(
                file,
                at,
                format!("absolute path `{path}` in a `$ref`: only paths relative to the file that holds them are followed"),
            ));
        }
        let base = self.files[file]
            .canonical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let joined = base.join(rel);
        let canonical = joined.canonicalize().map_err(|e| {
            // Named as the user would find it: beside the file that refers to it.
            let shown = Path::new(&self.files[file].display)
                .parent()
                .map(|d| d.join(rel))
                .unwrap_or_else(|| rel.to_path_buf());
            self.err(
                file,
                at,
                format!("`$ref` to `{path}`: cannot read {} ({e})", shown.display()),
            )
        })?;
        if let Some(&i) = self.by_path.get(&canonical) {
            return Ok(i);
        }
        let inside = canonical.strip_prefix(&self.root_dir).ok();
        if inside.is_none() && !self.options.refs_outside_root {
            return Err(self.err(
                file,
                at,
                format!(
                    "`$ref` to `{path}` leaves the folder of the entry file ({}); set `allow_refs_outside_root = true` in codegen.toml or pass `--allow-refs-outside-root` to follow it",
                    self.root_dir.display()
                ),
            ));
        }
        let display = match inside {
            Some(rel) => self.display_dir.join(rel).display().to_string(),
            None => canonical.display().to_string(),
        };
        let text = std::fs::read_to_string(&canonical).map_err(|e| Error::Io {
            file: display.clone(),
            message: e.to_string(),
        })?;
        let (value, warnings) = super::parse_with_warnings(&text, &display)?;
        self.warnings
            .extend(warnings.into_iter().map(|w| w.in_file(&display)));
        let i = self.files.len();
        self.files.push(File {
            display,
            canonical: canonical.clone(),
            value,
        });
        self.by_path.insert(canonical, i);
        Ok(i)
    }

    fn lookup(&self, tf: usize, tp: &str, r: &str, file: usize, at: &str) -> Result<Value, Error> {
        self.files[tf].value.pointer(tp).cloned().ok_or_else(|| {
            self.err(
                file,
                at,
                format!(
                    "`$ref` target `{r}` does not exist (no `#{tp}` in {})",
                    self.files[tf].display
                ),
            )
        })
    }

    /// A `$ref` object in context `ctx` of file `file`.
    fn reference(&mut self, v: &mut Value, r: &str, ctx: Ctx, file: usize) -> Result<(), Error> {
        // References within the entry file stay as they are.
        if file == 0 && r.starts_with('#') {
            return Ok(());
        }
        let at = format!("{}/$ref", self.fptr);
        if ctx == Ctx::Other && !r.starts_with('#') {
            // Data (examples, extensions) may hold `$ref` keys that are not references: a
            // target that cannot be read is left as written, with a warning.
            if let Err(e) = self.target(r, file, &at) {
                let why = match e {
                    Error::Spec { message, .. } => message,
                    e => e.to_string(),
                };
                self.warnings.push(
                    Warning::new(at.clone(), format!("left as written: {why}"))
                        .in_file(&self.files[file].display),
                );
                return Ok(());
            }
        }
        let (tf, tp) = self.target(r, file, &at)?;
        if tf == 0 {
            // Into the entry file, whose pointers the bundled document keeps.
            if let Value::Object(m) = v {
                m.insert("$ref".into(), Value::String(format!("#{}", encode(&tp))));
            }
            return Ok(());
        }
        if ctx == Ctx::Schema {
            // A component schema of the entry that is only this `$ref` takes the target's place.
            let whole = file == 0
                && v.as_object().is_some_and(|m| m.len() == 1)
                && self.bptr.starts_with("/components/schemas/")
                && self.bptr["/components/schemas/".len()..]
                    .find('/')
                    .is_none()
                && !self.hoisted.contains_key(&(tf, tp.clone()));
            if whole {
                let key = unescape(&self.bptr["/components/schemas/".len()..]);
                self.hoisted.insert((tf, tp.clone()), key);
                let mut t = self.lookup(tf, &tp, r, file, &at)?;
                let saved = std::mem::replace(&mut self.fptr, tp.clone());
                let result = self.walk(&mut t, Ctx::Schema, tf);
                self.fptr = saved;
                result?;
                self.sources.push((self.bptr.clone(), tf, tp));
                *v = t;
                return Ok(());
            }
            let key = self.hoist(tf, &tp, &at, file)?;
            if let Value::Object(m) = v {
                m.insert(
                    "$ref".into(),
                    Value::String(format!(
                        "#/components/schemas/{}",
                        encode(&escape_token(&key))
                    )),
                );
            }
            return Ok(());
        }
        // Inlined.
        if let Some(start) = self.stack.iter().position(|(f, p)| *f == tf && *p == tp) {
            let chain: Vec<String> = self.stack[start..]
                .iter()
                .chain([&(tf, tp.clone())])
                .map(|(f, p)| format!("{}#{p}", self.files[*f].display))
                .collect();
            return Err(self.err(
                file,
                &at,
                format!("`$ref` cycle across files: {}", chain.join(" -> ")),
            ));
        }
        let mut t = self.lookup(tf, &tp, r, file, &at)?;
        self.stack.push((tf, tp.clone()));
        let saved = std::mem::replace(&mut self.fptr, tp.clone());
        let result = self.walk(&mut t, ctx, tf);
        self.fptr = saved;
        self.stack.pop();
        result?;
        self.sources.push((self.bptr.clone(), tf, tp));
        // Keys beside the `$ref` (`description`, `summary`) override the target's.
        if let (Value::Object(m), Value::Object(tm)) = (&mut *v, &mut t) {
            for (k, val) in std::mem::take(m) {
                if k != "$ref" {
                    tm.insert(k, val);
                }
            }
        }
        *v = t;
        Ok(())
    }

    /// The component schema key for a schema in another file, defining it on first use.
    fn hoist(&mut self, tf: usize, tp: &str, at: &str, file: usize) -> Result<String, Error> {
        if let Some(k) = self.hoisted.get(&(tf, tp.to_string())) {
            return Ok(k.clone());
        }
        let r = format!("{}#{tp}", self.files[tf].display);
        let mut t = self.lookup(tf, tp, &r, file, at)?;
        let key = self.schema_name(tf, tp);
        self.hoisted.insert((tf, tp.to_string()), key.clone());
        let bptr = format!("/components/schemas/{}", escape_token(&key));
        let saved_b = std::mem::replace(&mut self.bptr, bptr.clone());
        let saved_f = std::mem::replace(&mut self.fptr, tp.to_string());
        let result = self.walk(&mut t, Ctx::Schema, tf);
        self.bptr = saved_b;
        self.fptr = saved_f;
        result?;
        self.sources.push((bptr, tf, tp.to_string()));
        self.new_schemas.push((key.clone(), t));
        Ok(key)
    }

    /// A new component schema key: the pointer's last name (or the file's stem), then with the
    /// folder's name before it, then numbered.
    fn schema_name(&mut self, tf: usize, tp: &str) -> String {
        let path = &self.files[tf].canonical;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Schema".into());
        let last = tp
            .rsplit('/')
            .find(|t| !t.is_empty() && t.parse::<usize>().is_err())
            .map(unescape);
        let base = last.unwrap_or(stem);
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut candidates = vec![base.clone()];
        if !folder.is_empty() {
            candidates.push(format!("{folder}_{base}"));
        }
        for c in candidates {
            if self.taken.insert(c.clone()) {
                return c;
            }
        }
        let mut i = 2;
        loop {
            let c = format!("{base}_{i}");
            if self.taken.insert(c.clone()) {
                return c;
            }
            i += 1;
        }
    }
}

/// Whether a value may contain a `$ref` (scalars never do).
fn could_hold_ref(v: &Value) -> bool {
    matches!(v, Value::Object(_) | Value::Array(_))
}

fn push(pointer: &mut String, token: &str) {
    pointer.push('/');
    if token.contains(['~', '/']) {
        pointer.push_str(&escape_token(token));
    } else {
        pointer.push_str(token);
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// A JSON pointer written into a `$ref` (a URI fragment): `%` and spaces percent-encoded.
fn encode(pointer: &str) -> String {
    if !pointer.contains(['%', ' ', '#']) {
        return pointer.to_string();
    }
    pointer
        .replace('%', "%25")
        .replace(' ', "%20")
        .replace('#', "%23")
}
