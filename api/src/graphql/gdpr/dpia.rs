//! DPIAs by the CNIL's method: reads, writes and models. Thin: parse, authorise, call
//! `tenants::gdpr::dpia`, map errors.
use super::inputs::vocab;
use super::types::{Action, Term};
use crate::graphql::context::scoped;
use crate::graphql::errors::{GqlResult, IntoGql};
use crate::graphql::page::{self, Page};
use crate::graphql::scalars::Date;
use async_graphql::{ComplexObject, Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::entities::gdpr_dpia;
use tenants::gdpr::dpia::{
    self, models, store, Context as DpiaCtx, Decision, DpiaStage, Evaluation, MeasureState,
    Principle, RiskKind, SubjectsOpinion, Support, SupportKind,
};
use tenants::gdpr::vocab::DpiaStatus;
use tenants::tenancy::can;
use uuid::Uuid;

fn term<T: Copy>(v: T, code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Term {
    Term::of(code(v), label(v))
}

#[derive(SimpleObject, Clone)]
pub struct DpiaSupport {
    pub kind: Term,
    pub description: String,
}

/// The context of the processing (first part of the method).
#[derive(SimpleObject, Clone)]
pub struct DpiaContext {
    pub overview: String,
    pub data_processed: String,
    pub supports: Vec<DpiaSupport>,
    pub lifecycle: String,
}

/// One fundamental principle: the justification and the DPO's evaluation.
#[derive(SimpleObject, Clone)]
pub struct DpiaPrinciple {
    pub principle: Term,
    pub justification: String,
    /// acceptable or improvable, given by the DPO.
    pub evaluation: Option<Term>,
    pub dpo_comment: String,
}

#[derive(SimpleObject, Clone)]
pub struct DpiaSubjectsOpinion {
    pub sought: bool,
    pub summary: String,
    pub reason_not_sought: String,
}

/// A data protection impact assessment (Art. 35). `status` is the earlier record's
/// vocabulary (planned, in_progress, completed, validated), kept in step with `stage`.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Dpia {
    pub id: Uuid,
    pub activity_id: Uuid,
    pub tenant_id: Uuid,
    pub status: Term,
    pub conclusion: String,
    pub completed_on: Option<Date>,
    /// draft, in_validation, validated, refused.
    pub stage: Term,
    /// Give it back to `updateDpia` and `submitDpia` (CONFLICT if it moved).
    pub version: i32,
    /// The activity's name (null when read through the activity itself).
    pub activity_name: Option<String>,
    pub model_id: Option<Uuid>,
    pub context: DpiaContext,
    /// Every principle of the method, in its order.
    pub principles: Vec<DpiaPrinciple>,
    pub subjects_opinion: DpiaSubjectsOpinion,
    pub dpo_opinion: String,
    pub dpo_opinion_by: Option<String>,
    pub dpo_opinion_at: Option<DateTime<Utc>>,
    pub decision_by: Option<String>,
    pub decision_at: Option<DateTime<Utc>>,
    pub decision_comment: String,
    /// A residual risk stays high (severity and likelihood both at least 3): the CNIL is
    /// consulted before the processing starts (Art. 36).
    pub prior_consultation_required: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<store::DpiaView> for Dpia {
    fn from(v: store::DpiaView) -> Self {
        let r = v.row;
        let status = DpiaStatus::parse(&r.status).unwrap_or(DpiaStatus::Planned);
        let stage = DpiaStage::parse(&r.stage).unwrap_or(DpiaStage::Draft);
        Self {
            id: r.id,
            activity_id: r.activity_id,
            tenant_id: r.tenant_id,
            status: Term::of(status.code(), status.label()),
            conclusion: r.conclusion,
            completed_on: r.completed_on.map(Date),
            stage: Term::of(stage.code(), stage.label()),
            version: r.version,
            activity_name: (!v.activity_name.is_empty()).then_some(v.activity_name),
            model_id: r.model_id,
            context: DpiaContext {
                overview: v.context.overview,
                data_processed: v.context.data_processed,
                supports: v
                    .context
                    .supports
                    .into_iter()
                    .map(|s| DpiaSupport {
                        kind: term(s.kind, SupportKind::code, SupportKind::label),
                        description: s.description,
                    })
                    .collect(),
                lifecycle: v.context.lifecycle,
            },
            principles: v
                .principles
                .into_iter()
                .map(|p| DpiaPrinciple {
                    principle: term(p.principle, Principle::code, Principle::label),
                    justification: p.justification,
                    evaluation: p
                        .evaluation
                        .map(|e| term(e, Evaluation::code, Evaluation::label)),
                    dpo_comment: p.dpo_comment,
                })
                .collect(),
            subjects_opinion: DpiaSubjectsOpinion {
                sought: v.subjects_opinion.sought,
                summary: v.subjects_opinion.summary,
                reason_not_sought: v.subjects_opinion.reason_not_sought,
            },
            dpo_opinion: r.dpo_opinion,
            dpo_opinion_by: r.dpo_opinion_by,
            dpo_opinion_at: r.dpo_opinion_at,
            decision_by: r.decision_by,
            decision_at: r.decision_at,
            decision_comment: r.decision_comment,
            prior_consultation_required: r.prior_consultation,
            updated_at: r.updated_at,
        }
    }
}

impl From<gdpr_dpia::Model> for Dpia {
    fn from(m: gdpr_dpia::Model) -> Self {
        let fallback = m.clone();
        store::view(m, String::new())
            .unwrap_or(store::DpiaView {
                row: fallback,
                activity_name: String::new(),
                context: DpiaCtx::default(),
                principles: vec![],
                subjects_opinion: SubjectsOpinion::default(),
            })
            .into()
    }
}

#[derive(SimpleObject, Clone)]
pub struct DpiaMeasure {
    pub id: Uuid,
    pub title: String,
    /// existing or planned.
    pub state: Term,
    /// The action plan item of a planned measure.
    pub action: Option<Action>,
}

/// One of the three risks, on the CNIL's four-level scales (1 Négligeable, 2 Limitée,
/// 3 Importante, 4 Maximale), before and after measures.
#[derive(SimpleObject, Clone)]
pub struct DpiaRisk {
    pub id: Uuid,
    pub kind: Term,
    pub sources: String,
    pub threats: String,
    pub impacts: String,
    pub severity: Option<i32>,
    pub likelihood: Option<i32>,
    pub residual_severity: Option<i32>,
    pub residual_likelihood: Option<i32>,
    /// The residual position is high (both levels at least 3).
    pub residual_high: bool,
    pub measures: Vec<DpiaMeasure>,
}

impl From<store::RiskView> for DpiaRisk {
    fn from(r: store::RiskView) -> Self {
        let high = store::residual_is_high(&r);
        let kind = r.kind();
        let x = r.row;
        Self {
            id: x.id,
            kind: term(kind, RiskKind::code, RiskKind::label),
            sources: x.sources,
            threats: x.threats,
            impacts: x.impacts,
            severity: x.severity,
            likelihood: x.likelihood,
            residual_severity: x.residual_severity,
            residual_likelihood: x.residual_likelihood,
            residual_high: high,
            measures: r
                .measures
                .into_iter()
                .map(|m| {
                    let s = MeasureState::parse(&m.row.state).unwrap_or(MeasureState::Existing);
                    DpiaMeasure {
                        id: m.row.id,
                        title: m.row.title,
                        state: term(s, MeasureState::code, MeasureState::label),
                        action: m.action.map(Action::from),
                    }
                })
                .collect(),
        }
    }
}

/// One row of the 4×4 risk map: a severity and, for each likelihood 1 to 4, the risks there.
#[derive(SimpleObject, Clone)]
pub struct DpiaRiskMapRow {
    pub severity: i32,
    pub severity_label: String,
    /// Four cells, likelihood 1 to 4: « Accès illégitime (initial) »…
    pub cells: Vec<Vec<String>>,
}

#[ComplexObject]
impl Dpia {
    /// The three risks with their measures (planned ones with their action plan item).
    async fn risks(&self, ctx: &Context<'_>) -> Result<Vec<DpiaRisk>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(store::risks(db, &s, self.id)
            .await
            .gql()?
            .into_iter()
            .map(DpiaRisk::from)
            .collect())
    }

    /// The 4×4 risk map, severity 4 down to 1 (the initial and residual position of each risk).
    async fn risk_map(&self, ctx: &Context<'_>) -> Result<Vec<DpiaRiskMapRow>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let risks = store::risks(db, &s, self.id).await.gql()?;
        Ok(dpia::document::risk_map(&risks)
            .into_iter()
            .map(|(sev, cells)| DpiaRiskMapRow {
                severity: sev,
                severity_label: dpia::level_label(sev).into(),
                cells: cells.into_iter().collect(),
            })
            .collect())
    }

    /// Where to download its PDF (GET, with the session or a token).
    async fn pdf_path(&self) -> String {
        format!("/exports/gdpr/dpia?id={}", self.id)
    }
}

#[derive(SimpleObject, Clone)]
pub struct DpiaModelRisk {
    pub kind: Term,
    pub severity: Option<i32>,
    pub likelihood: Option<i32>,
    pub residual_severity: Option<i32>,
    pub residual_likelihood: Option<i32>,
    pub measures: Vec<String>,
}

/// A DPIA model published by the intercommunality for its communes.
#[derive(SimpleObject, Clone)]
pub struct DpiaModel {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub description: String,
    pub published_by: String,
    pub created_at: DateTime<Utc>,
    pub overview: String,
    pub risks: Vec<DpiaModelRisk>,
}

impl From<models::DpiaModel> for DpiaModel {
    fn from(m: models::DpiaModel) -> Self {
        Self {
            id: m.row.id,
            organisation_id: m.row.organisation_id,
            name: m.row.name,
            description: m.row.description,
            published_by: m.row.published_by,
            created_at: m.row.created_at,
            overview: m.content.context.overview,
            risks: m
                .content
                .risks
                .into_iter()
                .map(|r| DpiaModelRisk {
                    kind: term(r.kind, RiskKind::code, RiskKind::label),
                    severity: r.severity,
                    likelihood: r.likelihood,
                    residual_severity: r.residual_severity,
                    residual_likelihood: r.residual_likelihood,
                    measures: r.measures.into_iter().map(|m| m.title).collect(),
                })
                .collect(),
        }
    }
}

#[derive(InputObject)]
pub struct DpiaSupportInput {
    /// hardware, software, network, people, paper.
    pub kind: String,
    pub description: String,
}

#[derive(InputObject)]
pub struct DpiaContextInput {
    #[graphql(default)]
    pub overview: String,
    #[graphql(default)]
    pub data_processed: String,
    #[graphql(default, validator(max_items = 40))]
    pub supports: Vec<DpiaSupportInput>,
    #[graphql(default)]
    pub lifecycle: String,
}

#[derive(InputObject)]
pub struct DpiaPrincipleInput {
    /// See `gdprVocabulary.dpiaPrinciples`.
    pub principle: String,
    pub justification: String,
}

#[derive(InputObject)]
pub struct DpiaMeasureInput {
    /// A measure already recorded (to keep or change it); none for a new one.
    pub id: Option<Uuid>,
    pub title: String,
    /// existing or planned (a planned one joins the action plan, due on `dueOn`).
    pub state: String,
    pub due_on: Option<Date>,
}

#[derive(InputObject)]
pub struct DpiaRiskInput {
    /// illegitimate_access, unwanted_modification, disappearance.
    pub kind: String,
    #[graphql(default)]
    pub sources: String,
    #[graphql(default)]
    pub threats: String,
    #[graphql(default)]
    pub impacts: String,
    /// 1 Négligeable, 2 Limitée, 3 Importante, 4 Maximale.
    pub severity: Option<i32>,
    pub likelihood: Option<i32>,
    pub residual_severity: Option<i32>,
    pub residual_likelihood: Option<i32>,
    #[graphql(default, validator(max_items = 40))]
    pub measures: Vec<DpiaMeasureInput>,
}

#[derive(InputObject)]
pub struct DpiaSubjectsOpinionInput {
    pub sought: bool,
    #[graphql(default)]
    pub summary: String,
    #[graphql(default)]
    pub reason_not_sought: String,
}

/// The commune's part of a DPIA. Principles and risks left out stay as they were; measures of
/// a risk given are those listed (others leave the DPIA, their action plan items stay).
#[derive(InputObject)]
pub struct DpiaInput {
    pub version: i32,
    pub context: DpiaContextInput,
    #[graphql(default, validator(max_items = 12))]
    pub principles: Vec<DpiaPrincipleInput>,
    #[graphql(default, validator(max_items = 3))]
    pub risks: Vec<DpiaRiskInput>,
    pub subjects_opinion: DpiaSubjectsOpinionInput,
}

impl DpiaInput {
    fn into_domain(self) -> Result<store::DpiaInput> {
        Ok(store::DpiaInput {
            version: self.version,
            context: DpiaCtx {
                overview: self.context.overview,
                data_processed: self.context.data_processed,
                lifecycle: self.context.lifecycle,
                supports: self
                    .context
                    .supports
                    .into_iter()
                    .map(|s| {
                        Ok(Support {
                            kind: vocab("supports", SupportKind::parse(&s.kind))?,
                            description: s.description,
                        })
                    })
                    .collect::<Result<_>>()?,
            },
            principles: self
                .principles
                .into_iter()
                .map(|p| {
                    Ok((
                        vocab("principles", Principle::parse(&p.principle))?,
                        p.justification,
                    ))
                })
                .collect::<Result<_>>()?,
            risks: self
                .risks
                .into_iter()
                .map(|r| {
                    Ok(store::RiskInput {
                        kind: vocab("risks", RiskKind::parse(&r.kind))?,
                        sources: r.sources,
                        threats: r.threats,
                        impacts: r.impacts,
                        severity: r.severity,
                        likelihood: r.likelihood,
                        residual_severity: r.residual_severity,
                        residual_likelihood: r.residual_likelihood,
                        measures: r
                            .measures
                            .into_iter()
                            .map(|m| {
                                Ok(store::MeasureInput {
                                    id: m.id,
                                    title: m.title,
                                    state: vocab("measures", MeasureState::parse(&m.state))?,
                                    due_on: m.due_on.map(|d| d.0),
                                })
                            })
                            .collect::<Result<_>>()?,
                    })
                })
                .collect::<Result<_>>()?,
            subjects_opinion: SubjectsOpinion {
                sought: self.subjects_opinion.sought,
                summary: self.subjects_opinion.summary,
                reason_not_sought: self.subjects_opinion.reason_not_sought,
            },
        })
    }
}

#[derive(InputObject)]
pub struct DpiaEvaluationInput {
    pub principle: String,
    /// acceptable or improvable.
    pub evaluation: String,
    #[graphql(default)]
    pub comment: String,
}

#[derive(Default)]
pub struct DpiaQuery;

#[Object]
impl DpiaQuery {
    /// DPIAs of the communes in reach (or those named), most recently changed first.
    async fn dpias(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "draft, in_validation, validated, refused.")] stage: Option<String>,
        #[graphql(
            default = 50,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 50)."
        )]
        first: u64,
        #[graphql(
            default = 0,
            validator(maximum = 100000000),
            desc = "Items skipped before this page (default 0)."
        )]
        offset: u64,
    ) -> Result<Page<Dpia>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let stage = stage
            .map(|x| vocab("stage", DpiaStage::parse(&x)))
            .transpose()?;
        Ok(Page::of(
            store::list(db, &s, tenant_ids, stage, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    async fn dpia(&self, ctx: &Context<'_>, id: Uuid) -> Result<Dpia> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(store::get(db, &s, id).await.gql()?.into())
    }

    /// DPIA models of the organisations in reach (or of the one named), by name.
    async fn dpia_models(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<DpiaModel>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(models::list(db, &s, organisation_id)
            .await
            .gql()?
            .into_iter()
            .map(DpiaModel::from)
            .collect())
    }
}

#[derive(Default)]
pub struct DpiaMutation;

#[Object]
impl DpiaMutation {
    /// Open the DPIA of an activity, blank or from one of the organisation's models (copied:
    /// then the commune's own). CONFLICT with `existingId` when the activity has one.
    async fn create_dpia(
        &self,
        ctx: &Context<'_>,
        activity_id: Uuid,
        model_id: Option<Uuid>,
    ) -> Result<Dpia> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(store::create(db, &s, activity_id, model_id)
            .await
            .gql()?
            .into())
    }

    /// Write the commune's part (a draft, or a refused DPIA, which returns to draft). One
    /// transaction: a bad value anywhere writes nothing. New planned measures join the action
    /// plan.
    async fn update_dpia(&self, ctx: &Context<'_>, id: Uuid, input: DpiaInput) -> Result<Dpia> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let input = input.into_domain()?;
        Ok(store::update(db, &s, id, input).await.gql()?.into())
    }

    /// Send a complete DPIA to validation.
    async fn submit_dpia(&self, ctx: &Context<'_>, id: Uuid, version: i32) -> Result<Dpia> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(store::submit(db, &s, id, version).await.gql()?.into())
    }

    /// The DPO's opinion (Art. 35(2)) and evaluation of the principles (the DPO only).
    async fn give_dpia_opinion(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        opinion: String,
        #[graphql(default, validator(max_items = 12))] evaluations: Vec<DpiaEvaluationInput>,
    ) -> Result<Dpia> {
        let (db, s) = scoped::<can::CheckGdpr>(ctx)?;
        let evaluations = evaluations
            .into_iter()
            .map(|e| {
                Ok((
                    vocab("evaluations", Principle::parse(&e.principle))?,
                    vocab("evaluations", Evaluation::parse(&e.evaluation))?,
                    e.comment,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(store::give_opinion(db, &s, id, opinion, evaluations)
            .await
            .gql()?
            .into())
    }

    /// The controller's decision (the commune's administrator): validated or refused, by whom
    /// (name and office), with a comment (required to refuse).
    async fn decide_dpia(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(desc = "validated or refused.")] decision: String,
        signatory: String,
        #[graphql(default)] comment: String,
    ) -> Result<Dpia> {
        let decision = vocab("decision", Decision::parse(&decision))?;
        let (db, s) = scoped::<can::ValidateDpia>(ctx)?;
        Ok(store::decide(db, &s, id, decision, signatory, comment)
            .await
            .gql()?
            .into())
    }

    /// Publish a DPIA model for the organisation's communes from one of its DPIAs (its context,
    /// justifications, risks and measures; never opinions nor decision).
    async fn publish_dpia_model(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        from_dpia_id: Uuid,
        name: String,
        #[graphql(default)] description: String,
    ) -> Result<DpiaModel> {
        let (db, s) = scoped::<can::PublishModels>(ctx)?;
        let (v, content) = models::content_of(db, &s, from_dpia_id).await.gql()?;
        if v.row.organisation_id != organisation_id {
            return Err(tenants::tenancy::AccessError::NotFound.into_gql());
        }
        Ok(
            models::publish(db, &s, organisation_id, name, description, content)
                .await
                .gql()?
                .into(),
        )
    }
}
