//! The commune's GDPR actors: read with the register, written by its administrator or the DPO.
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use crate::graphql::gdpr::types::Term;
use crate::graphql::scalars::Date;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::entities::gdpr_actor;
use tenants::gdpr::actors::{self, ActorInput};
use tenants::gdpr::vocab::ActorRole;
use tenants::tenancy::can;
use uuid::Uuid;

/// A person who carries a commune's GDPR.
#[derive(SimpleObject, Clone)]
pub struct GdprActor {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// referent, representative, it_referent or committee_member, with its French label.
    pub role: Term,
    /// A committee member's role in the committee.
    pub committee_role: String,
    pub full_name: String,
    pub function_title: String,
    pub email: String,
    pub phone: String,
    pub since: Option<Date>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<gdpr_actor::Model> for GdprActor {
    fn from(m: gdpr_actor::Model) -> Self {
        let role = ActorRole::parse(&m.role)
            .map(|r| Term::of(r.code(), r.label()))
            .unwrap_or_else(|_| Term::of(&m.role, &m.role));
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            role,
            committee_role: m.committee_role,
            full_name: m.full_name,
            function_title: m.function_title,
            email: m.email,
            phone: m.phone,
            since: m.since.map(Date),
            version: m.version,
            updated_at: m.updated_at,
        }
    }
}

/// One commune's actors at a glance (the DPO's view across communes).
#[derive(SimpleObject, Clone)]
pub struct GdprActorCoverage {
    pub tenant_id: Uuid,
    pub name: String,
    pub insee_code: Option<String>,
    pub referent: Option<String>,
    pub representative: Option<String>,
    pub it_referent: Option<String>,
    pub committee_members: i64,
    /// The roles nobody holds, in French (empty when complete).
    pub missing: Vec<String>,
}

#[derive(InputObject)]
pub struct GdprActorInput {
    /// referent, representative, it_referent or committee_member (see gdprActorRoles).
    pub role: String,
    #[graphql(default)]
    pub committee_role: String,
    pub full_name: String,
    #[graphql(default)]
    pub function_title: String,
    #[graphql(default)]
    pub email: String,
    #[graphql(default)]
    pub phone: String,
    pub since: Option<Date>,
}

impl From<GdprActorInput> for ActorInput {
    fn from(i: GdprActorInput) -> Self {
        ActorInput {
            role: i.role,
            committee_role: i.committee_role,
            full_name: i.full_name,
            function_title: i.function_title,
            email: i.email,
            phone: i.phone,
            since: i.since.map(|d| d.0),
        }
    }
}

#[derive(Default)]
pub struct GdprActorQuery;

#[Object]
impl GdprActorQuery {
    /// The roles a commune's GDPR actor may hold, with their French labels.
    async fn gdpr_actor_roles(&self) -> Vec<Term> {
        ActorRole::ALL
            .iter()
            .map(|r| Term::of(r.code(), r.label()))
            .collect()
    }

    /// The GDPR actors of the communes you read (or of `tenantIds` among them), by commune,
    /// role and name.
    async fn gdpr_actors(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<GdprActor>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(actors::actors(db, &s, tenant_ids)
            .await
            .gql()?
            .into_iter()
            .map(GdprActor::from)
            .collect())
    }

    /// Every member commune of the organisation you read, with who holds each role and what
    /// is missing (a commune without a référent shows it).
    async fn gdpr_actor_coverage(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
    ) -> Result<Vec<GdprActorCoverage>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(actors::coverage(db, &s, organisation_id)
            .await
            .gql()?
            .into_iter()
            .map(|c| GdprActorCoverage {
                missing: c.missing().into_iter().map(str::to_owned).collect(),
                tenant_id: c.tenant.id,
                name: c.tenant.name,
                insee_code: c.tenant.insee_code,
                referent: c.referent,
                representative: c.representative,
                it_referent: c.it_referent,
                committee_members: c.committee_members,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct GdprActorMutation;

#[Object]
impl GdprActorMutation {
    /// Record a GDPR actor of a commune (its administrator or the DPO). A commune has one
    /// référent, one representative and one IT referent at a time (CONFLICT for a second).
    async fn create_gdpr_actor(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        input: GdprActorInput,
    ) -> Result<GdprActor> {
        let (db, s) = scoped::<can::EditGdprActors>(ctx)?;
        Ok(actors::create(db, &s, tenant_id, input.into())
            .await
            .gql()?
            .into())
    }

    /// Change an actor's record; `version` is the one you read (CONFLICT if it moved).
    async fn update_gdpr_actor(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: i32,
        input: GdprActorInput,
    ) -> Result<GdprActor> {
        let (db, s) = scoped::<can::EditGdprActors>(ctx)?;
        Ok(actors::update(db, &s, id, version, input.into())
            .await
            .gql()?
            .into())
    }

    /// Remove an actor who left the role (the audit trail keeps the record). Answers its id.
    async fn delete_gdpr_actor(&self, ctx: &Context<'_>, id: Uuid) -> Result<Uuid> {
        let (db, s) = scoped::<can::EditGdprActors>(ctx)?;
        actors::delete(db, &s, id).await.gql()
    }
}
