//! Why a snapshot could not be loaded. Every variant names the file and, where the
//! format has one, the position (line and column, or CSV record), and says what was
//! expected, so the administrator can fix the export.

use super::form::{Location, Skipped};
use std::path::{Path, PathBuf};

/// Longest message quoted from a file, in characters. Parser messages quote the
/// offending value; a 100 MB cell must not become a 100 MB error message.
const MAX_MESSAGE_CHARS: usize = 400;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: snapshot folder not found", path.display())]
    NoSuchFolder { path: PathBuf },

    #[error("{}: not a folder; give the snapshot folder that holds lookout.json and the device lists", path.display())]
    NotAFolder { path: PathBuf },

    #[error("{}: permission denied: this user may not reach the snapshot folder, because a folder on the way to it cannot be searched; give search permission (chmod a+x) to the folders above it, or run as a user who may", path.display())]
    FolderDenied { path: PathBuf },

    /// A link of the snapshot folder leading out of it, named with its text as the
    /// link says it; nothing at the target was read.
    #[error(
        "{}: is a symbolic link to {}, outside the snapshot folder; it was not followed, \
         so that a snapshot cannot have lookout-doctor read (and quote) a file elsewhere \
         on this machine; copy the file into the snapshot folder, or give --follow-links \
         if the link is meant",
        path.display(),
        quote(target)
    )]
    LinkOutside { path: PathBuf, target: String },

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

    /// Checked from the file's metadata before anything is read, so an oversized file
    /// never reaches memory.
    #[error(
        "{}: the file is {}, over the limit of {} per input file; if the export really \
         is that large, raise the limit with {}=<bytes> (e.g. 8GiB)",
        path.display(),
        size_words(*size),
        size_words(*limit),
        super::text::MAX_FILE_SIZE_ENV
    )]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },

    /// A setting of the run (an environment variable) that cannot be used.
    #[error("{name}: {message}")]
    Setting { name: &'static str, message: String },

    /// Text that is not text: bad UTF-8, a NUL byte, a byte-order mark mid-file.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Text {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
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

    /// Every record of the file had to be skipped; `first` is the first of them.
    /// Worded when shown, in the reader's language.
    #[error("{}", unusable(path, first))]
    Unusable { path: PathBuf, first: Skipped },
}

/// [`LoadError::Unusable`] as [`LoadError::CsvRecord`] or [`LoadError::Invalid`]
/// would say it, at the first skipped record.
fn unusable(path: &Path, first: &Skipped) -> String {
    let msg = crate::messages::current();
    let message = msg.f(
        "validate.note.unusable",
        &[
            ("reason", &first.reason.describe(msg)),
            ("at", &first.first.describe(msg)),
        ],
    );
    match first.first {
        Location::Csv { record, line, .. } => LoadError::CsvRecord {
            path: path.to_owned(),
            record,
            line,
            message,
        },
        Location::Json { .. } => LoadError::Invalid {
            path: path.to_owned(),
            message,
        },
    }
    .to_string()
}

impl LoadError {
    /// Turns a serde_json error into a message a person can act on: the position is
    /// carried separately, serde's vocabulary ("map", "sequence") becomes JSON's, and
    /// the common failures get a hint at their usual cause.
    pub fn json(path: PathBuf, err: &serde_json::Error) -> LoadError {
        let raw = err.to_string();
        // serde_json appends " at line L column C"; we print the position ourselves.
        let message = match raw.rfind(" at line ") {
            Some(i) => raw[..i].to_string(),
            None => raw,
        };
        let message = plain_json_words(&shorten(&crate::escape::parser_message(&message)));
        let message = if err.is_eof() {
            format!("{message}: the file ends too early (truncated download or copy?)")
        } else if message.starts_with("recursion limit exceeded") {
            "the JSON nests more than 128 levels deep; no export nests like that, so the file is damaged or is not an export".to_string()
        } else if message.starts_with("trailing characters") {
            "there is more text after the end of the JSON document (two exports joined in one file? keep one per file)".to_string()
        } else if message.starts_with("duplicate field") {
            format!("{message}: a key appears twice in the same object; keep only one of them")
        } else if message.starts_with("control character") {
            format!("{message}: a text value holds a raw control character (tab, line break or NUL); the file is damaged or was not written by a JSON tool")
        } else if message.starts_with("number out of range") {
            "number out of range: no setting or export field holds a number this large; the value is damaged".to_string()
        } else if message.starts_with("expected ident") {
            "a bare word where a value was expected (JSON writes text in double quotes and knows only the words true, false and null): this is not valid JSON".to_string()
        } else if err.is_syntax() {
            format!("{message}: this is not valid JSON")
        } else {
            message
        };
        LoadError::Json {
            path,
            line: err.line(),
            // serde_json says column 0 when it stopped before a line's first
            // character; people count from 1.
            column: err.column().max(1),
            message,
        }
    }
}

/// serde speaks of maps and sequences; administrators read objects and lists.
fn plain_json_words(message: &str) -> String {
    message
        .replace("invalid type: map,", "invalid type: an object {…},")
        .replace("invalid type: sequence,", "invalid type: a list […],")
        .replace("expected a sequence", "expected a list […]")
        .replace("expected a map", "expected an object {…}")
        .replace("expected struct ", "expected an object ")
        .replace("expected a boolean", "expected true or false")
        .replace("expected u32", "expected a whole number, 0 or more")
        .replace("expected u64", "expected a whole number, 0 or more")
        .replace("expected i32", "expected a whole number")
        .replace("expected i64", "expected a whole number")
}

/// Keeps the start and the end of an over-long message: the start says what went
/// wrong, the end what was expected; the middle is usually the quoted value.
pub(crate) fn shorten(message: &str) -> String {
    let count = message.chars().count();
    if count <= MAX_MESSAGE_CHARS {
        return message.to_string();
    }
    let keep = MAX_MESSAGE_CHARS / 2;
    let head: String = message.chars().take(keep).collect();
    let tail: String = message.chars().skip(count - keep).collect();
    format!("{head}… ({} characters left out) …{tail}", count - 2 * keep)
}

/// A value quoted in a message: a short, escaped prefix of it.
pub(crate) use crate::escape::quote;

/// "17 bytes", or "4.0 GiB (4294967296 bytes)": the exact number is what to compare
/// with a file listing, the rounded one what to read.
fn size_words(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{} ({bytes} bytes)", human_size(bytes))
    }
}

/// "4.0 GiB", "512 KiB", "17 bytes".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_keep_both_ends() {
        let long = format!(
            "invalid type: string \"{}\", expected a boolean",
            "A".repeat(10_000)
        );
        let short = shorten(&long);
        assert!(short.len() < 600, "{}", short.len());
        assert!(short.starts_with("invalid type: string \"AAA"));
        assert!(short.ends_with("expected a boolean"));
        assert_eq!(quote("abc"), "\"abc\"");
        assert_eq!(quote(&"x".repeat(100)).chars().count(), 19);
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(17), "17 bytes");
        assert_eq!(human_size(4 << 30), "4.0 GiB");
        assert_eq!(human_size(1536), "1.5 KiB");
    }

    #[test]
    fn serde_words() {
        let err = serde_json::from_str::<Vec<u8>>("{}").unwrap_err();
        let e = LoadError::json("x.json".into(), &err).to_string();
        assert!(
            e.contains("an object {…}") && e.contains("expected a list"),
            "{e}"
        );
    }

    #[test]
    fn parser_messages_quote_only_a_short_escaped_prefix() {
        let secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
        let err = serde_json::from_str::<bool>(&format!("\"{secret}\"")).unwrap_err();
        let e = LoadError::json("x.json".into(), &err).to_string();
        assert!(
            e.contains("invalid type: string \"ghp_0123456789ab…\", expected"),
            "{e}"
        );
        assert!(!e.contains("cdefghij"), "{e}");
        let err = serde_json::from_str::<bool>("\"later\\n::add-mask::x\\u001b]0;t\\u0007\"")
            .unwrap_err();
        let e = LoadError::json("x.json".into(), &err).to_string();
        assert!(e.contains("string \"later\\n::add-mask…\""), "{e}");
        assert!(!e.contains(['\n', '\x1b']), "{e}");

        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        enum Coverage {
            EnrollmentGroups,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Settings {
            coverage: Option<Coverage>,
        }
        let value = format!("{secret}`, expected `x");
        let err = serde_json::from_str::<Settings>(&format!("{{\"coverage\": \"{value}\"}}"))
            .unwrap_err();
        let e = LoadError::json("x.json".into(), &err).to_string();
        assert!(
            e.contains("unknown variant `ghp_0123456789ab…`, expected `enrollment-groups`"),
            "{e}"
        );
        let err = serde_json::from_str::<Settings>(&format!("{{\"{secret}\": 1}}")).unwrap_err();
        let e = LoadError::json("x.json".into(), &err).to_string();
        assert!(
            e.contains("unknown field `ghp_0123456789ab…`, expected `coverage`"),
            "{e}"
        );
    }
}
