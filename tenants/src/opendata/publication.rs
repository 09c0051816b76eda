//! What a commune publishes: read and changed by its administrator in the console (« Données
//! ouvertes »). The register's publication keeps its own settings and permission (`EditGdpr`,
//! its published fields); the DECP's is here (`EditProcurement`). Each change is audited.
use super::{Dataset, OpenDataError};
use crate::audit::{self, Entry};
use crate::entities::{gdpr_register_settings, opendata_publication as publication, tenant};
use crate::tenancy::{can, AccessError, Capability, Either, Principal, Scope};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

/// One file of a dataset, at a stable address relative to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// `HTML`, `JSON` or `XML` (the EU file-type authority's codes).
    pub format: &'static str,
    pub media_type: &'static str,
    pub path: String,
}

/// The stable addresses of a commune's dataset.
pub fn distributions(dataset: Dataset, tenant_id: Uuid) -> Vec<Distribution> {
    match dataset {
        Dataset::Register => vec![
            Distribution {
                format: "HTML",
                media_type: "text/html",
                path: format!("/public/registre/{tenant_id}"),
            },
            Distribution {
                format: "JSON",
                media_type: "application/json",
                path: format!("/public/registre/{tenant_id}?format=json"),
            },
        ],
        Dataset::Decp => vec![
            Distribution {
                format: "JSON",
                media_type: "application/json",
                path: format!("/opendata/{tenant_id}/decp.json"),
            },
            Distribution {
                format: "XML",
                media_type: "application/xml",
                path: format!("/opendata/{tenant_id}/decp.xml"),
            },
        ],
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub tenant_id: Uuid,
    pub dataset: Dataset,
    pub published: bool,
    pub first_published_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The scope that reads a dataset's publication: the register's readers, or the contracts'.
pub type ReadScope = Either<can::ReadGdpr, can::ReadProcurement>;
/// The scope that publishes or withdraws it: the register's editors, or the contracts'.
pub type WriteScope = Either<can::EditGdpr, can::EditProcurement>;

impl Dataset {
    /// The one place that says which dataset needs which permission (`write` for a change).
    pub fn read_scope(self, principal: &Principal) -> Result<ReadScope, AccessError> {
        Either::ask(principal, self == Dataset::Register)
    }
    pub fn write_scope(self, principal: &Principal) -> Result<WriteScope, AccessError> {
        Either::ask(principal, self == Dataset::Register)
    }
}

fn dataset_of<A: Capability, B: Capability>(scope: &Either<A, B>) -> Dataset {
    match scope {
        Either::A(_) => Dataset::Register,
        Either::B(_) => Dataset::Decp,
    }
}

/// The commune's public-register settings row, if it has one.
async fn register_settings(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    tenant_id: Uuid,
) -> Result<Option<gdpr_register_settings::Model>, sea_orm::DbErr> {
    scope
        .find::<gdpr_register_settings::Entity>()
        .filter(gdpr_register_settings::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await
}

/// A commune's publication of the dataset `scope` was asked for (`Dataset::read_scope`).
pub async fn get(
    db: &DatabaseConnection,
    scope: &ReadScope,
    tenant_id: Uuid,
) -> Result<Publication, OpenDataError> {
    let dataset = dataset_of(scope);
    let txn = scope.begin(db).await?;
    scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    let p = match dataset {
        Dataset::Register => {
            let s = register_settings(&txn, scope, tenant_id).await?;
            Publication {
                tenant_id,
                dataset,
                published: s.as_ref().is_some_and(|s| s.published),
                first_published_at: None,
                updated_at: s.map(|s| s.updated_at),
            }
        }
        Dataset::Decp => {
            let row = scope
                .find::<publication::Entity>()
                .filter(publication::Column::TenantId.eq(tenant_id))
                .filter(publication::Column::Dataset.eq(dataset.code()))
                .one(&txn)
                .await?;
            Publication {
                tenant_id,
                dataset,
                published: row.as_ref().is_some_and(|r| r.published),
                first_published_at: row.as_ref().and_then(|r| r.first_published_at),
                updated_at: row.map(|r| r.updated_at),
            }
        }
    };
    txn.commit().await?;
    Ok(p)
}

/// Publishes or withdraws a commune's dataset, the one `scope` was asked for
/// (`Dataset::write_scope`). The register keeps the fields it publishes.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn set(
    db: &DatabaseConnection,
    scope: &WriteScope,
    tenant_id: Uuid,
    published: bool,
) -> Result<Publication, OpenDataError> {
    let dataset = dataset_of(scope);
    if let Either::A(editor) = scope {
        let current = crate::gdpr::register::settings(db, editor, tenant_id).await?;
        crate::gdpr::register::set(db, editor, tenant_id, published, current.fields).await?;
        let txn = scope.begin(db).await?;
        let updated_at = register_settings(&txn, scope, tenant_id)
            .await?
            .map(|s| s.updated_at);
        txn.commit().await?;
        return Ok(Publication {
            tenant_id,
            dataset,
            published,
            first_published_at: None,
            updated_at,
        });
    }
    let now = Utc::now();
    let txn = scope.begin(db).await?;
    let t = scope.get::<tenant::Entity, _>(&txn, tenant_id).await??;
    if t.kind == "organisation" {
        return Err(OpenDataError::BadInput {
            field: "tenantId",
            message: "seule une commune publie ses données essentielles de marchés".into(),
        });
    }
    let existing = scope
        .find::<publication::Entity>()
        .filter(publication::Column::TenantId.eq(tenant_id))
        .filter(publication::Column::Dataset.eq(dataset.code()))
        .one(&txn)
        .await?;
    let before = existing.as_ref().map(|e| json!({"published": e.published}));
    let first = existing
        .as_ref()
        .and_then(|e| e.first_published_at)
        .or(published.then_some(now));
    let row = match existing {
        Some(e) => {
            let mut a: publication::ActiveModel = e.into();
            a.published = Set(published);
            a.first_published_at = Set(first);
            a.updated_by = Set(scope.principal().audit_ref());
            a.updated_at = Set(now);
            a.update(&txn).await?
        }
        None => {
            publication::ActiveModel {
                id: Set(Uuid::now_v7()),
                organisation_id: Set(t.organisation_id),
                tenant_id: Set(t.id),
                dataset: Set(dataset.code().to_owned()),
                published: Set(published),
                first_published_at: Set(first),
                updated_by: Set(scope.principal().audit_ref()),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: t.organisation_id,
            tenant_id: t.id,
            operation: "setOpenDataPublication",
            before,
            after: Some(json!({"dataset": dataset.code(), "published": published})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Publication {
        tenant_id,
        dataset,
        published: row.published,
        first_published_at: row.first_published_at,
        updated_at: Some(row.updated_at),
    })
}
