use sea_orm::entity::prelude::*;

/// Official EPCI referential: SIREN, name, type. Members are `ref_commune.epci_siren`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ref_epci")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub siren: String,
    pub name: String,
    pub kind: String,
    pub population: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
