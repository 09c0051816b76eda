//! A DPIA as documents: its PDF (through the `formats` crate: context, principles, risks, the
//! 4×4 risk map as a real table, opinions and decision) and its JSON, for the commune's
//! download and the register bundle for auditors.
use super::store::{self, DpiaView, RiskView};
use super::{level_label, DpiaStage, MeasureState, RiskKind};
use crate::entities::{gdpr_dpia, tenant};
use crate::gdpr::GdprError;
use crate::tenancy::Scope;
use chrono::{DateTime, Utc};
use formats::{Cell, Column, Document, Format, RenderedFile, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

fn col(key: &str, label: &str) -> Column {
    Column::new(key, label)
}

fn level(v: Option<i32>) -> Cell {
    match v {
        Some(l) => format!("{l} – {}", level_label(l)).into(),
        None => "Non évaluée".into(),
    }
}

fn short(kind: RiskKind) -> &'static str {
    match kind {
        RiskKind::IllegitimateAccess => "Accès illégitime",
        RiskKind::UnwantedModification => "Modification non désirée",
        RiskKind::Disappearance => "Disparition",
    }
}

/// The 4×4 map: for each severity from 4 down to 1, the risks at each likelihood 1 to 4,
/// « initial » or « résiduel ».
pub fn risk_map(risks: &[RiskView]) -> Vec<(i32, [Vec<String>; 4])> {
    let positions = store::map_positions(risks);
    (1..=4)
        .rev()
        .map(|sev| {
            let cells = [1, 2, 3, 4].map(|lik| {
                let mut v = vec![];
                for (kind, initial, residual) in &positions {
                    if *initial == Some((sev, lik)) {
                        v.push(format!("{} (initial)", short(*kind)));
                    }
                    if *residual == Some((sev, lik)) {
                        v.push(format!("{} (résiduel)", short(*kind)));
                    }
                }
                v
            });
            (sev, cells)
        })
        .collect()
}

fn measures_text(r: &RiskView) -> String {
    r.measures
        .iter()
        .map(|m| {
            let state = MeasureState::parse(&m.row.state).unwrap_or(MeasureState::Existing);
            match (&m.action, state) {
                (Some(a), MeasureState::Planned) => format!(
                    "{} ({}, plan d'action : échéance {})",
                    m.row.title,
                    state.label().to_lowercase(),
                    a.due_on.format("%d/%m/%Y")
                ),
                _ => format!("{} ({})", m.row.title, state.label().to_lowercase()),
            }
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

fn when(at: Option<DateTime<Utc>>) -> Cell {
    at.map_or(Cell::Empty, Cell::DateTime)
}

/// The DPIA as a document of five sheets (each a table; the risk map is a 4×4 table).
pub fn dpia_document(
    v: &DpiaView,
    risks: &[RiskView],
    commune: &str,
    generated_at: DateTime<Utc>,
) -> Document {
    let kv = |rows: Vec<(&str, Cell)>| -> Vec<Vec<Cell>> {
        rows.into_iter().map(|(k, c)| vec![k.into(), c]).collect()
    };
    let c = &v.context;
    let context = Sheet {
        name: "Contexte".into(),
        columns: vec![col("rubrique", "Rubrique"), col("contenu", "Contenu")],
        rows: kv(vec![
            ("Commune", commune.into()),
            ("Traitement", v.activity_name.clone().into()),
            ("Étape", v.stage().label().into()),
            ("Présentation du traitement", c.overview.clone().into()),
            ("Données traitées", c.data_processed.clone().into()),
            (
                "Supports des données",
                c.supports
                    .iter()
                    .map(|s| format!("{} : {}", s.kind.label(), s.description))
                    .collect::<Vec<_>>()
                    .join(" ; ")
                    .into(),
            ),
            ("Cycle de vie des données", c.lifecycle.clone().into()),
        ]),
    };
    let principles = Sheet {
        name: "Principes fondamentaux".into(),
        columns: vec![
            col("principe", "Principe"),
            col("justification", "Justification"),
            col("evaluation", "Évaluation du DPO"),
            col("commentaire", "Commentaire du DPO"),
        ],
        rows: v
            .principles
            .iter()
            .map(|p| {
                vec![
                    p.principle.label().into(),
                    p.justification.clone().into(),
                    p.evaluation
                        .map_or("Non évalué".to_owned(), |e| e.label().to_owned())
                        .into(),
                    p.dpo_comment.clone().into(),
                ]
            })
            .collect(),
    };
    let risk_sheet = Sheet {
        name: "Risques".into(),
        columns: vec![
            col("risque", "Risque"),
            col("sources", "Sources de risque"),
            col("menaces", "Menaces"),
            col("impacts", "Impacts potentiels"),
            col("gravite", "Gravité"),
            col("vraisemblance", "Vraisemblance"),
            col("mesures", "Mesures"),
            col("gravite_residuelle", "Gravité résiduelle"),
            col("vraisemblance_residuelle", "Vraisemblance résiduelle"),
            col("eleve", "Risque résiduel élevé"),
        ],
        rows: risks
            .iter()
            .map(|r| {
                vec![
                    r.kind().label().into(),
                    r.row.sources.clone().into(),
                    r.row.threats.clone().into(),
                    r.row.impacts.clone().into(),
                    level(r.row.severity),
                    level(r.row.likelihood),
                    measures_text(r).into(),
                    level(r.row.residual_severity),
                    level(r.row.residual_likelihood),
                    Cell::Bool(store::residual_is_high(r)),
                ]
            })
            .collect(),
    };
    let mut map_cols = vec![col("gravite", "Gravité \\ vraisemblance")];
    for l in 1..=4 {
        map_cols.push(col(
            &format!("vraisemblance_{l}"),
            &format!("Vraisemblance {l} – {}", level_label(l)),
        ));
    }
    let map = Sheet {
        name: "Cartographie des risques".into(),
        columns: map_cols,
        rows: risk_map(risks)
            .into_iter()
            .map(|(sev, cells)| {
                let mut row: Vec<Cell> =
                    vec![format!("Gravité {sev} – {}", level_label(sev)).into()];
                row.extend(cells.into_iter().map(|v| Cell::from(v.join(" ; "))));
                row
            })
            .collect(),
    };
    let so = &v.subjects_opinion;
    let r = &v.row;
    let opinions = Sheet {
        name: "Avis et validation".into(),
        columns: vec![col("rubrique", "Rubrique"), col("contenu", "Contenu")],
        rows: kv(vec![
            ("Avis du DPO", r.dpo_opinion.clone().into()),
            ("Avis du DPO donné par", Cell::from(r.dpo_opinion_by.clone())),
            ("Avis du DPO donné le", when(r.dpo_opinion_at)),
            (
                "Avis des personnes concernées",
                if so.sought {
                    format!("Recueilli : {}", so.summary)
                } else {
                    format!("Non recueilli : {}", so.reason_not_sought)
                }
                .into(),
            ),
            (
                "Décision du responsable de traitement",
                match v.stage() {
                    DpiaStage::Validated | DpiaStage::Refused => v.stage().label(),
                    _ => "En attente",
                }
                .into(),
            ),
            ("Décision prise par", Cell::from(r.decision_by.clone())),
            ("Décision prise le", when(r.decision_at)),
            ("Commentaire de la décision", r.decision_comment.clone().into()),
            (
                "Consultation préalable de la CNIL (art. 36)",
                if r.prior_consultation {
                    "Requise : un risque résiduel reste élevé (gravité et vraisemblance au moins importantes)"
                } else {
                    "Non requise"
                }
                .into(),
            ),
        ]),
    };
    Document {
        title: format!("Analyse d'impact – {}", v.activity_name),
        subtitle: Some(format!("{commune} — {}", v.stage().label())),
        sheets: vec![context, principles, risk_sheet, map, opinions],
        generated_at,
        charts: vec![],
    }
}

/// The DPIA as JSON (stable English keys, levels as numbers).
pub fn dpia_json(v: &DpiaView, risks: &[RiskView], commune: &str) -> Value {
    let r = &v.row;
    json!({
        "id": r.id,
        "tenantId": r.tenant_id,
        "commune": commune,
        "activityId": r.activity_id,
        "activityName": v.activity_name,
        "stage": r.stage,
        "version": r.version,
        "modelId": r.model_id,
        "context": v.context,
        "principles": v.principles,
        "subjectsOpinion": v.subjects_opinion,
        "risks": risks.iter().map(|x| json!({
            "kind": x.row.kind,
            "sources": x.row.sources,
            "threats": x.row.threats,
            "impacts": x.row.impacts,
            "severity": x.row.severity,
            "likelihood": x.row.likelihood,
            "residualSeverity": x.row.residual_severity,
            "residualLikelihood": x.row.residual_likelihood,
            "residualHigh": store::residual_is_high(x),
            "measures": x.measures.iter().map(|m| json!({
                "title": m.row.title, "state": m.row.state, "actionId": m.row.action_id,
                "actionDueOn": m.action.as_ref().map(|a| a.due_on),
                "actionStatus": m.action.as_ref().map(|a| a.status.clone()),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "dpoOpinion": {"text": r.dpo_opinion, "by": r.dpo_opinion_by, "at": r.dpo_opinion_at},
        "decision": {"by": r.decision_by, "at": r.decision_at, "comment": r.decision_comment},
        "priorConsultationRequired": r.prior_consultation,
        "createdAt": r.created_at,
        "updatedAt": r.updated_at,
    })
}

/// The PDF of one DPIA, rendered on the blocking pool.
pub async fn dpia_pdf(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<RenderedFile, GdprError> {
    let v = store::get(db, scope, id).await?;
    let risks = store::risks(db, scope, id).await?;
    let commune = commune_name(db, scope, v.row.tenant_id).await?;
    let doc = dpia_document(&v, &risks, &commune, Utc::now());
    render_pdf(doc).await
}

async fn render_pdf(doc: Document) -> Result<RenderedFile, GdprError> {
    crate::blocking::run(move || formats::render(&doc, Format::Pdf))
        .await
        .map_err(|e| GdprError::Corrupt(format!("rendering: {e}")))?
        .map_err(|e| GdprError::Corrupt(format!("rendering: {e}")))?
        .into_iter()
        .next()
        .ok_or_else(|| GdprError::Corrupt("rendering: no PDF".into()))
}

async fn commune_name(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_id: Uuid,
) -> Result<String, GdprError> {
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    txn.commit().await?;
    Ok(t.name)
}

/// The bundle's files of the DPIAs of these tenants: one PDF each
/// (`aipd-<commune>-<activity>.pdf`) and one JSON of them all (`analyses-d-impact.json`).
/// Returns the files and how many DPIAs each tenant has.
pub async fn bundle_files(
    db: &DatabaseConnection,
    scope: &Scope,
    tenants: &[tenant::Model],
    generated_at: DateTime<Utc>,
) -> Result<(Vec<RenderedFile>, Vec<(Uuid, usize)>), GdprError> {
    let ids: Vec<Uuid> = tenants.iter().map(|t| t.id).collect();
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<gdpr_dpia::Entity>()
        .filter(gdpr_dpia::Column::TenantId.is_in(ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    let mut files = vec![];
    let mut all = vec![];
    let mut counts = vec![];
    for t in tenants {
        counts.push((t.id, rows.iter().filter(|r| r.tenant_id == t.id).count()));
    }
    let mut docs = vec![];
    for row in rows {
        let v = store::get(db, scope, row.id).await?;
        let risks = store::risks(db, scope, row.id).await?;
        let commune = tenants
            .iter()
            .find(|t| t.id == row.tenant_id)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        all.push(dpia_json(&v, &risks, &commune));
        let doc = dpia_document(&v, &risks, &commune, generated_at);
        // One file name per DPIA, even for two activities of the same name.
        let name = format!(
            "aipd-{}-{}.pdf",
            Document {
                title: commune.clone(),
                ..doc.clone()
            }
            .file_stem(),
            &row.id.simple().to_string()[..8]
        );
        docs.push((name, doc));
    }
    if !all.is_empty() {
        let rendered = crate::blocking::run(move || {
            docs.into_iter()
                .map(|(name, d)| {
                    formats::render(&d, Format::Pdf).map(|files| {
                        files
                            .into_iter()
                            .map(|f| RenderedFile {
                                name: name.clone(),
                                ..f
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| GdprError::Corrupt(format!("rendering: {e}")))?
        .map_err(|e| GdprError::Corrupt(format!("rendering: {e}")))?;
        files.extend(rendered.into_iter().flatten());
        files.push(RenderedFile {
            name: "analyses-d-impact.json".into(),
            media_type: Format::Json.media_type(),
            bytes: serde_json::to_vec_pretty(&all)
                .map_err(|e| GdprError::Corrupt(format!("DPIA JSON: {e}")))?,
        });
    }
    Ok((files, counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{gdpr_dpia_measure, gdpr_dpia_risk};
    use crate::gdpr::dpia::catalogue;

    /// The CCTV model as a commune's DPIA, its residual access risk left at 3 × 3.
    fn cctv() -> (DpiaView, Vec<RiskView>) {
        let (_, _, content) = catalogue::models().swap_remove(0);
        let (org, tenant, id) = (Uuid::nil(), Uuid::nil(), Uuid::now_v7());
        let now = Utc::now();
        let row = gdpr_dpia::Model {
            id,
            organisation_id: org,
            tenant_id: tenant,
            activity_id: Uuid::now_v7(),
            status: "in_progress".into(),
            conclusion: String::new(),
            completed_on: None,
            created_at: now,
            updated_at: now,
            stage: "draft".into(),
            version: 1,
            model_id: None,
            context: Some(json!(content.context)),
            principles: Some(json!(content.principles)),
            subjects_opinion: None,
            dpo_opinion: String::new(),
            dpo_opinion_by: None,
            dpo_opinion_at: None,
            decision_by: None,
            decision_at: None,
            decision_comment: String::new(),
            prior_consultation: true,
        };
        let risks = content
            .risks
            .iter()
            .map(|r| RiskView {
                row: gdpr_dpia_risk::Model {
                    id: Uuid::now_v7(),
                    organisation_id: org,
                    tenant_id: tenant,
                    dpia_id: id,
                    kind: r.kind.code().into(),
                    sources: r.sources.clone(),
                    threats: r.threats.clone(),
                    impacts: r.impacts.clone(),
                    severity: r.severity,
                    likelihood: r.likelihood,
                    residual_severity: r.residual_severity,
                    residual_likelihood: if r.kind == RiskKind::IllegitimateAccess {
                        Some(3)
                    } else {
                        r.residual_likelihood
                    },
                },
                measures: r
                    .measures
                    .iter()
                    .enumerate()
                    .map(|(i, m)| store::MeasureView {
                        row: gdpr_dpia_measure::Model {
                            id: Uuid::now_v7(),
                            organisation_id: org,
                            tenant_id: tenant,
                            dpia_id: id,
                            risk_kind: r.kind.code().into(),
                            position: i32::try_from(i).unwrap_or_default(),
                            title: m.title.clone(),
                            state: m.state.code().into(),
                            action_id: None,
                        },
                        action: None,
                    })
                    .collect(),
            })
            .collect();
        (
            store::view(row, "Vidéoprotection".into()).expect("view"),
            risks,
        )
    }

    #[test]
    fn the_map_places_each_risk_before_and_after_measures() {
        let (_, risks) = cctv();
        let map = risk_map(&risks);
        assert_eq!(
            map.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            [4, 3, 2, 1]
        );
        let (_, row3) = &map[1];
        // Access: initial 3 × 3 and residual 3 × 3, both in the cell of likelihood 3.
        assert_eq!(
            row3[2],
            ["Accès illégitime (initial)", "Accès illégitime (résiduel)"]
        );
        assert!(store::residual_is_high(&risks[0]));
        assert!(!store::residual_is_high(&risks[1]));
    }

    #[test]
    fn the_pdf_has_the_five_parts_and_renders() {
        let (v, risks) = cctv();
        let doc = dpia_document(&v, &risks, "Compiègne", Utc::now());
        let names: Vec<&str> = doc.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Contexte",
                "Principes fondamentaux",
                "Risques",
                "Cartographie des risques",
                "Avis et validation"
            ]
        );
        let started = std::time::Instant::now();
        let pdf = formats::render(&doc, Format::Pdf).expect("PDF");
        eprintln!(
            "DPIA PDF: {} bytes in {:?}",
            pdf[0].bytes.len(),
            started.elapsed()
        );
        assert!(pdf[0].bytes.starts_with(b"%PDF"));
        let json = dpia_json(&v, &risks, "Compiègne");
        assert_eq!(json["risks"][0]["residualHigh"], true);
        assert_eq!(json["priorConsultationRequired"], true);
    }
}
