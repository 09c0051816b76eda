//! Write operations. Each is one transaction in the domain, audited there.
use super::context::{scope, scoped, RequestCtx};
use super::errors::{bad_input, GqlResult};
use super::types::*;
use async_graphql::{Context, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use tenants::identifiers::Siren;
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(Default)]
pub struct PlatformMutation;

#[derive(InputObject)]
pub struct InviteUserInput {
    pub email: String,
    pub given_name: Option<String>,
    pub usual_name: Option<String>,
    /// org_admin, dpo (whole organisation) or commune_admin, commune_editor (one tenant).
    pub role: String,
    pub organisation_id: Uuid,
    pub tenant_id: Option<Uuid>,
}

#[derive(InputObject)]
pub struct GrantAuditorInput {
    pub email: String,
    pub organisation_id: Uuid,
    pub tenant_ids: Vec<Uuid>,
    pub expires_at: DateTime<Utc>,
    /// The mission or inspection this access serves.
    pub reason: String,
}

#[derive(InputObject)]
pub struct CreateApiTokenInput {
    pub organisation_id: Uuid,
    pub name: String,
    pub role: String,
    /// For tenant roles; leave out for organisation-wide roles.
    pub tenant_ids: Option<Vec<Uuid>>,
    pub expires_at: DateTime<Utc>,
}

#[Object]
impl PlatformMutation {
    /// Give a person a role (they log in with this e-mail through the identity provider).
    async fn invite_user(&self, ctx: &Context<'_>, input: InviteUserInput) -> Result<Membership> {
        let (db, s) = scoped::<can::ManageUsers>(ctx)?;
        let m = tenants::directory::invite(
            db,
            &s,
            tenants::directory::Invitation {
                email: input.email,
                given_name: input.given_name,
                usual_name: input.usual_name,
                role: input.role,
                organisation_id: input.organisation_id,
                tenant_id: input.tenant_id,
            },
        )
        .await
        .gql()?;
        Ok(m.into())
    }

    /// Time-limited read and export access for an auditor on named tenants.
    async fn grant_auditor(
        &self,
        ctx: &Context<'_>,
        input: GrantAuditorInput,
    ) -> Result<AuditorGrant> {
        let (db, s) = scoped::<can::ManageAuditors>(ctx)?;
        let email = input.email.clone();
        let g = tenants::access::grant_auditor(
            db,
            &s,
            tenants::access::AuditorGrantInput {
                email: input.email,
                organisation_id: input.organisation_id,
                tenant_ids: input.tenant_ids,
                expires_at: input.expires_at,
                reason: input.reason,
            },
        )
        .await
        .gql()?;
        Ok(AuditorGrant::new(g, Some(email.trim().to_lowercase())))
    }

    async fn revoke_auditor(&self, ctx: &Context<'_>, id: Uuid) -> Result<AuditorGrant> {
        let (db, s) = scoped::<can::ManageAuditors>(ctx)?;
        let g = tenants::access::revoke_auditor(db, &s, id).await.gql()?;
        Ok(AuditorGrant::new(g, None))
    }

    /// A bearer token for scripts; the secret is in the answer and nowhere else.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> Result<CreatedApiToken> {
        let (db, s) = scoped::<can::ManageTokens>(ctx)?;
        let (t, secret) = tenants::access::create_api_token(
            db,
            &s,
            tenants::access::ApiTokenInput {
                organisation_id: input.organisation_id,
                name: input.name,
                role: input.role,
                tenant_ids: input.tenant_ids,
                expires_at: input.expires_at,
            },
        )
        .await
        .gql()?;
        Ok(CreatedApiToken {
            token: t.into(),
            secret,
        })
    }

    async fn revoke_api_token(&self, ctx: &Context<'_>, id: Uuid) -> Result<ApiToken> {
        let (db, s) = scoped::<can::ManageTokens>(ctx)?;
        Ok(tenants::access::revoke_api_token(db, &s, id)
            .await
            .gql()?
            .into())
    }

    /// Provision an organisation and its member communes from the imported referential
    /// (platform operators only).
    async fn create_organisation(&self, ctx: &Context<'_>, siren: String) -> Result<Organisation> {
        let s = scope::<can::ManageUsers>(ctx)?;
        if !s.is_platform() {
            return Err(super::errors::coded(
                super::errors::code::FORBIDDEN,
                "Seule l'exploitation de la plateforme crée des intercommunalités.",
            ));
        }
        let siren = Siren::parse(&siren).map_err(|e| bad_input("siren", e.to_string()))?;
        let db = &ctx.data::<RequestCtx>()?.db;
        let report = tenants::referential::provision(db, &s, &siren)
            .await
            .gql()?;
        tenants::directory::organisations(db, &s)
            .await
            .gql()?
            .into_iter()
            .find(|o| o.id == report.organisation_id)
            .map(Organisation::from)
            .ok_or_else(|| super::errors::internal("provisioned organisation not readable"))
    }
}
