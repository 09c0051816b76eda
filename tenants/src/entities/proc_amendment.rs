use sea_orm::entity::prelude::*;

/// An amendment (modification) of a contract: new amount, duration or contractors.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proc_amendment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub contract_id: Uuid,
    pub signed_on: Date,
    pub object: String,
    pub awarded_cents: Option<i64>,
    pub duration_months: Option<i32>,
    /// Supplier ids replacing the contractors, when the amendment changes them.
    pub supplier_ids: Option<Json>,
    /// The lot amended, for a contract divided into lots: then `awarded_cents` and
    /// `supplier_ids` are the lot's.
    pub lot: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
