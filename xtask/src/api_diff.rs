//! `cargo xtask api-diff OLD NEW` and `cargo xtask codegen --diff OLD [--spec NEW]`: what a
//! change of the description does to the generated crate's public Rust API (`codegen::diff`).
//!
//! Both documents are built into the IR with one config (the one beside NEW, or the project's),
//! so that only the documents differ. The exit status is 0 whatever the report says, except
//! with `--deny breaking`, which exits 1 when something breaks.

use codegen::diff::{self, Kind};
use codegen::Config;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options after the two documents.
#[derive(Default)]
pub struct Options {
    pub json: bool,
    pub changelog: Option<PathBuf>,
    pub deny_breaking: bool,
    /// The crate's current version (default: the config's `crate_version`).
    pub version: Option<String>,
}

impl Options {
    /// Takes the option at `args[*i]` (and its value) if it is one of ours.
    pub fn take(&mut self, args: &[String], i: &mut usize) -> Result<bool, String> {
        let arg = args[*i].as_str();
        let mut value = |name: &str| {
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg {
            "--format" => match value("--format")?.as_str() {
                "json" => self.json = true,
                "text" => self.json = false,
                other => return Err(format!("--format is `text` or `json`, not `{other}`")),
            },
            "--changelog" => self.changelog = Some(value("--changelog")?.into()),
            "--deny" => match value("--deny")?.as_str() {
                "breaking" => self.deny_breaking = true,
                other => return Err(format!("--deny takes `breaking`, not `{other}`")),
            },
            "--crate-version" => self.version = Some(value("--crate-version")?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

pub const USAGE: &str = "cargo xtask api-diff OLD NEW [--format text|json] [--changelog FILE] [--deny breaking] [--crate-version V]";

/// `cargo xtask api-diff OLD NEW [options]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut options = Options::default();
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if !options.take(args, &mut i)? {
            if args[i].starts_with("--") {
                return Err(format!("unknown argument `{}`; usage: {USAGE}", args[i]));
            }
            files.push(PathBuf::from(&args[i]));
        }
        i += 1;
    }
    let [old, new] = files.as_slice() else {
        return Err(format!("two documents needed; usage: {USAGE}"));
    };
    let config = Config::beside(new).map_err(|e| e.to_string())?;
    report(old, new, &config, &options)
}

/// Builds both IRs with `config`, prints the report and writes the changelog section.
pub fn report(old: &Path, new: &Path, config: &Config, options: &Options) -> Result<(), String> {
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| codegen::build_ir(old, config));
        let b = codegen::build_ir(new, config);
        (a.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), b)
    });
    let (a, b) = (a.map_err(|e| e.to_string())?, b.map_err(|e| e.to_string())?);
    let report = diff::compare(&a, &b);
    // A one-shot command: the IRs go with the process.
    std::mem::forget((a, b));
    let version = options
        .version
        .clone()
        .unwrap_or_else(|| config.crate_version.clone());
    let (old_name, new_name) = (old.display().to_string(), new.display().to_string());
    let text = if options.json {
        let json = report.json(&old_name, &new_name, &version);
        serde_json::to_string_pretty(&json).map_err(|e| e.to_string())? + "\n"
    } else {
        report.text(&old_name, &new_name, &version)
    };
    // A reader that stops early (`| head`) is not an error of the report.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if let Some(path) = &options.changelog {
        let existing = std::fs::read_to_string(path).ok();
        let text = diff::insert_changelog(existing.as_deref(), &report.changelog_section(&version));
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!(
            "wrote the {} section to {}",
            report.next_version(&version),
            path.display()
        );
    }
    let breaking = report.count(Kind::Breaking);
    if options.deny_breaking && breaking > 0 {
        return Err(format!(
            "{breaking} breaking change(s) to the public API (--deny breaking)"
        ));
    }
    Ok(())
}
