use sea_orm::entity::prelude::*;

/// What one tenant has backed up, how often, how long it is kept, and where it goes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "backup_policy")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// Unique within the tenant; the webhook names the policy by it.
    pub name: String,
    /// server, application or share.
    pub kind: String,
    /// What is protected: a server name, an application, a share path.
    pub target: String,
    /// The host name the backup tool records (restic `--host`), used to map snapshots.
    pub host: String,
    /// Tags every snapshot of this policy carries (restic `--tag`), a JSON array of strings.
    pub tags: Json,
    /// Expected interval between two runs: the schedule that missed jobs are counted against.
    pub interval_hours: i32,
    pub keep_daily: i32,
    pub keep_weekly: i32,
    pub keep_monthly: i32,
    pub keep_yearly: i32,
    /// Recovery point objective: the oldest acceptable age of the last good backup.
    pub rpo_hours: i32,
    /// Repository location (restic repository path or URL, never with credentials).
    pub repository: String,
    /// Name of the repository password in the server's configuration.
    pub password_ref: String,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
