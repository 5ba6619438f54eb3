//! Reading a file's bytes as UTF-8, whatever Windows tools wrote: UTF-8 with or
//! without a byte-order mark, or UTF-16 (PowerShell's `Out-File` and `>`) with one.

use super::LoadError;
use std::path::Path;

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
    read_text(path).map(|(bytes, _)| bytes)
}

/// Like [`read_utf8`], and also says which encoding the file was in.
pub fn read_text(path: &Path) -> Result<(Vec<u8>, Encoding), LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let encoding = sniff(&bytes);
    decode(path, bytes).map(|b| (b, encoding))
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
            message: "UTF-16 file with an odd number of bytes (truncated?)".into(),
        });
    }
    let units = body.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map(String::into_bytes)
        .map_err(|e| LoadError::Invalid {
            path: path.to_owned(),
            message: format!("invalid UTF-16 text: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
