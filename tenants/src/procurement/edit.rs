//! Editing a contract. Before its notification everything may change (its lots, contractors
//! and shares are replaced). Once notified, its amount, duration, contractors, shares and the
//! amounts and holders of its lots change only by an amendment (modification, R2194-1 CCP):
//! an edit may correct the rest (object, procedure, CPV, place, DECP data…), and says which
//! field needs an amendment when it tries more.
use super::contracts::{
    insert_lots, insert_shares, load, locked, set_contractors, Contract, ContractFields,
};
use super::{bad, ProcurementError};
use crate::audit::{self, Entry};
use crate::entities::{
    proc_amendment, proc_contract, proc_contract_supplier, proc_lot, proc_share,
    proc_subcontracting_act, tenant,
};
use crate::tenancy::{can, Can, Scope};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, ModelTrait,
    QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

/// What an amendment changes, refused in an edit of a notified contract.
fn by_amendment(field: &'static str, what: &str) -> ProcurementError {
    bad(
        field,
        format!(
            "Le marché est notifié : {what} se modifie par un avenant (modification), pas en modifiant la fiche."
        ),
    )
}

fn sorted(mut v: Vec<Uuid>) -> Vec<Uuid> {
    v.sort();
    v.dedup();
    v
}

fn json_ids(v: &serde_json::Value) -> Vec<Uuid> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// Refuses what only an amendment may change on the notified contract `row`.
async fn check_notified(
    txn: &DatabaseTransaction,
    scope: &Scope,
    row: &proc_contract::Model,
    notified: NaiveDate,
    f: &ContractFields,
) -> Result<(), ProcurementError> {
    let Some(new_notified) = f.notified_on else {
        return Err(bad(
            "notifiedOn",
            format!(
                "Le marché a été notifié le {} : la date de notification ne peut pas être retirée.",
                crate::fr::date(notified)
            ),
        ));
    };
    let first_amendment = scope
        .find::<proc_amendment::Entity>()
        .filter(proc_amendment::Column::ContractId.eq(row.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| a.signed_on)
        .chain(
            scope
                .find::<proc_subcontracting_act::Entity>()
                .filter(proc_subcontracting_act::Column::ContractId.eq(row.id))
                .all(txn)
                .await?
                .into_iter()
                .map(|a| a.notified_on),
        )
        .min();
    if let Some(first) = first_amendment.filter(|d| new_notified > *d) {
        return Err(bad(
            "notifiedOn",
            format!(
                "Une modification ou un acte de sous-traitance date du {} : la notification ne peut pas lui être postérieure.",
                crate::fr::date(first)
            ),
        ));
    }
    if f.awarded_cents != row.awarded_cents {
        return Err(by_amendment("awardedCents", "le montant attribué"));
    }
    if f.duration_months != row.duration_months {
        return Err(by_amendment("durationMonths", "la durée"));
    }
    let current: Vec<Uuid> = scope
        .find::<proc_contract_supplier::Entity>()
        .filter(proc_contract_supplier::Column::ContractId.eq(row.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| s.supplier_id)
        .collect();
    if sorted(current) != sorted(f.supplier_ids.clone()) {
        return Err(by_amendment("supplierIds", "la liste des titulaires"));
    }
    let mut shares: Vec<(Uuid, i64)> = scope
        .find::<proc_share::Entity>()
        .filter(proc_share::Column::ContractId.eq(row.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.tenant_id, s.amount_cents))
        .collect();
    shares.sort();
    let mut wanted: Vec<(Uuid, i64)> = f
        .shares
        .iter()
        .map(|s| (s.tenant_id, s.amount_cents))
        .collect();
    wanted.sort();
    if shares != wanted {
        return Err(by_amendment(
            "shares",
            "la répartition du groupement de commandes",
        ));
    }
    let lots = scope
        .find::<proc_lot::Entity>()
        .filter(proc_lot::Column::ContractId.eq(row.id))
        .all(txn)
        .await?;
    let mut numbers: Vec<i32> = lots.iter().map(|l| l.number).collect();
    numbers.sort();
    let mut asked: Vec<i32> = f.lots.iter().map(|l| l.number).collect();
    asked.sort();
    if numbers != asked {
        return Err(by_amendment("lots", "la liste des lots"));
    }
    for l in &f.lots {
        let Some(stored) = lots.iter().find(|s| s.number == l.number) else {
            return Err(by_amendment("lots", "la liste des lots"));
        };
        if stored.awarded_cents != l.awarded_cents {
            return Err(by_amendment(
                "lots",
                &format!("le montant attribué du lot {}", l.number),
            ));
        }
        if sorted(json_ids(&stored.supplier_ids)) != sorted(l.supplier_ids.clone()) {
            return Err(by_amendment(
                "lots",
                &format!("la liste des titulaires du lot {}", l.number),
            ));
        }
    }
    Ok(())
}

/// Edits contract `id`, read at `version` by the person editing it.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn update(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    id: Uuid,
    version: i32,
    f: ContractFields,
) -> Result<Contract, ProcurementError> {
    let mut v = f.validate()?;
    let valid_lots = std::mem::take(&mut v.lots);
    let txn = scope.begin(db).await?;
    let row = locked(scope, &txn, id).await?;
    if row.version != version {
        return Err(ProcurementError::Conflict(format!(
            "Le marché a été modifié depuis que vous l'avez ouvert (version {} maintenant, {} modifiée) : rechargez-le avant de le modifier.",
            row.version, version
        )));
    }
    let t = scope
        .get::<tenant::Entity, _>(&txn, row.tenant_id)
        .await??;
    v.check_in_commune(&txn, scope, &t, Some(row.id)).await?;
    let notified = row.notified_on;
    if let Some(n) = notified {
        check_notified(&txn, scope, &row, n, &f).await?;
    } else if f.shares.is_empty() == row.joint {
        // Whether a contract is a joint procurement is decided when it is created.
        return Err(bad(
            "shares",
            if row.joint {
                "Ce marché est un groupement de commandes : indiquez les parts de ses membres."
            } else {
                "Ce marché n'est pas un groupement de commandes : il n'a pas de parts."
            },
        ));
    }
    let before = json!({
        "reference": row.reference, "object": row.object, "cpv": row.cpv,
        "estimatedCents": row.estimated_cents, "awardedCents": row.awarded_cents,
        "notifiedOn": row.notified_on, "durationMonths": row.duration_months,
        "version": row.version,
    });
    let mut up: proc_contract::ActiveModel = row.clone().into();
    up.reference = Set(v.reference);
    up.object = Set(v.object);
    up.nature = Set(v.nature.to_owned());
    up.category = Set(v.category.code().to_owned());
    up.procedure = Set(v.procedure.to_owned());
    up.techniques = Set(json!(v.techniques));
    up.execution_modalities = Set(json!(v.execution_modalities));
    up.ccag = Set(v.ccag.to_owned());
    up.price_form = Set(v.price_form.to_owned());
    up.price_types = Set(json!(v.price_types));
    up.cpv = Set(v.cpv.to_owned());
    up.estimated_cents = Set(f.estimated_cents);
    up.awarded_cents = Set(f.awarded_cents);
    up.lots = Set(i32::try_from(f.lots.len()).unwrap_or(i32::MAX).max(1));
    up.notified_on = Set(f.notified_on);
    up.duration_months = Set(f.duration_months);
    up.renewals = Set(f.renewals);
    up.renewal_months = Set(f.renewal_months);
    up.notice_days = Set(f.notice_days);
    up.place_code = Set(v.place_code);
    up.place_type = Set(v.place_type.to_owned());
    up.social_considerations = Set(json!(v.social));
    up.environmental_considerations = Set(json!(v.environmental));
    up.subcontracting = Set(f.subcontracting);
    up.buyer_siret = Set(v.buyer_siret.map(|s| s.to_string()));
    up.offers_received = Set(f.offers_received);
    up.innovative = Set(f.innovative);
    up.advance_paid = Set(f.advance_paid);
    up.operator_grouping = Set(v.operator_grouping.to_owned());
    up.updated_at = Set(Utc::now());
    up.version = Set(row.version + 1);
    let mut row = up.update(&txn).await?;
    let stored_lots = scope
        .find::<proc_lot::Entity>()
        .filter(proc_lot::Column::ContractId.eq(row.id))
        .all(&txn)
        .await?;
    let lots_audit = if notified.is_some() {
        // Same lots, same amounts and holders (checked above): the rest of each is corrected.
        let mut out = vec![];
        for (l, vl) in f.lots.iter().zip(valid_lots) {
            if let Some(stored) = stored_lots.iter().find(|s| s.number == l.number) {
                let mut a: proc_lot::ActiveModel = stored.clone().into();
                a.object = Set(vl.object);
                a.cpv = Set(vl.cpv.to_owned());
                a.estimated_cents = Set(l.estimated_cents);
                a.duration_months = Set(l.duration_months);
                let lot = a.update(&txn).await?;
                out.push(json!({"number": lot.number, "cpv": lot.cpv, "awardedCents": lot.awarded_cents}));
            }
        }
        out
    } else {
        // A draft: its contractors, shares and lots are replaced.
        let supplier_ids =
            set_contractors(&txn, scope, &row, &f.supplier_ids, "supplierIds").await?;
        let mut with_initial: proc_contract::ActiveModel = row.clone().into();
        with_initial.initial_supplier_ids = Set(json!(supplier_ids));
        row = with_initial.update(&txn).await?;
        for s in scope
            .find::<proc_share::Entity>()
            .filter(proc_share::Column::ContractId.eq(row.id))
            .all(&txn)
            .await?
        {
            s.delete(&txn).await?;
        }
        insert_shares(&txn, scope, &row, &f.shares).await?;
        for l in stored_lots {
            l.delete(&txn).await?;
        }
        insert_lots(&txn, scope, &row, &f.lots, valid_lots).await?
    };
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "updateContract",
            before: Some(before),
            after: Some(json!({
                "id": row.id, "reference": row.reference, "object": row.object, "cpv": row.cpv,
                "estimatedCents": row.estimated_cents, "awardedCents": row.awarded_cents,
                "notifiedOn": row.notified_on, "durationMonths": row.duration_months,
                "suppliers": f.supplier_ids, "lots": lots_audit, "version": row.version,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    let mut c = load(db, scope, vec![row]).await?;
    Ok(c.remove(0))
}
