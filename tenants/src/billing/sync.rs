//! Pushing one invoice to Stripe, idempotently: every step first looks for its earlier result
//! (the customer by the commune's id in its metadata, the items by our line ids, the invoice by
//! its number), so a retried or crashed job never bills twice, even where the server ignores
//! idempotency keys.
use super::gateway::{Item, StripeGateway};
use super::BillingError;
use crate::entities::{billing_customer, billing_invoice, billing_run, organisation, tenant};
use crate::tenancy::{Permission, Scope};
use chrono::Utc;
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

/// How an invoice is described in Stripe: the key to find it again.
pub fn description(number: &str) -> String {
    format!("Facture {number} — service commun")
}

fn lines(inv: &billing_invoice::Model) -> Vec<Item> {
    inv.lines
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| {
                    Some(Item {
                        line_id: l["id"].as_str().and_then(|s| Uuid::parse_str(s).ok())?,
                        amount_cents: l["amountCents"].as_i64()?,
                        description: l["label"].as_str().unwrap_or_default().to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Pushes the invoice; returns its Stripe id. Safe to run any number of times.
pub async fn push_invoice<G: StripeGateway>(
    db: &DatabaseConnection,
    gateway: &G,
    invoice_id: Uuid,
    send: bool,
) -> Result<String, BillingError> {
    let scope = Scope::worker(Permission::ManageCosts);
    let txn = scope.begin(db).await?;
    let inv = scope
        .get::<billing_invoice::Entity, _>(&txn, invoice_id)
        .await??;
    let t = scope
        .get::<tenant::Entity, _>(&txn, inv.tenant_id)
        .await??;
    let org = scope
        .get::<organisation::Entity, _>(&txn, inv.organisation_id)
        .await??;
    let known = scope
        .find::<billing_customer::Entity>()
        .filter(billing_customer::Column::TenantId.eq(t.id))
        .one(&txn)
        .await?;
    txn.commit().await?;
    if let Some(id) = &inv.stripe_invoice_id {
        return Ok(id.clone());
    }

    // 1. The commune's customer, created once.
    let customer = match known {
        Some(c) => c.stripe_customer_id,
        None => {
            let id = match gateway.find_customer(t.id).await? {
                Some(id) => id,
                None => gateway.create_customer(t.id, &t.name, &t.siren).await?,
            };
            let txn = scope.begin(db).await?;
            billing_customer::Entity::insert(billing_customer::ActiveModel::from(
                billing_customer::Model {
                    id: Uuid::now_v7(),
                    organisation_id: t.organisation_id,
                    tenant_id: t.id,
                    stripe_customer_id: id.clone(),
                    created_at: Utc::now(),
                },
            ))
            .on_conflict(
                OnConflict::columns([
                    billing_customer::Column::TenantId,
                    billing_customer::Column::OrganisationId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(&txn)
            .await?;
            txn.commit().await?;
            id
        }
    };
    gateway
        .ensure_membership(&customer, org.id, &org.name)
        .await?;

    // 2. The invoice, if an earlier attempt made it; else its items, then the invoice.
    let desc = description(&inv.number);
    let stripe = match gateway.find_invoice(&customer, &desc).await? {
        Some(found) => found,
        None => {
            let pending = gateway.pending_lines(&customer).await?;
            for item in lines(&inv) {
                if !pending.contains(&item.line_id) {
                    gateway.add_item(&customer, &inv.number, &item).await?;
                }
            }
            gateway.create_invoice(&customer, &desc, inv.id).await?
        }
    };
    let stripe = if send && stripe.status == "draft" {
        gateway.send_for_bank_transfer(&stripe.id).await?
    } else {
        stripe
    };

    // 3. Recorded; the run is done when its last invoice is.
    let txn = scope.begin(db).await?;
    let mut a = inv.clone().into_active_model();
    a.stripe_invoice_id = Set(Some(stripe.id.clone()));
    a.status = Set(match stripe.status.as_str() {
        "paid" => "paid",
        "void" => "void",
        _ => "open",
    }
    .into());
    a.updated_at = Set(Utc::now());
    a.update(&txn).await?;
    let left = scope
        .find::<billing_invoice::Entity>()
        .filter(billing_invoice::Column::BillingRunId.eq(inv.billing_run_id))
        .filter(billing_invoice::Column::Status.eq("pending"))
        .one(&txn)
        .await?;
    if left.is_none() {
        let run = scope
            .get::<billing_run::Entity, _>(&txn, inv.billing_run_id)
            .await??;
        let mut r = run.into_active_model();
        r.status = Set("done".into());
        r.finished_at = Set(Some(Utc::now()));
        r.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(stripe.id)
}
