//! Backup reads.
use super::types::*;
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use crate::graphql::page::{self, Page};
use async_graphql::{Context, Object, Result};
use chrono::Utc;
use tenants::backups::metering;
use tenants::backups::{compliance, ingest, policies, reports, restore_tests};
use tenants::calendar::Period;
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(Default)]
pub struct BackupQuery;

#[Object]
impl BackupQuery {
    /// Backup policies you can read.
    async fn backup_policies(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default)] include_inactive: bool,
    ) -> Result<Vec<BackupPolicy>> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        Ok(policies::list(db, &s, tenant_ids, include_inactive)
            .await
            .gql()?
            .into_iter()
            .map(BackupPolicy::from)
            .collect())
    }

    async fn backup_policy(&self, ctx: &Context<'_>, id: Uuid) -> Result<BackupPolicy> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        Ok(policies::get(db, &s, id).await.gql()?.into())
    }

    /// Job reports of one policy, newest first.
    async fn backup_jobs(
        &self,
        ctx: &Context<'_>,
        policy_id: Uuid,
        #[graphql(
            default = 50,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 50)."
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
            reports::jobs(db, &s, policy_id, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    /// RPO compliance of each active policy, with missed and failed jobs over `windowDays`.
    async fn backup_policy_statuses(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default = 30, validator(minimum = 1, maximum = 366))] window_days: i64,
    ) -> Result<Vec<BackupPolicyStatus>> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        let (_, statuses) = compliance::overview(db, &s, tenant_ids, Utc::now(), window_days)
            .await
            .gql()?;
        Ok(statuses.into_iter().map(BackupPolicyStatus::from).collect())
    }

    /// One state per tenant (ok, late, failing, never), with its policies counted by state.
    async fn backup_tenant_states(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<BackupTenantState>> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        let (states, _) = compliance::overview(db, &s, tenant_ids, Utc::now(), 30)
            .await
            .gql()?;
        Ok(states.into_iter().map(BackupTenantState::from).collect())
    }

    /// Storage in GB-month per tenant for one month (`YYYY-MM`, Paris time).
    async fn backup_storage_usage(
        &self,
        ctx: &Context<'_>,
        period: String,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<BackupStorageUsage>> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        let period = Period::parse(&period)
            .map_err(tenants::backups::BackupError::from)
            .gql()?;
        Ok(metering::usage(db, &s, period, tenant_ids, Utc::now())
            .await
            .gql()?
            .into_iter()
            .map(BackupStorageUsage::from)
            .collect())
    }

    /// Restore tests, newest first.
    async fn backup_restore_tests(
        &self,
        ctx: &Context<'_>,
        policy_id: Option<Uuid>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(
            default = 50,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 50)."
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
            restore_tests::list(db, &s, policy_id, tenant_ids, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    /// Webhook ingest tokens (never their keys).
    async fn backup_ingest_tokens(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<BackupIngestToken>> {
        let (db, s) = scoped::<can::ManageBackups>(ctx)?;
        Ok(ingest::tokens(db, &s, tenant_ids)
            .await
            .gql()?
            .into_iter()
            .map(BackupIngestToken::from)
            .collect())
    }

    /// Webhook calls made with a known token, newest first; `rejectedOnly` for refusals.
    async fn backup_ingest_events(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default)] rejected_only: bool,
        #[graphql(
            default = 50,
            validator(minimum = 1, maximum = 500),
            desc = "Items per page: 1 to 500 (default 50)."
        )]
        first: u64,
        #[graphql(
            default = 0,
            validator(maximum = 100000000),
            desc = "Items skipped before this page (default 0)."
        )]
        offset: u64,
    ) -> Result<Page<BackupIngestEvent>> {
        let (db, s) = scoped::<can::ReadBackups>(ctx)?;
        Ok(Page::of(
            ingest::events(db, &s, tenant_ids, rejected_only, page::req(offset, first))
                .await
                .gql()?,
        ))
    }
}
