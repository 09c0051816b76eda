//! GraphQL over HTTP behaviour: limits, codes, GET rules, probes and metrics.
use integration_tests::*;
use serde_json::json;

#[tokio::test]
async fn anonymous_calls_get_unauthenticated_and_limits_hold() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let anon = app
        .gql(&Caller::Anonymous, "{ tenants { items { id }} }", json!({}))
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

    let deep =
        "{ people { memberships { tenant { id } } } organisations { tenants { items { id }} } }";
    data(&app.gql(&fx.org_admin_a, deep, json!({})).await);
    // Complexity: a thousand fields in one request are refused before anything runs.
    let heavy = format!("{{ tenants {{ items {{ {} }}}} }}", "id name ".repeat(600));
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
            "{ tenants(first: 100000) { items { id }} }",
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
    let ok = get("{ tenants(first: 2) { items { name }} }")
        .await
        .expect("get");
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.expect("json");
    assert_eq!(
        body["data"]["tenants"]["items"].as_array().map(Vec::len),
        Some(2)
    );
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

/// The session headers of a fixture caller, for requests built by hand.
fn session_headers(caller: &Caller) -> (String, String) {
    let Caller::Session { secret, csrf, .. } = caller else {
        unreachable!("fixture people log in with a session")
    };
    (format!("mutualis_session={secret}"), csrf.clone())
}

/// Found by the graphql-http audit suite (tests/hardening): every answer was
/// `application/graphql-response+json` whatever the client accepted (MUST 4655), a POST without
/// Content-Type was executed (SHOULD 9ABE), and parse or validation errors were a 200 with
/// `"data": null` under `application/graphql-response+json` (SHOULD 865D, 556A, D586, 51FE, 74FF,
/// 5E5B, 86EE).
#[tokio::test]
async fn responses_follow_graphql_over_http_media_types_and_status_codes() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let (cookie, csrf) = session_headers(&fx.org_admin_a);
    let post = |accept: Option<&'static str>, body: String| {
        let mut req = app
            .http
            .post(format!("{}/graphql", app.url))
            .header("content-type", "application/json")
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .body(body);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        req.send()
    };
    let query = |q: &str| json!({ "query": q }).to_string();
    let parts = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        let ct = r.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let body: serde_json::Value = r.json().await.expect("a JSON body");
        assert_french_errors(&body);
        (status, ct, body)
    };

    // application/json: what the console asks for; also for no Accept and */*.
    for accept in [
        Some("application/json"),
        None,
        Some("*/*"),
        Some("text/html"),
    ] {
        let (status, ct, body) =
            parts(post(accept, query("{ me { email } }")).await.expect("post")).await;
        assert_eq!(
            (status, ct.as_str()),
            (200, "application/json"),
            "{accept:?}"
        );
        assert!(body["data"]["me"]["email"].is_string(), "{body}");
    }
    // application/graphql-response+json when asked for, first or only.
    for accept in [
        "application/graphql-response+json",
        "application/graphql-response+json, application/json;q=0.9",
    ] {
        let (status, ct, _) = parts(
            post(Some(accept), query("{ me { email } }"))
                .await
                .expect("post"),
        )
        .await;
        assert_eq!(
            (status, ct.as_str()),
            (200, "application/graphql-response+json")
        );
    }
    let (_, ct, _) = parts(
        post(
            Some("application/graphql-response+json;q=0.5, application/json"),
            query("{ __typename }"),
        )
        .await
        .expect("post"),
    )
    .await;
    assert_eq!(ct, "application/json", "the higher q wins");

    // A request refused before execution: no `data` entry; 400 with the new media type, 200
    // with application/json.
    for q in ["{", "{ nope }", "{ tenant { id } }"] {
        let (status, _, body) = parts(
            post(Some("application/graphql-response+json"), query(q))
                .await
                .expect("post"),
        )
        .await;
        assert_eq!(status, 400, "{q}: {body}");
        assert!(body.get("data").is_none(), "{q}: {body}");
        assert_eq!(
            error_code(&body).as_deref(),
            Some("GRAPHQL_VALIDATION_FAILED")
        );
        let (status, _, body) = parts(
            post(Some("application/json"), query(q))
                .await
                .expect("post"),
        )
        .await;
        assert_eq!(status, 200, "{q}: {body}");
        assert!(body.get("data").is_none(), "{q}: {body}");
        assert_eq!(
            error_code(&body).as_deref(),
            Some("GRAPHQL_VALIDATION_FAILED")
        );
    }
    // A field error is an executed request: 200 and `data` (null here), whatever the type.
    let (status, _, body) = parts(
        post(
            Some("application/graphql-response+json"),
            query("{ tenant(id: \"00000000-0000-0000-0000-000000000000\") { id } }"),
        )
        .await
        .expect("post"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("data").is_some_and(|d| d.is_null()), "{body}");
    assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"));

    // What is not a GraphQL request over HTTP: a JSON refusal with BAD_REQUEST.
    let raw = |content_type: Option<&'static str>, body: &'static str| {
        let mut req = app
            .http
            .post(format!("{}/graphql", app.url))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        req.send()
    };
    for (ct, body, expected) in [
        (None, r#"{"query":"{ __typename }"}"#, 415),
        (Some("text/plain"), r#"{"query":"{ __typename }"}"#, 415),
        (
            Some("application/x-www-form-urlencoded"),
            "query=%7B__typename%7D",
            415,
        ),
        (Some("application/json"), r#"{"query":"#, 400),
        (
            Some("application/json"),
            r#"[{"query":"{ __typename }"}]"#,
            400,
        ),
        (Some("application/json"), r#"{"query": 1}"#, 400),
        (
            Some("application/json"),
            r#"{"qeury": "{ __typename }"}"#,
            400,
        ),
        (Some("application/json"), r#"{"query": "  "}"#, 400),
    ] {
        let (status, rct, body) = parts(raw(ct, body).await.expect("post")).await;
        assert_eq!(status, expected, "{ct:?} {body}");
        assert_eq!(rct, "application/json");
        assert_eq!(error_code(&body).as_deref(), Some("BAD_REQUEST"), "{body}");
        assert!(body.get("data").is_none(), "{body}");
    }
    // Still JSON, with a charset.
    let (status, _, body) = parts(
        raw(
            Some("application/json; charset=utf-8"),
            r#"{"query":"{ __typename }"}"#,
        )
        .await
        .expect("post"),
    )
    .await;
    assert_eq!(
        (status, &body["data"]["__typename"]),
        (200, &json!("QueryRoot"))
    );
    // A mutation over GET: 405, Allow: POST, a JSON refusal.
    let r = app
        .http
        .get(format!("{}/graphql", app.url))
        .query(&[("query", "mutation { __typename }")])
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let (_, _, body) = parts(r).await;
    assert_eq!(error_code(&body).as_deref(), Some("BAD_REQUEST"));
}

/// Found by schemathesis (tests/hardening): a NUL character in any text reached PostgreSQL,
/// which refuses it, and came back as INTERNAL_SERVER_ERROR (`tenants(search:)`,
/// `jobs(status:)`, `grantAuditor`, `recordBreachNotNotified`, `createBackupIngestToken`...).
#[tokio::test]
async fn nul_characters_in_text_are_bad_user_input_and_nothing_is_written() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ tenants(search: \"Compi\\u0000gne\") { items { id }} }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "search", "{r}");
    assert!(r.get("data").is_none(), "refused before execution: {r}");
    let r = app
        .gql(
            &fx.org_admin_a,
            "query ($s: String) { jobs(status: $s) { items { id }} }",
            json!({ "s": "dead\u{0}" }),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "$s", "{r}");
    // Deep in an input object, and in a mutation: nothing written.
    let before = app.count("backup_ingest_token").await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation ($t: UUID!, $n: String!) { createBackupIngestToken(tenantId: $t, name: $n) { tokenId } }",
            json!({ "t": fx.tenant_a1, "n": "Veeam\u{0}" }),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(app.count("backup_ingest_token").await, before);
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation ($o: UUID!, $t: UUID!) { grantAuditor(input: { email: \"a@example.org\", organisationId: $o, tenantIds: [$t], expiresAt: \"2099-01-01T00:00:00Z\", reason: \"contr\\u0000le\" }) { id } }",
            json!({ "o": fx.org_a, "t": fx.tenant_a1 }),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "input", "{r}");
    // The same text without the NUL goes through.
    let ok = app
        .gql(
            &fx.org_admin_a,
            "mutation ($t: UUID!, $n: String!) { createBackupIngestToken(tenantId: $t, name: $n) { tokenId } }",
            json!({ "t": fx.tenant_a1, "n": "Veeam" }),
        )
        .await;
    assert!(data(&ok)["createBackupIngestToken"]["tokenId"].is_string());
}

/// Found by schemathesis (tests/hardening): `costLines(year: -48160)` built a date chrono
/// accepts and PostgreSQL does not ("date out of range" as INTERNAL_SERVER_ERROR); so did
/// `costPools(year:)`, and a `Date` such as `-10000-01-01` (`startBillingRun`).
#[tokio::test]
async fn years_and_dates_outside_0001_to_9999_are_refused() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    for q in [
        "{ costLines(year: -48160) { id } }",
        "{ costLines(year: 10000) { id } }",
        "{ costPools(year: -10000) { id } }",
    ] {
        let r = app.gql(&fx.org_admin_a, q, json!({})).await;
        assert_eq!(
            error_code(&r).as_deref(),
            Some("BAD_USER_INPUT"),
            "{q}: {r}"
        );
        assert_eq!(r["errors"][0]["extensions"]["field"], "year", "{q}: {r}");
    }
    data(
        &app.gql(
            &fx.org_admin_a,
            "{ costLines(year: 2026) { id } costPools(year: 1) { id } }",
            json!({}),
        )
        .await,
    );
    for d in ["-10000-01-01", "+200000-12-31", "+2026-01-01", "0000-01-01"] {
        let r = app
            .gql(
                &fx.org_admin_a,
                "mutation ($o: UUID!, $d: Date!) { startBillingRun(organisationId: $o, periodStart: $d, periodEnd: \"2026-12-31\", label: \"x\") { id } }",
                json!({ "o": fx.org_a, "d": d }),
            )
            .await;
        assert_eq!(
            error_code(&r).as_deref(),
            Some("GRAPHQL_VALIDATION_FAILED"),
            "{d}: {r}"
        );
        assert!(
            r["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("YYYY-MM-DD"),
            "{d}: {r}"
        );
    }
    assert_eq!(app.count("billing_run").await, 0);
    // The annual statement export reads the same years: refused, not a 500.
    let (status, _) = app
        .get_as(
            &fx.org_admin_a,
            "/exports/billing/statement",
            &format!("tenant={}&year=-10000&format=json", fx.tenant_a1),
        )
        .await;
    assert_eq!(status, 400);
}

/// The French check of every GraphQL error message (`assert_french`, in `gql`) fails on
/// English, so the suite's hundreds of error cases would catch a message left untranslated.
#[test]
fn the_french_check_refuses_english_messages() {
    let fails = |m: &'static str| std::panic::catch_unwind(|| assert_french(m)).is_err();
    for english in [
        "this action needs a permission you do not hold (CheckGdpr)",
        "a request cannot be received in the future",
        "key agents is missing for Armancourt (60023) in 2026",
        "the activity changed since you opened it (version 2 now, 1 edited)",
        "Unknown field \"nope\" on type \"Query\".",
        "",
    ] {
        assert!(fails(english), "{english:?} passed as French");
    }
    for french in [
        "Cette action demande le droit de contrôler les registres (DPO).",
        "Une demande ne peut pas être reçue dans le futur : vérifiez la date de réception.",
        "Valeur inconnue « the value » ; valeurs possibles : consent, contract, public_task.",
        "Connectez-vous, ou envoyez un jeton d'API dans l'en-tête `Authorization: Bearer …`.",
    ] {
        assert!(!fails(french), "{french:?} failed as English");
    }
}
