//! Official referential data (communes, EPCI) from the npm package
//! `@etalab/decoupage-administratif` (`data/communes.json`, `data/epci.json`), and the
//! provisioning of an organisation with its member communes as tenants.
use crate::audit::{self, AuditError, Entry};
use crate::entities::{organisation, ref_commune, ref_epci, tenant};
use crate::identifiers::Siren;
use crate::tenancy::{can, Can};
use chrono::Utc;
use indicatif::ProgressBar;
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set,
};
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ReferentialError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not the expected referential JSON: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    /// `load` upserts by code: a code listed twice would fail the whole batch in the database.
    #[error("{path} lists {code} twice")]
    Duplicate { path: String, code: String },
    #[error("SIREN {0} is not an EPCI in the referential (import the referential first, or check the number)")]
    UnknownSiren(String),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for ReferentialError {
    fn fault(&self) -> crate::fault::Fault {
        match self {
            ReferentialError::UnknownSiren(_) => crate::fault::Fault::NotFound(self.to_string()),
            _ => crate::fault::Fault::Internal,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct RawCommune {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    siren: Option<String>,
    departement: Option<String>,
    population: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawMember {
    code: String,
    siren: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEpci {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    population_municipale: Option<i64>,
    membres: Vec<RawMember>,
}

/// The parsed referential: current communes (with their EPCI) and EPCI.
#[derive(Debug, Clone, Default)]
pub struct Referential {
    pub communes: Vec<ref_commune::Model>,
    pub epcis: Vec<ref_epci::Model>,
}

impl Referential {
    pub fn parse(communes_json: &str, epci_json: &str) -> Result<Self, ReferentialError> {
        let communes: Vec<RawCommune> =
            serde_json::from_str(communes_json).map_err(|source| ReferentialError::Parse {
                path: "communes.json".into(),
                source,
            })?;
        let epcis: Vec<RawEpci> =
            serde_json::from_str(epci_json).map_err(|source| ReferentialError::Parse {
                path: "epci.json".into(),
                source,
            })?;
        // Membership exists only in the EPCI's `membres`; a member's SIREN fills a gap in
        // communes.json (a few communes there have none).
        let mut member_of: HashMap<&str, (&str, Option<&str>)> = HashMap::new();
        for e in &epcis {
            for m in &e.membres {
                member_of.insert(m.code.as_str(), (e.code.as_str(), m.siren.as_deref()));
            }
        }
        let current = || communes.iter().filter(|c| c.kind == "commune-actuelle");
        unique("communes.json", current().map(|c| c.code.as_str()))?;
        unique("epci.json", epcis.iter().map(|e| e.code.as_str()))?;
        let communes = current()
            .map(|c| {
                let membership = member_of.get(c.code.as_str());
                ref_commune::Model {
                    insee_code: c.code.clone(),
                    siren: c
                        .siren
                        .clone()
                        .or_else(|| membership.and_then(|(_, s)| s.map(str::to_owned))),
                    name: c.nom.clone(),
                    population: c.population.unwrap_or(0),
                    departement: c.departement.clone(),
                    epci_siren: membership.map(|(e, _)| (*e).to_owned()),
                }
            })
            .collect();
        let epcis = epcis
            .into_iter()
            .map(|e| ref_epci::Model {
                siren: e.code,
                name: e.nom,
                kind: e.kind,
                population: e.population_municipale.unwrap_or(0),
            })
            .collect();
        Ok(Self { communes, epcis })
    }

    pub fn read_dir(dir: &Path) -> Result<Self, ReferentialError> {
        let read = |name: &str| {
            let p = dir.join(name);
            std::fs::read_to_string(&p).map_err(|source| ReferentialError::Read {
                path: p.display().to_string(),
                source,
            })
        };
        Self::parse(&read("communes.json")?, &read("epci.json")?)
    }

    /// The Agglomération de la Région de Compiègne and its 22 communes, extracted from the
    /// package (tests check the extract against it): the demo works with no download.
    pub fn demo() -> Result<Self, ReferentialError> {
        Self::parse(
            include_str!("../data/demo-communes.json"),
            include_str!("../data/demo-epci.json"),
        )
    }
}

/// Found by fuzzing: a code listed twice parsed fine, then failed `load` in the database.
fn unique<'a>(path: &str, codes: impl Iterator<Item = &'a str>) -> Result<(), ReferentialError> {
    let mut seen = HashSet::new();
    for code in codes {
        if !seen.insert(code) {
            return Err(ReferentialError::Duplicate {
                path: path.into(),
                code: code.into(),
            });
        }
    }
    Ok(())
}

pub const DEMO_SIREN: &str = "200067965";

/// The progress bar type (hidden in tests and the demo seed).
pub use indicatif::ProgressBar as HiddenProgress;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub communes: usize,
    pub epcis: usize,
}

/// Upserts the referential tables (public data, no tenant scope needed).
pub async fn load(
    db: &DatabaseConnection,
    r: &Referential,
    progress: &ProgressBar,
) -> Result<LoadReport, DbErr> {
    progress.set_length((r.communes.len() + r.epcis.len()) as u64);
    for chunk in r.epcis.chunks(500) {
        ref_epci::Entity::insert_many(chunk.iter().cloned().map(ref_epci::ActiveModel::from))
            .on_conflict(
                OnConflict::column(ref_epci::Column::Siren)
                    .update_columns([
                        ref_epci::Column::Name,
                        ref_epci::Column::Kind,
                        ref_epci::Column::Population,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        progress.inc(chunk.len() as u64);
    }
    for chunk in r.communes.chunks(1000) {
        ref_commune::Entity::insert_many(chunk.iter().cloned().map(ref_commune::ActiveModel::from))
            .on_conflict(
                OnConflict::column(ref_commune::Column::InseeCode)
                    .update_columns([
                        ref_commune::Column::Siren,
                        ref_commune::Column::Name,
                        ref_commune::Column::Population,
                        ref_commune::Column::Departement,
                        ref_commune::Column::EpciSiren,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        progress.inc(chunk.len() as u64);
    }
    Ok(LoadReport {
        communes: r.communes.len(),
        epcis: r.epcis.len(),
    })
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProvisionReport {
    pub organisation_id: Uuid,
    pub organisation_created: bool,
    pub tenants_created: usize,
    pub tenants_updated: usize,
    pub tenants_unchanged: usize,
}

impl ProvisionReport {
    pub fn changed(&self) -> bool {
        self.organisation_created || self.tenants_created > 0 || self.tenants_updated > 0
    }
}

/// Creates or refreshes an organisation from the loaded referential: its own tenant and one
/// tenant per member commune. Idempotent: a second run changes nothing and audits nothing.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn provision(
    db: &DatabaseConnection,
    scope: &Can<can::ManageUsers>,
    siren: &Siren,
) -> Result<ProvisionReport, ReferentialError> {
    let txn = scope.begin(db).await?;
    let epci = ref_epci::Entity::find_by_id(siren.as_str().to_owned())
        .one(&txn)
        .await?
        .ok_or_else(|| ReferentialError::UnknownSiren(siren.to_string()))?;
    let members = ref_commune::Entity::find()
        .filter(ref_commune::Column::EpciSiren.eq(siren.as_str()))
        .all(&txn)
        .await?;
    let now = Utc::now();
    let mut report = ProvisionReport::default();
    let org = match scope
        .find::<organisation::Entity>()
        .filter(organisation::Column::Siren.eq(siren.as_str()))
        .one(&txn)
        .await?
    {
        Some(o) => o,
        None => {
            report.organisation_created = true;
            organisation::ActiveModel {
                id: Set(Uuid::now_v7()),
                siren: Set(epci.siren.clone()),
                name: Set(epci.name.clone()),
                kind: Set(epci.kind.clone()),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    report.organisation_id = org.id;
    let existing: HashMap<String, tenant::Model> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.eq(org.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.siren.clone(), t))
        .collect();
    let wanted = std::iter::once((
        "organisation",
        None,
        epci.siren.clone(),
        epci.name.clone(),
        epci.population,
    ))
    .chain(members.iter().filter_map(|c| {
        c.siren.clone().map(|s| {
            (
                "commune",
                Some(c.insee_code.clone()),
                s,
                c.name.clone(),
                c.population,
            )
        })
    }));
    let mut new_rows = vec![];
    for (kind, insee, siren, name, population) in wanted {
        match existing.get(&siren) {
            Some(t) if t.name == name && t.population == population && t.insee_code == insee => {
                report.tenants_unchanged += 1;
            }
            Some(t) => {
                let mut a: tenant::ActiveModel = t.clone().into();
                a.name = Set(name);
                a.population = Set(population);
                a.insee_code = Set(insee);
                a.update(&txn).await?;
                report.tenants_updated += 1;
            }
            None => {
                new_rows.push(tenant::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organisation_id: Set(org.id),
                    kind: Set(kind.to_owned()),
                    insee_code: Set(insee),
                    siren: Set(siren),
                    name: Set(name),
                    population: Set(population),
                    audit_head_seq: Set(0),
                    audit_head_hash: Set(String::new()),
                    created_at: Set(now),
                });
            }
        }
    }
    report.tenants_created = new_rows.len();
    if !new_rows.is_empty() {
        tenant::Entity::insert_many(new_rows)
            .exec_without_returning(&txn)
            .await?;
    }
    if report.changed() {
        let org_tenant = crate::directory::organisation_tenant(&txn, scope, org.id)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        audit::record(
            &txn,
            scope,
            Entry {
                organisation_id: org.id,
                tenant_id: org_tenant.id,
                operation: "provisionOrganisation",
                before: None,
                after: Some(json!({
                    "siren": org.siren,
                    "created": report.organisation_created,
                    "tenantsCreated": report.tenants_created,
                    "tenantsUpdated": report.tenants_updated,
                })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(report)
}

/// Every EPCI of the referential, one transaction each.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn provision_all(
    db: &DatabaseConnection,
    scope: &Can<can::ManageUsers>,
    r: &Referential,
    progress: &ProgressBar,
) -> Result<Vec<ProvisionReport>, ReferentialError> {
    progress.set_length(r.epcis.len() as u64);
    let mut out = vec![];
    for e in &r.epcis {
        let siren =
            Siren::parse(&e.siren).map_err(|_| ReferentialError::UnknownSiren(e.siren.clone()))?;
        out.push(provision(db, scope, &siren).await?);
        progress.inc(1);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_extract_has_compiegne_and_its_22_communes() {
        let r = Referential::demo().expect("embedded demo parses");
        assert_eq!(r.epcis.len(), 1);
        assert_eq!(r.epcis[0].siren, DEMO_SIREN);
        assert_eq!(r.epcis[0].kind, "CA");
        assert_eq!(r.communes.len(), 22);
        let compiegne = r
            .communes
            .iter()
            .find(|c| c.insee_code == "60159")
            .expect("Compiègne");
        assert_eq!(compiegne.name, "Compiègne");
        assert_eq!(compiegne.siren.as_deref(), Some("216001586"));
        assert!(compiegne.population > 40_000);
        assert!(r
            .communes
            .iter()
            .all(|c| c.epci_siren.as_deref() == Some(DEMO_SIREN)));
    }

    #[test]
    fn malformed_files_are_named_in_the_error() {
        let err = Referential::parse("{", "[]").expect_err("bad json");
        assert!(err.to_string().contains("communes.json"), "{err}");
        let err = Referential::parse("[]", "[{\"code\":1}]").expect_err("bad epci");
        assert!(err.to_string().contains("epci.json"), "{err}");
        let twice = r#"[{"code":"60159","nom":"A","type":"commune-actuelle"},
            {"code":"60159","nom":"B","type":"commune-actuelle"}]"#;
        let err = Referential::parse(twice, "[]").expect_err("duplicate");
        assert_eq!(err.to_string(), "communes.json lists 60159 twice");
    }
}
