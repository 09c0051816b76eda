//! Questionnaires: validated on publication, immutable afterwards (a change is the next
//! version under the same title), readable by every member commune.
use super::{bad, MaturityError};
use crate::audit::{self, Entry};
use crate::collation::OrderByName;
use crate::entities::maturity_questionnaire;
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

pub const MAX_QUESTIONS: usize = 200;
pub const MAX_OPTIONS: usize = 10;

/// One answer option: `score` is the share of the question's weight it earns, in percent.
/// A "not applicable" option removes the question from the commune's maximum instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerOption {
    pub label: String,
    pub score: u8,
    #[serde(default)]
    pub not_applicable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// Stable across versions (`[a-z0-9_-]`, at most 40), so answers can be compared.
    pub key: String,
    pub theme: String,
    pub text: String,
    /// 1 to 10.
    pub weight: u8,
    pub options: Vec<AnswerOption>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Questionnaire {
    pub row: maturity_questionnaire::Model,
    pub questions: Vec<Question>,
}

impl Questionnaire {
    pub(crate) fn from_row(row: maturity_questionnaire::Model) -> Result<Self, MaturityError> {
        let questions = serde_json::from_value(row.questions.clone())
            .map_err(|e| MaturityError::Corrupt(format!("questionnaire {}: {e}", row.id)))?;
        Ok(Questionnaire { row, questions })
    }

    /// The themes in the order their first question appears.
    pub fn themes(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for q in &self.questions {
            if !seen.contains(&q.theme.as_str()) {
                seen.push(q.theme.as_str());
            }
        }
        seen
    }
}

fn required(field: &'static str, what: &str, v: &str, max: usize) -> Result<String, MaturityError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(bad(field, format!("{what} est obligatoire.")));
    }
    if v.chars().count() > max {
        return Err(bad(
            field,
            format!("{what} compte {max} caractères au plus."),
        ));
    }
    Ok(v.to_owned())
}

/// Checks a questionnaire and returns it trimmed. Every question needs an option worth 100 %
/// (otherwise no commune could ever reach the maximum) and at least two answers.
pub fn validate(
    title: &str,
    questions: Vec<Question>,
) -> Result<(String, Vec<Question>), MaturityError> {
    let title = required("title", "Le titre", title, 200)?;
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(bad(
            "questions",
            format!("Le questionnaire compte de 1 à {MAX_QUESTIONS} questions."),
        ));
    }
    let mut keys = HashSet::new();
    let mut out = Vec::with_capacity(questions.len());
    for (i, q) in questions.into_iter().enumerate() {
        let n = i + 1;
        let key = q.key.trim().to_owned();
        if key.is_empty()
            || key.len() > 40
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(bad(
                "questions",
                format!(
                    "Question {n} : la clé « {key} » compte de 1 à 40 caractères parmi a-z, 0-9, _ et -."
                ),
            ));
        }
        if !keys.insert(key.clone()) {
            return Err(bad(
                "questions",
                format!("Question {n} : la clé « {key} » est utilisée deux fois."),
            ));
        }
        let theme = required(
            "questions",
            &format!("Question {key} : le thème"),
            &q.theme,
            80,
        )?;
        let text = required(
            "questions",
            &format!("Question {key} : l'énoncé"),
            &q.text,
            1000,
        )?;
        if !(1..=10).contains(&q.weight) {
            return Err(bad(
                "questions",
                format!("Question {key} : le poids est compris entre 1 et 10."),
            ));
        }
        if q.options.len() < 2 || q.options.len() > MAX_OPTIONS {
            return Err(bad(
                "questions",
                format!("Question {key} : de 2 à {MAX_OPTIONS} réponses possibles."),
            ));
        }
        let mut labels = HashSet::new();
        let mut options = Vec::with_capacity(q.options.len());
        for o in q.options {
            let label = required(
                "questions",
                &format!("Question {key} : le libellé de chaque réponse"),
                &o.label,
                200,
            )?;
            if !labels.insert(label.to_lowercase()) {
                return Err(bad(
                    "questions",
                    format!("Question {key} : la réponse « {label} » figure deux fois."),
                ));
            }
            if o.score > 100 {
                return Err(bad(
                    "questions",
                    format!(
                        "Question {key} : le score de la réponse « {label} » est compris entre 0 et 100 %."
                    ),
                ));
            }
            options.push(AnswerOption {
                label,
                score: if o.not_applicable { 0 } else { o.score },
                not_applicable: o.not_applicable,
            });
        }
        if options.iter().filter(|o| o.not_applicable).count() > 1 {
            return Err(bad(
                "questions",
                format!("Question {key} : une seule réponse « sans objet » au plus."),
            ));
        }
        if !options.iter().any(|o| !o.not_applicable && o.score == 100) {
            return Err(bad(
                "questions",
                format!("Question {key} : une réponse doit valoir 100 % (la pratique attendue)."),
            ));
        }
        out.push(Question {
            key,
            theme,
            text,
            weight: q.weight,
            options,
        });
    }
    Ok((title, out))
}

/// Publishes a questionnaire in the organisation's own tenant (PublishModels: the DPO or the
/// DSI); its version is the next one under that title.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = tracing::field::Empty))]
pub async fn publish(
    db: &DatabaseConnection,
    scope: &Can<can::PublishModels>,
    organisation_id: Uuid,
    title: &str,
    questions: Vec<Question>,
    now: DateTime<Utc>,
) -> Result<Questionnaire, MaturityError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let (title, questions) = validate(title, questions)?;
    let txn = scope.begin(db).await?;
    let org_tenant = scope.organisation_tenant(&txn, organisation_id).await??;
    let last = scope
        .find::<maturity_questionnaire::Entity>()
        .filter(maturity_questionnaire::Column::OrganisationId.eq(organisation_id))
        .filter(maturity_questionnaire::Column::Title.eq(title.clone()))
        .order_by_desc(maturity_questionnaire::Column::Version)
        .one(&txn)
        .await?;
    let row = maturity_questionnaire::Model {
        id: Uuid::now_v7(),
        organisation_id,
        tenant_id: org_tenant.id,
        title,
        version: last.map_or(1, |l| l.version + 1),
        questions: serde_json::to_value(&questions)
            .map_err(|e| MaturityError::Corrupt(e.to_string()))?,
        published_by: scope.principal().audit_ref(),
        published_at: now,
    };
    let row = maturity_questionnaire::ActiveModel::from(row)
        .insert(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id,
            tenant_id: org_tenant.id,
            operation: "maturity.questionnaire.publish",
            before: None,
            after: Some(json!({
                "id": row.id, "title": row.title, "version": row.version,
                "questions": row.questions,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Questionnaire { row, questions })
}

/// The questionnaires of the organisations where the scope reaches a commune (every member
/// answers them), newest version first within a title.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
) -> Result<Vec<Questionnaire>, MaturityError> {
    let txn = scope.begin(db).await?;
    let mut q = published_to(scope);
    if let Some(o) = organisation_id {
        q = q.filter(maturity_questionnaire::Column::OrganisationId.eq(o));
    }
    let rows = q
        .order_by_name(maturity_questionnaire::Column::Title)
        .order_by_desc(maturity_questionnaire::Column::Version)
        .all(&txn)
        .await?;
    txn.commit().await?;
    rows.into_iter().map(Questionnaire::from_row).collect()
}

/// One questionnaire a member of its organisation may answer.
/// Questionnaires are published by the organisation for its communes: every scope reaching
/// one of its communes reads them (not only scopes reaching the organisation's own tenant).
pub(crate) fn published_to(scope: &Scope) -> sea_orm::Select<maturity_questionnaire::Entity> {
    maturity_questionnaire::Entity::find()
        .filter(maturity_questionnaire::Column::OrganisationId.is_in(scope.member_organisations()))
}

pub(crate) async fn get(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    id: Uuid,
) -> Result<Questionnaire, MaturityError> {
    let row = published_to(scope)
        .filter(maturity_questionnaire::Column::Id.eq(id))
        .one(txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    Questionnaire::from_row(row)
}
