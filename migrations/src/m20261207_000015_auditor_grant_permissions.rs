//! An auditor grant carries only the permissions of the auditor role that its granter held
//! (issue 18: a DPO's grant opened contracts and costs the DPO cannot read). Grants made
//! before are limited the same way, by their granter's role: those not made by an
//! organisation administrator or a platform administrator keep the DPO's share only.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000015_auditor_grant_permissions"
    }
}

/// The auditor's permissions a DPO holds (`tenants::tenancy::Role::Dpo`).
const DPO_SHARE: &str =
    r#"["read_directory","read_audit","read_gdpr","export_gdpr","read_backups"]"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let (json, literal) = match backend {
            DatabaseBackend::Postgres => ("jsonb", format!("'{DPO_SHARE}'::jsonb")),
            _ => ("json_text", format!("'{DPO_SHARE}'")),
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "ALTER TABLE auditor_grant ADD COLUMN permissions {json}"
        ))
        .await?;
        let update = format!(
            "UPDATE auditor_grant SET permissions = {literal}
             WHERE created_by IS NOT NULL
               AND created_by NOT IN (SELECT id FROM app_user WHERE platform_admin)
               AND created_by NOT IN (SELECT user_id FROM membership
                 WHERE role = 'org_admin' AND membership.organisation_id = auditor_grant.organisation_id)"
        );
        if backend == DatabaseBackend::Postgres {
            // The owner is under forced row-level security too: the platform scope, for this
            // transaction only.
            db.execute_unprepared(&format!(
                "DO $$ BEGIN PERFORM set_config('app.platform', 'on', true); {update}; END $$"
            ))
            .await?;
        } else {
            db.execute_unprepared(&update).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE auditor_grant DROP COLUMN permissions")
            .await
            .map(|_| ())
    }
}
