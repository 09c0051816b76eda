//! The worker is visible (issue 25): `mutualis worker` with an ops port answers health and
//! readiness, and its Prometheus figures move when jobs run and fail: jobs by kind and outcome,
//! jobs per kind and status from the table, the age of the oldest ready job. The API's metrics
//! leave the public port for the ops port.
use integration_tests::*;
use std::time::{Duration, Instant};

/// The value of the first sample of `name` carrying every label of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            (l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
                && labels.iter().all(|x| l.contains(x))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn get(http: &reqwest::Client, url: &str) -> (u16, String) {
    match http.get(url).send().await {
        Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
        Err(_) => (0, String::new()),
    }
}

#[tokio::test]
async fn the_worker_ops_port_shows_jobs_running_and_failing() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.drop_report_jobs().await;
    // Two reports to make, a job of a kind no worker knows (dead at its first failure), and an
    // invoice push an hour overdue that this worker, without Stripe, leaves waiting.
    app.admin_exec(&format!(
        "INSERT INTO job (id, organisation_id, tenant_id, kind, payload, dedup_key, status, attempts,
           max_attempts, run_at, created_at)
         SELECT gen_random_uuid(), t.organisation_id, t.id, k.kind, k.payload::json, k.key, 'pending', 0,
           k.max, now() + k.delay::interval, now()
         FROM tenant t, (VALUES
           ('reporting.snapshot', '{{\"organisationId\": \"{org}\", \"period\": \"2001-01\"}}', 'ops-1', 8, '0 s'),
           ('reporting.snapshot', '{{\"organisationId\": \"{org}\", \"period\": \"2001-02\"}}', 'ops-2', 8, '0 s'),
           ('ops.unknown', '{{}}', 'ops-3', 1, '0 s'),
           ('billing.push_invoice', '{{}}', 'ops-4', 8, '-1 hour')
         ) AS k(kind, payload, key, max, delay)
         WHERE t.organisation_id = '{org}' AND t.kind = 'organisation'",
        org = fx.org_a
    ))
    .await;

    let ops = format!("127.0.0.1:{}", free_port());
    let _worker = Processes(vec![app.start_binary(
        &["worker"],
        &[
            ("MUTUALIS_OPS_LISTEN_ADDR", &ops),
            ("REDIS_URL", app.config.redis_url.as_deref().unwrap_or("")),
        ],
    )]);
    let http = reqwest::Client::new();
    // Generous: the machine may be busy (the figures, not the time, are what is checked).
    let deadline = Instant::now() + Duration::from_secs(180);
    let metrics = loop {
        let (status, text) = get(&http, &format!("http://{ops}/metrics")).await;
        let done = sample(
            &text,
            "mutualis_worker_jobs_total",
            &["kind=\"reporting.snapshot\"", "outcome=\"done\""],
        );
        let failed = sample(
            &text,
            "mutualis_worker_jobs_total",
            &["kind=\"ops.unknown\"", "outcome=\"failed\""],
        );
        // The worker may schedule reports of its own at start: at least the two inserted.
        if status == 200 && done.is_some_and(|n| n >= 2.0) && failed == Some(1.0) {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "the figures did not move: {status} {text}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    // The job table as the scrape read it.
    assert_eq!(
        sample(
            &metrics,
            "mutualis_jobs",
            &["kind=\"ops.unknown\"", "status=\"dead\""]
        ),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "mutualis_jobs",
            &["kind=\"billing.push_invoice\"", "status=\"pending\""]
        ),
        Some(1.0)
    );
    let age = sample(&metrics, "mutualis_jobs_oldest_ready_age_seconds", &[]).expect("age");
    assert!(
        (3600.0..7200.0).contains(&age),
        "oldest ready job age {age}"
    );
    assert_eq!(
        sample(
            &metrics,
            "mutualis_worker_job_duration_seconds_count",
            &["kind=\"reporting.snapshot\""]
        ),
        sample(
            &metrics,
            "mutualis_worker_jobs_total",
            &["kind=\"reporting.snapshot\"", "outcome=\"done\""]
        ),
        "one duration a job: {metrics}"
    );
    assert_eq!(
        sample(&metrics, "mutualis_build_info", &["role=\"worker\""]),
        Some(1.0)
    );
    assert!(sample(&metrics, "process_resident_memory_bytes", &[]).is_some_and(|b| b > 1e6));
    assert!(sample(&metrics, "mutualis_worker_heartbeat_timestamp_seconds", &[]).is_some());

    let (status, body) = get(&http, &format!("http://{ops}/healthz")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");
    let (status, body) = get(&http, &format!("http://{ops}/readyz")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn with_an_ops_port_the_api_serves_metrics_there_only() {
    let app = spawn_app().await;
    let port = free_port();
    let ops = format!("127.0.0.1:{}", free_port());
    let listen = format!("127.0.0.1:{port}");
    let _api = Processes(vec![app.start_binary(
        &["serve"],
        &[
            ("LISTEN_ADDR", &listen),
            ("MUTUALIS_OPS_LISTEN_ADDR", &ops),
            ("REDIS_URL", app.config.redis_url.as_deref().unwrap_or("")),
        ],
    )]);
    let base = format!("http://{listen}");
    app.wait_ready(&base).await;
    let http = reqwest::Client::new();
    let (status, _) = get(&http, &format!("{base}/metrics")).await;
    assert_eq!(status, 404, "metrics left the public port");
    let (status, text) = get(&http, &format!("http://{ops}/metrics")).await;
    assert_eq!(status, 200);
    assert_eq!(
        sample(&text, "mutualis_build_info", &["role=\"api\""]),
        Some(1.0),
        "{text}"
    );
    assert!(sample(&text, "process_open_fds", &[]).is_some_and(|n| n > 0.0));
    let (status, _) = get(&http, &format!("http://{ops}/healthz")).await;
    assert_eq!(status, 200);
}
