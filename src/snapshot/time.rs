//! Timestamps as the exports write them. Graph uses RFC 3339 with 0-7 fractional
//! digits; `0001-01-01T00:00:00Z` and `""` mean "never". Admin-center CSV exports and
//! PowerShell add a few local forms, read as UTC, and Windows PowerShell 5.1's
//! `ConvertTo-Json` writes `/Date(milliseconds)/`.

use super::error::quote;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer};

pub type Time = DateTime<Utc>;

/// Parses a timestamp. `Ok(None)` means "never"; `Err` carries what was expected.
pub fn parse(raw: &str) -> Result<Option<Time>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let parsed = parse_utc_seconds(s)
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .ok()
        })
        .or_else(|| parse_naive(s).map(|n| Utc.from_utc_datetime(&n)))
        .or_else(|| parse_ms_date(s));
    match parsed {
        // Graph's "never": the zero date (any time of that day; year 0 when written
        // with a positive UTC offset).
        Some(t) if (0..=1).contains(&t.year()) => Ok(None),
        // Rules add and subtract intervals; a year past 9999 (a /Date(ms)/ with too
        // many digits) is never a real export and would overflow that arithmetic.
        Some(t) if !(1..=9999).contains(&t.year()) => Err(format!(
            "{} is outside the years 0001-9999 that exports use; the value is damaged",
            quote(s)
        )),
        Some(t) => Ok(Some(t)),
        None => Err(format!(
            "{} is not a timestamp (expected RFC 3339 such as 2026-11-20T07:00:00Z, or empty for never)",
            quote(s)
        )),
    }
}

/// `2026-11-20T07:00:00Z`, the form Graph and Lookout write almost every timestamp
/// in, read without the general parser (a fleet's snapshot holds millions). Anything
/// else, leap seconds included, is left to it.
fn parse_utc_seconds(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(0, 4)?).ok()?,
        number(5, 7)?,
        number(8, 10)?,
    )?;
    let time = date.and_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)?;
    Some(Utc.from_utc_datetime(&time))
}

fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 8] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%Y %H:%M:%S%.f",
        "%m/%d/%Y %H:%M",
        // RFC 3339 with a space instead of "T" and a zone (Get-Date -Format "u" and friends).
        "%Y-%m-%d %H:%M:%S%.fZ",
    ];
    const DATES: [&str; 2] = ["%Y-%m-%d", "%m/%d/%Y"];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            DATES
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// `/Date(1763622000000)/` or `/Date(1763622000000+0100)/`: milliseconds since 1970 in
/// UTC (the offset only says which zone the writer was in).
fn parse_ms_date(s: &str) -> Option<Time> {
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits_end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(inner.len(), |(i, _)| i);
    let ms: i64 = inner[..digits_end].parse().ok()?;
    DateTime::from_timestamp_millis(ms)
}

/// Formats a time the way every report prints it: RFC 3339, UTC, whole seconds.
pub fn format(t: &Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// serde helper: an optional timestamp field (absent, null, "" and the zero date are None).
pub fn deserialize_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
    let raw: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(s) => parse(&s).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_form_reads_as_the_general_parser_reads_it() {
        for s in [
            "2026-11-20T07:00:00Z",
            "0001-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2023-02-29T10:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-20T24:00:00Z",
            "2026-11-20T23:59:60Z",
            "2026-11-2OT07:00:00Z",
            "+026-11-20T07:00:00Z",
        ] {
            let general = DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc));
            match parse_utc_seconds(s) {
                Some(fast) => assert_eq!(Some(fast), general, "{s}"),
                // Declining is always safe: the general parser then decides.
                None => assert!(s.ends_with(":60Z") || general.is_none(), "{s}"),
            }
        }
    }

    fn p(s: &str) -> Option<String> {
        parse(s).unwrap().map(|t| format(&t))
    }

    #[test]
    fn graph_forms() {
        assert_eq!(
            p("2026-11-20T07:00:00Z").as_deref(),
            Some("2026-11-20T07:00:00Z")
        );
        assert_eq!(
            p("2026-11-20T07:00:00.1234567Z").as_deref(),
            Some("2026-11-20T07:00:00Z")
        );
        assert_eq!(
            p("2026-11-20T09:00:00+02:00").as_deref(),
            Some("2026-11-20T07:00:00Z")
        );
        assert_eq!(p("0001-01-01T00:00:00Z"), None);
        assert_eq!(p(""), None);
    }

    #[test]
    fn export_forms() {
        assert_eq!(
            p("2026-11-20 07:00:00.0000000").as_deref(),
            Some("2026-11-20T07:00:00Z")
        );
        assert_eq!(
            p("11/20/2026 7:00:00 AM").as_deref(),
            Some("2026-11-20T07:00:00Z")
        );
        assert_eq!(
            p("11/20/2026 7:00:00 PM").as_deref(),
            Some("2026-11-20T19:00:00Z")
        );
    }

    #[test]
    fn powershell_forms() {
        assert_eq!(
            p("/Date(1763622000000)/").as_deref(),
            Some("2025-11-20T07:00:00Z")
        );
        assert_eq!(
            p("/Date(1763622000000+0100)/").as_deref(),
            Some("2025-11-20T07:00:00Z")
        );
        // DateTime.MinValue, Windows PowerShell's way of writing "never".
        assert_eq!(p("/Date(-62135596800000)/"), None);
        assert_eq!(p("0001-01-01 00:00:00.0000000"), None);
        assert_eq!(
            p("11/20/2026 07:00").as_deref(),
            Some("2026-11-20T07:00:00Z")
        );
        assert_eq!(p("11/20/2026").as_deref(), Some("2026-11-20T00:00:00Z"));
        assert_eq!(
            p("2026-11-20 07:00:00Z").as_deref(),
            Some("2026-11-20T07:00:00Z")
        );
        assert_eq!(
            p("2026-11-20T07:00:00.1Z").as_deref(),
            Some("2026-11-20T07:00:00Z")
        );
        assert_eq!(
            p("2026-11-20T07:00:00Z").as_deref(),
            p("2026-11-20T07:00:00.0000000Z").as_deref()
        );
    }

    #[test]
    fn impossible_dates_are_errors() {
        assert!(parse("2026-13-40T00:00:00Z").is_err());
        assert!(parse("yesterday").is_err());
        assert!(parse("/Date(soon)/").is_err());
        assert!(parse("2026-02-30T00:00:00Z").is_err());
        assert!(parse("2026-11-20T25:00:00Z").is_err());
        assert!(parse("/Date(8210266876799999)/").is_err());
        assert!(parse("/Date(-8210266876799999)/").is_err());
    }
}
