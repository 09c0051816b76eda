//! Export requests: asked for through GraphQL (a job written with the request, the outbox),
//! produced by the worker with its progress, downloaded by those who may ask for them.
use super::archive::{self, ArchiveMeta, Progress};
use super::registry::Target;
use super::ReversibilityError;
use crate::audit::{self, Entry};
use crate::entities::{
    reversibility_archive as archive_row, reversibility_export as export, tenant,
};
use crate::jobs::{self, JobOwner};
use crate::storage::Storage;
use crate::tenancy::{can, AccessError, Can, Permission, Principal, Scope};
use chrono::Utc;
use formats::TenantRef;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

/// The job kind the worker runs.
pub const JOB: &str = "reversibility_export";

/// Job: build one requested export.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportJob {
    pub export_id: Uuid,
}

impl crate::jobs::Job for ExportJob {
    const KIND: &'static str = JOB;
    fn cause(&self) -> String {
        self.export_id.to_string()
    }
}
/// Exports listed at most (the newest).
pub const LIST_LIMIT: u64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// The organisation whole.
    Organisation,
    /// One tenant (a commune, or the organisation's own).
    Tenant,
}

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Organisation => "organisation",
            ExportKind::Tenant => "tenant",
        }
    }
}

/// Asks for the archive of `tenant_id`, or of the organisation whole when `None`. The scope
/// must carry `ExportAllData`: the DSI for the organisation or any of its tenants, a commune's
/// administrator for his own commune.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = ?tenant_id))]
pub async fn request(
    db: &DatabaseConnection,
    scope: &Can<can::ExportAllData>,
    organisation_id: Uuid,
    tenant_id: Option<Uuid>,
) -> Result<export::Model, ReversibilityError> {
    let txn = scope.begin(db).await?;
    let (kind, tenant) = resolve(&txn, scope, organisation_id, tenant_id).await?;
    let row = export::Model {
        id: Uuid::now_v7(),
        organisation_id,
        tenant_id: tenant.id,
        kind: kind.as_str().into(),
        requested_by: requester(scope),
        status: "pending".into(),
        progress_done: 0,
        progress_total: 0,
        archive_bytes: None,
        rows_exported: None,
        manifest_sha256: None,
        error: None,
        created_at: Utc::now(),
        started_at: None,
        finished_at: None,
    };
    let stored = export::ActiveModel::from(row).insert(&txn).await?;
    jobs::enqueue(
        &txn,
        JobOwner {
            organisation_id,
            tenant_id: tenant.id,
        },
        &ExportJob {
            export_id: stored.id,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(stored)
}

/// Who asked, as people read it: the e-mail of a person, else the audit trail's reference.
fn requester(scope: &Scope) -> String {
    let p = scope.principal();
    match &p.email {
        Some(e) => format!("{e} ({})", p.audit_ref()),
        None => p.audit_ref(),
    }
}

/// What `tenant_id` (or the organisation whole, `None`) is, when the scope may export it.
async fn resolve(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    organisation_id: Uuid,
    tenant_id: Option<Uuid>,
) -> Result<(ExportKind, tenant::Model), ReversibilityError> {
    Ok(match tenant_id {
        None => {
            if !scope.covers_organisation(organisation_id) {
                // A commune's administrator asking for the whole organisation.
                return Err(if scope.touches_organisation(organisation_id) {
                    AccessError::Forbidden(Permission::ExportAllData)
                } else {
                    AccessError::NotFound
                }
                .into());
            }
            (
                ExportKind::Organisation,
                scope.organisation_tenant(txn, organisation_id).await??,
            )
        }
        Some(t) => {
            let tenant = scope.get::<tenant::Entity, _>(txn, t).await??;
            if tenant.organisation_id != organisation_id {
                return Err(AccessError::NotFound.into());
            }
            (ExportKind::Tenant, tenant)
        }
    })
}

/// Writes the archive at once (the command line's `export-archive`, the tests) and records
/// its manifest in the audit trail.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = ?tenant_id))]
pub async fn export_now(
    db: &DatabaseConnection,
    scope: &Can<can::ExportAllData>,
    organisation_id: Uuid,
    tenant_id: Option<Uuid>,
    files: Option<&Storage>,
) -> Result<archive::Archive, ReversibilityError> {
    let txn = scope.begin(db).await?;
    let (kind, tenant) = resolve(&txn, scope, organisation_id, tenant_id).await?;
    txn.commit().await?;
    let requested_by = requester(scope);
    let out = build(
        db,
        scope,
        kind,
        &tenant,
        &requested_by,
        &mut archive::Silent,
        files,
    )
    .await?;
    let txn = scope.begin(db).await?;
    record(&txn, scope, kind, &tenant, &requested_by, None, &out).await?;
    txn.commit().await?;
    Ok(out)
}

/// [`export_now`] by the organisation's SIREN and a commune's INSEE code.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn export_by_codes(
    db: &DatabaseConnection,
    scope: &Can<can::ExportAllData>,
    siren: &str,
    insee: Option<&str>,
    files: Option<&Storage>,
) -> Result<archive::Archive, ReversibilityError> {
    let txn = scope.begin(db).await?;
    let org = scope
        .find::<crate::entities::organisation::Entity>()
        .filter(crate::entities::organisation::Column::Siren.eq(siren))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    let tenant = match insee {
        None => None,
        Some(code) => Some(
            scope
                .find::<tenant::Entity>()
                .filter(tenant::Column::OrganisationId.eq(org.id))
                .filter(tenant::Column::InseeCode.eq(code))
                .one(&txn)
                .await?
                .ok_or(AccessError::NotFound)?
                .id,
        ),
    };
    txn.commit().await?;
    export_now(db, scope, org.id, tenant, files).await
}

/// An export and the name of the tenant it covers.
#[derive(Debug, Clone)]
pub struct ExportView {
    pub row: export::Model,
    pub tenant_name: String,
}

/// The newest exports the scope reaches, optionally of one organisation.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
) -> Result<Vec<ExportView>, ReversibilityError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<export::Entity>();
    if let Some(o) = organisation_id {
        q = q.filter(export::Column::OrganisationId.eq(o));
    }
    let rows = q
        .order_by_desc(export::Column::CreatedAt)
        .order_by_desc(export::Column::Id)
        .limit(LIST_LIMIT)
        .all(&txn)
        .await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.tenant_id).collect();
    ids.sort();
    ids.dedup();
    let names: std::collections::HashMap<Uuid, String> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|row| ExportView {
            tenant_name: names.get(&row.tenant_id).cloned().unwrap_or_default(),
            row,
        })
        .collect())
}

/// A finished export's archive, when the scope reaches its tenant.
pub async fn download(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<(export::Model, Vec<u8>), ReversibilityError> {
    let txn = scope.begin(db).await?;
    let row = scope.get::<export::Entity, _>(&txn, id).await??;
    // An organisation's archive is for those who reach it whole.
    if row.kind == ExportKind::Organisation.as_str()
        && !scope.covers_organisation(row.organisation_id)
    {
        return Err(AccessError::NotFound.into());
    }
    if row.status != "done" {
        return Err(ReversibilityError::NotReady);
    }
    let bytes = scope
        .get::<archive_row::Entity, _>(&txn, id)
        .await??
        .content;
    txn.commit().await?;
    Ok((row, bytes))
}

struct Sink<'a> {
    db: &'a DatabaseConnection,
    scope: &'a Scope,
    id: Uuid,
    last: std::time::Instant,
}

impl Progress for Sink<'_> {
    async fn report(&mut self, done: u64, total: u64) -> Result<(), ReversibilityError> {
        // Often enough for a progress bar, rarely enough to cost nothing.
        if done != 0 && done != total && self.last.elapsed() < std::time::Duration::from_millis(500)
        {
            return Ok(());
        }
        self.last = std::time::Instant::now();
        let txn = self.scope.begin(self.db).await?;
        export::Entity::update_many()
            .col_expr(export::Column::ProgressDone, Expr::value(done as i64))
            .col_expr(export::Column::ProgressTotal, Expr::value(total as i64))
            .filter(export::Column::Id.eq(self.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The worker's side: writes the archive, stores it, records its manifest in the audit trail.
/// A retry of a finished export does nothing.
pub async fn run(
    db: &DatabaseConnection,
    id: Uuid,
    files: Option<&Storage>,
) -> Result<(), ReversibilityError> {
    let worker = Scope::worker(Permission::ExportAllData);
    let txn = worker.begin(db).await?;
    let Some(row) = worker.get::<export::Entity, _>(&txn, id).await?.ok() else {
        return Ok(());
    };
    if row.status == "done" {
        return Ok(());
    }
    let mut running: export::ActiveModel = row.clone().into();
    running.status = Set("running".into());
    running.started_at = Set(Some(Utc::now()));
    running.error = Set(None);
    running.update(&txn).await?;
    txn.commit().await?;

    match produce(db, &row, files).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let txn = worker.begin(db).await?;
            export::Entity::update_many()
                .col_expr(export::Column::Status, Expr::value("failed"))
                .col_expr(export::Column::Error, Expr::value(e.to_string()))
                .filter(export::Column::Id.eq(id))
                .exec(&txn)
                .await?;
            txn.commit().await?;
            Err(e)
        }
    }
}

async fn produce(
    db: &DatabaseConnection,
    row: &export::Model,
    files: Option<&Storage>,
) -> Result<(), ReversibilityError> {
    let whole = row.kind == ExportKind::Organisation.as_str();
    let kind = if whole {
        ExportKind::Organisation
    } else {
        ExportKind::Tenant
    };
    // The worker reads only what the request covers, as its requester would.
    let scope: Can<can::ExportAllData> = if whole {
        Can::worker_for_organisation(row.organisation_id)
    } else {
        Can::single_tenant(Principal::worker(), row.organisation_id, row.tenant_id)
    };
    let txn = scope.begin(db).await?;
    let tenant = scope
        .get::<tenant::Entity, _>(&txn, row.tenant_id)
        .await??;
    txn.commit().await?;
    let mut sink = Sink {
        db,
        scope: &scope,
        id: row.id,
        last: std::time::Instant::now(),
    };
    let out = build(
        db,
        &scope,
        kind,
        &tenant,
        &row.requested_by,
        &mut sink,
        files,
    )
    .await?;

    let txn = scope.begin(db).await?;
    archive_row::Entity::delete_many()
        .filter(archive_row::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    archive_row::ActiveModel::from(archive_row::Model {
        id: row.id,
        organisation_id: row.organisation_id,
        tenant_id: row.tenant_id,
        content: out.zip.clone(),
    })
    .insert(&txn)
    .await?;
    let mut done: export::ActiveModel = row.clone().into();
    done.status = Set("done".into());
    done.archive_bytes = Set(Some(out.zip.len() as i64));
    done.rows_exported = Set(Some(out.rows as i64));
    done.manifest_sha256 = Set(Some(out.manifest_sha256.clone()));
    done.finished_at = Set(Some(Utc::now()));
    done.error = Set(None);
    done.update(&txn).await?;
    record(
        &txn,
        &scope,
        kind,
        &tenant,
        &row.requested_by,
        Some(row.id),
        &out,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Lists the tenants covered and writes the archive.
async fn build(
    db: &DatabaseConnection,
    scope: &Scope,
    kind: ExportKind,
    tenant: &tenant::Model,
    requested_by: &str,
    progress: &mut impl Progress,
    files: Option<&Storage>,
) -> Result<archive::Archive, ReversibilityError> {
    let whole = kind == ExportKind::Organisation;
    let target = Target {
        organisation_id: tenant.organisation_id,
        tenants: (!whole).then(|| vec![tenant.id]),
    };
    let tenants = if whole {
        let txn = scope.begin(db).await?;
        let all = scope
            .find::<tenant::Entity>()
            .filter(tenant::Column::OrganisationId.eq(tenant.organisation_id))
            .order_by_asc(tenant::Column::Name)
            .order_by_asc(tenant::Column::Id)
            .all(&txn)
            .await?;
        txn.commit().await?;
        all
    } else {
        vec![tenant.clone()]
    };
    let subject = tenant.name.clone();
    let meta = ArchiveMeta {
        generated_at: Utc::now(),
        principal: requested_by.to_owned(),
        purpose: format!("Réversibilité : export de toutes les données — {subject}"),
        subject,
        tenants: tenants
            .iter()
            .map(|t| TenantRef {
                id: t.id.to_string(),
                name: t.name.clone(),
            })
            .collect(),
    };
    archive::write(db, scope, &target, meta, progress, files).await
}

/// The archive's manifest in the audit trail of the tenant exported (the organisation's own
/// tenant for a whole organisation).
async fn record(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Can<can::ExportAllData>,
    kind: ExportKind,
    tenant: &tenant::Model,
    requested_by: &str,
    export_id: Option<Uuid>,
    out: &archive::Archive,
) -> Result<(), ReversibilityError> {
    audit::record(
        txn,
        scope,
        Entry {
            organisation_id: tenant.organisation_id,
            tenant_id: tenant.id,
            operation: "exportReversibility",
            before: None,
            after: Some(json!({
                "exportId": export_id,
                "requestedBy": requested_by,
                "kind": kind.as_str(),
                "manifestSha256": out.manifest_sha256,
                "files": out.manifest.files.len(),
                "rows": out.rows,
                "bytes": out.zip.len(),
            })),
        },
    )
    .await?;
    Ok(())
}
