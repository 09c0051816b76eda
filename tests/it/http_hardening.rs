//! What every answer carries and what the server serves of itself (issue 18, findings 5 and 6):
//! security headers, a console and explorer with no inline script and nothing from a CDN, the
//! explorer only when configured on.
use integration_tests::*;

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .expect("request")
}

/// `<script` tags of an HTML page that have no `src`: inline scripts.
fn inline_scripts(html: &str) -> usize {
    html.split("<script")
        .skip(1)
        .filter(|tag| !tag.split('>').next().unwrap_or_default().contains("src="))
        .count()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/registre",
        "/graphql?query=%7B__typename%7D",
        "/healthz",
        "/auth/session",
        "/public/registre/nowhere",
        "/exports/verify",
        "/nowhere.png",
    ] {
        let r = get(&app, path).await;
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{path}: no Content-Security-Policy"));
        let script = csp.split(';').find(|d| d.trim().starts_with("script-src"));
        assert!(
            script.is_some_and(|d| d.trim() == "script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("object-src 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        // The test server is plain http: no HSTS (the https case is a unit test).
        assert!(h.get("strict-transport-security").is_none(), "{path}");
    }
    // The console's page runs no inline script, so the policy does not break it.
    let html = get(&app, "/").await.text().await.expect("html");
    assert!(html.contains("<div id=\"root\">"), "{html}");
    assert_eq!(inline_scripts(&html), 0, "{html}");
}

#[tokio::test]
async fn the_graphql_explorer_is_served_from_here_and_only_when_configured_on() {
    let off = spawn_app().await;
    for path in ["/graphiql", "/graphiql/explorer.js"] {
        assert_eq!(get(&off, path).await.status(), 404, "{path}");
    }
    let session: serde_json::Value = get(&off, "/auth/session").await.json().await.expect("json");
    assert_eq!(session["graphqlExplorer"], false);

    let on = spawn_app_with(AppOptions {
        graphql_explorer: true,
        ..AppOptions::default()
    })
    .await;
    let page = get(&on, "/graphiql").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert_eq!(inline_scripts(&html), 0, "{html}");
    let mut code = html.clone();
    for path in ["/graphiql/explorer.js", "/graphiql/explorer.css"] {
        let r = get(&on, path).await;
        assert_eq!(r.status(), 200, "{path}");
        code.push_str(&r.text().await.expect("text"));
    }
    // Nothing is loaded from elsewhere (it was React and GraphiQL from unpkg.com).
    assert!(!code.contains("://") && !code.contains("unpkg"), "{code}");
    let sdl = get(&on, "/graphiql/schema.graphql").await;
    assert_eq!(sdl.status(), 200);
    assert!(sdl.text().await.expect("sdl").contains("type Query"));
}

/// Issue 18 (to decide): the session row held the CSRF token and the provider's ID token in
/// clear. Now it holds the cookie secret's hash and nothing else secret; the CSRF token is
/// derived from the cookie and still works.
#[tokio::test]
async fn a_session_row_holds_no_secret_in_clear() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let Caller::Session { secret, csrf, .. } = &fx.dpo_a else {
        panic!("session")
    };
    let columns: Vec<String> = app
        .admin
        .query_all(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'session' ORDER BY column_name",
        ))
        .await
        .expect("columns")
        .into_iter()
        .filter_map(|r| r.try_get::<String>("", "column_name").ok())
        .collect();
    assert_eq!(
        columns,
        ["created_at", "expires_at", "id_hash", "method", "user_id"],
        "no CSRF token nor ID token column"
    );
    let hash = tenants::secrets::sha256_hex(secret);
    assert_eq!(
        app.count_where("session", &format!("id_hash = '{hash}'"))
            .await,
        1
    );
    // The token the console reads is the one the server checks.
    let session: serde_json::Value = app
        .http
        .get(format!("{}/auth/session", app.url))
        .header("cookie", format!("mutualis_session={secret}"))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    assert_eq!(session["csrfToken"].as_str(), Some(csrf.as_str()));
    data(
        &app.gql(
            &fx.dpo_a,
            "mutation { setAlertDelivery(mode: \"digest\") }",
            serde_json::json!({}),
        )
        .await,
    );
}
