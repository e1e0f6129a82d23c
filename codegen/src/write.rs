//! Stage 6: write the files (sorted, so runs are byte-identical) or compare them with disk.

use crate::diag::Error;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Writes `files` under `dir`, removing files there that are no longer generated
/// (only inside the folders the generator owns: `src/`, `docs/`, `examples/`).
pub fn write(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), Error> {
    let io = |p: &Path, e: std::io::Error| Error::Output {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let existing = owned_files(dir);
    for stale in existing.iter().filter(|p| is_stale(dir, p, files)) {
        std::fs::remove_file(stale).map_err(|e| io(stale, e))?;
    }
    let existing: HashSet<PathBuf> = existing.into_iter().collect();
    let mut made: HashSet<&Path> = HashSet::new();
    for rel in files.keys() {
        if let Some(parent) = rel.parent() {
            if made.insert(parent) {
                let parent = dir.join(parent);
                std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
            }
        }
    }
    // Thousands of small files (Stripe's docs): creating them is system-call bound, so the
    // files are shared out over the threads; the first error in path order is reported.
    let files: Vec<(&PathBuf, &String)> = files.iter().collect();
    let write_one = |(rel, text): &(&PathBuf, &String)| -> Result<(), Error> {
        let path = dir.join(rel);
        // Unchanged files are left alone (their mtime too); in the generator's folders only the
        // files found there can be unchanged, so the others are not read first.
        let owned = rel.components().count() > 1 && is_owned(rel);
        let unchanged = (!owned || existing.contains(&path))
            && std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str());
        if !unchanged {
            std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        }
        Ok(())
    };
    let threads = crate::threads().min(files.len() / 64).max(1);
    let mut results = crate::on_threads(threads, |t| {
        (t..files.len())
            .step_by(threads)
            .map(|i| (i, write_one(&files[i])))
            .filter(|(_, r)| r.is_err())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().try_for_each(|(_, r)| r)
}

/// The folders the generator owns (and cleans of files it no longer generates).
const OWNED: [&str; 3] = ["src", "docs", "examples"];

fn is_owned(rel: &Path) -> bool {
    rel.components()
        .next()
        .is_some_and(|c| OWNED.iter().any(|o| c.as_os_str() == *o))
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
    let mut out = owned_files(dir);
    out.retain(|p| is_stale(dir, p, files));
    out
}

/// Files now in the generator's folders under `dir`, sorted.
fn owned_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for owned in OWNED {
        walk(&dir.join(owned), &mut out);
    }
    out.sort();
    out
}

fn is_stale(dir: &Path, p: &Path, files: &BTreeMap<PathBuf, String>) -> bool {
    p.strip_prefix(dir)
        .is_ok_and(|rel| !files.contains_key(rel))
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
