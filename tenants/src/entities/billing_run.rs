use sea_orm::entity::prelude::*;

/// A billing run: the organisation's allocations of one period turned into invoices.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_run")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub period_start: Date,
    pub period_end: Date,
    pub label: String,
    /// running until every invoice reached Stripe, then done.
    pub status: String,
    pub invoices: i32,
    pub total_cents: i64,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
