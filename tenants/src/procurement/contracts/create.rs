//! A new contract: checked fields, its contractors, lots and shares, audited.
use super::*;
use crate::tenancy::{can, Can};

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::EditProcurement>,
    tenant_id: Uuid,
    f: ContractFields,
) -> Result<Contract, ProcurementError> {
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
    scope: &Can<can::EditProcurement>,
    t: &tenant::Model,
    f: &ContractFields,
    operation: &'static str,
) -> Result<proc_contract::Model, ProcurementError> {
    let mut v = f.validate()?;
    let valid_lots = std::mem::take(&mut v.lots);
    v.check_in_commune(txn, scope, t, None).await?;
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
pub(in crate::procurement) async fn insert_lots(
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
pub(in crate::procurement) async fn locked(
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

/// The contract `id`, locked as `locked` does, for an act dated `on` (its input field
/// `field`) that needs the contract notified first; `act` names the act in the refusal
/// ("Une modification est postérieure"). Answers the contract and its notification date.
pub(in crate::procurement) async fn locked_notified(
    scope: &Scope,
    txn: &DatabaseTransaction,
    id: Uuid,
    field: &'static str,
    on: NaiveDate,
    act: &str,
) -> Result<(proc_contract::Model, NaiveDate), ProcurementError> {
    let row = locked(scope, txn, id).await?;
    let Some(notified) = row.notified_on else {
        return Err(bad(field, "Le marché n'est pas encore notifié."));
    };
    if on < notified {
        return Err(bad(
            field,
            format!(
                "{act} à la notification du marché ({}).",
                crate::fr::date(notified)
            ),
        ));
    }
    Ok((row, notified))
}
