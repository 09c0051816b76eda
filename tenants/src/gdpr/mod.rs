//! GDPR for a shared DPO: registers (Art. 30), DPIA screening, processors, model activities,
//! action plans, rights requests and breaches with their legal clocks, public register pages.
pub mod activity;
pub mod actors;
pub mod bilan;
pub mod breaches;
pub mod bulk;
pub mod calendar;
pub mod demo;
pub mod documents;
pub mod dpia;
pub mod export;
pub mod lists;
pub mod madis;
pub mod models;
pub mod preferences;
pub mod processors;
pub mod register;
pub mod requests;
pub mod sheets;
pub mod status_change;
pub mod vocab;

use crate::audit::AuditError;
use crate::tenancy::AccessError;
use sea_orm::DbErr;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum GdprError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    /// The commune's register already holds a copy of this model (its id, to open it).
    #[error("{message}")]
    AlreadyInstantiated { message: String, existing_id: Uuid },
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for GdprError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            GdprError::Access(e) => e.fault(),
            GdprError::BadInput { field, message } => Fault::bad(field, message),
            GdprError::Conflict(m) => Fault::conflict(m),
            GdprError::AlreadyInstantiated {
                message,
                existing_id,
            } => Fault::Conflict {
                message: message.clone(),
                existing: Some(*existing_id),
            },
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(GdprError);
