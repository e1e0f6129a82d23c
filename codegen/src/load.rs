//! Stage 1: read a document (JSON or YAML, decided by content) into a `serde_json::Value`,
//! and resolve local `$ref`s by JSON pointer.

use crate::diag::Error;
use serde_json::{Map, Number, Value};
use std::path::Path;

/// A loaded OpenAPI document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file name used in diagnostics.
    pub file: String,
    /// The document as written (before normalization).
    pub root: Value,
}

/// Reads and parses a file.
pub fn load_file(path: &Path) -> Result<Document, Error> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let root = parse(&text, &file)?;
    Ok(Document { file, root })
}

/// Parses JSON when the first meaningful character opens an object or array, YAML otherwise.
pub fn parse(text: &str, file: &str) -> Result<Value, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.trim_start().chars().next();
    if matches!(first, Some('{') | Some('[')) {
        serde_json::from_str(text).map_err(|e| Error::Syntax {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: without_location(&e.to_string(), e.line(), e.column()),
        })
    } else {
        // Large documents are read in pieces on several threads when they split safely; the
        // result is the same value (anything unusual, errors included, goes the whole way).
        if let Some(value) = split::parse(text, crate::threads(), split::MIN_SIZE) {
            return Ok(value);
        }
        // The plain block style of generated documents is read directly (the same value).
        if let Some(map) = block::parse(text) {
            return Ok(Value::Object(map));
        }
        // Straight into JSON values: `serde_yaml::Value` rejects integers beyond 64 bits
        // (OpenAI's `minimum: -9223372036854776000`), which JSON numbers hold as floats.
        let yaml: Yaml = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            Error::Syntax {
                file: file.to_string(),
                line,
                column,
                message: without_location(&e.to_string(), line, column),
            }
        })?;
        Ok(yaml.0)
    }
}

/// A YAML document read as JSON: mapping keys that are scalars (`200:`, `true:`) become their
/// text, tags are dropped, integers that fit no 64-bit type become floats, and NaN/infinities
/// keep their YAML spelling as strings.
struct Yaml(Value);

impl<'de> serde::Deserialize<'de> for Yaml {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YamlVisitor).map(Yaml)
    }
}

struct YamlVisitor;

fn float(f: f64) -> Value {
    Number::from_f64(f).map(Value::Number).unwrap_or_else(|| {
        Value::String(
            if f.is_nan() {
                ".nan"
            } else if f > 0.0 {
                ".inf"
            } else {
                "-.inf"
            }
            .into(),
        )
    })
}

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => Value::Number(i.into()),
            (_, Ok(u)) => Value::Number(u.into()),
            _ => float(v as f64),
        })
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(match u64::try_from(v) {
            Ok(u) => Value::Number(u.into()),
            Err(_) => float(v as f64),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Yaml(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use serde::de::Error as _;
        let mut out = Map::new();
        while let Some(Yaml(k)) = map.next_key()? {
            // Unquoted keys such as `200:` or `true:` are scalars in YAML; OpenAPI means their text.
            let key = match k {
                Value::String(s) => s,
                Value::Null => "null".to_string(),
                Value::Bool(_) | Value::Number(_) => k.to_string(),
                _ => return Err(A::Error::custom("mapping key is not a scalar")),
            };
            let Yaml(v) = map.next_value()?;
            // One lookup for the duplicate check and the insertion.
            match out.entry(key) {
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(v);
                }
                serde_json::map::Entry::Occupied(e) => {
                    return Err(A::Error::custom(format!(
                        "duplicate entry with key {:?}",
                        e.key()
                    )));
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A tagged value (`!Tag value`): the tag is dropped.
        use serde::de::VariantAccess as _;
        let (_tag, variant): (serde::de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant::<Yaml>().map(|y| y.0)
    }
}

/// Parallel reading of large block-style YAML documents.
///
/// A block mapping is cut at the lines that start its entries (a key at the mapping's own
/// indentation), consecutive entries are grouped into pieces, and each piece is parsed on its
/// own by the same parser as the whole document; an entry too big for one piece is itself cut
/// the same way one level down (a piece then is a mapping indented as in the document, which
/// YAML allows). The pieces' mappings are joined in document order.
///
/// Any doubt means `None`, and the caller parses the whole text, which also reports errors with
/// their real positions: document markers or directives, CR line ends, content before the first
/// key, a key line of the wrong shape to descend into, a piece that fails to parse or is not a
/// mapping, a key found in two pieces, or nesting anywhere near the parser's depth limit. A cut
/// at a line that is not really an entry's start (inside a quoted scalar or a flow collection,
/// the only constructs whose lines may sit that far left) leaves the piece before it
/// unterminated, so it fails and the document is parsed whole. Anchors are the parser's concern:
/// an alias to an anchor in another piece fails in its piece.
mod split {
    use super::Yaml;
    use serde_json::{Map, Value};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// Documents smaller than this are parsed whole.
    pub(super) const MIN_SIZE: usize = 512 * 1024;

    /// The parser gives up beyond 128 levels; pieces nested near that are left to the whole parse.
    const MAX_DEPTH: usize = 100;

    /// How the pieces make up a mapping, in document order.
    enum Part {
        /// The entries of piece `i`.
        Piece(usize),
        /// An entry whose value was itself cut into pieces.
        Entry(String, Vec<Part>),
    }

    /// A piece of text: a block mapping whose keys are `level` mappings deep in the document.
    struct Piece<'t> {
        text: &'t str,
        level: usize,
    }

    pub(super) fn parse(text: &str, threads: usize, min_size: usize) -> Option<Value> {
        if threads < 2 || text.len() < min_size || text.contains('\r') {
            return None;
        }
        // Several pieces per thread, so that they even out.
        let target = (text.len() / (threads * 8)).max(min_size / 16).max(1);
        let mut pieces = Vec::new();
        let lines = line_index(text);
        if lines.iter().any(|l| {
            let line = &text[l.start..];
            line.starts_with("---") || line.starts_with("...") || line.starts_with('%')
        }) {
            return None;
        }
        let parts = mapping(text, 0, 0, 0, target, &mut pieces, &lines)?;
        let values = parse_all(&pieces, threads)?;
        let mut values: Vec<Option<Map<String, Value>>> = values.into_iter().map(Some).collect();
        join(parts, &mut values).map(Value::Object)
    }

    /// Number of leading spaces.
    fn spaces(line: &str) -> usize {
        line.bytes().take_while(|&b| b == b' ').count()
    }

    fn blank_or_comment(line: &str) -> bool {
        matches!(line.as_bytes().get(spaces(line)), None | Some(b'\n' | b'#'))
    }

    /// A line of the document: where it starts, its indentation, and the character after that
    /// (`None` for blank and comment lines).
    struct LineInfo {
        start: usize,
        indent: usize,
        next: Option<u8>,
    }

    /// Every line of `text`, found once: cutting a mapping at each level looks them up instead of
    /// walking the text again (level after level, that cost about as much as reading Stripe's pieces).
    fn line_index(text: &str) -> Vec<LineInfo> {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut start = 0;
        while start < bytes.len() {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| start + p + 1);
            let indent = bytes[start..end].iter().take_while(|&&b| b == b' ').count();
            let next = bytes
                .get(start + indent)
                .copied()
                .filter(|b| !matches!(b, b'\n' | b'#'));
            lines.push(LineInfo {
                start,
                indent,
                next,
            });
            start = end;
        }
        lines
    }

    /// Cuts `body`, a block mapping whose keys are at `indent` (and `level` deep), into parts.
    /// `body` is a run of whole lines of the document, starting at byte `base` of it.
    fn mapping<'t>(
        body: &'t str,
        base: usize,
        indent: usize,
        level: usize,
        target: usize,
        pieces: &mut Vec<Piece<'t>>,
        lines: &[LineInfo],
    ) -> Option<Vec<Part>> {
        // Where entries start: a key character right at the mapping's indentation.
        let from = lines.partition_point(|l| l.start < base);
        let to = lines.partition_point(|l| l.start < base + body.len());
        let mut starts = Vec::new();
        for line in &lines[from..to] {
            let Some(next) = line.next else { continue };
            if line.indent < indent {
                return None;
            }
            if line.indent == indent && !matches!(next, b'-' | b'\t') {
                starts.push(line.start - base);
            } else if starts.is_empty() {
                return None;
            }
        }
        if starts.is_empty() {
            return None;
        }
        starts.push(body.len());
        let mut parts = Vec::new();
        // Entries not yet given to a piece: from `run` to the current entry.
        let mut run: Option<usize> = None;
        let flush = |run: &mut Option<usize>,
                     end: usize,
                     parts: &mut Vec<Part>,
                     pieces: &mut Vec<Piece<'t>>| {
            if let Some(start) = run.take() {
                parts.push(Part::Piece(pieces.len()));
                pieces.push(Piece {
                    text: &body[start..end],
                    level,
                });
            }
        };
        for w in starts.windows(2) {
            let (start, end) = (w[0], w[1]);
            let entry = &body[start..end];
            if entry.len() > target {
                if let Some((key, value, child)) = nested(entry, indent) {
                    let value_base = base + start + entry.len() - value.len();
                    if let Some(sub) =
                        mapping(value, value_base, child, level + 1, target, pieces, lines)
                    {
                        flush(&mut run, start, &mut parts, pieces);
                        parts.push(Part::Entry(key, sub));
                        continue;
                    }
                }
            }
            match run {
                Some(r) if end - r > target => {
                    flush(&mut run, start, &mut parts, pieces);
                    run = Some(start);
                }
                Some(_) => {}
                None => run = Some(start),
            }
        }
        flush(&mut run, body.len(), &mut parts, pieces);
        Some(parts)
    }

    /// An entry `KEY:` alone on its line whose value is a block mapping indented further:
    /// the key, the value's text and its indentation. Only plain keys that read as strings.
    fn nested(entry: &str, indent: usize) -> Option<(String, &str, usize)> {
        let line_end = entry.find('\n')? + 1;
        let key = entry[indent..line_end]
            .trim_end_matches('\n')
            .trim_end_matches(' ');
        let key = key.strip_suffix(':')?;
        let plain = key.starts_with(|c: char| c.is_ascii_alphabetic())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        let special = matches!(
            key,
            "true" | "True" | "TRUE" | "false" | "False" | "FALSE" | "null" | "Null" | "NULL"
        );
        if !plain || special {
            return None;
        }
        let value = &entry[line_end..];
        let first = value.split_inclusive('\n').find(|l| !blank_or_comment(l))?;
        let child = spaces(first);
        let next = first.as_bytes()[child];
        // A mapping: not a sequence, flow collection, tag, anchor, alias or block scalar.
        if child <= indent || b"-[{!&*|>?:'\"%@`".contains(&next) {
            return None;
        }
        Some((key.to_string(), value, child))
    }

    /// Parses the pieces, biggest first, on up to `threads` threads.
    fn parse_all(pieces: &[Piece], threads: usize) -> Option<Vec<Map<String, Value>>> {
        let mut order: Vec<usize> = (0..pieces.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(pieces[i].text.len()));
        let next = AtomicUsize::new(0);
        let results: Vec<Mutex<Option<Map<String, Value>>>> =
            pieces.iter().map(|_| Mutex::new(None)).collect();
        let failed = std::sync::atomic::AtomicBool::new(false);
        let work = || {
            while !failed.load(Ordering::Relaxed) {
                let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    break;
                };
                let piece = &pieces[i];
                let parsed = match super::block::parse(piece.text) {
                    Some(map) => Ok(Yaml(Value::Object(map))),
                    None => serde_yaml::from_str::<Yaml>(piece.text),
                };
                match parsed {
                    Ok(Yaml(Value::Object(map)))
                        if piece.level == 0 || piece.level + depth_map(&map) <= MAX_DEPTH =>
                    {
                        if let Ok(mut slot) = results[i].lock() {
                            *slot = Some(map);
                        }
                    }
                    _ => failed.store(true, Ordering::Relaxed),
                }
            }
        };
        std::thread::scope(|s| {
            for _ in 1..threads.min(pieces.len()) {
                s.spawn(work);
            }
            work();
        });
        if failed.load(Ordering::Relaxed) {
            return None;
        }
        results
            .into_iter()
            .map(|m| m.into_inner().ok().flatten())
            .collect()
    }

    /// Levels of mappings and sequences in a mapping, itself included.
    fn depth_map(map: &Map<String, Value>) -> usize {
        1 + map.values().map(depth).max().unwrap_or(0)
    }

    fn depth(v: &Value) -> usize {
        match v {
            Value::Object(m) => depth_map(m),
            Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// The mapping the parts make up; `None` if a key occurs twice.
    fn join(
        parts: Vec<Part>,
        values: &mut [Option<Map<String, Value>>],
    ) -> Option<Map<String, Value>> {
        let mut out = Map::new();
        for part in parts {
            let entries: Vec<(String, Value)> = match part {
                Part::Piece(i) => values[i].take()?.into_iter().collect(),
                Part::Entry(key, sub) => vec![(key, Value::Object(join(sub, values)?))],
            };
            for (k, v) in entries {
                if out.contains_key(&k) {
                    return None;
                }
                out.insert(k, v);
            }
        }
        Some(out)
    }
}

/// A fast reader for the plain block style that generated documents are written in (Stripe's):
/// block mappings and sequences, plain scalars on one line, single-quoted scalars on one line,
/// literal and folded block scalars, `{}` and `[]`. It reads the
/// same values as the YAML parser, several times faster; anything else (flow collections,
/// anchors, tags, escapes, multi-line plain or quoted scalars, keep chomping, comments after
/// values, tabs, numbers other than plain decimals, duplicate keys, deep nesting) gives `None`,
/// and the text goes to the YAML parser, which also reports any error.
mod block {
    use serde_json::map::Entry;
    use serde_json::{Map, Value};

    /// Deeper nesting is left to the YAML parser (which stops at 128 levels).
    const MAX_DEPTH: usize = 100;

    /// Characters that give a plain scalar's first character another meaning.
    const INDICATORS: &[u8] = b"-?:,[]{}#&*!|>'\"%@`";

    /// A line: its indentation and the rest, without the line end.
    #[derive(Clone, Copy)]
    struct Line<'t> {
        indent: usize,
        text: &'t str,
    }

    struct Parser<'t> {
        lines: Vec<Line<'t>>,
        pos: usize,
    }

    /// The mapping `text` holds (its keys all at the first line's indentation).
    pub(super) fn parse(text: &str) -> Option<Map<String, Value>> {
        // Tabs, CRs, and what YAML reads as line breaks or rejects (control characters, C1
        // controls and NEL, line and paragraph separators, byte order marks, U+FFFE/U+FFFF) are
        // the YAML parser's. One pass over the bytes finds them and the lines.
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let (mut start, mut indent, mut at_indent) = (0, 0, true);
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' => {
                    lines.push(Line {
                        indent,
                        text: &text[start + indent..i],
                    });
                    (start, indent, at_indent) = (i + 1, 0, true);
                    continue;
                }
                b' ' if at_indent => {
                    indent += 1;
                    continue;
                }
                0..=0x1f | 0x7f => return None,
                0xc2 if matches!(bytes.get(i + 1), Some(0x80..=0x9f)) => return None,
                0xe2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
                {
                    return None
                }
                0xef if matches!(
                    (bytes.get(i + 1), bytes.get(i + 2)),
                    (Some(0xbb), Some(0xbf)) | (Some(0xbf), Some(0xbe | 0xbf))
                ) =>
                {
                    return None
                }
                _ => {}
            }
            at_indent = false;
        }
        lines.push(Line {
            indent,
            text: &text[start + indent..],
        });
        let mut p = Parser { lines, pos: 0 };
        p.skip_blank();
        let indent = p.lines.get(p.pos)?.indent;
        let map = p.mapping(indent, 0)?;
        p.skip_blank();
        (p.pos == p.lines.len()).then_some(map)
    }

    /// `- ` or `-` alone: a sequence entry.
    fn is_dash(text: &str) -> bool {
        text == "-" || text.starts_with("- ")
    }

    /// A single-quoted scalar at the start of `text`, on this line: its value and length.
    fn single_quoted(text: &str) -> Option<(String, usize)> {
        let mut out = String::new();
        let mut rest = &text[1..];
        let mut used = 1;
        loop {
            let q = rest.find('\'')?;
            out.push_str(&rest[..q]);
            if rest[q + 1..].starts_with('\'') {
                out.push('\'');
                rest = &rest[q + 2..];
                used += q + 2;
            } else {
                return Some((out, used + q + 1));
            }
        }
    }

    /// A plain scalar's value, as the YAML parser resolves it.
    fn plain(v: &str) -> Option<Value> {
        Some(match v {
            "" | "~" | "null" | "Null" | "NULL" => Value::Null,
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            _ => {
                let b = v.as_bytes();
                if b[0].is_ascii_digit() {
                    let dots = b.iter().filter(|&&c| c == b'.').count();
                    if b.iter().all(u8::is_ascii_digit) {
                        if b.len() > 1 && b[0] == b'0' {
                            // Leading zeros: a string in YAML 1.2.
                            Value::String(v.to_string())
                        } else {
                            Value::Number(v.parse::<u64>().ok()?.into())
                        }
                    } else if b
                        .iter()
                        .all(|&c| c.is_ascii_digit() || c == b'.' || c == b'-')
                        && (dots > 1 || b.contains(&b'-'))
                    {
                        // `3.0.0`, `2020-08-27`: neither an integer nor a float.
                        Value::String(v.to_string())
                    } else if dots == 1 && b.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
                        serde_json::Number::from_f64(v.parse::<f64>().ok()?).map(Value::Number)?
                    } else {
                        return None;
                    }
                } else if matches!(b[0], b'+' | b'-' | b'.') {
                    return None;
                } else {
                    // Starts with a letter or a symbol: no number or null reads like that.
                    Value::String(v.to_string())
                }
            }
        })
    }

    /// The key of a mapping entry line and what follows its `:` (leading spaces trimmed).
    fn split_key(text: &str) -> Option<(String, &str)> {
        let b = text.as_bytes();
        let (key, after) = if b.first() == Some(&b'\'') {
            let (key, used) = single_quoted(text)?;
            (key, &text[used..])
        } else {
            if INDICATORS.contains(b.first()?) {
                return None;
            }
            let mut end = None;
            for (i, &c) in b.iter().enumerate() {
                if c == b':' && b.get(i + 1).is_none_or(|&n| n == b' ') {
                    end = Some(i);
                    break;
                }
                if c == b'#' && b[i - 1] == b' ' {
                    return None;
                }
            }
            let end = end?;
            let k = &text[..end];
            if k.ends_with(' ') || k.len() > 1000 {
                return None;
            }
            // Keys are text: `200` is the number 200, written back as "200".
            let key = match plain(k)? {
                Value::String(s) => s,
                Value::Null => "null".to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) if n.to_string() == k => n.to_string(),
                _ => return None,
            };
            (key, &text[end..])
        };
        let rest = after.strip_prefix(':')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        Some((key, rest.trim_start_matches(' ')))
    }

    impl<'t> Parser<'t> {
        /// Skips empty lines and comment lines.
        fn skip_blank(&mut self) {
            while self
                .lines
                .get(self.pos)
                .is_some_and(|l| l.text.is_empty() || l.text.starts_with('#'))
            {
                self.pos += 1;
            }
        }

        /// Whether the next line that is not empty is no more indented than `parent`, as
        /// after a scalar that ends on its line (a deeper one would continue it).
        fn ends_here(&self, parent: usize) -> bool {
            self.lines[self.pos..]
                .iter()
                .find(|l| !l.text.is_empty())
                .is_none_or(|l| l.indent <= parent)
        }

        fn mapping(&mut self, indent: usize, depth: usize) -> Option<Map<String, Value>> {
            if depth > MAX_DEPTH {
                return None;
            }
            let mut map = Map::new();
            loop {
                self.skip_blank();
                let Some(&line) = self.lines.get(self.pos) else {
                    break;
                };
                if line.indent < indent {
                    break;
                }
                if line.indent > indent {
                    return None;
                }
                let (key, rest) = split_key(line.text)?;
                self.pos += 1;
                let value = if rest.is_empty() || rest.starts_with('#') {
                    self.nested(indent, depth)?
                } else {
                    self.inline(rest, indent)?
                };
                match map.entry(key) {
                    Entry::Vacant(e) => {
                        e.insert(value);
                    }
                    Entry::Occupied(_) => return None,
                }
            }
            Some(map)
        }

        /// The value of `key:` with nothing after it: what the next lines hold.
        fn nested(&mut self, parent: usize, depth: usize) -> Option<Value> {
            self.skip_blank();
            let Some(&line) = self.lines.get(self.pos) else {
                return Some(Value::Null);
            };
            let dash = is_dash(line.text);
            if line.indent > parent || (dash && line.indent == parent) {
                if dash {
                    self.sequence(line.indent, depth + 1).map(Value::Array)
                } else {
                    self.mapping(line.indent, depth + 1).map(Value::Object)
                }
            } else {
                Some(Value::Null)
            }
        }

        fn sequence(&mut self, indent: usize, depth: usize) -> Option<Vec<Value>> {
            if depth > MAX_DEPTH {
                return None;
            }
            let mut out = Vec::new();
            loop {
                self.skip_blank();
                let Some(&line) = self.lines.get(self.pos) else {
                    break;
                };
                if line.indent < indent || (line.indent == indent && !is_dash(line.text)) {
                    break;
                }
                if line.indent > indent {
                    return None;
                }
                let rest = &line.text[1..];
                let spaces = rest.bytes().take_while(|&b| b == b' ').count();
                if spaces == rest.len() {
                    return None;
                }
                // The entry's content, as a line of its own indented as far as it stands.
                let item = Line {
                    indent: indent + 1 + spaces,
                    text: &rest[spaces..],
                };
                self.lines[self.pos] = item;
                out.push(if is_dash(item.text) {
                    self.sequence(item.indent, depth + 1).map(Value::Array)?
                } else if split_key(item.text).is_some() {
                    self.mapping(item.indent, depth + 1).map(Value::Object)?
                } else {
                    self.pos += 1;
                    self.inline(item.text, indent)?
                });
            }
            Some(out)
        }

        /// A value written on its key's (or dash's) line; `parent` is that key's indentation.
        fn inline(&mut self, text: &'t str, parent: usize) -> Option<Value> {
            let first = text.as_bytes()[0];
            match first {
                b'\'' => {
                    let (s, used) = single_quoted(text)?;
                    (text[used..].trim_start_matches(' ').is_empty() && self.ends_here(parent))
                        .then_some(Value::String(s))
                }
                b'|' | b'>' => {
                    let strip = match text.trim_end_matches(' ') {
                        "|-" | ">-" => true,
                        "|" | ">" => false,
                        _ => return None,
                    };
                    self.block_scalar(first == b'|', strip, parent)
                        .map(Value::String)
                }
                _ if text.trim_end_matches(' ') == "{}" && self.ends_here(parent) => {
                    Some(Value::Object(Map::new()))
                }
                _ if text.trim_end_matches(' ') == "[]" && self.ends_here(parent) => {
                    Some(Value::Array(Vec::new()))
                }
                _ if INDICATORS.contains(&first) => None,
                _ => {
                    let v = text.trim_end_matches(' ');
                    if v.contains(": ") || v.ends_with(':') || v.contains(" #") {
                        return None;
                    }
                    if !self.ends_here(parent) {
                        return None;
                    }
                    plain(v)
                }
            }
        }

        /// The lines of a block scalar (header already read) under a node at `parent`.
        fn block_scalar(&mut self, literal: bool, strip: bool, parent: usize) -> Option<String> {
            let start = self.pos;
            let first = *self.lines.get(start)?;
            // The first line sets the indentation; leading empty lines are left to the parser.
            if first.text.is_empty() || first.indent <= parent {
                return None;
            }
            let n = first.indent;
            let mut end = start;
            for (i, l) in self.lines.iter().enumerate().skip(start) {
                if l.text.is_empty() {
                    if l.indent > n {
                        return None;
                    }
                } else if l.indent < n {
                    if l.indent > parent {
                        return None;
                    }
                    break;
                } else {
                    end = i + 1;
                }
            }
            // Folding joins two lines at the block's indentation with a space, or drops the
            // line break when empty lines follow it; breaks next to a more-indented line stay.
            let mut out = String::new();
            let mut empty = 0;
            let mut spaced = false;
            for (k, l) in self.lines[start..end].iter().enumerate() {
                if l.text.is_empty() {
                    empty += 1;
                    continue;
                }
                if k > 0 {
                    if literal || spaced || l.indent > n {
                        (0..=empty).for_each(|_| out.push('\n'));
                    } else if empty == 0 {
                        out.push(' ');
                    } else {
                        (0..empty).for_each(|_| out.push('\n'));
                    }
                }
                empty = 0;
                spaced = l.indent > n;
                (n..l.indent).for_each(|_| out.push(' '));
                out.push_str(l.text);
            }
            if !strip {
                out.push('\n');
            }
            self.pos = end;
            Some(out)
        }
    }
}

/// The parser's message without the " at line L column C" it repeats from the `FILE:L:C:` prefix.
fn without_location(message: &str, line: usize, column: usize) -> String {
    message.replacen(&format!(" at line {line} column {column}"), "", 1)
}

/// The JSON pointer a local reference names (`#/a/b%20c` -> `/a/b c`); `None` if it is not local.
pub fn ref_pointer(reference: &str) -> Option<String> {
    reference.strip_prefix('#').map(percent_decode)
}

/// Looks up a local reference (`#/components/schemas/Pet`, `#/paths/~1pets/get`, percent-encoded
/// tokens allowed). Returns `None` for external or dangling references.
pub fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    let decoded = percent_decode(pointer);
    root.pointer(&decoded)
}

/// Decodes `%XX` escapes, which may appear in `$ref` URI fragments.
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_by_content() {
        let j = parse(r#"{"openapi":"3.0.0"}"#, "a.yaml").unwrap();
        let y = parse("openapi: 3.1.0\npaths:\n  /x:\n    get:\n      responses:\n        200: {description: ok}\n", "a.json").unwrap();
        assert_eq!(j["openapi"], "3.0.0");
        assert_eq!(
            y["paths"]["/x"]["get"]["responses"]["200"]["description"],
            "ok"
        );
    }

    #[test]
    fn yaml_beyond_64_bits_tags_and_odd_keys() {
        let y = parse(
            "a: -9223372036854776000\nb: 18446744073709551615\nc: !Thing {x: 1}\ntrue: .nan\n1.5: ~\n",
            "a.yaml",
        )
        .unwrap();
        assert_eq!(y["a"].as_f64(), Some(-9223372036854776000.0));
        assert_eq!(y["b"].as_u64(), Some(u64::MAX));
        assert_eq!(y["c"]["x"], 1);
        assert_eq!(y["true"], ".nan");
        assert!(y["1.5"].is_null());
        assert!(parse("a: 1\na: 2\n", "d.yaml").is_err());
    }

    /// The whole-document parse, for comparison.
    fn whole(text: &str) -> Option<Value> {
        serde_yaml::from_str::<Yaml>(text).ok().map(|y| y.0)
    }

    #[test]
    fn split_yaml_is_the_whole_parse() {
        // A quoted scalar and a flow sequence with lines as far left as keys, an alias: cuts
        // there must fall back to the whole parse.
        let traps = "a:\n  b:\n    x: [1,\n  2]\n  c:\n    x: \"q\n  r: s\"\n  d: &d\n    y: 1\n  e: *d\nf: 1\n";
        // Block scalars, comments, compact sequences, quoted and odd keys.
        let ok = "# c\nopenapi: 3.1.0\npaths:\n  /a:\n    get:\n      description: |\n        x\n\n        y: z\n  '/b':\n    x: [1, 2]\n# c\n  /c: {a: 1}\n  /d:\n  - 1\n  200: x\ncomponents:\n  schemas:\n    A:\n      type: object\n    B:\n      enum: [a, b]\n  other: 1\ntrue: 2\n";
        for doc in [traps, ok] {
            let expected = whole(doc);
            assert!(expected.is_some());
            for min in 1..doc.len() {
                if let Some(v) = split::parse(doc, 2, min) {
                    assert_eq!(Some(v), expected, "cut at {min}");
                }
            }
        }
        assert!(split::parse(ok, 2, 16).is_some());
        // Duplicates across pieces, aliases across pieces, documents: parsed whole.
        assert_eq!(split::parse("a:\n  b: 1\na:\n  c: 2\n", 2, 1), None);
        assert_eq!(split::parse("a: &x 1\nb: *x\n", 2, 1), None);
        assert_eq!(split::parse("---\na: 1\nb: 2\n", 2, 1), None);
        assert_eq!(split::parse("a: 1\nb: 2\n", 1, 1), None);
    }

    /// The fast block reader gives the YAML parser's value whenever it gives one, and leaves
    /// what it does not know to the parser.
    #[test]
    fn block_reader_is_the_yaml_parser() {
        let read = [
            "a: 1\nb: text with 'quotes' and \"more\"\nc: 'it''s'\nd:\ne: ~\nf: true\ng: 0123\nh: 3.0.0\ni: 1.5\nj: 2020-01-02\n",
            "'200':\n  description: ok\n201: 1\n/v1/x:\n  $ref: '#/a'\nnull: 1\nTrue: 2\n",
            "a:\n  - x\n  - y: 1\n    z: 2\n  - - n\n    - m\nb:\n- compact\n- 7\nc: []\nd: {}\n",
            "a: >-\n  one\n  two\n\n  three\n\n\n  four\n   more\n  five\n\n    six\n\n  seven\nb: |-\n  l1\n    l2\n\n  l3\nc: >\n  x\n  y\n\nd: |\n  # not a comment\n  z\n",
            "# c\na:\n  # c\n  b: 1\n\n  c:\n    - >-\n      folded\n      item\n    - |\n      lit\nz: Ünïcødé ✓\n",
            "  a: 1\n  b:\n    c: 2\n",
        ];
        for doc in read {
            let fast = block::parse(doc).map(Value::Object);
            assert!(fast.is_some(), "not read: {doc:?}");
            assert_eq!(fast, whole(doc), "{doc:?}");
        }
        // Left to the parser (some of them errors there).
        let left = [
            "a: 1 # c\n",
            "a: b\n  c\n",
            "a: 'b\n  c'\n",
            "a: \"b\\n\"\n",
            "a: &x 1\n",
            "a: *x\n",
            "a: !t 1\n",
            "a: [1]\n",
            "a: {b: 1}\n",
            "a: |+\n  x\n",
            "a: |2\n  x\n",
            "a: >\n  x\n   \n  y\n",
            "a: -1\n",
            "a: 1e5\n",
            "a: 0x1f\n",
            "a: .inf\n",
            "a: 1\na: 2\n",
            "a:\tb\n",
            "a: b: c\n",
            "a:\n  b\n",
            "a:\n-\n  b: 1\n",
            "? a\n: b\n",
            "a: 99999999999999999999\n",
            "a: x\u{2028}y\n",
            "a:\n    b: 1\n  c: 2\n",
            "- a\n",
            "a: >-\n\n  x\n",
            "a: >-\nb: 1\n",
        ];
        for doc in left {
            assert_eq!(block::parse(doc), None, "{doc:?}");
        }
    }

    /// The corpus specs (beside the repository, when there) read the same in pieces.
    #[test]
    fn split_yaml_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs");
        if !dir.is_dir() {
            eprintln!(
                "SKIPPED: {} is absent; the corpus is not checked",
                dir.display()
            );
            return;
        }
        let mut files = Vec::new();
        for sub in ["corpus", "fluxer"] {
            for e in std::fs::read_dir(dir.join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    files.push(p);
                }
            }
        }
        for p in files {
            let text = std::fs::read_to_string(&p).unwrap();
            let expected = whole(&text);
            for min in [1, 64 * 1024, split::MIN_SIZE] {
                if let Some(v) = split::parse(&text, 2, min) {
                    assert!(Some(v) == expected, "{}: cut at {min}", p.display());
                }
            }
        }
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let e = parse("{\n  \"a\": ,\n}", "bad.json").unwrap_err();
        assert!(matches!(e, Error::Syntax { line: 2, .. }), "{e}");
        let e = parse("a: [1, 2\nb: c", "bad.yaml").unwrap_err();
        assert!(matches!(e, Error::Syntax { .. }), "{e}");
    }

    #[test]
    fn resolves_into_arrays_and_escapes() {
        let v = parse(r#"{"components":{"schemas":{"Tag":{"allOf":[{"type":"string"}]}}},"paths":{"/a/b":{"x":1}}}"#, "x").unwrap();
        assert_eq!(
            resolve(&v, "#/components/schemas/Tag/allOf/0").unwrap()["type"],
            "string"
        );
        assert_eq!(resolve(&v, "#/paths/~1a~1b/x").unwrap(), 1);
        assert_eq!(resolve(&v, "#/paths/%7E1a%7E1b/x").unwrap(), 1);
        assert!(resolve(&v, "#/components/schemas/Nope").is_none());
        assert!(resolve(&v, "other.yaml#/x").is_none());
    }
}
