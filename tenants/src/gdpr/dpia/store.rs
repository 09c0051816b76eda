//! DPIAs in the database: opened (blank or from a model), written, submitted, given the DPO's
//! opinion, decided by the controller. Each write is one transaction: a bad value anywhere (one
//! risk's level, an unknown measure) leaves nothing written, no action plan item either.
use super::{
    is_high, legacy_status, Context, Decision, DpiaStage, Evaluation, MeasureState, ModelContent,
    Principle, PrincipleEntry, RiskKind, SubjectsOpinion,
};
use crate::audit::{self, Entry};
use crate::calendar::paris_today;
use crate::entities::{
    gdpr_action, gdpr_activity, gdpr_dpia, gdpr_dpia_measure, gdpr_dpia_model, gdpr_dpia_risk,
};
use crate::gdpr::vocab::ActionStatus;
use crate::gdpr::GdprError;
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::{Months, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    ModelTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Bounds on what one DPIA holds (outside input is hostile).
pub const MAX_MEASURES_PER_RISK: usize = 40;
pub const MAX_SUPPORTS: usize = 40;
const MAX_TEXT: usize = 10_000;

use crate::fault::bad;

/// A DPIA as read: its row, its activity's name and its parsed documents.
#[derive(Debug, Clone)]
pub struct DpiaView {
    pub row: gdpr_dpia::Model,
    pub activity_name: String,
    pub context: Context,
    /// Every principle of the method, in its order (blank where nothing is written yet).
    pub principles: Vec<PrincipleEntry>,
    pub subjects_opinion: SubjectsOpinion,
}

impl DpiaView {
    pub fn stage(&self) -> DpiaStage {
        DpiaStage::parse(&self.row.stage).unwrap_or(DpiaStage::Draft)
    }
}

/// One risk with its measures (and the action plan item of each planned one).
#[derive(Debug, Clone)]
pub struct RiskView {
    pub row: gdpr_dpia_risk::Model,
    pub measures: Vec<MeasureView>,
}

impl RiskView {
    pub fn kind(&self) -> RiskKind {
        RiskKind::parse(&self.row.kind).unwrap_or(RiskKind::IllegitimateAccess)
    }
}

#[derive(Debug, Clone)]
pub struct MeasureView {
    pub row: gdpr_dpia_measure::Model,
    pub action: Option<gdpr_action::Model>,
}

/// A measure as the commune writes it: `id` of one already recorded, none for a new one; a
/// planned measure is due on a date (its action plan item's).
#[derive(Debug, Clone)]
pub struct MeasureInput {
    pub id: Option<Uuid>,
    pub title: String,
    pub state: MeasureState,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct RiskInput {
    pub kind: RiskKind,
    pub sources: String,
    pub threats: String,
    pub impacts: String,
    pub severity: Option<i32>,
    pub likelihood: Option<i32>,
    pub residual_severity: Option<i32>,
    pub residual_likelihood: Option<i32>,
    pub measures: Vec<MeasureInput>,
}

/// What the commune (or the DPO) writes in a DPIA. Principles and risks left out stay as they
/// were; the DPO's evaluations are never written here.
#[derive(Debug, Clone)]
pub struct DpiaInput {
    pub version: i32,
    pub context: Context,
    pub principles: Vec<(Principle, String)>,
    pub risks: Vec<RiskInput>,
    pub subjects_opinion: SubjectsOpinion,
}

fn text(field: &'static str, s: &str) -> Result<String, GdprError> {
    let s = s.trim();
    if s.chars().count() > MAX_TEXT {
        return Err(bad(
            field,
            format!("Ce texte dépasse {MAX_TEXT} caractères."),
        ));
    }
    Ok(s.to_owned())
}

fn level(kind: RiskKind, what: &str, v: Option<i32>) -> Result<Option<i32>, GdprError> {
    match v {
        Some(l) if !(1..=4).contains(&l) => Err(bad(
            "risks",
            format!(
                "{} : la {what} va de 1 (Négligeable) à 4 (Maximale), pas {l}.",
                kind.label()
            ),
        )),
        v => Ok(v),
    }
}

/// Checks and trims the input; nothing is read or written here.
fn check(input: DpiaInput) -> Result<DpiaInput, GdprError> {
    let c = &input.context;
    if c.supports.len() > MAX_SUPPORTS {
        return Err(bad("supports", format!("{MAX_SUPPORTS} supports au plus.")));
    }
    let context = Context {
        overview: text("overview", &c.overview)?,
        data_processed: text("dataProcessed", &c.data_processed)?,
        lifecycle: text("lifecycle", &c.lifecycle)?,
        supports: c
            .supports
            .iter()
            .map(|s| {
                Ok(super::Support {
                    kind: s.kind,
                    description: text("supports", &s.description)?,
                })
            })
            .collect::<Result<_, GdprError>>()?,
    };
    let mut seen = vec![];
    let mut principles = vec![];
    for (p, j) in &input.principles {
        if seen.contains(p) {
            return Err(bad(
                "principles",
                format!("Le principe « {} » est donné deux fois.", p.label()),
            ));
        }
        seen.push(*p);
        principles.push((*p, text("principles", j)?));
    }
    let mut kinds = vec![];
    let mut risks = vec![];
    for r in input.risks {
        if kinds.contains(&r.kind) {
            return Err(bad(
                "risks",
                format!("Le risque « {} » est donné deux fois.", r.kind.label()),
            ));
        }
        kinds.push(r.kind);
        if r.measures.len() > MAX_MEASURES_PER_RISK {
            return Err(bad(
                "measures",
                format!(
                    "{} : {MAX_MEASURES_PER_RISK} mesures au plus.",
                    r.kind.label()
                ),
            ));
        }
        let mut measures = vec![];
        for m in r.measures {
            let title = text("measures", &m.title)?;
            if title.is_empty() {
                return Err(bad(
                    "measures",
                    format!("{} : une mesure dit ce qui est fait.", r.kind.label()),
                ));
            }
            if m.state == MeasureState::Planned && m.due_on.is_none() {
                return Err(bad(
                    "measures",
                    format!(
                        "{} : la mesure prévue « {title} » a une échéance (elle rejoint le plan d'action).",
                        r.kind.label()
                    ),
                ));
            }
            measures.push(MeasureInput { title, ..m });
        }
        risks.push(RiskInput {
            kind: r.kind,
            sources: text("sources", &r.sources)?,
            threats: text("threats", &r.threats)?,
            impacts: text("impacts", &r.impacts)?,
            severity: level(r.kind, "gravité", r.severity)?,
            likelihood: level(r.kind, "vraisemblance", r.likelihood)?,
            residual_severity: level(r.kind, "gravité résiduelle", r.residual_severity)?,
            residual_likelihood: level(r.kind, "vraisemblance résiduelle", r.residual_likelihood)?,
            measures,
        });
    }
    let so = &input.subjects_opinion;
    Ok(DpiaInput {
        version: input.version,
        context,
        principles,
        risks,
        subjects_opinion: SubjectsOpinion {
            sought: so.sought,
            summary: text("subjectsOpinion", &so.summary)?,
            reason_not_sought: text("subjectsOpinion", &so.reason_not_sought)?,
        },
    })
}

fn parse<T: serde::de::DeserializeOwned + Default>(
    v: &Option<serde_json::Value>,
    what: &str,
    id: Uuid,
) -> Result<T, GdprError> {
    match v {
        None => Ok(T::default()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| GdprError::Corrupt(format!("{what} of DPIA {id}: {e}"))),
    }
}

/// Every principle in the method's order, what is recorded filled in.
fn all_principles(stored: Vec<PrincipleEntry>) -> Vec<PrincipleEntry> {
    Principle::ALL
        .iter()
        .map(|p| {
            stored
                .iter()
                .find(|e| e.principle == *p)
                .cloned()
                .unwrap_or(PrincipleEntry {
                    principle: *p,
                    justification: String::new(),
                    evaluation: None,
                    dpo_comment: String::new(),
                })
        })
        .collect()
}

pub fn view(row: gdpr_dpia::Model, activity_name: String) -> Result<DpiaView, GdprError> {
    let principles: Vec<PrincipleEntry> = parse(&row.principles, "principles", row.id)?;
    Ok(DpiaView {
        context: parse(&row.context, "context", row.id)?,
        principles: all_principles(principles),
        subjects_opinion: parse(&row.subjects_opinion, "subjects' opinion", row.id)?,
        activity_name,
        row,
    })
}

async fn activity_of(
    txn: &DatabaseTransaction,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_activity::Model, GdprError> {
    scope
        .find::<gdpr_activity::Entity>()
        .filter(gdpr_activity::Column::Id.eq(id))
        .filter(gdpr_activity::Column::IsModel.eq(false))
        .one(txn)
        .await?
        .ok_or(GdprError::Access(AccessError::NotFound))
}

async fn load(
    txn: &DatabaseTransaction,
    scope: &Scope,
    id: Uuid,
) -> Result<(gdpr_dpia::Model, gdpr_activity::Model), GdprError> {
    let row = scope.get::<gdpr_dpia::Entity, _>(txn, id).await??;
    let act = activity_of(txn, scope, row.activity_id).await?;
    Ok((row, act))
}

/// A new action plan item for a planned measure, on the DPIA's activity.
async fn plan_action(
    txn: &DatabaseTransaction,
    dpia: &gdpr_dpia::Model,
    title: &str,
    due_on: NaiveDate,
) -> Result<gdpr_action::Model, GdprError> {
    Ok(gdpr_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(dpia.organisation_id),
        tenant_id: Set(dpia.tenant_id),
        activity_id: Set(Some(dpia.activity_id)),
        title: Set(format!("AIPD : {title}")),
        due_on: Set(due_on),
        status: Set(ActionStatus::Open.code().to_owned()),
        done_on: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?)
}

/// Opens the DPIA of an activity, blank or copied from one of the organisation's models (then
/// the commune's own: a later change of the model does not reach it). A model's planned
/// measures join the action plan, due in three months, for the commune to date.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), activity_id = %activity_id, model_id = ?model_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    activity_id: Uuid,
    model_id: Option<Uuid>,
) -> Result<DpiaView, GdprError> {
    let txn = scope.begin(db).await?;
    let act = activity_of(&txn, scope, activity_id).await?;
    if act.archived_at.is_some() {
        return Err(GdprError::Conflict(
            "Ce traitement est archivé : il ne reçoit plus d'analyse d'impact.".into(),
        ));
    }
    if let Some(d) = scope
        .find::<gdpr_dpia::Entity>()
        .filter(gdpr_dpia::Column::ActivityId.eq(act.id))
        .one(&txn)
        .await?
    {
        return Err(GdprError::AlreadyInstantiated {
            message: "Ce traitement a déjà son analyse d'impact : ouvrez-la.".into(),
            existing_id: d.id,
        });
    }
    let content = match model_id {
        None => ModelContent::default(),
        Some(m) => {
            let model = gdpr_dpia_model::Entity::find_by_id(m)
                .filter(gdpr_dpia_model::Column::OrganisationId.eq(act.organisation_id))
                .filter(gdpr_dpia_model::Column::OrganisationId.is_in(scope.member_organisations()))
                .one(&txn)
                .await?
                .ok_or(GdprError::Access(AccessError::NotFound))?;
            serde_json::from_value(model.content)
                .map_err(|e| GdprError::Corrupt(format!("DPIA model {m}: {e}")))?
        }
    };
    let now = Utc::now();
    let stage = DpiaStage::Draft;
    let residuals = content
        .risks
        .iter()
        .map(|r| (r.residual_severity, r.residual_likelihood));
    let prior = super::requires_prior_consultation(residuals);
    let principles: Vec<PrincipleEntry> = content
        .principles
        .iter()
        .map(|p| PrincipleEntry {
            evaluation: None,
            dpo_comment: String::new(),
            ..p.clone()
        })
        .collect();
    let row = gdpr_dpia::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(act.organisation_id),
        tenant_id: Set(act.tenant_id),
        activity_id: Set(act.id),
        status: Set(legacy_status(stage).code().to_owned()),
        conclusion: Set(String::new()),
        completed_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        stage: Set(stage.code().to_owned()),
        version: Set(1),
        model_id: Set(model_id),
        context: Set(Some(json!(content.context))),
        principles: Set(Some(json!(principles))),
        subjects_opinion: Set(Some(json!(SubjectsOpinion::default()))),
        dpo_opinion: Set(String::new()),
        dpo_opinion_by: Set(None),
        dpo_opinion_at: Set(None),
        decision_by: Set(None),
        decision_at: Set(None),
        decision_comment: Set(String::new()),
        prior_consultation: Set(prior),
    }
    .insert(&txn)
    .await?;
    let due = paris_today()
        .checked_add_months(Months::new(3))
        .unwrap_or_else(paris_today);
    for kind in RiskKind::ALL {
        let text = content.risks.iter().find(|r| r.kind == *kind);
        let risk = gdpr_dpia_risk::ActiveModel {
            id: Set(Uuid::now_v7()),
            organisation_id: Set(row.organisation_id),
            tenant_id: Set(row.tenant_id),
            dpia_id: Set(row.id),
            kind: Set(kind.code().to_owned()),
            sources: Set(text.map(|t| t.sources.clone()).unwrap_or_default()),
            threats: Set(text.map(|t| t.threats.clone()).unwrap_or_default()),
            impacts: Set(text.map(|t| t.impacts.clone()).unwrap_or_default()),
            severity: Set(text.and_then(|t| t.severity)),
            likelihood: Set(text.and_then(|t| t.likelihood)),
            residual_severity: Set(text.and_then(|t| t.residual_severity)),
            residual_likelihood: Set(text.and_then(|t| t.residual_likelihood)),
        };
        risk.insert(&txn).await?;
        for (i, m) in text
            .map(|t| t.measures.as_slice())
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let action = match m.state {
                MeasureState::Planned => Some(plan_action(&txn, &row, &m.title, due).await?.id),
                MeasureState::Existing => None,
            };
            insert_measure(&txn, &row, *kind, i, &m.title, m.state, action).await?;
        }
    }
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "createDpia",
            before: None,
            after: Some(json!({"id": row.id, "activity": act.id, "model": model_id})),
        },
    )
    .await?;
    txn.commit().await?;
    view(row, act.name)
}

async fn insert_measure(
    txn: &DatabaseTransaction,
    dpia: &gdpr_dpia::Model,
    kind: RiskKind,
    position: usize,
    title: &str,
    state: MeasureState,
    action_id: Option<Uuid>,
) -> Result<gdpr_dpia_measure::Model, GdprError> {
    Ok(gdpr_dpia_measure::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(dpia.organisation_id),
        tenant_id: Set(dpia.tenant_id),
        dpia_id: Set(dpia.id),
        risk_kind: Set(kind.code().to_owned()),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        title: Set(title.to_owned()),
        state: Set(state.code().to_owned()),
        action_id: Set(action_id),
    }
    .insert(txn)
    .await?)
}

fn editable(row: &gdpr_dpia::Model) -> Result<(), GdprError> {
    match DpiaStage::parse(&row.stage) {
        Ok(DpiaStage::Draft | DpiaStage::Refused) => Ok(()),
        Ok(DpiaStage::InValidation) => Err(GdprError::Conflict(
            "Cette analyse d'impact est en validation : elle ne se modifie plus, sauf l'avis du DPO."
                .into(),
        )),
        _ => Err(GdprError::Conflict(
            "Cette analyse d'impact est validée : elle ne se modifie plus.".into(),
        )),
    }
}

fn check_version(row: &gdpr_dpia::Model, version: i32) -> Result<(), GdprError> {
    if row.version != version {
        return Err(GdprError::Conflict(format!(
            "Cette analyse d'impact a changé depuis votre lecture (version {} au lieu de {version}) : rechargez-la.",
            row.version
        )));
    }
    Ok(())
}

/// Writes the commune's part of a DPIA (draft or refused; a refused one returns to draft).
/// Measures not listed again are removed from the DPIA; their action plan items stay.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn update(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    input: DpiaInput,
) -> Result<DpiaView, GdprError> {
    let input = check(input)?;
    let txn = scope.begin(db).await?;
    let (row, act) = load(&txn, scope, id).await?;
    check_version(&row, input.version)?;
    editable(&row)?;
    let old = view(row.clone(), act.name.clone())?;
    let mut principles = old.principles.clone();
    for (p, j) in &input.principles {
        if let Some(e) = principles.iter_mut().find(|e| e.principle == *p) {
            e.justification = j.clone();
        }
    }
    let mut risks: Vec<gdpr_dpia_risk::Model> = scope
        .find::<gdpr_dpia_risk::Entity>()
        .filter(gdpr_dpia_risk::Column::DpiaId.eq(row.id))
        .all(&txn)
        .await?;
    let measures: Vec<gdpr_dpia_measure::Model> = scope
        .find::<gdpr_dpia_measure::Entity>()
        .filter(gdpr_dpia_measure::Column::DpiaId.eq(row.id))
        .all(&txn)
        .await?;
    for r in &input.risks {
        let existing = risks.iter().find(|x| x.kind == r.kind.code()).cloned();
        let saved = match existing {
            Some(x) => {
                let mut a: gdpr_dpia_risk::ActiveModel = x.into();
                a.sources = Set(r.sources.clone());
                a.threats = Set(r.threats.clone());
                a.impacts = Set(r.impacts.clone());
                a.severity = Set(r.severity);
                a.likelihood = Set(r.likelihood);
                a.residual_severity = Set(r.residual_severity);
                a.residual_likelihood = Set(r.residual_likelihood);
                a.update(&txn).await?
            }
            None => {
                gdpr_dpia_risk::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organisation_id: Set(row.organisation_id),
                    tenant_id: Set(row.tenant_id),
                    dpia_id: Set(row.id),
                    kind: Set(r.kind.code().to_owned()),
                    sources: Set(r.sources.clone()),
                    threats: Set(r.threats.clone()),
                    impacts: Set(r.impacts.clone()),
                    severity: Set(r.severity),
                    likelihood: Set(r.likelihood),
                    residual_severity: Set(r.residual_severity),
                    residual_likelihood: Set(r.residual_likelihood),
                }
                .insert(&txn)
                .await?
            }
        };
        risks.retain(|x| x.id != saved.id);
        risks.push(saved);
        write_measures(&txn, scope, &row, r, &measures).await?;
    }
    let prior = super::requires_prior_consultation(
        risks
            .iter()
            .map(|r| (r.residual_severity, r.residual_likelihood)),
    );
    let stage = DpiaStage::Draft;
    let before = json!({"version": row.version, "stage": row.stage, "priorConsultation": row.prior_consultation});
    let mut a: gdpr_dpia::ActiveModel = row.into();
    a.context = Set(Some(json!(input.context)));
    a.principles = Set(Some(json!(principles)));
    a.subjects_opinion = Set(Some(json!(input.subjects_opinion)));
    a.prior_consultation = Set(prior);
    a.stage = Set(stage.code().to_owned());
    a.status = Set(legacy_status(stage).code().to_owned());
    a.version = Set(input.version + 1);
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "updateDpia",
            before: Some(before),
            after: Some(json!({"id": row.id, "version": row.version, "priorConsultation": row.prior_consultation,
                "risks": risks.iter().map(|r| json!({"kind": r.kind, "severity": r.severity, "likelihood": r.likelihood,
                    "residualSeverity": r.residual_severity, "residualLikelihood": r.residual_likelihood})).collect::<Vec<_>>()})),
        },
    )
    .await?;
    txn.commit().await?;
    view(row, act.name)
}

/// The measures of one risk as listed: kept, changed, added (a planned one with its action
/// plan item), and those not listed removed.
async fn write_measures(
    txn: &DatabaseTransaction,
    scope: &Scope,
    dpia: &gdpr_dpia::Model,
    r: &RiskInput,
    stored: &[gdpr_dpia_measure::Model],
) -> Result<(), GdprError> {
    let of_risk: Vec<&gdpr_dpia_measure::Model> = stored
        .iter()
        .filter(|m| m.risk_kind == r.kind.code())
        .collect();
    let mut kept = vec![];
    for (i, m) in r.measures.iter().enumerate() {
        let due = m.due_on.unwrap_or_else(paris_today);
        match m.id {
            None => {
                let action = match m.state {
                    MeasureState::Planned => Some(plan_action(txn, dpia, &m.title, due).await?.id),
                    MeasureState::Existing => None,
                };
                insert_measure(txn, dpia, r.kind, i, &m.title, m.state, action).await?;
            }
            Some(mid) => {
                let Some(old) = of_risk.iter().find(|x| x.id == mid) else {
                    return Err(bad(
                        "measures",
                        format!(
                            "{} : la mesure {mid} n'appartient pas à ce risque de cette analyse.",
                            r.kind.label()
                        ),
                    ));
                };
                kept.push(mid);
                let mut action_id = old.action_id;
                if m.state == MeasureState::Planned {
                    match old.action_id {
                        None => action_id = Some(plan_action(txn, dpia, &m.title, due).await?.id),
                        Some(aid) => {
                            if let Ok(act) = scope.get::<gdpr_action::Entity, _>(txn, aid).await? {
                                if act.status == ActionStatus::Open.code()
                                    && (act.due_on != due
                                        || act.title != format!("AIPD : {}", m.title))
                                {
                                    let mut am: gdpr_action::ActiveModel = act.into();
                                    am.due_on = Set(due);
                                    am.title = Set(format!("AIPD : {}", m.title));
                                    am.update(txn).await?;
                                }
                            }
                        }
                    }
                }
                let mut a: gdpr_dpia_measure::ActiveModel = (*old).clone().into();
                a.title = Set(m.title.clone());
                a.state = Set(m.state.code().to_owned());
                a.position = Set(i32::try_from(i).unwrap_or(i32::MAX));
                a.action_id = Set(action_id);
                a.update(txn).await?;
            }
        }
    }
    for old in of_risk.into_iter().filter(|m| !kept.contains(&m.id)) {
        old.clone().delete(txn).await?;
    }
    Ok(())
}

/// What a DPIA must hold before it goes to validation.
fn complete_enough(v: &DpiaView, risks: &[gdpr_dpia_risk::Model]) -> Result<(), GdprError> {
    if v.context.overview.is_empty() || v.context.data_processed.is_empty() {
        return Err(bad(
            "context",
            "Décrivez le traitement et les données traitées avant de soumettre l'analyse.",
        ));
    }
    if let Some(p) = v.principles.iter().find(|p| p.justification.is_empty()) {
        return Err(bad(
            "principles",
            format!("Justifiez le principe « {} ».", p.principle.label()),
        ));
    }
    for kind in RiskKind::ALL {
        let r = risks.iter().find(|r| r.kind == kind.code());
        let evaluated = r.is_some_and(|r| {
            r.severity.is_some()
                && r.likelihood.is_some()
                && r.residual_severity.is_some()
                && r.residual_likelihood.is_some()
        });
        if !evaluated {
            return Err(bad(
                "risks",
                format!(
                    "{} : évaluez la gravité et la vraisemblance, avant et après les mesures.",
                    kind.label()
                ),
            ));
        }
    }
    let so = &v.subjects_opinion;
    if so.sought && so.summary.is_empty() {
        return Err(bad(
            "subjectsOpinion",
            "Résumez l'avis des personnes concernées recueilli.",
        ));
    }
    if !so.sought && so.reason_not_sought.is_empty() {
        return Err(bad(
            "subjectsOpinion",
            "Dites pourquoi l'avis des personnes concernées n'a pas été recueilli (art. 35.9).",
        ));
    }
    Ok(())
}

/// Sends a complete DPIA to validation (the DPO's opinion, then the controller's decision).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn submit(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    version: i32,
) -> Result<DpiaView, GdprError> {
    let txn = scope.begin(db).await?;
    let (row, act) = load(&txn, scope, id).await?;
    check_version(&row, version)?;
    editable(&row)?;
    let risks = scope
        .find::<gdpr_dpia_risk::Entity>()
        .filter(gdpr_dpia_risk::Column::DpiaId.eq(row.id))
        .all(&txn)
        .await?;
    complete_enough(&view(row.clone(), act.name.clone())?, &risks)?;
    let row = set_stage(
        &txn,
        scope,
        row,
        DpiaStage::InValidation,
        "submitDpia",
        json!({}),
    )
    .await?;
    txn.commit().await?;
    view(row, act.name)
}

async fn set_stage(
    txn: &DatabaseTransaction,
    scope: &Scope,
    row: gdpr_dpia::Model,
    stage: DpiaStage,
    operation: &'static str,
    extra: serde_json::Value,
) -> Result<gdpr_dpia::Model, GdprError> {
    let before = json!({"stage": row.stage, "version": row.version});
    let version = row.version;
    let mut a: gdpr_dpia::ActiveModel = row.into();
    a.stage = Set(stage.code().to_owned());
    a.status = Set(legacy_status(stage).code().to_owned());
    a.version = Set(version + 1);
    a.updated_at = Set(Utc::now());
    let row = a.update(txn).await?;
    audit::record(
        txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation,
            before: Some(before),
            after: Some(
                json!({"id": row.id, "stage": row.stage, "version": row.version, "detail": extra}),
            ),
        },
    )
    .await?;
    Ok(row)
}

/// The DPO's opinion (Art. 35(2)) and evaluation of each principle, before the decision.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn give_opinion(
    db: &DatabaseConnection,
    scope: &Can<can::CheckGdpr>,
    id: Uuid,
    opinion: String,
    evaluations: Vec<(Principle, Evaluation, String)>,
) -> Result<DpiaView, GdprError> {
    let opinion = text("opinion", &opinion)?;
    if opinion.is_empty() {
        return Err(bad("opinion", "Rédigez l'avis du DPO."));
    }
    let txn = scope.begin(db).await?;
    let (row, act) = load(&txn, scope, id).await?;
    if matches!(
        DpiaStage::parse(&row.stage),
        Ok(DpiaStage::Validated | DpiaStage::Refused)
    ) {
        return Err(GdprError::Conflict(
            "La décision sur cette analyse d'impact est prise : l'avis ne change plus.".into(),
        ));
    }
    let mut principles = view(row.clone(), act.name.clone())?.principles;
    for (p, e, c) in &evaluations {
        if let Some(x) = principles.iter_mut().find(|x| x.principle == *p) {
            x.evaluation = Some(*e);
            x.dpo_comment = text("evaluations", c)?;
        }
    }
    let version = row.version;
    let mut a: gdpr_dpia::ActiveModel = row.into();
    a.dpo_opinion = Set(opinion.clone());
    a.dpo_opinion_by = Set(Some(scope.principal().display_name.clone()));
    a.dpo_opinion_at = Set(Some(Utc::now()));
    a.principles = Set(Some(json!(principles)));
    a.version = Set(version + 1);
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "giveDpiaOpinion",
            before: None,
            after: Some(
                json!({"id": row.id, "opinion": opinion, "evaluations": evaluations.len()}),
            ),
        },
    )
    .await?;
    txn.commit().await?;
    view(row, act.name)
}

/// The controller's decision on a DPIA in validation, after the DPO's opinion: validated (the
/// processing may go on, or go to the CNIL first when a high residual risk remains) or refused
/// (back to the commune, with the reason).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn decide(
    db: &DatabaseConnection,
    scope: &Can<can::ValidateDpia>,
    id: Uuid,
    decision: Decision,
    signatory: String,
    comment: String,
) -> Result<DpiaView, GdprError> {
    let signatory = text("signatory", &signatory)?;
    let comment = text("comment", &comment)?;
    if signatory.is_empty() {
        return Err(bad(
            "signatory",
            "Indiquez qui décide pour le responsable de traitement (nom et qualité).",
        ));
    }
    if decision == Decision::Refused && comment.is_empty() {
        return Err(bad("comment", "Dites pourquoi l'analyse est refusée."));
    }
    let txn = scope.begin(db).await?;
    let (row, act) = load(&txn, scope, id).await?;
    if DpiaStage::parse(&row.stage) != Ok(DpiaStage::InValidation) {
        return Err(GdprError::Conflict(
            "Seule une analyse d'impact en validation reçoit une décision.".into(),
        ));
    }
    if row.dpo_opinion.is_empty() {
        return Err(GdprError::Conflict(
            "Le DPO donne son avis avant la décision (art. 35.2 du RGPD).".into(),
        ));
    }
    let stage = match decision {
        Decision::Validated => DpiaStage::Validated,
        Decision::Refused => DpiaStage::Refused,
    };
    let mut a: gdpr_dpia::ActiveModel = row.clone().into();
    a.decision_by = Set(Some(signatory.clone()));
    a.decision_at = Set(Some(Utc::now()));
    a.decision_comment = Set(comment.clone());
    a.conclusion = Set(if comment.is_empty() {
        format!("{} par {signatory}", stage.label())
    } else {
        comment.clone()
    });
    a.completed_on = Set((stage == DpiaStage::Validated).then(paris_today));
    let row = a.update(&txn).await?;
    let prior = row.prior_consultation;
    let row = set_stage(
        &txn,
        scope,
        row,
        stage,
        "decideDpia",
        json!({"decision": decision.code(), "by": signatory, "priorConsultation": prior}),
    )
    .await?;
    txn.commit().await?;
    view(row, act.name)
}

/// One DPIA with its activity's name.
pub async fn get(db: &DatabaseConnection, scope: &Scope, id: Uuid) -> Result<DpiaView, GdprError> {
    let txn = scope.begin(db).await?;
    let (row, act) = load(&txn, scope, id).await?;
    txn.commit().await?;
    view(row, act.name)
}

/// The DPIAs of the scope's communes (or those named), most recently changed first.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    stage: Option<DpiaStage>,
    page: PageReq,
) -> Result<Paged<DpiaView>, GdprError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<gdpr_dpia::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(gdpr_dpia::Column::TenantId.is_in(ids));
    }
    if let Some(s) = stage {
        q = q.filter(gdpr_dpia::Column::Stage.eq(s.code()));
    }
    let q = q
        .order_by_desc(gdpr_dpia::Column::UpdatedAt)
        .order_by_asc(gdpr_dpia::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    let ids: Vec<Uuid> = rows.items.iter().map(|r| r.activity_id).collect();
    let names: HashMap<Uuid, String> = scope
        .find::<gdpr_activity::Entity>()
        .filter(gdpr_activity::Column::Id.is_in(ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    txn.commit().await?;
    let total = rows.total;
    let items = rows
        .items
        .into_iter()
        .map(|r| {
            let name = names.get(&r.activity_id).cloned().unwrap_or_default();
            view(r, name)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Paged { items, total })
}

/// The three risks of a DPIA (in the method's order) with their measures and action items.
pub async fn risks(
    db: &DatabaseConnection,
    scope: &Scope,
    dpia_id: Uuid,
) -> Result<Vec<RiskView>, GdprError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<gdpr_dpia_risk::Entity>()
        .filter(gdpr_dpia_risk::Column::DpiaId.eq(dpia_id))
        .all(&txn)
        .await?;
    let measures = scope
        .find::<gdpr_dpia_measure::Entity>()
        .filter(gdpr_dpia_measure::Column::DpiaId.eq(dpia_id))
        .order_by_asc(gdpr_dpia_measure::Column::Position)
        .all(&txn)
        .await?;
    let action_ids: Vec<Uuid> = measures.iter().filter_map(|m| m.action_id).collect();
    let actions: HashMap<Uuid, gdpr_action::Model> = scope
        .find::<gdpr_action::Entity>()
        .filter(gdpr_action::Column::Id.is_in(action_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    txn.commit().await?;
    let mut out: Vec<RiskView> = rows
        .into_iter()
        .map(|row| RiskView {
            measures: measures
                .iter()
                .filter(|m| m.risk_kind == row.kind)
                .map(|m| MeasureView {
                    action: m.action_id.and_then(|a| actions.get(&a).cloned()),
                    row: m.clone(),
                })
                .collect(),
            row,
        })
        .collect();
    out.sort_by_key(|r| RiskKind::ALL.iter().position(|k| *k == r.kind()));
    Ok(out)
}

/// Where each risk sits on the 4×4 map, before and after measures: `(kind, initial,
/// residual)`, each `(severity, likelihood)` when evaluated.
pub type MapPosition = (RiskKind, Option<(i32, i32)>, Option<(i32, i32)>);

pub fn map_positions(risks: &[RiskView]) -> Vec<MapPosition> {
    risks
        .iter()
        .map(|r| {
            let pos = |s: Option<i32>, l: Option<i32>| s.zip(l);
            (
                r.kind(),
                pos(r.row.severity, r.row.likelihood),
                pos(r.row.residual_severity, r.row.residual_likelihood),
            )
        })
        .collect()
}

/// Is this risk's residual position high (for the console's and the PDF's flags)?
pub fn residual_is_high(r: &RiskView) -> bool {
    matches!((r.row.residual_severity, r.row.residual_likelihood), (Some(s), Some(l)) if is_high(s, l))
}
