//! Billing runs. In one transaction: the current (not yet invoiced) allocation
//! runs of the period are marked invoiced (they become immutable), one invoice per commune is
//! numbered and written with its lines, and one push job per invoice is enqueued.
use super::identity::{self, Channel};
use super::{bad, BillingError, PushInvoice};
use crate::audit::{self, Entry};
use crate::costs::catalogue::org_tenant;
use crate::entities::{billing_invoice, billing_run, cost_line, cost_pool, cost_run, tenant};
use crate::jobs::{self, JobOwner};
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Payment term of the invoices (public bodies pay within 30 days: Code de la commande
/// publique, R2192-10).
pub const PAYMENT_DAYS: i64 = 30;

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = tracing::field::Empty))]
pub async fn start(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    organisation_id: Uuid,
    period_start: NaiveDate,
    period_end: NaiveDate,
    label: &str,
) -> Result<billing_run::Model, BillingError> {
    if period_end < period_start {
        return Err(bad("periodEnd", "La fin précède le début de la période."));
    }
    let label = label.trim().to_owned();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(bad("label", "Le libellé compte de 1 à 200 caractères."));
    }
    let txn = scope.begin(db).await?;
    let org = org_tenant(&txn, scope, organisation_id)
        .await
        .map_err(|_| AccessError::NotFound)?;
    // The current allocation runs of pools inside the period.
    let pools: Vec<Uuid> = scope
        .find::<cost_pool::Entity>()
        .filter(cost_pool::Column::OrganisationId.eq(organisation_id))
        .filter(cost_pool::Column::PeriodStart.gte(period_start))
        .filter(cost_pool::Column::PeriodEnd.lte(period_end))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let runs: Vec<cost_run::Model> = scope
        .find::<cost_run::Entity>()
        .filter(cost_run::Column::PoolId.is_in(pools))
        .filter(cost_run::Column::Status.eq("final"))
        // A concurrent billing run of the same period waits here, then finds nothing left.
        .lock_exclusive()
        .all(&txn)
        .await?;
    if runs.is_empty() {
        return Err(bad(
            "periodStart",
            "Rien à facturer sur cette période : ses répartitions sont déjà facturées (une \
             modification demande une répartition de correction) ou aucune n'a été lancée.",
        ));
    }
    let run_ids: Vec<Uuid> = runs.iter().map(|r| r.id).collect();
    let lines = scope
        .find::<cost_line::Entity>()
        .filter(cost_line::Column::RunId.is_in(run_ids.clone()))
        .order_by_asc(cost_line::Column::TenantId)
        .order_by_asc(cost_line::Column::PeriodStart)
        .order_by_asc(cost_line::Column::Id)
        .all(&txn)
        .await?;
    let mut by_commune: BTreeMap<Uuid, Vec<cost_line::Model>> = BTreeMap::new();
    for l in lines {
        by_commune.entry(l.tenant_id).or_default().push(l);
    }
    // Chorus Pro refuses an invoice without the identifiers the buyer requires: refuse the run
    // first, naming what is missing where, and write nothing.
    let mut ids: Vec<Uuid> = by_commune.keys().copied().collect();
    ids.push(org.id);
    let identities = identity::of_tenants(&txn, scope, ids.clone()).await?;
    let channel_of = |t: &Uuid| Channel::of(identities.get(t));
    let mut missing: Vec<String> = vec![];
    let names: BTreeMap<Uuid, String> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let name = |t: &Uuid| names.get(t).cloned().unwrap_or_default();
    let mut chorus = false;
    // A credit note needs the same identifiers as the invoice it corrects: no exception.
    for t in by_commune.keys() {
        if channel_of(t) != Channel::ChorusPro {
            continue;
        }
        chorus = true;
        let m = identity::missing_for_chorus(identities.get(t), false);
        if !m.is_empty() {
            missing.push(format!("pour {}, {}", name(t), m.join(" et ")));
        }
    }
    if chorus {
        let m = identity::missing_for_chorus(identities.get(&org.id), true);
        if !m.is_empty() {
            missing.push(format!(
                "pour l'intercommunalité ({}), {}",
                name(&org.id),
                m.join(" et ")
            ));
        }
    }
    if !missing.is_empty() {
        return Err(bad(
            "billingIdentity",
            format!(
                "Facturation refusée : Chorus Pro rejetterait ces factures. Il manque {}. \
                 Renseignez-les dans « Identité de facturation » ; rien n'a été facturé.",
                missing.join(" ; ")
            ),
        ));
    }
    let pushes = by_commune
        .iter()
        .filter(|(t, ls)| {
            channel_of(t) == Channel::Stripe && ls.iter().map(|l| l.amount_cents).sum::<i64>() > 0
        })
        .count();
    let now = Utc::now();
    let today = crate::calendar::paris_today();
    let run = billing_run::ActiveModel::from(billing_run::Model {
        id: Uuid::now_v7(),
        organisation_id,
        tenant_id: org.id,
        period_start,
        period_end,
        label,
        // Chorus Pro files and titres are issued at once; Stripe pushes finish the run later.
        status: if pushes > 0 { "running" } else { "done" }.into(),
        invoices: by_commune.len() as i32,
        total_cents: by_commune.values().flatten().map(|l| l.amount_cents).sum(),
        created_by: scope.principal().audit_ref(),
        created_at: now,
        finished_at: (pushes == 0).then_some(now),
    })
    .insert(&txn)
    .await?;
    // Numbers follow each other within the organisation and year: <year>-<run>-<n>.
    let earlier = scope
        .find::<billing_run::Entity>()
        .filter(billing_run::Column::OrganisationId.eq(organisation_id))
        .all(&txn)
        .await?
        .into_iter()
        .filter(|r| r.created_at.year() == now.year())
        .count();
    for (n, (tenant_id, lines)) in by_commune.into_iter().enumerate() {
        let amount: i64 = lines.iter().map(|l| l.amount_cents).sum();
        let channel = channel_of(&tenant_id);
        let ident = identities.get(&tenant_id);
        // A credit note names the commune's last invoice, the one it corrects (BT-25).
        let corrects_number = if amount < 0 {
            scope
                .find::<billing_invoice::Entity>()
                .filter(billing_invoice::Column::TenantId.eq(tenant_id))
                .filter(billing_invoice::Column::AmountCents.gt(0))
                .order_by_desc(billing_invoice::Column::CreatedAt)
                .order_by_desc(billing_invoice::Column::Number)
                .one(&txn)
                .await?
                .map(|i| i.number)
        } else {
            None
        };
        let invoice = billing_invoice::ActiveModel::from(billing_invoice::Model {
            id: Uuid::now_v7(),
            organisation_id,
            tenant_id,
            billing_run_id: run.id,
            number: format!("{}-{:03}-{:05}", now.year(), earlier, n + 1),
            amount_cents: amount,
            status: if amount < 0 {
                "credit_note"
            } else if channel == Channel::Stripe {
                "pending"
            } else {
                // A Chorus Pro file or a titre: issued now, to be paid.
                "open"
            }
            .into(),
            lines: json!(lines
                .iter()
                .map(|l| json!({"id": l.id, "label": format!("{} — {}", l.service_name, l.pool_label),
                    "amountCents": l.amount_cents, "explanation": l.explanation,
                    "serviceCode": l.service_code,
                    "periodStart": l.period_start, "periodEnd": l.period_end}))
                .collect::<Vec<_>>()),
            issued_on: today,
            due_on: today + Duration::days(PAYMENT_DAYS),
            stripe_invoice_id: None,
            channel: channel.as_str().to_owned(),
            buyer_siret: ident.and_then(|i| i.siret.clone()),
            service_code: ident.and_then(|i| i.service_code.clone()),
            commitment_number: ident.and_then(|i| i.commitment_number.clone()),
            corrects_number,
            created_at: now,
            updated_at: now,
        })
        .insert(&txn)
        .await?;
        // A credit note is not collected, a Chorus Pro file or a titre is not pushed.
        if amount > 0 && channel == Channel::Stripe {
            jobs::enqueue(
                &txn,
                JobOwner {
                    organisation_id,
                    tenant_id,
                },
                &PushInvoice {
                    invoice_id: invoice.id,
                },
            )
            .await?;
        }
    }
    cost_run::Entity::update_many()
        .col_expr(cost_run::Column::Status, Expr::value("invoiced"))
        .col_expr(cost_run::Column::InvoicedAt, Expr::value(now))
        .filter(cost_run::Column::Id.is_in(run_ids))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id,
            tenant_id: org.id,
            operation: "billing.run.start",
            before: None,
            after: Some(json!({"label": run.label, "periodStart": period_start,
                "periodEnd": period_end, "invoices": run.invoices, "totalCents": run.total_cents})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(run)
}

pub async fn runs(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
) -> Result<Vec<billing_run::Model>, BillingError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<billing_run::Entity>();
    if let Some(o) = organisation_id {
        q = q.filter(billing_run::Column::OrganisationId.eq(o));
    }
    let rows = q
        .order_by_desc(billing_run::Column::CreatedAt)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// One page of the billing runs, newest first, and how many there are in all.
pub async fn runs_page(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
    page: PageReq,
) -> Result<Paged<billing_run::Model>, BillingError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<billing_run::Entity>();
    if let Some(o) = organisation_id {
        q = q.filter(billing_run::Column::OrganisationId.eq(o));
    }
    let q = q
        .order_by_desc(billing_run::Column::CreatedAt)
        .order_by_desc(billing_run::Column::Id);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}

/// The columns a list of invoices is sorted by.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceSort {
    /// The invoice number (the order they were issued in): the default.
    #[default]
    Number,
    AmountCents,
    Status,
    DueOn,
}

/// Invoices: a commune reads its own. One page, and how many there are in all.
pub async fn invoices(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    billing_run_id: Option<Uuid>,
    sort: InvoiceSort,
    descending: bool,
    page: PageReq,
) -> Result<Paged<billing_invoice::Model>, BillingError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<billing_invoice::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(billing_invoice::Column::TenantId.is_in(ids));
    }
    if let Some(r) = billing_run_id {
        q = q.filter(billing_invoice::Column::BillingRunId.eq(r));
    }
    let order = if descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let column = match sort {
        InvoiceSort::Number => billing_invoice::Column::Number,
        InvoiceSort::AmountCents => billing_invoice::Column::AmountCents,
        InvoiceSort::Status => billing_invoice::Column::Status,
        InvoiceSort::DueOn => billing_invoice::Column::DueOn,
    };
    let q = q
        .order_by(column, order.clone())
        .order_by(billing_invoice::Column::Number, order.clone())
        .order_by(billing_invoice::Column::Id, order);
    let rows = paging::select(&txn, q, page).await?;
    txn.commit().await?;
    Ok(rows)
}
