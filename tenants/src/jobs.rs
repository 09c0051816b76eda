//! Durable jobs, crates.io style: the job table is the outbox and the queue. A job is inserted
//! in the same transaction as the change that causes it (so it exists exactly when the change
//! does), keyed by a dedup key (one job per cause). Workers claim ready rows with
//! `FOR UPDATE SKIP LOCKED` under a lease, so several workers never run one job at once; a
//! worker that dies leaves its lease to expire and the job is claimed again (at-least-once:
//! handlers are idempotent). Failures retry with exponential backoff, then the job is dead
//! (visible, retryable by hand). Redis, when configured, only wakes workers up early.
use crate::calendar::Period;
use crate::entities::job::{self, JobStatus};
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::scope::{set_pg_scope, PgScope};
use crate::tenancy::{AccessError, Scope};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend,
    DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement, TransactionTrait,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl crate::fault::Classify for JobError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            JobError::Access(e) => e.fault(),
            JobError::Conflict(m) => Fault::conflict(m),
            _ => Fault::Internal,
        }
    }
}

pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;
/// How long a claimed job is a worker's before another may take it.
pub const LEASE: Duration = Duration::seconds(300);

/// One kind of job: its name in the table, its payload (this type, stored as JSON) and what
/// makes two jobs the same cause. The module that causes a job defines its type; the worker
/// runs it (`worker/src/jobs/`, one file per kind), reading the payload back as this type.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    const KIND: &'static str;
    /// The dedup key without the kind: one job per cause.
    fn cause(&self) -> String;
}

/// Where a job belongs: the tenant whose change caused it.
#[derive(Debug, Clone, Copy)]
pub struct JobOwner {
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
}

/// Inserts the job in `txn` (the caller's transaction); `false` when its cause is queued.
pub async fn enqueue<J: Job>(
    txn: &DatabaseTransaction,
    owner: JobOwner,
    job: &J,
) -> Result<bool, JobError> {
    enqueue_at(txn, owner, job, Utc::now()).await
}

/// The same, not to run before `run_at` (to coalesce a burst of causes into one run).
pub async fn enqueue_at<J: Job>(
    txn: &DatabaseTransaction,
    owner: JobOwner,
    job: &J,
    run_at: DateTime<Utc>,
) -> Result<bool, JobError> {
    let payload = serde_json::to_value(job)
        .map_err(|e| JobError::Conflict(format!("payload of {}: {e}", J::KIND)))?;
    insert(
        txn,
        owner,
        J::KIND,
        payload,
        format!("{}:{}", J::KIND, job.cause()),
        run_at,
    )
    .await
}

async fn insert(
    txn: &DatabaseTransaction,
    owner: JobOwner,
    kind: &str,
    payload: Value,
    dedup_key: String,
    run_at: DateTime<Utc>,
) -> Result<bool, JobError> {
    let now = Utc::now();
    let r = job::Entity::insert(job::ActiveModel::from(job::Model {
        id: Uuid::now_v7(),
        organisation_id: owner.organisation_id,
        tenant_id: owner.tenant_id,
        kind: kind.into(),
        payload,
        dedup_key,
        status: JobStatus::Pending,
        attempts: 0,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
        run_at,
        locked_until: None,
        locked_by: None,
        last_error: None,
        created_at: now,
        finished_at: None,
    }))
    .on_conflict(
        OnConflict::columns([job::Column::DedupKey, job::Column::OrganisationId])
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(txn)
    .await?;
    Ok(matches!(r, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

async fn worker_txn(db: &DatabaseConnection) -> Result<DatabaseTransaction, JobError> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        set_pg_scope(
            &txn,
            PgScope {
                platform: true,
                ..PgScope::NONE
            },
        )
        .await?;
    }
    Ok(txn)
}

/// The job table as the worker's metrics show it: jobs per kind and status, and when the
/// longest-waiting ready job became due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobStats {
    pub counts: Vec<(String, String, i64)>,
    pub oldest_ready: Option<DateTime<Utc>>,
}

/// Reads [`JobStats`] across every organisation (the platform's view; no job content).
pub async fn stats(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<JobStats, JobError> {
    let txn = worker_txn(db).await?;
    let counts = job::Entity::find()
        .select_only()
        .column(job::Column::Kind)
        .column(job::Column::Status)
        .column_as(job::Column::Id.count(), "n")
        .group_by(job::Column::Kind)
        .group_by(job::Column::Status)
        .order_by_asc(job::Column::Kind)
        .order_by_asc(job::Column::Status)
        .into_tuple::<(String, String, i64)>()
        .all(&txn)
        .await?;
    let oldest_ready = job::Entity::find()
        .filter(job::Column::Status.eq(JobStatus::Pending))
        .filter(job::Column::RunAt.lte(now))
        .order_by_asc(job::Column::RunAt)
        .one(&txn)
        .await?
        .map(|j| j.run_at);
    txn.commit().await?;
    Ok(JobStats {
        counts,
        oldest_ready,
    })
}

/// Claims up to `n` ready jobs (pending and due, or running with an expired lease) for
/// `worker`, leased for `lease`.
pub async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    n: u64,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<job::Model>, JobError> {
    claim_except(db, worker, n, now, lease, &[]).await
}

/// The same, leaving alone the jobs of the `skip` kinds: those this worker cannot run (no
/// Stripe key for invoice pushes) wait, untouched, for a worker that can.
pub async fn claim_except(
    db: &DatabaseConnection,
    worker: &str,
    n: u64,
    now: DateTime<Utc>,
    lease: Duration,
    skip: &[&str],
) -> Result<Vec<job::Model>, JobError> {
    let txn = worker_txn(db).await?;
    let lease = now + lease;
    let claimed = if db.get_database_backend() == DatabaseBackend::Postgres {
        let ready =
            "((status = 'pending' AND run_at <= $1) OR (status = 'running' AND locked_until < $1))";
        let mut not_kinds = String::new();
        let mut kinds: Vec<sea_orm::Value> = vec![];
        for k in skip {
            kinds.push((*k).into());
            // $1 is `now`, $2 the limit: the kinds follow.
            not_kinds.push_str(&format!(" AND kind <> ${}", kinds.len() + 2));
        }
        // The organisations with ready jobs, the longest-waiting first. Row locks are then
        // taken one organisation at a time: on Citus, where `job` is distributed on
        // `organisation_id`, each claim is a single-shard query (Citus refuses FOR UPDATE in a
        // query over several shards), and on one PostgreSQL it is the same claim, narrower.
        let mut values: Vec<sea_orm::Value> = vec![now.into(), (n as i64).into()];
        values.extend(kinds.iter().cloned());
        let organisations: Vec<Uuid> = txn
            .query_all(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                format!(
                    "SELECT organisation_id FROM job WHERE {ready}{not_kinds}
                     GROUP BY organisation_id ORDER BY min(run_at), organisation_id LIMIT $2"
                ),
                values,
            ))
            .await?
            .iter()
            .filter_map(|r| r.try_get::<Uuid>("", "organisation_id").ok())
            .collect();
        let mut ids: Vec<Uuid> = vec![];
        for organisation in organisations {
            let left = n.saturating_sub(ids.len() as u64);
            if left == 0 {
                break;
            }
            let mut values: Vec<sea_orm::Value> = vec![now.into(), (left as i64).into()];
            values.extend(kinds.iter().cloned());
            let o = values.len() + 1;
            values.extend([organisation.into(), lease.into(), worker.into()]);
            let rows = txn
                .query_all(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    // The locked rows are picked once, in a materialized CTE: as an `IN`
                    // subquery, PostgreSQL may evaluate it again while updating (a concurrent
                    // claim makes it re-check rows), and one claim then took more than its limit
                    // (two_workers_never_run_the_same_job: 2 jobs for a limit of 1).
                    format!(
                        "WITH picked AS MATERIALIZED (SELECT id FROM job
                           WHERE organisation_id = ${o} AND {ready}{not_kinds}
                           ORDER BY run_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                         UPDATE job SET status = 'running', attempts = attempts + 1, locked_until = ${l}, locked_by = ${w}
                         FROM picked WHERE job.organisation_id = ${o} AND job.id = picked.id
                         RETURNING job.id",
                        l = o + 1,
                        w = o + 2,
                    ),
                    values,
                ))
                .await?;
            ids.extend(rows.iter().filter_map(|r| r.try_get::<Uuid>("", "id").ok()));
        }
        job::Entity::find()
            .filter(job::Column::Id.is_in(ids))
            .order_by_asc(job::Column::RunAt)
            .all(&txn)
            .await?
    } else {
        // SQLite (embedded, one process): writers are serialised by the database itself.
        let ready = job::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(
                        sea_orm::Condition::all()
                            .add(job::Column::Status.eq(JobStatus::Pending))
                            .add(job::Column::RunAt.lte(now)),
                    )
                    .add(
                        sea_orm::Condition::all()
                            .add(job::Column::Status.eq(JobStatus::Running))
                            .add(job::Column::LockedUntil.lt(now)),
                    ),
            )
            .filter(job::Column::Kind.is_not_in(skip.iter().copied()))
            .order_by_asc(job::Column::RunAt)
            .limit(n)
            .all(&txn)
            .await?;
        let mut out = vec![];
        for j in ready {
            let attempts = j.attempts + 1;
            let mut a = j.into_active_model();
            a.status = Set(JobStatus::Running);
            a.attempts = Set(attempts);
            a.locked_until = Set(Some(lease));
            a.locked_by = Set(Some(worker.to_owned()));
            out.push(a.update(&txn).await?);
        }
        out
    };
    txn.commit().await?;
    Ok(claimed)
}

/// One job, by its distribution column too: on Citus the update goes to the job's one shard
/// instead of asking every shard for the id.
fn one_job(j: &job::Model) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(job::Column::OrganisationId.eq(j.organisation_id))
        .add(job::Column::Id.eq(j.id))
}

/// Extends `worker`'s lease on a claimed job just before it runs: a worker claims several jobs
/// at once, and the lease taken at claim time may have run out while the earlier ones ran.
/// False when the job is no longer this worker's (another took it over): it must not run.
pub async fn renew(
    db: &DatabaseConnection,
    j: &job::Model,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<bool, JobError> {
    let txn = worker_txn(db).await?;
    let r = job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Some(now + lease).into())
        .filter(one_job(j))
        .filter(job::Column::LockedBy.eq(worker))
        .filter(job::Column::Status.eq(JobStatus::Running))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(r.rows_affected == 1)
}

/// The job ran to its end.
pub async fn complete(
    db: &DatabaseConnection,
    j: &job::Model,
    worker: &str,
) -> Result<(), JobError> {
    let txn = worker_txn(db).await?;
    job::Entity::update_many()
        .col_expr(job::Column::Status, JobStatus::Done.as_str().into())
        .col_expr(job::Column::FinishedAt, Utc::now().into())
        .col_expr(
            job::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .filter(one_job(j))
        .filter(job::Column::LockedBy.eq(worker))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Delay before attempt `attempts + 1`: 5 s, 10 s, 20 s… up to an hour.
pub fn backoff(attempts: i32) -> Duration {
    let secs = 5i64.saturating_mul(1i64 << attempts.clamp(1, 20).saturating_sub(1));
    Duration::seconds(secs.min(3600))
}

/// The job failed: retried later, or dead after its last attempt.
pub async fn fail(
    db: &DatabaseConnection,
    j: &job::Model,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let txn = worker_txn(db).await?;
    let dead = j.attempts >= j.max_attempts;
    let error: String = error.chars().take(2000).collect();
    job::Entity::update_many()
        .col_expr(
            job::Column::Status,
            if dead {
                JobStatus::Dead
            } else {
                JobStatus::Pending
            }
            .as_str()
            .into(),
        )
        .col_expr(job::Column::LastError, Some(error).into())
        .col_expr(
            job::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(job::Column::RunAt, (now + backoff(j.attempts)).into())
        .col_expr(job::Column::FinishedAt, dead.then_some(now).into())
        .filter(one_job(j))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Jobs of the scope in a status (dead letters: `dead`), newest first.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    status: Option<JobStatus>,
    kind: Option<&str>,
    page: PageReq,
) -> Result<Paged<job::Model>, JobError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<job::Entity>();
    if let Some(s) = status {
        q = q.filter(job::Column::Status.eq(s));
    }
    if let Some(k) = kind {
        q = q.filter(job::Column::Kind.eq(k));
    }
    let q = q
        .order_by_desc(job::Column::CreatedAt)
        .order_by_desc(job::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}

/// The kind of the job that recomputes an organisation's consolidated report of a month.
pub const SNAPSHOT_JOB: &str = "reporting.snapshot";

/// Recompute an organisation's consolidated report of a month.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub organisation_id: Uuid,
    pub period: Period,
    /// A change-triggered job: done already when a computation begun after this covers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<DateTime<Utc>>,
    /// Why it runs, for its dedup key only (not stored in the payload).
    #[serde(skip)]
    pub trigger: SnapshotTrigger,
}

/// What asked for a snapshot: each cause coalesces its own way.
#[derive(Debug, Clone, Copy, Default)]
pub enum SnapshotTrigger {
    /// Changes of one tenant within one minute (`at.timestamp() / 60`).
    Change { tenant_id: Uuid, minute: i64 },
    /// The hourly recomputation.
    Hourly { hour: i64 },
    /// Someone asked, at most once a minute.
    Asked { minute: i64 },
    /// Read back from the table (the cause is already in the stored key).
    #[default]
    Stored,
}

impl Job for Snapshot {
    const KIND: &'static str = SNAPSHOT_JOB;
    fn cause(&self) -> String {
        let (org, period) = (self.organisation_id, self.period);
        match self.trigger {
            SnapshotTrigger::Change { tenant_id, minute } => {
                format!("{org}:{tenant_id}:{period}:m{minute}")
            }
            SnapshotTrigger::Hourly { hour } => format!("{org}:{period}:h{hour}"),
            SnapshotTrigger::Asked { minute } => format!("{org}:{period}:{minute}"),
            // Never enqueued: a job read back keeps the key it was stored with.
            SnapshotTrigger::Stored => format!("{org}:{period}:stored"),
        }
    }
}

/// A change was recorded (by `audit::record`, in the change's own transaction): the
/// organisation's snapshot of the month is recomputed once the minute is over, so a burst of
/// changes costs one computation. One job per tenant and minute (keys never contend across
/// tenants); the worker skips the ones a computation begun after their minute already covers.
pub async fn enqueue_change(
    txn: &sea_orm::DatabaseTransaction,
    organisation_id: Uuid,
    tenant_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), JobError> {
    let period = crate::calendar::current_period(at);
    let minute = at.timestamp() / 60;
    // Every change of this tenant in this minute shares the job: a computation that started
    // after the minute's end has seen them all.
    let minute_end = DateTime::<Utc>::from_timestamp((minute + 1) * 60, 0).unwrap_or(at);
    let run_at = minute_end + chrono::Duration::seconds(5);
    enqueue_at(
        txn,
        JobOwner {
            organisation_id,
            tenant_id,
        },
        &Snapshot {
            organisation_id,
            period,
            after: Some(minute_end),
            trigger: SnapshotTrigger::Change { tenant_id, minute },
        },
        run_at,
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(4), Duration::seconds(40));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }
}
