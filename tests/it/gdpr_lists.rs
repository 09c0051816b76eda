//! Issue 19: the GDPR lists of the console — the printable sheet of an activity, the export of
//! a filtered list (the same rows as the list), each person's column choice, bulk actions.
use integration_tests::*;
use serde_json::{json, Value};

/// The rows of a CSV export (BOM dropped, `;` separated, no quoted `;` in these tests).
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    csv.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split(';')
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages)
        .expect("text")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn activity(
    app: &TestApp,
    caller: &Caller,
    tenant: uuid::Uuid,
    name: &str,
    sensitive: bool,
) -> Value {
    let input = ACTIVITY_INPUT
        .replace("Cantine scolaire", name)
        .replace("sensitive: true", &format!("sensitive: {sensitive}"));
    let r = app
        .gql(
            caller,
            &format!("mutation($t: UUID!) {{ createActivity(tenantId: $t, input: {input}) {{ id version name }} }}"),
            json!({"t": tenant}),
        )
        .await;
    data(&r)["createActivity"].clone()
}

#[tokio::test]
async fn the_sheet_prints_every_field_and_an_export_is_the_filtered_list() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let g = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    // The processor and a DPIA on the activity, an action for it.
    let input = ACTIVITY_INPUT.replace(
        "department:",
        &format!("processorIds: [\"{}\"], department:", g.processor),
    );
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &format!("mutation($id: UUID!, $t: UUID!, $d: Date!) {{ updateActivity(id: $id, version: 1, input: {input}) {{ id }}
               recordDpia(activityId: $id, status: \"in_progress\") {{ id }}
               createGdprAction(tenantId: $t, activityId: $id, title: \"Rédiger la mention d'information\", dueOn: $d) {{ id }} }}"),
            json!({"id": g.activity, "t": fx.tenant_a1, "d": "2027-01-15"}),
        )
        .await;
    data(&r);
    for (name, sensitive) in [
        ("Archives municipales", false),
        ("Aide sociale (CCAS)", true),
        ("Cimetière", false),
        ("Accueil de loisirs", true),
    ] {
        activity(&app, &fx.commune_admin_a1, fx.tenant_a1, name, sensitive).await;
    }
    // Another commune's, which nobody here asks for.
    activity(
        &app,
        &fx.org_admin_a,
        fx.tenant_a2,
        "Cantine de Margny",
        true,
    )
    .await;

    // The sheet: every field of the register entry, its processor, DPIA and action plan.
    let sheet = api::http::gdpr_lists::ACTIVITY_SHEET;
    let (status, pdf) = app
        .get_bytes_as(&fx.commune_admin_a1, sheet, &format!("id={}", g.activity))
        .await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    for expected in [
        "Cantine scolaire",
        "Inscription et facturation de la restauration scolaire",
        "Mission d'intérêt public",
        "Allergies (PAI)",
        "Service enfance",
        "Portail famille",
        "Prestataire cantine",
        "En cours",
        "Rédiger la mention d'information",
        "Compiègne",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    // An agent of another commune cannot print it; a bad id is a French 400.
    let (status, _) = app
        .get_bytes_as(&fx.editor_a2, sheet, &format!("id={}", g.activity))
        .await;
    assert_eq!(status, 404);
    let (status, body) = app.get_as(&fx.commune_admin_a1, sheet, "id=abc").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("n'est pas un identifiant"), "{body}");

    // The export is the list: same filters, same sort, all pages.
    let list = api::http::gdpr_lists::LIST_EXPORT;
    let gql_names = |vars: Value| {
        let app = &app;
        let caller = fx.commune_admin_a1.clone();
        async move {
            let r = app
                .gql(
                    &caller,
                    "query($s: Boolean, $q: String, $o: ActivityOrder!, $d: Boolean!) { activities(sensitive: $s, search: $q, orderBy: $o, descending: $d, first: 2) { totalCount items { name } } }",
                    vars,
                )
                .await;
            let d = data(&r)["activities"].clone();
            (d["totalCount"].as_u64().expect("total"), d)
        }
    };
    // The list's first page holds two; the export holds every row of the filter.
    let (total, _) = gql_names(json!({"s": true, "o": "NAME", "d": true})).await;
    assert_eq!(total, 3, "three sensitive activities in Compiègne");
    let (status, csv) = app
        .get_as(
            &fx.commune_admin_a1,
            list,
            &format!(
                "list=activities&format=csv&tenant={}&sensitive=true&orderBy=NAME&descending=true",
                fx.tenant_a1
            ),
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    let rows = csv_rows(&csv);
    assert_eq!(rows[0][0], "Traitement", "French headers: {csv}");
    assert!(rows[0].contains(&"Données sensibles".to_owned()), "{csv}");
    let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "Cantine scolaire",
            "Aide sociale (CCAS)",
            "Accueil de loisirs"
        ]
    );
    // Every page of the GraphQL list, in the same order, gives the same names.
    let mut listed = vec![];
    for offset in [0, 2] {
        let r = app
            .gql(
                &fx.commune_admin_a1,
                "query($t: [UUID!], $off: Int!) { activities(tenantIds: $t, sensitive: true, orderBy: NAME, descending: true, first: 2, offset: $off) { items { name } } }",
                json!({"t": [fx.tenant_a1], "off": offset}),
            )
            .await;
        for i in data(&r)["activities"]["items"].as_array().expect("items") {
            listed.push(i["name"].as_str().expect("name").to_owned());
        }
    }
    assert_eq!(names, listed);
    // A search, the chosen columns only, in ODS.
    let (status, ods) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            list,
            "list=activities&format=ods&search=cantine&column=status&column=name",
        )
        .await;
    assert_eq!(status, 200);
    let rows = crate::figures_agree::ods_rows(&ods);
    assert_eq!(rows[0], ["Traitement", "Statut"]);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], "Cantine scolaire");
    // XLSX opens as a workbook.
    let (status, xlsx) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            list,
            "list=requests&format=xlsx&openOnly=true",
        )
        .await;
    assert_eq!(status, 200);
    assert!(zip::ZipArchive::new(std::io::Cursor::new(xlsx)).is_ok());
    // Requests: the open ones, as the list gives them.
    let (status, csv) = app
        .get_as(
            &fx.commune_admin_a1,
            list,
            "list=requests&format=csv&openOnly=true",
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    let rows = csv_rows(&csv);
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ rightsRequests(openOnly: true) { totalCount items { requester } } }",
            json!({}),
        )
        .await;
    let want: Vec<String> = data(&r)["rightsRequests"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["requester"].as_str().expect("requester").to_owned())
        .collect();
    assert_eq!(
        rows[1..].iter().map(|r| r[0].clone()).collect::<Vec<_>>(),
        want
    );
    assert_eq!(rows[0][0], "Demandeur");
    // Bad input: an unknown list, column, filter or format is a 400 naming it.
    for (q, field) in [
        ("list=contracts", "list"),
        ("list=activities&column=salary", "columns"),
        ("list=breaches&sensitive=true", "query"),
        ("list=activities&format=docx", "format"),
    ] {
        let (status, body) = app.get_as(&fx.commune_admin_a1, list, q).await;
        assert_eq!(status, 400, "{q}: {body}");
        let v: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(v["error"]["field"], field, "{q}: {body}");
    }
}

#[tokio::test]
async fn column_choices_are_kept_per_person_and_follow_them() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let get = "{ listColumns(list: \"activities\") }";
    let set = "mutation($c: [String!]!) { setListColumns(list: \"activities\", columns: $c) }";
    // Nothing chosen yet.
    let r = app.gql(&fx.commune_admin_a1, get, json!({})).await;
    assert!(data(&r)["listColumns"].is_null());
    // Kept in the list's order.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            set,
            json!({"c": ["updated_at", "name", "status"]}),
        )
        .await;
    assert_eq!(
        data(&r)["setListColumns"],
        json!(["name", "status", "updated_at"])
    );
    // Another browser: another session of the same person finds it.
    let user: uuid::Uuid = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        tenants::entities::app_user::Entity::find()
            .filter(tenants::entities::app_user::Column::Email.eq("dgs@mairie-compiegne.fr"))
            .one(&app.admin)
            .await
            .expect("query")
            .expect("user")
            .id
    };
    let other_browser = app.session_for(user, "dgs@mairie-compiegne.fr").await;
    let r = app.gql(&other_browser, get, json!({})).await;
    assert_eq!(
        data(&r)["listColumns"],
        json!(["name", "status", "updated_at"])
    );
    // Someone else keeps their own (none), and a changed choice replaces the first.
    let r = app.gql(&fx.dpo_a, get, json!({})).await;
    assert!(data(&r)["listColumns"].is_null());
    let r = app
        .gql(&fx.dpo_a, set, json!({"c": ["name", "commune"]}))
        .await;
    data(&r);
    let r = app
        .gql(&other_browser, set, json!({"c": ["name", "owner"]}))
        .await;
    data(&r);
    let r = app.gql(&fx.commune_admin_a1, get, json!({})).await;
    assert_eq!(data(&r)["listColumns"], json!(["name", "owner"]));
    let r = app.gql(&fx.dpo_a, get, json!({})).await;
    assert_eq!(data(&r)["listColumns"], json!(["name", "commune"]));
    assert_eq!(app.count("user_list_preference").await, 2);
    // Unknown columns or lists, or none at all, are refused and change nothing.
    for (list, cols, field) in [
        ("activities", json!(["salary"]), "columns"),
        ("activities", json!([]), "columns"),
        ("contracts", json!(["name"]), "list"),
    ] {
        let r = app
            .gql(
                &fx.commune_admin_a1,
                "mutation($l: String!, $c: [String!]!) { setListColumns(list: $l, columns: $c) }",
                json!({"l": list, "c": cols}),
            )
            .await;
        assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], field);
    }
    let r = app.gql(&fx.commune_admin_a1, get, json!({})).await;
    assert_eq!(data(&r)["listColumns"], json!(["name", "owner"]));
    // Row-level security: the application role with another person's id reads none of them.
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = app.db.begin().await.expect("txn");
    txn.execute_unprepared(&format!(
        "SELECT set_config('app.user_id', '{}', true)",
        uuid::Uuid::now_v7()
    ))
    .await
    .expect("set");
    let n: i64 = txn
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM user_list_preference",
        ))
        .await
        .expect("count")
        .expect("row")
        .try_get("", "n")
        .expect("n");
    assert_eq!(n, 0);
    txn.rollback().await.expect("rollback");
}

#[tokio::test]
async fn a_bulk_archive_is_all_or_nothing_and_a_print_holds_every_sheet() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let mut picked = vec![];
    for name in ["Archives municipales", "Cimetière", "Accueil de loisirs"] {
        picked.push(activity(&app, &fx.commune_admin_a1, fx.tenant_a1, name, false).await);
    }
    let margny = activity(
        &app,
        &fx.org_admin_a,
        fx.tenant_a2,
        "Cantine de Margny",
        false,
    )
    .await;
    let items = |v: &[Value]| -> Value {
        v.iter()
            .map(|a| json!({"id": a["id"], "version": a["version"]}))
            .collect()
    };
    let bulk = "mutation($i: [SelectedActivity!]!) { archiveActivities(items: $i) { archived ids message } }";
    let archived = || app.count_where("gdpr_activity", "archived_at IS NOT NULL");
    let audits = || app.count_where("audit_log", "operation = 'archiveActivity'");
    // One stale version among them: nothing is archived, the message names the activity.
    let mut stale = picked.clone();
    stale[1]["version"] = json!(7);
    let r = app
        .gql(&fx.commune_admin_a1, bulk, json!({"i": items(&stale)}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    let msg = r["errors"][0]["message"].as_str().expect("message");
    assert!(
        msg.contains("Cimetière") && msg.contains("Aucun traitement n'a été archivé"),
        "{msg}"
    );
    assert_eq!(archived().await, 0);
    assert_eq!(audits().await, 0);
    // Another commune's among them: NOT_FOUND, nothing archived.
    let mut foreign = picked.clone();
    foreign.push(margny.clone());
    let r = app
        .gql(&fx.commune_admin_a1, bulk, json!({"i": items(&foreign)}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    assert_eq!(archived().await, 0);
    // All of them: archived together, each audited, out of the list.
    let r = app
        .gql(&fx.commune_admin_a1, bulk, json!({"i": items(&picked)}))
        .await;
    let d = &data(&r)["archiveActivities"];
    assert_eq!(d["archived"], 3);
    assert_eq!(d["message"], "3 traitements ont été archivés.");
    assert_eq!(archived().await, 3);
    assert_eq!(audits().await, 3);
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ activities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&r)["activities"]["totalCount"], 0);
    // An agent of another commune cannot (its scope does not reach them).
    let r = app
        .gql(
            &fx.editor_a2,
            bulk,
            json!({"i": [{"id": picked[0]["id"], "version": 2}]}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");

    // Printing the selection: one PDF, every selected sheet in it.
    let ids: Vec<String> = picked
        .iter()
        .map(|a| format!("id={}", a["id"].as_str().expect("id")))
        .collect();
    let (status, pdf) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            api::http::gdpr_lists::ACTIVITY_SHEET,
            &ids.join("&"),
        )
        .await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    for name in ["Archives municipales", "Cimetière", "Accueil de loisirs"] {
        assert!(text.contains(name), "{name} missing: {text}");
    }
    // Exporting the selection: those rows only (archived ones are out of the register).
    let (status, csv) = app
        .get_as(
            &fx.org_admin_a,
            api::http::gdpr_lists::LIST_EXPORT,
            &format!(
                "list=activities&format=csv&id={}",
                margny["id"].as_str().expect("id")
            ),
        )
        .await;
    assert_eq!(status, 200);
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 2, "{csv}");
    assert_eq!(rows[1][0], "Cantine de Margny");
}
