//! OpenAPI 3.0/3.1 -> Rust SDK generator.
//!
//! The pipeline, one module per stage:
//! [`load`] (JSON/YAML, `$ref` lookup) -> [`normalize`] (3.0/3.1 into one form) ->
//! [`build`] (the [`ir`]) -> [`emit`] (Rust tokens and Markdown) -> [`format`] -> [`write`].

pub mod build;
pub mod config;
pub mod diag;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod naming;
pub mod normalize;
pub mod write;

pub use config::Config;
pub use diag::{Error, Warning};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The output of one run: files by relative path (sorted), plus what was learned.
#[derive(Debug)]
pub struct Output {
    pub files: BTreeMap<PathBuf, String>,
    pub operations: usize,
    pub types: usize,
    pub warnings: Vec<Warning>,
    pub skipped_operations: usize,
    /// Time spent per stage, in pipeline order.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Runs the pipeline on a spec file and returns the files of a complete crate.
pub fn generate(spec: &Path, config: &Config) -> Result<Output, Error> {
    let mut timings = Vec::new();
    let t = Instant::now();
    let doc = load::load_file(spec)?;
    timings.push(("load", t.elapsed()));
    generate_document(doc, config, timings)
}

/// Runs the pipeline from a loaded document.
pub fn generate_document(
    doc: load::Document,
    config: &Config,
    mut timings: Vec<(&'static str, Duration)>,
) -> Result<Output, Error> {
    let load::Document { file, mut root } = doc;
    let t = Instant::now();
    let (_version, origins) = normalize::normalize(&file, &mut root)?;
    timings.push(("normalize", t.elapsed()));
    let t = Instant::now();
    let api = build::build(&file, &root, &origins, config)?;
    timings.push(("ir", t.elapsed()));
    let t = Instant::now();
    let emitted = emit::emit(&api, config);
    timings.push(("emit", t.elapsed()));
    let t = Instant::now();
    let files = format::format_all(emitted).map_err(|e| Error::Output {
        path: file.clone(),
        message: e,
    })?;
    timings.push(("format", t.elapsed()));
    Ok(Output {
        files,
        operations: api.client_operations().count(),
        types: api.types.len(),
        warnings: api.warnings,
        skipped_operations: api.skipped_operations,
        timings,
    })
}
