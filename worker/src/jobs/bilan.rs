//! Write one commune's GDPR bilan of a run.
use super::Run;
use crate::JobSettings;
use sea_orm::DatabaseConnection;
use tenants::entities::job;
use tenants::gdpr::bilan::{self, BilanJob};

impl Run for BilanJob {
    async fn run(
        self,
        db: &DatabaseConnection,
        _: &JobSettings,
        j: &job::Model,
    ) -> Result<(), String> {
        bilan::generate(db, j.organisation_id, self.run_id, self.tenant_id)
            .await
            .map_err(|e| e.to_string())
    }
}
