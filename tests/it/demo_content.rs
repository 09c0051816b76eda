//! What a visitor finds on the first start (issue 16): every module has content, read through
//! GraphQL as the demo people, on the embedded SQLite path; and the real binary started from an
//! empty directory writes no warning or error while its worker runs over that content (restic
//! snapshots collected when restic is installed, invoices issued through Chorus Pro and by titre).
use crate::embedded_binary::start_in_with;
use crate::sqlite_embedded::{demo_login, gql, start};
use chrono::Datelike;
use integration_tests::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tenants::backups::collector::ResticSettings;

/// Whether a `restic` binary is in one of these directories; under CI it must be (tests/run
/// installs Debian's), so a missing restic cannot pass for "nothing to check".
fn restic_in(dirs: &[&Path]) -> bool {
    let found = dirs.iter().any(|d| d.join("restic").is_file());
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    assert!(found || !ci, "restic is not installed and CI is set");
    if !found {
        eprintln!("restic is not installed: the demo's restic part is checked absent");
    }
    found
}

fn path_dirs() -> Vec<std::path::PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default()
}

/// The log without its terminal colours.
fn plain(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ parameters, up to the final letter.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A list of the answer: a page's items, or a plain list.
fn list<'a>(v: &'a Value, field: &str) -> &'a Vec<Value> {
    let f = &v["data"][field];
    f["items"]
        .as_array()
        .or_else(|| f.as_array())
        .unwrap_or_else(|| panic!("{field} in {v}"))
}

#[tokio::test]
async fn the_first_start_shows_every_module() {
    let dir = TempDir(std::env::temp_dir().join(format!("mutualis-demo-{}", uuid::Uuid::new_v4())));
    let (url, db) = start(&dir.0).await;
    let dirs = path_dirs();
    let has_restic = restic_in(&dirs.iter().map(|d| d.as_path()).collect::<Vec<_>>());
    let mut restic = ResticSettings::default();
    let repository = api::demo_restic::prepare(&dir.0, &mut restic).await;
    assert_eq!(repository.is_some(), has_restic, "{repository:?}");
    assert!(tenants::demo::seed_with(&db, repository.as_deref())
        .await
        .expect("seed"));
    // A second start: the same repository (no new snapshot), nothing seeded again.
    let mut again = ResticSettings::default();
    assert_eq!(
        api::demo_restic::prepare(&dir.0, &mut again).await,
        repository
    );
    assert!(!tenants::demo::seed_with(&db, repository.as_deref())
        .await
        .expect("reseed"));
    if let Some(repo) = &repository {
        let pw = dir.0.join("restic-demo.password");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&pw)
                .expect("password file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        let snapshots = tenants::backups::restic::Restic::new(
            repo.clone(),
            tenants::backups::restic::ResticPassword::new(
                std::fs::read_to_string(&pw).expect("password").trim(),
            ),
        )
        .snapshots()
        .await
        .expect("snapshots");
        assert_eq!(snapshots.len(), 3, "three nights, once");
        assert!(snapshots
            .iter()
            .all(|s| s.hostname == tenants::backups::demo::RESTIC_HOST));
    }
    // The collector of the in-process worker: it reads the demo repository when there is one,
    // and nothing else (the webhook-fed policies name no password it has).
    let collected = worker::collect_backups(&db, &restic)
        .await
        .expect("collect");
    assert!(collected.failures.is_empty(), "{collected:?}");
    assert_eq!(
        collected.repositories,
        usize::from(has_restic),
        "{collected:?}"
    );
    assert_eq!(collected.jobs_recorded, if has_restic { 3 } else { 0 });
    assert_eq!(collected.skipped.len(), 1, "{collected:?}");

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let dpo = demo_login(&http, &url, "dpo@demo.mutualis.invalid").await;
    let dsi = demo_login(&http, &url, "dsi@demo.mutualis.invalid").await;
    let mairie = demo_login(&http, &url, "mairie-compiegne@demo.mutualis.invalid").await;
    let r = gql(
        &http,
        &url,
        &dsi,
        "{ tenants(first: 100) { items { id inseeCode }} }",
        json!({}),
    )
    .await;
    let insee: BTreeMap<String, String> = list(&r, "tenants")
        .iter()
        .filter_map(|t| {
            Some((
                t["id"].as_str()?.to_owned(),
                t["inseeCode"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let compiegne = insee
        .iter()
        .find(|(_, c)| *c == "60159")
        .map(|(id, _)| id.clone())
        .expect("Compiègne");

    // Maturity: a published questionnaire with its weighted questions, assessments, progress.
    let r = gql(&http, &url, &dpo, "{ maturityQuestionnaires { id title version themes publishedAt questions { key theme weight options { label score notApplicable } } } maturityAssessments { tenantId assessedOn scoreBp changeBp themes { theme scoreBp } } }", json!({})).await;
    let qs = list(&r, "maturityQuestionnaires");
    assert_eq!(qs.len(), 1, "{r}");
    let q = &qs[0];
    assert_eq!(q["title"], tenants::maturity::demo::TITLE);
    assert_eq!(q["version"], 1);
    let themes: Vec<&str> = q["themes"]
        .as_array()
        .expect("themes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        themes,
        [
            "Gouvernance RGPD",
            "Registre et conformité",
            "Droits des personnes",
            "Sécurité et sauvegardes",
            "Sensibilisation"
        ]
    );
    let questions = q["questions"].as_array().expect("questions");
    assert!(questions.len() >= 15, "{}", questions.len());
    let weights: BTreeSet<i64> = questions
        .iter()
        .filter_map(|q| q["weight"].as_i64())
        .collect();
    assert!(weights.len() >= 3, "weighted questions: {weights:?}");
    assert!(questions
        .iter()
        .all(|q| q["options"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["score"] == 100)
                && o.iter()
                    .any(|o| o["score"] == 0 && o["notApplicable"] == false))));
    assert!(questions.iter().any(|q| q["options"]
        .as_array()
        .is_some_and(|o| o.iter().any(|o| o["notApplicable"] == true))));
    let assessments = list(&r, "maturityAssessments");
    let assessed: BTreeSet<&str> = assessments
        .iter()
        .filter_map(|a| a["tenantId"].as_str())
        .collect();
    assert!(assessed.len() >= 5, "{r}");
    let mine: Vec<&Value> = assessments
        .iter()
        .filter(|a| a["tenantId"] == json!(compiegne))
        .collect();
    assert_eq!(mine.len(), 2, "Compiègne twice: {r}");
    assert!(mine[0]["assessedOn"].as_str() < mine[1]["assessedOn"].as_str());
    assert!(mine[0]["changeBp"].is_null());
    let (before, after) = (
        mine[0]["scoreBp"].as_i64().expect("score"),
        mine[1]["scoreBp"].as_i64().expect("score"),
    );
    assert!(after > before, "Compiègne progressed: {before} → {after}");
    assert_eq!(mine[1]["changeBp"].as_i64(), Some(after - before));
    // Communes differ, and a theme left wholly not applicable has no score.
    let scores: BTreeSet<i64> = assessments
        .iter()
        .filter_map(|a| a["scoreBp"].as_i64())
        .collect();
    assert!(scores.len() >= 5, "{scores:?}");
    // The commune reads its own progress only.
    let r = gql(
        &http,
        &url,
        &mairie,
        "{ maturityAssessments { tenantId } }",
        json!({}),
    )
    .await;
    assert_eq!(list(&r, "maturityAssessments").len(), 2, "{r}");

    // Rights requests in their states; breaches in each outcome of the 72-hour rule.
    let r = gql(&http, &url, &dpo, "{ rightsRequests(first: 100) { items { tenantId status { code } overdue extendedDueOn extensionReason answer answeredOn }} breaches(first: 50) { items { title notifiedAt notifiedLate lateReasons notNotifiedReason secondsLeft }} }", json!({})).await;
    let requests = list(&r, "rightsRequests");
    let statuses: BTreeSet<&str> = requests
        .iter()
        .filter_map(|q| q["status"]["code"].as_str())
        .collect();
    assert!(
        ["received", "in_progress", "answered", "rejected"]
            .iter()
            .all(|s| statuses.contains(s)),
        "{statuses:?}"
    );
    assert_eq!(
        requests.iter().filter(|q| q["overdue"] == true).count(),
        1,
        "{r}"
    );
    assert!(requests.iter().any(|q| !q["extendedDueOn"].is_null()
        && q["extensionReason"].as_str().is_some_and(|s| s.len() > 20)
        && q["overdue"] == false));
    assert!(
        requests
            .iter()
            .filter(
                |q| ["answered", "rejected"].contains(&q["status"]["code"].as_str().unwrap_or(""))
            )
            .all(|q| !q["answeredOn"].is_null()
                && q["answer"].as_str().is_some_and(|a| !a.is_empty()))
    );
    let communes: BTreeSet<&str> = requests
        .iter()
        .filter_map(|q| q["tenantId"].as_str())
        .collect();
    assert!(communes.len() >= 3, "{communes:?}");
    let breaches = list(&r, "breaches");
    assert!(
        breaches
            .iter()
            .any(|b| !b["notifiedAt"].is_null() && b["notifiedLate"] == false),
        "notified in time: {r}"
    );
    assert!(
        breaches.iter().any(|b| b["notifiedLate"] == true
            && b["lateReasons"].as_str().is_some_and(|s| !s.is_empty())),
        "notified late: {r}"
    );
    assert!(
        breaches.iter().any(|b| b["notifiedAt"].is_null()
            && b["notNotifiedReason"]
                .as_str()
                .is_some_and(|s| !s.is_empty())),
        "not notified: {r}"
    );
    assert!(
        breaches.iter().any(|b| b["notifiedAt"].is_null()
            && b["notNotifiedReason"].is_null()
            && b["secondsLeft"]
                .as_i64()
                .is_some_and(|s| s > 0 && s < 72 * 3600)),
        "clock running: {r}"
    );

    // Costs: catalogue, subscriptions, keys, this year's pools by several methods, each run
    // summing to its pool.
    let year = tenants::calendar::paris_today().year();
    let r = gql(&http, &url, &dsi, "query($y: Int!) { costServices { id code name } costSubscriptions { tenantId serviceId } costKeyValues(year: $y) { tenantId key value } costPools(year: $y) { id serviceId label amountCents method periodStart periodEnd } }", json!({"y": year})).await;
    let services = list(&r, "costServices");
    assert!(services.len() >= 4, "{r}");
    let subs = list(&r, "costSubscriptions");
    let keys = list(&r, "costKeyValues");
    for k in ["agents", "postes"] {
        assert!(
            keys.iter().filter(|v| v["key"] == k).count() >= 20,
            "{k}: {r}"
        );
    }
    let pools = list(&r, "costPools").clone();
    let kinds: BTreeSet<&str> = pools
        .iter()
        .filter_map(|p| p["method"]["kind"].as_str())
        .collect();
    for k in ["key", "usage", "mix"] {
        assert!(kinds.contains(k), "{kinds:?}");
    }
    assert!(pools
        .iter()
        .any(|p| p["method"] == json!({"kind": "key", "key": "population"})));
    assert!(pools
        .iter()
        .any(|p| p["method"]["kind"] == "key" && p["method"]["key"] != "population"));
    let mut invoiced_total = 0;
    let mut invoiced_services = BTreeSet::new();
    let mut statuses = vec![];
    for p in &pools {
        let r = gql(
            &http,
            &url,
            &dsi,
            "query($p: UUID!) { costRuns(poolId: $p) { id status totalCents } }",
            json!({"p": p["id"]}),
        )
        .await;
        let runs = list(&r, "costRuns");
        assert_eq!(runs.len(), 1, "{p} {r}");
        let run = &runs[0];
        let lr = gql(
            &http,
            &url,
            &dsi,
            "query($r: UUID!) { costLines(runId: $r) { tenantId amountCents explanation } }",
            json!({"r": run["id"]}),
        )
        .await;
        let lines = list(&lr, "costLines");
        let sum: i64 = lines.iter().filter_map(|l| l["amountCents"].as_i64()).sum();
        assert_eq!(Some(sum), p["amountCents"].as_i64(), "{p}");
        assert_eq!(run["totalCents"], p["amountCents"]);
        assert!(lines
            .iter()
            .all(|l| l["explanation"].as_str().is_some_and(|e| e.contains(" €"))));
        // Every subscribed commune has its line.
        let subscribed: BTreeSet<&str> = subs
            .iter()
            .filter(|s| s["serviceId"] == p["serviceId"])
            .filter_map(|s| s["tenantId"].as_str())
            .collect();
        let allocated: BTreeSet<&str> = lines
            .iter()
            .filter_map(|l| l["tenantId"].as_str())
            .collect();
        assert_eq!(subscribed, allocated, "{p}");
        if p["method"]["kind"] == "usage" {
            assert!(
                lines
                    .iter()
                    .filter(|l| l["amountCents"].as_i64() > Some(0))
                    .count()
                    >= 2,
                "metered: {lr}"
            );
        }
        statuses.push(run["status"].as_str().unwrap_or_default().to_owned());
        if run["status"] == "invoiced" {
            invoiced_total += sum;
            invoiced_services.insert(p["serviceId"].as_str().unwrap_or_default().to_owned());
        }
    }
    assert!(statuses.iter().any(|s| s == "invoiced"), "{statuses:?}");
    assert!(
        statuses.iter().any(|s| s == "final"),
        "one computed, not yet invoiced: {statuses:?}"
    );

    // Billing: one run, one invoice per commune subscribed to an invoiced service.
    let r = gql(
        &http,
        &url,
        &dsi,
        "{ billingRuns { items { id status invoices totalCents }} }",
        json!({}),
    )
    .await;
    let runs = list(&r, "billingRuns");
    assert_eq!(runs.len(), 1, "{r}");
    assert_eq!(runs[0]["totalCents"].as_i64(), Some(invoiced_total));
    let ir = gql(
        &http,
        &url,
        &dsi,
        "query($b: UUID) { invoices(billingRunId: $b) { items { tenantId amountCents status number }} }",
        json!({"b": runs[0]["id"]}),
    )
    .await;
    let invoices = list(&ir, "invoices");
    let billed: Vec<&str> = invoices
        .iter()
        .filter_map(|i| i["tenantId"].as_str())
        .collect();
    let expected: BTreeSet<&str> = subs
        .iter()
        .filter(|s| invoiced_services.contains(s["serviceId"].as_str().unwrap_or_default()))
        .filter_map(|s| s["tenantId"].as_str())
        .collect();
    assert_eq!(billed.len(), expected.len(), "one invoice each: {ir}");
    assert_eq!(billed.iter().copied().collect::<BTreeSet<_>>(), expected);
    assert_eq!(runs[0]["invoices"].as_i64(), Some(billed.len() as i64));
    assert_eq!(
        invoices
            .iter()
            .filter_map(|i| i["amountCents"].as_i64())
            .sum::<i64>(),
        invoiced_total
    );
    // The communes go through Chorus Pro (one by titre): issued at once, nothing waits for
    // Stripe, the run is done; every commune has a complete billing identity.
    let r = gql(&http, &url, &dsi, "{ billingRuns { items { status }} jobs(kind: \"billing.push_invoice\", first: 500) { items { status }} invoices(first: 500) { items { status channel buyerSiret }} billingIdentities { tenantName channel missingForChorus } }", json!({})).await;
    assert_eq!(list(&r, "jobs").len(), 0, "{r}");
    assert_eq!(
        r["data"]["billingRuns"]["items"][0]["status"], "done",
        "{r}"
    );
    let all = list(&r, "invoices");
    assert!(
        all.iter()
            .all(|i| i["status"] == "open" && i["buyerSiret"].is_string()),
        "{r}"
    );
    assert_eq!(
        all.iter().filter(|i| i["channel"] == "titre").count(),
        1,
        "{r}"
    );
    let identities = list(&r, "billingIdentities");
    assert!(identities.len() > 20, "{r}");
    assert!(
        identities
            .iter()
            .all(|i| i["missingForChorus"] == json!([])),
        "{r}"
    );
    // The commune reads its own invoice.
    let r = gql(
        &http,
        &url,
        &mairie,
        "{ invoices { items { tenantId }} }",
        json!({}),
    )
    .await;
    assert_eq!(
        list(&r, "invoices").clone(),
        vec![json!({"tenantId": compiegne})]
    );

    // Backups: with restic, one policy fed by the repository's real snapshots.
    let r = gql(&http, &url, &dsi, "{ backupPolicies { id host repository passwordRef jobs(first: 50) { items { source snapshotId }} } }", json!({})).await;
    let policies = list(&r, "backupPolicies");
    let fed: Vec<&Value> = policies
        .iter()
        .filter(|p| {
            p["jobs"]["items"]
                .as_array()
                .is_some_and(|j| j.iter().any(|j| j["source"] == "restic"))
        })
        .collect();
    match &repository {
        Some(repo) => {
            assert_eq!(fed.len(), 1, "{r}");
            assert_eq!(fed[0]["repository"], json!(repo));
            assert_eq!(fed[0]["host"], tenants::backups::demo::RESTIC_HOST);
            assert_eq!(fed[0]["jobs"]["items"].as_array().map(Vec::len), Some(3));
        }
        None => {
            assert!(fed.is_empty());
            assert_eq!(policies.len(), 3, "{r}");
        }
    }
    assert!(policies
        .iter()
        .filter(|p| p["host"] != tenants::backups::demo::RESTIC_HOST)
        .all(|p| p["passwordRef"] != tenants::backups::demo::RESTIC_PASSWORD_REF));
    db.close().await.ok();
}

/// The real binary from an empty directory: its first start makes the demo (restic repository
/// included when restic is in the binary's PATH), its worker collects, reports and scans (the
/// demo's invoices go through Chorus Pro, no push waits), and the log holds no WARN or ERROR
/// line. Nobody logs in
/// meanwhile (a demo login is itself logged as a warning, by design): the test reads the
/// server's database file beside it.
#[tokio::test]
async fn a_clean_start_logs_no_warning() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use tenants::entities::{backup_job, job};
    let dir =
        TempDir(std::env::temp_dir().join(format!("mutualis-clean-{}", uuid::Uuid::new_v4())));
    std::fs::create_dir_all(&dir.0).expect("empty directory");
    // The binary runs with PATH=/usr/bin:/bin; every warning and error is logged, and the
    // worker's own info lines show the log is the one its messages go to.
    let has_restic = restic_in(&[Path::new("/usr/bin"), Path::new("/bin")]);
    let server = start_in_with(&dir.0, "warn,worker=info").await;
    let db = tenants::db::connect(
        &format!(
            "sqlite://{}?mode=rw",
            dir.0.join("data").join("mutualis.db").display()
        ),
        1,
    )
    .await
    .expect("the server's database");
    // The worker's first passes: the restic snapshots as backup jobs, and the consolidated
    // reports the demo's changes and the schedule asked for (the last ones a minute after the
    // seed).
    wait_until(
        "the in-process worker has run over the demo",
        std::time::Duration::from_secs(180),
        || {
            let db = db.clone();
            async move {
                let restic_jobs = backup_job::Entity::find()
                    .filter(backup_job::Column::Source.eq("restic"))
                    .count(&db)
                    .await
                    .unwrap_or(0);
                let reports = job::Entity::find()
                    .filter(job::Column::Kind.eq(tenants::reporting::SNAPSHOT_JOB))
                    .all(&db)
                    .await
                    .unwrap_or_default();
                let reports_done = !reports.is_empty()
                    && reports
                        .iter()
                        .all(|j| j.status == tenants::entities::job::JobStatus::Done);
                reports_done && restic_jobs == if has_restic { 3 } else { 0 }
            }
        },
    )
    .await;
    // A little more for the scans and jobs that follow.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let jobs = job::Entity::find().all(&db).await.expect("jobs");
    let dead: Vec<_> = jobs
        .iter()
        .filter(|j| j.status == tenants::entities::job::JobStatus::Dead)
        .collect();
    assert!(dead.is_empty(), "{dead:?}");
    // The demo bills through Chorus Pro and by titre: nothing is queued for Stripe.
    assert!(
        !jobs
            .iter()
            .any(|j| j.kind == tenants::billing::PUSH_INVOICE),
        "{jobs:?}"
    );
    let failed: Vec<_> = jobs.iter().filter(|j| j.last_error.is_some()).collect();
    assert!(failed.is_empty(), "{failed:?}");
    db.close().await.ok();
    drop(server);
    let log = plain(&std::fs::read_to_string(dir.0.join("server.log")).expect("server log"));
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    assert!(
        bad.is_empty(),
        "warnings or errors on a clean start:\n{log}"
    );
    assert!(log.contains(" INFO worker: worker started"), "{log}");
    assert_eq!(
        log.contains("restic repositories collected repositories=1 snapshots=3 jobs=3"),
        has_restic,
        "{log}"
    );
    assert_eq!(dir.0.join("data/restic-demo/config").is_file(), has_restic);
}
