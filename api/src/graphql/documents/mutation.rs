//! Writes on documents (their files are uploaded over HTTP): links and deletion, audited in
//! the domain.
use super::types::Document;
use crate::graphql::context::scoped;
use crate::graphql::errors::{bad_input, GqlResult};
use async_graphql::{Context, Object, Result};
use tenants::gdpr::documents::{evidence, LinkTarget};
use tenants::storage::Storage;
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(Default)]
pub struct DocumentMutation;

fn target(kind: &str) -> Result<LinkTarget> {
    LinkTarget::parse(kind).ok_or_else(|| {
        bad_input(
            "targetKind",
            format!("« {kind} » : activity, request, breach, processor ou action."),
        )
    })
}

async fn relink(
    ctx: &Context<'_>,
    document_id: Uuid,
    target_kind: String,
    target_id: Uuid,
    linked: bool,
) -> Result<Document> {
    let (db, s) = scoped::<can::EditGdpr>(ctx)?;
    let t = target(&target_kind)?;
    let d = evidence::set_link(db, &s, document_id, t, target_id, linked)
        .await
        .gql()?;
    let links = evidence::links_of(db, &s, &[d.id]).await.gql()?;
    Ok(Document::of(d, &links))
}

#[Object]
impl DocumentMutation {
    /// Deletes an evidence document, its links and its file (recorded in the audit trail
    /// with its title and SHA-256). Answers the id deleted.
    async fn delete_document(&self, ctx: &Context<'_>, id: Uuid) -> Result<Uuid> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let storage = ctx.data::<Storage>()?;
        Ok(evidence::delete(db, storage, &s, id).await.gql()?.id)
    }

    /// Links a document to an activity, request, breach, processor or action of its commune.
    async fn link_document(
        &self,
        ctx: &Context<'_>,
        document_id: Uuid,
        target_kind: String,
        target_id: Uuid,
    ) -> Result<Document> {
        relink(ctx, document_id, target_kind, target_id, true).await
    }

    async fn unlink_document(
        &self,
        ctx: &Context<'_>,
        document_id: Uuid,
        target_kind: String,
        target_id: Uuid,
    ) -> Result<Document> {
        relink(ctx, document_id, target_kind, target_id, false).await
    }
}
