//! The DPO's yearly bilan per commune (issue 19). The DPO (or the DSI) asks for the bilans of
//! every member commune of the organisation for a year: the run and one job per commune are
//! written in one transaction (the job table is the outbox); each job computes the commune's
//! figures, renders its DOCX and PDF off the async runtime and stores them with the figures.
//! A run's progress is its bilans counted against its communes; the last one stamps the run
//! finished. A job that runs twice (a lease expired) stores nothing the second time.
pub mod figures;
pub mod render;

use super::GdprError;
use crate::audit::{self, Entry};
use crate::calendar::paris_today;
use crate::entities::{gdpr_bilan, gdpr_bilan_run};
use crate::jobs::{self, JobOwner};
use crate::tenancy::{can, AccessError, Can, Permission, Scope};
use chrono::{Datelike, Utc};
use figures::BilanFigures;
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The job kind of one commune's bilan.
pub const BILAN_JOB: &str = "gdpr.bilan";

/// Job: write one commune's bilan of a run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BilanJob {
    pub run_id: Uuid,
    pub tenant_id: Uuid,
    pub year: i32,
}

impl crate::jobs::Job for BilanJob {
    const KIND: &'static str = BILAN_JOB;
    fn cause(&self) -> String {
        format!("{}:{}", self.run_id, self.tenant_id)
    }
}
/// The first year a bilan may cover (the GDPR applies since 25 May 2018).
pub const FIRST_YEAR: i32 = 2018;

/// A run and how far it has gone.
#[derive(Debug, Clone)]
pub struct RunProgress {
    pub run: gdpr_bilan_run::Model,
    pub done: i64,
}

/// A stored bilan without its documents (lists stay light).
#[derive(Debug, Clone)]
pub struct BilanSummary {
    pub id: Uuid,
    pub run_id: Uuid,
    pub tenant_id: Uuid,
    pub year: i32,
    pub figures: BilanFigures,
    pub created_at: chrono::DateTime<Utc>,
}

fn check_year(year: i32) -> Result<(), GdprError> {
    let now = paris_today().year();
    if !(FIRST_YEAR..=now).contains(&year) {
        return Err(GdprError::BadInput {
            field: "year",
            message: format!("L'année du bilan va de {FIRST_YEAR} à {now}."),
        });
    }
    Ok(())
}

/// Asks the worker for the bilans of every member commune of `organisation_id` for `year`
/// (`EditGdpr` over the whole organisation: its DPO or DSI).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = %organisation_id, tenant_id = tracing::field::Empty))]
pub async fn request(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    organisation_id: Uuid,
    year: i32,
) -> Result<gdpr_bilan_run::Model, GdprError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    check_year(year)?;
    let txn = scope.begin(db).await?;
    let org_tenant = scope.organisation_tenant(&txn, organisation_id).await??;
    let communes = figures::communes(&txn, scope, organisation_id).await?;
    if communes.is_empty() {
        return Err(GdprError::Conflict(
            "L'intercommunalité n'a aucune commune membre : il n'y a pas de bilan à produire."
                .into(),
        ));
    }
    let run = gdpr_bilan_run::ActiveModel::from(gdpr_bilan_run::Model {
        id: Uuid::now_v7(),
        organisation_id,
        tenant_id: org_tenant.id,
        year,
        total: i32::try_from(communes.len()).unwrap_or(i32::MAX),
        requested_by: scope.principal().audit_ref(),
        created_at: Utc::now(),
        finished_at: None,
    })
    .insert(&txn)
    .await?;
    for t in &communes {
        jobs::enqueue(
            &txn,
            JobOwner {
                organisation_id,
                tenant_id: t.id,
            },
            &BilanJob {
                run_id: run.id,
                tenant_id: t.id,
                year,
            },
        )
        .await
        .map_err(|e| GdprError::Corrupt(e.to_string()))?;
    }
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id,
            tenant_id: org_tenant.id,
            operation: "requestGdprBilans",
            before: None,
            after: Some(json!({"runId": run.id, "year": year, "communes": communes.len()})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(run)
}

/// The worker's job: one commune's bilan of a run, computed, rendered and stored (once).
pub async fn generate(
    db: &DatabaseConnection,
    organisation_id: Uuid,
    run_id: Uuid,
    tenant_id: Uuid,
) -> Result<(), GdprError> {
    let scope = Scope::worker_for_organisation(Permission::ReadGdpr, organisation_id);
    let txn = scope.begin(db).await?;
    let run = scope
        .get::<gdpr_bilan_run::Entity, _>(&txn, run_id)
        .await??;
    let exists = scope
        .find::<gdpr_bilan::Entity>()
        .filter(gdpr_bilan::Column::RunId.eq(run_id))
        .filter(gdpr_bilan::Column::TenantId.eq(tenant_id))
        .count(&txn)
        .await?;
    txn.commit().await?;
    if exists > 0 {
        return Ok(());
    }
    let f = figures::compute(db, &scope, tenant_id, run.year, paris_today()).await?;
    let at = Utc::now();
    let for_render = f.clone();
    let (docx, pdf) = crate::blocking::run(move || render::render(&for_render, at))
        .await
        .map_err(|e| GdprError::Corrupt(e.to_string()))?
        .map_err(|e| GdprError::Corrupt(e.to_string()))?;
    let txn = scope.begin(db).await?;
    gdpr_bilan::Entity::insert(gdpr_bilan::ActiveModel::from(gdpr_bilan::Model {
        id: Uuid::now_v7(),
        organisation_id,
        tenant_id,
        run_id,
        year: run.year,
        figures: serde_json::to_value(&f).map_err(|e| GdprError::Corrupt(e.to_string()))?,
        docx,
        pdf,
        created_at: at,
    }))
    .on_conflict(
        OnConflict::columns([
            gdpr_bilan::Column::RunId,
            gdpr_bilan::Column::TenantId,
            gdpr_bilan::Column::OrganisationId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(&txn)
    .await?;
    let done = scope
        .find::<gdpr_bilan::Entity>()
        .filter(gdpr_bilan::Column::RunId.eq(run_id))
        .count(&txn)
        .await?;
    if done >= u64::try_from(run.total).unwrap_or(0) && run.finished_at.is_none() {
        let mut a: gdpr_bilan_run::ActiveModel = run.into();
        a.finished_at = Set(Some(Utc::now()));
        a.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn progress(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    runs: Vec<gdpr_bilan_run::Model>,
) -> Result<Vec<RunProgress>, GdprError> {
    let ids: Vec<Uuid> = runs.iter().map(|r| r.id).collect();
    let counts: Vec<(Uuid, i64)> = scope
        .find::<gdpr_bilan::Entity>()
        .select_only()
        .column(gdpr_bilan::Column::RunId)
        .column_as(gdpr_bilan::Column::Id.count(), "n")
        .filter(gdpr_bilan::Column::RunId.is_in(ids))
        .group_by(gdpr_bilan::Column::RunId)
        .into_tuple()
        .all(txn)
        .await?;
    let counts: HashMap<Uuid, i64> = counts.into_iter().collect();
    Ok(runs
        .into_iter()
        .map(|run| RunProgress {
            done: counts.get(&run.id).copied().unwrap_or(0),
            run,
        })
        .collect())
}

/// The runs of an organisation read whole by the scope, newest first (at most 20).
pub async fn runs(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Uuid,
) -> Result<Vec<RunProgress>, GdprError> {
    if !scope.covers_organisation(organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<gdpr_bilan_run::Entity>()
        .filter(gdpr_bilan_run::Column::OrganisationId.eq(organisation_id))
        .order_by_desc(gdpr_bilan_run::Column::CreatedAt)
        .order_by_desc(gdpr_bilan_run::Column::Id)
        .limit(20)
        .all(&txn)
        .await?;
    let out = progress(&txn, scope, rows).await?;
    txn.commit().await?;
    Ok(out)
}

/// One run and its progress.
pub async fn run(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<RunProgress, GdprError> {
    let txn = scope.begin(db).await?;
    let row = scope.get::<gdpr_bilan_run::Entity, _>(&txn, id).await??;
    let out = progress(&txn, scope, vec![row]).await?;
    txn.commit().await?;
    out.into_iter()
        .next()
        .ok_or(GdprError::Access(AccessError::NotFound))
}

fn summary(m: gdpr_bilan::Model) -> Result<BilanSummary, GdprError> {
    Ok(BilanSummary {
        figures: serde_json::from_value(m.figures)
            .map_err(|e| GdprError::Corrupt(e.to_string()))?,
        id: m.id,
        run_id: m.run_id,
        tenant_id: m.tenant_id,
        year: m.year,
        created_at: m.created_at,
    })
}

/// Stored bilans the scope reads: of one run, or of communes (newest first), without bytes.
pub async fn bilans(
    db: &DatabaseConnection,
    scope: &Scope,
    run_id: Option<Uuid>,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<BilanSummary>, GdprError> {
    use gdpr_bilan::Column as C;
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<gdpr_bilan::Entity>().select_only().columns([
        C::Id,
        C::OrganisationId,
        C::TenantId,
        C::RunId,
        C::Year,
        C::Figures,
        C::CreatedAt,
    ]);
    if let Some(r) = run_id {
        q = q.filter(C::RunId.eq(r));
    }
    if let Some(ids) = tenant_ids {
        q = q.filter(C::TenantId.is_in(ids));
    }
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        Uuid,
        Uuid,
        Uuid,
        Uuid,
        i32,
        serde_json::Value,
        chrono::DateTime<Utc>,
    )> = q
        .order_by_desc(C::CreatedAt)
        .limit(1000)
        .into_tuple()
        .all(&txn)
        .await?;
    txn.commit().await?;
    let mut out: Vec<BilanSummary> = rows
        .into_iter()
        .map(
            |(id, organisation_id, tenant_id, run_id, year, figures, created_at)| {
                summary(gdpr_bilan::Model {
                    id,
                    organisation_id,
                    tenant_id,
                    run_id,
                    year,
                    figures,
                    docx: vec![],
                    pdf: vec![],
                    created_at,
                })
            },
        )
        .collect::<Result<_, _>>()?;
    out.sort_by(|a, b| crate::collation::french_cmp(&a.figures.commune, &b.figures.commune));
    Ok(out)
}

/// One stored bilan with its documents (a download).
pub async fn document(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_bilan::Model, GdprError> {
    let txn = scope.begin(db).await?;
    let row = scope.get::<gdpr_bilan::Entity, _>(&txn, id).await??;
    txn.commit().await?;
    Ok(row)
}

/// The figures a bilan of `tenant_id` for `year` would say now (the console's view of them).
pub async fn live_figures(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_id: Uuid,
    year: i32,
) -> Result<BilanFigures, GdprError> {
    check_year(year)?;
    figures::compute(db, scope, tenant_id, year, paris_today()).await
}
