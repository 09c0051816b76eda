//! Open data (issue 21): what each commune chooses to publish in the platform's DCAT-AP
//! catalogue beyond its public register (which keeps its own settings,
//! `gdpr_register_settings`): today the essential data of its public contracts (DECP).
//! One row per commune and dataset; `first_published_at` is the dataset's `dct:issued`.
//!
//! Keyed as migration 13 left every organisation table on PostgreSQL (`organisation_id` in
//! the primary key, the unique key and the tenant's foreign key).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261216_000039_opendata"
    }
}

pub const TABLES: &[&str] = &["opendata_publication"];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types {
        uuid,
        ts,
        tenant_cols,
        ..
    } = crate::ddl::Types::of(backend);
    let (cols, pk) = if backend == DatabaseBackend::Postgres {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL, \
                 FOREIGN KEY (organisation_id, tenant_id) REFERENCES tenant (organisation_id, id)"
            ),
            "PRIMARY KEY (id, organisation_id)",
        )
    } else {
        (tenant_cols, "PRIMARY KEY (id)")
    };
    format!(
        r#"
CREATE TABLE opendata_publication (
  id {uuid} NOT NULL, {cols},
  dataset varchar NOT NULL CHECK (dataset IN ('decp')),
  published boolean NOT NULL,
  first_published_at {ts},
  updated_by varchar NOT NULL,
  updated_at {ts} NOT NULL,
  {pk}
);
CREATE UNIQUE INDEX opendata_publication_dataset ON opendata_publication (tenant_id, dataset, organisation_id)
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
