//! Import of a commune's register from MADIS's CSV exports (issue 21). The rules and the
//! field mapping are in `tenants::gdpr::madis` and `deploy/runbooks/import-madis.md`.
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use tenants::gdpr::madis::{self, LineStatus, MadisReport};
use tenants::tenancy::can;
use uuid::Uuid;

/// What became of a line of a MADIS file.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum MadisLineStatus {
    /// Imported (in a dry run: would be).
    Imported,
    /// Refused: while one line is refused, nothing is written.
    Refused,
    /// Left out: a line of another structure, or a name already imported.
    Ignored,
}

#[derive(SimpleObject)]
pub struct MadisImportLine {
    /// `treatmentsCsv` or `contractorsCsv`.
    pub file: String,
    /// Line of the file where the row starts (the header is line 1).
    pub line: i32,
    pub name: String,
    pub status: MadisLineStatus,
    /// Why it is refused or ignored, then what was not carried over as it was (French).
    pub messages: Vec<String>,
}

#[derive(SimpleObject)]
pub struct MadisImport {
    pub dry_run: bool,
    /// Whether anything was written (false in a dry run, or when a line is refused).
    pub written: bool,
    pub treatments_imported: i32,
    pub treatments_refused: i32,
    pub treatments_ignored: i32,
    pub processors_imported: i32,
    pub processors_refused: i32,
    pub processors_ignored: i32,
    /// Links created between imported treatments and processors.
    pub links: i32,
    pub activity_ids: Vec<Uuid>,
    pub processor_ids: Vec<Uuid>,
    pub lines: Vec<MadisImportLine>,
    /// Columns of the files with no equivalent here (not imported).
    pub unmapped_columns: Vec<String>,
}

impl From<MadisReport> for MadisImport {
    fn from(r: MadisReport) -> Self {
        let n = |x: usize| i32::try_from(x).unwrap_or(i32::MAX);
        let count = |f: &str, s: LineStatus| n(r.count(f, s));
        let (t, c) = (madis::TREATMENTS_FILE, madis::CONTRACTORS_FILE);
        Self {
            dry_run: r.dry_run,
            written: r.written,
            treatments_imported: count(t, LineStatus::Imported),
            treatments_refused: count(t, LineStatus::Refused),
            treatments_ignored: count(t, LineStatus::Ignored),
            processors_imported: count(c, LineStatus::Imported),
            processors_refused: count(c, LineStatus::Refused),
            processors_ignored: count(c, LineStatus::Ignored),
            links: n(r.links),
            activity_ids: r.activity_ids.clone(),
            processor_ids: r.processor_ids.clone(),
            unmapped_columns: r.unmapped_columns.clone(),
            lines: r
                .lines
                .into_iter()
                .map(|l| MadisImportLine {
                    file: l.file.to_owned(),
                    line: n(l.line),
                    name: l.name,
                    status: match l.status {
                        LineStatus::Imported => MadisLineStatus::Imported,
                        LineStatus::Refused => MadisLineStatus::Refused,
                        LineStatus::Ignored => MadisLineStatus::Ignored,
                    },
                    messages: l.messages,
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct MadisMutation;

#[Object]
impl MadisMutation {
    /// Imports a commune's register from MADIS's own CSV exports (menu « Exporter »):
    /// `treatmentsCsv` (…-treatment.csv) and/or `contractorsCsv` (…-contractor.csv), their
    /// text as MADIS wrote it, 1 MB each at most. Only the commune's rows are read (same SIREN
    /// or INSEE code). Every line is checked first and reported; one refused line and nothing
    /// is written, otherwise everything is written in one transaction. Lines already in the
    /// register (same name) are ignored, so importing again imports nothing twice. `dryRun`
    /// only checks. For whoever edits the commune's register (its administrator and editors,
    /// the DPO, the DSI).
    async fn import_madis_register(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        treatments_csv: Option<String>,
        contractors_csv: Option<String>,
        #[graphql(default)] dry_run: bool,
    ) -> Result<MadisImport> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        Ok(madis::import(
            db,
            &s,
            tenant_id,
            treatments_csv.as_deref(),
            contractors_csv.as_deref(),
            dry_run,
        )
        .await
        .gql()?
        .into())
    }
}
