//! A reader for the CSV files MADIS writes. MADIS calls PHP's `fputcsv($out, $row, ';', '"')`
//! after a UTF-8 byte order mark: `;` separators, `"` enclosures doubled inside a field, `\n`
//! at the end of each record, and fields enclosed when they hold a separator, a quote, a
//! backslash, a space, a tab or a line break (so multi-line cells span several lines of the
//! file). PHP's escape character (`\`) is kept as written: `\"` inside a quoted field is not
//! doubled by `fputcsv` and is read back as those two characters, as `fgetcsv` does.
//!
//! Outside input is hostile: the caller bounds the bytes, this reader bounds the records and
//! the fields of a record, and reports the line where a faulty record starts.
use super::MadisError;

/// The most records a file may hold (header included): a commune's register is a few hundred
/// treatments; an export of a whole MADIS instance is larger but is not what a commune imports.
pub const MAX_RECORDS: usize = 5_001;
/// The most fields of a record: the treatments export has about 80 columns plus one per
/// question of MADIS's compliance module.
pub const MAX_FIELDS: usize = 400;

/// A record and the 1-based line of the file where it starts.
pub type Record = (usize, Vec<String>);

pub fn read(text: &str, file: &'static str) -> Result<Vec<Record>, MadisError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // MADIS writes UTF-8; a file saved again by a spreadsheet is often Windows-1252, whose
    // accented letters reach us as replacement characters once decoded as UTF-8.
    if let Some(at) = text.find('\u{fffd}') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(MadisError::BadFile {
            file,
            message: format!(
                "Ligne {line} : le fichier n'est pas en UTF-8 (enregistré de nouveau par un tableur ?). Exportez-le à nouveau depuis MADIS et envoyez-le sans l'ouvrir."
            ),
        });
    }
    let mut records: Vec<Record> = vec![];
    let mut record: Vec<String> = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut at_field_start = true;
    let mut line = 1usize;
    let mut start = 1usize;
    let mut chars = text.chars().peekable();
    let too_many = |what: String| MadisError::TooLarge { file, what };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '\\' => {
                    field.push('\\');
                    if let Some(n) = chars.next() {
                        if n == '\n' {
                            line += 1;
                        }
                        field.push(n);
                    }
                }
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ';' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
                if record.len() > MAX_FIELDS {
                    return Err(too_many(format!(
                        "la ligne {start} compte plus de {MAX_FIELDS} colonnes"
                    )));
                }
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    records.push((start, std::mem::take(&mut record)));
                    if records.len() > MAX_RECORDS {
                        return Err(too_many(format!(
                            "il compte plus de {} lignes",
                            MAX_RECORDS - 1
                        )));
                    }
                } else {
                    record.clear();
                }
                at_field_start = true;
                line += 1;
                start = line;
            }
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(MadisError::Malformed {
            file,
            line: start,
            message: "un champ entre guillemets n'est pas refermé".into(),
        });
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        records.push((start, record));
    }
    if records.len() > MAX_RECORDS {
        return Err(too_many(format!(
            "il compte plus de {} lignes",
            MAX_RECORDS - 1
        )));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_php_fputcsv_writes() {
        // fputcsv encloses fields with spaces, doubles quotes, keeps \" as written, and a
        // multi-line cell spans lines: the third record starts on line 5.
        let text = "\u{feff}Nom;\"Base légale\"\n\"État civil - Santé\";\"1: 5 ans \r\n2: 1 an \r\n\"\n\"dit \"\"oui\"\"\";\"a\\\"b\"\n";
        let r = read(text, "traitements").expect("reads");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], (1, vec!["Nom".into(), "Base légale".into()]));
        assert_eq!(r[1].0, 2);
        assert_eq!(r[1].1[1], "1: 5 ans \r\n2: 1 an \r\n");
        assert_eq!(r[2], (5, vec!["dit \"oui\"".into(), "a\\\"b".into()]));
    }

    #[test]
    fn a_file_saved_again_in_windows_1252_is_refused_with_its_line() {
        let latin1: &[u8] = b"Nom;Finalit\xe9s\nPaie;Verser\n";
        let text = String::from_utf8_lossy(latin1);
        let err = read(&text, "treatmentsCsv").expect_err("not UTF-8");
        assert!(
            err.to_string()
                .starts_with("Ligne 1 : le fichier n'est pas en UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn an_open_quote_names_its_line_and_bounds_hold() {
        let err = read("a;b\n\"open;x\n", "traitements").expect_err("open quote");
        assert!(
            matches!(err, MadisError::Malformed { line: 2, .. }),
            "{err}"
        );
        let wide = format!("{}\n", ";".repeat(MAX_FIELDS + 1));
        assert!(matches!(
            read(&wide, "traitements"),
            Err(MadisError::TooLarge { .. })
        ));
        let long = "x\n".repeat(MAX_RECORDS + 1);
        assert!(matches!(
            read(&long, "traitements"),
            Err(MadisError::TooLarge { .. })
        ));
    }
}
