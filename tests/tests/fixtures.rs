//! Type-fidelity fixtures: every fixture spec in `codegen/tests/fixtures/types/` is generated
//! into a crate, compiled with warnings denied, and its serde round-trip tests run. When
//! `../shared` is present, a crate generated from the upstream Fluxer document runs the
//! acceptance payloads of `tests/fixtures/upstream_roundtrip.rs` too.

use codegen::Config;
use std::path::{Path, PathBuf};

use integration_tests::repo_root as repo;

/// Generates `spec` as crate `name` under `dir`, adding `roundtrip` as its integration test.
fn generate(spec: &Path, name: &str, dir: &Path, roundtrip: &Path) {
    let mut config = Config::beside(spec).unwrap();
    config.crate_name = name.to_string();
    let mut out = codegen::generate(spec, &config).unwrap_or_else(|e| panic!("{e}"));
    let test = std::fs::read_to_string(roundtrip).unwrap();
    out.files.insert("tests/roundtrip.rs".into(), test);
    let manifest = out.files.get_mut(&PathBuf::from("Cargo.toml")).unwrap();
    manifest.push_str("serde_json = \"1\"\n");
    codegen::write::write(&dir.join(name), &out.files).unwrap();
}

#[test]
fn fixtures_compile_without_warnings_and_round_trip() {
    let work = repo().join("target/fixtures");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let fixtures = repo().join("codegen/tests/fixtures/types");
    let mut members = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for dir in names {
        let name = format!("fixture-{}", dir.file_name().unwrap().to_string_lossy());
        let spec = ["openapi.yaml", "openapi.json"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.exists())
            .unwrap();
        generate(&spec, &name, &work, &dir.join("roundtrip.rs"));
        members.push(name);
    }
    if let Some(upstream) =
        codegen::testing::shared("specs/fluxer/openapi.json", "upstream acceptance payloads")
    {
        generate(
            &upstream,
            "fluxer-full",
            &work,
            &repo().join("tests/fixtures/upstream_roundtrip.rs"),
        );
        members.push("fluxer-full".into());
    }
    let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            list.join(", ")
        ),
    )
    .unwrap();
    // Reuse the workspace lock file so dependency versions match the tested ones.
    let _ = std::fs::copy(repo().join("Cargo.lock"), work.join("Cargo.lock"));

    let cargo = |args: &[&str]| {
        let output = integration_tests::aux_cargo(&work, args).output().unwrap();
        let text = integration_tests::output_text(&output);
        (output, text)
    };
    // The libraries with their default features, as users get them, warning-free; the round
    // trips with every feature (`deserialize-requests` lets them read request-only models back).
    let (output, text) = cargo(&["check", "--workspace", "--lib"]);
    assert!(output.status.success(), "fixture crates failed:\n{text}");
    // Clippy too, warnings denied (the `names` fixture's identifiers collide with everything
    // the crate and Rust already have); the upstream crate is left to `cargo xtask corpus`.
    let (output, text) = cargo(&[
        "clippy",
        "--workspace",
        "--exclude",
        "fluxer-full",
        "--lib",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]);
    assert!(
        output.status.success(),
        "clippy on the fixture crates failed:\n{text}"
    );
    let (output, text) = cargo(&["test", "--workspace", "--no-fail-fast", "--all-features"]);
    let passed: usize = text
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    eprintln!(
        "fixture crates: {} compiled, {passed} round-trip and doc tests passed",
        members.len()
    );
    assert!(output.status.success(), "fixture crates failed:\n{text}");
    assert!(passed > 0, "no fixture test ran:\n{text}");
}
