//! The restic collector against real repositories: real files backed up twice, snapshots mapped
//! to policies by host and tags, sizes and storage from restic itself, idempotent re-runs, and
//! a repository that cannot be read reported without stopping the others.
use integration_tests::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tenants::backups::collector::ResticSettings;
use tenants::backups::restic::{Restic, ResticPassword, StatsMode};

const PASSWORD: &str = "mot-de-passe-du-depot-compiegne";

fn restic_binary() -> PathBuf {
    std::env::var_os("MUTUALIS_TEST_RESTIC")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("restic"))
}

fn write_files(dir: &Path, seed: u64, kb: usize) {
    std::fs::create_dir_all(dir.join("etat-civil")).expect("fixture");
    std::fs::write(
        dir.join("deliberations.txt"),
        "Séance du conseil municipal\n".repeat(200),
    )
    .expect("fixture");
    let mut x = seed;
    let mut bytes = Vec::with_capacity(kb * 1024);
    while bytes.len() < kb * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(dir.join("etat-civil").join("actes.db"), bytes).expect("fixture");
}

#[tokio::test]
async fn backups_collector_reads_real_restic_repositories() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let tmp =
        TempDir(std::env::temp_dir().join(format!("mutualis-restic-{}", uuid::Uuid::now_v7())));
    let repo = tmp.0.join("repo-compiegne");
    let data_dir = tmp.0.join("mairie");
    let restic = Restic::new(repo.to_string_lossy(), ResticPassword::new(PASSWORD))
        .with_binary(restic_binary())
        .with_timeout(Duration::from_secs(120));
    restic.init().await.expect("restic init");
    // Two runs of the town hall server, the second after a change; one of a desk PC that no
    // policy covers.
    write_files(&data_dir, 1, 300);
    restic
        .backup(&[&data_dir], "srv-mairie", &["mairie"])
        .await
        .expect("backup 1");
    write_files(&data_dir, 2, 300);
    let second = restic
        .backup(&[&data_dir], "srv-mairie", &["mairie"])
        .await
        .expect("backup 2");
    assert!(
        second.data_added > 0,
        "the second run stored the changed file"
    );
    restic
        .backup(&[&data_dir], "pc-accueil", &[])
        .await
        .expect("backup 3");

    let create = |tenant: uuid::Uuid, name: &str, host: &str, repo: &str| {
        let app = &app;
        let caller = if tenant == fx.tenant_b1 {
            fx.org_admin_b.clone()
        } else {
            fx.org_admin_a.clone()
        };
        let (name, host, repo) = (name.to_owned(), host.to_owned(), repo.to_owned());
        async move {
            let r = app
                .gql(
                    &caller,
                    &format!("mutation($t: UUID!, $name: String!, $host: String!, $repo: String!) {{ createBackupPolicy(tenantId: $t, input: {BACKUP_POLICY_INPUT}) {{ id }} }}"),
                    json!({"t": tenant, "name": name, "host": host, "repo": repo}),
                )
                .await;
            data(&r)["createBackupPolicy"]["id"]
                .as_str()
                .expect("id")
                .to_owned()
        }
    };
    let policy = create(
        fx.tenant_a1,
        "Serveur mairie",
        "srv-mairie",
        &repo.to_string_lossy(),
    )
    .await;
    // Dunkerque's repository does not exist here: its collection fails, alone.
    let missing = tmp.0.join("repo-dunkerque");
    create(
        fx.tenant_b1,
        "Serveur Dunkerque",
        "srv-dk",
        &missing.to_string_lossy(),
    )
    .await;

    let settings = ResticSettings {
        binary: restic_binary(),
        passwords: [("compiegne".to_owned(), ResticPassword::new(PASSWORD))].into(),
        timeout: Duration::from_secs(120),
        sizes_per_pass: 20,
    };
    let r = worker::collect_backups(&app.db, &settings)
        .await
        .expect("collect");
    assert_eq!(r.repositories, 2);
    assert_eq!(r.snapshots_seen, 3);
    assert_eq!(
        (r.jobs_recorded, r.unmatched, r.ambiguous),
        (2, 1, 0),
        "{r:?}"
    );
    assert_eq!(r.samples_recorded, 1);
    assert_eq!(r.failures.len(), 1, "{r:?}");
    assert!(r.failures[0].contains("repo-dunkerque"), "{r:?}");
    assert!(!r.failures.iter().any(|f| f.contains(PASSWORD)));

    // The jobs are restic's snapshots, with restic's own figures.
    let snapshots = restic.snapshots().await.expect("snapshots");
    let mine: Vec<_> = snapshots
        .iter()
        .filter(|s| s.hostname == "srv-mairie")
        .collect();
    let resp = app
        .gql(
            &fx.commune_admin_a1,
            "query($p: UUID!) { backupJobs(policyId: $p) { items { source externalId status finishedAt bytesProcessed files snapshotId }} backupPolicy(id: $p) { storageSamples { items { storedBytes source }} } }",
            json!({"p": policy}),
        )
        .await;
    let d = data(&resp).clone();
    let jobs = d["backupJobs"]["items"].as_array().expect("jobs").clone();
    assert_eq!(jobs.len(), 2, "{d}");
    for s in &mine {
        let j = jobs
            .iter()
            .find(|j| j["externalId"] == json!(s.id))
            .unwrap_or_else(|| panic!("snapshot {} recorded: {d}", s.id));
        let stats = restic
            .stats_for(StatsMode::RestoreSize, &[&s.id])
            .await
            .expect("stats");
        assert_eq!(j["source"], json!("restic"));
        assert_eq!(j["status"], json!("success"));
        assert_eq!(j["snapshotId"], json!(s.short_id));
        assert_eq!(j["bytesProcessed"], json!(stats.total_size));
        assert_eq!(j["files"], json!(stats.total_file_count));
        let at: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(j["finishedAt"].clone()).expect("time");
        assert_eq!(at.timestamp_micros(), s.time.timestamp_micros());
    }
    // Storage: what the policy's two snapshots need in the repository, deduplicated.
    let ids: Vec<&str> = mine.iter().map(|s| s.id.as_str()).collect();
    let raw = restic
        .stats_for(StatsMode::RawData, &ids)
        .await
        .expect("raw");
    assert!(
        raw.total_size > 600 * 1024,
        "two different 300 KiB files are stored"
    );
    assert_eq!(
        d["backupPolicy"]["storageSamples"]["items"],
        json!([{"storedBytes": raw.total_size, "source": "restic"}])
    );

    // A second pass records no job twice, and measures again.
    let r = worker::collect_backups(&app.db, &settings)
        .await
        .expect("collect again");
    assert_eq!((r.jobs_recorded, r.samples_recorded), (0, 1), "{r:?}");
    assert_eq!(app.count("backup_job").await, 2);

    // RPO: A1 is backed up, Dunkerque never was.
    let states = |caller: Caller| {
        let app = &app;
        async move {
            let r = app
                .gql(
                    &caller,
                    "{ backupTenantStates { tenantId state policies } }",
                    json!({}),
                )
                .await;
            data(&r)["backupTenantStates"].clone()
        }
    };
    let a: Value = states(fx.commune_admin_a1.clone()).await;
    assert_eq!(
        a,
        json!([{"tenantId": fx.tenant_a1, "state": "ok", "policies": 1}])
    );
    let b: Value = states(fx.org_admin_b.clone()).await;
    let b1 = b
        .as_array()
        .expect("states")
        .iter()
        .find(|t| t["tenantId"] == json!(fx.tenant_b1))
        .cloned()
        .expect("b1");
    assert_eq!(b1["state"], json!("never"));

    // The command line runs the same pass; a missing password is named, never printed.
    let url = app.testdb.app_url.clone();
    let binary = restic_binary().to_string_lossy().into_owned();
    let base = [
        ("DATABASE_URL", url.as_str()),
        ("OIDC_ISSUER_URL", "http://127.0.0.1:9/"),
        ("OIDC_CLIENT_ID", "x"),
        ("OIDC_CLIENT_SECRET", "y"),
        ("MUTUALIS_RESTIC_BINARY", binary.as_str()),
    ];
    let mut with_pw = base.to_vec();
    with_pw.push(("MUTUALIS_RESTIC_PASSWORD_COMPIEGNE", PASSWORD));
    let (code, out, err) = crate::cli::run(&with_pw, &["collect-backups"]);
    assert_eq!(code, 1, "Dunkerque's repository fails: {out} {err}");
    assert!(out.contains("3 snapshots seen, 0 jobs"), "{out}");
    assert!(
        err.contains("repo-dunkerque") && !err.contains(PASSWORD),
        "{err}"
    );
    let (code, _, err) = crate::cli::run(&base, &["collect-backups"]);
    assert_eq!(code, 1);
    assert!(err.contains("MUTUALIS_RESTIC_PASSWORD_COMPIEGNE"), "{err}");
    assert_eq!(app.count("backup_job").await, 2);
}
