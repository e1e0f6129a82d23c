//! `cargo xtask test`: every check CI runs, in order, failing on the first that fails.
//!
//! Formatting, lints (warnings denied), the drift check, Prism installation for the contract
//! tests, the whole workspace test suite (unit, integration, loopback-server, contract, fuzz,
//! doc tests), rustdoc of the generated crate with warnings denied, the request-conformance
//! gate on four specs, the schema round trip on Fluxer's spec and three corpus specs
//! (`cargo xtask roundtrip --ci`), and the corpus.

use std::process::Command;
use std::time::Instant;

/// The specs `cargo xtask test` runs the conformance gate on, under `../shared/specs`.
// Specs measured green through the gate; the full corpus is `cargo xtask conformance`.
// Multipart bodies and deepObject queries come from the repository's own wire fixture
// (`CONFORMANCE_FIXTURES`): its crate builds in seconds, where Discord's or Stripe's take minutes.
const CONFORMANCE_SPECS: &[&str] = &[
    "fluxer/openapi.json",
    // form-encoded bodies (and octet-stream)
    "corpus/petstore3.yaml",
    // every security scheme type, a callback, a webhook
    "corpus/tictactoe.yaml",
    // form-encoded OAuth2 endpoints
    "corpus/ory-hydra.json",
];

/// Specs of this repository the CI conformance run adds, relative to the root:
/// tests/wire/openapi.yaml has multipart bodies (file, array and JSON parts, `encoding`),
/// deepObject, pipe- and space-delimited queries and form bodies, media ranges, and operation
/// servers.
const CONFORMANCE_FIXTURES: &[&str] = &["tests/wire/openapi.yaml"];

pub fn run(args: &[String]) -> Result<(), String> {
    let skip_corpus = args.iter().any(|a| a == "--no-corpus");
    let root = crate::root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut steps: Vec<(&str, Command)> = Vec::new();

    let mut fmt = Command::new(&cargo);
    fmt.args(["fmt", "--all", "--", "--check"]);
    steps.push(("cargo fmt --check", fmt));

    let mut clippy = Command::new(&cargo);
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    steps.push(("clippy, warnings denied", clippy));

    let mut clippy_min = Command::new(&cargo);
    clippy_min.args([
        "clippy",
        "-p",
        "fluxer-sdk",
        "--no-default-features",
        "--",
        "-D",
        "warnings",
    ]);
    steps.push(("clippy on the generated crate without features", clippy_min));

    let mut clippy_all = Command::new(&cargo);
    clippy_all.args([
        "clippy",
        "-p",
        "fluxer-sdk",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]);
    steps.push((
        "clippy on the generated crate with every feature",
        clippy_all,
    ));

    let mut check = Command::new(&cargo);
    check.args(["run", "--quiet", "-p", "xtask", "--", "codegen", "--check"]);
    steps.push(("generated code is up to date", check));

    let mut prism = Command::new("bash");
    prism.arg(root.join("tests/prism/install.sh"));
    steps.push(("install Prism for the contract tests", prism));

    let mut test = Command::new(&cargo);
    test.args(["test", "--workspace"]);
    steps.push(("cargo test --workspace", test));

    let mut doc = Command::new(&cargo);
    doc.args(["doc", "-p", "fluxer-sdk", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings");
    steps.push(("rustdoc of the generated crate, warnings denied", doc));

    // The request-conformance gate on Fluxer, three corpus specs (form-encoded bodies) and the
    // wire fixture (multipart bodies, deepObject queries); `cargo xtask conformance` runs the
    // whole corpus. Without
    // ../shared it is skipped loudly, except under CI, where the gate itself fails.
    if crate::gate::shared_specs().is_dir() || crate::gate::in_ci() {
        let mut gate = Command::new(&cargo);
        gate.args(["run", "--quiet", "-p", "xtask", "--", "conformance"]);
        gate.args(
            CONFORMANCE_SPECS
                .iter()
                .map(|s| crate::gate::shared_specs().join(s)),
        );
        gate.args(CONFORMANCE_FIXTURES.iter().map(|s| root.join(s)));
        steps.push((
            "request conformance against Prism (Fluxer, 3 corpus specs, the wire fixture)",
            gate,
        ));
    } else {
        println!("SKIPPED: request conformance: ../shared/specs is missing");
    }

    if !skip_corpus {
        let mut roundtrip = Command::new(&cargo);
        roundtrip.args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "xtask",
            "--",
            "roundtrip",
            "--ci",
        ]);
        steps.push((
            "schema round trip: Fluxer and three corpus specs",
            roundtrip,
        ));

        let mut corpus = Command::new(&cargo);
        corpus.args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "xtask",
            "--",
            "corpus",
            "--compile-only",
        ]);
        steps.push(("corpus: every spec generates and compiles", corpus));
    }

    let total = Instant::now();
    for (name, mut cmd) in steps {
        println!("\n==> {name}");
        let t = Instant::now();
        let status = cmd
            .current_dir(&root)
            .status()
            .map_err(|e| format!("{name}: {e}"))?;
        println!(
            "<== {name}: {} in {:.1} s",
            if status.success() { "ok" } else { "FAILED" },
            t.elapsed().as_secs_f64()
        );
        if !status.success() {
            return Err(format!("step failed: {name}"));
        }
    }
    println!(
        "\nall checks passed in {:.0} s",
        total.elapsed().as_secs_f64()
    );
    Ok(())
}
