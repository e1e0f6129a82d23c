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
/// bare-URL warnings or doctests, and no list continuation that clippy's doc lints
/// (`doc_lazy_continuation`, `doc_overindented_list_items`) reject. Inline code spans and
/// inline links (`[text](url)`, also with code in the text or over several lines) are kept as
/// written.
pub fn doc_text(text: &str) -> String {
    let text = block_lines(text);
    let keep = link_brackets(&text);
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_fence = false;
    let mut offset = 0;
    for (n, line) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += line.len() + 1;
        if n > 0 {
            out.push('\n');
        }
        if line.starts_with("```") {
            in_fence = !in_fence;
            out.push_str(line);
            continue;
        }
        if in_fence {
            out.push_str(line);
            continue;
        }
        let mut in_code = false;
        let mut pos = 0;
        while pos < line.len() {
            let rest = &line[pos..];
            let next_tick = rest.find('`').unwrap_or(rest.len());
            let chunk = &rest[..next_tick];
            if in_code {
                out.push_str(chunk);
            } else {
                escape_prose(chunk, line_start + pos, &keep, &mut out);
            }
            pos += next_tick;
            if let Some(tail) = line[pos..].strip_prefix('`') {
                // Only treat it as a code span if it closes on this line.
                if in_code || tail.contains('`') {
                    in_code = !in_code;
                    out.push('`');
                } else {
                    out.push_str("\\`");
                }
                pos += 1;
            }
        }
    }
    out
}

/// The prose's lines made safe as Markdown blocks, before any escaping: fenced blocks become
/// ```` ```text ```` (examples in other languages, never doctests), other indented lines lose
/// the indentation that would make them code blocks (and doctests), and the lines that
/// continue a list item's paragraph are indented to the item's text, as clippy's doc lints
/// want (the rendering is the same: CommonMark reads such lines as part of the item).
fn block_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_fence = false;
    // The text column of the list item whose paragraph the previous line is part of.
    let mut item: Option<usize> = None;
    for (n, line) in text.trim().lines().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            out.push_str(if in_fence { "```" } else { "```text" });
            in_fence = !in_fence;
            item = None;
            continue;
        }
        if in_fence {
            out.push_str(line);
            continue;
        }
        if trimmed.is_empty() {
            item = None;
            continue;
        }
        let line = if line.starts_with("    ") || line.starts_with('\t') {
            trimmed
        } else {
            line
        };
        if let Some(col) = list_item(line) {
            item = Some(col);
            out.push_str(line);
        } else if let Some(col) = item {
            out.push_str(&" ".repeat(col));
            out.push_str(trimmed);
        } else {
            out.push_str(line);
        }
    }
    if in_fence {
        out.push_str("\n```");
    }
    out
}

/// The column where a list item's text starts, if `line` opens one (`- x`, `* x`, `+ x`,
/// `1. x`, `1) x`, after up to three spaces).
fn list_item(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match rest.as_bytes().first()? {
        b'-' | b'*' | b'+' => 1,
        _ if (1..=9).contains(&digits)
            && matches!(rest.as_bytes().get(digits), Some(b'.' | b')')) =>
        {
            digits + 1
        }
        _ => return None,
    };
    let after = &rest[marker..];
    let spaces = after.len() - after.trim_start_matches(' ').len();
    if spaces == 0 || after.trim().is_empty() || indent > 3 {
        return None;
    }
    // Five or more spaces: the item's text is an indented code block one space in.
    Some(indent + marker + if spaces > 4 { 1 } else { spaces })
}

/// Byte offsets in `text` of the `[` and `]` of its inline links (`[text](url)`), which are
/// kept as written; every other bracket is escaped. pulldown-cmark, the parser rustdoc uses,
/// decides what is a link, so link text with code spans or line breaks stays a link.
fn link_brackets(text: &str) -> Vec<usize> {
    use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};
    let mut keep = Vec::new();
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        if let Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            ..
        }) = event
        {
            let source = &text[range.clone()];
            if let (true, Some(close)) = (source.starts_with('['), source.rfind("](")) {
                keep.push(range.start);
                keep.push(range.start + close);
            }
        }
    }
    keep.sort_unstable();
    keep
}

/// Escapes one stretch of prose outside code spans that starts at byte `start` of the text
/// whose link brackets are `keep`.
fn escape_prose(chunk: &str, start: usize, keep: &[usize], out: &mut String) {
    let kept = |i: usize| keep.binary_search(&(start + i)).is_ok();
    let mut i = 0;
    while i < chunk.len() {
        let rest = &chunk[i..];
        let scheme = ["http://", "https://"]
            .into_iter()
            .find(|s| rest.starts_with(s))
            .map_or(0, str::len);
        // A URL with a host (`https://<host>:<port>` is a placeholder, written as text).
        let host = rest[scheme..].starts_with(|c: char| c.is_alphanumeric());
        if scheme > 0 && host {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '<' | '>' | '"' | '\''))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            // Inside a Markdown link target the URL is already fine.
            if i >= 2 && kept(i - 2) {
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
            '[' | ']' if !kept(i) => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\\\"),
            '#' if i == 0 && (out.ends_with('\n') || out.is_empty()) => out.push_str("\\#"),
            _ => out.push(c),
        }
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

    #[test]
    fn links_with_code_or_line_breaks_in_their_text_stay_links() {
        // Box: a code span in the link text; once `\[`…`](url)`, a bare URL for rustdoc.
        assert_eq!(
            doc_text("see the [`Create upload session`](https://x.dev/a) endpoint"),
            "see the [`Create upload session`](https://x.dev/a) endpoint"
        );
        // DigitalOcean: the link text wraps.
        assert_eq!(
            doc_text("see \"[How to Connect to a\nKubernetes Cluster](https://x.dev/k)\"."),
            "see \"[How to Connect to a\nKubernetes Cluster](https://x.dev/k)\"."
        );
        // Brackets that are no link are still escaped, also beside one.
        assert_eq!(
            doc_text("[a] and [b](https://x.dev) [c]"),
            "\\[a\\] and [b](https://x.dev) \\[c\\]"
        );
        assert_eq!(doc_text("x](https://x.dev)"), "x\\](<https://x.dev>)");
        // DigitalOcean: a placeholder, not a URL (once `<https://<host>`, an unclosed tag).
        assert_eq!(
            doc_text("Format: https://<host>:<port>."),
            "Format: https://&lt;host&gt;:&lt;port&gt;."
        );
        assert_eq!(
            doc_text("at https://a.dev<b>"),
            "at <https://a.dev>&lt;b&gt;"
        );
    }

    #[test]
    fn list_items_continue_indented() {
        // Box and OpenAI: a lazy continuation line (clippy `doc_lazy_continuation`).
        assert_eq!(
            doc_text("* The scope is used for\nany template.\n\nNext."),
            "* The scope is used for\n  any template.\n\nNext."
        );
        assert_eq!(
            doc_text("Events:\n  - The server is\nresponding.\n  - Done"),
            "Events:\n  - The server is\n    responding.\n  - Done"
        );
        assert_eq!(doc_text("1. one\ntwo"), "1. one\n   two");
        // Box: an over-indented one (clippy `doc_overindented_list_items`).
        assert_eq!(
            doc_text("- `a` - gives access to people who are\n   collaborators"),
            "- `a` - gives access to people who are\n  collaborators"
        );
        // Not list items: emphasis, a number in text.
        assert_eq!(doc_text("*Note*: x\ny"), "*Note*: x\ny");
        assert_eq!(doc_text("-x\ny"), "-x\ny");
    }
}
