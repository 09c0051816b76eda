//! Anti-splitting (R2121-4, R2121-6, R2121-7 CCP: the value of a need is the total of the
//! supplies or services of one homogeneous family, or of the works of one operation, over the
//! year) and the organisation's "where could we save" view.
//!
//! A family is the CPV class (first four digits) and the purchase category; the year is the
//! notification year (the creation year while the contract is not notified). An alert is
//! raised when the family's total estimated need reaches a threshold in force that every single
//! contract of the family stays under: each was passed as if alone, the need as a whole was not.
use super::contracts::{self, Contract, ContractFilter};
use super::thresholds::{self, Threshold, ThresholdKind};
use super::vocab::Category;
use super::{bad, ProcurementError};
use crate::tenancy::{AccessError, Scope};
use chrono::{Datelike, NaiveDate};
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct SplittingAlert {
    pub tenant_id: Uuid,
    pub cpv_class: String,
    pub category: Category,
    pub year: i32,
    pub total_estimated_cents: i64,
    pub largest_single_cents: i64,
    pub contract_ids: Vec<Uuid>,
    pub threshold: &'static Threshold,
}

fn contract_date(c: &Contract) -> NaiveDate {
    c.row.notified_on.unwrap_or_else(|| {
        c.row
            .created_at
            .with_timezone(&chrono_tz::Europe::Paris)
            .date_naive()
    })
}

type Family = (String, Category, i32);

fn family(c: &Contract) -> Family {
    (
        super::cpv::class(&c.row.cpv).to_owned(),
        c.category(),
        contract_date(c).year(),
    )
}

const KINDS: [ThresholdKind; 3] = [
    ThresholdKind::NoPublicity,
    ThresholdKind::NationalNotice,
    ThresholdKind::European,
];

/// The splitting alerts of a set of contracts, per tenant, family and year.
pub fn alerts(contracts: &[Contract]) -> Vec<SplittingAlert> {
    let mut groups: BTreeMap<(Uuid, Family), Vec<&Contract>> = BTreeMap::new();
    for c in contracts {
        groups
            .entry((c.row.tenant_id, family(c)))
            .or_default()
            .push(c);
    }
    let mut out = vec![];
    for ((tenant_id, (class, category, year)), cs) in groups {
        let total: i64 = cs.iter().map(|c| c.row.estimated_cents).sum();
        let largest = cs.iter().map(|c| c.row.estimated_cents).max().unwrap_or(0);
        // The thresholds in force when the family's last purchase was made.
        let on = cs
            .iter()
            .map(|c| contract_date(c))
            .max()
            .expect("non-empty group");
        for kind in KINDS {
            if let Some(t) = thresholds::threshold(category, on, kind) {
                if total >= t.amount_cents && largest < t.amount_cents {
                    out.push(SplittingAlert {
                        tenant_id,
                        cpv_class: class.clone(),
                        category,
                        year,
                        total_estimated_cents: total,
                        largest_single_cents: largest,
                        contract_ids: cs.iter().map(|c| c.row.id).collect(),
                        threshold: t,
                    });
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
pub struct Opportunity {
    pub organisation_id: Uuid,
    pub cpv_class: String,
    pub category: Category,
    pub year: i32,
    pub total_estimated_cents: i64,
    /// (tenant, its estimated need), largest first.
    pub tenants: Vec<(Uuid, i64)>,
    /// The highest threshold the combined volume reaches, if any.
    pub reaches: Option<&'static Threshold>,
}

/// Families bought separately by two or more tenants of one organisation in one year: the
/// DSI's "where could we save" view, largest combined volume first.
pub fn opportunities(contracts: &[Contract]) -> Vec<Opportunity> {
    let mut groups: BTreeMap<(Uuid, Family), BTreeMap<Uuid, i64>> = BTreeMap::new();
    for c in contracts.iter().filter(|c| !c.row.joint) {
        *groups
            .entry((c.row.organisation_id, family(c)))
            .or_default()
            .entry(c.row.tenant_id)
            .or_default() += c.row.estimated_cents;
    }
    let mut out: Vec<Opportunity> = groups
        .into_iter()
        .filter(|(_, per)| per.len() >= 2)
        .map(|((organisation_id, (class, category, year)), per)| {
            let total: i64 = per.values().sum();
            let on = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
            let reaches = thresholds::in_force(category, on)
                .into_iter()
                .filter(|t| total >= t.amount_cents)
                .max_by_key(|t| t.amount_cents);
            let mut tenants: Vec<(Uuid, i64)> = per.into_iter().collect();
            tenants.sort_by_key(|(t, v)| (std::cmp::Reverse(*v), *t));
            Opportunity {
                organisation_id,
                cpv_class: class,
                category,
                year,
                total_estimated_cents: total,
                tenants,
                reaches,
            }
        })
        .collect();
    out.sort_by_key(|o| {
        (
            std::cmp::Reverse(o.total_estimated_cents),
            o.cpv_class.clone(),
            o.year,
        )
    });
    out
}

fn year_ok(year: Option<i32>) -> Result<(), ProcurementError> {
    if year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(bad(
            "year",
            "Indiquez une année comprise entre 2000 et 2100.",
        ));
    }
    Ok(())
}

async fn all_contracts(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<Contract>, ProcurementError> {
    let f = ContractFilter {
        tenant_ids,
        limit: u64::MAX,
        ..Default::default()
    };
    contracts::list(db, scope, &f, crate::calendar::paris_today()).await
}

/// Splitting alerts over the tenants the scope reaches.
pub async fn tenant_alerts(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    year: Option<i32>,
) -> Result<Vec<SplittingAlert>, ProcurementError> {
    year_ok(year)?;
    let cs = all_contracts(db, scope, tenant_ids).await?;
    Ok(alerts(&cs)
        .into_iter()
        .filter(|a| year.is_none_or(|y| a.year == y))
        .collect())
}

/// Joint-procurement opportunities of one organisation (its org-wide roles only: a commune
/// does not see what the others buy).
pub async fn organisation_opportunities(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Uuid,
    year: Option<i32>,
) -> Result<Vec<Opportunity>, ProcurementError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    year_ok(year)?;
    let cs: Vec<Contract> = all_contracts(db, scope, None)
        .await?
        .into_iter()
        .filter(|c| c.row.organisation_id == organisation_id)
        .collect();
    Ok(opportunities(&cs)
        .into_iter()
        .filter(|o| year.is_none_or(|y| o.year == y))
        .collect())
}
