//! Billing against localstripe: one invoice per commune, exactly once however often the job
//! runs or where it stopped; Stripe webhooks verified and deduplicated; dead letters visible
//! and retried.
use integration_tests::*;
use serde_json::{json, Value};

async fn stripe_invoices_of(tenant: uuid::Uuid) -> (Vec<Value>, Vec<Value>) {
    let t = tenant.to_string();
    let customers: Vec<Value> = stripe_list("/v1/customers")
        .await
        .into_iter()
        .filter(|c| c["metadata"]["mutualis_tenant"] == json!(t))
        .collect();
    let mut invoices = vec![];
    for c in &customers {
        let id = c["id"].as_str().expect("id");
        invoices.extend(
            stripe_list(&format!("/v1/invoices?customer={id}"))
                .await
                .into_iter()
                .filter(|i| {
                    i["description"]
                        .as_str()
                        .is_some_and(|d| d.starts_with("Facture "))
                }),
        );
    }
    (customers, invoices)
}

#[tokio::test]
async fn billing_invoices_each_commune_exactly_once_in_stripe() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let (co, run) = app
        .billing_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    let r = app
        .gql(&fx.org_admin_a, "query($r: UUID) { billingRuns { items { id status invoices totalCents }} invoices(billingRunId: $r) { items { tenantId number amountCents status stripeInvoiceId lines }} jobs(kind: \"billing.push_invoice\") { items { kind status }} }", json!({"r": run}))
        .await;
    let d = data(&r).clone();
    assert_eq!(d["billingRuns"]["items"][0]["status"], json!("done"), "{d}");
    assert_eq!(d["billingRuns"]["items"][0]["totalCents"], json!(1_234_567));
    let invoices = d["invoices"]["items"].as_array().expect("invoices").clone();
    assert_eq!(invoices.len(), 2);
    assert!(
        d["jobs"]["items"]
            .as_array()
            .expect("jobs")
            .iter()
            .all(|j| j["status"] == json!("done")),
        "{d}"
    );
    for t in [fx.tenant_a1, fx.tenant_a2] {
        let ours = invoices
            .iter()
            .find(|i| i["tenantId"] == json!(t))
            .expect("invoice");
        assert_eq!(ours["status"], json!("open"));
        let (customers, theirs) = stripe_invoices_of(t).await;
        assert_eq!(customers.len(), 1, "one Stripe customer per commune");
        assert_eq!(
            theirs.len(),
            1,
            "one Stripe invoice per commune: {theirs:?}"
        );
        assert_eq!(theirs[0]["id"], ours["stripeInvoiceId"]);
        assert_eq!(theirs[0]["total"], ours["amountCents"], "{:?}", theirs[0]);
        assert!(theirs[0]["description"]
            .as_str()
            .is_some_and(|d| d.contains(ours["number"].as_str().unwrap_or("?"))));
    }

    // Delivered again (at-least-once), and after a crash between Stripe and our database:
    // still one invoice each.
    app.admin_exec("UPDATE job SET status = 'pending', run_at = now() - interval '1 second' WHERE kind = 'billing.push_invoice'")
        .await;
    app.admin_exec(&format!(
        "UPDATE billing_invoice SET stripe_invoice_id = NULL, status = 'pending' WHERE tenant_id = '{}'",
        fx.tenant_a1
    ))
    .await;
    app.admin_exec(&format!(
        "DELETE FROM billing_customer WHERE tenant_id = '{}'",
        fx.tenant_a2
    ))
    .await;
    app.drop_report_jobs().await;
    let ran = worker::run_jobs(&app.db, &job_settings("second-worker"))
        .await
        .expect("jobs");
    assert_eq!(ran, 2);
    for t in [fx.tenant_a1, fx.tenant_a2] {
        let (customers, theirs) = stripe_invoices_of(t).await;
        assert_eq!((customers.len(), theirs.len()), (1, 1), "{t}: {theirs:?}");
    }
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($r: UUID) { invoices(billingRunId: $r) { items { status stripeInvoiceId }} }",
            json!({"r": run}),
        )
        .await;
    assert!(
        data(&r)["invoices"]["items"]
            .as_array()
            .expect("inv")
            .iter()
            .all(|i| i["status"] == json!("open") && i["stripeInvoiceId"].is_string()),
        "{r}"
    );

    // The period is invoiced: a second billing run finds nothing, the allocation is frozen.
    let before = (
        app.count("billing_run").await,
        app.count("billing_invoice").await,
        app.count("job").await,
    );
    let r = app
        .gql(&fx.org_admin_a, "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"Encore\") { id } }", json!({"o": fx.org_a}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($p: UUID!) { runAllocation(poolId: $p) { id } }",
            json!({"p": co.pool}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    assert_eq!(
        before,
        (
            app.count("billing_run").await,
            app.count("billing_invoice").await,
            app.count("job").await
        )
    );

    // A commune sees its own invoice, with its lines explained.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ invoices { items { tenantId amountCents lines }} }",
            json!({}),
        )
        .await;
    let mine = data(&r)["invoices"]["items"]
        .as_array()
        .expect("inv")
        .clone();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["tenantId"], json!(fx.tenant_a1));
    assert!(mine[0]["lines"][0]["explanation"]
        .as_str()
        .is_some_and(|e| e.contains("agents")));
}

fn signed(payload: &str, at: i64, secret: &str) -> String {
    format!(
        "t={at},v1={}",
        tenants::billing::webhook::sign(secret, at, payload.as_bytes())
    )
}

#[tokio::test]
async fn stripe_webhooks_are_verified_deduplicated_and_keep_statuses() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let (_, run) = app
        .billing_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1])
        .await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($r: UUID) { invoices(billingRunId: $r) { items { stripeInvoiceId status }} }",
            json!({"r": run}),
        )
        .await;
    let stripe_id = data(&r)["invoices"]["items"][0]["stripeInvoiceId"]
        .as_str()
        .expect("id")
        .to_owned();
    let post = |payload: String, sig: Option<String>| {
        let app = &app;
        async move {
            let mut req = app
                .http
                .post(format!("{}/webhooks/stripe", app.url))
                .header("content-type", "application/json")
                .body(payload);
            if let Some(s) = sig {
                req = req.header("stripe-signature", s);
            }
            let resp = req.send().await.expect("post");
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let now = chrono::Utc::now().timestamp();
    let paid =
        json!({"id": format!("evt_{}", uuid::Uuid::now_v7().simple()), "type": "invoice.paid",
        "data": {"object": {"id": stripe_id, "object": "invoice", "status": "paid"}}})
        .to_string();
    // Refused: no signature, another secret, five minutes and one second old.
    let (s, a) = post(paid.clone(), None).await;
    assert_eq!((s, &a["error"]["code"]), (400, &json!("bad_signature")));
    let (s, _) = post(paid.clone(), Some(signed(&paid, now, "whsec_other"))).await;
    assert_eq!(s, 400);
    let (s, _) = post(
        paid.clone(),
        Some(signed(&paid, now - 301, TEST_STRIPE_WEBHOOK_SECRET)),
    )
    .await;
    assert_eq!(s, 400);
    let status = || async {
        let r = app
            .gql(
                &fx.commune_admin_a1,
                "{ invoices { items { status }} }",
                json!({}),
            )
            .await;
        data(&r)["invoices"]["items"][0]["status"].clone()
    };
    assert_eq!(status().await, json!("open"));
    // Accepted once; the same event again is acknowledged and ignored. The commune's paid
    // figure changed: its month's report is queued for recomputation in the same transaction.
    app.drop_report_jobs().await;
    let (s, a) = post(
        paid.clone(),
        Some(signed(&paid, now, TEST_STRIPE_WEBHOOK_SECRET)),
    )
    .await;
    assert_eq!((s, &a["updated"]), (200, &json!(1)), "{a}");
    assert_eq!(status().await, json!("paid"));
    let queued = app
        .count_where(
            "job",
            &format!(
                "kind = 'reporting.snapshot' AND tenant_id = '{}'",
                fx.tenant_a1
            ),
        )
        .await;
    assert_eq!(
        queued, 1,
        "one report job for the commune whose invoice was paid"
    );
    let (s, a) = post(
        paid.clone(),
        Some(signed(&paid, now, TEST_STRIPE_WEBHOOK_SECRET)),
    )
    .await;
    assert_eq!((s, &a["duplicate"]), (200, &json!(true)), "{a}");
    let voided = json!({"id": "evt_void_1", "type": "invoice.voided", "data": {"object": {"id": stripe_id}}}).to_string();
    let (s, _) = post(
        voided.clone(),
        Some(signed(&voided, now, TEST_STRIPE_WEBHOOK_SECRET)),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(status().await, json!("void"));
    let junk = "{\"not\": \"an event\"}".to_string();
    let (s, a) = post(
        junk.clone(),
        Some(signed(&junk, now, TEST_STRIPE_WEBHOOK_SECRET)),
    )
    .await;
    assert_eq!((s, &a["error"]["code"]), (400, &json!("malformed_event")));
}

#[tokio::test]
async fn failing_jobs_retry_with_backoff_then_die_visibly_and_can_be_retried() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.cost_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1])
        .await;
    app.billing_identities(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1], "stripe")
        .await;
    let r = app
        .gql(&fx.org_admin_a, "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"2026\") { id } }", json!({"o": fx.org_a}))
        .await;
    data(&r);
    // Stripe unreachable: the job fails, waits (backoff), and is dead after its last attempt.
    let broken = worker::JobSettings {
        worker_id: "broken".into(),
        stripe: Some(std::sync::Arc::new(
            worker::stripe_gateway::AsyncStripe::new(TEST_STRIPE_KEY, Some("http://127.0.0.1:9"))
                .expect("client"),
        )),
        send_invoices: false,
        lease: tenants::jobs::LEASE,
        mailer: None,
        storage: None,
    };
    app.drop_report_jobs().await;
    assert_eq!(worker::run_jobs(&app.db, &broken).await.expect("run"), 1);
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ jobs(kind: \"billing.push_invoice\") { items { status attempts runAt lastError }} }",
            json!({}),
        )
        .await;
    let j = data(&r)["jobs"]["items"][0].clone();
    assert_eq!(
        (j["status"].clone(), j["attempts"].clone()),
        (json!("pending"), json!(1)),
        "{j}"
    );
    assert!(j["lastError"].as_str().is_some_and(|e| !e.is_empty()));
    let run_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(j["runAt"].clone()).expect("time");
    assert!(run_at > chrono::Utc::now(), "retried later, not at once");
    app.drop_report_jobs().await;
    assert_eq!(
        worker::run_jobs(&app.db, &broken).await.expect("run"),
        0,
        "not due yet"
    );
    app.admin_exec(
        "UPDATE job SET attempts = max_attempts - 1, run_at = now() - interval '1 second' WHERE kind = 'billing.push_invoice'",
    )
    .await;
    app.drop_report_jobs().await;
    assert_eq!(worker::run_jobs(&app.db, &broken).await.expect("run"), 1);
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ jobs(status: \"dead\") { items { id kind lastError }} }",
            json!({}),
        )
        .await;
    let dead = data(&r)["jobs"]["items"].as_array().expect("jobs").clone();
    assert_eq!(dead.len(), 1, "{r}");
    assert_eq!(dead[0]["kind"], json!("billing.push_invoice"));
    // A commune administrator does not see the queue.
    let r = app
        .gql(&fx.commune_admin_a1, "{ jobs { items { id }} }", json!({}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"));
    // Retried by the DSI, it completes once Stripe answers.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($id: UUID!) { retryJob(id: $id) { status attempts } }",
            json!({"id": dead[0]["id"]}),
        )
        .await;
    assert_eq!(
        data(&r)["retryJob"],
        json!({"status": "pending", "attempts": 0})
    );
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($id: UUID!) { retryJob(id: $id) { status } }",
            json!({"id": dead[0]["id"]}),
        )
        .await;
    assert_eq!(
        error_code(&r).as_deref(),
        Some("CONFLICT"),
        "only dead jobs: {r}"
    );
    app.drop_report_jobs().await;
    assert_eq!(
        worker::run_jobs(&app.db, &job_settings("good"))
            .await
            .expect("run"),
        1
    );
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ jobs(kind: \"billing.push_invoice\") { items { status }} invoices { items { status }} }",
            json!({}),
        )
        .await;
    assert_eq!(data(&r)["jobs"]["items"][0]["status"], json!("done"));
    assert_eq!(data(&r)["invoices"]["items"][0]["status"], json!("open"));
}

#[tokio::test]
async fn two_workers_never_run_the_same_job() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.cost_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    app.billing_identities(
        &fx.org_admin_a,
        fx.org_a,
        &[fx.tenant_a1, fx.tenant_a2],
        "stripe",
    )
    .await;
    let r = app
        .gql(&fx.org_admin_a, "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"2026\") { id } }", json!({"o": fx.org_a}))
        .await;
    data(&r);
    let now = chrono::Utc::now();
    app.drop_report_jobs().await;
    let (a, b) = tokio::join!(
        tenants::jobs::claim(&app.db, "w1", 1, now, tenants::jobs::LEASE),
        tenants::jobs::claim(&app.db, "w2", 1, now, tenants::jobs::LEASE)
    );
    let (a, b) = (a.expect("claim"), b.expect("claim"));
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_ne!(a[0].id, b[0].id, "one job, one worker");
    assert!(
        tenants::jobs::claim(&app.db, "w3", 10, now, tenants::jobs::LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "leased jobs are not claimed again"
    );
    // A lease that expired (its worker died) is claimed again.
    let later = now + tenants::jobs::LEASE + chrono::Duration::seconds(1);
    let again = tenants::jobs::claim(&app.db, "w3", 10, later, tenants::jobs::LEASE)
        .await
        .expect("claim");
    assert_eq!(
        again
            .iter()
            .filter(|j| j.kind == "billing.push_invoice")
            .count(),
        2
    );
}

/// Starts a 2026 billing run of `communes` without running its jobs.
async fn start_run(app: &TestApp, caller: &Caller, org: uuid::Uuid, communes: &[uuid::Uuid]) {
    app.cost_objects(caller, org, communes).await;
    app.billing_identities(caller, org, communes, "stripe")
        .await;
    let r = app
        .gql(caller, "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"Facturation 2026\") { id } }", json!({"o": org}))
        .await;
    data(&r);
}

/// Pages of one listing of localstripe's customers now.
async fn customer_pages() -> u64 {
    stripe_list("/v1/customers").await.len() as u64 / 100 + 1
}

#[tokio::test]
async fn billing_customers_are_looked_up_once_per_run_for_all_its_communes() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    start_run(
        &app,
        &fx.org_admin_a,
        fx.org_a,
        &[fx.tenant_a1, fx.tenant_a2],
    )
    .await;
    start_run(&app, &fx.org_admin_b, fx.org_b, &[fx.tenant_b1]).await;
    app.drop_report_jobs().await;
    let (proxy, tally) = counting_proxy(&stripe_url()).await;
    let mut settings = job_settings("counted-worker");
    settings.stripe = Some(std::sync::Arc::new(
        worker::stripe_gateway::AsyncStripe::new(TEST_STRIPE_KEY, Some(&proxy)).expect("client"),
    ));
    let ran = worker::run_jobs(&app.db, &settings).await.expect("jobs");
    assert_eq!(ran, 3);
    // Two runs: one listing each, not one per commune.
    let listings = tallied(&tally, "GET /v1/customers");
    assert!(
        listings <= 2 * customer_pages().await,
        "{listings} customer list requests"
    );
    let check = || async {
        for (org, t) in [
            (fx.org_a, fx.tenant_a1),
            (fx.org_a, fx.tenant_a2),
            (fx.org_b, fx.tenant_b1),
        ] {
            let (customers, invoices) = stripe_invoices_of(t).await;
            assert_eq!(
                (customers.len(), invoices.len()),
                (1, 1),
                "{t}: {customers:?}"
            );
            // The recorded customer is the commune's, in its own organisation.
            let recorded = app
                .count_where(
                    "billing_customer",
                    &format!(
                        "tenant_id = '{t}' AND organisation_id = '{org}' AND stripe_customer_id = '{}'",
                        customers[0]["id"].as_str().unwrap_or("?")
                    ),
                )
                .await;
            assert_eq!(recorded, 1, "{t}");
        }
        assert_eq!(app.count("billing_customer").await, 3);
    };
    check().await;

    // Organisation A's customers forgotten here (a crash before they were recorded, a
    // restored database): found again in one listing, not made twice.
    app.admin_exec(&format!(
        "DELETE FROM billing_customer WHERE organisation_id = '{}'",
        fx.org_a
    ))
    .await;
    app.admin_exec(&format!(
        "UPDATE billing_invoice SET stripe_invoice_id = NULL, status = 'pending' WHERE organisation_id = '{}'",
        fx.org_a
    ))
    .await;
    app.admin_exec(&format!("UPDATE job SET status = 'pending', run_at = now() - interval '1 second' WHERE kind = 'billing.push_invoice' AND organisation_id = '{}'", fx.org_a))
        .await;
    app.drop_report_jobs().await;
    let before = tallied(&tally, "GET /v1/customers");
    let ran = worker::run_jobs(&app.db, &settings).await.expect("jobs");
    assert_eq!(ran, 2);
    let listings = tallied(&tally, "GET /v1/customers") - before;
    assert!(
        listings <= customer_pages().await,
        "{listings} customer list requests"
    );
    check().await;
}
