//! The background worker. Runs in-process in the embedded mode (`serve`), or alone
//! (`mutualis worker`) next to API replicas. It keeps the session tables clean and collects
//! backup reports from restic repositories; billing, reports and scans join as their modules
//! land.
use chrono::Utc;
use sea_orm::DatabaseConnection;
use std::time::{Duration, Instant};
use tenants::backups::collector::{self, CollectReport, ResticSettings};
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Backups(#[from] tenants::backups::BackupError),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub expired_sessions_removed: u64,
}

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Period of the housekeeping tick.
    pub every: Duration,
    /// Period of the restic collector.
    pub collect_every: Duration,
    pub restic: ResticSettings,
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
    let r = collector::collect(db, restic, Utc::now()).await?;
    for f in &r.failures {
        tracing::warn!(failure = %f, "restic repository not collected");
    }
    Ok(r)
}

/// Runs `tick` every `every` (and the collector every `collect_every`) until `shutdown` turns
/// true. Errors are logged and retried at the next pass: a database restart must not kill the
/// worker.
pub async fn run(db: DatabaseConnection, s: WorkerSettings, mut shutdown: watch::Receiver<bool>) {
    tracing::info!(every_secs = s.every.as_secs(), "worker started");
    let mut last_collect: Option<Instant> = None;
    loop {
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
        if last_collect.is_none_or(|t| t.elapsed() >= s.collect_every) {
            last_collect = Some(Instant::now());
            match collect_backups(&db, &s.restic).await {
                Ok(r) if r.repositories > 0 => tracing::info!(
                    repositories = r.repositories,
                    snapshots = r.snapshots_seen,
                    jobs = r.jobs_recorded,
                    "restic repositories collected"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "backup collection failed; retrying later"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(s.every) => {}
            _ = shutdown.changed() => break,
        }
    }
    tracing::info!("worker stopped");
}
