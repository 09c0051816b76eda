//! Cost writes: each one transaction in the domain, audited there.
use super::inputs::CostPoolInput;
use super::types::*;
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result};
use tenants::costs::{catalogue, pools, runs};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(Default)]
pub struct CostMutation;

#[Object]
impl CostMutation {
    /// Adds a service to an organisation's catalogue.
    async fn create_cost_service(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        code: String,
        name: String,
        unit: String,
    ) -> Result<CostService> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(
            catalogue::create_service(db, &s, organisation_id, &code, &name, &unit)
                .await
                .gql()?
                .into(),
        )
    }

    /// Sets the budget account (M57) a service's costs are recovered on by titres de
    /// recettes; null or empty, the organisation's account applies.
    async fn set_cost_service_budget_account(
        &self,
        ctx: &Context<'_>,
        service_id: Uuid,
        budget_account: Option<String>,
    ) -> Result<CostService> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(
            catalogue::set_service_budget_account(db, &s, service_id, budget_account.as_deref())
                .await
                .gql()?
                .into(),
        )
    }

    /// Subscribes a commune to a service.
    async fn subscribe_to_service(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        service_id: Uuid,
        starts_on: Date,
        ends_on: Option<Date>,
    ) -> Result<CostSubscription> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(catalogue::subscribe(
            db,
            &s,
            tenant_id,
            service_id,
            starts_on.0,
            ends_on.map(|d| d.0),
        )
        .await
        .gql()?
        .into())
    }

    /// Ends a subscription (inclusive end date).
    async fn end_subscription(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        ends_on: Date,
    ) -> Result<CostSubscription> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(catalogue::end_subscription(db, &s, id, ends_on.0)
            .await
            .gql()?
            .into())
    }

    /// Records a commune's allocation key for a year (agents, workstations, tickets...).
    async fn set_cost_key(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        key: String,
        year: i32,
        value: i64,
    ) -> Result<CostKeyValue> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(catalogue::set_key(db, &s, tenant_id, &key, year, value)
            .await
            .gql()?
            .into())
    }

    async fn create_cost_pool(
        &self,
        ctx: &Context<'_>,
        organisation_id: Uuid,
        input: CostPoolInput,
    ) -> Result<CostPool> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(pools::create(db, &s, organisation_id, input.to_domain()?)
            .await
            .gql()?
            .into())
    }

    /// Replaces a pool's fields; `version` is the one you read.
    async fn update_cost_pool(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: i32,
        input: CostPoolInput,
    ) -> Result<CostPool> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(pools::update(db, &s, id, version, input.to_domain()?)
            .await
            .gql()?
            .into())
    }

    /// Allocates a pool (a new immutable run; a run not yet invoiced is superseded).
    async fn run_allocation(&self, ctx: &Context<'_>, pool_id: Uuid) -> Result<CostRun> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(runs::run(db, &s, pool_id).await.gql()?.into())
    }

    /// After an invoice: a correction run of credits and debits against what was invoiced.
    async fn run_correction(&self, ctx: &Context<'_>, pool_id: Uuid) -> Result<CostRun> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(runs::correct(db, &s, pool_id).await.gql()?.into())
    }
}
