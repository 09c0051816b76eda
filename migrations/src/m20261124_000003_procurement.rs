//! Procurement module: suppliers shared by an organisation, contracts (marchés) with their
//! contractors, amendments and joint-procurement shares.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000003_procurement"
    }
}

/// Tables of this migration, all keyed by (organisation_id, tenant_id).
pub const TABLES: &[&str] = &[
    "proc_supplier",
    "proc_contract",
    "proc_contract_supplier",
    "proc_amendment",
    "proc_share",
];

/// Portable DDL: uuid/timestamptz/jsonb on PostgreSQL, their sea-orm equivalents on SQLite.
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
CREATE TABLE proc_supplier (
  id {uuid} PRIMARY KEY, {tenant_cols},
  id_type varchar NOT NULL,
  identifier varchar NOT NULL,
  name varchar NOT NULL,
  created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX proc_supplier_identifier ON proc_supplier (organisation_id, id_type, identifier);
CREATE TABLE proc_contract (
  id {uuid} PRIMARY KEY, {tenant_cols},
  reference varchar NOT NULL,
  object text NOT NULL,
  nature varchar NOT NULL,
  category varchar NOT NULL,
  procedure varchar NOT NULL,
  techniques {json} NOT NULL,
  execution_modalities {json} NOT NULL,
  ccag varchar NOT NULL,
  price_form varchar NOT NULL,
  price_types {json} NOT NULL,
  cpv varchar NOT NULL,
  estimated_cents bigint NOT NULL CHECK (estimated_cents >= 0),
  awarded_cents bigint CHECK (awarded_cents >= 0),
  lots integer NOT NULL DEFAULT 1,
  notified_on {date},
  duration_months integer NOT NULL CHECK (duration_months > 0),
  renewals integer NOT NULL DEFAULT 0,
  renewal_months integer NOT NULL DEFAULT 0,
  notice_days integer NOT NULL DEFAULT 0,
  place_code varchar NOT NULL,
  place_type varchar NOT NULL,
  social_considerations {json} NOT NULL,
  environmental_considerations {json} NOT NULL,
  subcontracting boolean NOT NULL DEFAULT false,
  joint boolean NOT NULL DEFAULT false,
  initial_supplier_ids {json} NOT NULL,
  buyer_siret varchar,
  offers_received integer CHECK (offers_received >= 1),
  innovative boolean NOT NULL DEFAULT false,
  advance_paid boolean NOT NULL DEFAULT false,
  operator_grouping varchar NOT NULL DEFAULT 'Pas de groupement',
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX proc_contract_reference ON proc_contract (tenant_id, reference);
CREATE INDEX proc_contract_cpv ON proc_contract (organisation_id, tenant_id, cpv);
CREATE TABLE proc_contract_supplier (
  contract_id {uuid} NOT NULL REFERENCES proc_contract(id),
  supplier_id {uuid} NOT NULL REFERENCES proc_supplier(id),
  {tenant_cols},
  PRIMARY KEY (contract_id, supplier_id)
);
CREATE TABLE proc_amendment (
  id {uuid} PRIMARY KEY, {tenant_cols},
  contract_id {uuid} NOT NULL REFERENCES proc_contract(id),
  signed_on {date} NOT NULL,
  object text NOT NULL DEFAULT '',
  awarded_cents bigint CHECK (awarded_cents >= 0),
  duration_months integer CHECK (duration_months > 0),
  supplier_ids {json},
  created_at {ts} NOT NULL
);
CREATE TABLE proc_share (
  contract_id {uuid} NOT NULL REFERENCES proc_contract(id),
  {tenant_cols},
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  reference varchar NOT NULL,
  object text NOT NULL,
  cpv varchar NOT NULL,
  PRIMARY KEY (contract_id, tenant_id)
);
"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await?;
        if backend == DatabaseBackend::Postgres {
            // Suppliers live in the organisation's own tenant and are shared with its members:
            // readable (never writable) by anyone holding a role on one of its tenants.
            db.execute_unprepared(
                "CREATE POLICY members ON proc_supplier FOR SELECT
                   USING (organisation_id = ANY(mutualis_member_org_ids()));",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
