//! Issue 21: import of a commune's register from MADIS's CSV exports. The fixtures in
//! `fixtures/madis/` are written the way MADIS writes them (see their README).
use integration_tests::*;
use serde_json::{json, Value};
use sha2::Digest as _;

const TREATMENTS: &str = include_str!("fixtures/madis/madis-treatment.csv");
const CONTRACTORS: &str = include_str!("fixtures/madis/madis-contractor.csv");
const REFUSED: &str = include_str!("fixtures/madis/madis-treatment-refused.csv");

const IMPORT: &str = "mutation($t: UUID!, $tr: String, $co: String, $dry: Boolean) {
  importMadisRegister(tenantId: $t, treatmentsCsv: $tr, contractorsCsv: $co, dryRun: $dry) {
    dryRun written links activityIds processorIds unmappedColumns
    treatmentsImported treatmentsRefused treatmentsIgnored
    processorsImported processorsRefused processorsIgnored
    lines { file line name status messages }
  } }";

async fn import(
    app: &TestApp,
    caller: &Caller,
    tenant: uuid::Uuid,
    treatments: Option<&str>,
    contractors: Option<&str>,
    dry_run: bool,
) -> Value {
    app.gql(
        caller,
        IMPORT,
        json!({"t": tenant, "tr": treatments, "co": contractors, "dry": dry_run}),
    )
    .await
}

const FIELDS: &str = "id name role { code } purposes controllerName owner software origin collectionMethod status { code }
  legalBases { basis { code } justification } dataSubjects { category estimatedCount }
  dataCategories { category sensitive } recipients retention { data durationMonths startingEvent finalFate { code } }
  securityMeasures dpiaCriteria { code } processorIds archivedAt";

/// The register's entries (archived ones leave the list).
async fn activities(app: &TestApp, caller: &Caller, tenant: uuid::Uuid) -> Vec<Value> {
    let q = format!(
        "query($t: [UUID!]) {{ activities(tenantIds: $t, first: 100) {{ items {{ {FIELDS} }} }} }}"
    );
    let r = app.gql(caller, &q, json!({"t": [tenant]})).await;
    data(&r)["activities"]["items"]
        .as_array()
        .expect("items")
        .clone()
}

/// The entries an import created, archived ones included.
async fn imported(app: &TestApp, caller: &Caller, report: &Value) -> Vec<Value> {
    let q = format!("query($id: UUID!) {{ activity(id: $id) {{ {FIELDS} }} }}");
    let mut out = vec![];
    for id in report["activityIds"].as_array().expect("ids") {
        let r = app.gql(caller, &q, json!({"id": id})).await;
        out.push(data(&r)["activity"].clone());
    }
    out
}

async fn processors(app: &TestApp, caller: &Caller, tenant: uuid::Uuid) -> Vec<Value> {
    let r = app
        .gql(
            caller,
            "query($t: [UUID!]) { processors(tenantIds: $t, first: 100) { items { id name contact country siret dpaStatus { code } } } }",
            json!({"t": [tenant]}),
        )
        .await;
    data(&r)["processors"]["items"]
        .as_array()
        .expect("items")
        .clone()
}

fn by_name<'a>(items: &'a [Value], name: &str) -> &'a Value {
    items
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {items:?}"))
}

fn line<'a>(report: &'a Value, file: &str, n: i64) -> &'a Value {
    report["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["file"] == file && l["line"] == n)
        .unwrap_or_else(|| panic!("line {n} of {file} in {report}"))
}

fn messages(l: &Value) -> String {
    l["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m.as_str().expect("text"))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[tokio::test]
async fn madis_exports_import_a_communes_register_with_a_report_line_by_line() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let admin = &fx.commune_admin_a1;

    // A dry run reports everything and writes nothing.
    let r = import(
        &app,
        admin,
        fx.tenant_a1,
        Some(TREATMENTS),
        Some(CONTRACTORS),
        true,
    )
    .await;
    let dry = &data(&r)["importMadisRegister"];
    assert_eq!(dry["dryRun"], true);
    assert_eq!(dry["written"], false);
    assert_eq!(dry["treatmentsImported"], 4, "{dry}");
    assert_eq!(dry["treatmentsIgnored"], 1);
    assert_eq!(dry["processorsImported"], 3);
    assert_eq!(dry["processorsIgnored"], 1);
    assert_eq!(dry["activityIds"], json!([]));
    assert!(activities(&app, admin, fx.tenant_a1).await.is_empty());
    assert!(processors(&app, admin, fx.tenant_a1).await.is_empty());

    // The import itself.
    let r = import(
        &app,
        admin,
        fx.tenant_a1,
        Some(TREATMENTS),
        Some(CONTRACTORS),
        false,
    )
    .await;
    let rep = &data(&r)["importMadisRegister"];
    assert_eq!(rep["written"], true, "{rep}");
    assert_eq!(
        (
            &rep["treatmentsImported"],
            &rep["treatmentsRefused"],
            &rep["treatmentsIgnored"]
        ),
        (&json!(4), &json!(0), &json!(1))
    );
    assert_eq!(
        (
            &rep["processorsImported"],
            &rep["processorsRefused"],
            &rep["processorsIgnored"]
        ),
        (&json!(3), &json!(0), &json!(1))
    );
    assert_eq!(rep["activityIds"].as_array().expect("ids").len(), 4);
    assert_eq!(rep["processorIds"].as_array().expect("ids").len(), 3);
    // État civil -> Berger-Levrault; vidéo -> its company; paie -> Berger-Levrault, Ségilog.
    assert_eq!(rep["links"], 4);
    // Lines where each record starts (multi-line cells span several lines of the file).
    for (n, name, status) in [
        (2, "Tenue des registres de l'état civil", "IMPORTED"),
        (10, "Vidéoprotection de l'espace public", "IMPORTED"),
        (14, "Paie des agents", "IMPORTED"),
        (21, "Inscriptions scolaires", "IMPORTED"),
        (25, "Gestion du cimetière", "IGNORED"),
    ] {
        let l = line(rep, "treatmentsCsv", n);
        assert_eq!(
            (l["name"].as_str(), l["status"].as_str()),
            (Some(name), Some(status))
        );
    }
    assert!(messages(line(rep, "treatmentsCsv", 25)).contains("autre structure"));
    assert!(messages(line(rep, "contractorsCsv", 5)).contains("Margny"));
    let paie_notes = messages(line(rep, "treatmentsCsv", 14));
    assert!(paie_notes.contains("importé puis archivé"), "{paie_notes}");
    assert!(
        paie_notes.contains("« Durée de la carrière »"),
        "{paie_notes}"
    );
    let civil_notes = messages(line(rep, "treatmentsCsv", 2));
    assert!(civil_notes.contains("« Observations »"), "{civil_notes}");
    assert!(civil_notes.contains("« Registre public »"), "{civil_notes}");
    assert!(messages(line(rep, "treatmentsCsv", 21)).contains("Responsabilité conjointe"));
    assert!(messages(line(rep, "contractorsCsv", 2)).contains("Clauses contractuelles"));
    let unmapped: Vec<&str> = rep["unmappedColumns"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for c in [
        "Observations",
        "Registre public",
        "Est exempté d'AIPD",
        "Préconisations",
        "Nb Preuves",
        "Conformité du traitement",
        "Conformité du traitement - Question : Les personnes concernées sont-elles informées ?",
        "Agent référent",
        "Envoi des données hors UE",
        "Preuves",
    ] {
        assert!(unmapped.contains(&c), "{c} in {unmapped:?}");
    }
    assert!(!unmapped.contains(&"Finalités"));

    // What was written, field by field.
    let procs = processors(&app, admin, fx.tenant_a1).await;
    assert_eq!(procs.len(), 3);
    let bl = by_name(&procs, "Berger-Levrault");
    assert_eq!(
        bl["contact"],
        "Responsable : Claire Martin\nAdresse : 892 rue Yves Kermen, 92100 Boulogne-Billancourt\nCourriel : contact@berger-levrault.example\nTéléphone : 0141000000\nDPD : Monsieur Jean Dupont (Délégué à la protection des données), dpo@berger-levrault.example, 0561000000"
    );
    assert_eq!(
        (&bl["country"], &bl["siret"], &bl["dpaStatus"]["code"]),
        (&json!("FR"), &Value::Null, &json!("none"))
    );
    let segilog = by_name(&procs, "Ségilog");
    assert_eq!(
        segilog["contact"],
        "Adresse : Rue de la Gare, 72400 La Ferté-Bernard"
    );
    let video_co = by_name(
        &procs,
        "Société de maintenance des systèmes de vidéoprotection urbaine et de contrôle d’accès de l’Oise SAS",
    );

    // The inactive one is archived: out of the register's list, readable by its id.
    assert_eq!(activities(&app, admin, fx.tenant_a1).await.len(), 3);
    let acts = imported(&app, admin, rep).await;
    assert_eq!(acts.len(), 4, "{acts:?}");
    let civil = by_name(&acts, "Tenue des registres de l'état civil");
    assert_eq!(civil["role"]["code"], "controller");
    assert_eq!(civil["status"]["code"], "draft");
    assert_eq!(
        civil["purposes"],
        "- Établir les actes de naissance, de mariage et de décès\n- Délivrer les copies et extraits"
    );
    assert_eq!(civil["owner"], "Service population");
    assert_eq!(civil["software"], "Logiciel d'état civil");
    assert_eq!(
        civil["origin"],
        "Déclarations des usagers, avis de l'hôpital"
    );
    assert_eq!(
        civil["collectionMethod"],
        "Formulaire papier, Document interne"
    );
    assert_eq!(
        civil["legalBases"],
        json!([{"basis": {"code": "legal_obligation"}, "justification": "Code civil, articles 34 à 101"}])
    );
    assert_eq!(
        civil["dataSubjects"],
        json!([{"category": "Particuliers (Personnes nées, mariées ou décédées à Compiègne)", "estimatedCount": 3500}])
    );
    assert_eq!(
        civil["dataCategories"],
        json!([
            {"category": "État civil", "sensitive": false},
            {"category": "Filiation", "sensitive": false},
            {"category": "Coordonnées postales", "sensitive": false}
        ])
    );
    assert_eq!(
        civil["recipients"],
        json!(["Procureur de la République ; INSEE"])
    );
    assert_eq!(
        civil["retention"],
        json!([
            {"data": "Registres", "durationMonths": 900, "startingEvent": "", "finalFate": {"code": "archiving"}},
            {"data": "Pièces annexes", "durationMonths": 120, "startingEvent": "", "finalFate": {"code": "destruction"}}
        ])
    );
    assert_eq!(
        civil["securityMeasures"],
        json!([
            "Contrôle d'accès : Habilitations nominatives",
            "Sauvegarde",
            "À tout moment il est possible de ressortir les personnes habilitées"
        ])
    );
    assert_eq!(civil["dpiaCriteria"], json!([]));
    assert_eq!(civil["processorIds"], json!([bl["id"]]));
    assert_eq!(civil["archivedAt"], Value::Null);

    // MADIS writes the "Usagers" value under its "Salariés" header: read by position.
    let video = by_name(&acts, "Vidéoprotection de l'espace public");
    assert_eq!(
        video["dataSubjects"],
        json!([
            {"category": "Usagers (Passants)", "estimatedCount": null},
            {"category": "Salariés", "estimatedCount": null}
        ])
    );
    assert_eq!(
        video["legalBases"],
        json!([{"basis": {"code": "public_task"}, "justification": "À compléter : texte non indiqué dans MADIS"}])
    );
    let codes = |a: &Value| -> Vec<String> {
        a["dpiaCriteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .map(|c| c["code"].as_str().expect("code").to_owned())
            .collect()
    };
    assert_eq!(codes(video), vec!["large_scale", "systematic_monitoring"]);
    // Linked through MADIS's cut display name ("…d’accès...").
    assert_eq!(video["processorIds"], json!([video_co["id"]]));
    assert_eq!(
        video["securityMeasures"],
        json!(["Traçabilité : Journal des extractions"])
    );

    let paie = by_name(&acts, "Paie des agents");
    assert!(
        paie["archivedAt"].is_string(),
        "inactive -> archived: {paie}"
    );
    assert_eq!(
        paie["dataCategories"],
        json!([
            {"category": "Information bancaire", "sensitive": false},
            {"category": "Numéro de Sécurité Sociale", "sensitive": true},
            {"category": "Santé", "sensitive": true}
        ])
    );
    assert_eq!(codes(paie), vec!["sensitive_data"]);
    assert_eq!(
        paie["retention"],
        json!([{"data": "Bulletins", "durationMonths": 60, "startingEvent": "après le départ de l'agent", "finalFate": {"code": "archiving"}}])
    );
    assert_eq!(
        paie["dataSubjects"],
        json!([{"category": "Salariés (Agents titulaires et contractuels)", "estimatedCount": 640}])
    );
    let mut paie_procs: Vec<String> = paie["processorIds"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().expect("id").to_owned())
        .collect();
    paie_procs.sort();
    let mut expected = vec![
        bl["id"].as_str().expect("id").to_owned(),
        segilog["id"].as_str().expect("id").to_owned(),
    ];
    expected.sort();
    assert_eq!(paie_procs, expected);

    let ecoles = by_name(&acts, "Inscriptions scolaires");
    assert_eq!(ecoles["role"]["code"], "controller");
    assert_eq!(ecoles["controllerName"], "Caisse des écoles de Compiègne");
    assert_eq!(ecoles["legalBases"], json!([]));
    assert_eq!(
        ecoles["dataSubjects"],
        json!([
            {"category": "Particuliers (Familles)", "estimatedCount": null},
            {"category": "Autres (Enfants)", "estimatedCount": null}
        ])
    );
    assert_eq!(
        ecoles["retention"],
        json!([{"data": "Dossiers d'inscription", "durationMonths": 24, "startingEvent": "", "finalFate": {"code": "archiving"}}])
    );
    assert_eq!(ecoles["processorIds"], json!([]));

    // The import is in the audit trail, under the commune administrator's name.
    let audit = app
        .count_where(
            "audit_log",
            &format!(
                "tenant_id = '{}' AND operation = 'importMadisProcessor'",
                fx.tenant_a1
            ),
        )
        .await;
    assert_eq!(audit, 3);
    let summary = app
        .count_where(
            "audit_log",
            &format!(
                "tenant_id = '{}' AND operation = 'importMadisRegister' AND after->>'treatmentsSha256' = '{}'",
                fx.tenant_a1,
                hex::encode(sha2::Sha256::digest(TREATMENTS.as_bytes()))
            ),
        )
        .await;
    assert_eq!(summary, 1);

    // Importing the same files again imports nothing twice: every line is ignored.
    let r = import(
        &app,
        admin,
        fx.tenant_a1,
        Some(TREATMENTS),
        Some(CONTRACTORS),
        false,
    )
    .await;
    let again = &data(&r)["importMadisRegister"];
    assert_eq!(again["treatmentsImported"], 0, "{again}");
    assert_eq!(again["treatmentsIgnored"], 5);
    assert_eq!(again["processorsImported"], 0);
    assert_eq!(again["processorsIgnored"], 4);
    assert!(messages(line(again, "treatmentsCsv", 2)).contains("déjà au registre"));
    assert!(messages(line(again, "treatmentsCsv", 14)).contains("déjà au registre"));
    assert_eq!(activities(&app, admin, fx.tenant_a1).await.len(), 3);
    assert_eq!(processors(&app, admin, fx.tenant_a1).await.len(), 3);
}

#[tokio::test]
async fn a_refused_madis_line_is_reported_with_its_line_and_nothing_is_written() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = import(
        &app,
        &fx.dpo_a,
        fx.tenant_a1,
        Some(REFUSED),
        Some(CONTRACTORS),
        false,
    )
    .await;
    let rep = &data(&r)["importMadisRegister"];
    assert_eq!(rep["written"], false, "{rep}");
    assert_eq!(rep["treatmentsRefused"], 3);
    assert_eq!(rep["treatmentsImported"], 1);
    assert_eq!(rep["activityIds"], json!([]));
    assert_eq!(rep["processorIds"], json!([]));
    assert_eq!(line(rep, "treatmentsCsv", 2)["status"], "IMPORTED");
    let long = line(rep, "treatmentsCsv", 6);
    assert_eq!(long["status"], "REFUSED");
    assert!(messages(long).starts_with("Le nom compte 200 caractères au plus."));
    let processor = line(rep, "treatmentsCsv", 14);
    assert_eq!(processor["status"], "REFUSED");
    assert!(messages(processor).contains("art. 30.2.a"), "{processor}");
    let basis = line(rep, "treatmentsCsv", 15);
    assert_eq!(basis["status"], "REFUSED");
    assert!(
        messages(basis).contains("« Le bon vouloir du maire » n'est pas une base légale de MADIS"),
        "{basis}"
    );
    for l in rep["lines"].as_array().expect("lines") {
        for m in l["messages"].as_array().expect("messages") {
            assert_french(m.as_str().expect("text"));
        }
    }
    // Nothing half-written: not the good treatment, not the processors.
    assert!(activities(&app, &fx.dpo_a, fx.tenant_a1).await.is_empty());
    assert!(processors(&app, &fx.dpo_a, fx.tenant_a1).await.is_empty());
}

#[tokio::test]
async fn madis_files_that_are_too_large_malformed_or_of_the_wrong_kind_are_refused() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let admin = &fx.commune_admin_a1;
    // Over 1 MB: refused before it is read.
    let big = format!("{TREATMENTS}{}", " ".repeat(1024 * 1024));
    let r = import(&app, admin, fx.tenant_a1, Some(&big), None, false).await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "treatmentsCsv");
    assert!(r["errors"][0]["message"]
        .as_str()
        .expect("message")
        .contains("1 Mo"));
    assert_french_errors(&r);
    // More lines than a register holds.
    let header = TREATMENTS.lines().next().expect("header");
    let many = format!("{header}\n{}", "x;y\n".repeat(5_001));
    let r = import(&app, admin, fx.tenant_a1, Some(&many), None, false).await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .expect("message")
        .contains("5000 lignes"));
    // An unclosed quote names its line.
    let open = format!("{header}\n\"Traitement;x\n");
    let r = import(&app, admin, fx.tenant_a1, Some(&open), None, false).await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .expect("message")
        .starts_with("Ligne 2 :"));
    // The contractors export sent as the treatments one.
    let r = import(&app, admin, fx.tenant_a1, Some(CONTRACTORS), None, false).await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert!(r["errors"][0]["message"]
        .as_str()
        .expect("message")
        .contains("n'est pas l'export des traitements de MADIS"));
    // No file at all.
    let r = import(&app, admin, fx.tenant_a1, None, Some("  "), false).await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_french_errors(&r);
    assert!(activities(&app, admin, fx.tenant_a1).await.is_empty());
}

#[tokio::test]
async fn madis_import_into_another_communes_register_is_refused() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // The DSI of another organisation, and the editor of another commune: not found.
    for caller in [&fx.org_admin_b, &fx.editor_a2] {
        let r = import(
            &app,
            caller,
            fx.tenant_a1,
            Some(TREATMENTS),
            Some(CONTRACTORS),
            false,
        )
        .await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    }
    // Even a dry run says nothing about the commune.
    let r = import(
        &app,
        &fx.org_admin_b,
        fx.tenant_a1,
        Some(TREATMENTS),
        None,
        true,
    )
    .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    assert!(activities(&app, &fx.commune_admin_a1, fx.tenant_a1)
        .await
        .is_empty());
    // The DPO of the commune's organisation imports into another of its communes: the rows of
    // Compiègne are then another structure's, and Margny's are its own.
    let r = import(
        &app,
        &fx.dpo_a,
        fx.tenant_a2,
        Some(TREATMENTS),
        Some(CONTRACTORS),
        false,
    )
    .await;
    let rep = &data(&r)["importMadisRegister"];
    assert_eq!(rep["treatmentsImported"], 1, "{rep}");
    assert_eq!(rep["treatmentsIgnored"], 4);
    assert_eq!(rep["processorsImported"], 1);
    let acts = activities(&app, &fx.dpo_a, fx.tenant_a2).await;
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0]["name"], "Gestion du cimetière");
}
