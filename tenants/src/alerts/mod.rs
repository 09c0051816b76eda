//! Alerts: scheduled scans record one alert per cause (re-runs add nothing), each new alert
//! is queued for the people responsible, who get it by email at once or in a daily digest.
pub mod deliver;
pub mod scan;

use crate::tenancy::AccessError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
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

impl crate::fault::Classify for AlertError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            AlertError::Access(e) => e.fault(),
            AlertError::BadInput { field, message } => Fault::bad(field, message),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(AlertError);

/// Job: email one new alert to those who want it at once.
pub const EMAIL_JOB: &str = "alerts.email";
/// Job: the daily digest of one day.
pub const DIGEST_JOB: &str = "alerts.digest";

/// Job: email one new alert to those who want it at once.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailAlert {
    pub alert_id: uuid::Uuid,
}

impl crate::jobs::Job for EmailAlert {
    const KIND: &'static str = EMAIL_JOB;
    fn cause(&self) -> String {
        self.alert_id.to_string()
    }
}

/// Job: the daily digests of one day (Paris).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Digest {
    pub day: chrono::NaiveDate,
}

impl crate::jobs::Job for Digest {
    const KIND: &'static str = DIGEST_JOB;
    fn cause(&self) -> String {
        self.day.to_string()
    }
}
