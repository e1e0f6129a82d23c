//! Generated crates lint and document clean: every spec in `codegen/tests/fixtures/lint/` (spec
//! prose and shapes that once broke clippy or rustdoc in a corpus crate) is generated into a
//! crate, then `cargo clippy` and `cargo doc` run on them with warnings denied, as `cargo xtask
//! corpus` runs them on the real specs. Each fixture names the corpus spec it comes from.

use codegen::Config;
use std::path::PathBuf;

use integration_tests::repo_root as repo;

#[test]
fn lint_fixtures_pass_clippy_and_rustdoc_with_warnings_denied() {
    let work = repo().join("target/lint-fixtures");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let fixtures = repo().join("codegen/tests/fixtures/lint");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .collect();
    specs.sort();
    assert!(!specs.is_empty(), "no fixtures in {}", fixtures.display());
    let mut members = Vec::new();
    for spec in &specs {
        let stem = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let name = format!("lint-{stem}");
        let config = Config {
            crate_name: name.clone(),
            ..Default::default()
        };
        let out = codegen::generate(spec, &config).unwrap_or_else(|e| panic!("{e}"));
        codegen::write::write(&work.join(&name), &out.files).unwrap();
        members.push(format!("{name:?}"));
    }
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    // The workspace's lock file: the dependency versions the other tests use.
    let _ = std::fs::copy(repo().join("Cargo.lock"), work.join("Cargo.lock"));

    let cargo = |args: &[&str]| {
        let output = integration_tests::aux_cargo(&work, args)
            // rustdoc's warnings are what this test is about.
            .env("RUSTDOCFLAGS", "-D warnings")
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .unwrap();
        let text = integration_tests::output_text(&output);
        (output.status.success(), text)
    };
    let (ok, clippy) = cargo(&["clippy", "--workspace", "--lib", "--keep-going"]);
    let (doc_ok, doc) = cargo(&["doc", "--workspace", "--no-deps", "--keep-going"]);
    assert!(ok, "clippy failed on the lint fixtures:\n{clippy}");
    assert!(doc_ok, "rustdoc failed on the lint fixtures:\n{doc}");
}
