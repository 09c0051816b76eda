//! Public procurement (commande publique): contracts with their contractors, amendments and
//! joint-procurement shares, suppliers shared by an organisation, CPV codes, the dated
//! thresholds of the Code de la commande publique, and anti-splitting alerts.
pub mod contracts;
pub mod cpv;
pub mod decp;
pub mod demo;
pub mod edit;
pub mod import;
pub mod splitting;
pub mod suppliers;
pub mod thresholds;
pub mod vocab;

use crate::audit::AuditError;
use crate::tenancy::AccessError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ProcurementError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for ProcurementError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            ProcurementError::Access(e) => e.fault(),
            ProcurementError::BadInput { field, message } => Fault::bad(field, message),
            ProcurementError::Conflict(m) => Fault::conflict(m),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(ProcurementError);

pub(crate) use crate::fault::bad;
