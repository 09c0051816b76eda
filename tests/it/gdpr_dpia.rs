//! DPIAs by the CNIL's method (issue 19): a commune starts from the intercommunality's model,
//! weighs the three risks, plans measures that join its action plan, the DPO gives an opinion,
//! the commune decides; prior consultation of the CNIL flagged on a high residual risk; one
//! transaction per write; permissions; the DPIA in the register bundle for auditors.
use integration_tests::*;
use serde_json::{json, Value};

const FIELDS: &str = "id version stage { code } status { code } priorConsultationRequired modelId
  activityName completedOn decisionBy dpoOpinion
  context { overview supports { kind { code } } }
  principles { principle { code } justification evaluation { code } }
  risks { kind { code } severity likelihood residualSeverity residualLikelihood residualHigh
          measures { id title state { code } action { id title dueOn } } }
  riskMap { severity cells }";

async fn dpo_principal(app: &TestApp) -> tenants::tenancy::Principal {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let uid = tenants::entities::app_user::Entity::find()
        .filter(tenants::entities::app_user::Column::Email.eq("dpo@agglo-compiegne.fr"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("user")
        .id;
    tenants::tenancy::resolve_user(&app.db, uid)
        .await
        .expect("principal")
}

async fn activity(app: &TestApp, caller: &Caller, tenant: uuid::Uuid) -> String {
    let r = app
        .gql(
            caller,
            &format!("mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {ACTIVITY_INPUT}) {{ id }} }}"),
            json!({"t": tenant}),
        )
        .await;
    data(&r)["createActivity"]["id"]
        .as_str()
        .expect("activity id")
        .to_owned()
}

/// The organisation's models, seeded as the demo seeds them; the CCTV one's id.
async fn seeded_cctv_model(app: &TestApp, fx: &Fixture) -> String {
    let dpo = dpo_principal(app).await;
    assert!(
        tenants::gdpr::dpia::models::seed_demo(&app.db, fx.org_a, &dpo)
            .await
            .expect("seed")
    );
    // A second seed changes nothing.
    assert!(
        !tenants::gdpr::dpia::models::seed_demo(&app.db, fx.org_a, &dpo)
            .await
            .expect("seed again")
    );
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ dpiaModels { id name risks { kind { code } measures } } }",
            json!({}),
        )
        .await;
    let models = data(&r)["dpiaModels"].as_array().expect("models").clone();
    assert_eq!(models.len(), 3, "{r}");
    models
        .iter()
        .find(|m| m["name"] == "Vidéoprotection de l'espace public")
        .and_then(|m| m["id"].as_str())
        .unwrap_or_else(|| panic!("CCTV model in {r}"))
        .to_owned()
}

fn risks_input(residual_access: (i32, i32), measures_access: Value) -> Value {
    json!([
        {"kind": "illegitimate_access", "sources": "Agent curieux", "threats": "Consultation hors finalité",
         "impacts": "Atteinte à la vie privée", "severity": 3, "likelihood": 3,
         "residualSeverity": residual_access.0, "residualLikelihood": residual_access.1,
         "measures": measures_access},
    ])
}

async fn update(app: &TestApp, caller: &Caller, id: &str, version: i64, risks: Value) -> Value {
    app.gql(
        caller,
        &format!("mutation($id: UUID!, $i: DpiaInput!) {{ updateDpia(id: $id, input: $i) {{ {FIELDS} }} }}"),
        json!({"id": id, "i": {
            "version": version,
            "context": {"overview": "Caméras sur les places et aux abords des écoles",
                        "dataProcessed": "Images, plaques", "lifecycle": "30 jours puis effacement",
                        "supports": [{"kind": "hardware", "description": "Enregistreur"}]},
            "subjectsOpinion": {"sought": false, "reasonNotSought": "Consultation publique du conseil municipal jugée suffisante"},
            "risks": risks,
        }}),
    )
    .await
}

#[tokio::test]
async fn a_commune_starts_from_the_cctv_model_and_the_dpo_then_the_commune_decide() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let model = seeded_cctv_model(&app, &fx).await;
    let aid = activity(&app, &fx.commune_admin_a1, fx.tenant_a1).await;

    let r = app
        .gql(
            &fx.commune_admin_a1,
            &format!("mutation($a: UUID!, $m: UUID!) {{ createDpia(activityId: $a, modelId: $m) {{ {FIELDS} }} }}"),
            json!({"a": aid, "m": model}),
        )
        .await;
    let d = data(&r)["createDpia"].clone();
    let id = d["id"].as_str().expect("id").to_owned();
    assert_eq!(d["stage"]["code"], "draft");
    assert_eq!(d["modelId"], json!(model));
    assert!(
        d["context"]["overview"]
            .as_str()
            .unwrap_or_default()
            .contains("vidéoprotection"),
        "{d}"
    );
    assert!(d["principles"]
        .as_array()
        .expect("principles")
        .iter()
        .all(|p| p["justification"] != "" && p["evaluation"].is_null()));
    // The model's levels came along; its three planned measures joined the action plan.
    assert_eq!(d["risks"][0]["kind"]["code"], "illegitimate_access");
    assert_eq!(d["risks"][0]["severity"], 3);
    let planned: Vec<&Value> = d["risks"]
        .as_array()
        .expect("risks")
        .iter()
        .flat_map(|r| r["measures"].as_array().expect("measures").iter())
        .filter(|m| m["state"]["code"] == "planned")
        .collect();
    assert_eq!(planned.len(), 3, "{d}");
    assert!(planned.iter().all(|m| m["action"]["id"].is_string()));
    assert_eq!(
        app.count_where("gdpr_action", &format!("activity_id = '{aid}'"))
            .await,
        3
    );
    // The model's residual risks are not high: no prior consultation.
    assert_eq!(d["priorConsultationRequired"], false);

    // One DPIA per activity.
    let again = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($a: UUID!) { createDpia(activityId: $a) { id } }",
            json!({"a": aid}),
        )
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"), "{again}");
    assert_eq!(again["errors"][0]["extensions"]["existingId"], json!(id));

    // The commune keeps the model's measures of the first risk, adds a planned one, and
    // leaves the residual risk high on both axes: prior consultation is flagged.
    let keep: Vec<Value> = d["risks"][0]["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .map(|m| json!({"id": m["id"], "title": m["title"], "state": m["state"]["code"], "dueOn": m["action"]["dueOn"]}))
        .chain([json!({"title": "Masquage des fenêtres des immeubles", "state": "planned", "dueOn": "2027-03-31"})])
        .collect();
    let r = update(
        &app,
        &fx.commune_admin_a1,
        &id,
        1,
        risks_input((3, 3), json!(keep)),
    )
    .await;
    let d = data(&r)["updateDpia"].clone();
    assert_eq!(d["priorConsultationRequired"], true, "{d}");
    assert_eq!(d["risks"][0]["residualHigh"], true);
    assert_eq!(d["version"], 2);
    let new_measure = d["risks"][0]["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .find(|m| m["title"] == "Masquage des fenêtres des immeubles")
        .cloned()
        .expect("new measure");
    assert_eq!(new_measure["action"]["dueOn"], "2027-03-31");
    // The residual position on the map: severity 3 (third row from the top), likelihood 3.
    let row3 = d["riskMap"]
        .as_array()
        .expect("map")
        .iter()
        .find(|r| r["severity"] == 3)
        .cloned()
        .expect("row 3");
    assert!(
        row3["cells"][2]
            .as_array()
            .expect("cell")
            .iter()
            .any(|e| e == "Accès illégitime (résiduel)"),
        "{row3}"
    );
    // The measure is an item of the commune's action plan, on the activity's page.
    let plan = app
        .gql(
            &fx.commune_admin_a1,
            "query($a: UUID!) { activity(id: $a) { actions { title dueOn status { code } } } }",
            json!({"a": aid}),
        )
        .await;
    assert!(
        data(&plan)["activity"]["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .any(
                |a| a["title"] == "AIPD : Masquage des fenêtres des immeubles"
                    && a["status"]["code"] == "open"
            ),
        "{plan}"
    );

    // The other side of the rule: severity 4, likelihood 2 is not high.
    let r = update(
        &app,
        &fx.commune_admin_a1,
        &id,
        2,
        risks_input((4, 2), json!(keep[..keep.len() - 1].to_vec())),
    )
    .await;
    let d = data(&r)["updateDpia"].clone();
    assert_eq!(d["priorConsultationRequired"], false, "{d}");
    // The removed measure left the DPIA; its action stays in the plan.
    assert_eq!(
        app.count_where("gdpr_action", &format!("activity_id = '{aid}'"))
            .await,
        4
    );
    let r = update(
        &app,
        &fx.commune_admin_a1,
        &id,
        3,
        risks_input((3, 4), json!(keep[..keep.len() - 1].to_vec())),
    )
    .await;
    assert_eq!(data(&r)["updateDpia"]["priorConsultationRequired"], true);

    // A stale version is refused.
    let stale = update(&app, &fx.commune_admin_a1, &id, 1, json!([])).await;
    assert_eq!(error_code(&stale).as_deref(), Some("CONFLICT"), "{stale}");

    // Submitted: the earlier status follows ("completed").
    let r = app
        .gql(&fx.commune_admin_a1, "mutation($id: UUID!) { submitDpia(id: $id, version: 4) { stage { code } status { code } version } }", json!({"id": id}))
        .await;
    assert_eq!(
        data(&r)["submitDpia"]["stage"]["code"],
        "in_validation",
        "{r}"
    );
    assert_eq!(data(&r)["submitDpia"]["status"]["code"], "completed");
    // In validation, the commune no longer writes it.
    let locked = update(&app, &fx.commune_admin_a1, &id, 5, json!([])).await;
    assert_eq!(error_code(&locked).as_deref(), Some("CONFLICT"), "{locked}");
    // No decision before the DPO's opinion (Art. 35(2)).
    let decide = "mutation($id: UUID!, $d: String!, $s: String!, $c: String!) { decideDpia(id: $id, decision: $d, signatory: $s, comment: $c) { stage { code } status { code } completedOn decisionBy } }";
    let early = app
        .gql(
            &fx.commune_admin_a1,
            decide,
            json!({"id": id, "d": "validated", "s": "Philippe Marini, maire", "c": ""}),
        )
        .await;
    assert_eq!(error_code(&early).as_deref(), Some("CONFLICT"), "{early}");
    assert_french_errors(&early);
    // The opinion is the DPO's; the decision the commune's.
    let opinion = "mutation($id: UUID!) { giveDpiaOpinion(id: $id, opinion: \"Risque résiduel d'accès élevé : consulter la CNIL avant la mise en service.\", evaluations: [{principle: \"minimisation\", evaluation: \"improvable\", comment: \"Réduire le champ de la caméra 4\"}]) { dpoOpinion principles { principle { code } evaluation { code } dpoComment } } }";
    let r = app
        .gql(&fx.commune_admin_a1, opinion, json!({"id": id}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    let r = app.gql(&fx.dpo_a, opinion, json!({"id": id})).await;
    let o = data(&r)["giveDpiaOpinion"].clone();
    assert!(
        o["principles"]
            .as_array()
            .expect("p")
            .iter()
            .any(|p| p["principle"]["code"] == "minimisation"
                && p["evaluation"]["code"] == "improvable"),
        "{o}"
    );
    for who in [&fx.dpo_a, &fx.org_admin_a] {
        let r = app
            .gql(
                who,
                decide,
                json!({"id": id, "d": "validated", "s": "x", "c": ""}),
            )
            .await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    }
    let refuse_without_reason = app
        .gql(
            &fx.commune_admin_a1,
            decide,
            json!({"id": id, "d": "refused", "s": "Philippe Marini, maire", "c": ""}),
        )
        .await;
    assert_eq!(
        error_code(&refuse_without_reason).as_deref(),
        Some("BAD_USER_INPUT")
    );
    let r = app
        .gql(&fx.commune_admin_a1, decide, json!({"id": id, "d": "validated", "s": "Philippe Marini, maire", "c": "Validée ; saisine de la CNIL engagée"}))
        .await;
    let v = data(&r)["decideDpia"].clone();
    assert_eq!(v["stage"]["code"], "validated");
    assert_eq!(v["status"]["code"], "validated");
    assert_eq!(v["decisionBy"], "Philippe Marini, maire");
    assert!(v["completedOn"].is_string());
    // The earlier field on the activity reads the same DPIA.
    let a = app
        .gql(&fx.commune_admin_a1, "query($a: UUID!) { activity(id: $a) { dpia { id status { code } stage { code } priorConsultationRequired } } }", json!({"a": aid}))
        .await;
    assert_eq!(data(&a)["activity"]["dpia"]["id"], json!(id));
    assert_eq!(data(&a)["activity"]["dpia"]["stage"]["code"], "validated");
    assert_eq!(
        data(&a)["activity"]["dpia"]["priorConsultationRequired"],
        true
    );
    // The copy is the commune's own: the model did not change.
    let m = app
        .gql(&fx.dpo_a, "query($o: UUID) { dpiaModels(organisationId: $o) { id risks { residualSeverity residualLikelihood measures } } }", json!({"o": fx.org_a}))
        .await;
    let cctv = data(&m)["dpiaModels"]
        .as_array()
        .expect("models")
        .iter()
        .find(|x| x["id"] == json!(model))
        .cloned()
        .expect("model");
    assert_eq!(cctv["risks"][0]["residualLikelihood"], 2);
    assert!(!cctv["risks"][0]["measures"]
        .as_array()
        .expect("m")
        .iter()
        .any(|t| t == "Masquage des fenêtres des immeubles"));
}

/// Action plan items, measures, evaluated risks of the DPIA, and whether it is at version 1.
async fn dpia_counts(app: &TestApp, id: &str) -> (i64, i64, i64, i64) {
    (
        app.count("gdpr_action").await,
        app.count("gdpr_dpia_measure").await,
        app.count_where(
            "gdpr_dpia_risk",
            &format!("dpia_id = '{id}' AND severity IS NOT NULL"),
        )
        .await,
        app.count_where("gdpr_dpia", &format!("id = '{id}' AND version = 1"))
            .await,
    )
}

#[tokio::test]
async fn bad_input_on_one_risk_writes_nothing() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let aid = activity(&app, &fx.commune_admin_a1, fx.tenant_a1).await;
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($a: UUID!) { createDpia(activityId: $a) { id version } }",
            json!({"a": aid}),
        )
        .await;
    let id = data(&r)["createDpia"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let before = dpia_counts(&app, &id).await;
    assert_eq!(before, (0, 0, 0, 1));
    let good = json!({"kind": "illegitimate_access", "severity": 2, "likelihood": 2,
        "measures": [{"title": "Chiffrer le disque", "state": "planned", "dueOn": "2027-01-31"}]});
    // A level out of the scale on the second risk.
    let r = update(
        &app,
        &fx.commune_admin_a1,
        &id,
        1,
        json!([good, {"kind": "unwanted_modification", "severity": 5}]),
    )
    .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "risks");
    assert_french_errors(&r);
    assert_eq!(dpia_counts(&app, &id).await, before);
    // A measure that is not this risk's, met after the first risk and its action were written:
    // the transaction takes them back.
    let r = update(&app, &fx.commune_admin_a1, &id, 1,
        json!([good, {"kind": "disappearance", "severity": 1, "likelihood": 1,
                      "measures": [{"id": uuid::Uuid::new_v4(), "title": "Sauvegarde", "state": "existing"}]}])).await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "measures");
    assert_eq!(dpia_counts(&app, &id).await, before);
    // A planned measure without its due date.
    let r = update(&app, &fx.commune_admin_a1, &id, 1,
        json!([{"kind": "disappearance", "measures": [{"title": "Sauvegarde", "state": "planned"}]}])).await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(dpia_counts(&app, &id).await, before);
    // An incomplete DPIA does not go to validation.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($id: UUID!) { submitDpia(id: $id, version: 1) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    // And the good one alone is written, with its action.
    let r = update(&app, &fx.commune_admin_a1, &id, 1, json!([good])).await;
    data(&r);
    assert_eq!(dpia_counts(&app, &id).await, (1, 1, 1, 0));
}

#[tokio::test]
async fn who_may_do_what_on_a_dpia() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let a1 = activity(&app, &fx.commune_admin_a1, fx.tenant_a1).await;
    let a2 = activity(&app, &fx.editor_a2, fx.tenant_a2).await;
    let create = "mutation($a: UUID!) { createDpia(activityId: $a) { id } }";
    // Margny's agent opens Margny's DPIA; Compiègne's administrator cannot see it.
    let r = app.gql(&fx.editor_a2, create, json!({"a": a2})).await;
    let d2 = data(&r)["createDpia"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "query($id: UUID!) { dpia(id: $id) { id } }",
            json!({"id": d2}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = update(&app, &fx.commune_admin_a1, &d2, 1, json!([])).await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    // The DPO writes in every commune's DPIA; an agent never decides.
    let r = update(&app, &fx.dpo_a, &d2, 1, json!([])).await;
    assert_eq!(data(&r)["updateDpia"]["version"], 2);
    let r = app
        .gql(&fx.editor_a2, "mutation($id: UUID!) { decideDpia(id: $id, decision: \"validated\", signatory: \"x\") { id } }", json!({"id": d2}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    // The commune's administrator does not publish models; the DPO does, from a DPIA.
    let publish = "mutation($o: UUID!, $d: UUID!) { publishDpiaModel(organisationId: $o, fromDpiaId: $d, name: \"Cantine (Margny)\") { id name } }";
    let r = app
        .gql(
            &fx.commune_admin_a1,
            publish,
            json!({"o": fx.org_a, "d": d2}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    let r = app
        .gql(&fx.dpo_a, publish, json!({"o": fx.org_a, "d": d2}))
        .await;
    let model = data(&r)["publishDpiaModel"]["id"]
        .as_str()
        .expect("model")
        .to_owned();
    // A commune of another organisation cannot start from it.
    let b_act = app
        .gdpr_objects(&fx.org_admin_b, fx.org_b, fx.tenant_b1)
        .await
        .activity;
    let r = app
        .gql(
            &fx.org_admin_b,
            "mutation($a: UUID!, $m: UUID!) { createDpia(activityId: $a, modelId: $m) { id } }",
            json!({"a": b_act, "m": model}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    // An auditor of Compiègne reads its DPIAs, never writes.
    let r = app
        .gql(&fx.commune_admin_a1, create, json!({"a": a1}))
        .await;
    let d1 = data(&r)["createDpia"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    data(&app
        .gql(&fx.dpo_a, "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!) { grantAuditor(input: {email: \"crc@ccomptes.fr\", organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"contrôle\"}) { id } }",
            json!({"o": fx.org_a, "t": [fx.tenant_a1], "e": chrono::Utc::now() + chrono::Duration::days(5)}))
        .await);
    let auditor = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let uid = tenants::entities::app_user::Entity::find()
            .filter(tenants::entities::app_user::Column::Email.eq("crc@ccomptes.fr"))
            .one(&app.db)
            .await
            .expect("query")
            .expect("user")
            .id;
        app.session_for(uid, "crc@ccomptes.fr").await
    };
    let r = app
        .gql(&auditor, "{ dpias { items { id } totalCount } }", json!({}))
        .await;
    assert_eq!(data(&r)["dpias"]["items"], json!([{"id": d1}]), "{r}");
    let r = update(&app, &auditor, &d1, 1, json!([])).await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    let (status, _) = app
        .get_bytes_as(
            &auditor,
            api::http::dpia_exports::DPIA_PDF,
            &format!("id={d1}"),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get_bytes_as(
            &auditor,
            api::http::dpia_exports::DPIA_PDF,
            &format!("id={d2}"),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_register_bundle_carries_each_dpia_as_pdf_and_json() {
    use std::io::Read;
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let model = seeded_cctv_model(&app, &fx).await;
    let aid = activity(&app, &fx.commune_admin_a1, fx.tenant_a1).await;
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($a: UUID!, $m: UUID!) { createDpia(activityId: $a, modelId: $m) { id } }",
            json!({"a": aid, "m": model}),
        )
        .await;
    let id = data(&r)["createDpia"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, pdf) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            api::http::dpia_exports::DPIA_PDF,
            &format!("id={id}"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));

    let Caller::Session { secret, csrf, .. } = &fx.dpo_a else {
        panic!("session")
    };
    let resp = app
        .http
        .post(format!(
            "{}{}?tenant={}&format=csv",
            app.url,
            api::http::exports::REGISTER_EXPORT,
            fx.tenant_a1
        ))
        .header("cookie", format!("mutualis_session={secret}"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status(), 200);
    let sha = resp.headers()["x-manifest-sha256"]
        .to_str()
        .expect("sha")
        .to_owned();
    let zip = resp.bytes().await.expect("zip").to_vec();
    let manifest = formats::verify_against(&zip, &sha).expect("verifies");
    let names: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("aipd-compiegne-") && n.ends_with(".pdf")),
        "{names:?}"
    );
    assert!(names.contains(&"analyses-d-impact.json"), "{names:?}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("zip");
    let mut text = String::new();
    archive
        .by_name("analyses-d-impact.json")
        .expect("json in bundle")
        .read_to_string(&mut text)
        .expect("read");
    let v: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v[0]["id"], json!(id));
    assert_eq!(v[0]["commune"], "Compiègne");
    assert_eq!(v[0]["risks"].as_array().expect("risks").len(), 3);
    assert_eq!(v[0]["risks"][0]["severity"], 3);
    // The audit record of the export counts it.
    assert_eq!(
        app.count(&format!("audit_log WHERE operation = 'exportRegister' AND after->>'dpias' = '1' AND tenant_id = '{}'", fx.tenant_a1)).await,
        1
    );
}

#[tokio::test]
async fn the_earlier_dpia_record_moves_the_stage_with_it() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let aid = activity(&app, &fx.commune_admin_a1, fx.tenant_a1).await;
    let r = app
        .gql(&fx.commune_admin_a1, "mutation($a: UUID!) { recordDpia(activityId: $a, status: \"completed\", conclusion: \"Risques maîtrisés\") { id stage { code } status { code } } }", json!({"a": aid}))
        .await;
    let d = data(&r)["recordDpia"].clone();
    assert_eq!(d["stage"]["code"], "in_validation", "{d}");
    assert_eq!(d["status"]["code"], "completed");
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ dpias { items { id stage { code } activityName } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&r)["dpias"]["items"][0]["activityName"],
        "Cantine scolaire",
        "{r}"
    );
}

/// A DPIA counts as done in the consolidated report once completed, and still once the DPO
/// validated it (the report counted the completed ones only, so validating one lowered it).
#[tokio::test]
async fn a_validated_dpia_stays_done_in_the_consolidated_report() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // Two CNIL criteria: the screening says a DPIA is required.
    let input = ACTIVITY_INPUT.replace(
        r#"dpiaCriteria: ["vulnerable_people"]"#,
        r#"dpiaCriteria: ["vulnerable_people", "systematic_monitoring"]"#,
    );
    assert_ne!(
        input, ACTIVITY_INPUT,
        "the criteria of ACTIVITY_INPUT moved"
    );
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &format!(
                "mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {input}) {{ id }} }}"
            ),
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let aid = data(&r)["createActivity"]["id"]
        .as_str()
        .expect("activity id")
        .to_owned();
    let counts = || async {
        let period = tenants::calendar::current_period(chrono::Utc::now());
        let f =
            tenants::reporting::snapshot::compute(&app.db, fx.org_a, period, chrono::Utc::now())
                .await
                .expect("figures");
        let c = f
            .communes
            .iter()
            .find(|c| c.tenant_id == Some(fx.tenant_a1))
            .cloned()
            .expect("commune a1");
        (c.dpia_required, c.dpia_done, f.total.dpia_done)
    };
    let (required, done_before, _) = counts().await;
    assert!(required >= 1, "the activity requires a DPIA");
    let record = "mutation($a: UUID!, $s: String!) { recordDpia(activityId: $a, status: $s, conclusion: \"Risques maîtrisés\") { status { code } } }";
    let r = app
        .gql(
            &fx.commune_admin_a1,
            record,
            json!({"a": aid, "s": "completed"}),
        )
        .await;
    assert_eq!(data(&r)["recordDpia"]["status"]["code"], "completed", "{r}");
    let (_, done_completed, total_completed) = counts().await;
    assert_eq!(done_completed, done_before + 1);
    let r = app
        .gql(&fx.dpo_a, record, json!({"a": aid, "s": "validated"}))
        .await;
    assert_eq!(data(&r)["recordDpia"]["status"]["code"], "validated", "{r}");
    let (_, done_validated, total_validated) = counts().await;
    assert_eq!(done_validated, done_completed);
    assert_eq!(total_validated, total_completed);
}
