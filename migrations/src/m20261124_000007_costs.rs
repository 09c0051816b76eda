//! Cost allocation: the service catalogue, communes' subscriptions, allocation keys, cost
//! pools, allocation runs and their lines. Organisation-level rows (services, pools, runs) are
//! keyed by the organisation's own tenant, so communes never read them; each commune reads
//! the lines of its own share.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000007_costs"
    }
}

pub const TABLES: &[&str] = &[
    "cost_service",
    "cost_subscription",
    "cost_key_value",
    "cost_pool",
    "cost_run",
    "cost_line",
];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types {
        uuid,
        ts,
        json,
        date,
        tenant_cols,
    } = crate::ddl::Types::of(backend);
    format!(
        r#"
CREATE TABLE cost_service (
  id {uuid} PRIMARY KEY, {tenant_cols},
  code varchar NOT NULL,
  name text NOT NULL,
  unit varchar NOT NULL,
  created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX cost_service_code ON cost_service (organisation_id, code);
CREATE TABLE cost_subscription (
  id {uuid} PRIMARY KEY, {tenant_cols},
  service_id {uuid} NOT NULL REFERENCES cost_service(id),
  starts_on {date} NOT NULL,
  ends_on {date},
  created_at {ts} NOT NULL,
  CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE UNIQUE INDEX cost_subscription_start ON cost_subscription (tenant_id, service_id, starts_on);
CREATE TABLE cost_key_value (
  id {uuid} PRIMARY KEY, {tenant_cols},
  key varchar NOT NULL,
  year integer NOT NULL,
  value bigint NOT NULL CHECK (value >= 0),
  updated_by text NOT NULL,
  updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX cost_key_value_key ON cost_key_value (tenant_id, key, year);
CREATE TABLE cost_pool (
  id {uuid} PRIMARY KEY, {tenant_cols},
  service_id {uuid} NOT NULL REFERENCES cost_service(id),
  label text NOT NULL,
  period_start {date} NOT NULL,
  period_end {date} NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  method {json} NOT NULL,
  version integer NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  CHECK (period_end >= period_start)
);
CREATE TABLE cost_run (
  id {uuid} PRIMARY KEY, {tenant_cols},
  pool_id {uuid} NOT NULL REFERENCES cost_pool(id),
  kind varchar NOT NULL CHECK (kind IN ('allocation', 'correction')),
  corrects_run_id {uuid} REFERENCES cost_run(id),
  status varchar NOT NULL CHECK (status IN ('final', 'superseded', 'invoiced')),
  total_cents bigint NOT NULL,
  inputs {json} NOT NULL,
  created_by text NOT NULL,
  created_at {ts} NOT NULL,
  invoiced_at {ts}
);
CREATE INDEX cost_run_pool ON cost_run (pool_id, created_at);
CREATE TABLE cost_line (
  id {uuid} PRIMARY KEY, {tenant_cols},
  run_id {uuid} NOT NULL REFERENCES cost_run(id),
  pool_id {uuid} NOT NULL REFERENCES cost_pool(id),
  service_code varchar NOT NULL,
  service_name text NOT NULL,
  pool_label text NOT NULL,
  amount_cents bigint NOT NULL,
  basis {json} NOT NULL,
  explanation text NOT NULL,
  period_start {date} NOT NULL,
  period_end {date} NOT NULL,
  superseded boolean NOT NULL
);
CREATE INDEX cost_line_run ON cost_line (run_id);
CREATE INDEX cost_line_tenant ON cost_line (tenant_id, period_start);
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
