//! Issue 16, item 3: every ID in our own description (`spec/`) is an ID type, so a
//! `Snowflake` from one response goes straight into the next call.

use integration_tests::repo_root;

/// Generates `spec/` with its config, as `cargo xtask codegen` does.
fn generated() -> codegen::Output {
    let spec = repo_root().join("spec/openapi.yaml");
    let config = codegen::Config::beside(&spec).expect("spec/codegen.toml");
    codegen::generate(&spec, &config).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_id_in_spec_is_a_snowflake() {
    let out = generated();
    let plain: Vec<_> = out
        .lints
        .iter()
        .filter(|l| l.rule == codegen::lint::PLAIN_STRING_ID)
        .map(|l| &l.pointer)
        .collect();
    assert!(
        plain.is_empty(),
        "ID parameters as plain strings: {plain:?}"
    );

    // Each operation argument and model field named `id` or `…_id` has the ID type.
    let mut wrong = Vec::new();
    for (path, text) in &out.files {
        // The public surface: operation arguments and model fields.
        if !(path.starts_with("src/apis") || path.ends_with("src/models.rs")) {
            continue;
        }
        for line in text.lines().map(str::trim) {
            let line = line.strip_prefix("pub ").unwrap_or(line);
            let Some((name, ty)) = line.split_once(": ") else {
                continue;
            };
            // Declarations only (fields, arguments), not initialisers (`id: id.into(),`).
            let is_id =
                (name == "id" || name.ends_with("_id") || name == "sub") && !ty.contains('(');
            if is_id && !ty.contains("Snowflake") && !line.starts_with("//") {
                wrong.push(format!("{}: {line}", path.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "IDs without the ID type:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn id_arguments_take_anything_that_converts_into_a_snowflake() {
    let out = generated();
    let api = &out.files[std::path::Path::new("src/apis/oauth2.rs")];
    let start = api
        .find("pub fn update_oauth_application(")
        .expect("the operation");
    let signature = &api[start..start + api[start..].find('{').unwrap()];
    assert!(
        signature.contains("id: impl Into<crate::types::Snowflake>,"),
        "{signature}"
    );
}
