//! OpenAPI 3.0/3.1 -> Rust SDK generator.
//!
//! The pipeline, one module per stage:
//! [`load`] (JSON/YAML, `$ref` lookup) -> [`overlay`] (the user's fixes) -> [`normalize`] (3.0/3.1 into one form) ->
//! [`build`] (the [`ir`]) -> [`emit`] (Rust tokens and Markdown) -> [`format`] -> [`write`].

pub mod build;
pub mod config;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod format;
pub mod ir;
pub mod lint;
pub mod load;
pub mod naming;
pub mod normalize;
pub mod overlay;
pub mod testing;
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
    /// Warnings about the overlays themselves (a target that matches nothing), with the
    /// overlay file each points into.
    pub overlay_warnings: Vec<(String, Warning)>,
    /// Suspicious but valid constructs of the description ([`lint`]).
    pub lints: Vec<lint::Lint>,
    pub skipped_operations: usize,
    /// Time spent per stage, in pipeline order.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Runs the pipeline on a spec file and returns the files of a complete crate.
pub fn generate(spec: &Path, config: &Config) -> Result<Output, Error> {
    generate_with(spec, config, false).map(|(output, _)| output)
}

/// The document and the IR of a run, which [`generate_keeping`] hands back instead of freeing.
pub struct Leftovers {
    _root: Option<serde_json::Value>,
    _origins: Option<normalize::Origins>,
    _api: ir::Api,
}

/// [`generate`] for a process that exits right after: the document and the IR are handed back
/// rather than freed, so that the caller can let them go with the process (`std::mem::forget`).
/// Freeing Stripe's document, node by node, cost about 0.05 s of CPU time per run (A/B runs).
pub fn generate_keeping(spec: &Path, config: &Config) -> Result<(Output, Leftovers), Error> {
    generate_with(spec, config, true)
}

fn generate_with(spec: &Path, config: &Config, keep: bool) -> Result<(Output, Leftovers), Error> {
    let mut timings = Vec::new();
    let t = Instant::now();
    let options = load::Options {
        refs_outside_root: config.allow_refs_outside_root,
    };
    let doc = load::load_with(spec, options)?;
    timings.push(("load", t.elapsed()));
    run(doc, config, timings, keep)
}

/// The IR of a spec as [`generate`] builds it with the same config, without emitting anything:
/// what [`diff`] compares.
pub fn build_ir(spec: &Path, config: &Config) -> Result<ir::Api, Error> {
    let options = load::Options {
        refs_outside_root: config.allow_refs_outside_root,
    };
    let doc = load::load_with(spec, options)?;
    front(doc, config, &mut Vec::new()).map(|f| f.api)
}

/// Runs the pipeline from a loaded document.
pub fn generate_document(
    doc: load::Document,
    config: &Config,
    timings: Vec<(&'static str, Duration)>,
) -> Result<Output, Error> {
    run(doc, config, timings, false).map(|(output, _)| output)
}

/// Schemas are built and emitted depth-first, one level per `$ref` into a component: a chain of
/// thousands needs more than a thread's usual 2-8 MB. The pipeline runs on a thread whose stack
/// holds MAX_SCHEMA_NESTING levels (reserved only: the pages used are the ones committed), and
/// so do the emit threads.
fn run(
    doc: load::Document,
    config: &Config,
    timings: Vec<(&'static str, Duration)>,
    keep: bool,
) -> Result<(Output, Leftovers), Error> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("codegen".into())
            .stack_size(BUILD_STACK)
            .spawn_scoped(s, || run_stages(doc, config, timings, keep));
        match handle {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(e) => Err(Error::Output {
                path: String::new(),
                message: format!("cannot start the generator's thread: {e}"),
            }),
        }
    })
}

/// What the stages before emitting leave: the IR, the document it was built from, and what
/// they had to say.
struct Front {
    file: String,
    root: serde_json::Value,
    origins: normalize::Origins,
    api: ir::Api,
    /// Load, normalize and IR warnings, in that order, each naming its file.
    warnings: Vec<Warning>,
    overlay_warnings: Vec<(String, Warning)>,
    lints: Vec<lint::Lint>,
}

/// The stages from a loaded document to the IR, shared by [`generate`] and [`build_ir`] so
/// that the IR `diff` compares is the one generated: every step on the document belongs here.
fn front(
    doc: load::Document,
    config: &Config,
    timings: &mut Vec<(&'static str, Duration)>,
) -> Result<Front, Error> {
    let load::Document {
        file,
        mut root,
        warnings: load_warnings,
        sources,
    } = doc;
    let mut provenance = overlay::Provenance::default();
    let mut overlay_warnings = Vec::new();
    if !config.overlays.is_empty() {
        let t = Instant::now();
        for path in &config.overlays {
            overlay::load_file(path)?.apply(&mut root, &mut provenance, &mut overlay_warnings)?;
        }
        timings.push(("overlay", t.elapsed()));
    }
    config.apply_renames(&mut root)?;
    let lints = lint::lint(&root);
    // Errors and warnings name the file of a multi-file description they are in, and the
    // overlay action that added the content they are about.
    let locate = |e: Error| match provenance.annotate_error(e) {
        Error::Spec {
            file: f,
            pointer,
            message,
        } if f == file => match sources.locate(&pointer) {
            Some((f, p)) => Error::spec(f, &p, message),
            None => Error::Spec {
                file: f,
                pointer,
                message,
            },
        },
        e => e,
    };
    let t = Instant::now();
    let options = normalize::Options {
        strict: config.strict,
    };
    let (_version, origins, normalize_warnings) =
        normalize::normalize_with(&file, &mut root, &options).map_err(locate)?;
    timings.push(("normalize", t.elapsed()));
    let t = Instant::now();
    let mut api = build::build(&file, &root, &origins, config).map_err(locate)?;
    timings.push(("ir", t.elapsed()));
    let warnings = load_warnings
        .into_iter()
        .chain(normalize_warnings)
        .chain(std::mem::take(&mut api.warnings))
        .map(|mut w| {
            provenance.annotate_warning(&mut w);
            match (&w.file, sources.locate(&w.pointer)) {
                (None, Some((f, p))) => Warning {
                    file: Some(f.to_string()),
                    pointer: p,
                    message: w.message,
                },
                _ => w.in_file(&file),
            }
        })
        .collect();
    Ok(Front {
        file,
        root,
        origins,
        api,
        warnings,
        overlay_warnings,
        lints,
    })
}

fn run_stages(
    doc: load::Document,
    config: &Config,
    mut timings: Vec<(&'static str, Duration)>,
    keep: bool,
) -> Result<(Output, Leftovers), Error> {
    let Front {
        file,
        root,
        origins,
        api,
        warnings,
        overlay_warnings,
        lints,
    } = front(doc, config, &mut timings)?;
    // The document is not needed any more: free it before the output grows (unless the caller
    // lets it go with the process).
    let (root, origins) = if keep {
        (Some(root), Some(origins))
    } else {
        drop(root);
        drop(origins);
        (None, None)
    };
    let (files, emit_time, format_time) =
        emit_and_format(&api, config).map_err(|e| Error::Output {
            path: file.clone(),
            message: e,
        })?;
    timings.push(("emit", emit_time));
    timings.push(("format", format_time));
    let output = Output {
        files,
        operations: api.client_operations().count(),
        types: api.types.len(),
        warnings,
        overlay_warnings,
        lints,
        skipped_operations: api.skipped_operations,
        timings,
    };
    let leftovers = Leftovers {
        _root: root,
        _origins: origins,
        _api: api,
    };
    Ok((output, leftovers))
}

/// Stack of the IR stage's thread (reserved, not committed: only the pages used count).
pub(crate) const BUILD_STACK: usize = 1 << 30;

/// How many schemas may be in construction inside each other (one or two per level of `$ref`
/// nesting; a level takes a few KB of stack in a release build, tens in a debug one).
pub(crate) const MAX_SCHEMA_NESTING: usize = 10_000;

/// Threads for emitting and formatting: `CODEGEN_THREADS` if set, else one per core.
pub(crate) fn threads() -> usize {
    std::env::var("CODEGEN_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// The next item of a work queue that threads share (`None` once it is empty).
pub(crate) fn next_queued<I: Iterator>(queue: &std::sync::Mutex<I>) -> Option<I::Item> {
    queue.lock().map(|mut q| q.next()).unwrap_or(None)
}

/// Runs `work(0)` … `work(n - 1)` on `n` threads, the calling one included, and joins their
/// results (thread 0's first); a panic in one is raised again here.
pub(crate) fn on_threads<T: Send>(n: usize, work: impl Fn(usize) -> Vec<T> + Sync) -> Vec<T> {
    if n <= 1 {
        return work(0);
    }
    std::thread::scope(|s| {
        let work = &work;
        // Big stacks, like the pipeline's own thread (see `run`); a thread that cannot start
        // leaves its share to the others.
        let handles: Vec<_> = (1..n)
            .filter_map(|i| {
                std::thread::Builder::new()
                    .stack_size(BUILD_STACK)
                    .spawn_scoped(s, move || work(i))
                    .ok()
            })
            .collect();
        let mut out = work(0);
        for h in handles {
            out.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        out
    })
}

/// Runs the emit jobs, each followed by formatting its parts, on up to [`threads`] threads.
/// The output does not depend on the number of threads. The two stages are interleaved, so
/// their times are the wall time of the whole split in proportion to the work each did.
#[allow(clippy::type_complexity)]
fn emit_and_format(
    api: &ir::Api,
    config: &Config,
) -> Result<(BTreeMap<PathBuf, String>, Duration, Duration), String> {
    let start = Instant::now();
    let jobs = emit::jobs(api, config);
    let count = jobs.len();
    let queue = std::sync::Mutex::new(jobs.into_iter().enumerate());
    // Per job: its parts formatted, and the time spent emitting and formatting them.
    type Done = (
        usize,
        Result<Vec<(PathBuf, usize, String)>, String>,
        Duration,
        Duration,
    );
    let work = |_thread: usize| {
        let mut done: Vec<Done> = Vec::new();
        while let Some((i, job)) = next_queued(&queue) {
            let t = Instant::now();
            let parts = job();
            let emitted = t.elapsed();
            let t = Instant::now();
            let formatted = parts
                .into_iter()
                .map(|p| {
                    format::format_part(&p.path, p.index, p.content).map(|s| (p.path, p.index, s))
                })
                .collect();
            done.push((i, formatted, emitted, t.elapsed()));
        }
        done
    };
    let mut done: Vec<Done> = on_threads(threads().min(count), work);
    done.sort_by_key(|d| d.0);
    let (mut emit_sum, mut format_sum) = (Duration::ZERO, Duration::ZERO);
    let mut parts: Vec<(PathBuf, usize, String)> = Vec::new();
    for (_, result, e, f) in done {
        emit_sum += e;
        format_sum += f;
        parts.extend(result?);
    }
    // Grouped by path with a byte-wise sort: `Path`'s own ordering walks components and was a
    // twentieth of Stripe's run (5,800 files); the map below then finds them almost in order.
    parts.sort_unstable_by(|a, b| {
        (a.0.as_os_str().as_encoded_bytes(), a.1).cmp(&(b.0.as_os_str().as_encoded_bytes(), b.1))
    });
    let mut grouped: Vec<(PathBuf, String)> = Vec::with_capacity(parts.len());
    for (path, _, text) in parts {
        match grouped.last_mut() {
            Some((last, joined)) if *last == path => joined.push_str(&text),
            _ => grouped.push((path, text)),
        }
    }
    let files = grouped.into_iter().collect();
    let wall = start.elapsed();
    let work = (emit_sum + format_sum).as_secs_f64().max(f64::EPSILON);
    let emit_time = wall.mul_f64(emit_sum.as_secs_f64() / work);
    Ok((files, emit_time, wall.saturating_sub(emit_time)))
}
