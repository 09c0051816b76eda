//! Amendments (modifications de marché): what they change on the contract, audited.
use super::*;
use crate::tenancy::{can, Can};

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

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), contract_id = %contract_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn amend(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    contract_id: Uuid,
    a: AmendmentInput,
) -> Result<Contract, ProcurementError> {
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
    let (row, _) = locked_notified(
        scope,
        &txn,
        contract_id,
        "signedOn",
        a.signed_on,
        "Une modification est postérieure",
    )
    .await?;
    if a.signed_on > crate::calendar::paris_today() {
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
                total = total.checked_add(x).ok_or_else(|| {
                    bad::<ProcurementError>("awardedCents", "Montants trop élevés.")
                })?;
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
