//! Output types of documents and the library.
use crate::graphql::gdpr::types::Term;
use crate::graphql::scalars::Date;
use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tenants::entities::{
    gdpr_document, gdpr_document_link, gdpr_resource, gdpr_resource_read, gdpr_resource_version,
    tenant,
};
use tenants::gdpr::documents::library::ResourceCategory;
use tenants::gdpr::documents::{DocumentKind, LinkTarget};
use uuid::Uuid;

/// What a document proves: an activity, a rights request, a breach, a processor or an
/// action plan item of the same commune.
#[derive(SimpleObject, Clone)]
pub struct DocumentLink {
    /// `activity`, `request`, `breach`, `processor` or `action`, with its French label.
    pub target: Term,
    pub target_id: Uuid,
}

impl From<&gdpr_document_link::Model> for DocumentLink {
    fn from(l: &gdpr_document_link::Model) -> Self {
        Self {
            target: Term::of(
                &l.target_kind,
                LinkTarget::parse(&l.target_kind).map_or("?", |t| t.label()),
            ),
            target_id: l.target_id,
        }
    }
}

/// An evidence document of a commune.
#[derive(SimpleObject, Clone)]
pub struct Document {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: Term,
    pub title: String,
    pub document_date: Date,
    pub file_name: String,
    /// Found from the file's content at upload.
    pub media_type: String,
    pub bytes: i64,
    /// Lowercase hexadecimal SHA-256 of the file.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    /// Where the file is downloaded (as an attachment, by those who read the register).
    pub download_url: String,
    pub links: Vec<DocumentLink>,
}

impl Document {
    pub fn of(d: gdpr_document::Model, links: &[gdpr_document_link::Model]) -> Self {
        let kind = DocumentKind::parse(&d.kind);
        Self {
            kind: Term::of(&d.kind, kind.map_or("?", |k| k.label())),
            download_url: format!("/documents/{}/file", d.id),
            links: links
                .iter()
                .filter(|l| l.document_id == d.id)
                .map(DocumentLink::from)
                .collect(),
            id: d.id,
            tenant_id: d.tenant_id,
            title: d.title,
            document_date: Date(d.document_date),
            file_name: d.file_name,
            media_type: d.media_type,
            bytes: d.bytes,
            sha256: d.sha256,
            uploaded_by: d.uploaded_by,
            uploaded_at: d.uploaded_at,
        }
    }
}

/// One version of a library resource: a file or a link.
#[derive(SimpleObject, Clone)]
pub struct ResourceVersion {
    pub id: Uuid,
    pub version: i32,
    /// `file` or `link`.
    pub kind: String,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub bytes: Option<i64>,
    pub sha256: Option<String>,
    pub url: Option<String>,
    /// What changed in this version.
    pub note: String,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
    /// Opens the version (a download, or the link) and records the reader's receipt; add
    /// `?tenant=` to say for which commune.
    pub open_url: String,
}

impl From<&gdpr_resource_version::Model> for ResourceVersion {
    fn from(v: &gdpr_resource_version::Model) -> Self {
        Self {
            id: v.id,
            version: v.version,
            kind: if v.url.is_some() { "link" } else { "file" }.into(),
            file_name: v.file_name.clone(),
            media_type: v.media_type.clone(),
            bytes: v.bytes,
            sha256: v.sha256.clone(),
            url: v.url.clone(),
            note: v.note.clone(),
            published_by: v.published_by.clone(),
            published_at: v.published_at,
            open_url: format!("/library/versions/{}/file", v.id),
        }
    }
}

/// Who in one commune read a version.
#[derive(SimpleObject, Clone)]
pub struct ResourceRead {
    pub tenant_id: Uuid,
    pub reader_name: String,
    pub version: i32,
    pub read_at: DateTime<Utc>,
}

/// Whether a commune read the current version, and who.
#[derive(SimpleObject, Clone)]
pub struct CommuneReadStatus {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub read_current: bool,
    /// The receipts of the current version in this commune.
    pub readers: Vec<ResourceRead>,
    /// The newest version anyone of this commune read (none: never opened).
    pub last_version_read: Option<i32>,
}

/// A resource of the DPO's library.
#[derive(SimpleObject, Clone)]
pub struct LibraryResource {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: Term,
    pub current_version: i32,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    /// The current version.
    pub current: Option<ResourceVersion>,
    /// Every version, newest first (old versions stay readable).
    pub versions: Vec<ResourceVersion>,
    /// You read the current version (for one of your communes).
    pub read_by_me: bool,
    /// The communes you reach, each with whether it read the current version.
    pub communes: Vec<CommuneReadStatus>,
    /// How many of them read the current version.
    pub communes_read: i32,
    pub communes_total: i32,
}

impl LibraryResource {
    pub fn of(
        r: gdpr_resource::Model,
        versions: &[gdpr_resource_version::Model],
        receipts: &[gdpr_resource_read::Model],
        communes: &[tenant::Model],
        me: &str,
    ) -> Self {
        let mine: Vec<&gdpr_resource_version::Model> =
            versions.iter().filter(|v| v.resource_id == r.id).collect();
        let reads: Vec<&gdpr_resource_read::Model> =
            receipts.iter().filter(|x| x.resource_id == r.id).collect();
        let current_reads = |t: Uuid| -> Vec<ResourceRead> {
            reads
                .iter()
                .filter(|x| x.tenant_id == t && x.version == r.current_version)
                .map(|x| ResourceRead {
                    tenant_id: x.tenant_id,
                    reader_name: x.reader_name.clone(),
                    version: x.version,
                    read_at: x.read_at,
                })
                .collect()
        };
        let mut last: HashMap<Uuid, i32> = HashMap::new();
        for x in &reads {
            let e = last.entry(x.tenant_id).or_insert(x.version);
            *e = (*e).max(x.version);
        }
        let status: Vec<CommuneReadStatus> = communes
            .iter()
            .filter(|t| t.organisation_id == r.organisation_id)
            .map(|t| {
                let readers = current_reads(t.id);
                CommuneReadStatus {
                    tenant_id: t.id,
                    tenant_name: t.name.clone(),
                    read_current: !readers.is_empty(),
                    readers,
                    last_version_read: last.get(&t.id).copied(),
                }
            })
            .collect();
        let category = ResourceCategory::parse(&r.category);
        Self {
            read_by_me: reads
                .iter()
                .any(|x| x.version == r.current_version && x.reader == me),
            communes_read: i32::try_from(status.iter().filter(|s| s.read_current).count())
                .unwrap_or(i32::MAX),
            communes_total: i32::try_from(status.len()).unwrap_or(i32::MAX),
            communes: status,
            current: mine
                .iter()
                .find(|v| v.version == r.current_version)
                .map(|v| ResourceVersion::from(*v)),
            versions: mine.into_iter().map(ResourceVersion::from).collect(),
            category: Term::of(&r.category, category.map_or("?", |c| c.label())),
            id: r.id,
            organisation_id: r.organisation_id,
            title: r.title,
            description: r.description,
            current_version: r.current_version,
            created_by: r.created_by,
            updated_at: r.updated_at,
        }
    }
}
