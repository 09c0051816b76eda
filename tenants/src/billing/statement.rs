//! The annual statement of the shared service for one commune: every cost shared with it in
//! the year (service, pool, period, its units against the total, the unit cost, the amount),
//! then its invoices and their status. Rendered in the open formats of `formats`.
use super::BillingError;
use crate::collation::OrderByName;
use crate::entities::{billing_invoice, cost_line, tenant};
use crate::tenancy::Scope;
use chrono::Utc;
use formats::{Cell, Column, Document, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use uuid::Uuid;

fn units(basis: &serde_json::Value) -> (Option<i64>, Option<i64>) {
    if let (Some(v), Some(t)) = (basis["value"].as_i64(), basis["total"].as_i64()) {
        return (Some(v), Some(t));
    }
    if let Some(d) = basis.get("detail") {
        return units(d);
    }
    (None, None)
}

/// Unit cost in cents (rounded), when the share was computed from units.
fn unit_cost(amount: i64, units: Option<i64>) -> Option<i64> {
    units.filter(|u| *u > 0).map(|u| (amount * 2 + u) / (2 * u))
}

pub async fn document(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_id: Uuid,
    year: i32,
) -> Result<Document, BillingError> {
    let (start, end) = crate::costs::calendar_year(year).ok_or_else(|| {
        super::bad::<BillingError>("year", "Indiquez une année comprise entre 1 et 9999.")
    })?;
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    let lines = scope
        .find::<cost_line::Entity>()
        .filter(cost_line::Column::TenantId.eq(t.id))
        .filter(cost_line::Column::Superseded.eq(false))
        .filter(cost_line::Column::PeriodStart.lte(end))
        .filter(cost_line::Column::PeriodEnd.gte(start))
        .order_by_name(cost_line::Column::ServiceName)
        .order_by_asc(cost_line::Column::PeriodStart)
        .order_by_asc(cost_line::Column::Id)
        .all(&txn)
        .await?;
    let invoices = scope
        .find::<billing_invoice::Entity>()
        .filter(billing_invoice::Column::TenantId.eq(t.id))
        .filter(billing_invoice::Column::IssuedOn.gte(start))
        .filter(billing_invoice::Column::IssuedOn.lte(end))
        .order_by_asc(billing_invoice::Column::Number)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let mut rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| {
            let (u, total) = units(&l.basis);
            vec![
                Cell::text(&l.service_name),
                Cell::text(&l.pool_label),
                Cell::Date(l.period_start),
                Cell::Date(l.period_end),
                u.into(),
                total.into(),
                unit_cost(l.amount_cents, u)
                    .map(super::super::costs::euros)
                    .into(),
                Cell::text(super::super::costs::euros(l.amount_cents)),
                Cell::Int(l.amount_cents),
                Cell::text(&l.explanation),
            ]
        })
        .collect();
    let total: i64 = lines.iter().map(|l| l.amount_cents).sum();
    rows.push(vec![
        Cell::text("Total"),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::text(super::super::costs::euros(total)),
        Cell::Int(total),
        Cell::Empty,
    ]);
    let costs = Sheet {
        name: "Coûts partagés".into(),
        columns: vec![
            Column::new("service", "Service"),
            Column::new("pool", "Coût"),
            Column::new("start", "Du"),
            Column::new("end", "Au"),
            Column::new("units", "Unités de la commune"),
            Column::new("total_units", "Unités au total"),
            Column::new("unit_cost", "Coût unitaire"),
            Column::new("amount", "Montant"),
            Column::new("amount_cents", "Montant (centimes)"),
            Column::new("explanation", "Calcul"),
        ],
        rows,
    };
    let billed = Sheet {
        name: "Factures".into(),
        columns: vec![
            Column::new("number", "Numéro"),
            Column::new("issued_on", "Émise le"),
            Column::new("due_on", "Échéance"),
            Column::new("amount", "Montant"),
            Column::new("status", "État"),
            Column::new("channel", "Transmise par"),
        ],
        rows: invoices
            .iter()
            .map(|i| {
                vec![
                    Cell::text(&i.number),
                    Cell::Date(i.issued_on),
                    Cell::Date(i.due_on),
                    Cell::text(super::super::costs::euros(i.amount_cents)),
                    Cell::text(match i.status.as_str() {
                        "paid" => "payée",
                        "void" => "annulée",
                        "credit_note" => "avoir",
                        "pending" => "en préparation",
                        _ => "à payer",
                    }),
                    Cell::text(
                        super::identity::Channel::parse(&i.channel)
                            .map(|c| c.label_fr())
                            .unwrap_or("-"),
                    ),
                ]
            })
            .collect(),
    };
    Ok(Document {
        title: format!("Relevé annuel {year} du service commun — {}", t.name),
        subtitle: Some(format!(
            "{} (INSEE {}) — coûts répartis : {}",
            t.name,
            t.insee_code.as_deref().unwrap_or("-"),
            super::super::costs::euros(total)
        )),
        sheets: vec![costs, billed],
        generated_at: Utc::now(),
        charts: Vec::new(),
    })
}
