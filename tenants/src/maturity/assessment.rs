//! Assessments: a commune's answers to one questionnaire on one date, scored when recorded and
//! kept, so the list of a commune's assessments is its progress.
//!
//! Score = Σ weight × option score / Σ weight × 100 over the applicable questions, in basis
//! points rounded half up; a theme's score is the same sum over its questions (none when every
//! question of the theme was "not applicable").
use super::questionnaire::{self, Question};
use super::{bad, MaturityError};
use crate::audit::{self, Entry};
use crate::entities::{maturity_assessment, maturity_questionnaire, tenant};
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThemeScore {
    pub theme: String,
    pub score_bp: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub score_bp: i32,
    pub themes: Vec<ThemeScore>,
}

/// round(10,000 × earned / max) with integers (earned and max in weight × percent).
fn basis_points(earned: u64, max: u64) -> i32 {
    ((earned * 20_000 + max) / (2 * max)) as i32
}

/// Scores answers (`question key → option index`); every question must be answered once.
pub fn score(
    questions: &[Question],
    answers: &BTreeMap<String, usize>,
) -> Result<Score, MaturityError> {
    if let Some(unknown) = answers
        .keys()
        .find(|k| !questions.iter().any(|q| &q.key == *k))
    {
        return Err(bad(
            "answers",
            format!("Le questionnaire n'a pas de question « {unknown} »."),
        ));
    }
    let (mut earned, mut max) = (0u64, 0u64);
    let mut themes: Vec<(String, u64, u64)> = Vec::new();
    for q in questions {
        let Some(&i) = answers.get(&q.key) else {
            return Err(bad(
                "answers",
                format!("La question « {} » n'a pas de réponse.", q.key),
            ));
        };
        let Some(o) = q.options.get(i) else {
            return Err(bad(
                "answers",
                format!(
                    "La question « {} » a {} : la réponse n° {i} n'existe pas (elles sont numérotées à partir de 0).",
                    q.key,
                    crate::fr::plural(q.options.len() as i64, "réponse", "réponses")
                ),
            ));
        };
        let pos = match themes.iter().position(|t| t.0 == q.theme) {
            Some(p) => p,
            None => {
                themes.push((q.theme.clone(), 0, 0));
                themes.len() - 1
            }
        };
        if o.not_applicable {
            continue;
        }
        let (e, m) = (
            u64::from(q.weight) * u64::from(o.score),
            u64::from(q.weight) * 100,
        );
        earned += e;
        max += m;
        themes[pos].1 += e;
        themes[pos].2 += m;
    }
    if max == 0 {
        return Err(bad(
            "answers",
            "Toutes les réponses sont « sans objet » : rien à évaluer.",
        ));
    }
    Ok(Score {
        score_bp: basis_points(earned, max),
        themes: themes
            .into_iter()
            .map(|(theme, e, m)| ThemeScore {
                theme,
                score_bp: (m > 0).then(|| basis_points(e, m)),
            })
            .collect(),
    })
}

pub struct NewAssessment {
    pub tenant_id: Uuid,
    pub questionnaire_id: Uuid,
    pub assessed_on: NaiveDate,
    /// (question key, option index), one per question.
    pub answers: Vec<(String, usize)>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub row: maturity_assessment::Model,
    pub themes: Vec<ThemeScore>,
}

impl Assessment {
    fn from_row(row: maturity_assessment::Model) -> Result<Self, MaturityError> {
        let themes = serde_json::from_value(row.themes.clone())
            .map_err(|e| MaturityError::Corrupt(format!("assessment {}: {e}", row.id)))?;
        Ok(Assessment { row, themes })
    }

    /// The answers as stored (`question key → option index`).
    pub fn answers(&self) -> BTreeMap<String, usize> {
        serde_json::from_value(self.row.answers.clone()).unwrap_or_default()
    }
}

/// Records an assessment (AssessMaturity: the commune's administrator or the DPO, as the
/// README says; an editor keeps the register, not its assessment), audited; also
/// gives the score of the commune's assessment just before it (by date), if any.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn record(
    db: &DatabaseConnection,
    scope: &Can<can::AssessMaturity>,
    a: NewAssessment,
    now: DateTime<Utc>,
) -> Result<(Assessment, Option<i32>), MaturityError> {
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    if a.assessed_on > today {
        return Err(bad("assessedOn", "La date ne peut pas être dans le futur."));
    }
    if a.assessed_on < NaiveDate::from_ymd_opt(2018, 5, 25).unwrap_or(NaiveDate::MIN) {
        return Err(bad(
            "assessedOn",
            "La date est antérieure à l'entrée en application du RGPD (25 mai 2018).",
        ));
    }
    let notes = a.notes.trim().to_owned();
    if notes.chars().count() > 5000 {
        return Err(bad("notes", "Les notes comptent 5 000 caractères au plus."));
    }
    let mut answers = BTreeMap::new();
    for (key, option) in a.answers {
        if answers.insert(key.clone(), option).is_some() {
            return Err(bad(
                "answers",
                format!("La question « {key} » a reçu deux réponses."),
            ));
        }
    }
    let txn = scope.begin(db).await?;
    let t = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(a.tenant_id))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    if t.kind == "organisation" {
        return Err(bad(
            "tenantId",
            "On évalue une commune, pas l'intercommunalité.",
        ));
    }
    let q = questionnaire::get(&txn, scope, a.questionnaire_id).await?;
    if q.row.organisation_id != t.organisation_id {
        return Err(AccessError::NotFound.into());
    }
    let s = score(&q.questions, &answers)?;
    // Progress is measured against the same questionnaire (any of its versions): scores of
    // two different questionnaires do not compare.
    let lineage: Vec<Uuid> = questionnaire::published_to(scope)
        .filter(maturity_questionnaire::Column::OrganisationId.eq(q.row.organisation_id))
        .filter(maturity_questionnaire::Column::Title.eq(q.row.title.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let previous = scope
        .find::<maturity_assessment::Entity>()
        .filter(maturity_assessment::Column::TenantId.eq(t.id))
        .filter(maturity_assessment::Column::QuestionnaireId.is_in(lineage))
        .filter(maturity_assessment::Column::AssessedOn.lte(a.assessed_on))
        .order_by_desc(maturity_assessment::Column::AssessedOn)
        .order_by_desc(maturity_assessment::Column::CreatedAt)
        .one(&txn)
        .await?
        .map(|p| p.score_bp);
    let row = maturity_assessment::Model {
        id: Uuid::now_v7(),
        organisation_id: t.organisation_id,
        tenant_id: t.id,
        questionnaire_id: q.row.id,
        assessed_on: a.assessed_on,
        answers: json!(answers),
        score_bp: s.score_bp,
        themes: json!(s.themes),
        notes,
        recorded_by: scope.principal().audit_ref(),
        created_at: now,
    };
    let row = maturity_assessment::ActiveModel::from(row)
        .insert(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "maturity.assessment.record",
            before: None,
            after: Some(json!({
                "questionnaire": q.row.title, "version": q.row.version,
                "assessedOn": row.assessed_on, "answers": row.answers,
                "scoreBp": row.score_bp, "notes": row.notes,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((
        Assessment {
            row,
            themes: s.themes,
        },
        previous,
    ))
}

/// Assessments of the communes the scope reaches (or of `tenant_ids`), by commune then date:
/// each commune's list is its progress. Each comes with the score of the commune's previous
/// assessment on the same questionnaire (any version), as `record` gives it.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<(Assessment, Option<i32>)>, MaturityError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<maturity_assessment::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(maturity_assessment::Column::TenantId.is_in(ids));
    }
    let rows = q
        .order_by_asc(maturity_assessment::Column::TenantId)
        .order_by_asc(maturity_assessment::Column::AssessedOn)
        .order_by_asc(maturity_assessment::Column::CreatedAt)
        .all(&txn)
        .await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.questionnaire_id).collect();
    ids.sort();
    ids.dedup();
    let titles: HashMap<Uuid, String> = questionnaire::published_to(scope)
        .filter(maturity_questionnaire::Column::Id.is_in(ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|v| (v.id, v.title))
        .collect();
    txn.commit().await?;
    let mut last: HashMap<(Uuid, &str), i32> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let title = titles
            .get(&row.questionnaire_id)
            .map(String::as_str)
            .unwrap_or_default();
        let previous = last.insert((row.tenant_id, title), row.score_bp);
        out.push((Assessment::from_row(row)?, previous));
    }
    Ok(out)
}

/// Each commune's latest score on `as_of` (the consolidated report's maturity column).
pub async fn latest_scores<C: ConnectionTrait>(
    c: &C,
    scope: &Scope,
    tenant_ids: &[Uuid],
    as_of: NaiveDate,
) -> Result<HashMap<Uuid, i32>, MaturityError> {
    let rows = scope
        .find::<maturity_assessment::Entity>()
        .filter(maturity_assessment::Column::TenantId.is_in(tenant_ids.to_vec()))
        .filter(maturity_assessment::Column::AssessedOn.lte(as_of))
        .order_by_asc(maturity_assessment::Column::AssessedOn)
        .order_by_asc(maturity_assessment::Column::CreatedAt)
        .all(c)
        .await?;
    // Ascending order: the last one written per commune is its latest.
    Ok(rows
        .into_iter()
        .map(|r| (r.tenant_id, r.score_bp))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maturity::questionnaire::AnswerOption;

    fn q(key: &str, theme: &str, weight: u8) -> Question {
        Question {
            key: key.into(),
            theme: theme.into(),
            text: format!("{key}?"),
            weight,
            options: vec![
                AnswerOption {
                    label: "Oui".into(),
                    score: 100,
                    not_applicable: false,
                },
                AnswerOption {
                    label: "En partie".into(),
                    score: 50,
                    not_applicable: false,
                },
                AnswerOption {
                    label: "Non".into(),
                    score: 0,
                    not_applicable: false,
                },
                AnswerOption {
                    label: "Sans objet".into(),
                    score: 0,
                    not_applicable: true,
                },
            ],
        }
    }

    fn answers(a: &[(&str, usize)]) -> BTreeMap<String, usize> {
        a.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn weighted_score_and_themes() {
        let qs = vec![
            q("registre", "Registre", 3),
            q("dpd", "Gouvernance", 1),
            q("aipd", "Registre", 2),
        ];
        // Registre: 3×100 + 2×50 = 400 of 500; Gouvernance 0 of 100; all: 400 of 600.
        let s = score(&qs, &answers(&[("registre", 0), ("dpd", 2), ("aipd", 1)])).expect("scored");
        assert_eq!(s.score_bp, 6667);
        assert_eq!(
            s.themes,
            vec![
                ThemeScore {
                    theme: "Registre".into(),
                    score_bp: Some(8000)
                },
                ThemeScore {
                    theme: "Gouvernance".into(),
                    score_bp: Some(0)
                },
            ]
        );
    }

    #[test]
    fn not_applicable_leaves_the_maximum() {
        let qs = vec![q("a", "T1", 5), q("b", "T2", 5)];
        let s = score(&qs, &answers(&[("a", 0), ("b", 3)])).expect("scored");
        assert_eq!(s.score_bp, 10_000);
        assert_eq!(s.themes[1].score_bp, None);
        let all_na = score(&qs, &answers(&[("a", 3), ("b", 3)]));
        assert!(matches!(
            all_na,
            Err(MaturityError::BadInput {
                field: "answers",
                ..
            })
        ));
    }

    #[test]
    fn every_question_once_and_known_options_only() {
        let qs = vec![q("a", "T", 1), q("b", "T", 1)];
        for bad_answers in [
            answers(&[("a", 0)]),
            answers(&[("a", 0), ("b", 4)]),
            answers(&[("a", 0), ("b", 0), ("c", 0)]),
        ] {
            assert!(matches!(
                score(&qs, &bad_answers),
                Err(MaturityError::BadInput {
                    field: "answers",
                    ..
                })
            ));
        }
    }

    #[test]
    fn questionnaire_validation_names_the_fault() {
        use crate::maturity::questionnaire::validate;
        assert!(validate("  ", vec![q("a", "T", 1)]).is_err());
        assert!(validate("Q", vec![]).is_err());
        assert!(validate("Q", vec![q("a", "T", 1), q("a", "T", 1)]).is_err());
        assert!(validate("Q", vec![q("A b", "T", 1)]).is_err());
        assert!(validate("Q", vec![q("a", "T", 11)]).is_err());
        let mut no_full = q("a", "T", 1);
        no_full.options[0].score = 90;
        let err = validate("Q", vec![no_full]).expect_err("no 100 % option");
        assert!(err.to_string().contains("100 %"), "{err}");
        let mut over = q("a", "T", 1);
        over.options[1].score = 101;
        assert!(validate("Q", vec![over]).is_err());
        let (title, qs) = validate(" Q ", vec![q("a", " T ", 1)]).expect("valid");
        assert_eq!((title.as_str(), qs[0].theme.as_str()), ("Q", "T"));
    }
}
