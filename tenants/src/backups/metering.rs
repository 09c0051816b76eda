//! Storage metering in GB-month, the input of cost allocation.
//!
//! Method: each policy's stored bytes form a step function of time, given by its storage
//! samples (the collector's `restic stats --mode raw-data` over the policy's snapshots, or the
//! `stored_bytes` a webhook report carries): a sample's value holds until the next sample, and
//! the last one before the period carries into it; before a policy's first sample it uses
//! nothing. Integrating over the period gives byte-seconds; GB-month = byte-seconds /
//! (10^9 B × the period's length in seconds), with decimal gigabytes as cloud providers bill
//! them. The period is a calendar month in Paris time; the running month is metered up to
//! now (accrued so far). A tenant's figure sums its policies' byte-seconds before converting,
//! and is given in thousandths of a GB-month, rounded half up, so allocation works on integers.
use super::BackupError;
use crate::calendar::Period;
use crate::collation::OrderByName;
use crate::entities::{backup_policy, backup_storage_sample, tenant};
use crate::tenancy::Scope;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, QueryFilter, QueryOrder};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Byte-seconds of one policy over [start, end), from its samples sorted by time.
pub fn byte_seconds(
    samples: &[(DateTime<Utc>, i64)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> i128 {
    let mut total: i128 = 0;
    for (i, (at, bytes)) in samples.iter().enumerate() {
        let from = (*at).max(start);
        let to = samples.get(i + 1).map(|(t, _)| *t).unwrap_or(end).min(end);
        if to > from {
            total += i128::from(*bytes) * i128::from((to - from).num_seconds());
        }
    }
    total
}

/// Thousandths of a GB-month, rounded half up.
pub fn milli_gb_months(byte_seconds: i128, period_seconds: i64) -> i64 {
    let denom: i128 = 1_000_000_000 * i128::from(period_seconds.max(1));
    let v = (byte_seconds * 1000 * 2 + denom) / (2 * denom);
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantUsage {
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub period: String,
    /// Thousandths of a GB-month.
    pub milli_gb_months: i64,
    /// Average stored bytes over the metered part of the period.
    pub average_bytes: i64,
    /// Stored bytes at the end of the metered part.
    pub current_bytes: i64,
    pub policies: usize,
    /// The metered part ends at `now` for the running month.
    pub complete: bool,
}

/// Each policy's samples for metering [start, end), sorted by time: its last sample before
/// `start` (it carries into the period), then those inside. Two statements for all the
/// policies together (one per kind of sample), not two per policy.
async fn samples(
    txn: &DatabaseTransaction,
    scope: &Scope,
    policies: &[backup_policy::Model],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<BTreeMap<Uuid, Vec<(DateTime<Utc>, i64)>>, BackupError> {
    use backup_storage_sample::Column as C;
    let ids: Vec<Uuid> = policies.iter().map(|p| p.id).collect();
    let mut by_policy: BTreeMap<Uuid, Vec<(DateTime<Utc>, i64)>> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(by_policy);
    }
    let latest = super::latest_ids_before::<backup_storage_sample::Entity>(
        super::LatestColumns {
            id: C::Id,
            policy: C::PolicyId,
            at: C::MeasuredAt,
        },
        start,
        None,
        ids.clone(),
    );
    let before = scope
        .find::<backup_storage_sample::Entity>()
        .filter(C::Id.in_subquery(latest))
        .all(txn)
        .await?;
    // Same order as one policy's query had: time, then id.
    let inside = scope
        .find::<backup_storage_sample::Entity>()
        .filter(C::PolicyId.is_in(ids))
        .filter(C::MeasuredAt.gte(start))
        .filter(C::MeasuredAt.lt(end))
        .order_by_asc(C::MeasuredAt)
        .order_by_asc(C::Id)
        .all(txn)
        .await?;
    // At most one row per policy before the period, so it goes first in its policy's list.
    for s in before.into_iter().chain(inside) {
        by_policy
            .entry(s.policy_id)
            .or_default()
            .push((s.measured_at, s.stored_bytes));
    }
    Ok(by_policy)
}

/// GB-month per tenant of the scope for one month.
pub async fn usage(
    db: &DatabaseConnection,
    scope: &Scope,
    period: Period,
    tenant_ids: Option<Vec<Uuid>>,
    now: DateTime<Utc>,
) -> Result<Vec<TenantUsage>, BackupError> {
    let (start, end) = period.bounds();
    let metered_end = end.min(now);
    let complete = now >= end;
    let txn = scope.begin(db).await?;
    let mut tq = scope.find::<tenant::Entity>();
    if let Some(ids) = &tenant_ids {
        tq = tq.filter(tenant::Column::Id.is_in(ids.clone()));
    }
    let tenants = tq.order_by_name(tenant::Column::Name).all(&txn).await?;
    let tids: Vec<Uuid> = tenants.iter().map(|t| t.id).collect();
    let policies = scope
        .find::<backup_policy::Entity>()
        .filter(backup_policy::Column::TenantId.is_in(tids.clone()))
        .all(&txn)
        .await?;
    let by_policy = samples(&txn, scope, &policies, start, metered_end).await?;
    txn.commit().await?;
    let period_seconds = (end - start).num_seconds();
    let metered_seconds = (metered_end - start).num_seconds().max(0);
    Ok(tenants
        .into_iter()
        .map(|t| {
            let mine: Vec<&backup_policy::Model> =
                policies.iter().filter(|p| p.tenant_id == t.id).collect();
            let mut bs: i128 = 0;
            let mut current: i64 = 0;
            for p in &mine {
                let s = by_policy.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
                bs += byte_seconds(s, start, metered_end);
                current += s.last().map(|(_, b)| *b).unwrap_or(0);
            }
            let average = if metered_seconds > 0 {
                i64::try_from(bs / i128::from(metered_seconds)).unwrap_or(i64::MAX)
            } else {
                0
            };
            TenantUsage {
                organisation_id: t.organisation_id,
                tenant_id: t.id,
                period: period.to_string(),
                milli_gb_months: milli_gb_months(bs, period_seconds),
                average_bytes: average,
                current_bytes: current,
                policies: mine.len(),
                complete,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_gb_month_integrates_the_step_function() {
        let p = Period::parse("2026-11").expect("period");
        let (s, e) = p.bounds();
        let secs = (e - s).num_seconds();
        // 10 GB all month long = 10 GB-month.
        let all = [(s - chrono::Duration::days(3), 10_000_000_000)];
        assert_eq!(milli_gb_months(byte_seconds(&all, s, e), secs), 10_000);
        // 0 until mid-month, then 6 GB: 3 GB-month (November has 30 days).
        let mid = s + chrono::Duration::days(15);
        let half = [(s - chrono::Duration::days(1), 0), (mid, 6_000_000_000)];
        assert_eq!(milli_gb_months(byte_seconds(&half, s, e), secs), 3_000);
        // A sample after the end does not count; nothing before the first sample.
        let late = [(e + chrono::Duration::hours(1), 5_000_000_000)];
        assert_eq!(byte_seconds(&late, s, e), 0);
        // Rounding half up at the thousandth.
        assert_eq!(milli_gb_months(500_000 * i128::from(secs), secs), 1);
        assert_eq!(milli_gb_months(499_999 * i128::from(secs), secs), 0);
    }
}
