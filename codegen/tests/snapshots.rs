//! Insta snapshots of the Rust the generator writes for each type-fidelity fixture. The same
//! fixtures are compiled and round-tripped by `tests/tests/fixtures.rs`.

use std::path::Path;

#[test]
fn type_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/types");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 6);
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let spec = ["openapi.yaml", "openapi.json"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.exists())
            .unwrap();
        let mut config = codegen::Config::beside(&spec).unwrap();
        config.crate_name = format!("fixture-{name}");
        let out = codegen::generate(&spec, &config).unwrap();
        let mut text = String::new();
        for (path, file) in &out.files {
            let p = path.to_string_lossy();
            if p == "src/models.rs" || p.starts_with("src/apis/") {
                text.push_str(&format!("==> {p}\n{file}\n"));
            }
        }
        // Pointers only: the file names the machine's path.
        for w in &out.warnings {
            text.push_str(&format!("warning: #{}: {}\n", w.pointer, w.message));
        }
        insta::assert_snapshot!(name, text);
    }
}
