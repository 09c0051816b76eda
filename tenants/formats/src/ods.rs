//! ODS (OpenDocument spreadsheet 1.3), written directly as XML in a ZIP.
//!
//! No crate is used: the one maintained writer (`spreadsheet-ods`) brings a second `zip`
//! major version, ICU locale data and a parser stack, and stamps its ZIP entries with the
//! current time, which would break byte-for-byte reproducible exports. The subset needed here
//! (typed cells, a few styles) is small and checked against LibreOffice and calamine.
//!
//! Layout: bold grey header row declared as `table:table-header-rows` (repeated on each printed
//! page) and frozen through `settings.xml`; column widths from the content; long or multi-line
//! text wrapped; dates and date-times as real date cells shown `dd/mm/yyyy [hh:mm:ss]`
//! (date-times in Europe/Paris wall-clock time); A4 landscape page.

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use chrono::{NaiveDateTime, Timelike};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use crate::bundle::zip_time;
use crate::text::{iso_date, iso_datetime, local, neutralize, sheet_names, xml_escape};
use crate::{Cell, Document, Format};

/// Why the ODS file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OdsError {
    #[error("ODS archive could not be written: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("ODS archive could not be written: {0}")]
    Io(#[from] std::io::Error),
}

/// Integers beyond 15 digits lose precision in a double: they are written as text.
const MAX_EXACT_INT: u64 = 999_999_999_999_999;
const NS: &str = concat!(
    r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
    r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
    r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
    r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
    r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#,
    r#"xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" "#,
    r#"xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" "#,
    r#"xmlns:dc="http://purl.org/dc/elements/1.1/" "#,
    r#"xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" "#,
    r#"office:version="1.3""#
);

pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, OdsError> {
    let names = sheet_names(doc.sheets.iter().map(|s| &s.name), 100);
    let time = zip_time(doc.generated_at);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let deflated = stored.compression_method(CompressionMethod::Deflated);

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // The mimetype entry must come first, uncompressed (ODF 1.3 part 2, 3.3).
    zip.start_file("mimetype", stored)?;
    zip.write_all(Format::Ods.media_type().as_bytes())?;
    for (name, body) in [
        ("META-INF/manifest.xml", manifest()),
        ("meta.xml", meta(doc)),
        ("styles.xml", styles()),
        ("settings.xml", settings(&names)),
        ("content.xml", content(doc, &names)),
    ] {
        zip.start_file(name, deflated)?;
        zip.write_all(body.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

fn manifest() -> String {
    let mut s = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "\n",
        r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">"#,
        "\n",
    ));
    let _ = writeln!(
        s,
        r#" <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{}"/>"#,
        Format::Ods.media_type()
    );
    for part in ["content.xml", "styles.xml", "meta.xml", "settings.xml"] {
        let _ = writeln!(
            s,
            r#" <manifest:file-entry manifest:full-path="{part}" manifest:media-type="text/xml"/>"#
        );
    }
    s.push_str("</manifest:manifest>\n");
    s
}

fn meta(doc: &Document) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-meta {NS}><office:meta>\
         <meta:generator>Mutualis formats/{}</meta:generator><dc:title>",
        env!("CARGO_PKG_VERSION")
    );
    xml_escape(&doc.title, &mut s);
    s.push_str("</dc:title>");
    if let Some(subtitle) = &doc.subtitle {
        s.push_str("<dc:subject>");
        xml_escape(subtitle, &mut s);
        s.push_str("</dc:subject>");
    }
    let _ = write!(
        s,
        "<meta:creation-date>{}</meta:creation-date>",
        iso_datetime(doc.generated_at)
    );
    s.push_str("<dc:language>fr-FR</dc:language></office:meta></office:document-meta>\n");
    s
}

fn styles() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-styles {NS}>\
         <office:styles><style:default-style style:family=\"table-cell\">\
         <style:text-properties fo:language=\"fr\" fo:country=\"FR\"/></style:default-style></office:styles>\
         <office:automatic-styles><style:page-layout style:name=\"pm1\">\
         <style:page-layout-properties fo:page-width=\"29.7cm\" fo:page-height=\"21cm\" \
         style:print-orientation=\"landscape\" fo:margin-top=\"1cm\" fo:margin-bottom=\"1cm\" \
         fo:margin-left=\"1cm\" fo:margin-right=\"1cm\"/></style:page-layout></office:automatic-styles>\
         <office:master-styles><style:master-page style:name=\"Default\" style:page-layout-name=\"pm1\"/>\
         </office:master-styles></office:document-styles>\n"
    )
}

/// Freeze the header row of every sheet (LibreOffice's view settings).
fn settings(names: &[String]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-settings {NS}><office:settings>\
         <config:config-item-set config:name=\"ooo:view-settings\">\
         <config:config-item-map-indexed config:name=\"Views\"><config:config-item-map-entry>\
         <config:config-item config:name=\"ViewId\" config:type=\"string\">view1</config:config-item>\
         <config:config-item-map-named config:name=\"Tables\">"
    );
    let item = |s: &mut String, name: &str, ty: &str, value: &str| {
        let _ = write!(s, "<config:config-item config:name=\"{name}\" config:type=\"{ty}\">{value}</config:config-item>");
    };
    for name in names {
        s.push_str("<config:config-item-map-entry config:name=\"");
        xml_escape(name, &mut s);
        s.push_str("\">");
        item(&mut s, "HorizontalSplitMode", "short", "0");
        item(&mut s, "VerticalSplitMode", "short", "2");
        item(&mut s, "HorizontalSplitPosition", "int", "0");
        item(&mut s, "VerticalSplitPosition", "int", "1");
        item(&mut s, "ActiveSplitRange", "short", "2");
        item(&mut s, "PositionLeft", "int", "0");
        item(&mut s, "PositionRight", "int", "0");
        item(&mut s, "PositionTop", "int", "0");
        item(&mut s, "PositionBottom", "int", "1");
        s.push_str("</config:config-item-map-entry>");
    }
    s.push_str(
        "</config:config-item-map-named></config:config-item-map-entry></config:config-item-map-indexed>\
         </config:config-item-set></office:settings></office:document-settings>\n",
    );
    s
}

const CELL_STYLES: &str = concat!(
    r##"<number:number-style style:name="N_INT"><number:number number:decimal-places="0" number:min-decimal-places="0" number:min-integer-digits="1"/></number:number-style>"##,
    r##"<number:date-style style:name="N_DATE"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/></number:date-style>"##,
    r##"<number:date-style style:name="N_DATETIME"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/><number:text>:</number:text><number:seconds number:style="long"/></number:date-style>"##,
    r##"<number:boolean-style style:name="N_BOOL"><number:boolean/></number:boolean-style>"##,
    r##"<style:style style:name="ta1" style:family="table" style:master-page-name="Default"><style:table-properties table:display="true" style:writing-mode="lr-tb"/></style:style>"##,
    r##"<style:style style:name="ro1" style:family="table-row"><style:table-row-properties style:use-optimal-row-height="true" fo:break-before="auto"/></style:style>"##,
    r##"<style:style style:name="ceH" style:family="table-cell"><style:table-cell-properties fo:background-color="#e6e6e6" fo:border-bottom="0.5pt solid #000000" style:vertical-align="top" fo:wrap-option="wrap"/><style:text-properties fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold"/></style:style>"##,
    r##"<style:style style:name="ceT" style:family="table-cell"><style:table-cell-properties style:vertical-align="top"/></style:style>"##,
    r##"<style:style style:name="ceW" style:family="table-cell"><style:table-cell-properties style:vertical-align="top" fo:wrap-option="wrap"/></style:style>"##,
    r##"<style:style style:name="ceI" style:family="table-cell" style:data-style-name="N_INT"><style:table-cell-properties style:vertical-align="top"/></style:style>"##,
    r##"<style:style style:name="ceD" style:family="table-cell" style:data-style-name="N_DATE"><style:table-cell-properties style:vertical-align="top"/></style:style>"##,
    r##"<style:style style:name="ceDT" style:family="table-cell" style:data-style-name="N_DATETIME"><style:table-cell-properties style:vertical-align="top"/></style:style>"##,
    r##"<style:style style:name="ceB" style:family="table-cell" style:data-style-name="N_BOOL"><style:table-cell-properties style:vertical-align="top"/><style:paragraph-properties fo:text-align="start"/></style:style>"##,
);

/// Widest line of a column, in characters, capped: beyond it text wraps.
const MAX_CHARS: usize = 60;

fn content(doc: &Document, names: &[String]) -> String {
    let mut s = String::with_capacity(
        1024 + doc
            .sheets
            .iter()
            .map(|sh| sh.rows.len() * sh.columns.len() * 48)
            .sum::<usize>(),
    );
    let _ = write!(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content {NS}><office:automatic-styles>");
    s.push_str(CELL_STYLES);
    let widths: Vec<Vec<usize>> = doc.sheets.iter().map(column_chars).collect();
    for (t, sheet_widths) in widths.iter().enumerate() {
        for (c, chars) in sheet_widths.iter().enumerate() {
            let cm = (*chars as f64 * 0.21 + 0.4).clamp(1.8, 13.0);
            let _ = write!(
                s,
                r#"<style:style style:name="co{t}_{c}" style:family="table-column"><style:table-column-properties fo:break-before="auto" style:column-width="{cm:.2}cm"/></style:style>"#
            );
        }
    }
    s.push_str("</office:automatic-styles><office:body><office:spreadsheet>");
    for (t, (sheet, name)) in doc.sheets.iter().zip(names).enumerate() {
        s.push_str("<table:table table:name=\"");
        xml_escape(name, &mut s);
        s.push_str("\" table:style-name=\"ta1\">");
        for c in 0..sheet.columns.len() {
            let _ = write!(
                s,
                r#"<table:table-column table:style-name="co{t}_{c}" table:default-cell-style-name="Default"/>"#
            );
        }
        s.push_str("<table:table-header-rows><table:table-row table:style-name=\"ro1\">");
        for column in &sheet.columns {
            string_cell(&mut s, "ceH", &neutralize(&column.label));
        }
        s.push_str("</table:table-row></table:table-header-rows>");
        for row in &sheet.rows {
            s.push_str("<table:table-row table:style-name=\"ro1\">");
            for (c, cell) in row.iter().enumerate() {
                write_cell(&mut s, cell, widths[t][c] >= MAX_CHARS);
            }
            s.push_str("</table:table-row>");
        }
        s.push_str("</table:table>");
    }
    s.push_str("</office:spreadsheet></office:body></office:document-content>\n");
    s
}

fn write_cell(s: &mut String, cell: &Cell, wide_column: bool) {
    match cell {
        Cell::Text(v) => {
            let style = if wide_column || v.contains(['\n', '\r']) {
                "ceW"
            } else {
                "ceT"
            };
            string_cell(s, style, &neutralize(v));
        }
        Cell::Int(n) if n.unsigned_abs() <= MAX_EXACT_INT => {
            let _ = write!(
                s,
                r#"<table:table-cell table:style-name="ceI" office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
            );
        }
        Cell::Int(n) => string_cell(s, "ceT", &n.to_string()),
        Cell::Date(d) => {
            let _ = write!(
                s,
                r#"<table:table-cell table:style-name="ceD" office:value-type="date" office:date-value="{}"><text:p>{}</text:p></table:table-cell>"#,
                iso_date(*d),
                d.format("%d/%m/%Y")
            );
        }
        Cell::DateTime(at) => {
            let wall = local(*at);
            let _ = write!(
                s,
                r#"<table:table-cell table:style-name="ceDT" office:value-type="date" office:date-value="{}"><text:p>{}</text:p></table:table-cell>"#,
                ods_datetime(wall),
                wall.format("%d/%m/%Y %H:%M:%S")
            );
        }
        Cell::Bool(b) => {
            let _ = write!(
                s,
                r#"<table:table-cell table:style-name="ceB" office:value-type="boolean" office:boolean-value="{b}"><text:p>{}</text:p></table:table-cell>"#,
                if *b { "VRAI" } else { "FAUX" }
            );
        }
        Cell::Empty => s.push_str("<table:table-cell/>"),
    }
}

/// `YYYY-MM-DDThh:mm:ss[.fff]` without zone (spreadsheet date-times are wall-clock times).
fn ods_datetime(at: NaiveDateTime) -> String {
    if at.nanosecond() == 0 {
        at.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        at.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
    }
}

/// A string cell: one `text:p` per line, runs of spaces as `text:s` (ODF collapses plain
/// whitespace), tabs as spaces.
fn string_cell(s: &mut String, style: &str, value: &str) {
    let _ = write!(
        s,
        r#"<table:table-cell table:style-name="{style}" office:value-type="string"><text:p>"#
    );
    let mut spaces = 0usize;
    let mut at_line_start = true;
    let flush = |s: &mut String, spaces: &mut usize, at_line_start: bool| {
        if *spaces == 0 {
            return;
        }
        // A single space between words stays literal; others are explicit.
        let mut explicit = *spaces;
        if !at_line_start {
            s.push(' ');
            explicit -= 1;
        }
        if explicit == 1 {
            s.push_str("<text:s/>");
        } else if explicit > 1 {
            let _ = write!(s, r#"<text:s text:c="{explicit}"/>"#);
        }
        *spaces = 0;
    };
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => spaces += 1,
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                if spaces > 0 {
                    // Trailing spaces: all explicit.
                    let _ = write!(s, r#"<text:s text:c="{spaces}"/>"#);
                    spaces = 0;
                }
                s.push_str("</text:p><text:p>");
                at_line_start = true;
            }
            // LibreOffice drops `text:tab` in cells (7.4), gluing words: a tab is a space here.
            '\t' => spaces += 1,
            c => {
                flush(s, &mut spaces, at_line_start);
                let mut buf = [0u8; 4];
                xml_escape(c.encode_utf8(&mut buf), s);
                at_line_start = false;
            }
        }
    }
    if spaces > 0 {
        let _ = write!(s, r#"<text:s text:c="{spaces}"/>"#);
    }
    s.push_str("</text:p></table:table-cell>");
}

fn column_chars(sheet: &crate::Sheet) -> Vec<usize> {
    sheet
        .columns
        .iter()
        .enumerate()
        .map(|(c, column)| {
            let header = longest_line(&column.label) + 1;
            let content = sheet
                .rows
                .iter()
                .map(|row| match &row[c] {
                    Cell::Text(v) => longest_line(v),
                    Cell::Int(n) => n.to_string().len(),
                    Cell::Date(_) => 10,
                    Cell::DateTime(_) => 19,
                    Cell::Bool(_) => 5,
                    Cell::Empty => 0,
                })
                .max()
                .unwrap_or(0);
            header.max(content).min(MAX_CHARS)
        })
        .collect()
}

fn longest_line(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(v: &str) -> String {
        let mut s = String::new();
        string_cell(&mut s, "ceT", v);
        s
    }

    #[test]
    fn whitespace_is_explicit() {
        assert!(cell("a b").contains("<text:p>a b</text:p>"));
        assert!(cell("a  b").contains("<text:p>a <text:s/>b</text:p>"));
        assert!(cell(" a").contains("<text:p><text:s/>a</text:p>"));
        assert!(cell("a\nb").contains("<text:p>a</text:p><text:p>b</text:p>"));
        assert!(cell("a\tb").contains("<text:p>a b</text:p>"));
        assert!(cell("a & <b>").contains("a &amp; &lt;b&gt;"));
        assert!(cell("x\u{1}").contains("x\u{FFFD}"));
    }
}
