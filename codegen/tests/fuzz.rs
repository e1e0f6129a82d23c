//! No-panic fuzzing on stable Rust: a deterministic mutation fuzzer over real specs.
//!
//! Each iteration takes one real spec (the small ones of `../shared/specs`, plus this crate's
//! own fixtures), applies a few random structural mutations to its JSON value (delete a key,
//! change a value's JSON type, copy a subtree elsewhere, point a `$ref` somewhere odd or at itself,
//! `type` arrays, empty containers, huge numbers, awkward names such as `""`, `$`, `a/b`, `{x}`,
//! awkward fragments spliced into text such as `日`, `](`, backticks, URLs; and for some
//! iterations, edits to the document's JSON or YAML text: anchors, tags, odd scalars),
//! and runs load -> normalize -> IR -> emit -> format under `catch_unwind`, then parses every
//! emitted `.rs` file with `syn`. An `Err` is fine; a panic or a file that does not parse fails
//! the test with the seed, iteration and mutation list, and a minimized copy of the
//! document is written to the temp folder: it belongs in `tests/fixtures/fuzz-regressions/`.
//!
//! ```text
//! cargo test -p codegen --test fuzz                                   # 300 iterations (CI)
//! FUZZ_ITERATIONS=20000 cargo test -p codegen --release --test fuzz -- --nocapture
//! FUZZ_SEED=7 FUZZ_START=1234 FUZZ_ITERATIONS=1 cargo test -p codegen --test fuzz -- --nocapture
//! ```
//!
//! `FUZZ_SEED` (default 1) picks the run, `FUZZ_START` the first iteration (to replay one),
//! `FUZZ_SECONDS` stops early once that much time has passed (a time cap for slow CI machines),
//! `FUZZ_VERBOSE=1` prints every error the generator returns, `FUZZ_DUMP=FILE` writes each
//! mutated document to FILE before running it (to keep the one that overflowed the stack).
//! A stack overflow aborts the process instead of panicking: the case being run is always in
//! `$TMPDIR/codegen-fuzz-current-case-SEED.txt` (seeds can run side by side, one per core).
//! A case running longer than `FUZZ_TIMEOUT_SECS` (default 120) is reported as a hang and ends
//! the process. CI runs the default 300 iterations as part of `cargo test -p codegen` (about
//! 20 s in a debug build); run it long with a release build before trusting a change to the
//! generator's traversal of schemas.

use serde_json::{json, Map, Value};
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Randomness: xorshift64*, seeded per iteration so any iteration replays on its own.

struct Rng(u64);

impl Rng {
    fn for_iteration(seed: u64, iteration: u64) -> Rng {
        // splitmix64 of (seed, iteration): nearby seeds give unrelated streams.
        let mut z = seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(iteration.wrapping_mul(0xBF58_476D_1CE4_E5B9))
            .wrapping_add(0x94D0_49BB_1331_11EB);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Paths into a JSON value.

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

type NodePath = Vec<Seg>;

fn pointer(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        out.push('/');
        match s {
            Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn get_mut<'a>(mut v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    for s in path {
        v = match (s, v) {
            (Seg::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn get<'a>(mut v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    for s in path {
        v = match (s, v) {
            (Seg::Key(k), Value::Object(m)) => m.get(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Every node, parents before children (breadth first: big subtrees first when minimizing).
fn all_paths(v: &Value) -> Vec<NodePath> {
    let mut out = vec![Vec::new()];
    let mut i = 0;
    while i < out.len() {
        let path = out[i].clone();
        match get(v, &path) {
            Some(Value::Object(m)) => {
                for k in m.keys() {
                    let mut p = path.clone();
                    p.push(Seg::Key(k.clone()));
                    out.push(p);
                }
            }
            Some(Value::Array(a)) => {
                for j in 0..a.len() {
                    let mut p = path.clone();
                    p.push(Seg::Index(j));
                    out.push(p);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn remove(doc: &mut Value, path: &[Seg]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    match (get_mut(doc, parent), last) {
        (Some(Value::Object(m)), Seg::Key(k)) => m.shift_remove(k).is_some(),
        (Some(Value::Array(a)), Seg::Index(i)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Material for mutations.

const WEIRD: &[&str] = &[
    "",
    "$",
    "a/b",
    "{x}",
    "{",
    "}",
    "{}",
    "~",
    "~0~1",
    "%",
    "%zz",
    "%2F",
    "#",
    "#/",
    "é",
    "日本語",
    "🦀",
    "\u{0}",
    "\n",
    " ",
    "self",
    "Self",
    "type",
    "r#type",
    "crate",
    "super",
    "fn",
    "mod",
    "123",
    "-1",
    "+1",
    "_",
    "__",
    "a b",
    "null",
    "true",
    "default",
    "Error",
    "Client",
    "Result",
    "Option",
    "Vec",
    "String",
    "std",
    "models",
    "runtime",
    "`",
    "\"",
    "\\",
    "*/",
    "/*",
    "?q=1",
    "&",
    "=",
    "Pet",
    "pet",
    "PET",
    "pet_id",
    "petId",
    "application/json",
    "multipart/form-data",
    "text/plain",
    "application/x-www-form-urlencoded",
    "*/*",
    "200",
    "2XX",
    "4xx",
    "default",
    "999",
    "0",
    "get",
    "post",
    "x-foo",
    "Ünïcödé",
    "ß",
    "ǅ",
    "İ",
];

/// Pieces that text handling (doc comments, Markdown, URLs, names) may trip over.
const FRAGMENTS: &[&str] = &[
    "日",
    "é",
    "🦀",
    "\u{200b}",
    "https://example.com/a_b",
    "http://x",
    "](",
    "[",
    "]",
    "`",
    "```",
    "\n\n",
    "\n    ",
    "\t",
    "#",
    "<",
    ">",
    "\\",
    "*/",
    "/*",
    "\"",
    "{",
    "}",
    ". ",
    "..",
    "\r\n",
    "{id}",
    "/",
    "~",
    "%",
    "&",
    "?",
    "=",
    "*",
    "_",
    "-",
    "|",
    "$",
    "@",
    "!",
    "\u{0}",
];

const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "array", "object", "null", "file", "",
];

const FORMATS: &[&str] = &[
    "int32",
    "int64",
    "uint32",
    "uint64",
    "uint",
    "float",
    "double",
    "date-time",
    "date",
    "byte",
    "binary",
    "snowflake",
    "uuid",
    "uri",
    "",
];

const KEYWORDS: &[&str] = &[
    "type",
    "format",
    "nullable",
    "enum",
    "const",
    "items",
    "properties",
    "additionalProperties",
    "required",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "$ref",
    "discriminator",
    "x-bitflagValues",
    "x-enumNames",
    "x-enum-varnames",
    "x-enumDescriptions",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "default",
    "readOnly",
    "writeOnly",
    "deprecated",
    "prefixItems",
    "patternProperties",
    "contentMediaType",
    "contentEncoding",
    "examples",
    "example",
    "description",
    "title",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "content",
    "schema",
    "in",
    "name",
    "style",
    "explode",
    "callbacks",
    "security",
    "tags",
    "servers",
    "paths",
    "components",
    "webhooks",
    "x-auth-prefix",
    "get",
    "post",
    "pattern",
    "headers",
    "$defs",
];

fn weird(rng: &mut Rng) -> String {
    if rng.chance(3) {
        return "x".repeat(1 + rng.below(400));
    }
    rng.pick(WEIRD).to_string()
}

fn huge_number(rng: &mut Rng) -> Value {
    match rng.below(10) {
        0 => json!(1e308),
        1 => json!(-1e308),
        2 => json!(u64::MAX),
        3 => json!(i64::MIN),
        4 => json!(i64::MAX),
        5 => json!(9_007_199_254_740_993u64),
        6 => json!(-0.0),
        7 => json!(0.5),
        8 => json!(4_294_967_296u64),
        _ => json!(-2_147_483_649i64),
    }
}

fn random_value(rng: &mut Rng, depth: usize, refs: &[String]) -> Value {
    let leaf = depth == 0;
    match rng.below(if leaf { 6 } else { 12 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => huge_number(rng),
        3 => Value::String(weird(rng)),
        4 => json!([]),
        5 => json!({}),
        6 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth - 1, refs))
                .collect(),
        ),
        7 => {
            let mut m = Map::new();
            for _ in 0..rng.below(4) {
                let k = if rng.chance(60) {
                    rng.pick(KEYWORDS).to_string()
                } else {
                    weird(rng)
                };
                m.insert(k, random_value(rng, depth - 1, refs));
            }
            Value::Object(m)
        }
        8 => json!({ "$ref": random_ref(rng, refs, "") }),
        9 => json!({ "type": rng.pick(TYPES), "format": rng.pick(FORMATS) }),
        10 => json!({
            "type": "object",
            "required": [weird(rng)],
            "properties": { weird(rng): random_value(rng, depth - 1, refs) }
        }),
        _ => {
            let k = *rng.pick(&["allOf", "anyOf", "oneOf"]);
            let n = rng.below(3);
            json!({ k: (0..n).map(|_| random_value(rng, depth - 1, refs)).collect::<Vec<_>>() })
        }
    }
}

/// A `$ref` string: to a node of the document, to the node itself or an ancestor, dangling,
/// external, percent-encoded, or odd.
fn random_ref(rng: &mut Rng, refs: &[String], own: &str) -> String {
    match rng.below(12) {
        0..=4 if !refs.is_empty() => format!("#{}", rng.pick(refs)),
        5 => format!("#{own}"),
        6 => {
            // An ancestor of the node.
            let cut = own.rfind('/').unwrap_or(0);
            format!("#{}", &own[..cut])
        }
        7 => "#".into(),
        8 => "#/components/schemas/Nope".into(),
        9 => "other.yaml#/components/schemas/Pet".into(),
        10 if !refs.is_empty() => format!("#{}", rng.pick(refs).replace('/', "%2F")),
        _ => format!("#/components/schemas/{}", weird(rng)),
    }
}

/// Applies one mutation and says what it did.
fn mutate(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let paths = all_paths(doc);
    let pointers: Vec<String> = paths.iter().map(|p| pointer(p)).collect();
    let objects: Vec<&NodePath> = paths
        .iter()
        .filter(|p| matches!(get(doc, p), Some(Value::Object(_))))
        .collect();
    if objects.is_empty() {
        return None;
    }
    let path = rng.pick(&paths).clone();
    let ptr = pointer(&path);
    let kind = rng.below(15);
    match kind {
        0 => remove(doc, &path).then(|| format!("delete {ptr}")),
        1 | 2 => {
            let v = random_value(rng, 2, &pointers);
            let text = v.to_string();
            *get_mut(doc, &path)? = v;
            Some(format!("replace {ptr} with {text}"))
        }
        3 => {
            // Copy a (small) subtree into a container somewhere else, maybe inside itself.
            let src = rng.pick(&paths).clone();
            let value = get(doc, &src)?.clone();
            if all_paths(&value).len() > 2000 {
                return None;
            }
            let dst = (*rng.pick(&objects)).clone();
            let key = if rng.chance(50) {
                src.last()
                    .map(|s| match s {
                        Seg::Key(k) => k.clone(),
                        Seg::Index(i) => i.to_string(),
                    })
                    .unwrap_or_default()
            } else {
                weird(rng)
            };
            get_mut(doc, &dst)?
                .as_object_mut()?
                .insert(key.clone(), value);
            Some(format!(
                "copy {} to {}",
                pointer(&src),
                pointer(&[dst, vec![Seg::Key(key)]].concat())
            ))
        }
        4 | 5 => {
            // Point a `$ref` elsewhere (existing `$ref`s first).
            let with_ref: Vec<&&NodePath> = objects
                .iter()
                .filter(|p| get(doc, p).and_then(|v| v.get("$ref")).is_some())
                .collect();
            let target: NodePath = if !with_ref.is_empty() && rng.chance(70) {
                (**rng.pick(&with_ref)).clone()
            } else {
                (*rng.pick(&objects)).clone()
            };
            let own = pointer(&target);
            let r = if rng.chance(10) {
                random_value(rng, 0, &pointers)
            } else {
                Value::String(random_ref(rng, &pointers, &own))
            };
            let text = r.to_string();
            get_mut(doc, &target)?
                .as_object_mut()?
                .insert("$ref".into(), r);
            Some(format!("set {own}/$ref = {text}"))
        }
        6 => {
            let target = (*rng.pick(&objects)).clone();
            let n = rng.below(4);
            let types: Vec<Value> = (0..n)
                .map(|_| {
                    if rng.chance(90) {
                        json!(rng.pick(TYPES))
                    } else {
                        random_value(rng, 0, &[])
                    }
                })
                .collect();
            let text = Value::Array(types.clone()).to_string();
            get_mut(doc, &target)?
                .as_object_mut()?
                .insert("type".into(), Value::Array(types));
            Some(format!("set {}/type = {text}", pointer(&target)))
        }
        7 => {
            let v = if rng.chance(50) { json!([]) } else { json!({}) };
            *get_mut(doc, &path)? = v.clone();
            Some(format!("empty {ptr} to {v}"))
        }
        8 => {
            let v = huge_number(rng);
            *get_mut(doc, &path)? = v.clone();
            Some(format!("replace {ptr} with {v}"))
        }
        9 => {
            // Rename a key (component, property, path, parameter, status, media type…).
            let (Seg::Key(old), parent) = path.split_last()? else {
                return None;
            };
            let new = weird(rng);
            let map = get_mut(doc, parent)?.as_object_mut()?;
            let v = map.shift_remove(old)?;
            map.insert(new.clone(), v);
            Some(format!("rename {ptr} to {new:?}"))
        }
        10 => {
            // Wrap a node in a composition.
            let target = (*rng.pick(&objects)).clone();
            let node = get_mut(doc, &target)?;
            let inner = node.take();
            let other = random_value(rng, 1, &pointers);
            let (v, how) = match rng.below(6) {
                0 => (json!({ "allOf": [inner] }), "allOf"),
                1 => (
                    json!({ "anyOf": [inner, { "type": "null" }] }),
                    "anyOf+null",
                ),
                2 => (json!({ "oneOf": [inner.clone(), inner] }), "oneOf twice"),
                3 => (json!({ "allOf": [inner, other] }), "allOf+random"),
                4 => (json!({ "type": "array", "items": inner }), "array of"),
                _ => (json!({ "not": inner, "nullable": true }), "not"),
            };
            *node = v;
            Some(format!("wrap {} in {how}", pointer(&target)))
        }
        11 => {
            // Add a keyword with a plausible or random value.
            let target = (*rng.pick(&objects)).clone();
            let k = *rng.pick(KEYWORDS);
            let v = match (k, rng.below(3)) {
                ("type", 0) => json!(rng.pick(TYPES)),
                ("format", 0) => json!(rng.pick(FORMATS)),
                ("in", 0) => json!(rng.pick(&["path", "query", "header", "cookie", "body"])),
                ("enum", 0) => json!([null, weird(rng), 1, true]),
                ("x-bitflagValues", 0) => {
                    json!([{ "name": weird(rng), "value": huge_number(rng) }])
                }
                ("discriminator", 0) => json!({
                    "propertyName": weird(rng),
                    "mapping": { weird(rng): random_ref(rng, &pointers, "") }
                }),
                ("required", 0) => json!([weird(rng)]),
                _ => random_value(rng, 2, &pointers),
            };
            let text = v.to_string();
            get_mut(doc, &target)?.as_object_mut()?.insert(k.into(), v);
            Some(format!("set {}/{k} = {text}", pointer(&target)))
        }
        13 | 14 => {
            // Splice an awkward fragment into a string (descriptions, names, refs, formats…).
            // Half the time prose, which ends up in doc comments and Markdown.
            let prose = rng.chance(50);
            let strings: Vec<&NodePath> = paths
                .iter()
                .filter(|p| matches!(get(doc, p), Some(Value::String(_))))
                .filter(|p| {
                    !prose
                        || matches!(p.last(), Some(Seg::Key(k)) if ["description", "summary", "title"].contains(&k.as_str()))
                })
                .collect();
            if strings.is_empty() {
                return None;
            }
            let target = (*rng.pick(&strings)).clone();
            let Some(Value::String(text)) = get_mut(doc, &target) else {
                return None;
            };
            let cuts: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let at = *rng.pick(&cuts);
            let mut fragment = rng.pick(FRAGMENTS).to_string();
            if rng.chance(40) {
                fragment.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
            }
            text.insert_str(at, &fragment);
            Some(format!(
                "splice {fragment:?} into {} at byte {at}",
                pointer(&target)
            ))
        }
        _ => {
            // Odd path templates.
            let paths_obj = doc.get_mut("paths")?.as_object_mut()?;
            let keys: Vec<String> = paths_obj.keys().cloned().collect();
            if keys.is_empty() {
                return None;
            }
            let old = rng.pick(&keys).clone();
            let add = *rng.pick(&[
                "/{x}", "/{", "}", "/{}", "/{{a}}", "?q=1", "#frag", "/{petId}", "{id}{id}", "/é",
            ]);
            let new = if rng.chance(50) {
                format!("{old}{add}")
            } else {
                format!("{add}{old}")
            };
            let v = paths_obj.shift_remove(&old)?;
            paths_obj.insert(new.clone(), v);
            Some(format!("rename path {old:?} to {new:?}"))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running the pipeline without letting a panic escape.

thread_local! {
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics inside `run` are recorded (location + message) instead of printed; others print.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                let msg = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(non-string panic)".into());
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{at}: {msg}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// How one run ended.
enum Outcome {
    Ok,
    Err(String),
    Panic(String),
}

/// The pipeline from a JSON value (normalize -> IR -> emit -> format).
fn run(file: &str, root: Value) -> Outcome {
    run_with(|| generate(file, root))
}

/// A document as block-style YAML (scalars written as JSON, which YAML 1.2 reads the same).
fn block_yaml(doc: &Value) -> String {
    fn write(v: &Value, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, v) in m {
                    out.push_str(&format!("{pad}{}:", Value::String(k.clone())));
                    nested(v, indent, out);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for v in a {
                    out.push_str(&format!("{pad}-"));
                    nested(v, indent, out);
                }
            }
            other => out.push_str(&format!("{pad}{other}\n")),
        }
    }
    fn nested(v: &Value, indent: usize, out: &mut String) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push('\n');
                write(v, indent + 2, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                write(v, indent + 2, out);
            }
            other => out.push_str(&format!(" {other}\n")),
        }
    }
    let mut out = String::new();
    write(doc, 0, &mut out);
    out
}

/// The pipeline from text, parser included.
fn run_text(file: &str, text: &str) -> Outcome {
    run_with(|| generate(file, codegen::load::parse(text, file)?))
}

fn generate(file: &str, root: Value) -> Result<(), codegen::Error> {
    let doc = codegen::load::Document::new(file, root);
    let out = codegen::generate_document(doc, &codegen::Config::default(), vec![])?;
    // Every emitted Rust file must parse (most are written as text, not built from tokens).
    for (path, text) in &out.files {
        if path.extension().is_some_and(|e| e == "rs") {
            if let Err(e) = syn::parse_file(text) {
                return Err(codegen::Error::Output {
                    path: path.display().to_string(),
                    message: format!("generated tokens do not parse: {e}"),
                });
            }
        }
    }
    Ok(())
}

fn run_with(f: impl FnOnce() -> Result<(), codegen::Error>) -> Outcome {
    install_panic_hook();
    CAPTURING.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    CAPTURING.with(|c| c.set(false));
    match result {
        Ok(Ok(())) => Outcome::Ok,
        // Invalid Rust out of the emitter is a generator bug, like a panic.
        Ok(Err(e)) if e.to_string().contains("generated tokens do not parse") => {
            Outcome::Panic(format!("generated tokens do not parse: {e}"))
        }
        Ok(Err(e)) => Outcome::Err(e.to_string()),
        Err(_) => Outcome::Panic(
            LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "(unknown panic)".into()),
        ),
    }
}

/// Where a panic happened, without the message (which may quote the input), to tell
/// distinct bugs apart.
fn panic_site(message: &str) -> &str {
    message.split(": ").next().unwrap_or(message)
}

/// Greedily deletes subtrees while the same panic site keeps panicking.
fn minimize(file: &str, doc: &Value, site: &str, budget: usize) -> Value {
    let mut best = doc.clone();
    let mut runs = 0;
    let mut i = 1; // index into all_paths(best); 0 is the root
    loop {
        let paths = all_paths(&best);
        if i >= paths.len() || runs >= budget {
            return best;
        }
        let mut candidate = best.clone();
        if remove(&mut candidate, &paths[i]) {
            runs += 1;
            if let Outcome::Panic(m) = run(file, candidate.clone()) {
                if panic_site(&m) == site {
                    best = candidate;
                    continue; // same index: the next node slid into place
                }
            }
        }
        i += 1;
    }
}

/// Greedily deletes lines while the same panic site keeps panicking.
fn minimize_text(file: &str, text: &str, site: &str, budget: usize) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    let (mut i, mut runs) = (0, 0);
    while i < lines.len() && runs < budget {
        let mut candidate = lines.clone();
        candidate.remove(i);
        runs += 1;
        match run_text(file, &candidate.join("\n")) {
            Outcome::Panic(m) if panic_site(&m) == site => lines = candidate,
            _ => i += 1,
        }
    }
    lines.join("\n")
}

/// Things YAML and JSON parsers care about.
const TEXT_TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "!!str ",
    "!!int ",
    "!Tag ",
    "<<: *a\n",
    ": ",
    "- ",
    "? ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\t",
    "\"",
    "'",
    "#",
    "\n",
    "\r",
    "\u{feff}",
    "%YAML 1.2\n---\n",
    "---\n",
    "...\n",
    "~",
    ".nan",
    ".inf",
    "-.inf",
    "0x1F",
    "0o17",
    "1e400",
    "-0",
    "null",
    "yes",
    "no",
    "=",
    "|\n",
    ">-\n",
    "\\u0000",
    "\\ud800",
    "\\",
    "18446744073709551616",
    "-9223372036854775809",
    "1.7976931348623157e309",
    "日",
    "🦀",
];

/// One text-level mutation, on character boundaries.
fn mutate_text(text: &mut String, rng: &mut Rng) -> String {
    let cuts: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let line = rng.below(lines.len());
    let what = match rng.below(6) {
        0 => {
            let a = rng.below(cuts.len());
            let b = (a + 1 + rng.below(20)).min(cuts.len() - 1);
            let (a, b) = (cuts[a], cuts[b]);
            text.replace_range(a..b, "");
            return format!("delete bytes {a}..{b}");
        }
        1 | 2 => {
            let at = *rng.pick(&cuts);
            let token = *rng.pick(TEXT_TOKENS);
            text.insert_str(at, token);
            return format!("insert {token:?} at byte {at}");
        }
        3 => {
            let copy = lines[line].clone();
            lines.insert(line, copy);
            format!("duplicate line {}", line + 1)
        }
        4 => {
            if rng.chance(50) {
                lines[line].insert_str(0, "  ");
                format!("indent line {}", line + 1)
            } else {
                let l = &mut lines[line];
                let trimmed = l.strip_prefix("  ").unwrap_or(l).to_string();
                *l = trimmed;
                format!("dedent line {}", line + 1)
            }
        }
        _ => {
            let other = rng.below(lines.len());
            lines.swap(line, other);
            format!("swap lines {} and {}", line + 1, other + 1)
        }
    };
    *text = lines.join("\n");
    what
}

// ---------------------------------------------------------------------------------------------
// Seeds.

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The small real specs of the shared corpus, plus this crate's own valid fixtures.
fn seeds() -> Vec<(String, Value)> {
    // `shared/` lies beside the repository, as in CI (where its absence fails the test).
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(shared) = codegen::testing::shared("specs", "fuzz: corpus seeds") {
        for f in [
            "corpus/petstore.yaml",
            "corpus/petstore3.yaml",
            "corpus/tictactoe.yaml",
            "fluxer/relay-api.json",
            "fluxer/media-proxy-api.json",
        ] {
            files.push(shared.join(f));
        }
    }
    let types = manifest_dir().join("tests/fixtures/types");
    if let Ok(dirs) = std::fs::read_dir(&types) {
        let mut dirs: Vec<PathBuf> = dirs.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        dirs.sort();
        for d in dirs {
            for name in ["openapi.yaml", "openapi.json"] {
                if d.join(name).is_file() {
                    files.push(d.join(name));
                }
            }
        }
    }
    let mut out = Vec::new();
    for f in files {
        let Ok(doc) = codegen::load::load_file(&f) else {
            continue;
        };
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((name, doc.root));
    }
    assert!(!out.is_empty(), "no seed specs found");
    out
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
        Err(_) => default,
    }
}

/// Writes to the real stderr, past the test harness's capture (for hangs and aborts).
fn loud(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn mutated_specs_never_panic() {
    // The command line runs the pipeline on the main thread (8 MiB of stack); do the same.
    let handle = std::thread::Builder::new()
        .name("fuzz".into())
        .stack_size(8 << 20)
        .spawn(fuzz_loop)
        .expect("thread");
    if let Err(e) = handle.join() {
        std::panic::resume_unwind(e);
    }
}

fn fuzz_loop() {
    let iterations = env_u64("FUZZ_ITERATIONS", 300);
    let seed = env_u64("FUZZ_SEED", 1);
    let start = env_u64("FUZZ_START", 0);
    let timeout = Duration::from_secs(env_u64("FUZZ_TIMEOUT_SECS", 120));
    let verbose = std::env::var_os("FUZZ_VERBOSE").is_some();
    let dump = std::env::var_os("FUZZ_DUMP").map(PathBuf::from);
    let seeds = seeds();
    let began = Instant::now();
    let case_file = std::env::temp_dir().join(format!("codegen-fuzz-current-case-{seed}.txt"));

    // Watchdog: a case that runs too long is a hang; report it and end the process.
    let current: Arc<Mutex<Option<(Instant, String)>>> = Arc::new(Mutex::new(None));
    let watched = Arc::clone(&current);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        let guard = watched.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((since, case)) = guard.as_ref() {
            if since.elapsed() > timeout {
                loud(&format!(
                    "\nFUZZ HANG: a case ran for more than {timeout:?}\n{case}\n"
                ));
                std::process::exit(101);
            }
        }
    });

    let (mut ok, mut err) = (0u64, 0u64);
    let mut failures: Vec<(String, String)> = Vec::new(); // (site, report)
    let budget = std::env::var("FUZZ_SECONDS")
        .ok()
        .map(|_| Duration::from_secs(env_u64("FUZZ_SECONDS", 0)));
    let mut done = 0u64;
    for iteration in start..start + iterations {
        if budget.is_some_and(|b| began.elapsed() > b) {
            break;
        }
        done += 1;
        let mut rng = Rng::for_iteration(seed, iteration);
        let (name, base) = &seeds[rng.below(seeds.len())];
        let mut doc = base.clone();
        let mut log = Vec::new();
        let count = if rng.chance(10) {
            10 + rng.below(20)
        } else {
            1 + rng.below(6)
        };
        for _ in 0..count {
            let before = doc.clone();
            if let Some(what) = mutate(&mut doc, &mut rng) {
                // Files parse to at most 128 levels; keep mutated documents like that.
                if depth(&doc) > 120 {
                    doc = before;
                } else {
                    log.push(what);
                }
            }
        }
        // Sometimes go through text too, to reach the parsers (YAML tags, anchors, odd keys).
        let text = rng.chance(15).then(|| {
            let yaml = rng.chance(60);
            let mut text = if yaml {
                block_yaml(&doc)
            } else {
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            };
            log.push(format!("as {} text", if yaml { "YAML" } else { "JSON" }));
            for _ in 0..1 + rng.below(4) {
                log.push(mutate_text(&mut text, &mut rng));
            }
            let file = format!("{name}.{}", if yaml { "yaml" } else { "json" });
            (file, text)
        });
        let case = format!(
            "seed {seed}, iteration {iteration}, spec {name}; mutations:\n  - {}\nreplay: FUZZ_SEED={seed} FUZZ_START={iteration} FUZZ_ITERATIONS=1 cargo test -p codegen --test fuzz -- --nocapture",
            log.join("\n  - ")
        );
        let _ = std::fs::write(&case_file, &case);
        if let Some(dump) = &dump {
            let contents = match &text {
                Some((_, text)) => text.clone(),
                None => serde_json::to_string_pretty(&doc).unwrap_or_default(),
            };
            let _ = std::fs::write(dump, contents);
        }
        *current.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), case.clone()));
        let outcome = match &text {
            Some((file, text)) => run_text(file, text),
            None => run(name, doc.clone()),
        };
        *current.lock().unwrap_or_else(|e| e.into_inner()) = None;
        match outcome {
            Outcome::Ok => ok += 1,
            Outcome::Err(e) => {
                err += 1;
                if verbose {
                    println!("{iteration}: {e}");
                }
            }
            Outcome::Panic(message) => {
                let site = panic_site(&message).to_string();
                if failures.iter().any(|(s, _)| *s == site) {
                    continue;
                }
                let dump = match &text {
                    Some((file, text)) => {
                        let min = minimize_text(file, text, &site, 3000);
                        let ext = file.rsplit('.').next().unwrap_or("txt");
                        let dump = std::env::temp_dir()
                            .join(format!("codegen-fuzz-{seed}-{iteration}.min.{ext}"));
                        let _ = std::fs::write(&dump, min);
                        dump
                    }
                    None => {
                        let min = minimize(name, &doc, &site, 3000);
                        let dump = std::env::temp_dir()
                            .join(format!("codegen-fuzz-{seed}-{iteration}.min.json"));
                        let _ = std::fs::write(
                            &dump,
                            serde_json::to_string_pretty(&min).unwrap_or_default(),
                        );
                        dump
                    }
                };
                let report = format!(
                    "PANIC {message}\n{case}\nminimized document: {}",
                    dump.display()
                );
                eprintln!("{report}\n");
                failures.push((site, report));
            }
        }
    }
    println!(
        "fuzz: {done} iterations (seed {seed}, from {start}) over {} specs in {:.1?}: {ok} generated, {err} rejected with an error, {} distinct panics",
        seeds.len(),
        began.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} distinct panic(s):\n\n{}",
        failures.len(),
        failures
            .iter()
            .map(|(_, r)| r.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

/// Minimized documents from crashes the fuzzer found: each must end in `Ok` or `Err`, not a
/// panic (or a stack overflow, which would abort this test binary).
#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = manifest_dir().join("tests/fixtures/fuzz-regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fuzz-regressions folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .collect();
    files.sort();
    let handle = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let mut panics = Vec::new();
            for f in &files {
                let doc = codegen::load::load_file(f).expect("regression fixtures parse");
                if let Outcome::Panic(m) = run(&doc.file, doc.root) {
                    panics.push(format!("{}: {m}", f.display()));
                }
            }
            panics
        })
        .expect("thread");
    let panics = handle.join().expect("no panic escapes `run`");
    assert!(panics.is_empty(), "{}", panics.join("\n"));
}
