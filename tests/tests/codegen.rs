//! The generated crate is what the spec produces; generation is deterministic; the generated
//! docs match the reference surface (`../shared/seed/OAuth2Api.md`).

use codegen::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use integration_tests::repo_root as repo;

/// `../shared`, or `None` after a loud SKIPPED line (a failure under `CI=true`).
fn shared() -> Option<PathBuf> {
    codegen::testing::shared("", "codegen tests against ../shared")
}

fn project_output() -> codegen::Output {
    let spec = repo().join("spec/openapi.yaml");
    let config = Config::beside(&spec).expect("spec/codegen.toml reads");
    codegen::generate(&spec, &config).expect("spec/ generates")
}

#[test]
fn generated_client_is_up_to_date() {
    let out = project_output();
    let differing = codegen::write::diff(&repo().join("generated-client"), &out.files);
    assert!(
        differing.is_empty(),
        "generated-client/ is stale, run `cargo xtask codegen`; differing: {differing:?}"
    );
    assert_eq!(out.operations, 19, "the OAuth2 surface has 19 operations");
}

#[test]
fn editing_the_spec_is_detected_in_the_file_it_changes() {
    let spec = repo().join("spec/openapi.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    // Turn one response field's type from string to integer.
    let edited = text.replacen(
        "token_type:\n          type: string",
        "token_type:\n          type: integer",
        1,
    );
    assert_ne!(edited, text, "the edit must apply to spec/openapi.yaml");
    let tmp = tempdir("edited-spec");
    std::fs::copy(repo().join("spec/codegen.toml"), tmp.join("codegen.toml")).unwrap();
    std::fs::write(tmp.join("openapi.yaml"), edited).unwrap();
    let config = Config::beside(&tmp.join("openapi.yaml")).unwrap();
    let out = codegen::generate(&tmp.join("openapi.yaml"), &config).unwrap();
    let differing = codegen::write::diff(&repo().join("generated-client"), &out.files);
    assert!(
        differing.contains(&PathBuf::from("src/models.rs")),
        "{differing:?}"
    );
}

#[test]
fn same_spec_same_bytes() {
    let first = project_output().files;
    let second = project_output().files;
    assert_eq!(first, second);
    if let Some(shared) = shared() {
        let spec = shared.join("specs/fluxer/openapi.json");
        let a = codegen::generate(&spec, &Config::default()).unwrap().files;
        let b = codegen::generate(&spec, &Config::default()).unwrap().files;
        assert_eq!(keys(&a), keys(&b));
        assert!(a == b, "two runs on the upstream spec differ");
    }
}

fn keys(m: &BTreeMap<PathBuf, String>) -> Vec<&PathBuf> {
    m.keys().collect()
}

#[test]
fn written_trees_are_identical() {
    let out = project_output();
    let (a, b) = (tempdir("tree-a"), tempdir("tree-b"));
    codegen::write::write(&a, &out.files).unwrap();
    codegen::write::write(&b, &project_output().files).unwrap();
    assert!(codegen::write::diff(&a, &out.files).is_empty());
    assert!(codegen::write::diff(&b, &out.files).is_empty());
}

fn tempdir(name: &str) -> PathBuf {
    let dir = repo().join("target/test-tmp").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the reference checker; returns its output, or None when it cannot run here.
fn seed_parity(reference: &Path, generated: &Path, facts: bool) -> String {
    let tool = reference.parent().unwrap().join("../tools/seed_parity.py");
    let mut cmd = Command::new("python3");
    cmd.arg(&tool).arg(reference).arg(generated);
    if facts {
        cmd.arg("--facts");
    }
    let out = cmd.output().expect("python3 runs seed_parity.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "seed_parity failed:\n{text}");
    text
}

#[test]
fn oauth2_docs_match_the_reference_facts() {
    let Some(shared) = shared() else { return };
    let text = seed_parity(
        &shared.join("seed/OAuth2Api.md"),
        &repo().join("generated-client/docs/OAuth2Api.md"),
        true,
    );
    assert!(
        text.lines().any(|l| l == "19/19 operations match"),
        "{text}"
    );
}

#[test]
fn upstream_oauth2_docs_match_the_reference_exactly() {
    let Some(shared) = shared() else { return };
    let out = codegen::generate(
        &shared.join("specs/fluxer/openapi.json"),
        &Config::default(),
    )
    .unwrap();
    let dir = tempdir("parity-upstream");
    codegen::write::write(&dir, &out.files).unwrap();
    let text = seed_parity(
        &shared.join("seed/OAuth2Api.md"),
        &dir.join("docs/OAuth2Api.md"),
        false,
    );
    assert!(
        text.lines().any(|l| l == "19/19 operations match"),
        "{text}"
    );
}
