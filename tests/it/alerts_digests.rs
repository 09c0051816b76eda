//! The digests read their recipients and what was already sent once for all the alerts
//! (issue 23): for several alerts and people in two organisations, each person gets exactly
//! the alerts addressed to them and not yet sent, in time order, and the number of statements
//! does not grow with the alerts.
use chrono::{Duration, Utc};
use integration_tests::*;
use sea_orm::ConnectionTrait;
use std::collections::{BTreeMap, BTreeSet};
use tenants::alerts::deliver;
use uuid::Uuid;

async fn alert(app: &TestApp, tenant: Uuid, kind: &str, hours_ago: i64) -> Uuid {
    let id = Uuid::now_v7();
    app.admin_exec(&format!(
        "INSERT INTO alert (id, organisation_id, tenant_id, kind, cause_key, title, detail, created_at)
         SELECT '{id}', organisation_id, id, '{kind}', '{kind}:{id}', 'Alerte {kind}', 'Détail', now() - interval '{hours_ago} hours'
         FROM tenant WHERE id = '{tenant}'"
    ))
    .await;
    id
}

async fn user(app: &TestApp, email: &str) -> Uuid {
    app.admin
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT id FROM app_user WHERE email = '{email}'"),
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get("", "id").ok())
        .expect("user")
}

#[tokio::test]
async fn alerts_digests_read_once_give_each_person_their_alerts() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.person(
        "dgs@mairie-margny.fr",
        "commune_admin",
        fx.org_a,
        Some(fx.tenant_a2),
    )
    .await;
    app.person(
        "dgs@dunkerque.fr",
        "commune_admin",
        fx.org_b,
        Some(fx.tenant_b1),
    )
    .await;
    app.admin_exec("UPDATE app_user SET alert_mode = 'digest'")
        .await;
    // Everyone in digest mode but Margny's administrator, who wants them at once.
    app.admin_exec(
        "UPDATE app_user SET alert_mode = 'immediate' WHERE email = 'dgs@mairie-margny.fr'",
    )
    .await;
    let a1_request = alert(&app, fx.tenant_a1, "request_due", 5).await;
    let a1_backup = alert(&app, fx.tenant_a1, "backup_late", 3).await;
    let a2_contract = alert(&app, fx.tenant_a2, "contract_end", 4).await;
    let b1_breach = alert(&app, fx.tenant_b1, "breach_deadline", 6).await;
    let b1_backup = alert(&app, fx.tenant_b1, "backup_failing", 1).await;
    let _old = alert(&app, fx.tenant_a1, "contract_notice", 80).await;
    let dsi_a = user(&app, "dsi@agglo-compiegne.fr").await;
    // The DSI of A already had the backup alert.
    app.admin_exec(&format!(
        "INSERT INTO alert_delivery (id, organisation_id, tenant_id, alert_id, user_id, channel, sent_at)
         SELECT gen_random_uuid(), organisation_id, tenant_id, id, '{dsi_a}', 'immediate', now() FROM alert WHERE id = '{a1_backup}'"
    ))
    .await;

    let counted = Counted::connect(&app.testdb.app_url).await;
    let (out, statements, _) = counted
        .measure(deliver::digests(&counted.db, Utc::now(), Duration::days(2)))
        .await;
    let digests = out.expect("digests");
    let got: BTreeMap<String, Vec<Uuid>> = digests
        .iter()
        .map(|(r, alerts)| {
            assert!(alerts
                .windows(2)
                .all(|w| w[0].0.created_at <= w[1].0.created_at));
            assert!(alerts.iter().all(|(_, commune)| !commune.is_empty()));
            (r.email.clone(), alerts.iter().map(|(a, _)| a.id).collect())
        })
        .collect();
    let want: BTreeMap<String, Vec<Uuid>> = [
        // The DSI: the organisation's alerts, oldest first, less the one already sent; the
        // DPO: the GDPR one only; a commune's administrator: the commune's.
        ("dsi@agglo-compiegne.fr", vec![a1_request, a2_contract]),
        ("dpo@agglo-compiegne.fr", vec![a1_request]),
        ("dgs@mairie-compiegne.fr", vec![a1_request, a1_backup]),
        ("dsi@cud.fr", vec![b1_breach, b1_backup]),
        ("dgs@dunkerque.fr", vec![b1_breach, b1_backup]),
    ]
    .into_iter()
    .map(|(e, a)| (e.to_owned(), a))
    .collect();
    assert_eq!(got, want);

    // One alert's recipients (the immediate emails) read the same way.
    let (a, commune) = deliver::load(&app.db, a2_contract).await.expect("load");
    assert!(!commune.is_empty());
    let to: BTreeSet<String> = deliver::recipients(&app.db, &a)
        .await
        .expect("recipients")
        .into_iter()
        .map(|r| r.email)
        .collect();
    assert_eq!(
        to,
        BTreeSet::from([
            "dgs@mairie-margny.fr".into(),
            "dsi@agglo-compiegne.fr".into()
        ])
    );

    // Three times the alerts: the same number of statements.
    for t in [fx.tenant_a1, fx.tenant_a2, fx.tenant_b1] {
        for k in 0..3 {
            alert(&app, t, &format!("request_more_{k}"), 2).await;
            alert(&app, t, &format!("backup_more_{k}"), 2).await;
        }
    }
    let (out, more, _) = counted
        .measure(deliver::digests(&counted.db, Utc::now(), Duration::days(2)))
        .await;
    let more_pairs: usize = out.expect("digests").iter().map(|(_, a)| a.len()).sum();
    assert!(more_pairs > got.values().map(Vec::len).sum::<usize>());
    assert_eq!(more, statements);
}
