//! `.zip` archives read as the files they hold: the Intune admin center's export
//! downloads as one. Nothing is ever extracted to disk, so an entry's path (`../x`,
//! an absolute one) only names it; entries are decompressed into memory, bounded:
//!
//! - the archive itself is an input file, within the per-file size limit;
//! - each entry is held to the per-file size limit while it is decompressed (the
//!   size its header declares is not trusted), and all entries of one archive
//!   together to [`TOTAL_FACTOR`] times that;
//! - at most [`MAX_ENTRIES`] entries;
//! - archives inside an archive are not opened, and encrypted entries or other
//!   compression methods than deflate are not read (the caller says so).

use super::{check_kind, decode, max_file_size, open_error, FileText};
use crate::snapshot::LoadError;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use zip::{result::ZipError, CompressionMethod, ZipArchive};

/// What all entries of one archive may decompress to together, in per-file limits.
pub const TOTAL_FACTOR: u64 = 4;

/// The most entries an archive may hold: an export download holds one file, a
/// snapshot zipped whole a few dozen.
pub const MAX_ENTRIES: usize = 1000;

/// The first bytes of every zip archive (a local file header, or the end record of
/// an empty one).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// One entry of an archive.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its position in the archive.
    pub index: usize,
    /// Its path inside the archive, as the archive spells it.
    pub name: String,
    pub kind: EntryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    /// Encrypted: unreadable without its password.
    Encrypted,
    /// Compressed with a method other than deflate (or none), named.
    Unsupported(String),
}

/// What is left of an archive's decompression allowance; shared by the threads that
/// read its entries.
#[derive(Debug)]
pub struct Budget {
    left: AtomicU64,
    total: u64,
}

impl Budget {
    /// The allowance of one archive: [`TOTAL_FACTOR`] times the per-file limit.
    pub fn new() -> Result<Budget, LoadError> {
        let total = max_file_size()?.saturating_mul(TOTAL_FACTOR);
        Ok(Budget {
            left: AtomicU64::new(total),
            total,
        })
    }

    /// Takes `n` bytes of the allowance; `false` when there is not that much left.
    fn take(&self, n: u64) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            })
            .is_ok()
    }
}

/// Opens an archive (a regular file within the per-file size limit) and reads its
/// directory.
fn open(path: &Path) -> Result<ZipArchive<BufReader<File>>, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    check_kind(path, &meta)?;
    let limit = max_file_size()?;
    if meta.len() > limit {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            size: meta.len(),
            limit,
        });
    }
    let file = File::open(path).map_err(|e| open_error(path, e))?;
    ZipArchive::new(BufReader::new(file)).map_err(|e| LoadError::Invalid {
        path: path.to_owned(),
        message: format!(
            "starts like a zip archive but cannot be read as one ({e}): a download cut short? Download it again"
        ),
    })
}

/// The files an archive holds (folders left out), in archive order.
pub fn entries(path: &Path) -> Result<Vec<Entry>, LoadError> {
    let mut archive = open(path)?;
    if archive.len() > MAX_ENTRIES {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: format!(
                "the archive holds {} entries, more than the {MAX_ENTRIES} lookout-doctor opens: it is not an export download; extract the exports into the snapshot folder",
                archive.len()
            ),
        });
    }
    let mut out = Vec::new();
    for index in 0..archive.len() {
        let file = archive
            .by_index_raw(index)
            .map_err(|e| damaged(path, &e.to_string()))?;
        if file.is_dir() {
            continue;
        }
        let kind = if file.encrypted() {
            EntryKind::Encrypted
        } else {
            match file.compression() {
                CompressionMethod::Stored | CompressionMethod::Deflated => EntryKind::File,
                other => EntryKind::Unsupported(method_name(other)),
            }
        };
        out.push(Entry {
            index,
            name: file.name().to_owned(),
            kind,
        });
    }
    Ok(out)
}

/// The first `len` bytes of an entry, decompressed, and whether that is all of it.
pub fn read_head(path: &Path, index: usize, len: usize) -> Result<(Vec<u8>, bool), LoadError> {
    let mut archive = open(path)?;
    let file = archive.by_index(index).map_err(|e| zip_error(path, e))?;
    let mut bytes = Vec::new();
    file.take(len as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| damaged(path, &e.to_string()))?;
    let whole = bytes.len() <= len;
    bytes.truncate(len);
    Ok((bytes, whole))
}

/// Decompresses an entry (shown in messages as `shown`, `archive.zip/entry.csv`) into
/// checked text, within the per-file limit and what is left of `budget`.
pub fn read_entry(
    path: &Path,
    index: usize,
    shown: &Path,
    budget: &Budget,
) -> Result<FileText, LoadError> {
    let limit = max_file_size()?;
    let mut archive = open(path)?;
    let file = archive.by_index(index).map_err(|e| zip_error(shown, e))?;
    let mut reader = file.take(limit.saturating_add(1));
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 256 << 10];
    loop {
        let n = reader
            .read(&mut chunk)
            .map_err(|e| damaged(shown, &e.to_string()))?;
        if n == 0 {
            break;
        }
        if !budget.take(n as u64) {
            return Err(LoadError::Invalid {
                path: shown.to_owned(),
                message: format!(
                    "the archive's files decompress to more than {} in all ({TOTAL_FACTOR} times the limit per input file): it is not an export download; extract the exports into the snapshot folder",
                    super::super::error::human_size(budget.total)
                ),
            });
        }
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() as u64 > limit {
            return Err(LoadError::Invalid {
                path: shown.to_owned(),
                message: format!(
                    "decompresses to more than {}, the limit per input file; if the export really is that large, raise the limit with {}=<bytes> (e.g. 8GiB)",
                    super::super::error::human_size(limit),
                    super::MAX_FILE_SIZE_ENV
                ),
            });
        }
    }
    decode(shown, bytes)
}

/// A compression method as archivers name it.
fn method_name(method: CompressionMethod) -> String {
    let known = [
        (CompressionMethod::DEFLATE64, "Deflate64"),
        (CompressionMethod::BZIP2, "bzip2"),
        (CompressionMethod::LZMA, "LZMA"),
        (CompressionMethod::XZ, "XZ"),
        (CompressionMethod::ZSTD, "Zstandard"),
        (CompressionMethod::PPMD, "PPMd"),
        (CompressionMethod::AES, "AES encryption"),
        (CompressionMethod::IMPLODE, "Implode"),
    ];
    known
        .iter()
        .find(|(m, _)| *m == method)
        .map_or_else(|| format!("{method}"), |(_, name)| (*name).to_owned())
}

fn zip_error(shown: &Path, e: ZipError) -> LoadError {
    damaged(shown, &e.to_string())
}

fn damaged(shown: &Path, what: &str) -> LoadError {
    LoadError::Invalid {
        path: shown.to_owned(),
        message: format!(
            "cannot be decompressed ({what}): the archive is damaged; download it again"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn archive(files: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(tmp.reopen().unwrap());
        for (name, bytes) in files {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        tmp
    }

    #[test]
    fn entries_are_read_within_their_bounds() {
        let big = vec![b'a'; 300 << 10];
        let zip = archive(&[("x/a.csv", b"id,name\n1,a\n"), ("b.json", &big)]);
        let list = entries(zip.path()).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, "x/a.csv");
        assert_eq!(list[0].kind, EntryKind::File);
        let (head, whole) = read_head(zip.path(), 1, 1000).unwrap();
        assert!(head.len() == 1000 && !whole);
        let budget = Budget::new().unwrap();
        let text = read_entry(zip.path(), 0, Path::new("z.zip/x/a.csv"), &budget).unwrap();
        assert_eq!(text.as_str(), "id,name\n1,a\n");
        // The allowance runs out however the entries declare their sizes.
        let small = Budget {
            left: AtomicU64::new(100 << 10),
            total: 100 << 10,
        };
        let e = read_entry(zip.path(), 1, Path::new("z.zip/b.json"), &small)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("z.zip/b.json: the archive's files decompress to more than"),
            "{e}"
        );
    }

    #[test]
    fn damaged_archives_say_so() {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), b"PK\x03\x04 not really").unwrap();
        let e = entries(tmp.path()).unwrap_err().to_string();
        assert!(e.contains("cannot be read as one"), "{e}");
        assert!(is_zip(b"PK\x03\x04rest") && !is_zip(b"{}"));
    }
}
