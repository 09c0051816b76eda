//! Build one requested reversibility export.
use super::Run;
use crate::JobSettings;
use sea_orm::DatabaseConnection;
use tenants::entities::job;
use tenants::reversibility::requests::{self, ExportJob};

impl Run for ExportJob {
    async fn run(
        self,
        db: &DatabaseConnection,
        s: &JobSettings,
        _: &job::Model,
    ) -> Result<(), String> {
        requests::run(db, self.export_id, s.storage.as_ref())
            .await
            .map_err(|e| e.to_string())
    }
}
