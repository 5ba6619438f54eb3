//! Timestamps as the exports write them. Graph uses RFC 3339 with 0-7 fractional
//! digits; `0001-01-01T00:00:00Z` and `""` mean "never". Admin-center CSV exports and
//! PowerShell add a few local forms, read as UTC, and Windows PowerShell 5.1's
//! `ConvertTo-Json` writes `/Date(milliseconds)/`.
//!
//! A spreadsheet that re-saves a CSV writes its dates the way its locale shows them:
//! `20.11.2026 11:37`, `20/11/2026 11:37`, `20-11-2026 11.37`, or in the United
//! States `11/20/2026 7:00 AM`. A value whose day is over 12, or that is written with
//! dots, shows its order of day and month; `05/11/2026` does not, and only the rest of
//! its file can say which it is (`csv_table` decides that). Read on its own, such a
//! value is refused rather than guessed, unless a 12-hour clock marks it as written
//! in the United States.

use super::error::quote;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer};

pub type Time = DateTime<Utc>;

/// The timestamp forms every loader reads, for messages that refuse a value.
pub const ACCEPTED: &str = "accepted: 2026-11-20T07:00:00Z, 2026-11-20 07:00:00, 20.11.2026 07:00, 20/11/2026 07:00, 20-11-2026 07.00, 11/20/2026 7:00 AM (four-digit years, day or month first as the file shows), empty for never";

/// Which of a numeric date's first two numbers is the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `20/11/2026`: most of Europe.
    DayFirst,
    /// `11/20/2026`: the United States.
    MonthFirst,
}

impl DateOrder {
    pub fn describe(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "day first",
            DateOrder::MonthFirst => "month first",
        }
    }
}

/// A timestamp as written, before its file settles what the value leaves open.
#[derive(Debug, Clone, PartialEq)]
pub enum Stamp {
    /// Read. `order` is the order of day and month the value itself shows, when it
    /// is a numeric date that shows one.
    Read {
        time: Option<Time>,
        order: Option<DateOrder>,
    },
    /// Both numbers could be the month (`05/11/2026`).
    Ambiguous(NumericDate),
}

/// A date written as three numbers, the year last (`05/11/2026 11:18`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumericDate {
    first: u32,
    second: u32,
    year: i32,
    time: NaiveTime,
    /// Written with dots (`20.11.2026`), which only day-first locales do.
    dots: bool,
    /// A 12-hour clock (`AM`/`PM`): the United States' way, so month first when
    /// nothing else decides.
    pub twelve_hour: bool,
}

impl NumericDate {
    /// The order the value shows by itself: a number over 12 can only be the day;
    /// dots are only ever written day first. Equal numbers read the same either way.
    fn order(&self) -> Option<DateOrder> {
        if self.first > 12 || self.dots {
            Some(DateOrder::DayFirst)
        } else if self.second > 12 || self.first == self.second {
            Some(DateOrder::MonthFirst)
        } else {
            None
        }
    }

    /// The instant in `order`, or why it is none.
    pub fn resolve(&self, order: DateOrder) -> Result<Option<Time>, String> {
        let (day, month) = match order {
            DateOrder::DayFirst => (self.first, self.second),
            DateOrder::MonthFirst => (self.second, self.first),
        };
        let date = NaiveDate::from_ymd_opt(self.year, month, day).ok_or_else(|| {
            format!(
                "day {day} of month {month} of {} does not exist ({})",
                self.year,
                order.describe()
            )
        })?;
        checked(Utc.from_utc_datetime(&date.and_time(self.time)), "")
    }

    /// "could be 5 November 2026 or 11 May 2026".
    pub fn both_readings(&self) -> String {
        let name = |day: u32, month: u32| {
            NaiveDate::from_ymd_opt(self.year, month, day)
                .map_or_else(String::new, |d| d.format("%-d %B %Y").to_string())
        };
        format!(
            "could be {} or {}",
            name(self.first, self.second),
            name(self.second, self.first)
        )
    }
}

/// Parses a timestamp. `Ok(None)` means "never"; `Err` carries what was expected.
/// A numeric date must show its order of day and month itself (see [`read`]).
pub fn parse(raw: &str) -> Result<Option<Time>, String> {
    match read(raw)? {
        Stamp::Read { time, .. } => Ok(time),
        Stamp::Ambiguous(date) if date.twelve_hour => date.resolve(DateOrder::MonthFirst),
        Stamp::Ambiguous(date) => Err(format!(
            "{} {}, and nothing says which; write it as 2026-11-20 07:00 ({ACCEPTED})",
            quote(raw.trim()),
            date.both_readings()
        )),
    }
}

/// Reads a timestamp as far as the value alone allows.
pub fn read(raw: &str) -> Result<Stamp, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(Stamp::Read {
            time: None,
            order: None,
        });
    }
    if let Some(numeric) = numeric_date(s) {
        let date = numeric.map_err(|why| format!("{} {why} ({ACCEPTED})", quote(s)))?;
        return match date.order() {
            Some(order) => Ok(Stamp::Read {
                time: date.resolve(order).map_err(|why| {
                    format!("{} is not a timestamp: {why} ({ACCEPTED})", quote(s))
                })?,
                order: (date.first != date.second).then_some(order),
            }),
            None => Ok(Stamp::Ambiguous(date)),
        };
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
        Some(t) => checked(t, s).map(|time| Stamp::Read { time, order: None }),
        None => Err(format!("{} is not a timestamp ({ACCEPTED})", quote(s))),
    }
}

/// A parsed instant as the rules may use it.
fn checked(t: Time, s: &str) -> Result<Option<Time>, String> {
    match t.year() {
        // Graph's "never": the zero date (any time of that day; year 0 when written
        // with a positive UTC offset).
        0..=1 => Ok(None),
        // Rules add and subtract intervals; a year past 9999 (a /Date(ms)/ with too
        // many digits) is never a real export and would overflow that arithmetic.
        2..=9999 => Ok(Some(t)),
        _ => Err(format!(
            "{} is outside the years 0001-9999 that exports use; the value is damaged",
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
    const FORMATS: [&str; 6] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        // RFC 3339 with a space instead of "T" and a zone (Get-Date -Format "u" and friends).
        "%Y-%m-%d %H:%M:%S%.fZ",
        // Year first with slashes, as East Asian locales write it.
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
    ];
    const DATES: [&str; 2] = ["%Y-%m-%d", "%Y/%m/%d"];
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

/// A run of ASCII digits at the start of `s`, and what follows it.
fn leading_digits(s: &str) -> (&str, &str) {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

/// A number of one or two digits at the start of `s`, and what follows it.
fn small_number(s: &str) -> Option<(u32, &str)> {
    let (digits, rest) = leading_digits(s);
    (1..=2)
        .contains(&digits.len())
        .then(|| digits.parse().ok().map(|n| (n, rest)))
        .flatten()
}

/// `D.M.YYYY`, `D/M/YYYY` or `D-M-YYYY`, either number the day, optionally followed
/// (after a space or `, `) by `H:mm[:ss[.f]]` or `H.mm[.ss]` and `AM`/`PM`. `None`:
/// not this form; `Some(Err)`: this form, but not a timestamp.
fn numeric_date(s: &str) -> Option<Result<NumericDate, String>> {
    let (first, rest) = small_number(s)?;
    let sep = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '.' | '/' | '-'))?;
    let (second, rest) = small_number(&rest[1..])?;
    let rest = rest.strip_prefix(sep)?;
    let (year, rest) = leading_digits(rest);
    match year.len() {
        4 => {}
        2 => {
            return Some(Err(
                "has a two-digit year, which could be of any century or even the day; save the dates with four-digit years".into(),
            ))
        }
        _ => return None,
    }
    let year = year.parse().ok()?;
    let not_a_time = || Some(Err("is not a timestamp".to_string()));
    let clock = rest.strip_prefix(',').unwrap_or(rest);
    let clock_text = clock.trim_start();
    if !clock_text.is_empty() && clock_text.len() == clock.len() {
        return None;
    }
    let (time, twelve_hour) = if clock_text.is_empty() {
        (NaiveTime::MIN, false)
    } else {
        match clock_time(clock_text) {
            Some(t) => t,
            None => return not_a_time(),
        }
    };
    Some(Ok(NumericDate {
        first,
        second,
        year,
        time,
        dots: sep == '.',
        twelve_hour,
    }))
}

/// `11:37`, `11:37:05.123`, `11.37`, `7:00:00 AM`: the time and whether it is on a
/// 12-hour clock.
fn clock_time(s: &str) -> Option<(NaiveTime, bool)> {
    let (hour, rest) = small_number(s)?;
    let sep = rest.chars().next().filter(|c| matches!(c, ':' | '.'))?;
    let (minute, rest) = leading_digits(&rest[1..]);
    let minute: u32 = (minute.len() == 2).then(|| minute.parse().ok())??;
    let (second, nanos, rest) = match rest.strip_prefix(sep) {
        Some(after) => {
            let (second, rest) = leading_digits(after);
            let second: u32 = (second.len() == 2).then(|| second.parse().ok())??;
            match rest.strip_prefix('.') {
                Some(fraction) => {
                    let (digits, rest) = leading_digits(fraction);
                    if digits.is_empty() || digits.len() > 9 {
                        return None;
                    }
                    let nanos = format!("{digits:0<9}").parse().ok()?;
                    (second, nanos, rest)
                }
                None => (second, 0, rest),
            }
        }
        None => (0, 0, rest),
    };
    let meridiem = rest.trim_start();
    let hour = if meridiem.is_empty() {
        hour
    } else if !(1..=12).contains(&hour) {
        return None;
    } else if meridiem.eq_ignore_ascii_case("AM") {
        hour % 12
    } else if meridiem.eq_ignore_ascii_case("PM") {
        hour % 12 + 12
    } else {
        return None;
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).map(|t| (t, !meridiem.is_empty()))
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

    #[test]
    fn spreadsheet_dates_that_show_their_order() {
        for (s, want) in [
            ("20.11.2026 11:37", "2026-11-20T11:37:00Z"),
            ("20.11.2026 11.37", "2026-11-20T11:37:00Z"),
            ("5.11.2026 9:12", "2026-11-05T09:12:00Z"),
            ("05.11.2026", "2026-11-05T00:00:00Z"),
            ("20/11/2026 11:37", "2026-11-20T11:37:00Z"),
            ("20/11/2026", "2026-11-20T00:00:00Z"),
            ("20-11-2026 11:37", "2026-11-20T11:37:00Z"),
            ("20.11.2026, 11:37:05", "2026-11-20T11:37:05Z"),
            ("11/20/2026 7:00:00 AM", "2026-11-20T07:00:00Z"),
            ("11/20/2026, 11:57:30.087 AM", "2026-11-20T11:57:30Z"),
            ("11/20/2026 12:05 AM", "2026-11-20T00:05:00Z"),
            ("11/20/2026 12:05 pm", "2026-11-20T12:05:00Z"),
            ("11/05/2026 7:00 PM", "2026-11-05T19:00:00Z"),
            ("05/05/2026 07:00", "2026-05-05T07:00:00Z"),
            ("2026/11/20 11:37", "2026-11-20T11:37:00Z"),
        ] {
            assert_eq!(p(s).as_deref(), Some(want), "{s}");
        }
        assert_eq!(
            read("20/11/2026").unwrap(),
            Stamp::Read {
                time: parse("2026-11-20T00:00:00Z").unwrap(),
                order: Some(DateOrder::DayFirst)
            }
        );
        assert!(matches!(
            read("11/20/2026 07:00").unwrap(),
            Stamp::Read {
                order: Some(DateOrder::MonthFirst),
                ..
            }
        ));
        // Equal numbers read the same either way round and show no order.
        assert!(matches!(
            read("05/05/2026").unwrap(),
            Stamp::Read { order: None, .. }
        ));
    }

    #[test]
    fn dates_that_leave_the_order_open() {
        let Stamp::Ambiguous(date) = read("05/11/2026 09:12").unwrap() else {
            panic!("ambiguous")
        };
        assert!(!date.twelve_hour);
        assert_eq!(
            date.resolve(DateOrder::DayFirst)
                .unwrap()
                .map(|t| format(&t))
                .as_deref(),
            Some("2026-11-05T09:12:00Z")
        );
        assert_eq!(
            date.resolve(DateOrder::MonthFirst)
                .unwrap()
                .map(|t| format(&t))
                .as_deref(),
            Some("2026-05-11T09:12:00Z")
        );
        let err = parse("05/11/2026 09:12").unwrap_err();
        assert!(
            err.contains("could be 5 November 2026 or 11 May 2026") && err.contains("accepted:"),
            "{err}"
        );
        // On a 12-hour clock it is the United States' order.
        assert_eq!(
            p("11/05/2026 7:00:00 AM").as_deref(),
            Some("2026-11-05T07:00:00Z")
        );
    }

    #[test]
    fn spreadsheet_dates_that_are_refused() {
        for (s, why) in [
            ("20.11.26 11:37", "two-digit year"),
            ("20/11/26", "two-digit year"),
            ("11.20.2026", "does not exist"),
            ("20/13/2026", "not a timestamp"),
            ("31/11/2026", "does not exist"),
            ("20.11.2026 25:00", "not a timestamp"),
            ("20.11.2026 11:7", "not a timestamp"),
            ("20/11/2026 13:00 PM", "not a timestamp"),
            ("20.11.2026x", "not a timestamp"),
        ] {
            let err = parse(s).unwrap_err();
            assert!(err.contains(why) && err.contains("accepted:"), "{s}: {err}");
        }
    }
}
