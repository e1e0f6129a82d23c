//! Insta snapshots of the Rust the generator writes for each type-fidelity fixture, and of
//! the crate around it (`Cargo.toml`, `lib.rs`, the README); every emitted `.rs` file must
//! parse. One snapshot per fixture and file group (`insta::glob!`), so that one mismatch does
//! not hide the others. The same fixtures are compiled and round-tripped by
//! `tests/tests/fixtures.rs`.

#[test]
fn type_fixtures() {
    insta::glob!("fixtures/types/*/openapi.{yaml,json}", |spec| {
        let name = spec
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut config = codegen::Config::beside(spec).unwrap();
        config.crate_name = format!("fixture-{name}");
        let out = codegen::generate(spec, &config).unwrap();
        let (mut code, mut krate) = (String::new(), String::new());
        for (path, file) in &out.files {
            let p = path.to_string_lossy();
            if p.ends_with(".rs") {
                // Most of a crate is written as text, not built from tokens.
                if let Err(e) = syn::parse_file(file) {
                    panic!("{name}: {p} does not parse: {e}");
                }
            }
            if p == "Cargo.toml" {
                // Control and zero-width characters of `info.title` are escaped as TOML.
                if let Err(e) = file.parse::<toml::Table>() {
                    panic!("{name}: Cargo.toml is not TOML: {e}");
                }
            }
            if p == "src/models.rs" || p.starts_with("src/apis/") {
                code.push_str(&format!("==> {p}\n{file}\n"));
            }
            if p == "Cargo.toml" || p == "src/lib.rs" || p == "README.md" {
                krate.push_str(&format!("==> {p}\n{file}\n"));
            }
        }
        // Pointers only: the file names the machine's path.
        for w in &out.warnings {
            code.push_str(&format!("warning: #{}: {}\n", w.pointer, w.message));
        }
        insta::assert_snapshot!(name.as_str(), code);
        insta::assert_snapshot!(format!("{name}-crate"), krate);
    });
}
