//! The worker's restic collector: reads every repository named by an active policy, maps its
//! snapshots to policies by host and tags, records one job per new snapshot and one storage
//! sample per policy.
//!
//! Mapping: a snapshot belongs to the policy of the same repository whose host equals the
//! snapshot's hostname and whose tags are all on the snapshot; when several match, the one
//! with the most tags wins; a tie is reported as ambiguous and the snapshot left out.
//! Sizes: restic >= 0.17 keeps each run's figures in the snapshot; with older restic (Debian
//! 12 has 0.14) the newest `sizes_per_pass` new snapshots get `stats --mode restore-size`
//! (size and files), the others are recorded without. Storage: `stats --mode raw-data` over
//! the policy's snapshots, the bytes they need in the repository after deduplication.
//! Passwords come from the configuration by the policy's `password_ref`; the database never
//! holds them. A repository whose password the configuration does not hold is not read (it is
//! listed as skipped): its policies are fed by the webhook.
use super::restic::{Restic, ResticPassword, Snapshot, StatsMode};
use super::{policies, reports, BackupError};
use crate::entities::{backup_job, backup_policy, backup_storage_sample};
use crate::tenancy::{Permission, Scope};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ResticSettings {
    pub binary: PathBuf,
    /// Repository passwords by `password_ref` (lower case).
    pub passwords: HashMap<String, ResticPassword>,
    pub timeout: Duration,
    /// How many new snapshots per repository and pass get their own `stats` call (restic
    /// < 0.17 only), newest first.
    pub sizes_per_pass: usize,
}

impl Default for ResticSettings {
    fn default() -> Self {
        Self {
            binary: PathBuf::from("restic"),
            passwords: HashMap::new(),
            timeout: super::restic::DEFAULT_TIMEOUT,
            sizes_per_pass: 20,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectReport {
    pub repositories: usize,
    pub snapshots_seen: usize,
    pub jobs_recorded: usize,
    pub samples_recorded: usize,
    pub unmatched: usize,
    pub ambiguous: usize,
    /// One line per repository that could not be read (the others are still collected).
    pub failures: Vec<String>,
    /// Repositories left alone because the configuration holds no password for them.
    pub skipped: Vec<String>,
}

/// The policy a snapshot belongs to, if exactly one is the best match.
fn best_match<'a>(
    snap: &Snapshot,
    candidates: &'a [(backup_policy::Model, Vec<String>)],
) -> Result<Option<&'a backup_policy::Model>, ()> {
    let mut best: Option<(&backup_policy::Model, usize)> = None;
    let mut tie = false;
    for (p, tags) in candidates {
        if p.host != snap.hostname || !tags.iter().all(|t| snap.tags.contains(t)) {
            continue;
        }
        match best {
            Some((_, n)) if n > tags.len() => {}
            Some((_, n)) if n == tags.len() => tie = true,
            _ => {
                best = Some((p, tags.len()));
                tie = false;
            }
        }
    }
    if tie {
        return Err(());
    }
    Ok(best.map(|(p, _)| p))
}

pub async fn collect(
    db: &DatabaseConnection,
    settings: &ResticSettings,
    now: DateTime<Utc>,
) -> Result<CollectReport, BackupError> {
    let scope = Scope::worker(Permission::ReadBackups);
    let txn = scope.begin(db).await?;
    let active = scope
        .find::<backup_policy::Entity>()
        .filter(backup_policy::Column::Active.eq(true))
        .order_by_asc(backup_policy::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    let mut groups: BTreeMap<(String, String), Vec<backup_policy::Model>> = BTreeMap::new();
    for p in active {
        groups
            .entry((p.repository.clone(), p.password_ref.clone()))
            .or_default()
            .push(p);
    }
    let mut report = CollectReport::default();
    for ((repository, password_ref), group) in groups {
        // No password here for it: not a repository this worker reads. Policies fed by the
        // webhook from another backup tool name their location and a password name too; a
        // warning every pass for them would be noise. Listed, so `collect-backups` shows a
        // forgotten password (and the policy's RPO state shows the missing runs).
        let Some(password) = settings.passwords.get(&password_ref) else {
            report.skipped.push(format!(
                "{repository}: no password {password_ref:?} in the configuration \
                 (MUTUALIS_RESTIC_PASSWORD_{})",
                password_ref.to_ascii_uppercase().replace('-', "_")
            ));
            continue;
        };
        report.repositories += 1;
        let span = tracing::info_span!("restic_collect", repository = %repository);
        let _enter = span.enter();
        let restic = Restic::new(repository.clone(), password.clone())
            .with_binary(&settings.binary)
            .with_timeout(settings.timeout);
        if let Err(e) =
            collect_repository(db, &scope, &restic, settings, group, now, &mut report).await
        {
            tracing::warn!(error = %e, "restic repository not collected");
            report.failures.push(format!("{repository}: {e}"));
        }
    }
    Ok(report)
}

async fn collect_repository(
    db: &DatabaseConnection,
    scope: &Scope,
    restic: &Restic,
    settings: &ResticSettings,
    group: Vec<backup_policy::Model>,
    now: DateTime<Utc>,
    report: &mut CollectReport,
) -> Result<(), BackupError> {
    let snapshots = restic.snapshots().await?;
    report.snapshots_seen += snapshots.len();
    let candidates: Vec<(backup_policy::Model, Vec<String>)> = group
        .into_iter()
        .map(|p| {
            let t = policies::tags(&p);
            (p, t)
        })
        .collect();
    let mut mapped: BTreeMap<Uuid, Vec<&Snapshot>> = BTreeMap::new();
    for s in &snapshots {
        match best_match(s, &candidates) {
            Ok(Some(p)) => mapped.entry(p.id).or_default().push(s),
            Ok(None) => report.unmatched += 1,
            Err(()) => report.ambiguous += 1,
        }
    }
    let ids: Vec<Uuid> = candidates.iter().map(|(p, _)| p.id).collect();
    let txn = scope.begin(db).await?;
    let known: HashSet<String> = scope
        .find::<backup_job::Entity>()
        .filter(backup_job::Column::PolicyId.is_in(ids.clone()))
        .filter(backup_job::Column::Source.eq("restic"))
        .select_only()
        .column(backup_job::Column::ExternalId)
        .into_tuple::<String>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let last_samples: HashMap<Uuid, i64> = {
        let mut m = HashMap::new();
        for id in &ids {
            if let Some(s) = scope
                .find::<backup_storage_sample::Entity>()
                .filter(backup_storage_sample::Column::PolicyId.eq(*id))
                .order_by_desc(backup_storage_sample::Column::MeasuredAt)
                .one(&txn)
                .await?
            {
                m.insert(*id, s.stored_bytes);
            }
        }
        m
    };
    txn.commit().await?;

    // New snapshots, newest first, for the size budget.
    let mut new: Vec<(&backup_policy::Model, &Snapshot)> = candidates
        .iter()
        .flat_map(|(p, _)| {
            mapped
                .get(&p.id)
                .into_iter()
                .flatten()
                .filter(|s| !known.contains(&s.id))
                .map(move |s| (p, *s))
        })
        .collect();
    new.sort_by(|a, b| b.1.time.cmp(&a.1.time).then(a.1.id.cmp(&b.1.id)));
    let mut sized = 0usize;
    let mut jobs = Vec::with_capacity(new.len());
    for (p, s) in new {
        let (mut files, mut bytes, mut added) = (None, None, None);
        let (mut started, mut finished, mut duration) = (Some(s.time), s.time, None);
        if let Some(sum) = &s.summary {
            files = i64::try_from(sum.total_files_processed).ok();
            bytes = i64::try_from(sum.total_bytes_processed).ok();
            added = i64::try_from(sum.data_added).ok();
            if let (Some(a), Some(b)) = (sum.backup_start, sum.backup_end) {
                started = Some(a);
                finished = b;
                duration = Some((b - a).num_milliseconds().max(0));
            }
        } else if sized < settings.sizes_per_pass {
            sized += 1;
            let st = restic.stats_for(StatsMode::RestoreSize, &[&s.id]).await?;
            bytes = i64::try_from(st.total_size).ok();
            files = i64::try_from(st.total_file_count).ok();
        }
        jobs.push(backup_job::ActiveModel::from(backup_job::Model {
            id: Uuid::now_v7(),
            organisation_id: p.organisation_id,
            tenant_id: p.tenant_id,
            policy_id: p.id,
            source: "restic".into(),
            external_id: s.id.clone(),
            status: "success".into(),
            started_at: started,
            finished_at: finished,
            duration_ms: duration,
            bytes_processed: bytes,
            bytes_added: added,
            files,
            snapshot_id: Some(s.short_id.clone()).filter(|x| !x.is_empty()),
            message: None,
            received_at: now,
        }));
    }

    // Storage per policy, measured before writing so one transaction holds the whole pass.
    let mut samples = Vec::new();
    for (p, _) in &candidates {
        match mapped.get(&p.id) {
            Some(snaps) if !snaps.is_empty() => {
                let ids: Vec<&str> = snaps.iter().map(|s| s.id.as_str()).collect();
                let st = restic.stats_for(StatsMode::RawData, &ids).await?;
                samples.push((p, i64::try_from(st.total_size).unwrap_or(i64::MAX)));
            }
            // Every snapshot forgotten: the storage is freed.
            _ if last_samples.get(&p.id).is_some_and(|b| *b > 0) => samples.push((p, 0)),
            _ => {}
        }
    }

    let txn = scope.begin(db).await?;
    for chunk in jobs.chunks(500) {
        let before = report.jobs_recorded;
        let n = backup_job::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    backup_job::Column::TenantId,
                    backup_job::Column::Source,
                    backup_job::Column::ExternalId,
                    backup_job::Column::OrganisationId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(&txn)
            .await?;
        let n = match n {
            sea_orm::TryInsertResult::Inserted(n) => usize::try_from(n).unwrap_or(0),
            _ => 0,
        };
        report.jobs_recorded = before + n;
    }
    for (p, bytes) in samples {
        reports::sample(&txn, p, "restic", now, bytes).await?;
        report.samples_recorded += 1;
        // New jobs or storage: the organisation's report follows (same transaction).
        crate::jobs::enqueue_change(&txn, p.organisation_id, p.tenant_id, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(name: &str, host: &str, tags: &[&str]) -> (backup_policy::Model, Vec<String>) {
        let now = Utc::now();
        let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
        (
            backup_policy::Model {
                id: Uuid::now_v7(),
                organisation_id: Uuid::nil(),
                tenant_id: Uuid::nil(),
                name: name.into(),
                kind: "server".into(),
                target: "x".into(),
                host: host.into(),
                tags: json!(tags),
                interval_hours: 24,
                keep_daily: 7,
                keep_weekly: 0,
                keep_monthly: 0,
                keep_yearly: 0,
                rpo_hours: 24,
                repository: "/r".into(),
                password_ref: "p".into(),
                active: true,
                version: 1,
                created_at: now,
                updated_at: now,
            },
            tags,
        )
    }

    fn snap(host: &str, tags: &[&str]) -> Snapshot {
        serde_json::from_value(json!({
            "time": "2026-11-24T02:00:00Z", "hostname": host, "id": "abc",
            "tags": tags,
        }))
        .expect("snapshot")
    }

    #[test]
    fn backups_snapshots_map_to_the_most_specific_policy() {
        let c = vec![
            policy("all", "srv", &[]),
            policy("db", "srv", &["db"]),
            policy("db-nightly", "srv", &["db", "nightly"]),
            policy("other", "nas", &["db"]),
        ];
        let name = |s: Snapshot| best_match(&s, &c).map(|p| p.map(|p| p.name.clone()));
        assert_eq!(name(snap("srv", &[])), Ok(Some("all".into())));
        assert_eq!(name(snap("srv", &["db"])), Ok(Some("db".into())));
        assert_eq!(
            name(snap("srv", &["nightly", "db"])),
            Ok(Some("db-nightly".into()))
        );
        assert_eq!(name(snap("nas", &["db"])), Ok(Some("other".into())));
        assert_eq!(name(snap("nas", &[])), Ok(None));
        assert_eq!(name(snap("pc", &["db"])), Ok(None));
        let tied = vec![policy("a", "srv", &["x"]), policy("b", "srv", &["y"])];
        assert_eq!(
            best_match(&snap("srv", &["x", "y"]), &tied).map(|_| ()),
            Err(())
        );
    }
}
