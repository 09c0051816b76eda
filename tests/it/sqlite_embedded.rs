//! The embedded path: SQLite file, migrations, demo seed, demo login on loopback. Isolation
//! there rests on the typed scope alone, so it is exercised here too.
use api::config::{Config, RawConfig};
use integration_tests::assert_french_errors;
use serde_json::{json, Value};

pub(crate) async fn start(dir: &std::path::Path) -> (String, sea_orm::DatabaseConnection) {
    let config = Config::from_raw(RawConfig {
        data_dir: Some(dir.display().to_string()),
        listen_addr: Some("127.0.0.1:0".into()),
        ..RawConfig::default()
    })
    .expect("embedded defaults");
    assert!(config.embedded && config.demo);
    api::server::migrate(&config).await.expect("migrate");
    let db = api::server::connect(&config).await.expect("connect");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let state = api::server::build_state(config, db.clone())
        .await
        .expect("state");
    let app =
        api::server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (url, db)
}

pub(crate) async fn demo_login(http: &reqwest::Client, url: &str, email: &str) -> (String, String) {
    let resp = http
        .post(format!("{url}/auth/demo"))
        .form(&[("email", email)])
        .send()
        .await
        .expect("demo login");
    assert_eq!(resp.status(), 303);
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let secret = cookie
        .split(';')
        .next()
        .expect("pair")
        .trim_start_matches("mutualis_session=")
        .to_owned();
    let session: Value = http
        .get(format!("{url}/auth/session"))
        .header("cookie", format!("mutualis_session={secret}"))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    (
        secret,
        session["csrfToken"].as_str().expect("csrf").to_owned(),
    )
}

pub(crate) async fn gql(
    http: &reqwest::Client,
    url: &str,
    s: &(String, String),
    q: &str,
    v: Value,
) -> Value {
    let body: Value = http
        .post(format!("{url}/graphql"))
        .header("cookie", format!("mutualis_session={}", s.0))
        .header("x-csrf-token", &s.1)
        .json(&json!({"query": q, "variables": v}))
        .send()
        .await
        .expect("graphql")
        .json()
        .await
        .expect("json");
    assert_french_errors(&body);
    body
}

/// A job that does nothing, to exercise the queue itself.
#[derive(serde::Serialize, serde::Deserialize)]
struct Noop;

impl tenants::jobs::Job for Noop {
    const KIND: &'static str = "test.noop";
    fn cause(&self) -> String {
        "sqlite-test".into()
    }
}

#[tokio::test]
async fn first_run_seeds_compiegne_and_a_second_start_reuses_it() {
    let dir = std::env::temp_dir().join(format!("mutualis-embedded-{}", uuid::Uuid::new_v4()));
    let (url, db) = start(&dir).await;
    assert!(dir.join("mutualis.db").exists());
    assert!(
        tenants::demo::seed(&db).await.expect("seed"),
        "first seed creates data"
    );
    assert!(
        !tenants::demo::seed(&db).await.expect("reseed"),
        "second seed changes nothing"
    );

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    // The demo people are offered by the console's login page, in French.
    let old_page = http
        .get(format!("{url}/auth/demo"))
        .send()
        .await
        .expect("page");
    assert_eq!(old_page.status(), 303);
    assert_eq!(old_page.headers()["location"], "/");
    let anonymous: Value = http
        .get(format!("{url}/auth/session"))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    assert_eq!(anonymous["demo"], true);
    let people = anonymous["demoAccounts"].as_array().expect("demo accounts");
    assert_eq!(people.len(), tenants::demo::DEMO_PEOPLE.len());
    assert!(people
        .iter()
        .any(|p| p["label"] == "DSI de l'agglomération"));
    let shown = serde_json::to_string(people).expect("json");
    for code in [
        "org_admin",
        "commune_admin",
        "commune_editor",
        "auditor",
        "\"dpo\"",
    ] {
        assert!(
            !shown.contains(code),
            "a role code reaches the login page: {code}"
        );
    }

    let dsi = demo_login(&http, &url, "dsi@demo.mutualis.invalid").await;
    let r = gql(
        &http,
        &url,
        &dsi,
        "{ organisations { siren name } tenants(first: 100) { items { name inseeCode population }} }",
        json!({}),
    )
    .await;
    assert_eq!(r["data"]["organisations"][0]["siren"], "200067965");
    let tenants = r["data"]["tenants"]["items"].as_array().expect("tenants");
    assert_eq!(tenants.len(), 23, "22 communes and the agglomeration");
    // Names in the French order on SQLite too (the collation registered on the connection).
    let names: Vec<&str> = tenants.iter().filter_map(|t| t["name"].as_str()).collect();
    let mut french = names.clone();
    french.sort_by(|a, b| tenants::collation::french_cmp(a, b));
    assert_eq!(names, french);
    let at = |n: &str| names.iter().position(|x| *x == n).expect(n);
    assert!(at("Béthisy-Saint-Martin") < at("Bienville"), "{names:?}");
    assert!(tenants.iter().any(|t| t["inseeCode"] == "60159"
        && t["name"] == "Compiègne"
        && t["population"].as_i64() > Some(40_000)));

    // The demo register: municipal activities on several communes, clocks running.
    let r = gql(&http, &url, &dsi, "{ activities(first: 200) { items { name tenantId status { code } }} rightsRequests { items { overdue }} breaches { items { secondsLeft }} modelActivities { name } }", json!({})).await;
    let acts = r["data"]["activities"]["items"]
        .as_array()
        .expect("activities");
    assert!(acts.len() >= 8 + 4 + 5, "{}", acts.len());
    assert!(acts
        .iter()
        .any(|a| a["name"] == "Vidéoprotection de la voie publique"));
    assert!(acts.iter().any(|a| a["status"]["code"] == "checked"));
    assert_eq!(
        r["data"]["rightsRequests"]["items"]
            .as_array()
            .map(|v| v.iter().filter(|x| x["overdue"] == true).count()),
        Some(1)
    );
    assert!(r["data"]["breaches"]["items"][0]["secondsLeft"].as_i64() > Some(0));
    assert_eq!(
        r["data"]["modelActivities"].as_array().map(Vec::len),
        Some(2)
    );

    // The demo backups, on SQLite too: one commune ok, one late, one failing.
    let r = gql(&http, &url, &dsi, "{ backupTenantStates { state policies } backupPolicyStatuses { state restoreTestDue policy { name } } }", json!({})).await;
    let mut states: Vec<String> = r["data"]["backupTenantStates"]
        .as_array()
        .expect("states")
        .iter()
        .filter(|t| t["policies"].as_i64() > Some(0))
        .map(|t| t["state"].as_str().unwrap_or_default().to_owned())
        .collect();
    states.sort();
    assert_eq!(states, ["failing", "late", "ok"], "{r}");
    let period = chrono::Utc::now().format("%Y-%m").to_string();
    let r = gql(
        &http,
        &url,
        &dsi,
        "query($p: String!) { backupStorageUsage(period: $p) { milliGbMonths currentBytes } }",
        json!({"p": period}),
    )
    .await;
    let used: i64 = r["data"]["backupStorageUsage"]
        .as_array()
        .expect("usage")
        .iter()
        .filter_map(|u| u["currentBytes"].as_i64())
        .sum();
    assert!(used > 50_000_000_000, "{r}");

    // The job queue on SQLite (the embedded worker runs it in-process): enqueued with its
    // cause, claimed once, completed.
    {
        use sea_orm::TransactionTrait;
        let ids: Vec<(uuid::Uuid, uuid::Uuid)> =
            <tenants::entities::tenant::Entity as sea_orm::EntityTrait>::find()
                .all(&db)
                .await
                .expect("tenants")
                .into_iter()
                .map(|t| (t.organisation_id, t.id))
                .take(1)
                .collect();
        let txn = db.begin().await.expect("txn");
        let fresh = tenants::jobs::enqueue(
            &txn,
            tenants::jobs::JobOwner {
                organisation_id: ids[0].0,
                tenant_id: ids[0].1,
            },
            &Noop,
        )
        .await
        .expect("enqueue");
        txn.commit().await.expect("commit");
        assert!(fresh);
        let now = chrono::Utc::now();
        // (The demo's changes queued report jobs too: only this test's job is looked at.)
        let mine = |v: Vec<tenants::entities::job::Model>| -> Vec<tenants::entities::job::Model> {
            v.into_iter().filter(|j| j.kind == "test.noop").collect()
        };
        let got = mine(
            tenants::jobs::claim(&db, "embedded", 50, now, tenants::jobs::LEASE)
                .await
                .expect("claim"),
        );
        assert_eq!(got.len(), 1);
        assert!(mine(
            tenants::jobs::claim(&db, "other", 50, now, tenants::jobs::LEASE)
                .await
                .expect("claim")
        )
        .is_empty());
        tenants::jobs::complete(&db, &got[0], "embedded")
            .await
            .expect("complete");
        let later = now + tenants::jobs::LEASE + chrono::Duration::seconds(1);
        assert!(
            mine(
                tenants::jobs::claim(&db, "other", 50, later, tenants::jobs::LEASE)
                    .await
                    .expect("claim")
            )
            .is_empty(),
            "a done job is not run again"
        );
    }

    // The typed scope alone isolates on SQLite: the Compiègne admin sees only Compiègne.
    let mairie = demo_login(&http, &url, "mairie-compiegne@demo.mutualis.invalid").await;
    let r = gql(
        &http,
        &url,
        &mairie,
        "{ tenants(first: 100) { items { inseeCode }} }",
        json!({}),
    )
    .await;
    assert_eq!(
        r["data"]["tenants"]["items"],
        json!([{"inseeCode": "60159"}])
    );
    let margny = gql(
        &http,
        &url,
        &dsi,
        "{ tenants(search: \"60382\") { items { id }} }",
        json!({}),
    )
    .await;
    let margny_id = margny["data"]["tenants"]["items"][0]["id"]
        .as_str()
        .expect("Margny")
        .to_owned();
    let r = gql(
        &http,
        &url,
        &mairie,
        "query($id: UUID!) { tenant(id: $id) { name } }",
        json!({"id": margny_id}),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let r = gql(
        &http,
        &url,
        &mairie,
        "query($t: UUID!) { auditLog(tenantId: $t) { items { seq }} }",
        json!({"t": margny_id}),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "NOT_FOUND");

    // Only the seeded demo people can log in this way.
    let resp = http
        .post(format!("{url}/auth/demo"))
        .form(&[("email", "dsi@cud.fr")])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 400);

    // Second start on the same directory reuses the data.
    db.close().await.ok();
    let (url2, db2) = start(&dir).await;
    assert!(!tenants::demo::seed(&db2).await.expect("seed"));
    let dsi2 = demo_login(&http, &url2, "dsi@demo.mutualis.invalid").await;
    let r = gql(
        &http,
        &url2,
        &dsi2,
        "{ tenants(first: 100) { items { id }} }",
        json!({}),
    )
    .await;
    assert_eq!(
        r["data"]["tenants"]["items"].as_array().map(Vec::len),
        Some(23)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue 18, finding 10: a 300 KB `search` reached SQLite's LIKE ("LIKE pattern too complex")
/// and came back as an internal error. Every free-text argument is bounded before anything runs.
#[tokio::test]
async fn long_search_strings_are_refused_as_bad_input_before_reaching_the_database() {
    let dir = integration_tests::TempDir(
        std::env::temp_dir().join(format!("mutualis-search-{}", uuid::Uuid::now_v7())),
    );
    let (url, db) = start(&dir.0).await;
    tenants::demo::seed(&db).await.expect("seed");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let dsi = demo_login(&http, &url, "dsi@demo.mutualis.invalid").await;
    let long = "%_".repeat(150_000);
    for q in [
        "query($s: String) { tenants(search: $s) { items { id }} }",
        "query($s: String) { activities(search: $s) { items { id }} }",
        "query($s: String) { suppliers(search: $s) { id } }",
        "query($s: String!) { cpvSearch(query: $s) { items { code }} }",
    ] {
        let r = gql(&http, &url, &dsi, q, json!({"s": long})).await;
        assert_eq!(
            r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{q}: {r}"
        );
        assert_eq!(r["errors"][0]["extensions"]["field"], "$s", "{q}");
        let message = r["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("200 caractères au plus"), "{message}");
    }
    // Written in the query itself, and any other text over its bound.
    let r = gql(
        &http,
        &url,
        &dsi,
        &format!(
            "{{ tenants(search: \"{}\") {{ items {{ id }}}} }}",
            "a".repeat(201)
        ),
        json!({}),
    )
    .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "search", "{r}");
    let r = gql(
        &http,
        &url,
        &dsi,
        "mutation($t: UUID!, $x: String!) { createGdprAction(tenantId: $t, title: $x, dueOn: \"2027-01-01\") { id } }",
        json!({"t": uuid::Uuid::nil(), "x": "a".repeat(10_001)}),
    )
    .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{r}"
    );
    // A search of ordinary length still answers.
    let r = gql(
        &http,
        &url,
        &dsi,
        "{ tenants(search: \"Compi\") { items { name }} }",
        json!({}),
    )
    .await;
    assert!(r["errors"].is_null(), "{r}");
}
