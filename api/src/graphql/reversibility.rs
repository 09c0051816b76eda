//! Reversibility: ask for the archive of every piece of data of a commune or of the whole
//! organisation (the worker writes it, its progress is listed), then download it from
//! `/exports/reversibility?id=`.
use super::context::{scoped, RequestCtx};
use super::errors::IntoGql;
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::reversibility::requests::{self, ExportView};
use tenants::tenancy::can;
use uuid::Uuid;

/// A reversibility export and its progress.
#[derive(SimpleObject)]
pub struct ReversibilityExport {
    pub id: Uuid,
    pub organisation_id: Uuid,
    /// The commune exported, or the organisation's own tenant for a whole organisation.
    pub tenant_id: Uuid,
    pub tenant_name: String,
    /// organisation (everything of the organisation and its communes) or tenant (one commune).
    pub kind: String,
    pub requested_by: String,
    /// pending, running, done or failed.
    pub status: String,
    /// Rows written so far, of `progressTotal`.
    pub progress_done: i64,
    pub progress_total: i64,
    pub archive_bytes: Option<i64>,
    pub rows_exported: Option<i64>,
    /// SHA-256 of the archive's manifest.json, as recorded in the audit trail.
    pub manifest_sha256: Option<String>,
    /// Why the last attempt failed (the worker tries again).
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Where to download the ZIP once done.
    pub download_url: Option<String>,
}

impl From<ExportView> for ReversibilityExport {
    fn from(v: ExportView) -> Self {
        let r = v.row;
        Self {
            download_url: (r.status == "done")
                .then(|| format!("{}?id={}", crate::http::reversibility::DOWNLOAD, r.id)),
            id: r.id,
            organisation_id: r.organisation_id,
            tenant_id: r.tenant_id,
            tenant_name: v.tenant_name,
            kind: r.kind,
            requested_by: r.requested_by,
            status: r.status,
            progress_done: r.progress_done,
            progress_total: r.progress_total,
            archive_bytes: r.archive_bytes,
            rows_exported: r.rows_exported,
            manifest_sha256: r.manifest_sha256,
            error: r.error,
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

#[derive(Default)]
pub struct ReversibilityQuery;

#[Object]
impl ReversibilityQuery {
    /// The newest reversibility exports you may download (50 at most), newest first.
    async fn reversibility_exports(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<ReversibilityExport>> {
        let (db, s) = scoped::<can::ExportAllData>(ctx)?;
        Ok(requests::list(db, &s, organisation_id)
            .await
            .map_err(IntoGql::into_gql)?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Default)]
pub struct ReversibilityMutation;

#[Object]
impl ReversibilityMutation {
    /// Ask for the archive of every piece of data of one commune (`tenantId`), or of the whole
    /// organisation (no `tenantId`: its DSI only). The worker writes it; follow its progress
    /// with `reversibilityExports`.
    async fn request_reversibility_export(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        tenant_id: Option<Uuid>,
    ) -> Result<ReversibilityExport> {
        let (db, s) = scoped::<can::ExportAllData>(ctx)?;
        let row = requests::request(db, &s, organisation_id, tenant_id)
            .await
            .map_err(IntoGql::into_gql)?;
        ctx.data::<RequestCtx>()?.wake_workers().await;
        let name = requests::list(db, &s, Some(organisation_id))
            .await
            .map_err(IntoGql::into_gql)?
            .into_iter()
            .find(|v| v.row.id == row.id)
            .map(|v| v.tenant_name)
            .unwrap_or_default();
        Ok(ExportView {
            row,
            tenant_name: name,
        }
        .into())
    }
}
