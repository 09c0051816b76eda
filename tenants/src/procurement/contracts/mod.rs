//! Contracts (marchés) of a tenant: their DECP description, contractors, amendments
//! (modifications), renewals (reconductions) and joint-procurement shares (groupement de
//! commandes, L2113-6 CCP): a contract carried by one tenant (the organisation's own, or a
//! coordinating commune) for several communes, each share keyed by the member's tenant.
use super::vocab::*;
use super::{bad, cpv, suppliers, ProcurementError};
use crate::audit::{self, Entry};
use crate::entities::{
    proc_amendment, proc_contract, proc_contract_supplier, proc_lot, proc_share,
    proc_subcontracting_act, tenant,
};
use crate::paging::{PageReq, Paged};
use crate::tenancy::{AccessError, Scope};
use chrono::{Months, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    ModelTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

mod amend;
mod create;
mod fields;
mod list;
mod subcontracting;

pub use amend::*;
pub use create::*;
pub use fields::*;
pub use list::*;
pub use subcontracting::*;

/// A contract with what its amendments changed.
#[derive(Debug, Clone)]
pub struct Contract {
    pub row: proc_contract::Model,
    pub supplier_ids: Vec<Uuid>,
    pub amendments: Vec<proc_amendment::Model>,
    /// The shares the reader's scope reaches.
    pub shares: Vec<proc_share::Model>,
    /// The lots, by number; empty when the contract is not divided.
    pub lots: Vec<proc_lot::Model>,
    /// The special acts of subcontracting, by number.
    pub subcontracting_acts: Vec<proc_subcontracting_act::Model>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not notified yet.
    Draft,
    Active,
    Expired,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Active => "active",
            Status::Expired => "expired",
        }
    }
    pub fn parse(field: &'static str, s: &str) -> Result<Self, ProcurementError> {
        [Status::Draft, Status::Active, Status::Expired]
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| {
                bad(
                    field,
                    format!(
                        "Statut inconnu « {s} » ; statuts possibles : draft (brouillon), active (en cours), expired (échu)."
                    ),
                )
            })
    }
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn add_months(d: NaiveDate, m: i32) -> NaiveDate {
    d.checked_add_months(Months::new(m.max(0) as u32))
        .unwrap_or(NaiveDate::MAX)
}

impl Contract {
    pub fn category(&self) -> Category {
        Category::parse("category", &self.row.category).unwrap_or(Category::Services)
    }
    /// The awarded amount after the latest amendment that changed it; for a contract divided
    /// into lots, the sum of its lots' amounts as amended.
    pub fn awarded_cents(&self) -> Option<i64> {
        let whole = self
            .amendments
            .iter()
            .rev()
            .filter(|a| a.lot.is_none())
            .find_map(|a| a.awarded_cents)
            .or(self.row.awarded_cents);
        if self.lots.is_empty() || whole.is_none() {
            return whole;
        }
        self.lots
            .iter()
            .try_fold(0i64, |t, l| t.checked_add(self.lot_awarded_cents(l)?))
            .or(whole)
    }
    /// The amendments of lot `number`, in order.
    pub fn lot_amendments(&self, number: i32) -> impl Iterator<Item = &proc_amendment::Model> {
        self.amendments
            .iter()
            .filter(move |a| a.lot == Some(number))
    }
    /// A lot's awarded amount after the latest amendment of that lot that changed it.
    pub fn lot_awarded_cents(&self, lot: &proc_lot::Model) -> Option<i64> {
        self.lot_amendments(lot.number)
            .filter_map(|a| a.awarded_cents)
            .last()
            .or(lot.awarded_cents)
    }
    /// The holders of a lot after the latest amendment of that lot that changed them.
    pub fn lot_supplier_ids(&self, lot: &proc_lot::Model) -> Vec<Uuid> {
        self.lot_amendments(lot.number)
            .filter_map(|a| a.supplier_ids.clone())
            .last()
            .unwrap_or_else(|| lot.supplier_ids.clone())
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|x| x.as_str().and_then(|s| s.parse().ok()))
                    .collect()
            })
            .unwrap_or_default()
    }
    /// The firm duration after the latest amendment that changed it.
    pub fn duration_months(&self) -> i32 {
        self.amendments
            .iter()
            .rev()
            .find_map(|a| a.duration_months)
            .unwrap_or(self.row.duration_months)
    }
    /// Maximum duration, every renewal included (DECP `dureeMois`).
    pub fn max_duration_months(&self) -> i32 {
        self.duration_months() + self.row.renewals * self.row.renewal_months
    }
    /// The last day of the contract, every renewal included.
    pub fn end_on(&self) -> Option<NaiveDate> {
        self.row
            .notified_on
            .map(|n| add_months(n, self.max_duration_months()) - chrono::Duration::days(1))
    }
    /// The next period end where the buyer decides to renew or not, and the day by which it
    /// must give notice: (period end, notice deadline).
    pub fn next_renewal(&self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let n = self.row.notified_on?;
        (0..self.row.renewals)
            .map(|k| {
                add_months(n, self.duration_months() + k * self.row.renewal_months)
                    - chrono::Duration::days(1)
            })
            .find(|end| *end - chrono::Duration::days(i64::from(self.row.notice_days)) >= today)
            .map(|end| {
                (
                    end,
                    end - chrono::Duration::days(i64::from(self.row.notice_days)),
                )
            })
    }
    pub fn status(&self, today: NaiveDate) -> Status {
        match self.end_on() {
            None => Status::Draft,
            Some(end) if end < today => Status::Expired,
            Some(_) => Status::Active,
        }
    }
}

pub(super) async fn insert_shares(
    txn: &DatabaseTransaction,
    scope: &Scope,
    row: &proc_contract::Model,
    shares: &[ShareInput],
) -> Result<(), ProcurementError> {
    for s in shares {
        // Every member is a tenant of the same organisation, within the caller's reach.
        let member = scope
            .find::<tenant::Entity>()
            .filter(tenant::Column::Id.eq(s.tenant_id))
            .one(txn)
            .await?
            .ok_or(AccessError::NotFound)?;
        if member.organisation_id != row.organisation_id {
            return Err(bad(
                "shares",
                "Les membres d'un groupement de commandes appartiennent à la même intercommunalité.",
            ));
        }
        proc_share::ActiveModel {
            contract_id: Set(row.id),
            tenant_id: Set(member.id),
            organisation_id: Set(member.organisation_id),
            amount_cents: Set(s.amount_cents),
            reference: Set(row.reference.clone()),
            object: Set(row.object.clone()),
            cpv: Set(row.cpv.clone()),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

pub(super) async fn set_contractors(
    txn: &DatabaseTransaction,
    scope: &Scope,
    row: &proc_contract::Model,
    supplier_ids: &[Uuid],
    field: &'static str,
) -> Result<Vec<Uuid>, ProcurementError> {
    let found =
        suppliers::of_organisation(txn, scope, row.organisation_id, supplier_ids, field).await?;
    for old in scope
        .find::<proc_contract_supplier::Entity>()
        .filter(proc_contract_supplier::Column::ContractId.eq(row.id))
        .all(txn)
        .await?
    {
        old.delete(txn).await?;
    }
    for s in &found {
        proc_contract_supplier::ActiveModel {
            contract_id: Set(row.id),
            supplier_id: Set(s.id),
            organisation_id: Set(row.organisation_id),
            tenant_id: Set(row.tenant_id),
        }
        .insert(txn)
        .await?;
    }
    Ok(found.into_iter().map(|s| s.id).collect())
}

/// The same, in the caller's scoped transaction.
async fn load_in(
    txn: &DatabaseTransaction,
    scope: &Scope,
    rows: Vec<proc_contract::Model>,
) -> Result<Vec<Contract>, ProcurementError> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut sup: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for l in scope
        .find::<proc_contract_supplier::Entity>()
        .filter(proc_contract_supplier::Column::ContractId.is_in(ids.clone()))
        .all(txn)
        .await?
    {
        sup.entry(l.contract_id).or_default().push(l.supplier_id);
    }
    let mut ams: HashMap<Uuid, Vec<proc_amendment::Model>> = HashMap::new();
    for a in scope
        .find::<proc_amendment::Entity>()
        .filter(proc_amendment::Column::ContractId.is_in(ids.clone()))
        .order_by_asc(proc_amendment::Column::SignedOn)
        .order_by_asc(proc_amendment::Column::CreatedAt)
        .all(txn)
        .await?
    {
        ams.entry(a.contract_id).or_default().push(a);
    }
    let mut lots: HashMap<Uuid, Vec<proc_lot::Model>> = HashMap::new();
    for l in scope
        .find::<proc_lot::Entity>()
        .filter(proc_lot::Column::ContractId.is_in(ids.clone()))
        .order_by_asc(proc_lot::Column::Number)
        .all(txn)
        .await?
    {
        lots.entry(l.contract_id).or_default().push(l);
    }
    let mut acts: HashMap<Uuid, Vec<proc_subcontracting_act::Model>> = HashMap::new();
    for a in scope
        .find::<proc_subcontracting_act::Entity>()
        .filter(proc_subcontracting_act::Column::ContractId.is_in(ids.clone()))
        .order_by_asc(proc_subcontracting_act::Column::Number)
        .all(txn)
        .await?
    {
        acts.entry(a.contract_id).or_default().push(a);
    }
    let mut shares: HashMap<Uuid, Vec<proc_share::Model>> = HashMap::new();
    for s in scope
        .find::<proc_share::Entity>()
        .filter(proc_share::Column::ContractId.is_in(ids))
        .all(txn)
        .await?
    {
        shares.entry(s.contract_id).or_default().push(s);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut supplier_ids = sup.remove(&row.id).unwrap_or_default();
            supplier_ids.sort();
            Contract {
                supplier_ids,
                amendments: ams.remove(&row.id).unwrap_or_default(),
                shares: shares.remove(&row.id).unwrap_or_default(),
                lots: lots.remove(&row.id).unwrap_or_default(),
                subcontracting_acts: acts.remove(&row.id).unwrap_or_default(),
                row,
            }
        })
        .collect())
}

pub async fn get(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<Contract, ProcurementError> {
    let txn = scope.begin(db).await?;
    let row = scope.get::<proc_contract::Entity, _>(&txn, id).await??;
    txn.commit().await?;
    let mut c = load(db, scope, vec![row]).await?;
    Ok(c.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test data")
    }

    fn contract(notified: Option<NaiveDate>, duration: i32, renewals: i32, every: i32) -> Contract {
        Contract {
            row: proc_contract::Model {
                id: Uuid::nil(),
                organisation_id: Uuid::nil(),
                tenant_id: Uuid::nil(),
                reference: "2025-01".into(),
                object: "x".into(),
                nature: "Marché".into(),
                category: "services".into(),
                procedure: "Procédure adaptée".into(),
                techniques: json!(["Sans objet"]),
                execution_modalities: json!(["Sans objet"]),
                ccag: "Pas de CCAG".into(),
                price_form: "Forfaitaire".into(),
                price_types: json!(["Définitif ferme"]),
                cpv: "72267000".into(),
                estimated_cents: 1,
                awarded_cents: Some(1),
                lots: 1,
                notified_on: notified,
                duration_months: duration,
                renewals,
                renewal_months: every,
                notice_days: 90,
                place_code: "60159".into(),
                place_type: "Code commune".into(),
                social_considerations: json!([]),
                environmental_considerations: json!([]),
                subcontracting: false,
                joint: false,
                initial_supplier_ids: json!([]),
                buyer_siret: None,
                offers_received: None,
                innovative: false,
                advance_paid: false,
                operator_grouping: "Pas de groupement".into(),
                created_at: Utc::now(),
                updated_at: Utc::now(),
                version: 1,
            },
            supplier_ids: vec![],
            amendments: vec![],
            shares: vec![],
            lots: vec![],
            subcontracting_acts: vec![],
        }
    }

    #[test]
    fn end_renewals_and_status() {
        let c = contract(Some(d(2025, 1, 15)), 12, 2, 12);
        assert_eq!(c.max_duration_months(), 36);
        assert_eq!(c.end_on(), Some(d(2028, 1, 14)));
        // First period ends 2026-01-14; notice 90 days before.
        assert_eq!(
            c.next_renewal(d(2025, 6, 1)),
            Some((d(2026, 1, 14), d(2025, 10, 16)))
        );
        // Once that deadline has passed, the next period counts.
        assert_eq!(
            c.next_renewal(d(2025, 10, 17)),
            Some((d(2027, 1, 14), d(2026, 10, 16)))
        );
        assert_eq!(c.next_renewal(d(2026, 10, 17)), None);
        assert_eq!(c.status(d(2028, 1, 14)), Status::Active);
        assert_eq!(c.status(d(2028, 1, 15)), Status::Expired);
        assert_eq!(
            contract(None, 12, 0, 0).status(d(2025, 1, 1)),
            Status::Draft
        );
    }
}
