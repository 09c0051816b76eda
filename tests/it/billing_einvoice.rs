//! Invoices a public body can receive: billing identities (SIRET, Chorus Pro service code,
//! commitment, channel) recorded and checked; a run refused, writing nothing, until Chorus Pro
//! would accept it; every UBL invoice and credit note of a run valid against the official
//! EN 16931 rules (tests/einvoice/en16931, run by SaxonJS).
use integration_tests::*;
use serde_json::{json, Value};
use std::path::Path;

fn field(resp: &Value) -> Option<&str> {
    resp["errors"][0]["extensions"]["field"].as_str()
}

const SET: &str = "mutation($i: BillingIdentityInput!) { setBillingIdentity(input: $i) { tenantId siret serviceCode serviceCodeRequired commitmentNumber commitmentRequired channel missingForChorus } }";

fn siret_of(siren: &str) -> String {
    tenants::identifiers::siret_with_key(siren, "0001")
}

/// Runs the official rules over `files`: each file's fatal and warning rule ids.
fn validate(syntax: &str, files: &[std::path::PathBuf]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("einvoice/validate.mjs");
    let out = std::process::Command::new(node())
        .arg(script)
        .arg(syntax)
        .args(files)
        .output()
        .expect("node runs the EN 16931 validator");
    let reports: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON report a line"))
        .collect();
    assert_eq!(
        reports.len(),
        files.len(),
        "validator output: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    reports
}

/// Reads Factur-X PDFs with the `factur-x` package (tests/einvoice/check_facturx.py): each
/// file's embedded XML, its XSD verdict, XMP properties, attachments and page text.
fn check_facturx(files: &[std::path::PathBuf]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("einvoice/check_facturx.py");
    let python = std::env::var("MUTUALIS_TEST_PYTHON")
        .expect("MUTUALIS_TEST_PYTHON: tests/services.sh installs the factur-x package");
    let out = std::process::Command::new(python)
        .arg(script)
        .args(files)
        .output()
        .expect("python runs the Factur-X checker");
    let reports: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON report a line"))
        .collect();
    assert_eq!(
        reports.len(),
        files.len(),
        "checker output: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    reports
}

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut v = vec![];
    for t in ["billing_run", "billing_invoice", "job", "audit_log"] {
        v.push(app.count(t).await);
    }
    v
}

#[tokio::test]
async fn billing_identity_is_checked_scoped_and_audited() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($o: UUID) { billingIdentities(organisationId: $o) { tenantId tenantName tenantKind siren siret channel missingForChorus } }",
            json!({"o": fx.org_a}),
        )
        .await;
    let all = data(&r)["billingIdentities"]
        .as_array()
        .expect("list")
        .clone();
    let a1 = all
        .iter()
        .find(|i| i["tenantId"] == json!(fx.tenant_a1))
        .expect("Compiègne listed")
        .clone();
    // Nothing recorded: Chorus Pro by default, and the SIRET is missing (the referential has
    // SIRENs only).
    assert_eq!(a1["channel"], json!("chorus_pro"));
    assert_eq!(a1["missingForChorus"], json!(["le SIRET"]));
    assert!(all.iter().any(|i| i["tenantKind"] == json!("organisation")
        && i["missingForChorus"] == json!(["le SIRET", "l'IBAN du comptable public"])));
    let siren = a1["siren"].as_str().expect("siren").to_owned();

    // Bad input: a clear French error on the field, nothing written.
    let before = counts(&app).await;
    let mut wrong_key = siret_of(&siren);
    let last = wrong_key.pop().and_then(|c| c.to_digit(10)).expect("digit");
    wrong_key.push(char::from_digit((last + 1) % 10, 10).expect("digit"));
    for (input, f) in [
        (
            json!({"tenantId": fx.tenant_a1, "siret": wrong_key}),
            "siret",
        ),
        (json!({"tenantId": fx.tenant_a1, "siret": "1234"}), "siret"),
        // A valid SIRET of another SIREN (the intercommunality's).
        (
            json!({"tenantId": fx.tenant_a1, "siret": siret_of("200067965")}),
            "siret",
        ),
        (
            json!({"tenantId": fx.tenant_a1, "iban": "FR7630001007941234567890186"}),
            "iban",
        ),
        (json!({"tenantId": fx.tenant_a1, "bic": "BANQUE"}), "bic"),
        (
            json!({"tenantId": fx.tenant_a1, "channel": "fax"}),
            "channel",
        ),
        (
            json!({"tenantId": fx.tenant_a1, "serviceCode": "code<script>"}),
            "serviceCode",
        ),
        (
            json!({"tenantId": fx.tenant_a1, "budgetAccount": "70 8 x"}),
            "budgetAccount",
        ),
    ] {
        let r = app.gql(&fx.org_admin_a, SET, json!({"i": input})).await;
        assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
        assert_eq!(field(&r), Some(f), "{r}");
        assert_french_errors(&r);
    }
    assert_eq!(counts(&app).await, before);

    // The commune's administrator records its own; the DSI of another organisation, and the
    // administrator of one commune for another, find nothing; an editor may not.
    let own = json!({"i": {"tenantId": fx.tenant_a1, "siret": siret_of(&siren), "serviceCode": "SERV-INFO",
        "serviceCodeRequired": true, "commitmentRequired": true}});
    let r = app.gql(&fx.commune_admin_a1, SET, own.clone()).await;
    let saved = data(&r)["setBillingIdentity"].clone();
    assert_eq!(saved["siret"], json!(siret_of(&siren)));
    assert_eq!(saved["missingForChorus"], json!(["le numéro d'engagement"]));
    let r = app.gql(&fx.org_admin_b, SET, own.clone()).await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql(
            &fx.commune_admin_a1,
            SET,
            json!({"i": {"tenantId": fx.tenant_a2, "channel": "stripe"}}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql(&fx.editor_a2, SET, json!({"i": {"tenantId": fx.tenant_a2}}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    assert_french_errors(&r);
    // Reads are scoped too: the other organisation's DSI sees none of A's identities.
    let r = app
        .gql(
            &fx.org_admin_b,
            "query($o: UUID) { billingIdentities(organisationId: $o) { tenantId } }",
            json!({"o": fx.org_a}),
        )
        .await;
    assert_eq!(data(&r)["billingIdentities"], json!([]));
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ billingIdentities { tenantId siret } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&r)["billingIdentities"],
        json!([{"tenantId": fx.tenant_a1, "siret": siret_of(&siren)}])
    );
    let audited = app
        .count(&format!(
            "audit_log WHERE operation = 'billing.identity.set' AND tenant_id = '{}'",
            fx.tenant_a1
        ))
        .await;
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn billing_run_waits_for_chorus_identifiers_then_every_ubl_passes_en16931() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let communes = [fx.tenant_a1, fx.tenant_a2];
    let co = app.cost_objects(&fx.org_admin_a, fx.org_a, &communes).await;
    let start = "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"2026\") { id status invoices } }";

    // No identity: refused, naming what is missing where, and nothing is written (the
    // allocation stays billable).
    let before = counts(&app).await;
    let r = app
        .gql(&fx.org_admin_a, start, json!({"o": fx.org_a}))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(field(&r), Some("billingIdentity"));
    let msg = r["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        msg.contains("Compiègne") && msg.contains("le SIRET"),
        "{msg}"
    );
    assert!(msg.contains("l'IBAN du comptable public"), "{msg}");
    assert_french_errors(&r);
    assert_eq!(counts(&app).await, before);

    // Complete identities, then Compiègne requires a service code and a commitment it has not
    // given: still refused, for those two only.
    app.billing_identities(&fx.org_admin_a, fx.org_a, &communes, "chorus_pro")
        .await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ billingIdentities { tenantId siren } }",
            json!({}),
        )
        .await;
    let siren_a1 = data(&r)["billingIdentities"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["tenantId"] == json!(fx.tenant_a1)))
        .and_then(|i| i["siren"].as_str())
        .expect("siren")
        .to_owned();
    let r = app
        .gql(
            &fx.org_admin_a,
            SET,
            json!({"i": {"tenantId": fx.tenant_a1, "siret": siret_of(&siren_a1),
            "serviceCodeRequired": true, "commitmentRequired": true}}),
        )
        .await;
    data(&r);
    let before = counts(&app).await;
    let r = app
        .gql(&fx.org_admin_a, start, json!({"o": fx.org_a}))
        .await;
    let msg = r["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        msg.contains("pour Compiègne, le code service et le numéro d'engagement")
            && !msg.contains("Margny"),
        "{msg}"
    );
    assert_eq!(counts(&app).await, before);
    let r = app
        .gql(
            &fx.org_admin_a,
            SET,
            json!({"i": {"tenantId": fx.tenant_a1, "siret": siret_of(&siren_a1),
            "serviceCode": "SERV-NUMERIQUE", "serviceCodeRequired": true,
            "commitmentNumber": "EJ-2026-00042", "commitmentRequired": true}}),
        )
        .await;
    assert_eq!(
        data(&r)["setBillingIdentity"]["missingForChorus"],
        json!([])
    );
    // Margny is billed by titre de recettes, in the intercommunality's finance software.
    let r = app
        .gql(
            &fx.org_admin_a,
            "query { billingIdentities { tenantId siren } }",
            json!({}),
        )
        .await;
    let siren_a2 = data(&r)["billingIdentities"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["tenantId"] == json!(fx.tenant_a2)))
        .and_then(|i| i["siren"].as_str())
        .expect("siren")
        .to_owned();
    let r = app
        .gql(&fx.org_admin_a, SET, json!({"i": {"tenantId": fx.tenant_a2, "siret": siret_of(&siren_a2), "channel": "titre"}}))
        .await;
    data(&r);

    // Now it goes: Chorus Pro files are issued at once, nothing waits for Stripe.
    let r = app
        .gql(&fx.org_admin_a, start, json!({"o": fx.org_a}))
        .await;
    let run = data(&r)["startBillingRun"].clone();
    assert_eq!(run["status"], json!("done"), "{run}");
    assert_eq!(run["invoices"], json!(2));
    assert_eq!(
        app.count("job WHERE kind = 'billing.push_invoice'").await,
        0
    );

    // A correction lowers the pool: the second run issues credit notes, each naming the
    // invoice it corrects.
    let r = app
        .gql(
            &fx.org_admin_a,
            &format!(
                "mutation($id: UUID!, $s: UUID!, $amount: Int!) {{
                updateCostPool(id: $id, version: 1, input: {COST_POOL_INPUT}) {{ version }} }}"
            ),
            json!({"id": co.pool, "s": co.service, "amount": 1_134_567}),
        )
        .await;
    data(&r);
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($p: UUID!) { runCorrection(poolId: $p) { totalCents } }",
            json!({"p": co.pool}),
        )
        .await;
    assert_eq!(data(&r)["runCorrection"]["totalCents"], json!(-100_000));
    let r = app
        .gql(&fx.org_admin_a, start, json!({"o": fx.org_a}))
        .await;
    data(&r);

    let r = app
        .gql(&fx.org_admin_a, "{ invoices(first: 500) { totalCount items { id tenantId number amountCents status channel buyerSiret serviceCode commitmentNumber correctsNumber } } }", json!({}))
        .await;
    let invoices = data(&r)["invoices"]["items"]
        .as_array()
        .expect("invoices")
        .clone();
    assert_eq!(data(&r)["invoices"]["totalCount"], json!(invoices.len()));
    assert_eq!(invoices.len(), 4, "{invoices:?}");
    let dir =
        Scratch(std::env::temp_dir().join(format!("mutualis-einvoice-{}", uuid::Uuid::now_v7())));
    std::fs::create_dir_all(dir.path()).expect("scratch dir");
    let (mut files, mut cii_files, mut facturx) = (vec![], vec![], vec![]);
    for i in &invoices {
        let credit = i["amountCents"].as_i64().unwrap_or(0) < 0;
        assert_eq!(
            i["status"],
            json!(if credit { "credit_note" } else { "open" })
        );
        let titre = i["tenantId"] == json!(fx.tenant_a2);
        assert_eq!(
            i["channel"],
            json!(if titre { "titre" } else { "chorus_pro" })
        );
        if credit {
            let corrected = invoices
                .iter()
                .find(|o| o["tenantId"] == i["tenantId"] && o["amountCents"].as_i64() > Some(0))
                .expect("the invoice it corrects");
            assert_eq!(i["correctsNumber"], corrected["number"]);
        }
        let (status, xml) = app
            .get_as(
                &fx.org_admin_a,
                api::http::billing_exports::INVOICE_UBL,
                &format!("id={}", i["id"].as_str().expect("id")),
            )
            .await;
        assert_eq!(status, 200, "{xml}");
        let siret = i["buyerSiret"]
            .as_str()
            .expect("SIRET copied on the invoice");
        assert!(xml.contains(&format!(
            "<cbc:EndpointID schemeID=\"0009\">{siret}</cbc:EndpointID>"
        )));
        if i["tenantId"] == json!(fx.tenant_a1) {
            assert!(xml.contains("<cbc:BuyerReference>SERV-NUMERIQUE</cbc:BuyerReference>"));
            assert!(xml.contains("<cac:OrderReference><cbc:ID>EJ-2026-00042</cbc:ID>"));
        }
        let path = dir
            .path()
            .join(format!("{}.xml", i["number"].as_str().expect("n")));
        std::fs::write(&path, xml).expect("write");
        files.push(path);
        // The same invoice in CII (the XML of Factur-X).
        let (status, cii) = app
            .get_as(
                &fx.org_admin_a,
                api::http::billing_exports::INVOICE_UBL,
                &format!("id={}&syntax=cii", i["id"].as_str().expect("id")),
            )
            .await;
        assert_eq!(status, 200, "{cii}");
        assert!(cii.contains(&format!("<ram:URIID schemeID=\"0009\">{siret}</ram:URIID>")));
        let path = dir
            .path()
            .join(format!("{}-cii.xml", i["number"].as_str().expect("n")));
        std::fs::write(&path, &cii).expect("write");
        cii_files.push(path);
        // The Factur-X PDF: the same CII inside, the totals on the page.
        let (status, pdf) = app
            .get_bytes_as(
                &fx.org_admin_a,
                api::http::billing_exports::INVOICE_UBL,
                &format!("id={}&syntax=facturx", i["id"].as_str().expect("id")),
            )
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
        assert!(pdf.starts_with(b"%PDF-"));
        let path = dir
            .path()
            .join(format!("{}.pdf", i["number"].as_str().expect("n")));
        std::fs::write(&path, pdf).expect("write");
        facturx.push((path, cii, i.clone()));
    }
    let reports = check_facturx(&facturx.iter().map(|f| f.0.clone()).collect::<Vec<_>>());
    for (rep, (_, cii, invoice)) in reports.iter().zip(&facturx) {
        assert_eq!(rep["xml_name"], json!("factur-x.xml"), "{rep}");
        assert_eq!(
            rep["xml"].as_str(),
            Some(cii.as_str()),
            "the CII export, embedded"
        );
        assert_eq!(rep["level"], json!("en16931"), "{rep}");
        assert_eq!(rep["xsd"], json!("valid"), "Factur-X XSD: {}", rep["xsd"]);
        assert_eq!(
            rep["xmp"],
            json!({"pdfaid:part": "3", "pdfaid:conformance": "B",
                "fx:DocumentType": "INVOICE", "fx:DocumentFileName": "factur-x.xml",
                "fx:Version": "1.0", "fx:ConformanceLevel": "EN 16931"}),
            "{rep}"
        );
        assert_eq!(rep["xmp_declares_fx"], json!(true));
        assert_eq!(
            rep["af"],
            json!([{"name": "factur-x.xml", "relationship": "/Data"}])
        );
        // The page prints the XML's total (a credit note's, positive) and the buyer.
        let cents = invoice["amountCents"].as_i64().expect("amount").abs();
        let printed = tenants::costs::euros(cents);
        let text = rep["text"].as_str().unwrap_or_default();
        // Spaces of any kind (the amount's narrow no-break ones, the cells' line ends) as one.
        let normalise = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            normalise(text).contains(&format!("Total TTC {}", normalise(&printed))),
            "total {printed} not on the page: {text}"
        );
        assert!(
            text.contains(invoice["number"].as_str().unwrap_or("?")),
            "{text}"
        );
    }
    for rep in validate("cii", &cii_files) {
        assert_eq!(rep["fatal"], json!([]), "EN 16931 (CII) fatal: {rep}");
    }
    let reports = validate("ubl", &files);
    for rep in &reports {
        assert_eq!(rep["fatal"], json!([]), "EN 16931 fatal: {rep}");
        // The exemption stated once: no warning on repeated VAT exemption.
        let warnings = rep["warning"].as_array().cloned().unwrap_or_default();
        assert!(
            !warnings
                .iter()
                .any(|w| w.as_str().is_some_and(|w| w.starts_with("UBL-CR-6"))),
            "{rep}"
        );
    }
    // The titres de recettes of the first run: Margny alone, with its SIRET, the amount of
    // its invoice and the budget account; for the DSI only, and not across organisations.
    let first_run = run["id"].as_str().expect("run id");
    let (status, csv) = app
        .get_as(
            &fx.org_admin_a,
            api::http::billing_exports::TITRES,
            &format!("run={first_run}&format=csv"),
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    assert!(
        csv.trim_start_matches('\u{feff}')
            .starts_with("Débiteur;SIREN;SIRET;"),
        "{csv}"
    );
    let margny_invoice = invoices
        .iter()
        .find(|i| i["tenantId"] == json!(fx.tenant_a2) && i["amountCents"].as_i64() > Some(0))
        .expect("Margny's invoice");
    let lines: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "{csv}");
    assert!(lines[0].starts_with("Margny"), "{csv}");
    assert!(lines[0].contains(&siret_of(&siren_a2)), "{csv}");
    assert!(
        lines[0].contains(&margny_invoice["amountCents"].to_string()),
        "{csv}"
    );
    assert!(lines[0].contains("70875"), "{csv}");
    assert!(!csv.lines().any(|l| l.starts_with("Compiègne;")), "{csv}");

    // A service imputed to its own budget account: its lines' titre goes there. Checked
    // (digits only), for the DSI only, not across organisations.
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ costServices { id code budgetAccount } }",
            json!({}),
        )
        .await;
    let service = data(&r)["costServices"][0].clone();
    assert_eq!(service["budgetAccount"], json!(null));
    let set_account = "mutation($s: UUID!, $a: String) { setCostServiceBudgetAccount(serviceId: $s, budgetAccount: $a) { code budgetAccount } }";
    let r = app
        .gql(
            &fx.org_admin_a,
            set_account,
            json!({"s": service["id"], "a": "7O848"}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(field(&r), Some("budgetAccount"));
    assert_french_errors(&r);
    for (caller, code) in [
        (&fx.commune_admin_a1, "FORBIDDEN"),
        (&fx.org_admin_b, "NOT_FOUND"),
    ] {
        let r = app
            .gql(
                caller,
                set_account,
                json!({"s": service["id"], "a": "70848"}),
            )
            .await;
        assert_eq!(error_code(&r).as_deref(), Some(code), "{r}");
    }
    let r = app
        .gql(
            &fx.org_admin_a,
            set_account,
            json!({"s": service["id"], "a": " 70848 "}),
        )
        .await;
    assert_eq!(
        data(&r)["setCostServiceBudgetAccount"]["budgetAccount"],
        json!("70848")
    );
    let (_, csv) = app
        .get_as(
            &fx.org_admin_a,
            api::http::billing_exports::TITRES,
            &format!("run={first_run}&format=csv"),
        )
        .await;
    let line = csv
        .lines()
        .find(|l| l.starts_with("Margny"))
        .expect("Margny's titre");
    assert!(line.contains(";70848;") && !line.contains("70875"), "{csv}");
    let (status, _) = app
        .get_as(
            &fx.commune_admin_a1,
            api::http::billing_exports::TITRES,
            &format!("run={first_run}"),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .get_as(
            &fx.org_admin_b,
            api::http::billing_exports::TITRES,
            &format!("run={first_run}"),
        )
        .await;
    assert_eq!(status, 404);

    // The validator does fail: a file without its issue date breaks BR-03.
    let broken = dir.path().join("broken.xml");
    let text = std::fs::read_to_string(&files[0]).expect("read");
    let cut = regex_lite_issue_date(&text);
    std::fs::write(&broken, cut).expect("write");
    let rep = validate("ubl", &[broken]);
    assert!(
        rep[0]["fatal"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("BR-03"))),
        "{rep:?}"
    );
}

/// The document without its `IssueDate` element.
fn regex_lite_issue_date(xml: &str) -> String {
    let start = xml.find("<cbc:IssueDate>").expect("issue date");
    let end =
        xml[start..].find("</cbc:IssueDate>").expect("end") + start + "</cbc:IssueDate>".len();
    format!("{}{}", &xml[..start], &xml[end..])
}

/// A scratch directory removed when the test ends.
struct Scratch(std::path::PathBuf);
impl Scratch {
    fn path(&self) -> &Path {
        &self.0
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
