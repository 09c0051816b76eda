//! Fault: Redis stopped for 60 seconds under a running API process and worker process, on a
//! redis-server of the test's own (the shared one is never touched). Reads and writes keep
//! being answered; every write that queues a job has its row in the job table (the outbox) as
//! it commits; `/readyz` stays 200 and reports Redis unavailable; once redis-server is back on
//! the same port the worker blocks on the wake-up list again and the API pushes wake-ups
//! again; every job is done, each once (one attempt), none lost.
use integration_tests::*;
use serde_json::json;
use std::time::{Duration, Instant};

const OUTAGE: Duration = Duration::from_secs(60);

/// Asks (through the API process at `base`) for the report of `period`: a job due at once.
async fn refresh(app: &TestApp, base: &str, fx: &Fixture, period: &str) {
    let r = app
        .gql_on(
            base,
            &fx.dpo_a,
            "mutation($o: UUID!, $p: String!) { refreshConsolidatedReport(organisationId: $o, period: $p) }",
            json!({"o": fx.org_a, "p": period}),
        )
        .await;
    assert_eq!(data(&r)["refreshConsolidatedReport"], json!(true));
}

/// The period of the i-th report asked for during the test: months of 2001, 2002...
fn period(i: usize) -> String {
    format!("{}-{:02}", 2001 + i / 12, 1 + i % 12)
}

#[tokio::test]
async fn redis_down_for_a_minute_keeps_the_api_answering_and_loses_no_job() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let dir =
        TempDir(std::env::temp_dir().join(format!("mutualis-redis-{}", uuid::Uuid::now_v7())));
    std::fs::create_dir_all(&dir.0).expect("redis dir");
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let mut redis = Processes(vec![redis_server(port, &dir.0, &[])]);
    wait_until("redis-server answers", Duration::from_secs(30), || async {
        redis_cli(port, &["PING"]) == "PONG"
    })
    .await;
    let mut procs = Processes(vec![]);
    let (api, base) = app.start_api(&url);
    procs.0.push(api);
    procs
        .0
        .push(app.start_binary(&["worker"], &[("REDIS_URL", &url)]));
    app.wait_ready(&base).await;
    let (status, body, _) = readyz(&base).await.expect("readyz answers");
    assert_eq!(
        (status, body["redis"].clone()),
        (200, json!("ok")),
        "{body}"
    );
    // The worker waits on the wake-up list (BRPOP), the API pushes to it.
    wait_until(
        "the worker blocks on the wake-up list",
        Duration::from_secs(60),
        || async { redis_cli(port, &["CLIENT", "LIST"]).contains("cmd=brpop") },
    )
    .await;

    let began = Instant::now();
    // Redis dies (SIGKILL: no goodbye to its clients).
    redis.0[0].kill().expect("SIGKILL redis-server");
    redis.0[0].wait().expect("reaped");
    assert_ne!(redis_cli(port, &["PING"]), "PONG", "redis-server is down");
    let down_at = chrono::Utc::now();
    let start = Instant::now();
    let (mut reads, mut writes, mut slowest) = (0, 0, Duration::ZERO);
    let mut asked = 0usize;
    let mut request = None;
    while start.elapsed() < OUTAGE {
        let t = Instant::now();
        // A write the audit trail records: its report recomputation is queued with it.
        let before = chrono::Utc::now().timestamp() / 60;
        let r = app
            .gql_on(
                &base,
                &fx.commune_admin_a1,
                "mutation($t: UUID!, $d: Date!, $who: String!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: $who}) { id } }",
                json!({"t": fx.tenant_a1, "d": chrono::Utc::now().date_naive(), "who": format!("Demandeur {writes}")}),
            )
            .await;
        let id = data(&r)["createRightsRequest"]["id"].clone();
        let after = chrono::Utc::now().timestamp() / 60;
        writes += 1;
        let keys: Vec<String> = (before..=after)
            .map(|m| format!("'reporting.snapshot:{}:{}:%:m{m}'", fx.org_a, fx.tenant_a1))
            .collect();
        assert_eq!(
            app.count_where(
                "job",
                &format!("dedup_key LIKE ANY (ARRAY[{}])", keys.join(","))
            )
            .await,
            1,
            "the change's report job is in the outbox"
        );
        // A write that queues a job to run at once.
        let p = period(asked);
        refresh(&app, &base, &fx, &p).await;
        asked += 1;
        writes += 1;
        assert_eq!(
            app.count_where("job", &format!("payload->>'period' = '{p}'"))
                .await,
            1,
            "the report job of {p} is in the outbox"
        );
        // Reads: what was just written, and who is calling.
        let r = app
            .gql_on(
                &base,
                &fx.commune_admin_a1,
                "query($id: UUID!) { rightsRequest(id: $id) { requester } me { email } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(
            data(&r)["me"]["email"],
            json!("dgs@mairie-compiegne.fr"),
            "{r}"
        );
        reads += 1;
        request = Some(id);
        // Ready all along: the database answers, Redis is reported as down.
        let (status, body, took) = readyz(&base).await.expect("readyz answers");
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["redis"], json!("unavailable"), "{body}");
        slowest = slowest.max(took).max(t.elapsed());
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let during = app
        .count_where("job", &format!("created_at >= '{}'", down_at.to_rfc3339()))
        .await;
    let done_during = app
        .count_where(
            "job",
            &format!(
                "created_at >= '{}' AND status = 'done'",
                down_at.to_rfc3339()
            ),
        )
        .await;
    eprintln!(
        "Redis down {:.0} s: {writes} writes and {reads} reads answered (slowest round {:.2} s), \
         {during} jobs queued in the outbox, {done_during} of them done by the polling worker before Redis came back",
        start.elapsed().as_secs_f64(),
        slowest.as_secs_f64()
    );
    assert!(during >= asked as i64, "{during} jobs queued");
    assert!(request.is_some());
    // Answered, not merely eventually: a round (two writes, a read, a probe) stays well
    // under a minute (the Redis client's reconnection back-off once held a write for two).
    assert!(
        slowest < Duration::from_secs(60),
        "a round took {slowest:?}"
    );

    // Redis is back on the same port.
    redis.0[0] = redis_server(port, &dir.0, &[]);
    wait_until(
        "redis-server answers again",
        Duration::from_secs(30),
        || async { redis_cli(port, &["PING"]) == "PONG" },
    )
    .await;
    wait_until(
        "/readyz reports Redis again",
        Duration::from_secs(60),
        || async {
            readyz(&base)
                .await
                .is_some_and(|(s, b, _)| s == 200 && b["redis"] == json!("ok"))
        },
    )
    .await;
    wait_until(
        "the worker blocks on the wake-up list again",
        Duration::from_secs(60),
        || async { redis_cli(port, &["CLIENT", "LIST"]).contains("cmd=brpop") },
    )
    .await;
    // The API pushes wake-ups again, and the worker takes them.
    let p = period(asked);
    refresh(&app, &base, &fx, &p).await;
    asked += 1;
    assert!(
        redis_cli(port, &["INFO", "commandstats"]).contains("cmdstat_lpush:calls="),
        "the API pushed a wake-up to the restarted Redis"
    );
    wait_until("the wake-up is taken", Duration::from_secs(60), || async {
        redis_cli(port, &["LLEN", &worker::wake_list(&app.testdb.name)]) == "0"
    })
    .await;

    eprintln!(
        "Redis back, worker and API reconnected {:.1} s after it died",
        began.elapsed().as_secs_f64()
    );
    // Every job delivered (the recomputations the last changes queued are due a minute
    // after them), each once.
    wait_until("every job is done", Duration::from_secs(150), || async {
        app.count_where("job", "status <> 'done'").await == 0
    })
    .await;
    eprintln!(
        "every job done {:.1} s after Redis died",
        began.elapsed().as_secs_f64()
    );
    assert_eq!(
        app.count_where("job", "attempts <> 1").await,
        0,
        "a job ran twice"
    );
    for i in 0..asked {
        assert_eq!(
            app.count_where(
                "report_snapshot",
                &format!(
                    "organisation_id = '{}' AND period = '{}'",
                    fx.org_a,
                    period(i)
                )
            )
            .await,
            1,
            "the report of {}",
            period(i)
        );
    }
    // Neither process was restarted.
    for c in &mut procs.0 {
        assert!(c.try_wait().expect("status").is_none(), "a process exited");
    }
}

#[tokio::test]
async fn an_api_started_while_redis_is_down_serves_and_connects_when_it_returns() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let port = free_port();
    let dir = TempDir(std::env::temp_dir().join(format!("{}-late-redis", app.testdb.name)));
    std::fs::create_dir_all(&dir.0).expect("dir");
    // Nothing listens on the port yet: the API starts anyway.
    let (api, base) = app.start_api(&format!("redis://127.0.0.1:{port}"));
    let mut procs = Processes(vec![api]);
    app.wait_ready(&base).await;
    let (status, body, _) = readyz(&base).await.expect("/readyz answers");
    assert_eq!(
        (status, body["redis"].as_str()),
        (200, Some("unavailable")),
        "{body}"
    );
    let r = app
        .gql_on(&base, &fx.commune_admin_a1, "{ me { email } }", json!({}))
        .await;
    assert!(data(&r)["me"]["email"].is_string(), "{r}");

    // Redis arrives: the same process connects and uses it (its rate-limit buckets land there).
    procs.0.push(redis_server(port, &dir.0, &[]));
    wait_until(
        "the API connects to the late Redis",
        Duration::from_secs(60),
        || {
            let base = base.clone();
            async move {
                readyz(&base)
                    .await
                    .is_some_and(|(_, b, _)| b["redis"] == json!("ok"))
            }
        },
    )
    .await;
    let r = app
        .gql_on(&base, &fx.commune_admin_a1, "{ me { email } }", json!({}))
        .await;
    assert!(data(&r)["me"]["email"].is_string(), "{r}");
    let keys = redis_cli(
        port,
        &["--scan", "--pattern", &format!("{}:rl:*", app.testdb.name)],
    );
    assert!(
        !keys.is_empty(),
        "the rate-limit buckets are in the late Redis"
    );
}
