use sea_orm::entity::prelude::*;

/// A special act of subcontracting (acte spécial de sous-traitance) notified on a contract.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proc_subcontracting_act")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub contract_id: Uuid,
    /// 1, 2, … in the order of notification within the contract (DECP `id`).
    pub number: i32,
    /// The lot it belongs to, for a contract divided into lots.
    pub lot: Option<i32>,
    /// DECP typeIdentifiant of the subcontractor, and its normalised identifier.
    pub id_type: String,
    pub identifier: String,
    pub amount_cents: i64,
    pub notified_on: Date,
    pub duration_months: i32,
    /// DECP `variationPrix`: Ferme, Actualisable, Révisable.
    pub price_variation: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
