//! Consolidated reporting: per organisation and month, a snapshot of every commune (GDPR
//! register coverage, rights requests and breaches against their clocks, contracts to renew,
//! splitting alerts, backup state and storage, costs allocated, invoiced, paid) and the total,
//! computed by the worker (on a schedule and on request, through the job queue) and read as
//! stored.
pub mod documents;
pub mod snapshot;
pub mod summary;

use crate::tenancy::AccessError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Source(String),
    #[error(transparent)]
    Jobs(#[from] crate::jobs::JobError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for ReportError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            ReportError::Access(e) => e.fault(),
            ReportError::BadInput { field, message } => Fault::bad(field, message),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(ReportError);

/// The job that recomputes a snapshot (defined with the queue, which `audit` feeds).
pub use crate::jobs::SNAPSHOT_JOB;
