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
    yaml_syntax_error: "syntax-error.yaml" =>
        ":9:16: did not find expected ',' or ']', while parsing a flow sequence at line 8 column 13",
    yaml_duplicate_key: "duplicate-key.yaml" =>
        ":8:5: components.schemas: duplicate entry with key \"Pet\"",
    // The parser stops alias expansion and gives no position.
    yaml_alias_bomb: "yaml-alias-bomb.yaml" => ": repetition limit exceeded",

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
        "#/components/schemas/Pet/$ref: external reference `./pet.yaml#/Pet` is not supported; bundle the document first",
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
    undeclared_path_parameter: "undeclared-path-parameter.yaml" =>
        "#/paths/~1pets~1{petId}~1toys~1{toyId}/get: path parameter `toyId` of `/pets/{petId}/toys/{toyId}` is not declared in `parameters`",
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
    let doc = codegen::load::Document {
        file: "inline.json".into(),
        root,
    };
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
    let doc = codegen::load::Document {
        file: "inline.json".into(),
        root,
    };
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
            "#/components/schemas/List: `List` contains itself with no struct or enum in between: the inner `List` is generated as `serde_json::Value`",
            "#/components/schemas/Tree: `Tree` contains itself with no struct or enum in between: the inner `Tree` is generated as `serde_json::Value`",
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
