//! The API diff's classification, checked by the compiler: each case edits
//! `tests/fixtures/api_diff/base.yaml` into an old and a new document, generates both crates,
//! and compiles a small program written against the old crate against both. The program must
//! compile against the old crate, and `codegen::diff` must report something breaking exactly
//! when it stops compiling against the new one. Each case also names a change the report must
//! list, so that the case tests what it claims.
//!
//! All crates are one cargo workspace under `target/api-diff`, checked by one
//! `cargo check --workspace --keep-going` (dependencies build once, in `target/aux`, shared with
//! the fixtures test). Programs that enable features by name get a workspace each: a feature
//! the new crate lacks makes cargo reject the whole workspace before compiling anything.

use codegen::diff::{self, Kind};
use codegen::Config;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use integration_tests::repo_root as repo;

const USER: &str = "/paths/~1users~1{user_id}";
const NOTES: &str = "/paths/~1users~1{user_id}~1notes";
const GUILD: &str = "/paths/~1guilds~1{guild_id}";
const S: &str = "/components/schemas";

fn at<'a>(doc: &'a mut Value, ptr: &str) -> &'a mut Value {
    doc.pointer_mut(ptr)
        .unwrap_or_else(|| panic!("no {ptr} in the fixture"))
}

/// Sets `ptr` (its parent must exist; an object key is added if missing).
fn set(doc: &mut Value, ptr: &str, value: Value) {
    let (parent, key) = ptr.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    match at(doc, parent) {
        Value::Object(m) => {
            m.insert(key, value);
        }
        Value::Array(a) => a[key.parse::<usize>().unwrap()] = value,
        _ => panic!("{parent} holds no children"),
    }
}

fn remove(doc: &mut Value, ptr: &str) {
    let (parent, key) = ptr.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    let gone = match at(doc, parent) {
        Value::Object(m) => m.shift_remove(&key).is_some(),
        Value::Array(a) => {
            a.remove(key.parse::<usize>().unwrap());
            true
        }
        _ => false,
    };
    assert!(gone, "no {ptr} to remove");
}

fn push(doc: &mut Value, ptr: &str, value: Value) {
    at(doc, ptr).as_array_mut().unwrap().push(value);
}

fn same(_: &mut Value) {}

struct Case {
    name: &'static str,
    old: fn(&mut Value),
    new: fn(&mut Value),
    /// Features the program enables with default features off; `None`: the defaults.
    features: Option<&'static [&'static str]>,
    /// The body of the program, after `use sdk::models::*;`.
    program: &'static str,
    /// A change the report must list: its kind and item.
    expect: (Kind, &'static str),
}

fn cases() -> Vec<Case> {
    use Kind::*;
    vec![
        // Breaking.
        Case {
            name: "removed-operation",
            old: same,
            new: |d| remove(d, NOTES),
            features: None,
            program: r#"pub fn f(c: &sdk::Client) { let _f = c.users().delete_notes("u"); }"#,
            expect: (Breaking, "apis::users::UsersApi::delete_notes"),
        },
        Case {
            name: "removed-type",
            old: same,
            new: |d| remove(d, &format!("{S}/Legacy")),
            features: None,
            program: r#"pub fn f() -> Option<String> { Legacy::new().note }"#,
            expect: (Breaking, "models::Legacy"),
        },
        Case {
            name: "removed-field",
            old: same,
            new: |d| remove(d, &format!("{S}/User/properties/email")),
            features: None,
            program: r#"pub fn f(u: &User) -> Option<String> { u.email.clone() }"#,
            expect: (Breaking, "models::User::email"),
        },
        Case {
            name: "removed-enum-value",
            old: same,
            new: |d| set(d, &format!("{S}/Status/enum"), json!(["online", "offline"])),
            features: None,
            program: r#"pub fn f(s: &Status) -> bool { matches!(s, Status::Idle) }"#,
            expect: (Breaking, "models::Status::Idle"),
        },
        Case {
            name: "removed-union-variant",
            old: same,
            new: |d| {
                remove(d, &format!("{S}/Pet/oneOf/2"));
                remove(d, &format!("{S}/Pet/discriminator/mapping/bird"));
            },
            features: None,
            program: r#"pub fn f(p: &Pet) -> bool { matches!(p, Pet::Bird(_)) }"#,
            expect: (Breaking, "models::Pet::Bird"),
        },
        Case {
            name: "required-argument-added",
            old: same,
            new: |d| {
                push(
                    d,
                    &format!("{USER}/get/parameters"),
                    json!({"name": "fields", "in": "query", "required": true, "schema": {"type": "string"}}),
                )
            },
            features: None,
            program: r#"pub fn f(c: &sdk::Client) {
                let p = sdk::apis::users::GetUserParams::new().with_email(true);
                let _f = c.users().get_user("u").params(p);
            }"#,
            expect: (Breaking, "apis::users::UsersApi::get_user"),
        },
        Case {
            name: "string-to-snowflake",
            old: same,
            new: |d| {
                set(
                    d,
                    &format!("{S}/User/properties/id"),
                    json!({"type": "string", "format": "snowflake"}),
                )
            },
            features: None,
            program: r#"pub fn f(u: &User) -> String { u.id.clone() }"#,
            expect: (Breaking, "models::User::id"),
        },
        Case {
            name: "integer-to-number",
            old: same,
            new: |d| {
                set(
                    d,
                    &format!("{S}/User/properties/age"),
                    json!({"type": "number"}),
                )
            },
            features: None,
            program: r#"pub fn f(u: &User) -> Option<i64> { u.age }"#,
            expect: (Breaking, "models::User::age"),
        },
        Case {
            name: "optional-made-required",
            old: same,
            new: |d| push(d, &format!("{S}/User/required"), json!("email")),
            features: None,
            program: r#"pub fn f() -> Option<String> { User::new(String::from("1"), String::from("n")).email }"#,
            expect: (Breaking, "models::User::email"),
        },
        Case {
            name: "option-to-nullable",
            old: same,
            new: |d| {
                set(
                    d,
                    &format!("{S}/User/properties/email"),
                    json!({"type": "string", "nullable": true}),
                )
            },
            features: None,
            program: r#"pub fn f(u: &User) -> Option<String> { u.email.clone() }"#,
            expect: (Breaking, "models::User::email"),
        },
        Case {
            name: "union-variant-renamed",
            old: same,
            new: |d| {
                remove(d, &format!("{S}/Pet/discriminator/mapping/dog"));
                set(
                    d,
                    &format!("{S}/Pet/discriminator/mapping/doggo"),
                    json!("#/components/schemas/Dog"),
                );
            },
            features: None,
            program: r#"pub fn f(p: &Pet) -> Option<&Dog> {
                match p { Pet::Dog(d) => Some(d), _ => None }
            }"#,
            expect: (Breaking, "models::Pet::Dog"),
        },
        Case {
            name: "feature-removed",
            old: same,
            new: |d| {
                remove(d, GUILD);
                remove(d, "/tags/1");
            },
            features: Some(&["guilds"]),
            program: r#"pub fn f(c: &sdk::Client) { let _f = c.guilds().get_guild("g"); }"#,
            expect: (Breaking, "feature \"guilds\""),
        },
        Case {
            name: "type-needs-other-feature",
            // `Guild` was a model no operation used (`extra-models`); now only `guilds` has it.
            old: |d| remove(d, GUILD),
            new: same,
            features: Some(&["extra-models"]),
            program: r#"pub fn f() -> Guild { Guild::new(String::from("1")) }"#,
            expect: (Breaking, "models::Guild"),
        },
        Case {
            name: "required-field-added",
            old: same,
            new: |d| {
                set(
                    d,
                    &format!("{S}/User/properties/created"),
                    json!({"type": "string"}),
                );
                push(d, &format!("{S}/User/required"), json!("created"));
            },
            features: None,
            program: r#"pub fn f() -> User { User::new(String::from("1"), String::from("n")) }"#,
            expect: (Breaking, "models::User::new"),
        },
        Case {
            name: "optional-parameter-removed",
            old: same,
            new: |d| remove(d, &format!("{USER}/get/parameters/1")),
            features: None,
            program: r#"pub fn f() -> sdk::apis::users::GetUserParams {
                sdk::apis::users::GetUserParams::new().with_email(true)
            }"#,
            expect: (Breaking, "apis::users::GetUserParams"),
        },
        Case {
            name: "response-type-changed",
            old: same,
            new: |d| {
                set(
                    d,
                    &format!("{GUILD}/get/responses/200/content/application~1json/schema"),
                    json!({"$ref": "#/components/schemas/User"}),
                )
            },
            features: None,
            program: r#"pub async fn f(c: &sdk::Client) -> Option<String> {
                let g: Guild = c.guilds().get_guild("g").await.ok()?.into_inner();
                Some(g.id)
            }"#,
            expect: (Breaking, "apis::guilds::GuildsApi::get_guild"),
        },
        Case {
            name: "error-model-removed",
            old: same,
            new: |d| remove(d, &format!("{USER}/get/responses/404")),
            features: None,
            program: r#"pub fn f(e: &ErrorBody) -> bool { matches!(e, ErrorBody::NotFound(_)) }"#,
            expect: (Breaking, "models::ErrorBody::NotFound"),
        },
        Case {
            name: "body-made-optional",
            old: same,
            new: |d| {
                set(
                    d,
                    &format!("{USER}/patch/requestBody/required"),
                    json!(false),
                )
            },
            features: None,
            program: r#"pub fn f(c: &sdk::Client, u: &UserUpdate) { let _f = c.users().update_user("u", u); }"#,
            expect: (Breaking, "apis::users::UsersApi::update_user"),
        },
        Case {
            name: "security-scheme-removed",
            old: same,
            new: |d| {
                remove(d, "/components/securitySchemes/botToken");
                remove(d, &format!("{USER}/get/security"));
            },
            features: None,
            program: r#"pub fn f() -> sdk::ClientBuilder { sdk::Client::builder("http://x").bot_token("t") }"#,
            expect: (Breaking, "ClientBuilder::bot_token"),
        },
        Case {
            name: "read-model-becomes-request-only",
            // `Legacy` was read (models no operation uses get `Deserialize`); now only a request
            // body uses it.
            old: same,
            new: |d| {
                set(
                    d,
                    "/paths/~1legacy",
                    json!({"post": {"tags": ["users"], "operationId": "post_legacy",
                        "requestBody": {"required": true, "content": {"application/json":
                            {"schema": {"$ref": "#/components/schemas/Legacy"}}}},
                        "responses": {"204": {"description": "Stored."}}}}),
                )
            },
            features: None,
            program: r#"pub fn f() -> Option<Legacy> { serde_json::from_str("{}").ok() }"#,
            expect: (Breaking, "impl Deserialize for models::Legacy"),
        },
        // Additive.
        Case {
            name: "new-operation",
            old: |d| remove(d, NOTES),
            new: same,
            features: None,
            program: r#"pub fn f(c: &sdk::Client) {
                let _f = c.users().get_user("u").params(sdk::apis::users::GetUserParams::new());
            }"#,
            expect: (Additive, "apis::users::UsersApi::delete_notes"),
        },
        Case {
            name: "new-type",
            old: |d| remove(d, &format!("{S}/Legacy")),
            new: same,
            features: None,
            program: r#"pub fn f() -> User { User::new(String::from("1"), String::from("n")) }"#,
            expect: (Additive, "models::Legacy"),
        },
        Case {
            name: "new-optional-field",
            old: |d| remove(d, &format!("{S}/User/properties/age")),
            new: same,
            features: None,
            program: r#"pub fn f() -> (User, Option<String>) {
                let u = User::new(String::from("1"), String::from("n"));
                let e = u.email.clone();
                (u, e)
            }"#,
            expect: (Additive, "models::User::age"),
        },
        Case {
            name: "new-enum-value",
            old: |d| set(d, &format!("{S}/Status/enum"), json!(["online", "offline"])),
            new: same,
            features: None,
            program: r#"pub fn f(s: &Status) -> u8 {
                match s { Status::Online => 1, Status::Offline => 2, _ => 0 }
            }"#,
            expect: (Additive, "models::Status::Idle"),
        },
        Case {
            name: "new-union-variant",
            // `Bird` is used by a field in both (else it would move from `extra-models` to
            // the features of `Pet`'s operations: see `type-needs-other-feature`).
            old: |d| {
                remove(d, &format!("{S}/Pet/oneOf/2"));
                remove(d, &format!("{S}/Pet/discriminator/mapping/bird"));
                set(
                    d,
                    &format!("{S}/User/properties/bird"),
                    json!({"$ref": "#/components/schemas/Bird"}),
                );
            },
            new: |d| {
                set(
                    d,
                    &format!("{S}/User/properties/bird"),
                    json!({"$ref": "#/components/schemas/Bird"}),
                )
            },
            features: None,
            program: r#"pub fn f(p: &Pet) -> u8 {
                match p { Pet::Cat(_) => 1, Pet::Dog(_) => 2, _ => 0 }
            }"#,
            expect: (Additive, "models::Pet::Bird"),
        },
        Case {
            name: "new-tag",
            old: same,
            new: |d| {
                set(
                    d,
                    "/paths/~1ping",
                    json!({"get": {"tags": ["health"], "operationId": "ping",
                        "responses": {"204": {"description": "Alive."}}}}),
                )
            },
            features: Some(&["users"]),
            program: r#"pub fn f(c: &sdk::Client) { let _f = c.users().delete_notes("u"); }"#,
            expect: (Additive, "feature \"health\""),
        },
        // Behaviour only.
        Case {
            name: "behaviour-only",
            old: same,
            new: |d| {
                set(d, &format!("{S}/User/description"), json!("Someone."));
                set(d, &format!("{USER}/get/summary"), json!("Reads a user."));
                set(d, &format!("{NOTES}/delete/deprecated"), json!(true));
                set(
                    d,
                    &format!("{S}/UserUpdate/properties/theme/default"),
                    json!("light"),
                );
                set(d, &format!("{S}/Status/enum/0"), json!("ONLINE"));
                // The wire name changes, the Rust name (`name`) does not.
                let name = at(d, &format!("{S}/User/properties/name")).clone();
                remove(d, &format!("{S}/User/properties/name"));
                set(d, &format!("{S}/User/properties/Name"), name);
                set(d, &format!("{S}/User/required/1"), json!("Name"));
                // Another status for the same error model, another header for the token.
                let e = at(d, &format!("{USER}/get/responses/404")).clone();
                remove(d, &format!("{USER}/get/responses/404"));
                set(d, &format!("{USER}/get/responses/410"), e);
                set(
                    d,
                    "/components/securitySchemes/botToken/name",
                    json!("X-Token"),
                );
            },
            features: None,
            program: r#"pub fn f(c: &sdk::Client) -> (User, bool) {
                let _b = sdk::Client::builder("http://x").bot_token("t");
                let _f = c.users().delete_notes("u");
                let _g = c.users().get_user("u").params(sdk::apis::users::GetUserParams::new());
                let t = UserUpdate::new().theme;
                let u = User::new(String::from("1"), String::from("n"));
                let online = matches!(u.status, Some(Status::Online)) && t.is_some() && !u.name.is_empty();
                (u, online)
            }"#,
            expect: (Behaviour, "models::User::name"),
        },
    ]
}

/// `[package]` of a program using crate `sdk_dir` as `sdk`.
fn program_manifest(
    name: &str,
    sdk_dir: &str,
    features: Option<&[&str]>,
    standalone: bool,
) -> String {
    let features = match features {
        None => String::new(),
        Some(f) => {
            let list: Vec<String> = f.iter().map(|f| format!("{f:?}")).collect();
            format!(
                ", default-features = false, features = [{}]",
                list.join(", ")
            )
        }
    };
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nserde_json = \"1\"\nsdk = {{ path = \"../{sdk_dir}\", package = \"{sdk_dir}\"{features} }}\n{}",
        if standalone { "\n[workspace]\n" } else { "" }
    )
}

/// Runs `cargo check` in `dir`; returns the packages that failed to compile and the output.
fn check(dir: &Path, args: &[&str]) -> (BTreeSet<String>, String, bool) {
    let output = Command::new(env!("CARGO"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo().join("target/aux"))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("cargo runs");
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    let failed = text
        .lines()
        .filter_map(|l| l.strip_prefix("error: could not compile `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    (failed, text, output.status.success())
}

#[test]
fn breaking_is_reported_exactly_when_old_code_stops_compiling() {
    let work = repo().join("target/api-diff");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let base_text =
        std::fs::read_to_string(repo().join("tests/fixtures/api_diff/base.yaml")).unwrap();
    let base: Value = codegen::load::parse(&base_text, "base.yaml").unwrap();
    let lock = repo().join("Cargo.lock");
    let config = Config::default();

    let mut members = Vec::new();
    let mut standalone = Vec::new();
    let mut reports = Vec::new();
    for case in cases() {
        let mut docs = Vec::new();
        for (side, edit) in [("old", case.old), ("new", case.new)] {
            let mut doc = base.clone();
            edit(&mut doc);
            let path = work.join(format!("{}-{side}.json", case.name));
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
            let sdk = format!("{}-{side}-sdk", case.name);
            let mut c = config.clone();
            c.crate_name = sdk.clone();
            let out = codegen::generate(&path, &c).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            codegen::write::write(&work.join(&sdk), &out.files).unwrap();
            let prog = format!("{}-{side}-use", case.name);
            let dir = work.join(&prog);
            std::fs::create_dir_all(dir.join("src")).unwrap();
            std::fs::write(
                dir.join("Cargo.toml"),
                program_manifest(&prog, &sdk, case.features, case.features.is_some()),
            )
            .unwrap();
            std::fs::write(
                dir.join("src/lib.rs"),
                format!(
                    "//! Written against the old crate.\n#![allow(unused, deprecated)]\nuse sdk::models::*;\n\n{}\n",
                    case.program
                ),
            )
            .unwrap();
            if case.features.is_some() {
                std::fs::copy(&lock, dir.join("Cargo.lock")).unwrap();
                standalone.push(prog);
            } else {
                members.push(prog);
            }
            members.push(sdk);
            docs.push(path);
        }
        let old = codegen::build_ir(&docs[0], &config).unwrap();
        let new = codegen::build_ir(&docs[1], &config).unwrap();
        let report = diff::compare(&old, &new);
        let (kind, item) = case.expect;
        assert!(
            report
                .changes
                .iter()
                .any(|c| c.kind == kind && c.item == item),
            "{}: the report does not list a {} change of `{item}`:\n{}",
            case.name,
            kind.label(),
            report.text("old", "new", "0.1.0")
        );
        reports.push((case.name, case.features.is_some(), report));
    }
    let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    let exclude: Vec<String> = standalone.iter().map(|m| format!("{m:?}")).collect();
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\nexclude = [{}]\n",
            list.join(", "),
            exclude.join(", ")
        ),
    )
    .unwrap();
    std::fs::copy(&lock, work.join("Cargo.lock")).unwrap();

    let (mut failed, text, ok) = check(&work, &["--workspace", "--keep-going"]);
    // A failure that names no crate (resolution, network) says nothing about the programs.
    assert!(
        ok || !failed.is_empty(),
        "cargo check failed before compiling:\n{text}"
    );
    let mut log = text;
    for prog in &standalone {
        let (f, text, ok) = check(&work.join(prog), &[]);
        failed.extend(f.iter().cloned());
        if !ok {
            // A feature the crate lacks fails before anything compiles; nothing else may.
            assert!(
                !f.is_empty() || text.contains("does not have that feature"),
                "cargo check of {prog} failed before compiling:\n{text}"
            );
            failed.insert(prog.clone());
        }
        log.push_str(&text);
    }
    for m in &members {
        if m.ends_with("-sdk") || m.ends_with("-old-use") {
            assert!(!failed.contains(m), "{m} must compile:\n{log}");
        }
    }
    for prog in standalone.iter().filter(|p| p.ends_with("-old-use")) {
        assert!(!failed.contains(prog), "{prog} must compile:\n{log}");
    }
    let mut wrong = Vec::new();
    for (name, _, report) in &reports {
        let breaks = failed.contains(&format!("{name}-new-use"));
        let reported = report.count(Kind::Breaking) > 0;
        if breaks != reported {
            wrong.push(format!(
                "{name}: the program {} against the new crate, but the report has {} breaking change(s):\n{}",
                if breaks { "stops compiling" } else { "still compiles" },
                report.count(Kind::Breaking),
                report.text("old", "new", "0.1.0")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}\n\ncargo:\n{log}", wrong.join("\n\n"));
}
