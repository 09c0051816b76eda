//! Mixed tenant traffic at a fixed rate (issue 10): 30 commune administrators of 3 communes in
//! 2 intercommunalities read their register, requests, contracts and backups and record
//! requests and actions (one request in ten writes), through a separate API process with its
//! default rate limits on, driven by autocannon (npm) at a fixed rate (default 500 requests/s for
//! 60 s). Prints the rate achieved, p50/p90/p99, errors of every kind, rows of another commune
//! seen (leaks), and the API process's memory; exits non-zero on any error or leak.
//!
//! Run with the test services up (`source tests/services.sh; start_services`):
//!   cargo build --release -p api --bin mutualis
//!   MUTUALIS_BIN=$CARGO_TARGET_DIR/release/mutualis \
//!     cargo run --release -p integration-tests --example mixed_load -- [rate] [seconds]
//! or `tests/load/run.sh [rate] [seconds]`, which does all of that.
use integration_tests::bench::rss_mib;
use integration_tests::*;
use serde_json::{json, Value};
use uuid::Uuid;

const PEOPLE_PER_COMMUNE: usize = 10;

/// The reads and writes one commune administrator makes; `__N__` is replaced by a serial.
fn plan_for(tenant: Uuid, org: Uuid) -> Vec<(&'static str, bool, Value)> {
    let t = json!([tenant]);
    vec![
        (
            "activities",
            false,
            json!({"query": "query($t: [UUID!]) { activities(tenantIds: $t, first: 50) { items { id tenantId name status { code label } }} }", "variables": {"t": t}}),
        ),
        (
            "activities (search)",
            false,
            json!({"query": "query($t: [UUID!]) { activities(tenantIds: $t, search: \"cantine\") { items { id tenantId name }} }", "variables": {"t": t}}),
        ),
        (
            "rightsRequests",
            false,
            json!({"query": "query($t: [UUID!]) { rightsRequests(tenantIds: $t, first: 50) { items { id tenantId kind { code label } receivedOn }} }", "variables": {"t": t}}),
        ),
        (
            "contracts",
            false,
            json!({"query": "query($t: [UUID!]) { contracts(tenantIds: $t) { items { id tenantId }} }", "variables": {"t": t}}),
        ),
        (
            "backupPolicies",
            false,
            json!({"query": "query($t: [UUID!]) { backupPolicies(tenantIds: $t) { id tenantId name } }", "variables": {"t": t}}),
        ),
        (
            "me",
            false,
            json!({"query": "{ me { email roles } tenants { items { id name }} }"}),
        ),
        (
            "organisation",
            false,
            json!({"query": "query($o: UUID!) { organisation(id: $o) { id name } }", "variables": {"o": org}}),
        ),
        (
            "activities (page 2)",
            false,
            json!({"query": "query($t: [UUID!]) { activities(tenantIds: $t, first: 20, offset: 20) { items { id tenantId }} }", "variables": {"t": t}}),
        ),
        (
            "rightsRequests (open)",
            false,
            json!({"query": "query($t: [UUID!]) { rightsRequests(tenantIds: $t, openOnly: true) { items { id tenantId }} }", "variables": {"t": t}}),
        ),
        (
            "createRightsRequest",
            true,
            json!({"query": "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"Charge __N__\"}) { id tenantId } }",
                   "variables": {"t": tenant, "d": chrono::Utc::now().date_naive()}}),
        ),
    ]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rate: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(500);
    let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);
    let app = spawn_app().await;
    let fx = app.fixture().await;

    // Each commune: a register (50 activities), requests, a backup policy.
    let communes = [
        (fx.org_a, fx.tenant_a1, &fx.org_admin_a),
        (fx.org_a, fx.tenant_a2, &fx.org_admin_a),
        (fx.org_b, fx.tenant_b1, &fx.org_admin_b),
    ];
    for (i, (org, tenant, admin)) in communes.iter().enumerate() {
        app.gdpr_objects(admin, *org, *tenant).await;
        app.backup_objects(admin, *tenant, &format!("srv-{i}"))
            .await;
        for n in 0..50 {
            let r = app
                .gql(
                    admin,
                    "mutation($t: UUID!, $n: String!) { createActivity(tenantId: $t, input: {name: $n,
                       purposes: \"Gestion du service\", legalBases: [{basis: \"public_task\", justification: \"CGCT\"}],
                       dataSubjects: [{category: \"Usagers\"}], dataCategories: [{category: \"Identité\"}],
                       recipients: [\"Service\"], retention: [{data: \"Dossiers\", durationMonths: 12, startingEvent: \"clôture\", finalFate: \"destruction\"}],
                       securityMeasures: [\"Habilitations\"]}) { id } }",
                    json!({"t": tenant, "n": format!("Traitement {n:02} cantine")}),
                )
                .await;
            data(&r);
        }
    }
    let mut requests = vec![];
    for (org, tenant, _) in communes {
        for p in 0..PEOPLE_PER_COMMUNE {
            let who = app
                .person(
                    &format!("agent{p}.{tenant}@mairie.fr"),
                    "commune_admin",
                    org,
                    Some(tenant),
                )
                .await;
            let Caller::Session { secret, csrf, .. } = who else {
                panic!("a person gets a session");
            };
            for (label, write, body) in plan_for(tenant, org) {
                requests.push(json!({"label": label, "write": write, "tenant": tenant,
                    "cookie": secret, "csrf": csrf, "body": body.to_string()}));
            }
        }
    }
    // Interleave people, so that each connection's turn through the list spreads them.
    requests.sort_by_key(|r| r["label"].as_str().map(str::to_owned));

    let redis = app.config.redis_url.clone().unwrap_or_default();
    let (api, base) = app.start_api(&redis);
    let guard = Processes(vec![api]);
    let pid = guard.0[0].id();
    app.wait_ready(&base).await;
    let idle = rss_mib(pid);

    let plan_file = std::env::temp_dir().join(format!("mutualis-load-{}.json", Uuid::now_v7()));
    let plan = json!({"url": base, "rate": rate, "seconds": secs, "connections": 64, "requests": requests});
    std::fs::write(&plan_file, plan.to_string()).expect("plan");
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watch = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let now = (rss_mib(pid) * 10.0) as u64;
                peak.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        })
    };
    let tests_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tokio::process::Command::new("node")
        .arg(tests_dir.join("load/mixed.mjs"))
        .arg(&plan_file)
        .current_dir(tests_dir)
        .output()
        .await
        .expect("node (autocannon in tests/node_modules: npm ci in tests/)");
    watch.abort();
    let _ = std::fs::remove_file(&plan_file);
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(summary) = text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
    else {
        panic!(
            "autocannon printed no summary: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let n = |k: &str| summary[k].as_u64().unwrap_or(0);
    let written = app
        .count_where("gdpr_request", "requester LIKE 'Charge %'")
        .await;
    println!("mixed tenant traffic: 30 commune administrators, 3 communes, 2 organisations, default rate limits");
    println!(
        "  asked {rate} req/s for {secs} s: {} requests, {:.0} req/s achieved",
        n("total"),
        summary["achievedRate"].as_f64().unwrap_or(0.0)
    );
    println!(
        "  latency p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
        summary["latencyMs"]["p50"],
        summary["latencyMs"]["p90"],
        summary["latencyMs"]["p99"],
        summary["latencyMs"]["max"]
    );
    println!(
        "  non-2xx {}, socket errors {}, timeouts {}, GraphQL errors {}, rate-limited {}, other tenants' rows seen {}",
        n("non2xx"),
        n("socketErrors"),
        n("timeouts"),
        n("graphqlErrors"),
        n("rateLimited"),
        n("leaks")
    );
    println!("  rights requests recorded under load: {written}");
    println!(
        "  API process memory: {idle:.1} MiB idle, {:.1} MiB at peak",
        peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 10.0
    );
    if let Some(by) = summary["byLabel"].as_object() {
        for (label, c) in by {
            println!(
                "    {label:<24} {:>7} requests, {} errors",
                c["n"], c["errors"]
            );
        }
    }
    for e in summary["firstErrors"].as_array().into_iter().flatten() {
        println!("  error: {e}");
    }
    let bad = [
        "non2xx",
        "socketErrors",
        "timeouts",
        "graphqlErrors",
        "leaks",
    ]
    .iter()
    .map(|k| n(k))
    .sum::<u64>();
    // exit() runs no destructor: stop the API process first.
    drop(guard);
    if bad > 0 || n("total") == 0 {
        std::process::exit(1);
    }
}
