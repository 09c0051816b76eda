use sea_orm::entity::prelude::*;

/// A read receipt: a person of a commune (`tenant_id`) opened or downloaded one version of a
/// library resource (the first time only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_resource_read")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub resource_id: Uuid,
    pub version_id: Uuid,
    pub version: i32,
    /// The principal's stable reference (`user:<id>`).
    pub reader: String,
    /// The person's name as it read then.
    pub reader_name: String,
    pub read_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
