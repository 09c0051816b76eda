//! The DCAT-AP (3.0) catalogue as JSON-LD: one `dcat:Dataset` per commune and published
//! dataset, each with its publisher, licence (Licence Ouverte 2.0), dates, theme and
//! distributions at stable addresses; the DECP declare their schema.data.gouv.fr format.
//! Controlled vocabularies are the EU Publications Office's (file types, themes, frequency,
//! language), as DCAT-AP asks.
use super::catalog::Entry;
use super::publication::distributions;
use super::Dataset;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// The Licence Ouverte / Open Licence 2.0 of Etalab.
pub const LICENCE: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";
/// The DECP format on schema.data.gouv.fr.
pub const DECP_SCHEMA: &str = "https://schema.data.gouv.fr/139bercy/format-commande-publique/";
/// The catalogue's path on the server.
pub const CATALOG_PATH: &str = "/opendata/catalog.jsonld";

const EU: &str = "http://publications.europa.eu/resource/authority";

fn date(d: DateTime<Utc>) -> Value {
    json!({"@value": d.to_rfc3339_opts(SecondsFormat::Secs, true), "@type": "xsd:dateTime"})
}

fn fr(text: impl Into<String>) -> Value {
    json!({"@value": text.into(), "@language": "fr"})
}

/// A concept of an EU Publications Office vocabulary, typed and labelled as DCAT-AP's shapes
/// ask (`skos:Concept` with a `skos:prefLabel`).
fn concept(iri: String, label: &str) -> Value {
    json!({"@id": iri, "@type": "skos:Concept", "skos:prefLabel": fr(label)})
}

fn french() -> Value {
    json!({"@id": format!("{EU}/language/FRA"), "@type": "dct:LinguisticSystem"})
}

fn licence() -> Value {
    json!({"@id": LICENCE, "@type": "dct:LicenseDocument", "dct:title": fr("Licence Ouverte / Open Licence version 2.0")})
}

fn dataset(base: &str, e: &Entry) -> Value {
    let id = format!("{base}/opendata/{}/{}", e.tenant_id, e.dataset.code());
    let (description, (theme, theme_label), keywords) = match e.dataset {
        Dataset::Register => (
            format!(
                "Les activités de traitement de données personnelles de la commune de {} \
                 (article 30 du RGPD), validées par la commune, avec les rubriques qu'elle \
                 choisit de publier. Tenu avec le délégué à la protection des données mutualisé \
                 de {}.",
                e.commune, e.organisation
            ),
            ("GOVE", "Gouvernement et secteur public"),
            vec!["RGPD", "registre des traitements", "données personnelles"],
        ),
        Dataset::Decp => (
            format!(
                "Les données essentielles des marchés publics notifiés par la commune de {} \
                 (articles R2196-1 et R3131-1 du code de la commande publique), au format \
                 réglementaire DECP 2.0.3 ; montants en euros hors taxes.",
                e.commune
            ),
            ("ECON", "Économie et finances"),
            vec!["commande publique", "marchés publics", "DECP"],
        ),
    };
    let files: Vec<Value> = distributions(e.dataset, e.tenant_id)
        .into_iter()
        .map(|d| {
            let url = format!("{base}{}", d.path);
            let mut v = json!({
                "@id": url,
                "@type": "dcat:Distribution",
                "dct:title": fr(format!("{} ({})", e.dataset.title(&e.commune), d.format)),
                "dcat:accessURL": {"@id": url},
                "dcat:downloadURL": {"@id": url},
                "dct:format": {"@id": format!("{EU}/file-type/{}", d.format), "@type": "dct:MediaTypeOrExtent"},
                "dcat:mediaType": {"@id": format!("https://www.iana.org/assignments/media-types/{}", d.media_type), "@type": "dct:MediaType"},
                "dct:license": licence(),
                "dct:modified": date(e.modified),
            });
            if e.dataset == Dataset::Decp && d.format == "JSON" {
                v["dct:conformsTo"] = json!({"@id": DECP_SCHEMA, "@type": "dct:Standard"});
            }
            v
        })
        .collect();
    let mut v = json!({
        "@id": id,
        "@type": "dcat:Dataset",
        "dct:identifier": id,
        "dct:title": fr(e.dataset.title(&e.commune)),
        "dct:description": fr(description),
        "dct:publisher": {
            "@type": "foaf:Agent",
            "foaf:name": format!("Commune de {}", e.commune),
            "dct:type": {
                "@id": "http://purl.org/adms/publishertype/LocalAuthority",
                "@type": "skos:Concept",
                "skos:prefLabel": {"@value": "Local Authority", "@language": "en"},
            },
        },
        "dcat:contactPoint": {
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": format!("{} (services mutualisés)", e.organisation),
        },
        "dcat:theme": concept(format!("{EU}/data-theme/{theme}"), theme_label),
        "dcat:keyword": keywords.into_iter().map(fr).collect::<Vec<_>>(),
        "dct:language": french(),
        "dct:accrualPeriodicity": {"@id": format!("{EU}/frequency/CONT"), "@type": "dct:Frequency"},
        "dct:license": licence(),
        "dct:modified": date(e.modified),
        "dcat:landingPage": {"@id": files.first().and_then(|f| f["@id"].as_str()).unwrap_or(id.as_str()), "@type": "foaf:Document"},
        "dcat:distribution": files,
    });
    if let Some(code) = &e.insee_code {
        v["dct:spatial"] = json!({
            "@type": "dct:Location",
            "dct:identifier": code,
            "skos:prefLabel": fr(e.commune.clone()),
        });
    }
    if let Some(i) = e.issued {
        v["dct:issued"] = date(i);
    }
    if e.dataset == Dataset::Decp {
        v["dct:conformsTo"] = json!({"@id": DECP_SCHEMA, "@type": "dct:Standard", "dct:title": fr("Format réglementaire des données essentielles des marchés publics (DECP) 2.0.3")});
    }
    v
}

/// The catalogue of `entries`, served at `base` + [`CATALOG_PATH`].
pub fn catalog(base: &str, entries: &[Entry], now: DateTime<Utc>) -> Value {
    let base = base.trim_end_matches('/');
    let modified = entries.iter().map(|e| e.modified).max().unwrap_or(now);
    json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": format!("{base}{CATALOG_PATH}"),
        "@type": "dcat:Catalog",
        "dct:title": fr("Données ouvertes des communes — Mutualis"),
        "dct:description": fr("Les jeux de données que les communes membres publient depuis Mutualis : registres publics des traitements et données essentielles des marchés publics. Seul ce qu'une commune a choisi de publier y figure."),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": "Mutualis"},
        "foaf:homepage": {"@id": format!("{base}/"), "@type": "foaf:Document"},
        "dct:language": french(),
        "dct:license": licence(),
        "dct:modified": date(modified),
        "dcat:dataset": entries.iter().map(|e| dataset(base, e)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn entry(dataset: Dataset, insee: Option<&str>) -> Entry {
        Entry {
            tenant_id: Uuid::from_u128(7),
            commune: "Compiègne".into(),
            insee_code: insee.map(str::to_owned),
            organisation: "Agglomération de la Région de Compiègne".into(),
            siren: "200067965".into(),
            dataset,
            issued: None,
            modified: DateTime::parse_from_rfc3339("2026-11-30T10:00:00Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default(),
        }
    }

    #[test]
    fn every_dataset_has_licence_dates_and_stable_distributions() {
        let c = catalog(
            "https://mutualis.example/",
            &[
                entry(Dataset::Decp, Some("60159")),
                entry(Dataset::Register, None),
            ],
            Utc::now(),
        );
        assert_eq!(c["@id"], "https://mutualis.example/opendata/catalog.jsonld");
        assert_eq!(c["dct:modified"]["@value"], "2026-11-30T10:00:00Z");
        let sets = c["dcat:dataset"].as_array().cloned().unwrap_or_default();
        assert_eq!(sets.len(), 2);
        let decp = &sets[0];
        assert_eq!(decp["dct:license"]["@id"], LICENCE);
        assert_eq!(decp["dct:conformsTo"]["@id"], DECP_SCHEMA);
        assert_eq!(decp["dct:spatial"]["dct:identifier"], "60159");
        let urls: Vec<&str> = decp["dcat:distribution"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|x| x["dcat:downloadURL"]["@id"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            urls,
            [
                "https://mutualis.example/opendata/00000000-0000-0000-0000-000000000007/decp.json",
                "https://mutualis.example/opendata/00000000-0000-0000-0000-000000000007/decp.xml"
            ]
        );
        assert!(sets[1].get("dct:spatial").is_none());
        assert!(sets[1].get("dct:conformsTo").is_none());
    }
}
