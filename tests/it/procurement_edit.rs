//! Issue 17: a contract is edited from the console. A draft changes freely (its lots are
//! recorded then); once notified, its amount, duration, contractors and lots' amounts change
//! only by an amendment; an edit made on a stale version is refused; every refusal is French
//! and names its field; another commune's contract is out of reach.
use integration_tests::*;
use serde_json::{json, Value};

const FIELDS: &str = "id version reference object status awardedCents initialAwardedCents durationMonths initialDurationMonths notifiedOn supplierIds lots { number object awardedCents contractors initialContractors cpv { code } }";

fn field(resp: &Value) -> Option<String> {
    resp["errors"][0]["extensions"]["field"]
        .as_str()
        .map(str::to_owned)
}

/// A contract input (variables `$s` supplier, `$n` notification day), with `extra` fields.
fn input(extra: &str) -> String {
    format!(
        r#"{{reference: "2026-VOIRIE", object: "Entretien de la voirie communale", category: "travaux",
        procedure: "Procédure adaptée", priceForm: "Unitaire", cpv: "45233141", estimatedCents: 9000000,
        durationMonths: 12, placeCode: "60159", supplierIds: [$s] {extra}}}"#
    )
}

#[tokio::test]
async fn a_draft_is_edited_with_its_lots_then_notified_and_amended_not_edited() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let c = &fx.commune_admin_a1;
    let today = chrono::Utc::now().date_naive();
    let r = app
        .gql(
            c,
            "mutation($t: UUID!, $i: String!) { createSupplier(input: {tenantId: $t, identifier: $i, name: \"Travaux publics de l'Oise\"}) { id } }",
            json!({"t": fx.tenant_a1, "i": SUPPLIER_SIRET}),
        )
        .await;
    let supplier = data(&r)["createSupplier"]["id"]
        .as_str()
        .expect("supplier")
        .to_owned();
    // A draft: no notification, no awarded amount.
    let r = app
        .gql(
            c,
            &format!(
                "mutation($t: UUID!, $s: UUID!) {{ createContract(tenantId: $t, input: {}) {{ {FIELDS} }} }}",
                input("")
            ),
            json!({"t": fx.tenant_a1, "s": supplier}),
        )
        .await;
    let created = data(&r)["createContract"].clone();
    assert_eq!(created["version"], 1);
    assert_eq!(created["status"], "draft");
    let id = created["id"].as_str().expect("id").to_owned();
    let run = |version: i64, extra: &str| {
        // `$n` is declared only when the input uses it (GraphQL refuses an unused variable).
        let uses_n = extra.contains("$n");
        let q = format!(
            "mutation($c: UUID!, $v: Int!, $s: UUID!{}) {{ updateContract(id: $c, version: $v, input: {}) {{ {FIELDS} }} }}",
            if uses_n { ", $n: Date!" } else { "" },
            input(extra)
        );
        let mut vars = json!({"c": id, "v": version, "s": supplier});
        if uses_n {
            vars["n"] = json!(today);
        }
        let (app, c) = (&app, c);
        async move { app.gql(c, &q, vars).await }
    };

    // Wrong CPV code, lots that do not sum to the amount: refused, in French, by field.
    let r = run(1, ", cpv: \"45233999\"").await;
    assert_eq!(field(&r).as_deref(), Some("cpv"), "{r}");
    assert_french_errors(&r);
    let lots = "lots: [{number: 1, object: \"Chaussées\", estimatedCents: 6000000, awardedCents: 5500000, supplierIds: [$s]},
                {number: 2, object: \"Trottoirs\", cpv: \"45233161\", estimatedCents: 3000000, awardedCents: 2500000, supplierIds: [$s]}]";
    let r = run(1, &format!(", awardedCents: 9000000, {lots}")).await;
    assert_eq!(field(&r).as_deref(), Some("lots"), "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.replace(['\u{202f}', '\u{a0}'], " ").contains("80 000,00")),
        "{r}"
    );
    assert_french_errors(&r);
    // The draft gets its lots and is notified in the same edit.
    let r = run(
        1,
        &format!(", awardedCents: 8000000, notifiedOn: $n, {lots}"),
    )
    .await;
    let c1 = data(&r)["updateContract"].clone();
    assert_eq!(c1["version"], 2);
    assert_eq!(c1["status"], "active");
    assert_eq!(c1["lots"][1]["cpv"]["code"], "45233161");
    assert_eq!(c1["lots"][0]["initialContractors"], json!([supplier]));
    // The same version again: someone else's change is not undone.
    let r = run(
        1,
        &format!(", awardedCents: 8000000, notifiedOn: $n, {lots}"),
    )
    .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("version 2")));
    assert_french_errors(&r);

    // Notified: the amount, the duration and a lot's amount change by amendment only.
    for (extra, wanted) in [
        (
            format!(
                ", awardedCents: 8100000, notifiedOn: $n, {}",
                lots.replace("5500000", "5600000")
            ),
            "awardedCents",
        ),
        (
            format!(", durationMonths: 24, awardedCents: 8000000, notifiedOn: $n, {lots}"),
            "durationMonths",
        ),
        (
            format!(
                ", awardedCents: 8000000, notifiedOn: $n, {}",
                lots.replace("5500000", "5600000")
                    .replace("2500000", "2400000")
            ),
            "lots",
        ),
        (", awardedCents: 8000000".to_owned(), "notifiedOn"),
    ] {
        let r = run(2, &extra).await;
        assert_eq!(field(&r).as_deref(), Some(wanted), "{extra}: {r}");
        assert_french_errors(&r);
    }
    // What is not the amendment's may still be corrected: the object, a lot's object.
    let r = run(
        2,
        &format!(
            ", object: \"Entretien des voies communales\", awardedCents: 8000000, notifiedOn: $n, {}",
            lots.replace("Trottoirs", "Trottoirs et bordures")
        ),
    )
    .await;
    let c3 = data(&r)["updateContract"].clone();
    assert_eq!(c3["version"], 3);
    assert_eq!(c3["object"], "Entretien des voies communales");
    assert_eq!(c3["lots"][1]["object"], "Trottoirs et bordures");
    // An amendment of lot 2 raises the version too; the amended amount shows, the initial
    // one stays what an edit must send back.
    let r = app
        .gql(
            c,
            "mutation($c: UUID!, $d: Date!) { amendContract(contractId: $c, input: {signedOn: $d, object: \"Bordures\", lot: 2, awardedCents: 2700000}) { version awardedCents lots { awardedCents } } }",
            json!({"c": id, "d": today}),
        )
        .await;
    let a = &data(&r)["amendContract"];
    assert_eq!(a["version"], 4);
    assert_eq!(a["awardedCents"], 8_200_000);
    let r = run(
        4,
        &format!(", awardedCents: 8000000, notifiedOn: $n, renewals: 1, renewalMonths: 12, {lots}"),
    )
    .await;
    assert_eq!(data(&r)["updateContract"]["version"], 5, "{r}");
    assert_eq!(data(&r)["updateContract"]["awardedCents"], 8_200_000);

    // Each edit is in the audit trail.
    let r = app
        .gql(
            c,
            "query($t: UUID!) { auditLog(tenantId: $t, first: 500) { items { operation } } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let ops = data(&r)["auditLog"]["items"].to_string();
    assert_eq!(ops.matches("updateContract").count(), 3, "{ops}");
}

#[tokio::test]
async fn another_communes_contract_cannot_be_edited() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let p = app
        .procurement_objects(&fx.commune_admin_a1, fx.tenant_a1, &[fx.tenant_a1])
        .await;
    let today = chrono::Utc::now().date_naive();
    let body = format!(
        "mutation($c: UUID!, $ref: String!, $n: Date!, $s: [UUID!]!) {{ updateContract(id: $c, version: 2, input: {CONTRACT_INPUT}) {{ id }} }}"
    );
    let vars = json!({"c": p.contract, "ref": "2025-INFO-01", "n": today, "s": [p.supplier]});
    // Margny's agent and Dunkerque's DSI do not find it; the DPO and the auditor do not edit
    // contracts at all.
    for caller in [&fx.editor_a2, &fx.org_admin_b] {
        let r = app.gql(caller, &body, vars.clone()).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        assert_french_errors(&r);
    }
    let r = app.gql(&fx.dpo_a, &body, vars.clone()).await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    assert_french_errors(&r);
    // Nothing changed: still version 2 (created, then amended by the fixture).
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "query($c: UUID!) { contract(id: $c) { version object } }",
            json!({"c": p.contract}),
        )
        .await;
    assert_eq!(data(&r)["contract"]["version"], 2);
    // Its own commune's DSI may (with the amount as notified: the amendment stays).
    let r = app
        .gql(
            &fx.org_admin_a,
            &body.replace("{ id }", "{ version object awardedCents }"),
            vars,
        )
        .await;
    let u = &data(&r)["updateContract"];
    assert_eq!(u["version"], 3);
    assert_eq!(u["awardedCents"], 3_700_000);
}
