//! The background worker. Runs in-process in the embedded mode (`serve`), or alone
//! (`mutualis worker`) next to API replicas. Today it keeps the session tables clean; billing,
//! reports and scans join as their modules land.
use sea_orm::DatabaseConnection;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub expired_sessions_removed: u64,
}

/// One pass of every periodic task.
pub async fn tick(db: &DatabaseConnection) -> Result<TickReport, WorkerError> {
    let removed = tenants::access::purge_expired(db).await?;
    Ok(TickReport {
        expired_sessions_removed: removed,
    })
}

/// Runs `tick` every `every` until `shutdown` turns true. Errors are logged and retried at the
/// next tick: a database restart must not kill the worker.
pub async fn run(db: DatabaseConnection, every: Duration, mut shutdown: watch::Receiver<bool>) {
    tracing::info!(every_secs = every.as_secs(), "worker started");
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
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => break,
        }
    }
    tracing::info!("worker stopped");
}
