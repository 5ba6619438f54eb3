//! The per-file size limit: a file over it is refused from its metadata, before a byte
//! of it is read.

use crate::snapshot::LoadError;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that sets the per-file size limit, in bytes (suffixes
/// KB, MB, GB, KiB, MiB, GiB are understood).
pub const MAX_FILE_SIZE_ENV: &str = "LOOKOUT_DOCTOR_MAX_FILE_SIZE";

/// Generous on purpose, far above any real export (device lists run to hundreds of MB).
/// The limit exists so that a wrong file (a disk image, a log that grew for years)
/// is refused with a message instead of exhausting memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 << 30;

/// A limit set by the command line; 0 means "not set" (then the environment decides).
static MAX_FILE_SIZE: AtomicU64 = AtomicU64::new(0);

/// Sets the per-file size limit for this process (a command-line flag wins over
/// [`MAX_FILE_SIZE_ENV`]); `None` goes back to the environment and the default.
pub fn set_max_file_size(limit: Option<u64>) {
    // 0 is "not set"; a limit of 0 bytes would refuse everything, so it is 1.
    MAX_FILE_SIZE.store(limit.map_or(0, |l| l.max(1)), Ordering::Relaxed);
}

/// The per-file size limit in force: the command line's, else the environment's, else
/// [`DEFAULT_MAX_FILE_SIZE`].
pub fn max_file_size() -> Result<u64, LoadError> {
    match MAX_FILE_SIZE.load(Ordering::Relaxed) {
        0 => {}
        set => return Ok(set),
    }
    match std::env::var(MAX_FILE_SIZE_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_MAX_FILE_SIZE),
        Err(std::env::VarError::NotUnicode(_)) => Err(LoadError::Setting {
            name: MAX_FILE_SIZE_ENV,
            message: "is not text; give a size in bytes such as 500MB or 8GiB".into(),
        }),
        Ok(v) if v.trim().is_empty() => Ok(DEFAULT_MAX_FILE_SIZE),
        Ok(v) => parse_size(&v).map_err(|message| LoadError::Setting {
            name: MAX_FILE_SIZE_ENV,
            message,
        }),
    }
}

/// Parses a size: a number of bytes, optionally followed by KB/MB/GB/TB (powers of
/// 1000) or KiB/MiB/GiB/TiB (powers of 1024), any letter case, spaces allowed.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = (&s[..split], s[split..].trim());
    let bad = || {
        format!(
            "\"{}\" is not a size; give a number of bytes, optionally with a unit: 500MB, 8GiB, 1048576",
            text.trim()
        )
    };
    let number: u64 = digits.parse().map_err(|_| bad())?;
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return Err(bad()),
    };
    match number.checked_mul(factor) {
        Some(0) => Err(format!(
            "\"{}\" would refuse every file; give a size of at least 1 byte",
            text.trim()
        )),
        Some(n) => Ok(n),
        None => Err(format!("\"{}\" is too large a size", text.trim())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1048576"), Ok(1_048_576));
        assert_eq!(parse_size(" 8GiB "), Ok(8 << 30));
        assert_eq!(parse_size("500 mb"), Ok(500_000_000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("-5").is_err());
        assert!(parse_size("99999999999TiB").is_err());
    }
}
