//! What a commune's yearly bilan says, computed from the same reads as the console's lists:
//! the register through `activity::page` (archived entries left out, as everywhere), the rights
//! requests through `requests::page` with their deadline in force (`requests::effective_due`,
//! Regulation 1182/71 on the commune's calendar), the breaches through `breaches::page` with
//! their 72-hour deadline, the DPIAs and action plan, the maturity scores of `maturity`.
//!
//! The year is the civil year in Paris. A request belongs to the year it was received in; a
//! breach to the year the commune became aware of it (Paris time). Request outcomes: answered
//! (or refused) by its deadline in force is *in time*, after it is *late*, still open past it
//! is *late* too (as of the computation), still open before it is *pending*; a withdrawn
//! request counts apart. Breach outcomes: notified within 72 hours is *in time*, after is
//! *late*, documented as not notified is *not notified*, neither is *undecided*.
use super::super::activity::{self, ActivityFilter, DpiaScreening};
use super::super::requests::{self, RequestFilter};
use super::super::vocab::*;
use super::super::{actors, breaches, processors, GdprError};
use crate::entities::{gdpr_dpia, gdpr_processor, tenant};
use crate::paging::PageReq;
use crate::tenancy::Scope;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorLine {
    pub role: String,
    pub full_name: String,
    pub function_title: String,
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Count {
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DpiaLine {
    pub activity: String,
    pub status: String,
    pub completed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionLine {
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceLine {
    pub kind: String,
    pub title: String,
    pub dated: Option<NaiveDate>,
}

/// Everything a bilan says, stored with it (`gdpr_bilan.figures`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BilanFigures {
    pub tenant_id: Uuid,
    pub commune: String,
    pub insee_code: Option<String>,
    pub year: i32,
    /// The day the figures were taken (Paris): open requests are judged on it.
    pub as_of: NaiveDate,
    pub actors: Vec<ActorLine>,
    /// Single roles nobody holds, in French.
    pub actors_missing: Vec<String>,
    pub activities: i64,
    /// By status, in the vocabulary's order (draft, validated, checked).
    pub activities_by_status: Vec<Count>,
    /// Validated by the commune or checked by the DPO (`counts_as_validated`).
    pub activities_validated: i64,
    /// Activities relying on each legal basis (an activity may rely on several).
    pub activities_by_legal_basis: Vec<Count>,
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
    pub dpias: Vec<DpiaLine>,
    pub actions_done: Vec<ActionLine>,
    pub actions_planned: Vec<ActionLine>,
    /// Latest maturity score on the year's last day, and on the previous year's, in basis points.
    pub maturity_bp: Option<i64>,
    pub maturity_previous_bp: Option<i64>,
    pub evidence: Vec<EvidenceLine>,
}

impl BilanFigures {
    /// The change of the maturity score since the previous year, in basis points.
    pub fn maturity_change_bp(&self) -> Option<i64> {
        Some(self.maturity_bp? - self.maturity_previous_bp?)
    }
}

fn in_year(d: NaiveDate, year: i32) -> bool {
    d.year() == year
}

fn paris_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Paris).date_naive()
}

/// The figures of one commune for `year`, read within `scope`, requests judged on `today`.
pub async fn compute(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_id: Uuid,
    year: i32,
    today: NaiveDate,
) -> Result<BilanFigures, GdprError> {
    let txn = scope.begin(db).await?;
    let t = activity::tenant_in_scope(&txn, scope, tenant_id).await?;
    let actor_rows = actors::list(&txn, scope, Some(std::slice::from_ref(&tenant_id))).await?;
    let dpia_rows = scope
        .find::<gdpr_dpia::Entity>()
        .filter(gdpr_dpia::Column::TenantId.eq(tenant_id))
        .order_by_asc(gdpr_dpia::Column::CreatedAt)
        .all(&txn)
        .await?;
    let signed = scope
        .find::<gdpr_processor::Entity>()
        .filter(gdpr_processor::Column::TenantId.eq(tenant_id))
        .filter(gdpr_processor::Column::DpaSignedOn.is_not_null())
        .order_by_asc(gdpr_processor::Column::DpaSignedOn)
        .all(&txn)
        .await?;
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    let previous_end = NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap_or(today);
    let maturity = crate::maturity::assessment::latest_scores(&txn, scope, &[tenant_id], year_end)
        .await
        .map_err(|e| GdprError::Corrupt(e.to_string()))?;
    let maturity_previous =
        crate::maturity::assessment::latest_scores(&txn, scope, &[tenant_id], previous_end)
            .await
            .map_err(|e| GdprError::Corrupt(e.to_string()))?;
    txn.commit().await?;

    let mut f = BilanFigures {
        tenant_id,
        commune: t.name.clone(),
        insee_code: t.insee_code.clone(),
        year,
        as_of: today,
        maturity_bp: maturity.get(&tenant_id).map(|v| i64::from(*v)),
        maturity_previous_bp: maturity_previous.get(&tenant_id).map(|v| i64::from(*v)),
        ..BilanFigures::default()
    };
    f.actors = actor_rows
        .iter()
        .map(|a| ActorLine {
            role: match ActorRole::parse(&a.role) {
                Ok(ActorRole::CommitteeMember) if !a.committee_role.is_empty() => {
                    format!(
                        "{} ({})",
                        ActorRole::CommitteeMember.label(),
                        a.committee_role
                    )
                }
                Ok(r) => r.label().to_owned(),
                Err(_) => a.role.clone(),
            },
            full_name: a.full_name.clone(),
            function_title: a.function_title.clone(),
            since: a.since,
        })
        .collect();
    f.actors_missing = ActorRole::ALL
        .iter()
        .filter(|r| r.is_single() && !actor_rows.iter().any(|a| a.role == r.code()))
        .map(|r| r.label().to_owned())
        .collect();

    // The register, as the console lists it (archived entries left out).
    let register = activity::page(
        db,
        scope,
        &ActivityFilter {
            tenant_ids: Some(vec![tenant_id]),
            offset: 0,
            limit: PageReq::ALL.limit,
            ..Default::default()
        },
        activity::ActivitySort::Name,
        false,
    )
    .await?
    .items;
    f.activities = register.len() as i64;
    f.activities_by_status = ActivityStatus::ALL
        .iter()
        .map(|s| Count {
            label: s.label().to_owned(),
            count: register.iter().filter(|a| a.status() == *s).count() as i64,
        })
        .collect();
    f.activities_validated = register
        .iter()
        .filter(|a| a.status().counts_as_validated())
        .count() as i64;
    f.activities_by_legal_basis = LegalBasis::ALL
        .iter()
        .map(|b| Count {
            label: b.label().to_owned(),
            count: register
                .iter()
                .filter(|a| a.fields.legal_bases.iter().any(|l| l.basis == *b))
                .count() as i64,
        })
        .collect();
    f.activities_sensitive = register
        .iter()
        .filter(|a| a.fields.has_sensitive_data())
        .count() as i64;
    f.dpia_required = register
        .iter()
        .filter(|a| a.fields.dpia_screening() == DpiaScreening::Required)
        .count() as i64;

    // Rights requests received in the year, against their deadline in force.
    let reqs = requests::list(
        db,
        scope,
        &RequestFilter {
            tenant_ids: Some(vec![tenant_id]),
            limit: PageReq::ALL.limit,
            ..Default::default()
        },
        today,
    )
    .await?;
    for r in reqs.iter().filter(|r| in_year(r.received_on, year)) {
        f.requests_received += 1;
        let due = requests::effective_due(r);
        match RequestStatus::parse(&r.status) {
            Ok(RequestStatus::Withdrawn) => f.requests_withdrawn += 1,
            Ok(s) if s.is_open() => {
                if today > due {
                    f.requests_late += 1;
                } else {
                    f.requests_pending += 1;
                }
            }
            _ => match r.answered_on {
                Some(on) if on > due => f.requests_late += 1,
                _ => f.requests_in_time += 1,
            },
        }
    }

    // Breaches the commune became aware of in the year, against their 72 hours.
    let brs = breaches::page(db, scope, Some(vec![tenant_id]), false, PageReq::ALL)
        .await?
        .items;
    for b in brs.iter().filter(|b| in_year(paris_day(b.aware_at), year)) {
        f.breaches += 1;
        match (b.notified_at, &b.not_notified_reason) {
            (Some(at), _) if at > b.notify_deadline => f.breaches_notified_late += 1,
            (Some(_), _) => f.breaches_notified_in_time += 1,
            (None, Some(_)) => f.breaches_not_notified += 1,
            (None, None) => f.breaches_undecided += 1,
        }
    }

    // DPIAs of the register's activities.
    let names: std::collections::HashMap<Uuid, &str> = register
        .iter()
        .map(|a| (a.row.id, a.fields.name.as_str()))
        .collect();
    f.dpias = dpia_rows
        .iter()
        .filter_map(|d| {
            Some(DpiaLine {
                activity: (*names.get(&d.activity_id)?).to_owned(),
                status: DpiaStatus::parse(&d.status)
                    .map_or("?", |s| s.label())
                    .to_owned(),
                completed_on: d.completed_on,
            })
        })
        .collect();

    // The action plan: done in the year, and still to do.
    let actions = processors::actions(db, scope, Some(vec![tenant_id]), false, PageReq::ALL)
        .await?
        .items;
    for a in &actions {
        let line = ActionLine {
            title: a.title.clone(),
            due_on: a.due_on,
            done_on: a.done_on,
        };
        match (ActionStatus::parse(&a.status), a.done_on) {
            (Ok(ActionStatus::Done), Some(on)) if in_year(on, year) => f.actions_done.push(line),
            (Ok(ActionStatus::Open), _) => f.actions_planned.push(line),
            _ => {}
        }
    }

    // Evidence: what the register already proves (signed Art. 28 clauses, DPIAs carried out).
    f.evidence = signed
        .iter()
        .map(|p| EvidenceLine {
            kind: "Clauses de sous-traitance (art. 28)".into(),
            title: p.name.clone(),
            dated: p.dpa_signed_on,
        })
        .chain(
            f.dpias
                .iter()
                .filter(|d| d.completed_on.is_some())
                .map(|d| EvidenceLine {
                    kind: "Analyse d'impact réalisée".into(),
                    title: d.activity.clone(),
                    dated: d.completed_on,
                }),
        )
        .collect();
    Ok(f)
}

/// The communes of an organisation the scope reaches, by name the French way.
pub(crate) async fn communes<C: sea_orm::ConnectionTrait>(
    c: &C,
    scope: &Scope,
    organisation_id: Uuid,
) -> Result<Vec<tenant::Model>, GdprError> {
    let mut rows = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(organisation_id))
        .filter(tenant::Column::Kind.eq("commune"))
        .all(c)
        .await?;
    rows.sort_by(|a, b| crate::collation::french_cmp(&a.name, &b.name));
    Ok(rows)
}
