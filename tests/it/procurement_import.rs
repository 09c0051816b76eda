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
            "{ contracts { items { reference object estimatedCents awardedCents notifiedOn placeType supplierIds cpv { code } }} }",
            json!({}),
        )
        .await;
    let cs = data(&r)["contracts"]["items"]
        .as_array()
        .expect("contracts")
        .clone();
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

const QX: &str = "mutation($t: UUID!, $x: String!, $dry: Boolean!) { importContractsXlsx(tenantId: $t, xlsx: $x, dryRun: $dry) {
  rows imported contractIds rejected { line reference field message } } }";

/// Standard base64 with padding (the test crate has no base64 dependency).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The contract list of `IMPORT_CSV` as a workbook the way a commune keeps it: real date and
/// number cells mixed with text ("36 540,50", "20/01/2025"). `siret_2025` is the contractor
/// of the third row.
pub(crate) fn import_xlsx(siret_2025: i64) -> String {
    base64(&import_xlsx_bytes(siret_2025))
}

/// [`import_xlsx`]'s workbook, as bytes.
pub(crate) fn import_xlsx_bytes(siret_2025: i64) -> Vec<u8> {
    use formats::{Cell, Column, Document, Format, Sheet};
    let d = |y, m, d| Cell::Date(chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date"));
    let t = Cell::text;
    let columns = tenants::procurement::import::COLUMNS
        .iter()
        .map(|c| Column::new(*c, *c))
        .collect();
    let rows = vec![
        vec![
            t("2024-01"),
            t("Entretien des espaces verts"),
            t("services"),
            t("Procédure adaptée"),
            t("77310000"),
            Cell::Int(38_000),
            t("36 540,50"),
            d(2024, 3, 15),
            Cell::Int(24),
            t("60159"),
            t("Forfaitaire"),
            Cell::Int(44_306_184_100_047),
            t("Jardins de l'Oise"),
        ],
        vec![
            t("2024-02"),
            t("Fournitures scolaires; papeterie"),
            t("fournitures"),
            t("Procédure adaptée"),
            t("30192000-1"),
            t("12 000"),
            Cell::Int(11_250),
            t("2024-09-02"),
            t("12"),
            Cell::Int(60_159),
            t("Unitaire"),
            Cell::Empty,
            Cell::Empty,
        ],
        vec![
            t("2025-01"),
            t("Élagage des arbres"),
            t("services"),
            t("Marché passé sans publicité ni mise en concurrence préalable"),
            t("77211400"),
            Cell::Int(8_500),
            Cell::Int(8_500),
            t("20/01/2025"),
            Cell::Int(6),
            t("60159"),
            t("Forfaitaire"),
            Cell::Int(siret_2025),
            t("Jardins de l'Oise"),
        ],
    ];
    let doc = Document {
        title: "Marchés".into(),
        subtitle: None,
        sheets: vec![Sheet {
            name: "Marchés".into(),
            columns,
            rows,
        }],
        generated_at: chrono::Utc::now(),
        charts: Vec::new(),
    };
    let files = formats::render(&doc, Format::Xlsx).expect("xlsx");
    files.into_iter().next().expect("one file").bytes
}

#[tokio::test]
async fn an_xlsx_import_shares_the_rules_and_the_report() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let before = (
        app.count("proc_contract").await,
        app.count("proc_supplier").await,
        app.count("audit_log").await,
    );
    // A wrong SIRET key on the third row (line 4): nothing is imported, the row is named.
    let r = app
        .gql(
            &fx.editor_a2,
            QX,
            json!({"t": fx.tenant_a2, "x": import_xlsx(44_306_184_100_048), "dry": false}),
        )
        .await;
    let rep = &data(&r)["importContractsXlsx"];
    assert_eq!(rep["rows"], 3, "{rep:#}");
    assert_eq!(rep["imported"], 0);
    assert_eq!(rep["contractIds"], json!([]));
    assert_eq!(rep["rejected"].as_array().map(Vec::len), Some(1), "{rep:#}");
    assert_eq!(rep["rejected"][0]["line"], 4);
    assert_eq!(rep["rejected"][0]["reference"], "2025-01");
    assert_eq!(rep["rejected"][0]["field"], "titulaire_siret");
    assert_eq!(
        before,
        (
            app.count("proc_contract").await,
            app.count("proc_supplier").await,
            app.count("audit_log").await
        )
    );
    // The good workbook: three contracts, dates and amounts read from cells or text.
    let good = import_xlsx(44_306_184_100_047);
    let r = app
        .gql(
            &fx.editor_a2,
            QX,
            json!({"t": fx.tenant_a2, "x": good, "dry": true}),
        )
        .await;
    assert_eq!(data(&r)["importContractsXlsx"]["rejected"], json!([]));
    assert_eq!(app.count("proc_contract").await, before.0);
    let r = app
        .gql(
            &fx.editor_a2,
            QX,
            json!({"t": fx.tenant_a2, "x": good, "dry": false}),
        )
        .await;
    let rep = &data(&r)["importContractsXlsx"];
    assert_eq!(rep["imported"], 3, "{rep:#}");
    assert_eq!(app.count("proc_contract").await, before.0 + 3);
    assert_eq!(app.count("proc_supplier").await, before.1 + 1);
    assert!(app.count("audit_log").await > before.2);
    let r = app
        .gql(
            &fx.editor_a2,
            "{ contracts { items { reference estimatedCents awardedCents notifiedOn durationMonths placeCode supplierIds cpv { code } }} }",
            json!({}),
        )
        .await;
    let cs = data(&r)["contracts"]["items"]
        .as_array()
        .expect("contracts")
        .clone();
    assert_eq!(cs.len(), 3);
    let by_ref = |r: &str| {
        cs.iter()
            .find(|c| c["reference"] == r)
            .cloned()
            .unwrap_or_else(|| panic!("{r} imported"))
    };
    let c = by_ref("2024-01");
    assert_eq!(c["estimatedCents"], 3_800_000);
    assert_eq!(c["awardedCents"], 3_654_050);
    assert_eq!(c["notifiedOn"], "2024-03-15");
    assert_eq!(c["durationMonths"], 24);
    let c = by_ref("2024-02");
    assert_eq!(c["estimatedCents"], 1_200_000);
    assert_eq!(c["awardedCents"], 1_125_000);
    assert_eq!(c["notifiedOn"], "2024-09-02");
    assert_eq!(c["placeCode"], "60159");
    assert_eq!(c["cpv"]["code"], "30192000");
    let c = by_ref("2025-01");
    assert_eq!(c["notifiedOn"], "2025-01-20");
    assert_eq!(c["supplierIds"], by_ref("2024-01")["supplierIds"]);

    // Not a workbook, or not base64: refused as a whole, naming the field.
    for x in [
        base64(b"reference;objet\nx;y\n"),
        "pas du base64 !".to_owned(),
    ] {
        let r = app
            .gql(
                &fx.editor_a2,
                QX,
                json!({"t": fx.tenant_a2, "x": x, "dry": false}),
            )
            .await;
        assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r:#}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "xlsx");
    }
    assert_eq!(app.count("proc_contract").await, before.0 + 3);
}
