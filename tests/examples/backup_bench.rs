//! Backup benchmark (not a test: it prints figures, it asserts nothing about time).
//!
//! 1. Webhook ingest: N signed reports from C concurrent senders against the real server
//!    (PostgreSQL, RLS, mutualis_app): reports per second, p50, p99.
//! 2. The restic collector on one real repository holding S snapshots spread over 5 hosts:
//!    the first pass (every snapshot new) and a second pass (nothing new).
//!
//! The repository is built once and kept under `$CARGO_TARGET_DIR/bench-restic-<S>` (each
//! `restic backup` costs about half a second of key derivation, so S = 1000 takes minutes).
//!
//! Run with the test services up (`source tests/services.sh; start_services`):
//!   cargo run --release -p integration-tests --example backup_bench -- [reports] [senders] [snapshots]
use integration_tests::*;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenants::backups::collector::ResticSettings;
use tenants::backups::restic::{Restic, ResticPassword};

const PASSWORD: &str = "bench-password";
const HOSTS: usize = 5;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

fn restic_binary() -> PathBuf {
    std::env::var_os("MUTUALIS_TEST_RESTIC")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("restic"))
}

/// A repository with `n` snapshots (host `srv-<i mod 5>`, tag `bench`), built once.
async fn repository(n: usize) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let dir = target.join(format!("bench-restic-{n}"));
    let repo = dir.join("repo");
    let restic = Restic::new(repo.to_string_lossy(), ResticPassword::new(PASSWORD))
        .with_binary(restic_binary())
        .with_timeout(Duration::from_secs(300));
    if !repo.join("config").exists() {
        std::fs::create_dir_all(&dir).expect("bench dir");
        restic.init().await.expect("init");
    }
    let have = restic.snapshots().await.expect("snapshots").len();
    if have >= n {
        return repo;
    }
    println!(
        "building the repository: {} snapshots to make (kept for the next run)",
        n - have
    );
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let t = Instant::now();
    let restic = Arc::new(restic);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(have));
    let mut workers = vec![];
    for _ in 0..4 {
        let (restic, next, data) = (restic.clone(), next.clone(), data.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let file = data.join(format!("f{i}.txt"));
                std::fs::write(&file, format!("run {i}\n").repeat(100)).expect("file");
                let host = format!("srv-{}", i % HOSTS);
                restic
                    .backup(&[&file], &host, &["bench"])
                    .await
                    .expect("backup");
            }
        }));
    }
    for w in workers {
        w.await.expect("worker");
    }
    println!("  built in {:.0} s", t.elapsed().as_secs_f64());
    repo
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reports: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5000);
    let senders: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(32);
    let snapshots: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);

    let app = spawn_app().await;
    let fx = app.fixture().await;
    let ids = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a1, "srv-mairie")
        .await;

    // 1. Webhook ingest.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(senders)
        .build()
        .expect("client");
    let url = format!("{}/webhooks/backups", app.url);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = vec![];
    for _ in 0..senders {
        let (http, url, next) = (http.clone(), url.clone(), next.clone());
        let (token, key) = (ids.token_id.clone(), ids.signing_key.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (vec![], 0usize);
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= reports {
                    break;
                }
                let body = json!({"id": format!("bench-{i}"), "policy": "Serveur mairie",
                    "status": "success", "finished_at": chrono::Utc::now(),
                    "bytes_added": 1000 + i, "files": 42, "stored_bytes": 5_000_000_000_i64 + i as i64})
                .to_string();
                let ts = chrono::Utc::now().timestamp();
                let sig = tenants::backups::ingest::sign(&key, ts, body.as_bytes());
                let t = Instant::now();
                let ok = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-mutualis-token", &token)
                    .header("x-mutualis-timestamp", ts.to_string())
                    .header("x-mutualis-signature", sig)
                    .body(body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 202);
                if ok {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let (mut lat, mut errors) = (vec![], 0);
    for t in tasks {
        let (l, e) = t.await.expect("sender");
        lat.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    lat.sort();
    println!(
        "webhook ingest, {senders} senders: {:.0} reports/s   p50 {:.2} ms   p99 {:.2} ms   ({} accepted, {errors} errors, {:.1} s)",
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.len(),
        elapsed.as_secs_f64()
    );

    // 2. The collector.
    let repo = repository(snapshots).await;
    for h in 0..HOSTS {
        let r = app
            .gql(
                &fx.org_admin_a,
                "mutation($t: UUID!, $i: BackupPolicyInput!) { createBackupPolicy(tenantId: $t, input: $i) { id } }",
                json!({"t": fx.tenant_a2, "i": {"name": format!("Serveur {h}"), "kind": "server",
                    "target": "bench", "host": format!("srv-{h}"), "tags": ["bench"], "intervalHours": 24,
                    "keepDaily": 7, "rpoHours": 36, "repository": repo.to_string_lossy(), "passwordRef": "bench"}}),
            )
            .await;
        data(&r);
    }
    let settings = ResticSettings {
        binary: restic_binary(),
        passwords: [("bench".to_owned(), ResticPassword::new(PASSWORD))].into(),
        timeout: Duration::from_secs(600),
        ..ResticSettings::default()
    };
    for pass in ["first pass (all new)", "second pass (none new)"] {
        let t = Instant::now();
        let r = worker::collect_backups(&app.db, &settings)
            .await
            .expect("collect");
        println!(
            "collector, {pass}: {:.2} s for {} snapshots ({} jobs, {} storage samples, {} restore-size stats calls at most)",
            t.elapsed().as_secs_f64(),
            r.snapshots_seen,
            r.jobs_recorded,
            r.samples_recorded,
            settings.sizes_per_pass
        );
        // The webhook policy of part 1 names a repository that does not exist here.
        assert!(
            r.failures.iter().all(|f| f.contains("/srv/restic/test")),
            "{:?}",
            r.failures
        );
    }
}
