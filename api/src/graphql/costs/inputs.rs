//! Cost inputs.
use crate::graphql::errors::bad_input;
use crate::graphql::scalars::Date;
use async_graphql::{InputObject, Result};
use tenants::costs::methods::{FixedShare, Method, MixPart};
use tenants::costs::pools::PoolInput;
use uuid::Uuid;

#[derive(InputObject, Clone)]
pub struct FixedShareInput {
    pub tenant_id: Uuid,
    /// Hundredths of a percent (2500 = 25 %); all shares sum to 10000.
    pub basis_points: u32,
}

#[derive(InputObject, Clone)]
pub struct MixPartInput {
    pub key: String,
    pub weight: u32,
}

/// One of: `key` with `key`; `usage` with `metric`; `percentages` with `shares`; `mix` with
/// `parts`.
#[derive(InputObject, Clone)]
pub struct AllocationMethodInput {
    /// key, usage, percentages or mix.
    pub kind: String,
    /// For `key`: population (from the referential) or a key recorded per commune and year.
    pub key: Option<String>,
    /// For `usage`: backup_gb_month (metered) or a recorded metric (tickets, workstations...).
    pub metric: Option<String>,
    pub shares: Option<Vec<FixedShareInput>>,
    pub parts: Option<Vec<MixPartInput>>,
}

impl AllocationMethodInput {
    pub fn to_method(&self) -> Result<Method> {
        let need = |v: Option<String>, f: &'static str| {
            v.ok_or_else(|| {
                bad_input(
                    f,
                    format!(
                        "Ce champ est obligatoire pour la méthode « {} ».",
                        self.kind
                    ),
                )
            })
        };
        Ok(match self.kind.as_str() {
            "key" => Method::Key {
                key: need(self.key.clone(), "method.key")?,
            },
            "usage" => Method::Usage {
                metric: need(self.metric.clone(), "method.metric")?,
            },
            "percentages" => Method::Percentages {
                shares: self
                    .shares
                    .clone()
                    .ok_or_else(|| {
                        bad_input(
                            "method.shares",
                            "Indiquez les parts de chaque commune pour une répartition en pourcentages.",
                        )
                    })?
                    .into_iter()
                    .map(|s| FixedShare {
                        tenant_id: s.tenant_id,
                        basis_points: s.basis_points,
                    })
                    .collect(),
            },
            "mix" => Method::Mix {
                parts: self
                    .parts
                    .clone()
                    .ok_or_else(|| {
                        bad_input(
                            "method.parts",
                            "Indiquez les clés pondérées d'une répartition mixte.",
                        )
                    })?
                    .into_iter()
                    .map(|p| MixPart {
                        key: p.key,
                        weight: p.weight,
                    })
                    .collect(),
            },
            other => {
                return Err(bad_input(
                    "method.kind",
                    format!(
                        "Méthode inconnue « {other} » ; méthodes possibles : key, usage, percentages, mix."
                    ),
                ))
            }
        })
    }
}

#[derive(InputObject)]
pub struct CostPoolInput {
    pub service_id: Uuid,
    pub label: String,
    pub period_start: Date,
    /// Inclusive.
    pub period_end: Date,
    pub amount_cents: i64,
    pub method: AllocationMethodInput,
}

impl CostPoolInput {
    pub fn to_domain(&self) -> Result<PoolInput> {
        Ok(PoolInput {
            service_id: self.service_id,
            label: self.label.clone(),
            period_start: self.period_start.0,
            period_end: self.period_end.0,
            amount_cents: self.amount_cents,
            method: self.method.to_method()?,
        })
    }
}

#[derive(InputObject, Clone)]
pub struct KeyOverrideInput {
    pub tenant_id: Uuid,
    pub key: String,
    pub value: i64,
}
