use sea_orm::entity::prelude::*;

/// A resource of the DPO's library, published to every commune of the organisation (kept in
/// the organisation's own tenant).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_resource")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    pub description: String,
    /// `template`, `guide`, `procedure` or `other`.
    pub category: String,
    /// The number of the newest version (1 for a new resource).
    pub current_version: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
