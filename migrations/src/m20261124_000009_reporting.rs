//! Consolidated reports: one snapshot per organisation and month, computed by the worker and
//! read as stored (reading never recomputes).
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000009_reporting"
    }
}

pub const TABLES: &[&str] = &["report_snapshot"];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types {
        uuid,
        ts,
        json,
        tenant_cols,
        ..
    } = crate::ddl::Types::of(backend);
    format!(
        r#"
CREATE TABLE report_snapshot (
  id {uuid} PRIMARY KEY, {tenant_cols},
  period varchar NOT NULL,
  computed_at {ts} NOT NULL,
  figures {json} NOT NULL
);
CREATE UNIQUE INDEX report_snapshot_period ON report_snapshot (organisation_id, period)
"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
