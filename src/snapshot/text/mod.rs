//! Reading a file's bytes as UTF-8, whatever Windows tools wrote: UTF-8 with or
//! without a byte-order mark, or UTF-16 (PowerShell's `Out-File` and `>`) with one.
//!
//! Reading is bounded: only regular files are opened (a named pipe or a device could
//! block or never end), and a file over the size limit (`limits`) is refused from its
//! metadata, before a byte of it is read. Decoded text is checked once (`decode`),
//! so every loader can report damage with the same words and a line and column.
//! Large files are mapped rather than read (`mapped`); `.zip` archives are read as
//! the files they hold (`zipped`).

mod decode;
mod limits;
#[allow(unsafe_code)]
mod mapped;
pub mod surrogates;
pub mod zipped;

pub(crate) use decode::line_of;
pub use decode::{decode_head, Encoding};
pub use limits::{
    max_file_size, parse_size, set_max_file_size, DEFAULT_MAX_FILE_SIZE, MAX_FILE_SIZE_ENV,
};
pub use mapped::{allow_maps, FileText};

use super::LoadError;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Reads a whole file and returns UTF-8 bytes without a byte-order mark.
pub fn read_utf8(path: &Path) -> Result<Vec<u8>, LoadError> {
    let bytes = read_bounded(path, max_file_size()?)?;
    decode::decode(path, bytes).map(|d| d.text.into_bytes())
}

/// Reads a file as checked UTF-8 text, knowing which encoding it was in. Large UTF-8
/// files are mapped rather than read, unless maps are not allowed ([`allow_maps`]).
pub fn read_text(path: &Path) -> Result<FileText, LoadError> {
    read_text_as(path, true)
}

/// [`read_text`], mapping only when `may_map`.
fn read_text_as(path: &Path, may_map: bool) -> Result<FileText, LoadError> {
    let limit = max_file_size()?;
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    check_kind(path, &meta)?;
    if may_map && mapped::worth_mapping(meta.len()) && meta.len() <= limit {
        let file = File::open(path).map_err(|e| open_error(path, e))?;
        // The path may have been replaced since it was looked at: check what was
        // opened. One grown past the limit is read, which refuses it.
        let meta = file.metadata().map_err(|e| open_error(path, e))?;
        check_kind(path, &meta)?;
        if meta.len() <= limit {
            if let Some(text) = mapped::map_utf8(path, &file)? {
                return Ok(text);
            }
        }
    }
    decode(path, read_bounded(path, limit)?)
}

/// Decodes bytes read from `path` (only used in messages) to checked UTF-8 text:
/// what [`read_text`] does once the bytes are in memory.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<FileText, LoadError> {
    let d = decode::decode(path, bytes)?;
    Ok(FileText::read(d.text, d.encoding, d.repairs, d.observed))
}

/// Reads the first `len` bytes of a regular file (all of it when it is shorter), and
/// whether that is the whole file: enough to recognise what the file holds without
/// reading a large export twice.
pub fn read_head(path: &Path, len: usize) -> Result<(Vec<u8>, bool), LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    check_kind(path, &meta)?;
    let file = File::open(path).map_err(|e| open_error(path, e))?;
    let meta = file.metadata().map_err(|e| open_error(path, e))?;
    check_kind(path, &meta)?;
    let mut bytes = Vec::with_capacity(len.min(meta.len() as usize) + 1);
    // One byte more than asked tells whether the file goes on.
    file.take(len as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| open_error(path, e))?;
    let whole = bytes.len() <= len;
    bytes.truncate(len);
    Ok((bytes, whole))
}

/// Reads at most `limit` bytes of a regular file; anything else is refused with a
/// message that says what the path is instead.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    // From the path first: opening a named pipe would block until a writer came.
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    check_kind(path, &meta)?;
    if meta.len() > limit {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            size: meta.len(),
            limit,
        });
    }
    let file = File::open(path).map_err(|e| open_error(path, e))?;
    // The path may have been replaced since it was looked at: check what was opened.
    let meta = file.metadata().map_err(|e| open_error(path, e))?;
    check_kind(path, &meta)?;
    let expected = usize::try_from(meta.len().min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    // A file still growing is read up to the limit and one byte more, never further.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| open_error(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}
fn check_kind(path: &Path, meta: &std::fs::Metadata) -> Result<(), LoadError> {
    let what = if meta.is_file() {
        return Ok(());
    } else if meta.is_dir() {
        "is a folder, but a file was expected"
    } else {
        special_file_kind(meta)
    };
    Err(LoadError::Invalid {
        path: path.to_owned(),
        message: what.into(),
    })
}

#[cfg(unix)]
fn special_file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "is a named pipe (FIFO), not a regular file; lookout-doctor only reads ordinary files, so it never waits on a pipe: save the export to a file"
    } else if t.is_socket() {
        "is a socket, not a regular file; save the export to an ordinary file"
    } else {
        "is a device, not a regular file; save the export to an ordinary file"
    }
}

#[cfg(not(unix))]
fn special_file_kind(_: &std::fs::Metadata) -> &'static str {
    "is not a regular file; save the export to an ordinary file"
}

/// Says what an unopenable path is, in the words a person needs to fix it.
fn open_error(path: &Path, source: std::io::Error) -> LoadError {
    use std::io::ErrorKind;
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let message = match source.kind() {
        ErrorKind::NotFound if is_link => {
            let target = std::fs::read_link(path)
                .map(|t| format!(" ({})", t.display()))
                .unwrap_or_default();
            format!("is a symbolic link whose target{target} does not exist; point it at the export, or copy the file in its place")
        }
        // The path itself cannot be looked at: a folder on the way is not searchable.
        ErrorKind::PermissionDenied if std::fs::symlink_metadata(path).is_err() => {
            "permission denied: this user may not search a folder on the way to the file; give search permission (e.g. chmod a+x) to the folder, or run as its owner".into()
        }
        ErrorKind::PermissionDenied => {
            "permission denied: this user may not read the file; give read permission (e.g. chmod a+r) or run as its owner".into()
        }
        // ELOOP has no stable ErrorKind; a link that exists but cannot be followed
        // (and is not missing or forbidden) loops.
        _ if is_link && std::fs::metadata(path).is_err() => {
            "is a symbolic link that cannot be followed: it points back to itself, directly or through other links; replace it with the file".into()
        }
        _ => return LoadError::Io {
            path: path.to_owned(),
            source,
        },
    };
    LoadError::Invalid {
        path: path.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_bounded(&file, 10).unwrap().len(), 10);
        let e = read_bounded(&file, 9).unwrap_err().to_string();
        assert!(
            e.contains("is 10 bytes, over the limit of 9 bytes per input file"),
            "{e}"
        );
        let e = read_bounded(dir.path(), 100).unwrap_err().to_string();
        assert!(e.contains("is a folder"), "{e}");
    }
}
