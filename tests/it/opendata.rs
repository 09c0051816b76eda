//! Open data (issue 21): a commune publishes its DECP and its register from its own page; the
//! DCAT-AP catalogue lists exactly what is published — licence, dates, stable addresses — and
//! conforms to the official DCAT-AP 3.0.0 SHACL shapes; the DECP served is valid against the
//! official schema; nothing unpublished is listed nor served; nobody publishes for another
//! commune.
use integration_tests::*;
use serde_json::{json, Value};

const PUBLICATION: &str = "tenantId dataset label published firstPublishedAt updatedAt catalogPath distributions { format mediaType path }";

async fn get_public(app: &TestApp, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let r = app
        .http
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .expect("GET");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().await.expect("body"), headers)
}

async fn catalog(app: &TestApp) -> Value {
    let (status, body, headers) = get_public(app, "/opendata/catalog.jsonld").await;
    assert_eq!(status, 200, "{body}");
    assert!(headers["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("application/ld+json"));
    assert_eq!(headers["access-control-allow-origin"], "*");
    serde_json::from_str(&body).expect("JSON-LD")
}

fn datasets(c: &Value) -> Vec<Value> {
    c["dcat:dataset"].as_array().cloned().unwrap_or_default()
}

/// The catalogue validated by pyshacl against DCAT-AP 3.0.0's shapes
/// (tests/opendata/check_dcat.py): (conforms, its report).
fn shacl(catalog: &Value) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("dcat-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("catalog.jsonld");
    std::fs::write(&file, serde_json::to_vec(catalog).expect("JSON")).expect("write");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("opendata/check_dcat.py");
    let python = std::env::var("MUTUALIS_TEST_PYTHON")
        .expect("MUTUALIS_TEST_PYTHON: tests/services.sh installs pyshacl");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&file)
        .output()
        .expect("python runs the DCAT-AP checker");
    let _ = std::fs::remove_dir_all(dir);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report)
}

/// A notified contract of `tenant` that the DECP publish (buyer SIRET, offers, contractor).
async fn decp_contract(app: &TestApp, fx: &Fixture, tenant: uuid::Uuid, reference: &str) {
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($t: UUID!) { tenant(id: $t) { siren } }",
            json!({"t": tenant}),
        )
        .await;
    let buyer =
        crate::procurement_decp::siret_of(data(&r)["tenant"]["siren"].as_str().expect("siren"));
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!, $siret: String!) { createSupplier(input: {tenantId: $t, identifier: $siret, name: \"Voirie de l'Oise SAS\"}) { id } }",
            json!({"t": tenant, "siret": SUPPLIER_SIRET}),
        )
        .await;
    let supplier = data(&r)["createSupplier"]["id"].clone();
    let r = app
        .gql(
            &fx.org_admin_a,
            &format!(r#"mutation($t: UUID!, $b: String!, $s: [UUID!]!) {{ createContract(tenantId: $t, input: {{
                reference: "{reference}", object: "Réfection de la voirie", category: "travaux",
                procedure: "Appel d'offres ouvert", priceForm: "Unitaire", cpv: "45233140-2",
                estimatedCents: 45000000, awardedCents: 43210055, notifiedOn: "2026-06-02", durationMonths: 24,
                placeCode: "60159", placeType: "Code commune", buyerSiret: $b, offersReceived: 4, supplierIds: $s}}) {{ id }} }}"#),
            json!({"t": tenant, "b": buyer, "s": [supplier]}),
        )
        .await;
    assert!(data(&r)["createContract"]["id"].is_string(), "{r}");
}

#[tokio::test]
async fn the_catalogue_lists_what_communes_publish_and_nothing_else() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    decp_contract(&app, &fx, fx.tenant_a1, "VOI-2026-01").await;
    decp_contract(&app, &fx, fx.tenant_a2, "VOI-2026-02").await;

    // Nothing published yet: an empty catalogue, every address answers 404.
    let c = catalog(&app).await;
    assert_eq!(datasets(&c), Vec::<Value>::new());
    for t in [fx.tenant_a1, fx.tenant_a2, fx.tenant_b1] {
        for f in ["decp.json", "decp.xml"] {
            let (status, body, _) = get_public(&app, &format!("/opendata/{t}/{f}")).await;
            assert_eq!(status, 404, "{t}/{f}: {body}");
            assert!(!body.contains("VOI-2026"), "{body}");
        }
    }

    // Compiègne's administrator publishes its DECP.
    let set = format!("mutation($t: UUID!, $d: String!, $p: Boolean!) {{ setOpenDataPublication(tenantId: $t, dataset: $d, published: $p) {{ {PUBLICATION} }} }}");
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &set,
            json!({"t": fx.tenant_a1, "d": "decp", "p": true}),
        )
        .await;
    let p = data(&r)["setOpenDataPublication"].clone();
    assert_eq!(p["published"], true, "{p}");
    let first = p["firstPublishedAt"].clone();
    assert!(first.is_string());
    let json_path = format!("/opendata/{}/decp.json", fx.tenant_a1);
    assert_eq!(p["distributions"][0]["path"], json!(json_path));
    assert_eq!(p["catalogPath"], "/opendata/catalog.jsonld");
    assert_eq!(
        app.count(&format!(
            "audit_log WHERE operation = 'setOpenDataPublication' AND tenant_id = '{}'",
            fx.tenant_a1
        ))
        .await,
        1
    );

    // Its DECP: valid against the official schema, its contract only.
    let (status, body, headers) = get_public(&app, &json_path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    let decp: Value = serde_json::from_str(&body).expect("JSON");
    let schema: Value = serde_json::from_str(tenants::procurement::decp::SCHEMA).expect("schema");
    let v = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = v.iter_errors(&decp).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        body.contains("VOI-2026-01") && !body.contains("VOI-2026-02"),
        "{body}"
    );
    let (status, xml, _) = get_public(&app, &format!("/opendata/{}/decp.xml", fx.tenant_a1)).await;
    assert_eq!(status, 200);
    assert!(
        xml.contains("<marches>") && xml.contains("VOI-2026-01"),
        "{xml}"
    );
    // Margny, which publishes nothing, still answers 404.
    let (status, _, _) = get_public(&app, &format!("/opendata/{}/decp.json", fx.tenant_a2)).await;
    assert_eq!(status, 404);

    // The catalogue: exactly that dataset, with licence, dates and its two addresses.
    let c = catalog(&app).await;
    let sets = datasets(&c);
    assert_eq!(sets.len(), 1, "{c}");
    let d = &sets[0];
    assert_eq!(d["dct:license"]["@id"], tenants::opendata::dcat::LICENCE);
    assert_eq!(
        d["dct:conformsTo"]["@id"],
        tenants::opendata::dcat::DECP_SCHEMA
    );
    assert_eq!(
        d["dct:issued"]["@value"].as_str().map(|s| &s[..16]),
        first.as_str().map(|s| &s[..16])
    );
    assert!(d["dct:modified"]["@value"].is_string());
    assert!(d["dct:title"]["@value"]
        .as_str()
        .unwrap_or_default()
        .contains("Compiègne"));
    let base = app
        .config
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let urls: Vec<String> = d["dcat:distribution"]
        .as_array()
        .expect("distributions")
        .iter()
        .map(|x| {
            x["dcat:downloadURL"]["@id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        urls,
        [
            format!("{base}/opendata/{}/decp.json", fx.tenant_a1),
            format!("{base}/opendata/{}/decp.xml", fx.tenant_a1)
        ]
    );

    // The register too, keeping the fields the commune chose.
    let r = app
        .gql(&fx.commune_admin_a1, "mutation($t: UUID!) { setPublicRegister(tenantId: $t, published: false, fields: [\"purposes\", \"recipients\"]) { fields } }", json!({"t": fx.tenant_a1}))
        .await;
    data(&r);
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &set,
            json!({"t": fx.tenant_a1, "d": "register", "p": true}),
        )
        .await;
    assert_eq!(data(&r)["setOpenDataPublication"]["published"], true, "{r}");
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "query($t: UUID!) { publicRegisterSettings(tenantId: $t) { published fields } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(
        data(&r)["publicRegisterSettings"],
        json!({"published": true, "fields": ["purposes", "recipients"]})
    );
    let c = catalog(&app).await;
    let codes: Vec<String> = datasets(&c)
        .iter()
        .map(|d| {
            d["@id"]
                .as_str()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(codes, ["decp", "register"], "{c}");

    // The official shapes accept it.
    let (conforms, report) = shacl(&c);
    eprintln!("{report}");
    assert!(conforms, "{report}");
    assert!(report.contains("datasets=2 distributions=4"), "{report}");

    // Withdrawn: gone from the catalogue and from its address; published again, its first
    // publication date stays.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &set,
            json!({"t": fx.tenant_a1, "d": "decp", "p": false}),
        )
        .await;
    assert_eq!(data(&r)["setOpenDataPublication"]["published"], false);
    let (status, _, _) = get_public(&app, &json_path).await;
    assert_eq!(status, 404);
    let c = catalog(&app).await;
    assert_eq!(datasets(&c).len(), 1);
    assert!(!c.to_string().contains("decp.json"));
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &set,
            json!({"t": fx.tenant_a1, "d": "decp", "p": true}),
        )
        .await;
    assert_eq!(
        data(&r)["setOpenDataPublication"]["firstPublishedAt"],
        first
    );
}

#[tokio::test]
async fn nobody_publishes_for_another_commune_and_bad_input_is_refused_in_french() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let set = "mutation($t: UUID!, $d: String!) { setOpenDataPublication(tenantId: $t, dataset: $d, published: true) { published } }";
    let get = "query($t: UUID!, $d: String!) { openDataPublication(tenantId: $t, dataset: $d) { published } }";
    // Another organisation's DSI, the other commune's editor: not found; the DPO has no
    // right on contracts.
    for (who, caller, code) in [
        ("org B", &fx.org_admin_b, "NOT_FOUND"),
        ("editor of A2", &fx.editor_a2, "NOT_FOUND"),
        ("DPO", &fx.dpo_a, "FORBIDDEN"),
    ] {
        for q in [set, get] {
            let r = app
                .gql(caller, q, json!({"t": fx.tenant_a1, "d": "decp"}))
                .await;
            assert_eq!(error_code(&r).as_deref(), Some(code), "{who}: {r}");
            assert_french_errors(&r);
        }
    }
    assert_eq!(app.count("opendata_publication").await, 0);
    // An unknown dataset: a French message naming the field.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            set,
            json!({"t": fx.tenant_a1, "d": "budget"}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "dataset");
    assert_french_errors(&r);
    // The DSI publishes for a commune of its own organisation.
    let r = app
        .gql(
            &fx.org_admin_a,
            set,
            json!({"t": fx.tenant_a2, "d": "decp"}),
        )
        .await;
    assert_eq!(data(&r)["setOpenDataPublication"]["published"], true, "{r}");
    let r = app
        .gql(&fx.editor_a2, get, json!({"t": fx.tenant_a2, "d": "decp"}))
        .await;
    assert_eq!(data(&r)["openDataPublication"]["published"], true, "{r}");
    // A malformed address is a 404 page, never an error.
    for path in [
        "/opendata/pas-un-uuid/decp.json",
        &format!("/opendata/{}/budget.json", fx.tenant_a2),
    ] {
        let (status, _, _) = get_public(&app, path).await;
        assert_eq!(status, 404, "{path}");
    }
}
