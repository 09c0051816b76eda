//! Rate limits (per principal, per anonymous address, per ingest token) shared by every API
//! process through Redis, local buckets without Redis, and the lockout of an address that keeps
//! presenting made-up credentials.
use api::http::limits::{Quota, RateLimits};
use integration_tests::*;
use serde_json::{json, Value};

/// One GraphQL POST: (status, Retry-After, body), whatever the status.
async fn post(
    app: &TestApp,
    base: &str,
    caller: &Caller,
    forwarded_for: Option<&str>,
) -> (u16, Option<String>, Value) {
    let mut req = app
        .http
        .post(format!("{base}/graphql"))
        .json(&json!({"query": "{ me { email } }"}));
    req = match caller {
        Caller::Session { secret, csrf, .. } => req
            .header("cookie", format!("mutualis_session={secret}"))
            .header("x-csrf-token", csrf),
        Caller::Token(t) => req.bearer_auth(t),
        Caller::Anonymous => req,
    };
    if let Some(ip) = forwarded_for {
        req = req.header("x-forwarded-for", ip);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = resp.json().await.expect("JSON body");
    assert_french_errors(&body);
    (status, retry, body)
}

fn limits(per_minute: u32, burst: u32) -> RateLimits {
    RateLimits {
        principal: Quota { per_minute, burst },
        ..RateLimits::default()
    }
}

#[tokio::test]
async fn a_principals_requests_are_counted_across_api_processes() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let redis = std::env::var("MUTUALIS_TEST_REDIS_URL").expect("tests/run sets the Redis URL");
    let env = [
        ("LISTEN_ADDR", ""),
        ("REDIS_URL", redis.as_str()),
        ("MUTUALIS_RATE_LIMIT_PER_MINUTE", "60"),
        ("MUTUALIS_RATE_LIMIT_BURST", "5"),
    ];
    let mut procs = Processes(vec![]);
    let mut bases = vec![];
    for _ in 0..2 {
        let listen = format!("127.0.0.1:{}", free_port());
        let mut e = env;
        e[0].1 = &listen;
        procs.0.push(app.start_binary(&["serve"], &e));
        bases.push(format!("http://{listen}"));
        app.wait_ready(bases.last().expect("base")).await;
    }
    // Five requests, alternately on each process, fill the bucket of one user...
    for i in 0..5 {
        let (s, _, body) = post(&app, &bases[i % 2], &fx.commune_admin_a1, None).await;
        assert_eq!(s, 200, "request {i}: {body}");
        assert!(data(&body)["me"]["email"].is_string(), "{body}");
    }
    // ...so the sixth is refused on either process, with when to retry.
    for base in &bases {
        let (s, retry, body) = post(&app, base, &fx.commune_admin_a1, None).await;
        assert_eq!(s, 429, "{body}");
        assert_eq!(error_code(&body).as_deref(), Some("RATE_LIMITED"), "{body}");
        assert_eq!(retry.as_deref(), Some("1"), "one request a second refills");
        assert_eq!(body["errors"][0]["extensions"]["retryAfterSecs"], json!(1));
    }
    // Another user of the same commune is not slowed by the first.
    let (s, _, body) = post(&app, &bases[1], &fx.editor_a2, None).await;
    assert_eq!(s, 200, "{body}");
    // The bucket refills at its rate.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (s, _, body) = post(&app, &bases[0], &fx.commune_admin_a1, None).await;
    assert_eq!(s, 200, "{body}");
    let refused = app
        .http
        .get(format!("{}/metrics", bases[0]))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        refused.contains("mutualis_rate_limited_total{bucket=\"principal\"}"),
        "refusals are counted in /metrics"
    );
}

#[tokio::test]
async fn without_redis_each_process_keeps_its_own_limits() {
    let app = spawn_app_with(AppOptions {
        no_redis: true,
        rate_limits: Some(limits(60, 3)),
        ..AppOptions::default()
    })
    .await;
    let fx = app.fixture().await;
    let statuses = |n| {
        let (app, who) = (&app, &fx.dpo_a);
        async move {
            let mut v = vec![];
            for _ in 0..n {
                v.push(post(app, &app.url, who, None).await.0);
            }
            v
        }
    };
    assert_eq!(statuses(4).await, vec![200, 200, 200, 429]);
    // Anonymous callers are counted by address (they get UNAUTHENTICATED until the limit).
    let mut anon = vec![];
    for _ in 0..4 {
        let (s, _, body) = post(&app, &app.url, &Caller::Anonymous, None).await;
        anon.push((s, error_code(&body)));
    }
    let unauth = Some("UNAUTHENTICATED".to_owned());
    let limited = Some("RATE_LIMITED".to_owned());
    assert_eq!(
        anon,
        vec![
            (200, unauth.clone()),
            (200, unauth.clone()),
            (200, unauth),
            (429, limited)
        ]
    );
}

/// Issue 18, finding 9: thirty made-up tokens locked out every valid session on the address (a
/// town hall behind one NAT shut out by one machine). Now only the guessing is refused.
#[tokio::test]
async fn an_address_presenting_made_up_credentials_is_slowed_and_its_valid_sessions_are_not() {
    let app = spawn_app_with(AppOptions {
        rate_limits: Some(RateLimits {
            auth_failures: Quota {
                per_minute: 1,
                burst: 5,
            },
            trusted_proxy_hops: 1,
            ..RateLimits::default()
        }),
        ..AppOptions::default()
    })
    .await;
    let fx = app.fixture().await;
    let attacker = Some("203.0.113.7");
    for i in 0..5 {
        let guess = Caller::Token(format!("mut_guess{i:040}"));
        let (s, _, body) = post(&app, &app.url, &guess, attacker).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(error_code(&body).as_deref(), Some("UNAUTHENTICATED"));
    }
    // The next guess from that address waits, and the answer says so...
    let guess = Caller::Token(format!("mut_guess{:040}", 5));
    let (s, retry, body) = post(&app, &app.url, &guess, attacker).await;
    assert_eq!(
        (s, error_code(&body).as_deref()),
        (429, Some("RATE_LIMITED"))
    );
    assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|n| n >= 1)));
    // ...while the valid sessions and tokens of the same address go on.
    for caller in [&fx.org_admin_a, &fx.editor_a2] {
        let (s, _, body) = post(&app, &app.url, caller, attacker).await;
        assert_eq!(s, 200, "{body}");
        assert!(data(&body)["me"].is_object());
    }
    // Another address behind the same proxy may guess within its own allowance.
    let (s, _, body) = post(&app, &app.url, &guess, Some("198.51.100.9")).await;
    assert_eq!(
        (s, error_code(&body).as_deref()),
        (200, Some("UNAUTHENTICATED"))
    );
    // An address cannot clear its record by claiming another one: only the proxy's entry counts.
    let spoofed = Some("198.51.100.9, 203.0.113.7");
    let (s, _, _) = post(&app, &app.url, &guess, spoofed).await;
    assert_eq!(s, 429);

    // A dead session cookie is cleared, so a browser stops presenting it.
    let resp = app
        .http
        .post(format!("{}/graphql", app.url))
        .header(
            "cookie",
            "mutualis_session=ses_0000000000000000000000000000",
        )
        .header("x-forwarded-for", "192.0.2.44")
        .json(&json!({"query": "{ me { email } }"}))
        .send()
        .await
        .expect("request");
    let cleared = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("mutualis_session=;") && c.contains("Max-Age=0"));
    assert!(cleared, "the unknown session's cookie is cleared");

    // The backup webhook: unknown tokens count against the address the same way.
    let webhook = |ip: &'static str, token: String| {
        let app = &app;
        async move {
            app.post_backup_raw(
                &[("x-mutualis-token", token), ("x-forwarded-for", ip.into())],
                b"{}".to_vec(),
            )
            .await
            .0
        }
    };
    for _ in 0..5 {
        assert_eq!(
            webhook("192.0.2.50", format!("ing_{}", "A".repeat(43))).await,
            401
        );
    }
    assert_eq!(
        webhook("192.0.2.50", format!("ing_{}", "B".repeat(43))).await,
        429
    );
    assert_eq!(
        webhook("192.0.2.51", format!("ing_{}", "B".repeat(43))).await,
        401
    );
}

#[tokio::test]
async fn every_delivery_of_an_ingest_token_counts_against_it() {
    let app = spawn_app_with(AppOptions {
        rate_limits: Some(RateLimits {
            ingest_token: Quota {
                per_minute: 1,
                burst: 3,
            },
            ..RateLimits::default()
        }),
        ..AppOptions::default()
    })
    .await;
    let fx = app.fixture().await;
    // backup_objects delivers one report (accepted) with each token.
    let a1 = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a1, "srv-mairie")
        .await;
    let a2 = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a2, "srv-margny")
        .await;
    let deliver = |ids: &BackupIds, run: &str| {
        let body = json!({"id": run, "policy": "Serveur mairie", "status": "success",
            "finished_at": chrono::Utc::now(), "bytes_added": 1, "stored_bytes": 2});
        let (token_id, signing_key) = (ids.token_id.clone(), ids.signing_key.clone());
        let app = &app;
        async move {
            app.post_backup(&Delivery {
                token_id: &token_id,
                signing_key: &signing_key,
                body: body.to_string().into_bytes(),
                timestamp: chrono::Utc::now().timestamp(),
            })
            .await
        }
    };
    assert_eq!(deliver(&a1, "r1").await.0, 202);
    // A refused delivery (a replayed id) counts too.
    assert_eq!(deliver(&a1, "r1").await.0, 409);
    let (s, answer) = deliver(&a1, "r2").await;
    assert_eq!(s, 429, "{answer}");
    assert_eq!(answer["code"], json!("RATE_LIMITED"));
    let jobs = app.count("backup_job").await;
    // Another commune's token is not slowed, and the refused report wrote nothing.
    assert_eq!(deliver(&a2, "r2").await.0, 202);
    assert_eq!(app.count("backup_job").await, jobs + 1);
}
