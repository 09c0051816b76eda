//! Configuration: built-in defaults, then an optional TOML file, then the environment
//! (zero-to-production style). Every setting is validated here, and a bad one stops startup
//! with a message that names it.
//!
//! One file per section, each reading its settings from `RawConfig` and checking them:
//! `database`, `auth` (OpenID Connect, the demo login), `server` (addresses, logs, traces),
//! `backups` (ingest secret, restic), `stripe`, `smtp`, `worker` (its periods), `storage`
//! (uploaded files) and `limits` (rate limits, time budgets, upload size, and the range check
//! every numeric setting goes through). Every default value is in `defaults`. Secret keys are
//! held in `tenants::secrets::Secret` (the ingest secret and restic passwords in types of the
//! same kind) and URLs print their password as `***`: `Debug` never shows a secret.
mod auth;
mod backups;
mod database;
mod defaults;
mod limits;
mod raw;
mod server;
mod smtp;
mod storage;
mod stripe;
mod worker;

pub use auth::OidcConfig;
pub use raw::RawConfig;
pub use smtp::SmtpConfig;
pub use stripe::StripeConfig;

use backups::Backups;
use database::Database;
use raw::nonempty;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tenants::backups::collector::ResticSettings;
use tenants::backups::ingest::IngestSecret;

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
        Self::from_raw(raw::read(file)?)
    }

    /// The owner's PostgreSQL URL alone (`DATABASE_ADMIN_URL`, else `DATABASE_URL`), from the
    /// same layers: what `mutualis migrate` needs, and nothing else (no provider, no secrets).
    /// `None` for the embedded mode, whose migrations run with the whole configuration.
    pub fn migrations_url(file: Option<&Path>) -> Result<Option<String>, ConfigError> {
        Ok(Database::migrations_url(&raw::read(file)?))
    }

    /// Every setting checked, in this order: with several mistakes, the first one found is the
    /// one reported.
    pub fn from_raw(raw: RawConfig) -> Result<Self, ConfigError> {
        let rate_limits = limits::rate_limits(&raw)?;
        let log_secrets = secrets_of(&raw);
        let data_dir =
            PathBuf::from(nonempty(&raw.data_dir).unwrap_or_else(|| defaults::DATA_DIR.into()));
        let database = Database::read(&raw, &data_dir)?;
        let oidc = auth::oidc(&raw)?;
        let listen_addr = server::listen_addr(&raw)?;
        let public_url = server::public_url(&raw, listen_addr)?;
        auth::require_provider(database.embedded, oidc.as_ref())?;
        let demo_wanted = auth::demo_wanted(&raw, database.embedded, listen_addr)?;
        let json_logs = server::json_logs(&raw)?;
        let backups = Backups::read(&raw)?;
        let stripe = stripe::read(&raw)?;
        let job_lease = worker::job_lease(&raw)?;
        let smtp = smtp::read(&raw)?;
        let alert_every = worker::alert_every(&raw)?;
        let ops_listen_addr = server::ops_listen_addr(&raw, listen_addr)?;
        let worker_stale = worker::worker_stale(&raw)?;
        let storage = storage::read(&raw, &data_dir)?;
        let document_max_bytes = limits::document_max_bytes(&raw)?;
        let budgets = limits::time_budgets(&raw)?;
        let otlp = server::otlp(&raw)?;
        let demo = auth::demo(demo_wanted, listen_addr);
        Ok(Config {
            request_timeout: budgets.request,
            export_timeout: budgets.export,
            shutdown_grace: budgets.shutdown_grace,
            otlp,
            ops_listen_addr,
            worker_stale,
            storage,
            document_max_bytes,
            graphql_explorer: server::graphql_explorer(&raw, demo),
            log_secrets,
            rate_limits,
            smtp,
            alert_every,
            job_lease,
            stripe,
            ingest_secret: backups.ingest_secret,
            restic: backups.restic,
            collect_every: backups.collect_every,
            database_url: database.url,
            database_admin_url: database.admin_url,
            embedded: database.embedded,
            redis_url: database.redis_url,
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
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
