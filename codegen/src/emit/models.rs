//! `src/models.rs`: one Rust type per named schema, plus the crate-wide error body enum.
//!
//! Written as text rather than tokens: this file is most of a large SDK (7.3 MB of Stripe's
//! 8.5 MB of Rust) and its shapes are few and regular, while building token trees, parsing them
//! back with syn and printing them with prettyplease took most of the generator's time. The
//! layout follows prettyplease's; tests parse the output with syn and compile it.

use super::rust::{doc_lines, lit, ty_text, Ctx};
use crate::ir::*;
use std::fmt::Write;

/// The start of `models.rs`: the generated-file header, module docs, lints, imports. Then come
/// [`types`] (in runs) and [`error_body`]; every part is whole items.
pub fn header() -> String {
    format!(
        "{}//! Request and response models.\n#![allow(deprecated)]\n\
         #![allow(clippy::large_enum_variant, clippy::too_many_arguments)]\n\
         #![allow(clippy::should_implement_trait, clippy::wrong_self_convention)]\n\
         #[allow(unused_imports)]\nuse crate::types::Nullable;\n",
        super::HEADER
    )
}

/// The items of `api.types[range]`.
pub fn types(api: &Api, range: std::ops::Range<usize>) -> String {
    let mut out = String::with_capacity(range.len() * 1024);
    for t in &api.types[range] {
        type_def(api, t, &cfg_for(api, &t.reach), &mut out);
    }
    out
}

/// `#[cfg(any(feature = …))]` (with its line end) for a type reached only by some tags'
/// operations, or by types no operation uses (`extra-models`); empty for the others. It goes
/// on every item of the type (a type and its impls go together).
pub fn cfg_for(api: &Api, reach: &Reach) -> String {
    let mut features: Vec<&str> = reach
        .tags
        .iter()
        .map(|&i| api.tags[i].feature.as_str())
        .collect();
    if reach.extra {
        features.push(EXTRA_MODELS_FEATURE);
    }
    match features.as_slice() {
        [] => String::new(),
        [one] => format!("#[cfg(feature = {one:?})]\n"),
        many => {
            let list: Vec<String> = many.iter().map(|f| format!("feature = {f:?}")).collect();
            format!("#[cfg(any({}))]\n", list.join(", "))
        }
    }
}

fn type_def(api: &Api, t: &TypeDef, cfg: &str, out: &mut String) {
    out.push_str(cfg);
    // The spec's description or none: a sentence made of the name ("The `Foo` model.") tells
    // the reader nothing, so an undescribed type says so to `missing_docs` instead.
    let mut text = t.docs.clone().unwrap_or_default();
    if let TypeKind::Struct(s) = &t.kind {
        text.push_str(&const_docs(s));
    }
    docs_or_allow(&text, "", out);
    if t.deprecated {
        out.push_str("#[deprecated]\n");
    }
    let name = t.name.as_str();
    match &t.kind {
        TypeKind::Struct(s) => structure(name, cfg, &t.reach, s, out),
        TypeKind::Enum(e) => enumeration(name, cfg, e, out),
        TypeKind::Union(u) => {
            let keys: Vec<_> = u
                .variants
                .iter()
                .map(|v| declared_keys(api, &v.ty))
                .collect();
            union(name, cfg, t.reach.received, u, &keys, out);
            if builds(&t.reach) {
                union_froms(api, name, cfg, u, out);
            }
        }
        TypeKind::Alias(target) => {
            out.push_str("pub type ");
            out.push_str(name);
            out.push_str(" = ");
            ty_text(target, Ctx::Models, out);
            out.push_str(";\n");
        }
        TypeKind::Flags(f) => flags(name, cfg, f, out),
    }
}

/// `///` lines of `text`, or, when it is empty (the spec describes nothing), an allow of
/// `missing_docs` (which the crate root warns of) on this one item: the gap is the spec's.
fn docs_or_allow(text: &str, indent: &str, out: &mut String) {
    if text.trim().is_empty() {
        out.push_str(indent);
        out.push_str("#[allow(missing_docs)]\n");
    } else {
        doc_lines(text, indent, out);
    }
}

/// Types only requests use get `Deserialize` only on request (`deserialize-requests`): the SDK
/// never reads them, and serde impls are most of what a large crate spends compiling.
fn request_mode(received: bool) -> &'static str {
    if received {
        ""
    } else {
        "request "
    }
}

/// How a constructor or setter takes a value of type `t`: `impl Into<T>` where that accepts
/// more than `T` itself (`&str` for `String`, `u64` for `Snowflake`, a variant for a union, an
/// array for a `Vec`), and `T` for numbers, booleans and JSON values, where `impl Into` would
/// leave a literal's type ambiguous (`5` is an `i32`, which is not `Into<u64>`).
fn takes_into(t: &TypeRef) -> bool {
    match t {
        TypeRef::Prim(p) => matches!(p, Prim::String | Prim::Uri | Prim::Uuid | Prim::Snowflake),
        TypeRef::Any => false,
        _ => true,
    }
}

/// Whether a model gets chained setters (and `impl Into` constructor arguments):
/// [`Reach::built`], a request body or parameter uses it (or only types no operation uses do).
/// A model only responses use is read, not built, and stays without them (less to compile).
fn builds(reach: &Reach) -> bool {
    reach.built
}

/// Whether a constructor argument of type `t` in a model reached as `reach` is `impl Into`
/// (for the API diff, which names the signature the emitter prints).
pub(crate) fn takes_into_arg(reach: &Reach, t: &TypeRef) -> bool {
    builds(reach) && takes_into(t)
}

fn structure(name: &str, cfg: &str, reach: &Reach, s: &StructDef, out: &mut String) {
    let received = reach.received;
    let builder = builds(reach);
    let all_optional = s
        .fields
        .iter()
        .all(|f| matches!(f.presence, Presence::Optional | Presence::OptionalNullable));
    let default = if all_optional { ", Default" } else { "" };
    let _ = write!(
        out,
        "#[derive(Clone, Debug, PartialEq{default})]\n#[non_exhaustive]\npub struct {name} {{\n"
    );
    let mut wire = String::new();
    let mut ctor_args: Vec<String> = Vec::new();
    let mut ctor_init: Vec<String> = Vec::new();
    let mut setters = String::new();
    for f in &s.fields {
        let mut text = f.docs.clone().unwrap_or_default();
        if f.read_required {
            text.push_str(
                "\n\nRead-only: set by the server, which always sends it; leave it out of requests.",
            );
        } else if f.read_only {
            text.push_str("\n\nRead-only: set by the server; leave it out of requests.");
        }
        if let Some(d) = &f.default {
            text.push_str(&format!("\n\nDefault: `{d}`."));
        }
        docs_or_allow(text.trim_start(), "    ", out);
        if f.deprecated {
            out.push_str("    #[deprecated]\n");
        }
        let mut field_ty = String::new();
        let presence = match f.presence {
            Presence::Required => {
                ty_text(&f.ty, Ctx::Models, &mut field_ty);
                "required"
            }
            Presence::RequiredNullable => {
                field_ty.push_str("Option<");
                ty_text(&f.ty, Ctx::Models, &mut field_ty);
                field_ty.push('>');
                "required_nullable"
            }
            Presence::Optional => {
                field_ty.push_str("Option<");
                ty_text(&f.ty, Ctx::Models, &mut field_ty);
                field_ty.push('>');
                if f.read_required {
                    "read_required"
                } else {
                    "optional"
                }
            }
            Presence::OptionalNullable => {
                field_ty.push_str("Nullable<");
                ty_text(&f.ty, Ctx::Models, &mut field_ty);
                field_ty.push('>');
                if f.read_required {
                    "read_required_nullable"
                } else {
                    "optional_nullable"
                }
            }
        };
        let fname = f.rust_name.as_str();
        let _ = writeln!(out, "    pub {fname}: {field_ty},");
        let _ = writeln!(wire, "    {fname} = {} {presence},", lit(&f.name));
        match f.presence {
            Presence::Required | Presence::RequiredNullable if builder && takes_into(&f.ty) => {
                ctor_args.push(format!("{fname}: impl Into<{field_ty}>"));
                ctor_init.push(format!("{fname}: {fname}.into()"));
            }
            Presence::Required | Presence::RequiredNullable => {
                ctor_args.push(format!("{fname}: {field_ty}"));
                ctor_init.push(fname.to_string());
            }
            _ => {
                ctor_init.push(format!("{fname}: Default::default()"));
                if builder && !f.read_only && fname != "new" {
                    setter(f, &mut setters);
                }
            }
        }
    }
    // An optional constant is written unless the value was read without it: a private field
    // remembers which (`ConstPresence`), so reading and writing again changes nothing.
    for c in s.consts.iter().filter(|c| !c.required) {
        let _ = writeln!(out, "    {}: crate::types::ConstPresence,", c.rust_name);
        ctor_init.push(format!("{}: Default::default()", c.rust_name));
    }
    let mut extra = "";
    if let Some(extra_ty) = &s.additional {
        extra = s.extra_field_name();
        out.push_str("    /// Properties beyond the declared ones, by name.\n");
        let _ = write!(out, "    pub {extra}: std::collections::BTreeMap<String, ");
        ty_text(extra_ty, Ctx::Models, out);
        out.push_str(">,\n");
        ctor_init.push(format!("{extra}: Default::default()"));
    }
    if out.ends_with(" {\n") {
        // No fields (only constants, or nothing): `{}` on one line, as prettyplease prints it.
        out.truncate(out.len() - 1);
    }
    out.push_str("}\n");

    out.push_str(cfg);
    let mode = request_mode(received);
    if wire.is_empty() {
        let _ = write!(out, "crate::types::serde_struct!({mode}{name} {{}}");
    } else {
        let _ = write!(out, "crate::types::serde_struct!({mode}{name} {{\n{wire}}}");
    }
    // Required constants (`const { … required }`), then optional ones (`const_optional`, each
    // a private `ConstPresence` field).
    for (group, required, suffix) in [("const", true, " required"), ("const_optional", false, "")] {
        if !s.consts.iter().any(|c| c.required == required) {
            continue;
        }
        let _ = writeln!(out, ", {group} {{");
        for c in s.consts.iter().filter(|c| c.required == required) {
            let (local, wire, value) = (&c.rust_name, lit(&c.name), const_lit(&c.value));
            let _ = writeln!(out, "    {local} = {wire} {value}{suffix},");
        }
        out.push('}');
    }
    if !extra.is_empty() {
        out.push(' ');
        out.push_str(extra);
    }
    out.push_str(");\n");

    out.push_str(cfg);
    let ctor_doc = if ctor_args.is_empty() {
        "A value with every optional field left out."
    } else {
        "A value from its required fields; optional fields are left out."
    };
    let _ = write!(
        out,
        "impl {name} {{\n    /// {ctor_doc}\n    #[allow(clippy::new_without_default)]\n    #[inline]\n    pub fn new("
    );
    out.push_str(&ctor_args.join(", "));
    out.push_str(") -> Self {\n");
    if ctor_init.is_empty() {
        out.push_str("        Self {}\n");
    } else {
        out.push_str("        Self {\n");
        for init in &ctor_init {
            let _ = writeln!(out, "            {init},");
        }
        out.push_str("        }\n");
    }
    out.push_str("    }\n");
    out.push_str(&setters);
    out.push_str("}\n");
}

/// A chained setter of an optional field (inside the model's `impl`): `Option<T>` fields take
/// the value, `Nullable<T>` ones anything that converts into `Nullable<T>` (a value, `&str`
/// for strings, `Nullable::Null` to clear the field, an `Option` whose `None` is `null`).
fn setter(f: &Field, out: &mut String) {
    let fname = f.rust_name.as_str();
    let mut ty = String::new();
    ty_text(&f.ty, Ctx::Models, &mut ty);
    let (arg, value) = match f.presence {
        Presence::OptionalNullable => (
            format!("impl Into<Nullable<{ty}>>"),
            "value.into()".to_string(),
        ),
        _ if takes_into(&f.ty) => (format!("impl Into<{ty}>"), "Some(value.into())".to_string()),
        _ => (ty, "Some(value)".to_string()),
    };
    let clear = if f.presence == Presence::OptionalNullable {
        " (`Nullable::Null` sends `null`, clearing it)"
    } else {
        ""
    };
    let _ = writeln!(out, "    /// Sets `{}`{clear}.", f.name.replace('`', "'"));
    if f.deprecated {
        out.push_str("    #[deprecated]\n");
    }
    out.push_str("    #[inline]\n");
    let head = format!("    pub fn {fname}(mut self, value: {arg}) -> Self {{");
    if head.len() > super::rust::MARGIN {
        let _ = writeln!(
            out,
            "    pub fn {fname}(\n        mut self,\n        value: {arg},\n    ) -> Self {{"
        );
    } else {
        out.push_str(&head);
        out.push('\n');
    }
    let _ = writeln!(out, "        self.{fname} = {value};\n        self\n    }}");
}

/// `From<variant type> for Union` for a union the SDK sends, so a variant's value goes where
/// the union is expected; only for variant types no other variant shares (and not JSON
/// values, which `Unknown` holds too).
fn union_froms(api: &Api, name: &str, cfg: &str, u: &UnionDef, out: &mut String) {
    // Compared through aliases (`pub type Id = String` is `String` to the trait solver).
    let resolved = |t: &TypeRef| {
        let mut t = t;
        for _ in 0..16 {
            match t {
                TypeRef::Named(n) => match api.type_def(n).map(|d| &d.kind) {
                    Some(TypeKind::Alias(target)) => t = target,
                    _ => break,
                },
                _ => break,
            }
        }
        let mut text = String::new();
        ty_text(t, Ctx::Models, &mut text);
        text
    };
    let keys: Vec<String> = u.variants.iter().map(|v| resolved(&v.ty)).collect();
    for (v, key) in u.variants.iter().zip(&keys) {
        let mut t = String::new();
        ty_text(&v.ty, Ctx::Models, &mut t);
        if key == "serde_json::Value"
            || key == name
            || keys.iter().filter(|other| *other == key).count() > 1
        {
            continue;
        }
        out.push_str(cfg);
        let _ = writeln!(
            out,
            "impl From<{t}> for {name} {{\n    #[inline]\n    fn from(value: {t}) -> Self {{\n        Self::{}(value)\n    }}\n}}",
            v.rust_name
        );
    }
}

/// A constant property's value as a Rust literal the model macros read and write: a string,
/// an `i64`, or a boolean (the IR holds no other kind of constant).
fn const_lit(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => lit(s),
        serde_json::Value::Number(n) => format!("{}_i64", n.as_i64().unwrap_or_default()),
        other => other.to_string(),
    }
}

/// A tag value as a pattern of `crate::types::Tag`.
fn tag_pattern(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("Str({})", lit(s)),
        serde_json::Value::Number(n) => format!("Int({})", n.as_i64().unwrap_or_default()),
        other => format!("Bool({other})"),
    }
}

/// A line of a struct's docs per constant property: what it always holds.
fn const_docs(s: &StructDef) -> String {
    let mut out = String::new();
    for c in &s.consts {
        let _ = write!(
            out,
            "\n\nAlways sends `{}: {}` (its only allowed value; reading another is an error{}).",
            c.name,
            c.value,
            if c.required {
                ""
            } else {
                "; a value read without it is written without it"
            }
        );
        if let Some(d) = &c.docs {
            out.push(' ');
            out.push_str(d);
            if !d.ends_with(['.', '!', '?']) {
                out.push('.');
            }
        }
    }
    out
}

fn enumeration(name: &str, cfg: &str, e: &EnumDef, out: &mut String) {
    let (derive, unknown, mac) = match e.repr {
        EnumRepr::String => ("Clone, Debug", "String", "string_enum"),
        EnumRepr::Integer => ("Clone, Copy, Debug", "i64", "int_enum"),
    };
    let _ = write!(
        out,
        "#[derive({derive}, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum {name} {{\n"
    );
    let mut values = String::new();
    for v in &e.variants {
        let d = v.docs.clone().unwrap_or_else(|| format!("`{}`", v.value));
        doc_lines(&d, "    ", out);
        let _ = writeln!(out, "    {},", v.rust_name);
        let value = match e.repr {
            EnumRepr::String => lit(v.value.as_str().unwrap_or_default()),
            EnumRepr::Integer => v.value.as_i64().unwrap_or_default().to_string(),
        };
        let _ = writeln!(values, "    {} = {value},", v.rust_name);
    }
    let _ = write!(
        out,
        "    /// A value this version of the SDK does not know; kept as received and sent back unchanged.\n    Unknown({unknown}),\n}}\n"
    );
    out.push_str(cfg);
    if values.is_empty() {
        let _ = writeln!(out, "crate::types::{mac}!({name} {{}});");
    } else {
        let _ = writeln!(out, "crate::types::{mac}!({name} {{\n{values}}});");
    }
}

/// The wire names a variant declares, when it is a struct that keeps no other property, and
/// those of them that keep a `null` (the others read it as absent): an untagged union prefers
/// a variant whose lists hold every key of an object.
fn declared_keys(api: &Api, ty: &TypeRef) -> Option<DeclaredKeys> {
    let mut ty = ty;
    // Through boxes and aliases, a bounded number of steps (alias chains end).
    for _ in 0..16 {
        match ty {
            TypeRef::Boxed(inner) => ty = inner,
            TypeRef::Named(n) => match &api.type_def(n)?.kind {
                TypeKind::Alias(target) => ty = target,
                TypeKind::Struct(s) if s.additional.is_none() => {
                    let keeps_null = |f: &Field| match f.presence {
                        Presence::RequiredNullable | Presence::OptionalNullable => true,
                        Presence::Required => matches!(f.ty, TypeRef::Any | TypeRef::Option(_)),
                        Presence::Optional => false,
                    };
                    let fields = s.fields.iter().map(|f| &f.name);
                    return Some(DeclaredKeys {
                        all: fields
                            .chain(s.consts.iter().map(|c| &c.name))
                            .cloned()
                            .collect(),
                        keeping_null: s
                            .fields
                            .iter()
                            .filter(|f| keeps_null(f))
                            .map(|f| f.name.clone())
                            .chain(
                                s.consts
                                    .iter()
                                    .filter(|c| c.value.is_null())
                                    .map(|c| c.name.clone()),
                            )
                            .collect(),
                    });
                }
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}

/// What [`declared_keys`] gives: every wire name, and those whose `null` is kept.
#[derive(Clone)]
struct DeclaredKeys {
    all: Vec<String>,
    keeping_null: Vec<String>,
}

/// `keys[i]`: what [`declared_keys`] gives for variant `i` (read for untagged unions only).
fn union(
    name: &str,
    cfg: &str,
    received: bool,
    u: &UnionDef,
    keys: &[Option<DeclaredKeys>],
    out: &mut String,
) {
    match &u.tag {
        Some(tag) => {
            let _ = writeln!(
                out,
                "///\n/// Told apart by the `{tag}` property: its value selects the variant; a value no\n/// variant lists is kept as `Unknown`."
            );
            if u.variants.iter().any(|v| v.not_object) {
                out.push_str(
                    "/// A value that is not an object is read as the first variant that is not an object\n/// and accepts it.\n",
                );
            }
        }
        None => out.push_str(
            "///\n/// Read as the first variant that accepts the value, in the order listed, except that\n/// for an object a variant that declares every property it holds wins over an earlier one\n/// that would drop some; a value none accepts is kept as `Unknown`.\n",
        ),
    }
    out.push_str("#[derive(Clone, Debug, PartialEq)]\n#[non_exhaustive]\n");
    let _ = writeln!(out, "pub enum {name} {{");
    for v in &u.variants {
        let values: Vec<String> = v.tag_values.iter().map(|t| format!("`{t}`")).collect();
        let d = match (&v.docs, values.is_empty()) {
            (Some(d), true) => d.clone(),
            (Some(d), false) => format!("{d}\n\nSelected by {}.", values.join(", ")),
            (None, false) => format!("Selected by {}.", values.join(", ")),
            (None, true) => format!("A `{}`.", v.rust_name),
        };
        doc_lines(&d, "    ", out);
        let _ = write!(out, "    {}(", v.rust_name);
        ty_text(&v.ty, Ctx::Models, out);
        out.push_str("),\n");
    }
    out.push_str(if u.tag.is_some() {
        "    /// A variant this version of the SDK does not know; kept as received.\n"
    } else {
        "    /// A value matching none of the known variants; kept as received.\n"
    });
    out.push_str("    Unknown(serde_json::Value),\n}\n");
    out.push_str(cfg);
    let mode = request_mode(received);
    let names: Vec<&str> = u.variants.iter().map(|v| v.rust_name.as_str()).collect();
    let list = names.join(", ");
    let Some(tag) = &u.tag else {
        let with_keys: Vec<String> = u
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| match keys.get(i).cloned().flatten() {
                Some(keys) => {
                    let all: Vec<String> = keys.all.iter().map(|k| lit(k)).collect();
                    let nulls: Vec<String> = keys.keeping_null.iter().map(|k| lit(k)).collect();
                    format!(
                        "{} [{}] [{}]",
                        v.rust_name,
                        all.join(", "),
                        nulls.join(", ")
                    )
                }
                None => v.rust_name.clone(),
            })
            .collect();
        let _ = writeln!(
            out,
            "crate::types::serde_union!({mode}{name} {{ {} }});",
            with_keys.join(", ")
        );
        return;
    };
    // Each tag value once, with the variants it selects in order: a value several variants
    // share (OpenAI's input and output `message`) tries them in turn.
    let mut arms: Vec<(String, Vec<&str>)> = Vec::new();
    let names_where = |keep: fn(&UnionVariant) -> bool| -> Vec<&str> {
        u.variants
            .iter()
            .filter(|v| keep(v))
            .map(|v| v.rust_name.as_str())
            .collect()
    };
    let absent = names_where(|v| v.tag_optional);
    for v in &u.variants {
        for t in &v.tag_values {
            let pattern = tag_pattern(t);
            match arms.iter_mut().find(|(p, _)| *p == pattern) {
                Some((_, owners)) => owners.push(&v.rust_name),
                None => arms.push((pattern, vec![&v.rust_name])),
            }
        }
    }
    // Variants that do not require the tag may be written without it: try those in turn.
    if !absent.is_empty() {
        arms.push(("Absent".into(), absent));
    }
    // Variants that are not objects are told apart by the value's JSON shape.
    let shaped = names_where(|v| v.not_object);
    if !shaped.is_empty() {
        arms.push(("NotObject".into(), shaped));
    }
    let _ = writeln!(
        out,
        "crate::types::serde_union!({mode}tagged {name} {{ {list} }} by {} {{",
        lit(tag)
    );
    for (value, owners) in arms {
        let _ = writeln!(out, "    {value} => [{}],", owners.join(", "));
    }
    out.push_str("});\n");
}

fn flags(name: &str, cfg: &str, f: &FlagsDef, out: &mut String) {
    let _ = write!(
        out,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]\npub struct {name}(u64);\n"
    );
    out.push_str(cfg);
    let _ = writeln!(out, "impl {name} {{");
    for flag in &f.flags {
        doc_lines(
            flag.docs.as_deref().unwrap_or(&format!("`{}`", flag.name)),
            "    ",
            out,
        );
        let _ = writeln!(
            out,
            "    pub const {}: Self = Self({});",
            flag.rust_name, flag.value
        );
    }
    out.push_str("}\n");
    out.push_str(cfg);
    let with = if f.as_string {
        "bits_as_string"
    } else {
        "bits_as_number"
    };
    let _ = writeln!(out, "crate::types::flag_ops!({name}, {with});");
}

pub fn error_body(api: &Api) -> String {
    let mut out = String::from(
        "/// The decoded body of an error response: which model it is depends on the status the\n\
         /// operation's description gives it.\n\
         #[derive(Clone, Debug, PartialEq)]\n#[non_exhaustive]\npub enum ErrorBody {\n",
    );
    for m in &api.error_models {
        let _ = write!(
            out,
            "    /// A `{}` error body.\n    {}(",
            m.variant, m.variant
        );
        ty_text(&m.ty, Ctx::Models, &mut out);
        out.push_str("),\n");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_tag_values_try_each_variant_in_order() {
        let variant = |name: &str, tags: &[&str]| UnionVariant {
            rust_name: name.into(),
            ty: TypeRef::Named(name.into()),
            tag_values: tags.iter().map(|t| serde_json::json!(t)).collect(),
            tag_optional: false,
            not_object: false,
            docs: None,
        };
        let u = UnionDef {
            variants: vec![
                variant("Input", &["message"]),
                variant("Output", &["message", "output"]),
                variant("Call", &["call"]),
            ],
            tag: Some("type".into()),
        };
        let mut code = String::new();
        union("Item", "", true, &u, &[], &mut code);
        // One arm per value: no unreachable patterns under `-D warnings`.
        assert_eq!(code.matches("Str(\"message\") =>").count(), 1, "{code}");
        assert!(
            code.contains("Str(\"message\") => [Input, Output],"),
            "{code}"
        );
        assert!(code.contains("Str(\"output\") => [Output],"), "{code}");
        assert!(code.contains("Str(\"call\") => [Call],"), "{code}");
        assert!(
            code.contains("serde_union!(tagged Item { Input, Output, Call } by \"type\" {"),
            "{code}"
        );
        syn::parse_file(&code).expect("parses");
    }

    /// Issue 16: a model users build gets setters for its optional fields (none for read-only
    /// ones) and `impl Into` constructor arguments; the same model only read gets neither.
    #[test]
    fn built_models_get_setters_and_read_ones_stay_read_only() {
        let field = |name: &str, ty: TypeRef, presence: Presence, read_only: bool| Field {
            name: name.into(),
            rust_name: name.into(),
            ty,
            presence,
            docs: None,
            deprecated: false,
            read_only,
            read_required: false,
            default: None,
            pointer: String::new(),
        };
        let s = StructDef {
            fields: vec![
                field(
                    "name",
                    TypeRef::Prim(Prim::String),
                    Presence::Required,
                    false,
                ),
                field(
                    "topic",
                    TypeRef::Prim(Prim::String),
                    Presence::OptionalNullable,
                    false,
                ),
                field("size", TypeRef::Prim(Prim::I64), Presence::Optional, false),
                field(
                    "id",
                    TypeRef::Prim(Prim::Snowflake),
                    Presence::Optional,
                    true,
                ),
            ],
            consts: Vec::new(),
            additional: None,
        };
        let built = Reach {
            built: true,
            sent: true,
            ..Reach::default()
        };
        let mut code = String::new();
        structure("Edit", "", &built, &s, &mut code);
        assert!(
            code.contains("pub fn new(name: impl Into<String>) -> Self {"),
            "{code}"
        );
        assert!(
            code.contains("pub fn topic(mut self, value: impl Into<Nullable<String>>) -> Self {"),
            "{code}"
        );
        assert!(
            code.contains("pub fn size(mut self, value: i64) -> Self {"),
            "{code}"
        );
        assert!(
            !code.contains("pub fn id("),
            "read-only fields get no setter: {code}"
        );
        syn::parse_file(&code).expect("parses");

        let read = Reach {
            received: true,
            ..Reach::default()
        };
        let mut code = String::new();
        structure("Edit", "", &read, &s, &mut code);
        assert!(
            code.contains("pub fn new(name: String) -> Self {"),
            "{code}"
        );
        assert_eq!(code.matches("pub fn ").count(), 1, "only `new`: {code}");
    }

    #[test]
    fn docs_and_names_are_written_safely() {
        let mut out = String::new();
        doc_lines("a <b>\r c\n\nd", "    ", &mut out);
        assert_eq!(out, "    /// a &lt;b&gt;  c\n    ///\n    /// d\n");
        let mut ty = String::new();
        ty_text(
            &TypeRef::Option(Box::new(TypeRef::Map(Box::new(TypeRef::Named("X".into()))))),
            Ctx::Models,
            &mut ty,
        );
        assert_eq!(ty, "Option<std::collections::BTreeMap<String, X>>");
    }
}
