use sea_orm::entity::prelude::*;

/// A cost to share for a period, with its allocation method (JSON, see `costs::methods`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_pool")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub service_id: Uuid,
    pub label: String,
    pub period_start: Date,
    /// Inclusive.
    pub period_end: Date,
    pub amount_cents: i64,
    pub method: Json,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
