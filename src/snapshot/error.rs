//! Why a snapshot could not be loaded. Every variant names the file and, where the
//! format has one, the position (line and column, or CSV record), and says what was
//! expected, so the administrator can fix the export.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: snapshot folder not found", path.display())]
    NoSuchFolder { path: PathBuf },

    #[error("{}: not a folder; give the snapshot folder that holds lookout.json and the device lists", path.display())]
    NotAFolder { path: PathBuf },

    #[error("{}: required file {file} is missing ({why})", dir.display())]
    Missing {
        dir: PathBuf,
        file: &'static str,
        why: &'static str,
    },

    #[error("{}: both {a} and {b} are present; keep only one of them so it is clear which export to read", dir.display())]
    Ambiguous { dir: PathBuf, a: String, b: String },

    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}:{line}:{column}: {message}", path.display())]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{}: header row (line {line}): {message}", path.display())]
    CsvHeader {
        path: PathBuf,
        line: u64,
        message: String,
    },

    #[error("{}: record {record} (line {line}): {message}", path.display())]
    CsvRecord {
        path: PathBuf,
        record: u64,
        line: u64,
        message: String,
    },

    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl LoadError {
    /// Turns a serde_json error into a message a person can act on: the position is
    /// carried separately, and "EOF while parsing" becomes a hint about truncation.
    pub fn json(path: PathBuf, err: &serde_json::Error) -> LoadError {
        let raw = err.to_string();
        // serde_json appends " at line L column C"; we print the position ourselves.
        let message = match raw.rfind(" at line ") {
            Some(i) => raw[..i].to_string(),
            None => raw,
        };
        let message = if err.is_eof() {
            format!("{message}: the file ends too early (truncated download or copy?)")
        } else if err.is_syntax() {
            format!("{message}: this is not valid JSON")
        } else {
            message
        };
        LoadError::Json {
            path,
            line: err.line(),
            column: err.column(),
            message,
        }
    }
}
