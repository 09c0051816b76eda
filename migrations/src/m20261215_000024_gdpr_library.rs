//! The DPO's resource library (issue 19): documents and links the organisation publishes to
//! every member commune (templates, guides, procedures). A resource keeps every version it had
//! (a new version never replaces the bytes of an old one); a read receipt is written when a
//! commune's person opens or downloads a version, so the DPO sees who read the current one.
//!
//! Resources and versions live in the organisation's own tenant and are readable (never
//! writable) by anyone holding a role on one of its tenants, like model activities; receipts
//! belong to the reader's commune (the tenant predicate: the commune sees its own, the
//! organisation's DPO all of them).
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261215_000024_gdpr_library"
    }
}

pub const TABLES: &[&str] = &[
    "gdpr_resource",
    "gdpr_resource_version",
    "gdpr_resource_read",
];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types { uuid, ts, .. } = crate::ddl::Types::of(backend);
    let pg = backend == DatabaseBackend::Postgres;
    let (tenant_cols, pk) = if pg {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL, \
                 FOREIGN KEY (organisation_id, tenant_id) REFERENCES tenant (organisation_id, id)"
            ),
            "PRIMARY KEY (id, organisation_id)",
        )
    } else {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL REFERENCES tenant(id)"
            ),
            "PRIMARY KEY (id)",
        )
    };
    let fk = |col: &str, table: &str| {
        if pg {
            format!("FOREIGN KEY (organisation_id, {col}) REFERENCES {table} (organisation_id, id)")
        } else {
            format!("FOREIGN KEY ({col}) REFERENCES {table} (id)")
        }
    };
    let resource_fk = fk("resource_id", "gdpr_resource");
    let version_fk = fk("version_id", "gdpr_resource_version");
    format!(
        r#"
CREATE TABLE gdpr_resource (
  id {uuid} NOT NULL, {tenant_cols},
  title varchar NOT NULL,
  description text NOT NULL DEFAULT '',
  category varchar NOT NULL CHECK (category IN ('template', 'guide', 'procedure', 'other')),
  current_version integer NOT NULL,
  created_by varchar NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  {pk}
);
CREATE INDEX gdpr_resource_org ON gdpr_resource (organisation_id, updated_at);
CREATE TABLE gdpr_resource_version (
  id {uuid} NOT NULL, {tenant_cols},
  resource_id {uuid} NOT NULL,
  version integer NOT NULL,
  file_name varchar,
  media_type varchar,
  bytes bigint,
  sha256 varchar,
  storage_key varchar,
  url varchar,
  note text NOT NULL DEFAULT '',
  published_by varchar NOT NULL,
  published_at {ts} NOT NULL,
  CHECK ((url IS NULL) <> (storage_key IS NULL)),
  {resource_fk},
  {pk}
);
CREATE UNIQUE INDEX gdpr_resource_version_number ON gdpr_resource_version (resource_id, version, organisation_id);
CREATE TABLE gdpr_resource_read (
  id {uuid} NOT NULL, {tenant_cols},
  resource_id {uuid} NOT NULL,
  version_id {uuid} NOT NULL,
  version integer NOT NULL,
  reader varchar NOT NULL,
  reader_name varchar NOT NULL,
  read_at {ts} NOT NULL,
  {resource_fk},
  {version_fk},
  {pk}
);
CREATE UNIQUE INDEX gdpr_resource_read_once ON gdpr_resource_read (version_id, tenant_id, reader, organisation_id);
CREATE INDEX gdpr_resource_read_resource ON gdpr_resource_read (resource_id, version)
"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await?;
        if backend == DatabaseBackend::Postgres {
            // Published to every member commune: readable by anyone holding a role on one of
            // the organisation's tenants (the scope's member organisations), never writable.
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE POLICY members ON gdpr_resource FOR SELECT
                       USING (organisation_id = ANY(mutualis_member_org_ids()));
                     CREATE POLICY members ON gdpr_resource_version FOR SELECT
                       USING (organisation_id = ANY(mutualis_member_org_ids()))",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
