//! Workspace-level integration tests live in `tests/`; this library holds what several of
//! them share: finding `../shared` (a loud skip on a developer's machine, a failure in CI),
//! and running cargo on crates the tests generate.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Written straight to the process's stderr: libtest captures `eprintln!` of passing tests,
/// and these lines must be seen.
pub fn say(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// Whether we run in CI (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A prerequisite of `test` is missing: a loud `SKIPPED` line, or a failure when CI is set
/// (CI must never pass by skipping).
pub fn unavailable(test: &str, reason: &str) {
    let message = format!("SKIPPED: `{test}`: {reason}");
    if in_ci() {
        panic!("{message} (CI is set, so this is an error)");
    }
    say(&format!("\n{message}\n"));
}

/// `../shared/<rel>` beside the repository, or `None` after [`unavailable`].
pub fn shared_file(test: &str, rel: &str) -> Option<PathBuf> {
    let path = repo_root().join("../shared").join(rel);
    if path.exists() {
        Some(path)
    } else {
        unavailable(test, &format!("{} is absent", path.display()));
        None
    }
}

/// A cargo command (for `target_dir`, else the workspace's), without the variables cargo sets
/// for the test process running it.
pub fn cargo(target_dir: Option<&Path>) -> Command {
    const SET_FOR_TESTS: &[&str] = &[
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
    ];
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if SET_FOR_TESTS.contains(&key.as_ref())
            || key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_BIN_EXE_")
        {
            cmd.env_remove(key.as_ref());
        }
    }
    if let Some(dir) = target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    cmd
}

/// Runs `cmd` to completion; panics with its output when it fails.
pub fn run(cmd: &mut Command, what: &str) -> Output {
    let started = Instant::now();
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    if !output.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    say(&format!(
        "{what}: done in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    output
}

/// `cargo ARGS` in a crate a test generated under `dir`: the shared `target/aux` (dependencies
/// compiled once for every such test) and warnings denied. Set more variables on the returned
/// command before running it; [`output_text`] reads what it printed.
pub fn aux_cargo(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo_root().join("target/aux"))
        // Test crates are built to be run once: no debug info, no incremental caches (as the
        // gates' drivers; target/aux grew to 6.4 GB with them).
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0")
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("RUSTDOCFLAGS");
    cmd
}

/// What a command printed, stdout then stderr.
pub fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
