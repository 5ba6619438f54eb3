//! A CSV export read by column name. Header matching ignores letter case, spaces and
//! punctuation, so `details.external_id`, `Details External ID` and `detailsexternalid`
//! are the same column. Errors name the record and its line in the file as saved.
//!
//! Real exports add a few things a plain CSV reader trips over, handled here once:
//! Windows PowerShell's `#TYPE ...` line above the header, Excel's `sep=;` line, and
//! `;` or tab as the delimiter (detected from the header row). A spreadsheet's dates
//! (`05/11/2026`) may leave the order of day and month open; the file decides it (see
//! [`DateOrders`]). Every value read is capped in length (`cap`).

use super::cap::{self, Cuts};
use super::form::{Location, Quirk};
use super::lenient;
use super::time::{self, DateOrder, Stamp, Time};
use super::LoadError;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

pub struct CsvTable<'a> {
    path: PathBuf,
    reader: csv::Reader<&'a [u8]>,
    /// The text the reader reads (after the preamble), to place records on lines.
    body: &'a [u8],
    raw_headers: Vec<String>,
    headers: Vec<String>,
    used: Vec<bool>,
    record: csv::StringRecord,
    /// Lines above the header row that the reader never sees, added back to every
    /// line number so messages point into the file as the user has it.
    line_offset: u64,
    quirks: Vec<Quirk>,
    /// Names the file in locations when one report covers several files.
    label: Option<String>,
    delimiter: u8,
    /// Where the last record read starts in `body` (byte, record number, line), to
    /// check the end of the file.
    last_start: Option<(usize, u64, u64)>,
    dates: DateOrders,
    /// Values cut to their cap.
    cuts: RefCell<Cuts>,
}

/// A column position; `None` when the export does not have that column.
pub type Column = Option<usize>;

pub fn normalize_header(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl<'a> CsvTable<'a> {
    pub fn open(path: &Path, bytes: &'a [u8]) -> Result<CsvTable<'a>, LoadError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(LoadError::Invalid {
                path: path.to_owned(),
                message: "the file is empty; export it again".into(),
            });
        }
        let pre = Preamble::read(bytes);
        let body = &bytes[pre.skip_bytes..];
        let delimiter = pre
            .delimiter
            .unwrap_or_else(|| sniff_delimiter(first_line(body)));
        let mut quirks = pre.quirks;
        match delimiter {
            b';' => quirks.push(Quirk::Semicolon),
            b'\t' => quirks.push(Quirk::Tab),
            _ => {}
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .delimiter(delimiter)
            .from_reader(body);
        let raw_headers: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(path, body, pre.lines, delimiter, &e))?
            .iter()
            // A column name is short; a crafted one is cut (no column looked for is
            // that long, so no lookup changes).
            .map(|h| {
                let h = h.trim();
                cap::cut(h, cap::MAX_CHARS).unwrap_or(h).to_owned()
            })
            .collect();
        // A quote opened in the header and never closed swallows the whole file into
        // the header row; say that rather than "no such column".
        if reader.position().byte() as usize >= body.len() && ends_inside_quotes(body, delimiter) {
            return Err(LoadError::CsvHeader {
                path: path.to_owned(),
                line: pre.lines + 1,
                message: UNTERMINATED_QUOTE.into(),
            });
        }
        let headers: Vec<String> = raw_headers.iter().map(|h| normalize_header(h)).collect();
        Ok(CsvTable {
            path: path.to_owned(),
            reader,
            body,
            used: vec![false; headers.len()],
            raw_headers,
            headers,
            record: csv::StringRecord::new(),
            line_offset: pre.lines,
            quirks,
            label: None,
            delimiter,
            last_start: None,
            dates: DateOrders::default(),
            cuts: RefCell::new(Cuts::default()),
        })
    }

    /// The values cut to their cap so far.
    pub fn cuts(&self) -> Cuts {
        self.cuts.borrow().clone()
    }

    /// Names `label` (a file name) in every location this table reports.
    pub fn with_label(mut self, label: String) -> Self {
        self.label = Some(label);
        self
    }

    fn position(&self, names: &[&str]) -> Column {
        names.iter().find_map(|n| {
            let n = normalize_header(n);
            self.headers.iter().position(|h| *h == n)
        })
    }

    /// The first column whose header matches one of `names`; it counts as read.
    pub fn column(&mut self, names: &[&str]) -> Column {
        let col = self.position(names);
        if let Some(i) = col {
            self.used[i] = true;
        }
        col
    }

    /// True when a header matches one of `names` (for recognising the export).
    pub fn has(&self, names: &[&str]) -> bool {
        self.position(names).is_some()
    }

    /// Like [`column`](Self::column), but the export is unusable without it.
    pub fn require(&mut self, what: &str, names: &[&str]) -> Result<usize, LoadError> {
        self.column(names).ok_or_else(|| {
            self.header_error(&format!(
                "the header row has no \"{what}\" column (expected one of: {}); is this the right export?",
                names.join(", ")
            ))
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error about the header row.
    pub fn header_error(&self, message: &str) -> LoadError {
        LoadError::CsvHeader {
            path: self.path.clone(),
            line: self.line_offset + 1,
            message: message.to_owned(),
        }
    }

    /// The headers as written, for recognising an export by its column names.
    pub fn raw_headers(&self) -> &[String] {
        &self.raw_headers
    }

    /// Headers no column lookup asked for, as written.
    pub fn ignored_columns(&self) -> Vec<String> {
        self.raw_headers
            .iter()
            .zip(&self.used)
            .filter(|(h, used)| !**used && !h.is_empty())
            .map(|(h, _)| h.clone())
            .collect()
    }

    pub fn quirks(&self) -> &[Quirk] {
        &self.quirks
    }

    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, LoadError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => {
                // The reader takes an unclosed quote to run to the end of the file, and
                // the record it makes may even have the right number of fields: the
                // last record must not silently hold the rest of the file.
                match self.last_start {
                    Some((start, record, line))
                        if ends_inside_quotes(
                            self.body.get(start..).unwrap_or_default(),
                            self.delimiter,
                        ) =>
                    {
                        Err(LoadError::CsvRecord {
                            path: self.path.clone(),
                            record,
                            line: line + self.line_offset,
                            message: UNTERMINATED_QUOTE.into(),
                        })
                    }
                    _ => Ok(None),
                }
            }
            Ok(true) => {
                self.last_start = self
                    .record
                    .position()
                    .map(|p| (p.byte() as usize, p.record(), line_of(self.body, p)));
                Ok(Some(Row {
                    path: &self.path,
                    record: &self.record,
                    body: self.body,
                    line_offset: self.line_offset,
                    label: self.label.as_deref(),
                    headers: &self.raw_headers,
                    delimiter: self.delimiter,
                    dates: &self.dates,
                    cuts: &self.cuts,
                }))
            }
            Err(e) => Err(csv_error(
                &self.path,
                self.body,
                self.line_offset,
                self.delimiter,
                &e,
            )),
        }
    }
}

/// The lines above the header row that some tools write.
struct Preamble {
    skip_bytes: usize,
    lines: u64,
    delimiter: Option<u8>,
    quirks: Vec<Quirk>,
}

impl Preamble {
    fn read(bytes: &[u8]) -> Preamble {
        let mut pre = Preamble {
            skip_bytes: 0,
            lines: 0,
            delimiter: None,
            quirks: Vec::new(),
        };
        loop {
            let rest = &bytes[pre.skip_bytes..];
            let line = first_line(rest);
            let text = String::from_utf8_lossy(line);
            let text = text.trim();
            // `get`, not `[..5]`: the fifth byte may be inside a character.
            if text
                .get(..5)
                .is_some_and(|t| t.eq_ignore_ascii_case("#TYPE"))
            {
                pre.quirks.push(Quirk::TypeLine);
            } else if let Some(sep) = excel_separator(text) {
                pre.delimiter = Some(sep);
                pre.quirks.push(Quirk::SepLine);
            } else {
                return pre;
            }
            // Past the line and its line break.
            pre.skip_bytes += rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| i + 1);
            pre.lines += 1;
        }
    }
}

/// `sep=;` (Excel's hint line) gives the delimiter.
fn excel_separator(line: &str) -> Option<u8> {
    let rest = line
        .get(..4)?
        .eq_ignore_ascii_case("sep=")
        .then(|| &line[4..])?;
    match rest.as_bytes() {
        [b] if !b.is_ascii_alphanumeric() => Some(*b),
        _ => None,
    }
}

fn first_line(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    &bytes[..end]
}

/// The delimiter of a header row: whichever of `,` `;` tab occurs most often outside
/// quotes (a comma on a tie, as the format's name promises).
fn sniff_delimiter(header: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                c.1 += 1;
            }
        }
    }
    counts
        .iter()
        .fold((b',', 0), |best, &c| if c.1 > best.1 { c } else { best })
        .0
}

/// The 1-based line a record starts on. After a CRLF the reader's position is at the
/// `\n` still, one line early; a record never starts with a line break, so a `\n` at
/// its position means the next line.
fn line_of(body: &[u8], pos: &csv::Position) -> u64 {
    let at_break = body.get(pos.byte() as usize) == Some(&b'\n');
    pos.line() + u64::from(at_break)
}

/// The order of day and month in a file's numeric dates, as far as it is known.
///
/// Spreadsheets write every date of a file in one locale's form, so the file has one
/// order: the first value that shows it (a day over 12, or dots) settles it for every
/// value that does not (`05/11/2026`), and a value showing the other order means the
/// file mixes two forms and is refused. When a value leaves the order open before any
/// has shown it, the whole file is searched once, every column, for one that does.
#[derive(Default)]
struct DateOrders {
    state: RefCell<OrderState>,
}

#[derive(Default)]
struct OrderState {
    shown: Option<Shown>,
    /// The whole file was searched for a date that shows the order.
    searched: bool,
}

/// A value that showed the file's date order, to name it when another contradicts it.
#[derive(Clone)]
struct Shown {
    order: DateOrder,
    value: String,
    column: String,
    record: u64,
}

impl DateOrders {
    /// Notes a value that shows `order`; `Err` when the file showed the other one.
    fn show(&self, order: DateOrder, value: &str, column: &str, record: u64) -> Result<(), String> {
        let mut state = self.state.borrow_mut();
        match &state.shown {
            Some(first) if first.order != order => Err(format!(
                "{} is {}, but {} (column \"{}\", record {}) is {}: the file mixes two date forms (re-saved?); export it again ({})",
                super::error::quote(value),
                order.describe(),
                super::error::quote(&first.value),
                first.column,
                first.record,
                first.order.describe(),
                time::ACCEPTED
            )),
            Some(_) => Ok(()),
            None => {
                state.shown = Some(Shown {
                    order,
                    value: value.to_owned(),
                    column: column.to_owned(),
                    record,
                });
                Ok(())
            }
        }
    }

    /// The file's order, searching `body` for it the first time it is not yet known.
    fn order(&self, body: &[u8], delimiter: u8, headers: &[String]) -> Option<DateOrder> {
        let mut state = self.state.borrow_mut();
        if state.shown.is_none() && !state.searched {
            state.searched = true;
            state.shown = search_order(body, delimiter, headers);
        }
        state.shown.as_ref().map(|s| s.order)
    }
}

/// The first cell of the file, in any column, whose date shows its order of day and
/// month. Unreadable records end the search; the main reading reports them.
fn search_order(body: &[u8], delimiter: u8, headers: &[String]) -> Option<Shown> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    let mut record = csv::StringRecord::new();
    let mut number = 0;
    while reader.read_record(&mut record).ok()? {
        number += 1;
        for (i, cell) in record.iter().enumerate() {
            if let Ok(Stamp::Read {
                order: Some(order), ..
            }) = time::read(cell)
            {
                return Some(Shown {
                    order,
                    value: cell.trim().to_owned(),
                    column: headers.get(i).cloned().unwrap_or_default(),
                    record: number,
                });
            }
        }
    }
    None
}

pub struct Row<'t> {
    path: &'t Path,
    record: &'t csv::StringRecord,
    body: &'t [u8],
    line_offset: u64,
    label: Option<&'t str>,
    headers: &'t [String],
    delimiter: u8,
    dates: &'t DateOrders,
    cuts: &'t RefCell<Cuts>,
}

impl Row<'_> {
    /// A cell's trimmed text, capped; empty cells and missing columns are `None`.
    pub fn text(&self, col: Column) -> Option<super::Text> {
        let cell = self.cell(col)?;
        Some(super::Text::from(self.capped(col, cell)))
    }

    /// A cell holding JSON text (a Log Analytics `dynamic` column), parsed whole
    /// whatever its length, what it holds capped (see [`cap::parse_json_text`]).
    /// Empty cells and missing columns are `None`.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        col: Column,
    ) -> Result<Option<T>, serde_json::Error> {
        let Some(cell) = self.cell(col) else {
            return Ok(None);
        };
        cap::parse_json_text(cell, &mut self.cuts.borrow_mut(), Some(self.location())).map(Some)
    }

    /// `value`, read from column `col` of this row, cut to the cap (and counted).
    fn capped<'v>(&self, col: Column, value: &'v str) -> &'v str {
        match cap::cut(value, cap::MAX_CHARS) {
            None => value,
            Some(start) => {
                let column = col.and_then(|i| self.headers.get(i));
                self.cuts
                    .borrow_mut()
                    .add(column.map_or("", String::as_str), Some(self.location()));
                start
            }
        }
    }

    fn cell(&self, col: Column) -> Option<&str> {
        col.and_then(|i| self.record.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// A timestamp; a numeric date whose order of day and month the value leaves
    /// open is read in the order the file shows (see [`DateOrders`]). A refusal names
    /// the column.
    pub fn time(&self, col: Column) -> Result<Option<Time>, LoadError> {
        let (Some(i), Some(s)) = (col, self.cell(col)) else {
            return Ok(None);
        };
        let column = self.headers.get(i).map_or("", String::as_str);
        let refuse = |m: String| self.error(&format!("column \"{column}\": {m}"));
        match time::read(s).map_err(refuse)? {
            Stamp::Read { time, order: None } => Ok(time),
            Stamp::Read {
                time,
                order: Some(order),
            } => {
                let (record, _) = self.position();
                self.dates.show(order, s, column, record).map_err(refuse)?;
                Ok(time)
            }
            Stamp::Ambiguous(date) => {
                let order = self
                    .dates
                    .order(self.body, self.delimiter, self.headers)
                    .or(date.twelve_hour.then_some(DateOrder::MonthFirst));
                match order {
                    Some(order) => date.resolve(order).map_err(|why| {
                        refuse(format!("{} is not a timestamp: {why}", super::error::quote(s)))
                    }),
                    None => Err(refuse(format!(
                        "{} {}, and no date in the file settles which (a day over 12, or dots) ({})",
                        super::error::quote(s),
                        date.both_readings(),
                        time::ACCEPTED
                    ))),
                }
            }
        }
    }

    /// `True`/`False` in any letter case (also yes/no, 1/0); empty is `None`.
    pub fn bool(&self, col: Column) -> Result<Option<bool>, LoadError> {
        match self.cell(col) {
            None => Ok(None),
            Some(s) => lenient::parse_bool(s).map(Some).ok_or_else(|| {
                self.error(&format!("{} is not True or False", super::error::quote(s)))
            }),
        }
    }

    /// A value inside a cell holding PowerShell's text form of an object
    /// (`@{external_id=abc; mdm_connector_id=7}`), which `Export-Csv` writes for
    /// nested objects it was not asked to flatten.
    pub fn ps_field(&self, col: Column, keys: &[&str]) -> Option<String> {
        let cell = self.cell(col)?;
        let mut value = lenient::ps_object_field(cell, keys)?;
        let kept = self.capped(col, &value).len();
        value.truncate(kept);
        Some(value)
    }

    /// The record number and the line it starts on in the file.
    fn position(&self) -> (u64, u64) {
        self.record.position().map_or((0, 0), |p| {
            (p.record(), line_of(self.body, p) + self.line_offset)
        })
    }

    pub fn location(&self) -> Location {
        let (record, line) = self.position();
        Location::Csv {
            file: self.label.map(str::to_owned),
            record,
            line,
        }
    }

    pub fn error(&self, message: &str) -> LoadError {
        let (record, line) = self.position();
        LoadError::CsvRecord {
            path: self.path.to_owned(),
            record,
            line,
            message: super::error::shorten(message),
        }
    }
}

/// What to say about a quote that is never closed.
const UNTERMINATED_QUOTE: &str = "a quoted cell that starts here is never closed, so the rest of the file ran into it (a truncated export, or a stray \" in a cell; a quote inside a quoted cell is written \"\")";

/// Whether `text` ends inside a quoted field, read as the csv reader reads it: a
/// quote opens a field only at the field's start, and `""` inside one is a quote.
fn ends_inside_quotes(text: &[u8], delimiter: u8) -> bool {
    let mut quoted = false;
    let mut at_field_start = true;
    let mut bytes = text.iter().peekable();
    while let Some(&b) = bytes.next() {
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && at_field_start {
            quoted = true;
            at_field_start = false;
        } else {
            at_field_start = b == delimiter || b == b'\n' || b == b'\r';
        }
    }
    quoted
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn csv_error(
    path: &Path,
    body: &[u8],
    line_offset: u64,
    delimiter: u8,
    e: &csv::Error,
) -> LoadError {
    let (record, line) = e
        .position()
        .map_or((0, 0), |p| (p.record(), line_of(body, p)));
    let start = e.position().map_or(0, |p| p.byte() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { .. }
            if ends_inside_quotes(body.get(start..).unwrap_or_default(), delimiter) =>
        {
            UNTERMINATED_QUOTE.to_string()
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "this record has {} but the header has {} (a stray delimiter or quote, or a line cut short?)",
            plural(*len, "field", "fields"),
            plural(*expected_len, "column", "columns")
        ),
        csv::ErrorKind::Utf8 { .. } => {
            "the text is not UTF-8 (save the export as UTF-8 or UTF-16 with BOM)".to_string()
        }
        _ => e.to_string(),
    };
    LoadError::CsvRecord {
        path: path.to_owned(),
        record,
        line: line + line_offset,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> CsvTable<'_> {
        CsvTable::open(Path::new("t.csv"), text.as_bytes()).unwrap()
    }

    #[test]
    fn powershell_type_line_and_semicolons() {
        let mut t = table("#TYPE System.Management.Automation.PSCustomObject\r\n\"Guid\";\"Email\"\r\n\"lk-1\";\"a@x.com\"\r\n");
        assert_eq!(t.quirks(), &[Quirk::TypeLine, Quirk::Semicolon]);
        let guid = t.column(&["guid"]);
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.text(guid).as_deref(), Some("lk-1"));
        // Line 3 of the file: the #TYPE line counts.
        assert_eq!(
            row.location(),
            Location::Csv {
                file: None,
                record: 1,
                line: 3
            }
        );
        assert_eq!(t.ignored_columns(), vec!["Email".to_string()]);
    }

    #[test]
    fn excel_sep_line_and_tabs() {
        let t = table("sep=;\na;b,c\n1;2,3\n");
        assert_eq!(t.raw_headers(), &["a".to_string(), "b,c".to_string()]);
        let t = table("a\tb\n1\t2\n");
        assert_eq!(t.quirks(), &[Quirk::Tab]);
        // A comma inside quotes does not vote.
        let t = table("\"a,b\";c\n1;2\n");
        assert_eq!(t.raw_headers().len(), 2);
    }

    #[test]
    fn errors_point_at_the_line_in_the_file() {
        for text in [
            "#TYPE X\nid,name\n1,a\n2\n",
            "#TYPE X\r\nid,name\r\n1,a\r\n2\r\n",
        ] {
            let mut t = table(text);
            t.next_row().unwrap();
            let err = t.next_row().err().unwrap().to_string();
            assert!(err.contains("record 2 (line 4)"), "{err}");
        }
    }

    #[test]
    fn booleans_and_powershell_objects() {
        let mut t =
            table("on,details\nTRUE,\"@{external_id=abc; mdm_connector_id=7}\"\nfalse,@{}\n");
        let on = t.column(&["on"]);
        let details = t.column(&["details"]);
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.bool(on).unwrap(), Some(true));
        assert_eq!(
            row.ps_field(details, &["external_id"]).as_deref(),
            Some("abc")
        );
        let row = t.next_row().unwrap().unwrap();
        assert_eq!(row.bool(on).unwrap(), Some(false));
        assert_eq!(row.ps_field(details, &["external_id"]), None);
    }

    #[test]
    fn unclosed_quotes_are_found() {
        assert!(ends_inside_quotes(b"a,\"b\nc,d\n", b','));
        assert!(!ends_inside_quotes(b"a,\"b\nc\",d\n", b','));
        assert!(!ends_inside_quotes(b"a,\"say \"\"hi\"\"\",x\n", b','));
        // A quote inside an unquoted cell is text.
        assert!(!ends_inside_quotes(b"a,5\" tablet,x\n", b','));
        // The last record has the right number of fields but ran to the end.
        let mut t = table("id,name\n1,\"a\n2,b\n");
        let err = loop {
            match t.next_row() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("no error"),
                Err(e) => break e.to_string(),
            }
        };
        assert!(err.contains("record 1 (line 2): a quoted cell"), "{err}");
        let err = CsvTable::open(Path::new("t.csv"), b"id,\"name\n1,a\n")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("header row (line 1): a quoted cell"), "{err}");
        let mut t = table("id,name\n1\n");
        let err = t.next_row().err().unwrap().to_string();
        assert!(
            err.contains("has 1 field but the header has 2 columns"),
            "{err}"
        );
    }

    #[test]
    fn preambles_with_wide_characters() {
        // Found by fuzzing: the first line cut inside a character.
        let t = table("abcd\u{feff}x,y\n1,2\n");
        assert_eq!(t.raw_headers().len(), 2);
        let t = table("日本語,b\n1,2\n");
        assert_eq!(t.raw_headers().len(), 2);
    }

    #[test]
    fn empty_files_are_errors() {
        assert!(CsvTable::open(Path::new("t.csv"), b" \r\n").is_err());
    }

    /// Every timestamp of a column, read row by row as a loader reads them.
    fn times(text: &str, column: &str) -> Result<Vec<String>, String> {
        let mut t = table(text);
        let col = t.column(&[column]);
        let mut out = Vec::new();
        while let Some(row) = t.next_row().map_err(|e| e.to_string())? {
            let at = row.time(col).map_err(|e| e.to_string())?;
            out.push(at.map(|t| time::format(&t)).unwrap_or_default());
        }
        Ok(out)
    }

    #[test]
    fn the_file_settles_the_order_of_day_and_month() {
        // A later row of the same column.
        assert_eq!(
            times("id,at\n1,05/11/2026 09:12\n2,20/11/2026 11:00\n", "at").unwrap(),
            ["2026-11-05T09:12:00Z", "2026-11-20T11:00:00Z"]
        );
        // Another column, even one no loader reads.
        assert_eq!(
            times(
                "id,at,other\n1,05/11/2026,\n2,06/11/2026,13/05/2026\n",
                "at"
            )
            .unwrap(),
            ["2026-11-05T00:00:00Z", "2026-11-06T00:00:00Z"]
        );
        assert_eq!(
            times("id,at\n1,05/11/2026\n2,11/20/2026\n", "at").unwrap(),
            ["2026-05-11T00:00:00Z", "2026-11-20T00:00:00Z"]
        );
        // Dots are only ever written day first.
        assert_eq!(
            times("id;at\n1;05.11.2026 09.12\n", "at").unwrap(),
            ["2026-11-05T09:12:00Z"]
        );
        // A 12-hour clock with nothing else to go by: the United States' order.
        assert_eq!(
            times("id,at\n1,11/05/2026 7:00:00 AM\n", "at").unwrap(),
            ["2026-11-05T07:00:00Z"]
        );
        // ... unless the file shows day first (Australia writes 12-hour days first).
        assert_eq!(
            times("id,at\n1,05/11/2026 7:00 am\n2,20/11/2026 7:00 pm\n", "at").unwrap(),
            ["2026-11-05T07:00:00Z", "2026-11-20T19:00:00Z"]
        );
    }

    #[test]
    fn a_file_that_leaves_the_order_open_or_mixes_both_is_refused() {
        let err = times(
            "id,Last check-in\n1,2026-11-20 09:00\n2,05/11/2026 09:12\n3,06/11/2026 17:40\n",
            "Last check-in",
        )
        .unwrap_err();
        assert!(
            err.contains("t.csv: record 2 (line 3): column \"Last check-in\": \"05/11/2026 09:12\" could be 5 November 2026 or 11 May 2026")
                && err.contains("accepted:"),
            "{err}"
        );
        // The search found day first in another column; the column read then shows
        // month first.
        let err = times(
            "id,enrolled,at\n1,20/11/2026,05/11/2026\n2,,11/20/2026 07:00\n",
            "at",
        )
        .unwrap_err();
        assert!(
            err.contains("record 2 (line 3): column \"at\"")
                && err.contains("(column \"enrolled\", record 1) is day first"),
            "{err}"
        );
        let mut t = table("id,a,b\n1,20/11/2026,11/20/2026\n");
        let (a, b) = (t.column(&["a"]), t.column(&["b"]));
        let row = t.next_row().unwrap().unwrap();
        row.time(a).unwrap();
        let err = row.time(b).unwrap_err().to_string();
        assert!(
            err.contains("column \"b\": \"11/20/2026\" is month first, but \"20/11/2026\" (column \"a\", record 1) is day first")
                && err.contains("accepted:"),
            "{err}"
        );
    }
}
