//! Names: what the runtime already uses is reserved, collisions between the spec's names are
//! warnings naming both nodes, and names the user chose (`x-rust-name`, `[rename]`) that
//! collide are errors naming both. The crate of `fixtures/types/names` (every collision at
//! once) is compiled with clippy by `tests/tests/fixtures.rs`.

use codegen::{load, Config};

fn run(yaml: &str, config: &Config) -> Result<codegen::Output, codegen::Error> {
    let root = load::parse(yaml, "api.yaml")?;
    codegen::generate_document(load::Document::new("api.yaml", root), config, vec![])
}

fn error(yaml: &str, config: &Config) -> String {
    match run(yaml, config) {
        Ok(_) => panic!("expected an error:\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

fn file<'a>(out: &'a codegen::Output, path: &str) -> &'a str {
    out.files
        .get(std::path::Path::new(path))
        .unwrap_or_else(|| panic!("no {path}"))
}

const HEAD: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";

#[test]
fn operation_ids_differing_by_case_or_separator_warn_with_both_pointers() {
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get: {{operationId: getThing, responses: {{'204': {{description: ok}}}}}}\n    post: {{operationId: get-thing, responses: {{'204': {{description: ok}}}}}}\n"
    );
    let out = run(&spec, &Config::default()).unwrap();
    let w: Vec<String> = out.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter().any(|w| w.contains("#/paths/~1a/post/operationId")
            && w.contains("(also #/paths/~1a/get)")
            && w.contains("`get_thing2`")),
        "{w:#?}"
    );
    assert!(file(&out, "src/apis/default.rs").contains("pub fn get_thing2("));
}

#[test]
fn a_body_named_like_a_path_parameter_gets_its_own_argument() {
    let spec = format!(
        "{HEAD}paths:\n  /users/{{user}}:\n    put:\n      operationId: put_user\n      parameters: [{{name: user, in: path, required: true, schema: {{type: string}}}}]\n      requestBody: {{required: true, content: {{application/json: {{schema: {{$ref: '#/components/schemas/User'}}}}}}}}\n      responses: {{'204': {{description: ok}}}}\ncomponents:\n  schemas:\n    User: {{type: object, properties: {{id: {{type: string}}}}}}\n"
    );
    let out = run(&spec, &Config::default()).unwrap();
    let api = file(&out, "src/apis/default.rs");
    assert!(api.contains("user: &str,"), "{api}");
    assert!(api.contains("user_body: &crate::models::User,"), "{api}");
}

#[test]
fn the_tag_prefix_is_dropped_when_the_rest_is_free() {
    let op = |id: &str| {
        format!("      operationId: {id}\n      tags: [gists]\n      responses: {{'204': {{description: ok}}}}\n")
    };
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get:\n{}  /b:\n    get:\n{}  /c:\n    get:\n{}  /d:\n    get:\n{}",
        op("gists/check-is-starred"),
        op("gists_list"),
        op("list"),
        op("gists_2fa"),
    );
    let out = run(&spec, &Config::default()).unwrap();
    let api = file(&out, "src/apis/gists.rs");
    for m in ["check_is_starred(", "gists_list(", "list(", "gists_2fa("] {
        assert!(api.contains(&format!("pub fn {m}")), "{m}: {api}");
    }
}

fn schemas(body: &str) -> String {
    format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n{body}")
}

#[test]
fn a_chosen_type_name_that_collides_is_an_error_naming_both() {
    let spec = schemas("    A: {type: object, x-rust-name: B, properties: {x: {type: string}}}\n    B: {type: object, properties: {y: {type: string}}}\n");
    let e = error(&spec, &Config::default());
    assert!(e.starts_with("api.yaml#/components/schemas/A: "), "{e}");
    assert!(e.contains("(also api.yaml#/components/schemas/B)"), "{e}");
    let spec =
        schemas("    A: {type: object, x-rust-name: ErrorBody, properties: {x: {type: string}}}\n");
    let e = error(&spec, &Config::default());
    assert!(e.contains("#/components/schemas/A/x-rust-name: "), "{e}");
    let spec =
        schemas("    A: {type: object, x-rust-name: not camel, properties: {x: {type: string}}}\n");
    let e = error(&spec, &Config::default());
    assert!(e.contains("must be an UpperCamelCase identifier"), "{e}");
}

#[test]
fn chosen_field_parameter_and_method_names_that_collide_are_errors() {
    let spec = schemas("    A:\n      type: object\n      properties:\n        x: {type: string, x-rust-name: y}\n        y: {type: string}\n");
    let e = error(&spec, &Config::default());
    assert!(
        e.contains("#/components/schemas/A/properties/x")
            && e.contains("(also api.yaml#/components/schemas/A/properties/y)"),
        "{e}"
    );
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      parameters:\n        - {{name: p, in: query, x-rust-name: q, schema: {{type: string}}}}\n        - {{name: q, in: query, schema: {{type: string}}}}\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let e = error(&spec, &Config::default());
    assert!(
        e.contains("#/paths/~1a/get/parameters/0")
            && e.contains("(also api.yaml#/paths/~1a/get/parameters/1)"),
        "{e}"
    );
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get: {{operationId: a, x-rust-name: b, responses: {{'204': {{description: ok}}}}}}\n  /b:\n    get: {{operationId: b, responses: {{'204': {{description: ok}}}}}}\n"
    );
    let e = error(&spec, &Config::default());
    assert!(
        e.contains("#/paths/~1a/get") && e.contains("(also api.yaml#/paths/~1b/get)"),
        "{e}"
    );
}

#[test]
fn rename_table_names_schemas_properties_operations_and_parameters() {
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: list_things\n      parameters: [{{name: before, in: query, schema: {{type: string}}}}]\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Error'}}}}}}}}}}\ncomponents:\n  schemas:\n    Error: {{type: object, properties: {{message: {{type: string}}}}}}\n"
    );
    let mut config = Config::default();
    for (k, v) in [
        ("Error", "Problem"),
        ("Error.message", "text"),
        ("list_things", "things"),
        ("list_things.before", "before_id"),
    ] {
        config.rename.insert(k.into(), v.into());
    }
    let out = run(&spec, &config).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let models = file(&out, "src/models.rs");
    assert!(
        models.contains("pub struct Problem {") && models.contains("pub text: Option<String>,")
    );
    let api = file(&out, "src/apis/default.rs");
    assert!(
        api.contains("pub fn things(") && api.contains("pub before_id: Option<String>,"),
        "{api}"
    );

    // A rename into another item's name is an error naming both.
    let spec = schemas("    A: {type: object, properties: {x: {type: string}}}\n    B: {type: object, properties: {y: {type: string}}}\n");
    let mut config = Config::default();
    config
        .rename
        .insert("#/components/schemas/A".into(), "B".into());
    let e = error(&spec, &config);
    assert!(
        e.contains("#/components/schemas/A") && e.contains("(also api.yaml#/components/schemas/B)"),
        "{e}"
    );
    // A key that names nothing.
    let mut config = Config::default();
    config.rename.insert("Nope.x".into(), "y".into());
    let e = error(&spec, &config);
    assert!(
        e.contains("[rename] \"Nope.x\": no component schema or operation is named `Nope`"),
        "{e}"
    );
}

#[test]
fn the_crates_error_and_the_apis_error_are_told_apart() {
    let spec = schemas("    Error: {type: object, properties: {message: {type: string}}}\n");
    let out = run(&spec, &Config::default()).unwrap();
    assert!(file(&out, "src/models.rs").contains("pub struct ApiError {"));
    let w: Vec<String> = out.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w
                .contains("#/components/schemas/Error: schema `Error` is generated as `ApiError`")),
        "{w:?}"
    );
}

/// The reserved lists in `naming` hold every method of the runtime's `Client` and
/// `ClientBuilder` and every type name the model macros declare: a method added to the runtime
/// fails here until it is reserved.
#[test]
fn reserved_names_cover_the_runtime() {
    struct Methods {
        client: Vec<String>,
        builder: Vec<String>,
    }
    impl Methods {
        fn visit_file(&mut self, f: &syn::File) {
            for item in &f.items {
                let syn::Item::Impl(i) = item else { continue };
                if i.trait_.is_some() {
                    continue;
                }
                let syn::Type::Path(p) = &*i.self_ty else {
                    continue;
                };
                let last = p.path.segments.last().unwrap().ident.to_string();
                let list = match last.as_str() {
                    "Client" => &mut self.client,
                    "ClientBuilder" => &mut self.builder,
                    _ => continue,
                };
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item {
                        list.push(f.sig.ident.to_string());
                    }
                }
            }
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/runtime");
    let mut m = Methods {
        client: vec![],
        builder: vec![],
    };
    let mut files = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        m.visit_file(&syn::parse_file(&text).unwrap());
        files += 1;
    }
    assert!(files > 5 && m.client.len() > 5 && m.builder.len() > 5);
    for c in &m.client {
        assert!(
            codegen::naming::CLIENT_METHODS.contains(&c.as_str()),
            "Client::{c} is not in naming::CLIENT_METHODS"
        );
    }
    for b in &m.builder {
        assert!(
            codegen::naming::BUILDER_METHODS.contains(&b.as_str()),
            "ClientBuilder::{b} is not in naming::BUILDER_METHODS"
        );
    }
    // The generated `Client::request`.
    assert!(codegen::naming::CLIENT_METHODS.contains(&"request"));

    // Generic parameters and structs the model macros declare.
    let types = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/types.rs"),
    )
    .unwrap();
    let mut declared = std::collections::BTreeSet::new();
    for mac in types.split("macro_rules!").skip(1) {
        // The macro, not what follows it.
        let mac = &mac[..mac.find("\n}\n").unwrap_or(mac.len())];
        let tokens: Vec<&str> = mac
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .filter(|t| !t.is_empty())
            .collect();
        for w in tokens.windows(2) {
            if w[0] == "struct" && w[1].starts_with(|c: char| c.is_ascii_uppercase()) {
                declared.insert(w[1].to_string());
            }
        }
        let mut rest = mac;
        while let Some(i) = rest.find("fn ") {
            rest = &rest[i + 3..];
            let sig = &rest[..rest.find('(').unwrap_or(0)];
            if let Some(g) = sig.split_once('<').map(|(_, g)| g) {
                for p in g.split(',') {
                    let name = p.trim().split(':').next().unwrap().trim();
                    if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                        declared.insert(name.to_string());
                    }
                }
            }
        }
    }
    assert!(
        declared.contains("ModelVisitor") && declared.contains("D"),
        "{declared:?}"
    );
    for d in &declared {
        assert!(
            codegen::naming::MACRO_NAMES.contains(&d.as_str()),
            "`{d}` (declared by a model macro) is not in naming::MACRO_NAMES"
        );
        assert!(
            codegen::naming::RESERVED_TYPE_NAMES.contains(&d.as_str()),
            "`{d}` is not in naming::RESERVED_TYPE_NAMES"
        );
    }
}

/// A schema name longer than a file name may be (valid in OpenAPI) does not fail at write
/// time: its Markdown doc gets a shorter file name, and two such names stay apart.
#[test]
fn schema_names_longer_than_a_file_name_are_written() {
    let long = |tail: &str| format!("Very{}{tail}", "Long".repeat(80));
    let spec = schemas(&format!(
        "    {}: {{type: object, properties: {{a: {{type: string}}}}}}\n    {}: {{type: object, properties: {{b: {{type: string}}}}}}\n",
        long("A"),
        long("B")
    ));
    let out = run(&spec, &Config::default()).unwrap();
    let docs: Vec<String> = out
        .files
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p.starts_with("docs/"))
        .collect();
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert!(
        docs.iter().all(|d| d.len() - "docs/".len() <= 255),
        "{docs:?}"
    );
    let dir = std::env::temp_dir().join(format!("codegen-long-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    codegen::write::write(&dir, &out.files).unwrap_or_else(|e| panic!("{e}"));
    let readme = file(&out, "README.md");
    for d in &docs {
        assert!(
            // Reference-style links: `[text][label]` and `[label]: docs/….md`.
            readme.contains(&format!("]: {d}\n")),
            "README does not link {d}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `x-rust-name` set by an overlay (listed in the config, as `overlays = [...]` does) names
/// the schema and the operation it targets.
#[test]
fn x_rust_name_from_an_overlay() {
    let dir = std::env::temp_dir().join(format!("codegen-names-overlay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let overlay = dir.join("names.overlay.yaml");
    std::fs::write(
        &overlay,
        "overlay: 1.0.0\ninfo: {title: names, version: '1'}\nactions:\n  - target: $.components.schemas.Thing\n    update: {x-rust-name: Widget}\n  - target: $.paths['/a'].get\n    update: {x-rust-name: widgets}\n",
    )
    .unwrap();
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get: {{operationId: list_things, responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing'}}}}}}}}}}}}\ncomponents:\n  schemas:\n    Thing: {{type: object, properties: {{a: {{type: string}}}}}}\n"
    );
    let config = Config {
        overlays: vec![overlay],
        ..Config::default()
    };
    let out = run(&spec, &config).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(file(&out, "src/models.rs").contains("pub struct Widget {"));
    assert!(file(&out, "src/apis/default.rs")
        .contains("pub fn widgets(&self) -> crate::ResponseFuture<'a, crate::models::Widget>"));
}

/// Two properties (or parameters) that give one Rust name: numbered, with a warning naming
/// both.
#[test]
fn properties_and_parameters_with_one_rust_name_warn_with_both_pointers() {
    let spec = format!(
        "{HEAD}paths:\n  /a/{{id}}:\n    get:\n      operationId: a\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n        - {{name: id, in: query, schema: {{type: string}}}}\n      responses: {{'204': {{description: ok}}}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        foo-bar: {{type: string}}\n        foo_bar: {{type: string}}\n"
    );
    let out = run(&spec, &Config::default()).unwrap();
    let w: Vec<String> = out.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter().any(|w| w.contains(
            "#/components/schemas/A/properties/foo_bar: property `foo_bar` is the field `foo_bar2`"
        ) && w.contains("(also #/components/schemas/A/properties/foo-bar)")),
        "{w:#?}"
    );
    assert!(
        w.iter().any(|w| w
            .contains("#/paths/~1a~1{id}/get/parameters/1: parameter `id` is the argument `id2`")
            && w.contains("(also #/paths/~1a~1{id}/get/parameters/0)")),
        "{w:#?}"
    );
}

#[test]
fn examples_ship_only_with_crates_that_have_the_operations_they_declare() {
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get: {{operationId: get_a, responses: {{'204': {{description: ok}}}}}}\n"
    );
    let mut config = Config::default();
    for (name, needs) in [
        ("fits", "// needs-operations: get_a\n"),
        ("needs_more", "// needs-operations: get_a send_message\n"),
        (
            "needs_a_model",
            "// needs-operations: get_a\n// needs-types: Missing\n",
        ),
        ("says_nothing", ""),
    ] {
        config.extra_files.insert(
            format!("examples/{name}.rs"),
            format!("//! An example.\n\n{needs}fn main() {{}}\n"),
        );
    }
    let out = run(&spec, &config).unwrap();
    let examples: Vec<_> = out
        .files
        .keys()
        .filter(|p| p.starts_with("examples"))
        .collect();
    assert_eq!(
        examples,
        [
            std::path::Path::new("examples/fits.rs"),
            std::path::Path::new("examples/says_nothing.rs")
        ]
    );
}
