//! Consolidated reports: computed by the worker from every module's data, stored per month,
//! read without recomputing; the organisation's view only.
use integration_tests::*;
use serde_json::{json, Value};

const REPORT: &str = "query($o: UUID!, $p: String) { consolidatedReports(organisationId: $o, period: $p) {
  period computedAt total { activities requestsOpen requestsOverdue breachesOpen breachesLate contractsToRenew splittingAlerts
    backupPolicies backupBytes costsAllocatedCents invoicedCents paidCents unpaidCents backupStates { state communes } }
  communes { tenantId name activities requestsOpen requestsDueSoon requestsOverdue breachesOpen breachesLate contractsToRenew
    splittingAlerts backupState backupPolicies backupBytes costsAllocatedCents invoicedCents paidCents unpaidCents } } }";

fn commune(report: &Value, tenant: uuid::Uuid) -> &Value {
    report["communes"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["tenantId"] == json!(tenant)))
        .unwrap_or_else(|| panic!("{tenant} in {report}"))
}

#[tokio::test]
async fn the_consolidated_report_adds_up_every_module_and_is_read_as_stored() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    app.procurement_objects(&fx.org_admin_a, fx.tenant_a1, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    app.backup_objects(&fx.org_admin_a, fx.tenant_a1, "srv-mairie")
        .await;
    app.billing_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    let period = chrono::Utc::now().format("%Y-%m").to_string();

    // Nothing stored yet: reading does not compute.
    let r = app
        .gql(&fx.org_admin_a, REPORT, json!({"o": fx.org_a}))
        .await;
    assert_eq!(data(&r)["consolidatedReports"], json!([]));
    let r = app
        .gql(
            &fx.dpo_a,
            "mutation($o: UUID!) { refreshConsolidatedReport(organisationId: $o) }",
            json!({"o": fx.org_a}),
        )
        .await;
    assert_eq!(data(&r)["refreshConsolidatedReport"], json!(true));
    assert!(
        worker::run_jobs(&app.db, &job_settings("reports"))
            .await
            .expect("jobs")
            >= 1
    );
    let r = app
        .gql(&fx.dpo_a, REPORT, json!({"o": fx.org_a, "p": period}))
        .await;
    let report = data(&r)["consolidatedReports"][0].clone();
    assert_eq!(report["period"], json!(period));

    // A1, from what the helpers recorded.
    let a1 = commune(&report, fx.tenant_a1);
    assert_eq!(a1["activities"], json!(1));
    assert_eq!(
        (
            a1["requestsOpen"].clone(),
            a1["requestsOverdue"].clone(),
            a1["requestsDueSoon"].clone()
        ),
        (json!(1), json!(0), json!(0))
    );
    assert_eq!(
        (a1["breachesOpen"].clone(), a1["breachesLate"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(a1["backupState"], json!("ok"));
    assert_eq!(
        (a1["backupPolicies"].clone(), a1["backupBytes"].clone()),
        (json!(1), json!(5_000_000_000_i64))
    );
    // Costs: the allocated line and the open (unpaid) invoice.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ costLines { amountCents } invoices { items { amountCents status }} }",
            json!({}),
        )
        .await;
    let line = data(&r)["costLines"][0]["amountCents"]
        .as_i64()
        .expect("line");
    assert_eq!(a1["costsAllocatedCents"], json!(line));
    assert_eq!(
        (
            a1["invoicedCents"].clone(),
            a1["unpaidCents"].clone(),
            a1["paidCents"].clone()
        ),
        (json!(line), json!(line), json!(0))
    );
    // Procurement figures agree with the module's own views.
    let r = app
        .gql(&fx.org_admin_a, "query($t: [UUID!], $y: Int) { contractsExpiring(withinDays: 90) { tenantId } splittingAlerts(tenantIds: $t, year: $y) { tenantId } }",
            json!({"t": [fx.tenant_a1], "y": chrono::Utc::now().format("%Y").to_string().parse::<i32>().expect("year")}))
        .await;
    let renew = data(&r)["contractsExpiring"]
        .as_array()
        .expect("c")
        .iter()
        .filter(|c| c["tenantId"] == json!(fx.tenant_a1))
        .count();
    assert_eq!(a1["contractsToRenew"], json!(renew));
    assert_eq!(
        a1["splittingAlerts"],
        json!(data(&r)["splittingAlerts"].as_array().map(Vec::len))
    );
    // A2 shares the costs only; the total adds the communes up.
    let a2 = commune(&report, fx.tenant_a2);
    assert_eq!(
        (a2["activities"].clone(), a2["backupState"].clone()),
        (json!(0), json!("never"))
    );
    let total = &report["total"];
    assert_eq!(total["costsAllocatedCents"], json!(1_234_567));
    assert_eq!(total["invoicedCents"], json!(1_234_567));
    let communes = report["communes"].as_array().expect("communes").len() as i64;
    assert_eq!(
        communes, 22,
        "the agglomeration's 22 communes (its own tenant is not one)"
    );
    assert_eq!(
        total["backupStates"],
        json!([{"state": "never", "communes": communes - 1}, {"state": "ok", "communes": 1}])
    );
    for k in [
        "activities",
        "requestsOpen",
        "breachesOpen",
        "backupPolicies",
        "backupBytes",
        "unpaidCents",
    ] {
        let sum: i64 = report["communes"]
            .as_array()
            .expect("c")
            .iter()
            .filter_map(|c| c[k].as_i64())
            .sum();
        assert_eq!(total[k], json!(sum), "{k}");
    }

    // Stored, not recomputed: a new request shows only after the next refresh.
    let r = app
        .gql(&fx.org_admin_a, "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"erasure\", receivedOn: $d, requester: \"Mme Petit\"}) { id } }",
            json!({"t": fx.tenant_a1, "d": chrono::Utc::now().date_naive()}))
        .await;
    data(&r);
    let r = app
        .gql(&fx.dpo_a, REPORT, json!({"o": fx.org_a, "p": period}))
        .await;
    assert_eq!(
        commune(&data(&r)["consolidatedReports"][0], fx.tenant_a1)["requestsOpen"],
        json!(1)
    );
    // The change queued its own recomputation (in its transaction), due once the minute is
    // over; made due now, the worker brings the report up to date.
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ jobs(kind: \"reporting.snapshot\", status: \"pending\") { items { runAt }} }",
            json!({}),
        )
        .await;
    let pending = data(&r)["jobs"]["items"].as_array().expect("jobs").clone();
    assert!(
        !pending.is_empty(),
        "the change queued a recomputation: {r}"
    );
    assert!(pending
        .iter()
        .all(
            |j| serde_json::from_value::<chrono::DateTime<chrono::Utc>>(j["runAt"].clone())
                .expect("time")
                > chrono::Utc::now() - chrono::Duration::seconds(1)
        ));
    app.admin_exec("UPDATE job SET run_at = now() - interval '1 second' WHERE kind = 'reporting.snapshot' AND status = 'pending'").await;
    worker::run_jobs(&app.db, &job_settings("reports-2"))
        .await
        .expect("jobs");
    let r = app
        .gql(&fx.dpo_a, REPORT, json!({"o": fx.org_a, "p": period}))
        .await;
    assert_eq!(
        commune(&data(&r)["consolidatedReports"][0], fx.tenant_a1)["requestsOpen"],
        json!(2)
    );

    // The organisation's view only.
    let r = app
        .gql(&fx.commune_admin_a1, REPORT, json!({"o": fx.org_a}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"));
    let r = app
        .gql(&fx.org_admin_b, REPORT, json!({"o": fx.org_a}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"));
    let r = app
        .gql(&fx.dpo_a, REPORT, json!({"o": fx.org_a, "p": "2026-13"}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"));
}

/// Issue 18, finding 7: the commune summary showed costs to roles that cannot read them, and
/// its "whole intercommunality" column could be one neighbour's figure.
#[tokio::test]
async fn a_commune_summary_shows_each_section_to_whom_may_read_it_and_no_aggregate_of_one() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.cost_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    app.maturity_objects(&fx.dpo_a, fx.org_a, fx.tenant_a2)
        .await;
    let period = tenants::calendar::current_period(chrono::Utc::now());
    tenants::reporting::snapshot::refresh(&app.db, fx.org_a, period, chrono::Utc::now())
        .await
        .expect("report");
    let summary = |caller: &Caller, tenant: uuid::Uuid| {
        let (app, caller) = (&app, caller.clone());
        async move {
            let (status, body) = app
                .get_as(
                    &caller,
                    api::http::report_exports::COMMUNE_SUMMARY,
                    &format!("tenant={tenant}&period={period}&format=json"),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    // The DSI reads every section; the commune's own figures are there.
    let dsi = summary(&fx.org_admin_a, fx.tenant_a2).await;
    for label in [
        "Coûts mutualisés répartis",
        "Facturé / impayé",
        "Marchés à reconduire",
        "Sauvegardes",
    ] {
        assert!(dsi.contains(label), "{label}: {dsi}");
    }
    // An editor of the commune and the DPO cannot read costs (FORBIDDEN on costLines): no
    // cost row; the DPO reads no contracts either.
    for (who, caller) in [("editor", &fx.editor_a2), ("dpo", &fx.dpo_a)] {
        let body = summary(caller, fx.tenant_a2).await;
        assert!(
            !body.contains("Coûts") && !body.contains("Facturé"),
            "{who}: {body}"
        );
        assert!(body.contains("Traitements au registre"), "{who}: {body}");
        assert_eq!(
            body.contains("Marchés à reconduire"),
            who == "editor",
            "{who}: {body}"
        );
    }
    // One commune assessed, two with costs: the whole's maturity mean and costs would be
    // that commune's, or its neighbour's: not published.
    assert!(dsi.contains("non publié (moins de 3 communes)"), "{dsi}");
    let rows: serde_json::Value = serde_json::from_str(&dsi).expect("json");
    let text = rows.to_string();
    assert!(!text.contains("Moyenne des communes"), "{text}");
}
