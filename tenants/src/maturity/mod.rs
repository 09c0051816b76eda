//! Maturity: the DPO defines questionnaires for the organisation (weighted questions grouped by
//! theme, each answer option worth a share of its question's weight); communes are assessed
//! against them, and each assessment keeps its score so a commune's progress can be followed and
//! communes compared. Scores are percentages (basis points), so assessments against successive
//! versions of a questionnaire stay comparable; themes are compared by name.
pub mod assessment;
pub mod demo;
pub mod questionnaire;

use crate::tenancy::AccessError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum MaturityError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("stored maturity data unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for MaturityError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            MaturityError::Access(e) => e.fault(),
            MaturityError::BadInput { field, message } => Fault::bad(field, message),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(MaturityError);

pub(crate) use crate::fault::bad;
