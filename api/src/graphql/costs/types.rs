//! Cost output types.
use crate::graphql::scalars::Date;
use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use tenants::costs::runs::{Computed, ComputedLine};
use tenants::entities::{
    cost_key_value, cost_line, cost_pool, cost_run, cost_service, cost_subscription,
};
use uuid::Uuid;

#[derive(SimpleObject, Clone)]
pub struct CostService {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub code: String,
    pub name: String,
    pub unit: String,
    /// The budget account its costs are recovered on by titres (M57); null: the
    /// organisation's.
    pub budget_account: Option<String>,
}

impl From<cost_service::Model> for CostService {
    fn from(m: cost_service::Model) -> Self {
        Self {
            id: m.id,
            organisation_id: m.organisation_id,
            code: m.code,
            name: m.name,
            unit: m.unit,
            budget_account: m.budget_account,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct CostSubscription {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub service_id: Uuid,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

impl From<cost_subscription::Model> for CostSubscription {
    fn from(m: cost_subscription::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            service_id: m.service_id,
            starts_on: Date(m.starts_on),
            ends_on: m.ends_on.map(Date),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct CostKeyValue {
    pub tenant_id: Uuid,
    pub key: String,
    pub year: i32,
    pub value: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl From<cost_key_value::Model> for CostKeyValue {
    fn from(m: cost_key_value::Model) -> Self {
        Self {
            tenant_id: m.tenant_id,
            key: m.key,
            year: m.year,
            value: m.value,
            updated_by: m.updated_by,
            updated_at: m.updated_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct CostPool {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub service_id: Uuid,
    pub label: String,
    pub period_start: Date,
    pub period_end: Date,
    pub amount_cents: i64,
    /// The allocation method as stored (JSON).
    pub method: async_graphql::Json<serde_json::Value>,
    pub version: i32,
}

impl From<cost_pool::Model> for CostPool {
    fn from(m: cost_pool::Model) -> Self {
        Self {
            id: m.id,
            organisation_id: m.organisation_id,
            service_id: m.service_id,
            label: m.label,
            period_start: Date(m.period_start),
            period_end: Date(m.period_end),
            amount_cents: m.amount_cents,
            method: async_graphql::Json(m.method),
            version: m.version,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct CostRun {
    pub id: Uuid,
    pub pool_id: Uuid,
    /// allocation or correction.
    pub kind: String,
    pub corrects_run_id: Option<Uuid>,
    /// final, superseded or invoiced.
    pub status: String,
    pub total_cents: i64,
    /// Everything the allocation used.
    pub inputs: async_graphql::Json<serde_json::Value>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub invoiced_at: Option<DateTime<Utc>>,
}

impl From<cost_run::Model> for CostRun {
    fn from(m: cost_run::Model) -> Self {
        Self {
            id: m.id,
            pool_id: m.pool_id,
            kind: m.kind,
            corrects_run_id: m.corrects_run_id,
            status: m.status,
            total_cents: m.total_cents,
            inputs: async_graphql::Json(m.inputs),
            created_by: m.created_by,
            created_at: m.created_at,
            invoiced_at: m.invoiced_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct CostLine {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub run_id: Uuid,
    pub pool_id: Uuid,
    pub service_code: String,
    pub service_name: String,
    pub pool_label: String,
    pub amount_cents: i64,
    /// What the share was computed from (key values, totals, shares).
    pub basis: async_graphql::Json<serde_json::Value>,
    /// In French, line by line.
    pub explanation: String,
    pub period_start: Date,
    pub period_end: Date,
    pub superseded: bool,
}

impl From<cost_line::Model> for CostLine {
    fn from(m: cost_line::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            run_id: m.run_id,
            pool_id: m.pool_id,
            service_code: m.service_code,
            service_name: m.service_name,
            pool_label: m.pool_label,
            amount_cents: m.amount_cents,
            basis: async_graphql::Json(m.basis),
            explanation: m.explanation,
            period_start: Date(m.period_start),
            period_end: Date(m.period_end),
            superseded: m.superseded,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct SimulatedLine {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub amount_cents: i64,
    pub basis: async_graphql::Json<serde_json::Value>,
    pub explanation: String,
}

impl From<ComputedLine> for SimulatedLine {
    fn from(l: ComputedLine) -> Self {
        Self {
            tenant_id: l.tenant_id,
            tenant_name: l.tenant_name,
            amount_cents: l.amount_cents,
            basis: async_graphql::Json(l.basis),
            explanation: l.explanation,
        }
    }
}

/// A what-if allocation: computed, not written.
#[derive(SimpleObject, Clone)]
pub struct Simulation {
    pub pool_id: Uuid,
    pub amount_cents: i64,
    pub method: String,
    pub lines: Vec<SimulatedLine>,
}

impl From<Computed> for Simulation {
    fn from(c: Computed) -> Self {
        Self {
            pool_id: c.pool.id,
            amount_cents: c.amount_cents,
            method: c.method.describe(),
            lines: c.lines.into_iter().map(SimulatedLine::from).collect(),
        }
    }
}
