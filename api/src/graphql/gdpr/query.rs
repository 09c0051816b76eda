//! GDPR reads.
use super::types::*;
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use async_graphql::{Context, Object, Result};
use tenants::gdpr::{self, activity::ActivityFilter, requests::RequestFilter, vocab::*};
use tenants::tenancy::Permission;
use uuid::Uuid;

#[derive(Default)]
pub struct GdprQuery;

#[Object]
impl GdprQuery {
    /// Codes and French labels of every closed list the GDPR module uses.
    async fn gdpr_vocabulary(&self) -> Vocabulary {
        Vocabulary::get()
    }

    /// Register entries you can read, across the communes you reach.
    #[allow(clippy::too_many_arguments)]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        status: Option<String>,
        dpia_required: Option<bool>,
        sensitive: Option<bool>,
        search: Option<String>,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] first: u64,
        #[graphql(default = 0)] offset: u64,
    ) -> Result<Vec<Activity>> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        let status = status
            .map(|v| super::inputs::vocab("status", ActivityStatus::parse(&v)))
            .transpose()?;
        let f = ActivityFilter {
            tenant_ids,
            status,
            dpia_required,
            sensitive,
            search,
            offset,
            limit: first,
        };
        Ok(gdpr::activity::list(db, &s, &f)
            .await
            .gql()?
            .into_iter()
            .map(Activity::from)
            .collect())
    }

    async fn activity(&self, ctx: &Context<'_>, id: Uuid) -> Result<Activity> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(gdpr::activity::get(db, &s, id).await.gql()?.into())
    }

    /// Model activities published by your organisations.
    async fn model_activities(&self, ctx: &Context<'_>) -> Result<Vec<Activity>> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(gdpr::models::list(db, &s)
            .await
            .gql()?
            .into_iter()
            .map(Activity::from)
            .collect())
    }

    async fn processors(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<Processor>> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(gdpr::processors::processors(db, &s, tenant_ids)
            .await
            .gql()?
            .into_iter()
            .map(Processor::from)
            .collect())
    }

    async fn processor(&self, ctx: &Context<'_>, id: Uuid) -> Result<Processor> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(gdpr::processors::processor(db, &s, id).await.gql()?.into())
    }

    async fn gdpr_actions(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default)] open_only: bool,
    ) -> Result<Vec<Action>> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(gdpr::processors::actions(db, &s, tenant_ids, open_only)
            .await
            .gql()?
            .into_iter()
            .map(Action::from)
            .collect())
    }

    /// Rights requests, soonest deadline first.
    async fn rights_requests(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default)] open_only: bool,
        #[graphql(default)] overdue_only: bool,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] first: u64,
        #[graphql(default = 0)] offset: u64,
    ) -> Result<Vec<RightsRequest>> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        let f = RequestFilter {
            tenant_ids,
            open_only,
            overdue_only,
            offset,
            limit: first,
        };
        Ok(gdpr::requests::list(db, &s, &f, gdpr::paris_today())
            .await
            .gql()?
            .into_iter()
            .map(RightsRequest::from)
            .collect())
    }

    async fn rights_request(&self, ctx: &Context<'_>, id: Uuid) -> Result<RightsRequest> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(gdpr::requests::get(db, &s, id).await.gql()?.into())
    }

    /// Breaches, newest first; `openOnly`: neither notified nor documented as not notified.
    async fn breaches(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default)] open_only: bool,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] first: u64,
        #[graphql(default = 0)] offset: u64,
    ) -> Result<Vec<Breach>> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(
            gdpr::breaches::list(db, &s, tenant_ids, open_only, offset, first)
                .await
                .gql()?
                .into_iter()
                .map(Breach::from)
                .collect(),
        )
    }

    async fn breach(&self, ctx: &Context<'_>, id: Uuid) -> Result<Breach> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(gdpr::breaches::get(db, &s, id).await.gql()?.into())
    }

    /// What a commune publishes of its register.
    async fn public_register_settings(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
    ) -> Result<PublicRegisterSettings> {
        let (db, s) = scoped(ctx, Permission::ReadGdpr)?;
        Ok(gdpr::register::settings(db, &s, tenant_id)
            .await
            .gql()?
            .into())
    }
}
