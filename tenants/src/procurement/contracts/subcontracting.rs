//! Acts of subcontracting (actes spéciaux de sous-traitance) of a contract, audited.
use super::*;
use crate::tenancy::{can, Can};

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
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), contract_id = %contract_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn add_subcontracting_act(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    contract_id: Uuid,
    a: SubcontractingActInput,
) -> Result<Contract, ProcurementError> {
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
    if a.notified_on > crate::calendar::paris_today() {
        return Err(bad(
            "notifiedOn",
            "La date de notification ne peut pas être dans le futur.",
        ));
    }
    let txn = scope.begin(db).await?;
    let (row, _) = locked_notified(
        scope,
        &txn,
        contract_id,
        "notifiedOn",
        a.notified_on,
        "Un acte spécial de sous-traitance est postérieur",
    )
    .await?;
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
pub(in crate::procurement) async fn load(
    db: &DatabaseConnection,
    scope: &Scope,
    rows: Vec<proc_contract::Model>,
) -> Result<Vec<Contract>, ProcurementError> {
    let txn = scope.begin(db).await?;
    let out = load_in(&txn, scope, rows).await?;
    txn.commit().await?;
    Ok(out)
}
