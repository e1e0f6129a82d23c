//! Stage 4: the IR -> Rust token streams and text files. Knows nothing of JSON documents.

mod apis;
pub mod docs;
mod krate;
mod models;
mod rust;

use crate::config::Config;
use crate::ir::Api;
use proc_macro2::TokenStream;
use std::path::PathBuf;

/// A file to write: Rust tokens (formatted by the next stage) or finished text.
pub enum Emitted {
    Rust(TokenStream),
    Text(String),
}

/// Everything a generated crate consists of, by relative path.
pub fn emit(api: &Api, config: &Config) -> Vec<(PathBuf, Emitted)> {
    let mut files = Vec::new();
    let crate_ident = config.crate_name.replace('-', "_");
    files.push((
        "Cargo.toml".into(),
        Emitted::Text(krate::cargo_toml(api, config)),
    ));
    files.push((
        "src/lib.rs".into(),
        Emitted::Rust(krate::lib_rs(api, config)),
    ));
    files.push(("src/models.rs".into(), Emitted::Rust(models::models(api))));
    files.push(("src/apis/mod.rs".into(), Emitted::Rust(apis::apis_mod(api))));
    for (i, tag) in api.operation_tags() {
        files.push((
            format!("src/apis/{}.rs", tag.module).into(),
            Emitted::Rust(apis::tag_module(api, i, &crate_ident)),
        ));
    }
    // Hand-written runtime files, with the crate name their doc examples import.
    let copy =
        |text: &str| Emitted::Text(text.replace("fluxer_sdk::", &format!("{crate_ident}::")));
    files.push((
        "src/runtime.rs".into(),
        copy(include_str!("../../runtime/runtime.rs")),
    ));
    files.push((
        "src/types.rs".into(),
        copy(include_str!("../../runtime/types.rs")),
    ));
    for (path, text) in docs::render(api, &config.crate_name) {
        files.push((path.into(), Emitted::Text(text)));
    }
    for (name, text) in &config.extra_files {
        files.push((name.into(), Emitted::Text(text.clone())));
    }
    files
}
