//! Doc comments come from the spec's descriptions, following `$ref`s and one-part combinators,
//! or are absent; never filler made of the name (issue 16, item 10). The crate generated from
//! the same fixture is linted and documented by `tests/tests/lint_docs.rs`.

use std::path::Path;

fn generate() -> codegen::Output {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint/docs.yaml");
    let config = codegen::Config {
        crate_name: "docs-fixture".into(),
        ..Default::default()
    };
    codegen::generate(&spec, &config).unwrap_or_else(|e| panic!("{e}"))
}

fn file<'a>(out: &'a codegen::Output, path: &str) -> &'a str {
    out.files
        .get(Path::new(path))
        .unwrap_or_else(|| panic!("no {path}"))
}

#[test]
fn docs_fall_back_to_the_schema_then_to_nothing() {
    let out = generate();
    let models = file(&out, "src/models.rs");
    for filler in ["property.", "model."] {
        assert!(
            !models
                .lines()
                .any(|l| l.contains("/// The `") && l.ends_with(filler)),
            "filler docs:\n{models}"
        );
    }
    // Through `$ref`, a one-part `allOf` and a nullable `anyOf` of an alias.
    assert!(
        models.contains("    /// A snowflake ID.\n    pub id: String,\n"),
        "{models}"
    );
    assert!(models.contains("    /// Who wrote a message.\n    pub author: Author,\n"));
    assert!(models.contains("    /// Who wrote a message.\n    pub editor: Option<Author>,\n"));
    assert!(models.contains("    /// Its own words.\n    pub own: Option<String>,\n"));
    // Nothing anywhere: no docs, and the lint allowed on that item only.
    assert!(models.contains("    #[allow(missing_docs)]\n    pub bare: String,\n"));
    assert!(models.contains("#[allow(missing_docs)]\n#[derive(Clone, Debug, PartialEq)]\n#[non_exhaustive]\npub struct Message {"));
    // A named alias takes its target's description.
    assert!(
        models.contains("/// Who wrote a message.\npub type AuthorAlias = Author;\n"),
        "{models}"
    );

    // A query parameter without a description of its own: its schema's.
    let api = file(&out, "src/apis/messages.rs");
    assert!(
        api.contains("/// Number of messages to return (1-100). (`limit`, query)"),
        "{api}"
    );
    assert!(
        api.contains("/// A snowflake ID. (`before`, query)"),
        "{api}"
    );
    // The Markdown docs say the same.
    let md = file(&out, "docs/Message.md");
    assert!(
        md.contains("**author** | [**models::Author**](Author.md) | Who wrote a message. |"),
        "{md}"
    );
}
