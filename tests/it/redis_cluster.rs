//! Redis Cluster for the queue's wake-up list: a real local cluster of three redis-server
//! processes (slots spread over them); an API process and a worker process given the three
//! seed nodes in `REDIS_URL`: the API is ready (PING through the cluster), a queued job
//! pushes its wake-up onto the list on whichever node owns the slot, the worker pops it there
//! and does the job.
use integration_tests::*;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_queue_wakes_workers_through_a_redis_cluster() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let dir = std::env::temp_dir().join(format!("mutualis-redis-cluster-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("cluster dir");
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let mut procs = Processes(vec![]);
    for p in &ports {
        procs.0.push(redis_server(
            *p,
            &dir,
            &[
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                &format!("nodes-{p}.conf"),
            ],
        ));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while ports.iter().any(|p| redis_cli(*p, &["PING"]) != "PONG") {
        assert!(Instant::now() < deadline, "redis-server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    let mut create = vec!["--cluster", "create"];
    create.extend(nodes.iter().map(String::as_str));
    create.extend(["--cluster-replicas", "0", "--cluster-yes"]);
    redis_cli(ports[0], &create);
    while !redis_cli(ports[0], &["CLUSTER", "INFO"]).contains("cluster_state:ok") {
        assert!(Instant::now() < deadline, "the cluster did not form");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The slots really are spread: each node owns some.
    for p in &ports {
        let own = redis_cli(*p, &["CLUSTER", "COUNTKEYSINSLOT", "0"]);
        assert!(own.parse::<i64>().is_ok(), "node {p}: {own}");
    }
    let url = ports
        .iter()
        .map(|p| format!("redis://127.0.0.1:{p}"))
        .collect::<Vec<_>>()
        .join(",");

    let (api, base) = app.start_api(&url);
    procs.0.push(api);
    app.wait_ready(&base).await;
    // Under the test's own prefix (MUTUALIS_REDIS_PREFIX), as a second deployment's would be.
    let wake_key = worker::wake_list(&app.testdb.name);
    let wake_len = || redis_cli(ports[0], &["-c", "LLEN", &wake_key]);
    assert_eq!(wake_len(), "0");
    app.drop_report_jobs().await;
    let r = app
        .gql_on(
            &base,
            &fx.dpo_a,
            "mutation($o: UUID!) { refreshConsolidatedReport(organisationId: $o) }",
            json!({"o": fx.org_a}),
        )
        .await;
    assert_eq!(data(&r)["refreshConsolidatedReport"], json!(true));
    assert_eq!(wake_len(), "1", "the wake-up went to the cluster");
    assert_eq!(
        redis_cli(ports[0], &["-c", "LLEN", &worker::wake_list("mutualis")]),
        "0",
        "nothing under the default prefix"
    );

    procs
        .0
        .push(app.start_binary(&["worker"], &[("REDIS_URL", &url)]));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = app
            // The requested job (the worker also schedules its hourly ones, keyed `:h<hour>`).
            .count_where(
                "job",
                "kind = 'reporting.snapshot' AND status = 'done' AND dedup_key NOT LIKE '%:h%'",
            )
            .await;
        if done == 1 && wake_len() == "0" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not take the job ({done} done, wake list {})",
            wake_len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.count_where(
            "report_snapshot",
            &format!("organisation_id = '{}'", fx.org_a)
        )
        .await,
        1
    );
    drop(procs);
    let _ = std::fs::remove_dir_all(&dir);
}
