//! Issue 17: one figure, one value. On the demo data, every figure of a commune is the same in
//! GraphQL (the consolidated report, the commune's own summary), in the exports (the
//! consolidated report's ODS and CSV, the council summary's ODS and PDF) and in the register
//! itself (each activity counted once, a DPO-checked one as validated). The console's side is
//! the browser test `web/e2e/tests/figures-agree.test.mjs`, which compares the pages with
//! GraphQL.
use crate::sqlite_embedded::{demo_login, gql, start};
use formats::ValueFormat;
use integration_tests::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use tenants::entities::{app_user, gdpr_activity, organisation};

const FIGURES: &str = "tenantId name inseeCode activities activitiesValidated activitiesChecked
  activitiesValidatedBp activitiesCheckedBp dpiaRequired dpiaDone requestsOpen requestsDueSoon
  requestsOverdue nextRequestDueOn breachesOpen breachesLate contractsToRenew splittingAlerts
  backupState backupPolicies backupMilliGbMonths costsAllocatedCents invoicedCents paidCents
  unpaidCents maturityBp";

const SUMMARY: &str = "query($t: UUID!, $p: String) { communeSummary(tenantId: $t, period: $p) {
  tenantId name period activities activitiesValidated activitiesChecked activitiesValidatedBp
  activitiesCheckedBp dpiaRequired dpiaDone requestsOpen requestsDueSoon requestsOverdue
  nextRequestDueOn breachesOpen breachesLate contractsToRenew backupState backupPolicies
  backupMilliGbMonths costsAllocatedCents invoicedCents paidCents unpaidCents maturityBp } }";

/// The rows of an ODS spreadsheet's first table, each cell's text (lines joined by a space).
pub(crate) fn ods_rows(ods: &[u8]) -> Vec<Vec<String>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(ods)).expect("ODS is a zip");
    let mut xml = String::new();
    zip.by_name("content.xml")
        .expect("content.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let table = xml
        .split("</table:table>")
        .next()
        .expect("a table")
        .to_owned();
    table
        .split("<table:table-row")
        .skip(1)
        .map(|row| {
            row.split("<table:table-cell")
                .skip(1)
                .map(|cell| {
                    let paragraphs: Vec<String> = cell
                        .split("<text:p>")
                        .skip(1)
                        .map(|p| unescape(p.split("</text:p>").next().unwrap_or_default()))
                        .collect();
                    paragraphs.join(" ")
                })
                .collect()
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("<text:s/>", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Whitespace (narrow no-break spaces of the amounts included) as one space.
fn spaced(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{202f}' || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("an integer: {v}"))
}

fn euros(v: &Value) -> String {
    tenants::costs::euros(int(v))
}

/// A share as the documents print it, from the basis points GraphQL gives.
fn share(v: &Value) -> String {
    v.as_i64()
        .map_or(tenants::reporting::documents::NO_ACTIVITY.to_owned(), |b| {
            ValueFormat::BasisPoints.print(b)
        })
}

fn maturity(v: &Value) -> String {
    v.as_i64()
        .map_or(String::new(), |b| ValueFormat::BasisPoints.print(b))
}

fn backup_state(s: &str) -> &'static str {
    match s {
        "ok" => "à jour",
        "late" => "en retard",
        "failing" => "en échec",
        "never" => "aucune",
        _ => "?",
    }
}

fn gb_months(v: &Value) -> String {
    let m = int(v);
    format!("{},{:03}", m / 1000, m % 1000)
}

fn day(v: &Value) -> String {
    v.as_str().map_or("aucune demande ouverte".to_owned(), |d| {
        tenants::fr::date(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a day"))
    })
}

async fn bytes(http: &reqwest::Client, url: &str, who: &(String, String), path: &str) -> Vec<u8> {
    let resp = http
        .get(format!("{url}{path}"))
        .header("cookie", format!("mutualis_session={}", who.0))
        .send()
        .await
        .expect("export");
    let status = resp.status();
    let body = resp.bytes().await.expect("body").to_vec();
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    body
}

#[tokio::test]
async fn a_communes_figures_are_the_same_in_graphql_in_the_register_and_in_every_export() {
    let dir =
        TempDir(std::env::temp_dir().join(format!("mutualis-figures-{}", uuid::Uuid::new_v4())));
    let (url, db) = start(&dir.0).await;
    assert!(tenants::demo::seed(&db).await.expect("seed"));
    let org = organisation::Entity::find()
        .one(&db)
        .await
        .expect("organisation")
        .expect("the demo's intercommunality")
        .id;
    let now = chrono::Utc::now();
    let period = tenants::calendar::current_period(now);
    tenants::reporting::snapshot::refresh(&db, org, period, now)
        .await
        .expect("report");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let dsi = demo_login(&http, &url, "dsi@demo.mutualis.invalid").await;
    let mairie = demo_login(&http, &url, "mairie-compiegne@demo.mutualis.invalid").await;
    let agent = demo_login(&http, &url, "agent-margny@demo.mutualis.invalid").await;
    // The people who logged in have a last login (the demo's way in as OpenID Connect's:
    // oidc_login checks that one); the one who did not has none.
    let users = app_user::Entity::find().all(&db).await.expect("people");
    for u in &users {
        let logged_in = [
            "dsi@demo.mutualis.invalid",
            "mairie-compiegne@demo.mutualis.invalid",
            "agent-margny@demo.mutualis.invalid",
        ]
        .contains(&u.email.as_str());
        assert_eq!(u.last_login_at.is_some(), logged_in, "{}", u.email);
        if let Some(at) = u.last_login_at {
            assert!(at >= now, "{} logged in after the report: {at}", u.email);
        }
    }

    let r = gql(
        &http,
        &url,
        &dsi,
        &format!("query($o: UUID!, $p: String) {{ consolidatedReports(organisationId: $o, period: $p) {{ period communes {{ {FIGURES} }} total {{ {FIGURES} }} }} }}"),
        json!({"o": org, "p": period.to_string()}),
    )
    .await;
    let report = &r["data"]["consolidatedReports"][0];
    let communes = report["communes"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(communes.len(), 22, "the 22 member communes");
    let by_insee: BTreeMap<&str, &Value> = communes
        .iter()
        .filter_map(|c| Some((c["inseeCode"].as_str()?, c)))
        .collect();

    // 1. The register itself: each activity once; a checked one is validated, and counted as
    // checked besides, never twice in the validated figure.
    let rows = gdpr_activity::Entity::find()
        .filter(gdpr_activity::Column::IsModel.eq(false))
        .all(&db)
        .await
        .expect("activities");
    for c in communes {
        let tenant: uuid::Uuid = serde_json::from_value(c["tenantId"].clone()).expect("id");
        let mine: Vec<&gdpr_activity::Model> =
            rows.iter().filter(|a| a.tenant_id == tenant).collect();
        let validated = mine
            .iter()
            .filter(|a| a.status == "validated" || a.status == "checked")
            .count() as i64;
        let checked = mine.iter().filter(|a| a.status == "checked").count() as i64;
        assert_eq!(int(&c["activities"]), mine.len() as i64, "{c}");
        assert_eq!(int(&c["activitiesValidated"]), validated, "{c}");
        assert_eq!(int(&c["activitiesChecked"]), checked, "{c}");
        assert!(
            validated <= mine.len() as i64 && checked <= validated,
            "{c}"
        );
        let expected_bp = (!mine.is_empty())
            .then(|| (validated * 20_000 + mine.len() as i64) / (2 * mine.len() as i64));
        assert_eq!(c["activitiesValidatedBp"].as_i64(), expected_bp, "{c}");
    }
    // Compiègne has DPO-checked activities: the figure that counted them twice would differ.
    let compiegne = by_insee["60159"];
    assert!(int(&compiegne["activitiesChecked"]) > 0, "{compiegne}");
    let total = &report["total"];
    assert_eq!(
        int(&total["activitiesValidated"]),
        communes
            .iter()
            .map(|c| int(&c["activitiesValidated"]))
            .sum::<i64>()
    );

    // 2. The consolidated report's spreadsheet and CSV: each commune's row is its GraphQL
    // figures, printed.
    let expected_row = |c: &Value| -> Vec<String> {
        vec![
            c["name"].as_str().unwrap_or_default().to_owned(),
            c["inseeCode"].as_str().unwrap_or_default().to_owned(),
            int(&c["activities"]).to_string(),
            share(&c["activitiesValidatedBp"]),
            share(&c["activitiesCheckedBp"]),
            int(&c["dpiaRequired"]).to_string(),
            int(&c["dpiaDone"]).to_string(),
            int(&c["requestsOpen"]).to_string(),
            int(&c["requestsOverdue"]).to_string(),
            int(&c["breachesOpen"]).to_string(),
            int(&c["breachesLate"]).to_string(),
            int(&c["contractsToRenew"]).to_string(),
            int(&c["splittingAlerts"]).to_string(),
            backup_state(c["backupState"].as_str().unwrap_or_default()).to_owned(),
            gb_months(&c["backupMilliGbMonths"]),
            euros(&c["costsAllocatedCents"]),
            euros(&c["invoicedCents"]),
            euros(&c["unpaidCents"]),
            maturity(&c["maturityBp"]),
        ]
        .into_iter()
        .map(|s| spaced(&s))
        .collect()
    };
    let consolidated = format!(
        "{}?organisation={org}&period={period}",
        api::http::report_exports::CONSOLIDATED
    );
    let ods = ods_rows(&bytes(&http, &url, &dsi, &format!("{consolidated}&format=ods")).await);
    let csv =
        String::from_utf8(bytes(&http, &url, &dsi, &format!("{consolidated}&format=csv")).await)
            .expect("utf-8");
    let csv_rows: Vec<Vec<String>> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(';').map(|c| spaced(c.trim_matches('"'))).collect())
        .collect();
    for insee in ["60159", "60382"] {
        let c = by_insee[insee];
        let want = expected_row(c);
        for (what, rows) in [("ODS", &ods), ("CSV", &csv_rows)] {
            let got = rows
                .iter()
                .find(|r| r.get(1).map(String::as_str) == Some(insee))
                .unwrap_or_else(|| panic!("{insee} in the {what}: {rows:?}"));
            let got: Vec<String> = got.iter().map(|s| spaced(s)).collect();
            assert_eq!(got, want, "{what} row of {insee}");
        }
    }

    // 3. The commune's own summary (its home page) and its council summary, for its
    // administrator (every section) and for an agent of another commune (no costs).
    let margny_id = by_insee["60382"]["tenantId"].clone();
    for (who, c, costs) in [
        (&mairie, compiegne, true),
        (&agent, by_insee["60382"], false),
    ] {
        let tenant = c["tenantId"].clone();
        let r = gql(
            &http,
            &url,
            who,
            SUMMARY,
            json!({"t": tenant, "p": period.to_string()}),
        )
        .await;
        let s = &r["data"]["communeSummary"];
        assert_eq!(s["period"], json!(period.to_string()), "{r}");
        for field in [
            "activities",
            "activitiesValidated",
            "activitiesChecked",
            "activitiesValidatedBp",
            "activitiesCheckedBp",
            "dpiaRequired",
            "dpiaDone",
            "requestsOpen",
            "requestsDueSoon",
            "requestsOverdue",
            "nextRequestDueOn",
            "breachesOpen",
            "breachesLate",
            "maturityBp",
            "contractsToRenew",
            "backupState",
            "backupPolicies",
            "backupMilliGbMonths",
        ] {
            assert_eq!(s[field], c[field], "{field} of {}", c["name"]);
        }
        for field in [
            "costsAllocatedCents",
            "invoicedCents",
            "unpaidCents",
            "paidCents",
        ] {
            let want = if costs { c[field].clone() } else { Value::Null };
            assert_eq!(s[field], want, "{field} of {} (costs: {costs})", c["name"]);
        }
        // Its council summary: the ODS's commune column and the PDF's text.
        let path = format!(
            "{}?tenant={}&period={period}",
            api::http::report_exports::COMMUNE_SUMMARY,
            tenant.as_str().expect("id")
        );
        let rows = ods_rows(&bytes(&http, &url, who, &format!("{path}&format=ods")).await);
        let by_label: BTreeMap<String, String> = rows
            .iter()
            .skip(1)
            .filter_map(|r| Some((r.first()?.clone(), spaced(r.get(1)?))))
            .collect();
        let mut want: Vec<(&str, String)> = vec![
            ("Traitements au registre", int(&s["activities"]).to_string()),
            (
                "Part validée (contrôlés par le DPD compris)",
                share(&s["activitiesValidatedBp"]),
            ),
            (
                "Part contrôlée par le DPD",
                share(&s["activitiesCheckedBp"]),
            ),
            (
                "AIPD réalisées / requises",
                format!("{} / {}", int(&s["dpiaDone"]), int(&s["dpiaRequired"])),
            ),
            (
                "Demandes de droits ouvertes",
                int(&s["requestsOpen"]).to_string(),
            ),
            ("dont en retard", int(&s["requestsOverdue"]).to_string()),
            (
                "Prochaine échéance d'une demande",
                day(&s["nextRequestDueOn"]),
            ),
            (
                "Violations de données ouvertes",
                int(&s["breachesOpen"]).to_string(),
            ),
            (
                "dont hors délai de 72 h",
                int(&s["breachesLate"]).to_string(),
            ),
            (
                "Marchés à reconduire sous 90 jours",
                int(&s["contractsToRenew"]).to_string(),
            ),
            (
                "Sauvegardes",
                backup_state(s["backupState"].as_str().unwrap_or_default()).to_owned(),
            ),
            (
                "Stockage sauvegardé (Go-mois)",
                gb_months(&s["backupMilliGbMonths"]),
            ),
            ("Indice de maturité", maturity(&s["maturityBp"])),
        ];
        if costs {
            want.push((
                "Coûts mutualisés répartis",
                euros(&s["costsAllocatedCents"]),
            ));
            want.push((
                "Facturé / impayé",
                format!(
                    "{} / {}",
                    euros(&s["invoicedCents"]),
                    euros(&s["unpaidCents"])
                ),
            ));
        } else {
            assert!(
                !by_label.contains_key("Coûts mutualisés répartis"),
                "{by_label:?}"
            );
        }
        for (label, value) in &want {
            assert_eq!(
                by_label.get(*label).map(String::as_str),
                Some(spaced(value).as_str()),
                "« {label} » of {} in its council summary (ODS): {by_label:?}",
                c["name"]
            );
        }
        let pdf = bytes(&http, &url, who, &format!("{path}&format=pdf")).await;
        let doc = lopdf::Document::load_mem(&pdf).expect("PDF");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let text = spaced(&doc.extract_text(&pages).expect("text"));
        for (label, value) in &want {
            let value = spaced(value);
            assert!(
                text.contains(&format!("{} {value}", spaced(label))),
                "« {label} {value} » of {} missing from its council summary (PDF): {text}",
                c["name"]
            );
        }
    }
    // An agent of Margny reads no other commune's summary.
    let r = gql(
        &http,
        &url,
        &agent,
        SUMMARY,
        json!({"t": compiegne["tenantId"], "p": period.to_string()}),
    )
    .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("NOT_FOUND"),
        "{r}"
    );
    assert_ne!(compiegne["tenantId"], margny_id);
}
