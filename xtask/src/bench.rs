//! `cargo xtask-release bench [--runs N] [--threads N] [--out-dir DIR] [--compile]
//! [--compile-runs N] [SPEC…]`: how fast the generator is, and how fast the crate it generates
//! compiles.
//!
//! Generation: each spec goes through the whole pipeline (load, normalize, IR, emit, format) and
//! is written to a fresh folder under `target/bench/gen/` (or `DIR/xtask-bench-gen/` with
//! `--out-dir DIR`, e.g. a tmpfs to leave the disk out), `--runs` times
//! (default 7), every run in its own child process (`xtask bench-one SPEC OUT`) so its peak
//! memory is its own. The child reports its stage timings, CPU time and peak resident set
//! (`VmHWM`); the parent measures wall time. `--threads N` sets `CODEGEN_THREADS` for the runs
//! (emit and format run on one thread per core by default).
//!
//! `--compile`: generates the full Fluxer crate (standalone) into `target/bench/fluxer-full` and
//! times `cargo build` from clean, then crate-only `cargo build`, `cargo check` and a one-tag build
//! (`--no-default-features --features oauth2`), with its own target folder `target/bench/target`
//! and `CARGO_INCREMENTAL=0` (so a crate-only figure is a full compile of the crate).
//!
//! Figures mean something only from a release build of xtask:
//! `cargo xtask-release bench` (or `cargo run --release -p xtask -- bench`).

use crate::{default_crate_name, project_spec, root};
use codegen::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The full Fluxer description; generated with the project's own `spec/codegen.toml`.
const FLUXER: &str = "../shared/specs/fluxer/openapi.json";

/// The default specs: Fluxer, then the largest corpus specs.
const DEFAULT_SPECS: [&str; 5] = [
    FLUXER,
    "../shared/specs/corpus/stripe.yaml",
    "../shared/specs/corpus/openai.yaml",
    "../shared/specs/corpus/box.json",
    "../shared/specs/corpus/discord.json",
];

/// Stages as the child reports them, in pipeline order.
const STAGES: [&str; 6] = ["load", "normalize", "ir", "emit", "format", "write"];

/// The tag whose feature alone is built for the one-tag figure.
const ONE_TAG: &str = "oauth2";

struct Args {
    runs: usize,
    compile: bool,
    compile_runs: usize,
    /// Where the generation runs write (default `target/bench/gen`).
    out_dir: Option<PathBuf>,
    /// `CODEGEN_THREADS` for the generation runs (default: the generator's own choice).
    threads: Option<usize>,
    specs: Vec<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        runs: 7,
        compile: false,
        compile_runs: 3,
        out_dir: None,
        threads: None,
        specs: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut count = |name: &str| -> Result<usize, String> {
            let v = it.next().ok_or_else(|| format!("{name} needs a value"))?;
            match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{name} needs a positive number, not `{v}`")),
            }
        };
        match arg.as_str() {
            "--runs" => a.runs = count("--runs")?,
            "--compile" => a.compile = true,
            "--compile-runs" => a.compile_runs = count("--compile-runs")?,
            "--threads" => a.threads = Some(count("--threads")?),
            "--out-dir" => {
                let v = it.next().ok_or("--out-dir needs a value")?;
                a.out_dir = Some(PathBuf::from(v));
            }
            s if s.starts_with("--") => return Err(format!("unknown argument `{s}`")),
            s => a.specs.push(PathBuf::from(s)),
        }
    }
    Ok(a)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let a = parse_args(args)?;
    if cfg!(debug_assertions) {
        eprintln!(
            "WARNING: xtask is a debug build: generation figures below are NOT representative.\n\
             WARNING: run `cargo xtask-release bench` (or `cargo run --release -p xtask -- bench`)."
        );
    }
    let bench_dir = root().join("target/bench");
    let specs: Vec<PathBuf> = if a.specs.is_empty() {
        DEFAULT_SPECS.iter().map(|s| root().join(s)).collect()
    } else {
        a.specs.clone()
    };
    println!(
        "generation: {} run(s) per spec, each in its own process; {} build of xtask; threads: {}",
        a.runs,
        if cfg!(debug_assertions) {
            "DEBUG"
        } else {
            "release"
        },
        a.threads.map_or_else(
            || {
                format!(
                    "{} (one per core)",
                    std::thread::available_parallelism().map_or(1, |n| n.get())
                )
            },
            |n| n.to_string()
        )
    );
    // Every run writes a fresh folder. Old output is moved aside and deleted only after all
    // runs: deleting thousands of files makes file creation slower for a while after (ext4
    // avoids reusing recently freed inodes), which would land in the `write` stage.
    // Under `--out-dir` in a folder of its own: the bench deletes what it finds there.
    let gen_dir = match &a.out_dir {
        Some(d) => d.join("xtask-bench-gen"),
        None => bench_dir.join("gen"),
    };
    let old = gen_dir.with_extension("old");
    if gen_dir.exists() {
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(&gen_dir, &old).map_err(|e| format!("{}: {e}", gen_dir.display()))?;
    }
    println!("load average at start: {}", load_average());
    let mut rows = Vec::new();
    for spec in &specs {
        if !spec.exists() {
            println!("SKIPPED: {} does not exist", spec.display());
            continue;
        }
        rows.push(bench_spec(spec, a.runs, &gen_dir, a.threads)?);
    }
    print_table(&rows);
    println!("load average after generation: {}", load_average());
    // Keep the first run of each spec to look at; the rest goes.
    for dir in std::fs::read_dir(&gen_dir).into_iter().flatten().flatten() {
        for run in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if run.file_name() != "run0" {
                let _ = std::fs::remove_dir_all(run.path());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&old);
    if a.compile {
        compile(&bench_dir, a.compile_runs)?;
    }
    Ok(())
}

/// The config a spec is generated with: its own `codegen.toml`, the project's for the full Fluxer
/// spec, defaults (with a crate name from the file name) otherwise. Always standalone.
fn config_for(spec: &Path) -> Result<Config, String> {
    let own = spec.with_file_name("codegen.toml").exists();
    let is_fluxer = same_file(spec, &root().join(FLUXER));
    let mut config = if !own && is_fluxer {
        Config::beside(&project_spec())
    } else {
        Config::beside(spec)
    }
    .map_err(|e| e.to_string())?;
    if !own && !is_fluxer {
        config.crate_name = default_crate_name(spec);
    }
    config.standalone = true;
    Ok(config)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `xtask bench-one SPEC OUT`: one generation run; prints one `bench-one key=value…` line.
pub fn run_one(args: &[String]) -> Result<(), String> {
    let [spec, out] = args else {
        return Err("usage: xtask bench-one SPEC OUTDIR".into());
    };
    let (spec, out) = (Path::new(spec), Path::new(out));
    let config = config_for(spec)?;
    let start = Instant::now();
    let (output, leftovers) =
        codegen::generate_keeping(spec, &config).map_err(|e| e.to_string())?;
    // Freed with the process (below), not one node at a time.
    std::mem::forget(leftovers);
    let t = Instant::now();
    codegen::write::write(out, &output.files).map_err(|e| e.to_string())?;
    let write = t.elapsed();
    let total = start.elapsed();
    let bytes: usize = output.files.values().map(String::len).sum();
    let lines: usize = output.files.values().map(|t| t.lines().count()).sum();
    let mut line = format!(
        "bench-one ops={} types={} files={} bytes={bytes} lines={lines} warnings={} skipped={}",
        output.operations,
        output.types,
        output.files.len(),
        output.warnings.len(),
        output.skipped_operations
    );
    for (stage, d) in output
        .timings
        .iter()
        .copied()
        .chain(std::iter::once(("write", write)))
    {
        line.push_str(&format!(" {stage}={}", d.as_micros()));
    }
    line.push_str(&format!(" total={}", total.as_micros()));
    if let Some(kb) = peak_kb() {
        line.push_str(&format!(" peak_kb={kb}"));
    }
    if let Some(t) = cpu_times() {
        line.push_str(&format!(" cpu={}", (t.own * 1e6) as u64));
    }
    println!("{line}");
    // Exit without dropping the output: freeing it is not part of generating.
    std::process::exit(0);
}

/// `/proc/loadavg` (1, 5, 15 minutes): other work on the machine skews the figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// Peak resident set of this process (Linux `VmHWM`), in KiB.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system, seconds) of this process and of its waited-for children.
struct CpuTimes {
    own: f64,
    children: f64,
}

/// From `/proc/self/stat` (Linux; clock ticks of 1/100 s).
fn cpu_times() -> Option<CpuTimes> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    let [utime, stime, cutime, cstime] = f[..] else {
        return None;
    };
    Some(CpuTimes {
        own: (utime + stime) / 100.0,
        children: (cutime + cstime) / 100.0,
    })
}

/// One child run's figures.
struct Sample {
    wall: Duration,
    fields: BTreeMap<String, u64>,
}

struct Row {
    name: String,
    size: u64,
    samples: Vec<Sample>,
}

fn bench_spec(
    spec: &Path,
    runs: usize,
    gen_dir: &Path,
    threads: Option<usize>,
) -> Result<Row, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let name = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let label = match spec.parent().and_then(Path::file_name) {
        Some(dir) => format!("{}/{}", dir.to_string_lossy(), file_name(spec)),
        None => file_name(spec),
    };
    let dir = gen_dir.join(&name);
    let size = std::fs::metadata(spec).map_err(|e| e.to_string())?.len();
    let mut samples = Vec::new();
    eprint!("{label}: ");
    for run in 0..runs {
        let out = dir.join(format!("run{run}"));
        let mut command = Command::new(&exe);
        command.arg("bench-one").arg(spec).arg(&out);
        if let Some(n) = threads {
            command.env("CODEGEN_THREADS", n.to_string());
        }
        let start = Instant::now();
        let child = command
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {}: {e}", exe.display()))?;
        let wall = start.elapsed();
        if !child.status.success() {
            return Err(format!(
                "generating {} failed:\n{}",
                spec.display(),
                String::from_utf8_lossy(&child.stderr)
            ));
        }
        let stdout = String::from_utf8_lossy(&child.stdout);
        let line = stdout
            .lines()
            .find(|l| l.starts_with("bench-one "))
            .ok_or_else(|| format!("no figures from the child for {}", spec.display()))?;
        let fields = line
            .split_whitespace()
            .skip(1)
            .filter_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                Some((k.to_string(), v.parse().ok()?))
            })
            .collect();
        eprint!("{}ms ", wall.as_millis());
        samples.push(Sample { wall, fields });
    }
    eprintln!();
    Ok(Row {
        name: label,
        size,
        samples,
    })
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

fn ms(us: u64) -> String {
    format!("{:.1}", us as f64 / 1000.0)
}

fn print_table(rows: &[Row]) {
    if rows.is_empty() {
        return;
    }
    println!();
    println!(
        "| spec | size MB | ops | types | files | lines | median ms | min ms | max ms | cpu ms | peak MB | {} |",
        STAGES.map(|s| format!("{s} ms")).join(" | ")
    );
    println!("|{}", "---|".repeat(11 + STAGES.len()));
    for r in rows {
        let field = |k: &str| -> Vec<u64> {
            r.samples
                .iter()
                .map(|s| s.fields.get(k).copied().unwrap_or(0))
                .collect()
        };
        let first = |k: &str| field(k).first().copied().unwrap_or(0);
        let walls: Vec<u64> = r
            .samples
            .iter()
            .map(|s| s.wall.as_micros() as u64)
            .collect();
        let peak = if r.samples.iter().all(|s| s.fields.contains_key("peak_kb")) {
            format!("{:.1}", median(field("peak_kb")) as f64 / 1024.0)
        } else {
            "n/a".into()
        };
        let stages: Vec<String> = STAGES.iter().map(|s| ms(median(field(s)))).collect();
        let cpu = if r.samples.iter().all(|s| s.fields.contains_key("cpu")) {
            format!("{:.0}", median(field("cpu")) as f64 / 1000.0)
        } else {
            "n/a".into()
        };
        println!(
            "| {} | {:.2} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.size as f64 / 1_048_576.0,
            first("ops"),
            first("types"),
            first("files"),
            first("lines"),
            ms(median(walls.clone())),
            ms(*walls.iter().min().unwrap_or(&0)),
            ms(*walls.iter().max().unwrap_or(&0)),
            cpu,
            peak,
            stages.join(" | ")
        );
    }
    println!();
    println!(
        "median/min/max: wall time of the child process (start to exit); cpu: its user + system \
         time (1/100 s ticks); stages: median of the child's own timings; peak: median of the \
         child's VmHWM (peak resident set)."
    );
}

// ---------------------------------------------------------------------------------------------
// --compile
// ---------------------------------------------------------------------------------------------

fn compile(bench_dir: &Path, runs: usize) -> Result<(), String> {
    let spec = root().join(FLUXER);
    if !spec.exists() {
        println!("SKIPPED: --compile needs {}", spec.display());
        return Ok(());
    }
    let krate = bench_dir.join("fluxer-full");
    let target = bench_dir.join("target");
    let config = config_for(&spec)?;
    let output = codegen::generate(&spec, &config).map_err(|e| e.to_string())?;
    codegen::write::write(&krate, &output.files).map_err(|e| e.to_string())?;
    // The workspace's lock file pins the shared dependencies, so figures compare across runs.
    let lock = krate.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root().join("Cargo.lock"), &lock).map_err(|e| e.to_string())?;
    }
    println!();
    println!(
        "compile: full Fluxer crate in {} ({} operations, {} types), target folder {}",
        krate.display(),
        output.operations,
        output.types,
        target.display()
    );
    print_counts(&krate);

    let cargo = Cargo {
        manifest: krate.join("Cargo.toml"),
        target: target.clone(),
        lib: krate.join("src/lib.rs"),
    };
    // (what, command, (wall, cpu seconds) per run)
    type Measured = (String, String, Vec<(Duration, f64)>);
    let mut results: Vec<Measured> = Vec::new();

    // (a) Clean build with dependencies, with --timings for the crate's share.
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| e.to_string())?;
    }
    eprintln!("clean build (with dependencies)…");
    let clean = cargo.run(&["build", "--timings"])?;
    results.push((
        "clean build with dependencies".into(),
        "rm -rf target; cargo build --timings".into(),
        vec![clean],
    ));
    let clean_wall = clean.0;
    let timings = find_timings(&target);

    // (b) Crate-only debug build.
    let mut builds = Vec::new();
    for _ in 0..runs {
        cargo.touch()?;
        builds.push(cargo.run(&["build"])?);
    }
    results.push((
        "crate-only debug build".into(),
        "touch src/lib.rs; cargo build".into(),
        builds,
    ));

    // (c) Crate-only check (dependencies' metadata once first).
    eprintln!("check: dependencies first…");
    cargo.run(&["check"])?;
    let mut checks = Vec::new();
    for _ in 0..runs {
        cargo.touch()?;
        checks.push(cargo.run(&["check"])?);
    }
    results.push((
        "crate-only check".into(),
        "touch src/lib.rs; cargo check".into(),
        checks,
    ));

    // (d) One tag only (dependencies once first; their features do not change).
    let one = ["build", "--no-default-features", "--features", ONE_TAG];
    cargo.run(&one)?;
    let mut tag = Vec::new();
    for _ in 0..runs {
        cargo.touch()?;
        tag.push(cargo.run(&one)?);
    }
    results.push((
        format!("crate-only build, `{ONE_TAG}` feature only"),
        format!("touch src/lib.rs; cargo build --no-default-features --features {ONE_TAG}"),
        tag,
    ));

    println!();
    println!("| what | command | median s | min s | max s | cpu s (median) | runs |");
    println!("|---|---|---|---|---|---|---|");
    for (what, cmd, times) in &results {
        let walls: Vec<Duration> = times.iter().map(|t| t.0).collect();
        let mut cpus: Vec<f64> = times.iter().map(|t| t.1).collect();
        cpus.sort_by(f64::total_cmp);
        let secs = |d: &Duration| format!("{:.2}", d.as_secs_f64());
        println!(
            "| {what} | `{cmd}` | {} | {} | {} | {:.1} | {} |",
            secs(&median(walls.clone())),
            secs(walls.iter().min().unwrap_or(&Duration::ZERO)),
            secs(walls.iter().max().unwrap_or(&Duration::ZERO)),
            cpus[cpus.len() / 2],
            times.len()
        );
    }
    println!(
        "(all with CARGO_INCREMENTAL=0; cpu: user + system time of cargo and the compilers it ran)"
    );
    println!("load average after compiling: {}", load_average());
    match timings {
        Some(path) => report_timings(&path, &config.crate_name, clean_wall),
        None => println!("(no cargo-timing.html found under {})", target.display()),
    }
    Ok(())
}

struct Cargo {
    manifest: PathBuf,
    target: PathBuf,
    lib: PathBuf,
}

impl Cargo {
    /// Runs a cargo command on the generated crate; returns its wall time and the CPU time of
    /// cargo and everything it ran (seconds).
    fn run(&self, args: &[&str]) -> Result<(Duration, f64), String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let cpu_before = cpu_times().map_or(0.0, |t| t.children);
        let start = Instant::now();
        let out = Command::new(&cargo)
            .args(args)
            .arg("--manifest-path")
            .arg(&self.manifest)
            .env("CARGO_TARGET_DIR", &self.target)
            // Every figure is a full compile of the crate, as after regenerating it: with
            // incremental compilation a touched but unchanged crate reuses nearly all its work.
            .env("CARGO_INCREMENTAL", "0")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .current_dir(self.manifest.parent().unwrap_or(Path::new(".")))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {cargo}: {e}"))?;
        let took = start.elapsed();
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = err.lines().rev().take(60).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "`cargo {}` failed:\n{}",
                args.join(" "),
                tail.join("\n")
            ));
        }
        let cpu = cpu_times().map_or(0.0, |t| t.children) - cpu_before;
        eprintln!(
            "  cargo {}: {:.2}s (cpu {cpu:.1}s)",
            args.join(" "),
            took.as_secs_f64()
        );
        Ok((took, cpu))
    }

    /// Marks the crate changed so only it is rebuilt.
    fn touch(&self) -> Result<(), String> {
        std::fs::File::options()
            .write(true)
            .open(&self.lib)
            .and_then(|f| f.set_modified(SystemTime::now()))
            .map_err(|e| format!("touching {}: {e}", self.lib.display()))
    }
}

fn find_timings(target: &Path) -> Option<PathBuf> {
    let dir = target.join("cargo-timings");
    let p = dir.join("cargo-timing.html");
    if p.exists() {
        return Some(p);
    }
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "html"))
}

/// Reads `UNIT_DATA` from cargo's timing report: the crate's own time against the whole build.
fn report_timings(path: &Path, crate_name: &str, wall: Duration) {
    let Ok(html) = std::fs::read_to_string(path) else {
        return;
    };
    let Some(units) = html
        .split("const UNIT_DATA = ")
        .nth(1)
        .and_then(|s| s.split(";\n").next())
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
    else {
        println!("(could not read UNIT_DATA from {})", path.display());
        return;
    };
    let units = units.as_array().cloned().unwrap_or_default();
    // (name, duration, front end): the front end ends where `codegen` starts (cargo ≥ 1.9x
    // reports sections; older ones `rmeta_time`).
    let mut rows: Vec<(String, f64, f64)> = units
        .iter()
        .map(|u| {
            let name = u["name"].as_str().unwrap_or("?");
            let target = u["target"].as_str().unwrap_or("");
            let duration = u["duration"].as_f64().unwrap_or(0.0);
            let frontend = u["sections"]
                .as_array()
                .and_then(|s| {
                    s.iter()
                        .find(|s| s[0] == "frontend")
                        .and_then(|s| s[1]["end"].as_f64())
                })
                .or_else(|| u["rmeta_time"].as_f64())
                .unwrap_or(duration);
            (format!("{name}{target}"), duration, frontend)
        })
        .collect();
    let sum: f64 = rows.iter().map(|r| r.1).sum();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let own = rows
        .iter()
        .find(|r| r.0 == crate_name || r.0.starts_with(&format!("{crate_name} ")));
    println!();
    println!(
        "cargo build --timings (clean): {} units, {:.1}s of unit time on {} core(s) in {:.1}s wall; report {}",
        rows.len(),
        sum,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        wall.as_secs_f64(),
        path.display()
    );
    if let Some((name, d, frontend)) = own {
        println!(
            "the crate itself ({name}): {d:.1}s = {:.0}% of unit time, {:.0}% of the wall time \
             (it starts when its dependencies are done); front end (parsing, macro expansion, \
             type checking) {frontend:.1}s, code generation {:.1}s",
            100.0 * d / sum.max(f64::EPSILON),
            100.0 * d / wall.as_secs_f64().max(f64::EPSILON),
            d - frontend
        );
    }
    println!("slowest units:");
    for (name, d, _) in rows.iter().take(8) {
        println!("  {d:>6.1}s  {name}");
    }
}

/// Counts of what the generated crate's source contains (what the compiler has to chew).
fn print_counts(krate: &Path) {
    let mut files = Vec::new();
    walk_rs(&krate.join("src"), &mut files);
    files.sort();
    println!();
    println!("| file | lines | structs | enums | impls | fns | serde derives | serde impl macros | cfg |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut total = [0usize; 8];
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let c = count_items(&text);
        for (t, v) in total.iter_mut().zip(c) {
            *t += v;
        }
        let rel = f.strip_prefix(krate).unwrap_or(f);
        println!(
            "| {} | {} |",
            rel.display(),
            c.map(|v| v.to_string()).join(" | ")
        );
    }
    println!(
        "| total ({} files) | {} |",
        files.len(),
        total.map(|v| v.to_string()).join(" | ")
    );
}

/// lines, structs, enums, impls, fns, serde derives (`Serialize`/`Deserialize` in derive lists),
/// invocations of the serde impl macros of `types.rs`, cfg attributes.
fn count_items(text: &str) -> [usize; 8] {
    let mut c = [0usize; 8];
    let mut in_derive = false;
    for line in text.lines() {
        c[0] += 1;
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        let item = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        if item.starts_with("struct ") {
            c[1] += 1;
        } else if item.starts_with("enum ") {
            c[2] += 1;
        } else if item.starts_with("impl ") || item.starts_with("impl<") {
            c[3] += 1;
        } else if item.starts_with("fn ")
            || item.starts_with("async fn ")
            || item.starts_with("const fn ")
        {
            c[4] += 1;
        }
        // A derive list may span lines when prettyplease wraps it.
        if t.starts_with("#[derive(") {
            in_derive = true;
        }
        if in_derive {
            let words = t.split(|ch: char| !(ch.is_alphanumeric() || ch == '_'));
            for w in words {
                if matches!(w, "Serialize" | "Deserialize") {
                    c[5] += 1;
                }
            }
            if t.contains(")]") {
                in_derive = false;
            }
        }
        if [
            "serde_struct!(",
            "serde_union!(",
            "string_enum!(",
            "int_enum!(",
            "flag_ops!(",
        ]
        .iter()
        .any(|m| t.starts_with(&format!("crate::types::{m}")))
        {
            c[6] += 1;
        }
        if t.starts_with("#[cfg(") {
            c[7] += 1;
        }
    }
    c
}

fn walk_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_items_and_wrapped_derives() {
        let src = "#[derive(\n    Clone,\n    Serialize,\n    Deserialize,\n)]\npub struct A {}\nimpl A {\n    pub fn new() -> Self { A {} }\n}\ncrate::types::serde_struct!(A {});\n#[cfg(feature = \"x\")]\nenum B {}\n";
        let c = count_items(src);
        assert_eq!(c[1..], [1, 1, 1, 1, 2, 1, 1]);
    }

    #[test]
    fn parses_arguments() {
        let a = parse_args(&[
            "--runs".into(),
            "3".into(),
            "--compile".into(),
            "x.json".into(),
        ])
        .unwrap();
        assert_eq!((a.runs, a.compile, a.specs.len()), (3, true, 1));
        assert!(parse_args(&["--runs".into(), "0".into()]).is_err());
        assert!(parse_args(&["--bogus".into()]).is_err());
    }
}
