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

/// Part `index` of the file at `path`. A file is the concatenation of its parts, in order; Rust
/// parts hold whole items, so each is formatted on its own and the results joined.
pub struct Part {
    pub path: PathBuf,
    pub index: usize,
    pub content: Emitted,
}

/// A unit of emitting: runs on any thread, and its parts are formatted on that thread
/// (token streams cannot move between threads).
pub type Job<'a> = Box<dyn FnOnce() -> Vec<Part> + Send + 'a>;

/// Types per part of `models.rs`: small enough to spread the biggest file over threads.
const TYPES_PER_PART: usize = 100;

/// Model doc files per job.
const DOCS_PER_PART: usize = 400;

/// Everything a generated crate consists of, by relative path.
pub fn emit(api: &Api, config: &Config) -> Vec<(PathBuf, Emitted)> {
    let mut files: Vec<(PathBuf, Emitted)> = Vec::new();
    for part in jobs(api, config).into_iter().flat_map(|job| job()) {
        match (files.last_mut(), part.content) {
            (Some((path, Emitted::Rust(tokens))), Emitted::Rust(more)) if *path == part.path => {
                tokens.extend(more)
            }
            (Some((path, Emitted::Text(text))), Emitted::Text(more)) if *path == part.path => {
                text.push_str(&more)
            }
            (_, content) => files.push((part.path, content)),
        }
    }
    files
}

/// The work of [`emit`] as independent jobs, costliest first.
pub fn jobs<'a>(api: &'a Api, config: &'a Config) -> Vec<Job<'a>> {
    fn one(path: &str, content: Emitted) -> Vec<Part> {
        vec![Part {
            path: path.into(),
            index: 0,
            content,
        }]
    }
    let mut jobs: Vec<Job<'a>> = Vec::new();
    let crate_ident = config.crate_name.replace('-', "_");

    // models.rs (written as text): the header, runs of types, the error body.
    let n = api.types.len();
    let chunks = n.div_ceil(TYPES_PER_PART).max(1);
    for c in 0..chunks {
        let range = c * TYPES_PER_PART..((c + 1) * TYPES_PER_PART).min(n);
        jobs.push(Box::new(move || {
            let mut text = if c == 0 {
                models::header()
            } else {
                String::new()
            };
            text.push_str(&models::types(api, range));
            if c + 1 == chunks {
                text.push_str(&models::error_body(api));
            }
            vec![Part {
                path: "src/models.rs".into(),
                index: c,
                content: Emitted::Text(text),
            }]
        }));
    }

    // One module per tag, the ones with most operations first.
    let shared = std::sync::Arc::new(apis::Shared::collect(api));
    let mut tags: Vec<(usize, usize)> = api
        .operation_tags()
        .map(|(i, _)| (api.client_operations().filter(|o| o.tag == i).count(), i))
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in tags {
        let shared = shared.clone();
        let crate_ident = crate_ident.clone();
        jobs.push(Box::new(move || {
            let path = PathBuf::from(format!("src/apis/{}.rs", api.tags[i].module));
            apis::tag_module(api, i, &crate_ident, &shared)
                .into_iter()
                .enumerate()
                .map(|(index, tokens)| Part {
                    path: path.clone(),
                    index,
                    content: Emitted::Rust(tokens),
                })
                .collect()
        }));
    }

    // Markdown: the API classes and README, then the models in runs.
    let text_parts = |files: Vec<(String, String)>| -> Vec<Part> {
        files
            .into_iter()
            .map(|(path, text)| Part {
                path: path.into(),
                index: 0,
                content: Emitted::Text(text),
            })
            .collect()
    };
    jobs.push(Box::new(move || {
        text_parts(docs::render_apis(api, &config.crate_name))
    }));
    for c in 0..n.div_ceil(DOCS_PER_PART) {
        let range = c * DOCS_PER_PART..((c + 1) * DOCS_PER_PART).min(n);
        jobs.push(Box::new(move || {
            text_parts(docs::render_models(api, range))
        }));
    }
    jobs.push(Box::new(move || {
        one("src/apis/mod.rs", Emitted::Rust(apis::apis_mod(api)))
    }));
    jobs.push(Box::new(move || {
        let mut parts = one("Cargo.toml", Emitted::Text(krate::cargo_toml(api, config)));
        parts.extend(one("src/lib.rs", Emitted::Rust(krate::lib_rs(api, config))));
        // Hand-written runtime files, with the crate name their doc examples import.
        let copy =
            |text: &str| Emitted::Text(text.replace("fluxer_sdk::", &format!("{crate_ident}::")));
        parts.extend(one(
            "src/runtime.rs",
            copy(include_str!("../../runtime/runtime.rs")),
        ));
        parts.extend(one(
            "src/types.rs",
            copy(include_str!("../../runtime/types.rs")),
        ));
        for (name, text) in &config.extra_files {
            parts.extend(one(name, Emitted::Text(text.clone())));
        }
        parts
    }));
    jobs
}
