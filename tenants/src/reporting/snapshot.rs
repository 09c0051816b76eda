//! The snapshot: one `CommuneFigures` per tenant of the organisation, and their total.
//! Definitions: an activity counts as validated when validated or checked by the DPO
//! (`ActivityStatus::counts_as_validated`: `activities_validated` includes the checked ones,
//! `activities_checked` is a part of it, never to be added to it); a DPIA is
//! required per the screening (two of the nine CNIL criteria) and done when one is completed
//! (submitted) or validated;
//! a rights request is open until answered or rejected, due soon within 7 days of its
//! (extended) deadline; a breach is open until notified or decided not to notify, late past its
//! 72-hour deadline; contracts to renew have a notice deadline or an end within 90 days; costs
//! are the current (not superseded) lines of the period's year; unpaid means open invoices.
use super::ReportError;
use crate::backups::compliance;
use crate::backups::metering;
use crate::calendar::Period;
use crate::collation::OrderByName;
use crate::costs::runs::{self as cost_runs, LineFilter};
use crate::entities::{billing_invoice, gdpr_dpia, report_snapshot, tenant};
use crate::gdpr::activity::{self, ActivityFilter};
use crate::gdpr::requests::{self, RequestFilter};
use crate::gdpr::vocab::{ActivityStatus, DpiaStatus};
use crate::jobs::{self, JobOwner, Snapshot, SnapshotTrigger};
use crate::maturity::assessment;
use crate::procurement::{contracts, splitting};
use crate::tenancy::{can, AccessError, Can, Permission, Scope};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommuneFigures {
    pub tenant_id: Option<Uuid>,
    pub name: String,
    pub insee_code: Option<String>,
    pub activities: i64,
    /// Validated by the commune or checked by the DPO (the checked ones included).
    pub activities_validated: i64,
    /// Checked by the DPO: a part of `activities_validated`.
    pub activities_checked: i64,
    pub dpia_required: i64,
    pub dpia_done: i64,
    pub requests_open: i64,
    pub requests_due_soon: i64,
    pub requests_overdue: i64,
    /// The nearest deadline in force of an open rights request (overdue ones included), a day
    /// in Paris; for the total, the nearest of all.
    #[serde(default)]
    pub next_request_due_on: Option<NaiveDate>,
    pub breaches_open: i64,
    pub breaches_late: i64,
    pub contracts_to_renew: i64,
    pub splitting_alerts: i64,
    /// ok, late, failing or never (the total counts communes by state instead).
    pub backup_state: String,
    pub backup_policies: i64,
    pub backup_bytes: i64,
    pub backup_milli_gb_months: i64,
    pub costs_allocated_cents: i64,
    pub invoiced_cents: i64,
    pub paid_cents: i64,
    pub unpaid_cents: i64,
    /// For the total only: communes by backup state.
    #[serde(default)]
    pub backup_states: HashMap<String, i64>,
    /// Latest maturity score on the period's last day, in basis points (none before the first
    /// assessment); for the total, the mean over the assessed communes, rounded.
    #[serde(default)]
    pub maturity_bp: Option<i64>,
    /// For the total only: communes with a maturity score.
    #[serde(default)]
    pub maturity_assessed: i64,
}

/// `part` of `whole` in basis points (10,000 = 100 %), rounded half up; none of nothing (a
/// commune without any activity has no share, not 0 %).
pub fn share_bp(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part.max(0) * 20_000 + whole) / (2 * whole))
}

impl CommuneFigures {
    /// The register's validated share (checked by the DPO included), in basis points.
    pub fn validated_bp(&self) -> Option<i64> {
        share_bp(self.activities_validated, self.activities)
    }

    /// The register's share checked by the DPO, in basis points.
    pub fn checked_bp(&self) -> Option<i64> {
        share_bp(self.activities_checked, self.activities)
    }

    fn add(&mut self, o: &CommuneFigures) {
        self.activities += o.activities;
        self.activities_validated += o.activities_validated;
        self.activities_checked += o.activities_checked;
        self.dpia_required += o.dpia_required;
        self.dpia_done += o.dpia_done;
        self.requests_open += o.requests_open;
        self.requests_due_soon += o.requests_due_soon;
        self.requests_overdue += o.requests_overdue;
        self.next_request_due_on = match (self.next_request_due_on, o.next_request_due_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.breaches_open += o.breaches_open;
        self.breaches_late += o.breaches_late;
        self.contracts_to_renew += o.contracts_to_renew;
        self.splitting_alerts += o.splitting_alerts;
        self.backup_policies += o.backup_policies;
        self.backup_bytes += o.backup_bytes;
        self.backup_milli_gb_months += o.backup_milli_gb_months;
        self.costs_allocated_cents += o.costs_allocated_cents;
        self.invoiced_cents += o.invoiced_cents;
        self.paid_cents += o.paid_cents;
        self.unpaid_cents += o.unpaid_cents;
        *self
            .backup_states
            .entry(o.backup_state.clone())
            .or_default() += 1;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub communes: Vec<CommuneFigures>,
    pub total: CommuneFigures,
}

fn src(e: impl std::fmt::Display) -> ReportError {
    ReportError::Source(e.to_string())
}

/// Computes the figures of every tenant of `organisation_id` for `period` (no write).
pub async fn compute(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Figures, ReportError> {
    // Limited to the organisation: the modules' whole-scope reads (contracts to renew,
    // splitting alerts) stay within it instead of reading every organisation's.
    let scope = Scope::worker_for_organisation(Permission::ReadReports, organisation_id);
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let txn = scope.begin(db).await?;
    // The communes: the organisation's own tenant (its models, questionnaires, runs) is not one.
    let tenants = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .filter(tenant::Column::Kind.ne("organisation"))
        .order_by_name(tenant::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let ids: Vec<Uuid> = tenants.iter().map(|t| t.id).collect();
    let mut by: HashMap<Uuid, CommuneFigures> = tenants
        .iter()
        .map(|t| {
            (
                t.id,
                CommuneFigures {
                    tenant_id: Some(t.id),
                    name: t.name.clone(),
                    insee_code: t.insee_code.clone(),
                    ..Default::default()
                },
            )
        })
        .collect();

    // GDPR register.
    let acts = activity::list(
        db,
        &scope,
        &ActivityFilter {
            tenant_ids: Some(ids.clone()),
            limit: i64::MAX as u64,
            ..Default::default()
        },
    )
    .await
    .map_err(src)?;
    let txn = scope.begin(db).await?;
    let done_dpias: Vec<Uuid> = scope
        .find::<gdpr_dpia::Entity>()
        .filter(gdpr_dpia::Column::TenantId.is_in(ids.clone()))
        .filter(
            gdpr_dpia::Column::Status
                .is_in([DpiaStatus::Completed.code(), DpiaStatus::Validated.code()]),
        )
        .all(&txn)
        .await?
        .into_iter()
        .map(|d| d.activity_id)
        .collect();
    txn.commit().await?;
    for a in &acts {
        let Some(f) = by.get_mut(&a.row.tenant_id) else {
            continue;
        };
        f.activities += 1;
        let status = a.status();
        if status.counts_as_validated() {
            f.activities_validated += 1;
        }
        if status == ActivityStatus::Checked {
            f.activities_checked += 1;
        }
        if a.fields.dpia_screening() == crate::gdpr::activity::DpiaScreening::Required {
            f.dpia_required += 1;
            if done_dpias.contains(&a.row.id) {
                f.dpia_done += 1;
            }
        }
    }
    // Rights requests and breaches.
    let open = requests::list(
        db,
        &scope,
        &RequestFilter {
            tenant_ids: Some(ids.clone()),
            open_only: true,
            limit: i64::MAX as u64,
            ..Default::default()
        },
        today,
    )
    .await
    .map_err(src)?;
    for r in &open {
        let Some(f) = by.get_mut(&r.tenant_id) else {
            continue;
        };
        f.requests_open += 1;
        let due = requests::effective_due(r);
        f.next_request_due_on = Some(f.next_request_due_on.map_or(due, |d| d.min(due)));
        if requests::is_overdue(r, today) {
            f.requests_overdue += 1;
        } else if (due - today).num_days() <= 7 {
            f.requests_due_soon += 1;
        }
    }
    let breaches =
        crate::gdpr::breaches::list(db, &scope, Some(ids.clone()), false, 0, i64::MAX as u64)
            .await
            .map_err(src)?;
    for b in &breaches {
        let Some(f) = by.get_mut(&b.tenant_id) else {
            continue;
        };
        if b.notified_at.is_none() && b.not_notified_reason.is_none() {
            f.breaches_open += 1;
            if b.notify_deadline < now {
                f.breaches_late += 1;
            }
        }
    }
    // Procurement.
    for c in contracts::expiring(db, &scope, 90, today)
        .await
        .map_err(src)?
    {
        if let Some(f) = by.get_mut(&c.row.tenant_id) {
            f.contracts_to_renew += 1;
        }
    }
    for a in splitting::tenant_alerts(db, &scope, Some(ids.clone()), Some(period.year))
        .await
        .map_err(src)?
    {
        if let Some(f) = by.get_mut(&a.tenant_id) {
            f.splitting_alerts += 1;
        }
    }
    // Backups.
    let (states, _) = compliance::overview(db, &scope, Some(ids.clone()), now, 30)
        .await
        .map_err(src)?;
    for s in states {
        if let Some(f) = by.get_mut(&s.tenant_id) {
            f.backup_state = s.state.as_str().into();
            f.backup_policies = s.policies as i64;
        }
    }
    for u in metering::usage(db, &scope, period, Some(ids.clone()), now)
        .await
        .map_err(src)?
    {
        if let Some(f) = by.get_mut(&u.tenant_id) {
            f.backup_bytes = u.current_bytes;
            f.backup_milli_gb_months = u.milli_gb_months;
        }
    }
    // Costs and invoices of the year.
    let lines = cost_runs::lines(
        db,
        &scope,
        &LineFilter {
            tenant_ids: Some(ids.clone()),
            year: Some(period.year),
            ..Default::default()
        },
    )
    .await
    .map_err(src)?;
    for l in &lines {
        if let Some(f) = by.get_mut(&l.tenant_id) {
            f.costs_allocated_cents += l.amount_cents;
        }
    }
    let (y0, y1) = (
        NaiveDate::from_ymd_opt(period.year, 1, 1).ok_or_else(|| src("year"))?,
        NaiveDate::from_ymd_opt(period.year, 12, 31).ok_or_else(|| src("year"))?,
    );
    let txn = scope.begin(db).await?;
    let invoices = scope
        .find::<billing_invoice::Entity>()
        .filter(billing_invoice::Column::TenantId.is_in(ids.clone()))
        .filter(billing_invoice::Column::IssuedOn.gte(y0))
        .filter(billing_invoice::Column::IssuedOn.lte(y1))
        .all(&txn)
        .await?;
    txn.commit().await?;
    for i in &invoices {
        let Some(f) = by.get_mut(&i.tenant_id) else {
            continue;
        };
        if i.status == "void" {
            continue;
        }
        f.invoiced_cents += i.amount_cents;
        match i.status.as_str() {
            "paid" => f.paid_cents += i.amount_cents,
            "open" | "pending" => f.unpaid_cents += i.amount_cents,
            _ => {}
        }
    }
    // Maturity: the latest assessment on the period's last day (or today, for this month).
    let last_day = NaiveDate::from_ymd_opt(period.year, period.month, 1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .ok_or_else(|| src("period"))?;
    let txn = scope.begin(db).await?;
    let maturity = assessment::latest_scores(&txn, &scope, &ids, last_day.min(today))
        .await
        .map_err(src)?;
    txn.commit().await?;
    for (tenant_id, score) in maturity {
        if let Some(f) = by.get_mut(&tenant_id) {
            f.maturity_bp = Some(i64::from(score));
        }
    }
    let communes: Vec<CommuneFigures> = tenants.iter().filter_map(|t| by.remove(&t.id)).collect();
    let mut total = CommuneFigures {
        name: "Total".into(),
        backup_state: String::new(),
        ..Default::default()
    };
    let mut maturity_sum = 0i64;
    for c in &communes {
        total.add(c);
        if let Some(m) = c.maturity_bp {
            maturity_sum += m;
            total.maturity_assessed += 1;
        }
    }
    if total.maturity_assessed > 0 {
        let n = total.maturity_assessed;
        total.maturity_bp = Some((2 * maturity_sum + n) / (2 * n));
    }
    Ok(Figures { communes, total })
}

/// Computes and stores the snapshot (replacing the period's previous one).
pub async fn refresh(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    period: Period,
    now: DateTime<Utc>,
) -> Result<report_snapshot::Model, ReportError> {
    let figures = compute(db, organisation_id, period, now).await?;
    let scope = Scope::worker(Permission::ReadReports);
    let txn = scope.begin(db).await?;
    let org_tenant = scope.organisation_tenant(&txn, organisation_id).await??;
    let row = report_snapshot::Model {
        id: Uuid::now_v7(),
        organisation_id,
        tenant_id: org_tenant.id,
        period: period.to_string(),
        computed_at: now,
        figures: serde_json::to_value(&figures).map_err(src)?,
    };
    report_snapshot::Entity::insert(report_snapshot::ActiveModel::from(row.clone()))
        .on_conflict(
            OnConflict::columns([
                report_snapshot::Column::OrganisationId,
                report_snapshot::Column::Period,
            ])
            .update_columns([
                report_snapshot::Column::ComputedAt,
                report_snapshot::Column::Figures,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(row)
}

/// Asks the worker for a fresh snapshot (one job per organisation, period and minute).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = tracing::field::Empty))]
pub async fn request(
    db: &DatabaseConnection,
    scope: &Can<can::ReadReports>,
    organisation_id: Uuid,
    period: Period,
) -> Result<bool, ReportError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let txn = scope.begin(db).await?;
    let org_tenant = scope.organisation_tenant(&txn, organisation_id).await??;
    let minute = Utc::now().timestamp() / 60;
    let fresh = jobs::enqueue(
        &txn,
        JobOwner {
            organisation_id,
            tenant_id: org_tenant.id,
        },
        &Snapshot {
            organisation_id,
            period,
            after: None,
            trigger: SnapshotTrigger::Asked { minute },
        },
    )
    .await?;
    txn.commit().await?;
    Ok(fresh)
}

/// The stored snapshots of the organisations the scope reaches whole, newest period first.
pub async fn stored(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Uuid,
    period: Option<Period>,
) -> Result<Vec<(report_snapshot::Model, Figures)>, ReportError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let txn = scope.begin(db).await?;
    let mut q = scope
        .find::<report_snapshot::Entity>()
        .filter(report_snapshot::Column::OrganisationId.eq(organisation_id));
    if let Some(p) = period {
        q = q.filter(report_snapshot::Column::Period.eq(p.to_string()));
    }
    let rows = q
        .order_by_desc(report_snapshot::Column::Period)
        .all(&txn)
        .await?;
    txn.commit().await?;
    rows.into_iter()
        .map(|r| {
            let f: Figures = serde_json::from_value(r.figures.clone()).map_err(src)?;
            Ok((r, f))
        })
        .collect()
}

/// The worker's scheduled pass: one snapshot job per organisation for the current month,
/// at most one per hour whichever worker schedules it (the dedup key names the hour).
pub async fn schedule(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, ReportError> {
    let scope = Scope::worker(Permission::ReadReports);
    let period = crate::calendar::current_period(now);
    let hour = now.timestamp() / 3600;
    let txn = scope.begin(db).await?;
    let orgs = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Kind.eq("organisation"))
        .all(&txn)
        .await?;
    let mut n = 0;
    for t in orgs {
        let fresh = jobs::enqueue(
            &txn,
            JobOwner {
                organisation_id: t.organisation_id,
                tenant_id: t.id,
            },
            &Snapshot {
                organisation_id: t.organisation_id,
                period,
                after: None,
                trigger: SnapshotTrigger::Hourly { hour },
            },
        )
        .await?;
        n += usize::from(fresh);
    }
    txn.commit().await?;
    Ok(n)
}

/// When the stored snapshot of the period was computed, if there is one.
pub async fn computed_at(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    period: Period,
) -> Result<Option<DateTime<Utc>>, ReportError> {
    let scope = Scope::worker(Permission::ReadReports);
    let txn = scope.begin(db).await?;
    let row = scope
        .find::<report_snapshot::Entity>()
        .filter(report_snapshot::Column::OrganisationId.eq(organisation_id))
        .filter(report_snapshot::Column::Period.eq(period.to_string()))
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(row.map(|r| r.computed_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_up_and_nothing_has_no_share() {
        assert_eq!(share_bp(4, 9), Some(4444));
        assert_eq!(share_bp(2, 3), Some(6667));
        assert_eq!(share_bp(1, 8), Some(1250));
        assert_eq!(share_bp(0, 5), Some(0));
        assert_eq!(share_bp(0, 0), None);
        let c = CommuneFigures {
            activities: 9,
            activities_validated: 4,
            activities_checked: 2,
            ..Default::default()
        };
        assert_eq!(c.validated_bp(), Some(4444));
        assert_eq!(c.checked_bp(), Some(2222));
    }
}
