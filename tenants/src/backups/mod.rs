//! Shared backups: policies per tenant, job reports (a signed webhook any tool can call, and a
//! collector reading real restic repositories), storage metering in GB-month, RPO compliance,
//! and restore tests as continuity-plan evidence.
pub mod collector;
pub mod compliance;
pub mod demo;
pub mod ingest;
pub mod metering;
pub mod policies;
pub mod reports;
pub mod restic;
pub mod restore_tests;

use crate::audit::AuditError;
use crate::tenancy::AccessError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{field}: {message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotConfigured(String),
    #[error(transparent)]
    Restic(#[from] restic::ResticError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Jobs(#[from] crate::jobs::JobError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub(crate) fn bad(field: &'static str, message: impl Into<String>) -> BackupError {
    BackupError::BadInput {
        field,
        message: message.into(),
    }
}

pub const KINDS: &[&str] = &["server", "application", "share"];
pub const JOB_STATUSES: &[&str] = &["success", "warning", "failed"];
pub const RESTORE_RESULTS: &[&str] = &["success", "partial", "failed"];

/// Job statuses that leave a usable restore point.
pub const GOOD_STATUSES: &[&str] = &["success", "warning"];

pub(crate) fn one_of(
    field: &'static str,
    value: &str,
    allowed: &[&'static str],
) -> Result<&'static str, BackupError> {
    allowed
        .iter()
        .find(|a| **a == value.trim())
        .copied()
        .ok_or_else(|| {
            bad(
                field,
                format!(
                    "Valeur inconnue « {value} » ; valeurs possibles : {}.",
                    allowed.join(", ")
                ),
            )
        })
}

/// A required, trimmed text of at most `max` characters.
pub(crate) fn text(field: &'static str, value: &str, max: usize) -> Result<String, BackupError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(bad(field, "Ce champ est obligatoire."));
    }
    if v.chars().count() > max {
        return Err(bad(field, format!("{max} caractères au plus.")));
    }
    Ok(v.to_owned())
}
