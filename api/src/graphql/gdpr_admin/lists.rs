//! The console's GDPR lists: the columns each person shows (kept per person on the server),
//! and the register's bulk archive.
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use crate::graphql::gdpr::types::Term;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use tenants::gdpr::lists::ListKind;
use tenants::gdpr::{bulk, preferences};
use tenants::tenancy::can;
use uuid::Uuid;

/// An activity selected in the list, with the version read there.
#[derive(InputObject)]
pub struct SelectedActivity {
    pub id: Uuid,
    pub version: i32,
}

/// What a bulk archive did.
#[derive(SimpleObject)]
pub struct BulkArchiveResult {
    pub archived: i64,
    pub ids: Vec<Uuid>,
    /// The result in French, for the person who asked.
    pub message: String,
}

#[derive(Default)]
pub struct GdprListQuery;

#[Object]
impl GdprListQuery {
    /// The columns of a list (activities, requests, breaches, processors), with their French
    /// headers, in the list's order.
    async fn list_column_choices(&self, list: String) -> Result<Vec<Term>> {
        let kind = ListKind::parse(&list).gql()?;
        Ok(kind.columns().iter().map(|(k, l)| Term::of(k, l)).collect())
    }

    /// The columns you chose for a list (null before any choice, and for an API token).
    async fn list_columns(&self, ctx: &Context<'_>, list: String) -> Result<Option<Vec<String>>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let kind = ListKind::parse(&list).gql()?;
        preferences::columns(db, &s, kind).await.gql()
    }
}

#[derive(Default)]
pub struct GdprListMutation;

#[Object]
impl GdprListMutation {
    /// Keep your choice of visible columns for a list (it follows you to another browser).
    /// Answers the columns as kept, in the list's order.
    async fn set_list_columns(
        &self,
        ctx: &Context<'_>,
        list: String,
        #[graphql(validator(max_items = 50))] columns: Vec<String>,
    ) -> Result<Vec<String>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let kind = ListKind::parse(&list).gql()?;
        preferences::set_columns(db, &s, kind, &columns).await.gql()
    }

    /// Archive the selected activities at once (at most 200): all of them, or none when one is
    /// refused (the error names it). `version` is each one's as read in the list.
    async fn archive_activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(max_items = 200))] items: Vec<SelectedActivity>,
    ) -> Result<BulkArchiveResult> {
        let (db, s) = scoped::<can::EditGdpr>(ctx)?;
        let selected: Vec<(Uuid, i32)> = items.iter().map(|i| (i.id, i.version)).collect();
        let rows = bulk::archive_activities(db, &s, &selected).await.gql()?;
        let n = rows.len();
        Ok(BulkArchiveResult {
            archived: n as i64,
            message: if n == 1 {
                "1 traitement a été archivé.".into()
            } else {
                format!("{n} traitements ont été archivés.")
            },
            ids: rows.into_iter().map(|r| r.id).collect(),
        })
    }
}
