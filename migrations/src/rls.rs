//! PostgreSQL row-level security: the backstop under the typed scope.
//!
//! The scope of a transaction lives in transaction-local settings (`SET LOCAL`, which a Citus
//! coordinator forwards to its workers; see `tenants::tenancy::scope`): `app.tenant_ids` (uuid[]
//! of tenants), `app.org_ids` (organisations the principal sees whole), `app.member_org_ids`
//! (those plus the organisations of its tenants), `app.user_id`, `app.token_hash` (used only
//! while resolving a principal) and `app.platform` ('on' for operator commands). Unset settings
//! read as empty, so unscoped code sees nothing.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// The role the server logs in as: no ownership, no BYPASSRLS.
pub const APP_ROLE: &str = "mutualis_app";

/// The role `pg_dump` runs as (`mutualis database-roles`): BYPASSRLS, reads only. Not created
/// by the migrations: only a superuser may give BYPASSRLS.
pub const BACKUP_ROLE: &str = "mutualis_backup";

/// Every table that holds organisation or tenant data, with its policy predicate. A test checks
/// that every table with an `organisation_id` column is listed here and has RLS forced.
pub const TENANT_TABLES: &[(&str, &str)] = &[
    (
        "tenant",
        "id = ANY(mutualis_tenant_ids()) OR organisation_id = ANY(mutualis_org_ids()) OR mutualis_platform()",
    ),
    (
        "organisation",
        // Visible when one of its tenants is: the predicate runs under tenant's own policy.
        // Migration 31 replaces this subquery (Citus refuses it) with `app.member_org_ids`.
        "mutualis_platform() OR id = ANY(mutualis_org_ids()) OR EXISTS (SELECT 1 FROM tenant t WHERE t.organisation_id = organisation.id)",
    ),
    (
        "membership",
        "user_id = mutualis_user_id() OR organisation_id = ANY(mutualis_org_ids()) OR tenant_id = ANY(mutualis_tenant_ids()) OR mutualis_platform()",
    ),
    (
        "auditor_grant",
        "user_id = mutualis_user_id() OR organisation_id = ANY(mutualis_org_ids()) OR mutualis_platform()",
    ),
    (
        "api_token",
        "secret_hash = mutualis_token_hash() OR organisation_id = ANY(mutualis_org_ids()) OR mutualis_platform()",
    ),
    (
        "audit_log",
        "tenant_id = ANY(mutualis_tenant_ids()) OR organisation_id = ANY(mutualis_org_ids()) OR mutualis_platform()",
    ),
];

const FUNCTIONS: &str = r#"
CREATE OR REPLACE FUNCTION mutualis_tenant_ids() RETURNS uuid[] LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('app.tenant_ids', true), ''), '{}')::uuid[] $$;
CREATE OR REPLACE FUNCTION mutualis_org_ids() RETURNS uuid[] LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('app.org_ids', true), ''), '{}')::uuid[] $$;
CREATE OR REPLACE FUNCTION mutualis_user_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION mutualis_token_hash() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.token_hash', true), '') $$;
CREATE OR REPLACE FUNCTION mutualis_platform() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT coalesce(current_setting('app.platform', true), '') = 'on' $$;
"#;

pub(crate) async fn install(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared(FUNCTIONS).await?;
    db.execute_unprepared(&format!(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
             CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
           END IF;
         END $$;"
    ))
    .await?;
    for (table, predicate) in TENANT_TABLES {
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
             ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
             DROP POLICY IF EXISTS scope ON {table};
             CREATE POLICY scope ON {table} USING ({predicate}) WITH CHECK ({predicate});"
        ))
        .await?;
    }
    grant_app_role(db).await
}

/// The predicate of every tenant-owned table added after the platform migration.
pub const TENANT_PREDICATE: &str =
    "tenant_id = ANY(mutualis_tenant_ids()) OR organisation_id = ANY(mutualis_org_ids()) OR mutualis_platform()";

/// RLS (enabled, forced, one policy) on tables keyed by (organisation_id, tenant_id), then the
/// application role's grants.
pub(crate) async fn protect<C: ConnectionTrait>(db: &C, tables: &[&str]) -> Result<(), DbErr> {
    for table in tables {
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
             ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
             DROP POLICY IF EXISTS scope ON {table};
             CREATE POLICY scope ON {table} USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE});"
        ))
        .await?;
    }
    grant_app_role(db).await
}

/// RLS on one table with its own predicate (a person's own rows), then the grants.
pub(crate) async fn protect_with<C: ConnectionTrait>(
    db: &C,
    table: &str,
    predicate: &str,
) -> Result<(), DbErr> {
    db.execute_unprepared(&format!(
        "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
         ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS scope ON {table};
         CREATE POLICY scope ON {table} USING ({predicate}) WITH CHECK ({predicate});"
    ))
    .await?;
    grant_app_role(db).await
}

/// Grants are repeated after each migration that adds tables.
pub(crate) async fn grant_app_role<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    db.execute_unprepared(&format!(
        "GRANT USAGE ON SCHEMA public TO {APP_ROLE};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE};
         REVOKE ALL ON seaql_migrations FROM {APP_ROLE};
         GRANT SELECT ON seaql_migrations TO {APP_ROLE};
         GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {APP_ROLE};"
    ))
    .await
    .map(|_| ())
}
