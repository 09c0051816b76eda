//! DECP 2.0.3 export: valid against the official JSON Schema, enumerations as the schema spells
//! them, amendments as `modifications`, incomplete contracts listed as skipped.
use integration_tests::*;
use serde_json::{json, Value};

/// The official schema, as the repository keeps it (`tenants/data/decp/`).
fn decp_schema() -> Value {
    serde_json::from_str(tenants::procurement::decp::SCHEMA).expect("schema is JSON")
}

fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let v = jsonschema::validator_for(schema).expect("schema compiles");
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// A SIRET (Luhn) of an establishment of `siren`.
pub fn siret_of(siren: &str) -> String {
    (10..100)
        .map(|nic| format!("{siren}000{nic:02}"))
        .find(|s| tenants::identifiers::Siret::parse(s).is_ok())
        .expect("a NIC with a valid key")
}

/// The text of the first `<name>` element (as written, entities kept).
fn xml_text<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no <{name}> in {xml}"))
        + open.len();
    let len = xml[start..]
        .find(&format!("</{name}>"))
        .unwrap_or_else(|| panic!("<{name}> not closed"));
    &xml[start..start + len]
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn the_decp_export_is_valid_against_the_official_schema() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($a: UUID!, $b: UUID!) { a: tenant(id: $a) { siren } b: tenant(id: $b) { siren } }",
            json!({"a": fx.tenant_a1, "b": fx.tenant_a2}),
        )
        .await;
    let buyer_a1 = siret_of(data(&r)["a"]["siren"].as_str().expect("test data"));
    let buyer_a2 = siret_of(data(&r)["b"]["siren"].as_str().expect("test data"));
    let p = app
        .procurement_objects(&fx.org_admin_a, fx.tenant_a1, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    let foreign_vat = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!) { createSupplier(input: {tenantId: $t, idType: \"TVA\", identifier: \"BE0123456749\", name: \"Belgian Roads NV\"}) { id } }",
            json!({"t": fx.tenant_a2}),
        )
        .await;
    let vat_id = data(&foreign_vat)["createSupplier"]["id"].clone();
    let contract = |tenant, reference: &str, buyer: &str, notified: &str| {
        let app = &app;
        let caller = fx.org_admin_a.clone();
        let (reference, buyer, notified) =
            (reference.to_owned(), buyer.to_owned(), notified.to_owned());
        let vat_id = vat_id.clone();
        async move {
            app.gql(
                &caller,
                &format!(r#"mutation($t: UUID!, $b: String!, $s: [UUID!]!) {{ createContract(tenantId: $t, input: {{
                    reference: "{reference}", object: "Réfection de la voirie & des trottoirs <rue de Paris>", category: "travaux",
                    procedure: "Appel d'offres ouvert", techniques: ["Accord-cadre"], executionModalities: ["Bons de commande"],
                    ccag: "Travaux", priceForm: "Unitaire", priceTypes: ["Définitif révisable"], cpv: "45233140-2",
                    estimatedCents: 45000000, awardedCents: 43210055, notifiedOn: {notified}, durationMonths: 24,
                    placeCode: "60382", socialConsiderations: ["Clause sociale"],
                    environmentalConsiderations: ["Critère environnemental", "Clause environnementale"],
                    subcontracting: true, buyerSiret: $b, offersReceived: 4, operatorGrouping: "Solidaire", supplierIds: $s}}) {{ id }} }}"#),
                json!({"t": tenant, "b": buyer, "s": [vat_id]}),
            )
            .await
        }
    };
    // The buyer's SIRET must be one of the tenant's own establishments.
    let r = contract(fx.tenant_a2, "VOI-X", &buyer_a1, "\"2025-06-02\"").await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(r["errors"][0]["extensions"]["field"], "buyerSiret");
    let r = contract(fx.tenant_a2, "VOI-2025-1", &buyer_a2, "\"2025-06-02\"").await;
    let roads = data(&r)["createContract"]["id"].clone();
    // Amended: new amount and duration, then new contractors.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($c: UUID!) {
               a1: amendContract(contractId: $c, input: {signedOn: \"2025-09-01\", awardedCents: 47000000, durationMonths: 30}) { id }
             }",
            json!({"c": roads}),
        )
        .await;
    data(&r);
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($c: UUID!, $s: [UUID!]!) { amendContract(contractId: $c, input: {signedOn: \"2025-10-01\", supplierIds: $s}) { supplierIds } }",
            json!({"c": roads, "s": [p.supplier]}),
        )
        .await;
    assert_eq!(
        data(&r)["amendContract"]["supplierIds"],
        json!([p.supplier])
    );
    // A draft (not notified) is skipped, with why.
    let r = contract(fx.tenant_a1, "VOI-DRAFT", &buyer_a1, "null").await;
    data(&r);

    let r = app
        .gql(
            &fx.org_admin_a,
            "query($o: UUID!) { decpExport(organisationId: $o) { document exported xml skipped { reference reason } } }",
            json!({"o": fx.org_a}),
        )
        .await;
    let e = &data(&r)["decpExport"];
    let doc = e["document"].clone();
    let schema = decp_schema();
    let errs = errors(&schema, &doc);
    assert!(errs.is_empty(), "DECP invalid: {errs:#?}\n{doc:#}");
    assert_eq!(e["exported"], 1, "{e:#}");
    let skipped = e["skipped"].to_string();
    // The fixture's contracts have no buyer SIRET; the draft is not notified.
    assert!(skipped.contains("SIRET de l'acheteur"), "{skipped}");
    assert!(
        skipped.contains("VOI-DRAFT") && skipped.contains("pas encore notifié"),
        "{skipped}"
    );
    let m = &doc["marches"]["marche"][0];
    assert_eq!(m["id"], "VOI-2025-1");
    assert_eq!(m["acheteur"]["id"], json!(buyer_a2));
    assert_eq!(m["procedure"], "Appel d'offres ouvert");
    assert_eq!(m["codeCPV"], "45233140");
    assert_eq!(m["montant"], json!(432_100.55));
    assert_eq!(m["dureeMois"], 24);
    assert_eq!(m["typeGroupementOperateurs"], "Solidaire");
    assert_eq!(
        m["lieuExecution"],
        json!({"code": "60382", "typeCode": "Code commune"})
    );
    assert_eq!(
        m["titulaires"],
        json!([{"titulaire": {"typeIdentifiant": "TVA", "id": "BE0123456749"}}])
    );
    let mods = m["modifications"].as_array().expect("test data");
    assert_eq!(mods.len(), 2);
    assert_eq!(mods[0]["modification"]["montant"], 470_000);
    assert_eq!(mods[0]["modification"]["dureeMois"], 30);
    assert_eq!(
        mods[0]["modification"]["dateNotificationModification"],
        "2025-09-01"
    );
    assert_eq!(
        mods[1]["modification"]["titulaires"],
        json!([{"titulaire": {"typeIdentifiant": "SIRET", "id": SUPPLIER_SIRET}}])
    );

    // The same document as XML: one <marche> per contract, text escaped, values unchanged.
    let xml = e["xml"].as_str().expect("xml");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<marches><marche>"),
        "{xml}"
    );
    assert!(xml.trim_end().ends_with("</marche></marches>"), "{xml}");
    let marches = doc["marches"]["marche"].as_array().expect("marches").len();
    assert_eq!(xml.matches("<marche>").count(), marches);
    assert_eq!(xml.matches("</marche>").count(), marches);
    let objet = xml_text(xml, "objet");
    assert_eq!(
        objet,
        "Réfection de la voirie &amp; des trottoirs &lt;rue de Paris&gt;"
    );
    assert_eq!(unescape(objet), m["objet"].as_str().expect("objet"));
    assert_eq!(xml_text(xml, "codeCPV"), "45233140");
    assert!(xml.contains("<montant>432100.55</montant>"), "{xml}");
    assert!(xml.contains("<montant>470000</montant>"), "{xml}");
    // The contract's contractor, and the one its second amendment names.
    assert_eq!(xml.matches("<titulaires><titulaire>").count(), 2, "{xml}");
    assert_eq!(xml.matches("</titulaire></titulaires>").count(), 2, "{xml}");
    assert!(
        xml.contains("<id>BE0123456749</id>")
            && xml.contains("<typeIdentifiant>TVA</typeIdentifiant>")
            && xml.contains(&format!("<id>{SUPPLIER_SIRET}</id>")),
        "{xml}"
    );
    assert!(
        xml.contains("<considerationsEnvironnementales><considerationEnvironnementale>Critère environnemental</considerationEnvironnementale><considerationEnvironnementale>Clause environnementale</considerationEnvironnementale></considerationsEnvironnementales>"),
        "{xml}"
    );
    assert_eq!(xml.matches("<modification>").count(), 2);
    for (i, _) in xml.match_indices('&') {
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                .iter()
                .any(|e| xml[i..].starts_with(e)),
            "bare & in {xml}"
        );
    }

    // The validator is live: a misspelled enumeration or a missing field is refused.
    let mut bad = doc.clone();
    bad["marches"]["marche"][0]["procedure"] = json!("MAPA");
    assert!(!errors(&schema, &bad).is_empty());
    let mut bad = doc.clone();
    bad["marches"]["marche"][0]
        .as_object_mut()
        .expect("test data")
        .remove("offresRecues");
    assert!(!errors(&schema, &bad).is_empty());

    // A commune exports its own contracts only; another organisation is not found.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ decpExport { exported skipped { reference } } }",
            json!({}),
        )
        .await;
    let own = data(&r)["decpExport"].to_string();
    assert!(
        !own.contains("VOI-2025-1") && own.contains("VOI-DRAFT"),
        "{own}"
    );
    let r = app
        .gql(
            &fx.org_admin_b,
            "query($o: UUID!) { decpExport(organisationId: $o) { exported } }",
            json!({"o": fx.org_a}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"));
    // An empty export is valid too.
    let r = app
        .gql(
            &fx.org_admin_b,
            "{ decpExport { document exported } }",
            json!({}),
        )
        .await;
    assert!(errors(&schema, &data(&r)["decpExport"]["document"]).is_empty());
}

#[tokio::test]
async fn a_contract_in_lots_publishes_one_valid_marche_per_lot() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($a: UUID!) { a: tenant(id: $a) { siren } }",
            json!({"a": fx.tenant_a1}),
        )
        .await;
    let buyer = siret_of(data(&r)["a"]["siren"].as_str().expect("test data"));
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!, $i: String!) { createSupplier(input: {tenantId: $t, identifier: $i, name: \"Propreté de l'Oise\"}) { id } }",
            json!({"t": fx.tenant_a1, "i": SUPPLIER_SIRET}),
        )
        .await;
    let supplier = data(&r)["createSupplier"]["id"]
        .as_str()
        .expect("supplier")
        .to_owned();
    let r = app
        .gql(
            &fx.org_admin_a,
            LOTTED_CONTRACT,
            json!({"t": fx.tenant_a1, "ref": "NET-2025", "b": buyer, "s": [supplier]}),
        )
        .await;
    let c = &data(&r)["createContract"];
    assert_eq!(
        c["lots"],
        json!([
            {"number": 1, "object": "Écoles et crèches", "cpv": {"code": "90911200"}, "awardedCents": 3000000, "contractors": [supplier]},
            {"number": 2, "object": "Vitrerie", "cpv": {"code": "90911300"}, "awardedCents": 1234567, "contractors": [supplier]},
        ]),
        "{r}"
    );
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($t: UUID!) { decpExport(tenantIds: [$t]) { document exported skipped { reference } } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let e = &data(&r)["decpExport"];
    let doc = e["document"].clone();
    let schema = decp_schema();
    let errs = errors(&schema, &doc);
    assert!(errs.is_empty(), "DECP invalid: {errs:#?}\n{doc:#}");
    assert_eq!(e["exported"], 2, "{e:#}");
    let ms = doc["marches"]["marche"].as_array().expect("marches");
    assert_eq!(ms.len(), 2, "one marche per lot: {doc:#}");
    for m in ms {
        let one = json!({"marches": {"marche": [m]}});
        assert!(errors(&schema, &one).is_empty(), "{m:#}");
        assert_eq!(m["acheteur"]["id"], json!(buyer));
        assert_eq!(
            m["titulaires"],
            json!([{"titulaire": {"typeIdentifiant": "SIRET", "id": SUPPLIER_SIRET}}])
        );
    }
    assert_eq!(ms[0]["id"], "NET-2025-01");
    assert_eq!(ms[0]["objet"], "Écoles et crèches");
    assert_eq!(ms[0]["codeCPV"], "90911200");
    assert_eq!(ms[0]["montant"], json!(30_000));
    // The contract's duration, its renewal included.
    assert_eq!(ms[0]["dureeMois"], 24);
    assert_eq!(ms[1]["id"], "NET-2025-02");
    assert_eq!(ms[1]["codeCPV"], "90911300");
    assert_eq!(ms[1]["montant"], json!(12_345.67));
    assert_eq!(ms[1]["dureeMois"], 18);

    // A divided contract's amount or contractors are not amended as a whole.
    let id = c["id"].clone();
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($c: UUID!) { amendContract(contractId: $c, input: {signedOn: \"2025-06-01\", awardedCents: 5000000}) { id } }",
            json!({"c": id}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(r["errors"][0]["extensions"]["field"], "awardedCents");
    // Its duration is.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($c: UUID!) { amendContract(contractId: $c, input: {signedOn: \"2025-06-01\", durationMonths: 18}) { durationMonths } }",
            json!({"c": id}),
        )
        .await;
    assert_eq!(data(&r)["amendContract"]["durationMonths"], 18);
}

#[tokio::test]
async fn acts_of_subcontracting_are_checked_and_published_with_their_lot() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($a: UUID!) { a: tenant(id: $a) { siren } }",
            json!({"a": fx.tenant_a1}),
        )
        .await;
    let buyer = siret_of(data(&r)["a"]["siren"].as_str().expect("test data"));
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!, $i: String!) { createSupplier(input: {tenantId: $t, identifier: $i, name: \"Propreté de l'Oise\"}) { id } }",
            json!({"t": fx.tenant_a1, "i": SUPPLIER_SIRET}),
        )
        .await;
    let supplier = data(&r)["createSupplier"]["id"].clone();
    let r = app
        .gql(
            &fx.org_admin_a,
            LOTTED_CONTRACT,
            json!({"t": fx.tenant_a1, "ref": "NET-2025", "b": buyer, "s": [supplier]}),
        )
        .await;
    let contract = data(&r)["createContract"]["id"].clone();
    let add = |extra: &str| {
        let mut fields = vec![
            (
                "subcontractorIdentifier",
                "\"732 829 320 00074\"".to_owned(),
            ),
            ("lot", "2".to_owned()),
            ("amountCents", "250050".to_owned()),
            ("notifiedOn", "\"2025-04-01\"".to_owned()),
            ("durationMonths", "6".to_owned()),
            ("priceVariation", "\"Révisable\"".to_owned()),
        ];
        for kv in extra.split(';').filter(|s| !s.trim().is_empty()) {
            let (k, v) = kv.split_once(':').expect("key: value");
            let k = k.trim().to_owned();
            fields.retain(|(f, _)| *f != k);
            fields.push((Box::leak(k.into_boxed_str()), v.trim().to_owned()));
        }
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let app = &app;
        let caller = fx.org_admin_a.clone();
        let contract = contract.clone();
        let q = format!(
            "mutation($c: UUID!) {{ addSubcontractingAct(contractId: $c, input: {{{}}}) {{ subcontractingActs {{ number lot subcontractorIdType subcontractorIdentifier amountCents notifiedOn durationMonths priceVariation }} }} }}",
            body.join(", ")
        );
        async move { app.gql(&caller, &q, json!({"c": contract})).await }
    };
    let before = (
        app.count("proc_subcontracting_act").await,
        app.count("audit_log").await,
    );
    for (extra, field) in [
        (
            "subcontractorIdentifier: \"73282932000075\"",
            "subcontractorIdentifier",
        ),
        ("subcontractorIdType: \"SIREN\"", "subcontractorIdType"),
        (
            "subcontractorIdType: \"TVA\"; subcontractorIdentifier: \"FR00732829320\"",
            "subcontractorIdentifier",
        ),
        ("amountCents: 99", "amountCents"),
        ("amountCents: -100", "amountCents"),
        ("durationMonths: 0", "durationMonths"),
        ("priceVariation: \"Révisé\"", "priceVariation"),
        ("notifiedOn: \"2025-03-02\"", "notifiedOn"),
        ("notifiedOn: \"2099-01-01\"", "notifiedOn"),
        ("lot: null", "lot"),
        ("lot: 3", "lot"),
    ] {
        let r = add(extra).await;
        assert_eq!(
            error_code(&r).as_deref(),
            Some("BAD_USER_INPUT"),
            "{extra}: {r}"
        );
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{extra}: {r}");
    }
    assert_eq!(
        before,
        (
            app.count("proc_subcontracting_act").await,
            app.count("audit_log").await,
        ),
        "a refused act wrote something"
    );
    let r = add("").await;
    assert_eq!(
        data(&r)["addSubcontractingAct"]["subcontractingActs"],
        json!([{"number": 1, "lot": 2, "subcontractorIdType": "SIRET", "subcontractorIdentifier": "73282932000074",
                "amountCents": 250050, "notifiedOn": "2025-04-01", "durationMonths": 6, "priceVariation": "Révisable"}]),
        "{r}"
    );
    // Numbered in the order of notification: an earlier act cannot come second.
    let r = add("notifiedOn: \"2025-03-15\"").await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "notifiedOn", "{r}");
    let r =
        add("lot: 1; notifiedOn: \"2025-05-01\"; priceVariation: \"Ferme\"; amountCents: 100000")
            .await;
    let acts = &data(&r)["addSubcontractingAct"]["subcontractingActs"];
    assert_eq!(acts[1]["number"], 2, "{r}");

    let r = app
        .gql(
            &fx.org_admin_a,
            "query($t: UUID!) { decpExport(tenantIds: [$t]) { document xml exported } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let e = &data(&r)["decpExport"];
    let doc = e["document"].clone();
    let errs = errors(&decp_schema(), &doc);
    assert!(errs.is_empty(), "DECP invalid: {errs:#?}\n{doc:#}");
    let ms = &doc["marches"]["marche"];
    assert_eq!(
        ms[1]["actesSousTraitance"],
        json!([{"acteSousTraitance": {
            "id": 1, "sousTraitant": {"typeIdentifiant": "SIRET", "id": "73282932000074"},
            "dureeMois": 6, "dateNotification": "2025-04-01", "datePublicationDonnees": ms[1]["datePublicationDonnees"],
            "montant": 2500.5, "variationPrix": "Révisable"}}]),
        "{doc:#}"
    );
    assert_eq!(ms[0]["actesSousTraitance"][0]["acteSousTraitance"]["id"], 2);
    assert_eq!(
        ms[0]["actesSousTraitance"][0]["acteSousTraitance"]["montant"],
        1000
    );
    let xml = e["xml"].as_str().expect("xml");
    assert_eq!(
        xml.matches("<actesSousTraitance><acteSousTraitance>")
            .count(),
        2,
        "{xml}"
    );
}

#[tokio::test]
async fn a_lot_is_amended_alone_and_published_on_its_entry_only() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($a: UUID!) { a: tenant(id: $a) { siren } }",
            json!({"a": fx.tenant_a1}),
        )
        .await;
    let buyer = siret_of(data(&r)["a"]["siren"].as_str().expect("test data"));
    let supplier_of = |siret: &'static str| {
        let app = &app;
        let caller = fx.org_admin_a.clone();
        async move {
            let r = app
                .gql(
                    &caller,
                    "mutation($t: UUID!, $i: String!) { createSupplier(input: {tenantId: $t, identifier: $i, name: \"Titulaire\"}) { id } }",
                    json!({"t": fx.tenant_a1, "i": siret}),
                )
                .await;
            data(&r)["createSupplier"]["id"].clone()
        }
    };
    let supplier = supplier_of(SUPPLIER_SIRET).await;
    let other = supplier_of("73282932000074").await;
    let r = app
        .gql(
            &fx.org_admin_a,
            LOTTED_CONTRACT,
            json!({"t": fx.tenant_a1, "ref": "NET-2025", "b": buyer, "s": [supplier]}),
        )
        .await;
    let id = data(&r)["createContract"]["id"].clone();
    let amend = |input: &str| {
        let app = &app;
        let caller = fx.org_admin_a.clone();
        let q = format!(
            "mutation($c: UUID!) {{ amendContract(contractId: $c, input: {{signedOn: \"2025-06-01\", {input}}}) {{
              awardedCents initialAwardedCents lots {{ number awardedCents initialAwardedCents contractors }}
              amendments {{ lot awardedCents supplierIds }} }} }}"
        );
        let id = id.clone();
        async move { app.gql(&caller, &q, json!({"c": id})).await }
    };
    let before = (
        app.count("proc_amendment").await,
        app.count("audit_log").await,
    );
    let not_joint = format!(
        "lot: 2, awardedCents: 100000, shares: [{{tenantId: \"{}\", amountCents: 3100000}}]",
        fx.tenant_a1
    );
    for (input, field) in [
        ("lot: 3, awardedCents: 100000", "lot"),
        ("lot: 0, awardedCents: 100000", "lot"),
        ("lot: 2, awardedCents: -1", "awardedCents"),
        ("lot: 2, durationMonths: 3", "durationMonths"),
        (not_joint.as_str(), "shares"),
        ("supplierIds: []", "supplierIds"),
    ] {
        let r = amend(input).await;
        assert_eq!(
            error_code(&r).as_deref(),
            Some("BAD_USER_INPUT"),
            "{input}: {r}"
        );
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{input}: {r}");
    }
    assert_eq!(
        before,
        (
            app.count("proc_amendment").await,
            app.count("audit_log").await,
        ),
        "a refused amendment wrote something"
    );

    // Lot 2 goes from 12 345,67 EUR to 15 000 EUR: the contract's total follows.
    let r = amend("lot: 2, awardedCents: 1500000").await;
    let c = &data(&r)["amendContract"];
    assert_eq!(c["awardedCents"], 3_000_000 + 1_500_000, "{r}");
    assert_eq!(c["initialAwardedCents"], 4_234_567);
    assert_eq!(c["lots"][0]["awardedCents"], 3_000_000);
    assert_eq!(c["lots"][1]["awardedCents"], 1_500_000);
    assert_eq!(c["lots"][1]["initialAwardedCents"], 1_234_567);
    let lots_sum: i64 = c["lots"]
        .as_array()
        .expect("lots")
        .iter()
        .map(|l| l["awardedCents"].as_i64().expect("amount"))
        .sum();
    assert_eq!(json!(lots_sum), c["awardedCents"]);
    assert_eq!(
        c["amendments"],
        json!([{"lot": 2, "awardedCents": 1500000, "supplierIds": null}])
    );
    // Then its contractor changes; lot 1 keeps its own.
    let r = amend(
        "lot: 2, supplierIds: [$c]"
            .replace("$c", &other.to_string())
            .as_str(),
    )
    .await;
    let c = &data(&r)["amendContract"];
    assert_eq!(c["lots"][1]["contractors"], json!([other]), "{r}");
    assert_eq!(c["lots"][1]["awardedCents"], 1_500_000);
    assert_eq!(c["lots"][0]["contractors"], json!([supplier]));
    assert_eq!(c["awardedCents"], 4_500_000);
    // A duration amendment concerns every lot.
    let r = amend("durationMonths: 18").await;
    assert!(r["errors"].is_null(), "{r}");

    let r = app
        .gql(
            &fx.org_admin_a,
            "query($t: UUID!) { decpExport(tenantIds: [$t]) { document xml exported } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let e = &data(&r)["decpExport"];
    let doc = e["document"].clone();
    let errs = errors(&decp_schema(), &doc);
    assert!(errs.is_empty(), "DECP invalid: {errs:#?}\n{doc:#}");
    let ms = doc["marches"]["marche"].as_array().expect("marches");
    assert_eq!(ms.len(), 2, "{doc:#}");
    assert_eq!(ms[0]["id"], "NET-2025-01");
    let m0 = ms[0]["modifications"].as_array().expect("lot 1: duration");
    assert_eq!(
        m0.len(),
        1,
        "lot 1 has the duration amendment only: {doc:#}"
    );
    assert_eq!(m0[0]["modification"]["id"], 1);
    assert_eq!(m0[0]["modification"]["dureeMois"], 30);
    assert!(m0[0]["modification"].get("montant").is_none());
    // As notified, then amended.
    assert_eq!(ms[1]["montant"], json!(12_345.67));
    let m1 = ms[1]["modifications"].as_array().expect("lot 2");
    assert_eq!(m1.len(), 3, "{doc:#}");
    assert_eq!(m1[0]["modification"]["id"], 1);
    assert_eq!(m1[0]["modification"]["montant"], json!(15_000));
    assert!(m1[0]["modification"].get("titulaires").is_none());
    assert_eq!(
        m1[1]["modification"]["titulaires"],
        json!([{"titulaire": {"typeIdentifiant": "SIRET", "id": "73282932000074"}}])
    );
    assert_eq!(m1[2]["modification"]["id"], 3);
    assert_eq!(m1[2]["modification"]["dureeMois"], 30);
    let xml = e["xml"].as_str().expect("xml");
    assert_eq!(xml.matches("<modification>").count(), 4, "{xml}");

    // A lot number on a contract not divided into lots.
    let p = app
        .procurement_objects(&fx.org_admin_a, fx.tenant_a1, &[fx.tenant_a1])
        .await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($c: UUID!, $d: Date!) { amendContract(contractId: $c, input: {signedOn: $d, lot: 1, awardedCents: 100000}) { id } }",
            json!({"c": p.contract, "d": chrono::Utc::now().date_naive()}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "lot", "{r}");
}

#[tokio::test]
async fn a_lot_amendment_of_a_joint_procurement_comes_with_shares_of_the_new_total() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!, $i: String!) { createSupplier(input: {tenantId: $t, identifier: $i, name: \"Titulaire\"}) { id } }",
            json!({"t": fx.tenant_a1, "i": SUPPLIER_SIRET}),
        )
        .await;
    let s = data(&r)["createSupplier"]["id"].clone();
    let r = app
        .gql(
            &fx.org_admin_a,
            r#"mutation($t: UUID!, $s: [UUID!]!, $a1: UUID!, $a2: UUID!) {
  createContract(tenantId: $t, input: {reference: "GC-NET", object: "Nettoyage des bâtiments communaux",
    category: "services", procedure: "Appel d'offres ouvert", priceForm: "Forfaitaire", cpv: "90911200",
    estimatedCents: 400000, awardedCents: 300000, notifiedOn: "2025-03-03", durationMonths: 12,
    placeCode: "60159", supplierIds: $s, offersReceived: 2,
    shares: [{tenantId: $a1, amountCents: 200000}, {tenantId: $a2, amountCents: 100000}],
    lots: [
      {number: 1, object: "Écoles", estimatedCents: 200000, awardedCents: 200000, supplierIds: $s},
      {number: 2, object: "Mairie", estimatedCents: 200000, awardedCents: 100000, supplierIds: $s}
    ]}) { id } }"#,
            json!({"t": fx.tenant_a1, "s": [s], "a1": fx.tenant_a1, "a2": fx.tenant_a2}),
        )
        .await;
    let id = data(&r)["createContract"]["id"].clone();
    let amend = |shares: &str| {
        let app = &app;
        let caller = fx.org_admin_a.clone();
        let q = format!(
            "mutation($c: UUID!) {{ amendContract(contractId: $c, input: {{signedOn: \"2025-06-01\", lot: 2, awardedCents: 150000 {shares}}}) {{ awardedCents shares {{ tenantId amountCents }} }} }}"
        );
        let id = id.clone();
        async move { app.gql(&caller, &q, json!({"c": id})).await }
    };
    let r = amend("").await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "shares", "{r}");
    // The old total is not the new one.
    let r = amend(&format!(
        ", shares: [{{tenantId: \"{}\", amountCents: 200000}}, {{tenantId: \"{}\", amountCents: 100000}}]",
        fx.tenant_a1, fx.tenant_a2
    ))
    .await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "shares", "{r}");
    let r = amend(&format!(
        ", shares: [{{tenantId: \"{}\", amountCents: 200000}}, {{tenantId: \"{}\", amountCents: 150000}}]",
        fx.tenant_a1, fx.tenant_a2
    ))
    .await;
    let c = &data(&r)["amendContract"];
    assert_eq!(c["awardedCents"], 350_000, "{r}");
    let total: i64 = c["shares"]
        .as_array()
        .expect("shares")
        .iter()
        .map(|s| s["amountCents"].as_i64().expect("amount"))
        .sum();
    assert_eq!(total, 350_000);
}

#[tokio::test]
async fn concurrent_acts_of_subcontracting_get_distinct_numbers() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!, $i: String!) { createSupplier(input: {tenantId: $t, identifier: $i, name: \"Propreté de l'Oise\"}) { id } }",
            json!({"t": fx.tenant_a1, "i": SUPPLIER_SIRET}),
        )
        .await;
    let supplier = data(&r)["createSupplier"]["id"]
        .as_str()
        .expect("supplier")
        .to_owned();
    let contract = app
        .lotted_contract(&fx.org_admin_a, fx.tenant_a1, "NET-2025", &supplier)
        .await;
    let calls = (0..5).map(|i| {
        app.gql(
            &fx.org_admin_a,
            "mutation($c: UUID!, $lot: Int!) { addSubcontractingAct(contractId: $c, input: {subcontractorIdentifier: \"73282932000074\",
              lot: $lot, amountCents: 100000, notifiedOn: \"2025-04-01\", durationMonths: 6, priceVariation: \"Ferme\"}) { id } }",
            json!({"c": contract, "lot": 1 + i % 2}),
        )
    });
    let answers = futures::future::join_all(calls).await;
    for r in &answers {
        // Each is written after the other, or refused as a conflict: never a database error.
        let code = error_code(r);
        assert!(code.is_none() || code.as_deref() == Some("CONFLICT"), "{r}");
    }
    let ok = answers.iter().filter(|r| r["errors"].is_null()).count();
    assert!(ok >= 1, "{answers:?}");
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($c: UUID!) { contract(id: $c) { subcontractingActs { number } } }",
            json!({"c": contract}),
        )
        .await;
    let mut numbers: Vec<i64> = data(&r)["contract"]["subcontractingActs"]
        .as_array()
        .expect("acts")
        .iter()
        .map(|a| a["number"].as_i64().expect("number"))
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=ok as i64).collect::<Vec<_>>(), "{r}");
    assert_eq!(app.count("proc_subcontracting_act").await, ok as i64);
}
