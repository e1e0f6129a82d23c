//! Between stage 1 and stage 2: OpenAPI Overlay Specification 1.0 documents applied to the
//! loaded description, so that users can fix what a spec gets wrong without forking it.
//!
//! An overlay is `overlay: 1.0.0`, an `info` object and an ordered list of `actions`, each a
//! JSONPath (RFC 9535, the maintained `serde_json_path` crate) `target` with either
//! `remove: true` or an `update`. Actions apply in order, each to the result of the ones
//! before; overlays apply in the order they are given. Per the specification:
//! - `remove` takes every selected node out of the object or array that holds it;
//! - `update` on a selected object merges recursively: a key only in the update is added, a
//!   primitive replaces a primitive, arrays are concatenated, objects merge; any other pair
//!   (an object over a string, say) is an error naming the action;
//! - `update` on a selected array appends the update value as one new entry;
//! - a target that selects a primitive value is an error (select the object holding it);
//! - a target that selects nothing is a warning (a stale overlay must not pass unnoticed).
//!
//! What an action adds is remembered ([`Provenance`]): a later error or warning about a node
//! an overlay added or replaced names the overlay file and action, since the spec file itself
//! does not contain that content.

use crate::build::json_kind;
use crate::diag::{escape_token, Error, Warning};
use serde_json::Value;
use serde_json_path::JsonPath;
use std::path::Path;

/// A parsed overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// The file name used in diagnostics.
    pub file: String,
    actions: Vec<Action>,
}

#[derive(Debug, Clone)]
struct Action {
    /// `/actions/N` in the overlay file.
    pointer: String,
    target_text: String,
    target: JsonPath,
    change: Change,
}

#[derive(Debug, Clone)]
enum Change {
    Remove,
    Update(Value),
}

/// Where overlay content went: pointers (in the document after the overlays) of nodes an
/// action added or replaced, with the action (`FILE#/actions/N`).
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    added: Vec<(String, String)>,
}

impl Provenance {
    /// The overlay action that put the node at `pointer` (or one of its ancestors) there.
    pub fn source_of(&self, pointer: &str) -> Option<&str> {
        // The last action wins: a later action may have replaced an earlier one's content.
        self.added
            .iter()
            .rev()
            .find(|(p, _)| {
                pointer == p
                    || (pointer.starts_with(p.as_str()) && pointer[p.len()..].starts_with('/'))
            })
            .map(|(_, s)| s.as_str())
    }

    /// Adds the overlay action to a warning about content an overlay added.
    pub fn annotate_warning(&self, w: &mut Warning) {
        if let Some(source) = self.source_of(&w.pointer) {
            w.message.push_str(&format!(" (added by overlay {source})"));
        }
    }

    /// Adds the overlay action to an error about content an overlay added.
    pub fn annotate_error(&self, e: Error) -> Error {
        match e {
            Error::Spec {
                file,
                pointer,
                message,
            } => match self.source_of(&pointer) {
                Some(source) => Error::Spec {
                    message: format!("{message} (added by overlay {source})"),
                    file,
                    pointer,
                },
                None => Error::Spec {
                    file,
                    pointer,
                    message,
                },
            },
            other => other,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
    }
}

/// Reads and checks an overlay file (JSON or YAML).
pub fn load_file(path: &Path) -> Result<Overlay, Error> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let root = crate::load::parse(&text, &file)?;
    parse(root, &file)
}

/// Checks an overlay document's shape and parses its JSONPath targets.
pub fn parse(root: Value, file: &str) -> Result<Overlay, Error> {
    let err = |pointer: &str, message: String| Error::spec(file, pointer, message);
    let Value::Object(mut top) = root else {
        return Err(err("", "an overlay must be an object".into()));
    };
    match top.get("overlay") {
        Some(Value::String(v)) if v.starts_with("1.") => {}
        Some(Value::String(v)) => {
            return Err(err(
                "/overlay",
                format!("overlay version `{v}` is not supported (1.x is)"),
            ))
        }
        Some(_) => return Err(err("/overlay", "`overlay` must be a version string".into())),
        None => {
            return Err(err(
                "",
                "not an overlay: the `overlay` version field is missing".into(),
            ))
        }
    }
    match top.get("info") {
        Some(Value::Object(info)) => {
            for key in ["title", "version"] {
                if !info.get(key).is_some_and(Value::is_string) {
                    return Err(err(
                        "/info",
                        format!("`info.{key}` is required and must be a string"),
                    ));
                }
            }
        }
        _ => return Err(err("", "`info` is required and must be an object".into())),
    }
    let actions = match top.remove("actions") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) => {
            return Err(err(
                "/actions",
                "`actions` must list at least one action".into(),
            ))
        }
        _ => {
            return Err(err(
                "/actions",
                "`actions` is required and must be an array".into(),
            ))
        }
    };
    let mut out = Vec::with_capacity(actions.len());
    for (i, action) in actions.into_iter().enumerate() {
        let pointer = format!("/actions/{i}");
        let Value::Object(mut a) = action else {
            return Err(err(&pointer, "an action must be an object".into()));
        };
        let target_text = match a.get("target") {
            Some(Value::String(t)) => t.clone(),
            _ => {
                return Err(err(
                    &format!("{pointer}/target"),
                    "`target` is required and must be a JSONPath string".into(),
                ))
            }
        };
        let target = JsonPath::parse(&target_text).map_err(|e| {
            err(
                &format!("{pointer}/target"),
                format!("`{target_text}` is not a valid JSONPath (RFC 9535): {e}"),
            )
        })?;
        let remove = match a.get("remove") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(err(
                    &format!("{pointer}/remove"),
                    "`remove` must be a boolean".into(),
                ))
            }
        };
        let change = match (remove, a.remove("update")) {
            (true, _) => Change::Remove,
            (false, Some(update)) => Change::Update(update),
            (false, None) => {
                return Err(err(
                    &pointer,
                    "an action needs `update` or `remove: true`".into(),
                ))
            }
        };
        out.push(Action {
            pointer,
            target_text,
            target,
            change,
        });
    }
    Ok(Overlay {
        file: file.to_string(),
        actions: out,
    })
}

impl Overlay {
    /// Applies the actions in order to `doc`. Targets that select nothing become warnings
    /// (pointing into the overlay file: `file` is the overlay's, not the spec's).
    pub fn apply(
        &self,
        doc: &mut Value,
        provenance: &mut Provenance,
        warnings: &mut Vec<(String, Warning)>,
    ) -> Result<(), Error> {
        for action in &self.actions {
            let source = format!("{}#{}", self.file, action.pointer);
            // Pointers first: the query borrows the document, the change mutates it.
            let pointers: Vec<String> = action
                .target
                .query_located(doc)
                .locations()
                .map(|p| p.to_json_pointer())
                .collect();
            if pointers.is_empty() {
                warnings.push((
                    self.file.clone(),
                    Warning {
                        file: Some(self.file.clone()),
                        pointer: format!("{}/target", action.pointer),
                        message: format!(
                            "target `{}` matches nothing in the description: the action changed nothing",
                            action.target_text
                        ),
                    },
                ));
                continue;
            }
            match &action.change {
                Change::Remove => {
                    // Deepest and last first, so that removing one node does not move the
                    // others (array indices shift down after a removal).
                    let mut sorted = pointers;
                    sorted.sort_by(|a, b| compare_for_removal(a, b));
                    sorted.dedup();
                    for p in sorted {
                        remove_at(doc, &p);
                    }
                }
                Change::Update(update) => {
                    for p in &pointers {
                        let node = doc.pointer_mut(p).ok_or_else(|| {
                            Error::spec(
                                &self.file,
                                &action.pointer,
                                format!("target node `{p}` disappeared while applying the action"),
                            )
                        })?;
                        merge_into(node, update, p, &source, provenance).map_err(|message| {
                            Error::spec(
                                &self.file,
                                &format!("{}/update", action.pointer),
                                format!("cannot apply to `#{p}`: {message}"),
                            )
                        })?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Removal order: later array indices before earlier ones, children before parents.
fn compare_for_removal(a: &str, b: &str) -> std::cmp::Ordering {
    let ta: Vec<&str> = a.split('/').collect();
    let tb: Vec<&str> = b.split('/').collect();
    for (x, y) in ta.iter().zip(&tb) {
        if x != y {
            return match (x.parse::<usize>(), y.parse::<usize>()) {
                (Ok(i), Ok(j)) => j.cmp(&i),
                _ => y.cmp(x),
            };
        }
    }
    tb.len().cmp(&ta.len())
}

fn remove_at(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        // The root itself: an overlay cannot remove the whole description; leave it be.
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.shift_remove(&key);
        }
        Some(Value::Array(a)) => {
            if let Ok(i) = key.parse::<usize>() {
                if i < a.len() {
                    a.remove(i);
                }
            }
        }
        _ => {}
    }
}

/// The `update` merge of the Overlay specification, recording what it adds or replaces.
fn merge_into(
    node: &mut Value,
    update: &Value,
    pointer: &str,
    source: &str,
    provenance: &mut Provenance,
) -> Result<(), String> {
    match (node, update) {
        (Value::Array(items), entry) => {
            provenance
                .added
                .push((format!("{pointer}/{}", items.len()), source.to_string()));
            items.push(entry.clone());
            Ok(())
        }
        (Value::Object(target), Value::Object(fields)) => {
            for (k, v) in fields {
                let child = format!("{pointer}/{}", escape_token(k));
                match target.get_mut(k) {
                    None => {
                        provenance.added.push((child, source.to_string()));
                        target.insert(k.clone(), v.clone());
                    }
                    Some(existing) => merge_value(existing, v, &child, source, provenance)?,
                }
            }
            Ok(())
        }
        (Value::Object(_), other) => Err(format!(
            "the target is an object, so `update` must be an object, not {}",
            json_kind(other)
        )),
        (other, _) => Err(format!(
            "the target is {}: an action selects objects or arrays (select the object holding the value)",
            json_kind(other)
        )),
    }
}

/// One property present in both the target and the update.
fn merge_value(
    existing: &mut Value,
    new: &Value,
    pointer: &str,
    source: &str,
    provenance: &mut Provenance,
) -> Result<(), String> {
    if existing.is_object() && new.is_object() {
        return merge_into(existing, new, pointer, source, provenance);
    }
    match (existing, new) {
        (Value::Array(items), Value::Array(more)) => {
            for m in more {
                provenance
                    .added
                    .push((format!("{pointer}/{}", items.len()), source.to_string()));
                items.push(m.clone());
            }
            Ok(())
        }
        (e, n) if !e.is_object() && !e.is_array() && !n.is_object() && !n.is_array() => {
            provenance.added.push((pointer.to_string(), source.to_string()));
            *e = n.clone();
            Ok(())
        }
        (e, n) => Err(format!(
            "`#{pointer}` is {} and the update gives {}: the Overlay specification merges only like with like",
            json_kind(e),
            json_kind(n)
        )),
    }
}
