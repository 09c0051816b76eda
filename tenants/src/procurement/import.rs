//! CSV or XLSX import of an existing contract list, the way communes hold them today (a
//! spreadsheet saved as CSV: `;`-separated, UTF-8, one header line; or the workbook itself,
//! first worksheet, same header row, see [`import_xlsx`]). Every row is checked first; when one
//! is rejected nothing is imported, and the report says which rows and why. A dry run only
//! checks. Suppliers are found or recorded organisation-wide by their SIRET.
//!
//! Columns (header names, any order; the last three may be empty):
//! `reference;objet;categorie;procedure;cpv;montant_estime;montant_attribue;date_notification;
//! duree_mois;lieu;forme_prix;titulaire_siret;titulaire_nom`. Amounts are euros HT
//! (`12 345,67` or `12345.67`), dates `AAAA-MM-JJ` or `JJ/MM/AAAA`.
use super::contracts::{self, ContractFields};
use super::{suppliers, vocab, ProcurementError};
use crate::entities::tenant;
use crate::tenancy::{can, Can};
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

pub const COLUMNS: &[&str] = &[
    "reference",
    "objet",
    "categorie",
    "procedure",
    "cpv",
    "montant_estime",
    "montant_attribue",
    "date_notification",
    "duree_mois",
    "lieu",
    "forme_prix",
    "titulaire_siret",
    "titulaire_nom",
];
const OPTIONAL: &[&str] = &["date_notification", "titulaire_siret", "titulaire_nom"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line of the file (the header is line 1).
    pub line: usize,
    pub reference: String,
    /// The CSV column, or the field the rule is about.
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub contract_ids: Vec<Uuid>,
    pub rejected: Vec<Rejection>,
}

/// A record of a CSV file and the line it starts on.
pub type Record = (usize, Vec<String>);

/// Splits CSV text into records: `;` separators, `"` quoting with `""` escapes, CRLF or LF.
/// An error carries the line where the faulty record starts.
pub fn parse_csv(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = vec![];
    let mut field = String::new();
    let mut record = vec![];
    let mut in_quotes = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => in_quotes = false,
            ('"', false) if field.is_empty() => in_quotes = true,
            (';', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) if chars.peek() == Some(&'\n') => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    records.push((start, std::mem::take(&mut record)));
                } else {
                    record.clear();
                }
                line += 1;
                start = line;
            }
            ('\n', true) => {
                line += 1;
                field.push('\n');
            }
            (c, _) => field.push(c),
        }
    }
    if in_quotes {
        return Err((start, "un champ entre guillemets n'est pas refermé".into()));
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        records.push((start, record));
    }
    Ok(records)
}

/// "12 345,67", "12345.67", "12345" (euros) -> cents.
pub(crate) fn euros_to_cents(s: &str) -> Result<i64, String> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '€')
        .collect::<String>()
        .replace(',', ".");
    let (int, frac) = compact.split_once('.').unwrap_or((&compact, ""));
    let negative = int.starts_with('-');
    let int = int.trim_start_matches('-');
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!(
            "« {s} » n'est pas un montant en euros (12 345,67 par exemple)."
        ));
    }
    let cents = int
        .parse::<i64>()
        .ok()
        .and_then(|e| e.checked_mul(100))
        .and_then(|c| c.checked_add(format!("{frac:0<2}").parse::<i64>().unwrap_or(0)))
        .ok_or_else(|| format!("« {s} » est un montant trop élevé."))?;
    Ok(if negative { -cents } else { cents })
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%d/%m/%Y"))
        .map_err(|_| format!("« {s} » n'est pas une date au format AAAA-MM-JJ ou JJ/MM/AAAA."))
}

/// CSV column of a domain field, so the report names what the commune sees.
fn column_of(field: &str) -> &str {
    match field {
        "object" => "objet",
        "category" => "categorie",
        "estimatedCents" => "montant_estime",
        "awardedCents" => "montant_attribue",
        "notifiedOn" => "date_notification",
        "durationMonths" => "duree_mois",
        "placeCode" => "lieu",
        "priceForm" => "forme_prix",
        "identifier" => "titulaire_siret",
        "name" => "titulaire_nom",
        other => other,
    }
}

/// A row that passed every check, ready to insert.
pub(crate) struct Row {
    pub(crate) line: usize,
    pub(crate) fields: ContractFields,
    /// The contractor's normalised SIRET and name.
    pub(crate) supplier: Option<(String, String)>,
}

/// The tenant an import writes to, checked before the file is read: a foreign one is not
/// found, whatever the file holds.
async fn import_tenant(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    tenant_id: Uuid,
) -> Result<tenant::Model, ProcurementError> {
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    txn.commit().await?;
    Ok(t)
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn import_csv(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    tenant_id: Uuid,
    csv: &str,
    dry_run: bool,
) -> Result<ImportReport, ProcurementError> {
    let t = import_tenant(db, scope, tenant_id).await?;
    let records = parse_csv(csv).map_err(|(line, m)| {
        super::bad::<ProcurementError>("csv", format!("Ligne {line} : {m}."))
    })?;
    import_records(db, scope, &t, "csv", &records, dry_run).await
}

/// XLSX import: the first worksheet of the workbook, laid out like the CSV file (a header
/// row with the same column names, then one contract a row), checked by the same rules.
/// Dates may be date cells or text, amounts numbers or text (`12 345,67`). The workbook is
/// read on the blocking pool ([`crate::blocking`]), after its archive is bounded.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn import_xlsx(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    tenant_id: Uuid,
    xlsx: Vec<u8>,
    dry_run: bool,
) -> Result<ImportReport, ProcurementError> {
    let t = import_tenant(db, scope, tenant_id).await?;
    let records = crate::blocking::run(move || xlsx_records(&xlsx))
        .await
        .map_err(|e| ProcurementError::Corrupt(e.to_string()))??;
    import_records(db, scope, &t, "xlsx", &records, dry_run).await
}

/// The text a spreadsheet cell stands for, as the CSV file would hold it: date cells as
/// `AAAA-MM-JJ`, whole numbers without decimals (SIRET, months), others with their cents.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f}"),
        Data::Float(f) if ((f * 100.0).round() - f * 100.0).abs() < 1e-6 => format!("{f:.2}"),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|dt| dt.date().to_string())
            .unwrap_or_else(|| d.as_f64().to_string()),
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or_default().to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e}"),
    }
}

/// Rows an XLSX file may hold (header included): the cells are read one by one, so a sheet
/// that only claims to be large (one cell at `XFD1048576`) costs nothing.
pub const MAX_XLSX_ROWS: usize = 20_000;
/// Columns read: the import has 13; cells further right are ignored.
const MAX_XLSX_COLUMNS: u32 = 64;

/// What a workbook's archive may hold once inflated, checked before the spreadsheet reader
/// sees it (it reads every shared string before any row limit applies). A sheet of
/// [`MAX_XLSX_ROWS`] rows of the 13 columns is about 10 MB of XML.
pub const XLSX_ZIP_LIMITS: formats::ZipLimits = formats::ZipLimits {
    max_entries: 500,
    max_entry_bytes: 32 * 1024 * 1024,
    max_total_bytes: 64 * 1024 * 1024,
};

/// The rows of the first worksheet, each with its 1-based line; empty rows are left out.
pub fn xlsx_records(xlsx: &[u8]) -> Result<Vec<Record>, ProcurementError> {
    formats::zip_limits::check(xlsx, &XLSX_ZIP_LIMITS).map_err(|e| {
        super::bad::<ProcurementError>("xlsx", format!("classeur XLSX refusé : {e}"))
    })?;
    // calamine 0.38 panics on some malformed sheets (unchecked arithmetic on cell references
    // such as `AAAAAAAAA1`, tafia/calamine#709, found by fuzzing): that is a bad file too.
    std::panic::catch_unwind(|| read_xlsx(xlsx)).unwrap_or_else(|_| {
        Err(super::bad(
            "xlsx",
            "Ce fichier n'est pas un classeur XLSX lisible : sa feuille n'a pas pu être lue.",
        ))
    })
}

fn read_xlsx(xlsx: &[u8]) -> Result<Vec<Record>, ProcurementError> {
    // The reader's reason is English and technical: logged, not shown.
    let not_xlsx = |e: &dyn std::fmt::Display| {
        tracing::debug!(error = %e, "not an XLSX workbook");
        super::bad::<ProcurementError>("xlsx", "Ce fichier n'est pas un classeur XLSX lisible.")
    };
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).map_err(|e| not_xlsx(&e))?;
    let first =
        book.sheet_names().into_iter().next().ok_or_else(|| {
            super::bad::<ProcurementError>("xlsx", "Le classeur n'a aucune feuille.")
        })?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| not_xlsx(&e))?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(|e| not_xlsx(&e))? {
        let (row, col) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if col >= MAX_XLSX_COLUMNS || text.trim().is_empty() {
            continue;
        }
        let record = rows.entry(row).or_default();
        let col = col as usize;
        if record.len() <= col {
            record.resize(col + 1, String::new());
        }
        record[col] = text;
        if rows.len() > MAX_XLSX_ROWS {
            return Err(super::bad(
                "xlsx",
                format!("Le classeur dépasse {MAX_XLSX_ROWS} lignes."),
            ));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(row, record)| (row as usize + 1, record))
        .collect())
}

/// Checks every record (the first is the header) and, if none is rejected and this is not a
/// dry run, imports them all in one transaction. `source` names the file's field in errors.
async fn import_records(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    t: &tenant::Model,
    source: &'static str,
    records: &[Record],
    dry_run: bool,
) -> Result<ImportReport, ProcurementError> {
    let (mut report, rows) = check_records(source, records)?;
    if !report.rejected.is_empty() || dry_run {
        return Ok(report);
    }
    // Everything or nothing: one transaction.
    let txn = scope.begin(db).await?;
    let mut supplier_ids: HashMap<String, Uuid> = HashMap::new();
    for mut r in rows {
        if let Some((siret, name)) = r.supplier.take() {
            let id = match supplier_ids.get(&siret) {
                Some(id) => *id,
                None => {
                    let (s, _) =
                        suppliers::find_or_insert(&txn, scope, t, "SIRET", siret.clone(), name)
                            .await?;
                    supplier_ids.insert(siret, s.id);
                    s.id
                }
            };
            r.fields.supplier_ids = vec![id];
        }
        match contracts::insert(&txn, scope, t, &r.fields, "importContract").await {
            Ok(row) => report.contract_ids.push(row.id),
            Err(ProcurementError::Conflict(m)) => {
                report.rejected.push(Rejection {
                    line: r.line,
                    reference: r.fields.reference.clone(),
                    field: "reference".into(),
                    message: m,
                });
            }
            Err(e) => return Err(e),
        }
    }
    if !report.rejected.is_empty() {
        txn.rollback().await?;
        report.contract_ids.clear();
        return Ok(report);
    }
    txn.commit().await?;
    report.imported = report.contract_ids.len();
    Ok(report)
}

/// The checks of [`import_records`] that need no database: the header, then every row. The
/// report counts the rows and lists the rejected ones. Pure, so it can be fuzzed.
pub(crate) fn check_records(
    source: &'static str,
    records: &[Record],
) -> Result<(ImportReport, Vec<Row>), ProcurementError> {
    let Some(((_, header), body)) = records.split_first() else {
        return Err(super::bad(source, "Le fichier est vide."));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let missing: Vec<&&str> = COLUMNS
        .iter()
        .filter(|c| !OPTIONAL.contains(c) && !header.iter().any(|h| h == *c))
        .collect();
    if !missing.is_empty() {
        return Err(super::bad(
            source,
            format!(
                "Colonnes manquantes : {}.",
                missing
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut report = ImportReport {
        rows: body.len(),
        ..Default::default()
    };
    let mut rows = vec![];
    let mut seen: HashSet<String> = HashSet::new();
    for (line, rec) in body {
        let get = |c: &str| -> String {
            header
                .iter()
                .position(|h| h == c)
                .and_then(|i| rec.get(i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let reference = get("reference");
        let reject = |field: &str, message: String| Rejection {
            line: *line,
            reference: reference.clone(),
            field: field.to_owned(),
            message,
        };
        let parsed = (|| -> Result<Row, Rejection> {
            let estimated =
                euros_to_cents(&get("montant_estime")).map_err(|m| reject("montant_estime", m))?;
            let awarded = match get("montant_attribue").as_str() {
                "" => None,
                s => Some(euros_to_cents(s).map_err(|m| reject("montant_attribue", m))?),
            };
            let notified = match get("date_notification").as_str() {
                "" => None,
                s => Some(date(s).map_err(|m| reject("date_notification", m))?),
            };
            let duration = get("duree_mois").parse::<i32>().map_err(|_| {
                reject(
                    "duree_mois",
                    "Indiquez la durée en nombre entier de mois.".into(),
                )
            })?;
            let place = get("lieu");
            let supplier = match get("titulaire_siret").as_str() {
                "" => None,
                s => {
                    let id = suppliers::normalise_identifier("SIRET", s)
                        .map_err(|e| reject("titulaire_siret", e.to_string()))?;
                    let name = get("titulaire_nom");
                    if name.is_empty() {
                        return Err(reject(
                            "titulaire_nom",
                            "Indiquez le nom du titulaire.".into(),
                        ));
                    }
                    Some((id, name))
                }
            };
            let fields = ContractFields {
                reference: reference.clone(),
                object: get("objet"),
                nature: "Marché".into(),
                category: get("categorie").to_lowercase(),
                procedure: get("procedure"),
                techniques: vec!["Sans objet".into()],
                execution_modalities: vec!["Sans objet".into()],
                ccag: "Pas de CCAG".into(),
                price_form: get("forme_prix"),
                price_types: vec!["Définitif ferme".into()],
                cpv: get("cpv"),
                estimated_cents: estimated,
                awarded_cents: awarded,
                lots: vec![],
                notified_on: notified,
                duration_months: duration,
                renewals: 0,
                renewal_months: 0,
                notice_days: 0,
                place_type: if place.len() == 2 {
                    "Code département".into()
                } else {
                    "Code commune".into()
                },
                place_code: place,
                social_considerations: vec!["Pas de considération sociale".into()],
                environmental_considerations: vec!["Pas de considération environnementale".into()],
                subcontracting: false,
                supplier_ids: vec![],
                shares: vec![],
                buyer_siret: None,
                offers_received: None,
                innovative: false,
                advance_paid: false,
                operator_grouping: vocab::OPERATOR_GROUPINGS[2].into(),
            };
            if let Err(e) = fields.validate() {
                return Err(match e {
                    ProcurementError::BadInput { field, message } => {
                        reject(column_of(field), message)
                    }
                    other => reject("reference", other.to_string()),
                });
            }
            if !seen.insert(fields.reference.trim().to_owned()) {
                return Err(reject(
                    "reference",
                    "Cette référence figure deux fois dans le fichier.".into(),
                ));
            }
            Ok(Row {
                line: *line,
                fields,
                supplier,
            })
        })();
        match parsed {
            Ok(r) => rows.push(r),
            Err(r) => report.rejected.push(r),
        }
    }
    Ok((report, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_quotes_and_lines() {
        let r = parse_csv("\u{feff}a;b\r\n\"x;1\";\"dit \"\"bonjour\"\"\"\n\n\"multi\nligne\";z")
            .expect("csv");
        assert_eq!(r[0], (1, vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(
            r[1],
            (2, vec!["x;1".to_owned(), "dit \"bonjour\"".to_owned()])
        );
        assert_eq!(r[2], (4, vec!["multi\nligne".to_owned(), "z".to_owned()]));
        assert!(parse_csv("a;\"b").is_err());
    }

    #[test]
    fn french_amounts() {
        assert_eq!(euros_to_cents("12 345,67"), Ok(1_234_567));
        assert_eq!(euros_to_cents("12345.6"), Ok(1_234_560));
        assert_eq!(euros_to_cents("40 000 €"), Ok(4_000_000));
        assert_eq!(euros_to_cents("-5"), Ok(-500));
        assert!(euros_to_cents("1,234").is_err());
        assert!(euros_to_cents("douze").is_err());
        assert!(euros_to_cents("").is_err());
    }

    #[test]
    fn spreadsheet_cells_read_as_the_csv_would_hold_them() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        assert_eq!(cell_text(&Data::Float(36_540.5)), "36540.50");
        assert_eq!(
            euros_to_cents(&cell_text(&Data::Float(36_540.5))),
            Ok(3_654_050)
        );
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.30");
        assert_eq!(
            cell_text(&Data::Float(44_306_184_100_047.0)),
            "44306184100047"
        );
        assert_eq!(cell_text(&Data::Float(24.0)), "24");
        assert_eq!(cell_text(&Data::Float(1.0 / 3.0)), format!("{}", 1.0 / 3.0));
        assert_eq!(cell_text(&Data::String("12 345,67".into())), "12 345,67");
        // 15 March 2024 as Excel stores it (days since 1899-12-30).
        let d = ExcelDateTime::new(45_366.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d)), "2024-03-15");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2024-03-15T00:00:00".into())),
            "2024-03-15"
        );
        assert_eq!(cell_text(&Data::Empty), "");
    }

    #[test]
    fn not_a_workbook_names_the_field() {
        match xlsx_records(b"reference;objet\n") {
            Err(ProcurementError::BadInput { field, .. }) => assert_eq!(field, "xlsx"),
            other => panic!("{other:?}"),
        }
    }

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, c, v) in cells {
            ws.write_string(*r, *c, *v).expect("cell");
        }
        wb.save_to_buffer().expect("xlsx")
    }

    #[test]
    fn a_sparse_sheet_is_read_cell_by_cell() {
        // One cell at the far corner: no 16384 x 1048576 grid is built, far columns are
        // ignored, lines are the sheet's.
        let x = workbook(&[
            (0, 1, "reference"),
            (2, 1, "2024-01"),
            (1_048_575, 0, "x"),
            (1_048_575, 16_383, "far"),
        ]);
        let r = xlsx_records(&x).expect("records");
        assert_eq!(
            r,
            vec![
                (1, vec![String::new(), "reference".into()]),
                (3, vec![String::new(), "2024-01".into()]),
                (1_048_576, vec!["x".into()]),
            ]
        );
    }

    /// The issue-18 probe: a workbook whose `xl/sharedStrings.xml` inflates about 1000:1. The
    /// reader used to take every shared string into memory before any row limit applied.
    #[test]
    fn a_workbook_that_inflates_past_its_bound_is_refused_before_it_is_read() {
        use std::io::{Read, Write};
        let good = workbook(&[(0, 0, "reference")]);
        let mut src = zip::ZipArchive::new(std::io::Cursor::new(&good[..])).expect("zip");
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let inflated = XLSX_ZIP_LIMITS.max_entry_bytes as usize + (8 << 20);
        for i in 0..src.len() {
            let mut e = src.by_index(i).expect("entry");
            let name = e.name().expect("name").into_owned();
            out.start_file(name.as_str(), opts).expect("start");
            if name == "xl/sharedStrings.xml" {
                out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>")
                    .expect("head");
                let chunk = vec![b'a'; 1 << 20];
                for _ in 0..inflated >> 20 {
                    out.write_all(&chunk).expect("string");
                }
                out.write_all(b"</t></si></sst>").expect("tail");
            } else {
                let mut b = vec![];
                e.read_to_end(&mut b).expect("read");
                out.write_all(&b).expect("copy");
            }
        }
        let bomb = out.finish().expect("zip").into_inner();
        assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
        let hwm = |s: &str| -> u64 {
            std::fs::read_to_string("/proc/self/status")
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix(s))
                .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
                .unwrap_or(0)
        };
        let t = std::time::Instant::now();
        match xlsx_records(&bomb) {
            Err(ProcurementError::BadInput { field, message }) => {
                assert_eq!(field, "xlsx");
                assert!(message.contains("décompressé"), "{message}");
            }
            other => panic!("expected a refusal, got {:?}", other.map(|r| r.len())),
        }
        eprintln!(
            "{} KiB bomb refused in {:?}; peak RSS of the test process {} MiB",
            bomb.len() / 1024,
            t.elapsed(),
            hwm("VmHWM:") / 1024
        );
    }

    #[test]
    fn too_many_rows_are_refused() {
        let cells: Vec<(u32, u16, &str)> = (0..MAX_XLSX_ROWS as u32).map(|r| (r, 0, "x")).collect();
        assert!(xlsx_records(&workbook(&cells)).is_ok());
        let mut more = cells;
        more.push((MAX_XLSX_ROWS as u32, 0, "x"));
        match xlsx_records(&workbook(&more)) {
            Err(ProcurementError::BadInput { field, .. }) => assert_eq!(field, "xlsx"),
            other => panic!("{other:?}"),
        }
    }
}
