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
use crate::tenancy::{AccessError, Permission, Scope};
use chrono::{Months, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    ModelTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareInput {
    pub tenant_id: Uuid,
    pub amount_cents: i64,
}

/// A lot of a contract divided into lots (allotissement).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LotInput {
    /// 1, 2, …: unique within the contract.
    pub number: i32,
    pub object: String,
    /// The contract's CPV code when none is given.
    pub cpv: Option<String>,
    pub estimated_cents: i64,
    pub awarded_cents: Option<i64>,
    /// Supplier ids of the organisation holding the lot.
    pub supplier_ids: Vec<Uuid>,
    /// The lot's own firm duration, when it differs from the contract's.
    pub duration_months: Option<i32>,
}

/// A lot as validated: object trimmed, CPV resolved.
pub(crate) struct ValidLot {
    pub(super) number: i32,
    pub(super) object: String,
    pub(super) cpv: &'static str,
}

/// The DECP `id` of a lot: the contract's reference followed by `-` and the lot number on two
/// digits at least (the schema has no lot field; each lot is its own `marche`).
pub fn lot_decp_id(reference: &str, number: i32) -> String {
    format!("{reference}-{number:02}")
}

/// Checks the lots of a contract: numbers from 1 and unique, amounts not negative, a CPV code
/// from the official list, an object, and (when the contract states its awarded amount) the
/// lots' awarded amounts summing to it. Every error names the field `lots`.
fn lots_valid(
    lots: &[LotInput],
    reference: &str,
    contract_cpv: &'static str,
    awarded: Option<i64>,
) -> Result<Vec<ValidLot>, ProcurementError> {
    let mut out: Vec<ValidLot> = vec![];
    let mut total: i64 = 0;
    for l in lots {
        if l.number < 1 {
            return Err(bad("lots", "Les lots sont numérotés à partir de 1."));
        }
        if out.iter().any(|v| v.number == l.number) {
            return Err(bad(
                "lots",
                format!("Le lot {} figure deux fois.", l.number),
            ));
        }
        if lot_decp_id(reference, l.number).chars().count() > 16 {
            return Err(bad(
                "lots",
                "Chaque lot est publié sous la forme référence-NN, en 16 caractères au plus : raccourcissez la référence.",
            ));
        }
        let object = l.object.trim().to_owned();
        if object.is_empty() {
            return Err(bad(
                "lots",
                format!("Lot {} : indiquez l'objet du lot.", l.number),
            ));
        }
        let cpv = match l.cpv.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => {
                cpv::parse(c)
                    .map_err(|e| bad("lots", format!("Lot {} : {e}", l.number)))?
                    .code
            }
            _ => contract_cpv,
        };
        if l.estimated_cents < 0 || l.awarded_cents.is_some_and(|a| a < 0) {
            return Err(bad(
                "lots",
                format!(
                    "Lot {} : les montants ne peuvent pas être négatifs.",
                    l.number
                ),
            ));
        }
        if let Some(m) = l.duration_months {
            months("lots", m)?;
        }
        match (awarded, l.awarded_cents) {
            (Some(_), Some(a)) => {
                total = total
                    .checked_add(a)
                    .ok_or_else(|| bad("lots", "Montants trop élevés."))?
            }
            (Some(_), None) => {
                return Err(bad(
                    "lots",
                    format!(
                        "Lot {} : le marché est attribué, indiquez le montant attribué du lot.",
                        l.number
                    ),
                ))
            }
            (None, Some(_)) => {
                return Err(bad(
                    "lots",
                    format!(
                        "Lot {} : un lot attribué demande le montant attribué du marché.",
                        l.number
                    ),
                ))
            }
            (None, None) => {}
        }
        out.push(ValidLot {
            number: l.number,
            object,
            cpv,
        });
    }
    if let (Some(awarded), false) = (awarded, lots.is_empty()) {
        if total != awarded {
            return Err(bad(
                "lots",
                format!(
                    "Les montants attribués des lots totalisent {} HT, le montant attribué du marché est de {} HT : ils doivent être égaux.",
                    crate::costs::euros(total),
                    crate::costs::euros(awarded)
                ),
            ));
        }
    }
    Ok(out)
}

/// What a client sends; closed lists as the DECP schema spells them.
#[derive(Debug, Clone, Default)]
pub struct ContractFields {
    pub reference: String,
    pub object: String,
    pub nature: String,
    pub category: String,
    pub procedure: String,
    pub techniques: Vec<String>,
    pub execution_modalities: Vec<String>,
    pub ccag: String,
    pub price_form: String,
    pub price_types: Vec<String>,
    pub cpv: String,
    pub estimated_cents: i64,
    pub awarded_cents: Option<i64>,
    /// Empty when the contract is not divided into lots.
    pub lots: Vec<LotInput>,
    pub notified_on: Option<NaiveDate>,
    pub duration_months: i32,
    pub renewals: i32,
    pub renewal_months: i32,
    pub notice_days: i32,
    pub place_code: String,
    pub place_type: String,
    pub social_considerations: Vec<String>,
    pub environmental_considerations: Vec<String>,
    pub subcontracting: bool,
    pub supplier_ids: Vec<Uuid>,
    pub shares: Vec<ShareInput>,
    pub buyer_siret: Option<String>,
    pub offers_received: Option<i32>,
    pub innovative: bool,
    pub advance_paid: bool,
    pub operator_grouping: String,
}

pub(crate) struct Valid {
    pub(super) reference: String,
    pub(super) object: String,
    pub(super) nature: &'static str,
    pub(super) category: Category,
    pub(super) procedure: &'static str,
    pub(super) techniques: Vec<&'static str>,
    pub(super) execution_modalities: Vec<&'static str>,
    pub(super) ccag: &'static str,
    pub(super) price_form: &'static str,
    pub(super) price_types: Vec<&'static str>,
    pub(super) cpv: &'static str,
    pub(super) place_code: String,
    pub(super) place_type: &'static str,
    pub(super) social: Vec<&'static str>,
    pub(super) environmental: Vec<&'static str>,
    pub(super) buyer_siret: Option<crate::identifiers::Siret>,
    pub(super) operator_grouping: &'static str,
    pub(super) lots: Vec<ValidLot>,
}

fn amount(field: &'static str, cents: i64) -> Result<i64, ProcurementError> {
    if cents < 0 {
        return Err(bad(
            field,
            "Le montant hors taxes ne peut pas être négatif.",
        ));
    }
    Ok(cents)
}

fn months(field: &'static str, m: i32) -> Result<i32, ProcurementError> {
    if m <= 0 {
        return Err(bad(field, "La durée est d'au moins 1 mois."));
    }
    if m > 1200 {
        return Err(bad(field, "La durée est de 1 200 mois au plus."));
    }
    Ok(m)
}

fn shares_sum(shares: &[ShareInput], awarded: Option<i64>) -> Result<(), ProcurementError> {
    if shares.is_empty() {
        return Ok(());
    }
    let Some(awarded) = awarded else {
        return Err(bad(
            "awardedCents",
            "Les parts d'un groupement de commandes divisent le montant attribué : indiquez-le.",
        ));
    };
    let mut seen = vec![];
    let mut total: i64 = 0;
    for s in shares {
        amount("shares", s.amount_cents)?;
        if seen.contains(&s.tenant_id) {
            return Err(bad("shares", "Une seule part par commune."));
        }
        seen.push(s.tenant_id);
        total = total
            .checked_add(s.amount_cents)
            .ok_or_else(|| bad("shares", "Montants trop élevés."))?;
    }
    if total != awarded {
        return Err(bad(
            "shares",
            format!(
                "Les parts totalisent {} HT, le montant attribué est de {} HT : ils doivent être égaux.",
                crate::costs::euros(total),
                crate::costs::euros(awarded)
            ),
        ));
    }
    Ok(())
}

impl ContractFields {
    pub(crate) fn validate(&self) -> Result<Valid, ProcurementError> {
        let reference = self.reference.trim().to_owned();
        // DECP `id`: the buyer's reference, 1 to 16 characters.
        if reference.is_empty() || reference.chars().count() > 16 {
            return Err(bad(
                "reference",
                "La référence de l'acheteur compte de 1 à 16 caractères.",
            ));
        }
        let object = self.object.trim().to_owned();
        if object.is_empty() {
            return Err(bad("object", "Indiquez l'objet du marché."));
        }
        let cpv = cpv::parse(&self.cpv).map_err(|e| bad("cpv", e.to_string()))?;
        amount("estimatedCents", self.estimated_cents)?;
        if let Some(a) = self.awarded_cents {
            amount("awardedCents", a)?;
        }
        months("durationMonths", self.duration_months)?;
        if self.renewals < 0 {
            return Err(bad(
                "renewals",
                "Le nombre de reconductions ne peut pas être négatif.",
            ));
        }
        if self.renewals > 0 {
            months("renewalMonths", self.renewal_months)?;
        } else if self.renewal_months != 0 {
            return Err(bad(
                "renewalMonths",
                "Une durée de reconduction demande au moins une reconduction.",
            ));
        }
        if self.notice_days < 0 {
            return Err(bad("noticeDays", "Le préavis ne peut pas être négatif."));
        }
        if let Some(n) = self.notified_on {
            if n > super::super::gdpr::paris_today() {
                return Err(bad(
                    "notifiedOn",
                    "La date de notification ne peut pas être dans le futur.",
                ));
            }
            if self.awarded_cents.is_none() {
                return Err(bad(
                    "awardedCents",
                    "Un marché notifié a un montant attribué : indiquez-le.",
                ));
            }
        }
        let place_code = self.place_code.trim().to_owned();
        if place_code.is_empty() {
            return Err(bad("placeCode", "Indiquez le lieu d'exécution du marché."));
        }
        shares_sum(&self.shares, self.awarded_cents)?;
        if self.offers_received.is_some_and(|n| n < 1) {
            return Err(bad(
                "offersReceived",
                "Le nombre d'offres reçues est d'au moins 1.",
            ));
        }
        let buyer_siret = match self.buyer_siret.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Some(
                crate::identifiers::Siret::parse(s)
                    .map_err(|e| bad("buyerSiret", e.to_string()))?,
            ),
            _ => None,
        };
        let lots = lots_valid(&self.lots, &reference, cpv.code, self.awarded_cents)?;
        Ok(Valid {
            lots,
            buyer_siret,
            operator_grouping: one_of(
                "operatorGrouping",
                &self.operator_grouping,
                OPERATOR_GROUPINGS,
            )?,
            reference,
            object,
            nature: one_of("nature", &self.nature, NATURES)?,
            category: Category::parse("category", &self.category)?,
            procedure: one_of("procedure", &self.procedure, PROCEDURES)?,
            techniques: list_of("techniques", &self.techniques, TECHNIQUES)?,
            execution_modalities: list_of(
                "executionModalities",
                &self.execution_modalities,
                EXECUTION_MODALITIES,
            )?,
            ccag: one_of("ccag", &self.ccag, CCAGS)?,
            price_form: one_of("priceForm", &self.price_form, PRICE_FORMS)?,
            price_types: list_of("priceTypes", &self.price_types, PRICE_TYPES)?,
            cpv: cpv.code,
            place_code,
            place_type: one_of("placeType", &self.place_type, PLACE_TYPES)?,
            social: list_of("socialConsiderations", &self.social_considerations, SOCIAL)?,
            environmental: list_of(
                "environmentalConsiderations",
                &self.environmental_considerations,
                ENVIRONMENTAL,
            )?,
        })
    }
}

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

pub(super) fn edit_scope(scope: &Scope) -> Result<(), ProcurementError> {
    if scope.permission() != Permission::EditProcurement {
        return Err(AccessError::Forbidden(Permission::EditProcurement).into());
    }
    Ok(())
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

pub async fn create(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_id: Uuid,
    f: ContractFields,
) -> Result<Contract, ProcurementError> {
    edit_scope(scope)?;
    f.validate()?;
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    let row = insert(&txn, scope, &t, &f, "createContract").await?;
    txn.commit().await?;
    let mut c = load(db, scope, vec![row]).await?;
    Ok(c.remove(0))
}

/// Validates and inserts a contract of tenant `t` in `txn`, with its contractors and shares,
/// audited as `operation`.
pub(crate) async fn insert(
    txn: &DatabaseTransaction,
    scope: &Scope,
    t: &tenant::Model,
    f: &ContractFields,
    operation: &'static str,
) -> Result<proc_contract::Model, ProcurementError> {
    let mut v = f.validate()?;
    let valid_lots = std::mem::take(&mut v.lots);
    if let Some(s) = &v.buyer_siret {
        if s.siren() != t.siren {
            return Err(bad(
                "buyerSiret",
                format!(
                    "Indiquez un établissement de l'acheteur (SIRET commençant par son SIREN {}).",
                    t.siren
                ),
            ));
        }
    }
    if scope
        .find::<proc_contract::Entity>()
        .filter(proc_contract::Column::TenantId.eq(t.id))
        .filter(proc_contract::Column::Reference.eq(v.reference.clone()))
        .one(txn)
        .await?
        .is_some()
    {
        return Err(ProcurementError::Conflict(format!(
            "Cette commune a déjà un marché de référence « {} ».",
            v.reference
        )));
    }
    let now = Utc::now();
    let row = proc_contract::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(t.organisation_id),
        tenant_id: Set(t.id),
        reference: Set(v.reference),
        object: Set(v.object),
        nature: Set(v.nature.to_owned()),
        category: Set(v.category.code().to_owned()),
        procedure: Set(v.procedure.to_owned()),
        techniques: Set(json!(v.techniques)),
        execution_modalities: Set(json!(v.execution_modalities)),
        ccag: Set(v.ccag.to_owned()),
        price_form: Set(v.price_form.to_owned()),
        price_types: Set(json!(v.price_types)),
        cpv: Set(v.cpv.to_owned()),
        estimated_cents: Set(f.estimated_cents),
        awarded_cents: Set(f.awarded_cents),
        lots: Set(i32::try_from(f.lots.len()).unwrap_or(i32::MAX).max(1)),
        notified_on: Set(f.notified_on),
        duration_months: Set(f.duration_months),
        renewals: Set(f.renewals),
        renewal_months: Set(f.renewal_months),
        notice_days: Set(f.notice_days),
        place_code: Set(v.place_code),
        place_type: Set(v.place_type.to_owned()),
        social_considerations: Set(json!(v.social)),
        environmental_considerations: Set(json!(v.environmental)),
        subcontracting: Set(f.subcontracting),
        joint: Set(!f.shares.is_empty()),
        initial_supplier_ids: Set(json!([])),
        buyer_siret: Set(v.buyer_siret.map(|s| s.to_string())),
        offers_received: Set(f.offers_received),
        innovative: Set(f.innovative),
        advance_paid: Set(f.advance_paid),
        operator_grouping: Set(v.operator_grouping.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    let supplier_ids = set_contractors(txn, scope, &row, &f.supplier_ids, "supplierIds").await?;
    let mut with_initial: proc_contract::ActiveModel = row.into();
    with_initial.initial_supplier_ids = Set(json!(supplier_ids));
    let row = with_initial.update(txn).await?;
    insert_shares(txn, scope, &row, &f.shares).await?;
    let lots_audit = insert_lots(txn, scope, &row, &f.lots, valid_lots).await?;
    audit::record(
        txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation,
            before: None,
            after: Some(json!({
                "id": row.id, "reference": row.reference, "cpv": row.cpv,
                "estimatedCents": row.estimated_cents, "awardedCents": row.awarded_cents,
                "suppliers": supplier_ids,
                "lots": lots_audit,
                "shares": f.shares.iter().map(|s| json!({"tenantId": s.tenant_id, "amountCents": s.amount_cents})).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    Ok(row)
}

/// Inserts the lots of contract `row` (checked by `lots_valid`); what the audit records of them.
pub(super) async fn insert_lots(
    txn: &DatabaseTransaction,
    scope: &Scope,
    row: &proc_contract::Model,
    lots: &[LotInput],
    valid_lots: Vec<ValidLot>,
) -> Result<Vec<Value>, ProcurementError> {
    let mut lots_audit = vec![];
    for (l, vl) in lots.iter().zip(valid_lots) {
        let holders =
            suppliers::of_organisation(txn, scope, row.organisation_id, &l.supplier_ids, "lots")
                .await?;
        let holders: Vec<Uuid> = holders.into_iter().map(|s| s.id).collect();
        let lot = proc_lot::ActiveModel {
            id: Set(Uuid::now_v7()),
            organisation_id: Set(row.organisation_id),
            tenant_id: Set(row.tenant_id),
            contract_id: Set(row.id),
            number: Set(vl.number),
            object: Set(vl.object),
            cpv: Set(vl.cpv.to_owned()),
            estimated_cents: Set(l.estimated_cents),
            awarded_cents: Set(l.awarded_cents),
            duration_months: Set(l.duration_months),
            supplier_ids: Set(json!(holders)),
        }
        .insert(txn)
        .await?;
        lots_audit.push(json!({"number": lot.number, "cpv": lot.cpv, "awardedCents": lot.awarded_cents, "suppliers": holders}));
    }
    Ok(lots_audit)
}

/// The contract `id` within the scope, locked until the end of `txn` on PostgreSQL so that
/// concurrent amendments and acts of subcontracting of one contract are written one after the
/// other (each reads what the previous one wrote: the amounts of the lots, the next act number).
/// NO KEY UPDATE, as `audit::record` does: it does not conflict with the KEY SHARE locks that
/// the foreign keys of lots, amendments and acts take on the contract.
pub(super) async fn locked(
    scope: &Scope,
    txn: &DatabaseTransaction,
    id: Uuid,
) -> Result<proc_contract::Model, ProcurementError> {
    let mut q = scope
        .find::<proc_contract::Entity>()
        .filter(proc_contract::Column::Id.eq(id));
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q = q.lock(sea_orm::sea_query::LockType::NoKeyUpdate);
    }
    Ok(q.one(txn).await?.ok_or(AccessError::NotFound)?)
}

pub struct AmendmentInput {
    pub signed_on: NaiveDate,
    pub object: String,
    pub awarded_cents: Option<i64>,
    pub duration_months: Option<i32>,
    pub supplier_ids: Option<Vec<Uuid>>,
    /// Required when the amount of a joint procurement changes.
    pub shares: Option<Vec<ShareInput>>,
    /// For a contract divided into lots: the lot whose amount or contractors change (the
    /// contract's awarded amount becomes the sum of its lots).
    pub lot: Option<i32>,
}

pub async fn amend(
    db: &DatabaseConnection,
    scope: &Scope,
    contract_id: Uuid,
    a: AmendmentInput,
) -> Result<Contract, ProcurementError> {
    edit_scope(scope)?;
    if let Some(c) = a.awarded_cents {
        amount("awardedCents", c)?;
    }
    if let Some(m) = a.duration_months {
        months("durationMonths", m)?;
    }
    if a.awarded_cents.is_none() && a.duration_months.is_none() && a.supplier_ids.is_none() {
        return Err(bad(
            "awardedCents",
            "Une modification change le montant, la durée ou les titulaires : indiquez au moins l'un d'eux.",
        ));
    }
    let txn = scope.begin(db).await?;
    let row = locked(scope, &txn, contract_id).await?;
    let Some(notified) = row.notified_on else {
        return Err(bad("signedOn", "Le marché n'est pas encore notifié."));
    };
    if a.signed_on < notified {
        return Err(bad(
            "signedOn",
            format!(
                "Une modification est postérieure à la notification du marché ({}).",
                crate::fr::date(notified)
            ),
        ));
    }
    if a.signed_on > super::super::gdpr::paris_today() {
        return Err(bad(
            "signedOn",
            "La date de signature ne peut pas être dans le futur.",
        ));
    }
    let lots = scope
        .find::<proc_lot::Entity>()
        .filter(proc_lot::Column::ContractId.eq(row.id))
        .order_by_asc(proc_lot::Column::Number)
        .all(&txn)
        .await?;
    let before = json!({"awardedCents": row.awarded_cents, "durationMonths": row.duration_months});
    // The contract's awarded amount after this amendment (what the shares divide).
    let mut new_total = a.awarded_cents;
    if let Some(n) = a.lot {
        if lots.is_empty() {
            return Err(bad("lot", "Ce marché n'est pas alloti."));
        }
        let Some(lot) = lots.iter().find(|l| l.number == n) else {
            return Err(bad("lot", "Ce lot n'existe pas dans ce marché."));
        };
        if a.duration_months.is_some() {
            return Err(bad(
                "durationMonths",
                "La durée se modifie pour tout le marché : ne nommez pas de lot.",
            ));
        }
        if a.awarded_cents.is_none() && a.supplier_ids.is_none() {
            return Err(bad(
                "awardedCents",
                "La modification d'un lot change son montant ou ses titulaires.",
            ));
        }
        if let Some(new_lot) = a.awarded_cents {
            // The contract as amended so far, to sum its lots with this one's new amount.
            let current = Contract {
                amendments: scope
                    .find::<proc_amendment::Entity>()
                    .filter(proc_amendment::Column::ContractId.eq(row.id))
                    .order_by_asc(proc_amendment::Column::SignedOn)
                    .order_by_asc(proc_amendment::Column::CreatedAt)
                    .all(&txn)
                    .await?,
                lots: lots.clone(),
                row: row.clone(),
                supplier_ids: vec![],
                shares: vec![],
                subcontracting_acts: vec![],
            };
            let mut total: i64 = 0;
            for l in &lots {
                let x = if l.number == lot.number {
                    Some(new_lot)
                } else {
                    current.lot_awarded_cents(l)
                };
                let Some(x) = x else {
                    return Err(bad(
                        "awardedCents",
                        "Les lots de ce marché n'ont pas de montant attribué à modifier.",
                    ));
                };
                total = total
                    .checked_add(x)
                    .ok_or_else(|| bad("awardedCents", "Montants trop élevés."))?;
            }
            new_total = Some(total);
        }
        if let Some(ids) = &a.supplier_ids {
            suppliers::of_organisation(&txn, scope, row.organisation_id, ids, "supplierIds")
                .await?;
        }
    } else if (a.awarded_cents.is_some() || a.supplier_ids.is_some()) && !lots.is_empty() {
        let field = if a.awarded_cents.is_some() {
            "awardedCents"
        } else {
            "supplierIds"
        };
        return Err(bad(
            field,
            "Un marché alloti se modifie lot par lot : indiquez le lot.",
        ));
    }
    if row.joint {
        match (&new_total, &a.shares) {
            (Some(total), Some(shares)) => shares_sum(shares, Some(*total))?,
            (Some(_), None) => {
                return Err(bad(
                    "shares",
                    "Le montant d'un groupement de commandes change avec ses parts : indiquez les nouvelles parts.",
                ))
            }
            (None, Some(_)) => return Err(bad(
                    "shares",
                    "Les parts changent avec le montant : indiquez le nouveau montant.",
                )),
            (None, None) => {}
        }
    } else if a.shares.as_ref().is_some_and(|s| !s.is_empty()) {
        return Err(bad(
            "shares",
            "Ce marché n'est pas un groupement de commandes.",
        ));
    }
    if let (None, Some(ids)) = (a.lot, &a.supplier_ids) {
        set_contractors(&txn, scope, &row, ids, "supplierIds").await?;
    }
    if let (true, Some(shares)) = (row.joint, &a.shares) {
        let existing = scope
            .find::<proc_share::Entity>()
            .filter(proc_share::Column::ContractId.eq(row.id))
            .all(&txn)
            .await?;
        for s in existing {
            s.delete(&txn).await?;
        }
        insert_shares(&txn, scope, &row, shares).await?;
    }
    let am = proc_amendment::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(row.organisation_id),
        tenant_id: Set(row.tenant_id),
        contract_id: Set(row.id),
        signed_on: Set(a.signed_on),
        object: Set(a.object.trim().to_owned()),
        awarded_cents: Set(a.awarded_cents),
        duration_months: Set(a.duration_months),
        supplier_ids: Set(a.supplier_ids.as_ref().map(|v| json!(v))),
        lot: Set(a.lot),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let row_version = row.version;
    let mut up: proc_contract::ActiveModel = row.clone().into();
    up.updated_at = Set(Utc::now());
    up.version = Set(row_version + 1);
    let row = up.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "amendContract",
            before: Some(before),
            after: Some(json!({
                "amendment": am.id, "signedOn": am.signed_on, "lot": am.lot,
                "awardedCents": am.awarded_cents, "contractAwardedCents": new_total,
                "durationMonths": am.duration_months, "suppliers": am.supplier_ids,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    let mut c = load(db, scope, vec![row]).await?;
    Ok(c.remove(0))
}

/// A special act of subcontracting (acte spécial de sous-traitance) to record on a contract.
#[derive(Debug, Clone, Default)]
pub struct SubcontractingActInput {
    /// DECP typeIdentifiant of the subcontractor (SIRET, TVA, …).
    pub id_type: String,
    pub identifier: String,
    /// For a contract divided into lots: the lot concerned.
    pub lot: Option<i32>,
    pub amount_cents: i64,
    pub notified_on: NaiveDate,
    pub duration_months: i32,
    /// DECP `variationPrix`: Ferme, Actualisable, Révisable.
    pub price_variation: String,
}

/// Records a special act of subcontracting on a notified contract, numbered in the order of
/// notification.
pub async fn add_subcontracting_act(
    db: &DatabaseConnection,
    scope: &Scope,
    contract_id: Uuid,
    a: SubcontractingActInput,
) -> Result<Contract, ProcurementError> {
    edit_scope(scope)?;
    let id_type = one_of("subcontractorIdType", &a.id_type, ID_TYPES)?;
    let identifier =
        suppliers::normalise_identifier(id_type, &a.identifier).map_err(|e| match e {
            ProcurementError::BadInput { message, .. } => bad("subcontractorIdentifier", message),
            e => e,
        })?;
    if a.amount_cents < 100 {
        return Err(bad(
            "amountCents",
            "Le montant hors taxes est d'au moins 1 €.",
        ));
    }
    months("durationMonths", a.duration_months)?;
    let price_variation = one_of("priceVariation", &a.price_variation, PRICE_VARIATIONS)?;
    if a.notified_on > super::super::gdpr::paris_today() {
        return Err(bad(
            "notifiedOn",
            "La date de notification ne peut pas être dans le futur.",
        ));
    }
    let txn = scope.begin(db).await?;
    let row = locked(scope, &txn, contract_id).await?;
    let Some(notified) = row.notified_on else {
        return Err(bad("notifiedOn", "Le marché n'est pas encore notifié."));
    };
    if a.notified_on < notified {
        return Err(bad(
            "notifiedOn",
            format!(
                "Un acte spécial de sous-traitance est postérieur à la notification du marché ({}).",
                crate::fr::date(notified)
            ),
        ));
    }
    let lots: Vec<i32> = scope
        .find::<proc_lot::Entity>()
        .filter(proc_lot::Column::ContractId.eq(row.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|l| l.number)
        .collect();
    match a.lot {
        None if !lots.is_empty() => {
            return Err(bad("lot", "Ce marché est alloti : indiquez le lot."))
        }
        Some(n) if !lots.contains(&n) => {
            return Err(bad("lot", "Ce lot n'existe pas dans ce marché."))
        }
        _ => {}
    }
    let existing = scope
        .find::<proc_subcontracting_act::Entity>()
        .filter(proc_subcontracting_act::Column::ContractId.eq(row.id))
        .order_by_asc(proc_subcontracting_act::Column::Number)
        .all(&txn)
        .await?;
    if let Some(last) = existing.last() {
        if a.notified_on < last.notified_on {
            return Err(bad(
                "notifiedOn",
                format!(
                    "Les actes sont numérotés dans l'ordre de notification : le dernier date du {}.",
                    crate::fr::date(last.notified_on)
                ),
            ));
        }
    }
    let number = i32::try_from(existing.len()).unwrap_or(i32::MAX - 1) + 1;
    let act = proc_subcontracting_act::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(row.organisation_id),
        tenant_id: Set(row.tenant_id),
        contract_id: Set(row.id),
        number: Set(number),
        lot: Set(a.lot),
        id_type: Set(id_type.to_owned()),
        identifier: Set(identifier),
        amount_cents: Set(a.amount_cents),
        notified_on: Set(a.notified_on),
        duration_months: Set(a.duration_months),
        price_variation: Set(price_variation.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let row_version = row.version;
    let mut up: proc_contract::ActiveModel = row.into();
    up.updated_at = Set(Utc::now());
    up.version = Set(row_version + 1);
    let row = up.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "addSubcontractingAct",
            before: None,
            after: Some(json!({
                "contract": row.id, "act": act.id, "number": act.number, "lot": act.lot,
                "idType": act.id_type, "identifier": act.identifier,
                "amountCents": act.amount_cents, "notifiedOn": act.notified_on,
                "durationMonths": act.duration_months, "priceVariation": act.price_variation,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    let mut c = load(db, scope, vec![row]).await?;
    Ok(c.remove(0))
}

/// Adds contractors, amendments and shares to rows read within the scope.
pub(super) async fn load(
    db: &DatabaseConnection,
    scope: &Scope,
    rows: Vec<proc_contract::Model>,
) -> Result<Vec<Contract>, ProcurementError> {
    let txn = scope.begin(db).await?;
    let out = load_in(&txn, scope, rows).await?;
    txn.commit().await?;
    Ok(out)
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

#[derive(Debug, Clone, Default)]
pub struct ContractFilter {
    pub tenant_ids: Option<Vec<Uuid>>,
    pub status: Option<Status>,
    /// CPV class (first four digits) or any prefix of a code.
    pub cpv_prefix: Option<String>,
    pub supplier_id: Option<Uuid>,
    pub joint: Option<bool>,
    /// Words found in the reference, the object or the CPV code and label (case and accents
    /// ignored).
    pub search: Option<String>,
    pub sort: ContractSort,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

/// The columns a list of contracts is sorted by (on what the amendments made of them).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum ContractSort {
    /// The buyer's reference: the default.
    #[default]
    Reference,
    Object,
    NotifiedOn,
    EndOn,
    AwardedCents,
    Status,
}

/// Contracts within the scope (filters are computed on what the amendments made of them): the
/// page `f.offset`, `f.limit`.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &ContractFilter,
    today: NaiveDate,
) -> Result<Vec<Contract>, ProcurementError> {
    Ok(page(db, scope, f, today).await?.items)
}

/// One page of the contracts the filter keeps, sorted, and how many it keeps in all.
pub async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &ContractFilter,
    today: NaiveDate,
) -> Result<Paged<Contract>, ProcurementError> {
    if let Some(p) = &f.cpv_prefix {
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "cpvPrefix",
                "De 1 à 8 chiffres, par exemple une classe CPV comme 7226.",
            ));
        }
    }
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<proc_contract::Entity>();
    if let Some(ids) = &f.tenant_ids {
        q = q.filter(proc_contract::Column::TenantId.is_in(ids.clone()));
    }
    if let Some(p) = &f.cpv_prefix {
        q = q.filter(proc_contract::Column::Cpv.starts_with(p.as_str()));
    }
    if let Some(j) = f.joint {
        q = q.filter(proc_contract::Column::Joint.eq(j));
    }
    let q = q
        .order_by_asc(proc_contract::Column::Reference)
        .order_by_asc(proc_contract::Column::Id);
    let words = super::cpv::search_words(f.search.as_deref());
    // In the stored order with no filter on what amendments made of the contracts: the page is
    // cut in SQL and only its contracts' amendments, lots and shares are read, in the same
    // transaction.
    let in_sql = f.status.is_none()
        && f.supplier_id.is_none()
        && words.is_empty()
        && f.sort == ContractSort::Reference
        && !f.descending;
    if in_sql {
        let rows = crate::paging::select(&txn, q, PageReq::new(f.offset, f.limit)).await?;
        let items = load_in(&txn, scope, rows.items).await?;
        txn.commit().await?;
        return Ok(Paged {
            items,
            total: rows.total,
        });
    }
    let rows = q.all(&txn).await?;
    let rows = rows
        .into_iter()
        .filter(|r| {
            words.is_empty() || {
                let label = super::cpv::lookup(&r.cpv)
                    .map(|e| e.label)
                    .unwrap_or_default();
                let text =
                    super::cpv::fold(&format!("{} {} {} {}", r.reference, r.object, r.cpv, label));
                words.iter().all(|w| text.contains(w.as_str()))
            }
        })
        .collect();
    let loaded = load_in(&txn, scope, rows).await?;
    txn.commit().await?;
    let mut all: Vec<Contract> = loaded
        .into_iter()
        .filter(|c| f.status.is_none_or(|s| c.status(today) == s))
        .filter(|c| f.supplier_id.is_none_or(|s| c.supplier_ids.contains(&s)))
        .collect();
    // A stable sort on a list already in reference order: ties keep that order.
    match f.sort {
        ContractSort::Reference => {}
        ContractSort::Object => {
            all.sort_by(|a, b| crate::collation::french_cmp(&a.row.object, &b.row.object))
        }
        ContractSort::NotifiedOn => all.sort_by_key(|c| c.row.notified_on),
        ContractSort::EndOn => all.sort_by_key(|c| c.end_on()),
        ContractSort::AwardedCents => all.sort_by_key(|c| c.awarded_cents()),
        ContractSort::Status => all.sort_by_key(|c| c.status(today).code()),
    }
    if f.descending {
        all.reverse();
    }
    Ok(Paged::of_vec(all, PageReq::new(f.offset, f.limit)))
}

/// Active contracts whose renewal notice deadline or end falls within `within_days` of today.
pub async fn expiring(
    db: &DatabaseConnection,
    scope: &Scope,
    within_days: i64,
    today: NaiveDate,
) -> Result<Vec<Contract>, ProcurementError> {
    if !(0..=3660).contains(&within_days) {
        return Err(bad("withinDays", "De 0 à 3 660 jours."));
    }
    let horizon = today + chrono::Duration::days(within_days);
    let f = ContractFilter {
        status: Some(Status::Active),
        limit: u64::MAX,
        ..Default::default()
    };
    let mut v: Vec<(NaiveDate, Contract)> = list(db, scope, &f, today)
        .await?
        .into_iter()
        .filter_map(|c| {
            let notice = c.next_renewal(today).map(|(_, d)| d);
            let first = [notice, c.end_on()]
                .into_iter()
                .flatten()
                .filter(|d| *d >= today && *d <= horizon)
                .min()?;
            Some((first, c))
        })
        .collect();
    v.sort_by_key(|(d, c)| (*d, c.row.id));
    Ok(v.into_iter().map(|(_, c)| c).collect())
}

/// The joint-procurement shares the scope reaches: each member commune sees its part.
pub async fn shares(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<proc_share::Model>, ProcurementError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<proc_share::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(proc_share::Column::TenantId.is_in(ids));
    }
    let rows = q
        .order_by_asc(proc_share::Column::Reference)
        .order_by_asc(proc_share::Column::TenantId)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
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

    fn lot(number: i32, awarded: Option<i64>) -> LotInput {
        LotInput {
            number,
            object: format!("lot {number}"),
            estimated_cents: 100,
            awarded_cents: awarded,
            ..Default::default()
        }
    }

    fn lots_err(lots: &[LotInput], reference: &str, awarded: Option<i64>) -> Option<&'static str> {
        match lots_valid(lots, reference, "72267000", awarded) {
            Ok(_) => None,
            Err(ProcurementError::BadInput { field, .. }) => Some(field),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn lots_sum_to_the_awarded_amount_with_unique_numbers() {
        let two = [lot(1, Some(60)), lot(2, Some(40))];
        assert_eq!(lots_err(&two, "2025-01", Some(100)), None);
        let v = lots_valid(&two, "2025-01", "72267000", Some(100)).expect("valid");
        assert_eq!(v[1].cpv, "72267000", "the contract's CPV by default");
        assert_eq!(lots_err(&two, "2025-01", Some(101)), Some("lots"));
        assert_eq!(lots_err(&two, "2025-01", None), Some("lots"));
        assert_eq!(
            lots_err(&[lot(1, Some(60)), lot(1, Some(40))], "x", Some(100)),
            Some("lots")
        );
        assert_eq!(lots_err(&[lot(0, Some(100))], "x", Some(100)), Some("lots"));
        assert_eq!(
            lots_err(&[lot(1, Some(-1)), lot(2, Some(101))], "x", Some(100)),
            Some("lots")
        );
        assert_eq!(lots_err(&[lot(1, None)], "x", Some(100)), Some("lots"));
        assert_eq!(lots_err(&[lot(1, None), lot(2, None)], "x", None), None);
        // reference-NN must fit the 16 characters of a DECP id.
        assert_eq!(lots_err(&[lot(1, None)], "ABCDEFGHIJKLM", None), None);
        assert_eq!(
            lots_err(&[lot(1, None)], "ABCDEFGHIJKLMN", None),
            Some("lots")
        );
        assert_eq!(lot_decp_id("2025-01", 3), "2025-01-03");
        let mut bad_cpv = lot(1, None);
        bad_cpv.cpv = Some("99999999".into());
        assert_eq!(lots_err(&[bad_cpv], "x", None), Some("lots"));
    }

    #[test]
    fn shares_must_sum_to_the_awarded_amount() {
        let t1 = Uuid::from_u128(1);
        let t2 = Uuid::from_u128(2);
        let s = |a, b| {
            vec![
                ShareInput {
                    tenant_id: t1,
                    amount_cents: a,
                },
                ShareInput {
                    tenant_id: t2,
                    amount_cents: b,
                },
            ]
        };
        assert!(shares_sum(&s(60, 40), Some(100)).is_ok());
        assert!(matches!(
            shares_sum(&s(60, 39), Some(100)),
            Err(ProcurementError::BadInput {
                field: "shares",
                ..
            })
        ));
        assert!(matches!(
            shares_sum(&s(120, -20), Some(100)),
            Err(ProcurementError::BadInput {
                field: "shares",
                ..
            })
        ));
        assert!(matches!(
            shares_sum(&s(60, 40), None),
            Err(ProcurementError::BadInput {
                field: "awardedCents",
                ..
            })
        ));
    }
}
