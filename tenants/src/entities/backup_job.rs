use sea_orm::entity::prelude::*;

/// One backup run, reported by the webhook or read from a restic repository.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub policy_id: Uuid,
    /// webhook or restic.
    pub source: String,
    /// The report's id (webhook) or the snapshot id (restic): unique per tenant and source,
    /// which makes a replayed report or a re-read snapshot a no-op.
    pub external_id: String,
    /// success, warning (snapshot made, some files unreadable) or failed.
    pub status: String,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: DateTimeUtc,
    pub duration_ms: Option<i64>,
    pub bytes_processed: Option<i64>,
    pub bytes_added: Option<i64>,
    pub files: Option<i64>,
    pub snapshot_id: Option<String>,
    pub message: Option<String>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
