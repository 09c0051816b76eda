//! The DPO's yearly bilan per commune (issue 19): a run asks the worker for the bilans of
//! every member commune of an organisation for one year (one job per commune, in the run's
//! own transaction); each finished bilan is stored with its figures and its two documents
//! (DOCX to edit, PDF to file), so the progress of a run is the count of its bilans.
//!
//! Keys as migration 13 left every organisation table on PostgreSQL (`organisation_id` in the
//! primary key and in each foreign key to another such table). The documents are kept in the
//! row (a bilan is some tens of kilobytes; there is no object store in the embedded mode).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261215_000027_gdpr_bilans"
    }
}

pub const TABLES: &[&str] = &["gdpr_bilan_run", "gdpr_bilan"];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types { uuid, ts, json, .. } = crate::ddl::Types::of(backend);
    let pg = backend == DatabaseBackend::Postgres;
    let bytes = if pg { "bytea" } else { "blob" };
    let tenant_cols = if pg {
        format!(
            "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL, \
             FOREIGN KEY (organisation_id, tenant_id) REFERENCES tenant (organisation_id, id)"
        )
    } else {
        format!(
            "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL REFERENCES tenant(id)"
        )
    };
    let (pk, run_fk) = if pg {
        (
            "PRIMARY KEY (id, organisation_id)",
            "FOREIGN KEY (organisation_id, run_id) REFERENCES gdpr_bilan_run (organisation_id, id)",
        )
    } else {
        (
            "PRIMARY KEY (id)",
            "FOREIGN KEY (run_id) REFERENCES gdpr_bilan_run (id)",
        )
    };
    let run_unique = if pg {
        "CREATE UNIQUE INDEX gdpr_bilan_run_key ON gdpr_bilan_run (organisation_id, id);"
    } else {
        ""
    };
    format!(
        r#"
CREATE TABLE gdpr_bilan_run (
  id {uuid} NOT NULL, {tenant_cols},
  year integer NOT NULL,
  total integer NOT NULL,
  requested_by varchar NOT NULL,
  created_at {ts} NOT NULL,
  finished_at {ts},
  {pk}
);
{run_unique}
CREATE INDEX gdpr_bilan_run_org ON gdpr_bilan_run (organisation_id, created_at);
CREATE TABLE gdpr_bilan (
  id {uuid} NOT NULL, {tenant_cols},
  run_id {uuid} NOT NULL,
  year integer NOT NULL,
  figures {json} NOT NULL,
  docx {bytes} NOT NULL,
  pdf {bytes} NOT NULL,
  created_at {ts} NOT NULL,
  {pk},
  {run_fk}
);
CREATE UNIQUE INDEX gdpr_bilan_run_tenant ON gdpr_bilan (run_id, tenant_id, organisation_id);
CREATE INDEX gdpr_bilan_tenant ON gdpr_bilan (tenant_id, year)
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
