//! Large files read through a memory map: the parser then works on the operating
//! system's cached pages directly, with no copy into freshly zeroed memory (on a
//! fleet-scale snapshot that was a third of the kernel's time and a tenth of the whole
//! run), and the pages it has passed are handed back as it goes.
//!
//! This is the loaders' only `unsafe` code, behind [`FileText`], whose text is always
//! valid UTF-8, and [`map_utf8`]. A map rests on one contract, the one every program
//! that maps the files it reads (ripgrep among them) relies on, and memmap2 states for
//! [`memmap2::Mmap::map`]: no other program writes or truncates the file while it is
//! mapped. A snapshot being read is not one being exported, so it holds in practice;
//! when it does not:
//! - a file cut short makes reading its lost pages raise SIGBUS, which [`sigbus`]
//!   turns into a clear message and exit code 2;
//! - a file rewritten in place changes under the parser (the map is shared with the
//!   file), after its text was checked: values may be read half old, half new, and the
//!   text may no longer be the valid UTF-8 that [`FileText::as_str`] promises.
//!
//! `--no-mmap` ([`allow_maps`]) reads every file into memory instead, where neither
//! can happen.

use super::decode::{check_in_chunks, Encoding, Observed};
use super::surrogates::{self, Repairs};
use crate::snapshot::LoadError;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Files from this size on are mapped rather than read (when they are UTF-8); below
/// it a map costs more than it saves.
const MAP_FROM_SIZE: u64 = 8 << 20;

/// Whether files may be mapped: `--no-mmap` says no.
static MAPS_ALLOWED: AtomicBool = AtomicBool::new(true);

/// Lets large files be mapped (the default) or has every file read into memory.
pub fn allow_maps(allowed: bool) {
    MAPS_ALLOWED.store(allowed, Ordering::Relaxed);
}

/// Whether a file of `len` bytes is to be mapped rather than read.
pub(super) fn worth_mapping(len: u64) -> bool {
    len >= MAP_FROM_SIZE && MAPS_ALLOWED.load(Ordering::Relaxed)
}

/// A file's text, checked (see `text::decode`) and without a byte-order mark: read
/// into memory, or mapped.
pub struct FileText {
    contents: Contents,
    encoding: Encoding,
    /// Lone surrogates replaced with U+FFFD.
    repairs: Repairs,
    /// What its check saw.
    observed: Observed,
}

enum Contents {
    Read(String),
    /// A mapped file whose bytes after its byte-order mark were checked to be UTF-8,
    /// and the length of that mark.
    Mapped(memmap2::Mmap, usize),
}

impl FileText {
    /// Text read into memory (a `String`: valid UTF-8 by its type), as decoded.
    pub(super) fn read(
        text: String,
        encoding: Encoding,
        repairs: Repairs,
        observed: Observed,
    ) -> FileText {
        FileText {
            contents: Contents::Read(text),
            encoding,
            repairs,
            observed,
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.contents {
            Contents::Read(text) => text,
            // SAFETY: `map_utf8` checked these bytes to be UTF-8 before it made this
            // value, and nothing here writes to a map. They stay UTF-8 as long as no
            // other program writes the file while it is mapped: the map's contract
            // (see the module's documentation), relied on here.
            Contents::Mapped(map, bom) => unsafe { std::str::from_utf8_unchecked(&map[*bom..]) },
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.contents {
            Contents::Read(text) => text.as_bytes(),
            Contents::Mapped(map, bom) => &map[*bom..],
        }
    }

    /// The encoding the file was in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The lone surrogates replaced with U+FFFD so far.
    pub fn repairs(&self) -> Repairs {
        self.repairs
    }

    /// Reads the text as JSON will: every escape of a lone surrogate (`\ud800`)
    /// replaced with one of U+FFFD, and counted. Only text that has escapes of
    /// surrogates (noted when it was checked) is searched, and only text that has a
    /// lone one is copied (a mapped file into memory).
    pub fn repair_json_escapes(&mut self) {
        if !self.observed.surrogate_escapes {
            return;
        }
        if let Some((text, repairs)) = surrogates::repair_json(self.as_str()) {
            self.contents = Contents::Read(text);
            self.repairs.add(repairs);
        }
        self.observed.surrogate_escapes = false;
    }

    /// Whether the text may hold a string over the cap (seen when it was checked,
    /// while its pages were at hand): a JSON reading caps strings only then.
    pub fn may_hold_long_strings(&self) -> bool {
        self.observed.long_strings
    }

    /// Says that a parser is done with the text before `offset`. When the text is a
    /// mapped file's, those pages are given back to the system, so that while a large
    /// device list is parsed only the part still ahead stays resident beside the
    /// records read from it. The pages stay in the system's file cache, and reading
    /// them again (an error message counting lines) faults them back in, so this is
    /// only ever about memory. For text read into memory it does nothing.
    pub fn done_with(&self, offset: usize) {
        if let Contents::Mapped(map, bom) = &self.contents {
            release(map, *bom, *bom + offset.min(map.len() - *bom));
        }
    }
}

/// Maps a UTF-8 file (already opened, checked to be a regular file within the size
/// limit) and checks its text; `None` when it is in another encoding.
pub(super) fn map_utf8(path: &Path, file: &File) -> Result<Option<FileText>, LoadError> {
    sigbus::install_guard();
    // SAFETY: the map is only ever read, and read as the module's documentation says:
    // relying on no other program writing or truncating the file while it is mapped,
    // with a clear exit when one truncates it (`sigbus`).
    let map = unsafe { memmap2::Mmap::map(file) }.map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let encoding = Encoding::sniff(&map);
    if !encoding.is_utf8() {
        return Ok(None);
    }
    let bom = encoding.bom_len(&map);
    let observed = check_in_chunks(path, &map[bom..], |passed| release(&map, bom, bom + passed))?;
    Ok(Some(FileText {
        contents: Contents::Mapped(map, bom),
        encoding,
        repairs: Repairs::default(),
        observed,
    }))
}

/// Gives back the whole pages of `map[from..to]`.
#[cfg(unix)]
fn release(map: &memmap2::Mmap, from: usize, to: usize) {
    // SAFETY: sysconf only reads a setting. memmap2 leaves MADV_DONTNEED unchecked
    // because it can change what a map reads as, even under a live borrow: a private
    // map's written pages come back as the file's, an anonymous map's as zeros. This
    // map is shared with the file and never written: its dropped pages are read back
    // from the file when touched again, so no byte of it changes, as long as the file
    // is not written meanwhile, which is the map's contract (see the module's
    // documentation). The range lies inside the map. A failure only means nothing
    // was given back.
    unsafe {
        let page = usize::try_from(libc::sysconf(libc::_SC_PAGESIZE)).unwrap_or(4096);
        // A map starts on a page boundary, so offsets into it align as addresses do.
        let start = from.next_multiple_of(page);
        let end = to.min(map.len()) / page * page;
        if end > start {
            let _ =
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start);
        }
    }
}

#[cfg(not(unix))]
fn release(_: &memmap2::Mmap, _: usize, _: usize) {}

/// A mapped file that another program truncates while it is read raises SIGBUS,
/// which would end the process without a word. The handler says what happened and
/// exits with 2 (bad input), as every other damaged file does.
mod sigbus {
    #[cfg(unix)]
    pub fn install_guard() {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value, and
            // without SA_SIGINFO the handler takes the one argument `on_sigbus` does;
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
        // SAFETY: write(2) and _exit(2) are async-signal-safe; MESSAGE is a static
        // buffer of the length given.
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

#[cfg(test)]
mod tests {
    use super::super::{read_text, read_text_as};
    use super::*;

    fn big_json() -> String {
        format!("{{\"value\": [{}]}}", "0,".repeat(5 << 20) + "0")
    }

    #[test]
    fn large_files_are_mapped_and_read_alike() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let body = big_json();
        std::fs::write(&path, [&b"\xEF\xBB\xBF"[..], body.as_bytes()].concat()).unwrap();
        let text = read_text(&path).unwrap();
        assert!(matches!(text.contents, Contents::Mapped(..)));
        assert_eq!(text.encoding(), Encoding::Utf8Bom);
        assert_eq!(text.as_str(), body);
        // Pages handed back are read again from the file, unchanged.
        text.done_with(text.as_bytes().len());
        assert_eq!(text.as_str(), body);
        // Unmapped before it is rewritten (Windows refuses to change a mapped file).
        drop(text);
        // Damage is found in a mapped file as in a read one.
        let mut damaged = body.clone().into_bytes();
        damaged[9 << 20] = 0;
        std::fs::write(&path, &damaged).unwrap();
        let e = read_text(&path).err().unwrap().to_string();
        assert!(e.contains("NUL byte"), "{e}");
    }

    /// What `--no-mmap` does: the same file is read into memory, to the same text.
    #[test]
    fn large_files_are_read_when_maps_are_not_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let body = big_json();
        std::fs::write(&path, &body).unwrap();
        let text = read_text_as(&path, false).unwrap();
        assert!(matches!(text.contents, Contents::Read(..)));
        assert_eq!(text.as_str(), body);
        // Handing back text read into memory does nothing.
        text.done_with(body.len());
        assert_eq!(text.as_str(), body);
    }

    /// A mapped file cut short by another program ends the run with a message and
    /// exit code 2, not a bare SIGBUS. The truncation runs in a child process (this
    /// test binary again) because the guard exits the whole process.
    #[cfg(unix)]
    #[test]
    fn truncated_mapped_file_is_a_clear_error() {
        const CHILD: &str = "LOOKOUT_DOCTOR_TEST_SIGBUS_CHILD";
        if let Some(path) = std::env::var_os(CHILD) {
            let text = read_text(Path::new(&path)).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(0)
                .unwrap();
            // Reading a page that no longer exists raises SIGBUS.
            let bytes = text.as_bytes();
            let byte = std::hint::black_box(bytes)[bytes.len() - 1];
            panic!("read {byte} from a truncated mapping without SIGBUS");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; 9 << 20]).unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "snapshot::text::mapped::tests::truncated_mapped_file_is_a_clear_error",
                "--nocapture",
            ])
            .env(CHILD, &path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("cut short by another program"), "{stderr}");
    }
}
