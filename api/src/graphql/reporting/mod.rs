//! Consolidated reports: read as the worker stored them (never recomputed on read).
use super::context::{scoped, RequestCtx};
use super::errors::{code, coded, internal, GqlResult, IntoGql};
use async_graphql::{Context, Error, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::backups::metering::Period;
use tenants::reporting::snapshot::{self, CommuneFigures};
use tenants::reporting::ReportError;
use tenants::tenancy::Permission;
use uuid::Uuid;

impl IntoGql for ReportError {
    fn into_gql(self) -> Error {
        match self {
            ReportError::Access(a) => a.into_gql(),
            ReportError::BadInput { field, message } => super::errors::bad_input(field, message),
            other => internal(other),
        }
    }
}

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
    pub activities_validated: i64,
    pub activities_checked: i64,
    pub dpia_required: i64,
    pub dpia_done: i64,
    pub requests_open: i64,
    pub requests_due_soon: i64,
    pub requests_overdue: i64,
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
        let mut states: Vec<StateCount> = c
            .backup_states
            .into_iter()
            .map(|(state, communes)| StateCount { state, communes })
            .collect();
        states.sort_by(|a, b| a.state.cmp(&b.state));
        Self {
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
        let (db, s) = scoped(ctx, Permission::ReadReports)?;
        let period = period.map(|p| Period::parse(&p)).transpose().map_err(|_| {
            super::errors::bad_input("period", "Indiquez un mois au format AAAA-MM.")
        })?;
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
        let (db, s) = scoped(ctx, Permission::ReadReports)?;
        let period = match period {
            Some(p) => Period::parse(&p).map_err(|_| {
                super::errors::bad_input("period", "Indiquez un mois au format AAAA-MM.")
            })?,
            None => snapshot::current_period(Utc::now()),
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
