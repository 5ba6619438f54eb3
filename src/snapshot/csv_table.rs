//! A CSV export read by column name. Header matching ignores letter case, spaces and
//! punctuation, so `details.external_id`, `Details External ID` and `detailsexternalid`
//! are the same column. Errors name the record and its line.

use super::time::{self, Time};
use super::LoadError;
use std::path::{Path, PathBuf};

pub struct CsvTable<'a> {
    path: PathBuf,
    reader: csv::Reader<&'a [u8]>,
    headers: Vec<String>,
    record: csv::StringRecord,
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
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| csv_error(path, &e))?
            .iter()
            .map(normalize_header)
            .collect();
        Ok(CsvTable {
            path: path.to_owned(),
            reader,
            headers,
            record: csv::StringRecord::new(),
        })
    }

    /// The first column whose header matches one of `names`.
    pub fn column(&self, names: &[&str]) -> Column {
        names.iter().find_map(|n| {
            let n = normalize_header(n);
            self.headers.iter().position(|h| *h == n)
        })
    }

    /// Like [`column`](Self::column), but the export is unusable without it.
    pub fn require(&self, what: &str, names: &[&str]) -> Result<usize, LoadError> {
        self.column(names).ok_or_else(|| LoadError::CsvRecord {
            path: self.path.clone(),
            record: 0,
            line: 1,
            message: format!(
                "the header row has no \"{what}\" column (expected one of: {}); is this the right export?",
                names.join(", ")
            ),
        })
    }

    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, LoadError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(Row {
                path: &self.path,
                record: &self.record,
            })),
            Err(e) => Err(csv_error(&self.path, &e)),
        }
    }
}

pub struct Row<'t> {
    path: &'t Path,
    record: &'t csv::StringRecord,
}

impl Row<'_> {
    /// A cell's trimmed text; empty cells and missing columns are `None`.
    pub fn text(&self, col: Column) -> Option<String> {
        col.and_then(|i| self.record.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    pub fn time(&self, col: Column) -> Result<Option<Time>, LoadError> {
        match self.text(col) {
            None => Ok(None),
            Some(s) => time::parse(&s).map_err(|m| self.error(&m)),
        }
    }

    pub fn error(&self, message: &str) -> LoadError {
        let pos = self.record.position();
        LoadError::CsvRecord {
            path: self.path.to_owned(),
            record: pos.map_or(0, |p| p.record()),
            line: pos.map_or(0, |p| p.line()),
            message: message.to_owned(),
        }
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> LoadError {
    let (record, line) = e.position().map_or((0, 0), |p| (p.record(), p.line()));
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
        line,
        message,
    }
}
