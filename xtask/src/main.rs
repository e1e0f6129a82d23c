//! Project commands: `cargo xtask codegen [--check] [--spec FILE --out DIR --crate-name NAME]
//! [--strict] [--allow-refs-outside-root]`,
//! `cargo xtask corpus [DIR…]`, `cargo xtask-release bench [--runs N] [--compile] [SPEC…]`.

mod bench;
mod corpus;
mod test;

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
        Some("corpus") => corpus::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        // Hidden: one generation run of `bench`, in its own process.
        Some("bench-one") => bench::run_one(&args[1..]),
        _ => Err(String::from(
            "usage:\n  cargo xtask codegen [--check]\n  cargo xtask codegen --spec FILE --out DIR [--crate-name NAME] [--strict] [--allow-refs-outside-root]\n  cargo xtask corpus [DIR...]\n  cargo xtask-release bench [--runs N] [--threads N] [--out-dir DIR] [--compile] [--compile-runs N] [SPEC...]",
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
    strict: bool,
    refs_outside_root: bool,
}

fn parse_codegen_args(args: &[String]) -> Result<CodegenArgs, String> {
    let mut a = CodegenArgs {
        check: false,
        spec: None,
        out: None,
        crate_name: None,
        strict: false,
        refs_outside_root: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
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
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if a.spec.is_some() != a.out.is_some() {
        return Err("--spec and --out go together".into());
    }
    Ok(a)
}

fn codegen_cmd(args: &[String]) -> Result<(), String> {
    let a = parse_codegen_args(args)?;
    let (spec, out, standalone) = match (a.spec, a.out) {
        (Some(s), Some(o)) => (s, o, true),
        _ => (project_spec(), root().join("generated-client"), false),
    };
    let mut config = Config::beside(&spec).map_err(|e| e.to_string())?;
    config.standalone = standalone;
    config.strict |= a.strict;
    config.allow_refs_outside_root |= a.refs_outside_root;
    if let Some(name) = a.crate_name {
        config.crate_name = name;
    } else if standalone && !spec.with_file_name("codegen.toml").exists() {
        config.crate_name = default_crate_name(&spec);
    }
    let (output, leftovers) =
        codegen::generate_keeping(&spec, &config).map_err(|e| e.to_string())?;
    // A one-shot command: the document and the IR go with the process, not one node at a time.
    std::mem::forget(leftovers);
    for w in &output.warnings {
        eprintln!("warning: {w}");
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
