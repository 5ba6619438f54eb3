//! A CSV export read by column name. Header matching ignores letter case, spaces and
//! punctuation, so `details.external_id`, `Details External ID` and `detailsexternalid`
//! are the same column. Errors name the record and its line in the file as saved.
//!
//! Real exports add a few things a plain CSV reader trips over, handled here once:
//! Windows PowerShell's `#TYPE ...` line above the header, Excel's `sep=;` line, and
//! `;` or tab as the delimiter (detected from the header row).

use super::form::{Location, Quirk};
use super::lenient;
use super::time::{self, Time};
use super::LoadError;
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
            .map_err(|e| csv_error(path, body, pre.lines, &e))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
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
        })
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
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(Row {
                path: &self.path,
                record: &self.record,
                body: self.body,
                line_offset: self.line_offset,
                label: self.label.as_deref(),
            })),
            Err(e) => Err(csv_error(&self.path, self.body, self.line_offset, &e)),
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
            if text.len() >= 5 && text[..5].eq_ignore_ascii_case("#TYPE") {
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

pub struct Row<'t> {
    path: &'t Path,
    record: &'t csv::StringRecord,
    body: &'t [u8],
    line_offset: u64,
    label: Option<&'t str>,
}

impl Row<'_> {
    /// A cell's trimmed text; empty cells and missing columns are `None`.
    pub fn text(&self, col: Column) -> Option<String> {
        self.cell(col).map(str::to_owned)
    }

    fn cell(&self, col: Column) -> Option<&str> {
        col.and_then(|i| self.record.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    pub fn time(&self, col: Column) -> Result<Option<Time>, LoadError> {
        match self.cell(col) {
            None => Ok(None),
            Some(s) => time::parse(s).map_err(|m| self.error(&m)),
        }
    }

    /// `True`/`False` in any letter case (also yes/no, 1/0); empty is `None`.
    pub fn bool(&self, col: Column) -> Result<Option<bool>, LoadError> {
        match self.cell(col) {
            None => Ok(None),
            Some(s) => lenient::parse_bool(s)
                .map(Some)
                .ok_or_else(|| self.error(&format!("\"{s}\" is not True or False"))),
        }
    }

    /// A value inside a cell holding PowerShell's text form of an object
    /// (`@{external_id=abc; mdm_connector_id=7}`), which `Export-Csv` writes for
    /// nested objects it was not asked to flatten.
    pub fn ps_field(&self, col: Column, keys: &[&str]) -> Option<String> {
        let cell = self.cell(col)?;
        lenient::ps_object_field(cell, keys)
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
            message: message.to_owned(),
        }
    }
}

fn csv_error(path: &Path, body: &[u8], line_offset: u64, e: &csv::Error) -> LoadError {
    let (record, line) = e
        .position()
        .map_or((0, 0), |p| (p.record(), line_of(body, p)));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
            "this record has {len} fields but the header has {expected_len} (a stray comma or quote?)"
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
    fn empty_files_are_errors() {
        assert!(CsvTable::open(Path::new("t.csv"), b" \r\n").is_err());
    }
}
