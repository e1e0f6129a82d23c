//! Rust names from wire names: valid identifiers for any input, deterministic collision handling.
//!
//! Every identifier of a generated crate is decided while the IR is built (`build`), in a
//! [`Scope`] per namespace of the crate, seeded with what is already there: the runtime's own
//! items and methods ([`CLIENT_METHODS`], [`BUILDER_METHODS`]), what the model macros declare
//! ([`MACRO_NAMES`]), the std prelude and Rust keywords. Emitters only print names from the
//! IR. The namespaces and their seeds:
//!
//! | namespace | names | seeded with |
//! |---|---|---|
//! | `models` (types) | schemas, inline types, `ErrorBody` | [`RESERVED_TYPE_NAMES`] (`…Model`), [`CRATE_ROOT_NAMES`] (`Api…`) |
//! | `apis` (modules = `Client` accessors) | one per tag | crate modules, [`CLIENT_METHODS`], `with_…` (`…_api`) |
//! | `ClientBuilder` / `Client` methods | security scheme setters, `with_…` | [`BUILDER_METHODS`], [`CLIENT_METHODS`] (`…_auth`) |
//! | `apis` (values) | scheme statics, error decoders | `RAW_ROUTES`, `SECURITY_n`, `ERRORS_n` (`…_SCHEME`), `file_part` |
//! | a tag module (types) | `…Api`, `…Params`, `…Body` | `RequestSpec` |
//! | a tag's `…Api` methods | operations (tag prefix dropped), stream methods | |
//! | an operation's arguments | parameters, body (`…_body`), media type | [`METHOD_LOCALS`], [`BODY_LOCALS`] |
//! | a struct's fields | properties, constants, the extra-properties map | |
//! | `docs/` | one Markdown file per tag and type | (`….model.md`; long names cut, with a hash) |
//!
//! The numbered tables `SECURITY_n` and `ERRORS_n` are still numbered by the emitter
//! (`emit::apis::Shared`); their patterns are what the scheme statics avoid.
//!
//! A name the spec gives (a schema, a tag, an operationId) that is taken by another gets a
//! numbered or suffixed one, with a warning naming both pointers; a name the user chose
//! (`x-rust-name`, `[rename]` in `codegen.toml`) that is taken is an error naming both.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashSet;

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

/// Word boundaries exactly as `heck` (0.5) finds them, for ASCII text only: words are split at
/// non-alphanumeric characters, after a lowercase letter followed by an uppercase one, and
/// before the last of several uppercase letters followed by a lowercase one. `heck` writes
/// through `fmt` one character at a time, which was a twentieth of Stripe's run; this gives
/// the same words without it (checked against `heck` in the tests).
fn ascii_words(s: &str, mut word: impl FnMut(&[u8])) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    for w in s.as_bytes().split(|b| !b.is_ascii_alphanumeric()) {
        let (mut init, mut mode) = (0, Mode::Boundary);
        for i in 0..w.len() {
            let c = w[i];
            let Some(&next) = w.get(i + 1) else {
                word(&w[init..]);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                word(&w[init..=i]);
                init = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                word(&w[init..i]);
                init = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
}

/// `heck`'s snake case.
fn to_snake(s: &str) -> String {
    if !s.is_ascii() {
        return s.to_snake_case();
    }
    let mut out = Vec::with_capacity(s.len() + 4);
    ascii_words(s, |w| {
        if !out.is_empty() {
            out.push(b'_');
        }
        out.extend(w.iter().map(u8::to_ascii_lowercase));
    });
    String::from_utf8(out).expect("ASCII in, ASCII out")
}

/// `heck`'s upper camel case.
fn to_camel(s: &str) -> String {
    if !s.is_ascii() {
        return s.to_upper_camel_case();
    }
    let mut out = Vec::with_capacity(s.len());
    ascii_words(s, |w| {
        if let Some((first, rest)) = w.split_first() {
            out.push(first.to_ascii_uppercase());
            out.extend(rest.iter().map(u8::to_ascii_lowercase));
        }
    });
    String::from_utf8(out).expect("ASCII in, ASCII out")
}

/// ASCII text in which [`spell_symbols`] spells nothing out: it would only turn separators into
/// spaces, which split words just as they do, so it can be skipped.
fn plain_ascii(s: &str) -> bool {
    s.is_ascii() && !s.starts_with('-') && !s.contains('+')
}

/// A snake_case identifier (fields, functions, modules). Never empty, never a keyword.
pub fn snake(s: &str) -> String {
    let mut n = if plain_ascii(s) {
        to_snake(s)
    } else {
        to_snake(&spell_symbols(s))
    };
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
    let mut n = camel_stem(s);
    if KEYWORDS.contains(&n.as_str()) {
        // `Self` (or what is left of non-ASCII text); `Self_` would trip
        // `non_camel_case_types`.
        n.push_str("Value");
    }
    n
}

/// An UpperCamelCase stem that other words follow (`{stem}Api`, `{stem}Params`): [`camel`]
/// without escaping `Self`, which is a fine start of a longer name.
pub fn camel_stem(s: &str) -> String {
    // Keep names that already are UpperCamelCase; ALL-CAPS words (`NONE`) are converted.
    let already = s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && (s.len() < 3 || s.chars().any(|c| c.is_ascii_lowercase()));
    if already || plain_ascii(s) {
        // ASCII words that each start uppercase or with a digit: nothing to drop, and the only
        // keyword such a name can be is `Self` (the general path below gives the same).
        let mut n = if already { s.to_string() } else { to_camel(s) };
        if n.is_empty() {
            n = "Empty".into();
        }
        if n.starts_with(|c: char| c.is_ascii_digit()) {
            n.insert(0, 'V');
        }
        return n;
    }
    let mut n = to_camel(&spell_symbols(s));
    n.retain(|c| c.is_ascii_alphanumeric());
    if n.is_empty() {
        n = "Empty".into();
    }
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert(0, 'V');
    }
    n
}

/// Whether `s` is a snake_case identifier that can be used as it is: ASCII lowercase letters,
/// digits and `_`, not starting with a digit, not a keyword (for `x-rust-name`).
pub fn is_snake_ident(s: &str) -> bool {
    !s.is_empty()
        && s != "_"
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&s)
}

/// Whether `s` is an UpperCamelCase identifier that can be used as it is (for `x-rust-name`).
pub fn is_camel_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
        && !KEYWORDS.contains(&s)
}

/// Methods of the runtime's `Client` (and the generated `request`): a tag's accessor, which is
/// also its module's name, and a scheme's `with_…` method must not be one of them. Checked
/// against the runtime sources by a test.
pub const CLIENT_METHODS: &[&str] = &[
    "attempt",
    "base_url",
    "before_retry",
    "builder",
    "execute",
    "execute_bytes",
    "execute_empty",
    "execute_expecting",
    "has_credential",
    "http_client",
    "prepare",
    "rate_limiter",
    "request",
    "retry_policy",
    "send",
    "send_prepared",
    "send_streaming",
    "server_for",
    "with_credential",
    "without_credential",
];

/// Methods of the runtime's `ClientBuilder`: a security scheme's setter must not be one of
/// them. Checked against the runtime sources by a test.
pub const BUILDER_METHODS: &[&str] = &[
    "attempt_timeout",
    "base_url",
    "build",
    "connect_timeout",
    "credential",
    "default_header",
    "http_client",
    "no_rate_limit",
    "on_retry",
    "operation_servers",
    "rate_limit_headers",
    "rate_limiter",
    "retry",
    "server_url",
    "timeout",
    "user_agent",
    "user_agent_suffix",
];

/// Type names the model macros of `types.rs` declare where a model's name is used (generic
/// parameters of `deserialize` and `visit_map`, the visitor struct): a model with one of these
/// names would be shadowed by them. Checked against the macros by a test.
pub const MACRO_NAMES: &[&str] = &["A", "D", "S", "ModelVisitor"];

/// Items of the generated crate's root that a reader meets beside the models
/// (`fluxer_sdk::Error`, `fluxer_sdk::Client`, …): a schema with one of these names gets the
/// prefix `Api` (`models::ApiError`, also the variant `ErrorBody::ApiError`), with a warning,
/// so that the three are told apart.
pub const CRATE_ROOT_NAMES: &[&str] = &[
    "Error",
    "Client",
    "ClientBuilder",
    "Response",
    "ResponseFuture",
];

/// Locals and parameters of a generated operation method besides its arguments (`req`, the
/// request being built; `params`, the optional parameters; `body`): no argument takes them.
pub const METHOD_LOCALS: &[&str] = &["req", "params", "body", "self_"];

/// Locals the body code binds where it reads the body argument (the multipart form the
/// file parts are added to): a body argument with one of these names is called `…_body`.
pub const BODY_LOCALS: &[&str] = &["form"];

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
    "Self",
    "ErrorBody",
    "A",
    "D",
    "S",
    "ModelVisitor",
];

// FxHash (rustc's hash) for the generator's own sets of names, which are only looked up, never
// iterated, so the output does not depend on it. Keeping a scope of 6,000 type names in a
// `BTreeSet` (string comparisons all the way down) was nearly a tenth of Stripe's IR stage.

/// A set of names, hashed with FxHash.
pub type NameSet = HashSet<String, rustc_hash::FxBuildHasher>;

/// A map by name (or pointer), hashed with FxHash.
pub type NameMap<V> = std::collections::HashMap<String, V, rustc_hash::FxBuildHasher>;

/// Hands out names unique within one scope: the second `foo` becomes `foo2`. Names claimed
/// with [`Scope::claim_at`] remember where they came from, so a collision can name both.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: NameSet,
    /// Pointer of the spec node a name was claimed for (names claimed with `claim_at`).
    owners: NameMap<String>,
    /// Names the user chose ([`Scope::claim_chosen`]).
    chosen: NameSet,
}

/// Why a wanted name was not given: who holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// The runtime, the macros, std or another generated item: no spec node.
    Reserved,
    /// The spec node at this pointer.
    At(String),
    /// The spec node at this pointer, whose name the user chose (`x-rust-name`, `[rename]`).
    Chosen(String),
}

impl Scope {
    pub fn new() -> Self {
        Self::default()
    }

    /// A scope in which `names` are taken already.
    pub fn seeded<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut s = Self::new();
        for n in names {
            s.used.insert(n.to_string());
        }
        s
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

    /// [`Scope::claim`] for the spec node at `owner`: also says who holds `name` when it was
    /// taken (and another name was given).
    pub fn claim_at(&mut self, name: String, owner: &str) -> (String, Option<Holder>) {
        let holder = self.holder(&name);
        let given = self.claim(name);
        self.owners.insert(given.clone(), owner.to_string());
        (given, holder)
    }

    /// [`Scope::claim_at`] trying `alt` (then `alt2`, …) when `name` is taken.
    pub fn claim_or_at(
        &mut self,
        name: String,
        alt: String,
        owner: &str,
    ) -> (String, Option<Holder>) {
        match self.holder(&name) {
            None => self.claim_at(name, owner),
            Some(holder) => {
                let (given, _) = self.claim_at(alt, owner);
                (given, Some(holder))
            }
        }
    }

    /// Claims `name`, chosen by the user for the node at `owner`: `Err` with its holder when
    /// it is taken (the caller reports the collision).
    pub fn claim_chosen(&mut self, name: String, owner: &str) -> Result<String, Holder> {
        if let Some(h) = self.holder(&name) {
            return Err(h);
        }
        self.chosen.insert(name.clone());
        Ok(self.claim_at(name, owner).0)
    }

    /// Who holds `name`, if anyone.
    pub fn holder(&self, name: &str) -> Option<Holder> {
        if !self.used.contains(name) {
            return None;
        }
        Some(match self.owners.get(name) {
            Some(p) if self.chosen.contains(name) => Holder::Chosen(p.clone()),
            Some(p) => Holder::At(p.clone()),
            None => Holder::Reserved,
        })
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
        assert_eq!(camel("Self"), "SelfValue");
        assert_eq!(camel_stem("Self"), "Self");
        assert_eq!(camel_stem("self"), "Self");
        assert_eq!(camel("authorization_code"), "AuthorizationCode");
        assert_eq!(camel("NONE"), "None");
        assert_eq!(camel("HIGH_BIT"), "HighBit");
        assert_eq!(camel("ID"), "ID");
    }

    /// The ASCII path gives `heck`'s words: every string of up to 6 characters from an alphabet
    /// with each kind of character, and some longer ones.
    #[test]
    fn ascii_cases_match_heck() {
        let alphabet = [b'a', b'b', b'A', b'B', b'1', b'_', b' ', b'-'];
        let check = |s: &str| {
            assert_eq!(to_snake(s), s.to_snake_case(), "{s:?}");
            assert_eq!(to_camel(s), s.to_upper_camel_case(), "{s:?}");
        };
        let mut buf = Vec::new();
        for len in 0..=6u32 {
            for mut k in 0..alphabet.len().pow(len) {
                buf.clear();
                for _ in 0..len {
                    buf.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                check(std::str::from_utf8(&buf).unwrap());
            }
        }
        for s in [
            "XMLHttpRequest",
            "OAuth2TokenResponse",
            "billing_details.address",
            "HTTP2XX",
            "ABCdef GHi__j-K",
            "requires_payment_method",
            "x-enum-varnames",
            "ÉtéΣ Straße",
        ] {
            check(s);
        }
    }

    /// `camel` and `snake` as they were before their ASCII shortcuts.
    fn camel_before(s: &str) -> String {
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
            n.push_str("Value");
        }
        n
    }

    fn snake_before(s: &str) -> String {
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

    /// The shortcuts change no name: every string of up to 5 characters from an alphabet with
    /// each kind of character (symbols, a non-ASCII letter), and the keywords in all cases.
    #[test]
    fn names_are_as_before() {
        let alphabet = ['a', 'S', 'e', 'l', 'f', '1', '_', '-', '+', ' ', 'é'];
        let mut inputs: Vec<String> = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = inputs
                .iter()
                .filter(|s| s.chars().count() == inputs.last().map_or(0, |l| l.chars().count()))
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(longer);
        }
        for k in KEYWORDS {
            inputs.push(k.to_string());
            inputs.push(k.to_uppercase());
            inputs.push(camel_before(k));
            inputs.push(format!("é{k}"));
        }
        for s in &inputs {
            assert_eq!(camel(s), camel_before(s), "{s:?}");
            assert_eq!(snake(s), snake_before(s), "{s:?}");
        }
    }

    #[test]
    fn scope_resolves_collisions_deterministically() {
        let mut s = Scope::new();
        assert_eq!(s.claim("a".into()), "a");
        assert_eq!(s.claim("a".into()), "a2");
        assert_eq!(s.claim("a".into()), "a3");
    }
}
