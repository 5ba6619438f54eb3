//! Reading a file's bytes as UTF-8, whatever Windows tools wrote: UTF-8 with or
//! without a byte-order mark, or UTF-16 (PowerShell's `Out-File` and `>`) with one.
//!
//! Reading is bounded: only regular files are opened (a named pipe or a device could
//! block or never end), and a file over the size limit is refused from its metadata,
//! before a byte of it is read. Decoded text is checked once here (valid UTF-8, no NUL,
//! no byte-order mark starting a line), so every loader can report such damage with
//! the same words and a line and column.

use super::LoadError;
use aho_corasick::AhoCorasick;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

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

/// How a file was encoded, so `validate` can say what it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

/// Reads a whole file and returns UTF-8 bytes without a byte-order mark.
pub fn read_utf8(path: &Path) -> Result<Vec<u8>, LoadError> {
    let bytes = read_bounded(path, max_file_size()?)?;
    decode_bytes(path, bytes).map(|(bytes, _)| bytes)
}

/// Files from this size on are mapped into memory rather than read (when they are
/// UTF-8): the parser then works on the operating system's cached pages directly,
/// with no copy into freshly zeroed memory. On a fleet-scale snapshot that is a
/// third of the kernel's time and a tenth of the whole run.
const MAP_FROM_SIZE: u64 = 8 << 20;

/// A file's UTF-8 text without a byte-order mark: read into memory, or mapped.
pub struct FileText(Contents);

enum Contents {
    Read(Vec<u8>),
    /// A mapped file and the length of its byte-order mark.
    Mapped(memmap2::Mmap, usize),
}

/// The address ranges of the files mapped right now, so that [`done_with`] can tell
/// a mapped file's text from text in ordinary memory.
static MAPPED: Mutex<Vec<std::ops::Range<usize>>> = Mutex::new(Vec::new());

fn span(bytes: &[u8]) -> std::ops::Range<usize> {
    let start = bytes.as_ptr() as usize;
    start..start + bytes.len()
}

impl Drop for FileText {
    fn drop(&mut self) {
        if let Contents::Mapped(map, _) = &self.0 {
            let mapped = span(map);
            if let Ok(mut all) = MAPPED.lock() {
                all.retain(|r| *r != mapped);
            }
        }
    }
}

/// Says that a parser is done with `text[..done]`. When `text` is a mapped file's,
/// those pages are given back to the system, so that while a large device list is
/// parsed only the part still ahead stays resident beside the records read from it.
/// The pages stay in the system's file cache, and reading them again (an error
/// message counting lines) faults them back in, so this is only ever about memory.
/// For any other text it does nothing.
pub fn done_with(text: &[u8], done: usize) {
    let text = span(text);
    let Ok(all) = MAPPED.lock() else { return };
    if !all
        .iter()
        .any(|m| m.start <= text.start && text.end <= m.end)
    {
        return;
    }
    release(text.start, text.start + done.min(text.end - text.start));
}

#[cfg(unix)]
fn release(from: usize, to: usize) {
    // SAFETY: the caller checked that the range lies in a live, read-only, shared
    // file mapping; dropping such pages loses nothing, as they are read back from
    // the file when touched again. `sysconf` and `madvise` have no other effect.
    unsafe {
        let page = usize::try_from(libc::sysconf(libc::_SC_PAGESIZE)).unwrap_or(4096);
        let start = from.next_multiple_of(page);
        let end = to / page * page;
        if end > start {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(not(unix))]
fn release(_: usize, _: usize) {}

impl FileText {
    /// The text as a string.
    pub fn as_str(&self) -> &str {
        // SAFETY: a FileText is only ever made from text that `check_text` (or its
        // chunked form) accepted, and that starts with checking it is valid UTF-8;
        // the bytes never change after (a mapping is read-only).
        unsafe { std::str::from_utf8_unchecked(self) }
    }
}

/// Like [`decode_bytes`], as a [`FileText`].
pub(crate) fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<(FileText, Encoding), LoadError> {
    let (text, encoding) = decode_bytes(path, bytes)?;
    Ok((FileText(Contents::Read(text)), encoding))
}

impl std::ops::Deref for FileText {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Contents::Read(bytes) => bytes,
            Contents::Mapped(map, bom) => &map[*bom..],
        }
    }
}

/// Like [`read_utf8`], and also says which encoding the file was in. Large UTF-8
/// files are mapped rather than read.
pub fn read_text(path: &Path) -> Result<(FileText, Encoding), LoadError> {
    let limit = max_file_size()?;
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    check_kind(path, &meta)?;
    if meta.len() >= MAP_FROM_SIZE && meta.len() <= limit {
        if let Some(mapped) = map_utf8(path, limit)? {
            return Ok(mapped);
        }
    }
    let bytes = read_bounded(path, limit)?;
    decode_text(path, bytes)
}

/// Maps a UTF-8 file and checks its text; `None` when it is in another encoding, or
/// has grown past the size limit since it was looked at (then it is read, which
/// decodes it or refuses it).
fn map_utf8(path: &Path, limit: u64) -> Result<Option<(FileText, Encoding)>, LoadError> {
    let file = File::open(path).map_err(|e| open_error(path, e))?;
    // The path may have been replaced since it was looked at: check what was opened.
    let meta = file.metadata().map_err(|e| open_error(path, e))?;
    check_kind(path, &meta)?;
    if meta.len() > limit {
        return Ok(None);
    }
    sigbus::install_guard();
    // SAFETY: the mapping is only read. Its one hazard is another program cutting
    // the file short while it is mapped, which makes reading the lost pages raise
    // SIGBUS; `sigbus` turns that into a clear error and exit code 2.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let encoding = sniff(&map);
    if !matches!(encoding, Encoding::Utf8 | Encoding::Utf8Bom) {
        return Ok(None);
    }
    let bom = bom_len(&map, encoding);
    if let Ok(mut all) = MAPPED.lock() {
        all.push(span(&map));
    }
    let text = FileText(Contents::Mapped(map, bom));
    check_text_in_chunks(path, &text, |passed| done_with(&text, passed))?;
    Ok(Some((text, encoding)))
}

/// A mapped file that another program truncates while it is read raises SIGBUS,
/// which would end the process without a word. The handler says what happened and
/// exits with 2 (bad input), as every other damaged file does.
mod sigbus {
    #[cfg(unix)]
    pub fn install_guard() {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value;
            // the handler only calls async-signal-safe functions (write, _exit).
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
            }
        });
    }

    #[cfg(unix)]
    extern "C" fn on_sigbus(_: libc::c_int) {
        const MESSAGE: &[u8] = b"error: a snapshot file was cut short by another program while lookout-doctor was reading it (is an export still being written?); run again once the export has finished\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(2);
        }
    }

    /// Elsewhere a mapped file cannot be truncated (Windows refuses), so there is
    /// nothing to guard.
    #[cfg(not(unix))]
    pub fn install_guard() {}
}

/// Decodes bytes read from `path` (only used in messages) to checked UTF-8 text:
/// what [`read_text`] does once the bytes are in memory.
pub fn decode_bytes(path: &Path, bytes: Vec<u8>) -> Result<(Vec<u8>, Encoding), LoadError> {
    let encoding = sniff(&bytes);
    let text = decode(path, bytes)?;
    check_text(path, &text)?;
    Ok((text, encoding))
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

fn sniff(bytes: &[u8]) -> Encoding {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8Bom,
        [0xFF, 0xFE, ..] => Encoding::Utf16Le,
        [0xFE, 0xFF, ..] => Encoding::Utf16Be,
        // UTF-16 without a byte-order mark: JSON and CSV text never holds a NUL, so
        // a NUL in the first two bytes can only be half of an ASCII character.
        [a, 0, ..] if *a != 0 => Encoding::Utf16Le,
        [0, b, ..] if *b != 0 => Encoding::Utf16Be,
        _ => Encoding::Utf8,
    }
}

fn bom_len(bytes: &[u8], encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => 0,
        Encoding::Utf8Bom => 3,
        Encoding::Utf16Le if bytes.starts_with(&[0xFF, 0xFE]) => 2,
        Encoding::Utf16Be if bytes.starts_with(&[0xFE, 0xFF]) => 2,
        Encoding::Utf16Le | Encoding::Utf16Be => 0,
    }
}

fn decode(path: &Path, mut bytes: Vec<u8>) -> Result<Vec<u8>, LoadError> {
    let encoding = sniff(&bytes);
    let skip = bom_len(&bytes, encoding);
    let big_endian = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            bytes.drain(..skip);
            return Ok(bytes);
        }
        Encoding::Utf16Le => false,
        Encoding::Utf16Be => true,
    };
    let body = &bytes[skip..];
    if body.len() % 2 != 0 {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: format!(
                "UTF-16 text with an odd number of bytes ({}): the file was cut short (truncated download or copy?); export it again",
                body.len() + skip
            ),
        });
    }
    let units = body.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let mut text = String::with_capacity(body.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(e) => {
                let (line, column) = line_column(text.as_bytes(), text.len());
                return Err(LoadError::Text {
                    path: path.to_owned(),
                    line,
                    column,
                    message: format!(
                        "invalid UTF-16 text (a lone surrogate 0x{:04X}): the file is damaged or was cut in the middle of a character; export it again",
                        e.unpaired_surrogate()
                    ),
                });
            }
        }
    }
    Ok(text.into_bytes())
}

/// Finds damage that no parser words well: bytes that are not UTF-8, NUL bytes, and a
/// byte-order mark at the start of a line (two exports joined into one file).
fn check_text(path: &Path, text: &[u8]) -> Result<(), LoadError> {
    check_text_in_chunks(path, text, |_| {})
}

/// [`check_text`] a piece at a time, telling `passed` how far it has got, so that a
/// mapped file's pages can be handed back behind it (three device lists checked at
/// once would otherwise all be resident together). The first invalid UTF-8 wins over
/// other damage wherever each is, as in one pass over the whole text.
fn check_text_in_chunks(path: &Path, text: &[u8], passed: impl Fn(usize)) -> Result<(), LoadError> {
    const CHUNK: usize = 16 << 20;
    // The longest damage pattern is 4 bytes: each piece is also searched from 3
    // bytes before its start, for one that straddles two pieces.
    const OVERLAP: usize = 3;
    let at = |offset: usize, message: String| {
        let (line, column) = line_column(text, offset);
        LoadError::Text {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    };
    static DAMAGE: OnceLock<AhoCorasick> = OnceLock::new();
    let damage = DAMAGE.get_or_init(|| {
        AhoCorasick::new([&b"\0"[..], "\n\u{FEFF}".as_bytes()])
            .expect("two fixed patterns always build")
    });
    let mut first_damage = None;
    let mut from = 0;
    while from < text.len() {
        let mut to = (from + CHUNK).min(text.len());
        // End the piece on a character boundary (not before a continuation byte).
        while to < text.len() && text[to] & 0xC0 == 0x80 {
            to += 1;
        }
        if let Err(e) = std::str::from_utf8(&text[from..to]) {
            let offset = from + e.valid_up_to();
            return Err(at(
                offset,
                format!(
                    "the text is not valid UTF-8 (byte 0x{:02X}): the export was saved in another encoding (Excel: save as \"CSV UTF-8\"), or is damaged; save it as UTF-8 or UTF-16 with a byte-order mark",
                    text[offset]
                ),
            ));
        }
        if first_damage.is_none() {
            let scan = from.saturating_sub(OVERLAP);
            first_damage = damage
                .find(&text[scan..to])
                .map(|m| (m.pattern().as_usize(), scan + m.start()));
        }
        passed(to);
        from = to;
    }
    match first_damage {
        None => Ok(()),
        Some((0, start)) => Err(at(
            start,
            "a NUL byte (0x00): text exports never hold one, so the file is binary, damaged, or UTF-16 that was not recognised; export it again as UTF-8".into(),
        )),
        Some((_, start)) => Err(at(
            start + 1,
            "a byte-order mark (U+FEFF) starts this line: two exports were probably joined into one file; keep one export per file".into(),
        )),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    // Count characters, not bytes: UTF-8 continuation bytes are 0b10xxxxxx.
    let column = before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_are_mapped_and_read_alike() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let body = format!("{{\"value\": [{}]}}", "0,".repeat(5 << 20) + "0");
        std::fs::write(&path, [&b"\xEF\xBB\xBF"[..], body.as_bytes()].concat()).unwrap();
        let (text, encoding) = read_text(&path).unwrap();
        assert!(matches!(text.0, Contents::Mapped(..)));
        assert_eq!(encoding, Encoding::Utf8Bom);
        assert_eq!(&*text, body.as_bytes());
        // Pages handed back are read again from the file, unchanged.
        done_with(&text, text.len());
        assert_eq!(&*text, body.as_bytes());
        // Unmapped before it is rewritten (Windows refuses to change a mapped file).
        drop(text);
        // Damage is found in a mapped file as in a read one.
        let mut damaged = body.clone().into_bytes();
        damaged[9 << 20] = 0;
        std::fs::write(&path, &damaged).unwrap();
        let e = read_text(&path).err().unwrap().to_string();
        assert!(e.contains("NUL byte"), "{e}");
    }

    /// A mapped file cut short by another program ends the run with a message and
    /// exit code 2, not a bare SIGBUS. The truncation runs in a child process (this
    /// test binary again) because the guard exits the whole process.
    #[cfg(unix)]
    #[test]
    fn truncated_mapped_file_is_a_clear_error() {
        const CHILD: &str = "LOOKOUT_DOCTOR_TEST_SIGBUS_CHILD";
        if let Some(path) = std::env::var_os(CHILD) {
            let (text, _) = read_text(Path::new(&path)).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(0)
                .unwrap();
            // Reading a page that no longer exists raises SIGBUS.
            let byte = std::hint::black_box(&*text)[text.len() - 1];
            panic!("read {byte} from a truncated mapping without SIGBUS");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; 9 << 20]).unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "snapshot::text::tests::truncated_mapped_file_is_a_clear_error",
                "--nocapture",
            ])
            .env(CHILD, &path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("cut short by another program"), "{stderr}");
    }

    #[test]
    fn strips_utf8_bom_and_decodes_utf16() {
        let p = Path::new("x.json");
        assert_eq!(decode(p, b"\xEF\xBB\xBF{}".to_vec()).unwrap(), b"{}");
        let le: Vec<u8> = [0xFF, 0xFE, b'{', 0, b'}', 0].to_vec();
        assert_eq!(decode(p, le).unwrap(), b"{}");
        let be: Vec<u8> = [0xFE, 0xFF, 0, b'{', 0, b'}'].to_vec();
        assert_eq!(decode(p, be).unwrap(), b"{}");
        assert!(decode(p, vec![0xFF, 0xFE, b'{']).is_err());
        assert_eq!(sniff(&[0xFF, 0xFE, b'{', 0]), Encoding::Utf16Le);
        assert_eq!(sniff(b"{}"), Encoding::Utf8);
        // Without a byte-order mark, the NUL bytes give UTF-16 away.
        assert_eq!(decode(p, vec![b'{', 0, b'}', 0]).unwrap(), b"{}");
        assert_eq!(decode(p, vec![0, b'{', 0, b'}']).unwrap(), b"{}");
    }

    #[test]
    fn damage_has_a_position() {
        let p = Path::new("x.csv");
        let err = |b: &[u8]| decode_bytes(p, b.to_vec()).unwrap_err().to_string();
        let e = err(b"a,b\nc,\xFFd\n");
        assert!(
            e.starts_with("x.csv:2:3: the text is not valid UTF-8 (byte 0xFF)"),
            "{e}"
        );
        let e = err("{\"a\":\n \"é\0\"}".as_bytes());
        assert!(e.starts_with("x.csv:2:4: a NUL byte"), "{e}");
        let e = err("a,b\n1,2\n\u{FEFF}a,b\n".as_bytes());
        assert!(e.starts_with("x.csv:3:1: a byte-order mark"), "{e}");
        // A byte-order mark inside a line is a (rare) character, not damage.
        assert!(decode_bytes(p, "a,b\nx\u{FEFF}y,2\n".as_bytes().to_vec()).is_ok());
        let e = err(&[0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0]);
        assert!(e.contains("x.csv:1:2: invalid UTF-16"), "{e}");
    }

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
