//! `organisation`'s row-level security policy without a subquery (issue 24): Citus refuses
//! policies holding a subquery on its tables ("Subqueries are not supported in policies on
//! distributed tables"), and `organisation` becomes a reference table there.
//!
//! Before: visible to the platform, to scopes reaching it whole (`app.org_ids`), or when one of
//! its tenants is visible (`EXISTS (SELECT 1 FROM tenant …)`, evaluated under tenant's policy).
//! After: the last case reads `app.member_org_ids`, which `Scope::begin` sets to the
//! organisations it reaches whole plus those of the tenants it reaches
//! (`Scope::member_organisations`), the organisations the subquery found: a scope's tenants
//! come from grants naming their organisation, and the composite foreign keys hold the pair.
use crate::rls::TENANT_TABLES;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261216_000031_organisation_policy"
    }
}

/// The predicate this migration installs.
pub const ORGANISATION_PREDICATE: &str =
    "mutualis_platform() OR id = ANY(mutualis_org_ids()) OR id = ANY(mutualis_member_org_ids())";

fn policy(predicate: &str) -> String {
    format!(
        "DROP POLICY IF EXISTS scope ON organisation;
         CREATE POLICY scope ON organisation USING ({predicate}) WITH CHECK ({predicate});"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(&policy(ORGANISATION_PREDICATE))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let before = TENANT_TABLES
            .iter()
            .find(|(t, _)| *t == "organisation")
            .map(|(_, p)| *p)
            .ok_or_else(|| DbErr::Custom("organisation's first policy".into()))?;
        manager
            .get_connection()
            .execute_unprepared(&policy(before))
            .await
            .map(|_| ())
    }
}
