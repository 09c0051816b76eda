//! Reads of documents and the library.
use super::types::{Document, LibraryResource};
use crate::graphql::context::scoped;
use crate::graphql::errors::{bad_input, GqlResult};
use crate::graphql::gdpr::types::Term;
use crate::graphql::page::{self, Page};
use async_graphql::{Context, Object, Result};
use tenants::gdpr::documents::library::{self, ResourceCategory};
use tenants::gdpr::documents::{evidence, DocumentKind, LinkTarget};
use tenants::tenancy::{can, Scope};
use uuid::Uuid;

#[derive(Default)]
pub struct DocumentQuery;

/// The resources with their versions, receipts and communes, read in four queries.
pub(super) async fn resources_of(
    db: &sea_orm::DatabaseConnection,
    s: &Scope,
    rows: Vec<tenants::entities::gdpr_resource::Model>,
) -> Result<Vec<LibraryResource>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut orgs: Vec<Uuid> = rows.iter().map(|r| r.organisation_id).collect();
    orgs.sort();
    orgs.dedup();
    let versions = library::versions(db, s, &ids).await.gql()?;
    let receipts = library::receipts(db, s, &ids).await.gql()?;
    let communes = library::communes(db, s, &orgs).await.gql()?;
    let me = s.principal().audit_ref();
    Ok(rows
        .into_iter()
        .map(|r| LibraryResource::of(r, &versions, &receipts, &communes, &me))
        .collect())
}

#[Object]
impl DocumentQuery {
    /// The types of evidence documents, with their French labels.
    async fn document_kinds(&self) -> Vec<Term> {
        DocumentKind::ALL
            .iter()
            .map(|k| Term::of(k.code(), k.label()))
            .collect()
    }

    /// The categories of the library's resources.
    async fn library_categories(&self) -> Vec<Term> {
        ResourceCategory::ALL
            .iter()
            .map(|c| Term::of(c.code(), c.label()))
            .collect()
    }

    /// Evidence documents of the communes you read, newest document date first; `linkedKind`
    /// and `linkedId` keep those linked to one activity, request, breach, processor or action;
    /// `search`: words of the title or file name (case and accents ignored).
    #[allow(clippy::too_many_arguments)]
    async fn documents(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        kind: Option<String>,
        linked_kind: Option<String>,
        linked_id: Option<Uuid>,
        search: Option<String>,
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
    ) -> Result<Page<Document>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let kind =
            match kind.as_deref() {
                None | Some("") => None,
                Some(k) => Some(DocumentKind::parse(k).ok_or_else(|| {
                    bad_input("kind", format!("Type de document inconnu « {k} »."))
                })?),
            };
        let linked_to = match (linked_kind.as_deref(), linked_id) {
            (None, None) => None,
            (Some(k), Some(id)) => Some((
                LinkTarget::parse(k).ok_or_else(|| {
                    bad_input(
                        "linkedKind",
                        format!("« {k} » : activity, request, breach, processor ou action."),
                    )
                })?,
                id,
            )),
            _ => {
                return Err(bad_input(
                    "linkedId",
                    "Donnez linkedKind et linkedId ensemble.",
                ))
            }
        };
        let f = evidence::DocumentFilter {
            tenant_ids,
            kind,
            linked_to,
            search,
        };
        let p = evidence::page(db, &s, &f, page::req(offset, first))
            .await
            .gql()?;
        let ids: Vec<Uuid> = p.items.iter().map(|d| d.id).collect();
        let links = evidence::links_of(db, &s, &ids).await.gql()?;
        Ok(Page {
            total_count: i64::try_from(p.total).unwrap_or(i64::MAX),
            items: p
                .items
                .into_iter()
                .map(|d| Document::of(d, &links))
                .collect(),
        })
    }

    async fn document(&self, ctx: &Context<'_>, id: Uuid) -> Result<Document> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let d = evidence::get(db, &s, id).await.gql()?;
        let links = evidence::links_of(db, &s, &[d.id]).await.gql()?;
        Ok(Document::of(d, &links))
    }

    /// The library of the organisations you belong to, newest change first, with who read
    /// the current version of each resource (the DPO: every commune; a commune: itself).
    async fn library_resources(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<LibraryResource>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let rows = library::list(db, &s, organisation_id).await.gql()?;
        resources_of(db, &s, rows).await
    }

    async fn library_resource(&self, ctx: &Context<'_>, id: Uuid) -> Result<LibraryResource> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let row = library::get(db, &s, id).await.gql()?;
        resources_of(db, &s, vec![row])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| crate::graphql::errors::internal("resource vanished"))
    }
}
