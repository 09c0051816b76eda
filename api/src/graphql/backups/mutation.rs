//! Backup writes: each one transaction in the domain, audited there.
use super::inputs::*;
use super::types::*;
use crate::graphql::context::{scoped, RequestCtx};
use crate::graphql::errors::GqlResult;
use async_graphql::{Context, Object, Result};
use chrono::Utc;
use tenants::backups::{ingest, policies, restore_tests};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(Default)]
pub struct BackupMutation;

#[Object]
impl BackupMutation {
    /// Defines a backup policy for a tenant (the DSI's service).
    async fn create_backup_policy(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        input: BackupPolicyInput,
    ) -> Result<BackupPolicy> {
        let (db, s) = scoped::<can::ManageBackups>(ctx)?;
        Ok(policies::create(db, &s, tenant_id, input.into())
            .await
            .gql()?
            .into())
    }

    /// Replaces a policy's fields; `version` is the one you read. `active: false` pauses it
    /// (no collection, no RPO state) without losing its history.
    async fn update_backup_policy(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: i32,
        input: BackupPolicyInput,
        #[graphql(default = true)] active: bool,
    ) -> Result<BackupPolicy> {
        let (db, s) = scoped::<can::ManageBackups>(ctx)?;
        Ok(policies::update(db, &s, id, version, input.into(), active)
            .await
            .gql()?
            .into())
    }

    /// Logs a restore test (continuity-plan evidence).
    async fn record_restore_test(
        &self,
        ctx: &Context<'_>,
        input: RestoreTestInput,
    ) -> Result<RestoreTest> {
        let (db, s) = scoped::<can::RecordRestoreTests>(ctx)?;
        Ok(restore_tests::record(db, &s, input.into(), Utc::now())
            .await
            .gql()?
            .into())
    }

    /// Creates a webhook token for a tenant; its id and signing key are shown this once.
    async fn create_backup_ingest_token(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        name: String,
    ) -> Result<CreatedBackupIngestToken> {
        let (db, s) = scoped::<can::ManageBackups>(ctx)?;
        let rc = ctx.data::<RequestCtx>()?;
        let c = ingest::create_token(db, &s, rc.ingest_secret.as_ref(), tenant_id, &name)
            .await
            .gql()?;
        Ok(CreatedBackupIngestToken {
            token: c.token.into(),
            token_id: c.token_id,
            signing_key: c.signing_key,
            endpoint: rc.ingest_endpoint.clone(),
        })
    }

    /// Revokes a webhook token: its reports are refused from now on.
    async fn revoke_backup_ingest_token(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<BackupIngestToken> {
        let (db, s) = scoped::<can::ManageBackups>(ctx)?;
        Ok(ingest::revoke_token(db, &s, id).await.gql()?.into())
    }
}
