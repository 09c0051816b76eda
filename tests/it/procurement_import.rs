//! CSV import: every row checked first, a per-row report, nothing half imported.
use integration_tests::*;
use serde_json::json;

const Q: &str = "mutation($t: UUID!, $csv: String!, $dry: Boolean!) { importContracts(tenantId: $t, csv: $csv, dryRun: $dry) {
  rows imported contractIds rejected { line reference field message } } }";

#[tokio::test]
async fn an_import_is_all_or_nothing_with_a_report_per_row() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let before = (
        app.count("proc_contract").await,
        app.count("proc_supplier").await,
        app.count("audit_log").await,
    );
    // Three faulty rows among good ones: nothing is imported, each fault is reported.
    let bad = IMPORT_CSV
        .replace("44306184100047;Jardins", "44306184100048;Jardins")
        .replace("30192000-1", "99999999")
        .replace(";6;60159;", ";0;60159;")
        + "2025-02;Tonte;services;MAPA;77310000;1 000;1 000;;12;60159;Forfaitaire;;\n";
    let r = app
        .gql(
            &fx.editor_a2,
            Q,
            json!({"t": fx.tenant_a2, "csv": bad, "dry": false}),
        )
        .await;
    let rep = &data(&r)["importContracts"];
    assert_eq!(rep["rows"], 4);
    assert_eq!(rep["imported"], 0);
    assert_eq!(rep["contractIds"], json!([]));
    let rejected: Vec<(i64, String, String)> = rep["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|x| {
            (
                x["line"].as_i64().expect("line"),
                x["reference"].as_str().expect("ref").to_owned(),
                x["field"].as_str().expect("field").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        vec![
            (2, "2024-01".into(), "titulaire_siret".into()),
            (3, "2024-02".into(), "cpv".into()),
            (4, "2025-01".into(), "titulaire_siret".into()),
            (5, "2025-02".into(), "procedure".into()),
        ],
        "{rep:#}"
    );
    assert_eq!(
        before,
        (
            app.count("proc_contract").await,
            app.count("proc_supplier").await,
            app.count("audit_log").await
        )
    );
    // A dry run of the good file checks and writes nothing.
    let r = app
        .gql(
            &fx.editor_a2,
            Q,
            json!({"t": fx.tenant_a2, "csv": IMPORT_CSV, "dry": true}),
        )
        .await;
    assert_eq!(data(&r)["importContracts"]["rejected"], json!([]));
    assert_eq!(data(&r)["importContracts"]["imported"], 0);
    assert_eq!(app.count("proc_contract").await, before.0);
    // The good file: three contracts, one supplier for the two rows that name it.
    let r = app
        .gql(
            &fx.editor_a2,
            Q,
            json!({"t": fx.tenant_a2, "csv": IMPORT_CSV, "dry": false}),
        )
        .await;
    let rep = &data(&r)["importContracts"];
    assert_eq!(rep["imported"], 3, "{rep:#}");
    assert_eq!(app.count("proc_supplier").await, before.1 + 1);
    let r = app
        .gql(
            &fx.editor_a2,
            "{ contracts { reference object estimatedCents awardedCents notifiedOn placeType supplierIds cpv { code } } }",
            json!({}),
        )
        .await;
    let cs = data(&r)["contracts"].as_array().expect("contracts").clone();
    assert_eq!(cs.len(), 3);
    assert_eq!(cs[0]["awardedCents"], 3_654_050);
    assert_eq!(cs[0]["notifiedOn"], "2024-03-15");
    assert_eq!(cs[1]["object"], "Fournitures scolaires; papeterie");
    assert_eq!(cs[1]["cpv"]["code"], "30192000");
    assert_eq!(cs[1]["supplierIds"], json!([]));
    assert_eq!(cs[0]["supplierIds"], cs[2]["supplierIds"]);
    // Again: the references exist now, so nothing is imported and each row says why.
    let r = app
        .gql(
            &fx.editor_a2,
            Q,
            json!({"t": fx.tenant_a2, "csv": IMPORT_CSV, "dry": false}),
        )
        .await;
    let rep = &data(&r)["importContracts"];
    assert_eq!(rep["imported"], 0);
    assert_eq!(rep["rejected"].as_array().map(Vec::len), Some(3), "{rep:#}");
    assert_eq!(app.count("proc_contract").await, before.0 + 3);
    // A file without the required columns is refused as a whole.
    let r = app
        .gql(
            &fx.editor_a2,
            Q,
            json!({"t": fx.tenant_a2, "csv": "reference;objet\nx;y\n", "dry": false}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(r["errors"][0]["extensions"]["field"], "csv");
}
