//! Legal clocks through the API: rights requests (1182/71 month, extension) and breaches (72h).
use integration_tests::*;
use serde_json::json;
use tenants::gdpr::calendar::Calendar;

const CREATE: &str = "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"erasure\", receivedOn: $d, requester: \"Mme Leroy\"}) { id dueOn effectiveDueOn overdue daysLeft status { code } } }";

#[tokio::test]
async fn rights_requests_follow_the_month_and_the_extension_rule() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let c = &fx.commune_admin_a1;
    // 31 January 2026: 28 February is a Saturday -> Monday 2 March.
    let r = app
        .gql(c, CREATE, json!({"t": fx.tenant_a1, "d": "2026-01-31"}))
        .await;
    let old = &data(&r)["createRightsRequest"];
    assert_eq!(old["dueOn"], "2026-03-02");
    let today = tenants::calendar::paris_today();
    assert_eq!(
        old["overdue"],
        today > chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date")
    );
    let old_id = old["id"].as_str().expect("id").to_owned();
    // Too late to extend.
    let ext = app.gql(c, "mutation($id: UUID!) { extendRightsRequest(id: $id, reason: \"demande complexe\") { id } }", json!({"id": old_id})).await;
    if today > chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date") {
        assert_eq!(error_code(&ext).as_deref(), Some("BAD_USER_INPUT"), "{ext}");
    }

    // Received today: extension allowed once, with a reason, to three months.
    let r = app
        .gql(c, CREATE, json!({"t": fx.tenant_a1, "d": today}))
        .await;
    let fresh = &data(&r)["createRightsRequest"];
    let cal = Calendar::for_insee("60159");
    assert_eq!(fresh["dueOn"], cal.months_later(today, 1).to_string());
    assert_eq!(fresh["overdue"], false);
    let id = fresh["id"].as_str().expect("id").to_owned();
    let no_reason = app
        .gql(
            c,
            "mutation($id: UUID!) { extendRightsRequest(id: $id, reason: \" \") { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(no_reason["errors"][0]["extensions"]["field"], "reason");
    let ext = app
        .gql(c, "mutation($id: UUID!) { extendRightsRequest(id: $id, reason: \"Nombreuses pièces à réunir\") { extendedDueOn effectiveDueOn extensionReason } }", json!({"id": id}))
        .await;
    let e = &data(&ext)["extendRightsRequest"];
    assert_eq!(e["extendedDueOn"], cal.months_later(today, 3).to_string());
    assert_eq!(e["effectiveDueOn"], e["extendedDueOn"]);
    let twice = app
        .gql(
            c,
            "mutation($id: UUID!) { extendRightsRequest(id: $id, reason: \"encore\") { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&twice).as_deref(), Some("CONFLICT"));

    // Overdue list: only the January one (when today is past March 2026).
    let overdue = app
        .gql(
            c,
            "{ rightsRequests(overdueOnly: true) { items { id }} }",
            json!({}),
        )
        .await;
    let ids: Vec<&str> = data(&overdue)["rightsRequests"]["items"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        ids.contains(&old_id.as_str()) && !ids.contains(&id.as_str()),
        "{ids:?}"
    );
    // Answering needs the answer, then it is no longer overdue.
    let no = app
        .gql(
            c,
            "mutation($id: UUID!) { setRightsRequestStatus(id: $id, status: \"answered\") { id } }",
            json!({"id": old_id}),
        )
        .await;
    assert_eq!(no["errors"][0]["extensions"]["field"], "answer");
    let yes = app
        .gql(c, "mutation($id: UUID!) { setRightsRequestStatus(id: $id, status: \"answered\", answer: \"Données effacées\") { overdue daysLeft answeredOn } }", json!({"id": old_id}))
        .await;
    assert_eq!(data(&yes)["setRightsRequestStatus"]["overdue"], false);
    assert!(data(&yes)["setRightsRequestStatus"]["daysLeft"].is_null());

    // Input errors.
    let future = today + chrono::Duration::days(2);
    let r = app
        .gql(c, CREATE, json!({"t": fx.tenant_a1, "d": future}))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "receivedOn");
    let r = app
        .gql(c, "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"teleport\", receivedOn: $d, requester: \"x\"}) { id } }", json!({"t": fx.tenant_a1, "d": today}))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "kind");
}

#[tokio::test]
async fn breaches_count_seventy_two_elapsed_hours_and_want_reasons_when_late() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let c = &fx.commune_admin_a1;
    let create = "mutation($t: UUID!, $a: DateTime!) { createBreach(input: {tenantId: $t, title: \"Vol d'un ordinateur portable\", awareAt: $a, natures: [\"confidentiality\", \"availability\"], peopleCount: 120, severity: \"high\", consequences: \"Usurpation possible\", measures: \"Mots de passe changés\"}) { id notifyDeadline secondsLeft natures { label } notificationDraft } }";
    // Across the spring daylight-saving change: 27 March 2026 10:00 Paris = 09:00 UTC.
    let r = app
        .gql(
            c,
            create,
            json!({"t": fx.tenant_a1, "a": "2026-03-27T09:00:00Z"}),
        )
        .await;
    let b = &data(&r)["createBreach"];
    assert_eq!(b["notifyDeadline"], "2026-03-30T09:00:00+00:00");
    let draft = b["notificationDraft"].as_str().expect("draft");
    for part in [
        "Compiègne",
        "a) Nature",
        "b) Point de contact",
        "c) Conséquences",
        "d) Mesures",
        "30/03/2026 à 11:00",
        "environ 120",
    ] {
        assert!(draft.contains(part), "draft lacks {part}: {draft}");
    }
    let id = b["id"].as_str().expect("id").to_owned();
    let late = app.gql(c, "mutation($id: UUID!, $n: DateTime!) { recordBreachNotification(id: $id, notifiedAt: $n) { id } }", json!({"id": id, "n": "2026-03-31T08:00:00Z"})).await;
    assert_eq!(late["errors"][0]["extensions"]["field"], "lateReasons");
    let ok = app
        .gql(c, "mutation($id: UUID!, $n: DateTime!) { recordBreachNotification(id: $id, notifiedAt: $n, lateReasons: \"Constat un vendredi soir, service fermé\") { notifiedLate secondsLeft } }", json!({"id": id, "n": "2026-03-31T08:00:00Z"}))
        .await;
    assert_eq!(data(&ok)["recordBreachNotification"]["notifiedLate"], true);
    assert!(data(&ok)["recordBreachNotification"]["secondsLeft"].is_null());

    // A fresh one counts down; one documented as not notified leaves the open list.
    let now = chrono::Utc::now();
    let r = app
        .gql(
            c,
            create,
            json!({"t": fx.tenant_a1, "a": now - chrono::Duration::hours(2)}),
        )
        .await;
    let left = data(&r)["createBreach"]["secondsLeft"]
        .as_i64()
        .expect("seconds");
    assert!((69 * 3600..=70 * 3600 + 60).contains(&left), "{left}");
    let id2 = data(&r)["createBreach"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let open = app
        .gql(c, "{ breaches(openOnly: true) { items { id }} }", json!({}))
        .await;
    assert_eq!(data(&open)["breaches"]["items"], json!([{"id": id2}]));
    let nn = app
        .gql(
            c,
            "mutation($id: UUID!) { recordBreachNotNotified(id: $id, reason: \"\") { id } }",
            json!({"id": id2}),
        )
        .await;
    assert_eq!(nn["errors"][0]["extensions"]["field"], "reason");
    data(&app.gql(c, "mutation($id: UUID!) { recordBreachNotNotified(id: $id, reason: \"Données chiffrées, clé non compromise\") { id } }", json!({"id": id2})).await);
    let open = app
        .gql(
            c,
            "{ breaches(openOnly: true) { items { id }} all: breaches { items { id }} }",
            json!({}),
        )
        .await;
    assert_eq!(data(&open)["breaches"]["items"], json!([]));
    assert_eq!(
        data(&open)["all"]["items"].as_array().map(Vec::len),
        Some(2),
        "every breach stays documented"
    );

    // Input errors.
    let r = app
        .gql(
            c,
            create,
            json!({"t": fx.tenant_a1, "a": now + chrono::Duration::days(1)}),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "awareAt");
}
