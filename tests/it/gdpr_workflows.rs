//! The GDPR workflows the console drives (issue 17): a rights request's history, breaches
//! declared and decided, processors edited and linked, activities archived, a model copied
//! once per commune. Each through the API as the role that does it, and from another
//! organisation (refused as unknown).
use integration_tests::*;
use serde_json::json;

const REQUEST: &str = "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"Mme Durand\"}) { id } }";
const HISTORY: &str = "query($id: UUID!) { rightsRequest(id: $id) { status { code } extendable extensionDueOn effectiveDueOn history { actor action { code label } note dueOn } } }";

#[tokio::test]
async fn a_rights_request_keeps_the_history_of_what_was_done() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let c = &fx.commune_admin_a1;
    let today = tenants::calendar::paris_today();
    let r = app
        .gql(c, REQUEST, json!({"t": fx.tenant_a1, "d": today}))
        .await;
    let id = data(&r)["createRightsRequest"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Received: one event, and the deadline an extension would give.
    let h = app.gql(c, HISTORY, json!({"id": id})).await;
    let rr = &data(&h)["rightsRequest"];
    assert_eq!(rr["extendable"], true);
    let cal = tenants::gdpr::calendar::Calendar::for_insee("60159");
    assert_eq!(rr["extensionDueOn"], cal.months_later(today, 3).to_string());
    let events = rr["history"].as_array().expect("history");
    assert_eq!(events.len(), 1, "{h}");
    assert_eq!(events[0]["action"]["code"], "received");
    assert_eq!(events[0]["action"]["label"], "Demande enregistrée");
    assert!(!events[0]["actor"].as_str().unwrap_or_default().is_empty());

    // Taken in hand, extended with its reason, answered: each in the history, in order.
    data(&app
        .gql(c, "mutation($id: UUID!) { setRightsRequestStatus(id: $id, status: \"in_progress\") { id } }", json!({"id": id}))
        .await);
    data(&app
        .gql(c, "mutation($id: UUID!) { extendRightsRequest(id: $id, reason: \"Archives papier à consulter\") { id } }", json!({"id": id}))
        .await);
    data(&app
        .gql(c, "mutation($id: UUID!) { setRightsRequestStatus(id: $id, status: \"answered\", answer: \"Copie des données envoyée\") { id } }", json!({"id": id}))
        .await);
    let h = app.gql(c, HISTORY, json!({"id": id})).await;
    let rr = &data(&h)["rightsRequest"];
    let codes: Vec<&str> = rr["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["action"]["code"].as_str())
        .collect();
    assert_eq!(codes, ["received", "in_progress", "extended", "answered"]);
    assert_eq!(rr["history"][2]["note"], "Archives papier à consulter");
    assert_eq!(
        rr["history"][2]["dueOn"],
        cal.months_later(today, 3).to_string()
    );
    assert_eq!(rr["history"][3]["note"], "Copie des données envoyée");
    assert_eq!(rr["extendable"], false);
    assert!(rr["extensionDueOn"].is_null());

    // Closed: its status no longer changes (CONFLICT, in French), and nothing is recorded.
    let again = app
        .gql(c, "mutation($id: UUID!) { setRightsRequestStatus(id: $id, status: \"rejected\", answer: \"non\") { id } }", json!({"id": id}))
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"), "{again}");
    assert_french_errors(&again);
    assert_eq!(
        app.count_where("gdpr_request_event", &format!("request_id = '{id}'"))
            .await,
        4
    );

    // The DPO of the organisation reads the same history; another organisation reads nothing.
    let dpo = app.gql(&fx.dpo_a, HISTORY, json!({"id": id})).await;
    assert_eq!(
        data(&dpo)["rightsRequest"]["history"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    let other = app.gql(&fx.org_admin_b, HISTORY, json!({"id": id})).await;
    assert_eq!(error_code(&other).as_deref(), Some("NOT_FOUND"), "{other}");
    let other = app
        .gql(
            &fx.org_admin_b,
            "mutation($id: UUID!) { extendRightsRequest(id: $id, reason: \"x\") { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&other).as_deref(), Some("NOT_FOUND"), "{other}");
    // Another commune of the same organisation does not reach it either.
    let margny = app.gql(&fx.editor_a2, HISTORY, json!({"id": id})).await;
    assert_eq!(
        error_code(&margny).as_deref(),
        Some("NOT_FOUND"),
        "{margny}"
    );
}

/// The register export (a zip of the chosen format) as the caller.
async fn export_file(app: &TestApp, caller: &Caller, query: &str, ext: &str) -> Vec<u8> {
    let mut req = app.http.post(format!(
        "{}{}?{query}",
        app.url,
        api::http::exports::REGISTER_EXPORT
    ));
    req = match caller {
        Caller::Session { secret, csrf, .. } => req
            .header("cookie", format!("mutualis_session={secret}"))
            .header("x-csrf-token", csrf),
        Caller::Token(t) => req.bearer_auth(t),
        Caller::Anonymous => req,
    };
    let r = req.send().await.expect("export");
    assert_eq!(r.status(), 200);
    let zip = r.bytes().await.expect("zip").to_vec();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    let name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.ends_with(ext) && !n.starts_with("registre-cnil"))
        .unwrap_or_else(|| panic!("no {ext} file"))
        .into_owned();
    let mut f = archive.by_name(&name).expect("file");
    let mut out = vec![];
    std::io::Read::read_to_end(&mut f, &mut out).expect("read");
    out
}

const CREATE_PROCESSOR: &str = "mutation($t: UUID!) { createProcessor(input: {tenantId: $t, name: \"Berger-Levrault\", country: \"FR\"}) { id } }";
const CREATE_ACTIVITY: &str = "mutation($t: UUID!) { createActivity(tenantId: $t, input: {name: \"État civil\", purposes: \"Tenir les actes\", legalBases: [{basis: \"legal_obligation\", justification: \"Code civil\"}]}) { id version } }";

#[tokio::test]
async fn processors_are_changed_and_linked_to_their_communes_activities() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let c = &fx.commune_admin_a1;
    let p = app
        .gql(c, CREATE_PROCESSOR, json!({"t": fx.tenant_a1}))
        .await;
    let pid = data(&p)["createProcessor"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let a = app
        .gql(c, CREATE_ACTIVITY, json!({"t": fx.tenant_a1}))
        .await;
    let aid = data(&a)["createActivity"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Changed: a signed contract needs its date; then recorded, in the audit trail.
    const UPDATE: &str = "mutation($id: UUID!, $d: Date) { updateProcessor(id: $id, input: {name: \"Berger-Levrault SA\", siret: \"\", country: \"fr\", contractRef: \"Marché 2024-12\", dpaStatus: \"signed\", dpaSignedOn: $d}) { name country contractRef dpaStatus { code } dpaSignedOn tenantId } }";
    let no_date = app.gql(c, UPDATE, json!({"id": pid, "d": null})).await;
    assert_eq!(error_code(&no_date).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(no_date["errors"][0]["extensions"]["field"], "dpaSignedOn");
    assert_french_errors(&no_date);
    let u = app
        .gql(c, UPDATE, json!({"id": pid, "d": "2024-03-01"}))
        .await;
    let u = &data(&u)["updateProcessor"];
    assert_eq!(u["name"], "Berger-Levrault SA");
    assert_eq!(u["country"], "FR");
    assert_eq!(u["dpaStatus"]["code"], "signed");
    assert_eq!(u["tenantId"], fx.tenant_a1.to_string());
    assert_eq!(
        app.count_where("audit_log", "operation = 'updateProcessor'")
            .await,
        1
    );

    // Linked: both sides see it, the activity's version moves, twice is a conflict.
    const LINK: &str = "mutation($p: UUID!, $a: UUID!) { linkProcessorToActivity(processorId: $p, activityId: $a) { activityIds } }";
    const UNLINK: &str = "mutation($p: UUID!, $a: UUID!) { unlinkProcessorFromActivity(processorId: $p, activityId: $a) { activityIds } }";
    let l = app.gql(c, LINK, json!({"p": pid, "a": aid})).await;
    assert_eq!(
        data(&l)["linkProcessorToActivity"]["activityIds"],
        json!([aid])
    );
    let act = app
        .gql(
            c,
            "query($id: UUID!) { activity(id: $id) { version processorIds } }",
            json!({"id": aid}),
        )
        .await;
    assert_eq!(data(&act)["activity"]["processorIds"], json!([pid]));
    assert_eq!(data(&act)["activity"]["version"], 2);
    let twice = app.gql(c, LINK, json!({"p": pid, "a": aid})).await;
    assert_eq!(error_code(&twice).as_deref(), Some("CONFLICT"));
    assert_french_errors(&twice);

    // The export's register names the processor on the activity, and its sheet lists it.
    let json_file = export_file(&app, c, "format=json", ".json").await;
    let doc: serde_json::Value = serde_json::from_slice(&json_file).expect("json");
    let sheets = doc["sheets"].as_array().expect("sheets");
    let register = sheets
        .iter()
        .find(|s| s["name"] == "Registre")
        .expect("register");
    let row = register["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["name"] == "État civil")
        .expect("the activity");
    assert_eq!(row["processors"], "Berger-Levrault SA");
    let processors = sheets
        .iter()
        .find(|s| s["name"] == "Sous-traitants")
        .expect("processors sheet");
    assert_eq!(processors["rows"][0]["name"], "Berger-Levrault SA");
    assert_eq!(processors["rows"][0]["contract"], "Marché 2024-12");

    // Another commune's activity is refused; another organisation reaches neither.
    let margny = app
        .gql(&fx.editor_a2, CREATE_ACTIVITY, json!({"t": fx.tenant_a2}))
        .await;
    let margny_activity = data(&margny)["createActivity"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let across = app
        .gql(
            &fx.org_admin_a,
            LINK,
            json!({"p": pid, "a": margny_activity}),
        )
        .await;
    assert_eq!(
        error_code(&across).as_deref(),
        Some("BAD_USER_INPUT"),
        "{across}"
    );
    assert_french_errors(&across);
    let foreign = app
        .gql(&fx.editor_a2, LINK, json!({"p": pid, "a": margny_activity}))
        .await;
    assert_eq!(
        error_code(&foreign).as_deref(),
        Some("NOT_FOUND"),
        "{foreign}"
    );
    for (q, v) in [
        (UNLINK, json!({"p": pid, "a": aid})),
        (
            "mutation($id: UUID!, $d: Date) { updateProcessor(id: $id, input: {name: \"x\", dpaSignedOn: $d}) { id } }",
            json!({"id": pid, "d": null}),
        ),
        ("query($id: UUID!) { processor(id: $id) { id } }", json!({"id": pid})),
    ] {
        let r = app.gql(&fx.org_admin_b, q, v).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    }

    // Unlinked.
    let u = app.gql(c, UNLINK, json!({"p": pid, "a": aid})).await;
    assert_eq!(
        data(&u)["unlinkProcessorFromActivity"]["activityIds"],
        json!([])
    );
}

#[tokio::test]
async fn an_archived_activity_leaves_the_register_and_a_draft_is_deleted() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let c = &fx.commune_admin_a1;
    let a = app
        .gql(c, CREATE_ACTIVITY, json!({"t": fx.tenant_a1}))
        .await;
    let id = data(&a)["createActivity"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    data(
        &app.gql(
            c,
            "mutation($id: UUID!) { setActivityStatus(id: $id, status: \"validated\") { id } }",
            json!({"id": id}),
        )
        .await,
    );
    // Its action plan, on the activity: added, changed, done.
    let today = tenants::calendar::paris_today();
    let act = app
        .gql(c, "mutation($t: UUID!, $a: UUID!, $d: Date!) { createGdprAction(tenantId: $t, activityId: $a, title: \"Mettre à jour les mentions\", dueOn: $d) { id } }", json!({"t": fx.tenant_a1, "a": id, "d": today}))
        .await;
    let action = data(&act)["createGdprAction"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let upd = app
        .gql(c, "mutation($id: UUID!, $d: Date!) { updateGdprAction(id: $id, title: \"Mentions du formulaire\", dueOn: $d) { title dueOn } }", json!({"id": action, "d": "2031-06-30"}))
        .await;
    assert_eq!(data(&upd)["updateGdprAction"]["dueOn"], "2031-06-30");
    let empty = app
        .gql(c, "mutation($id: UUID!, $d: Date!) { updateGdprAction(id: $id, title: \" \", dueOn: $d) { id } }", json!({"id": action, "d": "2031-06-30"}))
        .await;
    assert_eq!(empty["errors"][0]["extensions"]["field"], "title");
    assert_french_errors(&empty);
    let seen = app
        .gql(c, "query($id: UUID!) { activity(id: $id) { version actions { title dueOn status { code } } } }", json!({"id": id}))
        .await;
    let version = data(&seen)["activity"]["version"]
        .as_i64()
        .expect("version");
    assert_eq!(
        data(&seen)["activity"]["actions"],
        json!([{"title": "Mentions du formulaire", "dueOn": "2031-06-30", "status": {"code": "open"}}])
    );
    let foreign = app
        .gql(&fx.org_admin_b, "mutation($id: UUID!, $d: Date!) { updateGdprAction(id: $id, title: \"x\", dueOn: $d) { id } }", json!({"id": action, "d": "2031-06-30"}))
        .await;
    assert_eq!(error_code(&foreign).as_deref(), Some("NOT_FOUND"));

    // A validated activity is not deleted; another organisation cannot archive it.
    let del = app
        .gql(
            c,
            "mutation($id: UUID!, $v: Int!) { deleteActivity(id: $id, version: $v) }",
            json!({"id": id, "v": version}),
        )
        .await;
    assert_eq!(error_code(&del).as_deref(), Some("CONFLICT"), "{del}");
    assert_french_errors(&del);
    const ARCHIVE: &str = "mutation($id: UUID!, $v: Int!) { archiveActivity(id: $id, version: $v) { archivedAt version } }";
    let other = app
        .gql(&fx.org_admin_b, ARCHIVE, json!({"id": id, "v": version}))
        .await;
    assert_eq!(error_code(&other).as_deref(), Some("NOT_FOUND"));
    let stale = app
        .gql(c, ARCHIVE, json!({"id": id, "v": version - 1}))
        .await;
    assert_eq!(error_code(&stale).as_deref(), Some("CONFLICT"));

    // Archived: out of the register and its export, readable by id, audited, frozen.
    let ar = app.gql(c, ARCHIVE, json!({"id": id, "v": version})).await;
    assert!(data(&ar)["archiveActivity"]["archivedAt"].is_string());
    let export = export_file(&app, c, "format=json", ".json").await;
    assert!(!String::from_utf8_lossy(&export).contains("État civil"));
    let read = app
        .gql(
            c,
            "query($id: UUID!) { activity(id: $id) { name archivedAt } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data(&read)["activity"]["name"], "État civil");
    assert_eq!(
        app.count_where("audit_log", "operation = 'archiveActivity'")
            .await,
        1
    );
    let frozen = app
        .gql(
            c,
            "mutation($id: UUID!) { setActivityStatus(id: $id, status: \"draft\") { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&frozen).as_deref(), Some("CONFLICT"));
    assert_french_errors(&frozen);

    // A draft is deleted; its content stays in the audit trail.
    let d = app
        .gql(c, CREATE_ACTIVITY, json!({"t": fx.tenant_a1}))
        .await;
    let draft = data(&d)["createActivity"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let other = app
        .gql(
            &fx.editor_a2,
            "mutation($id: UUID!) { deleteActivity(id: $id, version: 1) }",
            json!({"id": draft}),
        )
        .await;
    assert_eq!(error_code(&other).as_deref(), Some("NOT_FOUND"));
    let gone = app
        .gql(
            c,
            "mutation($id: UUID!) { deleteActivity(id: $id, version: 1) }",
            json!({"id": draft}),
        )
        .await;
    assert_eq!(data(&gone)["deleteActivity"], draft.as_str());
    assert_eq!(
        app.count_where("gdpr_activity", &format!("id = '{draft}'"))
            .await,
        0
    );
    assert_eq!(
        app.count_where(
            "audit_log",
            &format!("operation = 'deleteActivity' AND before->>'id' = '{draft}'")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_model_is_copied_once_into_a_communes_register() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let ids = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a2)
        .await;
    const COPY: &str = "mutation($m: UUID!, $t: UUID!) { instantiateModel(modelId: $m, tenantId: $t) { id version } }";
    let first = app
        .gql(
            &fx.commune_admin_a1,
            COPY,
            json!({"m": ids.model, "t": fx.tenant_a1}),
        )
        .await;
    let copy = data(&first)["instantiateModel"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Again: CONFLICT in French, naming the copy to open.
    let again = app
        .gql(
            &fx.commune_admin_a1,
            COPY,
            json!({"m": ids.model, "t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"), "{again}");
    assert_eq!(
        again["errors"][0]["extensions"]["existingId"],
        copy.as_str()
    );
    assert_french_errors(&again);
    assert!(again["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("Compiègne") && m.contains("« Cantine scolaire »")));
    assert_eq!(
        app.count_where(
            "gdpr_activity",
            &format!(
                "model_id = '{}' AND tenant_id = '{}'",
                ids.model, fx.tenant_a1
            )
        )
        .await,
        1
    );
    // Another commune copies it for itself; another organisation reaches neither.
    data(
        &app.gql(
            &fx.editor_a2,
            COPY,
            json!({"m": ids.model, "t": fx.tenant_a2}),
        )
        .await,
    );
    let foreign = app
        .gql(
            &fx.org_admin_b,
            COPY,
            json!({"m": ids.model, "t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(
        error_code(&foreign).as_deref(),
        Some("NOT_FOUND"),
        "{foreign}"
    );
    // Once the copy is archived, a new one may be made.
    data(
        &app.gql(
            &fx.commune_admin_a1,
            "mutation($id: UUID!) { archiveActivity(id: $id, version: 1) { id } }",
            json!({"id": copy}),
        )
        .await,
    );
    let after = app
        .gql(
            &fx.commune_admin_a1,
            COPY,
            json!({"m": ids.model, "t": fx.tenant_a1}),
        )
        .await;
    assert_ne!(data(&after)["instantiateModel"]["id"], copy.as_str());
}

#[tokio::test]
async fn the_register_pdf_is_tagged_and_keeps_words_whole() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a2)
        .await;
    let pdf = export_file(
        &app,
        &fx.dpo_a,
        &format!("tenant={}&tenant={}&format=pdf", fx.tenant_a1, fx.tenant_a2),
        ".pdf",
    )
    .await;
    let doc = lopdf::Document::load_mem(&pdf).expect("PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let raw = doc.extract_text(&pages).expect("text");
    let words: Vec<&str> = raw.split_whitespace().collect();
    for whole in ["Compiègne", "Margny-lès-Compiègne", "Cantine", "scolaire"] {
        assert!(words.contains(&whole), "{whole} not whole in:\n{raw}");
    }
    assert!(!words.contains(&"Compièg"), "{raw}");
    // One block a record: the labels stand beside the values.
    let squashed = words.join(" ");
    assert!(squashed.contains("Commune Compiègne"), "{squashed}");
    assert!(
        squashed.contains("Commune Margny-lès-Compiègne"),
        "{squashed}"
    );
    // Tagged: a structure tree and the Marked flag.
    let catalog = doc.catalog().expect("catalog");
    assert!(catalog.get(b"StructTreeRoot").is_ok(), "not tagged");
    let mark_info = catalog
        .get(b"MarkInfo")
        .and_then(|m| doc.dereference(m).map(|(_, o)| o.clone()))
        .expect("MarkInfo");
    assert_eq!(
        mark_info
            .as_dict()
            .and_then(|d| d.get(b"Marked"))
            .and_then(lopdf::Object::as_bool)
            .ok(),
        Some(true)
    );
}
