//! The worker's periods: how long it holds a claimed job, how often it scans for alerts, and
//! after how long without a sign of life it is unhealthy.
use super::defaults;
use super::limits::seconds;
use super::raw::RawConfig;
use super::ConfigError;
use std::time::Duration;

/// Seconds a worker holds a claimed job before another may take it over.
pub(super) fn job_lease(raw: &RawConfig) -> Result<Duration, ConfigError> {
    seconds(
        raw.job_lease_secs,
        "MUTUALIS_JOB_LEASE_SECS",
        defaults::JOB_LEASE_SECS,
        2..=3600,
    )
}

/// Seconds between two alert scans.
pub(super) fn alert_every(raw: &RawConfig) -> Result<Duration, ConfigError> {
    seconds(
        raw.alert_scan_secs,
        "MUTUALIS_ALERT_SCAN_SECS",
        defaults::ALERT_SCAN_SECS,
        10..=86_400,
    )
}

/// Seconds without a sign of life after which the worker's `/healthz` fails.
pub(super) fn worker_stale(raw: &RawConfig) -> Result<Duration, ConfigError> {
    seconds(
        raw.worker_stale_secs,
        "MUTUALIS_WORKER_STALE_SECS",
        defaults::WORKER_STALE_SECS,
        10..=86_400,
    )
}
