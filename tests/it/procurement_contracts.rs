//! Procurement: suppliers shared by an organisation, contracts and their validation, amendments,
//! joint procurement shares, thresholds, splitting alerts, expiry, CPV search.
use chrono::{Months, NaiveDate, Utc};
use integration_tests::*;
use serde_json::{json, Value};

const FIELDS: &str = "id tenantId reference status endOn awardedCents initialAwardedCents durationMonths
  maxDurationMonths nextRenewalOn noticeDeadline supplierIds joint cpv { code codeWithCheckDigit label }
  amendments { signedOn awardedCents durationMonths supplierIds } shares { tenantId amountCents }";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn supplier(app: &TestApp, caller: &Caller, tenant: uuid::Uuid, siret: &str) -> Value {
    app.gql(
        caller,
        "mutation($t: UUID!, $i: String!) { createSupplier(input: {tenantId: $t, identifier: $i, name: \"Nettoyage de l'Oise\"}) { id organisationId identifier } }",
        json!({"t": tenant, "i": siret}),
    )
    .await
}

/// A contract input with `overrides` (GraphQL object fields) replacing the defaults.
fn input(reference: &str, extra: &str) -> String {
    let mut fields = vec![
        ("reference", format!("{reference:?}")),
        ("object", "\"Nettoyage des locaux\"".to_owned()),
        ("category", "\"services\"".to_owned()),
        ("procedure", "\"Procédure adaptée\"".to_owned()),
        ("priceForm", "\"Forfaitaire\"".to_owned()),
        ("cpv", "\"90910000-9\"".to_owned()),
        ("estimatedCents", "2500000".to_owned()),
        ("awardedCents", "2400000".to_owned()),
        ("durationMonths", "12".to_owned()),
        ("placeCode", "\"60159\"".to_owned()),
    ];
    for kv in extra.split(';').filter(|s| !s.trim().is_empty()) {
        let (k, v) = kv.split_once(':').expect("key: value");
        let k = k.trim();
        fields.retain(|(f, _)| *f != k);
        fields.push((
            Box::leak(k.to_owned().into_boxed_str()),
            v.trim().to_owned(),
        ));
    }
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", body.join(", "))
}

async fn create(app: &TestApp, caller: &Caller, tenant: uuid::Uuid, input: &str) -> Value {
    app.gql(
        caller,
        &format!(
            "mutation($t: UUID!) {{ createContract(tenantId: $t, input: {input}) {{ {FIELDS} }} }}"
        ),
        json!({"t": tenant}),
    )
    .await
}

fn field(resp: &Value) -> Option<String> {
    resp["errors"][0]["extensions"]["field"]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test]
async fn suppliers_are_shared_one_per_identifier_in_an_organisation() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let first = supplier(&app, &fx.org_admin_a, fx.tenant_a1, "443 061 841 00047").await;
    let s = &data(&first)["createSupplier"];
    assert_eq!(s["identifier"], "44306184100047");
    assert_eq!(s["organisationId"], json!(fx.org_a));
    // A commune recording the same SIRET gets the same supplier.
    let again = supplier(&app, &fx.commune_admin_a1, fx.tenant_a1, SUPPLIER_SIRET).await;
    assert_eq!(data(&again)["createSupplier"]["id"], s["id"]);
    assert_eq!(app.count("proc_supplier").await, 1);
    // Margny's agent reads it; Dunkerque does not; its own record is a different supplier.
    let seen = app
        .gql(&fx.editor_a2, "{ suppliers { id } }", json!({}))
        .await;
    assert_eq!(data(&seen)["suppliers"][0]["id"], s["id"]);
    let b = app
        .gql(&fx.org_admin_b, "{ suppliers { id } }", json!({}))
        .await;
    assert_eq!(data(&b)["suppliers"], json!([]));
    let b_own = supplier(&app, &fx.org_admin_b, fx.tenant_b1, SUPPLIER_SIRET).await;
    assert_ne!(data(&b_own)["createSupplier"]["id"], s["id"]);
    // Wrong Luhn key, unknown identifier type, a foreign VAT number.
    let bad = supplier(&app, &fx.org_admin_a, fx.tenant_a1, "44306184100048").await;
    assert_eq!(error_code(&bad).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(field(&bad).as_deref(), Some("identifier"));
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!) { createSupplier(input: {tenantId: $t, idType: \"DUNS\", identifier: \"1\", name: \"x\"}) { id } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(field(&r).as_deref(), Some("idType"));
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!) { createSupplier(input: {tenantId: $t, idType: \"TVA\", identifier: \"BE0123456749\", name: \"Belge SA\"}) { identifier } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(data(&r)["createSupplier"]["identifier"], "BE0123456749");
    // The DPO does not deal with procurement.
    let r = app.gql(&fx.dpo_a, "{ suppliers { id } }", json!({})).await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_contract_is_recorded_read_and_audited() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let p = app
        .procurement_objects(&fx.commune_admin_a1, fx.tenant_a1, &[fx.tenant_a1])
        .await;
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &format!("query($id: UUID!) {{ contract(id: $id) {{ {FIELDS} procedure ccag priceTypes socialConsiderations placeType }} }}"),
            json!({"id": p.contract}),
        )
        .await;
    let c = &data(&r)["contract"];
    assert_eq!(c["status"], "active");
    assert_eq!(c["cpv"]["code"], "50312000");
    assert_eq!(c["cpv"]["codeWithCheckDigit"], "50312000-5");
    assert_eq!(
        c["cpv"]["label"],
        "Maintenance et réparation de matériel informatique"
    );
    assert_eq!(c["procedure"], "Procédure adaptée");
    assert_eq!(c["ccag"], "Pas de CCAG");
    assert_eq!(c["priceTypes"], json!(["Définitif ferme"]));
    assert_eq!(c["placeType"], "Code commune");
    assert_eq!(c["supplierIds"], json!([p.supplier]));
    // The amendment of the fixture raised the amount; the initial one stays known.
    assert_eq!(c["awardedCents"], 3_700_000);
    assert_eq!(c["initialAwardedCents"], 3_400_000);
    // 12 months + 2 renewals of 12.
    assert_eq!(c["maxDurationMonths"], 36);
    let notified = today() - chrono::Duration::days(30);
    let end = notified
        .checked_add_months(Months::new(36))
        .expect("test data")
        - chrono::Duration::days(1);
    assert_eq!(c["endOn"], json!(end));
    let first_end = notified
        .checked_add_months(Months::new(12))
        .expect("test data")
        - chrono::Duration::days(1);
    assert_eq!(c["nextRenewalOn"], json!(first_end));
    assert_eq!(
        c["noticeDeadline"],
        json!(first_end - chrono::Duration::days(90))
    );
    // The supplier lists the contracts that name it.
    let s = app
        .gql(
            &fx.commune_admin_a1,
            "{ suppliers { id contracts { items { id }} } }",
            json!({}),
        )
        .await;
    let contracts = data(&s)["suppliers"][0]["contracts"]["items"].to_string();
    assert!(contracts.contains(&p.contract) && contracts.contains(&p.joint_contract));
    // Filters.
    let f = app
        .gql(
            &fx.commune_admin_a1,
            "query($s: UUID!) { byCpv: contracts(cpvPrefix: \"5031\") { items { id }} joint: contracts(joint: true) { items { id }}
               bySupplier: contracts(supplierId: $s) { items { id }} drafts: contracts(status: \"draft\") { items { id }} }",
            json!({"s": p.supplier}),
        )
        .await;
    let d = data(&f);
    assert_eq!(d["byCpv"]["items"], json!([{"id": p.contract}]));
    assert_eq!(d["joint"]["items"], json!([{"id": p.joint_contract}]));
    assert_eq!(
        d["bySupplier"]["items"]
            .as_array()
            .expect("test data")
            .len(),
        2
    );
    assert_eq!(d["drafts"]["items"], json!([]));
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ contracts(status: \"open\") { items { id }} }",
            json!({}),
        )
        .await;
    assert_eq!(field(&r).as_deref(), Some("status"));
    // Audited in the same transaction.
    let log = app
        .gql(
            &fx.commune_admin_a1,
            "query($t: UUID!) { auditLog(tenantId: $t, first: 10) { items { operation }} }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let ops = data(&log)["auditLog"]["items"].to_string();
    for op in ["createSupplier", "createContract", "amendContract"] {
        assert!(ops.contains(op), "{op} in {ops}");
    }
    // The same reference twice in a tenant is a conflict.
    let dup = create(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        &input("2025-INFO-01", ""),
    )
    .await;
    assert_eq!(error_code(&dup).as_deref(), Some("CONFLICT"));
}

#[tokio::test]
async fn bad_contract_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let before = (
        app.count("proc_contract").await,
        app.count("audit_log").await,
        app.count("proc_lot").await,
    );
    let future = format!("{:?}", (today() + chrono::Duration::days(3)).to_string());
    let cases: Vec<(String, &str)> = vec![
        ("cpv: \"99999999\"".into(), "cpv"),
        ("cpv: \"90910000-8\"".into(), "cpv"),
        ("cpv: \"9091\"".into(), "cpv"),
        ("durationMonths: 0".into(), "durationMonths"),
        ("durationMonths: -3".into(), "durationMonths"),
        ("estimatedCents: -1".into(), "estimatedCents"),
        ("awardedCents: -100".into(), "awardedCents"),
        ("procedure: \"procédure adaptée\"".into(), "procedure"),
        ("procedure: \"MAPA\"".into(), "procedure"),
        ("nature: \"Concession de travaux\"".into(), "nature"),
        ("category: \"prestations\"".into(), "category"),
        ("ccag: \"CCAG-FCS\"".into(), "ccag"),
        ("priceForm: \"Ferme\"".into(), "priceForm"),
        ("techniques: [\"Accord cadre\"]".into(), "techniques"),
        ("techniques: []".into(), "techniques"),
        ("executionModalities: [\"Bons\"]".into(), "executionModalities"),
        ("priceTypes: [\"Ferme\"]".into(), "priceTypes"),
        ("socialConsiderations: [\"Insertion\"]".into(), "socialConsiderations"),
        ("environmentalConsiderations: [\"Vert\"]".into(), "environmentalConsiderations"),
        ("placeType: \"Commune\"".into(), "placeType"),
        ("placeCode: \" \"".into(), "placeCode"),
        ("reference: \"\"".into(), "reference"),
        ("reference: \"REFERENCE-TROP-LONGUE\"".into(), "reference"),
        ("object: \" \"".into(), "object"),
        ("lots: [{number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 2000000}, {number: 2, object: \"Lot\", estimatedCents: 1000, awardedCents: 300000}]".into(), "lots"),
        ("lots: [{number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 2000000}, {number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 400000}]".into(), "lots"),
        ("lots: [{number: 0, object: \"Lot\", estimatedCents: 1000, awardedCents: 2400000}]".into(), "lots"),
        ("lots: [{number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 2400000, cpv: \"99999999\"}]".into(), "lots"),
        ("lots: [{number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 2400000}, {number: 2, object: \"Lot\", estimatedCents: 1000}]".into(), "lots"),
        ("lots: [{number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 2500000}, {number: 2, object: \"Lot\", estimatedCents: 1000, awardedCents: -100000}]".into(), "lots"),
        ("lots: [{number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 2400000, durationMonths: 0}]".into(), "lots"),
        ("awardedCents: null; lots: [{number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 2400000}]".into(), "lots"),
        ("reference: \"ABCDEFGHIJKLMN\"; lots: [{number: 1, object: \"Lot\", estimatedCents: 1000, awardedCents: 2400000}]".into(), "lots"),
        (
            format!(
                "lots: [{{number: 1, object: \"Lot\", estimatedCents: 1, awardedCents: 2400000, supplierIds: [\"{}\"]}}]",
                uuid::Uuid::now_v7()
            ),
            "lots",
        ),
        ("renewals: 2; renewalMonths: 0".into(), "renewalMonths"),
        ("renewals: -1".into(), "renewals"),
        ("noticeDays: -1".into(), "noticeDays"),
        (format!("notifiedOn: {future}"), "notifiedOn"),
        ("notifiedOn: \"2025-01-10\"; awardedCents: null".into(), "awardedCents"),
        (
            format!(
                "shares: [{{tenantId: \"{}\", amountCents: 1400000}}, {{tenantId: \"{}\", amountCents: 999999}}]",
                fx.tenant_a1, fx.tenant_a2
            ),
            "shares",
        ),
        (
            format!(
                "shares: [{{tenantId: \"{}\", amountCents: 2400000}}, {{tenantId: \"{}\", amountCents: 0}}, {{tenantId: \"{}\", amountCents: 0}}]",
                fx.tenant_a1, fx.tenant_a2, fx.tenant_a2
            ),
            "shares",
        ),
        (
            format!("supplierIds: [\"{}\"]", uuid::Uuid::now_v7()),
            "supplierIds",
        ),
    ];
    for (extra, expected) in &cases {
        let r = create(&app, &fx.org_admin_a, fx.tenant_a1, &input("R-1", extra)).await;
        assert_eq!(
            error_code(&r).as_deref(),
            Some("BAD_USER_INPUT"),
            "{extra}: {r}"
        );
        assert_eq!(field(&r).as_deref(), Some(*expected), "{extra}: {r}");
    }
    assert_eq!(
        before,
        (
            app.count("proc_contract").await,
            app.count("audit_log").await,
            app.count("proc_lot").await,
        ),
        "a refused contract wrote something"
    );
    // The same input without the faults is accepted, check digit or not.
    for (i, cpv) in ["90910000", "90910000-9", "90910000 - 9"]
        .iter()
        .enumerate()
    {
        let r = create(
            &app,
            &fx.org_admin_a,
            fx.tenant_a1,
            &input(&format!("R-{i}"), &format!("cpv: {cpv:?}")),
        )
        .await;
        assert_eq!(data(&r)["createContract"]["status"], "draft", "{r}");
    }
}

#[tokio::test]
async fn amendments_change_amount_duration_and_contractors_after_notification_only() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let s1 = supplier(&app, &fx.editor_a2, fx.tenant_a2, SUPPLIER_SIRET).await;
    let s1 = data(&s1)["createSupplier"]["id"].clone();
    let s2 = supplier(&app, &fx.editor_a2, fx.tenant_a2, "73282932000074").await;
    let s2 = data(&s2)["createSupplier"]["id"].clone();
    let notified = NaiveDate::from_ymd_opt(2025, 3, 1).expect("test data");
    let r = create(
        &app,
        &fx.editor_a2,
        fx.tenant_a2,
        &input(
            "M-2025-03",
            &format!("notifiedOn: \"2025-03-01\"; durationMonths: 36; supplierIds: [{s1}]"),
        ),
    )
    .await;
    let id = data(&r)["createContract"]["id"].clone();
    let amend = |input: String| {
        let app = &app;
        let caller = fx.editor_a2.clone();
        let id = id.clone();
        async move {
            app.gql(
                &caller,
                &format!("mutation($c: UUID!) {{ amendContract(contractId: $c, input: {input}) {{ {FIELDS} }} }}"),
                json!({"c": id}),
            )
            .await
        }
    };
    let before = app.count("proc_amendment").await;
    for (input, f) in [
        ("{signedOn: \"2025-02-28\", awardedCents: 1}".to_owned(), "signedOn"),
        ("{signedOn: \"2025-04-01\", awardedCents: -1}".to_owned(), "awardedCents"),
        ("{signedOn: \"2025-04-01\", durationMonths: 0}".to_owned(), "durationMonths"),
        ("{signedOn: \"2025-04-01\"}".to_owned(), "awardedCents"),
        (
            format!("{{signedOn: \"2025-04-01\", awardedCents: 1, shares: [{{tenantId: \"{}\", amountCents: 1}}]}}", fx.tenant_a2),
            "shares",
        ),
        (
            format!("{{signedOn: \"2025-04-01\", supplierIds: [\"{}\"]}}", uuid::Uuid::now_v7()),
            "supplierIds",
        ),
    ] {
        let r = amend(input.clone()).await;
        assert_eq!(field(&r).as_deref(), Some(f), "{input}: {r}");
    }
    assert_eq!(app.count("proc_amendment").await, before);
    // On the notification day itself, an amendment is possible.
    let r = amend(format!(
        "{{signedOn: \"2025-03-01\", object: \"Avenant 1\", awardedCents: 2600000, durationMonths: 48, supplierIds: [{s2}]}}"
    ))
    .await;
    let c = &data(&r)["amendContract"];
    assert_eq!(c["awardedCents"], 2_600_000);
    assert_eq!(c["initialAwardedCents"], 2_400_000);
    assert_eq!(c["durationMonths"], 48);
    assert_eq!(
        c["endOn"],
        json!(
            notified
                .checked_add_months(Months::new(48))
                .expect("test data")
                - chrono::Duration::days(1)
        )
    );
    assert_eq!(c["supplierIds"], json!([s2]));
    assert_eq!(c["amendments"][0]["supplierIds"], json!([s2]));
    // A draft contract cannot be amended.
    let r = create(&app, &fx.editor_a2, fx.tenant_a2, &input("M-DRAFT", "")).await;
    let draft = data(&r)["createContract"]["id"].clone();
    let r = app
        .gql(
            &fx.editor_a2,
            "mutation($c: UUID!) { amendContract(contractId: $c, input: {signedOn: \"2025-04-01\", awardedCents: 1}) { id } }",
            json!({"c": draft}),
        )
        .await;
    assert_eq!(field(&r).as_deref(), Some("signedOn"));
}

#[tokio::test]
async fn a_joint_procurement_is_split_exactly_and_each_commune_sees_its_part() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let shares = |a: i64, b: i64| {
        format!(
            "shares: [{{tenantId: \"{}\", amountCents: {a}}}, {{tenantId: \"{}\", amountCents: {b}}}]",
            fx.tenant_a1, fx.tenant_a2
        )
    };
    // Not summing to the awarded amount (24 000.00 EUR), by one cent.
    let r = create(
        &app,
        &fx.org_admin_a,
        fx.tenant_a1,
        &input("GC-1", &shares(1_600_000, 799_999)),
    )
    .await;
    assert_eq!(field(&r).as_deref(), Some("shares"));
    assert_eq!(app.count("proc_share").await, 0);
    let r = create(
        &app,
        &fx.org_admin_a,
        fx.tenant_a1,
        &input(
            "GC-1",
            &format!("notifiedOn: \"2025-09-01\"; {}", shares(1_600_000, 800_000)),
        ),
    )
    .await;
    let c = &data(&r)["createContract"];
    assert_eq!(c["joint"], true);
    assert_eq!(c["shares"].as_array().expect("test data").len(), 2);
    let id = c["id"].clone();
    // Margny's agent sees its part, not the coordinator's contract.
    let r = app
        .gql(
            &fx.editor_a2,
            "query($id: UUID!) { jointShares { contractId tenantId amountCents reference object cpv { code } } contract(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        r["data"]["jointShares"],
        json!([{"contractId": id, "tenantId": fx.tenant_a2, "amountCents": 800_000,
                "reference": "GC-1", "object": "Nettoyage des locaux", "cpv": {"code": "90910000"}}])
    );
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"));
    // Compiègne's admin reads the contract with its own share only.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &format!("query($id: UUID!) {{ contract(id: $id) {{ {FIELDS} }} }}"),
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        data(&r)["contract"]["shares"],
        json!([{"tenantId": fx.tenant_a1, "amountCents": 1_600_000}])
    );
    // A new amount comes with new shares that sum to it.
    let amend = |input: String| {
        let app = &app;
        let caller = fx.org_admin_a.clone();
        let id = id.clone();
        async move {
            app.gql(
                &caller,
                &format!("mutation($c: UUID!) {{ amendContract(contractId: $c, input: {input}) {{ {FIELDS} }} }}"),
                json!({"c": id}),
            )
            .await
        }
    };
    let r = amend("{signedOn: \"2025-10-01\", awardedCents: 3000000}".into()).await;
    assert_eq!(field(&r).as_deref(), Some("shares"));
    let r = amend(format!(
        "{{signedOn: \"2025-10-01\", awardedCents: 3000000, {}}}",
        shares(2_000_000, 999_999)
    ))
    .await;
    assert_eq!(field(&r).as_deref(), Some("shares"));
    let r = amend(format!(
        "{{signedOn: \"2025-10-01\", awardedCents: 3000000, {}}}",
        shares(2_000_000, 1_000_000)
    ))
    .await;
    let c = &data(&r)["amendContract"];
    assert_eq!(c["awardedCents"], 3_000_000);
    let total: i64 = c["shares"]
        .as_array()
        .expect("test data")
        .iter()
        .map(|s| s["amountCents"].as_i64().expect("test data"))
        .sum();
    assert_eq!(total, 3_000_000);
}

#[tokio::test]
async fn splitting_alerts_and_joint_opportunities() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // Compiègne buys cleaning three times in 2025, 25 000 EUR each: each under the 40 000 EUR
    // threshold, 75 000 EUR together.
    for (i, date) in ["2025-02-01", "2025-06-01", "2025-11-15"]
        .iter()
        .enumerate()
    {
        let r = create(
            &app,
            &fx.commune_admin_a1,
            fx.tenant_a1,
            &input(
                &format!("NET-{i}"),
                &format!("notifiedOn: {date:?}; cpv: \"90911200\""),
            ),
        )
        .await;
        data(&r);
    }
    // Same class, another year; another class the same year: no alert from them.
    for (r, extra) in [
        ("NET-2024", "notifiedOn: \"2024-05-01\"; cpv: \"90910000\""),
        (
            "IMP-2025",
            "notifiedOn: \"2025-05-01\"; cpv: \"30232110\"; category: \"fournitures\"",
        ),
    ] {
        data(&create(&app, &fx.commune_admin_a1, fx.tenant_a1, &input(r, extra)).await);
    }
    // Margny buys cleaning in 2025 too.
    data(
        &create(
            &app,
            &fx.editor_a2,
            fx.tenant_a2,
            &input(
                "NET-M",
                "notifiedOn: \"2025-03-01\"; estimatedCents: 3000000",
            ),
        )
        .await,
    );

    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ splittingAlerts(year: 2025) { tenantId cpvClass cpvClassLabel category year totalEstimatedCents largestSingleCents contractIds threshold { kind amountCents } } }",
            json!({}),
        )
        .await;
    let alerts = data(&r)["splittingAlerts"]
        .as_array()
        .expect("test data")
        .clone();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(a["cpvClass"], "9091");
    assert_eq!(a["cpvClassLabel"], "Services de nettoyage");
    assert_eq!(a["category"], "services");
    assert_eq!(a["totalEstimatedCents"], 7_500_000);
    assert_eq!(a["largestSingleCents"], 2_500_000);
    assert_eq!(a["contractIds"].as_array().expect("test data").len(), 3);
    assert_eq!(
        a["threshold"],
        json!({"kind": "no_publicity", "amountCents": 4_000_000})
    );
    // Margny alone stays under: no alert for it; the year filter is validated.
    let r = app
        .gql(&fx.editor_a2, "{ splittingAlerts { tenantId } }", json!({}))
        .await;
    assert_eq!(data(&r)["splittingAlerts"], json!([]));
    let r = app
        .gql(
            &fx.editor_a2,
            "{ splittingAlerts(year: 1900) { tenantId } }",
            json!({}),
        )
        .await;
    assert_eq!(field(&r).as_deref(), Some("year"));
    // The DSI sees cleaning bought by both communes in 2025: 105 000 EUR together.
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($o: UUID!) { jointProcurementOpportunities(organisationId: $o, year: 2025) { cpvClass totalEstimatedCents tenants { tenantId estimatedCents } reaches { kind } } }",
            json!({"o": fx.org_a}),
        )
        .await;
    let o = &data(&r)["jointProcurementOpportunities"];
    assert_eq!(o.as_array().expect("test data").len(), 1, "{o}");
    assert_eq!(o[0]["cpvClass"], "9091");
    assert_eq!(o[0]["totalEstimatedCents"], 10_500_000);
    assert_eq!(
        o[0]["tenants"][0],
        json!({"tenantId": fx.tenant_a1, "estimatedCents": 7_500_000})
    );
    assert_eq!(o[0]["reaches"]["kind"], "national_notice");
    // A commune does not get that view.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "query($o: UUID!) { jointProcurementOpportunities(organisationId: $o) { cpvClass } }",
            json!({"o": fx.org_a}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn contracts_expiring_by_end_or_renewal_notice() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let ago = |m: u32| {
        today()
            .checked_sub_months(Months::new(m))
            .expect("test data")
            .to_string()
    };
    // Ends in about a month.
    let ending = create(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        &input("END", &format!("notifiedOn: {:?}", ago(11))),
    )
    .await;
    assert_eq!(data(&ending)["createContract"]["status"], "active");
    // Renewal decision in about four months, with 90 days' notice: deadline in about a month.
    let renew = create(
        &app,
        &fx.commune_admin_a1,
        fx.tenant_a1,
        &input(
            "REN",
            &format!(
                "notifiedOn: {:?}; renewals: 1; renewalMonths: 12; noticeDays: 90",
                ago(8)
            ),
        ),
    )
    .await;
    let renew_c = data(&renew)["createContract"].clone();
    // Long-running, and already expired.
    data(
        &create(
            &app,
            &fx.commune_admin_a1,
            fx.tenant_a1,
            &input("LONG", &format!("notifiedOn: {:?}", ago(1))),
        )
        .await,
    );
    data(
        &create(
            &app,
            &fx.commune_admin_a1,
            fx.tenant_a1,
            &input("OLD", &format!("notifiedOn: {:?}", ago(14))),
        )
        .await,
    );
    let q = |days: i64| {
        let app = &app;
        let caller = fx.commune_admin_a1.clone();
        async move {
            let r = app
                .gql(
                    &caller,
                    "query($d: Int!) { contractsExpiring(withinDays: $d) { id reference } }",
                    json!({"d": days}),
                )
                .await;
            data(&r)["contractsExpiring"]
                .as_array()
                .expect("test data")
                .iter()
                .map(|c| c["reference"].as_str().expect("test data").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        q_sorted(&q(45).await),
        vec!["END".to_owned(), "REN".to_owned()]
    );
    assert!(q(5).await.is_empty());
    let deadline: NaiveDate =
        serde_json::from_value(renew_c["noticeDeadline"].clone()).expect("test data");
    assert!(deadline > today() && deadline <= today() + chrono::Duration::days(45));
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ contractsExpiring(withinDays: -1) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(field(&r).as_deref(), Some("withinDays"));
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ expired: contracts(status: \"expired\") { items { reference }} }",
            json!({}),
        )
        .await;
    assert_eq!(data(&r)["expired"]["items"], json!([{"reference": "OLD"}]));
}

fn q_sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

#[tokio::test]
async fn cpv_search_and_threshold_requirements() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.editor_a2,
            "{ a: cpvSearch(query: \"TRAITEUR-ECOLES\", first: 5) { items { code label codeWithCheckDigit }} b: cpvSearch(query: \"9091\", first: 1) { items { code }} }",
            json!({}),
        )
        .await;
    let d = data(&r);
    assert!(d["a"]["items"].to_string().contains("55524000-9"), "{d}");
    assert_eq!(d["b"]["items"], json!([{"code": "90910000"}]));
    let req = |category: &str, cents: i64, date: &str| {
        let app = &app;
        let caller = fx.editor_a2.clone();
        let (category, date) = (category.to_owned(), date.to_owned());
        async move {
            app.gql(
                &caller,
                "query($c: String!, $a: Int!, $d: Date!) { procurementRequirements(category: $c, amountCents: $a, date: $d) { procedure publicity thresholds { kind amountCents validFrom validTo } unknownEuropeanThreshold } }",
                json!({"c": category, "a": cents, "d": date}),
            )
            .await
        }
    };
    let publicity = |r: &Value| {
        data(r)["procurementRequirements"]["publicity"]
            .as_str()
            .expect("test data")
            .to_owned()
    };
    assert_eq!(
        publicity(&req("services", 5_999_999, "2026-04-01").await),
        "none"
    );
    assert_eq!(
        publicity(&req("services", 6_000_000, "2026-04-01").await),
        "adapted"
    );
    assert_eq!(
        publicity(&req("services", 5_999_999, "2026-03-31").await),
        "adapted"
    );
    assert_eq!(
        publicity(&req("travaux", 9_999_999, "2026-01-01").await),
        "none"
    );
    // Works under 100 000 EUR HT need no publicity since the loi ASAP (2020-12-08), through
    // its extensions, not only from 2026; the day before, 40 000 EUR HT.
    assert_eq!(
        publicity(&req("travaux", 9_999_999, "2025-12-31").await),
        "none"
    );
    assert_eq!(
        publicity(&req("travaux", 9_999_999, "2020-12-08").await),
        "none"
    );
    assert_eq!(
        publicity(&req("travaux", 9_999_999, "2020-12-07").await),
        "boamp_or_jal"
    );
    let r = req("fournitures", 21_600_000, "2026-01-01").await;
    assert_eq!(
        data(&r)["procurementRequirements"]["procedure"],
        "Appel d'offres ouvert"
    );
    assert_eq!(
        publicity(&req("fournitures", 21_600_000, "2025-12-31").await),
        "boamp_or_jal"
    );
    let r = req("prestations", 1, "2026-01-01").await;
    assert_eq!(field(&r).as_deref(), Some("category"));
    let r = req("services", -1, "2026-01-01").await;
    assert_eq!(field(&r).as_deref(), Some("amountCents"));
}

#[tokio::test]
async fn concurrent_creations_of_one_supplier_all_answer_the_same_row() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let before = app.count("audit_log").await;
    let calls = (0..6).map(|i| {
        let tenant = if i % 2 == 0 {
            fx.tenant_a1
        } else {
            fx.tenant_a2
        };
        supplier(&app, &fx.org_admin_a, tenant, "443 061 841 00047")
    });
    let answers = futures::future::join_all(calls).await;
    let ids: Vec<&Value> = answers
        .iter()
        .map(|r| {
            assert!(r["errors"].is_null(), "{r}");
            &data(r)["createSupplier"]["id"]
        })
        .collect();
    assert!(ids[0].is_string(), "{:?}", answers[0]);
    assert!(ids.iter().all(|id| *id == ids[0]), "{answers:?}");
    assert_eq!(app.count("proc_supplier").await, 1);
    assert_eq!(
        app.count("audit_log").await,
        before + 1,
        "one creation audited"
    );

    // The race made certain: another transaction has recorded the identifier but not committed
    // when the requests read; they wait on the unique index, then answer its row.
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
    let other = uuid::Uuid::now_v7();
    let txn = app.admin.begin().await.expect("begin");
    txn.execute(Statement::from_sql_and_values(
        sea_orm::DatabaseBackend::Postgres,
        "INSERT INTO proc_supplier (id, organisation_id, tenant_id, id_type, identifier, name, created_at)
         VALUES ($1, $2, $3, 'SIRET', '73282932000074', 'Autre', now())",
        [other.into(), fx.org_a.into(), fx.tenant_a1.into()],
    ))
    .await
    .expect("insert");
    let calls = futures::future::join_all(
        (0..6).map(|_| supplier(&app, &fx.org_admin_a, fx.tenant_a1, "73282932000074")),
    );
    let commit = async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        txn.commit().await.expect("commit");
    };
    let (answers, ()) = tokio::join!(calls, commit);
    for r in &answers {
        assert!(r["errors"].is_null(), "{r}");
        assert_eq!(data(r)["createSupplier"]["id"], json!(other), "{r}");
    }
    assert_eq!(app.count("proc_supplier").await, 2);
}
