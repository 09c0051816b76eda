//! Register exports: bundle content, manifest in the audit trail, verification, access rules,
//! and the cross-tenant cases of every export route.
use integration_tests::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

async fn export(app: &TestApp, caller: &Caller, query: &str) -> reqwest::Response {
    let mut req = app.http.post(format!(
        "{}{}?{query}",
        app.url,
        api::http::exports::REGISTER_EXPORT
    ));
    req = match caller {
        Caller::Session { secret, csrf, .. } => req
            .header("cookie", format!("mutualis_session={secret}"))
            .header("x-csrf-token", csrf),
        Caller::Token(t) => req.bearer_auth(t),
        Caller::Anonymous => req,
    };
    req.send().await.expect("export")
}

async fn verify(app: &TestApp, caller: &Caller, body: Vec<u8>) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}{}", app.url, api::http::exports::VERIFY_BUNDLE))
        .body(body);
    req = match caller {
        Caller::Session { secret, csrf, .. } => req
            .header("cookie", format!("mutualis_session={secret}"))
            .header("x-csrf-token", csrf),
        Caller::Token(t) => req.bearer_auth(t),
        Caller::Anonymous => req,
    };
    let r = req.send().await.expect("verify");
    (r.status().as_u16(), r.json().await.expect("json"))
}

#[tokio::test]
async fn a_register_bundle_holds_every_format_and_its_manifest_is_audited() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a2)
        .await;
    let r = export(
        &app,
        &fx.dpo_a,
        &format!(
            "tenant={}&tenant={}&purpose=Contr%C3%B4le%20CNIL",
            fx.tenant_a1, fx.tenant_a2
        ),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .expect("header")
        .contains("registre-rgpd-"));
    let sha = r.headers()["x-manifest-sha256"]
        .to_str()
        .expect("sha")
        .to_owned();
    let zip = r.bytes().await.expect("body").to_vec();
    let manifest =
        formats::verify_against(&zip, &sha).expect("bundle verifies against its recorded hash");
    assert_eq!(manifest.purpose, "Contrôle CNIL");
    assert_eq!(manifest.principal, "dpo@agglo-compiegne.fr");
    let tenants: BTreeSet<&str> = manifest.tenants.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        tenants,
        BTreeSet::from(["Compiègne", "Margny-lès-Compiègne"])
    );
    let names: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    for ext in [".csv", ".ods", ".xlsx", ".pdf", ".json"] {
        assert!(
            names.iter().any(|n| n.ends_with(ext)),
            "{ext} missing in {names:?}"
        );
    }
    assert!(
        names.iter().any(|n| n.starts_with("registre-cnil")),
        "CNIL layout missing in {names:?}"
    );
    assert!(manifest
        .files
        .iter()
        .all(|f| f.sha256.len() == 64 && f.bytes > 0));
    // The audit trail of both communes holds this manifest.
    for t in [fx.tenant_a1, fx.tenant_a2] {
        let n = app
            .count(&format!("audit_log WHERE tenant_id = '{t}' AND operation = 'exportRegister' AND after->>'manifestSha256' = '{sha}'"))
            .await;
        assert_eq!(n, 1, "{t}");
    }
    // The server recognises its own bundle; a bundle made elsewhere verifies but is not recorded.
    let (status, v) = verify(&app, &fx.dpo_a, zip.clone()).await;
    assert_eq!(
        (status, v["valid"].clone(), v["recorded"].clone()),
        (200, json!(true), json!(true)),
        "{v}"
    );
    let forged = formats::bundle(
        vec![formats::RenderedFile {
            name: "registre.csv".into(),
            media_type: "text/csv",
            bytes: b"a;b\r\n".to_vec(),
        }],
        formats::ManifestMeta {
            software_version: "x".into(),
            generated_at: manifest.generated_at,
            principal: "dpo@agglo-compiegne.fr".into(),
            tenants: manifest.tenants.clone(),
            purpose: "faux".into(),
        },
    )
    .expect("bundle");
    let (status, v) = verify(&app, &fx.dpo_a, forged.zip).await;
    assert_eq!((status, v["recorded"].clone()), (200, json!(false)), "{v}");
    let mut broken = zip.clone();
    let mid = broken.len() / 2;
    broken[mid] ^= 0xff;
    let (status, v) = verify(&app, &fx.dpo_a, broken).await;
    assert_eq!((status, v["valid"].clone()), (422, json!(false)), "{v}");
    assert!(v["problem"].as_str().is_some_and(|p| !p.is_empty()));
}

#[tokio::test]
async fn who_may_export_and_bad_requests() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // Issue 18: the export writes to the audit trail, so it is a POST with the CSRF token. A
    // GET (a link or an image on another site, the Lax cookie riding along) writes nothing.
    let Caller::Session { secret, .. } = &fx.dpo_a else {
        panic!("session")
    };
    let url = format!("{}{}", app.url, api::http::exports::REGISTER_EXPORT);
    let trail = app
        .count("audit_log WHERE operation = 'exportRegister'")
        .await;
    let get = app
        .http
        .get(&url)
        .header("cookie", format!("mutualis_session={secret}"))
        .send()
        .await
        .expect("GET");
    assert_eq!(get.status(), 405);
    let forged = app
        .http
        .post(&url)
        .header("cookie", format!("mutualis_session={secret}"))
        .send()
        .await
        .expect("POST without token");
    assert_eq!(forged.status(), 401);
    assert_eq!(
        app.count("audit_log WHERE operation = 'exportRegister'")
            .await,
        trail
    );
    assert_eq!(export(&app, &Caller::Anonymous, "").await.status(), 401);
    assert_eq!(
        export(&app, &fx.editor_a2, "").await.status(),
        403,
        "editors do not export"
    );
    let r = export(&app, &fx.dpo_a, "format=docx").await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["field"], "format");
    let r = export(&app, &fx.dpo_a, "tenant=nope").await;
    assert_eq!(r.status(), 400);
    // An auditor exports the communes of its grant, and only those.
    let g = app
        .gql(
            &fx.dpo_a,
            "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!) { grantAuditor(input: {email: \"crc@ccomptes.fr\", organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"examen de gestion\"}) { id } }",
            json!({"o": fx.org_a, "t": [fx.tenant_a1], "e": chrono::Utc::now() + chrono::Duration::days(10)}),
        )
        .await;
    data(&g);
    let uid = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        tenants::entities::app_user::Entity::find()
            .filter(tenants::entities::app_user::Column::Email.eq("crc@ccomptes.fr"))
            .one(&app.db)
            .await
            .expect("query")
            .expect("user")
            .id
    };
    let auditor = app.session_for(uid, "crc@ccomptes.fr").await;
    assert_eq!(
        export(
            &app,
            &auditor,
            &format!("tenant={}&format=pdf", fx.tenant_a1)
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        export(&app, &auditor, &format!("tenant={}", fx.tenant_a2))
            .await
            .status(),
        404
    );

    // The commune admin exports its own commune (no tenant given = all it reaches).
    let r = export(&app, &fx.commune_admin_a1, "format=json").await;
    assert_eq!(r.status(), 200);
    let m = formats::verify(&r.bytes().await.expect("zip")).expect("valid");
    assert_eq!(
        m.tenants.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        vec![fx.tenant_a1.to_string()]
    );
    assert_eq!(m.files.len(), 1);
}

#[tokio::test]
async fn every_export_route_is_denied_across_tenants_and_organisations() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.gdpr_objects(&fx.org_admin_b, fx.org_b, fx.tenant_b1)
        .await;
    let r = export(&app, &fx.org_admin_b, "format=json").await;
    assert_eq!(r.status(), 200);
    let bundle_b = r.bytes().await.expect("zip").to_vec();
    let mut covered = BTreeSet::new();

    // GET register: naming a foreign tenant is a 404, for the DSI of A (other organisation)
    // and for the admin of A1 (other commune); with no tenant named, nothing foreign is in it.
    for (caller, foreign) in [
        (&fx.org_admin_a, fx.tenant_b1),
        (&fx.commune_admin_a1, fx.tenant_a2),
    ] {
        assert_eq!(
            export(&app, caller, &format!("tenant={foreign}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            export(
                &app,
                caller,
                &format!("tenant={}&tenant={foreign}", fx.tenant_a1)
            )
            .await
            .status(),
            404
        );
        let all = export(&app, caller, "format=json").await;
        let m = formats::verify(&all.bytes().await.expect("zip")).expect("valid");
        assert!(
            m.tenants
                .iter()
                .all(|t| t.id != foreign.to_string() && t.id != fx.tenant_b1.to_string()),
            "{m:?}"
        );
    }
    covered.insert(("POST", api::http::exports::REGISTER_EXPORT));

    // POST verify: B's bundle is intact, but A's people cannot see that B's trail recorded it.
    for caller in [&fx.org_admin_a, &fx.commune_admin_a1] {
        let (status, v) = verify(&app, caller, bundle_b.clone()).await;
        assert_eq!((status, v["recorded"].clone()), (200, json!(false)), "{v}");
    }
    let (_, v) = verify(&app, &fx.org_admin_b, bundle_b).await;
    assert_eq!(v["recorded"], true);
    covered.insert(("POST", api::http::exports::VERIFY_BUNDLE));

    // GET FOCUS cost lines: a foreign tenant is a 404; unfiltered, nothing foreign is in it.
    let cost_b = app
        .cost_objects(&fx.org_admin_b, fx.org_b, &[fx.tenant_b1])
        .await;
    let cost_a = app
        .cost_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    let focus = api::http::cost_exports::FOCUS_EXPORT;
    for (caller, foreign, foreign_lines) in [
        (&fx.org_admin_a, fx.tenant_b1, vec![cost_b.run.clone()]),
        (&fx.commune_admin_a1, fx.tenant_a2, vec![cost_b.run.clone()]),
    ] {
        let (status, _) = app
            .get_as(caller, focus, &format!("tenant={foreign}"))
            .await;
        assert_eq!(status, 404);
        let (status, csv) = app.get_as(caller, focus, "year=2026").await;
        assert_eq!(status, 200, "{csv}");
        for f in foreign_lines {
            assert!(!csv.contains(&f), "foreign run in {csv}");
        }
        assert!(!csv.contains("Dunkerque"), "{csv}");
    }
    let (_, csv) = app.get_as(&fx.commune_admin_a1, focus, "").await;
    assert!(!csv.contains("Margny"), "{csv}");
    assert!(csv.contains(&cost_a.run));
    covered.insert(("GET", focus));

    // Billed through Chorus Pro: complete identities first.
    app.billing_identities(&fx.org_admin_b, fx.org_b, &[fx.tenant_b1], "chorus_pro")
        .await;
    app.billing_identities(
        &fx.org_admin_a,
        fx.org_a,
        &[fx.tenant_a1, fx.tenant_a2],
        "chorus_pro",
    )
    .await;
    // GET an invoice's UBL and a commune's annual statement: foreign ones are 404s.
    let start = |caller: Caller, org: uuid::Uuid| {
        let app = &app;
        async move {
            let r = app
                .gql(&caller, "mutation($o: UUID!) { startBillingRun(organisationId: $o, periodStart: \"2026-01-01\", periodEnd: \"2026-12-31\", label: \"2026\") { id } }", json!({"o": org}))
                .await;
            data(&r)["startBillingRun"]["id"]
                .as_str()
                .expect("run")
                .to_owned()
        }
    };
    let run_b = start(fx.org_admin_b.clone(), fx.org_b).await;
    let invoice = |caller: Caller, run: String| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    &caller,
                    "query($r: UUID) { invoices(billingRunId: $r) { items { id tenantId }} }",
                    json!({"r": run}),
                )
                .await;
            data(&r)["invoices"]["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        }
    };
    let invoice_b = invoice(fx.org_admin_b.clone(), run_b).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let run_a = start(fx.org_admin_a.clone(), fx.org_a).await;
    let invoices_a = invoice(fx.org_admin_a.clone(), run_a).await;
    let invoice_a2 = invoices_a
        .iter()
        .find(|i| i["tenantId"] == json!(fx.tenant_a2))
        .and_then(|i| i["id"].as_str())
        .expect("a2 invoice")
        .to_owned();
    let ubl = api::http::billing_exports::INVOICE_UBL;
    let statement = api::http::billing_exports::STATEMENT;
    for (caller, foreign_invoice, foreign_tenant) in [
        (&fx.org_admin_a, &invoice_b, fx.tenant_b1),
        (&fx.commune_admin_a1, &invoice_a2, fx.tenant_a2),
    ] {
        let (status, _) = app
            .get_as(caller, ubl, &format!("id={foreign_invoice}"))
            .await;
        assert_eq!(status, 404);
        let (status, _) = app
            .get_as(
                caller,
                statement,
                &format!("tenant={foreign_tenant}&year=2026&format=csv"),
            )
            .await;
        assert_eq!(status, 404);
    }
    let (status, own) = app
        .get_as(
            &fx.commune_admin_a1,
            statement,
            &format!("tenant={}&year=2026&format=csv", fx.tenant_a1),
        )
        .await;
    assert_eq!(status, 200, "{own}");
    covered.insert(("GET", ubl));
    covered.insert(("GET", statement));

    // GET the consolidated report: another organisation's is a 404, a commune's people may not.
    for org in [fx.org_a, fx.org_b] {
        tenants::reporting::snapshot::refresh(
            &app.db,
            org,
            tenants::calendar::current_period(chrono::Utc::now()),
            chrono::Utc::now(),
        )
        .await
        .expect("report");
    }
    let consolidated = api::http::report_exports::CONSOLIDATED;
    let period = chrono::Utc::now().format("%Y-%m").to_string();
    let (status, _) = app
        .get_as(
            &fx.org_admin_a,
            consolidated,
            &format!("organisation={}&period={period}&format=csv", fx.org_b),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get_as(
            &fx.commune_admin_a1,
            consolidated,
            &format!("organisation={}&period={period}&format=csv", fx.org_a),
        )
        .await;
    assert_eq!(status, 403);
    let (status, csv) = app
        .get_as(
            &fx.org_admin_a,
            consolidated,
            &format!("organisation={}&period={period}&format=csv", fx.org_a),
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    assert!(
        csv.contains("Compiègne") && !csv.contains("Dunkerque"),
        "{csv}"
    );
    let (status, _) = app
        .get_as(
            &fx.org_admin_a,
            consolidated,
            &format!("organisation={}&period=2020-01&format=pdf", fx.org_a),
        )
        .await;
    assert_eq!(status, 400, "no report computed for that month");
    covered.insert(("GET", consolidated));

    // GET a commune's summary: another commune's (same or other organisation) is a 404; one's
    // own holds its line and the whole's, never a neighbour's.
    let summary = api::http::report_exports::COMMUNE_SUMMARY;
    for (caller, foreign) in [
        (&fx.commune_admin_a1, fx.tenant_a2),
        (&fx.commune_admin_a1, fx.tenant_b1),
        (&fx.org_admin_a, fx.tenant_b1),
    ] {
        let (status, body) = app
            .get_as(
                caller,
                summary,
                &format!("tenant={foreign}&period={period}&format=csv"),
            )
            .await;
        assert_eq!(status, 404, "{body}");
    }
    let (status, csv) = app
        .get_as(
            &fx.commune_admin_a1,
            summary,
            &format!("tenant={}&period={period}&format=csv", fx.tenant_a1),
        )
        .await;
    assert_eq!(status, 200, "{csv}");
    assert!(
        csv.contains("Compiègne") && csv.contains("Ensemble des communes"),
        "{csv}"
    );
    assert!(
        !csv.contains("Margny") && !csv.contains("Dunkerque"),
        "{csv}"
    );
    covered.insert(("GET", summary));

    // One DPIA's PDF: Margny's and Dunkerque's are out of Compiègne's reach, B's out of A's DSI's.
    let dpia_of = |caller: Caller, org: uuid::Uuid, tenant: uuid::Uuid| {
        let app = &app;
        async move {
            let g = app.gdpr_objects(&caller, org, tenant).await;
            let r = app
                .gql(
                    &caller,
                    "mutation($a: UUID!) { createDpia(activityId: $a) { id } }",
                    json!({"a": g.activity}),
                )
                .await;
            data(&r)["createDpia"]["id"]
                .as_str()
                .expect("dpia")
                .to_owned()
        }
    };
    let dpia_pdf = api::http::dpia_exports::DPIA_PDF;
    let dpia_b = dpia_of(fx.org_admin_b.clone(), fx.org_b, fx.tenant_b1).await;
    let dpia_a2 = dpia_of(fx.org_admin_a.clone(), fx.org_a, fx.tenant_a2).await;
    let dpia_a1 = dpia_of(fx.org_admin_a.clone(), fx.org_a, fx.tenant_a1).await;
    for (caller, foreign) in [
        (&fx.commune_admin_a1, &dpia_a2),
        (&fx.commune_admin_a1, &dpia_b),
        (&fx.org_admin_a, &dpia_b),
    ] {
        let (status, _) = app
            .get_bytes_as(caller, dpia_pdf, &format!("id={foreign}"))
            .await;
        assert_eq!(status, 404);
    }
    let (status, pdf) = app
        .get_bytes_as(&fx.commune_admin_a1, dpia_pdf, &format!("id={dpia_a1}"))
        .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));
    covered.insert(("GET", dpia_pdf));
    // GET the printable sheets and the list exports (issue 19): a foreign activity is a 404
    // (alone or among one's own); a list names no foreign commune, even when asked for one.
    let g_a2 = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a2)
        .await;
    let g_a1 = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let r = app
        .gql(
            &fx.org_admin_b,
            "{ activities { items { id } } }",
            json!({}),
        )
        .await;
    let activity_b = data(&r)["activities"]["items"][0]["id"]
        .as_str()
        .expect("B's activity")
        .to_owned();
    let sheet = api::http::gdpr_lists::ACTIVITY_SHEET;
    for (caller, foreign) in [
        (&fx.org_admin_a, &activity_b),
        (&fx.commune_admin_a1, &g_a2.activity),
        (&fx.commune_admin_a1, &activity_b),
    ] {
        let (status, body) = app.get_as(caller, sheet, &format!("id={foreign}")).await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = app
            .get_as(caller, sheet, &format!("id={}&id={foreign}", g_a1.activity))
            .await;
        assert_eq!(status, 404, "{body}");
    }
    let (status, pdf) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            sheet,
            &format!("id={}", g_a1.activity),
        )
        .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));
    covered.insert(("GET", sheet));
    let list = api::http::gdpr_lists::LIST_EXPORT;
    for (caller, foreign, names, foreign_activity) in [
        (
            &fx.org_admin_a,
            fx.tenant_b1,
            &["Dunkerque"][..],
            &activity_b,
        ),
        (
            &fx.commune_admin_a1,
            fx.tenant_a2,
            &["Margny", "Dunkerque"][..],
            &g_a2.activity,
        ),
    ] {
        for kind in ["activities", "requests", "breaches", "processors"] {
            let (status, csv) = app
                .get_as(caller, list, &format!("list={kind}&format=csv"))
                .await;
            assert_eq!(status, 200, "{csv}");
            assert!(csv.contains("Compiègne"), "{kind}: {csv}");
            let (status, only_foreign) = app
                .get_as(
                    caller,
                    list,
                    &format!("list={kind}&format=csv&tenant={foreign}"),
                )
                .await;
            assert_eq!(status, 200, "{only_foreign}");
            for n in names {
                assert!(!csv.contains(n), "{kind} leaked {n}: {csv}");
                assert!(
                    !only_foreign.contains(n),
                    "{kind} leaked {n}: {only_foreign}"
                );
            }
        }
        let (status, csv) = app
            .get_as(
                caller,
                list,
                &format!("list=activities&format=csv&id={foreign_activity}"),
            )
            .await;
        assert_eq!(status, 200, "{csv}");
        assert!(!csv.contains("Cantine"), "{csv}");
    }
    covered.insert(("GET", list));

    // GET a yearly bilan (issue 19): another commune's or organisation's is a 404.
    let year = chrono::Datelike::year(&tenants::calendar::paris_today());
    let mut bilan_of = std::collections::HashMap::new();
    for (caller, org, tenants_) in [
        (&fx.org_admin_a, fx.org_a, vec![fx.tenant_a1, fx.tenant_a2]),
        (&fx.org_admin_b, fx.org_b, vec![fx.tenant_b1]),
    ] {
        let r = app
            .gql(
                caller,
                "mutation($o: UUID!, $y: Int!) { requestGdprBilans(organisationId: $o, year: $y) { id } }",
                json!({"o": org, "y": year}),
            )
            .await;
        let run: uuid::Uuid = data(&r)["requestGdprBilans"]["id"]
            .as_str()
            .expect("run")
            .parse()
            .expect("uuid");
        for t in tenants_ {
            tenants::gdpr::bilan::generate(&app.db, org, run, t)
                .await
                .expect("bilan");
            let r = app
                .gql(
                    caller,
                    "query($t: [UUID!]) { gdprBilans(tenantIds: $t) { id } }",
                    json!({"t": [t]}),
                )
                .await;
            bilan_of.insert(
                t,
                data(&r)["gdprBilans"][0]["id"]
                    .as_str()
                    .expect("bilan")
                    .to_owned(),
            );
        }
    }
    let bilan = api::http::gdpr_lists::BILAN;
    for (caller, foreign) in [
        (&fx.org_admin_a, fx.tenant_b1),
        (&fx.commune_admin_a1, fx.tenant_a2),
        (&fx.commune_admin_a1, fx.tenant_b1),
    ] {
        let (status, body) = app
            .get_as(
                caller,
                bilan,
                &format!("id={}&format=pdf", bilan_of[&foreign]),
            )
            .await;
        assert_eq!(status, 404, "{body}");
    }
    let (status, docx) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            bilan,
            &format!("id={}&format=docx", bilan_of[&fx.tenant_a1]),
        )
        .await;
    assert_eq!(status, 200);
    assert!(docx.starts_with(b"PK"), "a DOCX is a zip");
    covered.insert(("GET", bilan));
    // Reversibility archives (issue 21): B's, finished, is nobody's in A.
    let rev = app
        .gql(
            &fx.org_admin_b,
            "mutation($o: UUID!) { requestReversibilityExport(organisationId: $o) { id } }",
            json!({"o": fx.org_b}),
        )
        .await;
    let rev_b = data(&rev)["requestReversibilityExport"]["id"]
        .as_str()
        .expect("B's export")
        .to_owned();
    tenants::reversibility::requests::run(&app.db, rev_b.parse().expect("uuid"), None)
        .await
        .expect("B's archive is written");
    let rev_path = api::http::reversibility::DOWNLOAD;
    for caller in [&fx.org_admin_a, &fx.commune_admin_a1] {
        let (status, body) = app.get_as(caller, rev_path, &format!("id={rev_b}")).await;
        assert_eq!(status, 404, "{body}");
    }
    let (status, _) = app
        .get_bytes_as(&fx.org_admin_b, rev_path, &format!("id={rev_b}"))
        .await;
    assert_eq!(status, 200);
    covered.insert(("GET", rev_path));

    let all: BTreeSet<(&str, &str)> = api::http::exports::EXPORT_ROUTES.iter().copied().collect();
    assert_eq!(all, covered, "an export route has no cross-tenant case");
}
