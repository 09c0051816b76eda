//! A backup policy's figures read the slow way, one policy at a time, as the code did before
//! issue 23 batched them: what `backups_batched` and `nplus1_bench` compare the batched reads
//! with.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tenants::backups::{compliance, GOOD_STATUSES};
use tenants::entities::{backup_job, backup_policy, backup_restore_test, backup_storage_sample};
use uuid::Uuid;

/// One policy's samples as its own two reads had them: the last before, then those inside.
pub async fn samples_of(
    db: &DatabaseConnection,
    policy: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, i64)> {
    use backup_storage_sample::Column as C;
    let before = backup_storage_sample::Entity::find()
        .filter(C::PolicyId.eq(policy))
        .filter(C::MeasuredAt.lt(start))
        .order_by_desc(C::MeasuredAt)
        .one(db)
        .await
        .expect("before");
    let inside = backup_storage_sample::Entity::find()
        .filter(C::PolicyId.eq(policy))
        .filter(C::MeasuredAt.gte(start))
        .filter(C::MeasuredAt.lt(end))
        .order_by_asc(C::MeasuredAt)
        .order_by_asc(C::Id)
        .all(db)
        .await
        .expect("inside");
    before
        .into_iter()
        .chain(inside)
        .map(|s| (s.measured_at, s.stored_bytes))
        .collect()
}

/// One policy's status from its own reads: the window's jobs; when the window has no good
/// one, the last good one before it; then, when it has no job at all (the one just found
/// included), the last one before it; its restore tests.
pub async fn status_of(
    db: &DatabaseConnection,
    p: backup_policy::Model,
    now: DateTime<Utc>,
    window: i64,
) -> compliance::PolicyStatus {
    use backup_job::Column as C;
    let since = now - Duration::days(window);
    let mut jobs: Vec<(DateTime<Utc>, String)> = backup_job::Entity::find()
        .filter(C::PolicyId.eq(p.id))
        .filter(C::FinishedAt.gte(since))
        .select_only()
        .column(C::FinishedAt)
        .column(C::Status)
        .into_tuple()
        .all(db)
        .await
        .expect("jobs");
    for good_only in [true, false] {
        if jobs
            .iter()
            .any(|(_, s)| !good_only || GOOD_STATUSES.contains(&s.as_str()))
        {
            continue;
        }
        let mut q = backup_job::Entity::find()
            .filter(C::PolicyId.eq(p.id))
            .filter(C::FinishedAt.lt(since));
        if good_only {
            q = q.filter(C::Status.is_in(GOOD_STATUSES.iter().copied()));
        }
        if let Some(j) = q.order_by_desc(C::FinishedAt).one(db).await.expect("job") {
            jobs.push((j.finished_at, j.status));
        }
    }
    let tests: Vec<(DateTime<Utc>, String)> = backup_restore_test::Entity::find()
        .filter(backup_restore_test::Column::PolicyId.eq(p.id))
        .select_only()
        .column(backup_restore_test::Column::PerformedAt)
        .column(backup_restore_test::Column::Result)
        .into_tuple()
        .all(db)
        .await
        .expect("tests");
    compliance::policy_status(p, &jobs, &tests, now, window)
}
