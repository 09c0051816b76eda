//! Issue 19: the commune's GDPR actors, and the yearly bilan of the DPO per commune.
use integration_tests::*;
use serde_json::{json, Value};

const ACTOR: &str = "mutation($t: UUID!, $i: GdprActorInput!) { createGdprActor(tenantId: $t, input: $i) { id version role { code label } fullName email } }";

fn actor(role: &str, name: &str) -> Value {
    json!({"role": role, "fullName": name, "functionTitle": "Fonction", "email": "p@mairie.fr", "phone": "03 44 40 72 00", "since": "2024-03-01"})
}

#[tokio::test]
async fn actors_are_recorded_by_the_commune_admin_or_the_dpo_and_shown_to_the_dpo() {
    let app = spawn_app().await;
    let fx = app.fixture().await;

    // The commune's administrator names its référent; the DPO its representative.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            ACTOR,
            json!({"t": fx.tenant_a1, "i": actor("referent", "Claire Dupont")}),
        )
        .await;
    let referent = data(&r)["createGdprActor"].clone();
    assert_eq!(referent["role"]["label"], "Référent RGPD");
    let r = app
        .gql(
            &fx.dpo_a,
            ACTOR,
            json!({"t": fx.tenant_a1, "i": actor("representative", "Philippe Marini")}),
        )
        .await;
    data(&r);
    for (name, role) in [("Anne Leroy", "Présidente"), ("Marc Petit", "Secrétaire")] {
        let mut i = actor("committee_member", name);
        i["committeeRole"] = json!(role);
        let r = app
            .gql(
                &fx.commune_admin_a1,
                ACTOR,
                json!({"t": fx.tenant_a1, "i": i}),
            )
            .await;
        data(&r);
    }

    // A second référent is a conflict, and writes nothing.
    let before = app.count("gdpr_actor").await;
    let r = app
        .gql(
            &fx.dpo_a,
            ACTOR,
            json!({"t": fx.tenant_a1, "i": actor("referent", "Autre Personne")}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    // Bad input names its field, in French.
    let mut bad = actor("it_referent", "Jean Martin");
    bad["email"] = json!("pas-une-adresse");
    let r = app
        .gql(
            &fx.commune_admin_a1,
            ACTOR,
            json!({"t": fx.tenant_a1, "i": bad}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "email");
    // An agent of a commune may not (he edits the register, not its actors).
    let r = app
        .gql(
            &fx.editor_a2,
            ACTOR,
            json!({"t": fx.tenant_a2, "i": actor("referent", "Agent")}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    // Nor may the administrator of Compiègne name Margny's.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            ACTOR,
            json!({"t": fx.tenant_a2, "i": actor("referent", "Intrus")}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    assert_eq!(app.count("gdpr_actor").await, before);

    // Update with the version read; a stale version is a conflict.
    let id = referent["id"].as_str().expect("id");
    let upd = "mutation($id: UUID!, $v: Int!, $i: GdprActorInput!) { updateGdprActor(id: $id, version: $v, input: $i) { version fullName phone } }";
    let mut changed = actor("referent", "Claire Dupont-Morel");
    changed["phone"] = json!("+33 3 44 40 72 01");
    let r = app
        .gql(
            &fx.commune_admin_a1,
            upd,
            json!({"id": id, "v": 1, "i": changed}),
        )
        .await;
    assert_eq!(data(&r)["updateGdprActor"]["version"], 2);
    assert_eq!(
        data(&r)["updateGdprActor"]["fullName"],
        "Claire Dupont-Morel"
    );
    let r = app
        .gql(&fx.dpo_a, upd, json!({"id": id, "v": 1, "i": changed}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");

    // Every write is in the audit trail.
    assert_eq!(
        app.count_where("audit_log", "operation = 'createGdprActor'")
            .await,
        4
    );
    assert_eq!(
        app.count_where("audit_log", "operation = 'updateGdprActor'")
            .await,
        1
    );

    // The commune reads its own actors, in role order; the DPO sees which commune lacks whom.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ gdprActors { tenantId role { code } fullName committeeRole } }",
            json!({}),
        )
        .await;
    let list = data(&r)["gdprActors"].as_array().expect("list").clone();
    let roles: Vec<&str> = list
        .iter()
        .map(|a| a["role"]["code"].as_str().expect("code"))
        .collect();
    assert_eq!(
        roles,
        [
            "referent",
            "representative",
            "committee_member",
            "committee_member"
        ]
    );
    assert_eq!(list[2]["fullName"], "Anne Leroy");
    let r = app
        .gql(
            &fx.dpo_a,
            "query($o: UUID!) { gdprActorCoverage(organisationId: $o) { tenantId name referent itReferent committeeMembers missing } }",
            json!({"o": fx.org_a}),
        )
        .await;
    let rows = data(&r)["gdprActorCoverage"]
        .as_array()
        .expect("rows")
        .clone();
    assert_eq!(rows.len(), 22, "every member commune of the agglomeration");
    let compiegne = rows
        .iter()
        .find(|c| c["tenantId"] == json!(fx.tenant_a1))
        .expect("Compiègne");
    assert_eq!(compiegne["referent"], "Claire Dupont-Morel");
    assert_eq!(compiegne["committeeMembers"], 2);
    assert_eq!(compiegne["missing"], json!(["Référent informatique"]));
    let margny = rows
        .iter()
        .find(|c| c["tenantId"] == json!(fx.tenant_a2))
        .expect("Margny");
    assert!(margny["referent"].is_null());
    assert_eq!(margny["missing"].as_array().map(Vec::len), Some(3));

    // Delete: gone, audited; a foreign organisation's DSI cannot.
    let r = app
        .gql(
            &fx.org_admin_b,
            "mutation($id: UUID!) { deleteGdprActor(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql(
            &fx.dpo_a,
            "mutation($id: UUID!) { deleteGdprActor(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data(&r)["deleteGdprActor"], json!(id));
    assert_eq!(
        app.count_where("audit_log", "operation = 'deleteGdprActor'")
            .await,
        1
    );
    assert_eq!(app.count("gdpr_actor").await, before - 1);
}

/// The text runs of a DOCX's body, in order.
fn docx_texts(docx: &[u8]) -> Vec<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("DOCX is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl>`, `<w:tr>`, `<w:tc>`…
    xml.split("<w:t")
        .skip(1)
        .filter(|s| s.starts_with('>') || s.starts_with(' '))
        .filter_map(|s| s.split_once('>').map(|(_, rest)| rest))
        .map(|s| {
            s.split("</w:t>")
                .next()
                .unwrap_or_default()
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The value written right after `label` in the DOCX (the next cell of its row).
fn docx_value(texts: &[String], label: &str) -> String {
    let i = texts
        .iter()
        .position(|t| t == label)
        .unwrap_or_else(|| panic!("{label} not in the DOCX: {texts:?}"));
    texts[i + 1].clone()
}

const RUN: &str = "query($id: UUID!) { gdprBilanRun(id: $id) { id total done finished finishedAt bilans { id tenantId docxUrl pdfUrl figures { commune activities activitiesSensitive activitiesValidated requestsReceived requestsInTime requestsLate requestsPending breaches breachesUndecided maturityBp dpias actionsPlanned actorsMissing } } } }";

#[tokio::test]
async fn the_worker_makes_every_communes_bilan_with_progress_and_the_figures_agree() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let today = tenants::calendar::paris_today();
    let late_day = today - chrono::Duration::days(45);
    // The bilan of the year of a request received 45 days ago (overdue by now).
    let year = chrono::Datelike::year(&late_day);
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($t: UUID!, $d: Date!, $i: GdprActorInput!) {
               createRightsRequest(input: {tenantId: $t, kind: \"erasure\", receivedOn: $d, requester: \"Mme Durand\"}) { id }
               createGdprActor(tenantId: $t, input: $i) { id } }",
            json!({"t": fx.tenant_a1, "d": late_day, "i": actor("referent", "Claire Dupont")}),
        )
        .await;
    data(&r);
    app.maturity_objects(&fx.dpo_a, fx.org_a, fx.tenant_a1)
        .await;
    app.drop_report_jobs().await;

    // Only the organisation's DPO or DSI asks; a commune's administrator may not.
    let ask = "mutation($o: UUID!, $y: Int!) { requestGdprBilans(organisationId: $o, year: $y) { id total done finished } }";
    let r = app
        .gql(&fx.commune_admin_a1, ask, json!({"o": fx.org_a, "y": year}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql(&fx.dpo_a, ask, json!({"o": fx.org_a, "y": 2017}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    let r = app
        .gql(&fx.dpo_a, ask, json!({"o": fx.org_a, "y": year}))
        .await;
    let run = data(&r)["requestGdprBilans"].clone();
    assert_eq!(run["total"], 22);
    assert_eq!(run["done"], 0);
    assert_eq!(run["finished"], false);
    let run_id = run["id"].as_str().expect("run id").to_owned();
    // One job per commune, written with the run.
    assert_eq!(
        app.count_where("job", "kind = 'gdpr.bilan' AND status = 'pending'")
            .await,
        22
    );

    // One commune's job: the progress says 1 of 22.
    tenants::gdpr::bilan::generate(
        &app.db,
        fx.org_a,
        run_id.parse().expect("uuid"),
        fx.tenant_a1,
    )
    .await
    .expect("one bilan");
    let r = app.gql(&fx.dpo_a, RUN, json!({"id": run_id})).await;
    let p = data(&r)["gdprBilanRun"].clone();
    assert_eq!(
        (p["done"].clone(), p["finished"].clone()),
        (json!(1), json!(false))
    );
    // The worker does the rest (Compiègne's job again too: nothing stored twice).
    worker::run_jobs(&app.db, &job_settings("bilans"))
        .await
        .expect("jobs");
    let r = app.gql(&fx.dpo_a, RUN, json!({"id": run_id})).await;
    let p = data(&r)["gdprBilanRun"].clone();
    assert_eq!(p["done"], 22, "{p}");
    assert_eq!(p["finished"], true);
    assert!(p["finishedAt"].is_string());
    assert_eq!(app.count("gdpr_bilan").await, 22);
    assert_eq!(
        app.count_where("job", "kind = 'gdpr.bilan' AND status = 'done'")
            .await,
        22
    );
    let bilans = p["bilans"].as_array().expect("bilans").clone();
    let mine = bilans
        .iter()
        .find(|b| b["tenantId"] == json!(fx.tenant_a1))
        .expect("Compiègne's bilan")
        .clone();
    let f = mine["figures"].clone();

    // The figures are the lists' figures.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "query($t: [UUID!]) { all: activities(tenantIds: $t) { totalCount }
               sensitive: activities(tenantIds: $t, sensitive: true) { totalCount }
               rightsRequests(tenantIds: $t, first: 500) { items { receivedOn status { code } effectiveDueOn answeredOn overdue } }
               maturityAssessments(tenantIds: $t) { assessedOn scoreBp } }",
            json!({"t": [fx.tenant_a1]}),
        )
        .await;
    let d = data(&r);
    assert_eq!(f["activities"], d["all"]["totalCount"]);
    assert_eq!(f["activitiesSensitive"], d["sensitive"]["totalCount"]);
    let of_year: Vec<&Value> = d["rightsRequests"]["items"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| {
            r["receivedOn"]
                .as_str()
                .is_some_and(|s| s.starts_with(&year.to_string()))
        })
        .collect();
    assert_eq!(f["requestsReceived"], of_year.len());
    let late = of_year.iter().filter(|r| r["overdue"] == true).count();
    assert!(late >= 1, "the request of 45 days ago is overdue");
    assert_eq!(f["requestsLate"], late);
    let latest = d["maturityAssessments"]
        .as_array()
        .expect("assessments")
        .iter()
        .filter(|a| {
            a["assessedOn"]
                .as_str()
                .is_some_and(|s| s <= format!("{year}-12-31").as_str())
        })
        .filter_map(|a| a["scoreBp"].as_i64())
        .next_back();
    assert_eq!(f["maturityBp"].as_i64(), latest);
    assert_eq!(
        f["actorsMissing"],
        json!([
            "Représentant du responsable de traitement",
            "Référent informatique"
        ])
    );
    // And the live figures say the same as the stored ones.
    let r = app
        .gql(
            &fx.dpo_a,
            "query($t: UUID!, $y: Int!) { gdprBilanFigures(tenantId: $t, year: $y) { activities requestsLate requestsReceived maturityBp } }",
            json!({"t": fx.tenant_a1, "y": year}),
        )
        .await;
    let live = &data(&r)["gdprBilanFigures"];
    for k in [
        "activities",
        "requestsLate",
        "requestsReceived",
        "maturityBp",
    ] {
        assert_eq!(live[k], f[k], "{k}");
    }

    // The DOCX opens and its tables carry the figures; the PDF's text says the same.
    let url = |k: &str| mine[k].as_str().expect("url").to_owned();
    let (path, query) = url("docxUrl")
        .split_once('?')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .expect("query");
    let (status, docx) = app.get_bytes_as(&fx.commune_admin_a1, &path, &query).await;
    assert_eq!(status, 200);
    let texts = docx_texts(&docx);
    assert!(
        texts.iter().any(|t| t.contains("Bilan annuel du DPO")),
        "{texts:?}"
    );
    let (path, query) = url("pdfUrl")
        .split_once('?')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .expect("query");
    let (status, pdf) = app.get_bytes_as(&fx.commune_admin_a1, &path, &query).await;
    assert_eq!(status, 200);
    let text = crate::gdpr_lists::pdf_text(&pdf);
    for (label, key) in [
        ("Traitements au registre", "activities"),
        ("Traitements avec données sensibles", "activitiesSensitive"),
        ("Demandes reçues", "requestsReceived"),
        ("Demandes traitées ou ouvertes hors délai", "requestsLate"),
        ("Violations", "breaches"),
    ] {
        let v = f[key].to_string();
        assert_eq!(docx_value(&texts, label), v, "{label} in the DOCX");
        assert!(
            text.contains(&format!("{label} {v}")),
            "{label} {v} not in the PDF: {text}"
        );
    }
    assert!(
        texts.iter().any(|t| t == "Claire Dupont"),
        "the référent is named"
    );

    // A commune reads its own bilans, never its neighbour's.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ gdprBilans { tenantId } }",
            json!({}),
        )
        .await;
    let own = data(&r)["gdprBilans"].as_array().expect("list").clone();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["tenantId"], json!(fx.tenant_a1));
    let margny = bilans
        .iter()
        .find(|b| b["tenantId"] == json!(fx.tenant_a2))
        .expect("Margny's bilan");
    let (path, query) = margny["pdfUrl"]
        .as_str()
        .expect("url")
        .split_once('?')
        .expect("query");
    let (status, _) = app.get_bytes_as(&fx.commune_admin_a1, path, query).await;
    assert_eq!(status, 404);
    let (status, _) = app.get_bytes_as(&fx.org_admin_b, path, query).await;
    assert_eq!(status, 404);
    // The request is in the audit trail.
    assert_eq!(
        app.count_where("audit_log", "operation = 'requestGdprBilans'")
            .await,
        1
    );
}
