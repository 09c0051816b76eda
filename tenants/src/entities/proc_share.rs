use sea_orm::entity::prelude::*;

/// A member commune's share of a joint procurement (groupement de commandes). Keyed by the
/// member's tenant, so each commune reads its own part.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proc_share")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub contract_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub organisation_id: Uuid,
    pub amount_cents: i64,
    /// The coordinator's contract, as the member sees it (copied when the share is recorded).
    pub reference: String,
    pub object: String,
    pub cpv: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
