//! Several API processes and several worker processes against one PostgreSQL and one Redis:
//! a session opened anywhere is valid on every API process (and closed everywhere), a write
//! through one is read through another, and jobs are each done once, by whichever worker
//! claims them first, none lost.
use integration_tests::*;
use serde_json::json;
use std::time::{Duration, Instant};

const JOBS: i64 = 120;

#[tokio::test]
async fn several_api_and_worker_processes_share_sessions_and_do_every_job_once() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let mut procs = Processes(vec![]);
    let mut apis = vec![app.url.clone()];
    let redis = app.config.redis_url.clone().unwrap_or_default();
    for _ in 0..2 {
        let (child, url) = app.start_api(&redis);
        procs.0.push(child);
        apis.push(url);
    }
    // Ready: the database (and Redis) answer on every process.
    for api in &apis[1..] {
        app.wait_ready(api).await;
    }

    // One session, every process: the same person; a write through one, read through another.
    for api in &apis {
        let r = app
            .gql_on(api, &fx.commune_admin_a1, "{ me { email } }", json!({}))
            .await;
        assert_eq!(
            data(&r)["me"]["email"],
            json!("dgs@mairie-compiegne.fr"),
            "{api}"
        );
    }
    let r = app
        .gql_on(
            &apis[1],
            &fx.commune_admin_a1,
            "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"Mme Martin\"}) { id } }",
            json!({"t": fx.tenant_a1, "d": chrono::Utc::now().date_naive()}),
        )
        .await;
    let id = data(&r)["createRightsRequest"]["id"].clone();
    let r = app
        .gql_on(
            &apis[2],
            &fx.commune_admin_a1,
            "query($id: UUID!) { rightsRequest(id: $id) { requester } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data(&r)["rightsRequest"]["requester"], json!("Mme Martin"));
    // Logged out through one process: refused by the others.
    let Caller::Session { secret, csrf, .. } = &fx.commune_admin_a1 else {
        panic!("a session caller");
    };
    let resp = app
        .http
        .post(format!("{}/auth/logout", apis[2]))
        .header("cookie", format!("mutualis_session={secret}"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .expect("logout");
    assert!(resp.status().is_redirection() || resp.status().is_success());
    // Each process keeps the callers it resolved and drops them once the credentials' version
    // moves: within a second (the wait is bounded at five).
    for api in &apis {
        let (app, caller) = (&app, &fx.commune_admin_a1);
        wait_until(
            &format!("{api} refuses the closed session"),
            Duration::from_secs(5),
            move || async move {
                let r = app.gql_on(api, caller, "{ me { email } }", json!({})).await;
                error_code(&r).as_deref() == Some("UNAUTHENTICATED")
            },
        )
        .await;
    }

    // Two worker processes, idle, then 120 report jobs at once.
    procs
        .0
        .push(app.start_binary(&["worker"], &[("REDIS_URL", &redis)]));
    procs
        .0
        .push(app.start_binary(&["worker"], &[("REDIS_URL", &redis)]));
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.drop_report_jobs().await;
    app.admin_exec(&format!(
        "INSERT INTO job (id, organisation_id, tenant_id, kind, payload, dedup_key, status, attempts,
           max_attempts, run_at, created_at)
         SELECT gen_random_uuid(), t.organisation_id, t.id, 'reporting.snapshot',
           json_build_object('organisationId', t.organisation_id, 'period',
             to_char(date '2020-01-01' + (i || ' months')::interval, 'YYYY-MM')),
           'scale-test-' || i, 'pending', 0, 8, now(), now()
         FROM generate_series(1, {JOBS}) i
         JOIN tenant t ON t.organisation_id = '{}' AND t.kind = 'organisation'",
        fx.org_a
    ))
    .await;
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let left = app
            .count_where("job", "dedup_key LIKE 'scale-test-%' AND status <> 'done'")
            .await;
        if left == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{left} jobs still not done after 3 minutes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Done once each: a job claimed twice would show two attempts; every month got its report.
    assert_eq!(
        app.count_where(
            "job",
            "dedup_key LIKE 'scale-test-%' AND status = 'done' AND attempts = 1"
        )
        .await,
        JOBS
    );
    assert_eq!(
        app.count_where(
            "report_snapshot",
            &format!("organisation_id = '{}'", fx.org_a)
        )
        .await,
        JOBS
    );
    let workers = app
        .count("(SELECT DISTINCT locked_by FROM job WHERE dedup_key LIKE 'scale-test-%') w")
        .await;
    assert_eq!(workers, 2, "both worker processes took jobs");
}
