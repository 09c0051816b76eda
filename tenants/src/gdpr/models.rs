//! Model activities: the organisation (DSI or DPO) publishes them; a commune instantiates one in
//! one step; the instance remembers the model's content at that time, so it can show what the
//! model changed since.
use super::activity::{self, Activity, ActivityFields};
use super::GdprError;
use crate::collation::OrderByName;
use crate::entities::gdpr_activity;
use crate::tenancy::{can, AccessError, Can, Scope};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

/// Publishes a model in the organisation's own tenant (PublishModels scope).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = tracing::field::Empty))]
pub async fn publish(
    db: &DatabaseConnection,
    scope: &Can<can::PublishModels>,
    organisation_id: Uuid,
    fields: ActivityFields,
) -> Result<Activity, GdprError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let fields = fields.validate()?;
    let txn = scope.begin(db).await?;
    let org_tenant = scope.organisation_tenant(&txn, organisation_id).await??;
    let row = activity::insert(&txn, scope, &org_tenant, &fields, &[], None, true).await?;
    txn.commit().await?;
    Ok(Activity {
        row,
        fields,
        processor_ids: vec![],
    })
}

/// Models of the organisations where the scope reaches a tenant. Models are shared with every
/// member, which is why this reads outside the tenant filter (RLS has a matching read policy).
pub async fn list(db: &DatabaseConnection, scope: &Scope) -> Result<Vec<Activity>, GdprError> {
    let txn = scope.begin(db).await?;
    let rows = gdpr_activity::Entity::find()
        .filter(gdpr_activity::Column::IsModel.eq(true))
        .filter(gdpr_activity::Column::OrganisationId.is_in(scope.member_organisations()))
        .order_by_name(gdpr_activity::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    rows.into_iter()
        .map(|row| {
            Ok(Activity {
                fields: ActivityFields::from_model(&row)?,
                row,
                processor_ids: vec![],
            })
        })
        .collect()
}

async fn model(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_activity::Model, GdprError> {
    gdpr_activity::Entity::find()
        .filter(gdpr_activity::Column::Id.eq(id))
        .filter(gdpr_activity::Column::IsModel.eq(true))
        .filter(gdpr_activity::Column::OrganisationId.is_in(scope.member_organisations()))
        .one(txn)
        .await?
        .ok_or(GdprError::Access(AccessError::NotFound))
}

/// Copies a model into a commune's register, in draft.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), model_id = %model_id, tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn instantiate(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    model_id: Uuid,
    tenant_id: Uuid,
) -> Result<Activity, GdprError> {
    let txn = scope.begin(db).await?;
    let tenant = activity::tenant_in_scope(&txn, scope, tenant_id).await?;
    let m = model(&txn, scope, model_id).await?;
    if m.organisation_id != tenant.organisation_id {
        return Err(AccessError::NotFound.into());
    }
    // One copy a commune: a second would be a silent duplicate in its register.
    if let Some(existing) = scope
        .find::<gdpr_activity::Entity>()
        .filter(gdpr_activity::Column::TenantId.eq(tenant.id))
        .filter(gdpr_activity::Column::ModelId.eq(m.id))
        .filter(gdpr_activity::Column::ArchivedAt.is_null())
        .one(&txn)
        .await?
    {
        return Err(GdprError::AlreadyInstantiated {
            message: format!(
                "Le registre de {} contient déjà une copie de ce modèle : « {} ». Ouvrez-la pour l'adapter plutôt que d'en créer une seconde.",
                tenant.name, existing.name
            ),
            existing_id: existing.id,
        });
    }
    let fields = ActivityFields::from_model(&m)?;
    let snapshot = fields.to_json();
    let row = activity::insert(
        &txn,
        scope,
        &tenant,
        &fields,
        &[],
        Some((&m, snapshot)),
        false,
    )
    .await?;
    txn.commit().await?;
    Ok(Activity {
        row,
        fields,
        processor_ids: vec![],
    })
}

/// One field the model changed since the instance was made from it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelChange {
    pub field: String,
    pub at_instantiation: Value,
    pub in_model_now: Value,
}

/// What the model changed since this instance copied it (empty when it has no model).
pub async fn changes_since_instantiation(
    db: &DatabaseConnection,
    scope: &Scope,
    instance: &Activity,
) -> Result<(Option<i32>, Vec<ModelChange>), GdprError> {
    let (Some(model_id), Some(Value::Object(then))) =
        (instance.row.model_id, instance.row.model_snapshot.clone())
    else {
        return Ok((None, vec![]));
    };
    let txn = scope.begin(db).await?;
    let m = model(&txn, scope, model_id).await;
    txn.commit().await?;
    let m = match m {
        Ok(m) => m,
        // The model is gone or out of reach: nothing to compare with.
        Err(GdprError::Access(_)) => return Ok((None, vec![])),
        Err(e) => return Err(e),
    };
    let Value::Object(now) = ActivityFields::from_model(&m)?.to_json() else {
        return Ok((Some(m.version), vec![]));
    };
    let mut changes: Vec<ModelChange> = now
        .iter()
        .filter(|(k, v)| then.get(*k) != Some(*v))
        .map(|(k, v)| ModelChange {
            field: k.clone(),
            at_instantiation: then.get(k).cloned().unwrap_or(Value::Null),
            in_model_now: v.clone(),
        })
        .collect();
    changes.sort_by(|a, b| a.field.cmp(&b.field));
    Ok((Some(m.version), changes))
}
