//! The database section: PostgreSQL (the server's role and the owner's), or the embedded
//! SQLite file in the data directory, and Redis.
use super::defaults;
use super::raw::{nonempty, RawConfig};
use super::{invalid, redact, ConfigError};
use std::path::Path;

pub(super) struct Database {
    /// The server's connection (PostgreSQL: the non-owner `mutualis_app` role).
    pub url: String,
    /// The owner's connection, for migrations and operator commands.
    pub admin_url: String,
    /// SQLite: the embedded mode.
    pub embedded: bool,
    pub redis_url: Option<String>,
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Database {
    pub(super) fn read(raw: &RawConfig, data_dir: &Path) -> Result<Self, ConfigError> {
        let (url, embedded) = match nonempty(&raw.database_url) {
            None => (
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join(defaults::EMBEDDED_DATABASE_FILE).display()
                ),
                true,
            ),
            Some(u) if is_postgres(&u) => (u, false),
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
        let admin_url = match nonempty(&raw.database_admin_url) {
            Some(u) if embedded => {
                return Err(invalid(
                    "DATABASE_ADMIN_URL",
                    format!(
                        "only used with a PostgreSQL DATABASE_URL (got {:?})",
                        redact(&u)
                    ),
                ))
            }
            Some(u) if !is_postgres(&u) => {
                return Err(invalid("DATABASE_ADMIN_URL", "must start with postgres://"))
            }
            Some(u) => u,
            None => url.clone(),
        };
        let redis_url = match nonempty(&raw.redis_url) {
            Some(u) if !(u.starts_with("redis://") || u.starts_with("rediss://")) => {
                return Err(invalid(
                    "REDIS_URL",
                    "must start with redis:// or rediss://",
                ))
            }
            other => other,
        };
        Ok(Database {
            url,
            admin_url,
            embedded,
            redis_url,
        })
    }

    /// The owner's PostgreSQL URL alone (`DATABASE_ADMIN_URL`, else `DATABASE_URL`), unchecked:
    /// `None` for the embedded mode.
    pub(super) fn migrations_url(raw: &RawConfig) -> Option<String> {
        nonempty(&raw.database_admin_url)
            .or_else(|| nonempty(&raw.database_url))
            .filter(|u| is_postgres(u))
    }
}
