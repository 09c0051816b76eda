//! A version number on each contract, raised by every change (edit, amendment, act of
//! subcontracting): an edit made on a contract that changed since it was opened is refused
//! instead of silently undoing the other change.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261214_000020_contract_version"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE proc_contract ADD COLUMN version integer NOT NULL DEFAULT 1",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE proc_contract DROP COLUMN version")
            .await?;
        Ok(())
    }
}
