//! The jobs the worker runs, one file per kind (crates.io's layout). Each kind's payload type
//! is defined by the module that queues it (`tenants::jobs::Job`); here it gets its `run`.
//! The payload is read back as that type, so a malformed one fails the job with its reason
//! instead of running on a guess.
mod bilan;
mod digest;
mod email_alert;
mod push_invoice;
mod reversibility;
mod snapshot;

pub use digest::send_digests;

use crate::JobSettings;
use sea_orm::DatabaseConnection;
use std::future::Future;
use tenants::entities::job;
use tenants::jobs::Job;

/// How one kind of job runs; `Err` is retried later with its message kept on the job.
pub(crate) trait Run: Job {
    fn run(
        self,
        db: &DatabaseConnection,
        s: &JobSettings,
        j: &job::Model,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

async fn run_as<J: Run>(
    db: &DatabaseConnection,
    s: &JobSettings,
    j: &job::Model,
) -> Result<(), String> {
    // A JSON value is its own deserializer.
    let payload = J::deserialize(j.payload.clone())
        .map_err(|e| format!("payload of {} unreadable: {e}", J::KIND))?;
    payload.run(db, s, j).await
}

/// Runs one claimed job by its kind.
pub(crate) async fn run_job(
    db: &DatabaseConnection,
    s: &JobSettings,
    j: &job::Model,
) -> Result<(), String> {
    use tenants::{alerts, billing, gdpr::bilan, jobs, reversibility::requests};
    match j.kind.as_str() {
        billing::PushInvoice::KIND => run_as::<billing::PushInvoice>(db, s, j).await,
        alerts::EmailAlert::KIND => run_as::<alerts::EmailAlert>(db, s, j).await,
        alerts::Digest::KIND => run_as::<alerts::Digest>(db, s, j).await,
        jobs::Snapshot::KIND => run_as::<jobs::Snapshot>(db, s, j).await,
        bilan::BilanJob::KIND => run_as::<bilan::BilanJob>(db, s, j).await,
        requests::ExportJob::KIND => run_as::<requests::ExportJob>(db, s, j).await,
        other => Err(format!("unknown job kind {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use tenants::calendar::Period;
    use tenants::jobs::{Job, Snapshot, SnapshotTrigger};
    use uuid::Uuid;

    fn key<J: Job>(j: &J) -> String {
        format!("{}:{}", J::KIND, j.cause())
    }

    /// Jobs queued before the payloads were typed still read back, and causes keep their keys
    /// (a changed key would let a cause be queued twice across an upgrade).
    #[test]
    fn jobs_payloads_and_keys_keep_their_stored_shape() {
        use serde_json::json;
        let id = Uuid::from_u128(7);
        let t = Uuid::from_u128(8);
        let invoice = tenants::billing::PushInvoice { invoice_id: id };
        assert_eq!(
            serde_json::to_value(&invoice).ok(),
            Some(json!({"invoiceId": id}))
        );
        assert_eq!(key(&invoice), format!("billing.push_invoice:{id}"));
        let bilan = tenants::gdpr::bilan::BilanJob {
            run_id: id,
            tenant_id: t,
            year: 2025,
        };
        assert_eq!(
            serde_json::to_value(&bilan).ok(),
            Some(json!({"runId": id, "tenantId": t, "year": 2025}))
        );
        assert_eq!(key(&bilan), format!("gdpr.bilan:{id}:{t}"));
        let period = Period::parse("2026-12").expect("a month");
        let change = Snapshot {
            organisation_id: id,
            period,
            after: DateTime::<Utc>::from_timestamp(60, 0),
            trigger: SnapshotTrigger::Change {
                tenant_id: t,
                minute: 0,
            },
        };
        assert_eq!(
            serde_json::to_value(&change).ok(),
            Some(
                json!({"organisationId": id, "period": "2026-12", "after": "1970-01-01T00:01:00Z"})
            )
        );
        assert_eq!(
            key(&change),
            format!("reporting.snapshot:{id}:{t}:2026-12:m0")
        );
        let hourly = Snapshot {
            after: None,
            trigger: SnapshotTrigger::Hourly { hour: 5 },
            ..change.clone()
        };
        assert_eq!(
            serde_json::to_value(&hourly).ok(),
            Some(json!({"organisationId": id, "period": "2026-12"}))
        );
        assert_eq!(key(&hourly), format!("reporting.snapshot:{id}:2026-12:h5"));
        let read: Snapshot =
            serde_json::from_value(json!({"organisationId": id, "period": "2026-12"}))
                .expect("an older payload");
        assert_eq!((read.period, read.after), (period, None));
        assert!(serde_json::from_value::<Snapshot>(
            json!({"organisationId": id, "period": "2026-13"})
        )
        .is_err());
        assert!(
            serde_json::from_value::<tenants::reversibility::requests::ExportJob>(json!({}))
                .is_err()
        );
    }
}
