//! Cost reads.
use super::inputs::{AllocationMethodInput, KeyOverrideInput};
use super::types::*;
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use async_graphql::{Context, Object, Result};
use tenants::costs::runs::{self, LineFilter, Overrides};
use tenants::costs::{catalogue, pools};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(Default)]
pub struct CostQuery;

#[Object]
impl CostQuery {
    /// The service catalogues you manage.
    async fn cost_services(&self, ctx: &Context<'_>) -> Result<Vec<CostService>> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(catalogue::services(db, &s)
            .await
            .gql()?
            .into_iter()
            .map(CostService::from)
            .collect())
    }

    /// Communes' subscriptions to services.
    async fn cost_subscriptions(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
    ) -> Result<Vec<CostSubscription>> {
        let (db, s) = scoped::<can::ReadCosts>(ctx)?;
        Ok(catalogue::subscriptions(db, &s, tenant_ids)
            .await
            .gql()?
            .into_iter()
            .map(CostSubscription::from)
            .collect())
    }

    /// Allocation keys recorded per commune and year.
    async fn cost_key_values(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        year: Option<i32>,
    ) -> Result<Vec<CostKeyValue>> {
        let (db, s) = scoped::<can::ReadCosts>(ctx)?;
        Ok(catalogue::keys(db, &s, tenant_ids, year)
            .await
            .gql()?
            .into_iter()
            .map(CostKeyValue::from)
            .collect())
    }

    /// Cost pools (optionally of one organisation, or overlapping one year).
    async fn cost_pools(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<Uuid>,
        year: Option<i32>,
    ) -> Result<Vec<CostPool>> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(pools::list(db, &s, organisation_id, year)
            .await
            .gql()?
            .into_iter()
            .map(CostPool::from)
            .collect())
    }

    /// The runs of one pool, newest first.
    async fn cost_runs(&self, ctx: &Context<'_>, pool_id: Uuid) -> Result<Vec<CostRun>> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        Ok(runs::runs(db, &s, pool_id)
            .await
            .gql()?
            .into_iter()
            .map(CostRun::from)
            .collect())
    }

    /// Cost lines: each commune's share, explained (superseded runs left out unless asked).
    async fn cost_lines(
        &self,
        ctx: &Context<'_>,
        tenant_ids: Option<Vec<Uuid>>,
        run_id: Option<Uuid>,
        year: Option<i32>,
        #[graphql(default)] include_superseded: bool,
    ) -> Result<Vec<CostLine>> {
        let (db, s) = scoped::<can::ReadCosts>(ctx)?;
        let f = LineFilter {
            tenant_ids,
            run_id,
            year,
            include_superseded,
        };
        Ok(runs::lines(db, &s, &f)
            .await
            .gql()?
            .into_iter()
            .map(CostLine::from)
            .collect())
    }

    /// What-if: the pool's allocation with another amount, method or key values. Writes
    /// nothing.
    async fn simulate_allocation(
        &self,
        ctx: &Context<'_>,
        pool_id: Uuid,
        amount_cents: Option<i64>,
        method: Option<AllocationMethodInput>,
        #[graphql(default)] key_overrides: Vec<KeyOverrideInput>,
    ) -> Result<Simulation> {
        let (db, s) = scoped::<can::ManageCosts>(ctx)?;
        let o = Overrides {
            amount_cents,
            method: method.map(|m| m.to_method()).transpose()?,
            keys: key_overrides
                .into_iter()
                .map(|k| (k.tenant_id, k.key.trim().to_ascii_lowercase(), k.value))
                .collect(),
        };
        Ok(runs::simulate(db, &s, pool_id, o).await.gql()?.into())
    }
}
