use sea_orm::entity::prelude::*;

/// A request for the yearly bilans of every member commune of an organisation (kept in the
/// organisation's own tenant); its progress is the count of its bilans against `total`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_bilan_run")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub year: i32,
    /// Communes to do.
    pub total: i32,
    pub requested_by: String,
    pub created_at: DateTimeUtc,
    /// When the last commune's bilan was stored.
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
