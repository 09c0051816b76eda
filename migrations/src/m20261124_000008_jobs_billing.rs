//! Durable jobs (the transactional outbox: a job row is written in the same transaction as the
//! change that causes it; workers claim rows with `FOR UPDATE SKIP LOCKED`), and billing:
//! billing runs, one invoice per commune and period, Stripe customers, Stripe events seen.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000008_jobs_billing"
    }
}

pub const TABLES: &[&str] = &["job", "billing_run", "billing_invoice", "billing_customer"];

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
CREATE TABLE job (
  id {uuid} PRIMARY KEY, {tenant_cols},
  kind varchar NOT NULL,
  payload {json} NOT NULL,
  dedup_key varchar NOT NULL UNIQUE,
  status varchar NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead')),
  attempts integer NOT NULL,
  max_attempts integer NOT NULL,
  run_at {ts} NOT NULL,
  locked_until {ts},
  locked_by varchar,
  last_error text,
  created_at {ts} NOT NULL,
  finished_at {ts}
);
CREATE INDEX job_ready ON job (status, run_at);
CREATE TABLE billing_run (
  id {uuid} PRIMARY KEY, {tenant_cols},
  period_start {date} NOT NULL,
  period_end {date} NOT NULL,
  label text NOT NULL,
  status varchar NOT NULL CHECK (status IN ('running', 'done')),
  invoices integer NOT NULL,
  total_cents bigint NOT NULL,
  created_by text NOT NULL,
  created_at {ts} NOT NULL,
  finished_at {ts}
);
CREATE INDEX billing_run_period ON billing_run (organisation_id, period_start);
CREATE TABLE billing_invoice (
  id {uuid} PRIMARY KEY, {tenant_cols},
  billing_run_id {uuid} NOT NULL REFERENCES billing_run(id),
  number varchar NOT NULL,
  amount_cents bigint NOT NULL,
  status varchar NOT NULL CHECK (status IN ('pending', 'open', 'paid', 'void', 'credit_note')),
  lines {json} NOT NULL,
  issued_on {date} NOT NULL,
  due_on {date} NOT NULL,
  stripe_invoice_id varchar,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX billing_invoice_commune ON billing_invoice (billing_run_id, tenant_id);
CREATE UNIQUE INDEX billing_invoice_number ON billing_invoice (organisation_id, number);
CREATE TABLE billing_customer (
  id {uuid} PRIMARY KEY, {tenant_cols},
  stripe_customer_id varchar NOT NULL,
  created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX billing_customer_tenant ON billing_customer (tenant_id);
CREATE TABLE billing_stripe_event (
  id varchar PRIMARY KEY,
  kind varchar NOT NULL,
  received_at {ts} NOT NULL
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
        crate::ddl::drop_tables(manager, &["billing_stripe_event"]).await?;
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
