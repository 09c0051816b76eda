//! The raw settings, as named in the environment, and how they are read: built-in defaults,
//! then an optional TOML file (`MUTUALIS_CONFIG`), then the environment.
use super::{invalid, ConfigError};
use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The raw settings, as named in the environment (lower-cased in the TOML file).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RawConfig {
    pub database_url: Option<String>,
    pub database_admin_url: Option<String>,
    pub redis_url: Option<String>,
    pub oidc_issuer_url: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    pub public_url: Option<String>,
    pub listen_addr: Option<String>,
    pub data_dir: Option<String>,
    pub demo: Option<bool>,
    pub log_format: Option<String>,
    /// Secret from which backup ingest signing keys are derived (at least 32 bytes).
    pub ingest_secret: Option<String>,
    /// During a rotation, the secret being replaced: keys derived from it stay valid.
    pub ingest_secret_previous: Option<String>,
    /// The restic binary the collector runs (default: `restic` in PATH).
    pub restic_binary: Option<String>,
    /// Repository passwords by name (a policy's `passwordRef`); a value `file:/path` is read
    /// from that file. From the environment: `MUTUALIS_RESTIC_PASSWORD_<NAME>`.
    pub restic_passwords: Option<std::collections::BTreeMap<String, String>>,
    /// Seconds between two passes of the restic collector (default 900).
    pub collect_interval_secs: Option<u64>,
    pub stripe_secret_key: Option<String>,
    /// Another Stripe-compatible server (localstripe in the tests).
    pub stripe_api_base: Option<String>,
    pub stripe_webhook_secret: Option<String>,
    /// Finalise and send invoices for bank transfer (default true; localstripe lacks it).
    pub stripe_send_invoices: Option<bool>,
    /// Seconds a worker holds a claimed job before another may take it over (default 300).
    pub job_lease_secs: Option<u64>,
    /// The SMTP server alerts are sent through (`smtp://host:port`, `smtps://user:pass@host`).
    pub smtp_url: Option<String>,
    /// The sender of alert emails.
    pub mail_from: Option<String>,
    /// Seconds between two alert scans (default 900).
    pub alert_scan_secs: Option<u64>,
    /// Requests per minute of one user, API token or anonymous address (default 1200).
    pub rate_limit_per_minute: Option<u32>,
    /// Requests one of them may make at once (default 200).
    pub rate_limit_burst: Option<u32>,
    /// Backup reports per minute of one ingest token (default 60).
    pub ingest_rate_per_minute: Option<u32>,
    /// Failed credentials one address may present before it is refused (default 30; one more
    /// every ten seconds).
    pub auth_failure_burst: Option<u32>,
    /// Reverse proxies in front of the server that append to `X-Forwarded-For` (default 0).
    pub trusted_proxy_hops: Option<usize>,
    /// Prefix of this deployment's Redis keys (default `mutualis`).
    pub redis_prefix: Option<String>,
    /// The GraphQL explorer at `/graphiql` (default: on in the embedded demo only).
    pub graphql_explorer: Option<bool>,
    /// The internal ops port (health, readiness, metrics) of the API and of the worker; set,
    /// the public port no longer serves `/metrics` (default: none).
    pub ops_listen_addr: Option<String>,
    /// Seconds without a sign of life after which the worker's `/healthz` fails (default 600).
    pub worker_stale_secs: Option<u64>,
    /// Where uploaded files are kept: `fs` (a directory, the default) or `s3` (the default when
    /// `MUTUALIS_S3_BUCKET` is set).
    pub storage: Option<String>,
    /// The directory of the `fs` storage (default: `files` in the data directory).
    pub storage_dir: Option<String>,
    /// An S3-compatible server's URL (another provider than AWS, path-style requests); plain
    /// `http://` is accepted for a server on a private network.
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    /// Default `us-east-1` (most S3-compatible servers ignore it).
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// The largest evidence document or library file accepted, in bytes (default 20 MiB).
    pub document_max_bytes: Option<u64>,
    /// Seconds a request may take before it is answered 503 (default 30).
    pub request_timeout_secs: Option<u64>,
    /// The same for exports and uploads (default 300).
    pub export_timeout_secs: Option<u64>,
    /// Seconds requests in flight may run on after SIGTERM (default 25, under Kubernetes'
    /// 30-second termination grace period).
    pub shutdown_grace_secs: Option<u64>,
    /// OpenTelemetry: the OTLP/HTTP collector traces are sent to (standard variable
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`); unset, no trace leaves the process.
    pub otel_exporter_otlp_endpoint: Option<String>,
    /// The service name traces carry (standard `OTEL_SERVICE_NAME`; default `mutualis`).
    pub otel_service_name: Option<String>,
}

/// The layers, read and merged, not yet checked.
pub(super) fn read(file: Option<&Path>) -> Result<RawConfig, ConfigError> {
    let mut fig = Figment::from(Serialized::defaults(RawConfig::default()));
    let file = file
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("MUTUALIS_CONFIG").map(PathBuf::from));
    if let Some(f) = file {
        if !f.exists() {
            return Err(invalid(
                "MUTUALIS_CONFIG",
                format!("file {} does not exist", f.display()),
            ));
        }
        fig = fig.merge(Toml::file(f));
    }
    let keys = [
        "DATABASE_URL",
        "DATABASE_ADMIN_URL",
        "REDIS_URL",
        "OIDC_ISSUER_URL",
        "OIDC_CLIENT_ID",
        "OIDC_CLIENT_SECRET",
        "PUBLIC_URL",
        "LISTEN_ADDR",
        "STRIPE_SECRET_KEY",
        "STRIPE_API_BASE",
        "STRIPE_WEBHOOK_SECRET",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_SERVICE_NAME",
    ];
    fig = fig
        .merge(
            Env::raw()
                .only(&keys)
                .map(|k| k.as_str().to_lowercase().into()),
        )
        .merge(Env::prefixed("MUTUALIS_").only(&[
            "DATA_DIR",
            "DEMO",
            "LOG_FORMAT",
            "INGEST_SECRET",
            "INGEST_SECRET_PREVIOUS",
            "RESTIC_BINARY",
            "COLLECT_INTERVAL_SECS",
            "STRIPE_SEND_INVOICES",
            "JOB_LEASE_SECS",
            "SMTP_URL",
            "MAIL_FROM",
            "ALERT_SCAN_SECS",
            "RATE_LIMIT_PER_MINUTE",
            "RATE_LIMIT_BURST",
            "INGEST_RATE_PER_MINUTE",
            "AUTH_FAILURE_BURST",
            "TRUSTED_PROXY_HOPS",
            "REDIS_PREFIX",
            "GRAPHQL_EXPLORER",
            "OPS_LISTEN_ADDR",
            "WORKER_STALE_SECS",
            "STORAGE",
            "STORAGE_DIR",
            "S3_ENDPOINT",
            "S3_BUCKET",
            "S3_REGION",
            "S3_ACCESS_KEY_ID",
            "S3_SECRET_ACCESS_KEY",
            "DOCUMENT_MAX_BYTES",
            "REQUEST_TIMEOUT_SECS",
            "EXPORT_TIMEOUT_SECS",
            "SHUTDOWN_GRACE_SECS",
        ]));
    let mut raw: RawConfig = fig
        .extract()
        .map_err(|e| ConfigError::Load(e.to_string()))?;
    // MUTUALIS_RESTIC_PASSWORD_<NAME>: one variable per repository password.
    for (k, v) in std::env::vars() {
        if let Some(name) = k.strip_prefix("MUTUALIS_RESTIC_PASSWORD_") {
            raw.restic_passwords
                .get_or_insert_with(Default::default)
                .insert(name.to_owned(), v);
        }
    }
    Ok(raw)
}

/// A text setting trimmed, `None` when unset or blank.
pub(super) fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}
