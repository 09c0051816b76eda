//! Shared backups: policies per tenant, job reports (webhook or restic collector), storage
//! samples for metering, restore tests, and the per-tenant ingest tokens with their log.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000006_backups"
    }
}

/// Tables of this migration, all keyed by (organisation_id, tenant_id).
pub const TABLES: &[&str] = &[
    "backup_policy",
    "backup_job",
    "backup_storage_sample",
    "backup_restore_test",
    "backup_ingest_token",
    "backup_ingest_event",
];

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
CREATE TABLE backup_policy (
  id {uuid} PRIMARY KEY, {tenant_cols},
  name varchar NOT NULL,
  kind varchar NOT NULL CHECK (kind IN ('server', 'application', 'share')),
  target text NOT NULL,
  host varchar NOT NULL,
  tags {json} NOT NULL,
  interval_hours integer NOT NULL CHECK (interval_hours BETWEEN 1 AND 8784),
  keep_daily integer NOT NULL CHECK (keep_daily >= 0),
  keep_weekly integer NOT NULL CHECK (keep_weekly >= 0),
  keep_monthly integer NOT NULL CHECK (keep_monthly >= 0),
  keep_yearly integer NOT NULL CHECK (keep_yearly >= 0),
  rpo_hours integer NOT NULL CHECK (rpo_hours BETWEEN 1 AND 8784),
  repository varchar NOT NULL,
  password_ref varchar NOT NULL,
  active boolean NOT NULL,
  version integer NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX backup_policy_name ON backup_policy (tenant_id, name);
CREATE INDEX backup_policy_repository ON backup_policy (repository);
CREATE TABLE backup_job (
  id {uuid} PRIMARY KEY, {tenant_cols},
  policy_id {uuid} NOT NULL REFERENCES backup_policy(id),
  source varchar NOT NULL CHECK (source IN ('webhook', 'restic')),
  external_id varchar NOT NULL,
  status varchar NOT NULL CHECK (status IN ('success', 'warning', 'failed')),
  started_at {ts},
  finished_at {ts} NOT NULL,
  duration_ms bigint CHECK (duration_ms >= 0),
  bytes_processed bigint CHECK (bytes_processed >= 0),
  bytes_added bigint CHECK (bytes_added >= 0),
  files bigint CHECK (files >= 0),
  snapshot_id varchar,
  message text,
  received_at {ts} NOT NULL
);
CREATE UNIQUE INDEX backup_job_external ON backup_job (tenant_id, source, external_id);
CREATE INDEX backup_job_policy_time ON backup_job (policy_id, finished_at);
CREATE TABLE backup_storage_sample (
  id {uuid} PRIMARY KEY, {tenant_cols},
  policy_id {uuid} NOT NULL REFERENCES backup_policy(id),
  measured_at {ts} NOT NULL,
  stored_bytes bigint NOT NULL CHECK (stored_bytes >= 0),
  source varchar NOT NULL
);
CREATE INDEX backup_storage_sample_policy_time ON backup_storage_sample (policy_id, measured_at);
CREATE TABLE backup_restore_test (
  id {uuid} PRIMARY KEY, {tenant_cols},
  policy_id {uuid} NOT NULL REFERENCES backup_policy(id),
  performed_at {ts} NOT NULL,
  performed_by text NOT NULL,
  restored text NOT NULL,
  duration_seconds bigint NOT NULL CHECK (duration_seconds >= 0),
  result varchar NOT NULL CHECK (result IN ('success', 'partial', 'failed')),
  notes text NOT NULL,
  recorded_by text NOT NULL,
  created_at {ts} NOT NULL
);
CREATE INDEX backup_restore_test_policy ON backup_restore_test (policy_id, performed_at);
CREATE TABLE backup_ingest_token (
  id {uuid} PRIMARY KEY, {tenant_cols},
  name varchar NOT NULL,
  lookup_hash varchar NOT NULL UNIQUE,
  created_by text NOT NULL,
  created_at {ts} NOT NULL,
  last_used_at {ts},
  revoked_at {ts}
);
CREATE TABLE backup_ingest_event (
  id {uuid} PRIMARY KEY, {tenant_cols},
  token_id {uuid} NOT NULL REFERENCES backup_ingest_token(id),
  received_at {ts} NOT NULL,
  outcome varchar NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
  reason varchar,
  report_id varchar,
  job_id {uuid},
  detail text
);
CREATE INDEX backup_ingest_event_tenant_time ON backup_ingest_event (tenant_id, received_at);
"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await?;
        if backend == DatabaseBackend::Postgres {
            // The webhook finds its token before it knows the tenant: by the SHA-256 of the
            // token id, carried in `app.token_hash` like API tokens.
            let p = format!(
                "lookup_hash = mutualis_token_hash() OR {}",
                crate::TENANT_PREDICATE
            );
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "DROP POLICY scope ON backup_ingest_token; \
                     CREATE POLICY scope ON backup_ingest_token USING ({p}) WITH CHECK ({p});"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
