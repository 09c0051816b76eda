//! Reversibility exports (issue 21): who asked for the archive of which commune or
//! organisation, its progress as the worker writes it, and the archive itself (kept apart, so
//! listing the exports never reads the archives). Both under row-level security.
//!
//! Keys follow migration 13 on PostgreSQL (future Citus distributed tables).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261215_000029_reversibility_export"
    }
}

pub const TABLES: &[&str] = &["reversibility_export", "reversibility_archive"];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types { uuid, ts, .. } = crate::ddl::Types::of(backend);
    let pg = backend == DatabaseBackend::Postgres;
    let bytes = if pg { "bytea" } else { "blob" };
    let (tenant_cols, pk, parent) = if pg {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL, \
                 FOREIGN KEY (organisation_id, tenant_id) REFERENCES tenant (organisation_id, id)"
            ),
            "PRIMARY KEY (id, organisation_id)",
            "FOREIGN KEY (organisation_id, id) REFERENCES reversibility_export (organisation_id, id) ON DELETE CASCADE",
        )
    } else {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL REFERENCES tenant(id)"
            ),
            "PRIMARY KEY (id)",
            "FOREIGN KEY (id) REFERENCES reversibility_export (id) ON DELETE CASCADE",
        )
    };
    format!(
        r#"
CREATE TABLE reversibility_export (
  id {uuid} NOT NULL, {tenant_cols},
  kind varchar NOT NULL CHECK (kind IN ('organisation', 'tenant')),
  requested_by varchar NOT NULL,
  status varchar NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  progress_done bigint NOT NULL DEFAULT 0,
  progress_total bigint NOT NULL DEFAULT 0,
  archive_bytes bigint,
  rows_exported bigint,
  manifest_sha256 varchar,
  error varchar,
  created_at {ts} NOT NULL,
  started_at {ts},
  finished_at {ts},
  {pk}
);
CREATE INDEX reversibility_export_list ON reversibility_export (organisation_id, created_at);
CREATE TABLE reversibility_archive (
  id {uuid} NOT NULL, {tenant_cols},
  content {bytes} NOT NULL,
  {parent},
  {pk}
)
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
