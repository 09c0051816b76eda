//! XLSX (Office Open XML) through `rust_xlsxwriter`: bold frozen header with an autofilter,
//! column widths from the content, long or multi-line text wrapped, dates as real date cells
//! shown `dd/mm/yyyy` (date-times `dd/mm/yyyy hh:mm:ss`, Europe/Paris wall-clock time),
//! printed A4 landscape one page wide with the header repeated.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format as XFormat, FormatAlign, FormatBorder, Workbook,
};

use crate::text::{iso_date, local, neutralize, sheet_names};
use crate::{Cell, Document};

/// Why the XLSX file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error(
        "sheet {sheet:?}, row {row}, column {column:?}: text longer than Excel's 32,767 characters"
    )]
    CellTooLong {
        sheet: String,
        row: usize,
        column: String,
    },
    #[error("sheet {sheet:?}: more rows than Excel's 1,048,575")]
    TooManyRows { sheet: String },
    #[error("XLSX writer failed: {0}")]
    Writer(#[from] rust_xlsxwriter::XlsxError),
}

const MAX_CELL_CHARS: usize = 32_767;
const MAX_ROWS: usize = 1_048_575; // plus the header row
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;
/// Integers beyond 15 digits lose precision in a double: they are written as text.
const MAX_EXACT_INT: u64 = 999_999_999_999_999;

pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed creation time (the document's), so the same document gives the same bytes.
    let created = match excel_datetime(doc.generated_at.naive_utc()) {
        Ok(at) => at,
        Err(_) => ExcelDateTime::from_ymd(1980, 1, 1)?,
    };
    let mut props = DocProperties::new()
        .set_title(&doc.title)
        .set_creation_datetime(&created);
    if let Some(subtitle) = &doc.subtitle {
        props = props.set_subject(subtitle);
    }
    workbook.set_properties(&props);

    let header = XFormat::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE6E6E6))
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Top)
        .set_text_wrap();
    let text = XFormat::new().set_align(FormatAlign::Top);
    let wrapped = XFormat::new().set_align(FormatAlign::Top).set_text_wrap();
    let int = XFormat::new()
        .set_align(FormatAlign::Top)
        .set_num_format("0");
    let date = XFormat::new()
        .set_align(FormatAlign::Top)
        .set_num_format("dd/mm/yyyy");
    let datetime = XFormat::new()
        .set_align(FormatAlign::Top)
        .set_num_format("dd/mm/yyyy hh:mm:ss");
    // Excel shows boolean cells as TRUE/FALSE in the reader's language whatever the format;
    // LibreOffice applies the number format, which would otherwise show 1/0.
    let boolean = XFormat::new()
        .set_align(FormatAlign::Top)
        .set_align(FormatAlign::Left)
        .set_num_format("\"VRAI\";\"VRAI\";\"FAUX\"");

    let names = sheet_names(doc.sheets.iter().map(|s| &s.name), 31);
    for (sheet, name) in doc.sheets.iter().zip(names) {
        if sheet.rows.len() > MAX_ROWS {
            return Err(XlsxError::TooManyRows {
                sheet: sheet.name.clone(),
            });
        }
        let ws = workbook.add_worksheet();
        ws.set_name(name)?;
        ws.set_landscape()
            .set_paper_size(9)
            .set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(0, 0)?;

        let widths = column_widths(sheet);
        for (c, column) in sheet.columns.iter().enumerate() {
            let col = col_num(c)?;
            ws.set_column_width(col, widths[c])?;
            ws.write_string_with_format(0, col, neutralize(&column.label), &header)?;
        }
        for (r, cells) in sheet.rows.iter().enumerate() {
            let row = (r + 1) as u32; // bounded by MAX_ROWS above
            for (c, cell) in cells.iter().enumerate() {
                let col = col_num(c)?;
                match cell {
                    Cell::Text(s) => {
                        if s.chars().count() > MAX_CELL_CHARS {
                            return Err(XlsxError::CellTooLong {
                                sheet: sheet.name.clone(),
                                row: r,
                                column: sheet.columns[c].key.clone(),
                            });
                        }
                        let long = s.contains('\n') || display_len(s) as f64 > widths[c];
                        ws.write_string_with_format(
                            row,
                            col,
                            neutralize(s),
                            if long { &wrapped } else { &text },
                        )?;
                    }
                    Cell::Int(n) if n.unsigned_abs() <= MAX_EXACT_INT => {
                        ws.write_number_with_format(row, col, *n as f64, &int)?;
                    }
                    Cell::Int(n) => {
                        ws.write_string_with_format(row, col, n.to_string(), &text)?;
                    }
                    Cell::Date(d) => match excel_date(*d) {
                        Some(value) => {
                            ws.write_datetime_with_format(row, col, &value, &date)?;
                        }
                        None => {
                            ws.write_string_with_format(row, col, iso_date(*d), &text)?;
                        }
                    },
                    Cell::DateTime(at) => {
                        let wall = local(*at);
                        match excel_datetime(wall) {
                            Ok(value) => {
                                ws.write_datetime_with_format(row, col, &value, &datetime)?
                            }
                            Err(_) => ws.write_string_with_format(
                                row,
                                col,
                                wall.format("%Y-%m-%d %H:%M:%S").to_string(),
                                &text,
                            )?,
                        };
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean_with_format(row, col, *b, &boolean)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        let last_col = col_num(sheet.columns.len().saturating_sub(1))?;
        ws.autofilter(0, 0, sheet.rows.len() as u32, last_col)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::Writer(rust_xlsxwriter::XlsxError::RowColumnLimitError))
}

/// Excel's date range is 1900-01-01 to 9999-12-31.
fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year())
        .ok()
        .filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

fn excel_datetime(at: NaiveDateTime) -> Result<ExcelDateTime, rust_xlsxwriter::XlsxError> {
    let date = excel_date(at.date()).ok_or(rust_xlsxwriter::XlsxError::DateTimeRangeError(
        iso_date(at.date()),
    ))?;
    let seconds = f64::from(at.second()) + f64::from(at.nanosecond().min(999_999_999)) / 1e9;
    date.and_hms(at.hour() as u16, at.minute() as u8, seconds)
}

/// Widths in Excel character units, from the longest line of each column (capped).
fn column_widths(sheet: &crate::Sheet) -> Vec<f64> {
    sheet
        .columns
        .iter()
        .enumerate()
        .map(|(c, column)| {
            let header = display_len(&column.label) as f64 * 1.1;
            let content = sheet
                .rows
                .iter()
                .map(|row| cell_len(&row[c]))
                .max()
                .unwrap_or(0) as f64;
            (header.max(content) + 2.0).clamp(MIN_WIDTH, MAX_WIDTH)
        })
        .collect()
}

fn cell_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) => display_len(s),
        Cell::Int(n) => n.to_string().len(),
        Cell::Date(_) => 10,
        Cell::DateTime(_) => 19,
        Cell::Bool(_) => 5,
        Cell::Empty => 0,
    }
}

/// Length in characters of the longest line.
fn display_len(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}
