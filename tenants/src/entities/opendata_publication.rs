use sea_orm::entity::prelude::*;

/// Whether a commune publishes one dataset in the open-data catalogue (DECP today; its public
/// register keeps `gdpr_register_settings`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opendata_publication")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// `decp`.
    pub dataset: String,
    pub published: bool,
    /// When it was first published (the catalogue's `dct:issued`).
    pub first_published_at: Option<DateTimeUtc>,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
