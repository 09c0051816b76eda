//! The queue's dead jobs, put back by the organisation's DSI from the billing page (the billing
//! and report jobs are the ones a person waits for). Audited, so it sits above `audit`, which
//! the queue itself must not import (`audit` feeds the queue).
use super::BillingError;
use crate::audit;
use crate::entities::job::{self, JobStatus};
use crate::tenancy::{can, Can};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel, Set};
use uuid::Uuid;

/// A dead job back in the queue, with its attempts reset.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn retry(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    id: Uuid,
) -> Result<job::Model, BillingError> {
    let txn = scope.begin(db).await?;
    let j = scope.get::<job::Entity, _>(&txn, id).await??;
    if j.status != JobStatus::Dead {
        return Err(BillingError::Conflict(format!(
            "Seule une tâche abandonnée (dead) se relance à la main ; celle-ci est à l'état « {} ».",
            j.status.as_str()
        )));
    }
    let mut a = j.into_active_model();
    a.status = Set(JobStatus::Pending);
    a.attempts = Set(0);
    a.run_at = Set(Utc::now());
    a.finished_at = Set(None);
    let m = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        audit::Entry {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            operation: "job.retry",
            before: Some(serde_json::json!({"status": "dead", "kind": m.kind})),
            after: Some(serde_json::json!({"status": "pending"})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}
