//! Reversibility (issue 21): every piece of data Mutualis holds for a commune or a whole
//! organisation, as one archive of documented open formats (JSON per table, CSV for tabular
//! ones, a JSON Schema each, a README in French, the manifest of register bundles recorded in
//! the audit trail), produced by the worker with its progress; and its import into an
//! instance that does not hold those rows (`mutualis import-archive`).
//!
//! The stored files (evidence documents, library versions) go with their rows, under
//! `fichier_<storage key>` ([`files`]).
//!
//! The tables exported are listed once, in [`registry::tables`]: adding a table is one line.
pub mod archive;
pub mod columns;
pub mod files;
pub mod import;
mod readme;
pub mod registry;
pub mod requests;

pub use import::{import_archive, Conflict, ImportReport};
pub use registry::Target;
pub use requests::{ExportKind, JOB};

use crate::tenancy::AccessError;

#[derive(Debug, thiserror::Error)]
pub enum ReversibilityError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("Cet export n'est pas terminé : son archive n'est pas encore disponible.")]
    NotReady,
    #[error("archive refusée : {0}")]
    Archive(#[from] formats::ZipLimitError),
    #[error("archive refusée : {0}")]
    Manifest(#[from] formats::VerifyError),
    #[error("archive refusée : {0}")]
    Invalid(String),
    #[error("archive refusée : {count} élément(s) déjà présent(s) dans cette instance, rien n'a été importé")]
    Conflicts { count: usize, listed: Vec<Conflict> },
    #[error("l'archive n'a pas pu être écrite : {0}")]
    Bundle(#[from] formats::BundleError),
    #[error("l'archive n'a pas pu être écrite : {0}")]
    Io(String),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Job(#[from] crate::jobs::JobError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl crate::fault::Classify for ReversibilityError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            ReversibilityError::Access(e) => e.fault(),
            ReversibilityError::NotReady => Fault::conflict(&self.to_string()),
            _ => Fault::Internal,
        }
    }
}
