//! Open data: what a commune publishes in the platform's DCAT-AP catalogue
//! (`/opendata/catalog.jsonld`), read and changed from its « Données ouvertes » page.
use super::context::scoped_by;
use super::errors::GqlResult;
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::opendata::publication::{self, Publication};
use tenants::opendata::Dataset;
use uuid::Uuid;

/// One file of a published dataset.
#[derive(SimpleObject)]
pub struct OpenDataDistribution {
    /// HTML, JSON or XML.
    pub format: String,
    pub media_type: String,
    /// Its stable address, relative to the server.
    pub path: String,
}

/// A commune's publication of one dataset in the open-data catalogue.
#[derive(SimpleObject)]
pub struct OpenDataPublication {
    pub tenant_id: Uuid,
    /// register (its public register of processing activities) or decp (the essential data
    /// of its public contracts).
    pub dataset: String,
    pub label: String,
    pub published: bool,
    /// First publication (the catalogue's `dct:issued`), when known.
    pub first_published_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Where the data is served (also while unpublished: those addresses then answer 404).
    pub distributions: Vec<OpenDataDistribution>,
    /// The catalogue that lists it once published.
    pub catalog_path: String,
}

impl From<Publication> for OpenDataPublication {
    fn from(p: Publication) -> Self {
        Self {
            tenant_id: p.tenant_id,
            dataset: p.dataset.code().into(),
            label: p.dataset.label().into(),
            published: p.published,
            first_published_at: p.first_published_at,
            updated_at: p.updated_at,
            distributions: publication::distributions(p.dataset, p.tenant_id)
                .into_iter()
                .map(|d| OpenDataDistribution {
                    format: d.format.into(),
                    media_type: d.media_type.into(),
                    path: d.path,
                })
                .collect(),
            catalog_path: tenants::opendata::dcat::CATALOG_PATH.into(),
        }
    }
}

fn dataset(code: &str) -> Result<Dataset> {
    Dataset::parse(code).gql()
}

#[derive(Default)]
pub struct OpenDataQuery;

#[Object]
impl OpenDataQuery {
    /// A commune's publication of `dataset` (register: who reads its register; decp: who reads
    /// its contracts).
    async fn open_data_publication(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        dataset: String,
    ) -> Result<OpenDataPublication> {
        let d = self::dataset(&dataset)?;
        let (db, s) = scoped_by(ctx, |p| d.read_scope(p))?;
        Ok(publication::get(db, &s, tenant_id).await.gql()?.into())
    }
}

#[derive(Default)]
pub struct OpenDataMutation;

#[Object]
impl OpenDataMutation {
    /// Publishes (or withdraws) a commune's dataset in the open-data catalogue. The register
    /// keeps the fields chosen with `setPublicRegister`.
    async fn set_open_data_publication(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        dataset: String,
        published: bool,
    ) -> Result<OpenDataPublication> {
        let d = self::dataset(&dataset)?;
        let (db, s) = scoped_by(ctx, |p| d.write_scope(p))?;
        Ok(publication::set(db, &s, tenant_id, published)
            .await
            .gql()?
            .into())
    }
}
