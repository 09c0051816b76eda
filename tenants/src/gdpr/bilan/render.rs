//! A bilan's two documents from one text: the editable DOCX (through `docx-rs`) and the PDF
//! (through `formats`, like every other PDF of the product). Both write the same tables with
//! the same words and figures, so what one says the other says.
use super::figures::BilanFigures;
use chrono::{DateTime, NaiveDate, Utc};
use formats::{Cell, Column, Document, Sheet};

/// A section of the bilan: a title, a sentence or two, a table.
pub struct Section {
    pub title: String,
    pub text: Vec<String>,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

fn day(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "—".to_owned(), crate::fr::date)
}

fn percent(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.abs();
    format!("{sign}{},{:02} %", bp / 100, bp % 100)
}

fn n(v: i64) -> String {
    v.to_string()
}

/// The bilan as sections, in the order both documents follow.
pub fn sections(f: &BilanFigures) -> Vec<Section> {
    let key = |label: &str, v: String| vec![label.to_owned(), v];
    let mut out = vec![];
    out.push(Section {
        title: "Acteurs de la protection des données".into(),
        text: if f.actors_missing.is_empty() {
            vec!["Tous les rôles sont pourvus.".into()]
        } else {
            vec![format!("À désigner : {}.", f.actors_missing.join(", "))]
        },
        headers: vec!["Rôle", "Nom", "Fonction", "Depuis le"],
        rows: f
            .actors
            .iter()
            .map(|a| {
                vec![
                    a.role.clone(),
                    a.full_name.clone(),
                    if a.function_title.is_empty() {
                        "—".into()
                    } else {
                        a.function_title.clone()
                    },
                    day(a.since),
                ]
            })
            .collect(),
    });
    let mut register = vec![
        key("Traitements au registre", n(f.activities)),
        key(
            "Traitements validés (dont contrôlés par le DPO)",
            n(f.activities_validated),
        ),
    ];
    register.extend(
        f.activities_by_status
            .iter()
            .map(|c| key(&format!("Statut : {}", c.label), n(c.count))),
    );
    register.extend(
        f.activities_by_legal_basis
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| key(&format!("Base légale : {}", c.label), n(c.count))),
    );
    register.push(key(
        "Traitements avec données sensibles",
        n(f.activities_sensitive),
    ));
    register.push(key(
        "Traitements soumis à analyse d'impact",
        n(f.dpia_required),
    ));
    out.push(Section {
        title: "Registre des activités de traitement".into(),
        text: vec![format!("État du registre au {}.", crate::fr::date(f.as_of))],
        headers: vec!["Indicateur", "Valeur"],
        rows: register,
    });
    out.push(Section {
        title: format!("Demandes d'exercice des droits reçues en {}", f.year),
        text: vec!["Délai légal : un mois à compter de la réception, prolongeable de deux mois (article 12.3 du RGPD), compté selon le règlement 1182/71 et le calendrier de la commune.".into()],
        headers: vec!["Indicateur", "Valeur"],
        rows: vec![
            key("Demandes reçues", n(f.requests_received)),
            key("Demandes traitées dans le délai", n(f.requests_in_time)),
            key("Demandes traitées ou ouvertes hors délai", n(f.requests_late)),
            key("Demandes en cours dans le délai", n(f.requests_pending)),
            key("Demandes retirées", n(f.requests_withdrawn)),
        ],
    });
    out.push(Section {
        title: format!("Violations de données connues en {}", f.year),
        text: vec!["Notification à la CNIL dans les 72 heures suivant la prise de connaissance (article 33 du RGPD).".into()],
        headers: vec!["Indicateur", "Valeur"],
        rows: vec![
            key("Violations", n(f.breaches)),
            key("Notifiées dans les 72 heures", n(f.breaches_notified_in_time)),
            key("Notifiées en retard", n(f.breaches_notified_late)),
            key("Documentées, non notifiées", n(f.breaches_not_notified)),
            key("Sans décision", n(f.breaches_undecided)),
        ],
    });
    out.push(Section {
        title: "Analyses d'impact".into(),
        text: if f.dpias.is_empty() {
            vec!["Aucune analyse d'impact n'est enregistrée.".into()]
        } else {
            vec![]
        },
        headers: vec!["Traitement", "État", "Réalisée le"],
        rows: f
            .dpias
            .iter()
            .map(|d| vec![d.activity.clone(), d.status.clone(), day(d.completed_on)])
            .collect(),
    });
    out.push(Section {
        title: "Plan d'actions".into(),
        text: vec![format!(
            "{} action(s) réalisée(s) en {}, {} action(s) prévue(s).",
            f.actions_done.len(),
            f.year,
            f.actions_planned.len()
        )],
        headers: vec!["Action", "Échéance", "Réalisée le"],
        rows: f
            .actions_done
            .iter()
            .chain(f.actions_planned.iter())
            .map(|a| {
                vec![
                    a.title.clone(),
                    crate::fr::date(a.due_on),
                    a.done_on
                        .map_or_else(|| "prévue".to_owned(), crate::fr::date),
                ]
            })
            .collect(),
    });
    out.push(Section {
        title: "Indice de maturité".into(),
        text: vec![],
        headers: vec!["Indicateur", "Valeur"],
        rows: vec![
            key(
                &format!("Score au 31 décembre {}", f.year),
                f.maturity_bp.map_or_else(|| "non évalué".into(), percent),
            ),
            key(
                &format!("Score au 31 décembre {}", f.year - 1),
                f.maturity_previous_bp
                    .map_or_else(|| "non évalué".into(), percent),
            ),
            key(
                "Évolution (points)",
                f.maturity_change_bp().map_or_else(
                    || "—".into(),
                    |c| format!("{}{}", if c > 0 { "+" } else { "" }, percent(c)),
                ),
            ),
        ],
    });
    out.push(Section {
        title: "Pièces justificatives".into(),
        text: vec!["Pièces connues du registre : clauses de sous-traitance signées et analyses d'impact réalisées (le module des pièces justificatives les complétera).".into()],
        headers: vec!["Nature", "Objet", "Date"],
        rows: f
            .evidence
            .iter()
            .map(|e| vec![e.kind.clone(), e.title.clone(), day(e.dated)])
            .collect(),
    });
    out
}

pub fn title(f: &BilanFigures) -> String {
    format!("Bilan annuel du DPO {} — {}", f.year, f.commune)
}

/// The PDF's document: a sheet per section (its text above its table as the sheet's
/// first rows would clutter it, so the text goes in the subtitle of the sections that have no
/// rows).
pub fn pdf_document(f: &BilanFigures, generated_at: DateTime<Utc>) -> Document {
    let sheets = sections(f)
        .into_iter()
        .map(|s| {
            let columns: Vec<Column> = s
                .headers
                .iter()
                .enumerate()
                .map(|(i, h)| Column::new(format!("c{i}"), *h))
                .collect();
            let mut rows: Vec<Vec<Cell>> = s
                .rows
                .into_iter()
                .map(|r| r.into_iter().map(Cell::Text).collect())
                .collect();
            for t in s.text.iter().rev() {
                let mut r = vec![Cell::Text(t.clone())];
                r.resize(columns.len(), Cell::Empty);
                rows.insert(0, r);
            }
            Sheet {
                name: s.title,
                columns,
                rows,
            }
        })
        .collect();
    Document {
        title: title(f),
        subtitle: Some(format!(
            "{}{} — état au {}",
            f.commune,
            f.insee_code
                .as_deref()
                .map(|c| format!(" (INSEE {c})"))
                .unwrap_or_default(),
            crate::fr::date(f.as_of)
        )),
        sheets,
        generated_at,
        charts: Vec::new(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("DOCX: {0}")]
    Docx(String),
    #[error(transparent)]
    Pdf(#[from] formats::FormatError),
}

fn para(text: &str) -> docx_rs::Paragraph {
    docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text(text))
}

/// The editable document: a title, then each section's heading, text and table.
pub fn docx(f: &BilanFigures) -> Result<Vec<u8>, RenderError> {
    use docx_rs::{Docx, Paragraph, Run, Style, StyleType, Table, TableCell, TableRow};
    let mut doc = Docx::new()
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(36)
                .bold(),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("Heading 1")
                .size(28)
                .bold(),
        )
        .add_paragraph(
            Paragraph::new()
                .style("Title")
                .add_run(Run::new().add_text(title(f))),
        )
        .add_paragraph(para(&format!(
            "{} — état au {}",
            f.commune,
            crate::fr::date(f.as_of)
        )));
    for s in sections(f) {
        doc = doc.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text(&s.title)),
        );
        for t in &s.text {
            doc = doc.add_paragraph(para(t));
        }
        if !s.rows.is_empty() {
            let header = TableRow::new(
                s.headers
                    .iter()
                    .map(|h| {
                        TableCell::new()
                            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(*h).bold()))
                    })
                    .collect(),
            );
            let rows = std::iter::once(header)
                .chain(s.rows.iter().map(|r| {
                    TableRow::new(
                        r.iter()
                            .map(|c| TableCell::new().add_paragraph(para(c)))
                            .collect(),
                    )
                }))
                .collect();
            doc = doc.add_table(Table::new(rows));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// Both documents (CPU work: call it off the async runtime).
pub fn render(f: &BilanFigures, at: DateTime<Utc>) -> Result<(Vec<u8>, Vec<u8>), RenderError> {
    let docx = docx(f)?;
    let pdf = formats::render(&pdf_document(f, at), formats::Format::Pdf)?
        .into_iter()
        .next()
        .map(|f| f.bytes)
        .unwrap_or_default();
    Ok((docx, pdf))
}

#[cfg(test)]
mod tests {
    use super::super::figures::{ActorLine, Count};
    use super::*;
    use std::io::Read;

    fn sample() -> BilanFigures {
        BilanFigures {
            commune: "Compiègne".into(),
            year: 2026,
            as_of: NaiveDate::from_ymd_opt(2026, 12, 15).expect("date"),
            actors: vec![ActorLine {
                role: "Référent RGPD".into(),
                full_name: "Claire Dupont".into(),
                function_title: "DGS".into(),
                since: None,
            }],
            activities: 7,
            activities_by_status: vec![Count {
                label: "Brouillon".into(),
                count: 7,
            }],
            requests_received: 3,
            requests_late: 1,
            maturity_bp: Some(6250),
            maturity_previous_bp: Some(5000),
            ..BilanFigures::default()
        }
    }

    #[test]
    fn the_docx_opens_and_says_what_the_pdf_says() {
        let f = sample();
        let (docx, pdf) = render(&f, Utc::now()).expect("render");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("DOCX is a zip");
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .expect("document.xml")
            .read_to_string(&mut xml)
            .expect("utf-8");
        for s in [
            "Bilan annuel du DPO 2026",
            "Claire Dupont",
            "Traitements au registre",
            ">7<",
            "62,50 %",
            "+12,50 %",
        ] {
            assert!(xml.contains(s), "{s} missing from the DOCX");
        }
        assert!(pdf.starts_with(b"%PDF"));
        assert_eq!(percent(-125), "-1,25 %");
    }
}
