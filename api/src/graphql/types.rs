//! GraphQL output types, built from domain models.
use super::context::{scope, RequestCtx};
use super::errors::GqlResult;
use super::loaders::TenantLoader;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Json, Result, SimpleObject};
use chrono::{DateTime, Utc};
use tenants::entities::{api_token, audit_log, auditor_grant, membership, organisation, tenant};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Organisation {
    pub id: Uuid,
    /// SIREN of the intercommunality.
    pub siren: String,
    pub name: String,
    /// CA, CU, CC, METRO, MET69 or SYNDICAT.
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

impl From<organisation::Model> for Organisation {
    fn from(m: organisation::Model) -> Self {
        Self {
            id: m.id,
            siren: m.siren,
            name: m.name,
            kind: m.kind,
            created_at: m.created_at,
        }
    }
}

#[ComplexObject]
impl Organisation {
    /// The tenants of this organisation you can see (member communes and the organisation's own).
    async fn tenants(
        &self,
        ctx: &Context<'_>,
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
    ) -> Result<super::page::Page<Tenant>> {
        let s = scope::<can::ReadDirectory>(ctx)?;
        let rc = ctx.data::<RequestCtx>()?;
        let f = tenants::directory::TenantFilter {
            organisation_id: Some(self.id),
            search,
            kind: None,
            offset,
            limit: first,
        };
        Ok(super::page::Page::of(
            tenants::directory::tenants(&rc.db, &s, &f).await.gql()?,
        ))
    }
}

#[derive(SimpleObject, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub organisation_id: Uuid,
    /// "commune" or "organisation".
    pub kind: String,
    /// INSEE code (code officiel géographique) of a commune.
    pub insee_code: Option<String>,
    pub siren: String,
    pub name: String,
    /// Municipal population (INSEE).
    pub population: i64,
    pub created_at: DateTime<Utc>,
}

impl From<tenant::Model> for Tenant {
    fn from(m: tenant::Model) -> Self {
        Self {
            id: m.id,
            organisation_id: m.organisation_id,
            kind: m.kind,
            insee_code: m.insee_code,
            siren: m.siren,
            name: m.name,
            population: m.population,
            created_at: m.created_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Membership {
    pub id: Uuid,
    pub organisation_id: Uuid,
    /// Null for organisation-wide roles.
    pub tenant_id: Option<Uuid>,
    pub user_id: Uuid,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl From<membership::Model> for Membership {
    fn from(m: membership::Model) -> Self {
        Self {
            id: m.id,
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            user_id: m.user_id,
            role: m.role,
            created_at: m.created_at,
        }
    }
}

#[ComplexObject]
impl Membership {
    /// The tenant of a tenant role (batched per request).
    async fn tenant(&self, ctx: &Context<'_>) -> Result<Option<Tenant>> {
        let Some(id) = self.tenant_id else {
            return Ok(None);
        };
        let loader = ctx.data::<DataLoader<TenantLoader>>()?;
        Ok(loader.load_one(id).await?)
    }
}

#[derive(SimpleObject, Clone)]
pub struct Person {
    pub id: Uuid,
    pub email: String,
    pub given_name: Option<String>,
    pub usual_name: Option<String>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub memberships: Vec<Membership>,
}

impl From<tenants::directory::Person> for Person {
    fn from(p: tenants::directory::Person) -> Self {
        Self {
            id: p.user.id,
            email: p.user.email,
            given_name: p.user.given_name,
            usual_name: p.user.usual_name,
            last_login_at: p.user.last_login_at,
            memberships: p.memberships.into_iter().map(Membership::from).collect(),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct ApiToken {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub role: String,
    pub tenant_ids: Option<Vec<Uuid>>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<api_token::Model> for ApiToken {
    fn from(m: api_token::Model) -> Self {
        Self {
            id: m.id,
            organisation_id: m.organisation_id,
            name: m.name,
            prefix: m.prefix,
            role: m.role,
            tenant_ids: m.tenant_ids.and_then(|v| serde_json::from_value(v).ok()),
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
            last_used_at: m.last_used_at,
            created_at: m.created_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct CreatedApiToken {
    pub token: ApiToken,
    /// Shown once: only its hash is stored.
    pub secret: String,
}

#[derive(SimpleObject, Clone)]
pub struct AuditorGrant {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub email: Option<String>,
    pub tenant_ids: Vec<Uuid>,
    pub reason: String,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Neither revoked nor expired.
    pub active: bool,
}

impl AuditorGrant {
    pub fn new(m: auditor_grant::Model, email: Option<String>) -> Self {
        Self {
            active: m.revoked_at.is_none() && m.expires_at > Utc::now(),
            id: m.id,
            organisation_id: m.organisation_id,
            email,
            tenant_ids: serde_json::from_value(m.tenant_ids).unwrap_or_default(),
            reason: m.reason,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
            created_at: m.created_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct AuditRecord {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    /// Position in the tenant's hash chain, from 1.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub principal: String,
    pub operation: String,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<audit_log::Model> for AuditRecord {
    fn from(m: audit_log::Model) -> Self {
        Self {
            id: m.id,
            organisation_id: m.organisation_id,
            tenant_id: m.tenant_id,
            seq: m.seq,
            at: m.at,
            principal: m.principal,
            operation: m.operation,
            before: m.before.map(Json),
            after: m.after.map(Json),
            prev_hash: m.prev_hash,
            hash: m.hash,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct GrantInfo {
    pub organisation_id: Uuid,
    /// Null for organisation-wide roles.
    pub tenant_id: Option<Uuid>,
    pub role: String,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject, Clone)]
pub struct Me {
    pub display_name: String,
    pub email: Option<String>,
    /// "user", "token".
    pub kind: String,
    pub platform_admin: bool,
    pub roles: Vec<String>,
    pub grants: Vec<GrantInfo>,
}
