//! What a file someone sent really is, from its bytes (never from its name or the type its
//! sender declared): PDF, PNG, JPEG, and the office documents DOCX, XLSX, ODT, ODS. An office
//! document is a ZIP: the archive is opened and one small entry read to tell which, with its
//! inflated size bounded (`mimetype` for OpenDocument, `[Content_Types].xml` for Office Open
//! XML), so a program renamed `.pdf`, a ZIP of anything renamed `.docx` or a decompression bomb
//! is refused without being inflated.
use std::io::{Cursor, Read};

/// The kinds of file accepted as evidence documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
    Odt,
    Ods,
}

impl FileKind {
    pub const ALL: [FileKind; 7] = [
        FileKind::Pdf,
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Odt,
        FileKind::Ods,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Odt => "application/vnd.oasis.opendocument.text",
            FileKind::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        }
    }

    /// The usual extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
            FileKind::Docx => "docx",
            FileKind::Xlsx => "xlsx",
            FileKind::Odt => "odt",
            FileKind::Ods => "ods",
        }
    }

    /// Extensions a file of this kind may carry.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
            FileKind::Odt => &["odt"],
            FileKind::Ods => &["ods"],
        }
    }

    /// The kind of a stored media type (the ones `media_type` gives).
    pub fn from_media_type(m: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.media_type() == m)
    }
}

/// The accepted kinds, as a person reads them in a refusal.
pub const ACCEPTED_FR: &str = "PDF, PNG, JPEG, DOCX, XLSX, ODT ou ODS";

/// Why a file is refused. The messages reach the person who sent it (in French).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SniffError {
    #[error("le fichier est vide")]
    Empty,
    #[error("ce fichier est {what}, pas un document accepté ({ACCEPTED_FR}), quelle que soit son extension")]
    Refused { what: &'static str },
    #[error("ce fichier n'est pas un document accepté ({ACCEPTED_FR}) : son contenu n'est celui d'aucun de ces formats, quelle que soit son extension")]
    Unknown,
    #[error(
        "cette archive ZIP n'est pas un document bureautique accepté (DOCX, XLSX, ODT ou ODS)"
    )]
    NotOffice,
    #[error("ce document bureautique est illisible ou trop volumineux une fois décompressé")]
    BadOffice,
}

/// Entries an office document may hold (a large workbook has a few hundred).
const MAX_ENTRIES: usize = 10_000;
/// The inflated bytes read from the entry that tells the kind.
const MAX_PROBE_BYTES: u64 = 1024 * 1024;

/// The kind of `bytes`, from their content.
pub fn sniff(bytes: &[u8]) -> Result<FileKind, SniffError> {
    if bytes.is_empty() {
        return Err(SniffError::Empty);
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileKind::Jpeg);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return office(bytes);
    }
    Err(match bytes {
        [b'M', b'Z', ..] => SniffError::Refused {
            what: "un programme Windows (exécutable .exe ou .dll)",
        },
        [0x7F, b'E', b'L', b'F', ..] => SniffError::Refused {
            what: "un programme (exécutable ELF)",
        },
        [b'#', b'!', ..] => SniffError::Refused {
            what: "un script exécutable",
        },
        [0xD0, 0xCF, 0x11, 0xE0, ..] => SniffError::Refused {
            what: "un ancien document Office (.doc, .xls) qui peut contenir des macros : enregistrez-le en DOCX, XLSX ou PDF",
        },
        _ => SniffError::Unknown,
    })
}

/// Reads one entry, at most `MAX_PROBE_BYTES` once inflated (the declared size is checked
/// first, and not trusted).
fn probe(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<Vec<u8>>, SniffError> {
    let entry = match archive.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => return Err(SniffError::BadOffice),
    };
    if entry.size() > MAX_PROBE_BYTES {
        return Err(SniffError::BadOffice);
    }
    let mut out = Vec::new();
    entry
        .take(MAX_PROBE_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|_| SniffError::BadOffice)?;
    if out.len() as u64 > MAX_PROBE_BYTES {
        return Err(SniffError::BadOffice);
    }
    Ok(Some(out))
}

fn office(bytes: &[u8]) -> Result<FileKind, SniffError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| SniffError::BadOffice)?;
    if archive.len() > MAX_ENTRIES {
        return Err(SniffError::BadOffice);
    }
    // OpenDocument: a `mimetype` entry naming the type (ODF 1.2, part 3, 3.3).
    if let Some(m) = probe(&mut archive, "mimetype")? {
        return match m.trim_ascii() {
            b"application/vnd.oasis.opendocument.text" => Ok(FileKind::Odt),
            b"application/vnd.oasis.opendocument.spreadsheet" => Ok(FileKind::Ods),
            _ => Err(SniffError::NotOffice),
        };
    }
    // Office Open XML: the main part's content type (ECMA-376 part 2, Open Packaging).
    if let Some(ct) = probe(&mut archive, "[Content_Types].xml")? {
        let ct = String::from_utf8_lossy(&ct);
        let has = |main: &str| ct.contains(main);
        if has("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml") {
            return Ok(FileKind::Docx);
        }
        if has("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml") {
            return Ok(FileKind::Xlsx);
        }
        // Macro-enabled (docm, xlsm) and other packages are not accepted.
        return Err(SniffError::NotOffice);
    }
    Err(SniffError::NotOffice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in entries {
            z.start_file(*name, SimpleFileOptions::default())
                .expect("entry");
            z.write_all(body).expect("body");
        }
        z.finish().expect("zip").into_inner()
    }

    #[test]
    fn files_are_known_by_their_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok(FileKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Ok(FileKind::Jpeg));
        let odt = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
        assert_eq!(sniff(&odt), Ok(FileKind::Odt));
        let ods = zip_of(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        assert_eq!(sniff(&ods), Ok(FileKind::Ods));
        let docx = zip_of(&[(
            "[Content_Types].xml",
            br#"<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        )]);
        assert_eq!(sniff(&docx), Ok(FileKind::Docx));
        let xlsx = zip_of(&[(
            "[Content_Types].xml",
            br#"<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        )]);
        assert_eq!(sniff(&xlsx), Ok(FileKind::Xlsx));
    }

    #[test]
    fn programs_archives_and_strangers_are_refused_whatever_their_name() {
        let exe = sniff(b"MZ\x90\x00\x03\x00\x00\x00");
        assert!(matches!(exe, Err(SniffError::Refused { .. })));
        assert!(exe
            .expect_err("refused")
            .to_string()
            .contains("programme Windows"));
        assert!(matches!(
            sniff(b"\x7fELF\x02"),
            Err(SniffError::Refused { .. })
        ));
        assert_eq!(sniff(b"<html>"), Err(SniffError::Unknown));
        assert_eq!(sniff(b""), Err(SniffError::Empty));
        // A ZIP of anything, a macro workbook, an ODF drawing: not accepted documents.
        assert_eq!(
            sniff(&zip_of(&[("a.txt", b"x")])),
            Err(SniffError::NotOffice)
        );
        let xlsm = zip_of(&[(
            "[Content_Types].xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml".as_slice(),
        )]);
        assert_eq!(sniff(&xlsm), Err(SniffError::NotOffice));
        let odg = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.graphics")]);
        assert_eq!(sniff(&odg), Err(SniffError::NotOffice));
        assert_eq!(sniff(b"PK\x03\x04garbage"), Err(SniffError::BadOffice));
    }

    #[test]
    fn a_content_types_bomb_is_not_inflated() {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        z.start_file(
            "[Content_Types].xml",
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
        )
        .expect("entry");
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..8 {
            z.write_all(&chunk).expect("fill");
        }
        let bomb = z.finish().expect("zip").into_inner();
        assert!(bomb.len() < 64 * 1024);
        assert_eq!(sniff(&bomb), Err(SniffError::BadOffice));
    }
}
