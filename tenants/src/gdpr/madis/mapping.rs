//! From MADIS's rows to our register: every row is checked and mapped here, without the
//! database (pure, so the rules are tested on their own). See the mapping table in the module
//! documentation.
use super::columns as col;
use super::csv::Record;
use super::{LineStatus, MadisError, ReportLine};
use crate::gdpr::activity::{
    ActivityFields, DataCategoryEntry, DataSubjectEntry, LegalBasisEntry, RetentionEntry,
};
use crate::gdpr::vocab::{DpiaCriterion, FinalFate, LegalBasis, RegisterRole};
use std::collections::HashMap;

/// The longest cell we read: a long description is a few pages.
pub const MAX_CELL_CHARS: usize = 10_000;

/// The commune an import writes to, as MADIS names structures.
pub struct Target {
    pub siren: String,
    pub insee_code: Option<String>,
}

/// A treatment row that passed every check.
pub struct TreatmentRow {
    pub line: usize,
    pub fields: ActivityFields,
    /// MADIS's "Inactif": imported, then archived.
    pub inactive: bool,
    /// The contractors as MADIS lists them (its display form of each name).
    pub contractors: String,
}

/// A contractor row that passed every check.
pub struct ContractorRow {
    pub line: usize,
    pub name: String,
    pub contact: String,
    /// The treatments as MADIS lists them.
    pub treatments: String,
}

/// A header row, read by name.
struct Header {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    fn new(rec: &[String]) -> Self {
        let names: Vec<String> = rec.iter().map(|h| h.trim().to_owned()).collect();
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            index.entry(n.clone()).or_insert(i);
        }
        Header { names, index }
    }
    fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
    fn at<'a>(&self, rec: &'a [String], name: &str) -> &'a str {
        self.index
            .get(name)
            .and_then(|i| rec.get(*i))
            .map(|s| s.as_str())
            .unwrap_or("")
    }
}

/// MADIS's display form of a name in lists: cut to 85 characters, then "...".
pub fn display_name(name: &str) -> String {
    if name.chars().count() > 85 {
        format!("{}...", name.chars().take(85).collect::<String>())
    } else {
        name.to_owned()
    }
}

/// Splits a list MADIS joined with " - " into the names it holds, matching the longest known
/// name first (a name may itself hold " - "). Returns the known names found and the rest.
pub fn split_names(joined: &str, known: &[String]) -> (Vec<String>, Vec<String>) {
    let mut found = vec![];
    let mut unknown = vec![];
    let mut rest = joined.trim();
    while !rest.is_empty() {
        let hit = known
            .iter()
            .filter(|k| {
                !k.is_empty()
                    && rest.starts_with(k.as_str())
                    && (rest.len() == k.len() || rest[k.len()..].starts_with(" - "))
            })
            .max_by_key(|k| k.len());
        match hit {
            Some(k) => {
                found.push(k.clone());
                rest = rest[k.len()..]
                    .strip_prefix(" - ")
                    .unwrap_or("")
                    .trim_start();
            }
            None => {
                let (head, tail) = rest.split_once(" - ").unwrap_or((rest, ""));
                if !head.trim().is_empty() {
                    unknown.push(head.trim().to_owned());
                }
                rest = tail.trim_start();
            }
        }
    }
    (found, unknown)
}

fn yes_no(v: &str, column: &str) -> Result<bool, String> {
    match v.trim() {
        "Oui" => Ok(true),
        "Non" | "" => Ok(false),
        other => Err(format!(
            "{column} : « {other} » n'est ni « Oui » ni « Non »."
        )),
    }
}

/// MADIS's legal basis, by its French label or its code.
fn legal_basis(v: &str) -> Result<Option<LegalBasis>, String> {
    Ok(Some(match v.trim() {
        "" | "À déterminer" | "to-be-decided" => return Ok(None),
        "Le consentement" | "consent" => LegalBasis::Consent,
        "L'obligation légale" | "legal-obligation" => LegalBasis::LegalObligation,
        "L'exécution d'un contrat" | "contract-execution" => LegalBasis::Contract,
        "L'exécution d'une mission d'intérêt public" | "public-interest-mission" => {
            LegalBasis::PublicTask
        }
        "L'intérêt légitime" | "legitimate-interest" => LegalBasis::LegitimateInterest,
        "L'intérêt vital" | "vital-interest" => LegalBasis::VitalInterest,
        other => {
            return Err(format!(
                "{} : « {other} » n'est pas une base légale de MADIS.",
                col::LEGAL_BASIS
            ))
        }
    }))
}

/// MADIS's sensitive data categories (its `registry_treatment_data_category.sensible` flag).
const SENSITIVE_CATEGORIES: &[&str] = &[
    "Santé",
    "Numéro de Sécurité Sociale",
    "Appartenance Syndicale",
    "Opinion politique ou religieuse",
    "Origine raciale ou ethnique",
    "Vie sexuelle",
];

/// The eight "Traitement spécifique" columns and the CNIL criterion each one is.
const SPECIFIC: [(&str, DpiaCriterion); 8] = [
    (
        "Surveillance systématique",
        DpiaCriterion::SystematicMonitoring,
    ),
    ("Collecte à large échelle", DpiaCriterion::LargeScale),
    ("Personnes vulnérables", DpiaCriterion::VulnerablePeople),
    ("Croisement de données", DpiaCriterion::DatasetMatching),
    ("Évaluation ou notation", DpiaCriterion::Scoring),
    (
        "Décisions automatisées avec effet",
        DpiaCriterion::AutomatedDecision,
    ),
    (
        "Exclusion automatique d'un service",
        DpiaCriterion::RightsExclusion,
    ),
    ("Usage innovant", DpiaCriterion::InnovativeUse),
];

/// MADIS strips nothing but prefixes a space to a text starting with "-" (so spreadsheets do
/// not read it as a formula): take it back off.
fn text(v: &str) -> String {
    let t = v.trim();
    t.to_owned()
}

/// "1: a\r\n2: b\r\n" -> {1: "a", 2: "b"}.
fn numbered(v: &str) -> Vec<(u32, String)> {
    v.split('\n')
        .map(|l| l.trim_end_matches('\r').trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let (n, rest) = l.split_once(':')?;
            Some((n.trim().parse().ok()?, rest.trim().to_owned()))
        })
        .collect()
}

/// A free-text MADIS duration ("5 ans", "6 mois", "10 ans après la clôture") -> months and
/// what follows the unit.
pub fn months(v: &str) -> Option<(u32, String)> {
    let v = v.trim();
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n: u32 = digits.parse().ok()?;
    let rest = v[digits.len()..].trim_start();
    let word: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
    let after = rest[word.len()..]
        .trim_start_matches([',', '.'])
        .trim()
        .to_owned();
    let factor = match word.to_lowercase().as_str() {
        "an" | "ans" | "année" | "années" | "annee" | "annees" => 12,
        "mois" => 1,
        _ => return None,
    };
    let m = n.checked_mul(factor)?;
    (m > 0).then_some((m, after))
}

fn final_fate(v: &str) -> Result<(FinalFate, Option<String>), ()> {
    match v.trim() {
        "Destruction" => Ok((FinalFate::Destruction, None)),
        "Conservation" => Ok((FinalFate::Archiving, None)),
        "Versement" => Ok((FinalFate::Archiving, None)),
        "Tri" => Ok((
            FinalFate::Archiving,
            Some("sort final « Tri » repris comme « Archivage définitif » : précisez ce qui est détruit".into()),
        )),
        _ => Err(()),
    }
}

/// Which structure a row belongs to; `None` when it is the target commune.
fn other_structure(h: &Header, rec: &[String], target: &Target) -> Option<String> {
    let siren = h.at(rec, col::STRUCTURE_SIREN).trim();
    let insee = h.at(rec, col::STRUCTURE_INSEE).trim();
    let ours = (!siren.is_empty() && siren == target.siren)
        || (!insee.is_empty() && target.insee_code.as_deref() == Some(insee))
        || (siren.is_empty() && insee.is_empty());
    (!ours).then(|| {
        format!(
            "Ligne d'une autre structure (« {} », SIREN {}) : non importée dans cette commune.",
            h.at(rec, col::STRUCTURE_NAME).trim(),
            if siren.is_empty() { "inconnu" } else { siren }
        )
    })
}

fn too_long_cell(h: &Header, rec: &[String]) -> Option<String> {
    rec.iter().enumerate().find_map(|(i, c)| {
        (c.chars().count() > MAX_CELL_CHARS).then(|| {
            format!(
                "La colonne « {} » dépasse {MAX_CELL_CHARS} caractères.",
                h.names.get(i).map(String::as_str).unwrap_or("?")
            )
        })
    })
}

/// The unmapped columns of `list` that hold a value on this row.
fn unmapped_values(h: &Header, rec: &[String], list: &[&str]) -> Option<String> {
    let held: Vec<&str> = list
        .iter()
        .filter(|c| !col::HISTORY.contains(c))
        .filter(|c| {
            let v = h.at(rec, c).trim();
            !matches!(v, "" | "Non" | "0" | "Inactif")
        })
        .copied()
        .collect();
    (!held.is_empty()).then(|| {
        format!(
            "Sans équivalent, non repris : {}.",
            held.iter()
                .map(|c| format!("« {c} »"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The header's columns we do not read (no equivalent, or unknown to this importer).
fn unread_columns(h: &Header, read: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for n in &h.names {
        if !n.is_empty() && !read(n) && !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

pub struct Checked<R> {
    pub lines: Vec<ReportLine>,
    pub rows: Vec<R>,
    pub unmapped_columns: Vec<String>,
}

fn require(h: &Header, file: &'static str, needed: &[&str], what: &str) -> Result<(), MadisError> {
    let missing: Vec<&&str> = needed.iter().filter(|c| !h.has(c)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(MadisError::BadFile {
        file,
        message: format!(
            "Ce fichier n'est pas {what} (colonnes manquantes : {}).",
            missing
                .iter()
                .map(|c| format!("« {c} »"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// The loop both files share: each row of the commune read once by name into a row of ours,
/// or refused with its reason; another structure's rows and repeated names are ignored.
fn check_lines<R>(
    h: &Header,
    body: &[Record],
    target: &Target,
    file: &'static str,
    same_name: &str,
    mut read: impl FnMut(&[String], usize, &mut Vec<String>) -> Result<R, String>,
) -> (Vec<ReportLine>, Vec<R>) {
    let mut lines = vec![];
    let mut rows = vec![];
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, rec) in body {
        let name = h.at(rec, col::NAME).trim().to_owned();
        let mut report = ReportLine {
            file,
            line: *line,
            name: name.clone(),
            status: LineStatus::Imported,
            messages: vec![],
        };
        if let Some(m) = other_structure(h, rec, target) {
            report.status = LineStatus::Ignored;
            report.messages.push(m);
            lines.push(report);
            continue;
        }
        if let Some(first) = seen.get(&name.to_lowercase()) {
            report.status = LineStatus::Ignored;
            report.messages.push(format!(
                "{same_name} figure déjà ligne {first} : ligne ignorée."
            ));
            lines.push(report);
            continue;
        }
        match read(rec, *line, &mut report.messages) {
            Ok(row) => {
                seen.insert(name.to_lowercase(), *line);
                rows.push(row);
            }
            Err(m) => {
                report.status = LineStatus::Refused;
                report.messages.insert(0, m);
            }
        }
        lines.push(report);
    }
    (lines, rows)
}

pub fn check_treatments(
    records: &[Record],
    target: &Target,
) -> Result<Checked<TreatmentRow>, MadisError> {
    const FILE: &str = super::TREATMENTS_FILE;
    let Some(((_, header), body)) = records.split_first() else {
        return Err(MadisError::BadFile {
            file: FILE,
            message: "Le fichier des traitements est vide.".into(),
        });
    };
    let h = Header::new(header);
    require(
        &h,
        FILE,
        &[
            col::NAME,
            col::GOAL,
            col::AUTHOR,
            col::LEGAL_BASIS,
            col::CONCERNED_FIRST,
        ],
        "l'export des traitements de MADIS",
    )?;
    let concerned_at = h.index[col::CONCERNED_FIRST];
    let (lines, rows) = check_lines(
        &h,
        body,
        target,
        FILE,
        "Un traitement du même nom",
        |rec, line, messages| {
            treatment(&h, rec, concerned_at, messages).map(|row| TreatmentRow { line, ..row })
        },
    );
    let unmapped_columns = unread_columns(&h, &|n| {
        !col::TREATMENT_UNMAPPED.contains(&n) && is_read_treatment_column(&h, n, concerned_at)
    });
    Ok(Checked {
        lines,
        rows,
        unmapped_columns,
    })
}

fn is_read_treatment_column(h: &Header, n: &str, concerned_at: usize) -> bool {
    const READ: &[&str] = &[
        col::NAME,
        col::STRUCTURE_NAME,
        col::STRUCTURE_SIREN,
        col::STRUCTURE_INSEE,
        col::AUTHOR,
        col::CONTROLLER,
        col::GOAL,
        col::MANAGER,
        col::ACTIVE,
        col::LEGAL_BASIS,
        col::LEGAL_BASIS_JUSTIFICATION,
        col::DATA_CATEGORIES,
        col::DATA_CATEGORY_OTHER,
        col::RECIPIENTS,
        col::CONTRACTORS,
        col::ESTIMATED_PEOPLE,
        col::SOFTWARE,
        col::SHELF_DURATION,
        col::SHELF_NAME,
        col::SHELF_FATE,
        col::DATA_ORIGIN,
        col::COLLECTING_METHOD,
    ];
    if READ.contains(&n) {
        return true;
    }
    if let Some(i) = h.index.get(n) {
        if (concerned_at..concerned_at + 16).contains(i) {
            return true;
        }
    }
    if let Some(rest) = n.strip_prefix(col::SECURITY_PREFIX) {
        let base = rest.strip_suffix(" - Commentaire").unwrap_or(rest);
        return col::SECURITY_CHECKED.contains(&base) || col::SECURITY_STATEMENTS.contains(&rest);
    }
    if let Some(rest) = n.strip_prefix(col::SPECIFIC_PREFIX) {
        return SPECIFIC.iter().any(|(l, _)| *l == rest);
    }
    false
}

fn treatment(
    h: &Header,
    rec: &[String],
    concerned_at: usize,
    notes: &mut Vec<String>,
) -> Result<TreatmentRow, String> {
    if let Some(m) = too_long_cell(h, rec) {
        return Err(m);
    }
    let name = text(h.at(rec, col::NAME));
    let controller = text(h.at(rec, col::CONTROLLER));
    let role = match h.at(rec, col::AUTHOR).trim() {
        "" | "Responsable de traitement" | "processing_manager" => RegisterRole::Controller,
        "Sous-traitant" | "contractor" => RegisterRole::Processor,
        "Responsabilité conjointe" | "joint_liability" => {
            notes.push("Responsabilité conjointe (art. 26) : sans équivalent, le traitement est enregistré comme responsable de traitement.".into());
            RegisterRole::Controller
        }
        other => {
            return Err(format!(
                "{} : « {other} » n'est pas un rôle de MADIS.",
                col::AUTHOR
            ))
        }
    };
    let inactive = match h.at(rec, col::ACTIVE).trim() {
        "Actif" | "" => false,
        "Inactif" => {
            notes.push("Traitement inactif dans MADIS : importé puis archivé.".into());
            true
        }
        other => {
            return Err(format!(
                "{} : « {other} » n'est ni « Actif » ni « Inactif ».",
                col::ACTIVE
            ))
        }
    };
    let mut legal_bases = vec![];
    match legal_basis(h.at(rec, col::LEGAL_BASIS))? {
        None => notes.push("Base légale à déterminer : complétez-la.".into()),
        Some(basis) => {
            let mut justification = text(h.at(rec, col::LEGAL_BASIS_JUSTIFICATION));
            if justification.is_empty()
                && matches!(basis, LegalBasis::LegalObligation | LegalBasis::PublicTask)
            {
                justification = JUSTIFICATION_TO_COMPLETE.to_owned();
                notes.push(format!(
                    "Base légale « {} » sans le texte qui la fonde : indiquez-le.",
                    basis.label()
                ));
            }
            legal_bases.push(LegalBasisEntry {
                basis,
                justification,
            });
        }
    }
    // Data subjects: eight (Oui/Non, comment) pairs, in MADIS's value order.
    let mut data_subjects = vec![];
    for (k, label) in col::CONCERNED_VALUE_ORDER.iter().enumerate() {
        let checked = rec
            .get(concerned_at + 2 * k)
            .map(String::as_str)
            .unwrap_or("");
        let comment = rec
            .get(concerned_at + 2 * k + 1)
            .map(|s| s.trim())
            .unwrap_or("");
        if yes_no(checked, &format!("Personnes concernées - {label}"))? {
            data_subjects.push(DataSubjectEntry {
                category: if comment.is_empty() {
                    (*label).to_owned()
                } else {
                    format!("{label} ({comment})")
                },
                estimated_count: None,
            });
        }
    }
    let estimated = h.at(rec, col::ESTIMATED_PEOPLE).trim();
    if !estimated.is_empty() {
        match estimated.parse::<i64>() {
            Ok(n) if n >= 0 && data_subjects.len() == 1 => {
                data_subjects[0].estimated_count = Some(n)
            }
            Ok(n) if n >= 0 => notes.push(format!(
                "Nombre de personnes concernées ({n}) : MADIS le donne pour tout le traitement, il n'est pas réparti entre les catégories."
            )),
            _ => notes.push(format!(
                "Nombre de personnes concernées « {estimated} » : ce n'est pas un nombre, non repris."
            )),
        }
    }
    let mut data_categories: Vec<DataCategoryEntry> = h
        .at(rec, col::DATA_CATEGORIES)
        .split(" - ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| DataCategoryEntry {
            category: c.to_owned(),
            sensitive: SENSITIVE_CATEGORIES.contains(&c),
            criminal: false,
        })
        .collect();
    let other = text(h.at(rec, col::DATA_CATEGORY_OTHER));
    if !other.is_empty() {
        data_categories.push(DataCategoryEntry {
            category: other,
            sensitive: false,
            criminal: false,
        });
    }
    let recipients: Vec<String> = [text(h.at(rec, col::RECIPIENTS))]
        .into_iter()
        .filter(|r| !r.is_empty())
        .collect();
    // Retention: three cells numbered "1: …" line by line.
    let names: HashMap<u32, String> = numbered(h.at(rec, col::SHELF_NAME)).into_iter().collect();
    let fates: HashMap<u32, String> = numbered(h.at(rec, col::SHELF_FATE)).into_iter().collect();
    let mut retention = vec![];
    for (n, duration) in numbered(h.at(rec, col::SHELF_DURATION)) {
        let data = names.get(&n).cloned().unwrap_or_default();
        let fate = fates.get(&n).map(String::as_str).unwrap_or("");
        let Some((duration_months, starting_event)) = months(&duration) else {
            notes.push(format!(
                "Durée de conservation n° {n} « {duration} » : pas une durée en ans ou en mois, non reprise."
            ));
            continue;
        };
        let final_fate = match final_fate(fate) {
            Ok((f, note)) => {
                if let Some(note) = note {
                    notes.push(format!("Durée de conservation n° {n} : {note}."));
                }
                f
            }
            Err(()) => {
                notes.push(format!(
                    "Durée de conservation n° {n} : sort final « {fate} » non déterminé, non reprise."
                ));
                continue;
            }
        };
        retention.push(RetentionEntry {
            data,
            duration_months,
            starting_event,
            final_fate,
        });
    }
    let mut security_measures = vec![];
    for label in col::SECURITY_CHECKED {
        let column = format!("{}{label}", col::SECURITY_PREFIX);
        if yes_no(h.at(rec, &column), &column)? {
            let comment = text(h.at(rec, &format!("{column} - Commentaire")));
            security_measures.push(if comment.is_empty() {
                label.to_owned()
            } else {
                format!("{label} : {comment}")
            });
        }
    }
    for statement in col::SECURITY_STATEMENTS {
        let column = format!("{}{statement}", col::SECURITY_PREFIX);
        if yes_no(h.at(rec, &column), &column)? {
            security_measures.push(statement.to_owned());
        }
    }
    let mut dpia_criteria = vec![];
    for (label, criterion) in SPECIFIC {
        let column = format!("{}{label}", col::SPECIFIC_PREFIX);
        if yes_no(h.at(rec, &column), &column)? {
            dpia_criteria.push(criterion);
        }
    }
    if data_categories.iter().any(|d| d.sensitive) {
        dpia_criteria.push(DpiaCriterion::SensitiveData);
    }
    if let Some(m) = unmapped_values(h, rec, col::TREATMENT_UNMAPPED) {
        notes.push(m);
    }
    let fields = ActivityFields {
        role,
        name,
        purposes: text(h.at(rec, col::GOAL)),
        controller_name: (!controller.is_empty()).then_some(controller),
        legal_bases,
        data_subjects,
        data_categories,
        recipients,
        transfers: vec![],
        retention,
        security_measures,
        dpia_criteria,
        origin: text(h.at(rec, col::DATA_ORIGIN)),
        collection_method: text(h.at(rec, col::COLLECTING_METHOD)),
        information: String::new(),
        software: text(h.at(rec, col::SOFTWARE)),
        department: String::new(),
        owner: text(h.at(rec, col::MANAGER)),
    }
    .validate()
    .map_err(|e| match e {
        crate::gdpr::GdprError::BadInput { message, .. } => message,
        other => other.to_string(),
    })?;
    Ok(TreatmentRow {
        line: 0,
        fields,
        inactive,
        contractors: h.at(rec, col::CONTRACTORS).to_owned(),
    })
}

/// Written as the justification of a legal obligation or public task that MADIS gives
/// without its text (our register requires one): the report says to complete it.
pub const JUSTIFICATION_TO_COMPLETE: &str = "À compléter : texte non indiqué dans MADIS";

pub fn check_contractors(
    records: &[Record],
    target: &Target,
) -> Result<Checked<ContractorRow>, MadisError> {
    const FILE: &str = super::CONTRACTORS_FILE;
    let Some(((_, header), body)) = records.split_first() else {
        return Err(MadisError::BadFile {
            file: FILE,
            message: "Le fichier des sous-traitants est vide.".into(),
        });
    };
    let h = Header::new(header);
    require(
        &h,
        FILE,
        &[
            col::NAME,
            col::REFERENT,
            col::CLAUSES_VERIFIED,
            col::TREATMENTS,
        ],
        "l'export des sous-traitants de MADIS",
    )?;
    let (lines, rows) = check_lines(
        &h,
        body,
        target,
        FILE,
        "Un sous-traitant du même nom",
        |rec, line, messages| {
            contractor(&h, rec, messages).map(|row| ContractorRow { line, ..row })
        },
    );
    const READ: &[&str] = &[
        col::NAME,
        col::STRUCTURE_NAME,
        col::STRUCTURE_SIREN,
        col::STRUCTURE_INSEE,
        col::HAS_DPO,
        col::DPO_CIVILITY,
        col::DPO_FIRST_NAME,
        col::DPO_LAST_NAME,
        col::DPO_JOB,
        col::DPO_EMAIL,
        col::DPO_PHONE,
        col::LEGAL_FIRST_NAME,
        col::LEGAL_LAST_NAME,
        col::ADDRESS_LINE_ONE,
        col::ADDRESS_LINE_TWO,
        col::ZIP_CODE,
        col::CITY,
        col::EMAIL,
        col::PHONE,
        col::TREATMENTS,
    ];
    let unmapped_columns = unread_columns(&h, &|n| READ.contains(&n));
    Ok(Checked {
        lines,
        rows,
        unmapped_columns,
    })
}

fn contractor(
    h: &Header,
    rec: &[String],
    notes: &mut Vec<String>,
) -> Result<ContractorRow, String> {
    if let Some(m) = too_long_cell(h, rec) {
        return Err(m);
    }
    let name = text(h.at(rec, col::NAME));
    if name.is_empty() {
        return Err("Le sous-traitant n'a pas de nom.".into());
    }
    if name.chars().count() > 200 {
        return Err("Le nom compte 200 caractères au plus.".into());
    }
    for c in [
        col::CLAUSES_VERIFIED,
        col::SECURITY_FEATURES,
        col::KEEPS_REGISTER,
        col::OUTSIDE_EU,
        col::HAS_DPO,
    ] {
        yes_no(h.at(rec, c), c)?;
    }
    let join = |parts: &[&str], sep: &str| -> String {
        parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(sep)
    };
    let mut contact = vec![];
    let person = join(
        &[
            h.at(rec, col::LEGAL_FIRST_NAME),
            h.at(rec, col::LEGAL_LAST_NAME),
        ],
        " ",
    );
    if !person.is_empty() {
        contact.push(format!("Responsable : {person}"));
    }
    let city = join(&[h.at(rec, col::ZIP_CODE), h.at(rec, col::CITY)], " ");
    let address = join(
        &[
            h.at(rec, col::ADDRESS_LINE_ONE),
            h.at(rec, col::ADDRESS_LINE_TWO),
            &city,
        ],
        ", ",
    );
    if !address.is_empty() {
        contact.push(format!("Adresse : {address}"));
    }
    for (label, c) in [("Courriel", col::EMAIL), ("Téléphone", col::PHONE)] {
        let v = h.at(rec, c).trim();
        if !v.is_empty() {
            contact.push(format!("{label} : {v}"));
        }
    }
    if yes_no(h.at(rec, col::HAS_DPO), col::HAS_DPO)? {
        let who = join(
            &[
                h.at(rec, col::DPO_CIVILITY),
                h.at(rec, col::DPO_FIRST_NAME),
                h.at(rec, col::DPO_LAST_NAME),
            ],
            " ",
        );
        let job = h.at(rec, col::DPO_JOB).trim();
        let who = if job.is_empty() {
            who
        } else {
            format!("{who} ({job})")
        };
        let dpo = join(
            &[&who, h.at(rec, col::DPO_EMAIL), h.at(rec, col::DPO_PHONE)],
            ", ",
        );
        contact.push(if dpo.is_empty() {
            "DPD désigné".to_owned()
        } else {
            format!("DPD : {dpo}")
        });
    }
    if yes_no(h.at(rec, col::CLAUSES_VERIFIED), col::CLAUSES_VERIFIED)? {
        notes.push("Clauses contractuelles vérifiées dans MADIS : indiquez le contrat de sous-traitance et sa date de signature.".into());
    }
    if yes_no(h.at(rec, col::OUTSIDE_EU), col::OUTSIDE_EU)? {
        notes.push("Envoi des données hors UE déclaré dans MADIS : décrivez les transferts sur les traitements concernés ; pays enregistré : FR.".into());
    }
    if let Some(m) = unmapped_values(
        h,
        rec,
        &[
            col::REFERENT,
            col::SECURITY_FEATURES,
            col::KEEPS_REGISTER,
            col::OTHER_INFORMATION,
            col::PROOFS,
        ],
    ) {
        notes.push(m);
    }
    Ok(ContractorRow {
        line: 0,
        name,
        contact: contact.join("\n"),
        treatments: h.at(rec, col::TREATMENTS).to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FIXTURE: &str = include_str!("../../../../tests/it/fixtures/madis/madis-treatment.csv");

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Hostile files: whatever the cells hold (quotes, separators, backslashes, line
        /// breaks, accents, overlong durations), reading and checking never panics, and every
        /// row of the commune gets exactly one line of the report.
        #[test]
        fn any_row_is_reported_and_nothing_panics(
            cells in proptest::collection::vec("[a-zé0-9 ;\"\\\r\n:-]{0,12}|Oui|Non|99999999999 ans", 0..90),
        ) {
            let header = FIXTURE.lines().next().expect("header");
            let row = cells
                .iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(";");
            let text = format!("{header}\n{row}\n");
            let target = Target { siren: String::new(), insee_code: None };
            if let Ok(records) = super::super::csv::read(&text, "treatmentsCsv") {
                let checked = check_treatments(&records, &target).expect("the header is MADIS's");
                prop_assert_eq!(checked.lines.len(), records.len() - 1);
            }
            let _ = super::super::csv::read(&row, "treatmentsCsv");
        }
    }

    #[test]
    fn durations_fates_and_lists_read_as_madis_writes_them() {
        assert_eq!(months("5 ans"), Some((60, String::new())));
        assert_eq!(months("1 an"), Some((12, String::new())));
        assert_eq!(
            months("6 mois après la clôture"),
            Some((6, "après la clôture".into()))
        );
        assert_eq!(months("Durée du mandat"), None);
        assert_eq!(months("0 an"), None);
        assert_eq!(
            numbered("1: 5 ans \r\n2: 1 an \r\n"),
            vec![(1, "5 ans".into()), (2, "1 an".into())]
        );
        let long = "x".repeat(90);
        assert_eq!(display_name(&long), format!("{}...", "x".repeat(85)));
        let known = vec!["Berger - Levrault".to_owned(), "Ségilog".to_owned()];
        assert_eq!(
            split_names("Berger - Levrault - Ségilog - Inconnu SA", &known),
            (
                vec!["Berger - Levrault".to_owned(), "Ségilog".to_owned()],
                vec!["Inconnu SA".to_owned()]
            )
        );
        assert!(yes_no("Peut-être", "x").is_err());
        assert_eq!(
            legal_basis("L'obligation légale"),
            Ok(Some(LegalBasis::LegalObligation))
        );
        assert_eq!(legal_basis("À déterminer"), Ok(None));
    }
}
