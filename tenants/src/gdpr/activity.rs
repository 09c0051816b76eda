//! Processing activities of a register (Art. 30), their validation, completeness and DPIA
//! screening.
use super::status_change::StatusChange;
use super::vocab::*;
use super::GdprError;
use crate::audit::{self, Entry};
use crate::collation::OrderByName;
use crate::entities::{gdpr_activity, gdpr_activity_processor, gdpr_processor, tenant};
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{can, AccessError, Can, Capability, Permission, Scope};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasisEntry {
    pub basis: LegalBasis,
    pub justification: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSubjectEntry {
    pub category: String,
    pub estimated_count: Option<i64>,
}

/// A category of personal data; `sensitive` marks Art. 9 data (health, opinions...) and
/// `criminal` Art. 10 data (offences, convictions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCategoryEntry {
    pub category: String,
    pub sensitive: bool,
    pub criminal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferEntry {
    /// ISO 3166-1 alpha-2 code of the third country.
    pub country: String,
    pub recipient: String,
    pub safeguard: Safeguard,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionEntry {
    /// Which data this period applies to.
    pub data: String,
    pub duration_months: u32,
    /// What starts the clock ("clôture du dossier", "fin du mandat"...).
    pub starting_event: String,
    pub final_fate: FinalFate,
}

/// Every field of an activity, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityFields {
    pub role: RegisterRole,
    pub name: String,
    pub purposes: String,
    pub controller_name: Option<String>,
    pub legal_bases: Vec<LegalBasisEntry>,
    pub data_subjects: Vec<DataSubjectEntry>,
    pub data_categories: Vec<DataCategoryEntry>,
    pub recipients: Vec<String>,
    pub transfers: Vec<TransferEntry>,
    pub retention: Vec<RetentionEntry>,
    pub security_measures: Vec<String>,
    pub dpia_criteria: Vec<DpiaCriterion>,
    pub origin: String,
    pub collection_method: String,
    pub information: String,
    pub software: String,
    pub department: String,
    pub owner: String,
}

use crate::fault::bad;

fn trimmed(s: &str) -> String {
    s.trim().to_owned()
}

impl ActivityFields {
    /// Checks and normalises input; the error names the field.
    pub fn validate(mut self) -> Result<Self, GdprError> {
        self.name = trimmed(&self.name);
        if self.name.is_empty() {
            return Err(bad("name", "Donnez un nom au traitement."));
        }
        if self.name.chars().count() > 200 {
            return Err(bad("name", "Le nom compte 200 caractères au plus."));
        }
        self.purposes = trimmed(&self.purposes);
        if self.role == RegisterRole::Processor
            && self
                .controller_name
                .as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .is_empty()
        {
            return Err(bad(
                "controllerName",
                "Le registre d'un sous-traitant nomme le responsable de traitement pour lequel il agit (art. 30.2.a du RGPD).",
            ));
        }
        for (i, lb) in self.legal_bases.iter_mut().enumerate() {
            lb.justification = trimmed(&lb.justification);
            // Art. 6(1)(c) and (e) rest on a text: say which.
            if matches!(
                lb.basis,
                LegalBasis::LegalObligation | LegalBasis::PublicTask
            ) && lb.justification.is_empty()
            {
                return Err(bad(
                    "legalBases",
                    format!(
                        "Base légale n° {} : indiquez le texte sur lequel elle repose.",
                        i + 1
                    ),
                ));
            }
        }
        for d in &mut self.data_subjects {
            d.category = trimmed(&d.category);
            if d.category.is_empty() {
                return Err(bad(
                    "dataSubjects",
                    "Une catégorie de personnes concernées n'a pas de nom.",
                ));
            }
            if d.estimated_count.is_some_and(|n| n < 0) {
                return Err(bad(
                    "dataSubjects",
                    "Un nombre estimé ne peut pas être négatif.",
                ));
            }
        }
        for d in &mut self.data_categories {
            d.category = trimmed(&d.category);
            if d.category.is_empty() {
                return Err(bad(
                    "dataCategories",
                    "Une catégorie de données n'a pas de nom.",
                ));
            }
        }
        for t in &mut self.transfers {
            t.country = t.country.trim().to_ascii_uppercase();
            if t.country.len() != 2 || !t.country.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(bad(
                    "transfers",
                    format!(
                        "« {} » n'est pas un code pays ISO 3166-1 (deux lettres, FR par exemple).",
                        t.country
                    ),
                ));
            }
            if EU_EEA.contains(&t.country.as_str()) {
                return Err(bad(
                    "transfers",
                    format!(
                        "« {} » est dans l'Union européenne ou l'EEE : ce n'est pas un transfert hors UE.",
                        t.country
                    ),
                ));
            }
        }
        for r in &mut self.retention {
            r.data = trimmed(&r.data);
            if r.duration_months == 0 {
                return Err(bad(
                    "retention",
                    "Chaque durée de conservation indique un nombre de mois.",
                ));
            }
            if r.duration_months > 1200 {
                return Err(bad(
                    "retention",
                    "Une durée de plus de 100 ans n'est pas une durée de conservation.",
                ));
            }
        }
        self.recipients = self
            .recipients
            .iter()
            .map(|s| trimmed(s))
            .filter(|s| !s.is_empty())
            .collect();
        self.security_measures = self
            .security_measures
            .iter()
            .map(|s| trimmed(s))
            .filter(|s| !s.is_empty())
            .collect();
        self.dpia_criteria.sort_by_key(|c| c.code());
        self.dpia_criteria.dedup();
        for s in [
            &mut self.origin,
            &mut self.collection_method,
            &mut self.information,
            &mut self.software,
            &mut self.department,
            &mut self.owner,
        ] {
            *s = trimmed(s);
        }
        Ok(self)
    }

    pub fn has_sensitive_data(&self) -> bool {
        self.data_categories
            .iter()
            .any(|d| d.sensitive || d.criminal)
    }

    /// DPIA screening (Art. 35, CNIL list after EDPB WP248): required when two or more of the
    /// nine criteria hold; one criterion with Art. 9/10 data calls for a DPO review.
    pub fn dpia_screening(&self) -> DpiaScreening {
        match self.dpia_criteria.len() {
            0 => DpiaScreening::NotRequired,
            1 if self.has_sensitive_data() => DpiaScreening::Review,
            1 => DpiaScreening::NotRequired,
            _ => DpiaScreening::Required,
        }
    }

    /// Share of the register's expected content that is filled in, in percent.
    pub fn completeness(&self) -> u8 {
        let checks = [
            !self.purposes.is_empty(),
            !self.legal_bases.is_empty(),
            !self.data_subjects.is_empty(),
            !self.data_categories.is_empty(),
            !self.recipients.is_empty(),
            !self.retention.is_empty(),
            !self.security_measures.is_empty(),
            !self.origin.is_empty() || !self.collection_method.is_empty(),
            !self.information.is_empty(),
            !self.department.is_empty() && !self.owner.is_empty(),
            !self.software.is_empty(),
        ];
        let filled = checks.iter().filter(|c| **c).count();
        ((filled * 100 + checks.len() / 2) / checks.len()) as u8
    }

    pub(crate) fn from_model(m: &gdpr_activity::Model) -> Result<Self, GdprError> {
        // Each list is read straight from the row's JSON (no copy into a JSON object first:
        // that round trip was a tenth of the API's time on a list of activities).
        let corrupt = |e: String| GdprError::Corrupt(format!("activity {}: {e}", m.id));
        fn list<T: serde::de::DeserializeOwned>(
            v: &Value,
            field: &'static str,
            corrupt: &dyn Fn(String) -> GdprError,
        ) -> Result<Vec<T>, GdprError> {
            if !v.is_array() {
                return Err(corrupt(format!("{field} is not a list")));
            }
            Vec::<T>::deserialize(v).map_err(|e| corrupt(format!("{field}: {e}")))
        }
        Ok(ActivityFields {
            role: RegisterRole::deserialize(&Value::String(m.role.clone()))
                .map_err(|e| corrupt(format!("role: {e}")))?,
            name: m.name.clone(),
            purposes: m.purposes.clone(),
            controller_name: m.controller_name.clone(),
            legal_bases: list(&m.legal_bases, "legal_bases", &corrupt)?,
            data_subjects: list(&m.data_subjects, "data_subjects", &corrupt)?,
            data_categories: list(&m.data_categories, "data_categories", &corrupt)?,
            recipients: list(&m.recipients, "recipients", &corrupt)?,
            transfers: list(&m.transfers, "transfers", &corrupt)?,
            retention: list(&m.retention, "retention", &corrupt)?,
            security_measures: list(&m.security_measures, "security_measures", &corrupt)?,
            dpia_criteria: list(&m.dpia_criteria, "dpia_criteria", &corrupt)?,
            origin: m.origin.clone(),
            collection_method: m.collection_method.clone(),
            information: m.information.clone(),
            software: m.software.clone(),
            department: m.department.clone(),
            owner: m.owner.clone(),
        })
    }

    fn apply(&self, a: &mut gdpr_activity::ActiveModel) {
        a.role = Set(self.role.code().to_owned());
        a.name = Set(self.name.clone());
        a.purposes = Set(self.purposes.clone());
        a.controller_name = Set(self
            .controller_name
            .clone()
            .filter(|s| !s.trim().is_empty()));
        a.legal_bases = Set(json!(self.legal_bases));
        a.data_subjects = Set(json!(self.data_subjects));
        a.data_categories = Set(json!(self.data_categories));
        a.recipients = Set(json!(self.recipients));
        a.transfers = Set(json!(self.transfers));
        a.retention = Set(json!(self.retention));
        a.security_measures = Set(json!(self.security_measures));
        a.dpia_criteria = Set(json!(self.dpia_criteria));
        a.origin = Set(self.origin.clone());
        a.collection_method = Set(self.collection_method.clone());
        a.information = Set(self.information.clone());
        a.software = Set(self.software.clone());
        a.department = Set(self.department.clone());
        a.owner = Set(self.owner.clone());
    }

    /// The fields as a JSON object (audit before/after, model snapshots, diffs).
    pub fn to_json(&self) -> Value {
        json!(self)
    }
}

/// EU and EEA member states: sending data there is no Chapter V transfer.
const EU_EEA: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DpiaScreening {
    NotRequired,
    Review,
    Required,
}

/// An activity as stored, with its parsed fields.
#[derive(Debug, Clone)]
pub struct Activity {
    pub row: gdpr_activity::Model,
    pub fields: ActivityFields,
    pub processor_ids: Vec<Uuid>,
}

impl Activity {
    pub fn status(&self) -> ActivityStatus {
        ActivityStatus::parse(&self.row.status).unwrap_or(ActivityStatus::Draft)
    }
}

pub(crate) async fn tenant_in_scope(
    txn: &DatabaseTransaction,
    scope: &Scope,
    tenant_id: Uuid,
) -> Result<tenant::Model, GdprError> {
    scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(tenant_id))
        .one(txn)
        .await?
        .ok_or(GdprError::Access(AccessError::NotFound))
}

async fn set_processors(
    txn: &DatabaseTransaction,
    scope: &Scope,
    activity: &gdpr_activity::Model,
    processor_ids: &[Uuid],
) -> Result<(), GdprError> {
    let mut ids = processor_ids.to_vec();
    ids.sort();
    ids.dedup();
    let found = scope
        .find::<gdpr_processor::Entity>()
        .filter(gdpr_processor::Column::Id.is_in(ids.clone()))
        .filter(gdpr_processor::Column::TenantId.eq(activity.tenant_id))
        .all(txn)
        .await?;
    if found.len() != ids.len() {
        return Err(bad(
            "processorIds",
            "Un sous-traitant est inconnu ou appartient à une autre commune.",
        ));
    }
    gdpr_activity_processor::Entity::delete_many()
        .filter(gdpr_activity_processor::Column::ActivityId.eq(activity.id))
        .exec(txn)
        .await?;
    if !ids.is_empty() {
        gdpr_activity_processor::Entity::insert_many(ids.iter().map(|p| {
            gdpr_activity_processor::ActiveModel {
                activity_id: Set(activity.id),
                processor_id: Set(*p),
                organisation_id: Set(activity.organisation_id),
                tenant_id: Set(activity.tenant_id),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// The permissions that write register entries: the commune's own (`EditGdpr`), and the
/// organisation's models (`PublishModels`, which `load_row` alone lets reach a model).
pub trait EditsActivities: Capability {}
impl EditsActivities for can::EditGdpr {}
impl EditsActivities for can::PublishModels {}

/// Writes a new activity (a register entry, or a model when `is_model`).
pub(crate) async fn insert<P: EditsActivities>(
    txn: &DatabaseTransaction,
    scope: &Can<P>,
    tenant: &tenant::Model,
    fields: &ActivityFields,
    processor_ids: &[Uuid],
    model: Option<(&gdpr_activity::Model, Value)>,
    is_model: bool,
) -> Result<gdpr_activity::Model, GdprError> {
    let now = Utc::now();
    let mut a = gdpr_activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(tenant.organisation_id),
        tenant_id: Set(tenant.id),
        status: Set(ActivityStatus::Draft.code().to_owned()),
        is_model: Set(is_model),
        model_id: Set(model.as_ref().map(|(m, _)| m.id)),
        model_version: Set(model.as_ref().map(|(m, _)| m.version)),
        model_snapshot: Set(model.as_ref().map(|(_, s)| s.clone())),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    fields.apply(&mut a);
    let row = a.insert(txn).await?;
    set_processors(txn, scope, &row, processor_ids).await?;
    audit::record(
        txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: if is_model { "publishModelActivity" } else { "createActivity" },
            before: None,
            after: Some(json!({"id": row.id, "fields": fields.to_json(), "processors": processor_ids, "model": row.model_id})),
        },
    )
    .await?;
    Ok(row)
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    tenant_id: Uuid,
    fields: ActivityFields,
    processor_ids: Vec<Uuid>,
) -> Result<Activity, GdprError> {
    let fields = fields.validate()?;
    let txn = scope.begin(db).await?;
    let tenant = tenant_in_scope(&txn, scope, tenant_id).await?;
    let row = insert(&txn, scope, &tenant, &fields, &processor_ids, None, false).await?;
    txn.commit().await?;
    Ok(Activity {
        row,
        fields,
        processor_ids,
    })
}

async fn load_row(
    txn: &DatabaseTransaction,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_activity::Model, GdprError> {
    let mut q = scope
        .find::<gdpr_activity::Entity>()
        .filter(gdpr_activity::Column::Id.eq(id));
    if scope.permission() != Permission::PublishModels {
        q = q.filter(gdpr_activity::Column::IsModel.eq(false));
    }
    q.one(txn)
        .await?
        .ok_or(GdprError::Access(AccessError::NotFound))
}

/// One row within the caller's transaction (register entries only, unless the scope
/// publishes models).
pub(crate) async fn get_in(
    txn: &DatabaseTransaction,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_activity::Model, GdprError> {
    load_row(txn, scope, id).await
}

/// An archived activity is kept as it was: it no longer changes.
fn not_archived(row: &gdpr_activity::Model) -> Result<(), GdprError> {
    match row.archived_at {
        Some(at) => Err(GdprError::Conflict(format!(
            "Ce traitement a été archivé le {} : il ne se modifie plus.",
            crate::fr::date(at.with_timezone(&chrono_tz::Europe::Paris).date_naive())
        ))),
        None => Ok(()),
    }
}

fn check_version(row: &gdpr_activity::Model, expected_version: i32) -> Result<(), GdprError> {
    if row.version != expected_version {
        return Err(GdprError::Conflict(format!(
            "Le traitement a été modifié depuis que vous l'avez ouvert (vous avez modifié la version {expected_version}, il en est à la version {}) : rechargez-le puis refaites vos changements.",
            row.version
        )));
    }
    Ok(())
}

/// Archives a register entry the commune no longer carries out: it leaves the register, its
/// exports and the figures, stays readable by its id, and the audit trail keeps its content.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn archive(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    expected_version: i32,
) -> Result<Activity, GdprError> {
    let txn = scope.begin(db).await?;
    let (row, fields) = archive_in(&txn, scope, id, expected_version).await?;
    let processor_ids = processors_of(&txn, scope, &[row.id])
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    txn.commit().await?;
    Ok(Activity {
        row,
        fields,
        processor_ids,
    })
}

/// Archives one register entry inside the caller's transaction (audited there): the single
/// archive and the bulk one share it.
pub(crate) async fn archive_in(
    txn: &DatabaseTransaction,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    expected_version: i32,
) -> Result<(gdpr_activity::Model, ActivityFields), GdprError> {
    let row = load_row(txn, scope, id).await?;
    if row.is_model {
        return Err(bad("id", "Un traitement modèle ne s'archive pas ici."));
    }
    not_archived(&row)?;
    check_version(&row, expected_version)?;
    let fields = ActivityFields::from_model(&row)?;
    let now = Utc::now();
    let mut a: gdpr_activity::ActiveModel = row.clone().into();
    a.archived_at = Set(Some(now));
    a.version = Set(row.version + 1);
    a.updated_at = Set(now);
    let row = a.update(txn).await?;
    audit::record(
        txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "archiveActivity",
            before: Some(json!({"id": row.id, "status": row.status, "fields": fields.to_json()})),
            after: Some(json!({"id": row.id, "archivedAt": row.archived_at})),
        },
    )
    .await?;
    Ok((row, fields))
}

/// Deletes a draft that was never validated (a mistake, a duplicate). Its content stays in the
/// audit trail. A draft with a DPIA or action plan items is archived instead.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn delete_draft(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    expected_version: i32,
) -> Result<Uuid, GdprError> {
    use crate::entities::{gdpr_action, gdpr_dpia};
    let txn = scope.begin(db).await?;
    let row = load_row(&txn, scope, id).await?;
    if row.is_model {
        return Err(bad("id", "Un traitement modèle ne se supprime pas ici."));
    }
    check_version(&row, expected_version)?;
    if row.status != ActivityStatus::Draft.code() || row.archived_at.is_some() {
        return Err(GdprError::Conflict(
            "Seul un brouillon se supprime : un traitement validé ou archivé reste au dossier (archivez-le).".into(),
        ));
    }
    let dpias = scope
        .find::<gdpr_dpia::Entity>()
        .filter(gdpr_dpia::Column::ActivityId.eq(row.id))
        .count(&txn)
        .await?;
    let actions = scope
        .find::<gdpr_action::Entity>()
        .filter(gdpr_action::Column::ActivityId.eq(row.id))
        .count(&txn)
        .await?;
    if dpias + actions > 0 {
        return Err(GdprError::Conflict(
            "Ce brouillon a une analyse d'impact ou des actions : archivez-le plutôt, pour garder leur trace.".into(),
        ));
    }
    let fields = ActivityFields::from_model(&row)?;
    let processor_ids: Vec<Uuid> = processors_of(&txn, scope, &[row.id])
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    gdpr_activity_processor::Entity::delete_many()
        .filter(gdpr_activity_processor::Column::ActivityId.eq(row.id))
        .exec(&txn)
        .await?;
    gdpr_activity::Entity::delete_many()
        .filter(gdpr_activity::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "deleteActivity",
            before: Some(json!({"id": row.id, "fields": fields.to_json(), "processors": processor_ids, "model": row.model_id})),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

/// Replaces the fields. `expected_version` guards against two people editing at once. A
/// validated or checked activity goes back to draft: the check applied to other content.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn update<P: EditsActivities>(
    db: &DatabaseConnection,
    scope: &Can<P>,
    id: Uuid,
    expected_version: i32,
    fields: ActivityFields,
    processor_ids: Vec<Uuid>,
) -> Result<Activity, GdprError> {
    let fields = fields.validate()?;
    let txn = scope.begin(db).await?;
    let row = load_row(&txn, scope, id).await?;
    not_archived(&row)?;
    check_version(&row, expected_version)?;
    let before = ActivityFields::from_model(&row)?;
    let mut a: gdpr_activity::ActiveModel = row.clone().into();
    fields.apply(&mut a);
    a.version = Set(row.version + 1);
    a.updated_at = Set(Utc::now());
    if before != fields && !row.is_model {
        a.status = Set(ActivityStatus::Draft.code().to_owned());
    }
    let row = a.update(&txn).await?;
    set_processors(&txn, scope, &row, &processor_ids).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: if row.is_model {
                "updateModelActivity"
            } else {
                "updateActivity"
            },
            before: Some(before.to_json()),
            after: Some(fields.to_json()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Activity {
        row,
        fields,
        processor_ids,
    })
}

/// Validated by the commune, checked by the DPO (`StatusChange` says who may set which).
#[tracing::instrument(skip_all, fields(actor = %change.scope().principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn set_status(
    db: &DatabaseConnection,
    change: &StatusChange<ActivityStatus>,
    id: Uuid,
) -> Result<Activity, GdprError> {
    let (scope, status) = (change.scope(), change.status());
    let txn = scope.begin(db).await?;
    let row = load_row(&txn, scope, id).await?;
    if row.is_model {
        return Err(bad(
            "id",
            "Un traitement modèle n'a pas de statut de validation.",
        ));
    }
    not_archived(&row)?;
    let fields = ActivityFields::from_model(&row)?;
    if status != ActivityStatus::Draft && fields.purposes.is_empty() {
        return Err(bad(
            "status",
            "Un traitement sans finalité ne peut pas être validé : indiquez ses finalités.",
        ));
    }
    if status != ActivityStatus::Draft && fields.legal_bases.is_empty() {
        return Err(bad(
            "status",
            "Un traitement sans base légale ne peut pas être validé : indiquez sa base légale.",
        ));
    }
    let before = row.status.clone();
    let mut a: gdpr_activity::ActiveModel = row.into();
    a.status = Set(status.code().to_owned());
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "setActivityStatus",
            before: Some(json!({"id": row.id, "status": before})),
            after: Some(json!({"id": row.id, "status": row.status})),
        },
    )
    .await?;
    let processor_ids = processors_of(&txn, scope, &[row.id])
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    txn.commit().await?;
    Ok(Activity {
        row,
        fields,
        processor_ids,
    })
}

pub(crate) async fn processors_of(
    txn: &DatabaseTransaction,
    scope: &Scope,
    activity_ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, GdprError> {
    Ok(scope
        .find::<gdpr_activity_processor::Entity>()
        .filter(gdpr_activity_processor::Column::ActivityId.is_in(activity_ids.to_vec()))
        .all(txn)
        .await?
        .into_iter()
        .map(|l| (l.activity_id, l.processor_id))
        .collect())
}

#[derive(Debug, Default, Clone)]
pub struct ActivityFilter {
    pub tenant_ids: Option<Vec<Uuid>>,
    /// Only these activities (the rows a person selected, for a bulk print or export).
    pub ids: Option<Vec<Uuid>>,
    pub status: Option<ActivityStatus>,
    pub dpia_required: Option<bool>,
    pub sensitive: Option<bool>,
    pub search: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

/// The columns a register is sorted by.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum ActivitySort {
    /// The name, the French way: the default.
    #[default]
    Name,
    Status,
    UpdatedAt,
}

/// Register entries (not models) within the scope, filtered: the page `f.offset`, `f.limit`.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &ActivityFilter,
) -> Result<Vec<Activity>, GdprError> {
    Ok(page(db, scope, f, ActivitySort::Name, false).await?.items)
}

/// One page of the register entries the filter keeps and how many it keeps in all. DPIA and
/// sensitivity filters work on the parsed fields, so with them the list is read in full and
/// paged in memory.
pub async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &ActivityFilter,
    sort: ActivitySort,
    descending: bool,
) -> Result<Paged<Activity>, GdprError> {
    let txn = scope.begin(db).await?;
    let mut q = scope
        .find::<gdpr_activity::Entity>()
        .filter(gdpr_activity::Column::IsModel.eq(false))
        .filter(gdpr_activity::Column::ArchivedAt.is_null());
    if let Some(ids) = &f.tenant_ids {
        q = q.filter(gdpr_activity::Column::TenantId.is_in(ids.clone()));
    }
    if let Some(ids) = &f.ids {
        q = q.filter(gdpr_activity::Column::Id.is_in(ids.clone()));
    }
    if let Some(s) = f.status {
        q = q.filter(gdpr_activity::Column::Status.eq(s.code()));
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any().add(
                sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::lower(
                    sea_orm::sea_query::Expr::col(gdpr_activity::Column::Name),
                ))
                .like(format!("%{}%", s.to_lowercase())),
            ),
        );
    }
    let order = if descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    q = match sort {
        ActivitySort::Name => q.order_by(
            crate::collation::collated(gdpr_activity::Column::Name),
            order.clone(),
        ),
        ActivitySort::Status => q
            .order_by(gdpr_activity::Column::Status, order.clone())
            .order_by_name(gdpr_activity::Column::Name),
        ActivitySort::UpdatedAt => q.order_by(gdpr_activity::Column::UpdatedAt, order.clone()),
    };
    q = q.order_by(gdpr_activity::Column::Id, order);
    let req = PageReq::new(f.offset, f.limit);
    let post_filter = f.dpia_required.is_some() || f.sensitive.is_some();
    let rows = if post_filter {
        Paged::of_vec(q.all(&txn).await?, PageReq::ALL)
    } else {
        paging::select(&txn, q, req).await?
    };
    let links = processors_of(
        &txn,
        scope,
        &rows.items.iter().map(|r| r.id).collect::<Vec<_>>(),
    )
    .await?;
    txn.commit().await?;
    let mut out = vec![];
    for row in rows.items {
        let fields = ActivityFields::from_model(&row)?;
        if let Some(want) = f.dpia_required {
            if (fields.dpia_screening() == DpiaScreening::Required) != want {
                continue;
            }
        }
        if let Some(want) = f.sensitive {
            if fields.has_sensitive_data() != want {
                continue;
            }
        }
        let processor_ids = links
            .iter()
            .filter(|(a, _)| *a == row.id)
            .map(|(_, p)| *p)
            .collect();
        out.push(Activity {
            row,
            fields,
            processor_ids,
        });
    }
    Ok(if post_filter {
        Paged::of_vec(out, req)
    } else {
        Paged {
            items: out,
            total: rows.total,
        }
    })
}

pub async fn get(db: &DatabaseConnection, scope: &Scope, id: Uuid) -> Result<Activity, GdprError> {
    let txn = scope.begin(db).await?;
    let row = load_row(&txn, scope, id).await?;
    let processor_ids = processors_of(&txn, scope, &[row.id])
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    txn.commit().await?;
    Ok(Activity {
        fields: ActivityFields::from_model(&row)?,
        row,
        processor_ids,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> ActivityFields {
        ActivityFields {
            role: RegisterRole::Controller,
            name: "  État civil ".into(),
            purposes: "Tenue des registres d'état civil".into(),
            controller_name: None,
            legal_bases: vec![LegalBasisEntry {
                basis: LegalBasis::LegalObligation,
                justification: "Code civil, art. 34 et suivants".into(),
            }],
            data_subjects: vec![DataSubjectEntry {
                category: "Administrés".into(),
                estimated_count: Some(40_000),
            }],
            data_categories: vec![DataCategoryEntry {
                category: "État civil".into(),
                sensitive: false,
                criminal: false,
            }],
            recipients: vec!["Procureur de la République".into()],
            transfers: vec![],
            retention: vec![RetentionEntry {
                data: "Registres".into(),
                duration_months: 75 * 12,
                starting_event: "clôture du registre".into(),
                final_fate: FinalFate::Archiving,
            }],
            security_measures: vec!["Habilitations".into()],
            dpia_criteria: vec![],
            origin: "Déclarations".into(),
            collection_method: "Guichet".into(),
            information: "Mention sur les formulaires".into(),
            software: "Logiciel d'état civil".into(),
            department: "État civil".into(),
            owner: "Officier d'état civil".into(),
        }
    }

    #[test]
    fn validation_names_the_field() {
        let v = sample().validate().expect("valid");
        assert_eq!(v.name, "État civil");
        assert_eq!(v.completeness(), 100);
        let mut empty = sample();
        empty.name = "   ".into();
        assert!(matches!(
            empty.validate(),
            Err(GdprError::BadInput { field: "name", .. })
        ));
        let mut r = sample();
        r.retention[0].duration_months = 0;
        assert!(matches!(
            r.validate(),
            Err(GdprError::BadInput {
                field: "retention",
                ..
            })
        ));
        let mut t = sample();
        t.transfers.push(TransferEntry {
            country: "de".into(),
            recipient: "x".into(),
            safeguard: Safeguard::Other,
        });
        assert!(matches!(
            t.validate(),
            Err(GdprError::BadInput {
                field: "transfers",
                ..
            })
        ));
        let mut lb = sample();
        lb.legal_bases[0].justification = " ".into();
        assert!(matches!(
            lb.validate(),
            Err(GdprError::BadInput {
                field: "legalBases",
                ..
            })
        ));
        let mut p = sample();
        p.role = RegisterRole::Processor;
        assert!(matches!(
            p.validate(),
            Err(GdprError::BadInput {
                field: "controllerName",
                ..
            })
        ));
    }

    #[test]
    fn dpia_needs_two_criteria_or_a_review_with_sensitive_data() {
        let mut a = sample();
        assert_eq!(a.dpia_screening(), DpiaScreening::NotRequired);
        a.dpia_criteria = vec![DpiaCriterion::SystematicMonitoring];
        assert_eq!(a.dpia_screening(), DpiaScreening::NotRequired);
        a.data_categories.push(DataCategoryEntry {
            category: "Santé".into(),
            sensitive: true,
            criminal: false,
        });
        assert_eq!(a.dpia_screening(), DpiaScreening::Review);
        a.dpia_criteria.push(DpiaCriterion::LargeScale);
        assert_eq!(a.dpia_screening(), DpiaScreening::Required);
    }

    #[test]
    fn completeness_counts_what_is_filled() {
        let mut a = sample();
        a.security_measures.clear();
        a.software.clear();
        assert_eq!(a.completeness(), 82); // 9 of 11
        let empty = ActivityFields {
            legal_bases: vec![],
            data_subjects: vec![],
            data_categories: vec![],
            recipients: vec![],
            retention: vec![],
            security_measures: vec![],
            purposes: String::new(),
            origin: String::new(),
            collection_method: String::new(),
            information: String::new(),
            software: String::new(),
            department: String::new(),
            owner: String::new(),
            ..sample()
        };
        assert_eq!(empty.completeness(), 0);
    }
}
