//! DECP (données essentielles de la commande publique) export, format 2.0.3 (arrêté of
//! 22 December 2022 on the essential data of public contracts; the official schema is kept in
//! `tenants/data/decp/`, see its README). Closed lists are stored as the schema
//! spells them, so they are copied as they are. Amounts are published in euros HT.
//!
//! A contract is published once notified; one that lacks what the format requires (buyer SIRET,
//! contractors, number of offers, an amount of at least 1 EUR) is listed as skipped, with why.
//! A joint procurement is published once, by the tenant that carries it.
//!
//! The schema has no lot field: a contract divided into lots publishes one `marche` per lot,
//! identified by the reference and the lot number (`contracts::lot_decp_id`), with the lot's
//! object, CPV code, awarded amount, contractors and duration.
use super::contracts::{self, strings, Contract, ContractFilter};
use super::{suppliers, ProcurementError};
use crate::tenancy::{AccessError, Scope};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// The official JSON Schema of the format (DECP 2.0.3), as published.
pub const SCHEMA: &str = include_str!("../../data/decp/schema_decp_v2.0.3.json");

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
        return Some("marché pas encore notifié");
    }
    if c.row.buyer_siret.is_none() {
        return Some("SIRET de l'acheteur manquant");
    }
    if c.row.offers_received.is_none() {
        return Some("nombre d'offres reçues inconnu");
    }
    if c.supplier_ids.is_empty()
        || c.row
            .initial_supplier_ids
            .as_array()
            .is_none_or(Vec::is_empty)
    {
        return Some("aucun titulaire");
    }
    if c.row.awarded_cents.is_none_or(|a| a < 100) {
        return Some("montant attribué inférieur à 1 €");
    }
    if c.lots
        .iter()
        .any(|l| l.supplier_ids.as_array().is_none_or(Vec::is_empty))
    {
        return Some("un lot sans titulaire");
    }
    if c.lots
        .iter()
        .any(|l| l.awarded_cents.is_none_or(|a| a < 100))
    {
        return Some("un lot dont le montant attribué est inférieur à 1 €");
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
    // Amendments of the whole contract; those of one lot go to that lot's entry only.
    let changed: Vec<&crate::entities::proc_amendment::Model> =
        c.amendments.iter().filter(|a| a.lot.is_none()).collect();
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
    if let Some(mods) = modifications(r, &changed, known, published_on) {
        m["modifications"] = mods;
    }
    m
}

/// The `modifications` of an entry, numbered from 1; none is no key at all.
fn modifications(
    r: &crate::entities::proc_contract::Model,
    changed: &[&crate::entities::proc_amendment::Model],
    known: &HashMap<Uuid, (String, String)>,
    published_on: NaiveDate,
) -> Option<Value> {
    if changed.is_empty() {
        return None;
    }
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
    Some(json!(mods))
}

/// The `actesSousTraitance` of a contract (of one lot when `lot` is given); none is no key at
/// all (the schema wants at least one item).
fn acts(c: &Contract, lot: Option<i32>, published_on: NaiveDate) -> Option<Value> {
    let v: Vec<Value> = c
        .subcontracting_acts
        .iter()
        .filter(|a| a.lot == lot)
        .map(|a| {
            json!({"acteSousTraitance": {
                "id": a.number,
                "sousTraitant": {"typeIdentifiant": a.id_type, "id": a.identifier},
                "dureeMois": a.duration_months,
                "dateNotification": a.notified_on.to_string(),
                "datePublicationDonnees": published_on.to_string(),
                "montant": euros(a.amount_cents),
                "variationPrix": a.price_variation,
            }})
        })
        .collect();
    (!v.is_empty()).then(|| json!(v))
}

/// The `marche` entries of a contract: itself, or one per lot when it is divided.
fn marches(
    c: &Contract,
    known: &HashMap<Uuid, (String, String)>,
    published_on: NaiveDate,
) -> Vec<Value> {
    let mut whole = marche(c, known, published_on);
    if c.lots.is_empty() {
        if let Some(a) = acts(c, None, published_on) {
            whole["actesSousTraitance"] = a;
        }
        return vec![whole];
    }
    let r = &c.row;
    c.lots
        .iter()
        .map(|l| {
            let mut m = whole.clone();
            let holders: Vec<Uuid> =
                serde_json::from_value(l.supplier_ids.clone()).unwrap_or_default();
            m["id"] = json!(contracts::lot_decp_id(&r.reference, l.number));
            m["objet"] = json!(l.object);
            m["codeCPV"] = json!(l.cpv);
            m["montant"] = euros(l.awarded_cents.unwrap_or(0));
            m["titulaires"] = json!(titulaires(&holders, known));
            if let Some(d) = l.duration_months {
                m["dureeMois"] = json!(d + r.renewals * r.renewal_months);
            }
            if let Some(a) = acts(c, Some(l.number), published_on) {
                m["actesSousTraitance"] = a;
            }
            // The whole contract's amendments (duration) and this lot's, in order of signature.
            let changed: Vec<&crate::entities::proc_amendment::Model> = c
                .amendments
                .iter()
                .filter(|a| a.lot.is_none() || a.lot == Some(l.number))
                .collect();
            match modifications(r, &changed, known, published_on) {
                Some(mods) => m["modifications"] = mods,
                None => {
                    if let Some(o) = m.as_object_mut() {
                        o.remove("modifications");
                    }
                }
            }
            m
        })
        .collect()
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
        for l in &c.lots {
            ids.extend(
                serde_json::from_value::<Vec<Uuid>>(l.supplier_ids.clone()).unwrap_or_default(),
            );
        }
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
    let mut out = vec![];
    let mut skipped = vec![];
    for c in &all {
        match why_not(c) {
            Some(reason) => skipped.push(Skipped {
                contract_id: c.row.id,
                reference: c.row.reference.clone(),
                reason,
            }),
            None => out.extend(marches(c, &known, published_on)),
        }
    }
    Ok(DecpExport {
        exported: out.len(),
        document: json!({"marches": {"marche": out}}),
        skipped,
    })
}

/// Containers of the DECP document whose items are repeated child elements, and the name of
/// each item (`titulaires` holds `titulaire` elements).
const ITEM_NAMES: &[(&str, &str)] = &[
    ("marches", "marche"),
    ("titulaires", "titulaire"),
    ("modifications", "modification"),
    ("actesSousTraitance", "acteSousTraitance"),
    (
        "modificationsActesSousTraitance",
        "modificationActeSousTraitance",
    ),
    ("techniques", "technique"),
    ("modalitesExecution", "modaliteExecution"),
    ("considerationsSociales", "considerationSociale"),
    (
        "considerationsEnvironnementales",
        "considerationEnvironnementale",
    ),
    ("typesPrix", "typePrix"),
    ("concessionnaires", "concessionnaire"),
    ("donneesExecution", "donneeExecution"),
    ("tarifs", "tarif"),
];

fn item_name(container: &str) -> Option<&'static str> {
    ITEM_NAMES
        .iter()
        .find(|(c, _)| *c == container)
        .map(|(_, i)| *i)
}

/// Text or attribute content with the five XML special characters escaped; characters XML 1.0
/// cannot carry at all (control characters other than tab and line breaks) are dropped.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => {}
        Value::Array(items) => match item_name(name) {
            // `"titulaires": [{"titulaire": {...}}]` or `"techniques": ["..."]`: one container
            // holding one element per item.
            Some(item) => {
                out.push_str(&format!("<{name}>"));
                for it in items {
                    let inner = match it {
                        Value::Object(m) if m.len() == 1 => m.get(item).unwrap_or(it),
                        _ => it,
                    };
                    element(out, item, inner);
                }
                out.push_str(&format!("</{name}>"));
            }
            // `"technique": ["a", "b"]` (the item list itself): the element repeated.
            None => {
                for it in items {
                    element(out, name, it);
                }
            }
        },
        Value::Object(fields) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in fields {
                element(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => {
            out.push_str(&format!("<{name}>"));
            escape_into(out, s);
            out.push_str(&format!("</{name}>"));
        }
        Value::Bool(_) | Value::Number(_) => {
            out.push_str(&format!("<{name}>{value}</{name}>"));
        }
    }
}

/// The DECP XML of a document built by [`export`]: the same tree as the JSON, root `<marches>`
/// holding one `<marche>` per contract, arrays as repeated child elements, UTF-8.
pub fn to_xml(document: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match document {
        Value::Object(root) => {
            for (k, v) in root {
                element(&mut out, k, v);
            }
        }
        other => element(&mut out, "marches", other),
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    /// Element paths (`marches/marche/objet`) with their text, in document order.
    fn parse(xml: &str) -> Vec<(String, String)> {
        let mut r = Reader::from_str(xml);
        let mut path: Vec<String> = vec![];
        let mut out = vec![];
        loop {
            match r.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    path.push(e.name().as_ref().to_owned());
                    out.push((path.join("/"), String::new()));
                }
                Event::End(e) => {
                    assert_eq!(path.pop().as_deref(), Some(e.name().as_ref()));
                }
                Event::Text(t) => {
                    let text = t.into_inner();
                    let text = quick_xml::escape::unescape(&text)
                        .expect("entities")
                        .into_owned();
                    if let Some(last) = out.last_mut() {
                        last.1.push_str(&text);
                    }
                }
                Event::GeneralRef(e) => {
                    let name = e.into_inner();
                    let text = quick_xml::escape::unescape(&format!("&{name};"))
                        .expect("entity")
                        .into_owned();
                    if let Some(last) = out.last_mut() {
                        last.1.push_str(&text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(path.is_empty(), "unclosed elements: {path:?}");
        out
    }

    #[test]
    fn xml_mirrors_the_json_with_item_elements() {
        let doc = json!({"marches": {"marche": [
            {
                "id": "2024-01",
                "objet": "Voirie & réseaux <lot 1> \"Nord\" l'été",
                "montant": 36540.5,
                "marcheInnovant": false,
                "acheteur": {"id": "21600159000011"},
                "techniques": {"technique": ["Sans objet"]},
                "considerationsSociales": {"considerationSociale": ["Pas de considération sociale"]},
                "titulaires": [
                    {"titulaire": {"typeIdentifiant": "SIRET", "id": "44306184100047"}},
                    {"titulaire": {"typeIdentifiant": "TVA", "id": "FR123"}}
                ],
                "modifications": [{"modification": {"id": 1, "montant": 40000}}],
                "dateNotification": null
            },
            {"id": "2024-02", "objet": "Fournitures"}
        ]}});
        let xml = to_xml(&doc);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<marches><marche>"));
        assert!(xml.contains("Voirie &amp; réseaux &lt;lot 1&gt;"), "{xml}");
        let els = parse(&xml);
        let count = |p: &str| els.iter().filter(|(x, _)| x == p).count();
        let text = |p: &str| {
            els.iter()
                .find(|(x, _)| x == p)
                .map(|(_, t)| t.as_str())
                .unwrap_or_default()
        };
        assert_eq!(count("marches"), 1);
        assert_eq!(count("marches/marche"), 2);
        assert_eq!(
            text("marches/marche/objet"),
            "Voirie & réseaux <lot 1> \"Nord\" l'été"
        );
        assert_eq!(text("marches/marche/montant"), "36540.5");
        assert_eq!(text("marches/marche/marcheInnovant"), "false");
        assert_eq!(text("marches/marche/acheteur/id"), "21600159000011");
        assert_eq!(text("marches/marche/techniques/technique"), "Sans objet");
        assert_eq!(
            text("marches/marche/considerationsSociales/considerationSociale"),
            "Pas de considération sociale"
        );
        assert_eq!(count("marches/marche/titulaires"), 1);
        assert_eq!(count("marches/marche/titulaires/titulaire"), 2);
        assert_eq!(
            text("marches/marche/titulaires/titulaire/typeIdentifiant"),
            "SIRET"
        );
        assert_eq!(
            text("marches/marche/modifications/modification/montant"),
            "40000"
        );
        assert_eq!(count("marches/marche/dateNotification"), 0);
    }

    #[test]
    fn control_characters_are_dropped() {
        let xml = to_xml(&json!({"marches": {"marche": [{"objet": "a\u{1}b\tc"}]}}));
        assert!(xml.contains("<objet>ab\tc</objet>"), "{xml}");
        parse(&xml);
    }
}
