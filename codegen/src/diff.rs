//! What a change of the description does to the generated crate's public Rust API: the
//! comparison behind `cargo xtask api-diff OLD NEW` and `cargo xtask codegen --diff OLD`.
//!
//! Each IR is reduced to its *surface*: every public item a user's code can name (cargo
//! features, tag modules and their accessors, operation methods, optional-parameter structs,
//! models with their fields, constructors, variants and flags, the error-body variants,
//! credential setters), keyed by its Rust path, each with
//! - `sig`: what user code depends on, printed by the emitters' own rules (`ty_text` for types,
//!   [`method_args`] for an operation's arguments). Any difference breaks some caller;
//! - the cargo features that compile it (any of them; none: always);
//! - the aspects that change only what happens at run time (wire names, docs, deprecation,
//!   defaults, auth, error models per status).
//!
//! The surfaces are then compared item by item. Our enums and unions are `#[non_exhaustive]`
//! with an `Unknown` variant, and models and parameter structs are `#[non_exhaustive]` with
//! constructors, so a new variant or an optional field is additive, while anything that
//! changes a constructor (a new required field) breaks. `tests/tests/api_diff.rs` checks the
//! classification by compiling programs written against the old crate against the new one.

use crate::emit::apis::{builder_name, call_args, method_args, params_struct_name, ArgRole};
use crate::emit::rust::{ty_text, Ctx};
use crate::ir::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// How a change affects users of the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Code written against the old crate may stop compiling.
    Breaking,
    /// New API; code written against the old crate still compiles.
    Additive,
    /// No signature changes, but what happens at run time may (wire names, docs, defaults,
    /// deprecation, auth, error models).
    Behaviour,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Breaking => "breaking",
            Kind::Additive => "additive",
            Kind::Behaviour => "behaviour only",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Breaking => "breaking",
            Kind::Additive => "additive",
            Kind::Behaviour => "behaviour",
        }
    }
}

/// Which document a change's pointer is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

/// One difference between the two crates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    /// The Rust item (`models::UserResponse::email`, `feature "guilds"`).
    pub item: String,
    /// JSON pointer of what the item comes from, in the document [`Change::side`] names.
    pub pointer: String,
    pub side: Side,
    /// What changed.
    pub change: String,
    /// Why it breaks (or why it does not).
    pub why: String,
}

/// The semver bump a report implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// The comparison of two crates.
#[derive(Clone, Debug)]
pub struct Report {
    /// Sorted by kind, then item.
    pub changes: Vec<Change>,
}

/// Compares the crates `old` and `new` generate (both built with the same config).
pub fn compare(old: &Api, new: &Api) -> Report {
    let (a, b) = (surface(old), surface(new));
    let mut changes = Vec::new();
    let removed: BTreeSet<&str> = a
        .keys()
        .filter(|k| !b.contains_key(*k))
        .map(String::as_str)
        .collect();
    let added: BTreeSet<&str> = b
        .keys()
        .filter(|k| !a.contains_key(*k))
        .map(String::as_str)
        .collect();

    // A removed item and an added one of the same identity: renamed or moved.
    let mut by_identity: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for &k in &added {
        if let Some(id) = &b[k].identity {
            by_identity.entry((b[k].what, id.as_str())).or_insert(k);
        }
    }
    let mut renamed: BTreeMap<&str, &str> = BTreeMap::new();
    for &k in &removed {
        if let Some(id) = &a[k].identity {
            if let Some(&to) = by_identity.get(&(a[k].what, id.as_str())) {
                if !renamed.values().any(|v| *v == to) {
                    renamed.insert(k, to);
                }
            }
        }
    }
    let renamed_to: BTreeSet<&str> = renamed.values().copied().collect();
    // Children of a removed (added) item are not listed again.
    let under = |set: &BTreeSet<&str>, item: &Item| {
        let mut p = item.parent.as_deref();
        while let Some(k) = p {
            if set.contains(k) {
                return true;
            }
            p = a
                .get(k)
                .or_else(|| b.get(k))
                .and_then(|i| i.parent.as_deref());
        }
        false
    };

    for &k in &removed {
        let item = &a[k];
        if under(&removed, item) {
            continue;
        }
        if let Some(&to) = renamed.get(k) {
            let target = &b[to];
            let mut change = format!("renamed to `{to}`");
            if target.sig != item.sig {
                let _ = write!(
                    change,
                    "; `{}` -> `{}`",
                    shown(&item.shown),
                    shown(&target.shown)
                );
            }
            for (aspect, x, y) in aspect_diffs(item, target) {
                if aspect != "documentation" {
                    let _ = write!(
                        change,
                        "; {}",
                        aspect_change(aspect, x.as_deref(), y.as_deref())
                    );
                }
            }
            changes.push(Change {
                kind: Kind::Breaking,
                item: k.to_string(),
                pointer: target.pointer.clone(),
                side: Side::New,
                change,
                why: format!("code that names `{k}` no longer compiles"),
            });
            continue;
        }
        changes.push(Change {
            kind: Kind::Breaking,
            item: k.to_string(),
            pointer: item.pointer.clone(),
            side: Side::Old,
            change: format!("{} removed", item.what),
            why: removed_why(item),
        });
    }
    for &k in &added {
        let item = &b[k];
        if renamed_to.contains(k) || under(&added, item) {
            continue;
        }
        changes.push(Change {
            kind: Kind::Additive,
            item: k.to_string(),
            pointer: item.pointer.clone(),
            side: Side::New,
            change: if item.in_constructor {
                format!("required {} added (an argument of `new`)", item.what)
            } else {
                format!("{} added", item.what)
            },
            why: added_why(item),
        });
    }
    for (k, old) in &a {
        let Some(new) = b.get(k) else { continue };
        let at = |kind, change: String, why: String| Change {
            kind,
            item: k.clone(),
            pointer: new.pointer.clone(),
            side: Side::New,
            change,
            why,
        };
        if old.sig != new.sig {
            let (change, why) = sig_change(old, new);
            changes.push(at(Kind::Breaking, change, why));
        }
        // Members follow their type's features: the type's entry says it once.
        let parent_same = old.parent.as_ref().is_some_and(|p| {
            matches!((a.get(p), b.get(p)), (Some(x), Some(y))
                if x.features == old.features && y.features == new.features)
        });
        if let Some(c) = feature_change(old, new).filter(|_| !parent_same) {
            let kind = if c.1 { Kind::Breaking } else { Kind::Additive };
            changes.push(at(kind, c.0, c.2));
        }
        for (aspect, x, y) in aspect_diffs(old, new) {
            changes.push(at(
                Kind::Behaviour,
                aspect_change(aspect, x.as_deref(), y.as_deref()),
                "no signature changes; what is sent, read or documented does".to_string(),
            ));
        }
    }
    changes.sort_by(|x, y| (x.kind, &x.item, &x.change).cmp(&(y.kind, &y.item, &y.change)));
    Report { changes }
}

impl Report {
    pub fn count(&self, kind: Kind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// The bump these changes imply: breaking -> major, additive -> minor, behaviour -> patch;
    /// before 1.0 (`0.x`), breaking bumps the minor and everything else the patch.
    pub fn bump(&self, version: &str) -> Bump {
        let raw = if self.count(Kind::Breaking) > 0 {
            Bump::Major
        } else if self.count(Kind::Additive) > 0 {
            Bump::Minor
        } else if self.changes.is_empty() {
            Bump::None
        } else {
            Bump::Patch
        };
        if parse_version(version).0 == 0 {
            match raw {
                Bump::Major => Bump::Minor,
                Bump::Minor => Bump::Patch,
                other => other,
            }
        } else {
            raw
        }
    }

    /// The version after [`Report::bump`] applied to `version` (`0.1.3` + minor = `0.2.0`).
    pub fn next_version(&self, version: &str) -> String {
        let (major, minor, patch) = parse_version(version);
        match self.bump(version) {
            Bump::None => format!("{major}.{minor}.{patch}"),
            Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
            Bump::Minor => format!("{major}.{}.0", minor + 1),
            Bump::Major => format!("{}.0.0", major + 1),
        }
    }

    /// The report for people: changes grouped by kind, each with its item, pointer, what and
    /// why; then the counts and the semver bump for a crate now at `version`.
    pub fn text(&self, old_file: &str, new_file: &str, version: &str) -> String {
        let mut out =
            format!("API diff of the generated crate\n  old: {old_file}\n  new: {new_file}\n");
        for kind in [Kind::Breaking, Kind::Additive, Kind::Behaviour] {
            let n = self.count(kind);
            let _ = write!(out, "\n{} ({n})\n", kind.label());
            for c in self.changes.iter().filter(|c| c.kind == kind) {
                let side = match c.side {
                    Side::Old => "old",
                    Side::New => "new",
                };
                let _ = writeln!(out, "  {}  [{side}#{}]", c.item, c.pointer);
                let _ = writeln!(out, "      {}", c.change);
                if kind == Kind::Breaking {
                    let _ = writeln!(out, "      why: {}", c.why);
                }
            }
        }
        let _ = write!(
            out,
            "\n{} breaking, {} additive, {} behaviour only\n{}\n",
            self.count(Kind::Breaking),
            self.count(Kind::Additive),
            self.count(Kind::Behaviour),
            self.semver_line(version)
        );
        out
    }

    fn semver_line(&self, version: &str) -> String {
        let bump = self.bump(version);
        let rule = if parse_version(version).0 == 0 {
            " (0.x: breaking bumps the minor, the rest the patch)"
        } else {
            ""
        };
        match bump {
            Bump::None => format!("semver: no change to the public API; {version} stays"),
            b => format!(
                "semver: {} bump{rule}: {version} -> {}",
                b.as_str(),
                self.next_version(version)
            ),
        }
    }

    /// The report for tools (`--format json`).
    pub fn json(&self, old_file: &str, new_file: &str, version: &str) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                json!({
                    "kind": c.kind.key(),
                    "item": c.item,
                    "document": match c.side { Side::Old => "old", Side::New => "new" },
                    "pointer": c.pointer,
                    "change": c.change,
                    "why": c.why,
                })
            })
            .collect();
        json!({
            "old": old_file,
            "new": new_file,
            "counts": {
                "breaking": self.count(Kind::Breaking),
                "additive": self.count(Kind::Additive),
                "behaviour": self.count(Kind::Behaviour),
            },
            "semver": {
                "from": version,
                "bump": self.bump(version).as_str(),
                "to": self.next_version(version),
            },
            "changes": changes,
        })
    }

    /// A CHANGELOG section (Keep a Changelog layout) for the next version.
    pub fn changelog_section(&self, version: &str) -> String {
        let mut out = format!("## {} (unreleased)\n", self.next_version(version));
        if self.changes.is_empty() {
            out.push_str("\nNo change to the public API.\n");
        }
        for (kind, title) in [
            (Kind::Breaking, "Breaking"),
            (Kind::Additive, "Added"),
            (Kind::Behaviour, "Changed (behaviour only)"),
        ] {
            let items: Vec<&Change> = self.changes.iter().filter(|c| c.kind == kind).collect();
            if items.is_empty() {
                continue;
            }
            let _ = write!(out, "\n### {title}\n\n");
            for c in items {
                let _ = write!(out, "- `{}`: {}", c.item, c.change);
                if kind == Kind::Breaking {
                    let _ = write!(out, " ({})", c.why);
                }
                out.push('\n');
            }
        }
        out
    }
}

/// `existing` with `section` inserted as the newest entry: after the title line (`# …`) and
/// the text before the first `## ` section, or on top of a new `# Changelog`.
pub fn insert_changelog(existing: Option<&str>, section: &str) -> String {
    let Some(text) = existing.filter(|t| !t.trim().is_empty()) else {
        return format!("# Changelog\n\n{section}");
    };
    let at = text
        .match_indices("## ")
        .find(|(i, _)| *i == 0 || text.as_bytes()[i - 1] == b'\n')
        .map(|(i, _)| i);
    match at {
        Some(i) => format!("{}{section}\n{}", &text[..i], &text[i..]),
        None => {
            let mut out = text.to_string();
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
            out.push_str(section);
            out
        }
    }
}

fn parse_version(v: &str) -> (u64, u64, u64) {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let mut parts = core
        .split('.')
        .map(|p| p.trim().parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// A signature for people: paths relative to the crate root.
fn shown(s: &str) -> String {
    s.replace("crate::", "")
}

/// One public item of a generated crate.
#[derive(Debug, Clone)]
struct Item {
    /// What it is, for messages: "field", "operation", "cargo feature", …
    what: &'static str,
    /// The enclosing item (a field's struct, an operation's module): changes under a removed or
    /// added item are not listed again.
    parent: Option<String>,
    /// What user code depends on: a difference breaks some caller.
    sig: String,
    /// The signature as people read it (with argument names).
    shown: String,
    /// Named parts of the signature (arguments, return type), to say which part changed.
    parts: Vec<(String, String)>,
    /// Cargo features that compile the item (any of them); empty: always compiled.
    features: Vec<String>,
    /// Pairs a removed item with an added one of the same identity as a rename or move.
    identity: Option<String>,
    /// JSON pointer of its origin in the document.
    pointer: String,
    /// Run-time aspects: (name, value). A difference is a behaviour change.
    behaviour: Vec<(&'static str, String)>,
    /// A field the constructor takes (required, or required and nullable).
    in_constructor: bool,
}

impl Item {
    fn new(what: &'static str, sig: impl Into<String>, pointer: &str) -> Item {
        let sig = sig.into();
        Item {
            what,
            parent: None,
            shown: sig.clone(),
            sig,
            parts: Vec::new(),
            features: Vec::new(),
            identity: None,
            pointer: pointer.to_string(),
            behaviour: Vec::new(),
            in_constructor: false,
        }
    }

    fn parent(mut self, p: &str) -> Item {
        self.parent = Some(p.to_string());
        self
    }

    fn identity(mut self, id: String) -> Item {
        self.identity = Some(id);
        self
    }

    fn features(mut self, f: Vec<String>) -> Item {
        self.features = f;
        self
    }

    fn aspect(mut self, name: &'static str, value: impl Into<String>) -> Item {
        self.behaviour.push((name, value.into()));
        self
    }

    fn docs(self, docs: Option<&str>, deprecated: bool) -> Item {
        let mut item = self;
        if let Some(d) = docs {
            item = item.aspect("documentation", d);
        }
        if deprecated {
            item = item.aspect("deprecated", "yes");
        }
        item
    }
}

type Surface = BTreeMap<String, Item>;

fn ty(t: &TypeRef, ctx: Ctx) -> String {
    let mut out = String::new();
    ty_text(t, ctx, &mut out);
    out
}

/// A struct field's type as `models.rs` declares it.
fn field_type(f: &Field) -> String {
    let inner = ty(&f.ty, Ctx::Models);
    match f.presence {
        Presence::Required => inner,
        Presence::RequiredNullable | Presence::Optional => format!("Option<{inner}>"),
        Presence::OptionalNullable => format!("Nullable<{inner}>"),
    }
}

/// Whether `t` is a one-value enum (a required field of that type is set by `new` itself).
fn single_value(api: &Api, t: &TypeRef) -> bool {
    let TypeRef::Named(n) = t else { return false };
    matches!(api.type_def(n).map(|d| &d.kind), Some(TypeKind::Enum(e)) if e.variants.len() == 1)
}

/// The return type of an operation's method, as `apis` writes it.
fn return_type(op: &Operation) -> String {
    match &op.success.kind {
        SuccessKind::Json(t) => format!("crate::ResponseFuture<'a, {}>", ty(t, Ctx::Elsewhere)),
        SuccessKind::Empty => "crate::ResponseFuture<'a, ()>".to_string(),
        SuccessKind::Bytes { .. } | SuccessKind::Text => "crate::BytesFuture<'a>".to_string(),
    }
}

fn escape(token: &str) -> String {
    crate::diag::escape_token(token)
}

/// Every public item the crate generated from `api` has (beyond the fixed runtime).
fn surface(api: &Api) -> Surface {
    let mut s = Surface::new();
    let tag_feature = |i: usize| api.tags[i].feature.clone();
    let tag_pointer = |i: usize| {
        api.client_operations()
            .find(|o| o.tag == i)
            .map(|o| o.pointer.clone())
            .unwrap_or_default()
    };

    // Cargo features.
    for (i, t) in api.operation_tags() {
        s.insert(
            format!("feature \"{}\"", t.feature),
            Item::new("cargo feature", "feature", &tag_pointer(i)),
        );
    }
    // The pointer of a feature about models: the first model it is about.
    if let Some(t) = api.types.iter().find(|t| t.reach.extra) {
        s.insert(
            format!("feature \"{EXTRA_MODELS_FEATURE}\""),
            Item::new("cargo feature", "feature", &t.pointer),
        );
    }
    if api.has_request_only_models() {
        let first = api.types.iter().find(|t| {
            !t.reach.received && matches!(t.kind, TypeKind::Struct(_) | TypeKind::Union(_))
        });
        s.insert(
            format!("feature \"{DESERIALIZE_REQUESTS_FEATURE}\""),
            Item::new(
                "cargo feature",
                "feature",
                first.map_or("", |t| t.pointer.as_str()),
            ),
        );
    }
    // The base URL is the first server's (none: the whole document is the pointer).
    let servers = if api.base_url.is_empty() {
        ""
    } else {
        "/servers/0"
    };
    s.insert(
        "DEFAULT_BASE_URL".to_string(),
        Item::new("constant", "const DEFAULT_BASE_URL: &str", servers)
            .aspect("value", &api.base_url),
    );
    if let Some(op) = api.client_operations().find(|o| {
        matches!(
            o.success.kind,
            SuccessKind::Bytes { .. } | SuccessKind::Text
        )
    }) {
        s.insert(
            "BytesFuture".to_string(),
            Item::new("type alias", "type BytesFuture<'a>", &op.pointer),
        );
    }

    // Credentials.
    for scheme in &api.security_schemes {
        let pointer = format!("/components/securitySchemes/{}", escape(&scheme.name));
        let how = match &scheme.kind {
            SchemeKind::ApiKeyHeader { header, prefix } => {
                format!("header `{header}: {prefix}<token>`")
            }
            SchemeKind::ApiKeyQuery { param } => format!("query parameter `{param}`"),
            SchemeKind::ApiKeyCookie { cookie } => format!("cookie `{cookie}`"),
            SchemeKind::Bearer => "`Authorization: Bearer <token>`".to_string(),
            SchemeKind::Basic => "HTTP Basic".to_string(),
        };
        let setter = if scheme.kind == SchemeKind::Basic {
            "(self, username: impl Into<String>, password: impl Into<Secret>) -> Self"
        } else {
            "(self, token: impl Into<Secret>) -> Self"
        };
        let id = format!("scheme:{}", scheme.name);
        s.insert(
            format!("ClientBuilder::{}", scheme.rust_name),
            Item::new("credential setter", format!("fn{setter}"), &pointer)
                .identity(format!("{id}:builder"))
                .aspect("sent as", how)
                .docs(scheme.description.as_deref(), false),
        );
        if scheme.kind != SchemeKind::Basic {
            s.insert(
                format!("Client::{}", scheme.client_method),
                Item::new(
                    "credential setter",
                    "fn(&self, token: impl Into<Secret>) -> Self",
                    &pointer,
                )
                .identity(format!("{id}:with")),
            );
        }
        s.insert(
            format!("apis::{}", scheme.static_name),
            Item::new("static", "static SecurityScheme", &pointer).identity(format!("{id}:static")),
        );
    }

    // Tag modules, operations, optional-parameter structs.
    for (i, t) in api.operation_tags() {
        let module = format!("apis::{}", t.module);
        let mut item = Item::new("tag module", t.api_type.clone(), &tag_pointer(i))
            .features(vec![t.feature.clone()])
            .identity(format!("tag:{}", t.name))
            .aspect("tag", &t.name)
            .docs(t.description.as_deref(), false);
        item.shown = format!("{} (from Client::{}())", t.api_type, t.module);
        s.insert(module, item);
    }
    for op in api.client_operations() {
        let tag = &api.tags[op.tag];
        let module = format!("apis::{}", tag.module);
        let key = format!("{module}::{}::{}", tag.api_type, op.rust_name);
        // The method's own arguments; with optional parameters it returns their builder,
        // which sends what `return_type` names (its setters mirror the parameters struct's
        // fields, compared below).
        let all_args = method_args(op);
        let args = call_args(op);
        let has_builder = all_args.len() != args.len();
        let ret = if has_builder {
            format!("{}<'a>", builder_name(op))
        } else {
            return_type(op)
        };
        let signature = |args: &[crate::emit::apis::MethodArg]| {
            let types: Vec<String> = std::iter::once("&self".to_string())
                .chain(args.iter().map(|a| a.ty.clone()))
                .collect();
            let named: Vec<String> = std::iter::once("&self".to_string())
                .chain(args.iter().map(|a| format!("{}: {}", a.name, a.ty)))
                .collect();
            (types, named)
        };
        let (types, named) = signature(&args);
        let (stream_types, stream_named) = signature(&all_args);
        let mut item = Item::new(
            "operation",
            format!("fn({}) -> {ret}", types.join(", ")),
            &op.pointer,
        )
        .parent(&module)
        .features(vec![tag.feature.clone()])
        .identity(format!("op:{} {}", op.method.as_str(), op.path))
        .aspect(
            "HTTP request",
            format!("{} {}", op.method.as_str(), op.path),
        );
        item.shown = format!("fn {}({}) -> {ret}", op.rust_name, named.join(", "));
        item.parts = args
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .chain([("return type".to_string(), ret.clone())])
            .collect();
        if has_builder {
            // What the builder's `send`/`.await` gives: a change breaks code using the response.
            item.parts
                .push(("response type".to_string(), return_type(op)));
            item.sig = format!("{} (sends: {})", item.sig, return_type(op));
        }
        let mut docs = String::new();
        for d in [&op.summary, &op.description].into_iter().flatten() {
            docs.push_str(d);
            docs.push('\n');
        }
        if !docs.is_empty() {
            item = item.aspect("documentation", docs);
        }
        if op.deprecated {
            item = item.aspect("deprecated", "yes");
        }
        let auth: Vec<String> = op.security.iter().map(|alt| alt.join(" + ")).collect();
        item = item.aspect(
            "authentication",
            if auth.is_empty() {
                "none".to_string()
            } else {
                auth.join(" | ")
            },
        );
        let errors: Vec<String> = op
            .errors
            .iter()
            .map(|e| {
                let status = match e.status {
                    StatusMatch::Code(c) => c.to_string(),
                    StatusMatch::Range(r) => format!("{r}XX"),
                    StatusMatch::Default => "default".to_string(),
                };
                let model = e
                    .model
                    .map(|m| api.error_models[m].variant.clone())
                    .unwrap_or_else(|| "no body".to_string());
                format!("{status}: {model}")
            })
            .collect();
        if !errors.is_empty() {
            item = item.aspect("error models", errors.join(", "));
        }
        item = item.aspect("success status", op.success.status.to_string());
        if let Some(b) = &op.body {
            let media: Vec<&str> = b.contents.iter().map(|c| c.content_type.as_str()).collect();
            item = item.aspect("request body", media.join(", "));
        }
        for a in &args {
            if let ArgRole::Param(i) = a.role {
                item = item.aspect("required parameters", param_wire(&op.params[i]));
            }
        }
        merge_aspect(&mut item, "required parameters");
        if !op.fixed_query.is_empty() {
            let q: Vec<String> = op
                .fixed_query
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            item = item.aspect("fixed query", q.join("&"));
        }
        s.insert(key.clone(), item);

        // Methods returning a stream of events or of pages' items: same arguments, behind the
        // `streams` feature too.
        let streams = op
            .event_stream
            .iter()
            .map(|e| (&e.rust_name, "event stream method", "EventStream", &e.item))
            .chain(
                op.pagination
                    .iter()
                    .map(|p| (&p.rust_name, "paginated stream method", "Pages", &p.item)),
            );
        for (name, what, wrapper, item_ty) in streams {
            let ret = format!("crate::{wrapper}<'a, {}>", ty(item_ty, Ctx::Elsewhere));
            let mut item = Item::new(
                what,
                format!("fn({}) -> {ret}", stream_types.join(", ")),
                &op.pointer,
            )
            .parent(&module)
            .features(vec![tag.feature.clone(), "streams".to_string()])
            .identity(format!("{what}:{} {}", op.method.as_str(), op.path));
            item.shown = format!("fn {name}({}) -> {ret}", stream_named.join(", "));
            s.insert(format!("{module}::{}::{name}", tag.api_type), item);
        }

        if has_builder {
            let name = params_struct_name(op);
            let pkey = format!("{module}::{name}");
            s.insert(
                pkey.clone(),
                Item::new("optional-parameters struct", "struct", &op.pointer)
                    .parent(&key)
                    .features(vec![tag.feature.clone()])
                    .identity(format!("params:{} {}", op.method.as_str(), op.path)),
            );
            for p in op.params.iter().filter(|p| !p.required && p.is_argument()) {
                // The operation: a parameter may be declared on its path instead.
                let pointer = op.pointer.clone();
                s.insert(
                    format!("{pkey}::{}", p.rust_name),
                    Item::new(
                        "optional parameter",
                        format!("Option<{}>", ty(&p.ty, Ctx::Elsewhere)),
                        &pointer,
                    )
                    .parent(&pkey)
                    .features(vec![tag.feature.clone()])
                    .identity(format!("param:{pkey}:{}", param_wire(p)))
                    .aspect("sent as", param_wire(p))
                    .docs(p.description.as_deref(), p.deprecated),
                );
            }
        }
    }

    // Models.
    for t in &api.types {
        let key = format!("models::{}", t.name);
        let mut features: Vec<String> = t.reach.tags.iter().map(|&i| tag_feature(i)).collect();
        if t.reach.extra {
            features.push(EXTRA_MODELS_FEATURE.to_string());
        }
        let child = |what, sig: String| {
            Item::new(what, sig, &t.pointer)
                .parent(&key)
                .features(features.clone())
        };
        let sig = match &t.kind {
            TypeKind::Struct(_) => "struct".to_string(),
            TypeKind::Enum(e) => match e.repr {
                EnumRepr::String => "enum, Unknown(String)".to_string(),
                EnumRepr::Integer => "enum, Copy, Unknown(i64)".to_string(),
            },
            TypeKind::Union(_) => "enum, Unknown(serde_json::Value)".to_string(),
            TypeKind::Alias(target) => format!("type = {}", ty(target, Ctx::Models)),
            TypeKind::Flags(_) => "flags struct".to_string(),
        };
        let what = match &t.kind {
            TypeKind::Struct(_) => "struct",
            TypeKind::Enum(_) => "enum",
            TypeKind::Union(_) => "union",
            TypeKind::Alias(_) => "type alias",
            TypeKind::Flags(_) => "flags type",
        };
        let mut item = Item::new(what, sig, &t.pointer)
            .features(features.clone())
            .identity(format!("type:{}", t.pointer))
            .docs(t.docs.as_deref(), t.deprecated);
        match &t.kind {
            TypeKind::Struct(st) => {
                let mut ctor: Vec<(String, String)> = Vec::new();
                for f in &st.fields {
                    let fty = field_type(f);
                    let in_constructor = (f.presence == Presence::Required
                        && !single_value(api, &f.ty))
                        || f.presence == Presence::RequiredNullable;
                    if in_constructor {
                        // As the emitter writes it: `impl Into<…>` in a model users build.
                        let arg = if crate::emit::models::takes_into_arg(&t.reach, &f.ty) {
                            format!("impl Into<{fty}>")
                        } else {
                            fty.clone()
                        };
                        ctor.push((f.rust_name.clone(), arg));
                    }
                    let mut field = child("field", fty)
                        .identity(format!("field:{key}:{}", f.name))
                        .aspect("wire name", &f.name)
                        .docs(f.docs.as_deref(), f.deprecated);
                    field.pointer = f.pointer.clone();
                    field.in_constructor = in_constructor;
                    if f.read_only {
                        field = field.aspect("read-only", "yes");
                    }
                    if let Some(d) = &f.default {
                        field = field.aspect("default", d.to_string());
                    }
                    s.insert(format!("{key}::{}", f.rust_name), field);
                }
                if let Some(extra) = &st.additional {
                    s.insert(
                        format!("{key}::{}", st.extra_field_name()),
                        child(
                            "field",
                            format!(
                                "std::collections::BTreeMap<String, {}>",
                                ty(extra, Ctx::Models)
                            ),
                        ),
                    );
                }
                let types: Vec<&str> = ctor.iter().map(|(_, t)| t.as_str()).collect();
                let named: Vec<String> = ctor.iter().map(|(n, t)| format!("{n}: {t}")).collect();
                let mut new = child("constructor", format!("fn({}) -> Self", types.join(", ")));
                new.shown = format!("fn new({}) -> Self", named.join(", "));
                new.parts = ctor;
                s.insert(format!("{key}::new"), new);
                if st
                    .fields
                    .iter()
                    .all(|f| matches!(f.presence, Presence::Optional | Presence::OptionalNullable))
                {
                    s.insert(
                        format!("impl Default for {key}"),
                        child("trait impl", "Default".into()),
                    );
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.variants {
                    s.insert(
                        format!("{key}::{}", v.rust_name),
                        child("enum variant", "unit variant".into())
                            .identity(format!("value:{key}:{}", v.value))
                            .aspect("wire value", v.value.to_string())
                            .docs(v.docs.as_deref(), false),
                    );
                }
            }
            TypeKind::Union(u) => {
                if let Some(tag) = &u.tag {
                    item = item.aspect("tag property", tag);
                } else {
                    // Without a tag a value is read as the first variant that accepts it.
                    let order: Vec<&str> =
                        u.variants.iter().map(|v| v.rust_name.as_str()).collect();
                    item = item.aspect(ORDER, order.join(", "));
                }
                for v in &u.variants {
                    let payload = ty(&v.ty, Ctx::Models);
                    // JSON, whatever the values are (strings, numbers, booleans).
                    let tags = serde_json::to_string(&v.tag_values).unwrap_or_default();
                    // A renamed variant keeps its payload (a tag value renamed with it shows
                    // in the change).
                    let id = payload.clone();
                    let mut variant = child("union variant", format!("({payload})"))
                        .identity(format!("variant:{key}:{id}"))
                        .docs(v.docs.as_deref(), false);
                    if u.tag.is_some() {
                        variant = variant.aspect("tag values", tags);
                    }
                    s.insert(format!("{key}::{}", v.rust_name), variant);
                }
            }
            TypeKind::Flags(fl) => {
                item = item.aspect(
                    "wire form",
                    if fl.as_string {
                        "decimal string"
                    } else {
                        "number"
                    },
                );
                for f in &fl.flags {
                    s.insert(
                        format!("{key}::{}", f.rust_name),
                        child("flag", "const Self".into())
                            .identity(format!("flag:{key}:{}", f.name))
                            .aspect("bit value", f.value.to_string())
                            .docs(f.docs.as_deref(), false),
                    );
                }
            }
            TypeKind::Alias(_) => {}
        }
        if t.reach.received && !matches!(t.kind, TypeKind::Alias(_)) {
            s.insert(
                format!("impl Deserialize for {key}"),
                child("trait impl", "Deserialize".into()),
            );
        }
        s.insert(key, item);
    }
    s.insert(
        "models::ErrorBody".to_string(),
        Item::new("enum", "enum", ""),
    );
    for (index, m) in api.error_models.iter().enumerate() {
        // The model's schema, or the first error response that uses it.
        let response = || {
            api.operations.iter().find_map(|o| {
                let e = o.errors.iter().find(|e| e.model == Some(index))?;
                let status = match e.status {
                    StatusMatch::Code(c) => c.to_string(),
                    StatusMatch::Range(r) => format!("{r}XX"),
                    StatusMatch::Default => "default".to_string(),
                };
                Some(format!("{}/responses/{status}", o.pointer))
            })
        };
        let pointer = match &m.ty {
            TypeRef::Named(n) => api.type_def(n).map(|d| d.pointer.clone()),
            _ => None,
        }
        .or_else(response)
        .unwrap_or_default();
        s.insert(
            format!("models::ErrorBody::{}", m.variant),
            Item::new(
                "error body variant",
                format!("({})", ty(&m.ty, Ctx::Models)),
                &pointer,
            )
            .parent("models::ErrorBody"),
        );
    }
    s
}

/// `query "limit" (form, explode)` and the like.
fn param_wire(p: &Param) -> String {
    let loc = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    let style = match p.style {
        ParamStyle::Form { explode: true } => "",
        ParamStyle::Form { explode: false } => ", form unexploded",
        ParamStyle::DeepObject => ", deepObject",
        ParamStyle::Simple => "",
        ParamStyle::Delimited(' ') => ", spaceDelimited",
        ParamStyle::Delimited(_) => ", pipeDelimited",
    };
    format!("{loc} \"{}\"{style}", p.name)
}

/// Joins the values of aspect `name` into one.
fn merge_aspect(item: &mut Item, name: &'static str) {
    let values: Vec<String> = item
        .behaviour
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v.clone())
        .collect();
    if values.len() > 1 {
        item.behaviour.retain(|(n, _)| *n != name);
        item.behaviour.push((name, values.join(", ")));
    }
}

fn removed_why(item: &Item) -> String {
    match item.what {
        "cargo feature" => "a Cargo.toml that enables the feature is rejected by cargo".into(),
        "trait impl" => format!(
            "code that relies on `{}` for it no longer compiles{}",
            item.sig,
            if item.sig == "Deserialize" {
                " (only requests use the model now; `Deserialize` needs the `deserialize-requests` feature)"
            } else if item.sig == "Default" {
                " (a field became required)"
            } else {
                ""
            }
        ),
        _ => "code that names it no longer compiles".into(),
    }
}

fn added_why(item: &Item) -> String {
    match item.what {
        "enum variant" | "union variant" | "error body variant" => {
            "the enum is #[non_exhaustive] with an Unknown variant: existing matches compile".into()
        }
        "field" if item.in_constructor => {
            "a new field breaks no reader (the struct is #[non_exhaustive]); the constructor's new argument is listed as breaking".into()
        }
        "field" => "the struct is #[non_exhaustive] and its constructor is unchanged".into(),
        "optional parameter" => {
            "the parameters struct is #[non_exhaustive] with Default: existing code compiles".into()
        }
        _ => "new item; nothing existing changes".into(),
    }
}

/// What changed in a signature, and why that breaks.
fn sig_change(old: &Item, new: &Item) -> (String, String) {
    let why = match old.what {
        "field" => presence_note(&old.sig, &new.sig)
            .map(|n| {
                format!("{n}: reading or setting the field with the old type no longer compiles")
            })
            .unwrap_or_else(|| {
                "reading or setting the field with the old type no longer compiles".to_string()
            }),
        "constructor" => "calls to `new` with the old arguments no longer compile".into(),
        "operation" => {
            "calls with the old arguments, or code using the old response type, no longer compile"
                .into()
        }
        "optional parameter" => "setting it with the old type no longer compiles".into(),
        "union variant" | "error body variant" => {
            "constructing or matching the variant with the old payload type no longer compiles"
                .into()
        }
        "tag module" => "code that names the old API struct no longer compiles".into(),
        _ => "code using the old signature no longer compiles".into(),
    };
    let mut change = if old.parts.is_empty() && new.parts.is_empty() {
        format!("`{}` -> `{}`", shown(&old.shown), shown(&new.shown))
    } else {
        let mut notes = Vec::new();
        let find = |parts: &[(String, String)], n: &str| {
            parts.iter().find(|(k, _)| k == n).map(|(_, t)| t.clone())
        };
        for (n, t) in &new.parts {
            match find(&old.parts, n) {
                None => notes.push(format!("`{n}: {}` added", shown(t))),
                Some(o) if &o != t => {
                    notes.push(format!("`{n}`: `{}` -> `{}`", shown(&o), shown(t)))
                }
                _ => {}
            }
        }
        for (n, _) in &old.parts {
            if find(&new.parts, n).is_none() {
                notes.push(format!("`{n}` removed"));
            }
        }
        if notes.is_empty() {
            notes.push("argument order changed".to_string());
        }
        notes.join("; ")
    };
    if old.what == "field" {
        if let Some(n) = presence_note(&old.sig, &new.sig) {
            change = format!("{n}: {change}");
        }
    }
    (change, why)
}

/// How a field's presence changed, read from the wrappers `models.rs` puts around its type.
fn presence_note(old: &str, new: &str) -> Option<&'static str> {
    fn split(s: &str) -> (&'static str, &str) {
        for (w, name) in [("Option<", "Option"), ("Nullable<", "Nullable")] {
            if let Some(inner) = s.strip_prefix(w).and_then(|r| r.strip_suffix('>')) {
                return (name, inner);
            }
        }
        ("", s)
    }
    let ((ow, oi), (nw, ni)) = (split(old), split(new));
    if oi != ni || ow == nw {
        return None;
    }
    Some(match (ow, nw) {
        ("Option", "") => "optional field made required",
        ("", "Option") => "required field made optional or nullable",
        ("Option", "Nullable") => {
            "field made nullable (Option -> Nullable: absent, null or a value)"
        }
        ("Nullable", "Option") => "field no longer nullable (Nullable -> Option)",
        ("Nullable", "") => "field made required and non-null",
        ("", "Nullable") => "required field made optional and nullable",
        _ => return None,
    })
}

/// A change of the features that compile an item: (what, whether it breaks, why).
fn feature_change(old: &Item, new: &Item) -> Option<(String, bool, String)> {
    let (a, b): (BTreeSet<&String>, BTreeSet<&String>) =
        (old.features.iter().collect(), new.features.iter().collect());
    if a == b {
        return None;
    }
    let list = |s: &BTreeSet<&String>| {
        if s.is_empty() {
            "always".to_string()
        } else {
            s.iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        }
    };
    let change = format!("compiled with: {} -> {}", list(&a), list(&b));
    // Compiled in every configuration where it was before: always now, or every old feature
    // still enables it.
    let narrower = !b.is_empty() && (a.is_empty() || !a.is_subset(&b));
    if narrower {
        let lost: Vec<String> = if a.is_empty() {
            vec!["no feature".to_string()]
        } else {
            a.difference(&b).map(|f| format!("\"{f}\"")).collect()
        };
        Some((
            change,
            true,
            format!(
                "a build with {} (without {}) no longer has it",
                lost.join(" or "),
                list(&b)
            ),
        ))
    } else {
        Some((change, false, "compiled in more configurations".to_string()))
    }
}

/// The run-time aspects that differ between two versions of an item: (aspect, old, new).
fn aspect_diffs(old: &Item, new: &Item) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let aspects: BTreeSet<&'static str> = old
        .behaviour
        .iter()
        .chain(&new.behaviour)
        .map(|(n, _)| *n)
        .collect();
    let get = |i: &Item, aspect: &str| {
        i.behaviour
            .iter()
            .find(|(n, _)| *n == aspect)
            .map(|(_, v)| v.clone())
    };
    aspects
        .into_iter()
        .map(|a| (a, get(old, a), get(new, a)))
        .filter(|(a, x, y)| x != y && !(*a == ORDER && same_order(x, y)))
        .collect()
}

/// The aspect of an untagged union that lists its variants in the order they are tried.
const ORDER: &str = "variants tried in order";

/// Whether the variants both lists have are in the same order (a variant added or removed is
/// reported as such; only a reordering changes how the others are read).
fn same_order(x: &Option<String>, y: &Option<String>) -> bool {
    let (Some(x), Some(y)) = (x, y) else {
        return true;
    };
    let (x, y): (Vec<&str>, Vec<&str>) = (x.split(", ").collect(), y.split(", ").collect());
    let common = |a: &[&str], b: &[&str]| -> Vec<String> {
        a.iter()
            .filter(|v| b.contains(v))
            .map(|v| v.to_string())
            .collect()
    };
    common(&x, &y) == common(&y, &x)
}

fn aspect_change(aspect: &str, old: Option<&str>, new: Option<&str>) -> String {
    let short = |s: &str| {
        let s = s.trim().replace('\n', " ");
        if s.chars().count() > 100 {
            format!("{}…", s.chars().take(100).collect::<String>())
        } else {
            s
        }
    };
    match (aspect, old, new) {
        ("documentation", _, _) => "documentation changed".to_string(),
        ("deprecated", None, Some(_)) => "deprecated".to_string(),
        ("deprecated", Some(_), None) => "no longer deprecated".to_string(),
        (_, None, Some(n)) => format!("{aspect}: now {}", short(n)),
        (_, Some(o), None) => format!("{aspect}: was {}, now none", short(o)),
        (_, Some(o), Some(n)) => format!("{aspect}: {} -> {}", short(o), short(n)),
        (_, None, None) => aspect.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use std::path::{Path, PathBuf};

    fn specs() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut specs: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/types"))
            .unwrap()
            .map(|e| e.unwrap().path().join("openapi.yaml"))
            .filter(|p| p.exists())
            .collect();
        specs.push(root.join("../tests/fixtures/api_diff/base.yaml"));
        specs.push(root.join("../spec/openapi.yaml"));
        specs.sort();
        let upstream = root.join("../../shared/specs/fluxer/openapi.json");
        if upstream.exists() {
            specs.push(upstream);
        } else if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{} is missing (CI=true)", upstream.display());
        } else {
            eprintln!(
                "\n*** SKIPPED: {} not found; the surface was checked on the fixtures only ***\n",
                upstream.display()
            );
        }
        specs
    }

    fn squash(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn tokens(t: &impl quote::ToTokens) -> String {
        squash(&t.to_token_stream().to_string())
    }

    /// The surface says what the emitters print: every field, constructor, variant, operation
    /// method and optional parameter of the generated code (read back with syn) is an item of
    /// the surface with the same signature, and the other way round.
    #[test]
    fn surface_is_what_the_generated_code_declares() {
        for spec in specs() {
            let config = Config::default();
            let api = crate::build_ir(&spec, &config).unwrap();
            let out = crate::generate(&spec, &config).unwrap();
            let surface = surface(&api);
            let mut seen: BTreeMap<String, String> = BTreeMap::new();
            let mut sends: BTreeMap<String, String> = BTreeMap::new();
            // Items compared by name only.
            let mut names: BTreeSet<String> = BTreeSet::new();
            let manifest = &out.files[Path::new("Cargo.toml")];
            let features = manifest.split("[features]").nth(1).unwrap();
            let features = features.split("\n[").next().unwrap();
            for line in features.lines().filter(|l| !l.starts_with('#')) {
                if let Some((name, _)) = line.split_once(" = ") {
                    if ![
                        "default",
                        "native-tls",
                        "rustls-tls",
                        "streams",
                        "test-registry",
                    ]
                    .contains(&name)
                    {
                        names.insert(format!("feature \"{name}\""));
                    }
                }
            }
            let apis_mod = syn::parse_file(&out.files[Path::new("src/apis/mod.rs")]).unwrap();
            for item in &apis_mod.items {
                match item {
                    syn::Item::Mod(m) => {
                        names.insert(format!("apis::{}", m.ident));
                    }
                    syn::Item::Static(st) if matches!(st.vis, syn::Visibility::Public(_)) => {
                        names.insert(format!("apis::{}", st.ident));
                    }
                    syn::Item::Impl(i) => {
                        let ty = tokens(&i.self_ty).replace("crate::runtime::", "");
                        for f in &i.items {
                            let syn::ImplItem::Fn(f) = f else { continue };
                            let name = f.sig.ident.to_string();
                            if ty == "Client" && name == "request" {
                                // Raw requests: the same in every crate, not part of the surface.
                            } else if ty == "Client" && !name.starts_with("with_") {
                                // A tag's accessor: part of the tag module's item.
                                names.insert(format!("apis::{name}"));
                            } else {
                                names.insert(format!("{ty}::{name}"));
                            }
                        }
                    }
                    _ => {}
                }
            }
            for (path, text) in &out.files {
                let path = path.to_string_lossy();
                let prefix = if path == "src/models.rs" {
                    "models".to_string()
                } else if let Some(m) = path
                    .strip_prefix("src/apis/")
                    .and_then(|m| m.strip_suffix(".rs"))
                    .filter(|m| *m != "mod")
                {
                    format!("apis::{m}")
                } else {
                    continue;
                };
                let file = syn::parse_file(text).unwrap();
                for item in &file.items {
                    match item {
                        syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
                            let derives_default = s.attrs.iter().any(|a| {
                                a.path().is_ident("derive") && tokens(&a.meta).contains("Default")
                            });
                            if prefix == "models"
                                && derives_default
                                && !matches!(s.fields, syn::Fields::Unnamed(_))
                            {
                                names.insert(format!("impl Default for models::{}", s.ident));
                            }
                            for f in &s.fields {
                                let public = matches!(f.vis, syn::Visibility::Public(_));
                                if let Some(id) = f.ident.as_ref().filter(|_| public) {
                                    seen.insert(
                                        format!("{prefix}::{}::{id}", s.ident),
                                        tokens(&f.ty),
                                    );
                                }
                            }
                        }
                        syn::Item::Enum(e) if e.ident != "ErrorBody" => {
                            for v in e.variants.iter().filter(|v| v.ident != "Unknown") {
                                let sig = match &v.fields {
                                    syn::Fields::Unit => "unitvariant".to_string(),
                                    fields => tokens(fields),
                                };
                                seen.insert(format!("{prefix}::{}::{}", e.ident, v.ident), sig);
                            }
                        }
                        syn::Item::Impl(i) if i.trait_.is_none() => {
                            let self_ty = tokens(&i.self_ty);
                            let self_ty = self_ty.split('<').next().unwrap().to_string();
                            for f in &i.items {
                                if let syn::ImplItem::Const(c) = f {
                                    names.insert(format!("models::{self_ty}::{}", c.ident));
                                }
                                let syn::ImplItem::Fn(f) = f else { continue };
                                let args: Vec<String> = f
                                    .sig
                                    .inputs
                                    .iter()
                                    .map(|a| match a {
                                        syn::FnArg::Receiver(_) => "&self".to_string(),
                                        syn::FnArg::Typed(t) => tokens(&t.ty),
                                    })
                                    .collect();
                                let ret = match &f.sig.output {
                                    syn::ReturnType::Default => String::new(),
                                    syn::ReturnType::Type(_, t) => tokens(t),
                                };
                                let name = f.sig.ident.to_string();
                                if prefix == "models" && name == "new" {
                                    seen.insert(
                                        format!("models::{self_ty}::new"),
                                        format!("fn({})->{ret}", args.join(",")),
                                    );
                                } else if prefix != "models" && self_ty.ends_with("Api") {
                                    seen.insert(
                                        format!("{prefix}::{self_ty}::{name}"),
                                        format!("fn({})->{ret}", args.join(",")),
                                    );
                                } else if prefix != "models" && name == "send" {
                                    // A request builder: what the operation sends, below.
                                    sends.insert(format!("{self_ty}<'a>"), ret);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            // An operation returning a builder: its signature names what the builder sends.
            for sig in seen.values_mut() {
                if let Some((_, builder)) = sig.rsplit_once("->") {
                    if let Some(sent) = sends.get(builder) {
                        *sig = format!("{sig}(sends:{sent})");
                    }
                }
            }
            // Extra-properties maps and parameter setters are not compared one by one.
            let compared = |k: &str, i: &Item| {
                matches!(
                    i.what,
                    "field"
                        | "constructor"
                        | "enum variant"
                        | "union variant"
                        | "operation"
                        | "optional parameter"
                ) && !k.ends_with("::additional_properties")
            };
            for (k, item) in surface.iter().filter(|(k, i)| compared(k, i)) {
                let code = seen.get(k).unwrap_or_else(|| {
                    panic!("{}: `{k}` is not in the generated code", spec.display())
                });
                assert_eq!(&squash(&item.sig), code, "{}: `{k}`", spec.display());
            }
            for k in seen.keys().chain(&names) {
                assert!(
                    surface.contains_key(k),
                    "{}: the generated code declares `{k}`, the surface does not",
                    spec.display()
                );
            }
            let by_name = |k: &str, i: &Item| {
                matches!(
                    i.what,
                    "cargo feature" | "tag module" | "credential setter" | "static" | "flag"
                ) || k.starts_with("impl Default for ")
            };
            for (k, _) in surface.iter().filter(|(k, i)| by_name(k, i)) {
                assert!(
                    names.contains(k),
                    "{}: `{k}` is not in the generated code",
                    spec.display()
                );
            }
        }
    }

    /// Every item's pointer is a node of the document the user wrote.
    #[test]
    fn pointers_name_nodes_of_the_document() {
        let mut specs = specs();
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/corpus");
        // Big documents full of `allOf`, `$ref`s and inline schemas.
        for name in ["stripe.yaml", "openai.yaml"] {
            if corpus.join(name).exists() {
                specs.push(corpus.join(name));
            } else if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{} is missing (CI=true)", corpus.join(name).display());
            } else {
                eprintln!(
                    "\n*** SKIPPED: {} not found ***\n",
                    corpus.join(name).display()
                );
            }
        }
        for spec in specs {
            let config = Config::default();
            let api = crate::build_ir(&spec, &config).unwrap();
            let doc = crate::load::load_file(&spec).unwrap();
            for (k, item) in surface(&api) {
                assert!(
                    doc.root.pointer(&item.pointer).is_some(),
                    "{}: `{k}` points at {}, which is not in the document",
                    spec.display(),
                    item.pointer
                );
            }
        }
    }

    /// The JSON report says what the text says: counts, bump, item, document and pointer.
    #[test]
    fn reports_name_the_item_the_pointer_and_the_bump() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let base = root.join("../tests/fixtures/api_diff/base.yaml");
        let text = std::fs::read_to_string(&base).unwrap();
        let edited = text.replace("enum: [online, offline, idle]", "enum: [online, offline]");
        assert_ne!(text, edited);
        let dir = std::env::temp_dir().join(format!("codegen-diff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let new = dir.join("new.yaml");
        std::fs::write(&new, edited).unwrap();
        let config = Config::default();
        let report = compare(
            &crate::build_ir(&base, &config).unwrap(),
            &crate::build_ir(&new, &config).unwrap(),
        );
        let _ = std::fs::remove_dir_all(&dir);
        let json = report.json("old.yaml", "new.yaml", "0.3.1");
        assert_eq!(
            json["counts"],
            json!({"breaking": 1, "additive": 0, "behaviour": 0})
        );
        assert_eq!(
            json["semver"],
            json!({"from": "0.3.1", "bump": "minor", "to": "0.4.0"})
        );
        let change = &json["changes"][0];
        assert_eq!(change["item"], "models::Status::Idle");
        assert_eq!(change["document"], "old");
        assert_eq!(change["pointer"], "/components/schemas/Status");
        assert_eq!(change["change"], "enum variant removed");
        let text = report.text("old.yaml", "new.yaml", "0.3.1");
        assert!(
            text.contains("breaking (1)\n  models::Status::Idle  [old#/components/schemas/Status]\n      enum variant removed\n      why: code that names it no longer compiles\n"),
            "{text}"
        );
        assert!(text.ends_with("semver: minor bump (0.x: breaking bumps the minor, the rest the patch): 0.3.1 -> 0.4.0\n"), "{text}");
    }

    #[test]
    fn semver_bumps_follow_the_pre_1_0_rule() {
        let change = |kind| Change {
            kind,
            item: "x".into(),
            pointer: String::new(),
            side: Side::New,
            change: String::new(),
            why: String::new(),
        };
        let report = |kinds: &[Kind]| Report {
            changes: kinds.iter().map(|k| change(*k)).collect(),
        };
        let breaking = report(&[Kind::Additive, Kind::Breaking]);
        assert_eq!(breaking.next_version("0.1.3"), "0.2.0");
        assert_eq!(breaking.next_version("1.4.2"), "2.0.0");
        let additive = report(&[Kind::Additive, Kind::Behaviour]);
        assert_eq!(additive.next_version("0.1.3"), "0.1.4");
        assert_eq!(additive.next_version("1.4.2"), "1.5.0");
        let behaviour = report(&[Kind::Behaviour]);
        assert_eq!(behaviour.bump("1.4.2"), Bump::Patch);
        assert_eq!(report(&[]).bump("0.1.0"), Bump::None);
        assert_eq!(report(&[]).next_version("0.1.0"), "0.1.0");
    }

    #[test]
    fn changelog_sections_go_on_top_of_the_older_ones() {
        assert_eq!(
            insert_changelog(None, "## 0.2.0\n"),
            "# Changelog\n\n## 0.2.0\n"
        );
        assert_eq!(
            insert_changelog(
                Some("# Changes\n\nIntro.\n\n## 0.1.0\n\n- first\n"),
                "## 0.2.0\n"
            ),
            "# Changes\n\nIntro.\n\n## 0.2.0\n\n## 0.1.0\n\n- first\n"
        );
        assert_eq!(
            insert_changelog(Some("# Changes\nno sections"), "## 0.2.0\n"),
            "# Changes\nno sections\n\n## 0.2.0\n"
        );
    }

    #[test]
    fn only_a_reordering_of_untagged_variants_is_a_change() {
        let o = |s: &str| Some(s.to_string());
        assert!(same_order(&o("A, B"), &o("A, B, C")));
        assert!(same_order(&o("A, B, C"), &o("A, C")));
        assert!(same_order(&o("A, B"), &o("C, A, B")));
        assert!(!same_order(&o("A, B"), &o("B, A")));
        assert!(!same_order(&o("A, B, C"), &o("A, C, B, D")));
    }

    #[test]
    fn presence_changes_are_named() {
        assert_eq!(
            presence_note("Option<String>", "String"),
            Some("optional field made required")
        );
        assert!(presence_note("Option<String>", "Nullable<String>")
            .unwrap()
            .starts_with("field made nullable"));
        assert_eq!(presence_note("Option<String>", "Option<i64>"), None);
    }
}
