use sea_orm::entity::prelude::*;

/// A maturity questionnaire of the organisation (held on its own tenant), immutable once
/// published: changing it publishes the next version under the same title.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "maturity_questionnaire")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    pub version: i32,
    /// `[Question…]` (see `maturity::questionnaire::Question`).
    pub questions: Json,
    pub published_by: String,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
