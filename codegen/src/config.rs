//! Generator options, from the command line and from an optional `codegen.toml` beside the spec.
//!
//! ```toml
//! crate_name = "fluxer-sdk"          # package name of the generated crate
//! crate_version = "0.1.0"
//! decimal_ids_as_snowflake = true    # strings with pattern ^(0|[1-9][0-9]*)$ become Snowflake
//!
//! [type_overrides]                   # schema name -> Rust type path used instead of a generated type
//! SnowflakeType = "crate::types::Snowflake"
//!
//! overlays = ["overlays/fix.yaml"] # Overlay 1.0 documents applied in order (relative to this file)
//!
//! [package]                        # Cargo.toml metadata of the generated crate (all optional)
//! license = "MIT OR Apache-2.0"     # default: the spec's info.license (SPDX identifier or name)
//! repository = "https://…"
//! documentation = "https://docs.rs/…"
//! homepage = "https://…"
//! keywords = ["api", "sdk"]
//! categories = ["api-bindings"]
//! publish = true                     # default: false (a generated crate is not published by accident)
//! strict = false                    # refuse specs that need a documented fallback (undeclared path parameters)
//! allow_refs_outside_root = false    # follow `$ref`s to files outside the spec's folder
//!
//! [rename]                           # Rust names chosen without editing the spec (as `x-rust-name`)
//! Error = "ApiError"                 # a component schema (its type)
//! "Error.message" = "text"           # a property of a component schema (its field)
//! list_messages = "messages"         # an operation, by operationId (its method)
//! "list_messages.before" = "before_id"  # a parameter of an operation, by name (its argument)
//! "#/components/securitySchemes/botToken" = "bot"  # any of these, or a security scheme, by JSON pointer
//!
//! [auth_prefix]                      # apiKey scheme -> prefix written before the token
//! botToken = "Bot "
//!
//! [pagination]                       # operationId -> how its pages continue (where detection
//!                                    # from the spec is ambiguous or wrong; `x-pagination` on
//!                                    # the operation takes the same keys)
//! list_messages = { kind = "cursor", param = "before" }          # last item's `id`
//! list_repos = { kind = "link" }                                 # Link: <…>; rel="next"
//! list_charges = { kind = "body", param = "starting_after", from_last_item = "id", has_more = "has_more", items = "data" }
//! list_events = { kind = "body", param = "cursor", next = "next_cursor" }
//! list_rows = { kind = "offset", param = "offset", limit = "limit" }
//! list_other = { kind = "none" }                                 # no stream method
//!
//! [rate_limit]                       # proactive rate limiting (the runtime's `limiter.rs`)
//! enabled = true                     # default: the responses declare rate-limit headers
//! major_params = ["channel_id", "guild_id", "webhook_id"]  # path parameters that partition a
//!                                    # route's limits (this is the default)
//! global = { requests = 50, window_ms = 1000 }  # a documented global limit (default: none)
//!
//! [rate_limit.headers]               # default: the names the responses declare (see build)
//! limit = "X-RateLimit-Limit"
//! remaining = "X-RateLimit-Remaining"
//! reset = "X-RateLimit-Reset"        # Unix time, seconds
//! reset_after = "X-RateLimit-Reset-After"  # seconds from now
//! bucket = "X-RateLimit-Bucket"      # the server's name of a shared bucket
//! global = "X-RateLimit-Global"
//! retry_after = "Retry-After"
//! ```

use crate::diag::Error;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Options that shape the generated crate.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Package name of the generated crate.
    pub crate_name: String,
    /// Package version of the generated crate.
    pub crate_version: String,
    /// Map pattern-constrained decimal ID strings to `Snowflake` (a u64 newtype).
    pub decimal_ids_as_snowflake: bool,
    /// Component schema name -> Rust type path used in place of a generated type.
    pub type_overrides: BTreeMap<String, String>,
    /// apiKey security scheme name -> prefix written before the token (`"Bot "`).
    pub auth_prefix: BTreeMap<String, String>,
    /// Package metadata written into the generated `Cargo.toml`.
    pub package: Package,
    /// operationId -> its pagination pattern, where the spec does not tell unambiguously.
    pub pagination: BTreeMap<String, PaginationConfig>,
    /// Overlay documents applied to the description before anything else, in order (paths
    /// relative to `codegen.toml`; `--overlay` on the command line adds more after them).
    pub overlays: Vec<std::path::PathBuf>,
    /// Refuse, instead of warning and falling back, where the spec breaks a rule that the
    /// generator can work around (a path parameter used in a path but never declared).
    pub strict: bool,
    /// Follow `$ref`s to files outside the folder of the spec file.
    pub allow_refs_outside_root: bool,
    /// Rust names chosen for schemas, properties, operations, parameters and security schemes
    /// (key: a name as in the module docs, or a JSON pointer -> the name); each sets the
    /// node's `x-rust-name` before anything else reads the document.
    pub rename: BTreeMap<String, String>,
    /// The file the config was read from (for errors about it).
    #[serde(skip)]
    pub source: Option<String>,
    /// Proactive rate limiting: on/off, header names, major parameters, a global limit.
    pub rate_limit: RateLimitConfig,
    /// Extra files copied into the crate (relative path -> contents), e.g. examples kept beside the spec.
    #[serde(skip)]
    pub extra_files: BTreeMap<String, String>,
    /// Write a crate that is its own workspace (for `--out` outside this repository).
    #[serde(skip)]
    pub standalone: bool,
}

/// The `[package]` table of `codegen.toml`: what crates.io and docs.rs show.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Package {
    /// An SPDX license expression; when absent, the description's `info.license`.
    pub license: Option<String>,
    pub repository: Option<String>,
    pub documentation: Option<String>,
    pub homepage: Option<String>,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    /// `publish = false` unless set to true.
    pub publish: bool,
}

/// The `[rate_limit]` table of `codegen.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Whether clients wait for rate-limit budget by default; `None`: when the responses
    /// declare rate-limit headers.
    pub enabled: Option<bool>,
    /// Wire names of the path parameters whose values partition a route's limits.
    pub major_params: Vec<String>,
    /// Header names, each overriding the one found in the spec.
    pub headers: RateLimitHeaderNames,
    /// A global limit the API documents.
    pub global: Option<GlobalLimitConfig>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: None,
            // Discord-style chat APIs partition limits by these; a parameter that the server
            // does not partition by would let the client overrun the shared bucket, so the
            // default names only these, and routes without them have one bucket each.
            major_params: ["channel_id", "guild_id", "webhook_id"]
                .map(String::from)
                .to_vec(),
            headers: RateLimitHeaderNames::default(),
            global: None,
        }
    }
}

/// `[rate_limit.headers]`: the response headers that carry rate-limit information.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitHeaderNames {
    pub limit: Option<String>,
    pub remaining: Option<String>,
    /// Unix time (seconds) of the window's reset.
    pub reset: Option<String>,
    /// Seconds until the window's reset.
    pub reset_after: Option<String>,
    pub bucket: Option<String>,
    pub global: Option<String>,
    pub retry_after: Option<String>,
}

/// `[rate_limit] global = { requests = 50, window_ms = 1000 }`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GlobalLimitConfig {
    pub requests: u32,
    #[serde(default = "one_second")]
    pub window_ms: u64,
}

fn one_second() -> u64 {
    1000
}

/// One entry of `[pagination]` in `codegen.toml` (or an operation's `x-pagination`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PaginationConfig {
    /// `cursor` (a query parameter takes the last item's ID), `link` (`Link: rel="next"`),
    /// `body` (a query parameter takes a cursor from the body, or the last item's ID while a
    /// `has_more` property is true), `offset`, or `none`.
    pub kind: String,
    /// The query parameter that carries the cursor or offset.
    pub param: Option<String>,
    /// `cursor`: the item property the cursor is taken from (default `id`).
    pub id_field: Option<String>,
    /// `body`: the body property holding the next cursor (`next_cursor`).
    pub next: Option<String>,
    /// `body`: the boolean body property that is `false` on the last page.
    pub has_more: Option<String>,
    /// `body`: the cursor is this property of the last item (Stripe: `id`).
    pub from_last_item: Option<String>,
    /// The body property holding the items (default: the body is the array).
    pub items: Option<String>,
    /// The query parameter bounding the page size (default: `limit`, `per_page` or
    /// `page_size` when the operation has one).
    pub limit: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            crate_name: "openapi-client".into(),
            crate_version: "0.1.0".into(),
            // Strings constrained to decimal digits are IDs; a u64 newtype reads them exactly.
            decimal_ids_as_snowflake: true,
            type_overrides: BTreeMap::new(),
            auth_prefix: BTreeMap::new(),
            package: Package::default(),
            pagination: BTreeMap::new(),
            overlays: Vec::new(),
            strict: false,
            allow_refs_outside_root: false,
            rename: BTreeMap::new(),
            source: None,
            rate_limit: RateLimitConfig::default(),
            extra_files: BTreeMap::new(),
            standalone: false,
        }
    }
}

impl Config {
    /// Reads `codegen.toml` from the spec's folder if present; defaults otherwise.
    pub fn beside(spec: &Path) -> Result<Config, Error> {
        let path = spec.parent().unwrap_or(Path::new(".")).join("codegen.toml");
        if !path.exists() {
            return Ok(Config::default());
        }
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| {
                    let before = &text[..s.start.min(text.len())];
                    (
                        before.lines().count().max(1),
                        before.rsplit('\n').next().map_or(0, str::len) + 1,
                    )
                })
                .unwrap_or((0, 0));
            Error::Syntax {
                file,
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        config.source = Some(path.display().to_string());
        let folder = path.parent().unwrap_or(Path::new("."));
        for o in &mut config.overlays {
            *o = folder.join(&*o);
        }
        // Examples kept beside the spec ship with the crate.
        let examples = path.with_file_name("examples");
        if let Ok(dir) = std::fs::read_dir(&examples) {
            let mut names: Vec<_> = dir
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                .collect();
            names.sort();
            for p in names {
                let text = std::fs::read_to_string(&p).map_err(|e| Error::Io {
                    file: p.display().to_string(),
                    message: e.to_string(),
                })?;
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                config.extra_files.insert(format!("examples/{name}"), text);
            }
        }
        Ok(config)
    }
}

impl Config {
    /// Sets the `x-rust-name` of each node `[rename]` names, in the document as loaded (before
    /// normalization, like overlays). A key that names nothing, or two things, is an error
    /// naming the key.
    pub fn apply_renames(&self, root: &mut serde_json::Value) -> Result<(), Error> {
        for (key, name) in &self.rename {
            let ptr = rename_target(root, key).map_err(|message| Error::Output {
                path: self.source.clone().unwrap_or_else(|| "codegen.toml".into()),
                message: format!("[rename] {key:?}: {message}"),
            })?;
            if let Some(serde_json::Value::Object(node)) = root.pointer_mut(&ptr) {
                node.insert(
                    crate::build::RUST_NAME.to_string(),
                    serde_json::Value::String(name.clone()),
                );
            }
        }
        Ok(())
    }
}

/// The pointer a `[rename]` key names: itself (`#/…`), a component schema or an operationId,
/// and after a `.` one of its properties or parameters.
fn rename_target(root: &serde_json::Value, key: &str) -> Result<String, String> {
    use crate::diag::join;
    use serde_json::Value;
    if let Some(ptr) = key.strip_prefix('#') {
        return match root.pointer(ptr) {
            Some(Value::Object(_)) => Ok(ptr.to_string()),
            Some(_) => Err("the pointer names something that is not an object".into()),
            None => Err("the pointer names nothing in the description".into()),
        };
    }
    // Local `$ref`s are followed: the name goes where the object is.
    let follow = |mut ptr: String| -> String {
        for _ in 0..32 {
            match root
                .pointer(&ptr)
                .and_then(|v| v.get("$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                Some(target) if root.pointer(target).is_some() => ptr = target.to_string(),
                _ => break,
            }
        }
        ptr
    };
    let schema = |name: &str| {
        let ptr = join("/components/schemas", name);
        root.pointer(&ptr).is_some().then_some(ptr)
    };
    let operations = |id: &str| -> Vec<String> {
        let mut found = Vec::new();
        for section in ["paths", "webhooks"] {
            let Some(Value::Object(paths)) = root.get(section) else {
                continue;
            };
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, op) in item {
                    if op.get("operationId").and_then(Value::as_str) == Some(id) {
                        found.push(join(&join(&format!("/{section}"), path), method));
                    }
                }
            }
        }
        found
    };
    let whole = |name: &str| -> Result<Option<String>, String> {
        let ops = operations(name);
        match (schema(name), ops.as_slice()) {
            (Some(_), [_, ..]) => Err(format!(
                "`{name}` is a schema and an operationId; use a JSON pointer (`#/…`)"
            )),
            (Some(s), []) => Ok(Some(s)),
            (None, [one]) => Ok(Some(one.clone())),
            (None, []) => Ok(None),
            (None, _) => Err(format!("operationId `{name}` is used more than once")),
        }
    };
    if let Some(ptr) = whole(key)? {
        return Ok(ptr);
    }
    let Some((head, tail)) = key.rsplit_once('.') else {
        return Err("no component schema or operation has this name".into());
    };
    let Some(owner) = whole(head)? else {
        return Err(format!(
            "no component schema or operation is named `{head}`"
        ));
    };
    if owner.starts_with("/components/schemas/") {
        let ptr = join(&format!("{}/properties", follow(owner)), tail);
        return match root.pointer(&ptr) {
            Some(_) => Ok(ptr),
            None => Err(format!("schema `{head}` declares no property `{tail}`")),
        };
    }
    // An operation's parameter: its own, else its path item's.
    let item = owner.rsplit_once('/').map_or("", |(i, _)| i).to_string();
    for holder in [owner.as_str(), item.as_str()] {
        let list = format!("{holder}/parameters");
        let Some(Value::Array(params)) = root.pointer(&list) else {
            continue;
        };
        for i in 0..params.len() {
            let ptr = follow(format!("{list}/{i}"));
            if root
                .pointer(&ptr)
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                == Some(tail)
            {
                return Ok(ptr);
            }
        }
    }
    Err(format!("operation `{head}` has no parameter `{tail}`"))
}
