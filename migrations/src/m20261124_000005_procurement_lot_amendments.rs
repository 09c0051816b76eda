//! Amendments of one lot: an amendment (modification) of a contract divided into lots may
//! change one lot's awarded amount or contractors; `lot` names it (none: the whole contract).
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000005_procurement_lot_amendments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE proc_amendment ADD COLUMN lot integer")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE proc_amendment DROP COLUMN lot")
            .await?;
        Ok(())
    }
}
