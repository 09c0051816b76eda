//! The DPO's yearly bilans: asked for all communes at once, made by the worker, followed by
//! their progress, downloaded per commune (`/exports/gdpr/bilan?id=…&format=docx|pdf`).
use crate::graphql::context::{scoped, RequestCtx};
use crate::graphql::errors::GqlResult;
use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::gdpr::bilan::{self, figures::BilanFigures, BilanSummary, RunProgress};
use tenants::tenancy::can;
use uuid::Uuid;

/// A count with its French label.
#[derive(SimpleObject, Clone)]
pub struct LabelledCount {
    pub label: String,
    pub count: i64,
}

/// The figures of a commune's yearly bilan (what its DOCX and PDF say).
#[derive(SimpleObject, Clone)]
pub struct GdprBilanFigures {
    pub tenant_id: Uuid,
    pub commune: String,
    pub year: i32,
    pub activities: i64,
    pub activities_validated: i64,
    pub activities_by_status: Vec<LabelledCount>,
    pub activities_by_legal_basis: Vec<LabelledCount>,
    pub activities_sensitive: i64,
    pub dpia_required: i64,
    pub requests_received: i64,
    pub requests_in_time: i64,
    pub requests_late: i64,
    pub requests_pending: i64,
    pub requests_withdrawn: i64,
    pub breaches: i64,
    pub breaches_notified_in_time: i64,
    pub breaches_notified_late: i64,
    pub breaches_not_notified: i64,
    pub breaches_undecided: i64,
    pub dpias: i64,
    pub actions_done: i64,
    pub actions_planned: i64,
    pub maturity_bp: Option<i64>,
    pub maturity_previous_bp: Option<i64>,
    pub maturity_change_bp: Option<i64>,
    pub actors_missing: Vec<String>,
    pub evidence: i64,
}

impl From<BilanFigures> for GdprBilanFigures {
    fn from(f: BilanFigures) -> Self {
        let counts = |v: Vec<tenants::gdpr::bilan::figures::Count>| {
            v.into_iter()
                .map(|c| LabelledCount {
                    label: c.label,
                    count: c.count,
                })
                .collect()
        };
        Self {
            maturity_change_bp: f.maturity_change_bp(),
            tenant_id: f.tenant_id,
            commune: f.commune,
            year: f.year,
            activities: f.activities,
            activities_validated: f.activities_validated,
            activities_by_status: counts(f.activities_by_status),
            activities_by_legal_basis: counts(f.activities_by_legal_basis),
            activities_sensitive: f.activities_sensitive,
            dpia_required: f.dpia_required,
            requests_received: f.requests_received,
            requests_in_time: f.requests_in_time,
            requests_late: f.requests_late,
            requests_pending: f.requests_pending,
            requests_withdrawn: f.requests_withdrawn,
            breaches: f.breaches,
            breaches_notified_in_time: f.breaches_notified_in_time,
            breaches_notified_late: f.breaches_notified_late,
            breaches_not_notified: f.breaches_not_notified,
            breaches_undecided: f.breaches_undecided,
            dpias: f.dpias.len() as i64,
            actions_done: f.actions_done.len() as i64,
            actions_planned: f.actions_planned.len() as i64,
            maturity_bp: f.maturity_bp,
            maturity_previous_bp: f.maturity_previous_bp,
            actors_missing: f.actors_missing,
            evidence: f.evidence.len() as i64,
        }
    }
}

/// One commune's stored bilan.
#[derive(SimpleObject, Clone)]
pub struct GdprBilan {
    pub id: Uuid,
    pub run_id: Uuid,
    pub tenant_id: Uuid,
    pub year: i32,
    pub created_at: DateTime<Utc>,
    pub figures: GdprBilanFigures,
    /// Where to download the editable document.
    pub docx_url: String,
    pub pdf_url: String,
}

impl From<BilanSummary> for GdprBilan {
    fn from(b: BilanSummary) -> Self {
        Self {
            docx_url: format!("{}?id={}&format=docx", crate::http::gdpr_lists::BILAN, b.id),
            pdf_url: format!("{}?id={}&format=pdf", crate::http::gdpr_lists::BILAN, b.id),
            id: b.id,
            run_id: b.run_id,
            tenant_id: b.tenant_id,
            year: b.year,
            created_at: b.created_at,
            figures: b.figures.into(),
        }
    }
}

/// A request for the bilans of every commune, and its progress.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct GdprBilanRun {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub year: i32,
    /// Communes to do.
    pub total: i64,
    /// Bilans made so far.
    pub done: i64,
    pub finished: bool,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<RunProgress> for GdprBilanRun {
    fn from(p: RunProgress) -> Self {
        Self {
            id: p.run.id,
            organisation_id: p.run.organisation_id,
            year: p.run.year,
            total: i64::from(p.run.total),
            done: p.done,
            finished: p.done >= i64::from(p.run.total),
            created_at: p.run.created_at,
            finished_at: p.run.finished_at,
        }
    }
}

#[ComplexObject]
impl GdprBilanRun {
    /// The bilans made so far, by commune name.
    async fn bilans(&self, ctx: &Context<'_>) -> Result<Vec<GdprBilan>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(bilan::bilans(db, &s, Some(self.id), None)
            .await
            .gql()?
            .into_iter()
            .map(GdprBilan::from)
            .collect())
    }
}

#[derive(Default)]
pub struct GdprBilanQuery;

#[Object]
impl GdprBilanQuery {
    /// The organisation's bilan runs, newest first (its DPO, its DSI).
    async fn gdpr_bilan_runs(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
    ) -> Result<Vec<GdprBilanRun>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(bilan::runs(db, &s, organisation_id)
            .await
            .gql()?
            .into_iter()
            .map(GdprBilanRun::from)
            .collect())
    }

    /// One run and its progress (poll it while `finished` is false).
    async fn gdpr_bilan_run(&self, ctx: &Context<'_>, id: Uuid) -> Result<GdprBilanRun> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(bilan::run(db, &s, id).await.gql()?.into())
    }

    /// Stored bilans of the communes you read (or of `tenantIds` among them), by commune.
    async fn gdpr_bilans(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<GdprBilan>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(bilan::bilans(db, &s, None, tenant_ids)
            .await
            .gql()?
            .into_iter()
            .map(GdprBilan::from)
            .collect())
    }

    /// What a commune's bilan for `year` says as of now (the figures the documents carry).
    async fn gdpr_bilan_figures(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        year: i32,
    ) -> Result<GdprBilanFigures> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(bilan::live_figures(db, &s, tenant_id, year)
            .await
            .gql()?
            .into())
    }
}

#[derive(Default)]
pub struct GdprBilanMutation;

#[Object]
impl GdprBilanMutation {
    /// Ask the worker for the bilans of every member commune of the organisation for `year`
    /// (its DPO or DSI). Follow it with gdprBilanRun(id).
    async fn request_gdpr_bilans(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        year: i32,
    ) -> Result<GdprBilanRun> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let run = bilan::request(db, &s, organisation_id, year).await.gql()?;
        ctx.data::<RequestCtx>()?.wake_workers().await;
        Ok(GdprBilanRun::from(RunProgress { run, done: 0 }))
    }
}
