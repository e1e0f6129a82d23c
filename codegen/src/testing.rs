//! For tests that read the shared material beside the repository (`../shared`: the upstream
//! Fluxer document, the corpus). One rule for all of them: when it is absent, a test says so
//! where it is seen, and under `CI=true` it fails instead of passing without having run.

use std::io::Write as _;
use std::path::PathBuf;

/// `../shared/<rel>` (beside the repository) when it exists. When it does not: under `CI` (set
/// to anything but empty, `0` or `false`) a panic, since a skip must not pass as a test run;
/// otherwise a loud `SKIPPED` line and `None`. The line is written straight to the process's
/// stderr: libtest captures `eprintln!` and shows it only for failing tests.
pub fn shared(rel: &str, test: &str) -> Option<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = repo.join("../../shared").join(rel);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "SKIPPED: {} not found: `{test}` did NOT run its checks on it",
        path.display()
    );
    if in_ci() {
        panic!("{message} (CI is set, so this is an error)");
    }
    let bar = "=".repeat(78);
    let _ = std::io::stderr().write_all(format!("\n{bar}\n{message}\n{bar}\n\n").as_bytes());
    None
}

/// Whether the tests run in CI (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The text of every generated API module (`src/apis/…`), for tests that look for methods.
pub fn api_modules(files: &std::collections::BTreeMap<PathBuf, String>) -> String {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("src/apis"))
        .map(|(_, t)| t.as_str())
        .collect()
}

/// The body of generated method `name` in `text` (from its `pub fn` to the closing brace).
pub fn method_body<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("pub fn {name}("))
        .unwrap_or_else(|| panic!("no method {name}"));
    let end = text[start..].find("\n    }\n").unwrap() + start;
    &text[start..end]
}
