//! The commune's GDPR actors (issue 19): its référent RGPD, the representative of the
//! controller (the mayor or a delegate), its IT referent and the members of its comité
//! Informatique et Libertés; and each person's choice of visible columns per list, which
//! follows them from one browser to another.
//!
//! `gdpr_actor` is keyed as migration 13 left every organisation table on PostgreSQL
//! (`organisation_id` in the primary key and in the tenant's foreign key). A column choice is
//! nobody's tenant data: it belongs to one person, and row-level security shows a person only
//! their own rows (`user_id = mutualis_user_id()`).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261215_000025_gdpr_actors"
    }
}

/// Tables under the tenant predicate.
pub const TABLES: &[&str] = &["gdpr_actor"];
/// The per-person table and its own predicate.
pub const USER_TABLE: &str = "user_list_preference";
pub const USER_PREDICATE: &str = "user_id = mutualis_user_id() OR mutualis_platform()";

fn ddl(backend: DatabaseBackend) -> String {
    let crate::ddl::Types {
        uuid,
        ts,
        json,
        date,
        ..
    } = crate::ddl::Types::of(backend);
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
    format!(
        r#"
CREATE TABLE gdpr_actor (
  id {uuid} NOT NULL, {tenant_cols},
  role varchar NOT NULL CHECK (role IN ('referent', 'representative', 'it_referent', 'committee_member')),
  committee_role varchar NOT NULL DEFAULT '',
  full_name varchar NOT NULL,
  function_title varchar NOT NULL DEFAULT '',
  email varchar NOT NULL DEFAULT '',
  phone varchar NOT NULL DEFAULT '',
  since {date},
  version integer NOT NULL DEFAULT 1,
  updated_by varchar NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  {pk}
);
CREATE INDEX gdpr_actor_tenant ON gdpr_actor (tenant_id, role);
CREATE TABLE user_list_preference (
  user_id {uuid} NOT NULL REFERENCES app_user(id),
  list_key varchar NOT NULL,
  columns {json} NOT NULL,
  updated_at {ts} NOT NULL,
  PRIMARY KEY (user_id, list_key)
)
"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        crate::ddl::apply(manager, &ddl(backend), TABLES).await?;
        if backend == DatabaseBackend::Postgres {
            crate::rls::protect_with(manager.get_connection(), USER_TABLE, USER_PREDICATE).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::ddl::drop_tables(manager, &[USER_TABLE]).await?;
        crate::ddl::drop_tables(manager, TABLES).await
    }
}
