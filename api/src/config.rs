//! Configuration: built-in defaults, then an optional TOML file, then the environment
//! (zero-to-production style). Every setting is validated here, and a bad one stops startup
//! with a message that names it.
use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tenants::backups::collector::ResticSettings;
use tenants::backups::ingest::IngestSecret;
use tenants::backups::restic::ResticPassword;
use tenants::secrets::Secret;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {setting}: {message}")]
    Invalid {
        setting: &'static str,
        message: String,
    },
    #[error("configuration: {0}")]
    Load(String),
}

fn invalid(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting,
        message: message.into(),
    }
}

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

#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Secret,
}

/// `Debug` is written by hand below: the URLs lose their passwords, the secrets print `***`.
#[derive(Clone)]
pub struct Config {
    /// The server's connection (PostgreSQL: the non-owner `mutualis_app` role).
    pub database_url: String,
    /// The owner's connection, for migrations and operator commands.
    pub database_admin_url: String,
    pub embedded: bool,
    pub redis_url: Option<String>,
    pub oidc: Option<OidcConfig>,
    pub public_url: url::Url,
    pub listen_addr: SocketAddr,
    pub data_dir: PathBuf,
    /// The demo login: embedded mode on a loopback address only.
    pub demo: bool,
    pub json_logs: bool,
    /// None: the backup webhook and its tokens are disabled (the embedded mode creates one).
    pub ingest_secret: Option<IngestSecret>,
    pub restic: ResticSettings,
    pub collect_every: std::time::Duration,
    pub stripe: Option<StripeConfig>,
    pub job_lease: std::time::Duration,
    pub smtp: Option<SmtpConfig>,
    pub alert_every: std::time::Duration,
    pub rate_limits: crate::http::limits::RateLimits,
    /// Serve the GraphQL explorer at `/graphiql`.
    pub graphql_explorer: bool,
    /// The internal ops port, if any.
    pub ops_listen_addr: Option<SocketAddr>,
    /// The worker is unhealthy after this long without a sign of life.
    pub worker_stale: std::time::Duration,
    /// Where uploaded files are kept.
    pub storage: tenants::storage::StorageSettings,
    /// The largest uploaded file accepted, in bytes.
    pub document_max_bytes: u64,
    /// Every secret value of the configuration, for the log redactor.
    pub log_secrets: Vec<String>,
    /// Time budgets: a request, an export or upload.
    pub request_timeout: Duration,
    pub export_timeout: Duration,
    /// How long requests in flight may run on after SIGTERM.
    pub shutdown_grace: Duration,
    /// Where traces go (OTLP/HTTP), if anywhere.
    pub otlp: Option<crate::telemetry::OtlpSettings>,
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub url: String,
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("url", &redact(&self.url))
            .field("from", &self.from)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub secret_key: Secret,
    pub api_base: Option<String>,
    pub webhook_secret: Option<Secret>,
    pub send_invoices: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Everything an operator may want in a dump, nothing that logs in anywhere.
        f.debug_struct("Config")
            .field("database_url", &redact(&self.database_url))
            .field("database_admin_url", &redact(&self.database_admin_url))
            .field("embedded", &self.embedded)
            .field("redis_url", &self.redis_url.as_deref().map(redact))
            .field("oidc", &self.oidc)
            .field("public_url", &self.public_url.as_str())
            .field("listen_addr", &self.listen_addr)
            .field("ops_listen_addr", &self.ops_listen_addr)
            .field("data_dir", &self.data_dir)
            .field("demo", &self.demo)
            .field("stripe", &self.stripe)
            .field("smtp", &self.smtp)
            .field("storage", &self.storage)
            .field("request_timeout", &self.request_timeout)
            .field("export_timeout", &self.export_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("otlp", &self.otlp)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults < `file` (or `MUTUALIS_CONFIG`) < environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::from_raw(Self::raw(file)?)
    }

    /// The owner's PostgreSQL URL alone (`DATABASE_ADMIN_URL`, else `DATABASE_URL`), from the
    /// same layers: what `mutualis migrate` needs, and nothing else (no provider, no secrets).
    /// `None` for the embedded mode, whose migrations run with the whole configuration.
    pub fn migrations_url(file: Option<&Path>) -> Result<Option<String>, ConfigError> {
        let raw = Self::raw(file)?;
        let pick = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(pick(raw.database_admin_url)
            .or_else(|| pick(raw.database_url))
            .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://")))
    }

    /// The layers, read and merged, not yet checked.
    fn raw(file: Option<&Path>) -> Result<RawConfig, ConfigError> {
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

    pub fn from_raw(raw: RawConfig) -> Result<Self, ConfigError> {
        let raw_storage = StorageRaw::of(&raw);
        let rate_limits = rate_limits(&raw)?;
        let log_secrets = secrets_of(&raw);
        let nonempty = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let data_dir = PathBuf::from(nonempty(raw.data_dir).unwrap_or_else(|| "./data".into()));
        let (database_url, embedded) = match nonempty(raw.database_url) {
            None => (
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("mutualis.db").display()
                ),
                true,
            ),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => (u, false),
            Some(u) if u.starts_with("sqlite:") => (u, true),
            Some(u) => {
                return Err(invalid(
                    "DATABASE_URL",
                    format!(
                        "must start with postgres:// (or sqlite: for the embedded mode), got {:?}",
                        redact(&u)
                    ),
                ))
            }
        };
        let database_admin_url = match nonempty(raw.database_admin_url) {
            Some(u) if embedded => {
                return Err(invalid(
                    "DATABASE_ADMIN_URL",
                    format!(
                        "only used with a PostgreSQL DATABASE_URL (got {:?})",
                        redact(&u)
                    ),
                ))
            }
            Some(u) if !(u.starts_with("postgres://") || u.starts_with("postgresql://")) => {
                return Err(invalid("DATABASE_ADMIN_URL", "must start with postgres://"))
            }
            Some(u) => u,
            None => database_url.clone(),
        };
        let redis_url = match nonempty(raw.redis_url) {
            Some(u) if !(u.starts_with("redis://") || u.starts_with("rediss://")) => {
                return Err(invalid(
                    "REDIS_URL",
                    "must start with redis:// or rediss://",
                ))
            }
            other => other,
        };
        let oidc = match (
            nonempty(raw.oidc_issuer_url),
            nonempty(raw.oidc_client_id),
            nonempty(raw.oidc_client_secret),
        ) {
            (None, None, None) => None,
            (Some(issuer_url), Some(client_id), Some(client_secret)) => {
                url::Url::parse(&issuer_url)
                    .map_err(|e| invalid("OIDC_ISSUER_URL", format!("not a URL: {e}")))?;
                Some(OidcConfig {
                    issuer_url,
                    client_id,
                    client_secret: Secret::new(client_secret),
                })
            }
            (i, c, _) => {
                let missing = if i.is_none() {
                    "OIDC_ISSUER_URL"
                } else if c.is_none() {
                    "OIDC_CLIENT_ID"
                } else {
                    "OIDC_CLIENT_SECRET"
                };
                return Err(invalid(
                    missing,
                    "OpenID Connect needs OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together",
                ));
            }
        };
        let listen_addr: SocketAddr = nonempty(raw.listen_addr)
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| {
                invalid(
                    "LISTEN_ADDR",
                    format!("expected host:port such as 127.0.0.1:8080 ({e})"),
                )
            })?;
        let public_url = match nonempty(raw.public_url) {
            Some(u) => {
                url::Url::parse(&u).map_err(|e| invalid("PUBLIC_URL", format!("not a URL: {e}")))?
            }
            None => url::Url::parse(&format!("http://{listen_addr}"))
                .map_err(|e| invalid("LISTEN_ADDR", e.to_string()))?,
        };
        if !matches!(public_url.scheme(), "http" | "https") {
            return Err(invalid("PUBLIC_URL", "must be http:// or https://"));
        }
        if !embedded && oidc.is_none() {
            return Err(invalid(
                "OIDC_ISSUER_URL",
                "a PostgreSQL deployment needs an OpenID Connect provider (OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)",
            ));
        }
        let demo_wanted = raw.demo.unwrap_or(embedded);
        // An explicit demo request off loopback is an error; the implicit one is just not offered.
        if demo_wanted && !listen_addr.ip().is_loopback() && raw.demo == Some(true) {
            return Err(invalid(
                "MUTUALIS_DEMO",
                format!("the demo login is only offered on a loopback address, not {listen_addr}"),
            ));
        }
        let json_logs = match raw.log_format.as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(invalid(
                    "MUTUALIS_LOG_FORMAT",
                    format!("text or json, not {other:?}"),
                ))
            }
        };
        let ingest_secret = nonempty(raw.ingest_secret)
            .map(|s| {
                IngestSecret::new(s.into_bytes())
                    .map_err(|_| invalid("MUTUALIS_INGEST_SECRET", "at least 32 bytes"))
            })
            .transpose()?;
        let ingest_secret = match (ingest_secret, nonempty(raw.ingest_secret_previous)) {
            (s, None) => s,
            (Some(s), Some(p)) => Some(
                s.with_previous(p.into_bytes())
                    .map_err(|_| invalid("MUTUALIS_INGEST_SECRET_PREVIOUS", "at least 32 bytes"))?,
            ),
            (None, Some(_)) => {
                return Err(invalid(
                    "MUTUALIS_INGEST_SECRET_PREVIOUS",
                    "only beside MUTUALIS_INGEST_SECRET, its replacement",
                ))
            }
        };
        let mut passwords = std::collections::HashMap::new();
        for (name, value) in raw.restic_passwords.unwrap_or_default() {
            let key = name.trim().to_ascii_lowercase().replace('_', "-");
            let value = match value.strip_prefix("file:") {
                Some(path) => std::fs::read_to_string(path.trim())
                    .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
                    .map_err(|e| {
                        invalid(
                            "MUTUALIS_RESTIC_PASSWORD_*",
                            format!("{name}: cannot read {path}: {e}"),
                        )
                    })?,
                None => value,
            };
            if value.is_empty() {
                return Err(invalid(
                    "MUTUALIS_RESTIC_PASSWORD_*",
                    format!("{name}: empty password"),
                ));
            }
            passwords.insert(key, ResticPassword::new(value));
        }
        let restic = ResticSettings {
            binary: PathBuf::from(nonempty(raw.restic_binary).unwrap_or_else(|| "restic".into())),
            passwords,
            ..ResticSettings::default()
        };
        let collect_every = seconds(
            raw.collect_interval_secs,
            "MUTUALIS_COLLECT_INTERVAL_SECS",
            900,
            10..=86_400,
        )?;
        let stripe = match nonempty(raw.stripe_secret_key) {
            None => None,
            Some(k) if !(k.starts_with("sk_") || k.starts_with("rk_")) => {
                return Err(invalid(
                    "STRIPE_SECRET_KEY",
                    "a Stripe secret key starts with sk_ (or rk_ for a restricted key)",
                ))
            }
            Some(secret_key) => {
                let api_base = nonempty(raw.stripe_api_base);
                if let Some(b) = &api_base {
                    url::Url::parse(b)
                        .map_err(|e| invalid("STRIPE_API_BASE", format!("not a URL: {e}")))?;
                }
                Some(StripeConfig {
                    secret_key: Secret::new(secret_key),
                    api_base,
                    webhook_secret: nonempty(raw.stripe_webhook_secret).map(Secret::new),
                    send_invoices: raw.stripe_send_invoices.unwrap_or(true),
                })
            }
        };
        let job_lease = seconds(raw.job_lease_secs, "MUTUALIS_JOB_LEASE_SECS", 300, 2..=3600)?;
        let smtp = match nonempty(raw.smtp_url) {
            None => None,
            Some(u) if !(u.starts_with("smtp://") || u.starts_with("smtps://")) => {
                return Err(invalid(
                    "MUTUALIS_SMTP_URL",
                    "must start with smtp:// or smtps://",
                ))
            }
            Some(url) => Some(SmtpConfig {
                url,
                from: nonempty(raw.mail_from)
                    .unwrap_or_else(|| "Mutualis <alertes@mutualis.invalid>".into()),
            }),
        };
        let alert_every = seconds(
            raw.alert_scan_secs,
            "MUTUALIS_ALERT_SCAN_SECS",
            900,
            10..=86_400,
        )?;
        let ops_listen_addr = match nonempty(raw.ops_listen_addr) {
            None => None,
            Some(a) => Some(a.parse::<SocketAddr>().map_err(|e| {
                invalid(
                    "MUTUALIS_OPS_LISTEN_ADDR",
                    format!("expected host:port such as 0.0.0.0:9091 ({e})"),
                )
            })?),
        };
        if ops_listen_addr.is_some_and(|a| a == listen_addr) {
            return Err(invalid(
                "MUTUALIS_OPS_LISTEN_ADDR",
                "must differ from LISTEN_ADDR (the ops port is internal)",
            ));
        }
        let worker_stale = seconds(
            raw.worker_stale_secs,
            "MUTUALIS_WORKER_STALE_SECS",
            600,
            10..=86_400,
        )?;
        let storage = storage(&raw_storage, &data_dir)?;
        let document_max_bytes = match raw_storage.document_max_bytes {
            None => tenants::gdpr::documents::DEFAULT_MAX_BYTES,
            Some(n) if (1024..=200 * 1024 * 1024).contains(&n) => n,
            Some(_) => {
                return Err(invalid(
                    "MUTUALIS_DOCUMENT_MAX_BYTES",
                    "between 1024 and 209715200 bytes (200 MiB)",
                ))
            }
        };
        let request_timeout = seconds(
            raw.request_timeout_secs,
            "MUTUALIS_REQUEST_TIMEOUT_SECS",
            30,
            1..=600,
        )?;
        let export_timeout = seconds(
            raw.export_timeout_secs,
            "MUTUALIS_EXPORT_TIMEOUT_SECS",
            300,
            1..=3600,
        )?;
        let shutdown_grace = seconds(
            raw.shutdown_grace_secs,
            "MUTUALIS_SHUTDOWN_GRACE_SECS",
            25,
            1..=3600,
        )?;
        let otlp = match nonempty(raw.otel_exporter_otlp_endpoint) {
            None => None,
            Some(e) => {
                let endpoint = url::Url::parse(&e)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| {
                        invalid(
                            "OTEL_EXPORTER_OTLP_ENDPOINT",
                            "an http:// or https:// URL, such as http://127.0.0.1:4318",
                        )
                    })?;
                Some(crate::telemetry::OtlpSettings {
                    endpoint,
                    service_name: nonempty(raw.otel_service_name)
                        .unwrap_or_else(|| "mutualis".into()),
                })
            }
        };
        let demo = demo_wanted && listen_addr.ip().is_loopback();
        Ok(Config {
            request_timeout,
            export_timeout,
            shutdown_grace,
            otlp,
            ops_listen_addr,
            worker_stale,
            storage,
            document_max_bytes,
            graphql_explorer: raw.graphql_explorer.unwrap_or(demo),
            log_secrets,
            rate_limits,
            smtp,
            alert_every,
            job_lease,
            stripe,
            ingest_secret,
            restic,
            collect_every,
            database_url,
            database_admin_url,
            embedded,
            redis_url,
            oidc,
            public_url,
            listen_addr,
            data_dir,
            demo,
            json_logs,
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// A number of seconds within `range`, or `default` when unset.
fn seconds(
    value: Option<u64>,
    setting: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    match value {
        None => Ok(Duration::from_secs(default)),
        Some(s) if range.contains(&s) => Ok(Duration::from_secs(s)),
        Some(_) => Err(invalid(
            setting,
            format!("between {} and {} seconds", range.start(), range.end()),
        )),
    }
}

/// The secret values among the settings: passwords in URLs, keys, the ingest secret.
fn secrets_of(raw: &RawConfig) -> Vec<String> {
    let urls = [
        &raw.database_url,
        &raw.database_admin_url,
        &raw.redis_url,
        &raw.smtp_url,
    ];
    let mut out: Vec<String> = urls
        .into_iter()
        .flatten()
        .flat_map(|u| u.split(','))
        .filter_map(|u| url::Url::parse(u.trim()).ok())
        .filter_map(|u| u.password().map(str::to_owned))
        .collect();
    out.extend(
        [
            &raw.oidc_client_secret,
            &raw.stripe_secret_key,
            &raw.stripe_webhook_secret,
            &raw.ingest_secret,
            &raw.ingest_secret_previous,
            &raw.s3_secret_access_key,
        ]
        .into_iter()
        .flatten()
        .cloned(),
    );
    out.extend(
        raw.restic_passwords
            .iter()
            .flatten()
            .map(|(_, v)| v.clone()),
    );
    out
}

fn rate_limits(raw: &RawConfig) -> Result<crate::http::limits::RateLimits, ConfigError> {
    use crate::http::limits::{Quota, RateLimits};
    let d = RateLimits::default();
    let within = |v: Option<u32>, default: u32, setting: &'static str, max: u32| match v {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(invalid(setting, format!("between 1 and {max}"))),
    };
    let per_minute = within(
        raw.rate_limit_per_minute,
        d.principal.per_minute,
        "MUTUALIS_RATE_LIMIT_PER_MINUTE",
        6_000_000,
    )?;
    let burst = within(
        raw.rate_limit_burst,
        d.principal.burst,
        "MUTUALIS_RATE_LIMIT_BURST",
        1_000_000,
    )?;
    let ingest = within(
        raw.ingest_rate_per_minute,
        d.ingest_token.per_minute,
        "MUTUALIS_INGEST_RATE_PER_MINUTE",
        60_000,
    )?;
    let failures = within(
        raw.auth_failure_burst,
        d.auth_failures.burst,
        "MUTUALIS_AUTH_FAILURE_BURST",
        10_000,
    )?;
    let hops = match raw.trusted_proxy_hops {
        None => 0,
        Some(n) if n <= 5 => n,
        Some(_) => return Err(invalid("MUTUALIS_TRUSTED_PROXY_HOPS", "between 0 and 5")),
    };
    let prefix = match raw.redis_prefix.as_deref().map(str::trim) {
        None | Some("") => d.key_prefix,
        Some(p)
            if p.len() <= 64
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) =>
        {
            p.to_owned()
        }
        Some(_) => {
            return Err(invalid(
                "MUTUALIS_REDIS_PREFIX",
                "at most 64 letters, digits, '-', '_' or '.'",
            ))
        }
    };
    Ok(RateLimits {
        principal: Quota { per_minute, burst },
        ingest_token: Quota {
            per_minute: ingest,
            burst: ingest.div_ceil(2).max(1),
        },
        auth_failures: Quota {
            per_minute: d.auth_failures.per_minute,
            burst: failures,
        },
        trusted_proxy_hops: hops,
        key_prefix: prefix,
    })
}

/// The storage settings, apart (the other settings are consumed as they are read).
struct StorageRaw {
    storage: Option<String>,
    dir: Option<String>,
    endpoint: Option<String>,
    bucket: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    document_max_bytes: Option<u64>,
}

impl StorageRaw {
    fn of(raw: &RawConfig) -> Self {
        let t = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        StorageRaw {
            storage: t(&raw.storage),
            dir: t(&raw.storage_dir),
            endpoint: t(&raw.s3_endpoint),
            bucket: t(&raw.s3_bucket),
            region: t(&raw.s3_region),
            access_key_id: t(&raw.s3_access_key_id),
            secret_access_key: t(&raw.s3_secret_access_key),
            document_max_bytes: raw.document_max_bytes,
        }
    }
}

/// `fs` (the default: a directory, `files` in the data directory) or `s3` (the default when a
/// bucket is named).
fn storage(
    raw: &StorageRaw,
    data_dir: &Path,
) -> Result<tenants::storage::StorageSettings, ConfigError> {
    use tenants::storage::StorageSettings;
    let kind = raw
        .storage
        .clone()
        .unwrap_or_else(|| if raw.bucket.is_some() { "s3" } else { "fs" }.into());
    match kind.as_str() {
        "fs" => Ok(StorageSettings::FileSystem {
            root: raw
                .dir
                .as_ref()
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join("files")),
        }),
        "s3" => {
            let need = |v: &Option<String>, setting: &'static str| {
                v.clone()
                    .ok_or_else(|| invalid(setting, "required with MUTUALIS_STORAGE=s3"))
            };
            let endpoint = match &raw.endpoint {
                None => None,
                Some(e) => {
                    let u = url::Url::parse(e).map_err(|err| {
                        invalid("MUTUALIS_S3_ENDPOINT", format!("not a URL: {err}"))
                    })?;
                    if !matches!(u.scheme(), "http" | "https") {
                        return Err(invalid(
                            "MUTUALIS_S3_ENDPOINT",
                            "must be http:// or https://",
                        ));
                    }
                    Some(e.trim_end_matches('/').to_owned())
                }
            };
            Ok(StorageSettings::S3 {
                allow_http: endpoint
                    .as_deref()
                    .is_some_and(|e| e.starts_with("http://")),
                endpoint,
                bucket: need(&raw.bucket, "MUTUALIS_S3_BUCKET")?,
                region: raw.region.clone().unwrap_or_else(|| "us-east-1".into()),
                access_key_id: need(&raw.access_key_id, "MUTUALIS_S3_ACCESS_KEY_ID")?,
                secret_access_key: need(&raw.secret_access_key, "MUTUALIS_S3_SECRET_ACCESS_KEY")?,
            })
        }
        other => Err(invalid(
            "MUTUALIS_STORAGE",
            format!("fs or s3, not {other:?}"),
        )),
    }
}

/// A URL with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawConfig {
        RawConfig::default()
    }

    #[test]
    fn a_printed_configuration_shows_no_secret() {
        let c = Config::from_raw(RawConfig {
            database_url: Some("postgres://mutualis_app:app-pw-123456@db/m".into()),
            database_admin_url: Some("postgres://owner:owner-pw-123456@db/m".into()),
            redis_url: Some("redis://:redis-pw-123456@cache:6379".into()),
            oidc_issuer_url: Some("https://idp.example.fr".into()),
            oidc_client_id: Some("mutualis".into()),
            oidc_client_secret: Some("client-secret-123456".into()),
            stripe_secret_key: Some("sk_live_abcdefgh123456".into()),
            stripe_webhook_secret: Some("whsec_abcdefgh123456".into()),
            smtp_url: Some("smtps://alertes:smtp-pw-123456@smtp.example.fr".into()),
            ..raw()
        })
        .expect("valid");
        let printed = format!("{c:?}");
        for secret in [
            "app-pw-123456",
            "owner-pw-123456",
            "redis-pw-123456",
            "client-secret-123456",
            "sk_live_abcdefgh123456",
            "whsec_abcdefgh123456",
            "smtp-pw-123456",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        // What an operator needs is still there.
        assert!(
            printed.contains("db/m") && printed.contains("idp.example.fr"),
            "{printed}"
        );
    }

    #[test]
    fn no_configuration_means_embedded_demo_on_loopback() {
        let c = Config::from_raw(raw()).expect("defaults are valid");
        assert!(c.embedded && c.demo);
        assert!(c.database_url.starts_with("sqlite://./data/mutualis.db"));
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
    }

    #[test]
    fn demo_is_never_offered_off_loopback() {
        let c = Config::from_raw(RawConfig {
            listen_addr: Some("0.0.0.0:8080".into()),
            ..raw()
        })
        .expect("valid");
        assert!(!c.demo);
        let err = Config::from_raw(RawConfig {
            listen_addr: Some("0.0.0.0:8080".into()),
            demo: Some(true),
            ..raw()
        })
        .expect_err("demo on a public address");
        assert!(err.to_string().contains("MUTUALIS_DEMO"), "{err}");
    }

    #[test]
    fn bad_settings_are_named() {
        let cases: Vec<(RawConfig, &str)> = vec![
            (
                RawConfig {
                    database_url: Some("mysql://x".into()),
                    ..raw()
                },
                "DATABASE_URL",
            ),
            (
                RawConfig {
                    redis_url: Some("localhost:6379".into()),
                    ..raw()
                },
                "REDIS_URL",
            ),
            (
                RawConfig {
                    listen_addr: Some("nowhere".into()),
                    ..raw()
                },
                "LISTEN_ADDR",
            ),
            (
                RawConfig {
                    public_url: Some("ftp://x".into()),
                    ..raw()
                },
                "PUBLIC_URL",
            ),
            (
                RawConfig {
                    oidc_issuer_url: Some("http://127.0.0.1:9400".into()),
                    ..raw()
                },
                "OIDC_CLIENT_ID",
            ),
            (
                RawConfig {
                    database_url: Some("postgres://u:secret@h/db".into()),
                    ..raw()
                },
                "OIDC_ISSUER_URL",
            ),
            (
                RawConfig {
                    log_format: Some("xml".into()),
                    ..raw()
                },
                "MUTUALIS_LOG_FORMAT",
            ),
            (
                RawConfig {
                    rate_limit_per_minute: Some(0),
                    ..raw()
                },
                "MUTUALIS_RATE_LIMIT_PER_MINUTE",
            ),
            (
                RawConfig {
                    trusted_proxy_hops: Some(9),
                    ..raw()
                },
                "MUTUALIS_TRUSTED_PROXY_HOPS",
            ),
            (
                RawConfig {
                    redis_prefix: Some("a b".into()),
                    ..raw()
                },
                "MUTUALIS_REDIS_PREFIX",
            ),
            (
                RawConfig {
                    ingest_secret_previous: Some("x".repeat(40)),
                    ..raw()
                },
                "MUTUALIS_INGEST_SECRET_PREVIOUS",
            ),
            (
                RawConfig {
                    ingest_secret: Some("y".repeat(40)),
                    ingest_secret_previous: Some("short".into()),
                    ..raw()
                },
                "MUTUALIS_INGEST_SECRET_PREVIOUS",
            ),
        ];
        for (c, setting) in cases {
            let err = Config::from_raw(c).expect_err(setting).to_string();
            assert!(err.contains(setting), "{setting}: {err}");
            assert!(!err.contains("secret"), "password leaked: {err}");
        }
    }

    #[test]
    fn files_go_to_the_data_directory_or_to_a_named_bucket() {
        use tenants::storage::StorageSettings;
        let c = Config::from_raw(raw()).expect("defaults");
        assert_eq!(
            c.storage,
            StorageSettings::FileSystem {
                root: PathBuf::from("./data/files")
            }
        );
        assert_eq!(c.document_max_bytes, 20 * 1024 * 1024);
        let s3 = RawConfig {
            s3_bucket: Some("preuves".into()),
            s3_endpoint: Some("http://127.0.0.1:9000/".into()),
            s3_access_key_id: Some("AK".into()),
            s3_secret_access_key: Some("SK-secret".into()),
            ..raw()
        };
        let c = Config::from_raw(s3.clone()).expect("s3");
        assert!(matches!(
            &c.storage,
            StorageSettings::S3 { bucket, allow_http: true, endpoint: Some(e), .. }
                if bucket == "preuves" && e == "http://127.0.0.1:9000"
        ));
        assert!(c.log_secrets.contains(&"SK-secret".to_owned()));
        assert!(!format!("{:?}", c.storage).contains("SK-secret"));
        let missing = Config::from_raw(RawConfig {
            s3_secret_access_key: None,
            ..s3
        })
        .expect_err("no secret");
        assert!(missing
            .to_string()
            .contains("MUTUALIS_S3_SECRET_ACCESS_KEY"));
        let bad = Config::from_raw(RawConfig {
            storage: Some("ftp".into()),
            ..raw()
        })
        .expect_err("unknown");
        assert!(bad.to_string().contains("MUTUALIS_STORAGE"));
        let tiny = Config::from_raw(RawConfig {
            document_max_bytes: Some(10),
            ..raw()
        })
        .expect_err("too small");
        assert!(tiny.to_string().contains("MUTUALIS_DOCUMENT_MAX_BYTES"));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
