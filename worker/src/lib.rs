//! The background worker. Runs in-process in the embedded mode (`serve`), or alone
//! (`mutualis worker`) next to API replicas. It runs the job table's jobs, one file per kind
//! in `jobs/` (Stripe invoice pushes, consolidated report snapshots, alert e-mails and
//! digests, GDPR bilans, reversibility archives), leased with `FOR UPDATE SKIP LOCKED` so that
//! several workers never run one twice, and on its own clock the restic collector, the alert
//! scan, the report schedule and the cleaning of expired sessions.
mod jobs;
pub mod mailer;
pub mod redis_conn;
pub mod stripe_gateway;
pub mod trace;
mod vitals;

pub use jobs::send_digests;
pub use vitals::{last_heartbeat, publish_job_stats};

use chrono::Utc;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenants::backups::collector::{self, CollectReport, ResticSettings};
use tenants::billing::PUSH_INVOICE;
use tokio::sync::watch;
use tracing::Instrument;

/// The Redis list a job's creator pushes to, so an idle worker wakes at once instead of at
/// its next poll; under the deployment's key prefix (`MUTUALIS_REDIS_PREFIX`), so two
/// deployments sharing a Redis never wake each other's workers. The job table stays the only
/// source of truth.
pub fn wake_list(prefix: &str) -> String {
    format!("{prefix}:jobs:wake")
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Backups(#[from] tenants::backups::BackupError),
    #[error(transparent)]
    Jobs(#[from] tenants::jobs::JobError),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub expired_sessions_removed: u64,
}

#[derive(Clone)]
pub struct WorkerSettings {
    /// Period of the housekeeping tick.
    pub every: Duration,
    /// Period of the restic collector.
    pub collect_every: Duration,
    /// Period of the consolidated reports' scheduled recomputation.
    pub report_every: Duration,
    /// Period of the alert scans.
    pub alert_every: Duration,
    pub restic: ResticSettings,
    pub jobs: JobSettings,
    /// Longest wait between two looks at the job table.
    pub poll: Duration,
    pub redis_url: Option<String>,
    /// The deployment's Redis key prefix (`MUTUALIS_REDIS_PREFIX`, default `mutualis`).
    pub redis_prefix: String,
}

#[derive(Clone)]
pub struct JobSettings {
    /// Who claims: kept on the job while it runs.
    pub worker_id: String,
    pub stripe: Option<Arc<stripe_gateway::AsyncStripe>>,
    /// Finalise and send invoices for bank transfer (off against localstripe, which lacks it).
    pub send_invoices: bool,
    /// How long a claimed job stays this worker's before another may take it over.
    pub lease: chrono::Duration,
    /// Alert emails (none: alerts are only shown in the console and GraphQL).
    pub mailer: Option<Arc<mailer::Mailer>>,
    /// The uploaded files' store, read for the reversibility archives (none: an export whose
    /// rows name stored files fails, saying so, rather than leave them out).
    pub storage: Option<tenants::storage::Storage>,
}

/// Claims and runs ready jobs until none is left; returns how many ran (done or failed).
pub async fn run_jobs(db: &DatabaseConnection, s: &JobSettings) -> Result<usize, WorkerError> {
    let mut ran = 0;
    // Without Stripe, invoice pushes are left pending (not failed into dead jobs): a worker
    // with Stripe takes them, or this one once its key is configured.
    let skip: &[&str] = if s.stripe.is_none() {
        &[PUSH_INVOICE]
    } else {
        &[]
    };
    loop {
        let claimed =
            tenants::jobs::claim_except(db, &s.worker_id, 10, Utc::now(), s.lease, skip).await?;
        if claimed.is_empty() {
            return Ok(ran);
        }
        for j in claimed {
            if !tenants::jobs::renew(db, &j, &s.worker_id, Utc::now(), s.lease).await? {
                tracing::warn!(job = %j.id, "lease lost before the job ran: another worker has it");
                continue;
            }
            let span = tracing::info_span!("job", id = %j.id, kind = %j.kind, tenant = %j.tenant_id, attempt = j.attempts, trace_id = tracing::field::Empty);
            trace::record_trace_id(&span);
            async {
                let started = Instant::now();
                let outcome = jobs::run_job(db, s, &j).await;
                vitals::job_ran(&j.kind, outcome.is_ok(), started.elapsed());
                match outcome {
                    Ok(()) => {
                        tracing::info!(
                            elapsed_ms = started.elapsed().as_millis() as u64,
                            "job done"
                        );
                        tenants::jobs::complete(db, &j, &s.worker_id).await
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "job failed");
                        tenants::jobs::fail(db, &j, &e, Utc::now()).await
                    }
                }
            }
            .instrument(span)
            .await?;
            ran += 1;
        }
    }
}

/// Waits up to `poll` for a wake-up on Redis (or just sleeps without it).
async fn wait_for_work(redis: &mut Option<redis_conn::RedisConn>, wake_list: &str, poll: Duration) {
    if let Some(conn) = redis {
        let secs = poll.as_secs_f64().max(1.0);
        let r: redis::RedisResult<Option<(String, String)>> = redis::cmd("BRPOP")
            .arg(wake_list)
            .arg(secs)
            .query_async(conn)
            .await;
        if r.is_ok() {
            return;
        }
        // Redis gone: poll the table until it comes back.
        *redis = None;
    }
    tokio::time::sleep(poll).await;
}

/// One pass of every periodic housekeeping task.
pub async fn tick(db: &DatabaseConnection) -> Result<TickReport, WorkerError> {
    let removed = tenants::access::purge_expired(db).await?;
    Ok(TickReport {
        expired_sessions_removed: removed,
    })
}

/// One pass of the restic collector over every repository named by an active policy.
pub async fn collect_backups(
    db: &DatabaseConnection,
    restic: &ResticSettings,
) -> Result<CollectReport, WorkerError> {
    let r = collector::collect(db, restic, Utc::now())
        .await
        .inspect_err(|_| vitals::collection(false, 0))?;
    for f in &r.failures {
        tracing::warn!(failure = %f, "restic repository not collected");
    }
    vitals::collection(true, r.failures.len());
    Ok(r)
}

/// Runs jobs as they come (waking on Redis when configured, else every `poll`), `tick` every
/// `every` and the collector every `collect_every`, until `shutdown` turns true. Errors are
/// logged and retried: a database or Redis restart must not kill the worker.
pub async fn run(db: DatabaseConnection, s: WorkerSettings, mut shutdown: watch::Receiver<bool>) {
    tracing::info!(every_secs = s.every.as_secs(), worker = %s.jobs.worker_id, "worker started");
    if s.jobs.stripe.is_none() {
        tracing::info!(
            "Stripe is not configured (STRIPE_SECRET_KEY): invoices wait, pending, for a worker that has it"
        );
    }
    let mut last_tick: Option<Instant> = None;
    let mut last_collect: Option<Instant> = None;
    let mut last_report: Option<Instant> = None;
    let mut last_scan: Option<Instant> = None;
    let mut redis = None;
    let wake_list = wake_list(&s.redis_prefix);
    loop {
        vitals::beat();
        if redis.is_none() {
            if let Some(url) = &s.redis_url {
                // Longer than the blocking wait, so BRPOP never times out on the client side.
                redis = redis_conn::RedisConn::connect(url, s.poll + Duration::from_secs(5))
                    .await
                    .ok();
            }
        }
        if last_report.is_none_or(|t| t.elapsed() >= s.report_every) {
            last_report = Some(Instant::now());
            match tenants::reporting::snapshot::schedule(&db, Utc::now()).await {
                Ok(n) if n > 0 => {
                    tracing::info!(organisations = n, "consolidated reports scheduled")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "report scheduling failed; retrying later"),
            }
        }
        if last_scan.is_none_or(|t| t.elapsed() >= s.alert_every) {
            last_scan = Some(Instant::now());
            match tenants::alerts::scan::run(&db, Utc::now()).await {
                Ok(n) => {
                    vitals::scanned();
                    if n > 0 {
                        tracing::info!(new = n, "alerts recorded");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "alert scan failed; retrying later"),
            }
            if let Err(e) = tenants::alerts::scan::schedule_digest(&db, Utc::now()).await {
                tracing::warn!(error = %e, "digest scheduling failed; retrying later");
            }
        }
        if let Err(e) = run_jobs(&db, &s.jobs).await {
            tracing::warn!(error = %e, "job pass failed; retrying");
        }
        if last_tick.is_none_or(|t| t.elapsed() >= s.every) {
            last_tick = Some(Instant::now());
            match tick(&db).await {
                Ok(r) if r.expired_sessions_removed > 0 => {
                    tracing::info!(
                        removed = r.expired_sessions_removed,
                        "expired sessions purged"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "worker tick failed; retrying next tick"),
            }
        }
        if last_collect.is_none_or(|t| t.elapsed() >= s.collect_every) {
            last_collect = Some(Instant::now());
            match collect_backups(&db, &s.restic).await {
                Ok(r) if r.repositories > 0 || !r.skipped.is_empty() => tracing::info!(
                    repositories = r.repositories,
                    snapshots = r.snapshots_seen,
                    jobs = r.jobs_recorded,
                    skipped_without_password = r.skipped.len(),
                    "restic repositories collected"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "backup collection failed; retrying later"),
            }
        }
        tokio::select! {
            _ = wait_for_work(&mut redis, &wake_list, s.poll) => {}
            _ = shutdown.changed() => break,
        }
    }
    tracing::info!("worker stopped");
}
