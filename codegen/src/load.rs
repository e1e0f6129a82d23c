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
            if out.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "duplicate entry with key {key:?}"
                )));
            }
            out.insert(key, v);
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
