//! The fault test of billing: a real worker process is killed (SIGKILL) in the middle of a
//! billing run for 200 communes, then restarted; every commune ends with exactly one Stripe
//! customer and one Stripe invoice in localstripe, and the invoices sum to the pool.
use integration_tests::*;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const COMMUNES: i64 = 200;

fn start_worker(app: &TestApp) -> Child {
    let exe =
        crate::cli::bin().expect("MUTUALIS_BIN (set by tests/run) points at the built binary");
    Command::new(exe)
        .arg("worker")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("DATABASE_URL", &app.testdb.app_url)
        .env("OIDC_ISSUER_URL", "http://127.0.0.1:9/")
        .env("OIDC_CLIENT_ID", "x")
        .env("OIDC_CLIENT_SECRET", "y")
        .env("STRIPE_SECRET_KEY", TEST_STRIPE_KEY)
        .env("STRIPE_API_BASE", stripe_url())
        .env("MUTUALIS_STRIPE_SEND_INVOICES", "false")
        // A short lease, so the jobs the killed worker held are taken over quickly.
        .env("MUTUALIS_JOB_LEASE_SECS", "3")
        .env("MUTUALIS_COLLECT_INTERVAL_SECS", "86400")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("worker starts")
}

async fn open_invoices(app: &TestApp) -> i64 {
    let row = app
        .admin
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM billing_invoice WHERE status = 'open'",
        ))
        .await
        .expect("count")
        .expect("row");
    row.try_get("", "n").expect("n")
}

#[tokio::test]
async fn a_worker_killed_mid_billing_run_leaves_exactly_one_invoice_per_commune() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // 200 communes in organisation B, subscribed to one service.
    app.admin_exec(&format!(
        "INSERT INTO tenant (id, organisation_id, kind, insee_code, siren, name, population, audit_head_seq, audit_head_hash, created_at)
         SELECT gen_random_uuid(), '{o}', 'commune', '9' || lpad(i::text, 4, '0'), '29' || lpad(i::text, 7, '0'),
                'Commune d''essai ' || i, 100 + 37 * i, 0, '', now()
         FROM generate_series(1, {COMMUNES}) AS i",
        o = fx.org_b
    ))
    .await;
    let r = app
        .gql(&fx.org_admin_b, "mutation($o: UUID!) { createCostService(organisationId: $o, code: \"messagerie\", name: \"Messagerie mutualisée\", unit: \"boîte\") { id } }", json!({"o": fx.org_b}))
        .await;
    let service = data(&r)["createCostService"]["id"]
        .as_str()
        .expect("service")
        .to_owned();
    app.admin_exec(&format!(
        "INSERT INTO cost_subscription (id, organisation_id, tenant_id, service_id, starts_on, created_at)
         SELECT gen_random_uuid(), organisation_id, id, '{service}', DATE '2026-01-01', now()
         FROM tenant WHERE organisation_id = '{o}' AND name LIKE 'Commune d''essai %'",
        o = fx.org_b
    ))
    .await;
    let r = app
        .gql(&fx.org_admin_b, "mutation($o: UUID!, $s: UUID!) { createCostPool(organisationId: $o, input: {serviceId: $s, label: \"Messagerie 2026\",
            periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", amountCents: 12345678, method: {kind: \"key\", key: \"population\"}}) { id } }",
            json!({"o": fx.org_b, "s": service}))
        .await;
    let pool = data(&r)["createCostPool"]["id"]
        .as_str()
        .expect("pool")
        .to_owned();
    // Billed through Stripe: the communes' channel.
    app.admin_exec(&format!(
        "INSERT INTO billing_identity (id, organisation_id, tenant_id, channel, updated_by, updated_at)
         SELECT gen_random_uuid(), organisation_id, id, 'stripe', 'test', now()
         FROM tenant WHERE organisation_id = '{o}' AND name LIKE 'Commune d''essai %'",
        o = fx.org_b
    ))
    .await;
    let r = app
        .gql(&fx.org_admin_b, "mutation($p: UUID!, $o: UUID!) {
            runAllocation(poolId: $p) { id }
            startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"2026\") { id invoices } }",
            json!({"p": pool, "o": fx.org_b}))
        .await;
    assert_eq!(data(&r)["startBillingRun"]["invoices"], json!(COMMUNES));

    // The worker runs until about a fifth of the invoices reached Stripe, then is killed.
    let mut w = start_worker(&app);
    let t = Instant::now();
    while open_invoices(&app).await < COMMUNES / 5 {
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the worker made no progress"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    w.kill().expect("SIGKILL");
    w.wait().expect("reaped");
    let at_kill = open_invoices(&app).await;
    assert!(at_kill < COMMUNES, "killed before the end ({at_kill})");
    eprintln!(
        "worker killed after {:.1} s with {at_kill} of {COMMUNES} invoices in Stripe",
        t.elapsed().as_secs_f64()
    );

    // Restarted, it finishes the run, taking over the jobs the dead worker held.
    let mut w = start_worker(&app);
    let t = Instant::now();
    loop {
        let row = app
            .admin
            .query_one(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT count(*) FILTER (WHERE status = 'done') AS done, count(*) AS n FROM billing_run",
            ))
            .await
            .expect("q")
            .expect("row");
        let done: i64 = row.try_get("", "done").expect("done");
        if done == 1 {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(180),
            "the run did not finish after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "restarted worker finished the run in {:.1} s ({} invoices, lease 3 s)",
        t.elapsed().as_secs_f64(),
        COMMUNES - at_kill
    );
    w.kill().expect("stop");
    w.wait().expect("reaped");
    assert_eq!(open_invoices(&app).await, COMMUNES);

    // In localstripe: one customer and one invoice per commune, summing to the pool.
    let ours: Vec<(String, i64, String)> = app
        .admin
        .query_all(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT tenant_id::text AS t, amount_cents AS a, stripe_invoice_id AS s FROM billing_invoice",
        ))
        .await
        .expect("invoices")
        .into_iter()
        .map(|r| (r.try_get("", "t").expect("t"), r.try_get("", "a").expect("a"), r.try_get("", "s").expect("s")))
        .collect();
    assert_eq!(ours.len() as i64, COMMUNES);
    assert_eq!(ours.iter().map(|(_, a, _)| a).sum::<i64>(), 12_345_678);
    let mut customers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in stripe_list("/v1/customers").await {
        if let (Some(t), Some(id)) = (c["metadata"]["mutualis_tenant"].as_str(), c["id"].as_str()) {
            customers
                .entry(t.to_owned())
                .or_default()
                .push(id.to_owned());
        }
    }
    let mut invoices: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for i in stripe_list("/v1/invoices").await {
        if i["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Facture "))
        {
            invoices
                .entry(i["customer"].as_str().unwrap_or_default().to_owned())
                .or_default()
                .push((
                    i["id"].as_str().unwrap_or_default().to_owned(),
                    i["total"].as_i64().unwrap_or(-1),
                ));
        }
    }
    for (tenant, amount, stripe_id) in &ours {
        let cs = customers.get(tenant).cloned().unwrap_or_default();
        assert_eq!(cs.len(), 1, "commune {tenant}: customers {cs:?}");
        let inv = invoices.get(&cs[0]).cloned().unwrap_or_default();
        assert_eq!(inv.len(), 1, "commune {tenant}: invoices {inv:?}");
        assert_eq!(&inv[0].0, stripe_id);
        assert_eq!(inv[0].1, *amount, "commune {tenant}");
    }
}
