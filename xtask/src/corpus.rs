//! `cargo xtask corpus [--history] [--no-check] [--no-doc] [DIR|FILE…]`: generate a crate for
//! every OpenAPI description of a corpus, lint them all with clippy and document them with
//! rustdoc, warnings denied.
//!
//! Without arguments the corpus is `../shared/specs` (relative to the repository root),
//! searched recursively for `*.json`, `*.yaml` and `*.yml` (folders named `history`, older
//! versions of the same spec, are left out unless `--history` is given), plus the entry points
//! of `../shared/corpus-next` listed in `xtask/corpus-next.txt` (a multi-file description is
//! named by its entry file; the files it refers to are not specs of their own). Each spec
//! becomes `target/corpus/<name>/`; `target/corpus/Cargo.toml` makes them one workspace, linted
//! by one `cargo clippy --workspace --lib --bins --examples --keep-going` with
//! `RUSTFLAGS="-D warnings"` (clippy includes everything `cargo check` reports) and documented
//! by one `cargo doc --workspace --no-deps --keep-going` with `RUSTDOCFLAGS="-D warnings"`, with
//! their own target dir (`target/corpus-target`), so dependencies compile once for all crates
//! and never contend with the main target dir's lock. (Not `--all-targets`: that checks every
//! library a second time as a test harness, doubling the time, and generated crates have no
//! tests.) `--no-doc` leaves rustdoc out; `--no-check` both; `--compile-only` runs `cargo check`
//! (warnings denied) instead of clippy and no rustdoc: the compile gate `cargo xtask test` runs.
//! The full run (clippy and rustdoc) took 35 min of clippy and 10 min of rustdoc on the shared
//! 2-core machine under load, too much for CI's 45-minute budget; CI instead lints and documents
//! the fixtures of every finding it made (`codegen/tests/fixtures/lint`, in `cargo test`:
//! `tests/tests/lint_docs.rs`), and this command is the full check to run before a release.
//!
//! Prints one table (spec, operations in the spec, operations generated, skipped operations,
//! types, generator warnings, clippy result, rustdoc result, generate time) and exits non-zero
//! when a spec fails to generate, lint or document. Set `CORPUS_ALLOW_MISSING=1` to turn a missing default corpus
//! into a (loudly) skipped run. The full cargo output is kept in `target/corpus/clippy.log` and `rustdoc.log`, the
//! generator warnings in `target/corpus/<name>/warnings.txt`.

/// The list of `../shared/corpus-next` entry points, beside this crate.
const NEXT_LIST: &str = include_str!("../corpus-next.txt");

use crate::{default_crate_name, root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

struct Args {
    history: bool,
    check: bool,
    doc: bool,
    /// `cargo check` instead of clippy, and no rustdoc: the compile gate CI runs.
    compile_only: bool,
    inputs: Vec<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        history: false,
        check: true,
        doc: true,
        compile_only: false,
        inputs: Vec::new(),
    };
    for arg in args {
        match arg.as_str() {
            "--history" => a.history = true,
            "--no-check" => a.check = false,
            "--no-doc" => a.doc = false,
            "--compile-only" => {
                a.compile_only = true;
                a.doc = false;
            }
            s if s.starts_with("--") => return Err(format!("unknown argument `{s}`")),
            s => a.inputs.push(PathBuf::from(s)),
        }
    }
    Ok(a)
}

/// One spec's row of the table.
struct Row {
    spec: PathBuf,
    label: String,
    crate_name: String,
    spec_ops: Option<usize>,
    generated: Option<Generated>,
    error: Option<String>,
    compile: Compile,
    doc: Compile,
}

struct Generated {
    operations: usize,
    skipped: usize,
    types: usize,
    warnings: Vec<codegen::Warning>,
    time: Duration,
}

#[derive(Clone, PartialEq, Eq)]
enum Compile {
    /// Not attempted (generation failed or `--no-check`).
    NotRun,
    Ok,
    /// Errors (warnings count as errors under `-D warnings`), with the first messages.
    Failed(usize, Vec<String>),
    /// cargo produced nothing for the crate (it stopped early, or the manifest was bad).
    NotBuilt,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let args = parse_args(args)?;
    let repo = root();
    let default_dir = repo.join("../shared/specs");
    let inputs = if args.inputs.is_empty() {
        if !default_dir.is_dir() {
            let allow = std::env::var("CORPUS_ALLOW_MISSING").is_ok_and(|v| v == "1");
            eprintln!("==============================================================");
            eprintln!(
                "SKIPPED: ../shared/specs not found ({})",
                default_dir.display()
            );
            eprintln!("==============================================================");
            return if allow {
                Ok(())
            } else {
                Err("no corpus to check (set CORPUS_ALLOW_MISSING=1 to allow this)".into())
            };
        }
        vec![default_dir.clone()]
    } else {
        args.inputs.clone()
    };

    let mut specs = Vec::new();
    // The next wave's entry points (only with the default corpus).
    let next_dir = repo.join("../shared/corpus-next");
    let mut label_roots = inputs.clone();
    if args.inputs.is_empty() {
        if !next_dir.is_dir() {
            return Err(format!(
                "{} not found (the corpus-next entry points of xtask/corpus-next.txt)",
                next_dir.display()
            ));
        }
        for line in NEXT_LIST.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let p = next_dir.join(line);
            if !p.is_file() {
                return Err(format!(
                    "{} (listed in xtask/corpus-next.txt) does not exist",
                    p.display()
                ));
            }
            specs.push(p);
        }
        label_roots.push(repo.join("../shared"));
    }
    for input in &inputs {
        if input.is_dir() {
            collect_specs(input, args.history, &mut specs);
        } else if input.is_file() {
            specs.push(input.clone());
        } else {
            return Err(format!("{} does not exist", input.display()));
        }
    }
    specs.sort();
    specs.dedup();
    if specs.is_empty() {
        return Err("no *.json / *.yaml specs found".into());
    }

    let out_root = repo.join("target/corpus");
    std::fs::create_dir_all(&out_root).map_err(|e| format!("{}: {e}", out_root.display()))?;

    // Unique crate names: `corpus-<stem>`, then `corpus-<folder>-<stem>` on a clash.
    let mut used = BTreeSet::new();
    let mut rows: Vec<Row> = specs
        .iter()
        .map(|spec| {
            let base = default_crate_name(spec);
            let stem = base.trim_end_matches("-sdk");
            let mut name = format!("corpus-{stem}");
            if used.contains(&name) {
                let folder = spec
                    .parent()
                    .and_then(Path::file_name)
                    .map(|f| default_crate_name(Path::new(f)))
                    .unwrap_or_default();
                name = format!("corpus-{}-{stem}", folder.trim_end_matches("-sdk"));
            }
            let mut unique = name.clone();
            let mut i = 2;
            while !used.insert(unique.clone()) {
                unique = format!("{name}-{i}");
                i += 1;
            }
            Row {
                label: label_of(spec, &label_roots),
                spec: spec.clone(),
                crate_name: unique,
                spec_ops: None,
                generated: None,
                error: None,
                compile: Compile::NotRun,
                doc: Compile::NotRun,
            }
        })
        .collect();

    // Generate.
    let total = Instant::now();
    for row in &mut rows {
        eprintln!("corpus: generating {}", row.label);
        row.spec_ops = count_operations(&row.spec);
        let dir = out_root.join(&row.crate_name);
        match generate_one(&row.spec, &row.crate_name) {
            Ok((output, time)) => {
                if let Err(e) = codegen::write::write(&dir, &output.files) {
                    row.error = Some(e.to_string());
                    continue;
                }
                let mut text = String::new();
                for w in &output.warnings {
                    text.push_str(&format!("{w}\n"));
                }
                let _ = std::fs::write(dir.join("warnings.txt"), text);
                let skipped = output
                    .skipped_operations
                    .max(row.spec_ops.unwrap_or(0).saturating_sub(output.operations));
                row.generated = Some(Generated {
                    operations: output.operations,
                    skipped,
                    types: output.types,
                    warnings: output.warnings,
                    time,
                });
            }
            Err(e) => {
                row.error = Some(e);
                // A crate left from an earlier run must not pass for this one.
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }
    let gen_time = total.elapsed();

    // One workspace with every generated crate; one cargo check.
    let members: Vec<&str> = rows
        .iter()
        .filter(|r| r.generated.is_some())
        .map(|r| r.crate_name.as_str())
        .collect();
    let workspace = format!(
        "# Written by `cargo xtask corpus`: every generated crate of the corpus, checked together.\n[workspace]\nresolver = \"2\"\nmembers = [\n{}]\n",
        members
            .iter()
            .map(|m| format!("    \"{m}\",\n"))
            .collect::<String>()
    );
    let manifest = out_root.join("Cargo.toml");
    std::fs::write(&manifest, workspace).map_err(|e| format!("{}: {e}", manifest.display()))?;

    let mut check_time = None;
    let mut doc_time = None;
    if args.check && !members.is_empty() {
        let t = Instant::now();
        let tool = if args.compile_only {
            Tool::Check
        } else {
            Tool::Clippy
        };
        let results = cargo_run(&repo, &out_root, tool)?;
        check_time = Some(t.elapsed());
        for row in rows.iter_mut().filter(|r| r.generated.is_some()) {
            row.compile = results
                .get(&row.crate_name)
                .cloned()
                .unwrap_or(Compile::NotBuilt);
        }
        if args.doc {
            let t = Instant::now();
            let results = cargo_run(&repo, &out_root, Tool::Doc)?;
            doc_time = Some(t.elapsed());
            for row in rows.iter_mut().filter(|r| r.generated.is_some()) {
                row.doc = results
                    .get(&row.crate_name)
                    .cloned()
                    .unwrap_or(Compile::NotBuilt);
            }
        }
    }

    // What the compile column reports: `cargo check` in `--compile-only` mode, else clippy.
    let checker = if args.compile_only { "check" } else { "clippy" };
    print_table(&rows, checker);
    let generated = rows.iter().filter(|r| r.generated.is_some()).count();
    let compiled = rows
        .iter()
        .filter(|r| r.compile == Compile::Ok && (!args.doc || r.doc == Compile::Ok))
        .count();
    let skipped: usize = rows
        .iter()
        .filter_map(|r| r.generated.as_ref())
        .map(|g| g.skipped)
        .sum();
    let n = rows.len();
    println!();
    for row in &rows {
        if let Some(e) = &row.error {
            println!("FAILED to generate {}: {e}", row.label);
        }
        for (what, result) in [(checker, &row.compile), ("rustdoc", &row.doc)] {
            if let Compile::Failed(count, first) = result {
                println!(
                    "FAILED {what} on {} ({count} errors); first:",
                    row.crate_name
                );
                for m in first {
                    println!("{m}");
                }
            }
            if *result == Compile::NotBuilt {
                println!(
                    "NOT BUILT by {what}: {} (see target/corpus/{what}.log)",
                    row.crate_name
                );
            }
        }
    }
    println!(
        "generate: {:.1}s{}{}",
        gen_time.as_secs_f64(),
        check_time
            .map(|t| format!(", cargo {checker}: {:.1}s", t.as_secs_f64()))
            .unwrap_or_default(),
        doc_time
            .map(|t| format!(", cargo doc: {:.1}s", t.as_secs_f64()))
            .unwrap_or_default()
    );
    let compiled_text = if args.check {
        format!(
            "{compiled}/{n} {}{}",
            if args.compile_only {
                "compiled (warnings denied)"
            } else {
                "clippy-clean"
            },
            if args.doc { " and documented" } else { "" }
        )
    } else {
        "compile not checked".to_string()
    };
    println!("corpus: {generated}/{n} generated, {compiled_text}, {skipped} skipped operations");
    if generated < n || (args.check && compiled < n) {
        return Err(format!(
            "corpus: {} spec(s) failed",
            n - if args.check { compiled } else { generated }
        ));
    }
    Ok(())
}

/// Spec files under `dir`, recursively; `history` folders only when asked.
fn collect_specs(dir: &Path, history: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if history || p.file_name().and_then(|n| n.to_str()) != Some("history") {
                collect_specs(&p, history, out);
            }
        } else if p
            .extension()
            .is_some_and(|x| x == "json" || x == "yaml" || x == "yml")
        {
            out.push(p);
        }
    }
}

/// The spec's path relative to the input it was found under (`fluxer/openapi.json`).
fn label_of(spec: &Path, inputs: &[PathBuf]) -> String {
    for input in inputs {
        if let Ok(rel) = spec.strip_prefix(input) {
            if !rel.as_os_str().is_empty() {
                return rel.display().to_string();
            }
        }
    }
    spec.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Methods under `paths` (path items behind a `$ref` followed), counted from the raw document
/// and not from what the generator made of it. Webhooks and callbacks are not counted.
fn count_operations(spec: &Path) -> Option<usize> {
    let doc = codegen::load::load_file(spec).ok()?;
    let paths = doc.root.get("paths")?.as_object()?;
    let mut n = 0;
    for item in paths.values() {
        let mut item = item;
        for _ in 0..8 {
            match item.get("$ref").and_then(Value::as_str) {
                Some(r) => match codegen::load::resolve(&doc.root, r) {
                    Some(t) => item = t,
                    None => break,
                },
                None => break,
            }
        }
        if let Some(obj) = item.as_object() {
            n += METHODS.iter().filter(|m| obj.contains_key(**m)).count();
        }
    }
    Some(n)
}

/// Runs the generator on one spec; a panic is reported as that spec's failure.
fn generate_one(spec: &Path, crate_name: &str) -> Result<(codegen::Output, Duration), String> {
    let config = codegen::Config {
        crate_name: crate_name.to_string(),
        standalone: false,
        ..Default::default()
    };
    let t = Instant::now();
    let result = std::panic::catch_unwind(|| codegen::generate(spec, &config));
    let time = t.elapsed();
    match result {
        Ok(Ok(output)) => Ok((output, time)),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!("generator panicked: {what}"))
        }
    }
}

#[derive(Clone, Copy)]
enum Tool {
    Check,
    Clippy,
    Doc,
}

/// `cargo clippy` or `cargo doc` of the corpus workspace, warnings denied; results by crate
/// (package) name.
fn cargo_run(
    repo: &Path,
    out_root: &Path,
    tool: Tool,
) -> Result<BTreeMap<String, Compile>, String> {
    let target = repo.join("target/corpus-target");
    let (name, args): (&str, &[&str]) = match tool {
        // Every target but the test harnesses: a generated crate has no tests of its own,
        // and `--all-targets` would check each library a second time in test mode
        // (twice the time for the same code). Clippy reports all that `check` does.
        Tool::Clippy => (
            "clippy",
            &["clippy", "--workspace", "--lib", "--bins", "--examples"],
        ),
        Tool::Check => (
            "check",
            &["check", "--workspace", "--lib", "--bins", "--examples"],
        ),
        Tool::Doc => ("rustdoc", &["doc", "--workspace", "--no-deps"]),
    };
    let log_path = out_root.join(format!("{name}.log"));
    eprintln!(
        "corpus: cargo {} (warnings denied, target {})",
        args.join(" "),
        target.display()
    );
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(args)
        .args([
            "--keep-going",
            "--message-format=json-diagnostic-rendered-ansi",
        ])
        .current_dir(out_root)
        // The same RUSTFLAGS for both: dependencies compiled for clippy serve rustdoc too.
        .env("RUSTFLAGS", "-D warnings")
        .env("RUSTDOCFLAGS", "-D warnings")
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTDOCFLAGS");
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run cargo: {e}"))?;

    // stderr: progress and cargo's own errors; read on a thread so neither pipe fills up.
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    let mut errors: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    let mut built: BTreeSet<String> = BTreeSet::new();
    let mut log = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let Some(pkg) = msg
            .get("manifest_path")
            .and_then(Value::as_str)
            .and_then(|m| package_of(m, out_root))
        else {
            continue;
        };
        match msg.get("reason").and_then(Value::as_str) {
            Some("compiler-artifact") => {
                built.insert(pkg);
            }
            Some("compiler-message") => {
                let m = &msg["message"];
                let level = m.get("level").and_then(Value::as_str).unwrap_or("");
                let rendered = m
                    .get("rendered")
                    .and_then(Value::as_str)
                    .map(strip_ansi)
                    .unwrap_or_default();
                log.push_str(&format!("[{pkg}] {rendered}\n"));
                if level == "error" {
                    let e = errors.entry(pkg).or_default();
                    let is_summary = rendered.starts_with("error: aborting")
                        || rendered.starts_with("error: could not compile")
                        || rendered.starts_with("error: could not document");
                    if !is_summary {
                        e.0 += 1;
                        if e.1.len() < 3 {
                            e.1.push(rendered.lines().take(12).collect::<Vec<_>>().join("\n"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let stderr_text = err_thread.join().unwrap_or_default();
    log.push_str("\n--- cargo stderr ---\n");
    log.push_str(&stderr_text);
    let _ = std::fs::write(&log_path, &log);
    if !status.success() && errors.is_empty() {
        let tail: Vec<&str> = stderr_text.lines().rev().take(20).collect();
        eprintln!(
            "cargo {name} failed without compiler errors:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }

    let mut out = BTreeMap::new();
    for pkg in built.iter().chain(errors.keys()) {
        let result = match errors.get(pkg) {
            Some((n, first)) => Compile::Failed((*n).max(1), first.clone()),
            None => Compile::Ok,
        };
        out.insert(pkg.clone(), result);
    }
    Ok(out)
}

/// `…/target/corpus/<name>/Cargo.toml` -> `<name>`, for crates of the corpus only.
fn package_of(manifest: &str, out_root: &Path) -> Option<String> {
    let rel = Path::new(manifest).strip_prefix(out_root).ok()?;
    let mut parts = rel.components();
    let name = parts.next()?.as_os_str().to_string_lossy().into_owned();
    (parts.next()?.as_os_str() == "Cargo.toml").then_some(name)
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The table; `checker` names the compile column (`check` or `clippy`).
fn print_table(rows: &[Row], checker: &str) {
    let header = [
        "spec",
        "ops in spec",
        "ops generated",
        "skipped",
        "types",
        "warnings",
        checker,
        "rustdoc",
        "generate",
    ];
    let mut table: Vec<[String; 9]> = Vec::new();
    for r in rows {
        let spec_ops = r
            .spec_ops
            .map(|n| n.to_string())
            .unwrap_or_else(|| "?".into());
        let row = match &r.generated {
            Some(g) => [
                r.label.clone(),
                spec_ops,
                g.operations.to_string(),
                g.skipped.to_string(),
                g.types.to_string(),
                g.warnings.len().to_string(),
                match &r.compile {
                    Compile::NotRun => "not checked".into(),
                    Compile::Ok => "ok".into(),
                    Compile::Failed(n, _) => format!("FAILED ({n} errors)"),
                    Compile::NotBuilt => "NOT BUILT".into(),
                },
                match &r.doc {
                    Compile::NotRun => "not checked".into(),
                    Compile::Ok => "ok".into(),
                    Compile::Failed(n, _) => format!("FAILED ({n} errors)"),
                    Compile::NotBuilt => "NOT BUILT".into(),
                },
                format!("{} ms", g.time.as_millis()),
            ],
            None => [
                r.label.clone(),
                spec_ops,
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "GENERATE FAILED".into(),
                "-".into(),
                "-".into(),
            ],
        };
        table.push(row);
    }
    let mut widths = header.map(str::len);
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            // Text columns left-aligned, numbers right-aligned.
            if matches!(i, 0 | 6 | 7) {
                s.push_str(&format!("{cell:<w$}"));
            } else {
                s.push_str(&format!("{cell:>w$}"));
            }
        }
        s.trim_end().to_string()
    };
    println!("{}", line(&header.map(String::from)));
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    );
    for row in &table {
        println!("{}", line(row));
    }
}
