//! Restore tests: who restored what, when, how long it took and how it went — the evidence a
//! continuity plan (and its auditor) asks for. A policy without a successful test in the last
//! 12 months is flagged by `compliance`.
use super::{bad, one_of, text, BackupError, RESTORE_RESULTS};
use crate::audit::{self, Entry};
use crate::entities::{backup_policy, backup_restore_test};
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{can, Can, Scope};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NewRestoreTest {
    pub policy_id: Uuid,
    pub performed_at: DateTime<Utc>,
    pub performed_by: String,
    pub restored: String,
    pub duration_seconds: i64,
    pub result: String,
    pub notes: String,
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn record(
    db: &DatabaseConnection,
    scope: &Can<can::RecordRestoreTests>,
    t: NewRestoreTest,
    now: DateTime<Utc>,
) -> Result<backup_restore_test::Model, BackupError> {
    if t.performed_at > now + Duration::minutes(5) {
        return Err(bad(
            "performedAt",
            "La date ne peut pas être dans le futur.",
        ));
    }
    if t.performed_at < now - Duration::days(3660) {
        return Err(bad("performedAt", "La date remonte à plus de dix ans."));
    }
    let performed_by = text("performedBy", &t.performed_by, 200)?;
    let restored = text("restored", &t.restored, 1000)?;
    if !(0..=30 * 86_400).contains(&t.duration_seconds) {
        return Err(bad(
            "durationSeconds",
            "La durée est comprise entre 0 et 30 jours.",
        ));
    }
    let result = one_of("result", &t.result, RESTORE_RESULTS)?;
    let notes = t.notes.trim().to_owned();
    if notes.chars().count() > 5000 {
        return Err(bad("notes", "Les notes comptent 5 000 caractères au plus."));
    }
    if result != "success" && notes.is_empty() {
        return Err(bad(
            "notes",
            "Dites ce qui n'a pas marché : un test partiel ou échoué demande des notes.",
        ));
    }
    let txn = scope.begin(db).await?;
    let p = scope
        .get::<backup_policy::Entity, _>(&txn, t.policy_id)
        .await??;
    let m = backup_restore_test::Model {
        id: Uuid::now_v7(),
        organisation_id: p.organisation_id,
        tenant_id: p.tenant_id,
        policy_id: p.id,
        performed_at: t.performed_at,
        performed_by,
        restored,
        duration_seconds: t.duration_seconds,
        result: result.to_owned(),
        notes,
        recorded_by: scope.principal().audit_ref(),
        created_at: now,
    };
    let m = backup_restore_test::ActiveModel::from(m)
        .insert(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            operation: "backup.restore_test.record",
            before: None,
            after: Some(json!({
                "policy": p.name, "performedAt": m.performed_at, "performedBy": m.performed_by,
                "restored": m.restored, "durationSeconds": m.duration_seconds,
                "result": m.result, "notes": m.notes,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    policy_id: Option<Uuid>,
    tenant_ids: Option<Vec<Uuid>>,
    page: PageReq,
) -> Result<Paged<backup_restore_test::Model>, BackupError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<backup_restore_test::Entity>();
    if let Some(p) = policy_id {
        q = q.filter(backup_restore_test::Column::PolicyId.eq(p));
    }
    if let Some(ids) = tenant_ids {
        q = q.filter(backup_restore_test::Column::TenantId.is_in(ids));
    }
    let q = q
        .order_by_desc(backup_restore_test::Column::PerformedAt)
        .order_by_desc(backup_restore_test::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}
