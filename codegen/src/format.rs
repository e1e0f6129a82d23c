//! Stage 5: token streams -> formatted Rust source (prettyplease), text files as they are.

use crate::emit::{Emitted, HEADER};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Formats every emitted file; an error names the file whose tokens did not parse (a generator bug).
pub fn format_all(files: Vec<(PathBuf, Emitted)>) -> Result<BTreeMap<PathBuf, String>, String> {
    let mut out = BTreeMap::new();
    for (path, file) in files {
        let text = format_part(&path, 0, file)?;
        out.insert(path, text);
    }
    Ok(out)
}

/// Formats part `index` of a file: Rust tokens through prettyplease, text as it is. The header
/// goes before part 0 only; a file is its formatted parts joined in order.
pub fn format_part(path: &Path, index: usize, part: Emitted) -> Result<String, String> {
    Ok(match part {
        Emitted::Text(t) => t,
        Emitted::Rust(tokens) => {
            let parsed: syn::File = syn::parse2(tokens)
                .map_err(|e| format!("{}: generated tokens do not parse: {e}", path.display()))?;
            let text = prettyplease::unparse(&parsed);
            if index == 0 {
                format!("{HEADER}{text}")
            } else {
                text
            }
        }
    })
}
