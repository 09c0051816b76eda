//! Reversibility (issue 21): the archive of the demo organisation is complete and documented,
//! imports into an empty database, and exports from there to the same content; an altered
//! archive or one whose rows are already present is refused whole; nobody exports or
//! downloads what is not theirs.
use integration_tests::*;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use tenants::reversibility::{self, requests};
use tenants::tenancy::{can, Principal};
use uuid::Uuid;

/// A worker without Stripe: invoice pushes wait, everything else runs.
fn plain_worker() -> worker::JobSettings {
    worker::JobSettings {
        worker_id: "reversibility-test".into(),
        stripe: None,
        send_invoices: false,
        lease: tenants::jobs::LEASE,
        mailer: None,
        storage: None,
    }
}

async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one(Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            sql.to_owned(),
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get_by_index::<String>(0).expect("text")
}

/// Every entry of a ZIP: name -> bytes.
fn entries(zip_bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("zip");
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let mut b = Vec::new();
        e.read_to_end(&mut b).expect("read");
        out.insert(e.name().expect("entry name").into_owned(), b);
    }
    out
}

/// The same archive with `name`'s bytes replaced (manifest unchanged).
fn altered(zip_bytes: &[u8], name: &str, f: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (n, mut b) in entries(zip_bytes) {
        if n == name {
            f(&mut b);
        }
        w.start_file(n, zip::write::SimpleFileOptions::default())
            .expect("start");
        w.write_all(&b).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn rows_of(files: &BTreeMap<String, Vec<u8>>, table: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&files[&format!("{table}.json")]).expect("JSON");
    assert_eq!(doc["entity"], json!(table));
    doc["rows"].as_array().expect("rows").clone()
}

/// (name, sha256, bytes) of every file but the manifest.
fn content_hashes(m: &formats::Manifest) -> Vec<(String, String, u64)> {
    m.files
        .iter()
        .map(|f| (f.name.clone(), f.sha256.clone(), f.bytes))
        .collect()
}

const LIMITS: formats::bundle::VerifyLimits = formats::bundle::VerifyLimits {
    max_entries: 400,
    max_content_bytes: 1 << 31,
};

#[tokio::test]
async fn the_demo_organisation_round_trips_through_its_archive() {
    let app = spawn_app().await;
    assert!(tenants::demo::seed(&app.db).await.expect("demo seeds"));
    let org: Uuid = scalar(
        &app.admin,
        "SELECT id::text FROM organisation WHERE siren = '200067965'",
    )
    .await
    .parse()
    .expect("uuid");
    let dsi_id: Uuid = scalar(
        &app.admin,
        "SELECT id::text FROM app_user WHERE email = 'dsi@demo.mutualis.invalid'",
    )
    .await
    .parse()
    .expect("uuid");
    let dsi = app.session_for(dsi_id, "dsi@demo.mutualis.invalid").await;

    // The demo records no processor: one, so that table has a row too.
    let compiegne = scalar(
        &app.admin,
        "SELECT id::text FROM tenant WHERE insee_code = '60159'",
    )
    .await;
    let p = app
        .gql(
            &dsi,
            "mutation($t: UUID!) { createProcessor(input: {tenantId: $t, name: \"Hébergeur du portail\", country: \"FR\"}) { id } }",
            json!({"t": compiegne}),
        )
        .await;
    assert!(data(&p)["createProcessor"]["id"].is_string(), "{p}");

    // Asked for in GraphQL, produced by the worker, progress listed, downloaded.
    let asked = app
        .gql(
            &dsi,
            "mutation($o: UUID!) { requestReversibilityExport(organisationId: $o) { id status kind tenantName downloadUrl } }",
            json!({"o": org}),
        )
        .await;
    let e = &data(&asked)["requestReversibilityExport"];
    assert_eq!(e["status"], json!("pending"));
    assert_eq!(e["kind"], json!("organisation"));
    assert_eq!(e["downloadUrl"], Value::Null);
    let id = e["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .get_as(
            &dsi,
            api::http::reversibility::DOWNLOAD,
            &format!("id={id}"),
        )
        .await;
    assert_eq!(status, 409, "not ready yet");

    let started = std::time::Instant::now();
    worker::run_jobs(&app.db, &plain_worker())
        .await
        .expect("worker runs");
    let listed = app
        .gql(
            &dsi,
            "{ reversibilityExports { id status progressDone progressTotal archiveBytes rowsExported manifestSha256 downloadUrl error } }",
            json!({}),
        )
        .await;
    let l = data(&listed)["reversibilityExports"]
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["id"] == json!(id))
        .expect("listed")
        .clone();
    assert_eq!(l["status"], json!("done"), "{l}");
    let total = l["progressTotal"].as_i64().expect("total");
    assert!(total > 0);
    assert_eq!(l["progressDone"].as_i64(), Some(total));
    let (status, zip1) = app
        .get_bytes_as(
            &dsi,
            api::http::reversibility::DOWNLOAD,
            &format!("id={id}"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(l["archiveBytes"].as_i64(), Some(zip1.len() as i64));
    eprintln!(
        "demo organisation: worker pass {:?}, {} rows, archive {} bytes",
        started.elapsed(),
        l["rowsExported"],
        zip1.len()
    );

    // The manifest verifies and is the one the audit trail recorded.
    let (m1, sha1) = formats::bundle::verify_with(&zip1, &LIMITS).expect("archive verifies");
    assert_eq!(l["manifestSha256"], json!(sha1));
    let recorded = scalar(
        &app.admin,
        &format!(
            "SELECT after->>'manifestSha256' FROM audit_log WHERE operation = 'exportReversibility' AND after->>'exportId' = '{id}'"
        ),
    )
    .await;
    assert_eq!(recorded, sha1);

    // Every area is there, documented, each JSON file valid against its schema.
    let files = entries(&zip1);
    // (The demo has no action plan nor amendment: the other tests export those.)
    let empty = [
        "organisation",
        "tenant",
        "app_user",
        "membership",
        "gdpr_activity",
        "gdpr_processor",
        "gdpr_request",
        "gdpr_request_event",
        "gdpr_breach",
        "proc_supplier",
        "proc_contract",
        "proc_lot",
        "backup_policy",
        "backup_job",
        "backup_restore_test",
        "cost_service",
        "cost_subscription",
        "cost_pool",
        "cost_run",
        "cost_line",
        "billing_identity",
        "billing_run",
        "billing_invoice",
        "maturity_questionnaire",
        "maturity_assessment",
        "audit_log",
    ]
    .into_iter()
    .filter(|t| rows_of(&files, t).is_empty())
    .collect::<Vec<_>>();
    assert!(empty.is_empty(), "empty in the demo's archive: {empty:?}");
    assert_eq!(
        rows_of(&files, "tenant").len(),
        23,
        "22 communes and the agglomeration"
    );
    let readme = String::from_utf8(files["README.md"].clone()).expect("UTF-8");
    for m in &m1.files {
        if let Some(table) = m.name.strip_suffix(".schema.json") {
            assert!(
                readme.contains(&format!("### `{table}`")),
                "{table} not in the README"
            );
            let schema: Value = serde_json::from_slice(&files[&m.name]).expect("schema");
            let doc: Value =
                serde_json::from_slice(&files[&format!("{table}.json")]).expect("JSON");
            let v = jsonschema::validator_for(&schema).expect("schema compiles");
            let errors: Vec<String> = v.iter_errors(&doc).take(3).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{table}: {errors:?}");
        }
    }
    assert!(files.contains_key("proc_contract.csv"));
    let csv = String::from_utf8(files["proc_contract.csv"].clone()).expect("UTF-8");
    assert!(
        csv.starts_with("\u{feff}id;organisation_id;tenant_id;"),
        "{csv:.80}"
    );
    // Credentials of this instance are not part of it.
    assert!(!files
        .keys()
        .any(|n| n.starts_with("session") || n.starts_with("api_token")));

    // Into an empty database, then out again: the same content, file by file.
    let fresh = fresh_db().await;
    let b = tenants::db::connect(&fresh.admin_url, 2).await.expect("B");
    let report = reversibility::import_archive(&b, &zip1, None)
        .await
        .expect("imports");
    assert_eq!(
        report.rows as i64,
        l["rowsExported"].as_i64().expect("rows")
    );
    let op = Principal::operator();
    let again = requests::export_now(
        &b,
        &op.can::<can::ExportAllData>().expect("operator"),
        org,
        None,
        None,
    )
    .await
    .expect("exports again");
    assert_eq!(
        content_hashes(&m1),
        content_hashes(&again.manifest),
        "the second archive differs from the first"
    );
    // The imported audit trail still verifies, chain and heads.
    let audit = tenants::audit::verify(&b, &op.can::<can::ReadAudit>().expect("operator"))
        .await
        .expect("verify");
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    assert!(audit.records > 0);

    // Importing it a second time is refused, listing what is there, writing nothing.
    let before = scalar(&b, "SELECT count(*)::text FROM gdpr_activity").await;
    match reversibility::import_archive(&b, &zip1, None).await {
        Err(reversibility::ReversibilityError::Conflicts { count, listed }) => {
            assert_eq!(count as i64, l["rowsExported"].as_i64().expect("rows"));
            assert!(listed
                .iter()
                .any(|c| c.file == "organisation" && c.key == format!("id={org}")));
        }
        other => panic!("not refused: {other:?}"),
    }
    assert_eq!(
        before,
        scalar(&b, "SELECT count(*)::text FROM gdpr_activity").await
    );
}

#[tokio::test]
async fn the_command_line_refuses_an_altered_archive_and_conflicts_whole() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    let op = Principal::operator();
    let a = requests::export_now(
        &app.db,
        &op.can::<can::ExportAllData>().expect("operator"),
        fx.org_a,
        Some(fx.tenant_a1),
        None,
    )
    .await
    .expect("exports the commune");
    let dir = TempDir(std::env::temp_dir().join(format!("rev-{}", Uuid::new_v4())));
    std::fs::create_dir_all(&dir.0).expect("dir");

    // One altered value: the manifest names the file, nothing is written.
    let fresh = fresh_db().await;
    let b = other_db(&fresh).await;
    let bad = dir.0.join("altered.zip");
    std::fs::write(
        &bad,
        altered(&a.zip, "gdpr_activity.json", |b| {
            let pos = b.len() / 2;
            b[pos] = if b[pos] == b'a' { b'b' } else { b'a' };
        }),
    )
    .expect("write");
    let out = b
        .binary_command(
            &["import-archive", bad.to_str().expect("path")],
            &[("DATABASE_ADMIN_URL", &fresh.admin_url)],
        )
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("gdpr_activity.json") && err.contains("modifié"),
        "{err}"
    );
    assert_eq!(b.count("organisation").await, 0);

    // The genuine archive imports into the empty database.
    let good = dir.0.join("commune.zip");
    std::fs::write(&good, &a.zip).expect("write");
    let out = b
        .binary_command(
            &["import-archive", good.to_str().expect("path")],
            &[("DATABASE_ADMIN_URL", &fresh.admin_url)],
        )
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(b.count("tenant").await, 1);
    assert!(b.count("gdpr_activity").await > 0);

    // Into the database it came from: every row conflicts, the report names them.
    let before = app.count("gdpr_activity").await;
    let out = app
        .binary_command(
            &["import-archive", good.to_str().expect("path")],
            &[("DATABASE_ADMIN_URL", &app.testdb.admin_url)],
        )
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains(&format!("conflict: tenant id={}", fx.tenant_a1))
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(app.count("gdpr_activity").await, before);
}

/// A `TestApp`-like handle on another database, for its binary and counts.
async fn other_db(db: &TestDb) -> Other {
    Other {
        admin: tenants::db::connect(&db.admin_url, 1).await.expect("admin"),
        app_url: db.app_url.clone(),
        name: db.name.clone(),
    }
}

struct Other {
    admin: sea_orm::DatabaseConnection,
    app_url: String,
    name: String,
}

impl Other {
    fn binary_command(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
        let exe = std::env::var_os("MUTUALIS_BIN").expect("MUTUALIS_BIN");
        let mut cmd = std::process::Command::new(exe);
        cmd.args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("DATABASE_URL", &self.app_url)
            .env("OIDC_ISSUER_URL", "http://127.0.0.1:9/")
            .env("OIDC_CLIENT_ID", "x")
            .env("OIDC_CLIENT_SECRET", "y")
            .env("MUTUALIS_REDIS_PREFIX", &self.name)
            .env("RUST_LOG", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    async fn count(&self, table: &str) -> i64 {
        let row = self
            .admin
            .query_one(Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!("SELECT count(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get("", "n").expect("n")
    }
}

#[tokio::test]
async fn nobody_exports_or_downloads_what_is_not_theirs() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a1)
        .await;
    app.gdpr_objects(&fx.org_admin_a, fx.org_a, fx.tenant_a2)
        .await;
    let ask = "mutation($o: UUID!, $t: UUID) { requestReversibilityExport(organisationId: $o, tenantId: $t) { id tenantId tenantName } }";

    // A commune's administrator: his commune, never another, never the whole organisation.
    for (caller, o, t, code) in [
        (
            &fx.commune_admin_a1,
            fx.org_a,
            Some(fx.tenant_a2),
            "NOT_FOUND",
        ),
        (&fx.commune_admin_a1, fx.org_a, None, "FORBIDDEN"),
        (
            &fx.commune_admin_a1,
            fx.org_b,
            Some(fx.tenant_b1),
            "NOT_FOUND",
        ),
        (&fx.editor_a2, fx.org_a, Some(fx.tenant_a2), "FORBIDDEN"),
        (&fx.dpo_a, fx.org_a, None, "FORBIDDEN"),
        (&fx.org_admin_b, fx.org_a, None, "NOT_FOUND"),
    ] {
        let r = app.gql(caller, ask, json!({"o": o, "t": t})).await;
        assert_eq!(error_code(&r).as_deref(), Some(code), "{r}");
    }
    let mine = app
        .gql(
            &fx.commune_admin_a1,
            ask,
            json!({"o": fx.org_a, "t": fx.tenant_a1}),
        )
        .await;
    let mine = data(&mine)["requestReversibilityExport"].clone();
    assert_eq!(mine["tenantName"], json!("Compiègne"));
    let theirs = app.gql(&fx.org_admin_b, ask, json!({"o": fx.org_b})).await;
    let theirs = data(&theirs)["requestReversibilityExport"]["id"]
        .as_str()
        .expect("B's export")
        .to_owned();
    let whole_a = app.gql(&fx.org_admin_a, ask, json!({"o": fx.org_a})).await;
    let whole_a = data(&whole_a)["requestReversibilityExport"]["id"]
        .as_str()
        .expect("A's export")
        .to_owned();
    worker::run_jobs(&app.db, &plain_worker())
        .await
        .expect("worker runs");

    let dl = api::http::reversibility::DOWNLOAD;
    // B's archive: not for A's DSI, not for A1's administrator.
    for caller in [&fx.org_admin_a, &fx.commune_admin_a1] {
        let (status, body) = app.get_as(caller, dl, &format!("id={theirs}")).await;
        assert_eq!(status, 404, "{body}");
    }
    // A's whole archive: not for a commune's administrator.
    let (status, _) = app
        .get_as(&fx.commune_admin_a1, dl, &format!("id={whole_a}"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get_as(&Caller::Anonymous, dl, &format!("id={whole_a}"))
        .await;
    assert_eq!(status, 401);
    let (status, _) = app
        .get_as(&fx.org_admin_b, dl, &format!("id={theirs}"))
        .await;
    assert_eq!(status, 200);

    // The lists: each sees his own.
    let listed = app
        .gql(
            &fx.commune_admin_a1,
            "{ reversibilityExports { id tenantId status } }",
            json!({}),
        )
        .await;
    let ids: Vec<Value> = data(&listed)["reversibilityExports"]
        .as_array()
        .expect("list")
        .iter()
        .map(|x| x["id"].clone())
        .collect();
    assert_eq!(ids, vec![mine["id"].clone()]);
    let listed = app
        .gql(
            &fx.org_admin_a,
            "{ reversibilityExports { id } }",
            json!({}),
        )
        .await;
    assert!(!data(&listed).to_string().contains(&theirs));

    // The commune's archive holds its rows only: not Margny's, not the agglomeration's.
    let (status, zip) = app
        .get_bytes_as(
            &fx.commune_admin_a1,
            dl,
            &format!("id={}", mine["id"].as_str().expect("id")),
        )
        .await;
    assert_eq!(status, 200);
    let files = entries(&zip);
    let tenant_rows = rows_of(&files, "tenant");
    assert_eq!(tenant_rows.len(), 1);
    assert_eq!(tenant_rows[0]["id"], json!(fx.tenant_a1));
    assert!(!files.contains_key("auditor_grant.json"));
    let mut checked = 0;
    for (name, bytes) in &files {
        let Some(table) = name.strip_suffix(".json") else {
            continue;
        };
        if table.ends_with(".schema") || name == "manifest.json" {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(&fx.tenant_a2.to_string()),
            "{name} names Margny"
        );
        assert!(!text.contains(&fx.org_b.to_string()), "{name} names B");
        for r in rows_of(&files, table) {
            if let Some(t) = r.get("tenant_id").filter(|t| !t.is_null()) {
                assert_eq!(t, &json!(fx.tenant_a1), "{table}");
                checked += 1;
            }
        }
    }
    assert!(checked > 5, "{checked}");
}

/// Every table that holds an organisation's data is in the archive: a table added later
/// without its registry line fails here instead of silently missing from the export.
#[tokio::test]
async fn every_table_of_an_organisation_is_exported() {
    let app = spawn_app().await;
    let with_org: Vec<String> = {
        let rows = app
            .admin
            .query_all(Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT table_name::text AS t FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND column_name = 'organisation_id' \
                 ORDER BY 1",
            ))
            .await
            .expect("catalog");
        rows.iter()
            .map(|r| r.try_get::<String>("", "t").expect("name"))
            .collect()
    };
    // This instance's queue and bookkeeping, not the organisation's data (registry.rs says why).
    let left_out = [
        "alert_delivery",
        "api_token",
        "job",
        "reversibility_archive",
        "reversibility_export",
    ];
    let exported: Vec<&str> = tenants::reversibility::registry::tables()
        .iter()
        .map(|t| t.file)
        .collect();
    let missing: Vec<&String> = with_org
        .iter()
        .filter(|t| !exported.contains(&t.as_str()) && !left_out.contains(&t.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "not in the reversibility archive: {missing:?}"
    );
    assert!(with_org.len() > 40, "{with_org:?}");
}

/// The evidence a commune deposited leaves with it: the file itself (`fichier_<key>`),
/// covered by the manifest, written back to the new instance's store by the import; an
/// export that cannot reach the files fails rather than leave them out; an archive whose
/// file was altered is refused whole.
#[tokio::test]
async fn stored_files_travel_with_their_rows() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let title = "Convention de mise à disposition du DPO";
    let doc =
        crate::gdpr_documents::upload_pdf(&app, &fx.commune_admin_a1, fx.tenant_a1, title).await;
    let key = scalar(
        &app.admin,
        &format!("SELECT storage_key FROM gdpr_document WHERE id = '{doc}'"),
    )
    .await;
    let store = tenants::storage::Storage::open(&app.config.storage).expect("store");
    let original = store.get(&key, 1 << 20).await.expect("uploaded file");
    let op = Principal::operator();
    let export = |files: Option<tenants::storage::Storage>| {
        let (db, op) = (&app.db, &op);
        async move {
            requests::export_now(
                db,
                &op.can::<can::ExportAllData>().expect("operator"),
                fx.org_a,
                None,
                files.as_ref(),
            )
            .await
        }
    };

    // No store: refused, saying why, instead of an archive without the file.
    match export(None).await {
        Err(e) => assert!(e.to_string().contains("aucun stockage de fichiers"), "{e}"),
        Ok(_) => panic!("an archive without its stored file"),
    }
    let a = export(Some(store.clone())).await.expect("exports");
    let files = entries(&a.zip);
    let entry = format!("fichier_{}", key.replace('/', "_"));
    assert_eq!(
        files.get(&entry),
        Some(&original),
        "the file is in the archive"
    );
    assert!(a.manifest.files.iter().any(|f| f.name == entry));
    assert_eq!(rows_of(&files, "gdpr_document").len(), 1);

    // Into an empty database and an empty store.
    let fresh = fresh_db().await;
    let b = tenants::db::connect(&fresh.admin_url, 2).await.expect("B");
    let dir = std::env::temp_dir().join(format!("rev-files-{}", Uuid::new_v4()));
    let b_store = tenants::storage::Storage::open(&tenants::storage::StorageSettings::FileSystem {
        root: dir.clone(),
    })
    .expect("B's store");
    // The file emptied: the manifest no longer matches it, nothing is written.
    let without = altered(&a.zip, &entry, |b| b.clear());
    assert!(
        reversibility::import_archive(&b, &without, Some(&b_store))
            .await
            .is_err(),
        "an archive whose file was altered is refused"
    );
    assert_eq!(
        scalar(&b, "SELECT count(*)::text FROM gdpr_document").await,
        "0"
    );
    let report = reversibility::import_archive(&b, &a.zip, Some(&b_store))
        .await
        .expect("imports");
    assert_eq!(report.files, 1);
    assert_eq!(
        b_store.get(&key, 1 << 20).await.expect("restored file"),
        original
    );
    assert_eq!(
        scalar(&b, "SELECT count(*)::text FROM gdpr_document").await,
        "1"
    );
    let _ = std::fs::remove_dir_all(dir);
}
