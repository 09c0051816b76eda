//! Issue 23's N+1 reads, measured on the intercommunality with the most communes (CA du Pays
//! Basque, 158 communes, 5 backup policies each: `dataset::fill` with `Volumes::ISSUE_7`):
//! backup metering, backup compliance statuses, alert digests and the Stripe customer lookup
//! of a billing run. For each: the statements sent to PostgreSQL (counted by sea-orm's metric
//! callback on a connection of the API's role: every query, `SET LOCAL` of the scope included,
//! `BEGIN`/`COMMIT` not), the HTTP requests to Stripe (counted by a proxy in front of
//! localstripe) and the time. Each answer is checked against a plain per-row reading (the
//! per-policy and per-alert reads the batched ones replace, through the owner's connection),
//! so the program exits non-zero when a figure is wrong.
//!
//! Run with the test services up (`source tests/services.sh; start_services`):
//!   MUTUALIS_BIN=unused cargo run -p integration-tests --example nplus1_bench
use chrono::{DateTime, Duration, Utc};
use integration_tests::dataset::{self, Volumes};
use integration_tests::per_policy::{samples_of, status_of};
use integration_tests::*;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Statement};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tenants::backups::{compliance, metering};
use tenants::entities::backup_policy;
use tenants::identifiers::Siren;
use tenants::referential;
use tenants::tenancy::{can, Scope};
use uuid::Uuid;

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
}

fn report(name: &str, statements: u64, ms: f64, extra: &str) {
    println!("{name:<28} {statements:>6} statements {ms:>9.1} ms  {extra}");
}

#[tokio::main]
async fn main() {
    let dataset::Bench {
        app,
        fx: _,
        seeds,
        referential: r,
        provisioning,
    } = dataset::bench_start().await;
    let (siren, name, _) = dataset::largest_epci(&r);
    let org = referential::provision(
        &app.db,
        &provisioning,
        &Siren::parse(&siren).expect("siren"),
    )
    .await
    .expect("provision")
    .organisation_id;
    let filled = dataset::fill(&app.admin, &seeds, &[org], Volumes::ISSUE_7).await;
    stage_backups(&app, org).await;
    let communes: Vec<Uuid> = rows(
        &app.admin,
        &format!("SELECT id FROM tenant WHERE organisation_id = '{org}' AND kind = 'commune' ORDER BY insee_code"),
    )
    .await
    .iter()
    .map(|r| r.try_get("", "id").expect("id"))
    .collect();
    println!(
        "{name} ({siren}): {} communes, {} backup policies, {} jobs",
        communes.len(),
        filled.policies,
        filled.jobs
    );
    let counted = Counted::connect(&app.testdb.app_url).await;
    let dsi = app.person("dsi@bench.fr", "org_admin", org, None).await;
    let dsi_id = user_id(&app, "dsi@bench.fr").await;
    let principal = tenants::tenancy::resolve_user(&app.db, dsi_id)
        .await
        .expect("principal");
    let scope = principal.can::<can::ReadBackups>().expect("scope");
    let mut wrong = 0;
    wrong += bench_metering(&app, &counted, &scope).await;
    wrong += bench_compliance(&app, &counted, &scope, &communes).await;
    wrong += bench_digests(&app, &counted, org, &communes).await;
    wrong += bench_billing(&app, &counted, &dsi, org, &communes).await;
    if wrong > 0 {
        eprintln!("{wrong} wrong answer(s)");
        std::process::exit(1);
    }
    println!("all answers checked");
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    rows(
        &app.admin,
        &format!("SELECT id FROM app_user WHERE email = '{email}'"),
    )
    .await
    .first()
    .and_then(|r| r.try_get("", "id").ok())
    .expect("user")
}

/// Storage samples over last month (one before it, several inside, an older one that must
/// not count), and a quarter of the policies silent for three weeks (their compliance needs
/// the last jobs before the window).
async fn stage_backups(app: &TestApp, org: Uuid) {
    app.admin_exec(&format!(
        "INSERT INTO backup_storage_sample (id, organisation_id, tenant_id, policy_id, measured_at, stored_bytes, source)
         SELECT gen_random_uuid(), p.organisation_id, p.tenant_id, p.id,
           date_trunc('month', now()) - interval '1 month' + d * interval '1 day'
             + (abs(hashtext(p.id::text)) % 7) * interval '1 hour',
           1000000000::bigint * (1 + abs(hashtext(p.id::text || d::text)) % 9), 'webhook'
         FROM backup_policy p CROSS JOIN (VALUES (-40), (-3), (2), (9), (17), (25)) v(d)
         WHERE p.organisation_id = '{org}' AND p.name LIKE 'gen %'"
    ))
    .await;
    app.admin_exec(&format!(
        "UPDATE backup_job j SET finished_at = finished_at - interval '21 days'
         FROM backup_policy p WHERE p.id = j.policy_id AND p.organisation_id = '{org}'
           AND abs(hashtext(p.id::text)) % 4 = 0"
    ))
    .await;
    // Some of them failed last before going silent, with an older success.
    app.admin_exec(&format!(
        "UPDATE backup_job j SET status = 'failed'
         FROM backup_policy p WHERE p.id = j.policy_id AND p.organisation_id = '{org}'
           AND abs(hashtext(p.id::text)) % 8 = 0
           AND j.finished_at = (SELECT max(finished_at) FROM backup_job k WHERE k.policy_id = p.id)"
    ))
    .await;
    app.admin_exec("ANALYZE").await;
}

fn last_month(now: DateTime<Utc>) -> tenants::calendar::Period {
    let d = now.date_naive() - Duration::days(35);
    tenants::calendar::Period::parse(&d.format("%Y-%m").to_string()).expect("period")
}

/// Metering, and the same figures from per-policy reads.
async fn bench_metering(app: &TestApp, c: &Counted, scope: &Scope) -> usize {
    let now = Utc::now();
    let period = last_month(now);
    let (usage, n, ms) = c
        .measure(metering::usage(&c.db, scope, period, None, now))
        .await;
    let usage = usage.expect("usage");
    let (start, end) = period.bounds();
    let policies = backup_policy::Entity::find()
        .all(&app.admin)
        .await
        .expect("policies");
    let mut wrong = 0;
    for u in &usage {
        let mut bs: i128 = 0;
        let mut current = 0;
        let mine: Vec<_> = policies
            .iter()
            .filter(|p| p.tenant_id == u.tenant_id)
            .collect();
        for p in &mine {
            let s = samples_of(&app.admin, p.id, start, end.min(now)).await;
            bs += metering::byte_seconds(&s, start, end.min(now));
            current += s.last().map(|(_, b)| *b).unwrap_or(0);
        }
        let expected = metering::milli_gb_months(bs, (end - start).num_seconds());
        if (expected, current, mine.len()) != (u.milli_gb_months, u.current_bytes, u.policies) {
            eprintln!(
                "metering of {}: {u:?}, expected {expected} / {current}",
                u.tenant_id
            );
            wrong += 1;
        }
    }
    let total: i64 = usage.iter().map(|u| u.milli_gb_months).sum();
    report(
        "backup metering",
        n,
        ms,
        &format!("{} tenants, {total} milli-GB-month", usage.len()),
    );
    wrong
}

/// Compliance over a 7-day window, and the same statuses from per-policy reads.
async fn bench_compliance(app: &TestApp, c: &Counted, scope: &Scope, communes: &[Uuid]) -> usize {
    let now = Utc::now();
    let window = 7;
    let (out, n, ms) = c
        .measure(compliance::overview(
            &c.db,
            scope,
            Some(communes.to_vec()),
            now,
            window,
        ))
        .await;
    let (states, statuses) = out.expect("overview");
    let mut wrong = 0;
    for s in &statuses {
        let expected = status_of(&app.admin, s.policy.clone(), now, window).await;
        if &expected != s {
            eprintln!(
                "compliance of {}: {s:?}, expected {expected:?}",
                s.policy.id
            );
            wrong += 1;
        }
    }
    let count = |st| states.iter().filter(|t| t.state == st).count();
    report(
        "backup compliance statuses",
        n,
        ms,
        &format!(
            "{} policies; tenants ok {}, late {}, failing {}, never {}",
            statuses.len(),
            count(compliance::RpoState::Ok),
            count(compliance::RpoState::Late),
            count(compliance::RpoState::Failing),
            count(compliance::RpoState::Never)
        ),
    );
    wrong
}

/// Digests: three alerts per commune over the last day (one of them a rights request, for the
/// DPO), the DSI, the DPO and every other commune's administrator in digest mode, the DSI
/// already sent a third of them; compared with the pairs a plain join gives.
async fn bench_digests(app: &TestApp, c: &Counted, org: Uuid, communes: &[Uuid]) -> usize {
    app.admin_exec(&format!(
        "INSERT INTO alert (id, organisation_id, tenant_id, kind, cause_key, title, detail, due_on, created_at)
         SELECT gen_random_uuid(), t.organisation_id, t.id, k.kind, k.kind || ':' || t.id,
           'Alerte ' || k.kind, 'Détail', CURRENT_DATE + 10, now() - k.h * interval '1 hour'
         FROM tenant t CROSS JOIN (VALUES ('request_due', 3), ('backup_late', 9), ('contract_end', 20)) k(kind, h)
         WHERE t.organisation_id = '{org}' AND t.kind = 'commune'"
    ))
    .await;
    app.person("dpo@bench.fr", "dpo", org, None).await;
    for (i, t) in communes.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        app.person(
            &format!("maire{i}@bench.fr"),
            "commune_admin",
            org,
            Some(*t),
        )
        .await;
    }
    app.admin_exec("UPDATE app_user SET alert_mode = 'digest' WHERE email LIKE '%@bench.fr'")
        .await;
    app.admin_exec(&format!(
        "INSERT INTO alert_delivery (id, organisation_id, tenant_id, alert_id, user_id, channel, sent_at)
         SELECT gen_random_uuid(), a.organisation_id, a.tenant_id, a.id, u.id, 'digest', now()
         FROM alert a CROSS JOIN app_user u
         WHERE a.organisation_id = '{org}' AND u.email = 'dsi@bench.fr' AND abs(hashtext(a.id::text)) % 3 = 0"
    ))
    .await;
    let now = Utc::now();
    let (out, n, ms) = c
        .measure(tenants::alerts::deliver::digests(
            &c.db,
            now,
            Duration::days(2),
        ))
        .await;
    let digests = out.expect("digests");
    let got: BTreeSet<(Uuid, Uuid)> = digests
        .iter()
        .flat_map(|(r, alerts)| alerts.iter().map(move |(a, _)| (r.user_id, a.id)))
        .collect();
    let since = (now - Duration::days(2)).to_rfc3339();
    let expected: BTreeSet<(Uuid, Uuid)> = rows(
        &app.admin,
        &format!(
            "SELECT DISTINCT u.id AS u, a.id AS a FROM alert a
             JOIN membership m ON (m.organisation_id = a.organisation_id AND m.tenant_id IS NULL
                   AND (m.role = 'org_admin' OR (m.role = 'dpo' AND (a.kind LIKE 'request\\_%' OR a.kind LIKE 'breach\\_%'))))
                OR (m.tenant_id = a.tenant_id AND m.role = 'commune_admin')
             JOIN app_user u ON u.id = m.user_id
             WHERE a.created_at >= '{since}' AND u.alert_mode = 'digest'
               AND NOT EXISTS (SELECT 1 FROM alert_delivery d WHERE d.alert_id = a.id AND d.user_id = u.id)"
        ),
    )
    .await
    .iter()
    .map(|r| (r.try_get("", "u").expect("u"), r.try_get("", "a").expect("a")))
    .collect();
    let mut wrong = usize::from(got != expected);
    if got != expected {
        eprintln!(
            "digests: {} pairs, expected {} ({} missing, {} extra)",
            got.len(),
            expected.len(),
            expected.difference(&got).count(),
            got.difference(&expected).count()
        );
    }
    // Each digest in time order, each alert named after its commune.
    for (_, alerts) in &digests {
        let ordered = alerts
            .windows(2)
            .all(|w| w[0].0.created_at <= w[1].0.created_at);
        if !ordered || alerts.iter().any(|(_, name)| name.is_empty()) {
            wrong += 1;
        }
    }
    report(
        "alert digests",
        n,
        ms,
        &format!(
            "{} people, {} (alert, person) pairs",
            digests.len(),
            got.len()
        ),
    );
    wrong
}

/// A billing run of the 158 communes pushed by one worker through the counting proxy: the
/// customer lookups (`GET /v1/customers`) among all Stripe requests; then exactly one
/// customer and one invoice per commune.
async fn bench_billing(
    app: &TestApp,
    c: &Counted,
    dsi: &Caller,
    org: Uuid,
    tenants: &[Uuid],
) -> usize {
    let communes = tenants.len() as i64;
    app.billing_identities(dsi, org, tenants, "stripe").await;
    let r = app
        .gql(dsi, "mutation($o: UUID!) { createCostService(organisationId: $o, code: \"sig\", name: \"Système d'information géographique\", unit: \"commune\") { id } }", json!({"o": org}))
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
        .gql(dsi, "mutation($o: UUID!, $s: UUID!) { createCostPool(organisationId: $o, input: {serviceId: $s, label: \"SIG 2026\",
            periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", amountCents: 98765432, method: {kind: \"key\", key: \"population\"}}) { id } }",
            json!({"o": org, "s": service}))
        .await;
    let pool = data(&r)["createCostPool"]["id"]
        .as_str()
        .expect("pool")
        .to_owned();
    data(
        &app.gql(
            dsi,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
            json!({"p": pool}),
        )
        .await,
    );
    let r = app
        .gql(dsi, "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"2026\") { id invoices } }",
            json!({"o": org}))
        .await;
    let invoices = data(&r)["startBillingRun"]["invoices"]
        .as_i64()
        .unwrap_or(-1);
    app.drop_report_jobs().await;
    let (proxy, tally) = counting_proxy(&stripe_url()).await;
    let mut settings = job_settings("bench-worker");
    settings.stripe = Some(Arc::new(
        worker::stripe_gateway::AsyncStripe::new(TEST_STRIPE_KEY, Some(&proxy)).expect("client"),
    ));
    let (ran, n, ms) = c.measure(worker::run_jobs(&c.db, &settings)).await;
    let ran = ran.expect("jobs");
    let tally = tally.lock().map(|m| m.clone()).unwrap_or_default();
    let all: u64 = tally.values().sum();
    let lookups = tally.get("GET /v1/customers").copied().unwrap_or(0);
    let mut customers: BTreeMap<String, usize> = BTreeMap::new();
    for c in stripe_list("/v1/customers").await {
        if let Some(t) = c["metadata"]["mutualis_tenant"].as_str() {
            *customers.entry(t.to_owned()).or_default() += 1;
        }
    }
    let open = app
        .count_where(
            "billing_invoice",
            &format!(
                "organisation_id = '{org}' AND status = 'open' AND stripe_invoice_id IS NOT NULL"
            ),
        )
        .await;
    let ours: BTreeSet<String> = rows(
        &app.admin,
        &format!("SELECT id::text AS id FROM tenant WHERE organisation_id = '{org}' AND kind = 'commune'"),
    )
    .await
    .iter()
    .map(|r| r.try_get("", "id").expect("id"))
    .collect();
    let once = ours
        .iter()
        .filter(|t| customers.get(*t) == Some(&1))
        .count() as i64;
    let mut wrong = 0;
    if invoices != communes || open != communes || once != communes {
        eprintln!("billing: {invoices} invoices, {open} in Stripe, {once} communes with one customer, of {communes}");
        wrong += 1;
    }
    report(
        "billing run (customer lookup)",
        n,
        ms,
        &format!("{ran} jobs; {lookups} customer list requests of {all} Stripe requests"),
    );
    wrong
}
