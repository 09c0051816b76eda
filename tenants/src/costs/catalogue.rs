//! The service catalogue of an organisation, its communes' subscriptions, and the allocation
//! keys the DSI records per commune and year.
use super::methods::{key_name, POPULATION};
use super::{bad, CostError};
use crate::audit::{self, Entry};
use crate::entities::{cost_key_value, cost_service, cost_subscription, tenant};
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

/// The organisation's own tenant, which holds its organisation-level rows.
pub(crate) async fn org_tenant<C: ConnectionTrait>(
    c: &C,
    scope: &Scope,
    organisation_id: Uuid,
) -> Result<tenant::Model, CostError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    Ok(scope.organisation_tenant(c, organisation_id).await??)
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = tracing::field::Empty))]
pub async fn create_service(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    organisation_id: Uuid,
    code: &str,
    name: &str,
    unit: &str,
) -> Result<cost_service::Model, CostError> {
    let code = key_name("code", code)?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(bad("name", "Le nom compte de 1 à 200 caractères."));
    }
    let unit = unit.trim().to_owned();
    if unit.is_empty() || unit.chars().count() > 40 {
        return Err(bad(
            "unit",
            "L'unité compte de 1 à 40 caractères (Go-mois, poste, ticket…).",
        ));
    }
    let txn = scope.begin(db).await?;
    let org = org_tenant(&txn, scope, organisation_id).await?;
    let taken = scope
        .find::<cost_service::Entity>()
        .filter(cost_service::Column::OrganisationId.eq(organisation_id))
        .filter(cost_service::Column::Code.eq(code.clone()))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(CostError::Conflict(format!(
            "Un service de code « {code} » existe déjà."
        )));
    }
    let m = cost_service::ActiveModel::from(cost_service::Model {
        id: Uuid::now_v7(),
        organisation_id,
        tenant_id: org.id,
        code,
        name,
        unit,
        created_at: Utc::now(),
        budget_account: None,
    })
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id,
            tenant_id: org.id,
            operation: "cost.service.create",
            before: None,
            after: Some(json!({"code": m.code, "name": m.name, "unit": m.unit})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// A budget account of the M57 nomenclature: digits only, 3 to 10 (`70875`).
pub fn budget_account(raw: Option<&str>) -> Result<Option<String>, CostError> {
    let Some(v) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if !(3..=10).contains(&v.len()) || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            "budgetAccount",
            "Un compte budgétaire s'écrit en chiffres (de 3 à 10), par exemple 70875.",
        ));
    }
    Ok(Some(v.to_owned()))
}

/// Sets (or clears) the budget account a service's costs are recovered on by titres.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), service_id = %service_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn set_service_budget_account(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    service_id: Uuid,
    account: Option<&str>,
) -> Result<cost_service::Model, CostError> {
    let account = budget_account(account)?;
    let txn = scope.begin(db).await?;
    let before = scope
        .get::<cost_service::Entity, _>(&txn, service_id)
        .await??;
    let mut m = before.clone().into_active_model();
    m.budget_account = Set(account);
    let after = m.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: after.organisation_id,
            tenant_id: after.tenant_id,
            operation: "cost.service.budget_account",
            before: Some(json!({"code": before.code, "budgetAccount": before.budget_account})),
            after: Some(json!({"code": after.code, "budgetAccount": after.budget_account})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn services(
    db: &DatabaseConnection,
    scope: &Scope,
) -> Result<Vec<cost_service::Model>, CostError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<cost_service::Entity>()
        .order_by_asc(cost_service::Column::Code)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// Subscribes a commune to a service from `starts_on` (until `ends_on`, inclusive).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, service_id = %service_id, organisation_id = tracing::field::Empty))]
pub async fn subscribe(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    tenant_id: Uuid,
    service_id: Uuid,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> Result<cost_subscription::Model, CostError> {
    if ends_on.is_some_and(|e| e < starts_on) {
        return Err(bad("endsOn", "La fin précède le début de l'abonnement."));
    }
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    let s = scope
        .get::<cost_service::Entity, _>(&txn, service_id)
        .await??;
    if s.organisation_id != t.organisation_id || t.kind == "organisation" {
        return Err(bad(
            "tenantId",
            "Choisissez une commune membre de l'intercommunalité du service.",
        ));
    }
    let overlapping = scope
        .find::<cost_subscription::Entity>()
        .filter(cost_subscription::Column::TenantId.eq(t.id))
        .filter(cost_subscription::Column::ServiceId.eq(s.id))
        .all(&txn)
        .await?
        .into_iter()
        .any(|o| {
            o.starts_on <= ends_on.unwrap_or(NaiveDate::MAX)
                && o.ends_on.unwrap_or(NaiveDate::MAX) >= starts_on
        });
    if overlapping {
        return Err(CostError::Conflict(
            "Cette commune est déjà abonnée à ce service sur une partie de cette période.".into(),
        ));
    }
    let m = cost_subscription::ActiveModel::from(cost_subscription::Model {
        id: Uuid::now_v7(),
        organisation_id: t.organisation_id,
        tenant_id: t.id,
        service_id: s.id,
        starts_on,
        ends_on,
        created_at: Utc::now(),
    })
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: t.organisation_id,
            tenant_id: t.id,
            operation: "cost.subscription.create",
            before: None,
            after: Some(json!({"service": s.code, "startsOn": starts_on, "endsOn": ends_on})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn end_subscription(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    id: Uuid,
    ends_on: NaiveDate,
) -> Result<cost_subscription::Model, CostError> {
    let txn = scope.begin(db).await?;
    let old = scope
        .get::<cost_subscription::Entity, _>(&txn, id)
        .await??;
    if ends_on < old.starts_on {
        return Err(bad("endsOn", "La fin précède le début de l'abonnement."));
    }
    let mut a = old.clone().into_active_model();
    a.ends_on = Set(Some(ends_on));
    let m = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            operation: "cost.subscription.end",
            before: Some(json!({"endsOn": old.ends_on})),
            after: Some(json!({"endsOn": m.ends_on})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn subscriptions(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<cost_subscription::Model>, CostError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<cost_subscription::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(cost_subscription::Column::TenantId.is_in(ids));
    }
    let rows = q
        .order_by_asc(cost_subscription::Column::TenantId)
        .order_by_asc(cost_subscription::Column::StartsOn)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// Records (or replaces) one key of a commune for a year.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn set_key(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    tenant_id: Uuid,
    key: &str,
    year: i32,
    value: i64,
) -> Result<cost_key_value::Model, CostError> {
    let key = key_name("key", key)?;
    if key == POPULATION {
        return Err(bad(
            "key",
            "La population vient du référentiel officiel : elle ne se saisit pas à la main.",
        ));
    }
    if !(2000..=2100).contains(&year) {
        return Err(bad(
            "year",
            "Indiquez une année comprise entre 2000 et 2100.",
        ));
    }
    if !(0..=1_000_000_000_000).contains(&value) {
        return Err(bad("value", "Indiquez un nombre entier positif ou nul."));
    }
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    let before = find_key(&txn, scope, t.id, &key, year).await?;
    let row = cost_key_value::Model {
        id: before.as_ref().map_or_else(Uuid::now_v7, |b| b.id),
        organisation_id: t.organisation_id,
        tenant_id: t.id,
        key: key.clone(),
        year,
        value,
        updated_by: scope.principal().audit_ref(),
        updated_at: Utc::now(),
    };
    cost_key_value::Entity::insert(cost_key_value::ActiveModel::from(row.clone()))
        .on_conflict(
            OnConflict::columns([
                cost_key_value::Column::TenantId,
                cost_key_value::Column::Key,
                cost_key_value::Column::Year,
                cost_key_value::Column::OrganisationId,
            ])
            .update_columns([
                cost_key_value::Column::Value,
                cost_key_value::Column::UpdatedBy,
                cost_key_value::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: t.organisation_id,
            tenant_id: t.id,
            operation: "cost.key.set",
            before: before.map(|b| json!({"key": b.key, "year": b.year, "value": b.value})),
            after: Some(json!({"key": key, "year": year, "value": value})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

async fn find_key(
    txn: &DatabaseTransaction,
    scope: &Scope,
    tenant_id: Uuid,
    key: &str,
    year: i32,
) -> Result<Option<cost_key_value::Model>, CostError> {
    Ok(scope
        .find::<cost_key_value::Entity>()
        .filter(cost_key_value::Column::TenantId.eq(tenant_id))
        .filter(cost_key_value::Column::Key.eq(key))
        .filter(cost_key_value::Column::Year.eq(year))
        .one(txn)
        .await?)
}

pub async fn keys(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    year: Option<i32>,
) -> Result<Vec<cost_key_value::Model>, CostError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<cost_key_value::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(cost_key_value::Column::TenantId.is_in(ids));
    }
    if let Some(y) = year {
        q = q.filter(cost_key_value::Column::Year.eq(y));
    }
    let rows = q
        .order_by_asc(cost_key_value::Column::TenantId)
        .order_by_asc(cost_key_value::Column::Key)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}
