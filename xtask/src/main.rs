//! Project commands: `cargo xtask codegen [--check] [--spec FILE --out DIR --crate-name NAME]
//! [--strict] [--allow-refs-outside-root]`,
//! `cargo xtask codegen --diff OLD`, `cargo xtask api-diff OLD NEW`, `cargo xtask corpus [DIR…]`,
//! `cargo xtask roundtrip [SPEC…]` (the schema round-trip gate), `cargo xtask-release bench [--runs N] [--compile] [SPEC…]`.

mod api_diff;
mod bench;
mod conformance;
mod corpus;
mod gate;
mod roundtrip;
mod samples;
mod test;
mod validate;

use codegen::Config;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The generator allocates and frees millions of small token and syntax-tree nodes; mimalloc
/// does that markedly faster than the system allocator (measured in BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen_cmd(&args[1..]),
        Some("api-diff") => api_diff::run(&args[1..]),
        Some("corpus") => corpus::run(&args[1..]),
        Some("conformance") => conformance::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("roundtrip") => roundtrip::run(&args[1..]),
        // Hidden: one generation run of `bench`, in its own process.
        Some("bench-one") => bench::run_one(&args[1..]),
        _ => Err(String::from(
            "usage:\n  cargo xtask codegen [--check]\n  cargo xtask codegen --spec FILE --out DIR [--crate-name NAME] [--standalone] [--strict] [--allow-refs-outside-root]\n  (codegen also takes: --overlay FILE (repeatable), --lints)\n  cargo xtask codegen --diff OLD_SPEC [--spec NEW] [--format text|json] [--changelog FILE] [--deny breaking]\n  cargo xtask api-diff OLD NEW [--format text|json] [--changelog FILE] [--deny breaking] [--crate-version V]\n  cargo xtask corpus [DIR...]\n  cargo xtask conformance [--verbose] [SPEC...]\n  cargo xtask roundtrip [--max N] [--verbose] [SPEC|DIR...]\n  cargo xtask-release bench [--runs N] [--threads N] [--out-dir DIR] [--compile] [--compile-runs N] [SPEC...]",
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent folder")
        .to_path_buf()
}

/// The project's own spec, its config, and where its crate goes.
pub fn project_spec() -> PathBuf {
    root().join("spec/openapi.yaml")
}

struct CodegenArgs {
    check: bool,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    crate_name: Option<String>,
    /// `--overlay FILE`, repeatable: applied after the ones `codegen.toml` lists, in order.
    overlays: Vec<PathBuf>,
    /// `--lints`: print every lint, not only their count.
    lints: bool,
    /// `--standalone`: the crate is its own workspace (a `[workspace]` table).
    standalone: bool,
    /// `--diff OLD`: report what changes in the public API instead of writing.
    diff: Option<PathBuf>,
    diff_options: api_diff::Options,
    strict: bool,
    refs_outside_root: bool,
}

fn parse_codegen_args(args: &[String]) -> Result<CodegenArgs, String> {
    let mut a = CodegenArgs {
        check: false,
        spec: None,
        out: None,
        crate_name: None,
        overlays: Vec::new(),
        lints: false,
        standalone: false,
        diff: None,
        diff_options: api_diff::Options::default(),
        strict: false,
        refs_outside_root: false,
    };
    let mut i = 0;
    while i < args.len() {
        if a.diff_options.take(args, &mut i)? {
            i += 1;
            continue;
        }
        let arg = &args[i];
        let mut value = |name: &str| {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--check" => a.check = true,
            "--strict" => a.strict = true,
            "--allow-refs-outside-root" => a.refs_outside_root = true,
            "--spec" => a.spec = Some(value("--spec")?.into()),
            "--out" => a.out = Some(value("--out")?.into()),
            "--crate-name" => a.crate_name = Some(value("--crate-name")?),
            "--overlay" => a.overlays.push(value("--overlay")?.into()),
            "--lints" => a.lints = true,
            "--standalone" => a.standalone = true,
            "--diff" => a.diff = Some(value("--diff")?.into()),
            other => return Err(format!("unknown argument `{other}`")),
        }
        i += 1;
    }
    let diff_options = {
        let o = &a.diff_options;
        o.json || o.changelog.is_some() || o.deny_breaking || o.version.is_some()
    };
    if a.diff.is_none() && diff_options {
        return Err("--format, --changelog, --deny and --crate-version go with --diff".into());
    }
    if a.diff.is_some() && (a.check || a.out.is_some()) {
        return Err("--diff writes and checks nothing: leave out --check and --out".into());
    }
    if a.diff.is_none() && a.spec.is_some() != a.out.is_some() {
        return Err("--spec and --out go together".into());
    }
    Ok(a)
}

fn codegen_cmd(args: &[String]) -> Result<(), String> {
    let a = parse_codegen_args(args)?;
    if let Some(old) = &a.diff {
        // Against the project's spec (or --spec), with its config; nothing is written.
        let new = a.spec.clone().unwrap_or_else(project_spec);
        let mut config = Config::beside(&new).map_err(|e| e.to_string())?;
        config.overlays.extend(a.overlays.iter().cloned());
        return api_diff::report(old, &new, &config, &a.diff_options);
    }
    let (spec, out, custom) = match (a.spec, a.out) {
        (Some(s), Some(o)) => (s, o, true),
        _ => (project_spec(), root().join("generated-client"), false),
    };
    let mut config = Config::beside(&spec).map_err(|e| e.to_string())?;
    // A crate can sit in the user's own workspace: `[workspace]` only when asked for.
    config.standalone = a.standalone;
    config.overlays.extend(a.overlays);
    config.strict |= a.strict;
    config.allow_refs_outside_root |= a.refs_outside_root;
    if let Some(name) = a.crate_name {
        config.crate_name = name;
    } else if custom && !spec.with_file_name("codegen.toml").exists() {
        config.crate_name = default_crate_name(&spec);
    }
    let (output, leftovers) =
        codegen::generate_keeping(&spec, &config).map_err(|e| e.to_string())?;
    // A one-shot command: the document and the IR go with the process, not one node at a time.
    std::mem::forget(leftovers);
    for (file, w) in &output.overlay_warnings {
        eprintln!("warning: {file}#{}: {}", w.pointer, w.message);
    }
    for w in &output.warnings {
        eprintln!("warning: {w}");
    }
    if a.lints {
        for l in &output.lints {
            eprintln!(
                "lint: {}#{}: [{}] {}",
                spec.display(),
                l.pointer,
                l.rule,
                l.message
            );
        }
    }
    if !output.lints.is_empty() {
        eprintln!(
            "note: {}{}",
            codegen::lint::summary(&output.lints),
            if a.lints {
                ""
            } else {
                "; `--lints` lists them"
            }
        );
    }
    if a.check {
        let differing = codegen::write::diff(&out, &output.files);
        if !differing.is_empty() {
            for p in &differing {
                eprintln!("differs: {}", out.join(p).display());
            }
            return Err(format!(
                "{} file(s) in {} are not what {} generates; run `cargo xtask codegen`",
                differing.len(),
                out.display(),
                spec.display()
            ));
        }
        println!(
            "generated code is up to date ({} operations, {} types)",
            output.operations, output.types
        );
        return Ok(());
    }
    codegen::write::write(&out, &output.files).map_err(|e| e.to_string())?;
    println!(
        "generated {} operations, {} types",
        output.operations, output.types
    );
    Ok(())
}

/// `specs/stripe.yaml` -> `stripe-sdk`.
pub fn default_crate_name(spec: &Path) -> String {
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "api".into());
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "api-");
    }
    format!("{}-sdk", name.trim_matches('-'))
}
