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
            message: e.to_string(),
        })
    } else {
        let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            Error::Syntax {
                file: file.to_string(),
                line,
                column,
                message: e.to_string(),
            }
        })?;
        yaml_to_json(yaml, file, "")
    }
}

fn yaml_to_json(v: serde_yaml::Value, file: &str, pointer: &str) -> Result<Value, Error> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                // NaN and infinities have no JSON form; keep their spelling.
                let f = n.as_f64().unwrap_or(f64::NAN);
                Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(n.to_string()))
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, file, &format!("{pointer}/{i}")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                // Unquoted keys such as `200:` or `true:` are scalars in YAML; OpenAPI means their text.
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    _ => return Err(Error::spec(file, pointer, "mapping key is not a scalar")),
                };
                let child = format!("{pointer}/{}", crate::diag::escape_token(&key));
                out.insert(key, yaml_to_json(v, file, &child)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value, file, pointer)?,
    })
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
