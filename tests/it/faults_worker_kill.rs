//! Fault: a real worker process killed (SIGKILL) in the middle of its work, then restarted
//! (the billing run's case is `billing_fault`). Consolidated reports: a queue of report jobs,
//! the worker killed with some done, some held by it and some not yet claimed; after the
//! restart every job is done, the held ones taken over once their lease ran out (a second
//! attempt), the others in one attempt, the done ones not redone, one report per month.
//! Restic collection: real repositories, the worker killed between two of them; after the
//! restart every snapshot is recorded exactly once, nothing half-recorded by the dead pass.
use integration_tests::*;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tenants::backups::restic::{Restic, ResticPassword};

async fn rows(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    app.admin
        .query_all(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            sql,
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

const REPORT_JOBS: i64 = 150;

/// (id, status, attempts, locked_by, finished_at) of the test's report jobs.
type JobState = (
    String,
    String,
    i32,
    Option<String>,
    Option<chrono::DateTime<chrono::Utc>>,
);

async fn report_jobs(app: &TestApp) -> BTreeMap<String, JobState> {
    rows(
        app,
        "SELECT id::text AS id, payload->>'period' AS period, status, attempts, locked_by, finished_at
         FROM job WHERE dedup_key LIKE 'fault-report-%'",
    )
    .await
    .into_iter()
    .map(|r| {
        let period: String = r.try_get("", "period").expect("period");
        (
            period,
            (
                r.try_get("", "id").expect("id"),
                r.try_get("", "status").expect("status"),
                r.try_get("", "attempts").expect("attempts"),
                r.try_get("", "locked_by").expect("locked_by"),
                r.try_get("", "finished_at").expect("finished_at"),
            ),
        )
    })
    .collect()
}

#[tokio::test]
async fn a_worker_killed_mid_report_queue_does_every_report_once_after_restart() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.drop_report_jobs().await;
    // 150 months of consolidated reports of organisation A, all due now.
    app.admin_exec(&format!(
        "INSERT INTO job (id, organisation_id, tenant_id, kind, payload, dedup_key, status, attempts,
           max_attempts, run_at, created_at)
         SELECT gen_random_uuid(), t.organisation_id, t.id, 'reporting.snapshot',
           json_build_object('organisationId', t.organisation_id, 'period',
             to_char(date '2000-01-01' + (i || ' months')::interval, 'YYYY-MM')),
           'fault-report-' || i, 'pending', 0, 8, now() + (i || ' milliseconds')::interval, now()
         FROM generate_series(0, {} - 1) i
         JOIN tenant t ON t.organisation_id = '{}' AND t.kind = 'organisation'",
        REPORT_JOBS, fx.org_a
    ))
    .await;
    // A short lease, so the jobs the killed worker held are taken over quickly.
    let env = [("MUTUALIS_JOB_LEASE_SECS", "3")];
    let mut procs = Processes(vec![app.start_binary(&["worker"], &env)]);
    let t = Instant::now();
    // Killed once a fifth is done, while it holds claimed jobs (it claims ten at a time; two
    // or more, so that it still holds one when the signal lands a moment after the check).
    wait_until(
        "the worker made progress",
        Duration::from_secs(120),
        || async {
            app.count_where("job", "dedup_key LIKE 'fault-report-%' AND status = 'done'")
                .await
                >= REPORT_JOBS / 5
                && app
                    .count_where(
                        "job",
                        "dedup_key LIKE 'fault-report-%' AND status = 'running'",
                    )
                    .await
                    >= 2
        },
    )
    .await;
    procs.0[0].kill().expect("SIGKILL");
    procs.0[0].wait().expect("reaped");
    let killed_at = chrono::Utc::now();
    let at_kill = report_jobs(&app).await;
    let count = |s: &str| at_kill.values().filter(|j| j.1 == s).count();
    let (done, running, pending) = (count("done"), count("running"), count("pending"));
    eprintln!(
        "worker killed after {:.1} s: {done} reports done, {running} held by it, {pending} not claimed",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(done + running + pending, REPORT_JOBS as usize);
    assert!(done > 0 && done < REPORT_JOBS as usize, "killed mid-run");
    assert!(running > 0, "killed while holding jobs");
    let killed_worker = at_kill
        .values()
        .find(|j| j.1 == "running")
        .and_then(|j| j.3.clone())
        .expect("the dead worker's id");

    // Restarted: it finishes, taking over the held jobs once their lease has run out.
    procs.0.push(app.start_binary(&["worker"], &env));
    let t = Instant::now();
    wait_until(
        "every report job is done",
        Duration::from_secs(180),
        || async {
            app.count_where(
                "job",
                "dedup_key LIKE 'fault-report-%' AND status <> 'done'",
            )
            .await
                == 0
        },
    )
    .await;
    eprintln!(
        "restarted worker finished in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let after = report_jobs(&app).await;
    let snapshots: BTreeMap<String, chrono::DateTime<chrono::Utc>> = rows(
        &app,
        &format!(
            "SELECT period, computed_at FROM report_snapshot WHERE organisation_id = '{}' AND period < '2013'",
            fx.org_a
        ),
    )
    .await
    .into_iter()
    .map(|r| {
        (
            r.try_get("", "period").expect("period"),
            r.try_get("", "computed_at").expect("computed_at"),
        )
    })
    .collect();
    assert_eq!(snapshots.len() as i64, REPORT_JOBS, "one report per month");
    for (period, before) in &at_kill {
        let now = &after[period];
        assert_eq!(now.1, "done", "{period}");
        match before.1.as_str() {
            // Done before the kill: not redone (same attempt, same end, computed before).
            "done" => {
                assert_eq!((now.2, &now.3, now.4), (1, &before.3, before.4), "{period}");
                assert!(snapshots[period] < killed_at, "{period} recomputed");
            }
            // Held by the dead worker: taken over once, by the new one.
            "running" => {
                assert_eq!(now.2, 2, "{period}: attempts");
                assert_ne!(now.3.as_ref(), Some(&killed_worker), "{period}");
            }
            _ => {
                assert_eq!(now.2, 1, "{period}: attempts");
                assert_ne!(now.3.as_ref(), Some(&killed_worker), "{period}");
            }
        }
        assert!(snapshots.contains_key(period), "the report of {period}");
    }
}

const PASSWORD: &str = "mot-de-passe-du-depot-compiegne";
const REPOSITORIES: usize = 8;

fn restic_binary() -> PathBuf {
    std::env::var_os("MUTUALIS_TEST_RESTIC")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/restic"))
}

fn restic(repo: &Path) -> Restic {
    Restic::new(repo.to_string_lossy(), ResticPassword::new(PASSWORD))
        .with_binary(restic_binary())
        .with_timeout(Duration::from_secs(120))
}

/// Processes (by id) whose environment names a repository under `dir`: the restic commands a
/// killed worker left running.
fn restic_under(dir: &Path) -> Vec<u32> {
    let needle = format!("RESTIC_REPOSITORY={}", dir.display());
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
                .filter(|pid| {
                    std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
                        env.split(|b| *b == 0)
                            .any(|v| v.starts_with(needle.as_bytes()))
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy file");
        }
    }
}

#[tokio::test]
async fn a_worker_killed_mid_restic_collection_records_every_snapshot_once_after_restart() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let tmp = TempDir(
        std::env::temp_dir().join(format!("mutualis-fault-restic-{}", uuid::Uuid::now_v7())),
    );
    // Eight communes of organisation A, each with its own repository: the same first snapshot
    // (copies of one repository, to spare eight `restic init`) and one of its own.
    let communes: Vec<String> = rows(
        &app,
        &format!(
            "SELECT id::text AS id FROM tenant WHERE organisation_id = '{}' AND kind = 'commune' ORDER BY insee_code LIMIT {REPOSITORIES}",
            fx.org_a
        ),
    )
    .await
    .into_iter()
    .map(|r| r.try_get("", "id").expect("id"))
    .collect();
    assert_eq!(communes.len(), REPOSITORIES);
    let files = tmp.0.join("mairie");
    std::fs::create_dir_all(&files).expect("files");
    std::fs::write(
        files.join("deliberations.txt"),
        "Séance du conseil\n".repeat(500),
    )
    .expect("file");
    let seed = tmp.0.join("seed");
    restic(&seed).init().await.expect("restic init");
    let first = restic(&seed)
        .backup(&[&files], "srv-mairie", &["mairie"])
        .await
        .expect("backup")
        .snapshot_id
        .expect("snapshot id");
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut policies: BTreeMap<String, String> = BTreeMap::new();
    for (i, tenant) in communes.iter().enumerate() {
        let repo = tmp.0.join(format!("repo-{i}"));
        copy_dir(&seed, &repo);
        std::fs::write(
            files.join("etat-civil.txt"),
            format!("Registre {i}\n").repeat(300),
        )
        .expect("file");
        let own = restic(&repo)
            .backup(&[&files], "srv-mairie", &["mairie"])
            .await
            .expect("backup")
            .snapshot_id
            .expect("snapshot id");
        let r = app
            .gql(
                &fx.org_admin_a,
                &format!("mutation($t: UUID!, $name: String!, $host: String!, $repo: String!) {{ createBackupPolicy(tenantId: $t, input: {BACKUP_POLICY_INPUT}) {{ id }} }}"),
                json!({"t": tenant, "name": "Serveur mairie", "host": "srv-mairie", "repo": repo.to_string_lossy()}),
            )
            .await;
        let policy = data(&r)["createBackupPolicy"]["id"]
            .as_str()
            .expect("policy")
            .to_owned();
        expected.insert(policy.clone(), [first.clone(), own].into());
        policies.insert(policy, repo.to_string_lossy().into_owned());
    }

    // The worker collects at start (then not for a day).
    let binary = restic_binary().to_string_lossy().into_owned();
    let env = [
        ("MUTUALIS_RESTIC_BINARY", binary.as_str()),
        ("MUTUALIS_RESTIC_PASSWORD_COMPIEGNE", PASSWORD),
    ];
    let collected = || async {
        rows(
            &app,
            "SELECT policy_id::text AS p, count(*) AS n, max(received_at) AS at FROM backup_job WHERE source = 'restic' GROUP BY policy_id",
        )
        .await
        .into_iter()
        .map(|r| {
            (
                r.try_get::<String>("", "p").expect("p"),
                (
                    r.try_get::<i64>("", "n").expect("n"),
                    r.try_get::<chrono::DateTime<chrono::Utc>>("", "at").expect("at"),
                ),
            )
        })
        .collect::<BTreeMap<_, _>>()
    };
    let mut procs = Processes(vec![app.start_binary(&["worker"], &env)]);
    let t = Instant::now();
    wait_until(
        "the collector recorded a repository",
        Duration::from_secs(120),
        || async { collected().await.len() >= REPOSITORIES / 4 },
    )
    .await;
    procs.0[0].kill().expect("SIGKILL");
    procs.0[0].wait().expect("reaped");
    let at_kill = collected().await;
    let samples_at_kill = app.count("backup_storage_sample").await;
    eprintln!(
        "worker killed after {:.1} s with {} of {REPOSITORIES} repositories collected",
        t.elapsed().as_secs_f64(),
        at_kill.len()
    );
    assert!(at_kill.len() < REPOSITORIES, "killed before the end");
    // Each collected repository whole (its snapshots and its storage sample in one
    // transaction); nothing of the one being read when the worker died.
    for (p, (n, _)) in &at_kill {
        assert_eq!(*n, 2, "policy {p}");
    }
    assert_eq!(samples_at_kill, at_kill.len() as i64);
    // The restic command the dead worker was running is an orphan now: it ends by itself.
    let orphans = restic_under(&tmp.0);
    let t = Instant::now();
    while !restic_under(&tmp.0).is_empty() && t.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for pid in restic_under(&tmp.0) {
        signal(pid, "KILL");
    }
    eprintln!(
        "{} restic command(s) left running by the killed worker, ended after {:.1} s",
        orphans.len(),
        t.elapsed().as_secs_f64()
    );

    // Restarted: a full pass over every repository.
    let restarted_at = chrono::Utc::now();
    procs.0.push(app.start_binary(&["worker"], &env));
    let t = Instant::now();
    wait_until(
        "the restarted worker's pass is over",
        Duration::from_secs(180),
        || async {
            app.count_where(
                "backup_storage_sample",
                &format!("measured_at >= '{}'", restarted_at.to_rfc3339()),
            )
            .await
                == REPOSITORIES as i64
        },
    )
    .await;
    eprintln!(
        "restarted worker collected every repository in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let after = collected().await;
    assert_eq!(after.len(), REPOSITORIES);
    for (policy, snaps) in &expected {
        let got: BTreeSet<String> = rows(
            &app,
            &format!("SELECT snapshot_id FROM backup_job WHERE policy_id = '{policy}'"),
        )
        .await
        .into_iter()
        .map(|r| r.try_get("", "snapshot_id").expect("snapshot_id"))
        .collect();
        assert_eq!(&got, snaps, "policy {policy} ({})", policies[policy]);
        assert_eq!(after[policy].0, 2, "each snapshot once: {policy}");
        match at_kill.get(policy) {
            // Recorded before the kill: kept as they were, not recorded again.
            Some(before) => assert_eq!(after[policy], *before, "{policy}"),
            None => assert!(after[policy].1 >= restarted_at, "{policy}"),
        }
    }
    assert_eq!(
        app.count("backup_job").await,
        2 * REPOSITORIES as i64,
        "no duplicate"
    );
    // One storage sample per pass that read the repository.
    assert_eq!(
        app.count("backup_storage_sample").await,
        (at_kill.len() + REPOSITORIES) as i64
    );
}
