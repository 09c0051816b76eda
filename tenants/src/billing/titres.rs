//! Titres de recettes: an intercommunality that recovers shared costs in its own accounting
//! software issues a titre per member commune instead of an invoice. The export gives, for the
//! communes of a billing run whose channel is « titre », one line each with what a titre needs:
//! the debtor and its identifiers, the object and period, the amount, the budget account
//! (M57: 70875, reimbursements by member communes) and the legal basis (the mutualisation
//! agreement). A service may have its own budget account: a commune's invoice then gives one
//! titre line per account, the lines of its services summed. No official PES V2 recette schema
//! is available here, so no PES XML is made.
use super::identity::Channel;
use super::BillingError;
use crate::entities::{billing_invoice, billing_run, cost_service, tenant};
use crate::tenancy::{can, Can};
use chrono::{NaiveDate, Utc};
use formats::{Cell, Column, Document, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), billing_run_id = %billing_run_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn document(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    billing_run_id: Uuid,
) -> Result<Document, BillingError> {
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
    let service_accounts: HashMap<String, String> = scope
        .find::<cost_service::Entity>()
        .filter(cost_service::Column::OrganisationId.eq(run.organisation_id))
        .all(&txn)
        .await?
        .into_iter()
        .filter_map(|s| Some((s.code, s.budget_account?)))
        .collect();
    txn.commit().await?;
    let seller = super::ubl::seller_identity(db, run.organisation_id).await?;
    let account = seller
        .as_ref()
        .and_then(|s| s.budget_account.clone())
        .unwrap_or_else(|| "70875".into());
    let account_of = |l: &super::ubl::Line| {
        l.service_code
            .as_ref()
            .and_then(|c| service_accounts.get(c))
            .unwrap_or(&account)
            .clone()
    };
    let basis = seller
        .as_ref()
        .and_then(|s| s.agreement_reference.clone())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for inv in &invoices {
        let t = tenants.get(&inv.tenant_id);
        // The same reading of the lines as the e-invoices', grouped by budget account (in
        // the accounts' order, so the export is stable).
        let mut by_account: std::collections::BTreeMap<String, Vec<super::ubl::Line>> =
            Default::default();
        for l in super::ubl::lines(inv) {
            by_account.entry(account_of(&l)).or_default().push(l);
        }
        for (account, ls) in by_account {
            let cents: i64 = ls.iter().map(|l| l.cents).sum();
            let object = ls
                .iter()
                .map(|l| l.label.as_str())
                .collect::<Vec<_>>()
                .join(" ; ");
            let start: Option<NaiveDate> = ls.iter().filter_map(|l| l.start).min();
            let end: Option<NaiveDate> = ls.iter().filter_map(|l| l.end).max();
            rows.push(vec![
                Cell::text(t.map(|t| t.name.as_str()).unwrap_or("-")),
                Cell::text(t.map(|t| t.siren.as_str()).unwrap_or("-")),
                Cell::text(inv.buyer_siret.as_deref().unwrap_or("")),
                Cell::text(t.and_then(|t| t.insee_code.as_deref()).unwrap_or("")),
                Cell::text(format!(
                    "Remboursement du service commun numérique : {object}"
                )),
                start.map(Cell::Date).into(),
                end.map(Cell::Date).into(),
                Cell::text(crate::costs::euros(cents)),
                Cell::Int(cents),
                Cell::text(&account),
                Cell::text(&basis),
                Cell::text(&inv.number),
                Cell::Date(inv.issued_on),
                Cell::Date(inv.due_on),
            ]);
        }
    }
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
