//! Bad input: every file in `tests/fixtures/malformed/` must fail with one exact message,
//! `FILE#/json/pointer: message` (the pointer names what the user wrote, before normalization)
//! or `FILE:line:col: message` for syntax errors. No panics, no success on garbage.

use codegen::Config;
use std::path::Path;
use std::process::Command;

const DIR: &str = "tests/fixtures/malformed";

/// Runs the whole pipeline on a fixture and returns the error it must end with.
fn error_of(file: &str) -> String {
    let path = format!("{DIR}/{file}");
    match codegen::generate(Path::new(&path), &Config::default()) {
        Ok(out) => panic!(
            "{path}: generated {} operations and {} types from a malformed spec",
            out.operations, out.types
        ),
        Err(e) => e.to_string(),
    }
}

/// One test per fixture: `name: "file" => "what follows the file name in the message"`.
macro_rules! malformed {
    ($($test:ident: $file:literal => $rest:literal,)*) => {
        const FIXTURES: &[&str] = &[$($file),*];
        $(
            #[test]
            fn $test() {
                let expected = format!("{DIR}/{}{}", $file, $rest);
                assert_eq!(error_of($file), expected);
            }
        )*
    };
}

malformed! {
    // Syntax: the parser's position, once.
    json_syntax_error: "syntax-error.json" => ":5:72: trailing comma",
    yaml_syntax_error: "syntax-error.yaml" => ":9:16: illegal placement of ':' indicator",
    // The second key's position.
    yaml_duplicate_key: "duplicate-key.yaml" => ":10:5: duplicate entry with key \"Pet\"",
    // Alias expansion is bounded; the alias that goes over is named.
    yaml_alias_bomb: "yaml-alias-bomb.yaml" =>
        ":12:10: aliases repeat more nodes than this generator reads (billion-laughs guard)",

    // The document and its version.
    empty_document: "empty.yaml" => "#: an OpenAPI document must be an object",
    document_is_an_array: "document-array.json" => "#: an OpenAPI document must be an object",
    missing_openapi_field: "missing-openapi.yaml" => "#: missing `openapi` version field",
    swagger_2: "swagger-2.json" =>
        "#/swagger: Swagger 2.0 is not supported; convert the document to OpenAPI 3",
    openapi_version_as_yaml_number: "openapi-2-unquoted.yaml" =>
        "#/openapi: `openapi` must be a version string such as \"3.1.0\", not the number 2.0 (quote it)",
    openapi_4: "openapi-4.json" =>
        "#/openapi: unsupported OpenAPI version `4.0.0` (3.0.x and 3.1.x are supported)",

    // `$ref`s that lead nowhere: the pointer is the `$ref` the user wrote.
    dangling_ref_in_property: "dangling-ref-property.yaml" =>
        "#/components/schemas/Pet/properties/tag/$ref: `$ref` target `#/components/schemas/Nope` does not exist",
    dangling_ref_to_parameter: "dangling-ref-parameter.json" =>
        "#/paths/~1pets/get/parameters/1/$ref: `$ref` target `#/components/parameters/Missing` does not exist",
    dangling_ref_in_nested_items_in_all_of: "dangling-ref-allof-items.yaml" =>
        "#/components/schemas/Dog/allOf/1/properties/toys/items/items/$ref: `$ref` target `#/components/schemas/Toy` does not exist",
    // Normalization moves this `$ref` into `allOf/0`; the message names where it was written.
    dangling_ref_beside_sibling_keywords: "dangling-ref-beside-siblings.yaml" =>
        "#/components/schemas/Owner/properties/pet/$ref: `$ref` target `#/components/schemas/Animal` does not exist",
    // Normalization drops the `type: "null"` branch, so the `$ref` moves to `anyOf/0`.
    dangling_ref_after_null_branch: "dangling-ref-after-null-branch.yaml" =>
        "#/components/schemas/Owner/properties/pet/anyOf/1/$ref: `$ref` target `#/components/schemas/Animal` does not exist",
    external_ref: "external-ref.yaml" =>
        "#/components/schemas/Pet/$ref: `$ref` to `./pet.yaml`: cannot read tests/fixtures/malformed/./pet.yaml (No such file or directory (os error 2))",
    ref_is_a_number: "ref-number.json" =>
        "#/components/schemas/Pet/properties/owner/$ref: `$ref` must be a string",
    ref_to_a_string: "ref-to-non-schema.yaml" =>
        "#/components/schemas/Pet/properties/name/$ref: `$ref` leads to `#/info/title`, which is a string, not a schema",

    // Cycles that never reach a type.
    ref_cycle: "ref-cycle.yaml" =>
        "#/components/schemas/B/$ref: `$ref` cycle never reaches a schema: `#/components/schemas/A` -> `#/components/schemas/B` -> `#/components/schemas/A`",
    ref_to_itself_in_property: "self-ref-property.json" =>
        "#/components/schemas/Node/properties/next/$ref: `$ref` refers to itself and never reaches a schema",
    all_of_cycle: "allof-cycle.yaml" =>
        "#/components/schemas/A: schema `A` never reaches a type: its one-part `allOf`/`anyOf`/`oneOf` and `$ref`s lead back to itself",

    // Operations and parameters.
    duplicate_operation_id: "duplicate-operation-id.yaml" =>
        "#/paths/~1animals/get/operationId: duplicate operationId `listPets` (also at #/paths/~1pets/get)",
    parameter_without_schema: "parameter-without-schema.json" =>
        "#/paths/~1pets/get/parameters/0: parameter `limit` has neither `schema` nor `content`",

    // Wrong JSON types where an object (or array) is required.
    info_is_a_string: "info-string.json" => "#/info: `info` must be an object, not a string",
    paths_is_an_array: "paths-array.json" => "#/paths: `paths` must be an object",
    operation_is_a_string: "operation-string.yaml" =>
        "#/paths/~1pets/get: an operation must be an object",
    parameter_is_a_string: "parameter-string.yaml" =>
        "#/paths/~1pets/get/parameters/0: a parameter must be an object, not a string",
    request_body_is_a_string: "request-body-string.yaml" =>
        "#/paths/~1pets/post/requestBody: a request body must be an object, not a string",
    content_is_a_list: "content-list.yaml" =>
        "#/paths/~1pets/post/requestBody/content: `content` must be an object keyed by media type, not an array",
    response_is_a_list: "response-list.yaml" =>
        "#/paths/~1pets/get/responses/200: a response must be an object, not an array",
    component_schemas_is_a_list: "schemas-list.yaml" =>
        "#/components/schemas: `components/schemas` must be an object, not an array",
    schema_is_a_string: "schema-string.yaml" =>
        "#/components/schemas/Pet/properties/name: a schema must be an object (or a boolean), not a string",
    properties_is_a_list: "properties-array.yaml" =>
        "#/components/schemas/Pet/properties: `properties` must be an object of schemas by property name, not an array",
    all_of_is_an_object: "allof-object.yaml" =>
        "#/components/schemas/Dog/allOf: `allOf` must be an array of schemas",
}

#[test]
fn every_fixture_has_a_test() {
    let mut untested: Vec<String> = std::fs::read_dir(DIR)
        .expect("fixtures folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !FIXTURES.contains(&name.as_str()))
        .collect();
    untested.sort();
    assert!(untested.is_empty(), "fixtures without a test: {untested:?}");
}

#[test]
fn percent_encoded_ref_to_a_component_is_followed() {
    // `#/components/schemas/Pet%20Kind` names the component `Pet Kind`.
    let root = serde_json::json!({
        "openapi": "3.1.0",
        "info": { "title": "t", "version": "1" },
        "paths": {},
        "components": { "schemas": {
            "Pet Kind": { "type": "string", "enum": ["cat", "dog"] },
            "Pet": { "type": "object", "properties": {
                "kind": { "$ref": "#/components/schemas/Pet%20Kind" }
            } }
        } }
    });
    let doc = codegen::load::Document::new("inline.json", root);
    let out = codegen::generate_document(doc, &Config::default(), vec![]).expect("generates");
    let models = &out.files[Path::new("src/models.rs")];
    assert!(models.contains("pub kind: Option<PetKind>"), "{models}");
}

#[test]
fn plain_types_that_contain_themselves_degrade_to_values() {
    // `type List = Vec<List>` is not Rust: the inner occurrence becomes `serde_json::Value`.
    let root = serde_json::json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "paths": {},
        "components": { "schemas": {
            "List": { "type": "array", "items": { "$ref": "#/components/schemas/List" } },
            "Tree": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/Tree" } }
        } }
    });
    let doc = codegen::load::Document::new("inline.json", root);
    let out = codegen::generate_document(doc, &Config::default(), vec![]).expect("generates");
    let models = &out.files[Path::new("src/models.rs")];
    assert!(
        models.contains("pub type List = Vec<serde_json::Value>;"),
        "{models}"
    );
    assert!(
        models.contains("pub type Tree = std::collections::BTreeMap<String, serde_json::Value>;"),
        "{models}"
    );
    let warnings: Vec<String> = out.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "inline.json#/components/schemas/List: `List` contains itself with no struct or enum in between: the inner `List` is generated as `serde_json::Value`",
            "inline.json#/components/schemas/Tree: `Tree` contains itself with no struct or enum in between: the inner `Tree` is generated as `serde_json::Value`",
        ]
    );
}

/// The command line: exit status 1 and `error: <message>` on stderr.
#[test]
fn cli_exits_1_with_the_message() {
    let cargo = env!("CARGO");
    // Build first so the run below prints nothing but the program's own output.
    let build = Command::new(cargo)
        .args(["build", "-q", "-p", "xtask"])
        .status()
        .expect("cargo runs");
    assert!(build.success(), "building xtask failed");
    let out_dir = std::env::temp_dir().join(format!("malformed-cli-{}", std::process::id()));
    let spec = format!("{DIR}/dangling-ref-property.yaml");
    let output = Command::new(cargo)
        .args([
            "run", "-q", "-p", "xtask", "--", "codegen", "--spec", &spec, "--out",
        ])
        .arg(&out_dir)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.starts_with("error: "), "stderr: {stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {spec}#/components/schemas/Pet/properties/tag/$ref: `$ref` target `#/components/schemas/Nope` does not exist"
        )
    );
    assert!(!out_dir.exists(), "nothing is written on error");
}

const WARNINGS_DIR: &str = "tests/fixtures/warnings";

/// Runs the pipeline on a fixture that must generate, and returns its warnings as printed.
fn warnings_of(path: &str, config: &Config) -> Vec<String> {
    match codegen::generate(Path::new(path), config) {
        Ok(out) => out.warnings.iter().map(ToString::to_string).collect(),
        Err(e) => panic!("{path}: {e}"),
    }
}

/// Input the generator repairs or degrades: `name: "file" => "what follows the file name in
/// one of its warnings"`. Each warning fixture is here (or in a test of its own below).
macro_rules! warns {
    ($($test:ident: $file:literal => $rest:literal,)*) => {
        const WARNING_FIXTURES: &[&str] = &[$($file,)* "undeclared-path-parameter.yaml"];
        $(
            #[test]
            fn $test() {
                let path = format!("{WARNINGS_DIR}/{}", $file);
                let expected = format!("{path}{}", $rest);
                let warnings = warnings_of(&path, &Config::default());
                assert!(warnings.contains(&expected), "{expected}\nnot among\n{warnings:#?}");
            }
        )*
    };
}

warns! {
    type_is_a_number: "type-number.yaml" =>
        "#/components/schemas/Pet/properties/age/type: `type` must be a type name such as \"string\" (or, in 3.1, a list of them), not `42`: ignored",
    required_is_not_a_list: "required-not-a-list.yaml" =>
        "#/components/schemas/Pet/required: `required` of a schema must be a list of property names, not `true`: ignored (every property is optional)",
    schema_ref_to_an_operation: "ref-to-operation.yaml" =>
        "#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: `$ref` `#/paths/~1pets/get` leads to an operation, not a schema: generated as `serde_json::Value`",
    path_without_leading_slash: "path-without-slash.yaml" =>
        "#/paths/pets: path `pets` does not start with `/`: generated as `/pets`",
    tuple_style_items: "tuple-items.json" =>
        "#/components/schemas/Pair/items: `items` is a list (tuple style, not allowed in OpenAPI 3.0): read as `prefixItems`, generated as an array of `serde_json::Value`",
    tuple_style_items_of_one: "tuple-items.json" =>
        "#/components/schemas/One/items: `items` is a list (tuple style, not allowed in OpenAPI 3.0): its one schema is the item type",
    nested_query_value: "nested-query-value.yaml" =>
        "#/paths/~1search/get/parameters/0: parameter `filters` holds objects or arrays inside an array or object, which its style does not define: they are written in `simple` form (`k,v,…`); `style: deepObject` or `content: application/json` would say how",
    yaml_merge_key: "yaml-merge-key.yaml" =>
        "#/components/schemas/Pet: YAML merge key `<<` (line 11) applied as in YAML 1.1: the merged entries were copied into this mapping (YAML 1.2 has no merge keys; other tools may read `<<` as a plain key)",
}

/// Only the array of objects: the flat object and the deepObject array are spelled by their
/// styles.
#[test]
fn only_nested_query_values_warn() {
    let path = format!("{WARNINGS_DIR}/nested-query-value.yaml");
    let warnings = warnings_of(&path, &Config::default());
    let nested: Vec<_> = warnings
        .iter()
        .filter(|w| w.contains("holds objects"))
        .collect();
    assert_eq!(nested.len(), 1, "{warnings:#?}");
}

#[test]
fn every_warning_fixture_has_a_test() {
    let mut untested: Vec<String> = std::fs::read_dir(WARNINGS_DIR)
        .expect("fixtures folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !WARNING_FIXTURES.contains(&name.as_str()))
        .collect();
    untested.sort();
    assert!(untested.is_empty(), "fixtures without a test: {untested:?}");
}

/// A path parameter the template uses but no list declares: a required string with a warning,
/// or, with `strict`, the error.
#[test]
fn undeclared_path_parameter_is_inferred_unless_strict() {
    let path = format!("{WARNINGS_DIR}/undeclared-path-parameter.yaml");
    let out = codegen::generate(Path::new(&path), &Config::default()).expect("generates");
    let expected = format!("{path}#/paths/~1pets~1{{petId}}~1toys~1{{toyId}}/get: path parameter `toyId` of `/pets/{{petId}}/toys/{{toyId}}` is not declared in `parameters`: generated as a required string (`--strict` refuses this)");
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert!(warnings.contains(&expected), "{warnings:#?}");
    let api = out
        .files
        .iter()
        .find(|(p, text)| p.starts_with("src/apis") && text.contains("toy_id"))
        .map(|(_, t)| t.clone())
        .expect("an API module takes `toy_id`");
    assert!(api.contains("toy_id: &str"), "{api}");
    let strict = Config {
        strict: true,
        ..Config::default()
    };
    let e = codegen::generate(Path::new(&path), &strict).unwrap_err();
    assert_eq!(e.to_string(), format!("{path}#/paths/~1pets~1{{petId}}~1toys~1{{toyId}}/get: path parameter `toyId` of `/pets/{{petId}}/toys/{{toyId}}` is not declared in `parameters` (refused by `--strict`; without it the parameter is generated as a required string)"));
}

const MULTI: &str = "tests/fixtures/multi-file";

/// A description over several files: operations and path items behind `$ref`, parameters by
/// pointer into another file, schemas recursive across files, a reference back into the entry
/// file; warnings name the file they are in.
#[test]
fn multi_file_description_generates() {
    let entry = format!("{MULTI}/ok/api.yaml");
    let out = codegen::generate(Path::new(&entry), &Config::default()).expect("generates");
    assert_eq!(out.operations, 2);
    let models = &out.files[Path::new("src/models.rs")];
    for name in [
        "pub struct Pet",
        "pub struct Owner",
        "pub pets: Option<Vec<Pet>>",
    ] {
        assert!(models.contains(name), "{name} not in\n{models}");
    }
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [format!("{MULTI}/ok/schemas/pet.yaml#/properties/sizes/type: `type` must be a type name such as \"string\" (or, in 3.1, a list of them), not `42`: ignored")]
    );
    // A `|` scalar that ends the file without a line break has none.
    assert!(models.contains("\"last\""), "{models}");
    assert!(!models.contains("\"last\\n\""), "{models}");
}

/// Errors in multi-file descriptions name the file and the pointer of the `$ref` at fault.
#[test]
fn multi_file_errors_name_their_file() {
    let cases = [
        ("errors/cycle.yaml", "errors/resp_b.yaml#/$ref: `$ref` cycle across files: tests/fixtures/multi-file/errors/resp_a.yaml# -> tests/fixtures/multi-file/errors/resp_b.yaml# -> tests/fixtures/multi-file/errors/resp_a.yaml#"),
        ("errors/remote.yaml", "errors/remote.yaml#/paths/~1a/get/responses/200/$ref: remote reference `https://example.com/responses.yaml` is not supported: only relative file paths are followed"),
        ("errors/missing-pointer.yaml", "errors/ops.yaml#/get_a/parameters/0/$ref: `$ref` target `ops.yaml#/nope` does not exist (no `#/nope` in tests/fixtures/multi-file/errors/ops.yaml)"),
        ("errors/bad-part.yaml", "errors/part.yaml#/properties/x/allOf: `allOf` must be an array of schemas"),
    ];
    for (entry, expected) in cases {
        let path = format!("{MULTI}/{entry}");
        let e = codegen::generate(Path::new(&path), &Config::default()).unwrap_err();
        assert_eq!(e.to_string(), format!("{MULTI}/{expected}"), "{entry}");
    }
}

/// A reference out of the entry file's folder needs the flag.
#[test]
fn refs_outside_the_root_folder_need_the_flag() {
    let path = format!("{MULTI}/outside/api/api.yaml");
    let e = codegen::generate(Path::new(&path), &Config::default()).unwrap_err();
    let e = e.to_string();
    assert!(
        e.starts_with(&format!("{path}#/paths/~1a/get/responses/200/$ref: `$ref` to `../shared.yaml` leaves the folder of the entry file")),
        "{e}"
    );
    let allowed = Config {
        allow_refs_outside_root: true,
        ..Config::default()
    };
    let out = codegen::generate(Path::new(&path), &allowed).expect("generates with the flag");
    assert_eq!(out.operations, 1);
}

/// A spec of `n` component schemas in a chain, each a `$ref` to the next (`alias`), an
/// object whose property is the next, or an array of the next; the last is a string. An
/// operation returns the first, so that every link is built.
fn ref_chain(n: usize, kind: &str) -> serde_json::Value {
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        let next = serde_json::json!({ "$ref": format!("#/components/schemas/S{}", i + 1) });
        let s = match kind {
            "alias" => next,
            "object" => serde_json::json!({ "type": "object", "properties": { "next": next } }),
            _ => serde_json::json!({ "type": "array", "items": next }),
        };
        schemas.insert(format!("S{i}"), s);
    }
    schemas.insert(format!("S{n}"), serde_json::json!({ "type": "string" }));
    serde_json::json!({
        "openapi": "3.0.3",
        "info": { "title": "chain", "version": "1" },
        "paths": { "/x": { "get": { "operationId": "getX", "responses": { "200": {
            "description": "ok",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/S0" } } }
        } } } } },
        "components": { "schemas": schemas }
    })
}

/// 3,000 schemas in a `$ref` chain: no stack overflow (it aborted the process), and not
/// quadratic or worse in time (3,000 aliases took 12 s, 60 s when an operation used them).
#[test]
fn long_ref_chains_are_fast_and_do_not_overflow() {
    // Not yet "array": `type S0 = Vec<S1>` chains of 3,000 build in under a second but take
    // about 50 s (release) in emit, which follows aliases again for each type.
    for kind in ["alias", "object"] {
        let t = std::time::Instant::now();
        let doc = codegen::load::Document::new("chain.json", ref_chain(3000, kind));
        let out = codegen::generate_document(doc, &Config::default(), vec![]);
        let out = out.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(out.operations, 1);
        let took = t.elapsed();
        // Generous for a loaded machine and a debug build; the quadratic alias walk took 176 s
        // in a debug build (24.6 s in release).
        let limit = if cfg!(debug_assertions) { 90 } else { 10 };
        assert!(took.as_secs() < limit, "{kind}: {took:?}");
    }
}

/// Deeper than the generator builds: an error naming the schema, not an abort.
#[test]
fn too_deep_ref_chains_are_an_error() {
    let doc = codegen::load::Document::new("chain.json", ref_chain(6000, "object"));
    let e = codegen::generate_document(doc, &Config::default(), vec![]).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("more than 10000 schemas nest inside each other through `$ref`s"),
        "{e}"
    );
}

/// Text that is legal in a spec but not as written in the target: control and zero-width
/// characters in the title (Cargo.toml is TOML, whose escapes are not Rust's), a lone CR in the
/// description (it ends a doc comment). The crate's manifest parses as TOML and every Rust file
/// parses as Rust.
#[test]
fn hostile_text_is_written_validly() {
    let root = serde_json::json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Zero\u{200b}width \u{1}control \"quoted\" back\\slash",
            "version": "1",
            "description": "First line\rsecond line after a lone CR\r\nthird [in brackets] see https://example.com/x."
        },
        "paths": { "/x": { "get": {
            "operationId": "getX",
            "description": "Lone\rCR and [b] and http://example.com",
            "responses": { "204": { "description": "none\rhere" } }
        } } },
        "components": { "schemas": {
            "Thing": { "type": "object", "description": "A\rthing", "properties": {
                "a": { "type": "string", "description": "x\ry" }
            } }
        } }
    });
    let doc = codegen::load::Document::new("hostile.json", root);
    let out = codegen::generate_document(doc, &Config::default(), vec![]).expect("generates");
    let manifest = &out.files[Path::new("Cargo.toml")];
    let parsed: Result<toml::Table, _> = toml::from_str(manifest);
    assert!(parsed.is_ok(), "{parsed:?}\n{manifest}");
    let description = parsed.unwrap()["package"]["description"]
        .as_str()
        .unwrap()
        .to_string();
    // The control character is dropped; the zero-width space stays (escaped in the file).
    assert!(
        description.contains("Zero\u{200b}width control \"quoted\" back\\slash"),
        "{description}"
    );
    assert!(manifest.contains("Zero\\u200Bwidth"), "{manifest}");
    for (path, text) in &out.files {
        if path.extension().is_some_and(|e| e == "rs") {
            if let Err(e) = syn::parse_file(text) {
                panic!("{}: {e}\n{text}", path.display());
            }
        }
    }
}
