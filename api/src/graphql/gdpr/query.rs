//! GDPR reads.
use super::types::*;
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use crate::graphql::page::{self, Page};
use async_graphql::{Context, Enum, Object, Result};
use tenants::gdpr::activity::{ActivityFilter, ActivitySort};
use tenants::gdpr::requests::{RequestFilter, RequestSort};
use tenants::gdpr::{self, vocab::*};
use tenants::tenancy::can;
use uuid::Uuid;

/// The columns a register is sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ActivityOrder {
    /// The name, the French way (the default).
    #[default]
    Name,
    Status,
    UpdatedAt,
}

impl From<ActivityOrder> for ActivitySort {
    fn from(o: ActivityOrder) -> Self {
        match o {
            ActivityOrder::Name => ActivitySort::Name,
            ActivityOrder::Status => ActivitySort::Status,
            ActivityOrder::UpdatedAt => ActivitySort::UpdatedAt,
        }
    }
}

/// The columns a list of rights requests is sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum RightsRequestOrder {
    /// The deadline in force, the extended one when extended (the default).
    #[default]
    Due,
    ReceivedOn,
    Requester,
    Kind,
    Status,
}

impl From<RightsRequestOrder> for RequestSort {
    fn from(o: RightsRequestOrder) -> Self {
        match o {
            RightsRequestOrder::Due => RequestSort::Due,
            RightsRequestOrder::ReceivedOn => RequestSort::ReceivedOn,
            RightsRequestOrder::Requester => RequestSort::Requester,
            RightsRequestOrder::Kind => RequestSort::Kind,
            RightsRequestOrder::Status => RequestSort::Status,
        }
    }
}

#[derive(Default)]
pub struct GdprQuery;

#[Object]
impl GdprQuery {
    /// Codes and French labels of every closed list the GDPR module uses.
    async fn gdpr_vocabulary(&self) -> Vocabulary {
        Vocabulary::get()
    }

    /// Register entries you can read, across the communes you reach, by name unless `orderBy`
    /// says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        status: Option<String>,
        dpia_required: Option<bool>,
        sensitive: Option<bool>,
        search: Option<String>,
        #[graphql(default)] order_by: ActivityOrder,
        #[graphql(default)] descending: bool,
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
    ) -> Result<Page<Activity>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let status = status
            .map(|v| super::inputs::vocab("status", ActivityStatus::parse(&v)))
            .transpose()?;
        let f = ActivityFilter {
            tenant_ids,
            ids: None,
            status,
            dpia_required,
            sensitive,
            search,
            offset,
            limit: first,
        };
        Ok(Page::of(
            page::counted(
                ctx,
                gdpr::activity::page(db, &s, &f, order_by.into(), descending),
            )
            .await
            .gql()?,
        ))
    }

    async fn activity(&self, ctx: &Context<'_>, id: Uuid) -> Result<Activity> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(gdpr::activity::get(db, &s, id).await.gql()?.into())
    }

    /// Model activities published by your organisations.
    async fn model_activities(&self, ctx: &Context<'_>) -> Result<Vec<Activity>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
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
    ) -> Result<Page<Processor>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(Page::of(
            gdpr::processors::processors_page(db, &s, tenant_ids, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    async fn processor(&self, ctx: &Context<'_>, id: Uuid) -> Result<Processor> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(gdpr::processors::processor(db, &s, id).await.gql()?.into())
    }

    async fn gdpr_actions(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default)] open_only: bool,
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
    ) -> Result<Page<Action>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(Page::of(
            gdpr::processors::actions(db, &s, tenant_ids, open_only, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    /// Rights requests, soonest deadline first unless `orderBy` says otherwise; `search`: words
    /// found in the requester, the contact or the details (case and accents ignored).
    #[allow(clippy::too_many_arguments)]
    async fn rights_requests(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default)] open_only: bool,
        #[graphql(default)] overdue_only: bool,
        search: Option<String>,
        #[graphql(default)] order_by: RightsRequestOrder,
        #[graphql(default)] descending: bool,
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
    ) -> Result<Page<RightsRequest>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        let f = RequestFilter {
            tenant_ids,
            open_only,
            overdue_only,
            search,
            sort: order_by.into(),
            descending,
            offset,
            limit: first,
        };
        Ok(Page::of(
            page::counted(
                ctx,
                gdpr::requests::page(db, &s, &f, tenants::calendar::paris_today()),
            )
            .await
            .gql()?,
        ))
    }

    async fn rights_request(&self, ctx: &Context<'_>, id: Uuid) -> Result<RightsRequest> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(gdpr::requests::get(db, &s, id).await.gql()?.into())
    }

    /// Breaches, newest first; `openOnly`: neither notified nor documented as not notified.
    async fn breaches(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        #[graphql(default)] open_only: bool,
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
    ) -> Result<Page<Breach>> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(Page::of(
            gdpr::breaches::page(db, &s, tenant_ids, open_only, page::req(offset, first))
                .await
                .gql()?,
        ))
    }

    async fn breach(&self, ctx: &Context<'_>, id: Uuid) -> Result<Breach> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(gdpr::breaches::get(db, &s, id).await.gql()?.into())
    }

    /// What a commune publishes of its register.
    async fn public_register_settings(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
    ) -> Result<PublicRegisterSettings> {
        let (db, s) = scoped::<can::ReadGdpr>(ctx)?;
        Ok(gdpr::register::settings(db, &s, tenant_id)
            .await
            .gql()?
            .into())
    }
}
