use sea_orm::entity::prelude::*;

/// One commune's answers to a questionnaire on a date, with the score they earned.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "maturity_assessment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub questionnaire_id: Uuid,
    pub assessed_on: Date,
    /// `{question key: option index}`.
    pub answers: Json,
    /// Score in basis points (0 to 10,000 = 0 to 100 %).
    pub score_bp: i32,
    /// `[{"theme", "scoreBp"}…]` in the questionnaire's theme order.
    pub themes: Json,
    pub notes: String,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
