//! GraphQL over HTTP behaviour: limits, codes, GET rules, probes and metrics.
use integration_tests::*;
use serde_json::json;

#[tokio::test]
async fn anonymous_calls_get_unauthenticated_and_limits_hold() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let anon = app
        .gql(&Caller::Anonymous, "{ tenants { id } }", json!({}))
        .await;
    assert_eq!(error_code(&anon).as_deref(), Some("UNAUTHENTICATED"));

    let aliases: String = (0..31).map(|i| format!("a{i}: me {{ email }} ")).collect();
    let r = app
        .gql(&fx.org_admin_a, &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(
        error_code(&r).as_deref(),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{r}"
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("aliases"),
        "{r}"
    );

    let deep = "{ people { memberships { tenant { id } } } organisations { tenants { id } } }";
    data(&app.gql(&fx.org_admin_a, deep, json!({})).await);
    // Complexity: a thousand fields in one request are refused before anything runs.
    let heavy = format!("{{ tenants {{ {} }} }}", "id name ".repeat(600));
    let r = app.gql(&fx.org_admin_a, &heavy, json!({})).await;
    assert_eq!(
        error_code(&r).as_deref(),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{r}"
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("omplex"),
        "{r}"
    );

    let r = app
        .gql(
            &fx.org_admin_a,
            "{ tenants(first: 100000) { id } }",
            json!({}),
        )
        .await;
    assert!(r["errors"].is_array(), "page size is bounded: {r}");
    let r = app.gql(&fx.org_admin_a, "{ nope }", json!({})).await;
    assert_eq!(error_code(&r).as_deref(), Some("GRAPHQL_VALIDATION_FAILED"));
}

#[tokio::test]
async fn get_serves_queries_and_refuses_mutations() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let Caller::Session { secret, .. } = &fx.org_admin_a else {
        unreachable!()
    };
    let get = |q: &str| {
        app.http
            .get(format!("{}/graphql", app.url))
            .query(&[("query", q)])
            .header("cookie", format!("mutualis_session={secret}"))
            .send()
    };
    let ok = get("{ tenants(first: 2) { name } }").await.expect("get");
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.expect("json");
    assert_eq!(body["data"]["tenants"].as_array().map(Vec::len), Some(2));
    let m = get("mutation { revokeApiToken(id: \"00000000-0000-0000-0000-000000000000\") { id } }")
        .await
        .expect("get");
    assert_eq!(m.status(), 405);
}

#[tokio::test]
async fn a_cookie_session_needs_its_csrf_token_to_post() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let Caller::Session {
        secret,
        csrf,
        email,
    } = fx.org_admin_a.clone()
    else {
        unreachable!()
    };
    let forged = Caller::Session {
        secret: secret.clone(),
        csrf: "wrong".into(),
        email,
    };
    let r = app.gql(&forged, "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&r).as_deref(), Some("UNAUTHENTICATED"));
    assert!(r["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("CSRF"));
    // Logout also needs it, then the session is gone.
    let resp = app
        .http
        .post(format!("{}/auth/logout", app.url))
        .header("cookie", format!("mutualis_session={secret}"))
        .send()
        .await
        .expect("logout");
    assert_eq!(resp.status(), 403);
    let resp = app
        .http
        .post(format!("{}/auth/logout", app.url))
        .header("cookie", format!("mutualis_session={secret}"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("logout");
    assert_eq!(resp.status(), 303);
    let cleared = resp.headers()["set-cookie"].to_str().expect("cookie");
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("HttpOnly"),
        "{cleared}"
    );
    let after = app
        .gql(&fx.org_admin_a, "{ me { email } }", json!({}))
        .await;
    assert_eq!(error_code(&after).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn probes_and_metrics() {
    let app = spawn_app().await;
    let h = app
        .http
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .expect("healthz");
    assert_eq!(h.text().await.expect("body"), "ok");
    let r = app
        .http
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["database"], "ok");
    if std::env::var("MUTUALIS_TEST_REDIS_URL").is_ok() {
        assert_eq!(body["redis"], "ok");
    }
    let id = r#"x-request-id"#;
    let resp = app
        .http
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .expect("healthz");
    assert!(resp.headers().get(id).is_some(), "request id echoed");
    let m = app
        .http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .expect("metrics");
    let text = m.text().await.expect("body");
    assert!(
        text.contains("http_requests_total") && text.contains("path=\"/healthz\""),
        "{text}"
    );
}
