//! Secrets never reach the logs: the real server, logging everything down to `trace` (SQL
//! statements with their values included), is given every kind of secret and credential; none
//! of them may appear in what it wrote, nor in the errors it answered.
use integration_tests::*;
use serde_json::json;

const DB_PASSWORD: &str = "Pg-Passw0rd-must-not-leak";
const OIDC_SECRET: &str = "oidc-client-secret-must-not-leak";
const STRIPE_KEY: &str = "sk_test_stripe_key_must_not_leak";
const STRIPE_WHSEC: &str = "whsec_stripe_webhook_secret_must_not_leak";

#[tokio::test]
async fn no_secret_or_credential_is_logged_or_echoed() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // A token, a session with its CSRF token, and an ingest signing key, all real.
    let far = chrono::Utc::now() + chrono::Duration::days(30);
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!, $t: [UUID!], $e: DateTime!) { createApiToken(input: {organisationId: $o,
               name: \"journal\", role: \"commune_editor\", tenantIds: $t, expiresAt: $e}) { secret } }",
            json!({"o": fx.org_a, "t": [fx.tenant_a1], "e": far}),
        )
        .await;
    let token = data(&r)["createApiToken"]["secret"]
        .as_str()
        .expect("token secret")
        .to_owned();
    let backup = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a1, "srv-mairie")
        .await;
    let Caller::Session { secret, csrf, .. } = &fx.dpo_a else {
        panic!("the DPO logs in with a session");
    };

    // The password is accepted (trust authentication) and so really travels in the URL.
    let db_url =
        app.testdb
            .app_url
            .replacen("mutualis_app@", &format!("mutualis_app:{DB_PASSWORD}@"), 1);
    assert_ne!(db_url, app.testdb.app_url, "the URL carries the password");
    let log_path = std::env::temp_dir().join(format!("{}-trace.log", app.testdb.name));
    let log = std::fs::File::create(&log_path).expect("log file");
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let redis = std::env::var("MUTUALIS_TEST_REDIS_URL").unwrap_or_default();
    let child = app
        .binary_command(
            &["serve"],
            &[
                ("LISTEN_ADDR", &listen),
                ("DATABASE_URL", &db_url),
                ("REDIS_URL", &redis),
                ("OIDC_CLIENT_SECRET", OIDC_SECRET),
                ("STRIPE_SECRET_KEY", STRIPE_KEY),
                ("STRIPE_API_BASE", &stripe_url()),
                ("STRIPE_WEBHOOK_SECRET", STRIPE_WHSEC),
                ("MUTUALIS_STRIPE_SEND_INVOICES", "false"),
                ("RUST_LOG", "trace"),
            ],
        )
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("server starts");
    let mut procs = Processes(vec![child]);
    app.wait_ready(&base).await;

    let mut answers = String::new();
    // The session, on a query and on a mutation (the CSRF header travels).
    answers += &app
        .gql_on(
            &base,
            &fx.dpo_a,
            "{ me { email } tenants { items { id }} }",
            json!({}),
        )
        .await
        .to_string();
    answers += &app
        .gql_on(
            &base,
            &fx.dpo_a,
            "mutation { setAlertDelivery(mode: \"immediate\") }",
            json!({}),
        )
        .await
        .to_string();
    // The token, a wrong token, a wrong CSRF token.
    let t = Caller::Token(token.clone());
    let me = app.gql_on(&base, &t, "{ me { kind } }", json!({})).await;
    assert_eq!(data(&me)["me"]["kind"], "token", "{me}");
    let wrong_token = format!("{token}x");
    answers += &app
        .gql_on(
            &base,
            &Caller::Token(wrong_token.clone()),
            "{ me { kind } }",
            json!({}),
        )
        .await
        .to_string();
    let bad_csrf = Caller::Session {
        secret: secret.clone(),
        csrf: format!("{csrf}0"),
        email: "dpo".into(),
    };
    answers += &app
        .gql_on(
            &base,
            &bad_csrf,
            "mutation { setAlertDelivery(mode: \"digest\") }",
            json!({}),
        )
        .await
        .to_string();
    // A signed backup report and one with a bad signature.
    for signature in [None, Some("v1=00")] {
        let body = json!({"id": format!("log-{}", signature.is_some()), "policy": "Serveur mairie",
            "status": "success", "finished_at": chrono::Utc::now(), "bytes_added": 1, "stored_bytes": 2})
        .to_string();
        let ts = chrono::Utc::now().timestamp();
        let sig = signature.map(str::to_owned).unwrap_or_else(|| {
            tenants::backups::ingest::sign(&backup.signing_key, ts, body.as_bytes())
        });
        let resp = app
            .http
            .post(format!("{base}/webhooks/backups"))
            .header("x-mutualis-token", &backup.token_id)
            .header("x-mutualis-timestamp", ts.to_string())
            .header("x-mutualis-signature", sig)
            .body(body)
            .send()
            .await
            .expect("webhook");
        answers += &resp.text().await.expect("answer");
    }
    // A Stripe event signed with the real secret, and one with a made-up one.
    for key in [STRIPE_WHSEC, "whsec_other"] {
        let payload = json!({"id": "evt_log", "type": "customer.created", "data": {"object": {}}})
            .to_string();
        let at = chrono::Utc::now().timestamp();
        let header = format!(
            "t={at},v1={}",
            tenants::billing::webhook::sign(key, at, payload.as_bytes())
        );
        let resp = app
            .http
            .post(format!("{base}/webhooks/stripe"))
            .header("stripe-signature", header)
            .body(payload)
            .send()
            .await
            .expect("stripe webhook");
        answers += &resp.text().await.expect("answer");
    }
    // Logging out ends the session (its secret goes through the DELETE).
    let out = app
        .http
        .post(format!("{base}/auth/logout"))
        .header("cookie", format!("mutualis_session={secret}"))
        .header("x-csrf-token", csrf.as_str())
        .send()
        .await
        .expect("logout");
    assert!(out.status().is_redirection() || out.status().is_success());

    // Let the process flush, then stop it.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(procs.0.pop().map(|mut c| {
        let _ = c.kill();
        c.wait()
    }));
    let written = std::fs::read_to_string(&log_path).expect("log read");
    let _ = std::fs::remove_file(&log_path);

    // The log is real and detailed: requests, who made them, SQL.
    assert!(written.len() > 10_000, "trace log too short: {written}");
    assert!(written.contains("/graphql"), "requests are logged");
    assert!(written.contains("principal"), "principals are logged");
    assert!(
        written.contains("SELECT") || written.contains("select"),
        "SQL statements are logged at trace"
    );
    let secrets = [
        ("database password", DB_PASSWORD.to_owned()),
        ("OIDC client secret", OIDC_SECRET.to_owned()),
        ("Stripe secret key", STRIPE_KEY.to_owned()),
        ("Stripe webhook secret", STRIPE_WHSEC.to_owned()),
        ("ingest secret", TEST_INGEST_SECRET.to_owned()),
        ("ingest signing key", backup.signing_key.clone()),
        ("API token", token.clone()),
        ("made-up API token", wrong_token),
        ("session secret", secret.clone()),
        ("CSRF token", csrf.clone()),
    ];
    for (what, value) in &secrets {
        // Also a telling part of it: a secret cut in two is still a leak.
        let part = &value[..value.len().min(24)];
        let line = written.lines().find(|l| l.contains(part));
        assert!(
            line.is_none(),
            "the {what} is in the log: {}",
            line.unwrap_or_default().replace(part, "<SECRET>")
        );
        assert!(
            !answers.contains(part),
            "the {what} is in an answer: {answers}"
        );
    }
}
