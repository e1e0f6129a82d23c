//! YAML documents into JSON values, on the events of `saphyr-parser` (a maintained YAML 1.2
//! parser: the block and flow styles, escapes, anchors and the 1,024-character limit on implicit
//! keys are its concern). This module only builds the value.
//!
//! Plain scalars resolve as in the YAML 1.2 core schema, with one exception kept from the
//! generator's earlier reader: digits with a leading zero (`0123`) stay strings, as an
//! OpenAPI author writing an example zip code means them. Unquoted dates stay strings (YAML
//! 1.2 has no timestamp type). Mapping keys are their text (`200:` is `"200"`); tags are
//! dropped except `!!str`, which keeps a plain scalar a string. Integers beyond 64 bits become
//! floats (OpenAI's `minimum: -9223372036854776000`), NaN and infinities keep their YAML
//! spelling as strings. Merge keys (`<<`, a YAML 1.1 feature that YAML 1.2 reads as a plain key)
//! are applied as YAML 1.1 describes them, with a warning.

use crate::diag::{escape_token, Error, Warning};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// Nesting deeper than this is refused (the value is walked recursively later on).
const MAX_DEPTH: usize = 256;

/// What aliases may copy, in nodes, beyond the document's own size (a "billion laughs" guard).
const ALIAS_BUDGET: usize = 1_000_000;

/// A collection being read.
enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        anchor: usize,
        /// The key read, waiting for its value, and where it was.
        key: Option<(String, Span)>,
        /// Whether the pending key is a merge key (`<<`, plain).
        merge_key: bool,
        /// Mappings named by merge keys, in order.
        merges: Vec<Value>,
        /// Where the mapping started (for the merge warning).
        start: Span,
    },
}

/// Parses a YAML text (one document) into a JSON value.
pub(crate) fn parse(text: &str, file: &str) -> Result<(Value, Vec<Warning>), Error> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Value, usize)> = HashMap::new();
    let mut budget = ALIAS_BUDGET + text.len();
    let mut warnings = Vec::new();
    let mut result: Option<Value> = None;
    // Characters in a text without a final line break (where the parser's block scalars end).
    let unterminated = (!text.ends_with(['\n', '\r'])).then(|| text.chars().count());
    let syntax = |span: &Span, message: String| Error::Syntax {
        file: file.to_string(),
        line: span.start.line(),
        column: span.start.col() + 1,
        message,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| Error::Syntax {
            file: file.to_string(),
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_string(),
        })?;
        // A finished node and its anchor (0: none).
        let (node, anchor) = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
            Event::DocumentStart(_) => {
                if result.is_some() {
                    return Err(syntax(
                        &span,
                        "several YAML documents in one file; an OpenAPI description is one".into(),
                    ));
                }
                continue;
            }
            Event::DocumentEnd => continue,
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(syntax(
                        &span,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        anchor,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        anchor,
                        key: None,
                        merge_key: false,
                        merges: Vec::new(),
                        start: span,
                    }
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq { items, anchor }) => (Value::Array(items), anchor),
                _ => return Err(syntax(&span, "unbalanced sequence".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    mut map,
                    anchor,
                    merges,
                    start,
                    ..
                }) => {
                    if !merges.is_empty() {
                        for source in merges {
                            for (k, v) in source.as_object().into_iter().flatten() {
                                if !map.contains_key(k) {
                                    map.insert(k.clone(), v.clone());
                                }
                            }
                        }
                        warnings.push(Warning::new(
                            pointer(&stack),
                            format!(
                                "YAML merge key `<<` (line {}) applied as in YAML 1.1: the merged entries were copied into this mapping (YAML 1.2 has no merge keys; other tools may read `<<` as a plain key)",
                                start.start.line()
                            ),
                        ));
                    }
                    (Value::Object(map), anchor)
                }
                _ => return Err(syntax(&span, "unbalanced mapping".into())),
            },
            Event::Alias(id) => {
                let Some((value, nodes)) = anchors.get(&id) else {
                    return Err(syntax(&span, "alias to an unknown anchor".into()));
                };
                budget = budget.checked_sub(*nodes).ok_or_else(|| {
                    syntax(
                        &span,
                        "aliases repeat more nodes than this generator reads (billion-laughs guard)"
                            .into(),
                    )
                })?;
                (value.clone(), 0)
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                // A key: its text, whatever it would resolve to.
                if let Some(Frame::Map {
                    key: key @ None,
                    merge_key,
                    map,
                    ..
                }) = stack.last_mut()
                {
                    *merge_key = plain && text == "<<";
                    if map.contains_key(text.as_ref()) {
                        return Err(syntax(&span, format!("duplicate entry with key {text:?}")));
                    }
                    *key = Some((text.into_owned(), span));
                    continue;
                }
                let is_str = tag
                    .as_ref()
                    .is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str");
                let value = if plain && !is_str {
                    resolve(&text)
                } else {
                    let mut s = text.into_owned();
                    // saphyr-parser 0.3 ends a `|`/`>` scalar that runs to the end of a file
                    // without a final line break with a line break anyway; YAML keeps only a
                    // break that is there (libyaml and PyYAML agree). Enum values depend on it.
                    if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                        && unterminated == Some(span.end.index())
                        && s.ends_with('\n')
                    {
                        s.pop();
                    }
                    Value::String(s)
                };
                (value, anchor)
            }
        };
        if anchor != 0 {
            anchors.insert(anchor, (node.clone(), nodes(&node)));
        }
        match stack.last_mut() {
            None => result = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                map,
                key,
                merge_key,
                merges,
                ..
            }) => match key.take() {
                Some(_) if *merge_key => {
                    *merge_key = false;
                    match node {
                        Value::Object(_) => merges.push(node),
                        Value::Array(list) if list.iter().all(Value::is_object) => {
                            merges.extend(list)
                        }
                        _ => {
                            return Err(syntax(
                                &span,
                                "a merge key `<<` takes a mapping or a list of mappings".into(),
                            ))
                        }
                    }
                }
                Some((k, _)) => {
                    map.insert(k, node);
                }
                None => {
                    return Err(syntax(
                        &span,
                        "a mapping key that is not a scalar; OpenAPI keys are strings".into(),
                    ))
                }
            },
        }
    }
    Ok((result.unwrap_or(Value::Null), warnings))
}

/// The JSON pointer of the collection on top of `stack` (built only for a warning).
fn pointer(stack: &[Frame]) -> String {
    let mut out = String::new();
    for frame in stack {
        match frame {
            Frame::Seq { items, .. } => out.push_str(&format!("/{}", items.len())),
            Frame::Map { key: Some(k), .. } => {
                out.push('/');
                out.push_str(&escape_token(&k.0));
            }
            Frame::Map { key: None, .. } => {}
        }
    }
    out
}

/// Values in a node, itself included.
fn nodes(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

/// A plain scalar's value (YAML 1.2 core schema, leading-zero digits kept as strings).
fn resolve(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Value::String(s.into()),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::String(".inf".into())
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::String("-.inf".into()),
        _ => {}
    }
    let b = s.as_bytes();
    // Only a digit, a sign or a dot starts a number: most scalars stop here.
    if !(b[0].is_ascii_digit() || matches!(b[0], b'-' | b'+' | b'.')) {
        return Value::String(s.to_string());
    }
    let (negative, digits) = match b[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let radix = |prefix: &str, radix: u32| {
        digits
            .strip_prefix(prefix)
            .filter(|d| !d.is_empty() && !negative && b[0] != b'+')
            .and_then(|d| u64::from_str_radix(d, radix).ok())
            .map(|n| Value::Number(n.into()))
    };
    if let Some(v) = radix("0x", 16).or_else(|| radix("0o", 8)) {
        return v;
    }
    let d = digits.as_bytes();
    if !d.is_empty() && d.iter().all(u8::is_ascii_digit) {
        if d.len() > 1 && d[0] == b'0' {
            return Value::String(s.to_string());
        }
        if let Ok(i) = s.parse::<i64>() {
            return Value::Number(i.into());
        }
        if let Ok(u) = s.parse::<u64>() {
            return Value::Number(u.into());
        }
        return float(s);
    }
    if is_float(d) {
        return float(s);
    }
    Value::String(s.to_string())
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema's float without its sign.
fn is_float(d: &[u8]) -> bool {
    let int = d.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = int;
    let mut frac = 0;
    if d.get(i) == Some(&b'.') {
        i += 1;
        frac = d[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac;
    }
    if int == 0 && frac == 0 {
        return false;
    }
    if matches!(d.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(d.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = d[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == d.len()
}

fn float(s: &str) -> Value {
    match s.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(s.to_string()),
    }
}
