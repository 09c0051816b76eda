use sea_orm::entity::prelude::*;

/// One commune's share in one run, with what it was computed from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub run_id: Uuid,
    pub pool_id: Uuid,
    pub service_code: String,
    pub service_name: String,
    pub pool_label: String,
    /// Negative for a credit in a correction run.
    pub amount_cents: i64,
    pub basis: Json,
    /// In French, for the commune.
    pub explanation: String,
    pub period_start: Date,
    pub period_end: Date,
    /// Its run was replaced by a later one before being invoiced: kept, no longer due.
    pub superseded: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
