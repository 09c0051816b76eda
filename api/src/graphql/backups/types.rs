//! Backup output types.
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use crate::graphql::page::{self, Page};
use async_graphql::{ComplexObject, Context, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::backups::compliance::{PolicyStatus, TenantStatus};
use tenants::backups::metering::TenantUsage;
use tenants::backups::{policies, reports, restore_tests};
use tenants::entities::{
    backup_ingest_event, backup_ingest_token, backup_job, backup_policy, backup_restore_test,
    backup_storage_sample,
};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(SimpleObject, Clone)]
pub struct Retention {
    pub keep_daily: i32,
    pub keep_weekly: i32,
    pub keep_monthly: i32,
    pub keep_yearly: i32,
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct BackupPolicy {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    /// server, application or share.
    pub kind: String,
    pub target: String,
    pub host: String,
    pub tags: Vec<String>,
    pub interval_hours: i32,
    pub retention: Retention,
    pub rpo_hours: i32,
    pub repository: String,
    /// The name of the password in the server's configuration (never the password).
    pub password_ref: String,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<backup_policy::Model> for BackupPolicy {
    fn from(m: backup_policy::Model) -> Self {
        Self {
            tags: policies::tags(&m),
            retention: Retention {
                keep_daily: m.keep_daily,
                keep_weekly: m.keep_weekly,
                keep_monthly: m.keep_monthly,
                keep_yearly: m.keep_yearly,
            },
            id: m.id,
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            name: m.name,
            kind: m.kind,
            target: m.target,
            host: m.host,
            interval_hours: m.interval_hours,
            rpo_hours: m.rpo_hours,
            repository: m.repository,
            password_ref: m.password_ref,
            active: m.active,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[ComplexObject]
impl BackupPolicy {
    /// Latest job reports, newest first.
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 20,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 20)."
        )]
        first: u64,
        #[graphql(
            default = 0,
            validator(maximum = 100000000),
            desc = "Items skipped before this page (default 0)."
        )]
        offset: u64,
    ) -> Result<Page<BackupJob>> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        Ok(Page::of(
            reports::jobs(db, &s, self.id, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    /// Storage measurements, newest first.
    async fn storage_samples(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 20,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 20)."
        )]
        first: u64,
        #[graphql(
            default = 0,
            validator(maximum = 100000000),
            desc = "Items skipped before this page (default 0)."
        )]
        offset: u64,
    ) -> Result<Page<BackupStorageSample>> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        Ok(Page::of(
            reports::samples(db, &s, self.id, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    /// Restore tests of this policy, newest first.
    async fn restore_tests(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 20,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 20)."
        )]
        first: u64,
        #[graphql(
            default = 0,
            validator(maximum = 100000000),
            desc = "Items skipped before this page (default 0)."
        )]
        offset: u64,
    ) -> Result<Page<RestoreTest>> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        Ok(Page::of(
            restore_tests::list(db, &s, Some(self.id), None, page::req(offset, first))
                .await
                .gql()?,
        ))
    }
}

#[derive(SimpleObject, Clone)]
pub struct BackupJob {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub policy_id: Uuid,
    /// webhook or restic.
    pub source: String,
    /// The report's id, or the restic snapshot id.
    pub external_id: String,
    /// success, warning or failed.
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: DateTime<Utc>,
    pub duration_ms: Option<i64>,
    pub bytes_processed: Option<i64>,
    pub bytes_added: Option<i64>,
    pub files: Option<i64>,
    pub snapshot_id: Option<String>,
    pub message: Option<String>,
    pub received_at: DateTime<Utc>,
}

impl From<backup_job::Model> for BackupJob {
    fn from(m: backup_job::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            policy_id: m.policy_id,
            source: m.source,
            external_id: m.external_id,
            status: m.status,
            started_at: m.started_at,
            finished_at: m.finished_at,
            duration_ms: m.duration_ms,
            bytes_processed: m.bytes_processed,
            bytes_added: m.bytes_added,
            files: m.files,
            snapshot_id: m.snapshot_id,
            message: m.message,
            received_at: m.received_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct BackupStorageSample {
    pub measured_at: DateTime<Utc>,
    pub stored_bytes: i64,
    pub source: String,
}

impl From<backup_storage_sample::Model> for BackupStorageSample {
    fn from(m: backup_storage_sample::Model) -> Self {
        Self {
            measured_at: m.measured_at,
            stored_bytes: m.stored_bytes,
            source: m.source,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct RestoreTest {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub policy_id: Uuid,
    pub performed_at: DateTime<Utc>,
    pub performed_by: String,
    pub restored: String,
    pub duration_seconds: i64,
    /// success, partial or failed.
    pub result: String,
    pub notes: String,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<backup_restore_test::Model> for RestoreTest {
    fn from(m: backup_restore_test::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            policy_id: m.policy_id,
            performed_at: m.performed_at,
            performed_by: m.performed_by,
            restored: m.restored,
            duration_seconds: m.duration_seconds,
            result: m.result,
            notes: m.notes,
            recorded_by: m.recorded_by,
            created_at: m.created_at,
        }
    }
}

/// RPO compliance of one policy.
#[derive(SimpleObject, Clone)]
pub struct BackupPolicyStatus {
    pub policy: BackupPolicy,
    /// ok, late, failing or never.
    pub state: String,
    pub last_good_at: Option<DateTime<Utc>>,
    pub last_job_at: Option<DateTime<Utc>>,
    pub last_job_status: Option<String>,
    /// Hours since the last good backup.
    pub age_hours: Option<f64>,
    /// Past the RPO (late, or never backed up and older than the RPO).
    pub overdue: bool,
    /// Runs missed against the schedule over the window.
    pub missed_jobs: i64,
    pub failed_jobs: i64,
    pub window_days: i64,
    pub last_restore_test_at: Option<DateTime<Utc>>,
    pub last_restore_test_result: Option<String>,
    /// No successful restore test in the last 12 months.
    pub restore_test_due: bool,
}

impl From<PolicyStatus> for BackupPolicyStatus {
    fn from(s: PolicyStatus) -> Self {
        Self {
            state: s.state.as_str().into(),
            last_good_at: s.last_good_at,
            last_job_at: s.last_job_at,
            last_job_status: s.last_job_status,
            age_hours: s.age_hours,
            overdue: s.overdue,
            missed_jobs: s.missed_jobs,
            failed_jobs: s.failed_jobs,
            window_days: s.window_days,
            last_restore_test_at: s.last_restore_test_at,
            last_restore_test_result: s.last_restore_test_result,
            restore_test_due: s.restore_test_due,
            policy: s.policy.into(),
        }
    }
}

/// One tenant's backup state over its active policies.
#[derive(SimpleObject, Clone)]
pub struct BackupTenantState {
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// ok, late, failing or never.
    pub state: String,
    pub policies: i32,
    pub ok: i32,
    pub late: i32,
    pub never: i32,
    pub failing: i32,
    pub restore_tests_due: i32,
}

impl From<TenantStatus> for BackupTenantState {
    fn from(s: TenantStatus) -> Self {
        let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
        Self {
            organisation_id: s.organisation_id,
            tenant_id: s.tenant_id,
            state: s.state.as_str().into(),
            policies: n(s.policies),
            ok: n(s.ok),
            late: n(s.late),
            never: n(s.never),
            failing: n(s.failing),
            restore_tests_due: n(s.restore_tests_due),
        }
    }
}

/// Storage used by one tenant in one month (method in the README).
#[derive(SimpleObject, Clone)]
pub struct BackupStorageUsage {
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// YYYY-MM.
    pub period: String,
    /// Thousandths of a GB-month (decimal GB), the figure cost allocation uses.
    pub milli_gb_months: i64,
    pub gb_months: f64,
    pub average_bytes: i64,
    pub current_bytes: i64,
    pub policies: i32,
    /// False for the running month (metered up to now).
    pub complete: bool,
}

impl From<TenantUsage> for BackupStorageUsage {
    fn from(u: TenantUsage) -> Self {
        Self {
            organisation_id: u.organisation_id,
            tenant_id: u.tenant_id,
            period: u.period,
            gb_months: u.milli_gb_months as f64 / 1000.0,
            milli_gb_months: u.milli_gb_months,
            average_bytes: u.average_bytes,
            current_bytes: u.current_bytes,
            policies: i32::try_from(u.policies).unwrap_or(i32::MAX),
            complete: u.complete,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct BackupIngestToken {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<backup_ingest_token::Model> for BackupIngestToken {
    fn from(m: backup_ingest_token::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            name: m.name,
            created_by: m.created_by,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A new ingest token: `tokenId` and `signingKey` are shown this once.
#[derive(SimpleObject, Clone)]
pub struct CreatedBackupIngestToken {
    pub token: BackupIngestToken,
    /// Sent as `X-Mutualis-Token`.
    pub token_id: String,
    /// Keys the HMAC-SHA256 of `X-Mutualis-Signature`.
    pub signing_key: String,
    /// Where to POST reports.
    pub endpoint: String,
}

#[derive(SimpleObject, Clone)]
pub struct BackupIngestEvent {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub token_id: Uuid,
    pub received_at: DateTime<Utc>,
    /// accepted or rejected.
    pub outcome: String,
    /// The rejection code (bad_signature, stale_timestamp, replay, unknown_policy,
    /// malformed_json, invalid_report, revoked_token, missing_header, bad_timestamp).
    pub reason: Option<String>,
    pub report_id: Option<String>,
    pub job_id: Option<Uuid>,
    pub detail: Option<String>,
}

impl From<backup_ingest_event::Model> for BackupIngestEvent {
    fn from(m: backup_ingest_event::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            token_id: m.token_id,
            received_at: m.received_at,
            outcome: m.outcome,
            reason: m.reason,
            report_id: m.report_id,
            job_id: m.job_id,
            detail: m.detail,
        }
    }
}
