//! Register exports for auditors: CSV, ODS, XLSX, PDF, JSON and the CNIL register layout, packed
//! with a manifest (SHA-256 of every file, who, when, which tenants) that the audit trail
//! records, so a bundle can later be proven genuine.
use super::activity::{Activity, ActivityFilter};
use super::GdprError;
use crate::audit::{self, Entry};
use crate::entities::{audit_log, gdpr_processor, tenant};
use crate::tenancy::{AccessError, Scope};
use chrono::{DateTime, Utc};
use formats::{Cell, Column, Document, Format, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The largest export in one bundle: beyond, export commune by commune.
pub const MAX_TENANTS: usize = 500;

pub const SOFTWARE_VERSION: &str = env!("CARGO_PKG_VERSION");

fn join(v: impl IntoIterator<Item = String>) -> String {
    v.into_iter().collect::<Vec<_>>().join(" ; ")
}

fn col(key: &str, label: &str) -> Column {
    Column::new(key, label)
}

/// The register as one table, one row per activity (all formats).
pub fn register_document(
    tenants: &HashMap<Uuid, tenant::Model>,
    activities: &[Activity],
    processors: &[gdpr_processor::Model],
    generated_at: DateTime<Utc>,
) -> Document {
    let names: HashMap<Uuid, &str> = processors.iter().map(|p| (p.id, p.name.as_str())).collect();
    let commune = |id: &Uuid| tenants.get(id).map(|t| t.name.clone()).unwrap_or_default();
    let register = Sheet {
        name: "Registre".into(),
        columns: vec![
            col("commune", "Commune"),
            col("insee", "Code INSEE"),
            col("name", "Traitement"),
            col("role", "Qualité"),
            col("controller", "Responsable (pour un sous-traitant)"),
            col("purposes", "Finalités"),
            col("legal_bases", "Bases légales"),
            col("data_subjects", "Personnes concernées"),
            col("data_categories", "Catégories de données"),
            col("sensitive", "Données sensibles (art. 9/10)"),
            col("recipients", "Destinataires"),
            col("processors", "Sous-traitants"),
            col("transfers", "Transferts hors UE"),
            col("retention", "Durées de conservation"),
            col("security", "Mesures de sécurité"),
            col("dpia_criteria", "Critères AIPD"),
            col("dpia", "AIPD"),
            col("department", "Service"),
            col("owner", "Responsable opérationnel"),
            col("software", "Logiciel"),
            col("status", "Statut"),
            col("completeness", "Complétude (%)"),
            col("updated_at", "Mis à jour"),
        ],
        rows: activities
            .iter()
            .map(|a| {
                let f = &a.fields;
                vec![
                    commune(&a.row.tenant_id).into(),
                    Cell::from(
                        tenants
                            .get(&a.row.tenant_id)
                            .and_then(|t| t.insee_code.clone()),
                    ),
                    f.name.clone().into(),
                    f.role.label().into(),
                    Cell::from(f.controller_name.clone()),
                    f.purposes.clone().into(),
                    join(
                        f.legal_bases
                            .iter()
                            .map(|l| format!("{} — {}", l.basis.label(), l.justification)),
                    )
                    .into(),
                    join(f.data_subjects.iter().map(|d| match d.estimated_count {
                        Some(n) => format!("{} (≈ {n})", d.category),
                        None => d.category.clone(),
                    }))
                    .into(),
                    join(f.data_categories.iter().map(|d| d.category.clone())).into(),
                    join(
                        f.data_categories
                            .iter()
                            .filter(|d| d.sensitive || d.criminal)
                            .map(|d| d.category.clone()),
                    )
                    .into(),
                    join(f.recipients.clone()).into(),
                    join(
                        a.processor_ids
                            .iter()
                            .filter_map(|p| names.get(p).map(|n| (*n).to_owned())),
                    )
                    .into(),
                    join(f.transfers.iter().map(|t| {
                        format!("{} : {} ({})", t.country, t.recipient, t.safeguard.label())
                    }))
                    .into(),
                    join(f.retention.iter().map(|r| {
                        format!(
                            "{} : {} mois {}, puis {}",
                            r.data,
                            r.duration_months,
                            crate::fr::a_compter_de(&r.starting_event),
                            r.final_fate.label().to_lowercase()
                        )
                    }))
                    .into(),
                    join(f.security_measures.clone()).into(),
                    join(f.dpia_criteria.iter().map(|c| c.label().to_owned())).into(),
                    match f.dpia_screening() {
                        super::activity::DpiaScreening::Required => "Requise",
                        super::activity::DpiaScreening::Review => "À examiner par le DPO",
                        super::activity::DpiaScreening::NotRequired => "Non requise",
                    }
                    .into(),
                    f.department.clone().into(),
                    f.owner.clone().into(),
                    f.software.clone().into(),
                    a.status().label().into(),
                    Cell::Int(i64::from(f.completeness())),
                    a.row.updated_at.into(),
                ]
            })
            .collect(),
    };
    let processors_sheet = Sheet {
        name: "Sous-traitants".into(),
        columns: vec![
            col("commune", "Commune"),
            col("name", "Sous-traitant"),
            col("siret", "SIRET"),
            col("country", "Pays"),
            col("contract", "Contrat"),
            col("dpa", "Clauses art. 28"),
            col("dpa_signed_on", "Signées le"),
        ],
        rows: processors
            .iter()
            .map(|p| {
                vec![
                    commune(&p.tenant_id).into(),
                    p.name.clone().into(),
                    Cell::from(p.siret.clone()),
                    p.country.clone().into(),
                    p.contract_ref.clone().into(),
                    super::vocab::DpaStatus::parse(&p.dpa_status)
                        .map(|s| s.label())
                        .unwrap_or("?")
                        .into(),
                    Cell::from(p.dpa_signed_on),
                ]
            })
            .collect(),
    };
    Document {
        title: "Registre des activités de traitement".into(),
        subtitle: Some(format!(
            "Article 30 du RGPD — {}",
            join({
                let mut n: Vec<String> = tenants.values().map(|t| t.name.clone()).collect();
                n.sort();
                n
            })
        )),
        sheets: vec![register, processors_sheet],
        generated_at,
        charts: Vec::new(),
    }
}

/// The CNIL register model layout: one record sheet per activity, with the model's headings.
pub fn cnil_document(
    tenants: &HashMap<Uuid, tenant::Model>,
    activities: &[Activity],
    generated_at: DateTime<Utc>,
) -> Document {
    let sheets = activities
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let f = &a.fields;
            let t = tenants.get(&a.row.tenant_id);
            let row = |k: &str, v: String| vec![Cell::text(k), Cell::text(v)];
            Sheet {
                name: format!("Fiche {}", i + 1),
                columns: vec![col("rubrique", "Rubrique"), col("contenu", "Contenu")],
                rows: vec![
                    row("Nom / sigle du traitement", f.name.clone()),
                    row("Référence", a.row.id.to_string()),
                    row(
                        "Date de création",
                        a.row.created_at.format("%d/%m/%Y").to_string(),
                    ),
                    row(
                        "Mise à jour",
                        a.row.updated_at.format("%d/%m/%Y").to_string(),
                    ),
                    row(
                        "Responsable du traitement",
                        t.map(|t| format!("{} (SIREN {})", t.name, t.siren))
                            .unwrap_or_default(),
                    ),
                    row(
                        "Délégué à la protection des données",
                        "DPO mutualisé de l'intercommunalité".into(),
                    ),
                    row("Finalité principale", f.purposes.clone()),
                    row(
                        "Base légale",
                        join(
                            f.legal_bases
                                .iter()
                                .map(|l| format!("{} ({})", l.basis.label(), l.justification)),
                        ),
                    ),
                    row(
                        "Catégories de données personnelles",
                        join(
                            f.data_categories
                                .iter()
                                .filter(|d| !d.sensitive && !d.criminal)
                                .map(|d| d.category.clone()),
                        ),
                    ),
                    row(
                        "Données sensibles",
                        join(
                            f.data_categories
                                .iter()
                                .filter(|d| d.sensitive || d.criminal)
                                .map(|d| d.category.clone()),
                        ),
                    ),
                    row(
                        "Durées de conservation",
                        join(f.retention.iter().map(|r| {
                            format!(
                                "{} : {} mois ({})",
                                r.data,
                                r.duration_months,
                                r.final_fate.label()
                            )
                        })),
                    ),
                    row(
                        "Catégories de personnes concernées",
                        join(f.data_subjects.iter().map(|d| d.category.clone())),
                    ),
                    row("Destinataires", join(f.recipients.clone())),
                    row(
                        "Transferts hors UE",
                        if f.transfers.is_empty() {
                            "Aucun".into()
                        } else {
                            join(f.transfers.iter().map(|t| {
                                format!("{} — {} — {}", t.country, t.recipient, t.safeguard.label())
                            }))
                        },
                    ),
                    row("Mesures de sécurité", join(f.security_measures.clone())),
                ],
            }
        })
        .collect();
    Document {
        title: "Registre CNIL - fiches de traitement".into(),
        subtitle: Some("Présentation conforme au modèle de registre de la CNIL".into()),
        sheets,
        generated_at,
        charts: Vec::new(),
    }
}

pub struct ExportRequest {
    /// None: every tenant of the scope (up to `MAX_TENANTS`).
    pub tenant_ids: Option<Vec<Uuid>>,
    pub formats: Vec<Format>,
    pub cnil_layout: bool,
    pub purpose: String,
}

/// Builds the bundle and records its manifest in the audit trail of every tenant covered. The
/// communes' evidence documents are listed with their SHA-256 and packed while they fit
/// (`documents::bundle`).
pub async fn export_register(
    db: &DatabaseConnection,
    storage: &crate::storage::Storage,
    scope: &Scope,
    req: ExportRequest,
) -> Result<formats::Bundle, GdprError> {
    let bad = |field: &'static str, m: &str| GdprError::BadInput {
        field,
        message: m.into(),
    };
    if req.formats.is_empty() && !req.cnil_layout {
        return Err(bad("format", "Choisissez au moins un format."));
    }
    let purpose = req.purpose.trim().to_owned();
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<tenant::Entity>();
    if let Some(ids) = &req.tenant_ids {
        q = q.filter(tenant::Column::Id.is_in(ids.clone()));
    }
    let tenants = q.all(&txn).await?;
    txn.commit().await?;
    if let Some(ids) = &req.tenant_ids {
        let mut want = ids.clone();
        want.sort();
        want.dedup();
        if tenants.len() != want.len() {
            return Err(AccessError::NotFound.into());
        }
    }
    if tenants.is_empty() {
        return Err(AccessError::NotFound.into());
    }
    if tenants.len() > MAX_TENANTS {
        return Err(bad(
            "tenant",
            &format!(
                "Trop de communes pour une seule archive ({MAX_TENANTS} au plus) : choisissez les communes à exporter."
            ),
        ));
    }
    let ids: Vec<Uuid> = tenants.iter().map(|t| t.id).collect();
    let activities = super::activity::list(
        db,
        scope,
        &ActivityFilter {
            tenant_ids: Some(ids.clone()),
            limit: u64::MAX >> 1,
            ..Default::default()
        },
    )
    .await?;
    let processors = super::processors::processors(db, scope, Some(ids.clone())).await?;
    let by_id: HashMap<Uuid, tenant::Model> = tenants.iter().map(|t| (t.id, t.clone())).collect();
    let now = Utc::now();
    let mut files = vec![];
    let doc = register_document(&by_id, &activities, &processors, now);
    for f in &req.formats {
        files.extend(
            formats::render(&doc, *f).map_err(|e| GdprError::Corrupt(format!("rendering: {e}")))?,
        );
    }
    if req.cnil_layout {
        let cnil = cnil_document(&by_id, &activities, now);
        for f in [Format::Ods, Format::Pdf] {
            files.extend(
                formats::render(&cnil, f)
                    .map_err(|e| GdprError::Corrupt(format!("rendering: {e}")))?,
            );
        }
    }
    // Every DPIA of these communes, as a PDF each (with its risk map) and one JSON.
    let (dpia_files, dpia_counts) =
        super::dpia::document::bundle_files(db, scope, &tenants, now).await?;
    files.extend(dpia_files);
    let evidence = super::documents::bundle::for_bundle(db, storage, scope, &by_id, now)
        .await
        .map_err(|e| match e {
            super::documents::DocumentError::Access(a) => GdprError::Access(a),
            super::documents::DocumentError::Db(d) => GdprError::Db(d),
            other => GdprError::Corrupt(format!("evidence documents: {other}")),
        })?;
    files.extend(evidence.files);
    let principal = scope
        .principal()
        .email
        .clone()
        .unwrap_or_else(|| scope.principal().audit_ref());
    let bundle = formats::bundle(
        files,
        formats::ManifestMeta {
            software_version: SOFTWARE_VERSION.into(),
            generated_at: now,
            principal,
            tenants: tenants
                .iter()
                .map(|t| formats::TenantRef {
                    id: t.id.to_string(),
                    name: t.name.clone(),
                })
                .collect(),
            purpose: if purpose.is_empty() {
                "Export du registre".into()
            } else {
                purpose
            },
        },
    )
    .map_err(|e| GdprError::Corrupt(format!("bundle: {e}")))?;
    let txn = scope.begin(db).await?;
    for t in &tenants {
        audit::record(
            &txn,
            scope,
            Entry {
                organisation_id: t.organisation_id,
                tenant_id: t.id,
                operation: "exportRegister",
                before: None,
                after: Some(json!({
                    "manifestSha256": bundle.manifest_sha256,
                    "generatedAt": bundle.manifest.generated_at,
                    "files": bundle.manifest.files.iter().map(|f| json!({"name": f.name, "sha256": f.sha256})).collect::<Vec<_>>(),
                    "activities": activities.iter().filter(|a| a.row.tenant_id == t.id).count(),
                    "dpias": dpia_counts.iter().find(|(id, _)| *id == t.id).map_or(0, |(_, n)| *n),
                    "documents": {"listed": evidence.listed, "packed": evidence.packed},
                })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(bundle)
}

/// Outcome of checking a bundle.
#[derive(Debug)]
pub struct Verification {
    pub manifest: formats::Manifest,
    /// The audit trail holds this exact manifest (so it was made here, unaltered).
    pub recorded: bool,
}

/// Checks every file against the manifest (on the blocking pool, a few bundles at a time:
/// hashing is the costly part), then looks for the manifest in the audit trail of the tenants
/// it names (within the scope).
pub async fn verify_bundle<B>(
    db: &DatabaseConnection,
    scope: &Scope,
    zip: B,
) -> Result<Verification, VerifyBundleError>
where
    B: AsRef<[u8]> + Send + 'static,
{
    let (manifest, manifest_sha256) =
        crate::blocking::run(move || formats::verify_hashed(zip.as_ref()))
            .await
            .map_err(|e| VerifyBundleError::Busy(e.to_string()))??;
    let ids: Vec<Uuid> = manifest
        .tenants
        .iter()
        .filter_map(|t| Uuid::parse_str(&t.id).ok())
        .collect();
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<audit_log::Entity>()
        .filter(audit_log::Column::Operation.eq("exportRegister"))
        .filter(audit_log::Column::TenantId.is_in(ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    let generated = json!(manifest.generated_at);
    let recorded = rows
        .iter()
        .filter_map(|r| r.after.as_ref())
        .filter(|a| a.get("generatedAt") == Some(&generated))
        .filter_map(|a| a.get("manifestSha256").and_then(|v| v.as_str()))
        .any(|sha| sha.eq_ignore_ascii_case(&manifest_sha256));
    Ok(Verification { manifest, recorded })
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyBundleError {
    #[error(transparent)]
    Invalid(#[from] formats::VerifyError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("la vérification n'a pas pu s'exécuter : {0}")]
    Busy(String),
}
