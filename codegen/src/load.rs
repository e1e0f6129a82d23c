//! Stage 1: read a document (JSON or YAML, decided by content) into a `serde_json::Value`,
//! bring in the files its `$ref`s name ([`bundle`]), and resolve local `$ref`s by JSON pointer.

mod bundle;
mod yaml;

pub use bundle::Options;

use crate::diag::{Error, Warning};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A loaded OpenAPI document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file name used in diagnostics.
    pub file: String,
    /// The document as written (before normalization), other files' parts brought in.
    pub root: Value,
    /// What loading noticed (YAML merge keys, references left as written).
    pub warnings: Vec<Warning>,
    /// Which file each part of `root` came from.
    pub sources: Sources,
}

impl Document {
    /// A document read from one file.
    pub fn new(file: impl Into<String>, root: Value) -> Self {
        Document {
            file: file.into(),
            root,
            warnings: Vec::new(),
            sources: Sources::default(),
        }
    }
}

/// Reads and parses a file, and the files it refers to.
pub fn load_file(path: &Path) -> Result<Document, Error> {
    load_with(path, Options::default())
}

/// [`load_file`] with options for following references to other files.
pub fn load_with(path: &Path, options: Options) -> Result<Document, Error> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let (mut root, warnings) = parse_with_warnings(&text, &file)?;
    let (sources, more) = bundle::bundle(path, &file, &mut root, options)?;
    let mut warnings: Vec<Warning> = warnings.into_iter().map(|w| w.in_file(&file)).collect();
    warnings.extend(more);
    Ok(Document {
        file,
        root,
        warnings,
        sources,
    })
}

/// Parses JSON when the first meaningful character opens an object or array, YAML otherwise.
pub fn parse(text: &str, file: &str) -> Result<Value, Error> {
    parse_with_warnings(text, file).map(|(v, _)| v)
}

/// [`parse`], with what YAML reading noticed (pointers into this text).
pub fn parse_with_warnings(text: &str, file: &str) -> Result<(Value, Vec<Warning>), Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.trim_start().chars().next();
    if matches!(first, Some('{') | Some('[')) {
        serde_json::from_str(text)
            .map(|v| (v, Vec::new()))
            .map_err(|e| Error::Syntax {
                file: file.to_string(),
                line: e.line(),
                column: e.column(),
                message: without_location(&e.to_string(), e.line(), e.column()),
            })
    } else {
        yaml::parse(text, file)
    }
}

/// Maps pointers of the bundled document to the file and pointer they were written at.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<String>,
    moved: BTreeMap<String, (usize, String)>,
}

impl Sources {
    fn new(files: Vec<String>, list: Vec<(String, usize, String)>) -> Self {
        Sources {
            files,
            moved: list.into_iter().map(|(b, f, p)| (b, (f, p))).collect(),
        }
    }

    /// The file and pointer a pointer of the bundled document was written at; `None` when it
    /// is the entry file's own (same pointer).
    pub fn locate(&self, pointer: &str) -> Option<(&str, String)> {
        if self.moved.is_empty() {
            return None;
        }
        let mut cut = pointer.len();
        loop {
            let prefix = &pointer[..cut];
            if let Some((f, p)) = self.moved.get(prefix) {
                return Some((self.files[*f].as_str(), format!("{p}{}", &pointer[cut..])));
            }
            match prefix.rfind('/') {
                Some(i) => cut = i,
                None => return None,
            }
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

    /// YAML 1.2 core schema scalars, with leading-zero digits kept as strings.
    #[test]
    fn yaml_scalars_resolve_as_yaml_1_2() {
        let y = parse(
            "a: 2020-01-02\nb: yes\nc: off\nd: 0123\ne: 0o17\nf: 0x1F\ng: 1e3\nh: -.inf\ni: 3.0.0\nj: '1'\nk: !!str 12\nl: +5\nm: 1.50\nn: ~\no:\np: 12:30\n",
            "a.yaml",
        )
        .unwrap();
        assert_eq!(y["a"], "2020-01-02");
        assert_eq!(y["b"], "yes");
        assert_eq!(y["c"], "off");
        assert_eq!(y["d"], "0123");
        assert_eq!(y["e"], 15);
        assert_eq!(y["f"], 31);
        assert_eq!(y["g"].as_f64(), Some(1000.0));
        assert_eq!(y["h"], "-.inf");
        assert_eq!(y["i"], "3.0.0");
        assert_eq!(y["j"], "1");
        assert_eq!(y["k"], "12");
        assert_eq!(y["l"], 5);
        assert_eq!(y["m"].as_f64(), Some(1.5));
        assert!(y["n"].is_null() && y["o"].is_null());
        assert_eq!(y["p"], "12:30");
    }

    /// A `|` or `>` scalar that ends the file without a line break has none (clip chomping
    /// keeps a final break only when there is one): the old hand-written reader added one,
    /// which changed enum values.
    #[test]
    fn block_scalar_at_end_of_file_without_newline() {
        for (doc, want) in [
            ("a: |\n  x\n  y", "x\ny"),
            ("a: >\n  x\n  y", "x y"),
            ("a: |\n  x\n", "x\n"),
            ("a: |-\n  x\n", "x"),
            ("a:\n  - |\n    v", "v"),
        ] {
            let y = parse(doc, "a.yaml").unwrap();
            let got = y["a"].as_str().or_else(|| y["a"][0].as_str());
            assert_eq!(got, Some(want), "{doc:?}");
        }
    }

    /// YAML limits implicit keys to 1,024 characters.
    #[test]
    fn keys_over_1024_characters_are_refused() {
        let long = "k".repeat(1100);
        let e = parse(&format!("{long}: 1\n"), "k.yaml").unwrap_err();
        assert!(matches!(e, Error::Syntax { .. }), "{e}");
        let short = "k".repeat(1000);
        assert_eq!(
            parse(&format!("{short}: 1\n"), "k.yaml").unwrap()[&short],
            1
        );
        // An explicit key (`? key`) may be longer.
        let y = parse(&format!("? {long}\n: 1\n"), "k.yaml").unwrap();
        assert_eq!(y[&long], 1);
    }

    /// Merge keys are applied as YAML 1.1 describes them, with a warning naming the mapping.
    #[test]
    fn merge_keys_are_applied_with_a_warning() {
        let (y, w) = parse_with_warnings(
            "base: &b\n  type: string\n  description: base\nx:\n  s:\n    <<: *b\n    description: own\n",
            "m.yaml",
        )
        .unwrap();
        assert_eq!(y["x"]["s"]["type"], "string");
        assert_eq!(y["x"]["s"]["description"], "own");
        assert!(y["x"]["s"].get("<<").is_none());
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].pointer, "/x/s");
        assert!(w[0].message.contains("merge key"), "{}", w[0].message);
        // A quoted `<<` is an ordinary key.
        let (y, w) = parse_with_warnings("'<<': 1\n", "m.yaml").unwrap();
        assert_eq!(y["<<"], 1);
        assert!(w.is_empty());
    }

    #[test]
    fn aliases_are_bounded() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse(&doc, "bomb.yaml").is_err());
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let e = parse("{\n  \"a\": ,\n}", "bad.json").unwrap_err();
        assert!(matches!(e, Error::Syntax { line: 2, .. }), "{e}");
        let e = parse("a: [1, 2\nb: c", "bad.yaml").unwrap_err();
        assert!(matches!(e, Error::Syntax { .. }), "{e}");
        let e = parse("a: 1\nb:\n  c: 1\n  c: 2\n", "dup.yaml").unwrap_err();
        assert!(
            e.to_string().starts_with("dup.yaml:4:3: duplicate entry"),
            "{e}"
        );
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
