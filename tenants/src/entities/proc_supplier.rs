use sea_orm::entity::prelude::*;

/// A supplier (titulaire), shared by every commune of one organisation: it lives in the
/// organisation's own tenant, one row per identifier (one SIRET, one supplier).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proc_supplier")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// DECP `typeIdentifiant`: SIRET, TVA, TAHITI, RIDET, FRWF, IREP, HORS-UE.
    pub id_type: String,
    pub identifier: String,
    pub name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
