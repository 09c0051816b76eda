//! The budget account a service's costs are recovered on (issue 20): an intercommunality that
//! issues titres de recettes imputes each service to its own account of the M57 nomenclature
//! (70875 for reimbursements by member communes, 70848 for other mutualised services…). Empty,
//! the organisation's account of its billing identity applies.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261215_000028_service_budget_account"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE cost_service ADD COLUMN budget_account varchar")
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE cost_service DROP COLUMN budget_account")
            .await
            .map(|_| ())
    }
}
