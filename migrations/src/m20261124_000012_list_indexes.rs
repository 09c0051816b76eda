//! Indexes for the lists a commune reads most, found by the France-scale benchmark: the
//! tenant's activities by name and its rights requests by date. The earlier indexes lead with
//! `organisation_id`, which a commune's scope (its tenant only) does not give, so on all of
//! France PostgreSQL read every row of the table for each page.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000012_list_indexes"
    }
}

const UP: &[&str] = &[
    "CREATE INDEX gdpr_activity_tenant_name ON gdpr_activity (tenant_id, name, id)",
    "CREATE INDEX gdpr_request_tenant_received ON gdpr_request (tenant_id, received_on DESC, id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for stmt in UP {
            manager.get_connection().execute_unprepared(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["gdpr_activity_tenant_name", "gdpr_request_tenant_received"] {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
