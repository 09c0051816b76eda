//! The version of every credential and grant (issue 23): API processes keep the principals they
//! resolved in memory and drop them when this number moves. Whoever ends a session, revokes a
//! token or a grant, or changes a role takes the next value once that change is committed
//! (`tenants::tenancy::version::bump`); each process reads `last_value` a few times a second.
//!
//! A sequence, not a table: reading it takes no lock and no row, taking a value never waits
//! for another transaction, and it holds no organisation's data (no row-level security, no
//! Citus distribution: it lives on the coordinator, where the API connects). PostgreSQL only:
//! the embedded SQLite mode is one process and keeps no such cache.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261217_000040_auth_version"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE SEQUENCE auth_version;
                 GRANT USAGE, SELECT ON SEQUENCE auth_version TO {};",
                crate::APP_ROLE
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP SEQUENCE auth_version")
            .await
            .map(|_| ())
    }
}
