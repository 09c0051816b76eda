//! DPIA models: the intercommunality's DPO publishes them (in the organisation's own tenant),
//! every member commune reads them and starts its DPIA from one (`store::create`), a copy that
//! is then the commune's own.
use super::store::{self, DpiaView};
use super::{ModelContent, PrincipleEntry, RiskText};
use crate::audit::{self, Entry};
use crate::collation::OrderByName;
use crate::entities::{gdpr_dpia_model, gdpr_dpia_risk};
use crate::gdpr::GdprError;
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

/// A model as read, its content parsed.
#[derive(Debug, Clone)]
pub struct DpiaModel {
    pub row: gdpr_dpia_model::Model,
    pub content: ModelContent,
}

fn parsed(row: gdpr_dpia_model::Model) -> Result<DpiaModel, GdprError> {
    let content = serde_json::from_value(row.content.clone())
        .map_err(|e| GdprError::Corrupt(format!("DPIA model {}: {e}", row.id)))?;
    Ok(DpiaModel { row, content })
}

/// Publishes a model with this content (PublishModels: the organisation's DPO or DSI).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = tracing::field::Empty))]
pub async fn publish(
    db: &DatabaseConnection,
    scope: &Can<can::PublishModels>,
    organisation_id: Uuid,
    name: String,
    description: String,
    content: ModelContent,
) -> Result<DpiaModel, GdprError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(GdprError::BadInput {
            field: "name",
            message: "Donnez au modèle un nom de 200 caractères au plus.".into(),
        });
    }
    let txn = scope.begin(db).await?;
    let org_tenant = scope.organisation_tenant(&txn, organisation_id).await??;
    let now = Utc::now();
    let row = gdpr_dpia_model::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(organisation_id),
        tenant_id: Set(org_tenant.id),
        name: Set(name),
        description: Set(description.trim().to_owned()),
        content: Set(json!(content)),
        published_by: Set(scope.principal().display_name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id,
            tenant_id: org_tenant.id,
            operation: "publishDpiaModel",
            before: None,
            after: Some(json!({"id": row.id, "name": row.name})),
        },
    )
    .await?;
    txn.commit().await?;
    parsed(row)
}

/// The content of a commune's DPIA as a model: context, justifications, risks and measures;
/// never the opinions, evaluations or decision (they are the commune's).
pub async fn content_of(
    db: &DatabaseConnection,
    scope: &Scope,
    dpia_id: Uuid,
) -> Result<(DpiaView, ModelContent), GdprError> {
    let v = store::get(db, scope, dpia_id).await?;
    let risks = store::risks(db, scope, dpia_id).await?;
    let content = ModelContent {
        context: v.context.clone(),
        principles: v
            .principles
            .iter()
            .map(|p| PrincipleEntry {
                evaluation: None,
                dpo_comment: String::new(),
                ..p.clone()
            })
            .collect(),
        risks: risks
            .iter()
            .map(|r| {
                let x: &gdpr_dpia_risk::Model = &r.row;
                RiskText {
                    kind: r.kind(),
                    sources: x.sources.clone(),
                    threats: x.threats.clone(),
                    impacts: x.impacts.clone(),
                    severity: x.severity,
                    likelihood: x.likelihood,
                    residual_severity: x.residual_severity,
                    residual_likelihood: x.residual_likelihood,
                    measures: r
                        .measures
                        .iter()
                        .map(|m| super::MeasureText {
                            title: m.row.title.clone(),
                            state: super::MeasureState::parse(&m.row.state)
                                .unwrap_or(super::MeasureState::Existing),
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    Ok((v, content))
}

/// Models of the organisations where the scope reaches a tenant, by name. Models are shared
/// with every member, which is why this reads outside the tenant filter (RLS has a matching
/// read policy).
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
) -> Result<Vec<DpiaModel>, GdprError> {
    let txn = scope.begin(db).await?;
    let mut q = gdpr_dpia_model::Entity::find()
        .filter(gdpr_dpia_model::Column::OrganisationId.is_in(scope.member_organisations()));
    if let Some(o) = organisation_id {
        q = q.filter(gdpr_dpia_model::Column::OrganisationId.eq(o));
    }
    let rows = q
        .order_by_name(gdpr_dpia_model::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    rows.into_iter().map(parsed).collect()
}

/// Publishes the catalogue's models (CCTV, school canteen, human resources) as the
/// organisation's DPO, when the organisation has no DPIA model yet. Answers whether it did.
pub async fn seed_demo(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    dpo: &crate::tenancy::Principal,
) -> Result<bool, GdprError> {
    let scope = dpo.can::<can::PublishModels>()?;
    if !list(db, &scope, Some(organisation_id)).await?.is_empty() {
        return Ok(false);
    }
    for (name, description, content) in super::catalogue::models() {
        publish(
            db,
            &scope,
            organisation_id,
            name.into(),
            description.into(),
            content,
        )
        .await?;
    }
    Ok(true)
}
