//! Pushing one invoice to Stripe, idempotently: every step first looks for its earlier result
//! (the customer by the commune's id in its metadata, the items by our line ids, the invoice by
//! its number), so a retried or crashed job never bills twice, even where the server ignores
//! idempotency keys. The customers are looked for once per billing run, for all its communes.
use super::gateway::{Item, StripeGateway};
use super::BillingError;
use crate::entities::{billing_customer, billing_invoice, billing_run, organisation, tenant};
use crate::tenancy::{AccessError, Permission, Scope};
use chrono::Utc;
use sea_orm::sea_query::{LockType, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
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

/// Makes the Stripe customers of every commune invoiced through Stripe in the invoice's run
/// that has none recorded here: one listing of Stripe's customers for all of them (a customer
/// created before a crash, or recorded in a database since restored, is found there and
/// adopted), then the missing ones created. Instead of one listing of every customer per
/// invoice, one per run. All in one transaction holding the run's row: two workers pushing
/// the same run's first invoices do not both create them (the second waits, then finds them
/// recorded); a failure halfway records none, and the next attempt finds those made. Returns
/// the customer of the invoice's commune.
async fn ensure_customers<G: StripeGateway>(
    db: &DatabaseConnection,
    scope: &Scope,
    gateway: &G,
    inv: &billing_invoice::Model,
) -> Result<String, BillingError> {
    let txn = scope.begin(db).await?;
    let mut run = scope
        .find::<billing_run::Entity>()
        .filter(billing_run::Column::Id.eq(inv.billing_run_id));
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        run = run.lock(LockType::NoKeyUpdate);
    }
    run.one(&txn).await?.ok_or(AccessError::NotFound)?;
    let missing = communes_without_customer(&txn, scope, inv).await?;
    if !missing.is_empty() {
        let ids: Vec<Uuid> = missing.iter().map(|t| t.id).collect();
        let found = gateway.find_customers(&ids).await?;
        let mut rows = vec![];
        for t in &missing {
            let id = match found.get(&t.id) {
                Some(id) => id.clone(),
                None => gateway.create_customer(t.id, &t.name, &t.siren).await?,
            };
            rows.push(customer_row(t, id));
        }
        billing_customer::Entity::insert_many(rows)
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
    }
    let mine = scope
        .find::<billing_customer::Entity>()
        .filter(billing_customer::Column::TenantId.eq(inv.tenant_id))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    txn.commit().await?;
    Ok(mine.stripe_customer_id)
}

fn customer_row(t: &tenant::Model, stripe_customer_id: String) -> billing_customer::ActiveModel {
    billing_customer::ActiveModel::from(billing_customer::Model {
        id: Uuid::now_v7(),
        organisation_id: t.organisation_id,
        tenant_id: t.id,
        stripe_customer_id,
        created_at: Utc::now(),
    })
}

/// The communes of the invoice's run whose invoice goes to Stripe (channel stripe, something
/// to pay; the invoice's own commune in any case) and that have no customer recorded, in the
/// order of their ids.
async fn communes_without_customer(
    txn: &DatabaseTransaction,
    scope: &Scope,
    inv: &billing_invoice::Model,
) -> Result<Vec<tenant::Model>, BillingError> {
    let mut invoiced: Vec<Uuid> = scope
        .find::<billing_invoice::Entity>()
        .filter(billing_invoice::Column::BillingRunId.eq(inv.billing_run_id))
        .filter(billing_invoice::Column::Channel.eq("stripe"))
        .filter(billing_invoice::Column::AmountCents.gt(0))
        .select_only()
        .column(billing_invoice::Column::TenantId)
        .into_tuple()
        .all(txn)
        .await?;
    invoiced.push(inv.tenant_id);
    invoiced.sort();
    invoiced.dedup();
    let recorded: Vec<Uuid> = scope
        .find::<billing_customer::Entity>()
        .filter(billing_customer::Column::TenantId.is_in(invoiced.clone()))
        .select_only()
        .column(billing_customer::Column::TenantId)
        .into_tuple()
        .all(txn)
        .await?;
    let missing: Vec<Uuid> = invoiced
        .into_iter()
        .filter(|t| !recorded.contains(t))
        .collect();
    Ok(scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(missing))
        .order_by_asc(tenant::Column::Id)
        .all(txn)
        .await?)
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

    // 1. The commune's customer, created once: the first push of the run makes those of all
    // its communes.
    let customer = match known {
        Some(c) => c.stripe_customer_id,
        None => ensure_customers(db, &scope, gateway, &inv).await?,
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
