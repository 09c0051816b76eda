use sea_orm::entity::prelude::*;

/// Bytes one policy occupies in its repository at one instant: the input of metering.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_storage_sample")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub policy_id: Uuid,
    pub measured_at: DateTimeUtc,
    pub stored_bytes: i64,
    /// webhook or restic.
    pub source: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
