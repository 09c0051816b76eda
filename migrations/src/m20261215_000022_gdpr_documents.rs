//! Evidence documents (issue 19): the files a commune keeps as proof of its compliance (signed
//! contracts, training attendance, policies, procedures, signed registers…), as in MADIS's
//! « Documents » register. The row holds what was checked at upload (media type found by
//! content, size, SHA-256) and where the bytes are kept (a key of the object storage: a
//! directory in the embedded mode, an S3 bucket in production); a link table ties a document to
//! the activities, rights requests, breaches, processors and action plan items it proves.
//!
//! Keys as migration 13 left every organisation table on PostgreSQL: `organisation_id` in the
//! primary key and in each foreign key to another such table (Citus colocation).
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261215_000022_gdpr_documents"
    }
}

pub const TABLES: &[&str] = &["gdpr_document", "gdpr_document_link"];

const KINDS: &str = "'contract', 'training_attendance', 'policy', 'procedure', 'signed_register', 'dpia', 'notification', 'other'";
const TARGETS: &str = "'activity', 'request', 'breach', 'processor', 'action'";

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types { uuid, ts, date, .. } = crate::ddl::Types::of(backend);
    let pg = backend == DatabaseBackend::Postgres;
    let (tenant_cols, pk, doc_fk) = if pg {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL, \
                 FOREIGN KEY (organisation_id, tenant_id) REFERENCES tenant (organisation_id, id)"
            ),
            "PRIMARY KEY (id, organisation_id)",
            "FOREIGN KEY (organisation_id, document_id) REFERENCES gdpr_document (organisation_id, id) ON DELETE CASCADE",
        )
    } else {
        (
            format!(
                "organisation_id {uuid} NOT NULL REFERENCES organisation(id), tenant_id {uuid} NOT NULL REFERENCES tenant(id)"
            ),
            "PRIMARY KEY (id)",
            "FOREIGN KEY (document_id) REFERENCES gdpr_document (id) ON DELETE CASCADE",
        )
    };
    format!(
        r#"
CREATE TABLE gdpr_document (
  id {uuid} NOT NULL, {tenant_cols},
  kind varchar NOT NULL CHECK (kind IN ({KINDS})),
  title varchar NOT NULL,
  document_date {date} NOT NULL,
  file_name varchar NOT NULL,
  media_type varchar NOT NULL,
  bytes bigint NOT NULL CHECK (bytes > 0),
  sha256 varchar NOT NULL,
  storage_key varchar NOT NULL,
  uploaded_by varchar NOT NULL,
  uploaded_at {ts} NOT NULL,
  {pk}
);
CREATE INDEX gdpr_document_tenant ON gdpr_document (tenant_id, document_date);
CREATE TABLE gdpr_document_link (
  id {uuid} NOT NULL, {tenant_cols},
  document_id {uuid} NOT NULL,
  target_kind varchar NOT NULL CHECK (target_kind IN ({TARGETS})),
  target_id {uuid} NOT NULL,
  {doc_fk},
  {pk}
);
CREATE UNIQUE INDEX gdpr_document_link_unique ON gdpr_document_link (document_id, target_kind, target_id, organisation_id);
CREATE INDEX gdpr_document_link_target ON gdpr_document_link (target_kind, target_id)
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
