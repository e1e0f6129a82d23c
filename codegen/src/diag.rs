//! Diagnostics: errors that stop generation and warnings that degrade gracefully.
//! Every one names the spec file and a JSON pointer into the document the user wrote.

use std::fmt;

/// A fatal problem with the input. Displayed as `FILE#/json/pointer: message`
/// (or `FILE:line:col: message` for syntax errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The file could not be read.
    Io { file: String, message: String },
    /// The file is not valid JSON or YAML.
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The document is well-formed but not a usable OpenAPI description.
    Spec {
        file: String,
        pointer: String,
        message: String,
    },
    /// The generated output could not be written or checked.
    Output { path: String, message: String },
}

impl Error {
    /// An error at a JSON pointer of `file`.
    pub fn spec(file: &str, pointer: &str, message: impl Into<String>) -> Self {
        Error::Spec {
            file: file.to_string(),
            pointer: pointer.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { file, message } => write!(f, "{file}: {message}"),
            Error::Syntax {
                file,
                line,
                column,
                message,
            } => {
                if *line == 0 {
                    // The parser gave no position (e.g. YAML's alias repetition limit).
                    write!(f, "{file}: {message}")
                } else {
                    write!(f, "{file}:{line}:{column}: {message}")
                }
            }
            Error::Spec {
                file,
                pointer,
                message,
            } => write!(f, "{file}#{pointer}: {message}"),
            Error::Output { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// A construct the generator could not express precisely; it fell back (usually to
/// `serde_json::Value`) and generation went on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// The file the pointer is in; `None` while it is not known yet (the pipeline fills it in:
    /// the entry file, or the file a part of a multi-file description came from).
    pub file: Option<String>,
    /// JSON pointer into the original document.
    pub pointer: String,
    /// What was not supported and what was generated instead.
    pub message: String,
}

impl Warning {
    /// A warning at a pointer of a file not named yet.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            file: None,
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// The same warning, in `file` unless it already names one.
    pub fn in_file(mut self, file: &str) -> Self {
        if self.file.is_none() {
            self.file = Some(file.to_string());
        }
        self
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.as_deref().unwrap_or("");
        write!(f, "{file}#{}: {}", self.pointer, self.message)
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends one token to a pointer.
pub fn join(pointer: &str, token: &str) -> String {
    // Built directly: this runs for every property and branch the IR visits.
    let mut out = String::with_capacity(pointer.len() + 1 + token.len());
    out.push_str(pointer);
    out.push('/');
    if token.contains(['~', '/']) {
        out.push_str(&escape_token(token));
    } else {
        out.push_str(token);
    }
    out
}
