//! Time budgets and graceful shutdown, on the real binary. A call over its budget is answered
//! 503 in French and leaves nothing written. On SIGTERM an export in flight is finished while
//! readiness turns 503; one still running when the grace period ends is answered 503, never
//! cut. A request is held in flight by a table lock taken as the owner: no timer decides what
//! the test sees, only the lock and the signal.
use integration_tests::*;
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
use serde_json::{json, Value};
use std::time::Duration;

/// Locks `table` against every reader until the transaction ends.
async fn lock(app: &TestApp, table: &str) -> DatabaseTransaction {
    let tx = app.admin.begin().await.expect("begin");
    tx.execute_unprepared(&format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        .await
        .expect("lock");
    tx
}

/// Waits until a query of this test's database is blocked on a lock: the request is in flight.
async fn wait_blocked(app: &TestApp) {
    let db = app.testdb.name.clone();
    wait_until(
        "a request blocked on the lock",
        Duration::from_secs(30),
        || {
            let db = db.clone();
            async move {
                app.count(&format!(
                    "pg_stat_activity WHERE datname = '{db}' AND wait_event_type = 'Lock'"
                ))
                .await
                    > 0
            }
        },
    )
    .await;
}

/// The process's exit code, waiting at most `limit`.
async fn exit_code(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

struct Api {
    procs: Processes,
    base: String,
    ops: String,
}

async fn start(app: &TestApp, env: &[(&str, &str)]) -> Api {
    let listen = format!("127.0.0.1:{}", free_port());
    let ops = format!("127.0.0.1:{}", free_port());
    let mut all = vec![
        ("LISTEN_ADDR", listen.as_str()),
        ("MUTUALIS_OPS_LISTEN_ADDR", ops.as_str()),
    ];
    all.extend_from_slice(env);
    let child = app.start_binary(&["serve"], &all);
    let api = Api {
        procs: Processes(vec![child]),
        base: format!("http://{listen}"),
        ops: format!("http://{ops}"),
    };
    app.wait_ready(&api.base).await;
    api
}

fn session(caller: &Caller) -> (String, String) {
    match caller {
        Caller::Session { secret, csrf, .. } => {
            (format!("mutualis_session={secret}"), csrf.clone())
        }
        _ => panic!("a session caller"),
    }
}

fn export_query(tenant: uuid::Uuid) -> String {
    format!("list=activities&format=csv&tenant={tenant}")
}

#[tokio::test]
async fn a_call_over_its_budget_is_answered_503_and_writes_nothing() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let api = start(&app, &[("MUTUALIS_REQUEST_TIMEOUT_SECS", "1")]).await;
    let (cookie, csrf) = session(&fx.commune_admin_a1);
    let create = json!({
        "query": "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"Mme Lente\"}) { id } }",
        "variables": {"t": fx.tenant_a1, "d": chrono::Utc::now().date_naive()},
    });
    let post = || {
        app.http
            .post(format!("{}/graphql", api.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&create)
            .send()
    };

    let held = lock(&app, "gdpr_request").await;
    let resp = post().await.expect("answered");
    assert_eq!(resp.status().as_u16(), 503);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(error_code(&body).as_deref(), Some("TIMEOUT"), "{body}");
    assert_french_errors(&body);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("temps imparti") && m.contains("annulée")),
        "{body}"
    );
    // The insert was waiting behind the lock: released, it must not land.
    held.rollback().await.expect("unlock");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.count_where("gdpr_request", "requester = 'Mme Lente'")
            .await,
        0,
        "a timed-out change is rolled back"
    );

    // Nothing holds the table now: the same call goes through.
    let resp = post().await.expect("answered");
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.expect("JSON");
    assert!(
        body["data"]["createRightsRequest"]["id"].is_string(),
        "{body}"
    );
    assert_eq!(
        app.count_where("gdpr_request", "requester = 'Mme Lente'")
            .await,
        1
    );
    drop(api.procs);
}

#[tokio::test]
async fn an_export_in_flight_at_sigterm_is_finished_while_readiness_turns_503() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.gdpr_objects(&fx.dpo_a, fx.org_a, fx.tenant_a1).await;
    let (expected_status, expected) = app
        .get_as(
            &fx.commune_admin_a1,
            api::http::gdpr_lists::LIST_EXPORT,
            &export_query(fx.tenant_a1),
        )
        .await;
    assert_eq!(expected_status, 200, "{expected}");
    assert!(expected.contains("Cantine scolaire"), "{expected}");

    let mut api = start(&app, &[("MUTUALIS_SHUTDOWN_GRACE_SECS", "60")]).await;
    let (cookie, _) = session(&fx.commune_admin_a1);
    let held = lock(&app, "gdpr_activity").await;
    let export = tokio::spawn({
        let http = app.http.clone();
        let url = format!(
            "{}{}?{}",
            api.base,
            api::http::gdpr_lists::LIST_EXPORT,
            export_query(fx.tenant_a1)
        );
        async move {
            let r = http.get(url).header("cookie", cookie).send().await?;
            let status = r.status().as_u16();
            Ok::<_, reqwest::Error>((status, r.text().await?))
        }
    });
    wait_blocked(&app).await;
    signal(api.procs.0[0].id(), "TERM");

    // Draining: the ops port's readiness says so, and the process is still running.
    let ops = api.ops.clone();
    wait_until(
        "readiness 503 while draining",
        Duration::from_secs(30),
        || {
            let ops = ops.clone();
            async move {
                readyz(&ops)
                    .await
                    .is_some_and(|(s, b, _)| s == 503 && b["status"] == json!("draining"))
            }
        },
    )
    .await;
    assert!(
        api.procs.0[0].try_wait().expect("wait").is_none(),
        "the process waits for its request"
    );

    held.rollback().await.expect("unlock");
    let (status, body) = export.await.expect("joined").expect("the whole answer");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, expected, "the export in flight is finished, whole");
    assert_eq!(
        exit_code(&mut api.procs.0[0], Duration::from_secs(30)).await,
        Some(0),
        "then the process exits cleanly"
    );
}

#[tokio::test]
async fn an_export_still_running_when_the_grace_period_ends_is_answered_503() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let mut api = start(&app, &[("MUTUALIS_SHUTDOWN_GRACE_SECS", "1")]).await;
    let (cookie, _) = session(&fx.commune_admin_a1);
    let held = lock(&app, "gdpr_activity").await;
    let url = format!(
        "{}{}?{}",
        api.base,
        api::http::gdpr_lists::LIST_EXPORT,
        export_query(fx.tenant_a1)
    );
    let export = tokio::spawn({
        let http = app.http.clone();
        async move {
            let r = http.get(url).header("cookie", cookie).send().await?;
            let status = r.status().as_u16();
            let retry = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            Ok::<_, reqwest::Error>((status, retry, r.json::<Value>().await?))
        }
    });
    wait_blocked(&app).await;
    signal(api.procs.0[0].id(), "TERM");

    // The lock is still held: past the grace period the request is refused, whole and clear.
    let (status, retry, body) = export.await.expect("joined").expect("a whole answer");
    assert_eq!(status, 503, "{body}");
    assert_eq!(retry.as_deref(), Some("5"));
    assert_eq!(body["code"], json!("SHUTTING_DOWN"), "{body}");
    let message = body["message"].as_str().expect("message");
    assert_french(message);
    assert!(message.contains("redémarre"), "{message}");
    assert_eq!(
        exit_code(&mut api.procs.0[0], Duration::from_secs(30)).await,
        Some(0)
    );
    held.rollback().await.expect("unlock");
}
