use sea_orm::entity::prelude::*;

/// A measure against one risk of a DPIA: existing, or planned (then an item of the commune's
/// action plan, `action_id`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_dpia_measure")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub dpia_id: Uuid,
    pub risk_kind: String,
    pub position: i32,
    pub title: String,
    pub state: String,
    pub action_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
