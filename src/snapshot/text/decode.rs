//! Encodings and damage: which encoding a file's bytes are in, UTF-16 decoded to
//! UTF-8 (a lone surrogate repaired, see `surrogates`), and the one check every text
//! passes (valid UTF-8, no NUL, no byte-order mark starting a line), so that every
//! loader reports such damage with the same words and a line and column. The check
//! also notes what a JSON reading wants to know of the whole text while its pages are
//! at hand ([`Observed`]).

use super::surrogates::Repairs;
use crate::snapshot::LoadError;
use aho_corasick::AhoCorasick;
use std::path::Path;
use std::sync::OnceLock;

/// How a file was encoded, so `validate` can say what it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// The encoding the first bytes of a file give away.
    pub(super) fn sniff(bytes: &[u8]) -> Encoding {
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

    pub(super) fn is_utf8(self) -> bool {
        matches!(self, Encoding::Utf8 | Encoding::Utf8Bom)
    }

    /// The length of the byte-order mark that `bytes` (in this encoding) start with.
    pub(super) fn bom_len(self, bytes: &[u8]) -> usize {
        match self {
            Encoding::Utf8 => 0,
            Encoding::Utf8Bom => 3,
            Encoding::Utf16Le if bytes.starts_with(&[0xFF, 0xFE]) => 2,
            Encoding::Utf16Be if bytes.starts_with(&[0xFE, 0xFF]) => 2,
            Encoding::Utf16Le | Encoding::Utf16Be => 0,
        }
    }
}

/// A file's text decoded and checked.
#[derive(Debug)]
pub(super) struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    /// Lone surrogates of UTF-16 text, replaced.
    pub repairs: Repairs,
    pub observed: Observed,
}

/// What the check of a text saw besides damage, for a JSON reading of it: so that it
/// looks for lone surrogate escapes, and caps strings, only where there can be any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observed {
    /// The text holds an escape of a surrogate (`\ud800`), lone or paired.
    pub surrogate_escapes: bool,
    /// The text may hold a string over the cap (`cap::may_hold_long_strings`).
    pub long_strings: bool,
}

impl Observed {
    fn and(self, other: Observed) -> Observed {
        Observed {
            surrogate_escapes: self.surrogate_escapes || other.surrogate_escapes,
            long_strings: self.long_strings || other.long_strings,
        }
    }
}

/// Decodes a file's bytes read from `path` (only used in messages) to checked UTF-8
/// text without a byte-order mark.
pub(super) fn decode(path: &Path, mut bytes: Vec<u8>) -> Result<Decoded, LoadError> {
    let encoding = Encoding::sniff(&bytes);
    let skip = encoding.bom_len(&bytes);
    let big_endian = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            bytes.drain(..skip);
            let (text, observed) = check_owned(path, bytes)?;
            return Ok(Decoded {
                text,
                encoding,
                repairs: Repairs::default(),
                observed,
            });
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
    let mut repairs = Repairs::default();
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                repairs.note(text.len());
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    let observed = find_damage(path, text.as_bytes(), 0, text.len())?;
    Ok(Decoded {
        text,
        encoding,
        repairs,
        observed,
    })
}

/// The start of a file as text, for recognising what it is: decoded as `decode` would
/// (any encoding, no byte-order mark) but forgiving, because a head may end inside a
/// character and a file in a legacy code page should still show its header. `None`
/// when the bytes are not text at all (a NUL byte where UTF-8 text never has one, or
/// mostly undecodable bytes).
pub fn decode_head(bytes: &[u8]) -> Option<(String, Encoding)> {
    let encoding = Encoding::sniff(bytes);
    let body = &bytes[encoding.bom_len(bytes)..];
    let text = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => String::from_utf8_lossy(body).into_owned(),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let units = body.chunks_exact(2).map(|c| {
                if encoding == Encoding::Utf16Be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
    };
    let sample = text.chars().take(4096);
    let (mut total, mut odd) = (0usize, 0usize);
    for c in sample {
        total += 1;
        if c == '\0' {
            return None;
        }
        if c == char::REPLACEMENT_CHARACTER || (c.is_control() && !c.is_whitespace()) {
            odd += 1;
        }
    }
    // A legacy code page leaves a few undecodable letters; a binary file is mostly them.
    (odd * 10 <= total).then_some((text, encoding))
}

/// Checks UTF-8 bytes held in memory: [`check_in_chunks`] in one piece, which also
/// makes them a `String` without a second pass.
fn check_owned(path: &Path, bytes: Vec<u8>) -> Result<(String, Observed), LoadError> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        not_utf8(path, e.as_bytes(), offset)
    })?;
    let observed = find_damage(path, text.as_bytes(), 0, text.len())?;
    Ok((text, observed))
}

/// Finds damage that no parser words well: bytes that are not UTF-8, NUL bytes, and a
/// byte-order mark at the start of a line (two exports joined into one file). The text
/// is checked a piece at a time, telling `passed` how far it has got, so that a mapped
/// file's pages can be handed back behind it (three device lists checked at once would
/// otherwise all be resident together). The first invalid UTF-8 wins over other damage
/// wherever each is, as in one pass over the whole text.
pub(super) fn check_in_chunks(
    path: &Path,
    text: &[u8],
    passed: impl Fn(usize),
) -> Result<Observed, LoadError> {
    // Small enough that three files checked at once keep little resident.
    const CHUNK: usize = 4 << 20;
    let mut first_damage = Ok(Observed::default());
    let mut observed = Observed::default();
    let mut from = 0;
    while from < text.len() {
        let mut to = (from + CHUNK).min(text.len());
        // End the piece on a character boundary (not before a continuation byte).
        while to < text.len() && text[to] & 0xC0 == 0x80 {
            to += 1;
        }
        if let Err(e) = std::str::from_utf8(&text[from..to]) {
            return Err(not_utf8(path, text, from + e.valid_up_to()));
        }
        if first_damage.is_ok() {
            first_damage = find_damage(path, text, from, to);
            if let Ok(seen) = &first_damage {
                observed = observed.and(*seen);
            }
        }
        passed(to);
        from = to;
    }
    first_damage.map(|_| observed)
}

fn not_utf8(path: &Path, text: &[u8], offset: usize) -> LoadError {
    damage_at(
        path,
        text,
        offset,
        format!(
            "the text is not valid UTF-8 (byte 0x{:02X}): the export was saved in another encoding (Excel: save as \"CSV UTF-8\"), or is damaged; save it as UTF-8 or UTF-16 with a byte-order mark",
            text[offset]
        ),
    )
}

/// The first NUL byte, or byte-order mark starting a line, in `text[from..to]`
/// (counting one that starts just before `from` and ends inside); else what that piece
/// shows: an escape of a surrogate (`\ud800` to `\udfff`, any letter case), room for
/// a long string.
fn find_damage(path: &Path, text: &[u8], from: usize, to: usize) -> Result<Observed, LoadError> {
    // The longest pattern is 4 bytes: each piece is also searched from 3 bytes
    // before its start, for one that straddles two pieces.
    const OVERLAP: usize = 3;
    const NUL: usize = 0;
    const BOM_AT_LINE_START: usize = 1;
    static DAMAGE: OnceLock<AhoCorasick> = OnceLock::new();
    let damage = DAMAGE.get_or_init(|| {
        let escapes = ["8", "9", "a", "b", "c", "d", "e", "f"].map(|d| format!("\\ud{d}"));
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(
                [&b"\0"[..], "\n\u{FEFF}".as_bytes()]
                    .into_iter()
                    .chain(escapes.iter().map(String::as_bytes)),
            )
            .expect("fixed patterns always build")
    });
    let scan = from.saturating_sub(OVERLAP);
    let mut surrogate_escapes = false;
    for m in damage.find_iter(&text[scan..to]) {
        let start = scan + m.start();
        match m.pattern().as_usize() {
            NUL => return Err(damage_at(
                path,
                text,
                start,
                "a NUL byte (0x00): text exports never hold one, so the file is binary, damaged, or UTF-16 that was not recognised; export it again as UTF-8".into(),
            )),
            BOM_AT_LINE_START => return Err(damage_at(
                path,
                text,
                start + 1,
                "a byte-order mark (U+FEFF) starts this line: two exports were probably joined into one file; keep one export per file".into(),
            )),
            _ => surrogate_escapes = true,
        }
    }
    Ok(Observed {
        surrogate_escapes,
        long_strings: crate::snapshot::cap::may_hold_long_strings(text, from..to),
    })
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &[u8], offset: usize) -> usize {
    line_column(text, offset).0
}

fn damage_at(path: &Path, text: &[u8], offset: usize, message: String) -> LoadError {
    let (line, column) = line_column(text, offset);
    LoadError::Text {
        path: path.to_owned(),
        line,
        column,
        message,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
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

    fn decoded(bytes: &[u8]) -> String {
        decode(Path::new("x.json"), bytes.to_vec()).unwrap().text
    }

    #[test]
    fn strips_utf8_bom_and_decodes_utf16() {
        assert_eq!(decoded(b"\xEF\xBB\xBF{}"), "{}");
        assert_eq!(decoded(&[0xFF, 0xFE, b'{', 0, b'}', 0]), "{}");
        assert_eq!(decoded(&[0xFE, 0xFF, 0, b'{', 0, b'}']), "{}");
        assert!(decode(Path::new("x.json"), vec![0xFF, 0xFE, b'{']).is_err());
        assert_eq!(Encoding::sniff(&[0xFF, 0xFE, b'{', 0]), Encoding::Utf16Le);
        assert_eq!(Encoding::sniff(b"{}"), Encoding::Utf8);
        // Without a byte-order mark, the NUL bytes give UTF-16 away.
        assert_eq!(decoded(&[b'{', 0, b'}', 0]), "{}");
        assert_eq!(decoded(&[0, b'{', 0, b'}']), "{}");
    }

    #[test]
    fn damage_has_a_position() {
        let p = Path::new("x.csv");
        let err = |b: &[u8]| decode(p, b.to_vec()).unwrap_err().to_string();
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
        assert!(decode(p, "a,b\nx\u{FEFF}y,2\n".as_bytes().to_vec()).is_ok());
    }

    #[test]
    fn lone_utf16_surrogates_are_repaired_and_escapes_noted() {
        let d = decode(
            Path::new("x.csv"),
            vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0],
        )
        .unwrap();
        assert_eq!(d.text, "a\u{fffd}b");
        assert_eq!(d.repairs, Repairs { count: 1, first: 1 });
        assert!(!d.observed.surrogate_escapes);
        let d = decode(Path::new("x.json"), br#"["\uD83D\ude00"]"#.to_vec()).unwrap();
        assert!(d.observed.surrogate_escapes);
        let d = decode(Path::new("x.json"), br#"["\u00e9"]"#.to_vec()).unwrap();
        assert!(!d.observed.surrogate_escapes);
    }

    #[test]
    fn heads_decode_forgivingly() {
        let (text, enc) = decode_head(b"\xEF\xBB\xBFDevice ID,Ger\xe4t\n").unwrap();
        assert_eq!(enc, Encoding::Utf8Bom);
        assert!(text.starts_with("Device ID,Ger"));
        // Cut inside a UTF-16 character: the half is dropped.
        let (text, _) = decode_head(&[0xFF, 0xFE, b'{', 0, b'}', 0, b'x']).unwrap();
        assert_eq!(text, "{}");
        assert!(decode_head(b"PK\x03\x04\x14\x00\x00\x00").is_none());
        assert!(decode_head(&[0x89, b'P', b'N', b'G', 0xFF, 0xFE, 0xFD, 0x80]).is_none());
    }

    /// A text checked in pieces meets the same damage at the same place as in one.
    #[test]
    fn chunked_check_finds_what_the_whole_check_finds() {
        let p = Path::new("x.json");
        let mut text = vec![b' '; (16 << 20) + 10];
        // A byte-order mark starting a line, straddling the first two pieces.
        text[(16 << 20) - 1..(16 << 20) + 3].copy_from_slice("\n\u{FEFF}".as_bytes());
        let whole = decode(p, text.clone()).err().unwrap().to_string();
        let pieces = check_in_chunks(p, &text, |_| {}).unwrap_err().to_string();
        assert_eq!(whole, pieces);
        assert!(
            whole.starts_with("x.json:2:1: a byte-order mark"),
            "{whole}"
        );
    }
}
