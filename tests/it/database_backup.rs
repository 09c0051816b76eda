//! Backups of our own database, as deploy/runbooks/database-backup-restore.md does them: the
//! roles set up by `mutualis database-roles` (as a superuser), the owner's `pg_dump` refused by
//! the forced row-level security, the backup role's dump restored by the owner into a new
//! database, `verify-audit` intact on it, every tenant table's rows there, and the restored
//! database serving the same session. The owner here is a non-superuser role, as in
//! production: a superuser would bypass RLS and hide the reason the backup role exists.
use crate::cli::run;
use integration_tests::*;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::process::Command;

const OWNER: &str = "mutualis_owner_test";

fn url_as(db: &str, user: &str) -> String {
    let mut u = url::Url::parse(&with_db(&pg_url(), db)).expect("URL");
    u.set_username(user).expect("user");
    u.set_password(None).expect("password");
    u.to_string()
}

/// Runs a PostgreSQL client program: (exit code, stderr).
fn pg_tool(program: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (Debian package postgresql-client): {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn one_i64(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or_else(|| panic!("{sql}: no row"))
}

async fn one_bool(db: &sea_orm::DatabaseConnection, sql: &str) -> bool {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .and_then(|r| r.try_get::<bool>("", "b").ok())
        .unwrap_or_else(|| panic!("{sql}: no row"))
}

#[tokio::test]
async fn the_backup_role_dumps_what_the_owner_cannot_and_the_restore_verifies() {
    let superuser = tenants::db::connect(&pg_url(), 1)
        .await
        .expect("PostgreSQL");
    let pid = std::process::id();
    let (source, restored) = (format!("mt_{pid}_backup"), format!("mt_{pid}_restored"));
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{source}\" WITH (FORCE)"),
        format!("DROP DATABASE IF EXISTS \"{restored}\" WITH (FORCE)"),
        format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER}') THEN \
             CREATE ROLE {OWNER} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
        ),
        format!("CREATE DATABASE \"{source}\" OWNER {OWNER}"),
    ] {
        superuser.execute_unprepared(&sql).await.expect(&sql);
    }

    // The roles, by the command, twice (it is idempotent); passwords from files.
    let dir =
        TempDir(std::env::temp_dir().join(format!("mutualis-roles-{}", uuid::Uuid::new_v4())));
    std::fs::create_dir_all(&dir.0).expect("dir");
    let (app_pw, backup_pw) = (dir.0.join("app"), dir.0.join("backup"));
    std::fs::write(&app_pw, "app-0123456789abcdef0123456789\n").expect("write");
    std::fs::write(&backup_pw, "backup-0123456789abcdef012345\n").expect("write");
    let (app_file, backup_file) = (
        app_pw.display().to_string(),
        backup_pw.display().to_string(),
    );
    let su = pg_url();
    for _ in 0..2 {
        let (code, out, err) = run(
            &[("DATABASE_SUPERUSER_URL", su.as_str())],
            &[
                "database-roles",
                "--app-password-file",
                &app_file,
                "--backup-password-file",
                &backup_file,
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            out.contains("mutualis_backup: password set (SCRAM-SHA-256)"),
            "{out}"
        );
    }
    // What it made: the server's role can't bypass RLS, the backup role can but only reads;
    // both passwords kept as SCRAM verifiers (the clear text never sent).
    let role = |cond: &str| {
        format!("SELECT ({cond}) AS b FROM pg_authid WHERE rolname = 'mutualis_backup'")
    };
    assert!(
        one_bool(
            &superuser,
            &role("rolbypassrls AND rolcanlogin AND NOT rolsuper AND NOT rolcreaterole")
        )
        .await
    );
    assert!(one_bool(&superuser, &role("rolpassword LIKE 'SCRAM-SHA-256$4096:%'")).await);
    assert!(one_bool(&superuser, "SELECT ('default_transaction_read_only=on' = ANY(rolconfig)) AS b FROM pg_roles WHERE rolname = 'mutualis_backup'").await);
    assert!(
        one_bool(
            &superuser,
            "SELECT pg_has_role('mutualis_backup', 'pg_read_all_data', 'MEMBER') AS b"
        )
        .await
    );
    assert!(one_bool(&superuser, "SELECT (NOT rolbypassrls AND NOT rolsuper AND rolpassword LIKE 'SCRAM-SHA-256$%') AS b FROM pg_authid WHERE rolname = 'mutualis_app'").await);
    // Not a superuser: refused, naming the setting.
    let (code, _, err) = run(
        &[("DATABASE_SUPERUSER_URL", url_as("postgres", OWNER).as_str())],
        &["database-roles", "--backup-password-file", &backup_file],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("DATABASE_SUPERUSER_URL") && err.contains("superuser"),
        "{err}"
    );

    // The owner migrates; the server fills it (the fixture, GDPR objects, audit records).
    let owner_url = url_as(&source, OWNER);
    migrate_at(&owner_url).await;
    let app = spawn_app_on(TestDb::at(&owner_url), AppOptions::default()).await;
    let fx = app.fixture().await;
    app.gdpr_objects(&fx.dpo_a, fx.org_a, fx.tenant_a1).await;

    // The owner's dump stops on forced RLS; the backup role's goes through.
    let file = dir.0.join("mutualis.dump").display().to_string();
    let (code, err) = pg_tool("pg_dump", &["--format=custom", "--file", &file, &owner_url]);
    assert_ne!(code, 0, "the owner cannot dump past forced RLS");
    assert!(err.contains("row-level security"), "{err}");
    let (code, err) = pg_tool(
        "pg_dump",
        &[
            "--format=custom",
            "--compress=6",
            "--file",
            &file,
            &url_as(&source, "mutualis_backup"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, err) = pg_tool("pg_restore", &["--list", &file]);
    assert_eq!(code, 0, "{err}");

    // Restored by the owner into a new database, as the runbook says.
    superuser
        .execute_unprepared(&format!("CREATE DATABASE \"{restored}\" OWNER {OWNER}"))
        .await
        .expect("createdb");
    let restored_url = url_as(&restored, OWNER);
    let (code, err) = pg_tool(
        "pg_restore",
        &[
            "--dbname",
            &restored_url,
            "--no-owner",
            &format!("--role={OWNER}"),
            "--exit-on-error",
            &file,
        ],
    );
    assert_eq!(code, 0, "{err}");

    // Every tenant table holds the same rows.
    let restored_db = tenants::db::connect(&with_db(&pg_url(), &restored), 1)
        .await
        .expect("restored");
    let source_db = tenants::db::connect(&with_db(&pg_url(), &source), 1)
        .await
        .expect("source");
    let mut rows = 0;
    for (table, _) in migrations::TENANT_TABLES {
        let sql = format!("SELECT count(*) AS n FROM {table}");
        let n = one_i64(&source_db, &sql).await;
        assert_eq!(one_i64(&restored_db, &sql).await, n, "{table}");
        rows += n;
    }
    assert!(rows > 0);
    assert!(one_i64(&source_db, "SELECT count(*) AS n FROM audit_log").await > 0);

    // The audit trail's chains hold on the restored data.
    let env = [
        ("DATABASE_URL", url_as(&restored, migrations::APP_ROLE)),
        ("DATABASE_ADMIN_URL", restored_url.clone()),
        ("OIDC_ISSUER_URL", "http://127.0.0.1:9/".into()),
        ("OIDC_CLIENT_ID", "x".into()),
        ("OIDC_CLIENT_SECRET", "y".into()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, out, err) = run(&env, &["verify-audit"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("audit trail intact"), "{out}");

    // And the restored database serves: RLS, grants and the session came back with it.
    let back = spawn_app_on(TestDb::at(&restored_url), AppOptions::default()).await;
    let r = back
        .gql(
            &fx.commune_admin_a1,
            "query($t: UUID!) { me { email } activities(tenantIds: [$t]) { totalCount } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert_eq!(data(&r)["me"]["email"], json!("dgs@mairie-compiegne.fr"));
    assert_eq!(data(&r)["activities"]["totalCount"], json!(1), "{r}");
    // Still isolated: another organisation's administrator sees none of it.
    let r = back
        .gql(
            &fx.org_admin_b,
            "query($t: UUID!) { activities(tenantIds: [$t]) { totalCount } }",
            json!({"t": fx.tenant_a1}),
        )
        .await;
    assert!(
        error_code(&r).is_some() || data(&r)["activities"]["totalCount"] == json!(0),
        "{r}"
    );

    drop((app, back));
    restored_db.close().await.ok();
    source_db.close().await.ok();
    for db in [&source, &restored] {
        superuser
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))
            .await
            .ok();
    }
}
