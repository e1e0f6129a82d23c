//! Rust names from wire names: valid identifiers for any input, deterministic collision handling.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Words for characters that carry meaning in names (`+1` vs `-1`).
fn spell_symbols(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '+' => out.push_str(if i == 0 { "plus " } else { " plus " }),
            '-' if i == 0 => out.push_str("minus "),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

/// A snake_case identifier (fields, functions, modules). Never empty, never a keyword.
pub fn snake(s: &str) -> String {
    let mut n = spell_symbols(s).to_snake_case();
    n.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if n.is_empty() {
        n = "empty".into();
    }
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert(0, '_');
    }
    if KEYWORDS.contains(&n.as_str()) || n == "_" {
        n.push('_');
    }
    n
}

/// An UpperCamelCase identifier (types, variants). Keeps names that already are one.
pub fn camel(s: &str) -> String {
    // Keep names that already are UpperCamelCase; ALL-CAPS words (`NONE`) are converted.
    let already = s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && (s.len() < 3 || s.chars().any(|c| c.is_ascii_lowercase()));
    let mut n = if already {
        s.to_string()
    } else {
        spell_symbols(s).to_upper_camel_case()
    };
    n.retain(|c| c.is_ascii_alphanumeric());
    if n.is_empty() {
        n = "Empty".into();
    }
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert(0, 'V');
    }
    if KEYWORDS.contains(&n.as_str()) {
        n.push('_');
    }
    n
}

/// Names the generated code uses unqualified (std prelude, serde traits, our own support
/// types): a schema with one of these names gets a `Model` suffix instead.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "From",
    "Into",
    "Iterator",
    "Drop",
    "Fn",
    "ToString",
    "Serialize",
    "Deserialize",
    "Nullable",
    "Self_",
];

/// Hands out names unique within one scope: the second `foo` becomes `foo2`.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: BTreeSet<String>,
}

impl Scope {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves `name`, or the first free `name2`, `name3`, ….
    pub fn claim(&mut self, name: String) -> String {
        if self.used.insert(name.clone()) {
            return name;
        }
        let base = name.trim_end_matches('_');
        let mut i = 2;
        loop {
            let candidate = format!("{base}{i}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            i += 1;
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.used.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awkward_names_become_identifiers() {
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake(""), "empty");
        assert_eq!(snake("$parent"), "parent");
        assert_eq!(snake("+1"), "plus_1");
        assert_eq!(snake("-1"), "minus_1");
        assert_eq!(snake("files[0]"), "files_0");
        assert_eq!(snake("applicationId"), "application_id");
        assert_eq!(snake("9lives"), "_9lives");
        assert_eq!(snake("self"), "self_");
        assert_eq!(camel("OAuth2TokenResponse"), "OAuth2TokenResponse");
        assert_eq!(camel("billing.address"), "BillingAddress");
        assert_eq!(camel(""), "Empty");
        assert_eq!(camel("1080p"), "V1080p");
        assert_eq!(camel("Self"), "Self_");
        assert_eq!(camel("authorization_code"), "AuthorizationCode");
        assert_eq!(camel("NONE"), "None");
        assert_eq!(camel("HIGH_BIT"), "HighBit");
        assert_eq!(camel("ID"), "ID");
    }

    #[test]
    fn scope_resolves_collisions_deterministically() {
        let mut s = Scope::new();
        assert_eq!(s.claim("a".into()), "a");
        assert_eq!(s.claim("a".into()), "a2");
        assert_eq!(s.claim("a".into()), "a3");
    }
}
