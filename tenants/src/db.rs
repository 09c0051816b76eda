//! Database connection: PostgreSQL in production, an embedded SQLite file by default.
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use std::time::Duration;

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let sqlite = url.starts_with("sqlite:");
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(if sqlite { 1 } else { max_connections })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(if sqlite { 30 } else { 10 }))
        .sqlx_logging(false);
    if sqlite {
        opts.map_sqlx_sqlite_opts(sqlite_options);
    }
    Database::connect(opts).await
}

/// SQLite as a server needs it, on every connection. SQLite has one writer at a time: two
/// transactions that both read then write deadlock, and one of them fails at once with
/// "database is locked" (the busy timeout does not apply to that case). So the server's pool
/// holds ONE connection: the API and the in-process worker take turns, each transaction whole.
/// WAL still lets other processes (`mutualis` commands, backups) read while it writes, and the
/// busy timeout makes them wait for the write lock instead of failing.
fn sqlite_options(o: SqliteConnectOptions) -> SqliteConnectOptions {
    o.journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(30))
        .foreign_keys(true)
        .collation(crate::collation::COLLATION, crate::collation::french_cmp)
}

/// What the PostgreSQL role the server logs in as may do: the server refuses to start as a
/// role that would silently bypass row-level security.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCheck {
    pub role: String,
    pub superuser: bool,
    pub bypass_rls: bool,
    pub owns_tenant_table: bool,
}

impl RoleCheck {
    pub fn bypasses_rls(&self) -> bool {
        self.superuser || self.bypass_rls || self.owns_tenant_table
    }
}

pub async fn check_pg_role(db: &DatabaseConnection) -> Result<RoleCheck, DbErr> {
    use sea_orm::{DatabaseBackend, Statement};
    let row = db
        .query_one(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT current_user::text AS role, r.rolsuper, r.rolbypassrls, \
             coalesce((SELECT c.relowner = r.oid FROM pg_class c WHERE c.relname = 'tenant' \
                       AND c.relnamespace = 'public'::regnamespace), false) AS owns \
             FROM pg_roles r WHERE r.rolname = current_user",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("current role not found in pg_roles".into()))?;
    Ok(RoleCheck {
        role: row.try_get("", "role")?,
        superuser: row.try_get("", "rolsuper")?,
        bypass_rls: row.try_get("", "rolbypassrls")?,
        owns_tenant_table: row.try_get("", "owns")?,
    })
}
