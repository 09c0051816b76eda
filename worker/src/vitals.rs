//! What the worker tells its operator, on the ops port (`MUTUALIS_OPS_LISTEN_ADDR`): a
//! heartbeat (its loop came round, or a job finished), counters of jobs by kind and outcome,
//! their durations, e-mails, backup collections, the last alert scan; and, read from the job
//! table at each scrape, jobs per kind and status and the age of the oldest ready job.
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Unix seconds of the last sign of life; 0 before the first.
static LAST_BEAT: AtomicI64 = AtomicI64::new(0);

pub(crate) fn beat() {
    let now = Utc::now().timestamp();
    LAST_BEAT.store(now, Ordering::Relaxed);
    metrics::gauge!("mutualis_worker_heartbeat_timestamp_seconds").set(now as f64);
}

/// When the worker last showed it was alive (None: its loop has not started).
pub fn last_heartbeat() -> Option<DateTime<Utc>> {
    match LAST_BEAT.load(Ordering::Relaxed) {
        0 => None,
        t => DateTime::from_timestamp(t, 0),
    }
}

pub(crate) fn job_ran(kind: &str, ok: bool, took: Duration) {
    let outcome = if ok { "done" } else { "failed" };
    metrics::counter!("mutualis_worker_jobs_total", "kind" => kind.to_owned(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("mutualis_worker_job_duration_seconds", "kind" => kind.to_owned())
        .record(took.as_secs_f64());
    beat();
}

/// A pass of the restic collector: whether it ran, and how many repositories failed in it.
pub(crate) fn collection(ran: bool, failed_repositories: usize) {
    let outcome = if ran { "done" } else { "failed" };
    metrics::counter!("mutualis_worker_backup_collections_total", "outcome" => outcome)
        .increment(1);
    metrics::counter!("mutualis_worker_backup_repository_failures_total")
        .increment(failed_repositories as u64);
}

pub(crate) fn scanned() {
    metrics::gauge!("mutualis_worker_last_alert_scan_timestamp_seconds")
        .set(Utc::now().timestamp() as f64);
}

/// Sets the gauges read from the job table (called at each scrape of the ops port). Every
/// known (kind, status) pair is written, zero included, so a series that empties goes to 0
/// instead of keeping its last value.
pub async fn publish_job_stats(db: &DatabaseConnection) -> Result<(), tenants::jobs::JobError> {
    let now = Utc::now();
    let stats = tenants::jobs::stats(db, now).await?;
    let kinds: std::collections::BTreeSet<&str> =
        stats.counts.iter().map(|(k, _, _)| k.as_str()).collect();
    for kind in kinds {
        for status in ["pending", "running", "done", "dead"] {
            let n = stats
                .counts
                .iter()
                .find(|(k, s, _)| k == kind && s == status)
                .map_or(0, |(_, _, n)| *n);
            metrics::gauge!("mutualis_jobs", "kind" => kind.to_owned(), "status" => status)
                .set(n as f64);
        }
    }
    let age = stats
        .oldest_ready
        .map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
    metrics::gauge!("mutualis_jobs_oldest_ready_age_seconds").set(age);
    Ok(())
}
