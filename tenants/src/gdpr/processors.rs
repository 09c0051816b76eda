//! Processors (Art. 28), DPIA records (Art. 35) and action plan items.
use super::activity::tenant_in_scope;
use super::status_change::StatusChange;
use super::vocab::{ActionStatus, DpaStatus, DpiaStatus};
use super::GdprError;
use crate::audit::{self, Entry};
use crate::calendar::paris_today;
use crate::collation::OrderByName;
use crate::entities::{gdpr_action, gdpr_activity, gdpr_dpia, gdpr_processor};
use crate::identifiers::Siret;
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::fault::bad;

pub struct NewProcessor {
    pub tenant_id: Uuid,
    pub name: String,
    pub siret: Option<String>,
    pub contact: String,
    pub country: String,
    pub contract_ref: String,
    pub dpa_status: DpaStatus,
    pub dpa_signed_on: Option<NaiveDate>,
}

/// The processor's fields once checked: trimmed name, normalised SIRET and country.
struct CheckedProcessor {
    name: String,
    siret: Option<String>,
    country: String,
}

fn check_processor(p: &NewProcessor) -> Result<CheckedProcessor, GdprError> {
    let name = p.name.trim().to_owned();
    if name.is_empty() {
        return Err(bad("name", "Donnez un nom au sous-traitant."));
    }
    let siret = match p.siret.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            Siret::parse(s)
                .map_err(|e| bad::<GdprError>("siret", e.to_string()))?
                .to_string(),
        ),
        None => None,
    };
    let country = p.country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad(
            "country",
            "Indiquez le pays par son code ISO 3166-1 à deux lettres (FR par exemple).",
        ));
    }
    match (p.dpa_status, p.dpa_signed_on) {
        (DpaStatus::Signed, None) => {
            return Err(bad(
                "dpaSignedOn",
                "Indiquez la date de signature du contrat de sous-traitance.",
            ))
        }
        (DpaStatus::Signed, Some(d)) if d > paris_today() => {
            return Err(bad(
                "dpaSignedOn",
                "La date de signature ne peut pas être dans le futur.",
            ))
        }
        (s, Some(_)) if s != DpaStatus::Signed => {
            return Err(bad(
                "dpaSignedOn",
                "Seul un contrat signé a une date de signature.",
            ))
        }
        _ => {}
    }
    Ok(CheckedProcessor {
        name,
        siret,
        country,
    })
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn create_processor(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    p: NewProcessor,
) -> Result<gdpr_processor::Model, GdprError> {
    let CheckedProcessor {
        name,
        siret,
        country,
    } = check_processor(&p)?;
    let txn = scope.begin(db).await?;
    let tenant = tenant_in_scope(&txn, scope, p.tenant_id).await?;
    let row = gdpr_processor::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(tenant.organisation_id),
        tenant_id: Set(tenant.id),
        name: Set(name),
        siret: Set(siret),
        contact: Set(p.contact.trim().to_owned()),
        country: Set(country),
        contract_ref: Set(p.contract_ref.trim().to_owned()),
        dpa_status: Set(p.dpa_status.code().to_owned()),
        dpa_signed_on: Set(p.dpa_signed_on),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "createProcessor",
            before: None,
            after: Some(json!({"id": row.id, "name": row.name, "dpa": row.dpa_status})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Changes a processor's identity and its contract (not its commune).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn update_processor(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    p: NewProcessor,
) -> Result<gdpr_processor::Model, GdprError> {
    let CheckedProcessor {
        name,
        siret,
        country,
    } = check_processor(&p)?;
    let txn = scope.begin(db).await?;
    let old = scope.get::<gdpr_processor::Entity, _>(&txn, id).await??;
    let before = json!({"name": old.name, "siret": old.siret, "country": old.country, "contract": old.contract_ref, "dpa": old.dpa_status, "dpaSignedOn": old.dpa_signed_on});
    let mut a: gdpr_processor::ActiveModel = old.into();
    a.name = Set(name);
    a.siret = Set(siret);
    a.contact = Set(p.contact.trim().to_owned());
    a.country = Set(country);
    a.contract_ref = Set(p.contract_ref.trim().to_owned());
    a.dpa_status = Set(p.dpa_status.code().to_owned());
    a.dpa_signed_on = Set(p.dpa_signed_on);
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "updateProcessor",
            before: Some(before),
            after: Some(json!({"id": row.id, "name": row.name, "siret": row.siret, "country": row.country, "contract": row.contract_ref, "dpa": row.dpa_status, "dpaSignedOn": row.dpa_signed_on})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn processor(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_processor::Model, GdprError> {
    let txn = scope.begin(db).await?;
    let row = scope.get::<gdpr_processor::Entity, _>(&txn, id).await??;
    txn.commit().await?;
    Ok(row)
}

/// Links (or unlinks) a processor and an activity of the same commune's register. The
/// activity's version moves: an editor opened before would otherwise write its old list back.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), processor_id = %processor_id, activity_id = %activity_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn set_link(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    processor_id: Uuid,
    activity_id: Uuid,
    linked: bool,
) -> Result<gdpr_processor::Model, GdprError> {
    use crate::entities::gdpr_activity_processor as link;
    use sea_orm::EntityTrait;
    let txn = scope.begin(db).await?;
    let p = scope
        .get::<gdpr_processor::Entity, _>(&txn, processor_id)
        .await??;
    let act = scope
        .find::<gdpr_activity::Entity>()
        .filter(gdpr_activity::Column::Id.eq(activity_id))
        .filter(gdpr_activity::Column::IsModel.eq(false))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    if act.archived_at.is_some() {
        return Err(GdprError::Conflict(
            "Ce traitement est archivé : ses sous-traitants ne changent plus.".into(),
        ));
    }
    if act.tenant_id != p.tenant_id {
        return Err(bad(
            "activityId",
            "Ce traitement appartient au registre d'une autre commune que ce sous-traitant.",
        ));
    }
    let existing = scope
        .find::<link::Entity>()
        .filter(link::Column::ActivityId.eq(act.id))
        .filter(link::Column::ProcessorId.eq(p.id))
        .one(&txn)
        .await?;
    match (linked, existing) {
        (true, Some(_)) => {
            return Err(GdprError::Conflict(
                "Ce sous-traitant est déjà associé à ce traitement.".into(),
            ))
        }
        (false, None) => {
            return Err(GdprError::Conflict(
                "Ce sous-traitant n'est pas associé à ce traitement.".into(),
            ))
        }
        (true, None) => {
            link::Entity::insert(link::ActiveModel {
                activity_id: Set(act.id),
                processor_id: Set(p.id),
                organisation_id: Set(act.organisation_id),
                tenant_id: Set(act.tenant_id),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        (false, Some(_)) => {
            link::Entity::delete_many()
                .filter(link::Column::ActivityId.eq(act.id))
                .filter(link::Column::ProcessorId.eq(p.id))
                .exec(&txn)
                .await?;
        }
    }
    let version = act.version;
    let mut a: gdpr_activity::ActiveModel = act.into();
    a.version = Set(version + 1);
    a.updated_at = Set(Utc::now());
    let act = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: p.organisation_id,
            tenant_id: p.tenant_id,
            operation: if linked {
                "linkProcessor"
            } else {
                "unlinkProcessor"
            },
            before: None,
            after: Some(
                json!({"processor": p.id, "activity": act.id, "activityVersion": act.version}),
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(p)
}

pub async fn processors(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<gdpr_processor::Model>, GdprError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<gdpr_processor::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(gdpr_processor::Column::TenantId.is_in(ids));
    }
    let rows = q
        .order_by_name(gdpr_processor::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// One page of the processors (by name) and how many there are in all.
pub async fn processors_page(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    page: PageReq,
) -> Result<Paged<gdpr_processor::Model>, GdprError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<gdpr_processor::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(gdpr_processor::Column::TenantId.is_in(ids));
    }
    let q = q
        .order_by_name(gdpr_processor::Column::Name)
        .order_by_asc(gdpr_processor::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}

/// For each processor, the activities that use it (within the scope).
pub async fn activities_using(
    db: &DatabaseConnection,
    scope: &Scope,
    processor_ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, GdprError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<crate::entities::gdpr_activity_processor::Entity>()
        .filter(
            crate::entities::gdpr_activity_processor::Column::ProcessorId
                .is_in(processor_ids.to_vec()),
        )
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.processor_id, r.activity_id))
        .collect())
}

/// Opens or updates the DPIA record of an activity (the earlier, status-only record; the
/// CNIL method's workflow is `dpia::store`); only the DPO validates one. The stage follows.
#[tracing::instrument(skip_all, fields(actor = %change.scope().principal().audit_ref(), activity_id = %activity_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn record_dpia(
    db: &DatabaseConnection,
    change: &StatusChange<DpiaStatus>,
    activity_id: Uuid,
    conclusion: String,
) -> Result<gdpr_dpia::Model, GdprError> {
    let (scope, status) = (change.scope(), change.status());
    let conclusion = conclusion.trim().to_owned();
    if matches!(status, DpiaStatus::Completed | DpiaStatus::Validated) && conclusion.is_empty() {
        return Err(bad(
            "conclusion",
            "Une analyse d'impact réalisée énonce sa conclusion.",
        ));
    }
    let txn = scope.begin(db).await?;
    let act = scope
        .find::<gdpr_activity::Entity>()
        .filter(gdpr_activity::Column::Id.eq(activity_id))
        .filter(gdpr_activity::Column::IsModel.eq(false))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    let existing = scope
        .find::<gdpr_dpia::Entity>()
        .filter(gdpr_dpia::Column::ActivityId.eq(activity_id))
        .one(&txn)
        .await?;
    let now = Utc::now();
    let completed_on =
        matches!(status, DpiaStatus::Completed | DpiaStatus::Validated).then(paris_today);
    let before = existing.as_ref().map(|d| json!({"status": d.status}));
    let row = match existing {
        Some(d) => {
            let version = d.version;
            let mut a: gdpr_dpia::ActiveModel = d.into();
            a.status = Set(status.code().to_owned());
            a.stage = Set(super::dpia::stage_of_legacy(status).code().to_owned());
            a.version = Set(version + 1);
            a.conclusion = Set(conclusion);
            a.completed_on = Set(completed_on);
            a.updated_at = Set(now);
            a.update(&txn).await?
        }
        None => {
            gdpr_dpia::ActiveModel {
                id: Set(Uuid::now_v7()),
                organisation_id: Set(act.organisation_id),
                tenant_id: Set(act.tenant_id),
                activity_id: Set(act.id),
                status: Set(status.code().to_owned()),
                conclusion: Set(conclusion),
                completed_on: Set(completed_on),
                created_at: Set(now),
                updated_at: Set(now),
                stage: Set(super::dpia::stage_of_legacy(status).code().to_owned()),
                version: Set(1),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "recordDpia",
            before,
            after: Some(json!({"activity": activity_id, "status": row.status})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn dpias(
    db: &DatabaseConnection,
    scope: &Scope,
    activity_ids: &[Uuid],
) -> Result<Vec<gdpr_dpia::Model>, GdprError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<gdpr_dpia::Entity>()
        .filter(gdpr_dpia::Column::ActivityId.is_in(activity_ids.to_vec()))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, activity_id = ?activity_id, organisation_id = tracing::field::Empty))]
pub async fn create_action(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    tenant_id: Uuid,
    activity_id: Option<Uuid>,
    title: String,
    due_on: NaiveDate,
) -> Result<gdpr_action::Model, GdprError> {
    let title = title.trim().to_owned();
    if title.is_empty() {
        return Err(bad("title", "Indiquez ce qu'il faut faire."));
    }
    let txn = scope.begin(db).await?;
    let tenant = tenant_in_scope(&txn, scope, tenant_id).await?;
    if let Some(a) = activity_id {
        scope
            .find::<gdpr_activity::Entity>()
            .filter(gdpr_activity::Column::Id.eq(a))
            .filter(gdpr_activity::Column::TenantId.eq(tenant.id))
            .one(&txn)
            .await?
            .ok_or_else(|| {
                bad::<GdprError>(
                    "activityId",
                    "Ce traitement ne figure pas au registre de cette commune.",
                )
            })?;
    }
    let row = gdpr_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(tenant.organisation_id),
        tenant_id: Set(tenant.id),
        activity_id: Set(activity_id),
        title: Set(title),
        due_on: Set(due_on),
        status: Set(ActionStatus::Open.code().to_owned()),
        done_on: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "createAction",
            before: None,
            after: Some(json!({"id": row.id, "title": row.title, "dueOn": row.due_on})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn complete_action(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
) -> Result<gdpr_action::Model, GdprError> {
    let txn = scope.begin(db).await?;
    let a = scope.get::<gdpr_action::Entity, _>(&txn, id).await??;
    if a.status == ActionStatus::Done.code() {
        return Err(GdprError::Conflict("Cette action est déjà faite.".into()));
    }
    let mut am: gdpr_action::ActiveModel = a.into();
    am.status = Set(ActionStatus::Done.code().to_owned());
    am.done_on = Set(Some(paris_today()));
    let row = am.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "completeAction",
            before: None,
            after: Some(json!({"id": row.id, "doneOn": row.done_on})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Changes what an action plan item says or when it is due (an item done stays as it was).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn update_action(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    title: String,
    due_on: NaiveDate,
) -> Result<gdpr_action::Model, GdprError> {
    let title = title.trim().to_owned();
    if title.is_empty() {
        return Err(bad("title", "Indiquez ce qu'il faut faire."));
    }
    let txn = scope.begin(db).await?;
    let a = scope.get::<gdpr_action::Entity, _>(&txn, id).await??;
    if a.status == ActionStatus::Done.code() {
        return Err(GdprError::Conflict(
            "Cette action est faite : elle ne se modifie plus.".into(),
        ));
    }
    let before = json!({"id": a.id, "title": a.title, "dueOn": a.due_on});
    let mut am: gdpr_action::ActiveModel = a.into();
    am.title = Set(title);
    am.due_on = Set(due_on);
    let row = am.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "updateAction",
            before: Some(before),
            after: Some(json!({"id": row.id, "title": row.title, "dueOn": row.due_on})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The action plan items of these activities, soonest first.
pub async fn actions_of_activities(
    db: &DatabaseConnection,
    scope: &Scope,
    activity_ids: &[Uuid],
) -> Result<Vec<gdpr_action::Model>, GdprError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<gdpr_action::Entity>()
        .filter(gdpr_action::Column::ActivityId.is_in(activity_ids.to_vec()))
        .order_by_asc(gdpr_action::Column::DueOn)
        .order_by_asc(gdpr_action::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

pub async fn actions(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    open_only: bool,
    page: PageReq,
) -> Result<Paged<gdpr_action::Model>, GdprError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<gdpr_action::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(gdpr_action::Column::TenantId.is_in(ids));
    }
    if open_only {
        q = q.filter(gdpr_action::Column::Status.eq(ActionStatus::Open.code()));
    }
    let q = q
        .order_by_asc(gdpr_action::Column::DueOn)
        .order_by_asc(gdpr_action::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}
