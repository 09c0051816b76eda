//! Per-request GraphQL context: the database and who is calling.
use super::errors::{code, coded, IntoGql};
use crate::http::auth::Caller;
use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;
use tenants::tenancy::{Permission, Principal, Scope};

pub struct RequestCtx {
    pub db: DatabaseConnection,
    pub caller: Caller,
    /// Derives backup ingest signing keys; None when the server has no ingest secret.
    pub ingest_secret: Option<tenants::backups::ingest::IngestSecret>,
    /// The webhook's public address, given with a new ingest token.
    pub ingest_endpoint: String,
    pub redis: crate::redis_slot::RedisSlot,
    /// The workers' wake-up list, under the deployment's Redis key prefix.
    pub wake_list: String,
}

impl RequestCtx {
    /// Tells idle workers that jobs are waiting (best effort: they also poll the table).
    pub async fn wake_workers(&self) {
        if let Some(mut r) = self.redis.get() {
            let sent: redis::RedisResult<i64> = redis::cmd("LPUSH")
                .arg(&self.wake_list)
                .arg("wake")
                .query_async(&mut r)
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not wake the workers through Redis");
            }
        }
    }
}

pub fn principal<'a>(ctx: &'a Context<'_>) -> Result<&'a Principal> {
    match &ctx.data::<RequestCtx>()?.caller {
        Caller::Authenticated(p) => Ok(p),
        Caller::Anonymous => Err(coded(
            code::UNAUTHENTICATED,
            "Connectez-vous, ou envoyez un jeton d'API dans l'en-tête `Authorization: Bearer …`.",
        )),
        Caller::Rejected(why) => Err(coded(code::UNAUTHENTICATED, *why)),
    }
}

/// The caller's scope for one permission: the only way a resolver reaches tenant data.
pub fn scope(ctx: &Context<'_>, p: Permission) -> Result<Scope> {
    principal(ctx)?.scope(p).map_err(IntoGql::into_gql)
}

/// The database and the caller's scope for one permission: the opening line of most resolvers.
pub fn scoped<'a>(ctx: &'a Context<'_>, p: Permission) -> Result<(&'a DatabaseConnection, Scope)> {
    let s = scope(ctx, p)?;
    Ok((&ctx.data::<RequestCtx>()?.db, s))
}
