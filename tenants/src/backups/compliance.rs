//! RPO compliance. For each active policy: the age of its last good backup (success or
//! warning) against its RPO, the jobs missed against its schedule, the failed ones, and whether
//! a successful restore test happened in the last 12 months. For each tenant: one state.
//!
//! Policy state: `failing` when the latest job failed; `never` when no good backup exists;
//! `late` when the last good one is older than the RPO; `ok` otherwise.
//! Tenant state, over its active policies: `failing` if one fails; `never` if none ever had a
//! good backup (or it has no active policy); `late` if one is past its RPO (a policy that never
//! ran counts once it is older than its RPO); `ok` otherwise.
//!
//! Missed jobs over a window: each gap between consecutive good backups (and from the window's
//! start, or the policy's creation, to the first; and from the last to now) of length `g` hides
//! `max(0, round(g / interval) - 1)` runs. Rounding, not flooring, absorbs schedule jitter: a
//! daily job that ran 25 h after the previous one missed nothing, one that ran 40 h after did.
use super::{BackupError, GOOD_STATUSES};
use crate::collation::OrderByName;
use crate::entities::{backup_job, backup_policy, backup_restore_test};
use crate::tenancy::Scope;
use chrono::{DateTime, Duration, Months, Utc};
use chrono_tz::Europe::Paris;
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RpoState {
    Ok,
    Late,
    Never,
    Failing,
}

impl RpoState {
    pub fn as_str(self) -> &'static str {
        match self {
            RpoState::Ok => "ok",
            RpoState::Late => "late",
            RpoState::Never => "never",
            RpoState::Failing => "failing",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyStatus {
    pub policy: backup_policy::Model,
    pub state: RpoState,
    pub last_good_at: Option<DateTime<Utc>>,
    pub last_job_at: Option<DateTime<Utc>>,
    pub last_job_status: Option<String>,
    /// Hours since the last good backup.
    pub age_hours: Option<f64>,
    /// Past the RPO: late, or never backed up and created longer ago than the RPO.
    pub overdue: bool,
    pub missed_jobs: i64,
    pub failed_jobs: i64,
    pub window_days: i64,
    pub last_restore_test_at: Option<DateTime<Utc>>,
    pub last_restore_test_result: Option<String>,
    /// No successful restore test in the last 12 months.
    pub restore_test_due: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TenantStatus {
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub state: RpoState,
    pub policies: usize,
    pub ok: usize,
    pub late: usize,
    pub never: usize,
    pub failing: usize,
    pub restore_tests_due: usize,
}

/// The instant twelve calendar months before `now`, counted in Paris time.
pub fn twelve_months_before(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Paris).naive_local();
    let back = local
        .checked_sub_months(Months::new(12))
        .unwrap_or(local - Duration::days(365));
    back.and_local_timezone(Paris)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(now - Duration::days(365))
}

/// Runs hidden in a gap of `gap` between two good backups, for a schedule of `interval`.
pub fn missed_in_gap(gap: Duration, interval_hours: i32) -> i64 {
    let interval = f64::from(interval_hours.max(1)) * 3600.0;
    let runs = (gap.num_seconds().max(0) as f64 / interval).round() as i64;
    (runs - 1).max(0)
}

/// Pure status of one policy from its jobs (any order) and restore tests.
pub fn policy_status(
    policy: backup_policy::Model,
    jobs: &[(DateTime<Utc>, String)],
    tests: &[(DateTime<Utc>, String)],
    now: DateTime<Utc>,
    window_days: i64,
) -> PolicyStatus {
    let is_good = |s: &str| GOOD_STATUSES.contains(&s);
    let last_job = jobs.iter().max_by_key(|(t, _)| *t);
    let mut good: Vec<DateTime<Utc>> = jobs
        .iter()
        .filter(|(_, s)| is_good(s))
        .map(|(t, _)| *t)
        .collect();
    good.sort();
    let last_good_at = good.last().copied();
    let rpo = Duration::hours(i64::from(policy.rpo_hours));
    let state = match (last_job, last_good_at) {
        (Some((_, s)), _) if s == "failed" => RpoState::Failing,
        (_, None) => RpoState::Never,
        (_, Some(g)) if now - g > rpo => RpoState::Late,
        _ => RpoState::Ok,
    };
    let overdue = match last_good_at {
        Some(g) => now - g > rpo,
        None => now - policy.created_at > rpo,
    };
    // Runs are due from the policy's creation, or from its first report when the tool
    // reported before the policy was recorded here.
    let since_exists = good
        .first()
        .map_or(policy.created_at, |g| (*g).min(policy.created_at));
    let window_start = (now - Duration::days(window_days)).max(since_exists);
    let mut missed = 0;
    let mut prev = window_start;
    for t in good.iter().filter(|t| **t >= window_start && **t <= now) {
        missed += missed_in_gap(*t - prev, policy.interval_hours);
        prev = *t;
    }
    // The trailing gap counts only whole runs due since the last one.
    missed += missed_in_gap(now - prev, policy.interval_hours);
    let failed_jobs = jobs
        .iter()
        .filter(|(t, s)| s == "failed" && *t >= window_start)
        .count() as i64;
    let last_test = tests.iter().max_by_key(|(t, _)| *t);
    let since = twelve_months_before(now);
    let restore_test_due = !tests
        .iter()
        .any(|(t, r)| r == "success" && *t >= since && *t <= now + Duration::minutes(5));
    PolicyStatus {
        state,
        last_good_at,
        last_job_at: last_job.map(|(t, _)| *t),
        last_job_status: last_job.map(|(_, s)| s.clone()),
        age_hours: last_good_at.map(|g| (now - g).num_seconds() as f64 / 3600.0),
        overdue,
        missed_jobs: missed,
        failed_jobs,
        window_days,
        last_restore_test_at: last_test.map(|(t, _)| *t),
        last_restore_test_result: last_test.map(|(_, r)| r.clone()),
        restore_test_due,
        policy,
    }
}

/// Rolls policy statuses up to their tenants (rule in the module's comment).
pub fn tenant_states(tenants: &[(Uuid, Uuid)], statuses: &[PolicyStatus]) -> Vec<TenantStatus> {
    tenants
        .iter()
        .map(|(org, tenant)| {
            let mine: Vec<&PolicyStatus> = statuses
                .iter()
                .filter(|s| s.policy.tenant_id == *tenant && s.policy.active)
                .collect();
            let count = |st: RpoState| mine.iter().filter(|s| s.state == st).count();
            let state = if count(RpoState::Failing) > 0 {
                RpoState::Failing
            } else if mine.iter().all(|s| s.last_good_at.is_none()) {
                RpoState::Never
            } else if mine.iter().any(|s| s.overdue) {
                RpoState::Late
            } else {
                RpoState::Ok
            };
            TenantStatus {
                organisation_id: *org,
                tenant_id: *tenant,
                state,
                policies: mine.len(),
                ok: count(RpoState::Ok),
                late: count(RpoState::Late),
                never: count(RpoState::Never),
                failing: count(RpoState::Failing),
                restore_tests_due: mine.iter().filter(|s| s.restore_test_due).count(),
            }
        })
        .collect()
}

/// Has the policy a job (a good one, with `good_only`) among those read from the window?
fn has_recent(
    jobs: &HashMap<Uuid, Vec<(DateTime<Utc>, String)>>,
    policy: Uuid,
    good_only: bool,
) -> bool {
    jobs.get(&policy).is_some_and(|v| {
        v.iter()
            .any(|(_, s)| !good_only || GOOD_STATUSES.contains(&s.as_str()))
    })
}

/// Each policy's last job (last good job, with `good_only`) finished before `since`, for all
/// the given policies in one statement.
async fn last_before(
    txn: &DatabaseTransaction,
    scope: &Scope,
    policies: Vec<Uuid>,
    since: DateTime<Utc>,
    good_only: bool,
) -> Result<HashMap<Uuid, (DateTime<Utc>, String)>, BackupError> {
    use backup_job::Column as C;
    if policies.is_empty() {
        return Ok(HashMap::new());
    }
    let status = good_only.then_some((C::Status, GOOD_STATUSES));
    let latest = super::latest_ids_before::<backup_job::Entity>(
        super::LatestColumns {
            id: C::Id,
            policy: C::PolicyId,
            at: C::FinishedAt,
        },
        since,
        status,
        policies,
    );
    let rows: Vec<(Uuid, DateTime<Utc>, String)> = scope
        .find::<backup_job::Entity>()
        .filter(C::Id.in_subquery(latest))
        .select_only()
        .column(C::PolicyId)
        .column(C::FinishedAt)
        .column(C::Status)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows.into_iter().map(|(p, t, s)| (p, (t, s))).collect())
}

/// Statuses of the given policies, read in at most four statements whatever their number:
/// the window's jobs, the last good and the last job before the window of the policies that
/// need them, and the restore tests.
pub async fn statuses(
    db: &DatabaseConnection,
    scope: &Scope,
    policies: Vec<backup_policy::Model>,
    now: DateTime<Utc>,
    window_days: i64,
) -> Result<Vec<PolicyStatus>, BackupError> {
    if policies.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Uuid> = policies.iter().map(|p| p.id).collect();
    let txn = scope.begin(db).await?;
    // The window's jobs, plus each policy's last good and last job of all time: the newest
    // first, so the latest per policy is the first seen.
    let since = now - Duration::days(window_days);
    let mut jobs: HashMap<Uuid, Vec<(DateTime<Utc>, String)>> = HashMap::new();
    let recent: Vec<(Uuid, DateTime<Utc>, String)> = scope
        .find::<backup_job::Entity>()
        .filter(backup_job::Column::PolicyId.is_in(ids.clone()))
        .filter(backup_job::Column::FinishedAt.gte(since))
        .select_only()
        .column(backup_job::Column::PolicyId)
        .column(backup_job::Column::FinishedAt)
        .column(backup_job::Column::Status)
        .into_tuple()
        .all(&txn)
        .await?;
    for (p, t, s) in recent {
        jobs.entry(p).or_default().push((t, s));
    }
    // Policies without a good job in the window still need their last good one of all time,
    // and those with no job at all there (nor a good one found before) their last one: read
    // for all of them at once, one statement per kind. (As the per-policy reads did, a last
    // good job found before the window stands for the last job: the last one is not read.)
    let need_good: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|p| !has_recent(&jobs, *p, true))
        .collect();
    let last_good = last_before(&txn, scope, need_good, since, true).await?;
    let need_any: Vec<Uuid> = ids
        .iter()
        .copied()
        .filter(|p| !has_recent(&jobs, *p, false) && !last_good.contains_key(p))
        .collect();
    let last_any = last_before(&txn, scope, need_any, since, false).await?;
    for (pid, job) in last_good.into_iter().chain(last_any) {
        jobs.entry(pid).or_default().push(job);
    }
    let mut tests: HashMap<Uuid, Vec<(DateTime<Utc>, String)>> = HashMap::new();
    let rows: Vec<(Uuid, DateTime<Utc>, String)> = scope
        .find::<backup_restore_test::Entity>()
        .filter(backup_restore_test::Column::PolicyId.is_in(ids))
        .select_only()
        .column(backup_restore_test::Column::PolicyId)
        .column(backup_restore_test::Column::PerformedAt)
        .column(backup_restore_test::Column::Result)
        .into_tuple()
        .all(&txn)
        .await?;
    for (p, t, r) in rows {
        tests.entry(p).or_default().push((t, r));
    }
    txn.commit().await?;
    Ok(policies
        .into_iter()
        .map(|p| {
            let j = jobs.remove(&p.id).unwrap_or_default();
            let t = tests.remove(&p.id).unwrap_or_default();
            policy_status(p, &j, &t, now, window_days)
        })
        .collect())
}

/// Every tenant of the scope (or the ones named) with its state, and its policies' statuses.
pub async fn overview(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
    now: DateTime<Utc>,
    window_days: i64,
) -> Result<(Vec<TenantStatus>, Vec<PolicyStatus>), BackupError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<crate::entities::tenant::Entity>();
    if let Some(ids) = &tenant_ids {
        q = q.filter(crate::entities::tenant::Column::Id.is_in(ids.clone()));
    }
    let tenants: Vec<(Uuid, Uuid)> = q
        .order_by_name(crate::entities::tenant::Column::Name)
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.organisation_id, t.id))
        .collect();
    txn.commit().await?;
    let ids: Vec<Uuid> = tenants.iter().map(|(_, t)| *t).collect();
    let policies = super::policies::list(db, scope, Some(ids), false).await?;
    let statuses = statuses(db, scope, policies, now, window_days).await?;
    Ok((tenant_states(&tenants, &statuses), statuses))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn policy(created: DateTime<Utc>) -> backup_policy::Model {
        backup_policy::Model {
            id: Uuid::now_v7(),
            organisation_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            name: "p".into(),
            kind: "server".into(),
            target: "srv".into(),
            host: "srv".into(),
            tags: json!([]),
            interval_hours: 24,
            keep_daily: 7,
            keep_weekly: 0,
            keep_monthly: 0,
            keep_yearly: 0,
            rpo_hours: 36,
            repository: "/r".into(),
            password_ref: "p".into(),
            active: true,
            version: 1,
            created_at: created,
            updated_at: created,
        }
    }

    #[test]
    fn backups_rpo_states_missed_jobs_and_restore_flag() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
            .single()
            .expect("date");
        let created = now - Duration::days(60);
        let h = |hours: i64| now - Duration::hours(hours);
        let job = |hours: i64, s: &str| (h(hours), s.to_owned());
        let st =
            |jobs: &[(DateTime<Utc>, String)]| policy_status(policy(created), jobs, &[], now, 30);
        assert_eq!(st(&[]).state, RpoState::Never);
        assert!(st(&[]).overdue);
        assert_eq!(st(&[job(10, "success")]).state, RpoState::Ok);
        assert_eq!(st(&[job(40, "success")]).state, RpoState::Late);
        assert_eq!(st(&[job(10, "warning")]).state, RpoState::Ok);
        assert_eq!(
            st(&[job(30, "success"), job(5, "failed")]).state,
            RpoState::Failing
        );
        assert_eq!(
            st(&[job(5, "success"), job(30, "failed")]).state,
            RpoState::Ok
        );
        // Daily runs every 24 h for 30 days: nothing missed.
        let daily: Vec<_> = (0..30).map(|d| job(d * 24 + 2, "success")).collect();
        let s = st(&daily);
        assert_eq!((s.missed_jobs, s.failed_jobs), (0, 0));
        // Drop days 3, 4 and 10: three runs missed; two failures in the window, one before.
        let mut gaps: Vec<_> = daily
            .iter()
            .enumerate()
            .filter(|(i, _)| ![3, 4, 10].contains(i))
            .map(|(_, j)| j.clone())
            .collect();
        gaps.extend([
            job(3 * 24, "failed"),
            job(4 * 24, "failed"),
            job(40 * 24, "failed"),
        ]);
        let s = st(&gaps);
        assert_eq!(s.missed_jobs, 3);
        assert_eq!(s.failed_jobs, 2);
        // A new policy, created 10 h ago, never run: not yet overdue.
        let fresh = policy_status(policy(h(10)), &[], &[], now, 30);
        assert_eq!(
            (fresh.state, fresh.overdue, fresh.missed_jobs),
            (RpoState::Never, false, 0)
        );
        // Restore tests: a success 11 months ago keeps the flag down, 13 months raises it.
        let t = |months: u32, r: &str| {
            (
                now.checked_sub_months(Months::new(months)).expect("date"),
                r.to_owned(),
            )
        };
        let with_tests = |tests: &[(DateTime<Utc>, String)]| {
            policy_status(policy(created), &[], tests, now, 30).restore_test_due
        };
        assert!(with_tests(&[]));
        assert!(!with_tests(&[t(11, "success")]));
        assert!(with_tests(&[t(13, "success")]));
        assert!(
            with_tests(&[t(1, "failed")]),
            "a failed test is not evidence"
        );
    }

    #[test]
    fn backups_tenant_state_rolls_up_policies() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
            .single()
            .expect("date");
        let tenant = (Uuid::nil(), Uuid::nil());
        let mk = |created: DateTime<Utc>, jobs: &[(DateTime<Utc>, String)]| {
            policy_status(policy(created), jobs, &[], now, 30)
        };
        let old = now - Duration::days(60);
        let ok = mk(old, &[(now - Duration::hours(1), "success".into())]);
        let late = mk(old, &[(now - Duration::hours(50), "success".into())]);
        let failing = mk(old, &[(now - Duration::hours(1), "failed".into())]);
        let never_new = mk(now - Duration::hours(1), &[]);
        let never_old = mk(old, &[]);
        let state = |s: &[PolicyStatus]| tenant_states(&[tenant], s)[0].state;
        assert_eq!(state(&[]), RpoState::Never);
        assert_eq!(state(std::slice::from_ref(&ok)), RpoState::Ok);
        assert_eq!(state(&[ok.clone(), never_new.clone()]), RpoState::Ok);
        assert_eq!(state(&[ok.clone(), never_old.clone()]), RpoState::Late);
        assert_eq!(state(&[ok.clone(), late.clone()]), RpoState::Late);
        assert_eq!(state(&[late, failing.clone(), ok]), RpoState::Failing);
        assert_eq!(state(&[never_old, never_new]), RpoState::Never);
        let counts = tenant_states(&[tenant], &[failing])[0].clone();
        assert_eq!(
            (counts.policies, counts.failing, counts.restore_tests_due),
            (1, 1, 1)
        );
    }
}
