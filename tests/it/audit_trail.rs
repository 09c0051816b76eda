//! The hash-chained audit trail detects edited and removed records.
use integration_tests::*;
use sea_orm::ConnectionTrait;
use serde_json::json;
use tenants::tenancy::{can, Principal};

async fn verify(app: &TestApp) -> Vec<String> {
    let op = Principal::operator();
    let scope = op.can::<can::ReadAudit>().expect("operator");
    let report = tenants::audit::verify(&app.db, &scope)
        .await
        .expect("verify runs");
    assert!(report.records > 0, "nothing was checked");
    report
        .problems
        .into_iter()
        .map(|p| format!("{}#{}: {}", p.tenant_id, p.seq, p.problem))
        .collect()
}

#[tokio::test]
async fn edits_and_deletions_break_the_chain_and_are_reported() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    for i in 0..3 {
        data(&app
            .gql(
                &fx.commune_admin_a1,
                "mutation($o: UUID!, $t: UUID!, $m: String!) { inviteUser(input: {email: $m, role: \"commune_editor\", organisationId: $o, tenantId: $t}) { id } }",
                json!({"o": fx.org_a, "t": fx.tenant_a1, "m": format!("agent{i}@mairie-compiegne.fr")}),
            )
            .await);
    }
    assert_eq!(
        verify(&app).await,
        Vec::<String>::new(),
        "fresh chain must verify"
    );
    let chain = format!("audit_log WHERE tenant_id = '{}'", fx.tenant_a1);
    let n = app.count(&chain).await;
    assert!(n >= 4, "invites are audited ({n})");

    // 1. Someone edits an old record.
    app.admin
        .execute_unprepared(&format!(
            "UPDATE audit_log SET after = '{{\"email\": \"personne@x.fr\"}}' WHERE tenant_id = '{}' AND seq = 2",
            fx.tenant_a1
        ))
        .await
        .expect("tamper");
    let problems = verify(&app).await;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("#2: content does not match")),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 1, "{problems:?}");

    // 2. Someone deletes the newest record (of another tenant, to keep the cases apart).
    let b = second_chain(&app, &fx).await;
    app.admin
        .execute_unprepared(&format!(
            "DELETE FROM audit_log WHERE tenant_id = '{b}' AND seq = (SELECT max(seq) FROM audit_log WHERE tenant_id = '{b}')"
        ))
        .await
        .expect("delete");
    let problems = verify(&app).await;
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&b.to_string()) && p.contains("records removed")),
        "{problems:?}"
    );

    // 3. Someone deletes a record in the middle.
    app.admin
        .execute_unprepared(&format!(
            "DELETE FROM audit_log WHERE tenant_id = '{}' AND seq = 3",
            fx.tenant_a1
        ))
        .await
        .expect("delete");
    let problems = verify(&app).await;
    assert!(
        problems.iter().any(|p| p.contains("record 3 is missing")),
        "{problems:?}"
    );
}

/// Two audited actions on Margny's chain; returns its tenant id.
async fn second_chain(app: &TestApp, fx: &Fixture) -> uuid::Uuid {
    {
        for m in ["un@margny.fr", "deux@margny.fr"] {
            data(&app
                .gql(
                    &fx.org_admin_a,
                    "mutation($o: UUID!, $t: UUID!, $m: String!) { inviteUser(input: {email: $m, role: \"commune_editor\", organisationId: $o, tenantId: $t}) { id } }",
                    json!({"o": fx.org_a, "t": fx.tenant_a2, "m": m}),
                )
                .await);
        }
        fx.tenant_a2
    }
}

#[tokio::test]
async fn concurrent_writers_extend_one_unbroken_chain() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let mut handles = vec![];
    for i in 0..8 {
        let (url, caller, org, t) = (
            app.url.clone(),
            fx.org_admin_a.clone(),
            fx.org_a,
            fx.tenant_a1,
        );
        handles.push(tokio::spawn(async move {
            let Caller::Session { secret, csrf, .. } = caller else { unreachable!() };
            reqwest::Client::new()
                .post(format!("{url}/graphql"))
                .header("cookie", format!("mutualis_session={secret}"))
                .header("x-csrf-token", csrf)
                .json(&json!({"query": "mutation($o: UUID!, $t: UUID!, $m: String!) { inviteUser(input: {email: $m, role: \"commune_editor\", organisationId: $o, tenantId: $t}) { id } }",
                               "variables": {"o": org, "t": t, "m": format!("parallele{i}@x.fr")}}))
                .send()
                .await
                .expect("send")
                .json::<serde_json::Value>()
                .await
                .expect("json")
        }));
    }
    for h in handles {
        data(&h.await.expect("task"));
    }
    assert_eq!(verify(&app).await, Vec::<String>::new());
    let seqs = app
        .count(&format!(
            "(SELECT DISTINCT seq FROM audit_log WHERE tenant_id = '{}') s",
            fx.tenant_a1
        ))
        .await;
    let rows = app
        .count(&format!("audit_log WHERE tenant_id = '{}'", fx.tenant_a1))
        .await;
    assert_eq!(seqs, rows, "two records share a sequence number");
}
