//! Hand-written DDL shared by the module migrations: one text for both databases, with the
//! column types each spells differently.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

/// Column types of one backend, and the two columns every tenant table starts with.
pub(crate) struct Types {
    pub uuid: &'static str,
    pub ts: &'static str,
    pub json: &'static str,
    pub date: &'static str,
    pub tenant_cols: String,
}

impl Types {
    pub fn of(backend: DatabaseBackend) -> Self {
        let (uuid, ts, json, date) = match backend {
            DatabaseBackend::Postgres => ("uuid", "timestamptz", "jsonb", "date"),
            // sea-orm's names for the same types on SQLite.
            _ => (
                "uuid_text",
                "timestamp_with_timezone_text",
                "json_text",
                "date_text",
            ),
        };
        Types {
            uuid,
            ts,
            json,
            date,
            tenant_cols: format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL REFERENCES tenant(id)"
            ),
        }
    }
}

/// Runs `sql` one statement at a time (SQLite executes one per call), then puts `tables`
/// under row-level security on PostgreSQL.
pub(crate) async fn apply(
    manager: &SchemaManager<'_>,
    sql: &str,
    tables: &[&str],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        db.execute_unprepared(stmt).await?;
    }
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        crate::rls::protect(db, tables).await?;
    }
    Ok(())
}

/// Drops `tables` in reverse order (the `down` of a module migration).
pub(crate) async fn drop_tables(manager: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for t in tables.iter().rev() {
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS {t}"))
            .await?;
    }
    Ok(())
}
