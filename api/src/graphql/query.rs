//! Read operations.
use super::context::{principal, scoped};
use super::errors::{code, coded, GqlResult};
use super::page::{self, Page};
use super::types::*;
use async_graphql::{Context, Object, Result};
use tenants::tenancy::{can, AccessError, PrincipalKind};
use uuid::Uuid;

#[derive(Default)]
pub struct PlatformQuery;

#[Object]
impl PlatformQuery {
    /// Who you are and what you hold.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let p = principal(ctx)?;
        Ok(Me {
            display_name: p.display_name.clone(),
            email: p.email.clone(),
            kind: match p.kind {
                PrincipalKind::User(_) => "user",
                PrincipalKind::Token(_) => "token",
                PrincipalKind::Operator => "operator",
                PrincipalKind::Public => "public",
                PrincipalKind::Worker => "worker",
                PrincipalKind::Ingest(_) => "ingest",
            }
            .into(),
            platform_admin: p.platform_admin,
            roles: p.roles().iter().map(|r| r.as_str().to_owned()).collect(),
            grants: p
                .grants
                .iter()
                .map(|g| GrantInfo {
                    organisation_id: g.organisation_id,
                    tenant_id: g.tenant_id,
                    role: g.role.as_str().into(),
                    expires_at: g.expires_at,
                })
                .collect(),
        })
    }

    /// Organisations you reach (whole, or through one of their tenants).
    async fn organisations(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        let (db, s) = scoped::<can::ReadDirectory>(ctx)?;
        Ok(tenants::directory::organisations(db, &s)
            .await
            .gql()?
            .into_iter()
            .map(Organisation::from)
            .collect())
    }

    async fn organisation(&self, ctx: &Context<'_>, id: Uuid) -> Result<Organisation> {
        let (db, s) = scoped::<can::ReadDirectory>(ctx)?;
        tenants::directory::organisations(db, &s)
            .await
            .gql()?
            .into_iter()
            .find(|o| o.id == id)
            .map(Organisation::from)
            .ok_or_else(|| coded(code::NOT_FOUND, AccessError::NotFound.to_string()))
    }

    /// Tenants you reach, by name; `search` matches a name part or an exact INSEE code.
    #[allow(clippy::too_many_arguments)]
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
        search: Option<String>,
        #[graphql(desc = "commune (member communes) or organisation (its own tenant)")]
        kind: Option<String>,
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
    ) -> Result<Page<Tenant>> {
        let (db, s) = scoped::<can::ReadDirectory>(ctx)?;
        let f = tenants::directory::TenantFilter {
            organisation_id,
            search,
            kind,
            offset,
            limit: first,
        };
        Ok(Page::of(
            tenants::directory::tenants(db, &s, &f).await.gql()?,
        ))
    }

    async fn tenant(&self, ctx: &Context<'_>, id: Uuid) -> Result<Tenant> {
        let (db, s) = scoped::<can::ReadDirectory>(ctx)?;
        Ok(tenants::directory::tenant(db, &s, id).await.gql()?.into())
    }

    /// People with a role in what you reach, with those roles.
    async fn people(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<Person>> {
        let (db, s) = scoped::<can::ReadDirectory>(ctx)?;
        Ok(tenants::directory::people(db, &s, organisation_id)
            .await
            .gql()?
            .into_iter()
            .map(Person::from)
            .collect())
    }

    /// API tokens of the organisations you administer.
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        let (db, s) = scoped::<can::ManageTokens>(ctx)?;
        Ok(tenants::access::api_tokens(db, &s)
            .await
            .gql()?
            .into_iter()
            .map(ApiToken::from)
            .collect())
    }

    /// Auditor grants of the organisations where you manage auditors.
    async fn auditor_grants(&self, ctx: &Context<'_>) -> Result<Vec<AuditorGrant>> {
        let (db, s) = scoped::<can::ManageAuditors>(ctx)?;
        Ok(tenants::access::auditor_grants(db, &s)
            .await
            .gql()?
            .into_iter()
            .map(|(g, u)| AuditorGrant::new(g, u.map(|u| u.email)))
            .collect())
    }

    /// The audit trail, newest first.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        tenant_id: Option<Uuid>,
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
    ) -> Result<Page<AuditRecord>> {
        let (db, s) = scoped::<can::ReadAudit>(ctx)?;
        if let Some(t) = tenant_id {
            // A foreign tenant reads as not found, not as an empty list.
            tenants::directory::tenant(db, &s, t).await.gql()?;
        }
        Ok(Page::of(
            tenants::audit::list(db, &s, tenant_id, page::req(offset, first))
                .await
                .gql()?,
        ))
    }
}
