//! Billing run benchmark (issue 9; prints figures, asserts only that the result is right):
//! the intercommunality with the most communes in the referential (CA du Pays Basque, 158), all
//! subscribed to one service whose yearly pool is allocated by population, then one billing run
//! for all of them done by `workers` worker processes (the binary given by MUTUALIS_BIN) against
//! localstripe: allocation time, run time, invoices per second, and in localstripe exactly one
//! customer and one invoice per commune, summing to the pool.
//!
//! Run with the test services up (`source tests/services.sh; start_services`):
//!   cargo build --release -p api --bin mutualis
//!   MUTUALIS_BIN=$CARGO_TARGET_DIR/release/mutualis \
//!     cargo run --release -p integration-tests --example billing_bench -- [workers]
use integration_tests::*;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tenants::identifiers::Siren;
use tenants::referential::{self, Referential};
use tenants::tenancy::{can, Principal};

const POOL_CENTS: i64 = 98_765_432;

#[tokio::main]
async fn main() {
    let workers: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let dir = std::env::var("MUTUALIS_TEST_REFERENTIAL_DIR")
        .expect("MUTUALIS_TEST_REFERENTIAL_DIR (source tests/services.sh; start_services)");
    let app = spawn_app().await;
    let r = Referential::read_dir(std::path::Path::new(&dir)).expect("referential");
    referential::load(&app.db, &r, &indicatif_hidden())
        .await
        .expect("referential loads");
    let (siren, name, _) = integration_tests::dataset::largest_epci(&r);
    let op = Principal::operator();
    let scope = op.can::<can::ManageUsers>().expect("operator");
    let p = referential::provision(&app.db, &scope, &Siren::parse(&siren).expect("siren"))
        .await
        .expect("provision");
    let org = p.organisation_id;
    let communes = app
        .count_where(
            "tenant",
            &format!("organisation_id = '{org}' AND kind = 'commune'"),
        )
        .await;
    println!("{name} ({siren}): {communes} communes");
    let dsi = app.person("dsi@bench.fr", "org_admin", org, None).await;

    let r = app
        .gql(&dsi, "mutation($o: UUID!) { createCostService(organisationId: $o, code: \"sig\", name: \"Système d'information géographique\", unit: \"commune\") { id } }", json!({"o": org}))
        .await;
    let service = data(&r)["createCostService"]["id"]
        .as_str()
        .expect("service")
        .to_owned();
    app.admin_exec(&format!(
        "INSERT INTO cost_subscription (id, organisation_id, tenant_id, service_id, starts_on, created_at)
         SELECT gen_random_uuid(), organisation_id, id, '{service}', DATE '2026-01-01', now()
         FROM tenant WHERE organisation_id = '{org}' AND kind = 'commune'"
    ))
    .await;
    let r = app
        .gql(&dsi, "mutation($o: UUID!, $s: UUID!, $a: Int!) { createCostPool(organisationId: $o, input: {serviceId: $s, label: \"SIG 2026\",
            periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", amountCents: $a, method: {kind: \"key\", key: \"population\"}}) { id } }",
            json!({"o": org, "s": service, "a": POOL_CENTS}))
        .await;
    let pool = data(&r)["createCostPool"]["id"]
        .as_str()
        .expect("pool")
        .to_owned();
    let t = Instant::now();
    let r = app
        .gql(
            &dsi,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
            json!({"p": pool}),
        )
        .await;
    data(&r);
    let allocation = t.elapsed();
    let t = Instant::now();
    let r = app
        .gql(&dsi, "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"2026\") { id invoices } }",
            json!({"o": org}))
        .await;
    let invoices = data(&r)["startBillingRun"]["invoices"]
        .as_i64()
        .expect("invoices");
    let start_run = t.elapsed();
    assert_eq!(invoices, communes, "one invoice per commune");
    println!(
        "allocation of the pool over {communes} communes: {:.0} ms; billing run prepared ({invoices} invoices, one job each) in {:.0} ms",
        allocation.as_secs_f64() * 1e3,
        start_run.as_secs_f64() * 1e3
    );

    let stripe = stripe_url();
    let env = [
        ("STRIPE_SECRET_KEY", TEST_STRIPE_KEY),
        ("STRIPE_API_BASE", stripe.as_str()),
        ("MUTUALIS_STRIPE_SEND_INVOICES", "false"),
    ];
    let t = Instant::now();
    let _workers = Processes(
        (0..workers)
            .map(|_| app.start_binary(&["worker"], &env))
            .collect(),
    );
    let mut last_report = Instant::now();
    loop {
        let done = app.count_where("billing_run", "status = 'done'").await;
        if done == 1 {
            break;
        }
        if last_report.elapsed() > Duration::from_secs(10) {
            let open = app.count_where("billing_invoice", "status = 'open'").await;
            println!(
                "  {open} / {invoices} invoices in Stripe after {:.0} s",
                t.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        assert!(
            t.elapsed() < Duration::from_secs(1800),
            "the run did not finish in 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let run = t.elapsed();
    println!(
        "billing run with {workers} worker process(es) against localstripe: {invoices} invoices in {:.1} s ({:.1} invoices/s, {:.0} ms each)",
        run.as_secs_f64(),
        invoices as f64 / run.as_secs_f64(),
        run.as_secs_f64() * 1e3 / invoices as f64
    );

    // The result: one customer and one invoice per commune in localstripe, summing to the pool.
    let mut customers: BTreeMap<String, usize> = BTreeMap::new();
    for c in stripe_list("/v1/customers").await {
        if let Some(t) = c["metadata"]["mutualis_tenant"].as_str() {
            *customers.entry(t.to_owned()).or_default() += 1;
        }
    }
    let ours = app
        .count_where(
            "billing_invoice",
            &format!(
                "organisation_id = '{org}' AND status = 'open' AND stripe_invoice_id IS NOT NULL"
            ),
        )
        .await;
    assert_eq!(ours, communes, "every invoice reached Stripe");
    let sum: i64 = app
        .admin
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT sum(amount_cents)::bigint AS s FROM billing_invoice WHERE organisation_id = '{org}'"),
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "s").ok())
        .unwrap_or(-1);
    assert_eq!(sum, POOL_CENTS, "the invoices sum to the pool");
    let tenants_once = app
        .count_where(
            "tenant",
            &format!("organisation_id = '{org}' AND kind = 'commune'"),
        )
        .await;
    let with_one_customer = customers.values().filter(|n| **n == 1).count() as i64;
    assert!(
        with_one_customer >= tenants_once,
        "one Stripe customer per commune ({with_one_customer} of {tenants_once})"
    );
    println!("checked: {ours} invoices in Stripe, one customer per commune, sum = pool ({POOL_CENTS} cents)");
}
