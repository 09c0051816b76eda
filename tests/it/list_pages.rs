//! Issue 17: every list is a page `{ items, totalCount }`; nothing is cut without saying so.
//! Totals count what the caller reaches with the same filters, never another commune's rows;
//! search ignores case and accents; the sort is total so pages neither repeat nor skip a row.
use integration_tests::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Records `names.len()` requests in `tenant`, 25 a request (aliases are bounded).
async fn requests(app: &TestApp, caller: &Caller, tenant: uuid::Uuid, names: &[String]) {
    let today = chrono::Utc::now().date_naive();
    for chunk in names.chunks(25) {
        let body: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, n)| {
                format!(
                    "r{i}: createRightsRequest(input: {{tenantId: $t, kind: \"access\", receivedOn: $d, requester: {n:?}, details: \"Copie du dossier\"}}) {{ id }}"
                )
            })
            .collect();
        let r = app
            .gql(
                caller,
                &format!("mutation($t: UUID!, $d: Date!) {{ {} }}", body.join(" ")),
                json!({"t": tenant, "d": today}),
            )
            .await;
        assert!(r.get("errors").is_none(), "{r}");
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {page}"))
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn requests_are_read_page_by_page_with_their_total_and_no_other_communes() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let names: Vec<String> = (0..105).map(|i| format!("Demandeur {i:03}")).collect();
    requests(&app, &fx.commune_admin_a1, fx.tenant_a1, &names).await;
    // Another commune of A, and a commune of B: never counted for Compiègne.
    requests(&app, &fx.editor_a2, fx.tenant_a2, &names[..7]).await;
    requests(&app, &fx.org_admin_b, fx.tenant_b1, &names[..3]).await;

    let q = "query($o: Int!) { rightsRequests(first: 50, offset: $o) { items { id tenantId } totalCount } }";
    let mut seen = BTreeSet::new();
    for (offset, len) in [(0, 50), (50, 50), (100, 5), (105, 0)] {
        let r = app.gql(&fx.commune_admin_a1, q, json!({"o": offset})).await;
        let page = &data(&r)["rightsRequests"];
        assert_eq!(page["totalCount"], 105, "{r}");
        assert_eq!(ids(page).len(), len, "offset {offset}");
        for i in page["items"].as_array().expect("items") {
            assert_eq!(i["tenantId"], json!(fx.tenant_a1));
        }
        seen.extend(ids(page));
    }
    assert_eq!(seen.len(), 105, "the pages repeat or skip a request");

    // The DSI of A counts both of its communes, B's DSI its own only.
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ rightsRequests(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&r)["rightsRequests"]["totalCount"], 112);
    let r = app
        .gql(
            &fx.org_admin_b,
            "{ rightsRequests(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&r)["rightsRequests"]["totalCount"], 3);
    // Naming another organisation's commune, or another commune of A for A1's administrator,
    // counts nothing.
    for (caller, tenant) in [
        (&fx.org_admin_a, fx.tenant_b1),
        (&fx.commune_admin_a1, fx.tenant_a2),
    ] {
        let r = app
            .gql(
                caller,
                "query($t: [UUID!]) { rightsRequests(tenantIds: $t) { items { id } totalCount } }",
                json!({"t": [tenant]}),
            )
            .await;
        assert_eq!(
            data(&r)["rightsRequests"],
            json!({"items": [], "totalCount": 0})
        );
    }

    // More than 500 a page is refused, in French, naming the bound.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ rightsRequests(first: 501) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(r["errors"].is_array(), "{r}");
    assert_french_errors(&r);
}

#[tokio::test]
async fn requests_are_searched_without_accents_and_sorted_by_column() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let names: Vec<String> = ["Hélène Dupré", "Émile Zola", "andré Martin", "Bernard Ôde"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    requests(&app, &fx.commune_admin_a1, fx.tenant_a1, &names).await;
    // The same name in another organisation: never found from A.
    requests(&app, &fx.org_admin_b, fx.tenant_b1, &names[..1]).await;

    let search =
        "query($s: String) { rightsRequests(search: $s) { items { requester } totalCount } }";
    for s in ["helene dupre", "DUPRÉ", "hélène", "dupre hel"] {
        let r = app.gql(&fx.commune_admin_a1, search, json!({"s": s})).await;
        assert_eq!(
            data(&r)["rightsRequests"],
            json!({"items": [{"requester": "Hélène Dupré"}], "totalCount": 1}),
            "search {s:?}"
        );
    }
    let r = app
        .gql(&fx.commune_admin_a1, search, json!({"s": "copie dossier"}))
        .await;
    assert_eq!(
        data(&r)["rightsRequests"]["totalCount"],
        4,
        "details searched"
    );
    let r = app
        .gql(&fx.commune_admin_a1, search, json!({"s": "zola dupre"}))
        .await;
    assert_eq!(data(&r)["rightsRequests"]["totalCount"], 0, "every word");

    let sorted = "query($d: Boolean!) { rightsRequests(orderBy: REQUESTER, descending: $d) { items { requester } } }";
    let r = app
        .gql(&fx.commune_admin_a1, sorted, json!({"d": false}))
        .await;
    let order: Vec<&str> = data(&r)["rightsRequests"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["requester"].as_str())
        .collect();
    assert_eq!(
        order,
        ["andré Martin", "Bernard Ôde", "Émile Zola", "Hélène Dupré"],
        "French order"
    );
    let r = app
        .gql(&fx.commune_admin_a1, sorted, json!({"d": true}))
        .await;
    assert_eq!(
        data(&r)["rightsRequests"]["items"][0]["requester"],
        "Hélène Dupré"
    );
}

#[tokio::test]
async fn contracts_invoices_and_audit_records_say_their_total() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.procurement_objects(&fx.org_admin_a, fx.tenant_a1, &[fx.tenant_a1])
        .await;
    app.procurement_objects(&fx.org_admin_b, fx.tenant_b1, &[fx.tenant_b1])
        .await;
    // Search on the reference, the object and the CPV label, case and accents ignored.
    let q = "query($s: String, $o: ContractOrder!) { contracts(search: $s, orderBy: $o, first: 1) { items { reference } totalCount } }";
    let r = app
        .gql(
            &fx.commune_admin_a1,
            q,
            json!({"s": null, "o": "REFERENCE"}),
        )
        .await;
    let all = data(&r)["contracts"]["totalCount"].as_i64().expect("total");
    assert!(all >= 2, "{r}");
    assert_eq!(
        data(&r)["contracts"]["items"].as_array().map(Vec::len),
        Some(1)
    );
    let r = app
        .gql(
            &fx.commune_admin_a1,
            q,
            json!({"s": "FOURNITURES groupement", "o": "REFERENCE"}),
        )
        .await;
    assert_eq!(
        data(&r)["contracts"],
        json!({"items": [{"reference": "GC-2025-01"}], "totalCount": 1})
    );
    let r = app
        .gql(
            &fx.commune_admin_a1,
            q,
            json!({"s": "reparation MATÉRIEL", "o": "REFERENCE"}),
        )
        .await;
    assert_eq!(
        data(&r)["contracts"]["totalCount"],
        1,
        "the CPV label (50312000: Maintenance et réparation…) {r}"
    );
    // B's DSI counts B's contracts only, the same number as A1 has.
    let r = app
        .gql(&fx.org_admin_b, "{ contracts { totalCount } }", json!({}))
        .await;
    assert_eq!(data(&r)["contracts"]["totalCount"], all);
    // Sorted by amount, descending: each page continues the order of the previous one.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ contracts(orderBy: AWARDED_CENTS, descending: true) { items { awardedCents } } }",
            json!({}),
        )
        .await;
    let amounts: Vec<i64> = data(&r)["contracts"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["awardedCents"].as_i64())
        .collect();
    let mut sorted = amounts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(amounts, sorted);

    // The audit trail pages: the total is A1's records only.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "query($t: UUID!) { auditLog(tenantId: $t, first: 2, offset: 1) { items { tenantId } totalCount } all: auditLog(first: 500) { items { tenantId } totalCount } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let d = data(&r);
    let total = d["auditLog"]["totalCount"].as_i64().expect("total");
    assert!(total >= 3, "{d}");
    assert_eq!(d["auditLog"]["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        d["all"]["totalCount"], total,
        "A1's administrator reads A1 only"
    );
    assert!(d["all"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|i| i["tenantId"] == json!(fx.tenant_a1)));
}
