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
use crate::entities::backup_policy;
use crate::tenancy::AccessError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{DbErr, EntityTrait};
use uuid::Uuid;

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

impl crate::fault::Classify for BackupError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            BackupError::Access(e) => e.fault(),
            BackupError::BadInput { field, message } => Fault::bad(field, message),
            BackupError::Conflict(m) => Fault::conflict(m),
            BackupError::NotConfigured(m) => Fault::NotConfigured(m.clone()),
            _ => Fault::Internal,
        }
    }
}

crate::fault::bad_input_variant!(BackupError);

pub(crate) use crate::fault::bad;

/// A month asked for by a person: bad input on the `period` field.
impl From<crate::calendar::BadPeriod> for BackupError {
    fn from(e: crate::calendar::BadPeriod) -> Self {
        bad("period", e.to_string())
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

/// The ids of each policy's latest row of `E` before `before` (one per policy that has one;
/// among rows stamped at the same instant, whichever comes first), optionally only rows whose
/// `status` is in a list: `SELECT (SELECT id FROM E WHERE policy_id = p.id AND at < before
/// ORDER BY at DESC LIMIT 1) FROM backup_policy p WHERE p.id IN (policies)`. Used as
/// `E.id IN (this)`, it reads the latest row of every policy in one statement, each by one
/// probe of the `(policy_id, at)` index, on PostgreSQL and SQLite alike (no DISTINCT ON),
/// instead of one query per policy. The caller's query carries the scope (and RLS applies to
/// the subqueries too); the subquery only picks ids among the given policies' own rows.
pub(crate) fn latest_ids_before<E: EntityTrait>(
    columns: LatestColumns<E::Column>,
    before: DateTime<Utc>,
    status: Option<(E::Column, &[&str])>,
    policies: Vec<Uuid>,
) -> SelectStatement {
    let row = Alias::new("latest_row");
    let mut latest = Query::select();
    latest
        .column((row.clone(), columns.id))
        .from_as(E::default(), row.clone())
        .and_where(
            Expr::col((row.clone(), columns.policy))
                .equals((backup_policy::Entity, backup_policy::Column::Id)),
        )
        .and_where(Expr::col((row.clone(), columns.at)).lt(before));
    if let Some((col, values)) = status {
        latest.and_where(Expr::col((row.clone(), col)).is_in(values.iter().copied()));
    }
    latest.order_by((row, columns.at), Order::Desc).limit(1);
    Query::select()
        .expr(SimpleExpr::SubQuery(
            None,
            Box::new(latest.to_owned().into_sub_query_statement()),
        ))
        .from(backup_policy::Entity)
        .and_where(Expr::col((backup_policy::Entity, backup_policy::Column::Id)).is_in(policies))
        .to_owned()
}

/// The columns `latest_ids_before` reads: the row's id, its policy and its instant.
pub(crate) struct LatestColumns<C> {
    pub id: C,
    pub policy: C,
    pub at: C,
}
