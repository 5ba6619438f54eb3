//! Reading a file's bytes as UTF-8, whatever Windows tools wrote: UTF-8 with or
//! without a byte-order mark, or UTF-16 (PowerShell's `Out-File` and `>`) with one.

use super::LoadError;
use std::path::Path;

/// Reads a whole file and returns UTF-8 bytes without a byte-order mark.
pub fn read_utf8(path: &Path) -> Result<Vec<u8>, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    decode(path, bytes)
}

fn decode(path: &Path, mut bytes: Vec<u8>) -> Result<Vec<u8>, LoadError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
        return Ok(bytes);
    }
    let utf16 = |big_endian: bool| -> Result<Vec<u8>, LoadError> {
        let body = &bytes[2..];
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
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return utf16(false);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return utf16(true);
    }
    Ok(bytes)
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
    }
}
