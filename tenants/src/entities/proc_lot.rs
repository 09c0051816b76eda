use sea_orm::entity::prelude::*;

/// A lot of a contract divided into lots (allotissement); DECP publishes each as a `marche`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proc_lot")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub contract_id: Uuid,
    /// 1, 2, …: unique within the contract.
    pub number: i32,
    pub object: String,
    /// The lot's CPV code (the contract's when none was given).
    pub cpv: String,
    pub estimated_cents: i64,
    pub awarded_cents: Option<i64>,
    /// The lot's own firm duration, when it differs from the contract's.
    pub duration_months: Option<i32>,
    /// Supplier ids of the organisation holding the lot.
    pub supplier_ids: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
