//! Alerts: the scans record each cause once, the people responsible get an email (a real SMTP
//! server stores them in a Maildir), at once or in a daily digest, and each only once.
use integration_tests::*;
use serde_json::json;

/// (recipient, subject) of every message the SMTP server received.
fn mails() -> Vec<(String, String, String)> {
    let dir =
        std::env::var("MUTUALIS_TEST_MAILDIR").expect("MUTUALIS_TEST_MAILDIR (tests/services.sh)");
    let mut out = vec![];
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(std::path::Path::new(&dir).join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            let header = |name: &str| {
                text.lines()
                    .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
                    .map(|l| l[name.len() + 1..].trim().to_owned())
                    .unwrap_or_default()
            };
            out.push((header("to"), header("subject"), text.clone()));
        }
    }
    out
}

/// Messages to `who` about one of `ids` (other tests share the SMTP server) containing `words`.
fn to(who: &str, ids: &[String], words: &str) -> usize {
    mails()
        .iter()
        .filter(|(t, _, body)| {
            t.contains(who)
                && body.contains(words)
                && ids.iter().any(|id| body.contains(id.as_str()))
        })
        .count()
}

#[tokio::test]
async fn alerts_are_recorded_once_and_emailed_once_at_once_or_in_a_digest() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let today = chrono::Utc::now().date_naive();
    // A1: a rights request received 45 days ago (overdue), a breach known 60 hours ago
    // (12 hours left to notify), an invoice past due. A2: a backup 3 days old (RPO 36 h), never
    // tested by a restore.
    let created = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!, $d: Date!, $a: DateTime!) {
               createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"M. Alerte\"}) { id }
               createBreach(input: {tenantId: $t, title: \"Vol d'un ordinateur portable\", awareAt: $a, natures: [\"confidentiality\"], severity: \"high\"}) { id } }",
            json!({"t": fx.tenant_a1, "d": today - chrono::Duration::days(45), "a": chrono::Utc::now() - chrono::Duration::hours(60)}),
        )
        .await;
    data(&created);
    let (_, run) = app
        .billing_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    app.admin_exec(&format!(
        "UPDATE billing_invoice SET due_on = CURRENT_DATE - 3 WHERE billing_run_id = '{run}' AND tenant_id = '{}'",
        fx.tenant_a1
    ))
    .await;
    app.backup_objects(&fx.org_admin_a, fx.tenant_a2, "srv-margny")
        .await;
    app.admin_exec(&format!(
        "UPDATE backup_job SET finished_at = now() - interval '3 days' WHERE tenant_id = '{}';
         DELETE FROM backup_restore_test WHERE tenant_id = '{}'",
        fx.tenant_a2, fx.tenant_a2
    ))
    .await;
    // The DPO takes a daily digest; the DSI wants no email.
    for (who, mode) in [(&fx.dpo_a, "digest"), (&fx.org_admin_a, "off")] {
        let r = app
            .gql(
                who,
                "mutation($m: String!) { setAlertDelivery(mode: $m) }",
                json!({"m": mode}),
            )
            .await;
        assert_eq!(data(&r)["setAlertDelivery"], json!(mode));
    }
    let r = app
        .gql(
            &fx.dpo_a,
            "mutation { setAlertDelivery(mode: \"sometimes\") }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"));

    // Scans: the causes once, however often they run.
    let now = chrono::Utc::now();
    let first = tenants::alerts::scan::run(&app.db, now)
        .await
        .expect("scan");
    assert_eq!(
        first, 5,
        "request, breach, invoice (A1); backup RPO and restore test (A2)"
    );
    assert_eq!(
        tenants::alerts::scan::run(&app.db, now)
            .await
            .expect("scan"),
        0
    );
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ alerts { items { kind tenantId title dueOn dueAt }} }",
            json!({}),
        )
        .await;
    // One deadline, computed once: a request's alert is due on the request's own day (the
    // day its page shows), not at an instant that Paris reads as the next day; an invoice's on
    // its due day; only the breach's 72 hours are an instant.
    let request_id = data(&created)["createRightsRequest"]["id"].clone();
    let rr = app
        .gql(
            &fx.commune_admin_a1,
            "query($id: UUID!) { rightsRequest(id: $id) { effectiveDueOn } }",
            json!({"id": request_id}),
        )
        .await;
    let request_due = data(&rr)["rightsRequest"]["effectiveDueOn"].clone();
    let alert_of = |kind: &str| {
        data(&r)["alerts"]["items"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["kind"] == kind))
            .cloned()
            .unwrap_or_else(|| panic!("{kind} in {r}"))
    };
    let overdue = alert_of("request_overdue");
    assert_eq!(overdue["dueOn"], request_due, "{overdue}");
    assert_eq!(overdue["dueAt"], serde_json::Value::Null, "{overdue}");
    let due_day = chrono::NaiveDate::parse_from_str(request_due.as_str().expect("day"), "%Y-%m-%d")
        .expect("day");
    assert!(
        overdue["title"]
            .as_str()
            .is_some_and(|t| t.contains(&tenants::fr::date(due_day))),
        "{overdue}"
    );
    let invoice = alert_of("invoice_unpaid");
    assert!(
        invoice["dueOn"].is_string() && invoice["dueAt"].is_null(),
        "{invoice}"
    );
    let breach = alert_of("breach_deadline");
    assert!(
        breach["dueAt"].is_string() && breach["dueOn"].is_null(),
        "{breach}"
    );
    let mut kinds: Vec<String> = data(&r)["alerts"]["items"]
        .as_array()
        .expect("alerts")
        .iter()
        .map(|a| a["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["breach_deadline", "invoice_unpaid", "request_overdue"],
        "A1 sees its own"
    );
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ alerts { items { id kind }} }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&r)["alerts"]["items"].as_array().map(Vec::len),
        Some(5)
    );
    let ids: Vec<String> = data(&r)["alerts"]["items"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_owned))
        .collect();
    let r = app
        .gql(&fx.org_admin_b, "{ alerts { items { kind }} }", json!({}))
        .await;
    assert_eq!(data(&r)["alerts"]["items"], json!([]));

    // Emails at once: A1's administrator gets its three; the DPO (digest) and the DSI (off)
    // none; running the jobs again sends nothing more.
    worker::run_jobs(&app.db, &job_settings("alerts"))
        .await
        .expect("jobs");
    assert_eq!(
        to("dgs@mairie-compiegne.fr", &ids, "Compi"),
        3,
        "{:?}",
        mails().iter().map(|m| (&m.0, &m.1)).collect::<Vec<_>>()
    );
    assert_eq!(to("dgs@mairie-compiegne.fr", &ids, "M. Alerte"), 1);

    assert_eq!(to("dpo@agglo-compiegne.fr", &ids, ""), 0);
    assert_eq!(to("dsi@agglo-compiegne.fr", &ids, ""), 0);
    app.admin_exec("UPDATE job SET status = 'pending', run_at = now() - interval '1 second' WHERE kind = 'alerts.email'").await;
    worker::run_jobs(&app.db, &job_settings("alerts-again"))
        .await
        .expect("jobs");
    assert_eq!(
        to("dgs@mairie-compiegne.fr", &ids, "Compi"),
        3,
        "each alert once per person"
    );

    // The DPO's digest: the two GDPR alerts in one email, once.
    worker::send_digests(&app.db, &job_settings("digest"))
        .await
        .expect("digest");
    worker::send_digests(&app.db, &job_settings("digest"))
        .await
        .expect("digest");
    let dpo: Vec<_> = mails()
        .into_iter()
        .filter(|(t, _, body)| {
            t.contains("dpo@agglo-compiegne.fr") && ids.iter().any(|id| body.contains(id.as_str()))
        })
        .collect();
    assert_eq!(dpo.len(), 1, "{dpo:?}");
    assert_eq!(
        ids.iter()
            .filter(|id| dpo[0].2.contains(id.as_str()))
            .count(),
        2,
        "{}",
        dpo[0].2
    );
    assert!(
        dpo[0].2.contains("M. Alerte") && dpo[0].2.contains("ordinateur portable"),
        "{}",
        dpo[0].2
    );
}
