//! Maturity: the DPO's questionnaire, versioned and immutable; communes' assessments scored
//! on the spot and kept, so progress reads as a list; the latest score in the consolidated
//! report and on the commune's one-page summary.
use integration_tests::*;
use serde_json::json;

const ASSESS: &str = "mutation($t: UUID!, $q: UUID!, $d: Date!, $a: [MaturityAnswerInput!]!) {
  recordMaturityAssessment(input: {tenantId: $t, questionnaireId: $q, assessedOn: $d, answers: $a, notes: \"auto-évaluation\"}) {
    id scoreBp changeBp themes { theme scoreBp } answers { questionKey option } } }";

fn answers(registre: u32, dpd: u32, violations: u32) -> serde_json::Value {
    json!([
        {"questionKey": "registre", "option": registre},
        {"questionKey": "dpd", "option": dpd},
        {"questionKey": "violations", "option": violations},
    ])
}

#[tokio::test]
async fn questionnaires_are_versioned_and_assessments_scored_and_compared() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let today = chrono::Utc::now().date_naive();

    // A questionnaire where no answer reaches 100 % is refused, and nothing is written.
    let before = app.count("maturity_questionnaire").await;
    let r = app
        .gql(
            &fx.dpo_a,
            "mutation($o: UUID!) { publishMaturityQuestionnaire(organisationId: $o, title: \"Maturité\", questions: [
               {key: \"registre\", theme: \"Registre\", text: \"Registre à jour ?\", weight: 3,
                options: [{label: \"En partie\", score: 50}, {label: \"Non\", score: 0}]}]) { id } }",
            json!({"o": fx.org_a}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], json!("questions"));
    assert_eq!(app.count("maturity_questionnaire").await, before);
    // A commune administrator may not publish one.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            &format!("mutation($o: UUID!) {{ publishMaturityQuestionnaire(organisationId: $o, title: \"x\", questions: {MATURITY_QUESTIONS}) {{ id }} }}"),
            json!({"o": fx.org_a}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");

    // The DPO publishes v1; the same title again is v2; communes read both.
    let publish = |who: Caller| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    &who,
                    &format!("mutation($o: UUID!) {{ publishMaturityQuestionnaire(organisationId: $o, title: \"Maturité RGPD\", questions: {MATURITY_QUESTIONS}) {{ id version themes }} }}"),
                    json!({"o": fx.org_a}),
                )
                .await;
            data(&r)["publishMaturityQuestionnaire"].clone()
        }
    };
    let v1 = publish(fx.dpo_a.clone()).await;
    assert_eq!(v1["version"], json!(1));
    assert_eq!(v1["themes"], json!(["Registre", "Gouvernance"]));
    let v2 = publish(fx.org_admin_a.clone()).await;
    assert_eq!(v2["version"], json!(2));
    let r = app
        .gql(
            &fx.editor_a2,
            "{ maturityQuestionnaires { id version questions { key weight options { label score notApplicable } } } }",
            json!({}),
        )
        .await;
    let qs = data(&r)["maturityQuestionnaires"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(qs.len(), 2, "{r}");
    assert_eq!(qs[0]["version"], json!(2), "newest first");
    assert_eq!(
        qs[0]["questions"][0]["options"][3]["notApplicable"],
        json!(true)
    );
    let (q1, q2) = (v1["id"].clone(), v2["id"].clone());

    // A commune editor keeps the register, not its assessment (README: the administrator or
    // the DPO; issue 18 found the code let editors record one).
    let before = app.count("maturity_assessment").await;
    let r = app
        .gql(
            &fx.editor_a2,
            ASSESS,
            json!({"t": fx.tenant_a2, "q": q1, "d": today, "a": answers(0, 0, 0)}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    assert_eq!(app.count("maturity_assessment").await, before);

    // A1 a month ago against v1: registre Oui (3×100), dpd Non (0), violations Non (0):
    // 300 / 600 = 50 %.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            ASSESS,
            json!({"t": fx.tenant_a1, "q": q1, "d": today - chrono::Duration::days(30), "a": answers(0, 2, 2)}),
        )
        .await;
    let first = data(&r)["recordMaturityAssessment"].clone();
    assert_eq!(first["scoreBp"], json!(5000));
    assert_eq!(
        first["changeBp"],
        json!(null),
        "the commune's first assessment"
    );
    assert_eq!(
        first["themes"],
        json!([{"theme": "Registre", "scoreBp": 6000}, {"theme": "Gouvernance", "scoreBp": 0}])
    );
    // Today against v2: registre Oui, dpd En partie (1×50), violations Sans objet (out of the
    // maximum): 350 / 400 = 87,5 %.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            ASSESS,
            json!({"t": fx.tenant_a1, "q": q2, "d": today, "a": answers(0, 1, 3)}),
        )
        .await;
    assert_eq!(data(&r)["recordMaturityAssessment"]["scoreBp"], json!(8750));
    assert_eq!(
        data(&r)["recordMaturityAssessment"]["changeBp"],
        json!(3750),
        "the change since the month-old assessment"
    );
    // The DPO assesses A2: all "Non" = 0 %.
    let r = app
        .gql(
            &fx.dpo_a,
            ASSESS,
            json!({"t": fx.tenant_a2, "q": q2, "d": today, "a": answers(2, 2, 2)}),
        )
        .await;
    assert_eq!(data(&r)["recordMaturityAssessment"]["scoreBp"], json!(0));

    // Progress: by commune then date, each with its change since the previous one.
    let r = app
        .gql(
            &fx.dpo_a,
            "query($t: [UUID!]) { maturityAssessments(tenantIds: $t) { assessedOn scoreBp changeBp questionnaireId } }",
            json!({"t": [fx.tenant_a1]}),
        )
        .await;
    let list = data(&r)["maturityAssessments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 2, "{r}");
    assert_eq!(
        (list[0]["scoreBp"].clone(), list[0]["changeBp"].clone()),
        (json!(5000), json!(null))
    );
    assert_eq!(
        (list[1]["scoreBp"].clone(), list[1]["changeBp"].clone()),
        (json!(8750), json!(3750))
    );

    // Bad answers: one missing, an option that does not exist, a future date, twice the same
    // question; nothing written. An auditor may not record one.
    let before = app.count("maturity_assessment").await;
    for (a, d, field) in [
        (
            json!([{"questionKey": "registre", "option": 0}]),
            today,
            "answers",
        ),
        (answers(0, 9, 0), today, "answers"),
        (
            answers(0, 0, 0),
            today + chrono::Duration::days(2),
            "assessedOn",
        ),
        (
            json!([{"questionKey": "registre", "option": 0}, {"questionKey": "registre", "option": 1},
                   {"questionKey": "dpd", "option": 0}, {"questionKey": "violations", "option": 0}]),
            today,
            "answers",
        ),
    ] {
        let r = app
            .gql(
                &fx.commune_admin_a1,
                ASSESS,
                json!({"t": fx.tenant_a1, "q": q2, "d": d, "a": a}),
            )
            .await;
        assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], json!(field), "{r}");
    }
    assert_eq!(app.count("maturity_assessment").await, before);

    // The consolidated report carries each commune's latest score and the mean.
    let period = tenants::calendar::current_period(chrono::Utc::now());
    tenants::reporting::snapshot::refresh(&app.db, fx.org_a, period, chrono::Utc::now())
        .await
        .expect("report");
    let r = app
        .gql(
            &fx.dpo_a,
            "query($o: UUID!) { consolidatedReports(organisationId: $o) { total { maturityBp maturityAssessed } communes { tenantId maturityBp } } }",
            json!({"o": fx.org_a}),
        )
        .await;
    let report = data(&r)["consolidatedReports"][0].clone();
    let score_of = |t: uuid::Uuid| {
        report["communes"]
            .as_array()
            .and_then(|c| c.iter().find(|x| x["tenantId"] == json!(t)))
            .map(|x| x["maturityBp"].clone())
    };
    assert_eq!(score_of(fx.tenant_a1), Some(json!(8750)));
    assert_eq!(score_of(fx.tenant_a2), Some(json!(0)));
    assert_eq!(report["total"]["maturityAssessed"], json!(2));
    assert_eq!(report["total"]["maturityBp"], json!(4375));

    // A1's one-page summary for its council: one page, its score, charts; the mean of two
    // communes is not published (it would give A2's score to A1).
    let (status, pdf) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            api::http::report_exports::COMMUNE_SUMMARY,
            &format!("tenant={}&period={period}&format=pdf", fx.tenant_a1),
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    let doc = lopdf::Document::load_mem(&pdf).expect("PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert_eq!(pages.len(), 1, "the summary fits one page");
    let text = doc
        .extract_text(&pages)
        .expect("text")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "Compiègne — synthèse",
        "Registre des traitements",
        "Indice de maturité",
        "87,5 %",
        "non publié (moins de 3 communes)",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    assert!(
        !text.contains("43,8 %") && !text.contains("Moyenne des communes"),
        "{text}"
    );
    assert!(!text.contains("Margny"), "{text}");
}
