//! Backup inputs, mapped onto the domain's.
use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use tenants::backups::policies::PolicyInput;
use tenants::backups::restore_tests::NewRestoreTest;
use uuid::Uuid;

#[derive(InputObject)]
pub struct BackupPolicyInput {
    pub name: String,
    /// server, application or share.
    pub kind: String,
    /// What is protected: a server, an application, a share path.
    pub target: String,
    /// The host name the backup tool records (restic `--host`).
    pub host: String,
    /// Tags every snapshot of the policy carries (restic `--tag`).
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Expected hours between two runs (24 for a nightly backup).
    pub interval_hours: i32,
    #[graphql(default)]
    pub keep_daily: i32,
    #[graphql(default)]
    pub keep_weekly: i32,
    #[graphql(default)]
    pub keep_monthly: i32,
    #[graphql(default)]
    pub keep_yearly: i32,
    /// Recovery point objective in hours.
    pub rpo_hours: i32,
    /// Repository location (a restic path or URL, without credentials).
    pub repository: String,
    /// Name of the repository password in the server's configuration.
    pub password_ref: String,
}

impl From<BackupPolicyInput> for PolicyInput {
    fn from(i: BackupPolicyInput) -> Self {
        PolicyInput {
            name: i.name,
            kind: i.kind,
            target: i.target,
            host: i.host,
            tags: i.tags,
            interval_hours: i.interval_hours,
            keep_daily: i.keep_daily,
            keep_weekly: i.keep_weekly,
            keep_monthly: i.keep_monthly,
            keep_yearly: i.keep_yearly,
            rpo_hours: i.rpo_hours,
            repository: i.repository,
            password_ref: i.password_ref,
        }
    }
}

#[derive(InputObject)]
pub struct RestoreTestInput {
    pub policy_id: Uuid,
    pub performed_at: DateTime<Utc>,
    /// Who did the test.
    pub performed_by: String,
    /// What was restored, and where to.
    pub restored: String,
    pub duration_seconds: i64,
    /// success, partial or failed.
    pub result: String,
    /// Required unless the result is success.
    #[graphql(default)]
    pub notes: String,
}

impl From<RestoreTestInput> for NewRestoreTest {
    fn from(i: RestoreTestInput) -> Self {
        NewRestoreTest {
            policy_id: i.policy_id,
            performed_at: i.performed_at,
            performed_by: i.performed_by,
            restored: i.restored,
            duration_seconds: i.duration_seconds,
            result: i.result,
            notes: i.notes,
        }
    }
}
