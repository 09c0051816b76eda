//! Every format rendered from the French fixture and read back with an independent reader.

mod common;

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, DataType, Ods, Reader, Xlsx};
use chrono::SecondsFormat;
use common::{document, neutralized};
use formats::{render, Cell, Document, Format, Sheet, DISPLAY_TZ};

fn only(doc: &Document, format: Format) -> Vec<u8> {
    let mut files = render(doc, format).expect("render");
    assert_eq!(files.len(), 1);
    files.remove(0).bytes
}

// ------------------------------------------------------------------------------------ CSV

fn csv_expected(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => neutralized(s),
        Cell::Int(n) => n.to_string(),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::DateTime(at) => at.to_rfc3339_opts(SecondsFormat::Secs, true),
        Cell::Bool(true) => "oui".into(),
        Cell::Bool(false) => "non".into(),
        Cell::Empty => String::new(),
    }
}

#[test]
fn csv_round_trips_with_bom_semicolons_and_crlf() {
    let doc = document();
    let files = render(&doc, Format::Csv).expect("render");
    assert_eq!(files.len(), 2, "one CSV per sheet");
    assert_eq!(
        files[0].name,
        "registre-des-activites-de-traitement-traitements.csv"
    );
    assert_eq!(
        files[1].name,
        "registre-des-activites-de-traitement-sous-traitants.csv"
    );
    for (file, sheet) in files.iter().zip(&doc.sheets) {
        assert_eq!(file.media_type, "text/csv; charset=utf-8");
        let bytes = &file.bytes;
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
        let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
        let header = sheet
            .columns
            .iter()
            .map(|c| c.label.as_str())
            .collect::<Vec<_>>()
            .join(";");
        assert!(
            text.starts_with(&format!("{header}\r\n")),
            "header of labels, CRLF: {text}"
        );
        assert!(text.ends_with("\r\n"));

        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_reader(&bytes[3..]);
        let records: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect())
            .collect();
        let mut expected = vec![sheet
            .columns
            .iter()
            .map(|c| c.label.clone())
            .collect::<Vec<_>>()];
        expected.extend(
            sheet
                .rows
                .iter()
                .map(|row| row.iter().map(csv_expected).collect()),
        );
        assert_eq!(records, expected);
    }
    let first = std::str::from_utf8(&files[0].bytes[3..]).expect("UTF-8");
    assert!(first.contains("'=SUM(1)"), "formula neutralized");
    assert!(first
        .contains("\"Tenue des registres d'état civil ; délivrance d'actes « copie intégrale »\""));
    assert!(
        first.contains("\"Cantine scolaire \"\"Les Pâquerettes\"\"\""),
        "quotes doubled"
    );
    assert!(first.contains("2025-03-14T09:30:00Z"));
    assert!(first.contains(";2024-01-15;"));
}

// ----------------------------------------------------------------------------------- XLSX

#[test]
fn xlsx_round_trips_through_calamine() {
    let doc = document();
    let bytes = only(&doc, Format::Xlsx);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("valid XLSX");
    assert_eq!(
        book.sheet_names(),
        vec!["Traitements".to_owned(), "Sous-traitants".to_owned()]
    );
    for sheet in &doc.sheets {
        let range = book.worksheet_range(&sheet.name).expect("sheet");
        let rows: Vec<&[Data]> = range.rows().collect();
        assert_eq!(rows.len(), sheet.rows.len() + 1);
        let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
        assert_eq!(
            header,
            sheet
                .columns
                .iter()
                .map(|c| c.label.clone())
                .collect::<Vec<_>>()
        );
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let got = rows[r + 1].get(c).cloned().unwrap_or(Data::Empty);
                let where_ = format!("{}!{r}:{c}", sheet.name);
                match cell {
                    Cell::Text(s) => assert_eq!(got, Data::String(neutralized(s)), "{where_}"),
                    Cell::Int(n) => assert_eq!(got, Data::Float(*n as f64), "{where_}"),
                    Cell::Date(d) => {
                        assert!(
                            matches!(got, Data::DateTime(_)),
                            "{where_}: a date cell, got {got:?}"
                        );
                        assert_eq!(got.as_date(), Some(*d), "{where_}");
                    }
                    Cell::DateTime(at) => {
                        let wall = at.with_timezone(&DISPLAY_TZ).naive_local();
                        let read = got.as_datetime().expect("a date-time cell");
                        assert!(
                            (read - wall).num_milliseconds().abs() < 5,
                            "{where_}: {read} vs {wall}"
                        );
                    }
                    Cell::Bool(b) => assert_eq!(got, Data::Bool(*b), "{where_}"),
                    Cell::Empty => assert_eq!(got, Data::Empty, "{where_}"),
                }
            }
        }
    }
}

#[test]
fn xlsx_keeps_huge_integers_exact_as_text() {
    let mut doc = document();
    doc.sheets[1].rows[1][2] = Cell::Int(123_456_789_012_345_678);
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(only(&doc, Format::Xlsx))).expect("valid XLSX");
    let range = book.worksheet_range("Sous-traitants").expect("sheet");
    assert_eq!(
        range.get((2, 2)),
        Some(&Data::String("123456789012345678".into()))
    );
}

// ------------------------------------------------------------------------------------ ODS

#[test]
fn ods_round_trips_through_calamine() {
    let doc = document();
    let bytes = only(&doc, Format::Ods);
    // The mimetype entry comes first and stored, as ODF requires.
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(
        &bytes[38..38 + 46],
        b"application/vnd.oasis.opendocument.spreadsheet"
    );
    let mut book: Ods<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("valid ODS");
    assert_eq!(
        book.sheet_names(),
        vec!["Traitements".to_owned(), "Sous-traitants".to_owned()]
    );
    for sheet in &doc.sheets {
        let range = book.worksheet_range(&sheet.name).expect("sheet");
        let rows: Vec<&[Data]> = range.rows().collect();
        assert_eq!(rows.len(), sheet.rows.len() + 1);
        let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
        assert_eq!(
            header,
            sheet
                .columns
                .iter()
                .map(|c| c.label.clone())
                .collect::<Vec<_>>()
        );
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let got = rows[r + 1].get(c).cloned().unwrap_or(Data::Empty);
                let where_ = format!("{}!{r}:{c}", sheet.name);
                let expected = match cell {
                    // Tabs become spaces in ODS (LibreOffice drops `text:tab` in cells).
                    Cell::Text(s) => Data::String(neutralized(s).replace('\t', " ")),
                    Cell::Int(n) => Data::Float(*n as f64),
                    Cell::Date(d) => Data::DateTimeIso(d.format("%Y-%m-%d").to_string()),
                    Cell::DateTime(at) => Data::DateTimeIso(
                        at.with_timezone(&DISPLAY_TZ)
                            .naive_local()
                            .format("%Y-%m-%dT%H:%M:%S")
                            .to_string(),
                    ),
                    Cell::Bool(b) => Data::Bool(*b),
                    Cell::Empty => Data::Empty,
                };
                assert_eq!(got, expected, "{where_}");
            }
        }
    }
}

// ----------------------------------------------------------------------------------- JSON

#[test]
fn json_is_typed_and_ordered() {
    let doc = document();
    let bytes = only(&doc, Format::Json);
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
    assert_eq!(value["title"], "Registre des activités de traitement");
    assert_eq!(value["generated_at"], "2025-03-14T09:30:00Z");
    let sheets = value["sheets"].as_array().expect("sheets");
    assert_eq!(sheets.len(), 2);
    for (sheet_json, sheet) in sheets.iter().zip(&doc.sheets) {
        assert_eq!(sheet_json["name"], sheet.name.as_str());
        let rows = sheet_json["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), sheet.rows.len());
        for (row_json, row) in rows.iter().zip(&sheet.rows) {
            let object = row_json.as_object().expect("row object");
            assert_eq!(object.len(), sheet.columns.len());
            for (column, cell) in sheet.columns.iter().zip(row) {
                let expected = match cell {
                    Cell::Text(s) => serde_json::json!(s),
                    Cell::Int(n) => serde_json::json!(n),
                    Cell::Date(d) => serde_json::json!(d.format("%Y-%m-%d").to_string()),
                    Cell::DateTime(at) => {
                        serde_json::json!(at.to_rfc3339_opts(SecondsFormat::Secs, true))
                    }
                    Cell::Bool(b) => serde_json::json!(b),
                    Cell::Empty => serde_json::Value::Null,
                };
                assert_eq!(object[&column.key], expected, "{}", column.key);
            }
        }
    }
    // Keys follow the column order (not alphabetical): "ref" before "name" before "purpose".
    let first_row = &text[text.find("\"rows\"").expect("rows")..];
    let pos = |k: &str| first_row.find(&format!("\"{k}\":")).expect("key");
    assert!(
        pos("ref") < pos("name")
            && pos("name") < pos("purpose")
            && pos("purpose") < pos("legal_basis")
    );
    assert!(text.contains("\n  \"title\""), "pretty-printed");
}

// ------------------------------------------------------------------------------------ PDF

fn pdf_text(bytes: &[u8]) -> (String, usize) {
    let pdf = lopdf::Document::load_mem(bytes).expect("valid PDF");
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    (
        squash(&pdf.extract_text(&pages).expect("text")),
        pages.len(),
    )
}

/// Text lines wrapped inside a cell come back as separate lines: compare with whitespace squashed.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pdf_contains_the_french_text() {
    let doc = document();
    let bytes = only(&doc, Format::Pdf);
    assert!(bytes.starts_with(b"%PDF-"));
    let (text, pages) = pdf_text(&bytes);
    assert_eq!(pages, 2, "each sheet on its own page:\n{text}");
    for needle in [
        "Registre des activités de traitement",
        "Les données sont conservées pendant la durée",
        "(œuvre commune, coût 1 250 €)",
        "Commune de Saint-Étienne-de-Crossey",
        "Généré le 14/03/2025 à 10:30 (heure de Paris)",
        "Gestion de l'état civil",
        "Œuvre sociale — 12 € / an",
        "Naïveté, cœur, façade",
        "=SUM(1)",
        "« copie intégrale »",
        "Cantine scolaire \"Les Pâquerettes\"",
        "02/07/2025 00:15",
        "14/03/2025 10:30",
        "15/01/2024",
        "Société d'Économie Mixte ; « Lyon »",
        "page 1 / 2",
        "page 2 / 2",
    ] {
        assert!(
            text.contains(&squash(needle)),
            "{needle:?} not found in:\n{text}"
        );
    }
}

#[test]
fn pdf_repeats_the_header_on_every_page() {
    let mut doc = document();
    let template = doc.sheets[0].rows[3].clone();
    doc.sheets[0].rows = (0..120).map(|_| template.clone()).collect();
    doc.sheets.truncate(1);
    let bytes = only(&doc, Format::Pdf);
    let pdf = lopdf::Document::load_mem(&bytes).expect("valid PDF");
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    assert!(pages.len() > 5, "long table spans pages");
    for page in &pages {
        let text = squash(&pdf.extract_text(&[*page]).expect("text"));
        assert!(
            text.contains("Nom du traitement") && text.contains("Données sensibles"),
            "page {page}:\n{text}"
        );
        assert!(text.contains(&format!("page {page} / {}", pages.len())));
    }
}

#[test]
fn pdf_splits_a_row_taller_than_a_page() {
    let mut doc = document();
    doc.sheets.truncate(1);
    doc.sheets[0].rows.truncate(1);
    doc.sheets[0].rows[0][2] = Cell::text(common::LONG_TEXT.repeat(40));
    let (text, pages) = pdf_text(&only(&doc, Format::Pdf));
    assert!(pages >= 2, "the row continues on the next page");
    assert!(text.contains("page 2 /"));
}

// ------------------------------------------------------------------------------ all of them

#[test]
fn rendering_is_deterministic() {
    let doc = document();
    for format in Format::ALL {
        assert_eq!(
            render(&doc, format).expect("render"),
            render(&doc, format).expect("render"),
            "{format:?}"
        );
    }
}

#[test]
fn empty_sheet_renders_everywhere() {
    let mut doc = document();
    doc.sheets.push(Sheet {
        name: "Vide".into(),
        columns: doc.sheets[1].columns.clone(),
        rows: vec![],
    });
    for format in Format::ALL {
        let files = render(&doc, format).expect("render");
        assert!(files.iter().all(|f| !f.bytes.is_empty()), "{format:?}");
    }
}

#[test]
fn pdf_draws_charts_with_their_labels_and_totals() {
    use formats::{Bar, Chart, ValueFormat};
    let mut doc = document();
    doc.charts = vec![
        Chart {
            title: "Couverture du registre".into(),
            series: vec!["Contrôlés".into(), "Validés".into(), "Brouillons".into()],
            bars: vec![
                Bar {
                    label: "Compiègne".into(),
                    values: vec![4, 3, 1],
                },
                Bar {
                    label: "Margny-lès-Compiègne".into(),
                    values: vec![0, 2, 5],
                },
            ],
            format: ValueFormat::Count,
            tones: Vec::new(),
        },
        Chart {
            title: "Coûts par commune".into(),
            series: vec!["Payé".into()],
            bars: vec![Bar {
                label: "Venette".into(),
                values: vec![123_456],
            }],
            format: ValueFormat::Cents,
            tones: Vec::new(),
        },
    ];
    let bytes = only(&doc, Format::Pdf);
    let (text, _) = pdf_text(&bytes);
    for expected in [
        "Couverture du registre",
        "Contrôlés",
        "Brouillons",
        "Margny-lès-Compiègne",
        "Coûts par commune",
        "1 234,56 €",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // Bar totals: 4+3+1 and 0+2+5, after the bars.
    let (a, b) = (
        text.find("Compiègne").unwrap_or(0),
        text.find("Coûts").unwrap_or(0),
    );
    assert!(
        text[a..b].contains('8') && text[a..b].contains('7'),
        "{text}"
    );
    // The charts come before the tables.
    assert!(b < text.find("Nom du traitement").unwrap_or(0));
}

// ------------------------------------------------------------------- wide sheets, tagging

/// A register-like sheet of 23 columns: laid out one block a record, no word cut.
fn wide_document() -> Document {
    use formats::Column;
    let mut columns = vec![
        Column::new("commune", "Commune"),
        Column::new("insee", "Code INSEE"),
        Column::new("name", "Traitement"),
    ];
    for i in 3..23 {
        columns.push(Column::new(
            format!("c{i}"),
            format!("Rubrique du registre numéro {i}"),
        ));
    }
    let communes = [
        ("Compiègne", "60159"),
        ("Margny-lès-Compiègne", "60382"),
        ("Saint-Jean-aux-Bois", "60587"),
        ("Bienville", "60070"),
    ];
    let rows = (0..40)
        .map(|r| {
            let (commune, insee) = communes[r % communes.len()];
            let mut row = vec![
                Cell::text(commune),
                Cell::text(insee),
                Cell::text(format!("Gestion des inscriptions scolaires n° {r}")),
            ];
            for i in 3..23 {
                row.push(match i % 3 {
                    0 => Cell::text(format!(
                        "Données d'identification des familles de {commune} ; coordonnées ; quotient familial"
                    )),
                    1 => Cell::Empty,
                    _ => Cell::text(common::LONG_TEXT),
                });
            }
            row
        })
        .collect();
    let mut doc = document();
    doc.sheets = vec![Sheet {
        name: "Registre".into(),
        columns,
        rows,
    }];
    doc
}

#[test]
fn pdf_lays_out_a_wide_sheet_one_record_a_block_without_cutting_words() {
    let bytes = only(&wide_document(), Format::Pdf);
    let pdf = lopdf::Document::load_mem(&bytes).expect("valid PDF");
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    let raw = pdf.extract_text(&pages).expect("text");
    // Every word of every line is whole: the commune names and the labels come back intact.
    let words: Vec<&str> = raw.split_whitespace().collect();
    for name in [
        "Compiègne",
        "Margny-lès-Compiègne",
        "Saint-Jean-aux-Bois",
        "Bienville",
    ] {
        assert!(words.contains(&name), "{name} not found whole in:\n{raw}");
    }
    for cut in ["Compièg", "Margny-lès-", "Compiègn"] {
        assert!(!words.contains(&cut), "{cut} is a cut word:\n{raw}");
    }
    let text = squash(&raw);
    assert!(text.contains("Gestion des inscriptions scolaires n° 39"));
    assert!(text.contains("Rubrique du registre numéro 22"));
    assert!(pages.len() > 5, "forty records over several pages");
}

#[test]
fn pdf_is_tagged() {
    for doc in [document(), wide_document()] {
        let bytes = only(&doc, Format::Pdf);
        let pdf = lopdf::Document::load_mem(&bytes).expect("valid PDF");
        let catalog = pdf.catalog().expect("catalog");
        assert!(catalog.get(b"StructTreeRoot").is_ok(), "no StructTreeRoot");
        let mark_info = catalog
            .get(b"MarkInfo")
            .and_then(|m| pdf.dereference(m).map(|(_, o)| o.clone()))
            .expect("MarkInfo");
        let marked = mark_info
            .as_dict()
            .and_then(|d| d.get(b"Marked"))
            .and_then(lopdf::Object::as_bool)
            .expect("Marked");
        assert!(marked, "MarkInfo /Marked true");
    }
}
