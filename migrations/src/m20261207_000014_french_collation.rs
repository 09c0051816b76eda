//! Names sort the French way (`tenants::collation`): the ICU collation `mutualis_fr` on
//! PostgreSQL, letters compared without accents, case, spaces or punctuation first
//! (`ka-shifted`). SQLite gets the same name from the server's connection setup (a collation
//! function registered on every connection), so nothing is created there.
//! The index of a commune's activity list follows the order the list now uses.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000014_french_collation"
    }
}

const UP: &[&str] = &[
    "CREATE COLLATION IF NOT EXISTS mutualis_fr (provider = icu, locale = 'fr-u-ka-shifted')",
    "DROP INDEX IF EXISTS gdpr_activity_tenant_name",
    "CREATE INDEX gdpr_activity_tenant_name ON gdpr_activity (tenant_id, name COLLATE mutualis_fr, id)",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS gdpr_activity_tenant_name",
    "CREATE INDEX gdpr_activity_tenant_name ON gdpr_activity (tenant_id, name, id)",
    "DROP COLLATION IF EXISTS mutualis_fr",
];

async fn run(manager: &SchemaManager<'_>, stmts: &[&str]) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for stmt in stmts {
        manager.get_connection().execute_unprepared(stmt).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, DOWN).await
    }
}
