//! The backup report webhook: a signed report is recorded once; every kind of bad call gets a
//! clear 4xx, is logged for the tenant when the token is known, and writes nothing else.
use integration_tests::*;
use serde_json::{json, Value};

fn report(id: &str, policy: &str) -> Value {
    json!({
        "id": id, "policy": policy, "status": "success",
        "started_at": chrono::Utc::now() - chrono::Duration::minutes(7),
        "finished_at": chrono::Utc::now(),
        "duration_seconds": 412.5, "bytes_processed": 52_000_000, "bytes_added": 1_200_000,
        "files": 10432, "stored_bytes": 7_000_000_000_i64, "snapshot_id": "9f3c2a1b",
        "message": "Sauvegarde nocturne terminée"
    })
}

#[tokio::test]
async fn backup_webhook_records_signed_reports_and_refuses_every_bad_call() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let a1 = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a1, "srv-mairie")
        .await;
    let a2 = app
        .backup_objects(&fx.org_admin_a, fx.tenant_a2, "srv-margny")
        .await;
    let now = chrono::Utc::now().timestamp();
    let signed = |body: &Value, ts: i64| Delivery {
        token_id: &a1.token_id,
        signing_key: &a1.signing_key,
        body: body.to_string().into_bytes(),
        timestamp: ts,
    };

    // Accepted: 202 with the job id; the job carries every figure of the report.
    let good = report("nightly-2026-11-24", "Serveur mairie");
    let (status, answer) = app.post_backup(&signed(&good, now)).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["policyId"], json!(a1.policy));
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "query($p: UUID!) { backupJobs(policyId: $p) { items { id source externalId status durationMs bytesProcessed bytesAdded files snapshotId message }} }",
            json!({"p": a1.policy}),
        )
        .await;
    let jobs = data(&r)["backupJobs"]["items"]
        .as_array()
        .expect("jobs")
        .clone();
    assert_eq!(jobs.len(), 2, "{r}");
    let job = jobs
        .iter()
        .find(|j| j["externalId"] == json!("nightly-2026-11-24"))
        .expect("the report's job");
    assert_eq!(job["id"], answer["jobId"]);
    assert_eq!(job["source"], json!("webhook"));
    assert_eq!(job["durationMs"], json!(412_500));
    assert_eq!(job["bytesProcessed"], json!(52_000_000));
    assert_eq!(job["files"], json!(10432));
    assert_eq!(job["snapshotId"], json!("9f3c2a1b"));

    let counts = || async {
        (
            app.count("backup_job").await,
            app.count("backup_storage_sample").await,
        )
    };
    let before = counts().await;

    // Every refusal: (what is sent, status, code).
    let wrong_key = Delivery {
        signing_key: &a2.signing_key,
        ..signed(&report("r-sig", "Serveur mairie"), now)
    };
    let (s, a) = app.post_backup(&wrong_key).await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (401, &json!("bad_signature")),
        "{a}"
    );

    // A body changed after signing.
    let sig = tenants::backups::ingest::sign(&a1.signing_key, now, b"{}");
    let (s, a) = app
        .post_backup_raw(
            &[
                ("x-mutualis-token", a1.token_id.clone()),
                ("x-mutualis-timestamp", now.to_string()),
                ("x-mutualis-signature", sig),
            ],
            report("r-tampered", "Serveur mairie")
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (401, &json!("bad_signature")),
        "{a}"
    );

    for ts in [now - 600, now + 600] {
        let (s, a) = app
            .post_backup(&signed(&report("r-stale", "Serveur mairie"), ts))
            .await;
        assert_eq!(
            (s, &a["error"]["code"]),
            (400, &json!("stale_timestamp")),
            "{a}"
        );
    }

    // The same report again, freshly signed: a replay.
    let (s, a) = app.post_backup(&signed(&good, now + 1)).await;
    assert_eq!((s, &a["error"]["code"]), (409, &json!("replay")), "{a}");

    let (s, a) = app
        .post_backup(&signed(&report("r-pol", "Serveur inconnu"), now))
        .await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (422, &json!("unknown_policy")),
        "{a}"
    );
    assert!(a["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("Serveur inconnu")));

    // Another commune's policy, named by its id, with this commune's token.
    let (s, a) = app
        .post_backup(&signed(&report("r-cross", &a2.policy), now))
        .await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (422, &json!("unknown_policy")),
        "{a}"
    );

    let malformed = Delivery {
        body: b"{\"id\": \"r-json\", \"policy\": ".to_vec(),
        ..signed(&json!({}), now)
    };
    let (s, a) = app.post_backup(&malformed).await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (400, &json!("malformed_json")),
        "{a}"
    );

    let mut negative = report("r-neg", "Serveur mairie");
    negative["bytes_added"] = json!(-5);
    let (s, a) = app.post_backup(&signed(&negative, now)).await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (422, &json!("invalid_report")),
        "{a}"
    );
    assert!(a["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("bytes_added")));

    let mut future = report("r-future", "Serveur mairie");
    future["finished_at"] = json!(chrono::Utc::now() + chrono::Duration::hours(2));
    let (s, a) = app.post_backup(&signed(&future, now)).await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (422, &json!("invalid_report")),
        "{a}"
    );

    let (s, a) = app
        .post_backup_raw(
            &[
                ("x-mutualis-token", a1.token_id.clone()),
                ("x-mutualis-timestamp", now.to_string()),
            ],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (400, &json!("missing_header")),
        "{a}"
    );

    // Not logged for a tenant: nobody is known.
    let unknown = Delivery {
        token_id: "ing_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ..signed(&report("r-unknown", "Serveur mairie"), now)
    };
    let (s, a) = app.post_backup(&unknown).await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (401, &json!("unknown_token")),
        "{a}"
    );
    let (s, a) = app.post_backup_raw(&[], b"{}".to_vec()).await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (401, &json!("missing_token")),
        "{a}"
    );

    // Larger than 64 KiB: refused before it is read.
    let mut big = report("r-big", "Serveur mairie");
    big["message"] = json!("x".repeat(70 * 1024));
    let (s, _) = app.post_backup(&signed(&big, now)).await;
    assert_eq!(s, 413);

    // Nothing was written by any refusal.
    assert_eq!(counts().await, before, "a refused report wrote something");

    // A revoked token is refused.
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($id: UUID!) { revokeBackupIngestToken(id: $id) { revokedAt } }",
            json!({"id": a1.token}),
        )
        .await;
    assert!(data(&r)["revokeBackupIngestToken"]["revokedAt"].is_string());
    let (s, a) = app
        .post_backup(&signed(&report("r-revoked", "Serveur mairie"), now))
        .await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (401, &json!("revoked_token")),
        "{a}"
    );
    assert_eq!(counts().await, before);

    // The refusals are in the commune's log, with their reasons; A2's log has none of them.
    let r = app
        .gql(
            &fx.commune_admin_a1,
            "{ backupIngestEvents(rejectedOnly: true, first: 100) { items { reason reportId tenantId }} }",
            json!({}),
        )
        .await;
    let events = data(&r)["backupIngestEvents"]["items"]
        .as_array()
        .expect("events")
        .clone();
    let mut reasons: Vec<String> = events
        .iter()
        .map(|e| e["reason"].as_str().unwrap_or_default().to_owned())
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "bad_signature",
            "bad_signature",
            "invalid_report",
            "invalid_report",
            "malformed_json",
            "missing_header",
            "replay",
            "revoked_token",
            "stale_timestamp",
            "stale_timestamp",
            "unknown_policy",
            "unknown_policy",
        ],
        "{r}"
    );
    assert!(events.iter().all(|e| e["tenantId"] == json!(fx.tenant_a1)));
    let r = app
        .gql(
            &fx.org_admin_a,
            "query($t: [UUID!]) { backupIngestEvents(tenantIds: $t, rejectedOnly: true) { items { id }} }",
            json!({"t": [fx.tenant_a2]}),
        )
        .await;
    assert_eq!(data(&r)["backupIngestEvents"]["items"], json!([]));
}

#[tokio::test]
async fn backup_webhook_accepts_restics_own_summary() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let b = app
        .backup_objects(&fx.org_admin_b, fx.tenant_b1, "srv-dunkerque")
        .await;
    // What `restic backup --json | tail -1` prints, passed on as it is.
    let summary: Value = serde_json::from_str(
        r#"{"message_type":"summary","files_new":2,"files_changed":0,"files_unmodified":0,"dirs_new":1,"dirs_changed":0,"dirs_unmodified":0,"data_blobs":2,"tree_blobs":1,"data_added":201063,"total_files_processed":2,"total_bytes_processed":200006,"total_duration":0.21,"snapshot_id":"cc1ae786"}"#,
    )
    .expect("summary");
    let body = json!({"id": "restic-cc1ae786", "policy": b.policy, "status": "success",
        "finished_at": chrono::Utc::now(), "restic_summary": summary});
    let (s, a) = app
        .post_backup(&Delivery {
            token_id: &b.token_id,
            signing_key: &b.signing_key,
            body: body.to_string().into_bytes(),
            timestamp: chrono::Utc::now().timestamp(),
        })
        .await;
    assert_eq!(s, 202, "{a}");
    let r = app
        .gql(
            &fx.org_admin_b,
            "query($p: UUID!) { backupJobs(policyId: $p) { items { externalId durationMs bytesAdded bytesProcessed files snapshotId }} }",
            json!({"p": b.policy}),
        )
        .await;
    let jobs = data(&r)["backupJobs"]["items"]
        .as_array()
        .expect("jobs")
        .clone();
    let j = jobs
        .iter()
        .find(|j| j["externalId"] == json!("restic-cc1ae786"))
        .expect("job");
    assert_eq!(
        (
            &j["durationMs"],
            &j["bytesAdded"],
            &j["bytesProcessed"],
            &j["files"],
            &j["snapshotId"]
        ),
        (
            &json!(210),
            &json!(201063),
            &json!(200006),
            &json!(2),
            &json!("cc1ae786")
        )
    );
}

#[tokio::test]
async fn backup_webhook_without_an_ingest_secret_is_disabled_not_broken() {
    let app = spawn_app_with(AppOptions {
        no_ingest_secret: true,
        ..AppOptions::default()
    })
    .await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "mutation($t: UUID!) { createBackupIngestToken(tenantId: $t, name: \"NAS\") { tokenId } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(error_code(&r).as_deref(), Some("NOT_CONFIGURED"), "{r}");
    assert_eq!(app.count("backup_ingest_token").await, 0);
    let (s, a) = app
        .post_backup_raw(&[("x-mutualis-token", "ing_x".into())], b"{}".to_vec())
        .await;
    assert_eq!(
        (s, &a["error"]["code"]),
        (503, &json!("ingest_disabled")),
        "{a}"
    );
}
