//! Request wire format (issue 13): the fixture spec `tests/wire/openapi.yaml` is generated into
//! a crate whose integration test (`tests/wire/wire.rs`) sends each operation to a loopback
//! server and checks the bytes received: form and query styles, multipart parts, raw media
//! types, several request media types, non-JSON responses, operation servers, constants.

use codegen::Config;
use std::path::PathBuf;

use integration_tests::repo_root as repo;

#[test]
fn generated_requests_match_the_spec_on_the_wire() {
    let fixture = repo().join("tests/wire");
    let work = repo().join("target/wire");
    let _ = std::fs::remove_dir_all(&work);
    let spec = fixture.join("openapi.yaml");
    let mut config = Config::beside(&spec).unwrap();
    config.crate_name = "fixture-wire".to_string();
    let mut out = codegen::generate(&spec, &config).unwrap_or_else(|e| panic!("{e}"));
    let test = std::fs::read_to_string(fixture.join("wire.rs")).unwrap();
    out.files.insert("tests/wire.rs".into(), test);
    let manifest = out.files.get_mut(&PathBuf::from("Cargo.toml")).unwrap();
    assert!(manifest.trim_end().contains("[dev-dependencies]"));
    manifest.push_str("wiremock = \"0.6\"\nurl = \"2\"\n");
    manifest.push_str("\n[workspace]\n");
    codegen::write::write(&work, &out.files).unwrap();
    // Reuse the workspace lock file so dependency versions match the tested ones.
    std::fs::copy(repo().join("Cargo.lock"), work.join("Cargo.lock")).unwrap();
    let output = integration_tests::aux_cargo(&work, &["test", "--all-features"])
        .output()
        .unwrap();
    let text = integration_tests::output_text(&output);
    assert!(output.status.success(), "wire fixture failed:\n{text}");
    let passed: usize = text
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(passed >= 7, "the wire tests did not run:\n{text}");
}
