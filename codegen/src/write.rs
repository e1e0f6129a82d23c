//! Stage 6: write the files (sorted, so runs are byte-identical) or compare them with disk.

use crate::diag::Error;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Writes `files` under `dir`, removing files there that are no longer generated
/// (only inside the folders the generator owns: `src/`, `docs/`, `examples/`).
pub fn write(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), Error> {
    let io = |p: &Path, e: std::io::Error| Error::Output {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    for stale in stale_files(dir, files) {
        std::fs::remove_file(&stale).map_err(|e| io(&stale, e))?;
    }
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        }
    }
    Ok(())
}

/// Relative paths that differ between `files` and `dir` (changed, missing or stale), sorted.
pub fn diff(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = files
        .iter()
        .filter(|(rel, text)| {
            std::fs::read_to_string(dir.join(rel)).ok().as_deref() != Some(text.as_str())
        })
        .map(|(rel, _)| rel.clone())
        .collect();
    out.extend(
        stale_files(dir, files)
            .into_iter()
            .filter_map(|p| p.strip_prefix(dir).ok().map(Path::to_path_buf)),
    );
    out.sort();
    out
}

fn stale_files(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for owned in ["src", "docs", "examples"] {
        walk(&dir.join(owned), &mut out);
    }
    out.retain(|p| {
        p.strip_prefix(dir)
            .map_or(false, |rel| !files.contains_key(rel))
    });
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
