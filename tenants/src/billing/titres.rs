//! Titres de recettes: an intercommunality that recovers shared costs in its own accounting
//! software issues a titre per member commune instead of an invoice. The export gives, for the
//! communes of a billing run whose channel is « titre », one line each with what a titre needs:
//! the debtor and its identifiers, the object and period, the amount, the budget account
//! (M57: 70875, reimbursements by member communes) and the legal basis (the mutualisation
//! agreement). No official PES V2 recette schema is available here, so no PES XML is made.
use super::identity::Channel;
use super::BillingError;
use crate::entities::{billing_invoice, billing_run, tenant};
use crate::tenancy::{AccessError, Permission, Scope};
use chrono::{NaiveDate, Utc};
use formats::{Cell, Column, Document, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

pub async fn document(
    db: &DatabaseConnection,
    scope: &Scope,
    billing_run_id: Uuid,
) -> Result<Document, BillingError> {
    if scope.permission() != Permission::ManageCosts {
        return Err(AccessError::Forbidden(Permission::ManageCosts).into());
    }
    let txn = scope.begin(db).await?;
    let run = scope
        .get::<billing_run::Entity, _>(&txn, billing_run_id)
        .await??;
    let invoices = scope
        .find::<billing_invoice::Entity>()
        .filter(billing_invoice::Column::BillingRunId.eq(run.id))
        .filter(billing_invoice::Column::Channel.eq(Channel::Titre.as_str()))
        .order_by_asc(billing_invoice::Column::Number)
        .all(&txn)
        .await?;
    let tenants: HashMap<Uuid, tenant::Model> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(run.organisation_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    txn.commit().await?;
    let seller = super::ubl::seller_identity(db, run.organisation_id).await?;
    let account = seller
        .as_ref()
        .and_then(|s| s.budget_account.clone())
        .unwrap_or_else(|| "70875".into());
    let basis = seller
        .as_ref()
        .and_then(|s| s.agreement_reference.clone())
        .unwrap_or_default();
    let rows = invoices
        .iter()
        .map(|inv| {
            let t = tenants.get(&inv.tenant_id);
            // The same reading of the lines as the e-invoices'.
            let ls = super::ubl::lines(inv);
            let object = ls
                .iter()
                .map(|l| l.label.as_str())
                .collect::<Vec<_>>()
                .join(" ; ");
            let start: Option<NaiveDate> = ls.iter().filter_map(|l| l.start).min();
            let end: Option<NaiveDate> = ls.iter().filter_map(|l| l.end).max();
            vec![
                Cell::text(t.map(|t| t.name.as_str()).unwrap_or("-")),
                Cell::text(t.map(|t| t.siren.as_str()).unwrap_or("-")),
                Cell::text(inv.buyer_siret.as_deref().unwrap_or("")),
                Cell::text(t.and_then(|t| t.insee_code.as_deref()).unwrap_or("")),
                Cell::text(format!(
                    "Remboursement du service commun numérique : {object}"
                )),
                start.map(Cell::Date).into(),
                end.map(Cell::Date).into(),
                Cell::text(crate::costs::euros(inv.amount_cents)),
                Cell::Int(inv.amount_cents),
                Cell::text(&account),
                Cell::text(&basis),
                Cell::text(&inv.number),
                Cell::Date(inv.issued_on),
                Cell::Date(inv.due_on),
            ]
        })
        .collect();
    Ok(Document {
        title: format!("Titres de recettes — {}", run.label),
        subtitle: Some(format!(
            "Communes facturées par titre de recettes, du {} au {}",
            run.period_start.format("%d/%m/%Y"),
            run.period_end.format("%d/%m/%Y")
        )),
        sheets: vec![Sheet {
            name: "Titres".into(),
            columns: vec![
                Column::new("debiteur", "Débiteur"),
                Column::new("siren", "SIREN"),
                Column::new("siret", "SIRET"),
                Column::new("code_insee", "Code INSEE"),
                Column::new("objet", "Objet"),
                Column::new("periode_debut", "Période du"),
                Column::new("periode_fin", "Période au"),
                Column::new("montant", "Montant"),
                Column::new("montant_centimes", "Montant (centimes)"),
                Column::new("compte", "Imputation budgétaire"),
                Column::new("fondement", "Fondement juridique"),
                Column::new("reference", "Référence"),
                Column::new("emis_le", "Émis le"),
                Column::new("echeance", "Échéance"),
            ],
            rows,
        }],
        generated_at: Utc::now(),
        charts: Vec::new(),
    })
}
