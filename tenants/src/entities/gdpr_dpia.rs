use sea_orm::entity::prelude::*;

/// A data protection impact assessment (Art. 35) of one activity, by the CNIL's method: its
/// context and fundamental principles (JSON documents), the opinions, the controller's
/// decision; its three risks and their measures are rows of `gdpr_dpia_risk` and
/// `gdpr_dpia_measure`. `status` is the earlier record's vocabulary, kept in step with `stage`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_dpia")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub activity_id: Uuid,
    pub status: String,
    pub conclusion: String,
    pub completed_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub stage: String,
    pub version: i32,
    pub model_id: Option<Uuid>,
    pub context: Option<Json>,
    pub principles: Option<Json>,
    pub subjects_opinion: Option<Json>,
    pub dpo_opinion: String,
    pub dpo_opinion_by: Option<String>,
    pub dpo_opinion_at: Option<DateTimeUtc>,
    pub decision_by: Option<String>,
    pub decision_at: Option<DateTimeUtc>,
    pub decision_comment: String,
    pub prior_consultation: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
