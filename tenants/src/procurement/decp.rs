//! DECP (données essentielles de la commande publique) export, format 2.0.3 (arrêté of
//! 22 December 2022 on the essential data of public contracts; schema
//! `../shared/data/decp/schema_decp_v2.0.3.json`). Closed lists are stored as the schema
//! spells them, so they are copied as they are. Amounts are published in euros HT.
//!
//! A contract is published once notified; one that lacks what the format requires (buyer SIRET,
//! contractors, number of offers, an amount of at least 1 EUR) is listed as skipped, with why.
//! A joint procurement is published once, by the tenant that carries it.
use super::contracts::{self, strings, Contract, ContractFilter};
use super::{suppliers, ProcurementError};
use crate::tenancy::{AccessError, Scope};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Skipped {
    pub contract_id: Uuid,
    pub reference: String,
    pub reason: &'static str,
}

#[derive(Debug, Clone)]
pub struct DecpExport {
    pub document: Value,
    pub exported: usize,
    pub skipped: Vec<Skipped>,
}

fn euros(cents: i64) -> Value {
    if cents % 100 == 0 {
        json!(cents / 100)
    } else {
        json!(cents as f64 / 100.0)
    }
}

fn titulaires(ids: &[Uuid], known: &HashMap<Uuid, (String, String)>) -> Vec<Value> {
    ids.iter()
        .filter_map(|id| known.get(id))
        .map(|(t, i)| json!({"titulaire": {"typeIdentifiant": t, "id": i}}))
        .collect()
}

fn why_not(c: &Contract) -> Option<&'static str> {
    if c.row.notified_on.is_none() {
        return Some("not notified yet");
    }
    if c.row.buyer_siret.is_none() {
        return Some("no buyer SIRET (buyerSiret)");
    }
    if c.row.offers_received.is_none() {
        return Some("number of offers received unknown (offersReceived)");
    }
    if c.supplier_ids.is_empty()
        || c.row
            .initial_supplier_ids
            .as_array()
            .is_none_or(Vec::is_empty)
    {
        return Some("no contractor (supplierIds)");
    }
    if c.row.awarded_cents.is_none_or(|a| a < 100) {
        return Some("awarded amount below 1 EUR");
    }
    None
}

/// One `marche` object.
fn marche(c: &Contract, known: &HashMap<Uuid, (String, String)>, published_on: NaiveDate) -> Value {
    let r = &c.row;
    let initial_months = r.duration_months + r.renewals * r.renewal_months;
    // Contractors as notified; each amendment that replaced them carries its own list.
    let initial: Vec<Uuid> =
        serde_json::from_value(r.initial_supplier_ids.clone()).unwrap_or_default();
    let changed: Vec<&crate::entities::proc_amendment::Model> = c.amendments.iter().collect();
    let mut m = json!({
        "id": r.reference,
        "acheteur": {"id": r.buyer_siret},
        "nature": r.nature,
        "objet": r.object,
        "codeCPV": r.cpv,
        "techniques": {"technique": strings(&r.techniques)},
        "modalitesExecution": {"modaliteExecution": strings(&r.execution_modalities)},
        "marcheInnovant": r.innovative,
        "ccag": r.ccag,
        "offresRecues": r.offers_received,
        "attributionAvance": r.advance_paid,
        "typeGroupementOperateurs": r.operator_grouping,
        "procedure": r.procedure,
        "lieuExecution": {"code": r.place_code, "typeCode": r.place_type},
        "dureeMois": initial_months,
        "dateNotification": r.notified_on.map(|d| d.to_string()),
        "datePublicationDonnees": published_on.to_string(),
        "montant": euros(r.awarded_cents.unwrap_or(0)),
        "typesPrix": {"typePrix": strings(&r.price_types)},
        "formePrix": r.price_form,
        "sousTraitanceDeclaree": r.subcontracting,
        "titulaires": titulaires(&initial, known),
        "considerationsSociales": {"considerationSociale": strings(&r.social_considerations)},
        "considerationsEnvironnementales": {"considerationEnvironnementale": strings(&r.environmental_considerations)},
    });
    if !changed.is_empty() {
        let mods: Vec<Value> = changed
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut m = json!({
                    "id": i + 1,
                    "dateNotificationModification": a.signed_on.to_string(),
                    "datePublicationDonneesModification": published_on.to_string(),
                });
                if let Some(d) = a.duration_months {
                    m["dureeMois"] = json!(d + r.renewals * r.renewal_months);
                }
                if let Some(x) = a.awarded_cents.filter(|x| *x >= 100) {
                    m["montant"] = euros(x);
                }
                if let Some(ids) = a
                    .supplier_ids
                    .as_ref()
                    .and_then(|v| serde_json::from_value::<Vec<Uuid>>(v.clone()).ok())
                {
                    let t = titulaires(&ids, known);
                    if !t.is_empty() {
                        m["titulaires"] = json!(t);
                    }
                }
                json!({"modification": m})
            })
            .collect();
        m["modifications"] = json!(mods);
    }
    m
}

/// The DECP document of the contracts the scope reaches, optionally narrowed to some tenants
/// or to one organisation.
pub async fn export(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    organisation_id: Option<Uuid>,
    published_on: NaiveDate,
) -> Result<DecpExport, ProcurementError> {
    if let Some(o) = organisation_id {
        if !scope.touches_organisation(o) {
            return Err(AccessError::NotFound.into());
        }
    }
    let f = ContractFilter {
        tenant_ids,
        limit: u64::MAX,
        ..Default::default()
    };
    let all: Vec<Contract> = contracts::list(db, scope, &f, published_on)
        .await?
        .into_iter()
        .filter(|c| organisation_id.is_none_or(|o| c.row.organisation_id == o))
        .collect();
    let mut ids: Vec<Uuid> = all
        .iter()
        .flat_map(|c| {
            serde_json::from_value::<Vec<Uuid>>(c.row.initial_supplier_ids.clone())
                .unwrap_or_default()
        })
        .collect();
    for c in &all {
        for a in &c.amendments {
            if let Some(v) = &a.supplier_ids {
                ids.extend(serde_json::from_value::<Vec<Uuid>>(v.clone()).unwrap_or_default());
            }
        }
    }
    ids.sort();
    ids.dedup();
    let known: HashMap<Uuid, (String, String)> = suppliers::by_ids(db, scope, &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, (s.id_type, s.identifier)))
        .collect();
    let mut marches = vec![];
    let mut skipped = vec![];
    for c in &all {
        match why_not(c) {
            Some(reason) => skipped.push(Skipped {
                contract_id: c.row.id,
                reference: c.row.reference.clone(),
                reason,
            }),
            None => marches.push(json!(marche(c, &known, published_on))),
        }
    }
    Ok(DecpExport {
        exported: marches.len(),
        document: json!({"marches": {"marche": marches}}),
        skipped,
    })
}
