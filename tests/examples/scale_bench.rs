//! France-scale GraphQL benchmark (prints figures; exits non-zero when any answer failed).
//!
//! 1. All of France: every intercommunality an organisation, every commune a tenant, each with
//!    100 activities, 50 contracts, 5 backup policies and 4 rights requests (`dataset`).
//! 2. A separate API process (the release binary given by MUTUALIS_BIN) on that database: its
//!    memory idle, then the main tenant-scoped queries of a commune administrator (a commune of
//!    the CA du Pays Basque) at 50 and 200 concurrent clients: requests/s, p50, p99, and the
//!    process's peak memory.
//! 3. The same list queries in raw SQL with pgbench (same role, same RLS settings, same
//!    clients): the figure the API spends its overhead against.
//! 4. PostGraphile 4 (npm, `tests/bench/postgraphile`) serving the same tables as the same role
//!    under the same RLS settings: the peer a user could pick instead.
//!
//! Run with the test services up (`source tests/services.sh; start_services`):
//!   cargo build --release -p api --bin mutualis
//!   MUTUALIS_BIN=$CARGO_TARGET_DIR/release/mutualis \
//!     cargo run --release -p integration-tests --example scale_bench -- [seconds]
use integration_tests::bench::{drive, pgbench, report, rss_mib, session_post};
use integration_tests::dataset::{self, Volumes};
use integration_tests::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenants::referential;
use tenants::tenancy::{can, Principal};

#[tokio::main]
async fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let dataset::Bench {
        app,
        fx: _,
        seeds,
        referential: r,
        provisioning: scope,
    } = dataset::bench_start().await;
    let reports = referential::provision_all(&app.db, &scope, &r, &indicatif_hidden())
        .await
        .expect("provision");
    let orgs: Vec<uuid::Uuid> = reports.iter().map(|p| p.organisation_id).collect();
    let t = Instant::now();
    let mut activities = 0;
    for chunk in orgs.chunks(100) {
        activities += dataset::fill(&app.admin, &seeds, chunk, Volumes::ISSUE_7)
            .await
            .activities;
    }
    println!(
        "France: {} organisations, {activities} activities and the rest generated in {:.0} s",
        orgs.len(),
        t.elapsed().as_secs_f64()
    );

    // A commune administrator of the CA du Pays Basque (158 communes).
    let org = reports
        .iter()
        .zip(&r.epcis)
        .find(|(_, e)| e.siren == "200067106")
        .map(|(p, _)| p.organisation_id)
        .expect("CA du Pays Basque");
    let tenant: uuid::Uuid = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        use tenants::entities::tenant;
        let s = Principal::operator()
            .can::<can::ReadDirectory>()
            .expect("operator");
        let txn = s.begin(&app.db).await.expect("txn");
        let t = tenant::Entity::find()
            .filter(tenant::Column::OrganisationId.eq(org))
            .filter(tenant::Column::Kind.ne("organisation"))
            .order_by_asc(tenant::Column::InseeCode)
            .one(&txn)
            .await
            .expect("query")
            .expect("a commune");
        txn.commit().await.expect("commit");
        t.id
    };
    let caller = app
        .person("dgs@commune.example.fr", "commune_admin", org, Some(tenant))
        .await;
    let Caller::Session { secret, csrf, .. } = caller else {
        unreachable!()
    };

    // One user drives every client: the per-principal rate limit (1,200 a minute by default)
    // would answer 429 to nearly all of them. The benchmark sets the limits it needs.
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
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
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!("API process memory, idle: {:.1} MiB", rss_mib(pid));

    // PostGraphile on the same database, as the same role.
    let pg_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/postgraphile");
    if !pg_dir.join("node_modules").exists() {
        let ok = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&pg_dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "npm ci in {}", pg_dir.display());
    }
    let pg_port = free_port();
    let mut postgraphile = std::process::Command::new("node")
        .arg("server.mjs")
        .current_dir(&pg_dir)
        .env("DATABASE_URL", &app.testdb.app_url)
        .env("PORT", pg_port.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("node");
    let pg_url = format!("http://127.0.0.1:{pg_port}/graphql");

    let queries = [
        (
            "activities(first: 50)",
            r#"{"query":"{ activities(first: 50) { items { id name status { code } dpiaScreening }} }"}"#,
            "SELECT id, name, status, dpia_criteria FROM gdpr_activity WHERE tenant_id = :tenant AND NOT is_model ORDER BY name, id LIMIT 50;",
            r#"{"query":"{ allGdprActivities(first: 50, orderBy: [NAME_ASC, ID_ASC], condition: {isModel: false, tenantId: \"TENANT\"}) { nodes { id name status dpiaCriteria } } }"}"#,
        ),
        (
            "rightsRequests(first: 50)",
            r#"{"query":"{ rightsRequests(first: 50) { items { id kind { code } receivedOn dueOn status { code } }} }"}"#,
            "SELECT id, kind, received_on, due_on, status FROM gdpr_request WHERE tenant_id = :tenant ORDER BY received_on DESC, id LIMIT 50;",
            r#"{"query":"{ allGdprRequests(first: 50, orderBy: [RECEIVED_ON_DESC, ID_ASC], condition: {tenantId: \"TENANT\"}) { nodes { id kind receivedOn dueOn status } } }"}"#,
        ),
        (
            "contracts(first: 50)",
            r#"{"query":"{ contracts(first: 50) { items { id reference object estimatedCents }} }"}"#,
            "SELECT id, reference, object, estimated_cents FROM proc_contract WHERE tenant_id = :tenant ORDER BY reference, id LIMIT 50;",
            r#"{"query":"{ allProcContracts(first: 50, orderBy: [REFERENCE_ASC, ID_ASC], condition: {tenantId: \"TENANT\"}) { nodes { id reference object estimatedCents } } }"}"#,
        ),
    ];
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let url = format!("{base}/graphql");
    let deadline = Instant::now() + Duration::from_secs(60);
    while http.get(&pg_url).send().await.is_err() {
        assert!(Instant::now() < deadline, "PostGraphile did not start");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mut failed = 0usize;
    for (label, body, sql, pg_body) in queries {
        let pg_body: &'static str = Box::leak(
            pg_body
                .replace("TENANT", &tenant.to_string())
                .into_boxed_str(),
        );
        let probe = http
            .post(&pg_url)
            .header("x-tenant", tenant.to_string())
            .header("x-organisation", org.to_string())
            .header("content-type", "application/json")
            .body(pg_body)
            .send()
            .await
            .expect("probe")
            .text()
            .await
            .expect("body");
        assert!(
            probe.contains("\"nodes\"") && !probe.contains("\"errors\""),
            "PostGraphile {label}: {probe}"
        );
        let probe = session_post(&http, &url, &secret, &csrf, body)
            .send()
            .await
            .expect("probe")
            .text()
            .await
            .expect("body");
        assert!(
            probe.contains("\"data\"") && !probe.contains("\"errors\""),
            "{label}: {probe}"
        );
        for clients in [50usize, 200] {
            let peak = Arc::new(AtomicU64::new(0));
            let sampler = {
                let peak = peak.clone();
                tokio::spawn(async move {
                    loop {
                        let kib = (rss_mib(pid) * 1024.0) as u64;
                        peak.fetch_max(kib, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                })
            };
            let (h, u, s, c) = (http.clone(), url.clone(), secret.clone(), csrf.clone());
            let (lat, errors, elapsed) = drive(clients, secs, move || {
                let (h, u, s, c) = (h.clone(), u.clone(), s.clone(), c.clone());
                async move {
                    // A GraphQL error comes with a 200: an answer counts only with its data.
                    match session_post(&h, &u, &s, &c, body).send().await {
                        Ok(r) if r.status().is_success() => r
                            .bytes()
                            .await
                            .is_ok_and(|b| !b.windows(8).any(|w| w == b"\"errors\"")),
                        _ => false,
                    }
                }
            })
            .await;
            sampler.abort();
            failed += errors;
            report(
                &format!("GraphQL {label}, {clients} clients"),
                lat,
                errors,
                elapsed,
            );
            println!(
                "    API peak memory {:.1} MiB",
                peak.load(Ordering::Relaxed) as f64 / 1024.0
            );
            // The scope predicate the server adds to its own query is in the SQL (`:tenant`);
            // PostgreSQL allows max_connections (100 here) in all: pgbench stays at 50 beside the
            // API's and PostGraphile's pools.
            let script = format!(
                "BEGIN;\nSELECT set_config('app.tenant_ids', '{{{tenant}}}', true), set_config('app.member_org_ids', '{{{org}}}', true);\n{}\nCOMMIT;\n",
                sql.replace(":tenant", &format!("'{tenant}'"))
            );
            println!(
                "    pgbench, same list as mutualis_app under RLS, {} clients: {}",
                clients.min(50),
                pgbench(&app.testdb.app_url, clients.min(50), secs, &script).summary
            );
            let (h, u, t, o) = (
                http.clone(),
                pg_url.clone(),
                tenant.to_string(),
                org.to_string(),
            );
            let (lat, errors, elapsed) = drive(clients, secs, move || {
                let (h, u, t, o) = (h.clone(), u.clone(), t.clone(), o.clone());
                async move {
                    match h
                        .post(&u)
                        .header("x-tenant", t)
                        .header("x-organisation", o)
                        .header("content-type", "application/json")
                        .body(pg_body)
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => r
                            .bytes()
                            .await
                            .is_ok_and(|b| !b.windows(8).any(|w| w == b"\"errors\"")),
                        _ => false,
                    }
                }
            })
            .await;
            failed += errors;
            report(
                &format!("PostGraphile {label}, {clients} clients"),
                lat,
                errors,
                elapsed,
            );
        }
    }
    let _ = postgraphile.kill();
    let _ = postgraphile.wait();
    let _ = api.kill();
    let _ = api.wait();
    // A figure measured on errors is worse than none.
    if failed > 0 {
        eprintln!("scale_bench: {failed} requests failed; the figures above are not valid");
        std::process::exit(1);
    }
}
