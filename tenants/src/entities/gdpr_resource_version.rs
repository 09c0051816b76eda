use sea_orm::entity::prelude::*;

/// One version of a library resource: a file (in the object storage) or a link. Versions are
/// never changed nor removed: a new one is added.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_resource_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub resource_id: Uuid,
    pub version: i32,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub bytes: Option<i64>,
    pub sha256: Option<String>,
    pub storage_key: Option<String>,
    pub url: Option<String>,
    /// What changed in this version.
    pub note: String,
    pub published_by: String,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
