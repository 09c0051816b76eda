use sea_orm::entity::prelude::*;

/// A restore test: the continuity-plan evidence auditors ask for.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_restore_test")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub policy_id: Uuid,
    pub performed_at: DateTimeUtc,
    /// Who did the test (a name: it may be a contractor without an account).
    pub performed_by: String,
    /// What was restored (files, a database, a whole server) and where to.
    pub restored: String,
    pub duration_seconds: i64,
    /// success, partial or failed.
    pub result: String,
    pub notes: String,
    /// The principal who recorded it.
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
