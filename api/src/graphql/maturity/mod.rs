//! Maturity: the organisation's questionnaires (published by the DPO or the DSI) and the
//! communes' scored assessments, listed by commune and date so progress can be compared.
use super::context::scoped;
use super::errors::GqlResult;
use super::scalars::Date;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::maturity::assessment::{self, NewAssessment};
use tenants::maturity::questionnaire::{self, AnswerOption, Question, Questionnaire};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "MaturityOptionInput")]
pub struct MaturityOption {
    pub label: String,
    /// Share of the question's weight this answer earns, 0 to 100 (%).
    pub score: u8,
    /// "Not applicable": the question leaves the commune's maximum.
    #[graphql(default)]
    pub not_applicable: bool,
}

#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "MaturityQuestionInput")]
pub struct MaturityQuestion {
    /// Stable across versions (a-z, 0-9, _ and -).
    pub key: String,
    pub theme: String,
    pub text: String,
    /// 1 to 10.
    pub weight: u8,
    pub options: Vec<MaturityOption>,
}

impl From<Question> for MaturityQuestion {
    fn from(q: Question) -> Self {
        Self {
            key: q.key,
            theme: q.theme,
            text: q.text,
            weight: q.weight,
            options: q
                .options
                .into_iter()
                .map(|o| MaturityOption {
                    label: o.label,
                    score: o.score,
                    not_applicable: o.not_applicable,
                })
                .collect(),
        }
    }
}

impl From<MaturityQuestion> for Question {
    fn from(q: MaturityQuestion) -> Self {
        Self {
            key: q.key,
            theme: q.theme,
            text: q.text,
            weight: q.weight,
            options: q
                .options
                .into_iter()
                .map(|o| AnswerOption {
                    label: o.label,
                    score: o.score,
                    not_applicable: o.not_applicable,
                })
                .collect(),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct MaturityQuestionnaire {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub title: String,
    pub version: i32,
    pub themes: Vec<String>,
    pub questions: Vec<MaturityQuestion>,
    pub published_at: DateTime<Utc>,
}

impl From<Questionnaire> for MaturityQuestionnaire {
    fn from(q: Questionnaire) -> Self {
        Self {
            id: q.row.id,
            organisation_id: q.row.organisation_id,
            title: q.row.title.clone(),
            version: q.row.version,
            themes: q.themes().into_iter().map(str::to_owned).collect(),
            questions: q.questions.into_iter().map(Into::into).collect(),
            published_at: q.row.published_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct MaturityThemeScore {
    pub theme: String,
    /// Basis points (10,000 = 100 %); null when every question of the theme was not applicable.
    pub score_bp: Option<i32>,
}

#[derive(SimpleObject, Clone)]
pub struct MaturityAnswer {
    pub question_key: String,
    pub option: u32,
}

#[derive(SimpleObject, Clone)]
pub struct MaturityAssessment {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub questionnaire_id: Uuid,
    pub assessed_on: Date,
    /// Basis points (10,000 = 100 %).
    pub score_bp: i32,
    /// Change since the commune's previous assessment on the same questionnaire (any of its
    /// versions), in basis points; null for its first.
    pub change_bp: Option<i32>,
    pub themes: Vec<MaturityThemeScore>,
    pub answers: Vec<MaturityAnswer>,
    pub notes: String,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

fn assessment_out(a: assessment::Assessment, previous: Option<i32>) -> MaturityAssessment {
    MaturityAssessment {
        answers: a
            .answers()
            .into_iter()
            .map(|(question_key, o)| MaturityAnswer {
                question_key,
                option: u32::try_from(o).unwrap_or(u32::MAX),
            })
            .collect(),
        id: a.row.id,
        tenant_id: a.row.tenant_id,
        questionnaire_id: a.row.questionnaire_id,
        assessed_on: a.row.assessed_on.into(),
        score_bp: a.row.score_bp,
        change_bp: previous.map(|p| a.row.score_bp - p),
        themes: a
            .themes
            .into_iter()
            .map(|t| MaturityThemeScore {
                theme: t.theme,
                score_bp: t.score_bp,
            })
            .collect(),
        notes: a.row.notes,
        recorded_by: a.row.recorded_by,
        created_at: a.row.created_at,
    }
}

#[derive(InputObject)]
pub struct MaturityAnswerInput {
    pub question_key: String,
    /// Index of the chosen option (from 0).
    pub option: u32,
}

#[derive(InputObject)]
pub struct MaturityAssessmentInput {
    pub tenant_id: Uuid,
    pub questionnaire_id: Uuid,
    pub assessed_on: Date,
    pub answers: Vec<MaturityAnswerInput>,
    #[graphql(default)]
    pub notes: String,
}

#[derive(Default)]
pub struct MaturityQuery;

#[Object]
impl MaturityQuery {
    /// The questionnaires of your organisations (every member commune answers them), newest
    /// version first within a title.
    async fn maturity_questionnaires(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<MaturityQuestionnaire>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(questionnaire::list(db, &s, organisation_id)
            .await
            .gql()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Assessments of the communes you reach (or of `tenantIds`), by commune then date, each
    /// with its change since the commune's previous one on the same questionnaire.
    async fn maturity_assessments(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<MaturityAssessment>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let rows = assessment::list(db, &s, tenant_ids).await.gql()?;
        Ok(rows
            .into_iter()
            .map(|(a, previous)| assessment_out(a, previous))
            .collect())
    }
}

#[derive(Default)]
pub struct MaturityMutation;

#[Object]
impl MaturityMutation {
    /// Publishes a questionnaire (the next version when the title exists); published
    /// questionnaires never change, so past scores keep their meaning.
    async fn publish_maturity_questionnaire(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        title: String,
        questions: Vec<MaturityQuestion>,
    ) -> Result<MaturityQuestionnaire> {
        let (db, s) = scoped::<can::PublishModels>(ctx)?;
        let questions = questions.into_iter().map(Into::into).collect();
        Ok(
            questionnaire::publish(db, &s, organisation_id, &title, questions, Utc::now())
                .await
                .gql()?
                .into(),
        )
    }

    /// Records a commune's assessment: every question answered once; scored on the spot.
    async fn record_maturity_assessment(
        &self,
        ctx: &Context<'_>,
        input: MaturityAssessmentInput,
    ) -> Result<MaturityAssessment> {
        let (db, s) = scoped::<can::AssessMaturity>(ctx)?;
        let a = NewAssessment {
            tenant_id: input.tenant_id,
            questionnaire_id: input.questionnaire_id,
            assessed_on: input.assessed_on.0,
            answers: input
                .answers
                .into_iter()
                .map(|a| (a.question_key, a.option as usize))
                .collect(),
            notes: input.notes,
        };
        let (recorded, previous) = assessment::record(db, &s, a, Utc::now()).await.gql()?;
        Ok(assessment_out(recorded, previous))
    }
}
