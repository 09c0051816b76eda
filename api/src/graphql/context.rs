//! Per-request GraphQL context: the database and who is calling.
use super::errors::{code, coded, IntoGql};
use crate::http::auth::Caller;
use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;
use tenants::tenancy::{AccessError, Can, Capability, Principal};

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

/// The caller's scope for the permission `P` (`scope::<can::EditGdpr>(ctx)`): the only way a
/// resolver reaches tenant data. Domain writes take the typed scope, so a resolver that asks
/// for the wrong permission does not compile.
pub fn scope<P: Capability>(ctx: &Context<'_>) -> Result<Can<P>> {
    principal(ctx)?.can::<P>().map_err(IntoGql::into_gql)
}

/// The database and the caller's scope for `P`: the opening line of most resolvers.
pub fn scoped<'a, P: Capability>(ctx: &'a Context<'_>) -> Result<(&'a DatabaseConnection, Can<P>)> {
    let s = scope::<P>(ctx)?;
    Ok((&ctx.data::<RequestCtx>()?.db, s))
}

/// The database and a scope whose permission is chosen at run time from the caller
/// (`Dataset::write_scope`, `StatusChange::ask`).
pub fn scoped_by<'a, T>(
    ctx: &'a Context<'_>,
    ask: impl FnOnce(&Principal) -> Result<T, AccessError>,
) -> Result<(&'a DatabaseConnection, T)> {
    let s = ask(principal(ctx)?).map_err(IntoGql::into_gql)?;
    Ok((&ctx.data::<RequestCtx>()?.db, s))
}
