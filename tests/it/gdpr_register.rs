//! GDPR registers: activities, validation rules, statuses, models, processors, DPIAs, public page.
use integration_tests::*;
use serde_json::json;

const FULL: &str = "id version completeness dpiaScreening hasSensitiveData status { code label } name
  legalBases { basis { code label } justification } retention { durationMonths finalFate { code } }";

#[tokio::test]
async fn an_activity_is_created_screened_and_audited() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &format!("mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {ACTIVITY_INPUT}) {{ {FULL} }} }}"),
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let a = &data(&r)["createActivity"];
    assert_eq!(a["name"], "Cantine scolaire");
    assert_eq!(a["status"]["code"], "draft");
    assert_eq!(
        a["completeness"], 82,
        "origin and information are missing: 9 of 11"
    );
    assert_eq!(
        a["dpiaScreening"], "REVIEW",
        "one criterion with Art. 9 data"
    );
    assert_eq!(a["hasSensitiveData"], true);
    assert_eq!(
        a["legalBases"][0]["basis"]["label"],
        "Mission d'intérêt public"
    );
    assert_eq!(a["retention"][0]["durationMonths"], 24);
    let log = app
        .gql(
            &fx.commune_admin_a1,
            "query($t: UUID!) { auditLog(tenantId: $t, first: 1) { items { operation after }} }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(
        data(&log)["auditLog"]["items"][0]["operation"],
        "createActivity"
    );
    assert!(data(&log)["auditLog"]["items"][0]["after"]
        .to_string()
        .contains("Cantine scolaire"));
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let before = (
        app.count("gdpr_activity").await,
        app.count("audit_log").await,
    );
    let cases = [
        (r#"{name: "  "}"#, "name"),
        (
            r#"{name: "x", legalBases: [{basis: "whim"}]}"#,
            "legalBases",
        ),
        (
            r#"{name: "x", legalBases: [{basis: "legal_obligation"}]}"#,
            "legalBases",
        ),
        (
            r#"{name: "x", retention: [{data: "d", finalFate: "destruction"}]}"#,
            "retention",
        ),
        (
            r#"{name: "x", retention: [{data: "d", durationMonths: 0, finalFate: "destruction"}]}"#,
            "retention",
        ),
        (
            r#"{name: "x", retention: [{data: "d", durationMonths: 12, finalFate: "burn"}]}"#,
            "retention",
        ),
        (r#"{name: "x", dpiaCriteria: ["fun"]}"#, "dpiaCriteria"),
        (r#"{name: "x", role: "owner"}"#, "role"),
        (r#"{name: "x", role: "processor"}"#, "controllerName"),
        (
            r#"{name: "x", transfers: [{country: "IT", recipient: "r", safeguard: "adequacy"}]}"#,
            "transfers",
        ),
        (
            r#"{name: "x", transfers: [{country: "US", recipient: "r", safeguard: "trust"}]}"#,
            "transfers",
        ),
    ];
    for (input, field) in cases {
        let r = app
            .gql(&fx.commune_admin_a1, &format!("mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {input}) {{ id }} }}"), json!({"t": fx.tenant_a1}))
            .await;
        assert_eq!(
            error_code(&r).as_deref(),
            Some("BAD_USER_INPUT"),
            "{input}: {r}"
        );
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{input}: {r}");
    }
    // A processor that is not the tenant's: refused, and the activity is not half written.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($t: UUID!, $p: UUID!) { createActivity(tenantId: $t, input: {name: \"x\", processorIds: [$p]}) { id } }",
            json!({"t": fx.tenant_a1, "p": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "processorIds", "{r}");
    assert_eq!(
        before,
        (
            app.count("gdpr_activity").await,
            app.count("audit_log").await
        )
    );
}

#[tokio::test]
async fn statuses_versions_and_the_dpo_check() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let ids = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let set = |caller: &Caller, status: &str| {
        let q = format!("mutation($id: UUID!) {{ setActivityStatus(id: $id, status: \"{status}\") {{ status {{ code }} version }} }}");
        let (caller, id) = (caller.clone(), ids.activity.clone());
        let app = &app;
        async move { app.gql(&caller, &q, json!({"id": id})).await }
    };
    assert_eq!(
        data(&set(&fx.commune_admin_a1, "validated").await)["setActivityStatus"]["status"]["code"],
        "validated"
    );
    // Only the DPO checks: not the commune, not the DSI.
    for who in [&fx.commune_admin_a1, &fx.org_admin_a] {
        assert_eq!(
            error_code(&set(who, "checked").await).as_deref(),
            Some("FORBIDDEN")
        );
    }
    assert_eq!(
        data(&set(&fx.dpo_a, "checked").await)["setActivityStatus"]["status"]["code"],
        "checked"
    );
    let r = set(&fx.dpo_a, "archived").await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "status");

    // Editing with a stale version is a conflict; a real edit sends it back to draft.
    let upd = |version: i32, name: &str| {
        let q = format!("mutation($id: UUID!, $v: Int!) {{ updateActivity(id: $id, version: $v, input: {}) {{ version status {{ code }} name }} }}",
            ACTIVITY_INPUT.replace("Cantine scolaire", name));
        let (c, id) = (fx.editor_a2.clone(), ids.activity.clone());
        let _ = c;
        let caller = fx.commune_admin_a1.clone();
        let app = &app;
        async move { app.gql(&caller, &q, json!({"id": id, "v": version})).await }
    };
    let stale = upd(0, "Cantine").await;
    assert_eq!(error_code(&stale).as_deref(), Some("CONFLICT"), "{stale}");
    let ok = upd(1, "Restauration scolaire").await;
    assert_eq!(data(&ok)["updateActivity"]["status"]["code"], "draft");
    assert_eq!(data(&ok)["updateActivity"]["version"], 2);

    // Filters.
    let f = app
        .gql(&fx.dpo_a, "{ req: activities(dpiaRequired: true) { items { id }} sens: activities(sensitive: true) { items { id }} drafts: activities(status: \"draft\") { items { id }} }", json!({}))
        .await;
    let d = data(&f);
    assert_eq!(
        d["req"]["items"].as_array().map(Vec::len),
        Some(0),
        "one criterion only"
    );
    assert_eq!(d["sens"]["items"][0]["id"], ids.activity.as_str());
    assert_eq!(d["drafts"]["items"][0]["id"], ids.activity.as_str());
    // An auditor reads, never changes.
    let auditor = grant_auditor(&app, &fx).await;
    let r = app
        .gql(&auditor, "{ activities { items { id }} }", json!({}))
        .await;
    assert_eq!(
        data(&r)["activities"]["items"][0]["id"],
        ids.activity.as_str()
    );
    assert_eq!(
        error_code(&set(&auditor, "validated").await).as_deref(),
        Some("FORBIDDEN")
    );
}

async fn grant_auditor(app: &TestApp, fx: &Fixture) -> Caller {
    let r = app
        .gql(
            &fx.dpo_a,
            "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!) { grantAuditor(input: {email: \"cnil@cnil.fr\", organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"contrôle\"}) { id } }",
            json!({"o": fx.org_a, "t": [fx.tenant_a1], "e": chrono::Utc::now() + chrono::Duration::days(5)}),
        )
        .await;
    data(&r);
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let u = tenants::entities::app_user::Entity::find()
        .filter(tenants::entities::app_user::Column::Email.eq("cnil@cnil.fr"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("user");
    app.session_for(u.id, "cnil@cnil.fr").await
}

#[tokio::test]
async fn a_commune_instantiates_a_model_and_sees_what_changed_since() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let m = app
        .gql(&fx.dpo_a, &format!("mutation($o: UUID!) {{ publishModelActivity(organisationId: $o, input: {ACTIVITY_INPUT}) {{ id isModel version }} }}"), json!({"o": fx.org_a}))
        .await;
    let model = data(&m)["publishModelActivity"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // A commune cannot publish models.
    let denied = app
        .gql(&fx.commune_admin_a1, &format!("mutation($o: UUID!) {{ publishModelActivity(organisationId: $o, input: {ACTIVITY_INPUT}) {{ id }} }}"), json!({"o": fx.org_a}))
        .await;
    assert_eq!(error_code(&denied).as_deref(), Some("FORBIDDEN"));
    let seen = app
        .gql(
            &fx.commune_admin_a1,
            "{ modelActivities { id } activities { items { id }} }",
            json!({}),
        )
        .await;
    assert_eq!(data(&seen)["modelActivities"][0]["id"], model.as_str());
    assert_eq!(
        data(&seen)["activities"]["items"].as_array().map(Vec::len),
        Some(0),
        "models are not register entries"
    );

    let inst = app
        .gql(&fx.commune_admin_a1, "mutation($m: UUID!, $t: UUID!) { instantiateModel(modelId: $m, tenantId: $t) { id modelId tenantId name modelChanges { field } } }", json!({"m": model, "t": fx.tenant_a1}))
        .await;
    let i = &data(&inst)["instantiateModel"];
    assert_eq!(i["modelId"], model.as_str());
    assert_eq!(i["modelChanges"], json!([]));
    let instance = i["id"].as_str().expect("id").to_owned();

    let changed = ACTIVITY_INPUT.replace(
        "Inscription et facturation de la restauration scolaire",
        "Inscription, facturation et allergies",
    );
    data(&app
        .gql(&fx.dpo_a, &format!("mutation($id: UUID!) {{ updateModelActivity(id: $id, version: 1, input: {changed}) {{ version }} }}"), json!({"id": model}))
        .await);
    let after = app
        .gql(&fx.commune_admin_a1, "query($id: UUID!) { activity(id: $id) { purposes modelChanges { field atInstantiation inModelNow } } }", json!({"id": instance}))
        .await;
    let a = &data(&after)["activity"];
    assert_eq!(
        a["purposes"], "Inscription et facturation de la restauration scolaire",
        "the instance keeps its content"
    );
    assert_eq!(a["modelChanges"].as_array().map(Vec::len), Some(1), "{a}");
    assert_eq!(a["modelChanges"][0]["field"], "purposes");
    assert_eq!(
        a["modelChanges"][0]["inModelNow"],
        "Inscription, facturation et allergies"
    );
}

#[tokio::test]
async fn processors_dpias_and_actions() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let bad = app
        .gql(&fx.commune_admin_a1, "mutation($t: UUID!) { createProcessor(input: {tenantId: $t, name: \"Berger-Levrault\", siret: \"21600158600014\"}) { id } }", json!({"t": fx.tenant_a1}))
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "siret");
    let bad = app
        .gql(&fx.commune_admin_a1, "mutation($t: UUID!) { createProcessor(input: {tenantId: $t, name: \"x\", dpaStatus: \"signed\"}) { id } }", json!({"t": fx.tenant_a1}))
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "dpaSignedOn");
    let p = app
        .gql(&fx.commune_admin_a1, "mutation($t: UUID!) { createProcessor(input: {tenantId: $t, name: \"Éditeur\", siret: \"21600158600017\", dpaStatus: \"signed\", dpaSignedOn: \"2025-06-01\"}) { id dpaStatus { label } } }", json!({"t": fx.tenant_a1}))
        .await;
    let pid = data(&p)["createProcessor"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(data(&p)["createProcessor"]["dpaStatus"]["label"], "Signé");
    let input = ACTIVITY_INPUT.replace(
        "department:",
        &format!("processorIds: [\"{pid}\"], department:"),
    );
    let a = app
        .gql(&fx.commune_admin_a1, &format!("mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {input}) {{ id processorIds }} }}"), json!({"t": fx.tenant_a1}))
        .await;
    assert_eq!(data(&a)["createActivity"]["processorIds"], json!([pid]));
    let aid = data(&a)["createActivity"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let d = app.gql(&fx.commune_admin_a1, "mutation($a: UUID!) { recordDpia(activityId: $a, status: \"in_progress\") { status { code } } }", json!({"a": aid})).await;
    assert_eq!(data(&d)["recordDpia"]["status"]["code"], "in_progress");
    let d = app.gql(&fx.commune_admin_a1, "mutation($a: UUID!) { recordDpia(activityId: $a, status: \"validated\", conclusion: \"ok\") { id } }", json!({"a": aid})).await;
    assert_eq!(
        error_code(&d).as_deref(),
        Some("FORBIDDEN"),
        "the DPO validates a DPIA"
    );
    let d = app
        .gql(
            &fx.dpo_a,
            "mutation($a: UUID!) { recordDpia(activityId: $a, status: \"validated\") { id } }",
            json!({"a": aid}),
        )
        .await;
    assert_eq!(d["errors"][0]["extensions"]["field"], "conclusion");
    let d = app
        .gql(&fx.dpo_a, "mutation($a: UUID!) { recordDpia(activityId: $a, status: \"validated\", conclusion: \"Risques résiduels acceptables\") { status { code } completedOn } }", json!({"a": aid}))
        .await;
    assert_eq!(data(&d)["recordDpia"]["status"]["code"], "validated");
    let q = app
        .gql(
            &fx.dpo_a,
            "query($a: UUID!) { activity(id: $a) { dpia { status { code } conclusion } } }",
            json!({"a": aid}),
        )
        .await;
    assert_eq!(
        data(&q)["activity"]["dpia"]["conclusion"],
        "Risques résiduels acceptables"
    );

    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let act = app
        .gql(&fx.commune_admin_a1, "mutation($t: UUID!, $a: UUID!, $d: Date!) { createGdprAction(tenantId: $t, activityId: $a, title: \"Mettre à jour les mentions\", dueOn: $d) { id overdue } }", json!({"t": fx.tenant_a1, "a": aid, "d": yesterday}))
        .await;
    assert_eq!(data(&act)["createGdprAction"]["overdue"], true);
    let id = data(&act)["createGdprAction"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let done = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($id: UUID!) { completeGdprAction(id: $id) { overdue status { code } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data(&done)["completeGdprAction"]["status"]["code"], "done");
    let open = app
        .gql(
            &fx.commune_admin_a1,
            "{ gdprActions(openOnly: true) { items { id }} }",
            json!({}),
        )
        .await;
    assert_eq!(data(&open)["gdprActions"]["items"], json!([]));
}

#[tokio::test]
async fn the_public_register_shows_only_chosen_fields_of_validated_entries() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let ids = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let page = |q: &'static str| {
        let url = format!("{}/public/registre/{}{q}", app.url, fx.tenant_a1);
        let http = app.http.clone();
        async move { http.get(url).send().await.expect("get") }
    };
    assert_eq!(page("").await.status(), 404, "not published yet");
    let bad = app
        .gql(&fx.commune_admin_a1, "mutation($t: UUID!) { setPublicRegister(tenantId: $t, published: true, fields: [\"owner\"]) { published } }", json!({"t": fx.tenant_a1}))
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "fields");
    let set = app
        .gql(&fx.commune_admin_a1, "mutation($t: UUID!) { setPublicRegister(tenantId: $t, published: true, fields: [\"purposes\", \"recipients\"]) { published path fields } }", json!({"t": fx.tenant_a1}))
        .await;
    assert_eq!(
        data(&set)["setPublicRegister"]["fields"],
        json!(["purposes", "recipients"])
    );
    // The entry is a draft: not shown yet.
    let body: serde_json::Value = page("?format=json").await.json().await.expect("json");
    assert_eq!(body["commune"], "Compiègne");
    assert_eq!(body["activities"], json!([]));
    data(
        &app.gql(
            &fx.commune_admin_a1,
            "mutation($id: UUID!) { setActivityStatus(id: $id, status: \"validated\") { id } }",
            json!({"id": ids.activity}),
        )
        .await,
    );
    let body: serde_json::Value = page("?format=json").await.json().await.expect("json");
    assert_eq!(body["activities"][0]["name"], "Cantine scolaire");
    let labels: Vec<&str> = body["activities"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["label"].as_str())
        .collect();
    assert_eq!(labels, vec!["Finalités", "Destinataires"]);
    let html = page("").await.text().await.expect("html");
    assert!(
        html.contains("lang=\"fr\"")
            && html.contains("Cantine scolaire")
            && html.contains("Service enfance")
    );
    assert!(
        !html.contains("Allergies"),
        "data categories were not chosen"
    );
    // Another commune's page does not exist, and garbage ids are a plain 404.
    let other = app
        .http
        .get(format!("{}/public/registre/{}", app.url, fx.tenant_a2))
        .send()
        .await
        .expect("get");
    assert_eq!(other.status(), 404);
    let junk = app
        .http
        .get(format!("{}/public/registre/%3Cscript%3E", app.url))
        .send()
        .await
        .expect("get");
    assert_eq!(junk.status(), 404);
}
