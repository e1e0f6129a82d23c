//! `cargo xtask conformance [--verbose] [SPEC…]`: the request-conformance gate.
//!
//! For every spec (default: every one under `../shared/specs`, without `history/`):
//! 1. generate its crate into `target/gate/<stem>/crate` (shared with the round-trip gate) and
//!    a driver at `target/gate/<stem>/conformance-driver`, built with
//!    `CARGO_TARGET_DIR=target/gate/target`: it reads `{"operation_id", "args"}` lines and calls
//!    each operation through the generated client (`conformance::call`, printed from the same
//!    function that decides the method's signature), printing one outcome line per call;
//! 2. start Prism once (`prism mock -d`: validates every request, answers with random
//!    schema-valid data), from the pinned install in `tests/prism`;
//! 3. call every operation twice: with its required arguments only, and with every optional
//!    parameter and the body's optional properties too; arguments are schema-valid samples
//!    (`samples.rs`) of the ORIGINAL document's schemas;
//! 4. count request violations (`sl-violations`, or an error Prism makes up itself), response
//!    decode errors (a body the response type rejects although it is valid against the spec's
//!    schema; a body Prism made up that is NOT valid is counted apart as a mock defect), and
//!    what was not exercised, with the reason;
//! 5. send one canary per spec: a request the schema forbids but the Rust types let through
//!    (an out-of-enum value, a bound broken): Prism must report it, so the gate provably fails.
//!
//! Exits non-zero on any violation, decode error, transport failure or undetected canary that
//! is not listed in `tests/conformance/known-spec-defects.json` (each entry: spec, JSON pointer
//! of the operation, why).

use crate::gate::{self, gate_dir, stem, write_if_changed};
use crate::root;
use crate::samples::Samples;
use crate::validate::Validator;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

/// How long Prism may take to load a document and listen (Stripe's takes the longest).
const PRISM_START_TIMEOUT: Duration = Duration::from_secs(300);

/// How long one call may take. Prism validates a request in milliseconds, but making up a
/// large response with `-d` can take minutes (or not end); such a call is counted as Prism's.
/// Answered calls took under 2 s, Prism's slowest made-up failures 15 s (Xero, at load 5–10);
/// every call past this costs a Prism restart too.
const CALL_TIMEOUT_SECS: u64 = 30;

/// json-schema-faker's seed for Prism's made-up responses.
const PRISM_SEED: &str = "conformance";

/// The known spec defects: failures the spec causes, not the SDK.
const KNOWN_DEFECTS: &str = "tests/conformance/known-spec-defects.json";

struct Args {
    verbose: bool,
    /// Specs run at a time (`--jobs N`, default 2): one builds its crate while another's
    /// calls wait on Prism, which is single-threaded. Builds still take turns (one cargo lock).
    jobs: usize,
    specs: Vec<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        verbose: false,
        jobs: 2,
        specs: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--verbose" => a.verbose = true,
            "--jobs" => {
                a.jobs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--jobs needs a number of specs to run at a time (1 or more)")?;
            }
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

/// One entry of the known-defects list.
struct KnownDefect {
    /// The spec's path relative to `../shared/specs` (`corpus/stripe.yaml`).
    spec: String,
    /// JSON pointer of the operation (or of its path item: every operation under it).
    pointer: String,
    used: std::sync::atomic::AtomicBool,
}

fn load_known() -> Result<Vec<KnownDefect>, String> {
    let path = root().join(KNOWN_DEFECTS);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let list: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, e) in list.as_array().into_iter().flatten().enumerate() {
        let field = |k: &str| {
            e.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("{}: entry {i} needs a non-empty `{k}`", path.display()))
        };
        field("why")?;
        out.push(KnownDefect {
            spec: field("spec")?,
            pointer: field("pointer")?,
            used: std::sync::atomic::AtomicBool::new(false),
        });
    }
    Ok(out)
}

/// The spec's name in reports and in the known-defects list: relative to `../shared/specs`.
fn label(spec: &Path) -> String {
    let shared = gate::shared_specs();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    canon(spec)
        .strip_prefix(canon(&shared))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| spec.display().to_string())
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut a = parse_args(args)?;
    if a.specs.is_empty() {
        let shared = gate::shared_specs();
        if !shared.is_dir() {
            return Err(format!(
                "{} is missing: the conformance gate has no specs to run on",
                shared.display()
            ));
        }
        gate::collect_specs(&shared, &mut a.specs);
    }
    let prism = root().join("tests/prism/node_modules/.bin/prism");
    if !prism.exists() {
        return Err(format!(
            "{} is missing: run tests/prism/install.sh",
            prism.display()
        ));
    }
    let known = load_known()?;
    let total = Instant::now();
    // The biggest documents first (their crates build longest): the others' calls then run
    // beside their builds, not after them. Reports keep the order given.
    let mut order: Vec<usize> = (0..a.specs.len()).collect();
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    order.sort_by_key(|&i| std::cmp::Reverse(size(&a.specs[i])));
    let queue = std::sync::Mutex::new(order.into_iter());
    let done = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..a.jobs.min(a.specs.len()) {
            scope.spawn(|| loop {
                let Some(i) = queue.lock().unwrap().next() else {
                    return;
                };
                let report = run_one(&prism, &a.specs[i], &known, a.verbose);
                done.lock().unwrap().push((i, report));
            });
        }
    });
    let mut reports = done.into_inner().unwrap();
    reports.sort_by_key(|(i, _)| *i);
    let reports: Vec<Report> = reports.into_iter().map(|(_, r)| r).collect();
    print_table(&reports, total.elapsed().as_secs_f64());
    for k in known.iter().filter(|k| !k.used.load(Relaxed)) {
        // Only specs that ran can vouch for an entry.
        if reports
            .iter()
            .any(|r| r.spec == k.spec && r.fatal.is_none())
        {
            println!(
                "note: known defect {}#{} did not occur (remove it from {KNOWN_DEFECTS} if fixed)",
                k.spec, k.pointer
            );
        }
    }
    let failed: usize = reports.iter().map(Report::failures).sum();
    let canaries = reports
        .iter()
        .filter(|r| r.canary == Canary::Caught)
        .count();
    if failed > 0 {
        return Err(format!("{failed} conformance failure(s); see above"));
    }
    if canaries == 0 {
        return Err("no canary was caught: this run could not have failed".into());
    }
    Ok(())
}

/// One spec through the gate, its row printed as soon as it is done (a long run can be read
/// while it goes).
fn run_one(prism: &Path, spec: &Path, known: &[KnownDefect], verbose: bool) -> Report {
    let started = Instant::now();
    let mut report = Report {
        spec: label(spec),
        ..Report::default()
    };
    eprintln!("==> {}", report.spec);
    if let Err(e) = run_spec(prism, spec, known, verbose, &mut report) {
        report.fatal = Some(e);
    }
    report.seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "<== {} in {:.1} s{}",
        report.spec,
        report.seconds,
        report
            .fatal
            .as_ref()
            .map(|e| format!(": FAILED: {e}"))
            .unwrap_or_default()
    );
    print_table(std::slice::from_ref(&report), report.seconds);
    report
}

#[derive(Default, PartialEq, Eq, Clone, Debug)]
enum Canary {
    /// Prism reported the deliberately invalid request.
    Caught,
    /// It reached Prism and went unreported: the gate is blind.
    Missed(String),
    /// No candidate reached Prism (the reason).
    #[default]
    None,
}

#[derive(Default)]
struct Report {
    spec: String,
    operations: usize,
    /// Operations in the spec that the generator did not generate.
    not_generated: usize,
    calls: usize,
    /// Operations with at least one call that reached the server.
    exercised: usize,
    violations: usize,
    decode_errors: usize,
    /// Transport failures and unexpected statuses.
    other_errors: usize,
    /// Failures in the known-defects list.
    known: usize,
    /// Calls whose failure is Prism's: a response body it made up that its own schema rejects,
    /// or a request it misreads (form arrays without an `encoding` entry, stoplightio/prism#2473).
    mock_defects: usize,
    /// Calls not made (a media type the gate cannot write), by reason.
    skipped_calls: BTreeMap<String, usize>,
    /// Operations not exercised, by reason.
    unsupported: BTreeMap<String, usize>,
    canary: Canary,
    fatal: Option<String>,
    seconds: f64,
}

impl Report {
    fn failures(&self) -> usize {
        self.violations
            + self.decode_errors
            + self.other_errors
            + usize::from(self.fatal.is_some())
            + usize::from(matches!(self.canary, Canary::Missed(_)))
    }
    fn unsupported_total(&self) -> usize {
        self.unsupported.values().sum()
    }
}

/// A running `prism mock -d`, killed when dropped.
struct Prism {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Prism {
    fn spawn(bin: &Path, spec: &Path, log: PathBuf) -> Result<Prism, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free local port: {e}"))?;
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let out = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let child = Self::start(bin, spec, port, out)?;
        Ok(Prism { child, port, log })
    }

    fn start(bin: &Path, spec: &Path, port: u16, out: File) -> Result<Child, String> {
        let err = out.try_clone().map_err(|e| e.to_string())?;
        Command::new(bin)
            // Seeded: the same request gets the same made-up response in every run, so a
            // run's figures (which responses Prism fails on) can be reproduced.
            .args(["mock", "-d", "--seed", PRISM_SEED, "-h", "127.0.0.1"])
            .args(["-p", &port.to_string()])
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))
    }

    /// Starts Prism afresh on the same port. Making up a response for a deep schema can keep
    /// its (single) event loop busy for good, growing by gigabytes (Xero's `GET /CreditNotes`:
    /// 3.4 GB after five minutes), and then it takes no further request: every later call
    /// would wait out its timeout.
    fn restart(&mut self, bin: &Path, spec: &Path) -> Result<(), String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let out = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("{}: {e}", self.log.display()))?;
        self.child = Self::start(bin, spec, self.port, out)?;
        self.wait_ready()
    }

    /// Whether the Prism process has ended.
    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Polls the port until Prism accepts connections.
    fn wait_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "prism exited ({status}) before listening:\n{}",
                    self.log_tail()
                ));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(250)).is_ok() {
                return Ok(());
            }
            if started.elapsed() > PRISM_START_TIMEOUT {
                return Err(format!(
                    "prism did not listen within {PRISM_START_TIMEOUT:?}:\n{}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes the driver crate; returns its folder and package name.
fn write_driver(spec: &Path, crate_name: &str) -> Result<(PathBuf, String), String> {
    let dir = gate_dir(spec).join("conformance-driver");
    let package = format!("conformance-driver-{}", stem(spec));
    let lib = crate_name.replace('-', "_");
    let manifest = format!(
        "# Written by `cargo xtask conformance`.\n[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{crate_name} = {{ path = \"../crate\", features = [\"test-registry\"] }}\nserde_json = \"1\"\ntokio = {{ version = \"1\", features = [\"rt\", \"macros\", \"time\"] }}\n\n[workspace]\n"
    );
    let main = format!(
        r#"//! Written by `cargo xtask conformance`: `--list` prints the operations (one JSON line
//! each); `BASE_URL` reads `{{"operation_id", "args"}}` lines and calls each operation against
//! the server at `BASE_URL`, printing one outcome line per call.
use std::io::{{BufRead, Write}};

use {lib}::conformance;

#[tokio::main(flavor = "current_thread")]
async fn main() {{
    let base = std::env::args().nth(1).expect("a base URL or --list");
    let mut out = std::io::stdout().lock();
    if base == "--list" {{
        for op in conformance::OPERATIONS {{
            let line = serde_json::json!({{
                "id": op.id,
                "pointer": op.pointer,
                "body_media_types": op.body_media_types,
            }});
            writeln!(out, "{{line}}").expect("stdout");
        }}
        return;
    }}
    let client = conformance::client(&base).expect("a client");
    for line in std::io::stdin().lock().lines() {{
        let line = line.expect("stdin");
        let request: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        let id = request["operation_id"].as_str().unwrap_or_default();
        let call = conformance::call(&client, id, request["args"].clone());
        let reply = match tokio::time::timeout(std::time::Duration::from_secs({CALL_TIMEOUT_SECS}), call).await {{
            Ok(Some(outcome)) => outcome.to_json(),
            Ok(None) => serde_json::json!({{"outcome": "unknown operation"}}),
            Err(_) => serde_json::json!({{"outcome": "timeout", "status": null, "violations": []}}),
        }};
        writeln!(out, "{{reply}}").expect("stdout");
        out.flush().expect("stdout");
    }}
}}
"#
    );
    write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
    write_if_changed(&dir.join("src/main.rs"), &main)?;
    Ok((dir, package))
}

fn run_spec(
    prism_bin: &Path,
    spec: &Path,
    known: &[KnownDefect],
    verbose: bool,
    report: &mut Report,
) -> Result<(), String> {
    let doc = codegen::load::load_file(spec)
        .map_err(|e| e.to_string())?
        .root;
    // Lines of specs run at a time interleave: each names its spec.
    let who = report.spec.clone();
    // Prism loads big documents slowly: it starts while the driver builds.
    let prism_spec = prism_input(spec, &doc)?;
    let mut prism = Prism::spawn(prism_bin, &prism_spec, gate_dir(spec).join("prism.log"))?;
    let t = Instant::now();
    let (crate_name, not_generated) = gate::generate_crate(spec)?;
    report.not_generated = not_generated;
    let (dir, package) = write_driver(spec, &crate_name)?;
    let driver = gate::build_driver(&dir, &package)?;
    eprintln!(
        "    {who}: generated and built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let listed = Command::new(&driver)
        .arg("--list")
        .output()
        .map_err(|e| format!("{}: {e}", driver.display()))?;
    let ops: Vec<Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    report.operations = ops.len() + not_generated;
    if not_generated > 0 {
        report
            .unsupported
            .insert("not generated".into(), not_generated);
    }

    let samples = Samples::new(&doc);
    let validator = Validator::new(&doc)?;
    let mut calls: Vec<Call> = Vec::new();
    for op in &ops {
        let id = op["id"].as_str().unwrap_or_default().to_string();
        let pointer = op["pointer"].as_str().unwrap_or_default().to_string();
        let media = media_types(op);
        match plan(&doc, &samples, &validator, &pointer, &media) {
            Ok(variants) => {
                for (variant, args) in variants {
                    if let Some(media) = variant.strip_prefix("skip: ") {
                        *report
                            .skipped_calls
                            .entry(format!("{media} body: the gate writes no XML"))
                            .or_default() += 1;
                        continue;
                    }
                    calls.push(Call {
                        id: id.clone(),
                        pointer: pointer.clone(),
                        variant,
                        args,
                    });
                }
            }
            Err(reason) => {
                let class = reason.split(" (").next().unwrap_or(&reason).to_string();
                *report.unsupported.entry(class).or_default() += 1;
                if verbose {
                    eprintln!("    {who}: unsupported: {id} ({pointer}): {reason}");
                }
            }
        }
    }
    let t = Instant::now();
    prism.wait_ready()?;
    eprintln!(
        "    {who}: prism listening (waited {:.1} s more)",
        t.elapsed().as_secs_f64()
    );
    let base = format!("http://127.0.0.1:{}", prism.port);
    let t = Instant::now();
    let (outcomes, restarts) =
        drive_restarting(&mut prism, prism_bin, &prism_spec, &driver, &calls)?;
    eprintln!(
        "    {who}: {} calls in {:.1} s{}",
        calls.len(),
        t.elapsed().as_secs_f64(),
        if restarts > 0 {
            format!(" (prism restarted {restarts} time(s) after a call it did not answer)")
        } else {
            String::new()
        }
    );
    report.calls = calls.len();

    // Judge each call; an operation is exercised when a call of it reached the server.
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    let mut not_reached: BTreeMap<&str, String> = BTreeMap::new();
    for (call, outcome) in calls.iter().zip(&outcomes) {
        let verdict = judge(&doc, &validator, call, outcome);
        if outcome["status"].is_u64() {
            reached.insert(&call.id);
        } else {
            let reason = match &verdict {
                Verdict::Unsupported(reason) => reason.clone(),
                Verdict::MockDefect(_) => "prism: no answer in time".to_string(),
                _ => "no response".to_string(),
            };
            not_reached.insert(&call.id, reason);
        }
        let (kind, message) = match verdict {
            Verdict::Ok | Verdict::Unsupported(_) => continue,
            Verdict::MockDefect(m) => {
                report.mock_defects += 1;
                if verbose {
                    eprintln!("    {who}: mock: {} [{}]: {m}", call.id, call.variant);
                }
                continue;
            }
            Verdict::Violation(m) => ("violation", m),
            Verdict::Decode(m) => ("decode error", m),
            Verdict::Other(m) => ("error", m),
        };
        let listed = known.iter().find(|k| {
            k.spec == report.spec
                && (call.pointer == k.pointer
                    || call.pointer.starts_with(&format!("{}/", k.pointer)))
        });
        if let Some(k) = listed {
            k.used.store(true, Relaxed);
            report.known += 1;
            continue;
        }
        match kind {
            "violation" => report.violations += 1,
            "decode error" => report.decode_errors += 1,
            _ => report.other_errors += 1,
        }
        println!(
            "FAIL {} {} [{}] {kind}: {}\n     args: {}",
            report.spec,
            call.id,
            call.variant,
            clip(&message, 1200),
            clip(&call.args.to_string(), 600)
        );
        println!("     at #{}", call.pointer);
    }
    for (id, reason) in not_reached {
        if reached.contains(id) {
            continue;
        }
        let reason = reason_kind(&reason);
        *report.unsupported.entry(reason).or_default() += 1;
    }
    report.exercised = reached.len();

    report.canary = canary(&doc, &samples, &validator, &ops, &driver, &base)?;
    match &report.canary {
        Canary::Caught => {}
        Canary::Missed(m) => println!("FAIL {} canary went unreported: {m}", report.spec),
        Canary::None => println!("note: {}: no canary reached the server", report.spec),
    }
    Ok(())
}

/// The document Prism loads: the spec itself, or, when a vendor extension (`x-…`) holds a
/// reference to another file that does not resolve (Spotify's `x-spotify-policy` points at a
/// `../policies.yaml` its publisher did not ship), a copy without those extensions, written
/// beside the gate's crate. Prism resolves every `$ref`, extensions included, and refuses to
/// start on one it cannot open; extensions carry no schema a request or response is checked
/// against, so the copy validates exactly what the spec does.
fn prism_input(spec: &Path, doc: &Value) -> Result<PathBuf, String> {
    let mut copy = doc.clone();
    let dropped = drop_unresolvable_extensions(&mut copy);
    cap_made_up_arrays(&mut copy);
    let collapsed = collapse_expandable_references(&mut copy);
    if collapsed > 0 {
        eprintln!(
            "    {}: prism reads expandable fields as their ID only ({collapsed} `x-expansionResources` unions)",
            label(spec)
        );
    }
    let path = gate_dir(spec).join("prism-input.json");
    let text = serde_json::to_string(&copy).map_err(|e| e.to_string())?;
    write_if_changed(&path, &text)?;
    if dropped {
        eprintln!(
            "    {}: prism reads {} (extensions with references to missing files left out)",
            label(spec),
            path.display()
        );
    }
    Ok(path)
}

/// Keeps only the ID branch of Stripe's expandable fields (`anyOf: [{type: string}, {$ref:
/// customer}]` marked `x-expansionResources`); how many it changed. Those references make
/// nearly every response object reach every other (one operation reaches 513 of 819 schemas,
/// 92 of them recursive), and Prism 5.16 never starts on such a graph: 33 minutes at
/// `Starting Prism…` on the whole of Stripe's spec, against 25 s with them collapsed. The
/// unions sit only on response objects (Stripe's request bodies and parameters reach no
/// component), so requests are validated exactly as the spec says; Prism's responses send the
/// ID, one of the shapes the spec allows (the expanded objects are the round-trip gate's). The
/// extension goes too: Prism dereferences extensions, and its references are the same cycles.
fn collapse_expandable_references(doc: &mut Value) -> usize {
    match doc {
        Value::Object(o) => {
            let mut n = 0;
            if o.contains_key("x-expansionResources") {
                if let Some(Value::Array(branches)) = o.get_mut("anyOf") {
                    let ids: Vec<Value> = branches
                        .iter()
                        .filter(|b| b.get("$ref").is_none())
                        .cloned()
                        .collect();
                    if !ids.is_empty() && ids.len() < branches.len() {
                        *branches = ids;
                        n += 1;
                    }
                }
                // Its own references would bring the cycles back (Prism dereferences
                // extensions too).
                o.remove("x-expansionResources");
            }
            n + o
                .values_mut()
                .map(collapse_expandable_references)
                .sum::<usize>()
        }
        Value::Array(a) => a.iter_mut().map(collapse_expandable_references).sum(),
        _ => 0,
    }
}

/// How many items Prism puts in an array it makes up (json-schema-faker's `maxItems`).
const MADE_UP_MAX_ITEMS: u64 = 2;

/// Caps the arrays of Prism's made-up responses. Prism (`-d`) fills every optional property and
/// gives an array as many items as its `maxItems` allows (up to 5 without one), three `$ref`
/// levels deep: Xero's deep models took it 15–70 s per response, one never ended. Two items
/// exercise an item schema as well as twenty. Prism reads json-schema-faker options from the
/// document's root `x-json-schema-faker`; options the spec sets itself are kept.
fn cap_made_up_arrays(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let options = root
        .entry("x-json-schema-faker")
        .or_insert_with(|| json!({}));
    if let Some(o) = options.as_object_mut() {
        o.entry("maxItems").or_insert(json!(MADE_UP_MAX_ITEMS));
    }
}

/// Removes every `x-…` member whose value holds a `$ref` that does not resolve: to another
/// file (the loader has already inlined the ones that resolve), or into a part removed before
/// (Spotify's operations point into `#/components/x-spotify-policy`); whether any was removed.
fn drop_unresolvable_extensions(doc: &mut Value) -> bool {
    fn dangling(root: &Value, v: &Value) -> bool {
        match v {
            Value::Object(o) => o.iter().any(|(k, v)| {
                let broken = k == "$ref"
                    && v.as_str()
                        .is_some_and(|r| codegen::load::resolve(root, r).is_none());
                broken || dangling(root, v)
            }),
            Value::Array(a) => a.iter().any(|v| dangling(root, v)),
            _ => false,
        }
    }
    /// Pointers of the `x-…` members under `v` (at `at`) with a dangling reference.
    fn find(root: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, v) in o {
                    let p = format!("{at}/{}", token(k));
                    if k.starts_with("x-") && dangling(root, v) {
                        out.push(p);
                    } else {
                        find(root, v, &p, out);
                    }
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    find(root, v, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut changed = false;
    // Each round may leave references into what it removed dangling: until none is left.
    loop {
        let mut found = Vec::new();
        find(doc, doc, "", &mut found);
        if found.is_empty() {
            return changed;
        }
        for p in found {
            let (parent, key) = p.rsplit_once('/').unwrap_or(("", &p));
            let key = key.replace("~1", "/").replace("~0", "~");
            if let Some(o) = doc.pointer_mut(parent).and_then(Value::as_object_mut) {
                changed |= o.remove(&key).is_some();
            }
        }
    }
}

/// The body media types of a listed operation, preferred first.
fn media_types(op: &Value) -> Vec<String> {
    op["body_media_types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// One call to make.
struct Call {
    id: String,
    pointer: String,
    /// `required`, `full`, or `full, <media type>` for the other media types of a body.
    variant: String,
    args: Value,
}

/// A parameter of an operation in the document.
struct DocParam {
    name: String,
    location: String,
    required: bool,
    /// Its `style`, when it says one.
    style: Option<String>,
    /// Pointer of its schema, if it has one.
    schema: Option<String>,
}

/// Follows `$ref`s from the node at `pointer`; returns the pointer of the node reached.
fn resolve(doc: &Value, pointer: &str) -> Option<String> {
    let mut p = pointer.to_string();
    for _ in 0..16 {
        let node = doc.pointer(&p)?;
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => p = codegen::load::ref_pointer(r)?,
            None => return Some(p),
        }
    }
    None
}

/// Escapes a JSON pointer token.
fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The parameters of the operation at `op_ptr`: its path item's, overridden by its own.
fn doc_params(doc: &Value, op_ptr: &str) -> Vec<DocParam> {
    let item_ptr = &op_ptr[..op_ptr.rfind('/').unwrap_or(0)];
    let mut out: Vec<DocParam> = Vec::new();
    for base in [item_ptr, op_ptr] {
        let list = format!("{base}/parameters");
        let n = doc
            .pointer(&list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        for i in 0..n {
            let Some(p) = resolve(doc, &format!("{list}/{i}")) else {
                continue;
            };
            let node = &doc.pointer(&p).cloned().unwrap_or_default();
            let name = node["name"].as_str().unwrap_or_default().to_string();
            let location = node["in"].as_str().unwrap_or_default().to_string();
            let schema = if node.get("schema").is_some() {
                Some(format!("{p}/schema"))
            } else {
                node.get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.keys().next())
                    .map(|m| format!("{p}/content/{}/schema", token(m)))
                    .filter(|s| doc.pointer(s).is_some())
            };
            let param = DocParam {
                required: node["required"].as_bool() == Some(true) || location == "path",
                style: node["style"].as_str().map(str::to_string),
                name,
                location,
                schema,
            };
            out.retain(|q| !(q.name == param.name && q.location == param.location));
            out.push(param);
        }
    }
    out
}

/// The sample for the `required` variant (`k == 1`: required properties only) and the `full`
/// one (`k == 0`: every optional property) of the schema at `pointer`.
///
/// Integers beyond 2^53-1 are brought within it when the schema still allows the result:
/// Prism reads numbers as JavaScript doubles and rejects larger ones (`must be <=
/// 9007199254740991`) although the schema allows them.
fn two_samples(
    samples: &Samples,
    validator: &Validator,
    pointer: &str,
) -> Result<(Value, Value), String> {
    // A sample the validator rejects is a defect of samples.rs (the round-trip gate counts
    // them); it must not pass for a request the SDK got wrong. Later instances stand in.
    let mut rejected = None;
    let found: Vec<Value> = samples
        .valid(pointer, 4)
        .into_iter()
        .filter(|v| match validator.check(pointer, v) {
            Ok(()) => true,
            Err(e) => {
                rejected.get_or_insert_with(|| format!("{}: {e}", clip(&v.to_string(), 200)));
                false
            }
        })
        .collect();
    let safe = |v: &Value| {
        let mut s = v.clone();
        js_safe(&mut s);
        if validator.check(pointer, &s).is_ok() {
            s
        } else {
            v.clone()
        }
    };
    let Some(first) = found.first() else {
        return Err(format!(
            "#{pointer}: {}",
            rejected.unwrap_or_else(|| "no instance".into())
        ));
    };
    let full = safe(first);
    let minimal = found.get(1).map(safe).unwrap_or_else(|| full.clone());
    Ok((minimal, full))
}

/// Clamps every integer of `v` into JavaScript's safe range.
fn js_safe(v: &mut Value) {
    const MAX: i64 = (1 << 53) - 1;
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if !(-MAX..=MAX).contains(&i) {
                    *v = json!(i.clamp(-MAX, MAX));
                }
            } else if n.as_u64().is_some() {
                *v = json!(MAX);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(js_safe),
        Value::Object(map) => map.values_mut().for_each(js_safe),
        _ => {}
    }
}

/// The argument sets of an operation: `required` and, when it differs, `full`; or why none.
fn plan(
    doc: &Value,
    samples: &Samples,
    validator: &Validator,
    op_ptr: &str,
    media: &[String],
) -> Result<Vec<(String, Value)>, String> {
    let mut required = Map::new();
    let mut full = Map::new();
    for p in doc_params(doc, op_ptr) {
        if p.location == "header"
            && ["accept", "content-type", "authorization"]
                .contains(&p.name.to_ascii_lowercase().as_str())
        {
            // OpenAPI ignores these as parameters.
            continue;
        }
        let Some(schema) = &p.schema else {
            if p.required {
                return Err("a required parameter without a schema".into());
            }
            continue;
        };
        let (minimal, rich) = match two_samples(samples, validator, schema) {
            Ok(pair) => pair,
            Err(why) if p.required => {
                return Err(format!("no valid sample for a required parameter ({why})"))
            }
            Err(_) => continue,
        };
        // An empty array or object is valid for the schema but has no spelling in a query,
        // header or cookie (exploded `form` writes no pair at all), so a required parameter
        // would be missing on the wire: take the richer sample for it.
        let minimal = if p.required && p.location != "path" && is_empty(&minimal) {
            rich.clone()
        } else {
            minimal
        };
        let put = |m: &mut Map<String, Value>, v: Value| {
            m.entry(p.location.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|o| o.insert(p.name.clone(), v))
        };
        if p.required {
            put(&mut required, minimal);
        }
        put(&mut full, rich);
    }
    let mut extra = Vec::new();
    if let Some((primary, others)) = media.split_first() {
        if is_xml(primary) {
            return Err("XML body: the gate writes no XML".into());
        }
        let body_ptr = resolve(doc, &format!("{op_ptr}/requestBody"))
            .ok_or("the request body does not resolve")?;
        let body_required = doc
            .pointer(&format!("{body_ptr}/required"))
            .and_then(Value::as_bool)
            == Some(true);
        let body = |media: &str| -> Result<(Value, Value), String> {
            let schema = format!("{body_ptr}/content/{}/schema", token(media));
            if doc.pointer(&schema).is_some() {
                let (mut minimal, mut rich) = two_samples(samples, validator, &schema)
                    .map_err(|why| format!("no valid sample for the body ({why})"))?;
                // Read-only properties are not part of a request (OpenAPI; Prism drops them
                // from request schemas, so with `additionalProperties: false` they are errors).
                // An empty object or array has no form or multipart encoding (exploded `form`
                // and `deepObject` write nothing for `{}` or `[]`, multipart no part), so a
                // required property holding one would be missing on the wire (Discord's
                // autocomplete callback `data`, all of whose properties are optional; Stripe's
                // `values: []`): another valid sample without one stands in, when there is one.
                if media.starts_with("application/x-www-form-urlencoded")
                    || media.starts_with("multipart/form-data")
                {
                    let other = || {
                        samples.valid(&schema, 8).into_iter().find(|v| {
                            !is_empty(v)
                                && !has_empty_property(v)
                                && validator.check(&schema, v).is_ok()
                        })
                    };
                    for sample in [&mut minimal, &mut rich] {
                        if has_empty_property(sample) {
                            if let Some(other) = other() {
                                *sample = other;
                            }
                        }
                    }
                }
                strip_read_only(doc, &schema, &mut minimal, 0);
                strip_read_only(doc, &schema, &mut rich, 0);
                Ok((minimal, rich))
            } else {
                // No schema: any content.
                Ok((json!("conformance"), json!("conformance")))
            }
        };
        let choose = |m: &mut Map<String, Value>, media: &str| {
            m.insert("body_media_type".into(), json!(media));
            if media.contains('*') {
                m.insert("content_type".into(), json!(concrete_media_type(media)));
            }
        };
        let (minimal, rich) = body(primary)?;
        if body_required {
            required.insert("body".into(), minimal);
            choose(&mut required, primary);
        }
        full.insert("body".into(), rich);
        choose(&mut full, primary);
        // Each other media type once, with every optional parameter.
        for other in others {
            if is_xml(other) {
                extra.push((format!("skip: {other}"), Value::Null));
                continue;
            }
            let mut args = full.clone();
            match body(other) {
                Ok((_, rich)) => {
                    args.insert("body".into(), rich);
                    choose(&mut args, other);
                    extra.push((format!("full, {other}"), Value::Object(args)));
                }
                Err(e) => return Err(format!("{e} ({other})")),
            }
        }
    }
    let (required, full) = (Value::Object(required), Value::Object(full));
    let mut out = vec![("required".to_string(), required.clone())];
    if required != full {
        out.push(("full".to_string(), full));
    }
    out.extend(extra);
    Ok(out)
}

/// Whether a property of the object `v` is an empty object or array (which exploded `form`,
/// `deepObject` and multipart write as nothing, so the property is missing on the wire).
fn has_empty_property(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.values().any(is_empty))
}

/// Whether `v` is an empty array or object.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Whether the gate cannot write a body of this media type: the SDK sends XML the caller
/// writes (raw bytes), and the gate has no XML writer.
fn is_xml(media: &str) -> bool {
    let m = media.split(';').next().unwrap_or(media).trim();
    m.ends_with("/xml") || m.ends_with("+xml")
}

/// Removes the properties the schema at `pointer` marks `readOnly` from `v`, at any depth.
fn strip_read_only(doc: &Value, pointer: &str, v: &mut Value, depth: usize) {
    if depth > 32 {
        return;
    }
    let Some(p) = resolve(doc, pointer) else {
        return;
    };
    let Some(schema) = doc.pointer(&p) else {
        return;
    };
    for k in ["allOf", "oneOf", "anyOf"] {
        let n = schema.get(k).and_then(Value::as_array).map_or(0, Vec::len);
        for i in 0..n {
            strip_read_only(doc, &format!("{p}/{k}/{i}"), v, depth + 1);
        }
    }
    match v {
        Value::Object(map) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for name in props.keys() {
                let prop = format!("{p}/properties/{}", token(name));
                let read_only = resolve(doc, &prop)
                    .and_then(|r| doc.pointer(&r))
                    .is_some_and(|s| s.get("readOnly") == Some(&Value::Bool(true)))
                    || doc.pointer(&format!("{prop}/readOnly")) == Some(&Value::Bool(true));
                if read_only {
                    map.remove(name);
                } else if let Some(inner) = map.get_mut(name) {
                    strip_read_only(doc, &prop, inner, depth + 1);
                }
            }
        }
        Value::Array(items) if schema.get("items").is_some() => {
            for item in items {
                strip_read_only(doc, &format!("{p}/items"), item, depth + 1);
            }
        }
        _ => {}
    }
}

/// A concrete media type inside a range: what a caller of a `*/*` or `image/*` body sends.
fn concrete_media_type(range: &str) -> String {
    let range = range.split(';').next().unwrap_or(range).trim();
    match range {
        "*/*" | "application/*" => "application/octet-stream".into(),
        "image/*" => "image/png".into(),
        "text/*" => "text/plain".into(),
        "audio/*" => "audio/wav".into(),
        "video/*" => "video/mp4".into(),
        other => format!("{}octet-stream", other.trim_end_matches('*')),
    }
}

/// [`drive`], restarting Prism after a call it did not answer in time or that found it dead
/// (see [`Prism::restart`]) and going on with the calls after it; returns the outcomes and how
/// many times Prism was restarted. The other calls of the operation that stuck are not made:
/// they would most likely stick again (the same response schema to make up), and each restart
/// reloads the whole document (4–5 minutes for Xero's at load 13); they are `abandoned`,
/// which the judge counts as Prism's failure.
fn drive_restarting(
    prism: &mut Prism,
    prism_bin: &Path,
    prism_spec: &Path,
    driver: &Path,
    calls: &[Call],
) -> Result<(Vec<Value>, usize), String> {
    let base = format!("http://127.0.0.1:{}", prism.port);
    let mut out = Vec::with_capacity(calls.len());
    let mut restarts = 0;
    while out.len() < calls.len() {
        let rest = &calls[out.len()..];
        let got = drive_until_stuck(driver, &base, rest)?;
        let last = got.last().cloned();
        out.extend(got);
        let Some(last) = last else { break };
        let why = if timed_out(&last) {
            "prism did not answer an earlier call of this operation in time"
        } else if last["outcome"] == "transport" && prism.exited() {
            "prism died on an earlier call of this operation"
        } else {
            continue;
        };
        let skipped = abandoned(&calls[out.len() - 1..], why);
        out.extend(skipped);
        // Also after the last call: the canary comes next.
        restarts += 1;
        prism.restart(prism_bin, prism_spec)?;
    }
    Ok((out, restarts))
}

/// The outcomes of the calls after `calls[0]` (the one that stuck) of the same operation,
/// which directly follow it: `abandoned`, with why.
fn abandoned(calls: &[Call], why: &str) -> Vec<Value> {
    let Some((stuck, rest)) = calls.split_first() else {
        return Vec::new();
    };
    rest.iter()
        .take_while(|c| c.id == stuck.id)
        .map(|_| {
            json!({
                "outcome": "abandoned",
                "message": format!("{why} ([{}]); not retried against a fresh prism", stuck.variant),
                "status": null,
                "violations": [],
            })
        })
        .collect()
}

/// Whether an outcome is a call Prism did not answer in time.
fn timed_out(o: &Value) -> bool {
    o["outcome"] == "timeout"
        || (o["outcome"] == "transport"
            && o["message"]
                .as_str()
                .is_some_and(|m| m.contains("timed out")))
}

/// Calls in order until one times out or fails to reach the server (its outcome is the last
/// one returned) or all are done.
fn drive_until_stuck(driver: &Path, base: &str, calls: &[Call]) -> Result<Vec<Value>, String> {
    run_driver(driver, base, calls, true)
}

/// Whether a call's outcome ends a run of [`drive_until_stuck`]: no answer in time, or no
/// connection (Prism may have died).
fn stuck(o: &Value) -> bool {
    timed_out(o) || o["outcome"] == "transport"
}

/// Every call in order; the driver must answer each.
fn drive(driver: &Path, base: &str, calls: &[Call]) -> Result<Vec<Value>, String> {
    run_driver(driver, base, calls, false)
}

/// Feeds `calls` to the driver, one JSON line each, and reads its outcomes; with
/// `stop_when_stuck`, the first call that times out or gets no connection ends the run (the
/// driver is killed).
fn run_driver(
    driver: &Path,
    base: &str,
    calls: &[Call],
    stop_when_stuck: bool,
) -> Result<Vec<Value>, String> {
    let mut child = Command::new(driver)
        .arg(base)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", driver.display()))?;
    let mut stdin = child.stdin.take().ok_or("driver stdin")?;
    let lines: Vec<String> = calls
        .iter()
        .map(|c| json!({"operation_id": c.id, "args": c.args}).to_string())
        .collect();
    // Written from another thread: the driver answers as it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || {
        for line in lines {
            if writeln!(stdin, "{line}").is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().ok_or("driver stdout")?;
    let mut out = Vec::with_capacity(calls.len());
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("driver output: {e}"))?;
        let outcome: Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| json!({"outcome": "garbled", "message": line}));
        let stop = stop_when_stuck && stuck(&outcome);
        out.push(outcome);
        if stop {
            // The driver may be mid-way through the next call: it is not waited for.
            let _ = child.kill();
            break;
        }
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| e.to_string())?;
    let stopped = stop_when_stuck && out.last().is_some_and(stuck);
    if out.len() != calls.len() && !stopped {
        let at = calls
            .get(out.len())
            .map(|c| format!(" (at {} [{}])", c.id, c.variant))
            .unwrap_or_default();
        return Err(format!(
            "the driver answered {} of {} calls and exited with {status}{at}",
            out.len(),
            calls.len()
        ));
    }
    Ok(out)
}

enum Verdict {
    Ok,
    Unsupported(String),
    Violation(String),
    Decode(String),
    /// Prism answered with a body its own document rejects.
    MockDefect(String),
    Other(String),
}

/// An error Prism made up itself (`application/problem+json` whose `type` is one of Prism's
/// error URLs): a request it could not route or accept.
fn prism_problem(raw: &str) -> Option<Value> {
    let body: Value = serde_json::from_str(raw).ok()?;
    body.get("type")?
        .as_str()?
        .starts_with("https://stoplight.io/prism/errors#")
        .then_some(body)
}

/// Whether a problem of Prism's is an exception thrown inside Prism while making up the
/// response rather than a verdict on the request: an HTTP 500 of type `#UNKNOWN` whose title is
/// a JavaScript `TypeError`, `RangeError` or `ReferenceError`, or json-schema-faker failing to
/// follow one of the references Prism's own dereferencing left into a response schema (`Prop not
/// found: paths (#/paths/…/responses/…)`). Prism rejects a request with problems of their own
/// types (`#UNPROCESSABLE_ENTITY`, `#NO_PATH_MATCHED_ERROR`, …). Seen on openai's `getEvalRuns`
/// (`Cannot read properties of undefined (reading 'items')` in json-schema-faker's
/// `shouldClean`) and Xero's `GET /BatchPayments`, each logged after `The request passed the
/// validation rules`.
fn prism_crashed(problem: &Value) -> bool {
    problem["type"] == "https://stoplight.io/prism/errors#UNKNOWN"
        && problem["status"] == 500
        && problem["title"].as_str().is_some_and(|t| {
            let t = t.strip_prefix("Error: ").unwrap_or(t);
            ["TypeError: ", "RangeError: ", "ReferenceError: "]
                .iter()
                .any(|class| t.starts_with(class))
                || (t.starts_with("Prop not found: ") && t.contains("/responses/"))
        })
}

fn judge(doc: &Value, validator: &Validator, call: &Call, outcome: &Value) -> Verdict {
    let (violations, of_response) = split_violations(&outcome["violations"]);
    let message = |key: &str| outcome[key].as_str().unwrap_or_default().to_string();
    if !violations.is_empty() {
        if let Some(why) = prism_misreads_all(doc, call, &violations) {
            return Verdict::MockDefect(format!("{why}: {}", Value::Array(violations)));
        }
        return Verdict::Violation(Value::Array(violations).to_string());
    }
    if !of_response.is_empty() {
        // Prism also checks its own made-up response: that is the mock's defect.
        return Verdict::MockDefect(format!(
            "prism's response breaks its schema: {}",
            Value::Array(of_response)
        ));
    }
    let status = outcome["status"].as_u64();
    match outcome["outcome"].as_str().unwrap_or_default() {
        "success" => Verdict::Ok,
        "arguments" => Verdict::Unsupported(format!("arguments: {}", message("message"))),
        "decode" => {
            let raw = message("raw");
            match response_schema(doc, &call.pointer, status.unwrap_or(0)) {
                Some(schema) => match serde_json::from_str::<Value>(&raw) {
                    Ok(body) => match validator.check(&schema, &body) {
                        Ok(()) => Verdict::Decode(format!(
                            "at `{}`: {} (the body is valid against #{schema}); body: {raw}",
                            message("path"),
                            message("message")
                        )),
                        Err(why) => {
                            Verdict::MockDefect(format!("prism's body breaks #{schema}: {why}"))
                        }
                    },
                    Err(_) => Verdict::MockDefect(format!("prism's body is not JSON: {raw}")),
                },
                None => Verdict::Decode(format!(
                    "at `{}`: {}; body: {raw}",
                    message("path"),
                    message("message")
                )),
            }
        }
        "api" => {
            let raw = message("raw");
            if let Some(problem) = prism_problem(&raw) {
                // `-d` with a JSON response that has no schema: Prism gives up.
                if problem["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Tried to force a dynamic response"))
                {
                    return Verdict::MockDefect(problem.to_string());
                }
                if prism_crashed(&problem) {
                    return Verdict::MockDefect(format!(
                        "prism failed while making up the response: {problem}"
                    ));
                }
                // The same misreadings as in `sl-violations`, answered as a 422 of Prism's own.
                let listed = problem["validation"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if let Some(why) = prism_misreads_all(doc, call, &listed) {
                    return Verdict::MockDefect(format!("{why}: {problem}"));
                }
                return Verdict::Violation(problem.to_string());
            }
            let status = status.unwrap_or(0);
            // A valid request answered with an error: the operation documents no success
            // response Prism could pick. Its error model must still decode what Prism sent.
            match response_schema(doc, &call.pointer, status) {
                Some(schema) if outcome["decoded"] != json!(true) => {
                    match serde_json::from_str::<Value>(&raw) {
                        Ok(body) if validator.check(&schema, &body).is_ok() => Verdict::Decode(
                            format!("the HTTP {status} body did not decode into the error model; body: {raw}"),
                        ),
                        _ => Verdict::MockDefect(format!("HTTP {status}: prism's body breaks #{schema}")),
                    }
                }
                _ if has_success(doc, &call.pointer) => {
                    Verdict::Other(format!("HTTP {status} for a valid request: {raw}"))
                }
                _ => Verdict::Ok,
            }
        }
        // The client's own timeout: Prism was still making up the response.
        "transport" if message("message").contains("timed out") => Verdict::MockDefect(format!(
            "no answer in time (prism making up a large response): {}",
            message("message")
        )),
        "transport" => Verdict::Other(format!("no response: {}", message("message"))),
        "abandoned" => Verdict::MockDefect(message("message")),
        "timeout" => Verdict::MockDefect(format!(
            "no answer within {CALL_TIMEOUT_SECS} s (prism making up a large response)"
        )),
        other => Verdict::Other(format!("driver: {other}: {}", message("message"))),
    }
}

/// Why every violation of `list` (non-empty) is Prism misreading a request the client wrote
/// as the spec says, or `None` when one is not.
///
/// When the body's schema is a union (`anyOf`/`oneOf`, Discord's interaction callback), Prism
/// reports a misread property once per branch, and with it what makes each other branch fail:
/// its discriminating value (`type must be equal to one of the allowed values`) and the union
/// itself (`body must match a schema in anyOf`). Those are counted with the misreading (checked
/// with curl: the same body without the misread property has no violation).
fn prism_misreads_all(doc: &Value, call: &Call, list: &[Value]) -> Option<&'static str> {
    let mut why = None;
    let mut misread = BTreeSet::new();
    let mut rest = Vec::new();
    for v in list {
        match prism_misreads(doc, call, v) {
            Some(w) => {
                why = Some(w);
                if let Some([_, property]) = body_location(v).as_deref() {
                    misread.insert(property.clone());
                }
            }
            None => rest.push(v),
        }
    }
    let why = why?;
    if rest.is_empty() {
        return Some(why);
    }
    if !body_is_union(doc, call) {
        return None;
    }
    let fan_out = |v: &Value| match body_location(v).as_deref() {
        Some([_]) => matches!(v["code"].as_str(), Some("anyOf" | "oneOf")),
        Some([_, property]) => {
            misread.contains(property) || matches!(v["code"].as_str(), Some("enum" | "const"))
        }
        _ => false,
    };
    rest.into_iter().all(fan_out).then_some(why)
}

/// A violation's location in the request body (`["body"]`, `["body", property]`, …), without
/// the leading `request` of `sl-violations`; `None` outside the body.
fn body_location(v: &Value) -> Option<Vec<String>> {
    let location = request_location(v)?;
    (location.first() == Some(&"body")).then(|| location.iter().map(|s| s.to_string()).collect())
}

/// A violation's location (`["body", property]`, `["query", name]`, …): `sl-violations`
/// locations start with `request`, a 422 problem's do not.
fn request_location(v: &Value) -> Option<Vec<&str>> {
    let mut location: Vec<&str> = v["location"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if location.first() == Some(&"request") {
        location.remove(0);
    }
    Some(location)
}

/// Whether the schema of the call's body media type is an `anyOf` or `oneOf`.
fn body_is_union(doc: &Value, call: &Call) -> bool {
    let media = call.args["body_media_type"].as_str().unwrap_or_default();
    resolve(doc, &format!("{}/requestBody", call.pointer))
        .and_then(|b| resolve(doc, &format!("{b}/content/{}/schema", token(media))))
        .and_then(|s| doc.pointer(&s))
        .is_some_and(|s| s.get("anyOf").is_some() || s.get("oneOf").is_some())
}

/// Whether a violation is one of Prism's known misreadings of a form or multipart body (each
/// checked with curl against `prism mock` 5.x on tests/wire/openapi.yaml):
/// - `a=1&a=2` in a form body is read as an array only for properties with an `encoding`
///   entry (stoplightio/prism#2473), though exploded `form` is the default for every property;
/// - a multipart property that is an array or an object is never read as one: repeated parts,
///   one part, JSON text, a part typed `application/json` all give `must be array`/`object`;
/// - a form property the request does not hold at all is reported (`piped must be array` for
///   an absent `pipeDelimited` property): no client can send an absent value wrong;
/// - a number sent in a form or multipart body (a text) is read as the number and as the
///   string of its digits, so a `oneOf` with both (Discord's `nonce`: integer or string) fails
///   `must match exactly one schema in oneOf`; `nonce=abc` passes, as does `{"nonce": 123}`;
/// - `Reserved characters used in request body` is reported on the raw text of a property with
///   an `encoding` entry, so the delimiter of `form`/`pipeDelimited` arrays (`a,b`) and `+`
///   for a space are flagged although OpenAPI and the form encoding prescribe them: counted as
///   Prism's only when no value under the property holds a reserved character itself.
fn prism_misreads(doc: &Value, call: &Call, v: &Value) -> Option<&'static str> {
    if let Some(why) = deep_object_misread(doc, call, v) {
        return Some(why);
    }
    let media = call.args["body_media_type"].as_str().unwrap_or_default();
    let form = media.starts_with("application/x-www-form-urlencoded");
    let multipart = media.starts_with("multipart/form-data");
    if !form && !multipart {
        return None;
    }
    let location = request_location(v)?;
    let [place, property] = location[..] else {
        return None;
    };
    if place != "body" {
        return None;
    }
    let message = v["message"].as_str().unwrap_or_default();
    let sent = call.args["body"].get(property);
    let Some(sent) = sent else {
        return (form && v["code"] != "required")
            .then_some("prism reports a form property the request does not hold");
    };
    // `must be array`, or `must be array,null` for a nullable property (Discord's).
    let type_error = |kind: &str| {
        v["code"] == "type"
            && (message.ends_with(&format!("must be {kind}"))
                || message.ends_with(&format!("must be {kind},null")))
    };
    if multipart
        && ((sent.is_array() && type_error("array")) || (sent.is_object() && type_error("object")))
    {
        return Some("prism reads no multipart array or object");
    }
    if v["code"] == "oneOf"
        && (sent.is_number() || sent.is_boolean())
        && one_of_has_string(doc, call, property)
    {
        return Some("prism reads a number in a form or multipart body as a number and a string");
    }
    if !form {
        return None;
    }
    let encoded = body_encoding(doc, call, media, property).is_some();
    if !encoded && sent.is_array() && type_error("array") {
        return Some("prism reads repeated form keys as one value (stoplightio/prism#2473)");
    }
    if encoded && message == "Reserved characters used in request body" && !holds_reserved(sent) {
        return Some("prism flags the delimiters and `+` of a form value as reserved characters");
    }
    None
}

/// Prism's misreadings of `deepObject` parameters and form properties (Stripe's), each checked
/// with curl against `prism mock` on the gate's Stripe input:
/// - an object the request does not hold (absent, or empty, which `deepObject` writes as
///   nothing) is read as `{}` and its required properties reported: `GET
///   /v1/checkout/sessions` without `customer_details` gives `query parameter customer_details
///   must have required property 'email'`, `account=acct_1` to `POST /v1/account_sessions`
///   gives `components.account_onboarding must have required property 'enabled'`;
/// - an array inside a deepObject object is not read at all, whether written `[]` or indexed:
///   `features[subscription_update][default_allowed_updates][]=price` (or `[0]=price`) to
///   `POST /v1/billing_portal/configurations` gives `features.subscription_update must have
///   required property 'default_allowed_updates'`;
/// - an array of objects in a form body is read only as JSON text: `tax_id_data[0][type]=eu_vat
///   &tax_id_data[0][value]=x` to `POST /v1/customers` (as Stripe reads it, and `deepObject`
///   spells it) is refused with HTTP 415 `Cannot deserialize JSON object array in form data
///   request body`, `tax_id_data=[{"type":"eu_vat","value":"x"}]` is accepted.
fn deep_object_misread(doc: &Value, call: &Call, v: &Value) -> Option<&'static str> {
    let media = call.args["body_media_type"].as_str().unwrap_or_default();
    let form = media.starts_with("application/x-www-form-urlencoded");
    let deep_property = |property: &str| {
        body_encoding(doc, call, media, property)
            .is_some_and(|e| e["style"].as_str() == Some("deepObject"))
    };
    let message = v["message"].as_str().unwrap_or_default();
    if form && message.starts_with("Cannot deserialize JSON object array in form data") {
        let holds_object_array = call.args["body"].as_object().is_some_and(|body| {
            body.iter().any(|(property, value)| {
                deep_property(property)
                    && value
                        .as_array()
                        .is_some_and(|items| items.iter().any(|i| i.is_object() || i.is_array()))
            })
        });
        return holds_object_array.then_some(
            "prism reads a deepObject array of objects in a form body only as JSON text",
        );
    }
    if v["code"] != "required" {
        return None;
    }
    let location = request_location(v)?;
    let [place, name, rest @ ..] = &location[..] else {
        return None;
    };
    let deep = match *place {
        "body" => (form || media.starts_with("multipart/form-data")) && deep_property(name),
        "query" => doc_params(doc, &call.pointer).iter().any(|p| {
            p.location == "query" && p.name == *name && p.style.as_deref() == Some("deepObject")
        }),
        _ => false,
    };
    let mut sent = &call.args[*place][*name];
    for step in rest {
        sent = &sent[*step];
    }
    if !deep {
        return None;
    }
    if sent.is_null() || is_empty(sent) {
        return Some("prism reads a deepObject object the request does not hold as `{}`");
    }
    // The property reported missing is there, an array: Prism reads no array inside a
    // deepObject object, `[]` or indexed.
    let missing = message
        .rsplit("must have required property '")
        .next()
        .filter(|_| message.contains("must have required property '"))
        .and_then(|rest| rest.strip_suffix('\''));
    let array_held = missing
        .and_then(|m| sent.get(m))
        .is_some_and(|v| v.as_array().is_some_and(|a| !a.is_empty()));
    array_held.then_some("prism reads no array inside a deepObject object")
}

/// The body's `encoding` entry for a property under the call's media type.
fn body_encoding<'d>(
    doc: &'d Value,
    call: &Call,
    media: &str,
    property: &str,
) -> Option<&'d Value> {
    let body = resolve(doc, &format!("{}/requestBody", call.pointer))?;
    doc.pointer(&format!(
        "{body}/content/{}/encoding/{}",
        token(media),
        token(property)
    ))
}

/// Whether the body property's schema is a `oneOf` with a string branch (direct properties of
/// the body schema, or of one of its `allOf`/`anyOf`/`oneOf` branches).
fn one_of_has_string(doc: &Value, call: &Call, property: &str) -> bool {
    fn schema<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => codegen::load::resolve(doc, r).unwrap_or(v),
            None => v,
        }
    }
    fn find<'a>(doc: &'a Value, body: &'a Value, property: &str, depth: usize) -> Vec<&'a Value> {
        let body = schema(doc, body);
        let mut out: Vec<&Value> = body
            .pointer(&format!("/properties/{}", token(property)))
            .map(|p| schema(doc, p))
            .into_iter()
            .collect();
        if depth < 4 {
            for key in ["allOf", "anyOf", "oneOf"] {
                for branch in body
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.extend(find(doc, branch, property, depth + 1));
                }
            }
        }
        out
    }
    let media = call.args["body_media_type"].as_str().unwrap_or_default();
    let Some(body) = resolve(doc, &format!("{}/requestBody", call.pointer))
        .and_then(|b| doc.pointer(&format!("{b}/content/{}/schema", token(media))))
    else {
        return false;
    };
    find(doc, body, property, 0).into_iter().any(|p| {
        p.get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|b| schema(doc, b)["type"] == "string")
    })
}

/// Whether a string under `v` holds one of RFC 3986's reserved characters.
fn holds_reserved(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(|c| ":/?#[]@!$&'()*+,;=".contains(c)),
        Value::Array(a) => a.iter().any(holds_reserved),
        Value::Object(o) => o
            .iter()
            .any(|(k, v)| holds_reserved(&json!(k)) || holds_reserved(v)),
        _ => false,
    }
}

/// Prism's violations split into the request's and the response's (Prism also checks the
/// response it made up). Past a limit it sends one string, `Too many violations! [...]`.
fn split_violations(v: &Value) -> (Vec<Value>, Vec<Value>) {
    let mut items = Vec::new();
    for item in v.as_array().into_iter().flatten() {
        match item
            .as_str()
            .and_then(|s| s.strip_prefix("Too many violations!"))
            .and_then(|rest| serde_json::from_str::<Value>(rest.trim()).ok())
        {
            Some(Value::Array(inner)) => items.extend(inner),
            // Cut short, it no longer parses: whose violations it lists shows in the text.
            None if item
                .as_str()
                .is_some_and(|s| s.starts_with("Too many violations!")) =>
            {
                let text = item.as_str().unwrap_or_default();
                let side = if text.contains(r#""location":["request""#) {
                    "request"
                } else {
                    "response"
                };
                items.push(json!({ "location": [side], "message": clip(text, 400) }));
            }
            _ => items.push(item.clone()),
        }
    }
    items
        .into_iter()
        .partition(|i| i["location"][0].as_str() != Some("response"))
}

/// Whether the operation documents a 2xx response.
fn has_success(doc: &Value, op_ptr: &str) -> bool {
    doc.pointer(&format!("{op_ptr}/responses"))
        .and_then(Value::as_object)
        .is_some_and(|r| r.keys().any(|k| k.starts_with('2')))
}

/// The pointer of the JSON schema of the operation's response for `status` (exact, `2XX`, or
/// `default`).
fn response_schema(doc: &Value, op_ptr: &str, status: u64) -> Option<String> {
    let responses = format!("{op_ptr}/responses");
    let map = doc.pointer(&responses)?.as_object()?;
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    let lower = range.to_lowercase();
    let key = [exact.as_str(), range.as_str(), lower.as_str(), "default"]
        .into_iter()
        .find(|k| map.contains_key(*k))?;
    let resp = resolve(doc, &format!("{responses}/{}", token(key)))?;
    let content = doc.pointer(&format!("{resp}/content"))?.as_object()?;
    let media = content.keys().find(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("json")
    })?;
    let schema = format!("{resp}/content/{}/schema", token(media));
    doc.pointer(&schema).map(|_| schema)
}

/// The reason class of an unsupported call (the part before the details).
fn reason_kind(reason: &str) -> String {
    // `arguments: query `x`: invalid type: …` -> `arguments: invalid type`.
    let mut r = reason.to_string();
    if let Some(rest) = r.strip_prefix("arguments: ") {
        let detail = rest.split_once(": ").map_or(rest, |(_, d)| d);
        let detail: String = detail
            .split([',', '`', '"'])
            .next()
            .unwrap_or(detail)
            .trim()
            .to_string();
        r = format!("arguments: {detail}");
    }
    clip(&r, 70)
}

/// The canary: a request the schema forbids but the Rust types let through. Candidates are
/// tried in order until one reaches the server; Prism must report it.
fn canary(
    doc: &Value,
    samples: &Samples,
    validator: &Validator,
    ops: &[Value],
    driver: &Path,
    base: &str,
) -> Result<Canary, String> {
    let mut candidates: Vec<Call> = Vec::new();
    for op in ops {
        let pointer = op["pointer"].as_str().unwrap_or_default();
        let id = op["id"].as_str().unwrap_or_default();
        let media = media_types(op);
        let Ok(plans) = plan(doc, samples, validator, pointer, &media) else {
            continue;
        };
        let Some((_, args)) = plans.into_iter().next() else {
            continue;
        };
        // A required parameter outside its enum or bounds.
        for p in doc_params(doc, pointer).iter().filter(|p| p.required) {
            let Some(schema) = &p.schema else { continue };
            let Some(node) = samples.schema(schema) else {
                continue;
            };
            let mut bad = Vec::new();
            // A one-value enum is a constant the client always sends itself (no argument).
            if node.get("enum").is_some_and(|e| {
                e.as_array()
                    .is_some_and(|e| e.len() > 1 && e.iter().all(Value::is_string))
            }) {
                bad.push(json!("__not_a_member__"));
            }
            if let Some(max) = node.get("maximum").and_then(Value::as_i64) {
                bad.push(json!(max.saturating_add(1)));
            }
            if let Some(min) = node.get("minimum").and_then(Value::as_i64) {
                bad.push(json!(min.saturating_sub(1)));
            }
            if let Some(max) = node.get("maxLength").and_then(Value::as_u64) {
                bad.push(json!("x".repeat(max as usize + 1)));
            }
            for v in bad {
                if validator.check(schema, &v).is_ok() {
                    continue;
                }
                let mut a = args.clone();
                a[&p.location][&p.name] = v;
                candidates.push(Call {
                    id: id.to_string(),
                    pointer: pointer.to_string(),
                    variant: "canary".into(),
                    args: a,
                });
            }
        }
        // A JSON body with a property outside its enum.
        if let Some(media) = media.first().filter(|m| m.contains("json")) {
            if let Some(body_ptr) = resolve(doc, &format!("{pointer}/requestBody")) {
                let schema = format!("{body_ptr}/content/{}/schema", token(media));
                for (v, _) in samples.invalid(&schema) {
                    let enum_only = v
                        .as_object()
                        .is_some_and(|o| o.values().any(|x| x == "__not_a_member__"));
                    if !enum_only || validator.check(&schema, &v).is_ok() {
                        continue;
                    }
                    let mut a = args.clone();
                    a["body"] = v;
                    candidates.push(Call {
                        id: id.to_string(),
                        pointer: pointer.to_string(),
                        variant: "canary".into(),
                        args: a,
                    });
                }
            }
        }
        if candidates.len() >= 12 {
            break;
        }
    }
    if candidates.is_empty() {
        return Ok(Canary::None);
    }
    let outcomes = drive(driver, base, &candidates)?;
    for (c, o) in candidates.iter().zip(&outcomes) {
        if o["status"].as_u64().is_none() {
            continue;
        }
        let caught = !split_violations(&o["violations"]).0.is_empty()
            || prism_problem(o["raw"].as_str().unwrap_or_default()).is_some();
        return Ok(if caught {
            Canary::Caught
        } else {
            Canary::Missed(format!("{} with {}", c.id, c.args))
        });
    }
    Ok(Canary::None)
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

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn print_table(reports: &[Report], seconds: f64) {
    println!();
    println!(
        "{:<34} {:>5} {:>6} {:>10} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7}",
        "spec",
        "ops",
        "calls",
        "exercised",
        "viol",
        "decode",
        "other",
        "known",
        "unsup",
        "mock",
        "canary",
        "secs"
    );
    let mut t = Report::default();
    for r in reports {
        let canary = match &r.canary {
            Canary::Caught => "caught",
            Canary::Missed(_) => "MISSED",
            Canary::None => "none",
        };
        println!(
            "{:<34} {:>5} {:>6} {:>5} {:>3.0}% {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7.1}",
            clip(&r.spec, 34),
            r.operations,
            r.calls,
            r.exercised,
            pct(r.exercised, r.operations),
            r.violations,
            r.decode_errors,
            r.other_errors,
            r.known,
            r.unsupported_total(),
            r.mock_defects,
            canary,
            r.seconds
        );
        if let Some(e) = &r.fatal {
            println!("    FAILED: {}", clip(e, 2000));
        }
        for (reason, n) in &r.unsupported {
            println!("    unsupported: {n} x {reason}");
        }
        for (reason, n) in &r.skipped_calls {
            println!("    calls not made: {n} x {reason}");
        }
        t.operations += r.operations;
        t.calls += r.calls;
        t.exercised += r.exercised;
        t.violations += r.violations;
        t.decode_errors += r.decode_errors;
        t.other_errors += r.other_errors;
        t.known += r.known;
        t.mock_defects += r.mock_defects;
        for (k, v) in &r.unsupported {
            *t.unsupported.entry(k.clone()).or_default() += v;
        }
    }
    println!(
        "{:<34} {:>5} {:>6} {:>5} {:>3.0}% {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7.1}",
        "total",
        t.operations,
        t.calls,
        t.exercised,
        pct(t.exercised, t.operations),
        t.violations,
        t.decode_errors,
        t.other_errors,
        t.known,
        t.unsupported_total(),
        t.mock_defects,
        "",
        seconds
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_of_prisms_own_response_are_told_apart() {
        let v = json!([
            {"location": ["request", "query", "limit"], "code": "maximum"},
            {"location": ["response", "body", "id"], "code": "type"},
            "Too many violations! [{\"location\":[\"response\",\"body\"",
        ]);
        let (request, response) = split_violations(&v);
        assert_eq!(request.len(), 1);
        assert_eq!(response.len(), 2);
        let cut = json!(["Too many violations! [{\"location\":[\"request\",\"body\""]);
        assert_eq!(split_violations(&cut).0.len(), 1);
    }

    #[test]
    fn prism_reads_expandable_fields_as_their_id_only() {
        let field = json!({"anyOf": [{"type": "string", "maxLength": 5000},
                                     {"$ref": "#/components/schemas/customer"}],
                           "nullable": true,
                           "x-expansionResources": {"oneOf": [{"$ref": "#/components/schemas/customer"}]}});
        let mut doc = json!({"components": {"schemas": {
            "charge": {"type": "object", "properties": {"customer": field,
                "source": {"anyOf": [{"$ref": "#/components/schemas/card"},
                                     {"$ref": "#/components/schemas/source"}]}}}}}});
        let other_unions = doc["components"]["schemas"]["charge"]["properties"]["source"].clone();
        assert_eq!(collapse_expandable_references(&mut doc), 1);
        let charge = &doc["components"]["schemas"]["charge"]["properties"];
        assert_eq!(
            charge["customer"],
            json!({"anyOf": [{"type": "string", "maxLength": 5000}], "nullable": true})
        );
        // Unions that are not expandable fields are left alone.
        assert_eq!(charge["source"], other_unions);
    }

    #[test]
    fn parameters_merge_path_item_and_operation() {
        let doc = json!({"paths": {"/a/{id}": {
            "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}},
                           {"name": "q", "in": "query", "schema": {"type": "string"}}],
            "get": {"parameters": [{"$ref": "#/components/parameters/Q"}]}
        }}, "components": {"parameters": {"Q": {"name": "q", "in": "query", "required": true,
            "content": {"application/json": {"schema": {"type": "object"}}}}}}});
        let params = doc_params(&doc, "/paths/~1a~1{id}/get");
        assert_eq!(params.len(), 2);
        assert!(params[0].required, "path parameters are required");
        assert_eq!(params[1].name, "q");
        assert!(
            params[1].required,
            "the operation's own overrides the path item's"
        );
        assert_eq!(
            params[1].schema.as_deref(),
            Some("/components/parameters/Q/content/application~1json/schema")
        );
    }

    #[test]
    fn read_only_properties_leave_request_samples() {
        let doc = json!({"components": {"schemas": {
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}],
                  "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/B"}}}},
            "B": {"properties": {"id": {"type": "string", "readOnly": true}, "name": {"type": "string"}}}
        }}});
        let mut v = json!({"id": "x", "name": "n", "items": [{"id": "y", "name": "m"}]});
        strip_read_only(&doc, "/components/schemas/A", &mut v, 0);
        assert_eq!(v, json!({"name": "n", "items": [{"name": "m"}]}));
    }

    #[test]
    fn integers_are_brought_into_javascripts_range() {
        let mut v = json!({"a": i64::MAX, "b": [u64::MAX, -5], "c": i64::MIN});
        js_safe(&mut v);
        let max = (1i64 << 53) - 1;
        assert_eq!(v, json!({"a": max, "b": [max, -5], "c": -max}));
    }

    #[test]
    fn required_query_arrays_get_a_non_empty_sample() {
        // meilisearch's `vector`: exploded `form` writes nothing for `[]`, so a required
        // array sampled empty was missing on the wire.
        let doc = json!({"openapi": "3.1.0", "paths": {"/s": {"get": {"parameters": [
            {"name": "vector", "in": "query", "required": true,
             "schema": {"type": "array", "items": {"type": "number"}}},
            {"name": "tags", "in": "query",
             "schema": {"type": "array", "items": {"type": "string"}}}
        ]}}}});
        let samples = Samples::new(&doc);
        let validator = Validator::new(&doc).unwrap();
        let calls = plan(&doc, &samples, &validator, "/paths/~1s/get", &[]).unwrap();
        assert_eq!(calls[0].0, "required");
        let vector = &calls[0].1["query"]["vector"];
        assert!(vector.as_array().is_some_and(|a| !a.is_empty()), "{vector}");
        assert!(calls[0].1["query"].get("tags").is_none());
    }

    #[test]
    fn extensions_with_references_to_missing_files_are_left_out_for_prism() {
        let mut doc = json!({"components": {
            "x-policy": {"policies": {"$ref": "../policies.yaml"}, "list": [{"$ref": "#/x"}]},
            "x-local": {"$ref": "#/components/schemas/A"},
            "x-uses": {"$ref": "#/components/x-policy/list"},
            "schemas": {"A": {"type": "string"}}
        }});
        assert!(drop_unresolvable_extensions(&mut doc));
        assert_eq!(
            doc,
            json!({"components": {
                "x-local": {"$ref": "#/components/schemas/A"},
                "schemas": {"A": {"type": "string"}}
            }})
        );
        assert!(!drop_unresolvable_extensions(&mut doc));
    }

    #[test]
    fn prisms_made_up_arrays_are_capped_unless_the_spec_says_otherwise() {
        let mut doc = json!({"openapi": "3.1.0"});
        cap_made_up_arrays(&mut doc);
        assert_eq!(doc["x-json-schema-faker"], json!({"maxItems": 2}));
        let mut doc = json!({"x-json-schema-faker": {"maxItems": 7, "locale": "de"}});
        cap_made_up_arrays(&mut doc);
        assert_eq!(
            doc["x-json-schema-faker"],
            json!({"maxItems": 7, "locale": "de"})
        );
    }

    #[test]
    fn prisms_misreadings_of_form_and_multipart_bodies_are_told_apart() {
        let doc = json!({"paths": {"/f": {"post": {"requestBody": {"content": {
            "application/x-www-form-urlencoded": {"encoding": {"csv": {"explode": false}}}
        }}}}}});
        let call = |media: &str, body: Value| Call {
            id: "f".into(),
            pointer: "/paths/~1f/post".into(),
            variant: "full".into(),
            args: json!({"body": body, "body_media_type": media}),
        };
        let v = |prop: &str, code: &str, message: &str| json!({"location": ["body", prop], "code": code, "message": message});
        let form = "application/x-www-form-urlencoded";
        let reserved = v("csv", "", "Reserved characters used in request body");
        let c = call(form, json!({"csv": ["a b", "c"]}));
        assert!(prism_misreads(&doc, &c, &reserved).is_some());
        // A reserved character in a value itself must be percent-encoded: not Prism's.
        let c = call(form, json!({"csv": ["a&b"]}));
        assert!(prism_misreads(&doc, &c, &reserved).is_none());
        // Arrays without an encoding entry (prism#2473), and absent properties.
        let c = call(form, json!({"tags": ["a", "b"]}));
        assert!(prism_misreads(&doc, &c, &v("tags", "type", "must be array")).is_some());
        assert!(prism_misreads(&doc, &c, &v("piped", "type", "must be array")).is_some());
        assert!(prism_misreads(&doc, &c, &v("tags", "type", "must be string")).is_none());
        assert!(prism_misreads(&doc, &c, &v("piped", "required", "must have")).is_none());
        // Multipart: arrays and objects, not scalars.
        let mp = "multipart/form-data";
        let c = call(mp, json!({"tags": ["a"], "meta": {"x": 1}, "n": "1"}));
        let sl = json!({"location": ["request", "body", "meta"], "code": "type",
                        "message": "Request body property meta must be object"});
        assert!(prism_misreads(&doc, &c, &sl).is_some());
        assert!(prism_misreads(&doc, &c, &v("tags", "type", "must be array")).is_some());
        assert!(prism_misreads(&doc, &c, &v("tags", "type", "must be array,null")).is_some());
        assert!(prism_misreads(&doc, &c, &v("n", "type", "must be integer")).is_none());
        // JSON bodies: never.
        let c = call("application/json", json!({}));
        assert!(prism_misreads(&doc, &c, &v("piped", "type", "must be array")).is_none());
    }

    /// Discord's message and interaction-callback bodies, as Prism reported them (the
    /// violations reproduced with curl against `prism mock` on discord.json).
    #[test]
    fn form_bodies_get_a_sample_without_empty_objects() {
        // Discord's interaction callback: an `anyOf` of bodies, one with a required `data`
        // whose properties are all optional (the sample for it is `{}`).
        let doc = json!({
            "paths": {"/cb": {"post": {
                "requestBody": {"required": true, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Callback"}},
                    "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Callback"}}
                }},
                "responses": {"204": {"description": "done"}}
            }}},
            "components": {"schemas": {
                "Callback": {"anyOf": [
                    {"$ref": "#/components/schemas/Autocomplete"},
                    {"$ref": "#/components/schemas/Pong"}
                ]},
                "Autocomplete": {"type": "object", "required": ["type", "data"], "properties": {
                    "type": {"type": "integer", "enum": [8]},
                    "data": {"anyOf": [
                        {"$ref": "#/components/schemas/IntegerData"},
                        {"$ref": "#/components/schemas/StringData"}
                    ]}
                }},
                "IntegerData": {"type": "object", "properties": {"choices": {
                    "type": ["array", "null"],
                    "items": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Choice"}]}
                }}},
                "StringData": {"type": "object", "properties": {"choices": {
                    "type": ["array", "null"],
                    "items": {"oneOf": [{"type": "null"}, {"type": "string"}]}
                }}},
                "Choice": {"type": "object", "required": ["name", "value"], "properties": {
                    "name": {"type": "string"}, "value": {"type": "integer"}
                }},
                "Pong": {"type": "object", "required": ["type"], "properties": {
                    "type": {"type": "integer", "enum": [1]}
                }}
            }}
        });
        let samples = Samples::new(&doc);
        let validator = Validator::new(&doc).unwrap();
        let media = vec![
            "application/json".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        ];
        let calls = plan(&doc, &samples, &validator, "/paths/~1cb/post", &media).unwrap();
        let (_, form) = calls
            .iter()
            .find(|(variant, _)| variant.ends_with("x-www-form-urlencoded"))
            .unwrap();
        assert!(!has_empty_property(&form["body"]), "{form}");
        assert!(!is_empty(&form["body"]), "{form}");
        // The `required` variant too (only required properties: `data` is one).
        let (_, required) = calls.iter().find(|(v, _)| v == "required").unwrap();
        assert!(
            required.get("body").is_none() || !has_empty_property(&required["body"]),
            "{required}"
        );
        assert!(has_empty_property(&json!({"data": {}})));
        assert!(has_empty_property(&json!({"values": []})));
        // Only properties: `{}` items of an array property were not the problem (Discord's
        // message bodies), and an empty body is one Prism calls missing.
        assert!(!has_empty_property(&json!({"a": [{}]})));
        assert!(!has_empty_property(&json!({})));
    }

    #[test]
    fn prisms_deep_object_misreadings_are_told_apart_from_violations() {
        let doc = json!({"paths": {
            "/sessions": {"get": {"parameters": [
                {"name": "details", "in": "query", "style": "deepObject", "explode": true,
                 "schema": {"type": "object", "required": ["email"],
                            "properties": {"email": {"type": "string"}}}},
                {"name": "flat", "in": "query",
                 "schema": {"type": "object", "required": ["a"],
                            "properties": {"a": {"type": "string"}}}}
            ]},
            "post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {
                    "components": {"type": "object", "properties": {"onboarding": {
                        "type": "object", "required": ["enabled"],
                        "properties": {"enabled": {"type": "boolean"}}}}},
                    "tax_ids": {"type": "array", "items": {"type": "object"}}
                }},
                "encoding": {"components": {"style": "deepObject", "explode": true},
                             "tax_ids": {"style": "deepObject", "explode": true}}
            }}}}}
        }});
        let call = |method: &str, args: Value| Call {
            id: "op".into(),
            pointer: format!("/paths/~1sessions/{method}"),
            variant: "required".into(),
            args,
        };
        let required = |location: Value| json!({"code": "required", "location": location, "message": "must have required property"});
        let get = call("get", json!({}));
        // An absent deepObject parameter read as `{}`: Prism's.
        assert!(deep_object_misread(
            &doc,
            &get,
            &required(json!(["request", "query", "details"]))
        )
        .is_some());
        // Not for a parameter of another style, nor for one the request holds.
        assert!(
            deep_object_misread(&doc, &get, &required(json!(["request", "query", "flat"])))
                .is_none()
        );
        let held = call("get", json!({"query": {"details": {"other": "x"}}}));
        assert!(deep_object_misread(
            &doc,
            &held,
            &required(json!(["request", "query", "details"]))
        )
        .is_none());
        let form = "application/x-www-form-urlencoded";
        let post = call(
            "post",
            json!({"body": {"components": {}}, "body_media_type": form}),
        );
        let nested = required(json!(["request", "body", "components", "onboarding"]));
        assert!(deep_object_misread(&doc, &post, &nested).is_some());
        let sent = call(
            "post",
            json!({"body": {"components": {"onboarding": {"x": 1}}},
                                       "body_media_type": form}),
        );
        assert!(
            deep_object_misread(&doc, &sent, &nested).is_none(),
            "held: the SDK's"
        );
        // A required array inside it, held but reported missing: Prism's; missing: the SDK's.
        let array_missing = json!({"code": "required",
            "location": ["request", "body", "components", "onboarding"],
            "message": "Request body property components.onboarding must have required property 'enabled'"});
        let with_array = call(
            "post",
            json!({"body": {"components": {"onboarding": {"enabled": [true]}}},
                                             "body_media_type": form}),
        );
        assert!(deep_object_misread(&doc, &with_array, &array_missing).is_some());
        let without = call(
            "post",
            json!({"body": {"components": {"onboarding": {"other": [1]}}},
                                          "body_media_type": form}),
        );
        assert!(deep_object_misread(&doc, &without, &array_missing).is_none());
        // Arrays of objects, which Prism reads only as JSON text.
        let refused = json!({"code": 415, "location": ["request"],
            "message": "Cannot deserialize JSON object array in form data request body. Make sure the array is in JSON"});
        let objects = call(
            "post",
            json!({"body": {"tax_ids": [{"t": "eu"}]}, "body_media_type": form}),
        );
        assert!(deep_object_misread(&doc, &objects, &refused).is_some());
        let none = call(
            "post",
            json!({"body": {"components": {}}, "body_media_type": form}),
        );
        assert!(deep_object_misread(&doc, &none, &refused).is_none());
    }

    #[test]
    fn calls_after_one_prism_did_not_answer_are_abandoned_for_that_operation_only() {
        let call = |id: &str, variant: &str| Call {
            id: id.into(),
            pointer: format!("/paths/~1{id}/get"),
            variant: variant.into(),
            args: json!({}),
        };
        let calls = [
            call("getCreditNotes", "required"),
            call("getCreditNotes", "full"),
            call("getCreditNotes", "full, application/xml"),
            call("getCurrencies", "required"),
        ];
        let out = abandoned(&calls, "prism did not answer in time");
        assert_eq!(out.len(), 2);
        assert!(out
            .iter()
            .all(|o| o["outcome"] == "abandoned" && o["status"].is_null()));
        assert!(abandoned(&calls[2..], "x").is_empty());
        assert!(abandoned(&[], "x").is_empty());
        // Counted as Prism's, and the operation as not reached.
        let doc = json!({"paths": {}});
        let validator = Validator::new(&doc).unwrap();
        assert!(matches!(
            judge(&doc, &validator, &calls[1], &out[0]),
            Verdict::MockDefect(m) if m.contains("[required]") && m.contains("not retried")
        ));
        assert!(stuck(
            &json!({"outcome": "transport", "message": "connection refused"})
        ));
        assert!(stuck(&json!({"outcome": "timeout"})));
        assert!(!stuck(&json!({"outcome": "api", "status": 500})));
    }

    #[test]
    fn prisms_own_exceptions_are_its_failures_not_violations() {
        let doc = json!({"paths": {"/runs": {"get": {"responses": {"200": {
            "content": {"application/json": {"schema": {"type": "object"}}}
        }}}}}});
        let validator = Validator::new(&doc).unwrap();
        let call = Call {
            id: "getEvalRuns".into(),
            pointer: "/paths/~1runs/get".into(),
            variant: "full".into(),
            args: json!({}),
        };
        let answer = |problem: Value| json!({"outcome": "api", "status": problem["status"], "raw": problem.to_string(), "violations": []});
        // What Prism answered for openai's `GET /evals/{eval_id}/runs` (30 Nov run).
        let crash = json!({
            "type": "https://stoplight.io/prism/errors#UNKNOWN",
            "title": "TypeError: Cannot read properties of undefined (reading 'items')",
            "status": 500,
            "detail": ""
        });
        assert!(matches!(
            judge(&doc, &validator, &call, &answer(crash)),
            Verdict::MockDefect(m) if m.contains("making up the response")
        ));
        // A request Prism rejects stays a violation.
        let rejected = json!({
            "type": "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
            "title": "Invalid request",
            "status": 422,
            "detail": "",
            "validation": [{"location": ["query", "limit"], "code": "type", "message": "must be integer"}]
        });
        assert!(matches!(
            judge(&doc, &validator, &call, &answer(rejected)),
            Verdict::Violation(_)
        ));
        // Xero's `GET /BatchPayments` (30 Nov run): a reference into the response schema.
        let lost = json!({
            "type": "https://stoplight.io/prism/errors#UNKNOWN",
            "title": "Error: Prop not found: paths (#/paths/~1BatchPayments/get/responses/200/content/application~1json/schema/properties/BatchPayments/items)",
            "status": 500,
            "detail": ""
        });
        assert!(matches!(
            judge(&doc, &validator, &call, &answer(lost)),
            Verdict::MockDefect(_)
        ));
        // So does an unknown error that is not an exception of Prism's code.
        let other = json!({
            "type": "https://stoplight.io/prism/errors#UNKNOWN",
            "title": "Request body is malformed",
            "status": 500,
            "detail": ""
        });
        assert!(matches!(
            judge(&doc, &validator, &call, &answer(other)),
            Verdict::Violation(_)
        ));
    }

    #[test]
    fn prisms_misreadings_of_numbers_and_of_union_bodies_are_told_apart() {
        let nonce = json!({"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]});
        let doc = json!({
            "paths": {
                "/m": {"post": {"requestBody": {"content": {
                    "multipart/form-data": {"schema": {"$ref": "#/components/schemas/Msg"}},
                    "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Msg"}},
                    "application/json": {"schema": {"$ref": "#/components/schemas/Msg"}}
                }}}},
                "/cb": {"post": {"requestBody": {"content": {
                    "multipart/form-data": {"schema": {"anyOf": [
                        {"$ref": "#/components/schemas/Pong"},
                        {"$ref": "#/components/schemas/Reply"}
                    ]}},
                    "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Reply"}}
                }}}}
            },
            "components": {"schemas": {
                "Msg": {"type": "object", "properties": {"nonce": nonce, "count": {"type": "integer"}}},
                "Pong": {"type": "object", "properties": {"type": {"enum": [1]}}},
                "Reply": {"type": "object", "properties": {
                    "type": {"enum": [4]},
                    "data": {"type": ["object", "null"]}
                }}
            }}
        });
        let call = |path: &str, media: &str, body: Value| Call {
            id: "x".into(),
            pointer: format!("/paths/~1{path}/post"),
            variant: "full".into(),
            args: json!({"body": body, "body_media_type": media}),
        };
        let v = |location: &[&str], code: &str, message: &str| json!({"location": location, "code": code, "message": message});
        let one_of = v(
            &["request", "body", "nonce"],
            "oneOf",
            "Request body property nonce must match exactly one schema in oneOf",
        );
        for media in ["multipart/form-data", "application/x-www-form-urlencoded"] {
            let c = call("m", media, json!({"nonce": 123}));
            assert!(prism_misreads_all(&doc, &c, std::slice::from_ref(&one_of)).is_some());
            // A string that fails the oneOf is the client's.
            let c = call("m", media, json!({"nonce": "abc"}));
            assert!(prism_misreads_all(&doc, &c, std::slice::from_ref(&one_of)).is_none());
        }
        // No string branch: the number is not misread.
        let c = call("m", "multipart/form-data", json!({"count": 1}));
        let count = v(
            &["body", "count"],
            "oneOf",
            "must match exactly one schema in oneOf",
        );
        assert!(prism_misreads_all(&doc, &c, &[count]).is_none());
        // JSON: a real violation.
        let c = call("m", "application/json", json!({"nonce": 123}));
        assert!(prism_misreads_all(&doc, &c, std::slice::from_ref(&one_of)).is_none());

        // A misread `data` part in a union body, reported under every branch.
        let fan_out = [
            v(
                &["request", "body", "type"],
                "enum",
                "type must be equal to one of the allowed values: 1",
            ),
            v(
                &["request", "body", "data"],
                "type",
                "data must be object,null",
            ),
            v(
                &["request", "body", "data"],
                "oneOf",
                "data must match exactly one schema in oneOf",
            ),
            v(
                &["request", "body"],
                "anyOf",
                "body must match a schema in anyOf",
            ),
        ];
        let c = call(
            "cb",
            "multipart/form-data",
            json!({"type": 4, "data": {"content": "hi"}}),
        );
        assert!(prism_misreads_all(&doc, &c, &fan_out).is_some());
        // Without the misread property to explain them, the branch failures are violations.
        assert!(prism_misreads_all(&doc, &c, &fan_out[2..]).is_none());
        assert!(prism_misreads_all(&doc, &c, &[fan_out[0].clone(), fan_out[3].clone()]).is_none());
        // A body that is not a union: an enum failure is not a consequence of the misreading.
        let c = call(
            "cb",
            "application/x-www-form-urlencoded",
            json!({"type": 4, "data": [1]}),
        );
        let not_union = [
            v(&["body", "data"], "type", "data must be array"),
            v(
                &["body", "type"],
                "enum",
                "type must be equal to one of the allowed values: 4",
            ),
        ];
        assert!(prism_misreads_all(&doc, &c, &not_union).is_none());
    }

    #[test]
    fn media_ranges_get_a_concrete_type() {
        assert_eq!(concrete_media_type("*/*"), "application/octet-stream");
        assert_eq!(concrete_media_type("image/*"), "image/png");
        assert_eq!(concrete_media_type("model/*"), "model/octet-stream");
        assert!(is_xml("application/xml") && is_xml("application/atom+xml; q=1"));
        assert!(!is_xml("application/json"));
    }
}
