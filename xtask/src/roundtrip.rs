//! `cargo xtask roundtrip [--ci] [--max N] [--verbose] [--samples-only] [SPEC|DIR…]`: the
//! schema round-trip gate.
//!
//! Without arguments the specs are every `*.json`/`*.yaml` under `../shared/specs` (folders
//! named `history` left out); `--ci` takes the four `cargo xtask test` runs ([`CI_SPECS`]).
//! A missing `../shared` is an error (with `ROUNDTRIP_ALLOW_MISSING=1`, a loud skip, except
//! under `CI=true`). For each spec:
//! 1. generate its crate into `target/gate/<stem>/crate` (Fluxer specs with the project's own
//!    options from `spec/codegen.toml`), and a driver at `target/gate/<stem>/roundtrip-driver`
//!    that depends on it with the `test-registry` feature; build the driver with
//!    `CARGO_TARGET_DIR=target/gate/target` (shared by every spec and by the conformance gate,
//!    so the generated crate compiles once per change);
//! 2. ask the driver for its `registry::SCHEMAS` (every named type's schema pointer);
//! 3. for each pointer, make up to `--max` (default 8) valid instances with
//!    [`crate::samples::Samples`] and check each with [`crate::validate::Validator`]: an
//!    instance the validator rejects is a generator defect, counted as skipped with the
//!    validator's reason (never dropped silently);
//! 4. pipe the valid ones through the driver (decode into the Rust type, encode back) and
//!    require that the output validates against the schema and equals the input, up to the
//!    normalizations below;
//! 5. pipe the invalid instances (a required property left out, a property of the wrong type,
//!    a value outside a closed enum; each proven invalid by the validator first) and require a
//!    decode error whose text names the property.
//!
//! Normalizations allowed between input and output (the whole list):
//! - numbers compare by value: an integer-valued `number` may come back as `5.0`;
//! - decimal-integer strings (IDs, `int64` as a string, flags) compare by value: `"02"` may
//!   come back as `"2"` (they are read as integers);
//! - RFC 3339 date-times compare as instants with their UTC offset: `Z` and `+00:00`, and
//!   fractional seconds with trailing zeros, are the same time.
//!
//! The document the samples and the validator read has one rewrite, the generator's own:
//! `$recursiveRef: "#"` (JSON Schema 2019-09, which 2020-12 ignores) is a `$ref` to the
//! enclosing schema with `$recursiveAnchor: true` (`codegen::normalize::recursive_refs`).
//!
//! And one rule of the samples: a property with exactly one allowed value (`const`, a
//! one-value `enum`) is a constant the models always write (issue 12), so samples always carry
//! it rather than come back with it added.
//!
//! One documented exception to step 5: the generated enums are open (README: an unknown enum
//! value is kept and sent back unchanged, so a newer server does not break an older client).
//! An out-of-enum string or integer therefore decodes; the gate requires it to come back
//! unchanged instead. A one-value boolean enum (`enum: [true]`) is closed and must be rejected.
//!
//! A second one: a required but nullable property that is left out reads as `null` (the
//! models' deliberate leniency, as serde's derive does for `Option`; pinned by the presence
//! fixture). The gate requires it to come back as `null`, everything else unchanged, and the
//! output to validate.
//!
//! With `--samples-only`, steps 1, 4 and 5 are left out: the models' pointers come from the
//! generator's IR (as the registry lists them) and only the samples are made and validated (a
//! quick check of the sampler, without building anything; nothing passes or fails).
//!
//! A component passes when every one of its instances passes. Prints one table (spec,
//! components, passed components, samples, passed, failed, skipped; invalid instances checked
//! and failed) with the reasons for skips below it, then every failure with its schema pointer
//! and the smallest instance that fails. Exits non-zero on any failing component that is not
//! in the known-exceptions list `xtask/roundtrip-exceptions.toml` (spec, pointer, why).

use crate::gate::{self, gate_dir, stem, write_if_changed};
use crate::root;
use crate::samples::Samples;
use crate::validate::Validator;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The specs `cargo xtask test` runs (`--ci`): Fluxer's three, and corpus specs that build
/// fast and pass (ory-hydra: 3.0 with `allOf` and `nullable`; petstore, petstore3 and
/// tictactoe: 3.0 and 3.1 toy APIs; meilisearch: a required `readOnly` property, map keys from
/// `propertyNames`, a `oneOf` inside `allOf`, issue 12). The big ones (discord, box, openai,
/// stripe) take minutes each to build: the full run (`cargo xtask roundtrip`) covers them.
const CI_SPECS: [&str; 8] = [
    "fluxer/openapi.json",
    "fluxer/media-proxy-api.json",
    "fluxer/relay-api.json",
    "corpus/ory-hydra.json",
    "corpus/petstore.yaml",
    "corpus/petstore3.yaml",
    "corpus/tictactoe.yaml",
    "corpus/meilisearch.json",
];

struct Args {
    ci: bool,
    max: usize,
    verbose: bool,
    samples_only: bool,
    specs: Vec<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        ci: false,
        max: 8,
        verbose: false,
        samples_only: false,
        specs: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--max" => {
                a.max = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--max needs a number")?
            }
            "--verbose" => a.verbose = true,
            "--samples-only" => a.samples_only = true,
            "--ci" => a.ci = true,
            s if s.starts_with("--") => return Err(format!("unknown argument `{s}`")),
            s => {
                let p = PathBuf::from(s);
                if p.is_dir() {
                    gate::collect_specs(&p, &mut a.specs);
                } else if p.is_file() {
                    a.specs.push(p);
                } else {
                    return Err(format!("{s} does not exist"));
                }
            }
        }
    }
    Ok(a)
}

/// One spec's results.
#[derive(Default)]
struct Report {
    label: String,
    components: usize,
    components_passed: usize,
    /// Components with no instance that could be checked.
    components_unchecked: usize,
    samples: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    invalid_checked: usize,
    invalid_failed: usize,
    /// Reason -> count and the first pointer it happened at.
    skip_reasons: BTreeMap<String, (usize, String)>,
    /// Pointer -> failures (kind, instance, detail), smallest instance first.
    failures: BTreeMap<String, Vec<Failure>>,
    error: Option<String>,
    time: Duration,
    build_time: Duration,
}

struct Failure {
    kind: &'static str,
    instance: Value,
    detail: String,
}

/// A known exception: a failing component that is explained.
struct Exception {
    spec: String,
    pointer: String,
    why: String,
}

fn load_exceptions() -> Result<Vec<Exception>, String> {
    let path = root().join("xtask/roundtrip-exceptions.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    if let Some(toml::Value::Array(items)) = table.get("exception") {
        for item in items {
            let get = |k: &str| {
                item.get(k)
                    .and_then(toml::Value::as_str)
                    .map(String::from)
                    .ok_or_else(|| format!("{}: an exception without `{k}`", path.display()))
            };
            out.push(Exception {
                spec: get("spec")?,
                pointer: get("pointer")?,
                why: get("why")?,
            });
        }
    }
    Ok(out)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut a = parse_args(args)?;
    if a.specs.is_empty() {
        let dir = root().join("../shared/specs");
        if a.ci && dir.is_dir() {
            a.specs = CI_SPECS.iter().map(|s| dir.join(s)).collect();
            if let Some(missing) = a.specs.iter().find(|s| !s.is_file()) {
                return Err(format!("{} does not exist", missing.display()));
            }
        }
    }
    if a.specs.is_empty() {
        let dir = root().join("../shared/specs");
        if !dir.is_dir() {
            eprintln!("==============================================================");
            eprintln!("SKIPPED: ../shared/specs not found ({})", dir.display());
            eprintln!("==============================================================");
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            let allow = std::env::var("ROUNDTRIP_ALLOW_MISSING").is_ok_and(|v| v == "1");
            return if allow && !ci {
                Ok(())
            } else {
                Err("no specs for the round-trip gate (../shared/specs is missing)".into())
            };
        }
        gate::collect_specs(&dir, &mut a.specs);
        // Smallest first: the big crates (Stripe) take longest to build.
        a.specs
            .sort_by_key(|s| std::fs::metadata(s).map(|m| m.len()).unwrap_or(u64::MAX));
    }
    let exceptions = load_exceptions()?;
    let total = Instant::now();
    let mut reports = Vec::new();
    for spec in &a.specs {
        eprintln!("roundtrip: {}", spec.display());
        let t = Instant::now();
        let mut report = Report {
            label: label(spec),
            ..Default::default()
        };
        if let Err(e) = run_spec(spec, &a, &mut report) {
            report.error = Some(e);
        }
        report.time = t.elapsed();
        eprintln!(
            "roundtrip: {}: {} of {} components, {} of {} samples passed, {} skipped{} ({:.0} s)",
            report.label,
            report.components_passed,
            report.components,
            report.passed,
            report.samples,
            report.skipped,
            if report.error.is_some() {
                ", ERROR"
            } else {
                ""
            },
            report.time.as_secs_f64()
        );
        reports.push(report);
    }
    print_table(&reports);

    let mut unexplained = 0;
    let mut explained = 0;
    for r in &reports {
        if let Some(e) = &r.error {
            println!("\nERROR {}: {e}", r.label);
            unexplained += 1;
        }
        for (pointer, failures) in &r.failures {
            let exception = exceptions
                .iter()
                .find(|x| x.spec == r.label && x.pointer == *pointer);
            if let Some(x) = exception {
                explained += 1;
                if a.verbose {
                    println!("\nKNOWN {}#{pointer}: {}", r.label, x.why);
                }
                continue;
            }
            unexplained += 1;
            let f = &failures[0];
            println!(
                "\nFAILED {}#{pointer} ({} of its instances): {}\n  instance: {}\n  {}",
                r.label,
                failures.len(),
                f.kind,
                clip(&f.instance.to_string(), 400),
                clip(&f.detail, 600)
            );
        }
    }
    for x in &exceptions {
        let still = reports
            .iter()
            .any(|r| r.label == x.spec && r.failures.contains_key(&x.pointer));
        let ran = reports.iter().any(|r| r.label == x.spec);
        if ran && !still {
            println!(
                "\nnote: known exception no longer fails (remove it): {}#{}",
                x.spec, x.pointer
            );
        }
    }
    println!(
        "\n{} spec(s) in {:.0} s; {} failing component(s) listed as known exceptions, {} not",
        reports.len(),
        total.elapsed().as_secs_f64(),
        explained,
        unexplained
    );
    if unexplained > 0 {
        return Err(format!(
            "{unexplained} failure(s) not in xtask/roundtrip-exceptions.toml"
        ));
    }
    Ok(())
}

/// `fluxer/openapi.json`, `corpus/discord.json`: the spec's folder and file name.
fn label(spec: &Path) -> String {
    let file = spec
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    match spec.parent().and_then(Path::file_name) {
        Some(folder) => format!("{}/{file}", folder.to_string_lossy()),
        None => file,
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut cut = n;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} bytes)", &s[..cut], s.len())
}

/// Writes the driver crate and builds it; returns the binary's path.
fn build_driver(spec: &Path, crate_name: &str) -> Result<PathBuf, String> {
    let dir = gate_dir(spec).join("roundtrip-driver");
    let package = format!("roundtrip-driver-{}", stem(spec));
    let lib = crate_name.replace('-', "_");
    let manifest = format!(
        "# Written by `cargo xtask roundtrip`.\n[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{crate_name} = {{ path = \"../crate\", features = [\"test-registry\"] }}\nserde_json = \"1\"\n\n[workspace]\n"
    );
    let main = format!(
        "//! Written by `cargo xtask roundtrip`: reads `{{\"pointer\", \"value\"}}` lines, decodes each\n\
         //! value as the model of that schema and encodes it back, and prints one line per input:\n\
         //! `{{\"ok\": value}}`, `{{\"err\": message}}`, `{{\"missing\": true}}` or `{{\"panic\": message}}`.\n\
         //! With `--list`, prints the registry's schema pointers.\n\
         use std::io::{{BufRead, Write}};\n\n\
         fn main() {{\n    \
         if std::env::args().nth(1).as_deref() == Some(\"--list\") {{\n        \
         for s in {lib}::registry::SCHEMAS {{\n            println!(\"{{s}}\");\n        }}\n        return;\n    }}\n    \
         // Deeply nested models recurse in serde: a big stack.\n    \
         let worker = std::thread::Builder::new().stack_size(512 << 20).spawn(serve).expect(\"thread\");\n    \
         worker.join().expect(\"driver thread\");\n}}\n\n\
         fn serve() {{\n    \
         std::panic::set_hook(Box::new(|_| {{}}));\n    \
         let stdin = std::io::stdin().lock();\n    \
         let mut out = std::io::BufWriter::new(std::io::stdout().lock());\n    \
         for line in stdin.lines() {{\n        \
         let line = line.expect(\"stdin\");\n        \
         let request: serde_json::Value = serde_json::from_str(&line).expect(\"a JSON line\");\n        \
         let pointer = request[\"pointer\"].as_str().unwrap_or_default().to_string();\n        \
         let value = request[\"value\"].clone();\n        \
         let reply = match std::panic::catch_unwind(|| {lib}::registry::roundtrip(&pointer, value)) {{\n            \
         Ok(None) => serde_json::json!({{\"missing\": true}}),\n            \
         Ok(Some(Ok(v))) => serde_json::json!({{\"ok\": v}}),\n            \
         Ok(Some(Err(e))) => serde_json::json!({{\"err\": e}}),\n            \
         Err(p) => serde_json::json!({{\"panic\": p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))}}),\n        \
         }};\n        \
         writeln!(out, \"{{reply}}\").expect(\"stdout\");\n    }}\n}}\n"
    );
    write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
    write_if_changed(&dir.join("src/main.rs"), &main)?;
    gate::build_driver(&dir, &package)
}

/// One request to the driver, and what the gate expects of the answer.
struct Case {
    pointer: String,
    value: Value,
    /// `None`: a valid instance. `Some(field)`: invalid, the error must name `field`.
    invalid: Option<String>,
}

fn run_spec(spec: &Path, a: &Args, report: &mut Report) -> Result<(), String> {
    let (max, verbose) = (a.max, a.verbose);
    let mut doc = codegen::load::load_file(spec)
        .map_err(|e| e.to_string())?
        .root;
    // `$recursiveRef` read as the generator reads it (a `$ref` to its anchor), for the
    // validator (2020-12 ignores it) and the sampler alike.
    codegen::normalize::recursive_refs(&mut doc);
    let mut driver = None;
    let pointers: Vec<String> = if a.samples_only {
        // The registry's list (`emit/registry.rs`): every type's pointer, first one each.
        let api = codegen::build_ir(spec, &gate::gate_config(spec)?).map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashSet::new();
        api.types
            .iter()
            .filter(|t| !t.pointer.is_empty() && seen.insert(t.pointer.clone()))
            .map(|t| t.pointer.clone())
            .collect()
    } else {
        let (crate_name, _) = gate::generate_crate(spec)?;
        let t = Instant::now();
        // `ROUNDTRIP_NO_BUILD=1`: the driver as last built (while another run holds the build
        // lock; the caller makes sure it is current).
        let prebuilt = gate::gate_target()
            .join("debug")
            .join(format!("roundtrip-driver-{}", stem(spec)));
        let no_build = std::env::var("ROUNDTRIP_NO_BUILD").is_ok_and(|v| v == "1");
        let built = if no_build && prebuilt.is_file() {
            prebuilt
        } else {
            build_driver(spec, &crate_name)?
        };
        report.build_time = t.elapsed();
        let list = Command::new(&built)
            .arg("--list")
            .output()
            .map_err(|e| format!("{}: {e}", built.display()))?;
        driver = Some(built);
        String::from_utf8_lossy(&list.stdout)
            .lines()
            .map(String::from)
            .collect()
    };
    report.components = pointers.len();

    let samples = Samples::new(&doc);
    let validator = Validator::new(&doc)?;
    let mut cases: Vec<Case> = Vec::new();
    // Per component: instances attempted (valid, checked).
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &pointers {
        let mut n = 0;
        // A registry pointer the original document lacks (a normalization-made place the
        // generator could not map back) or the validator cannot compile: the component is
        // unchecked, with the reason.
        if samples.schema(p).is_none() {
            skip(
                &mut report.skip_reasons,
                p,
                "generator: the model's pointer is not in the original document".into(),
            );
            checked.insert(p.as_str(), 0);
            continue;
        }
        if let Err(e) = validator.check(p, &Value::Null) {
            if e.contains("cannot build a validator") {
                skip(
                    &mut report.skip_reasons,
                    p,
                    format!("validator: {}", clip(&e, 200)),
                );
                checked.insert(p.as_str(), 0);
                continue;
            }
        }
        let valid = samples.valid(p, max);
        if valid.is_empty() {
            report.skipped += 1;
            skip(
                &mut report.skip_reasons,
                p,
                "generator: no instance could be made".into(),
            );
        }
        for v in valid {
            report.samples += 1;
            match validator.check(p, &v) {
                Ok(()) => {
                    n += 1;
                    cases.push(Case {
                        pointer: p.clone(),
                        value: v,
                        invalid: None,
                    });
                }
                Err(e) => {
                    report.skipped += 1;
                    if verbose {
                        println!(
                            "SKIPPED sample of {p}: {}\n  instance: {}",
                            clip(&e, 600),
                            clip(&v.to_string(), 600)
                        );
                    }
                    skip(
                        &mut report.skip_reasons,
                        p,
                        format!("generator: sample fails its schema ({})", reason_kind(&e)),
                    );
                }
            }
        }
        for (v, field) in samples.invalid(p) {
            // Invalid at that property and nowhere else (else the case proves nothing).
            let Ok(errors) = validator.errors(p, &v) else {
                continue;
            };
            let at_field = format!("/{}", field.replace('~', "~0").replace('/', "~1"));
            let only_there = !errors.is_empty()
                && errors.iter().all(|(path, msg)| {
                    path == &at_field
                        || path.starts_with(&format!("{at_field}/"))
                        || (path.is_empty() && msg.contains(&format!("\"{field}\"")))
                });
            if !only_there {
                skip(
                    &mut report.skip_reasons,
                    p,
                    if errors.is_empty() {
                        "generator: an 'invalid' instance is valid (not counted)".into()
                    } else {
                        "generator: an 'invalid' instance has other faults (not counted)".into()
                    },
                );
                continue;
            }
            cases.push(Case {
                pointer: p.clone(),
                value: v,
                invalid: Some(field),
            });
        }
        checked.insert(p.as_str(), n);
    }

    let Some(driver) = driver else {
        // `--samples-only`: a component counts as passed when it has a valid sample.
        for p in &pointers {
            if checked.get(p.as_str()).copied().unwrap_or(0) == 0 {
                report.components_unchecked += 1;
                if verbose {
                    println!("UNCHECKED {}#{p}: no valid instance", report.label);
                }
            } else {
                report.components_passed += 1;
            }
        }
        report.passed = cases.iter().filter(|c| c.invalid.is_none()).count();
        return Ok(());
    };
    let replies = drive(&driver, &cases)?;
    for (case, reply) in cases.iter().zip(replies) {
        let outcome = judge(&validator, case, &reply);
        match (&case.invalid, outcome) {
            (None, Ok(())) => report.passed += 1,
            (None, Err(f)) => {
                report.failed += 1;
                push_failure(report, &case.pointer, f);
            }
            (Some(_), Ok(())) => report.invalid_checked += 1,
            (Some(_), Err(f)) => {
                report.invalid_checked += 1;
                report.invalid_failed += 1;
                push_failure(report, &case.pointer, f);
            }
        }
    }
    for p in &pointers {
        if checked.get(p.as_str()).copied().unwrap_or(0) == 0 {
            report.components_unchecked += 1;
            if verbose {
                println!("UNCHECKED {}#{p}: no valid instance", report.label);
            }
        } else if !report.failures.contains_key(p) {
            report.components_passed += 1;
        }
    }
    for failures in report.failures.values_mut() {
        failures.sort_by_key(|f| f.instance.to_string().len());
    }
    Ok(())
}

fn skip(reasons: &mut BTreeMap<String, (usize, String)>, pointer: &str, reason: String) {
    let e = reasons
        .entry(reason)
        .or_insert_with(|| (0, pointer.to_string()));
    e.0 += 1;
}

fn push_failure(report: &mut Report, pointer: &str, f: Failure) {
    report
        .failures
        .entry(pointer.to_string())
        .or_default()
        .push(f);
}

/// The validator's reason without the instance (for grouping skip reasons).
fn reason_kind(e: &str) -> String {
    let first = e.split("; ").next().unwrap_or(e);
    let (path, msg) = first.split_once(": ").unwrap_or(("", first));
    let _ = path;
    let kind = if msg.contains("is not valid under any of the schemas") {
        "no union variant matches"
    } else if msg.contains("is valid under more than one") {
        "oneOf: several variants match"
    } else if msg.contains("is a required property") {
        "required property missing"
    } else if msg.contains("is not a") || msg.contains("is not of type") {
        "wrong type or format"
    } else if msg.contains("does not match") {
        "pattern"
    } else if msg.contains("is not one of") {
        "enum"
    } else {
        "other"
    };
    kind.to_string()
}

/// Sends every case to the driver (one process, one line each) and reads the answers.
fn drive(driver: &Path, cases: &[Case]) -> Result<Vec<Value>, String> {
    let mut child = Command::new(driver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", driver.display()))?;
    let mut stdin = child.stdin.take().ok_or("driver stdin")?;
    let lines: Vec<String> = cases
        .iter()
        .map(|c| json!({"pointer": c.pointer, "value": c.value}).to_string())
        .collect();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(&mut stdin);
        for l in lines {
            writeln!(w, "{l}")?;
        }
        w.flush()
    });
    let stdout = child.stdout.take().ok_or("driver stdout")?;
    let mut replies = Vec::with_capacity(cases.len());
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the driver: {e}"))?;
        replies.push(serde_json::from_str(&line).map_err(|e| format!("driver output: {e}"))?);
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| e.to_string())?;
    if replies.len() != cases.len() {
        let at = cases.get(replies.len());
        return Err(format!(
            "the driver stopped ({status}) after {} of {} cases; at {}: {}",
            replies.len(),
            cases.len(),
            at.map(|c| c.pointer.as_str()).unwrap_or("?"),
            at.map(|c| clip(&c.value.to_string(), 300))
                .unwrap_or_default()
        ));
    }
    Ok(replies)
}

/// Whether the driver's answer is what the gate requires of the case.
fn judge(validator: &Validator, case: &Case, reply: &Value) -> Result<(), Failure> {
    let fail = |kind, detail: String| Failure {
        kind,
        instance: case.value.clone(),
        detail,
    };
    if reply.get("missing").is_some() {
        return Err(fail("no model for the pointer", String::new()));
    }
    if let Some(p) = reply.get("panic") {
        return Err(fail("decoding panicked", p.to_string()));
    }
    match (&case.invalid, reply.get("ok"), reply.get("err")) {
        (None, Some(out), _) => {
            if let Err(e) = validator.check(&case.pointer, out) {
                return Err(fail(
                    "the re-encoded value fails the schema",
                    format!("output: {}\n  why: {e}", clip(&out.to_string(), 400)),
                ));
            }
            if !same(&case.value, out) {
                return Err(fail(
                    "the re-encoded value differs",
                    first_difference("", &case.value, out),
                ));
            }
            Ok(())
        }
        (None, _, Some(e)) => Err(fail("a valid instance does not decode", e.to_string())),
        (Some(field), _, Some(e)) => {
            let e = e.as_str().unwrap_or_default();
            if names(e, field) {
                Ok(())
            } else {
                Err(fail(
                    "the decode error does not name the property",
                    format!("property `{field}`; error: {e}"),
                ))
            }
        }
        (Some(field), Some(out), _) => {
            // Open enums keep an unknown value (module docs): fine if it comes back unchanged.
            let given = case.value.get(field);
            let open = given.is_some_and(|g| g.is_string() || g.is_i64() || g.is_u64());
            if open && same(&case.value, out) && is_enum_violation(validator, case, field) {
                return Ok(());
            }
            // A required nullable property left out reads as null (module docs).
            if given.is_none() {
                let mut with_null = case.value.clone();
                if let Value::Object(o) = &mut with_null {
                    o.insert(field.clone(), Value::Null);
                }
                if same(&with_null, out) && validator.check(&case.pointer, out).is_ok() {
                    return Ok(());
                }
            }
            Err(fail(
                "an invalid instance decodes",
                format!(
                    "property `{field}`; output: {}",
                    clip(&out.to_string(), 400)
                ),
            ))
        }
        _ => Err(fail("unreadable driver answer", reply.to_string())),
    }
}

/// Whether the instance becomes valid when `field` is removed from it and the field is
/// optional, or takes a type-correct value: approximated by the validator's message naming
/// an enum (`is not one of`).
fn is_enum_violation(validator: &Validator, case: &Case, field: &str) -> bool {
    match validator.check(&case.pointer, &case.value) {
        Err(e) => e.contains("is not one of") && e.contains(field),
        Ok(()) => false,
    }
}

/// Whether a decode error names the property: in its path (`a.b.field`) or its message
/// (`missing field `field``).
fn names(error: &str, field: &str) -> bool {
    // Matched as a run of whole segments: a property's own name may hold dots (OpenAI's
    // `AuditLog` has `user.added`), which the path prints unescaped.
    error.contains(&format!("`{field}`"))
        || error
            .split(':')
            .next()
            .is_some_and(|path| format!(".{path}.").contains(&format!(".{field}.")))
}

/// Equality up to the documented normalizations.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                return x == y;
            }
            if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                return x == y;
            }
            x.as_f64() == y.as_f64()
        }
        (Value::String(x), Value::String(y)) => {
            x == y
                || (is_decimal(x)
                    && is_decimal(y)
                    && x.trim_start_matches('0') == y.trim_start_matches('0'))
                || match (
                    chrono::DateTime::parse_from_rfc3339(x),
                    chrono::DateTime::parse_from_rfc3339(y),
                ) {
                    (Ok(x), Ok(y)) => x == y && x.offset() == y.offset(),
                    _ => false,
                }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Where two values first differ (a JSON pointer), and how.
fn first_difference(at: &str, a: &Value, b: &Value) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if !same(v, w) => return first_difference(&format!("{at}/{k}"), v, w),
                    None => return format!("at {at}/{k}: left out of the output"),
                    _ => {}
                }
            }
            for (k, w) in y {
                if !x.contains_key(k) {
                    return format!(
                        "at {at}/{k}: added by the output: {}",
                        clip(&w.to_string(), 200)
                    );
                }
            }
            format!("at {at}: differs")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if !same(v, w) {
                    return first_difference(&format!("{at}/{i}"), v, w);
                }
            }
            format!("at {at}: differs")
        }
        _ => format!(
            "at {at}: sent {} got back {}",
            clip(&a.to_string(), 200),
            clip(&b.to_string(), 200)
        ),
    }
}

/// An unsigned decimal integer written as a string (IDs, flags).
fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn print_table(reports: &[Report]) {
    let head = [
        "spec",
        "components",
        "passed",
        "unchecked",
        "samples",
        "passed",
        "failed",
        "skipped",
        "invalid",
        "inv.failed",
        "build s",
        "total s",
    ];
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                if r.error.is_some() {
                    format!("{} (ERROR)", r.label)
                } else {
                    r.label.clone()
                },
                r.components.to_string(),
                r.components_passed.to_string(),
                r.components_unchecked.to_string(),
                r.samples.to_string(),
                r.passed.to_string(),
                r.failed.to_string(),
                r.skipped.to_string(),
                r.invalid_checked.to_string(),
                r.invalid_failed.to_string(),
                format!("{:.1}", r.build_time.as_secs_f64()),
                format!("{:.1}", r.time.as_secs_f64()),
            ]
        })
        .collect();
    let sum = |f: fn(&Report) -> usize| reports.iter().map(f).sum::<usize>().to_string();
    let total = vec![
        "TOTAL".to_string(),
        sum(|r| r.components),
        sum(|r| r.components_passed),
        sum(|r| r.components_unchecked),
        sum(|r| r.samples),
        sum(|r| r.passed),
        sum(|r| r.failed),
        sum(|r| r.skipped),
        sum(|r| r.invalid_checked),
        sum(|r| r.invalid_failed),
        String::new(),
        format!(
            "{:.1}",
            reports.iter().map(|r| r.time.as_secs_f64()).sum::<f64>()
        ),
    ];
    let all: Vec<&Vec<String>> = rows.iter().chain(std::iter::once(&total)).collect();
    let widths: Vec<usize> = (0..head.len())
        .map(|i| {
            all.iter()
                .map(|r| r[i].len())
                .chain([head[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let text: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect();
        println!("{}", text.join("  "));
    };
    println!();
    line(head.to_vec());
    for r in &all {
        line(r.iter().map(String::as_str).collect());
    }
    let (c, cp) = (
        reports.iter().map(|r| r.components).sum::<usize>(),
        reports.iter().map(|r| r.components_passed).sum::<usize>(),
    );
    let (s, sp) = (
        reports
            .iter()
            .map(|r| r.samples - r.skipped.min(r.samples))
            .sum::<usize>(),
        reports.iter().map(|r| r.passed).sum::<usize>(),
    );
    println!(
        "components passed: {cp} of {c} ({:.2} %); valid samples passed: {sp} of {s} ({:.2} %)",
        pct(cp, c),
        pct(sp, s)
    );
    for r in reports {
        for (reason, (n, first)) in &r.skip_reasons {
            println!("  skipped in {}: {n} x {reason} (first: {first})", r.label);
        }
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizations_are_only_the_documented_ones() {
        assert!(same(&json!({"a": 5}), &json!({"a": 5.0})));
        assert!(same(
            &json!("2025-12-01T10:00:00Z"),
            &json!("2025-12-01T10:00:00+00:00")
        ));
        assert!(!same(
            &json!("2025-12-01T10:00:00Z"),
            &json!("2025-12-01T12:00:00+02:00")
        ));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": null})));
        assert!(!same(&json!([1, 2]), &json!([2, 1])));
        assert!(!same(&json!(i64::MAX), &json!(i64::MAX - 1)));
        assert!(!same(&json!("1"), &json!(1)));
    }

    #[test]
    fn the_judge_fails_lost_data_wrong_output_and_accepted_invalid_instances() {
        let doc = json!({"openapi": "3.0.3", "components": {"schemas": {"A": {
            "type": "object", "required": ["id", "note"], "properties": {
                "id": {"type": "integer"},
                "note": {"type": "string", "nullable": true},
                "kind": {"type": "string", "enum": ["x", "y"]},
                "on": {"type": "boolean", "enum": [true]}}}}}});
        let v = Validator::new(&doc).unwrap();
        let p = "/components/schemas/A";
        let valid = |value: Value| Case {
            pointer: p.into(),
            value,
            invalid: None,
        };
        let invalid = |value: Value, field: &str| Case {
            pointer: p.into(),
            value,
            invalid: Some(field.into()),
        };
        let input = json!({"id": 1, "note": null, "kind": "x"});
        assert!(judge(&v, &valid(input.clone()), &json!({"ok": input})).is_ok());
        // Lost data, output off-schema, a decode error, a panic: failures.
        let lost = json!({"ok": {"id": 1, "note": null}});
        assert!(judge(&v, &valid(input.clone()), &lost).is_err());
        let off = json!({"ok": {"id": "1", "note": null, "kind": "x"}});
        assert!(judge(&v, &valid(input.clone()), &off).is_err());
        assert!(judge(&v, &valid(input.clone()), &json!({"err": "id: bad"})).is_err());
        assert!(judge(&v, &valid(input), &json!({"panic": "boom"})).is_err());
        // Invalid: the error must name the property.
        let wrong = json!({"id": "x", "note": null});
        assert!(judge(
            &v,
            &invalid(wrong.clone(), "id"),
            &json!({"err": "id: invalid type"})
        )
        .is_ok());
        assert!(judge(
            &v,
            &invalid(wrong.clone(), "id"),
            &json!({"err": "invalid type"})
        )
        .is_err());
        assert!(judge(&v, &invalid(wrong.clone(), "id"), &json!({"ok": wrong})).is_err());
        // Documented leniencies: an open enum keeps an unknown value unchanged; a missing
        // required nullable property comes back as null. A closed boolean enum must reject.
        let unknown = json!({"id": 1, "note": null, "kind": "z"});
        assert!(judge(
            &v,
            &invalid(unknown.clone(), "kind"),
            &json!({"ok": unknown})
        )
        .is_ok());
        let changed = json!({"ok": {"id": 1, "note": null}});
        assert!(judge(&v, &invalid(unknown, "kind"), &changed).is_err());
        let missing = json!({"id": 1});
        let filled = json!({"ok": {"id": 1, "note": null}});
        assert!(judge(&v, &invalid(missing.clone(), "note"), &filled).is_ok());
        assert!(judge(&v, &invalid(missing.clone(), "id"), &json!({"ok": missing})).is_err());
        let off = json!({"id": 1, "note": null, "on": false});
        assert!(judge(&v, &invalid(off.clone(), "on"), &json!({"ok": off})).is_err());
    }

    #[test]
    fn an_error_names_a_field_by_path_or_message() {
        assert!(names(
            "a.b.count: invalid type: string, expected i64",
            "count"
        ));
        assert!(names(".: missing field `id`", "id"));
        assert!(!names(".: missing field `id`", "name"));
        assert!(!names("invalid type: string", "count"));
        // A name with a dot, at the end or inside the path; a partial segment is no match.
        assert!(names("user.added: invalid type: integer", "user.added"));
        assert!(names(
            "user.added.data: invalid type: integer",
            "user.added"
        ));
        assert!(!names("user.added_by: invalid type: integer", "user.added"));
        assert!(!names("a.count2: invalid type: string", "count"));
    }
}
