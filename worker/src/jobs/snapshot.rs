//! Recompute an organisation's consolidated report of a month.
use super::Run;
use crate::JobSettings;
use chrono::Utc;
use sea_orm::DatabaseConnection;
use tenants::entities::job;
use tenants::jobs::Snapshot;
use tenants::reporting::snapshot;

impl Run for Snapshot {
    async fn run(
        self,
        db: &DatabaseConnection,
        _: &JobSettings,
        _: &job::Model,
    ) -> Result<(), String> {
        // A change-triggered job a fresher computation already covers is done.
        if let Some(after) = self.after {
            let done = snapshot::computed_at(db, self.organisation_id, self.period)
                .await
                .map_err(|e| e.to_string())?;
            if done.is_some_and(|d| d >= after) {
                return Ok(());
            }
        }
        snapshot::refresh(db, self.organisation_id, self.period, Utc::now())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
