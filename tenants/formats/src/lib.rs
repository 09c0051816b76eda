//! Domain-agnostic tabular documents rendered in open formats, packed into a verifiable bundle.
//!
//! A [`Document`] is a title, an optional subtitle, a generation time and one or more
//! [`Sheet`]s; a sheet is a list of [`Column`]s (a stable `key` for JSON, a French `label` for
//! human headers) and rows of typed [`Cell`]s. [`render`] turns it into files:
//!
//! | [`Format`] | files | notes |
//! | --- | --- | --- |
//! | `Csv` | one per sheet | `;`, UTF-8 with BOM, CRLF, RFC 4180 quoting, ISO 8601 dates |
//! | `Ods` | one | OpenDocument 1.3 spreadsheet, bold header, real date cells |
//! | `Xlsx` | one | bold frozen header, dates as date cells shown `dd/mm/yyyy` |
//! | `Pdf` | one | A4 landscape, PDF/A-2b, bar charts, header repeated on each page, "page N / M" |
//! | `Json` | one | typed values, keys in column order |
//!
//! [`bundle()`] packs rendered files into a ZIP with a `manifest.json` (SHA-256 of every file,
//! who, when, which tenants, why); [`verify`] re-checks such a ZIP and names the file that is
//! missing, extra or altered. The output is deterministic: the same input gives the same bytes.
//!
//! Time zones: CSV and JSON carry date-times in UTC (`2025-03-14T09:30:00Z`). The formats read
//! by people (XLSX, ODS, PDF) show them as wall-clock time in Europe/Paris, since spreadsheet
//! date-times carry no zone and French users read local time; the PDF says so in its header.
//!
//! Formula injection (OWASP "CSV injection"): in CSV, ODS and XLSX a text cell that starts with
//! `=`, `+`, `-`, `@`, a tab, a carriage return or a line feed (or the full-width forms of the
//! first four) is prefixed with a single quote, so no spreadsheet evaluates it. Numbers are
//! written from [`Cell::Int`], never from text, so this costs nothing to typed data.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

pub mod bundle;
pub mod bundle_stream;
mod chart;
mod csv_format;
mod json;
mod ods;
mod pdf;
mod pdf_xmp;
pub mod sniff;
mod text;
mod xlsx;
pub mod zip_limits;

pub use bundle::{
    bundle, verify, verify_against, verify_hashed, Bundle, BundleError, Manifest, ManifestFile,
    ManifestMeta, TenantRef, VerifyError,
};
pub use bundle_stream::BundleWriter;
pub use chart::{group as group_thousands, Bar, Chart, Tone, ValueFormat};
pub use csv_format::CsvError;
pub use json::JsonError;
pub use ods::OdsError;
pub use pdf::{PdfAttachment, PdfError, PdfOptions, PdfRelationship};
pub use text::neutralize;
pub use xlsx::XlsxError;
pub use zip_limits::{ZipLimitError, ZipLimits};

/// The time zone in which XLSX, ODS and PDF show date-times (CSV and JSON stay in UTC).
pub const DISPLAY_TZ: chrono_tz::Tz = chrono_tz::Europe::Paris;

/// One typed value of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Free text; may hold newlines, quotes, semicolons, any Unicode.
    Text(String),
    /// An integer (amounts in cents, counts...). XLSX stores numbers as doubles: integers beyond
    /// 15 digits are written there as text so no digit is lost.
    Int(i64),
    /// A calendar date.
    Date(NaiveDate),
    /// An instant, in UTC.
    DateTime(DateTime<Utc>),
    /// A yes/no value (`oui`/`non` in CSV and PDF, a boolean cell in spreadsheets, JSON boolean).
    Bool(bool),
    /// No value (empty field, JSON `null`).
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(value: impl Into<String>) -> Self {
        Cell::Text(value.into())
    }
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Cell::Text(value.to_owned())
    }
}
impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(value)
    }
}
impl From<i64> for Cell {
    fn from(value: i64) -> Self {
        Cell::Int(value)
    }
}
impl From<NaiveDate> for Cell {
    fn from(value: NaiveDate) -> Self {
        Cell::Date(value)
    }
}
impl From<DateTime<Utc>> for Cell {
    fn from(value: DateTime<Utc>) -> Self {
        Cell::DateTime(value)
    }
}
impl From<bool> for Cell {
    fn from(value: bool) -> Self {
        Cell::Bool(value)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// A column: `key` names the field in JSON, `label` (French) heads the column elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub label: String,
}

impl Column {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Self {
        Column {
            key: key.into(),
            label: label.into(),
        }
    }
}

/// A named table; every row has exactly one cell per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// What [`render`] renders: a title, an optional subtitle, the generation time and the sheets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub subtitle: Option<String>,
    pub sheets: Vec<Sheet>,
    pub generated_at: DateTime<Utc>,
    /// Drawn in the PDF before the sheets (the sheets hold the same figures).
    pub charts: Vec<Chart>,
}

impl Document {
    /// The base of the rendered files' names: the title folded to lowercase ASCII words
    /// joined by `-` (`"Registre des activités"` gives `registre-des-activites`).
    pub fn file_stem(&self) -> String {
        text::slug(&self.title, "document")
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Ods,
    Xlsx,
    Pdf,
    Json,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: [Format; 5] = [
        Format::Csv,
        Format::Ods,
        Format::Xlsx,
        Format::Pdf,
        Format::Json,
    ];

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ods => "ods",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
            Format::Json => "json",
        }
    }

    /// The IANA media type of the rendered files.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
            Format::Json => "application/json",
        }
    }
}

/// One rendered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// A plain file name (no directory), e.g. `registre-des-activites.xlsx`.
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("the document has no sheet")]
    NoSheet,
    #[error("sheet {sheet:?} has no column")]
    NoColumn { sheet: String },
    #[error("sheet {sheet:?}, row {row}: {found} cells for {expected} columns")]
    RowWidth {
        sheet: String,
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("sheet {sheet:?}: column key {key:?} is empty or used twice")]
    ColumnKey { sheet: String, key: String },
    #[error(transparent)]
    Csv(#[from] CsvError),
    #[error(transparent)]
    Ods(#[from] OdsError),
    #[error(transparent)]
    Xlsx(#[from] XlsxError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error(transparent)]
    Json(#[from] JsonError),
    #[error(transparent)]
    Bundle(#[from] BundleError),
}

/// Render `doc` in `format`. CSV gives one file per sheet, every other format one file.
///
/// The document is checked first: at least one sheet, at least one column per sheet, unique
/// non-empty column keys, and every row as wide as its sheet's columns.
pub fn render(doc: &Document, format: Format) -> Result<Vec<RenderedFile>, FormatError> {
    validate(doc)?;
    let stem = doc.file_stem();
    let one = |bytes: Vec<u8>| {
        vec![RenderedFile {
            name: format!("{stem}.{}", format.extension()),
            media_type: format.media_type(),
            bytes,
        }]
    };
    Ok(match format {
        Format::Csv => csv_format::render(doc, &stem)?,
        Format::Ods => one(ods::render(doc)?),
        Format::Xlsx => one(xlsx::render(doc)?),
        Format::Pdf => one(pdf::render(doc)?),
        Format::Json => one(json::render(doc)?),
    })
}

/// `doc` as one PDF with `options` (files embedded as PDF/A-3, extra XMP, sheets in one flow).
pub fn render_pdf(doc: &Document, options: &PdfOptions) -> Result<Vec<u8>, FormatError> {
    validate(doc)?;
    Ok(pdf::render_with(doc, options)?)
}

fn validate(doc: &Document) -> Result<(), FormatError> {
    if doc.sheets.is_empty() {
        return Err(FormatError::NoSheet);
    }
    for sheet in &doc.sheets {
        if sheet.columns.is_empty() {
            return Err(FormatError::NoColumn {
                sheet: sheet.name.clone(),
            });
        }
        let mut keys = HashSet::new();
        for column in &sheet.columns {
            if column.key.is_empty() || !keys.insert(column.key.as_str()) {
                return Err(FormatError::ColumnKey {
                    sheet: sheet.name.clone(),
                    key: column.key.clone(),
                });
            }
        }
        for (row, cells) in sheet.rows.iter().enumerate() {
            if cells.len() != sheet.columns.len() {
                return Err(FormatError::RowWidth {
                    sheet: sheet.name.clone(),
                    row,
                    expected: sheet.columns.len(),
                    found: cells.len(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(sheets: Vec<Sheet>) -> Document {
        Document {
            title: "Registre des activités".into(),
            subtitle: None,
            sheets,
            generated_at: Utc::now(),
            charts: Vec::new(),
        }
    }

    #[test]
    fn rejects_malformed_documents() {
        assert!(matches!(
            render(&doc(vec![]), Format::Csv),
            Err(FormatError::NoSheet)
        ));
        let ragged = Sheet {
            name: "A".into(),
            columns: vec![Column::new("a", "A"), Column::new("b", "B")],
            rows: vec![vec![Cell::Int(1)]],
        };
        assert!(matches!(
            render(&doc(vec![ragged]), Format::Json),
            Err(FormatError::RowWidth {
                row: 0,
                expected: 2,
                found: 1,
                ..
            })
        ));
        let dup = Sheet {
            name: "A".into(),
            columns: vec![Column::new("a", "A"), Column::new("a", "B")],
            rows: vec![],
        };
        assert!(matches!(
            render(&doc(vec![dup]), Format::Json),
            Err(FormatError::ColumnKey { .. })
        ));
    }

    #[test]
    fn file_stem_folds_accents() {
        assert_eq!(doc(vec![]).file_stem(), "registre-des-activites");
    }

    #[test]
    fn cell_conversions() {
        assert_eq!(Cell::from(Some(3_i64)), Cell::Int(3));
        assert_eq!(Cell::from(None::<bool>), Cell::Empty);
        assert_eq!(Cell::from("é"), Cell::Text("é".into()));
    }
}
