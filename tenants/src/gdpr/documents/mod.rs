//! Evidence documents and the DPO's resource library (issue 19).
//!
//! - [`evidence`]: the files a commune keeps as proof (MADIS's « Documents »): uploaded after
//!   their content is checked, typed, dated, hashed, linked to what they prove, downloaded by
//!   those who read the commune's register, deleted with an audit record.
//! - [`library`]: what the organisation's DPO publishes to every commune, versioned, with read
//!   receipts.
//! - [`bundle`]: the documents of the communes an auditor's register bundle covers.
use crate::audit::AuditError;
use crate::storage::StorageError;
use crate::tenancy::AccessError;
use formats::sniff::{FileKind, SniffError};
use sea_orm::DbErr;
use sha2::{Digest, Sha256};

pub mod bundle;
pub mod demo;
pub mod evidence;
pub mod library;

/// The largest file accepted by default (`MUTUALIS_DOCUMENT_MAX_BYTES` changes it).
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("Le fichier dépasse la taille maximale acceptée ({}).", crate::fr::bytes_fr(*max))]
    TooLarge { max: u64 },
    #[error("Fichier refusé : {0}.")]
    Unsupported(#[from] SniffError),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("le traitement du fichier n'a pas pu s'exécuter : {0}")]
    Busy(String),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for DocumentError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            DocumentError::Access(e) => e.fault(),
            DocumentError::BadInput { field, message } => Fault::bad(field, message),
            DocumentError::Conflict(m) => Fault::conflict(m),
            DocumentError::TooLarge { .. } | DocumentError::Unsupported(_) => Fault::File {
                code: self.code(),
                message: self.to_string(),
            },
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(DocumentError);

impl DocumentError {
    /// The stable code a client programs against.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Access(AccessError::NotFound) => "NOT_FOUND",
            DocumentError::Access(AccessError::Forbidden(_)) => "FORBIDDEN",
            DocumentError::BadInput { .. } => "BAD_USER_INPUT",
            DocumentError::TooLarge { .. } => "FILE_TOO_LARGE",
            DocumentError::Unsupported(_) => "UNSUPPORTED_FILE_TYPE",
            DocumentError::Conflict(_) => "CONFLICT",
            _ => "INTERNAL_SERVER_ERROR",
        }
    }
}

pub(crate) use crate::fault::bad;

/// What a commune's document proves (the types of MADIS's documents, and two of ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Contract,
    TrainingAttendance,
    Policy,
    Procedure,
    SignedRegister,
    Dpia,
    Notification,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 8] = [
        DocumentKind::Contract,
        DocumentKind::TrainingAttendance,
        DocumentKind::Policy,
        DocumentKind::Procedure,
        DocumentKind::SignedRegister,
        DocumentKind::Dpia,
        DocumentKind::Notification,
        DocumentKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Contract => "contract",
            DocumentKind::TrainingAttendance => "training_attendance",
            DocumentKind::Policy => "policy",
            DocumentKind::Procedure => "procedure",
            DocumentKind::SignedRegister => "signed_register",
            DocumentKind::Dpia => "dpia",
            DocumentKind::Notification => "notification",
            DocumentKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Contract => "Contrat",
            DocumentKind::TrainingAttendance => "Attestation de formation ou de présence",
            DocumentKind::Policy => "Politique",
            DocumentKind::Procedure => "Procédure",
            DocumentKind::SignedRegister => "Registre signé",
            DocumentKind::Dpia => "Analyse d'impact (AIPD)",
            DocumentKind::Notification => "Notification ou courrier",
            DocumentKind::Other => "Autre",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// What a document may be linked to, in the same commune's register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    Activity,
    Request,
    Breach,
    Processor,
    Action,
}

impl LinkTarget {
    pub const ALL: [LinkTarget; 5] = [
        LinkTarget::Activity,
        LinkTarget::Request,
        LinkTarget::Breach,
        LinkTarget::Processor,
        LinkTarget::Action,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LinkTarget::Activity => "activity",
            LinkTarget::Request => "request",
            LinkTarget::Breach => "breach",
            LinkTarget::Processor => "processor",
            LinkTarget::Action => "action",
        }
    }

    /// « ce traitement », « cette demande »… for the messages.
    pub fn this_fr(self) -> &'static str {
        match self {
            LinkTarget::Activity => "ce traitement",
            LinkTarget::Request => "cette demande de droits",
            LinkTarget::Breach => "cette violation de données",
            LinkTarget::Processor => "ce sous-traitant",
            LinkTarget::Action => "cette action du plan d'action",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LinkTarget::Activity => "Traitement",
            LinkTarget::Request => "Demande de droits",
            LinkTarget::Breach => "Violation de données",
            LinkTarget::Processor => "Sous-traitant",
            LinkTarget::Action => "Action",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// A file as it was sent, checked: its kind by content, a safe name, its SHA-256.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub kind: FileKind,
    pub file_name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// Checks a file's size, then its content and hash on the blocking pool (a few at a time).
pub async fn check_file(
    file_name: &str,
    bytes: Vec<u8>,
    max_bytes: u64,
) -> Result<CheckedFile, DocumentError> {
    if bytes.len() as u64 > max_bytes {
        return Err(DocumentError::TooLarge { max: max_bytes });
    }
    let name = file_name.to_owned();
    crate::blocking::run(move || {
        let kind = formats::sniff::sniff(&bytes)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Ok(CheckedFile {
            file_name: safe_file_name(&name, kind),
            kind,
            sha256,
            bytes,
        })
    })
    .await
    .map_err(|e| DocumentError::Busy(e.to_string()))?
}

/// The name a file is kept and offered under: its last path component without control
/// characters, at most 150 characters, with an extension that matches its content (a PDF
/// sent as `x.docx` is offered as `x.pdf`).
pub fn safe_file_name(sent: &str, kind: FileKind) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let base: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let base = base.trim().trim_start_matches('.');
    let (stem, ext) = match base.rsplit_once('.') {
        Some((s, e)) => (s, e.to_ascii_lowercase()),
        None => (base, String::new()),
    };
    let stem: String = stem.trim().chars().take(150).collect();
    let stem = if stem.is_empty() {
        "document".to_owned()
    } else {
        stem
    };
    let ext = if kind.extensions().contains(&ext.as_str()) {
        ext
    } else {
        kind.extension().to_owned()
    };
    format!("{stem}.{ext}")
}

/// A title: trimmed, 1 to 300 characters.
pub(crate) fn check_title(title: &str) -> Result<String, DocumentError> {
    let t = title.trim();
    if t.is_empty() {
        return Err(bad("title", "Donnez un titre au document."));
    }
    if t.chars().count() > 300 {
        return Err(bad("title", "Le titre compte 300 caractères au plus."));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain_and_say_what_the_file_is() {
        assert_eq!(
            safe_file_name("C:\\Users\\x\\Contrat signé.PDF", FileKind::Pdf),
            "Contrat signé.pdf"
        );
        assert_eq!(
            safe_file_name("../../etc/passwd", FileKind::Pdf),
            "passwd.pdf"
        );
        assert_eq!(safe_file_name("scan.jpeg", FileKind::Jpeg), "scan.jpeg");
        assert_eq!(safe_file_name("rapport.docx", FileKind::Pdf), "rapport.pdf");
        assert_eq!(safe_file_name("", FileKind::Odt), "document.odt");
        assert_eq!(safe_file_name("a\"b\r\n.pdf", FileKind::Pdf), "ab.pdf");
    }

    #[test]
    fn kinds_and_targets_round_trip() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.code()), Some(k));
        }
        for t in LinkTarget::ALL {
            assert_eq!(LinkTarget::parse(t.code()), Some(t));
        }
        assert_eq!(DocumentKind::parse("exe"), None);
    }
}
