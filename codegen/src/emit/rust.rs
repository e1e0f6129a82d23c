//! Shared pieces for Rust emission: type paths, string literals, doc comments.

use crate::ir::{Prim, TypeRef};
use std::fmt::Write;

/// Where a type reference is written: inside `models.rs` names are in scope.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Models,
    Elsewhere,
}

/// A type reference as Rust source.
pub fn ty_text(t: &TypeRef, ctx: Ctx, out: &mut String) {
    match t {
        TypeRef::Prim(p) => out.push_str(prim_text(*p)),
        TypeRef::Named(n) => {
            if ctx == Ctx::Elsewhere {
                out.push_str("crate::models::");
            }
            out.push_str(n);
        }
        TypeRef::External(path) => match syn::parse_str::<syn::Type>(path) {
            Ok(_) => out.push_str(path.trim()),
            Err(_) => out.push_str("serde_json::Value"),
        },
        TypeRef::Array(inner) => wrapped("Vec<", inner, ctx, out),
        TypeRef::Map(inner) => wrapped("std::collections::BTreeMap<String, ", inner, ctx, out),
        TypeRef::Option(inner) => wrapped("Option<", inner, ctx, out),
        TypeRef::Boxed(inner) => wrapped("Box<", inner, ctx, out),
        TypeRef::Any => out.push_str("serde_json::Value"),
    }
}

fn wrapped(open: &str, inner: &TypeRef, ctx: Ctx, out: &mut String) {
    out.push_str(open);
    ty_text(inner, ctx, out);
    out.push('>');
}

/// The Rust type of a primitive, as written in generated code.
fn prim_text(p: Prim) -> &'static str {
    match p {
        Prim::String | Prim::Uri | Prim::Uuid => "String",
        Prim::Bool => "bool",
        Prim::I32 => "i32",
        Prim::I64 => "i64",
        Prim::U32 => "u32",
        Prim::U64 => "u64",
        Prim::F32 => "f32",
        Prim::F64 => "f64",
        Prim::DateTime => "chrono::DateTime<chrono::FixedOffset>",
        Prim::Date => "chrono::NaiveDate",
        Prim::Base64 => "crate::types::Base64",
        Prim::Binary => "crate::types::Binary",
        Prim::Snowflake => "crate::types::Snowflake",
    }
}

/// `"\n\n"` and the description, to end a doc paragraph with; empty without one.
pub fn then_description(description: Option<&str>) -> String {
    description.map(|d| format!("\n\n{d}")).unwrap_or_default()
}

/// `///` lines from free text (escaped with [`doc_text`]), each after `indent`.
pub fn doc_lines(text: &str, indent: &str, out: &mut String) {
    for line in doc_text(text).lines() {
        doc_line(line, indent, "///", out);
    }
}

/// `///` lines from text that is already rustdoc Markdown (escape the spec's prose in it with
/// [`doc_text`] first), each after `indent`.
pub fn doc_raw_lines(text: &str, indent: &str, out: &mut String) {
    for line in text.trim().lines() {
        doc_line(line, indent, "///", out);
    }
}

/// One doc comment line: `indent`, `marker` (`///` or `//!`), the line without trailing space.
pub fn doc_line(line: &str, indent: &str, marker: &str, out: &mut String) {
    out.push_str(indent);
    out.push_str(marker);
    let line = line.trim_end();
    if !line.is_empty() {
        out.push(' ');
        if line.contains('\r') {
            // A lone CR would end the comment for rustc.
            out.push_str(&line.replace('\r', " "));
        } else {
            out.push_str(line);
        }
    }
    out.push('\n');
}

/// A string literal, escaped as `proc_macro2::Literal::string` (and so `quote!`) escapes it.
pub fn str_lit(s: &str, out: &mut String) {
    out.push('"');
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            // `\0` before a digit trips clippy's `octal_escapes` lint in the generated crate.
            '\0' if chars
                .as_str()
                .starts_with(|n: char| ('0'..='7').contains(&n)) =>
            {
                out.push_str("\\x00")
            }
            '\0' => out.push_str("\\0"),
            '\'' => out.push(c),
            c => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
}

/// [`str_lit`] as a new string.
pub fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    str_lit(s, &mut out);
    out
}

/// Where prettyplease starts breaking lines; [`list`] breaks past it.
pub const MARGIN: usize = 89;

/// `head` + the items joined by `, ` + `tail` after `indent`, on one line if it fits within
/// [`MARGIN`], else one item per line (with a trailing comma), as calls, signatures and array
/// literals are broken. Items are single lines.
pub fn list(indent: &str, head: &str, items: &[String], tail: &str, out: &mut String) {
    let joined = items.join(", ");
    out.push_str(indent);
    out.push_str(head);
    if indent.len() + head.len() + joined.len() + tail.len() <= MARGIN || items.is_empty() {
        out.push_str(&joined);
    } else {
        out.push('\n');
        for item in items {
            let _ = writeln!(out, "{indent}    {item},");
        }
        out.push_str(indent);
    }
    out.push_str(tail);
    out.push('\n');
}

/// Whether values of the type are `Copy` (passed by value in signatures).
pub fn is_copy(t: &TypeRef) -> bool {
    matches!(
        t,
        TypeRef::Prim(
            Prim::Bool
                | Prim::I32
                | Prim::I64
                | Prim::U32
                | Prim::U64
                | Prim::F32
                | Prim::F64
                | Prim::Snowflake
                | Prim::Date
        )
    )
}

/// Whether the type mentions chrono (the generated crate then depends on it).
pub fn uses_chrono(t: &TypeRef) -> bool {
    match t {
        TypeRef::Prim(Prim::DateTime | Prim::Date) => true,
        TypeRef::Array(i) | TypeRef::Map(i) | TypeRef::Option(i) | TypeRef::Boxed(i) => {
            uses_chrono(i)
        }
        _ => false,
    }
}

/// Escapes prose so rustdoc reads it as prose: no accidental HTML tags, intra-doc links,
/// bare-URL warnings or doctests. Inline code spans are kept as written.
pub fn doc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_fence = false;
    for (n, line) in text.trim().lines().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            // Fenced blocks in API prose are examples in other languages: never doctests.
            out.push_str(if in_fence { "```" } else { "```text" });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str(line);
            continue;
        }
        // Indented lines would become code blocks (and doctests).
        let line = if line.starts_with("    ") || line.starts_with('\t') {
            line.trim_start()
        } else {
            line
        };
        let mut in_code = false;
        let mut rest = line;
        while !rest.is_empty() {
            let next_tick = rest.find('`').unwrap_or(rest.len());
            let (chunk, after) = rest.split_at(next_tick);
            if in_code {
                out.push_str(chunk);
            } else {
                escape_prose(chunk, &mut out);
            }
            if let Some(tail) = after.strip_prefix('`') {
                // Only treat it as a code span if it closes on this line.
                if in_code || tail.contains('`') {
                    in_code = !in_code;
                    out.push('`');
                } else {
                    out.push_str("\\`");
                }
                rest = tail;
            } else {
                rest = after;
            }
        }
    }
    if in_fence {
        out.push_str("\n```");
    }
    out
}

fn escape_prose(chunk: &str, out: &mut String) {
    let mut i = 0;
    let bytes = chunk.as_bytes();
    while i < chunk.len() {
        let rest = &chunk[i..];
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"' || c == '\'')
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            // Inside a Markdown link target the URL is already fine.
            if chunk[..i].ends_with("](") {
                out.push_str(url);
            } else {
                out.push('<');
                out.push_str(url);
                out.push('>');
            }
            i += url.len();
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' if !(rest.contains("](")) => out.push_str("\\["),
            ']' if !(rest.starts_with("](")) => out.push_str("\\]"),
            '\\' => out.push_str("\\\\"),
            '#' if i == 0 && (out.ends_with('\n') || out.is_empty()) => out.push_str("\\#"),
            _ => out.push(c),
        }
        let _ = bytes;
        i += c.len_utf8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_escaped_but_code_spans_are_kept() {
        assert_eq!(
            doc_text("Use `Authorization: Bot <token>` or <token>"),
            "Use `Authorization: Bot <token>` or &lt;token&gt;"
        );
        assert_eq!(doc_text("see https://x.dev/a."), "see <https://x.dev/a>.");
        assert_eq!(doc_text("[link](https://x.dev)"), "[link](https://x.dev)");
        assert_eq!(doc_text("a [b] c"), "a \\[b\\] c");
        assert_eq!(doc_text("```\nfoo()\n```"), "```text\nfoo()\n```");
        assert_eq!(doc_text("    indented"), "indented");
        assert_eq!(doc_text("a ` b"), "a \\` b");
    }
}
