//! Cost pools: an amount to share for a period, by one method. Pools can be corrected at any
//! time; what was allocated and invoiced lives in immutable runs.
use super::catalogue::org_tenant;
use super::methods::Method;
use super::{bad, CostError};
use crate::audit::{self, Entry};
use crate::collation::OrderByName;
use crate::entities::{cost_pool, cost_service};
use crate::tenancy::{can, Can, Scope};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, IntoActiveModel, QueryFilter, QueryOrder,
    Set,
};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct PoolInput {
    pub service_id: Uuid,
    pub label: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub amount_cents: i64,
    pub method: Method,
}

struct Valid {
    label: String,
    method: Method,
}

fn validate(p: &PoolInput) -> Result<Valid, CostError> {
    let label = p.label.trim().to_owned();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(bad("label", "Le libellé compte de 1 à 200 caractères."));
    }
    if p.period_end < p.period_start {
        return Err(bad("periodEnd", "La fin précède le début de la période."));
    }
    if (p.period_end - p.period_start).num_days() > 366 {
        return Err(bad(
            "periodEnd",
            "Une enveloppe de coûts couvre un an au plus.",
        ));
    }
    if p.amount_cents < 0 {
        return Err(bad(
            "amountCents",
            "Une enveloppe de coûts ne peut pas être négative (les régularisations se font par une répartition de correction).",
        ));
    }
    if p.amount_cents > 10_000_000_000_000 {
        return Err(bad(
            "amountCents",
            "Le montant dépasse 100 milliards d'euros.",
        ));
    }
    Ok(Valid {
        label,
        method: p.method.clone().validate()?,
    })
}

fn snapshot(m: &cost_pool::Model) -> serde_json::Value {
    json!({"label": m.label, "serviceId": m.service_id, "periodStart": m.period_start,
        "periodEnd": m.period_end, "amountCents": m.amount_cents, "method": m.method,
        "version": m.version})
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    organisation_id: Uuid,
    input: PoolInput,
) -> Result<cost_pool::Model, CostError> {
    let v = validate(&input)?;
    let txn = scope.begin(db).await?;
    let org = org_tenant(&txn, scope, organisation_id).await?;
    let s = scope
        .get::<cost_service::Entity, _>(&txn, input.service_id)
        .await??;
    if s.organisation_id != organisation_id {
        return Err(bad(
            "serviceId",
            "Choisissez un service de cette intercommunalité.",
        ));
    }
    let now = Utc::now();
    let m = cost_pool::ActiveModel::from(cost_pool::Model {
        id: Uuid::now_v7(),
        organisation_id,
        tenant_id: org.id,
        service_id: s.id,
        label: v.label,
        period_start: input.period_start,
        period_end: input.period_end,
        amount_cents: input.amount_cents,
        method: serde_json::to_value(&v.method).map_err(|e| CostError::Corrupt(e.to_string()))?,
        version: 1,
        created_at: now,
        updated_at: now,
    })
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id,
            tenant_id: org.id,
            operation: "cost.pool.create",
            before: None,
            after: Some(snapshot(&m)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn update(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    id: Uuid,
    version: i32,
    input: PoolInput,
) -> Result<cost_pool::Model, CostError> {
    let v = validate(&input)?;
    let txn = scope.begin(db).await?;
    let old = scope.get::<cost_pool::Entity, _>(&txn, id).await??;
    if old.version != version {
        return Err(CostError::Conflict(format!(
            "L'enveloppe a été modifiée depuis que vous l'avez lue (vous avez lu la version {version}, elle en est à la version {}) : rechargez-la puis refaites vos changements.",
            old.version
        )));
    }
    let s = scope
        .get::<cost_service::Entity, _>(&txn, input.service_id)
        .await??;
    if s.organisation_id != old.organisation_id {
        return Err(bad(
            "serviceId",
            "Choisissez un service de cette intercommunalité.",
        ));
    }
    let mut a = old.clone().into_active_model();
    a.service_id = Set(s.id);
    a.label = Set(v.label);
    a.period_start = Set(input.period_start);
    a.period_end = Set(input.period_end);
    a.amount_cents = Set(input.amount_cents);
    a.method = Set(serde_json::to_value(&v.method).map_err(|e| CostError::Corrupt(e.to_string()))?);
    a.version = Set(old.version + 1);
    a.updated_at = Set(Utc::now());
    let m = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            operation: "cost.pool.update",
            before: Some(snapshot(&old)),
            after: Some(snapshot(&m)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
    year: Option<i32>,
) -> Result<Vec<cost_pool::Model>, CostError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<cost_pool::Entity>();
    if let Some(o) = organisation_id {
        q = q.filter(cost_pool::Column::OrganisationId.eq(o));
    }
    if let Some(y) = year {
        let (start, end) = super::calendar_year(y).ok_or_else(|| {
            bad::<CostError>("year", "Indiquez une année comprise entre 1 et 9999.")
        })?;
        q = q
            .filter(cost_pool::Column::PeriodStart.lte(end))
            .filter(cost_pool::Column::PeriodEnd.gte(start));
    }
    let rows = q
        .order_by_asc(cost_pool::Column::PeriodStart)
        .order_by_name(cost_pool::Column::Label)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

pub async fn get(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<cost_pool::Model, CostError> {
    let txn = scope.begin(db).await?;
    let m = scope.get::<cost_pool::Entity, _>(&txn, id).await??;
    txn.commit().await?;
    Ok(m)
}
