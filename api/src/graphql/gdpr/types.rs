//! GDPR output types.
use super::loaders::{GdprLoader, LinkKey, Linked};
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use crate::graphql::scalars::Date;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Json, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::entities::{gdpr_action, gdpr_breach, gdpr_processor, gdpr_request};
use tenants::gdpr::activity::{self, DpiaScreening};
use tenants::gdpr::vocab::*;
use tenants::tenancy::can;
use uuid::Uuid;

/// A code with its French label.
#[derive(SimpleObject, Clone)]
pub struct Term {
    pub code: String,
    pub label: String,
}

impl Term {
    pub fn of(code: &str, label: &str) -> Self {
        Self {
            code: code.into(),
            label: label.into(),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct LegalBasisOut {
    pub basis: Term,
    pub justification: String,
}

#[derive(SimpleObject, Clone)]
pub struct DataSubjectOut {
    pub category: String,
    pub estimated_count: Option<i64>,
}

#[derive(SimpleObject, Clone)]
pub struct DataCategoryOut {
    pub category: String,
    pub sensitive: bool,
    pub criminal: bool,
}

#[derive(SimpleObject, Clone)]
pub struct TransferOut {
    pub country: String,
    pub recipient: String,
    pub safeguard: Term,
}

#[derive(SimpleObject, Clone)]
pub struct RetentionOut {
    pub data: String,
    pub duration_months: i32,
    pub starting_event: String,
    pub final_fate: Term,
}

#[derive(SimpleObject, Clone)]
pub struct ModelChangeOut {
    pub field: String,
    pub at_instantiation: Json<serde_json::Value>,
    pub in_model_now: Json<serde_json::Value>,
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Activity {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub role: Term,
    pub name: String,
    pub purposes: String,
    pub controller_name: Option<String>,
    pub legal_bases: Vec<LegalBasisOut>,
    pub data_subjects: Vec<DataSubjectOut>,
    pub data_categories: Vec<DataCategoryOut>,
    pub recipients: Vec<String>,
    pub transfers: Vec<TransferOut>,
    pub retention: Vec<RetentionOut>,
    pub security_measures: Vec<String>,
    pub dpia_criteria: Vec<Term>,
    pub origin: String,
    pub collection_method: String,
    pub information: String,
    pub software: String,
    pub department: String,
    pub owner: String,
    pub status: Term,
    /// Increases at every change; send it back with updateActivity.
    pub version: i32,
    /// Share of the expected content filled in (0-100).
    pub completeness: i32,
    /// NOT_REQUIRED, REVIEW (one criterion with sensitive data) or REQUIRED (two or more).
    pub dpia_screening: String,
    pub has_sensitive_data: bool,
    pub is_model: bool,
    pub model_id: Option<Uuid>,
    pub processor_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the commune archived it (out of the register, its exports and figures).
    pub archived_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub inner: activity::Activity,
}

impl From<activity::Activity> for Activity {
    fn from(a: activity::Activity) -> Self {
        let f = &a.fields;
        let r = &a.row;
        Self {
            id: r.id,
            organisation_id: r.organisation_id,
            tenant_id: r.tenant_id,
            role: Term::of(f.role.code(), f.role.label()),
            name: f.name.clone(),
            purposes: f.purposes.clone(),
            controller_name: f.controller_name.clone(),
            legal_bases: f
                .legal_bases
                .iter()
                .map(|l| LegalBasisOut {
                    basis: Term::of(l.basis.code(), l.basis.label()),
                    justification: l.justification.clone(),
                })
                .collect(),
            data_subjects: f
                .data_subjects
                .iter()
                .map(|d| DataSubjectOut {
                    category: d.category.clone(),
                    estimated_count: d.estimated_count,
                })
                .collect(),
            data_categories: f
                .data_categories
                .iter()
                .map(|d| DataCategoryOut {
                    category: d.category.clone(),
                    sensitive: d.sensitive,
                    criminal: d.criminal,
                })
                .collect(),
            recipients: f.recipients.clone(),
            transfers: f
                .transfers
                .iter()
                .map(|t| TransferOut {
                    country: t.country.clone(),
                    recipient: t.recipient.clone(),
                    safeguard: Term::of(t.safeguard.code(), t.safeguard.label()),
                })
                .collect(),
            retention: f
                .retention
                .iter()
                .map(|r| RetentionOut {
                    data: r.data.clone(),
                    duration_months: r.duration_months as i32,
                    starting_event: r.starting_event.clone(),
                    final_fate: Term::of(r.final_fate.code(), r.final_fate.label()),
                })
                .collect(),
            security_measures: f.security_measures.clone(),
            dpia_criteria: f
                .dpia_criteria
                .iter()
                .map(|c| Term::of(c.code(), c.label()))
                .collect(),
            origin: f.origin.clone(),
            collection_method: f.collection_method.clone(),
            information: f.information.clone(),
            software: f.software.clone(),
            department: f.department.clone(),
            owner: f.owner.clone(),
            status: {
                let s = a.status();
                Term::of(s.code(), s.label())
            },
            version: r.version,
            completeness: i32::from(f.completeness()),
            dpia_screening: match f.dpia_screening() {
                DpiaScreening::NotRequired => "NOT_REQUIRED",
                DpiaScreening::Review => "REVIEW",
                DpiaScreening::Required => "REQUIRED",
            }
            .into(),
            has_sensitive_data: f.has_sensitive_data(),
            is_model: r.is_model,
            model_id: r.model_id,
            processor_ids: a.processor_ids.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            archived_at: r.archived_at,
            inner: a,
        }
    }
}

#[ComplexObject]
impl Activity {
    /// For an instance of a model: what the model changed since it was copied.
    async fn model_changes(&self, ctx: &Context<'_>) -> Result<Vec<ModelChangeOut>> {
        if self.model_id.is_none() {
            return Ok(vec![]);
        }
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let (_, changes) = tenants::gdpr::models::changes_since_instantiation(db, &s, &self.inner)
            .await
            .gql()?;
        Ok(changes
            .into_iter()
            .map(|c| ModelChangeOut {
                field: c.field,
                at_instantiation: Json(c.at_instantiation),
                in_model_now: Json(c.in_model_now),
            })
            .collect())
    }

    /// The action plan items about this activity, soonest first (batched per request).
    async fn actions(&self, ctx: &Context<'_>) -> Result<Vec<Action>> {
        let loader = ctx.data::<DataLoader<GdprLoader>>()?;
        Ok(
            match loader.load_one(LinkKey::ActivityActions(self.id)).await? {
                Some(Linked::Actions(v)) => v,
                _ => vec![],
            },
        )
    }

    /// The DPIA record of this activity, if one was opened (batched per request).
    async fn dpia(&self, ctx: &Context<'_>) -> Result<Option<Dpia>> {
        let loader = ctx.data::<DataLoader<GdprLoader>>()?;
        Ok(
            match loader.load_one(LinkKey::ActivityDpia(self.id)).await? {
                Some(Linked::Dpia(d)) => Some(*d),
                _ => None,
            },
        )
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Processor {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub siret: Option<String>,
    pub contact: String,
    pub country: String,
    pub contract_ref: String,
    pub dpa_status: Term,
    pub dpa_signed_on: Option<Date>,
}

impl From<gdpr_processor::Model> for Processor {
    fn from(m: gdpr_processor::Model) -> Self {
        let s = DpaStatus::parse(&m.dpa_status).unwrap_or(DpaStatus::None);
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            name: m.name,
            siret: m.siret,
            contact: m.contact,
            country: m.country,
            contract_ref: m.contract_ref,
            dpa_status: Term::of(s.code(), s.label()),
            dpa_signed_on: m.dpa_signed_on.map(Date),
        }
    }
}

#[ComplexObject]
impl Processor {
    /// Ids of the activities that use this processor (batched per request).
    async fn activity_ids(&self, ctx: &Context<'_>) -> Result<Vec<Uuid>> {
        let loader = ctx.data::<DataLoader<GdprLoader>>()?;
        Ok(loader
            .load_one(LinkKey::ProcessorActivities(self.id))
            .await?
            .map(|v| v.ids())
            .unwrap_or_default())
    }
}

pub use super::dpia::Dpia;

#[derive(SimpleObject, Clone)]
pub struct Action {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub activity_id: Option<Uuid>,
    pub title: String,
    pub due_on: Date,
    pub status: Term,
    pub done_on: Option<Date>,
    pub overdue: bool,
}

impl From<gdpr_action::Model> for Action {
    fn from(m: gdpr_action::Model) -> Self {
        let s = ActionStatus::parse(&m.status).unwrap_or(ActionStatus::Open);
        Self {
            overdue: s == ActionStatus::Open && m.due_on < tenants::calendar::paris_today(),
            id: m.id,
            tenant_id: m.tenant_id,
            activity_id: m.activity_id,
            title: m.title,
            due_on: m.due_on.into(),
            status: Term::of(s.code(), s.label()),
            done_on: m.done_on.map(Date),
        }
    }
}

/// One thing done to a rights request, as its history shows it.
#[derive(SimpleObject, Clone)]
pub struct RightsRequestEvent {
    pub at: DateTime<Utc>,
    /// Who did it (empty for what was recorded before the history was kept).
    pub actor: String,
    /// `received`, `in_progress`, `extended`, `answered`, `rejected`, `withdrawn` or
    /// `received_again`, with its French label.
    pub action: Term,
    /// The answer, the reasons of a refusal, or the reason of an extension.
    pub note: String,
    /// The deadline in force after this event.
    pub due_on: Option<Date>,
}

impl From<tenants::entities::gdpr_request_event::Model> for RightsRequestEvent {
    fn from(m: tenants::entities::gdpr_request_event::Model) -> Self {
        Self {
            action: Term::of(&m.action, tenants::gdpr::requests::event_label(&m.action)),
            at: m.at,
            actor: m.actor,
            note: m.note,
            due_on: m.due_on.map(Date),
        }
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct RightsRequest {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: Term,
    pub received_on: Date,
    pub requester: String,
    pub contact: String,
    pub details: String,
    pub status: Term,
    pub answer: String,
    pub answered_on: Option<Date>,
    /// One month from receipt (Regulation 1182/71), moved to the next working day of the
    /// commune's calendar.
    pub due_on: Date,
    pub extended_due_on: Option<Date>,
    pub extension_reason: Option<String>,
    /// The deadline in force.
    pub effective_due_on: Date,
    /// Days left until the deadline in force (negative when overdue), open requests only.
    pub days_left: Option<i64>,
    pub overdue: bool,
    /// Open, not yet extended and the first deadline not passed: it may still be extended.
    pub extendable: bool,
    #[graphql(skip)]
    pub inner: gdpr_request::Model,
}

impl From<gdpr_request::Model> for RightsRequest {
    fn from(m: gdpr_request::Model) -> Self {
        let today = tenants::calendar::paris_today();
        let kind = RequestKind::parse(&m.kind).unwrap_or(RequestKind::Access);
        let status = RequestStatus::parse(&m.status).unwrap_or(RequestStatus::Received);
        let due = tenants::gdpr::requests::effective_due(&m);
        Self {
            extendable: status.is_open() && m.extended_due_on.is_none() && today <= m.due_on,
            inner: m.clone(),
            overdue: tenants::gdpr::requests::is_overdue(&m, today),
            days_left: status.is_open().then(|| (due - today).num_days()),
            effective_due_on: due.into(),
            id: m.id,
            tenant_id: m.tenant_id,
            kind: Term::of(kind.code(), kind.label()),
            received_on: m.received_on.into(),
            requester: m.requester,
            contact: m.contact,
            details: m.details,
            status: Term::of(status.code(), status.label()),
            answer: m.answer,
            answered_on: m.answered_on.map(Date),
            due_on: m.due_on.into(),
            extended_due_on: m.extended_due_on.map(Date),
            extension_reason: m.extension_reason,
        }
    }
}

#[ComplexObject]
impl RightsRequest {
    /// What was done to the request, oldest first: who, when, with the answer or the reason.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<RightsRequestEvent>> {
        let loader = ctx.data::<DataLoader<GdprLoader>>()?;
        Ok(
            match loader.load_one(LinkKey::RequestHistory(self.id)).await? {
                Some(Linked::Events(v)) => v,
                _ => vec![],
            },
        )
    }

    /// The deadline an extension would give (three months from receipt, on the commune's
    /// calendar), while the request may still be extended.
    async fn extension_due_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        if !self.extendable {
            return Ok(None);
        }
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let t = tenants::directory::tenant(db, &s, self.tenant_id)
            .await
            .gql()?;
        Ok(Some(Date(tenants::gdpr::requests::extended_due(
            t.insee_code.as_deref().unwrap_or_default(),
            self.inner.received_on,
        ))))
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Breach {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    pub aware_at: DateTime<Utc>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub natures: Vec<Term>,
    pub data_categories: String,
    pub people_count: Option<i64>,
    pub records_count: Option<i64>,
    pub consequences: String,
    pub measures: String,
    pub severity: Term,
    /// Awareness + 72 elapsed hours.
    pub notify_deadline: DateTime<Utc>,
    pub notified_at: Option<DateTime<Utc>>,
    pub not_notified_reason: Option<String>,
    pub late_reasons: Option<String>,
    /// Seconds left before the deadline (negative when passed), while undecided.
    pub seconds_left: Option<i64>,
    pub notified_late: bool,
    #[graphql(skip)]
    pub inner: gdpr_breach::Model,
}

impl From<gdpr_breach::Model> for Breach {
    fn from(m: gdpr_breach::Model) -> Self {
        let undecided = m.notified_at.is_none() && m.not_notified_reason.is_none();
        let severity = Severity::parse(&m.severity).unwrap_or(Severity::Medium);
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            title: m.title.clone(),
            aware_at: m.aware_at,
            occurred_at: m.occurred_at,
            natures: serde_json::from_value::<Vec<BreachNature>>(m.natures.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|n| Term::of(n.code(), n.label()))
                .collect(),
            data_categories: m.data_categories.clone(),
            people_count: m.people_count,
            records_count: m.records_count,
            consequences: m.consequences.clone(),
            measures: m.measures.clone(),
            severity: Term::of(severity.code(), severity.label()),
            notify_deadline: m.notify_deadline,
            notified_at: m.notified_at,
            not_notified_reason: m.not_notified_reason.clone(),
            late_reasons: m.late_reasons.clone(),
            seconds_left: undecided.then(|| (m.notify_deadline - Utc::now()).num_seconds()),
            notified_late: m.notified_at.is_some_and(|n| n > m.notify_deadline),
            inner: m,
        }
    }
}

#[ComplexObject]
impl Breach {
    /// A draft notification to the CNIL with the content of Art. 33(3).
    async fn notification_draft(&self, ctx: &Context<'_>) -> Result<String> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let t = tenants::directory::tenant(db, &s, self.tenant_id)
            .await
            .gql()?;
        Ok(tenants::gdpr::breaches::notification_draft(
            &self.inner,
            &t.name,
            "le délégué à la protection des données mutualisé",
        ))
    }
}

#[derive(SimpleObject, Clone)]
pub struct Vocabulary {
    pub register_roles: Vec<Term>,
    pub legal_bases: Vec<Term>,
    pub final_fates: Vec<Term>,
    pub safeguards: Vec<Term>,
    pub dpia_criteria: Vec<Term>,
    pub activity_statuses: Vec<Term>,
    pub dpa_statuses: Vec<Term>,
    pub dpia_statuses: Vec<Term>,
    pub request_kinds: Vec<Term>,
    pub request_statuses: Vec<Term>,
    pub breach_natures: Vec<Term>,
    pub severities: Vec<Term>,
    /// Fields a commune may show on its public register page.
    pub publishable_fields: Vec<Term>,
    /// DPIA (CNIL method): workflow stages, the three risks, the principles, the DPO's
    /// evaluations, measure states, supports of the data, the four levels of severity and
    /// likelihood (codes "1" to "4").
    pub dpia_stages: Vec<Term>,
    pub dpia_risk_kinds: Vec<Term>,
    pub dpia_principles: Vec<Term>,
    pub dpia_evaluations: Vec<Term>,
    pub dpia_measure_states: Vec<Term>,
    pub dpia_support_kinds: Vec<Term>,
    pub dpia_levels: Vec<Term>,
}

macro_rules! terms {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| Term::of(v.code(), v.label()))
            .collect()
    };
}

impl Vocabulary {
    pub fn get() -> Self {
        Self {
            register_roles: terms!(RegisterRole),
            legal_bases: terms!(LegalBasis),
            final_fates: terms!(FinalFate),
            safeguards: terms!(Safeguard),
            dpia_criteria: terms!(DpiaCriterion),
            activity_statuses: terms!(ActivityStatus),
            dpa_statuses: terms!(DpaStatus),
            dpia_statuses: terms!(DpiaStatus),
            request_kinds: terms!(RequestKind),
            request_statuses: terms!(RequestStatus),
            breach_natures: terms!(BreachNature),
            severities: terms!(Severity),
            publishable_fields: tenants::gdpr::register::PUBLIC_FIELDS
                .iter()
                .map(|(k, l)| Term::of(k, l))
                .collect(),
            dpia_stages: terms!(tenants::gdpr::dpia::DpiaStage),
            dpia_risk_kinds: terms!(tenants::gdpr::dpia::RiskKind),
            dpia_principles: terms!(tenants::gdpr::dpia::Principle),
            dpia_evaluations: terms!(tenants::gdpr::dpia::Evaluation),
            dpia_measure_states: terms!(tenants::gdpr::dpia::MeasureState),
            dpia_support_kinds: terms!(tenants::gdpr::dpia::SupportKind),
            dpia_levels: (1..=4)
                .map(|l| Term::of(&l.to_string(), tenants::gdpr::dpia::level_label(l)))
                .collect(),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct PublicRegisterSettings {
    pub tenant_id: Uuid,
    pub published: bool,
    /// Published fields, among `publishableFields`.
    pub fields: Vec<String>,
    /// The page's address, relative to the server.
    pub path: String,
}

impl From<tenants::gdpr::register::Settings> for PublicRegisterSettings {
    fn from(s: tenants::gdpr::register::Settings) -> Self {
        Self {
            path: format!("/public/registre/{}", s.tenant_id),
            tenant_id: s.tenant_id,
            published: s.published,
            fields: s.fields,
        }
    }
}
