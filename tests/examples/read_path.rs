//! The read path in a few minutes (issue 23): a commune administrator's three lists through
//! the release API, PostGraphile 4 and pgbench, on one database, as one role, under the same
//! row-level-security settings. Prints figures; exits non-zero only when an answer is wrong
//! (an error, a short page, a row of another commune), never on speed.
//!
//! 1. The largest intercommunality of the referential (158 communes) provisioned and filled with
//!    `scale_bench`'s volumes per commune (`dataset`, `Volumes::ISSUE_7`).
//! 2. A commune administrator of its first commune (INSEE order); the release binary
//!    (`MUTUALIS_BIN`) serving that database with rate limits this benchmark sets itself (every
//!    client is the same person), PostGraphile (`tests/bench/postgraphile`) beside it.
//! 3. For each list, at `clients` clients for `secs` seconds: the API, PostGraphile, then pgbench
//!    on the SQL the API runs for it. One line per list, then the summary line.
//!
//! Run by `tests/bench/read_path.sh [seconds] [clients]`.
//!
//! With `READ_PATH_THEN` set (`tests/citus/read_path.sh`: the database is a Citus coordinator,
//! `MUTUALIS_BENCH_ADMIN_URL`), that command runs after the three lists (it distributes the
//! filled tables: deploy/citus.md step 4), then the API and pgbench measure them again on the
//! cluster, same data, same clients. PostGraphile sits that round out: its scope settings are
//! `set_config()` calls, which Citus does not pass to the workers (it would read nothing).
use integration_tests::bench::{drive, percentile, pgbench, rss_mib, session_post};
use integration_tests::dataset::{self, Volumes};
use integration_tests::*;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenants::identifiers::Siren;
use tenants::referential;
use uuid::Uuid;

/// One list as each contender asks for it.
struct List {
    label: &'static str,
    /// The API's query and the field holding its page.
    api: &'static str,
    api_field: &'static str,
    /// PostGraphile's query (`TENANT` replaced) and its connection field.
    pg: &'static str,
    pg_field: &'static str,
    /// The SQL of the list (`:org` and `:tenant` replaced), as pgbench runs it inside the scope's
    /// settings. It names the organisation as the API's queries do (the scope's condition): on
    /// Citus that routes it to one shard instead of all of them.
    sql: &'static str,
    /// The table whose rows of the commune are the only ids an answer may hold.
    table: &'static str,
}

const LISTS: [List; 3] = [
    List {
        label: "activities",
        api: r#"{"query":"{ activities(first: 50) { items { id name status { code } dpiaScreening }} }"}"#,
        api_field: "activities",
        pg: r#"{"query":"{ allGdprActivities(first: 50, orderBy: [NAME_ASC, ID_ASC], condition: {isModel: false, tenantId: \"TENANT\"}) { nodes { id name status dpiaCriteria } } }"}"#,
        pg_field: "allGdprActivities",
        sql: "SELECT id, name, status, dpia_criteria FROM gdpr_activity WHERE organisation_id = :org AND tenant_id = :tenant AND NOT is_model ORDER BY name, id LIMIT 50;",
        table: "gdpr_activity",
    },
    List {
        label: "rightsRequests",
        api: r#"{"query":"{ rightsRequests(first: 50) { items { id kind { code } receivedOn dueOn status { code } }} }"}"#,
        api_field: "rightsRequests",
        pg: r#"{"query":"{ allGdprRequests(first: 50, orderBy: [RECEIVED_ON_DESC, ID_ASC], condition: {tenantId: \"TENANT\"}) { nodes { id kind receivedOn dueOn status } } }"}"#,
        pg_field: "allGdprRequests",
        sql: "SELECT id, kind, received_on, due_on, status FROM gdpr_request WHERE organisation_id = :org AND tenant_id = :tenant ORDER BY received_on DESC, id LIMIT 50;",
        table: "gdpr_request",
    },
    List {
        label: "contracts",
        api: r#"{"query":"{ contracts(first: 50) { items { id reference object estimatedCents }} }"}"#,
        api_field: "contracts",
        pg: r#"{"query":"{ allProcContracts(first: 50, orderBy: [REFERENCE_ASC, ID_ASC], condition: {tenantId: \"TENANT\"}) { nodes { id reference object estimatedCents } } }"}"#,
        pg_field: "allProcContracts",
        sql: "SELECT id, reference, object, estimated_cents FROM proc_contract WHERE organisation_id = :org AND tenant_id = :tenant ORDER BY reference, id LIMIT 50;",
        table: "proc_contract",
    },
];

/// How many rows the answer holds when it is right: no error, the page under `data.field.key`,
/// every id one of the commune's. `None` when it is wrong.
fn rows_of(body: &[u8], field: &str, key: &str, ours: &HashSet<String>) -> Option<usize> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if v.get("errors").is_some() {
        return None;
    }
    let rows = v.get("data")?.get(field)?.get(key)?.as_array()?;
    rows.iter()
        .all(|r| {
            r.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| ours.contains(id))
        })
        .then_some(rows.len())
}

/// Requests per second, p99 and errors of one drive.
struct Run {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

fn summarise(mut lat: Vec<Duration>, errors: usize, elapsed: Duration) -> Run {
    lat.sort();
    Run {
        rps: lat.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&lat, 0.50).as_secs_f64() * 1e3,
        p99_ms: percentile(&lat, 0.99).as_secs_f64() * 1e3,
        errors,
    }
}

/// What one round of the three lists runs against.
struct Round<'a> {
    http: &'a reqwest::Client,
    app: &'a TestApp,
    org: Uuid,
    tenant: Uuid,
    secret: &'a str,
    csrf: &'a str,
    clients: usize,
    secs: u64,
}

/// One list's figures in a round.
struct Measured {
    api: Run,
    postgraphile: Option<Run>,
    pgbench_tps: f64,
}

/// The release API (rate limits this benchmark sets itself: every client is the same person;
/// the per-principal limit of 1,200 a minute would answer 429 to nearly all of them).
async fn start_api(app: &TestApp) -> (std::process::Child, String) {
    let listen = format!("127.0.0.1:{}", free_port());
    let api = app.start_binary(
        &["serve"],
        &[
            ("LISTEN_ADDR", &listen),
            ("REDIS_URL", app.config.redis_url.as_deref().unwrap_or("")),
            ("MUTUALIS_RATE_LIMIT_PER_MINUTE", "6000000"),
            ("MUTUALIS_RATE_LIMIT_BURST", "1000000"),
        ],
    );
    let base = format!("http://{listen}");
    app.wait_ready(&base).await;
    (api, format!("{base}/graphql"))
}

/// PostGraphile (`tests/bench/postgraphile`) on the same database as `mutualis_app`.
async fn start_postgraphile(
    app: &TestApp,
    http: &reqwest::Client,
) -> (std::process::Child, String) {
    let pg_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/postgraphile");
    let pg_port = free_port();
    let child = std::process::Command::new("node")
        .arg("server.mjs")
        .current_dir(&pg_dir)
        .env("DATABASE_URL", &app.testdb.app_url)
        .env("PORT", pg_port.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("node (npm ci in tests/bench/postgraphile first)");
    let pg_url = format!("http://127.0.0.1:{pg_port}/graphql");
    let deadline = Instant::now() + Duration::from_secs(60);
    while http.get(&pg_url).send().await.is_err() {
        assert!(Instant::now() < deadline, "PostGraphile did not start");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    (child, pg_url)
}

fn stop(mut child: std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The peak resident memory of `pid`, sampled every 100 ms until the task is aborted.
fn sample_peak(pid: u32) -> (Arc<AtomicU64>, tokio::task::JoinHandle<()>) {
    let peak = Arc::new(AtomicU64::new(0));
    let task = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max((rss_mib(pid) * 1024.0) as u64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    (peak, task)
}

impl Round<'_> {
    /// The commune's rows of a list: an answer holding any other id is wrong.
    async fn ours(&self, list: &List) -> Arc<HashSet<String>> {
        Arc::new(
            self.app
                .admin
                .query_all(Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    format!(
                        "SELECT id::text AS id FROM {} WHERE tenant_id = '{}'",
                        list.table, self.tenant
                    ),
                ))
                .await
                .expect("ids")
                .iter()
                .map(|r| r.try_get::<String>("", "id").expect("id"))
                .collect(),
        )
    }

    /// The API, PostGraphile (when `pg_url` is given), then pgbench on the list's SQL.
    async fn measure(&self, list: &List, url: &str, pg_url: Option<&str>) -> Measured {
        let ours = self.ours(list).await;
        let (api_field, api_body) = (list.api_field, list.api);
        let (http, clients, secs) = (self.http, self.clients, self.secs);

        // The size of a right page, from one answer of the API.
        let probe = session_post(http, url, self.secret, self.csrf, api_body)
            .send()
            .await
            .expect("probe")
            .bytes()
            .await
            .expect("body");
        let want = rows_of(&probe, api_field, "items", &ours)
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("API {}: {}", list.label, String::from_utf8_lossy(&probe)));
        eprintln!(
            "read_path: {} through Mutualis, {clients} clients, {secs} s",
            list.label
        );
        let (h, u, s, c, o) = (
            http.clone(),
            url.to_owned(),
            self.secret.to_owned(),
            self.csrf.to_owned(),
            ours.clone(),
        );
        let (lat, errors, elapsed) = drive(clients, secs, move || {
            let (h, u, s, c, o) = (h.clone(), u.clone(), s.clone(), c.clone(), o.clone());
            async move {
                match session_post(&h, &u, &s, &c, api_body).send().await {
                    Ok(r) if r.status().is_success() => r
                        .bytes()
                        .await
                        .is_ok_and(|b| rows_of(&b, api_field, "items", &o) == Some(want)),
                    _ => false,
                }
            }
        })
        .await;
        let api = summarise(lat, errors, elapsed);

        let postgraphile = match pg_url {
            Some(pg_url) => Some(self.postgraphile(list, pg_url, &ours, want).await),
            None => None,
        };

        // The scope's settings as the API sends them (`SET LOCAL`, which Citus forwards to the
        // workers), then the list's SQL. PostgreSQL allows 100 connections on a single node:
        // pgbench stays at 50 beside the API's and PostGraphile's pools.
        let script = format!(
            "BEGIN;\nSET LOCAL citus.propagate_set_commands = 'local';\nSET LOCAL app.tenant_ids = '{{{t}}}';\nSET LOCAL app.member_org_ids = '{{{o}}}';\n{}\nCOMMIT;\n",
            list.sql
                .replace(":org", &format!("'{}'", self.org))
                .replace(":tenant", &format!("'{}'", self.tenant)),
            t = self.tenant,
            o = self.org,
        );
        let bench = pgbench(&self.app.testdb.app_url, clients.min(50), secs, &script);
        Measured {
            api,
            postgraphile,
            pgbench_tps: bench.tps,
        }
    }

    async fn postgraphile(
        &self,
        list: &List,
        pg_url: &str,
        ours: &Arc<HashSet<String>>,
        want: usize,
    ) -> Run {
        let pg_body: &'static str = Box::leak(
            list.pg
                .replace("TENANT", &self.tenant.to_string())
                .into_boxed_str(),
        );
        let pg_field = list.pg_field;
        let post = move |h: &reqwest::Client, u: &str, t: String, g: String| {
            h.post(u)
                .header("x-tenant", t)
                .header("x-organisation", g)
                .header("content-type", "application/json")
                .body(pg_body)
        };
        let probe = post(
            self.http,
            pg_url,
            self.tenant.to_string(),
            self.org.to_string(),
        )
        .send()
        .await
        .expect("probe")
        .bytes()
        .await
        .expect("body");
        let pg_want = rows_of(&probe, pg_field, "nodes", ours);
        assert!(
            pg_want.is_some_and(|n| n >= want),
            "PostGraphile {}: {}",
            list.label,
            String::from_utf8_lossy(&probe)
        );
        let pg_want = pg_want.unwrap_or_default();
        let (h, u, t, g, o) = (
            self.http.clone(),
            pg_url.to_owned(),
            self.tenant.to_string(),
            self.org.to_string(),
            ours.clone(),
        );
        let (lat, errors, elapsed) = drive(self.clients, self.secs, move || {
            let (h, u, t, g, o) = (h.clone(), u.clone(), t.clone(), g.clone(), o.clone());
            async move {
                match post(&h, &u, t, g).send().await {
                    Ok(r) if r.status().is_success() => r
                        .bytes()
                        .await
                        .is_ok_and(|b| rows_of(&b, pg_field, "nodes", &o) == Some(pg_want)),
                    _ => false,
                }
            }
        })
        .await;
        summarise(lat, errors, elapsed)
    }
}

#[tokio::main]
async fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let clients: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let then = std::env::var("READ_PATH_THEN")
        .ok()
        .filter(|c| !c.is_empty());
    let started = Instant::now();
    let dataset::Bench {
        app,
        fx: _,
        seeds,
        referential: r,
        provisioning: scope,
    } = dataset::bench_start().await;
    let (siren, name, n) = dataset::largest_epci(&r);
    let org = referential::provision(&app.db, &scope, &Siren::parse(&siren).expect("siren"))
        .await
        .expect("provision")
        .organisation_id;
    let filled = dataset::fill(&app.admin, &seeds, &[org], Volumes::ISSUE_7).await;
    println!(
        "{name} ({siren}): {n} communes, {} activities, {} contracts, {} rights requests ({:.0} s to set up)",
        filled.activities,
        filled.contracts,
        filled.requests,
        started.elapsed().as_secs_f64()
    );

    let tenant: Uuid = {
        let row = app
            .admin
            .query_one(Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!(
                    "SELECT id FROM tenant WHERE organisation_id = '{org}' AND kind <> 'organisation'
                     ORDER BY insee_code LIMIT 1"
                ),
            ))
            .await
            .expect("query")
            .expect("a commune");
        row.try_get("", "id").expect("id")
    };
    let caller = app
        .person("dgs@commune.example.fr", "commune_admin", org, Some(tenant))
        .await;
    let Caller::Session { secret, csrf, .. } = caller else {
        unreachable!("person() opens a session")
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let round = Round {
        http: &http,
        app: &app,
        org,
        tenant,
        secret: &secret,
        csrf: &csrf,
        clients,
        secs,
    };

    let (api, url) = start_api(&app).await;
    let (postgraphile, pg_url) = start_postgraphile(&app, &http).await;
    let (peak, sampler) = sample_peak(api.id());
    let mut failed = 0usize;
    let (mut min_pg, mut min_bench, mut max_p99) = (f64::MAX, f64::MAX, 0f64);
    let mut single_node = Vec::new();
    for list in &LISTS {
        let m = round.measure(list, &url, Some(&pg_url)).await;
        let pg_run = m.postgraphile.as_ref().expect("PostGraphile measured");
        failed += m.api.errors + pg_run.errors;
        let vs_pg = m.api.rps / pg_run.rps.max(1e-9);
        let vs_bench = m.api.rps / m.pgbench_tps.max(1e-9);
        min_pg = min_pg.min(vs_pg);
        min_bench = min_bench.min(vs_bench);
        max_p99 = max_p99.max(m.api.p99_ms);
        println!(
            "{:<15} Mutualis {:>6.0} req/s (p50 {:.1} ms, p99 {:.1} ms, {} errors) | PostGraphile {:>6.0} req/s (p99 {:.1} ms, {} errors) | pgbench {:>6.0} tps | ratio {:.2} vs PostGraphile, {:.2} vs pgbench",
            list.label,
            m.api.rps,
            m.api.p50_ms,
            m.api.p99_ms,
            m.api.errors,
            pg_run.rps,
            pg_run.p99_ms,
            pg_run.errors,
            m.pgbench_tps,
            vs_pg,
            vs_bench
        );
        single_node.push(m);
    }
    sampler.abort();
    println!(
        "API peak memory {:.1} MiB; {clients} clients, {secs} s per run; {:.0} s in all",
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        started.elapsed().as_secs_f64()
    );
    stop(postgraphile);
    stop(api);
    let summary = format!(
        "read_path: min ratio vs PostGraphile {min_pg:.2}, min ratio vs pgbench {min_bench:.2}, max p99 {max_p99:.0} ms"
    );
    let Some(then) = then else {
        if failed > 0 {
            eprintln!("read_path: {failed} answers were wrong; the figures are not valid");
        }
        println!("{summary}");
        std::process::exit(if failed > 0 { 1 } else { 0 });
    };
    println!("{summary}");

    // The same data distributed, measured again.
    let moved = Instant::now();
    let status = std::process::Command::new("sh")
        .args(["-c", &then])
        .status()
        .expect("READ_PATH_THEN runs");
    assert!(status.success(), "READ_PATH_THEN failed: {then}");
    println!(
        "READ_PATH_THEN ran in {:.0} s (the filled tables distributed)",
        moved.elapsed().as_secs_f64()
    );
    let (api, url) = start_api(&app).await;
    let (peak, sampler) = sample_peak(api.id());
    let (mut min_ratio, mut max_p99) = (f64::MAX, 0f64);
    for (list, before) in LISTS.iter().zip(&single_node) {
        let m = round.measure(list, &url, None).await;
        failed += m.api.errors;
        let ratio = m.api.rps / before.api.rps.max(1e-9);
        min_ratio = min_ratio.min(ratio);
        max_p99 = max_p99.max(m.api.p99_ms);
        println!(
            "{:<15} on Citus: Mutualis {:>6.0} req/s (p50 {:.1} ms, p99 {:.1} ms, {} errors), single node {:.0} | pgbench {:>6.0} tps, single node {:.0} | ratio {:.2} of single node",
            list.label,
            m.api.rps,
            m.api.p50_ms,
            m.api.p99_ms,
            m.api.errors,
            before.api.rps,
            m.pgbench_tps,
            before.pgbench_tps,
            ratio
        );
    }
    sampler.abort();
    println!(
        "API peak memory on Citus {:.1} MiB; {:.0} s in all",
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        started.elapsed().as_secs_f64()
    );
    stop(api);
    if failed > 0 {
        eprintln!("read_path: {failed} answers were wrong; the figures are not valid");
    }
    println!(
        "read_path on Citus: min ratio vs single node {min_ratio:.2}, max p99 {max_p99:.0} ms"
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
