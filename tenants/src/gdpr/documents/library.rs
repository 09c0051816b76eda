//! The DPO's resource library: templates, guides and procedures the organisation publishes to
//! every member commune, as files or links. A resource is versioned (a new version never
//! replaces an old one); when a commune's person opens or downloads a version, a read receipt
//! is written (once a person, commune and version), so the DPO sees per resource which
//! communes and people have read the current version.
use super::{bad, check_title, CheckedFile, DocumentError};
use crate::audit::{self, Entry};
use crate::entities::{gdpr_resource, gdpr_resource_read, gdpr_resource_version, tenant};
use crate::storage::Storage;
use crate::tenancy::{can, AccessError, Can, Role, Scope};
use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

/// What a library resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceCategory {
    Template,
    Guide,
    Procedure,
    Other,
}

impl ResourceCategory {
    pub const ALL: [ResourceCategory; 4] = [
        ResourceCategory::Template,
        ResourceCategory::Guide,
        ResourceCategory::Procedure,
        ResourceCategory::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ResourceCategory::Template => "template",
            ResourceCategory::Guide => "guide",
            ResourceCategory::Procedure => "procedure",
            ResourceCategory::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ResourceCategory::Template => "Modèle",
            ResourceCategory::Guide => "Guide",
            ResourceCategory::Procedure => "Procédure",
            ResourceCategory::Other => "Autre",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// The content of one version: a checked file, or a link.
pub enum Content {
    File(CheckedFile),
    Link(String),
}

/// A link: an absolute http(s) URL of at most 2,000 characters.
pub fn check_url(url: &str) -> Result<String, DocumentError> {
    let u = url.trim();
    let parsed = url::Url::parse(u).map_err(|_| {
        bad::<DocumentError>("url", "Indiquez une adresse web complète (https://…).")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || u.chars().count() > 2000 {
        return Err(bad(
            "url",
            "Le lien est une adresse http:// ou https:// de 2 000 caractères au plus.",
        ));
    }
    Ok(parsed.to_string())
}

pub struct NewResource {
    pub organisation_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: ResourceCategory,
    pub note: String,
    pub content: Content,
}

pub fn version_key(organisation_id: Uuid, resource_id: Uuid, version_id: Uuid) -> String {
    format!("library/{organisation_id}/{resource_id}/{version_id}")
}

/// Writes a version row (and its file), in the caller's transaction.
async fn insert_version(
    txn: &DatabaseTransaction,
    storage: &Storage,
    scope: &Scope,
    resource: &gdpr_resource::Model,
    version: i32,
    note: &str,
    content: Content,
) -> Result<gdpr_resource_version::Model, DocumentError> {
    let id = Uuid::now_v7();
    let mut row = gdpr_resource_version::ActiveModel {
        id: Set(id),
        organisation_id: Set(resource.organisation_id),
        tenant_id: Set(resource.tenant_id),
        resource_id: Set(resource.id),
        version: Set(version),
        file_name: Set(None),
        media_type: Set(None),
        bytes: Set(None),
        sha256: Set(None),
        storage_key: Set(None),
        url: Set(None),
        note: Set(note.trim().chars().take(2000).collect()),
        published_by: Set(scope.principal().display_name.clone()),
        published_at: Set(Utc::now()),
    };
    match content {
        Content::Link(u) => row.url = Set(Some(check_url(&u)?)),
        Content::File(f) => {
            let key = version_key(resource.organisation_id, resource.id, id);
            row.file_name = Set(Some(f.file_name));
            row.media_type = Set(Some(f.kind.media_type().to_owned()));
            row.bytes = Set(Some(i64::try_from(f.bytes.len()).unwrap_or(i64::MAX)));
            row.sha256 = Set(Some(f.sha256));
            row.storage_key = Set(Some(key.clone()));
            storage.put(&key, f.bytes).await?;
        }
    }
    Ok(row.insert(txn).await?)
}

fn version_json(v: &gdpr_resource_version::Model) -> serde_json::Value {
    json!({"resource": v.resource_id, "version": v.version, "versionId": v.id, "file": v.file_name,
           "sha256": v.sha256, "bytes": v.bytes, "url": v.url, "note": v.note})
}

/// Commits, or removes the file a failed transaction stored.
async fn commit_or_clean(
    txn: DatabaseTransaction,
    storage: &Storage,
    v: &gdpr_resource_version::Model,
) -> Result<(), DocumentError> {
    if let Err(e) = txn.commit().await {
        if let Some(k) = &v.storage_key {
            if let Err(c) = storage.delete(k).await {
                tracing::warn!(key = %k, error = %c, "a library file outlived its failed transaction");
            }
        }
        return Err(e.into());
    }
    Ok(())
}

/// Publishes a new resource (its version 1) in the organisation's own tenant.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn publish(
    db: &DatabaseConnection,
    storage: &Storage,
    scope: &Can<can::PublishModels>,
    r: NewResource,
) -> Result<(gdpr_resource::Model, gdpr_resource_version::Model), DocumentError> {
    if !scope.covers_organisation(r.organisation_id) {
        return Err(AccessError::NotFound.into());
    }
    let title = check_title(&r.title)?;
    if let Content::Link(u) = &r.content {
        check_url(u)?;
    }
    let txn = scope.begin(db).await?;
    let org_tenant = scope.organisation_tenant(&txn, r.organisation_id).await??;
    let now = Utc::now();
    let res = gdpr_resource::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(org_tenant.organisation_id),
        tenant_id: Set(org_tenant.id),
        title: Set(title),
        description: Set(r.description.trim().chars().take(4000).collect()),
        category: Set(r.category.code().to_owned()),
        current_version: Set(1),
        created_by: Set(scope.principal().display_name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let v = insert_version(&txn, storage, scope, &res, 1, &r.note, r.content).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: res.organisation_id,
            tenant_id: res.tenant_id,
            operation: "publishResource",
            before: None,
            after: Some(json!({"id": res.id, "title": res.title, "category": res.category, "first": version_json(&v)})),
        },
    )
    .await?;
    commit_or_clean(txn, storage, &v).await?;
    Ok((res, v))
}

/// Adds a version to a resource; the old ones stay readable.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), resource_id = %resource_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn add_version(
    db: &DatabaseConnection,
    storage: &Storage,
    scope: &Can<can::PublishModels>,
    resource_id: Uuid,
    note: &str,
    content: Content,
) -> Result<(gdpr_resource::Model, gdpr_resource_version::Model), DocumentError> {
    if let Content::Link(u) = &content {
        check_url(u)?;
    }
    let txn = scope.begin(db).await?;
    // Only the publisher's own organisation (org-wide scope) reaches the resource here.
    let res = gdpr_resource::Entity::find_by_id(resource_id)
        .filter(
            gdpr_resource::Column::OrganisationId.is_in(
                scope
                    .member_organisations()
                    .into_iter()
                    .filter(|o| scope.covers_organisation(*o))
                    .collect::<Vec<_>>(),
            ),
        )
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    let next = res.current_version + 1;
    let v = insert_version(&txn, storage, scope, &res, next, note, content).await?;
    let mut a: gdpr_resource::ActiveModel = res.into();
    a.current_version = Set(next);
    a.updated_at = Set(Utc::now());
    let res = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: res.organisation_id,
            tenant_id: res.tenant_id,
            operation: "addResourceVersion",
            before: None,
            after: Some(version_json(&v)),
        },
    )
    .await?;
    commit_or_clean(txn, storage, &v).await?;
    Ok((res, v))
}

/// Resources of the organisations where the scope reaches a tenant, newest change first.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_id: Option<Uuid>,
) -> Result<Vec<gdpr_resource::Model>, DocumentError> {
    let mut orgs = scope.member_organisations();
    if let Some(o) = organisation_id {
        orgs.retain(|x| *x == o);
    }
    let txn = scope.begin(db).await?;
    let rows = gdpr_resource::Entity::find()
        .filter(gdpr_resource::Column::OrganisationId.is_in(orgs))
        .order_by_desc(gdpr_resource::Column::UpdatedAt)
        .order_by_desc(gdpr_resource::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

pub async fn get(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_resource::Model, DocumentError> {
    let txn = scope.begin(db).await?;
    let row = gdpr_resource::Entity::find_by_id(id)
        .filter(gdpr_resource::Column::OrganisationId.is_in(scope.member_organisations()))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    txn.commit().await?;
    Ok(row)
}

/// Every version of these resources, newest first.
pub async fn versions(
    db: &DatabaseConnection,
    scope: &Scope,
    resource_ids: &[Uuid],
) -> Result<Vec<gdpr_resource_version::Model>, DocumentError> {
    let txn = scope.begin(db).await?;
    let rows = gdpr_resource_version::Entity::find()
        .filter(gdpr_resource_version::Column::ResourceId.is_in(resource_ids.to_vec()))
        .filter(gdpr_resource_version::Column::OrganisationId.is_in(scope.member_organisations()))
        .order_by_desc(gdpr_resource_version::Column::Version)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// The read receipts of these resources the scope reaches: a commune its own, the
/// organisation's DPO every commune's.
pub async fn receipts(
    db: &DatabaseConnection,
    scope: &Scope,
    resource_ids: &[Uuid],
) -> Result<Vec<gdpr_resource_read::Model>, DocumentError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<gdpr_resource_read::Entity>()
        .filter(gdpr_resource_read::Column::ResourceId.is_in(resource_ids.to_vec()))
        .order_by_desc(gdpr_resource_read::Column::ReadAt)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// The communes this person reads for, in the organisation: those where they hold a commune
/// role (the DPO, the DSI and auditors leave no receipt: they are not the readers the DPO
/// follows). `tenant`, when given, narrows it to that commune.
fn reader_tenants(scope: &Scope, organisation_id: Uuid, tenant: Option<Uuid>) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = scope
        .principal()
        .grants
        .iter()
        .filter(|g| g.organisation_id == organisation_id)
        .filter(|g| matches!(g.role, Role::CommuneAdmin | Role::CommuneEditor))
        .filter_map(|g| g.tenant_id)
        .filter(|t| tenant.is_none_or(|x| x == *t))
        .filter(|t| scope.covers(organisation_id, *t))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Opens one version: its row, its bytes for a file, and a read receipt for each commune the
/// person reads for (the first time only).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), version_id = %version_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn open_version(
    db: &DatabaseConnection,
    storage: &Storage,
    scope: &Can<can::ReadGdpr>,
    version_id: Uuid,
    tenant: Option<Uuid>,
) -> Result<(gdpr_resource_version::Model, Option<Vec<u8>>), DocumentError> {
    let txn = scope.begin(db).await?;
    let v = gdpr_resource_version::Entity::find_by_id(version_id)
        .filter(gdpr_resource_version::Column::OrganisationId.is_in(scope.member_organisations()))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    let bytes = match &v.storage_key {
        Some(k) => Some(
            storage
                .get(k, v.bytes.and_then(|b| u64::try_from(b).ok()).unwrap_or(0))
                .await?,
        ),
        None => None,
    };
    let readers = reader_tenants(scope, v.organisation_id, tenant);
    let now = Utc::now();
    for t in readers {
        gdpr_resource_read::Entity::insert(gdpr_resource_read::ActiveModel {
            id: Set(Uuid::now_v7()),
            organisation_id: Set(v.organisation_id),
            tenant_id: Set(t),
            resource_id: Set(v.resource_id),
            version_id: Set(v.id),
            version: Set(v.version),
            reader: Set(scope.principal().audit_ref()),
            reader_name: Set(scope.principal().display_name.clone()),
            read_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                gdpr_resource_read::Column::VersionId,
                gdpr_resource_read::Column::TenantId,
                gdpr_resource_read::Column::Reader,
                gdpr_resource_read::Column::OrganisationId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok((v, bytes))
}

/// The member communes of these organisations the scope reaches (the DPO: all of them; a
/// commune: itself), by name.
pub async fn communes(
    db: &DatabaseConnection,
    scope: &Scope,
    organisation_ids: &[Uuid],
) -> Result<Vec<tenant::Model>, DocumentError> {
    use crate::collation::OrderByName;
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::OrganisationId.is_in(organisation_ids.to_vec()))
        .filter(tenant::Column::Kind.eq("commune"))
        .order_by_name(tenant::Column::Name)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_web_addresses() {
        assert_eq!(
            check_url(" https://www.cnil.fr/fr/guide ").expect("url"),
            "https://www.cnil.fr/fr/guide"
        );
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("file:///etc/passwd").is_err());
        assert!(check_url("cnil.fr").is_err());
    }
}
