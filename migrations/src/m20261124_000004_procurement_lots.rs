//! Procurement lots and subcontracting: a contract divided into lots (allotissement) has one
//! record per lot, each published as its own DECP `marche`; the special acts of subcontracting
//! (actes spéciaux de sous-traitance) notified on a contract, published as `actesSousTraitance`.
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000004_procurement_lots"
    }
}

/// Tables of this migration, all keyed by (organisation_id, tenant_id).
pub const TABLES: &[&str] = &["proc_lot", "proc_subcontracting_act"];

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
CREATE TABLE proc_lot (
  id {uuid} PRIMARY KEY, {tenant_cols},
  contract_id {uuid} NOT NULL REFERENCES proc_contract(id),
  number integer NOT NULL CHECK (number >= 1),
  object text NOT NULL,
  cpv varchar NOT NULL,
  estimated_cents bigint NOT NULL CHECK (estimated_cents >= 0),
  awarded_cents bigint CHECK (awarded_cents >= 0),
  duration_months integer CHECK (duration_months > 0),
  supplier_ids {json} NOT NULL
);
CREATE UNIQUE INDEX proc_lot_number ON proc_lot (contract_id, number);
CREATE TABLE proc_subcontracting_act (
  id {uuid} PRIMARY KEY, {tenant_cols},
  contract_id {uuid} NOT NULL REFERENCES proc_contract(id),
  number integer NOT NULL CHECK (number >= 1),
  lot integer,
  id_type varchar NOT NULL,
  identifier varchar NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents >= 100),
  notified_on {date} NOT NULL,
  duration_months integer NOT NULL CHECK (duration_months > 0),
  price_variation varchar NOT NULL,
  created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX proc_subcontracting_act_number ON proc_subcontracting_act (contract_id, number);
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
