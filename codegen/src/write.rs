//! Stage 6: write the files (sorted, so runs are byte-identical) or compare them with disk.
//!
//! The output folder may be the user's own crate folder, with files the generator never
//! wrote (a hand-written module under `src/`, notes under `docs/`). So the generator keeps a
//! manifest of what it wrote, [`MANIFEST`], and on the next run removes only files listed
//! there that it no longer generates: nothing else is ever deleted. It never follows a
//! symbolic link inside the output folder, for writing or for removing: a link there could
//! point anywhere on the machine.

use crate::diag::Error;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};

/// The manifest of generated files, relative to the output folder: one path per line after
/// a comment, sorted; it lists itself too.
pub const MANIFEST: &str = ".generated-files";

const MANIFEST_HEADER: &str =
    "# Files written by `cargo xtask codegen` (removed by it when no longer generated). Do not edit.\n";

/// The manifest's text for a set of generated files.
pub fn manifest(files: &BTreeMap<PathBuf, String>) -> String {
    let mut paths: BTreeSet<String> = files.keys().map(|p| slash_path(p)).collect();
    paths.insert(MANIFEST.to_string());
    let mut out = String::from(MANIFEST_HEADER);
    for p in paths {
        out.push_str(&p);
        out.push('\n');
    }
    out
}

/// `a/b/c` whatever the platform's separator, so the manifest reads the same everywhere.
fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The paths the manifest in `dir` lists (empty when there is none). Entries that are not
/// plain relative paths (`..`, absolute) are ignored: a tampered manifest cannot make the
/// generator delete outside its folder.
fn listed(dir: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(PathBuf::from)
        .filter(|p| p.components().all(|c| matches!(c, Component::Normal(_))))
        .collect()
}

/// Whether `rel` under `dir` goes through a symbolic link (itself or a folder on the way).
fn through_symlink(dir: &Path, rel: &Path) -> bool {
    let mut at = dir.to_path_buf();
    rel.components().any(|c| {
        at.push(c);
        std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink())
    })
}

/// Files the previous run wrote (by its manifest) that this run does not generate.
fn stale(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    listed(dir)
        .into_iter()
        .filter(|rel| rel != Path::new(MANIFEST) && !files.contains_key(rel))
        .filter(|rel| {
            std::fs::symlink_metadata(dir.join(rel)).is_ok_and(|m| m.file_type().is_file())
        })
        .collect()
}

/// Writes `files` and the manifest under `dir`, and removes the files the previous manifest
/// lists that are no longer generated. Refuses to write or remove through a symbolic link.
pub fn write(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), Error> {
    let io = |p: &Path, e: std::io::Error| Error::Output {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let manifest_text = manifest(files);
    let manifest_path = PathBuf::from(MANIFEST);
    let all: Vec<(&PathBuf, &String)> = files
        .iter()
        .chain(std::iter::once((&manifest_path, &manifest_text)))
        .collect();
    if let Some((rel, _)) = all.iter().find(|(rel, _)| through_symlink(dir, rel)) {
        return Err(Error::Output {
            path: dir.join(rel).display().to_string(),
            message: "is or goes through a symbolic link: refusing to write through it".into(),
        });
    }
    for rel in stale(dir, files) {
        if through_symlink(dir, &rel) {
            continue;
        }
        let path = dir.join(&rel);
        std::fs::remove_file(&path).map_err(|e| io(&path, e))?;
    }
    let mut made: HashSet<&Path> = HashSet::new();
    for (rel, _) in &all {
        if let Some(parent) = rel.parent() {
            if made.insert(parent) {
                let parent = dir.join(parent);
                std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
            }
        }
    }
    // Thousands of small files (Stripe's docs): creating them is system-call bound, so the
    // files are shared out over the threads; the first error in path order is reported.
    // Unchanged files are left alone, their mtime too.
    let write_one = |(rel, text): &(&PathBuf, &String)| -> Result<(), Error> {
        let path = dir.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        }
        Ok(())
    };
    let threads = crate::threads().min(all.len() / 64).max(1);
    let mut results = crate::on_threads(threads, |t| {
        (t..all.len())
            .step_by(threads)
            .map(|i| (i, write_one(&all[i])))
            .filter(|(_, r)| r.is_err())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().try_for_each(|(_, r)| r)
}

/// Relative paths that differ between `files` (plus the manifest) and `dir`: changed,
/// missing, or stale (listed by the manifest on disk and no longer generated), sorted.
pub fn diff(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let differs = |rel: &Path, text: &str| {
        std::fs::read_to_string(dir.join(rel)).ok().as_deref() != Some(text)
    };
    let mut out: Vec<PathBuf> = files
        .iter()
        .filter(|(rel, text)| differs(rel, text))
        .map(|(rel, _)| rel.clone())
        .collect();
    if differs(Path::new(MANIFEST), &manifest(files)) {
        out.push(PathBuf::from(MANIFEST));
    }
    out.extend(stale(dir, files));
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("codegen-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn files(list: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
        list.iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect()
    }

    #[test]
    fn removes_only_what_it_wrote_before() {
        let dir = tmp("stale");
        write(
            &dir,
            &files(&[("src/lib.rs", "a"), ("src/old.rs", "b"), ("docs/X.md", "c")]),
        )
        .unwrap();
        // The user's own files, in the generator's folders.
        std::fs::write(dir.join("src/mine.rs"), "mine").unwrap();
        std::fs::write(dir.join("docs/notes.md"), "notes").unwrap();
        let next = files(&[("src/lib.rs", "a2"), ("docs/X.md", "c")]);
        assert_eq!(
            diff(&dir, &next),
            vec![
                PathBuf::from(MANIFEST),
                PathBuf::from("src/lib.rs"),
                PathBuf::from("src/old.rs")
            ]
        );
        write(&dir, &next).unwrap();
        assert!(
            !dir.join("src/old.rs").exists(),
            "stale generated file removed"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("src/mine.rs")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("docs/notes.md")).unwrap(),
            "notes"
        );
        assert!(diff(&dir, &next).is_empty());
        assert_eq!(
            std::fs::read_to_string(dir.join(MANIFEST)).unwrap(),
            format!("{MANIFEST_HEADER}.generated-files\ndocs/X.md\nsrc/lib.rs\n")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_tampered_manifest_cannot_reach_outside() {
        let dir = tmp("tamper");
        let outside = tmp("tamper-outside");
        std::fs::write(outside.join("precious"), "keep").unwrap();
        let abs = outside.join("precious").display().to_string();
        std::fs::write(
            dir.join(MANIFEST),
            format!(
                "../{}/precious\n{abs}\n",
                outside.file_name().unwrap().to_string_lossy()
            ),
        )
        .unwrap();
        write(&dir, &files(&[("src/lib.rs", "a")])).unwrap();
        assert_eq!(
            std::fs::read_to_string(outside.join("precious")).unwrap(),
            "keep"
        );
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&outside);
    }

    #[cfg(unix)]
    #[test]
    fn never_follows_a_symlink() {
        let dir = tmp("link");
        let outside = tmp("link-outside");
        std::fs::write(outside.join("old.rs"), "theirs").unwrap();
        // A generated folder that is a link to somewhere else: nothing is written or removed
        // through it.
        std::os::unix::fs::symlink(&outside, dir.join("src")).unwrap();
        std::fs::write(dir.join(MANIFEST), "src/old.rs\n").unwrap();
        let err = write(&dir, &files(&[("src/lib.rs", "a")])).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(
            std::fs::read_to_string(outside.join("old.rs")).unwrap(),
            "theirs"
        );
        assert!(!outside.join("lib.rs").exists());
        // A generated file that is a link: refused too.
        let dir2 = tmp("link2");
        std::fs::write(outside.join("target"), "t").unwrap();
        std::os::unix::fs::symlink(outside.join("target"), dir2.join("README.md")).unwrap();
        assert!(write(&dir2, &files(&[("README.md", "r")])).is_err());
        assert_eq!(
            std::fs::read_to_string(outside.join("target")).unwrap(),
            "t"
        );
        for d in [dir, dir2, outside] {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}
