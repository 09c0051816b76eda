//! Layer 2: PostgreSQL row-level security under the typed scope.
use integration_tests::*;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};

fn pg(sql: impl Into<String>) -> Statement {
    Statement::from_string(DatabaseBackend::Postgres, sql.into())
}

async fn count(c: &impl ConnectionTrait, table: &str) -> i64 {
    c.query_one(pg(format!("SELECT count(*) AS n FROM {table}")))
        .await
        .expect("count")
        .expect("row")
        .try_get("", "n")
        .expect("n")
}

#[tokio::test]
async fn the_app_role_with_no_scope_sees_zero_rows_in_every_tenant_table() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    // Some rows in every table first.
    let far = chrono::Utc::now() + chrono::Duration::days(3);
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!, $t: [UUID!]!, $e: DateTime!) {
               createApiToken(input: {organisationId: $o, name: \"s\", role: \"org_admin\", expiresAt: $e}) { secret }
               grantAuditor(input: {email: \"a@b.fr\", organisationId: $o, tenantIds: $t, expiresAt: $e, reason: \"r\"}) { id } }",
            serde_json::json!({"o": fx.org_a, "t": [fx.tenant_a1], "e": far}),
        )
        .await;
    data(&r);
    // And in every GDPR table.
    let g = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let input = ACTIVITY_INPUT.replace(
        "department:",
        &format!("processorIds: [\"{}\"], department:", g.processor),
    );
    let r = app
        .gql(
            &fx.org_admin_a,
            &format!("mutation($id: UUID!, $t: UUID!) {{ updateActivity(id: $id, version: 1, input: {input}) {{ id }}
               recordDpia(activityId: $id, status: \"planned\") {{ id }}
               setPublicRegister(tenantId: $t, published: true, fields: [\"purposes\"]) {{ published }} }}"),
            serde_json::json!({"id": g.activity, "t": fx.tenant_a1}),
        )
        .await;
    data(&r);
    // And in every procurement table (a joint procurement with shares, an amendment).
    let p = app
        .procurement_objects(&fx.org_admin_a, fx.tenant_a1, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    // And a contract divided into lots.
    app.lotted_contract(&fx.org_admin_a, fx.tenant_a1, "2025-NET-01", &p.supplier)
        .await;
    // And an act of subcontracting.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($c: UUID!, $d: Date!) { addSubcontractingAct(contractId: $c, input: {subcontractorIdentifier: \"44306184100047\", amountCents: 100000, notifiedOn: $d, durationMonths: 6, priceVariation: \"Ferme\"}) { id } }",
            serde_json::json!({"c": p.contract, "d": chrono::Utc::now().date_naive()}),
        )
        .await;
    data(&r);
    // And in every backup table (a webhook report carries a storage sample; a refused one is
    // logged too).
    let bk = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a1, "srv-mairie")
        .await;
    assert!(!bk.job.is_empty());
    // And in every cost table.
    // (and, billed through localstripe, in every billing table and the job queue).
    let (co, _) = app
        .billing_objects(&fx.org_admin_a, fx.org_a, &[fx.tenant_a1, fx.tenant_a2])
        .await;
    assert_eq!(co.lines.len(), 2);
    // And a maturity questionnaire with an assessment.
    app.maturity_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    // And a GDPR actor, and a person's column choice (issue 19).
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "mutation($t: UUID!) { createGdprActor(tenantId: $t, input: {role: \"referent\", fullName: \"Claire Dupont\"}) { id } }",
            serde_json::json!({"t": fx.tenant_a1}),
        )
        .await;
    data(&r);
    app.admin_exec(
        "INSERT INTO user_list_preference (user_id, list_key, columns, updated_at) \
         SELECT id, 'activities', '[\"name\"]', now() FROM app_user LIMIT 1",
    )
    .await;
    // And a DPIA with a risk, a measure and a model; an evidence document linked to an
    // activity; a library resource opened by a commune; a reversibility export, made by the
    // worker below (issues 19 and 21).
    let g = app
        .gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    crate::isolation_matrix::dpia_objects(&app, &fx.org_admin_a, fx.org_a, &g.activity).await;
    let doc =
        crate::gdpr_documents::upload_pdf(&app, &fx.org_admin_a, fx.tenant_a1, "Preuve").await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($d: UUID!, $a: UUID!) { linkDocument(documentId: $d, targetKind: \"activity\", targetId: $a) { id } }",
            serde_json::json!({"d": doc, "a": g.activity}),
        )
        .await;
    data(&r);
    let (status, published) = crate::gdpr_documents::publish_resource(
        &app,
        &fx.org_admin_a,
        fx.org_a,
        "Guide",
        Some(("guide.pdf", &crate::gdpr_documents::pdf("guide"))),
        None,
    )
    .await;
    assert_eq!(status, 201, "{published}");
    let version = published["version"]["id"]
        .as_str()
        .expect("version")
        .to_owned();
    let (status, _) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            &format!("/library/versions/{version}/file"),
            &format!("tenant={}", fx.tenant_a1),
        )
        .await;
    assert_eq!(status, 200);
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!) { requestReversibilityExport(organisationId: $o) { id } }",
            serde_json::json!({"o": fx.org_a}),
        )
        .await;
    data(&r);
    // And a yearly bilan run with one commune's bilan.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($o: UUID!, $y: Int!) { requestGdprBilans(organisationId: $o, year: $y) { id } }",
            serde_json::json!({"o": fx.org_a, "y": chrono::Datelike::year(&tenants::calendar::paris_today())}),
        )
        .await;
    let run: uuid::Uuid = data(&r)["requestGdprBilans"]["id"]
        .as_str()
        .expect("run")
        .parse()
        .expect("uuid");
    tenants::gdpr::bilan::generate(&app.db, fx.org_a, run, fx.tenant_a1)
        .await
        .expect("bilan");
    // And a consolidated report.
    tenants::reporting::snapshot::refresh(
        &app.db,
        fx.org_a,
        tenants::calendar::current_period(chrono::Utc::now()),
        chrono::Utc::now(),
    )
    .await
    .expect("report");
    // And alerts, delivered: an overdue request, emailed to A1's administrator.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!, $d: Date!) { createRightsRequest(input: {tenantId: $t, kind: \"access\", receivedOn: $d, requester: \"X\"}) { id } }",
            serde_json::json!({"t": fx.tenant_a1, "d": chrono::Utc::now().date_naive() - chrono::Duration::days(45)}),
        )
        .await;
    data(&r);
    assert!(
        tenants::alerts::scan::run(&app.db, chrono::Utc::now())
            .await
            .expect("scan")
            > 0
    );
    // And a commune's open-data publication (issue 21).
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!) { setOpenDataPublication(tenantId: $t, dataset: \"decp\", published: true) { published } }",
            serde_json::json!({"t": fx.tenant_a1}),
        )
        .await;
    data(&r);
    // The worker reads the uploaded files for the reversibility archive.
    let settings = worker::JobSettings {
        storage: Some(tenants::storage::Storage::open(&app.config.storage).expect("store")),
        ..job_settings("rls")
    };
    worker::run_jobs(&app.db, &settings).await.expect("jobs");
    let unscoped = tenants::db::connect(&app.testdb.app_url, 1)
        .await
        .expect("app role");
    for table in migrations::RLS_TABLES.iter().copied() {
        assert!(app.count(table).await > 0, "{table} has rows for the owner");
        assert_eq!(
            count(&unscoped, table).await,
            0,
            "{table} visible with no scope"
        );
        // Inside a transaction with empty settings too.
        let txn = unscoped.begin().await.expect("txn");
        txn.execute(pg("SELECT set_config('app.tenant_ids', '', true)"))
            .await
            .expect("set");
        assert_eq!(
            count(&txn, table).await,
            0,
            "{table} visible with an empty scope"
        );
        txn.rollback().await.expect("rollback");
    }
}

#[tokio::test]
async fn every_table_with_an_organisation_has_forced_rls_and_a_policy() {
    let app = spawn_app().await;
    let rows = app
        .admin
        .query_all(pg(
            "SELECT c.relname::text AS t, c.relrowsecurity AS on, c.relforcerowsecurity AS forced, \
                    (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND EXISTS ( \
               SELECT 1 FROM information_schema.columns col WHERE col.table_schema = 'public' \
               AND col.table_name = c.relname AND col.column_name IN ('organisation_id', 'tenant_id'))",
        ))
        .await
        .expect("catalog");
    let listed = migrations::RLS_TABLES;
    assert!(rows.len() >= 5, "catalog query found too few tables");
    for r in rows {
        let t: String = r.try_get("", "t").expect("t");
        let on: bool = r.try_get("", "on").expect("on");
        let forced: bool = r.try_get("", "forced").expect("forced");
        let policies: i64 = r.try_get("", "policies").expect("policies");
        assert!(
            on && forced && policies > 0,
            "{t}: rls={on} forced={forced} policies={policies}"
        );
        assert!(
            listed.contains(&t.as_str()),
            "{t} is not in migrations::RLS_TABLES"
        );
    }
    // And the other way: every listed table exists with RLS forced (a table owned by a person,
    // without organisation_id, is read from the catalog by name).
    for t in listed {
        let row = app
            .admin
            .query_one(pg(format!(
                "SELECT c.relforcerowsecurity AS forced FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = '{t}'"
            )))
            .await
            .expect("catalog");
        let forced = row.is_some_and(|r| r.try_get::<bool>("", "forced").expect("forced"));
        assert!(
            forced,
            "{t} is listed in migrations::RLS_TABLES but has no forced RLS"
        );
    }
    // The application role owns nothing and cannot bypass RLS.
    let role = app
        .admin
        .query_one(pg(format!(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = '{}'",
            migrations::APP_ROLE
        )))
        .await
        .expect("role")
        .expect("exists");
    assert!(!role.try_get::<bool>("", "rolsuper").expect("col"));
    assert!(!role.try_get::<bool>("", "rolbypassrls").expect("col"));
}

#[tokio::test]
async fn a_scoped_transaction_reads_and_writes_only_its_tenants() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let txn = app.db.begin().await.expect("txn");
    txn.execute(pg(format!(
        "SELECT set_config('app.tenant_ids', '{{{}}}', true)",
        fx.tenant_a1
    )))
    .await
    .expect("scope");
    let ids: Vec<String> = txn
        .query_all(pg("SELECT id::text AS id FROM tenant"))
        .await
        .expect("select")
        .into_iter()
        .map(|r| r.try_get("", "id").expect("id"))
        .collect();
    assert_eq!(ids, vec![fx.tenant_a1.to_string()]);
    // Writing a row for another tenant violates the policy.
    let err = txn
        .execute(pg(format!(
            "UPDATE tenant SET name = 'pirate' WHERE id = '{}'",
            fx.tenant_b1
        )))
        .await
        .expect("update runs");
    assert_eq!(err.rows_affected(), 0, "foreign row updated");
    let insert = txn
        .execute(pg(format!(
            "INSERT INTO audit_log (id, organisation_id, tenant_id, seq, at, principal, operation, prev_hash, hash) \
             VALUES (gen_random_uuid(), '{}', '{}', 99, now(), 'x', 'x', '', '')",
            fx.org_b, fx.tenant_b1
        )))
        .await;
    let msg = insert.expect_err("insert for a foreign tenant").to_string();
    assert!(msg.contains("row-level security"), "{msg}");
    txn.rollback().await.expect("rollback");
}

#[tokio::test]
async fn the_server_refuses_a_role_that_bypasses_rls() {
    let testdb = fresh_db().await;
    let mut config = test_config(&testdb, "127.0.0.1:0", false);
    config.database_url = testdb.admin_url.clone();
    let err = match api::server::connect(&config).await {
        Ok(_) => panic!("connected as a superuser"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("DATABASE_URL") && err.contains("bypasses row-level security"),
        "{err}"
    );
}
