//! Request size and shape limits: body size on `/graphql`, query depth (aliases and complexity
//! are in graphql_http.rs). A refused request runs nothing.
use integration_tests::*;
use serde_json::json;

/// `{ __schema { types { fields { type { ofType { ofType … } } } } } }` with `n` ofType levels.
fn nested(n: usize) -> String {
    format!(
        "{{ __schema {{ types {{ fields {{ type {{ {}name{} }} }} }} }} }}",
        "ofType { ".repeat(n),
        " }".repeat(n)
    )
}

#[tokio::test]
async fn too_deep_queries_and_too_large_bodies_are_refused_before_anything_runs() {
    let app = spawn_app().await;
    let fx = app.fixture().await;

    let shallow = app.gql(&fx.org_admin_a, &nested(2), json!({})).await;
    assert!(data(&shallow)["__schema"]["types"].is_array(), "{shallow}");
    let deep = app.gql(&fx.org_admin_a, &nested(20), json!({})).await;
    assert_eq!(
        error_code(&deep).as_deref(),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{deep}"
    );
    assert!(deep["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("trop imbriquée"));
    assert!(deep.get("data").is_none_or(|d| d.is_null()), "{deep}");

    // A body over 2 MiB is refused (413) before it is parsed: the mutation in it never runs.
    let before = app.count("gdpr_activity").await;
    let padding = "#".repeat(3 * 1024 * 1024);
    let query = format!(
        "mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {ACTIVITY_INPUT}) {{ id }} }}\n{padding}"
    );
    let Caller::Session { secret, csrf, .. } = &fx.org_admin_a else {
        panic!("session");
    };
    let resp = app
        .http
        .post(format!("{}/graphql", app.url))
        .header("cookie", format!("mutualis_session={secret}"))
        .header("x-csrf-token", csrf.as_str())
        .json(&json!({"query": query, "variables": {"t": fx.tenant_a1}}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(
        app.count("gdpr_activity").await,
        before,
        "nothing was written"
    );
    // The same mutation in a normal body goes through: the refusal was the size.
    let ok = app
        .gql(
            &fx.org_admin_a,
            &format!("mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {ACTIVITY_INPUT}) {{ id }} }}"),
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert!(data(&ok)["createActivity"]["id"].is_string(), "{ok}");
    assert_eq!(app.count("gdpr_activity").await, before + 1);
}
