//! The generated crate's `rust-version` is the real minimum of its dependency tree: the
//! highest `rust-version` any package it builds declares, read from the resolved
//! `Cargo.lock` with `cargo metadata`, for the host platform.

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// `1.85` and `1.85.0` compare equal.
fn version(v: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = v.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    parts
}

/// The host's target triple: only its dependencies are resolved (and need to be present).
fn host() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc names its host")
        .to_string()
}

#[test]
fn rust_version_is_the_highest_of_the_dependency_tree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--filter-platform",
        ])
        .arg(host())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let packages: HashMap<&str, &Value> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let sdk = packages
        .values()
        .find(|p| p["name"] == "fluxer-sdk")
        .expect("the generated crate is a workspace member");
    // Normal (not dev or build) dependencies, transitively.
    let mut seen = BTreeSet::new();
    let mut stack = vec![sdk["id"].as_str().unwrap()];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let normal = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            if normal {
                stack.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    let (needed, by) = seen
        .iter()
        .filter(|id| **id != sdk["id"].as_str().unwrap())
        .filter_map(|id| {
            let p = packages[id];
            p["rust_version"]
                .as_str()
                .map(|v| (version(v), p["name"].as_str().unwrap().to_string()))
        })
        .max()
        .expect("some dependency declares a rust-version");
    let declared = sdk["rust_version"].as_str().expect("rust-version declared");
    assert_eq!(
        version(declared),
        needed,
        "generated crate declares rust-version {declared}, but {by} needs {needed:?}"
    );
    assert_eq!(declared, codegen::emit::krate::RUST_VERSION);
}
