//! CSV: one file per sheet, `;`-separated, UTF-8 with a BOM (so Excel in French reads accents
//! right), CRLF line ends, RFC 4180 quoting, header row of labels.

use std::collections::HashSet;

use crate::text::{iso_date, iso_datetime, neutralize, slug, yes_no};
use crate::{Cell, Document, Format, RenderedFile};

/// Why a CSV file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("CSV writer failed on sheet {sheet:?}: {source}")]
    Write {
        sheet: String,
        #[source]
        source: csv::Error,
    },
    #[error("CSV writer could not be flushed on sheet {sheet:?}: {message}")]
    Flush { sheet: String, message: String },
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The text of one cell as written in CSV (before quoting).
pub(crate) fn cell_text(cell: &Cell) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Text(s) => neutralize(s),
        Cell::Int(n) => n.to_string().into(),
        Cell::Date(d) => iso_date(*d).into(),
        Cell::DateTime(at) => iso_datetime(*at).into(),
        Cell::Bool(b) => yes_no(*b).into(),
        Cell::Empty => "".into(),
    }
}

pub(crate) fn render(doc: &Document, stem: &str) -> Result<Vec<RenderedFile>, CsvError> {
    let mut names = HashSet::new();
    let mut files = Vec::with_capacity(doc.sheets.len());
    for (i, sheet) in doc.sheets.iter().enumerate() {
        let write_err = |source| CsvError::Write {
            sheet: sheet.name.clone(),
            source,
        };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(BOM.to_vec());
        writer
            .write_record(
                sheet
                    .columns
                    .iter()
                    .map(|c| neutralize(&c.label).into_owned()),
            )
            .map_err(write_err)?;
        for row in &sheet.rows {
            writer
                .write_record(row.iter().map(|c| cell_text(c).into_owned()))
                .map_err(write_err)?;
        }
        let bytes = writer.into_inner().map_err(|e| CsvError::Flush {
            sheet: sheet.name.clone(),
            message: e.error().to_string(),
        })?;

        let sheet_slug = slug(&sheet.name, &format!("feuille-{}", i + 1));
        let mut name = format!("{stem}-{sheet_slug}.csv");
        let mut n = 2;
        while !names.insert(name.clone()) {
            name = format!("{stem}-{sheet_slug}-{n}.csv");
            n += 1;
        }
        files.push(RenderedFile {
            name,
            media_type: Format::Csv.media_type(),
            bytes,
        });
    }
    Ok(files)
}
