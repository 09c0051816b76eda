use sea_orm::entity::prelude::*;

/// A processor (sous-traitant) and the state of its data processing agreement (Art. 28).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_processor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub siret: Option<String>,
    pub contact: String,
    /// ISO 3166-1 alpha-2 country where the data is processed.
    pub country: String,
    pub contract_ref: String,
    pub dpa_status: String,
    pub dpa_signed_on: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
