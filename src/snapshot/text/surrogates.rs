//! Lone UTF-16 surrogates: half of a character pair, as a program that cuts a name at
//! a number of UTF-16 units leaves it. UTF-8 cannot hold one, but UTF-16 text can, and
//! so can a JSON escape (`"\ud800"`); Rust strings and serde_json refuse them, which
//! would make a whole snapshot unloadable over one device name. Each is replaced with
//! U+FFFD (as .NET itself does when it writes such a string as UTF-8), counted, and
//! the rest of the value is read as written.

/// Lone surrogates replaced while a file's text was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Repairs {
    pub count: usize,
    /// Byte offset of the first, in the text as read.
    pub first: usize,
}

impl Repairs {
    /// Counts one more, at byte `offset`.
    pub(crate) fn note(&mut self, offset: usize) {
        if self.count == 0 || offset < self.first {
            self.first = offset;
        }
        self.count += 1;
    }

    pub(crate) fn add(&mut self, other: Repairs) {
        if other.count > 0 {
            if self.count == 0 || other.first < self.first {
                self.first = other.first;
            }
            self.count += other.count;
        }
    }
}

/// JSON text with every escape of a lone surrogate replaced by `\ufffd` (as long, so
/// every line and column stays where it was), or `None` when it has none. Only
/// escapes inside strings count: outside one a backslash is a syntax error the parser
/// reports, and `\\u` inside one is a backslash and a `u`.
pub fn repair_json(text: &str) -> Option<(String, Repairs)> {
    let b = text.as_bytes();
    let mut lone = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        match (in_string, b[i]) {
            (_, b'"') => {
                in_string = !in_string;
                i += 1;
            }
            (true, b'\\') if b.get(i + 1) == Some(&b'u') => match hex4(b, i + 2) {
                Some(0xD800..=0xDBFF) => {
                    let paired = b.get(i + 6) == Some(&b'\\')
                        && b.get(i + 7) == Some(&b'u')
                        && matches!(hex4(b, i + 8), Some(0xDC00..=0xDFFF));
                    if paired {
                        i += 12;
                    } else {
                        lone.push(i);
                        i += 6;
                    }
                }
                Some(0xDC00..=0xDFFF) => {
                    lone.push(i);
                    i += 6;
                }
                Some(_) => i += 6,
                // Not four hex digits: the parser says so.
                None => i += 2,
            },
            (true, b'\\') => i += 2,
            _ => i += 1,
        }
    }
    let first = *lone.first()?;
    let mut repaired = String::with_capacity(text.len());
    let mut from = 0;
    for &at in &lone {
        repaired.push_str(&text[from..at]);
        repaired.push_str("\\ufffd");
        from = at + 6;
    }
    repaired.push_str(&text[from..]);
    Some((
        repaired,
        Repairs {
            count: lone.len(),
            first,
        },
    ))
}

/// The four hex digits at `at`, as a number.
fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> Option<(String, usize)> {
        repair_json(text).map(|(t, r)| (t, r.count))
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(
            repaired(r#"{"a": "x\ud800y", "b": "\uDC00"}"#),
            Some((r#"{"a": "x\ufffdy", "b": "\ufffd"}"#.to_string(), 2))
        );
        // A high surrogate followed by another high one, then a pair.
        assert_eq!(
            repaired(r#"["\ud800\ud83d\ude00"]"#),
            Some((r#"["\ufffd\ud83d\ude00"]"#.to_string(), 1))
        );
        // A high surrogate at the very end of the text, cut short.
        assert_eq!(
            repaired(r#"["\ud800"#),
            Some((r#"["\ufffd"#.to_string(), 1))
        );
        let (text, r) = repair_json("{\n \"a\": \"\\ud800\"}").unwrap();
        assert_eq!(r.first, 9);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["a"], "\u{fffd}");
    }

    #[test]
    fn pairs_and_escaped_backslashes_are_left_alone() {
        assert_eq!(repaired(r#"["\ud83d\ude00", "\u00e9"]"#), None);
        assert_eq!(repaired(r#"["\\ud800", "a\"\ud83d\ude00"]"#), None);
        // Outside a string a backslash is the parser's to refuse.
        assert_eq!(repaired(r#"[\ud800]"#), None);
        assert_eq!(repaired(r#"["\ud80"]"#), None);
    }
}
