//! Import of a structure's register from MADIS, the open-source GDPR register many French
//! mutualisation bodies run (issue 21). We read the files MADIS itself exports; its code
//! (AGPL) was read to learn the formats, none of it is copied. The field mapping, what has no
//! equivalent and the source files read are in `deploy/madis-import.md`.
//!
//! What MADIS exports, at the commit read (svs-step/madis
//! 8267f98553c7805c4d44028294797ec990b1f067, 2024-03-05):
//! - CSV, from "Exporter" (`src/Domain/Reporting/Handler/ExportCsvHandler.php`): treatments
//!   (`TreatmentGenerator.php`), contractors (`ContractorGenerator.php`), collectivities and
//!   protection measures. These two are what this importer reads ([`csv`] for the byte
//!   format, [`columns`] for the headers).
//! - Rights requests and violations have no CSV or JSON export in MADIS: they leave it only as
//!   Word reports (`Generator/Word/RequestGenerator.php`, `ViolationGenerator.php`), which
//!   are not a data format; requests are also readable one by one through its REST API. They
//!   are not imported (the runbook and the console page say so): they are keyed in here.
//!
//! Rules: whoever edits the register (the `EditGdpr` permission: the commune administrator and
//! editors, the DPO, the DSI) imports into one commune of their scope. Every row of both files is
//! checked first, and the report gives, line by line, `imported` (or would be, in a dry run),
//! `refused` (why) or `ignored` (a row of another structure, a name already in the file or already
//! in the commune's register: re-importing the same files imports nothing twice). One refused row
//! and nothing is written; otherwise every row is written in one transaction, with an
//! `importMadisRegister` entry in the audit trail (the files' SHA-256, the counts, the ids). A dry
//! run only checks.
pub mod columns;
pub mod csv;
pub mod mapping;

use super::activity::{self, tenant_in_scope};
use super::GdprError;
use crate::audit::{self, AuditError, Entry};
use crate::entities::{gdpr_activity, gdpr_processor, tenant};
use crate::tenancy::{can, AccessError, Can};
use chrono::Utc;
use mapping::{display_name, split_names, Target};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, QueryFilter, Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// The treatments export (its argument's name in errors).
pub const TREATMENTS_FILE: &str = "treatmentsCsv";
/// The contractors export.
pub const CONTRACTORS_FILE: &str = "contractorsCsv";
/// The largest file accepted, in bytes: a commune's MADIS export is a few hundred KB, and
/// both files fit in one GraphQL request (2 MB, `api::server::MAX_BODY_BYTES`).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum MadisError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("Envoyez l'export des traitements de MADIS, celui des sous-traitants, ou les deux.")]
    NoFile,
    #[error("Le fichier est trop grand : {what}.")]
    TooLarge { file: &'static str, what: String },
    #[error("Ligne {line} : {message}.")]
    Malformed {
        file: &'static str,
        line: usize,
        message: String,
    },
    #[error("{message}")]
    BadFile { file: &'static str, message: String },
    #[error(transparent)]
    Gdpr(#[from] GdprError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl crate::fault::Classify for MadisError {
    fn fault(&self) -> crate::fault::Fault {
        use crate::fault::Fault;
        match self {
            MadisError::Access(e) => e.fault(),
            MadisError::Gdpr(e) => e.fault(),
            MadisError::NoFile
            | MadisError::TooLarge { .. }
            | MadisError::Malformed { .. }
            | MadisError::BadFile { .. } => Fault::BadInput {
                field: self.file().unwrap_or(TREATMENTS_FILE),
                message: self.to_string(),
            },
            _ => Fault::Internal,
        }
    }
}

impl MadisError {
    /// The argument an input error is about.
    pub fn file(&self) -> Option<&'static str> {
        match self {
            MadisError::TooLarge { file, .. }
            | MadisError::Malformed { file, .. }
            | MadisError::BadFile { file, .. } => Some(file),
            MadisError::NoFile => Some(TREATMENTS_FILE),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStatus {
    /// Imported (in a dry run: would be).
    Imported,
    /// Refused: nothing is written while a row is refused.
    Refused,
    /// Left out on purpose (another structure, a duplicate).
    Ignored,
}

/// What became of one row of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    /// [`TREATMENTS_FILE`] or [`CONTRACTORS_FILE`].
    pub file: &'static str,
    /// 1-based line where the row starts in the file (the header is line 1).
    pub line: usize,
    pub name: String,
    pub status: LineStatus,
    /// Why it is refused or ignored first, then what was not carried over as it was.
    pub messages: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct MadisReport {
    pub dry_run: bool,
    /// Whether anything was written (false in a dry run or when a row is refused).
    pub written: bool,
    pub lines: Vec<ReportLine>,
    /// Columns of the files that have no equivalent here (not imported).
    pub unmapped_columns: Vec<String>,
    pub activity_ids: Vec<Uuid>,
    pub processor_ids: Vec<Uuid>,
    /// Links between imported treatments and processors.
    pub links: usize,
}

impl MadisReport {
    pub fn count(&self, file: &str, status: LineStatus) -> usize {
        self.lines
            .iter()
            .filter(|l| l.file == file && l.status == status)
            .count()
    }
}

fn bounded<'a>(file: &'static str, text: Option<&'a str>) -> Result<Option<&'a str>, MadisError> {
    match text {
        Some(t) if t.len() > MAX_FILE_BYTES => Err(MadisError::TooLarge {
            file,
            what: format!("il fait plus de {} Mo", MAX_FILE_BYTES / (1024 * 1024)),
        }),
        Some(t) if t.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// Imports MADIS's treatments and/or contractors exports (CSV text, as MADIS writes them) into
/// the register of `tenant_id`.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn import(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    tenant_id: Uuid,
    treatments_csv: Option<&str>,
    contractors_csv: Option<&str>,
    dry_run: bool,
) -> Result<MadisReport, MadisError> {
    // The commune first: a foreign one is not found, whatever the files hold.
    let txn = scope.begin(db).await?;
    let t = tenant_in_scope(&txn, scope, tenant_id).await?;
    txn.commit().await?;
    let treatments_csv = bounded(TREATMENTS_FILE, treatments_csv)?;
    let contractors_csv = bounded(CONTRACTORS_FILE, contractors_csv)?;
    if treatments_csv.is_none() && contractors_csv.is_none() {
        return Err(MadisError::NoFile);
    }
    let target = Target {
        siren: t.siren.clone(),
        insee_code: t.insee_code.clone(),
    };
    let mut report = MadisReport {
        dry_run,
        ..Default::default()
    };
    let treatments = match treatments_csv {
        Some(text) => {
            let c = mapping::check_treatments(&csv::read(text, TREATMENTS_FILE)?, &target)?;
            report.lines.extend(c.lines);
            report.unmapped_columns.extend(c.unmapped_columns);
            c.rows
        }
        None => vec![],
    };
    let contractors = match contractors_csv {
        Some(text) => {
            let c = mapping::check_contractors(&csv::read(text, CONTRACTORS_FILE)?, &target)?;
            report.lines.extend(c.lines);
            for u in c.unmapped_columns {
                if !report.unmapped_columns.contains(&u) {
                    report.unmapped_columns.push(u);
                }
            }
            c.rows
        }
        None => vec![],
    };

    let txn = scope.begin(db).await?;
    let result = write(&txn, scope, &t, &treatments, &contractors, &mut report).await;
    match result {
        Ok(())
            if !dry_run
                && report.count(TREATMENTS_FILE, LineStatus::Refused) == 0
                && report.count(CONTRACTORS_FILE, LineStatus::Refused) == 0 =>
        {
            // One entry for the import itself: which files (their SHA-256), what came of them.
            let sha = |t: Option<&str>| t.map(|t| hex::encode(Sha256::digest(t.as_bytes())));
            let counts = |f: &str| {
                json!({
                    "imported": report.count(f, LineStatus::Imported),
                    "ignored": report.count(f, LineStatus::Ignored),
                })
            };
            audit::record(
                &txn,
                scope,
                Entry {
                    organisation_id: t.organisation_id,
                    tenant_id: t.id,
                    operation: "importMadisRegister",
                    before: None,
                    after: Some(json!({
                        "treatmentsSha256": sha(treatments_csv),
                        "contractorsSha256": sha(contractors_csv),
                        "treatments": counts(TREATMENTS_FILE),
                        "processors": counts(CONTRACTORS_FILE),
                        "activityIds": report.activity_ids,
                        "processorIds": report.processor_ids,
                    })),
                },
            )
            .await?;
            txn.commit().await?;
            report.written = true;
        }
        Ok(()) => {
            txn.rollback().await?;
            report.activity_ids.clear();
            report.processor_ids.clear();
            report.links = 0;
        }
        Err(e) => {
            txn.rollback().await?;
            return Err(e);
        }
    }
    Ok(report)
}

fn line_mut<'a>(
    report: &'a mut MadisReport,
    file: &str,
    line: usize,
) -> Option<&'a mut ReportLine> {
    report
        .lines
        .iter_mut()
        .find(|l| l.file == file && l.line == line)
}

/// Marks the rows already in the register as ignored, then writes the others (the caller
/// commits or rolls back). Runs in a dry run too, so its report is the import's.
async fn write(
    txn: &DatabaseTransaction,
    scope: &Can<can::EditGdpr>,
    t: &tenant::Model,
    treatments: &[mapping::TreatmentRow],
    contractors: &[mapping::ContractorRow],
    report: &mut MadisReport,
) -> Result<(), MadisError> {
    let existing_activities: HashMap<String, Uuid> = scope
        .find::<gdpr_activity::Entity>()
        .filter(gdpr_activity::Column::TenantId.eq(t.id))
        .filter(gdpr_activity::Column::IsModel.eq(false))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.name.trim().to_lowercase(), a.id))
        .collect();
    let existing_processors: Vec<gdpr_processor::Model> = scope
        .find::<gdpr_processor::Entity>()
        .filter(gdpr_processor::Column::TenantId.eq(t.id))
        .all(txn)
        .await?;
    // Processors by MADIS's display form of their name (how treatments list them).
    let mut processor_by_display: HashMap<String, Uuid> = existing_processors
        .iter()
        .map(|p| (display_name(p.name.trim()), p.id))
        .collect();
    let mut processor_by_name: HashMap<String, Uuid> = existing_processors
        .iter()
        .map(|p| (p.name.trim().to_lowercase(), p.id))
        .collect();

    let mut new_contractors = vec![];
    for c in contractors {
        if let Some(id) = processor_by_name.get(&c.name.to_lowercase()) {
            processor_by_display.insert(display_name(&c.name), *id);
            if let Some(l) = line_mut(report, CONTRACTORS_FILE, c.line) {
                l.status = LineStatus::Ignored;
                l.messages.insert(
                    0,
                    "Un sous-traitant de ce nom est déjà au registre de la commune : ligne ignorée (ses liens aux traitements importés sont créés).".into(),
                );
            }
            continue;
        }
        new_contractors.push(c);
    }
    let mut new_treatments = vec![];
    for r in treatments {
        if existing_activities.contains_key(&r.fields.name.to_lowercase()) {
            if let Some(l) = line_mut(report, TREATMENTS_FILE, r.line) {
                l.status = LineStatus::Ignored;
                l.messages.insert(
                    0,
                    "Un traitement de ce nom est déjà au registre de la commune : ligne ignorée."
                        .into(),
                );
            }
            continue;
        }
        new_treatments.push(r);
    }
    let refused = report.lines.iter().any(|l| l.status == LineStatus::Refused);
    if refused {
        return Ok(());
    }

    // Processors first, so treatments can be linked to them.
    let now = Utc::now();
    for c in &new_contractors {
        let id = Uuid::now_v7();
        let row = gdpr_processor::ActiveModel {
            id: Set(id),
            organisation_id: Set(t.organisation_id),
            tenant_id: Set(t.id),
            name: Set(c.name.clone()),
            siret: Set(None),
            contact: Set(c.contact.clone()),
            country: Set("FR".into()),
            contract_ref: Set(String::new()),
            dpa_status: Set(super::vocab::DpaStatus::None.code().to_owned()),
            dpa_signed_on: Set(None),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        audit::record(
            txn,
            scope,
            Entry {
                organisation_id: row.organisation_id,
                tenant_id: row.tenant_id,
                operation: "importMadisProcessor",
                before: None,
                after: Some(json!({"id": row.id, "name": row.name, "dpa": row.dpa_status, "source": "MADIS"})),
            },
        )
        .await?;
        processor_by_display.insert(display_name(&c.name), id);
        processor_by_name.insert(c.name.to_lowercase(), id);
        report.processor_ids.push(id);
    }

    // Links: from the treatments' "Sous-traitants" column and the contractors' "Traitements"
    // column, both lists of MADIS display names.
    let known_processors: Vec<String> = processor_by_display.keys().cloned().collect();
    let mut links: HashMap<String, BTreeSet<Uuid>> = HashMap::new();
    for r in &new_treatments {
        let (found, unknown) = split_names(&r.contractors, &known_processors);
        let set = links.entry(display_name(&r.fields.name)).or_default();
        for f in found {
            set.insert(processor_by_display[&f]);
        }
        if !unknown.is_empty() {
            if let Some(l) = line_mut(report, TREATMENTS_FILE, r.line) {
                l.messages.push(format!(
                    "Sous-traitant(s) introuvable(s), lien non créé : {}.",
                    unknown
                        .iter()
                        .map(|u| format!("« {u} »"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    let known_treatments: Vec<String> = new_treatments
        .iter()
        .map(|r| display_name(&r.fields.name))
        .collect();
    for c in contractors {
        let Some(pid) = processor_by_name.get(&c.name.to_lowercase()) else {
            continue;
        };
        let (found, _) = split_names(&c.treatments, &known_treatments);
        for f in found {
            links.entry(f).or_default().insert(*pid);
        }
    }

    for r in &new_treatments {
        let processor_ids: Vec<Uuid> = links
            .get(&display_name(&r.fields.name))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let row = activity::insert(txn, scope, t, &r.fields, &processor_ids, None, false).await?;
        report.links += processor_ids.len();
        if r.inactive {
            activity::archive_in(txn, scope, row.id, row.version).await?;
        }
        report.activity_ids.push(row.id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_files_are_refused_before_reading() {
        let big = "x".repeat(MAX_FILE_BYTES + 1);
        let err = bounded(TREATMENTS_FILE, Some(&big)).expect_err("too large");
        assert_eq!(err.file(), Some(TREATMENTS_FILE));
        assert!(err.to_string().contains("1 Mo"), "{err}");
        assert_eq!(bounded(CONTRACTORS_FILE, Some("  \n")).ok(), Some(None));
    }
}
