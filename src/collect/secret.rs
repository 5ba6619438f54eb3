//! Credentials and tokens. A [`Secret`] is used only where it is sent; formatting it
//! (`{}` or `{:?}`, in a message, a log line or a panic) prints `***`. As a second
//! guard, every secret value the run has seen is registered with a [`Scrubber`],
//! which replaces it in any text before that text reaches stderr.

use std::fmt;
use std::sync::{Arc, Mutex};

/// What a secret prints as.
pub const MASK: &str = "***";

/// A secret value: an application key, a client secret, an access token, a client
/// assertion, a device code.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// The secret values seen in this run, to be masked wherever they might appear in
/// text: an error body echoing a token, a URL a server made up from one.
#[derive(Clone, Default)]
pub struct Scrubber {
    values: Arc<Mutex<Vec<String>>>,
}

/// Values shorter than this are not masked: they could not be told from ordinary
/// words, and no real credential is that short.
const MIN_MASKED_LEN: usize = 8;

impl Scrubber {
    /// Remembers `secret`'s value, and its percent-encoded forms (as a form or a
    /// query string carries it).
    pub fn register(&self, secret: &Secret) {
        let value = secret.expose();
        if value.len() < MIN_MASKED_LEN {
            return;
        }
        let Ok(mut values) = self.values.lock() else {
            return;
        };
        for form in [
            value.to_owned(),
            url_encoded(value, b"*"),
            url_encoded(value, b"~"),
        ] {
            if !values.contains(&form) {
                values.push(form);
            }
        }
        // The longest first, so a secret that contains another is masked whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// `text` fit for stderr: every registered value replaced by `***`, and control
    /// characters (terminal escapes a server put in its answer) shown escaped.
    pub fn scrub(&self, text: &str) -> String {
        let masked = match self.values.lock() {
            Ok(values) => values
                .iter()
                .fold(text.to_owned(), |t, v| t.replace(v.as_str(), MASK)),
            Err(_) => text.to_owned(),
        };
        if !masked.chars().any(char::is_control) {
            return masked;
        }
        masked
            .chars()
            .map(|c| match c {
                c if c.is_control() => c.escape_default().to_string(),
                c => c.to_string(),
            })
            .collect()
    }
}

/// `value` percent-encoded, leaving alphanumerics, `-._` and `also` as they are:
/// `*` is what `application/x-www-form-urlencoded` leaves, `~` what RFC 3986 does.
fn url_encoded(value: &str, also: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => out.push(b as char),
            b if also.contains(&b) => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("p4ss~word/with+chars");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        #[derive(Debug)]
        #[allow(dead_code)] // read by Debug only
        struct Holder {
            key: Secret,
        }
        let shown = format!("{:?}", Holder { key: s.clone() });
        assert!(!shown.contains("p4ss"), "{shown}");
        assert_eq!(s.expose(), "p4ss~word/with+chars");
    }

    #[test]
    fn scrubber_masks_plain_and_form_encoded_values() {
        let scrub = Scrubber::default();
        scrub.register(&Secret::new("abc~def/ghi+jkl"));
        scrub.register(&Secret::new("short"));
        let text = "a abc~def/ghi+jkl b abc~def%2Fghi%2Bjkl c abc%7Edef%2Fghi%2Bjkl d short";
        assert_eq!(scrub.scrub(text), "a *** b *** c *** d short");
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        let scrub = Scrubber::default();
        assert_eq!(scrub.scrub("a\u{1b}[2Jb\r\nc"), "a\\u{1b}[2Jb\\r\\nc");
        assert_eq!(scrub.scrub("plain é"), "plain é");
    }

    #[test]
    fn a_secret_inside_another_is_masked_whole() {
        let scrub = Scrubber::default();
        scrub.register(&Secret::new("token-1234"));
        scrub.register(&Secret::new("prefix-token-1234-suffix"));
        assert_eq!(scrub.scrub("x prefix-token-1234-suffix y"), "x *** y");
    }
}
