//! Alerts: one row per cause (a rights request overdue, a breach near its 72 hours, a notice
//! deadline, a backup past its RPO…), recorded once however often the scans run, and the
//! deliveries made to each person; each user's choice of immediate emails or a daily digest.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000010_alerts"
    }
}

pub const TABLES: &[&str] = &["alert", "alert_delivery"];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types {
        uuid,
        ts,
        tenant_cols,
        ..
    } = crate::ddl::Types::of(backend);
    format!(
        r#"
CREATE TABLE alert (
  id {uuid} PRIMARY KEY, {tenant_cols},
  kind varchar NOT NULL,
  cause_key varchar NOT NULL,
  title text NOT NULL,
  detail text NOT NULL,
  due_at {ts},
  created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX alert_cause ON alert (tenant_id, cause_key);
CREATE INDEX alert_created ON alert (organisation_id, created_at);
CREATE TABLE alert_delivery (
  id {uuid} PRIMARY KEY, {tenant_cols},
  alert_id {uuid} NOT NULL REFERENCES alert(id),
  user_id {uuid} NOT NULL,
  channel varchar NOT NULL CHECK (channel IN ('immediate', 'digest')),
  sent_at {ts} NOT NULL
);
CREATE UNIQUE INDEX alert_delivery_once ON alert_delivery (alert_id, user_id);
ALTER TABLE app_user ADD COLUMN alert_mode varchar NOT NULL DEFAULT 'immediate'
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
