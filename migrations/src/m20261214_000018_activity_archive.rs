//! Archived activities (issue 17): an activity the commune no longer carries out leaves its
//! register, the exports and the figures, but stays readable (and in the audit trail). A model
//! is copied once into a commune's register: a second copy is refused while the first is
//! there (the index makes finding it cheap).
use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261214_000018_activity_archive"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let ts = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "timestamptz",
            _ => "timestamp_with_timezone_text",
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "ALTER TABLE gdpr_activity ADD COLUMN archived_at {ts}"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX gdpr_activity_model_instance ON gdpr_activity (tenant_id, model_id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS gdpr_activity_model_instance")
            .await?;
        db.execute_unprepared("ALTER TABLE gdpr_activity DROP COLUMN archived_at")
            .await?;
        Ok(())
    }
}
