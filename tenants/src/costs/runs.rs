//! Allocation runs. A run reads the pool, the communes subscribed to its service during its
//! period and their keys, allocates exactly (largest remainder), and stores one line per commune
//! with the inputs it used and an explanation in French. Runs are never edited: a new run of a
//! pool supersedes a run not yet invoiced; once invoiced, only a correction run can follow,
//! whose lines are the difference (credit or debit) between the new allocation and what was
//! invoiced. A simulation computes the same thing with other amounts, methods or key values and
//! writes nothing.
use super::allocate::{self, AllocationError};
use super::methods::{Method, BACKUP_METRIC, POPULATION};
use super::{bad, euros, group, percent, CostError};
use crate::audit::{self, Entry};
use crate::backups::metering;
use crate::calendar::Period;
use crate::entities::{
    cost_key_value, cost_line, cost_pool, cost_run, cost_service, cost_subscription, tenant,
};
use crate::tenancy::{can, Can, Scope};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// What a simulation changes.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub amount_cents: Option<i64>,
    pub method: Option<Method>,
    /// (commune, key, value): replaces the recorded value.
    pub keys: Vec<(Uuid, String, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComputedLine {
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub amount_cents: i64,
    pub basis: Value,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    pub pool: cost_pool::Model,
    pub service: cost_service::Model,
    pub amount_cents: i64,
    pub method: Method,
    pub lines: Vec<ComputedLine>,
}

impl Computed {
    fn inputs(&self) -> Value {
        json!({
            "amountCents": self.amount_cents,
            "method": self.method,
            "periodStart": self.pool.period_start,
            "periodEnd": self.pool.period_end,
            "communes": self.lines.iter().map(|l| json!({"tenantId": l.tenant_id, "basis": l.basis})).collect::<Vec<_>>(),
        })
    }
}

/// The months of a period, for metered usage.
fn months(start: NaiveDate, end: NaiveDate) -> Vec<Period> {
    let mut out = vec![];
    let (mut y, mut m) = (start.year(), start.month());
    while (y, m) <= (end.year(), end.month()) {
        out.push(Period { year: y, month: m });
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

fn from_allocation(e: AllocationError) -> CostError {
    match e {
        AllocationError::AllZero => bad(
            "method",
            "La clé de chaque commune abonnée vaut zéro : rien à répartir.",
        ),
        AllocationError::Empty => bad(
            "poolId",
            "Aucune commune n'est abonnée à ce service sur la période de l'enveloppe.",
        ),
        AllocationError::Negative => bad("amountCents", "Le montant ne peut pas être négatif."),
        AllocationError::Overflow => bad(
            "method",
            "Les clés sont trop grandes pour être combinées exactement.",
        ),
    }
}

/// Computes a pool's allocation (no write).
pub async fn compute(
    db: &DatabaseConnection,
    scope: &Scope,
    pool: cost_pool::Model,
    o: Overrides,
    now: DateTime<Utc>,
) -> Result<Computed, CostError> {
    let method = match o.method {
        Some(m) => m.validate()?,
        None => Method::parse(&pool.method)?,
    };
    let amount = o.amount_cents.unwrap_or(pool.amount_cents);
    if amount < 0 {
        return Err(bad(
            "amountCents",
            "Une enveloppe de coûts ne peut pas être négative.",
        ));
    }
    let txn = scope.begin(db).await?;
    let service = scope
        .get::<cost_service::Entity, _>(&txn, pool.service_id)
        .await??;
    let subscribed: Vec<Uuid> = scope
        .find::<cost_subscription::Entity>()
        .filter(cost_subscription::Column::ServiceId.eq(pool.service_id))
        .filter(cost_subscription::Column::StartsOn.lte(pool.period_end))
        .all(&txn)
        .await?
        .into_iter()
        .filter(|s| s.ends_on.is_none_or(|e| e >= pool.period_start))
        .map(|s| s.tenant_id)
        .collect();
    let communes: Vec<tenant::Model> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(subscribed))
        .order_by_asc(tenant::Column::Id)
        .all(&txn)
        .await?;
    if communes.is_empty() {
        return Err(from_allocation(AllocationError::Empty));
    }
    let ids: Vec<Uuid> = communes.iter().map(|t| t.id).collect();
    let year = pool.period_start.year();
    let mut values: HashMap<(Uuid, String), i64> = HashMap::new();
    let recorded: Vec<&str> = method
        .keys()
        .into_iter()
        .filter(|k| *k != POPULATION && *k != BACKUP_METRIC)
        .collect();
    if !recorded.is_empty() {
        for kv in scope
            .find::<cost_key_value::Entity>()
            .filter(cost_key_value::Column::TenantId.is_in(ids.clone()))
            .filter(cost_key_value::Column::Year.eq(year))
            .filter(cost_key_value::Column::Key.is_in(recorded.iter().copied()))
            .all(&txn)
            .await?
        {
            values.insert((kv.tenant_id, kv.key), kv.value);
        }
    }
    txn.commit().await?;
    if method.keys().contains(&POPULATION) {
        for t in &communes {
            values.insert((t.id, POPULATION.into()), t.population);
        }
    }
    if method.keys().contains(&BACKUP_METRIC) {
        for p in months(pool.period_start, pool.period_end) {
            for u in metering::usage(db, scope, p, Some(ids.clone()), now)
                .await
                .map_err(|e| CostError::Corrupt(e.to_string()))?
            {
                *values
                    .entry((u.tenant_id, BACKUP_METRIC.into()))
                    .or_default() += u.milli_gb_months;
            }
        }
        for t in &communes {
            values.entry((t.id, BACKUP_METRIC.into())).or_default();
        }
    }
    for (tenant_id, key, value) in &o.keys {
        if *value < 0 {
            return Err(bad(
                "keys",
                "La valeur d'une clé ne peut pas être négative.",
            ));
        }
        values.insert((*tenant_id, key.clone()), *value);
    }
    let value = |t: &tenant::Model, key: &str| -> Result<u64, CostError> {
        values
            .get(&(t.id, key.to_owned()))
            .map(|v| *v as u64)
            .ok_or_else(|| {
                bad(
                    "method",
                    format!(
                        "La clé « {key} » n'a pas de valeur pour {} ({}) en {year} : saisissez-la.",
                        t.name,
                        t.insee_code.as_deref().unwrap_or("-")
                    ),
                )
            })
    };
    let label =
        |t: &tenant::Model| format!("{} ({})", t.name, t.insee_code.as_deref().unwrap_or("-"));

    // One exact weight per commune, and what it was made of.
    let mut weights: Vec<(Uuid, u128)> = Vec::with_capacity(communes.len());
    let mut bases: Vec<Value> = Vec::with_capacity(communes.len());
    let mut texts: Vec<Box<dyn Fn(i64) -> String + Send>> = Vec::with_capacity(communes.len());
    let head = format!(
        "{} — {} (du {} au {}) : {} {}",
        service.name,
        pool.label,
        pool.period_start.format("%d/%m/%Y"),
        pool.period_end.format("%d/%m/%Y"),
        euros(amount),
        // French puts amounts under 2 € in the singular.
        if amount.abs() < 200 {
            "réparti"
        } else {
            "répartis"
        }
    );
    match &method {
        Method::Key { key } | Method::Usage { metric: key } => {
            let vals: Vec<u64> = communes
                .iter()
                .map(|t| value(t, key))
                .collect::<Result<_, _>>()?;
            let total: u128 = vals.iter().map(|v| u128::from(*v)).sum();
            let usage = matches!(method, Method::Usage { .. });
            let shown = |v: u128| {
                if key == BACKUP_METRIC {
                    format!("{},{:03} Go-mois", group((v / 1000) as u64), v % 1000)
                } else {
                    group(v as u64)
                }
            };
            for (t, v) in communes.iter().zip(vals) {
                weights.push((t.id, u128::from(v)));
                bases.push(json!({"key": key, "value": v, "total": total as u64}));
                let (head, what) = (
                    head.clone(),
                    if usage {
                        format!(
                        "selon l'usage mesuré ({key}) : {} sur {} au total, soit un coût unitaire de {} € ÷ {}",
                        shown(u128::from(v)), shown(total), euros(amount).trim_end_matches(" €"), shown(total)
                    )
                    } else {
                        format!(
                            "au prorata de la clé « {key} » : {} sur {}",
                            shown(u128::from(v)),
                            shown(total)
                        )
                    },
                );
                let pct = percent(u128::from(v), total);
                texts.push(Box::new(move |share| {
                    format!("{head} {what} ({pct}) = {}.", euros(share))
                }));
            }
        }
        Method::Percentages { shares } => {
            let by: HashMap<Uuid, u32> = shares
                .iter()
                .map(|s| (s.tenant_id, s.basis_points))
                .collect();
            for s in shares {
                if !ids.contains(&s.tenant_id) {
                    return Err(bad(
                        "method.shares",
                        format!("La commune {} a une part mais n'est pas abonnée à ce service sur la période.", s.tenant_id),
                    ));
                }
            }
            for t in &communes {
                let bp = by.get(&t.id).copied().ok_or_else(|| {
                    bad::<CostError>(
                        "method.shares",
                        format!(
                            "Aucune part pour {}, qui est abonnée à ce service : indiquez-la.",
                            label(t)
                        ),
                    )
                })?;
                weights.push((t.id, u128::from(bp)));
                bases.push(json!({"basisPoints": bp}));
                let (head, pct) = (head.clone(), percent(u128::from(bp), 10_000));
                texts.push(Box::new(move |share| {
                    format!("{head} en parts fixes : {pct} = {}.", euros(share))
                }));
            }
        }
        Method::Mix { parts } => {
            let mut columns: Vec<(u64, Vec<u64>)> = vec![];
            for p in parts {
                let vals: Vec<u64> = communes
                    .iter()
                    .map(|t| value(t, &p.key))
                    .collect::<Result<_, _>>()?;
                columns.push((u64::from(p.weight), vals));
            }
            let w = allocate::mix(&columns, communes.len()).map_err(from_allocation)?;
            let weight_total: u32 = parts.iter().map(|p| p.weight).sum();
            let totals: Vec<u128> = columns
                .iter()
                .map(|(_, v)| v.iter().map(|x| u128::from(*x)).sum())
                .collect();
            let all: u128 = w.iter().sum();
            for (i, t) in communes.iter().enumerate() {
                weights.push((t.id, w[i]));
                let detail: Vec<String> = parts
                    .iter()
                    .enumerate()
                    .map(|(k, p)| {
                        format!(
                            "{} pondérée {} : {} sur {} ({})",
                            p.key,
                            percent(u128::from(p.weight), u128::from(weight_total)),
                            group(columns[k].1[i]),
                            group(totals[k] as u64),
                            percent(u128::from(columns[k].1[i]), totals[k])
                        )
                    })
                    .collect();
                bases.push(json!({"parts": parts.iter().enumerate().map(|(k, p)| json!({"key": p.key, "weight": p.weight, "value": columns[k].1[i], "total": totals[k] as u64})).collect::<Vec<_>>()}));
                let (head, pct) = (head.clone(), percent(w[i], all));
                let detail = detail.join(" ; ");
                texts.push(Box::new(move |share| {
                    format!(
                        "{head} selon des clés pondérées — {detail} — soit {pct} = {}.",
                        euros(share)
                    )
                }));
            }
        }
    }
    let shares = allocate::largest_remainder(amount, &weights).map_err(from_allocation)?;
    let lines = communes
        .iter()
        .zip(shares)
        .zip(bases)
        .zip(texts)
        .map(|(((t, (_, cents)), basis), text)| ComputedLine {
            organisation_id: t.organisation_id,
            tenant_id: t.id,
            tenant_name: t.name.clone(),
            amount_cents: cents,
            basis,
            explanation: text(cents),
        })
        .collect();
    Ok(Computed {
        pool,
        service,
        amount_cents: amount,
        method,
        lines,
    })
}

/// The what-if: the allocation with other amounts, method or keys. Nothing is written.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), pool_id = %pool_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn simulate(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    pool_id: Uuid,
    o: Overrides,
) -> Result<Computed, CostError> {
    let pool = super::pools::get(db, scope, pool_id).await?;
    compute(db, scope, pool, o, Utc::now()).await
}

fn line_row(
    run: &cost_run::Model,
    c: &Computed,
    l: &ComputedLine,
    amount: i64,
    basis: Value,
    explanation: String,
) -> cost_line::ActiveModel {
    cost_line::ActiveModel::from(cost_line::Model {
        id: Uuid::now_v7(),
        organisation_id: l.organisation_id,
        tenant_id: l.tenant_id,
        run_id: run.id,
        pool_id: c.pool.id,
        service_code: c.service.code.clone(),
        service_name: c.service.name.clone(),
        pool_label: c.pool.label.clone(),
        amount_cents: amount,
        basis,
        explanation,
        period_start: c.pool.period_start,
        period_end: c.pool.period_end,
        superseded: false,
    })
}

/// Allocates a pool: a new final run, superseding any run not yet invoiced.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), pool_id = %pool_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn run(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    pool_id: Uuid,
) -> Result<cost_run::Model, CostError> {
    let now = Utc::now();
    let pool = super::pools::get(db, scope, pool_id).await?;
    let c = compute(db, scope, pool, Overrides::default(), now).await?;
    write(db, scope, c, None, now).await
}

/// After an invoice: a run of differences (credits and debits) against what was invoiced.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), pool_id = %pool_id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn correct(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    pool_id: Uuid,
) -> Result<cost_run::Model, CostError> {
    let now = Utc::now();
    let pool = super::pools::get(db, scope, pool_id).await?;
    let c = compute(db, scope, pool, Overrides::default(), now).await?;
    write(db, scope, c, Some(()), now).await
}

async fn write(
    db: &DatabaseConnection,
    scope: &Can<can::ManageCosts>,
    c: Computed,
    correction: Option<()>,
    now: DateTime<Utc>,
) -> Result<cost_run::Model, CostError> {
    let txn = scope.begin(db).await?;
    // One run at a time per pool: the pool row is locked until this one commits.
    let pool = scope
        .find::<cost_pool::Entity>()
        .filter(cost_pool::Column::Id.eq(c.pool.id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(crate::tenancy::AccessError::NotFound)?;
    if pool.version != c.pool.version {
        return Err(CostError::Conflict(
            "L'enveloppe a été modifiée pendant la répartition : relancez-la.".into(),
        ));
    }
    let runs = scope
        .find::<cost_run::Entity>()
        .filter(cost_run::Column::PoolId.eq(pool.id))
        .order_by_asc(cost_run::Column::CreatedAt)
        .all(&txn)
        .await?;
    let invoiced: Vec<&cost_run::Model> = runs.iter().filter(|r| r.status == "invoiced").collect();
    let pending: Vec<Uuid> = runs
        .iter()
        .filter(|r| r.status == "final")
        .map(|r| r.id)
        .collect();
    let (kind, corrects, lines): (&str, Option<Uuid>, Vec<cost_line::ActiveModel>);
    let run_id = Uuid::now_v7();
    let stub = cost_run::Model {
        id: run_id,
        organisation_id: pool.organisation_id,
        tenant_id: pool.tenant_id,
        pool_id: pool.id,
        kind: String::new(),
        corrects_run_id: None,
        status: "final".into(),
        total_cents: 0,
        inputs: c.inputs(),
        created_by: scope.principal().audit_ref(),
        created_at: now,
        invoiced_at: None,
    };
    match (correction, invoiced.last()) {
        (None, Some(r)) => {
            return Err(CostError::Conflict(format!(
                "La répartition de cette enveloppe a été facturée{} : enregistrez plutôt une répartition de correction.",
                r.invoiced_at
                    .map(|d| format!(
                        " le {}",
                        crate::fr::date(d.with_timezone(&chrono_tz::Europe::Paris).date_naive())
                    ))
                    .unwrap_or_default()
            )))
        }
        (Some(()), None) => {
            return Err(CostError::Conflict(
                "Rien n'a encore été facturé pour cette enveloppe : relancez plutôt la répartition.".into(),
            ))
        }
        (None, None) => {
            kind = "allocation";
            corrects = None;
            lines = c
                .lines
                .iter()
                .map(|l| {
                    line_row(
                        &stub,
                        &c,
                        l,
                        l.amount_cents,
                        l.basis.clone(),
                        l.explanation.clone(),
                    )
                })
                .collect();
        }
        (Some(()), Some(last)) => {
            let ids: Vec<Uuid> = invoiced.iter().map(|r| r.id).collect();
            let mut billed: BTreeMap<Uuid, (i64, Uuid, String)> = BTreeMap::new();
            for l in scope
                .find::<cost_line::Entity>()
                .filter(cost_line::Column::RunId.is_in(ids))
                .all(&txn)
                .await?
            {
                let e = billed
                    .entry(l.tenant_id)
                    .or_insert((0, l.organisation_id, String::new()));
                e.0 += l.amount_cents;
            }
            let mut out = vec![];
            for l in &c.lines {
                let before = billed.remove(&l.tenant_id).map(|b| b.0).unwrap_or(0);
                let delta = l.amount_cents - before;
                if delta != 0 {
                    let text = format!(
                        "Régularisation : {} — nouveau montant {} moins {} déjà facturés = {} ({}). {}",
                        c.pool.label,
                        euros(l.amount_cents),
                        euros(before),
                        euros(delta),
                        if delta < 0 { "avoir" } else { "complément" },
                        l.explanation
                    );
                    out.push(line_row(
                        &stub,
                        &c,
                        l,
                        delta,
                        json!({"new": l.amount_cents, "invoiced": before, "detail": l.basis}),
                        text,
                    ));
                }
            }
            // Communes no longer in the allocation get back what they paid.
            for (tenant_id, (before, org, _)) in billed {
                if before != 0 {
                    let gone = ComputedLine {
                        organisation_id: org,
                        tenant_id,
                        tenant_name: String::new(),
                        amount_cents: 0,
                        basis: Value::Null,
                        explanation: String::new(),
                    };
                    let text = format!(
                        "Régularisation : {} — la commune ne participe plus à ce coût ; {} déjà facturés sont remboursés.",
                        c.pool.label,
                        euros(before)
                    );
                    out.push(line_row(
                        &stub,
                        &c,
                        &gone,
                        -before,
                        json!({"new": 0, "invoiced": before}),
                        text,
                    ));
                }
            }
            if out.is_empty() {
                return Err(CostError::Conflict(
                    "La répartition est identique à ce qui a été facturé : rien à corriger.".into(),
                ));
            }
            kind = "correction";
            corrects = Some(last.id);
            lines = out;
        }
    }
    if !pending.is_empty() {
        cost_run::Entity::update_many()
            .col_expr(cost_run::Column::Status, Expr::value("superseded"))
            .filter(cost_run::Column::Id.is_in(pending.clone()))
            .exec(&txn)
            .await?;
        cost_line::Entity::update_many()
            .col_expr(cost_line::Column::Superseded, Expr::value(true))
            .filter(cost_line::Column::RunId.is_in(pending))
            .exec(&txn)
            .await?;
    }
    let total: i64 = lines
        .iter()
        .map(|l| match &l.amount_cents {
            sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => *v,
            sea_orm::ActiveValue::NotSet => 0,
        })
        .sum();
    let run = cost_run::ActiveModel::from(cost_run::Model {
        kind: kind.into(),
        corrects_run_id: corrects,
        total_cents: total,
        ..stub
    })
    .insert(&txn)
    .await?;
    let n = lines.len();
    for chunk in lines.chunks(500) {
        cost_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: run.organisation_id,
            tenant_id: run.tenant_id,
            operation: "cost.run.create",
            before: None,
            after: Some(json!({"pool": c.pool.label, "kind": run.kind, "totalCents": run.total_cents, "lines": n, "correctsRunId": run.corrects_run_id})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(run)
}

pub async fn runs(
    db: &DatabaseConnection,
    scope: &Scope,
    pool_id: Uuid,
) -> Result<Vec<cost_run::Model>, CostError> {
    let txn = scope.begin(db).await?;
    let pool = scope.get::<cost_pool::Entity, _>(&txn, pool_id).await??;
    let rows = scope
        .find::<cost_run::Entity>()
        .filter(cost_run::Column::PoolId.eq(pool.id))
        .order_by_desc(cost_run::Column::CreatedAt)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

#[derive(Debug, Clone, Default)]
pub struct LineFilter {
    pub tenant_ids: Option<Vec<Uuid>>,
    pub run_id: Option<Uuid>,
    pub year: Option<i32>,
    pub include_superseded: bool,
}

/// Cost lines: a commune reads its own; the DSI reads all of its organisation's.
pub async fn lines(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &LineFilter,
) -> Result<Vec<cost_line::Model>, CostError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<cost_line::Entity>();
    if let Some(ids) = &f.tenant_ids {
        q = q.filter(cost_line::Column::TenantId.is_in(ids.clone()));
    }
    if let Some(r) = f.run_id {
        q = q.filter(cost_line::Column::RunId.eq(r));
    }
    if let Some(y) = f.year {
        let (start, end) = super::calendar_year(y).ok_or_else(|| {
            bad::<CostError>("year", "Indiquez une année comprise entre 1 et 9999.")
        })?;
        q = q
            .filter(cost_line::Column::PeriodStart.lte(end))
            .filter(cost_line::Column::PeriodEnd.gte(start));
    }
    if !f.include_superseded {
        q = q.filter(cost_line::Column::Superseded.eq(false));
    }
    let rows = q
        .order_by_asc(cost_line::Column::PeriodStart)
        .order_by_asc(cost_line::Column::TenantId)
        .order_by_asc(cost_line::Column::Id)
        .limit(100_000)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}
