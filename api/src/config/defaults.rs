//! Every default value of the configuration, in one place: what a setting is when neither the
//! TOML file nor the environment names it. README's "Production configuration" documents them.
//!
//! Defaults that follow from other settings are written where they are decided: the database is
//! the embedded SQLite file when `DATABASE_URL` is unset, `DATABASE_ADMIN_URL` is
//! `DATABASE_URL`, the demo login is on in the embedded mode (on loopback), the GraphQL explorer
//! follows the demo, the storage is `s3` when a bucket is named, and `PUBLIC_URL` is
//! `http://` + the listen address. The rate limits' defaults (1,200 requests a minute, bursts of
//! 200; 60 backup reports a minute; 30 failed credentials) are the limiter's own
//! (`crate::http::limits::RateLimits::default()`).

/// `MUTUALIS_DATA_DIR`: where the embedded database and the uploaded files are kept.
pub const DATA_DIR: &str = "./data";
/// The embedded SQLite database, in the data directory (when `DATABASE_URL` is unset).
pub const EMBEDDED_DATABASE_FILE: &str = "mutualis.db";
/// `LISTEN_ADDR`.
pub const LISTEN_ADDR: &str = "127.0.0.1:8080";
/// `MUTUALIS_RESTIC_BINARY`: `restic` in PATH.
pub const RESTIC_BINARY: &str = "restic";
/// `MUTUALIS_COLLECT_INTERVAL_SECS`: seconds between two passes of the restic collector.
pub const COLLECT_INTERVAL_SECS: u64 = 900;
/// `MUTUALIS_STRIPE_SEND_INVOICES`: finalise and send invoices for bank transfer.
pub const STRIPE_SEND_INVOICES: bool = true;
/// `MUTUALIS_JOB_LEASE_SECS`: seconds a worker holds a claimed job.
pub const JOB_LEASE_SECS: u64 = 300;
/// `MUTUALIS_MAIL_FROM`: the sender of alert emails.
pub const MAIL_FROM: &str = "Mutualis <alertes@mutualis.invalid>";
/// `MUTUALIS_ALERT_SCAN_SECS`: seconds between two alert scans.
pub const ALERT_SCAN_SECS: u64 = 900;
/// `MUTUALIS_TRUSTED_PROXY_HOPS`: reverse proxies appending to `X-Forwarded-For`.
pub const TRUSTED_PROXY_HOPS: usize = 0;
/// `MUTUALIS_WORKER_STALE_SECS`: seconds without a sign of life before the worker is unhealthy.
pub const WORKER_STALE_SECS: u64 = 600;
/// `MUTUALIS_STORAGE_DIR`: the `fs` storage's directory, in the data directory.
pub const STORAGE_DIR: &str = "files";
/// `MUTUALIS_S3_REGION` (most S3-compatible servers ignore it).
pub const S3_REGION: &str = "us-east-1";
/// `MUTUALIS_DOCUMENT_MAX_BYTES`: the largest uploaded file accepted (20 MiB).
pub const DOCUMENT_MAX_BYTES: u64 = tenants::gdpr::documents::DEFAULT_MAX_BYTES;
/// `MUTUALIS_REQUEST_TIMEOUT_SECS`: a request's time budget.
pub const REQUEST_TIMEOUT_SECS: u64 = 30;
/// `MUTUALIS_EXPORT_TIMEOUT_SECS`: an export's or upload's time budget.
pub const EXPORT_TIMEOUT_SECS: u64 = 300;
/// `MUTUALIS_SHUTDOWN_GRACE_SECS`: how long requests in flight run on after SIGTERM (under
/// Kubernetes' 30-second termination grace period).
pub const SHUTDOWN_GRACE_SECS: u64 = 25;
/// `OTEL_SERVICE_NAME`: the service name traces carry.
pub const OTEL_SERVICE_NAME: &str = "mutualis";
