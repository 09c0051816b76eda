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
    /// The SQL of the list (`:tenant` replaced), as pgbench runs it inside the scope's settings.
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
        sql: "SELECT id, name, status, dpia_criteria FROM gdpr_activity WHERE tenant_id = :tenant AND NOT is_model ORDER BY name, id LIMIT 50;",
        table: "gdpr_activity",
    },
    List {
        label: "rightsRequests",
        api: r#"{"query":"{ rightsRequests(first: 50) { items { id kind { code } receivedOn dueOn status { code } }} }"}"#,
        api_field: "rightsRequests",
        pg: r#"{"query":"{ allGdprRequests(first: 50, orderBy: [RECEIVED_ON_DESC, ID_ASC], condition: {tenantId: \"TENANT\"}) { nodes { id kind receivedOn dueOn status } } }"}"#,
        pg_field: "allGdprRequests",
        sql: "SELECT id, kind, received_on, due_on, status FROM gdpr_request WHERE tenant_id = :tenant ORDER BY received_on DESC, id LIMIT 50;",
        table: "gdpr_request",
    },
    List {
        label: "contracts",
        api: r#"{"query":"{ contracts(first: 50) { items { id reference object estimatedCents }} }"}"#,
        api_field: "contracts",
        pg: r#"{"query":"{ allProcContracts(first: 50, orderBy: [REFERENCE_ASC, ID_ASC], condition: {tenantId: \"TENANT\"}) { nodes { id reference object estimatedCents } } }"}"#,
        pg_field: "allProcContracts",
        sql: "SELECT id, reference, object, estimated_cents FROM proc_contract WHERE tenant_id = :tenant ORDER BY reference, id LIMIT 50;",
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

    // Every client is the same person: the per-principal limit (1,200 a minute by default) would
    // answer 429 to nearly all of them. The benchmark sets the limits it needs.
    let listen = format!("127.0.0.1:{}", free_port());
    let mut api = app.start_binary(
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
    let pid = api.id();

    let pg_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/postgraphile");
    let pg_port = free_port();
    let mut postgraphile = std::process::Command::new("node")
        .arg("server.mjs")
        .current_dir(&pg_dir)
        .env("DATABASE_URL", &app.testdb.app_url)
        .env("PORT", pg_port.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("node (npm ci in tests/bench/postgraphile first)");
    let pg_url = format!("http://127.0.0.1:{pg_port}/graphql");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(60);
    while http.get(&pg_url).send().await.is_err() {
        assert!(Instant::now() < deadline, "PostGraphile did not start");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let url = format!("{base}/graphql");

    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max((rss_mib(pid) * 1024.0) as u64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    let mut failed = 0usize;
    let (mut min_pg, mut min_bench, mut max_p99) = (f64::MAX, f64::MAX, 0f64);
    for list in &LISTS {
        // The commune's rows of this list: an answer holding any other id is wrong.
        let ours: Arc<HashSet<String>> = Arc::new(
            app.admin
                .query_all(Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    format!(
                        "SELECT id::text AS id FROM {} WHERE tenant_id = '{tenant}'",
                        list.table
                    ),
                ))
                .await
                .expect("ids")
                .iter()
                .map(|r| r.try_get::<String>("", "id").expect("id"))
                .collect(),
        );
        let pg_body: &'static str = Box::leak(
            list.pg
                .replace("TENANT", &tenant.to_string())
                .into_boxed_str(),
        );
        let (api_field, pg_field, api_body) = (list.api_field, list.pg_field, list.api);

        // The size of a right page, from one answer of each (they must agree).
        let probe = session_post(&http, &url, &secret, &csrf, api_body)
            .send()
            .await
            .expect("probe")
            .bytes()
            .await
            .expect("body");
        let want = rows_of(&probe, api_field, "items", &ours)
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("API {}: {}", list.label, String::from_utf8_lossy(&probe)));
        let probe = http
            .post(&pg_url)
            .header("x-tenant", tenant.to_string())
            .header("x-organisation", org.to_string())
            .header("content-type", "application/json")
            .body(pg_body)
            .send()
            .await
            .expect("probe")
            .bytes()
            .await
            .expect("body");
        let pg_want = rows_of(&probe, pg_field, "nodes", &ours);
        assert!(
            pg_want.is_some_and(|n| n >= want),
            "PostGraphile {}: {}",
            list.label,
            String::from_utf8_lossy(&probe)
        );

        eprintln!(
            "read_path: {} through Mutualis, {clients} clients, {secs} s",
            list.label
        );
        let (h, u, s, c, o) = (
            http.clone(),
            url.clone(),
            secret.clone(),
            csrf.clone(),
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
        let ours_run = summarise(lat, errors, elapsed);

        let pg_want = pg_want.unwrap_or_default();
        let (h, u, t, g, o) = (
            http.clone(),
            pg_url.clone(),
            tenant.to_string(),
            org.to_string(),
            ours.clone(),
        );
        let (lat, errors, elapsed) = drive(clients, secs, move || {
            let (h, u, t, g, o) = (h.clone(), u.clone(), t.clone(), g.clone(), o.clone());
            async move {
                match h
                    .post(&u)
                    .header("x-tenant", t)
                    .header("x-organisation", g)
                    .header("content-type", "application/json")
                    .body(pg_body)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => r
                        .bytes()
                        .await
                        .is_ok_and(|b| rows_of(&b, pg_field, "nodes", &o) == Some(pg_want)),
                    _ => false,
                }
            }
        })
        .await;
        let pg_run = summarise(lat, errors, elapsed);

        // The scope's settings as the API sets them, then the list's SQL. PostgreSQL allows 100
        // connections here: pgbench stays at 50 beside the API's and PostGraphile's pools.
        let script = format!(
            "BEGIN;\nSELECT set_config('app.tenant_ids', '{{{tenant}}}', true), set_config('app.member_org_ids', '{{{org}}}', true);\n{}\nCOMMIT;\n",
            list.sql.replace(":tenant", &format!("'{tenant}'"))
        );
        let bench = pgbench(&app.testdb.app_url, clients.min(50), secs, &script);

        failed += ours_run.errors + pg_run.errors;
        let vs_pg = ours_run.rps / pg_run.rps.max(1e-9);
        let vs_bench = ours_run.rps / bench.tps.max(1e-9);
        min_pg = min_pg.min(vs_pg);
        min_bench = min_bench.min(vs_bench);
        max_p99 = max_p99.max(ours_run.p99_ms);
        println!(
            "{:<15} Mutualis {:>6.0} req/s (p50 {:.1} ms, p99 {:.1} ms, {} errors) | PostGraphile {:>6.0} req/s (p99 {:.1} ms, {} errors) | pgbench {:>6.0} tps | ratio {:.2} vs PostGraphile, {:.2} vs pgbench",
            list.label,
            ours_run.rps,
            ours_run.p50_ms,
            ours_run.p99_ms,
            ours_run.errors,
            pg_run.rps,
            pg_run.p99_ms,
            pg_run.errors,
            bench.tps,
            vs_pg,
            vs_bench
        );
    }
    sampler.abort();
    println!(
        "API peak memory {:.1} MiB; {clients} clients, {secs} s per run; {:.0} s in all",
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        started.elapsed().as_secs_f64()
    );
    let _ = postgraphile.kill();
    let _ = postgraphile.wait();
    let _ = api.kill();
    let _ = api.wait();
    if failed > 0 {
        eprintln!("read_path: {failed} answers were wrong; the figures are not valid");
    }
    println!(
        "read_path: min ratio vs PostGraphile {min_pg:.2}, min ratio vs pgbench {min_bench:.2}, max p99 {max_p99:.0} ms"
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
