//! A commune's evidence documents: uploaded (content checked, hashed, stored, linked, audited
//! in one transaction), listed, downloaded and deleted through the scope of the caller.
use super::{bad, check_title, CheckedFile, DocumentError, DocumentKind, LinkTarget};
use crate::audit::{self, Entry};
use crate::collation::{fold, search_words};
use crate::entities::{
    gdpr_action, gdpr_activity, gdpr_breach, gdpr_document, gdpr_document_link, gdpr_processor,
    gdpr_request, tenant,
};
use crate::paging::{self, PageReq, Paged};
use crate::storage::Storage;
use crate::tenancy::{can, AccessError, Can, Scope};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use std::collections::BTreeSet;
use uuid::Uuid;

/// A document to record (its file already checked by [`super::check_file`]).
pub struct NewDocument {
    pub tenant_id: Uuid,
    pub kind: DocumentKind,
    pub title: String,
    pub document_date: NaiveDate,
    pub file: CheckedFile,
    pub links: Vec<(LinkTarget, Uuid)>,
}

/// Where a document's bytes are kept.
pub fn storage_key(organisation_id: Uuid, tenant_id: Uuid, id: Uuid) -> String {
    format!("documents/{organisation_id}/{tenant_id}/{id}")
}

/// The tenant of a link's target, when the scope reaches it.
async fn target_tenant(
    txn: &DatabaseTransaction,
    scope: &Scope,
    target: LinkTarget,
    id: Uuid,
) -> Result<Option<Uuid>, DocumentError> {
    Ok(match target {
        LinkTarget::Activity => scope
            .find::<gdpr_activity::Entity>()
            .filter(gdpr_activity::Column::Id.eq(id))
            .filter(gdpr_activity::Column::IsModel.eq(false))
            .one(txn)
            .await?
            .map(|r| r.tenant_id),
        LinkTarget::Request => scope
            .get::<gdpr_request::Entity, _>(txn, id)
            .await?
            .ok()
            .map(|r| r.tenant_id),
        LinkTarget::Breach => scope
            .get::<gdpr_breach::Entity, _>(txn, id)
            .await?
            .ok()
            .map(|r| r.tenant_id),
        LinkTarget::Processor => scope
            .get::<gdpr_processor::Entity, _>(txn, id)
            .await?
            .ok()
            .map(|r| r.tenant_id),
        LinkTarget::Action => scope
            .get::<gdpr_action::Entity, _>(txn, id)
            .await?
            .ok()
            .map(|r| r.tenant_id),
    })
}

/// Checks that every link's target is in the document's commune (unknown or out of reach:
/// not found; another commune's: a bad input that says so).
async fn check_links(
    txn: &DatabaseTransaction,
    scope: &Scope,
    tenant_id: Uuid,
    links: &[(LinkTarget, Uuid)],
) -> Result<Vec<(LinkTarget, Uuid)>, DocumentError> {
    let unique: BTreeSet<(&'static str, Uuid)> =
        links.iter().map(|(t, id)| (t.code(), *id)).collect();
    if unique.len() > 50 {
        return Err(bad("links", "Un document est lié à 50 éléments au plus."));
    }
    let mut out = vec![];
    for (code, id) in unique {
        let Some(target) = LinkTarget::parse(code) else {
            continue;
        };
        match target_tenant(txn, scope, target, id).await? {
            None => return Err(AccessError::NotFound.into()),
            Some(t) if t != tenant_id => {
                return Err(bad(
                    "links",
                    format!(
                        "{} appartient à une autre commune que ce document.",
                        capitalise(target.this_fr())
                    ),
                ))
            }
            Some(_) => out.push((target, id)),
        }
    }
    Ok(out)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

async fn insert_link(
    txn: &DatabaseTransaction,
    doc: &gdpr_document::Model,
    target: LinkTarget,
    id: Uuid,
) -> Result<(), DocumentError> {
    gdpr_document_link::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(doc.organisation_id),
        tenant_id: Set(doc.tenant_id),
        document_id: Set(doc.id),
        target_kind: Set(target.code().to_owned()),
        target_id: Set(id),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Records a document: the row, its links and the audit record in one transaction, the bytes
/// stored before it commits (a failed commit removes them again).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn upload(
    db: &DatabaseConnection,
    storage: &Storage,
    scope: &Can<can::EditGdpr>,
    d: NewDocument,
) -> Result<(gdpr_document::Model, Vec<gdpr_document_link::Model>), DocumentError> {
    let title = check_title(&d.title)?;
    if d.document_date > crate::calendar::paris_today() {
        return Err(bad(
            "documentDate",
            "La date du document ne peut pas être dans le futur.",
        ));
    }
    let txn = scope.begin(db).await?;
    let tenant = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(d.tenant_id))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    let links = check_links(&txn, scope, tenant.id, &d.links).await?;
    let id = Uuid::now_v7();
    let key = storage_key(tenant.organisation_id, tenant.id, id);
    let row = gdpr_document::ActiveModel {
        id: Set(id),
        organisation_id: Set(tenant.organisation_id),
        tenant_id: Set(tenant.id),
        kind: Set(d.kind.code().to_owned()),
        title: Set(title),
        document_date: Set(d.document_date),
        file_name: Set(d.file.file_name.clone()),
        media_type: Set(d.file.kind.media_type().to_owned()),
        bytes: Set(i64::try_from(d.file.bytes.len()).unwrap_or(i64::MAX)),
        sha256: Set(d.file.sha256.clone()),
        storage_key: Set(key.clone()),
        uploaded_by: Set(scope.principal().display_name.clone()),
        uploaded_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    for (t, target_id) in &links {
        insert_link(&txn, &row, *t, *target_id).await?;
    }
    // Stored before the audit record takes the commune's chain lock, so a slow upload to the
    // bucket holds no other writer of the commune.
    storage.put(&key, d.file.bytes).await?;
    let recorded = async {
        audit::record(
            &txn,
            scope,
            Entry {
                organisation_id: row.organisation_id,
                tenant_id: row.tenant_id,
                operation: "uploadDocument",
                before: None,
                after: Some(json!({
                    "id": row.id, "title": row.title, "kind": row.kind, "date": row.document_date,
                    "file": row.file_name, "mediaType": row.media_type, "bytes": row.bytes,
                    "sha256": row.sha256, "storage": storage.backend(),
                    "links": links.iter().map(|(t, i)| json!({"kind": t.code(), "id": i})).collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DocumentError>(())
    }
    .await;
    if let Err(e) = recorded {
        if let Err(cleanup) = storage.delete(&key).await {
            tracing::warn!(key = %key, error = %cleanup, "an uploaded file outlived its failed transaction");
        }
        return Err(e);
    }
    let links = links_of(db, scope, &[row.id]).await?;
    Ok((row, links))
}

/// A document and its bytes, for someone who reads the commune's register; the download is
/// recorded in the audit trail (who read which proof, when).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn download(
    db: &DatabaseConnection,
    storage: &Storage,
    scope: &Can<can::ReadGdpr>,
    id: Uuid,
) -> Result<(gdpr_document::Model, Vec<u8>), DocumentError> {
    let txn = scope.begin(db).await?;
    let doc = scope.get::<gdpr_document::Entity, _>(&txn, id).await??;
    let max = u64::try_from(doc.bytes).unwrap_or(0);
    let bytes = storage.get(&doc.storage_key, max).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: doc.organisation_id,
            tenant_id: doc.tenant_id,
            operation: "downloadDocument",
            before: None,
            after: Some(json!({"id": doc.id, "sha256": doc.sha256})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((doc, bytes))
}

/// Deletes a document and its links (audited with what it was); its file is removed once the
/// deletion is committed.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn delete(
    db: &DatabaseConnection,
    storage: &Storage,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
) -> Result<gdpr_document::Model, DocumentError> {
    let txn = scope.begin(db).await?;
    let doc = scope.get::<gdpr_document::Entity, _>(&txn, id).await??;
    let links = scope
        .find::<gdpr_document_link::Entity>()
        .filter(gdpr_document_link::Column::DocumentId.eq(doc.id))
        .all(&txn)
        .await?;
    gdpr_document_link::Entity::delete_many()
        .filter(gdpr_document_link::Column::DocumentId.eq(doc.id))
        .exec(&txn)
        .await?;
    gdpr_document::Entity::delete_by_id(doc.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: doc.organisation_id,
            tenant_id: doc.tenant_id,
            operation: "deleteDocument",
            before: Some(json!({
                "id": doc.id, "title": doc.title, "kind": doc.kind, "date": doc.document_date,
                "file": doc.file_name, "bytes": doc.bytes, "sha256": doc.sha256,
                "links": links.iter().map(|l| json!({"kind": l.target_kind, "id": l.target_id})).collect::<Vec<_>>(),
            })),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    if let Err(e) = storage.delete(&doc.storage_key).await {
        tracing::warn!(key = %doc.storage_key, error = %e, "a deleted document's file stays in the storage");
    }
    Ok(doc)
}

/// Links (or unlinks) a document and something of its commune's register.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), document_id = %document_id, target_id = %target_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn set_link(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    document_id: Uuid,
    target: LinkTarget,
    target_id: Uuid,
    linked: bool,
) -> Result<gdpr_document::Model, DocumentError> {
    let txn = scope.begin(db).await?;
    let doc = scope
        .get::<gdpr_document::Entity, _>(&txn, document_id)
        .await??;
    check_links(&txn, scope, doc.tenant_id, &[(target, target_id)]).await?;
    let existing = scope
        .find::<gdpr_document_link::Entity>()
        .filter(gdpr_document_link::Column::DocumentId.eq(doc.id))
        .filter(gdpr_document_link::Column::TargetKind.eq(target.code()))
        .filter(gdpr_document_link::Column::TargetId.eq(target_id))
        .one(&txn)
        .await?;
    match (linked, existing) {
        (true, Some(_)) => {
            return Err(DocumentError::Conflict(format!(
                "Ce document est déjà lié à {}.",
                target.this_fr()
            )))
        }
        (false, None) => {
            return Err(DocumentError::Conflict(format!(
                "Ce document n'est pas lié à {}.",
                target.this_fr()
            )))
        }
        (true, None) => insert_link(&txn, &doc, target, target_id).await?,
        (false, Some(l)) => {
            gdpr_document_link::Entity::delete_by_id(l.id)
                .exec(&txn)
                .await?;
        }
    }
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: doc.organisation_id,
            tenant_id: doc.tenant_id,
            operation: if linked {
                "linkDocument"
            } else {
                "unlinkDocument"
            },
            before: None,
            after: Some(json!({"document": doc.id, "kind": target.code(), "id": target_id})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(doc)
}

/// Which documents a list shows.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub tenant_ids: Option<Vec<Uuid>>,
    pub kind: Option<DocumentKind>,
    /// Only the documents linked to this.
    pub linked_to: Option<(LinkTarget, Uuid)>,
    /// Words of the title or the file name (case and accents ignored).
    pub search: Option<String>,
}

/// One page of the documents, newest document date first.
pub async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &DocumentFilter,
    req: PageReq,
) -> Result<Paged<gdpr_document::Model>, DocumentError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<gdpr_document::Entity>();
    if let Some(ids) = &f.tenant_ids {
        q = q.filter(gdpr_document::Column::TenantId.is_in(ids.clone()));
    }
    if let Some(k) = f.kind {
        q = q.filter(gdpr_document::Column::Kind.eq(k.code()));
    }
    if let Some((target, id)) = f.linked_to {
        let ids: Vec<Uuid> = scope
            .find::<gdpr_document_link::Entity>()
            .filter(gdpr_document_link::Column::TargetKind.eq(target.code()))
            .filter(gdpr_document_link::Column::TargetId.eq(id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|l| l.document_id)
            .collect();
        q = q.filter(gdpr_document::Column::Id.is_in(ids));
    }
    let q = q
        .order_by_desc(gdpr_document::Column::DocumentDate)
        .order_by_desc(gdpr_document::Column::Id);
    let words = search_words(f.search.as_deref());
    let out = if words.is_empty() {
        paging::select(&txn, q, req).await?
    } else {
        let hits = q
            .all(&txn)
            .await?
            .into_iter()
            .filter(|d| {
                let text = fold(&format!("{} {}", d.title, d.file_name));
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .collect();
        Paged::of_vec(hits, req)
    };
    txn.commit().await?;
    Ok(out)
}

pub async fn get(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_document::Model, DocumentError> {
    let txn = scope.begin(db).await?;
    let doc = scope.get::<gdpr_document::Entity, _>(&txn, id).await??;
    txn.commit().await?;
    Ok(doc)
}

/// The links of these documents (within the scope).
pub async fn links_of(
    db: &DatabaseConnection,
    scope: &Scope,
    document_ids: &[Uuid],
) -> Result<Vec<gdpr_document_link::Model>, DocumentError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<gdpr_document_link::Entity>()
        .filter(gdpr_document_link::Column::DocumentId.is_in(document_ids.to_vec()))
        .order_by_asc(gdpr_document_link::Column::TargetKind)
        .order_by_asc(gdpr_document_link::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}
