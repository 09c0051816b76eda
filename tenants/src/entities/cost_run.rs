use sea_orm::entity::prelude::*;

/// One allocation of a pool, immutable: final, superseded by a later run, or invoiced.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_run")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub pool_id: Uuid,
    /// allocation or correction.
    pub kind: String,
    pub corrects_run_id: Option<Uuid>,
    pub status: String,
    pub total_cents: i64,
    /// Everything the allocation used: amount, method, each commune's key values.
    pub inputs: Json,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub invoiced_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
