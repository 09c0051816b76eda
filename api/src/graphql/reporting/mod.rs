//! Consolidated reports: read as the worker stored them (never recomputed on read).
use super::context::{scoped, RequestCtx};
use super::errors::{code, coded, GqlResult, IntoGql};
use super::scalars::Date;
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::calendar::Period;
use tenants::reporting::snapshot::{self, CommuneFigures};
use tenants::reporting::summary::{self, CommuneLine};
use tenants::reporting::ReportError;
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(SimpleObject, Clone)]
pub struct StateCount {
    pub state: String,
    pub communes: i64,
}

/// One commune's figures (or the total: no tenant, backup states counted).
#[derive(SimpleObject, Clone)]
pub struct ReportFigures {
    pub tenant_id: Option<Uuid>,
    pub name: String,
    pub insee_code: Option<String>,
    pub activities: i64,
    /// Activities validated by the commune or checked by the DPO: the checked ones are counted
    /// here (the one definition of "validated" of every report and export).
    pub activities_validated: i64,
    /// Of which checked by the DPO: a part of `activitiesValidated`, never to be added to it.
    pub activities_checked: i64,
    /// `activitiesValidated` / `activities` in basis points (10,000 = 100 %), rounded half up;
    /// null without any activity. The share the exports print.
    pub activities_validated_bp: Option<i64>,
    /// `activitiesChecked` / `activities` in basis points; null without any activity.
    pub activities_checked_bp: Option<i64>,
    pub dpia_required: i64,
    pub dpia_done: i64,
    pub requests_open: i64,
    pub requests_due_soon: i64,
    pub requests_overdue: i64,
    /// The nearest deadline in force of an open request (a day in Paris); for the total, the
    /// nearest of all.
    pub next_request_due_on: Option<Date>,
    pub breaches_open: i64,
    pub breaches_late: i64,
    pub contracts_to_renew: i64,
    pub splitting_alerts: i64,
    pub backup_state: String,
    pub backup_policies: i64,
    pub backup_bytes: i64,
    pub backup_milli_gb_months: i64,
    pub costs_allocated_cents: i64,
    pub invoiced_cents: i64,
    pub paid_cents: i64,
    pub unpaid_cents: i64,
    pub backup_states: Vec<StateCount>,
    /// Latest maturity score (basis points, 10,000 = 100 %); for the total, the mean over the
    /// assessed communes.
    pub maturity_bp: Option<i64>,
    /// For the total: communes with a maturity score.
    pub maturity_assessed: i64,
}

impl From<CommuneFigures> for ReportFigures {
    fn from(c: CommuneFigures) -> Self {
        let (validated_bp, checked_bp) = (c.validated_bp(), c.checked_bp());
        let mut states: Vec<StateCount> = c
            .backup_states
            .into_iter()
            .map(|(state, communes)| StateCount { state, communes })
            .collect();
        states.sort_by(|a, b| a.state.cmp(&b.state));
        Self {
            activities_validated_bp: validated_bp,
            activities_checked_bp: checked_bp,
            tenant_id: c.tenant_id,
            name: c.name,
            insee_code: c.insee_code,
            activities: c.activities,
            activities_validated: c.activities_validated,
            activities_checked: c.activities_checked,
            dpia_required: c.dpia_required,
            dpia_done: c.dpia_done,
            requests_open: c.requests_open,
            requests_due_soon: c.requests_due_soon,
            requests_overdue: c.requests_overdue,
            next_request_due_on: c.next_request_due_on.map(Date),
            breaches_open: c.breaches_open,
            breaches_late: c.breaches_late,
            contracts_to_renew: c.contracts_to_renew,
            splitting_alerts: c.splitting_alerts,
            backup_state: c.backup_state,
            backup_policies: c.backup_policies,
            backup_bytes: c.backup_bytes,
            backup_milli_gb_months: c.backup_milli_gb_months,
            costs_allocated_cents: c.costs_allocated_cents,
            invoiced_cents: c.invoiced_cents,
            paid_cents: c.paid_cents,
            unpaid_cents: c.unpaid_cents,
            backup_states: states,
            maturity_bp: c.maturity_bp,
            maturity_assessed: c.maturity_assessed,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct ConsolidatedReport {
    pub organisation_id: Uuid,
    /// YYYY-MM.
    pub period: String,
    pub computed_at: DateTime<Utc>,
    pub communes: Vec<ReportFigures>,
    pub total: ReportFigures,
}

/// A commune's own figures of a stored report, for whoever reads its register (its
/// administrator's home page); the same line as its council summary
/// (`/exports/reports/commune`). A section the caller may not read on this commune is null.
#[derive(SimpleObject, Clone)]
pub struct CommuneSummary {
    pub tenant_id: Uuid,
    pub name: String,
    pub insee_code: Option<String>,
    /// YYYY-MM: the report's month.
    pub period: String,
    pub computed_at: DateTime<Utc>,
    pub activities: i64,
    /// Validated by the commune or checked by the DPO (the checked ones included).
    pub activities_validated: i64,
    /// Of which checked by the DPO.
    pub activities_checked: i64,
    /// `activitiesValidated` / `activities` in basis points; null without any activity.
    pub activities_validated_bp: Option<i64>,
    pub activities_checked_bp: Option<i64>,
    pub dpia_required: i64,
    pub dpia_done: i64,
    pub requests_open: i64,
    pub requests_due_soon: i64,
    pub requests_overdue: i64,
    /// The nearest deadline in force of an open request (a day in Paris), overdue ones
    /// included; null without an open request.
    pub next_request_due_on: Option<Date>,
    pub breaches_open: i64,
    pub breaches_late: i64,
    /// Contracts to renew within 90 days (null without the right to read contracts).
    pub contracts_to_renew: Option<i64>,
    /// ok, late, failing or never (null without the right to read backups).
    pub backup_state: Option<String>,
    pub backup_policies: Option<i64>,
    pub backup_milli_gb_months: Option<i64>,
    /// The year's costs allocated to the commune, invoiced, unpaid (null without the right to
    /// read costs).
    pub costs_allocated_cents: Option<i64>,
    pub invoiced_cents: Option<i64>,
    pub unpaid_cents: Option<i64>,
    pub paid_cents: Option<i64>,
    /// Latest maturity score (basis points).
    pub maturity_bp: Option<i64>,
}

impl From<CommuneLine> for CommuneSummary {
    fn from(l: CommuneLine) -> Self {
        let c = l.commune;
        let s = l.sections;
        let cost = |v: i64| s.costs.then_some(v);
        Self {
            tenant_id: c.tenant_id.unwrap_or_default(),
            activities_validated_bp: c.validated_bp(),
            activities_checked_bp: c.checked_bp(),
            name: c.name,
            insee_code: c.insee_code,
            period: l.period.to_string(),
            computed_at: l.row.computed_at,
            activities: c.activities,
            activities_validated: c.activities_validated,
            activities_checked: c.activities_checked,
            dpia_required: c.dpia_required,
            dpia_done: c.dpia_done,
            requests_open: c.requests_open,
            requests_due_soon: c.requests_due_soon,
            requests_overdue: c.requests_overdue,
            next_request_due_on: c.next_request_due_on.map(Date),
            breaches_open: c.breaches_open,
            breaches_late: c.breaches_late,
            contracts_to_renew: s.procurement.then_some(c.contracts_to_renew),
            backup_state: s.backups.then_some(c.backup_state),
            backup_policies: s.backups.then_some(c.backup_policies),
            backup_milli_gb_months: s.backups.then_some(c.backup_milli_gb_months),
            costs_allocated_cents: cost(c.costs_allocated_cents),
            invoiced_cents: cost(c.invoiced_cents),
            unpaid_cents: cost(c.unpaid_cents),
            paid_cents: cost(c.paid_cents),
            maturity_bp: c.maturity_bp,
        }
    }
}

#[derive(Default)]
pub struct ReportingQuery;

#[Object]
impl ReportingQuery {
    /// The stored consolidated reports of an organisation, newest month first (one month with
    /// `period`): the trend is the list.
    async fn consolidated_reports(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        period: Option<String>,
    ) -> Result<Vec<ConsolidatedReport>> {
        let (db, s) = scoped::<can::ReadReports>(ctx)?;
        let period = period
            .map(|p| Period::parse(&p))
            .transpose()
            .map_err(|e| super::errors::bad_input("period", e.to_string()))?;
        Ok(snapshot::stored(db, &s, organisation_id, period)
            .await
            .gql()?
            .into_iter()
            .map(|(row, f)| ConsolidatedReport {
                organisation_id: row.organisation_id,
                period: row.period,
                computed_at: row.computed_at,
                communes: f.communes.into_iter().map(ReportFigures::from).collect(),
                total: f.total.into(),
            })
            .collect())
    }

    /// A commune's own figures (its line of the month's stored report, or of the latest one
    /// without `period`), for whoever reads its register; null before any report holds it.
    async fn commune_summary(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        period: Option<String>,
    ) -> Result<Option<CommuneSummary>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let period = period
            .map(|p| Period::parse(&p))
            .transpose()
            .map_err(|e| super::errors::bad_input("period", e.to_string()))?;
        Ok(summary::commune_line(db, &s, tenant_id, period)
            .await
            .gql()?
            .map(CommuneSummary::from))
    }
}

#[derive(Default)]
pub struct ReportingMutation;

#[Object]
impl ReportingMutation {
    /// Asks the worker to recompute a month's report (the current month by default); true
    /// when a new job was queued (one per minute at most).
    async fn refresh_consolidated_report(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        period: Option<String>,
    ) -> Result<bool> {
        let (db, s) = scoped::<can::ReadReports>(ctx)?;
        let period = match period {
            Some(p) => {
                Period::parse(&p).map_err(|e| super::errors::bad_input("period", e.to_string()))?
            }
            None => tenants::calendar::current_period(Utc::now()),
        };
        let fresh = snapshot::request(db, &s, organisation_id, period)
            .await
            .map_err(|e| match e {
                ReportError::Jobs(j) => coded(code::CONFLICT, j.to_string()),
                e => e.into_gql(),
            })?;
        ctx.data::<RequestCtx>()?.wake_workers().await;
        Ok(fresh)
    }
}
