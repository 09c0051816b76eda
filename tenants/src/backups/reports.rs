//! Job reports and storage samples, whichever way they came in. Recording is idempotent: a job
//! is keyed by (tenant, source, external id), so a replayed report or a snapshot read twice
//! adds nothing.
use super::{bad, one_of, BackupError, GOOD_STATUSES, JOB_STATUSES};
use crate::entities::{backup_job, backup_policy, backup_storage_sample};
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::Scope;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, TryInsertResult,
};
use uuid::Uuid;

/// A job report in the terms of this service.
#[derive(Debug, Clone, PartialEq)]
pub struct JobReport {
    pub external_id: String,
    pub status: &'static str,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: DateTime<Utc>,
    pub duration_ms: Option<i64>,
    pub bytes_processed: Option<i64>,
    pub bytes_added: Option<i64>,
    pub files: Option<i64>,
    pub snapshot_id: Option<String>,
    pub message: Option<String>,
    /// Bytes the policy occupies in its repository after this run, when the tool knows it.
    pub stored_bytes: Option<i64>,
}

/// Checks that hold for every source: ids, times not in the future, sizes not negative.
pub fn check(r: &JobReport, now: DateTime<Utc>) -> Result<(), BackupError> {
    if r.external_id.is_empty()
        || r.external_id.len() > 200
        || r.external_id.chars().any(char::is_control)
    {
        return Err(bad(
            "id",
            "L'identifiant compte de 1 à 200 caractères imprimables.",
        ));
    }
    one_of("status", r.status, JOB_STATUSES)?;
    // Clocks drift: five minutes of slack, no more.
    let limit = now + Duration::minutes(5);
    if r.finished_at > limit {
        return Err(bad("finished_at", "La fin ne peut pas être dans le futur."));
    }
    if let Some(s) = r.started_at {
        if s > r.finished_at {
            return Err(bad(
                "started_at",
                "Le début est postérieur à la fin (finished_at).",
            ));
        }
    }
    for (field, v) in [
        ("duration_ms", r.duration_ms),
        ("bytes_processed", r.bytes_processed),
        ("bytes_added", r.bytes_added),
        ("files", r.files),
        ("stored_bytes", r.stored_bytes),
    ] {
        if v.is_some_and(|v| v < 0) {
            return Err(bad(field, "La valeur ne peut pas être négative."));
        }
    }
    if r.message.as_ref().is_some_and(|m| m.chars().count() > 2000) {
        return Err(bad(
            "message",
            "Le message compte 2 000 caractères au plus.",
        ));
    }
    if r.snapshot_id
        .as_ref()
        .is_some_and(|s| s.is_empty() || s.len() > 100)
    {
        return Err(bad(
            "snapshot_id",
            "L'identifiant d'instantané compte de 1 à 100 caractères.",
        ));
    }
    Ok(())
}

/// Records the job (and its storage sample); `None` when this report was already recorded.
pub(crate) async fn record<C: ConnectionTrait>(
    c: &C,
    policy: &backup_policy::Model,
    source: &'static str,
    r: JobReport,
    now: DateTime<Utc>,
) -> Result<Option<backup_job::Model>, BackupError> {
    let job = backup_job::Model {
        id: Uuid::now_v7(),
        organisation_id: policy.organisation_id,
        tenant_id: policy.tenant_id,
        policy_id: policy.id,
        source: source.to_owned(),
        external_id: r.external_id,
        status: r.status.to_owned(),
        started_at: r.started_at,
        finished_at: r.finished_at,
        duration_ms: r.duration_ms,
        bytes_processed: r.bytes_processed,
        bytes_added: r.bytes_added,
        files: r.files,
        snapshot_id: r.snapshot_id,
        message: r.message,
        received_at: now,
    };
    let inserted = backup_job::Entity::insert(backup_job::ActiveModel::from(job.clone()))
        .on_conflict(
            OnConflict::columns([
                backup_job::Column::TenantId,
                backup_job::Column::Source,
                backup_job::Column::ExternalId,
                backup_job::Column::OrganisationId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .do_nothing()
        .exec(c)
        .await?;
    if matches!(inserted, TryInsertResult::Conflicted) {
        return Ok(None);
    }
    if let Some(bytes) = r.stored_bytes {
        sample(c, policy, source, job.finished_at, bytes).await?;
    }
    Ok(Some(job))
}

pub(crate) async fn sample<C: ConnectionTrait>(
    c: &C,
    policy: &backup_policy::Model,
    source: &'static str,
    at: DateTime<Utc>,
    stored_bytes: i64,
) -> Result<(), BackupError> {
    backup_storage_sample::Entity::insert(backup_storage_sample::ActiveModel::from(
        backup_storage_sample::Model {
            id: Uuid::now_v7(),
            organisation_id: policy.organisation_id,
            tenant_id: policy.tenant_id,
            policy_id: policy.id,
            measured_at: at,
            stored_bytes,
            source: source.to_owned(),
        },
    ))
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// Latest jobs of one policy, newest first.
pub async fn jobs(
    db: &DatabaseConnection,
    scope: &Scope,
    policy_id: Uuid,
    page: PageReq,
) -> Result<Paged<backup_job::Model>, BackupError> {
    let txn = scope.begin(db).await?;
    let p = scope
        .get::<backup_policy::Entity, _>(&txn, policy_id)
        .await??;
    let q = scope
        .find::<backup_job::Entity>()
        .filter(backup_job::Column::PolicyId.eq(p.id))
        .order_by_desc(backup_job::Column::FinishedAt)
        .order_by_desc(backup_job::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}

/// Storage samples of one policy, newest first.
pub async fn samples(
    db: &DatabaseConnection,
    scope: &Scope,
    policy_id: Uuid,
    page: PageReq,
) -> Result<Paged<backup_storage_sample::Model>, BackupError> {
    let txn = scope.begin(db).await?;
    let p = scope
        .get::<backup_policy::Entity, _>(&txn, policy_id)
        .await??;
    let q = scope
        .find::<backup_storage_sample::Entity>()
        .filter(backup_storage_sample::Column::PolicyId.eq(p.id))
        .order_by_desc(backup_storage_sample::Column::MeasuredAt)
        .order_by_desc(backup_storage_sample::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}

pub fn is_good(status: &str) -> bool {
    GOOD_STATUSES.contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> JobReport {
        JobReport {
            external_id: "run-1".into(),
            status: "success",
            started_at: None,
            finished_at: Utc::now(),
            duration_ms: Some(1000),
            bytes_processed: Some(10),
            bytes_added: Some(1),
            files: Some(3),
            snapshot_id: None,
            message: None,
            stored_bytes: Some(100),
        }
    }

    #[test]
    fn backups_report_checks() {
        let now = Utc::now();
        assert!(check(&report(), now).is_ok());
        let field = |r: JobReport| match check(&r, now) {
            Err(BackupError::BadInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(JobReport {
                finished_at: now + Duration::hours(1),
                ..report()
            }),
            "finished_at"
        );
        assert_eq!(
            field(JobReport {
                started_at: Some(now + Duration::minutes(1)),
                finished_at: now,
                ..report()
            }),
            "started_at"
        );
        assert_eq!(
            field(JobReport {
                bytes_added: Some(-1),
                ..report()
            }),
            "bytes_added"
        );
        assert_eq!(
            field(JobReport {
                external_id: String::new(),
                ..report()
            }),
            "id"
        );
        assert_eq!(
            field(JobReport {
                external_id: "a\nb".into(),
                ..report()
            }),
            "id"
        );
    }
}
