//! Backup policies, restore tests, RPO states and GB-month metering through GraphQL.
use integration_tests::*;
use serde_json::{json, Value};

const CREATE: &str = "mutation($t: UUID!, $i: BackupPolicyInput!) { createBackupPolicy(tenantId: $t, input: $i) { id version tags passwordRef retention { keepDaily keepMonthly } } }";

fn policy_input(name: &str) -> Value {
    json!({"name": name, "kind": "share", "target": "\\\\nas-mairie\\partage", "host": "nas-mairie",
        "tags": ["partage", "nightly"], "intervalHours": 24, "keepDaily": 14, "keepMonthly": 6,
        "rpoHours": 48, "repository": "sftp:backup@nas-dsi:/restic/compiegne", "passwordRef": "Compiegne_NAS"})
}

fn field(resp: &Value) -> Option<&str> {
    resp["errors"][0]["extensions"]["field"].as_str()
}

#[tokio::test]
async fn backups_policies_are_validated_versioned_and_audited() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            CREATE,
            json!({"t": fx.tenant_a1, "i": policy_input("Partage mairie")}),
        )
        .await;
    let p = data(&r)["createBackupPolicy"].clone();
    assert_eq!(p["tags"], json!(["nightly", "partage"]));
    assert_eq!(p["passwordRef"], json!("compiegne-nas"));
    assert_eq!(p["retention"], json!({"keepDaily": 14, "keepMonthly": 6}));
    let id = p["id"].as_str().expect("id").to_owned();
    let policies_before = app.count("backup_policy").await;
    let audit_before = app.count("audit_log").await;

    // Bad input: each names its field, and nothing is written.
    for (change, expected) in [
        (json!({"kind": "poste"}), "kind"),
        (json!({"rpoHours": 12}), "rpoHours"),
        (json!({"intervalHours": 0}), "intervalHours"),
        (
            json!({"repository": "rest:https://admin:motdepasse@backup.agglo.fr/"}),
            "repository",
        ),
        (json!({"passwordRef": "mot de passe"}), "passwordRef"),
        (json!({"tags": ["a b"]}), "tags"),
        (json!({"keepDaily": 0, "keepMonthly": 0}), "keepDaily"),
    ] {
        let mut input = policy_input("Autre");
        for (k, v) in change.as_object().expect("object") {
            input[k] = v.clone();
        }
        let r = app
            .gql(
                &fx.org_admin_a,
                CREATE,
                json!({"t": fx.tenant_a1, "i": input}),
            )
            .await;
        assert_eq!(error_code(&r).as_deref(), Some("BAD_USER_INPUT"), "{r}");
        assert_eq!(field(&r), Some(expected), "{r}");
    }
    // The same name twice in one commune.
    let r = app
        .gql(
            &fx.org_admin_a,
            CREATE,
            json!({"t": fx.tenant_a1, "i": policy_input("Partage mairie")}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    // A commune administrator reads the service but does not define it.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            CREATE,
            json!({"t": fx.tenant_a1, "i": policy_input("Mien")}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    assert_eq!(app.count("backup_policy").await, policies_before);
    assert_eq!(app.count("audit_log").await, audit_before);

    // Update with the version read; a stale version is a conflict.
    let update = "mutation($id: UUID!, $v: Int!, $i: BackupPolicyInput!, $a: Boolean!) { updateBackupPolicy(id: $id, version: $v, input: $i, active: $a) { version rpoHours active } }";
    let mut changed = policy_input("Partage mairie");
    changed["rpoHours"] = json!(72);
    let r = app
        .gql(
            &fx.org_admin_a,
            update,
            json!({"id": id, "v": 1, "i": changed, "a": false}),
        )
        .await;
    assert_eq!(
        data(&r)["updateBackupPolicy"],
        json!({"version": 2, "rpoHours": 72, "active": false})
    );
    let r = app
        .gql(
            &fx.org_admin_a,
            update,
            json!({"id": id, "v": 1, "i": changed, "a": true}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("CONFLICT"), "{r}");
    // Inactive policies are listed only on request.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ a: backupPolicies { id } b: backupPolicies(includeInactive: true) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&r)["a"], json!([]));
    assert_eq!(data(&r)["b"], json!([{"id": id}]));
    // Both changes are in the tenant's audit trail, before and after.
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($t: UUID!) { auditLog(tenantId: $t) { items { operation before after }} }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    let ops: Vec<&str> = data(&r)["auditLog"]["items"]
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|e| e["operation"].as_str())
        .filter(|o| o.starts_with("backup."))
        .collect();
    assert!(
        ops.contains(&"backup.policy.create") && ops.contains(&"backup.policy.update"),
        "{r}"
    );
}

#[tokio::test]
async fn backups_restore_tests_rpo_states_and_metering() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let a1 = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a1, "srv-mairie")
        .await;

    // A restore test by the commune: a failed one needs notes; none in the future.
    let record =
        "mutation($i: RestoreTestInput!) { recordRestoreTest(input: $i) { id result recordedBy } }";
    let test = |at: chrono::DateTime<chrono::Utc>, result: &str, notes: &str| {
        json!({"i": {"policyId": a1.policy, "performedAt": at, "performedBy": "Mme Durand (DGS)",
            "restored": "Base de l'état civil vers le serveur de secours", "durationSeconds": 5400,
            "result": result, "notes": notes}})
    };
    let now = chrono::Utc::now();
    let r = app
        .gql(&fx.commune_admin_a1, record, test(now, "failed", ""))
        .await;
    assert_eq!(field(&r), Some("notes"), "{r}");
    let r = app
        .gql(
            &fx.commune_admin_a1,
            record,
            test(now + chrono::Duration::days(1), "success", ""),
        )
        .await;
    assert_eq!(field(&r), Some("performedAt"), "{r}");
    let r = app
        .gql(
            &fx.commune_admin_a1,
            record,
            test(now, "partial", "Deux fichiers corrompus dans l'archive"),
        )
        .await;
    assert_eq!(data(&r)["recordRestoreTest"]["result"], json!("partial"));
    // An editor reads, does not record; an auditor neither.
    let r = app
        .gql(&fx.editor_a2, record, test(now, "success", ""))
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");

    // The state follows the reports: ok now (backup_objects reported a success just now) ...
    let status = |caller: Caller| {
        let app = &app;
        async move {
            let r = app
                .gql(&caller, "{ backupPolicyStatuses { state overdue missedJobs failedJobs restoreTestDue lastRestoreTestResult policy { name } } backupTenantStates { tenantId state policies } }", json!({}))
                .await;
            data(&r).clone()
        }
    };
    let d = status(fx.org_admin_a.clone()).await;
    let s = &d["backupPolicyStatuses"][0];
    assert_eq!(s["state"], json!("ok"), "{d}");
    // The success 2 days ago (backup_objects) counts; the partial one today does not lower it.
    assert_eq!(s["restoreTestDue"], json!(false), "{d}");
    assert_eq!(s["lastRestoreTestResult"], json!("partial"));
    let states: Vec<(String, String)> = d["backupTenantStates"]
        .as_array()
        .expect("states")
        .iter()
        .map(|t| {
            (
                t["tenantId"].as_str().unwrap_or_default().to_owned(),
                t["state"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        states.contains(&(fx.tenant_a1.to_string(), "ok".into())),
        "{d}"
    );
    assert!(
        states.contains(&(fx.tenant_a2.to_string(), "never".into())),
        "{d}"
    );

    // ... failing after a failed run ...
    let post = |body: Value| {
        let a1 = a1.clone();
        let app = &app;
        async move {
            app.post_backup(&Delivery {
                token_id: &a1.token_id,
                signing_key: &a1.signing_key,
                body: body.to_string().into_bytes(),
                timestamp: chrono::Utc::now().timestamp(),
            })
            .await
        }
    };
    let (st, a) = post(
        json!({"id": "fail-1", "policy": "Serveur mairie", "status": "failed",
        "finished_at": now, "message": "disque plein"}),
    )
    .await;
    assert_eq!(st, 202, "{a}");
    let d = status(fx.commune_admin_a1.clone()).await;
    assert_eq!(
        d["backupPolicyStatuses"][0]["state"],
        json!("failing"),
        "{d}"
    );
    assert_eq!(d["backupPolicyStatuses"][0]["failedJobs"], json!(1));
    assert_eq!(d["backupTenantStates"][0]["state"], json!("failing"), "{d}");

    // ... and late on another policy whose last good run is older than its 36 h RPO.
    let r = app
        .gql(
            &fx.org_admin_a,
            &format!("mutation($t: UUID!, $name: String!, $host: String!, $repo: String!) {{ createBackupPolicy(tenantId: $t, input: {BACKUP_POLICY_INPUT}) {{ id }} }}"),
            json!({"t": fx.tenant_a2, "name": "Serveur Margny", "host": "srv-margny", "repo": "/srv/restic/margny"}),
        )
        .await;
    data(&r);
    let r = app
        .gql(&fx.org_admin_a, "mutation($t: UUID!) { createBackupIngestToken(tenantId: $t, name: \"NAS\") { tokenId signingKey endpoint } }", json!({"t": fx.tenant_a2}))
        .await;
    let k = data(&r)["createBackupIngestToken"].clone();
    assert!(k["endpoint"]
        .as_str()
        .is_some_and(|e| e.ends_with("/webhooks/backups")));
    let three_days = now - chrono::Duration::days(3);
    let (st, a) = app
        .post_backup(&Delivery {
            token_id: k["tokenId"].as_str().expect("token"),
            signing_key: k["signingKey"].as_str().expect("key"),
            body: json!({"id": "old-1", "policy": "Serveur Margny", "status": "success", "finished_at": three_days}).to_string().into_bytes(),
            timestamp: now.timestamp(),
        })
        .await;
    assert_eq!(st, 202, "{a}");
    let r = app
        .gql(&fx.org_admin_a, "query($t: [UUID!]) { backupPolicyStatuses(tenantIds: $t) { state overdue missedJobs restoreTestDue } backupTenantStates(tenantIds: $t) { state } }", json!({"t": [fx.tenant_a2]}))
        .await;
    let d = data(&r);
    // Daily schedule, last run 72 h ago: the runs of 48 h and 24 h ago were missed.
    assert_eq!(
        d["backupPolicyStatuses"][0],
        json!({"state": "late", "overdue": true, "missedJobs": 2, "restoreTestDue": true}),
        "{d}"
    );
    assert_eq!(d["backupTenantStates"], json!([{"state": "late"}]));

    // Metering: 10 GB from before October, 20 GB from 16 October (Paris), for October 2026.
    use chrono::TimeZone;
    let paris = |d: u32, m: u32| {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(2026, m, d, 0, 0, 0)
            .single()
            .expect("date")
            .with_timezone(&chrono::Utc)
    };
    for (id, at, bytes) in [
        ("m-1", paris(20, 9), 10_000_000_000_i64),
        ("m-2", paris(16, 10), 20_000_000_000_i64),
    ] {
        let (st, a) = post(
            json!({"id": id, "policy": "Serveur mairie", "status": "success",
            "finished_at": at, "stored_bytes": bytes}),
        )
        .await;
        assert_eq!(st, 202, "{a}");
    }
    let r = app
        .gql(&fx.commune_admin_a1, "{ backupStorageUsage(period: \"2026-10\") { tenantId milliGbMonths averageBytes currentBytes complete } }", json!({}))
        .await;
    let u = data(&r)["backupStorageUsage"][0].clone();
    // October 2026 has 31 days and one more hour (summer time ends on the 25th).
    let total = (paris(1, 11) - paris(1, 10)).num_seconds();
    assert_eq!(total, 31 * 86_400 + 3600);
    let first = (paris(16, 10) - paris(1, 10)).num_seconds() as i128;
    let bs = 10_000_000_000_i128 * first + 20_000_000_000_i128 * (total as i128 - first);
    let expected =
        (bs * 1000 * 2 + 1_000_000_000 * total as i128) / (2 * 1_000_000_000 * total as i128);
    assert_eq!(u["tenantId"], json!(fx.tenant_a1));
    assert_eq!(u["milliGbMonths"], json!(expected as i64), "{u}");
    assert_eq!(u["averageBytes"], json!((bs / total as i128) as i64));
    assert_eq!(u["complete"], json!(true));
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ backupStorageUsage(period: \"2026-13\") { tenantId } }",
            json!({}),
        )
        .await;
    assert_eq!(field(&r), Some("period"), "{r}");
}

#[tokio::test]
async fn backups_demo_has_each_state_to_show() {
    let app = spawn_app().await;
    assert!(tenants::demo::seed(&app.db).await.expect("seed"));
    assert!(!tenants::demo::seed(&app.db).await.expect("reseed"));
    let read = tenants::tenancy::Principal::operator()
        .scope(tenants::tenancy::Permission::ReadBackups)
        .expect("operator");
    let (states, statuses) =
        tenants::backups::compliance::overview(&app.db, &read, None, chrono::Utc::now(), 30)
            .await
            .expect("overview");
    let mut shown: Vec<&str> = states
        .iter()
        .filter(|s| s.policies > 0)
        .map(|s| s.state.as_str())
        .collect();
    shown.sort();
    assert_eq!(shown, ["failing", "late", "ok"]);
    let by_name = |n: &str| {
        statuses
            .iter()
            .find(|s| s.policy.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let server = by_name("Serveur de la mairie");
    assert_eq!(
        (
            server.missed_jobs,
            server.failed_jobs,
            server.restore_test_due
        ),
        (0, 0, false)
    );
    let share = by_name("Partage des services");
    assert_eq!(
        (share.missed_jobs, share.failed_jobs, share.restore_test_due),
        (4, 2, true)
    );
}
