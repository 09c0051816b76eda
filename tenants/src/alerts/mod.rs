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

/// Job: email one new alert to those who want it at once.
pub const EMAIL_JOB: &str = "alerts.email";
/// Job: the daily digest of one day.
pub const DIGEST_JOB: &str = "alerts.digest";
