//! Load benchmark (not a test: it prints figures, it asserts nothing about time).
//!
//! 1. Imports all of France from the referential package (every EPCI as an organisation, every
//!    member commune as a tenant) and reports how long it took.
//! 2. Runs a tenant-scoped GraphQL list query at N concurrent clients for D seconds against the
//!    real server (PostgreSQL, RLS, mutualis_app) and reports requests/s, p50, p99.
//! 3. Runs the same SQL the server runs (scoped transaction + the list query) at the same
//!    concurrency straight on the database: the figure to approach.
//!
//! Run with the test services up (`source tests/services.sh; start_services`):
//!   cargo run --release -p integration-tests --example graphql_load -- [clients] [seconds]
use integration_tests::bench::{drive, report, session_post};
use integration_tests::*;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};
use std::time::Instant;
use tenants::referential::{self, Referential};
use tenants::tenancy::{can, Principal};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50);
    let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let dir = std::env::var("MUTUALIS_TEST_REFERENTIAL_DIR")
        .expect("MUTUALIS_TEST_REFERENTIAL_DIR (tests/services.sh)");

    let testdb = fresh_db().await;
    let app = spawn_app_on(testdb, AppOptions::default()).await;

    // 1. All of France.
    let t = Instant::now();
    let r = Referential::read_dir(std::path::Path::new(&dir)).expect("referential");
    let parsed = t.elapsed();
    let op = Principal::operator();
    let scope = op.can::<can::ManageUsers>().expect("operator");
    referential::load(&app.db, &r, &indicatif_hidden())
        .await
        .expect("load");
    let loaded = t.elapsed();
    let reports = referential::provision_all(&app.db, &scope, &r, &indicatif_hidden())
        .await
        .expect("provision");
    let total = t.elapsed();
    let tenants: usize = reports.iter().map(|r| r.tenants_created).sum();
    println!(
        "import of France: {} EPCI -> {} organisations, {tenants} tenants in {:.1} s (parse {:.1} s, referential tables {:.1} s, provisioning {:.1} s)",
        r.epcis.len(),
        reports.len(),
        total.as_secs_f64(),
        parsed.as_secs_f64(),
        (loaded - parsed).as_secs_f64(),
        (total - loaded).as_secs_f64()
    );
    let t2 = Instant::now();
    let again = referential::provision_all(&app.db, &scope, &r, &indicatif_hidden())
        .await
        .expect("again");
    println!(
        "second import (idempotent, {} changed): {:.1} s",
        again.iter().filter(|r| r.changed()).count(),
        t2.elapsed().as_secs_f64()
    );

    // 2. The DSI of the CA de la Région de Compiègne lists its tenants.
    let org = reports
        .iter()
        .zip(&r.epcis)
        .find(|(_, e)| e.siren == ORG_A_SIREN)
        .map(|(rep, _)| rep.organisation_id)
        .expect("Compiègne provisioned");
    let caller = app
        .person("dsi@agglo-compiegne.fr", "org_admin", org, None)
        .await;
    let Caller::Session { secret, csrf, .. } = caller else {
        unreachable!()
    };
    let query = r#"{"query":"{ tenants(first: 50) { items { id name inseeCode population }} }"}"#;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .expect("client");
    let url = format!("{}/graphql", app.url);
    let check = session_post(&http, &url, &secret, &csrf, query)
        .send()
        .await
        .expect("probe")
        .text()
        .await
        .expect("body");
    assert!(check.contains("Compiègne"), "{check}");
    let (lat, errors, elapsed) = drive(clients, secs, move || {
        let (http, url, secret, csrf) = (http.clone(), url.clone(), secret.clone(), csrf.clone());
        async move {
            match session_post(&http, &url, &secret, &csrf, query)
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                _ => false,
            }
        }
    })
    .await;
    report(
        &format!("GraphQL tenants(first: 50), {clients} clients"),
        lat,
        errors,
        elapsed,
    );

    // 3. The same work in SQL, as mutualis_app: session lookup, user's grants, scoped list.
    let raw = tenants::db::connect(&app.testdb.app_url, clients as u32)
        .await
        .expect("raw pool");
    let sql = format!(
        "SELECT id, name, insee_code, population FROM tenant WHERE organisation_id = '{org}' ORDER BY name, id LIMIT 50"
    );
    let raw2 = raw.clone();
    let (lat, errors, elapsed) = drive(clients, secs, move || {
        let (db, sql) = (raw2.clone(), sql.clone());
        async move {
            let Ok(txn) = db.begin().await else {
                return false;
            };
            let set = txn
                .execute(Statement::from_string(
                    DatabaseBackend::Postgres,
                    format!("SELECT set_config('app.org_ids', '{{{org}}}', true)"),
                ))
                .await;
            let rows = txn
                .query_all(Statement::from_string(DatabaseBackend::Postgres, sql))
                .await;
            set.is_ok()
                && rows.map(|r| r.len() == 23).unwrap_or(false)
                && txn.commit().await.is_ok()
        }
    })
    .await;
    report(
        &format!("raw SQL, same scoped query, {clients} clients"),
        lat,
        errors,
        elapsed,
    );
    println!(
        "(server pool 20 connections; raw pool {clients}; 2 cores shared by client and server)"
    );
}
