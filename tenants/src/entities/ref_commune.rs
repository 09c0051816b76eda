use sea_orm::entity::prelude::*;

/// Official commune referential (INSEE COG via @etalab/decoupage-administratif). Public data.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ref_commune")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub insee_code: String,
    pub siren: Option<String>,
    pub name: String,
    pub population: i64,
    pub departement: Option<String>,
    pub epci_siren: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
