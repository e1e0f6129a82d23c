//! What the gates (`roundtrip`, `conformance`) share: where a spec's generated crate and drivers
//! go, the generator options they use, and which specs they run on by default.
//!
//! The same crate (`target/gate/<stem>/crate`, feature `test-registry`) serves both gates, and
//! every driver builds with `CARGO_TARGET_DIR=target/gate/target`, so it compiles once.

use crate::{default_crate_name, root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The folder of a spec's gate files: `target/gate/<stem>` (crate, drivers).
pub fn gate_dir(spec: &Path) -> PathBuf {
    root().join("target/gate").join(stem(spec))
}

/// The shared target dir of every gate build; `GATE_TARGET_DIR` puts it elsewhere (to build
/// a big crate, Stripe's, beside another gate run without waiting for its lock).
pub fn gate_target() -> PathBuf {
    match std::env::var_os("GATE_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target/gate/target"),
    }
}

/// `specs/fluxer/relay-api.json` -> `relay-api`. A spec of this repository (a test fixture,
/// usually called `openapi.yaml`) is named after its folder too, `tests/wire/openapi.yaml` ->
/// `wire-openapi`, so it never shares a gate folder (and crate) with Fluxer's `openapi.json`.
pub fn stem(spec: &Path) -> String {
    let name = default_crate_name(spec)
        .trim_end_matches("-sdk")
        .to_string();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let folder = spec.parent().and_then(Path::file_name);
    match folder {
        Some(folder) if canon(spec).starts_with(canon(&root())) => {
            let folder = default_crate_name(Path::new(folder));
            format!("{}-{name}", folder.trim_end_matches("-sdk"))
        }
        _ => name,
    }
}

/// The generator options for a spec: the project's own for Fluxer's specs, else the defaults
/// (or a `codegen.toml` beside the spec), with the gate's crate name.
pub fn gate_config(spec: &Path) -> Result<codegen::Config, String> {
    let fluxer = spec
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|f| f == "fluxer");
    let beside = if fluxer {
        crate::project_spec()
    } else {
        spec.to_path_buf()
    };
    let mut config = codegen::Config::beside(&beside).map_err(|e| e.to_string())?;
    config.crate_name = format!("gate-{}", stem(spec));
    config.standalone = true;
    config.extra_files.clear();
    Ok(config)
}

/// Generates the spec's crate into `gate_dir(spec)/crate` (files unchanged on disk are left
/// alone, so cargo does not rebuild them). Returns the crate's package name and the number of
/// operations the spec has that the generator did not generate.
pub fn generate_crate(spec: &Path) -> Result<(String, usize), String> {
    let config = gate_config(spec)?;
    let output = codegen::generate(spec, &config).map_err(|e| e.to_string())?;
    let dir = gate_dir(spec).join("crate");
    codegen::write::write(&dir, &output.files).map_err(|e| e.to_string())?;
    Ok((config.crate_name, output.skipped_operations))
}

/// The specs under `dir` (JSON and YAML files, recursively), without `history/` folders
/// (older copies of the same API).
pub fn collect_specs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().and_then(|n| n.to_str()) != Some("history") {
                collect_specs(&p, out);
            }
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "json" | "yaml" | "yml"))
        {
            out.push(p);
        }
    }
}

/// `../shared/specs`, the specs the gates run on by default.
pub fn shared_specs() -> PathBuf {
    root().join("../shared/specs")
}

/// Whether we run in CI (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

pub fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Builds the driver crate at `dir` (its package `package`) into the shared target dir;
/// returns the binary's path.
pub fn build_driver(dir: &Path, package: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = gate_target();
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        // A driver is built once and run; line numbers in its backtraces are not worth it:
        // without debug info and incremental caches, Fluxer's roundtrip driver builds cold in
        // 121 CPU-s instead of 208 and takes 294 MB instead of 999 (BENCHMARKS.md).
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0")
        // The generated crate is checked for warnings elsewhere (corpus); here only behaviour.
        .env_remove("RUSTFLAGS")
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first: Vec<&str> = err.lines().take(40).collect();
        return Err(format!("{package}: build failed:\n{}", first.join("\n")));
    }
    Ok(target.join("debug").join(package))
}
