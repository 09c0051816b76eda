//! Billing identity (issue 20): what a public buyer's invoice must carry to be accepted by
//! Chorus Pro, per tenant (a commune as buyer, the intercommunality's own tenant as seller),
//! and the channel each commune is billed through. An invoice keeps a copy of the identity it
//! was issued with: a later correction of the SIRET must not rewrite an issued invoice.
//!
//! Keys follow migration 13 on PostgreSQL (the table is a future Citus distributed table).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000026_billing_identity"
    }
}

pub const TABLES: &[&str] = &["billing_identity"];

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types { uuid, ts, .. } = crate::ddl::Types::of(backend);
    let pg = backend == DatabaseBackend::Postgres;
    // PostgreSQL: the composite keys of migration 13; SQLite: the plain ones.
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
    format!(
        r#"
CREATE TABLE billing_identity (
  id {uuid} NOT NULL, {tenant_cols},
  siret varchar,
  service_code varchar,
  service_code_required boolean NOT NULL DEFAULT false,
  commitment_number varchar,
  commitment_required boolean NOT NULL DEFAULT false,
  channel varchar NOT NULL DEFAULT 'chorus_pro' CHECK (channel IN ('chorus_pro', 'titre', 'stripe')),
  iban varchar,
  bic varchar,
  agreement_reference varchar,
  budget_account varchar,
  updated_by varchar NOT NULL,
  updated_at {ts} NOT NULL,
  {pk}
);
CREATE UNIQUE INDEX billing_identity_tenant ON billing_identity (tenant_id, organisation_id);
ALTER TABLE billing_invoice ADD COLUMN channel varchar NOT NULL DEFAULT 'stripe';
ALTER TABLE billing_invoice ADD COLUMN buyer_siret varchar;
ALTER TABLE billing_invoice ADD COLUMN service_code varchar;
ALTER TABLE billing_invoice ADD COLUMN commitment_number varchar;
ALTER TABLE billing_invoice ADD COLUMN corrects_number varchar
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
        let db = manager.get_connection();
        for c in [
            "channel",
            "buyer_siret",
            "service_code",
            "commitment_number",
            "corrects_number",
        ] {
            db.execute_unprepared(&format!("ALTER TABLE billing_invoice DROP COLUMN {c}"))
                .await?;
        }
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
