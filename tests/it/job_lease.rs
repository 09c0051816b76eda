//! A worker claims several jobs at once; before running each it renews its lease, and a job
//! another worker took over meanwhile (the first one's lease ran out) is not run twice.
use integration_tests::*;

#[tokio::test]
async fn a_job_taken_over_while_waiting_in_a_batch_is_left_to_its_new_worker() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.admin_exec(&format!(
        "INSERT INTO job (id, organisation_id, tenant_id, kind, payload, dedup_key, status, attempts, max_attempts, run_at, created_at)
         SELECT gen_random_uuid(), '{o}', '{t}', 'test.noop', '{{}}', 'lease-' || i, 'pending', 0, 5, now() - interval '1 minute', now()
         FROM generate_series(1, 3) AS i",
        o = fx.org_a,
        t = fx.tenant_a1
    ))
    .await;
    let lease = chrono::Duration::minutes(5);
    let now = chrono::Utc::now();
    let batch = tenants::jobs::claim(&app.db, "worker-a", 10, now, lease)
        .await
        .expect("claim");
    let ours: Vec<_> = batch.iter().filter(|j| j.kind == "test.noop").collect();
    assert_eq!(ours.len(), 3);
    // worker-a ran the first job so long that its lease on the others ran out...
    app.admin_exec(
        "UPDATE job SET locked_until = now() - interval '1 second' WHERE kind = 'test.noop'",
    )
    .await;
    // ...and worker-b took them over.
    let later = chrono::Utc::now();
    let taken = tenants::jobs::claim(&app.db, "worker-b", 10, later, lease)
        .await
        .expect("claim");
    assert_eq!(taken.iter().filter(|j| j.kind == "test.noop").count(), 3);
    // worker-a's renewal tells it not to run them; worker-b's holds.
    for j in &ours {
        let mine = tenants::jobs::renew(&app.db, j, "worker-a", later, lease)
            .await
            .expect("renew");
        assert!(!mine, "job {} is worker-b's now", j.id);
        assert!(tenants::jobs::renew(&app.db, j, "worker-b", later, lease)
            .await
            .expect("renew"));
    }
    // worker-a's late completion changes nothing; worker-b's lands once.
    tenants::jobs::complete(&app.db, ours[0], "worker-a")
        .await
        .expect("complete");
    assert_eq!(
        app.count_where("job", "kind = 'test.noop' AND status = 'done'")
            .await,
        0
    );
    tenants::jobs::complete(&app.db, ours[0], "worker-b")
        .await
        .expect("complete");
    assert_eq!(
        app.count_where("job", "kind = 'test.noop' AND status = 'done'")
            .await,
        1
    );
    // The renewed lease runs from the renewal, not from the claim.
    assert_eq!(
        app.count_where(
            "job",
            "kind = 'test.noop' AND status = 'running' AND locked_until > now() + interval '4 minutes'"
        )
        .await,
        2
    );
}

/// A worker without Stripe leaves invoice pushes alone (pending, no attempt spent, never dead):
/// another worker with Stripe takes them, at once.
#[tokio::test]
async fn a_worker_without_stripe_leaves_invoice_pushes_pending() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.admin_exec(&format!(
        "INSERT INTO job (id, organisation_id, tenant_id, kind, payload, dedup_key, status, attempts, max_attempts, run_at, created_at)
         VALUES (gen_random_uuid(), '{o}', '{t}', 'billing.push_invoice', '{{}}', 'push-1', 'pending', 0, 5, now() - interval '1 minute', now()),
                (gen_random_uuid(), '{o}', '{t}', 'test.other', '{{}}', 'other-1', 'pending', 0, 5, now() - interval '1 minute', now())",
        o = fx.org_a,
        t = fx.tenant_a1
    ))
    .await;
    let lease = chrono::Duration::minutes(5);
    let skip = [tenants::billing::PUSH_INVOICE];
    let got =
        tenants::jobs::claim_except(&app.db, "no-stripe", 50, chrono::Utc::now(), lease, &skip)
            .await
            .expect("claim");
    assert!(got.iter().any(|j| j.kind == "test.other"));
    assert!(!got.iter().any(|j| j.kind == tenants::billing::PUSH_INVOICE));
    // The whole worker pass, without Stripe: the push is still untouched.
    let settings = worker::JobSettings {
        stripe: None,
        mailer: None,
        ..job_settings("no-stripe")
    };
    worker::run_jobs(&app.db, &settings).await.expect("jobs");
    assert_eq!(
        app.count_where("job", "kind = 'billing.push_invoice' AND status = 'pending' AND attempts = 0 AND last_error IS NULL")
            .await,
        1
    );
    let taken = tenants::jobs::claim(&app.db, "with-stripe", 50, chrono::Utc::now(), lease)
        .await
        .expect("claim");
    assert!(taken
        .iter()
        .any(|j| j.kind == tenants::billing::PUSH_INVOICE));
}
