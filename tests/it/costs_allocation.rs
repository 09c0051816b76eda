//! Cost allocation through GraphQL: exact shares explained to each commune, what-if without a
//! write, runs superseded then invoiced then corrected, usage from backup metering, FOCUS export,
//! and every bad input refused with nothing written.
use integration_tests::*;
use serde_json::{json, Value};

fn field(resp: &Value) -> Option<&str> {
    resp["errors"][0]["extensions"]["field"].as_str()
}

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut v = vec![];
    for t in [
        "cost_pool",
        "cost_run",
        "cost_line",
        "cost_service",
        "cost_subscription",
        "audit_log",
    ] {
        v.push(app.count(t).await);
    }
    v
}

async fn population(app: &TestApp, caller: &Caller, tenant: uuid::Uuid) -> i64 {
    let r = app
        .gql(
            caller,
            "query($t: UUID!) { tenant(id: $t) { population } }",
            json!({"t": tenant}),
        )
        .await;
    data(&r)["tenant"]["population"]
        .as_i64()
        .expect("population")
}

#[tokio::test]
async fn costs_shares_sum_to_the_pool_and_are_explained_to_each_commune() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let co = app
        .cost_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    let (p1, p2) = (
        population(&app, &fx.org_admin_a, fx.tenant_a1).await,
        population(&app, &fx.org_admin_a, fx.tenant_a2).await,
    );
    // Keys recorded by cost_objects: 40 agents in A1, 65 in A2.
    let (g1, g2) = (40.0, 65.0);
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($r: UUID!) { costLines(runId: $r) { tenantId amountCents basis explanation } }",
            json!({"r": co.run}),
        )
        .await;
    let lines = data(&r)["costLines"].as_array().expect("lines").clone();
    assert_eq!(lines.len(), 2);
    let total: i64 = lines.iter().filter_map(|l| l["amountCents"].as_i64()).sum();
    assert_eq!(total, 1_234_567, "the shares sum to the pool to the cent");
    let a1 = lines
        .iter()
        .find(|l| l["tenantId"] == json!(fx.tenant_a1))
        .expect("a1");
    let exact = 1_234_567.0 * (0.6 * p1 as f64 / (p1 + p2) as f64 + 0.4 * g1 / (g1 + g2));
    let got = a1["amountCents"].as_i64().expect("amount") as f64;
    assert!((got - exact).abs() < 1.0, "{got} vs {exact}");
    assert_eq!(a1["basis"]["parts"][0]["value"], json!(p1));
    assert_eq!(a1["basis"]["parts"][1]["value"], json!(40));
    let text = a1["explanation"].as_str().expect("text");
    assert!(
        text.contains("Licences bureautiques 2026") && text.contains("agents"),
        "{text}"
    );
    assert!(text.contains("12\u{202f}345,67 €"), "{text}");

    // A commune reads its own line only, explained.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ costLines { tenantId amountCents explanation } costSubscriptions { tenantId } }",
            json!({}),
        )
        .await;
    let mine = data(&r)["costLines"].as_array().expect("lines").clone();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["tenantId"], json!(fx.tenant_a1));
    assert_eq!(mine[0]["amountCents"], a1["amountCents"]);
    assert_eq!(
        data(&r)["costSubscriptions"],
        json!([{"tenantId": fx.tenant_a1}])
    );

    // What-if: another amount and method, nothing written.
    let before = counts(&app).await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($p: UUID!, $t: UUID!) { simulateAllocation(poolId: $p, amountCents: 1000, method: {kind: \"key\", key: \"agents\"},
               keyOverrides: [{tenantId: $t, key: \"agents\", value: 60}]) { amountCents method lines { tenantId amountCents } } }",
            json!({"p": co.pool, "t": fx.tenant_a1}),
        )
        .await;
    let sim = data(&r)["simulateAllocation"].clone();
    // 60 : 65 agents over 10.00 €: 4.80 / 5.20.
    let amounts: Vec<(String, i64)> = sim["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["tenantId"].as_str().unwrap_or_default().to_owned(),
                l["amountCents"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert!(amounts.contains(&(fx.tenant_a1.to_string(), 480)), "{sim}");
    assert!(amounts.contains(&(fx.tenant_a2.to_string(), 520)), "{sim}");
    assert_eq!(counts(&app).await, before, "a simulation wrote something");

    // A second run supersedes the first (not invoiced): only its lines are current.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id kind status } }",
            json!({"p": co.pool}),
        )
        .await;
    let second = data(&r)["runAllocation"].clone();
    assert_eq!(
        (second["kind"].clone(), second["status"].clone()),
        (json!("allocation"), json!("final"))
    );
    let r = app
        .gql(&fx.org_admin_a, "query($p: UUID!) { costRuns(poolId: $p) { id status } costLines { runId } all: costLines(includeSuperseded: true) { runId superseded } }", json!({"p": co.pool}))
        .await;
    let d = data(&r);
    assert_eq!(
        d["costRuns"][1],
        json!({"id": co.run, "status": "superseded"})
    );
    assert!(d["costLines"]
        .as_array()
        .expect("lines")
        .iter()
        .all(|l| l["runId"] == second["id"]));
    assert_eq!(d["all"].as_array().map(Vec::len), Some(4));

    // Once invoiced (the billing run sets this), a new allocation is refused, a correction
    // credits and debits the difference.
    app.admin_exec(&format!(
        "UPDATE cost_run SET status = 'invoiced', invoiced_at = now() WHERE id = '{}'",
        second["id"].as_str().expect("id")
    ))
    .await;
    let before = counts(&app).await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
            json!({"p": co.pool}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($p: UUID!) { runCorrection(poolId: $p) { id } }",
            json!({"p": co.pool}),
        )
        .await;
    assert_eq!(
        error_code(&r).as_deref(),
        Some("CONFLICT"),
        "nothing changed: {r}"
    );
    assert_eq!(counts(&app).await, before);
    // The pool was 100.00 € too high; Margny's agents were 75, not 65.
    let r = app
        .gql(
            &fx.org_admin_a,
            &format!(
                "mutation($id: UUID!, $s: UUID!, $amount: Int!, $t: UUID!) {{
                updateCostPool(id: $id, version: 1, input: {COST_POOL_INPUT}) {{ version }}
                setCostKey(tenantId: $t, key: \"agents\", year: 2026, value: 75) {{ value }} }}"
            ),
            json!({"id": co.pool, "s": co.service, "amount": 1_224_567, "t": fx.tenant_a2}),
        )
        .await;
    data(&r);
    let r = app
        .gql(&fx.org_admin_a, "mutation($p: UUID!) { runCorrection(poolId: $p) { id kind correctsRunId totalCents } }", json!({"p": co.pool}))
        .await;
    let corr = data(&r)["runCorrection"].clone();
    assert_eq!(corr["kind"], json!("correction"));
    assert_eq!(corr["correctsRunId"], second["id"]);
    assert_eq!(corr["totalCents"], json!(-10_000));
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($r: UUID!) { costLines(runId: $r) { tenantId amountCents explanation } }",
            json!({"r": corr["id"]}),
        )
        .await;
    let corr_lines = data(&r)["costLines"].as_array().expect("lines").clone();
    assert_eq!(
        corr_lines
            .iter()
            .filter_map(|l| l["amountCents"].as_i64())
            .sum::<i64>(),
        -10_000
    );
    // A1 gets a credit (less money, and a smaller share of agents), A2 a debit or a credit.
    let a1c = corr_lines
        .iter()
        .find(|l| l["tenantId"] == json!(fx.tenant_a1))
        .expect("a1");
    assert!(a1c["amountCents"].as_i64() < Some(0), "{a1c}");
    assert!(
        a1c["explanation"]
            .as_str()
            .is_some_and(|t| t.contains("avoir")),
        "{a1c}"
    );
}

#[tokio::test]
async fn costs_bad_input_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let co = app
        .cost_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    let before = counts(&app).await;
    let create = |amount: i64, method: &str| {
        format!(
            "mutation($o: UUID!, $s: UUID!) {{ createCostPool(organisationId: $o, input: {{serviceId: $s, label: \"Réseau 2026\",
               periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", amountCents: {amount}, method: {method}}}) {{ id }} }}"
        )
    };
    let vars = json!({"o": fx.org_a, "s": co.service});
    for (query, expected) in [
        (create(-100, "{kind: \"key\", key: \"population\"}"), "amountCents"),
        (
            create(100, &format!("{{kind: \"percentages\", shares: [{{tenantId: \"{}\", basisPoints: 5000}}, {{tenantId: \"{}\", basisPoints: 4000}}]}}", fx.tenant_a1, fx.tenant_a2)),
            "method.shares",
        ),
        (create(100, "{kind: \"mix\", parts: []}"), "method.parts"),
        (create(100, "{kind: \"key\"}"), "method.key"),
        (create(100, "{kind: \"lottery\"}"), "method.kind"),
    ] {
        let r = app.gql(&fx.org_admin_a, &query, vars.clone()).await;
        assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
        assert_eq!(field(&r), Some(expected), "{r}");
    }
    assert_eq!(counts(&app).await, before);

    // A key missing for a subscribed commune: the pool is stored, its run refused by name.
    let r = app
        .gql(
            &fx.org_admin_a,
            &create(50_000, "{kind: \"key\", key: \"postes\"}"),
            vars.clone(),
        )
        .await;
    let pool = data(&r)["createCostPool"]["id"]
        .as_str()
        .expect("pool")
        .to_owned();
    let r = app
        .gql(&fx.org_admin_a, "mutation($t: UUID!) { setCostKey(tenantId: $t, key: \"postes\", year: 2026, value: 12) { value } }", json!({"t": fx.tenant_a1}))
        .await;
    data(&r);
    let before = counts(&app).await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
            json!({"p": pool}),
        )
        .await;
    assert_eq!(field(&r), Some("method"), "{r}");
    let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("postes") && msg.contains("60382"), "{msg}");
    assert_eq!(counts(&app).await, before);
    // Keys that are all zero.
    for t in [fx.tenant_a1, fx.tenant_a2] {
        let r = app
            .gql(&fx.org_admin_a, "mutation($t: UUID!) { setCostKey(tenantId: $t, key: \"postes\", year: 2026, value: 0) { value } }", json!({"t": t}))
            .await;
        data(&r);
    }
    let before = counts(&app).await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
            json!({"p": pool}),
        )
        .await;
    assert_eq!(field(&r), Some("method"), "{r}");
    assert_eq!(counts(&app).await, before);
    // Other refusals: population is not typed by hand; a key is not negative; a commune is
    // subscribed once at a time; a commune admin does not allocate.
    for (q, v, code) in [
        ("mutation($t: UUID!) { setCostKey(tenantId: $t, key: \"population\", year: 2026, value: 1) { value } }", json!({"t": fx.tenant_a1}), "BAD_USER_INPUT"),
        ("mutation($t: UUID!) { setCostKey(tenantId: $t, key: \"agents\", year: 2026, value: -1) { value } }", json!({"t": fx.tenant_a1}), "BAD_USER_INPUT"),
        ("mutation($t: UUID!, $s: UUID!) { subscribeToService(tenantId: $t, serviceId: $s, startsOn: \"2026-06-01\") { id } }", json!({"t": fx.tenant_a1, "s": co.service}), "CONFLICT"),
    ] {
        let r = app.gql(&fx.org_admin_a, q, v).await;
        assert_eq!(error_code(&r).as_deref(), Some(code), "{r}");
    }
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
            json!({"p": co.pool}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
}

#[tokio::test]
async fn costs_usage_of_backup_storage_comes_from_metering() {
    use chrono::TimeZone;
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let a1 = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a1, "srv-a1")
        .await;
    let a2 = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a2, "srv-a2")
        .await;
    // All of September 2026: 10 GB in A1, 30 GB in A2 (samples from August).
    let aug = chrono_tz::Europe::Paris
        .with_ymd_and_hms(2026, 8, 20, 3, 0, 0)
        .single()
        .expect("date")
        .with_timezone(&chrono::Utc);
    for (ids, bytes) in [(&a1, 10_000_000_000_i64), (&a2, 30_000_000_000_i64)] {
        let (s, a) = app
            .post_backup(&Delivery {
                token_id: &ids.token_id,
                signing_key: &ids.signing_key,
                body: json!({"id": "aug", "policy": "Serveur mairie", "status": "success",
                    "finished_at": aug, "stored_bytes": bytes})
                .to_string()
                .into_bytes(),
                timestamp: chrono::Utc::now().timestamp(),
            })
            .await;
        assert_eq!(s, 202, "{a}");
    }
    let r = app
        .gql(&fx.org_admin_a, "mutation($o: UUID!) { createCostService(organisationId: $o, code: \"sauvegarde\", name: \"Sauvegarde mutualisée\", unit: \"GB-mois\") { id } }", json!({"o": fx.org_a}))
        .await;
    let service = data(&r)["createCostService"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for t in [fx.tenant_a1, fx.tenant_a2] {
        let r = app
            .gql(&fx.org_admin_a, "mutation($t: UUID!, $s: UUID!) { subscribeToService(tenantId: $t, serviceId: $s, startsOn: \"2026-01-01\") { id } }", json!({"t": t, "s": service}))
            .await;
        data(&r);
    }
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!, $s: UUID!) { createCostPool(organisationId: $o, input: {serviceId: $s, label: \"Stockage septembre\",
               periodStart: \"2026-09-01\", periodEnd: \"2026-09-30\", amountCents: 80000, method: {kind: \"usage\", metric: \"backup_gb_month\"}}) { id } }",
            json!({"o": fx.org_a, "s": service}),
        )
        .await;
    let pool = data(&r)["createCostPool"]["id"]
        .as_str()
        .expect("pool")
        .to_owned();
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
            json!({"p": pool}),
        )
        .await;
    let run = data(&r)["runAllocation"]["id"].clone();
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($r: UUID) { costLines(runId: $r) { tenantId amountCents basis explanation } }",
            json!({"r": run}),
        )
        .await;
    let lines = data(&r)["costLines"].as_array().expect("lines").clone();
    let get = |t: uuid::Uuid| {
        lines
            .iter()
            .find(|l| l["tenantId"] == json!(t))
            .expect("line")
            .clone()
    };
    // 10 and 30 GB-month: 200.00 € and 600.00 €.
    assert_eq!(get(fx.tenant_a1)["amountCents"], json!(20_000));
    assert_eq!(get(fx.tenant_a2)["amountCents"], json!(60_000));
    assert_eq!(get(fx.tenant_a1)["basis"]["value"], json!(10_000));
    assert!(
        get(fx.tenant_a2)["explanation"]
            .as_str()
            .is_some_and(|t| t.contains("30,000 Go-mois")),
        "{lines:?}"
    );

    // The FOCUS export of these lines.
    let (status, csv) = app
        .get_as(
            &fx.org_admin_a,
            api::http::cost_exports::FOCUS_EXPORT,
            &format!("run={}", run.as_str().expect("run")),
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().expect("header").split(',').collect();
    for col in [
        "BilledCost",
        "EffectiveCost",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "ServiceName",
        "SubAccountId",
    ] {
        assert!(header.contains(&col), "{col} in {header:?}");
    }
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows.iter().any(|r| r.starts_with("600.00,600.00")
            && r.contains("2026-09-01T00:00:00Z,2026-10-01T00:00:00Z")),
        "{csv}"
    );
    assert!(
        rows.iter().all(|r| r.contains("Sauvegarde mutualisée")),
        "{csv}"
    );
}
